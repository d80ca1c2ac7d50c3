// Channels: the list with each channel's status and an on/off switch, a
// "new channel" form offering the kinds GET /channel-kinds says can be
// created, and the editor of the selected channel. Two kinds have bespoke
// editors (the server names them in `component`): webchat appearance,
// pre-chat form, business hours and the embed snippet; API channel outbound
// delivery, the inbound URL and token rotation. Every other kind gets a form
// built from its settings schema. A channel's status badge and activation
// checklist follow the stream's channel.updated events at once; while an
// activation runs the screen also asks for the channel every 2 s, in case an
// event is missed, and asks again for everything after the stream comes back.
// A step waiting for the manager shows its prompt (WhatsApp's QR code, or
// the code to type on the phone: PairingPrompt). Inbound tokens are shown once.
// Kinds with `oauth` (Instagram, Messenger) connect their account through the
// provider's consent screen: the editor's "Connect with …" button sends the
// browser there (POST /channels/:id/oauth), and the provider's callback
// brings it back to /admin/channels?channel=<id>&oauth=connected (or
// &oauth_error=<reason>), which this screen reads once, opening the channel
// with a notice, and then removes from the address.
// Kinds with capabilities.templates (WhatsApp Official) add the channel's
// message templates below the editor (TemplatesSection).
// LinkedIn's editor is a guided activation (LinkedInSettings): the capture
// extension, its token, the CRM stage of its cards and the first capture,
// which the screen awaits by asking for the channel every 5 s (and at once
// on its channel.updated events).
import { useEffect, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { ChannelActivation, ChannelDetail, ChannelKindInfo, ChannelListItem, ChannelSettingField, PreChatMode } from '../api/types'
import { channelGlyph, errorText, formatDateTime } from '../format'
import { hasKey, useI18n } from '../i18n'
import type { MessageKey } from '../i18n'
import { navigate } from '../router'
import { useSession, useStreamEvents, useStreamReconnect } from '../session'
import { channelsApi } from './channelsApi'
import {
  ACTIVATION_POLL_MS,
  activationRunning,
  apiForm,
  apiFormProblems,
  apiSettingsBody,
  applyChannelUpdate,
  channelFieldKeys,
  connectLabel,
  connectsByOAuth,
  createDialogFields,
  createFields,
  DEFAULT_TIMEZONE,
  defaultKind,
  editorFor,
  fieldHelp,
  fieldLabel,
  genericForm,
  genericFormProblems,
  genericSettingsBody,
  hasStoredSecret,
  hoursProblems,
  inboundExample,
  isStoredSecret,
  kindInfo,
  kindLabel,
  kindOptions,
  LINKEDIN_POLL_MS,
  awaitingFirstCapture,
  linkedInForm,
  linkedInSettingsBody,
  listItem,
  newChannelBody,
  oauthProvider,
  oauthRedirectUri,
  oauthReturn,
  problemSetting,
  redirectHelp,
  oneTimeToken,
  optionLabel,
  pairsAgain,
  PRECHAT_FIELDS,
  PRECHAT_MODES,
  promptInstructions,
  providerInfo,
  retryLabel,
  SECRET_PLACEHOLDER,
  settingsKey,
  statusHelp,
  statusLabel,
  statusTone,
  stepDetail,
  stepLabel,
  stepPrompt,
  textColorOn,
  webchatForm,
  webchatSettings,
  WEEKDAYS,
  withoutOAuthReturn,
  withoutToken,
} from './channelsLogic'
import type { ApiForm, GenericForm, GenericValue, HoursForm, LinkedInForm, OAuthReturn, WebchatForm, Weekday } from './channelsLogic'
import { formErrors, NO_ERRORS } from './adminLogic'
import type { FormErrors } from './adminLogic'
import { ConfirmDialog, Dialog, FieldError, FormError, LoadState, useLoad } from './ui'
import { PairingPrompt } from './PairingPrompt'
import { TemplatesSection } from './TemplatesSection'
import { LinkedInSettingsForm } from './LinkedInSettings'

type Secret = { name: string; token: string; inboundUrl?: string }

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)

/** Client-side problems (message keys by field) as FormErrors. */
function problemErrors(problems: Record<string, MessageKey>, t: (k: MessageKey) => string): FormErrors {
  const fields: Record<string, string> = {}
  for (const [k, v] of Object.entries(problems)) fields[k] = t(v)
  return { fields, top: null }
}

