// Teams: everyone in the admin area can see them; users:manage creates,
// renames, sets members and deletes.
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { AdminUser, Team } from '../api/types'
import { useI18n } from '../i18n'
import { useSession } from '../session'
import { adminApi } from './adminApi'
import { byId, canEditTab, formErrors, NO_ERRORS, teamPatch, toggleId } from './adminLogic'
import type { FormErrors } from './adminLogic'
import { ConfirmDialog, Dialog, FieldError, FormError, LoadState, useLoad } from './ui'

interface TeamsData {
  teams: Team[]
  users: AdminUser[]
}

async function loadTeams(): Promise<TeamsData> {
  const [teams, users] = await Promise.all([adminApi.teams(), adminApi.users()])
  return { teams: teams.items, users: users.items }
}

type Modal = { kind: 'create' } | { kind: 'edit'; team: Team } | { kind: 'delete'; team: Team } | null

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)

export function TeamsTab() {
  const { t } = useI18n()
  const { me } = useSession()
  const canEdit = canEditTab('teams', me.user.permissions)
  const loaded = useLoad(loadTeams)
  const [modal, setModal] = useState<Modal>(null)
  const data = loaded.data
  const users = byId(data?.users ?? [])

  function upsert(team: Team) {
    loaded.setData((d) => (d ? { ...d, teams: [...d.teams.filter((x) => x.id !== team.id), team].sort(byName) } : d))
  }

  return (
    <section className="admin-section" data-testid="admin-teams">
      <div className="admin-section-head">
        <h2>{t('admin.teams.title')}</h2>
        {data && canEdit && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setModal({ kind: 'create' })} data-testid="team-create-open">
            {t('admin.teams.new')}
          </button>
        )}
      </div>
      {!canEdit && <p className="muted">{t('admin.teams.readOnly')}</p>}
      <LoadState loaded={loaded} />
      {data && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th>{t('admin.teams.name')}</th>
                <th>{t('admin.teams.members')}</th>
                {canEdit && (
                  <th>
                    <span className="sr-only">{t('admin.actions')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {data.teams.map((team) => (
                <tr key={team.id} data-testid="team-row" data-id={team.id}>
                  <td className="strong">{team.name}</td>
                  <td>
                    <span className="tag-list" data-testid="team-members">
                      {team.member_ids.length === 0 && <span className="muted">{t('admin.teams.noMembers')}</span>}
                      {team.member_ids.map((id) => (
                        <span className="tag tag-sm" key={id}>
                          {users.get(id)?.name ?? id}
                        </span>
                      ))}
                    </span>
                  </td>
                  {canEdit && (
                    <td className="row-actions">
                      <button type="button" className="btn btn-ghost btn-xs" onClick={() => setModal({ kind: 'edit', team })} data-testid="team-edit">
                        {t('admin.edit')}
                      </button>
                      <button type="button" className="btn btn-ghost btn-xs btn-danger-text" onClick={() => setModal({ kind: 'delete', team })} data-testid="team-delete">
                        {t('admin.delete')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {data.teams.length === 0 && <p className="empty">{t('admin.teams.empty')}</p>}
        </div>
      )}
      {data && (modal?.kind === 'create' || modal?.kind === 'edit') && (
        <Dialog
          title={modal.kind === 'edit' ? t('admin.teams.editTitle', { name: modal.team.name }) : t('admin.teams.new')}
          onClose={() => setModal(null)}
          testId="team-dialog"
        >
          <TeamForm
            team={modal.kind === 'edit' ? modal.team : null}
            users={data.users}
            onCancel={() => setModal(null)}
            onSaved={(team) => {
              upsert(team)
              setModal(null)
            }}
          />
        </Dialog>
      )}
      {modal?.kind === 'delete' && (
        <ConfirmDialog
          title={t('admin.teams.deleteTitle', { name: modal.team.name })}
          message={t('admin.teams.deleteWarning')}
          confirmLabel={t('admin.delete')}
          onCancel={() => setModal(null)}
          onConfirm={async () => {
            await adminApi.deleteTeam(modal.team.id)
            loaded.setData((d) => (d ? { ...d, teams: d.teams.filter((x) => x.id !== modal.team.id) } : d))
            setModal(null)
          }}
        />
      )}
    </section>
  )
}

const TEAM_FIELDS = ['name', 'member_ids']

export function TeamForm({
  team,
  users,
  onSaved,
  onCancel,
}: {
  team: Team | null
  users: AdminUser[]
  onSaved: (t: Team) => void
  onCancel: () => void
}) {
  const { t } = useI18n()
  const [name, setName] = useState(team?.name ?? '')
  const [members, setMembers] = useState<string[]>(team?.member_ids ?? [])
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  // Inactive users stay listed only if they are already members (so they can be removed).
  const choices = users.filter((u) => u.active || members.includes(u.id))

  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      if (team) {
        const patch = teamPatch(team, name, members)
        onSaved(Object.keys(patch).length ? await adminApi.updateTeam(team.id, patch) : team)
      } else {
        onSaved(await adminApi.createTeam(name.trim(), members))
      }
    } catch (err) {
      setErrors(formErrors(err, TEAM_FIELDS, t))
      setBusy(false)
    }
  }

  return (
    <form className="admin-form" onSubmit={submit} data-testid="team-form">
      <FormError errors={errors} />
      <label className="field">
        {t('admin.teams.name')}
        <input value={name} onChange={(e) => setName(e.target.value)} required data-testid="team-name" />
        <FieldError errors={errors} field="name" />
      </label>
      <fieldset className="member-picker">
        <legend>
          {t('admin.teams.members')} <span className="muted">({members.length})</span>
        </legend>
        <div className="member-options">
          {choices.map((u) => (
            <label key={u.id} className="check">
              <input
                type="checkbox"
                checked={members.includes(u.id)}
                onChange={(e) => setMembers((m) => toggleId(m, u.id, e.target.checked))}
                data-testid="team-member-option"
                data-id={u.id}
              />
              <span>
                {u.name} <span className="muted">{u.email}</span>
              </span>
            </label>
          ))}
        </div>
        <FieldError errors={errors} field="member_ids" />
      </fieldset>
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="team-save">
          {busy ? t('admin.saving') : t('admin.save')}
        </button>
      </div>
    </form>
  )
}
