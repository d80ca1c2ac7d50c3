// Pure logic of the rule screens: the condition builder (rows ⇄ expr text),
// where a compile error sits, the rule form ⇄ API body, problems naming
// "actions[1].text", reordering by position and dry-run wording. No React
// here, so it is unit-tested.
import { ApiError } from '../api/client'
import type { Rule, RuleAction, RuleInput, RuleKind } from '../api/types'
import { hasKey } from '../i18n'
import type { MessageKey, Translate } from '../i18n'
import { formErrors } from './adminLogic'
import type { FormErrors } from './adminLogic'

export const RULE_KINDS: readonly RuleKind[] = ['distribution', 'automation']
export const STRATEGIES = ['round_robin', 'least_busy', 'sticky', 'manual'] as const
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const
export const DEFAULT_OFFER_TIMEOUT_S = 60
export const MAX_OFFER_TIMEOUT_S = 3600

// ---------- events and schedules ----------

/** The event of rules that run at cron times instead of reacting to something. */
export const SCHEDULED = 'scheduled'

/** The events the editor offers a kind: only automation rules may be scheduled. */
export function eventsForKind(kind: RuleKind, events: readonly string[]): string[] {
  return kind === 'automation' ? [...events] : events.filter((e) => e !== SCHEDULED)
}

export type SchedulePreset = 'daily9' | 'weekdays9' | 'hourly' | 'mondays8'

/** The schedules the "Quando" picker offers, in its order; anything else is "custom". */
export const SCHEDULE_PRESETS: readonly { id: SchedulePreset; cron: string }[] = [
  { id: 'daily9', cron: '0 9 * * *' },
  { id: 'weekdays9', cron: '0 9 * * 1-5' },
  { id: 'hourly', cron: '0 * * * *' },
  { id: 'mondays8', cron: '0 8 * * 1' },
]

/** A new scheduled rule starts on the first preset. */
export const DEFAULT_SCHEDULE = SCHEDULE_PRESETS[0].cron

/** The cron as the server stores it: trimmed, fields separated by one space. */
export function normalizeCron(cron: string): string {
  return cron.trim().split(/\s+/).filter(Boolean).join(' ')
}

/** The preset a cron expression is (spacing aside), or "custom". */
export function presetOf(cron: string): SchedulePreset | 'custom' {
  const c = normalizeCron(cron)
  return SCHEDULE_PRESETS.find((p) => p.cron === c)?.id ?? 'custom'
}

/** The cron of a preset; null for "custom" or an unknown id. */
export function presetCron(id: string): string | null {
  return SCHEDULE_PRESETS.find((p) => p.id === id)?.cron ?? null
}

/** How the rule list shows a schedule: the preset's name, else the cron as written. */
export function scheduleLabel(cron: string, t: Translate): string {
  const p = presetOf(cron)
  return p === 'custom' ? normalizeCron(cron) : t(`rules.schedule.preset.${p}`)
}

/** A one-line description of a preset's cron ("Roda de segunda a sexta às 09:00."); null for other expressions. */
export function scheduleDescription(cron: string, t: Translate): string | null {
  const p = presetOf(cron)
  return p === 'custom' ? null : t(`rules.schedule.describe.${p}`)
}

// ---------- condition builder ----------

export type FieldType = 'text' | 'enum' | 'number' | 'bool' | 'tags'

export interface FieldSpec {
  /** what the expression names: "message.text", or a clock function "hour()" */
  key: string
  type: FieldType
  /** the values an enum field takes */
  options?: readonly string[]
}

export const WEEKDAY_VALUES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export const CHANNEL_KINDS = [
  'webchat',
  'api',
  'whatsapp',
  'whatsapp_official',
  'instagram',
  'messenger',
  'telegram',
  'sms',
  'email',
  'mercadolivre',
  'linkedin',
  'olx',
] as const

