// Pure logic of message templates (WhatsApp Official), shared by the channel
// editor (list, create form) and the composer (picker): Meta's numbered
// variables {{1}}, {{2}}… and their rendering, the create form → POST body
// with one example per variable, the checks made before Meta's review, the
// status badges, live upserts, and what the picker fills in by itself. No
// React here, so it is unit-tested.
import { ApiError } from '../api/client'
import type { MessageTemplate, NewTemplateInput, TemplateCategory } from '../api/types'
import { hasKey } from '../i18n'
import type { MessageKey, Translate } from '../i18n'

// ---------- variables ----------

// the same pattern the server counts with: {{1}}, also written {{ 1 }}
const VARIABLE = /\{\{\s*(\d+)\s*\}\}/g

/** The numbers of the variables a text uses, ascending, without repeats. */
export function variableNumbers(text: string): number[] {
  const seen = new Set<number>()
  for (const m of text.matchAll(VARIABLE)) {
    const n = Number(m[1])
    if (n > 0) seen.add(n)
  }
  return [...seen].sort((a, b) => a - b)
}

/** How many values a text needs: its highest variable (what the server calls params). */
export function variableCount(text: string): number {
  const ns = variableNumbers(text)
  return ns.length ? ns[ns.length - 1] : 0
}

/** The first number skipped ({{1}} and {{3}} without {{2}}: 2), or null when they run 1, 2, 3… */
export function missingVariable(text: string): number | null {
  const ns = variableNumbers(text)
  for (let i = 0; i < ns.length; i++) if (ns[i] !== i + 1) return i + 1
  return null
}

/**
 * A text with its variables filled ({{1}} is values[0]). A variable without
 * a value (or with a blank one) stays as written, so a preview shows what
 * is still missing.
 */
export function renderTemplate(text: string, values: readonly string[]): string {
  return text.replace(VARIABLE, (whole, num: string) => {
    const v = values[Number(num) - 1]
    return v !== undefined && v.trim() !== '' ? v : whole
  })
}

/** A piece of a rendered text: plain, or a variable with its value (missing: none typed yet). */
export interface Segment {
  text: string
  variable?: number
  missing?: boolean
}

/** renderTemplate in pieces, so a preview can mark the variables (and those still empty). */
export function renderSegments(text: string, values: readonly string[]): Segment[] {
  const out: Segment[] = []
  let last = 0
  for (const m of text.matchAll(VARIABLE)) {
    const at = m.index ?? 0
    if (at > last) out.push({ text: text.slice(last, at) })
    const n = Number(m[1])
    const v = values[n - 1]
    const missing = v === undefined || v.trim() === ''
    out.push({ text: missing ? m[0] : v, variable: n, missing })
    last = at + m[0].length
  }
  if (last < text.length) out.push({ text: text.slice(last) })
  return out
}

/** The value boxes for n variables, keeping what was typed in the ones that stay. */
export function resize(values: readonly string[], n: number): string[] {
  return Array.from({ length: n }, (_, i) => values[i] ?? '')
}

// ---------- the create form ----------

export const TEMPLATE_CATEGORIES: readonly TemplateCategory[] = ['UTILITY', 'MARKETING', 'AUTHENTICATION']
/** Meta's language codes the form offers; pt_BR first, as most customers here write in it. */
export const TEMPLATE_LANGUAGES = ['pt_BR', 'en_US', 'es'] as const

/** Meta's limits on a text template. */
export const NAME_MAX = 512
export const HEADER_MAX = 60
export const BODY_MAX = 1024
export const FOOTER_MAX = 60

export interface TemplateForm {
  name: string
  category: TemplateCategory
  language: string
  header: string
  body: string
  footer: string
  /**
   * The sample values typed, {{1}} first. It may hold more than the body
   * needs: a variable deleted and typed again gets its example back.
   * The body's share: examples(form).
   */
  examples: string[]
}

export function emptyTemplateForm(): TemplateForm {
  return { name: '', category: 'UTILITY', language: 'pt_BR', header: '', body: '', footer: '', examples: [] }
}

