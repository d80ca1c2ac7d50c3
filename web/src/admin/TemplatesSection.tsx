// A WhatsApp Official channel's message templates, in its editor (kinds
// with capabilities.templates): the list with each one's review status (and
// Meta's reason when refused), "Sync from Meta" (POST …/templates/sync, 202;
// what Meta holds comes back as template.updated events), live updates from
// those events, and the form that submits a new one to Meta's review, with
// one example per {{n}} of the body and a preview.
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { MessageTemplate, TemplateCategory } from '../api/types'
import { errorText } from '../format'
import { useI18n } from '../i18n'
import type { Translate } from '../i18n'
import { useStreamEvents, useStreamReconnect } from '../session'
import { TemplatePreview } from '../templates/TemplatePreview'
import {
  BODY_MAX,
  categoryLabel,
  emptyTemplateForm,
  examplesOf,
  FOOTER_MAX,
  HEADER_MAX,
  languageLabel,
  NAME_MAX,
  newTemplateBody,
  normalizeTemplateName,
  sortTemplates,
  TEMPLATE_CATEGORIES,
  TEMPLATE_FIELDS,
  TEMPLATE_LANGUAGES,
  templateField,
  templateProblems,
  templateReason,
  templateStatusLabel,
  templateTone,
  upsertTemplate,
  variableCount,
  withBody,
  withExample,
} from '../templates/templateLogic'
import type { TemplateForm } from '../templates/templateLogic'
import { ApiError } from '../api/client'
import { formErrors, NO_ERRORS } from './adminLogic'
import type { FormErrors } from './adminLogic'
import { channelsApi } from './channelsApi'
import { Dialog, FieldError, FormError, LoadState, useLoad } from './ui'

export function TemplatesSection({ channelId }: { channelId: string }) {
  const { t } = useI18n()
  const loaded = useLoad(() => channelsApi.templates(channelId).then((d) => sortTemplates(d.items)), [channelId])
  const [creating, setCreating] = useState(false)
  const [syncing, setSyncing] = useState(false)
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null)
  const list = loaded.data

  const upsert = (tpl: MessageTemplate) => loaded.setData((d) => (d ? upsertTemplate(d, tpl, channelId) : d))

  useStreamEvents((ev) => {
    if (ev.type === 'template.updated' && ev.data.channel_id === channelId) upsert(ev.data)
  })
  // events may have been missed while the stream was down
  useStreamReconnect(() => {
    channelsApi.templates(channelId).then(
      (d) => loaded.setData(() => sortTemplates(d.items)),
      () => undefined,
    )
  })

  async function sync() {
    setSyncing(true)
    setNotice(null)
    try {
      await channelsApi.syncTemplates(channelId)
      setNotice({ ok: true, text: t('templates.syncStarted') })
    } catch (err) {
      setNotice({ ok: false, text: errorText(err, t) })
    }
    setSyncing(false)
  }

  return (
    <section className="templates-section" data-testid="templates-section" data-channel={channelId}>
      <div className="templates-head">
        <h4>{t('templates.title')}</h4>
        <span className="templates-actions">
          <button type="button" className="btn btn-ghost btn-sm" onClick={sync} disabled={syncing} data-testid="templates-sync">
            {syncing ? t('templates.syncing') : t('templates.sync')}
          </button>
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setCreating(true)} data-testid="template-create-open">
            {t('templates.new')}
          </button>
        </span>
      </div>
      <p className="field-help muted">{t('templates.intro')}</p>
      <p className="field-help muted" data-testid="templates-cost-note">
        {t('templates.costNote')}
      </p>
      {notice && (
        <p className={`alert ${notice.ok ? 'alert-info' : 'alert-error'}`} role={notice.ok ? 'status' : 'alert'} data-testid="templates-notice">
          {notice.text}
        </p>
      )}
      <LoadState loaded={loaded} />
      {list && list.length === 0 && (
        <p className="empty" data-testid="templates-empty">
          {t('templates.empty')}
        </p>
      )}
      {list && list.length > 0 && (
        <ul className="template-list">
          {list.map((tpl) => (
            <TemplateRow key={tpl.id} tpl={tpl} />
          ))}
        </ul>
      )}
      {creating && (
        <Dialog title={t('templates.new')} onClose={() => setCreating(false)} testId="template-create-dialog" wide>
          <TemplateCreateForm
            channelId={channelId}
            onCancel={() => setCreating(false)}
            onCreated={(tpl) => {
              upsert(tpl)
              setCreating(false)
              setNotice({ ok: true, text: t('templates.submitted', { name: tpl.name }) })
            }}
          />
        </Dialog>
      )}
    </section>
  )
}

function TemplateRow({ tpl }: { tpl: MessageTemplate }) {
  const { t } = useI18n()
  const tone = templateTone(tpl.status)
  const reason = templateReason(tpl, t)
  return (
    <li className={`template-item tone-${tone}`} data-testid="template-row" data-id={tpl.id} data-status={tpl.status}>
      <div className="template-item-head">
        <span className="mono strong" data-testid="template-name">
          {tpl.name}
        </span>
        <span className="muted" data-testid="template-meta">
          {languageLabel(tpl.language, t)} · {categoryLabel(tpl.category, t)}
        </span>
        <span className={`pill pill-${tone}`} data-testid="template-status" data-status={tpl.status} data-tone={tone}>
          {templateStatusLabel(tpl.status, t)}
        </span>
      </div>
      {reason && (
        <p className="template-reason" data-testid="template-reason">
          {reason}
        </p>
      )}
      {tpl.unsupported && (
        <p className="template-reason" data-testid="template-unsupported">
          {t('templates.unsupported', { why: tpl.unsupported })}
        </p>
      )}
      <p className="template-body muted">{tpl.body}</p>
    </li>
  )
}

