import { describe, expect, it, vi } from 'vitest'
import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { InboxList } from './InboxList'
import { DEFAULT_FILTERS } from './inboxLogic'
import type { InboxFilters } from './inboxLogic'
import { useInbox } from './useInbox'
import type { InboxDeps } from './useInbox'
import { I18nProvider } from '../i18n'
import { StreamContext } from '../session'
import type { ConversationDetail, ConversationSummary, MessageCreatedEvent } from '../api/types'
import { conv, fakeStream, msg } from '../test/fakes'
import type { FakeStream } from '../test/fakes'

const ME = 'u-ana'

function detail(c: ConversationSummary): ConversationDetail {
  return { ...c, contact: { ...c.contact, phone: '', email: '', identities: [], tags: [] } }
}

function Harness(props: { initial: InboxFilters; openId: string | null; deps: InboxDeps; onAlert: () => void }) {
  const [filters, setFilters] = useState(props.initial)
  const inbox = useInbox(filters, { userId: ME, teamIds: null, openId: props.openId, onAlert: props.onAlert }, props.deps)
  return (
    <InboxList
      filters={filters}
      onFilters={setFilters}
      views={['mine', 'unassigned', 'team', 'all']}
      channels={[{ id: 'ch-wa', kind: 'whatsapp', name: 'WhatsApp Vendas' }]}
      items={inbox.items}
      loading={inbox.loading}
      error={inbox.error}
      hasMore={inbox.hasMore}
      onLoadMore={inbox.loadMore}
      openId={props.openId}
    />
  )
}

function setup(opts: { rows: ConversationSummary[]; filters?: Partial<InboxFilters>; openId?: string | null; server?: ConversationSummary[] }) {
  const stream: FakeStream = fakeStream()
  const server = [...opts.rows, ...(opts.server ?? [])]
  const deps = {
    conversations: vi.fn<InboxDeps['conversations']>(async () => ({ items: opts.rows, next_cursor: null })),
    conversation: vi.fn<InboxDeps['conversation']>(async (id) => {
      const c = server.find((x) => x.id === id)
      if (!c) throw new Error('not found')
      return detail(c)
    }),
  }
  const onAlert = vi.fn()
  render(
    <I18nProvider initial="pt-BR">
      <StreamContext.Provider value={stream}>
        <Harness
          initial={{ ...DEFAULT_FILTERS, view: 'all', status: 'open', ...opts.filters }}
          openId={opts.openId ?? null}
          deps={deps}
          onAlert={onAlert}
        />
      </StreamContext.Provider>
    </I18nProvider>,
  )
  return { stream, deps, onAlert }
}

const rowIds = () => screen.queryAllByTestId('conversation-row').map((r) => r.getAttribute('data-id'))
const badge = (id: string) => {
  const row = screen.getAllByTestId('conversation-row').find((r) => r.getAttribute('data-id') === id)!
  return within(row).queryByTestId('unread-badge')?.textContent ?? null
}

function created(over: Partial<MessageCreatedEvent>): MessageCreatedEvent {
  return { ...msg(over), contact_id: over.contact_id ?? 'ct' }
}

const at = (iso: string) => ({ body: 'oi', direction: 'inbound' as const, created_at: iso })

