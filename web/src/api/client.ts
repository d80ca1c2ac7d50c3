// Fetch wrapper for the CHATSPOT API: same-origin cookies, the CSRF header on
// every non-GET request, RFC 9457 problem parsing and a global 401 handler.
import type {
  Agent,
  AssistRequest,
  AssistResponse,
  Attachment,
  Channel,
  ChannelKindInfo,
  ConversationDetail,
  ConversationSummary,
  ConversationThread,
  Items,
  Me,
  Message,
  MessageKind,
  MessageTemplate,
  Page,
  Presence,
  Priority,
  Problem,
  QuickReply,
  Ref,
  RuleTrailEntry,
  SendQuote,
  TemplateSend,
  User,
} from './types'

export const CSRF_COOKIE = 'chatspot_csrf'

/** An HTTP error answered by the API (status 0 = the request never got an answer). */
export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem
  /** Seconds to wait, from a Retry-After header (429), or null. */
  readonly retryAfter: number | null

  constructor(status: number, problem: Problem, retryAfter: number | null = null) {
    super(problem.detail || problem.title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.retryAfter = retryAfter
  }
}

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) {
      return decodeURIComponent(part.slice(eq + 1).trim())
    }
  }
  return null
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return null
  return Math.max(0, Math.ceil((at - now) / 1000))
}

/** A v4 UUID; crypto.randomUUID only exists in secure contexts, so fall back. */
export function uuid(): string {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  const b = new Uint8Array(16)
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(b)
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256)
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

let onUnauthorized: () => void = () => {}

