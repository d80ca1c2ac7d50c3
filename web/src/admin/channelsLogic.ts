// Pure logic of the channel screens: which kinds the create dialog offers
// (from GET /channel-kinds), the generic settings form a kind's schema
// describes, channel status and activation progress (with the QR code or
// code a pairing step asks the manager for), connecting by the provider's
// consent screen (OAuth) and what its callback reports, the webchat settings
// form (business hours per weekday, allowed origins, pre-chat fields,
// colours), the API channel's outbound settings with the stored-secret
// placeholder, and the one-time inbound token. No React here, so it is
// unit-tested.
import type {
  ActivationPrompt,
  ActivationStep,
  ApiChannelSettings,
  BusinessHours,
  ChannelActivation,
  ChannelDetail,
  ChannelKindInfo,
  ChannelListItem,
  ChannelSettingField,
  ChannelStatus,
  ChannelUpdatedEvent,
  NewChannelInput,
  PreChatMode,
  WebchatSettings,
} from '../api/types'
import { hasKey } from '../i18n'
import type { MessageKey, Translate } from '../i18n'

/** Fields a channel form can show a problem next to (a kind's own settings come on top: see channelFieldKeys). */
export const CHANNEL_FIELDS = ['kind', 'name', 'settings', 'settings.outbound_url', 'settings.outbound_secret']

// ---------- channel kinds ----------

/** What the create dialog can do with a kind: create it, or say why not. */
export type KindChoice = 'ok' | 'soon' | 'plan'

export function kindChoice(k: ChannelKindInfo): KindChoice {
  if (!k.available) return 'soon'
  if (!k.in_plan) return 'plan'
  return 'ok'
}

export function isCreatable(k: ChannelKindInfo): boolean {
  return kindChoice(k) === 'ok'
}

/**
 * The create dialog's kinds: the creatable ones first, then those the plan
 * leaves out, then those coming soon; the server's order within each group.
 */
export function kindOptions(kinds: readonly ChannelKindInfo[]): { info: ChannelKindInfo; choice: KindChoice }[] {
  const rank: Record<KindChoice, number> = { ok: 0, plan: 1, soon: 2 }
  return kinds
    .map((info, i) => ({ info, choice: kindChoice(info), i }))
    .sort((a, b) => rank[a.choice] - rank[b.choice] || a.i - b.i)
    .map(({ info, choice }) => ({ info, choice }))
}

/** The kind the create dialog starts on: the first creatable one ('' when none is). */
export function defaultKind(kinds: readonly ChannelKindInfo[]): string {
  return kinds.find(isCreatable)?.kind ?? ''
}

/** A kind's name on the channel screens: "WhatsApp (QR Code)" there, plain "WhatsApp" in the inbox. */
export function kindLabel(kind: string, t: Translate, fallback?: string): string {
  const key = `admin.channels.kindName.${kind}`
  if (hasKey(key)) return t(key)
  const plain = `channel.${kind}`
  return hasKey(plain) ? t(plain) : fallback || kind
}

export function kindInfo(kinds: readonly ChannelKindInfo[] | null | undefined, kind: string): ChannelKindInfo | undefined {
  return kinds?.find((k) => k.kind === kind)
}

/** Which editor a channel gets: a bespoke one, the form from the kind's schema, or none (unknown or unbuilt kind). */
export type EditorKind = 'webchat' | 'api' | 'linkedin' | 'generic' | 'none'

export function editorFor(info: ChannelKindInfo | undefined): EditorKind {
  if (!info) return 'none'
  if (info.component === 'webchat' || info.component === 'api' || info.component === 'linkedin') return info.component
  return info.available ? 'generic' : 'none'
}

// ---------- the generic settings form ----------

/** The form's value of a field: booleans for "bool", text for the rest (numbers as typed). */
export type GenericValue = string | boolean
export type GenericForm = Record<string, GenericValue>

