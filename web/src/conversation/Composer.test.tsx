import { beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Composer } from './Composer'
import type { ComposerProps } from './Composer'
import { draftStore } from './composerLogic'
import { ApiError } from '../api/client'
import { I18nProvider } from '../i18n'
import type { Message, MessageTemplate, QuickReply, SendQuote } from '../api/types'
import { StreamContext } from '../session'
import { fakeStream, msg } from '../test/fakes'
import type { TemplateOptions } from './TemplatePicker'

const QUICK: QuickReply[] = [
  { id: 'q1', shortcut: 'obrigado', text: 'Obrigado pelo contato! Qualquer dúvida, estamos à disposição.' },
  { id: 'q2', shortcut: 'pix', text: 'Nossa chave PIX é o CNPJ 12.345.678/0001-90.' },
  { id: 'q3', shortcut: 'horario', text: 'Atendemos de segunda a sexta, das 8h às 18h.' },
]

function setup(props: Partial<ComposerProps> = {}) {
  const send = vi.fn<ComposerProps['send']>(async (input) => msg({ direction: 'outbound', body: input.body, status: 'queued' }))
  const onSent = vi.fn<(m: Message) => void>()
  const user = userEvent.setup()
  render(
    <I18nProvider initial="pt-BR">
      <Composer conversationId="c1" quickReplies={QUICK} send={send} onSent={onSent} {...props} />
    </I18nProvider>,
  )
  const input = screen.getByTestId('composer-input') as HTMLTextAreaElement
  return { send: (props.send as typeof send) ?? send, onSent, user, input }
}

beforeEach(() => draftStore.clear())

