// Billing (billing:manage): the prepaid balance that pays metered sends
// (SMS), its low-balance alert, recharges by Pix (QR code and copy-and-paste
// code, followed until paid) and the statement of every entry.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { FormEvent } from 'react'
import { QRCodeSVG } from 'qrcode.react'
import type { BillingStatus, LedgerEntry, Recharge } from '../api/types'
import { formatBRL, formatDateTime } from '../format'
import { useI18n } from '../i18n'
import { useSession, useStreamEvents, useStreamReconnect } from '../session'
import { formErrors, NO_ERRORS } from './adminLogic'
import type { FormErrors } from './adminLogic'
import { billingApi } from './billingApi'
import {
  appendEntries,
  awaitingPayment,
  documentDigits,
  entryKindLabel,
  isFailed,
  parseReais,
  pollDelay,
  RECHARGE_FIELDS,
  rechargeErrors,
  rechargeStatusClass,
  rechargeStatusLabel,
  reaisInput,
  SETTINGS_FIELDS,
  upsertRecharge,
} from './billingLogic'
import type { RechargeForm as RechargeFormValues } from './billingLogic'
import { CopyButton } from './ChannelsTab'
import { DateCell, FieldError, FormError, LoadState, useLoad } from './ui'

interface Statement {
  entries: LedgerEntry[]
  next: string
  loading: boolean
  loadingMore: boolean
  error: unknown
}

const NO_STATEMENT: Statement = { entries: [], next: '', loading: true, loadingMore: false, error: null }

/** The statement, newest first, a page at a time ("Carregar mais"); reload() starts over from the newest. */
function useStatement() {
  const [state, setState] = useState<Statement>(NO_STATEMENT)
  // a late answer of an older load (or of a page before a reload) is dropped
  const generation = useRef(0)

  const reload = useCallback((quiet = false) => {
    const gen = ++generation.current
    setState((s) => (quiet ? s : { ...s, loading: true, error: null }))
    billingApi.entries().then(
      (page) => {
        if (gen === generation.current) setState({ entries: page.entries ?? [], next: page.next_before ?? '', loading: false, loadingMore: false, error: null })
      },
      (error) => {
        if (gen === generation.current) setState((s) => ({ ...s, loading: false, loadingMore: false, error: quiet && s.entries.length > 0 ? s.error : error }))
      },
    )
  }, [])

  const more = useCallback((before: string) => {
    const gen = generation.current
    setState((s) => ({ ...s, loadingMore: true, error: null }))
    billingApi.entries(before).then(
      (page) => {
        if (gen !== generation.current) return
        setState((s) => ({ ...s, entries: appendEntries(s.entries, page.entries ?? []), next: page.next_before ?? '', loadingMore: false }))
      },
      (error) => {
        if (gen === generation.current) setState((s) => ({ ...s, loadingMore: false, error }))
      },
    )
  }, [])

  useEffect(() => {
    reload()
  }, [reload])

  return { ...state, reload, more }
}

