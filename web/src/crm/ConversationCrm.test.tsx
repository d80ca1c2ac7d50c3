import { afterEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { CardSummary, ScheduledMessage } from '../api/types'
import { scriptFetch } from '../admin/adminTestKit'
import type { Handler } from '../admin/adminTestKit'
import { ConversationCrm } from './ConversationCrm'
import { card, crmMe, detail, pipeline, renderCrm } from './crmTestKit'

afterEach(() => vi.unstubAllGlobals())

const reminder: ScheduledMessage = {
  id: 'sm1',
  conversation_id: 'c1',
  card_id: null,
  body: 'Lembrete agendado',
  send_at: '2026-03-10T18:00:00Z',
  status: 'scheduled',
  failure_reason: '',
  message_id: null,
  created_by: 'u-ana',
  created_at: '2026-03-10T12:00:00Z',
}

function server(cards: CardSummary[], write: Handler = () => undefined, scheduled: ScheduledMessage[] = []) {
  return scriptFetch((c) => {
    if (c.method === 'GET' && c.path === '/api/v1/conversations/c1/cards') return { status: 200, body: { items: cards } }
    if (c.method === 'GET' && c.path === '/api/v1/pipelines') return { status: 200, body: { items: [pipeline()] } }
    if (c.method === 'GET' && c.path === '/api/v1/scheduled-messages?conversation_id=c1') return { status: 200, body: { items: scheduled } }
    return write(c)
  })
}

describe('ConversationCrm', () => {
  it('creates a card from the conversation in one click and shows it with its stage', async () => {
    const user = userEvent.setup()
    const calls = server([], (c) =>
      c.method === 'POST' && c.path === '/api/v1/cards'
        ? { status: 201, body: detail({ id: 'k7', title: 'Maria Teste', stage_id: 's1', conversation_ids: ['c1'] }) }
        : undefined,
    )
    renderCrm(<ConversationCrm conversationId="c1" channelName="Chat do site" />)
    expect(await screen.findByText('Nenhum card ligado a esta conversa.')).toBeInTheDocument()
    await user.click(screen.getByTestId('conversation-create-card'))
    const row = await screen.findByTestId('conversation-card')
    expect(calls.find((c) => c.method === 'POST')).toEqual({ method: 'POST', path: '/api/v1/cards', body: { conversation_id: 'c1' } })
    expect(row).toHaveAttribute('data-id', 'k7')
    expect(row).toHaveTextContent('Maria Teste')
    expect(within(row).getByTestId('conversation-card-stage')).toHaveTextContent('Novo')
    expect(within(row).getByTestId('conversation-card-link')).toHaveAttribute('href', '/crm/p1?card=k7')
  })

  it('lists the linked cards and refreshes them when one changes', async () => {
    const linked = [card({ id: 'k1', title: 'Proposta', stage_id: 's1' })]
    const calls = server(linked)
    const { stream } = renderCrm(<ConversationCrm conversationId="c1" channelName="Chat do site" />)
    expect(await screen.findByTestId('conversation-card-stage')).toHaveTextContent('Novo')
    linked[0] = { ...linked[0], stage_id: 's2' }
    stream.emit({ type: 'card.updated', data: { id: 'other', pipeline_id: 'p1', stage_id: 's2' } })
    stream.emit({ type: 'card.updated', data: { id: 'k1', pipeline_id: 'p1', stage_id: 's2' } })
    await waitFor(() => expect(screen.getByTestId('conversation-card-stage')).toHaveTextContent('Proposta'))
    expect(calls.filter((c) => c.path === '/api/v1/conversations/c1/cards')).toHaveLength(2)
  })

  it('schedules a message for the conversation with the time as typed, and cancels it', async () => {
    const user = userEvent.setup()
    const calls = server([], (c) => {
      if (c.method === 'POST' && c.path === '/api/v1/scheduled-messages') return { status: 201, body: reminder }
      if (c.method === 'DELETE' && c.path === '/api/v1/scheduled-messages/sm1') return { status: 200, body: { ...reminder, status: 'canceled' } }
      return undefined
    })
    const { stream } = renderCrm(<ConversationCrm conversationId="c1" channelName="Chat do site" />)
    await user.type(await screen.findByTestId('schedule-body'), 'Lembrete agendado')
    await user.type(screen.getByTestId('schedule-at'), '2026-03-10T15:00')
    await user.click(screen.getByTestId('schedule-submit'))
    const row = await screen.findByTestId('scheduled-row')
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ conversation_id: 'c1', body: 'Lembrete agendado', send_at: '2026-03-10T15:00' })
    expect(row).toHaveTextContent('10/03/2026, 15:00')
    expect(screen.getByTestId('schedule-body')).toHaveValue('')

    // sent by the server: the stream says so
    stream.emit({ type: 'scheduled_message.updated', data: { ...reminder, status: 'sent', message_id: 'm9' } })
    await waitFor(() => expect(screen.getByTestId('scheduled-row')).toHaveAttribute('data-status', 'sent'))
    expect(screen.queryByTestId('scheduled-cancel')).not.toBeInTheDocument()
    stream.emit({ type: 'scheduled_message.updated', data: { ...reminder, status: 'scheduled' } })
    await user.click(await screen.findByTestId('scheduled-cancel'))
    await waitFor(() => expect(screen.getByTestId('scheduled-row')).toHaveAttribute('data-status', 'canceled'))
    expect(calls.find((c) => c.method === 'DELETE')?.path).toBe('/api/v1/scheduled-messages/sm1')
  })

  it('shows the cards without the buttons to a viewer', async () => {
    server([card({ id: 'k1', stage_id: 's2' })], undefined, [reminder])
    renderCrm(<ConversationCrm conversationId="c1" channelName="Chat do site" />, crmMe(['crm:view']))
    expect(await screen.findByTestId('conversation-card-stage')).toHaveTextContent('Proposta')
    expect(await screen.findByTestId('scheduled-row')).toHaveTextContent('Lembrete agendado')
    expect(screen.queryByTestId('conversation-create-card')).not.toBeInTheDocument()
    expect(screen.queryByTestId('schedule-form')).not.toBeInTheDocument()
    expect(screen.queryByTestId('scheduled-cancel')).not.toBeInTheDocument()
  })
})
