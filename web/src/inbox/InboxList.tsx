import { useEffect, useState } from 'react'
import type { MouseEvent } from 'react'
import type { Channel, ChannelKindInfo, ConversationSummary, View } from '../api/types'
import { useI18n } from '../i18n'
import { conversationPath, navigate } from '../router'
import { channelGlyph, channelLabel, errorText, initials } from '../format'
import { DEFAULT_FILTERS, PRIORITIES, STATUSES, relativeTime } from './inboxLogic'
import { ThreadBadge } from '../conversation/PostThread'
import type { InboxFilters } from './inboxLogic'

export interface InboxListProps {
  filters: InboxFilters
  onFilters: (f: InboxFilters) => void
  views: View[]
  channels: Channel[]
  items: ConversationSummary[]
  loading: boolean
  error: unknown
  hasMore: boolean
  onLoadMore: () => void
  openId: string | null
  /** GET /channel-kinds: kinds with comments tell a post's comments from a Direct conversation */
  kinds?: ChannelKindInfo[]
}

/** Re-render every 30 s so relative times stay right. */
function useNow(intervalMs = 30000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(id)
  }, [intervalMs])
  return now
}

export function InboxList(props: InboxListProps) {
  const { t } = useI18n()
  const { filters, onFilters } = props
  const [showFilters, setShowFilters] = useState(false)
  const set = (patch: Partial<InboxFilters>) => onFilters({ ...filters, ...patch })
  const activeFilters =
    (filters.channel_id ? 1 : 0) +
    (filters.tag ? 1 : 0) +
    (filters.priority ? 1 : 0) +
    (filters.status !== DEFAULT_FILTERS.status ? 1 : 0)

  return (
    <div className="inbox-list">
      <div className="inbox-tabs" role="tablist" aria-label={t('inbox.title')}>
        {props.views.map((v) => (
          <button
            key={v}
            type="button"
            role="tab"
            aria-selected={filters.view === v}
            className={`tab ${filters.view === v ? 'tab-active' : ''}`}
            data-testid={`view-${v}`}
            onClick={() => set({ view: v })}
          >
            {t(`view.${v}`)}
          </button>
        ))}
      </div>

      <div className="inbox-search">
        <label className="search-box">
          <span className="sr-only">{t('search.label')}</span>
          <span aria-hidden="true" className="search-icon">
            <svg viewBox="0 0 16 16" width="15" height="15">
              <circle cx="7" cy="7" r="4.75" fill="none" stroke="currentColor" strokeWidth="1.6" />
              <path d="M10.5 10.5L14 14" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
            </svg>
          </span>
          <input
            type="search"
            data-testid="inbox-search"
            placeholder={t('search.placeholder')}
            value={filters.q}
            onChange={(e) => set({ q: e.target.value })}
          />
        </label>
        <button
          type="button"
          className={`btn btn-ghost btn-sm filter-toggle ${showFilters ? 'is-on' : ''}`}
          aria-expanded={showFilters}
          data-testid="filters-toggle"
          onClick={() => setShowFilters((s) => !s)}
        >
          {t('filter.toggle')}
          {activeFilters > 0 && <span className="count-dot">{activeFilters}</span>}
        </button>
      </div>

      {showFilters && (
        <div className="inbox-filters" data-testid="inbox-filters">
          <label>
            <span>{t('filter.channel')}</span>
            <select
              data-testid="filter-channel"
              value={filters.channel_id}
              onChange={(e) => set({ channel_id: e.target.value })}
            >
              <option value="">{t('filter.anyChannel')}</option>
              {props.channels.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} · {channelLabel(c.kind, t)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('filter.status')}</span>
            <select
              data-testid="filter-status"
              value={filters.status}
              onChange={(e) => set({ status: e.target.value as InboxFilters['status'] })}
            >
              <option value="">{t('filter.anyStatus')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('filter.priority')}</span>
            <select
              data-testid="filter-priority"
              value={filters.priority}
              onChange={(e) => set({ priority: e.target.value as InboxFilters['priority'] })}
            >
              <option value="">{t('filter.anyPriority')}</option>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {t(`priority.${p}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('filter.tag')}</span>
            <input
              data-testid="filter-tag"
              placeholder={t('filter.tagPlaceholder')}
              value={filters.tag}
              onChange={(e) => set({ tag: e.target.value })}
            />
          </label>
          {activeFilters > 0 && (
            <button
              type="button"
              className="btn btn-link btn-sm"
              onClick={() => onFilters({ ...DEFAULT_FILTERS, view: filters.view, q: filters.q })}
            >
              {t('filter.clear')}
            </button>
          )}
        </div>
      )}

      <ConversationRows {...props} />
    </div>
  )
}

function ConversationRows({ items, loading, error, hasMore, onLoadMore, openId, kinds }: InboxListProps) {
  const { t, lang } = useI18n()
  const now = useNow()

  const open = (e: MouseEvent<HTMLAnchorElement>, id: string) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    navigate(conversationPath(id))
  }

  return (
    <div className="inbox-rows" data-testid="conversation-list" aria-busy={loading}>
      {error != null && (
        <div className="alert alert-error" role="alert">
          {errorText(error, t)}
        </div>
      )}
      {items.length === 0 && !loading && error == null && <p className="empty">{t('inbox.empty')}</p>}
      <ul>
        {items.map((c) => {
          const preview = c.last_message
            ? (c.last_message.direction === 'outbound' ? t('inbox.you') : '') +
              (c.last_message.body || `📎 ${t('inbox.attachment')}`)
            : t('inbox.noMessages')
          const urgent = c.priority === 'urgent' || c.priority === 'high'
          return (
            <li key={c.id}>
              <a
                href={conversationPath(c.id)}
                onClick={(e) => open(e, c.id)}
                className={`conv-row ${c.id === openId ? 'is-open' : ''} ${c.unread > 0 ? 'is-unread' : ''}`}
                data-testid="conversation-row"
                data-id={c.id}
                data-unread={c.unread}
                aria-current={c.id === openId ? 'page' : undefined}
              >
                <span className="avatar" aria-hidden="true">
                  {initials(c.contact.name)}
                  <span className={`channel-badge ch-${c.channel.kind}`} title={channelLabel(c.channel.kind, t)}>
                    {channelGlyph(c.channel.kind)}
                  </span>
                </span>
                <span className="conv-main">
                  <span className="conv-line">
                    <span className="conv-name">{c.contact.name}</span>
                    <time className="conv-time" dateTime={c.last_message?.created_at ?? c.updated_at}>
                      {relativeTime(c.last_message?.created_at ?? c.updated_at, now, lang, t('inbox.now'))}
                    </time>
                  </span>
                  <span className="conv-line">
                    <span className="conv-preview">{preview}</span>
                    {c.unread > 0 && (
                      <span className="unread-badge" data-testid="unread-badge" aria-label={t('inbox.unread', { n: c.unread })}>
                        {c.unread > 99 ? '99+' : c.unread}
                      </span>
                    )}
                  </span>
                  <span className="conv-meta">
                    <span className="channel-label">{channelLabel(c.channel.kind, t)}</span>
                    <ThreadBadge conversation={c} kinds={kinds} />
                    {urgent && (
                      <span className={`priority-marker prio-${c.priority}`} data-testid="priority-marker" data-priority={c.priority}>
                        {t(`priority.${c.priority}`)}
                      </span>
                    )}
                    {c.sla_breached && (
                      <span className="priority-marker prio-sla" data-testid="sla-marker">
                        {t('conv.slaBreached')}
                      </span>
                    )}
                    {c.status !== 'open' && <span className={`status-pill st-${c.status}`}>{t(`status.${c.status}`)}</span>}
                    {c.tags.slice(0, 2).map((tag) => (
                      <span key={tag} className="tag tag-sm">
                        {tag}
                      </span>
                    ))}
                  </span>
                </span>
              </a>
            </li>
          )
        })}
      </ul>
      {loading && <p className="empty">{t('inbox.loading')}</p>}
      {hasMore && !loading && (
        <button type="button" className="btn btn-ghost btn-block" data-testid="inbox-load-more" onClick={onLoadMore}>
          {t('inbox.loadMore')}
        </button>
      )}
    </div>
  )
}