export function BillingTab() {
  const { t, lang } = useI18n()
  const billing = useLoad(() => billingApi.status())
  const recharges = useLoad(() => billingApi.recharges().then((r) => r.recharges ?? []))
  const statement = useStatement()
  // the recharge being followed (just created, or reopened from the list)
  const [active, setActive] = useState<Recharge | null>(null)
  const [pollRound, setPollRound] = useState(0)
  const activeRef = useRef(active)
  activeRef.current = active

  const { setData: setBilling } = billing
  const { setData: setRecharges } = recharges
  const reloadStatement = statement.reload

  /** Balance, recharges and statement again, without a loading flash (a payment came in, the stream said so). */
  const refreshAll = useCallback(() => {
    billingApi.status().then(
      (b) => setBilling(() => b),
      () => undefined,
    )
    billingApi.recharges().then(
      (r) => setRecharges(() => r.recharges ?? []),
      () => undefined,
    )
    reloadStatement(true)
  }, [setBilling, setRecharges, reloadStatement])

  const onRecharge = useCallback(
    (r: Recharge) => {
      const before = activeRef.current
      setActive((cur) => (cur && cur.id === r.id ? r : cur))
      setRecharges((list) => upsertRecharge(list ?? [], r))
      if (r.status === 'approved' && before?.id === r.id && before.status !== 'approved') refreshAll()
    },
    [setRecharges, refreshAll],
  )

  // Follow the recharge: every 2 s while its charge is being created, every
  // 3 s while the payment is awaited, until it ends.
  const delay = active ? pollDelay(active) : null
  const activeId = active?.id
  useEffect(() => {
    if (!activeId || delay === null) return
    let cancelled = false
    const timer = setTimeout(async () => {
      try {
        const r = await billingApi.recharge(activeId)
        if (cancelled) return
        onRecharge(r)
      } catch {
        // asked again in the next round
      }
      if (!cancelled) setPollRound((n) => n + 1)
    }, delay)
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [activeId, delay, pollRound, onRecharge])

  useStreamEvents((ev) => {
    if (ev.type !== 'billing.updated') return
    const balance = ev.data.balance_cents
    if (typeof balance === 'number') setBilling((b) => (b ? { ...b, balance_cents: balance } : b))
    const r = ev.data.recharge
    if (r && typeof r === 'object' && r.id) onRecharge(r)
    refreshAll()
  })
  useStreamReconnect(refreshAll)

  function created(r: Recharge) {
    setActive(r)
    setRecharges((list) => upsertRecharge(list ?? [], r))
  }

  const b = billing.data
  return (
    <section className="admin-section billing" data-testid="admin-billing">
      <div className="admin-section-head">
        <h2>{t('billing.title')}</h2>
        <div className="head-tools">
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => {
              billing.reload()
              recharges.reload()
              statement.reload()
            }}
            data-testid="billing-refresh"
          >
            {t('admin.refresh')}
          </button>
        </div>
      </div>
      <p className="muted billing-explain">{t('billing.explain')}</p>
      {(!b || billing.error != null) && <LoadState loaded={billing} />}
      {b && (
        <>
          <BalanceCard billing={b} />
          {!b.activated && (
            <div className="alert alert-info" data-testid="billing-not-activated">
              {t('billing.notActivated', { min: formatBRL(b.minimum_recharge_cents, lang) })}
            </div>
          )}
          <div className="billing-forms">
            <ThresholdForm billing={b} onSaved={(next) => setBilling(() => next)} />
            {b.pix_enabled ? (
              <RechargeForm minimumCents={b.minimum_recharge_cents} onCreated={created} />
            ) : (
              <div className="alert alert-warn billing-no-pix" data-testid="billing-no-pix">
                {t('billing.noPix')}
              </div>
            )}
          </div>
        </>
      )}
      {active && <RechargePanel recharge={active} onClose={() => setActive(null)} />}
      <RechargeList loaded={recharges} activeId={active?.id ?? null} onOpen={setActive} />
      <StatementTable statement={statement} />
    </section>
  )
}

function BalanceCard({ billing }: { billing: BillingStatus }) {
  const { t, lang } = useI18n()
  const low = billing.low_balance_cents > 0 && billing.balance_cents < billing.low_balance_cents
  return (
    <div className={`billing-balance${low ? ' is-low' : ''}`} data-testid="billing-balance-card">
      <span className="billing-balance-label">{t('billing.balance')}</span>
      <strong className="billing-balance-value" data-testid="billing-balance" data-cents={billing.balance_cents}>
        {formatBRL(billing.balance_cents, lang)}
      </strong>
      {low && (
        <p className="field-help is-warn" data-testid="billing-low">
          {t('billing.low', { threshold: formatBRL(billing.low_balance_cents, lang) })}
        </p>
      )}
    </div>
  )
}

