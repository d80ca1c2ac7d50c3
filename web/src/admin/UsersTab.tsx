// Users: the account's people, their profile, capacity and state; create,
// edit, activate/deactivate and reset a password.
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { AdminUser, Profile, Team } from '../api/types'
import { useI18n } from '../i18n'
import { useSession } from '../session'
import { adminApi } from './adminApi'
import { byId, formErrors, mergeUser, NO_ERRORS, passwordLooksWeak, userEditForm, userPatch } from './adminLogic'
import type { FormErrors, UserEditForm } from './adminLogic'
import { ConfirmDialog, DateCell, Dialog, FieldError, FormError, LoadState, useLoad } from './ui'

interface UsersData {
  users: AdminUser[]
  profiles: Profile[]
  teams: Team[]
}

async function loadUsers(): Promise<UsersData> {
  const [users, profiles, teams] = await Promise.all([adminApi.users(), adminApi.profiles(), adminApi.teams()])
  return { users: users.items, profiles: profiles.items, teams: teams.items }
}

type Modal =
  | { kind: 'create' }
  | { kind: 'edit'; user: AdminUser }
  | { kind: 'password'; user: AdminUser }
  | { kind: 'active'; user: AdminUser }
  | null

export function UsersTab() {
  const { t } = useI18n()
  const { me } = useSession()
  const loaded = useLoad(loadUsers)
  const [modal, setModal] = useState<Modal>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const data = loaded.data

  const profiles = byId(data?.profiles ?? [])
  const teams = byId(data?.teams ?? [])

  function replaceUser(u: AdminUser) {
    loaded.setData((d) => (d ? { ...d, users: mergeUser(d.users, u) } : d))
  }

  return (
    <section className="admin-section" data-testid="admin-users">
      <div className="admin-section-head">
        <h2>{t('admin.users.title')}</h2>
        {data && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setModal({ kind: 'create' })} data-testid="user-create-open">
            {t('admin.users.new')}
          </button>
        )}
      </div>
      {notice && (
        <div className="alert alert-ok" role="status" data-testid="admin-notice">
          {notice}
        </div>
      )}
      <LoadState loaded={loaded} />
      {data && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th>{t('admin.users.name')}</th>
                <th>{t('admin.users.email')}</th>
                <th>{t('admin.users.profile')}</th>
                <th>{t('admin.users.active')}</th>
                <th>{t('admin.users.status')}</th>
                <th className="num">{t('admin.users.capacity')}</th>
                <th>{t('admin.users.lastLogin')}</th>
                <th>{t('admin.users.teams')}</th>
                <th>
                  <span className="sr-only">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.users.map((u) => (
                <tr key={u.id} data-testid="user-row" data-id={u.id} data-active={u.active} className={u.active ? '' : 'is-inactive'}>
                  <td>
                    {u.name}
                    {u.id === me.user.id && <span className="pill pill-info">{t('admin.you')}</span>}
                  </td>
                  <td>{u.email}</td>
                  <td>{profiles.get(u.profile_id)?.name ?? u.profile_id}</td>
                  <td>
                    <span className={`pill ${u.active ? 'pill-ok' : 'pill-off'}`} data-testid="user-active">
                      {u.active ? t('admin.users.isActive') : t('admin.users.isInactive')}
                    </span>
                  </td>
                  <td>
                    <span className={`presence-inline presence-${u.status}`}>
                      <span className="presence-dot" aria-hidden="true" />
                      {t(`presence.${u.status}`)}
                    </span>
                  </td>
                  <td className="num">{u.capacity}</td>
                  <td>
                    <DateCell iso={u.last_login_at} />
                  </td>
                  <td>
                    <span className="tag-list">
                      {u.team_ids.map((id) => (
                        <span className="tag tag-sm" key={id}>
                          {teams.get(id)?.name ?? id}
                        </span>
                      ))}
                    </span>
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-ghost btn-xs" onClick={() => setModal({ kind: 'edit', user: u })} data-testid="user-edit">
                      {t('admin.edit')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-xs"
                      onClick={() => setModal({ kind: 'password', user: u })}
                      data-testid="user-reset-password"
                    >
                      {t('admin.users.resetPassword')}
                    </button>
                    {u.id !== me.user.id && (
                      <button
                        type="button"
                        className="btn btn-ghost btn-xs"
                        onClick={() => setModal({ kind: 'active', user: u })}
                        data-testid="user-toggle-active"
                      >
                        {u.active ? t('admin.users.deactivate') : t('admin.users.activate')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.users.length === 0 && <p className="empty">{t('admin.users.empty')}</p>}
        </div>
      )}

      {data && modal?.kind === 'create' && (
        <Dialog title={t('admin.users.new')} onClose={() => setModal(null)} testId="user-create-dialog">
          <CreateUserForm
            profiles={data.profiles}
            onCancel={() => setModal(null)}
            onCreated={(u) => {
              loaded.setData((d) => (d ? { ...d, users: [...d.users, u].sort((a, b) => a.name.localeCompare(b.name)) } : d))
              setNotice(t('admin.users.created', { name: u.name }))
              setModal(null)
            }}
          />
        </Dialog>
      )}
      {data && modal?.kind === 'edit' && (
        <Dialog title={t('admin.users.editTitle', { name: modal.user.name })} onClose={() => setModal(null)} testId="user-edit-dialog">
          <EditUserForm
            user={modal.user}
            profiles={data.profiles}
            isSelf={modal.user.id === me.user.id}
            onCancel={() => setModal(null)}
            onSaved={(u) => {
              replaceUser(u)
              setModal(null)
            }}
          />
        </Dialog>
      )}
      {modal?.kind === 'password' && (
        <Dialog title={t('admin.users.resetTitle', { name: modal.user.name })} onClose={() => setModal(null)} testId="user-reset-dialog">
          <ResetPasswordForm
            user={modal.user}
            onCancel={() => setModal(null)}
            onDone={() => {
              setNotice(t('admin.users.passwordReset', { name: modal.user.name }))
              setModal(null)
            }}
          />
        </Dialog>
      )}
      {modal?.kind === 'active' && (
        <ConfirmDialog
          title={modal.user.active ? t('admin.users.deactivateTitle', { name: modal.user.name }) : t('admin.users.activateTitle', { name: modal.user.name })}
          message={modal.user.active ? t('admin.users.deactivateWarning') : t('admin.users.activateInfo')}
          confirmLabel={modal.user.active ? t('admin.users.deactivate') : t('admin.users.activate')}
          danger={modal.user.active}
          onCancel={() => setModal(null)}
          onConfirm={async () => {
            const u = await adminApi.updateUser(modal.user.id, { active: !modal.user.active })
            replaceUser(u)
            setModal(null)
          }}
        />
      )}
    </section>
  )
}

function defaultProfileId(profiles: Profile[]): string {
  return (profiles.find((p) => p.builtin_key === 'agent') ?? profiles[profiles.length - 1])?.id ?? ''
}

const CREATE_FIELDS = ['name', 'email', 'password', 'profile_id', 'capacity']

export function CreateUserForm({
  profiles,
  onCreated,
  onCancel,
}: {
  profiles: Profile[]
  onCreated: (u: AdminUser) => void
  onCancel: () => void
}) {
  const { t } = useI18n()
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [profileId, setProfileId] = useState(() => defaultProfileId(profiles))
  const [capacity, setCapacity] = useState('5')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)

  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      const u = await adminApi.createUser({
        name: name.trim(),
        email: email.trim(),
        password,
        profile_id: profileId,
        capacity: Number(capacity),
      })
      onCreated(u)
    } catch (err) {
      setErrors(formErrors(err, CREATE_FIELDS, t))
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} className="admin-form" data-testid="user-create-form">
      <FormError errors={errors} />
      <label className="field">
        {t('admin.users.name')}
        <input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" data-testid="user-name" />
        <FieldError errors={errors} field="name" />
      </label>
      <label className="field">
        {t('admin.users.email')}
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="off" data-testid="user-email" />
        <FieldError errors={errors} field="email" />
      </label>
      <label className="field">
        {t('admin.users.password')}
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          autoComplete="new-password"
          data-testid="user-password"
        />
        <PasswordHint password={password} />
        <FieldError errors={errors} field="password" />
      </label>
      <div className="field-row">
        <label className="field">
          {t('admin.users.profile')}
          <select value={profileId} onChange={(e) => setProfileId(e.target.value)} data-testid="user-profile">
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <FieldError errors={errors} field="profile_id" />
        </label>
        <label className="field">
          {t('admin.users.capacity')}
          <input
            type="number"
            min={1}
            max={100}
            value={capacity}
            onChange={(e) => setCapacity(e.target.value)}
            required
            data-testid="user-capacity"
          />
          <FieldError errors={errors} field="capacity" />
        </label>
      </div>
      <p className="muted field-help">{t('admin.users.capacityHelp')}</p>
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="user-create-submit">
          {busy ? t('admin.saving') : t('admin.users.create')}
        </button>
      </div>
    </form>
  )
}

