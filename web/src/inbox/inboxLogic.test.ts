import { describe, expect, it } from 'vitest'
import {
  DEFAULT_FILTERS,
  allowedViews,
  applyMessageCreated,
  appendPage,
  filtersToQuery,
  matchesFilters,
  relativeTime,
  titleWithBadge,
  upsertConversation,
} from './inboxLogic'
import type { InboxFilters, ViewContext } from './inboxLogic'
import type { MessageCreatedEvent } from '../api/types'
import { conv, msg } from '../test/fakes'

const ME = 'u-ana'
const ctx: ViewContext = { userId: ME, teamIds: null, openId: null }
const all: InboxFilters = { ...DEFAULT_FILTERS, view: 'all', status: '' }

function created(over: Partial<MessageCreatedEvent>): MessageCreatedEvent {
  return { ...msg(over), contact_id: over.contact_id ?? 'ct-x' }
}

describe('filtersToQuery', () => {
  it('sends the view and default status, leaving empty filters out', () => {
    expect(filtersToQuery(DEFAULT_FILTERS)).toBe('view=mine&status=open')
  })

  it('encodes every filter, the search text and the page cursor', () => {
    const q = filtersToQuery(
      { view: 'team', status: 'pending', channel_id: 'ch 1', tag: ' vip ', priority: 'urgent', q: 'João & Maria' },
      { cursor: 'abc==', limit: 30 },
    )
    const p = new URLSearchParams(q)
    expect(Object.fromEntries(p)).toEqual({
      view: 'team',
      status: 'pending',
      channel_id: 'ch 1',
      tag: 'vip',
      priority: 'urgent',
      q: 'João & Maria',
      cursor: 'abc==',
      limit: '30',
    })
    expect(q).toContain('q=Jo%C3%A3o+%26+Maria')
  })

  it('drops a blank search and "any status"', () => {
    expect(filtersToQuery({ ...DEFAULT_FILTERS, view: 'all', status: '', q: '   ' })).toBe('view=all')
  })
})

describe('allowedViews', () => {
  it('shows only the tabs the permissions allow', () => {
    expect(allowedViews(['conversations:view:assigned'])).toEqual(['mine'])
    expect(allowedViews(['conversations:view:team'])).toEqual(['mine', 'unassigned', 'team'])
    expect(allowedViews(['conversations:view:all'])).toEqual(['mine', 'unassigned', 'team', 'all'])
  })
})

