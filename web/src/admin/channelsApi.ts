// The channel endpoints (configuration by channels:manage) and their message
// templates, on the shared fetch wrapper (CSRF header, problem+json errors,
// global 401 handler).
import { request } from '../api/client'
import type {
  ChannelDetail,
  ChannelKindInfo,
  ChannelListItem,
  ChannelPatch,
  Items,
  LinkedInExtensionToken,
  MessageTemplate,
  NewChannelInput,
  NewTemplateInput,
  OAuthStart,
} from '../api/types'

const enc = encodeURIComponent

export const channelsApi = {
  /** every kind the server knows, with its settings schema and whether it can be created */
  kinds: () => request<Items<ChannelKindInfo>>('GET', '/api/v1/channel-kinds'),
  list: () => request<Items<ChannelListItem>>('GET', '/api/v1/channels'),
  get: (id: string) => request<ChannelDetail>('GET', `/api/v1/channels/${enc(id)}`),
  create: (input: NewChannelInput) => request<ChannelDetail>('POST', '/api/v1/channels', { body: input }),
  update: (id: string, patch: ChannelPatch) => request<ChannelDetail>('PATCH', `/api/v1/channels/${enc(id)}`, { body: patch }),
  rotateToken: (id: string) => request<ChannelDetail>('POST', `/api/v1/channels/${enc(id)}/rotate-token`),
  /** kinds with oauth: the provider's consent screen to send the browser to (it comes back to /admin/channels?channel=…&oauth=…) */
  oauth: (id: string) => request<OAuthStart>('POST', `/api/v1/channels/${enc(id)}/oauth`),
  /** kinds with capabilities.templates (WhatsApp Official): the channel's message templates */
  templates: (id: string) => request<Items<MessageTemplate>>('GET', `/api/v1/channels/${enc(id)}/templates`),
  /** submits a template to Meta's review; it comes back SUBMITTING and template.updated events follow */
  createTemplate: (id: string, input: NewTemplateInput) =>
    request<MessageTemplate>('POST', `/api/v1/channels/${enc(id)}/templates`, { body: input }),
  /** 202: the server reads the templates from Meta again in the background (template.updated events follow) */
  syncTemplates: (id: string) => request<void>('POST', `/api/v1/channels/${enc(id)}/templates/sync`),
  /** 201: the caller's own token for the LinkedIn capture extension (its secret only in this answer) */
  linkedInToken: () => request<LinkedInExtensionToken>('POST', '/api/v1/linkedin/token'),
}
