import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { ConversationView } from './ConversationView'
import { draftStore } from './composerLogic'
import { api, setUnauthorizedHandler } from '../api/client'
import type { ChannelCapabilities, ChannelKindInfo, ConversationDetail, Me, Message } from '../api/types'
import { I18nProvider } from '../i18n'
import { SessionContext, StreamContext } from '../session'
import { conv, fakeStream, makeMe, msg } from '../test/fakes'

const DETAIL: ConversationDetail = {
  ...conv({ id: 'c2', workflow_id: 'conversation/ch-wa/ct-joana' }),
  contact: {
    id: 'ct-joana',
    name: 'Joana Lima',
    phone: '+55 11 98888-7777',
    email: 'joana@exemplo.com.br',
    identities: [{ channel_id: 'ch-wa', channel_kind: 'whatsapp', external_id: '5511988887777' }],
    tags: ['cliente-vip'],
  },
}

const HISTORY: Message[] = [
  msg({ id: 'h1', conversation_id: 'c1', body: 'Pedido antigo', created_at: '2025-01-10T10:00:00Z' }),
  msg({ id: 'h2', conversation_id: 'c1', direction: 'outbound', body: 'Resolvido!', status: 'read', author: { id: 'u-bia', name: 'Bia' }, created_at: '2025-01-10T10:05:00Z' }),
  msg({ id: 'm1', conversation_id: 'c2', body: 'Meu boleto venceu', created_at: '2025-03-01T12:00:00Z' }),
  msg({ id: 'm2', conversation_id: 'c2', direction: 'outbound', body: 'Vou gerar outro', status: 'failed', failure_reason: 'número bloqueado', author: { id: 'u-ana', name: 'Ana' }, created_at: '2025-03-01T12:01:00Z' }),
]

afterEach(() => vi.restoreAllMocks())

function setup(me: Me = makeMe(), detail: ConversationDetail = DETAIL, kinds: ChannelKindInfo[] = [], history: Message[] = HISTORY) {
  vi.spyOn(api, 'conversation').mockResolvedValue(detail)
  vi.spyOn(api, 'contactMessages').mockResolvedValue({ items: history, next_cursor: null })
  vi.spyOn(api, 'markRead').mockResolvedValue(undefined)
  const stream = fakeStream()
  const onSummary = vi.fn()
  const onRead = vi.fn()
  const onSent = vi.fn()
  render(
    <I18nProvider initial="pt-BR">
      <SessionContext.Provider value={{ me, setMe: () => {} }}>
        <StreamContext.Provider value={stream}>
          <ConversationView
            id="c2"
            refs={{ users: [], teams: [{ id: 't1', name: 'SAC' }], channels: [], quickReplies: [], kinds }}
            onSummary={onSummary}
            onSent={onSent}
            onRead={onRead}
            onBack={() => {}}
          />
        </StreamContext.Provider>
      </SessionContext.Provider>
    </I18nProvider>,
  )
  return { stream, onSummary, onRead, onSent }
}

const bubble = (id: string) => screen.getAllByTestId('message-bubble').find((b) => b.getAttribute('data-id') === id)!

