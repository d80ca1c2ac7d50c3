import { afterEach, describe, expect, it, vi } from 'vitest'
import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { ChannelCapabilities, ChannelDetail, ChannelKindInfo, ChannelListItem } from '../api/types'
import { fakeStream, makeMe } from '../test/fakes'
import { readQr, renderAdmin, scriptFetch } from './adminTestKit'
import type { Call } from './adminTestKit'
import { ChannelsTab } from './ChannelsTab'
import { I18nProvider } from '../i18n'
import { SessionContext, StreamContext } from '../session'

const TOKEN = 'cht_4f1d0c2b9a8e7f6d5c4b3a2910ffeeddccbbaa99'
const me = makeMe({ permissions: ['channels:manage', 'conversations:view:all'] })

const site: ChannelListItem = { id: 'ch-web', kind: 'webchat', name: 'Site', active: true, status: 'connected' }
const erp: ChannelListItem = { id: 'ch-api', kind: 'api', name: 'ERP', active: true, status: 'connected' }

const caps: ChannelCapabilities = {
  window_seconds: 0,
  human_agent_window_seconds: 0,
  media: [],
  templates: false,
  receipts: false,
  threads: false,
  edits: false,
  reactions: false,
  comments: false,
  sends_per_second: 0,
}

const KINDS: ChannelKindInfo[] = [
  { kind: 'webchat', label: 'Webchat', available: true, in_plan: true, component: 'webchat', activation: false, oauth: false, capabilities: caps, settings: [] },
  {
    kind: 'api',
    label: 'API',
    available: true,
    in_plan: true,
    component: 'api',
    activation: false,
    oauth: false,
    capabilities: caps,
    settings: [
      { name: 'outbound_url', label: 'Outbound URL', type: 'url', required: false },
      { name: 'outbound_secret', label: 'Outbound secret', type: 'secret', required: false },
    ],
  },
  {
    kind: 'telegram',
    label: 'Telegram',
    available: true,
    in_plan: true,
    activation: true,
    oauth: false,
    capabilities: { ...caps, media: ['image', 'audio', 'video', 'document'], receipts: false, edits: true, reactions: true, sends_per_second: 30 },
    settings: [{ name: 'bot_token', label: 'Bot token', type: 'secret', required: true, help: 'Create a bot with @BotFather and paste the token it sends you.' }],
  },
  { kind: 'whatsapp_official', label: 'WhatsApp (official)', available: false, in_plan: true, activation: true, oauth: false, capabilities: caps, settings: [] },
  { kind: 'instagram', label: 'Instagram', available: true, in_plan: false, activation: true, oauth: true, capabilities: caps, settings: [] },
]

const siteDetail: ChannelDetail = {
  ...site,
  settings: {
    title: 'Fale conosco',
    color: '#2a5bd7',
    welcome_message: 'Olá! Como podemos ajudar?',
    offline_message: 'Fora do horário.',
    allowed_origins: [],
    prechat: { name: 'required', email: 'optional', phone: 'optional' },
    business_hours: null,
  },
  snippet: '<script src="http://localhost:8080/widget.js" data-channel="ch-web" async></script>',
}

const erpDetail: ChannelDetail = {
  ...erp,
  settings: { outbound_url: 'https://erp.example.com/hook', outbound_secret: '********' },
  inbound_url: 'http://localhost:8080/hooks/api/ch-api',
}

type Reply = { status: number; body?: unknown } | undefined

