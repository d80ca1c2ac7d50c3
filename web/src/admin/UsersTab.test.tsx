import { afterEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { AdminUser, Profile } from '../api/types'
import { makeMe } from '../test/fakes'
import { KNOWN_PERMISSIONS } from './adminLogic'
import { renderAdmin, scriptFetch } from './adminTestKit'
import type { Call } from './adminTestKit'
import { UsersTab } from './UsersTab'

const admin = makeMe({ id: 'u-admin', name: 'Admin', permissions: [...KNOWN_PERMISSIONS] })

const profiles: Profile[] = [
  { id: 'p-admin', name: 'Admin', builtin_key: 'admin', permissions: [...KNOWN_PERMISSIONS], editable: false },
  { id: 'p-mgr', name: 'Manager', builtin_key: 'manager', permissions: ['conversations:view:all'], editable: true },
  { id: 'p-agent', name: 'Agent', builtin_key: 'agent', permissions: ['conversations:view:team'], editable: true },
]

const bia: AdminUser = {
  id: 'u-bia',
  email: 'bia@loja.com.br',
  name: 'Bia Santos',
  profile_id: 'p-agent',
  active: true,
  status: 'away',
  capacity: 4,
  last_login_at: '2025-03-01T12:00:00Z',
  created_at: '2025-01-01T00:00:00Z',
  team_ids: ['t-sales'],
}

function fakeServer(onCreate: (c: Call) => { status: number; body?: unknown }) {
  return scriptFetch((c) => {
    if (c.method === 'GET' && c.path === '/api/v1/users') return { status: 200, body: { items: [bia] } }
    if (c.method === 'GET' && c.path === '/api/v1/profiles') return { status: 200, body: { items: profiles, all_permissions: KNOWN_PERMISSIONS } }
    if (c.method === 'GET' && c.path === '/api/v1/teams') return { status: 200, body: { items: [{ id: 't-sales', name: 'Vendas', member_ids: ['u-bia'] }] } }
    if (c.method === 'POST' && c.path === '/api/v1/users') return onCreate(c)
    if (c.method === 'PATCH' && c.path === '/api/v1/users/u-bia') return { status: 200, body: { ...bia, ...(c.body as object), team_ids: [] } }
    return undefined
  })
}

afterEach(() => vi.unstubAllGlobals())

async function fillCreateForm(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('user-create-open'))
  await user.type(screen.getByTestId('user-name'), 'Caio Melo')
  await user.type(screen.getByTestId('user-email'), 'caio@loja.com.br')
  await user.type(screen.getByTestId('user-password'), 'senha-forte-1')
  await user.selectOptions(screen.getByTestId('user-profile'), 'p-mgr')
  await user.clear(screen.getByTestId('user-capacity'))
  await user.type(screen.getByTestId('user-capacity'), '7')
  await user.click(screen.getByTestId('user-create-submit'))
}

describe('UsersTab', () => {
  it('lists users with profile, state, presence and teams', async () => {
    fakeServer(() => ({ status: 500 }))
    renderAdmin(<UsersTab />, admin)
    const row = await screen.findByTestId('user-row')
    expect(row).toHaveTextContent('Bia Santos')
    expect(row).toHaveTextContent('bia@loja.com.br')
    expect(row).toHaveTextContent('Agent')
    expect(row).toHaveTextContent('Ausente')
    expect(row).toHaveTextContent('Vendas')
    expect(within(row).getByTestId('user-active')).toHaveTextContent('Ativo')
  })

  it('creates a user with the typed body', async () => {
    const user = userEvent.setup()
    const calls = fakeServer(() => ({
      status: 201,
      body: { ...bia, id: 'u-caio', name: 'Caio Melo', email: 'caio@loja.com.br', profile_id: 'p-mgr', capacity: 7, team_ids: [] },
    }))
    renderAdmin(<UsersTab />, admin)
    await fillCreateForm(user)

    const post = calls.find((c) => c.method === 'POST')!
    expect(post.body).toEqual({ name: 'Caio Melo', email: 'caio@loja.com.br', password: 'senha-forte-1', profile_id: 'p-mgr', capacity: 7 })
    await waitFor(() => expect(screen.getAllByTestId('user-row')).toHaveLength(2))
    expect(screen.queryByTestId('user-create-form')).not.toBeInTheDocument()
  })

  it('shows a 409 duplicate e-mail next to the e-mail field and keeps the form', async () => {
    const user = userEvent.setup()
    fakeServer(() => ({ status: 409, body: { type: 'about:blank', title: 'Conflict', status: 409, detail: 'email: is already in use', field: 'email' } }))
    renderAdmin(<UsersTab />, admin)
    await fillCreateForm(user)

    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'email')
    expect(err).toHaveTextContent('is already in use')
    // it sits in the e-mail field's label, not at the top
    expect(err.closest('label')).toContainElement(screen.getByTestId('user-email'))
    expect(screen.queryByTestId('form-error')).not.toBeInTheDocument()
    expect(screen.getByTestId('user-email')).toHaveValue('caio@loja.com.br')
    expect(screen.getByTestId('user-create-submit')).toBeEnabled()
  })

  it('shows a weak-password 422 on the password field', async () => {
    const user = userEvent.setup()
    fakeServer(() => ({ status: 422, body: { status: 422, detail: 'password: must mix letters with digits or symbols', field: 'password' } }))
    renderAdmin(<UsersTab />, admin)
    await fillCreateForm(user)
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'password')
    expect(err).toHaveTextContent('must mix letters with digits or symbols')
  })

  it('deactivates after confirming and keeps the row with its teams', async () => {
    const user = userEvent.setup()
    const calls = fakeServer(() => ({ status: 500 }))
    renderAdmin(<UsersTab />, admin)
    await user.click(await screen.findByTestId('user-toggle-active'))
    const dialog = screen.getByTestId('confirm-dialog')
    expect(dialog).toHaveTextContent('sessões abertas dele serão encerradas')
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false)
    await user.click(screen.getByTestId('confirm-ok'))
    await waitFor(() => expect(screen.getByTestId('user-row')).toHaveAttribute('data-active', 'false'))
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ active: false })
    expect(screen.getByTestId('user-row')).toHaveTextContent('Vendas')
  })

  it('does not offer to deactivate oneself', async () => {
    fakeServer(() => ({ status: 500 }))
    renderAdmin(<UsersTab />, makeMe({ id: 'u-bia', permissions: [...KNOWN_PERMISSIONS] }))
    await screen.findByTestId('user-row')
    expect(screen.queryByTestId('user-toggle-active')).not.toBeInTheDocument()
  })
})
