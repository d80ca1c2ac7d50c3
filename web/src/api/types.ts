// Shapes of the JSON the Go API speaks (see web/README.md for the contract).

export type Presence = 'online' | 'away' | 'offline'

export type Permission =
  | 'conversations:view:all'
  | 'conversations:view:team'
  | 'conversations:view:assigned'
  | 'conversations:reply'
  | 'conversations:assign'
  | 'conversations:close'
  | 'channels:manage'
  | 'users:manage'
  | 'rules:manage'
  | 'crm:view'
  | 'crm:edit'
  | 'crm:pipelines'
  | 'api:tokens'
  | 'reports:view'
  | 'operations:view'
  | 'billing:manage'

export interface Ref {
  id: string
  name: string
}

export interface User {
  id: string
  name: string
  email: string
  role: string
  status: Presence
  permissions: string[]
  /** Teams the user belongs to. Optional: used to keep the "Team" view exact on live updates. */
  teams?: Ref[]
}

export interface Account {
  id: string
  name: string
  modules: string[]
  timezone: string
}

export interface Me {
  user: User
  account: Account
  namespace: string
  temporal_ui_url: string
}

export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'closed'
export type Priority = 'low' | 'normal' | 'high' | 'urgent'
export type View = 'mine' | 'unassigned' | 'team' | 'all'

export interface Channel {
  id: string
  kind: string
  name: string
}

export interface LastMessage {
  body: string
  direction: Direction
  created_at: string
}

export interface ConversationSummary {
  id: string
  status: ConversationStatus
  priority: Priority
  tags: string[]
  channel: Channel
  contact: Ref
  assignee: Ref | null
  team: Ref | null
  last_message: LastMessage | null
  unread: number
  workflow_id: string
  updated_at: string
  /** When a snoozed conversation wakes up. */
  snoozed_until?: string | null
  /** The first-response SLA was missed. */
  sla_breached?: boolean
  created_at?: string
  /** What the conversation is about, when it is one thread of the contact's (e.g. an Instagram post's comments); null for a plain chat. */
  thread?: ConversationThread | null
}

/**
 * A conversation's thread (GET /conversations/:id/thread answers it whole).
 * Kind "post": the comments on an Instagram post; caption, image_url and link
 * come from Instagram and may be missing until that call has fetched them.
 * Kind "listing": one buyer's questions on a Mercado Livre listing (key
 * "item:MLB…"); title, caption (the price, e.g. "R$ 1.249,90"), image_url
 * and link come from Mercado Livre the same way.
 */
export interface ConversationThread {
  /** "post", "listing", "profile" (a LinkedIn member's: title the name, caption "headline · company"), or another kind shown as sent (i18n "thread.kind.<kind>") */
  kind: 'post' | 'listing' | 'profile' | (string & {})
  /** the provider's id of the post (or listing, e-mail thread…) */
  key: string
  caption?: string
  /** a thumbnail of the post */
  image_url?: string
  /** the post on the provider's site */
  link?: string
  /** the provider's media type, e.g. IMAGE, VIDEO, CAROUSEL_ALBUM */
  media_type?: string
  title?: string
}

export interface Identity {
  channel_id: string
  channel_kind: string
  external_id: string
}

export interface ContactDetail extends Ref {
  phone: string
  email: string
  identities: Identity[]
  tags: string[]
  /** The contact's tickets, newest first; name is "<status> · <YYYY-MM-DD>". */
  past_conversations?: Ref[]
}

export interface ConversationDetail extends Omit<ConversationSummary, 'contact'> {
  contact: ContactDetail
}

export type Direction = 'inbound' | 'outbound'
/**
 * "comment": a public comment on an Instagram post (inbound: the customer's;
 * outbound: the business's public answer). An outbound "text" in a comment
 * conversation is a private reply, in the commenter's Direct.
 */
export type MessageKind = 'text' | 'note' | 'comment'
export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed'

export interface Attachment {
  id: string
  name: string
  size: number
  content_type: string
  url: string
}

export type PendingFileStatus = 'pending' | 'failed'

/** A customer's file not in attachment storage (yet): still being fetched from the provider, or refused with the reason. */
export interface PendingFile {
  name: string
  /** the provider's media kind: image, audio, voice, video, document, sticker… */
  kind: string
  status: PendingFileStatus
  error?: string
}

