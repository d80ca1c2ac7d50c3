// Channels: the list with an on/off switch, a "new channel" form (webchat or
// API), and the editor of the selected channel: webchat appearance, pre-chat
// form, business hours and the embed snippet; API channel outbound delivery,
// the inbound URL and token rotation. Inbound tokens are shown once.
import { useEffect, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { ChannelDetail, ChannelListItem, PreChatMode } from '../api/types'
import { channelGlyph, channelLabel, errorText } from '../format'
import { useI18n } from '../i18n'
import type { MessageKey } from '../i18n'
import { channelsApi } from './channelsApi'
import {
  apiForm,
  apiFormProblems,
  apiSettingsBody,
  CHANNEL_FIELDS,
  CONFIGURABLE_KINDS,
  DEFAULT_TIMEZONE,
  hasStoredSecret,
  hoursProblems,
  inboundExample,
  isConfigurable,
  oneTimeToken,
  PRECHAT_FIELDS,
  PRECHAT_MODES,
  SECRET_PLACEHOLDER,
  textColorOn,
  webchatForm,
  webchatSettings,
  WEEKDAYS,
  withoutToken,
} from './channelsLogic'
import type { ApiForm, HoursForm, WebchatForm, Weekday } from './channelsLogic'
import { formErrors, NO_ERRORS } from './adminLogic'
import type { FormErrors } from './adminLogic'
import { ConfirmDialog, Dialog, FieldError, FormError, LoadState, useLoad } from './ui'

type Secret = { name: string; token: string; inboundUrl?: string }

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)

export function ChannelsTab() {
  const { t } = useI18n()
  const loaded = useLoad(() => channelsApi.list())
  const [selected, setSelected] = useState<string | null>(null)
  const [creating, setCreating] = useState(false)
  const [secret, setSecret] = useState<Secret | null>(null)
  const [toggleError, setToggleError] = useState<string | null>(null)
  const items = loaded.data?.items ?? []

  function upsert(ch: ChannelListItem) {
    const row: ChannelListItem = { id: ch.id, kind: ch.kind, name: ch.name, active: ch.active }
    loaded.setData((d) => (d ? { items: [...d.items.filter((x) => x.id !== row.id), row].sort(byName) } : d))
  }

  async function toggle(ch: ChannelListItem, active: boolean) {
    setToggleError(null)
    upsert({ ...ch, active })
    try {
      const saved = await channelsApi.update(ch.id, { active })
      upsert(saved)
    } catch (err) {
      upsert(ch)
      setToggleError(`${ch.name}: ${errorText(err, t)}`)
    }
  }

  return (
    <section className="admin-section" data-testid="admin-channels">
      <div className="admin-section-head">
        <h2>{t('admin.channels.title')}</h2>
        {loaded.data && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setCreating(true)} data-testid="channel-create-open">
            {t('admin.channels.new')}
          </button>
        )}
      </div>
      <p className="muted">{t('admin.channels.intro')}</p>
      <LoadState loaded={loaded} />
      {toggleError && (
        <div className="alert alert-error" role="alert" data-testid="channel-toggle-error">
          {toggleError}
        </div>
      )}
      {loaded.data && (
        <div className="channels-layout">
          <ul className="profile-list channel-list">
            {items.length === 0 && <li className="empty">{t('admin.channels.empty')}</li>}
            {items.map((ch) => (
              <li
                key={ch.id}
                className={`channel-item${ch.id === selected ? ' is-selected' : ''}${ch.active ? '' : ' is-inactive'}`}
                data-testid="channel-row"
                data-id={ch.id}
                data-kind={ch.kind}
                data-active={ch.active ? 'true' : 'false'}
              >
                <button type="button" className="channel-open" onClick={() => setSelected(ch.id)} data-testid="channel-open">
                  <span className={`channel-badge static ch-${ch.kind}`} aria-hidden="true">
                    {channelGlyph(ch.kind)}
                  </span>
                  <span className="channel-item-text">
                    <span className="profile-item-name">{ch.name}</span>
                    <span className="muted profile-item-meta">
                      {channelLabel(ch.kind, t)} · {ch.active ? t('admin.channels.active') : t('admin.channels.inactive')}
                    </span>
                  </span>
                </button>
                <label className="switch" title={ch.active ? t('admin.channels.deactivate') : t('admin.channels.activate')}>
                  <input type="checkbox" checked={ch.active} onChange={(e) => toggle(ch, e.target.checked)} data-testid="channel-active" />
                  <span className="sr-only">{t('admin.channels.activeLabel', { name: ch.name })}</span>
                  <span className="switch-track" aria-hidden="true" />
                </label>
              </li>
            ))}
          </ul>
          <div className="profile-editor-pane">
            {selected ? (
              <ChannelEditor key={selected} id={selected} onSaved={upsert} onToken={setSecret} />
            ) : (
              <p className="empty">{t('admin.channels.pick')}</p>
            )}
          </div>
        </div>
      )}
      {creating && (
        <Dialog title={t('admin.channels.new')} onClose={() => setCreating(false)} testId="channel-create-dialog">
          <ChannelCreateForm
            onCancel={() => setCreating(false)}
            onCreated={(ch) => {
              setCreating(false)
              upsert(ch)
              setSelected(ch.id)
              const once = oneTimeToken(ch)
              if (once) setSecret({ name: once.name, token: once.token, inboundUrl: ch.inbound_url })
            }}
          />
        </Dialog>
      )}
      {secret && <ChannelTokenDialog {...secret} onClose={() => setSecret(null)} />}
    </section>
  )
}

