import { describe, expect, it } from 'vitest'
import { render, screen } from '@testing-library/react'
import { MessageBubble } from './MessageBubble'
import { I18nProvider } from '../i18n'
import { msg } from '../test/fakes'
import type { Message } from '../api/types'

function show(m: Message, lang: 'pt-BR' | 'en' = 'pt-BR') {
  render(
    <I18nProvider initial={lang}>
      <MessageBubble message={m} canRetry onRetry={async () => {}} />
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
})