export interface Message {
  id: string
  conversation_id: string
  direction: Direction
  kind: MessageKind
  body: string
  author: Ref | null
  status: MessageStatus
  failure_reason: string
  attachments: Attachment[]
  /** absent when every file of the message is stored */
  pending_files?: PendingFile[]
  /** the message this one answers (it may not be in the loaded history) */
  reply_to_id?: string | null
  /** when the customer edited it */
  edited_at?: string | null
  /** when the customer deleted it for everyone (the text stays for the agent); a comment: when it was deleted on Instagram */
  revoked_at?: string
  /** a comment the business hid on Instagram (only its author and the business see it there) */
  hidden_at?: string | null
  /** e-mail: the mail's subject */
  subject?: string
  /**
   * e-mail: the whole mail as HTML (with the quoted history), sanitised by
   * the server; remote images come as data-remote-src (not loaded), inline
   * ones as data: URIs. body is then only what the customer wrote this time.
   */
  html?: string
  /** e-mail: the addresses copied */
  cc?: string[]
  created_at: string
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface Items<T> {
  items: T[]
}

export interface Agent {
  id: string
  name: string
  email: string
  role: string
  status: Presence
}

export interface QuickReply {
  id: string
  shortcut: string
  text: string
  created_at?: string
  updated_at?: string
}

/** The body of POST /quick-replies and PATCH /quick-replies/:id. */
export interface QuickReplyInput {
  shortcut: string
  text: string
}

/** What a rule did to a conversation (GET /conversations/:id/rules). */
export type RuleOutcome =
  | 'assigned'
  | 'offered'
  | 'offer_timed_out'
  | 'queued'
  | 'unassigned'
  | 'skipped'
  | 'matched'
  | 'action_ok'
  | 'action_failed'

export interface RuleTrailEntry {
  id: string
  conversation_id: string
  rule_id: string
  rule_name: string
  event: string
  /** One of RuleOutcome; an unknown value is shown as sent. */
  outcome: string
  detail: string
  created_at: string
}

export interface SeatHolder {
  name: string
  email: string
  since: string
}

// AI Assist (POST /api/v1/conversations/:id/assist).
export type AssistOperation = 'rewrite' | 'fix' | 'suggest_reply' | 'expand' | 'translate' | 'adjust'
export type AssistLanguage = 'pt-BR' | 'en' | 'es'
export type AssistAudience = 'technical' | 'legal' | 'commercial'

export interface AssistRequest {
  operation: AssistOperation
  draft: string
  target_language?: AssistLanguage
  audience?: AssistAudience
}

export interface AssistResponse {
  suggestion: string
  operation: string
}

/** RFC 9457 problem details, plus the extensions this API uses. */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  field?: string
  holders?: SeatHolder[]
  /** Where a rule condition fails to compile (1-based), with field "condition". */
  line?: number
  column?: number
  /** Some answers put their message here instead of detail; request() copies it into detail. */
  error?: string
  /** A send refused with 402 (the prepaid balance cannot pay it): the balance and what is missing, in centavos. */
  balance_cents?: number
  missing_cents?: number
}

// Realtime events (GET /api/v1/stream).
export interface MessageCreatedEvent extends Message {
  contact_id: string
}

export interface MessageStatusChangedEvent {
  id: string
  conversation_id: string
  status: MessageStatus
  failure_reason: string
}

/** card.updated: a card was created, edited or moved (refetch the board it is on). */
export interface CardUpdatedEvent {
  id: string
  pipeline_id: string
  stage_id: string
}

export type CardAlertKind = 'due' | 'stale' | 'entry_message_failed'

/** card.alert: something about a card needs a person (due, stale in a stage, entry message failed). */
export interface CardAlertEvent {
  card_id: string
  pipeline_id: string
  title: string
  /** One of CardAlertKind; an unknown value is shown as sent. */
  kind: string
  detail: string
}

/** message.updated: the message's full view again (the customer edited it, a file was fetched or failed). */
export type MessageUpdatedEvent = MessageCreatedEvent

/** channel.updated: a channel's health or its activation progress changed; only what changed is sent. */
export interface ChannelUpdatedEvent {
  id: string
  /** with status_reason, when the health changed (the event also names the channel's kind, name and active) */
  status?: ChannelStatus
  status_reason?: string
  /** when the health changed (RFC 3339) */
  status_at?: string
  kind?: string
  name?: string
  active?: boolean
  /** the activation workflow's progress, whole */
  activation?: ChannelActivation
}

