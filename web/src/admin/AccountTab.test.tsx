import { afterEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { AccountSettings, Me } from '../api/types'
import { makeMe } from '../test/fakes'
import { AccountTab } from './AccountTab'
import { AdminPage } from './AdminPage'
import { renderAdmin, scriptFetch } from './adminTestKit'
import type { Handler } from './adminTestKit'

const stored: AccountSettings = {
  timezone: 'America/Sao_Paulo',
  business_hours: { mon: ['09:00', '18:00'], tue: ['09:00', '18:00'], wed: ['09:00', '18:00'], thu: ['09:00', '18:00'], fri: ['09:00', '18:00'] },
}

afterEach(() => vi.unstubAllGlobals())

function server(write: Handler = () => undefined, settings: AccountSettings = stored) {
  return scriptFetch((c) => {
    if (c.method === 'GET' && c.path === '/api/v1/account') return { status: 200, body: settings }
    return write(c)
  })
}

/** PATCH answers with what was sent, as the server does. */
const echo: Handler = (c) => (c.method === 'PATCH' ? { status: 200, body: c.body } : undefined)

const me = makeMe({ permissions: ['users:manage'] })

function day(d: string) {
  return screen.getAllByTestId('account-day').find((r) => r.getAttribute('data-day') === d)!
}

describe('AccountTab', () => {
  it('loads the time zone and the week, Sunday first, with closed days unticked', async () => {
    server()
    renderAdmin(<AccountTab />, me)
    expect(await screen.findByTestId('account-timezone')).toHaveValue('America/Sao_Paulo')
    const rows = screen.getAllByTestId('account-day')
    expect(rows.map((r) => r.getAttribute('data-day'))).toEqual(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'])
    expect(rows[0]).toHaveTextContent('Domingo')
    expect(rows[6]).toHaveTextContent('Sábado')
    expect(screen.getByTestId('account-day-open-sun')).not.toBeChecked()
    expect(screen.getByTestId('account-day-from-sun')).toBeDisabled()
    expect(screen.getByTestId('account-day-open-mon')).toBeChecked()
    expect(screen.getByTestId('account-day-from-mon')).toHaveValue('09:00')
    expect(screen.getByTestId('account-day-to-mon')).toHaveValue('18:00')
    expect(screen.getByTestId('account-hours')).toHaveTextContent('inBusinessHours()')
  })

  it('keeps a stored zone that is not in the short list', async () => {
    server(undefined, { timezone: 'Europe/Lisbon', business_hours: {} })
    renderAdmin(<AccountTab />, me)
    const select = await screen.findByTestId('account-timezone')
    expect(select).toHaveValue('Europe/Lisbon')
    const options = within(select).getAllByRole('option').map((o) => o.getAttribute('value'))
    expect(options).toContain('America/Manaus')
    expect(options).toContain('UTC')
  })

  it('toggles a day, changes a time and the zone, and saves both fields', async () => {
    const user = userEvent.setup()
    const calls = server(echo)
    const setMe = vi.fn<(m: Me) => void>()
    renderAdmin(<AccountTab />, me, setMe)
    await screen.findByTestId('account-timezone')

    await user.click(screen.getByTestId('account-day-open-sat'))
    expect(day('sat')).toHaveAttribute('data-open', 'true')
    await user.click(screen.getByTestId('account-day-open-fri'))
    expect(day('fri')).toHaveAttribute('data-open', 'false')
    const close = screen.getByTestId('account-day-to-sat')
    await user.clear(close)
    await user.type(close, '13:00')
    expect(close).toHaveValue('13:00')
    await user.selectOptions(screen.getByTestId('account-timezone'), 'America/Manaus')
    await user.click(screen.getByTestId('account-save'))

    expect(await screen.findByTestId('account-saved')).toBeInTheDocument()
    expect(calls.filter((c) => c.method === 'PATCH')).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/account',
        body: {
          timezone: 'America/Manaus',
          business_hours: {
            mon: ['09:00', '18:00'],
            tue: ['09:00', '18:00'],
            wed: ['09:00', '18:00'],
            thu: ['09:00', '18:00'],
            sat: ['09:00', '13:00'],
          },
        },
      },
    ])
    // the session follows the new zone, so dates across the app use it
    expect(setMe).toHaveBeenCalledTimes(1)
    expect(setMe.mock.calls[0][0].account).toEqual({ ...me.account, timezone: 'America/Manaus' })
  })

  it('does not send a day that closes before it opens', async () => {
    const user = userEvent.setup()
    const calls = server(echo)
    renderAdmin(<AccountTab />, me)
    const open = await screen.findByTestId('account-day-from-mon')
    await user.clear(open)
    await user.type(open, '19:00')
    const err = screen.getByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'business_hours.mon')
    expect(err).toHaveTextContent('O fechamento deve ser depois da abertura.')
    expect(day('mon')).toContainElement(err)
    await user.click(screen.getByTestId('account-save'))
    expect(screen.getByTestId('form-error')).toHaveTextContent('Corrija os horários')
    expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(0)
  })

  it('shows a 422 on the time zone next to the select', async () => {
    const user = userEvent.setup()
    const setMe = vi.fn()
    server((c) =>
      c.method === 'PATCH'
        ? { status: 422, body: { status: 422, field: 'timezone', detail: 'timezone: an IANA time zone such as America/Sao_Paulo' } }
        : undefined,
    )
    renderAdmin(<AccountTab />, me, setMe)
    await user.selectOptions(await screen.findByTestId('account-timezone'), 'UTC')
    await user.click(screen.getByTestId('account-save'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'timezone')
    expect(err).toHaveTextContent('an IANA time zone such as America/Sao_Paulo')
    expect(err).not.toHaveTextContent('timezone:')
    expect(screen.getByTestId('account-timezone').closest('label')).toContainElement(err)
    expect(screen.queryByTestId('form-error')).not.toBeInTheDocument()
    expect(screen.queryByTestId('account-saved')).not.toBeInTheDocument()
    expect(setMe).not.toHaveBeenCalled()
  })

  it('shows a 422 on the business hours inside the week box', async () => {
    const user = userEvent.setup()
    server((c) =>
      c.method === 'PATCH'
        ? { status: 422, body: { status: 422, field: 'business_hours', detail: 'business hours: sun must open before it closes, as HH:MM (24 h)' } }
        : undefined,
    )
    renderAdmin(<AccountTab />, me)
    await user.click(await screen.findByTestId('account-day-open-sun'))
    await user.click(screen.getByTestId('account-save'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'business_hours')
    expect(err).toHaveTextContent('sun must open before it closes')
    expect(screen.getByTestId('account-hours')).toContainElement(err)
  })
})

describe('Account tab in the admin area', () => {
  it('is shown with users:manage', async () => {
    server()
    window.history.replaceState(null, '', '/admin/account')
    renderAdmin(<AdminPage tab="account" />, me)
    expect(screen.getByTestId('admin-tab-account')).toHaveTextContent('Conta')
    expect(screen.getByTestId('admin-tab-account')).toHaveAttribute('aria-current', 'page')
    expect(await screen.findByTestId('admin-account')).toBeInTheDocument()
  })

  it('is hidden without users:manage, and its address goes to a tab the user may see', async () => {
    scriptFetch((c) => (c.method === 'GET' ? { status: 200, body: { items: [] } } : undefined))
    window.history.replaceState(null, '', '/admin/account')
    renderAdmin(<AdminPage tab="account" />, makeMe({ permissions: ['rules:manage', 'channels:manage', 'api:tokens'] }))
    expect(screen.queryByTestId('admin-tab-account')).not.toBeInTheDocument()
    await waitFor(() => expect(window.location.pathname).toBe('/admin/channels'))
    expect(screen.queryByTestId('admin-account')).not.toBeInTheDocument()
  })
})
