// Small building blocks the admin screens share: modal dialog, confirm
// dialog, field/form errors, a loader hook and a date cell.
import { useCallback, useEffect, useId, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { useI18n } from '../i18n'
import { errorText, formatDateTime } from '../format'
import { useSession } from '../session'
import type { FormErrors } from './adminLogic'

export function Dialog({
  title,
  onClose,
  children,
  testId,
  wide,
}: {
  title: string
  onClose: () => void
  children: ReactNode
  testId?: string
  wide?: boolean
}) {
  const titleId = useId()
  const ref = useRef<HTMLDivElement>(null)
  const onCloseRef = useRef(onClose)
  onCloseRef.current = onClose

  useEffect(() => {
    const el = ref.current
    const first = el?.querySelector<HTMLElement>('input:not([disabled]), select:not([disabled]), textarea, button:not(.modal-x)')
    first?.focus()
    function onKey(e: KeyboardEvent) {
      if (e.key === 'Escape') onCloseRef.current()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])

  // Clicks on the backdrop do not close: a half-filled form or a one-time
  // secret should not vanish on a stray click.
  return (
    <div className="modal-backdrop">
      <div
        ref={ref}
        className={`modal${wide ? ' modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
      >
        <div className="modal-head">
          <h2 id={titleId}>{title}</h2>
          <CloseButton onClose={onClose} />
        </div>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  )
}

function CloseButton({ onClose }: { onClose: () => void }) {
  const { t } = useI18n()
  return (
    <button type="button" className="btn btn-link modal-x" aria-label={t('admin.close')} onClick={onClose}>
      ×
    </button>
  )
}

/** Asks before a destructive action; shows the server's refusal inside. */
export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  danger = true,
  onConfirm,
  onCancel,
}: {
  title: string
  message: ReactNode
  confirmLabel: string
  danger?: boolean
  onConfirm: () => Promise<void>
  onCancel: () => void
}) {
  const { t } = useI18n()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  async function confirm() {
    setBusy(true)
    setError(null)
    try {
      await onConfirm()
    } catch (err) {
      setError(errorText(err, t))
      setBusy(false)
    }
  }
  return (
    <Dialog title={title} onClose={onCancel} testId="confirm-dialog">
      <div className="confirm-message">{message}</div>
      {error && (
        <div className="alert alert-error" role="alert" data-testid="confirm-error">
          {error}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel} data-testid="confirm-cancel">
          {t('admin.cancel')}
        </button>
        <button
          type="button"
          className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
          onClick={confirm}
          disabled={busy}
          data-testid="confirm-ok"
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  )
}

export function FieldError({ errors, field }: { errors: FormErrors; field: string }) {
  const text = errors.fields[field]
  if (!text) return null
  return (
    <span className="field-error" role="alert" data-testid="field-error" data-field={field}>
      {text}
    </span>
  )
}

export function FormError({ errors }: { errors: FormErrors }) {
  if (!errors.top) return null
  return (
    <div className="alert alert-error" role="alert" data-testid="form-error">
      {errors.top}
    </div>
  )
}

export interface Loaded<T> {
  data: T | null
  error: unknown
  loading: boolean
  reload: () => void
  setData: (fn: (prev: T | null) => T | null) => void
}

/** Runs load() on mount and on reload(); a late answer of an older run is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[] = []): Loaded<T> {
  const [data, setDataState] = useState<T | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(true)
  const [attempt, setAttempt] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load

  useEffect(() => {
    let cancelled = false
    setLoading(true)
    setError(null)
    loadRef.current().then(
      (d) => {
        if (cancelled) return
        setDataState(d)
        setLoading(false)
      },
      (err) => {
        if (cancelled) return
        setError(err)
        setLoading(false)
      },
    )
    return () => {
      cancelled = true
    }
  }, [attempt, ...deps])

  const reload = useCallback(() => setAttempt((n) => n + 1), [])
  const setData = useCallback((fn: (prev: T | null) => T | null) => setDataState(fn), [])
  return { data, error, loading, reload, setData }
}

/** Loading text, or the load error with a retry button. */
export function LoadState({ loaded }: { loaded: { error: unknown; loading: boolean; reload: () => void } }) {
  const { t } = useI18n()
  if (loaded.error != null) {
    return (
      <div className="alert alert-error alert-inline admin-load-error" role="alert" data-testid="admin-load-error">
        <span>{errorText(loaded.error, t)}</span>
        <button type="button" className="btn btn-ghost btn-sm" onClick={loaded.reload}>
          {t('app.retry')}
        </button>
      </div>
    )
  }
  if (loaded.loading) return <p className="muted admin-loading">{t('app.loading')}</p>
  return null
}

export function DateCell({ iso }: { iso: string | null | undefined }) {
  const { lang, t } = useI18n()
  const { me } = useSession()
  if (!iso) return <span className="muted">{t('admin.never')}</span>
  return (
    <time dateTime={iso} title={iso}>
      {formatDateTime(iso, lang, me.account.timezone)}
    </time>
  )
}
