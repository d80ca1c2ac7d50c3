import { afterEach, describe, expect, it, vi } from 'vitest'
import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { ChannelCapabilities, ChannelDetail, ChannelKindInfo, MessageTemplate } from '../api/types'
import { fakeStream, makeMe } from '../test/fakes'
import { renderAdmin, scriptFetch } from './adminTestKit'
import type { Call } from './adminTestKit'
import { ChannelsTab } from './ChannelsTab'

const me = makeMe({ permissions: ['channels:manage', 'conversations:view:all'] })

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
  {
    kind: 'whatsapp_official',
    label: 'WhatsApp (official)',
    available: true,
    in_plan: true,
    activation: true,
    oauth: false,
    capabilities: { ...caps, window_seconds: 86400, templates: true, receipts: true },
    settings: [{ name: 'phone_number_id', label: 'Phone number ID', type: 'text', required: true }],
  },
  {
    kind: 'telegram',
    label: 'Telegram',
    available: true,
    in_plan: true,
    activation: true,
    oauth: false,
    capabilities: caps,
    settings: [{ name: 'bot_token', label: 'Bot token', type: 'secret', required: true }],
  },
]

const wa: ChannelDetail = { id: 'ch-wa', kind: 'whatsapp_official', name: 'WhatsApp da loja', active: true, status: 'connected', settings: { phone_number_id: '1234567890' } }
const tg: ChannelDetail = { id: 'ch-tg', kind: 'telegram', name: 'Telegram', active: true, status: 'connected', settings: { bot_token: '********' } }

function tpl(over: Partial<MessageTemplate>): MessageTemplate {
  return {
    id: 'tpl-x',
    channel_id: 'ch-wa',
    name: 'x',
    language: 'pt_BR',
    category: 'UTILITY',
    status: 'APPROVED',
    reason: '',
    body: 'Olá!',
    header: '',
    footer: '',
    params: 0,
    updated_at: '2025-05-01T12:00:00Z',
    ...over,
  }
}

const TEMPLATES: MessageTemplate[] = [
  tpl({ id: 'tpl-1', name: 'pedido_enviado', body: 'Olá, {{1}}! Seu pedido {{2}} saiu para entrega.', params: 2 }),
  tpl({ id: 'tpl-2', name: 'promo_natal', category: 'MARKETING', status: 'REJECTED', reason: 'Promotional content in a utility category', language: 'es' }),
  tpl({ id: 'tpl-3', name: 'boleto_vencendo', status: 'PENDING', body: '{{1}}, seu boleto vence amanhã.', params: 1 }),
  tpl({ id: 'tpl-4', name: 'codigo', category: 'AUTHENTICATION', status: 'FAILED', reason: 'Invalid parameter: example values missing', language: 'en_US' }),
]

type Reply = { status: number; body?: unknown } | undefined

function server(extra: (c: Call) => Reply = () => undefined) {
  return scriptFetch((c) => {
    const r = extra(c)
    if (r) return r
    if (c.method === 'GET' && c.path === '/api/v1/channel-kinds') return { status: 200, body: { items: KINDS } }
    if (c.method === 'GET' && c.path === '/api/v1/channels') return { status: 200, body: { items: [tg, wa] } }
    if (c.method === 'GET' && c.path === '/api/v1/channels/ch-wa') return { status: 200, body: wa }
    if (c.method === 'GET' && c.path === '/api/v1/channels/ch-tg') return { status: 200, body: tg }
    if (c.method === 'GET' && c.path === '/api/v1/channels/ch-wa/templates') return { status: 200, body: { items: TEMPLATES } }
    return undefined
  })
}

async function openChannel(user: ReturnType<typeof userEvent.setup>, id: string) {
  const row = (await screen.findAllByTestId('channel-row')).find((r) => r.getAttribute('data-id') === id)!
  await user.click(within(row).getByTestId('channel-open'))
  await screen.findByTestId('channel-editor')
}

const row = (id: string) => screen.getAllByTestId('template-row').find((r) => r.getAttribute('data-id') === id)!

afterEach(() => vi.unstubAllGlobals())

