import { useCallback, useEffect, useMemo, useState } from 'react'
import { api } from '../api/client'
import type { MessageCreatedEvent } from '../api/types'
import { useI18n } from '../i18n'
import { navigate } from '../router'
import { can, useSession } from '../session'
import { noteArrival, playChime } from '../notify'
import { ConversationView } from '../conversation/ConversationView'
import type { ReferenceData } from '../conversation/ConversationView'
import { InboxList } from './InboxList'
import { DEFAULT_FILTERS, allowedViews } from './inboxLogic'
import type { InboxFilters } from './inboxLogic'
import { useInbox } from './useInbox'

const FILTERS_KEY = 'chatspot.inbox.filters'

function loadFilters(views: string[]): InboxFilters {
  try {
    const raw = sessionStorage.getItem(FILTERS_KEY)
    if (raw) {
      const f = { ...DEFAULT_FILTERS, ...(JSON.parse(raw) as Partial<InboxFilters>) }
      if (views.includes(f.view)) return f
    }
  } catch {
    // ignore unreadable state
  }
  return DEFAULT_FILTERS
}

export function Inbox({ conversationId }: { conversationId: string | null }) {
  const { t } = useI18n()
  const { me } = useSession()
  const views = useMemo(() => allowedViews(me.user.permissions), [me.user.permissions])
  const [filters, setFiltersState] = useState<InboxFilters>(() => loadFilters(views))
  const setFilters = useCallback((f: InboxFilters) => {
    setFiltersState(f)
    try {
      sessionStorage.setItem(FILTERS_KEY, JSON.stringify(f))
    } catch {
      // not remembered
    }
  }, [])
  const teamIds = useMemo(() => me.user.teams?.map((x) => x.id) ?? null, [me.user.teams])

  const onAlert = useCallback(
    (msg: MessageCreatedEvent) => {
      const looking = !document.hidden && msg.conversation_id === conversationId
      if (!looking) playChime()
      noteArrival()
    },
    [conversationId],
  )

  const inbox = useInbox(filters, { userId: me.user.id, teamIds, openId: conversationId, onAlert })

  const [refs, setRefs] = useState<ReferenceData>({ users: [], teams: [], channels: [], quickReplies: [] })
  const canAssign = can(me, 'conversations:assign')
  useEffect(() => {
    const none = { items: [] }
    Promise.all([
      canAssign ? api.users().catch(() => none) : none,
      canAssign ? api.teams().catch(() => none) : none,
      api.channels().catch(() => none),
      api.quickReplies().catch(() => none),
      api.channelKinds().catch(() => none),
    ]).then(([users, teams, channels, quickReplies, kinds]) =>
      setRefs({ users: users.items, teams: teams.items, channels: channels.items, quickReplies: quickReplies.items, kinds: kinds.items }),
    )
  }, [canAssign])

  const onBack = useCallback(() => navigate('/'), [])

  return (
    <div className={`inbox ${conversationId ? 'has-open' : ''}`}>
      <aside className="inbox-list-pane">
        <InboxList
          filters={filters}
          onFilters={setFilters}
          views={views}
          channels={refs.channels}
          items={inbox.items}
          loading={inbox.loading}
          error={inbox.error}
          hasMore={inbox.hasMore}
          onLoadMore={inbox.loadMore}
          openId={conversationId}
          kinds={refs.kinds}
        />
      </aside>
      <section className="conversation-pane">
        {conversationId ? (
          <ConversationView
            key={conversationId}
            id={conversationId}
            refs={refs}
            onSummary={inbox.applySummary}
            onSent={inbox.applySent}
            onRead={inbox.markRead}
            onBack={onBack}
          />
        ) : (
          <div className="conv-empty">
            <div className="empty-illustration" aria-hidden="true">
              💬
            </div>
            <p className="muted">{t('inbox.selectConversation')}</p>
          </div>
        )}
      </section>
    </div>
  )
}
