import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/client'
import type { Rule } from '../api/types'
import { translate } from '../i18n'
import type { Translate } from '../i18n'
import {
  actionToBody,
  actionToForm,
  actionTypesFor,
  buildCondition,
  changeActionType,
  changeField,
  conditionError,
  errorMarker,
  fieldSpec,
  fieldsForEvent,
  formToInput,
  humanizeWould,
  moveRule,
  eventsForKind,
  newAction,
  normalizeCron,
  presetCron,
  presetOf,
  SCHEDULE_PRESETS,
  scheduleDescription,
  scheduleLabel,
  newRuleForm,
  offsetOf,
  parseActionField,
  parseCondition,
  quickReplyLabel,
  quoteString,
  ruleFormErrors,
  ruleToForm,
  ruleToInput,
  sortRules,
} from './rulesLogic'
import type { BuilderRow } from './rulesLogic'

const t: Translate = (key, params) => translate('pt-BR', key, params)
const MSG = 'message.created'

function row(field: string, op: BuilderRow['op'], value = '', join: BuilderRow['join'] = 'and'): BuilderRow {
  return { join, field, op, value }
}

function rule(over: Partial<Rule>): Rule {
  return {
    id: 'r',
    kind: 'automation',
    name: 'R',
    event: MSG,
    condition: '',
    position: 0,
    enabled: true,
    version: 1,
    target_team_id: null,
    target_user_ids: [],
    offer_timeout_s: 0,
    actions: [{ type: 'add_tag', tag: 'x' }],
    warnings: [],
    updated_at: '2025-03-01T00:00:00Z',
    ...over,
  }
}

describe('condition builder → expr', () => {
  it('writes the example from the spec', () => {
    const rows = [row('message.text', 'contains', 'preço'), row('contact.tags', 'in', 'vip'), row('inBusinessHours()', 'is')]
    expect(buildCondition(rows, MSG)).toEqual({
      text: 'message.text contains "preço" and "vip" in contact.tags and inBusinessHours()',
      problems: {},
    })
  })

  it('quotes and escapes strings', () => {
    expect(quoteString('diz "oi"')).toBe('"diz \\"oi\\""')
    expect(quoteString('C:\\temp')).toBe('"C:\\\\temp"')
    expect(quoteString('a\nb\tc')).toBe('"a\\nb\\tc"')
    expect(buildCondition([row('contact.name', '==', 'O\'Neil "Jr"')], MSG).text).toBe('contact.name == "O\'Neil \\"Jr\\""')
  })

  it('joins with and/or, ignoring the first row\'s join', () => {
    const rows = [row('conversation.priority', '==', 'urgent', 'or'), row('conversation.unread', '>', '3', 'or'), row('conversation.assigned', 'is not', '', 'and')]
    expect(buildCondition(rows, MSG).text).toBe('conversation.priority == "urgent" or conversation.unread > 3 and not conversation.assigned')
  })

  it('leaves numbers unquoted and flags the ones that are not', () => {
    expect(buildCondition([row('hour()', '<', ' 9 ')], MSG).text).toBe('hour() < 9')
    expect(buildCondition([row('conversation.unread', '>', 'três')], MSG).problems).toEqual({ 0: 'number' })
  })

  it('writes tags with in / not in and the other clock functions', () => {
    const rows = [row('conversation.tags', 'not in', 'spam'), row('weekday()', '!=', 'sun'), row('inBusinessHours()', 'is not')]
    expect(buildCondition(rows, 'conversation.created').text).toBe('"spam" not in conversation.tags and weekday() != "sun" and not inBusinessHours()')
    expect(buildCondition([row('contact.tags', 'in', '  ')], MSG).problems).toEqual({ 0: 'empty' })
  })

  it('is empty without rows and flags fields the event lacks', () => {
    expect(buildCondition([], MSG).text).toBe('')
    expect(buildCondition([row('message.text', 'contains', 'x')], 'conversation.closed').problems).toEqual({ 0: 'field' })
  })

  it('offers message fields only on message.created, and the conversation fields on scheduled', () => {
    const keys = (e: string) => fieldsForEvent(e).map((f) => f.key)
    expect(keys(MSG)).toContain('message.text')
    expect(keys('conversation.idle')).not.toContain('message.text')
    expect(keys('conversation.idle')).toContain('assignee.status')
    expect(keys('scheduled')).toEqual(keys('conversation.created'))
    expect(keys('scheduled')).toEqual(expect.arrayContaining(['conversation.tags', 'contact.name', 'channel.kind', 'assignee.status', 'hour()']))
    expect(keys('scheduled')).not.toContain('message.text')
    expect(keys('scheduled')).not.toContain('card.title')
  })

  it('keeps a typed value when the new field takes the same kind of value', () => {
    const text = fieldSpec(MSG, 'message.text')
    const tags = fieldSpec(MSG, 'contact.tags')!
    const prio = fieldSpec(MSG, 'conversation.priority')!
    expect(changeField(row('message.text', 'contains', 'vip'), text, tags)).toEqual(row('contact.tags', 'in', 'vip'))
    expect(changeField(row('message.text', '==', 'vip'), text, prio)).toEqual(row('conversation.priority', '==', 'low'))
  })
})

