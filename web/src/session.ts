// What the signed-in screens share: the current user (Me) and the realtime stream.
import { createContext, useContext, useEffect, useRef } from 'react'
import type { Me, Permission, StreamEvent } from './api/types'
import type { Stream } from './api/stream'

export function can(me: Me | null, perm: Permission): boolean {
  return !!me && me.user.permissions.includes(perm)
}

export interface Session {
  me: Me
  setMe: (me: Me) => void
}

export const SessionContext = createContext<Session | null>(null)

export function useSession(): Session {
  const s = useContext(SessionContext)
  if (!s) throw new Error('useSession outside SessionContext')
  return s
}

export const StreamContext = createContext<Stream | null>(null)

/** Subscribe to realtime events; the latest handler is always the one called. */
export function useStreamEvents(handler: (ev: StreamEvent) => void): void {
  const stream = useContext(StreamContext)
  const ref = useRef(handler)
  ref.current = handler
  useEffect(() => {
    if (!stream) return
    return stream.subscribe((ev) => ref.current(ev))
  }, [stream])
}

/** Run a refresh when the stream comes back after a break (events may have been missed). */
export function useStreamReconnect(handler: () => void): void {
  const stream = useContext(StreamContext)
  const ref = useRef(handler)
  ref.current = handler
  useEffect(() => {
    if (!stream) return
    return stream.onReconnect(() => ref.current())
  }, [stream])
}
