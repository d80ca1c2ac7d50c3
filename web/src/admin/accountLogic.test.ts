import { describe, expect, it } from 'vitest'
import {
  ACCOUNT_WEEKDAYS,
  accountForm,
  accountPatch,
  COMMON_TIMEZONES,
  gridProblems,
  gridToHours,
  hoursToGrid,
  setDay,
  timezoneOptions,
} from './accountLogic'
import type { BusinessHoursMap } from './accountLogic'

describe('business hours grid', () => {
  it('reads the open days and leaves the missing ones closed, Sunday first', () => {
    const grid = hoursToGrid({ mon: ['08:00', '17:30'], sat: ['09:00', '13:00'] })
    expect(Object.keys(grid)).toEqual(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'])
    expect(grid.mon).toEqual({ open: true, from: '08:00', to: '17:30' })
    expect(grid.sat).toEqual({ open: true, from: '09:00', to: '13:00' })
    // a closed day is pre-filled, so ticking it gives a sensible span
    expect(grid.sun).toEqual({ open: false, from: '09:00', to: '18:00' })
    expect(grid.tue.open).toBe(false)
  })

  it('treats no hours at all as closed all week', () => {
    for (const hours of [{}, null, undefined]) {
      const grid = hoursToGrid(hours)
      expect(ACCOUNT_WEEKDAYS.every((d) => !grid[d].open)).toBe(true)
      expect(gridToHours(grid)).toEqual({})
    }
  })

  it('sends the open days only', () => {
    let grid = hoursToGrid({ mon: ['09:00', '18:00'], tue: ['09:00', '18:00'] })
    grid = setDay(grid, 'tue', { open: false })
    grid = setDay(grid, 'sun', { open: true, from: '10:00', to: '14:00' })
    const hours = gridToHours(grid)
    expect(hours).toEqual({ sun: ['10:00', '14:00'], mon: ['09:00', '18:00'] })
    expect('tue' in hours).toBe(false)
  })

  it('round-trips what the server stores', () => {
    const stored: BusinessHoursMap = { mon: ['09:00', '18:00'], wed: ['07:45', '12:15'], fri: ['13:00', '22:00'] }
    expect(gridToHours(hoursToGrid(stored))).toEqual(stored)
  })

  it('keeps the times of a day that is closed and opened again', () => {
    let grid = hoursToGrid({ thu: ['06:00', '11:00'] })
    grid = setDay(grid, 'thu', { open: false })
    expect(gridToHours(grid)).toEqual({})
    grid = setDay(grid, 'thu', { open: true })
    expect(gridToHours(grid)).toEqual({ thu: ['06:00', '11:00'] })
  })
})

describe('business hours checks', () => {
  it('passes spans that open before they close', () => {
    expect(gridProblems(hoursToGrid({ mon: ['09:00', '18:00'], sat: ['00:00', '23:59'] }))).toEqual({})
  })

  it('refuses a day that closes before, or when, it opens', () => {
    const grid = hoursToGrid({ mon: ['18:00', '09:00'], tue: ['10:00', '10:00'], wed: ['09:00', '09:01'] })
    expect(gridProblems(grid)).toEqual({ mon: 'admin.account.closeBeforeOpen', tue: 'admin.account.closeBeforeOpen' })
  })

  it('refuses a time that is not HH:MM (an emptied time input)', () => {
    const grid = setDay(setDay(hoursToGrid({}), 'fri', { open: true, to: '' }), 'sat', { open: true, from: '24:00' })
    expect(gridProblems(grid)).toEqual({ fri: 'admin.account.badTime', sat: 'admin.account.badTime' })
  })

  it('ignores the times of a closed day', () => {
    const grid = setDay(hoursToGrid({}), 'sun', { from: '20:00', to: '08:00' })
    expect(gridProblems(grid)).toEqual({})
  })
})

describe('time zone and the PATCH body', () => {
  it('offers the Brazilian zones and UTC, plus a stored zone that is not among them', () => {
    expect(timezoneOptions('America/Sao_Paulo')).toEqual([...COMMON_TIMEZONES])
    expect(COMMON_TIMEZONES).toContain('America/Noronha')
    expect(COMMON_TIMEZONES).toContain('UTC')
    const opts = timezoneOptions('Europe/Lisbon')
    expect(opts[0]).toBe('Europe/Lisbon')
    expect(opts).toHaveLength(COMMON_TIMEZONES.length + 1)
    expect(timezoneOptions('')).toEqual([...COMMON_TIMEZONES])
  })

  it('sends both fields', () => {
    const form = accountForm({ timezone: 'America/Manaus', business_hours: { mon: ['09:00', '18:00'] } })
    expect(form.timezone).toBe('America/Manaus')
    const edited = { timezone: 'America/Recife', days: setDay(form.days, 'sat', { open: true, from: '08:00', to: '12:00' }) }
    expect(accountPatch(edited)).toEqual({ timezone: 'America/Recife', business_hours: { mon: ['09:00', '18:00'], sat: ['08:00', '12:00'] } })
  })

  it('starts from São Paulo when the account has no zone', () => {
    expect(accountForm({ timezone: '', business_hours: {} }).timezone).toBe('America/Sao_Paulo')
  })
})
