import { createHmac, timingSafeEqual } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { CreatedWebhookEndpoint, WebhookDelivery, WebhookEndpoint } from '../api/types'
import { translate } from '../i18n'
import type { Translate } from '../i18n'
import {
  appendDeliveries,
  deliveriesQuery,
  deliveryStatusClass,
  deliveryStatusLabel,
  endpointPatch,
  eventOptions,
  isAllEvents,
  orderEvents,
  prettyPayload,
  sameEvents,
  secretHintText,
  shortId,
  SIGNATURE_EXAMPLE,
  signatureHeaderValue,
  signedContent,
  statusCodeText,
  toggleEvent,
  upsertEndpoint,
  urlProblem,
  withoutSecret,
} from './webhooksLogic'

const t: Translate = (key, params) => translate('pt-BR', key, params)
const KNOWN = ['message.created', 'conversation.created', 'conversation.closed', 'crm.card.moved']

const ep: WebhookEndpoint = {
  id: 'wh1',
  url: 'https://erp.example.com/hook',
  events: ['message.created'],
  enabled: true,
  disabled_reason: '',
  secret_hint: 'a1b2',
  created_at: '2025-03-01T12:00:00Z',
  updated_at: '2025-03-01T12:00:00Z',
}

function delivery(id: string, over: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id,
    endpoint_id: 'wh1',
    event_id: `ev-${id}`,
    event: 'message.created',
    status: 'delivered',
    attempts: 1,
    last_status_code: 200,
    last_error: '',
    last_duration_ms: 42,
    payload: {},
    created_at: '2025-03-01T12:00:00Z',
    delivered_at: '2025-03-01T12:00:01Z',
    ...over,
  }
}

describe('event selection', () => {
  it('treats no event as every event', () => {
    expect(isAllEvents([])).toBe(true)
    expect(isAllEvents(['message.created'])).toBe(false)
  })

  it('ticks in the server order, and unticking the last one goes back to "all"', () => {
    let sel: string[] = []
    sel = toggleEvent(sel, 'conversation.closed', true, KNOWN)
    sel = toggleEvent(sel, 'message.created', true, KNOWN)
    expect(sel).toEqual(['message.created', 'conversation.closed'])
    expect(isAllEvents(sel)).toBe(false)
    sel = toggleEvent(sel, 'message.created', false, KNOWN)
    sel = toggleEvent(sel, 'conversation.closed', false, KNOWN)
    expect(sel).toEqual([])
    expect(isAllEvents(sel)).toBe(true)
  })

  it('keeps subscribed events the server no longer offers, listed last so they can be unticked', () => {
    expect(eventOptions(KNOWN, ['old.event', 'message.created'])).toEqual([...KNOWN, 'old.event'])
    expect(orderEvents(['old.event', 'crm.card.moved', 'crm.card.moved', ' '], KNOWN)).toEqual(['crm.card.moved', 'old.event'])
  })

  it('compares selections as sets', () => {
    expect(sameEvents(['a', 'b'], ['b', 'a'])).toBe(true)
    expect(sameEvents(['a'], [])).toBe(false)
  })
})

describe('endpoint form', () => {
  it('wants an absolute http(s) URL', () => {
    expect(urlProblem('')).toBe('admin.webhooks.urlRequired')
    expect(urlProblem('   ')).toBe('admin.webhooks.urlRequired')
    expect(urlProblem('ftp://x.com/hook')).toBe('admin.webhooks.urlScheme')
    expect(urlProblem('erp.example.com/hook')).toBe('admin.webhooks.urlScheme')
    expect(urlProblem('https://')).toBe('admin.webhooks.urlInvalid')
    expect(urlProblem('https://erp.example.com/a b')).toBe('admin.webhooks.urlInvalid')
    expect(urlProblem(' https://erp.example.com/hook ')).toBeNull()
    expect(urlProblem('HTTP://localhost:9000/hook')).toBeNull()
  })

  it('sends only what changed', () => {
    expect(endpointPatch(ep, ' https://erp.example.com/hook ', ['message.created'], KNOWN)).toEqual({})
    expect(endpointPatch(ep, 'https://erp.example.com/v2', ['message.created'], KNOWN)).toEqual({ url: 'https://erp.example.com/v2' })
    expect(endpointPatch(ep, ep.url, [], KNOWN)).toEqual({ events: [] })
    expect(endpointPatch(ep, ep.url, ['conversation.closed', 'message.created'], KNOWN)).toEqual({ events: ['message.created', 'conversation.closed'] })
  })

  it('never keeps the secret in the list', () => {
    const created: CreatedWebhookEndpoint = { ...ep, id: 'wh2', secret: 'whsec_supersecret' }
    const list = upsertEndpoint([ep], created)
    expect(list.map((x) => x.id)).toEqual(['wh2', 'wh1'])
    expect(JSON.stringify(list)).not.toContain('whsec_supersecret')
    expect(withoutSecret(created)).not.toHaveProperty('secret')
    expect(upsertEndpoint(list, { ...ep, enabled: false })[1].enabled).toBe(false)
  })

  it('shows the secret hint with an ellipsis', () => {
    expect(secretHintText('a1b2')).toBe('…a1b2')
    expect(secretHintText('…a1b2')).toBe('…a1b2')
    expect(secretHintText('')).toBe('—')
  })
})

