// A post's comment conversation (Instagram) through the real API client, with
// fetch answered by a fake server: what each action asks of which endpoint.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { ConversationView } from './ConversationView'
import { draftStore } from './composerLogic'
import type { ConversationDetail, ConversationThread, Message } from '../api/types'
import { I18nProvider } from '../i18n'
import { SessionContext, StreamContext } from '../session'
import { conv, fakeStream, makeMe, msg } from '../test/fakes'

const POST: ConversationThread = {
  kind: 'post',
  key: '17895695668004550',
  caption: 'Coleção de inverno chegou! Casacos a partir de R$ 199.\n#inverno #moda',
  image_url: 'https://cdn.example/p/17895695668004550.jpg',
  link: 'https://www.instagram.com/p/C1a2b3/',
  media_type: 'IMAGE',
}

function detail(thread: ConversationThread | null): ConversationDetail {
  return {
    ...conv({ id: 'c-ig', channel: { id: 'ch-ig', kind: 'instagram', name: 'Instagram Loja' }, thread }),
    contact: { id: 'ct-bia', name: 'Bia Rocha', phone: '', email: '', identities: [], tags: [] },
  }
}

const COMMENT = msg({ id: 'k1', conversation_id: 'c-ig', kind: 'comment', body: 'Tem no tamanho M?', created_at: '2025-06-01T12:00:00Z' })
const PUBLIC_ANSWER = msg({
  id: 'k2',
  conversation_id: 'c-ig',
  kind: 'comment',
  direction: 'outbound',
  status: 'sent',
  body: 'Tem sim! Te chamei no Direct.',
  author: { id: 'u-ana', name: 'Ana' },
  reply_to_id: 'k1',
  created_at: '2025-06-01T12:01:00Z',
})
const PRIVATE_ANSWER = msg({
  id: 'k3',
  conversation_id: 'c-ig',
  direction: 'outbound',
  status: 'sent',
  body: 'Oi Bia! O M custa R$ 199.',
  author: { id: 'u-ana', name: 'Ana' },
  created_at: '2025-06-01T12:02:00Z',
})
const LATER_COMMENT = msg({ id: 'k4', conversation_id: 'c-ig', kind: 'comment', body: 'E o G?', created_at: '2025-06-01T12:05:00Z' })

interface Call {
  method: string
  path: string
  body: unknown
}

let calls: Call[]
let threadAnswer: () => Response

function json(status: number, body?: unknown) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
  })
}

/** What the Go API answers; the moderation endpoints can be made to fail. */
function server(conversation: ConversationDetail, failures: Record<string, Response> = {}) {
  const messages = new Map<string, Message>([COMMENT, PUBLIC_ANSWER, PRIVATE_ANSWER, LATER_COMMENT].map((m) => [m.id, m]))
  return async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET'
    const path = url.split('?')[0]
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined
    calls.push({ method, path, body })
    const failure = failures[`${method} ${path}`]
    if (failure) return failure
    if (path === '/api/v1/conversations/c-ig') return json(200, conversation)
    if (path === '/api/v1/conversations/c-ig/thread') return threadAnswer()
    if (path === '/api/v1/contacts/ct-bia/messages') return json(200, { items: [...messages.values()], next_cursor: null })
    if (path === '/api/v1/conversations/c-ig/read') return json(204)
    if (path === '/api/v1/conversations/c-ig/messages') {
      return json(201, msg({ id: `sent-${calls.length}`, conversation_id: 'c-ig', direction: 'outbound', status: 'queued', kind: body.kind, body: body.body, created_at: '2025-06-01T13:00:00Z' }))
    }
    const hide = path.match(/^\/api\/v1\/messages\/(\w+)\/hide$/)
    if (hide && method === 'POST') {
      const m = { ...messages.get(hide[1])!, hidden_at: body.hidden ? '2025-06-01T12:30:00Z' : null }
      messages.set(m.id, m)
      return json(200, m)
    }
    const del = path.match(/^\/api\/v1\/messages\/(\w+)$/)
    if (del && method === 'DELETE') {
      const m = { ...messages.get(del[1])!, revoked_at: '2025-06-01T12:40:00Z' }
      messages.set(m.id, m)
      return json(200, m)
    }
    return json(404, { title: 'Not Found', detail: `no route ${method} ${path}` })
  }
}

function setup(opts: { thread?: ConversationThread | null; failures?: Record<string, Response>; permissions?: string[] } = {}) {
  const conversation = detail(opts.thread === undefined ? POST : opts.thread)
  vi.stubGlobal('fetch', vi.fn(server(conversation, opts.failures)))
  const me = makeMe(opts.permissions ? { permissions: opts.permissions } : {})
  const onSummary = vi.fn()
  render(
    <I18nProvider initial="pt-BR">
      <SessionContext.Provider value={{ me, setMe: () => {} }}>
        <StreamContext.Provider value={fakeStream()}>
          <ConversationView
            id="c-ig"
            refs={{ users: [], teams: [], channels: [], quickReplies: [] }}
            onSummary={onSummary}
            onRead={() => {}}
            onBack={() => {}}
          />
        </StreamContext.Provider>
      </SessionContext.Provider>
    </I18nProvider>,
  )
  return { user: userEvent.setup(), onSummary }
}