/** template.updated: a template was created, synced from Meta or its review status changed (the whole template). */
export type TemplateUpdatedEvent = MessageTemplate

export type StreamEvent =
  | { type: 'message.created'; data: MessageCreatedEvent }
  | { type: 'message.updated'; data: MessageUpdatedEvent }
  | { type: 'channel.updated'; data: ChannelUpdatedEvent }
  | { type: 'message.status_changed'; data: MessageStatusChangedEvent }
  | { type: 'conversation.updated'; data: ConversationSummary }
  | { type: 'card.updated'; data: CardUpdatedEvent }
  | { type: 'card.alert'; data: CardAlertEvent }
  | { type: 'scheduled_message.updated'; data: ScheduledMessage }
  | { type: 'template.updated'; data: TemplateUpdatedEvent }
  | { type: 'billing.updated'; data: BillingUpdatedEvent }
  | { type: 'billing.low_balance'; data: BillingLowBalanceEvent }

/** The prepaid balance changed (a recharge paid, a send reserved or refunded). */
export interface BillingUpdatedEvent {
  balance_cents: number
  /** the recharge that changed, when a recharge did */
  recharge?: Recharge
}

/** The prepaid balance just fell below the account's alert threshold (sent to billing:manage). */
export interface BillingLowBalanceEvent {
  balance_cents: number
  low_balance_cents: number
}

// Administration (users, profiles, teams, sessions, API tokens, audit log).
export interface AdminUser {
  id: string
  email: string
  name: string
  profile_id: string
  active: boolean
  status: Presence
  capacity: number
  last_login_at: string | null
  created_at: string
  team_ids: string[]
}

export interface NewUserInput {
  email: string
  name: string
  password: string
  profile_id: string
  capacity: number
}

export interface UserPatch {
  name?: string
  profile_id?: string
  active?: boolean
  capacity?: number
}

export interface Profile {
  id: string
  name: string
  builtin_key: string | null
  permissions: string[]
  editable: boolean
}

export interface ProfileList {
  items: Profile[]
  all_permissions: string[]
}

export interface Team {
  id: string
  name: string
  member_ids: string[]
}

export interface ActiveSession {
  id: string
  user_id: string
  user_name: string
  user_email: string
  user_agent: string
  ip: string
  created_at: string
  last_seen_at: string
}

export interface SessionList {
  items: ActiveSession[]
  seats: number
}

export interface ApiToken {
  id: string
  name: string
  prefix: string
  permissions: string[]
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}

/** The creation response: the only time the secret is ever sent. */
export interface CreatedApiToken extends ApiToken {
  token: string
}

/** POST /linkedin/token: the caller's own token for the LinkedIn capture extension, shown once. */
export type LinkedInExtensionToken = Pick<CreatedApiToken, 'id' | 'name' | 'token' | 'permissions'>

export type AuditAction =
  | 'login'
  | 'login.failed'
  | 'user.created'
  | 'user.updated'
  | 'user.password_reset'
  | 'profile.created'
  | 'profile.updated'
  | 'profile.deleted'
  | 'token.created'
  | 'token.revoked'
  | 'session.ended'

export interface AuditEntry {
  id: string
  actor_id: string
  actor_kind: string
  action: string
  target: string
  detail: string
  ip: string
  created_at: string
}

// Channels (administration).
export type PreChatMode = 'required' | 'optional' | 'hidden'

/** How a channel stands with its provider; the server keeps it current. */
export type ChannelStatus = 'pending' | 'connected' | 'disconnected' | 'needs_reauth' | 'banned' | 'inactive'

export type ActivationState = 'running' | 'done' | 'failed'
export type ActivationStepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped'

/** What the manager must act on while a step runs: a QR code to scan with the phone, a code to type on it. */
export interface ActivationPrompt {
  /** "qr": value is the QR code's text, to render as an image; "code": value is shown to be typed */
  type: 'qr' | 'code' | (string & {})
  value: string
  /** RFC 3339: when the provider replaces it with a new one (a new event brings it) */
  expires?: string
}

