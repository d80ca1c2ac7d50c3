import { describe, expect, it } from 'vitest'
import { applyStatusChange, firstLine, mergeMessages, nextStatus, replaceMessage, statusTick, threadItems, tickets, workflowUrl } from './messageLogic'
import { msg } from '../test/fakes'

describe('status ticks', () => {
  it('maps each outbound status to its tick', () => {
    const out = (status: Parameters<typeof statusTick>[0]['status']) => statusTick({ direction: 'outbound', kind: 'text', status })?.kind
    expect(out('queued')).toBe('clock')
    expect(out('sent')).toBe('sent')
    expect(out('delivered')).toBe('delivered')
    expect(out('read')).toBe('read')
    expect(out('failed')).toBe('failed')
  })

  it('shows no tick on inbound messages or notes', () => {
    expect(statusTick({ direction: 'inbound', kind: 'text', status: 'received' })).toBeNull()
    expect(statusTick({ direction: 'outbound', kind: 'note', status: 'sent' })).toBeNull()
  })

  it('never moves a message back when receipts arrive out of order', () => {
    expect(nextStatus('read', 'delivered')).toBe('read')
    expect(nextStatus('queued', 'read')).toBe('read')
    expect(nextStatus('delivered', 'failed')).toBe('failed')
    expect(nextStatus('failed', 'queued')).toBe('queued') // a retry
  })
})

describe('thread', () => {
  it('merges by id, oldest first, without duplicates', () => {
    const a = msg({ id: 'a', created_at: '2025-03-01T10:00:00Z' })
    const b = msg({ id: 'b', created_at: '2025-03-01T11:00:00Z', direction: 'outbound', status: 'queued' })
    const merged = mergeMessages([b], [a, { ...b, status: 'sent' }])
    expect(merged.map((m) => m.id)).toEqual(['a', 'b'])
    expect(merged[1].status).toBe('sent')
  })

  it('drops pending files a later copy leaves out (e.g. a page fetched again after a reconnect)', () => {
    const waiting = msg({ id: 'p', pending_files: [{ name: 'audio.ogg', kind: 'voice', status: 'pending' }] })
    const { pending_files: _p, ...stored } = waiting
    void _p
    const merged = mergeMessages([waiting], [{ ...stored, attachments: [{ id: 'f', name: 'audio.ogg', size: 1, content_type: 'audio/ogg', url: '/api/v1/attachments/f' }] }])
    expect(merged[0].pending_files).toBeUndefined()
    expect(merged[0].attachments).toHaveLength(1)
  })

  it('replaces an updated message where it is, whole, without a duplicate', () => {
    const a = msg({ id: 'a', created_at: '2025-03-01T10:00:00Z' })
    const b = msg({ id: 'b', body: 'foto', created_at: '2025-03-01T11:00:00Z', pending_files: [{ name: 'foto.jpg', kind: 'image', status: 'pending' }] })
    const c = msg({ id: 'c', direction: 'outbound', status: 'read', created_at: '2025-03-01T12:00:00Z' })
    const list = [a, b, c]
    const stored = { ...b, body: 'foto editada', edited_at: '2025-03-01T11:30:00Z', attachments: [{ id: 'f1', name: 'foto.jpg', size: 10, content_type: 'image/jpeg', url: '/api/v1/attachments/f1' }] }
    delete stored.pending_files // the view leaves it out once every file is stored
    const next = replaceMessage(list, stored)
    expect(next.map((m) => m.id)).toEqual(['a', 'b', 'c'])
    expect(next[1]).toMatchObject({ body: 'foto editada', edited_at: '2025-03-01T11:30:00Z' })
    expect(next[1].attachments).toHaveLength(1)
    expect(next[1].pending_files).toBeUndefined()
    expect(list[1].body).toBe('foto') // not mutated
    // status never goes back; an unknown message is not added
    expect(replaceMessage(list, { ...c, status: 'delivered' })[2].status).toBe('read')
    expect(replaceMessage(list, msg({ id: 'zz' }))).toBe(list)
  })

  it('takes the first non-empty line for a quote', () => {
    expect(firstLine('\n  Olá, tudo bem?  \nSegunda linha')).toBe('Olá, tudo bem?')
    expect(firstLine('')).toBe('')
  })

  it('applies a status change with its failure reason', () => {
    const b = msg({ id: 'b', direction: 'outbound', status: 'sent' })
    const next = applyStatusChange([b], { id: 'b', conversation_id: 'c1', status: 'failed', failure_reason: 'número inválido' })
    expect(next[0]).toMatchObject({ status: 'failed', failure_reason: 'número inválido' })
    const same = [b]
    expect(applyStatusChange(same, { id: 'zz', conversation_id: 'c1', status: 'read', failure_reason: '' })).toBe(same)
  })

  it('puts a divider at the start of each ticket', () => {
    const items = threadItems([
      msg({ id: '1', conversation_id: 't1' }),
      msg({ id: '2', conversation_id: 't1' }),
      msg({ id: '3', conversation_id: 't2' }),
    ])
    expect(items.map((i) => (i.type === 'divider' ? `|${i.conversationId}` : i.message.id))).toEqual(['|t1', '1', '2', '|t2', '3'])
    expect(tickets([msg({ conversation_id: 't1', created_at: '2025-01-01T00:00:00Z' }), msg({ conversation_id: 't2', created_at: '2025-02-01T00:00:00Z' })]).map((t) => t.conversationId)).toEqual(['t2', 't1'])
  })

  it('links to the workflow in the Temporal Web UI', () => {
    expect(workflowUrl('http://localhost:8233/', 'default', 'conversation/ch-wa/ct 1')).toBe(
      'http://localhost:8233/namespaces/default/workflows/conversation%2Fch-wa%2Fct%201',
    )
    expect(workflowUrl('', 'default', 'x')).toBeNull()
  })
})
