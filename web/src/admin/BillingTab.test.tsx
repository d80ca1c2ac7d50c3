import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { BillingStatus, LedgerEntry, Recharge } from '../api/types'
import { formatBRL, formatDateTime } from '../format'
import { translate } from '../i18n'
import type { Translate } from '../i18n'
import { fakeStream, makeMe } from '../test/fakes'
import { AdminPage } from './AdminPage'
import { BillingTab } from './BillingTab'
import { renderAdmin, scriptFetch } from './adminTestKit'
import type { Call } from './adminTestKit'
import { parseReais, pollDelay, rechargeErrors, reaisInput } from './billingLogic'

const t: Translate = (key, params) => translate('pt-BR', key, params)
const me = makeMe({ permissions: ['billing:manage'] })

const STATUS: BillingStatus = {
  balance_cents: 12345,
  currency: 'BRL',
  low_balance_cents: 2000,
  minimum_recharge_cents: 10000,
  pix_enabled: true,
  activated: true,
}

function entry(over: Partial<LedgerEntry>): LedgerEntry {
  return {
    id: 'e',
    kind: 'recharge',
    amount_cents: 0,
    balance_after_cents: 0,
    reason: '',
    message_id: null,
    recharge_id: null,
    created_at: '2026-11-30T15:00:00Z',
    ...over,
  }
}

const PAGE1: LedgerEntry[] = [
  entry({ id: 'e5', kind: 'refund', amount_cents: 9, balance_after_cents: 12345, reason: 'envio falhou', message_id: 'm2', created_at: '2026-11-30T15:05:00Z' }),
  entry({ id: 'e4', kind: 'reservation', amount_cents: -18, balance_after_cents: 12336, reason: 'SMS, 2 segmentos', message_id: 'm2', created_at: '2026-11-30T15:04:00Z' }),
  entry({ id: 'e3', kind: 'debit', amount_cents: -9, balance_after_cents: 12354, reason: 'segmento a mais', message_id: 'm1', created_at: '2026-11-30T15:03:00Z' }),
  entry({ id: 'e2', kind: 'charge', amount_cents: -1600, balance_after_cents: 12363, reason: 'WhatsApp Oficial', created_at: '2026-11-30T15:02:00Z' }),
]
const PAGE2: LedgerEntry[] = [entry({ id: 'e1', kind: 'recharge', amount_cents: 13963, balance_after_cents: 13963, reason: 'Pix', recharge_id: 'r0', created_at: '2026-11-30T15:00:00Z' })]

function recharge(over: Partial<Recharge> = {}): Recharge {
  return {
    id: 'r1',
    amount_cents: 15000,
    status: 'creating',
    qr_code: '',
    qr_code_base64: '',
    ticket_url: '',
    expires_at: '2026-11-30T16:00:00Z',
    paid_at: null,
    failure_reason: '',
    created_at: '2026-11-30T15:10:00Z',
    ...over,
  }
}

const OLD: Recharge = recharge({ id: 'r0', amount_cents: 13963, status: 'approved', paid_at: '2026-11-30T15:00:00Z', created_at: '2026-11-30T14:58:00Z' })
const EXPIRED: Recharge = recharge({ id: 'rx', amount_cents: 10000, status: 'expired', failure_reason: 'o Pix venceu sem pagamento', created_at: '2026-11-29T10:00:00Z' })
const PIX_CODE = '00020126580014br.gov.bcb.pix0136chatspot-recarga5204000053039865406150.005802BR6304ABCD'
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

let status: BillingStatus
let recharges: Recharge[]
let now: Recharge
let extra: (c: Call) => { status: number; body?: unknown } | undefined
let calls: Call[]