export interface ActivationStep {
  /** e.g. "verify_token", "register_webhook", "start_polling", "pair" (i18n "channelStep.<name>") */
  name: string
  state: ActivationStepState
  detail?: string
  /** while the step waits for the manager (e.g. WhatsApp pairing) */
  prompt?: ActivationPrompt
}

/** The workflow a kind runs when a channel is created or switched on. */
export interface ChannelActivation {
  state: ActivationState
  error?: string
  steps: ActivationStep[]
}

/** GET /channels: every channel of the account. */
export interface ChannelListItem extends Channel {
  active: boolean
  status: ChannelStatus
  /** why, in the provider's words; may be empty */
  status_reason?: string
  /** RFC 3339, when the status last changed */
  status_at?: string
  /** absent for kinds without an activation workflow (or before the first one) */
  activation?: ChannelActivation
}

export type ChannelFieldType = 'text' | 'url' | 'secret' | 'bool' | 'number' | 'select'

/** One setting of a kind, as GET /channel-kinds describes it. */
export interface ChannelSettingField {
  /** the key inside channel.settings, e.g. "bot_token" */
  name: string
  /** English fallback; the i18n key "channelField.<kind>.<name>" wins when it exists */
  label: string
  type: ChannelFieldType
  required: boolean
  /** English fallback; i18n key "channelField.<kind>.<name>.help" */
  help?: string
  /** the choices of a select */
  options?: string[]
}

export interface ChannelCapabilities {
  window_seconds: number
  human_agent_window_seconds: number
  media: string[]
  templates: boolean
  receipts: boolean
  threads: boolean
  edits: boolean
  reactions: boolean
  /** the kind receives public comments (Instagram posts): its conversations may be a post's comments or a DM */
  comments: boolean
  /** messages carry a subject and copies (e-mail) */
  subjects?: boolean
  /**
   * each customer message is a question answered publicly, once (Mercado
   * Livre): an agent's message answers the one chosen with reply_to_id, else
   * the latest
   */
  questions?: boolean
  /** the longest text the provider takes, in characters; 0 or absent: unknown (the API answers 422 on a longer body) */
  max_text?: number
  /** each send costs prepaid balance (SMS): the composer quotes it (POST /conversations/:id/quote) */
  metered?: boolean
  /**
   * replies are written on the provider's own site, by the person (LinkedIn):
   * the composer takes private notes only, and a text send is refused (422)
   */
  external_replies?: boolean
  sends_per_second: number
}

/** GET /channel-kinds: what the server knows of each channel kind. */
export interface ChannelKindInfo {
  kind: string
  /** English fallback; the i18n key "channel.<kind>" wins when it exists */
  label: string
  /** built: can be created (otherwise "coming soon") */
  available: boolean
  /** the account's plan includes it */
  in_plan: boolean
  /** a bespoke editor; absent: a form from `settings` */
  component?: 'webchat' | 'api' | 'linkedin'
  /** the kind runs an activation workflow when created or switched on */
  activation: boolean
  /** the kind connects through the provider's consent screen (Instagram, Facebook): POST /channels/:id/oauth */
  oauth: boolean
  capabilities: ChannelCapabilities
  settings: ChannelSettingField[]
}

export interface BusinessHours {
  timezone: string
  /** Open days only, e.g. {mon: ["09:00", "18:00"]}; a missing day is closed. */
  days: Partial<Record<string, [string, string]>>
}

/** A day key of the account's business hours, Sunday first (as the server's rules see them). */
export type AccountWeekday = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat'

/** GET/PATCH /account: the account-wide settings admins edit. */
export interface AccountSettings {
  /** IANA zone: scheduled messages, the agenda and rule clocks use it. */
  timezone: string
  /** Open days only, {mon: ["09:00", "18:00"]}; a missing day is closed. What inBusinessHours() sees. */
  business_hours: Partial<Record<AccountWeekday, [string, string]>>
}

export type AccountSettingsPatch = Partial<AccountSettings>

export interface WebchatSettings {
  title: string
  color: string
  welcome_message: string
  offline_message: string
  allowed_origins: string[] | null
  prechat: { name: PreChatMode; email: PreChatMode; phone: PreChatMode }
  business_hours: BusinessHours | null
}

export interface ApiChannelSettings {
  outbound_url?: string
  /** "********" when a secret is stored; never the secret itself. */
  outbound_secret?: string
}

