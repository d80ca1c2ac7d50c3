// /agenda: cards due, scheduled messages and follow-ups by day, week or
// month, drawn in the account's time zone. An item of a card opens the card
// on its board; a scheduled message without a card opens its conversation.
import { useEffect, useMemo, useRef, useState } from 'react'
import type { AgendaItem } from '../api/types'
import { useI18n } from '../i18n'
import { errorText } from '../format'
import { conversationPath, crmPath, navigate } from '../router'
import { useStreamEvents } from '../session'
import { todayKey } from '../zonedTime'
import { crmApi } from '../crm/crmApi'
import { useAccountZone } from '../crm/useAccountZone'
import { AGENDA_VIEWS, agendaQuery, agendaRange, shiftAnchor } from './agendaLogic'
import type { AgendaView } from './agendaLogic'
import { MonthGrid, TimeGrid, rangeTitle } from './AgendaGrid'

const VIEW_KEY = 'chatspot.agenda.view'

function storedView(): AgendaView {
  try {
    const v = localStorage.getItem(VIEW_KEY)
    if (v === 'day' || v === 'week' || v === 'month') return v
  } catch {
    // default
  }
  return 'week'
}

export function openAgendaItem(item: AgendaItem): void {
  if (item.card_id && item.pipeline_id) navigate(crmPath(item.pipeline_id, item.card_id))
  else if (item.conversation_id) navigate(conversationPath(item.conversation_id))
}

export function AgendaPage() {
  const { t, lang } = useI18n()
  const zone = useAccountZone()
  const [view, setViewState] = useState<AgendaView>(storedView)
  const [anchor, setAnchor] = useState(() => todayKey(zone))
  const [mine, setMine] = useState(false)
  const [items, setItems] = useState<AgendaItem[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  const range = useMemo(() => agendaRange(view, anchor, zone), [view, anchor, zone])
  const query = agendaQuery(range, mine)

  const setView = (v: AgendaView) => {
    setViewState(v)
    try {
      localStorage.setItem(VIEW_KEY, v)
    } catch {
      // not remembered
    }
  }

  useEffect(() => {
    let cancelled = false
    setError(null)
    crmApi.agenda(query).then(
      (page) => {
        if (!cancelled) setItems(page.items)
      },
      (err) => {
        if (!cancelled) setError(err)
      },
    )
    return () => {
      cancelled = true
    }
  }, [query, tick])

  // Cards, scheduled messages and follow-ups change elsewhere: refresh, gently.
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEffect(() => () => clearTimeout(timer.current ?? undefined), [])
  useStreamEvents((ev) => {
    if (ev.type !== 'card.updated' && ev.type !== 'scheduled_message.updated') return
    clearTimeout(timer.current ?? undefined)
    timer.current = setTimeout(() => setTick((n) => n + 1), 1000)
  })

  const today = todayKey(zone)

  return (
    <div className="agenda" data-testid="agenda-page" data-view={view} data-from={range.from} data-to={range.to}>
      <div className="agenda-toolbar">
        <h1 className="crm-heading">{t('agenda.title')}</h1>
        <div className="agenda-views" role="tablist" aria-label={t('agenda.view')}>
          {AGENDA_VIEWS.map((v) => (
            <button
              key={v}
              type="button"
              role="tab"
              aria-selected={view === v}
              className={`btn btn-ghost btn-sm ${view === v ? 'is-on' : ''}`}
              onClick={() => setView(v)}
              data-testid={`agenda-view-${v}`}
            >
              {t(`agenda.view.${v}`)}
            </button>
          ))}
        </div>
        <div className="agenda-nav">
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAnchor(shiftAnchor(view, anchor, -1))} aria-label={t('agenda.prev')} data-testid="agenda-prev">
            ‹
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAnchor(today)} data-testid="agenda-today">
            {t('agenda.today')}
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAnchor(shiftAnchor(view, anchor, 1))} aria-label={t('agenda.next')} data-testid="agenda-next">
            ›
          </button>
        </div>
        <h2 className="agenda-range" data-testid="agenda-range">
          {rangeTitle(view, range.days, lang)}
        </h2>
        <span className="spacer" />
        <label className="check agenda-mine">
          <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} data-testid="agenda-mine" />
          {t('agenda.mine')}
        </label>
        <span className="agenda-legend" aria-hidden="true">
          <span className="agenda-dot agenda-due" /> {t('agenda.kind.due')}
          <span className="agenda-dot agenda-scheduled_message" /> {t('agenda.kind.scheduled_message')}
          <span className="agenda-dot agenda-follow_up" /> {t('agenda.kind.follow_up')}
        </span>
      </div>
      {error != null && (
        <div className="alert alert-error alert-inline" role="alert" data-testid="agenda-error">
          <span>{errorText(error, t)}</span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setTick((n) => n + 1)}>
            {t('app.retry')}
          </button>
        </div>
      )}
      <div className="agenda-body" aria-busy={items === null}>
        {view === 'month' ? (
          <MonthGrid days={range.days} anchor={anchor} today={today} items={items ?? []} timeZone={zone} onOpen={openAgendaItem} onDay={(d) => {
            setAnchor(d)
            setView('day')
          }} />
        ) : (
          <TimeGrid days={range.days} today={today} items={items ?? []} timeZone={zone} onOpen={openAgendaItem} />
        )}
      </div>
    </div>
  )
}
