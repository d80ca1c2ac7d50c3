import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import type { Agent, CardSummary } from '../api/types'
import { scriptFetch } from '../admin/adminTestKit'
import type { Call, Handler } from '../admin/adminTestKit'
import { CrmPage } from './CrmPage'
import { card, crmMe, detail, pipeline, plainSpaces, renderCrm } from './crmTestKit'

const users: Agent[] = [
  { id: 'u-ana', name: 'Ana Souza', email: 'ana@loja.com.br', role: 'agent', status: 'online' },
  { id: 'u-bia', name: 'Beatriz Lima', email: 'bia@loja.com.br', role: 'agent', status: 'online' },
]

const k1 = card({
  id: 'k1',
  title: 'Proposta ACME',
  stage_id: 's1',
  position: 0,
  value_cents: 123456,
  contact: { id: 'ct1', name: 'Maria Teste', phone: '', email: '' },
  assignee_ids: ['u-bia'],
  due_at: '2020-01-01T12:00:00Z',
  priority: 'urgent',
  tags: ['vip'],
  conversation_tags: ['orçamento'],
})
const k2 = card({ id: 'k2', title: 'Loja do Zé', stage_id: 's1', position: 1, value_cents: 50000 })
const k3 = card({ id: 'k3', title: 'Padaria', stage_id: 's2', position: 0, value_cents: 1000 })

afterEach(() => vi.unstubAllGlobals())
beforeEach(() => window.history.replaceState(null, '', '/crm/p1'))

function server(write: Handler = () => undefined, cards: CardSummary[] = [k1, k2, k3]) {
  return scriptFetch((c) => {
    if (c.method === 'GET' && c.path === '/api/v1/pipelines') return { status: 200, body: { items: [pipeline()] } }
    if (c.method === 'GET' && c.path.startsWith('/api/v1/users')) return { status: 200, body: { items: users } }
    if (c.method === 'GET' && c.path.startsWith('/api/v1/pipelines/p1/board')) return { status: 200, body: { pipeline: pipeline(), cards } }
    return write(c)
  })
}

const boardGets = (calls: Call[]) => calls.filter((c) => c.method === 'GET' && c.path.startsWith('/api/v1/pipelines/p1/board'))

function column(stageId: string) {
  return screen.getAllByTestId('crm-column').find((el) => el.getAttribute('data-stage') === stageId)!
}

function cardIds(stageId: string) {
  return within(column(stageId))
    .queryAllByTestId('crm-card')
    .map((el) => el.getAttribute('data-id'))
}

/** jsdom has no DataTransfer: a small stand-in that keeps what was set. */
function dataTransfer() {
  const data: Record<string, string> = {}
  return {
    effectAllowed: '',
    dropEffect: '',
    setData: (k: string, v: string) => {
      data[k] = v
    },
    getData: (k: string) => data[k] ?? '',
  }
}

function drag(cardId: string, toStage: string) {
  const dt = dataTransfer()
  const el = screen.getAllByTestId('crm-card').find((x) => x.getAttribute('data-id') === cardId)!
  fireEvent.dragStart(el, { dataTransfer: dt })
  const target = within(column(toStage)).getByTestId('crm-column-drop')
  fireEvent.dragOver(target, { dataTransfer: dt })
  fireEvent.drop(target, { dataTransfer: dt })
  fireEvent.dragEnd(el, { dataTransfer: dt })
}

