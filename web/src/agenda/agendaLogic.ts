// Pure helpers of the agenda: the range a view covers in the account's time
// zone, moving it back and forth, the query, and items by day and hour.
import type { AgendaItem } from '../api/types'
import { addDays, addMonths, dayKey, parseDayKey, startOfDay, weekdayOf, zonedParts } from '../zonedTime'

export type AgendaView = 'day' | 'week' | 'month'
export const AGENDA_VIEWS: AgendaView[] = ['day', 'week', 'month']

/** Weeks start on Sunday, as Brazilian calendars do. */
export const WEEK_STARTS_ON = 0

export interface AgendaRange {
  /** The days drawn, in order (a month view shows whole weeks). */
  days: string[]
  /** ISO instants: midnight of the first day, midnight after the last one. */
  from: string
  to: string
}

export function weekStart(key: string): string {
  return addDays(key, -((weekdayOf(key) - WEEK_STARTS_ON + 7) % 7))
}

function span(first: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addDays(first, i))
}

/** The days a view shows around the anchor day, and the instants to ask the server for. */
export function agendaRange(view: AgendaView, anchor: string, timeZone: string): AgendaRange {
  let days: string[]
  if (view === 'day') {
    days = [anchor]
  } else if (view === 'week') {
    days = span(weekStart(anchor), 7)
  } else {
    const { year, month } = parseDayKey(anchor)
    const first = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`
    const last = addDays(addMonths(first, 1), -1)
    const start = weekStart(first)
    const end = addDays(weekStart(last), 6)
    let count = 0
    for (let d = start; d <= end; d = addDays(d, 1)) count++
    days = span(start, count)
  }
  return {
    days,
    from: startOfDay(days[0], timeZone).toISOString(),
    to: startOfDay(addDays(days[days.length - 1], 1), timeZone).toISOString(),
  }
}

/** The anchor one view earlier (-1) or later (+1). */
export function shiftAnchor(view: AgendaView, anchor: string, dir: -1 | 1): string {
  if (view === 'day') return addDays(anchor, dir)
  if (view === 'week') return addDays(anchor, 7 * dir)
  return addMonths(anchor, dir)
}

export function agendaQuery(range: Pick<AgendaRange, 'from' | 'to'>, mine: boolean): string {
  const q = new URLSearchParams({ from: range.from, to: range.to })
  if (mine) q.set('mine', 'true')
  return q.toString()
}

const byTime = (a: AgendaItem, b: AgendaItem) => a.at.localeCompare(b.at) || a.title.localeCompare(b.title)

/** Items by the day they fall on in the zone, each day's by time. */
export function itemsByDay(items: AgendaItem[], timeZone: string): Map<string, AgendaItem[]> {
  const out = new Map<string, AgendaItem[]>()
  for (const item of [...items].sort(byTime)) {
    const key = dayKey(item.at, timeZone)
    const list = out.get(key)
    if (list) list.push(item)
    else out.set(key, [item])
  }
  return out
}

/** The hour (0-23) an item falls on in the zone. */
export function hourOf(item: AgendaItem, timeZone: string): number {
  return zonedParts(new Date(item.at), timeZone).hour
}

/** The hours a day/week view draws: working hours, widened to fit every item shown. */
export function visibleHours(items: AgendaItem[], timeZone: string, from = 7, to = 20): number[] {
  let lo = from
  let hi = to
  for (const item of items) {
    const h = hourOf(item, timeZone)
    lo = Math.min(lo, h)
    hi = Math.max(hi, h)
  }
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)
}

/** Whether a day of a month view belongs to the anchor's month. */
export function inMonth(key: string, anchor: string): boolean {
  return key.slice(0, 7) === anchor.slice(0, 7)
}
