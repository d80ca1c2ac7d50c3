// Test helpers for the admin screens: a scripted fetch that records calls,
// a render with the session and i18n providers, and a QR code reader. Used
// by *.test.tsx only.
import { vi } from 'vitest'
import { render } from '@testing-library/react'
import jsQR from 'jsqr'
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

/**
 * Reads a QR code drawn as SVG by qrcode.react the way a phone camera would:
 * its dark runs ("M<x> <y>h<n>v1…", in modules) painted black on white, 4 px
 * a module, then decoded. Null when no code can be read.
 */
export function readQr(svg: Element): string | null {
  const size = Number((svg.getAttribute('viewBox') ?? '').split(/\s+/)[2])
  const paths = svg.querySelectorAll('path')
  const dark = paths[paths.length - 1] // the first one is the white background
  if (!size || !dark) return null
  const scale = 4
  const w = size * scale
  const px = new Uint8ClampedArray(w * w * 4).fill(255)
  for (const m of (dark.getAttribute('d') ?? '').matchAll(/M(\d+)[ ,](\d+)\s*h(\d+)/g)) {
    const [x, y, n] = [m[1], m[2], m[3]].map(Number)
    for (let py = y * scale; py < (y + 1) * scale; py++) {
      for (let pxl = x * scale; pxl < (x + n) * scale; pxl++) {
        const i = (py * w + pxl) * 4
        px[i] = px[i + 1] = px[i + 2] = 0
      }
    }
  }
  return jsQR(px, w, w)?.data ?? null
}