const bubble = (id: string) => screen.getAllByTestId('message-bubble').find((b) => b.getAttribute('data-id') === id)!
const loaded = () => waitFor(() => expect(screen.getAllByTestId('message-bubble')).toHaveLength(4))
const sends = () => calls.filter((c) => c.path === '/api/v1/conversations/c-ig/messages').map((c) => c.body)
// the view also marks the conversation read on a timer: look at one endpoint's calls
const hides = () => calls.filter((c) => c.path.endsWith('/hide'))
const threadCalls = () => calls.filter((c) => c.path === '/api/v1/conversations/c-ig/thread')

beforeEach(() => {
  calls = []
  threadAnswer = () => json(200, POST)
  draftStore.clear()
})
afterEach(() => vi.unstubAllGlobals())

describe('a post comment conversation', () => {
  it('labels comments, the public answer and the private reply, and badges the header', async () => {
    setup()
    await loaded()
    expect(bubble('k1')).toHaveClass('bubble-comment')
    expect(within(bubble('k1')).getByTestId('message-label')).toHaveTextContent('Comentário público')
    expect(within(bubble('k2')).getByTestId('message-label')).toHaveTextContent('Comentário público')
    expect(within(bubble('k3')).getByTestId('message-label')).toHaveTextContent('Resposta privada (Direct)')
    expect(bubble('k3')).not.toHaveClass('bubble-comment')
    // the header says what the conversation is, with the post's caption
    const badge = within(screen.getByTestId('conversation-view')).getAllByTestId('thread-badge')[0]
    expect(badge).toHaveAttribute('data-badge', 'comment')
    expect(badge).toHaveTextContent('Comentário · “Coleção de inverno chegou! Casacos a…”')
  })

  it('answers publicly by default, a chosen comment when asked, and privately when switched', async () => {
    const { user } = setup()
    await loaded()
    const input = screen.getByTestId('composer-input')
    expect(screen.getByTestId('composer-reply-public')).toHaveAttribute('aria-pressed', 'true')
    expect(input).toHaveAttribute('placeholder', 'Resposta pública — todos veem na publicação')

    // no comment chosen: the server answers the latest
    await user.type(input, 'Temos sim!{Enter}')
    await waitFor(() => expect(sends()).toHaveLength(1))
    expect(sends()[0]).toEqual({ body: 'Temos sim!', kind: 'comment' })

    // "Responder" on the first comment: quoted above the composer, sent as reply_to_id, then forgotten
    await user.click(within(bubble('k1')).getByTestId('comment-reply'))
    const quote = screen.getByTestId('composer-reply-to')
    expect(quote).toHaveAttribute('data-reply-to', 'k1')
    expect(quote).toHaveTextContent('Respondendo a Bia Rocha')
    expect(quote).toHaveTextContent('Tem no tamanho M?')
    expect(input).toHaveFocus()
    await user.type(input, 'Tem no M e no G.{Enter}')
    await waitFor(() => expect(sends()).toHaveLength(2))
    expect(sends()[1]).toEqual({ body: 'Tem no M e no G.', kind: 'comment', reply_to_id: 'k1' })
    await waitFor(() => expect(screen.queryByTestId('composer-reply-to')).toBeNull())

    // privately (Direct), answering the later comment
    await user.click(within(bubble('k4')).getByTestId('comment-reply'))
    await user.click(screen.getByTestId('composer-reply-private'))
    expect(screen.getByTestId('composer-reply-private')).toHaveAttribute('aria-pressed', 'true')
    await user.type(input, 'Oi Bia, te passo o link do G.{Enter}')
    await waitFor(() => expect(sends()).toHaveLength(3))
    expect(sends()[2]).toEqual({ body: 'Oi Bia, te passo o link do G.', kind: 'text', reply_to_id: 'k4' })
  })

  it('forgets the chosen comment when the agent cancels it', async () => {
    const { user } = setup()
    await loaded()
    await user.click(within(bubble('k1')).getByTestId('comment-reply'))
    await user.click(screen.getByTestId('composer-cancel-reply'))
    expect(screen.queryByTestId('composer-reply-to')).toBeNull()
    await user.type(screen.getByTestId('composer-input'), 'Oi!{Enter}')
    await waitFor(() => expect(sends()).toEqual([{ body: 'Oi!', kind: 'comment' }]))
  })

  it('hides a comment on Instagram and shows it again', async () => {
    const { user } = setup()
    await loaded()
    expect(within(bubble('k1')).queryByTestId('hidden-marker')).toBeNull()
    await user.click(within(bubble('k1')).getByTestId('comment-hide'))
    await waitFor(() => expect(within(bubble('k1')).getByTestId('hidden-marker')).toHaveTextContent('Oculto no Instagram'))
    expect(hides()).toEqual([{ method: 'POST', path: '/api/v1/messages/k1/hide', body: { hidden: true } }])
    expect(bubble('k1')).toHaveAttribute('data-hidden', 'true')

    await user.click(within(bubble('k1')).getByTestId('comment-hide'))
    await waitFor(() => expect(within(bubble('k1')).queryByTestId('hidden-marker')).toBeNull())
    expect(hides()[1]).toEqual({ method: 'POST', path: '/api/v1/messages/k1/hide', body: { hidden: false } })
    expect(within(bubble('k1')).getByTestId('comment-hide')).toHaveTextContent('Ocultar')
  })

  it("shows Instagram's refusal to hide a comment", async () => {
    const { user } = setup({
      failures: { 'POST /api/v1/messages/k1/hide': json(502, { title: 'Bad Gateway', detail: 'instagram: the comment no longer exists' }) },
    })
    await loaded()
    await user.click(within(bubble('k1')).getByTestId('comment-hide'))
    expect(await within(bubble('k1')).findByTestId('comment-action-error')).toHaveTextContent('instagram: the comment no longer exists')
    expect(within(bubble('k1')).queryByTestId('hidden-marker')).toBeNull()
  })

  it('deletes a comment only after confirmation', async () => {
    const { user } = setup()
    await loaded()
    await user.click(within(bubble('k1')).getByTestId('comment-delete'))
    const dialog = screen.getByTestId('confirm-dialog')
    expect(dialog).toHaveTextContent('Tem no tamanho M?')
    await user.click(within(dialog).getByTestId('confirm-cancel'))
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false)

    await user.click(within(bubble('k1')).getByTestId('comment-delete'))
    await user.click(within(screen.getByTestId('confirm-dialog')).getByTestId('confirm-ok'))
    await waitFor(() => expect(within(bubble('k1')).getByTestId('revoked-marker')).toHaveTextContent('Excluído do Instagram'))
    expect(calls.filter((c) => c.method === 'DELETE')).toEqual([{ method: 'DELETE', path: '/api/v1/messages/k1', body: undefined }])
    expect(screen.queryByTestId('confirm-dialog')).toBeNull()
    // a deleted comment can no longer be answered or moderated
    expect(within(bubble('k1')).queryByTestId('comment-actions')).toBeNull()
  })

  it('keeps the dialog open with the reason when the deletion is refused', async () => {
    const { user } = setup({ failures: { 'DELETE /api/v1/messages/k1': json(403, { title: 'Forbidden', detail: 'the channel lacks instagram_manage_comments' }) } })
    await loaded()
    await user.click(within(bubble('k1')).getByTestId('comment-delete'))
    await user.click(screen.getByTestId('confirm-ok'))
    expect(await screen.findByTestId('confirm-error')).toHaveTextContent('the channel lacks instagram_manage_comments')
    expect(within(bubble('k1')).queryByTestId('revoked-marker')).toBeNull()
  })

  it('offers no moderation to an agent who cannot reply', async () => {
    setup({ permissions: ['conversations:view:all'] })
    await loaded()
    expect(screen.queryByTestId('comment-actions')).toBeNull()
  })

  it("fetches the post when its caption and image are not known, and tells the list", async () => {
    const { onSummary } = setup({ thread: { kind: 'post', key: POST.key } })
    const card = await screen.findByTestId('post-card')
    await waitFor(() => expect(within(card).getByTestId('post-caption')).toHaveTextContent('Coleção de inverno chegou!'))
    expect(threadCalls()).toHaveLength(1)
    expect(within(card).getByRole('img')).toHaveAttribute('src', POST.image_url)
    expect(within(card).getByTestId('post-link')).toHaveAttribute('href', POST.link)
    expect(onSummary).toHaveBeenCalledWith(expect.objectContaining({ id: 'c-ig', thread: expect.objectContaining({ caption: POST.caption }) }))
  })

  it('does not ask for a post it already knows', async () => {
    setup()
    expect(await screen.findByTestId('post-caption')).toHaveTextContent('Coleção de inverno chegou!')
    expect(threadCalls()).toHaveLength(0)
  })

  it('shows only the kind of thread when Instagram does not describe the post', async () => {
    threadAnswer = () => json(502, { title: 'Bad Gateway', detail: 'instagram: media not found' })
    setup({ thread: { kind: 'post', key: POST.key } })
    const card = await screen.findByTestId('post-card')
    await waitFor(() => expect(threadCalls()).toHaveLength(1))
    await waitFor(() => expect(card).not.toHaveTextContent('Carregando'))
    expect(card).toHaveTextContent('Publicação')
    expect(within(card).queryByRole('img')).toBeNull()
    expect(within(card).queryByTestId('post-caption')).toBeNull()
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('is a plain chat without a post: no card, no reply modes', async () => {
    setup({ thread: null })
    await loaded()
    expect(screen.queryByTestId('post-card')).toBeNull()
    expect(screen.queryByTestId('composer-reply-mode')).toBeNull()
    expect(within(bubble('k3')).queryByTestId('message-label')).toBeNull()
  })
})
