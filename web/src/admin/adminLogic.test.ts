import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/client'
import type { AdminUser, AuditEntry, CreatedApiToken, Team } from '../api/types'
import { translate } from '../i18n'
import type { Translate } from '../i18n'
import {
  canEditTab,
  canEnterAdmin,
  describeUserAgent,
  formErrors,
  gridToPerms,
  KNOWN_PERMISSIONS,
  mergeUser,
  newestFirst,
  passwordLooksWeak,
  permissionGroups,
  permsToGrid,
  resolveTab,
  seatUsage,
  teamPatch,
  togglePermission,
  tokenReducer,
  INITIAL_TOKENS,
  userPatch,
  visibleTabs,
  withoutSecret,
  grantablePermissions,
  isValidShortcut,
  normalizeShortcut,
  quickReplyErrors,
} from './adminLogic'

const t: Translate = (key, params) => translate('pt-BR', key, params)
const ALL = [...KNOWN_PERMISSIONS]
const AGENT = ['conversations:view:team', 'conversations:reply', 'conversations:close', 'crm:view', 'crm:edit']
const VIEW_SCOPES = ['conversations:view:all', 'conversations:view:team', 'conversations:view:assigned']

describe('tab visibility', () => {
  it('shows every tab to an admin', () => {
    expect(visibleTabs(ALL)).toEqual(['users', 'profiles', 'teams', 'channels', 'rules', 'quick-replies', 'sessions', 'tokens', 'account', 'audit', 'whatsapp-costs', 'billing'])
    expect(canEnterAdmin(ALL)).toBe(true)
  })

  it('shows channels and rules only with their own permissions', () => {
    expect(visibleTabs(['channels:manage'])).toEqual(['teams', 'channels'])
    expect(visibleTabs(['rules:manage', 'conversations:reply'])).toEqual(['teams', 'rules', 'quick-replies'])
    expect(visibleTabs(['channels:manage'])).not.toContain('quick-replies')
    expect(canEditTab('quick-replies', ['rules:manage'])).toBe(true)
    expect(resolveTab('quick-replies', ['channels:manage'])).toEqual({ tab: 'channels', redirect: true })
    expect(visibleTabs(['users:manage'])).not.toContain('channels')
    expect(canEnterAdmin(['rules:manage'])).toBe(true)
    expect(resolveTab(null, ['rules:manage'])).toEqual({ tab: 'rules', redirect: true })
    expect(resolveTab('channels', ['rules:manage'])).toEqual({ tab: 'rules', redirect: true })
  })

  it('shows billing only with billing:manage', () => {
    expect(visibleTabs(['billing:manage'])).toEqual(['teams', 'billing'])
    expect(resolveTab(null, ['billing:manage'])).toEqual({ tab: 'billing', redirect: true })
    expect(visibleTabs(['users:manage'])).not.toContain('billing')
    expect(canEditTab('billing', ['billing:manage'])).toBe(true)
    expect(permissionGroups(['billing:manage'])).toEqual([{ key: 'platform', perms: ['billing:manage'] }])
  })

  it('shows the user tabs but not tokens with users:manage only', () => {
    expect(visibleTabs(['users:manage'])).toEqual(['users', 'profiles', 'teams', 'sessions', 'account', 'audit'])
  })

  it('shows the account tab only with users:manage', () => {
    expect(visibleTabs(['users:manage'])).toContain('account')
    expect(canEditTab('account', ['users:manage'])).toBe(true)
    for (const perms of [['rules:manage'], ['channels:manage'], ['api:tokens'], ALL.filter((p) => p !== 'users:manage')]) {
      expect(visibleTabs(perms, ['api', 'crm'])).not.toContain('account')
      expect(canEditTab('account', perms)).toBe(false)
    }
    expect(resolveTab('account', ['users:manage'])).toEqual({ tab: 'account', redirect: false })
    expect(resolveTab('account', ['rules:manage'])).toEqual({ tab: 'rules', redirect: true })
  })

  it('shows tokens (and read-only teams) with api:tokens only', () => {
    expect(visibleTabs(['api:tokens', 'conversations:reply'])).toEqual(['teams', 'tokens'])
    expect(canEditTab('teams', ['api:tokens'])).toBe(false)
    expect(canEditTab('teams', ['users:manage'])).toBe(true)
  })

  it('shows webhooks with api:tokens only when the account has the api module', () => {
    expect(visibleTabs(ALL, ['api'])).toEqual(['users', 'profiles', 'teams', 'channels', 'rules', 'quick-replies', 'sessions', 'tokens', 'webhooks', 'account', 'audit', 'whatsapp-costs', 'billing'])
    expect(visibleTabs(['api:tokens'], ['api', 'crm'])).toEqual(['teams', 'tokens', 'webhooks'])
    expect(visibleTabs(['api:tokens'], ['crm'])).toEqual(['teams', 'tokens'])
    expect(visibleTabs(['users:manage'], ['api'])).not.toContain('webhooks')
    expect(resolveTab('webhooks', ['api:tokens'], ['api'])).toEqual({ tab: 'webhooks', redirect: false })
    expect(resolveTab('webhooks', ['api:tokens'], [])).toEqual({ tab: 'tokens', redirect: true })
    expect(resolveTab('webhooks', ['users:manage'], ['api'])).toEqual({ tab: 'users', redirect: true })
    expect(canEditTab('webhooks', ['api:tokens'])).toBe(true)
  })

  it('hides the admin area from an agent', () => {
    expect(visibleTabs(AGENT)).toEqual([])
    expect(canEnterAdmin(AGENT)).toBe(false)
    expect(canEnterAdmin([])).toBe(false)
  })

  it('resolves the tab in the address, or redirects to the first one granted', () => {
    expect(resolveTab('sessions', ALL)).toEqual({ tab: 'sessions', redirect: false })
    expect(resolveTab(null, ALL)).toEqual({ tab: 'users', redirect: true })
    expect(resolveTab('users', ['api:tokens'])).toEqual({ tab: 'tokens', redirect: true })
    expect(resolveTab('nonsense', ['users:manage'])).toEqual({ tab: 'users', redirect: true })
    expect(resolveTab('users', AGENT)).toEqual({ tab: null, redirect: false })
  })
})

