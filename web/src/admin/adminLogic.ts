// Pure logic of the administration screens: which tabs a user sees, the
// permission grid of a profile, form errors from problems, the one-time token
// secret, and small diffs and labels. No React here, so it is unit-tested.
import { ApiError } from '../api/client'
import type { AdminUser, ApiToken, AuditAction, AuditEntry, CreatedApiToken, Permission, Team, UserPatch } from '../api/types'
import { errorText } from '../format'
import { hasKey } from '../i18n'
import type { Translate } from '../i18n'

// ---------- tabs ----------

export type AdminTab =
  | 'users'
  | 'profiles'
  | 'teams'
  | 'channels'
  | 'rules'
  | 'quick-replies'
  | 'sessions'
  | 'tokens'
  | 'webhooks'
  | 'account'
  | 'audit'
  | 'whatsapp-costs'
  | 'billing'

export interface AdminTabSpec {
  key: AdminTab
  /** Needed to see the tab; null = anyone who can open the admin area. */
  view: Permission | null
  /** Needed to change what the tab shows. */
  edit: Permission
  /** The account module the tab belongs to (me.account.modules); absent = always there. */
  module?: string
}

export const ADMIN_TABS: readonly AdminTabSpec[] = [
  { key: 'users', view: 'users:manage', edit: 'users:manage' },
  { key: 'profiles', view: 'users:manage', edit: 'users:manage' },
  // GET /teams answers every signed-in user; only users:manage may change them.
  { key: 'teams', view: null, edit: 'users:manage' },
  // GET /channels answers everyone, but configuring them needs channels:manage.
  { key: 'channels', view: 'channels:manage', edit: 'channels:manage' },
  { key: 'rules', view: 'rules:manage', edit: 'rules:manage' },
  // GET /quick-replies answers everyone (the composer uses it); managing them needs rules:manage.
  { key: 'quick-replies', view: 'rules:manage', edit: 'rules:manage' },
  { key: 'sessions', view: 'users:manage', edit: 'users:manage' },
  { key: 'tokens', view: 'api:tokens', edit: 'api:tokens' },
  // Webhooks come with the API module.
  { key: 'webhooks', view: 'api:tokens', edit: 'api:tokens', module: 'api' },
  // GET /account answers everyone; the tab (time zone, business hours) is for users:manage, who may PATCH it.
  { key: 'account', view: 'users:manage', edit: 'users:manage' },
  { key: 'audit', view: 'users:manage', edit: 'users:manage' },
  // A report: read-only, for whoever may see reports.
  { key: 'whatsapp-costs', view: 'reports:view', edit: 'reports:view' },
  // The prepaid balance (SMS): the statement, the alert threshold and Pix recharges.
  { key: 'billing', view: 'billing:manage', edit: 'billing:manage' },
]

/** Whether the account has the module a tab belongs to. */
function moduleOn(tab: AdminTabSpec, modules: readonly string[]): boolean {
  return !tab.module || modules.includes(tab.module)
}

/**
 * The tabs a user with these permissions sees, in display order. A tab of a
 * module shows only when the account has it (modules: me.account.modules).
 */
export function visibleTabs(perms: readonly string[], modules: readonly string[] = []): AdminTab[] {
  const shown = ADMIN_TABS.filter((tab) => moduleOn(tab, modules))
  const gated = shown.filter((tab) => tab.view !== null && perms.includes(tab.view))
  // Tabs open to everyone only show up inside an area the user may enter anyway.
  if (gated.length === 0) return []
  return shown.filter((tab) => tab.view === null || perms.includes(tab.view)).map((tab) => tab.key)
}

/** Whether the header shows the link to the admin area. */
export function canEnterAdmin(perms: readonly string[], modules: readonly string[] = []): boolean {
  return visibleTabs(perms, modules).length > 0
}

export function canEditTab(tab: AdminTab, perms: readonly string[]): boolean {
  const spec = ADMIN_TABS.find((s) => s.key === tab)
  return !!spec && perms.includes(spec.edit)
}

export function isAdminTab(s: string | null): s is AdminTab {
  return ADMIN_TABS.some((tab) => tab.key === s)
}

