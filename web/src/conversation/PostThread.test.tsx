import { afterEach, describe, expect, it, vi } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
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

describe('PostCard of a listing (Mercado Livre)', () => {
  const LISTING: ConversationThread = {
    kind: 'listing',
    key: 'item:MLB100200300',
    title: 'Tênis Aurora Corrida',
    caption: 'R$ 1.249,90',
    image_url: 'https://http2.mlstatic.com/D_MLB100200300-I.jpg',
    link: 'https://produto.mercadolivre.com.br/MLB100200300',
  }

  it('shows the listing: photo, title, price and a link "Ver anúncio" opening Mercado Livre in a new tab', () => {
    const { card, fetchThread } = show(LISTING)
    expect(card).toHaveAttribute('data-kind', 'listing')
    expect(card).toHaveAccessibleName('Anúncio')
    expect(card).toHaveTextContent('Anúncio')
    expect(screen.getByRole('img', { name: 'Tênis Aurora Corrida' })).toHaveAttribute('src', 'https://http2.mlstatic.com/D_MLB100200300-I.jpg')
    expect(screen.getByTestId('post-title')).toHaveTextContent('Tênis Aurora Corrida')
    expect(screen.getByTestId('post-price')).toHaveTextContent('R$ 1.249,90')
    // the price is not a post's caption
    expect(screen.queryByTestId('post-caption')).toBeNull()
    const link = screen.getByRole('link', { name: /Ver anúncio/ })
    expect(link).toHaveAttribute('href', 'https://produto.mercadolivre.com.br/MLB100200300')
    expect(link).toHaveAttribute('target', '_blank')
    expect(link).toHaveAttribute('rel', 'noreferrer')
    expect(fetchThread).not.toHaveBeenCalled()
  })

  it('says "View listing" in English', () => {
    show(LISTING, 'en')
    expect(screen.getByTestId('post-card')).toHaveTextContent('Listing')
    expect(screen.getByRole('link', { name: /View listing/ })).toBeInTheDocument()
  })

  it('asks GET /conversations/:id/thread once for a listing known only by its key, and hands the answer on', async () => {
    const fetchThread = vi.spyOn(api, 'conversationThread').mockResolvedValue(LISTING)
    const onThread = vi.fn()
    render(
      <I18nProvider initial="pt-BR">
        <PostCard conversationId="c-ml" thread={{ kind: 'listing', key: 'item:MLB100200300' }} onThread={onThread} />
      </I18nProvider>,
    )
    expect(screen.getByTestId('post-card')).toHaveTextContent('Carregando o anúncio…')
    await waitFor(() => expect(onThread).toHaveBeenCalledWith(LISTING))
    expect(fetchThread).toHaveBeenCalledTimes(1)
    expect(fetchThread).toHaveBeenCalledWith('c-ml')
  })
})
