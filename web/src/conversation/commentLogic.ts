// Pure logic of public threads: an Instagram post's comments and a Mercado
// Livre listing's questions. Which conversations are such a thread, which
// messages are comments or private replies, what the composer sends in each
// reply mode.
import type { ChannelKindInfo, ConversationSummary, ConversationThread, Message, MessageKind } from '../api/types'
import { firstLine } from './messageLogic'

export function isPostThread(thread: ConversationThread | null | undefined): thread is ConversationThread {
  return thread?.kind === 'post'
}

/** A Mercado Livre listing's questions (one buyer's, on one listing). */
export function isListingThread(thread: ConversationThread | null | undefined): boolean {
  return thread?.kind === 'listing'
}

/** A LinkedIn member's conversation (key: the profile's URL; title the name, caption "headline · company"). */
export function isProfileThread(thread: ConversationThread | null | undefined): boolean {
  return thread?.kind === 'profile'
}

/** An OLX ad's chat (key: ad:<list id>:<chat id>; title "Anúncio <list id>", all OLX's chat API says of it). */
export function isAdThread(thread: ConversationThread | null | undefined): boolean {
  return thread?.kind === 'ad'
}

/** A thread shown as a card above the messages: a post, a listing, a profile or an ad. */
export function hasThreadCard(thread: ConversationThread | null | undefined): thread is ConversationThread {
  return isPostThread(thread) || isListingThread(thread) || isProfileThread(thread) || isAdThread(thread)
}

/** A post, listing or profile whose caption, title and image are not known yet: GET /conversations/:id/thread fetches them. */
export function threadNeedsDetails(thread: ConversationThread | null | undefined): boolean {
  return hasThreadCard(thread) && !thread.caption && !thread.image_url && !thread.title
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

export type ConversationBadge = 'comment' | 'question' | 'direct' | null

/**
 * What tells a conversation apart at a glance: a post's comments, a
 * listing's questions, or a private conversation (Direct) on a kind that
 * also carries comments; other kinds have only private conversations and
 * need no badge.
 */
export function conversationBadge(c: Pick<ConversationSummary, 'thread' | 'channel'>, kinds?: ChannelKindInfo[]): ConversationBadge {
  if (isPostThread(c.thread)) return 'comment'
  if (isListingThread(c.thread)) return 'question'
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

/** A buyer's question still on the listing: the agent may pick it as the one the next answer answers. */
export function isAnswerable(m: Message): boolean {
  return m.direction === 'inbound' && m.kind !== 'note' && !m.revoked_at
}

/**
 * The questions already answered: those an outbound message not failed
 * names as the one it answers (ours, or the seller's on Mercado Livre's own
 * site). Each question is answered once.
 */
export function answeredQuestions(messages: Message[]): Set<string> {
  const out = new Set<string>()
  for (const m of messages) if (m.direction === 'outbound' && m.kind !== 'note' && m.status !== 'failed' && m.reply_to_id) out.add(m.reply_to_id)
  return out
}

/** In a post's comment conversation the composer answers publicly (a comment) or privately (Direct). */
export type ReplyMode = 'public' | 'private'

/** The kind a send goes out as: a note is a note; a reply mode decides the rest (no mode: a plain chat). */
export function sendKind(note: boolean, mode: ReplyMode | null): MessageKind {
  if (note) return 'note'
  return mode === 'public' ? 'comment' : 'text'
}
