// The CRM endpoints (pipelines, stages, cards, scheduled messages, follow-ups,
// agenda) on the shared fetch wrapper: CSRF header, problem+json errors, the
// global 401 handler.
import { request } from '../api/client'
import type {
  AgendaItem,
  Board,
  CardDetail,
  CardNote,
  CardPatch,
  CardStatus,
  CardSummary,
  FollowUp,
  Items,
  NewCardInput,
  Pipeline,
  QuickReplySent,
  ScheduledMessage,
  Stage,
  StageQuickReply,
} from '../api/types'

const enc = encodeURIComponent
const V1 = '/api/v1'

export interface StageInput {
  name?: string
  entry_message?: string
  stale_days?: number
}

export interface ScheduleInput {
  conversation_id: string
  card_id?: string
  body: string
  /** naive "YYYY-MM-DDTHH:MM", read in the account's time zone */
  send_at: string
}

export interface FollowUpPatch {
  title?: string
  due_at?: string
  done?: boolean
}

export const crmApi = {
  pipelines: () => request<Items<Pipeline>>('GET', `${V1}/pipelines`),
  createPipeline: (name: string, stages?: string[]) =>
    request<Pipeline>('POST', `${V1}/pipelines`, { body: stages ? { name, stages } : { name } }),
  renamePipeline: (id: string, name: string) => request<Pipeline>('PATCH', `${V1}/pipelines/${enc(id)}`, { body: { name } }),
  deletePipeline: (id: string) => request<void>('DELETE', `${V1}/pipelines/${enc(id)}`),

  createStage: (pipelineId: string, input: StageInput) =>
    request<Stage>('POST', `${V1}/pipelines/${enc(pipelineId)}/stages`, { body: input }),
  reorderStages: (pipelineId: string, stageIds: string[]) =>
    request<Pipeline>('PUT', `${V1}/pipelines/${enc(pipelineId)}/stage-order`, { body: { stage_ids: stageIds } }),
  updateStage: (id: string, input: StageInput) => request<Stage>('PATCH', `${V1}/stages/${enc(id)}`, { body: input }),
  deleteStage: (id: string, moveTo?: string) =>
    request<void>('DELETE', `${V1}/stages/${enc(id)}${moveTo ? `?move_to=${enc(moveTo)}` : ''}`),

  createStageReply: (stageId: string, title: string, text: string) =>
    request<StageQuickReply>('POST', `${V1}/stages/${enc(stageId)}/quick-replies`, { body: { title, text } }),
  updateStageReply: (id: string, title: string, text: string) =>
    request<StageQuickReply>('PATCH', `${V1}/stage-quick-replies/${enc(id)}`, { body: { title, text } }),
  deleteStageReply: (id: string) => request<void>('DELETE', `${V1}/stage-quick-replies/${enc(id)}`),

  board: (pipelineId: string, query: string) =>
    request<Board>('GET', `${V1}/pipelines/${enc(pipelineId)}/board${query ? `?${query}` : ''}`),

  createCard: (input: NewCardInput) => request<CardDetail>('POST', `${V1}/cards`, { body: input }),
  card: (id: string) => request<CardDetail>('GET', `${V1}/cards/${enc(id)}`),
  updateCard: (id: string, patch: CardPatch) => request<CardDetail>('PATCH', `${V1}/cards/${enc(id)}`, { body: patch }),
  moveCard: (id: string, stageId: string, position?: number) =>
    request<CardDetail>('POST', `${V1}/cards/${enc(id)}/move`, {
      body: position === undefined ? { stage_id: stageId } : { stage_id: stageId, position },
    }),
  setCardStatus: (id: string, status: CardStatus) =>
    request<CardDetail>('POST', `${V1}/cards/${enc(id)}/status`, { body: { status } }),
  addNote: (id: string, body: string) => request<CardNote>('POST', `${V1}/cards/${enc(id)}/notes`, { body: { body } }),
  sendStageReply: (cardId: string, replyId: string, conversationId?: string) =>
    request<QuickReplySent>('POST', `${V1}/cards/${enc(cardId)}/quick-replies/${enc(replyId)}/send`, {
      body: conversationId ? { conversation_id: conversationId } : {},
    }),
  conversationCards: (conversationId: string) =>
    request<Items<CardSummary>>('GET', `${V1}/conversations/${enc(conversationId)}/cards`),

  scheduled: (filter: { conversation_id?: string; card_id?: string }) => {
    const q = new URLSearchParams()
    if (filter.conversation_id) q.set('conversation_id', filter.conversation_id)
    if (filter.card_id) q.set('card_id', filter.card_id)
    return request<Items<ScheduledMessage>>('GET', `${V1}/scheduled-messages?${q.toString()}`)
  },
  schedule: (input: ScheduleInput) => request<ScheduledMessage>('POST', `${V1}/scheduled-messages`, { body: input }),
  updateScheduled: (id: string, patch: { body?: string; send_at?: string }) =>
    request<ScheduledMessage>('PATCH', `${V1}/scheduled-messages/${enc(id)}`, { body: patch }),
  cancelScheduled: (id: string) => request<ScheduledMessage>('DELETE', `${V1}/scheduled-messages/${enc(id)}`),

  addFollowUp: (cardId: string, title: string, dueAt: string) =>
    request<FollowUp>('POST', `${V1}/cards/${enc(cardId)}/follow-ups`, { body: { title, due_at: dueAt } }),
  updateFollowUp: (id: string, patch: FollowUpPatch) =>
    request<FollowUp>('PATCH', `${V1}/follow-ups/${enc(id)}`, { body: patch }),
  deleteFollowUp: (id: string) => request<void>('DELETE', `${V1}/follow-ups/${enc(id)}`),

  agenda: (query: string) => request<Items<AgendaItem>>('GET', `${V1}/agenda?${query}`),
}

export type CrmApi = typeof crmApi
