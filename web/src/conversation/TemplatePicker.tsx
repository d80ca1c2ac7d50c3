// The composer's template picker (channels with capabilities.templates:
// WhatsApp Official). Outside the 24 h window the only message Meta lets
// through is an approved template: the picker lists the channel's APPROVED
// ones, asks one value per {{n}} ({{1}} starts as the contact's first name
// when the template greets with it), previews the message as the customer
// will read it and sends {template: {id, params}}. A failed send keeps the
// values, and the same values again reuse the Idempotency-Key.
import { useEffect, useRef, useState } from 'react'
import type { KeyboardEvent } from 'react'
import type { Message, MessageTemplate, TemplateSend } from '../api/types'
import { errorText } from '../format'
import { useI18n } from '../i18n'
import { useStreamEvents } from '../session'
import { TemplatePreview } from '../templates/TemplatePreview'
import { categoryLabel, languageLabel, paramsComplete, prefill, resize, sendable, upsertTemplate, variableCount } from '../templates/templateLogic'
import { keyForSend } from './composerLogic'
import type { PendingSend } from './composerLogic'

export interface TemplateOptions {
  /** the conversation's channel: its templates, and the template.updated events that concern it */
  channelId: string
  /** GET /channels/:id/templates */
  load: () => Promise<MessageTemplate[]>
  send: (template: TemplateSend, idempotencyKey: string) => Promise<Message>
  /** for {{1}} when the template greets the customer by name */
  contactName?: string
}

export function TemplatePicker({
  conversationId,
  options,
  onSent,
  onClose,
}: {
  conversationId: string
  options: TemplateOptions
  onSent: (m: Message) => void
  onClose: () => void
}) {
  const { t } = useI18n()
  const { channelId, load, send, contactName } = options
  const [all, setAll] = useState<MessageTemplate[] | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [attempt, setAttempt] = useState(0)
  const [chosen, setChosen] = useState<MessageTemplate | null>(null)
  const [values, setValues] = useState<string[]>([])
  const [sending, setSending] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const pending = useRef<PendingSend | null>(null)
  const firstInput = useRef<HTMLInputElement>(null)

  useEffect(() => {
    let cancelled = false
    setLoadError(null)
    load().then(
      (items) => {
        if (!cancelled) setAll(items)
      },
      (err) => {
        if (!cancelled) setLoadError(errorText(err, t))
      },
    )
    return () => {
      cancelled = true
    }
  }, [attempt])

  // a template approved (or paused) while the picker is open shows up (or goes) at once
  useStreamEvents((ev) => {
    if (ev.type !== 'template.updated' || ev.data.channel_id !== channelId) return
    setAll((list) => (list ? upsertTemplate(list, ev.data, channelId) : list))
    if (chosen && chosen.id === ev.data.id) {
      const still = ev.data.status === 'APPROVED' && !ev.data.unsupported
      setChosen(still ? ev.data : null)
      if (still) setValues((v) => resize(v, Math.max(ev.data.params, variableCount(ev.data.body))))
    }
  })

  useEffect(() => {
    if (chosen) firstInput.current?.focus()
  }, [chosen?.id])

  const approved = all ? sendable(all, channelId) : []

  function choose(tpl: MessageTemplate) {
    setChosen(tpl)
    setValues(prefill(tpl, contactName))
    setError(null)
  }

  async function submit() {
    if (!chosen || sending || !paramsComplete(values)) return
    const template: TemplateSend = { id: chosen.id, params: values.map((v) => v.trim()) }
    const key = keyForSend(pending.current, { conversationId, body: '', kind: 'text', attachmentIds: [], template })
    pending.current = key
    setSending(true)
    setError(null)
    try {
      const message = await send(template, key.key)
      pending.current = null
      onSent(message)
    } catch (err) {
      setError(t('composer.template.notSent', { detail: errorText(err, t) }))
      setSending(false)
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Escape') {
      e.preventDefault()
      onClose()
    }
  }

  return (
    <div className="template-picker" role="dialog" aria-label={t('composer.template.title')} data-testid="template-picker" onKeyDown={onKeyDown}>
      <div className="template-picker-head">
        <span className="ai-panel-title">{t('composer.template.title')}</span>
        <button type="button" className="chip-x" aria-label={t('admin.close')} onClick={onClose} data-testid="template-picker-close">
          ×
        </button>
      </div>
      <p className="field-help muted">{t('composer.template.help')}</p>
      {loadError && (
        <div className="alert alert-error alert-inline" role="alert" data-testid="template-load-error">
          <span>{loadError}</span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAttempt((n) => n + 1)}>
            {t('app.retry')}
          </button>
        </div>
      )}
      {!all && !loadError && <p className="muted">{t('app.loading')}</p>}
      {all && approved.length === 0 && (
        <p className="empty" data-testid="template-none">
          {t('composer.template.none')}
        </p>
      )}
      {approved.length > 0 && (
        <div className="template-picker-body">
          <ul className="template-options" role="listbox" aria-label={t('composer.template.choose')}>
            {approved.map((tpl) => (
              <li key={tpl.id} role="option" aria-selected={chosen?.id === tpl.id}>
                <button
                  type="button"
                  className={`template-option${chosen?.id === tpl.id ? ' is-active' : ''}`}
                  onClick={() => choose(tpl)}
                  data-testid="template-option"
                  data-id={tpl.id}
                >
                  <span className="mono strong">{tpl.name}</span>
                  <span className="muted">
                    {languageLabel(tpl.language, t)} · {categoryLabel(tpl.category, t)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {chosen ? (
            <div className="template-fill" data-testid="template-fill" data-id={chosen.id}>
              {values.map((v, i) => (
                <label key={i} className="field field-inline template-param">
                  <span className="mono">{`{{${i + 1}}}`}</span>
                  <input
                    ref={i === 0 ? firstInput : undefined}
                    value={v}
                    onChange={(e) => {
                      setValues(values.map((x, j) => (j === i ? e.target.value : x)))
                      setError(null)
                    }}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') {
                        e.preventDefault()
                        void submit()
                      }
                    }}
                    aria-label={t('composer.template.valueFor', { n: `{{${i + 1}}}` })}
                    data-testid="template-param"
                    data-n={i + 1}
                  />
                </label>
              ))}
              <TemplatePreview header={chosen.header} body={chosen.body} footer={chosen.footer} values={values} />
              <p className="field-help muted" data-testid="template-cost">
                {t('composer.template.cost', { category: categoryLabel(chosen.category, t) })}
              </p>
              {error && (
                <div className="composer-error" role="alert" data-testid="template-error">
                  {error}
                </div>
              )}
              <div className="ai-panel-actions">
                <button type="button" className="btn btn-ghost btn-sm" onClick={onClose}>
                  {t('admin.cancel')}
                </button>
                <button
                  type="button"
                  className="btn btn-primary btn-sm"
                  disabled={sending || !paramsComplete(values)}
                  title={paramsComplete(values) ? undefined : t('composer.template.fillAll')}
                  onClick={() => void submit()}
                  data-testid="template-send"
                >
                  {sending ? t('composer.sending') : t('composer.template.send')}
                </button>
              </div>
            </div>
          ) : (
            <p className="muted template-pick-hint">{t('composer.template.pick')}</p>
          )}
        </div>
      )}
    </div>
  )
}