export function ChannelsTab() {
  const { t } = useI18n()
  const loaded = useLoad(() => channelsApi.list())
  const kinds = useLoad(() => channelsApi.kinds())
  // back from the provider's consent screen: the channel it was for, and how it went
  const [oauthBack] = useState<OAuthReturn | null>(() => oauthReturn(window.location.search))
  const [selected, setSelected] = useState<string | null>(() => oauthBack?.channel ?? null)
  // the newest answer for a channel that came from outside its editor (a
  // poll of its activation, the list's switch), handed to the open editor
  const [live, setLive] = useState<ChannelDetail | null>(null)
  const [creating, setCreating] = useState(false)
  const [secret, setSecret] = useState<Secret | null>(null)
  const [toggleError, setToggleError] = useState<string | null>(null)
  const [pollRound, setPollRound] = useState(0)
  const items = loaded.data?.items ?? []
  const kindList = kinds.data?.items ?? null

  // read once: the address loses the callback's parameters (a reload shows no notice again)
  useEffect(() => {
    if (!oauthBack) return
    const { pathname, search, hash } = window.location
    navigate(pathname + withoutOAuthReturn(search) + hash, { replace: true })
  }, [])

  function upsert(ch: ChannelListItem) {
    const row = listItem(ch)
    loaded.setData((d) => (d ? { items: [...d.items.filter((x) => x.id !== row.id), row].sort(byName) } : d))
  }

  function open(id: string) {
    setLive(null)
    setSelected(id)
  }

  async function toggle(ch: ChannelListItem, active: boolean) {
    setToggleError(null)
    upsert({ ...ch, active })
    try {
      const saved = withoutToken(await channelsApi.update(ch.id, { active }))
      upsert(saved)
      if (saved.id === selected) setLive(saved)
    } catch (err) {
      upsert(ch)
      setToggleError(`${ch.name}: ${errorText(err, t)}`)
    }
  }

  // Health and activation progress, live: the list's badge here, the open
  // editor in ChannelEditor.
  useStreamEvents((ev) => {
    if (ev.type !== 'channel.updated') return
    loaded.setData((d) => (d ? { items: d.items.map((x) => applyChannelUpdate(x, ev.data)) } : d))
  })

  // Events may have been missed while the stream was down.
  useStreamReconnect(() => {
    channelsApi.list().then(
      (d) => loaded.setData(() => d),
      () => undefined,
    )
    if (selected) {
      channelsApi.get(selected).then(
        (ch) => setLive(withoutToken(ch)),
        () => undefined,
      )
    }
  })

  // Channels whose activation is running are asked for again every 2 s
  // (one round at a time) until the workflow ends.
  const running = items
    .filter(activationRunning)
    .map((ch) => ch.id)
    .join(',')
  useEffect(() => {
    if (!running) return
    const timer = setTimeout(async () => {
      await Promise.all(
        running.split(',').map(async (id) => {
          try {
            const ch = withoutToken(await channelsApi.get(id))
            upsert(ch)
            setLive(ch)
          } catch {
            // asked again in the next round
          }
        }),
      )
      setPollRound((n) => n + 1)
    }, ACTIVATION_POLL_MS)
    return () => clearTimeout(timer)
  }, [running, pollRound])

  return (
    <section className="admin-section" data-testid="admin-channels">
      <div className="admin-section-head">
        <h2>{t('admin.channels.title')}</h2>
        {loaded.data && kindList && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setCreating(true)} data-testid="channel-create-open">
            {t('admin.channels.new')}
          </button>
        )}
      </div>
      <p className="muted">{t('admin.channels.intro')}</p>
      <LoadState loaded={loaded} />
      {kinds.error != null && <LoadState loaded={kinds} />}
      {oauthBack && <OAuthNotice back={oauthBack} />}
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
                data-status={ch.status}
              >
                <button type="button" className="channel-open" onClick={() => open(ch.id)} data-testid="channel-open">
                  <span className={`channel-badge static ch-${ch.kind}`} aria-hidden="true">
                    {channelGlyph(ch.kind)}
                  </span>
                  <span className="channel-item-text">
                    <span className="profile-item-name">{ch.name}</span>
                    <span className="muted profile-item-meta">
                      {kindLabel(ch.kind, t, kindInfo(kindList, ch.kind)?.label)} ·{' '}
                      {ch.status ? (
                        <StatusBadge status={ch.status} reason={ch.status_reason} testId="channel-status-badge" />
                      ) : ch.active ? (
                        t('admin.channels.active')
                      ) : (
                        t('admin.channels.inactive')
                      )}
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
              kindList ? (
                <ChannelEditor key={selected} id={selected} kinds={kindList} live={live} onSaved={upsert} onToken={setSecret} />
              ) : (
                kinds.loading && <p className="muted admin-loading">{t('app.loading')}</p>
              )
            ) : (
              <p className="empty">{t('admin.channels.pick')}</p>
            )}
          </div>
        </div>
      )}
      {creating && kindList && (
        <Dialog title={t('admin.channels.new')} onClose={() => setCreating(false)} testId="channel-create-dialog">
          <ChannelCreateForm
            kinds={kindList}
            onCancel={() => setCreating(false)}
            onCreated={(ch) => {
              setCreating(false)
              upsert(ch)
              open(ch.id)
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

/** What the provider's callback reported, above the channel it opened. */
function OAuthNotice({ back }: { back: OAuthReturn }) {
  const { t } = useI18n()
  if (back.connected) {
    return (
      <p className="alert alert-ok" role="status" data-testid="channel-oauth-notice" data-outcome="connected">
        {t('admin.channels.oauth.connected')}
      </p>
    )
  }
  return (
    <div className="alert alert-error" role="alert" data-testid="channel-oauth-notice" data-outcome="error">
      {back.error ? t('admin.channels.oauth.failed', { reason: back.error }) : t('admin.channels.oauth.failedNoReason')}
    </div>
  )
}

/** A channel's status as a small coloured badge; the provider's reason as its tooltip. */
function StatusBadge({ status, reason, testId }: { status: string; reason?: string; testId: string }) {
  const { t } = useI18n()
  const tone = statusTone(status)
  return (
    <span className={`pill channel-status pill-${tone}`} title={reason || undefined} data-testid={testId} data-status={status} data-tone={tone}>
      {statusLabel(status, t)}
    </span>
  )
}

function ChannelCreateForm({
  kinds,
  onCreated,
  onCancel,
}: {
  kinds: ChannelKindInfo[]
  onCreated: (ch: ChannelDetail) => void
  onCancel: () => void
}) {
  const { t } = useI18n()
  const options = kindOptions(kinds)
  const [kind, setKind] = useState<string>(() => defaultKind(kinds))
  const info = kindInfo(kinds, kind)
  // every setting once asked for; those the server's refusal named (a mailbox's password)
  const [all, setAll] = useState(false)
  const [named, setNamed] = useState<string[]>([])
  const fields = createDialogFields(info, { all, named })
  const more = !!info && !info.component && info.settings.length > fields.length
  const [values, setValues] = useState<GenericForm>(() => genericForm(createFields(info)))
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const helpKey = `admin.channels.kindHelp.${kind}`
  const locked = options.some((o) => o.choice !== 'ok')

  function pick(k: string) {
    setKind(k)
    setAll(false)
    setNamed([])
    setValues(genericForm(createFields(kindInfo(kinds, k))))
    setErrors(NO_ERRORS)
  }

  /** Fields coming into the dialog start from their defaults (a required select's first option). */
  function reveal(next: { all?: boolean; named?: string[] }) {
    const shown = createDialogFields(info, { all: next.all ?? all, named: next.named ?? named })
    setValues((v) => ({ ...genericForm(shown), ...v }))
    if (next.all !== undefined) setAll(next.all)
    if (next.named) setNamed(next.named)
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!info) return
    const problems = genericFormProblems(fields, values)
    if (Object.keys(problems).length > 0) {
      setErrors(problemErrors(problems, t))
      return
    }
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      onCreated(await channelsApi.create(newChannelBody(info, name, values, fields)))
    } catch (err) {
      const problem = formErrors(err, channelFieldKeys(info.settings), t)
      // a setting the dialog does not show yet comes in, with the server's words under it
      const missing = Object.keys(problem.fields)
        .map((f) => problemSetting(info, f))
        .filter((n): n is string => !!n && !fields.some((f) => f.name === n))
      if (missing.length > 0) reveal({ named: [...named, ...missing] })
      setErrors(problem)
      setBusy(false)
    }
  }

  return (
    <form className="admin-form" onSubmit={submit} data-testid="channel-create-form">
      <FormError errors={errors} />
      {!info && (
        <p className="alert alert-info" data-testid="channel-no-kinds">
          {t('admin.channels.noKinds')}
        </p>
      )}
      <label className="field">
        {t('admin.channels.kind')}
        <select value={kind} onChange={(e) => pick(e.target.value)} data-testid="channel-kind">
          {options.map(({ info: k, choice }) => (
            <option key={k.kind} value={k.kind} disabled={choice !== 'ok'} data-choice={choice}>
              {kindLabel(k.kind, t, k.label)}
              {choice === 'soon' ? ` (${t('admin.channels.soon')})` : choice === 'plan' ? ` (${t('admin.channels.notInPlan')})` : ''}
            </option>
          ))}
        </select>
        {hasKey(helpKey) && <span className="field-help muted">{t(helpKey)}</span>}
        {locked && (
          <span className="field-help muted" data-testid="channel-kind-soon-note">
            {t('admin.channels.soonNote')}
          </span>
        )}
        <FieldError errors={errors} field="kind" />
      </label>
      <label className="field">
        {t('admin.channels.name')}
        <input value={name} onChange={(e) => setName(e.target.value)} required placeholder={t('admin.channels.namePlaceholder')} data-testid="channel-name" />
        <FieldError errors={errors} field="name" />
      </label>
      {fields.map((f) => (
        <SettingField
          key={`${kind}.${f.name}`}
          kind={kind}
          field={f}
          value={values[f.name]}
          stored={false}
          errors={errors}
          onChange={(v) => setValues({ ...values, [f.name]: v })}
        />
      ))}
      {more && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => reveal({ all: true })} data-testid="channel-create-more">
          {t('admin.channels.moreSettings')}
        </button>
      )}
      <FieldError errors={errors} field="settings" />
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy || !info} data-testid="channel-create-submit">
          {busy ? t('admin.saving') : t('admin.channels.create')}
        </button>
      </div>
    </form>
  )
}

