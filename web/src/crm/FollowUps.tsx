// A card's follow-ups: a title and a time; mark done, delete, add.
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { FollowUp } from '../api/types'
import { useI18n } from '../i18n'
import { errorText } from '../format'
import { formatZoned, isNaiveInput } from '../zonedTime'
import { crmApi } from './crmApi'
import { isOverdue } from './crmLogic'
import { useAccountZone } from './useAccountZone'

const byDue = (a: FollowUp, b: FollowUp) => Number(a.done) - Number(b.done) || a.due_at.localeCompare(b.due_at)

export function FollowUps({ cardId, initial, canEdit }: { cardId: string; initial: FollowUp[]; canEdit: boolean }) {
  const { t, lang } = useI18n()
  const zone = useAccountZone()
  const [items, setItems] = useState<FollowUp[]>(() => [...initial].sort(byDue))
  const [title, setTitle] = useState('')
  const [due, setDue] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const replace = (f: FollowUp) => setItems((list) => [...list.filter((x) => x.id !== f.id), f].sort(byDue))

  async function attempt(action: () => Promise<void>) {
    setError(null)
    try {
      await action()
    } catch (err) {
      setError(errorText(err, t))
    }
  }

  async function add(e: FormEvent) {
    e.preventDefault()
    if (!title.trim()) return setError(t('crm.followUp.titleRequired'))
    if (!isNaiveInput(due)) return setError(t('crm.followUp.timeRequired'))
    setBusy(true)
    await attempt(async () => {
      replace(await crmApi.addFollowUp(cardId, title.trim(), due))
      setTitle('')
      setDue('')
    })
    setBusy(false)
  }

  return (
    <div data-testid="follow-ups">
      {items.length === 0 && <p className="muted">{t('crm.followUp.none')}</p>}
      <ul className="crm-list">
        {items.map((f) => (
          <li key={f.id} className={`crm-list-row ${f.done ? 'is-done' : ''}`} data-testid="follow-up-row" data-id={f.id} data-done={f.done}>
            <label className="check crm-list-main">
              <input
                type="checkbox"
                checked={f.done}
                disabled={!canEdit}
                onChange={(e) => {
                  const done = e.target.checked
                  // The answer's body is not promised: fall back to what was asked.
                  void attempt(async () => replace((await crmApi.updateFollowUp(f.id, { done })) ?? { ...f, done }))
                }}
                data-testid="follow-up-done"
                aria-label={t('crm.followUp.done')}
              />
              <span>
                <span className="crm-list-body">{f.title}</span>
                <br />
                <span className={`muted ${!f.done && isOverdue({ due_at: f.due_at, status: 'open' }) ? 'is-overdue' : ''}`}>
                  {formatZoned(f.due_at, lang, zone)}
                </span>
              </span>
            </label>
            {canEdit && (
              <button
                type="button"
                className="btn btn-ghost btn-xs btn-danger-text"
                onClick={() =>
                  void attempt(async () => {
                    await crmApi.deleteFollowUp(f.id)
                    setItems((list) => list.filter((x) => x.id !== f.id))
                  })
                }
                data-testid="follow-up-delete"
              >
                {t('admin.delete')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {error && (
        <p className="field-error" role="alert" data-testid="follow-up-error">
          {error}
        </p>
      )}
      {canEdit && (
        <form className="crm-subform crm-inline-form" onSubmit={add} noValidate data-testid="follow-up-form">
          <input aria-label={t('crm.followUp.title')} placeholder={t('crm.followUp.title')} value={title} onChange={(e) => setTitle(e.target.value)} data-testid="follow-up-title" />
          <input type="datetime-local" aria-label={t('crm.followUp.when')} value={due} onChange={(e) => setDue(e.target.value)} data-testid="follow-up-at" />
          <button type="submit" className="btn btn-primary btn-xs" disabled={busy} data-testid="follow-up-add">
            {t('crm.followUp.add')}
          </button>
        </form>
      )}
    </div>
  )
}
