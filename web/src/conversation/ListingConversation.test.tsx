// A listing's questions (Mercado Livre) through the real API client, with
// fetch answered by a fake server: the listing's card, the composer's public
// answer with its character limit, the question answered, a removed question.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { ConversationView } from './ConversationView'
import { draftStore } from './composerLogic'
import type { ChannelCapabilities, ChannelKindInfo, ConversationDetail, ConversationThread, Message } from '../api/types'
import { I18nProvider } from '../i18n'
import { SessionContext, StreamContext } from '../session'
import { conv, fakeStream, makeMe, msg } from '../test/fakes'

const LISTING: ConversationThread = {
  kind: 'listing',
  key: 'item:MLB100200300',
  title: 'Tênis Aurora Corrida',
  caption: 'R$ 149,90',
  image_url: 'https://http2.mlstatic.com/D_MLB100200300-I.jpg',
  link: 'https://produto.mercadolivre.com.br/MLB100200300',
}

const caps: ChannelCapabilities = {
  window_seconds: 0,
  human_agent_window_seconds: 0,
  media: [],
  templates: false,
  receipts: false,
  threads: true,
  edits: false,
  reactions: false,
  comments: false,
  questions: true,
  max_text: 2000,
  sends_per_second: 0,
}
const ML_KIND: ChannelKindInfo = { kind: 'mercadolivre', label: 'Mercado Livre', available: true, in_plan: true, activation: true, oauth: true, capabilities: caps, settings: [] }

function detail(thread: ConversationThread | null): ConversationDetail {
  return {
    ...conv({ id: 'c-ml', channel: { id: 'ch-ml', kind: 'mercadolivre', name: 'Loja no ML' }, thread }),
    contact: {
      id: 'ct-buyer',
      name: 'COMPRADOR_E2E',
      phone: '',
      email: '',
      identities: [{ channel_id: 'ch-ml', channel_kind: 'mercadolivre', external_id: '900001' }],
      tags: [],
    },
  }
}

const Q1 = msg({ id: 'q1', conversation_id: 'c-ml', body: 'Serve no pé 42?', created_at: '2026-12-07T13:00:00Z' })
const ANSWER_ELSEWHERE = msg({
  id: 'a1',
  conversation_id: 'c-ml',
  direction: 'outbound',
  status: 'sent',
  body: 'Serve sim, a forma é normal.',
  reply_to_id: 'q1', // answered on Mercado Livre's own site
  created_at: '2026-12-07T13:05:00Z',
})
const Q2 = msg({ id: 'q2', conversation_id: 'c-ml', body: 'Tem na cor preta?', created_at: '2026-12-07T14:00:00Z' })
const BANNED = msg({ id: 'q3', conversation_id: 'c-ml', body: 'me chama no zap 11 99999-0000', revoked_at: '2026-12-07T14:10:00Z', created_at: '2026-12-07T14:05:00Z' })

interface Call {
  method: string
  path: string
  body: unknown
}

let calls: Call[]

function json(status: number, body?: unknown) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
  })
}

function server(conversation: ConversationDetail) {
  const messages: Message[] = [Q1, ANSWER_ELSEWHERE, Q2, BANNED]
  return async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET'
    const path = url.split('?')[0]
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined
    calls.push({ method, path, body })
    if (path === '/api/v1/conversations/c-ml') return json(200, conversation)
    if (path === '/api/v1/conversations/c-ml/thread') return json(200, LISTING)
    if (path === '/api/v1/contacts/ct-buyer/messages') return json(200, { items: messages, next_cursor: null })
    if (path === '/api/v1/conversations/c-ml/read') return json(204)
    if (path === '/api/v1/conversations/c-ml/messages') {
      return json(201, msg({ id: `sent-${calls.length}`, conversation_id: 'c-ml', direction: 'outbound', status: 'queued', kind: body.kind, body: body.body, created_at: '2026-12-07T15:00:00Z' }))
    }
    return json(404, { title: 'Not Found', detail: `no route ${method} ${path}` })
  }
}

