import { afterEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { ChannelDetail, ChannelListItem } from '../api/types'
import { makeMe } from '../test/fakes'
import { renderAdmin, scriptFetch } from './adminTestKit'
import type { Call } from './adminTestKit'
import { ChannelsTab } from './ChannelsTab'

const TOKEN = 'cht_4f1d0c2b9a8e7f6d5c4b3a2910ffeeddccbbaa99'
const me = makeMe({ permissions: ['channels:manage', 'conversations:view:all'] })

const site: ChannelListItem = { id: 'ch-web', kind: 'webchat', name: 'Site', active: true }
const erp: ChannelListItem = { id: 'ch-api', kind: 'api', name: 'ERP', active: true }

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

function server(extra: (c: Call) => Reply = () => undefined, items: ChannelListItem[] = [site, erp]) {
  return scriptFetch((c) => {
    const r = extra(c)
    if (r) return r
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

afterEach(() => vi.unstubAllGlobals())

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
})
