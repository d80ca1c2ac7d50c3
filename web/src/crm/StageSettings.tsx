// One stage in the pipeline settings: name, entry message, stale days, order,
// delete (moving its cards elsewhere) and the stage's quick replies.
import { useState } from 'react'
import type { FormEvent } from 'react'
import { ApiError } from '../api/client'
import type { Stage, StageQuickReply } from '../api/types'
import { useI18n } from '../i18n'
import { errorText } from '../format'
import { ConfirmDialog, Dialog } from '../admin/ui'
import { crmApi } from './crmApi'
import { ENTRY_VARIABLES } from './crmLogic'

export interface StageSettingsProps {
  stage: Stage
  index: number
  others: Stage[]
  isFirst: boolean
  isLast: boolean
  onMove: (dir: -1 | 1) => Promise<void>
  /** Saved, deleted or its replies changed: load the pipeline again. */
  onChanged: () => void
}

export function StageSettings({ stage, index, others, isFirst, isLast, onMove, onChanged }: StageSettingsProps) {
  const { t } = useI18n()
  const [name, setName] = useState(stage.name)
  const [entry, setEntry] = useState(stage.entry_message)
  const [stale, setStale] = useState(String(stage.stale_days))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const staleDays = /^\d+$/.test(stale.trim()) ? Number(stale.trim()) : null
  const dirty = name.trim() !== stage.name || entry !== stage.entry_message || staleDays !== stage.stale_days

  async function save(e: FormEvent) {
    e.preventDefault()
    if (!name.trim()) return setError(t('crm.nameRequired'))
    if (staleDays === null) return setError(t('crm.stage.staleInvalid'))
    setBusy(true)
    setError(null)
    try {
      const input: { name?: string; entry_message?: string; stale_days?: number } = {}
      if (name.trim() !== stage.name) input.name = name.trim()
      if (entry !== stage.entry_message) input.entry_message = entry
      if (staleDays !== stage.stale_days) input.stale_days = staleDays
      await crmApi.updateStage(stage.id, input)
      setSaved(true)
      onChanged()
    } catch (err) {
      setError(errorText(err, t))
    } finally {
      setBusy(false)
    }
  }

  const edit = <T,>(setter: (v: T) => void) => (v: T) => {
    setter(v)
    setSaved(false)
  }

  return (
    <li className="crm-stage admin-card" data-testid="stage-settings" data-id={stage.id} data-index={index}>
      <div className="crm-stage-head">
        <span className="rule-order">{index + 1}</span>
        <strong className="crm-stage-name">{stage.name}</strong>
        <span className="muted">{t('crm.stage.cards', { n: stage.card_count })}</span>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-xs" disabled={isFirst} onClick={() => void onMove(-1)} aria-label={t('crm.stage.up', { name: stage.name })} data-testid="stage-up">
          ↑
        </button>
        <button type="button" className="btn btn-ghost btn-xs" disabled={isLast} onClick={() => void onMove(1)} aria-label={t('crm.stage.down', { name: stage.name })} data-testid="stage-down">
          ↓
        </button>
        <button type="button" className="btn btn-ghost btn-xs btn-danger-text" onClick={() => setDeleting(true)} data-testid="stage-delete">
          {t('admin.delete')}
        </button>
      </div>
      <form className="admin-form" onSubmit={save} noValidate>
        <div className="field-row">
          <label className="field">
            {t('crm.stage.name')}
            <input value={name} onChange={(e) => edit(setName)(e.target.value)} data-testid="stage-name" />
          </label>
          <label className="field">
            {t('crm.stage.staleDays')}
            <input type="number" min={0} step={1} value={stale} onChange={(e) => edit(setStale)(e.target.value)} data-testid="stage-stale-days" />
            <span className="muted field-help">{t('crm.stage.staleHelp')}</span>
          </label>
        </div>
        <label className="field">
          {t('crm.stage.entryMessage')}
          <textarea rows={3} value={entry} onChange={(e) => edit(setEntry)(e.target.value)} data-testid="stage-entry-message" />
          <span className="muted field-help">
            {t('crm.stage.entryHelp')}{' '}
            {ENTRY_VARIABLES.map((v) => (
              <code key={v} className="crm-var">
                {v}
              </code>
            ))}
          </span>
        </label>
        {error && (
          <p className="field-error" role="alert" data-testid="stage-error">
            {error}
          </p>
        )}
        <div className="crm-subform-actions">
          {saved && !dirty && (
            <span className="ok-text" role="status" data-testid="stage-saved">
              {t('admin.saved')}
            </span>
          )}
          <button type="submit" className="btn btn-primary btn-sm" disabled={busy || !dirty} data-testid="stage-save">
            {busy ? t('admin.saving') : t('admin.save')}
          </button>
        </div>
      </form>
      <StageReplyEditor stageId={stage.id} replies={stage.quick_replies ?? []} onChanged={onChanged} />
      {deleting && <DeleteStageDialog stage={stage} others={others} onCancel={() => setDeleting(false)} onDeleted={onChanged} />}
    </li>
  )
}