describe('permission grid', () => {
  it('reads the widest visibility scope and keeps the rest as checkboxes', () => {
    expect(permsToGrid(AGENT)).toEqual({ visibility: 'team', granted: ['conversations:reply', 'conversations:close', 'crm:view', 'crm:edit'] })
    expect(permsToGrid(ALL).visibility).toBe('all')
    expect(permsToGrid(['conversations:view:assigned', 'conversations:view:team']).visibility).toBe('team')
    expect(permsToGrid(['crm:view'])).toEqual({ visibility: 'none', granted: ['crm:view'] })
  })

  it('choosing "team" stores exactly conversations:view:team', () => {
    const grid = permsToGrid(['conversations:view:all', 'conversations:view:assigned', 'conversations:reply'])
    const perms = gridToPerms({ ...grid, visibility: 'team' }, ALL)
    expect(perms.filter((p) => VIEW_SCOPES.includes(p))).toEqual(['conversations:view:team'])
    expect(perms).toEqual(['conversations:view:team', 'conversations:reply'])
  })

  it('choosing "none" stores none of the three scopes', () => {
    const grid = permsToGrid(ALL)
    const perms = gridToPerms({ ...grid, visibility: 'none' }, ALL)
    expect(perms.some((p) => VIEW_SCOPES.includes(p))).toBe(false)
    expect(perms).toHaveLength(ALL.length - 3)
  })

  it('keeps a scope smuggled into the checkboxes out of the result', () => {
    const perms = gridToPerms({ visibility: 'assigned', granted: ['conversations:view:all', 'crm:view'] }, ALL)
    expect(perms).toEqual(['conversations:view:assigned', 'crm:view'])
  })

  it('round-trips a list in the server order, unknown permissions last', () => {
    const list = ['crm:edit', 'conversations:view:assigned', 'future:thing', 'api:tokens']
    expect(gridToPerms(permsToGrid(list), ALL)).toEqual(['conversations:view:assigned', 'crm:edit', 'api:tokens', 'future:thing'])
  })

  it('toggles checkboxes but never a scope', () => {
    const g = permsToGrid(['conversations:view:team'])
    const on = togglePermission(g, 'users:manage', true)
    expect(on.granted).toEqual(['users:manage'])
    expect(togglePermission(on, 'users:manage', false).granted).toEqual([])
    expect(togglePermission(g, 'conversations:view:all', true)).toBe(g)
  })

  it('groups the checkboxes without the scopes, unknown ones in "other"', () => {
    const groups = permissionGroups([...ALL, 'future:thing'])
    const flat = groups.flatMap((g) => g.perms)
    expect(flat.some((p) => VIEW_SCOPES.includes(p))).toBe(false)
    expect(flat).toHaveLength(ALL.length - 3 + 1)
    expect(groups.find((g) => g.key === 'other')?.perms).toEqual(['future:thing'])
    expect(permissionGroups(['crm:view']).map((g) => g.key)).toEqual(['crm'])
  })

  it('offers a token only the permissions its creator holds', () => {
    expect(grantablePermissions(ALL, AGENT)).toEqual(['conversations:view:team', 'conversations:reply', 'conversations:close', 'crm:view', 'crm:edit'])
  })
})

