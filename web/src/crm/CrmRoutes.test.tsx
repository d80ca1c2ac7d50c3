import { afterEach, describe, expect, it, vi } from 'vitest'
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { App } from '../App'
import type { Me } from '../api/types'
import { I18nProvider } from '../i18n'
import { renderAdmin, scriptFetch } from '../admin/adminTestKit'
import { Header } from '../layout/Header'
import { makeMe } from '../test/fakes'
import { card, crmMe, pipeline } from './crmTestKit'

afterEach(() => vi.unstubAllGlobals())

function boot(me: Me, path: string) {
  window.history.replaceState(null, '', path)
  scriptFetch((c) => {
    if (c.path === '/api/v1/me') return { status: 200, body: me }
    if (c.path === '/api/v1/pipelines') return { status: 200, body: { items: [pipeline()] } }
    if (c.path.startsWith('/api/v1/pipelines/p1/board')) return { status: 200, body: { pipeline: pipeline(), cards: [card({ id: 'k1' })] } }
    if (c.path.startsWith('/api/v1/agenda')) return { status: 200, body: { items: [] } }
    if (c.method === 'GET') return { status: 200, body: { items: [], next_cursor: null } }
    return undefined
  })
  vi.stubGlobal('EventSource', undefined)
  return render(
    <I18nProvider initial="pt-BR">
      <App />
    </I18nProvider>,
  )
}

describe('CRM routes and navigation', () => {
  it('opens the board at /crm and moves between CRM, agenda and inbox from the header', async () => {
    const user = userEvent.setup()
    boot(crmMe(), '/crm')
    await waitFor(() => expect(window.location.pathname).toBe('/crm/p1'))
    expect(await screen.findByTestId('crm-board')).toBeInTheDocument()
    expect(screen.getByTestId('crm-link')).toHaveAttribute('aria-current', 'page')
    await user.click(screen.getByTestId('agenda-link'))
    expect(await screen.findByTestId('agenda-page')).toBeInTheDocument()
    expect(window.location.pathname).toBe('/agenda')
    await user.click(screen.getByTestId('inbox-link'))
    expect(window.location.pathname).toBe('/')
  })

  it('refuses the CRM pages without the module or crm:view', async () => {
    boot(makeMe(), '/agenda')
    expect(await screen.findByTestId('crm-unavailable')).toBeInTheDocument()
    expect(screen.queryByTestId('crm-link')).not.toBeInTheDocument()
  })

  it('shows the CRM links only with the module and crm:view', () => {
    window.history.replaceState(null, '', '/')
    const { unmount } = renderAdmin(<Header onLogout={() => undefined} />, crmMe(['crm:view']))
    expect(screen.getByTestId('crm-link')).toHaveAttribute('href', '/crm')
    expect(screen.getByTestId('agenda-link')).toHaveAttribute('href', '/agenda')
    expect(screen.getByTestId('inbox-link')).toHaveAttribute('aria-current', 'page')
    unmount()
    const noModule = crmMe(['crm:view'])
    renderAdmin(<Header onLogout={() => undefined} />, { ...noModule, account: { ...noModule.account, modules: ['api'] } })
    expect(screen.queryByTestId('crm-link')).not.toBeInTheDocument()
    expect(screen.queryByTestId('agenda-link')).not.toBeInTheDocument()
  })
})
