import { afterEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Profile } from '../api/types'
import { makeMe } from '../test/fakes'
import { KNOWN_PERMISSIONS } from './adminLogic'
import { renderAdmin, scriptFetch } from './adminTestKit'
import { ProfilesTab } from './ProfilesTab'

const admin = makeMe({ permissions: [...KNOWN_PERMISSIONS] })
const SCOPES = ['conversations:view:all', 'conversations:view:team', 'conversations:view:assigned']

const profiles: Profile[] = [
  { id: 'p-admin', name: 'Admin', builtin_key: 'admin', permissions: [...KNOWN_PERMISSIONS], editable: false },
  {
    id: 'p-mgr',
    name: 'Manager',
    builtin_key: 'manager',
    permissions: ['conversations:view:all', 'conversations:reply', 'conversations:assign', 'reports:view'],
    editable: true,
  },
  { id: 'p-sup', name: 'Supervisão', builtin_key: null, permissions: ['conversations:view:team'], editable: true },
]

function server(deleteAnswer: { status: number; body?: unknown } = { status: 204 }) {
  return scriptFetch((c) => {
    if (c.method === 'GET' && c.path === '/api/v1/profiles') return { status: 200, body: { items: profiles, all_permissions: KNOWN_PERMISSIONS } }
    if (c.method === 'GET' && c.path === '/api/v1/users') return { status: 200, body: { items: [] } }
    if (c.method === 'PATCH') {
      const p = profiles.find((x) => c.path.endsWith(x.id))!
      return { status: 200, body: { ...p, ...(c.body as object) } }
    }
    if (c.method === 'POST') return { status: 201, body: { id: 'p-new', builtin_key: null, editable: true, ...(c.body as object) } }
    if (c.method === 'DELETE') return deleteAnswer
    return undefined
  })
}

afterEach(() => vi.unstubAllGlobals())

async function open(user: ReturnType<typeof userEvent.setup>, name: string) {
  const rows = await screen.findAllByTestId('profile-row')
  await user.click(rows.find((r) => r.textContent?.includes(name))!)
}

describe('ProfilesTab', () => {
  it('shows the Admin profile read-only, without save or delete', async () => {
    const user = userEvent.setup()
    server()
    renderAdmin(<ProfilesTab />, admin)
    await open(user, 'Admin')
    expect(screen.getByTestId('profile-readonly')).toBeInTheDocument()
    expect(screen.getByTestId('perm-users:manage')).toBeDisabled()
    expect(screen.getByTestId('perm-users:manage')).toBeChecked()
    expect(screen.getByTestId('perm-visibility-all')).toBeChecked()
    expect(screen.queryByTestId('profile-save')).not.toBeInTheDocument()
    expect(screen.queryByTestId('profile-delete')).not.toBeInTheDocument()
  })

  it('choosing "team" visibility saves exactly conversations:view:team', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<ProfilesTab />, admin)
    await open(user, 'Manager')
    expect(screen.getByTestId('perm-visibility-all')).toBeChecked()
    expect(screen.queryByTestId('profile-delete')).not.toBeInTheDocument() // built-in
    await user.click(screen.getByTestId('perm-visibility-team'))
    await user.click(screen.getByTestId('perm-crm:view'))
    await user.click(screen.getByTestId('profile-save'))
    await screen.findByTestId('profile-saved')
    const patch = calls.find((c) => c.method === 'PATCH')!
    expect(patch.path).toBe('/api/v1/profiles/p-mgr')
    expect(patch.body).toEqual({
      permissions: ['conversations:view:team', 'conversations:reply', 'conversations:assign', 'crm:view', 'reports:view'],
    })
  })

  it('choosing "none" saves none of the three scopes', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<ProfilesTab />, admin)
    await open(user, 'Manager')
    await user.click(screen.getByTestId('perm-visibility-none'))
    await user.click(screen.getByTestId('profile-save'))
    await screen.findByTestId('profile-saved')
    const perms = (calls.find((c) => c.method === 'PATCH')!.body as { permissions: string[] }).permissions
    expect(perms.filter((p) => SCOPES.includes(p))).toEqual([])
    expect(perms).toContain('conversations:reply')
  })

  it('creates a custom profile', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<ProfilesTab />, admin)
    await user.click(await screen.findByTestId('profile-new'))
    await user.type(screen.getByTestId('profile-name'), 'Financeiro')
    await user.click(screen.getByTestId('perm-visibility-assigned'))
    await user.click(screen.getByTestId('perm-reports:view'))
    await user.click(screen.getByTestId('profile-save'))
    await waitFor(() => expect(screen.getAllByTestId('profile-row')).toHaveLength(4))
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'Financeiro',
      permissions: ['conversations:view:assigned', 'reports:view'],
    })
  })

  it('shows why a custom profile cannot be deleted', async () => {
    const user = userEvent.setup()
    server({ status: 422, body: { status: 422, detail: 'id: users still have this profile; move them first', field: 'id' } })
    renderAdmin(<ProfilesTab />, admin)
    await open(user, 'Supervisão')
    await user.click(screen.getByTestId('profile-delete'))
    await user.click(screen.getByTestId('confirm-ok'))
    expect(await screen.findByTestId('confirm-error')).toHaveTextContent('users still have this profile')
    expect(screen.getAllByTestId('profile-row')).toHaveLength(3)
  })

  it('deletes a custom profile', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<ProfilesTab />, admin)
    await open(user, 'Supervisão')
    await user.click(screen.getByTestId('profile-delete'))
    await user.click(screen.getByTestId('confirm-ok'))
    await waitFor(() => expect(screen.getAllByTestId('profile-row')).toHaveLength(2))
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/profiles/p-sup')).toBe(true)
  })
})
