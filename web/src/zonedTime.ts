// Wall-clock time in the account's time zone (not the browser's), with
// Intl.DateTimeFormat only. A day is named by its "YYYY-MM-DD" key; an input
// value is the "YYYY-MM-DDTHH:MM" of <input type="datetime-local">, which the
// server reads in the account's time zone.

export const DEFAULT_TIMEZONE = 'America/Sao_Paulo'

export interface ZonedParts {
  year: number
  month: number // 1-12
  day: number
  hour: number // 0-23
  minute: number
  second: number
}

const partFormatters = new Map<string, Intl.DateTimeFormat>()

function partFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partFormatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    partFormatters.set(timeZone, f)
  }
  return f
}

/** A usable IANA zone: the account's, or the default when it is empty or unknown. */
export function safeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return DEFAULT_TIMEZONE
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return timeZone
  } catch {
    return DEFAULT_TIMEZONE
  }
}

export function zonedParts(at: Date, timeZone: string): ZonedParts {
  const out: Record<string, number> = {}
  for (const p of partFormatter(timeZone).formatToParts(at)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value)
  }
  return { year: out.year, month: out.month, day: out.day, hour: out.hour % 24, minute: out.minute, second: out.second }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** The "YYYY-MM-DD" of a day. */
export function dayKeyOf(p: { year: number; month: number; day: number }): string {
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`
}

/** Which day an instant falls on in the zone. */
export function dayKey(at: Date | string, timeZone: string): string {
  return dayKeyOf(zonedParts(typeof at === 'string' ? new Date(at) : at, timeZone))
}

export function todayKey(timeZone: string, now: Date = new Date()): string {
  return dayKey(now, timeZone)
}

export function parseDayKey(key: string): { year: number; month: number; day: number } {
  const [y, m, d] = key.split('-').map(Number)
  return { year: y, month: m, day: d }
}

/** Calendar arithmetic on day keys (no time zone involved). */
export function addDays(key: string, n: number): string {
  const { year, month, day } = parseDayKey(key)
  const d = new Date(Date.UTC(year, month - 1, day + n))
  return dayKeyOf({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() })
}

/** The same day n months later, clamped to the month's last day. */
export function addMonths(key: string, n: number): string {
  const { year, month, day } = parseDayKey(key)
  const first = new Date(Date.UTC(year, month - 1 + n, 1))
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate()
  return dayKeyOf({ year: first.getUTCFullYear(), month: first.getUTCMonth() + 1, day: Math.min(day, last) })
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(key: string): number {
  const { year, month, day } = parseDayKey(key)
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay()
}

/** A day key as a Date at noon UTC: format it with timeZone 'UTC' to name the day. */
export function dayAsDate(key: string): Date {
  const { year, month, day } = parseDayKey(key)
  return new Date(Date.UTC(year, month - 1, day, 12))
}

/** The instant when the zone's clock shows the given wall time. */
export function zonedToInstant(p: Partial<ZonedParts> & { year: number; month: number; day: number }, timeZone: string): Date {
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
  const offsetAt = (ms: number) => {
    const z = zonedParts(new Date(ms), timeZone)
    return Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute, z.second) - ms
  }
  const first = offsetAt(wall)
  let at = wall - first
  const again = offsetAt(at)
  if (again !== first) at = wall - again
  return new Date(at)
}

/** Midnight of a day in the zone. */
export function startOfDay(key: string, timeZone: string): Date {
  return zonedToInstant(parseDayKey(key), timeZone)
}

/** An instant as a datetime-local value in the zone ("" for none). */
export function toZonedInput(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const p = zonedParts(d, timeZone)
  return `${dayKeyOf(p)}T${pad(p.hour)}:${pad(p.minute)}`
}

/** "YYYY-MM-DDTHH:MM" (seconds allowed): what datetime-local gives and the server accepts as a naive time. */
export function isNaiveInput(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)
}

/** A short date and time of an instant in the zone. */
export function formatZoned(iso: string, lang: string, timeZone: string, opts: Intl.DateTimeFormatOptions = { dateStyle: 'short', timeStyle: 'short' }): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  try {
    return new Intl.DateTimeFormat(lang, { ...opts, timeZone }).format(d)
  } catch {
    return new Intl.DateTimeFormat(lang, opts).format(d)
  }
}

/** "14:05" in the zone. */
export function formatClock(iso: string, lang: string, timeZone: string): string {
  return formatZoned(iso, lang, timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
}