/** Delete a stage; when it has cards, ask where they go (move_to). */
export function DeleteStageDialog({ stage, others, onCancel, onDeleted }: { stage: Stage; others: Stage[]; onCancel: () => void; onDeleted: () => void }) {
  const { t } = useI18n()
  // The server may know of cards the count missed: a 409 asks for a target too.
  const [needsTarget, setNeedsTarget] = useState(stage.card_count > 0)
  const [target, setTarget] = useState(others[0]?.id ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  if (!needsTarget) {
    return (
      <ConfirmDialog
        title={t('crm.stage.deleteTitle', { name: stage.name })}
        message={t('crm.stage.deleteWarning')}
        confirmLabel={t('admin.delete')}
        onCancel={onCancel}
        onConfirm={async () => {
          try {
            await crmApi.deleteStage(stage.id)
          } catch (err) {
            if (err instanceof ApiError && err.status === 409 && others.length > 0) {
              setNeedsTarget(true)
              setError(errorText(err, t))
              return
            }
            throw err
          }
          onDeleted()
        }}
      />
    )
  }

  async function confirm() {
    if (!target) return
    setBusy(true)
    setError(null)
    try {
      await crmApi.deleteStage(stage.id, target)
      onDeleted()
    } catch (err) {
      setError(errorText(err, t))
      setBusy(false)
    }
  }

  return (
    <Dialog title={t('crm.stage.deleteTitle', { name: stage.name })} onClose={onCancel} testId="stage-delete-dialog">
      <p className="confirm-message">{t('crm.stage.hasCards', { n: stage.card_count })}</p>
      {others.length === 0 ? (
        <p className="alert alert-warn">{t('crm.stage.noTarget')}</p>
      ) : (
        <label className="field">
          {t('crm.stage.moveTo')}
          <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="stage-move-to">
            {others.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {error && (
        <div className="alert alert-error" role="alert" data-testid="confirm-error">
          {error}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel} data-testid="confirm-cancel">
          {t('admin.cancel')}
        </button>
        <button type="button" className="btn btn-danger" onClick={confirm} disabled={busy || !target} data-testid="confirm-ok">
          {t('crm.stage.moveAndDelete')}
        </button>
      </div>
    </Dialog>
  )
}

function StageReplyEditor({ stageId, replies, onChanged }: { stageId: string; replies: StageQuickReply[]; onChanged: () => void }) {
  const { t } = useI18n()
  const [editing, setEditing] = useState<string | null>(null) // a reply id, or "new"
  const [error, setError] = useState<string | null>(null)

  async function attempt(action: () => Promise<unknown>) {
    setError(null)
    try {
      await action()
      setEditing(null)
      onChanged()
    } catch (err) {
      setError(errorText(err, t))
    }
  }

  return (
    <div className="crm-stage-replies" data-testid="stage-replies-editor">
      <h4>{t('crm.replies.heading')}</h4>
      {replies.length === 0 && editing !== 'new' && <p className="muted">{t('crm.replies.none')}</p>}
      <ul className="crm-list">
        {replies.map((r) =>
          editing === r.id ? (
            <li key={r.id}>
              <ReplyForm initial={r} onCancel={() => setEditing(null)} onSubmit={(title, text) => attempt(() => crmApi.updateStageReply(r.id, title, text))} />
            </li>
          ) : (
            <li key={r.id} className="crm-list-row" data-testid="stage-reply-row" data-id={r.id}>
              <span className="crm-list-main">
                <strong>{r.title}</strong>
                <span className="muted quick-reply-text">{r.text}</span>
              </span>
              <span className="row-actions">
                <button type="button" className="btn btn-ghost btn-xs" onClick={() => setEditing(r.id)} data-testid="stage-reply-edit">
                  {t('admin.edit')}
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-xs btn-danger-text"
                  onClick={() => void attempt(() => crmApi.deleteStageReply(r.id))}
                  data-testid="stage-reply-delete"
                >
                  {t('admin.delete')}
                </button>
              </span>
            </li>
          ),
        )}
      </ul>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {editing === 'new' ? (
        <ReplyForm onCancel={() => setEditing(null)} onSubmit={(title, text) => attempt(() => crmApi.createStageReply(stageId, title, text))} />
      ) : (
        <button type="button" className="btn btn-link btn-sm" onClick={() => setEditing('new')} data-testid="stage-reply-new">
          + {t('crm.replies.add')}
        </button>
      )}
    </div>
  )
}

function ReplyForm({ initial, onSubmit, onCancel }: { initial?: StageQuickReply; onSubmit: (title: string, text: string) => Promise<void>; onCancel: () => void }) {
  const { t } = useI18n()
  const [title, setTitle] = useState(initial?.title ?? '')
  const [text, setText] = useState(initial?.text ?? '')
  const [busy, setBusy] = useState(false)
  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!title.trim() || !text.trim()) return
    setBusy(true)
    await onSubmit(title.trim(), text)
    setBusy(false)
  }
  return (
    <form className="crm-subform" onSubmit={submit} noValidate data-testid="stage-reply-form">
      <input aria-label={t('crm.replies.replyTitle')} placeholder={t('crm.replies.replyTitle')} value={title} onChange={(e) => setTitle(e.target.value)} data-testid="stage-reply-title" />
      <textarea rows={2} aria-label={t('crm.replies.text')} placeholder={t('crm.replies.text')} value={text} onChange={(e) => setText(e.target.value)} data-testid="stage-reply-text" />
      <div className="crm-subform-actions">
        <button type="button" className="btn btn-ghost btn-xs" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="submit" className="btn btn-primary btn-xs" disabled={busy || !title.trim() || !text.trim()} data-testid="stage-reply-save">
          {t('admin.save')}
        </button>
      </div>
    </form>
  )
}
