// Pure logic of the billing tab: money typed in reais, the recharge form's
// checks, how a Pix recharge is followed (polling) and the labels of
// statuses and statement kinds. No React here.
import type { LedgerEntry, LedgerKind, Recharge, RechargeStatus } from '../api/types'
import type { MessageKey, Translate } from '../i18n'
import { formatBRL } from '../format'

/** The fields a billing 422 may name. */
export const SETTINGS_FIELDS = ['low_balance_cents']
export const RECHARGE_FIELDS = ['amount_cents', 'payer_email', 'payer_document']

/** While the charge is being created: asked every 2 s until it has a QR code. */
export const CREATING_POLL_MS = 2000
/** While waiting for the payment: asked every 3 s. */
export const PENDING_POLL_MS = 3000

/**
 * Centavos from what a person types in reais: "100,00", "100", "1.000,50",
 * "R$ 12,5", also "100.50" (a dot followed by one or two digits is the
 * decimal point). Null when it does not read as money.
 */
export function parseReais(raw: string): number | null {
  let s = raw.replace(/R\$/gi, '').replace(/[\s\u00a0]/g, '')
  if (s === '') return null
  if (s.includes(',')) s = s.replace(/\./g, '').replace(',', '.')
  else if (!/^\d+\.\d{1,2}$/.test(s)) s = s.replace(/\.(?=\d{3}(\.|$))/g, '')
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return null
  const [int, frac = ''] = s.split('.')
  const cents = Number(int) * 100 + Number(frac.padEnd(2, '0'))
  return Number.isSafeInteger(cents) ? cents : null
}

/** What goes in a money input: "100,00" (pt-BR) or "100.00" (en), no thousands separator. */
export function reaisInput(cents: number, lang: string): string {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false }).format(cents / 100)
}

/** A CPF or CNPJ as the API takes it: digits only. */
export function documentDigits(raw: string): string {
  return raw.replace(/\D/g, '')
}

export interface RechargeForm {
  amount: string
  email: string
  document: string
}

/** The client-side checks of the recharge form; the server checks again (422 on the same fields). */
export function rechargeErrors(form: RechargeForm, minimumCents: number, t: Translate, lang: string): Record<string, string> {
  const fields: Record<string, string> = {}
  const cents = parseReais(form.amount)
  if (cents === null || cents <= 0) fields.amount_cents = t('billing.recharge.amountInvalid')
  else if (cents < minimumCents) fields.amount_cents = t('billing.recharge.belowMinimum', { min: formatBRL(minimumCents, lang) })
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) fields.payer_email = t('billing.recharge.emailInvalid')
  const doc = documentDigits(form.document)
  if (doc !== '' && doc.length !== 11 && doc.length !== 14) fields.payer_document = t('billing.recharge.documentInvalid')
  return fields
}

const FINAL: readonly RechargeStatus[] = ['approved', 'expired', 'cancelled', 'rejected', 'failed']

export function isFinal(status: RechargeStatus): boolean {
  return FINAL.includes(status)
}

/** A recharge that ended without the money: expired, cancelled, rejected or failed. */
export function isFailed(status: RechargeStatus): boolean {
  return isFinal(status) && status !== 'approved'
}

/** The QR code can be shown: it is there and the payment is still awaited. */
export function awaitingPayment(r: Recharge): boolean {
  return !isFinal(r.status) && r.qr_code !== ''
}

/**
 * When to ask for the recharge again: every 2 s while it is being created
 * without a QR code yet, every 3 s while the payment is awaited, never once
 * it has ended (null).
 */
export function pollDelay(r: Recharge): number | null {
  if (isFinal(r.status)) return null
  if (r.status === 'creating' && r.qr_code === '') return CREATING_POLL_MS
  return PENDING_POLL_MS
}

const STATUS_LABEL: Record<RechargeStatus, MessageKey> = {
  creating: 'billing.status.creating',
  pending: 'billing.status.pending',
  approved: 'billing.status.approved',
  expired: 'billing.status.expired',
  cancelled: 'billing.status.cancelled',
  rejected: 'billing.status.rejected',
  failed: 'billing.status.failed',
}

export function rechargeStatusLabel(status: string, t: Translate): string {
  const key = STATUS_LABEL[status as RechargeStatus]
  return key ? t(key) : status
}

/** The pill colour of a recharge status. */
export function rechargeStatusClass(status: string): string {
  if (status === 'approved') return 'pill-ok'
  if (status === 'creating' || status === 'pending') return 'pill-warn'
  return 'pill-bad'
}

const KIND_LABEL: Record<LedgerKind, MessageKey> = {
  recharge: 'billing.kind.recharge',
  reservation: 'billing.kind.reservation',
  debit: 'billing.kind.debit',
  refund: 'billing.kind.refund',
  charge: 'billing.kind.charge',
}

export function entryKindLabel(kind: string, t: Translate): string {
  const key = KIND_LABEL[kind as LedgerKind]
  return key ? t(key) : kind
}

/** A recharge replaced in the list (or put first when new): the list is newest first. */
export function upsertRecharge(list: readonly Recharge[], r: Recharge): Recharge[] {
  return list.some((x) => x.id === r.id) ? list.map((x) => (x.id === r.id ? r : x)) : [r, ...list]
}

/** The next page of the statement after the ones loaded, without repeating a line. */
export function appendEntries(list: readonly LedgerEntry[], more: readonly LedgerEntry[]): LedgerEntry[] {
  const seen = new Set(list.map((e) => e.id))
  return [...list, ...more.filter((e) => !seen.has(e.id))]
}