beforeEach(() => {
  status = STATUS
  recharges = [OLD, EXPIRED]
  now = recharge()
  extra = () => undefined
  calls = scriptFetch((c) => {
    const x = extra(c)
    if (x) return x
    if (c.method === 'GET' && c.path === '/api/v1/billing') return { status: 200, body: status }
    if (c.method === 'GET' && c.path === '/api/v1/billing/recharges') return { status: 200, body: { recharges } }
    if (c.method === 'GET' && c.path === '/api/v1/billing/recharges/r1') return { status: 200, body: now }
    if (c.method === 'GET' && c.path === '/api/v1/billing/entries?limit=50') return { status: 200, body: { entries: PAGE1, next_before: 'e2' } }
    if (c.method === 'GET' && c.path === '/api/v1/billing/entries?limit=50&before=e2') return { status: 200, body: { entries: PAGE2, next_before: '' } }
    return undefined
  })
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

const text = (el: Element) => (el.textContent ?? '').replace(/\s/g, ' ')
const gets = (path: string) => calls.filter((c) => c.method === 'GET' && c.path === path).length

describe('billingLogic', () => {
  it('reads reais as typed in Brazil (and with a decimal point)', () => {
    expect(parseReais('100,00')).toBe(10000)
    expect(parseReais('100')).toBe(10000)
    expect(parseReais('R$ 1.000,50')).toBe(100050)
    expect(parseReais('12,5')).toBe(1250)
    expect(parseReais('1.000')).toBe(100000)
    expect(parseReais('100.50')).toBe(10050)
    expect(parseReais('0,09')).toBe(9)
    expect(parseReais('')).toBeNull()
    expect(parseReais('abc')).toBeNull()
    expect(parseReais('1,234')).toBeNull()
    expect(parseReais('-10')).toBeNull()
    expect(reaisInput(10000, 'pt-BR')).toBe('100,00')
    expect(reaisInput(123456, 'pt-BR')).toBe('1234,56')
    expect(reaisInput(2000, 'en')).toBe('20.00')
  })

  it('formats money in the language of the reader, with a sign for the statement', () => {
    expect(formatBRL(12345, 'pt-BR')).toBe('R$ 123,45')
    expect(formatBRL(12345, 'en')).toBe('R$ 123.45')
    expect(formatBRL(123456, 'pt-BR')).toBe('R$ 1.234,56')
    expect(formatBRL(-18, 'pt-BR', { sign: true })).toBe('-R$ 0,18')
    expect(formatBRL(9, 'pt-BR', { sign: true })).toBe('+R$ 0,09')
    expect(formatBRL(0, 'pt-BR', { sign: true })).toBe('R$ 0,00')
  })

  it('checks the recharge form: at least the minimum, an e-mail, a CPF or CNPJ when given', () => {
    const ok = { amount: '100,00', email: 'a@b.com', document: '' }
    expect(rechargeErrors(ok, 10000, t, 'pt-BR')).toEqual({})
    expect(rechargeErrors({ ...ok, amount: '99,99' }, 10000, t, 'pt-BR')).toEqual({ amount_cents: 'A recarga mínima é de R$ 100,00.' })
    expect(rechargeErrors({ ...ok, amount: 'cem' }, 10000, t, 'pt-BR').amount_cents).toBe('Informe o valor em reais, ex.: 100,00.')
    expect(rechargeErrors({ ...ok, email: 'nope' }, 10000, t, 'pt-BR').payer_email).toBe('Informe um e-mail válido.')
    expect(rechargeErrors({ ...ok, document: '123.456.789-09' }, 10000, t, 'pt-BR')).toEqual({})
    expect(rechargeErrors({ ...ok, document: '12.345.678/0001-90' }, 10000, t, 'pt-BR')).toEqual({})
    expect(rechargeErrors({ ...ok, document: '1234' }, 10000, t, 'pt-BR').payer_document).toBeTruthy()
  })

  it('asks every 2 s while the charge is created, every 3 s while payment is awaited, never once it ended', () => {
    expect(pollDelay(recharge())).toBe(2000)
    expect(pollDelay(recharge({ status: 'creating', qr_code: PIX_CODE }))).toBe(3000)
    expect(pollDelay(recharge({ status: 'pending', qr_code: PIX_CODE }))).toBe(3000)
    for (const s of ['approved', 'expired', 'cancelled', 'rejected', 'failed'] as const) expect(pollDelay(recharge({ status: s }))).toBeNull()
  })
})

describe('BillingTab', () => {
  it('shows the balance in BRL, the recharges and the statement, and loads more of it', async () => {
    const user = userEvent.setup()
    renderAdmin(<BillingTab />, me)
    expect(text(await screen.findByTestId('billing-balance'))).toBe('R$ 123,45')
    expect(screen.queryByTestId('billing-low')).not.toBeInTheDocument()
    expect(screen.queryByTestId('billing-not-activated')).not.toBeInTheDocument()
    expect(screen.queryByTestId('billing-no-pix')).not.toBeInTheDocument()
    expect(screen.getByTestId('billing-threshold')).toHaveValue('20,00')
    expect(screen.getByTestId('billing-recharge-amount')).toHaveValue('100,00')
    // the payer's e-mail comes from the session
    expect(screen.getByTestId('billing-recharge-email')).toHaveValue('ana@loja.com.br')

    const rows = await screen.findAllByTestId('billing-recharge-row')
    expect(rows.map((r) => r.dataset.id)).toEqual(['r0', 'rx'])
    expect(rows[0]).toHaveTextContent('Paga')
    expect(text(rows[0])).toContain('R$ 139,63')
    expect(rows[1]).toHaveTextContent('Expirada')
    expect(rows[1]).toHaveTextContent('o Pix venceu sem pagamento')

    const lines = await screen.findAllByTestId('billing-entry')
    expect(lines.map((l) => l.dataset.kind)).toEqual(['refund', 'reservation', 'debit', 'charge'])
    const cell = (row: HTMLElement, id: string) => text(within(row).getByTestId(id))
    expect(lines.map((l) => cell(l, 'billing-entry-kind'))).toEqual(['Estorno', 'Envio (reservado)', 'Débito', 'Cobrança'])
    expect(lines.map((l) => cell(l, 'billing-entry-amount'))).toEqual(['+R$ 0,09', '-R$ 0,18', '-R$ 0,09', '-R$ 16,00'])
    expect(lines.map((l) => cell(l, 'billing-entry-balance'))).toEqual(['R$ 123,45', 'R$ 123,36', 'R$ 123,54', 'R$ 123,63'])
    expect(within(lines[0]).getByTestId('billing-entry-amount')).toHaveClass('amount-in')
    expect(within(lines[1]).getByTestId('billing-entry-amount')).toHaveClass('amount-out')
    expect(lines[1]).toHaveTextContent('SMS, 2 segmentos')
    // the date as the app writes it, in the account's zone
    expect(lines[0]).toHaveTextContent(formatDateTime('2026-11-30T15:05:00Z', 'pt-BR', 'America/Sao_Paulo'))

    await user.click(screen.getByTestId('billing-entries-more'))
    await waitFor(() => expect(screen.getAllByTestId('billing-entry')).toHaveLength(5))
    const last = screen.getAllByTestId('billing-entry')[4]
    expect(cell(last, 'billing-entry-kind')).toBe('Recarga')
    expect(cell(last, 'billing-entry-amount')).toBe('+R$ 139,63')
    expect(calls.map((c) => c.path)).toContain('/api/v1/billing/entries?limit=50&before=e2')
    expect(screen.queryByTestId('billing-entries-more')).not.toBeInTheDocument()
  })

  it('says a first recharge of R$ 100,00 activates SMS, warns of a low balance, and hides the form without Pix', async () => {
    status = { ...STATUS, balance_cents: 0, activated: false, pix_enabled: false }
    recharges = []
    extra = (c) => (c.path.startsWith('/api/v1/billing/entries') ? { status: 200, body: { entries: [], next_before: '' } } : undefined)
    renderAdmin(<BillingTab />, me)
    expect(await screen.findByTestId('billing-not-activated')).toHaveTextContent(
      'Os canais de SMS são ativados pela primeira recarga, de no mínimo R$ 100,00.',
    )
    expect(text(screen.getByTestId('billing-balance'))).toBe('R$ 0,00')
    expect(screen.getByTestId('billing-low')).toHaveTextContent('Saldo abaixo do alerta de R$ 20,00')
    expect(screen.getByTestId('billing-no-pix')).toHaveTextContent('ainda não configurou os pagamentos por Pix')
    expect(screen.queryByTestId('billing-recharge-form')).not.toBeInTheDocument()
    // the threshold is still editable
    expect(screen.getByTestId('billing-threshold-form')).toBeInTheDocument()
    expect(await screen.findByText('Nenhuma recarga ainda.')).toBeInTheDocument()
    expect(await screen.findByText('Nenhum lançamento ainda.')).toBeInTheDocument()
  })

  it('saves the low-balance alert, and shows a 422 beside the field', async () => {
    const user = userEvent.setup()
    extra = (c) => {
      if (c.method !== 'PUT' || c.path !== '/api/v1/billing/settings') return undefined
      const cents = (c.body as { low_balance_cents: number }).low_balance_cents
      if (cents > 100000) return { status: 422, body: { status: 422, detail: 'low_balance_cents: must be at most R$ 1.000,00', field: 'low_balance_cents' } }
      return { status: 200, body: { ...STATUS, low_balance_cents: cents } }
    }
    renderAdmin(<BillingTab />, me)
    const input = await screen.findByTestId('billing-threshold')
    await user.clear(input)
    await user.type(input, '5000')
    await user.click(screen.getByTestId('billing-threshold-save'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'low_balance_cents')
    expect(err).toHaveTextContent('must be at most R$ 1.000,00')
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ low_balance_cents: 500000 })

    await user.clear(input)
    await user.type(input, '35,50')
    await user.click(screen.getByTestId('billing-threshold-save'))
    expect(await screen.findByTestId('billing-threshold-saved')).toBeInTheDocument()
    expect(calls.filter((c) => c.method === 'PUT')[1].body).toEqual({ low_balance_cents: 3550 })
    expect(screen.queryByTestId('field-error')).not.toBeInTheDocument()
    expect(input).toHaveValue('35,50')

    // not money: refused before asking
    await user.clear(input)
    await user.type(input, 'vinte')
    await user.click(screen.getByTestId('billing-threshold-save'))
    expect(await screen.findByTestId('field-error')).toHaveTextContent('Informe um valor em reais')
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(2)
  })

  it('recharges by Pix: refuses below the minimum, shows the QR code and the copy code, and turns approved on poll', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime })
    extra = (c) => (c.method === 'POST' && c.path === '/api/v1/billing/recharges' ? { status: 201, body: recharge() } : undefined)
    renderAdmin(<BillingTab />, me)
    const amount = await screen.findByTestId('billing-recharge-amount')

    // below R$ 100,00: refused here, nothing asked
    await user.clear(amount)
    await user.type(amount, '50,00')
    await user.click(screen.getByTestId('billing-recharge-submit'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'amount_cents')
    expect(err).toHaveTextContent('A recarga mínima é de R$ 100,00.')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)

    await user.clear(amount)
    await user.type(amount, '150,00')
    await user.type(screen.getByTestId('billing-recharge-document'), '123.456.789-09')
    await user.click(screen.getByTestId('billing-recharge-submit'))
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1))
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ amount_cents: 15000, payer_email: 'ana@loja.com.br', payer_document: '12345678909' })

    // being created: no QR code yet, asked again every 2 s
    const panel = await screen.findByTestId('billing-recharge')
    expect(panel).toHaveAttribute('data-status', 'creating')
    expect(screen.getByTestId('billing-recharge-creating')).toBeInTheDocument()
    expect(screen.queryByTestId('billing-qr')).not.toBeInTheDocument()
    expect(screen.getAllByTestId('billing-recharge-row')[0]).toHaveAttribute('data-id', 'r1')
    await act(() => vi.advanceTimersByTimeAsync(2000))
    await waitFor(() => expect(gets('/api/v1/billing/recharges/r1')).toBe(1))

    now = recharge({ status: 'pending', qr_code: PIX_CODE, qr_code_base64: PNG, ticket_url: 'https://pagamento.example.com/r1' })
    await act(() => vi.advanceTimersByTimeAsync(2000))
    await waitFor(() => expect(screen.getByTestId('billing-recharge')).toHaveAttribute('data-status', 'pending'))
    const qr = screen.getByTestId('billing-qr')
    expect(qr.tagName).toBe('IMG')
    expect(qr).toHaveAttribute('src', `data:image/png;base64,${PNG}`)
    expect(qr).toHaveAttribute('alt', 'QR Code do Pix de R$ 150,00')
    expect(screen.getByTestId('billing-pix-code')).toHaveValue(PIX_CODE)
    expect(screen.getByTestId('billing-pix-code')).toHaveAttribute('readonly')
    expect(screen.getByTestId('billing-pix-copy')).toHaveTextContent('Copiar código')
    expect(screen.getByTestId('billing-recharge-expires')).toHaveTextContent(`Vence em ${formatDateTime('2026-11-30T16:00:00Z', 'pt-BR', 'America/Sao_Paulo')}`)
    expect(screen.getByTestId('billing-ticket')).toHaveAttribute('href', 'https://pagamento.example.com/r1')
    expect(screen.getByTestId('billing-recharge-status')).toHaveTextContent('Aguardando pagamento')
    await user.click(screen.getByTestId('billing-pix-copy'))
    expect(await navigator.clipboard.readText()).toBe(PIX_CODE)

    // awaiting payment: every 3 s, not sooner
    const asked = gets('/api/v1/billing/recharges/r1')
    await act(() => vi.advanceTimersByTimeAsync(2000))
    expect(gets('/api/v1/billing/recharges/r1')).toBe(asked)
    await act(() => vi.advanceTimersByTimeAsync(1000))
    await waitFor(() => expect(gets('/api/v1/billing/recharges/r1')).toBe(asked + 1))

    // paid: the balance and the statement are asked again
    const billingGets = gets('/api/v1/billing')
    const entryGets = gets('/api/v1/billing/entries?limit=50')
    status = { ...STATUS, balance_cents: 27345 }
    now = { ...now, status: 'approved', paid_at: '2026-11-30T15:12:00Z' }
    await act(() => vi.advanceTimersByTimeAsync(3000))
    expect(await screen.findByTestId('billing-recharge-approved')).toHaveTextContent('Pagamento confirmado — saldo creditado')
    expect(screen.queryByTestId('billing-qr')).not.toBeInTheDocument()
    await waitFor(() => expect(text(screen.getByTestId('billing-balance'))).toBe('R$ 273,45'))
    expect(gets('/api/v1/billing')).toBeGreaterThan(billingGets)
    expect(gets('/api/v1/billing/entries?limit=50')).toBeGreaterThan(entryGets)

    // ended: no more asking
    const done = gets('/api/v1/billing/recharges/r1')
    await act(() => vi.advanceTimersByTimeAsync(10_000))
    expect(gets('/api/v1/billing/recharges/r1')).toBe(done)
  })

  it('shows a recharge refused with 422 beside its field', async () => {
    const user = userEvent.setup()
    extra = (c) =>
      c.method === 'POST' && c.path === '/api/v1/billing/recharges'
        ? { status: 422, body: { status: 422, detail: 'payer_email: o provedor de pagamento recusou este e-mail', field: 'payer_email' } }
        : undefined
    renderAdmin(<BillingTab />, me)
    await user.click(await screen.findByTestId('billing-recharge-submit'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'payer_email')
    expect(err).toHaveTextContent('o provedor de pagamento recusou este e-mail')
    expect(screen.queryByTestId('billing-recharge')).not.toBeInTheDocument()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ amount_cents: 10000, payer_email: 'ana@loja.com.br' })
  })

  it('shows a 422 without a field of this form at the top', async () => {
    const user = userEvent.setup()
    extra = (c) =>
      c.method === 'POST' && c.path === '/api/v1/billing/recharges'
        ? { status: 422, body: { status: 422, detail: 'amount_cents: a recarga mínima é de R$ 100,00', field: 'amount' } }
        : undefined
    renderAdmin(<BillingTab />, me)
    await user.click(await screen.findByTestId('billing-recharge-submit'))
    expect(await screen.findByTestId('form-error')).toHaveTextContent('amount_cents: a recarga mínima é de R$ 100,00')
  })

  it('shows why a recharge ended without the money', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime })
    extra = (c) =>
      c.method === 'POST' && c.path === '/api/v1/billing/recharges'
        ? { status: 201, body: recharge({ status: 'pending', qr_code: PIX_CODE }) }
        : undefined
    renderAdmin(<BillingTab />, me)
    await user.click(await screen.findByTestId('billing-recharge-submit'))
    // no PNG from the provider: the QR code is drawn from the copy code
    expect(await screen.findByTestId('billing-qr')).toHaveAttribute('aria-label', 'QR Code do Pix de R$ 150,00')
    now = recharge({ status: 'rejected', failure_reason: 'pagamento recusado pelo banco' })
    await act(() => vi.advanceTimersByTimeAsync(3000))
    const failed = await screen.findByTestId('billing-recharge-failed')
    expect(failed).toHaveTextContent('Recarga não concluída (Recusada). pagamento recusado pelo banco')
    expect(screen.queryByTestId('billing-qr')).not.toBeInTheDocument()
    const row = screen.getAllByTestId('billing-recharge-row')[0]
    expect(row).toHaveAttribute('data-status', 'rejected')
    expect(row).toHaveTextContent('Recusada')
  })

  it('follows the live balance (billing.updated)', async () => {
    const stream = fakeStream()
    renderAdmin(<BillingTab />, me, () => undefined, stream)
    expect(text(await screen.findByTestId('billing-balance'))).toBe('R$ 123,45')
    await screen.findAllByTestId('billing-entry')
    const entryGets = gets('/api/v1/billing/entries?limit=50')
    status = { ...STATUS, balance_cents: 12327 }
    act(() => stream.emit({ type: 'billing.updated', data: { balance_cents: 12327 } }))
    expect(text(screen.getByTestId('billing-balance'))).toBe('R$ 123,27')
    await waitFor(() => expect(gets('/api/v1/billing/entries?limit=50')).toBeGreaterThan(entryGets))
  })
})