const MESSAGE_FIELDS: FieldSpec[] = [
  { key: 'message.text', type: 'text' },
  { key: 'message.direction', type: 'enum', options: ['inbound', 'outbound'] },
  { key: 'message.comment', type: 'bool' },
  { key: 'message.subject', type: 'text' },
]

const CONVERSATION_FIELDS: FieldSpec[] = [
  { key: 'conversation.priority', type: 'enum', options: PRIORITIES },
  { key: 'conversation.tags', type: 'tags' },
  { key: 'conversation.unread', type: 'number' },
  { key: 'conversation.assigned', type: 'bool' },
  { key: 'conversation.idle_minutes', type: 'number' },
  { key: 'conversation.thread', type: 'text' },
  { key: 'contact.name', type: 'text' },
  { key: 'contact.tags', type: 'tags' },
  { key: 'channel.kind', type: 'enum', options: CHANNEL_KINDS },
  { key: 'channel.name', type: 'text' },
  { key: 'assignee.status', type: 'enum', options: ['online', 'away', 'offline'] },
]

const CARD_FIELDS: FieldSpec[] = [
  { key: 'card.title', type: 'text' },
  { key: 'card.value', type: 'number' },
  { key: 'card.pipeline', type: 'text' },
  { key: 'card.from_stage', type: 'text' },
  { key: 'card.to_stage', type: 'text' },
  { key: 'card.tags', type: 'tags' },
  { key: 'contact.name', type: 'text' },
  { key: 'contact.tags', type: 'tags' },
]

/** The clock functions every event has (the account's time zone). */
export const CLOCK_FIELDS: FieldSpec[] = [
  { key: 'inBusinessHours()', type: 'bool' },
  { key: 'weekday()', type: 'enum', options: WEEKDAY_VALUES },
  { key: 'hour()', type: 'number' },
]

/** The fields a condition may use for an event, as the server's environments define them. */
export function fieldsForEvent(event: string): FieldSpec[] {
  switch (event) {
    case 'message.created':
      return [...MESSAGE_FIELDS, ...CONVERSATION_FIELDS, ...CLOCK_FIELDS]
    case 'conversation.created':
    case 'conversation.closed':
    case 'conversation.idle':
    // a scheduled rule runs over each open conversation: the same fields
    case SCHEDULED:
      return [...CONVERSATION_FIELDS, ...CLOCK_FIELDS]
    case 'crm.card.moved':
      return [...CARD_FIELDS, ...CLOCK_FIELDS]
    default:
      return [...CLOCK_FIELDS]
  }
}

export function fieldSpec(event: string, key: string): FieldSpec | undefined {
  return fieldsForEvent(event).find((f) => f.key === key)
}

export type Operator = '==' | '!=' | 'contains' | '>' | '<' | 'in' | 'not in' | 'is' | 'is not'

export const OPERATORS: Record<FieldType, readonly Operator[]> = {
  text: ['==', '!=', 'contains'],
  enum: ['==', '!='],
  number: ['==', '!=', '>', '<'],
  bool: ['is', 'is not'],
  tags: ['in', 'not in'],
}

export type Join = 'and' | 'or'

export interface BuilderRow {
  /** how this row joins the one before it (ignored on the first row) */
  join: Join
  field: string
  op: Operator
  value: string
}

/** A fresh row for a field: its first operator and a neutral value. */
export function newRow(spec: FieldSpec, join: Join = 'and'): BuilderRow {
  return { join, field: spec.key, op: OPERATORS[spec.type][0], value: spec.type === 'enum' ? spec.options?.[0] ?? '' : '' }
}

/** Changing a row's field keeps the operator and the value when they still fit the new field. */
export function changeField(row: BuilderRow, from: FieldSpec | undefined, to: FieldSpec): BuilderRow {
  const fresh = newRow(to, row.join)
  const op = OPERATORS[to.type].includes(row.op) ? row.op : fresh.op
  let value = fresh.value
  const words = (t: FieldType | undefined) => t === 'text' || t === 'tags'
  if (to.type === 'enum') value = to.options?.includes(row.value) ? row.value : fresh.value
  else if (to.type === 'number' && from?.type === 'number') value = row.value
  else if (words(to.type) && words(from?.type)) value = row.value
  return { ...fresh, op, value }
}

