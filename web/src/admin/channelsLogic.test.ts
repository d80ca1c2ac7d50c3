import { describe, expect, it } from 'vitest'
import type { ChannelCapabilities, ChannelDetail, ChannelKindInfo, ChannelListItem, ChannelSettingField } from '../api/types'
import { translate } from '../i18n'
import type { Translate } from '../i18n'
import {
  activationRunning,
  applyChannelUpdate,
  apiForm,
  apiFormProblems,
  apiSettingsBody,
  channelFieldKeys,
  connectLabel,
  connectsByOAuth,
  createDialogFields,
  createFields,
  defaultKind,
  displayPhone,
  editorFor,
  fieldHelp,
  fieldLabel,
  genericForm,
  genericFormProblems,
  genericSettingsBody,
  isCreatable,
  kindChoice,
  kindLabel,
  kindOptions,
  listItem,
  newChannelBody,
  oauthProvider,
  problemSetting,
  redirectHelp,
  oauthRedirectUri,
  oauthReturn,
  optionLabel,
  pairedNumber,
  pairsAgain,
  promptInstructions,
  providerInfo,
  retryLabel,
  statusLabel,
  statusTone,
  stepDetail,
  stepLabel,
  stepPrompt,
  typedSecret,
  formToHours,
  hasStoredSecret,
  hoursProblems,
  hoursToForm,
  normalizeColor,
  oneTimeToken,
  originsToList,
  SECRET_PLACEHOLDER,
  textColorOn,
  webchatForm,
  webchatSettings,
  withoutOAuthReturn,
  withoutToken,
  awaitingFirstCapture,
  extensionUrl,
  linkedInForm,
  linkedInSettingsBody,
} from './channelsLogic'

describe('business hours form ⇄ JSON', () => {
  it('reads stored hours: listed days open, missing days closed', () => {
    const f = hoursToForm({ timezone: 'America/Manaus', days: { mon: ['08:00', '17:30'], sat: ['09:00', '12:00'] } })
    expect(f.enabled).toBe(true)
    expect(f.timezone).toBe('America/Manaus')
    expect(f.days.mon).toEqual({ open: true, from: '08:00', to: '17:30' })
    expect(f.days.sat).toEqual({ open: true, from: '09:00', to: '12:00' })
    expect(f.days.tue.open).toBe(false)
    expect(f.days.sun.open).toBe(false)
  })

  it('omits closed days when saving', () => {
    const f = hoursToForm({ timezone: 'America/Sao_Paulo', days: { mon: ['09:00', '18:00'] } })
    f.days.wed = { open: true, from: '10:00', to: '16:00' }
    expect(formToHours(f)).toEqual({ timezone: 'America/Sao_Paulo', days: { mon: ['09:00', '18:00'], wed: ['10:00', '16:00'] } })
    const json = JSON.stringify(formToHours(f))
    expect(json).not.toContain('tue')
    expect(json).not.toContain('sun')
  })

  it('stores null when disabled, and starts a disabled form on weekdays 09–18 in São Paulo', () => {
    const f = hoursToForm(null)
    expect(f.enabled).toBe(false)
    expect(f.timezone).toBe('America/Sao_Paulo')
    expect(formToHours(f)).toBeNull()
    expect(formToHours({ ...f, enabled: true })).toEqual({
      timezone: 'America/Sao_Paulo',
      days: { mon: ['09:00', '18:00'], tue: ['09:00', '18:00'], wed: ['09:00', '18:00'], thu: ['09:00', '18:00'], fri: ['09:00', '18:00'] },
    })
  })

  it('round-trips', () => {
    const bh = { timezone: 'Europe/Lisbon', days: { tue: ['07:00', '11:00'] as [string, string], sun: ['13:00', '20:00'] as [string, string] } }
    expect(formToHours(hoursToForm(bh))).toEqual(bh)
  })

  it('flags bad times and days that close before they open, only when enabled', () => {
    const f = hoursToForm({ timezone: 'UTC', days: { mon: ['18:00', '09:00'], tue: ['9:00', '18:00'], wed: ['09:00', '18:00'] } })
    expect(hoursProblems(f)).toEqual({ mon: 'admin.channels.hoursOrder', tue: 'admin.channels.hoursBadTime' })
    expect(hoursProblems({ ...f, enabled: false })).toEqual({})
  })
})

