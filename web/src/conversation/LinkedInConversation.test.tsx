// A LinkedIn member's conversation: the profile's card above the captured
// messages, and a composer that writes private notes only (replies are
// written in LinkedIn, by the person) — on the composer alone and through
// the conversation screen with the real API client and a fake server.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { ConversationView } from './ConversationView'
import { Composer } from './Composer'
import type { ComposerProps } from './Composer'
import { PostCard } from './PostThread'
import { draftStore } from './composerLogic'
import { api, ApiError } from '../api/client'
import type { ChannelCapabilities, ChannelKindInfo, ConversationDetail, ConversationThread, Message } from '../api/types'
import { I18nProvider } from '../i18n'
import { SessionContext, StreamContext } from '../session'
import { conv, fakeStream, makeMe, msg } from '../test/fakes'

const PROFILE: ConversationThread = {
  kind: 'profile',
  key: 'https://www.linkedin.com/in/ana-souza',
  title: 'Ana Souza',
  caption: 'Gerente de Compras · Acme',
  link: 'https://www.linkedin.com/in/ana-souza',
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
  external_replies: true,
  sends_per_second: 0,
}
const LI_KIND: ChannelKindInfo = {
  kind: 'linkedin',
  label: 'LinkedIn',
  available: true,
  in_plan: true,
  component: 'linkedin',
  activation: false,
  oauth: false,
  capabilities: caps,
  settings: [],
}

const NOTICE = 'As respostas a este contato são escritas no LinkedIn, pelo seu perfil. A próxima captura traz as novas mensagens para cá.'
const REFUSAL = 'replies to LinkedIn are written in LinkedIn, by the person; the next capture brings them here'

beforeEach(() => draftStore.clear())
afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe('PostCard of a LinkedIn profile', () => {
  function show(thread: ConversationThread, lang: 'pt-BR' | 'en' = 'pt-BR') {
    const onThread = vi.fn()
    render(
      <I18nProvider initial={lang}>
        <PostCard conversationId="c-li" thread={thread} onThread={onThread} />
      </I18nProvider>,
    )
    return { card: screen.getByTestId('post-card'), onThread }
  }

  it('shows the name, "headline · company" and a link opening the profile on LinkedIn in a new tab', () => {
    const fetchThread = vi.spyOn(api, 'conversationThread')
    const { card } = show(PROFILE)
    expect(card).toHaveAttribute('data-kind', 'profile')
    expect(card).toHaveAccessibleName('Perfil no LinkedIn')
    expect(within(card).getByTestId('profile-name')).toHaveTextContent('Ana Souza')
    expect(within(card).getByTestId('profile-headline')).toHaveTextContent('Gerente de Compras · Acme')
    const link = within(card).getByRole('link', { name: /Ver perfil no LinkedIn/ })
    expect(link).toHaveAttribute('href', 'https://www.linkedin.com/in/ana-souza')
    expect(link).toHaveAttribute('target', '_blank')
    expect(link.getAttribute('rel')).toContain('noopener')
    // not a post's or a listing's parts
    expect(within(card).queryByTestId('post-caption')).toBeNull()
    expect(within(card).queryByRole('img')).toBeNull()
    expect(fetchThread).not.toHaveBeenCalled()
  })

  it('says "View profile on LinkedIn" in English', () => {
    show(PROFILE, 'en')
    expect(screen.getByTestId('post-card')).toHaveTextContent('LinkedIn profile')
    expect(screen.getByRole('link', { name: /View profile on LinkedIn/ })).toBeInTheDocument()
  })

  it('asks GET /conversations/:id/thread once for a profile known only by its URL, and hands the answer on', async () => {
    const fetchThread = vi.spyOn(api, 'conversationThread').mockResolvedValue(PROFILE)
    const { card, onThread } = show({ kind: 'profile', key: PROFILE.key })
    expect(card).toHaveTextContent('Carregando o perfil…')
    await waitFor(() => expect(onThread).toHaveBeenCalledWith(PROFILE))
    expect(fetchThread).toHaveBeenCalledTimes(1)
    expect(fetchThread).toHaveBeenCalledWith('c-li')
  })
})