describe('Inbox list (live)', () => {
  it('loads the first page for the active tab and filters', async () => {
    const { deps } = setup({ rows: [conv({ id: 'a' })] })
    await waitFor(() => expect(rowIds()).toEqual(['a']))
    expect(new URLSearchParams(deps.conversations.mock.calls[0][0]).get('view')).toBe('all')
    await userEvent.click(screen.getByTestId('view-unassigned'))
    await waitFor(() => expect(deps.conversations).toHaveBeenCalledTimes(2))
    expect(new URLSearchParams(deps.conversations.mock.calls[1][0]).get('view')).toBe('unassigned')
  })

  it('adds a brand-new conversation at the top when its first message arrives', async () => {
    const fresh = conv({ id: 'new', contact: { id: 'ct9', name: 'Joana Lima' }, unread: 1, last_message: at('2025-03-01T13:00:00Z') })
    const { stream, deps, onAlert } = setup({
      rows: [conv({ id: 'a', last_message: at('2025-03-01T12:00:00Z') })],
      server: [fresh],
    })
    await waitFor(() => expect(rowIds()).toEqual(['a']))
    act(() => stream.emit({ type: 'message.created', data: created({ conversation_id: 'new', created_at: '2025-03-01T13:00:00Z' }) }))
    await waitFor(() => expect(rowIds()).toEqual(['new', 'a']))
    expect(deps.conversation).toHaveBeenCalledWith('new')
    expect(screen.getAllByTestId('conversation-row')[0]).toHaveTextContent('Joana Lima')
    expect(badge('new')).toBe('1')
    expect(onAlert).toHaveBeenCalledTimes(1)
  })

  it('moves a known conversation to the top and bumps its unread badge', async () => {
    const { stream, onAlert } = setup({
      rows: [conv({ id: 'a', last_message: at('2025-03-01T12:00:00Z') }), conv({ id: 'b', unread: 1, last_message: at('2025-03-01T11:00:00Z') })],
    })
    await waitFor(() => expect(rowIds()).toEqual(['a', 'b']))
    act(() =>
      stream.emit({ type: 'message.created', data: created({ conversation_id: 'b', body: 'Ainda aguardo', created_at: '2025-03-01T12:30:00Z' }) }),
    )
    expect(rowIds()).toEqual(['b', 'a'])
    expect(badge('b')).toBe('2')
    expect(screen.getAllByTestId('conversation-row')[0]).toHaveTextContent('Ainda aguardo')
    expect(onAlert).toHaveBeenCalledTimes(1)
  })

  it('does not badge the conversation that is open', async () => {
    const { stream } = setup({
      rows: [conv({ id: 'a', last_message: at('2025-03-01T12:00:00Z') }), conv({ id: 'b', last_message: at('2025-03-01T11:00:00Z') })],
      openId: 'b',
    })
    await waitFor(() => expect(rowIds()).toEqual(['a', 'b']))
    act(() => stream.emit({ type: 'message.created', data: created({ conversation_id: 'b', created_at: '2025-03-01T12:30:00Z' }) }))
    expect(rowIds()).toEqual(['b', 'a'])
    expect(badge('b')).toBeNull()
  })

  it('drops a conversation that no longer belongs to "Mine" after conversation.updated', async () => {
    const mineA = conv({ id: 'a', assignee: { id: ME, name: 'Ana' } })
    const mineB = conv({ id: 'b', assignee: { id: ME, name: 'Ana' } })
    const { stream } = setup({ rows: [mineA, mineB], filters: { view: 'mine' } })
    await waitFor(() => expect(rowIds()).toEqual(['a', 'b']))
    act(() => stream.emit({ type: 'conversation.updated', data: { ...mineA, assignee: { id: 'u-bia', name: 'Bia' } } }))
    expect(rowIds()).toEqual(['b'])
    act(() => stream.emit({ type: 'conversation.updated', data: { ...mineB, status: 'closed' } }))
    expect(rowIds()).toEqual([])
  })

  it('does not add a new conversation that is outside the active view, nor alert for it', async () => {
    const someoneElses = conv({ id: 'x', assignee: { id: 'u-bia', name: 'Bia' } })
    const { stream, deps, onAlert } = setup({ rows: [], filters: { view: 'mine' }, server: [someoneElses] })
    await waitFor(() => expect(deps.conversations).toHaveBeenCalled())
    act(() => stream.emit({ type: 'message.created', data: created({ conversation_id: 'x' }) }))
    await waitFor(() => expect(deps.conversation).toHaveBeenCalledWith('x'))
    await new Promise((r) => setTimeout(r, 10))
    expect(rowIds()).toEqual([])
    expect(onAlert).not.toHaveBeenCalled()
  })

  it('reloads the list when the stream reconnects', async () => {
    const { stream, deps } = setup({ rows: [conv({ id: 'a' })] })
    await waitFor(() => expect(deps.conversations).toHaveBeenCalledTimes(1))
    act(() => stream.reconnect())
    await waitFor(() => expect(deps.conversations).toHaveBeenCalledTimes(2))
  })

  it('sends the chosen filters to the server', async () => {
    const user = userEvent.setup()
    const { deps } = setup({ rows: [] })
    await waitFor(() => expect(deps.conversations).toHaveBeenCalledTimes(1))
    await user.click(screen.getByTestId('filters-toggle'))
    await user.selectOptions(screen.getByTestId('filter-priority'), 'urgent')
    await user.selectOptions(screen.getByTestId('filter-channel'), 'ch-wa')
    await waitFor(() => {
      const last = new URLSearchParams(deps.conversations.mock.lastCall![0])
      expect(last.get('priority')).toBe('urgent')
      expect(last.get('channel_id')).toBe('ch-wa')
    })
  })
})

