import { describe, expect, it } from 'vitest'
import { addDays, addMonths, dayKey, formatClock, isNaiveInput, safeZone, startOfDay, toZonedInput, weekdayOf, zonedToInstant } from './zonedTime'

describe('zoned time', () => {
  it('finds the instant of a wall time in a zone', () => {
    expect(zonedToInstant({ year: 2026, month: 3, day: 10, hour: 9, minute: 30 }, 'America/Sao_Paulo').toISOString()).toBe('2026-03-10T12:30:00.000Z')
    expect(zonedToInstant({ year: 2026, month: 3, day: 10, hour: 9 }, 'Asia/Tokyo').toISOString()).toBe('2026-03-10T00:00:00.000Z')
    expect(zonedToInstant({ year: 2026, month: 3, day: 10 }, 'UTC').toISOString()).toBe('2026-03-10T00:00:00.000Z')
    // New York across the DST change (8 March 2026): EST before, EDT after.
    expect(startOfDay('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z')
    expect(startOfDay('2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z')
  })

  it('names the day and the datetime-local value of an instant in the zone', () => {
    expect(dayKey('2026-03-11T02:00:00Z', 'America/Sao_Paulo')).toBe('2026-03-10')
    expect(dayKey('2026-03-11T02:00:00Z', 'UTC')).toBe('2026-03-11')
    expect(toZonedInput('2026-03-12T17:05:00Z', 'America/Sao_Paulo')).toBe('2026-03-12T14:05')
    expect(toZonedInput('2026-03-12T23:30:00Z', 'Asia/Tokyo')).toBe('2026-03-13T08:30')
    expect(toZonedInput(null, 'UTC')).toBe('')
    expect(formatClock('2026-03-12T17:05:00Z', 'pt-BR', 'America/Sao_Paulo')).toBe('14:05')
  })

  it('does calendar arithmetic on day keys', () => {
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01')
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31')
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28')
    expect(addMonths('2026-03-15', -3)).toBe('2025-12-15')
    expect(weekdayOf('2026-03-10')).toBe(2) // a Tuesday
  })

  it('checks naive inputs and falls back to São Paulo for an unknown zone', () => {
    expect(isNaiveInput('2026-03-10T09:30')).toBe(true)
    expect(isNaiveInput('2026-03-10T09:30:05')).toBe(true)
    expect(isNaiveInput('2026-03-10')).toBe(false)
    expect(isNaiveInput('')).toBe(false)
    expect(safeZone('')).toBe('America/Sao_Paulo')
    expect(safeZone('Not/AZone')).toBe('America/Sao_Paulo')
    expect(safeZone('Europe/Lisbon')).toBe('Europe/Lisbon')
  })
})
