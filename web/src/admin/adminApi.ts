// The administration endpoints, on the shared fetch wrapper (CSRF header,
// problem+json errors, global 401 handler).
import { request } from '../api/client'
import type {
  AccountSettings,
  AccountSettingsPatch,
  AdminUser,
  ApiToken,
  AuditEntry,
  CreatedApiToken,
  Items,
  NewUserInput,
  Profile,
  ProfileList,
  QuickReply,
  QuickReplyInput,
  SessionList,
  Team,
  UserPatch,
  WhatsAppCostReport,
} from '../api/types'

const enc = encodeURIComponent

export const adminApi = {
  users: () => request<Items<AdminUser>>('GET', '/api/v1/users'),
  createUser: (input: NewUserInput) => request<AdminUser>('POST', '/api/v1/users', { body: input }),
  updateUser: (id: string, patch: UserPatch) => request<AdminUser>('PATCH', `/api/v1/users/${enc(id)}`, { body: patch }),
  resetPassword: (id: string, password: string) =>
    request<void>('POST', `/api/v1/users/${enc(id)}/password`, { body: { password } }),

  profiles: () => request<ProfileList>('GET', '/api/v1/profiles'),
  createProfile: (name: string, permissions: string[]) =>
    request<Profile>('POST', '/api/v1/profiles', { body: { name, permissions } }),
  updateProfile: (id: string, patch: { name?: string; permissions?: string[] }) =>
    request<Profile>('PATCH', `/api/v1/profiles/${enc(id)}`, { body: patch }),
  deleteProfile: (id: string) => request<void>('DELETE', `/api/v1/profiles/${enc(id)}`),

  teams: () => request<Items<Team>>('GET', '/api/v1/teams'),
  createTeam: (name: string, member_ids: string[]) => request<Team>('POST', '/api/v1/teams', { body: { name, member_ids } }),
  updateTeam: (id: string, patch: { name?: string; member_ids?: string[] }) =>
    request<Team>('PATCH', `/api/v1/teams/${enc(id)}`, { body: patch }),
  deleteTeam: (id: string) => request<void>('DELETE', `/api/v1/teams/${enc(id)}`),

  sessions: () => request<SessionList>('GET', '/api/v1/sessions'),
  endSession: (id: string) => request<void>('DELETE', `/api/v1/sessions/${enc(id)}`),

  tokens: () => request<Items<ApiToken>>('GET', '/api/v1/tokens'),
  createToken: (name: string, permissions: string[]) =>
    request<CreatedApiToken>('POST', '/api/v1/tokens', { body: { name, permissions } }),
  revokeToken: (id: string) => request<void>('DELETE', `/api/v1/tokens/${enc(id)}`),

  quickReplies: () => request<Items<QuickReply>>('GET', '/api/v1/quick-replies'),
  createQuickReply: (input: QuickReplyInput) => request<QuickReply>('POST', '/api/v1/quick-replies', { body: input }),
  updateQuickReply: (id: string, input: QuickReplyInput) =>
    request<QuickReply>('PATCH', `/api/v1/quick-replies/${enc(id)}`, { body: input }),
  deleteQuickReply: (id: string) => request<void>('DELETE', `/api/v1/quick-replies/${enc(id)}`),

  account: () => request<AccountSettings>('GET', '/api/v1/account'),
  updateAccount: (patch: AccountSettingsPatch) => request<AccountSettings>('PATCH', '/api/v1/account', { body: patch }),

  audit: (action: string) =>
    request<Items<AuditEntry>>('GET', `/api/v1/audit${action ? `?action=${enc(action)}` : ''}`),

  /** Template messages per month × channel × category, with the operator's estimate (reports:view). */
  whatsappCosts: (from: string, to: string, channelId: string) => {
    const q = new URLSearchParams({ from, to })
    if (channelId) q.set('channel_id', channelId)
    return request<WhatsAppCostReport>('GET', `/api/v1/reports/whatsapp-costs?${q.toString()}`)
  },
}

export type AdminApi = typeof adminApi