function ThresholdForm({ billing, onSaved }: { billing: BillingStatus; onSaved: (b: BillingStatus) => void }) {
  const { t, lang } = useI18n()
  const [value, setValue] = useState(() => reaisInput(billing.low_balance_cents, lang))
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const [saved, setSaved] = useState(false)

  async function submit(e: FormEvent) {
    e.preventDefault()
    setSaved(false)
    const cents = parseReais(value)
    if (cents === null) {
      setErrors({ fields: { low_balance_cents: t('billing.threshold.invalid') }, top: null })
      return
    }
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      const next = await billingApi.updateSettings(cents)
      setValue(reaisInput(next.low_balance_cents, lang))
      setSaved(true)
      onSaved(next)
    } catch (err) {
      setErrors(formErrors(err, SETTINGS_FIELDS, t))
    }
    setBusy(false)
  }

  return (
    <form className="admin-form settings-box billing-threshold" onSubmit={submit} noValidate data-testid="billing-threshold-form">
      <h3>{t('billing.threshold.title')}</h3>
      <FormError errors={errors} />
      {saved && (
        <p className="alert alert-ok" role="status" data-testid="billing-threshold-saved">
          {t('admin.saved')}
        </p>
      )}
      <label className="field">
        {t('billing.threshold.label')}
        <input
          inputMode="decimal"
          value={value}
          onChange={(e) => {
            setValue(e.target.value)
            setSaved(false)
          }}
          aria-invalid={errors.fields.low_balance_cents ? true : undefined}
          data-testid="billing-threshold"
        />
        <span className="field-help muted">{t('billing.threshold.help')}</span>
        <FieldError errors={errors} field="low_balance_cents" />
      </label>
      <button type="submit" className="btn btn-primary btn-sm" disabled={busy} data-testid="billing-threshold-save">
        {busy ? t('admin.saving') : t('billing.threshold.save')}
      </button>
    </form>
  )
}

function RechargeForm({ minimumCents, onCreated }: { minimumCents: number; onCreated: (r: Recharge) => void }) {
  const { t, lang } = useI18n()
  const { me } = useSession()
  const [form, setForm] = useState<RechargeFormValues>(() => ({ amount: reaisInput(minimumCents, lang), email: me.user.email ?? '', document: '' }))
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const min = formatBRL(minimumCents, lang)

  function change(patch: Partial<RechargeFormValues>) {
    setForm((f) => ({ ...f, ...patch }))
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    const fields = rechargeErrors(form, minimumCents, t, lang)
    if (Object.keys(fields).length > 0) {
      setErrors({ fields, top: null })
      return
    }
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      const doc = documentDigits(form.document)
      const r = await billingApi.createRecharge({
        amount_cents: parseReais(form.amount) ?? 0,
        payer_email: form.email.trim(),
        ...(doc ? { payer_document: doc } : {}),
      })
      onCreated(r)
    } catch (err) {
      setErrors(formErrors(err, RECHARGE_FIELDS, t))
    }
    setBusy(false)
  }

  return (
    <form className="admin-form settings-box billing-recharge-form" onSubmit={submit} noValidate data-testid="billing-recharge-form">
      <h3>{t('billing.recharge.title')}</h3>
      <FormError errors={errors} />
      <label className="field">
        {t('billing.recharge.amount')}
        <input
          inputMode="decimal"
          value={form.amount}
          onChange={(e) => change({ amount: e.target.value })}
          aria-invalid={errors.fields.amount_cents ? true : undefined}
          data-testid="billing-recharge-amount"
        />
        <span className="field-help muted">{t('billing.recharge.amountHelp', { min })}</span>
        <FieldError errors={errors} field="amount_cents" />
      </label>
      <label className="field">
        {t('billing.recharge.email')}
        <input
          type="email"
          autoComplete="email"
          value={form.email}
          onChange={(e) => change({ email: e.target.value })}
          aria-invalid={errors.fields.payer_email ? true : undefined}
          data-testid="billing-recharge-email"
        />
        <FieldError errors={errors} field="payer_email" />
      </label>
      <label className="field">
        {t('billing.recharge.document')}
        <input
          inputMode="numeric"
          value={form.document}
          onChange={(e) => change({ document: e.target.value })}
          aria-invalid={errors.fields.payer_document ? true : undefined}
          data-testid="billing-recharge-document"
        />
        <span className="field-help muted">{t('billing.recharge.documentHelp')}</span>
        <FieldError errors={errors} field="payer_document" />
      </label>
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid="billing-recharge-submit">
        {busy ? t('billing.recharge.submitting') : t('billing.recharge.submit')}
      </button>
    </form>
  )
}