/** A string literal for expr: double quotes, with backslash, quote and control characters escaped. */
export function quoteString(s: string): string {
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
  return `"${body}"`
}

const NUMBER = /^-?\d+(\.\d+)?$/

export type RowProblem = 'field' | 'operator' | 'number' | 'empty'

export interface BuiltCondition {
  text: string
  /** per row index, what keeps it from being a valid condition */
  problems: Record<number, RowProblem>
}

function rowText(row: BuilderRow, spec: FieldSpec): string {
  const v = row.value
  switch (spec.type) {
    case 'bool':
      return row.op === 'is not' ? `not ${spec.key}` : spec.key
    case 'tags':
      return `${quoteString(v.trim())} ${row.op} ${spec.key}`
    case 'number':
      return `${spec.key} ${row.op} ${v.trim()}`
    default:
      return `${spec.key} ${row.op} ${quoteString(v)}`
  }
}

/**
 * The expression the rows stand for, e.g.
 * `message.text contains "preço" and "vip" in contact.tags and inBusinessHours()`.
 * No rows = "" (the server treats an empty condition as always true). `and`
 * binds tighter than `or`, as in expr.
 */
export function buildCondition(rows: readonly BuilderRow[], event: string): BuiltCondition {
  const parts: string[] = []
  const problems: Record<number, RowProblem> = {}
  rows.forEach((row, i) => {
    const spec = fieldSpec(event, row.field)
    if (!spec) {
      problems[i] = 'field'
      return
    }
    if (!OPERATORS[spec.type].includes(row.op)) problems[i] = 'operator'
    else if (spec.type === 'number' && !NUMBER.test(row.value.trim())) problems[i] = 'number'
    else if (spec.type === 'tags' && row.value.trim() === '') problems[i] = 'empty'
    const text = rowText(row, spec)
    parts.push(parts.length === 0 ? text : `${row.join} ${text}`)
  })
  return { text: parts.join(' '), problems }
}

// ---------- reading an expression back into rows ----------

type Token =
  | { t: 'ident'; v: string }
  | { t: 'string'; v: string }
  | { t: 'number'; v: string }
  | { t: 'op'; v: string }
  | { t: 'word'; v: 'and' | 'or' | 'not' | 'in' | 'contains' | 'true' | 'false' }

const WORDS = new Set(['and', 'or', 'not', 'in', 'contains', 'true', 'false'])

function tokenize(src: string): Token[] | null {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '"' || c === "'") {
      let v = ''
      i++
      let closed = false
      while (i < src.length) {
        const d = src[i]
        if (d === c) {
          closed = true
          i++
          break
        }
        if (d === '\\') {
          const e = src[i + 1]
          const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', "'": "'" }
          if (e === undefined || !(e in map)) return null
          v += map[e]
          i += 2
          continue
        }
        v += d
        i++
      }
      if (!closed) return null
      out.push({ t: 'string', v })
      continue
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i))
    if (num && (c !== '-' || out.length === 0 || out[out.length - 1].t === 'op')) {
      out.push({ t: 'number', v: num[0] })
      i += num[0].length
      continue
    }
    const two = src.slice(i, i + 2)
    if (two === '==' || two === '!=' || two === '&&' || two === '||') {
      if (two === '&&') out.push({ t: 'word', v: 'and' })
      else if (two === '||') out.push({ t: 'word', v: 'or' })
      else out.push({ t: 'op', v: two })
      i += 2
      continue
    }
    if (two === '>=' || two === '<=') return null
    if (c === '>' || c === '<') {
      out.push({ t: 'op', v: c })
      i++
      continue
    }
    if (c === '!') {
      out.push({ t: 'word', v: 'not' })
      i++
      continue
    }
    const id = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(\(\))?/.exec(src.slice(i))
    if (id) {
      const v = id[0]
      if (WORDS.has(v)) out.push({ t: 'word', v: v as 'and' })
      else out.push({ t: 'ident', v })
      i += v.length
      continue
    }
    return null
  }
  return out
}