/** Where a field's problem is shown, as the server's 422 names it ("settings.bot_token"). */
export function settingsKey(name: string): string {
  return `settings.${name}`
}

/** Every field a problem+json may point at, for formErrors(). */
export function channelFieldKeys(fields: readonly ChannelSettingField[]): string[] {
  return [...CHANNEL_FIELDS, ...fields.map((f) => settingsKey(f.name)).filter((k) => !CHANNEL_FIELDS.includes(k))]
}

export function fieldLabel(kind: string, f: ChannelSettingField, t: Translate): string {
  const key = `channelField.${kind}.${f.name}`
  return hasKey(key) ? t(key) : f.label || f.name
}

export function fieldHelp(kind: string, f: ChannelSettingField, t: Translate): string {
  const key = `channelField.${kind}.${f.name}.help`
  return hasKey(key) ? t(key) : (f.help ?? '')
}

/** A select's choice as shown ("channelField.<kind>.<name>.option.<value>"; the value itself otherwise). */
export function optionLabel(kind: string, f: ChannelSettingField, option: string, t: Translate): string {
  const key = `channelField.${kind}.${f.name}.option.${option}`
  return hasKey(key) ? t(key) : option
}

/** The fields the create dialog asks for: a generic kind's required ones (bespoke kinds are set up in their editor). */
export function createFields(info: ChannelKindInfo | undefined): ChannelSettingField[] {
  if (!info || info.component) return []
  return info.settings.filter((f) => f.required)
}

/**
 * The create dialog's fields, in the schema's order: the required ones,
 * every one once the manager asked for them all, and any the server's
 * answer pointed at (a mailbox's password, required only with some sign-in
 * methods, is not marked required).
 */
export function createDialogFields(info: ChannelKindInfo | undefined, opts: { all?: boolean; named?: readonly string[] } = {}): ChannelSettingField[] {
  if (!info || info.component) return []
  return info.settings.filter((f) => f.required || opts.all || opts.named?.includes(f.name))
}

/** The setting a field key of a problem+json names ("settings.password" → "password"), when it is one of the kind's. */
export function problemSetting(info: ChannelKindInfo | undefined, field: string): string | null {
  if (!info || !field.startsWith('settings.')) return null
  const name = field.slice('settings.'.length)
  return info.settings.some((f) => f.name === name) ? name : null
}

/** The form for stored settings (a stored secret comes as the placeholder and stays so). */
export function genericForm(fields: readonly ChannelSettingField[], settings?: Record<string, unknown> | null): GenericForm {
  const s = settings ?? {}
  const form: GenericForm = {}
  for (const f of fields) {
    const v = s[f.name]
    switch (f.type) {
      case 'bool':
        form[f.name] = v === true
        break
      case 'number':
        form[f.name] = typeof v === 'number' && Number.isFinite(v) ? String(v) : str(v)
        break
      case 'select': {
        const opts = f.options ?? []
        form[f.name] = typeof v === 'string' && v !== '' ? v : f.required && opts.length > 0 ? opts[0] : ''
        break
      }
      default:
        form[f.name] = str(v)
    }
  }
  return form
}

/** A value is the stored-secret placeholder the server sends instead of a secret. */
export function isStoredSecret(v: unknown): boolean {
  return v === SECRET_PLACEHOLDER
}

/** The user typed a new secret (the placeholder or an empty box keep the stored one). */
export function typedSecret(v: GenericValue | undefined): boolean {
  return typeof v === 'string' && v.trim() !== '' && v !== SECRET_PLACEHOLDER
}

function text(v: GenericValue | undefined): string {
  return typeof v === 'string' ? v.trim() : ''
}

/**
 * The settings to send. A secret goes only when a new one was typed, so the
 * stored one is kept; an empty number or select is left out; text is trimmed
 * (empty text is sent, which clears it). Keys outside the schema (the
 * read-only bot_username, mode…) are never sent.
 */
