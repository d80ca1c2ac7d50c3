import { useState } from 'react'
import type { FormEvent } from 'react'
import { api, ApiError } from '../api/client'
import type { Me, SeatHolder } from '../api/types'
import { useI18n } from '../i18n'
import { errorText, formatDateTime } from '../format'
import { LanguageSelect } from '../layout/LanguageSelect'

interface LoginError {
  text: string
  holders?: SeatHolder[]
  retryAfter?: number | null
}

export function Login({ onLoggedIn, login = api.login }: { onLoggedIn: (me: Me) => void; login?: typeof api.login }) {
  const { t, lang } = useI18n()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<LoginError | null>(null)

  const waitText = (sec: number) =>
    sec >= 60 ? t('login.minutes', { n: Math.ceil(sec / 60) }) : t('login.seconds', { n: sec })

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (busy) return
    setBusy(true)
    setError(null)
    try {
      const me = await login(email.trim(), password)
      onLoggedIn(me)
    } catch (err) {
      if (err instanceof ApiError) {
        const text = err.problem.detail || (err.status === 401 ? t('login.failed') : errorText(err, t))
        setError({
          text,
          holders: err.status === 409 ? err.problem.holders ?? [] : undefined,
          retryAfter: err.status === 429 ? err.retryAfter : undefined,
        })
      } else {
        setError({ text: errorText(err, t) })
      }
      setBusy(false)
    }
  }

  return (
    <div className="login-page">
      <div className="login-lang">
        <LanguageSelect />
      </div>
      <form className="login-card" onSubmit={submit} noValidate>
        <div className="brand brand-lg">
          <span className="brand-mark" aria-hidden="true">
            💬
          </span>
          {t('app.name')}
        </div>
        <h1>{t('login.title')}</h1>
        <p className="muted">{t('login.subtitle')}</p>
        <label className="field">
          <span>{t('login.email')}</span>
          <input
            data-testid="login-email"
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoFocus
          />
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input
            data-testid="login-password"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <div className="alert alert-error" role="alert" data-testid="login-error">
            <p>{error.text}</p>
            {error.holders && error.holders.length > 0 && (
              <>
                <p>{t('login.seatsTaken')}</p>
                <ul className="seat-holders" data-testid="login-seat-holders">
                  {error.holders.map((h) => (
                    <li key={h.email}>
                      <strong>{h.name}</strong> &lt;{h.email}&gt;{' '}
                      <span className="muted">{t('login.holderSince', { time: formatDateTime(h.since, lang) })}</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {error.retryAfter != null && error.retryAfter > 0 && (
              <p data-testid="login-retry-after">{t('login.retryIn', { time: waitText(error.retryAfter) })}</p>
            )}
          </div>
        )}
        <button
          className="btn btn-primary btn-block"
          type="submit"
          data-testid="login-submit"
          disabled={busy || !email.trim() || !password}
        >
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </div>
  )
}