function ChannelEditor({
  id,
  kinds,
  live,
  onSaved,
  onToken,
}: {
  id: string
  kinds: ChannelKindInfo[]
  live: ChannelDetail | null
  onSaved: (ch: ChannelListItem) => void
  onToken: (s: Secret) => void
}) {
  const loaded = useLoad(() => channelsApi.get(id).then(withoutToken), [id])
  const channel = loaded.data
  useEffect(() => {
    if (live && live.id === id) loaded.setData(() => live)
  }, [live])
  // LinkedIn: the capture times are in the channel, not in the event
  const linkedIn = !!channel && editorFor(kindInfo(kinds, channel.kind)) === 'linkedin'
  function refresh() {
    channelsApi.get(id).then(
      (ch) => loaded.setData(() => withoutToken(ch)),
      () => undefined,
    )
  }
  useStreamEvents((ev) => {
    if (ev.type !== 'channel.updated' || ev.data.id !== id) return
    loaded.setData((ch) => (ch ? applyChannelUpdate(ch, ev.data) : ch))
    if (linkedIn) refresh()
  })
  // Awaiting LinkedIn's first capture: asked for again every 5 s (an event may be missed).
  const awaiting = linkedIn && !!channel && channel.active && awaitingFirstCapture(channel)
  useEffect(() => {
    if (!awaiting) return
    const timer = setInterval(refresh, LINKEDIN_POLL_MS)
    return () => clearInterval(timer)
  }, [awaiting, id])
  // The list follows what the editor knows: a fresh status, and a running
  // activation the list then keeps asking after.
  useEffect(() => {
    if (channel) onSaved(channel)
  }, [channel])
  return (
    <>
      <LoadState loaded={loaded} />
      {channel && (
        <ChannelForm
          channel={channel}
          info={kindInfo(kinds, channel.kind)}
          onSaved={(ch) => loaded.setData(() => withoutToken(ch))}
          onToken={onToken}
        />
      )}
      {/* beside the settings form, not in it: it has a form of its own */}
      {channel && kindInfo(kinds, channel.kind)?.capabilities?.templates && <TemplatesSection channelId={channel.id} />}
    </>
  )
}