describe('Inbox list badges (comments and Direct)', () => {
  const caps = { window_seconds: 0, human_agent_window_seconds: 0, media: [], templates: false, receipts: false, threads: true, edits: false, reactions: false, sends_per_second: 0 }
  const KINDS = [
    { kind: 'instagram', label: 'Instagram', available: true, in_plan: true, activation: true, oauth: true, capabilities: { ...caps, comments: true }, settings: [] },
    { kind: 'whatsapp', label: 'WhatsApp', available: true, in_plan: true, activation: true, oauth: false, capabilities: { ...caps, comments: false }, settings: [] },
  ]
  const ig = { id: 'ch-ig', kind: 'instagram', name: 'Instagram Loja' }

  it('tells a comment on a post (with its caption) from a Direct message at a glance', () => {
    const items = [
      conv({ id: 'post', channel: ig, thread: { kind: 'post', key: '1789', caption: 'Promoção de Dia das Mães: 20% em todas as bolsas de couro até domingo' } }),
      conv({ id: 'post-unknown', channel: ig, thread: { kind: 'post', key: '1790' } }),
      conv({ id: 'dm', channel: ig, thread: null }),
      conv({ id: 'wa' }),
    ]
    render(
      <I18nProvider initial="pt-BR">
        <InboxList
          filters={DEFAULT_FILTERS}
          onFilters={() => {}}
          views={['mine']}
          channels={[]}
          items={items}
          loading={false}
          error={null}
          hasMore={false}
          onLoadMore={() => {}}
          openId={null}
          kinds={KINDS}
        />
      </I18nProvider>,
    )
    const badgeOf = (id: string) => within(screen.getAllByTestId('conversation-row').find((r) => r.getAttribute('data-id') === id)!).queryByTestId('thread-badge')
    expect(badgeOf('post')).toHaveAttribute('data-badge', 'comment')
    expect(badgeOf('post')).toHaveTextContent('Comentário · “Promoção de Dia das Mães: 20% em todas…”')
    expect(badgeOf('post')).toHaveAttribute('title', 'Promoção de Dia das Mães: 20% em todas as bolsas de couro até domingo')
    expect(badgeOf('post-unknown')).toHaveTextContent(/^💬 Comentário$/)
    expect(badgeOf('dm')).toHaveAttribute('data-badge', 'direct')
    expect(badgeOf('dm')).toHaveTextContent('Direct')
    expect(badgeOf('wa')).toBeNull()
  })

  it('marks a listing\'s questions (Mercado Livre) "Pergunta", with the listing\'s title once known', () => {
    const ml = { id: 'ch-ml', kind: 'mercadolivre', name: 'Loja no ML' }
    const kinds = [...KINDS, { kind: 'mercadolivre', label: 'Mercado Livre', available: true, in_plan: true, activation: true, oauth: true,
      capabilities: { ...caps, comments: false, questions: true, max_text: 2000 }, settings: [] }]
    const items = [
      conv({ id: 'q', channel: ml, thread: { kind: 'listing', key: 'item:MLB100200300', title: 'Tênis Aurora Corrida Masculino Leve e Confortável', caption: 'R$ 149,90' } }),
      conv({ id: 'q-unknown', channel: ml, thread: { kind: 'listing', key: 'item:MLB100200301' } }),
    ]
    render(
      <I18nProvider initial="pt-BR">
        <InboxList
          filters={DEFAULT_FILTERS}
          onFilters={() => {}}
          views={['mine']}
          channels={[]}
          items={items}
          loading={false}
          error={null}
          hasMore={false}
          onLoadMore={() => {}}
          openId={null}
          kinds={kinds}
        />
      </I18nProvider>,
    )
    const badgeOf = (id: string) => within(screen.getAllByTestId('conversation-row').find((r) => r.getAttribute('data-id') === id)!).getByTestId('thread-badge')
    expect(badgeOf('q')).toHaveAttribute('data-badge', 'question')
    expect(badgeOf('q')).toHaveTextContent('Pergunta · “Tênis Aurora Corrida Masculino Leve e…”')
    expect(badgeOf('q')).toHaveAttribute('title', 'Tênis Aurora Corrida Masculino Leve e Confortável')
    expect(badgeOf('q-unknown')).toHaveTextContent(/^❓ Pergunta$/)
  })
})