describe('expr → builder rows', () => {
  it('reads back what the builder writes', () => {
    const rows = [
      row('message.text', 'contains', 'preço "top"\n'),
      row('contact.tags', 'in', 'vip', 'or'),
      row('conversation.unread', '>', '2'),
      row('inBusinessHours()', 'is not', '', 'or'),
      row('weekday()', '==', 'sat'),
      row('conversation.tags', 'not in', 'spam'),
    ]
    const text = buildCondition(rows, MSG).text
    expect(parseCondition(text, MSG)).toEqual(rows)
  })

  it('reads an empty or "true" condition as no rows', () => {
    expect(parseCondition('', MSG)).toEqual([])
    expect(parseCondition('  true ', MSG)).toEqual([])
  })

  it('gives up on what the builder cannot show', () => {
    expect(parseCondition('(message.text contains "a" or hour() > 3) and inBusinessHours()', MSG)).toBeNull()
    expect(parseCondition('len(message.text) > 3', MSG)).toBeNull()
    expect(parseCondition('message.text contains "a"', 'conversation.created')).toBeNull()
    expect(parseCondition('conversation.priority == "critical"', MSG)).toBeNull()
    expect(parseCondition('message.text contains', MSG)).toBeNull()
    expect(parseCondition('hour() >= 9', MSG)).toBeNull()
  })

  it('accepts && and || and single quotes', () => {
    expect(parseCondition("contact.name == 'Ana' && hour() < 12", MSG)).toEqual([row('contact.name', '==', 'Ana'), row('hour()', '<', '12')])
  })
})

describe('compile errors', () => {
  it('takes the message, line and column from the 422', () => {
    const err = new ApiError(422, { detail: 'condition: line 2, column 5: unknown name foo', field: 'condition', line: 2, column: 5 })
    expect(conditionError(err)).toEqual({ message: 'unknown name foo', line: 2, column: 5 })
    expect(conditionError(new ApiError(422, { detail: 'unknown event', field: 'event' }))).toBeNull()
  })

  it('marks the character at the column, counting characters not bytes', () => {
    expect(errorMarker('a == 1\nmessage.text contains "preço" and foo', 2, 35)).toEqual({
      line: 2,
      column: 35,
      before: 'message.text contains "preço" and ',
      at: 'f',
      after: 'oo',
    })
    // past the end: the end of the line
    expect(errorMarker('message.text contains', 1, 22)).toMatchObject({ before: 'message.text contains', at: ' ', after: '' })
    expect(errorMarker('x', 3, 1)).toBeNull()
  })

  it('finds the textarea offset of a line and column', () => {
    expect(offsetOf('ab\ncdef', 2, 3)).toBe(5)
    expect(offsetOf('ab', 1, 1)).toBe(0)
  })
})