describe('live message.created', () => {
  it('asks for an unknown conversation to be fetched and leaves the list as it is', () => {
    const list = [conv({ id: 'a' })]
    const r = applyMessageCreated(list, created({ conversation_id: 'new' }), ctx)
    expect(r.unknownConversationId).toBe('new')
    expect(r.items).toEqual(list)
  })

  it('adds the fetched new conversation at the top of the list', () => {
    const list = [
      conv({ id: 'a', last_message: { body: 'x', direction: 'inbound', created_at: '2025-03-01T10:00:00Z' } }),
      conv({ id: 'b', last_message: { body: 'y', direction: 'inbound', created_at: '2025-03-01T09:00:00Z' } }),
    ]
    const fetched = conv({
      id: 'new',
      unread: 1,
      last_message: { body: 'Quero um orçamento', direction: 'inbound', created_at: '2025-03-01T11:00:00Z' },
    })
    const next = upsertConversation(list, fetched, all, ctx)
    expect(next.map((c) => c.id)).toEqual(['new', 'a', 'b'])
  })

  it('moves a known conversation to the top, updates its preview and counts it unread', () => {
    const list = [
      conv({ id: 'a', last_message: { body: 'x', direction: 'inbound', created_at: '2025-03-01T10:00:00Z' } }),
      conv({ id: 'b', unread: 2, last_message: { body: 'y', direction: 'inbound', created_at: '2025-03-01T09:00:00Z' } }),
    ]
    const r = applyMessageCreated(
      list,
      created({ conversation_id: 'b', body: 'Chegou?', created_at: '2025-03-01T11:00:00Z' }),
      ctx,
    )
    expect(r.unknownConversationId).toBeNull()
    expect(r.items.map((c) => c.id)).toEqual(['b', 'a'])
    expect(r.items[0].unread).toBe(3)
    expect(r.items[0].last_message?.body).toBe('Chegou?')
  })

  it('does not count a message in the conversation that is open on screen', () => {
    const list = [conv({ id: 'a' }), conv({ id: 'b', unread: 0, last_message: null, updated_at: '2025-01-01T00:00:00Z' })]
    const r = applyMessageCreated(list, created({ conversation_id: 'b', created_at: '2025-03-02T00:00:00Z' }), {
      ...ctx,
      openId: 'b',
    })
    expect(r.items[0].id).toBe('b')
    expect(r.items[0].unread).toBe(0)
  })

  it("does not count the agents' own replies or notes as unread", () => {
    const list = [conv({ id: 'a', unread: 0 })]
    const out = applyMessageCreated(list, created({ conversation_id: 'a', direction: 'outbound', status: 'queued' }), ctx)
    expect(out.items[0].unread).toBe(0)
    expect(out.items[0].last_message?.direction).toBe('outbound')
    const note = applyMessageCreated(list, created({ conversation_id: 'a', direction: 'outbound', kind: 'note' }), ctx)
    expect(note.items[0].unread).toBe(0)
  })

  it('keeps the newer preview when an older message arrives late', () => {
    const list = [conv({ id: 'a', last_message: { body: 'novo', direction: 'inbound', created_at: '2025-03-01T12:00:00Z' } })]
    const r = applyMessageCreated(list, created({ conversation_id: 'a', body: 'velho', created_at: '2025-03-01T11:00:00Z' }), ctx)
    expect(r.items[0].last_message?.body).toBe('novo')
  })
})