const QR_SIZE = 232

function RechargePanel({ recharge: r, onClose }: { recharge: Recharge; onClose: () => void }) {
  const { t, lang } = useI18n()
  const { me } = useSession()
  const amount = formatBRL(r.amount_cents, lang)
  return (
    <div className="settings-box billing-recharge" data-testid="billing-recharge" data-id={r.id} data-status={r.status} aria-live="polite">
      <div className="billing-recharge-head">
        <h3>{t('billing.recharge.pay', { amount })}</h3>
        <span className={`pill ${rechargeStatusClass(r.status)}`} data-testid="billing-recharge-status">
          {rechargeStatusLabel(r.status, t)}
        </span>
        <button type="button" className="btn btn-link modal-x" aria-label={t('admin.close')} onClick={onClose} data-testid="billing-recharge-close">
          ×
        </button>
      </div>
      {r.status === 'approved' && (
        <p className="alert alert-ok" role="status" data-testid="billing-recharge-approved">
          {t('billing.recharge.approved')}
        </p>
      )}
      {isFailed(r.status) && (
        <p className="alert alert-error" role="alert" data-testid="billing-recharge-failed">
          {t('billing.recharge.ended', { status: rechargeStatusLabel(r.status, t) })}
          {r.failure_reason && <> {r.failure_reason}</>}
        </p>
      )}
      {!awaitingPayment(r) && !isFailed(r.status) && r.status !== 'approved' && (
        <p className="muted" data-testid="billing-recharge-creating">
          <span className="spinner" aria-hidden="true" /> {t('billing.recharge.creating')}
        </p>
      )}
      {awaitingPayment(r) && (
        <div className="billing-pix">
          <div className="billing-qr">
            {r.qr_code_base64 ? (
              <img src={`data:image/png;base64,${r.qr_code_base64}`} alt={t('billing.recharge.qrAlt', { amount })} width={QR_SIZE} height={QR_SIZE} data-testid="billing-qr" />
            ) : (
              <QRCodeSVG value={r.qr_code} size={QR_SIZE} marginSize={4} level="M" role="img" aria-label={t('billing.recharge.qrAlt', { amount })} data-testid="billing-qr" />
            )}
          </div>
          <div className="billing-pix-side">
            <p className="field-help muted">{t('billing.recharge.howTo')}</p>
            <label className="field">
              {t('billing.recharge.code')}
              <span className="secret-box">
                <input className="mono" readOnly value={r.qr_code} onFocus={(e) => e.target.select()} data-testid="billing-pix-code" />
                <CopyButton text={r.qr_code} testId="billing-pix-copy" selectTestId="billing-pix-code" label={t('billing.recharge.copy')} />
              </span>
            </label>
            {r.expires_at && (
              <p className="muted" data-testid="billing-recharge-expires">
                {t('billing.recharge.expires', { time: formatDateTime(r.expires_at, lang, me.account.timezone) })}
              </p>
            )}
            {r.ticket_url && (
              <p>
                <a href={r.ticket_url} target="_blank" rel="noopener noreferrer" data-testid="billing-ticket">
                  {t('billing.recharge.ticket')}
                </a>
              </p>
            )}
            <p className="muted" data-testid="billing-recharge-waiting">
              <span className="spinner" aria-hidden="true" /> {t('billing.recharge.waiting')}
            </p>
          </div>
        </div>
      )}
    </div>
  )
}