export function adminPath(tab: AdminTab): string {
  return `/admin/${tab}`
}

/**
 * Which tab to show for /admin/<requested>: the requested one when the user
 * may see it, else the first one they may (redirect = fix the address bar);
 * null when they may see none.
 */
export function resolveTab(
  requested: string | null,
  perms: readonly string[],
  modules: readonly string[] = [],
): { tab: AdminTab | null; redirect: boolean } {
  const tabs = visibleTabs(perms, modules)
  if (requested && isAdminTab(requested) && tabs.includes(requested)) return { tab: requested, redirect: false }
  if (tabs.length === 0) return { tab: null, redirect: false }
  // Land on the first tab the user was given access to, not on a tab open to all.
  const first = tabs.find((key) => ADMIN_TABS.some((s) => s.key === key && s.view !== null)) ?? tabs[0]
  return { tab: first, redirect: true }
}

// ---------- permission grid ----------

/** Every permission, in the order the server lists them (auth.All). */
export const KNOWN_PERMISSIONS: readonly Permission[] = [
  'conversations:view:all',
  'conversations:view:team',
  'conversations:view:assigned',
  'conversations:reply',
  'conversations:assign',
  'conversations:close',
  'channels:manage',
  'users:manage',
  'rules:manage',
  'crm:view',
  'crm:edit',
  'crm:pipelines',
  'api:tokens',
  'reports:view',
  'operations:view',
  'billing:manage',
]

export type Visibility = 'all' | 'team' | 'assigned' | 'none'

export const VISIBILITIES: readonly Visibility[] = ['all', 'team', 'assigned', 'none']

export const VISIBILITY_PERMISSION: Record<Exclude<Visibility, 'none'>, Permission> = {
  all: 'conversations:view:all',
  team: 'conversations:view:team',
  assigned: 'conversations:view:assigned',
}

const VISIBILITY_PERMS: readonly string[] = Object.values(VISIBILITY_PERMISSION)

export function isVisibilityPermission(p: string): boolean {
  return VISIBILITY_PERMS.includes(p)
}

/** A profile's permissions as the editor shows them: one visibility scope plus checkboxes. */
export interface PermissionGrid {
  visibility: Visibility
  /** Every other permission that is ticked. */
  granted: string[]
}

/** Reads a permission list; when several scopes are held the widest wins. */
export function permsToGrid(perms: readonly string[]): PermissionGrid {
  let visibility: Visibility = 'none'
  if (perms.includes(VISIBILITY_PERMISSION.all)) visibility = 'all'
  else if (perms.includes(VISIBILITY_PERMISSION.team)) visibility = 'team'
  else if (perms.includes(VISIBILITY_PERMISSION.assigned)) visibility = 'assigned'
  const granted = [...new Set(perms.filter((p) => !isVisibilityPermission(p)))]
  return { visibility, granted }
}

/**
 * The permission list to send: at most one visibility scope (none for "none"),
 * then the ticked permissions, in the server's order (unknown ones last).
 */
export function gridToPerms(grid: PermissionGrid, order: readonly string[]): string[] {
  const chosen = new Set(grid.granted.filter((p) => !isVisibilityPermission(p)))
  if (grid.visibility !== 'none') chosen.add(VISIBILITY_PERMISSION[grid.visibility])
  const out = order.filter((p) => chosen.has(p))
  const rest = [...chosen].filter((p) => !order.includes(p)).sort()
  return [...out, ...rest]
}

export function togglePermission(grid: PermissionGrid, perm: string, on: boolean): PermissionGrid {
  if (isVisibilityPermission(perm)) return grid
  const granted = grid.granted.filter((p) => p !== perm)
  if (on) granted.push(perm)
  return { ...grid, granted }
}

export type PermissionGroupKey = 'conversations' | 'management' | 'crm' | 'platform' | 'other'

const GROUPS: { key: Exclude<PermissionGroupKey, 'other'>; perms: readonly Permission[] }[] = [
  { key: 'conversations', perms: ['conversations:reply', 'conversations:assign', 'conversations:close'] },
  { key: 'management', perms: ['channels:manage', 'users:manage', 'rules:manage'] },
  { key: 'crm', perms: ['crm:view', 'crm:edit', 'crm:pipelines'] },
  { key: 'platform', perms: ['api:tokens', 'reports:view', 'operations:view', 'billing:manage'] },
]