function ChannelCreateForm({ onCreated, onCancel }: { onCreated: (ch: ChannelDetail) => void; onCancel: () => void }) {
  const { t } = useI18n()
  const [kind, setKind] = useState<string>('webchat')
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)

  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      onCreated(await channelsApi.create({ kind, name: name.trim(), settings: {} }))
    } catch (err) {
      setErrors(formErrors(err, CHANNEL_FIELDS, t))
      setBusy(false)
    }
  }

  return (
    <form className="admin-form" onSubmit={submit} data-testid="channel-create-form">
      <FormError errors={errors} />
      <label className="field">
        {t('admin.channels.kind')}
        <select value={kind} onChange={(e) => setKind(e.target.value)} data-testid="channel-kind">
          {CONFIGURABLE_KINDS.map((k) => (
            <option key={k} value={k}>
              {channelLabel(k, t)}
            </option>
          ))}
        </select>
        <span className="field-help muted">{t(kind === 'api' ? 'admin.channels.kindHelp.api' : 'admin.channels.kindHelp.webchat')}</span>
        <FieldError errors={errors} field="kind" />
      </label>
      <label className="field">
        {t('admin.channels.name')}
        <input value={name} onChange={(e) => setName(e.target.value)} required placeholder={t('admin.channels.namePlaceholder')} data-testid="channel-name" />
        <FieldError errors={errors} field="name" />
      </label>
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="channel-create-submit">
          {busy ? t('admin.saving') : t('admin.channels.create')}
        </button>
      </div>
    </form>
  )
}

function ChannelEditor({ id, onSaved, onToken }: { id: string; onSaved: (ch: ChannelListItem) => void; onToken: (s: Secret) => void }) {
  const loaded = useLoad(() => channelsApi.get(id).then(withoutToken), [id])
  return (
    <>
      <LoadState loaded={loaded} />
      {loaded.data && (
        <ChannelForm
          channel={loaded.data}
          onSaved={(ch) => {
            loaded.setData(() => withoutToken(ch))
            onSaved(ch)
          }}
          onToken={onToken}
        />
      )}
    </>
  )
}

