// Test helpers for the admin screens: a scripted fetch that records calls,
// and a render with the session and i18n providers. Used by *.test.tsx only.
import { vi } from 'vitest'
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import type { Stream } from '../api/stream'
import type { Me } from '../api/types'
import { I18nProvider } from '../i18n'
import { SessionContext, StreamContext } from '../session'

export interface Call {
  method: string
  path: string
  body: unknown
}

export type Handler = (call: Call) => { status: number; body?: unknown } | undefined

export function json(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
  })
}

/** Stubs fetch; unanswered requests get 404. Returns the recorded calls. */
export function scriptFetch(handler: Handler): Call[] {
  const calls: Call[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const call: Call = {
        method: init?.method ?? 'GET',
        path: url,
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      }
      calls.push(call)
      const r = handler(call)
      if (!r) return json(404, { status: 404, detail: `no fake for ${call.method} ${url}` })
      return json(r.status, r.body)
    }),
  )
  return calls
}

/** Renders with the session and i18n; with a stream (see fakeStream) the screen gets live events. */
export function renderAdmin(ui: ReactElement, me: Me, setMe: (me: Me) => void = () => undefined, stream: Stream | null = null) {
  const session = { me, setMe }
  return render(
    <I18nProvider initial="pt-BR">
      <SessionContext.Provider value={session}>
        <StreamContext.Provider value={stream}>{ui}</StreamContext.Provider>
      </SessionContext.Provider>
    </I18nProvider>,
  )
}
