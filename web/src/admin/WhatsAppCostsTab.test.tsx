import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { WhatsAppCostReport, WhatsAppCostRow } from '../api/types'
import { makeMe } from '../test/fakes'
import { AdminPage } from './AdminPage'
import { renderAdmin, scriptFetch } from './adminTestKit'
import type { Call } from './adminTestKit'
import { WhatsAppCostsTab } from './WhatsAppCostsTab'
import { formatCents, groupByMonth, totalOf } from './whatsappCostsLogic'

const CHANNELS = [
  { id: 'ch1', kind: 'whatsapp_official', name: 'WA Vendas' },
  { id: 'ch2', kind: 'whatsapp_official', name: 'WA Suporte' },
  { id: 'ch3', kind: 'telegram', name: 'Telegram Loja' },
]

const ROWS: WhatsAppCostRow[] = [
  { month: '2026-11', channel_id: 'ch1', category: 'marketing', billable: 4, free: 1, estimated_cents: 125 },
  { month: '2026-11', channel_id: 'ch1', category: 'utility', billable: 2, free: 3, estimated_cents: 1050 },
  { month: '2026-11', channel_id: 'ch2', category: 'authentication', billable: 1, free: 0, estimated_cents: null },
  { month: '2026-12', channel_id: 'ch2', category: 'marketing', billable: 10, free: 0, estimated_cents: 100000 },
  { month: '2026-12', channel_id: 'ch1', category: 'service', billable: 0, free: 7, estimated_cents: 0 },
]

function report(over: Partial<WhatsAppCostReport> = {}): WhatsAppCostReport {
  return { from: '2026-11', to: '2026-12', rates: true, basis: 'Estimated from the operator rate card.', rows: ROWS, ...over }
}

let answer: (c: Call) => { status: number; body?: unknown }
let calls: Call[]

