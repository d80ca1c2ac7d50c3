// The webhook endpoints (api:tokens, "api" module), on the shared fetch
// wrapper (CSRF header, problem+json errors, global 401 handler).
import { request } from '../api/client'
import type {
  CreatedWebhookEndpoint,
  Items,
  Page,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookEndpoint,
  WebhookEndpointInput,
  WebhookEndpointPatch,
} from '../api/types'
import { deliveriesQuery } from './webhooksLogic'

const enc = encodeURIComponent

export const webhooksApi = {
  events: () => request<Items<string>>('GET', '/api/v1/webhook-events'),
  list: () => request<Items<WebhookEndpoint>>('GET', '/api/v1/webhooks'),
  create: (input: WebhookEndpointInput) => request<CreatedWebhookEndpoint>('POST', '/api/v1/webhooks', { body: input }),
  update: (id: string, patch: WebhookEndpointPatch) =>
    request<WebhookEndpoint>('PATCH', `/api/v1/webhooks/${enc(id)}`, { body: patch }),
  remove: (id: string) => request<void>('DELETE', `/api/v1/webhooks/${enc(id)}`),
  rotateSecret: (id: string) => request<{ secret: string }>('POST', `/api/v1/webhooks/${enc(id)}/rotate-secret`),
  ping: (id: string) => request<WebhookDelivery>('POST', `/api/v1/webhooks/${enc(id)}/ping`),
  deliveries: (id: string, status: string, cursor?: string | null) =>
    request<Page<WebhookDelivery>>('GET', `/api/v1/webhooks/${enc(id)}/deliveries${deliveriesQuery(status, cursor)}`),
  delivery: (id: string) => request<WebhookDeliveryDetail>('GET', `/api/v1/webhook-deliveries/${enc(id)}`),
  replay: (id: string) => request<WebhookDelivery>('POST', `/api/v1/webhook-deliveries/${enc(id)}/replay`),
}

export type WebhooksApi = typeof webhooksApi