describe('ChannelsTab: message templates', () => {
  it("lists a WhatsApp Official channel's templates with their status and Meta's reason, and follows template.updated", async () => {
    const user = userEvent.setup()
    const stream = fakeStream()
    server()
    renderAdmin(<ChannelsTab />, me, undefined, stream)
    await openChannel(user, 'ch-wa')
    const section = await screen.findByTestId('templates-section')
    expect(section).toHaveTextContent('Modelos de mensagem')
    expect(screen.getByTestId('templates-cost-note')).toHaveTextContent('A Meta cobra por mensagem de template entregue, conforme a categoria.')
    expect(section).not.toHaveTextContent(/por conversa/i)

    await waitFor(() => expect(screen.getAllByTestId('template-row')).toHaveLength(4))
    // sorted by name
    expect(screen.getAllByTestId('template-name').map((n) => n.textContent)).toEqual(['boleto_vencendo', 'codigo', 'pedido_enviado', 'promo_natal'])
    const status = (id: string) => within(row(id)).getByTestId('template-status')
    expect(status('tpl-1')).toHaveTextContent('Aprovado')
    expect(status('tpl-1')).toHaveAttribute('data-tone', 'ok')
    expect(within(row('tpl-1')).getByTestId('template-meta')).toHaveTextContent('Português (Brasil) · Utilidade')
    expect(within(row('tpl-1')).queryByTestId('template-reason')).not.toBeInTheDocument()
    expect(status('tpl-2')).toHaveTextContent('Rejeitado')
    expect(status('tpl-2')).toHaveAttribute('data-tone', 'bad')
    expect(within(row('tpl-2')).getByTestId('template-reason')).toHaveTextContent('Promotional content in a utility category')
    expect(within(row('tpl-2')).getByTestId('template-meta')).toHaveTextContent('Espanhol · Marketing')
    expect(status('tpl-3')).toHaveTextContent('Em análise')
    expect(status('tpl-3')).toHaveAttribute('data-tone', 'wait')
    expect(status('tpl-4')).toHaveTextContent('Falha no envio')
    expect(within(row('tpl-4')).getByTestId('template-reason')).toHaveTextContent('Invalid parameter: example values missing')
    expect(within(row('tpl-1')).queryByTestId('template-unsupported')).not.toBeInTheDocument()

    // Meta approves one, rejects another, and a sync brings one we did not know; another channel's event is ignored
    act(() => stream.emit({ type: 'template.updated', data: { ...TEMPLATES[2], status: 'APPROVED' } }))
    act(() => stream.emit({ type: 'template.updated', data: { ...TEMPLATES[0], status: 'PAUSED', reason: 'Low quality: customers blocked it' } }))
    act(() => stream.emit({ type: 'template.updated', data: tpl({ id: 'tpl-5', name: 'avaliacao', status: 'PENDING' }) }))
    // one CHATSPOT cannot fill in says why
    act(() => stream.emit({ type: 'template.updated', data: tpl({ id: 'tpl-6', name: 'com_foto', unsupported: 'its header is a image, which CHATSPOT does not send yet' }) }))
    await waitFor(() => expect(within(row('tpl-6')).getByTestId('template-unsupported')).toHaveTextContent('O CHATSPOT ainda não envia este template: its header is a image'))
    act(() => stream.emit({ type: 'template.updated', data: tpl({ id: 'tpl-9', channel_id: 'ch-other', name: 'alheio' }) }))
    expect(status('tpl-3')).toHaveTextContent('Aprovado')
    expect(status('tpl-1')).toHaveTextContent('Pausado')
    expect(within(row('tpl-1')).getByTestId('template-reason')).toHaveTextContent('Low quality: customers blocked it')
    expect(screen.getAllByTestId('template-name').map((n) => n.textContent)).toEqual(['avaliacao', 'boleto_vencendo', 'codigo', 'com_foto', 'pedido_enviado', 'promo_natal'])
  })

  it('asks Meta for the templates again with "Sync from Meta"', async () => {
    const user = userEvent.setup()
    const calls = server((c) => (c.method === 'POST' && c.path === '/api/v1/channels/ch-wa/templates/sync' ? { status: 202 } : undefined))
    renderAdmin(<ChannelsTab />, me)
    await openChannel(user, 'ch-wa')
    await user.click(await screen.findByTestId('templates-sync'))
    expect(await screen.findByTestId('templates-notice')).toHaveTextContent('Buscando os modelos na Meta')
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/v1/channels/ch-wa/templates/sync'])
  })

  it('shows no templates for a kind without them', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<ChannelsTab />, me)
    await openChannel(user, 'ch-tg')
    await screen.findByTestId('channel-field-bot_token')
    expect(screen.queryByTestId('templates-section')).not.toBeInTheDocument()
    expect(calls.some((c) => c.path.includes('/templates'))).toBe(false)
  })

  it('submits a new template with one example per variable of the body, and lists it as being sent', async () => {
    const user = userEvent.setup()
    const calls = server((c) =>
      c.method === 'POST' && c.path === '/api/v1/channels/ch-wa/templates'
        ? { status: 201, body: tpl({ id: 'tpl-new', name: 'entrega_agendada', status: 'SUBMITTING', body: (c.body as { body: string }).body, params: 2 }) }
        : undefined,
    )
    renderAdmin(<ChannelsTab />, me)
    await openChannel(user, 'ch-wa')
    await user.click(await screen.findByTestId('template-create-open'))
    const dialog = screen.getByTestId('template-create-dialog')
    expect(within(dialog).getByTestId('template-language')).toHaveValue('pt_BR')
    expect(within(dialog).getAllByRole('option').map((o) => (o as HTMLOptionElement).value)).toEqual(['UTILITY', 'MARKETING', 'AUTHENTICATION', 'pt_BR', 'en_US', 'es'])
    expect(dialog).toHaveTextContent('de minutos a horas')
    expect(dialog).toHaveTextContent('A Meta cobra por mensagem de template entregue, conforme a categoria.')

    // typed as a person would; kept as Meta wants it
    await user.type(within(dialog).getByTestId('template-name-input'), 'Entrega Agendada')
    expect(within(dialog).getByTestId('template-name-input')).toHaveValue('entrega_agendada')
    await user.selectOptions(within(dialog).getByTestId('template-category'), 'UTILITY')
    await user.selectOptions(within(dialog).getByTestId('template-language'), 'es')
    await user.selectOptions(within(dialog).getByTestId('template-language'), 'pt_BR')
    await user.type(within(dialog).getByTestId('template-header'), 'Loja Exemplo')

    // no variable: no example box
    const body = within(dialog).getByTestId('template-body')
    await user.type(body, 'Olá, ')
    expect(within(dialog).queryByTestId('template-examples')).not.toBeInTheDocument()
    // three variables, then one taken out: the boxes follow the body
    await user.type(body, '{{{{1}}! Seu pedido {{{{2}} chega em {{{{3}}.')
    expect(within(dialog).getAllByTestId('template-example')).toHaveLength(3)
    await user.type(within(dialog).getAllByTestId('template-example')[0], 'Maria')
    await user.type(within(dialog).getAllByTestId('template-example')[1], '12345')
    await user.clear(body)
    await user.type(body, 'Olá, {{{{1}}! Seu pedido {{{{2}} chega amanhã.')
    const examples = within(dialog).getAllByTestId('template-example')
    expect(examples.map((e) => e.getAttribute('data-n'))).toEqual(['1', '2'])
    expect(examples.map((e) => (e as HTMLInputElement).value)).toEqual(['Maria', '12345'])
    // the preview reads like the customer's phone, with the examples in
    expect(within(dialog).getByTestId('template-preview-header')).toHaveTextContent('Loja Exemplo')
    expect(within(dialog).getByTestId('template-preview-body')).toHaveTextContent('Olá, Maria! Seu pedido 12345 chega amanhã.')
    await user.type(within(dialog).getByTestId('template-footer'), 'Não responda esta mensagem')

    await user.click(within(dialog).getByTestId('template-create-submit'))
    await waitFor(() => expect(screen.queryByTestId('template-create-dialog')).not.toBeInTheDocument())
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([
      {
        name: 'entrega_agendada',
        language: 'pt_BR',
        category: 'UTILITY',
        header: 'Loja Exemplo',
        body: 'Olá, {{1}}! Seu pedido {{2}} chega amanhã.',
        footer: 'Não responda esta mensagem',
        examples: ['Maria', '12345'],
      },
    ])
    expect(within(row('tpl-new')).getByTestId('template-status')).toHaveTextContent('Enviando à Meta')
    expect(screen.getByTestId('templates-notice')).toHaveTextContent('entrega_agendada')
  })

  it('asks for the missing example before sending anything', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<ChannelsTab />, me)
    await openChannel(user, 'ch-wa')
    await user.click(await screen.findByTestId('template-create-open'))
    await user.type(screen.getByTestId('template-name-input'), 'aviso')
    await user.type(screen.getByTestId('template-body'), 'Oi {{{{1}}, pedido {{{{2}}')
    await user.type(screen.getAllByTestId('template-example')[0], 'Ana')
    await user.click(screen.getByTestId('template-create-submit'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'examples.1')
    expect(err).toHaveTextContent('Dê um exemplo para {{2}}.')
    expect(err.closest('label')).toContainElement(screen.getAllByTestId('template-example')[1])
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
  })

  it("shows the server's 422 under the field it names", async () => {
    const user = userEvent.setup()
    server((c) =>
      c.method === 'POST' && c.path === '/api/v1/channels/ch-wa/templates'
        ? { status: 422, body: { error: 'name: a template named aviso already exists in pt_BR', field: 'name' } }
        : undefined,
    )
    renderAdmin(<ChannelsTab />, me)
    await openChannel(user, 'ch-wa')
    await user.click(await screen.findByTestId('template-create-open'))
    await user.type(screen.getByTestId('template-name-input'), 'aviso')
    await user.type(screen.getByTestId('template-body'), 'Seu atendimento foi encerrado.')
    await user.click(screen.getByTestId('template-create-submit'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'name')
    expect(err).toHaveTextContent(/^a template named aviso already exists in pt_BR$/)
    expect(err.closest('label')).toContainElement(screen.getByTestId('template-name-input'))
    // nothing typed is lost
    expect(screen.getByTestId('template-body')).toHaveValue('Seu atendimento foi encerrado.')
  })
})
