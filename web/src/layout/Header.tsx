import { useContext, useEffect, useState } from 'react'
import type { MouseEvent } from 'react'
import { api } from '../api/client'
import type { Presence } from '../api/types'
import type { StreamState } from '../api/stream'
import { useI18n } from '../i18n'
import { StreamContext, useSession } from '../session'
import { errorText, initials } from '../format'
import { LanguageSelect } from './LanguageSelect'
import { matchRoute, navigate, usePath } from '../router'
import { canEnterAdmin } from '../admin/adminLogic'
import { canUseCrm } from '../crm/crmLogic'

const PRESENCES: Presence[] = ['online', 'away', 'offline']

interface NavLink {
  key: 'inbox' | 'crm' | 'agenda' | 'admin'
  to: string
  label: string
  active: boolean
}

export function Header({ onLogout }: { onLogout: () => void }) {
  const { t } = useI18n()
  const { me, setMe } = useSession()
  const stream = useContext(StreamContext)
  const [streamState, setStreamState] = useState<StreamState>(stream?.state ?? 'open')
  const [presenceError, setPresenceError] = useState<string | null>(null)
  const here = matchRoute(usePath()).name
  const links: NavLink[] = [{ key: 'inbox', to: '/', label: t('header.inbox'), active: here === 'inbox' }]
  if (canUseCrm(me)) {
    links.push({ key: 'crm', to: '/crm', label: t('header.crm'), active: here === 'crm' })
    links.push({ key: 'agenda', to: '/agenda', label: t('header.agenda'), active: here === 'agenda' })
  }
  if (canEnterAdmin(me.user.permissions, me.account.modules ?? [])) links.push({ key: 'admin', to: '/admin', label: t('header.admin'), active: here === 'admin' })

  function go(e: MouseEvent, to: string) {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    navigate(to)
  }

  useEffect(() => {
    if (!stream) return
    setStreamState(stream.state)
    return stream.onState(setStreamState)
  }, [stream])

  async function changePresence(status: Presence) {
    const prev = me.user
    setMe({ ...me, user: { ...me.user, status } })
    setPresenceError(null)
    try {
      const user = await api.setStatus(status)
      setMe({ ...me, user: { ...me.user, ...user } })
    } catch (err) {
      setMe({ ...me, user: prev })
      setPresenceError(errorText(err, t))
    }
  }

  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          💬
        </span>
        <span className="brand-name">{t('app.name')}</span>
        <span className="account-name">{me.account.name}</span>
      </div>
      <div className="header-tools">
        {streamState === 'reconnecting' && (
          <span className="pill pill-warn" data-testid="stream-reconnecting">
            {t('header.reconnecting')}
          </span>
        )}
        <label className={`presence presence-${me.user.status}`} title={presenceError ?? t('header.presence')}>
          <span className="presence-dot" aria-hidden="true" />
          <span className="sr-only">{t('header.presence')}</span>
          <select
            data-testid="presence-select"
            value={me.user.status}
            onChange={(e) => changePresence(e.target.value as Presence)}
          >
            {PRESENCES.map((p) => (
              <option key={p} value={p}>
                {t(`presence.${p}`)}
              </option>
            ))}
          </select>
        </label>
        {links.length > 1 && (
          <nav className="header-nav" aria-label={t('header.nav')}>
            {links.map((l) => (
              <a
                key={l.key}
                href={l.to}
                className={`btn btn-ghost btn-sm ${l.active ? 'is-on' : ''}`}
                aria-current={l.active ? 'page' : undefined}
                onClick={(e) => go(e, l.to)}
                data-testid={`${l.key}-link`}
              >
                {l.label}
              </a>
            ))}
          </nav>
        )}
        <LanguageSelect />
        <span className="user-chip" title={`${me.user.name} <${me.user.email}>`}>
          <span className="avatar avatar-sm" aria-hidden="true">
            {initials(me.user.name)}
          </span>
          <span className="user-name">{me.user.name}</span>
        </span>
        <button type="button" className="btn btn-ghost btn-sm" data-testid="logout" onClick={onLogout}>
          {t('header.logout')}
        </button>
      </div>
      {presenceError && (
        <div className="header-error" role="alert">
          {presenceError}
        </div>
      )}
    </header>
  )
}
