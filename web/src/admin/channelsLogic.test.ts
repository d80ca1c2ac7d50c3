import { describe, expect, it } from 'vitest'
import type { ChannelDetail } from '../api/types'
import {
  apiForm,
  apiFormProblems,
  apiSettingsBody,
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
  withoutToken,
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
  const created: ChannelDetail = { id: 'ch1', kind: 'api', name: 'ERP', active: true, settings: {}, inbound_url: 'http://x/hooks/api/ch1', inbound_token: 'cht_secret' }

  it('is taken from the answer once and never kept with the channel', () => {
    expect(oneTimeToken(created)).toEqual({ id: 'ch1', name: 'ERP', token: 'cht_secret' })
    expect(withoutToken(created)).not.toHaveProperty('inbound_token')
    expect(oneTimeToken(withoutToken(created))).toBeNull()
  })
})
