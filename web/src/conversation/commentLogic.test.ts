import { describe, expect, it } from 'vitest'
import { answeredQuestions, captionSnippet, conversationBadge, isAnswerable, isModeratable, isPrivateReply, mergeThread, sendKind, threadNeedsDetails } from './commentLogic'
import { msg } from '../test/fakes'

describe('comment logic', () => {
  it('shortens a caption to its first line, between words', () => {
    expect(captionSnippet('\nBolsas novas\n#moda')).toBe('Bolsas novas')
    expect(captionSnippet('Liquidação de verão com até setenta por cento de desconto', 30)).toBe('Liquidação de verão com até…')
    expect(captionSnippet('Supercalifragilisticexpialidocious-e-mais', 20)).toBe('Supercalifragilisti…')
    expect(captionSnippet(undefined)).toBe('')
  })

  it('asks for a post or a listing only when neither its caption, title nor image is known', () => {
    expect(threadNeedsDetails({ kind: 'post', key: '1' })).toBe(true)
    expect(threadNeedsDetails({ kind: 'post', key: '1', image_url: 'https://x/1.jpg' })).toBe(false)
    expect(threadNeedsDetails({ kind: 'listing', key: 'item:MLB1' })).toBe(true)
    expect(threadNeedsDetails({ kind: 'listing', key: 'item:MLB1', title: 'Tênis Aurora' })).toBe(false)
    expect(threadNeedsDetails({ kind: 'profile', key: 'https://www.linkedin.com/in/ana-souza' })).toBe(true)
    expect(threadNeedsDetails({ kind: 'profile', key: 'https://www.linkedin.com/in/ana-souza', title: 'Ana Souza' })).toBe(false)
    // a thread shown without a card (an e-mail thread) is never asked for
    expect(threadNeedsDetails({ kind: '', key: '<a@b>' })).toBe(false)
    expect(threadNeedsDetails(null)).toBe(false)
  })

  it("badges a post's comments, a listing's questions, and a DM only on kinds with comments", () => {
    const channel = { id: 'ch', kind: 'mercadolivre', name: 'ML' }
    expect(conversationBadge({ channel, thread: { kind: 'listing', key: 'item:MLB1' } })).toBe('question')
    expect(conversationBadge({ channel: { ...channel, kind: 'instagram' }, thread: { kind: 'post', key: '1' } })).toBe('comment')
    expect(conversationBadge({ channel, thread: null })).toBeNull()
  })

  it('knows the questions answered: by an outbound message naming them that did not fail', () => {
    const answered = answeredQuestions([
      msg({ id: 'q1' }),
      msg({ id: 'a1', direction: 'outbound', status: 'sent', reply_to_id: 'q1' }),
      msg({ id: 'q2' }),
      msg({ id: 'a2', direction: 'outbound', status: 'failed', reply_to_id: 'q2' }),
      msg({ id: 'n3', direction: 'outbound', kind: 'note', reply_to_id: 'q3' }),
      msg({ id: 'a4', direction: 'outbound', status: 'queued', reply_to_id: 'q4' }),
    ])
    expect([...answered].sort()).toEqual(['q1', 'q4'])
  })

  it("lets the agent pick only a buyer's question still on the listing", () => {
    expect(isAnswerable(msg({ direction: 'inbound', kind: 'text' }))).toBe(true)
    expect(isAnswerable(msg({ direction: 'inbound', kind: 'text', revoked_at: '2026-12-07T10:00:00Z' }))).toBe(false)
    expect(isAnswerable(msg({ direction: 'outbound', kind: 'text' }))).toBe(false)
    expect(isAnswerable(msg({ direction: 'inbound', kind: 'note' }))).toBe(false)
  })

  it('keeps a fetched caption when a later copy of the same thread leaves it out', () => {
    const known = { kind: 'post', key: '1', caption: 'Bolsas', image_url: 'https://x/1.jpg' }
    expect(mergeThread(known, { kind: 'post', key: '1' })).toMatchObject({ caption: 'Bolsas', image_url: 'https://x/1.jpg' })
    expect(mergeThread(known, { kind: 'post', key: '1', caption: 'Bolsas novas' })?.caption).toBe('Bolsas novas')
    expect(mergeThread(known, { kind: 'post', key: '2' })).toEqual({ kind: 'post', key: '2' })
    expect(mergeThread(known, undefined)).toBe(known)
    expect(mergeThread(known, null)).toBeNull()
  })

  it("calls only the business's text in the post's own conversation a private reply", () => {
    const post = { id: 'c1', thread: { kind: 'post', key: '1' } }
    expect(isPrivateReply(msg({ conversation_id: 'c1', direction: 'outbound', kind: 'text' }), post)).toBe(true)
    expect(isPrivateReply(msg({ conversation_id: 'c1', direction: 'outbound', kind: 'comment' }), post)).toBe(false)
    expect(isPrivateReply(msg({ conversation_id: 'c1', direction: 'outbound', kind: 'note' }), post)).toBe(false)
    expect(isPrivateReply(msg({ conversation_id: 'c0', direction: 'outbound', kind: 'text' }), post)).toBe(false)
    expect(isPrivateReply(msg({ conversation_id: 'c1', direction: 'outbound', kind: 'text' }), { id: 'c1', thread: null })).toBe(false)
  })

  it("moderates only the customer's comments still on Instagram", () => {
    expect(isModeratable(msg({ kind: 'comment' }))).toBe(true)
    expect(isModeratable(msg({ kind: 'comment', hidden_at: '2025-01-01T00:00:00Z' }))).toBe(true)
    expect(isModeratable(msg({ kind: 'comment', revoked_at: '2025-01-01T00:00:00Z' }))).toBe(false)
    expect(isModeratable(msg({ kind: 'comment', direction: 'outbound' }))).toBe(false)
    expect(isModeratable(msg({ kind: 'text' }))).toBe(false)
  })

  it('sends a note as a note, a public answer as a comment, anything else as text', () => {
    expect(sendKind(true, 'public')).toBe('note')
    expect(sendKind(false, 'public')).toBe('comment')
    expect(sendKind(false, 'private')).toBe('text')
    expect(sendKind(false, null)).toBe('text')
  })
})
