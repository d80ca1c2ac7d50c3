// API tokens: list, create (the secret is shown once, in a dialog), revoke.
import { useEffect, useReducer, useState } from 'react'
import type { FormEvent } from 'react'
import type { ApiToken, CreatedApiToken } from '../api/types'
import { errorText } from '../format'
import { useI18n } from '../i18n'
import { useSession } from '../session'
import { adminApi } from './adminApi'
import { formErrors, grantablePermissions, gridToPerms, INITIAL_TOKENS, KNOWN_PERMISSIONS, NO_ERRORS, permissionLabel, tokenReducer } from './adminLogic'
import type { FormErrors, PermissionGrid as Grid } from './adminLogic'
import { PermissionGrid } from './PermissionGrid'
import { ConfirmDialog, DateCell, Dialog, FieldError, FormError } from './ui'

export function TokensTab() {
  const { t } = useI18n()
  const [state, dispatch] = useReducer(tokenReducer, INITIAL_TOKENS)
  const [loading, setLoading] = useState(true)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [attempt, setAttempt] = useState(0)
  const [revoking, setRevoking] = useState<ApiToken | null>(null)

  useEffect(() => {
    let cancelled = false
    setLoading(true)
    setLoadError(null)
    adminApi.tokens().then(
      (r) => {
        if (cancelled) return
        dispatch({ type: 'loaded', items: r.items })
        setLoading(false)
      },
      (err) => {
        if (cancelled) return
        setLoadError(err)
        setLoading(false)
      },
    )
    return () => {
      cancelled = true
    }
  }, [attempt])

  return (
    <section className="admin-section" data-testid="admin-tokens">
      <div className="admin-section-head">
        <h2>{t('admin.tokens.title')}</h2>
      </div>
      <p className="muted">{t('admin.tokens.intro')}</p>
      <CreateTokenForm onCreated={(tok) => dispatch({ type: 'created', token: tok })} />

      {loadError != null && (
        <div className="alert alert-error alert-inline admin-load-error" role="alert" data-testid="admin-load-error">
          <span>{errorText(loadError, t)}</span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAttempt((n) => n + 1)}>
            {t('app.retry')}
          </button>
        </div>
      )}
      {loading && <p className="muted admin-loading">{t('app.loading')}</p>}
      {!loading && loadError == null && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th>{t('admin.tokens.name')}</th>
                <th>{t('admin.tokens.prefix')}</th>
                <th>{t('admin.tokens.permissions')}</th>
                <th>{t('admin.tokens.created')}</th>
                <th>{t('admin.tokens.lastUsed')}</th>
                <th>{t('admin.tokens.revoked')}</th>
                <th>
                  <span className="sr-only">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.items.map((tok) => (
                <tr key={tok.id} data-testid="token-row" data-id={tok.id} data-revoked={tok.revoked_at ? 'true' : 'false'} className={tok.revoked_at ? 'is-inactive' : ''}>
                  <td className="strong">{tok.name}</td>
                  <td className="mono">{tok.prefix}…</td>
                  <td>
                    <span className="tag-list">
                      {tok.permissions.map((p) => (
                        <span className="tag tag-sm" key={p} title={p}>
                          {permissionLabel(p, t)}
                        </span>
                      ))}
                    </span>
                  </td>
                  <td>
                    <DateCell iso={tok.created_at} />
                  </td>
                  <td>
                    <DateCell iso={tok.last_used_at} />
                  </td>
                  <td>{tok.revoked_at ? <DateCell iso={tok.revoked_at} /> : <span className="muted">—</span>}</td>
                  <td className="row-actions">
                    {!tok.revoked_at && (
                      <button type="button" className="btn btn-ghost btn-xs btn-danger-text" onClick={() => setRevoking(tok)} data-testid="token-revoke">
                        {t('admin.tokens.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {state.items.length === 0 && <p className="empty">{t('admin.tokens.empty')}</p>}
        </div>
      )}

      {state.secret && <TokenSecretDialog name={state.secret.name} token={state.secret.token} onClose={() => dispatch({ type: 'secretClosed' })} />}
      {revoking && (
        <ConfirmDialog
          title={t('admin.tokens.revokeTitle', { name: revoking.name })}
          message={t('admin.tokens.revokeWarning')}
          confirmLabel={t('admin.tokens.revoke')}
          onCancel={() => setRevoking(null)}
          onConfirm={async () => {
            await adminApi.revokeToken(revoking.id)
            dispatch({ type: 'revoked', id: revoking.id, at: new Date().toISOString() })
            setRevoking(null)
          }}
        />
      )}
    </section>
  )
}

const TOKEN_FIELDS = ['name', 'permissions']
const EMPTY_GRID: Grid = { visibility: 'none', granted: [] }

function CreateTokenForm({ onCreated }: { onCreated: (tok: CreatedApiToken) => void }) {
  const { t } = useI18n()
  const { me } = useSession()
  const grantable = grantablePermissions(KNOWN_PERMISSIONS, me.user.permissions)
  const [name, setName] = useState('')
  const [grid, setGrid] = useState<Grid>(EMPTY_GRID)
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)

  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      const tok = await adminApi.createToken(name.trim(), gridToPerms(grid, KNOWN_PERMISSIONS))
      setName('')
      setGrid(EMPTY_GRID)
      onCreated(tok)
    } catch (err) {
      setErrors(formErrors(err, TOKEN_FIELDS, t))
    }
    setBusy(false)
  }

  return (
    <form className="admin-form admin-card" onSubmit={submit} data-testid="token-create-form">
      <h3>{t('admin.tokens.new')}</h3>
      <FormError errors={errors} />
      <label className="field">
        {t('admin.tokens.name')}
        <input value={name} onChange={(e) => setName(e.target.value)} required placeholder={t('admin.tokens.namePlaceholder')} data-testid="token-name" />
        <FieldError errors={errors} field="name" />
      </label>
      <p className="field-help muted">{t('admin.tokens.grantHelp')}</p>
      <PermissionGrid grid={grid} all={grantable} onChange={setGrid} testIdPrefix="token-perm" />
      <FieldError errors={errors} field="permissions" />
      <div className="modal-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="token-create-submit">
          {busy ? t('admin.saving') : t('admin.tokens.create')}
        </button>
      </div>
    </form>
  )
}

export function TokenSecretDialog({ name, token, onClose }: { name: string; token: string; onClose: () => void }) {
  const { t } = useI18n()
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null)

  async function copy() {
    try {
      await navigator.clipboard.writeText(token)
      setCopied('yes')
    } catch {
      // no clipboard (plain http, permissions): select the text for Ctrl+C
      const el = document.querySelector<HTMLInputElement>('[data-testid="token-secret"]')
      el?.select()
      setCopied('no')
    }
  }

  return (
    <Dialog title={t('admin.tokens.secretTitle', { name })} onClose={onClose} testId="token-secret-dialog">
      <p className="alert alert-warn" data-testid="token-secret-warning">
        {t('admin.tokens.secretWarning')}
      </p>
      <div className="secret-box">
        <input className="mono" readOnly value={token} onFocus={(e) => e.target.select()} aria-label={t('admin.tokens.secret')} data-testid="token-secret" />
        <button type="button" className="btn btn-ghost" onClick={copy} data-testid="token-copy">
          {copied === 'yes' ? t('admin.tokens.copied') : t('admin.tokens.copy')}
        </button>
      </div>
      {copied === 'no' && <p className="field-help muted">{t('admin.tokens.copyManually')}</p>}
      <div className="modal-actions">
        <button type="button" className="btn btn-primary" onClick={onClose} data-testid="token-secret-close">
          {t('admin.tokens.secretDone')}
        </button>
      </div>
    </Dialog>
  )
}