function ChannelForm({
  channel,
  info,
  onSaved,
  onToken,
}: {
  channel: ChannelDetail
  info: ChannelKindInfo | undefined
  onSaved: (ch: ChannelDetail) => void
  onToken: (s: Secret) => void
}) {
  const { t } = useI18n()
  const editor = editorFor(info)
  const fields: ChannelSettingField[] = editor === 'generic' && info ? info.settings : []
  const [name, setName] = useState(channel.name)
  const [web, setWeb] = useState<WebchatForm>(() => webchatForm(channel.settings))
  const [api, setApi] = useState<ApiForm>(() => apiForm(channel.settings))
  const [li, setLi] = useState<LinkedInForm>(() => linkedInForm(channel.settings))
  const [gen, setGen] = useState<GenericForm>(() => genericForm(fields, channel.settings))
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const [saved, setSaved] = useState(false)
  // changes not saved yet: connecting (OAuth) uses the stored settings
  const [dirty, setDirty] = useState(false)
  const [rotating, setRotating] = useState(false)
  const [retrying, setRetrying] = useState(false)
  const [connecting, setConnecting] = useState(false)
  const [connectError, setConnectError] = useState<string | null>(null)
  // the saved settings decide (a mailbox signing in with a password has nothing to connect)
  const oauth = connectsByOAuth(info, channel.settings) && editor !== 'none'
  // back from the consent screen by the browser's Back button (page restored from its cache): the button works again
  useEffect(() => {
    const restored = (e: PageTransitionEvent) => {
      if (e.persisted) setConnecting(false)
    }
    window.addEventListener('pageshow', restored)
    return () => window.removeEventListener('pageshow', restored)
  }, [])
  // a logged-out phone comes back by pairing again (a failed or running activation has its own say)
  const canPairAgain =
    channel.status === 'needs_reauth' && pairsAgain(channel.kind) && channel.activation?.state !== 'failed' && !activationRunning(channel)
  const dayProblems = editor === 'webchat' ? hoursProblems(web.hours) : {}
  const apiProblems = editor === 'api' ? apiFormProblems(api) : {}

  function touched() {
    setSaved(false)
    setDirty(true)
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
    const genProblems = editor === 'generic' ? genericFormProblems(fields, gen, channel.settings) : {}
    if (Object.keys(genProblems).length > 0) {
      setErrors(problemErrors(genProblems, t))
      return
    }
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      const settings =
        editor === 'webchat'
          ? { ...webchatSettings(web) }
          : editor === 'api'
            ? { ...apiSettingsBody(api) }
            : editor === 'linkedin'
              ? linkedInSettingsBody(li)
              : genericSettingsBody(fields, gen)
      const ch = await channelsApi.update(channel.id, { name: name.trim(), settings })
      // The answer masks secrets again: their boxes show the placeholder.
      if (editor === 'api') setApi(apiForm(ch.settings))
      if (editor === 'generic') setGen(genericForm(fields, ch.settings))
      setSaved(true)
      setDirty(false)
      setConnectError(null)
      onSaved(ch)
    } catch (err) {
      setErrors(formErrors(err, channelFieldKeys(editor === 'linkedin' && info ? info.settings : fields), t))
    }
    setBusy(false)
  }

  /**
   * Sends the browser to the provider's consent screen; it comes back to
   * this screen by the server's callback. A problem (the app's id and
   * secret missing: 422 on settings.app_id; no secret key: 503) shows by
   * the button and, when it names a field, under that field too.
   */
  async function connect() {
    if (dirty) {
      setConnectError(t('admin.channels.oauth.saveFirst'))
      return
    }
    setConnecting(true)
    setConnectError(null)
    setErrors(NO_ERRORS)
    try {
      const { url } = await channelsApi.oauth(channel.id)
      window.location.assign(url)
      // still "opening…" while the browser leaves
    } catch (err) {
      const problem = formErrors(err, channelFieldKeys(fields), t)
      setErrors({ fields: problem.fields, top: null })
      setConnectError(problem.top ?? Object.values(problem.fields)[0] ?? errorText(err, t))
      setConnecting(false)
    }
  }

  /** Runs the activation again (pairs again, for WhatsApp): switching the channel on starts it. */
  async function retry() {
    setRetrying(true)
    setErrors(NO_ERRORS)
    try {
      onSaved(await channelsApi.update(channel.id, { active: true }))
    } catch (err) {
      setErrors({ fields: {}, top: errorText(err, t) })
    }
    setRetrying(false)
  }

  return (
    <form className="admin-form channel-editor" onSubmit={submit} data-testid="channel-editor" data-id={channel.id} data-kind={channel.kind}>
      <h3>
        <span className={`channel-badge static ch-${channel.kind}`} aria-hidden="true">
          {channelGlyph(channel.kind)}
        </span>{' '}
        {channel.name} <span className="muted">· {kindLabel(channel.kind, t, info?.label)}</span>
      </h3>
      {channel.status && <ChannelStatusLine channel={channel} onPairAgain={canPairAgain ? retry : undefined} retrying={retrying} />}
      {channel.activation && (
        <ActivationProgress kind={channel.kind} settings={channel.settings} activation={channel.activation} retrying={retrying} onRetry={retry} />
      )}
      {oauth && (
        <OAuthConnect
          kind={channel.kind}
          status={channel.status}
          label={info?.label}
          settings={channel.settings}
          busy={connecting}
          error={connectError}
          onConnect={connect}
        />
      )}
      <FormError errors={errors} />
      {saved && (
        <p className="alert alert-ok" role="status" data-testid="channel-saved">
          {t('admin.saved')}
        </p>
      )}
      {editor === 'none' ? (
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
            {editor === 'webchat' ? (
              <WebchatSettingsForm
                form={web}
                snippet={channel.snippet ?? ''}
                problems={dayProblems}
                onChange={(f) => {
                  setWeb(f)
                  touched()
                }}
              />
            ) : editor === 'linkedin' ? (
              <LinkedInSettingsForm
                channel={channel}
                form={li}
                errors={errors}
                onChange={(f) => {
                  setLi(f)
                  touched()
                }}
              />
            ) : editor === 'api' ? (
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
            ) : (
              <GenericSettingsForm
                kind={channel.kind}
                fields={fields}
                form={gen}
                settings={channel.settings}
                webhookUrl={channel.webhook_url ?? ''}
                errors={errors}
                onChange={(f) => {
                  setGen(f)
                  touched()
                }}
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

/** The status, prominently, with the provider's reason and since when; what to do about it when the kind says. */
function ChannelStatusLine({ channel, onPairAgain, retrying }: { channel: ChannelDetail; onPairAgain?: () => void; retrying: boolean }) {
  const { t, lang } = useI18n()
  const { me } = useSession()
  const since = channel.status_at ? formatDateTime(channel.status_at, lang, me.account.timezone) : ''
  const help = statusHelp(channel.kind, channel.status, t)
  return (
    <div className={`channel-status-line tone-${statusTone(channel.status)}`} data-testid="channel-editor-status" data-status={channel.status}>
      <span className="muted">{t('admin.channels.status')}:</span> <StatusBadge status={channel.status} reason={channel.status_reason} testId="channel-editor-status-badge" />
      {channel.status_reason && (
        <span className="channel-status-reason" data-testid="channel-status-reason">
          {channel.status_reason}
        </span>
      )}
      {since && (
        <time className="muted" dateTime={channel.status_at}>
          {t('admin.channels.statusSince', { when: since })}
        </time>
      )}
      {(help || onPairAgain) && (
        <span className="channel-status-help">
          {help && (
            <span className="field-help muted" data-testid="channel-status-help">
              {help}
            </span>
          )}
          {onPairAgain && (
            <button type="button" className="btn btn-primary btn-sm" onClick={onPairAgain} disabled={retrying} data-testid="channel-pair-again">
              {retryLabel(channel.kind, t)}
            </button>
          )}
        </span>
      )}
    </div>
  )
}

/**
 * Connecting the channel's account through the provider (Instagram Login,
 * Facebook Login): the button, prominent when the provider asked for a new
 * login (needs_reauth), and the callback address to register in Meta's app.
 */
function OAuthConnect({
  kind,
  status,
  label,
  settings,
  busy,
  error,
  onConnect,
}: {
  kind: string
  status: string
  label?: string
  /** the saved settings: a mailbox names the provider it signs in with */
  settings?: Record<string, unknown>
  busy: boolean
  error: string | null
  onConnect: () => void
}) {
  const { t } = useI18n()
  const provider = oauthProvider(kind, t, label, settings)
  const reauth = status === 'needs_reauth'
  const redirectUri = oauthRedirectUri(window.location.origin)
  return (
    <section className={`oauth-connect${reauth ? ' is-reauth' : ''}`} data-testid="channel-oauth" data-reauth={reauth ? 'true' : 'false'}>
      <h4>{t('admin.channels.oauth.title')}</h4>
      {reauth ? (
        <p className="alert alert-error" data-testid="channel-oauth-reauth">
          {t('admin.channels.oauth.helpReauth', { provider })}
        </p>
      ) : (
        <p className="field-help muted">{t('admin.channels.oauth.help', { provider })}</p>
      )}
      {error && (
        <div className="alert alert-error" role="alert" data-testid="channel-oauth-error">
          {error}
        </div>
      )}
      <div className="oauth-connect-actions">
        <button type="button" className="btn btn-primary" onClick={onConnect} disabled={busy} data-testid="channel-oauth-connect">
          {busy ? t('admin.channels.oauth.opening', { provider }) : connectLabel(kind, status, t, label, settings)}
        </button>
      </div>
      <div className="field">
        <span>{t('admin.channels.oauth.redirectUri')}</span>
        <span className="secret-box">
          <input className="mono" readOnly value={redirectUri} onFocus={(e) => e.target.select()} data-testid="channel-oauth-redirect-uri" />
          <CopyButton text={redirectUri} testId="channel-oauth-redirect-uri-copy" selectTestId="channel-oauth-redirect-uri" />
        </span>
        <span className="field-help muted">{redirectHelp(kind, provider, t)}</span>
      </div>
    </section>
  )
}

const STEP_ICON: Record<string, string> = { pending: '○', running: '◌', done: '✓', failed: '✕', skipped: '–' }

/**
 * The activation workflow as a checklist, live while it runs: a step waiting
 * for the manager shows its prompt in place of the server's English line
 * (when the kind has its own instructions); a failure offers to try again.
 */
function ActivationProgress({
  kind,
  settings,
  activation,
  retrying,
  onRetry,
}: {
  kind: string
  settings: Record<string, unknown>
  activation: ChannelActivation
  retrying: boolean
  onRetry: () => void
}) {
  const { t } = useI18n()
  const stateKey = `admin.channels.activation.${activation.state}`
  return (
    <section className={`activation is-${activation.state}`} data-testid="channel-activation" data-state={activation.state} aria-live="polite">
      <h4>{t('admin.channels.activation.title')}</h4>
      {hasKey(stateKey) && <p className="activation-summary">{t(stateKey)}</p>}
      <ol className="activation-steps">
        {(activation.steps ?? []).map((s) => {
          const stepStateKey = `admin.channels.stepState.${s.state}`
          const prompt = activation.state === 'running' ? stepPrompt(s) : null
          const detail = prompt && promptInstructions(kind, prompt.type, t).own ? '' : stepDetail(kind, s, settings, t)
          return (
            <li key={s.name} className={`activation-step is-${s.state}`} data-testid="activation-step" data-step={s.name} data-state={s.state}>
              <span className="activation-icon" aria-hidden="true">
                {STEP_ICON[s.state] ?? '○'}
              </span>
              <span className="activation-step-name">{stepLabel(s.name, t, kind)}</span>
              <span className="muted activation-step-state">{hasKey(stepStateKey) ? t(stepStateKey) : s.state}</span>
              {detail && (
                <span className="activation-step-detail" data-testid="activation-step-detail">
                  {detail}
                </span>
              )}
              {prompt && <PairingPrompt kind={kind} prompt={prompt} />}
            </li>
          )
        })}
      </ol>
      {activation.state === 'failed' && (
        <div className="alert alert-error alert-inline" role="alert" data-testid="activation-error">
          <span>{activation.error || t('admin.channels.activation.failed')}</span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={onRetry} disabled={retrying} data-testid="activation-retry">
            {retryLabel(kind, t)}
          </button>
        </div>
      )}
    </section>
  )
}

/** A kind's settings from its schema, plus what the server reports on its own (bot, mode, webhook URL). */
function GenericSettingsForm({
  kind,
  fields,
  form,
  settings,
  webhookUrl,
  errors,
  onChange,
}: {
  kind: string
  fields: ChannelSettingField[]
  form: GenericForm
  settings: Record<string, unknown>
  webhookUrl: string
  errors: FormErrors
  onChange: (f: GenericForm) => void
}) {
  const { t } = useI18n()
  const provider = providerInfo(settings)
  return (
    <div className="generic-settings" data-testid="generic-settings">
      {(provider.username || provider.mode || provider.account) && (
        <div className="provider-info">
          {provider.username && (
            <p className="provider-connected" data-testid="channel-connected-as">
              {t('admin.channels.connectedAs', { username: provider.username })}
            </p>
          )}
          {provider.account && !provider.username && (
            <p className="provider-connected" data-testid="channel-connected-as">
              {t('admin.channels.connectedAsName', { name: provider.account.name })}
              {provider.account.id && (
                <span className="muted" data-testid="channel-account-id">
                  {' · '}
                  {t('admin.channels.accountId', { id: provider.account.id })}
                </span>
              )}
            </p>
          )}
          {provider.mode && (
            <p className="field-help muted" data-testid="channel-mode" data-mode={provider.mode}>
              {t(provider.mode === 'webhook' ? 'admin.channels.mode.webhook' : 'admin.channels.mode.polling')}
            </p>
          )}
        </div>
      )}
      {webhookUrl && provider.mode !== 'polling' && (
        <div className="field">
          <span>{t('admin.channels.webhookUrl')}</span>
          <span className="secret-box">
            <input className="mono" readOnly value={webhookUrl} onFocus={(e) => e.target.select()} data-testid="channel-webhook-url" />
            <CopyButton text={webhookUrl} testId="channel-webhook-url-copy" selectTestId="channel-webhook-url" />
          </span>
          <span className="field-help muted">{t('admin.channels.webhookHelp')}</span>
        </div>
      )}
      {fields.map((f) => (
        <SettingField
          key={f.name}
          kind={kind}
          field={f}
          value={form[f.name]}
          stored={isStoredSecret(settings[f.name])}
          errors={errors}
          onChange={(v) => onChange({ ...form, [f.name]: v })}
        />
      ))}
    </div>
  )
}

/** One field of a kind's schema; its problem (ours or the server's 422) shows inside its label. */
function SettingField({
  kind,
  field,
  value,
  stored,
  errors,
  onChange,
}: {
  kind: string
  field: ChannelSettingField
  value: GenericValue | undefined
  stored: boolean
  errors: FormErrors
  onChange: (v: GenericValue) => void
}) {
  const { t } = useI18n()
  const label = fieldLabel(kind, field, t)
  const help = field.type === 'secret' && stored ? t('admin.channels.secretStored') : fieldHelp(kind, field, t)
  const key = settingsKey(field.name)
  const testId = `channel-field-${field.name}`
  const textValue = typeof value === 'string' ? value : ''
  if (field.type === 'bool') {
    return (
      <div className="field">
        <label className="check">
          <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
          <span>{label}</span>
        </label>
        {help && <span className="field-help muted">{help}</span>}
        <FieldError errors={errors} field={key} />
      </div>
    )
  }
  return (
    <label className="field" data-field={key}>
      <span>
        {label}
        {field.required && (
          <span className="required-mark" aria-hidden="true">
            {' '}
            *
          </span>
        )}
      </span>
      {field.type === 'select' ? (
        <select value={textValue} onChange={(e) => onChange(e.target.value)} aria-required={field.required} data-testid={testId}>
          {!field.required && <option value="">{t('admin.channels.selectNone')}</option>}
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {optionLabel(kind, field, o, t)}
            </option>
          ))}
        </select>
      ) : field.type === 'secret' ? (
        <input
          type="password"
          autoComplete="new-password"
          className="mono"
          value={textValue}
          onChange={(e) => onChange(e.target.value)}
          onFocus={(e) => {
            if (e.target.value === SECRET_PLACEHOLDER) e.target.select()
          }}
          aria-required={field.required}
          data-testid={testId}
        />
      ) : (
        <input
          type={field.type === 'url' ? 'url' : field.type === 'number' ? 'number' : 'text'}
          value={textValue}
          onChange={(e) => onChange(e.target.value)}
          aria-required={field.required}
          data-testid={testId}
        />
      )}
      {help && <span className="field-help muted">{help}</span>}
      <FieldError errors={errors} field={key} />
    </label>
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