export function genericSettingsBody(fields: readonly ChannelSettingField[], form: GenericForm): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const f of fields) {
    const v = form[f.name]
    switch (f.type) {
      case 'secret':
        if (typedSecret(v)) body[f.name] = text(v)
        break
      case 'bool':
        body[f.name] = v === true
        break
      case 'number': {
        const n = text(v)
        if (n !== '') body[f.name] = Number(n)
        break
      }
      case 'select':
        if (text(v) !== '') body[f.name] = text(v)
        break
      default:
        body[f.name] = text(v)
    }
  }
  return body
}

/**
 * Checks before sending, keyed like the server's 422 ("settings.<name>"):
 * required fields filled (a stored secret counts), numbers that are numbers,
 * URLs that are http(s). The server has the final word.
 */
export function genericFormProblems(
  fields: readonly ChannelSettingField[],
  form: GenericForm,
  stored?: Record<string, unknown> | null,
): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {}
  for (const f of fields) {
    const v = form[f.name]
    const key = settingsKey(f.name)
    if (f.type === 'bool') continue
    const val = text(v)
    if (f.type === 'secret') {
      if (f.required && !typedSecret(v) && !isStoredSecret(stored?.[f.name])) out[key] = 'admin.channels.fieldRequired'
      continue
    }
    if (val === '') {
      if (f.required) out[key] = 'admin.channels.fieldRequired'
      continue
    }
    if (f.type === 'number' && !Number.isFinite(Number(val))) out[key] = 'admin.channels.fieldNumber'
    if (f.type === 'url' && !/^https?:\/\/\S+$/i.test(val)) out[key] = 'admin.channels.fieldUrl'
  }
  return out
}

/** The POST body of a new channel: the settings of the dialog's fields (a generic kind's required ones by default), none for bespoke kinds. */
export function newChannelBody(info: ChannelKindInfo, name: string, form: GenericForm, fields: readonly ChannelSettingField[] = createFields(info)): NewChannelInput {
  return { kind: info.kind, name: name.trim(), settings: genericSettingsBody(fields, form) }
}

/** What the server fills in on its own for some kinds (Telegram): shown as text, never sent. */
export interface ProviderInfo {
  username: string | null
  mode: 'webhook' | 'polling' | null
  /** the connected account as the adapter stored it (Mercado Livre: the seller's nickname and user id) */
  account: { name: string; id: string | null } | null
}

function settingText(v: unknown): string {
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : ''
}

export function providerInfo(settings: Record<string, unknown> | null | undefined): ProviderInfo {
  const s = settings ?? {}
  const username = typeof s.bot_username === 'string' && s.bot_username.trim() !== '' ? s.bot_username.trim().replace(/^@/, '') : null
  const mode = s.mode === 'webhook' || s.mode === 'polling' ? s.mode : null
  const nickname = settingText(s.nickname)
  const account = nickname ? { name: nickname, id: settingText(s.user_id) || null } : null
  return { username, mode, account }
}

// ---------- status and activation ----------

export type StatusTone = 'ok' | 'off' | 'bad'

/** Connected is green; needing a new login or banned is red; the rest grey. */
export function statusTone(status: ChannelStatus | string | undefined): StatusTone {
  if (status === 'connected') return 'ok'
  if (status === 'needs_reauth' || status === 'banned') return 'bad'
  return 'off'
}

export function statusLabel(status: string, t: Translate): string {
  const key = `channelStatus.${status}`
  return hasKey(key) ? t(key) : status
}

/** A step's name, in the kind's own words when it has them ("channelStep.<kind>.<step>": two kinds share verify_account). */
export function stepLabel(name: string, t: Translate, kind?: string): string {
  const own = `channelStep.${kind}.${name}`
  if (kind && hasKey(own)) return t(own)
  const key = `channelStep.${name}`
  return hasKey(key) ? t(key) : name
}

/**
 * The activation workflow is still going, or was just asked to run again
 * (switched on, "try again"): until the new run reports, the channel says
 * "pending" and still carries the former run's outcome. The screen asks
 * again until it ends.
 */
