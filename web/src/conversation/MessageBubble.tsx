import { useState } from 'react'
import type { ReactNode } from 'react'
import type { Message } from '../api/types'
import { hasKey, useI18n } from '../i18n'
import type { MessageKey } from '../i18n'
import { errorText, formatDateTime, formatTime } from '../format'
import { firstLine, formatSize, statusTick } from './messageLogic'
import { EmailCc, EmailFullMessage, EmailSubject } from './EmailParts'
import type { TickKind } from './messageLogic'

function TickIcon({ kind }: { kind: TickKind }) {
  switch (kind) {
    case 'clock':
      return (
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
        </svg>
      )
    case 'sent':
      return (
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      )
    case 'delivered':
    case 'read':
      return (
        <svg viewBox="0 0 20 16" width="17" height="14" aria-hidden="true">
          <path d="M1.5 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" />
          <path d="M8 11.5l7-7" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" />
          <path d="M6.5 10l1.5 1.5" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" />
        </svg>
      )
    case 'failed':
      return (
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M8 4v5" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
          <circle cx="8" cy="11.6" r="1" fill="#fff" />
        </svg>
      )
  }
}

export interface MessageBubbleProps {
  message: Message
  onRetry?: (m: Message) => Promise<void>
  canRetry?: boolean
  /** The message this one answers, when it is in the loaded history (null: it is not). */
  replyTo?: Message | null
  /** The customer's name, to name them in a quote of their message. */
  contactName?: string
  /** Scroll to a message of the thread (a quote's target). */
  onJump?: (id: string) => void
  /** The business's private answer (Direct) in a post's comment conversation. */
  privateReply?: boolean
  /** Actions under the message (a comment's: answer, hide, delete). */
  actions?: ReactNode
  /** E-mail: show the message's subject (the thread view shows the first of a thread, or a changed one); default: when it has one. */
  showSubject?: boolean
  /** The kind of the channel the message came by, when known: a removal is told in its words ("Removida pelo Mercado Livre"). */
  channelKind?: string
}

/** Who removed a revoked message, in the channel kind's words when it has them ("message.revoked.<kind>"). */
function revokedKeys(comment: boolean, kind: string | undefined): { label: MessageKey; at: MessageKey } {
  if (comment) return { label: 'message.commentDeleted', at: 'message.commentDeletedAt' }
  const label = `message.revoked.${kind}`
  const at = `message.revokedAt.${kind}`
  if (kind && hasKey(label) && hasKey(at)) return { label, at }
  return { label: 'message.revoked', at: 'message.revokedAt' }
}

/** "Comentário público" / "Resposta privada (Direct)" above a comment or a private reply to one. */
function CommentLabel({ kind }: { kind: 'comment' | 'private_reply' }) {
  const { t } = useI18n()
  return (
    <div className={`bubble-label label-${kind}`} data-testid="message-label" data-label={kind}>
      {kind === 'comment' ? `💬 ${t('message.comment')}` : `✉ ${t('message.privateReply')}`}
    </div>
  )
}

/** The answered message as a compact quote: who wrote it and its first line. */
function ReplyQuote({ message: q, contactName, onJump }: { message: Message; contactName?: string; onJump?: (id: string) => void }) {
  const { t } = useI18n()
  const author = q.direction === 'inbound' && q.kind !== 'note' ? contactName || t('message.customer') : (q.author?.name ?? t('message.system'))
  const text = firstLine(q.body) || q.attachments[0]?.name || q.pending_files?.[0]?.name || t('inbox.attachment')
  const content = (
    <>
      <span className="reply-quote-author">{author}</span>
      <span className="reply-quote-text">{text}</span>
    </>
  )
  if (!onJump) {
    return (
      <div className="reply-quote" data-testid="reply-quote" data-reply-to={q.id}>
        {content}
      </div>
    )
  }
  return (
    <button type="button" className="reply-quote" data-testid="reply-quote" data-reply-to={q.id} title={t('message.replyJump')} onClick={() => onJump(q.id)}>
      {content}
    </button>
  )
}