function server(extra: (c: Call) => Reply = () => undefined, items: ChannelListItem[] = [site, erp], kinds: ChannelKindInfo[] = KINDS) {
  return scriptFetch((c) => {
    const r = extra(c)
    if (r) return r
    if (c.method === 'GET' && c.path === '/api/v1/channel-kinds') return { status: 200, body: { items: kinds } }
    if (c.method === 'GET' && c.path === '/api/v1/channels') return { status: 200, body: { items } }
    if (c.method === 'GET' && c.path === '/api/v1/channels/ch-web') return { status: 200, body: siteDetail }
    if (c.method === 'GET' && c.path === '/api/v1/channels/ch-api') return { status: 200, body: erpDetail }
    if (c.method === 'PATCH' && c.path === '/api/v1/channels/ch-web') {
      const b = c.body as { name?: string; active?: boolean; settings?: Record<string, unknown> }
      return { status: 200, body: { ...siteDetail, ...(b.name ? { name: b.name } : {}), active: b.active ?? true, settings: b.settings ?? siteDetail.settings } }
    }
    return undefined
  })
}

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('ChannelsTab', () => {
  it('creates an API channel and shows its token once', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.method === 'POST' && c.path === '/api/v1/channels') {
        return { status: 201, body: { id: 'ch-new', kind: 'api', name: 'Loja', active: true, settings: {}, inbound_url: 'http://localhost:8080/hooks/api/ch-new', inbound_token: TOKEN } }
      }
      if (c.method === 'GET' && c.path === '/api/v1/channels/ch-new') {
        return { status: 200, body: { id: 'ch-new', kind: 'api', name: 'Loja', active: true, settings: {}, inbound_url: 'http://localhost:8080/hooks/api/ch-new' } }
      }
      return undefined
    }, [])
    renderAdmin(<ChannelsTab />, me)
    await user.click(await screen.findByTestId('channel-create-open'))
    await user.selectOptions(screen.getByTestId('channel-kind'), 'api')
    await user.type(screen.getByTestId('channel-name'), 'Loja')
    await user.click(screen.getByTestId('channel-create-submit'))

    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ kind: 'api', name: 'Loja', settings: {} })
    const dialog = await screen.findByTestId('channel-token-dialog')
    expect(within(dialog).getByTestId('channel-token-secret')).toHaveValue(TOKEN)
    expect(within(dialog).getByTestId('channel-token-warning')).toHaveTextContent('não será mostrado novamente')
    await user.click(within(dialog).getByTestId('channel-token-copy'))
    expect(await navigator.clipboard.readText()).toBe(TOKEN)

    await user.click(screen.getByTestId('channel-token-close'))
    expect(screen.queryByTestId('channel-token-dialog')).not.toBeInTheDocument()
    expect(document.body.innerHTML).not.toContain(TOKEN)
    // the new channel is listed and open in the editor, without its token
    expect(screen.getByTestId('channel-row')).toHaveAttribute('data-id', 'ch-new')
    expect(await screen.findByTestId('api-inbound-url')).toHaveValue('http://localhost:8080/hooks/api/ch-new')
    expect(document.body.innerHTML).not.toContain(TOKEN)
  })

  it('shows a plan refusal (403) next to the kind', async () => {
    const user = userEvent.setup()
    server((c) =>
      c.method === 'POST' ? { status: 403, body: { status: 403, detail: "kind: api is not in this account's plan", field: 'kind' } } : undefined,
    )
    renderAdmin(<ChannelsTab />, me)
    await user.click(await screen.findByTestId('channel-create-open'))
    await user.selectOptions(screen.getByTestId('channel-kind'), 'api')
    await user.type(screen.getByTestId('channel-name'), 'X')
    await user.click(screen.getByTestId('channel-create-submit'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'kind')
    expect(err).toHaveTextContent("api is not in this account's plan")
    expect(screen.queryByTestId('channel-token-dialog')).not.toBeInTheDocument()
  })

  it('edits webchat settings: business hours go out as JSON without closed days', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<ChannelsTab />, me)
    const row = (await screen.findAllByTestId('channel-row')).find((r) => r.getAttribute('data-id') === 'ch-web')!
    await user.click(within(row).getByTestId('channel-open'))

    expect(await screen.findByTestId('webchat-snippet')).toHaveValue(siteDetail.snippet)
    expect(screen.getByTestId('webchat-preview-head')).toHaveTextContent('Fale conosco')
    expect(screen.getByTestId('webchat-preview-head')).toHaveStyle({ background: '#2a5bd7' })

    await user.clear(screen.getByTestId('webchat-title'))
    await user.type(screen.getByTestId('webchat-title'), 'Ajuda')
    expect(screen.getByTestId('webchat-preview-head')).toHaveTextContent('Ajuda')
    await user.type(screen.getByTestId('webchat-origins'), 'https://loja.com.br')
    await user.selectOptions(screen.getByTestId('webchat-prechat-phone'), 'hidden')
    await user.click(screen.getByTestId('webchat-hours-enabled'))
    expect(screen.getByTestId('webchat-timezone')).toHaveValue('America/Sao_Paulo')
    await user.click(screen.getByTestId('webchat-day-open-fri'))
    await user.click(screen.getByTestId('webchat-day-open-sat'))
    await user.click(screen.getByTestId('channel-save'))

    await screen.findByTestId('channel-saved')
    const patch = calls.find((c) => c.method === 'PATCH')!
    expect(patch.body).toEqual({
      name: 'Site',
      settings: {
        title: 'Ajuda',
        color: '#2a5bd7',
        welcome_message: 'Olá! Como podemos ajudar?',
        offline_message: 'Fora do horário.',
        allowed_origins: ['https://loja.com.br'],
        prechat: { name: 'required', email: 'optional', phone: 'hidden' },
        business_hours: {
          timezone: 'America/Sao_Paulo',
          days: { mon: ['09:00', '18:00'], tue: ['09:00', '18:00'], wed: ['09:00', '18:00'], thu: ['09:00', '18:00'], sat: ['09:00', '18:00'] },
        },
      },
    })
  })

  it('keeps the stored API secret and shows a URL problem next to the URL', async () => {
    const user = userEvent.setup()
    const calls = server((c) =>
      c.method === 'PATCH' && c.path === '/api/v1/channels/ch-api'
        ? { status: 422, body: { status: 422, detail: 'settings.outbound_url: must be an http(s) URL', field: 'settings.outbound_url' } }
        : undefined,
    )
    renderAdmin(<ChannelsTab />, me)
    const row = (await screen.findAllByTestId('channel-row')).find((r) => r.getAttribute('data-id') === 'ch-api')!
    await user.click(within(row).getByTestId('channel-open'))
    expect(await screen.findByTestId('api-outbound-secret')).toHaveValue('********')
    expect(screen.getByTestId('api-inbound-example')).toHaveTextContent('Authorization: Bearer <token>')
    await user.clear(screen.getByTestId('api-outbound-url'))
    await user.type(screen.getByTestId('api-outbound-url'), 'ftp://erp')
    await user.click(screen.getByTestId('channel-save'))

    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'settings.outbound_url')
    expect(err).toHaveTextContent('must be an http(s) URL')
    expect(err.closest('label')).toContainElement(screen.getByTestId('api-outbound-url'))
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ name: 'ERP', settings: { outbound_url: 'ftp://erp', outbound_secret: '********' } })
  })

  it('rotates the API token after confirming and shows the new one', async () => {
    const user = userEvent.setup()
    const calls = server((c) =>
      c.method === 'POST' && c.path === '/api/v1/channels/ch-api/rotate-token' ? { status: 200, body: { ...erpDetail, inbound_token: TOKEN } } : undefined,
    )
    renderAdmin(<ChannelsTab />, me)
    const row = (await screen.findAllByTestId('channel-row')).find((r) => r.getAttribute('data-id') === 'ch-api')!
    await user.click(within(row).getByTestId('channel-open'))
    await user.click(await screen.findByTestId('channel-rotate-token'))
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('para de funcionar')
    expect(calls.some((c) => c.path.endsWith('/rotate-token'))).toBe(false)
    await user.click(screen.getByTestId('confirm-ok'))
    expect(await screen.findByTestId('channel-token-secret')).toHaveValue(TOKEN)
  })

  it('switches a channel off', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<ChannelsTab />, me)
    const row = (await screen.findAllByTestId('channel-row')).find((r) => r.getAttribute('data-id') === 'ch-web')!
    await user.click(within(row).getByTestId('channel-active'))
    await waitFor(() => expect(row).toHaveAttribute('data-active', 'false'))
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ active: false })
  })

  it('shows each channel status in the list, the reason as its tooltip', async () => {
    const items: ChannelListItem[] = [
      site,
      { id: 'ch-tg', kind: 'telegram', name: 'Telegram da loja', active: true, status: 'needs_reauth', status_reason: 'Unauthorized: the bot token was revoked' },
      { id: 'ch-new', kind: 'telegram', name: 'Telegram novo', active: true, status: 'pending', status_reason: '' },
    ]
    server(() => undefined, items)
    renderAdmin(<ChannelsTab />, me)
    const rows = await screen.findAllByTestId('channel-row')
    const badge = (id: string) => within(rows.find((r) => r.getAttribute('data-id') === id)!).getByTestId('channel-status-badge')
    expect(badge('ch-web')).toHaveTextContent('Conectado')
    expect(badge('ch-web')).toHaveAttribute('data-tone', 'ok')
    expect(badge('ch-tg')).toHaveTextContent('Reconectar')
    expect(badge('ch-tg')).toHaveAttribute('data-tone', 'bad')
    expect(badge('ch-tg')).toHaveAttribute('title', 'Unauthorized: the bot token was revoked')
    expect(badge('ch-new')).toHaveTextContent('Pendente')
    expect(badge('ch-new')).toHaveAttribute('data-tone', 'off')
    expect(badge('ch-new')).not.toHaveAttribute('title')
  })

  it('offers the kinds the server can create and marks the others', async () => {
    const user = userEvent.setup()
    server()
    renderAdmin(<ChannelsTab />, me)
    await user.click(await screen.findByTestId('channel-create-open'))
    const select = screen.getByTestId('channel-kind')
    const options = within(select).getAllByRole('option') as HTMLOptionElement[]
    expect(options.map((o) => [o.value, o.disabled])).toEqual([
      ['webchat', false],
      ['api', false],
      ['telegram', false],
      ['instagram', true],
      ['whatsapp_official', true],
    ])
    expect(options.find((o) => o.value === 'whatsapp_official')).toHaveTextContent('WhatsApp Oficial (em breve)')
    expect(options.find((o) => o.value === 'instagram')).toHaveTextContent('Instagram (fora do seu plano)')
    expect(screen.getByTestId('channel-kind-soon-note')).toHaveTextContent('em breve')
    // bespoke kinds ask for nothing but a name
    expect(select).toHaveValue('webchat')
    expect(screen.queryByTestId('channel-field-bot_token')).not.toBeInTheDocument()
  })

  it('creates a Telegram channel in one step: name and bot token', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.method === 'POST' && c.path === '/api/v1/channels') {
        return {
          status: 201,
          body: {
            id: 'ch-tg',
            kind: 'telegram',
            name: 'Telegram da loja',
            active: true,
            status: 'pending',
            status_reason: '',
            settings: { bot_token: '********' },
            activation: { state: 'done', steps: [{ name: 'verify_token', state: 'done' }] },
          },
        }
      }
      if (c.method === 'GET' && c.path === '/api/v1/channels/ch-tg') {
        return {
          status: 200,
          body: { id: 'ch-tg', kind: 'telegram', name: 'Telegram da loja', active: true, status: 'connected', settings: { bot_token: '********', bot_username: 'loja_bot', mode: 'webhook' }, webhook_url: 'https://chat.loja.com.br/hooks/telegram/ch-tg' },
        }
      }
      return undefined
    }, [])
    renderAdmin(<ChannelsTab />, me)
    await user.click(await screen.findByTestId('channel-create-open'))
    await user.selectOptions(screen.getByTestId('channel-kind'), 'telegram')
    const dialog = screen.getByTestId('channel-create-dialog')
    const token = within(dialog).getByTestId('channel-field-bot_token')
    expect(token).toHaveAttribute('type', 'password')
    expect(token.closest('label')).toHaveTextContent('Token do bot')
    expect(token.closest('label')).toHaveTextContent('Crie um bot com o @BotFather')
    await user.type(screen.getByTestId('channel-name'), 'Telegram da loja')

    // the token is required: nothing goes out without it
    await user.click(screen.getByTestId('channel-create-submit'))
    expect(within(dialog).getByTestId('field-error')).toHaveAttribute('data-field', 'settings.bot_token')
    expect(within(dialog).getByTestId('field-error')).toHaveTextContent('Preencha este campo.')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await user.type(token, ' 123456:ABC-def ')
    await user.click(screen.getByTestId('channel-create-submit'))
    await waitFor(() => expect(screen.queryByTestId('channel-create-dialog')).not.toBeInTheDocument())
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ kind: 'telegram', name: 'Telegram da loja', settings: { bot_token: '123456:ABC-def' } })
    // opened in the editor, connected
    const editor = await screen.findByTestId('channel-editor')
    expect(editor).toHaveAttribute('data-kind', 'telegram')
    expect(await within(editor).findByTestId('channel-connected-as')).toHaveTextContent('Conectado como @loja_bot')
    expect(within(editor).getByTestId('channel-mode')).toHaveTextContent('Modo webhook')
    expect(within(editor).getByTestId('channel-webhook-url')).toHaveValue('https://chat.loja.com.br/hooks/telegram/ch-tg')
    expect(within(editor).getByTestId('channel-editor-status')).toHaveTextContent('Conectado')
    expect(screen.queryByTestId('channel-token-dialog')).not.toBeInTheDocument()
  })

  it('shows a refused bot token (422) under its field', async () => {
    const user = userEvent.setup()
    server((c) =>
      c.method === 'POST'
        ? { status: 422, body: { status: 422, detail: 'settings.bot_token: Telegram did not accept this token', field: 'settings.bot_token' } }
        : undefined,
    )
    renderAdmin(<ChannelsTab />, me)
    await user.click(await screen.findByTestId('channel-create-open'))
    await user.selectOptions(screen.getByTestId('channel-kind'), 'telegram')
    await user.type(screen.getByTestId('channel-name'), 'TG')
    await user.type(screen.getByTestId('channel-field-bot_token'), 'nope')
    await user.click(screen.getByTestId('channel-create-submit'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'settings.bot_token')
    expect(err).toHaveTextContent('Telegram did not accept this token')
    expect(err.closest('label')).toContainElement(screen.getByTestId('channel-field-bot_token'))
    expect(screen.getByTestId('channel-create-dialog')).toBeInTheDocument()
  })

  it('edits a Telegram channel: the stored token is not sent back unless a new one is typed', async () => {
    const user = userEvent.setup()
    const tg: ChannelDetail = {
      id: 'ch-tg',
      kind: 'telegram',
      name: 'Telegram da loja',
      active: true,
      status: 'connected',
      settings: { bot_token: '********', bot_username: '@loja_bot', mode: 'polling' },
      webhook_url: 'http://localhost:8080/hooks/telegram/ch-tg',
    }
    const calls = server(
      (c) => {
        if (c.method === 'GET' && c.path === '/api/v1/channels/ch-tg') return { status: 200, body: tg }
        if (c.method === 'PATCH' && c.path === '/api/v1/channels/ch-tg') {
          const b = c.body as { name: string }
          return { status: 200, body: { ...tg, name: b.name } }
        }
        return undefined
      },
      [site, tg],
    )
    renderAdmin(<ChannelsTab />, me)
    const row = (await screen.findAllByTestId('channel-row')).find((r) => r.getAttribute('data-id') === 'ch-tg')!
    await user.click(within(row).getByTestId('channel-open'))
    const token = await screen.findByTestId('channel-field-bot_token')
    expect(token).toHaveValue('********')
    expect(token.closest('label')).toHaveTextContent('Há um valor salvo')
    expect(screen.getByTestId('channel-connected-as')).toHaveTextContent('Conectado como @loja_bot')
    expect(screen.getByTestId('channel-mode')).toHaveTextContent('long polling')
    expect(screen.getByTestId('channel-mode')).toHaveTextContent('notebook')
    // polling: there is no webhook to show
    expect(screen.queryByTestId('channel-webhook-url')).not.toBeInTheDocument()

    await user.clear(screen.getByTestId('channel-edit-name'))
    await user.type(screen.getByTestId('channel-edit-name'), 'Telegram')
    await user.click(screen.getByTestId('channel-save'))
    await screen.findByTestId('channel-saved')
    expect(calls.filter((c) => c.method === 'PATCH')[0].body).toEqual({ name: 'Telegram', settings: {} })

    await user.clear(screen.getByTestId('channel-field-bot_token'))
    await user.type(screen.getByTestId('channel-field-bot_token'), '999:new-token')
    await user.click(screen.getByTestId('channel-save'))
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(2))
    expect(calls.filter((c) => c.method === 'PATCH')[1].body).toEqual({ name: 'Telegram', settings: { bot_token: '999:new-token' } })
    // the answer masks it again
    await waitFor(() => expect(screen.getByTestId('channel-field-bot_token')).toHaveValue('********'))
  })

  it('renders any kind from its schema, with the English labels when there is no translation', async () => {
    const user = userEvent.setup()
    const sms: ChannelKindInfo = {
      kind: 'sms',
      label: 'SMS',
      available: true,
      in_plan: true,
      activation: false,
      oauth: false,
      capabilities: caps,
      settings: [
        { name: 'account_sid', label: 'Account SID', type: 'text', required: true },
        { name: 'auth_token', label: 'Auth token', type: 'secret', required: true, help: 'From the provider console.' },
        { name: 'status_callback', label: 'Status callback', type: 'url', required: false },
        { name: 'region', label: 'Region', type: 'select', required: true, options: ['us1', 'ie1'] },
        { name: 'max_segments', label: 'Max segments', type: 'number', required: false },
        { name: 'sandbox', label: 'Sandbox', type: 'bool', required: false },
      ],
    }
    const smsDetail: ChannelDetail = {
      id: 'ch-sms',
      kind: 'sms',
      name: 'SMS',
      active: true,
      status: 'connected',
      settings: { account_sid: 'AC123', auth_token: '********', region: 'ie1', max_segments: 3, sandbox: true },
    }
    const calls = server(
      (c) => {
        if (c.method === 'GET' && c.path === '/api/v1/channels/ch-sms') return { status: 200, body: smsDetail }
        if (c.method === 'PATCH' && c.path === '/api/v1/channels/ch-sms') return { status: 200, body: smsDetail }
        return undefined
      },
      [smsDetail],
      [...KINDS, sms],
    )
    renderAdmin(<ChannelsTab />, me)
    await user.click(within(await screen.findByTestId('channel-row')).getByTestId('channel-open'))
    expect(await screen.findByTestId('channel-field-account_sid')).toHaveValue('AC123')
    expect(screen.getByTestId('channel-field-account_sid').closest('label')).toHaveTextContent('Account SID')
    expect(screen.getByTestId('channel-field-auth_token')).toHaveValue('********')
    expect(screen.getByTestId('channel-field-status_callback')).toHaveAttribute('type', 'url')
    expect(screen.getByTestId('channel-field-region')).toHaveValue('ie1')
    expect(screen.getByTestId('channel-field-max_segments')).toHaveValue(3)
    expect(screen.getByTestId('channel-field-sandbox')).toBeChecked()

    await user.click(screen.getByTestId('channel-field-sandbox'))
    await user.selectOptions(screen.getByTestId('channel-field-region'), 'us1')
    await user.type(screen.getByTestId('channel-field-status_callback'), 'https://x.example.com/cb')
    await user.click(screen.getByTestId('channel-save'))
    await screen.findByTestId('channel-saved')
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      name: 'SMS',
      settings: { account_sid: 'AC123', status_callback: 'https://x.example.com/cb', region: 'us1', max_segments: 3, sandbox: false },
    })
  })

  it('follows a running activation every 2 s until it is done', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime })
    const base = { id: 'ch-tg', kind: 'telegram', name: 'Telegram da loja', active: true, settings: { bot_token: '********' } }
    let now: ChannelDetail = {
      ...base,
      status: 'pending',
      activation: {
        state: 'running',
        steps: [
          { name: 'verify_token', state: 'done', detail: '@loja_bot' },
          { name: 'register_webhook', state: 'running' },
          { name: 'start_polling', state: 'pending' },
        ],
      },
    }
    const calls = server((c) => (c.method === 'GET' && c.path === '/api/v1/channels/ch-tg' ? { status: 200, body: now } : undefined), [now])
    const gets = () => calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/channels/ch-tg').length
    renderAdmin(<ChannelsTab />, me)
    await user.click(within(await screen.findByTestId('channel-row')).getByTestId('channel-open'))

    const activation = await screen.findByTestId('channel-activation')
    expect(activation).toHaveAttribute('data-state', 'running')
    const step = (name: string) => within(screen.getByTestId('channel-activation')).getAllByTestId('activation-step').find((s) => s.getAttribute('data-step') === name)!
    expect(within(activation).getAllByTestId('activation-step').map((s) => s.getAttribute('data-step'))).toEqual(['verify_token', 'register_webhook', 'start_polling'])
    expect(step('verify_token')).toHaveAttribute('data-state', 'done')
    expect(step('verify_token')).toHaveTextContent('Verificar o token')
    expect(step('verify_token')).toHaveTextContent('@loja_bot')
    expect(step('register_webhook')).toHaveAttribute('data-state', 'running')
    expect(step('register_webhook')).toHaveTextContent('Em andamento')

    // still running: asked again
    const before = gets()
    await act(() => vi.advanceTimersByTimeAsync(2000))
    await waitFor(() => expect(gets()).toBeGreaterThan(before))

    now = {
      ...base,
      status: 'connected',
      activation: {
        state: 'done',
        steps: [
          { name: 'verify_token', state: 'done', detail: '@loja_bot' },
          { name: 'register_webhook', state: 'skipped', detail: 'no public URL' },
          { name: 'start_polling', state: 'done' },
        ],
      },
    }
    await act(() => vi.advanceTimersByTimeAsync(2000))
    await waitFor(() => expect(screen.getByTestId('channel-activation')).toHaveAttribute('data-state', 'done'))
    expect(step('register_webhook')).toHaveAttribute('data-state', 'skipped')
    expect(step('register_webhook')).toHaveTextContent('no public URL')
    expect(step('start_polling')).toHaveAttribute('data-state', 'done')
    expect(screen.getByTestId('channel-editor-status-badge')).toHaveTextContent('Conectado')
    expect(screen.getByTestId('channel-status-badge')).toHaveTextContent('Conectado')

    // done: no more asking
    const after = gets()
    await act(() => vi.advanceTimersByTimeAsync(10_000))
    expect(gets()).toBe(after)
  })

  it('shows a failed activation with its error, and tries again', async () => {
    const user = userEvent.setup()
    const failed: ChannelDetail = {
      id: 'ch-tg',
      kind: 'telegram',
      name: 'Telegram da loja',
      active: true,
      status: 'disconnected',
      status_reason: 'Unauthorized',
      settings: { bot_token: '********' },
      activation: {
        state: 'failed',
        error: 'Telegram: Unauthorized (the token is wrong or was revoked)',
        steps: [
          { name: 'verify_token', state: 'failed', detail: '401 Unauthorized' },
          { name: 'register_webhook', state: 'pending' },
        ],
      },
    }
    const calls = server(
      (c) => {
        if (c.method === 'GET' && c.path === '/api/v1/channels/ch-tg') return { status: 200, body: failed }
        if (c.method === 'PATCH' && c.path === '/api/v1/channels/ch-tg') {
          return {
            status: 200,
            body: { ...failed, status: 'pending', status_reason: '', activation: { state: 'running', steps: [{ name: 'verify_token', state: 'running' }, { name: 'register_webhook', state: 'pending' }] } },
          }
        }
        return undefined
      },
      [failed],
    )
    renderAdmin(<ChannelsTab />, me)
    await user.click(within(await screen.findByTestId('channel-row')).getByTestId('channel-open'))
    expect(await screen.findByTestId('activation-error')).toHaveTextContent('Telegram: Unauthorized (the token is wrong or was revoked)')
    expect(screen.getByTestId('channel-activation')).toHaveTextContent('401 Unauthorized')
    expect(screen.getByTestId('channel-editor-status')).toHaveTextContent('Desconectado')
    expect(screen.getByTestId('channel-status-reason')).toHaveTextContent('Unauthorized')

    await user.click(screen.getByTestId('activation-retry'))
    await waitFor(() => expect(screen.getByTestId('channel-activation')).toHaveAttribute('data-state', 'running'))
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ active: true })
    expect(screen.queryByTestId('activation-error')).not.toBeInTheDocument()
    expect(screen.getByTestId('channel-status-badge')).toHaveTextContent('Pendente')
  })

  it('shows the activation a switch-on starts in the open editor', async () => {
    const user = userEvent.setup()
    const off: ChannelDetail = { id: 'ch-tg', kind: 'telegram', name: 'Telegram da loja', active: false, status: 'inactive', settings: { bot_token: '********' } }
    const calls = server(
      (c) => {
        if (c.method === 'GET' && c.path === '/api/v1/channels/ch-tg') return { status: 200, body: off }
        if (c.method === 'PATCH' && c.path === '/api/v1/channels/ch-tg') {
          return { status: 200, body: { ...off, active: true, status: 'pending', activation: { state: 'running', steps: [{ name: 'verify_token', state: 'running' }] } } }
        }
        return undefined
      },
      [off],
    )
    renderAdmin(<ChannelsTab />, me)
    const row = await screen.findByTestId('channel-row')
    await user.click(within(row).getByTestId('channel-open'))
    await screen.findByTestId('channel-field-bot_token')
    expect(screen.queryByTestId('channel-activation')).not.toBeInTheDocument()
    await user.click(within(row).getByTestId('channel-active'))
    expect(await screen.findByTestId('channel-activation')).toHaveAttribute('data-state', 'running')
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ active: true })
  })

  it('updates the status badge and the activation checklist at once from channel.updated', async () => {
    const user = userEvent.setup()
    const stream = fakeStream()
    const wa: ChannelDetail = {
      id: 'ch-wa',
      kind: 'whatsapp_official',
      name: 'WhatsApp da loja',
      active: true,
      status: 'pending',
      status_at: '2025-05-01T12:00:00Z',
      settings: { phone_number_id: '1234567890', waba_id: '9876543210', access_token: '********', app_secret: '********', verify_token: 'cs_abc' },
      activation: {
        state: 'running',
        steps: [
          { name: 'verify_number', state: 'running' },
          { name: 'subscribe_waba', state: 'pending' },
        ],
      },
    }
    const kinds = KINDS.map((k) =>
      k.kind === 'whatsapp_official'
        ? {
            ...k,
            available: true,
            settings: [
              { name: 'phone_number_id', label: 'Phone number ID', type: 'text' as const, required: true },
              { name: 'app_secret', label: 'App secret', type: 'secret' as const, required: true },
            ],
          }
        : k,
    )
    // the server keeps answering the first state: only the events can show the later ones
    server((c) => (c.method === 'GET' && c.path === '/api/v1/channels/ch-wa' ? { status: 200, body: wa } : undefined), [site, wa], kinds)
    renderAdmin(<ChannelsTab />, me, undefined, stream)
    const row = (id: string) => screen.getAllByTestId('channel-row').find((r) => r.getAttribute('data-id') === id)!
    await screen.findAllByTestId('channel-row')
    await user.click(within(row('ch-wa')).getByTestId('channel-open'))
    const step = (name: string) => within(screen.getByTestId('channel-activation')).getAllByTestId('activation-step').find((s) => s.getAttribute('data-step') === name)!
    expect(await screen.findByTestId('channel-activation')).toHaveAttribute('data-state', 'running')
    expect(step('verify_number')).toHaveTextContent('Verificar o número e o token')
    expect(screen.getByTestId('channel-field-phone_number_id').closest('label')).toHaveTextContent('ID do número de telefone')
    expect(screen.getByTestId('channel-field-app_secret').closest('label')).toHaveTextContent('Chave secreta do app')

    // From here on nothing is awaited: what the screen shows comes from the events, not from a poll.
    act(() =>
      stream.emit({
        type: 'channel.updated',
        data: {
          id: 'ch-wa',
          activation: {
            state: 'running',
            steps: [
              { name: 'verify_number', state: 'done', detail: '+55 11 4000-0000 Loja Exemplo' },
              { name: 'subscribe_waba', state: 'running' },
            ],
          },
        },
      }),
    )
    expect(step('verify_number')).toHaveAttribute('data-state', 'done')
    expect(step('verify_number')).toHaveTextContent('+55 11 4000-0000 Loja Exemplo')
    expect(step('subscribe_waba')).toHaveAttribute('data-state', 'running')

    act(() =>
      stream.emit({
        type: 'channel.updated',
        data: { id: 'ch-wa', activation: { state: 'done', steps: [{ name: 'verify_number', state: 'done' }, { name: 'subscribe_waba', state: 'done' }] } },
      }),
    )
    act(() => stream.emit({ type: 'channel.updated', data: { id: 'ch-wa', kind: 'whatsapp_official', name: 'WhatsApp da loja', active: true, status: 'connected', status_reason: '' } }))
    expect(screen.getByTestId('channel-activation')).toHaveAttribute('data-state', 'done')
    expect(step('subscribe_waba')).toHaveAttribute('data-state', 'done')
    expect(within(row('ch-wa')).getByTestId('channel-status-badge')).toHaveTextContent('Conectado')
    expect(screen.getByTestId('channel-editor-status-badge')).toHaveTextContent('Conectado')

    // later the token is revoked: the badge turns red with Meta's reason, on the list and in the editor
    act(() => stream.emit({ type: 'channel.updated', data: { id: 'ch-wa', status: 'needs_reauth', status_reason: 'Error validating access token' } }))
    expect(within(row('ch-wa')).getByTestId('channel-status-badge')).toHaveAttribute('data-tone', 'bad')
    expect(within(row('ch-wa')).getByTestId('channel-status-badge')).toHaveAttribute('title', 'Error validating access token')
    expect(screen.getByTestId('channel-editor-status-badge')).toHaveTextContent('Reconectar')
    expect(screen.getByTestId('channel-status-reason')).toHaveTextContent('Error validating access token')
    // another channel is left as it was
    expect(within(row('ch-web')).getByTestId('channel-status-badge')).toHaveTextContent('Conectado')
  })

  it("updates a channel's badge in the list while another channel is open", async () => {
    const user = userEvent.setup()
    const stream = fakeStream()
    server()
    renderAdmin(<ChannelsTab />, me, undefined, stream)
    const row = (id: string) => screen.getAllByTestId('channel-row').find((r) => r.getAttribute('data-id') === id)!
    await screen.findAllByTestId('channel-row')
    await user.click(within(row('ch-web')).getByTestId('channel-open'))
    await screen.findByTestId('channel-editor')
    act(() => stream.emit({ type: 'channel.updated', data: { id: 'ch-api', status: 'disconnected', status_reason: 'outbound URL unreachable' } }))
    expect(row('ch-api')).toHaveAttribute('data-status', 'disconnected')
    expect(within(row('ch-api')).getByTestId('channel-status-badge')).toHaveTextContent('Desconectado')
    expect(screen.getByTestId('channel-editor-status-badge')).toHaveTextContent('Conectado')
  })

  it('asks for the channels again when the stream comes back (events may have been missed)', async () => {
    const stream = fakeStream()
    let items: ChannelListItem[] = [site, erp]
    const calls = server((c) => (c.method === 'GET' && c.path === '/api/v1/channels' ? { status: 200, body: { items } } : undefined))
    renderAdmin(<ChannelsTab />, me, undefined, stream)
    const row = (id: string) => screen.getAllByTestId('channel-row').find((r) => r.getAttribute('data-id') === id)!
    await screen.findAllByTestId('channel-row')
    items = [site, { ...erp, status: 'disconnected', status_reason: 'outbound URL unreachable' }]
    act(() => stream.reconnect())
    await waitFor(() => expect(row('ch-api')).toHaveAttribute('data-status', 'disconnected'))
    expect(calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/channels')).toHaveLength(2)
  })
})

