import { afterEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Agent, CardDetail } from '../api/types'
import { scriptFetch } from '../admin/adminTestKit'
import type { Handler } from '../admin/adminTestKit'
import { CardDrawer } from './CardDrawer'
import { crmMe, detail, pipeline, renderCrm, stage } from './crmTestKit'

const users: Agent[] = [
  { id: 'u-ana', name: 'Ana Souza', email: '', role: 'agent', status: 'online' },
  { id: 'u-bia', name: 'Beatriz Lima', email: '', role: 'agent', status: 'online' },
]

const stages = [
  stage({ id: 's1', name: 'Novo', position: 0, quick_replies: [{ id: 'qr1', stage_id: 's1', title: 'Boas-vindas', text: 'Olá {{contact.first_name}}!' }] }),
  ...pipeline().stages.slice(1),
]

const k1: CardDetail = detail({
  id: 'k1',
  title: 'Proposta ACME',
  value_cents: 100000,
  due_at: '2026-03-12T17:00:00Z',
  assignee_ids: ['u-ana'],
  tags: ['vip'],
  custom_fields: { cnpj: '12.345' },
  contact: { id: 'ct1', name: 'Maria Teste', phone: '', email: '' },
  conversation_ids: ['c1'],
  conversations: [{ id: 'c1', channel_id: 'ch1', channel_name: 'Chat do site', channel_kind: 'webchat', status: 'open', tags: ['orçamento'] }],
  notes: [{ id: 'n1', author_id: 'u-ana', author_name: 'Ana Souza', body: 'Ligar amanhã', created_at: '2026-03-01T12:00:00Z' }],
  events: [{ id: 'e1', kind: 'moved', detail: 'Novo → Proposta', actor_name: 'Ana Souza', created_at: '2026-03-02T12:00:00Z' }],
  follow_ups: [{ id: 'f1', card_id: 'k1', title: 'Enviar contrato', due_at: '2026-03-15T13:00:00Z', done: false, created_at: '2026-03-01T12:00:00Z' }],
  scheduled_messages: [
    { id: 'sm1', conversation_id: 'c1', card_id: 'k1', body: 'Oi de novo', send_at: '2026-03-20T12:00:00Z', status: 'scheduled', failure_reason: '', message_id: null, created_by: 'u-ana', created_at: '2026-03-01T12:00:00Z' },
  ],
})

afterEach(() => vi.unstubAllGlobals())

function server(write: Handler = () => undefined) {
  return scriptFetch((c) => {
    if (c.method === 'GET' && c.path === '/api/v1/cards/k1') return { status: 200, body: k1 }
    return write(c)
  })
}

function open(onChanged = vi.fn(), me = crmMe()) {
  renderCrm(<CardDrawer cardId="k1" stages={stages} users={users} onClose={() => undefined} onChanged={onChanged} />, me)
  return onChanged
}

