import { afterEach, describe, expect, it, vi } from 'vitest'
import { act, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { BillingStatus, Me } from '../api/types'
import { App } from '../App'
import { I18nProvider, translate } from '../i18n'
import { renderAdmin, scriptFetch } from '../admin/adminTestKit'
import type { Call } from '../admin/adminTestKit'
import { SessionContext } from '../session'
import { ALL_PERMISSIONS, fakeStream, makeMe } from '../test/fakes'
import { LOW_BALANCE_INITIAL, LowBalanceBanner, lowBalanceStep } from './LowBalanceBanner'

const admin = makeMe({ permissions: [...ALL_PERMISSIONS, 'billing:manage'] })
const agent = makeMe({ permissions: ALL_PERMISSIONS })

const LOW: BillingStatus = {
  balance_cents: 1230,
  currency: 'BRL',
  low_balance_cents: 2000,
  minimum_recharge_cents: 10000,
  pix_enabled: true,
  activated: true,
}
const OK: BillingStatus = { ...LOW, balance_cents: 12345 }

const LOW_TEXT = 'Saldo pré-pago baixo: R$ 12,30 (alerta abaixo de R$ 20,00). Os envios de SMS param quando o saldo acaba.'

function billingServer(status: BillingStatus) {
  return scriptFetch((c: Call) => (c.method === 'GET' && c.path === '/api/v1/billing' ? { status: 200, body: status } : undefined))
}

afterEach(() => {
  vi.unstubAllGlobals()
  window.history.replaceState(null, '', '/')
})

describe('low balance banner', () => {
  it('shows at load when GET /billing finds an activated balance below the threshold, links to the Billing tab and can be dismissed', async () => {
    const calls = billingServer(LOW)
    const user = userEvent.setup()
    renderAdmin(<LowBalanceBanner />, admin, undefined, fakeStream())
    expect(await screen.findByTestId('low-balance-text')).toHaveTextContent(LOW_TEXT)
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /api/v1/billing'])
    const link = screen.getByTestId('low-balance-recharge')
    expect(link).toHaveTextContent('Recarregar')
    expect(link).toHaveAttribute('href', '/admin/billing')

    await user.click(link)
    expect(window.location.pathname).toBe('/admin/billing')

    await user.click(screen.getByRole('button', { name: 'Dispensar aviso de saldo baixo' }))
    expect(screen.queryByTestId('low-balance-banner')).toBeNull()
  })

  it('stays hidden at load when the balance is above the threshold, or before the first recharge', async () => {
    const calls = billingServer(OK)
    const { unmount } = renderAdmin(<LowBalanceBanner />, admin, undefined, fakeStream())
    await waitFor(() => expect(calls).toHaveLength(1))
    await act(async () => undefined)
    expect(screen.queryByTestId('low-balance-banner')).toBeNull()
    unmount()

    const calls2 = billingServer({ ...LOW, balance_cents: 0, activated: false })
    renderAdmin(<LowBalanceBanner />, admin, undefined, fakeStream())
    await waitFor(() => expect(calls2).toHaveLength(1))
    await act(async () => undefined)
    expect(screen.queryByTestId('low-balance-banner')).toBeNull()
  })

  it('shows on billing.low_balance, follows the balance, and hides once a recharge brings it back above the threshold', async () => {
    const calls = billingServer(OK)
    const stream = fakeStream()
    renderAdmin(<LowBalanceBanner />, admin, undefined, stream)
    await waitFor(() => expect(calls).toHaveLength(1))
    await act(async () => undefined)
    expect(screen.queryByTestId('low-balance-banner')).toBeNull()

    act(() => stream.emit({ type: 'billing.low_balance', data: { balance_cents: 1230, low_balance_cents: 2000 } }))
    expect(screen.getByTestId('low-balance-text')).toHaveTextContent(LOW_TEXT)

    // another send: still low, the amount follows
    act(() => stream.emit({ type: 'billing.updated', data: { balance_cents: 1221 } }))
    expect(screen.getByTestId('low-balance-text')).toHaveTextContent('Saldo pré-pago baixo: R$ 12,21 (alerta abaixo de R$ 20,00).')

    // a recharge paid: back above the last known threshold
    act(() => stream.emit({ type: 'billing.updated', data: { balance_cents: 16221 } }))
    expect(screen.queryByTestId('low-balance-banner')).toBeNull()
  })

  it('speaks English', async () => {
    billingServer(LOW)
    render(
      <I18nProvider initial="en">
        <SessionContext.Provider value={{ me: admin, setMe: () => undefined }}>
          <LowBalanceBanner />
        </SessionContext.Provider>
      </I18nProvider>,
    )
    expect(await screen.findByTestId('low-balance-text')).toHaveTextContent(
      'Low prepaid balance: R$ 12.30 (alert below R$ 20.00). SMS sends stop when the balance runs out.',
    )
    expect(screen.getByTestId('low-balance-recharge')).toHaveTextContent('Recharge')
    expect(translate('en', 'billing.banner.dismiss')).not.toBe('')
  })

  it('never shows for a user without billing:manage, who is not asked about billing', async () => {
    const calls = billingServer(LOW)
    const stream = fakeStream()
    renderAdmin(<LowBalanceBanner />, agent, undefined, stream)
    act(() => stream.emit({ type: 'billing.low_balance', data: { balance_cents: 1230, low_balance_cents: 2000 } }))
    await act(async () => undefined)
    expect(screen.queryByTestId('low-balance-banner')).toBeNull()
    expect(calls).toEqual([])
  })

  it('after a dismissal, a new fall below the threshold shows it again', () => {
    let s = lowBalanceStep(LOW_BALANCE_INITIAL, { kind: 'status', status: LOW })
    expect(s).toMatchObject({ shown: true, balance: 1230, threshold: 2000 })
    s = lowBalanceStep(s, { kind: 'dismiss' })
    expect(s.shown).toBe(false)
    // a refetch (e.g. after a reconnect) still low: the admin already closed it
    s = lowBalanceStep(s, { kind: 'status', status: LOW })
    expect(s.shown).toBe(false)
    s = lowBalanceStep(s, { kind: 'event', event: { type: 'billing.updated', data: { balance_cents: 1000 } } })
    expect(s.shown).toBe(false)
    s = lowBalanceStep(s, { kind: 'event', event: { type: 'billing.low_balance', data: { balance_cents: 900, low_balance_cents: 2000 } } })
    expect(s).toMatchObject({ shown: true, balance: 900, threshold: 2000 })
    // a billing.updated before any threshold is known hides nothing and shows nothing
    expect(lowBalanceStep(LOW_BALANCE_INITIAL, { kind: 'event', event: { type: 'billing.updated', data: { balance_cents: 5 } } }).shown).toBe(false)
  })
})

describe('low balance banner in the app layout', () => {
  function appServer(me: Me, status: BillingStatus) {
    return scriptFetch((c: Call) => {
      const path = c.path.split('?')[0]
      if (path === '/api/v1/me') return { status: 200, body: me }
      if (path === '/api/v1/billing') return { status: 200, body: status }
      if (path === '/api/v1/conversations') return { status: 200, body: { items: [], next_cursor: null } }
      return { status: 200, body: { items: [] } }
    })
  }

  it('shows at the top of the app for a user with billing:manage', async () => {
    appServer(admin, LOW)
    window.history.replaceState(null, '', '/')
    render(
      <I18nProvider initial="pt-BR">
        <App />
      </I18nProvider>,
    )
    const banner = await screen.findByTestId('low-balance-banner')
    expect(banner).toHaveTextContent(LOW_TEXT)
    expect(banner.previousElementSibling?.tagName).toBe('HEADER')
  })

  it('never shows, nor asks GET /billing, for a user without billing:manage', async () => {
    const calls = appServer(agent, LOW)
    window.history.replaceState(null, '', '/')
    render(
      <I18nProvider initial="pt-BR">
        <App />
      </I18nProvider>,
    )
    await screen.findByTestId('presence-select')
    await waitFor(() => expect(calls.some((c) => c.path.startsWith('/api/v1/conversations'))).toBe(true))
    await act(async () => undefined)
    expect(screen.queryByTestId('low-balance-banner')).toBeNull()
    expect(calls.some((c) => c.path.startsWith('/api/v1/billing'))).toBe(false)
  })
})
