// The card's editable fields: title, value (BRL), priority, due time,
// assignees, tags and custom fields. Saving sends only what changed.
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { Agent, CardDetail, CardPriority } from '../api/types'
import { useI18n } from '../i18n'
import { FieldError, FormError } from '../admin/ui'
import { NO_ERRORS, formErrors } from '../admin/adminLogic'
import type { FormErrors } from '../admin/adminLogic'
import { crmApi } from './crmApi'
import { CARD_PRIORITIES, cardFormErrors, cardPatch, cardToForm } from './crmLogic'
import type { CardForm } from './crmLogic'

const FIELDS = ['title', 'value_cents', 'priority', 'due_at', 'assignee_ids', 'tags', 'custom_fields']

export interface CardEditFormProps {
  card: CardDetail
  users: Agent[]
  timeZone: string
  readOnly: boolean
  onSaved: (card: CardDetail) => void
}

export function CardEditForm({ card, users, timeZone, readOnly, onSaved }: CardEditFormProps) {
  const { t } = useI18n()
  const [form, setForm] = useState<CardForm>(() => cardToForm(card, timeZone))
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const [saved, setSaved] = useState(false)
  const patch = cardPatch(card, form, timeZone)
  // An unreadable value is not in the patch, but saving must still say why it cannot.
  const dirty = Object.keys(patch).length > 0 || cardFormErrors(form).length > 0
  const set = (p: Partial<CardForm>) => {
    setForm((f) => ({ ...f, ...p }))
    setSaved(false)
  }

  // Assignees the user list does not know (deactivated) stay selectable.
  const people = [...users]
  for (const id of card.assignee_ids) if (!people.some((u) => u.id === id)) people.push({ id, name: id, email: '', role: '', status: 'offline' })

  async function submit(e: FormEvent) {
    e.preventDefault()
    const local = cardFormErrors(form)
    if (local.length > 0) {
      setErrors({
        fields: Object.fromEntries(local.map((f) => [f === 'value' ? 'value_cents' : f, t(f === 'value' ? 'crm.money.invalid' : 'crm.card.titleRequired')])),
        top: null,
      })
      return
    }
    if (Object.keys(patch).length === 0) return
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      const updated = await crmApi.updateCard(card.id, patch)
      setForm(cardToForm(updated, timeZone))
      setSaved(true)
      onSaved(updated)
    } catch (err) {
      setErrors(formErrors(err, FIELDS, t))
    } finally {
      setBusy(false)
    }
  }

  const toggleAssignee = (id: string, on: boolean) =>
    set({ assignee_ids: on ? [...form.assignee_ids, id] : form.assignee_ids.filter((x) => x !== id) })

  return (
    <form className="admin-form crm-card-form" onSubmit={submit} noValidate data-testid="crm-card-form">
      <FormError errors={errors} />
      <fieldset disabled={readOnly} className="crm-fieldset">
        <label className="field">
          {t('crm.card.title')}
          <input value={form.title} onChange={(e) => set({ title: e.target.value })} data-testid="crm-card-edit-title" />
          <FieldError errors={errors} field="title" />
        </label>
        <div className="field-row">
          <label className="field">
            {t('crm.card.value')}
            <input
              value={form.value}
              inputMode="decimal"
              placeholder={t('crm.money.placeholder')}
              onChange={(e) => set({ value: e.target.value })}
              data-testid="crm-card-edit-value"
            />
            <FieldError errors={errors} field="value_cents" />
          </label>
          <label className="field">
            {t('filter.priority')}
            <select value={form.priority} onChange={(e) => set({ priority: e.target.value as CardPriority })} data-testid="crm-card-edit-priority">
              {CARD_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {t(`priority.${p}`)}
                </option>
              ))}
            </select>
            <FieldError errors={errors} field="priority" />
          </label>
        </div>
        <label className="field">
          {t('crm.card.due')}
          <span className="crm-inline">
            <input type="datetime-local" value={form.due} onChange={(e) => set({ due: e.target.value })} data-testid="crm-card-edit-due" />
            {form.due && (
              <button type="button" className="btn btn-link btn-sm" onClick={() => set({ due: '' })} data-testid="crm-card-clear-due">
                {t('crm.card.clearDue')}
              </button>
            )}
          </span>
          <span className="muted field-help">{t('crm.timeZoneHelp', { zone: timeZone })}</span>
          <FieldError errors={errors} field="due_at" />
        </label>
        <fieldset className="member-picker">
          <legend>{t('crm.card.assignees')}</legend>
          <div className="member-options crm-assignees">
            {people.length === 0 && <p className="muted">{t('contact.none')}</p>}
            {people.map((u) => (
              <label key={u.id} className="check">
                <input
                  type="checkbox"
                  checked={form.assignee_ids.includes(u.id)}
                  onChange={(e) => toggleAssignee(u.id, e.target.checked)}
                  data-testid="crm-card-assignee"
                  data-id={u.id}
                />
                {u.name}
              </label>
            ))}
          </div>
          <FieldError errors={errors} field="assignee_ids" />
        </fieldset>
        <label className="field">
          {t('crm.card.tags')}
          <input value={form.tags} onChange={(e) => set({ tags: e.target.value })} placeholder={t('crm.card.tagsPlaceholder')} data-testid="crm-card-edit-tags" />
          <FieldError errors={errors} field="tags" />
        </label>
        <fieldset className="member-picker">
          <legend>{t('crm.card.customFields')}</legend>
          {form.fields.map((row, i) => (
            <div key={i} className="crm-kv-row" data-testid="crm-card-field-row">
              <input
                aria-label={t('crm.card.fieldKey')}
                placeholder={t('crm.card.fieldKey')}
                value={row.key}
                onChange={(e) => set({ fields: form.fields.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)) })}
                data-testid="crm-card-field-key"
              />
              <input
                aria-label={t('crm.card.fieldValue')}
                placeholder={t('crm.card.fieldValue')}
                value={row.value}
                onChange={(e) => set({ fields: form.fields.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)) })}
                data-testid="crm-card-field-value"
              />
              <button
                type="button"
                className="chip-x"
                aria-label={t('crm.card.removeField')}
                onClick={() => set({ fields: form.fields.filter((_, j) => j !== i) })}
              >
                ×
              </button>
            </div>
          ))}
          <button type="button" className="btn btn-link btn-sm" onClick={() => set({ fields: [...form.fields, { key: '', value: '' }] })} data-testid="crm-card-field-add">
            + {t('crm.card.addField')}
          </button>
          <FieldError errors={errors} field="custom_fields" />
        </fieldset>
      </fieldset>
      {!readOnly && (
        <div className="modal-actions">
          {saved && !dirty && (
            <span className="ok-text" role="status" data-testid="crm-card-saved">
              {t('admin.saved')}
            </span>
          )}
          <button type="submit" className="btn btn-primary btn-sm" disabled={busy || !dirty} data-testid="crm-card-save">
            {busy ? t('admin.saving') : t('admin.save')}
          </button>
        </div>
      )}
    </form>
  )
}
