// The conversation list's state: pages from the API, kept current by the
// realtime stream (see inboxLogic.ts for the merge rules).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { api } from '../api/client'
import type { ConversationDetail, ConversationSummary, Message, MessageCreatedEvent, Page } from '../api/types'
import { useStreamEvents, useStreamReconnect } from '../session'
import {
  appendPage,
  applyMessageCreated,
  filtersToQuery,
  markReadLocal,
  toSummary,
  upsertConversation,
} from './inboxLogic'
import type { InboxFilters, ViewContext } from './inboxLogic'

export const PAGE_SIZE = 30

export interface InboxDeps {
  conversations: (query: string, signal?: AbortSignal) => Promise<Page<ConversationSummary>>
  conversation: (id: string) => Promise<ConversationDetail>
}

export interface InboxState {
  items: ConversationSummary[]
  loading: boolean
  error: unknown
  hasMore: boolean
  loadMore: () => void
  reload: () => void
  /** Reconcile a conversation an action returned. */
  applySummary: (c: ConversationSummary) => void
  /** A message this tab just sent: move its conversation up with the new preview. */
  applySent: (m: Message) => void
  markRead: (id: string) => void
}

export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => typeof document === 'undefined' || !document.hidden)
  useEffect(() => {
    const onChange = () => setVisible(!document.hidden)
    document.addEventListener('visibilitychange', onChange)
    return () => document.removeEventListener('visibilitychange', onChange)
  }, [])
  return visible
}

export function useInbox(
  filters: InboxFilters,
  opts: {
    userId: string
    teamIds: string[] | null
    openId: string | null
    /** A customer message arrived in a listed conversation, or brought a new one into the list. */
    onAlert?: (ev: MessageCreatedEvent) => void
  },
  deps: InboxDeps = api,
): InboxState {
  const [items, setItemsState] = useState<ConversationSummary[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<unknown>(null)
  const [cursor, setCursor] = useState<string | null>(null)
  const [reloadTick, setReloadTick] = useState(0)
  const visible = usePageVisible()

  // Live events are applied one after another against the latest list, so
  // the list lives in a ref too (React state updaters must stay pure).
  const itemsRef = useRef<ConversationSummary[]>([])
  const commit = useCallback((next: ConversationSummary[]) => {
    itemsRef.current = next
    setItemsState(next)
  }, [])

  const ctx: ViewContext = useMemo(
    () => ({ userId: opts.userId, teamIds: opts.teamIds, openId: visible ? opts.openId : null }),
    [opts.userId, opts.teamIds, opts.openId, visible],
  )
  const ctxRef = useRef(ctx)
  ctxRef.current = ctx
  const filtersRef = useRef(filters)
  filtersRef.current = filters
  const depsRef = useRef(deps)
  depsRef.current = deps

  const query = filtersToQuery(filters, { limit: PAGE_SIZE })
  const generation = useRef(0)

  // First page whenever the filters change (search text is debounced).
  useEffect(() => {
    const gen = ++generation.current
    const ctrl = new AbortController()
    setLoading(true)
    setError(null)
    const timer = setTimeout(
      () => {
        depsRef.current
          .conversations(query, ctrl.signal)
          .then((page) => {
            if (gen !== generation.current) return
            commit(page.items)
            setCursor(page.next_cursor)
            setLoading(false)
          })
          .catch((err) => {
            if (gen !== generation.current || ctrl.signal.aborted) return
            setError(err)
            setLoading(false)
          })
      },
      filters.q ? 300 : 0,
    )
    return () => {
      clearTimeout(timer)
      ctrl.abort()
    }
  }, [query, reloadTick, commit, filters.q])

  const loadMore = useCallback(() => {
    if (!cursor || loading) return
    const gen = generation.current
    setLoading(true)
    depsRef.current
      .conversations(filtersToQuery(filtersRef.current, { cursor, limit: PAGE_SIZE }))
      .then((page) => {
        if (gen !== generation.current) return
        commit(appendPage(itemsRef.current, page.items))
        setCursor(page.next_cursor)
        setLoading(false)
      })
      .catch((err) => {
        if (gen !== generation.current) return
        setError(err)
        setLoading(false)
      })
  }, [cursor, loading, commit])

  const reload = useCallback(() => setReloadTick((n) => n + 1), [])

  const applySummary = useCallback(
    (c: ConversationSummary) => commit(upsertConversation(itemsRef.current, c, filtersRef.current, ctxRef.current)),
    [commit],
  )

  const markRead = useCallback((id: string) => commit(markReadLocal(itemsRef.current, id)), [commit])

  const applySent = useCallback(
    (m: Message) => {
      if (m.kind === 'note') return
      commit(applyMessageCreated(itemsRef.current, { ...m, contact_id: '' }, ctxRef.current).items)
    },
    [commit],
  )

  // Opening (or coming back to) a conversation clears its badge.
  useEffect(() => {
    if (ctx.openId) commit(markReadLocal(itemsRef.current, ctx.openId))
  }, [ctx.openId, commit])

  const fetching = useRef(new Set<string>())
  const alertRef = useRef(opts.onAlert)
  alertRef.current = opts.onAlert

  useStreamEvents((ev) => {
    if (ev.type === 'message.created') {
      const msg = ev.data
      const fromCustomer = msg.direction === 'inbound' && msg.kind !== 'note'
      const r = applyMessageCreated(itemsRef.current, msg, ctxRef.current)
      commit(r.items)
      const id = r.unknownConversationId
      if (!id) {
        if (fromCustomer) alertRef.current?.(msg)
      } else if (!fetching.current.has(id)) {
        fetching.current.add(id)
        const gen = generation.current
        depsRef.current
          .conversation(id)
          .then((d) => {
            if (gen !== generation.current) return
            applySummary(toSummary(d))
            if (fromCustomer && itemsRef.current.some((c) => c.id === id)) alertRef.current?.(msg)
          })
          .catch(() => undefined) // not visible to this user, or gone
          .finally(() => fetching.current.delete(id))
      }
    } else if (ev.type === 'conversation.updated') {
      applySummary(ev.data)
    }
  })

  // Events may have been missed while the stream was down.
  useStreamReconnect(reload)

  return { items, loading, error, hasMore: !!cursor, loadMore, reload, applySummary, applySent, markRead }
}
