// The agenda's calendars, drawn by hand: a month of whole weeks, and a
// day/week grid of hours. Items sit on the day and hour they fall on in the
// account's time zone and are coloured by kind.
import type { AgendaItem } from '../api/types'
import { hasKey, useI18n } from '../i18n'
import { dayAsDate, formatClock } from '../zonedTime'
import { hourOf, inMonth, itemsByDay, visibleHours } from './agendaLogic'
import type { AgendaView } from './agendaLogic'

const MONTH_CELL_MAX = 3

function dayName(key: string, lang: string, opts: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(lang, { ...opts, timeZone: 'UTC' }).format(dayAsDate(key))
}

/** "novembro de 2026", "22 – 28 de nov. de 2026", "sexta-feira, 27 de novembro de 2026". */
export function rangeTitle(view: AgendaView, days: string[], lang: string): string {
  if (view === 'day') return dayName(days[0], lang, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
  if (view === 'month') return dayName(days[Math.floor(days.length / 2)], lang, { month: 'long', year: 'numeric' })
  const fmt = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
  return fmt.formatRange ? fmt.formatRange(dayAsDate(days[0]), dayAsDate(days[days.length - 1])) : `${fmt.format(dayAsDate(days[0]))} – ${fmt.format(dayAsDate(days[days.length - 1]))}`
}

export function AgendaChip({ item, timeZone, onOpen }: { item: AgendaItem; timeZone: string; onOpen: (item: AgendaItem) => void }) {
  const { t, lang } = useI18n()
  const kindKey = `agenda.kind.${item.kind}`
  const kind = hasKey(kindKey) ? t(kindKey) : item.kind
  const statusKey = `crm.scheduled.status.${item.status}`
  const status = item.kind === 'scheduled_message' && item.status && hasKey(statusKey) ? t(statusKey) : ''
  const canOpen = !!(item.card_id && item.pipeline_id) || !!item.conversation_id
  const time = formatClock(item.at, lang, timeZone)
  return (
    <button
      type="button"
      className={`agenda-item agenda-${item.kind} ${item.done ? 'is-done' : ''}`}
      onClick={() => onOpen(item)}
      disabled={!canOpen}
      title={`${kind} · ${time} · ${item.title}${status ? ` (${status})` : ''}`}
      data-testid="agenda-item"
      data-kind={item.kind}
      data-id={item.id}
      data-card={item.card_id ?? undefined}
    >
      <span className="agenda-item-time">{time}</span> <span className="agenda-item-title">{item.title}</span>
      <span className="sr-only">
        {' '}
        ({kind}
        {status ? `, ${status}` : ''})
      </span>
    </button>
  )
}

export interface MonthGridProps {
  days: string[]
  anchor: string
  today: string
  items: AgendaItem[]
  timeZone: string
  onOpen: (item: AgendaItem) => void
  onDay: (day: string) => void
}

export function MonthGrid({ days, anchor, today, items, timeZone, onOpen, onDay }: MonthGridProps) {
  const { t, lang } = useI18n()
  const byDay = itemsByDay(items, timeZone)
  return (
    <div className="agenda-month" data-testid="agenda-month">
      {days.slice(0, 7).map((d) => (
        <div key={`h-${d}`} className="agenda-weekday">
          {dayName(d, lang, { weekday: 'short' })}
        </div>
      ))}
      {days.map((d) => {
        const list = byDay.get(d) ?? []
        return (
          <div
            key={d}
            className={`agenda-cell ${inMonth(d, anchor) ? '' : 'is-outside'} ${d === today ? 'is-today' : ''}`}
            data-testid="agenda-day"
            data-day={d}
          >
            <button type="button" className="agenda-daynum" onClick={() => onDay(d)} aria-label={dayName(d, lang, { dateStyle: 'full' })}>
              {Number(d.slice(8))}
            </button>
            {list.slice(0, MONTH_CELL_MAX).map((item) => (
              <AgendaChip key={`${item.kind}-${item.id}`} item={item} timeZone={timeZone} onOpen={onOpen} />
            ))}
            {list.length > MONTH_CELL_MAX && (
              <button type="button" className="btn btn-link btn-xs agenda-more" onClick={() => onDay(d)}>
                {t('agenda.more', { n: list.length - MONTH_CELL_MAX })}
              </button>
            )}
          </div>
        )
      })}
    </div>
  )
}

export interface TimeGridProps {
  days: string[]
  today: string
  items: AgendaItem[]
  timeZone: string
  onOpen: (item: AgendaItem) => void
}

export function TimeGrid({ days, today, items, timeZone, onOpen }: TimeGridProps) {
  const { lang } = useI18n()
  const byDay = itemsByDay(items, timeZone)
  const shown = days.flatMap((d) => byDay.get(d) ?? [])
  const hours = visibleHours(shown, timeZone)
  return (
    <div className="agenda-time" style={{ gridTemplateColumns: `3.5rem repeat(${days.length}, minmax(0, 1fr))` }} data-testid="agenda-time-grid">
      <div className="agenda-corner" />
      {days.map((d) => (
        <div key={`h-${d}`} className={`agenda-weekday ${d === today ? 'is-today' : ''}`} data-testid="agenda-day" data-day={d}>
          {dayName(d, lang, { weekday: 'short', day: 'numeric', month: 'numeric' })}
        </div>
      ))}
      {hours.map((h) => (
        <Row key={h} hour={h} days={days} byDay={byDay} timeZone={timeZone} onOpen={onOpen} />
      ))}
    </div>
  )
}

function Row({ hour, days, byDay, timeZone, onOpen }: { hour: number; days: string[]; byDay: Map<string, AgendaItem[]>; timeZone: string; onOpen: (item: AgendaItem) => void }) {
  return (
    <>
      <div className="agenda-hour">{String(hour).padStart(2, '0')}:00</div>
      {days.map((d) => (
        <div key={d} className="agenda-slot" data-testid="agenda-slot" data-day={d} data-hour={hour}>
          {(byDay.get(d) ?? [])
            .filter((item) => hourOf(item, timeZone) === hour)
            .map((item) => (
              <AgendaChip key={`${item.kind}-${item.id}`} item={item} timeZone={timeZone} onOpen={onOpen} />
            ))}
        </div>
      ))}
    </>
  )
}