describe('live conversation.updated', () => {
  it("keeps a post's caption already fetched when an update of the row leaves it out", () => {
    const all = { ...DEFAULT_FILTERS, view: 'all' as const }
    const a = conv({ id: 'a', thread: { kind: 'post', key: '1789', caption: 'Bolsas novas', image_url: 'https://x/1789.jpg' } })
    const [next] = upsertConversation([a], { ...a, tags: ['vip'], thread: { kind: 'post', key: '1789' } }, all, ctx)
    expect(next.tags).toEqual(['vip'])
    expect(next.thread).toMatchObject({ kind: 'post', key: '1789', caption: 'Bolsas novas', image_url: 'https://x/1789.jpg' })
  })

  it('removes a conversation from "Mine" once it is assigned to someone else', () => {
    const mine = { ...DEFAULT_FILTERS, view: 'mine' as const }
    const a = conv({ id: 'a', assignee: { id: ME, name: 'Ana' } })
    const b = conv({ id: 'b', assignee: { id: ME, name: 'Ana' } })
    const next = upsertConversation([a, b], { ...a, assignee: { id: 'u-bia', name: 'Bia' } }, mine, ctx)
    expect(next.map((c) => c.id)).toEqual(['b'])
  })

  it('removes a conversation from "Unassigned" once someone takes it', () => {
    const f = { ...all, view: 'unassigned' as const }
    const a = conv({ id: 'a' })
    expect(upsertConversation([a], { ...a, assignee: { id: ME, name: 'Ana' } }, f, ctx)).toEqual([])
  })

  it('removes a conversation that was closed while the "open" filter is on', () => {
    const f = { ...all, status: 'open' as const }
    const a = conv({ id: 'a' })
    expect(upsertConversation([a], { ...a, status: 'closed' }, f, ctx)).toEqual([])
  })

  it('removes a conversation that lost the filtered tag, channel or priority', () => {
    const a = conv({ id: 'a', tags: ['vip'], priority: 'urgent' })
    expect(upsertConversation([a], { ...a, tags: [] }, { ...all, tag: 'vip' }, ctx)).toEqual([])
    expect(upsertConversation([a], { ...a, priority: 'low' }, { ...all, priority: 'urgent' }, ctx)).toEqual([])
    expect(
      upsertConversation([a], { ...a, channel: { id: 'ch-ig', kind: 'instagram', name: 'IG' } }, { ...all, channel_id: 'ch-wa' }, ctx),
    ).toEqual([])
  })

  it("keeps the team view to the user's teams when they are known", () => {
    const f = { ...all, view: 'team' as const }
    const other = conv({ id: 'x', team: { id: 't-fin', name: 'Financeiro' } })
    const own = conv({ id: 'y', team: { id: 't-sac', name: 'SAC' } })
    const withTeams = { ...ctx, teamIds: ['t-sac'] }
    expect(upsertConversation([], other, f, withTeams)).toEqual([])
    expect(upsertConversation([], own, f, withTeams).map((c) => c.id)).toEqual(['y'])
    expect(upsertConversation([], conv({ id: 'z', team: null }), f, ctx)).toEqual([])
  })

  it('adds a conversation that now matches the view (e.g. just assigned to me)', () => {
    const mine = { ...DEFAULT_FILTERS }
    const x = conv({ id: 'x', assignee: { id: ME, name: 'Ana' } })
    expect(upsertConversation([], x, mine, ctx).map((c) => c.id)).toEqual(['x'])
  })

  it('replaces a listed conversation in place of its old copy, never duplicating it', () => {
    const a = conv({ id: 'a', tags: [] })
    const next = upsertConversation([a], { ...a, tags: ['vip'] }, all, ctx)
    expect(next).toHaveLength(1)
    expect(next[0].tags).toEqual(['vip'])
  })

  it('shows no unread badge on the conversation open on screen', () => {
    const a = conv({ id: 'a' })
    expect(upsertConversation([a], { ...a, unread: 4 }, all, { ...ctx, openId: 'a' })[0].unread).toBe(0)
    expect(upsertConversation([a], { ...a, unread: 4 }, all, ctx)[0].unread).toBe(4)
  })

  it('only lets the search text gate conversations that are not listed yet', () => {
    const f = { ...all, q: 'boleto' }
    const listed = conv({ id: 'a', contact: { id: 'ct', name: 'Carla' } })
    // the server matched it on older text; a new message does not drop it
    expect(upsertConversation([listed], { ...listed }, f, ctx)).toHaveLength(1)
    expect(matchesFilters(conv({ contact: { id: 'k', name: 'Zé' } }), f, ctx)).toBe(false)
    expect(
      matchesFilters(conv({ last_message: { body: 'Segunda via do BOLETO', direction: 'inbound', created_at: '2025-01-01T00:00:00Z' } }), f, ctx),
    ).toBe(true)
  })
})

describe('paging and badges', () => {
  it('skips rows already added live when the next page arrives', () => {
    const a = conv({ id: 'a' })
    const b = conv({ id: 'b' })
    expect(appendPage([a, b], [conv({ id: 'b' }), conv({ id: 'c' })]).map((c) => c.id)).toEqual(['a', 'b', 'c'])
  })

  it('puts a count in the tab title', () => {
    expect(titleWithBadge('CHATSPOT', 0)).toBe('CHATSPOT')
    expect(titleWithBadge('CHATSPOT', 3)).toBe('(3) CHATSPOT')
    expect(titleWithBadge('CHATSPOT', 250)).toBe('(99+) CHATSPOT')
  })

  it('writes relative times in the chosen language', () => {
    const now = Date.parse('2025-03-01T12:00:00Z')
    expect(relativeTime('2025-03-01T11:59:50Z', now, 'pt-BR', 'agora')).toBe('agora')
    expect(relativeTime('2025-03-01T11:55:00Z', now, 'pt-BR', 'agora')).toMatch(/5 min/)
    expect(relativeTime('2025-03-01T09:00:00Z', now, 'en', 'now')).toMatch(/3 hr/)
  })
})
