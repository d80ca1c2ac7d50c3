import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { AgendaItem } from '../api/types'
import { scriptFetch } from '../admin/adminTestKit'
import { renderCrm } from '../crm/crmTestKit'
import { AgendaPage } from './AgendaPage'

const items: AgendaItem[] = [
  // 22:30 on Tuesday the 10th in São Paulo (already the 11th in UTC)
  { kind: 'due', id: 'k1', title: 'Proposta ACME', at: '2026-03-11T01:30:00Z', card_id: 'k1', pipeline_id: 'p1', conversation_id: null, status: 'open', done: false },
  { kind: 'scheduled_message', id: 'sm1', title: 'Lembrete agendado', at: '2026-03-12T12:00:00Z', card_id: null, pipeline_id: null, conversation_id: 'c1', status: 'scheduled', done: false },
  { kind: 'follow_up', id: 'f1', title: 'Ligar', at: '2026-03-12T12:30:00Z', card_id: 'k1', pipeline_id: 'p1', conversation_id: null, status: '', done: true },
]

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-03-10T15:00:00Z')) // 12:00 in São Paulo
  window.history.replaceState(null, '', '/agenda')
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

function server() {
  return scriptFetch((c) => (c.method === 'GET' && c.path.startsWith('/api/v1/agenda?') ? { status: 200, body: { items } } : undefined))
}

const agendaCalls = (calls: { path: string }[]) => calls.filter((c) => c.path.startsWith('/api/v1/agenda')).map((c) => new URL(c.path, 'http://x').searchParams)

describe('AgendaPage', () => {
  it('shows this week in the account time zone and puts items at their day and hour', async () => {
    const calls = server()
    renderCrm(<AgendaPage />)
    const due = await screen.findByText('Proposta ACME')
    const q = agendaCalls(calls)[0]
    expect(q.get('from')).toBe('2026-03-08T03:00:00.000Z')
    expect(q.get('to')).toBe('2026-03-15T03:00:00.000Z')
    expect(q.get('mine')).toBeNull()
    const slot = due.closest('[data-testid="agenda-slot"]')!
    expect(slot).toHaveAttribute('data-day', '2026-03-10')
    expect(slot).toHaveAttribute('data-hour', '22')
    expect(due.closest('button')).toHaveClass('agenda-due')
    expect(due.closest('button')).toHaveTextContent('22:30')
    expect(screen.getByText('Lembrete agendado').closest('button')).toHaveClass('agenda-scheduled_message')
    expect(screen.getByText('Ligar').closest('button')).toHaveClass('agenda-follow_up', 'is-done')
    expect(screen.getByTestId('agenda-range')).toHaveTextContent('2026')
  })

  it('opens the card of an item on its board, and a card-less message in its conversation', async () => {
    const user = userEvent.setup()
    server()
    renderCrm(<AgendaPage />)
    await user.click(await screen.findByText('Proposta ACME'))
    expect(window.location.pathname + window.location.search).toBe('/crm/p1?card=k1')
    await user.click(screen.getByText('Lembrete agendado'))
    expect(window.location.pathname).toBe('/conversations/c1')
  })

  it('switches to day and month, moves back and forth, and asks for mine only', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderCrm(<AgendaPage />)
    await screen.findByText('Proposta ACME')

    await user.click(screen.getByTestId('agenda-view-month'))
    await waitFor(() => expect(agendaCalls(calls).at(-1)?.get('from')).toBe('2026-03-01T03:00:00.000Z'))
    expect(agendaCalls(calls).at(-1)?.get('to')).toBe('2026-04-05T03:00:00.000Z')
    const cell = screen.getAllByTestId('agenda-day').find((el) => el.getAttribute('data-day') === '2026-03-10')!
    expect(within(cell).getByText('Proposta ACME')).toBeInTheDocument()
    expect(screen.getByTestId('agenda-range')).toHaveTextContent(/março de 2026/i)

    await user.click(screen.getByTestId('agenda-next'))
    await waitFor(() => expect(agendaCalls(calls).at(-1)?.get('from')).toBe('2026-03-29T03:00:00.000Z'))

    await user.click(screen.getByTestId('agenda-today'))
    await user.click(screen.getByTestId('agenda-view-day'))
    await waitFor(() => expect(agendaCalls(calls).at(-1)?.get('from')).toBe('2026-03-10T03:00:00.000Z'))
    expect(agendaCalls(calls).at(-1)?.get('to')).toBe('2026-03-11T03:00:00.000Z')
    await user.click(screen.getByTestId('agenda-prev'))
    await waitFor(() => expect(agendaCalls(calls).at(-1)?.get('from')).toBe('2026-03-09T03:00:00.000Z'))

    await user.click(screen.getByTestId('agenda-mine'))
    await waitFor(() => expect(agendaCalls(calls).at(-1)?.get('mine')).toBe('true'))
  })
})
