import { describe, expect, it } from 'vitest'
import { makeMe } from '../test/fakes'
import {
  DEFAULT_BOARD_FILTERS,
  activeFilterCount,
  boardQuery,
  canEditCrm,
  canManagePipelines,
  canUseCrm,
  cardFormErrors,
  cardPatch,
  cardToForm,
  centsToInput,
  dropIndex,
  formatBRL,
  groupBoard,
  isOverdue,
  moveCardLocal,
  moveStageId,
  moveTarget,
  parseBRL,
  parseTags,
  rowsToFields,
} from './crmLogic'
import { card, pipeline } from './crmTestKit'

const nbsp = (s: string) => s.replace(/\u00a0/g, ' ')

describe('money', () => {
  it('formats cents as reais', () => {
    expect(nbsp(formatBRL(123456))).toBe('R$ 1.234,56')
    expect(nbsp(formatBRL(0))).toBe('R$ 0,00')
    expect(nbsp(formatBRL(5))).toBe('R$ 0,05')
    expect(centsToInput(123456)).toBe('1.234,56')
    expect(centsToInput(100000000)).toBe('1.000.000,00')
  })

  it.each([
    ['1.234,56', 123456],
    ['1234,56', 123456],
    ['1234,5', 123450],
    ['R$ 1.234,56', 123456],
    ['R$\u00a010', 1000],
    ['10', 1000],
    ['1.234', 123400],
    ['1.234.567,89', 123456789],
    ['1234.56', 123456],
    ['0,99', 99],
    ['12,', 1200],
    ['', 0],
    ['  ', 0],
  ])('parses %j as %i cents', (text, cents) => {
    expect(parseBRL(text)).toBe(cents)
  })

  it.each(['abc', '-10', '1,234,56', '12,345', '1.23.4', '1.2345,00', '1,2,3'])('refuses %j', (text) => {
    expect(parseBRL(text)).toBeNull()
  })

  it('round-trips what it formats', () => {
    for (const cents of [0, 1, 99, 100, 123456, 987654321]) expect(parseBRL(centsToInput(cents))).toBe(cents)
  })
})

describe('access', () => {
  it('needs the module and crm:view; edit and pipelines need their own permission', () => {
    const viewer = makeMe({ permissions: ['crm:view'] })
    expect(canUseCrm(viewer)).toBe(true)
    expect(canEditCrm(viewer)).toBe(false)
    expect(canManagePipelines(viewer)).toBe(false)
    const admin = makeMe({ permissions: ['crm:view', 'crm:edit', 'crm:pipelines'] })
    expect(canEditCrm(admin)).toBe(true)
    expect(canManagePipelines(admin)).toBe(true)
    expect(canUseCrm(makeMe({ permissions: ['conversations:reply'] }))).toBe(false)
    expect(canUseCrm({ ...admin, account: { ...admin.account, modules: ['api'] } })).toBe(false)
    expect(canUseCrm(null)).toBe(false)
  })
})

describe('board grouping', () => {
  it('makes one column per stage in stage order, cards by position, with count and total', () => {
    const p = pipeline()
    const stages = [p.stages[2], p.stages[0], p.stages[1]]
    const cards = [
      card({ id: 'b', stage_id: 's1', position: 1, value_cents: 50000 }),
      card({ id: 'a', stage_id: 's1', position: 0, value_cents: 123456 }),
      card({ id: 'c', stage_id: 's2', position: 0, value_cents: 0 }),
      card({ id: 'x', stage_id: 'elsewhere', position: 0, value_cents: 999 }),
    ]
    const cols = groupBoard(stages, cards)
    expect(cols.map((c) => c.stage.id)).toEqual(['s1', 's2', 's3'])
    expect(cols[0].cards.map((c) => c.id)).toEqual(['a', 'b'])
    expect(cols.map((c) => c.count)).toEqual([2, 1, 0])
    expect(cols.map((c) => c.totalCents)).toEqual([173456, 0, 0])
  })
})

describe('moving cards', () => {
  const cards = [
    card({ id: 'a', stage_id: 's1', position: 0 }),
    card({ id: 'b', stage_id: 's1', position: 1 }),
    card({ id: 'c', stage_id: 's1', position: 2 }),
    card({ id: 'd', stage_id: 's2', position: 0 }),
    card({ id: 'e', stage_id: 's2', position: 1 }),
  ]
  const layout = (list: typeof cards) =>
    Object.fromEntries(['s1', 's2'].map((s) => [s, list.filter((c) => c.stage_id === s).sort((x, y) => x.position - y.position).map((c) => c.id)]))

  it('drops before the card under the pointer in its upper half, after it in the lower half', () => {
    expect(dropIndex(2, 105, { top: 100, height: 40 })).toBe(2)
    expect(dropIndex(2, 125, { top: 100, height: 40 })).toBe(3)
  })

  it('turns a drop slot into the position among the other cards, or null for no change', () => {
    expect(moveTarget(cards, 'a', 's2', 1)).toBe(1)
    expect(moveTarget(cards, 'a', 's2', 9)).toBe(2)
    expect(moveTarget(cards, 'a', 's1', 0)).toBeNull()
    expect(moveTarget(cards, 'a', 's1', 1)).toBeNull() // just below itself
    expect(moveTarget(cards, 'a', 's1', 3)).toBe(2) // to the end of its own column
    expect(moveTarget(cards, 'c', 's1', 0)).toBe(0)
    expect(moveTarget(cards, 'zz', 's1', 0)).toBeNull()
  })

  it('moves across columns and renumbers both', () => {
    const next = moveCardLocal(cards, 'b', 's2', 1)
    expect(layout(next)).toEqual({ s1: ['a', 'c'], s2: ['d', 'b', 'e'] })
    expect(next.find((c) => c.id === 'c')?.position).toBe(1)
    expect(next.find((c) => c.id === 'e')?.position).toBe(2)
    expect(cards.find((c) => c.id === 'b')?.stage_id).toBe('s1') // not mutated
  })

  it('reorders within a column and clamps the index', () => {
    expect(layout(moveCardLocal(cards, 'a', 's1', 2))).toEqual({ s1: ['b', 'c', 'a'], s2: ['d', 'e'] })
    expect(layout(moveCardLocal(cards, 'c', 's1', 0))).toEqual({ s1: ['c', 'a', 'b'], s2: ['d', 'e'] })
    expect(layout(moveCardLocal(cards, 'a', 's2', 99))).toEqual({ s1: ['b', 'c'], s2: ['d', 'e', 'a'] })
  })
})

