// The rule editor: name, event, the condition (a builder of rows, or the raw
// expression checked live against the server), then either the distribution
// strategy and target or the ordered automation actions.
import { useEffect, useId, useRef, useState } from 'react'
import type { FormEvent } from 'react'
import type { AdminUser, QuickReply, Rule, RuleKind, Team } from '../api/types'
import { errorText } from '../format'
import { useI18n } from '../i18n'
import type { MessageKey } from '../i18n'
import { NO_ERRORS, toggleId } from './adminLogic'
import type { FormErrors } from './adminLogic'
import { rulesApi } from './rulesApi'
import type { PipelineChoice } from './rulesApi'
import {
  actionFieldName,
  actionLabel,
  actionParam,
  actionTypesFor,
  buildCondition,
  changeActionType,
  changeField,
  conditionError,
  errorMarker,
  eventLabel,
  eventsForKind,
  fieldLabel,
  fieldSpec,
  fieldsForEvent,
  formToInput,
  hasStage,
  MAX_OFFER_TIMEOUT_S,
  moveItem,
  newAction,
  newRow,
  newRuleForm,
  offsetOf,
  OPERATORS,
  operatorLabel,
  parseCondition,
  presetCron,
  presetOf,
  PRIORITIES,
  quickReplyLabel,
  ROW_PROBLEM_TEXT,
  ruleFormErrors,
  ruleToForm,
  SCHEDULE_PRESETS,
  SCHEDULED,
  scheduleDescription,
  strategyHelp,
  strategyLabel,
  valueLabel,
} from './rulesLogic'
import type { ActionForm, BuilderRow, ConditionError, Join, Operator, RuleForm } from './rulesLogic'
import { FieldError, FormError } from './ui'

type Validation = { state: 'idle' } | { state: 'checking' } | { state: 'ok' } | { state: 'error'; error: ConditionError } | { state: 'failed'; text: string }

/** A list the action pickers choose from, loaded by the rules tab when an automation is edited. */
export type ChoiceList<T> = { state: 'idle' } | { state: 'loading' } | { state: 'ok'; items: T[] } | { state: 'error'; text: string }

/** What the action pickers need besides teams and agents. */
export interface ActionChoices {
  /** the account's modules: the CRM actions need "crm" */
  modules: readonly string[]
  pipelines: ChoiceList<PipelineChoice>
  quickReplies: ChoiceList<QuickReply>
}

const TITLE: Record<RuleKind, MessageKey> = { distribution: 'rules.new.distribution', automation: 'rules.new.automation' }

