// Pure logic of the conversation list: filters → query string, whether a
// conversation belongs to the active view, and merging live events.
import type {
  ConversationDetail,
  ConversationStatus,
  ConversationSummary,
  MessageCreatedEvent,
  Priority,
  View,
} from '../api/types'
import { mergeThread } from '../conversation/commentLogic'

export interface InboxFilters {
  view: View
  status: ConversationStatus | ''
  channel_id: string
  tag: string
  priority: Priority | ''
  q: string
}

export const DEFAULT_FILTERS: InboxFilters = {
  view: 'mine',
  status: 'open',
  channel_id: '',
  tag: '',
  priority: '',
  q: '',
}

export const VIEWS: View[] = ['mine', 'unassigned', 'team', 'all']
export const STATUSES: ConversationStatus[] = ['open', 'pending', 'snoozed', 'closed']
export const PRIORITIES: Priority[] = ['urgent', 'high', 'normal', 'low']

/** Which tabs a user may see, from their permissions. */
export function allowedViews(permissions: string[]): View[] {
  const all = permissions.includes('conversations:view:all')
  const team = all || permissions.includes('conversations:view:team')
  const views: View[] = ['mine']
  if (team) views.push('unassigned', 'team')
  if (all) views.push('all')
  return views
}

/** The query string for GET /api/v1/conversations (empty filters are left out). */
export function filtersToQuery(f: InboxFilters, page: { cursor?: string | null; limit?: number } = {}): string {
  const p = new URLSearchParams()
  p.set('view', f.view)
  if (f.status) p.set('status', f.status)
  if (f.channel_id) p.set('channel_id', f.channel_id)
  if (f.tag.trim()) p.set('tag', f.tag.trim())
  if (f.priority) p.set('priority', f.priority)
  if (f.q.trim()) p.set('q', f.q.trim())
  if (page.cursor) p.set('cursor', page.cursor)
  if (page.limit) p.set('limit', String(page.limit))
  return p.toString()
}

export interface ViewContext {
  /** The signed-in user. */
  userId: string
  /** Teams of the signed-in user, when the server tells them (Me.user.teams). */
  teamIds: string[] | null
  /** The conversation open on screen and visible: it never counts as unread. */
  openId: string | null
}

/**
 * Whether a conversation belongs in the list for these filters. `known` is
 * true when it is already listed: the server matched it on `q` (which may
 * have hit older message text we cannot see), so `q` only gates new rows.
 */
export function matchesFilters(c: ConversationSummary, f: InboxFilters, ctx: ViewContext, known = false): boolean {
  switch (f.view) {
    case 'mine':
      if (c.assignee?.id !== ctx.userId) return false
      break
    case 'unassigned':
      if (c.assignee !== null) return false
      break
    case 'team':
      if (!c.team) return false
      if (ctx.teamIds && !ctx.teamIds.includes(c.team.id)) return false
      break
    case 'all':
      break
  }
  if (f.status && c.status !== f.status) return false
  if (f.channel_id && c.channel.id !== f.channel_id) return false
  if (f.tag.trim() && !c.tags.includes(f.tag.trim())) return false
  if (f.priority && c.priority !== f.priority) return false
  const q = f.q.trim().toLocaleLowerCase()
  if (q && !known) {
    const hay = `${c.contact.name}\n${c.last_message?.body ?? ''}`.toLocaleLowerCase()
    if (!hay.includes(q)) return false
  }
  return true
}

/** When the conversation last moved: its last message, else its last update. */
export function activityTime(c: ConversationSummary): number {
  const t = Date.parse(c.last_message?.created_at ?? c.updated_at)
  return Number.isNaN(t) ? 0 : t
}

/** Most recent activity first; stable for equal times. */
export function sortConversations(list: ConversationSummary[]): ConversationSummary[] {
  return list
    .map((c, i) => ({ c, i }))
    .sort((a, b) => activityTime(b.c) - activityTime(a.c) || a.i - b.i)
    .map((x) => x.c)
}

/** Reduce a conversation detail to its list shape. */
export function toSummary(d: ConversationDetail | ConversationSummary): ConversationSummary {
  return { ...d, contact: { id: d.contact.id, name: d.contact.name } }
}