describe('actions', () => {
  it('parses "actions[1].text" to action 1, field text', () => {
    expect(parseActionField('actions[1].text')).toEqual({ index: 1, key: 'text' })
    expect(parseActionField('actions[12].user_id')).toEqual({ index: 12, key: 'user_id' })
    expect(parseActionField('actions')).toBeNull()
    expect(parseActionField('condition')).toBeNull()
    expect(parseActionField(undefined)).toBeNull()
  })

  it('puts a problem about an action next to that action\'s field, else at the top', () => {
    const err = new ApiError(422, { detail: 'actions[1].text: is required for send_message', field: 'actions[1].text' })
    expect(ruleFormErrors(err, 2, t)).toEqual({ fields: { 'actions[1].text': 'is required for send_message' }, top: null })
    // the form has only one action: there is no such input
    expect(ruleFormErrors(err, 1, t)).toEqual({ fields: {}, top: 'actions[1].text: is required for send_message' })
    const strat = new ApiError(422, { detail: 'strategy: must be one of round_robin', field: 'strategy' })
    expect(ruleFormErrors(strat, 0, t).fields).toEqual({ strategy: 'must be one of round_robin' })
  })

  it('sends only the field each action uses', () => {
    expect(actionToBody({ ...newAction('snooze'), minutes: '30', text: 'stale' })).toEqual({ type: 'snooze', minutes: 30 })
    expect(actionToBody({ ...newAction('add_tag'), tag: ' vip ' })).toEqual({ type: 'add_tag', tag: 'vip' })
    expect(actionToBody({ ...newAction('close'), tag: 'x' })).toEqual({ type: 'close' })
    expect(actionToBody({ ...newAction('send_message'), text: 'Olá' })).toEqual({ type: 'send_message', text: 'Olá' })
  })

  it('sends the CRM and quick-reply actions with their field only', () => {
    expect(actionToBody({ ...newAction('create_card'), stage_id: 's-1', text: 'x' })).toEqual({ type: 'create_card', stage_id: 's-1' })
    expect(actionToBody({ ...newAction('move_card'), stage_id: 's-2' })).toEqual({ type: 'move_card', stage_id: 's-2' })
    expect(actionToBody({ ...newAction('send_quick_reply'), text: 'ola', stage_id: 's-1' })).toEqual({ type: 'send_quick_reply', text: 'ola' })
    // a shortcut typed with its slash goes without it
    expect(actionToBody({ ...newAction('send_quick_reply'), text: ' /ola ' })).toEqual({ type: 'send_quick_reply', text: 'ola' })
    // an empty stage is sent as such: the server answers 422 on actions[i].stage_id
    expect(actionToBody(newAction('create_card'))).toEqual({ type: 'create_card', stage_id: '' })
    expect(actionToForm({ type: 'move_card', stage_id: 's-9' })).toMatchObject({ type: 'move_card', stage_id: 's-9', text: '' })
    const f = { ...newRuleForm('automation', [MSG]), name: 'CRM', actions: [actionToForm({ type: 'create_card', stage_id: 's-1' }), actionToForm({ type: 'send_quick_reply', text: 'ola' })] }
    expect(formToInput(f).actions).toEqual([
      { type: 'create_card', stage_id: 's-1' },
      { type: 'send_quick_reply', text: 'ola' },
    ])
  })

  it('keeps a value across a type change only when it means the same thing', () => {
    const card = { ...newAction('create_card'), stage_id: 's-1' }
    expect(changeActionType(card, 'move_card')).toEqual({ ...newAction('move_card'), stage_id: 's-1' })
    expect(changeActionType({ ...newAction('send_message'), text: 'Olá' }, 'add_note').text).toBe('Olá')
    // a message is not a quick reply's shortcut, nor the other way round
    expect(changeActionType({ ...newAction('send_message'), text: 'Olá' }, 'send_quick_reply').text).toBe('')
    expect(changeActionType({ ...newAction('send_quick_reply'), text: 'ola' }, 'add_note').text).toBe('')
    expect(changeActionType(card, 'add_tag')).toEqual(newAction('add_tag'))
  })

  it('puts "actions[i].stage_id" next to that action', () => {
    const err = new ApiError(422, { detail: 'actions[0].stage_id: unknown stage', field: 'actions[0].stage_id' })
    expect(ruleFormErrors(err, 1, t)).toEqual({ fields: { 'actions[0].stage_id': 'unknown stage' }, top: null })
  })

  it('offers the CRM actions only with the crm module', () => {
    expect(actionTypesFor(['api', 'crm'])).toEqual(expect.arrayContaining(['create_card', 'move_card', 'send_quick_reply']))
    const plain = actionTypesFor(['api'])
    expect(plain).not.toContain('create_card')
    expect(plain).not.toContain('move_card')
    expect(plain).toContain('send_quick_reply')
    expect(plain).toContain('add_tag')
  })

  it('labels a quick reply with its shortcut and the first 40 characters of its text', () => {
    expect(quickReplyLabel({ shortcut: 'pix', text: 'Chave Pix: loja@exemplo.com' })).toBe('/pix — Chave Pix: loja@exemplo.com')
    const long = quickReplyLabel({ shortcut: 'ola', text: 'Olá!\n\nObrigado pelo contato, já vamos te atender por aqui.' })
    expect(long).toBe('/ola — Olá! Obrigado pelo contato, já vamos te…')
    expect(quickReplyLabel({ shortcut: 'k', text: '😀'.repeat(41) })).toBe(`/k — ${'😀'.repeat(40)}…`)
    expect(quickReplyLabel({ shortcut: 'k', text: 'x'.repeat(40) })).toBe(`/k — ${'x'.repeat(40)}`)
  })
})

