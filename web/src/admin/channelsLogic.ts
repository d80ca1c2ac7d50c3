// Pure logic of the channel screens: the webchat settings form (business
// hours per weekday, allowed origins, pre-chat fields, colours), the API
// channel's outbound settings with the stored-secret placeholder, and the
// one-time inbound token. No React here, so it is unit-tested.
import type { ApiChannelSettings, BusinessHours, ChannelDetail, PreChatMode, WebchatSettings } from '../api/types'
import type { MessageKey } from '../i18n'

/** The kinds this screen creates; the server refuses the others (422 "kind"). */
export const CONFIGURABLE_KINDS = ['webchat', 'api'] as const
export type ConfigurableKind = (typeof CONFIGURABLE_KINDS)[number]

export function isConfigurable(kind: string): kind is ConfigurableKind {
  return (CONFIGURABLE_KINDS as readonly string[]).includes(kind)
}

/** Fields a channel form can show a problem next to. */
export const CHANNEL_FIELDS = ['kind', 'name', 'settings', 'settings.outbound_url', 'settings.outbound_secret']

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

/** What the server shows instead of a stored outbound secret. */
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
  return settings?.outbound_secret === SECRET_PLACEHOLDER
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
