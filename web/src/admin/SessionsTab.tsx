// Active sessions: who holds the contracted seats right now. Ending a session
// frees its seat (the person is signed out on their next request).
import { useState } from 'react'
import type { ActiveSession } from '../api/types'
import { useI18n } from '../i18n'
import { useSession } from '../session'
import { adminApi } from './adminApi'
import { describeUserAgent, seatUsage } from './adminLogic'
import { ConfirmDialog, DateCell, LoadState, useLoad } from './ui'

export function SessionsTab() {
  const { t } = useI18n()
  const { me } = useSession()
  const loaded = useLoad(adminApi.sessions)
  const [ending, setEnding] = useState<ActiveSession | null>(null)
  const data = loaded.data
  const usage = data ? seatUsage(data.items.length, data.seats) : null

  return (
    <section className="admin-section" data-testid="admin-sessions">
      <div className="admin-section-head">
        <h2>{t('admin.sessions.title')}</h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={loaded.reload} data-testid="sessions-refresh">
          {t('admin.refresh')}
        </button>
      </div>
      {usage && (
        <p
          className={`seat-usage${usage.full ? ' is-full' : ''}`}
          data-testid="sessions-seats"
          data-used={usage.used}
          data-seats={usage.seats}
        >
          {t('admin.sessions.seats', { n: usage.used, s: usage.seats })}
          {usage.full && <span className="pill pill-warn">{t('admin.sessions.full')}</span>}
        </p>
      )}
      <LoadState loaded={loaded} />
      {data && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th>{t('admin.sessions.user')}</th>
                <th>{t('admin.users.email')}</th>
                <th>{t('admin.sessions.device')}</th>
                <th>{t('admin.sessions.ip')}</th>
                <th>{t('admin.sessions.since')}</th>
                <th>{t('admin.sessions.lastSeen')}</th>
                <th>
                  <span className="sr-only">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((s) => (
                <tr key={s.id} data-testid="session-row" data-id={s.id} data-user-id={s.user_id}>
                  <td>
                    {s.user_name}
                    {s.user_id === me.user.id && <span className="pill pill-info">{t('admin.you')}</span>}
                  </td>
                  <td>{s.user_email}</td>
                  <td title={s.user_agent}>{describeUserAgent(s.user_agent) || t('admin.unknown')}</td>
                  <td className="mono">{s.ip}</td>
                  <td>
                    <DateCell iso={s.created_at} />
                  </td>
                  <td>
                    <DateCell iso={s.last_seen_at} />
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-ghost btn-xs btn-danger-text" onClick={() => setEnding(s)} data-testid="session-end">
                      {t('admin.sessions.end')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.items.length === 0 && <p className="empty">{t('admin.sessions.empty')}</p>}
        </div>
      )}
      {ending && (
        <ConfirmDialog
          title={t('admin.sessions.endTitle', { name: ending.user_name })}
          message={ending.user_id === me.user.id ? t('admin.sessions.endOwnWarning') : t('admin.sessions.endWarning')}
          confirmLabel={t('admin.sessions.end')}
          onCancel={() => setEnding(null)}
          onConfirm={async () => {
            await adminApi.endSession(ending.id)
            loaded.setData((d) => (d ? { ...d, items: d.items.filter((x) => x.id !== ending.id) } : d))
            setEnding(null)
          }}
        />
      )}
    </section>
  )
}