export function RuleEditor({
  kind,
  rule,
  events,
  strategies,
  teams,
  users,
  choices,
  onSaved,
  onClose,
  onDryRun,
}: {
  kind: RuleKind
  rule: Rule | null
  events: string[]
  strategies: string[]
  teams: Team[]
  users: AdminUser[]
  choices: ActionChoices
  onSaved: (r: Rule) => void
  onClose: () => void
  onDryRun: (r: Rule) => void
}) {
  const { t } = useI18n()
  const [form, setForm] = useState<RuleForm>(() => (rule ? ruleToForm(rule) : newRuleForm(kind, events)))
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const [saveCondError, setSaveCondError] = useState<ConditionError | null>(null)
  const [saved, setSaved] = useState(false)
  const [dirty, setDirty] = useState(false)
  const [modeNote, setModeNote] = useState<MessageKey | null>(null)
  const built = buildCondition(form.rows, form.event)

  function update(patch: Partial<RuleForm>) {
    setForm((f) => ({ ...f, ...patch }))
    setSaved(false)
    setDirty(true)
  }

  function switchMode(mode: 'builder' | 'raw') {
    setModeNote(null)
    if (mode === form.mode) return
    if (mode === 'raw') {
      update({ mode, raw: built.text })
      return
    }
    const rows = parseCondition(form.raw, form.event)
    if (!rows) {
      setModeNote('rules.cond.builderUnavailable')
      return
    }
    update({ mode, rows })
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    setSaved(false)
    setSaveCondError(null)
    if (form.mode === 'builder' && Object.keys(built.problems).length > 0) {
      setErrors({ fields: { condition: t('rules.problem.fixRows') }, top: null })
      return
    }
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      const input = formToInput(form, rule)
      const r = rule ? await rulesApi.update(rule.id, input) : await rulesApi.create(input)
      setSaved(true)
      setDirty(false)
      onSaved(r)
    } catch (err) {
      setErrors(ruleFormErrors(err, form.actions.length, t))
      setSaveCondError(conditionError(err))
    }
    setBusy(false)
  }

  const offered = eventsForKind(form.kind, events)
  const eventChoices = offered.includes(form.event) ? offered : [...offered, form.event]

  return (
    <form className="admin-form rule-editor" onSubmit={submit} data-testid="rule-editor" data-id={rule?.id ?? ''} data-kind={form.kind}>
      <div className="admin-section-head">
        <h2>{rule ? t('rules.editTitle', { name: rule.name, version: rule.version }) : t(TITLE[kind])}</h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClose} data-testid="rule-back">
          {t('rules.back')}
        </button>
      </div>
      <FormError errors={errors} />
      {saved && (
        <p className="alert alert-ok" role="status" data-testid="rule-saved">
          {t('rules.saved', { version: rule?.version ?? 1 })}
        </p>
      )}
      {rule && rule.warnings.length > 0 && (
        <div className="alert alert-warn" data-testid="rule-warning">
          <strong>{t('rules.warningTitle')}</strong>
          <ul>
            {rule.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}

      <div className="admin-card">
        <div className="field-row">
          <label className="field">
            {t('rules.name')}
            <input value={form.name} onChange={(e) => update({ name: e.target.value })} required data-testid="rule-name" />
            <FieldError errors={errors} field="name" />
          </label>
          <label className="field">
            {t('rules.event')}
            <select value={form.event} onChange={(e) => update({ event: e.target.value })} data-testid="rule-event">
              {eventChoices.map((ev) => (
                <option key={ev} value={ev}>
                  {eventLabel(ev, t)}
                </option>
              ))}
            </select>
            <FieldError errors={errors} field="event" />
          </label>
          {form.event === 'conversation.idle' && (
            <label className="field">
              {t('rules.idleMinutes')}
              <input
                type="number"
                min={1}
                max={10080}
                value={form.idle_minutes}
                onChange={(e) => update({ idle_minutes: e.target.value })}
                data-testid="rule-idle-minutes"
              />
              <span className="field-help muted">{t('rules.idleMinutesHelp')}</span>
              <FieldError errors={errors} field="idle_minutes" />
            </label>
          )}
          {form.event === SCHEDULED && <ScheduleField value={form.schedule} errors={errors} onChange={(schedule) => update({ schedule })} />}
        </div>
      </div>

      <fieldset className="admin-card condition-box" data-testid="rule-condition">
        <legend>{t('rules.condition')}</legend>
        <div className="mode-switch" role="group" aria-label={t('rules.condition')}>
          <button
            type="button"
            className={`btn btn-ghost btn-sm${form.mode === 'builder' ? ' is-on' : ''}`}
            aria-pressed={form.mode === 'builder'}
            onClick={() => switchMode('builder')}
            data-testid="rule-mode-builder"
          >
            {t('rules.cond.builder')}
          </button>
          <button
            type="button"
            className={`btn btn-ghost btn-sm${form.mode === 'raw' ? ' is-on' : ''}`}
            aria-pressed={form.mode === 'raw'}
            onClick={() => switchMode('raw')}
            data-testid="rule-mode-raw"
          >
            {t('rules.cond.raw')}
          </button>
        </div>
        {modeNote && (
          <p className="alert alert-warn" role="status" data-testid="rule-builder-unavailable">
            {t(modeNote)}
          </p>
        )}
        {form.mode === 'builder' ? (
          <ConditionBuilder form={form} onChange={(rows) => update({ rows })} />
        ) : (
          <RawCondition event={form.event} value={form.raw} onChange={(raw) => update({ raw })} />
        )}
        <FieldError errors={errors} field="condition" />
        {saveCondError && saveCondError.line !== null && saveCondError.column !== null && (
          <ErrorMarkerView text={form.mode === 'raw' ? form.raw : built.text} line={saveCondError.line} column={saveCondError.column} />
        )}
      </fieldset>

      {form.kind === 'distribution' ? (
        <DistributionFields form={form} strategies={strategies} teams={teams} users={users} errors={errors} update={update} />
      ) : (
        <ActionsEditor actions={form.actions} teams={teams} users={users} choices={choices} errors={errors} onChange={(actions) => update({ actions })} />
      )}

      <div className="modal-actions">
        {rule && (
          <button type="button" className="btn btn-ghost" onClick={() => onDryRun(rule)} data-testid="rule-dry-run" title={dirty ? t('rules.dryRunSavedOnly') : undefined}>
            {t('rules.dryRun')}
          </button>
        )}
        {rule && dirty && <span className="field-help muted">{t('rules.dryRunSavedOnly')}</span>}
        <span className="spacer" />
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          {saved || !dirty ? t('admin.close') : t('admin.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="rule-save">
          {busy ? t('admin.saving') : t('admin.save')}
        </button>
      </div>
    </form>
  )
}

// ---------- schedule ----------

/**
 * "Quando" of a scheduled rule: a preset picker and the cron it stands for.
 * Picking a preset writes its cron; typing a preset's cron shows that preset;
 * "Personalizado" keeps the text for editing.
 */
function ScheduleField({ value, errors, onChange }: { value: string; errors: FormErrors; onChange: (cron: string) => void }) {
  const { t } = useI18n()
  const labelId = useId()
  const helpId = useId()
  const [custom, setCustom] = useState(false)
  const inputRef = useRef<HTMLInputElement>(null)
  const preset = custom ? 'custom' : presetOf(value)
  const description = scheduleDescription(value, t)
  const invalid = Boolean(errors.fields.schedule)

  function pick(id: string) {
    const cron = presetCron(id)
    if (cron === null) {
      setCustom(true)
      inputRef.current?.focus()
      return
    }
    setCustom(false)
    onChange(cron)
  }

  return (
    <div className="field schedule-field" role="group" aria-labelledby={labelId} data-testid="rule-schedule">
      <span id={labelId}>{t('rules.schedule')}</span>
      <div className="schedule-inputs">
        <select value={preset} onChange={(e) => pick(e.target.value)} aria-label={t('rules.schedule.preset')} data-testid="rule-schedule-preset">
          {SCHEDULE_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {t(`rules.schedule.preset.${p.id}`)}
            </option>
          ))}
          <option value="custom">{t('rules.schedule.preset.custom')}</option>
        </select>
        <input
          ref={inputRef}
          className="mono"
          value={value}
          onChange={(e) => {
            setCustom(false)
            onChange(e.target.value)
          }}
          placeholder="0 9 * * 1-5"
          spellCheck={false}
          autoComplete="off"
          aria-label={t('rules.schedule.cron')}
          aria-describedby={helpId}
          aria-invalid={invalid ? true : undefined}
          data-testid="rule-schedule-cron"
        />
      </div>
      {description && (
        <span className="field-help schedule-description" data-testid="rule-schedule-description">
          {description}
        </span>
      )}
      <span className="field-help muted" id={helpId}>
        {t('rules.schedule.help')}
      </span>
      <FieldError errors={errors} field="schedule" />
    </div>
  )
}