export function activationRunning(
  ch: { activation?: ChannelActivation | null; status?: string; active?: boolean } | null | undefined,
): boolean {
  const a = ch?.activation
  if (!a) return false
  return a.state === 'running' || (ch?.status === 'pending' && ch.active !== false)
}

/** How often a running activation is asked after. */
export const ACTIVATION_POLL_MS = 2000

/** The "try again" of a failed activation, in the kind's words ("Pair again") when it has its own. */
export function retryLabel(kind: string, t: Translate): string {
  const key = `admin.channels.activation.retry.${kind}`
  return hasKey(key) ? t(key) : t('admin.channels.activation.retry')
}

/**
 * Kinds whose lost session (needs_reauth: the phone logged the device out)
 * comes back by running the activation again, i.e. pairing anew. Other
 * kinds need new credentials, saved in their settings.
 */
export const PAIRING_KINDS: readonly string[] = ['whatsapp']

export function pairsAgain(kind: string): boolean {
  return PAIRING_KINDS.includes(kind)
}

/** What a status means for a kind and what to do about it, when the dictionary says. */
export function statusHelp(kind: string, status: string, t: Translate): string {
  const key = `admin.channels.statusHelp.${kind}.${status}`
  return hasKey(key) ? t(key) : ''
}

// ---------- OAuth: connecting by the provider's consent screen ----------

/** The setting a kind with more than one way to sign in keeps it in (e-mail: password, google, microsoft). */
export const SIGN_IN_SETTING = 'auth'
/** The sign-in that needs no provider's consent screen. */
export const PASSWORD_SIGN_IN = 'password'

/** How the channel's saved settings sign in ("" when the kind has no choice or none is saved). */
export function signIn(settings: Record<string, unknown> | null | undefined): string {
  const v = settings?.[SIGN_IN_SETTING]
  return typeof v === 'string' ? v.trim() : ''
}

/**
 * The kind connects its account through the provider (GET /channel-kinds
 * says oauth: Instagram, Messenger, e-mail). A kind whose schema offers a
 * choice of sign-in (a select named "auth") connects so only when its saved
 * settings chose a provider: a mailbox signing in with a password (or with
 * nothing saved yet, whose default is the password) has nothing to connect.
 */
export function connectsByOAuth(info: ChannelKindInfo | undefined, settings?: Record<string, unknown> | null): boolean {
  if (info?.oauth !== true) return false
  const auth = signIn(settings)
  if (auth === PASSWORD_SIGN_IN) return false
  if (auth === '' && info.settings?.some((f) => f.name === SIGN_IN_SETTING)) return false
  return true
}

/** Where the provider sends the browser back; the server's answer names the same address. */
export const OAUTH_CALLBACK_PATH = '/oauth/callback'

/** The redirect URI to register in the provider's app, for this site's address. */
export function oauthRedirectUri(origin: string): string {
  return `${origin.replace(/\/+$/, '')}${OAUTH_CALLBACK_PATH}`
}

/**
 * Whose consent screen a kind opens ("Facebook" for Messenger; for a
 * mailbox, the provider its settings sign in with: "Google"), for the
 * connect button.
 */
export function oauthProvider(kind: string, t: Translate, fallback?: string, settings?: Record<string, unknown> | null): string {
  const auth = signIn(settings)
  const byAuth = `admin.channels.oauth.provider.${kind}.${auth}`
  if (auth && hasKey(byAuth)) return t(byAuth)
  const key = `admin.channels.oauth.provider.${kind}`
  return hasKey(key) ? t(key) : kindLabel(kind, t, fallback)
}

/** "Conectar com Instagram", or "Reconectar com Instagram" once the provider asked for a new login (needs_reauth). */
export function connectLabel(kind: string, status: string | undefined, t: Translate, fallback?: string, settings?: Record<string, unknown> | null): string {
  const provider = oauthProvider(kind, t, fallback, settings)
  return t(status === 'needs_reauth' ? 'admin.channels.oauth.reconnect' : 'admin.channels.oauth.connect', { provider })
}

