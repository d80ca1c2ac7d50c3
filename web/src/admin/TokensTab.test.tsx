import { afterEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { ApiToken } from '../api/types'
import { makeMe } from '../test/fakes'
import { renderAdmin, scriptFetch } from './adminTestKit'
import { TokensTab } from './TokensTab'

const SECRET = 'cst_9f8e7dSuperSecretValue0123456789'
const me = makeMe({ permissions: ['api:tokens', 'conversations:view:all', 'conversations:reply', 'crm:view'] })

const old: ApiToken = {
  id: 'tok-old',
  name: 'Antigo',
  prefix: 'cst_aaaaaa',
  permissions: ['crm:view'],
  created_at: '2025-01-01T00:00:00Z',
  last_used_at: null,
  revoked_at: null,
}

function server() {
  return scriptFetch((c) => {
    if (c.method === 'GET' && c.path === '/api/v1/tokens') return { status: 200, body: { items: [old] } }
    if (c.method === 'POST' && c.path === '/api/v1/tokens') {
      const body = c.body as { name: string; permissions: string[] }
      return {
        status: 201,
        body: { id: 'tok-new', name: body.name, prefix: 'cst_9f8e7d', permissions: body.permissions, created_at: '2025-03-01T12:00:00Z', last_used_at: null, revoked_at: null, token: SECRET },
      }
    }
    if (c.method === 'DELETE' && c.path === '/api/v1/tokens/tok-old') return { status: 204 }
    return undefined
  })
}

afterEach(() => vi.unstubAllGlobals())

describe('TokensTab', () => {
  it('offers only the permissions the creator holds', async () => {
    server()
    renderAdmin(<TokensTab />, me)
    await screen.findByTestId('token-row')
    expect(screen.getByTestId('token-perm-crm:view')).toBeInTheDocument()
    expect(screen.queryByTestId('token-perm-users:manage')).not.toBeInTheDocument()
    expect(screen.getByTestId('token-perm-visibility-all')).toBeInTheDocument()
    expect(screen.queryByTestId('token-perm-visibility-team')).not.toBeInTheDocument()
  })

  it('shows the secret once in a dialog; after closing it is gone from the page', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<TokensTab />, me)
    await screen.findByTestId('token-row')

    await user.type(screen.getByTestId('token-name'), 'ERP')
    await user.click(screen.getByTestId('token-perm-visibility-all'))
    await user.click(screen.getByTestId('token-perm-crm:view'))
    await user.click(screen.getByTestId('token-create-submit'))

    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'ERP', permissions: ['conversations:view:all', 'crm:view'] })
    const dialog = await screen.findByTestId('token-secret-dialog')
    expect(within(dialog).getByTestId('token-secret')).toHaveValue(SECRET)
    expect(within(dialog).getByTestId('token-secret-warning')).toHaveTextContent('não será mostrado novamente')

    await user.click(screen.getByTestId('token-secret-close'))
    expect(screen.queryByTestId('token-secret-dialog')).not.toBeInTheDocument()
    expect(screen.queryByDisplayValue(SECRET)).not.toBeInTheDocument()
    expect(document.body.innerHTML).not.toContain(SECRET)
    // the new token is listed by its prefix only
    const rows = screen.getAllByTestId('token-row')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveTextContent('cst_9f8e7d…')
    // the form is ready for the next one
    expect(screen.getByTestId('token-name')).toHaveValue('')
  })

  it('copies the secret to the clipboard', async () => {
    const user = userEvent.setup()
    server()
    renderAdmin(<TokensTab />, me)
    await screen.findByTestId('token-row')
    await user.type(screen.getByTestId('token-name'), 'ERP')
    await user.click(screen.getByTestId('token-perm-crm:view'))
    await user.click(screen.getByTestId('token-create-submit'))
    await user.click(await screen.findByTestId('token-copy'))
    expect(await navigator.clipboard.readText()).toBe(SECRET)
    expect(screen.getByTestId('token-copy')).toHaveTextContent('Copiado!')
  })

  it('shows the server refusal next to the permissions', async () => {
    const user = userEvent.setup()
    scriptFetch((c) => {
      if (c.method === 'GET') return { status: 200, body: { items: [] } }
      return { status: 422, body: { status: 422, detail: 'permissions: give the token at least one permission', field: 'permissions' } }
    })
    renderAdmin(<TokensTab />, me)
    await screen.findByText('Nenhum token criado.')
    await user.type(screen.getByTestId('token-name'), 'ERP')
    await user.click(screen.getByTestId('token-create-submit'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'permissions')
    expect(err).toHaveTextContent('give the token at least one permission')
    expect(screen.queryByTestId('token-secret-dialog')).not.toBeInTheDocument()
  })

  it('revokes after confirming', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<TokensTab />, me)
    await user.click(await screen.findByTestId('token-revoke'))
    await user.click(screen.getByTestId('confirm-ok'))
    await waitFor(() => expect(screen.getByTestId('token-row')).toHaveAttribute('data-revoked', 'true'))
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/tokens/tok-old')).toBe(true)
    expect(screen.queryByTestId('token-revoke')).not.toBeInTheDocument()
  })
})