function RechargeList({
  loaded,
  activeId,
  onOpen,
}: {
  loaded: { data: Recharge[] | null; error: unknown; loading: boolean; reload: () => void }
  activeId: string | null
  onOpen: (r: Recharge) => void
}) {
  const { t, lang } = useI18n()
  const list = loaded.data ?? []
  return (
    <div className="billing-block" data-testid="billing-recharges">
      <h3>{t('billing.recharges.title')}</h3>
      {!loaded.data && <LoadState loaded={loaded} />}
      {loaded.data && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th>{t('billing.recharges.created')}</th>
                <th className="num">{t('billing.recharges.amount')}</th>
                <th>{t('billing.recharges.status')}</th>
                <th>{t('billing.recharges.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id} data-testid="billing-recharge-row" data-id={r.id} data-status={r.status}>
                  <td>
                    <DateCell iso={r.created_at} />
                  </td>
                  <td className="num">{formatBRL(r.amount_cents, lang)}</td>
                  <td>
                    <span className={`pill ${rechargeStatusClass(r.status)}`}>{rechargeStatusLabel(r.status, t)}</span>
                  </td>
                  <td>
                    {r.status === 'approved' && r.paid_at && (
                      <span className="muted">
                        {t('billing.recharges.paidAt')} <DateCell iso={r.paid_at} />
                      </span>
                    )}
                    {isFailed(r.status) && r.failure_reason && <span className="muted">{r.failure_reason}</span>}
                    {awaitingPayment(r) && r.id !== activeId && (
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => onOpen(r)} data-testid="billing-recharge-open">
                        {t('billing.recharges.show')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.length === 0 && <p className="empty">{t('billing.recharges.empty')}</p>}
        </div>
      )}
    </div>
  )
}

function StatementTable({ statement }: { statement: ReturnType<typeof useStatement> }) {
  const { t, lang } = useI18n()
  const loaded = { error: statement.error, loading: statement.loading, reload: () => statement.reload() }
  return (
    <div className="billing-block" data-testid="billing-statement">
      <h3>{t('billing.entries.title')}</h3>
      {(statement.loading || statement.error != null) && <LoadState loaded={loaded} />}
      {!statement.loading && (
        <div className="table-wrap">
          <table className="admin-table billing-entries">
            <thead>
              <tr>
                <th>{t('billing.entries.date')}</th>
                <th>{t('billing.entries.kind')}</th>
                <th>{t('billing.entries.reason')}</th>
                <th className="num">{t('billing.entries.amount')}</th>
                <th className="num">{t('billing.entries.balanceAfter')}</th>
              </tr>
            </thead>
            <tbody>
              {statement.entries.map((e) => (
                <tr key={e.id} data-testid="billing-entry" data-id={e.id} data-kind={e.kind}>
                  <td>
                    <DateCell iso={e.created_at} />
                  </td>
                  <td data-testid="billing-entry-kind">{entryKindLabel(e.kind, t)}</td>
                  <td>{e.reason}</td>
                  <td
                    className={`num ${e.amount_cents < 0 ? 'amount-out' : e.amount_cents > 0 ? 'amount-in' : ''}`}
                    data-testid="billing-entry-amount"
                  >
                    {formatBRL(e.amount_cents, lang, { sign: true })}
                  </td>
                  <td className="num" data-testid="billing-entry-balance">
                    {formatBRL(e.balance_after_cents, lang)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {statement.entries.length === 0 && statement.error == null && <p className="empty">{t('billing.entries.empty')}</p>}
          {statement.next && (
            <div className="load-more">
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                disabled={statement.loadingMore}
                onClick={() => statement.more(statement.next)}
                data-testid="billing-entries-more"
              >
                {statement.loadingMore ? t('app.loading') : t('billing.entries.more')}
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  )
}
