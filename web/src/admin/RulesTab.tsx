// Rules: distribution and automation rules in the order they run, with an
// on/off switch, up/down reordering, warnings for rules that will be skipped,
// the editor, and a dry run against the latest conversations.
import { useEffect, useMemo, useRef, useState } from 'react'
import type { AdminUser, DryRun, Items, QuickReply, Rule, RuleKind, RuleList, Team } from '../api/types'
import { errorText } from '../format'
import { useI18n } from '../i18n'
import type { MessageKey } from '../i18n'
import { useSession } from '../session'
import { rulesApi } from './rulesApi'
import type { PipelineChoice } from './rulesApi'
import { actionLabel, eventLabel, humanizeWould, moveRule, presetOf, RULE_KINDS, ruleToInput, SCHEDULED, scheduleLabel, sortRules, strategyLabel } from './rulesLogic'
import { RuleEditor } from './RuleEditor'
import type { ActionChoices, ChoiceList } from './RuleEditor'
import { ConfirmDialog, Dialog, LoadState, useLoad } from './ui'

interface RulesData {
  rules: Record<RuleKind, Rule[]>
  events: string[]
  strategies: string[]
  teams: Team[]
  users: AdminUser[]
}

async function loadRules(): Promise<RulesData> {
  const [dist, auto, teams, users] = await Promise.all([
    rulesApi.list('distribution'),
    rulesApi.list('automation'),
    rulesApi.teams(),
    rulesApi.agents(),
  ])
  const merge = (a: RuleList, b: RuleList, k: 'events' | 'strategies') => [...new Set([...(a[k] ?? []), ...(b[k] ?? [])])]
  return {
    rules: { distribution: dist.items, automation: auto.items },
    events: merge(dist, auto, 'events'),
    strategies: merge(dist, auto, 'strategies'),
    teams: teams.items,
    users: users.items,
  }
}

const KIND_TITLE: Record<RuleKind, MessageKey> = { distribution: 'rules.kind.distribution', automation: 'rules.kind.automation' }
const KIND_HELP: Record<RuleKind, MessageKey> = { distribution: 'rules.kindHelp.distribution', automation: 'rules.kindHelp.automation' }
const KIND_NEW: Record<RuleKind, MessageKey> = { distribution: 'rules.new.distribution', automation: 'rules.new.automation' }

type Editing = { session: number; kind: RuleKind; rule: Rule | null }

/** id → name for agents and teams, to show dry-run lines and targets in words. */
function nameMap(users: readonly AdminUser[], teams: readonly Team[]): Map<string, string> {
  const m = new Map<string, string>()
  for (const u of users) m.set(u.id, u.name)
  for (const t of teams) m.set(t.id, t.name)
  return m
}

/**
 * A list for the action pickers, fetched the first time `need` turns true and
 * kept for the tab's life; after a failure the next need tries again.
 */
function useChoiceList<T>(need: boolean, load: () => Promise<Items<T>>): ChoiceList<T> {
  const { t } = useI18n()
  const [list, setList] = useState<ChoiceList<T>>({ state: 'idle' })
  const busy = useRef(false)
  useEffect(() => {
    if (!need || busy.current || list.state === 'ok') return
    busy.current = true
    setList({ state: 'loading' })
    load().then(
      (r) => setList({ state: 'ok', items: r.items ?? [] }),
      (err) => setList({ state: 'error', text: errorText(err, t) }),
    ).finally(() => {
      busy.current = false
    })
    // loaded once: t, load and the list itself do not ask for a new fetch
  }, [need])
  return list
}