describe('form errors', () => {
  it("puts the detail next to the problem's field, without the field prefix", () => {
    const err = new ApiError(409, { status: 409, detail: 'email: is already in use', field: 'email' })
    expect(formErrors(err, ['name', 'email'], t)).toEqual({ fields: { email: 'is already in use' }, top: null })
  })

  it('keeps a detail without the prefix as it is', () => {
    const err = new ApiError(422, { detail: 'must mix letters with digits or symbols', field: 'password' })
    expect(formErrors(err, ['password'], t).fields.password).toBe('must mix letters with digits or symbols')
  })

  it('shows at the top a problem naming a field the form does not have', () => {
    const err = new ApiError(422, { detail: 'id: users still have this profile; move them first', field: 'id' })
    expect(formErrors(err, ['name', 'permissions'], t)).toEqual({ fields: {}, top: 'id: users still have this profile; move them first' })
  })

  it('shows at the top a problem without a field, and network failures', () => {
    expect(formErrors(new ApiError(500, { detail: 'internal error' }), ['name'], t)).toEqual({ fields: {}, top: 'internal error' })
    expect(formErrors(new ApiError(0, {}), ['name'], t).top).toBe(t('error.network'))
    expect(formErrors(new ApiError(403, {}), ['name'], t).top).toBe(t('error.forbidden'))
  })
})

const ana: AdminUser = {
  id: 'u1',
  email: 'ana@loja.com.br',
  name: 'Ana',
  profile_id: 'p-agent',
  active: true,
  status: 'online',
  capacity: 5,
  last_login_at: null,
  created_at: '2025-01-01T00:00:00Z',
  team_ids: ['t1'],
}

describe('users', () => {
  it('sends only what changed', () => {
    expect(userPatch(ana, { name: ' Ana ', profile_id: 'p-agent', capacity: '5' })).toEqual({})
    expect(userPatch(ana, { name: 'Ana Souza', profile_id: 'p-mgr', capacity: '8' })).toEqual({
      name: 'Ana Souza',
      profile_id: 'p-mgr',
      capacity: 8,
    })
  })

  it('keeps the team memberships a PATCH answer leaves out', () => {
    const merged = mergeUser([ana], { ...ana, active: false, team_ids: [] })
    expect(merged[0]).toMatchObject({ active: false, team_ids: ['t1'] })
  })

  it('hints at weak passwords like the server rule', () => {
    expect(passwordLooksWeak('abc123')).toBe(true)
    expect(passwordLooksWeak('abcdefghijk')).toBe(true)
    expect(passwordLooksWeak('1234567890')).toBe(true)
    expect(passwordLooksWeak('segredo-forte')).toBe(false)
    expect(passwordLooksWeak('senhaboa99')).toBe(false)
  })
})

describe('teams', () => {
  const team: Team = { id: 't1', name: 'Vendas', member_ids: ['u1', 'u2'] }
  it('sends only what changed; member order does not count', () => {
    expect(teamPatch(team, 'Vendas ', ['u2', 'u1'])).toEqual({})
    expect(teamPatch(team, 'Vendas SP', ['u1'])).toEqual({ name: 'Vendas SP', member_ids: ['u1'] })
    expect(teamPatch(team, 'Vendas', [])).toEqual({ member_ids: [] })
  })
})

