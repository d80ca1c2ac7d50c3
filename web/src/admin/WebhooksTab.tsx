// Webhooks: the account's endpoints (URL, events, on/off, secret hint), a
// "new endpoint" form, per-endpoint edit / test ping / secret rotation /
// delete, the deliveries of an endpoint with their attempts and a replay, and
// how to verify the signature. The secret is shown once, on creation and
// rotation.
import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import type { CreatedWebhookEndpoint, WebhookDelivery, WebhookEndpoint } from '../api/types'
import { errorText } from '../format'
import { useI18n } from '../i18n'
import { formErrors, NO_ERRORS } from './adminLogic'
import type { FormErrors } from './adminLogic'
import { CopyButton } from './ChannelsTab'
import { ConfirmDialog, DateCell, Dialog, FieldError, FormError, LoadState, useLoad } from './ui'
import { webhooksApi } from './webhooksApi'
import {
  appendDeliveries,
  DELIVERY_HEADER,
  DELIVERY_STATUSES,
  deliveryStatusClass,
  deliveryStatusLabel,
  endpointPatch,
  EVENT_HEADER,
  EVENT_ID_HEADER,
  eventOptions,
  isAllEvents,
  isSuccessCode,
  prettyPayload,
  secretHintText,
  shortId,
  SIGNATURE_EXAMPLE,
  SIGNATURE_HEADER,
  statusCodeText,
  TIMESTAMP_HEADER,
  toggleEvent,
  upsertEndpoint,
  urlProblem,
  WEBHOOK_FIELDS,
  withoutSecret,
} from './webhooksLogic'

type Secret = { url: string; secret: string }
type Notice = { id: string; kind: 'ok' | 'error'; text: string }