export function RulesTab() {
  const { t } = useI18n()
  const { me } = useSession()
  const modules = me.account.modules ?? []
  const loaded = useLoad(loadRules)
  const [editing, setEditing] = useState<Editing | null>(null)
  const automation = editing?.kind === 'automation'
  const pipelines = useChoiceList<PipelineChoice>(automation && modules.includes('crm'), rulesApi.pipelines)
  const quickReplies = useChoiceList<QuickReply>(automation, rulesApi.quickReplies)
  const choices: ActionChoices = { modules, pipelines, quickReplies }
  const [dryRun, setDryRun] = useState<Rule | null>(null)
  const [deleting, setDeleting] = useState<Rule | null>(null)
  const [busy, setBusy] = useState(false)
  const [listError, setListError] = useState<string | null>(null)
  const data = loaded.data
  const names = useMemo(() => nameMap(data?.users ?? [], data?.teams ?? []), [data?.users, data?.teams])

  function replace(kind: RuleKind, fn: (list: Rule[]) => Rule[]) {
    loaded.setData((d) => (d ? { ...d, rules: { ...d.rules, [kind]: fn(d.rules[kind]) } } : d))
  }

  function upsert(rule: Rule) {
    loaded.setData((d) => {
      if (!d) return d
      const rules = { ...d.rules }
      for (const k of RULE_KINDS) rules[k] = rules[k].filter((r) => r.id !== rule.id)
      rules[rule.kind] = [...rules[rule.kind], rule]
      return { ...d, rules }
    })
  }

  async function toggle(rule: Rule) {
    setListError(null)
    setBusy(true)
    try {
      upsert(await rulesApi.update(rule.id, ruleToInput(rule, { enabled: !rule.enabled })))
    } catch (err) {
      setListError(`${rule.name}: ${errorText(err, t)}`)
    }
    setBusy(false)
  }

  async function move(kind: RuleKind, rule: Rule, dir: -1 | 1) {
    if (!data) return
    const list = data.rules[kind]
    const { order, changes } = moveRule(list, rule.id, dir)
    if (changes.length === 0) return
    setListError(null)
    setBusy(true)
    replace(kind, () => order)
    try {
      for (const c of changes) {
        const current = order.find((r) => r.id === c.id) as Rule
        upsert(await rulesApi.update(c.id, ruleToInput(current, { position: c.position })))
      }
    } catch (err) {
      setListError(`${rule.name}: ${errorText(err, t)}`)
      loaded.reload()
    }
    setBusy(false)
  }

  if (data && editing) {
    return (
      <section className="admin-section" data-testid="admin-rules">
        <RuleEditor
          key={editing.session}
          kind={editing.kind}
          rule={editing.rule}
          events={data.events}
          strategies={data.strategies}
          teams={data.teams}
          users={data.users}
          choices={choices}
          onSaved={(r) => {
            upsert(r)
            setEditing({ ...editing, rule: r })
          }}
          onClose={() => setEditing(null)}
          onDryRun={setDryRun}
        />
        {dryRun && <DryRunDialog rule={dryRun} names={names} onClose={() => setDryRun(null)} />}
      </section>
    )
  }

  return (
    <section className="admin-section" data-testid="admin-rules">
      <div className="admin-section-head">
        <h2>{t('rules.title')}</h2>
      </div>
      <p className="muted">{t('rules.intro')}</p>
      <LoadState loaded={loaded} />
      {listError && (
        <div className="alert alert-error" role="alert" data-testid="rules-error">
          {listError}
        </div>
      )}
      {data &&
        RULE_KINDS.map((kind) => {
          const list = sortRules(data.rules[kind])
          return (
            <div className="admin-card rules-group" key={kind} data-testid={`rules-${kind}`}>
              <div className="admin-section-head">
                <div>
                  <h3>{t(KIND_TITLE[kind])}</h3>
                  <p className="field-help muted">{t(KIND_HELP[kind])}</p>
                </div>
                <button
                  type="button"
                  className="btn btn-primary btn-sm"
                  onClick={() => setEditing({ session: Date.now(), kind, rule: null })}
                  data-testid={`rule-new-${kind}`}
                >
                  {t(KIND_NEW[kind])}
                </button>
              </div>
              {list.length === 0 ? (
                <p className="empty">{t('rules.empty')}</p>
              ) : (
                <ol className="rule-list">
                  {list.map((rule, i) => (
                    <li
                      key={rule.id}
                      className={`rule-item${rule.enabled ? '' : ' is-inactive'}${rule.warnings.length ? ' has-warning' : ''}`}
                      data-testid="rule-row"
                      data-id={rule.id}
                      data-kind={rule.kind}
                      data-position={rule.position}
                      data-enabled={rule.enabled ? 'true' : 'false'}
                    >
                      <span className="rule-order" aria-hidden="true">
                        {i + 1}
                      </span>
                      <div className="rule-main">
                        <div className="rule-title">
                          <span className="strong">{rule.name}</span>
                          <span className="tag tag-sm">{eventLabel(rule.event, t)}</span>
                          {rule.event === SCHEDULED && (
                            <span
                              className={`rule-schedule muted${presetOf(rule.schedule ?? '') === 'custom' ? ' mono' : ''}`}
                              title={t('rules.schedule.listTitle', { cron: rule.schedule ?? '' })}
                              data-testid="rule-schedule"
                            >
                              {scheduleLabel(rule.schedule ?? '', t)}
                            </span>
                          )}
                          {!rule.enabled && <span className="pill pill-off">{t('rules.disabled')}</span>}
                          <span className="muted rule-version">v{rule.version}</span>
                        </div>
                        <code className="rule-condition" title={rule.condition}>
                          {rule.condition.trim() ? rule.condition : t('rules.always')}
                        </code>
                        <div className="rule-summary muted">
                          {rule.kind === 'distribution' ? (
                            <>
                              {strategyLabel(rule.strategy ?? '', t)} →{' '}
                              {rule.target_team_id
                                ? t('rules.summary.team', { name: names.get(rule.target_team_id) ?? rule.target_team_id })
                                : t('rules.summary.agents', { names: rule.target_user_ids.map((id) => names.get(id) ?? id).join(', ') })}
                            </>
                          ) : (
                            rule.actions.map((a) => actionLabel(a.type, t)).join(' → ')
                          )}
                        </div>
                        {rule.warnings.length > 0 && (
                          <div className="alert alert-warn rule-warnings" data-testid="rule-warning">
                            <strong>{t('rules.warningTitle')}</strong>
                            <ul>
                              {rule.warnings.map((w) => (
                                <li key={w}>{humanizeWould(w, names)}</li>
                              ))}
                            </ul>
                          </div>
                        )}
                      </div>
                      <div className="rule-tools">
                        <label className="switch" title={rule.enabled ? t('rules.disable') : t('rules.enable')}>
                          <input type="checkbox" checked={rule.enabled} disabled={busy} onChange={() => toggle(rule)} data-testid="rule-enabled" />
                          <span className="sr-only">{t('rules.enabledLabel', { name: rule.name })}</span>
                          <span className="switch-track" aria-hidden="true" />
                        </label>
                        <button
                          type="button"
                          className="btn btn-ghost btn-xs"
                          disabled={busy || i === 0}
                          onClick={() => move(kind, rule, -1)}
                          aria-label={t('rules.moveUp', { name: rule.name })}
                          data-testid="rule-up"
                        >
                          ↑
                        </button>
                        <button
                          type="button"
                          className="btn btn-ghost btn-xs"
                          disabled={busy || i === list.length - 1}
                          onClick={() => move(kind, rule, 1)}
                          aria-label={t('rules.moveDown', { name: rule.name })}
                          data-testid="rule-down"
                        >
                          ↓
                        </button>
                        <button type="button" className="btn btn-ghost btn-xs" onClick={() => setDryRun(rule)} data-testid="rule-dry-run">
                          {t('rules.dryRun')}
                        </button>
                        <button
                          type="button"
                          className="btn btn-ghost btn-xs"
                          onClick={() => setEditing({ session: Date.now(), kind, rule })}
                          data-testid="rule-edit"
                        >
                          {t('admin.edit')}
                        </button>
                        <button type="button" className="btn btn-ghost btn-xs btn-danger-text" onClick={() => setDeleting(rule)} data-testid="rule-delete">
                          {t('admin.delete')}
                        </button>
                      </div>
                    </li>
                  ))}
                </ol>
              )}
            </div>
          )
        })}
      {dryRun && <DryRunDialog rule={dryRun} names={names} onClose={() => setDryRun(null)} />}
      {deleting && (
        <ConfirmDialog
          title={t('rules.deleteTitle', { name: deleting.name })}
          message={t('rules.deleteWarning')}
          confirmLabel={t('admin.delete')}
          onCancel={() => setDeleting(null)}
          onConfirm={async () => {
            await rulesApi.remove(deleting.id)
            replace(deleting.kind, (list) => list.filter((r) => r.id !== deleting.id))
            setDeleting(null)
          }}
        />
      )}
    </section>
  )
}