describe('CardDrawer', () => {
  it('shows the card and its sections in the account time zone', async () => {
    server()
    open()
    expect(await screen.findByTestId('card-drawer-title')).toHaveTextContent('Proposta ACME')
    expect(screen.getByTestId('crm-card-edit-value')).toHaveValue('1.000,00')
    expect(screen.getByTestId('crm-card-edit-due')).toHaveValue('2026-03-12T14:00')
    expect(screen.getByTestId('card-stage-select')).toHaveValue('s1')
    expect(screen.getByTestId('card-conversation-link')).toHaveAttribute('href', '/conversations/c1')
    expect(screen.getByTestId('card-conversation')).toHaveTextContent('orçamento')
    expect(screen.getByTestId('card-note')).toHaveTextContent('Ligar amanhã')
    expect(screen.getByTestId('card-event')).toHaveTextContent('Movido')
    expect(screen.getByTestId('follow-up-row')).toHaveTextContent('15/03/2026, 10:00')
    expect(screen.getByTestId('scheduled-row')).toHaveTextContent('20/03/2026, 09:00')
    expect(screen.getByTestId('scheduled-status')).toHaveTextContent('Agendada')
  })

  it('saves only the changed fields, with the value in cents and the due time as typed', async () => {
    const user = userEvent.setup()
    const calls = server((c) => (c.method === 'PATCH' ? { status: 200, body: { ...k1, ...(c.body as object), value_cents: 123456, due_at: '2026-03-13T12:30:00Z' } } : undefined))
    const onChanged = open()
    const title = await screen.findByTestId('crm-card-edit-title')
    expect(screen.getByTestId('crm-card-save')).toBeDisabled()
    await user.clear(title)
    await user.type(title, 'Proposta ACME v2')
    const value = screen.getByTestId('crm-card-edit-value')
    await user.clear(value)
    await user.type(value, '1.234,56')
    await user.clear(screen.getByTestId('crm-card-edit-due'))
    await user.type(screen.getByTestId('crm-card-edit-due'), '2026-03-13T09:30')
    await user.click(screen.getAllByTestId('crm-card-assignee').find((el) => el.getAttribute('data-id') === 'u-bia')!)
    await user.click(screen.getByTestId('crm-card-save'))
    await screen.findByTestId('crm-card-saved')
    expect(calls.find((c) => c.method === 'PATCH')).toEqual({
      method: 'PATCH',
      path: '/api/v1/cards/k1',
      body: { title: 'Proposta ACME v2', value_cents: 123456, due_at: '2026-03-13T09:30', assignee_ids: ['u-ana', 'u-bia'] },
    })
    expect(onChanged).toHaveBeenCalledWith(expect.objectContaining({ id: 'k1', title: 'Proposta ACME v2' }))
    expect(screen.getByTestId('card-drawer-title')).toHaveTextContent('Proposta ACME v2')
  })

  it('refuses a value it cannot read, without calling the server', async () => {
    const user = userEvent.setup()
    const calls = server()
    open()
    const value = await screen.findByTestId('crm-card-edit-value')
    await user.clear(value)
    await user.type(value, '12,345')
    await user.click(screen.getByTestId('crm-card-save'))
    expect(await screen.findByTestId('field-error')).toHaveAttribute('data-field', 'value_cents')
    expect(calls.filter((c) => c.method !== 'GET')).toHaveLength(0)
  })

  it('moves the card with the Stage select and changes its status', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.path === '/api/v1/cards/k1/move') return { status: 200, body: { ...k1, stage_id: 's2' } }
      if (c.path === '/api/v1/cards/k1/status') return { status: 200, body: { ...k1, stage_id: 's2', status: 'won' } }
      return undefined
    })
    const onChanged = open()
    await user.selectOptions(await screen.findByTestId('card-stage-select'), 's2')
    await waitFor(() => expect(screen.getByTestId('card-stage-select')).toHaveValue('s2'))
    expect(calls.find((c) => c.path.endsWith('/move'))?.body).toEqual({ stage_id: 's2' })
    expect(onChanged).toHaveBeenLastCalledWith(expect.objectContaining({ stage_id: 's2' }))

    expect(screen.queryByTestId('card-status-open')).not.toBeInTheDocument()
    await user.click(screen.getByTestId('card-status-won'))
    await waitFor(() => expect(screen.getByTestId('card-status')).toHaveAttribute('data-status', 'won'))
    expect(calls.find((c) => c.path.endsWith('/status'))?.body).toEqual({ status: 'won' })
    expect(screen.getByTestId('card-status-open')).toHaveTextContent('Reabrir')
  })

  it("sends a stage quick reply and shows the server's refusal", async () => {
    const user = userEvent.setup()
    let refuse = false
    const calls = server((c) => {
      if (c.path !== '/api/v1/cards/k1/quick-replies/qr1/send') return undefined
      return refuse
        ? { status: 422, body: { status: 422, title: 'Unprocessable', detail: 'the 24-hour window is closed' } }
        : { status: 201, body: { message_id: 'm1', conversation_id: 'c1', body: 'Olá Maria!' } }
    })
    open()
    await user.click(await screen.findByTestId('stage-reply-send'))
    expect(await screen.findByTestId('stage-reply-result')).toHaveTextContent('Enviada: Olá Maria!')
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ conversation_id: 'c1' })
    refuse = true
    await user.click(screen.getByTestId('stage-reply-send'))
    await waitFor(() => expect(screen.getByTestId('stage-reply-result')).toHaveTextContent('the 24-hour window is closed'))
    expect(screen.getByTestId('stage-reply-result')).toHaveAttribute('data-ok', 'false')
  })

  it('schedules, edits and cancels a message, and adds a note and a follow-up', async () => {
    const user = userEvent.setup()
    const sm2 = { ...k1.scheduled_messages[0], id: 'sm2', body: 'Lembrete', send_at: '2026-03-21T13:00:00Z' }
    const calls = server((c) => {
      if (c.method === 'POST' && c.path === '/api/v1/scheduled-messages') return { status: 201, body: sm2 }
      if (c.method === 'PATCH' && c.path === '/api/v1/scheduled-messages/sm1') return { status: 200, body: { ...k1.scheduled_messages[0], body: 'Oi, tudo bem?' } }
      if (c.method === 'DELETE' && c.path === '/api/v1/scheduled-messages/sm2') return { status: 200, body: { ...sm2, status: 'canceled' } }
      if (c.method === 'POST' && c.path === '/api/v1/cards/k1/notes') return { status: 201, body: { id: 'n2', author_id: 'u-ana', author_name: 'Ana Souza', body: 'Cliente pediu desconto', created_at: '2026-03-03T12:00:00Z' } }
      if (c.method === 'POST' && c.path === '/api/v1/cards/k1/follow-ups') return { status: 201, body: { id: 'f2', card_id: 'k1', title: 'Ligar', due_at: '2026-03-16T12:00:00Z', done: false, created_at: '' } }
      if (c.method === 'PATCH' && c.path === '/api/v1/follow-ups/f1') return { status: 200, body: { ...k1.follow_ups[0], done: true } }
      return undefined
    })
    open()
    await user.type(await screen.findByTestId('schedule-body'), 'Lembrete')
    await user.type(screen.getByTestId('schedule-at'), '2026-03-21T10:00')
    await user.click(screen.getByTestId('schedule-submit'))
    await waitFor(() => expect(screen.getAllByTestId('scheduled-row')).toHaveLength(2))
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/v1/scheduled-messages')?.body).toEqual({
      conversation_id: 'c1',
      body: 'Lembrete',
      send_at: '2026-03-21T10:00',
      card_id: 'k1',
    })

    const first = screen.getAllByTestId('scheduled-row')[0]
    await user.click(within(first).getByTestId('scheduled-edit'))
    const body = screen.getByTestId('scheduled-edit-body')
    await user.clear(body)
    await user.type(body, 'Oi, tudo bem?')
    await user.click(screen.getByTestId('scheduled-edit-save'))
    await waitFor(() => expect(screen.getAllByTestId('scheduled-row')[0]).toHaveTextContent('Oi, tudo bem?'))
    expect(calls.find((c) => c.method === 'PATCH' && c.path === '/api/v1/scheduled-messages/sm1')?.body).toEqual({ body: 'Oi, tudo bem?' })

    await user.click(within(screen.getAllByTestId('scheduled-row')[1]).getByTestId('scheduled-cancel'))
    await waitFor(() => expect(screen.getAllByTestId('scheduled-row')[1]).toHaveAttribute('data-status', 'canceled'))

    await user.type(screen.getByTestId('card-note-input'), 'Cliente pediu desconto')
    await user.click(screen.getByTestId('card-note-add'))
    await waitFor(() => expect(screen.getAllByTestId('card-note')[0]).toHaveTextContent('Cliente pediu desconto'))

    await user.type(screen.getByTestId('follow-up-title'), 'Ligar')
    await user.type(screen.getByTestId('follow-up-at'), '2026-03-16T09:00')
    await user.click(screen.getByTestId('follow-up-add'))
    await waitFor(() => expect(screen.getAllByTestId('follow-up-row')).toHaveLength(2))
    expect(calls.find((c) => c.path === '/api/v1/cards/k1/follow-ups')?.body).toEqual({ title: 'Ligar', due_at: '2026-03-16T09:00' })
    await user.click(within(screen.getAllByTestId('follow-up-row')[0]).getByTestId('follow-up-done'))
    await waitFor(() => expect(screen.getAllByTestId('follow-up-row').some((r) => r.getAttribute('data-done') === 'true')).toBe(true))
  })

  it('is read-only without crm:edit', async () => {
    server()
    open(vi.fn(), crmMe(['crm:view']))
    await screen.findByTestId('card-drawer-title')
    expect(screen.getByTestId('card-stage-select')).toBeDisabled()
    expect(screen.queryByTestId('crm-card-save')).not.toBeInTheDocument()
    expect(screen.queryByTestId('card-status-won')).not.toBeInTheDocument()
    expect(screen.queryByTestId('schedule-form')).not.toBeInTheDocument()
    expect(screen.getByTestId('crm-card-edit-title')).toBeDisabled()
  })
})