describe('rule form ⇄ body', () => {
  it('opens a rule the builder can show in the builder, others raw', () => {
    expect(ruleToForm(rule({ condition: '"vip" in contact.tags' })).mode).toBe('builder')
    const raw = ruleToForm(rule({ condition: 'len(message.text) > 200' }))
    expect(raw.mode).toBe('raw')
    expect(raw.raw).toBe('len(message.text) > 200')
  })

  it('sends a distribution rule with its target and no actions', () => {
    const f = { ...newRuleForm('distribution', ['message.created']), name: ' Vendas ', target_team_id: 'team-1', offer_timeout_s: '45' }
    expect(formToInput(f)).toEqual({
      kind: 'distribution',
      name: 'Vendas',
      event: 'message.created',
      condition: '',
      strategy: 'round_robin',
      target_team_id: 'team-1',
      target_user_ids: [],
      offer_timeout_s: 45,
      idle_minutes: 0,
      actions: [],
      enabled: true,
    })
    const agents = formToInput({ ...f, targetMode: 'agents', target_user_ids: ['u1', 'u2'] }, { position: 3, enabled: false })
    expect(agents).toMatchObject({ target_team_id: null, target_user_ids: ['u1', 'u2'], position: 3, enabled: false })
  })

  it('a full PATCH body from a saved rule keeps every field', () => {
    const r = rule({ kind: 'distribution', strategy: 'sticky', target_team_id: 't1', offer_timeout_s: 30, actions: [], position: 2, condition: 'hour() > 8' })
    expect(ruleToInput(r, { position: 1 })).toEqual({
      kind: 'distribution',
      name: 'R',
      event: MSG,
      condition: 'hour() > 8',
      position: 1,
      enabled: true,
      strategy: 'sticky',
      target_team_id: 't1',
      target_user_ids: [],
      offer_timeout_s: 30,
      idle_minutes: 0,
      actions: [],
    })
  })

  it('sends idle_minutes only for conversation.idle rules', () => {
    const f = { ...newRuleForm('automation', ['conversation.idle']), name: 'Lembrete', event: 'conversation.idle', idle_minutes: '45' }
    expect(formToInput(f).idle_minutes).toBe(45)
    expect(formToInput({ ...f, event: 'message.created' }).idle_minutes).toBe(0)
    expect(ruleToForm(rule({ event: 'conversation.idle', idle_minutes: 90 })).idle_minutes).toBe('90')
  })
})

describe('reordering', () => {
  const a = rule({ id: 'a', position: 0 })
  const b = rule({ id: 'b', position: 1 })
  const c = rule({ id: 'c', position: 2 })

  it('moving a rule up swaps its position with the one above', () => {
    const { order, changes } = moveRule([a, b, c], 'c', -1)
    expect(order.map((r) => r.id)).toEqual(['a', 'c', 'b'])
    expect(changes).toEqual([
      { id: 'c', position: 1 },
      { id: 'b', position: 2 },
    ])
  })

  it('keeps gaps: only the two positions are swapped', () => {
    const { order, changes } = moveRule([rule({ id: 'x', position: 0 }), rule({ id: 'y', position: 5 }), rule({ id: 'z', position: 9 })], 'x', 1)
    expect(order.map((r) => [r.id, r.position])).toEqual([
      ['y', 0],
      ['x', 5],
      ['z', 9],
    ])
    expect(changes).toHaveLength(2)
  })

  it('renumbers when two rules share a position', () => {
    const { order, changes } = moveRule([rule({ id: 'p', position: 0 }), rule({ id: 'q', position: 1 }), rule({ id: 'r', position: 1 })], 'r', -1)
    expect(order.map((r) => [r.id, r.position])).toEqual([
      ['p', 0],
      ['r', 1],
      ['q', 2],
    ])
    expect(changes).toEqual([{ id: 'q', position: 2 }])
  })

  it('does nothing at the edges', () => {
    expect(moveRule([a, b], 'a', -1).changes).toEqual([])
    expect(moveRule([a, b], 'b', 1).changes).toEqual([])
  })

  it('sorts by position, ties in server order', () => {
    expect(sortRules([c, rule({ id: 'd', position: 0 }), a]).map((r) => r.id)).toEqual(['d', 'a', 'c'])
  })
})

describe('dry-run wording', () => {
  it('names agents and teams instead of ids', () => {
    const names = new Map([
      ['u-123', 'Bia'],
      ['t-9', 'Vendas'],
    ])
    expect(humanizeWould('assign to u-123 (least busy: 1 of 5 open conversations)', names)).toBe('assign to Bia (least busy: 1 of 5 open conversations)')
    expect(humanizeWould('transfer to team t-9', names)).toBe('transfer to team Vendas')
  })
})