describe('webchat settings form', () => {
  it('reads the server settings and writes them back, origins one per line', () => {
    const settings = {
      title: 'Fale conosco',
      color: '#2A5BD7',
      welcome_message: 'Olá!',
      offline_message: 'Fechado',
      allowed_origins: ['https://loja.com.br', 'loja2.com.br'],
      prechat: { name: 'required', email: 'hidden', phone: 'optional' },
      business_hours: null,
    }
    const f = webchatForm(settings)
    expect(f.origins).toBe('https://loja.com.br\nloja2.com.br')
    expect(f.color).toBe('#2a5bd7')
    expect(webchatSettings({ ...f, origins: ' https://loja.com.br/ \n\n loja3.com.br\nloja3.com.br' })).toEqual({
      ...settings,
      color: '#2a5bd7',
      allowed_origins: ['https://loja.com.br', 'loja3.com.br'],
    })
  })

  it('sends an empty origins list for "any site"', () => {
    expect(originsToList('  \n ')).toEqual([])
    expect(webchatSettings(webchatForm({})).allowed_origins).toEqual([])
  })

  it('falls back for unknown pre-chat modes and colours the colour input cannot show', () => {
    const f = webchatForm({ prechat: { name: 'maybe' }, color: 'blue' })
    expect(f.prechat).toEqual({ name: 'required', email: 'optional', phone: 'optional' })
    expect(f.color).toBe('#2a5bd7')
    expect(normalizeColor('#AbC')).toBe('#aabbcc')
  })

  it('picks readable text on the header colour', () => {
    expect(textColorOn('#2a5bd7')).toBe('#ffffff')
    expect(textColorOn('#ffe066')).toBe('#1c2333')
  })
})

describe('API channel secret', () => {
  const stored = { outbound_url: 'https://erp.example.com/hook', outbound_secret: SECRET_PLACEHOLDER }

  it('keeps the stored secret when the placeholder is left alone', () => {
    const f = apiForm(stored)
    expect(hasStoredSecret(stored)).toBe(true)
    expect(apiSettingsBody(f)).toEqual({ outbound_url: 'https://erp.example.com/hook', outbound_secret: SECRET_PLACEHOLDER })
    expect(apiSettingsBody({ ...f, outbound_url: ' https://erp.example.com/new ' })).toEqual({
      outbound_url: 'https://erp.example.com/new',
      outbound_secret: SECRET_PLACEHOLDER,
    })
  })

  it('sends a new secret only when one was typed', () => {
    const f = apiForm(stored)
    expect(apiSettingsBody({ ...f, outbound_secret: 'a-brand-new-secret-123' }).outbound_secret).toBe('a-brand-new-secret-123')
    // an emptied box sends no secret: the stored one stays
    expect(apiSettingsBody({ ...f, outbound_secret: '' })).toEqual({ outbound_url: 'https://erp.example.com/hook' })
  })

  it('asks for 16 characters in a new secret, not in the placeholder', () => {
    expect(apiFormProblems({ outbound_url: '', outbound_secret: SECRET_PLACEHOLDER })).toEqual({})
    expect(apiFormProblems({ outbound_url: '', outbound_secret: 'short' })).toEqual({ 'settings.outbound_secret': 'admin.channels.secretShort' })
    expect(apiFormProblems({ outbound_url: '', outbound_secret: '0123456789abcdef' })).toEqual({})
  })
})

describe('one-time inbound token', () => {
  const created: ChannelDetail = { id: 'ch1', kind: 'api', name: 'ERP', active: true, status: 'connected', settings: {}, inbound_url: 'http://x/hooks/api/ch1', inbound_token: 'cht_secret' }

  it('is taken from the answer once and never kept with the channel', () => {
    expect(oneTimeToken(created)).toEqual({ id: 'ch1', name: 'ERP', token: 'cht_secret' })
    expect(withoutToken(created)).not.toHaveProperty('inbound_token')
    expect(oneTimeToken(withoutToken(created))).toBeNull()
  })
})

const caps: ChannelCapabilities = {
  window_seconds: 0,
  human_agent_window_seconds: 0,
  media: [],
  templates: false,
  receipts: false,
  threads: false,
  edits: false,
  reactions: false,
  comments: false,
  sends_per_second: 0,
}

function kind(k: string, over: Partial<ChannelKindInfo> = {}): ChannelKindInfo {
  return { kind: k, label: k.toUpperCase(), available: true, in_plan: true, activation: false, oauth: false, capabilities: caps, settings: [], ...over }
}

const BOT_TOKEN: ChannelSettingField = { name: 'bot_token', label: 'Bot token', type: 'secret', required: true, help: 'Create a bot with @BotFather.' }
const telegram = kind('telegram', { activation: true, settings: [BOT_TOKEN, { name: 'greeting', label: 'Greeting', type: 'text', required: false }] })
const t: Translate = (key, params) => translate('pt-BR', key, params)

