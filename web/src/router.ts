// A tiny router on the History API: login, the inbox, the admin area, the CRM board and the agenda.
import { useSyncExternalStore } from 'react'

const listeners = new Set<() => void>()

function emit() {
  listeners.forEach((fn) => fn())
}

if (typeof window !== 'undefined') window.addEventListener('popstate', emit)

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  const current = window.location.pathname + window.location.search
  if (path === current) return
  if (opts.replace) window.history.replaceState(null, '', path)
  else window.history.pushState(null, '', path)
  emit()
}

function subscribe(fn: () => void) {
  listeners.add(fn)
  return () => {
    listeners.delete(fn)
  }
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname)
}

/** The query string (with its "?"), e.g. the open card of the CRM board. */
export function useSearch(): string {
  return useSyncExternalStore(subscribe, () => window.location.search)
}

export type Route =
  | { name: 'login' }
  | { name: 'inbox'; conversationId: string | null }
  | { name: 'admin'; tab: string | null }
  | { name: 'crm'; pipelineId: string | null }
  | { name: 'agenda' }
  | { name: 'notFound' }

export function matchRoute(path: string): Route {
  const clean = path.replace(/\/+$/, '') || '/'
  if (clean === '/login') return { name: 'login' }
  if (clean === '/') return { name: 'inbox', conversationId: null }
  const m = /^\/conversations\/([^/]+)$/.exec(clean)
  if (m) return { name: 'inbox', conversationId: decodeURIComponent(m[1]) }
  if (clean === '/admin') return { name: 'admin', tab: null }
  const a = /^\/admin\/([^/]+)$/.exec(clean)
  if (a) return { name: 'admin', tab: decodeURIComponent(a[1]) }
  if (clean === '/crm') return { name: 'crm', pipelineId: null }
  const p = /^\/crm\/([^/]+)$/.exec(clean)
  if (p) return { name: 'crm', pipelineId: decodeURIComponent(p[1]) }
  if (clean === '/agenda') return { name: 'agenda' }
  return { name: 'notFound' }
}

export function conversationPath(id: string): string {
  return `/conversations/${encodeURIComponent(id)}`
}

/** The board of a pipeline, with a card's drawer open when cardId is given. */
export function crmPath(pipelineId: string | null, cardId?: string | null): string {
  const base = pipelineId ? `/crm/${encodeURIComponent(pipelineId)}` : '/crm'
  return cardId ? `${base}?card=${encodeURIComponent(cardId)}` : base
}