export interface ChannelDetail extends ChannelListItem {
  settings: Record<string, unknown>
  /** webchat: the script tag to paste into the site */
  snippet?: string
  /** api: where the integrator posts customer messages */
  inbound_url?: string
  /** api: the inbound token, only in the answer to a creation or a rotation */
  inbound_token?: string
  /** kinds that receive from the provider by webhook (e.g. Telegram): where it posts */
  webhook_url?: string
  /** linkedin: where to download the capture extension (a .zip to load unpacked) */
  extension_url?: string
  /** linkedin: the extension's stable id (for IT to allow-list) */
  extension_id?: string
  /** linkedin: when the first capture arrived (RFC 3339); absent or null until then */
  first_capture_at?: string | null
  /** linkedin: when the latest capture arrived (RFC 3339) */
  last_capture_at?: string | null
}

// Message templates (WhatsApp Official): outside the 24 h service window only
// an approved template may be sent; Meta bills each one delivered, by category.
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION'

/**
 * Meta's review statuses, plus two of ours: SUBMITTING (being sent to Meta)
 * and FAILED (Meta refused the submission itself; reason says why).
 */
export type TemplateStatus = 'SUBMITTING' | 'PENDING' | 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'FAILED'

/** GET /channels/:id/templates: a channel's template as Meta last reported it. */
export interface MessageTemplate {
  id: string
  channel_id: string
  /** lowercase letters, digits and underscores */
  name: string
  /** Meta's code, e.g. "pt_BR" */
  language: string
  /** one of TemplateCategory; an unknown value is shown as sent */
  category: string
  /** one of TemplateStatus; an unknown value is shown as sent */
  status: string
  /** why it was rejected, paused or refused; may be empty */
  reason: string
  /** with Meta's numbered variables {{1}}, {{2}}… */
  body: string
  /** plain text, "" when none */
  header: string
  footer: string
  /** how many variables the body has */
  params: number
  /** why CHATSPOT cannot send it (a media header, a button with a variable); "" when it can */
  unsupported?: string
  updated_at: string
}

/** The body of POST /channels/:id/templates. */
export interface NewTemplateInput {
  name: string
  language: string
  category: TemplateCategory
  body: string
  header?: string
  footer?: string
  /** one sample value per body variable, in order: Meta reviews the template with them */
  examples: string[]
}

/** A template to send as a message: {template: {id, params}} on POST /conversations/:id/messages. */
export interface TemplateSend {
  id: string
  /** one value per body variable, {{1}} first */
  params: string[]
}

/** POST /channels/:id/oauth: where to send the browser to connect the channel's account. */
export interface OAuthStart {
  /** the provider's consent screen */
  url: string
  /** our callback, to register in the provider's app ("Valid OAuth redirect URIs") */
  redirect_uri: string
}

export interface NewChannelInput {
  kind: string
  name: string
  settings: Record<string, unknown>
}

export interface ChannelPatch {
  name?: string
  active?: boolean
  settings?: Record<string, unknown>
}

// Rules (distribution and automation).
export type RuleKind = 'distribution' | 'automation'

export interface RuleAction {
  type: string
  user_id?: string
  team_id?: string
  tag?: string
  priority?: string
  text?: string
  minutes?: number
  url?: string
  /** create_card, move_card: the CRM stage */
  stage_id?: string
}

export interface Rule {
  id: string
  kind: RuleKind
  name: string
  event: string
  condition: string
  position: number
  enabled: boolean
  version: number
  /** absent on automation rules */
  strategy?: string
  target_team_id: string | null
  target_user_ids: string[]
  offer_timeout_s: number
  /** conversation.idle: minutes without activity before the rule runs */
  idle_minutes?: number
  /** scheduled rules: a five-field cron ("minute hour day month weekday") in the account's time zone; "" otherwise */
  schedule?: string
  actions: RuleAction[]
  /** References that no longer exist: the rule is skipped when it runs. */
  warnings: string[]
  updated_at: string
}

/** The body of POST /rules and PATCH /rules/:id (PATCH wants every field). */
export interface RuleInput {
  kind: RuleKind
  name: string
  event: string
  condition: string
  position?: number
  enabled?: boolean
  strategy: string
  target_team_id: string | null
  target_user_ids: string[]
  offer_timeout_s: number
  idle_minutes?: number
  /** sent only for scheduled rules, where it is required */
  schedule?: string
  actions: RuleAction[]
}