describe('channel kinds', () => {
  const kinds = [
    kind('whatsapp_official', { available: false }),
    kind('webchat', { component: 'webchat' }),
    kind('instagram', { in_plan: false }),
    kind('api', { component: 'api' }),
    kind('olx', { available: false, in_plan: false }),
    telegram,
  ]

  it('creates only kinds that are built and in the plan', () => {
    expect(kinds.map((k) => [k.kind, kindChoice(k)])).toEqual([
      ['whatsapp_official', 'soon'],
      ['webchat', 'ok'],
      ['instagram', 'plan'],
      ['api', 'ok'],
      ['olx', 'soon'],
      ['telegram', 'ok'],
    ])
    expect(kinds.filter(isCreatable).map((k) => k.kind)).toEqual(['webchat', 'api', 'telegram'])
  })

  it('lists creatable kinds first, then those outside the plan, then coming soon, keeping the server order', () => {
    expect(kindOptions(kinds).map((o) => `${o.info.kind}:${o.choice}`)).toEqual([
      'webchat:ok',
      'api:ok',
      'telegram:ok',
      'instagram:plan',
      'whatsapp_official:soon',
      'olx:soon',
    ])
    expect(defaultKind(kinds)).toBe('webchat')
    expect(defaultKind([kind('x', { available: false })])).toBe('')
  })

  it('picks the bespoke editor the server names, the schema form otherwise, none for unknown or unbuilt kinds', () => {
    expect(editorFor(kind('webchat', { component: 'webchat' }))).toBe('webchat')
    expect(editorFor(kind('api', { component: 'api' }))).toBe('api')
    expect(editorFor(telegram)).toBe('generic')
    expect(editorFor(kind('olx', { available: false }))).toBe('none')
    expect(editorFor(undefined)).toBe('none')
  })

  it('asks a generic kind for its required settings on creation, a bespoke kind for none', () => {
    expect(createFields(telegram)).toEqual([BOT_TOKEN])
    expect(createFields(kind('api', { component: 'api', settings: [{ name: 'outbound_url', label: 'URL', type: 'url', required: true }] }))).toEqual([])
    expect(createFields(undefined)).toEqual([])
  })

  it('asks for every setting on request, and for those a refusal named, in the schema order', () => {
    const fields: ChannelSettingField[] = [
      { name: 'address', label: 'Address', type: 'text', required: true },
      { name: 'password', label: 'Password', type: 'secret', required: false },
      { name: 'imap_port', label: 'IMAP port', type: 'number', required: false },
      { name: 'imap_tls', label: 'IMAP security', type: 'select', required: false, options: ['tls', 'starttls', 'none'] },
    ]
    const email = kind('email', { settings: fields })
    expect(createDialogFields(email).map((f) => f.name)).toEqual(['address'])
    expect(createDialogFields(email, { named: ['imap_port', 'password'] }).map((f) => f.name)).toEqual(['address', 'password', 'imap_port'])
    expect(createDialogFields(email, { all: true }).map((f) => f.name)).toEqual(['address', 'password', 'imap_port', 'imap_tls'])
    expect(createDialogFields(kind('webchat', { component: 'webchat', settings: fields }), { all: true })).toEqual([])
    expect(problemSetting(email, 'settings.password')).toBe('password')
    expect(problemSetting(email, 'settings.nope')).toBeNull()
    expect(problemSetting(email, 'name')).toBeNull()
    // the body holds the dialog's fields: a port as a number, a select's choice, an empty select left out
    const shown = createDialogFields(email, { all: true })
    const form = { ...genericForm(shown), address: 'sac@loja.com.br', password: 's3nha', imap_port: '1143' }
    expect(newChannelBody(email, 'SAC', form, shown)).toEqual({
      kind: 'email',
      name: 'SAC',
      settings: { address: 'sac@loja.com.br', password: 's3nha', imap_port: 1143 },
    })
    expect(newChannelBody(email, 'SAC', { ...form, imap_tls: 'none' }, shown).settings).toEqual({ address: 'sac@loja.com.br', password: 's3nha', imap_port: 1143, imap_tls: 'none' })
  })

  it('builds the creation body: a Telegram bot token, nothing for webchat', () => {
    const form = { ...genericForm(createFields(telegram)), bot_token: ' 123:abc ' }
    expect(newChannelBody(telegram, ' Suporte ', form)).toEqual({ kind: 'telegram', name: 'Suporte', settings: { bot_token: '123:abc' } })
    expect(newChannelBody(kind('webchat', { component: 'webchat' }), 'Site', {})).toEqual({ kind: 'webchat', name: 'Site', settings: {} })
  })

  it('lets a 422 point at any setting of the kind', () => {
    expect(channelFieldKeys(telegram.settings)).toEqual([
      'kind',
      'name',
      'settings',
      'settings.outbound_url',
      'settings.outbound_secret',
      'settings.bot_token',
      'settings.greeting',
    ])
  })

  it('names fields from the dictionary, falling back to the server English', () => {
    expect(fieldLabel('telegram', BOT_TOKEN, t)).toBe('Token do bot')
    expect(fieldHelp('telegram', BOT_TOKEN, t)).toContain('@BotFather')
    const other: ChannelSettingField = { name: 'account_sid', label: 'Account SID', type: 'text', required: true }
    expect(fieldLabel('sms', other, t)).toBe('Account SID')
    expect(fieldHelp('sms', other, t)).toBe('')
    expect(stepLabel('register_webhook', t)).toBe('Registrar o webhook')
    expect(stepLabel('upload_keys', t)).toBe('upload_keys')
    expect(statusLabel('needs_reauth', t)).toBe('Reconectar')
    expect(statusLabel('weird', t)).toBe('weird')
  })

  it("translates every setting of WhatsApp Official (the server's schema) and its activation steps", () => {
    // name → the server's English label (internal/channels/whatsappcloud Kind())
    const fields: Record<string, string> = {
      phone_number_id: 'Phone number ID',
      waba_id: 'WhatsApp Business Account ID',
      access_token: 'Access token',
      app_secret: 'App secret',
      verify_token: 'Verify token',
    }
    const en: Translate = (key, params) => translate('en', key, params)
    for (const [name, label] of Object.entries(fields)) {
      const f: ChannelSettingField = { name, label, type: 'text', required: true }
      expect(fieldLabel('whatsapp_official', f, t), name).not.toBe(label)
      expect(fieldHelp('whatsapp_official', f, t), name).not.toBe('')
      expect(fieldLabel('whatsapp_official', f, en), name).toBe(label)
      expect(fieldHelp('whatsapp_official', f, en), name).not.toBe('')
    }
    expect(fieldLabel('whatsapp_official', { name: 'app_secret', label: 'App secret', type: 'secret', required: true }, t)).toBe('Chave secreta do app')
    expect(stepLabel('verify_number', t)).toBe('Verificar o número e o token')
    expect(stepLabel('subscribe_waba', t)).toBe('Assinar os webhooks da conta do WhatsApp Business')
  })

  it('translates Mercado Livre: its settings, its steps (verify_account in its own words, not Instagram\'s) and its connect button', () => {
    const en: Translate = (key, params) => translate('en', key, params)
    const appId: ChannelSettingField = { name: 'app_id', label: 'App ID (client id)', type: 'text', required: true }
    const secret: ChannelSettingField = { name: 'app_secret', label: 'Secret key (client secret)', type: 'secret', required: true }
    expect(kindLabel('mercadolivre', t)).toBe('Mercado Livre')
    expect(fieldLabel('mercadolivre', appId, t)).toBe('ID do app (client id)')
    expect(fieldHelp('mercadolivre', appId, t)).toContain('/hooks/mercadolivre/<canal>')
    expect(fieldHelp('mercadolivre', appId, en)).toContain('/oauth/callback')
    expect(fieldLabel('mercadolivre', secret, t)).toBe('Chave secreta (client secret)')
    expect(stepLabel('verify_account', t, 'mercadolivre')).toBe('Conta do Mercado Livre')
    expect(stepLabel('verify_account', en, 'mercadolivre')).toBe('Mercado Livre account')
    expect(stepLabel('verify_account', t, 'instagram')).toBe('Verificar a conta do Instagram')
    expect(stepLabel('verify_account', t)).toBe('Verificar a conta do Instagram')
    expect(stepLabel('watch_questions', t, 'mercadolivre')).toBe('Perguntas dos anúncios')
    expect(connectLabel('mercadolivre', 'connected', t)).toBe('Conectar com Mercado Livre')
    expect(connectLabel('mercadolivre', 'connected', en)).toBe('Connect with Mercado Livre')
    expect(connectLabel('mercadolivre', 'needs_reauth', t)).toBe('Reconectar com Mercado Livre')
    expect(redirectHelp('mercadolivre', 'Mercado Livre', t)).toContain('Mercado Livre Developers')
  })
})