/**
 * Reconcile a conversation from the server (conversation.updated, an action's
 * answer, or a fetch): replace it by id, add it if it now belongs to the view,
 * drop it if it no longer does.
 */
export function upsertConversation(
  list: ConversationSummary[],
  incoming: ConversationSummary,
  f: InboxFilters,
  ctx: ViewContext,
): ConversationSummary[] {
  const idx = list.findIndex((c) => c.id === incoming.id)
  const known = idx >= 0
  if (!matchesFilters(incoming, f, ctx, known)) {
    return known ? list.filter((c) => c.id !== incoming.id) : list
  }
  let next = { ...incoming }
  if (known) {
    const prev = list[idx]
    // Events can cross: keep the newer last message of the two.
    if (prev.last_message && (!next.last_message || activityTime(prev) > Date.parse(next.last_message.created_at))) {
      next.last_message = prev.last_message
    }
    // A post's caption fetched once stays when a later copy leaves it out.
    next.thread = mergeThread(prev.thread, next.thread)
  }
  if (ctx.openId === next.id) next = { ...next, unread: 0 }
  const rest = known ? list.filter((c) => c.id !== incoming.id) : list
  return sortConversations([next, ...rest])
}

export interface MessageCreatedResult {
  items: ConversationSummary[]
  /** The conversation is not listed: fetch it, then upsertConversation(). */
  unknownConversationId: string | null
}

/** A live message.created: move its conversation to the top and count it unread. */
export function applyMessageCreated(
  list: ConversationSummary[],
  msg: MessageCreatedEvent,
  ctx: ViewContext,
): MessageCreatedResult {
  if (!msg.conversation_id) return { items: list, unknownConversationId: null }
  const idx = list.findIndex((c) => c.id === msg.conversation_id)
  if (idx < 0) return { items: list, unknownConversationId: msg.conversation_id }
  const prev = list[idx]
  const newer = !prev.last_message || Date.parse(msg.created_at) >= Date.parse(prev.last_message.created_at)
  const bump = msg.direction === 'inbound' && msg.kind !== 'note' && ctx.openId !== prev.id
  const updated: ConversationSummary = {
    ...prev,
    last_message: newer
      ? { body: msg.body, direction: msg.direction, created_at: msg.created_at }
      : prev.last_message,
    unread: ctx.openId === prev.id ? 0 : prev.unread + (bump ? 1 : 0),
    updated_at: newer && Date.parse(msg.created_at) > Date.parse(prev.updated_at) ? msg.created_at : prev.updated_at,
  }
  const rest = list.filter((c) => c.id !== prev.id)
  return { items: sortConversations([updated, ...rest]), unknownConversationId: null }
}

/** Zero the unread badge of a conversation (after POST /read). */
export function markReadLocal(list: ConversationSummary[], id: string): ConversationSummary[] {
  return list.map((c) => (c.id === id && c.unread !== 0 ? { ...c, unread: 0 } : c))
}

/** Append a page of older results, skipping ids already listed (live events may have added them). */
export function appendPage(list: ConversationSummary[], page: ConversationSummary[]): ConversationSummary[] {
  const seen = new Set(list.map((c) => c.id))
  return [...list, ...page.filter((c) => !seen.has(c.id))]
}

export function totalUnread(list: ConversationSummary[]): number {
  return list.reduce((n, c) => n + (c.unread > 0 ? c.unread : 0), 0)
}

/** "(3) CHATSPOT" while messages arrived with the tab hidden. */
export function titleWithBadge(base: string, count: number): string {
  return count > 0 ? `(${count > 99 ? '99+' : count}) ${base}` : base
}

/** Short relative time for list rows: "agora", "há 5 min", "ontem", then a date. */
export function relativeTime(iso: string, now: number, lang: string, nowLabel: string): string {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return ''
  const sec = Math.round((now - t) / 1000)
  if (sec < 45) return nowLabel
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'short' })
  const min = Math.round(sec / 60)
  if (min < 60) return rtf.format(-min, 'minute')
  const hours = Math.round(min / 60)
  if (hours < 24) return rtf.format(-hours, 'hour')
  const days = Math.round(hours / 24)
  if (days < 7) return rtf.format(-days, 'day')
  return new Intl.DateTimeFormat(lang, { day: '2-digit', month: '2-digit', year: days > 300 ? '2-digit' : undefined }).format(t)
}
