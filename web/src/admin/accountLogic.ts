// Pure logic of the account settings tab: the time zone choices and the week
// grid of business hours (what inBusinessHours() sees) to and from the API's
// {day: ["HH:MM", "HH:MM"]}, with the checks made before sending. No React
// here, so it is unit-tested.
import type { AccountSettings, AccountWeekday } from '../api/types'
import type { MessageKey } from '../i18n'
import { DEFAULT_TIMEZONE } from '../zonedTime'

/** Field names a PATCH /account problem may name. */
export const ACCOUNT_FIELDS = ['timezone', 'business_hours']

/** The grid's rows, Sunday first like the server's day keys. */
export const ACCOUNT_WEEKDAYS: readonly AccountWeekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']

export const WEEKDAY_LABEL: Record<AccountWeekday, MessageKey> = {
  sun: 'rules.weekday.sun',
  mon: 'rules.weekday.mon',
  tue: 'rules.weekday.tue',
  wed: 'rules.weekday.wed',
  thu: 'rules.weekday.thu',
  fri: 'rules.weekday.fri',
  sat: 'rules.weekday.sat',
}

/** The zones offered: Brazil's, then UTC. */
export const COMMON_TIMEZONES: readonly string[] = [
  'America/Sao_Paulo',
  'America/Manaus',
  'America/Belem',
  'America/Fortaleza',
  'America/Recife',
  'America/Cuiaba',
  'America/Porto_Velho',
  'America/Rio_Branco',
  'America/Noronha',
  'UTC',
]

/** The select's options: the short list, plus the stored zone when it is another one (so it is never lost). */
export function timezoneOptions(current: string): string[] {
  const zone = current.trim()
  return zone && !COMMON_TIMEZONES.includes(zone) ? [zone, ...COMMON_TIMEZONES] : [...COMMON_TIMEZONES]
}

const DEFAULT_OPEN = '09:00'
const DEFAULT_CLOSE = '18:00'
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

export interface DaySpan {
  open: boolean
  from: string
  to: string
}

export type WeekGrid = Record<AccountWeekday, DaySpan>

export type BusinessHoursMap = AccountSettings['business_hours']

/**
 * The grid for stored hours: a day the map has is open with its span; a
 * missing day is closed, pre-filled with 09:00–18:00 for when it is ticked.
 */
export function hoursToGrid(hours: BusinessHoursMap | null | undefined): WeekGrid {
  const grid = {} as WeekGrid
  for (const d of ACCOUNT_WEEKDAYS) {
    const span = hours?.[d]
    grid[d] = span ? { open: true, from: span[0], to: span[1] } : { open: false, from: DEFAULT_OPEN, to: DEFAULT_CLOSE }
  }
  return grid
}

/** What to send: open days only (a missing day is closed), Sunday first. */
export function gridToHours(grid: WeekGrid): BusinessHoursMap {
  const out: BusinessHoursMap = {}
  for (const d of ACCOUNT_WEEKDAYS) {
    const day = grid[d]
    if (day.open) out[d] = [day.from, day.to]
  }
  return out
}

/**
 * The server's rule, checked before sending: an open day's times are "HH:MM"
 * (24 h) and it opens before it closes. Keys are days; empty = fine.
 */
export function gridProblems(grid: WeekGrid): Partial<Record<AccountWeekday, MessageKey>> {
  const out: Partial<Record<AccountWeekday, MessageKey>> = {}
  for (const d of ACCOUNT_WEEKDAYS) {
    const day = grid[d]
    if (!day.open) continue
    if (!HHMM.test(day.from) || !HHMM.test(day.to)) out[d] = 'admin.account.badTime'
    else if (day.from >= day.to) out[d] = 'admin.account.closeBeforeOpen'
  }
  return out
}

export function setDay(grid: WeekGrid, day: AccountWeekday, patch: Partial<DaySpan>): WeekGrid {
  return { ...grid, [day]: { ...grid[day], ...patch } }
}

export interface AccountForm {
  timezone: string
  days: WeekGrid
}

export function accountForm(s: AccountSettings): AccountForm {
  return { timezone: s.timezone || DEFAULT_TIMEZONE, days: hoursToGrid(s.business_hours) }
}

/** The PATCH body: both fields, always (the tab saves the whole form). */
export function accountPatch(f: AccountForm): AccountSettings {
  return { timezone: f.timezone.trim(), business_hours: gridToHours(f.days) }
}