describe('generic settings form', () => {
  const fields: ChannelSettingField[] = [
    { name: 'account', label: 'Account', type: 'text', required: true },
    { name: 'token', label: 'Token', type: 'secret', required: true },
    { name: 'callback', label: 'Callback', type: 'url', required: false },
    { name: 'region', label: 'Region', type: 'select', required: true, options: ['us1', 'ie1'] },
    { name: 'tier', label: 'Tier', type: 'select', required: false, options: ['a', 'b'] },
    { name: 'limit', label: 'Limit', type: 'number', required: false },
    { name: 'sandbox', label: 'Sandbox', type: 'bool', required: false },
  ]

  it('reads stored settings, a stored secret as its placeholder', () => {
    const stored = { account: 'AC1', token: SECRET_PLACEHOLDER, callback: 'https://x/cb', region: 'ie1', limit: 5, sandbox: true, bot_username: 'x_bot' }
    expect(genericForm(fields, stored)).toEqual({ account: 'AC1', token: SECRET_PLACEHOLDER, callback: 'https://x/cb', region: 'ie1', tier: '', limit: '5', sandbox: true })
  })

  it('starts a new form empty, a required select on its first option', () => {
    expect(genericForm(fields)).toEqual({ account: '', token: '', callback: '', region: 'us1', tier: '', limit: '', sandbox: false })
  })

  it('never sends the stored secret back, nor read-only keys; sends a typed one', () => {
    const stored = { account: 'AC1', token: SECRET_PLACEHOLDER, region: 'ie1', bot_username: 'x_bot', mode: 'polling' }
    const f = genericForm(fields, stored)
    expect(genericSettingsBody(fields, f)).toEqual({ account: 'AC1', callback: '', region: 'ie1', sandbox: false })
    expect(genericSettingsBody(fields, { ...f, token: '' })).not.toHaveProperty('token')
    expect(genericSettingsBody(fields, { ...f, token: ' new-secret ' }).token).toBe('new-secret')
    expect(typedSecret(SECRET_PLACEHOLDER)).toBe(false)
    expect(typedSecret('  ')).toBe(false)
    expect(typedSecret('x')).toBe(true)
  })

  it('sends numbers as numbers, trims text, leaves out an empty number or select', () => {
    const f = { ...genericForm(fields), account: ' AC2 ', limit: '12', tier: 'b', sandbox: true }
    expect(genericSettingsBody(fields, f)).toEqual({ account: 'AC2', callback: '', region: 'us1', tier: 'b', limit: 12, sandbox: true })
  })

  it('flags empty required fields (a stored secret counts), bad numbers and non-http URLs', () => {
    expect(genericFormProblems(fields, genericForm(fields))).toEqual({
      'settings.account': 'admin.channels.fieldRequired',
      'settings.token': 'admin.channels.fieldRequired',
    })
    const stored = { account: 'AC1', token: SECRET_PLACEHOLDER, region: 'us1' }
    const f = genericForm(fields, stored)
    expect(genericFormProblems(fields, f, stored)).toEqual({})
    // an emptied secret box keeps the stored secret: still fine
    expect(genericFormProblems(fields, { ...f, token: '' }, stored)).toEqual({})
    expect(genericFormProblems(fields, { ...f, limit: 'many', callback: 'ftp://x' }, stored)).toEqual({
      'settings.limit': 'admin.channels.fieldNumber',
      'settings.callback': 'admin.channels.fieldUrl',
    })
  })

  it('reads what the server fills in: the bot and how it receives', () => {
    expect(providerInfo({ bot_token: SECRET_PLACEHOLDER, bot_username: '@loja_bot', mode: 'webhook' })).toEqual({ username: 'loja_bot', mode: 'webhook', account: null })
    expect(providerInfo({ bot_username: 'loja_bot', mode: 'polling' })).toEqual({ username: 'loja_bot', mode: 'polling', account: null })
    expect(providerInfo({ bot_username: '', mode: 'carrier-pigeon' })).toEqual({ username: null, mode: null, account: null })
    expect(providerInfo(undefined)).toEqual({ username: null, mode: null, account: null })
  })

  it('reads the Mercado Livre seller the activation stored (nickname and user id)', () => {
    expect(providerInfo({ app_id: '4459087200151032', app_secret: SECRET_PLACEHOLDER, nickname: 'LOJA_DA_ANA', user_id: '700100' }).account).toEqual({
      name: 'LOJA_DA_ANA',
      id: '700100',
    })
    expect(providerInfo({ nickname: 'LOJA_DA_ANA' }).account).toEqual({ name: 'LOJA_DA_ANA', id: null })
    expect(providerInfo({ app_id: '4459087200151032', user_id: '700100' }).account).toBeNull()
  })
})