describe('sessions', () => {
  it('counts seats', () => {
    expect(seatUsage(2, 3)).toEqual({ used: 2, seats: 3, full: false })
    expect(seatUsage(3, 3).full).toBe(true)
  })

  it('names the device from the user agent', () => {
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36')).toBe(
      'Chrome · Windows',
    )
    expect(describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1')).toBe(
      'Safari · iOS',
    )
    expect(describeUserAgent('curl/8.5.0')).toBe('curl/8.5.0')
    expect(describeUserAgent('')).toBe('')
  })
})

describe('one-time token secret', () => {
  const created: CreatedApiToken = {
    id: 'tok1',
    name: 'ERP',
    prefix: 'cst_abc123',
    permissions: ['crm:view'],
    created_at: '2025-03-01T12:00:00Z',
    last_used_at: null,
    revoked_at: null,
    token: 'cst_abc123SECRETSECRETSECRET',
  }

  it('shows the secret after creating and forgets it on close; the list never holds it', () => {
    const s1 = tokenReducer(INITIAL_TOKENS, { type: 'created', token: created })
    expect(s1.secret).toEqual({ id: 'tok1', name: 'ERP', token: created.token })
    expect(s1.items).toHaveLength(1)
    expect(s1.items[0]).not.toHaveProperty('token')

    const s2 = tokenReducer(s1, { type: 'secretClosed' })
    expect(s2.secret).toBeNull()
    expect(JSON.stringify(s2)).not.toContain('SECRET')
    expect(s2.items[0].prefix).toBe('cst_abc123')
  })

  it('strips a secret even from a loaded list and marks revocations', () => {
    const s1 = tokenReducer(INITIAL_TOKENS, { type: 'loaded', items: [created] })
    expect(JSON.stringify(s1)).not.toContain('SECRET')
    const s2 = tokenReducer(s1, { type: 'revoked', id: 'tok1', at: '2025-03-02T00:00:00Z' })
    expect(s2.items[0].revoked_at).toBe('2025-03-02T00:00:00Z')
    expect(withoutSecret(created)).not.toHaveProperty('token')
  })
})

describe('audit log', () => {
  it('sorts newest first', () => {
    const e = (id: string, at: string): AuditEntry => ({ id, actor_id: '', actor_kind: 'user', action: 'login', target: '', detail: '', ip: '', created_at: at })
    expect(newestFirst([e('a', '2025-03-01T10:00:00Z'), e('b', '2025-03-02T10:00:00Z'), e('c', '2025-03-01T11:00:00Z')]).map((x) => x.id)).toEqual([
      'b',
      'c',
      'a',
    ])
  })
})

describe('quick reply shortcut', () => {
  it('drops one leading slash and the surrounding spaces', () => {
    expect(normalizeShortcut('/boleto')).toBe('boleto')
    expect(normalizeShortcut('  /pix-2 ')).toBe('pix-2')
    expect(normalizeShortcut('saudacao_1')).toBe('saudacao_1')
    expect(normalizeShortcut('//x')).toBe('/x')
  })

  it('accepts 1–40 lower-case letters, digits, - and _ only', () => {
    expect(isValidShortcut('a')).toBe(true)
    expect(isValidShortcut('pix-2_ok')).toBe(true)
    expect(isValidShortcut('x'.repeat(40))).toBe(true)
    expect(isValidShortcut('x'.repeat(41))).toBe(false)
    expect(isValidShortcut('')).toBe(false)
    expect(isValidShortcut('Boleto')).toBe(false)
    expect(isValidShortcut('bom dia')).toBe(false)
    expect(isValidShortcut('ação')).toBe(false)
    expect(isValidShortcut('/x')).toBe(false)
  })

  it('checks the form before sending', () => {
    expect(quickReplyErrors('/boleto', 'Segue o boleto', t)).toEqual({ fields: {}, top: null })
    expect(quickReplyErrors('/', 'ok', t).fields).toEqual({ shortcut: 'Use de 1 a 40 letras minúsculas, números, - ou _.' })
    expect(quickReplyErrors('ok', '   ', t).fields).toEqual({ text: 'Escreva o texto da resposta.' })
    expect(quickReplyErrors('ok', 'x'.repeat(4096), t).fields).toEqual({})
    expect(quickReplyErrors('ok', 'x'.repeat(4097), t).fields.text).toContain('4096')
  })
})