// ---------- condition ----------

function ConditionBuilder({ form, onChange }: { form: RuleForm; onChange: (rows: BuilderRow[]) => void }) {
  const { t } = useI18n()
  const fields = fieldsForEvent(form.event)
  const built = buildCondition(form.rows, form.event)
  const setRow = (i: number, row: BuilderRow) => onChange(form.rows.map((r, k) => (k === i ? row : r)))

  return (
    <div className="cond-builder">
      {form.rows.length === 0 && <p className="muted" data-testid="rule-condition-always">{t('rules.cond.always')}</p>}
      {form.rows.map((row, i) => {
        const spec = fieldSpec(form.event, row.field)
        const problem = built.problems[i]
        return (
          <div className="cond-row" key={i} data-testid="rule-cond-row" data-index={i}>
            {i === 0 ? (
              <span className="cond-join muted">{t('rules.cond.when')}</span>
            ) : (
              <select className="cond-join" value={row.join} onChange={(e) => setRow(i, { ...row, join: e.target.value as Join })} data-testid="rule-cond-join" aria-label={t('rules.cond.join')}>
                <option value="and">{t('rules.cond.and')}</option>
                <option value="or">{t('rules.cond.or')}</option>
              </select>
            )}
            <select
              value={row.field}
              onChange={(e) => {
                const to = fieldSpec(form.event, e.target.value)
                if (to) setRow(i, changeField(row, spec, to))
              }}
              data-testid="rule-cond-field"
              aria-label={t('rules.cond.field')}
            >
              {!spec && <option value={row.field}>{row.field}</option>}
              {fields.map((f) => (
                <option key={f.key} value={f.key}>
                  {fieldLabel(f.key, t)}
                </option>
              ))}
            </select>
            <select value={row.op} onChange={(e) => setRow(i, { ...row, op: e.target.value as Operator })} data-testid="rule-cond-op" aria-label={t('rules.cond.operator')}>
              {(spec ? OPERATORS[spec.type] : [row.op]).map((op) => (
                <option key={op} value={op}>
                  {operatorLabel(op, t)}
                </option>
              ))}
            </select>
            {spec?.type === 'bool' ? (
              <span />
            ) : spec?.type === 'enum' ? (
              <select value={row.value} onChange={(e) => setRow(i, { ...row, value: e.target.value })} data-testid="rule-cond-value" aria-label={t('rules.cond.value')}>
                {(spec.options ?? []).map((o) => (
                  <option key={o} value={o}>
                    {valueLabel(spec.key, o, t)}
                  </option>
                ))}
              </select>
            ) : (
              <input
                type={spec?.type === 'number' ? 'number' : 'text'}
                value={row.value}
                onChange={(e) => setRow(i, { ...row, value: e.target.value })}
                placeholder={spec?.type === 'tags' ? t('rules.cond.tagPlaceholder') : ''}
                data-testid="rule-cond-value"
                aria-label={t('rules.cond.value')}
              />
            )}
            <button type="button" className="btn btn-link btn-danger-text" onClick={() => onChange(form.rows.filter((_, k) => k !== i))} aria-label={t('rules.cond.remove')} data-testid="rule-cond-remove">
              ×
            </button>
            {problem && (
              <span className="field-error cond-problem" role="alert" data-testid="rule-cond-problem">
                {t(ROW_PROBLEM_TEXT[problem])}
              </span>
            )}
          </div>
        )
      })}
      <div className="cond-tools">
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange([...form.rows, newRow(fields[0], 'and')])} data-testid="rule-cond-add">
          {t('rules.cond.add')}
        </button>
      </div>
      <div className="cond-preview">
        <span className="muted">{t('rules.cond.preview')}</span>
        <code data-testid="rule-condition-preview">{built.text || 'true'}</code>
      </div>
    </div>
  )
}

