import { useState } from 'react'
import type { Message } from '../api/types'
import { useI18n } from '../i18n'
import { errorText, formatTime } from '../format'
import { formatSize, statusTick } from './messageLogic'
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
}

export function MessageBubble({ message: m, onRetry, canRetry }: MessageBubbleProps) {
  const { t, lang } = useI18n()
  const [retrying, setRetrying] = useState(false)
  const [retryError, setRetryError] = useState<string | null>(null)
  const tick = statusTick(m)
  const side = m.kind === 'note' ? 'note' : m.direction === 'inbound' ? 'in' : 'out'

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
        className={`bubble bubble-${side} ${m.status === 'failed' ? 'is-failed' : ''}`}
        data-testid="message-bubble"
        data-id={m.id}
        data-direction={m.direction}
        data-kind={m.kind}
        data-status={m.status}
      >
        {(m.kind === 'note' || (m.direction === 'outbound' && m.author)) && (
          <div className="bubble-author">
            {m.kind === 'note' && <span className="note-label">🔒 {t('message.note')} · </span>}
            {m.author?.name ?? t('message.system')}
          </div>
        )}
        {m.body && <div className="bubble-body">{m.body}</div>}
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
        <div className="bubble-meta">
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
      </div>
    </div>
  )
}