describe('deliveries', () => {
  it('shortens UUIDv7 ids by their random end, not the shared timestamp start', () => {
    expect(shortId('01956a3c-7f10-7abc-8def-0123456789ab')).toBe('…456789ab')
    expect(shortId('abc')).toBe('abc')
  })

  it('builds the query with only the filters in use', () => {
    expect(deliveriesQuery('')).toBe('')
    expect(deliveriesQuery('failed')).toBe('?status=failed')
    expect(deliveriesQuery('', 'c/2=')).toBe('?cursor=c%2F2%3D')
    expect(deliveriesQuery('pending', 'abc')).toBe('?status=pending&cursor=abc')
  })

  it('appends the next page without repeating a row', () => {
    const first = [delivery('d1'), delivery('d2', { status: 'pending' })]
    const next = [delivery('d2', { status: 'delivered' }), delivery('d3')]
    const all = appendDeliveries(first, next)
    expect(all.map((d) => d.id)).toEqual(['d1', 'd2', 'd3'])
    expect(all[1].status).toBe('delivered')
  })

  it('labels statuses and HTTP codes', () => {
    expect(deliveryStatusLabel('failed', t)).toBe('Falhou')
    expect(deliveryStatusLabel('delivered', t)).toBe('Entregue')
    expect(deliveryStatusLabel('weird', t)).toBe('weird')
    expect(deliveryStatusClass('failed')).toBe('pill-failed')
    expect(statusCodeText(0)).toBe('—')
    expect(statusCodeText(503)).toBe('503')
  })

  it('pretty-prints the payload', () => {
    expect(prettyPayload({ a: 1, b: { c: 'x' } })).toBe('{\n  "a": 1,\n  "b": {\n    "c": "x"\n  }\n}')
    expect(prettyPayload('{"a":1}')).toBe('{\n  "a": 1\n}')
    expect(prettyPayload('not json')).toBe('not json')
    expect(prettyPayload(null)).toBe('')
  })
})

describe('signature help', () => {
  const secret = 'whsec_test_0123456789'
  const timestamp = '1740830400'
  const body = '{"event":"message.created","data":{"id":"m1"}}'
  const hex = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')

  it('signs "<timestamp>.<raw body>" and sends sha256=<hex>', () => {
    expect(signedContent(timestamp, body)).toBe(`${timestamp}.${body}`)
    expect(signatureHeaderValue(hex.toUpperCase())).toBe(`sha256=${hex}`)
  })

  it('shows a Node.js example that really verifies a signature', () => {
    const verify = new Function('require', 'Buffer', `${SIGNATURE_EXAMPLE}\nreturn verify`)(
      (name: string) => (name === 'crypto' ? { createHmac, timingSafeEqual } : undefined),
      Buffer,
    ) as (secret: string, headers: Record<string, string>, rawBody: string) => boolean
    const headers = { 'x-chatspot-timestamp': timestamp, 'x-chatspot-signature': signatureHeaderValue(hex) }
    expect(verify(secret, headers, body)).toBe(true)
    expect(verify('other-secret', headers, body)).toBe(false)
    expect(verify(secret, headers, body.replace('m1', 'm2'))).toBe(false)
    expect(verify(secret, { ...headers, 'x-chatspot-timestamp': '1740830401' }, body)).toBe(false)
    expect(verify(secret, { 'x-chatspot-timestamp': timestamp }, body)).toBe(false)
  })
})
