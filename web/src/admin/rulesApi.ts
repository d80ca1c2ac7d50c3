// The rule endpoints (rules:manage), plus the teams and active agents the
// rule editor targets.
import { request } from '../api/client'
import type { AdminUser, DryRun, Items, Rule, RuleInput, RuleKind, RuleList, Team } from '../api/types'

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
}