/**
 * Rows for an expression the builder could have written; null for anything
 * else (parentheses, other functions, fields the event does not have…), which
 * then stays in the raw editor.
 */
export function parseCondition(src: string, event: string): BuilderRow[] | null {
  const trimmed = src.trim()
  if (trimmed === '' || trimmed === 'true') return []
  const toks = tokenize(trimmed)
  if (!toks) return null
  const rows: BuilderRow[] = []
  let i = 0
  let join: Join = 'and'
  const peek = (k = 0) => toks[i + k]
  const fieldOf = (tok: Token | undefined, types: FieldType[]): FieldSpec | null => {
    if (!tok || tok.t !== 'ident') return null
    const spec = fieldSpec(event, tok.v)
    return spec && types.includes(spec.type) ? spec : null
  }
  while (i < toks.length) {
    const a = peek()
    let row: BuilderRow | null = null
    if (a.t === 'string') {
      // "vip" in contact.tags  |  "vip" not in contact.tags
      const b = peek(1)
      const notIn = b?.t === 'word' && b.v === 'not' && peek(2)?.t === 'word' && (peek(2) as Token).v === 'in'
      const isIn = b?.t === 'word' && b.v === 'in'
      if (!isIn && !notIn) return null
      const spec = fieldOf(peek(notIn ? 3 : 2), ['tags'])
      if (!spec) return null
      row = { join, field: spec.key, op: notIn ? 'not in' : 'in', value: a.v }
      i += notIn ? 4 : 3
    } else if (a.t === 'word' && a.v === 'not') {
      const spec = fieldOf(peek(1), ['bool'])
      if (!spec) return null
      row = { join, field: spec.key, op: 'is not', value: '' }
      i += 2
    } else if (a.t === 'ident') {
      const spec = fieldSpec(event, a.v)
      if (!spec) return null
      const b = peek(1)
      const endsHere = !b || (b.t === 'word' && (b.v === 'and' || b.v === 'or'))
      if (spec.type === 'bool' && endsHere) {
        row = { join, field: spec.key, op: 'is', value: '' }
        i += 1
      } else {
        const op = b && (b.t === 'op' || (b.t === 'word' && b.v === 'contains')) ? (b.v as Operator) : null
        const c = peek(2)
        if (!op || !c || !OPERATORS[spec.type].includes(op)) return null
        if (spec.type === 'number') {
          if (c.t !== 'number') return null
        } else if (c.t !== 'string') return null
        if (spec.type === 'enum' && !spec.options?.includes(c.v)) return null
        row = { join, field: spec.key, op, value: c.v }
        i += 3
      }
    } else {
      return null
    }
    rows.push(row)
    const next = peek()
    if (!next) break
    if (next.t !== 'word' || (next.v !== 'and' && next.v !== 'or')) return null
    join = next.v
    i++
    if (i >= toks.length) return null
  }
  if (rows.length > 0) rows[0] = { ...rows[0], join: 'and' }
  return rows
}

// ---------- compile errors ----------

export interface ConditionError {
  message: string
  line: number | null
  column: number | null
}

/** A validate/save answer about the condition: the message without its "condition: line 1, column 5: " prefix. */
export function conditionError(err: unknown): ConditionError | null {
  if (!(err instanceof ApiError) || err.problem.field !== 'condition') return null
  const line = typeof err.problem.line === 'number' ? err.problem.line : null
  const column = typeof err.problem.column === 'number' ? err.problem.column : null
  const message = (err.problem.detail ?? '').replace(/^condition:\s*/, '').replace(/^line \d+, column \d+:\s*/, '')
  return { message, line, column }
}

