import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { App } from './App'
import { I18nProvider } from './i18n'
import { conv, makeMe } from './test/fakes'

const me = makeMe()
const c9 = conv({ id: 'c9', contact: { id: 'ct9', name: 'Rita Moraes' }, assignee: { id: me.user.id, name: me.user.name } })
const c10 = conv({ id: 'c10', channel: { id: 'ch-of', kind: 'whatsapp_official', name: 'WhatsApp Oficial' }, contact: { id: 'ct10', name: 'Caio Prado' } })
const noCaps = { window_seconds: 0, human_agent_window_seconds: 0, media: [], templates: false, receipts: true, threads: false, edits: false, reactions: false, comments: false, sends_per_second: 1 }
const KINDS = [
  { kind: 'whatsapp', label: 'WhatsApp', available: true, in_plan: true, activation: true, oauth: false, capabilities: noCaps, settings: [] },
  { kind: 'whatsapp_official', label: 'WhatsApp (official)', available: true, in_plan: true, activation: true, oauth: false, capabilities: { ...noCaps, window_seconds: 86400, templates: true }, settings: [] },
]
let signedIn = false

function reply(status: number, body?: unknown) {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function server(url: string, init?: RequestInit): Response {
  const path = url.split('?')[0]
  if (path === '/api/v1/auth/login') {
    signedIn = true
    return reply(200, me)
  }
  if (!signedIn) return reply(401, { status: 401, detail: 'sign in first' })
  if (path === '/api/v1/me') return reply(200, me)
  if (path === '/api/v1/conversations') return reply(200, { items: [c9], next_cursor: null })
  if (path === '/api/v1/conversations/c9')
    return reply(200, { ...c9, contact: { ...c9.contact, phone: '', email: '', identities: [], tags: [] } })
  if (path === '/api/v1/contacts/ct9/messages') return reply(200, { items: [], next_cursor: null })
  if (path === '/api/v1/conversations/c10')
    return reply(200, { ...c10, contact: { ...c10.contact, phone: '', email: '', identities: [], tags: [] } })
  if (path === '/api/v1/contacts/ct10/messages') return reply(200, { items: [], next_cursor: null })
  if (path === '/api/v1/channel-kinds') return reply(200, { items: KINDS })
  if (path === '/api/v1/me/status') return reply(200, { ...me.user, status: JSON.parse(String(init?.body)).status })
  if (init?.method === 'POST') return reply(204)
  return reply(200, { items: [] })
}

beforeEach(() => {
  signedIn = false
  vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => server(url, init)))
})
afterEach(() => vi.unstubAllGlobals())

describe('App', () => {
  it('sends an unauthenticated visitor to /login and back to the page they wanted', async () => {
    window.history.replaceState(null, '', '/conversations/c9')
    const user = userEvent.setup()
    render(
      <I18nProvider initial="pt-BR">
        <App />
      </I18nProvider>,
    )
    await screen.findByTestId('login-email')
    expect(window.location.pathname).toBe('/login')

    await user.type(screen.getByTestId('login-email'), 'ana@loja.com.br')
    await user.type(screen.getByTestId('login-password'), 'segredo')
    await user.click(screen.getByTestId('login-submit'))

    await waitFor(() => expect(window.location.pathname).toBe('/conversations/c9'))
    expect(await screen.findByTestId('conversation-contact-name')).toHaveTextContent('Rita Moraes')
    expect(screen.getAllByTestId('conversation-row')).toHaveLength(1)
  })

  it("offers templates in the composer of a conversation whose channel kind has them (GET /channel-kinds)", async () => {
    signedIn = true
    window.history.replaceState(null, '', '/conversations/c10')
    render(
      <I18nProvider initial="pt-BR">
        <App />
      </I18nProvider>,
    )
    expect(await screen.findByTestId('conversation-contact-name')).toHaveTextContent('Caio Prado')
    expect(await screen.findByTestId('composer-template')).toBeInTheDocument()

    window.history.replaceState(null, '', '/conversations/c9')
    window.dispatchEvent(new PopStateEvent('popstate'))
    await waitFor(() => expect(screen.getByTestId('conversation-contact-name')).toHaveTextContent('Rita Moraes'))
    expect(screen.queryByTestId('composer-template')).toBeNull()
  })

  it('changes presence from the header', async () => {
    signedIn = true
    window.history.replaceState(null, '', '/')
    const user = userEvent.setup()
    render(
      <I18nProvider initial="pt-BR">
        <App />
      </I18nProvider>,
    )
    const select = await screen.findByTestId('presence-select')
    await user.selectOptions(select, 'away')
    const fetchMock = vi.mocked(fetch)
    await waitFor(() => expect(fetchMock.mock.calls.some(([u, i]) => u === '/api/v1/me/status' && i?.method === 'PUT')).toBe(true))
    const call = fetchMock.mock.calls.find(([u]) => u === '/api/v1/me/status')!
    expect(JSON.parse(String(call[1]?.body))).toEqual({ status: 'away' })
    expect(select).toHaveValue('away')
  })
})
