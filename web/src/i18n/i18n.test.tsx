import { describe, expect, it } from 'vitest'
import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { I18nProvider, LANG_STORAGE_KEY, translate, useI18n } from '.'
import { LanguageSelect } from '../layout/LanguageSelect'
import ptBR from './pt-BR'
import en from './en'

function Probe() {
  const { t } = useI18n()
  return <p data-testid="probe">{t('login.submit')}</p>
}

describe('i18n', () => {
  it('speaks Brazilian Portuguese by default and switches to English, remembering the choice', async () => {
    const user = userEvent.setup()
    const { unmount } = render(
      <I18nProvider>
        <LanguageSelect />
        <Probe />
      </I18nProvider>,
    )
    expect(screen.getByTestId('probe')).toHaveTextContent('Entrar')
    await user.selectOptions(screen.getByTestId('language-select'), 'en')
    expect(screen.getByTestId('probe')).toHaveTextContent('Sign in')
    expect(localStorage.getItem(LANG_STORAGE_KEY)).toBe('en')
    expect(document.documentElement.lang).toBe('en')
    unmount()

    render(
      <I18nProvider>
        <Probe />
      </I18nProvider>,
    )
    expect(screen.getByTestId('probe')).toHaveTextContent('Sign in')
  })

  it('fills in parameters', () => {
    expect(translate('pt-BR', 'inbox.unread', { n: 3 })).toBe('3 não lidas')
    expect(translate('en', 'composer.notSent', { detail: 'x' })).toBe('Message not sent: x')
  })

  it('has an English text for every Portuguese key, none left empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ptBR).sort())
    for (const [k, v] of Object.entries(en)) expect(v, k).not.toBe('')
  })
})