export interface ErrorMarker {
  line: number
  column: number
  before: string
  at: string
  after: string
}

/**
 * The line the error is on, cut around the 1-based column (counted in
 * characters, as the server counts them). A column past the end marks the end.
 */
export function errorMarker(text: string, line: number, column: number): ErrorMarker | null {
  const lines = text.split('\n')
  if (line < 1 || line > lines.length) return null
  const chars = Array.from(lines[line - 1])
  const idx = Math.min(Math.max(column - 1, 0), chars.length)
  return {
    line,
    column: idx + 1,
    before: chars.slice(0, idx).join(''),
    at: chars[idx] ?? ' ',
    after: chars.slice(idx + 1).join(''),
  }
}

/** The textarea offset (UTF-16) of a 1-based line and column. */
export function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split('\n')
  let off = 0
  for (let l = 0; l < Math.min(line - 1, lines.length); l++) off += lines[l].length + 1
  const cur = Array.from(lines[Math.min(line, lines.length) - 1] ?? '')
  off += cur.slice(0, Math.max(column - 1, 0)).join('').length
  return Math.min(off, text.length)
}

// ---------- actions ----------

export const ACTION_TYPES = [
  'assign_agent',
  'assign_team',
  'add_tag',
  'remove_tag',
  'set_priority',
  'send_message',
  'add_note',
  'snooze',
  'close',
  'webhook',
  'send_quick_reply',
  'create_card',
  'move_card',
] as const
export type ActionType = (typeof ACTION_TYPES)[number]
export type ActionParam = 'user_id' | 'team_id' | 'tag' | 'priority' | 'text' | 'minutes' | 'url' | 'stage_id'

/** Actions that only exist when the account has the CRM module. */
export const CRM_ACTION_TYPES: readonly ActionType[] = ['create_card', 'move_card']

/** The action types the editor offers for an account with these modules. */
export function actionTypesFor(modules: readonly string[]): ActionType[] {
  const crm = modules.includes('crm')
  return ACTION_TYPES.filter((ty) => crm || !CRM_ACTION_TYPES.includes(ty))
}

/** What each action needs (as the server checks it). */
export const ACTION_PARAM: Record<ActionType, ActionParam | null> = {
  assign_agent: 'user_id',
  assign_team: 'team_id',
  add_tag: 'tag',
  remove_tag: 'tag',
  set_priority: 'priority',
  send_message: 'text',
  add_note: 'text',
  snooze: 'minutes',
  close: null,
  webhook: 'url',
  /** the quick reply's shortcut, without "/" */
  send_quick_reply: 'text',
  create_card: 'stage_id',
  move_card: 'stage_id',
}

export function actionParam(type: string): ActionParam | null {
  return (ACTION_PARAM as Record<string, ActionParam | null>)[type] ?? null
}

export interface ActionForm {
  type: string
  user_id: string
  team_id: string
  tag: string
  priority: string
  text: string
  minutes: string
  url: string
  stage_id: string
}

export function newAction(type: string = 'add_tag'): ActionForm {
  return {
    type,
    user_id: '',
    team_id: '',
    tag: '',
    priority: type === 'set_priority' ? 'high' : '',
    text: '',
    minutes: type === 'snooze' ? '60' : '',
    url: '',
    stage_id: '',
  }
}

/**
 * What kind of value an action's field holds: send_quick_reply keeps a
 * shortcut in "text", which is not the free text of send_message/add_note.
 */
function actionValueKind(type: string): string | null {
  return type === 'send_quick_reply' ? 'quick_reply' : actionParam(type)
}

/**
 * The action with another type. The value is kept when both types take the
 * same kind of value (add_tag ⇄ remove_tag, send_message ⇄ add_note,
 * create_card ⇄ move_card).
 */
