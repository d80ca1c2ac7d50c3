// The low prepaid balance banner, for those who manage billing: shown when
// GET /billing finds an activated balance below its alert threshold, or when
// billing.low_balance says it just fell below; hidden by the admin (until the
// next fall) or by a billing.updated that brings it back above the threshold.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { MouseEvent } from 'react'
import type { BillingStatus, StreamEvent } from '../api/types'
import { billingApi } from '../admin/billingApi'
import { formatBRL } from '../format'
import { useI18n } from '../i18n'
import { navigate } from '../router'
import { can, useSession, useStreamEvents, useStreamReconnect } from '../session'

export const BILLING_PATH = '/admin/billing'

export interface LowBalanceState {
  /** the last known balance, in centavos */
  balance: number | null
  /** the last known alert threshold, in centavos */
  threshold: number | null
  shown: boolean
  /** the admin closed it; a new fall below the threshold shows it again */
  dismissed: boolean
}

export const LOW_BALANCE_INITIAL: LowBalanceState = { balance: null, threshold: null, shown: false, dismissed: false }

export type LowBalanceInput = { kind: 'status'; status: BillingStatus } | { kind: 'event'; event: StreamEvent } | { kind: 'dismiss' }

const isCents = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** The banner's next state after GET /billing, a live event or the admin's dismissal. */
export function lowBalanceStep(s: LowBalanceState, input: LowBalanceInput): LowBalanceState {
  switch (input.kind) {
    case 'dismiss':
      return { ...s, shown: false, dismissed: true }
    case 'status': {
      const b = input.status
      if (!isCents(b.balance_cents) || !isCents(b.low_balance_cents)) return s
      const low = !!b.activated && b.balance_cents < b.low_balance_cents
      return { balance: b.balance_cents, threshold: b.low_balance_cents, shown: low && !s.dismissed, dismissed: low && s.dismissed }
    }
    case 'event': {
      const ev = input.event
      if (ev.type === 'billing.low_balance') {
        const { balance_cents: balance, low_balance_cents: threshold } = ev.data
        if (!isCents(balance) || !isCents(threshold)) return s
        return { balance, threshold, shown: true, dismissed: false }
      }
      if (ev.type === 'billing.updated') {
        const balance = ev.data.balance_cents
        if (!isCents(balance)) return s
        if (s.threshold !== null && balance >= s.threshold) return { ...s, balance, shown: false, dismissed: false }
        return { ...s, balance }
      }
      return s
    }
  }
}

/** Nothing, and no GET /billing, for a user without billing:manage. */
export function LowBalanceBanner() {
  const { me } = useSession()
  return can(me, 'billing:manage') ? <LowBalanceNotice /> : null
}

function LowBalanceNotice() {
  const { t, lang } = useI18n()
  const [state, setState] = useState<LowBalanceState>(LOW_BALANCE_INITIAL)
  const alive = useRef(true)

  const load = useCallback(() => {
    billingApi.status().then(
      (status) => {
        if (alive.current) setState((s) => lowBalanceStep(s, { kind: 'status', status }))
      },
      () => undefined, // no banner rather than an error about it
    )
  }, [])

  useEffect(() => {
    alive.current = true
    load()
    return () => {
      alive.current = false
    }
  }, [load])

  useStreamEvents((event) => {
    if (event.type === 'billing.low_balance' || event.type === 'billing.updated') setState((s) => lowBalanceStep(s, { kind: 'event', event }))
  })
  useStreamReconnect(load)

  if (!state.shown || state.balance === null || state.threshold === null) return null

  function go(e: MouseEvent) {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    navigate(BILLING_PATH)
  }

  return (
    <div className="alert alert-warn low-balance-banner" role="status" data-testid="low-balance-banner">
      <span className="low-balance-text" data-testid="low-balance-text">
        {t('billing.banner.low', { balance: formatBRL(state.balance, lang), threshold: formatBRL(state.threshold, lang) })}
      </span>
      <a href={BILLING_PATH} className="btn btn-primary btn-sm" onClick={go} data-testid="low-balance-recharge">
        {t('billing.banner.recharge')}
      </a>
      <button
        type="button"
        className="btn btn-ghost btn-sm low-balance-dismiss"
        aria-label={t('billing.banner.dismiss')}
        title={t('billing.banner.dismiss')}
        onClick={() => setState((s) => lowBalanceStep(s, { kind: 'dismiss' }))}
        data-testid="low-balance-dismiss"
      >
        ×
      </button>
    </div>
  )
}
