import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Header } from '../layout/Header'
import { makeMe } from '../test/fakes'
import { AdminPage } from './AdminPage'
import { KNOWN_PERMISSIONS } from './adminLogic'
import { renderAdmin, scriptFetch } from './adminTestKit'
import { SessionsTab } from './SessionsTab'

beforeEach(() => {
  scriptFetch((c) => {
    if (c.method !== 'GET') return { status: 204 }
    if (c.path === '/api/v1/sessions')
      return {
        status: 200,
        body: {
          seats: 3,
          items: [
            {
              id: 's1',
              user_id: 'u-bia',
              user_name: 'Bia Santos',
              user_email: 'bia@loja.com.br',
              user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
              ip: '10.0.0.7',
              created_at: '2025-03-01T08:00:00Z',
              last_seen_at: '2025-03-01T09:00:00Z',
            },
            {
              id: 's2',
              user_id: 'u-caio',
              user_name: 'Caio Melo',
              user_email: 'caio@loja.com.br',
              user_agent: '',
              ip: '10.0.0.8',
              created_at: '2025-03-01T08:30:00Z',
              last_seen_at: '2025-03-01T09:10:00Z',
            },
          ],
        },
      }
    if (c.path === '/api/v1/profiles') return { status: 200, body: { items: [], all_permissions: KNOWN_PERMISSIONS } }
    return { status: 200, body: { items: [] } }
  })
})
afterEach(() => vi.unstubAllGlobals())

describe('AdminPage', () => {
  it('shows an admin every tab', async () => {
    window.history.replaceState(null, '', '/admin/users')
    renderAdmin(<AdminPage tab="users" />, makeMe({ permissions: [...KNOWN_PERMISSIONS] }))
    for (const key of ['users', 'profiles', 'teams', 'channels', 'rules', 'quick-replies', 'sessions', 'tokens', 'webhooks', 'account', 'audit']) {
      expect(screen.getByTestId(`admin-tab-${key}`)).toBeInTheDocument()
    }
    expect(screen.getByTestId('admin-tab-users')).toHaveAttribute('aria-current', 'page')
    expect(await screen.findByTestId('admin-users')).toBeInTheDocument()
  })

  it('sends a token manager who asks for /admin/users to the tokens tab', async () => {
    window.history.replaceState(null, '', '/admin/users')
    renderAdmin(<AdminPage tab="users" />, makeMe({ permissions: ['api:tokens', 'conversations:reply'] }))
    expect(screen.queryByTestId('admin-tab-users')).not.toBeInTheDocument()
    expect(screen.queryByTestId('admin-tab-sessions')).not.toBeInTheDocument()
    expect(screen.getByTestId('admin-tab-tokens')).toBeInTheDocument()
    await waitFor(() => expect(window.location.pathname).toBe('/admin/tokens'))
    expect(screen.queryByTestId('admin-users')).not.toBeInTheDocument()
  })

  it('shows the webhooks tab with api:tokens and the api module', async () => {
    window.history.replaceState(null, '', '/admin/webhooks')
    renderAdmin(<AdminPage tab="webhooks" />, makeMe({ permissions: ['api:tokens', 'conversations:reply'] }))
    expect(screen.getByTestId('admin-tab-webhooks')).toHaveTextContent('Webhooks')
    expect(screen.getByTestId('admin-tab-webhooks')).toHaveAttribute('aria-current', 'page')
    expect(await screen.findByTestId('admin-webhooks')).toBeInTheDocument()
  })

  it('hides the webhooks tab without the api module', async () => {
    window.history.replaceState(null, '', '/admin/webhooks')
    const me = makeMe({ permissions: ['api:tokens', 'conversations:reply'] })
    me.account.modules = ['crm']
    renderAdmin(<AdminPage tab="webhooks" />, me)
    expect(screen.queryByTestId('admin-tab-webhooks')).not.toBeInTheDocument()
    expect(screen.getByTestId('admin-tab-tokens')).toBeInTheDocument()
    await waitFor(() => expect(window.location.pathname).toBe('/admin/tokens'))
    expect(screen.queryByTestId('admin-webhooks')).not.toBeInTheDocument()
  })

  it('hides the webhooks tab without api:tokens', async () => {
    window.history.replaceState(null, '', '/admin/webhooks')
    renderAdmin(<AdminPage tab="webhooks" />, makeMe({ permissions: ['users:manage'] }))
    expect(screen.queryByTestId('admin-tab-webhooks')).not.toBeInTheDocument()
    await waitFor(() => expect(window.location.pathname).toBe('/admin/users'))
    expect(screen.queryByTestId('admin-webhooks')).not.toBeInTheDocument()
  })

  it('refuses an agent', () => {
    renderAdmin(<AdminPage tab={null} />, makeMe({ permissions: ['conversations:view:team', 'conversations:reply'] }))
    expect(screen.getByTestId('admin-forbidden')).toBeInTheDocument()
    expect(screen.queryByTestId('admin-tab-teams')).not.toBeInTheDocument()
  })
})

describe('Header admin link', () => {
  it('is shown with users:manage and hidden without it', () => {
    window.history.replaceState(null, '', '/')
    const { unmount } = renderAdmin(<Header onLogout={() => undefined} />, makeMe({ permissions: ['users:manage'] }))
    expect(screen.getByTestId('admin-link')).toHaveAttribute('href', '/admin')
    unmount()
    renderAdmin(<Header onLogout={() => undefined} />, makeMe({ permissions: ['conversations:reply'] }))
    expect(screen.queryByTestId('admin-link')).not.toBeInTheDocument()
  })
})

describe('SessionsTab', () => {
  it('shows the seats in use and frees one after confirming', async () => {
    const user = userEvent.setup()
    renderAdmin(<SessionsTab />, makeMe({ permissions: ['users:manage'] }))
    expect(await screen.findByTestId('sessions-seats')).toHaveTextContent('2 de 3 licenças em uso')
    const rows = screen.getAllByTestId('session-row')
    expect(rows[0]).toHaveTextContent('Chrome · Windows')
    expect(rows[0]).toHaveTextContent('10.0.0.7')

    await user.click(within(rows[0]).getByTestId('session-end'))
    await user.click(screen.getByTestId('confirm-ok'))
    await waitFor(() => expect(screen.getAllByTestId('session-row')).toHaveLength(1))
    expect(screen.getByTestId('sessions-seats')).toHaveTextContent('1 de 3 licenças em uso')
    const del = vi.mocked(fetch).mock.calls.find(([, init]) => init?.method === 'DELETE')
    expect(del?.[0]).toBe('/api/v1/sessions/s1')
  })

  it('asks before ending: cancelling sends nothing', async () => {
    const user = userEvent.setup()
    renderAdmin(<SessionsTab />, makeMe({ permissions: ['users:manage'] }))
    await user.click((await screen.findAllByTestId('session-end'))[1])
    await user.click(screen.getByTestId('confirm-cancel'))
    expect(screen.getAllByTestId('session-row')).toHaveLength(2)
    expect(vi.mocked(fetch).mock.calls.some(([, init]) => init?.method === 'DELETE')).toBe(false)
  })
})
