// The LinkedIn channel's guided activation on the channel screen, through
// the real API client with fetch answered by a fake server: the extension to
// download and load, its token shown once, the CRM stage of its cards saved
// with the channel, and the first capture awaited (poll and channel.updated).
import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ChannelCapabilities, ChannelDetail, ChannelKindInfo, ChannelListItem, Pipeline } from '../api/types'
import { fakeStream, makeMe } from '../test/fakes'
import { renderAdmin, scriptFetch } from './adminTestKit'
import type { Call } from './adminTestKit'
import { ChannelsTab } from './ChannelsTab'
import { I18nProvider } from '../i18n'
import { SessionContext, StreamContext } from '../session'

const me = makeMe({ permissions: ['channels:manage', 'conversations:view:all', 'conversations:reply', 'crm:view', 'crm:edit'] })

const caps: ChannelCapabilities = {
  window_seconds: 0,
  human_agent_window_seconds: 0,
  media: [],
  templates: false,
  receipts: false,
  threads: true,
  edits: false,
  reactions: false,
  comments: false,
  external_replies: true,
  sends_per_second: 0,
}

const LINKEDIN: ChannelKindInfo = {
  kind: 'linkedin',
  label: 'LinkedIn',
  available: true,
  in_plan: true,
  component: 'linkedin',
  activation: false,
  oauth: false,
  capabilities: caps,
  settings: [
    { name: 'pipeline_id', label: 'CRM pipeline', type: 'text', required: false, help: 'Where "Capturar + oportunidade" creates the card' },
    { name: 'stage_id', label: 'CRM stage', type: 'text', required: false },
  ],
}

const EXT_ID = 'gbkdnhmlcjflmcgppcjmdfjpgbmimhce'
const TOKEN = 'cht_1i2n3k4e5d6i7n8t9o0k0e0n0s0e0c0r0e0t0'

const row: ChannelListItem = { id: 'ch-li', kind: 'linkedin', name: 'LinkedIn Vendas', active: true, status: 'pending' }
const waiting: ChannelDetail = {
  ...row,
  settings: {},
  extension_url: '/downloads/chatspot-linkedin.zip',
  extension_id: EXT_ID,
}
const captured: ChannelDetail = {
  ...waiting,
  status: 'connected',
  settings: { first_capture_at: '2026-03-02T13:05:00Z', last_capture_at: '2026-03-02T14:30:00Z' },
  first_capture_at: '2026-03-02T13:05:00Z',
  last_capture_at: '2026-03-02T14:30:00Z',
}

const stage = (id: string, pipeline_id: string, name: string, position: number) => ({
  id,
  pipeline_id,
  name,
  position,
  entry_message: '',
  stale_days: 0,
  card_count: 0,
  quick_replies: [],
})
const PIPELINES: Pipeline[] = [
  { id: 'p-vendas', name: 'Vendas', position: 0, stages: [stage('s-novo', 'p-vendas', 'Novo', 0), stage('s-prop', 'p-vendas', 'Proposta', 1)] },
  { id: 'p-parc', name: 'Parcerias', position: 1, stages: [stage('s-contato', 'p-parc', 'Primeiro contato', 0), stage('s-reuniao', 'p-parc', 'Reunião', 1)] },
]

type Reply = { status: number; body?: unknown } | undefined

function server(channel: () => ChannelDetail, extra: (c: Call) => Reply = () => undefined) {
  return scriptFetch((c) => {
    const r = extra(c)
    if (r) return r
    if (c.method === 'GET' && c.path === '/api/v1/channel-kinds') return { status: 200, body: { items: [LINKEDIN] } }
    if (c.method === 'GET' && c.path === '/api/v1/channels') return { status: 200, body: { items: [row] } }
    if (c.method === 'GET' && c.path === '/api/v1/channels/ch-li') return { status: 200, body: channel() }
    if (c.method === 'GET' && c.path === '/api/v1/pipelines') return { status: 200, body: { items: PIPELINES } }
    return undefined
  })
}