export interface RuleList {
  items: Rule[]
  events: string[]
  strategies: string[]
}

export interface DryRunResult {
  conversation_id: string
  contact: string
  matched: boolean
  would: string[]
  error?: string
}

export interface DryRun {
  rule_id: string
  version: number
  warnings: string[]
  results: DryRunResult[]
}

// CRM: pipelines, stages, cards (the Kanban), scheduled messages, follow-ups, agenda.
export interface StageQuickReply {
  id: string
  stage_id: string
  title: string
  text: string
}

export interface Stage {
  id: string
  pipeline_id: string
  name: string
  position: number
  /** Sent to the card's conversations when a card enters the stage; "" = none. */
  entry_message: string
  /** Alert when a card stays longer than this many days; 0 = off. */
  stale_days: number
  card_count: number
  quick_replies: StageQuickReply[]
}

export interface Pipeline {
  id: string
  name: string
  position: number
  stages: Stage[]
}

export type CardPriority = 'low' | 'normal' | 'high' | 'urgent'
export type CardStatus = 'open' | 'won' | 'lost' | 'archived'

export interface CardContact {
  id: string
  name: string
  phone: string
  email: string
}

export interface CardSummary {
  id: string
  pipeline_id: string
  stage_id: string
  position: number
  title: string
  value_cents: number
  contact: CardContact | null
  assignee_ids: string[]
  due_at: string | null
  priority: CardPriority
  tags: string[]
  /** The tags of the linked conversations (read-only here). */
  conversation_tags: string[]
  conversation_ids: string[]
  custom_fields: Record<string, string>
  status: CardStatus
  entered_stage_at: string
  created_at: string
  updated_at: string
}

export interface CardConversation {
  id: string
  channel_id: string
  channel_name: string
  channel_kind: string
  status: ConversationStatus
  tags: string[]
}

export interface CardNote {
  id: string
  author_id: string
  author_name: string
  body: string
  created_at: string
}

export interface CardEvent {
  id: string
  kind: string
  detail: string
  actor_name: string
  created_at: string
}

export interface FollowUp {
  id: string
  card_id: string
  title: string
  due_at: string
  done: boolean
  created_at: string
}

export type ScheduledStatus = 'scheduled' | 'sent' | 'failed' | 'canceled'

export interface ScheduledMessage {
  id: string
  conversation_id: string
  card_id: string | null
  body: string
  send_at: string
  status: ScheduledStatus
  failure_reason: string
  message_id: string | null
  created_by: string
  created_at: string
}

export interface CardDetail extends CardSummary {
  conversations: CardConversation[]
  notes: CardNote[]
  events: CardEvent[]
  follow_ups: FollowUp[]
  scheduled_messages: ScheduledMessage[]
}

export interface Board {
  pipeline: Pipeline
  cards: CardSummary[]
}

/** The body of POST /cards (with only conversation_id the server fills in the rest). */
export interface NewCardInput {
  pipeline_id?: string
  stage_id?: string
  title?: string
  value_cents?: number
  contact_id?: string
  conversation_id?: string
  assignee_ids?: string[]
  /** naive "YYYY-MM-DDTHH:MM", read in the account's time zone */
  due_at?: string
  priority?: CardPriority
  tags?: string[]
  custom_fields?: Record<string, string>
}

/** The body of PATCH /cards/:id; due_at null clears it. */
export interface CardPatch {
  title?: string
  value_cents?: number
  assignee_ids?: string[]
  due_at?: string | null
  priority?: CardPriority
  tags?: string[]
  custom_fields?: Record<string, string>
}

export interface QuickReplySent {
  message_id: string
  conversation_id: string
  body: string
}

export type AgendaKind = 'due' | 'scheduled_message' | 'follow_up'

export interface AgendaItem {
  kind: AgendaKind
  id: string
  title: string
  at: string
  card_id: string | null
  pipeline_id: string | null
  conversation_id: string | null
  status: string
  done: boolean
}

