// The smaller parts of the card drawer: linked conversations, the stage's
// quick replies, notes and history.
import { useState } from 'react'
import type { FormEvent, MouseEvent } from 'react'
import type { CardConversation, CardEvent, CardNote, StageQuickReply } from '../api/types'
import { hasKey, useI18n } from '../i18n'
import { channelGlyph, errorText } from '../format'
import { conversationPath, navigate } from '../router'
import { formatZoned } from '../zonedTime'
import { crmApi } from './crmApi'
import { useAccountZone } from './useAccountZone'

export function LinkedConversations({ conversations }: { conversations: CardConversation[] }) {
  const { t } = useI18n()
  if (conversations.length === 0) return <p className="muted">{t('crm.card.noConversations')}</p>
  function go(e: MouseEvent, id: string) {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    navigate(conversationPath(id))
  }
  return (
    <ul className="crm-list" data-testid="card-conversations">
      {conversations.map((c) => (
        <li key={c.id} className="crm-list-row" data-testid="card-conversation" data-id={c.id}>
          <span className={`channel-badge static ch-${c.channel_kind}`}>{channelGlyph(c.channel_kind)}</span>
          <span className="crm-list-main">
            <a href={conversationPath(c.id)} onClick={(e) => go(e, c.id)} data-testid="card-conversation-link">
              {c.channel_name}
            </a>
            <span className="crm-inline">
              <span className={`status-pill st-${c.status}`}>{hasKey(`status.${c.status}`) ? t(`status.${c.status}`) : c.status}</span>
              {c.tags.map((tag) => (
                <span key={tag} className="tag tag-sm tag-conv">
                  {tag}
                </span>
              ))}
            </span>
          </span>
        </li>
      ))}
    </ul>
  )
}

/** The stage's quick replies: one click sends the text to the card's conversation. */
export function StageReplies({ cardId, replies, conversations }: { cardId: string; replies: StageQuickReply[]; conversations: CardConversation[] }) {
  const { t } = useI18n()
  const [target, setTarget] = useState(conversations[0]?.id ?? '')
  const [busy, setBusy] = useState<string | null>(null)
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null)
  if (replies.length === 0) return <p className="muted">{t('crm.replies.none')}</p>

  async function send(reply: StageQuickReply) {
    setBusy(reply.id)
    setResult(null)
    try {
      const sent = await crmApi.sendStageReply(cardId, reply.id, target || undefined)
      setResult({ ok: true, text: sent.body })
    } catch (err) {
      setResult({ ok: false, text: errorText(err, t) })
    } finally {
      setBusy(null)
    }
  }

  return (
    <div data-testid="stage-replies">
      {conversations.length > 1 && (
        <label className="compact-select crm-reply-target">
          {t('crm.replies.to')}{' '}
          <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="stage-reply-target">
            {conversations.map((c) => (
              <option key={c.id} value={c.id}>
                {c.channel_name}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="crm-reply-buttons">
        {replies.map((r) => (
          <button
            key={r.id}
            type="button"
            className="btn btn-ghost btn-sm"
            title={r.text}
            disabled={busy !== null}
            onClick={() => void send(r)}
            data-testid="stage-reply-send"
            data-id={r.id}
          >
            {r.title}
          </button>
        ))}
      </div>
      {result && (
        <div className={`alert ${result.ok ? 'alert-ok' : 'alert-error'}`} role={result.ok ? 'status' : 'alert'} data-testid="stage-reply-result" data-ok={result.ok}>
          {result.ok ? t('crm.replies.sent', { body: result.text }) : result.text}
        </div>
      )}
    </div>
  )
}

const newestFirst = <T extends { created_at: string }>(list: T[]) => [...list].sort((a, b) => b.created_at.localeCompare(a.created_at))

export function Notes({ cardId, initial, canEdit }: { cardId: string; initial: CardNote[]; canEdit: boolean }) {
  const { t, lang } = useI18n()
  const zone = useAccountZone()
  const [notes, setNotes] = useState(() => newestFirst(initial))
  const [body, setBody] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  async function add(e: FormEvent) {
    e.preventDefault()
    if (!body.trim()) return
    setBusy(true)
    setError(null)
    try {
      const note = await crmApi.addNote(cardId, body.trim())
      setNotes((list) => newestFirst([...list, note]))
      setBody('')
    } catch (err) {
      setError(errorText(err, t))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div data-testid="card-notes">
      {canEdit && (
        <form className="crm-subform" onSubmit={add} noValidate>
          <textarea
            rows={2}
            aria-label={t('crm.notes.new')}
            placeholder={t('crm.notes.placeholder')}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            data-testid="card-note-input"
          />
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <div className="crm-subform-actions">
            <button type="submit" className="btn btn-primary btn-xs" disabled={busy || !body.trim()} data-testid="card-note-add">
              {t('crm.notes.add')}
            </button>
          </div>
        </form>
      )}
      {notes.length === 0 && <p className="muted">{t('crm.notes.none')}</p>}
      <ul className="crm-list">
        {notes.map((n) => (
          <li key={n.id} className="crm-note" data-testid="card-note">
            <div className="crm-note-head muted">
              <strong>{n.author_name}</strong> · {formatZoned(n.created_at, lang, zone)}
            </div>
            <div className="crm-note-body">{n.body}</div>
          </li>
        ))}
      </ul>
    </div>
  )
}

export function History({ events }: { events: CardEvent[] }) {
  const { t, lang } = useI18n()
  const zone = useAccountZone()
  if (events.length === 0) return <p className="muted">{t('crm.history.none')}</p>
  return (
    <ul className="crm-list crm-history" data-testid="card-history">
      {newestFirst(events).map((ev) => {
        const key = `crm.event.${ev.kind}`
        const statusKey = `crm.cardStatus.${ev.detail}`
        const detail = ev.kind === 'status' && hasKey(statusKey) ? t(statusKey) : ev.detail
        return (
          <li key={ev.id} className="crm-list-row" data-testid="card-event" data-kind={ev.kind}>
            <span className="crm-list-main">
              <span>
                <strong>{hasKey(key) ? t(key) : ev.kind}</strong>
                {detail && <span> — {detail}</span>}
              </span>
              <span className="muted">
                {ev.actor_name ? `${ev.actor_name} · ` : ''}
                {formatZoned(ev.created_at, lang, zone)}
              </span>
            </span>
          </li>
        )
      })}
    </ul>
  )
}