describe('status and activation', () => {
  it('colours connected green, reauth and bans red, the rest grey', () => {
    expect(statusTone('connected')).toBe('ok')
    expect(statusTone('needs_reauth')).toBe('bad')
    expect(statusTone('banned')).toBe('bad')
    expect(statusTone('pending')).toBe('off')
    expect(statusTone('disconnected')).toBe('off')
    expect(statusTone('inactive')).toBe('off')
    expect(statusTone(undefined)).toBe('off')
  })

  it('keeps asking only while the activation runs', () => {
    expect(activationRunning({ activation: { state: 'running', steps: [] } })).toBe(true)
    expect(activationRunning({ activation: { state: 'done', steps: [] } })).toBe(false)
    expect(activationRunning({ activation: { state: 'failed', error: 'x', steps: [] } })).toBe(false)
    expect(activationRunning({})).toBe(false)
    expect(activationRunning(null)).toBe(false)
  })

  it('keeps asking after a run was asked for again, until it reports (pending, the former outcome still stored)', () => {
    const failed = { state: 'failed' as const, error: 'nobody scanned the QR code in time', steps: [] }
    expect(activationRunning({ status: 'pending', active: true, activation: failed })).toBe(true)
    expect(activationRunning({ status: 'disconnected', active: true, activation: failed })).toBe(false)
    expect(activationRunning({ status: 'pending', active: false, activation: failed })).toBe(false)
    // a kind without an activation is never asked after
    expect(activationRunning({ status: 'pending', active: true })).toBe(false)
  })

  it('keeps a list row without settings or secrets', () => {
    const ch: ChannelDetail = {
      id: 'ch-tg',
      kind: 'telegram',
      name: 'TG',
      active: true,
      status: 'pending',
      status_reason: '',
      status_at: '2025-05-01T12:00:00Z',
      activation: { state: 'running', steps: [{ name: 'verify_token', state: 'running' }] },
      settings: { bot_token: SECRET_PLACEHOLDER },
      webhook_url: 'https://x/hooks/telegram/ch-tg',
    }
    expect(listItem(ch)).toEqual({
      id: 'ch-tg',
      kind: 'telegram',
      name: 'TG',
      active: true,
      status: 'pending',
      status_reason: '',
      status_at: '2025-05-01T12:00:00Z',
      activation: ch.activation,
    })
  })

  it('applies a channel.updated event: the health with its reason, or the activation progress', () => {
    const ch: ChannelListItem = {
      id: 'ch-wa',
      kind: 'whatsapp_official',
      name: 'WA',
      active: true,
      status: 'connected',
      status_reason: '',
      status_at: '2025-05-01T12:00:00Z',
      activation: { state: 'done', steps: [{ name: 'verify_number', state: 'done' }] },
    }
    const reauth = applyChannelUpdate(ch, { id: 'ch-wa', status: 'needs_reauth', status_reason: 'Error validating access token' })
    expect(reauth).toMatchObject({ status: 'needs_reauth', status_reason: 'Error validating access token', activation: ch.activation })
    expect(reauth.status_at).toBeUndefined() // the old time would be wrong
    expect(applyChannelUpdate(reauth, { id: 'ch-wa', status: 'connected' })).toMatchObject({ status: 'connected', status_reason: '' })
    // the server's time of the change, when the event carries it
    expect(applyChannelUpdate(ch, { id: 'ch-wa', status: 'banned', status_reason: 'ban', status_at: '2025-05-02T08:00:00Z' }).status_at).toBe('2025-05-02T08:00:00Z')

    const running = { state: 'running' as const, steps: [{ name: 'verify_number', state: 'running' as const }, { name: 'subscribe_waba', state: 'pending' as const }] }
    const next = applyChannelUpdate(ch, { id: 'ch-wa', activation: running })
    expect(next).toMatchObject({ status: 'connected', status_at: '2025-05-01T12:00:00Z', activation: running })
    expect(ch.activation?.state).toBe('done') // not mutated

    expect(applyChannelUpdate(ch, { id: 'other', status: 'banned' })).toBe(ch)
  })
})