function RawCondition({ event, value, onChange }: { event: string; value: string; onChange: (v: string) => void }) {
  const { t } = useI18n()
  const [validation, setValidation] = useState<Validation>({ state: 'idle' })
  const ref = useRef<HTMLTextAreaElement>(null)

  // Live check, 400 ms after the last keystroke; a newer text cancels the older check.
  useEffect(() => {
    const ctrl = new AbortController()
    setValidation({ state: 'checking' })
    const timer = setTimeout(() => {
      rulesApi.validate(event, value, ctrl.signal).then(
        () => {
          if (!ctrl.signal.aborted) setValidation({ state: 'ok' })
        },
        (err) => {
          if (ctrl.signal.aborted) return
          const ce = conditionError(err)
          setValidation(ce ? { state: 'error', error: ce } : { state: 'failed', text: errorText(err, t) })
        },
      )
    }, 400)
    return () => {
      clearTimeout(timer)
      ctrl.abort()
    }
    // t only words a network failure: a language switch does not need a new check
  }, [event, value])

  function goToError(line: number, column: number) {
    const el = ref.current
    if (!el) return
    const at = offsetOf(value, line, column)
    el.focus()
    el.setSelectionRange(at, Math.min(at + 1, value.length))
  }

  const err = validation.state === 'error' ? validation.error : null
  return (
    <div className="cond-raw">
      <textarea
        ref={ref}
        className={`mono${err ? ' has-error' : ''}`}
        rows={4}
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={'message.text contains "preço" and "vip" in contact.tags'}
        aria-invalid={err ? true : undefined}
        data-testid="rule-condition-raw"
      />
      <p className="field-help muted">{t('rules.cond.rawHelp')}</p>
      <div className="validate-status" aria-live="polite">
        {validation.state === 'checking' && <span className="muted">{t('rules.cond.checking')}</span>}
        {validation.state === 'ok' && (
          <span className="ok-text" data-testid="rule-validate-ok">
            ✓ {t('rules.cond.valid')}
          </span>
        )}
        {validation.state === 'failed' && (
          <span className="field-error" data-testid="rule-validate-error">
            {validation.text}
          </span>
        )}
        {err && (
          <div className="validate-error" data-testid="rule-validate-error" data-line={err.line ?? ''} data-column={err.column ?? ''}>
            <span className="field-error">
              {err.line !== null && err.column !== null ? (
                <button type="button" className="btn btn-link btn-xs" onClick={() => goToError(err.line as number, err.column as number)} data-testid="rule-validate-position">
                  {t('rules.cond.position', { line: err.line, column: err.column })}
                </button>
              ) : null}{' '}
              {err.message}
            </span>
            {err.line !== null && err.column !== null && <ErrorMarkerView text={value} line={err.line} column={err.column} />}
          </div>
        )}
      </div>
    </div>
  )
}

