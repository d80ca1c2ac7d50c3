// Realtime events from GET /api/v1/stream (Server-Sent Events). EventSource
// reconnects by itself and resends Last-Event-ID; when the server closes the
// stream for good (e.g. a non-200 answer) we check the session and reopen.
import type { StreamEvent } from './types'

export const STREAM_URL = '/api/v1/stream'
export const EVENT_NAMES = [
  'message.created',
  'message.status_changed',
  'message.updated',
  'conversation.updated',
  'card.updated',
  'card.alert',
  'scheduled_message.updated',
  'channel.updated',
  'template.updated',
  'billing.updated',
  'billing.low_balance',
] as const

export type StreamState = 'connecting' | 'open' | 'reconnecting'

export interface Stream {
  /** Receive every known event; returns an unsubscribe function. */
  subscribe(fn: (ev: StreamEvent) => void): () => void
  /** Called when the connection comes back after a break (refetch what may be stale). */
  onReconnect(fn: () => void): () => void
  onState(fn: (s: StreamState) => void): () => void
  readonly state: StreamState
  close(): void
}

export interface StreamOptions {
  url?: string
  EventSourceImpl?: typeof EventSource
  /** Asked after the stream closed for good; reject (or redirect) when the session is gone. */
  checkSession?: () => Promise<unknown>
  retryDelayMs?: number
}

/** Parse one SSE message into a typed event, or null when unknown or malformed. */
export function parseEvent(type: string, data: string): StreamEvent | null {
  if (!(EVENT_NAMES as readonly string[]).includes(type)) return null
  try {
    const parsed = JSON.parse(data)
    if (!parsed || typeof parsed !== 'object') return null
    return { type, data: parsed } as StreamEvent
  } catch {
    return null
  }
}

export function openStream(opts: StreamOptions = {}): Stream {
  const ES = opts.EventSourceImpl ?? globalThis.EventSource
  const url = opts.url ?? STREAM_URL
  const listeners = new Set<(ev: StreamEvent) => void>()
  const reconnectListeners = new Set<() => void>()
  const stateListeners = new Set<(s: StreamState) => void>()
  let state: StreamState = 'connecting'
  let source: EventSource | null = null
  let closed = false
  let hadBreak = false
  let timer: ReturnType<typeof setTimeout> | null = null

  const setState = (s: StreamState) => {
    if (s === state) return
    state = s
    stateListeners.forEach((fn) => fn(s))
  }

  const dispatch = (type: string) => (e: MessageEvent) => {
    const ev = parseEvent(type, e.data)
    if (ev) listeners.forEach((fn) => fn(ev))
  }

  const connect = () => {
    if (closed || !ES) return
    const es = new ES(url, { withCredentials: true })
    source = es
    for (const name of EVENT_NAMES) es.addEventListener(name, dispatch(name) as EventListener)
    es.onopen = () => {
      setState('open')
      if (hadBreak) {
        hadBreak = false
        reconnectListeners.forEach((fn) => fn())
      }
    }
    es.onerror = () => {
      hadBreak = true
      setState('reconnecting')
      if (es.readyState !== 2 /* CLOSED */) return // the browser is retrying
      es.close()
      source = null
      const reopen = () => {
        timer = setTimeout(connect, opts.retryDelayMs ?? 3000)
      }
      if (opts.checkSession) opts.checkSession().then(reopen, () => undefined)
      else reopen()
    }
  }
  connect()

  return {
    subscribe(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    onReconnect(fn) {
      reconnectListeners.add(fn)
      return () => reconnectListeners.delete(fn)
    },
    onState(fn) {
      stateListeners.add(fn)
      return () => stateListeners.delete(fn)
    },
    get state() {
      return state
    },
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      source?.close()
      source = null
    },
  }
}
