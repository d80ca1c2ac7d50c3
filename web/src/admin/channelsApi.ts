// The channel endpoints (configuration by channels:manage), on the shared
// fetch wrapper (CSRF header, problem+json errors, global 401 handler).
import { request } from '../api/client'
import type { ChannelDetail, ChannelKindInfo, ChannelListItem, ChannelPatch, Items, NewChannelInput } from '../api/types'

const enc = encodeURIComponent

export const channelsApi = {
  /** every kind the server knows, with its settings schema and whether it can be created */
  kinds: () => request<Items<ChannelKindInfo>>('GET', '/api/v1/channel-kinds'),
  list: () => request<Items<ChannelListItem>>('GET', '/api/v1/channels'),
  get: (id: string) => request<ChannelDetail>('GET', `/api/v1/channels/${enc(id)}`),
  create: (input: NewChannelInput) => request<ChannelDetail>('POST', '/api/v1/channels', { body: input }),
  update: (id: string, patch: ChannelPatch) => request<ChannelDetail>('PATCH', `/api/v1/channels/${enc(id)}`, { body: patch }),
  rotateToken: (id: string) => request<ChannelDetail>('POST', `/api/v1/channels/${enc(id)}/rotate-token`),
}