describe('connecting by OAuth', () => {
  it('is for the kinds the server marks oauth', () => {
    expect(connectsByOAuth(kind('instagram', { oauth: true }))).toBe(true)
    expect(connectsByOAuth(kind('telegram'))).toBe(false)
    expect(connectsByOAuth(undefined)).toBe(false)
  })

  it('names the provider on the button, "Reconectar" once it asked for a new login', () => {
    expect(connectLabel('instagram', 'pending', t)).toBe('Conectar com Instagram')
    expect(connectLabel('messenger', 'connected', t)).toBe('Conectar com Facebook')
    expect(connectLabel('instagram', 'needs_reauth', t)).toBe('Reconectar com Instagram')
    expect(connectLabel('messenger', 'needs_reauth', t)).toBe('Reconectar com Facebook')
    // a kind without its own provider name: the kind's label
    expect(oauthProvider('tiktok', t, 'TikTok')).toBe('TikTok')
    expect(connectLabel('tiktok', 'pending', (k, p) => translate('en', k, p), 'TikTok')).toBe('Connect with TikTok')
  })

  const AUTH: ChannelSettingField = { name: 'auth', label: 'Sign-in', type: 'select', required: false, options: ['password', 'google', 'microsoft'] }
  const email = kind('email', { oauth: true, activation: true, settings: [{ name: 'address', label: 'Address', type: 'text', required: true }, AUTH] })

  it("connects a kind with a choice of sign-in only when its saved settings chose a provider", () => {
    expect(connectsByOAuth(email, { address: 'sac@loja.com.br', auth: 'google' })).toBe(true)
    expect(connectsByOAuth(email, { auth: 'microsoft' })).toBe(true)
    expect(connectsByOAuth(email, { auth: 'password' })).toBe(false)
    // nothing saved: the password, the default
    expect(connectsByOAuth(email, {})).toBe(false)
    expect(connectsByOAuth(email, undefined)).toBe(false)
    // kinds without the choice connect whatever their settings hold; a password sign-in never does
    expect(connectsByOAuth(kind('instagram', { oauth: true }), { app_id: '1' })).toBe(true)
    expect(connectsByOAuth(kind('instagram', { oauth: true }), { auth: 'password' })).toBe(false)
    expect(connectsByOAuth(kind('telegram'), { auth: 'google' })).toBe(false)
  })

  it("names a mailbox's provider after its sign-in, with its own place to register the callback", () => {
    expect(connectLabel('email', 'pending', t, 'E-mail', { auth: 'google' })).toBe('Conectar com Google')
    expect(connectLabel('email', 'needs_reauth', t, 'E-mail', { auth: 'microsoft' })).toBe('Reconectar com Microsoft')
    expect(oauthProvider('email', t, 'E-mail', {})).toBe('E-mail')
    expect(oauthProvider('instagram', t, 'Instagram', { auth: 'google' })).toBe('Instagram')
    expect(redirectHelp('email', 'Google', t)).toContain('app OAuth do Google (Google Cloud ou Microsoft Entra)')
    expect(redirectHelp('instagram', 'Instagram', t)).toBe('Cadastre este endereço no app da Meta, nas configurações de login do Instagram (URIs de redirecionamento do OAuth válidas).')
  })

  it('registers the callback on this site', () => {
    expect(oauthRedirectUri('https://chat.loja.com.br')).toBe('https://chat.loja.com.br/oauth/callback')
    expect(oauthRedirectUri('http://localhost:5173/')).toBe('http://localhost:5173/oauth/callback')
  })

  it("reads the callback's outcome from the address", () => {
    expect(oauthReturn('?channel=ch-ig&oauth=connected')).toEqual({ channel: 'ch-ig', connected: true })
    expect(oauthReturn('?channel=ch-ig&oauth_error=the+provider+sent+no+code')).toEqual({ channel: 'ch-ig', connected: false, error: 'the provider sent no code' })
    expect(oauthReturn('?channel=ch-ig&oauth_error=')).toEqual({ channel: 'ch-ig', connected: false, error: '' })
    expect(oauthReturn('')).toBeNull()
    expect(oauthReturn('?oauth=connected')).toBeNull()
    expect(oauthReturn('?channel=ch-ig')).toBeNull()
  })

  it("drops only the callback's parameters", () => {
    expect(withoutOAuthReturn('?channel=ch-ig&oauth=connected')).toBe('')
    expect(withoutOAuthReturn('?a=1&channel=ch-ig&oauth_error=x&b=2')).toBe('?a=1&b=2')
    expect(withoutOAuthReturn('')).toBe('')
  })
})