function ChannelForm({ channel, onSaved, onToken }: { channel: ChannelDetail; onSaved: (ch: ChannelDetail) => void; onToken: (s: Secret) => void }) {
  const { t } = useI18n()
  const [name, setName] = useState(channel.name)
  const [web, setWeb] = useState<WebchatForm>(() => webchatForm(channel.settings))
  const [api, setApi] = useState<ApiForm>(() => apiForm(channel.settings))
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const [saved, setSaved] = useState(false)
  const [rotating, setRotating] = useState(false)
  const configurable = isConfigurable(channel.kind)
  const dayProblems = channel.kind === 'webchat' ? hoursProblems(web.hours) : {}
  const apiProblems = channel.kind === 'api' ? apiFormProblems(api) : {}

  function touched() {
    setSaved(false)
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    setSaved(false)
    if (Object.keys(dayProblems).length > 0) {
      setErrors({ fields: {}, top: t('admin.channels.fixHours') })
      return
    }
    if (apiProblems['settings.outbound_secret']) {
      setErrors({ fields: { 'settings.outbound_secret': t(apiProblems['settings.outbound_secret']) }, top: null })
      return
    }
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      const settings = channel.kind === 'webchat' ? { ...webchatSettings(web) } : { ...apiSettingsBody(api) }
      const ch = await channelsApi.update(channel.id, { name: name.trim(), settings })
      // The answer masks the secret again: the box shows the placeholder.
      if (channel.kind === 'api') setApi(apiForm(ch.settings))
      setSaved(true)
      onSaved(ch)
    } catch (err) {
      setErrors(formErrors(err, CHANNEL_FIELDS, t))
    }
    setBusy(false)
  }

  return (
    <form className="admin-form channel-editor" onSubmit={submit} data-testid="channel-editor" data-id={channel.id} data-kind={channel.kind}>
      <h3>
        <span className={`channel-badge static ch-${channel.kind}`} aria-hidden="true">
          {channelGlyph(channel.kind)}
        </span>{' '}
        {channel.name} <span className="muted">· {channelLabel(channel.kind, t)}</span>
      </h3>
      <FormError errors={errors} />
      {saved && (
        <p className="alert alert-ok" role="status" data-testid="channel-saved">
          {t('admin.saved')}
        </p>
      )}
      {!configurable ? (
        <p className="alert alert-info" data-testid="channel-not-configurable">
          {t('admin.channels.notConfigurable')}
        </p>
      ) : (
        <>
          <label className="field">
            {t('admin.channels.name')}
            <input
              value={name}
              onChange={(e) => {
                setName(e.target.value)
                touched()
              }}
              required
              data-testid="channel-edit-name"
            />
            <FieldError errors={errors} field="name" />
          </label>
          <fieldset className="settings-box" data-testid="channel-settings">
            <legend>{t('admin.channels.settings')}</legend>
            <FieldError errors={errors} field="settings" />
            {channel.kind === 'webchat' ? (
              <WebchatSettingsForm
                form={web}
                snippet={channel.snippet ?? ''}
                problems={dayProblems}
                onChange={(f) => {
                  setWeb(f)
                  touched()
                }}
              />
            ) : (
              <ApiSettingsForm
                form={api}
                stored={hasStoredSecret(channel.settings)}
                inboundUrl={channel.inbound_url ?? ''}
                errors={errors}
                onChange={(f) => {
                  setApi(f)
                  touched()
                }}
                onRotate={() => setRotating(true)}
              />
            )}
          </fieldset>
          <div className="modal-actions">
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="channel-save">
              {busy ? t('admin.saving') : t('admin.save')}
            </button>
          </div>
        </>
      )}
      {rotating && (
        <ConfirmDialog
          title={t('admin.channels.rotateTitle', { name: channel.name })}
          message={t('admin.channels.rotateWarning')}
          confirmLabel={t('admin.channels.rotate')}
          onCancel={() => setRotating(false)}
          onConfirm={async () => {
            const ch = await channelsApi.rotateToken(channel.id)
            setRotating(false)
            const once = oneTimeToken(ch)
            if (once) onToken({ name: once.name, token: once.token, inboundUrl: ch.inbound_url })
          }}
        />
      )}
    </form>
  )
}

