// Pure helpers of the CRM screens: who may use what, money in BRL, the board's
// columns and totals, moving a card, the filters' query and the card form.
import type { CardPatch, CardPriority, CardStatus, CardSummary, Me, Stage } from '../api/types'
import { toZonedInput } from '../zonedTime'

export const CARD_PRIORITIES: CardPriority[] = ['urgent', 'high', 'normal', 'low']
export const CARD_STATUSES: CardStatus[] = ['open', 'won', 'lost', 'archived']

// ---------- access ----------

/** The CRM module is on for the account and the user may see it. */
export function canUseCrm(me: Me | null): boolean {
  return !!me && me.account.modules.includes('crm') && me.user.permissions.includes('crm:view')
}

export function canEditCrm(me: Me | null): boolean {
  return canUseCrm(me) && me!.user.permissions.includes('crm:edit')
}

export function canManagePipelines(me: Me | null): boolean {
  return canUseCrm(me) && me!.user.permissions.includes('crm:pipelines')
}

// ---------- money ----------

const brl = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' })
const plain = new Intl.NumberFormat('pt-BR', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** 123456 → "R$ 1.234,56" (always the Brazilian format: the currency is the real). */
export function formatBRL(cents: number): string {
  return brl.format((cents || 0) / 100)
}

/** 123456 → "1.234,56", the value of the money input. */
export function centsToInput(cents: number): string {
  return plain.format((cents || 0) / 100)
}

/**
 * What someone typed in the money input, in cents: "1.234,56", "1234,5",
 * "R$ 10", "1234.56" and "1.234" (a thousand) all work. Empty is 0; anything
 * else (letters, negative, three decimals) is null.
 */
export function parseBRL(text: string): number | null {
  const s = text.replace(/R\$/i, '').replace(/[\s\u00a0]/g, '')
  if (s === '') return 0
  let intPart: string
  let frac = ''
  if (s.includes(',')) {
    const m = /^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{0,2}))?$/.exec(s)
    if (!m) return null
    intPart = m[1].replace(/\./g, '')
    frac = m[2] ?? ''
  } else if (/^\d{1,3}(\.\d{3})+$/.test(s)) {
    intPart = s.replace(/\./g, '')
  } else {
    const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s)
    if (!m) return null
    intPart = m[1]
    frac = m[2] ?? ''
  }
  const cents = Number(intPart) * 100 + Number(frac.padEnd(2, '0') || '0')
  return Number.isSafeInteger(cents) ? cents : null
}

// ---------- board ----------

export interface Column {
  stage: Stage
  cards: CardSummary[]
  count: number
  totalCents: number
}

const byPosition = (a: CardSummary, b: CardSummary) => a.position - b.position

/** One column per stage (in stage order) with its cards by position, count and value total. */
export function groupBoard(stages: Stage[], cards: CardSummary[]): Column[] {
  return [...stages]
    .sort((a, b) => a.position - b.position)
    .map((stage) => {
      const list = cards.filter((c) => c.stage_id === stage.id).sort(byPosition)
      return { stage, cards: list, count: list.length, totalCents: list.reduce((sum, c) => sum + (c.value_cents || 0), 0) }
    })
}

/** Where a drop lands: before the card under the pointer if in its upper half, else after it. */
export function dropIndex(cardIndex: number, pointerY: number, rect: { top: number; height: number }): number {
  return pointerY < rect.top + rect.height / 2 ? cardIndex : cardIndex + 1
}

/**
 * The position to send for a drop at `slot` (0…n, counted among the column's
 * cards as drawn, the dragged one included), or null when nothing changes.
 */
export function moveTarget(cards: CardSummary[], cardId: string, stageId: string, slot: number): number | null {
  const card = cards.find((c) => c.id === cardId)
  if (!card) return null
  const column = cards.filter((c) => c.stage_id === stageId).sort(byPosition)
  const from = column.findIndex((c) => c.id === cardId)
  let index = Math.max(0, Math.min(slot, column.length))
  if (from >= 0) {
    if (index > from) index-- // the card leaves its own slot first
    if (index === from) return null
  }
  return index
}

/**
 * The board after moving a card to `index` of a stage (its position among the
 * stage's other cards): both columns are renumbered 0…n-1.
 */
export function moveCardLocal(cards: CardSummary[], cardId: string, stageId: string, index: number): CardSummary[] {
  const card = cards.find((c) => c.id === cardId)
  if (!card) return cards
  const fromStage = card.stage_id
  const others = cards.filter((c) => c.id !== cardId)
  const target = others.filter((c) => c.stage_id === stageId).sort(byPosition)
  const at = Math.max(0, Math.min(index, target.length))
  target.splice(at, 0, { ...card, stage_id: stageId })
  const positions = new Map<string, { stage: string; position: number }>()
  target.forEach((c, i) => positions.set(c.id, { stage: stageId, position: i }))
  if (fromStage !== stageId) {
    others
      .filter((c) => c.stage_id === fromStage)
      .sort(byPosition)
      .forEach((c, i) => positions.set(c.id, { stage: fromStage, position: i }))
  }
  const moved = target[at]
  return [...others, moved].map((c) => {
    const p = positions.get(c.id)
    return p ? { ...c, stage_id: p.stage, position: p.position } : c
  })
}

