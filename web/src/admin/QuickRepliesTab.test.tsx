import { afterEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { QuickReply } from '../api/types'
import { makeMe } from '../test/fakes'
import { renderAdmin, scriptFetch } from './adminTestKit'
import type { Handler } from './adminTestKit'
import { QuickRepliesTab } from './QuickRepliesTab'

const boleto: QuickReply = { id: 'qr1', shortcut: 'boleto', text: 'Segue o boleto atualizado.', created_at: '2025-03-01T10:00:00Z', updated_at: '2025-03-01T10:00:00Z' }
const thanks: QuickReply = { id: 'qr2', shortcut: 'agradecer', text: 'Obrigado pelo contato!', created_at: '2025-03-01T10:00:00Z', updated_at: '2025-03-01T10:00:00Z' }

afterEach(() => vi.unstubAllGlobals())

function server(write: Handler = () => undefined) {
  return scriptFetch((c) => {
    if (c.method === 'GET' && c.path === '/api/v1/quick-replies') return { status: 200, body: { items: [boleto, thanks] } }
    return write(c)
  })
}

const me = makeMe({ permissions: ['rules:manage'] })

describe('QuickRepliesTab', () => {
  it('lists the quick replies by shortcut', async () => {
    server()
    renderAdmin(<QuickRepliesTab />, me)
    await screen.findAllByTestId('quick-reply-row')
    const rows = screen.getAllByTestId('quick-reply-row')
    expect(rows.map((r) => r.getAttribute('data-id'))).toEqual(['qr2', 'qr1'])
    expect(rows[1]).toHaveTextContent('/boleto')
    expect(rows[1]).toHaveTextContent('Segue o boleto atualizado.')
  })

  it('creates one, sending the shortcut without its leading slash', async () => {
    const user = userEvent.setup()
    const calls = server((c) =>
      c.method === 'POST' ? { status: 201, body: { id: 'qr3', created_at: '', updated_at: '', ...(c.body as object) } } : undefined,
    )
    renderAdmin(<QuickRepliesTab />, me)
    await user.click(await screen.findByTestId('quick-reply-create-open'))
    await user.type(screen.getByTestId('quick-reply-shortcut'), '/pix')
    await user.type(screen.getByTestId('quick-reply-text'), 'Nossa chave PIX é a do CNPJ.')
    await user.click(screen.getByTestId('quick-reply-create-submit'))
    await waitFor(() => expect(screen.queryByTestId('quick-reply-dialog')).not.toBeInTheDocument())
    expect(calls.find((c) => c.method === 'POST')).toEqual({
      method: 'POST',
      path: '/api/v1/quick-replies',
      body: { shortcut: 'pix', text: 'Nossa chave PIX é a do CNPJ.' },
    })
    expect(screen.getAllByTestId('quick-reply-row').map((r) => r.getAttribute('data-id'))).toEqual(['qr2', 'qr1', 'qr3'])
  })

  it('refuses an invalid shortcut before sending', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<QuickRepliesTab />, me)
    await user.click(await screen.findByTestId('quick-reply-create-open'))
    await user.type(screen.getByTestId('quick-reply-shortcut'), 'Bom Dia')
    await user.type(screen.getByTestId('quick-reply-text'), 'Olá')
    await user.click(screen.getByTestId('quick-reply-create-submit'))
    const err = screen.getByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'shortcut')
    expect(calls.filter((c) => c.method !== 'GET')).toHaveLength(0)
  })

  it('shows a 409 on the shortcut field and keeps the dialog open', async () => {
    const user = userEvent.setup()
    server((c) =>
      c.method === 'PATCH'
        ? { status: 409, body: { status: 409, field: 'shortcut', detail: 'shortcut: another quick reply uses agradecer' } }
        : undefined,
    )
    renderAdmin(<QuickRepliesTab />, me)
    await screen.findAllByTestId('quick-reply-row')
    const row = screen.getAllByTestId('quick-reply-row')[1]
    await user.click(within(row).getByTestId('quick-reply-edit'))
    const input = screen.getByTestId('quick-reply-shortcut')
    expect(input).toHaveValue('boleto')
    await user.clear(input)
    await user.type(input, 'agradecer')
    await user.click(screen.getByTestId('quick-reply-create-submit'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'shortcut')
    expect(err).toHaveTextContent('another quick reply uses agradecer')
    expect(err).not.toHaveTextContent('shortcut:')
    expect(input.closest('label')).toContainElement(err)
    expect(screen.queryByTestId('form-error')).not.toBeInTheDocument()
    expect(screen.getByTestId('quick-reply-dialog')).toBeInTheDocument()
  })

  it('shows a 422 on the text field', async () => {
    const user = userEvent.setup()
    server((c) => (c.method === 'POST' ? { status: 422, body: { status: 422, field: 'text', detail: 'text: too long' } } : undefined))
    renderAdmin(<QuickRepliesTab />, me)
    await user.click(await screen.findByTestId('quick-reply-create-open'))
    await user.type(screen.getByTestId('quick-reply-shortcut'), 'x')
    await user.type(screen.getByTestId('quick-reply-text'), 'y')
    await user.click(screen.getByTestId('quick-reply-create-submit'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'text')
    expect(err).toHaveTextContent('too long')
  })

  it('asks before deleting and removes the row', async () => {
    const user = userEvent.setup()
    const calls = server((c) => (c.method === 'DELETE' ? { status: 204 } : undefined))
    renderAdmin(<QuickRepliesTab />, me)
    await screen.findAllByTestId('quick-reply-row')
    await user.click(within(screen.getAllByTestId('quick-reply-row')[1]).getByTestId('quick-reply-delete'))
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('/boleto')
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(0)
    await user.click(screen.getByTestId('confirm-ok'))
    await waitFor(() => expect(screen.queryByTestId('confirm-dialog')).not.toBeInTheDocument())
    expect(calls.find((c) => c.method === 'DELETE')?.path).toBe('/api/v1/quick-replies/qr1')
    expect(screen.getAllByTestId('quick-reply-row').map((r) => r.getAttribute('data-id'))).toEqual(['qr2'])
  })
})