export function changeActionType(a: ActionForm, type: string): ActionForm {
  const fresh = newAction(type)
  const to = actionParam(type)
  const kind = actionValueKind(type)
  return to && kind === actionValueKind(a.type) ? { ...fresh, [to]: a[to] } : fresh
}

export function actionToForm(a: RuleAction): ActionForm {
  return {
    type: a.type,
    user_id: a.user_id ?? '',
    team_id: a.team_id ?? '',
    tag: a.tag ?? '',
    priority: a.priority ?? '',
    text: a.text ?? '',
    minutes: a.minutes ? String(a.minutes) : '',
    url: a.url ?? '',
    stage_id: a.stage_id ?? '',
  }
}

/** The action as the API wants it: its type and only the field that type uses. */
export function actionToBody(a: ActionForm): RuleAction {
  const param = actionParam(a.type)
  const out: RuleAction = { type: a.type }
  if (!param) return out
  if (param === 'minutes') {
    const n = Number.parseInt(a.minutes, 10)
    out.minutes = Number.isFinite(n) ? n : 0
  } else if (param === 'tag') {
    out.tag = a.tag.trim()
  } else if (param === 'url') {
    out.url = a.url.trim()
  } else if (a.type === 'send_quick_reply') {
    out.text = a.text.trim().replace(/^\//, '')
  } else {
    out[param] = a[param]
  }
  return out
}

/** "actions[1].text" → action 1, field "text"; null for any other field. */
export function parseActionField(field: string | undefined | null): { index: number; key: string } | null {
  const m = /^actions\[(\d+)\]\.([a-z_]+)$/.exec(field ?? '')
  return m ? { index: Number(m[1]), key: m[2] } : null
}

export function actionFieldName(index: number, key: string): string {
  return `actions[${index}].${key}`
}

export function moveItem<T>(list: readonly T[], index: number, dir: -1 | 1): T[] {
  const j = index + dir
  if (index < 0 || index >= list.length || j < 0 || j >= list.length) return [...list]
  const out = [...list]
  ;[out[index], out[j]] = [out[j], out[index]]
  return out
}

// ---------- the rule form ----------

export const RULE_FIELDS = ['kind', 'name', 'event', 'condition', 'strategy', 'target_team_id', 'target_user_ids', 'offer_timeout_s', 'idle_minutes', 'schedule', 'actions', 'position', 'enabled']

const ACTION_KEYS = ['type', 'user_id', 'team_id', 'tag', 'priority', 'text', 'minutes', 'url', 'stage_id']

/**
 * Where a failed save's message goes: next to the rule field or to the field
 * of the action the problem names ("actions[1].text"); at the top otherwise.
 */
export function ruleFormErrors(err: unknown, actionCount: number, t: Translate): FormErrors {
  const fields = [...RULE_FIELDS]
  for (let i = 0; i < actionCount; i++) for (const k of ACTION_KEYS) fields.push(actionFieldName(i, k))
  return formErrors(err, fields, t)
}

export type ConditionMode = 'builder' | 'raw'
export type TargetMode = 'team' | 'agents'

export interface RuleForm {
  kind: RuleKind
  name: string
  event: string
  mode: ConditionMode
  rows: BuilderRow[]
  raw: string
  strategy: string
  targetMode: TargetMode
  target_team_id: string
  target_user_ids: string[]
  offer_timeout_s: string
  /** conversation.idle rules: minutes without activity before the rule runs */
  idle_minutes: string
  /** scheduled rules: the cron expression as typed */
  schedule: string
  actions: ActionForm[]
}

export function newRuleForm(kind: RuleKind, events: readonly string[]): RuleForm {
  return {
    kind,
    name: '',
    event: events.includes('message.created') ? 'message.created' : events[0] ?? 'message.created',
    mode: 'builder',
    rows: [],
    raw: '',
    strategy: 'round_robin',
    targetMode: 'team',
    target_team_id: '',
    target_user_ids: [],
    offer_timeout_s: String(DEFAULT_OFFER_TIMEOUT_S),
    idle_minutes: '30',
    schedule: DEFAULT_SCHEDULE,
    actions: kind === 'automation' ? [newAction()] : [],
  }
}

/** The editor's state for a saved rule: the builder when the condition fits it, else the raw text. */
export function ruleToForm(rule: Rule): RuleForm {
  const rows = parseCondition(rule.condition, rule.event)
  return {
    kind: rule.kind,
    name: rule.name,
    event: rule.event,
    mode: rows ? 'builder' : 'raw',
    rows: rows ?? [],
    raw: rule.condition,
    strategy: rule.strategy || 'round_robin',
    targetMode: rule.target_team_id || rule.target_user_ids.length === 0 ? 'team' : 'agents',
    target_team_id: rule.target_team_id ?? '',
    target_user_ids: [...rule.target_user_ids],
    offer_timeout_s: String(rule.offer_timeout_s ?? 0),
    idle_minutes: String(rule.idle_minutes || 30),
    schedule: rule.schedule || DEFAULT_SCHEDULE,
    actions: rule.actions.map(actionToForm),
  }
}

export function formCondition(f: RuleForm): string {
  return f.mode === 'builder' ? buildCondition(f.rows, f.event).text : f.raw
}

/**
 * The POST/PATCH body; a saved rule keeps its position and on/off state.
 * `schedule` goes only with scheduled rules.
 */
export function formToInput(f: RuleForm, base?: Pick<Rule, 'position' | 'enabled'> | null): RuleInput {
  const distribution = f.kind === 'distribution'
  const timeout = Number.parseInt(f.offer_timeout_s, 10)
  const input: RuleInput = {
    kind: f.kind,
    name: f.name.trim(),
    event: f.event,
    condition: formCondition(f),
    strategy: distribution ? f.strategy : '',
    target_team_id: distribution && f.targetMode === 'team' && f.target_team_id ? f.target_team_id : null,
    target_user_ids: distribution && f.targetMode === 'agents' ? [...f.target_user_ids] : [],
    offer_timeout_s: distribution && Number.isFinite(timeout) ? timeout : 0,
    idle_minutes: f.event === 'conversation.idle' ? Number.parseInt(f.idle_minutes, 10) || 0 : 0,
    actions: distribution ? [] : f.actions.map(actionToBody),
  }
  if (f.event === SCHEDULED) input.schedule = normalizeCron(f.schedule)
  if (base) {
    input.position = base.position
    input.enabled = base.enabled
  } else {
    input.enabled = true
  }
  return input
}

/** A saved rule as a full PATCH body (the endpoint replaces every field), with changes on top. */
export function ruleToInput(rule: Rule, over: Partial<Pick<RuleInput, 'position' | 'enabled'>> = {}): RuleInput {
  const input: RuleInput = {
    kind: rule.kind,
    name: rule.name,
    event: rule.event,
    condition: rule.condition,
    position: rule.position,
    enabled: rule.enabled,
    strategy: rule.strategy ?? '',
    target_team_id: rule.target_team_id,
    target_user_ids: [...(rule.target_user_ids ?? [])],
    offer_timeout_s: rule.offer_timeout_s ?? 0,
    idle_minutes: rule.idle_minutes ?? 0,
    actions: (rule.actions ?? []).map((a) => ({ ...a })),
  }
  if (rule.event === SCHEDULED) input.schedule = rule.schedule ?? ''
  return { ...input, ...over }
}

// ---------- order ----------

/** By position; ties keep the server's order (creation time). */
export function sortRules(rules: readonly Rule[]): Rule[] {
  return rules
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.position - b.r.position || a.i - b.i)
    .map((x) => x.r)
}

