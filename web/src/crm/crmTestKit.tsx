// Test helpers for the CRM and agenda screens: fixtures in the contract's
// shapes and a render with the session, the stream and i18n. *.test.tsx only.
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import type { CardDetail, CardSummary, Me, Pipeline, Stage } from '../api/types'
import { I18nProvider } from '../i18n'
import { SessionContext, StreamContext } from '../session'
import { fakeStream, makeMe } from '../test/fakes'
import type { FakeStream } from '../test/fakes'

export const CRM_PERMISSIONS = ['crm:view', 'crm:edit', 'crm:pipelines', 'conversations:reply']

export function crmMe(permissions: string[] = CRM_PERMISSIONS): Me {
  return makeMe({ permissions })
}

export function stage(over: Partial<Stage> & { id: string }): Stage {
  return {
    pipeline_id: 'p1',
    name: over.id,
    position: 0,
    entry_message: '',
    stale_days: 0,
    card_count: 0,
    quick_replies: [],
    ...over,
  }
}

export function pipeline(over: Partial<Pipeline> = {}): Pipeline {
  return {
    id: 'p1',
    name: 'Vendas',
    position: 0,
    stages: [
      stage({ id: 's1', name: 'Novo', position: 0, card_count: 2 }),
      stage({ id: 's2', name: 'Proposta', position: 1, card_count: 1 }),
      stage({ id: 's3', name: 'Fechamento', position: 2 }),
    ],
    ...over,
  }
}

export function card(over: Partial<CardSummary> & { id: string }): CardSummary {
  return {
    pipeline_id: 'p1',
    stage_id: 's1',
    position: 0,
    title: `Card ${over.id}`,
    value_cents: 0,
    contact: null,
    assignee_ids: [],
    due_at: null,
    priority: 'normal',
    tags: [],
    conversation_tags: [],
    conversation_ids: [],
    custom_fields: {},
    status: 'open',
    entered_stage_at: '2026-03-01T12:00:00Z',
    created_at: '2026-03-01T12:00:00Z',
    updated_at: '2026-03-01T12:00:00Z',
    ...over,
  }
}

export function detail(over: Partial<CardDetail> & { id: string }): CardDetail {
  return {
    ...card(over),
    conversations: [],
    notes: [],
    events: [],
    follow_ups: [],
    scheduled_messages: [],
    ...over,
  }
}

export function renderCrm(ui: ReactElement, me: Me = crmMe(), stream: FakeStream = fakeStream()) {
  const session = { me, setMe: () => undefined }
  const result = render(
    <I18nProvider initial="pt-BR">
      <SessionContext.Provider value={session}>
        <StreamContext.Provider value={stream}>{ui}</StreamContext.Provider>
      </SessionContext.Provider>
    </I18nProvider>,
  )
  return { ...result, stream }
}

/** Intl puts a no-break space after "R$": compare money with plain spaces. */
export function plainSpaces(s: string | null | undefined): string {
  return (s ?? '').replace(/\u00a0/g, ' ')
}
