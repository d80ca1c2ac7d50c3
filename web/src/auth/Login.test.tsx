import { describe, expect, it, vi } from 'vitest'
import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Login } from './Login'
import { ApiError } from '../api/client'
import { I18nProvider } from '../i18n'
import { makeMe } from '../test/fakes'

function setup(login: (e: string, p: string) => Promise<ReturnType<typeof makeMe>>) {
  const onLoggedIn = vi.fn()
  render(
    <I18nProvider initial="pt-BR">
      <Login onLoggedIn={onLoggedIn} login={login} />
    </I18nProvider>,
  )
  return { onLoggedIn }
}

async function fill(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByTestId('login-email'), ' ana@loja.com.br ')
  await user.type(screen.getByTestId('login-password'), 'segredo')
  await user.click(screen.getByTestId('login-submit'))
}

describe('Login', () => {
  it('signs in with the typed credentials', async () => {
    const user = userEvent.setup()
    const me = makeMe()
    const login = vi.fn(async () => me)
    const { onLoggedIn } = setup(login)
    await fill(user)
    expect(login).toHaveBeenCalledWith('ana@loja.com.br', 'segredo')
    expect(onLoggedIn).toHaveBeenCalledWith(me)
  })

  it("shows the server's detail for a wrong password", async () => {
    const user = userEvent.setup()
    setup(async () => {
      throw new ApiError(401, { detail: 'e-mail ou senha inválidos' })
    })
    await fill(user)
    expect(await screen.findByTestId('login-error')).toHaveTextContent('e-mail ou senha inválidos')
    expect(screen.getByTestId('login-submit')).toBeEnabled()
  })

  it('lists who holds the seats when the seat limit is reached', async () => {
    const user = userEvent.setup()
    setup(async () => {
      throw new ApiError(409, {
        detail: 'seat limit reached (2 of 2)',
        holders: [
          { name: 'Bia Santos', email: 'bia@loja.com.br', since: '2025-03-01T08:00:00Z' },
          { name: 'Caio Melo', email: 'caio@loja.com.br', since: '2025-03-01T09:30:00Z' },
        ],
      })
    })
    await fill(user)
    expect(await screen.findByTestId('login-error')).toHaveTextContent('seat limit reached (2 of 2)')
    const holders = screen.getByTestId('login-seat-holders')
    expect(holders).toHaveTextContent('Bia Santos')
    expect(holders).toHaveTextContent('caio@loja.com.br')
  })

  it('says when to try again after a lock-out', async () => {
    const user = userEvent.setup()
    setup(async () => {
      throw new ApiError(429, { detail: 'too many failed attempts' }, 300)
    })
    await fill(user)
    expect(await screen.findByTestId('login-error')).toHaveTextContent('too many failed attempts')
    expect(screen.getByTestId('login-retry-after')).toHaveTextContent('Tente novamente em 5 min.')
  })
})