function PasswordHint({ password }: { password: string }) {
  const { t } = useI18n()
  const weak = password !== '' && passwordLooksWeak(password)
  return <span className={`field-help ${weak ? 'is-warn' : 'muted'}`}>{t('admin.users.passwordRule')}</span>
}

const EDIT_FIELDS = ['name', 'profile_id', 'capacity', 'active']

function EditUserForm({
  user,
  profiles,
  isSelf,
  onSaved,
  onCancel,
}: {
  user: AdminUser
  profiles: Profile[]
  isSelf: boolean
  onSaved: (u: AdminUser) => void
  onCancel: () => void
}) {
  const { t } = useI18n()
  const [form, setForm] = useState<UserEditForm>(() => userEditForm(user))
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)

  async function submit(e: FormEvent) {
    e.preventDefault()
    const patch = userPatch(user, form)
    if (Object.keys(patch).length === 0) {
      onCancel()
      return
    }
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      onSaved(await adminApi.updateUser(user.id, patch))
    } catch (err) {
      setErrors(formErrors(err, EDIT_FIELDS, t))
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} className="admin-form" data-testid="user-edit-form">
      <FormError errors={errors} />
      <p className="muted">{user.email}</p>
      <label className="field">
        {t('admin.users.name')}
        <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required data-testid="user-edit-name" />
        <FieldError errors={errors} field="name" />
      </label>
      <div className="field-row">
        <label className="field">
          {t('admin.users.profile')}
          <select
            value={form.profile_id}
            onChange={(e) => setForm({ ...form, profile_id: e.target.value })}
            disabled={isSelf}
            title={isSelf ? t('admin.users.ownProfile') : undefined}
            data-testid="user-edit-profile"
          >
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <FieldError errors={errors} field="profile_id" />
        </label>
        <label className="field">
          {t('admin.users.capacity')}
          <input
            type="number"
            min={1}
            max={100}
            value={form.capacity}
            onChange={(e) => setForm({ ...form, capacity: e.target.value })}
            required
            data-testid="user-edit-capacity"
          />
          <FieldError errors={errors} field="capacity" />
        </label>
      </div>
      {isSelf && <p className="muted field-help">{t('admin.users.ownProfile')}</p>}
      <FieldError errors={errors} field="active" />
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="user-edit-submit">
          {busy ? t('admin.saving') : t('admin.save')}
        </button>
      </div>
    </form>
  )
}

function ResetPasswordForm({ user, onDone, onCancel }: { user: AdminUser; onDone: () => void; onCancel: () => void }) {
  const { t } = useI18n()
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)

  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      await adminApi.resetPassword(user.id, password)
      onDone()
    } catch (err) {
      setErrors(formErrors(err, ['password'], t))
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} className="admin-form" data-testid="user-reset-form">
      <FormError errors={errors} />
      <p className="alert alert-warn">{t('admin.users.resetWarning')}</p>
      <label className="field">
        {t('admin.users.newPassword')}
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          autoComplete="new-password"
          data-testid="user-new-password"
        />
        <PasswordHint password={password} />
        <FieldError errors={errors} field="password" />
      </label>
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="user-reset-submit">
          {busy ? t('admin.saving') : t('admin.users.resetPassword')}
        </button>
      </div>
    </form>
  )
}
