import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { App } from './App'
import { I18nProvider } from './i18n'
import { conv, makeMe } from './test/fakes'

const me = makeMe()
const c9 = conv({ id: 'c9', contact: { id: 'ct9', name: 'Rita Moraes' }, assignee: { id: me.user.id, name: me.user.name } })
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
