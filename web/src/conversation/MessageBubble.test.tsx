import { describe, expect, it, vi } from 'vitest'
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MessageBubble } from './MessageBubble'
import type { MessageBubbleProps } from './MessageBubble'
import { I18nProvider } from '../i18n'
import { msg } from '../test/fakes'
import type { Message } from '../api/types'

function show(m: Message, lang: 'pt-BR' | 'en' = 'pt-BR', extra: Partial<MessageBubbleProps> = {}) {
  render(
    <I18nProvider initial={lang}>
      <MessageBubble message={m} canRetry onRetry={async () => {}} {...extra} />
    </I18nProvider>,
  )
  return screen.getByTestId('message-bubble')
}

describe('MessageBubble', () => {
  it.each([
    ['queued', 'tick-clock', 'Na fila'],
    ['sent', 'tick-sent', 'Enviada'],
    ['delivered', 'tick-delivered', 'Entregue'],
    ['read', 'tick-read', 'Lida'],
    ['failed', 'tick-failed', 'Falhou'],
  ] as const)('shows the %s tick', (status, cls, label) => {
    show(msg({ direction: 'outbound', status }))
    const tick = screen.getByTestId('status-tick')
    expect(tick).toHaveClass(cls)
    expect(tick).toHaveAttribute('aria-label', label)
  })

  it('marks notes as private and puts no tick on them', () => {
    const b = show(msg({ direction: 'outbound', kind: 'note', status: 'sent', body: 'ligar amanhã', author: { id: 'u', name: 'Ana' } }), 'en')
    expect(b).toHaveClass('bubble-note')
    expect(b).toHaveTextContent('Private note')
    expect(screen.queryByTestId('status-tick')).toBeNull()
  })

  it('lists attachments with a link', () => {
    show(msg({ attachments: [{ id: 'a', name: 'nota-fiscal.pdf', size: 2048, content_type: 'application/pdf', url: '/files/a' }] }))
    expect(screen.getByRole('link', { name: /nota-fiscal\.pdf/ })).toHaveAttribute('href', '/files/a')
  })

  it('marks a message the customer edited, with the time in the tooltip', () => {
    show(msg({ body: 'Pedido 123', edited_at: '2025-03-01T15:07:00Z' }))
    const marker = screen.getByTestId('edited-marker')
    expect(marker).toHaveTextContent('editada')
    expect(marker.getAttribute('title')).toMatch(/^Editada pelo cliente em 01\/03\/2025.*\d\d:07$/)
  })

  it('strikes through a message the customer deleted, keeping the text, with the time in the tooltip', () => {
    const b = show(msg({ body: 'Pedido 123', revoked_at: '2025-03-01T15:07:00Z' }))
    const marker = screen.getByTestId('revoked-marker')
    expect(marker).toHaveTextContent('Apagada pelo cliente')
    expect(marker.getAttribute('title')).toMatch(/^Apagada pelo cliente em 01\/03\/2025.*\d\d:07$/)
    expect(b).toHaveClass('is-revoked')
    const body = within(b).getByText('Pedido 123')
    expect(body.tagName).toBe('DEL')
  })

  it('says a question Mercado Livre banned or deleted was removed by Mercado Livre, not by the customer', () => {
    const b = show(msg({ body: 'me chama no zap', revoked_at: '2026-12-07T13:07:00Z' }), 'pt-BR', { channelKind: 'mercadolivre' })
    const marker = within(b).getByTestId('revoked-marker')
    expect(marker).toHaveTextContent('Removida pelo Mercado Livre')
    expect(marker.getAttribute('title')).toMatch(/^Removida pelo Mercado Livre em 07\/12\/2026/)
    expect(b).not.toHaveTextContent('Apagada pelo cliente')
    expect(within(b).getByText('me chama no zap').tagName).toBe('DEL')
  })

  it('keeps the customer wording for kinds without their own (WhatsApp), and in English for Mercado Livre', () => {
    show(msg({ body: 'x', revoked_at: '2026-12-07T13:07:00Z' }), 'pt-BR', { channelKind: 'whatsapp' })
    expect(screen.getByTestId('revoked-marker')).toHaveTextContent('Apagada pelo cliente')
    cleanup()
    show(msg({ body: 'x', revoked_at: '2026-12-07T13:07:00Z' }), 'en', { channelKind: 'mercadolivre' })
    expect(screen.getByTestId('revoked-marker')).toHaveTextContent('Removed by Mercado Livre')
  })

  it('has no revoked marker on a message not deleted', () => {
    const b = show(msg({ body: 'Pedido 123' }))
    expect(screen.queryByTestId('revoked-marker')).toBeNull()
    expect(b).not.toHaveClass('is-revoked')
    expect(within(b).getByText('Pedido 123').tagName).toBe('DIV')
  })

  it('has no edited marker on a message never edited', () => {
    show(msg({ body: 'Pedido 123' }))
    expect(screen.queryByTestId('edited-marker')).toBeNull()
  })

  it('shows files still downloading and files that failed with the reason', () => {
    show(
      msg({
        body: '',
        pending_files: [
          { name: 'comprovante.jpg', kind: 'image', status: 'pending' },
          { name: 'contrato.exe', kind: 'document', status: 'failed', error: 'executable files are not accepted' },
          { name: '', kind: 'audio', status: 'failed' },
        ],
      }),
    )
    const [pending, failed, unnamed] = screen.getAllByTestId('pending-file')
    expect(pending).toHaveAttribute('data-status', 'pending')
    expect(pending).toHaveTextContent('comprovante.jpg')
    expect(pending).toHaveTextContent('baixando…')
    expect(failed).toHaveAttribute('data-status', 'failed')
    expect(failed).toHaveTextContent('contrato.exe')
    expect(failed).toHaveTextContent('não foi possível baixar: executable files are not accepted')
    expect(failed).not.toHaveTextContent('baixando')
    expect(unnamed).toHaveTextContent('Anexo')
    expect(unnamed).toHaveTextContent('não foi possível baixar')
  })

  it('quotes the message it answers: who wrote it and its first line, and jumps to it', async () => {
    const user = userEvent.setup()
    const onJump = vi.fn()
    const quoted = msg({ id: 'q1', direction: 'outbound', body: '\nSeu boleto vence amanhã.\nQualquer dúvida, estou aqui.', author: { id: 'u-bia', name: 'Bia' } })
    show(msg({ id: 'r1', body: 'Já paguei', reply_to_id: 'q1' }), 'pt-BR', { replyTo: quoted, contactName: 'Joana Lima', onJump })
    const quote = screen.getByTestId('reply-quote')
    expect(quote).toHaveAttribute('data-reply-to', 'q1')
    expect(quote).toHaveTextContent('Bia')
    expect(quote).toHaveTextContent('Seu boleto vence amanhã.')
    expect(quote).not.toHaveTextContent('Qualquer dúvida')
    await user.click(quote)
    expect(onJump).toHaveBeenCalledWith('q1')
  })

  it("names the customer in a quote of the customer's own message", () => {
    const quoted = msg({ id: 'q2', direction: 'inbound', body: 'Quero trocar o tamanho' })
    show(msg({ id: 'r2', direction: 'outbound', status: 'sent', body: 'Claro!', reply_to_id: 'q2' }), 'pt-BR', { replyTo: quoted, contactName: 'Joana Lima' })
    expect(within(screen.getByTestId('reply-quote')).getByText('Joana Lima')).toBeInTheDocument()
  })

  it('says it answers an earlier message when that one is not loaded', () => {
    show(msg({ id: 'r3', body: 'Isso mesmo', reply_to_id: 'old-1' }), 'en', { replyTo: null })
    const quote = screen.getByTestId('reply-quote')
    expect(quote).toHaveAttribute('data-missing', 'true')
    expect(quote).toHaveTextContent('Reply to an earlier message')
  })

  it('marks a public comment and a comment hidden on Instagram, with the time in the tooltip', () => {
    const b = show(msg({ kind: 'comment', body: 'Quanto custa?', hidden_at: '2025-03-01T15:07:00Z' }))
    expect(b).toHaveClass('bubble-comment')
    expect(b).toHaveClass('is-hidden')
    expect(within(b).getByTestId('message-label')).toHaveTextContent('Comentário público')
    const marker = within(b).getByTestId('hidden-marker')
    expect(marker).toHaveTextContent('Oculto no Instagram')
    expect(marker.getAttribute('title')).toMatch(/^Oculto no Instagram em 01\/03\/2025/)
  })

  it('says a deleted comment was deleted from Instagram, not by the customer', () => {
    const b = show(msg({ kind: 'comment', body: 'Golpe!', revoked_at: '2025-03-01T15:07:00Z', hidden_at: '2025-03-01T15:00:00Z' }))
    expect(within(b).getByTestId('revoked-marker')).toHaveTextContent('Excluído do Instagram')
    expect(b).not.toHaveTextContent('Apagada pelo cliente')
    expect(within(b).queryByTestId('hidden-marker')).toBeNull()
  })

  it('labels a private reply to a comment', () => {
    const b = show(msg({ direction: 'outbound', status: 'sent', body: 'Te chamei no Direct', author: { id: 'u', name: 'Ana' } }), 'pt-BR', { privateReply: true })
    expect(within(b).getByTestId('message-label')).toHaveTextContent('Resposta privada (Direct)')
    expect(b).not.toHaveClass('bubble-comment')
  })

  it('has no comment label on a plain message', () => {
    const b = show(msg({ body: 'Oi' }))
    expect(within(b).queryByTestId('message-label')).toBeNull()
  })

  describe('e-mail', () => {
    const HTML =
      '<div><p>Quero trocar o tamanho do pedido 123.</p><img data-remote-src="https://example.com/track.gif" width="1" height="1">' +
      '<blockquote><p>Em 1 de mar., SAC escreveu:</p><p>antigo</p></blockquote></div>'
    const mail = (over: Partial<Message> = {}) =>
      msg({ subject: 'Troca do pedido 123', body: 'Quero trocar o tamanho do pedido 123.', html: HTML, cc: ['marido@cliente.com.br', 'financeiro@cliente.com.br'], ...over })

    it('shows the subject above the body and the addresses copied', () => {
      const b = show(mail())
      const subject = within(b).getByTestId('message-subject')
      expect(subject).toHaveTextContent(/^Troca do pedido 123$/)
      expect(subject).toHaveClass('bubble-subject')
      // above the body
      const body = within(b).getByText('Quero trocar o tamanho do pedido 123.')
      expect(subject.compareDocumentPosition(body) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
      expect(within(b).getByTestId('message-cc')).toHaveTextContent(/^Cc: marido@cliente\.com\.br, financeiro@cliente\.com\.br$/)
    })

    it('leaves the subject out when the thread already shows it, and shows no Cc line without copies', () => {
      const b = show(mail({ cc: [] }), 'pt-BR', { showSubject: false })
      expect(within(b).queryByTestId('message-subject')).toBeNull()
      expect(within(b).queryByTestId('message-cc')).toBeNull()
    })

    it('shows the whole mail on request in a sandboxed frame that loads nothing', async () => {
      const user = userEvent.setup()
      const b = show(mail())
      // only what the customer wrote this time, until asked
      expect(within(b).queryByTestId('message-html')).toBeNull()
      expect(b).not.toHaveTextContent('antigo')
      const toggle = within(b).getByTestId('message-html-toggle')
      expect(toggle).toHaveTextContent('Mostrar mensagem completa')
      expect(toggle).toHaveAttribute('aria-expanded', 'false')
      await user.click(toggle)

      const frame = within(b).getByTestId('message-html')
      expect(frame.tagName).toBe('IFRAME')
      // sandboxed with no permission at all: no scripts, no same origin, no popups, no navigation
      expect(frame).toHaveAttribute('sandbox', '')
      expect(frame).toHaveAttribute('referrerpolicy', 'no-referrer')
      const doc = frame.getAttribute('srcdoc') ?? ''
      expect(doc.startsWith(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`)).toBe(true)
      expect(doc).toContain('Em 1 de mar., SAC escreveu:')
      expect(doc).toContain('data-remote-src="https://example.com/track.gif"')
      expect(doc).not.toMatch(/<img[^>]*\ssrc="https?:/)
      expect(frame).toHaveAttribute('data-remote-images', 'blocked')
      expect(toggle).toHaveTextContent('Ocultar mensagem completa')
      expect(toggle).toHaveAttribute('aria-expanded', 'true')

      await user.click(toggle)
      expect(within(b).queryByTestId('message-html')).toBeNull()
    })

    it('loads the remote images when asked: src back and the policy letting them in', async () => {
      const user = userEvent.setup()
      const b = show(mail(), 'en')
      await user.click(within(b).getByRole('button', { name: 'Show full message' }))
      const load = within(b).getByTestId('message-load-images')
      expect(load).toHaveTextContent('Load images')
      await user.click(load)

      const frame = within(b).getByTestId('message-html')
      expect(frame).toHaveAttribute('sandbox', '')
      expect(frame).toHaveAttribute('data-remote-images', 'loaded')
      const doc = frame.getAttribute('srcdoc') ?? ''
      expect(doc.startsWith(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'">`)).toBe(true)
      expect(doc).toContain('<img src="https://example.com/track.gif" width="1" height="1">')
      expect(doc).not.toContain('data-remote-src')
      expect(within(b).queryByTestId('message-load-images')).toBeNull()
    })

    it('offers no image loading for a mail without remote images, and opens a mail with no text of its own at once', () => {
      const b = show(mail({ body: '', html: '<p>Só HTML</p><img src="data:image/png;base64,AAAA" alt="x">' }))
      const frame = within(b).getByTestId('message-html')
      expect(frame).toHaveAttribute('data-remote-images', 'none')
      expect(within(b).queryByTestId('message-load-images')).toBeNull()
    })

    it("renders the agent's own reply as any message: its text, no frame", () => {
      const b = show(msg({ direction: 'outbound', status: 'sent', body: 'Claro, já troco.', author: { id: 'u', name: 'Ana' } }))
      expect(b).toHaveTextContent('Claro, já troco.')
      expect(within(b).queryByTestId('message-html-toggle')).toBeNull()
      expect(within(b).queryByTestId('message-subject')).toBeNull()
      expect(b.querySelector('iframe')).toBeNull()
    })
  })
})
