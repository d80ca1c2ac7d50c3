// Pure logic of the message thread: status ticks, merging pages and live
// events by id, and dividing the contact's history per ticket.
import type { Message, MessageStatus, MessageStatusChangedEvent } from '../api/types'

export type TickKind = 'clock' | 'sent' | 'delivered' | 'read' | 'failed'

export interface Tick {
  kind: TickKind
  /** i18n key of the accessible label. */
  label: 'tick.queued' | 'tick.sent' | 'tick.delivered' | 'tick.read' | 'tick.failed'
}

/** The tick shown on an outbound message; inbound messages and notes have none. */
export function statusTick(m: Pick<Message, 'direction' | 'kind' | 'status'>): Tick | null {
  if (m.direction !== 'outbound' || m.kind === 'note') return null
  switch (m.status) {
    case 'queued':
      return { kind: 'clock', label: 'tick.queued' }
    case 'sent':
      return { kind: 'sent', label: 'tick.sent' }
    case 'delivered':
      return { kind: 'delivered', label: 'tick.delivered' }
    case 'read':
      return { kind: 'read', label: 'tick.read' }
    case 'failed':
      return { kind: 'failed', label: 'tick.failed' }
    default:
      return null
  }
}

const STATUS_ORDER: Record<MessageStatus, number> = {
  received: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
}

/**
 * Delivery receipts can arrive out of order (read before delivered): never
 * move a message back, except that a retry takes a failed one back to queued.
 */
export function nextStatus(current: MessageStatus, incoming: MessageStatus): MessageStatus {
  if (current === 'failed') return incoming
  if (incoming === 'failed') return 'failed'
  return STATUS_ORDER[incoming] >= STATUS_ORDER[current] ? incoming : current
}

function byTime(a: Message, b: Message): number {
  return Date.parse(a.created_at) - Date.parse(b.created_at)
}

/**
 * Merge messages by id (the later copy wins, status never goes back), oldest
 * first. Pending files follow the later copy even when it leaves them out:
 * the server omits them once every file is stored.
 */
export function mergeMessages(list: Message[], incoming: Message[]): Message[] {
  const map = new Map(list.map((m) => [m.id, m]))
  for (const m of incoming) {
    const prev = map.get(m.id)
    map.set(m.id, prev ? { ...prev, ...m, pending_files: m.pending_files, status: nextStatus(prev.status, m.status) } : m)
  }
  return [...map.values()].sort(byTime)
}

/**
 * message.updated: the message's full view again replaces the one with its
 * id where it is (fields it leaves out, such as pending files now stored,
 * are gone); its status still never goes back. A message not loaded is left
 * out (it is older than the loaded history).
 */
export function replaceMessage(list: Message[], m: Message): Message[] {
  const i = list.findIndex((x) => x.id === m.id)
  if (i < 0) return list
  const next = list.slice()
  next[i] = { ...m, status: nextStatus(list[i].status, m.status) }
  return next
}

/** The first non-empty line of a text, for a quote. */
export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  )
}

export function applyStatusChange(list: Message[], ev: MessageStatusChangedEvent): Message[] {
  let changed = false
  const next = list.map((m) => {
    if (m.id !== ev.id) return m
    const status = nextStatus(m.status, ev.status)
    if (status === m.status && (ev.failure_reason ?? '') === (m.failure_reason ?? '')) return m
    changed = true
    return { ...m, status, failure_reason: status === 'failed' ? ev.failure_reason ?? '' : '' }
  })
  return changed ? next : list
}

export type ThreadItem =
  | { type: 'divider'; conversationId: string; ticket: number; at: string }
  | { type: 'message'; message: Message }

/** Insert a divider each time the history passes to another ticket (conversation). */
export function threadItems(messages: Message[]): ThreadItem[] {
  const out: ThreadItem[] = []
  let current: string | null = null
  let ticket = 0
  for (const m of messages) {
    if (m.conversation_id !== current) {
      current = m.conversation_id
      ticket++
      out.push({ type: 'divider', conversationId: m.conversation_id, ticket, at: m.created_at })
    }
    out.push({ type: 'message', message: m })
  }
  return out
}

export interface TicketSummary {
  conversationId: string
  startedAt: string
  lastAt: string
  count: number
}

/** The contact's tickets seen in the loaded history, newest first. */
export function tickets(messages: Message[]): TicketSummary[] {
  const map = new Map<string, TicketSummary>()
  for (const m of messages) {
    const t = map.get(m.conversation_id)
    if (!t) map.set(m.conversation_id, { conversationId: m.conversation_id, startedAt: m.created_at, lastAt: m.created_at, count: 1 })
    else {
      t.count++
      if (Date.parse(m.created_at) > Date.parse(t.lastAt)) t.lastAt = m.created_at
      if (Date.parse(m.created_at) < Date.parse(t.startedAt)) t.startedAt = m.created_at
    }
  }
  return [...map.values()].sort((a, b) => Date.parse(b.lastAt) - Date.parse(a.lastAt))
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** Temporal Web UI address of a workflow, or null when there is no UI to link to. */
export function workflowUrl(temporalUiUrl: string, namespace: string, workflowId: string): string | null {
  if (!temporalUiUrl || !namespace || !workflowId) return null
  const base = temporalUiUrl.replace(/\/+$/, '')
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`
}

/**
 * The kind of the channel a message of the contact's history came by: the
 * open conversation's for its own messages; for another ticket's, the one
 * kind all the contact's identities are on (a Mercado Livre buyer has only
 * that one); otherwise unknown.
 */
export function messageChannelKind(
  m: Pick<Message, 'conversation_id'>,
  conv: { id: string; channel: { kind: string }; contact: { identities?: { channel_kind: string }[] } },
): string | undefined {
  if (m.conversation_id === conv.id) return conv.channel.kind
  const kinds = new Set((conv.contact.identities ?? []).map((i) => i.channel_kind))
  return kinds.size === 1 ? [...kinds][0] : undefined
}