describe('filters', () => {
  it('builds the board query, leaving empty filters out', () => {
    expect(boardQuery(DEFAULT_BOARD_FILTERS)).toBe('status=open')
    expect(boardQuery({ assignee_id: 'u1', tag: ' vip cliente ', priority: 'high', due: 'overdue', status: 'won' })).toBe(
      'assignee_id=u1&tag=vip+cliente&priority=high&due=overdue&status=won',
    )
    expect(boardQuery({ ...DEFAULT_BOARD_FILTERS, tag: 'a&b' })).toBe('tag=a%26b&status=open')
    expect(activeFilterCount(DEFAULT_BOARD_FILTERS)).toBe(0)
    expect(activeFilterCount({ ...DEFAULT_BOARD_FILTERS, due: 'week', status: 'lost' })).toBe(2)
  })
})

describe('card display and form', () => {
  const now = new Date('2026-03-10T12:00:00Z')

  it('is overdue only when open and past its due time', () => {
    expect(isOverdue({ due_at: '2026-03-10T11:59:00Z', status: 'open' }, now)).toBe(true)
    expect(isOverdue({ due_at: '2026-03-10T12:01:00Z', status: 'open' }, now)).toBe(false)
    expect(isOverdue({ due_at: '2026-03-01T00:00:00Z', status: 'won' }, now)).toBe(false)
    expect(isOverdue({ due_at: null, status: 'open' }, now)).toBe(false)
  })

  it('reads tags and custom fields', () => {
    expect(parseTags(' vip, b2b ,vip,, novo  cliente ')).toEqual(['vip', 'b2b', 'novo cliente'])
    expect(rowsToFields([{ key: ' cnpj ', value: '1' }, { key: '', value: 'x' }, { key: 'cnpj', value: '2' }])).toEqual({ cnpj: '2' })
  })

  it('sends only what changed, with the due time as typed in the account zone', () => {
    const c = card({
      id: 'k',
      title: 'Proposta ACME',
      value_cents: 100000,
      due_at: '2026-03-12T17:00:00Z', // 14:00 in São Paulo
      assignee_ids: ['u1', 'u2'],
      tags: ['vip'],
      custom_fields: { cnpj: '123' },
    })
    const tz = 'America/Sao_Paulo'
    const form = cardToForm(c, tz)
    expect(form.due).toBe('2026-03-12T14:00')
    expect(form.value).toBe('1.000,00')
    expect(cardPatch(c, form, tz)).toEqual({})
    expect(cardPatch(c, { ...form, assignee_ids: ['u2', 'u1'] }, tz)).toEqual({})
    expect(
      cardPatch(c, { ...form, title: ' Proposta ACME 2 ', value: '1.234,56', due: '2026-03-13T09:30', tags: 'vip, quente', fields: [...form.fields, { key: 'origem', value: 'site' }] }, tz),
    ).toEqual({ title: 'Proposta ACME 2', value_cents: 123456, due_at: '2026-03-13T09:30', tags: ['vip', 'quente'], custom_fields: { cnpj: '123', origem: 'site' } })
    expect(cardPatch(c, { ...form, due: '' }, tz)).toEqual({ due_at: null })
    expect(cardPatch(c, { ...form, assignee_ids: ['u1'], priority: 'urgent' }, tz)).toEqual({ assignee_ids: ['u1'], priority: 'urgent' })
    expect(cardPatch(c, { ...form, fields: [] }, tz)).toEqual({ custom_fields: {} })
    expect(cardFormErrors({ ...form, title: ' ', value: 'abc' })).toEqual(['title', 'value'])
  })

  it('moves a stage id up and down', () => {
    expect(moveStageId(['a', 'b', 'c'], 'b', -1)).toEqual(['b', 'a', 'c'])
    expect(moveStageId(['a', 'b', 'c'], 'b', 1)).toEqual(['a', 'c', 'b'])
    expect(moveStageId(['a', 'b', 'c'], 'a', -1)).toEqual(['a', 'b', 'c'])
    expect(moveStageId(['a', 'b', 'c'], 'c', 1)).toEqual(['a', 'b', 'c'])
  })
})
