// "Regras aplicadas": what the distribution and automation rules did to this
// conversation. Loaded when the section is opened (and again on each opening),
// oldest first so the newest entry is last.
import { useEffect, useId, useState } from 'react'
import { api } from '../api/client'
import type { Items, RuleTrailEntry } from '../api/types'
import { errorText, formatDateTime } from '../format'
import { hasKey, useI18n } from '../i18n'
import type { Translate } from '../i18n'

/** Outcomes shown in the warning colour. */
const WARN_OUTCOMES = new Set(['action_failed', 'skipped'])

export function isWarnOutcome(outcome: string): boolean {
  return WARN_OUTCOMES.has(outcome)
}

/** The translated label of an outcome; an unknown one is shown as sent. */
export function outcomeLabel(outcome: string, t: Translate): string {
  const key = `ruleTrail.outcome.${outcome}`
  return hasKey(key) ? t(key) : outcome
}

/** Oldest first (newest last); ties keep the server's order. */
export function sortTrail(items: readonly RuleTrailEntry[]): RuleTrailEntry[] {
  return items
    .map((e, i) => ({ e, i, at: Date.parse(e.created_at) }))
    .sort((a, b) => (a.at === b.at || Number.isNaN(a.at) || Number.isNaN(b.at) ? a.i - b.i : a.at - b.at))
    .map((x) => x.e)
}

export function RuleTrail({
  conversationId,
  timeZone,
  load = api.conversationRules,
}: {
  conversationId: string
  timeZone?: string
  load?: (id: string) => Promise<Items<RuleTrailEntry>>
}) {
  const { t, lang } = useI18n()
  const bodyId = useId()
  const [open, setOpen] = useState(false)
  const [items, setItems] = useState<RuleTrailEntry[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    if (!open) return
    let cancelled = false
    setError(null)
    load(conversationId).then(
      (page) => {
        if (!cancelled) setItems(sortTrail(page.items ?? []))
      },
      (err) => {
        if (!cancelled) setError(err)
      },
    )
    return () => {
      cancelled = true
    }
  }, [open, conversationId, attempt, load])

  return (
    <section className="rule-trail" data-testid="rule-trail">
      <h4>
        <button
          type="button"
          className="rule-trail-toggle"
          aria-expanded={open}
          aria-controls={bodyId}
          onClick={() => setOpen((o) => !o)}
          data-testid="rule-trail-toggle"
        >
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> {t('ruleTrail.title')}
        </button>
      </h4>
      {open && (
        <div id={bodyId}>
          {error != null ? (
            <div className="alert alert-error alert-inline" role="alert" data-testid="rule-trail-error">
              <span>{errorText(error, t)}</span>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAttempt((n) => n + 1)}>
                {t('app.retry')}
              </button>
            </div>
          ) : items == null ? (
            <p className="muted">{t('app.loading')}</p>
          ) : items.length === 0 ? (
            <p className="muted" data-testid="rule-trail-empty">
              {t('ruleTrail.empty')}
            </p>
          ) : (
            <ol className="rule-trail-list">
              {items.map((e) => {
                const warn = isWarnOutcome(e.outcome)
                return (
                  <li key={e.id} className={`rule-trail-row${warn ? ' is-warn' : ''}`} data-testid="rule-trail-row" data-outcome={e.outcome}>
                    <div className="rule-trail-head">
                      <time dateTime={e.created_at} title={e.created_at} className="muted">
                        {formatDateTime(e.created_at, lang, timeZone)}
                      </time>
                      <span className={`pill ${warn ? 'pill-warn' : 'pill-info'}`} data-testid="rule-trail-outcome">
                        {outcomeLabel(e.outcome, t)}
                      </span>
                    </div>
                    <strong className="rule-trail-name">{e.rule_name || e.rule_id}</strong>
                    {e.detail && <p className="rule-trail-detail">{e.detail}</p>}
                  </li>
                )
              })}
            </ol>
          )}
        </div>
      )}
    </section>
  )
}
