// Scheduled messages of a card or of a conversation: the list (status, edit
// body and time, cancel) and the "schedule message" form. Kept current by
// scheduled_message.updated events.
import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import type { ScheduledMessage } from '../api/types'
import { useI18n } from '../i18n'
import { errorText } from '../format'
import { useStreamEvents } from '../session'
import { formatZoned, isNaiveInput, toZonedInput } from '../zonedTime'
import { crmApi } from './crmApi'
import { useAccountZone } from './useAccountZone'

export interface ConversationOption {
  id: string
  label: string
}

export interface ScheduledMessagesProps {
  /** Whose messages: a card's (with its linked conversations to pick from) or one conversation's. */
  cardId?: string
  conversations: ConversationOption[]
  /** Already loaded (the card detail has them); otherwise they are fetched. */
  initial?: ScheduledMessage[]
  canEdit: boolean
}

const bySendAt = (a: ScheduledMessage, b: ScheduledMessage) => a.send_at.localeCompare(b.send_at)

function upsert(list: ScheduledMessage[], m: ScheduledMessage): ScheduledMessage[] {
  return [...list.filter((x) => x.id !== m.id), m].sort(bySendAt)
}

export function ScheduledMessages({ cardId, conversations, initial, canEdit }: ScheduledMessagesProps) {
  const { t } = useI18n()
  const zone = useAccountZone()
  const [items, setItems] = useState<ScheduledMessage[]>(() => [...(initial ?? [])].sort(bySendAt))
  const [loadError, setLoadError] = useState<unknown>(null)
  const [editing, setEditing] = useState<string | null>(null)
  const [rowError, setRowError] = useState<string | null>(null)
  const conversationId = cardId ? undefined : conversations[0]?.id

  useEffect(() => {
    if (initial) return
    let cancelled = false
    crmApi.scheduled(cardId ? { card_id: cardId } : { conversation_id: conversationId }).then(
      (page) => {
        if (!cancelled) setItems([...page.items].sort(bySendAt))
      },
      (err) => {
        if (!cancelled) setLoadError(err)
      },
    )
    return () => {
      cancelled = true
    }
  }, [cardId, conversationId, initial])

  useStreamEvents((ev) => {
    if (ev.type !== 'scheduled_message.updated') return
    const m = ev.data
    const mine = cardId ? m.card_id === cardId : m.conversation_id === conversationId
    if (mine) setItems((list) => upsert(list, m))
  })

  async function cancel(m: ScheduledMessage) {
    setRowError(null)
    try {
      setItems((list) => upsert(list, { ...m, status: 'canceled' }))
      const updated = await crmApi.cancelScheduled(m.id)
      if (updated) setItems((list) => upsert(list, updated))
    } catch (err) {
      setItems((list) => upsert(list, m))
      setRowError(errorText(err, t))
    }
  }

  return (
    <div className="crm-scheduled" data-testid="scheduled-messages">
      {loadError != null && (
        <p className="field-error" role="alert">
          {errorText(loadError, t)}
        </p>
      )}
      {rowError && (
        <p className="field-error" role="alert" data-testid="scheduled-error">
          {rowError}
        </p>
      )}
      {items.length === 0 && !loadError && <p className="muted">{t('crm.scheduled.none')}</p>}
      <ul className="crm-list">
        {items.map((m) =>
          editing === m.id ? (
            <li key={m.id} className="crm-list-row">
              <ScheduleForm
                conversations={conversations}
                initial={m}
                onCancel={() => setEditing(null)}
                onSubmit={async (input) => {
                  // Only what changed: an untouched time keeps its seconds.
                  const patch: { body?: string; send_at?: string } = {}
                  if (input.body !== m.body) patch.body = input.body
                  if (input.send_at !== toZonedInput(m.send_at, zone)) patch.send_at = input.send_at
                  if (patch.body !== undefined || patch.send_at !== undefined) {
                    const updated = await crmApi.updateScheduled(m.id, patch)
                    setItems((list) => upsert(list, updated))
                  }
                  setEditing(null)
                }}
              />
            </li>
          ) : (
            <ScheduledRow
              key={m.id}
              m={m}
              conversationLabel={cardId && conversations.length > 1 ? conversations.find((c) => c.id === m.conversation_id)?.label : undefined}
              canEdit={canEdit}
              onEdit={() => setEditing(m.id)}
              onCancel={() => void cancel(m)}
            />
          ),
        )}
      </ul>
      {canEdit &&
        (conversations.length === 0 ? (
          <p className="muted">{t('crm.scheduled.noConversation')}</p>
        ) : (
          <ScheduleForm
            conversations={conversations}
            onSubmit={async (input) => {
              const created = await crmApi.schedule({ ...input, ...(cardId ? { card_id: cardId } : {}) })
              setItems((list) => upsert(list, created))
            }}
          />
        ))}
    </div>
  )
}