export interface Reorder {
  /** the list in its new order, positions updated */
  order: Rule[]
  /** the PATCHes to send */
  changes: { id: string; position: number }[]
}

/**
 * Moving a rule up (-1) or down (+1) swaps its position with its neighbour's.
 * When the two share a position (the server numbers new rules by count, so
 * a delete can leave ties) the whole list is renumbered 0..n-1 instead.
 */
export function moveRule(rules: readonly Rule[], id: string, dir: -1 | 1): Reorder {
  const sorted = sortRules(rules)
  const i = sorted.findIndex((r) => r.id === id)
  const j = i + dir
  if (i < 0 || j < 0 || j >= sorted.length) return { order: sorted, changes: [] }
  const a = sorted[i]
  const b = sorted[j]
  if (a.position !== b.position) {
    const changed = sorted.map((r) => (r.id === a.id ? { ...r, position: b.position } : r.id === b.id ? { ...r, position: a.position } : r))
    return {
      order: sortRules(changed),
      changes: [
        { id: a.id, position: b.position },
        { id: b.id, position: a.position },
      ],
    }
  }
  const swapped = moveItem(sorted, i, dir)
  const changes: { id: string; position: number }[] = []
  const order = swapped.map((r, k) => {
    if (r.position === k) return r
    changes.push({ id: r.id, position: k })
    return { ...r, position: k }
  })
  return { order, changes }
}

