// Pure logic of the composer: quick replies on "/", emoji insertion at the
// caret, whether a draft may be sent, Idempotency-Key reuse on retry (of a
// text or a template), and the
// AI Assist request (who sees it, which operations need a draft or a choice).
import type {
  AssistAudience,
  AssistLanguage,
  AssistOperation,
  AssistRequest,
  Me,
  MessageKind,
  QuickReply,
  TemplateSend,
} from '../api/types'
import { ApiError, uuid } from '../api/client'
import { can } from '../session'
import type { ReplyMode } from './commentLogic'

/** Common emoji for the built-in picker (no library). */
export const EMOJI = [
  '😀', '😃', '😄', '😁', '😊', '🙂', '😉', '😍', '🥰', '😘',
  '😅', '😂', '🤣', '😇', '🤔', '😐', '😕', '😢', '😭', '😡',
  '😮', '😱', '🙄', '😴', '🤝', '👍', '👎', '👏', '🙏', '💪',
  '👋', '🙌', '👌', '✌️', '🤞', '❤️', '💙', '💚', '💛', '🔥',
  '⭐', '✨', '🎉', '🎁', '✅', '❌', '⚠️', '📦', '🚚', '💰',
  '💳', '🧾', '📅', '⏰', '📞', '📱', '💬', '📧', '📍', '🇧🇷',
]

/** Lower-case and drop accents so "promocao" finds "Promoção". */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLocaleLowerCase()
}

/**
 * The quick-reply filter when the draft starts with "/" (the text after it, up
 * to the first line break), or null when the quick-reply list should be closed.
 */
export function quickReplyQuery(text: string): string | null {
  if (!text.startsWith('/')) return null
  const rest = text.slice(1)
  if (rest.includes('\n')) return null
  return rest
}