const PRECHAT_LABEL: Record<(typeof PRECHAT_FIELDS)[number], MessageKey> = {
  name: 'admin.channels.prechat.name',
  email: 'admin.channels.prechat.email',
  phone: 'admin.channels.prechat.phone',
}

const WEEKDAY_LABEL: Record<Weekday, MessageKey> = {
  mon: 'rules.weekday.mon',
  tue: 'rules.weekday.tue',
  wed: 'rules.weekday.wed',
  thu: 'rules.weekday.thu',
  fri: 'rules.weekday.fri',
  sat: 'rules.weekday.sat',
  sun: 'rules.weekday.sun',
}

function timeZones(): string[] {
  try {
    const fn = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf
    if (fn) return fn('timeZone')
  } catch {
    // older engines: the short list below
  }
  return [DEFAULT_TIMEZONE, 'America/Manaus', 'America/Fortaleza', 'America/Recife', 'America/Belem', 'America/Cuiaba', 'America/Noronha', 'UTC']
}

function WebchatSettingsForm({
  form,
  snippet,
  problems,
  onChange,
}: {
  form: WebchatForm
  snippet: string
  problems: Partial<Record<Weekday, MessageKey>>
  onChange: (f: WebchatForm) => void
}) {
  const { t } = useI18n()
  const set = <K extends keyof WebchatForm>(k: K, v: WebchatForm[K]) => onChange({ ...form, [k]: v })
  const setHours = (h: HoursForm) => set('hours', h)
  const [zones] = useState(timeZones)

  return (
    <div className="webchat-settings">
      <div className="webchat-top">
        <div className="webchat-fields">
          <label className="field">
            {t('admin.channels.wc.title')}
            <input value={form.title} onChange={(e) => set('title', e.target.value)} data-testid="webchat-title" />
          </label>
          <label className="field field-inline">
            {t('admin.channels.wc.color')}
            <span className="color-field">
              <input type="color" value={form.color} onChange={(e) => set('color', e.target.value)} data-testid="webchat-color" />
              <span className="mono">{form.color}</span>
            </span>
          </label>
        </div>
        <WebchatPreview form={form} />
      </div>
      <label className="field">
        {t('admin.channels.wc.welcome')}
        <textarea rows={2} value={form.welcome_message} onChange={(e) => set('welcome_message', e.target.value)} data-testid="webchat-welcome" />
      </label>
      <label className="field">
        {t('admin.channels.wc.offline')}
        <textarea rows={2} value={form.offline_message} onChange={(e) => set('offline_message', e.target.value)} data-testid="webchat-offline" />
      </label>
      <label className="field">
        {t('admin.channels.wc.origins')}
        <textarea
          rows={3}
          className="mono"
          value={form.origins}
          onChange={(e) => set('origins', e.target.value)}
          placeholder="https://www.minhaloja.com.br"
          data-testid="webchat-origins"
        />
        <span className="field-help muted">{t('admin.channels.wc.originsHelp')}</span>
      </label>

      <fieldset className="member-picker">
        <legend>{t('admin.channels.wc.prechat')}</legend>
        <div className="prechat-grid">
          {PRECHAT_FIELDS.map((f) => (
            <label key={f} className="field">
              {t(PRECHAT_LABEL[f])}
              <select
                value={form.prechat[f]}
                onChange={(e) => set('prechat', { ...form.prechat, [f]: e.target.value as PreChatMode })}
                data-testid={`webchat-prechat-${f}`}
              >
                {PRECHAT_MODES.map((m) => (
                  <option key={m} value={m}>
                    {t(`admin.channels.prechat.${m}`)}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset className="member-picker hours-box">
        <legend>{t('admin.channels.wc.hours')}</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={form.hours.enabled}
            onChange={(e) => setHours({ ...form.hours, enabled: e.target.checked })}
            data-testid="webchat-hours-enabled"
          />
          <span>{t('admin.channels.wc.hoursEnable')}</span>
        </label>
        {!form.hours.enabled ? (
          <p className="field-help muted">{t('admin.channels.wc.hoursAlways')}</p>
        ) : (
          <>
            <label className="field">
              {t('admin.channels.wc.timezone')}
              <input
                list="chatspot-timezones"
                value={form.hours.timezone}
                onChange={(e) => setHours({ ...form.hours, timezone: e.target.value })}
                data-testid="webchat-timezone"
              />
              <datalist id="chatspot-timezones">
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </label>
            <table className="hours-table">
              <tbody>
                {WEEKDAYS.map((d) => {
                  const day = form.hours.days[d]
                  const setDay = (patch: Partial<typeof day>) => setHours({ ...form.hours, days: { ...form.hours.days, [d]: { ...day, ...patch } } })
                  const problem = problems[d]
                  return (
                    <tr key={d} data-testid="webchat-day" data-day={d} data-open={day.open ? 'true' : 'false'}>
                      <th scope="row">
                        <label className="check">
                          <input type="checkbox" checked={day.open} onChange={(e) => setDay({ open: e.target.checked })} data-testid={`webchat-day-open-${d}`} />
                          <span>{t(WEEKDAY_LABEL[d])}</span>
                        </label>
                      </th>
                      {day.open ? (
                        <td>
                          <span className="hours-span">
                            <input
                              type="time"
                              value={day.from}
                              onChange={(e) => setDay({ from: e.target.value })}
                              aria-label={t('admin.channels.wc.opens', { day: t(WEEKDAY_LABEL[d]) })}
                              data-testid={`webchat-day-from-${d}`}
                            />
                            <span className="muted">–</span>
                            <input
                              type="time"
                              value={day.to}
                              onChange={(e) => setDay({ to: e.target.value })}
                              aria-label={t('admin.channels.wc.closes', { day: t(WEEKDAY_LABEL[d]) })}
                              data-testid={`webchat-day-to-${d}`}
                            />
                          </span>
                          {problem && (
                            <span className="field-error" role="alert" data-testid="field-error" data-field={`business_hours.${d}`}>
                              {t(problem)}
                            </span>
                          )}
                        </td>
                      ) : (
                        <td className="muted">{t('admin.channels.wc.closed')}</td>
                      )}
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </>
        )}
      </fieldset>

      <div className="field">
        <span>{t('admin.channels.wc.snippet')}</span>
        <textarea readOnly rows={3} className="mono snippet" value={snippet} onFocus={(e) => e.target.select()} data-testid="webchat-snippet" />
        <span className="snippet-tools">
          <span className="field-help muted">{t('admin.channels.wc.snippetHelp')}</span>
          <CopyButton text={snippet} testId="webchat-snippet-copy" selectTestId="webchat-snippet" />
        </span>
      </div>
    </div>
  )
}

function WebchatPreview({ form }: { form: WebchatForm }) {
  const { t } = useI18n()
  const fg = textColorOn(form.color)
  return (
    <div className="webchat-preview" aria-label={t('admin.channels.wc.preview')} data-testid="webchat-preview">
      <div className="wc-window">
        <div className="wc-head" style={{ background: form.color, color: fg }} data-testid="webchat-preview-head">
          {form.title || t('admin.channels.wc.title')}
        </div>
        <div className="wc-body">{form.welcome_message && <div className="wc-bubble">{form.welcome_message}</div>}</div>
      </div>
      <div className="wc-balloon" style={{ background: form.color, color: fg }} aria-hidden="true">
        💬
      </div>
    </div>
  )
}

function ApiSettingsForm({
  form,
  stored,
  inboundUrl,
  errors,
  onChange,
  onRotate,
}: {
  form: ApiForm
  stored: boolean
  inboundUrl: string
  errors: FormErrors
  onChange: (f: ApiForm) => void
  onRotate: () => void
}) {
  const { t } = useI18n()
  return (
    <div className="api-settings">
      <h4>{t('admin.channels.api.inbound')}</h4>
      <div className="field">
        <span>{t('admin.channels.api.inboundUrl')}</span>
        <span className="secret-box">
          <input className="mono" readOnly value={inboundUrl} onFocus={(e) => e.target.select()} data-testid="api-inbound-url" />
          <CopyButton text={inboundUrl} testId="api-inbound-url-copy" selectTestId="api-inbound-url" />
        </span>
      </div>
      <p className="field-help muted">{t('admin.channels.api.inboundHelp')}</p>
      <pre className="code-example" data-testid="api-inbound-example">
        {inboundExample(inboundUrl || '…')}
      </pre>
      <div className="rotate-row">
        <span className="field-help muted">{t('admin.channels.api.tokenHelp')}</span>
        <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={onRotate} data-testid="channel-rotate-token">
          {t('admin.channels.rotate')}
        </button>
      </div>

      <h4>{t('admin.channels.api.outbound')}</h4>
      <p className="field-help muted">{t('admin.channels.api.outboundHelp')}</p>
      <label className="field">
        {t('admin.channels.api.outboundUrl')}
        <input
          type="url"
          value={form.outbound_url}
          onChange={(e) => onChange({ ...form, outbound_url: e.target.value })}
          placeholder="https://erp.example.com/chatspot"
          data-testid="api-outbound-url"
        />
        <FieldError errors={errors} field="settings.outbound_url" />
      </label>
      <label className="field">
        {t('admin.channels.api.outboundSecret')}
        <input
          type="password"
          autoComplete="new-password"
          value={form.outbound_secret}
          onChange={(e) => onChange({ ...form, outbound_secret: e.target.value })}
          onFocus={(e) => {
            if (e.target.value === SECRET_PLACEHOLDER) e.target.select()
          }}
          data-testid="api-outbound-secret"
        />
        <span className="field-help muted">{stored ? t('admin.channels.api.secretStored') : t('admin.channels.api.secretHelp')}</span>
        <FieldError errors={errors} field="settings.outbound_secret" />
      </label>
    </div>
  )
}

export function CopyButton({ text, testId, selectTestId, label }: { text: string; testId: string; selectTestId?: string; label?: ReactNode }) {
  const { t } = useI18n()
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null)
  useEffect(() => setCopied(null), [text])
  async function copy() {
    try {
      await navigator.clipboard.writeText(text)
      setCopied('yes')
    } catch {
      // no clipboard (plain http, permissions): select the text for Ctrl+C
      if (selectTestId) document.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[data-testid="${selectTestId}"]`)?.select()
      setCopied('no')
    }
  }
  return (
    <button type="button" className="btn btn-ghost btn-sm" onClick={copy} data-testid={testId} title={copied === 'no' ? t('admin.tokens.copyManually') : undefined}>
      {copied === 'yes' ? t('admin.tokens.copied') : (label ?? t('admin.tokens.copy'))}
    </button>
  )
}

/** The inbound token, once: after closing, it is gone from the page. */
export function ChannelTokenDialog({ name, token, inboundUrl, onClose }: Secret & { onClose: () => void }) {
  const { t } = useI18n()
  return (
    <Dialog title={t('admin.channels.tokenTitle', { name })} onClose={onClose} testId="channel-token-dialog">
      <p className="alert alert-warn" data-testid="channel-token-warning">
        {t('admin.channels.tokenWarning')}
      </p>
      <div className="secret-box">
        <input className="mono" readOnly value={token} onFocus={(e) => e.target.select()} aria-label={t('admin.tokens.secret')} data-testid="channel-token-secret" />
        <CopyButton text={token} testId="channel-token-copy" selectTestId="channel-token-secret" />
      </div>
      {inboundUrl && (
        <p className="field-help muted">
          {t('admin.channels.tokenUse')} <span className="mono">{inboundUrl}</span>
        </p>
      )}
      <div className="modal-actions">
        <button type="button" className="btn btn-primary" onClick={onClose} data-testid="channel-token-close">
          {t('admin.tokens.secretDone')}
        </button>
      </div>
    </Dialog>
  )
}
