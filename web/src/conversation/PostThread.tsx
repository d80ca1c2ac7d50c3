// What a conversation is about, when it is a post's comments: a badge for
// the inbox list and the header, and the post's card above the messages.
import { useEffect, useState } from 'react'
import { api } from '../api/client'
import type { ChannelKindInfo, ConversationSummary, ConversationThread } from '../api/types'
import { useI18n } from '../i18n'
import { captionSnippet, conversationBadge, threadNeedsDetails } from './commentLogic'

/** "Comentário · “caption…”" on a post's comments, "Direct" on a private chat of a kind with comments, else nothing. */
export function ThreadBadge({ conversation, kinds }: { conversation: Pick<ConversationSummary, 'thread' | 'channel'>; kinds?: ChannelKindInfo[] }) {
  const { t } = useI18n()
  const badge = conversationBadge(conversation, kinds)
  if (!badge) return null
  if (badge === 'direct') {
    return (
      <span className="kind-badge kind-direct" data-testid="thread-badge" data-badge="direct">
        ✉ {t('thread.direct')}
      </span>
    )
  }
  const caption = conversation.thread?.caption
  const snippet = captionSnippet(caption)
  return (
    <span className="kind-badge kind-comment" data-testid="thread-badge" data-badge="comment" title={caption || undefined}>
      💬 {snippet ? t('thread.commentOn', { caption: snippet }) : t('thread.comment')}
    </span>
  )
}

export interface PostCardProps {
  conversationId: string
  thread: ConversationThread
  /** The post as GET /conversations/:id/thread answered it (asked once, when its caption and image are missing). */
  onThread: (thread: ConversationThread) => void
}

/** The post the comments are on: thumbnail, caption (clamped) and a link to it on Instagram. */
export function PostCard({ conversationId, thread, onThread }: PostCardProps) {
  const { t } = useI18n()
  const [loading, setLoading] = useState(() => threadNeedsDetails(thread))
  const [imageFailed, setImageFailed] = useState(false)

  useEffect(() => {
    if (!threadNeedsDetails(thread)) return
    let cancelled = false
    setLoading(true)
    api
      .conversationThread(conversationId)
      .then(
        (fetched) => {
          if (!cancelled) onThread(fetched)
        },
        // Instagram did not answer: the card keeps what it knows (the thread's kind).
        () => undefined,
      )
      .finally(() => {
        if (!cancelled) setLoading(false)
      })
    return () => {
      cancelled = true
    }
    // once per conversation: a post still without caption is not asked for again
  }, [conversationId])

  const label = t('thread.kind.post')
  return (
    <section className="post-card" data-testid="post-card" aria-label={label}>
      {thread.image_url && !imageFailed && (
        // Instagram's image addresses expire: a broken one is left out
        <img className="post-card-image" src={thread.image_url} alt={label} loading="lazy" onError={() => setImageFailed(true)} />
      )}
      <div className="post-card-body">
        <span className="post-card-kind">{label}</span>
        {thread.caption ? (
          <p className="post-card-caption" data-testid="post-caption" title={thread.caption}>
            {thread.caption}
          </p>
        ) : (
          loading && <p className="post-card-caption muted">{t('thread.loading')}</p>
        )}
        {thread.link && (
          <a className="post-card-link" href={thread.link} target="_blank" rel="noreferrer" data-testid="post-link">
            {t('thread.viewPost')} ↗
          </a>
        )}
      </div>
    </section>
  )
}
