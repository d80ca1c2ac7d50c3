import { useCallback, useEffect, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { api, ApiError, setUnauthorizedHandler } from './api/client'
import { openStream } from './api/stream'
import type { Stream } from './api/stream'
import type { Me } from './api/types'
import { Login } from './auth/Login'
import { Inbox } from './inbox/Inbox'
import { AdminPage } from './admin/AdminPage'
import { CrmPage } from './crm/CrmPage'
import { AgendaPage } from './agenda/AgendaPage'
import { canUseCrm } from './crm/crmLogic'
import { Header } from './layout/Header'
import { LowBalanceBanner } from './layout/LowBalanceBanner'
import { useI18n } from './i18n'
import { matchRoute, navigate, usePath } from './router'
import { SessionContext, StreamContext } from './session'
import { draftStore } from './conversation/composerLogic'
import { errorText } from './format'
import { resetTitle } from './notify'

const RETURN_KEY = 'chatspot.returnTo'

/** Where to go after signing in: the page the expired session left, if it is ours. */
function takeReturnPath(): string {
  try {
    const p = sessionStorage.getItem(RETURN_KEY)
    sessionStorage.removeItem(RETURN_KEY)
    const name = p && p.startsWith('/') && !p.startsWith('//') ? matchRoute(p.split('?')[0]).name : null
    if (p && (name === 'inbox' || name === 'admin' || name === 'crm' || name === 'agenda')) return p
  } catch {
    // ignore
  }
  return '/'
}

export function App() {
  const { t } = useI18n()
  const path = usePath()
  const route = matchRoute(path)
  const [me, setMe] = useState<Me | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setMe(null)
      const here = window.location.pathname + window.location.search
      if (window.location.pathname !== '/login') {
        try {
          sessionStorage.setItem(RETURN_KEY, here)
        } catch {
          // no way back after login; the inbox will do
        }
        navigate('/login', { replace: true })
      }
    })
  }, [])

  const needsMe = route.name !== 'login' && !me
  useEffect(() => {
    if (!needsMe) return
    let cancelled = false
    setLoadError(null)
    api.me().then(
      (m) => {
        if (!cancelled) setMe(m)
      },
      (err) => {
        // 401 already went to /login
        if (!cancelled && !(err instanceof ApiError && err.status === 401)) setLoadError(err)
      },
    )
    return () => {
      cancelled = true
    }
  }, [needsMe, attempt])

  const onLoggedIn = useCallback((m: Me) => {
    setMe(m)
    navigate(takeReturnPath(), { replace: true })
  }, [])

  const onLogout = useCallback(async () => {
    try {
      await api.logout()
    } catch {
      // the session is gone either way
    }
    draftStore.clear()
    resetTitle()
    setMe(null)
    navigate('/login', { replace: true })
  }, [])

  if (route.name === 'login') return <Login onLoggedIn={onLoggedIn} />

  if (!me) {
    return (
      <div className="splash">
        {loadError != null ? (
          <>
            <p role="alert">{errorText(loadError, t) || t('app.loadFailed')}</p>
            <button type="button" className="btn btn-primary" onClick={() => setAttempt((n) => n + 1)}>
              {t('app.retry')}
            </button>
          </>
        ) : (
          <p className="muted">{t('app.loading')}</p>
        )}
      </div>
    )
  }

  return (
    <Shell me={me} setMe={setMe} onLogout={onLogout}>
      {route.name === 'inbox' ? (
        <Inbox conversationId={route.conversationId} />
      ) : route.name === 'admin' ? (
        <AdminPage tab={route.tab} />
      ) : route.name === 'crm' || route.name === 'agenda' ? (
        canUseCrm(me) ? (
          route.name === 'crm' ? (
            <CrmPage pipelineId={route.pipelineId} />
          ) : (
            <AgendaPage />
          )
        ) : (
          <div className="splash" data-testid="crm-unavailable">
            <p>{t('crm.unavailable')}</p>
            <button type="button" className="btn btn-primary" onClick={() => navigate('/')}>
              {t('app.goInbox')}
            </button>
          </div>
        )
      ) : (
        <div className="splash">
          <p>{t('app.notFound')}</p>
          <button type="button" className="btn btn-primary" onClick={() => navigate('/')}>
            {t('app.goInbox')}
          </button>
        </div>
      )}
    </Shell>
  )
}

function Shell({ me, setMe, onLogout, children }: { me: Me; setMe: (m: Me) => void; onLogout: () => void; children: ReactNode }) {
  const [stream, setStream] = useState<Stream | null>(null)
  useEffect(() => {
    const s = openStream({ checkSession: () => api.me() })
    setStream(s)
    return () => s.close()
  }, [me.user.id])
  const session = useMemo(() => ({ me, setMe }), [me, setMe])
  return (
    <SessionContext.Provider value={session}>
      <StreamContext.Provider value={stream}>
        <div className="app">
          <Header onLogout={onLogout} />
          <LowBalanceBanner key={me.user.id} />
          <main className="app-main">{children}</main>
        </div>
      </StreamContext.Provider>
    </SessionContext.Provider>
  )
}