describe('pairing (WhatsApp QR code)', () => {
  const pt: Translate = (k, p) => translate('pt-BR', k, p)
  const en: Translate = (k, p) => translate('en', k, p)

  it('names the kind apart from WhatsApp Official on the channel screens only', () => {
    expect(kindLabel('whatsapp', pt)).toBe('WhatsApp (QR Code)')
    expect(kindLabel('whatsapp', en)).toBe('WhatsApp (QR code)')
    expect(kindLabel('whatsapp_official', pt)).toBe('WhatsApp Oficial')
    expect(kindLabel('pigeon', pt, 'Carrier pigeon')).toBe('Carrier pigeon')
    expect(kindLabel('pigeon', pt)).toBe('pigeon')
  })

  it("translates a select's choices, the value itself when there is no translation", () => {
    const f: ChannelSettingField = { name: 'pair_with', label: 'Pair with', type: 'select', required: false, options: ['qr', 'phone'] }
    expect(optionLabel('whatsapp', f, 'qr', pt)).toBe('QR Code')
    expect(optionLabel('whatsapp', f, 'phone', en)).toBe('Code typed on the phone')
    expect(optionLabel('whatsapp', f, 'nfc', pt)).toBe('nfc')
    expect(optionLabel('sms', { ...f, name: 'region' }, 'us1', pt)).toBe('us1')
  })

  it('shows a prompt only while its step runs, of a type it can draw, with a value', () => {
    const qr = { type: 'qr', value: '2@abc,def' }
    expect(stepPrompt({ name: 'pair', state: 'running', prompt: qr })).toEqual(qr)
    expect(stepPrompt({ name: 'pair', state: 'running', prompt: { type: 'code', value: 'ABCD-EFGH' } })).toEqual({ type: 'code', value: 'ABCD-EFGH' })
    expect(stepPrompt({ name: 'pair', state: 'done', prompt: qr })).toBeNull()
    expect(stepPrompt({ name: 'pair', state: 'failed', prompt: qr })).toBeNull()
    expect(stepPrompt({ name: 'pair', state: 'running', prompt: { type: 'qr', value: '' } })).toBeNull()
    expect(stepPrompt({ name: 'pair', state: 'running', prompt: { type: 'hologram', value: 'x' } })).toBeNull()
    expect(stepPrompt({ name: 'pair', state: 'running' })).toBeNull()
  })

  it("gives WhatsApp's own instructions, a generic line to other kinds", () => {
    const wa = promptInstructions('whatsapp', 'code', pt)
    expect(wa.own).toBe(true)
    expect(wa.lines).toHaveLength(4)
    expect(wa.lines[2]).toBe('Toque em Conectar dispositivo e depois em Conectar com número de telefone.')
    expect(promptInstructions('signal', 'qr', en)).toEqual({ lines: ['Scan this code with the phone.'], own: false })
  })

  it('writes numbers for people, Brazilian ones with the area code apart', () => {
    expect(displayPhone('+5511987654321')).toBe('+55 11 98765-4321')
    expect(displayPhone('551140000000')).toBe('+55 11 4000-0000')
    expect(displayPhone('+1 415 555 2671')).toBe('+14155552671')
    expect(displayPhone('')).toBe('')
  })

  it('finds the connected number in the done step, else in the stored settings', () => {
    expect(pairedNumber('+5511987654321', {})).toBe('+55 11 98765-4321')
    expect(pairedNumber('paired as 5511987654321:12@s.whatsapp.net', {})).toBe('+55 11 98765-4321')
    expect(pairedNumber('connected as +55 21 99876-5432 (Loja)', {})).toBe('+55 21 99876-5432')
    // a date or a short id is not a number
    expect(pairedNumber('paired on 2025-05-01 12:00', { number: '+5511987654321' })).toBe('+55 11 98765-4321')
    expect(pairedNumber('paired', null)).toBeNull()
    expect(pairedNumber(undefined, { number: '' })).toBeNull()
  })

  it("words a done pairing step as the connected number, every other step as the server's detail", () => {
    expect(stepDetail('whatsapp', { name: 'pair', state: 'done', detail: '+5511987654321' }, {}, pt)).toBe('Conectado como +55 11 98765-4321')
    expect(stepDetail('whatsapp', { name: 'pair', state: 'done' }, { number: '+5511987654321' }, en)).toBe('Connected as +55 11 98765-4321')
    expect(stepDetail('whatsapp', { name: 'pair', state: 'done', detail: 'paired' }, {}, pt)).toBe('paired')
    expect(stepDetail('whatsapp', { name: 'pair', state: 'failed', detail: 'QR code expired' }, { number: '+5511987654321' }, pt)).toBe('QR code expired')
    expect(stepDetail('whatsapp_official', { name: 'verify_number', state: 'done', detail: '+55 11 4000-0000 Loja Exemplo' }, {}, pt)).toBe('+55 11 4000-0000 Loja Exemplo')
  })

  it('pairs again only the kinds whose lost session comes back that way', () => {
    expect(pairsAgain('whatsapp')).toBe(true)
    expect(pairsAgain('whatsapp_official')).toBe(false)
    expect(pairsAgain('telegram')).toBe(false)
    expect(retryLabel('whatsapp', pt)).toBe('Parear novamente')
    expect(retryLabel('whatsapp', en)).toBe('Pair again')
    expect(retryLabel('telegram', pt)).toBe('Tentar novamente')
  })
})