/**
 * The checkbox groups for the permissions the server knows (all_permissions),
 * without the visibility scopes (they are the radio). Permissions this UI does
 * not know yet land in "other", so none is ever hidden.
 */
export function permissionGroups(all: readonly string[]): { key: PermissionGroupKey; perms: string[] }[] {
  const known = new Set<string>(GROUPS.flatMap((g) => g.perms))
  const groups: { key: PermissionGroupKey; perms: string[] }[] = GROUPS.map((g) => ({
    key: g.key,
    perms: g.perms.filter((p) => all.includes(p)),
  }))
  groups.push({ key: 'other', perms: all.filter((p) => !known.has(p) && !isVisibilityPermission(p)) })
  return groups.filter((g) => g.perms.length > 0)
}

/** The permissions a token creator may grant: the server refuses any they do not hold. */
export function grantablePermissions(all: readonly string[], mine: readonly string[]): string[] {
  return all.filter((p) => mine.includes(p))
}

// ---------- form errors ----------

export interface FormErrors {
  /** detail per form field, when the problem named one of this form's fields */
  fields: Record<string, string>
  /** shown at the top of the form */
  top: string | null
}

export const NO_ERRORS: FormErrors = { fields: {}, top: null }

/**
 * Where a failed submit's message goes: next to the field the problem names
 * (if this form has it), else at the top. The server writes "field: reason";
 * beside the field the prefix is redundant and dropped.
 */
export function formErrors(err: unknown, fields: readonly string[], t: Translate): FormErrors {
  if (err instanceof ApiError && err.problem.field && fields.includes(err.problem.field) && err.problem.detail) {
    const field = err.problem.field
    const prefix = `${field}: `
    const detail = err.problem.detail.startsWith(prefix) ? err.problem.detail.slice(prefix.length) : err.problem.detail
    return { fields: { [field]: detail }, top: null }
  }
  return { fields: {}, top: errorText(err, t) }
}

// ---------- quick replies ----------

export const QUICK_REPLY_TEXT_MAX = 4096

/** The shortcut as the server stores it: trimmed, without a leading "/". */
export function normalizeShortcut(raw: string): string {
  const s = raw.trim()
  return s.startsWith('/') ? s.slice(1) : s
}

/** The server's rule for a (normalised) shortcut: 1–40 of a-z, 0-9, - and _. */
export function isValidShortcut(shortcut: string): boolean {
  return /^[a-z0-9_-]{1,40}$/.test(shortcut)
}

/**
 * Checks the form before sending; the server checks again and its 422/409
 * lands on the same fields. Returns no errors when the form may be sent.
 */
export function quickReplyErrors(shortcut: string, text: string, t: Translate): FormErrors {
  const fields: Record<string, string> = {}
  if (!isValidShortcut(normalizeShortcut(shortcut))) fields.shortcut = t('admin.quickReplies.shortcutInvalid')
  if (text.trim() === '') fields.text = t('admin.quickReplies.textRequired')
  else if ([...text].length > QUICK_REPLY_TEXT_MAX) fields.text = t('admin.quickReplies.textTooLong', { max: QUICK_REPLY_TEXT_MAX })
  return { fields, top: null }
}

// ---------- users ----------

export interface UserEditForm {
  name: string
  profile_id: string
  capacity: string
}

export function userEditForm(u: AdminUser): UserEditForm {
  return { name: u.name, profile_id: u.profile_id, capacity: String(u.capacity) }
}

/** Only what changed, so the PATCH does not touch the rest (nor audit it). */
export function userPatch(u: AdminUser, f: UserEditForm): UserPatch {
  const patch: UserPatch = {}
  const name = f.name.trim()
  if (name !== u.name) patch.name = name
  if (f.profile_id !== u.profile_id) patch.profile_id = f.profile_id
  const capacity = Number(f.capacity)
  if (f.capacity.trim() !== '' && capacity !== u.capacity) patch.capacity = capacity
  return patch
}