describe('Composer of a channel whose replies are written elsewhere (LinkedIn)', () => {
  function setup(props: Partial<ComposerProps> = {}) {
    const send = vi.fn<ComposerProps['send']>(async (input) => msg({ direction: 'outbound', kind: input.kind, body: input.body, status: 'sent' }))
    render(
      <I18nProvider initial="pt-BR">
        <Composer conversationId="c-li" quickReplies={[]} send={send} externalReplies={{ kind: 'linkedin', label: 'LinkedIn' }} {...props} />
      </I18nProvider>,
    )
    return { send: (props.send as typeof send) ?? send, user: userEvent.setup(), input: screen.getByTestId('composer-input') }
  }

  it('writes private notes only: the note mode on and locked, the notice saying where replies are written', async () => {
    const { send, user, input } = setup({
      templates: { channelId: 'ch-li', load: async () => [], send: async () => msg(), contactName: 'Ana Souza' },
    })
    expect(screen.getByTestId('composer-external-replies')).toHaveTextContent(NOTICE)
    const toggle = screen.getByTestId('composer-note-toggle')
    expect(toggle).toHaveAttribute('aria-pressed', 'true')
    expect(toggle).toBeDisabled()
    expect(screen.getByTestId('composer')).toHaveClass('composer-note')
    expect(input).toHaveAttribute('placeholder', 'Nota privada — visível só para a equipe')
    // no template goes out to LinkedIn either
    expect(screen.queryByTestId('composer-template')).toBeNull()

    await user.click(toggle)
    expect(toggle).toHaveAttribute('aria-pressed', 'true')
    await user.type(input, 'Ligar na segunda{Enter}')
    expect(send).toHaveBeenCalledTimes(1)
    expect(send.mock.calls[0][0]).toEqual({ body: 'Ligar na segunda', kind: 'note' })
    expect(screen.getByTestId('composer-send')).toHaveTextContent('Salvar nota')
  })

  it('says it in English', () => {
    render(
      <I18nProvider initial="en">
        <Composer conversationId="c-li" quickReplies={[]} send={vi.fn()} externalReplies={{ kind: 'linkedin', label: 'LinkedIn' }} />
      </I18nProvider>,
    )
    expect(screen.getByTestId('composer-external-replies')).toHaveTextContent(
      'Replies to this contact are written on LinkedIn, from your own profile. The next capture brings the new messages here.',
    )
  })

  it('a plain chat keeps its text sends and has no notice', () => {
    render(
      <I18nProvider initial="pt-BR">
        <Composer conversationId="c-wa" quickReplies={[]} send={vi.fn()} />
      </I18nProvider>,
    )
    expect(screen.queryByTestId('composer-external-replies')).toBeNull()
    expect(screen.getByTestId('composer-note-toggle')).toHaveAttribute('aria-pressed', 'false')
    expect(screen.getByTestId('composer-note-toggle')).toBeEnabled()
  })

  it("shows the server's refusal (422 on body) of a text send", async () => {
    const send = vi.fn<ComposerProps['send']>(async () => {
      throw new ApiError(422, { status: 422, detail: REFUSAL, field: 'body' })
    })
    render(
      <I18nProvider initial="pt-BR">
        <Composer conversationId="c-li2" quickReplies={[]} send={send} />
      </I18nProvider>,
    )
    const user = userEvent.setup()
    await user.type(screen.getByTestId('composer-input'), 'Olá Ana{Enter}')
    expect(await screen.findByTestId('composer-error')).toHaveTextContent(REFUSAL)
  })
})

