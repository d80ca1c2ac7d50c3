// Audit log: the latest security-relevant events, newest first, filtered by action.
import { useState } from 'react'
import type { AdminUser, AuditEntry } from '../api/types'
import { useI18n } from '../i18n'
import { adminApi } from './adminApi'
import { AUDIT_ACTIONS, auditActionLabel, byId, newestFirst } from './adminLogic'
import { DateCell, LoadState, useLoad } from './ui'

export function AuditTab() {
  const { t } = useI18n()
  const [action, setAction] = useState('')
  const entries = useLoad(() => adminApi.audit(action).then((r) => newestFirst(r.items)), [action])
  // Names for the ids in the log; the log still shows without them.
  const users = useLoad(() => adminApi.users().then((r) => r.items).catch(() => [] as AdminUser[]))
  const byUser = byId(users.data ?? [])

  function who(e: AuditEntry): string {
    const u = byUser.get(e.actor_id)
    if (u) return u.name
    if (e.actor_kind === 'token') return t('admin.audit.token', { id: e.actor_id })
    return e.actor_id || t('admin.unknown')
  }

  function target(e: AuditEntry): string {
    return byUser.get(e.target)?.name ?? e.target
  }

  return (
    <section className="admin-section" data-testid="admin-audit">
      <div className="admin-section-head">
        <h2>{t('admin.audit.title')}</h2>
        <div className="head-tools">
          <label className="compact-select">
            <span className="sr-only">{t('admin.audit.filter')}</span>
            <select value={action} onChange={(e) => setAction(e.target.value)} data-testid="audit-action">
              <option value="">{t('admin.audit.allActions')}</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {auditActionLabel(a, t)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn btn-ghost btn-sm" onClick={entries.reload} data-testid="audit-refresh">
            {t('admin.refresh')}
          </button>
        </div>
      </div>
      <LoadState loaded={entries} />
      {entries.data && !entries.loading && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th>{t('admin.audit.when')}</th>
                <th>{t('admin.audit.actor')}</th>
                <th>{t('admin.audit.action')}</th>
                <th>{t('admin.audit.target')}</th>
                <th>{t('admin.audit.detail')}</th>
                <th>{t('admin.sessions.ip')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.data.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-id={e.id} data-action={e.action}>
                  <td>
                    <DateCell iso={e.created_at} />
                  </td>
                  <td title={`${e.actor_kind}:${e.actor_id}`}>{who(e)}</td>
                  <td>
                    <span className={`pill audit-${e.action.replace(/\W+/g, '-')}`}>{auditActionLabel(e.action, t)}</span>
                  </td>
                  <td title={e.target}>{target(e)}</td>
                  <td className="audit-detail">{e.detail}</td>
                  <td className="mono">{e.ip}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.data.length === 0 && <p className="empty">{t('admin.audit.empty')}</p>}
        </div>
      )}
    </section>
  )
}