export function MessageBubble({ message: m, onRetry, canRetry, replyTo, contactName, onJump, privateReply, actions, showSubject, channelKind }: MessageBubbleProps) {
  const { t, lang } = useI18n()
  const [retrying, setRetrying] = useState(false)
  const [retryError, setRetryError] = useState<string | null>(null)
  const tick = statusTick(m)
  const side = m.kind === 'note' ? 'note' : m.direction === 'inbound' ? 'in' : 'out'
  const pending = m.pending_files ?? []
  const comment = m.kind === 'comment'
  const subject = (showSubject ?? true) ? m.subject?.trim() : ''
  const cc = (m.cc ?? []).filter((a) => a.trim() !== '')
  const classes = ['bubble', `bubble-${side}`, m.status === 'failed' && 'is-failed', m.revoked_at && 'is-revoked', comment && 'bubble-comment', m.hidden_at && 'is-hidden']
    .filter(Boolean)
    .join(' ')

  async function retry() {
    if (!onRetry || retrying) return
    setRetrying(true)
    setRetryError(null)
    try {
      await onRetry(m)
    } catch (err) {
      setRetryError(errorText(err, t))
    } finally {
      setRetrying(false)
    }
  }

  return (
    <div className={`bubble-row row-${side}`}>
      <div
        className={classes}
        data-testid="message-bubble"
        data-id={m.id}
        data-direction={m.direction}
        data-kind={m.kind}
        data-status={m.status}
        data-revoked={m.revoked_at ? 'true' : undefined}
        data-hidden={m.hidden_at ? 'true' : undefined}
      >
        {(comment || privateReply) && <CommentLabel kind={comment ? 'comment' : 'private_reply'} />}
        {(m.kind === 'note' || (m.direction === 'outbound' && m.author)) && (
          <div className="bubble-author">
            {m.kind === 'note' && <span className="note-label">🔒 {t('message.note')} · </span>}
            {m.author?.name ?? t('message.system')}
          </div>
        )}
        {m.reply_to_id &&
          (replyTo ? (
            <ReplyQuote message={replyTo} contactName={contactName} onJump={onJump} />
          ) : (
            <div className="reply-quote is-missing" data-testid="reply-quote" data-reply-to={m.reply_to_id} data-missing="true">
              <span className="reply-quote-text">{t('message.replyEarlier')}</span>
            </div>
          ))}
        {subject && <EmailSubject subject={subject} />}
        {cc.length > 0 && <EmailCc cc={cc} />}
        {m.revoked_at && (
          <div
            className="revoked-marker"
            data-testid="revoked-marker"
            title={t(revokedKeys(comment, channelKind).at, { time: formatDateTime(m.revoked_at, lang) })}
          >
            🚫 {t(revokedKeys(comment, channelKind).label)}
          </div>
        )}
        {m.hidden_at && !m.revoked_at && (
          <div className="hidden-marker" data-testid="hidden-marker" title={t('message.hiddenAt', { time: formatDateTime(m.hidden_at, lang) })}>
            🙈 {t('message.hidden')}
          </div>
        )}
        {m.body && (m.revoked_at ? <del className="bubble-body">{m.body}</del> : <div className="bubble-body">{m.body}</div>)}
        {m.html && <EmailFullMessage message={m} initiallyOpen={!(m.body ?? '').trim()} />}
        {m.attachments.length > 0 && (
          <ul className="attachments">
            {m.attachments.map((a) => (
              <li key={a.id}>
                {a.content_type.startsWith('image/') ? (
                  <a href={a.url} target="_blank" rel="noreferrer" title={t('message.download', { name: a.name })}>
                    <img src={a.url} alt={a.name} className="attachment-image" loading="lazy" />
                  </a>
                ) : (
                  <a className="attachment-file" href={a.url} target="_blank" rel="noreferrer" download={a.name}>
                    📎 {a.name} <span className="muted">({formatSize(a.size)})</span>
                  </a>
                )}
              </li>
            ))}
          </ul>
        )}
        {pending.length > 0 && (
          <ul className="pending-files">
            {pending.map((f, i) => (
              <li key={`${i}-${f.name}`} className={`pending-file is-${f.status}`} data-testid="pending-file" data-status={f.status}>
                <span aria-hidden="true">{f.status === 'failed' ? '⚠' : '⏳'}</span>
                <span className="pending-file-name">{f.name || t('inbox.attachment')}</span>
                <span className="pending-file-state">
                  {f.status === 'failed'
                    ? f.error
                      ? t('message.fileFailedReason', { reason: f.error })
                      : t('message.fileFailed')
                    : t('message.fileDownloading')}
                </span>
              </li>
            ))}
          </ul>
        )}
        <div className="bubble-meta">
          {m.edited_at && (
            <span className="edited-marker" data-testid="edited-marker" title={t('message.editedAt', { time: formatDateTime(m.edited_at, lang) })}>
              {t('message.edited')}
            </span>
          )}
          <time dateTime={m.created_at}>{formatTime(m.created_at, lang)}</time>
          {tick && (
            <span
              className={`tick tick-${tick.kind}`}
              data-testid="status-tick"
              data-status={m.status}
              title={t(tick.label)}
              role="img"
              aria-label={t(tick.label)}
            >
              <TickIcon kind={tick.kind} />
            </span>
          )}
        </div>
        {m.status === 'failed' && m.direction === 'outbound' && (
          <div className="bubble-failure" data-testid="message-failure">
            <span>{m.failure_reason ? t('message.failedReason', { reason: m.failure_reason }) : t('message.failedUnknown')}</span>
            {canRetry && onRetry && (
              <button
                type="button"
                className="btn btn-danger btn-xs"
                data-testid="message-retry"
                onClick={retry}
                disabled={retrying}
              >
                {t('message.retry')}
              </button>
            )}
            {retryError && <span className="retry-error">{retryError}</span>}
          </div>
        )}
        {actions}
      </div>
    </div>
  )
}
