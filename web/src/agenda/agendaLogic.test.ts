import { describe, expect, it } from 'vitest'
import type { AgendaItem } from '../api/types'
import { agendaQuery, agendaRange, hourOf, inMonth, itemsByDay, shiftAnchor, visibleHours, weekStart } from './agendaLogic'

const SP = 'America/Sao_Paulo'

function item(over: Partial<AgendaItem> & { id: string; at: string }): AgendaItem {
  return { kind: 'due', title: over.id, card_id: null, pipeline_id: null, conversation_id: null, status: '', done: false, ...over }
}

describe('agenda range', () => {
  it('covers one day from local midnight to the next', () => {
    const r = agendaRange('day', '2026-03-10', SP)
    expect(r.days).toEqual(['2026-03-10'])
    expect(r.from).toBe('2026-03-10T03:00:00.000Z')
    expect(r.to).toBe('2026-03-11T03:00:00.000Z')
  })

  it('covers a week from Sunday to Saturday', () => {
    expect(weekStart('2026-03-10')).toBe('2026-03-08')
    expect(weekStart('2026-03-08')).toBe('2026-03-08')
    const r = agendaRange('week', '2026-03-10', SP)
    expect(r.days).toEqual(['2026-03-08', '2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14'])
    expect(r.from).toBe('2026-03-08T03:00:00.000Z')
    expect(r.to).toBe('2026-03-15T03:00:00.000Z')
  })

  it('covers a month in whole weeks', () => {
    const r = agendaRange('month', '2026-03-20', SP) // March 2026: Sunday 1st to Tuesday 31st
    expect(r.days[0]).toBe('2026-03-01')
    expect(r.days[r.days.length - 1]).toBe('2026-04-04')
    expect(r.days).toHaveLength(35)
    expect(r.from).toBe('2026-03-01T03:00:00.000Z')
    expect(r.to).toBe('2026-04-05T03:00:00.000Z')
    const feb = agendaRange('month', '2026-02-01', SP) // February 2026 starts on a Sunday and ends on a Saturday
    expect(feb.days).toHaveLength(28)
    expect(agendaRange('month', '2026-08-15', SP).days).toHaveLength(42) // Aug 2026: Saturday 1st to Monday 31st
  })

  it('uses the zone for the instants', () => {
    expect(agendaRange('day', '2026-03-10', 'Asia/Tokyo').from).toBe('2026-03-09T15:00:00.000Z')
    const ny = agendaRange('week', '2026-03-04', 'America/New_York') // the week of the DST change
    expect(ny.from).toBe('2026-03-01T05:00:00.000Z')
    expect(ny.to).toBe('2026-03-08T05:00:00.000Z')
  })

  it('moves back and forth by a day, a week or a month', () => {
    expect(shiftAnchor('day', '2026-03-01', -1)).toBe('2026-02-28')
    expect(shiftAnchor('week', '2026-03-10', 1)).toBe('2026-03-17')
    expect(shiftAnchor('month', '2026-01-31', 1)).toBe('2026-02-28')
    expect(shiftAnchor('month', '2026-01-15', -1)).toBe('2025-12-15')
  })

  it('builds the query', () => {
    const r = { from: '2026-03-08T03:00:00.000Z', to: '2026-03-15T03:00:00.000Z' }
    expect(agendaQuery(r, false)).toBe('from=2026-03-08T03%3A00%3A00.000Z&to=2026-03-15T03%3A00%3A00.000Z')
    expect(agendaQuery(r, true)).toContain('&mine=true')
  })
})

describe('items by day', () => {
  it('puts an item on the day and hour it falls on in the zone, sorted by time', () => {
    const late = item({ id: 'late', at: '2026-03-11T01:30:00Z' }) // 22:30 on the 10th in São Paulo
    const early = item({ id: 'early', at: '2026-03-10T11:00:00Z' }) // 08:00
    const next = item({ id: 'next', at: '2026-03-11T12:00:00Z' })
    const byDay = itemsByDay([late, next, early], SP)
    expect(byDay.get('2026-03-10')?.map((i) => i.id)).toEqual(['early', 'late'])
    expect(byDay.get('2026-03-11')?.map((i) => i.id)).toEqual(['next'])
    expect(hourOf(late, SP)).toBe(22)
    expect(hourOf(late, 'UTC')).toBe(1)
    expect(visibleHours([late], SP)).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22])
    expect(visibleHours([], SP)).toHaveLength(14)
    expect(inMonth('2026-04-01', '2026-03-20')).toBe(false)
    expect(inMonth('2026-03-31', '2026-03-20')).toBe(true)
  })
})