async function openChannel(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('channel-open'))
  return screen.findByTestId('linkedin-settings')
}

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('LinkedIn channel (guided activation)', () => {
  it('offers the extension to download, how to load it unpacked, and its id for IT; says what the channel cannot do', async () => {
    const user = userEvent.setup()
    server(() => waiting)
    renderAdmin(<ChannelsTab />, me)
    await openChannel(user)

    const install = screen.getByTestId('linkedin-step-install')
    expect(install).toHaveTextContent('Instale a extensão')
    const link = within(install).getByTestId('linkedin-download')
    expect(link).toHaveAttribute('href', '/downloads/chatspot-linkedin.zip')
    expect(link).toHaveAttribute('download')
    const howto = within(install).getByTestId('linkedin-install-steps')
    expect(howto).toHaveTextContent('Descompacte')
    expect(howto).toHaveTextContent('chrome://extensions')
    expect(howto).toHaveTextContent('edge://extensions')
    expect(howto).toHaveTextContent('"Modo do desenvolvedor"')
    expect(howto).toHaveTextContent('"Carregar sem compactação" e escolha a pasta')
    expect(within(install).getByTestId('linkedin-extension-id')).toHaveValue(EXT_ID)
    expect(install).toHaveTextContent('peça para liberar este ID')

    const limits = screen.getByTestId('linkedin-limits')
    expect(limits).toHaveTextContent('não tem API de mensagens')
    expect(limits).toHaveTextContent('proíbe a coleta automatizada')
    expect(limits).toHaveTextContent('um perfil ou uma conversa por vez')
    expect(limits).toHaveTextContent('as respostas são escritas no próprio LinkedIn')
    // no generic form of the schema's text fields
    expect(screen.queryByTestId('channel-field-pipeline_id')).toBeNull()
  })

  it('generates the extension token (POST, no body) and shows it once, with the address to paste in the extension options', async () => {
    const user = userEvent.setup()
    const calls = server(
      () => waiting,
      (c) =>
        c.method === 'POST' && c.path === '/api/v1/linkedin/token'
          ? { status: 201, body: { id: 'tok-1', name: 'Extensão LinkedIn — Ana Souza', token: TOKEN, permissions: ['conversations:reply', 'crm:edit'] } }
          : undefined,
    )
    renderAdmin(<ChannelsTab />, me)
    await openChannel(user)
    const connect = screen.getByTestId('linkedin-step-connect')
    expect(connect).toHaveTextContent('Conecte a extensão')
    expect(within(connect).queryByTestId('linkedin-token-secret')).toBeNull()

    await user.click(within(connect).getByTestId('linkedin-token-generate'))
    const post = calls.filter((c) => c.method === 'POST')
    expect(post).toHaveLength(1)
    expect(post[0]).toMatchObject({ path: '/api/v1/linkedin/token', body: undefined })

    const secret = await within(connect).findByTestId('linkedin-token-secret')
    expect(secret).toHaveValue(TOKEN)
    expect(secret).toHaveAttribute('readonly')
    expect(within(connect).getByTestId('linkedin-token-warning')).toHaveTextContent('não será mostrado novamente')
    expect(within(connect).getByTestId('linkedin-server-url')).toHaveValue(window.location.origin)
    expect(within(connect).getByTestId('linkedin-token-where')).toHaveTextContent('botão direito no ícone do CHATSPOT')
    expect(within(connect).getByTestId('linkedin-token-where')).toHaveTextContent('Opções')
    await user.click(within(connect).getByTestId('linkedin-token-copy'))
    expect(await navigator.clipboard.readText()).toBe(TOKEN)
    // the token is no part of the channel's save
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false)

    await user.click(within(connect).getByTestId('linkedin-token-done'))
    expect(document.body.innerHTML).not.toContain(TOKEN)
    expect(within(connect).getByTestId('linkedin-token-gone')).toBeInTheDocument()
    expect(within(connect).getByTestId('linkedin-token-generate')).toHaveTextContent('Gerar outro token')
  })

  it("shows the server's refusal of a token", async () => {
    const user = userEvent.setup()
    server(
      () => waiting,
      (c) =>
        c.method === 'POST' && c.path === '/api/v1/linkedin/token'
          ? { status: 403, body: { status: 403, detail: 'creating a token needs conversations:reply', field: '' } }
          : undefined,
    )
    renderAdmin(<ChannelsTab />, me)
    await openChannel(user)
    await user.click(screen.getByTestId('linkedin-token-generate'))
    expect(await screen.findByTestId('linkedin-token-error')).toHaveTextContent('creating a token needs conversations:reply')
    expect(screen.queryByTestId('linkedin-token-secret')).toBeNull()
  })

  it('saves the CRM pipeline and stage of the extension\'s cards with the channel (PATCH settings)', async () => {
    const user = userEvent.setup()
    let current: ChannelDetail = { ...captured, settings: { ...captured.settings, pipeline_id: 'p-vendas', stage_id: 's-prop' } }
    const calls = server(
      () => current,
      (c) => {
        if (c.method !== 'PATCH' || c.path !== '/api/v1/channels/ch-li') return undefined
        const b = c.body as { settings: Record<string, unknown> }
        current = { ...current, settings: { ...current.settings, ...b.settings } }
        return { status: 200, body: current }
      },
    )
    renderAdmin(<ChannelsTab />, me)
    await openChannel(user)
    const crm = screen.getByTestId('linkedin-step-crm')
    expect(crm).toHaveTextContent('Oportunidades no CRM')
    expect(crm).toHaveTextContent('"Capturar + oportunidade"')
    const pipeline = await within(crm).findByTestId('linkedin-pipeline')
    expect(pipeline).toHaveValue('p-vendas')
    expect(within(crm).getByTestId('linkedin-stage')).toHaveValue('s-prop')

    await user.selectOptions(pipeline, 'p-parc')
    const stageSelect = within(crm).getByTestId('linkedin-stage')
    // the new pipeline's stages; the former stage is not carried over
    expect(stageSelect).toHaveValue('')
    expect(within(stageSelect).getAllByRole('option').map((o) => o.textContent)).toEqual(['A primeira etapa do funil', 'Primeiro contato', 'Reunião'])
    await user.selectOptions(stageSelect, 's-reuniao')
    await user.click(screen.getByTestId('channel-save'))

    await screen.findByTestId('channel-saved')
    const patch = calls.find((c) => c.method === 'PATCH')
    expect(patch?.body).toEqual({ name: 'LinkedIn Vendas', settings: { pipeline_id: 'p-parc', stage_id: 's-reuniao' } })
  })

  it('shows a refused stage (422) under its select', async () => {
    const user = userEvent.setup()
    server(
      () => waiting,
      (c) =>
        c.method === 'PATCH'
          ? { status: 422, body: { status: 422, detail: 'settings.pipeline_id: choose the pipeline of the stage', field: 'settings.pipeline_id' } }
          : undefined,
    )
    renderAdmin(<ChannelsTab />, me)
    await openChannel(user)
    await user.selectOptions(await screen.findByTestId('linkedin-pipeline'), 'p-vendas')
    await user.click(screen.getByTestId('channel-save'))
    const err = await screen.findByText('choose the pipeline of the stage')
    expect(err.closest('[data-field]')).toHaveAttribute('data-field', 'settings.pipeline_id')
  })

  it('awaits the first capture, asking for the channel every 5 s, then shows when it and the latest came', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime })
    let current = waiting
    const calls = server(() => current)
    renderAdmin(<ChannelsTab />, me)
    await openChannel(user)
    const step = screen.getByTestId('linkedin-first-capture')
    expect(step).toHaveAttribute('data-state', 'waiting')
    expect(step).toHaveTextContent('Aguardando a primeira captura…')
    const gets = () => calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/channels/ch-li').length
    const before = gets()

    await act(() => vi.advanceTimersByTimeAsync(5000))
    expect(gets()).toBe(before + 1)
    expect(screen.getByTestId('linkedin-first-capture')).toHaveAttribute('data-state', 'waiting')

    current = captured
    await act(() => vi.advanceTimersByTimeAsync(5000))
    await waitFor(() => expect(screen.getByTestId('linkedin-first-capture')).toHaveAttribute('data-state', 'done'))
    expect(screen.getByTestId('linkedin-first-capture-at')).toHaveTextContent(/Primeira captura em 02\/03\/2026,? 10:05/)
    expect(screen.getByTestId('linkedin-last-capture-at')).toHaveTextContent(/Última captura em 02\/03\/2026,? 11:30/)
    expect(screen.getByTestId('channel-editor-status-badge')).toHaveTextContent('Conectado')

    // no more asking once it came
    const after = gets()
    await act(() => vi.advanceTimersByTimeAsync(15_000))
    expect(gets()).toBe(after)
  })

  it('shows the first capture at once when its channel.updated event comes', async () => {
    const user = userEvent.setup()
    const stream = fakeStream()
    let current = waiting
    server(() => current)
    renderAdmin(<ChannelsTab />, me, undefined, stream)
    await openChannel(user)
    expect(screen.getByTestId('linkedin-first-capture')).toHaveAttribute('data-state', 'waiting')

    current = captured
    act(() => stream.emit({ type: 'channel.updated', data: { id: 'ch-li', kind: 'linkedin', name: 'LinkedIn Vendas', active: true, status: 'connected', status_reason: 'first capture received' } }))
    await waitFor(() => expect(screen.getByTestId('linkedin-first-capture')).toHaveAttribute('data-state', 'done'))
    expect(screen.getByTestId('linkedin-first-capture-at')).toHaveTextContent('Primeira captura em')
    expect(screen.getByTestId('channel-row')).toHaveAttribute('data-status', 'connected')
  })

  it('speaks English', async () => {
    const user = userEvent.setup()
    server(() => waiting)
    render(
      <I18nProvider initial="en">
        <SessionContext.Provider value={{ me, setMe: () => undefined }}>
          <StreamContext.Provider value={null}>
            <ChannelsTab />
          </StreamContext.Provider>
        </SessionContext.Provider>
      </I18nProvider>,
    )
    await openChannel(user)
    expect(screen.getByTestId('linkedin-step-install')).toHaveTextContent('Install the extension')
    expect(screen.getByTestId('linkedin-token-generate')).toHaveTextContent('Generate extension token')
    expect(screen.getByTestId('linkedin-first-capture')).toHaveTextContent('Waiting for the first capture…')
  })
})