/**
 * Merge a PATCH answer into the list. The answer's team_ids may be empty (the
 * endpoint does not load memberships), so the ones we had are kept.
 */
export function mergeUser(list: AdminUser[], updated: AdminUser): AdminUser[] {
  return list.map((u) => (u.id === updated.id ? { ...u, ...updated, team_ids: u.team_ids } : u))
}

/** The client-side hint for a new password; the server has the final word. */
export function passwordLooksWeak(p: string): boolean {
  if ([...p].length < 10) return true
  const letter = /\p{L}/u.test(p)
  const other = /[^\p{L}]/u.test(p)
  return !(letter && other)
}

// ---------- teams ----------

export function teamPatch(team: Team, name: string, memberIds: readonly string[]): { name?: string; member_ids?: string[] } {
  const patch: { name?: string; member_ids?: string[] } = {}
  if (name.trim() !== team.name) patch.name = name.trim()
  const before = new Set(team.member_ids)
  const after = new Set(memberIds)
  if (before.size !== after.size || [...after].some((id) => !before.has(id))) patch.member_ids = [...after]
  return patch
}

export function toggleId(ids: readonly string[], id: string, on: boolean): string[] {
  const rest = ids.filter((x) => x !== id)
  return on ? [...rest, id] : rest
}

// ---------- sessions ----------

export function seatUsage(sessions: number, seats: number): { used: number; seats: number; full: boolean } {
  return { used: sessions, seats, full: seats > 0 && sessions >= seats }
}

/** "Chrome · Windows" out of a User-Agent header; the raw text when unknown. */
export function describeUserAgent(ua: string): string {
  if (!ua) return ''
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrome\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : ''
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : ''
  if (!browser && !os) return ua.length > 60 ? `${ua.slice(0, 57)}…` : ua
  return [browser, os].filter(Boolean).join(' · ')
}

// ---------- API tokens ----------

export interface TokenState {
  items: ApiToken[]
  /** The secret of the token just created, shown once; null once the dialog closes. */
  secret: { id: string; name: string; token: string } | null
}

export type TokenAction =
  | { type: 'loaded'; items: ApiToken[] }
  | { type: 'created'; token: CreatedApiToken }
  | { type: 'revoked'; id: string; at: string }
  | { type: 'secretClosed' }

/** The list never holds a secret: it keeps only what GET /tokens would return. */
export function withoutSecret(tok: CreatedApiToken | ApiToken): ApiToken {
  const { id, name, prefix, permissions, created_at, last_used_at, revoked_at } = tok
  return { id, name, prefix, permissions, created_at, last_used_at, revoked_at }
}

export const INITIAL_TOKENS: TokenState = { items: [], secret: null }

export function tokenReducer(state: TokenState, action: TokenAction): TokenState {
  switch (action.type) {
    case 'loaded':
      return { ...state, items: action.items.map(withoutSecret) }
    case 'created':
      return {
        items: [withoutSecret(action.token), ...state.items.filter((x) => x.id !== action.token.id)],
        secret: { id: action.token.id, name: action.token.name, token: action.token.token },
      }
    case 'revoked':
      return { ...state, items: state.items.map((x) => (x.id === action.id ? { ...x, revoked_at: x.revoked_at ?? action.at } : x)) }
    case 'secretClosed':
      return { ...state, secret: null }
  }
}

// ---------- audit log ----------

export const AUDIT_ACTIONS: readonly AuditAction[] = [
  'login',
  'login.failed',
  'user.created',
  'user.updated',
  'user.password_reset',
  'profile.created',
  'profile.updated',
  'profile.deleted',
  'token.created',
  'token.revoked',
  'session.ended',
]

export function newestFirst(entries: readonly AuditEntry[]): AuditEntry[] {
  return [...entries].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
}

// ---------- shared ----------

/** A permission's label; the raw name for one this UI does not know yet. */
export function permissionLabel(p: string, t: Translate): string {
  const key = `perm.${p}`
  return hasKey(key) ? t(key) : p
}

export function auditActionLabel(action: string, t: Translate): string {
  const key = `audit.action.${action}`
  return hasKey(key) ? t(key) : action
}

export function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((x) => [x.id, x]))
}