describe('Billing tab', () => {
  it('shows with billing:manage', async () => {
    window.history.replaceState(null, '', '/admin/billing')
    renderAdmin(<AdminPage tab="billing" />, me)
    expect(screen.getByTestId('admin-tab-billing')).toHaveTextContent('Faturamento')
    expect(screen.getByTestId('admin-tab-billing')).toHaveAttribute('aria-current', 'page')
    expect(await screen.findByTestId('admin-billing')).toBeInTheDocument()
  })

  it('is hidden without billing:manage, and its address goes elsewhere', async () => {
    window.history.replaceState(null, '', '/admin/billing')
    renderAdmin(<AdminPage tab="billing" />, makeMe({ permissions: ['reports:view'] }))
    expect(screen.queryByTestId('admin-tab-billing')).not.toBeInTheDocument()
    await waitFor(() => expect(window.location.pathname).toBe('/admin/whatsapp-costs'))
    expect(screen.queryByTestId('admin-billing')).not.toBeInTheDocument()
    expect(calls.filter((c) => c.path.startsWith('/api/v1/billing'))).toEqual([])
  })

  it('is a permission a profile can be given', () => {
    expect(translate('pt-BR', 'perm.billing:manage')).toContain('faturamento')
    expect(translate('en', 'admin.tab.billing')).toBe('Billing')
  })
})