/** A new body: there is an example box for each of its variables at once. */
export function withBody(form: TemplateForm, body: string): TemplateForm {
  const n = variableCount(body)
  return { ...form, body, examples: form.examples.length >= n ? form.examples : resize(form.examples, n) }
}

/** The examples the body asks for: one per variable, in order. */
export function examplesOf(form: Pick<TemplateForm, 'body' | 'examples'>): string[] {
  return resize(form.examples, variableCount(form.body.trim()))
}

/** The form with example i (0-based) typed. */
export function withExample(form: TemplateForm, i: number, value: string): TemplateForm {
  const examples = resize(form.examples, Math.max(form.examples.length, i + 1))
  examples[i] = value
  return { ...form, examples }
}

/**
 * The name as Meta wants it, from what was typed: lowercase, without
 * accents, spaces and hyphens as underscores ("Confirmação de pedido" →
 * "confirmacao_de_pedido"). Anything else stays, for the check to name.
 */
export function normalizeTemplateName(raw: string): string {
  return raw
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
}

const NAME = /^[a-z0-9_]+$/

/** Fields of the create form a problem can be shown under (the server's 422 names the same). */
export const TEMPLATE_FIELDS = ['name', 'category', 'language', 'header', 'body', 'footer', 'examples']

/** Where a server problem goes: "examples[1]" or "examples.1" under the examples. */
export function templateField(field: string | undefined): string | undefined {
  if (!field) return field
  return /^examples\b/.test(field) ? 'examples' : field
}

/**
 * Checks before submitting, keyed by field; the server (and then Meta) has
 * the final word. Examples are checked one by one: "examples.<i>".
 */
export function templateProblems(f: TemplateForm): Record<string, { key: MessageKey; params?: Record<string, string | number> }> {
  const out: Record<string, { key: MessageKey; params?: Record<string, string | number> }> = {}
  const name = f.name.trim()
  if (name === '') out.name = { key: 'templates.problem.required' }
  else if (!NAME.test(name)) out.name = { key: 'templates.problem.name' }
  else if (name.length > NAME_MAX) out.name = { key: 'templates.problem.tooLong', params: { max: NAME_MAX } }

  const body = f.body.trim()
  const gap = missingVariable(body)
  if (body === '') out.body = { key: 'templates.problem.required' }
  else if (body.length > BODY_MAX) out.body = { key: 'templates.problem.tooLong', params: { max: BODY_MAX } }
  else if (gap !== null) out.body = { key: 'templates.problem.gap', params: { n: `{{${gap}}}` } }

  for (const [field, max] of [
    ['header', HEADER_MAX],
    ['footer', FOOTER_MAX],
  ] as const) {
    const v = f[field].trim()
    if (variableNumbers(v).length > 0) out[field] = { key: 'templates.problem.noVariables' }
    else if (v.length > max) out[field] = { key: 'templates.problem.tooLong', params: { max } }
  }

  examplesOf(f).forEach((v, i) => {
    if (v.trim() === '') out[`examples.${i}`] = { key: 'templates.problem.example', params: { n: `{{${i + 1}}}` } }
  })
  return out
}

/** The POST body: trimmed; header and footer only when filled; one example per variable of the body, in order. */
export function newTemplateBody(f: TemplateForm): NewTemplateInput {
  const body = f.body.trim()
  const input: NewTemplateInput = {
    name: f.name.trim(),
    language: f.language,
    category: f.category,
    body,
    examples: examplesOf(f).map((v) => v.trim()),
  }
  const header = f.header.trim()
  const footer = f.footer.trim()
  if (header) input.header = header
  if (footer) input.footer = footer
  return input
}

// ---------- status ----------

export type TemplateTone = 'ok' | 'wait' | 'bad' | 'off'

/** Approved is green; in review yellow; refused or switched off by Meta red; paused grey. */
export function templateTone(status: string): TemplateTone {
  switch (status) {
    case 'APPROVED':
      return 'ok'
    case 'SUBMITTING':
    case 'PENDING':
      return 'wait'
    case 'REJECTED':
    case 'FAILED':
    case 'DISABLED':
      return 'bad'
    default:
      return 'off'
  }
}