function setup(opts: { thread?: ConversationThread | null; kinds?: ChannelKindInfo[] } = {}) {
  vi.stubGlobal('fetch', vi.fn(server(detail(opts.thread === undefined ? LISTING : opts.thread))))
  const onSummary = vi.fn()
  render(
    <I18nProvider initial="pt-BR">
      <SessionContext.Provider value={{ me: makeMe(), setMe: () => {} }}>
        <StreamContext.Provider value={fakeStream()}>
          <ConversationView
            id="c-ml"
            refs={{ users: [], teams: [], channels: [], quickReplies: [], kinds: opts.kinds ?? [ML_KIND] }}
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
const sends = () => calls.filter((c) => c.path === '/api/v1/conversations/c-ml/messages').map((c) => c.body)
const threadCalls = () => calls.filter((c) => c.path === '/api/v1/conversations/c-ml/thread')

beforeEach(() => {
  calls = []
  draftStore.clear()
})
afterEach(() => vi.unstubAllGlobals())

describe("a listing's questions (Mercado Livre)", () => {
  it('shows the listing above the questions and badges the header "Pergunta"', async () => {
    setup()
    await loaded()
    const card = screen.getByTestId('post-card')
    expect(card).toHaveAttribute('data-kind', 'listing')
    expect(within(card).getByTestId('post-title')).toHaveTextContent('Tênis Aurora Corrida')
    expect(within(card).getByTestId('post-price')).toHaveTextContent('R$ 149,90')
    expect(within(card).getByRole('link', { name: /Ver anúncio/ })).toHaveAttribute('href', LISTING.link)
    const badge = within(screen.getByTestId('conversation-view')).getAllByTestId('thread-badge')[0]
    expect(badge).toHaveAttribute('data-badge', 'question')
    expect(badge).toHaveTextContent('Pergunta · “Tênis Aurora Corrida”')
    expect(threadCalls()).toHaveLength(0)
  })

  it('fetches the listing when only its key is known, and tells the list', async () => {
    const { onSummary } = setup({ thread: { kind: 'listing', key: LISTING.key } })
    const card = await screen.findByTestId('post-card')
    await waitFor(() => expect(within(card).getByTestId('post-price')).toHaveTextContent('R$ 149,90'))
    expect(threadCalls()).toHaveLength(1)
    expect(onSummary).toHaveBeenCalledWith(expect.objectContaining({ id: 'c-ml', thread: expect.objectContaining({ title: 'Tênis Aurora Corrida' }) }))
  })

  it('answers publicly: the latest question by default, the one picked on its bubble when asked', async () => {
    const { user } = setup()
    await loaded()
    const input = screen.getByTestId('composer-input')
    expect(input).toHaveAttribute('placeholder', 'Sua resposta fica pública no anúncio')
    expect(screen.getByTestId('composer-counter')).toHaveTextContent('2.000 restantes')
    expect(screen.queryByTestId('composer-reply-mode')).toBeNull()

    await user.type(input, 'Temos na preta!{Enter}')
    await waitFor(() => expect(sends()).toHaveLength(1))
    expect(sends()[0]).toEqual({ body: 'Temos na preta!', kind: 'text' })

    await user.click(within(bubble('q2')).getByTestId('question-reply'))
    expect(screen.getByTestId('composer-reply-to')).toHaveTextContent('Tem na cor preta?')
    await user.type(input, 'Temos sim.{Enter}')
    await waitFor(() => expect(sends()).toHaveLength(2))
    expect(sends()[1]).toEqual({ body: 'Temos sim.', kind: 'text', reply_to_id: 'q2' })
    await waitFor(() => expect(screen.queryByTestId('composer-reply-to')).toBeNull())
  })

  it('does not send an answer over 2000 characters', async () => {
    const { user } = setup()
    await loaded()
    await user.click(screen.getByTestId('composer-input'))
    await user.paste('x'.repeat(2001))
    expect(screen.getByTestId('composer-counter')).toHaveAttribute('data-over', 'true')
    expect(screen.getByTestId('composer-too-long')).toBeInTheDocument()
    expect(screen.getByTestId('composer-send')).toBeDisabled()
    await user.keyboard('{Enter}')
    expect(sends()).toHaveLength(0)
  })

  it('offers to answer only the questions still open: not one removed by Mercado Livre, nor one answered already, nor an answer', async () => {
    setup()
    await loaded()
    expect(within(bubble('q3')).getByTestId('revoked-marker')).toHaveTextContent('Removida pelo Mercado Livre')
    expect(within(bubble('q3')).queryByTestId('question-reply')).toBeNull()
    // answered on Mercado Livre's site: the answer quotes it
    expect(within(bubble('q1')).queryByTestId('question-reply')).toBeNull()
    expect(within(bubble('a1')).getByTestId('reply-quote')).toHaveTextContent('Serve no pé 42?')
    expect(within(bubble('a1')).queryByTestId('question-reply')).toBeNull()
    expect(within(bubble('q2')).getByTestId('question-reply')).toHaveTextContent('Responder esta pergunta')
  })

  it('is still a listing when the kinds did not load: public answer, no counter', async () => {
    setup({ kinds: [] })
    await loaded()
    expect(screen.getByTestId('composer-input')).toHaveAttribute('placeholder', 'Sua resposta fica pública no anúncio')
    expect(screen.queryByTestId('composer-counter')).toBeNull()
  })
})
