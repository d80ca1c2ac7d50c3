// Profiles & permissions: the built-in Admin is read-only; Manager, Agent and
// custom profiles are edited with the permission grid. Custom ones can be
// created and deleted.
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { AdminUser, Profile, ProfileList } from '../api/types'
import { useI18n } from '../i18n'
import { adminApi } from './adminApi'
import { formErrors, gridToPerms, NO_ERRORS, permsToGrid } from './adminLogic'
import type { FormErrors, PermissionGrid as Grid } from './adminLogic'
import { PermissionGrid } from './PermissionGrid'
import { ConfirmDialog, FieldError, FormError, LoadState, useLoad } from './ui'

interface ProfilesData {
  list: ProfileList
  users: AdminUser[]
}

async function loadProfiles(): Promise<ProfilesData> {
  const [list, users] = await Promise.all([adminApi.profiles(), adminApi.users()])
  return { list, users: users.items }
}

/** null = nothing selected, 'new' = the create form. */
type Selection = string | 'new' | null

export function ProfilesTab() {
  const { t } = useI18n()
  const loaded = useLoad(loadProfiles)
  const [selected, setSelected] = useState<Selection>(null)
  const data = loaded.data
  const profile = data && selected && selected !== 'new' ? data.list.items.find((p) => p.id === selected) ?? null : null

  function usersOf(id: string): number {
    return data?.users.filter((u) => u.profile_id === id).length ?? 0
  }

  return (
    <section className="admin-section" data-testid="admin-profiles">
      <div className="admin-section-head">
        <h2>{t('admin.profiles.title')}</h2>
        {data && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setSelected('new')} data-testid="profile-new">
            {t('admin.profiles.new')}
          </button>
        )}
      </div>
      <LoadState loaded={loaded} />
      {data && (
        <div className="profiles-layout">
          <ul className="profile-list">
            {data.list.items.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className={`profile-item${p.id === selected ? ' is-selected' : ''}`}
                  onClick={() => setSelected(p.id)}
                  data-testid="profile-row"
                  data-id={p.id}
                  data-builtin={p.builtin_key ?? ''}
                >
                  <span className="profile-item-name">{p.name}</span>
                  <span className="muted profile-item-meta">
                    {p.builtin_key ? t('admin.profiles.builtin') : t('admin.profiles.custom')} · {t('admin.profiles.userCount', { n: usersOf(p.id) })}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <div className="profile-editor-pane">
            {selected === 'new' ? (
              <ProfileEditor
                key="new"
                profile={null}
                all={data.list.all_permissions}
                onSaved={(p) => {
                  loaded.setData((d) => (d ? { ...d, list: { ...d.list, items: [...d.list.items, p] } } : d))
                  setSelected(p.id)
                }}
                onDeleted={() => undefined}
                onCancel={() => setSelected(null)}
              />
            ) : profile ? (
              <ProfileEditor
                key={profile.id}
                profile={profile}
                all={data.list.all_permissions}
                onSaved={(p) => loaded.setData((d) => (d ? { ...d, list: { ...d.list, items: d.list.items.map((x) => (x.id === p.id ? p : x)) } } : d))}
                onDeleted={(id) => {
                  loaded.setData((d) => (d ? { ...d, list: { ...d.list, items: d.list.items.filter((x) => x.id !== id) } } : d))
                  setSelected(null)
                }}
                onCancel={() => setSelected(null)}
              />
            ) : (
              <p className="empty">{t('admin.profiles.pick')}</p>
            )}
          </div>
        </div>
      )}
    </section>
  )
}

const PROFILE_FIELDS = ['name', 'permissions']

export function ProfileEditor({
  profile,
  all,
  onSaved,
  onDeleted,
  onCancel,
}: {
  profile: Profile | null
  all: string[]
  onSaved: (p: Profile) => void
  onDeleted: (id: string) => void
  onCancel: () => void
}) {
  const { t } = useI18n()
  const [name, setName] = useState(profile?.name ?? '')
  const [grid, setGrid] = useState<Grid>(() => permsToGrid(profile?.permissions ?? []))
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const [saved, setSaved] = useState(false)
  const [confirmDelete, setConfirmDelete] = useState(false)
  const editable = profile ? profile.editable : true

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!editable) return
    setBusy(true)
    setErrors(NO_ERRORS)
    setSaved(false)
    const permissions = gridToPerms(grid, all)
    try {
      let p: Profile
      if (profile) {
        const patch: { name?: string; permissions?: string[] } = {}
        if (name.trim() !== profile.name) patch.name = name.trim()
        const before = gridToPerms(permsToGrid(profile.permissions), all)
        if (before.join(',') !== permissions.join(',')) patch.permissions = permissions
        p = Object.keys(patch).length ? await adminApi.updateProfile(profile.id, patch) : profile
      } else {
        p = await adminApi.createProfile(name.trim(), permissions)
      }
      setSaved(true)
      setBusy(false)
      onSaved(p)
    } catch (err) {
      setErrors(formErrors(err, PROFILE_FIELDS, t))
      setBusy(false)
    }
  }

  return (
    <form className="admin-form profile-editor" onSubmit={submit} data-testid="profile-editor" data-id={profile?.id ?? ''}>
      <h3>{profile ? profile.name : t('admin.profiles.new')}</h3>
      {!editable && (
        <p className="alert alert-info" data-testid="profile-readonly">
          {t('admin.profiles.adminReadOnly')}
        </p>
      )}
      <FormError errors={errors} />
      {saved && (
        <p className="alert alert-ok" role="status" data-testid="profile-saved">
          {t('admin.saved')}
        </p>
      )}
      <label className="field">
        {t('admin.profiles.name')}
        <input value={name} onChange={(e) => setName(e.target.value)} required disabled={!editable} data-testid="profile-name" />
        <FieldError errors={errors} field="name" />
      </label>
      <PermissionGrid
        grid={grid}
        all={all}
        onChange={(g) => {
          setGrid(g)
          setSaved(false)
        }}
        disabled={!editable}
      />
      <FieldError errors={errors} field="permissions" />
      <div className="modal-actions">
        {profile && profile.builtin_key === null && (
          <button type="button" className="btn btn-ghost btn-danger-text" onClick={() => setConfirmDelete(true)} data-testid="profile-delete">
            {t('admin.delete')}
          </button>
        )}
        <span className="spacer" />
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {editable ? t('admin.cancel') : t('admin.close')}
        </button>
        {editable && (
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="profile-save">
            {busy ? t('admin.saving') : profile ? t('admin.save') : t('admin.profiles.create')}
          </button>
        )}
      </div>
      {confirmDelete && profile && (
        <ConfirmDialog
          title={t('admin.profiles.deleteTitle', { name: profile.name })}
          message={t('admin.profiles.deleteWarning')}
          confirmLabel={t('admin.delete')}
          onCancel={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await adminApi.deleteProfile(profile.id)
            setConfirmDelete(false)
            onDeleted(profile.id)
          }}
        />
      )}
    </form>
  )
}