beforeEach(() => {
  // 01:00 UTC on 1 Dec is still 30 Nov in São Paulo: the default month is November.
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-12-01T01:00:00Z'))
  answer = () => ({ status: 200, body: report() })
  calls = scriptFetch((c) => {
    if (c.path === '/api/v1/channels') return { status: 200, body: { items: CHANNELS } }
    if (c.path.startsWith('/api/v1/reports/whatsapp-costs')) return answer(c)
    return { status: 200, body: { items: [] } }
  })
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

const money = (el: Element) => (el.textContent ?? '').replace(/\s/g, ' ')
const cells = (row: HTMLElement) => ({
  billable: within(row).getByTestId('cost-billable').textContent,
  free: within(row).getByTestId('cost-free').textContent,
  estimate: money(within(row).getByTestId('cost-estimate')),
})
const costCalls = () => calls.filter((c) => c.path.startsWith('/api/v1/reports/whatsapp-costs')).map((c) => c.path)

describe('whatsappCostsLogic', () => {
  it('formats centavos as BRL and an unpriced estimate as a dash', () => {
    expect(formatCents(125).replace(/\s/g, ' ')).toBe('R$ 1,25')
    expect(formatCents(100000).replace(/\s/g, ' ')).toBe('R$ 1.000,00')
    expect(formatCents(0).replace(/\s/g, ' ')).toBe('R$ 0,00')
    expect(formatCents(null)).toBe('—')
  })

  it('totals billable, free and the priced estimates', () => {
    expect(totalOf(ROWS)).toEqual({ billable: 17, free: 11, estimated_cents: 101175, partial: true })
    expect(totalOf([ROWS[2]])).toEqual({ billable: 1, free: 0, estimated_cents: null, partial: true })
    const months = groupByMonth(ROWS, (id) => CHANNELS.find((c) => c.id === id)?.name ?? id)
    expect(months.map((m) => m.month)).toEqual(['2026-11', '2026-12'])
    expect(months[0].rows.map((r) => `${r.channel_id}/${r.category}`)).toEqual(['ch2/authentication', 'ch1/marketing', 'ch1/utility'])
    expect(months[0].total).toEqual({ billable: 7, free: 4, estimated_cents: 1175, partial: true })
  })
})

describe('WhatsAppCostsTab', () => {
  it('asks for the current month and shows the rows, the month totals and the overall total in BRL', async () => {
    renderAdmin(<WhatsAppCostsTab />, makeMe({ permissions: ['reports:view'] }))
    expect(await screen.findByTestId('cost-total')).toBeInTheDocument()
    expect(costCalls()[0]).toBe('/api/v1/reports/whatsapp-costs?from=2026-11&to=2026-11')
    expect(screen.getByTestId('costs-from')).toHaveValue('2026-11')
    expect(screen.getByTestId('costs-to')).toHaveValue('2026-11')
    expect(screen.getByTestId('costs-explain')).toHaveTextContent(
      'A Meta cobra por mensagem de template entregue, conforme a categoria; mensagens dentro da janela de 24 h e pontos de entrada gratuitos não são cobrados. Valores estimados com a tabela do operador.',
    )

    const rows = screen.getAllByTestId('cost-row')
    expect(rows.map((r) => `${r.dataset.month} ${r.dataset.channelId} ${r.dataset.category}`)).toEqual([
      '2026-11 ch2 authentication',
      '2026-11 ch1 marketing',
      '2026-11 ch1 utility',
      '2026-12 ch2 marketing',
      '2026-12 ch1 service',
    ])
    expect(rows[0]).toHaveTextContent('WA Suporte')
    expect(rows[0]).toHaveTextContent('Autenticação')
    expect(cells(rows[0])).toEqual({ billable: '1', free: '0', estimate: '—' })
    expect(rows[1]).toHaveTextContent('WA Vendas')
    expect(rows[1]).toHaveTextContent('Marketing')
    expect(cells(rows[1])).toEqual({ billable: '4', free: '1', estimate: 'R$ 1,25' })
    expect(rows[2]).toHaveTextContent('Utilidade')
    expect(cells(rows[2])).toEqual({ billable: '2', free: '3', estimate: 'R$ 10,50' })
    expect(cells(rows[3])).toEqual({ billable: '10', free: '0', estimate: 'R$ 1.000,00' })
    expect(rows[4]).toHaveTextContent('Serviço')
    expect(cells(rows[4])).toEqual({ billable: '0', free: '7', estimate: 'R$ 0,00' })

    const totals = screen.getAllByTestId('cost-month-total')
    expect(totals.map((r) => r.dataset.month)).toEqual(['2026-11', '2026-12'])
    expect(cells(totals[0])).toEqual({ billable: '7', free: '4', estimate: 'R$ 11,75' })
    expect(cells(totals[1])).toEqual({ billable: '10', free: '7', estimate: 'R$ 1.000,00' })
    expect(cells(screen.getByTestId('cost-total'))).toEqual({ billable: '17', free: '11', estimate: 'R$ 1.011,75' })
    expect(screen.getByTestId('costs-unpriced')).toBeInTheDocument()
    expect(screen.queryByTestId('costs-no-rates')).not.toBeInTheDocument()
  })

  it('offers only the official WhatsApp channels and filters by one', async () => {
    const user = userEvent.setup()
    renderAdmin(<WhatsAppCostsTab />, makeMe({ permissions: ['reports:view'] }))
    const select = screen.getByTestId('costs-channel')
    await waitFor(() => expect(within(select).getAllByRole('option')).toHaveLength(3))
    expect(within(select).queryByText('Telegram Loja')).not.toBeInTheDocument()
    await user.selectOptions(select, 'ch2')
    await waitFor(() => expect(costCalls()).toContain('/api/v1/reports/whatsapp-costs?from=2026-11&to=2026-11&channel_id=ch2'))
  })

  it('says the operator can set CHATSPOT_WHATSAPP_TEMPLATE_RATES when there are no rates', async () => {
    answer = () => ({ status: 200, body: report({ rates: false, rows: ROWS.map((r) => ({ ...r, estimated_cents: null })) }) })
    renderAdmin(<WhatsAppCostsTab />, makeMe({ permissions: ['reports:view'] }))
    expect(await screen.findByTestId('costs-no-rates')).toHaveTextContent('CHATSPOT_WHATSAPP_TEMPLATE_RATES')
    for (const cell of screen.getAllByTestId('cost-estimate')) expect(cell).toHaveTextContent(/^—$/)
    expect(cells(screen.getByTestId('cost-total'))).toEqual({ billable: '17', free: '11', estimate: '—' })
  })

  it('shows a bad month refused with 422 beside its field', async () => {
    answer = (c) =>
      c.path.includes('from=2020-01')
        ? { status: 422, body: { status: 422, detail: 'from: month must be within the last 24 months', field: 'from' } }
        : { status: 200, body: report() }
    renderAdmin(<WhatsAppCostsTab />, makeMe({ permissions: ['reports:view'] }))
    await screen.findByTestId('cost-total')
    fireEvent.change(screen.getByTestId('costs-from'), { target: { value: '2020-01' } })
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'from')
    expect(err).toHaveTextContent('month must be within the last 24 months')
    expect(screen.queryByTestId('cost-total')).not.toBeInTheDocument()
    expect(costCalls()).toContain('/api/v1/reports/whatsapp-costs?from=2020-01&to=2026-11')
  })
})

describe('WhatsApp costs tab', () => {
  it('shows with reports:view', async () => {
    window.history.replaceState(null, '', '/admin/whatsapp-costs')
    renderAdmin(<AdminPage tab="whatsapp-costs" />, makeMe({ permissions: ['reports:view'] }))
    expect(screen.getByTestId('admin-tab-whatsapp-costs')).toHaveTextContent('Custos do WhatsApp')
    expect(screen.getByTestId('admin-tab-whatsapp-costs')).toHaveAttribute('aria-current', 'page')
    expect(await screen.findByTestId('admin-whatsapp-costs')).toBeInTheDocument()
  })

  it('is hidden without reports:view, and its address goes elsewhere', async () => {
    window.history.replaceState(null, '', '/admin/whatsapp-costs')
    renderAdmin(<AdminPage tab="whatsapp-costs" />, makeMe({ permissions: ['users:manage'] }))
    expect(screen.queryByTestId('admin-tab-whatsapp-costs')).not.toBeInTheDocument()
    await waitFor(() => expect(window.location.pathname).toBe('/admin/users'))
    expect(screen.queryByTestId('admin-whatsapp-costs')).not.toBeInTheDocument()
    expect(costCalls()).toEqual([])
  })
})
