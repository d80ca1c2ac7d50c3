import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError, parseRetryAfter, readCookie, setUnauthorizedHandler, uuid } from './client'

function respond(status: number, body?: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  })
}

let fetchMock: ReturnType<typeof vi.fn>

beforeEach(() => {
  fetchMock = vi.fn()
  vi.stubGlobal('fetch', fetchMock)
  document.cookie = 'chatspot_csrf=tok%2B123; path=/'
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.cookie = 'chatspot_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/'
  setUnauthorizedHandler(() => {})
})

const headersOf = (call: number) => new Headers(fetchMock.mock.calls[call][1].headers)

describe('api client', () => {
  it('sends the CSRF cookie value on writes, with same-origin credentials', async () => {
    fetchMock.mockResolvedValue(respond(204))
    await api.markRead('c1')
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/v1/conversations/c1/read')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('same-origin')
    expect(headersOf(0).get('X-CSRF-Token')).toBe('tok+123')
  })

  it('does not send the CSRF header on reads', async () => {
    fetchMock.mockResolvedValue(respond(200, { items: [], next_cursor: null }))
    await api.conversations('view=mine')
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/conversations?view=mine')
    expect(headersOf(0).has('X-CSRF-Token')).toBe(false)
    expect(fetchMock.mock.calls[0][1].credentials).toBe('same-origin')
  })

  it('sends the Idempotency-Key and JSON body of a message', async () => {
    fetchMock.mockResolvedValue(respond(201, { id: 'm1', status: 'queued' }))
    const m = await api.sendMessage('c1', { body: 'Oi', kind: 'note' }, 'key-1')
    expect(m.id).toBe('m1')
    expect(headersOf(0).get('Idempotency-Key')).toBe('key-1')
    expect(JSON.parse(fetchMock.mock.calls[0][1].body)).toEqual({ body: 'Oi', kind: 'note' })
  })

  it('sends a template as {template: {id, params}} with the Idempotency-Key', async () => {
    fetchMock.mockResolvedValue(respond(201, { id: 'm2', status: 'queued', body: 'Olá, Maria! Seu pedido 12345 saiu.' }))
    const m = await api.sendTemplate('c1', { id: 'tpl-1', params: ['Maria', '12345'] }, 'key-2')
    expect(m.body).toBe('Olá, Maria! Seu pedido 12345 saiu.')
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/v1/conversations/c1/messages')
    expect(init.method).toBe('POST')
    expect(headersOf(0).get('Idempotency-Key')).toBe('key-2')
    expect(JSON.parse(init.body)).toEqual({ template: { id: 'tpl-1', params: ['Maria', '12345'] } })
  })

  it('reads an {error, field} answer like a problem: the error is the detail', async () => {
    fetchMock.mockResolvedValue(respond(422, { error: 'name: use lowercase letters, digits and underscores', field: 'name' }))
    const err = await api.templates('ch 1').catch((e) => e)
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/channels/ch%201/templates')
    expect(err).toBeInstanceOf(ApiError)
    expect(err.message).toBe('name: use lowercase letters, digits and underscores')
    expect(err.problem).toMatchObject({ status: 422, field: 'name', detail: 'name: use lowercase letters, digits and underscores' })
  })

  it('turns problem+json into an ApiError carrying the detail', async () => {
    fetchMock.mockResolvedValue(respond(422, { title: 'Unprocessable', status: 422, detail: 'window closed: send an approved template', field: 'body' }))
    const err = await api.sendMessage('c1', { body: 'x', kind: 'text' }, 'k').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(422)
    expect(err.message).toBe('window closed: send an approved template')
    expect(err.problem.field).toBe('body')
  })

  it('sends the user to login on a 401, but not for the login call itself', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    fetchMock.mockResolvedValueOnce(respond(401, { detail: 'session expired' }))
    await expect(api.me()).rejects.toBeInstanceOf(ApiError)
    expect(handler).toHaveBeenCalledTimes(1)

    fetchMock.mockResolvedValueOnce(respond(401, { detail: 'wrong password' }))
    await expect(api.login('a@b.c', 'x')).rejects.toMatchObject({ status: 401 })
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('reads Retry-After from a lock-out', async () => {
    fetchMock.mockResolvedValue(respond(429, { detail: 'too many attempts' }, { 'Retry-After': '120' }))
    const err = await api.login('a@b.c', 'x').catch((e) => e)
    expect(err.status).toBe(429)
    expect(err.retryAfter).toBe(120)
  })

  it('reports a network failure as status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    await expect(api.me()).rejects.toMatchObject({ status: 0 })
  })

  it('uploads a file as multipart field "file"', async () => {
    fetchMock.mockResolvedValue(respond(201, { id: 'a1' }))
    await api.upload(new File(['x'], 'nota.pdf'))
    const body = fetchMock.mock.calls[0][1].body as FormData
    expect((body.get('file') as File).name).toBe('nota.pdf')
    expect(headersOf(0).has('Content-Type')).toBe(false) // the browser sets the boundary
  })
})

describe('helpers', () => {
  it('reads one cookie among several', () => {
    expect(readCookie('b', 'a=1; b=two%20words; c=3')).toBe('two words')
    expect(readCookie('z', 'a=1')).toBeNull()
  })

  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('30')).toBe(30)
    expect(parseRetryAfter(new Date(1_000_000 + 90_000).toUTCString(), 1_000_000)).toBe(90)
    expect(parseRetryAfter(null)).toBeNull()
  })

  it('makes v4 UUIDs even without crypto.randomUUID (plain-http deployments)', () => {
    const original = globalThis.crypto.randomUUID
    Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true })
    try {
      const a = uuid()
      expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(uuid()).not.toBe(a)
    } finally {
      Object.defineProperty(globalThis.crypto, 'randomUUID', { value: original, configurable: true })
    }
  })
})