/** Where to register the callback, in the kind's words when it has its own ("the Meta app" otherwise). */
export function redirectHelp(kind: string, provider: string, t: Translate): string {
  const key = `admin.channels.oauth.redirectHelp.${kind}`
  return hasKey(key) ? t(key, { provider }) : t('admin.channels.oauth.redirectHelp', { provider })
}

/** The query parameters the server's callback sends the browser back with. */
export const OAUTH_RETURN_PARAMS = ['channel', 'oauth', 'oauth_error'] as const

/** What the provider's callback reported: the channel, and connected or the reason it did not. */
export type OAuthReturn = { channel: string; connected: true } | { channel: string; connected: false; error: string }

/**
 * The outcome in /admin/channels?channel=<id>&oauth=connected (or
 * &oauth_error=<reason>), from location.search; null when the page was
 * not opened by the callback.
 */
export function oauthReturn(search: string): OAuthReturn | null {
  const q = new URLSearchParams(search)
  const channel = q.get('channel')?.trim() ?? ''
  if (!channel) return null
  if (q.has('oauth_error')) return { channel, connected: false, error: q.get('oauth_error')?.trim() ?? '' }
  if (q.get('oauth') === 'connected') return { channel, connected: true }
  return null
}

/** The query string without the callback's parameters ("" or "?…" with the others kept). */
export function withoutOAuthReturn(search: string): string {
  const q = new URLSearchParams(search)
  for (const k of OAUTH_RETURN_PARAMS) q.delete(k)
  const rest = q.toString()
  return rest ? `?${rest}` : ''
}

// ---------- pairing: a step's prompt ----------

export const PROMPT_TYPES = ['qr', 'code'] as const
export type PromptType = (typeof PROMPT_TYPES)[number]

/** The prompt to show under a step: while it runs, of a type the screen can draw, with something in it. */
export function stepPrompt(step: ActivationStep): (ActivationPrompt & { type: PromptType }) | null {
  const p = step.prompt
  if (step.state !== 'running' || !p || typeof p.value !== 'string' || p.value === '') return null
  return (PROMPT_TYPES as readonly string[]).includes(p.type) ? (p as ActivationPrompt & { type: PromptType }) : null
}

/**
 * What the manager does with a prompt, one line a step: the kind's own
 * instructions ("admin.channels.prompt.<kind>.<type>.1", .2, …) or the
 * generic line for the type.
 */
export function promptInstructions(kind: string, type: PromptType, t: Translate): { lines: string[]; own: boolean } {
  const lines: string[] = []
  for (let i = 1; ; i++) {
    const key = `admin.channels.prompt.${kind}.${type}.${i}`
    if (!hasKey(key)) break
    lines.push(t(key))
  }
  if (lines.length > 0) return { lines, own: true }
  return { lines: [t(type === 'qr' ? 'admin.channels.prompt.qr' : 'admin.channels.prompt.code')], own: false }
}

/** A number for people: Brazilian ones as +55 11 98765-4321, others as + and digits. */
export function displayPhone(v: string): string {
  const digits = v.replace(/\D/g, '')
  if (!digits) return v.trim()
  const br = /^55(\d{2})(\d{4,5})(\d{4})$/.exec(digits)
  if (br) return `+55 ${br[1]} ${br[2]}-${br[3]}`
  return `+${digits}`
}

// a phone number inside a sentence ("+55 11 98765-4321", spaced or dashed
// after a "+") or a WhatsApp JID ("5511987654321:12@s.whatsapp.net"): 10 to
// 15 digits, as E.164 has; dates and times are not taken for one
const PHONE_IN_TEXT = /\+\d[\d\s().-]{8,}\d|\b\d{10,15}\b/g