describe('a LinkedIn conversation', () => {
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

  const detail: ConversationDetail = {
    ...conv({ id: 'c-li', channel: { id: 'ch-li', kind: 'linkedin', name: 'LinkedIn Vendas' }, thread: { kind: 'profile', key: PROFILE.key } }),
    contact: {
      id: 'ct-ana',
      name: 'Ana Souza',
      phone: '',
      email: '',
      identities: [{ channel_id: 'ch-li', channel_kind: 'linkedin', external_id: PROFILE.key }],
      tags: [],
    },
  }
  const captured: Message[] = [
    msg({ id: 'li-1', conversation_id: 'c-li', body: 'Olá! Vi o produto de vocês.', created_at: '2026-03-02T13:00:00Z' }),
    msg({ id: 'li-2', conversation_id: 'c-li', direction: 'outbound', status: 'sent', body: 'Oi Ana, posso te mostrar?', created_at: '2026-03-02T13:02:00Z' }),
  ]

  function setup(kinds: ChannelKindInfo[] = [LI_KIND]) {
    calls = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        const method = init?.method ?? 'GET'
        const path = url.split('?')[0]
        const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined
        calls.push({ method, path, body })
        if (path === '/api/v1/conversations/c-li') return json(200, detail)
        if (path === '/api/v1/conversations/c-li/thread') return json(200, PROFILE)
        if (path === '/api/v1/contacts/ct-ana/messages') return json(200, { items: captured, next_cursor: null })
        if (path === '/api/v1/conversations/c-li/read') return json(204)
        if (path === '/api/v1/conversations/c-li/messages') {
          if (body.kind !== 'note') return json(422, { status: 422, detail: REFUSAL, field: 'body' })
          return json(201, msg({ id: 'n1', conversation_id: 'c-li', direction: 'outbound', kind: 'note', status: 'sent', body: body.body, created_at: '2026-03-02T15:00:00Z' }))
        }
        return json(404, { title: 'Not Found', detail: `no route ${method} ${path}` })
      }),
    )
    render(
      <I18nProvider initial="pt-BR">
        <SessionContext.Provider value={{ me: makeMe(), setMe: () => {} }}>
          <StreamContext.Provider value={fakeStream()}>
            <ConversationView
              id="c-li"
              refs={{ users: [], teams: [], channels: [], quickReplies: [], kinds }}
              onSummary={vi.fn()}
              onRead={() => {}}
              onBack={() => {}}
            />
          </StreamContext.Provider>
        </SessionContext.Provider>
      </I18nProvider>,
    )
    return userEvent.setup()
  }

  const sends = () => calls.filter((c) => c.path === '/api/v1/conversations/c-li/messages').map((c) => c.body)

  it("shows the profile's card (fetched) above the captured messages, and writes notes only", async () => {
    const user = setup()
    await waitFor(() => expect(screen.getAllByTestId('message-bubble')).toHaveLength(2))
    const card = screen.getByTestId('post-card')
    await waitFor(() => expect(within(card).getByTestId('profile-name')).toHaveTextContent('Ana Souza'))
    expect(within(card).getByTestId('profile-headline')).toHaveTextContent('Gerente de Compras · Acme')
    expect(calls.filter((c) => c.path === '/api/v1/conversations/c-li/thread')).toHaveLength(1)

    expect(screen.getByTestId('composer-external-replies')).toHaveTextContent(NOTICE)
    expect(screen.getByTestId('composer-note-toggle')).toBeDisabled()
    await user.type(screen.getByTestId('composer-input'), 'Pediu proposta até sexta{Enter}')
    await waitFor(() => expect(sends()).toHaveLength(1))
    expect(sends()[0]).toEqual({ body: 'Pediu proposta até sexta', kind: 'note' })
    expect(screen.queryByTestId('composer-error')).toBeNull()
  })

  it("before the kinds are known a text send may go out: the server's refusal is shown", async () => {
    const user = setup([])
    await waitFor(() => expect(screen.getAllByTestId('message-bubble')).toHaveLength(2))
    expect(screen.queryByTestId('composer-external-replies')).toBeNull()
    await user.type(screen.getByTestId('composer-input'), 'Olá Ana{Enter}')
    expect(await screen.findByTestId('composer-error')).toHaveTextContent(REFUSAL)
    expect(sends()[0]).toEqual({ body: 'Olá Ana', kind: 'text' })
  })
})
