// What a conversation is about, when it is a post's comments, a listing's
// questions or a LinkedIn member's conversation: a badge for the inbox list
// and the header, and the post's, listing's or profile's card above the
// messages.
import { useEffect, useState } from 'react'
import { api } from '../api/client'
import type { ChannelKindInfo, ConversationSummary, ConversationThread } from '../api/types'
import { useI18n } from '../i18n'
import { captionSnippet, conversationBadge, isAdThread, isListingThread, isProfileThread, threadNeedsDetails } from './commentLogic'

/**
 * "Comentário · “caption…”" on a post's comments, "Pergunta · “title…”" on a
 * listing's questions, "Direct" on a private chat of a kind with comments,
 * else nothing.
 */
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
  if (badge === 'question') {
    const title = conversation.thread?.title
    const snippet = captionSnippet(title)
    return (
      <span className="kind-badge kind-question" data-testid="thread-badge" data-badge="question" title={title || undefined}>
        ❓ {snippet ? t('thread.questionOn', { title: snippet }) : t('thread.question')}
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
  /** The post or listing as GET /conversations/:id/thread answered it (asked once, when its caption, title and image are missing). */
  onThread: (thread: ConversationThread) => void
}

/**
 * What the conversation is about, above its messages: a post (thumbnail,
 * caption clamped, a link to it on Instagram), a listing (photo, title,
 * price, a link to it on Mercado Livre) or a LinkedIn profile (name,
 * "headline · company", a link to it on LinkedIn).
 */
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
        // the provider did not answer: the card keeps what it knows (the thread's kind).
        () => undefined,
      )
      .finally(() => {
        if (!cancelled) setLoading(false)
      })
    return () => {
      cancelled = true
    }
    // once per conversation: a post or listing still without details is not asked for again
  }, [conversationId])

  if (isProfileThread(thread)) return <ProfileCard thread={thread} loading={loading} />
  if (isAdThread(thread)) return <AdCard thread={thread} />
  const listing = isListingThread(thread)
  const label = t(listing ? 'thread.kind.listing' : 'thread.kind.post')
  const known = listing ? thread.title || thread.caption : thread.caption
  return (
    <section className={`post-card${listing ? ' is-listing' : ''}`} data-testid="post-card" data-kind={thread.kind} aria-label={label}>
      {thread.image_url && !imageFailed && (
        // image addresses expire (Instagram's): a broken one is left out
        <img
          className="post-card-image"
          src={thread.image_url}
          alt={listing && thread.title ? thread.title : label}
          loading="lazy"
          onError={() => setImageFailed(true)}
        />
      )}
      <div className="post-card-body">
        <span className="post-card-kind">{label}</span>
        {listing && thread.title && (
          <p className="post-card-title" data-testid="post-title" title={thread.title}>
            {thread.title}
          </p>
        )}
        {thread.caption && listing && (
          <p className="post-card-price" data-testid="post-price">
            {thread.caption}
          </p>
        )}
        {thread.caption && !listing && (
          <p className="post-card-caption" data-testid="post-caption" title={thread.caption}>
            {thread.caption}
          </p>
        )}
        {!known && loading && <p className="post-card-caption muted">{t(listing ? 'thread.loadingListing' : 'thread.loading')}</p>}
        {thread.link && (
          <a className="post-card-link" href={thread.link} target="_blank" rel="noreferrer" data-testid="post-link">
            {t(listing ? 'thread.viewListing' : 'thread.viewPost')} ↗
          </a>
        )}
      </div>
    </section>
  )
}

/** An OLX ad: its number, all OLX's chat API tells of it (no title, photo or price). */
function AdCard({ thread }: { thread: ConversationThread }) {
  const { t } = useI18n()
  const label = t('thread.kind.ad')
  return (
    <section className="post-card is-ad" data-testid="post-card" data-kind={thread.kind} aria-label={label}>
      <div className="post-card-body">
        <span className="post-card-kind">{label}</span>
        <p className="post-card-title" data-testid="ad-title">
          {thread.title || thread.key}
        </p>
        <p className="post-card-caption muted">{t('thread.adNoDetails')}</p>
      </div>
    </section>
  )
}

/** A LinkedIn member: the name, "headline · company" as the last capture read them, and the profile on LinkedIn. */
function ProfileCard({ thread, loading }: { thread: ConversationThread; loading: boolean }) {
  const { t } = useI18n()
  const label = t('thread.kind.profile')
  return (
    <section className="post-card is-profile" data-testid="post-card" data-kind={thread.kind} aria-label={label}>
      <div className="post-card-body">
        <span className="post-card-kind">{label}</span>
        {thread.title && (
          <p className="post-card-title" data-testid="profile-name" title={thread.title}>
            {thread.title}
          </p>
        )}
        {thread.caption && (
          <p className="post-card-caption" data-testid="profile-headline" title={thread.caption}>
            {thread.caption}
          </p>
        )}
        {!thread.title && !thread.caption && loading && <p className="post-card-caption muted">{t('thread.loadingProfile')}</p>}
        {thread.link && (
          <a className="post-card-link" href={thread.link} target="_blank" rel="noopener noreferrer" data-testid="profile-link">
            {t('thread.viewProfile')} ↗
          </a>
        )}
      </div>
    </section>
  )
}
