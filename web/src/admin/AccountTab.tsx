// Account: the account-wide time zone (scheduled messages, the agenda, rule
// clocks) and business hours (what automation and distribution rules see
// through inBusinessHours()). users:manage reads and saves them.
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { AccountSettings } from '../api/types'
import { useI18n } from '../i18n'
import { useSession } from '../session'
import { adminApi } from './adminApi'
import { formErrors, NO_ERRORS } from './adminLogic'
import type { FormErrors } from './adminLogic'
import {
  ACCOUNT_FIELDS,
  ACCOUNT_WEEKDAYS,
  accountForm,
  accountPatch,
  gridProblems,
  setDay,
  timezoneOptions,
  WEEKDAY_LABEL,
} from './accountLogic'
import type { AccountForm } from './accountLogic'
import { FieldError, FormError, LoadState, useLoad } from './ui'

const loadAccount = () => adminApi.account()

export function AccountTab() {
  const { t } = useI18n()
  const loaded = useLoad(loadAccount)
  const data = loaded.data

  return (
    <section className="admin-section" data-testid="admin-account">
      <div className="admin-section-head">
        <h2>{t('admin.account.title')}</h2>
      </div>
      <LoadState loaded={loaded} />
      {data && <AccountSettingsForm settings={data} onSaved={(s) => loaded.setData(() => s)} />}
    </section>
  )
}

function AccountSettingsForm({ settings, onSaved }: { settings: AccountSettings; onSaved: (s: AccountSettings) => void }) {
  const { t } = useI18n()
  const { me, setMe } = useSession()
  const [form, setForm] = useState<AccountForm>(() => accountForm(settings))
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const [saved, setSaved] = useState(false)
  const [zones] = useState(() => timezoneOptions(form.timezone))
  const problems = gridProblems(form.days)

  function change(next: AccountForm) {
    setForm(next)
    setSaved(false)
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    setSaved(false)
    if (Object.keys(problems).length > 0) {
      setErrors({ fields: {}, top: t('admin.account.fixHours') })
      return
    }
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      const next = await adminApi.updateAccount(accountPatch(form))
      setForm(accountForm(next))
      setSaved(true)
      onSaved(next)
      // Dates across the app read the zone from the session.
      if (next.timezone && next.timezone !== me.account.timezone) setMe({ ...me, account: { ...me.account, timezone: next.timezone } })
    } catch (err) {
      setErrors(formErrors(err, ACCOUNT_FIELDS, t))
    }
    setBusy(false)
  }

  return (
    <form className="admin-form account-form" onSubmit={submit} noValidate data-testid="account-form">
      <FormError errors={errors} />
      {saved && (
        <p className="alert alert-ok" role="status" data-testid="account-saved">
          {t('admin.saved')}
        </p>
      )}
      <label className="field">
        {t('admin.account.timezone')}
        <select
          value={form.timezone}
          onChange={(e) => change({ ...form, timezone: e.target.value })}
          aria-invalid={errors.fields.timezone ? true : undefined}
          data-testid="account-timezone"
        >
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
        <span className="muted field-help">{t('admin.account.timezoneHelp')}</span>
        <FieldError errors={errors} field="timezone" />
      </label>

      <fieldset className="settings-box" data-testid="account-hours">
        <legend>{t('admin.account.hours')}</legend>
        <p className="muted field-help">{t('admin.account.hoursHelp')}</p>
        <FieldError errors={errors} field="business_hours" />
        <table className="hours-table account-hours">
          <thead>
            <tr>
              <th scope="col">{t('admin.account.day')}</th>
              <th scope="col">{t('admin.account.open')}</th>
              <th scope="col">{t('admin.account.opensAt')}</th>
              <th scope="col">{t('admin.account.closesAt')}</th>
            </tr>
          </thead>
          <tbody>
            {ACCOUNT_WEEKDAYS.map((d) => {
              const day = form.days[d]
              const name = t(WEEKDAY_LABEL[d])
              const problem = problems[d]
              const set = (patch: Partial<typeof day>) => change({ ...form, days: setDay(form.days, d, patch) })
              return (
                <tr key={d} className={day.open ? undefined : 'is-closed'} data-testid="account-day" data-day={d} data-open={day.open ? 'true' : 'false'}>
                  <th scope="row">{name}</th>
                  <td>
                    <input
                      type="checkbox"
                      checked={day.open}
                      onChange={(e) => set({ open: e.target.checked })}
                      aria-label={t('admin.account.openOn', { day: name })}
                      data-testid={`account-day-open-${d}`}
                    />
                  </td>
                  <td>
                    <input
                      type="time"
                      value={day.from}
                      disabled={!day.open}
                      onChange={(e) => set({ from: e.target.value })}
                      aria-label={t('admin.account.opens', { day: name })}
                      aria-invalid={problem ? true : undefined}
                      data-testid={`account-day-from-${d}`}
                    />
                  </td>
                  <td>
                    <input
                      type="time"
                      value={day.to}
                      disabled={!day.open}
                      onChange={(e) => set({ to: e.target.value })}
                      aria-label={t('admin.account.closes', { day: name })}
                      aria-invalid={problem ? true : undefined}
                      data-testid={`account-day-to-${d}`}
                    />
                    {problem && (
                      <span className="field-error" role="alert" data-testid="field-error" data-field={`business_hours.${d}`}>
                        {t(problem)}
                      </span>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </fieldset>

      <div className="modal-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="account-save">
          {busy ? t('admin.saving') : t('admin.save')}
        </button>
      </div>
    </form>
  )
}
