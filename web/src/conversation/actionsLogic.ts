// Pure helpers of the conversation header actions.

/** A Date as the value of <input type="datetime-local"> (local time, minutes). */
export function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}

/** The RFC 3339 instant of a datetime-local value, or null when empty, invalid or not in the future. */
export function snoozeUntil(localValue: string, now: Date = new Date()): string | null {
  if (!localValue) return null
  const d = new Date(localValue)
  if (Number.isNaN(d.getTime()) || d.getTime() <= now.getTime()) return null
  return d.toISOString()
}

export interface SnoozePreset {
  key: 'action.snooze1h' | 'action.snoozeTomorrow' | 'action.snoozeNextWeek'
  at: Date
}

export function snoozePresets(now: Date = new Date()): SnoozePreset[] {
  const inHour = new Date(now.getTime() + 60 * 60 * 1000)
  inHour.setSeconds(0, 0)
  const tomorrow = new Date(now)
  tomorrow.setDate(now.getDate() + 1)
  tomorrow.setHours(9, 0, 0, 0)
  const monday = new Date(now)
  const daysToMonday = ((8 - now.getDay()) % 7) || 7
  monday.setDate(now.getDate() + daysToMonday)
  monday.setHours(9, 0, 0, 0)
  return [
    { key: 'action.snooze1h', at: inHour },
    { key: 'action.snoozeTomorrow', at: tomorrow },
    { key: 'action.snoozeNextWeek', at: monday },
  ]
}

/** Normalise a tag typed by an agent: trimmed, inner spaces collapsed; empty → null. */
export function normalizeTag(raw: string): string | null {
  const tag = raw.trim().replace(/\s+/g, ' ')
  return tag ? tag : null
}