/** Called on any 401 (except the login call itself): the app sends the user to /login. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn
}

export interface RequestOptions {
  body?: unknown
  form?: FormData
  headers?: Record<string, string>
  /** Do not run the global 401 handler (the login form shows the error itself). */
  noAuthRedirect?: boolean
  signal?: AbortSignal
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
  let body: BodyInit | undefined
  if (opts.form) {
    body = opts.form
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = readCookie(CSRF_COOKIE)
    if (csrf) headers['X-CSRF-Token'] = csrf
  }

  let res: Response
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: opts.signal })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, {})
  }

  if (res.status === 401 && !opts.noAuthRedirect) onUnauthorized()

  if (!res.ok) {
    let problem: Problem = {}
    try {
      const text = await res.text()
      if (text) problem = JSON.parse(text) as Problem
    } catch {
      problem = {}
    }
    if (typeof problem !== 'object' || problem === null) problem = {}
    // an answer of the shape {error, field} reads like any other problem
    if (!problem.detail && typeof problem.error === 'string' && problem.error) problem = { ...problem, detail: problem.error }
    throw new ApiError(res.status, { status: res.status, ...problem }, parseRetryAfter(res.headers.get('Retry-After')))
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

const enc = encodeURIComponent

export interface SendMessageInput {
  body: string
  /** "comment": a public answer on the post; "text" in a comment conversation: a private reply (Direct) */
  kind: MessageKind
  attachment_ids?: string[]
  /** the message answered (a comment); without it a reply in a comment conversation answers the latest comment */
  reply_to_id?: string
}

export const api = {
  login: (email: string, password: string) =>
    request<Me>('POST', '/api/v1/auth/login', { body: { email, password }, noAuthRedirect: true }),
  logout: () => request<void>('POST', '/api/v1/auth/logout', { noAuthRedirect: true }),
  me: () => request<Me>('GET', '/api/v1/me'),
  setStatus: (status: Presence) => request<User>('PUT', '/api/v1/me/status', { body: { status } }),

  conversations: (query: string, signal?: AbortSignal) =>
    request<Page<ConversationSummary>>('GET', `/api/v1/conversations${query ? `?${query}` : ''}`, { signal }),
  conversation: (id: string) => request<ConversationDetail>('GET', `/api/v1/conversations/${enc(id)}`),
  contactMessages: (contactId: string, cursor?: string | null) =>
    request<Page<Message>>(
      'GET',
      `/api/v1/contacts/${enc(contactId)}/messages${cursor ? `?cursor=${enc(cursor)}` : ''}`,
    ),
  sendMessage: (conversationId: string, input: SendMessageInput, idempotencyKey: string) =>
    request<Message>('POST', `/api/v1/conversations/${enc(conversationId)}/messages`, {
      body: input,
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  /** An approved template as a message (outside the 24 h window the only thing WhatsApp Official lets through). */
  sendTemplate: (conversationId: string, template: TemplateSend, idempotencyKey: string) =>
    request<Message>('POST', `/api/v1/conversations/${enc(conversationId)}/messages`, {
      body: { template },
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  retryMessage: (messageId: string) => request<Message>('POST', `/api/v1/messages/${enc(messageId)}/retry`),
  /** Hide (or show again) a customer's comment on Instagram; answers the message as it is now. */
  hideMessage: (messageId: string, hidden: boolean) =>
    request<Message>('POST', `/api/v1/messages/${enc(messageId)}/hide`, { body: { hidden } }),
  /** Delete a customer's comment on Instagram; answers the message with revoked_at set. */
  deleteMessage: (messageId: string) => request<Message>('DELETE', `/api/v1/messages/${enc(messageId)}`),
  /** The conversation's thread (an Instagram post: caption, image, link), fetched from the provider when not yet known. */
  conversationThread: (id: string) => request<ConversationThread>('GET', `/api/v1/conversations/${enc(id)}/thread`),
  /** AI Assist: a suggestion for the draft. Never sends anything. */
  assist: (conversationId: string, input: AssistRequest, signal?: AbortSignal) =>
    request<AssistResponse>('POST', `/api/v1/conversations/${enc(conversationId)}/assist`, { body: input, signal }),
  /** What sending this text costs on a metered channel (SMS segments and balance). Never sends. */
  quote: (conversationId: string, text: string, signal?: AbortSignal) =>
    request<SendQuote>('POST', `/api/v1/conversations/${enc(conversationId)}/quote`, { body: { text }, signal }),
  markRead: (id: string) => request<void>('POST', `/api/v1/conversations/${enc(id)}/read`),

  assign: (id: string, userId: string | null) =>
    request<ConversationSummary>('POST', `/api/v1/conversations/${enc(id)}/assign`, { body: { user_id: userId } }),
  transfer: (id: string, teamId: string) =>
    request<ConversationSummary>('POST', `/api/v1/conversations/${enc(id)}/transfer`, { body: { team_id: teamId } }),
  tags: (id: string, change: { add?: string[]; remove?: string[] }) =>
    request<ConversationSummary>('POST', `/api/v1/conversations/${enc(id)}/tags`, { body: change }),
  priority: (id: string, priority: Priority) =>
    request<ConversationSummary>('POST', `/api/v1/conversations/${enc(id)}/priority`, { body: { priority } }),
  snooze: (id: string, until: string) =>
    request<ConversationSummary>('POST', `/api/v1/conversations/${enc(id)}/snooze`, { body: { until } }),
  close: (id: string) => request<ConversationSummary>('POST', `/api/v1/conversations/${enc(id)}/close`),
  reopen: (id: string) => request<ConversationSummary>('POST', `/api/v1/conversations/${enc(id)}/reopen`),

  users: () => request<Items<Agent>>('GET', '/api/v1/users?active=true'),
  teams: () => request<Items<Ref>>('GET', '/api/v1/teams'),
  channels: () => request<Items<Channel>>('GET', '/api/v1/channels'),
  /** what each kind can do (capabilities.templates: the composer offers templates) */
  channelKinds: () => request<Items<ChannelKindInfo>>('GET', '/api/v1/channel-kinds'),
  templates: (channelId: string) => request<Items<MessageTemplate>>('GET', `/api/v1/channels/${enc(channelId)}/templates`),
  quickReplies: () => request<Items<QuickReply>>('GET', '/api/v1/quick-replies'),
  conversationRules: (id: string) => request<Items<RuleTrailEntry>>('GET', `/api/v1/conversations/${enc(id)}/rules`),
  upload: (file: File) => {
    const form = new FormData()
    form.append('file', file)
    return request<Attachment>('POST', '/api/v1/attachments', { form })
  },
}

export type Api = typeof api
