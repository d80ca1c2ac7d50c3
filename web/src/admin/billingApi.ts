// The prepaid balance endpoints (billing:manage), on the shared fetch wrapper.
import { request } from '../api/client'
import type { BillingStatus, LedgerPage, NewRechargeInput, Recharge } from '../api/types'

const enc = encodeURIComponent

/** Statement lines per page. */
export const ENTRIES_PAGE = 50

export const billingApi = {
  status: () => request<BillingStatus>('GET', '/api/v1/billing'),
  updateSettings: (lowBalanceCents: number) =>
    request<BillingStatus>('PUT', '/api/v1/billing/settings', { body: { low_balance_cents: lowBalanceCents } }),
  recharges: () => request<{ recharges: Recharge[] }>('GET', '/api/v1/billing/recharges'),
  recharge: (id: string) => request<Recharge>('GET', `/api/v1/billing/recharges/${enc(id)}`),
  createRecharge: (input: NewRechargeInput) => request<Recharge>('POST', '/api/v1/billing/recharges', { body: input }),
  /** Newest first; before: the next_before of the previous page. */
  entries: (before?: string) =>
    request<LedgerPage>('GET', `/api/v1/billing/entries?limit=${ENTRIES_PAGE}${before ? `&before=${enc(before)}` : ''}`),
}

export type BillingApi = typeof billingApi