describe('CRM board', () => {
  it('shows the stages as columns with counts, BRL totals and the cards', async () => {
    const calls = server()
    renderCrm(<CrmPage pipelineId="p1" />)
    await screen.findAllByTestId('crm-card')
    expect(screen.getAllByTestId('crm-column-name').map((el) => el.textContent)).toEqual(['Novo', 'Proposta', 'Fechamento'])
    expect(screen.getAllByTestId('crm-column-count').map((el) => el.textContent)).toEqual(['2', '1', '0'])
    expect(screen.getAllByTestId('crm-column-total').map((el) => plainSpaces(el.textContent))).toEqual(['R$ 1.734,56', 'R$ 10,00', 'R$ 0,00'])
    expect(cardIds('s1')).toEqual(['k1', 'k2'])

    const tile = within(column('s1')).getAllByTestId('crm-card')[0]
    expect(tile).toHaveTextContent('Proposta ACME')
    expect(plainSpaces(within(tile).getByTestId('crm-card-value').textContent)).toBe('R$ 1.234,56')
    expect(tile).toHaveTextContent('Maria Teste')
    expect(within(tile).getByTestId('crm-card-assignees')).toHaveTextContent('BL')
    expect(within(tile).getByTestId('crm-card-due')).toHaveAttribute('data-overdue', 'true')
    expect(within(tile).getByTestId('crm-card-due')).toHaveClass('is-overdue')
    expect(within(tile).getByTestId('crm-card-priority')).toHaveTextContent('Urgente')
    expect(within(tile).getByTestId('crm-card-tag')).toHaveTextContent('vip')
    expect(within(tile).getByTestId('crm-card-conv-tag')).toHaveTextContent('orçamento')
    expect(within(tile).getByTestId('crm-card-conv-tag')).toHaveClass('tag-conv')
    expect(boardGets(calls)[0].path).toBe('/api/v1/pipelines/p1/board?status=open')
  })

  it('moves a dragged card to another column at once and tells the server', async () => {
    // The move answers only when the test says so: the card must move before that.
    let answer: () => void = () => undefined
    const answered = new Promise<void>((r) => (answer = r))
    const calls = server((c) => (c.method === 'POST' && c.path === '/api/v1/cards/k1/move' ? { status: 200, body: detail({ ...k1, stage_id: 's2', position: 1 }) } : undefined))
    const scripted = vi.mocked(fetch).getMockImplementation()!
    vi.mocked(fetch).mockImplementation(async (url, init) => {
      if (init?.method === 'POST') await answered
      return scripted(url, init)
    })
    renderCrm(<CrmPage pipelineId="p1" />)
    await screen.findAllByTestId('crm-card')

    drag('k1', 's2')
    expect(cardIds('s2')).toEqual(['k3', 'k1'])
    expect(cardIds('s1')).toEqual(['k2'])
    expect(screen.getAllByTestId('crm-column-count').map((el) => el.textContent)).toEqual(['1', '2', '0'])
    answer()
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')).toEqual({ method: 'POST', path: '/api/v1/cards/k1/move', body: { stage_id: 's2', position: 1 } }))
    // and the board is asked again afterwards
    await waitFor(() => expect(boardGets(calls).length).toBeGreaterThan(1))
    expect(screen.queryByTestId('crm-move-error')).not.toBeInTheDocument()
  })

  it('puts the card back and explains when the server refuses the move', async () => {
    server((c) =>
      c.method === 'POST' && c.path === '/api/v1/cards/k2/move'
        ? { status: 409, body: { status: 409, title: 'Conflict', detail: 'the card is archived' } }
        : undefined,
    )
    renderCrm(<CrmPage pipelineId="p1" />)
    await screen.findAllByTestId('crm-card')
    drag('k2', 's3')
    expect(cardIds('s3')).toEqual(['k2'])
    const err = await screen.findByTestId('crm-move-error')
    expect(err).toHaveTextContent('O card não foi movido: the card is archived')
    expect(cardIds('s1')).toEqual(['k1', 'k2'])
    expect(cardIds('s3')).toEqual([])
  })

  it('does not call the server for a drop that changes nothing, nor let a viewer drag', async () => {
    const calls = server()
    const { unmount } = renderCrm(<CrmPage pipelineId="p1" />)
    await screen.findAllByTestId('crm-card')
    drag('k2', 's1') // already the last card of its column
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)
    unmount()

    renderCrm(<CrmPage pipelineId="p1" />, crmMe(['crm:view']))
    await screen.findAllByTestId('crm-card')
    expect(screen.getAllByTestId('crm-card')[0]).toHaveAttribute('draggable', 'false')
    expect(screen.queryByTestId('crm-new-card')).not.toBeInTheDocument()
    expect(screen.queryByTestId('crm-pipeline-settings')).not.toBeInTheDocument()
    drag('k1', 's2')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)
  })

  it('sends the filters as query parameters', async () => {
    const calls = server()
    renderCrm(<CrmPage pipelineId="p1" />)
    await screen.findAllByTestId('crm-card')
    await waitFor(() => expect(screen.getByTestId('crm-filter-assignee')).toHaveTextContent('Beatriz Lima'))
    fireEvent.change(screen.getByTestId('crm-filter-assignee'), { target: { value: 'u-bia' } })
    fireEvent.change(screen.getByTestId('crm-filter-priority'), { target: { value: 'urgent' } })
    fireEvent.change(screen.getByTestId('crm-filter-due'), { target: { value: 'overdue' } })
    await waitFor(() => expect(boardGets(calls).at(-1)?.path).toBe('/api/v1/pipelines/p1/board?assignee_id=u-bia&priority=urgent&due=overdue&status=open'))
    fireEvent.change(screen.getByTestId('crm-filter-tag'), { target: { value: 'vip' } })
    await waitFor(() => expect(boardGets(calls).at(-1)?.path).toBe('/api/v1/pipelines/p1/board?assignee_id=u-bia&tag=vip&priority=urgent&due=overdue&status=open'))
  })

  it('creates a card in a column', async () => {
    const calls = server((c) => (c.method === 'POST' && c.path === '/api/v1/cards' ? { status: 201, body: detail({ id: 'k9', stage_id: 's3', title: 'Novo lead', value_cents: 250000 }) } : undefined))
    renderCrm(<CrmPage pipelineId="p1" />)
    await screen.findAllByTestId('crm-card')
    fireEvent.click(within(column('s3')).getByTestId('crm-new-card'))
    fireEvent.change(screen.getByTestId('crm-new-card-title'), { target: { value: 'Novo lead' } })
    fireEvent.change(screen.getByTestId('crm-new-card-value'), { target: { value: '2.500,00' } })
    fireEvent.click(screen.getByTestId('crm-new-card-submit'))
    await waitFor(() => expect(cardIds('s3')).toEqual(['k9']))
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ pipeline_id: 'p1', stage_id: 's3', title: 'Novo lead', value_cents: 250000 })
  })

  it('refetches when the stream says a card of this pipeline changed, and shows alerts', async () => {
    const calls = server()
    const { stream } = renderCrm(<CrmPage pipelineId="p1" />)
    await screen.findAllByTestId('crm-card')
    expect(boardGets(calls)).toHaveLength(1)
    stream.emit({ type: 'card.updated', data: { id: 'kx', pipeline_id: 'other', stage_id: 'sx' } })
    stream.emit({ type: 'card.updated', data: { id: 'k1', pipeline_id: 'p1', stage_id: 's2' } })
    stream.emit({ type: 'card.updated', data: { id: 'k2', pipeline_id: 'p1', stage_id: 's2' } })
    await waitFor(() => expect(boardGets(calls)).toHaveLength(2))
    await new Promise((r) => setTimeout(r, 500))
    expect(boardGets(calls)).toHaveLength(2) // one refetch for the burst

    stream.emit({ type: 'card.alert', data: { card_id: 'k1', pipeline_id: 'p1', title: 'Proposta ACME', kind: 'stale', detail: '3 dias em Novo' } })
    const alert = await screen.findByTestId('crm-alert')
    expect(alert).toHaveTextContent('Card parado')
    expect(alert).toHaveTextContent('Proposta ACME')
    fireEvent.click(within(alert).getByTestId('crm-alert-open'))
    expect(window.location.pathname + window.location.search).toBe('/crm/p1?card=k1')
  })

  it('creates a pipeline and opens its board', async () => {
    const created = pipeline({ id: 'p2', name: 'Pós-venda', stages: [] })
    const calls = server((c) => (c.method === 'POST' && c.path === '/api/v1/pipelines' ? { status: 201, body: created } : undefined))
    renderCrm(<CrmPage pipelineId="p1" />)
    fireEvent.click(await screen.findByTestId('crm-new-pipeline'))
    fireEvent.change(screen.getByTestId('crm-new-pipeline-name'), { target: { value: 'Pós-venda' } })
    fireEvent.change(screen.getByTestId('crm-new-pipeline-stages'), { target: { value: 'Ativação\n\nRenovação\n' } })
    fireEvent.click(screen.getByTestId('crm-new-pipeline-submit'))
    await waitFor(() => expect(window.location.pathname).toBe('/crm/p2'))
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Pós-venda', stages: ['Ativação', 'Renovação'] })
  })

  it('goes from /crm to the first pipeline', async () => {
    window.history.replaceState(null, '', '/crm')
    server()
    renderCrm(<CrmPage pipelineId={null} />)
    await waitFor(() => expect(window.location.pathname).toBe('/crm/p1'))
  })
})
