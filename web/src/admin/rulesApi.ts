// The rule endpoints (rules:manage), plus what the rule editor points at:
// teams, active agents, CRM stages and quick replies.
import { request } from '../api/client'
import type { AdminUser, DryRun, Items, Pipeline, QuickReply, Rule, RuleInput, RuleKind, RuleList, Stage, Team } from '../api/types'

/** The part of a pipeline the stage picker uses. */
export type PipelineChoice = Pick<Pipeline, 'id' | 'name'> & { stages: Pick<Stage, 'id' | 'name'>[] }

const enc = encodeURIComponent

export const rulesApi = {
  list: (kind: RuleKind, signal?: AbortSignal) => request<RuleList>('GET', `/api/v1/rules?kind=${enc(kind)}`, { signal }),
  create: (input: RuleInput) => request<Rule>('POST', '/api/v1/rules', { body: input }),
  update: (id: string, input: RuleInput) => request<Rule>('PATCH', `/api/v1/rules/${enc(id)}`, { body: input }),
  remove: (id: string) => request<void>('DELETE', `/api/v1/rules/${enc(id)}`),
  validate: (event: string, condition: string, signal?: AbortSignal) =>
    request<{ valid: boolean }>('POST', '/api/v1/rules/validate', { body: { event, condition }, signal }),
  dryRun: (id: string, limit = 20) => request<DryRun>('POST', `/api/v1/rules/${enc(id)}/dry-run?limit=${limit}`),
  teams: () => request<Items<Team>>('GET', '/api/v1/teams'),
  agents: () => request<Items<AdminUser>>('GET', '/api/v1/users?active=true'),
  pipelines: () => request<Items<PipelineChoice>>('GET', '/api/v1/pipelines'),
  quickReplies: () => request<Items<QuickReply>>('GET', '/api/v1/quick-replies'),
}
