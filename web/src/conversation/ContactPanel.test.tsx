import { describe, expect, it, vi } from 'vitest'
import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { ContactPanel } from './ContactPanel'
import { I18nProvider } from '../i18n'
import type { ContactDetail } from '../api/types'

const CONTACT: ContactDetail = {
  id: 'ct1',
  name: 'Marcos Pereira',
  phone: '',
  email: 'marcos@exemplo.com',
  identities: [{ channel_id: 'ch-tg', channel_kind: 'telegram', external_id: '@marcosp' }],
  tags: [],
  past_conversations: [
    { id: 'c3', name: 'open · 2025-03-01' },
    { id: 'c1', name: 'closed · 2024-12-20' },
  ],
}

describe('ContactPanel', () => {
  it('lists past tickets in the chosen language and jumps to one', async () => {
    const user = userEvent.setup()
    const onJump = vi.fn()
    render(
      <I18nProvider initial="pt-BR">
        <ContactPanel
          contact={CONTACT}
          channels={[{ id: 'ch-tg', kind: 'telegram', name: 'Bot Suporte' }]}
          tickets={[{ conversationId: 'c3', startedAt: '2025-03-01T10:00:00Z', lastAt: '2025-03-01T10:00:00Z', count: 4 }]}
          currentConversationId="c3"
          onJump={onJump}
          onClose={() => {}}
        />
      </I18nProvider>,
    )
    const rows = screen.getAllByTestId('contact-ticket')
    expect(rows[0]).toHaveTextContent('Aberta · 01/03/2025')
    expect(rows[0]).toHaveTextContent('esta conversa')
    expect(rows[0]).toHaveTextContent('4 mensagens')
    expect(rows[1]).toHaveTextContent('Encerrada · 20/12/2024')
    expect(screen.getByTestId('contact-phone')).toHaveTextContent('—')
    expect(screen.getByText('Bot Suporte')).toBeInTheDocument()
    await user.click(rows[1])
    expect(onJump).toHaveBeenCalledWith('c1')
  })
})
