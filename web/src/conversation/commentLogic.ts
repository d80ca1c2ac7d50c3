// Pure logic of public comments (Instagram posts): which conversations are a
// post's comments, which messages are comments or private replies, what the
// composer sends in each reply mode.
import type { ChannelKindInfo, ConversationSummary, ConversationThread, Message, MessageKind } from '../api/types'
import { firstLine } from './messageLogic'

export function isPostThread(thread: ConversationThread | null | undefined): thread is ConversationThread {
  return thread?.kind === 'post'
}

/** A post whose caption and image are not known yet: GET /conversations/:id/thread fetches them. */
export function threadNeedsDetails(thread: ConversationThread | null | undefined): boolean {
  return isPostThread(thread) && !thread.caption && !thread.image_url
}

/**
 * A later copy of the thread (conversation.updated, an action's answer) may
 * not carry what GET /thread fetched: keep those fields for the same thread.
 */
export function mergeThread(
  prev: ConversationThread | null | undefined,
  next: ConversationThread | null | undefined,
): ConversationThread | null | undefined {
  if (next === undefined) return prev
  if (!prev || !next || prev.kind !== next.kind || prev.key !== next.key) return next
  return {
    ...next,
    caption: next.caption || prev.caption,
    image_url: next.image_url || prev.image_url,
    link: next.link || prev.link,
    media_type: next.media_type || prev.media_type,
    title: next.title || prev.title,
  }
}

/** A caption shortened for a badge: its first line, at most max characters, cut between words when it can. */
export function captionSnippet(caption: string | undefined, max = 40): string {
  const line = firstLine(caption ?? '')
  if (line.length <= max) return line
  const cut = line.slice(0, max - 1)
  const space = cut.lastIndexOf(' ')
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}

export type ConversationBadge = 'comment' | 'direct' | null

/**
 * What tells a conversation apart at a glance: a post's comments, or a
 * private conversation (Direct) on a kind that also carries comments; other
 * kinds have only private conversations and need no badge.
 */
export function conversationBadge(c: Pick<ConversationSummary, 'thread' | 'channel'>, kinds?: ChannelKindInfo[]): ConversationBadge {
  if (isPostThread(c.thread)) return 'comment'
  if (kinds?.find((k) => k.kind === c.channel.kind)?.capabilities?.comments) return 'direct'
  return null
}

/** The business's private answer (Direct) in a post's comment conversation. */
export function isPrivateReply(m: Message, conv: Pick<ConversationSummary, 'id' | 'thread'>): boolean {
  return isPostThread(conv.thread) && m.conversation_id === conv.id && m.direction === 'outbound' && m.kind === 'text'
}

/** A customer's comment still on Instagram: it can be answered, hidden or deleted. */
export function isModeratable(m: Message): boolean {
  return m.kind === 'comment' && m.direction === 'inbound' && !m.revoked_at
}

/** In a post's comment conversation the composer answers publicly (a comment) or privately (Direct). */
export type ReplyMode = 'public' | 'private'

/** The kind a send goes out as: a note is a note; a reply mode decides the rest (no mode: a plain chat). */
export function sendKind(note: boolean, mode: ReplyMode | null): MessageKind {
  if (note) return 'note'
  return mode === 'public' ? 'comment' : 'text'
}