describe('LinkedIn (guided activation)', () => {
  const li = (over: Partial<ChannelKindInfo> = {}): ChannelKindInfo => ({
    kind: 'linkedin',
    label: 'LinkedIn',
    available: true,
    in_plan: true,
    component: 'linkedin',
    activation: false,
    oauth: false,
    capabilities: { window_seconds: 0, human_agent_window_seconds: 0, media: [], templates: false, receipts: false, threads: true, edits: false, reactions: false, comments: false, external_replies: true, sends_per_second: 0 },
    settings: [
      { name: 'pipeline_id', label: 'CRM pipeline', type: 'text', required: false },
      { name: 'stage_id', label: 'CRM stage', type: 'text', required: false },
    ],
    ...over,
  })

  it('has its own editor, and the create dialog asks only for a name', () => {
    expect(editorFor(li())).toBe('linkedin')
    expect(createDialogFields(li(), { all: true })).toEqual([])
  })

  it('reads and sends only the CRM place of the cards: a stage without a pipeline is not sent', () => {
    const form = linkedInForm({ pipeline_id: 'p1', stage_id: 's2', first_capture_at: '2026-03-02T13:05:00Z' })
    expect(form).toEqual({ pipeline_id: 'p1', stage_id: 's2' })
    expect(linkedInSettingsBody(form)).toEqual({ pipeline_id: 'p1', stage_id: 's2' })
    expect(linkedInSettingsBody({ pipeline_id: '', stage_id: 's2' })).toEqual({ pipeline_id: '', stage_id: '' })
    expect(linkedInForm({ pipeline_id: 7 })).toEqual({ pipeline_id: '', stage_id: '' })
  })

  it('awaits the first capture while the channel has none; downloads from the channel\'s address', () => {
    expect(awaitingFirstCapture({})).toBe(true)
    expect(awaitingFirstCapture({ first_capture_at: null })).toBe(true)
    expect(awaitingFirstCapture({ first_capture_at: '2026-03-02T13:05:00Z' })).toBe(false)
    expect(extensionUrl({ extension_url: 'https://chat.example.com/downloads/chatspot-linkedin.zip' })).toBe('https://chat.example.com/downloads/chatspot-linkedin.zip')
    expect(extensionUrl({})).toBe('/downloads/chatspot-linkedin.zip')
  })
})