/** Quick replies matching a query: shortcut prefix first, then shortcut or text containing it. */
export function matchQuickReplies(list: QuickReply[], query: string): QuickReply[] {
  const q = fold(query.trim())
  const shortcut = (r: QuickReply) => fold(r.shortcut.replace(/^\//, ''))
  if (!q) return [...list].sort((a, b) => shortcut(a).localeCompare(shortcut(b)))
  const rank = (r: QuickReply): number => {
    const s = shortcut(r)
    if (s.startsWith(q)) return 0
    if (s.includes(q)) return 1
    if (fold(r.text).includes(q)) return 2
    return -1
  }
  return list
    .map((r) => ({ r, k: rank(r) }))
    .filter((x) => x.k >= 0)
    .sort((a, b) => a.k - b.k || shortcut(a.r).localeCompare(shortcut(b.r)))
    .map((x) => x.r)
}

export interface Edit {
  text: string
  caret: number
}

/** Insert (or replace the selection with) a string at the caret. */
export function insertAtCaret(text: string, start: number, end: number, insert: string): Edit {
  const s = Math.max(0, Math.min(start, text.length))
  const e = Math.max(s, Math.min(end, text.length))
  return { text: text.slice(0, s) + insert + text.slice(e), caret: s + insert.length }
}

/** Choosing a quick reply replaces the "/query" draft with the reply's text. */
export function applyQuickReply(reply: QuickReply): Edit {
  return { text: reply.text, caret: reply.text.length }
}

/** An empty draft (blank text and no attachment) is not sent. */
export function canSend(body: string, attachmentCount: number): boolean {
  return body.trim() !== '' || attachmentCount > 0
}

/** Characters as the server counts them (Unicode code points: an emoji is one, not two UTF-16 units). */
export function textLength(s: string): number {
  return Array.from(s).length
}

export interface TextLimit {
  /** the channel's longest text; 0: none known (no counter) */
  max: number
  /** characters left (negative when over) */
  remaining: number
  /** characters past the limit (0 when it fits) */
  over: number
}

/**
 * How the draft stands against the channel's longest text
 * (capabilities.max_text): what is sent is counted, i.e. the trimmed text.
 * A private note never leaves CHATSPOT and has no limit.
 */
export function textLimit(text: string, maxText: number | undefined, note: boolean): TextLimit {
  const max = !note && maxText && maxText > 0 ? maxText : 0
  if (!max) return { max: 0, remaining: 0, over: 0 }
  const remaining = max - textLength(text.trim())
  return { max, remaining, over: Math.max(0, -remaining) }
}

/** How long the agent pauses before a metered channel's send is quoted. */
export const QUOTE_DEBOUNCE_MS = 300

/**
 * A send refused with 402 Payment Required: the prepaid balance cannot pay it
 * (a metered channel). Not a session problem: the agent stays signed in and
 * the refusal's detail is shown like any other.
 */
export function isPaymentRequired(err: unknown): boolean {
  return err instanceof ApiError && err.status === 402
}

export interface SendIntent {
  conversationId: string
  body: string
  kind: MessageKind
  attachmentIds: string[]
  /** a template send: the same template with the same values is the same message */
  template?: TemplateSend
  /** the comment answered: the same text to another comment is another message */
  replyToId?: string
}

export interface PendingSend {
  key: string
  fingerprint: string
}

export function fingerprint(i: SendIntent): string {
  const parts: unknown[] = [i.conversationId, i.kind, i.body, i.attachmentIds]
  if (i.template) parts.push(i.template.id, i.template.params)
  if (i.replyToId) parts.push({ reply_to: i.replyToId })
  return JSON.stringify(parts)
}

/**
 * The Idempotency-Key for a send: a send that failed and is tried again with
 * the same content reuses its key (the server then never stores it twice);
 * any other content gets a fresh key.
 */
export function keyForSend(pending: PendingSend | null, intent: SendIntent, gen: () => string = uuid): PendingSend {
  const fp = fingerprint(intent)
  if (pending && pending.fingerprint === fp) return pending
  return { key: gen(), fingerprint: fp }
}

export interface Draft {
  text: string
  note: boolean
  pending: PendingSend | null
  /** a post's comments: a private reply being written must not come back as a public one */
  mode?: ReplyMode
}

/** Drafts survive switching conversations (in memory, per conversation). */
const drafts = new Map<string, Draft>()

export const draftStore = {
  get(conversationId: string): Draft {
    return drafts.get(conversationId) ?? { text: '', note: false, pending: null }
  },
  set(conversationId: string, d: Draft) {
    if (!d.text && !d.note && !d.pending && d.mode !== 'private') drafts.delete(conversationId)
    else drafts.set(conversationId, d)
  },
  clear() {
    drafts.clear()
  },
}

/* ---------- AI Assist ---------- */

export const ASSIST_OPERATIONS: AssistOperation[] = ['rewrite', 'fix', 'suggest_reply', 'expand', 'translate', 'adjust']
export const ASSIST_LANGUAGES: AssistLanguage[] = ['pt-BR', 'en', 'es']
export const ASSIST_AUDIENCES: AssistAudience[] = ['technical', 'legal', 'commercial']

/** The AI button shows only for accounts with the "ai" module and users who may reply. */
export function canUseAssist(me: Me | null): boolean {
  return can(me, 'conversations:reply') && !!me?.account.modules?.includes('ai')
}

/** Every operation works on the draft except suggest_reply, which starts from what the customer asked. */
export function assistNeedsDraft(op: AssistOperation): boolean {
  return op !== 'suggest_reply'
}

/** translate asks for a target language, adjust for an audience; the others run at once. */
export function assistChoices(op: AssistOperation): readonly string[] | null {
  if (op === 'translate') return ASSIST_LANGUAGES
  if (op === 'adjust') return ASSIST_AUDIENCES
  return null
}

/** The JSON body of POST /conversations/:id/assist. */
export function assistRequest(op: AssistOperation, draft: string, choice?: string): AssistRequest {
  const body: AssistRequest = { operation: op, draft }
  if (op === 'translate') body.target_language = (choice ?? 'en') as AssistLanguage
  if (op === 'adjust') body.audience = (choice ?? 'commercial') as AssistAudience
  return body
}