// Webhooks (administration, needs api:tokens and the "api" module).
/** GET /webhooks: an endpoint as listed; the secret itself is never sent again. */
export interface WebhookEndpoint {
  id: string
  url: string
  /** The subscribed events; empty = every event, including ones added later. */
  events: string[]
  enabled: boolean
  /** Why the server turned the endpoint off (e.g. persistent failures); "" otherwise. */
  disabled_reason: string
  /** The last characters of the signing secret, to tell secrets apart. */
  secret_hint: string
  created_at: string
  updated_at: string
}

/** The creation response: the only time the secret comes with the endpoint. */
export interface CreatedWebhookEndpoint extends WebhookEndpoint {
  secret: string
}

/** The body of POST /webhooks. */
export interface WebhookEndpointInput {
  url: string
  events: string[]
}

/** The body of PATCH /webhooks/:id: only what changes. */
export interface WebhookEndpointPatch {
  url?: string
  events?: string[]
  enabled?: boolean
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed'

export interface WebhookDelivery {
  id: string
  endpoint_id: string
  event_id: string
  event: string
  /** One of WebhookDeliveryStatus; an unknown value is shown as sent. */
  status: string
  attempts: number
  /** The HTTP status of the last attempt; 0 = no answer (yet). */
  last_status_code: number
  last_error: string
  last_duration_ms: number
  payload: unknown
  created_at: string
  delivered_at: string | null
}

export interface WebhookAttempt {
  attempt: number
  /** 0 = no HTTP answer (timeout, refused connection…). */
  status_code: number
  error: string
  duration_ms: number
  at: string
}

/** GET /webhook-deliveries/:id: the delivery with every attempt. */
export interface WebhookDeliveryDetail extends WebhookDelivery {
  attempts_log: WebhookAttempt[]
}

// ---------- reports: WhatsApp costs ----------

export type WhatsAppCostCategory = 'marketing' | 'utility' | 'authentication' | 'service'

/** GET /reports/whatsapp-costs: one month × channel × category. */
export interface WhatsAppCostRow {
  month: string
  channel_id: string
  category: WhatsAppCostCategory | string
  /** template messages Meta charges for */
  billable: number
  /** free ones (inside the 24 h service window, or a free entry point) */
  free: number
  /** the estimate in centavos from the operator's rate card; null: no rate for the category */
  estimated_cents: number | null
}

export interface WhatsAppCostReport {
  from: string
  to: string
  /** false: the operator set no rates at all */
  rates: boolean
  /** how the estimate was made (English) */
  basis: string
  rows: WhatsAppCostRow[]
}

// Prepaid balance (SMS) and Pix recharges (billing:manage).

/** GET /billing, and the answer of PUT /billing/settings. Money in BRL centavos. */
export interface BillingStatus {
  balance_cents: number
  currency: string
  /** the alert fires when the balance falls below it */
  low_balance_cents: number
  minimum_recharge_cents: number
  /** the operator configured a Pix provider: recharges can be made */
  pix_enabled: boolean
  /** a first recharge was paid: metered channels (SMS) can send */
  activated: boolean
}

export type RechargeStatus = 'creating' | 'pending' | 'approved' | 'expired' | 'cancelled' | 'rejected' | 'failed'

export interface Recharge {
  id: string
  amount_cents: number
  status: RechargeStatus
  /** the Pix copy-and-paste code; empty while the charge is being created */
  qr_code: string
  /** the QR code as a PNG, base64 */
  qr_code_base64: string
  /** the provider's payment page */
  ticket_url: string
  expires_at: string
  paid_at: string | null
  failure_reason: string
  created_at: string
}

export interface NewRechargeInput {
  amount_cents: number
  payer_email: string
  /** CPF or CNPJ, digits only */
  payer_document?: string
}

export type LedgerKind = 'recharge' | 'reservation' | 'debit' | 'refund' | 'charge'

export interface LedgerEntry {
  id: string
  kind: LedgerKind
  /** negative: money out */
  amount_cents: number
  balance_after_cents: number
  reason: string
  message_id: string | null
  recharge_id: string | null
  created_at: string
}

/** GET /billing/entries: newest first; next_before is "" on the last page. */
export interface LedgerPage {
  entries: LedgerEntry[]
  next_before: string
}

/** POST /conversations/:id/quote: what sending the text would cost on a metered channel. */
export interface SendQuote {
  metered: boolean
  /** SMS segments */
  units: number
  encoding: 'gsm7' | 'ucs2'
  characters: number
  unit_cents: number
  cents: number
  balance_cents: number
}
