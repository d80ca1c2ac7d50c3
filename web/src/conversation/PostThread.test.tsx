import { afterEach, describe, expect, it, vi } from 'vitest'
import { fireEvent, render, screen } from '@testing-library/react'
import { PostCard } from './PostThread'
import { api } from '../api/client'
import type { ConversationThread } from '../api/types'
import { I18nProvider } from '../i18n'

afterEach(() => vi.restoreAllMocks())

function show(thread: ConversationThread, lang: 'pt-BR' | 'en' = 'pt-BR') {
  const fetchThread = vi.spyOn(api, 'conversationThread')
  const onThread = vi.fn()
  render(
    <I18nProvider initial={lang}>
      <PostCard conversationId="c-ig" thread={thread} onThread={onThread} />
    </I18nProvider>,
  )
  return { card: screen.getByTestId('post-card'), fetchThread, onThread }
}

describe('PostCard', () => {
  it('shows the post from the thread: thumbnail, caption and a link opening Instagram in a new tab', () => {
    const caption = 'Chegaram as novas cores do tênis Aurora!\nComente "quero" para receber o link.'
    const { card, fetchThread } = show({
      kind: 'post',
      key: '1789',
      caption,
      image_url: 'https://cdn.example/1789.jpg',
      link: 'https://www.instagram.com/p/Cxyz/',
      media_type: 'IMAGE',
    })
    expect(card).toHaveTextContent('Publicação')
    expect(screen.getByRole('img', { name: 'Publicação' })).toHaveAttribute('src', 'https://cdn.example/1789.jpg')
    const text = screen.getByTestId('post-caption')
    expect(text.textContent).toBe(caption)
    expect(text).toHaveClass('post-card-caption') // clamped to two lines by the stylesheet; the whole caption in the tooltip
    expect(text).toHaveAttribute('title', caption)
    const link = screen.getByRole('link', { name: /Ver publicação/ })
    expect(link).toHaveAttribute('href', 'https://www.instagram.com/p/Cxyz/')
    expect(link).toHaveAttribute('target', '_blank')
    expect(link).toHaveAttribute('rel', 'noreferrer')
    expect(fetchThread).not.toHaveBeenCalled()
  })

  it('drops a thumbnail whose address no longer loads (Instagram image links expire)', () => {
    show({ kind: 'post', key: '1789', caption: 'Oi', image_url: 'https://cdn.example/expired.jpg' }, 'en')
    fireEvent.error(screen.getByRole('img', { name: 'Post' }))
    expect(screen.queryByRole('img')).toBeNull()
    expect(screen.getByTestId('post-caption')).toHaveTextContent('Oi')
  })

  it('has no link when the thread has none', () => {
    show({ kind: 'post', key: '1789', caption: 'Oi' })
    expect(screen.queryByTestId('post-link')).toBeNull()
  })
})