describe('ChannelsTab: WhatsApp (QR code)', () => {
  const WA_KIND: ChannelKindInfo = {
    kind: 'whatsapp',
    label: 'WhatsApp (QR code)',
    available: true,
    in_plan: true,
    activation: true,
    oauth: false,
    capabilities: { ...caps, media: ['image', 'document', 'voice'], receipts: true, edits: true, reactions: true },
    settings: [
      { name: 'pair_with', label: 'Pair with', type: 'select', required: false, options: ['qr', 'phone'], help: 'Scan a QR code with the phone (WhatsApp > Linked devices), or type a code on it.' },
      { name: 'phone', label: 'Phone number (for pairing by code)', type: 'text', required: false, help: 'With country and area code, e.g. +55 11 98765-4321.' },
      { name: 'sends_per_minute', label: 'Sends per minute', type: 'number', required: false },
      { name: 'groups', label: 'Take group messages', type: 'bool', required: false },
    ],
  }
  const WA_KINDS = [...KINDS, WA_KIND]
  const QR_1 = '2@Y3m8Lq0xVbN2rT7kP4sW9dF1hJ6gZ5cX0aE3uI8oR2yQ7nM4vB1tK6wS9pL5jH0fD3gC8zA2xE7,pW8dR2sT5vY1bN4mQ7kJ0hG3fC6xZ9aE2uI5oL8yP1=,tK4wS7pL0jH3fD6gC9zA2xE5vB8nM1qR4yU7iO0aS3='
  const QR_2 = '2@Hn5Jm2Kq8Lw1Ze4Xr7Ct0Vy3Bu6Ni9Mo2Pa5Sd8Fg1Hj4Kl7Zx0Cv3Bn6Mq9Wr2Ty5Ui8Op1As,pW8dR2sT5vY1bN4mQ7kJ0hG3fC6xZ9aE2uI5oL8yP1=,tK4wS7pL0jH3fD6gC9zA2xE5vB8nM1qR4yU7iO0aS3='
  const base = {
    id: 'ch-wq',
    kind: 'whatsapp',
    name: 'WhatsApp Vendas',
    active: true,
    settings: { pair_with: 'qr', sends_per_minute: 20, groups: false },
  }
  const pairing = (prompt: NonNullable<ChannelDetail['activation']>['steps'][number]['prompt'], detail = 'Scan the QR code with WhatsApp on the phone'): ChannelDetail => ({
    ...base,
    status: 'pending',
    status_reason: 'activating',
    activation: { state: 'running', steps: [{ name: 'pair', state: 'running', detail, prompt }] },
  })
  const qrImage = () => within(screen.getByTestId('channel-activation')).getByRole('img', { name: 'QR Code para escanear com o celular' })
  const waServer = (answer: () => ChannelDetail, extra: (c: Call) => Reply = () => undefined) =>
    server(
      (c) => extra(c) ?? (c.method === 'GET' && c.path === '/api/v1/channels/ch-wq' ? { status: 200, body: answer() } : undefined),
      [answer()],
      WA_KINDS,
    )

  it('offers the kind by its own name, with its fields in Portuguese', async () => {
    const user = userEvent.setup()
    const paired: ChannelDetail = { ...base, status: 'connected', settings: { ...base.settings, jid: '5511987654321:12@s.whatsapp.net', number: '+5511987654321' } }
    const calls = waServer(
      () => paired,
      (c) => (c.method === 'PATCH' ? { status: 200, body: { ...paired, status: 'pending', settings: { ...paired.settings, ...(c.body as { settings: object }).settings } } } : undefined),
    )
    renderAdmin(<ChannelsTab />, me)
    await user.click(await screen.findByTestId('channel-create-open'))
    const option = within(screen.getByTestId('channel-kind')).getByRole('option', { name: 'WhatsApp (QR Code)' })
    await user.selectOptions(screen.getByTestId('channel-kind'), option)
    expect(screen.getByTestId('channel-create-form')).toHaveTextContent('conectado como no WhatsApp Web')
    await user.click(screen.getByRole('button', { name: 'Cancelar' }))

    const row = await screen.findByTestId('channel-row')
    expect(row).toHaveTextContent('WhatsApp (QR Code)')
    await user.click(within(row).getByTestId('channel-open'))
    const pairWith = await screen.findByTestId('channel-field-pair_with')
    expect(pairWith.closest('label')).toHaveTextContent('Parear por')
    expect(within(pairWith).getAllByRole('option').map((o) => [o.getAttribute('value'), o.textContent])).toEqual([
      ['', '—'],
      ['qr', 'QR Code'],
      ['phone', 'Código digitado no celular'],
    ])
    expect(screen.getByTestId('channel-field-sends_per_minute').closest('label')).toHaveTextContent('De 1 a 60 (padrão: 20)')
    expect(screen.getByTestId('channel-field-sends_per_minute')).toHaveValue(20)
    expect(screen.getByTestId('channel-field-groups').closest('.field')).toHaveTextContent('Receber mensagens de grupos')

    await user.selectOptions(pairWith, 'phone')
    await user.type(screen.getByTestId('channel-field-phone'), '+55 11 98765-4321')
    await user.click(screen.getByTestId('channel-field-groups'))
    await user.click(screen.getByTestId('channel-save'))
    // what the server learnt at pairing (jid, number) is never sent back
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
        name: 'WhatsApp Vendas',
        settings: { pair_with: 'phone', phone: '+55 11 98765-4321', sends_per_minute: 20, groups: true },
      }),
    )
  })

  it('shows the QR code to scan, a new image each time WhatsApp rotates it, then the connected number', async () => {
    const user = userEvent.setup()
    const stream = fakeStream()
    // the server keeps answering the first code: only the events bring the next ones
    waServer(() => pairing({ type: 'qr', value: QR_1, expires: '2025-05-01T12:00:20Z' }))
    renderAdmin(<ChannelsTab />, me, undefined, stream)
    await user.click(within(await screen.findByTestId('channel-row')).getByTestId('channel-open'))

    await waitFor(() => expect(readQr(qrImage())).toBe(QR_1))
    const step = within(screen.getByTestId('channel-activation')).getByTestId('activation-step')
    expect(step).toHaveAttribute('data-step', 'pair')
    expect(step).toHaveTextContent('Parear o celular')
    expect(step).toHaveTextContent('Dispositivos conectados')
    expect(step).toHaveTextContent('Conectar dispositivo')
    expect(step).toHaveTextContent('Aponte a câmera do celular para este código.')
    // our instructions replace the server's English line
    expect(step).not.toHaveTextContent('Scan the QR code with WhatsApp on the phone')

    act(() => stream.emit({ type: 'channel.updated', data: { id: 'ch-wq', activation: pairing({ type: 'qr', value: QR_2, expires: '2025-05-01T12:00:40Z' }).activation } }))
    expect(readQr(qrImage())).toBe(QR_2)

    act(() =>
      stream.emit({
        type: 'channel.updated',
        data: { id: 'ch-wq', activation: { state: 'done', steps: [{ name: 'pair', state: 'done', detail: 'paired as 5511987654321:12@s.whatsapp.net' }] } },
      }),
    )
    act(() => stream.emit({ type: 'channel.updated', data: { id: 'ch-wq', status: 'connected', status_reason: '' } }))
    expect(screen.queryByTestId('pairing-prompt')).not.toBeInTheDocument()
    expect(screen.getByTestId('activation-step-detail')).toHaveTextContent(/^Conectado como \+55 11 98765-4321$/)
    expect(screen.getByTestId('channel-editor-status-badge')).toHaveTextContent('Conectado')
  })

  it('shows the pairing code to type on the phone, as the poll brings it', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime })
    let now: ChannelDetail = { ...pairing(undefined, 'asking WhatsApp for a pairing code'), settings: { ...base.settings, pair_with: 'phone', phone: '+5511987654321' } }
    waServer(() => now)
    renderAdmin(<ChannelsTab />, me)
    await user.click(within(await screen.findByTestId('channel-row')).getByTestId('channel-open'))
    // no prompt yet: the server's line is all there is
    expect(await screen.findByTestId('activation-step-detail')).toHaveTextContent('asking WhatsApp for a pairing code')
    expect(screen.queryByTestId('pairing-prompt')).not.toBeInTheDocument()

    now = { ...pairing({ type: 'code', value: 'ABCD-EFGH' }, 'Type the code on the phone'), settings: now.settings }
    await act(() => vi.advanceTimersByTimeAsync(2000))
    expect(await screen.findByTestId('pairing-code')).toHaveTextContent(/^ABCD-EFGH$/)
    expect(screen.getByTestId('pairing-instructions')).toHaveTextContent('Conectar com número de telefone')
    expect(screen.queryByRole('img')).not.toBeInTheDocument()
    expect(screen.queryByTestId('activation-step-detail')).not.toBeInTheDocument()

    now = { ...base, status: 'connected', settings: { ...now.settings, number: '+5511987654321' }, activation: { state: 'done', steps: [{ name: 'pair', state: 'done', detail: '+5511987654321' }] } }
    await act(() => vi.advanceTimersByTimeAsync(2000))
    await waitFor(() => expect(screen.getByTestId('activation-step-detail')).toHaveTextContent('Conectado como +55 11 98765-4321'))
    expect(screen.queryByTestId('pairing-code')).not.toBeInTheDocument()
  })

  it('shows why pairing failed and pairs again, following the new run even before it reports', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime })
    const failed: ChannelDetail = {
      ...base,
      status: 'disconnected',
      status_reason: 'not paired',
      activation: { state: 'failed', error: 'nobody scanned the QR code in time', steps: [{ name: 'pair', state: 'failed', detail: 'QR code expired' }] },
    }
    let now = failed
    const calls = waServer(
      () => now,
      (c) => {
        if (c.method !== 'PATCH') return undefined
        // the answer comes before the new run has written anything: the former outcome, status pending
        now = { ...failed, status: 'pending', status_reason: 'activating' }
        return { status: 200, body: now }
      },
    )
    renderAdmin(<ChannelsTab />, me)
    await user.click(within(await screen.findByTestId('channel-row')).getByTestId('channel-open'))
    expect(await screen.findByTestId('activation-error')).toHaveTextContent('nobody scanned the QR code in time')
    // the editor's status line leaves the button to the failure box
    expect(screen.queryByTestId('channel-pair-again')).not.toBeInTheDocument()
    const again = screen.getByTestId('activation-retry')
    expect(again).toHaveTextContent('Parear novamente')

    await user.click(again)
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ active: true }])
    await waitFor(() => expect(screen.getByTestId('channel-status-badge')).toHaveTextContent('Pendente'))

    now = pairing({ type: 'qr', value: QR_1 })
    await act(() => vi.advanceTimersByTimeAsync(2000))
    await waitFor(() => expect(readQr(qrImage())).toBe(QR_1))
    expect(screen.queryByTestId('activation-error')).not.toBeInTheDocument()
  })

  it('shows a logged-out phone (needs_reauth) with its reason and pairs again', async () => {
    const user = userEvent.setup()
    const out: ChannelDetail = {
      ...base,
      status: 'needs_reauth',
      status_reason: 'the phone logged this device out',
      settings: { ...base.settings, number: '+5511987654321' },
      activation: { state: 'done', steps: [{ name: 'pair', state: 'done', detail: '+5511987654321' }] },
    }
    const calls = waServer(
      () => out,
      (c) => (c.method === 'PATCH' ? { status: 200, body: { ...out, status: 'pending', status_reason: 'activating', activation: pairing({ type: 'qr', value: QR_2 }).activation } } : undefined),
    )
    renderAdmin(<ChannelsTab />, me)
    const row = await screen.findByTestId('channel-row')
    expect(within(row).getByTestId('channel-status-badge')).toHaveAttribute('title', 'the phone logged this device out')
    await user.click(within(row).getByTestId('channel-open'))
    const status = await screen.findByTestId('channel-editor-status')
    expect(status).toHaveTextContent('Reconectar')
    expect(screen.getByTestId('channel-status-reason')).toHaveTextContent('the phone logged this device out')
    expect(screen.getByTestId('channel-status-help')).toHaveTextContent('Pareie novamente para continuar atendendo por este número.')

    await user.click(within(status).getByRole('button', { name: 'Parear novamente' }))
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ active: true }])
    await waitFor(() => expect(readQr(qrImage())).toBe(QR_2))
    expect(screen.getByTestId('channel-editor-status')).toHaveTextContent('Pendente')
    expect(screen.queryByTestId('channel-pair-again')).not.toBeInTheDocument()
  })

  it('shows a banned number with its reason, and no pairing again', async () => {
    const user = userEvent.setup()
    const banned: ChannelDetail = {
      ...base,
      status: 'banned',
      status_reason: 'WhatsApp banned this number (temporary ban, 24h)',
      activation: { state: 'done', steps: [{ name: 'pair', state: 'done', detail: '+5511987654321' }] },
    }
    waServer(() => banned)
    renderAdmin(<ChannelsTab />, me)
    await user.click(within(await screen.findByTestId('channel-row')).getByTestId('channel-open'))
    const status = await screen.findByTestId('channel-editor-status')
    expect(within(status).getByTestId('channel-editor-status-badge')).toHaveTextContent('Bloqueado')
    expect(within(status).getByTestId('channel-editor-status-badge')).toHaveAttribute('data-tone', 'bad')
    expect(screen.getByTestId('channel-status-reason')).toHaveTextContent('WhatsApp banned this number (temporary ban, 24h)')
    expect(screen.getByTestId('channel-status-help')).toHaveTextContent('Só o WhatsApp pode desbloqueá-lo')
    expect(screen.queryByTestId('channel-pair-again')).not.toBeInTheDocument()
  })

  it('has the same "Try again" as before for kinds that do not pair', async () => {
    const user = userEvent.setup()
    const tg: ChannelDetail = {
      id: 'ch-tg',
      kind: 'telegram',
      name: 'Telegram',
      active: true,
      status: 'needs_reauth',
      status_reason: 'Unauthorized',
      settings: { bot_token: '********' },
      activation: { state: 'done', steps: [{ name: 'verify_token', state: 'done', detail: '@loja_bot' }] },
    }
    server((c) => (c.method === 'GET' && c.path === '/api/v1/channels/ch-tg' ? { status: 200, body: tg } : undefined), [tg], WA_KINDS)
    renderAdmin(<ChannelsTab />, me)
    await user.click(within(await screen.findByTestId('channel-row')).getByTestId('channel-open'))
    expect(await screen.findByTestId('channel-status-reason')).toHaveTextContent('Unauthorized')
    // a revoked bot token needs a new one, not a new run
    expect(screen.queryByTestId('channel-pair-again')).not.toBeInTheDocument()
    expect(screen.getByTestId('activation-step-detail')).toHaveTextContent(/^@loja_bot$/)
  })
})