/** What the saved rule would do to the latest conversations; the server changes nothing. */
export function DryRunDialog({ rule, names, onClose }: { rule: Rule; names: ReadonlyMap<string, string>; onClose: () => void }) {
  const { t } = useI18n()
  const loaded = useLoad<DryRun>(() => rulesApi.dryRun(rule.id, 20), [rule.id])
  const run = loaded.data
  const matched = run ? run.results.filter((r) => r.matched).length : 0
  return (
    <Dialog title={t('rules.dryRunTitle', { name: rule.name })} onClose={onClose} testId="dry-run-dialog" wide>
      <p className="alert alert-info" data-testid="dry-run-nothing-changed">
        {t('rules.dryRunNothingChanged')}
      </p>
      <LoadState loaded={loaded} />
      {run && (
        <>
          <p className="muted" data-testid="dry-run-summary">
            {t('rules.dryRunSummary', { matched, total: run.results.length, version: run.version })}
          </p>
          {run.warnings.length > 0 && (
            <div className="alert alert-warn" data-testid="rule-warning">
              <strong>{t('rules.warningTitle')}</strong>
              <ul>
                {run.warnings.map((w) => (
                  <li key={w}>{humanizeWould(w, names)}</li>
                ))}
              </ul>
            </div>
          )}
          {run.results.length === 0 ? (
            <p className="empty">{t('rules.dryRunEmpty')}</p>
          ) : (
            <div className="table-wrap">
              <table className="admin-table">
                <thead>
                  <tr>
                    <th>{t('rules.dryRun.contact')}</th>
                    <th>{t('rules.dryRun.matched')}</th>
                    <th>{t('rules.dryRun.would')}</th>
                  </tr>
                </thead>
                <tbody>
                  {run.results.map((r) => (
                    <tr key={r.conversation_id} data-testid="dry-run-row" data-id={r.conversation_id} data-matched={r.matched ? 'true' : 'false'}>
                      <td className="strong">{r.contact || <span className="muted">{r.conversation_id}</span>}</td>
                      <td>
                        <span className={`match-mark ${r.matched ? 'is-yes' : 'is-no'}`} title={r.matched ? t('rules.dryRun.yes') : t('rules.dryRun.no')}>
                          {r.matched ? '✓' : '✗'}
                        </span>
                        <span className="sr-only">{r.matched ? t('rules.dryRun.yes') : t('rules.dryRun.no')}</span>
                      </td>
                      <td>
                        {r.error ? (
                          <span className="field-error" data-testid="dry-run-error">
                            {r.error}
                          </span>
                        ) : r.would.length > 0 ? (
                          <ul className="would-list">
                            {r.would.map((w, i) => (
                              <li key={i}>{humanizeWould(w, names)}</li>
                            ))}
                          </ul>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      <div className="modal-actions">
        <button type="button" className="btn btn-primary" onClick={onClose} data-testid="dry-run-close">
          {t('admin.close')}
        </button>
      </div>
    </Dialog>
  )
}
