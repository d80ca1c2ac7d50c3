// Turning API values into words for people.
import { ApiError } from './api/client'
import { hasKey } from './i18n'
import type { Translate } from './i18n'

/** The message to show for a failed call: the server's own detail when it gave one. */
export function errorText(err: unknown, t: Translate): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('error.network')
    if (err.problem.detail) return err.problem.detail
    if (err.status === 403) return t('error.forbidden')
    if (err.problem.title) return err.problem.title
    return t('error.generic', { status: err.status })
  }
  if (err instanceof Error && err.message) return err.message
  return t('error.generic', { status: '?' })
}

/** A kind's name: the i18n "channel.<kind>" when there is one, else the server's label (GET /channel-kinds), else the kind. */
export function channelLabel(kind: string, t: Translate, fallback?: string): string {
  const key = `channel.${kind}`
  return hasKey(key) ? t(key) : fallback || kind
}

/** Short code for the channel icon badge. */
export function channelGlyph(kind: string): string {
  const glyphs: Record<string, string> = {
    whatsapp: 'WA',
    whatsapp_official: 'WA',
    instagram: 'IG',
    messenger: 'FB',
    telegram: 'TG',
    sms: 'SMS',
    email: '@',
    webchat: 'WEB',
    mercadolivre: 'ML',
    linkedin: 'in',
    olx: 'OLX',
    api: 'API',
  }
  return glyphs[kind] ?? kind.slice(0, 3).toUpperCase()
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean)
  if (parts.length === 0) return '?'
  const first = parts[0][0] ?? ''
  const last = parts.length > 1 ? parts[parts.length - 1][0] ?? '' : ''
  return (first + last).toUpperCase()
}

export function formatDateTime(iso: string, lang: string, timeZone?: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short', timeZone }).format(d)
  } catch {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' }).format(d)
  }
}

export function formatTime(iso: string, lang: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(d)
}

/**
 * Money from centavos, as "R$ 123,45" (pt-BR) or "R$ 123.45" (en): the real
 * always, the digits in the reader's language. sign: "+" before money in
 * (a statement's credits); money out always carries "-".
 */
export function formatBRL(cents: number, lang: string, opts: { sign?: boolean } = {}): string {
  const digits = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Math.abs(cents) / 100)
  const sign = cents < 0 ? '-' : opts.sign && cents > 0 ? '+' : ''
  return `${sign}R$ ${digits}`
}