describe('ChannelsTab: connecting by OAuth (Instagram, Messenger)', () => {
  const metaFields = (appLabel: string): ChannelKindInfo['settings'] => [
    { name: 'access_token', label: 'Access token', type: 'secret', required: false },
    { name: 'app_id', label: appLabel, type: 'text', required: true },
    { name: 'app_secret', label: 'App secret', type: 'secret', required: true },
    { name: 'verify_token', label: 'Verify token', type: 'text', required: false },
  ]
  const IG_KIND: ChannelKindInfo = {
    kind: 'instagram',
    label: 'Instagram',
    available: true,
    in_plan: true,
    activation: true,
    oauth: true,
    capabilities: { ...caps, comments: true, threads: true },
    settings: metaFields('Instagram app ID'),
  }
  const FB_KIND: ChannelKindInfo = { ...IG_KIND, kind: 'messenger', label: 'Facebook Messenger', capabilities: caps, settings: metaFields('App ID') }
  const OAUTH_KINDS = [...KINDS.filter((k) => k.kind !== 'instagram'), IG_KIND, FB_KIND]
  const CONSENT = 'https://www.instagram.com/oauth/authorize?client_id=1234567890&redirect_uri=http%3A%2F%2Flocalhost%2Foauth%2Fcallback&state=abc.def'

  const ig: ChannelDetail = {
    id: 'ch-ig',
    kind: 'instagram',
    name: 'Instagram da loja',
    active: false,
    status: 'pending',
    status_reason: '',
    settings: { app_id: '1234567890', app_secret: '********', verify_token: 'vt-abc' },
  }
  const fb: ChannelDetail = {
    id: 'ch-fb',
    kind: 'messenger',
    name: 'Página da loja',
    active: true,
    status: 'needs_reauth',
    status_reason: 'Error validating access token: the user changed their password',
    settings: { page_id: '998877', access_token: '********', app_id: '5556667770', app_secret: '********' },
  }
  const tg: ChannelDetail = { id: 'ch-tg', kind: 'telegram', name: 'Telegram', active: true, status: 'connected', settings: { bot_token: '********' } }

  function oauthServer(extra: (c: Call) => Reply = () => undefined) {
    return server(
      (c) => {
        const r = extra(c)
        if (r) return r
        if (c.method === 'GET' && c.path === '/api/v1/channels/ch-ig') return { status: 200, body: ig }
        if (c.method === 'GET' && c.path === '/api/v1/channels/ch-fb') return { status: 200, body: fb }
        if (c.method === 'GET' && c.path === '/api/v1/channels/ch-tg') return { status: 200, body: tg }
        return undefined
      },
      [fb, ig, site, tg],
      OAUTH_KINDS,
    )
  }

  /** window.location with assign() recorded instead of leaving the page. */
  function stubAssign() {
    const assign = vi.fn()
    const { origin, href, pathname, search, hash, host, hostname, protocol, port } = window.location
    vi.stubGlobal('location', { origin, href, pathname, search, hash, host, hostname, protocol, port, assign, replace: vi.fn(), reload: vi.fn() })
    return assign
  }

  async function openChannel(user: ReturnType<typeof userEvent.setup>, id: string) {
    const row = (await screen.findAllByTestId('channel-row')).find((r) => r.getAttribute('data-id') === id)!
    await user.click(within(row).getByTestId('channel-open'))
    const editor = await screen.findByTestId('channel-editor')
    await waitFor(() => expect(editor).toHaveAttribute('data-id', id))
    return editor
  }

  afterEach(() => {
    window.history.replaceState(null, '', '/')
  })

  it('shows the connect button only on saved channels of kinds that connect by OAuth, with the callback URL to register', async () => {
    const user = userEvent.setup()
    oauthServer()
    renderAdmin(<ChannelsTab />, me)

    const editor = await openChannel(user, 'ch-ig')
    const box = within(editor).getByTestId('channel-oauth')
    expect(box).toHaveAttribute('data-reauth', 'false')
    expect(within(box).getByTestId('channel-oauth-connect')).toHaveTextContent(/^Conectar com Instagram$/)
    const uri = within(box).getByTestId('channel-oauth-redirect-uri')
    expect(uri).toHaveValue(`${window.location.origin}/oauth/callback`)
    expect(box).toHaveTextContent('URI de redirecionamento OAuth válida')
    await user.click(within(box).getByTestId('channel-oauth-redirect-uri-copy'))
    expect(await navigator.clipboard.readText()).toBe(`${window.location.origin}/oauth/callback`)
    // the kind's fields in Portuguese
    expect(within(editor).getByTestId('channel-field-app_id').closest('label')).toHaveTextContent('ID do app do Instagram')

    // kinds without oauth have none
    await openChannel(user, 'ch-tg')
    expect(screen.queryByTestId('channel-oauth')).not.toBeInTheDocument()
    await openChannel(user, 'ch-web')
    expect(screen.queryByTestId('channel-oauth')).not.toBeInTheDocument()

    // nor has a channel not created yet
    await user.click(screen.getByTestId('channel-create-open'))
    await user.selectOptions(screen.getByTestId('channel-kind'), 'instagram')
    expect(within(screen.getByTestId('channel-create-dialog')).queryByTestId('channel-oauth-connect')).not.toBeInTheDocument()
  })

  it('asks the server for the consent screen (POST, no body) and sends the browser there', async () => {
    const user = userEvent.setup()
    const calls = oauthServer((c) =>
      c.method === 'POST' && c.path === '/api/v1/channels/ch-ig/oauth'
        ? { status: 200, body: { url: CONSENT, redirect_uri: `${window.location.origin}/oauth/callback` } }
        : undefined,
    )
    const assign = stubAssign()
    renderAdmin(<ChannelsTab />, me)
    const editor = await openChannel(user, 'ch-ig')
    await user.click(within(editor).getByTestId('channel-oauth-connect'))

    await waitFor(() => expect(assign).toHaveBeenCalledWith(CONSENT))
    expect(assign).toHaveBeenCalledTimes(1)
    const post = calls.filter((c) => c.method === 'POST')
    expect(post).toEqual([{ method: 'POST', path: '/api/v1/channels/ch-ig/oauth', body: undefined }])
    // nothing saved on the way
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false)
    // while the browser leaves
    expect(within(editor).getByTestId('channel-oauth-connect')).toBeDisabled()
    expect(within(editor).getByTestId('channel-oauth-connect')).toHaveTextContent('Abrindo o Instagram…')
  })

  it("shows the server's refusal: no secret key (503) by the button, the app's id and secret (422) also under the field", async () => {
    const user = userEvent.setup()
    let round = 0
    oauthServer((c) => {
      if (c.method !== 'POST' || c.path !== '/api/v1/channels/ch-ig/oauth') return undefined
      round++
      return round === 1
        ? { status: 503, body: { status: 503, detail: 'no secret key is configured (CHATSPOT_SECRET_KEY): tokens cannot be stored' } }
        : { status: 422, body: { status: 422, detail: "the Instagram app's id and secret are needed to connect", field: 'settings.app_id' } }
    })
    const assign = stubAssign()
    renderAdmin(<ChannelsTab />, me)
    const editor = await openChannel(user, 'ch-ig')

    await user.click(within(editor).getByTestId('channel-oauth-connect'))
    expect(await within(editor).findByTestId('channel-oauth-error')).toHaveTextContent('no secret key is configured (CHATSPOT_SECRET_KEY)')
    expect(within(editor).queryByTestId('field-error')).not.toBeInTheDocument()
    expect(within(editor).getByTestId('channel-oauth-connect')).toBeEnabled()

    await user.click(within(editor).getByTestId('channel-oauth-connect'))
    await waitFor(() => expect(within(editor).getByTestId('channel-oauth-error')).toHaveTextContent("the Instagram app's id and secret are needed to connect"))
    const field = within(editor).getByTestId('field-error')
    expect(field).toHaveAttribute('data-field', 'settings.app_id')
    expect(field).toHaveTextContent("the Instagram app's id and secret are needed to connect")
    expect(field.closest('label')).toContainElement(within(editor).getByTestId('channel-field-app_id'))
    expect(assign).not.toHaveBeenCalled()
  })

  it('asks to save unsaved settings first, then connects with the saved ones', async () => {
    const user = userEvent.setup()
    const calls = oauthServer((c) => {
      if (c.method === 'PATCH' && c.path === '/api/v1/channels/ch-ig') return { status: 200, body: { ...ig, settings: { ...ig.settings, app_id: '1112223334' } } }
      if (c.method === 'POST' && c.path === '/api/v1/channels/ch-ig/oauth') return { status: 200, body: { url: CONSENT, redirect_uri: 'x' } }
      return undefined
    })
    const assign = stubAssign()
    renderAdmin(<ChannelsTab />, me)
    const editor = await openChannel(user, 'ch-ig')
    await user.clear(within(editor).getByTestId('channel-field-app_id'))
    await user.type(within(editor).getByTestId('channel-field-app_id'), '1112223334')

    await user.click(within(editor).getByTestId('channel-oauth-connect'))
    expect(within(editor).getByTestId('channel-oauth-error')).toHaveTextContent('Salve as alterações antes de conectar')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await user.click(within(editor).getByTestId('channel-save'))
    await within(editor).findByTestId('channel-saved')
    expect(within(editor).queryByTestId('channel-oauth-error')).not.toBeInTheDocument()
    await user.click(within(editor).getByTestId('channel-oauth-connect'))
    await waitFor(() => expect(assign).toHaveBeenCalledWith(CONSENT))
    expect(calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`)).toEqual(['PATCH /api/v1/channels/ch-ig', 'POST /api/v1/channels/ch-ig/oauth'])
  })

  it('makes a Facebook connection the provider dropped (needs_reauth) prominent, with "Reconectar com Facebook"', async () => {
    const user = userEvent.setup()
    const calls = oauthServer((c) =>
      c.method === 'POST' && c.path === '/api/v1/channels/ch-fb/oauth' ? { status: 200, body: { url: 'https://www.facebook.com/dialog/oauth?x=1', redirect_uri: 'x' } } : undefined,
    )
    const assign = stubAssign()
    renderAdmin(<ChannelsTab />, me)
    const editor = await openChannel(user, 'ch-fb')
    expect(within(editor).getByTestId('channel-status-reason')).toHaveTextContent('the user changed their password')
    const box = within(editor).getByTestId('channel-oauth')
    expect(box).toHaveAttribute('data-reauth', 'true')
    expect(within(box).getByTestId('channel-oauth-reauth')).toHaveTextContent('O Facebook não aceita mais a conexão desta conta')
    await user.click(within(box).getByRole('button', { name: 'Reconectar com Facebook' }))
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://www.facebook.com/dialog/oauth?x=1'))
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/v1/channels/ch-fb/oauth')).toBe(true)
  })

  it('back from the provider connected: opens the channel with a notice and cleans the address', async () => {
    window.history.replaceState(null, '', '/admin/channels?channel=ch-ig&oauth=connected')
    oauthServer()
    renderAdmin(<ChannelsTab />, me)
    const notice = await screen.findByTestId('channel-oauth-notice')
    expect(notice).toHaveAttribute('data-outcome', 'connected')
    expect(notice).toHaveTextContent('Conta conectada. A ativação está em andamento.')
    const editor = await screen.findByTestId('channel-editor')
    expect(editor).toHaveAttribute('data-id', 'ch-ig')
    await waitFor(() => expect(window.location.search).toBe(''))
    expect(window.location.pathname).toBe('/admin/channels')
    const row = (await screen.findAllByTestId('channel-row')).find((r) => r.getAttribute('data-id') === 'ch-ig')!
    expect(row).toHaveClass('is-selected')
  })

  it("back from the provider with an error: shows the reason, keeps the address's other parameters", async () => {
    const reason = 'the provider did not connect the account: Permissions error'
    window.history.replaceState(null, '', `/admin/channels?channel=ch-ig&oauth_error=${encodeURIComponent(reason)}&keep=1`)
    oauthServer()
    renderAdmin(<ChannelsTab />, me)
    const notice = await screen.findByTestId('channel-oauth-notice')
    expect(notice).toHaveAttribute('data-outcome', 'error')
    expect(notice).toHaveAttribute('role', 'alert')
    expect(notice).toHaveTextContent(`A conta não foi conectada: ${reason}`)
    expect(await screen.findByTestId('channel-editor')).toHaveAttribute('data-id', 'ch-ig')
    await waitFor(() => expect(window.location.search).toBe('?keep=1'))
    expect(window.location.pathname).toBe('/admin/channels')
  })
})

describe('ChannelsTab: an e-mail mailbox', () => {
  const TLS = ['tls', 'starttls', 'none']
  const EMAIL_KIND: ChannelKindInfo = {
    kind: 'email',
    label: 'E-mail',
    available: true,
    in_plan: true,
    activation: true,
    oauth: true,
    capabilities: { ...caps, media: ['image', 'audio', 'video', 'document'], threads: true, subjects: true },
    settings: [
      { name: 'address', label: 'E-mail address', type: 'text', required: true },
      { name: 'from_name', label: 'Sender name', type: 'text', required: false },
      { name: 'auth', label: 'Sign-in', type: 'select', required: false, options: ['password', 'google', 'microsoft'] },
      { name: 'username', label: 'User name', type: 'text', required: false },
      { name: 'password', label: 'Password or app password', type: 'secret', required: false },
      { name: 'imap_host', label: 'IMAP server', type: 'text', required: false },
      { name: 'imap_port', label: 'IMAP port', type: 'number', required: false },
      { name: 'imap_tls', label: 'IMAP security', type: 'select', required: false, options: TLS },
      { name: 'smtp_host', label: 'SMTP server', type: 'text', required: false },
      { name: 'smtp_port', label: 'SMTP port', type: 'number', required: false },
      { name: 'smtp_tls', label: 'SMTP security', type: 'select', required: false, options: TLS },
      { name: 'oauth_client_id', label: 'OAuth client ID', type: 'text', required: false },
      { name: 'oauth_client_secret', label: 'OAuth client secret', type: 'secret', required: false },
    ],
  }
  const MAIL_KINDS = [...KINDS, EMAIL_KIND]
  const stored = {
    address: 'suporte@loja.com.br',
    from_name: 'SAC Loja',
    auth: 'password',
    username: 'suporte',
    password: '********',
    imap_host: 'imap.loja.com.br',
    imap_port: 1143,
    imap_tls: 'none',
    smtp_host: 'smtp.loja.com.br',
    smtp_port: 587,
    smtp_tls: 'starttls',
  }
  const pw: ChannelDetail = { id: 'ch-mail', kind: 'email', name: 'SAC por e-mail', active: true, status: 'connected', settings: stored }
  const gmail: ChannelDetail = {
    id: 'ch-gmail',
    kind: 'email',
    name: 'Gmail da loja',
    active: true,
    status: 'needs_reauth',
    status_reason: 'the mailbox is not connected: use "Connect" to sign in with google',
    settings: { address: 'loja@gmail.com', auth: 'google', imap_host: 'imap.gmail.com', imap_port: 993, imap_tls: 'tls', oauth_client_id: 'cid.apps.googleusercontent.com', oauth_client_secret: '********' },
  }

  function mailServer(extra: (c: Call) => Reply = () => undefined) {
    return server(
      (c) => {
        const r = extra(c)
        if (r) return r
        if (c.method === 'GET' && c.path === '/api/v1/channels/ch-mail') return { status: 200, body: pw }
        if (c.method === 'GET' && c.path === '/api/v1/channels/ch-gmail') return { status: 200, body: gmail }
        return undefined
      },
      [gmail, pw, site],
      MAIL_KINDS,
    )
  }

  async function openChannel(user: ReturnType<typeof userEvent.setup>, id: string) {
    const row = (await screen.findAllByTestId('channel-row')).find((r) => r.getAttribute('data-id') === id)!
    await user.click(within(row).getByTestId('channel-open'))
    const editor = await screen.findByTestId('channel-editor')
    await waitFor(() => expect(editor).toHaveAttribute('data-id', id))
    return editor
  }

  it('offers the OAuth connection only when the saved sign-in is a provider, named after it', async () => {
    const user = userEvent.setup()
    mailServer()
    renderAdmin(<ChannelsTab />, me)

    // a password: nothing to connect (the server would answer 422)
    const editor = await openChannel(user, 'ch-mail')
    expect(within(editor).queryByTestId('channel-oauth')).not.toBeInTheDocument()
    expect(within(editor).queryByTestId('channel-oauth-connect')).not.toBeInTheDocument()

    // Google: connect (again, the provider asked), with Google's name and the OAuth app's callback help
    const g = await openChannel(user, 'ch-gmail')
    const box = within(g).getByTestId('channel-oauth')
    expect(box).toHaveAttribute('data-reauth', 'true')
    expect(within(box).getByTestId('channel-oauth-connect')).toHaveTextContent(/^Reconectar com Google$/)
    expect(box).toHaveTextContent('app OAuth do Google (Google Cloud ou Microsoft Entra)')
    expect(box).not.toHaveTextContent('app da Meta')
  })

  it('edits ports as numbers and security as a choice; switching to a provider shows the connect button once saved', async () => {
    const user = userEvent.setup()
    const calls = mailServer((c) => {
      if (c.method !== 'PATCH' || c.path !== '/api/v1/channels/ch-mail') return undefined
      const b = c.body as { settings: Record<string, unknown> }
      return { status: 200, body: { ...pw, settings: { ...stored, ...b.settings, password: '********' } } }
    })
    renderAdmin(<ChannelsTab />, me)
    const editor = await openChannel(user, 'ch-mail')

    const port = within(editor).getByTestId('channel-field-imap_port')
    expect(port).toHaveAttribute('type', 'number')
    expect(port).toHaveValue(1143)
    expect(port.closest('label')).toHaveTextContent('Porta IMAP')
    const tls = within(editor).getByTestId('channel-field-imap_tls')
    expect(tls.tagName).toBe('SELECT')
    expect(tls).toHaveValue('none')
    expect(within(tls).getAllByRole('option').map((o) => o.textContent)).toEqual(['—', 'TLS', 'STARTTLS', 'Nenhuma (só em rede privada)'])
    expect(within(editor).getByTestId('channel-field-smtp_tls')).toHaveValue('starttls')
    expect(within(editor).getByTestId('channel-field-auth')).toHaveValue('password')
    expect(within(editor).getByTestId('channel-field-password')).toHaveValue('********')

    await user.clear(port)
    await user.type(port, '993')
    await user.selectOptions(tls, 'tls')
    await user.selectOptions(within(editor).getByTestId('channel-field-auth'), 'google')
    // not saved yet: the stored password sign-in still decides
    expect(within(editor).queryByTestId('channel-oauth')).not.toBeInTheDocument()
    await user.click(within(editor).getByTestId('channel-save'))
    await within(editor).findByTestId('channel-saved')

    const patch = calls.find((c) => c.method === 'PATCH')!
    const sent = (patch.body as { settings: Record<string, unknown> }).settings
    expect(sent.imap_port).toBe(993)
    expect(sent.smtp_port).toBe(587)
    expect(sent.imap_tls).toBe('tls')
    expect(sent.auth).toBe('google')
    // the stored password is kept: not sent back
    expect(sent).not.toHaveProperty('password')
    expect(within(editor).getByTestId('channel-oauth-connect')).toHaveTextContent('Conectar com Google')
  })

  it('asks for every setting on request, and for one the server found missing', async () => {
    const user = userEvent.setup()
    let round = 0
    const calls = mailServer((c) => {
      if (c.method !== 'POST' || c.path !== '/api/v1/channels') return undefined
      round++
      if (round === 1) return { status: 422, body: { status: 422, detail: 'settings.password: is required to sign in with a password', field: 'settings.password' } }
      return { status: 201, body: { ...pw, id: 'ch-new', name: 'Contato' } }
    })
    renderAdmin(<ChannelsTab />, me)
    await user.click(await screen.findByTestId('channel-create-open'))
    const dialog = screen.getByTestId('channel-create-dialog')
    await user.selectOptions(within(dialog).getByTestId('channel-kind'), 'email')
    expect(within(dialog).getByTestId('channel-field-address')).toBeInTheDocument()
    expect(within(dialog).queryByTestId('channel-field-password')).not.toBeInTheDocument()
    await user.type(within(dialog).getByTestId('channel-name'), 'Contato')
    await user.type(within(dialog).getByTestId('channel-field-address'), 'contato@loja.com.br')
    await user.click(within(dialog).getByTestId('channel-create-submit'))

    // the refused setting comes into the dialog with the server's words under it
    const password = await within(dialog).findByTestId('channel-field-password')
    const error = within(dialog).getByTestId('field-error')
    expect(error).toHaveAttribute('data-field', 'settings.password')
    expect(error).toHaveTextContent('is required to sign in with a password')
    expect(error.closest('label')).toContainElement(password)
    expect(within(dialog).getByTestId('channel-field-address')).toHaveValue('contato@loja.com.br')

    await user.click(within(dialog).getByTestId('channel-create-more'))
    expect(within(dialog).queryByTestId('channel-create-more')).not.toBeInTheDocument()
    await user.type(password, 's3nha')
    await user.type(within(dialog).getByTestId('channel-field-imap_host'), 'imap.loja.com.br')
    await user.type(within(dialog).getByTestId('channel-field-imap_port'), '1143')
    await user.selectOptions(within(dialog).getByTestId('channel-field-imap_tls'), 'none')
    await user.click(within(dialog).getByTestId('channel-create-submit'))
    await waitFor(() => expect(screen.queryByTestId('channel-create-dialog')).not.toBeInTheDocument())

    const posts = calls.filter((c) => c.method === 'POST')
    expect(posts[0].body).toEqual({ kind: 'email', name: 'Contato', settings: { address: 'contato@loja.com.br' } })
    const second = posts[1].body as { settings: Record<string, unknown> }
    expect(second.settings).toMatchObject({ address: 'contato@loja.com.br', password: 's3nha', imap_host: 'imap.loja.com.br', imap_port: 1143, imap_tls: 'none' })
    expect(second.settings).not.toHaveProperty('smtp_port')
    expect(second.settings).not.toHaveProperty('oauth_client_secret')
  })
})

describe('ChannelsTab: a Mercado Livre seller (OAuth)', () => {
  const ML_KIND: ChannelKindInfo = {
    kind: 'mercadolivre',
    label: 'Mercado Livre',
    available: true,
    in_plan: true,
    activation: true,
    oauth: true,
    capabilities: { ...caps, threads: true, questions: true, max_text: 2000 },
    settings: [
      { name: 'app_id', label: 'App ID (client id)', type: 'text', required: true, help: 'Mercado Livre Developers → Minhas aplicações; …' },
      { name: 'app_secret', label: 'Secret key (client secret)', type: 'secret', required: true },
    ],
  }
  const CONSENT =
    'https://auth.mercadolivre.com.br/authorization?client_id=4459087200151032&code_challenge=abc&code_challenge_method=S256&redirect_uri=http%3A%2F%2Flocalhost%2Foauth%2Fcallback&response_type=code&state=s.t'
  const fresh: ChannelDetail = {
    id: 'ch-ml',
    kind: 'mercadolivre',
    name: 'Loja no ML',
    active: false,
    status: 'pending',
    status_reason: '',
    settings: { app_id: '4459087200151032', app_secret: '********' },
    webhook_url: 'http://localhost:8080/hooks/mercadolivre/ch-ml',
  }
  const connected: ChannelDetail = {
    ...fresh,
    active: true,
    status: 'connected',
    settings: { ...fresh.settings, nickname: 'LOJA_E2E', user_id: '700100', token_expires_at: '2026-12-07T16:00:00Z' },
    activation: {
      state: 'done',
      steps: [
        { name: 'verify_account', state: 'done', detail: 'LOJA_E2E' },
        { name: 'watch_questions', state: 'done' },
      ],
    },
  }

  function mlServer(detail: ChannelDetail, extra: (c: Call) => Reply = () => undefined) {
    return server(
      (c) => extra(c) ?? (c.method === 'GET' && c.path === '/api/v1/channels/ch-ml' ? { status: 200, body: detail } : undefined),
      [detail, site],
      [...KINDS, ML_KIND],
    )
  }

  async function openMl(user: ReturnType<typeof userEvent.setup>) {
    const row = (await screen.findAllByTestId('channel-row')).find((r) => r.getAttribute('data-id') === 'ch-ml')!
    await user.click(within(row).getByTestId('channel-open'))
    const editor = await screen.findByTestId('channel-editor')
    await waitFor(() => expect(editor).toHaveAttribute('data-id', 'ch-ml'))
    return editor
  }

  afterEach(() => window.history.replaceState(null, '', '/'))

  it('offers "Conectar com Mercado Livre" with the callback to register in Mercado Livre Developers, and goes to the consent screen', async () => {
    const user = userEvent.setup()
    const calls = mlServer(fresh, (c) =>
      c.method === 'POST' && c.path === '/api/v1/channels/ch-ml/oauth'
        ? { status: 200, body: { url: CONSENT, redirect_uri: `${window.location.origin}/oauth/callback` } }
        : undefined,
    )
    const assign = vi.fn()
    const { origin, href, pathname, search, hash, host, hostname, protocol, port } = window.location
    vi.stubGlobal('location', { origin, href, pathname, search, hash, host, hostname, protocol, port, assign, replace: vi.fn(), reload: vi.fn() })
    renderAdmin(<ChannelsTab />, me)
    const editor = await openMl(user)

    const box = within(editor).getByTestId('channel-oauth')
    expect(within(box).getByTestId('channel-oauth-connect')).toHaveTextContent(/^Conectar com Mercado Livre$/)
    expect(box).toHaveTextContent('você entra na conta do Mercado Livre')
    expect(box).toHaveTextContent('URL de redirecionamento do app no Mercado Livre Developers')
    expect(box).not.toHaveTextContent('Meta')
    // the kind's fields in Portuguese, with where to find them and the addresses to give Mercado Livre
    const appId = within(editor).getByTestId('channel-field-app_id').closest('label')!
    expect(appId).toHaveTextContent('ID do app (client id)')
    expect(appId).toHaveTextContent('URL de redirecionamento: <este servidor>/oauth/callback')
    expect(appId).toHaveTextContent('tópico questions, URL <este servidor>/hooks/mercadolivre/<canal>')
    expect(within(editor).getByTestId('channel-field-app_secret').closest('label')).toHaveTextContent('Chave secreta (client secret)')
    expect(within(editor).getByTestId('channel-webhook-url')).toHaveValue('http://localhost:8080/hooks/mercadolivre/ch-ml')
    // not connected yet: no account shown
    expect(within(editor).queryByTestId('channel-connected-as')).toBeNull()

    await user.click(within(box).getByTestId('channel-oauth-connect'))
    await waitFor(() => expect(assign).toHaveBeenCalledWith(CONSENT))
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([{ method: 'POST', path: '/api/v1/channels/ch-ml/oauth', body: undefined }])
    expect(within(editor).getByTestId('channel-oauth-connect')).toHaveTextContent('Abrindo o Mercado Livre…')
  })

  it('shows the connected seller (nickname and id) and the activation in Mercado Livre\'s words', async () => {
    const user = userEvent.setup()
    mlServer(connected)
    renderAdmin(<ChannelsTab />, me)
    const editor = await openMl(user)
    expect(within(editor).getByTestId('channel-editor-status')).toHaveAttribute('data-status', 'connected')
    expect(within(editor).getByTestId('channel-connected-as')).toHaveTextContent('Conectado como LOJA_E2E · ID da conta: 700100')
    const steps = within(editor).getAllByTestId('activation-step')
    expect(steps.map((s) => s.getAttribute('data-step'))).toEqual(['verify_account', 'watch_questions'])
    expect(steps[0]).toHaveTextContent('Conta do Mercado Livre')
    expect(steps[0]).not.toHaveTextContent('Instagram')
    expect(within(steps[0]).getByTestId('activation-step-detail')).toHaveTextContent('LOJA_E2E')
    expect(steps[1]).toHaveTextContent('Perguntas dos anúncios')
    // the values the adapter stored are not settings the manager edits
    expect(within(editor).queryByTestId('channel-field-nickname')).toBeNull()
    expect(within(editor).queryByTestId('channel-field-user_id')).toBeNull()
  })

  it('sends only the kind\'s own settings when saved, never the stored nickname or user id', async () => {
    const user = userEvent.setup()
    const calls = mlServer(connected, (c) => (c.method === 'PATCH' && c.path === '/api/v1/channels/ch-ml' ? { status: 200, body: { ...connected, name: 'ML' } } : undefined))
    renderAdmin(<ChannelsTab />, me)
    const editor = await openMl(user)
    await user.clear(within(editor).getByTestId('channel-edit-name'))
    await user.type(within(editor).getByTestId('channel-edit-name'), 'ML')
    await user.click(within(editor).getByTestId('channel-save'))
    await within(editor).findByTestId('channel-saved')
    const patch = calls.find((c) => c.method === 'PATCH')!.body as { settings: Record<string, unknown> }
    expect(Object.keys(patch.settings).sort()).toEqual(['app_id'])
  })

  it('says "Connect with Mercado Livre" in English', async () => {
    const user = userEvent.setup()
    mlServer(fresh)
    render(
      <I18nProvider initial="en">
        <SessionContext.Provider value={{ me, setMe: () => undefined }}>
          <StreamContext.Provider value={null}>
            <ChannelsTab />
          </StreamContext.Provider>
        </SessionContext.Provider>
      </I18nProvider>,
    )
    const editor = await openMl(user)
    expect(within(editor).getByTestId('channel-oauth-connect')).toHaveTextContent(/^Connect with Mercado Livre$/)
  })
})