export function templateStatusLabel(status: string, t: Translate): string {
  const key = `templates.status.${status}`
  return hasKey(key) ? t(key) : status
}

export function categoryLabel(category: string, t: Translate): string {
  const key = `templates.category.${category}`
  return hasKey(key) ? t(key) : category
}

export function languageLabel(language: string, t: Translate): string {
  const key = `templates.language.${language}`
  return hasKey(key) ? t(key) : language
}

/** Statuses whose reason the list shows beside the badge (why Meta refused, paused or disabled it). */
const WITH_REASON = ['REJECTED', 'FAILED', 'PAUSED', 'DISABLED']

/** The line under a template: Meta's reason; for a refusal without one, that none was given. */
export function templateReason(tpl: Pick<MessageTemplate, 'status' | 'reason'>, t: Translate): string {
  if (!WITH_REASON.includes(tpl.status)) return ''
  const reason = (tpl.reason ?? '').trim()
  if (reason) return reason
  return tpl.status === 'REJECTED' || tpl.status === 'FAILED' ? t('templates.noReason') : ''
}

// ---------- lists ----------

function byName(a: MessageTemplate, b: MessageTemplate): number {
  return a.name.localeCompare(b.name) || a.language.localeCompare(b.language)
}

export function sortTemplates(list: readonly MessageTemplate[]): MessageTemplate[] {
  return [...list].sort(byName)
}

/** A template created, synced or reviewed (template.updated): in its place, or added, for its channel only. */
export function upsertTemplate(list: readonly MessageTemplate[], tpl: MessageTemplate, channelId: string): MessageTemplate[] {
  if (tpl.channel_id !== channelId) return [...list]
  return sortTemplates([...list.filter((x) => x.id !== tpl.id), tpl])
}

/** What the composer may send: the channel's approved templates that CHATSPOT can fill in. */
export function sendable(list: readonly MessageTemplate[], channelId: string): MessageTemplate[] {
  return sortTemplates(list.filter((x) => x.status === 'APPROVED' && !x.unsupported && x.channel_id === channelId))
}

// ---------- the picker ----------

/** The first word of the contact's name, or "" when the name is a number or an address (no one's first name). */
export function firstName(contactName: string | undefined): string {
  const first = (contactName ?? '').trim().split(/\s+/)[0] ?? ''
  if (!first || /\d/.test(first) || first.includes('@')) return ''
  return first
}

// words right before {{1}} that make it the customer's name ("Olá, {{1}}!", "Dear {{1}}")
const GREETING = /(?:^|[^\p{L}])(ol[aá]|oi|oie|e a[ií]|bom dia|boa tarde|boa noite|prezad[oa]s?|car[oa]|querid[oa]|hello|hi|hey|dear|hola|buen[oa]s (?:d[ií]as|tardes|noches)|estimad[oa])[\s,]*$/iu

/**
 * The values the picker starts with: {{1}} is the contact's first name when
 * the template greets with it ("Olá {{1}}", or {{1}} opening the text);
 * the others are left for the agent.
 */
export function prefill(tpl: Pick<MessageTemplate, 'body' | 'params'>, contactName: string | undefined): string[] {
  const n = Math.max(tpl.params, variableCount(tpl.body))
  const values = resize([], n)
  const name = firstName(contactName)
  if (n === 0 || !name) return values
  const at = tpl.body.search(/\{\{\s*1\s*\}\}/)
  if (at < 0) return values
  const before = tpl.body.slice(0, at)
  if (before.trim() === '' || GREETING.test(before.slice(-30))) values[0] = name
  return values
}

/** Every variable has a value (Meta refuses a template with an empty one). */
export function paramsComplete(values: readonly string[]): boolean {
  return values.every((v) => v.trim() !== '')
}

/** The free-text send failed because the 24 h window is closed: only a template can go. */
export function isWindowClosed(err: unknown): boolean {
  return err instanceof ApiError && /window closed/i.test(err.problem.detail ?? '')
}