describe('scheduled rules', () => {
  const en: Translate = (key, params) => translate('en', key, params)

  it('maps each preset to its cron and back', () => {
    expect(SCHEDULE_PRESETS.map((p) => [p.id, p.cron])).toEqual([
      ['daily9', '0 9 * * *'],
      ['weekdays9', '0 9 * * 1-5'],
      ['hourly', '0 * * * *'],
      ['mondays8', '0 8 * * 1'],
    ])
    for (const p of SCHEDULE_PRESETS) {
      expect(presetCron(p.id)).toBe(p.cron)
      expect(presetOf(p.cron)).toBe(p.id)
    }
    expect(presetCron('custom')).toBeNull()
    // spacing does not matter, the fields do
    expect(presetOf('  0  9 * *   1-5 ')).toBe('weekdays9')
    expect(presetOf('30 9 * * 1-5')).toBe('custom')
    expect(presetOf('')).toBe('custom')
    expect(normalizeCron(' 0\t9  * * 1-5 ')).toBe('0 9 * * 1-5')
  })

  it('names presets in the list and describes them; other expressions stay as written', () => {
    expect(scheduleLabel('0 9 * * 1-5', t)).toBe('Dias úteis às 9h')
    expect(scheduleLabel('0 9 * * *', t)).toBe('Todo dia às 9h')
    expect(scheduleLabel('0 * * * *', t)).toBe('Toda hora')
    expect(scheduleLabel('0 8 * * 1', t)).toBe('Segundas às 8h')
    expect(scheduleLabel('0 8 * * 1', en)).toBe('Mondays at 8am')
    expect(scheduleLabel('*/15  8-18 * * 1-5', t)).toBe('*/15 8-18 * * 1-5')
    expect(scheduleDescription('0 9 * * 1-5', t)).toContain('segunda a sexta às 09:00')
    expect(scheduleDescription('*/15 8-18 * * 1-5', t)).toBeNull()
  })

  it('offers the scheduled event to automation rules only', () => {
    const events = ['message.created', 'conversation.created', 'scheduled']
    expect(eventsForKind('automation', events)).toEqual(events)
    expect(eventsForKind('distribution', events)).toEqual(['message.created', 'conversation.created'])
  })

  it('sends schedule only for scheduled rules, as the server stores it', () => {
    const f = { ...newRuleForm('automation', ['message.created', 'scheduled']), name: 'Bom dia', event: 'scheduled', schedule: ' 0 9  * * 1-5 ' }
    expect(formToInput(f)).toEqual({
      kind: 'automation',
      name: 'Bom dia',
      event: 'scheduled',
      condition: '',
      strategy: '',
      target_team_id: null,
      target_user_ids: [],
      offer_timeout_s: 0,
      idle_minutes: 0,
      schedule: '0 9 * * 1-5',
      actions: [{ type: 'add_tag', tag: '' }],
      enabled: true,
    })
    expect(formToInput({ ...f, event: 'message.created' })).not.toHaveProperty('schedule')
    expect(formToInput({ ...f, event: 'conversation.idle' })).not.toHaveProperty('schedule')
    // the list's full PATCH bodies (switching on/off, reordering) keep it, for scheduled rules only
    expect(ruleToInput(rule({ event: 'scheduled', schedule: '0 8 * * 1' }), { enabled: false })).toMatchObject({ event: 'scheduled', schedule: '0 8 * * 1', enabled: false })
    expect(ruleToInput(rule({ schedule: '' }))).not.toHaveProperty('schedule')
  })

  it('opens a scheduled rule with its cron; a new rule starts on the first preset', () => {
    expect(ruleToForm(rule({ event: 'scheduled', schedule: '0 8 * * 1', condition: '"vip" in contact.tags' }))).toMatchObject({
      schedule: '0 8 * * 1',
      mode: 'builder',
      rows: [{ join: 'and', field: 'contact.tags', op: 'in', value: 'vip' }],
    })
    expect(newRuleForm('automation', ['scheduled']).schedule).toBe('0 9 * * *')
    expect(ruleToForm(rule({ event: 'message.created' })).schedule).toBe('0 9 * * *')
  })

  it('puts a 422 about the schedule next to the schedule field', () => {
    const err = new ApiError(422, { status: 422, detail: 'schedule: hour "25": values go from 0 to 23', field: 'schedule' })
    expect(ruleFormErrors(err, 1, t)).toEqual({ fields: { schedule: 'hour "25": values go from 0 to 23' }, top: null })
  })
})
