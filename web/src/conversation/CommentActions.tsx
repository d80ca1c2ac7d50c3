// What an agent may do with a customer's comment on a post: answer it (the
// composer quotes it), hide or show it on Instagram, delete it (after asking);
// and with a buyer's question on a listing: pick it as the one answered.
import { useState } from 'react'
import type { Message } from '../api/types'
import { useI18n } from '../i18n'
import { errorText } from '../format'
import { ConfirmDialog } from '../admin/ui'

export interface CommentActionsProps {
  message: Message
  /** Answer this comment with the next send; absent for comments of another ticket. */
  onReply?: (m: Message) => void
  /** POST /messages/:id/hide; rejects with the server's problem. */
  onHide: (m: Message, hidden: boolean) => Promise<void>
  /** DELETE /messages/:id; rejects with the server's problem. */
  onDelete: (m: Message) => Promise<void>
}

export function CommentActions({ message: m, onReply, onHide, onDelete }: CommentActionsProps) {
  const { t } = useI18n()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [confirming, setConfirming] = useState(false)

  async function toggleHidden() {
    setBusy(true)
    setError(null)
    try {
      await onHide(m, !m.hidden_at)
    } catch (err) {
      setError(t('action.failed', { detail: errorText(err, t) }))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="comment-actions" data-testid="comment-actions">
      {onReply && (
        <button type="button" className="btn btn-link btn-xs" data-testid="comment-reply" onClick={() => onReply(m)}>
          ↩ {t('comment.reply')}
        </button>
      )}
      <button type="button" className="btn btn-link btn-xs" data-testid="comment-hide" disabled={busy} onClick={() => void toggleHidden()}>
        {m.hidden_at ? t('comment.show') : t('comment.hide')}
      </button>
      <button type="button" className="btn btn-link btn-xs comment-delete" data-testid="comment-delete" disabled={busy} onClick={() => setConfirming(true)}>
        {t('comment.delete')}
      </button>
      {error && (
        <span className="comment-action-error" role="alert" data-testid="comment-action-error">
          {error}
        </span>
      )}
      {confirming && (
        <ConfirmDialog
          title={t('comment.deleteTitle')}
          message={
            <>
              <p>{t('comment.deleteConfirm')}</p>
              <blockquote className="confirm-quote">{m.body}</blockquote>
            </>
          }
          confirmLabel={t('comment.delete')}
          onConfirm={async () => {
            await onDelete(m)
            setConfirming(false)
          }}
          onCancel={() => setConfirming(false)}
        />
      )}
    </div>
  )
}

/** A buyer's question on a listing: the agent picks it as the one the next answer answers (else the latest is). */
export function QuestionActions({ message: m, onReply }: { message: Message; onReply: (m: Message) => void }) {
  const { t } = useI18n()
  return (
    <div className="comment-actions" data-testid="question-actions">
      <button type="button" className="btn btn-link btn-xs" data-testid="question-reply" onClick={() => onReply(m)}>
        ↩ {t('question.reply')}
      </button>
    </div>
  )
}