function ErrorMarkerView({ text, line, column }: { text: string; line: number; column: number }) {
  const m = errorMarker(text, line, column)
  if (!m) return null
  return (
    <pre className="error-marker" data-testid="rule-validate-marker">
      <span className="muted">{m.line} | </span>
      {m.before}
      <mark>{m.at}</mark>
      {m.after}
    </pre>
  )
}

// ---------- distribution ----------

function DistributionFields({
  form,
  strategies,
  teams,
  users,
  errors,
  update,
}: {
  form: RuleForm
  strategies: string[]
  teams: Team[]
  users: AdminUser[]
  errors: FormErrors
  update: (p: Partial<RuleForm>) => void
}) {
  const { t } = useI18n()
  const choices = strategies.length ? strategies : ['round_robin', 'least_busy', 'sticky', 'manual']
  const known = new Set(users.map((u) => u.id))
  const missing = form.target_user_ids.filter((id) => !known.has(id))
  return (
    <>
      <fieldset className="admin-card" data-testid="rule-strategy">
        <legend>{t('rules.strategy')}</legend>
        {choices.map((s) => (
          <label key={s} className="check strategy-option">
            <input type="radio" name="strategy" value={s} checked={form.strategy === s} onChange={() => update({ strategy: s })} data-testid={`rule-strategy-${s}`} />
            <span>
              <span className="strong">{strategyLabel(s, t)}</span>
              <span className="muted strategy-help">{strategyHelp(s, t)}</span>
            </span>
          </label>
        ))}
        <FieldError errors={errors} field="strategy" />
      </fieldset>

      <fieldset className="admin-card" data-testid="rule-target">
        <legend>{t('rules.target')}</legend>
        <div className="mode-switch">
          <label className="check">
            <input type="radio" name="target" checked={form.targetMode === 'team'} onChange={() => update({ targetMode: 'team' })} data-testid="rule-target-team" />
            <span>{t('rules.target.team')}</span>
          </label>
          <label className="check">
            <input type="radio" name="target" checked={form.targetMode === 'agents'} onChange={() => update({ targetMode: 'agents' })} data-testid="rule-target-agents" />
            <span>{t('rules.target.agents')}</span>
          </label>
        </div>
        {form.targetMode === 'team' ? (
          <label className="field">
            {t('rules.target.teamLabel')}
            <select value={form.target_team_id} onChange={(e) => update({ target_team_id: e.target.value })} data-testid="rule-target-team-select">
              <option value="">{t('rules.target.pickTeam')}</option>
              {form.target_team_id && !teams.some((tm) => tm.id === form.target_team_id) && (
                <option value={form.target_team_id}>{t('rules.target.missing', { id: form.target_team_id })}</option>
              )}
              {teams.map((tm) => (
                <option key={tm.id} value={tm.id}>
                  {tm.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <div className="member-options agent-options">
            {users.map((u) => (
              <label key={u.id} className="check">
                <input
                  type="checkbox"
                  checked={form.target_user_ids.includes(u.id)}
                  onChange={(e) => update({ target_user_ids: toggleId(form.target_user_ids, u.id, e.target.checked) })}
                  data-testid="rule-target-agent"
                  data-id={u.id}
                />
                <span>
                  {u.name} <span className="muted">{u.email}</span>
                </span>
              </label>
            ))}
            {missing.map((id) => (
              <label key={id} className="check is-warn">
                <input type="checkbox" checked onChange={() => update({ target_user_ids: form.target_user_ids.filter((x) => x !== id) })} data-testid="rule-target-agent" data-id={id} />
                <span>{t('rules.target.missing', { id })}</span>
              </label>
            ))}
          </div>
        )}
        <FieldError errors={errors} field="target_team_id" />
        <FieldError errors={errors} field="target_user_ids" />
        <label className="field offer-timeout">
          {t('rules.offerTimeout')}
          <input
            type="number"
            min={0}
            max={MAX_OFFER_TIMEOUT_S}
            value={form.offer_timeout_s}
            onChange={(e) => update({ offer_timeout_s: e.target.value })}
            data-testid="rule-offer-timeout"
          />
          <span className="field-help muted">{t('rules.offerTimeoutHelp')}</span>
          <FieldError errors={errors} field="offer_timeout_s" />
        </label>
      </fieldset>
    </>
  )
}

// ---------- automation ----------

function ActionsEditor({
  actions,
  teams,
  users,
  choices,
  errors,
  onChange,
}: {
  actions: ActionForm[]
  teams: Team[]
  users: AdminUser[]
  choices: ActionChoices
  errors: FormErrors
  onChange: (a: ActionForm[]) => void
}) {
  const { t } = useI18n()
  const offered: readonly string[] = actionTypesFor(choices.modules)
  const set = (i: number, a: ActionForm) => onChange(actions.map((x, k) => (k === i ? a : x)))

  return (
    <fieldset className="admin-card" data-testid="rule-actions">
      <legend>{t('rules.actions')}</legend>
      <p className="field-help muted">{t('rules.actionsHelp')}</p>
      <FieldError errors={errors} field="actions" />
      <ol className="action-list">
        {actions.map((a, i) => {
          const param = actionParam(a.type)
          return (
            <li key={i} className="action-row" data-testid="rule-action" data-index={i} data-type={a.type}>
              <span className="rule-order" aria-hidden="true">
                {i + 1}
              </span>
              <div className="action-fields">
                <select
                  value={a.type}
                  onChange={(e) => set(i, changeActionType(a, e.target.value))}
                  aria-label={t('rules.actionType')}
                  data-testid="rule-action-type"
                >
                  {!offered.includes(a.type) && <option value={a.type}>{actionLabel(a.type, t)}</option>}
                  {offered.map((ty) => (
                    <option key={ty} value={ty}>
                      {actionLabel(ty, t)}
                    </option>
                  ))}
                </select>
                <FieldError errors={errors} field={actionFieldName(i, 'type')} />
                {param && (
                  <span className="action-param">
                    <ActionParamInput action={a} param={param} teams={teams} users={users} choices={choices} onChange={(v) => set(i, { ...a, [param]: v })} />
                    <FieldError errors={errors} field={actionFieldName(i, param)} />
                  </span>
                )}
              </div>
              <span className="action-tools">
                <button type="button" className="btn btn-ghost btn-xs" disabled={i === 0} onClick={() => onChange(moveItem(actions, i, -1))} aria-label={t('rules.actionUp')} data-testid="rule-action-up">
                  ↑
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-xs"
                  disabled={i === actions.length - 1}
                  onClick={() => onChange(moveItem(actions, i, 1))}
                  aria-label={t('rules.actionDown')}
                  data-testid="rule-action-down"
                >
                  ↓
                </button>
                <button type="button" className="btn btn-ghost btn-xs btn-danger-text" onClick={() => onChange(actions.filter((_, k) => k !== i))} aria-label={t('rules.actionRemove')} data-testid="rule-action-remove">
                  ×
                </button>
              </span>
            </li>
          )
        })}
      </ol>
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange([...actions, newAction()])} data-testid="rule-action-add">
        {t('rules.actionAdd')}
      </button>
    </fieldset>
  )
}

function ActionParamInput({
  action,
  param,
  teams,
  users,
  choices,
  onChange,
}: {
  action: ActionForm
  param: NonNullable<ReturnType<typeof actionParam>>
  teams: Team[]
  users: AdminUser[]
  choices: ActionChoices
  onChange: (v: string) => void
}) {
  const { t } = useI18n()
  const common = { 'data-testid': 'rule-action-param', 'data-param': param, 'aria-label': t(`rules.param.${param}`) }
  const value = action[param]
  if (action.type === 'send_quick_reply') {
    const list = choices.quickReplies
    const items = list.state === 'ok' ? list.items : []
    return (
      <>
        <select value={value} onChange={(e) => onChange(e.target.value)} {...common} aria-label={t('rules.param.quickReply')}>
          <option value="">{t('rules.param.pickQuickReply')}</option>
          {value && !items.some((q) => q.shortcut === value) && <option value={value}>{list.state === 'ok' ? t('rules.target.missing', { id: `/${value}` }) : `/${value}`}</option>}
          {items.map((q) => (
            <option key={q.id} value={q.shortcut}>
              {quickReplyLabel(q)}
            </option>
          ))}
        </select>
        <ChoiceStatus list={list} empty="rules.param.noQuickReplies" testId="rule-action-quick-replies-status" />
      </>
    )
  }
  switch (param) {
    case 'stage_id': {
      const list = choices.pipelines
      const pipelines = list.state === 'ok' ? list.items : []
      return (
        <>
          <select value={value} onChange={(e) => onChange(e.target.value)} {...common}>
            <option value="">{t('rules.param.pickStage')}</option>
            {value && !hasStage(pipelines, value) && <option value={value}>{list.state === 'ok' ? t('rules.target.missing', { id: value }) : value}</option>}
            {pipelines
              .filter((p) => p.stages.length > 0)
              .map((p) => (
                <optgroup key={p.id} label={p.name}>
                  {p.stages.map((st) => (
                    <option key={st.id} value={st.id}>
                      {st.name}
                    </option>
                  ))}
                </optgroup>
              ))}
          </select>
          <ChoiceStatus list={list} empty="rules.param.noStages" testId="rule-action-stages-status" isEmpty={pipelines.every((p) => p.stages.length === 0)} />
        </>
      )
    }
    case 'user_id':
      return (
        <select value={value} onChange={(e) => onChange(e.target.value)} {...common}>
          <option value="">{t('rules.param.pickAgent')}</option>
          {value && !users.some((u) => u.id === value) && <option value={value}>{t('rules.target.missing', { id: value })}</option>}
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
      )
    case 'team_id':
      return (
        <select value={value} onChange={(e) => onChange(e.target.value)} {...common}>
          <option value="">{t('rules.target.pickTeam')}</option>
          {value && !teams.some((tm) => tm.id === value) && <option value={value}>{t('rules.target.missing', { id: value })}</option>}
          {teams.map((tm) => (
            <option key={tm.id} value={tm.id}>
              {tm.name}
            </option>
          ))}
        </select>
      )
    case 'priority':
      return (
        <select value={value} onChange={(e) => onChange(e.target.value)} {...common}>
          <option value="">—</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {t(`priority.${p}`)}
            </option>
          ))}
        </select>
      )
    case 'text':
      return <textarea rows={2} value={value} onChange={(e) => onChange(e.target.value)} placeholder={t(`rules.param.${param}`)} {...common} />
    case 'minutes':
      return (
        <span className="minutes-input">
          <input type="number" min={1} value={value} onChange={(e) => onChange(e.target.value)} {...common} />
          <span className="muted">{t('rules.param.minutesUnit')}</span>
        </span>
      )
    case 'url':
      return <input type="url" value={value} onChange={(e) => onChange(e.target.value)} placeholder="https://" {...common} />
    default:
      return <input value={value} onChange={(e) => onChange(e.target.value)} placeholder={t(`rules.param.${param}`)} {...common} />
  }
}

/** Under a picker: loading, the load error, or that there is nothing to pick. */
function ChoiceStatus<T>({ list, empty, testId, isEmpty }: { list: ChoiceList<T>; empty: MessageKey; testId: string; isEmpty?: boolean }) {
  const { t } = useI18n()
  if (list.state === 'idle' || list.state === 'loading') return <span className="field-help muted">{t('app.loading')}</span>
  if (list.state === 'error')
    return (
      <span className="field-error" data-testid={testId}>
        {list.text}
      </span>
    )
  if (isEmpty ?? list.items.length === 0)
    return (
      <span className="field-help muted" data-testid={testId}>
        {t(empty)}
      </span>
    )
  return null
}