/** The number a pairing connected: named in the done step's detail, else the stored "number" setting. */
export function pairedNumber(detail: string | undefined, settings: Record<string, unknown> | null | undefined): string | null {
  for (const m of (detail ?? '').matchAll(PHONE_IN_TEXT)) {
    const n = m[0].replace(/\D/g, '').length
    if (n >= 10 && n <= 15) return displayPhone(m[0])
  }
  const n = settings?.number
  return typeof n === 'string' && n.trim() !== '' ? displayPhone(n) : null
}

/**
 * The line under a step: for a done step the kind words itself
 * ("admin.channels.stepDone.<kind>.<step>", e.g. "Connected as +55…"),
 * the server's detail otherwise.
 */
export function stepDetail(kind: string, step: ActivationStep, settings: Record<string, unknown> | null | undefined, t: Translate): string {
  const key = `admin.channels.stepDone.${kind}.${step.name}`
  if (step.state === 'done' && hasKey(key)) {
    const number = pairedNumber(step.detail, settings)
    if (number) return t(key, { number })
  }
  return step.detail ?? ''
}

/** The list's row of a channel (what GET /channels gives), from any channel answer. */
export function listItem(ch: ChannelListItem): ChannelListItem {
  const row: ChannelListItem = { id: ch.id, kind: ch.kind, name: ch.name, active: ch.active, status: ch.status }
  if (ch.status_reason !== undefined) row.status_reason = ch.status_reason
  if (ch.status_at !== undefined) row.status_at = ch.status_at
  if (ch.activation) row.activation = ch.activation
  return row
}

/**
 * A channel after a channel.updated event: its new health with the reason,
 * or its activation progress (sent whole). The event does not say when the
 * status changed, so the former time is dropped rather than shown wrong.
 */
export function applyChannelUpdate<T extends ChannelListItem>(ch: T, ev: ChannelUpdatedEvent): T {
  if (ev.id !== ch.id) return ch
  const next: T = { ...ch }
  if (ev.status !== undefined) {
    next.status = ev.status
    next.status_reason = ev.status_reason ?? ''
    if (ev.status_at) next.status_at = ev.status_at
    else if (ev.status !== ch.status || next.status_reason !== (ch.status_reason ?? '')) delete next.status_at
  }
  if (ev.activation) next.activation = ev.activation
  return next
}

// ---------- business hours ----------

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

export const DEFAULT_TIMEZONE = 'America/Sao_Paulo'
const DEFAULT_OPEN = '09:00'
const DEFAULT_CLOSE = '18:00'
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

export interface DayHours {
  open: boolean
  from: string
  to: string
}

export interface HoursForm {
  enabled: boolean
  timezone: string
  days: Record<Weekday, DayHours>
}

function isWeekend(d: Weekday): boolean {
  return d === 'sat' || d === 'sun'
}

/**
 * The form for stored business hours. Disabled (null) starts from Monday to
 * Friday 09:00–18:00 so that ticking "enable" gives a sensible week.
 */
export function hoursToForm(bh: BusinessHours | null | undefined): HoursForm {
  const days = {} as Record<Weekday, DayHours>
  for (const d of WEEKDAYS) {
    const span = bh?.days?.[d]
    if (bh) {
      days[d] = span ? { open: true, from: span[0], to: span[1] } : { open: false, from: DEFAULT_OPEN, to: DEFAULT_CLOSE }
    } else {
      days[d] = { open: !isWeekend(d), from: DEFAULT_OPEN, to: DEFAULT_CLOSE }
    }
  }
  return { enabled: !!bh, timezone: bh?.timezone || DEFAULT_TIMEZONE, days }
}

/** What to store: null when disabled; closed days are left out. */
export function formToHours(f: HoursForm): BusinessHours | null {
  if (!f.enabled) return null
  const days: Record<string, [string, string]> = {}
  for (const d of WEEKDAYS) {
    const day = f.days[d]
    if (day.open) days[d] = [day.from, day.to]
  }
  return { timezone: f.timezone.trim() || DEFAULT_TIMEZONE, days }
}

