import { describe, expect, it, vi } from 'vitest'
import { openStream, parseEvent } from './stream'
import type { StreamEvent } from './types'

class FakeEventSource {
  static instances: FakeEventSource[] = []
  readyState = 0
  onopen: (() => void) | null = null
  onerror: (() => void) | null = null
  listeners = new Map<string, (e: MessageEvent) => void>()
  closed = false
  constructor(
    public url: string,
    public init?: EventSourceInit,
  ) {
    FakeEventSource.instances.push(this)
  }
  addEventListener(name: string, fn: (e: MessageEvent) => void) {
    this.listeners.set(name, fn)
  }
  close() {
    this.closed = true
    this.readyState = 2
  }
  fire(name: string, data: unknown) {
    this.listeners.get(name)?.(new MessageEvent(name, { data: typeof data === 'string' ? data : JSON.stringify(data) }))
  }
}

const ES = FakeEventSource as unknown as typeof EventSource

describe('event stream', () => {
  it('delivers known events parsed and ignores unknown or broken ones', () => {
    FakeEventSource.instances = []
    const s = openStream({ EventSourceImpl: ES })
    const got: StreamEvent[] = []
    s.subscribe((ev) => got.push(ev))
    const es = FakeEventSource.instances[0]
    expect(es.url).toBe('/api/v1/stream')
    es.fire('message.status_changed', { id: 'm1', conversation_id: 'c1', status: 'read', failure_reason: '' })
    es.fire('message.created', '{not json')
    es.fire('typing.started', { id: 'x' })
    expect(got).toEqual([{ type: 'message.status_changed', data: { id: 'm1', conversation_id: 'c1', status: 'read', failure_reason: '' } }])
    expect(parseEvent('something.else', '{}')).toBeNull()
    s.close()
    expect(es.closed).toBe(true)
  })

  it('delivers template.updated', () => {
    FakeEventSource.instances = []
    const s = openStream({ EventSourceImpl: ES })
    const got: StreamEvent[] = []
    s.subscribe((ev) => got.push(ev))
    const tpl = { id: 'tpl-1', channel_id: 'ch-wa', name: 'pedido_enviado', language: 'pt_BR', category: 'UTILITY', status: 'APPROVED', reason: '', body: 'Olá {{1}}', header: '', footer: '', params: 1, updated_at: '2025-05-01T12:00:00Z' }
    FakeEventSource.instances[0].fire('template.updated', tpl)
    expect(got).toEqual([{ type: 'template.updated', data: tpl }])
    s.close()
  })

  it('delivers message.updated and channel.updated', () => {
    FakeEventSource.instances = []
    const s = openStream({ EventSourceImpl: ES })
    const got: StreamEvent[] = []
    s.subscribe((ev) => got.push(ev))
    const es = FakeEventSource.instances[0]
    const edited = { id: 'm1', conversation_id: 'c1', contact_id: 'ct1', body: 'novo texto', edited_at: '2025-03-01T12:00:00Z' }
    es.fire('message.updated', edited)
    es.fire('channel.updated', { id: 'ch1', status: 'needs_reauth', status_reason: 'token expired' })
    expect(got).toEqual([
      { type: 'message.updated', data: edited },
      { type: 'channel.updated', data: { id: 'ch1', status: 'needs_reauth', status_reason: 'token expired' } },
    ])
    s.close()
  })
  it('delivers billing.updated and billing.low_balance', () => {
    FakeEventSource.instances = []
    const s = openStream({ EventSourceImpl: ES })
    const got: StreamEvent[] = []
    s.subscribe((ev) => got.push(ev))
    const es = FakeEventSource.instances[0]
    es.fire('billing.updated', { balance_cents: 1230 })
    es.fire('billing.low_balance', { balance_cents: 1230, low_balance_cents: 2000 })
    expect(got).toEqual([
      { type: 'billing.updated', data: { balance_cents: 1230 } },
      { type: 'billing.low_balance', data: { balance_cents: 1230, low_balance_cents: 2000 } },
    ])
    s.close()
  })


  it('after the server closes the stream, checks the session and reconnects, then asks for a refresh', async () => {
    vi.useFakeTimers()
    try {
      FakeEventSource.instances = []
      const checkSession = vi.fn(async () => ({}))
      const s = openStream({ EventSourceImpl: ES, checkSession, retryDelayMs: 1000 })
      const refreshed = vi.fn()
      const states: string[] = []
      s.onReconnect(refreshed)
      s.onState((st) => states.push(st))
      const first = FakeEventSource.instances[0]
      first.onopen?.()
      first.readyState = 2
      first.onerror?.()
      expect(checkSession).toHaveBeenCalledTimes(1)
      await vi.advanceTimersByTimeAsync(1000)
      expect(FakeEventSource.instances).toHaveLength(2)
      FakeEventSource.instances[1].onopen?.()
      expect(refreshed).toHaveBeenCalledTimes(1)
      expect(states).toEqual(['open', 'reconnecting', 'open'])
      s.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it('lets the browser retry by itself while the connection is only interrupted', () => {
    FakeEventSource.instances = []
    const checkSession = vi.fn(async () => ({}))
    const s = openStream({ EventSourceImpl: ES, checkSession })
    const es = FakeEventSource.instances[0]
    es.readyState = 0 // CONNECTING: EventSource is retrying with Last-Event-ID
    es.onerror?.()
    expect(checkSession).not.toHaveBeenCalled()
    expect(s.state).toBe('reconnecting')
    s.close()
  })
})
