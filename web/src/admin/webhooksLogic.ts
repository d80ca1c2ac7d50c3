// Pure logic of the webhooks screen: the event selection (none = every
// event), URL checks, the PATCH diff, the one-time secret, the deliveries
// query and paging, and the signature help. No React here, so it is unit-tested.
import type { CreatedWebhookEndpoint, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, WebhookEndpointPatch } from '../api/types'
import { hasKey } from '../i18n'
import type { MessageKey, Translate } from '../i18n'

/** The fields a problem may name on the endpoint forms. */
export const WEBHOOK_FIELDS = ['url', 'events']

export const DELIVERY_STATUSES: readonly WebhookDeliveryStatus[] = ['pending', 'delivered', 'failed']

// ---------- events: none selected = every event ----------

/** An endpoint with no events listed receives every event, also ones added later. */
export function isAllEvents(events: readonly string[]): boolean {
  return events.length === 0
}

/**
 * The checkboxes to show: the events the server offers, then any the endpoint
 * still subscribes to that the server no longer lists (so they can be unticked).
 */
export function eventOptions(known: readonly string[], selected: readonly string[]): string[] {
  const extra = selected.filter((e) => !known.includes(e))
  return [...known, ...[...new Set(extra)].sort()]
}

/** The selection to send: no duplicates, in the server's order, unknown ones last. */
export function orderEvents(selected: readonly string[], known: readonly string[]): string[] {
  const chosen = new Set(selected.map((e) => e.trim()).filter(Boolean))
  const out = known.filter((e) => chosen.has(e))
  const rest = [...chosen].filter((e) => !known.includes(e)).sort()
  return [...out, ...rest]
}

/** Ticks or unticks one event. Unticking the last one means "every event" again. */
export function toggleEvent(selected: readonly string[], event: string, on: boolean, known: readonly string[]): string[] {
  const rest = selected.filter((e) => e !== event)
  return orderEvents(on ? [...rest, event] : rest, known)
}

export function sameEvents(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a)
  const y = new Set(b)
  return x.size === y.size && [...x].every((e) => y.has(e))
}

// ---------- endpoint form ----------

/**
 * Checks the URL before sending (the server checks again, its 422 lands on
 * the same field): an absolute http:// or https:// address with a host.
 */