/** The examples' problems go under their boxes; the rest under their fields. */
function clientErrors(form: TemplateForm, t: Translate): FormErrors | null {
  const problems = templateProblems(form)
  const keys = Object.keys(problems)
  if (keys.length === 0) return null
  const fields: Record<string, string> = {}
  for (const k of keys) fields[k] = t(problems[k].key, problems[k].params)
  return { fields, top: null }
}

function TemplateCreateForm({
  channelId,
  onCreated,
  onCancel,
}: {
  channelId: string
  onCreated: (tpl: MessageTemplate) => void
  onCancel: () => void
}) {
  const { t } = useI18n()
  const [form, setForm] = useState<TemplateForm>(emptyTemplateForm)
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const set = <K extends keyof TemplateForm>(k: K, v: TemplateForm[K]) => setForm((f) => ({ ...f, [k]: v }))
  const n = variableCount(form.body)

  async function submit(e: FormEvent) {
    e.preventDefault()
    const mine = clientErrors(form, t)
    if (mine) {
      setErrors(mine)
      return
    }
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      onCreated(await channelsApi.createTemplate(channelId, newTemplateBody(form)))
    } catch (err) {
      // "examples[1]" and the like land under the examples
      const where = err instanceof ApiError ? templateField(err.problem.field) : undefined
      const named = err instanceof ApiError && where !== err.problem.field ? new ApiError(err.status, { ...err.problem, field: where }) : err
      setErrors(formErrors(named, TEMPLATE_FIELDS, t))
      setBusy(false)
    }
  }

  return (
    <form className="admin-form template-form" onSubmit={submit} noValidate data-testid="template-create-form">
      <FormError errors={errors} />
      <div className="template-form-grid">
        <div className="template-form-fields">
          <label className="field">
            {t('templates.name')}
            <input
              className="mono"
              value={form.name}
              onChange={(e) => set('name', normalizeTemplateName(e.target.value))}
              placeholder="confirmacao_pedido"
              maxLength={NAME_MAX}
              autoComplete="off"
              data-testid="template-name-input"
            />
            <span className="field-help muted">{t('templates.nameHelp')}</span>
            <FieldError errors={errors} field="name" />
          </label>
          <div className="template-form-row">
            <label className="field">
              {t('templates.category')}
              <select value={form.category} onChange={(e) => set('category', e.target.value as TemplateCategory)} data-testid="template-category">
                {TEMPLATE_CATEGORIES.map((c) => (
                  <option key={c} value={c}>
                    {categoryLabel(c, t)}
                  </option>
                ))}
              </select>
              <FieldError errors={errors} field="category" />
            </label>
            <label className="field">
              {t('templates.language')}
              <select value={form.language} onChange={(e) => set('language', e.target.value)} data-testid="template-language">
                {TEMPLATE_LANGUAGES.map((l) => (
                  <option key={l} value={l}>
                    {languageLabel(l, t)}
                  </option>
                ))}
              </select>
              <FieldError errors={errors} field="language" />
            </label>
          </div>
          <span className="field-help muted" data-testid="template-category-help">
            {t(`templates.categoryHelp.${form.category}`)}
          </span>
          <label className="field">
            <span>
              {t('templates.header')} <span className="muted">({t('templates.optional')})</span>
            </span>
            <input value={form.header} onChange={(e) => set('header', e.target.value)} maxLength={HEADER_MAX} data-testid="template-header" />
            <FieldError errors={errors} field="header" />
          </label>
          <label className="field">
            {t('templates.body')}
            <textarea
              rows={5}
              value={form.body}
              onChange={(e) => setForm((f) => withBody(f, e.target.value))}
              maxLength={BODY_MAX}
              placeholder={t('templates.bodyPlaceholder')}
              data-testid="template-body"
            />
            <span className="field-help muted">{t('templates.bodyHelp')}</span>
            <FieldError errors={errors} field="body" />
          </label>
          {n > 0 && (
            <fieldset className="settings-box template-examples" data-testid="template-examples" data-count={n}>
              <legend>{t('templates.examples')}</legend>
              <p className="field-help muted">{t('templates.examplesHelp')}</p>
              <FieldError errors={errors} field="examples" />
              {examplesOf(form).map((v, i) => (
                <label key={i} className="field field-inline template-example">
                  <span className="mono">{`{{${i + 1}}}`}</span>
                  <input
                    value={v}
                    onChange={(e) => setForm((f) => withExample(f, i, e.target.value))}
                    aria-label={t('templates.exampleFor', { n: `{{${i + 1}}}` })}
                    data-testid="template-example"
                    data-n={i + 1}
                  />
                  <FieldError errors={errors} field={`examples.${i}`} />
                </label>
              ))}
            </fieldset>
          )}
          <label className="field">
            <span>
              {t('templates.footer')} <span className="muted">({t('templates.optional')})</span>
            </span>
            <input value={form.footer} onChange={(e) => set('footer', e.target.value)} maxLength={FOOTER_MAX} data-testid="template-footer" />
            <FieldError errors={errors} field="footer" />
          </label>
        </div>
        <div className="template-form-side">
          <span className="field-help muted">{t('templates.preview')}</span>
          <TemplatePreview header={form.header} body={form.body} footer={form.footer} values={examplesOf(form)} />
          <p className="field-help muted">{t('templates.reviewNote')}</p>
          <p className="field-help muted">{t('templates.costNote')}</p>
        </div>
      </div>
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="template-create-submit">
          {busy ? t('templates.submitting') : t('templates.submit')}
        </button>
      </div>
    </form>
  )
}