describe('ConversationView', () => {
  it("shows the contact's whole history with a divider per ticket, and marks it read", async () => {
    const { onRead } = setup()
    await screen.findByText('Meu boleto venceu')
    expect(screen.getAllByTestId('ticket-divider').map((d) => d.getAttribute('data-ticket'))).toEqual(['c1', 'c2'])
    expect(bubble('h1')).toHaveAttribute('data-direction', 'inbound')
    expect(within(bubble('h2')).getByTestId('status-tick')).toHaveAttribute('data-status', 'read')
    await waitFor(() => expect(api.markRead).toHaveBeenCalledWith('c2'))
    await waitFor(() => expect(onRead).toHaveBeenCalledWith('c2'))
  })

  it('shows a failed message with its reason and retries it', async () => {
    const user = userEvent.setup()
    setup()
    await screen.findByText('Vou gerar outro')
    expect(within(bubble('m2')).getByTestId('message-failure')).toHaveTextContent('número bloqueado')
    vi.spyOn(api, 'retryMessage').mockResolvedValue({ ...HISTORY[3], status: 'queued', failure_reason: '' })
    await user.click(within(bubble('m2')).getByTestId('message-retry'))
    expect(api.retryMessage).toHaveBeenCalledWith('m2')
    await waitFor(() => expect(bubble('m2')).toHaveAttribute('data-status', 'queued'))
    expect(within(bubble('m2')).queryByTestId('message-failure')).toBeNull()
  })

  it('appends live messages of the contact and updates ticks from receipts', async () => {
    const { stream } = setup()
    await screen.findByText('Meu boleto venceu')
    act(() =>
      stream.emit({
        type: 'message.created',
        data: { ...msg({ id: 'm3', conversation_id: 'c2', body: 'Obrigada!', created_at: '2025-03-01T12:05:00Z' }), contact_id: 'ct-joana' },
      }),
    )
    act(() =>
      stream.emit({
        type: 'message.created',
        data: { ...msg({ id: 'zz', conversation_id: 'c9', body: 'outra pessoa' }), contact_id: 'ct-other' },
      }),
    )
    expect(screen.getByText('Obrigada!')).toBeInTheDocument()
    expect(screen.queryByText('outra pessoa')).toBeNull()
    const bubbles = screen.getAllByTestId('message-bubble')
    expect(bubbles[bubbles.length - 1]).toHaveAttribute('data-id', 'm3')

    act(() => stream.emit({ type: 'message.status_changed', data: { id: 'm2', conversation_id: 'c2', status: 'delivered', failure_reason: '' } }))
    expect(within(bubble('m2')).getByTestId('status-tick')).toHaveAttribute('data-status', 'delivered')
  })

  it("replaces a message the customer edited where it is, marked as edited", async () => {
    const { stream } = setup()
    await screen.findByText('Meu boleto venceu')
    const order = () => screen.getAllByTestId('message-bubble').map((b) => b.getAttribute('data-id'))
    const before = order()
    expect(within(bubble('m1')).queryByTestId('edited-marker')).toBeNull()
    act(() =>
      stream.emit({ type: 'message.updated', data: { ...HISTORY[2], body: 'Meu boleto venceu ontem', edited_at: '2025-03-01T12:03:00Z', contact_id: 'ct-joana' } }),
    )
    expect(order()).toEqual(before)
    expect(bubble('m1')).toHaveTextContent('Meu boleto venceu ontem')
    expect(screen.queryByText('Meu boleto venceu')).toBeNull()
    expect(within(bubble('m1')).getByTestId('edited-marker')).toHaveTextContent('editada')
    // another contact's message with the same id is not this thread's
    act(() => stream.emit({ type: 'message.updated', data: { ...HISTORY[2], body: 'outra pessoa', contact_id: 'ct-other', conversation_id: 'c9' } }))
    expect(bubble('m1')).toHaveTextContent('Meu boleto venceu ontem')
  })

  it('shows a file downloading, then the file once it is stored, or why it failed', async () => {
    const { stream } = setup()
    await screen.findByText('Meu boleto venceu')
    const photo = msg({ id: 'm5', conversation_id: 'c2', body: '', created_at: '2025-03-01T12:06:00Z', pending_files: [{ name: 'boleto.jpg', kind: 'image', status: 'pending' }] })
    const doc = msg({ id: 'm6', conversation_id: 'c2', body: 'segue', created_at: '2025-03-01T12:07:00Z', pending_files: [{ name: 'rg.pdf', kind: 'document', status: 'pending' }] })
    act(() => stream.emit({ type: 'message.created', data: { ...photo, contact_id: 'ct-joana' } }))
    act(() => stream.emit({ type: 'message.created', data: { ...doc, contact_id: 'ct-joana' } }))
    expect(within(bubble('m5')).getByTestId('pending-file')).toHaveTextContent('boleto.jpg')
    expect(within(bubble('m5')).getByTestId('pending-file')).toHaveTextContent('baixando…')

    const { pending_files: _p, ...stored } = photo
    void _p
    const file = { id: 'f1', name: 'boleto.jpg', size: 5000, content_type: 'image/jpeg', url: '/api/v1/attachments/f1' }
    act(() => stream.emit({ type: 'message.updated', data: { ...stored, attachments: [file], contact_id: 'ct-joana' } }))
    act(() =>
      stream.emit({
        type: 'message.updated',
        data: { ...doc, pending_files: [{ name: 'rg.pdf', kind: 'document', status: 'failed', error: 'the provider no longer has the file' }], contact_id: 'ct-joana' },
      }),
    )
    expect(within(bubble('m5')).queryByTestId('pending-file')).toBeNull()
    expect(within(bubble('m5')).getByRole('img', { name: 'boleto.jpg' })).toHaveAttribute('src', '/api/v1/attachments/f1')
    const failed = within(bubble('m6')).getByTestId('pending-file')
    expect(failed).toHaveAttribute('data-status', 'failed')
    expect(failed).toHaveTextContent('rg.pdf')
    expect(failed).toHaveTextContent('não foi possível baixar: the provider no longer has the file')
    expect(screen.getAllByTestId('message-bubble').map((b) => b.getAttribute('data-id')).slice(-2)).toEqual(['m5', 'm6'])
  })

  it('quotes the message a reply answers and scrolls to it; an answer to one not loaded says so', async () => {
    const user = userEvent.setup()
    const scroll = vi.fn()
    const original = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollIntoView')
    Object.defineProperty(Element.prototype, 'scrollIntoView', { value: scroll, configurable: true })
    try {
      const { stream } = setup()
      await screen.findByText('Meu boleto venceu')
      act(() =>
        stream.emit({
          type: 'message.created',
          data: { ...msg({ id: 'm7', conversation_id: 'c2', body: 'Ainda não chegou', reply_to_id: 'm2', created_at: '2025-03-01T12:08:00Z' }), contact_id: 'ct-joana' },
        }),
      )
      act(() =>
        stream.emit({
          type: 'message.created',
          data: { ...msg({ id: 'm8', conversation_id: 'c2', body: 'E aquele outro?', reply_to_id: 'not-loaded', created_at: '2025-03-01T12:09:00Z' }), contact_id: 'ct-joana' },
        }),
      )
      const quote = within(bubble('m7')).getByTestId('reply-quote')
      expect(quote).toHaveAttribute('data-reply-to', 'm2')
      expect(quote).toHaveTextContent('Ana')
      expect(quote).toHaveTextContent('Vou gerar outro')
      await user.click(quote)
      expect(scroll).toHaveBeenCalledTimes(1)
      expect(scroll.mock.contexts[0]).toBe(bubble('m2'))

      const missing = within(bubble('m8')).getByTestId('reply-quote')
      expect(missing).toHaveAttribute('data-missing', 'true')
      expect(missing).toHaveTextContent('Resposta a uma mensagem anterior')
      expect(within(bubble('m1')).queryByTestId('reply-quote')).toBeNull()
    } finally {
      if (original) Object.defineProperty(Element.prototype, 'scrollIntoView', original)
      else delete (Element.prototype as { scrollIntoView?: unknown }).scrollIntoView
    }
  })

  it('sends from the composer and shows the queued message once', async () => {
    const user = userEvent.setup()
    const { stream, onSent } = setup()
    await screen.findByText('Meu boleto venceu')
    const sent = msg({ id: 'm4', conversation_id: 'c2', direction: 'outbound', body: 'Segue o novo boleto', status: 'queued', created_at: '2025-03-01T12:10:00Z' })
    vi.spyOn(api, 'sendMessage').mockResolvedValue(sent)
    await user.type(screen.getByTestId('composer-input'), 'Segue o novo boleto{Enter}')
    expect(api.sendMessage).toHaveBeenCalledWith('c2', { body: 'Segue o novo boleto', kind: 'text' }, expect.any(String))
    await waitFor(() => expect(bubble('m4')).toHaveAttribute('data-status', 'queued'))
    expect(onSent).toHaveBeenCalledWith(sent) // the list moves the conversation up
    // the same message also arrives on the stream: still one bubble
    act(() => stream.emit({ type: 'message.created', data: { ...sent, status: 'sent', contact_id: 'ct-joana' } }))
    expect(screen.getAllByText('Segue o novo boleto')).toHaveLength(1)
    expect(within(bubble('m4')).getByTestId('status-tick')).toHaveAttribute('data-status', 'sent')
  })

  it('closes the conversation and reports the new state to the list', async () => {
    const user = userEvent.setup()
    const { onSummary } = setup()
    await screen.findByText('Meu boleto venceu')
    const closed = { ...DETAIL, contact: { id: 'ct-joana', name: 'Joana Lima' }, status: 'closed' as const }
    vi.spyOn(api, 'close').mockResolvedValue(closed)
    await user.click(screen.getByTestId('action-close'))
    expect(api.close).toHaveBeenCalledWith('c2')
    await waitFor(() => expect(screen.getByTestId('conversation-status')).toHaveAttribute('data-status', 'closed'))
    expect(onSummary).toHaveBeenCalledWith(closed)
    expect(screen.getByTestId('action-reopen')).toBeInTheDocument()
    expect(screen.queryByTestId('action-close')).toBeNull()
  })

  it('shows the server error when an action is refused', async () => {
    const user = userEvent.setup()
    setup()
    await screen.findByText('Meu boleto venceu')
    const { ApiError } = await import('../api/client')
    vi.spyOn(api, 'assign').mockRejectedValue(new ApiError(409, { detail: 'agent at capacity' }))
    await user.click(screen.getByTestId('action-assign-me'))
    expect(await screen.findByTestId('action-error')).toHaveTextContent('agent at capacity')
  })

  it('links operators to the workflow history in the Temporal Web UI', async () => {
    setup()
    const link = await screen.findByTestId('workflow-link')
    expect(link).toHaveAttribute('href', 'http://localhost:8233/namespaces/default/workflows/conversation%2Fch-wa%2Fct-joana')
    expect(link).toHaveTextContent('Histórico do workflow')
  })

  it('hides the actions an agent is not allowed to take', async () => {
    setup(makeMe({ permissions: ['conversations:view:assigned', 'conversations:reply'] }))
    await screen.findByText('Meu boleto venceu')
    expect(screen.queryByTestId('action-close')).toBeNull()
    expect(screen.queryByTestId('action-assign')).toBeNull()
    expect(screen.queryByTestId('action-assign-me')).toBeNull()
    expect(screen.queryByTestId('action-transfer')).toBeNull()
    expect(screen.queryByTestId('workflow-link')).toBeNull()
    expect(screen.getByTestId('composer-input')).toBeInTheDocument()
  })

  it('is read-only without the reply permission', async () => {
    setup(makeMe({ permissions: ['conversations:view:all'] }))
    await screen.findByText('Meu boleto venceu')
    expect(screen.queryByTestId('composer-input')).toBeNull()
    expect(within(bubble('m2')).queryByTestId('message-retry')).toBeNull()
  })

  it('shows the AI button only when the account has the "ai" module', async () => {
    setup()
    await screen.findByText('Meu boleto venceu')
    expect(screen.getByTestId('composer-input')).toBeInTheDocument()
    expect(screen.queryByTestId('ai-button')).toBeNull()
  })

  it('asks the assist endpoint of the open conversation and never sends on its own', async () => {
    const user = userEvent.setup()
    const me = makeMe()
    setup({ ...me, account: { ...me.account, modules: [...me.account.modules, 'ai'] } })
    await screen.findByText('Meu boleto venceu')
    const assist = vi.spyOn(api, 'assist').mockResolvedValue({ suggestion: 'Olá, Joana! Já gero um novo boleto.', operation: 'suggest_reply' })
    const sendMessage = vi.spyOn(api, 'sendMessage')
    await user.click(screen.getByTestId('ai-button'))
    await user.click(screen.getAllByTestId('ai-op').find((b) => b.getAttribute('data-op') === 'suggest_reply')!)
    expect(assist).toHaveBeenCalledWith('c2', { operation: 'suggest_reply', draft: '' }, expect.any(AbortSignal))
    await user.click(await screen.findByTestId('ai-accept'))
    expect(screen.getByTestId('composer-input')).toHaveValue('Olá, Joana! Já gero um novo boleto.')
    expect(sendMessage).not.toHaveBeenCalled()
  })

  it('offers the templates of the channel on WhatsApp Official and sends one to this conversation', async () => {
    const user = userEvent.setup()
    const caps: ChannelCapabilities = {
      window_seconds: 86400,
      human_agent_window_seconds: 0,
      media: [],
      templates: true,
      receipts: true,
      threads: false,
      edits: false,
      reactions: true,
      comments: false,
      sends_per_second: 80,
    }
    const kinds: ChannelKindInfo[] = [
      { kind: 'whatsapp_official', label: 'WhatsApp (official)', available: true, in_plan: true, activation: true, oauth: false, capabilities: caps, settings: [] },
      { kind: 'whatsapp', label: 'WhatsApp (QR code)', available: true, in_plan: true, activation: true, oauth: false, capabilities: { ...caps, templates: false }, settings: [] },
    ]
    const official: ConversationDetail = { ...DETAIL, channel: { id: 'ch-oficial', kind: 'whatsapp_official', name: 'WhatsApp Oficial' } }
    const templates = vi.spyOn(api, 'templates').mockResolvedValue({
      items: [
        {
          id: 'tpl-1',
          channel_id: 'ch-oficial',
          name: 'retomar_atendimento',
          language: 'pt_BR',
          category: 'UTILITY',
          status: 'APPROVED',
          reason: '',
          body: 'Oi {{1}}, podemos continuar seu atendimento?',
          header: '',
          footer: '',
          params: 1,
          updated_at: '2025-05-01T12:00:00Z',
        },
      ],
    })
    const sent = msg({ id: 'm9', conversation_id: 'c2', direction: 'outbound', body: 'Oi Joana, podemos continuar seu atendimento?', status: 'queued' })
    const sendTemplate = vi.spyOn(api, 'sendTemplate').mockResolvedValue(sent)
    const { onSent } = setup(makeMe(), official, kinds)
    await user.click(await screen.findByTestId('composer-template'))
    expect(templates).toHaveBeenCalledWith('ch-oficial')
    await user.click(await screen.findByText('retomar_atendimento'))
    expect(screen.getByTestId('template-preview-body')).toHaveTextContent('Oi Joana, podemos continuar seu atendimento?')
    await user.click(screen.getByTestId('template-send'))
    expect(sendTemplate).toHaveBeenCalledWith('c2', { id: 'tpl-1', params: ['Joana'] }, expect.stringMatching(/^[0-9a-f-]{36}$/))
    expect(await screen.findByText('Oi Joana, podemos continuar seu atendimento?', { selector: '[data-testid="message-bubble"] *' })).toBeInTheDocument()
    expect(onSent).toHaveBeenCalledWith(sent)
  })

  it('has no template button on a channel kind without templates', async () => {
    setup(makeMe(), DETAIL, [
      {
        kind: 'whatsapp',
        label: 'WhatsApp (QR code)',
        available: true,
        in_plan: true,
        activation: true,
        oauth: false,
        capabilities: { window_seconds: 0, human_agent_window_seconds: 0, media: [], templates: false, receipts: true, threads: false, edits: true, reactions: true, comments: false, sends_per_second: 1 },
        settings: [],
      },
    ])
    await screen.findByTestId('composer')
    expect(screen.queryByTestId('composer-template')).toBeNull()
  })

  it('opens the contact panel with phone, e-mail, channels and tickets', async () => {
    const user = userEvent.setup()
    setup()
    await screen.findByText('Meu boleto venceu')
    await user.click(screen.getByTestId('action-contact'))
    const panel = screen.getByTestId('contact-panel')
    expect(within(panel).getByTestId('contact-phone')).toHaveTextContent('+55 11 98888-7777')
    expect(within(panel).getByTestId('contact-email')).toHaveTextContent('joana@exemplo.com.br')
    expect(panel).toHaveTextContent('5511988887777')
    expect(panel).toHaveTextContent('cliente-vip')
    expect(within(within(panel).getByTestId('contact-tickets')).getAllByRole('button')).toHaveLength(2)
  })
  it('shows the rule trail in the contact panel to agents who can assign, and hides it otherwise', async () => {
    const user = userEvent.setup()
    const rules = vi.spyOn(api, 'conversationRules').mockResolvedValue({
      items: [{ id: 'e1', conversation_id: 'c2', rule_id: 'r1', rule_name: 'Round robin SAC', event: 'conversation.created', outcome: 'assigned', detail: 'Ana', created_at: '2025-03-01T12:00:00Z' }],
    })
    setup()
    await screen.findByText('Meu boleto venceu')
    await user.click(screen.getByTestId('action-contact'))
    const panel = screen.getByTestId('contact-panel')
    await user.click(within(panel).getByTestId('rule-trail-toggle'))
    const row = await within(panel).findByTestId('rule-trail-row')
    expect(rules).toHaveBeenCalledWith('c2')
    expect(row).toHaveAttribute('data-outcome', 'assigned')
    expect(row).toHaveTextContent('Atribuída')
  })

  it('hides the rule trail without rules:manage or conversations:assign', async () => {
    const user = userEvent.setup()
    setup(makeMe({ permissions: ['conversations:view:all', 'conversations:reply'] }))
    await screen.findByText('Meu boleto venceu')
    await user.click(screen.getByTestId('action-contact'))
    expect(screen.getByTestId('contact-panel')).toBeInTheDocument()
    expect(screen.queryByTestId('rule-trail-toggle')).toBeNull()
  })

  describe('an e-mail thread', () => {
    const MAIL_DETAIL: ConversationDetail = { ...DETAIL, channel: { id: 'ch-mail', kind: 'email', name: 'SAC' }, thread: { kind: '', key: 'mail:1f2e3d4c5b6a7988' } }
    const MAILS: Message[] = [
      msg({ id: 'old1', conversation_id: 'c1', subject: 'Nota fiscal', body: 'Cadê a nota?', created_at: '2025-01-10T10:00:00Z' }),
      msg({ id: 'e1', conversation_id: 'c2', subject: 'Troca do pedido 123', body: 'Quero trocar o tamanho.', created_at: '2025-03-01T12:00:00Z' }),
      msg({ id: 'e2', conversation_id: 'c2', direction: 'outbound', status: 'sent', body: 'Claro! Qual tamanho?', author: { id: 'u-ana', name: 'Ana' }, created_at: '2025-03-01T12:01:00Z' }),
      msg({
        id: 'e3',
        conversation_id: 'c2',
        subject: 'Re: Troca do pedido 123',
        body: 'O M, por favor.',
        html: '<p>O M, por favor.</p><blockquote>Em 1 de mar., SAC escreveu:<br>Claro! Qual tamanho?</blockquote><img data-remote-src="https://example.com/t.gif">',
        cc: ['marido@cliente.com.br'],
        created_at: '2025-03-01T12:05:00Z',
      }),
    ]

    it("heads the conversation with the thread's subject and shows a subject once per thread", async () => {
      const { stream } = setup(makeMe(), MAIL_DETAIL, [], MAILS)
      await screen.findByText('O M, por favor.')
      expect(screen.getByTestId('conversation-subject')).toHaveTextContent(/^Re: Troca do pedido 123$/)
      // the earlier thread's and this one's first mail; not the agent's reply, not the "Re:"
      expect(within(bubble('old1')).getByTestId('message-subject')).toHaveTextContent('Nota fiscal')
      expect(within(bubble('e1')).getByTestId('message-subject')).toHaveTextContent('Troca do pedido 123')
      expect(within(bubble('e2')).queryByTestId('message-subject')).toBeNull()
      expect(within(bubble('e3')).queryByTestId('message-subject')).toBeNull()
      expect(within(bubble('e3')).getByTestId('message-cc')).toHaveTextContent('Cc: marido@cliente.com.br')
      // the whole mail on request; the agent's reply has none
      expect(within(bubble('e3')).getByTestId('message-html-toggle')).toHaveTextContent('Mostrar mensagem completa')
      expect(within(bubble('e2')).queryByTestId('message-html-toggle')).toBeNull()
      expect(screen.queryByTestId('message-html')).toBeNull()

      // a later mail of the thread moves the header's subject along
      act(() =>
        stream.emit({
          type: 'message.created',
          data: { ...msg({ id: 'e4', conversation_id: 'c2', subject: 'Re: Troca do pedido 123 (urgente)', body: 'Alguma novidade?', created_at: '2025-03-01T13:00:00Z' }), contact_id: 'ct-joana' },
        }),
      )
      expect(screen.getByTestId('conversation-subject')).toHaveTextContent('Re: Troca do pedido 123 (urgente)')
      expect(within(bubble('e4')).getByTestId('message-subject')).toHaveTextContent('Re: Troca do pedido 123 (urgente)')
    })

    it('shows no subject line on conversations without subjects', async () => {
      setup()
      await screen.findByText('Meu boleto venceu')
      expect(screen.queryByTestId('conversation-subject')).toBeNull()
      expect(screen.queryByTestId('message-subject')).toBeNull()
    })
  })
})