export function WebhooksTab() {
  const { t } = useI18n()
  const loaded = useLoad(() => webhooksApi.list())
  const catalog = useLoad(() => webhooksApi.events())
  const known = catalog.data?.items ?? []
  const [secret, setSecret] = useState<Secret | null>(null)
  const [openId, setOpenId] = useState<string | null>(null)
  const [refresh, setRefresh] = useState(0)
  const [editing, setEditing] = useState<WebhookEndpoint | null>(null)
  const [rotating, setRotating] = useState<WebhookEndpoint | null>(null)
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null)
  const [notice, setNotice] = useState<Notice | null>(null)
  const items = (loaded.data?.items ?? []).map(withoutSecret)

  function upsert(ep: WebhookEndpoint) {
    loaded.setData((d) => (d ? { items: upsertEndpoint(d.items, ep) } : { items: [withoutSecret(ep)] }))
  }

  async function toggle(ep: WebhookEndpoint, enabled: boolean) {
    setNotice(null)
    upsert({ ...ep, enabled })
    try {
      upsert(await webhooksApi.update(ep.id, { enabled }))
    } catch (err) {
      upsert(ep)
      setNotice({ id: ep.id, kind: 'error', text: errorText(err, t) })
    }
  }

  async function ping(ep: WebhookEndpoint) {
    setNotice(null)
    try {
      const d = await webhooksApi.ping(ep.id)
      setNotice({ id: ep.id, kind: 'ok', text: t('admin.webhooks.pinged', { id: shortId(d.id) }) })
      setOpenId(ep.id)
      setRefresh((n) => n + 1)
    } catch (err) {
      setNotice({ id: ep.id, kind: 'error', text: errorText(err, t) })
    }
  }

  /** After a rotation the hint changes; the answer only carries the secret, so re-read the list quietly. */
  function refetchQuietly() {
    webhooksApi.list().then(
      (r) => loaded.setData(() => r),
      () => undefined,
    )
  }

  return (
    <section className="admin-section" data-testid="admin-webhooks">
      <div className="admin-section-head">
        <h2>{t('admin.webhooks.title')}</h2>
      </div>
      <p className="muted">{t('admin.webhooks.intro')}</p>

      <CreateEndpointForm
        known={known}
        catalog={catalog}
        onCreated={(created) => {
          upsert(withoutSecret(created))
          setSecret({ url: created.url, secret: created.secret })
        }}
      />

      <LoadState loaded={loaded} />
      {loaded.data && (
        <ul className="webhook-list" data-testid="webhook-list">
          {items.length === 0 && <li className="empty admin-card">{t('admin.webhooks.empty')}</li>}
          {items.map((ep) => (
            <li
              key={ep.id}
              className={`admin-card webhook-card${ep.enabled ? '' : ' is-inactive'}`}
              data-testid="webhook-row"
              data-id={ep.id}
              data-enabled={ep.enabled ? 'true' : 'false'}
            >
              <div className="webhook-head">
                <span className="webhook-url mono" data-testid="webhook-url-text">
                  {ep.url}
                </span>
                <span className={`pill ${ep.enabled ? 'pill-ok' : 'pill-off'}`} data-testid="webhook-status">
                  {ep.enabled ? t('admin.webhooks.enabled') : t('admin.webhooks.disabled')}
                </span>
                <label className="switch" title={ep.enabled ? t('admin.webhooks.disable') : t('admin.webhooks.enable')}>
                  <input type="checkbox" checked={ep.enabled} onChange={(e) => toggle(ep, e.target.checked)} data-testid="webhook-enabled" />
                  <span className="sr-only">{t('admin.webhooks.enabledLabel', { url: ep.url })}</span>
                  <span className="switch-track" aria-hidden="true" />
                </label>
              </div>
              {!ep.enabled && ep.disabled_reason && (
                <p className="alert alert-warn" role="status" data-testid="webhook-disabled-reason">
                  {t('admin.webhooks.disabledReason', { reason: ep.disabled_reason })}
                </p>
              )}
              <dl className="webhook-meta">
                <div>
                  <dt>{t('admin.webhooks.events')}</dt>
                  <dd data-testid="webhook-events">
                    {isAllEvents(ep.events) ? (
                      <span className="muted">{t('admin.webhooks.everyEvent')}</span>
                    ) : (
                      <span className="tag-list">
                        {ep.events.map((e) => (
                          <span className="tag tag-sm mono" key={e}>
                            {e}
                          </span>
                        ))}
                      </span>
                    )}
                  </dd>
                </div>
                <div>
                  <dt>{t('admin.webhooks.secretHint')}</dt>
                  <dd className="mono" data-testid="webhook-secret-hint">
                    {secretHintText(ep.secret_hint)}
                  </dd>
                </div>
                <div>
                  <dt>{t('admin.webhooks.created')}</dt>
                  <dd>
                    <DateCell iso={ep.created_at} />
                  </dd>
                </div>
              </dl>
              {notice?.id === ep.id && (
                <p
                  className={`alert ${notice.kind === 'ok' ? 'alert-ok' : 'alert-error'}`}
                  role={notice.kind === 'ok' ? 'status' : 'alert'}
                  data-testid="webhook-notice"
                  data-kind={notice.kind}
                >
                  {notice.text}
                </p>
              )}
              <div className="webhook-actions">
                <button
                  type="button"
                  className={`btn btn-ghost btn-xs${openId === ep.id ? ' is-on' : ''}`}
                  aria-expanded={openId === ep.id}
                  onClick={() => setOpenId(openId === ep.id ? null : ep.id)}
                  data-testid="webhook-deliveries-toggle"
                >
                  {openId === ep.id ? t('admin.webhooks.hideDeliveries') : t('admin.webhooks.deliveries')}
                </button>
                <button type="button" className="btn btn-ghost btn-xs" onClick={() => ping(ep)} data-testid="webhook-ping">
                  {t('admin.webhooks.ping')}
                </button>
                <button type="button" className="btn btn-ghost btn-xs" onClick={() => setEditing(ep)} data-testid="webhook-edit">
                  {t('admin.webhooks.edit')}
                </button>
                <button type="button" className="btn btn-ghost btn-xs" onClick={() => setRotating(ep)} data-testid="webhook-rotate">
                  {t('admin.webhooks.rotate')}
                </button>
                <button type="button" className="btn btn-ghost btn-xs btn-danger-text" onClick={() => setDeleting(ep)} data-testid="webhook-delete">
                  {t('admin.webhooks.delete')}
                </button>
              </div>
              {openId === ep.id && <DeliveriesPanel key={ep.id} endpointId={ep.id} refreshKey={refresh} />}
            </li>
          ))}
        </ul>
      )}

      <SignatureHelp />

      {editing && (
        <Dialog title={t('admin.webhooks.editTitle')} onClose={() => setEditing(null)} testId="webhook-edit-dialog" wide>
          <EndpointForm
            initialUrl={editing.url}
            initialEvents={editing.events}
            known={known}
            catalog={catalog}
            submitLabel={t('admin.save')}
            testId="webhook-edit-form"
            onCancel={() => setEditing(null)}
            onSubmit={async (url, events) => {
              const patch = endpointPatch(editing, url, events, known)
              if (Object.keys(patch).length > 0) upsert(await webhooksApi.update(editing.id, patch))
              setEditing(null)
            }}
          />
        </Dialog>
      )}
      {rotating && (
        <ConfirmDialog
          title={t('admin.webhooks.rotateTitle', { url: rotating.url })}
          message={t('admin.webhooks.rotateWarning')}
          confirmLabel={t('admin.webhooks.rotate')}
          onCancel={() => setRotating(null)}
          onConfirm={async () => {
            const r = await webhooksApi.rotateSecret(rotating.id)
            setSecret({ url: rotating.url, secret: r.secret })
            setRotating(null)
            refetchQuietly()
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('admin.webhooks.deleteTitle', { url: deleting.url })}
          message={t('admin.webhooks.deleteWarning')}
          confirmLabel={t('admin.webhooks.delete')}
          onCancel={() => setDeleting(null)}
          onConfirm={async () => {
            await webhooksApi.remove(deleting.id)
            const id = deleting.id
            loaded.setData((d) => (d ? { items: d.items.filter((x) => x.id !== id) } : d))
            if (openId === id) setOpenId(null)
            setDeleting(null)
          }}
        />
      )}
      {secret && <WebhookSecretDialog {...secret} onClose={() => setSecret(null)} />}
    </section>
  )
}

