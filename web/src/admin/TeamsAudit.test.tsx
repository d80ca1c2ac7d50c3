import { afterEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { AdminUser, AuditEntry, Team } from '../api/types'
import { makeMe } from '../test/fakes'
import { AuditTab } from './AuditTab'
import { renderAdmin, scriptFetch } from './adminTestKit'
import { TeamsTab } from './TeamsTab'

function person(id: string, name: string, active = true): AdminUser {
  return {
    id,
    name,
    email: `${id}@loja.com.br`,
    profile_id: 'p-agent',
    active,
    status: 'offline',
    capacity: 5,
    last_login_at: null,
    created_at: '2025-01-01T00:00:00Z',
    team_ids: [],
  }
}
const users = [person('u-ana', 'Ana'), person('u-bia', 'Bia'), person('u-caio', 'Caio'), person('u-old', 'Antigo', false)]
const sales: Team = { id: 't-sales', name: 'Vendas', member_ids: ['u-ana', 'u-bia'] }

afterEach(() => vi.unstubAllGlobals())

describe('TeamsTab', () => {
  function server() {
    return scriptFetch((c) => {
      if (c.method === 'GET' && c.path === '/api/v1/teams') return { status: 200, body: { items: [sales] } }
      if (c.method === 'GET' && c.path === '/api/v1/users') return { status: 200, body: { items: users } }
      if (c.method === 'PATCH') return { status: 200, body: { ...sales, ...(c.body as object) } }
      if (c.method === 'POST') return { status: 201, body: { id: 't-new', member_ids: [], ...(c.body as object) } }
      return undefined
    })
  }

  it('lists teams with member names; read-only without users:manage', async () => {
    server()
    renderAdmin(<TeamsTab />, makeMe({ permissions: ['api:tokens'] }))
    const row = await screen.findByTestId('team-row')
    expect(within(row).getByTestId('team-members')).toHaveTextContent('AnaBia')
    expect(screen.queryByTestId('team-edit')).not.toBeInTheDocument()
    expect(screen.queryByTestId('team-create-open')).not.toBeInTheDocument()
  })

  it('sets members: sends only the new member list', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<TeamsTab />, makeMe({ permissions: ['users:manage'] }))
    await user.click(await screen.findByTestId('team-edit'))
    const options = screen.getAllByTestId('team-member-option')
    // inactive users who are not members are not offered
    expect(options.map((o) => o.getAttribute('data-id'))).toEqual(['u-ana', 'u-bia', 'u-caio'])
    await user.click(options[0]) // Ana out
    await user.click(options[2]) // Caio in
    await user.click(screen.getByTestId('team-save'))
    await waitFor(() => expect(screen.queryByTestId('team-dialog')).not.toBeInTheDocument())
    expect(calls.find((c) => c.method === 'PATCH')).toEqual({ method: 'PATCH', path: '/api/v1/teams/t-sales', body: { member_ids: ['u-bia', 'u-caio'] } })
    expect(screen.getByTestId('team-members')).toHaveTextContent('BiaCaio')
  })

  it('shows a duplicate name next to the name field', async () => {
    const user = userEvent.setup()
    scriptFetch((c) => {
      if (c.method === 'GET' && c.path === '/api/v1/teams') return { status: 200, body: { items: [sales] } }
      if (c.method === 'GET') return { status: 200, body: { items: users } }
      return { status: 422, body: { status: 422, detail: 'name: a team with this name exists', field: 'name' } }
    })
    renderAdmin(<TeamsTab />, makeMe({ permissions: ['users:manage'] }))
    await user.click(await screen.findByTestId('team-create-open'))
    await user.type(screen.getByTestId('team-name'), 'Vendas')
    await user.click(screen.getByTestId('team-save'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'name')
    expect(err).toHaveTextContent('a team with this name exists')
  })
})

describe('AuditTab', () => {
  const entry = (id: string, action: string, at: string, actor = 'u-ana', target = 'u-bia'): AuditEntry => ({
    id,
    actor_id: actor,
    actor_kind: 'user',
    action,
    target,
    detail: '',
    ip: '10.0.0.1',
    created_at: at,
  })

  it('lists newest first with names and filters by action on the server', async () => {
    const user = userEvent.setup()
    const calls = scriptFetch((c) => {
      if (c.path === '/api/v1/users') return { status: 200, body: { items: users } }
      if (c.path === '/api/v1/audit')
        return {
          status: 200,
          body: { items: [entry('a1', 'login', '2025-03-01T08:00:00Z', 'u-bia', 'bia@loja.com.br'), entry('a2', 'user.updated', '2025-03-01T09:00:00Z')] },
        }
      if (c.path === '/api/v1/audit?action=login.failed')
        return { status: 200, body: { items: [entry('a3', 'login.failed', '2025-03-01T10:00:00Z', 'u-caio', 'caio@loja.com.br')] } }
      return undefined
    })
    renderAdmin(<AuditTab />, makeMe({ permissions: ['users:manage'] }))
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(2))
    const rows = screen.getAllByTestId('audit-row')
    expect(rows.map((r) => r.getAttribute('data-id'))).toEqual(['a2', 'a1'])
    expect(rows[0]).toHaveTextContent('Usuário alterado')
    expect(rows[0]).toHaveTextContent('Ana')
    expect(rows[0]).toHaveTextContent('Bia')

    await user.selectOptions(screen.getByTestId('audit-action'), 'login.failed')
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(1))
    expect(screen.getByTestId('audit-row')).toHaveAttribute('data-action', 'login.failed')
    expect(calls.some((c) => c.path === '/api/v1/audit?action=login.failed')).toBe(true)
  })
})
