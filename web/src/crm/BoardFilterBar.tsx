// The board's filters: assignee, tag, priority, due and status; each change
// asks the board endpoint again with them as query parameters.
import { useEffect, useState } from 'react'
import type { Agent, CardPriority, CardStatus } from '../api/types'
import { useI18n } from '../i18n'
import { CARD_PRIORITIES, CARD_STATUSES, DEFAULT_BOARD_FILTERS, activeFilterCount } from './crmLogic'
import type { BoardFilters, DueFilter } from './crmLogic'

const DUE: Exclude<DueFilter, ''>[] = ['overdue', 'today', 'week']

export function BoardFilterBar({ filters, users, onChange }: { filters: BoardFilters; users: Agent[]; onChange: (f: BoardFilters) => void }) {
  const { t } = useI18n()
  // The tag is typed: ask the server once typing pauses.
  const [tag, setTag] = useState(filters.tag)
  useEffect(() => setTag(filters.tag), [filters.tag])
  useEffect(() => {
    if (tag === filters.tag) return
    const timer = setTimeout(() => onChange({ ...filters, tag }), 350)
    return () => clearTimeout(timer)
  }, [tag, filters, onChange])

  const set = (patch: Partial<BoardFilters>) => onChange({ ...filters, ...patch })

  return (
    <div className="crm-filters" data-testid="crm-filters">
      <label>
        {t('crm.filter.assignee')}
        <select value={filters.assignee_id} onChange={(e) => set({ assignee_id: e.target.value })} data-testid="crm-filter-assignee">
          <option value="">{t('filter.any')}</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('filter.tag')}
        <input value={tag} placeholder={t('filter.tagPlaceholder')} onChange={(e) => setTag(e.target.value)} data-testid="crm-filter-tag" />
      </label>
      <label>
        {t('filter.priority')}
        <select
          value={filters.priority}
          onChange={(e) => set({ priority: e.target.value as '' | CardPriority })}
          data-testid="crm-filter-priority"
        >
          <option value="">{t('filter.anyPriority')}</option>
          {CARD_PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {t(`priority.${p}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('crm.filter.due')}
        <select value={filters.due} onChange={(e) => set({ due: e.target.value as DueFilter })} data-testid="crm-filter-due">
          <option value="">{t('filter.any')}</option>
          {DUE.map((d) => (
            <option key={d} value={d}>
              {t(`crm.filter.due.${d}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('filter.status')}
        <select value={filters.status} onChange={(e) => set({ status: e.target.value as CardStatus })} data-testid="crm-filter-status">
          {CARD_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`crm.status.${s}`)}
            </option>
          ))}
        </select>
      </label>
      {activeFilterCount(filters) > 0 && (
        <button type="button" className="btn btn-link btn-sm" onClick={() => onChange(DEFAULT_BOARD_FILTERS)} data-testid="crm-filter-clear">
          {t('filter.clear')}
        </button>
      )}
    </div>
  )
}