type Catalog = { error: unknown; loading: boolean; reload: () => void }

function CreateEndpointForm({ known, catalog, onCreated }: { known: string[]; catalog: Catalog; onCreated: (ep: CreatedWebhookEndpoint) => void }) {
  const { t } = useI18n()
  const [formKey, setFormKey] = useState(0)
  return (
    <div className="admin-card" data-testid="webhook-create">
      <h3 className="webhook-form-title">{t('admin.webhooks.new')}</h3>
      <EndpointForm
        key={formKey}
        initialUrl=""
        initialEvents={[]}
        known={known}
        catalog={catalog}
        submitLabel={t('admin.webhooks.create')}
        testId="webhook-create-form"
        onSubmit={async (url, events) => {
          const created = await webhooksApi.create({ url, events })
          setFormKey((n) => n + 1)
          onCreated(created)
        }}
      />
    </div>
  )
}

/** URL + events; used to create and to edit. onSubmit throws the server's refusal. */
function EndpointForm({
  initialUrl,
  initialEvents,
  known,
  catalog,
  submitLabel,
  testId,
  onSubmit,
  onCancel,
}: {
  initialUrl: string
  initialEvents: string[]
  known: string[]
  catalog: Catalog
  submitLabel: string
  testId: string
  onSubmit: (url: string, events: string[]) => Promise<void>
  onCancel?: () => void
}) {
  const { t } = useI18n()
  const [url, setUrl] = useState(initialUrl)
  const [events, setEvents] = useState<string[]>(initialEvents)
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)

  async function submit(e: FormEvent) {
    e.preventDefault()
    const problem = urlProblem(url)
    if (problem) {
      setErrors({ fields: { url: t(problem) }, top: null })
      return
    }
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      await onSubmit(url.trim(), events)
    } catch (err) {
      setErrors(formErrors(err, WEBHOOK_FIELDS, t))
      setBusy(false)
    }
  }

  return (
    <form className="admin-form" onSubmit={submit} noValidate data-testid={testId}>
      <FormError errors={errors} />
      <label className="field">
        {t('admin.webhooks.url')}
        <input
          type="url"
          inputMode="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          required
          placeholder={t('admin.webhooks.urlPlaceholder')}
          data-testid="webhook-url"
        />
        <span className="field-help muted">{t('admin.webhooks.urlHelp')}</span>
        <FieldError errors={errors} field="url" />
      </label>
      <EventPicker known={known} catalog={catalog} selected={events} onChange={setEvents} />
      <FieldError errors={errors} field="events" />
      <div className="modal-actions">
        {onCancel && (
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            {t('admin.cancel')}
          </button>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="webhook-submit">
          {busy ? t('admin.saving') : submitLabel}
        </button>
      </div>
    </form>
  )
}

function EventPicker({ known, catalog, selected, onChange }: { known: string[]; catalog: Catalog; selected: string[]; onChange: (events: string[]) => void }) {
  const { t } = useI18n()
  const all = isAllEvents(selected)
  return (
    <fieldset className="member-picker event-picker" data-testid="webhook-events-picker">
      <legend>{t('admin.webhooks.events')}</legend>
      <label className="check event-all">
        <input type="checkbox" checked={all} onChange={() => onChange([])} data-testid="webhook-events-all" />
        <span>
          <strong>{t('admin.webhooks.allEvents')}</strong>
          <span className="field-help muted event-all-help">{t('admin.webhooks.allEventsHelp')}</span>
        </span>
      </label>
      <LoadState loaded={catalog} />
      <div className="event-options">
        {eventOptions(known, selected).map((ev) => (
          <label key={ev} className="check">
            <input
              type="checkbox"
              checked={selected.includes(ev)}
              onChange={(e) => onChange(toggleEvent(selected, ev, e.target.checked, known))}
              data-testid={`webhook-event-${ev}`}
            />
            <span className="mono">{ev}</span>
            {!known.includes(ev) && !catalog.loading && <span className="pill pill-warn">{t('admin.webhooks.eventGone')}</span>}
          </label>
        ))}
      </div>
    </fieldset>
  )
}

/** The secret of a new or rotated endpoint, once: after closing, it is gone from the page. */
export function WebhookSecretDialog({ url, secret, onClose }: Secret & { onClose: () => void }) {
  const { t } = useI18n()
  return (
    <Dialog title={t('admin.webhooks.secretTitle', { url })} onClose={onClose} testId="webhook-secret-dialog">
      <p className="alert alert-warn" data-testid="webhook-secret-warning">
        {t('admin.webhooks.secretWarning')}
      </p>
      <div className="secret-box">
        <input className="mono" readOnly value={secret} onFocus={(e) => e.target.select()} aria-label={t('admin.webhooks.secret')} data-testid="webhook-secret" />
        <CopyButton text={secret} testId="webhook-secret-copy" selectTestId="webhook-secret" />
      </div>
      <p className="field-help muted">{t('admin.webhooks.secretUse')}</p>
      <div className="modal-actions">
        <button type="button" className="btn btn-primary" onClick={onClose} data-testid="webhook-secret-close">
          {t('admin.tokens.secretDone')}
        </button>
      </div>
    </Dialog>
  )
}

// ---------- deliveries ----------

function DeliveriesPanel({ endpointId, refreshKey }: { endpointId: string; refreshKey: number }) {
  const { t } = useI18n()
  const [status, setStatus] = useState('')
  const [items, setItems] = useState<WebhookDelivery[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<unknown>(null)
  const [attempt, setAttempt] = useState(0)
  const [more, setMore] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null })
  const [opened, setOpened] = useState<string | null>(null)
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null)

  useEffect(() => {
    let cancelled = false
    setLoading(true)
    setError(null)
    setMore({ busy: false, error: null })
    webhooksApi.deliveries(endpointId, status).then(
      (page) => {
        if (cancelled) return
        setItems(page.items ?? [])
        setCursor(page.next_cursor || null)
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
  }, [endpointId, status, attempt, refreshKey])

  const reload = () => setAttempt((n) => n + 1)

  async function loadMore() {
    if (!cursor) return
    setMore({ busy: true, error: null })
    try {
      const page = await webhooksApi.deliveries(endpointId, status, cursor)
      setItems((list) => appendDeliveries(list, page.items ?? []))
      setCursor(page.next_cursor || null)
      setMore({ busy: false, error: null })
    } catch (err) {
      setMore({ busy: false, error: errorText(err, t) })
    }
  }

  async function replay(d: WebhookDelivery) {
    setMessage(null)
    try {
      const created = await webhooksApi.replay(d.id)
      setMessage({ kind: 'ok', text: t('admin.webhooks.replayed', { id: shortId(created.id) }) })
      reload()
    } catch (err) {
      setMessage({ kind: 'error', text: errorText(err, t) })
    }
  }

  return (
    <div className="deliveries-panel" data-testid="webhook-deliveries">
      <div className="deliveries-tools">
        <h4>{t('admin.webhooks.deliveriesTitle')}</h4>
        <label className="compact-select deliveries-filter">
          <span className="muted">{t('admin.webhooks.filterStatus')}</span>
          <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="delivery-filter">
            <option value="">{t('admin.webhooks.filterAll')}</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {deliveryStatusLabel(s, t)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-ghost btn-sm" onClick={reload} data-testid="delivery-refresh">
          {t('admin.refresh')}
        </button>
      </div>
      {message && (
        <p className={`alert ${message.kind === 'ok' ? 'alert-ok' : 'alert-error'}`} role={message.kind === 'ok' ? 'status' : 'alert'} data-testid="delivery-message">
          {message.text}
        </p>
      )}
      <LoadState loaded={{ error, loading, reload }} />
      {!loading && error == null && (
        <div className="table-wrap">
          <table className="admin-table deliveries-table">
            <thead>
              <tr>
                <th>{t('admin.webhooks.col.event')}</th>
                <th>{t('admin.webhooks.col.id')}</th>
                <th>{t('admin.webhooks.col.status')}</th>
                <th className="num">{t('admin.webhooks.col.attempts')}</th>
                <th className="num">{t('admin.webhooks.col.code')}</th>
                <th className="num">{t('admin.webhooks.col.duration')}</th>
                <th>{t('admin.webhooks.col.created')}</th>
                <th>{t('admin.webhooks.col.delivered')}</th>
                <th>
                  <span className="sr-only">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id} data-testid="delivery-row" data-id={d.id} data-status={d.status}>
                  <td>
                    <button type="button" className="btn btn-link mono delivery-open" onClick={() => setOpened(d.id)} data-testid="delivery-open">
                      {d.event}
                    </button>
                  </td>
                  <td className="mono" title={d.id}>
                    {shortId(d.id)}
                  </td>
                  <td>
                    <DeliveryStatus status={d.status} />
                  </td>
                  <td className="num">{d.attempts}</td>
                  <td className={`num mono${d.last_status_code > 0 && !isSuccessCode(d.last_status_code) ? ' code-bad' : ''}`} title={d.last_error || undefined}>
                    {statusCodeText(d.last_status_code)}
                  </td>
                  <td className="num">{d.attempts > 0 ? t('admin.webhooks.ms', { ms: d.last_duration_ms }) : '—'}</td>
                  <td>
                    <DateCell iso={d.created_at} />
                  </td>
                  <td>{d.delivered_at ? <DateCell iso={d.delivered_at} /> : <span className="muted">—</span>}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-ghost btn-xs" onClick={() => setOpened(d.id)}>
                      {t('admin.webhooks.details')}
                    </button>
                    <button type="button" className="btn btn-ghost btn-xs" onClick={() => replay(d)} data-testid="delivery-replay">
                      {t('admin.webhooks.replay')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {items.length === 0 && <p className="empty">{status ? t('admin.webhooks.noDeliveriesFiltered') : t('admin.webhooks.noDeliveries')}</p>}
        </div>
      )}
      {more.error && (
        <p className="alert alert-error" role="alert" data-testid="delivery-more-error">
          {more.error}
        </p>
      )}
      {!loading && error == null && cursor && (
        <div className="deliveries-more">
          <button type="button" className="btn btn-ghost btn-sm" onClick={loadMore} disabled={more.busy} data-testid="delivery-load-more">
            {more.busy ? t('app.loading') : t('admin.webhooks.loadMore')}
          </button>
        </div>
      )}
      {opened && (
        <DeliveryDialog
          id={opened}
          onClose={() => setOpened(null)}
          onReplay={async (d) => {
            setOpened(null)
            await replay(d)
          }}
        />
      )}
    </div>
  )
}

function DeliveryStatus({ status }: { status: string }) {
  const { t } = useI18n()
  return (
    <span className={`pill ${deliveryStatusClass(status)}`} data-testid="delivery-status">
      {deliveryStatusLabel(status, t)}
    </span>
  )
}

function DeliveryDialog({ id, onClose, onReplay }: { id: string; onClose: () => void; onReplay: (d: WebhookDelivery) => Promise<void> }) {
  const { t } = useI18n()
  const loaded = useLoad(() => webhooksApi.delivery(id), [id])
  const d = loaded.data
  return (
    <Dialog title={t('admin.webhooks.deliveryTitle', { id: shortId(id) })} onClose={onClose} testId="delivery-dialog" wide>
      <LoadState loaded={loaded} />
      {d && (
        <>
          <dl className="delivery-facts">
            <div>
              <dt>{t('admin.webhooks.col.event')}</dt>
              <dd className="mono">{d.event}</dd>
            </div>
            <div>
              <dt>{t('admin.webhooks.col.status')}</dt>
              <dd>
                <DeliveryStatus status={d.status} />
              </dd>
            </div>
            <div>
              <dt>{t('admin.webhooks.deliveryId')}</dt>
              <dd className="mono" data-testid="delivery-full-id">
                {d.id}
              </dd>
            </div>
            <div>
              <dt>{t('admin.webhooks.eventId')}</dt>
              <dd className="mono">{d.event_id}</dd>
            </div>
            <div>
              <dt>{t('admin.webhooks.col.created')}</dt>
              <dd>
                <DateCell iso={d.created_at} />
              </dd>
            </div>
            <div>
              <dt>{t('admin.webhooks.col.delivered')}</dt>
              <dd>{d.delivered_at ? <DateCell iso={d.delivered_at} /> : <span className="muted">—</span>}</dd>
            </div>
          </dl>
          {d.last_error && (
            <p className="alert alert-error" data-testid="delivery-last-error">
              {t('admin.webhooks.lastError')}: {d.last_error}
            </p>
          )}
          <h4 className="delivery-subtitle">{t('admin.webhooks.payload')}</h4>
          <pre className="code-example payload" data-testid="delivery-payload">
            {prettyPayload(d.payload)}
          </pre>
          <h4 className="delivery-subtitle">{t('admin.webhooks.attemptsLog')}</h4>
          {(d.attempts_log ?? []).length === 0 ? (
            <p className="muted" data-testid="delivery-no-attempts">
              {t('admin.webhooks.noAttempts')}
            </p>
          ) : (
            <div className="table-wrap">
              <table className="admin-table">
                <thead>
                  <tr>
                    <th className="num">{t('admin.webhooks.attempt')}</th>
                    <th className="num">{t('admin.webhooks.col.code')}</th>
                    <th>{t('admin.webhooks.attemptError')}</th>
                    <th className="num">{t('admin.webhooks.col.duration')}</th>
                    <th>{t('admin.webhooks.attemptAt')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.attempts_log.map((a) => (
                    <tr key={a.attempt} data-testid="delivery-attempt">
                      <td className="num">{a.attempt}</td>
                      <td className={`num mono${a.status_code > 0 && !isSuccessCode(a.status_code) ? ' code-bad' : ''}`}>{statusCodeText(a.status_code)}</td>
                      <td className="audit-detail">{a.error || <span className="muted">—</span>}</td>
                      <td className="num">{t('admin.webhooks.ms', { ms: a.duration_ms })}</td>
                      <td>
                        <DateCell iso={a.at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="modal-actions">
            <button type="button" className="btn btn-ghost" onClick={onClose}>
              {t('admin.close')}
            </button>
            <button type="button" className="btn btn-primary" onClick={() => onReplay(d)} data-testid="delivery-dialog-replay">
              {t('admin.webhooks.replay')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  )
}

// ---------- help ----------

function SignatureHelp() {
  const { t } = useI18n()
  return (
    <section className="admin-card webhook-help" data-testid="webhook-help">
      <h3>{t('admin.webhooks.help.title')}</h3>
      <p>{t('admin.webhooks.help.intro')}</p>
      <ul className="webhook-headers">
        <li>
          <code>{EVENT_HEADER}</code> — {t('admin.webhooks.help.event')}
        </li>
        <li>
          <code>{DELIVERY_HEADER}</code> — {t('admin.webhooks.help.delivery')}
        </li>
        <li>
          <code>{EVENT_ID_HEADER}</code> — {t('admin.webhooks.help.eventId')}
        </li>
        <li>
          <code>{TIMESTAMP_HEADER}</code> — {t('admin.webhooks.help.timestamp')}
        </li>
        <li>
          <code>{SIGNATURE_HEADER}: sha256=&lt;hex&gt;</code> — {t('admin.webhooks.help.signature')}
        </li>
      </ul>
      <p>{t('admin.webhooks.help.verify')}</p>
      <p className="muted">{t('admin.webhooks.help.example')}</p>
      <pre className="code-example" data-testid="webhook-signature-example">
        {SIGNATURE_EXAMPLE}
      </pre>
    </section>
  )
}
