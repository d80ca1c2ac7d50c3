// The LinkedIn channel's editor: a guided activation in four steps.
// LinkedIn has no messaging API for ordinary accounts and forbids automated
// collection, so CHATSPOT never calls it: a browser extension captures the
// profile or conversation on screen when the person clicks its button.
// 1. install the extension (download, load unpacked; its id for IT);
// 2. connect it: a token of the person's own (POST /linkedin/token), shown
//    once, with the CHATSPOT address, both pasted in the extension's options;
// 3. optionally, the CRM pipeline and stage "Capturar + oportunidade" puts its
//    card in (settings pipeline_id / stage_id, saved with the channel);
// 4. the first capture: awaited (the channel screen asks for the channel
//    again every 5 s and on channel.updated), then when it and the latest came.
import { useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import type { ChannelDetail, LinkedInExtensionToken, Pipeline } from '../api/types'
import { errorText, formatDateTime } from '../format'
import { useI18n } from '../i18n'
import { useSession } from '../session'
import { crmApi } from '../crm/crmApi'
import { canUseCrm } from '../crm/crmLogic'
import { channelsApi } from './channelsApi'
import { awaitingFirstCapture, extensionUrl } from './channelsLogic'
import type { LinkedInForm } from './channelsLogic'
import type { FormErrors } from './adminLogic'
import { CopyButton } from './ChannelsTab'
import { FieldError, useLoad } from './ui'

export function LinkedInSettingsForm({
  channel,
  form,
  errors,
  onChange,
}: {
  channel: ChannelDetail
  form: LinkedInForm
  errors: FormErrors
  onChange: (f: LinkedInForm) => void
}) {
  const { t } = useI18n()
  return (
    <div className="linkedin-settings" data-testid="linkedin-settings">
      <div className="alert alert-info linkedin-limits" data-testid="linkedin-limits">
        <strong>{t('admin.channels.li.limitsTitle')}</strong> {t('admin.channels.li.limits')}
      </div>
      <ol className="linkedin-steps">
        <InstallStep channel={channel} />
        <ConnectStep />
        <CrmStep form={form} errors={errors} onChange={onChange} />
        <CaptureStep channel={channel} />
      </ol>
    </div>
  )
}

function Step({ n, title, testId, done, children }: { n: number; title: string; testId: string; done?: boolean; children: ReactNode }) {
  return (
    <li className={`linkedin-step${done ? ' is-done' : ''}`} data-testid={testId}>
      <h4 className="linkedin-step-title">
        <span className="linkedin-step-n" aria-hidden="true">
          {done ? '✓' : n}
        </span>{' '}
        {title}
      </h4>
      <div className="linkedin-step-body">{children}</div>
    </li>
  )
}

function InstallStep({ channel }: { channel: ChannelDetail }) {
  const { t } = useI18n()
  const id = channel.extension_id ?? ''
  return (
    <Step n={1} title={t('admin.channels.li.install.title')} testId="linkedin-step-install">
      <p>
        <a className="btn btn-primary btn-sm" href={extensionUrl(channel)} download data-testid="linkedin-download">
          ⬇ {t('admin.channels.li.install.download')}
        </a>
      </p>
      <ol className="linkedin-howto" data-testid="linkedin-install-steps">
        <li>{t('admin.channels.li.install.unzip')}</li>
        <li>
          {t('admin.channels.li.install.open')} <code>chrome://extensions</code> {t('admin.channels.li.install.orEdge')} <code>edge://extensions</code>
          {t('admin.channels.li.install.openEnd')}
        </li>
        <li>{t('admin.channels.li.install.devMode')}</li>
        <li>{t('admin.channels.li.install.load')}</li>
        <li>{t('admin.channels.li.install.pin')}</li>
      </ol>
      {id && (
        <div className="field">
          <span>{t('admin.channels.li.install.id')}</span>
          <span className="secret-box">
            <input className="mono" readOnly value={id} onFocus={(e) => e.target.select()} data-testid="linkedin-extension-id" />
            <CopyButton text={id} testId="linkedin-extension-id-copy" selectTestId="linkedin-extension-id" />
          </span>
          <span className="field-help muted">{t('admin.channels.li.install.idHelp')}</span>
        </div>
      )}
    </Step>
  )
}

function ConnectStep() {
  const { t } = useI18n()
  const [token, setToken] = useState<LinkedInExtensionToken | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [made, setMade] = useState(false)
  const origin = window.location.origin

  async function generate() {
    setBusy(true)
    setError(null)
    try {
      setToken(await channelsApi.linkedInToken())
      setMade(true)
    } catch (err) {
      setError(errorText(err, t))
    }
    setBusy(false)
  }

  return (
    <Step n={2} title={t('admin.channels.li.connect.title')} testId="linkedin-step-connect">
      <p className="field-help muted">{t('admin.channels.li.connect.help')}</p>
      {error && (
        <div className="alert alert-error" role="alert" data-testid="linkedin-token-error">
          {error}
        </div>
      )}
      {token ? (
        <div className="linkedin-token" data-testid="linkedin-token">
          <p className="alert alert-warn" data-testid="linkedin-token-warning">
            {t('admin.channels.li.connect.once')}
          </p>
          <div className="field">
            <span>{t('admin.channels.li.connect.token')}</span>
            <span className="secret-box">
              <input className="mono" readOnly value={token.token} onFocus={(e) => e.target.select()} data-testid="linkedin-token-secret" />
              <CopyButton text={token.token} testId="linkedin-token-copy" selectTestId="linkedin-token-secret" />
            </span>
          </div>
          <div className="field">
            <span>{t('admin.channels.li.connect.address')}</span>
            <span className="secret-box">
              <input className="mono" readOnly value={origin} onFocus={(e) => e.target.select()} data-testid="linkedin-server-url" />
              <CopyButton text={origin} testId="linkedin-server-url-copy" selectTestId="linkedin-server-url" />
            </span>
          </div>
          <p className="field-help" data-testid="linkedin-token-where">
            {t('admin.channels.li.connect.where')}
          </p>
          <div className="modal-actions">
            <button type="button" className="btn btn-primary btn-sm" onClick={() => setToken(null)} data-testid="linkedin-token-done">
              {t('admin.channels.li.connect.done')}
            </button>
          </div>
        </div>
      ) : (
        <p>
          <button type="button" className="btn btn-primary btn-sm" onClick={generate} disabled={busy} data-testid="linkedin-token-generate">
            {busy ? t('admin.channels.li.connect.generating') : made ? t('admin.channels.li.connect.again') : t('admin.channels.li.connect.generate')}
          </button>
        </p>
      )}
      {made && !token && (
        <p className="field-help muted" data-testid="linkedin-token-gone">
          {t('admin.channels.li.connect.gone')}
        </p>
      )}
    </Step>
  )
}

function CrmStep({ form, errors, onChange }: { form: LinkedInForm; errors: FormErrors; onChange: (f: LinkedInForm) => void }) {
  const { t } = useI18n()
  const { me } = useSession()
  const crm = canUseCrm(me)
  return (
    <Step n={3} title={t('admin.channels.li.crm.title')} testId="linkedin-step-crm">
      <p className="field-help muted">{t('admin.channels.li.crm.help')}</p>
      {crm ? (
        <PipelinePicker form={form} errors={errors} onChange={onChange} />
      ) : (
        <p className="field-help muted" data-testid="linkedin-crm-unavailable">
          {t('admin.channels.li.crm.unavailable')}
        </p>
      )}
    </Step>
  )
}

function PipelinePicker({ form, errors, onChange }: { form: LinkedInForm; errors: FormErrors; onChange: (f: LinkedInForm) => void }) {
  const { t } = useI18n()
  const loaded = useLoad(() => crmApi.pipelines())
  const pipelines = useMemo(() => [...(loaded.data?.items ?? [])].sort((a, b) => a.position - b.position), [loaded.data])
  const chosen: Pipeline | undefined = pipelines.find((p) => p.id === form.pipeline_id)
  const stages = useMemo(() => [...(chosen?.stages ?? [])].sort((a, b) => a.position - b.position), [chosen])
  // a stored choice the list no longer has (deleted): still shown, so saving does not change it unseen
  const lostPipeline = !!loaded.data && !!form.pipeline_id && !chosen
  const lostStage = !!chosen && !!form.stage_id && !stages.some((s) => s.id === form.stage_id)

  if (loaded.loading) return <p className="muted">{t('app.loading')}</p>
  if (loaded.error != null) {
    return (
      <div className="alert alert-error alert-inline" role="alert" data-testid="linkedin-pipelines-error">
        <span>{errorText(loaded.error, t)}</span>
        <button type="button" className="btn btn-ghost btn-sm" onClick={loaded.reload}>
          {t('app.retry')}
        </button>
      </div>
    )
  }
  if (pipelines.length === 0) {
    return (
      <p className="field-help muted" data-testid="linkedin-no-pipelines">
        {t('admin.channels.li.crm.noPipelines')}
      </p>
    )
  }
  return (
    <div className="linkedin-crm">
      <label className="field" data-field="settings.pipeline_id">
        <span>{t('channelField.linkedin.pipeline_id')}</span>
        <select value={form.pipeline_id} onChange={(e) => onChange({ pipeline_id: e.target.value, stage_id: '' })} data-testid="linkedin-pipeline">
          <option value="">{t('admin.channels.li.crm.firstPipeline')}</option>
          {pipelines.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
          {lostPipeline && <option value={form.pipeline_id}>{t('admin.channels.li.crm.missing')}</option>}
        </select>
        <FieldError errors={errors} field="settings.pipeline_id" />
      </label>
      <label className="field" data-field="settings.stage_id">
        <span>{t('channelField.linkedin.stage_id')}</span>
        <select
          value={form.stage_id}
          onChange={(e) => onChange({ ...form, stage_id: e.target.value })}
          disabled={!form.pipeline_id}
          data-testid="linkedin-stage"
        >
          <option value="">{t('admin.channels.li.crm.firstStage')}</option>
          {stages.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
          {lostStage && <option value={form.stage_id}>{t('admin.channels.li.crm.missing')}</option>}
        </select>
        <FieldError errors={errors} field="settings.stage_id" />
      </label>
      <p className="field-help muted">{t('admin.channels.li.crm.save')}</p>
    </div>
  )
}

function CaptureStep({ channel }: { channel: ChannelDetail }) {
  const { t, lang } = useI18n()
  const { me } = useSession()
  const waiting = awaitingFirstCapture(channel)
  const when = (iso: string) => formatDateTime(iso, lang, me.account.timezone) || iso
  return (
    <Step n={4} title={t('admin.channels.li.capture.title')} testId="linkedin-step-capture" done={!waiting}>
      {waiting ? (
        <div className="linkedin-capture" data-testid="linkedin-first-capture" data-state="waiting" aria-live="polite">
          <p className="linkedin-waiting">
            <span className="spinner" aria-hidden="true" /> {t('admin.channels.li.capture.waiting')}
          </p>
          <p className="field-help muted">{t('admin.channels.li.capture.how')}</p>
          {!channel.active && (
            <p className="field-help is-warn" data-testid="linkedin-inactive">
              {t('admin.channels.li.capture.inactive')}
            </p>
          )}
        </div>
      ) : (
        <div className="linkedin-capture" data-testid="linkedin-first-capture" data-state="done" aria-live="polite">
          <p className="alert alert-ok" data-testid="linkedin-first-capture-at">
            <time dateTime={channel.first_capture_at ?? undefined}>{t('admin.channels.li.capture.first', { when: when(channel.first_capture_at!) })}</time>
          </p>
          {channel.last_capture_at && (
            <p className="field-help muted" data-testid="linkedin-last-capture-at">
              <time dateTime={channel.last_capture_at}>{t('admin.channels.li.capture.last', { when: when(channel.last_capture_at) })}</time>
            </p>
          )}
        </div>
      )}
    </Step>
  )
}