describe('Composer', () => {
  it('sends on Enter and clears the box', async () => {
    const { send, onSent, user, input } = setup()
    await user.type(input, 'Bom dia, tudo bem?{Enter}')
    expect(send).toHaveBeenCalledTimes(1)
    expect(send.mock.calls[0][0]).toEqual({ body: 'Bom dia, tudo bem?', kind: 'text' })
    await waitFor(() => expect(input.value).toBe(''))
    expect(onSent).toHaveBeenCalledTimes(1)
  })

  it('inserts a newline on Shift+Enter without sending', async () => {
    const { send, user, input } = setup()
    await user.type(input, 'linha 1{Shift>}{Enter}{/Shift}linha 2')
    expect(input.value).toBe('linha 1\nlinha 2')
    expect(send).not.toHaveBeenCalled()
    await user.type(input, '{Enter}')
    expect(send.mock.calls[0][0].body).toBe('linha 1\nlinha 2')
  })

  it('does not send an empty or blank message', async () => {
    const { send, user, input } = setup()
    expect(screen.getByTestId('composer-send')).toBeDisabled()
    await user.type(input, '{Enter}')
    await user.type(input, '   {Enter}')
    await user.click(screen.getByTestId('composer-send'))
    expect(send).not.toHaveBeenCalled()
  })

  it('opens quick replies on "/" and filters them by what follows', async () => {
    const { user, input } = setup()
    expect(screen.queryByTestId('quick-replies')).toBeNull()
    await user.type(input, '/')
    expect(screen.getAllByTestId('quick-reply-option')).toHaveLength(3)
    await user.type(input, 'pi')
    const options = screen.getAllByTestId('quick-reply-option')
    expect(options).toHaveLength(1)
    expect(options[0]).toHaveTextContent('/pix')
  })

  it('inserts the selected quick reply on Enter instead of sending', async () => {
    const { send, user, input } = setup()
    await user.type(input, '/hor{Enter}')
    expect(input.value).toBe(QUICK[2].text)
    expect(send).not.toHaveBeenCalled()
    expect(screen.queryByTestId('quick-replies')).toBeNull()
    await user.type(input, '{Enter}')
    expect(send.mock.calls[0][0].body).toBe(QUICK[2].text)
  })

  it('inserts a quick reply on click and moves with the arrow keys', async () => {
    const { user, input } = setup()
    await user.type(input, '/')
    await user.click(screen.getAllByTestId('quick-reply-option')[0])
    // options are sorted by shortcut: horario, obrigado, pix
    expect(input.value).toBe(QUICK[2].text)

    await user.clear(input)
    await user.type(input, '/{ArrowDown}{Enter}')
    expect(input.value).toBe(QUICK[0].text)
  })

  it('leaves "/" text alone after Escape closes the list', async () => {
    const { send, user, input } = setup()
    await user.type(input, '/pix{Escape}')
    expect(screen.queryByTestId('quick-replies')).toBeNull()
    await user.type(input, '{Enter}')
    expect(send.mock.calls[0][0].body).toBe('/pix')
  })

  it('sends a private note when the note toggle is on', async () => {
    const { send, user, input } = setup()
    await user.click(screen.getByTestId('composer-note-toggle'))
    expect(screen.getByTestId('composer-note-toggle')).toHaveAttribute('aria-pressed', 'true')
    await user.type(input, 'Cliente VIP, priorizar{Enter}')
    expect(send.mock.calls[0][0]).toEqual({ body: 'Cliente VIP, priorizar', kind: 'note' })
  })

  it('keeps the draft after a failed send and retries with the same Idempotency-Key', async () => {
    const send = vi
      .fn<ComposerProps['send']>()
      .mockRejectedValueOnce(new ApiError(0, {}))
      .mockImplementation(async (input) => msg({ direction: 'outbound', body: input.body, status: 'queued' }))
    const { user, input } = setup({ send })
    await user.type(input, 'Seu pedido saiu para entrega{Enter}')
    await screen.findByTestId('composer-error')
    expect(input.value).toBe('Seu pedido saiu para entrega')

    await user.click(screen.getByTestId('composer-send'))
    await waitFor(() => expect(input.value).toBe(''))
    expect(send).toHaveBeenCalledTimes(2)
    const [firstKey, retryKey] = [send.mock.calls[0][1], send.mock.calls[1][1]]
    expect(firstKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(retryKey).toBe(firstKey)
    expect(screen.queryByTestId('composer-error')).toBeNull()

    // the next message is a new send with a new key
    await user.type(input, 'Obrigado!{Enter}')
    expect(send).toHaveBeenCalledTimes(3)
    expect(send.mock.calls[2][1]).not.toBe(firstKey)
  })

  it('uses a new key when the failed draft is edited before sending again', async () => {
    const send = vi.fn<ComposerProps['send']>().mockRejectedValue(new ApiError(503, { detail: 'indisponível' }))
    const { user, input } = setup({ send })
    await user.type(input, 'Oi{Enter}')
    await screen.findByTestId('composer-error')
    await user.type(input, '!{Enter}')
    await waitFor(() => expect(send).toHaveBeenCalledTimes(2))
    expect(send.mock.calls[1][1]).not.toBe(send.mock.calls[0][1])
  })

  it("shows the server's reason when a send is refused", async () => {
    const send = vi
      .fn<ComposerProps['send']>()
      .mockRejectedValue(new ApiError(422, { detail: 'window closed: send an approved template' }))
    const { user, input } = setup({ send })
    await user.type(input, 'Olá{Enter}')
    expect(await screen.findByTestId('composer-error')).toHaveTextContent('window closed: send an approved template')
    expect(input.value).toBe('Olá')
  })

  it('inserts an emoji at the caret', async () => {
    const { user, input } = setup()
    await user.type(input, 'Oi tudo bem')
    input.setSelectionRange(2, 2)
    await user.click(screen.getByTestId('composer-emoji'))
    await user.click(screen.getByRole('button', { name: '👍' }))
    expect(input.value).toBe('Oi👍 tudo bem')
    expect(screen.queryByTestId('emoji-picker')).toBeNull()
  })

  it('uploads an attachment and sends its id', async () => {
    const upload = vi.fn(async (f: File) => ({ id: 'att-1', name: f.name, size: f.size, content_type: f.type, url: '/x' }))
    const { send, user } = setup({ upload })
    const file = new File(['%PDF'], 'boleto.pdf', { type: 'application/pdf' })
    await user.upload(screen.getByTestId('composer-file'), file)
    expect(await screen.findByTestId('composer-attachment')).toHaveTextContent('boleto.pdf')
    await user.click(screen.getByTestId('composer-send'))
    expect(send.mock.calls[0][0]).toEqual({ body: '', kind: 'text', attachment_ids: ['att-1'] })
  })

  it('keeps the draft of a conversation when the agent switches away and back', async () => {
    const user = userEvent.setup()
    const send = vi.fn<ComposerProps['send']>()
    const view = (id: string) => (
      <I18nProvider initial="pt-BR">
        <Composer key={id} conversationId={id} quickReplies={QUICK} send={send} />
      </I18nProvider>
    )
    const { rerender } = render(view('c1'))
    await user.type(screen.getByTestId('composer-input'), 'rascunho para c1')
    rerender(view('c2'))
    expect(screen.getByTestId('composer-input')).toHaveValue('')
    rerender(view('c1'))
    expect(screen.getByTestId('composer-input')).toHaveValue('rascunho para c1')
  })
})

describe('Composer AI Assist', () => {
  function setupAi(assist: ComposerProps['assist']) {
    return setup({ assist })
  }

  it('accepts a suggestion into the draft without sending it', async () => {
    const assist = vi.fn<NonNullable<ComposerProps['assist']>>(async () => ({
      suggestion: 'Prezado cliente, seu pedido será entregue amanhã.',
      operation: 'rewrite',
    }))
    const { send, user, input } = setupAi(assist)
    await user.type(input, 'pedido chega amanha')
    await user.click(screen.getByTestId('ai-button'))
    await user.click(within(screen.getByTestId('ai-menu')).getByText('Reescrever de forma profissional'))
    expect(assist).toHaveBeenCalledTimes(1)
    expect(assist.mock.calls[0][0]).toEqual({ operation: 'rewrite', draft: 'pedido chega amanha' })
    expect(await screen.findByTestId('ai-suggestion')).toHaveTextContent('Prezado cliente, seu pedido será entregue amanhã.')
    // the suggestion waits beside the draft: the draft is untouched until accepted
    expect(input.value).toBe('pedido chega amanha')

    await user.click(screen.getByTestId('ai-accept'))
    expect(input.value).toBe('Prezado cliente, seu pedido será entregue amanhã.')
    expect(input).toHaveFocus()
    expect(input.selectionStart).toBe(input.value.length)
    expect(screen.queryByTestId('ai-suggestion')).toBeNull()
    expect(send).not.toHaveBeenCalled()

    // only the agent's Send sends, with the accepted text
    await user.click(screen.getByTestId('composer-send'))
    expect(send).toHaveBeenCalledTimes(1)
    expect(send.mock.calls[0][0]).toEqual({ body: 'Prezado cliente, seu pedido será entregue amanhã.', kind: 'text' })
  })

  it('puts the suggestion in the box for editing, with the caret at the end', async () => {
    const assist = vi.fn<NonNullable<ComposerProps['assist']>>(async () => ({ suggestion: 'Texto corrigido.', operation: 'fix' }))
    const { send, user, input } = setupAi(assist)
    await user.type(input, 'texto corijido')
    await user.click(screen.getByTestId('ai-button'))
    await user.click(screen.getAllByTestId('ai-op').find((b) => b.getAttribute('data-op') === 'fix')!)
    await user.click(await screen.findByTestId('ai-edit'))
    expect(input.value).toBe('Texto corrigido.')
    expect(input).toHaveFocus()
    await user.type(input, ' Obrigado!')
    expect(input.value).toBe('Texto corrigido. Obrigado!')
    expect(send).not.toHaveBeenCalled()
  })

  it('discards a suggestion and keeps the draft', async () => {
    const assist = vi.fn<NonNullable<ComposerProps['assist']>>(async () => ({ suggestion: 'Outra coisa', operation: 'expand' }))
    const { send, user, input } = setupAi(assist)
    await user.type(input, 'meu rascunho')
    await user.click(screen.getByTestId('ai-button'))
    await user.click(screen.getAllByTestId('ai-op').find((b) => b.getAttribute('data-op') === 'expand')!)
    await screen.findByTestId('ai-suggestion')
    await user.click(screen.getByTestId('ai-discard'))
    expect(screen.queryByTestId('ai-suggestion')).toBeNull()
    expect(input.value).toBe('meu rascunho')
    expect(send).not.toHaveBeenCalled()
  })

  it('suggests a reply from an empty draft; the other operations need a draft', async () => {
    const assist = vi.fn<NonNullable<ComposerProps['assist']>>(async () => ({ suggestion: 'Olá! Posso ajudar?', operation: 'suggest_reply' }))
    const { user } = setupAi(assist)
    await user.click(screen.getByTestId('ai-button'))
    const ops = screen.getAllByTestId('ai-op')
    expect(ops.map((b) => b.getAttribute('data-op'))).toEqual(['rewrite', 'fix', 'suggest_reply', 'expand', 'translate', 'adjust'])
    for (const b of ops) {
      if (b.getAttribute('data-op') === 'suggest_reply') expect(b).toBeEnabled()
      else expect(b).toBeDisabled()
    }
    await user.click(ops.find((b) => b.getAttribute('data-op') === 'suggest_reply')!)
    expect(assist).toHaveBeenCalledTimes(1)
    expect(assist.mock.calls[0][0]).toEqual({ operation: 'suggest_reply', draft: '' })
    expect(await screen.findByTestId('ai-suggestion')).toHaveTextContent('Olá! Posso ajudar?')
  })

  it('asks the target language for translate and the audience for adjust', async () => {
    const assist = vi.fn<NonNullable<ComposerProps['assist']>>(async (req) => ({ suggestion: 'ok', operation: req.operation }))
    const { user, input } = setupAi(assist)
    await user.type(input, 'Obrigado')
    await user.click(screen.getByTestId('ai-button'))
    await user.click(screen.getAllByTestId('ai-op').find((b) => b.getAttribute('data-op') === 'translate')!)
    expect(assist).not.toHaveBeenCalled()
    await user.click(screen.getAllByTestId('ai-choice').find((b) => b.getAttribute('data-value') === 'es')!)
    expect(assist.mock.calls[0][0]).toEqual({ operation: 'translate', draft: 'Obrigado', target_language: 'es' })
    await screen.findByTestId('ai-suggestion')

    await user.click(screen.getByTestId('ai-button'))
    await user.click(screen.getAllByTestId('ai-op').find((b) => b.getAttribute('data-op') === 'adjust')!)
    await user.click(screen.getAllByTestId('ai-choice').find((b) => b.getAttribute('data-value') === 'legal')!)
    expect(assist.mock.calls[1][0]).toEqual({ operation: 'adjust', draft: 'Obrigado', audience: 'legal' })
  })

  it("shows the server's detail as is and leaves the draft alone", async () => {
    const assist = vi
      .fn<NonNullable<ComposerProps['assist']>>()
      .mockRejectedValue(new ApiError(429, { detail: 'quota reached for this month' }, 30))
    const { send, user, input } = setupAi(assist)
    await user.type(input, 'rascunho')
    await user.click(screen.getByTestId('ai-button'))
    await user.click(screen.getAllByTestId('ai-op').find((b) => b.getAttribute('data-op') === 'rewrite')!)
    const err = await screen.findByTestId('ai-error')
    expect(err).toHaveTextContent('quota reached for this month')
    expect(err).toHaveTextContent('30 s')
    expect(screen.queryByTestId('ai-suggestion')).toBeNull()
    expect(input.value).toBe('rascunho')
    expect(send).not.toHaveBeenCalled()
  })

  it('shows a spinner while waiting and cancels from the button', async () => {
    let signal: AbortSignal | undefined
    const assist = vi.fn<NonNullable<ComposerProps['assist']>>(
      (_req, s) =>
        new Promise((_resolve, reject) => {
          signal = s
          s.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
        }),
    )
    const { user } = setupAi(assist)
    await user.click(screen.getByTestId('ai-button'))
    await user.click(screen.getAllByTestId('ai-op').find((b) => b.getAttribute('data-op') === 'suggest_reply')!)
    const button = screen.getByTestId('ai-button')
    expect(button).toHaveAttribute('aria-busy', 'true')
    expect(button.querySelector('.spinner')).not.toBeNull()
    await user.click(button)
    expect(signal?.aborted).toBe(true)
    await waitFor(() => expect(screen.getByTestId('ai-button')).toHaveAttribute('aria-busy', 'false'))
    expect(screen.queryByTestId('ai-error')).toBeNull()
    expect(screen.queryByTestId('ai-suggestion')).toBeNull()
  })

  it('has no AI button when no assist is given', () => {
    setup()
    expect(screen.queryByTestId('ai-button')).toBeNull()
  })
})

describe('Composer templates (WhatsApp Official)', () => {
  const tpl = (over: Partial<MessageTemplate>): MessageTemplate => ({
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
  })
  const TEMPLATES = [
    tpl({ id: 'tpl-1', name: 'pedido_enviado', header: 'Loja Exemplo', body: 'Olá, {{1}}! Seu pedido {{2}} saiu para entrega.', footer: 'Não responda', params: 2 }),
    tpl({ id: 'tpl-2', name: 'boleto_pendente', status: 'PENDING', body: '{{1}}, seu boleto vence amanhã.', params: 1 }),
    tpl({ id: 'tpl-3', name: 'promo', category: 'MARKETING', status: 'REJECTED', reason: 'promo' }),
    tpl({ id: 'tpl-4', name: 'retomar_contato', category: 'MARKETING', body: 'Podemos continuar o seu atendimento?' }),
    tpl({ id: 'tpl-5', name: 'de_outro_canal', channel_id: 'ch-2' }),
  ]

  function setupTemplates(over: Partial<TemplateOptions> = {}, props: Partial<ComposerProps> = {}) {
    const sendTemplate = vi.fn<TemplateOptions['send']>(async (t) => msg({ direction: 'outbound', body: `rendered ${t.id}`, status: 'queued' }))
    const load = vi.fn<TemplateOptions['load']>(async () => TEMPLATES)
    const options: TemplateOptions = { channelId: 'ch-wa', load, send: sendTemplate, contactName: 'Joana Lima', ...over }
    const s = setup({ templates: options, ...props })
    return { ...s, sendTemplate: options.send as typeof sendTemplate, load: options.load as typeof load }
  }

  const option = (id: string) => screen.getAllByTestId('template-option').find((o) => o.getAttribute('data-id') === id)!

  it('lists only approved templates of the channel, fills the variables, previews and sends {id, params}', async () => {
    const { user, sendTemplate, load, onSent, send } = setupTemplates()
    await user.click(screen.getByTestId('composer-template'))
    const picker = screen.getByTestId('template-picker')
    expect(load).toHaveBeenCalledTimes(1)
    await waitFor(() => expect(within(picker).getAllByTestId('template-option')).toHaveLength(2))
    expect(within(picker).getAllByTestId('template-option').map((o) => o.getAttribute('data-id'))).toEqual(['tpl-1', 'tpl-4'])

    await user.click(option('tpl-1'))
    const params = within(picker).getAllByTestId('template-param') as HTMLInputElement[]
    expect(params.map((p) => p.getAttribute('data-n'))).toEqual(['1', '2'])
    // {{1}} greets the customer: their first name is already in
    expect(params.map((p) => p.value)).toEqual(['Joana', ''])
    expect(params[0]).toHaveFocus()
    expect(within(picker).getByTestId('template-preview-body')).toHaveTextContent('Olá, Joana! Seu pedido {{2}} saiu para entrega.')
    expect(within(picker).getByTestId('template-preview-header')).toHaveTextContent('Loja Exemplo')
    expect(within(picker).getByTestId('template-preview-footer')).toHaveTextContent('Não responda')
    expect(within(picker).getByTestId('template-cost')).toHaveTextContent('A Meta cobra por mensagem de template entregue, conforme a categoria (este template: Utilidade).')
    // not every variable has a value yet
    expect(within(picker).getByTestId('template-send')).toBeDisabled()

    await user.type(params[1], '12345')
    expect(within(picker).getByTestId('template-preview-body')).toHaveTextContent('Olá, Joana! Seu pedido 12345 saiu para entrega.')
    await user.click(within(picker).getByTestId('template-send'))

    expect(sendTemplate).toHaveBeenCalledTimes(1)
    expect(sendTemplate.mock.calls[0][0]).toEqual({ id: 'tpl-1', params: ['Joana', '12345'] })
    expect(sendTemplate.mock.calls[0][1]).toMatch(/^[0-9a-f-]{36}$/)
    expect(send).not.toHaveBeenCalled()
    await waitFor(() => expect(screen.queryByTestId('template-picker')).toBeNull())
    expect(onSent).toHaveBeenCalledWith(expect.objectContaining({ body: 'rendered tpl-1' }))
  })

  it('offers the picker when a free-text send is refused because the 24 h window closed', async () => {
    const send = vi.fn<ComposerProps['send']>().mockRejectedValue(new ApiError(422, { detail: 'window closed: send an approved template', field: 'body' }))
    const { user, input, sendTemplate } = setupTemplates({}, { send })
    await user.type(input, 'Oi, tudo bem?{Enter}')
    const err = await screen.findByTestId('composer-error')
    expect(err).toHaveTextContent('window closed: send an approved template')
    expect(screen.getByTestId('composer-window-closed')).toHaveTextContent('só entrega templates aprovados')
    expect(screen.queryByTestId('template-picker')).toBeNull()

    await user.click(screen.getByTestId('composer-template-hint'))
    expect(screen.getByTestId('template-picker')).toBeInTheDocument()
    await user.click(await screen.findByText('retomar_contato'))
    // no variables: ready to go
    await user.click(screen.getByTestId('template-send'))
    expect(sendTemplate.mock.calls[0][0]).toEqual({ id: 'tpl-4', params: [] })
    await waitFor(() => expect(screen.queryByTestId('composer-error')).toBeNull())
    // the draft the agent typed is still there for later
    expect(input.value).toBe('Oi, tudo bem?')
  })

  it('shows a refused template send in the picker and retries it with the same Idempotency-Key', async () => {
    const sendTemplate = vi
      .fn<TemplateOptions['send']>()
      .mockRejectedValueOnce(new ApiError(422, { detail: 'template: not approved for this channel', field: 'template' }))
      .mockResolvedValue(msg({ direction: 'outbound', body: 'ok', status: 'queued' }))
    const { user } = setupTemplates({ send: sendTemplate })
    await user.click(screen.getByTestId('composer-template'))
    await user.click(await screen.findByText('pedido_enviado'))
    await user.type(screen.getAllByTestId('template-param')[1], '777')
    await user.click(screen.getByTestId('template-send'))
    expect(await screen.findByTestId('template-error')).toHaveTextContent('template: not approved for this channel')
    // the values stay
    expect((screen.getAllByTestId('template-param') as HTMLInputElement[]).map((p) => p.value)).toEqual(['Joana', '777'])
    await user.click(screen.getByTestId('template-send'))
    await waitFor(() => expect(screen.queryByTestId('template-picker')).toBeNull())
    expect(sendTemplate.mock.calls[1][1]).toBe(sendTemplate.mock.calls[0][1])
  })

  it('adds a template approved while the picker is open', async () => {
    const stream = fakeStream()
    const user = userEvent.setup()
    const load = vi.fn<TemplateOptions['load']>(async () => TEMPLATES)
    render(
      <I18nProvider initial="pt-BR">
        <StreamContext.Provider value={stream}>
          <Composer conversationId="c1" quickReplies={[]} send={vi.fn()} templates={{ channelId: 'ch-wa', load, send: vi.fn() }} />
        </StreamContext.Provider>
      </I18nProvider>,
    )
    await user.click(screen.getByTestId('composer-template'))
    await waitFor(() => expect(screen.getAllByTestId('template-option')).toHaveLength(2))
    act(() => stream.emit({ type: 'template.updated', data: { ...TEMPLATES[1], status: 'APPROVED' } }))
    expect(screen.getAllByTestId('template-option').map((o) => o.getAttribute('data-id'))).toEqual(['tpl-2', 'tpl-1', 'tpl-4'])
    act(() => stream.emit({ type: 'template.updated', data: { ...TEMPLATES[0], status: 'PAUSED' } }))
    expect(screen.getAllByTestId('template-option').map((o) => o.getAttribute('data-id'))).toEqual(['tpl-2', 'tpl-4'])
  })

  it('says so when the channel has no approved template', async () => {
    const { user } = setupTemplates({ load: async () => [TEMPLATES[1], TEMPLATES[2]] })
    await user.click(screen.getByTestId('composer-template'))
    expect(await screen.findByTestId('template-none')).toHaveTextContent('Nenhum template aprovado neste canal')
  })

  it('has no template button, nor a picker to offer, on channels without templates', async () => {
    const send = vi.fn<ComposerProps['send']>().mockRejectedValue(new ApiError(422, { detail: 'window closed: send an approved template', field: 'body' }))
    const { user, input } = setup({ send })
    expect(screen.queryByTestId('composer-template')).toBeNull()
    await user.type(input, 'Oi{Enter}')
    await screen.findByTestId('composer-error')
    expect(screen.queryByTestId('composer-template-hint')).toBeNull()
  })
})

describe('Composer on a post (public and private replies)', () => {
  const comment = msg({ id: 'k1', kind: 'comment', body: 'Qual o valor do frete?\npara Campinas' })

  function setupPost(replyTo: Message | null = null, extra: Partial<ComposerProps> = {}) {
    const onClearReply = vi.fn()
    const upload = vi.fn(async (f: File) => ({ id: 'att-1', name: f.name, size: f.size, content_type: f.type, url: '/x' }))
    const ctx = setup({ comments: { replyTo, onClearReply, contactName: 'Bia Rocha' }, upload, ...extra })
    return { ...ctx, onClearReply }
  }

  it('answers the chosen comment publicly, then forgets it; privately it goes as text', async () => {
    const { send, user, input, onClearReply } = setupPost(comment)
    expect(screen.getByTestId('composer-reply-to')).toHaveTextContent('Qual o valor do frete?')
    expect(screen.getByTestId('composer-reply-to')).not.toHaveTextContent('para Campinas')
    await user.type(input, 'Frete grátis!{Enter}')
    expect(send.mock.calls[0][0]).toEqual({ body: 'Frete grátis!', kind: 'comment', reply_to_id: 'k1' })
    await waitFor(() => expect(onClearReply).toHaveBeenCalledTimes(1))

    await user.click(screen.getByTestId('composer-reply-private'))
    expect(input).toHaveAttribute('placeholder', 'Resposta privada — vai para o Direct do cliente')
    await user.type(input, 'Te mando o código{Enter}')
    expect(send.mock.calls[1][0]).toEqual({ body: 'Te mando o código', kind: 'text', reply_to_id: 'k1' })
  })

  it('sends a new Idempotency-Key when the same text answers another comment', async () => {
    const send = vi.fn<ComposerProps['send']>().mockRejectedValue(new ApiError(0, {}))
    const onClearReply = vi.fn()
    const view = (replyTo: Message | null) => (
      <I18nProvider initial="pt-BR">
        <Composer conversationId="c1" quickReplies={[]} send={send} comments={{ replyTo, onClearReply, contactName: 'Bia' }} />
      </I18nProvider>
    )
    const user = userEvent.setup()
    const { rerender } = render(view(comment))
    await user.type(screen.getByTestId('composer-input'), 'Sim!{Enter}')
    await screen.findByTestId('composer-error')
    rerender(view(msg({ id: 'k9', kind: 'comment', body: 'E pra Santos?' })))
    await user.click(screen.getByTestId('composer-send'))
    await waitFor(() => expect(send).toHaveBeenCalledTimes(2))
    expect(send.mock.calls[1][0].reply_to_id).toBe('k9')
    expect(send.mock.calls[1][1]).not.toBe(send.mock.calls[0][1])
  })

  it('takes no files in a public reply', async () => {
    const { send, user } = setupPost()
    expect(screen.getByTestId('composer-attach')).toBeDisabled()
    await user.click(screen.getByTestId('composer-reply-private'))
    expect(screen.getByTestId('composer-attach')).toBeEnabled()
    await user.upload(screen.getByTestId('composer-file'), new File(['%PDF'], 'tabela.pdf', { type: 'application/pdf' }))
    await screen.findByText(/tabela\.pdf/)

    // back to public with a file waiting: not sent until it is removed or the reply is private
    await user.click(screen.getByTestId('composer-reply-public'))
    expect(screen.getByTestId('composer-files-refused')).toHaveTextContent('Respostas públicas não levam arquivos')
    expect(screen.getByTestId('composer-send')).toBeDisabled()
    await user.type(screen.getByTestId('composer-input'), 'segue{Enter}')
    expect(send).not.toHaveBeenCalled()
    await user.click(screen.getByTestId('composer-reply-private'))
    await user.click(screen.getByTestId('composer-send'))
    expect(send.mock.calls[0][0]).toEqual({ body: 'segue', kind: 'text', attachment_ids: ['att-1'] })
  })

  it('keeps a private note private: no comment, no answered comment', async () => {
    const { send, user, input } = setupPost(comment)
    await user.click(screen.getByTestId('composer-note-toggle'))
    expect(screen.getByTestId('composer-reply-public')).toBeDisabled()
    expect(screen.queryByTestId('composer-reply-to')).toBeNull()
    await user.type(input, 'cliente pediu desconto{Enter}')
    expect(send.mock.calls[0][0]).toEqual({ body: 'cliente pediu desconto', kind: 'note' })
  })

  it('comes back in private mode after the agent switched conversations', async () => {
    const user = userEvent.setup()
    const send = vi.fn<ComposerProps['send']>()
    const view = (id: string) => (
      <I18nProvider initial="pt-BR">
        <Composer key={id} conversationId={id} quickReplies={[]} send={send} comments={{ replyTo: null, onClearReply: () => {}, contactName: 'Bia' }} />
      </I18nProvider>
    )
    const { rerender } = render(view('c1'))
    await user.click(screen.getByTestId('composer-reply-private'))
    rerender(view('c2'))
    expect(screen.getByTestId('composer-reply-public')).toHaveAttribute('aria-pressed', 'true')
    rerender(view('c1'))
    expect(screen.getByTestId('composer-reply-private')).toHaveAttribute('aria-pressed', 'true')
  })

  it('has no reply modes outside a post', () => {
    setup()
    expect(screen.queryByTestId('composer-reply-mode')).toBeNull()
  })
})

describe('Composer with a text limit (capabilities.max_text)', () => {
  async function typeLong(user: ReturnType<typeof userEvent.setup>, input: HTMLTextAreaElement, text: string) {
    await user.click(input)
    await user.paste(text)
  }

  it('counts down the characters left, and says how many are over the limit', async () => {
    const { user, input } = setup({ maxText: 2000 })
    const counter = screen.getByTestId('composer-counter')
    expect(counter).toHaveTextContent('2.000 restantes')
    expect(counter).toHaveAttribute('title', 'Este canal aceita até 2.000 caracteres')
    await user.type(input, 'Temos sim')
    expect(counter).toHaveTextContent('1.991 restantes')
    expect(counter).toHaveAttribute('data-remaining', '1991')
    expect(counter).toHaveAttribute('data-over', 'false')
    expect(screen.queryByTestId('composer-too-long')).toBeNull()
  })

  it('does not send a text over the limit, by button or Enter, and says what to cut', async () => {
    const { send, user, input } = setup({ maxText: 2000 })
    await typeLong(user, input, 'a'.repeat(2001))
    const counter = screen.getByTestId('composer-counter')
    expect(counter).toHaveAttribute('data-over', 'true')
    expect(counter).toHaveAttribute('data-remaining', '-1')
    expect(counter).toHaveTextContent('1 a mais')
    expect(counter).toHaveClass('is-over')
    expect(screen.getByTestId('composer-too-long')).toHaveTextContent('Texto longo demais: este canal aceita até 2.000 caracteres. Corte 1 para enviar.')
    expect(screen.getByTestId('composer-send')).toBeDisabled()
    await user.type(input, '{Enter}')
    expect(send).not.toHaveBeenCalled()

    // cutting one character makes it fit: exactly the limit is sent
    await user.type(input, '{Backspace}')
    expect(counter).toHaveTextContent('0 restantes')
    expect(screen.queryByTestId('composer-too-long')).toBeNull()
    expect(screen.getByTestId('composer-send')).toBeEnabled()
    await user.click(screen.getByTestId('composer-send'))
    expect(send).toHaveBeenCalledTimes(1)
    expect(send.mock.calls[0][0].body).toHaveLength(2000)
  })

  it('counts what is sent: blanks around the text are not counted, an emoji is one character', async () => {
    const { user, input } = setup({ maxText: 10 })
    await typeLong(user, input, '  👍👍👍  \n')
    expect(screen.getByTestId('composer-counter')).toHaveAttribute('data-remaining', '7')
  })

  it('speaks English too', async () => {
    const user = userEvent.setup()
    render(
      <I18nProvider initial="en">
        <Composer conversationId="c1" quickReplies={[]} send={vi.fn()} maxText={2000} />
      </I18nProvider>,
    )
    expect(screen.getByTestId('composer-counter')).toHaveTextContent('2,000 left')
    await user.click(screen.getByTestId('composer-input'))
    await user.paste('b'.repeat(2003))
    expect(screen.getByTestId('composer-counter')).toHaveTextContent('3 too many')
    expect(screen.getByTestId('composer-too-long')).toHaveTextContent('Too long: this channel takes up to 2,000 characters. Cut 3 to send.')
  })

  it('has no limit for a private note, which never leaves CHATSPOT', async () => {
    const { send, user, input } = setup({ maxText: 2000 })
    await user.click(screen.getByTestId('composer-note-toggle'))
    expect(screen.queryByTestId('composer-counter')).toBeNull()
    await typeLong(user, input, 'n'.repeat(2500))
    expect(screen.queryByTestId('composer-too-long')).toBeNull()
    await user.click(screen.getByTestId('composer-send'))
    expect(send.mock.calls[0][0]).toMatchObject({ kind: 'note' })
  })

  it('shows no counter when the channel has no known limit', () => {
    setup({ maxText: 0 })
    expect(screen.queryByTestId('composer-counter')).toBeNull()
    cleanup()
    setup()
    expect(screen.queryByTestId('composer-counter')).toBeNull()
  })
})

describe('Composer on a listing (questions, Mercado Livre)', () => {
  const question = msg({ id: 'q-7001', body: 'Serve no modelo 2022?\nobrigado' })

  function setupListing(replyTo: Message | null = null) {
    const onClearReply = vi.fn()
    const upload = vi.fn(async (f: File) => ({ id: 'att-1', name: f.name, size: f.size, content_type: f.type, url: '/x' }))
    const ctx = setup({ questions: { replyTo, onClearReply, contactName: 'COMPRADOR_E2E' }, maxText: 2000, upload })
    return { ...ctx, onClearReply }
  }

  it('says the answer is public on the listing, and sends it as text (the server answers the latest question)', async () => {
    const { send, user, input } = setupListing()
    expect(input).toHaveAttribute('placeholder', 'Sua resposta fica pública no anúncio')
    expect(screen.getByTestId('composer')).toHaveClass('composer-public')
    expect(screen.queryByTestId('composer-reply-mode')).toBeNull()
    expect(screen.queryByTestId('composer-reply-to')).toBeNull()
    await user.type(input, 'Serve sim!{Enter}')
    expect(send.mock.calls[0][0]).toEqual({ body: 'Serve sim!', kind: 'text' })
  })

  it('answers the question picked on its bubble, then forgets it', async () => {
    const { send, user, input, onClearReply } = setupListing(question)
    const quote = screen.getByTestId('composer-reply-to')
    expect(quote).toHaveTextContent('Respondendo a COMPRADOR_E2E')
    expect(quote).toHaveTextContent('Serve no modelo 2022?')
    expect(quote).not.toHaveTextContent('obrigado')
    await user.type(input, 'Serve sim!{Enter}')
    expect(send.mock.calls[0][0]).toEqual({ body: 'Serve sim!', kind: 'text', reply_to_id: 'q-7001' })
    await waitFor(() => expect(onClearReply).toHaveBeenCalledTimes(1))
  })

  it('takes no files in an answer; a private note still may', async () => {
    const { user } = setupListing()
    expect(screen.getByTestId('composer-attach')).toBeDisabled()
    expect(screen.getByTestId('composer-attach')).toHaveAttribute('title', 'Respostas no anúncio não levam arquivos.')
    await user.click(screen.getByTestId('composer-note-toggle'))
    expect(screen.getByTestId('composer-attach')).toBeEnabled()
    expect(screen.getByTestId('composer-input')).toHaveAttribute('placeholder', 'Nota privada — visível só para a equipe')
  })

  it('says so in English', () => {
    render(
      <I18nProvider initial="en">
        <Composer conversationId="c1" quickReplies={[]} send={vi.fn()} questions={{ replyTo: null, onClearReply: () => {}, contactName: 'X' }} />
      </I18nProvider>,
    )
    expect(screen.getByTestId('composer-input')).toHaveAttribute('placeholder', 'Your answer is public on the listing')
  })
})

describe('Composer on a metered channel (capabilities.metered, SMS)', () => {
  const GSM: SendQuote = { metered: true, units: 2, encoding: 'gsm7', characters: 170, unit_cents: 9, cents: 18, balance_cents: 12345 }

  function quoting(answer: (text: string) => SendQuote = () => GSM) {
    return vi.fn<NonNullable<ComposerProps['quote']>>(async (text) => answer(text))
  }

  it('quotes the trimmed text once the agent pauses: segments, price and balance', async () => {
    const quote = quoting()
    const { user, input } = setup({ quote })
    expect(screen.queryByTestId('composer-quote')).toBeNull()
    await user.type(input, '  Seu pedido saiu para entrega hoje  ')
    const line = await screen.findByTestId('composer-quote')
    expect(screen.getByTestId('composer-quote-line').textContent?.replace(/\s/g, ' ')).toBe('2 segmentos · R$ 0,18 · saldo R$ 123,45')
    expect(line).toHaveAttribute('data-short', 'false')
    expect(line).not.toHaveClass('is-short')
    expect(line).toHaveAttribute('title', '170 caracteres; R$ 0,09 por segmento')
    expect(screen.queryByTestId('composer-quote-ucs2')).toBeNull()
    expect(screen.queryByTestId('composer-quote-short')).toBeNull()
    // debounced: not a call per key, and the last one is what would be sent
    expect(quote.mock.calls.length).toBeLessThan(5)
    expect(quote.mock.calls[quote.mock.calls.length - 1][0]).toBe('Seu pedido saiu para entrega hoje')
  })

  it('says one segment, explains the 70 characters of accented text, and warns when the balance cannot pay', async () => {
    const quote = quoting((text) =>
      text.includes('ç')
        ? { metered: true, units: 3, encoding: 'ucs2', characters: 150, unit_cents: 9, cents: 27, balance_cents: 20 }
        : { metered: true, units: 1, encoding: 'gsm7', characters: 3, unit_cents: 9, cents: 9, balance_cents: 20 },
    )
    const { user, input } = setup({ quote })
    await user.type(input, 'Olá')
    await waitFor(() => expect(screen.getByTestId('composer-quote-line').textContent?.replace(/\s/g, ' ')).toBe('1 segmento · R$ 0,09 · saldo R$ 0,20'))
    await user.type(input, ' — promoção')
    await waitFor(() => expect(screen.getByTestId('composer-quote')).toHaveAttribute('data-encoding', 'ucs2'))
    expect(screen.getByTestId('composer-quote-ucs2')).toHaveTextContent('Acentos como ã, õ e ç fazem cada segmento levar 70 caracteres em vez de 160.')
    expect(screen.getByTestId('composer-quote')).toHaveAttribute('data-short', 'true')
    expect(screen.getByTestId('composer-quote')).toHaveClass('is-short')
    expect(screen.getByTestId('composer-quote-short')).toHaveTextContent('Saldo insuficiente para este envio.')
  })

  it('quotes nothing for a private note or an empty box, nor when the channel is not metered', async () => {
    const quote = quoting()
    const { user, input } = setup({ quote })
    await user.click(screen.getByTestId('composer-note-toggle'))
    await user.type(input, 'nota para a equipe')
    await new Promise((r) => setTimeout(r, 400))
    expect(quote).not.toHaveBeenCalled()
    expect(screen.queryByTestId('composer-quote')).toBeNull()
    // the note goes off: the text is quoted
    await user.click(screen.getByTestId('composer-note-toggle'))
    expect(await screen.findByTestId('composer-quote')).toBeInTheDocument()
    await user.clear(input)
    await waitFor(() => expect(screen.queryByTestId('composer-quote')).toBeNull())
    cleanup()

    const notMetered = quoting(() => ({ ...GSM, metered: false }))
    const second = setup({ quote: notMetered })
    await second.user.type(second.input, 'oi')
    await waitFor(() => expect(notMetered).toHaveBeenCalled())
    expect(screen.queryByTestId('composer-quote')).toBeNull()
  })

  it('hides the line when the quote fails, and still sends', async () => {
    const quote = vi.fn<NonNullable<ComposerProps['quote']>>(async () => {
      throw new ApiError(500, { status: 500, detail: 'boom' })
    })
    const { send, user, input } = setup({ quote })
    await user.type(input, 'oi')
    await waitFor(() => expect(quote).toHaveBeenCalled())
    expect(screen.queryByTestId('composer-quote')).toBeNull()
    expect(screen.queryByTestId('composer-error')).toBeNull()
    await user.type(input, '{Enter}')
    expect(send).toHaveBeenCalledTimes(1)
  })

  it('shows the detail of a send refused with 402 (not enough balance) and the balance it gave', async () => {
    const detail = 'saldo insuficiente: o envio custa R$ 0,90, o saldo é R$ 0,50 (faltam R$ 0,40)'
    const send = vi.fn<ComposerProps['send']>(async () => {
      throw new ApiError(402, { type: 'about:blank', title: 'Payment Required', status: 402, detail, field: 'balance', balance_cents: 50, missing_cents: 40 })
    })
    const quote = quoting(() => ({ ...GSM, units: 10, cents: 90, balance_cents: 12345 }))
    const { user, input } = setup({ send, quote })
    await user.type(input, 'Promoção de fim de ano')
    await screen.findByTestId('composer-quote')
    await user.type(input, '{Enter}')
    const err = await screen.findByTestId('composer-error')
    expect(err).toHaveTextContent(`Mensagem não enviada: ${detail}`)
    expect(screen.getByTestId('composer-payment-required')).toHaveTextContent('Administração › Faturamento')
    // the draft stays, and the line shows the balance the refusal gave
    expect(input.value).toBe('Promoção de fim de ano')
    expect(screen.getByTestId('composer-quote-line').textContent?.replace(/\s/g, ' ')).toBe('10 segmentos · R$ 0,90 · saldo R$ 0,50')
    expect(screen.getByTestId('composer-quote-short')).toBeInTheDocument()
    // typing again clears the refusal
    await user.type(input, '!')
    expect(screen.queryByTestId('composer-payment-required')).toBeNull()
  })

  it('speaks English too', async () => {
    const user = userEvent.setup()
    render(
      <I18nProvider initial="en">
        <Composer conversationId="c1" quickReplies={[]} send={vi.fn()} quote={async () => ({ ...GSM, encoding: 'ucs2' })} />
      </I18nProvider>,
    )
    await user.type(screen.getByTestId('composer-input'), 'Olá')
    await waitFor(() => expect(screen.getByTestId('composer-quote-line').textContent?.replace(/\s/g, ' ')).toBe('2 segments · R$ 0.18 · balance R$ 123.45'))
    expect(screen.getByTestId('composer-quote-ucs2')).toHaveTextContent('Accents such as ã, õ and ç make each segment hold 70 characters instead of 160.')
  })
})