function ScheduledRow({
  m,
  conversationLabel,
  canEdit,
  onEdit,
  onCancel,
}: {
  m: ScheduledMessage
  conversationLabel?: string
  canEdit: boolean
  onEdit: () => void
  onCancel: () => void
}) {
  const { t, lang } = useI18n()
  const zone = useAccountZone()
  return (
    <li className="crm-list-row" data-testid="scheduled-row" data-id={m.id} data-status={m.status}>
      <div className="crm-list-main">
        <span className="crm-list-when">
          {formatZoned(m.send_at, lang, zone)}
          <span className={`pill sched-${m.status}`} data-testid="scheduled-status">
            {t(`crm.scheduled.status.${m.status}`)}
          </span>
        </span>
        <span className="crm-list-body" data-testid="scheduled-body">
          {m.body}
        </span>
        {conversationLabel && <span className="muted">{conversationLabel}</span>}
        {m.status === 'failed' && m.failure_reason && <span className="field-error">{m.failure_reason}</span>}
      </div>
      {canEdit && m.status === 'scheduled' && (
        <span className="row-actions">
          <button type="button" className="btn btn-ghost btn-xs" onClick={onEdit} data-testid="scheduled-edit">
            {t('admin.edit')}
          </button>
          <button type="button" className="btn btn-ghost btn-xs btn-danger-text" onClick={onCancel} data-testid="scheduled-cancel">
            {t('crm.scheduled.cancel')}
          </button>
        </span>
      )}
    </li>
  )
}

interface ScheduleInput {
  conversation_id: string
  body: string
  send_at: string
}

function ScheduleForm({
  conversations,
  initial,
  onSubmit,
  onCancel,
}: {
  conversations: ConversationOption[]
  initial?: ScheduledMessage
  onSubmit: (input: ScheduleInput) => Promise<void>
  onCancel?: () => void
}) {
  const { t } = useI18n()
  const zone = useAccountZone()
  const [conversationId, setConversationId] = useState(initial?.conversation_id ?? conversations[0]?.id ?? '')
  const [body, setBody] = useState(initial?.body ?? '')
  const [sendAt, setSendAt] = useState(initial ? toZonedInput(initial.send_at, zone) : '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const editing = !!initial

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!body.trim()) return setError(t('crm.scheduled.bodyRequired'))
    if (!isNaiveInput(sendAt)) return setError(t('crm.scheduled.timeRequired'))
    setBusy(true)
    setError(null)
    try {
      // The time goes as typed: the server reads it in the account's zone.
      await onSubmit({ conversation_id: conversationId, body: body.trim(), send_at: sendAt })
      if (!editing) {
        setBody('')
        setSendAt('')
      }
    } catch (err) {
      setError(errorText(err, t))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="crm-subform" onSubmit={submit} noValidate data-testid={editing ? 'scheduled-edit-form' : 'schedule-form'}>
      {!editing && conversations.length > 1 && (
        <label className="field">
          {t('crm.scheduled.conversation')}
          <select value={conversationId} onChange={(e) => setConversationId(e.target.value)} data-testid="schedule-conversation">
            {conversations.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="field">
        {t('crm.scheduled.body')}
        <textarea rows={2} value={body} onChange={(e) => setBody(e.target.value)} data-testid={editing ? 'scheduled-edit-body' : 'schedule-body'} />
      </label>
      <label className="field">
        {t('crm.scheduled.when')}
        <input type="datetime-local" value={sendAt} onChange={(e) => setSendAt(e.target.value)} data-testid={editing ? 'scheduled-edit-at' : 'schedule-at'} />
      </label>
      {error && (
        <p className="field-error" role="alert" data-testid="schedule-error">
          {error}
        </p>
      )}
      <div className="crm-subform-actions">
        {onCancel && (
          <button type="button" className="btn btn-ghost btn-xs" onClick={onCancel}>
            {t('admin.cancel')}
          </button>
        )}
        <button type="submit" className="btn btn-primary btn-xs" disabled={busy} data-testid={editing ? 'scheduled-edit-save' : 'schedule-submit'}>
          {editing ? t('admin.save') : t('crm.scheduled.schedule')}
        </button>
      </div>
    </form>
  )
}