export function urlProblem(raw: string): MessageKey | null {
  const url = raw.trim()
  if (url === '') return 'admin.webhooks.urlRequired'
  if (!/^https?:\/\//i.test(url)) return 'admin.webhooks.urlScheme'
  try {
    const u = new URL(url)
    if (!u.hostname || /\s/.test(url)) return 'admin.webhooks.urlInvalid'
  } catch {
    return 'admin.webhooks.urlInvalid'
  }
  return null
}

/** Only what changed, so the PATCH does not touch (nor audit) the rest. */
export function endpointPatch(ep: WebhookEndpoint, url: string, events: readonly string[], known: readonly string[]): WebhookEndpointPatch {
  const patch: WebhookEndpointPatch = {}
  const u = url.trim()
  if (u !== ep.url) patch.url = u
  if (!sameEvents(ep.events ?? [], events)) patch.events = orderEvents(events, known)
  return patch
}

/** The list never holds a secret: it keeps only what GET /webhooks returns. */
export function withoutSecret(ep: CreatedWebhookEndpoint | WebhookEndpoint): WebhookEndpoint {
  const { id, url, events, enabled, disabled_reason, secret_hint, created_at, updated_at } = ep
  return { id, url, events: events ?? [], enabled, disabled_reason: disabled_reason ?? '', secret_hint: secret_hint ?? '', created_at, updated_at }
}

/** Replaces the endpoint in place, or puts a new one on top. */
export function upsertEndpoint(list: readonly WebhookEndpoint[], ep: WebhookEndpoint): WebhookEndpoint[] {
  const clean = withoutSecret(ep)
  if (list.some((x) => x.id === clean.id)) return list.map((x) => (x.id === clean.id ? clean : x))
  return [clean, ...list]
}

/** "…a1b2" from the secret's last characters; the hint as sent when it already carries the ellipsis. */
export function secretHintText(hint: string): string {
  const h = (hint ?? '').trim()
  if (!h) return '—'
  if (h.startsWith('…') || h.startsWith('...')) return h
  return `…${h}`
}

// ---------- deliveries ----------

/**
 * A short form of a delivery id. The ids are UUIDv7, whose first characters
 * are a timestamp shared by deliveries made close together, so keep the end.
 */
export function shortId(id: string): string {
  return id.length <= 8 ? id : `…${id.slice(-8)}`
}

/** "?status=failed&cursor=…" for GET /webhooks/:id/deliveries; "" without filters. */
export function deliveriesQuery(status: string, cursor?: string | null): string {
  const q = new URLSearchParams()
  if (status) q.set('status', status)
  if (cursor) q.set('cursor', cursor)
  const s = q.toString()
  return s ? `?${s}` : ''
}

/** Adds the next page under the rows already shown; a row seen twice is kept once (fresh copy). */
export function appendDeliveries(list: readonly WebhookDelivery[], page: readonly WebhookDelivery[]): WebhookDelivery[] {
  const fresh = new Map(page.map((d) => [d.id, d]))
  const kept = list.map((d) => fresh.get(d.id) ?? d)
  const seen = new Set(list.map((d) => d.id))
  return [...kept, ...page.filter((d) => !seen.has(d.id))]
}

export function deliveryStatusLabel(status: string, t: Translate): string {
  const key = `admin.webhooks.status.${status}`
  return hasKey(key) ? t(key) : status
}

/** The pill class for a delivery status. */
export function deliveryStatusClass(status: string): string {
  if (status === 'delivered') return 'pill-ok'
  if (status === 'failed') return 'pill-failed'
  if (status === 'pending') return 'pill-warn'
  return 'pill-off'
}

/** An HTTP status for the table: "—" when there was no answer. */
export function statusCodeText(code: number): string {
  return code > 0 ? String(code) : '—'
}

export function isSuccessCode(code: number): boolean {
  return code >= 200 && code < 300
}

/** The payload as indented JSON; a JSON text is parsed first, anything else shown as is. */
export function prettyPayload(payload: unknown): string {
  if (payload === undefined || payload === null) return ''
  if (typeof payload === 'string') {
    try {
      return JSON.stringify(JSON.parse(payload), null, 2)
    } catch {
      return payload
    }
  }
  try {
    return JSON.stringify(payload, null, 2)
  } catch {
    return String(payload)
  }
}

// ---------- signature ----------

export const SIGNATURE_HEADER = 'X-Chatspot-Signature'
export const TIMESTAMP_HEADER = 'X-Chatspot-Timestamp'
export const DELIVERY_HEADER = 'X-Chatspot-Delivery'
export const EVENT_ID_HEADER = 'X-Chatspot-Event-Id'
export const EVENT_HEADER = 'X-Chatspot-Event'

/** What the HMAC covers: the timestamp header, a dot, then the raw body. */
export function signedContent(timestamp: string, rawBody: string): string {
  return `${timestamp}.${rawBody}`
}

/** The header value for a hex HMAC-SHA256. */
export function signatureHeaderValue(hex: string): string {
  return `sha256=${hex.toLowerCase()}`
}

/** A receiver in Node.js that checks the signature (shown as is: code is not translated). */
export const SIGNATURE_EXAMPLE = [
  "const crypto = require('crypto')",
  '',
  'function verify(secret, headers, rawBody) {',
  `  const timestamp = headers['${TIMESTAMP_HEADER.toLowerCase()}']`,
  `  const received = headers['${SIGNATURE_HEADER.toLowerCase()}'] || ''`,
  "  const expected = 'sha256=' + crypto.createHmac('sha256', secret)",
  "    .update(timestamp + '.' + rawBody)",
  "    .digest('hex')",
  '  return received.length === expected.length &&',
  '    crypto.timingSafeEqual(Buffer.from(received), Buffer.from(expected))',
  '}',
].join('\n')
