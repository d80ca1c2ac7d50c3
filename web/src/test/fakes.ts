// Test doubles shared by component tests.
import type { Stream, StreamState } from '../api/stream'
import type { ConversationSummary, Me, Message, StreamEvent } from '../api/types'

export interface FakeStream extends Stream {
  emit(ev: StreamEvent): void
  reconnect(): void
}

export function fakeStream(): FakeStream {
  const listeners = new Set<(ev: StreamEvent) => void>()
  const reconnects = new Set<() => void>()
  const states = new Set<(s: StreamState) => void>()
  return {
    state: 'open',
    subscribe(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    onReconnect(fn) {
      reconnects.add(fn)
      return () => reconnects.delete(fn)
    },
    onState(fn) {
      states.add(fn)
      return () => states.delete(fn)
    },
    close() {},
    emit(ev) {
      listeners.forEach((fn) => fn(ev))
    },
    reconnect() {
      reconnects.forEach((fn) => fn())
    },
  }
}

export const ALL_PERMISSIONS = [
  'conversations:view:all',
  'conversations:view:team',
  'conversations:view:assigned',
  'conversations:reply',
  'conversations:assign',
  'conversations:close',
  'operations:view',
]

export function makeMe(over: Partial<Me['user']> = {}): Me {
  return {
    user: {
      id: 'u-ana',
      name: 'Ana Souza',
      email: 'ana@loja.com.br',
      role: 'agent',
      status: 'online',
      permissions: ALL_PERMISSIONS,
      ...over,
    },
    account: { id: 'acc1', name: 'Loja Exemplo', modules: ['api', 'crm'], timezone: 'America/Sao_Paulo' },
    namespace: 'default',
    temporal_ui_url: 'http://localhost:8233',
  }
}

let seq = 0

export function conv(over: Partial<ConversationSummary> = {}): ConversationSummary {
  seq++
  return {
    id: `c${seq}`,
    status: 'open',
    priority: 'normal',
    tags: [],
    channel: { id: 'ch-wa', kind: 'whatsapp', name: 'WhatsApp Vendas' },
    contact: { id: `ct${seq}`, name: `Cliente ${seq}` },
    assignee: null,
    team: null,
    last_message: { body: 'Olá', direction: 'inbound', created_at: '2025-03-01T12:00:00Z' },
    unread: 0,
    workflow_id: `conversation/ch-wa/ct${seq}`,
    updated_at: '2025-03-01T12:00:00Z',
    ...over,
  }
}

export function msg(over: Partial<Message> = {}): Message {
  seq++
  return {
    id: `m${seq}`,
    conversation_id: 'c1',
    direction: 'inbound',
    kind: 'text',
    body: 'Oi',
    author: null,
    status: 'received',
    failure_reason: '',
    attachments: [],
    created_at: '2025-03-01T12:00:00Z',
    ...over,
  }
}