/** Replace (or add) one card of the board, keeping it only if it still belongs here. */
export function upsertCard(cards: CardSummary[], card: CardSummary, pipelineId: string): CardSummary[] {
  const rest = cards.filter((c) => c.id !== card.id)
  return card.pipeline_id === pipelineId ? [...rest, card] : rest
}

// ---------- filters ----------

export type DueFilter = '' | 'overdue' | 'today' | 'week'

export interface BoardFilters {
  assignee_id: string
  tag: string
  priority: '' | CardPriority
  due: DueFilter
  status: CardStatus
}

export const DEFAULT_BOARD_FILTERS: BoardFilters = { assignee_id: '', tag: '', priority: '', due: '', status: 'open' }

/** The board endpoint's query string; empty filters are left out. */
export function boardQuery(f: BoardFilters): string {
  const q = new URLSearchParams()
  if (f.assignee_id) q.set('assignee_id', f.assignee_id)
  const tag = f.tag.trim()
  if (tag) q.set('tag', tag)
  if (f.priority) q.set('priority', f.priority)
  if (f.due) q.set('due', f.due)
  if (f.status) q.set('status', f.status)
  return q.toString()
}

export function activeFilterCount(f: BoardFilters): number {
  return [f.assignee_id, f.tag.trim(), f.priority, f.due, f.status !== 'open' ? f.status : ''].filter(Boolean).length
}

// ---------- card display ----------

/** An open card whose due time has passed. */
export function isOverdue(card: Pick<CardSummary, 'due_at' | 'status'>, now: Date = new Date()): boolean {
  if (!card.due_at || card.status !== 'open') return false
  const t = new Date(card.due_at).getTime()
  return !Number.isNaN(t) && t < now.getTime()
}

/** "a, b , a,," → ["a", "b"]: tags typed as a comma-separated list. */
export function parseTags(text: string): string[] {
  const out: string[] = []
  for (const raw of text.split(',')) {
    const tag = raw.trim().replace(/\s+/g, ' ')
    if (tag && !out.includes(tag)) out.push(tag)
  }
  return out
}

export interface FieldRow {
  key: string
  value: string
}

export function fieldsToRows(fields: Record<string, string> | null | undefined): FieldRow[] {
  return Object.entries(fields ?? {}).map(([key, value]) => ({ key, value }))
}

/** Rows back to the object; rows without a key are dropped, a repeated key keeps the last value. */
export function rowsToFields(rows: FieldRow[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const r of rows) {
    const key = r.key.trim()
    if (key) out[key] = r.value
  }
  return out
}

// ---------- card form ----------

export interface CardForm {
  title: string
  value: string
  priority: CardPriority
  due: string
  assignee_ids: string[]
  tags: string
  fields: FieldRow[]
}

export function cardToForm(card: CardSummary, timeZone: string): CardForm {
  return {
    title: card.title,
    value: centsToInput(card.value_cents),
    priority: card.priority,
    due: toZonedInput(card.due_at, timeZone),
    assignee_ids: [...card.assignee_ids],
    tags: card.tags.join(', '),
    fields: fieldsToRows(card.custom_fields),
  }
}

export type CardFormError = 'title' | 'value'

export function cardFormErrors(form: CardForm): CardFormError[] {
  const errs: CardFormError[] = []
  if (!form.title.trim()) errs.push('title')
  if (parseBRL(form.value) === null) errs.push('value')
  return errs
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i])

/**
 * The PATCH body: only what changed. The due time goes as typed (naive, the
 * server reads it in the account's zone); cleared → null.
 */
export function cardPatch(card: CardSummary, form: CardForm, timeZone: string): CardPatch {
  const patch: CardPatch = {}
  const title = form.title.trim()
  if (title !== card.title) patch.title = title
  const cents = parseBRL(form.value)
  if (cents !== null && cents !== card.value_cents) patch.value_cents = cents
  if (form.priority !== card.priority) patch.priority = form.priority
  if (form.due !== toZonedInput(card.due_at, timeZone)) patch.due_at = form.due ? form.due : null
  if (!sameList([...form.assignee_ids].sort(), [...card.assignee_ids].sort())) patch.assignee_ids = form.assignee_ids
  const tags = parseTags(form.tags)
  if (!sameList(tags, card.tags)) patch.tags = tags
  const fields = rowsToFields(form.fields)
  const before = card.custom_fields ?? {}
  const changed =
    Object.keys(fields).length !== Object.keys(before).length || Object.entries(fields).some(([k, v]) => before[k] !== v)
  if (changed) patch.custom_fields = fields
  return patch
}

/** Move a stage one step up (-1) or down (+1) in an id list; out of range → unchanged. */
export function moveStageId(ids: string[], id: string, dir: -1 | 1): string[] {
  const i = ids.indexOf(id)
  const j = i + dir
  if (i < 0 || j < 0 || j >= ids.length) return ids
  const next = [...ids]
  ;[next[i], next[j]] = [next[j], next[i]]
  return next
}

/** The variables an entry message may use. */
export const ENTRY_VARIABLES = ['{{contact.first_name}}', '{{contact.name}}', '{{card.title}}', '{{agent.name}}']
