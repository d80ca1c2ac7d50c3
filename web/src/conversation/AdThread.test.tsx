import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { I18nProvider } from '../i18n'
import { PostCard } from './PostThread'

describe('OLX ad card', () => {
  it('shows the ad number and says OLX gives nothing more', () => {
    render(
      <I18nProvider initial="pt-BR">
        <PostCard conversationId="c1" thread={{ kind: 'ad', key: 'ad:1234567890:chat-77', title: 'Anúncio 1234567890' }} onThread={() => {}} />
      </I18nProvider>,
    )
    expect(screen.getByTestId('post-card')).toHaveAttribute('data-kind', 'ad')
    expect(screen.getByTestId('ad-title')).toHaveTextContent('Anúncio 1234567890')
    expect(screen.getByText(/só o número do anúncio/)).toBeInTheDocument()
  })
})
