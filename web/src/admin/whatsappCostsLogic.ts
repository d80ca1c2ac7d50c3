// Pure logic of the WhatsApp costs report: the rows grouped by month, the
// totals per month and overall, and money from centavos. No React here.
import type { WhatsAppCostRow } from '../api/types'
import type { MessageKey, Translate } from '../i18n'
import { safeZone, todayKey } from '../zonedTime'

export const COST_CATEGORIES = ['marketing', 'utility', 'authentication', 'service'] as const

const CATEGORY_LABEL: Record<string, MessageKey> = {
  marketing: 'costs.category.marketing',
  utility: 'costs.category.utility',
  authentication: 'costs.category.authentication',
  service: 'costs.category.service',
}

export function categoryLabel(category: string, t: Translate): string {
  const key = CATEGORY_LABEL[category]
  return key ? t(key) : category
}

/** "R$ 1,25" from 125 centavos; "—" when the category has no rate (null). */
export function formatCents(cents: number | null): string {
  if (cents === null) return '—'
  return new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' }).format(cents / 100)
}

/** The "YYYY-MM" of now in the account's time zone. */
export function currentMonth(timeZone: string | null | undefined, now: Date = new Date()): string {
  return todayKey(safeZone(timeZone), now).slice(0, 7)
}

export interface CostTotals {
  billable: number
  free: number
  /** sum of the priced rows; null when none of them had a rate */
  estimated_cents: number | null
  /** some row had no rate: the estimate leaves it out */
  partial: boolean
}

export function totalOf(rows: readonly WhatsAppCostRow[]): CostTotals {
  let billable = 0
  let free = 0
  let cents: number | null = null
  let partial = false
  for (const r of rows) {
    billable += r.billable
    free += r.free
    if (r.estimated_cents === null) partial = true
    else cents = (cents ?? 0) + r.estimated_cents
  }
  return { billable, free, estimated_cents: cents, partial }
}

export interface CostMonth {
  month: string
  rows: WhatsAppCostRow[]
  total: CostTotals
}

function categoryRank(c: string): number {
  const i = (COST_CATEGORIES as readonly string[]).indexOf(c)
  return i < 0 ? COST_CATEGORIES.length : i
}

/** Months in order; inside one, rows by channel name, then category (marketing, utility, authentication, service). */
export function groupByMonth(rows: readonly WhatsAppCostRow[], channelName: (id: string) => string): CostMonth[] {
  const months = new Map<string, WhatsAppCostRow[]>()
  for (const r of rows) {
    const list = months.get(r.month) ?? []
    list.push(r)
    months.set(r.month, list)
  }
  return [...months.keys()].sort().map((month) => {
    const list = [...(months.get(month) ?? [])].sort(
      (a, b) =>
        channelName(a.channel_id).localeCompare(channelName(b.channel_id), 'pt-BR') ||
        a.channel_id.localeCompare(b.channel_id) ||
        categoryRank(a.category) - categoryRank(b.category),
    )
    return { month, rows: list, total: totalOf(list) }
  })
}

/** "nov. de 2026" for "2026-11" (the key itself when it does not parse). */
export function monthLabel(month: string, lang: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month)
  if (!m) return month
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1))
  return new Intl.DateTimeFormat(lang, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d)
}