describe('ConversationView on a metered channel (SMS)', () => {
  const caps: ChannelCapabilities = {
    window_seconds: 0,
    human_agent_window_seconds: 0,
    media: [],
    templates: false,
    receipts: true,
    threads: false,
    edits: false,
    reactions: false,
    comments: false,
    max_text: 1530,
    metered: true,
    sends_per_second: 10,
  }
  const SMS_KIND: ChannelKindInfo = { kind: 'sms', label: 'SMS', available: true, in_plan: true, activation: true, oauth: false, capabilities: caps, settings: [] }
  const sms: ConversationDetail = { ...DETAIL, channel: { id: 'ch-sms', kind: 'sms', name: 'SMS Loja' } }

  // a draft left for c2 by an earlier test would be quoted too
  beforeEach(() => draftStore.clear())
  afterEach(() => {
    vi.unstubAllGlobals()
    setUnauthorizedHandler(() => {})
  })

  function server(answer: (method: string, path: string, body: unknown) => Response | undefined) {
    const calls: { method: string; path: string; body: unknown }[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        const method = init?.method ?? 'GET'
        const body = init?.body ? JSON.parse(String(init.body)) : undefined
        calls.push({ method, path: url, body })
        return answer(method, url, body) ?? new Response(null, { status: 204 })
      }),
    )
    return calls
  }
  const problem = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } })
  const ok = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })

  it('quotes the draft and shows a 402 refusal of the send, without taking it for a lost session', async () => {
    const user = userEvent.setup()
    const unauthorized = vi.fn()
    setUnauthorizedHandler(unauthorized)
    const detail = 'saldo insuficiente: o envio custa R$ 0,90, o saldo é R$ 0,50 (faltam R$ 0,40)'
    const calls = server((method, path) => {
      if (method === 'POST' && path === '/api/v1/conversations/c2/quote')
        return ok({ metered: true, units: 2, encoding: 'gsm7', characters: 170, unit_cents: 9, cents: 18, balance_cents: 12345 })
      if (method === 'POST' && path === '/api/v1/conversations/c2/messages')
        return problem(402, { type: 'about:blank', title: 'Payment Required', status: 402, detail, field: 'balance', balance_cents: 50, missing_cents: 40 })
      return undefined
    })
    setup(makeMe(), sms, [SMS_KIND])
    await screen.findByText('Meu boleto venceu')
    await user.type(screen.getByTestId('composer-input'), 'Seu boleto novo')
    const line = await screen.findByTestId('composer-quote-line')
    expect(line.textContent?.replace(/\s/g, ' ')).toBe('2 segmentos · R$ 0,18 · saldo R$ 123,45')
    expect(calls.filter((c) => c.path === '/api/v1/conversations/c2/quote').at(-1)?.body).toEqual({ text: 'Seu boleto novo' })

    await user.type(screen.getByTestId('composer-input'), '{Enter}')
    expect(await screen.findByTestId('composer-error')).toHaveTextContent(`Mensagem não enviada: ${detail}`)
    expect(unauthorized).not.toHaveBeenCalled()
    expect(screen.getByTestId('composer')).toBeInTheDocument()
  })

  it('quotes nothing on a channel that is not metered', async () => {
    const user = userEvent.setup()
    const calls = server(() => undefined)
    setup(makeMe(), sms, [{ ...SMS_KIND, capabilities: { ...caps, metered: false } }])
    await screen.findByText('Meu boleto venceu')
    await user.type(screen.getByTestId('composer-input'), 'Oi')
    await new Promise((r) => setTimeout(r, 400))
    expect(calls.filter((c) => c.path.endsWith('/quote'))).toEqual([])
    expect(screen.queryByTestId('composer-quote')).toBeNull()
  })
})