// ---------- words ----------

/** Dry-run lines name agents and teams by id: show their names. */
export function humanizeWould(text: string, names: ReadonlyMap<string, string>): string {
  const ids = [...names.keys()].filter(Boolean).sort((a, b) => b.length - a.length)
  let out = text
  for (const id of ids) out = out.split(id).join(names.get(id) as string)
  return out
}

function label(prefix: string, value: string, t: Translate): string {
  const key = `${prefix}${value}`
  return hasKey(key) ? t(key) : value
}

export const eventLabel = (e: string, t: Translate) => label('rules.event.', e, t)
export const fieldLabel = (f: string, t: Translate) => label('rules.field.', f, t)
export const operatorLabel = (o: string, t: Translate) => label('rules.op.', o, t)
export const strategyLabel = (s: string, t: Translate) => label('rules.strategy.', s, t)
export const actionLabel = (a: string, t: Translate) => label('rules.action.', a, t)

export function strategyHelp(s: string, t: Translate): string {
  const key = `rules.strategyHelp.${s}`
  return hasKey(key) ? t(key) : ''
}

/** The label of an enum value in the builder (priorities, weekdays, channel kinds…). */
export function valueLabel(field: string, value: string, t: Translate): string {
  const keys: Record<string, string> = {
    'conversation.priority': `priority.${value}`,
    'channel.kind': `channel.${value}`,
    'assignee.status': `presence.${value}`,
    'weekday()': `rules.weekday.${value}`,
    'message.direction': `rules.direction.${value}`,
  }
  const key = keys[field]
  return key && hasKey(key) ? t(key as MessageKey) : value
}

const QUICK_REPLY_PREVIEW = 40

/** A quick reply in the send_quick_reply picker: "/shortcut — first 40 characters of its text". */
export function quickReplyLabel(qr: { shortcut: string; text: string }): string {
  const chars = Array.from(qr.text.replace(/\s+/g, ' ').trim())
  if (chars.length <= QUICK_REPLY_PREVIEW) return `/${qr.shortcut} — ${chars.join('')}`
  return `/${qr.shortcut} — ${chars.slice(0, QUICK_REPLY_PREVIEW).join('').trimEnd()}…`
}

/** Whether a stage id is one of the pipelines' stages. */
export function hasStage(pipelines: readonly { stages: readonly { id: string }[] }[], id: string): boolean {
  return pipelines.some((p) => p.stages.some((s) => s.id === id))
}

export const ROW_PROBLEM_TEXT: Record<RowProblem, MessageKey> = {
  field: 'rules.problem.field',
  operator: 'rules.problem.operator',
  number: 'rules.problem.number',
  empty: 'rules.problem.empty',
}