/**
 * Checks the server does not make: times are "HH:MM" and a day closes after
 * it opens. Keys are weekdays; empty when the form is fine (or disabled).
 */
export function hoursProblems(f: HoursForm): Partial<Record<Weekday, MessageKey>> {
  const out: Partial<Record<Weekday, MessageKey>> = {}
  if (!f.enabled) return out
  for (const d of WEEKDAYS) {
    const day = f.days[d]
    if (!day.open) continue
    if (!HHMM.test(day.from) || !HHMM.test(day.to)) out[d] = 'admin.channels.hoursBadTime'
    else if (day.from >= day.to) out[d] = 'admin.channels.hoursOrder'
  }
  return out
}

// ---------- webchat ----------

export const PRECHAT_MODES: readonly PreChatMode[] = ['required', 'optional', 'hidden']
export const PRECHAT_FIELDS = ['name', 'email', 'phone'] as const
export type PreChatField = (typeof PRECHAT_FIELDS)[number]

export const DEFAULT_COLOR = '#2a5bd7'

export interface WebchatForm {
  title: string
  color: string
  welcome_message: string
  offline_message: string
  /** one origin per line; empty = any site */
  origins: string
  prechat: Record<PreChatField, PreChatMode>
  hours: HoursForm
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

function prechatMode(v: unknown, fallback: PreChatMode): PreChatMode {
  return PRECHAT_MODES.includes(v as PreChatMode) ? (v as PreChatMode) : fallback
}

/** A colour the <input type="color"> accepts (#rrggbb); the default otherwise. */
export function normalizeColor(c: unknown): string {
  if (typeof c !== 'string') return DEFAULT_COLOR
  const v = c.trim()
  if (/^#[0-9a-f]{6}$/i.test(v)) return v.toLowerCase()
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(v)
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`.toLowerCase()
  return DEFAULT_COLOR
}

/** Dark or light text, whichever reads better on the background colour. */
export function textColorOn(hex: string): string {
  const c = normalizeColor(hex)
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16) / 255)
  const lin = (x: number) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4)
  const lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
  return lum > 0.45 ? '#1c2333' : '#ffffff'
}

/** The allowed-origins textarea as a list: trimmed, blank lines and repeats dropped. */
export function originsToList(text: string): string[] {
  const out: string[] = []
  for (const line of text.split(/\r?\n/)) {
    const v = line.trim().replace(/\/+$/, '')
    if (v && !out.includes(v)) out.push(v)
  }
  return out
}

export function webchatForm(settings: Record<string, unknown> | null | undefined): WebchatForm {
  const s = settings ?? {}
  const prechat = (s.prechat ?? {}) as Record<string, unknown>
  const origins = Array.isArray(s.allowed_origins) ? s.allowed_origins.filter((o): o is string => typeof o === 'string') : []
  return {
    title: str(s.title),
    color: normalizeColor(s.color),
    welcome_message: str(s.welcome_message),
    offline_message: str(s.offline_message),
    origins: origins.join('\n'),
    prechat: {
      name: prechatMode(prechat.name, 'required'),
      email: prechatMode(prechat.email, 'optional'),
      phone: prechatMode(prechat.phone, 'optional'),
    },
    hours: hoursToForm((s.business_hours ?? null) as BusinessHours | null),
  }
}

export function webchatSettings(f: WebchatForm): WebchatSettings {
  return {
    title: f.title.trim(),
    color: normalizeColor(f.color),
    welcome_message: f.welcome_message.trim(),
    offline_message: f.offline_message.trim(),
    allowed_origins: originsToList(f.origins),
    prechat: { ...f.prechat },
    business_hours: formToHours(f.hours),
  }
}

// ---------- API channel ----------

/** What the server shows instead of a stored secret (any kind's secret-typed setting). */
export const SECRET_PLACEHOLDER = '********'
export const MIN_SECRET_LENGTH = 16

export interface ApiForm {
  outbound_url: string
  outbound_secret: string
}

export function apiForm(settings: Record<string, unknown> | null | undefined): ApiForm {
  const s = settings ?? {}
  return { outbound_url: str(s.outbound_url), outbound_secret: str(s.outbound_secret) }
}

export function hasStoredSecret(settings: Record<string, unknown> | null | undefined): boolean {
  return isStoredSecret(settings?.outbound_secret)
}

/** A new secret was typed (the placeholder or an empty box keep the stored one). */
export function secretChanged(f: ApiForm): boolean {
  return f.outbound_secret !== SECRET_PLACEHOLDER && f.outbound_secret !== ''
}

/**
 * The settings to send. The placeholder goes back as it came, which keeps the
 * stored secret; an empty box sends no secret (nothing changes either); any
 * other text replaces it.
 */
export function apiSettingsBody(f: ApiForm): ApiChannelSettings {
  const body: ApiChannelSettings = { outbound_url: f.outbound_url.trim() }
  if (f.outbound_secret === SECRET_PLACEHOLDER || secretChanged(f)) body.outbound_secret = f.outbound_secret
  return body
}

/** The client-side hint for a new secret; the server has the final word. */
export function apiFormProblems(f: ApiForm): Partial<Record<'settings.outbound_secret', MessageKey>> {
  if (secretChanged(f) && [...f.outbound_secret].length < MIN_SECRET_LENGTH) {
    return { 'settings.outbound_secret': 'admin.channels.secretShort' }
  }
  return {}
}

// ---------- the one-time inbound token ----------

/** A channel as lists and editors keep it: never with the inbound token. */
export function withoutToken(ch: ChannelDetail): ChannelDetail {
  const { inbound_token: _token, ...rest } = ch
  void _token
  return rest
}

/** The secret to show once, from a creation or rotation answer. */
export function oneTimeToken(ch: ChannelDetail): { id: string; name: string; token: string } | null {
  return ch.inbound_token ? { id: ch.id, name: ch.name, token: ch.inbound_token } : null
}

/** The example request an integrator sends to the inbound URL. */
export function inboundExample(url: string): string {
  return [
    `POST ${url}`,
    'Authorization: Bearer <token>',
    'Content-Type: application/json',
    '',
    JSON.stringify({ message_id: 'msg-123', from: { id: 'customer-42', name: 'Maria Silva' }, text: 'Olá!' }, null, 2),
  ].join('\n')
}

// ---------- LinkedIn (guided activation) ----------

/** Where the server hands out the capture extension, when the channel does not say. */
export const LINKEDIN_EXTENSION_PATH = '/downloads/chatspot-linkedin.zip'

/** While the first capture is awaited, the screen asks for the channel this often (ms). */
export const LINKEDIN_POLL_MS = 5000

/** The CRM place "Capturar + oportunidade" creates its card in; "" = the first pipeline, its first stage. */
export interface LinkedInForm {
  pipeline_id: string
  stage_id: string
}

export function linkedInForm(settings: Record<string, unknown> | null | undefined): LinkedInForm {
  const str = (v: unknown) => (typeof v === 'string' ? v : '')
  return { pipeline_id: str(settings?.pipeline_id), stage_id: str(settings?.stage_id) }
}

/** What PATCH /channels/:id sends: only the two CRM settings (the server keeps the capture times it wrote). */
export function linkedInSettingsBody(f: LinkedInForm): Record<string, unknown> {
  return { pipeline_id: f.pipeline_id, stage_id: f.pipeline_id ? f.stage_id : '' }
}

/** A LinkedIn channel no capture has reached yet. */
export function awaitingFirstCapture(ch: Pick<ChannelDetail, 'first_capture_at'>): boolean {
  return !ch.first_capture_at
}

/** The extension's download address: the channel's, else the server's usual one. */
export function extensionUrl(ch: Pick<ChannelDetail, 'extension_url'>): string {
  return ch.extension_url || LINKEDIN_EXTENSION_PATH
}
