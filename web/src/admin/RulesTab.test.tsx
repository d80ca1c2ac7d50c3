import { afterEach, describe, expect, it, vi } from 'vitest'
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Rule } from '../api/types'
import { makeMe } from '../test/fakes'
import { renderAdmin, scriptFetch } from './adminTestKit'
import type { Call } from './adminTestKit'
import { RulesTab } from './RulesTab'

const me = makeMe({ permissions: ['rules:manage', 'conversations:view:all'] })
const EVENTS = ['message.created', 'conversation.created', 'conversation.closed', 'conversation.idle', 'crm.card.moved', 'scheduled']
const STRATEGIES = ['round_robin', 'least_busy', 'sticky', 'manual']

function rule(over: Partial<Rule>): Rule {
  return {
    id: 'r',
    kind: 'distribution',
    name: 'R',
    event: 'conversation.created',
    condition: '',
    position: 0,
    enabled: true,
    version: 1,
    strategy: 'round_robin',
    target_team_id: 'team-sales',
    target_user_ids: [],
    offer_timeout_s: 60,
    actions: [],
    warnings: [],
    updated_at: '2025-03-01T00:00:00Z',
    ...over,
  }
}

const vip = rule({ id: 'd-vip', name: 'VIP', position: 0, condition: '"vip" in contact.tags' })
const night = rule({ id: 'd-night', name: 'Noite', position: 1, condition: 'not inBusinessHours()', strategy: 'least_busy', target_team_id: null, target_user_ids: ['u-bia'] })
const ghost = rule({ id: 'd-ghost', name: 'Fantasma', position: 2, target_team_id: 'team-gone', warnings: ['target team no longer exists: the rule is skipped'] })
const tagger = rule({
  id: 'a-price',
  kind: 'automation',
  name: 'Preço',
  event: 'message.created',
  condition: 'message.text contains "preço"',
  strategy: undefined,
  target_team_id: null,
  offer_timeout_s: 0,
  actions: [{ type: 'add_tag', tag: 'orçamento' }, { type: 'assign_agent', user_id: 'u-bia' }],
})

const PIPELINES = [
  { id: 'p-sales', name: 'Vendas', stages: [{ id: 's-lead', name: 'Lead' }, { id: 's-qual', name: 'Qualificado' }] },
  { id: 'p-post', name: 'Pós-venda', stages: [{ id: 's-onb', name: 'Onboarding' }] },
]
const QUICK_REPLIES = [
  { id: 'q1', shortcut: 'ola', text: 'Olá! Obrigado pelo contato, já vamos te atender por aqui mesmo.' },
  { id: 'q2', shortcut: 'pix', text: 'Chave Pix: loja@exemplo.com' },
]

type Reply = { status: number; body?: unknown } | undefined

function server(extra: (c: Call) => Reply = () => undefined) {
  return scriptFetch((c) => {
    const r = extra(c)
    if (r) return r
    if (c.method === 'GET' && c.path === '/api/v1/rules?kind=distribution')
      return { status: 200, body: { items: [night, ghost, vip], events: EVENTS, strategies: STRATEGIES } }
    if (c.method === 'GET' && c.path === '/api/v1/rules?kind=automation') return { status: 200, body: { items: [tagger], events: EVENTS, strategies: STRATEGIES } }
    if (c.method === 'GET' && c.path === '/api/v1/teams') return { status: 200, body: { items: [{ id: 'team-sales', name: 'Vendas', member_ids: ['u-bia'] }] } }
    if (c.method === 'GET' && c.path === '/api/v1/users?active=true')
      return {
        status: 200,
        body: {
          items: [
            { id: 'u-bia', name: 'Bia Santos', email: 'bia@loja.com.br', profile_id: 'p', active: true, status: 'online', capacity: 5, last_login_at: null, created_at: '', team_ids: [] },
            { id: 'u-caio', name: 'Caio Melo', email: 'caio@loja.com.br', profile_id: 'p', active: true, status: 'online', capacity: 5, last_login_at: null, created_at: '', team_ids: [] },
          ],
        },
      }
    if (c.method === 'GET' && c.path === '/api/v1/pipelines') return { status: 200, body: { items: PIPELINES } }
    if (c.method === 'GET' && c.path === '/api/v1/quick-replies') return { status: 200, body: { items: QUICK_REPLIES } }
    if (c.method === 'POST' && c.path === '/api/v1/rules/validate') return { status: 200, body: { valid: true } }
    if (c.method === 'PATCH' && c.path.startsWith('/api/v1/rules/')) {
      const id = c.path.split('/').pop()!
      return { status: 200, body: { ...(c.body as object), id, version: 2, warnings: [], updated_at: '2025-03-02T00:00:00Z' } }
    }
    return undefined
  })
}

afterEach(() => vi.unstubAllGlobals())

function rowsOf(kind: string) {
  return within(screen.getByTestId(`rules-${kind}`)).getAllByTestId('rule-row')
}

describe('RulesTab', () => {
  it('lists each kind by position and shows warnings prominently', async () => {
    server()
    renderAdmin(<RulesTab />, me)
    await screen.findByTestId('rules-distribution')
    expect(rowsOf('distribution').map((r) => r.getAttribute('data-id'))).toEqual(['d-vip', 'd-night', 'd-ghost'])
    expect(rowsOf('automation')).toHaveLength(1)
    const warning = within(rowsOf('distribution')[2]).getByTestId('rule-warning')
    expect(warning).toHaveClass('alert-warn')
    expect(warning).toHaveTextContent('será ignorada')
    expect(warning).toHaveTextContent('target team no longer exists')
    expect(rowsOf('distribution')[1]).toHaveTextContent('Bia Santos')
  })

  it('moves a rule up by swapping positions, sending full rule bodies', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<RulesTab />, me)
    await screen.findByTestId('rules-distribution')
    await user.click(within(rowsOf('distribution')[1]).getByTestId('rule-up'))
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(2))
    const patches = calls.filter((c) => c.method === 'PATCH')
    expect(patches[0]).toEqual({
      method: 'PATCH',
      path: '/api/v1/rules/d-night',
      body: {
        kind: 'distribution',
        name: 'Noite',
        event: 'conversation.created',
        condition: 'not inBusinessHours()',
        position: 0,
        enabled: true,
        strategy: 'least_busy',
        target_team_id: null,
        target_user_ids: ['u-bia'],
        offer_timeout_s: 60,
        idle_minutes: 0,
        actions: [],
      },
    })
    expect(patches[1].path).toBe('/api/v1/rules/d-vip')
    expect(patches[1].body).toMatchObject({ name: 'VIP', position: 1, target_team_id: 'team-sales', condition: '"vip" in contact.tags' })
    await waitFor(() => expect(rowsOf('distribution').map((r) => r.getAttribute('data-id'))).toEqual(['d-night', 'd-vip', 'd-ghost']))
  })

  it('switches a rule off with the full body', async () => {
    const user = userEvent.setup()
    const calls = server()
    renderAdmin(<RulesTab />, me)
    await screen.findByTestId('rules-automation')
    await user.click(within(rowsOf('automation')[0]).getByTestId('rule-enabled'))
    await waitFor(() => expect(rowsOf('automation')[0]).toHaveAttribute('data-enabled', 'false'))
    expect(calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ enabled: false, actions: tagger.actions, condition: tagger.condition })
  })

  it('validates the raw expression live and marks the line and column of a 422', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.method === 'POST' && c.path === '/api/v1/rules/validate' && (c.body as { condition: string }).condition.includes('contains\n')) {
        return {
          status: 422,
          body: { type: 'about:blank', title: 'Invalid condition', status: 422, detail: 'condition: line 2, column 1: unexpected token Identifier("preço")', field: 'condition', line: 2, column: 1 },
        }
      }
      return undefined
    })
    renderAdmin(<RulesTab />, me)
    await user.click(await screen.findByTestId('rule-new-automation'))
    await user.click(screen.getByTestId('rule-mode-raw'))
    fireEvent.change(screen.getByTestId('rule-condition-raw'), { target: { value: 'message.text contains\npreço' } })

    const err = await screen.findByTestId('rule-validate-error', {}, { timeout: 2000 })
    expect(err).toHaveAttribute('data-line', '2')
    expect(err).toHaveAttribute('data-column', '1')
    expect(err).toHaveTextContent('linha 2, coluna 1:')
    expect(err).toHaveTextContent('unexpected token Identifier("preço")')
    const marker = screen.getByTestId('rule-validate-marker')
    expect(marker.querySelector('mark')).toHaveTextContent('p')
    expect(marker).toHaveTextContent('2 | preço')
    expect(screen.getByTestId('rule-condition-raw')).toHaveAttribute('aria-invalid', 'true')

    // fixing it clears the error
    fireEvent.change(screen.getByTestId('rule-condition-raw'), { target: { value: 'message.text contains "preço"' } })
    expect(await screen.findByTestId('rule-validate-ok', {}, { timeout: 2000 })).toBeInTheDocument()
    expect(screen.queryByTestId('rule-validate-error')).not.toBeInTheDocument()
    // debounced: one check per pause, not per keystroke
    expect(calls.filter((c) => c.path === '/api/v1/rules/validate').length).toBeLessThanOrEqual(3)
  })

  it('builds the condition, creates an automation and puts "actions[1].text" next to that action', async () => {
    const user = userEvent.setup()
    let attempt = 0
    const calls = server((c) => {
      if (c.method === 'POST' && c.path === '/api/v1/rules') {
        attempt++
        if (attempt === 1) return { status: 422, body: { status: 422, detail: 'actions[1].text: is required for send_message', field: 'actions[1].text' } }
        return { status: 201, body: { ...(c.body as object), id: 'a-new', position: 1, version: 1, warnings: [], updated_at: '' } }
      }
      return undefined
    })
    renderAdmin(<RulesTab />, me)
    await user.click(await screen.findByTestId('rule-new-automation'))
    await user.type(screen.getByTestId('rule-name'), 'Orçamento')

    await user.click(screen.getByTestId('rule-cond-add'))
    await user.selectOptions(screen.getAllByTestId('rule-cond-op')[0], 'contains')
    await user.type(screen.getAllByTestId('rule-cond-value')[0], 'preço "já"')
    await user.click(screen.getByTestId('rule-cond-add'))
    await user.selectOptions(screen.getAllByTestId('rule-cond-field')[1], 'contact.tags')
    await user.type(screen.getAllByTestId('rule-cond-value')[1], 'vip')
    await user.click(screen.getByTestId('rule-cond-add'))
    await user.selectOptions(screen.getAllByTestId('rule-cond-field')[2], 'inBusinessHours()')
    await user.selectOptions(screen.getAllByTestId('rule-cond-join')[1], 'or')
    expect(screen.getByTestId('rule-condition-preview')).toHaveTextContent(
      'message.text contains "preço \\"já\\"" and "vip" in contact.tags or inBusinessHours()',
    )

    // first action: tag; second: a message left empty
    await user.type(screen.getByTestId('rule-action-param'), 'orçamento')
    await user.click(screen.getByTestId('rule-action-add'))
    await user.selectOptions(screen.getAllByTestId('rule-action-type')[1], 'send_message')
    await user.click(screen.getByTestId('rule-save'))

    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'actions[1].text')
    expect(err).toHaveTextContent('is required for send_message')
    const second = screen.getAllByTestId('rule-action')[1]
    expect(second).toContainElement(err)
    expect(within(second).getByTestId('rule-action-param')).toHaveAttribute('data-param', 'text')

    await user.type(within(second).getByTestId('rule-action-param'), 'Já te respondo!')
    await user.click(screen.getByTestId('rule-save'))
    await screen.findByTestId('rule-saved')
    const posts = calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/rules')
    expect(posts[1].body).toEqual({
      kind: 'automation',
      name: 'Orçamento',
      event: 'message.created',
      condition: 'message.text contains "preço \\"já\\"" and "vip" in contact.tags or inBusinessHours()',
      strategy: '',
      target_team_id: null,
      target_user_ids: [],
      offer_timeout_s: 0,
      idle_minutes: 0,
      actions: [
        { type: 'add_tag', tag: 'orçamento' },
        { type: 'send_message', text: 'Já te respondo!' },
      ],
      enabled: true,
    })
    // saved: the dry run is offered
    expect(screen.getByTestId('rule-dry-run')).toBeInTheDocument()
  })

  it('opens a saved distribution rule with its strategy and target', async () => {
    const user = userEvent.setup()
    server()
    renderAdmin(<RulesTab />, me)
    await screen.findByTestId('rules-distribution')
    await user.click(within(rowsOf('distribution')[1]).getByTestId('rule-edit'))
    expect(screen.getByTestId('rule-strategy-least_busy')).toBeChecked()
    expect(screen.getByTestId('rule-strategy')).toHaveTextContent('menos conversas abertas')
    expect(screen.getByTestId('rule-target-agents')).toBeChecked()
    const bia = screen.getAllByTestId('rule-target-agent').find((x) => x.getAttribute('data-id') === 'u-bia')
    expect(bia).toBeChecked()
    // the condition fits the builder
    expect(screen.getByTestId('rule-condition-preview')).toHaveTextContent('not inBusinessHours()')
  })

  it('dry-runs a rule: results with names, and says nothing changed', async () => {
    const user = userEvent.setup()
    const calls = server((c) =>
      c.method === 'POST' && c.path === '/api/v1/rules/a-price/dry-run?limit=20'
        ? {
            status: 200,
            body: {
              rule_id: 'a-price',
              version: 1,
              warnings: [],
              results: [
                { conversation_id: 'c1', contact: 'Maria', matched: true, would: ['add tag orçamento', 'assign to agent u-bia'] },
                { conversation_id: 'c2', contact: 'João', matched: false, would: [] },
                { conversation_id: 'c3', contact: 'Zé', matched: false, would: [], error: 'runtime error: boom' },
              ],
            },
          }
        : undefined,
    )
    renderAdmin(<RulesTab />, me)
    await screen.findByTestId('rules-automation')
    await user.click(within(rowsOf('automation')[0]).getByTestId('rule-dry-run'))
    const dialog = await screen.findByTestId('dry-run-dialog')
    expect(within(dialog).getByTestId('dry-run-nothing-changed')).toHaveTextContent('nada foi alterado')
    const rows = await within(dialog).findAllByTestId('dry-run-row')
    expect(rows).toHaveLength(3)
    expect(rows[0]).toHaveAttribute('data-matched', 'true')
    expect(rows[0]).toHaveTextContent('✓')
    expect(rows[0]).toHaveTextContent('assign to agent Bia Santos')
    expect(rows[1]).toHaveTextContent('✗')
    expect(within(rows[2]).getByTestId('dry-run-error')).toHaveTextContent('boom')
    expect(within(dialog).getByTestId('dry-run-summary')).toHaveTextContent('1 de 3')
    expect(calls.filter((c) => c.method === 'PATCH' || c.method === 'DELETE')).toHaveLength(0)
  })

  it('creates an automation with "Criar card no CRM": a stage picker grouped by pipeline, its 422 under the picker', async () => {
    const user = userEvent.setup()
    let attempt = 0
    const calls = server((c) => {
      if (c.method === 'POST' && c.path === '/api/v1/rules') {
        attempt++
        if (attempt === 1) return { status: 422, body: { status: 422, detail: 'actions[0].stage_id: is required for create_card', field: 'actions[0].stage_id' } }
        return { status: 201, body: { ...(c.body as object), id: 'a-card', position: 1, version: 1, warnings: [], updated_at: '' } }
      }
      return undefined
    })
    renderAdmin(<RulesTab />, me)
    await user.click(await screen.findByTestId('rule-new-automation'))
    await user.type(screen.getByTestId('rule-name'), 'Novo lead')
    const type = screen.getByTestId('rule-action-type')
    const labels = within(type)
      .getAllByRole('option')
      .map((o) => o.textContent)
    expect(labels).toEqual(expect.arrayContaining(['Criar card no CRM', 'Mover card do CRM', 'Enviar resposta rápida']))
    await user.selectOptions(type, 'Criar card no CRM')

    const picker = screen.getByTestId('rule-action-param')
    expect(picker).toHaveAttribute('data-param', 'stage_id')
    await within(picker).findByRole('option', { name: 'Qualificado' })
    const groups = picker.querySelectorAll('optgroup')
    expect([...groups].map((g) => g.getAttribute('label'))).toEqual(['Vendas', 'Pós-venda'])
    expect([...groups[0].querySelectorAll('option')].map((o) => o.textContent)).toEqual(['Lead', 'Qualificado'])

    // saved without a stage: the server's 422 goes under the picker
    await user.click(screen.getByTestId('rule-save'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'actions[0].stage_id')
    expect(err).toHaveTextContent('is required for create_card')
    expect(screen.getAllByTestId('rule-action')[0]).toContainElement(err)

    await user.selectOptions(picker, 'Qualificado')
    await user.click(screen.getByTestId('rule-save'))
    await screen.findByTestId('rule-saved')
    const posts = calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/rules')
    expect(posts[1].body).toEqual({
      kind: 'automation',
      name: 'Novo lead',
      event: 'message.created',
      condition: '',
      strategy: '',
      target_team_id: null,
      target_user_ids: [],
      offer_timeout_s: 0,
      idle_minutes: 0,
      actions: [{ type: 'create_card', stage_id: 's-qual' }],
      enabled: true,
    })
    // fetched once, however many times the picker rendered
    expect(calls.filter((c) => c.path === '/api/v1/pipelines')).toHaveLength(1)
  })

  it('sends a quick reply picked by "/shortcut — text"', async () => {
    const user = userEvent.setup()
    const calls = server((c) =>
      c.method === 'POST' && c.path === '/api/v1/rules' ? { status: 201, body: { ...(c.body as object), id: 'a-qr', position: 1, version: 1, warnings: [], updated_at: '' } } : undefined,
    )
    renderAdmin(<RulesTab />, me)
    await user.click(await screen.findByTestId('rule-new-automation'))
    await user.type(screen.getByTestId('rule-name'), 'Boas-vindas')
    await user.selectOptions(screen.getByTestId('rule-action-type'), 'Enviar resposta rápida')
    const picker = screen.getByTestId('rule-action-param')
    const ola = await within(picker).findByRole('option', { name: /^\/ola — / })
    expect(ola).toHaveTextContent('/ola — Olá! Obrigado pelo contato, já vamos te…')
    expect(ola).toHaveValue('ola')
    expect(within(picker).getByRole('option', { name: '/pix — Chave Pix: loja@exemplo.com' })).toBeInTheDocument()
    await user.selectOptions(picker, 'ola')
    await user.click(screen.getByTestId('rule-save'))
    await screen.findByTestId('rule-saved')
    const post = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/rules')
    expect((post?.body as { actions: unknown }).actions).toEqual([{ type: 'send_quick_reply', text: 'ola' }])
  })

  it('offers no CRM actions, and loads no pipelines, without the crm module', async () => {
    const user = userEvent.setup()
    const base = makeMe({ permissions: ['rules:manage'] })
    const noCrm = { ...base, account: { ...base.account, modules: ['api'] } }
    const calls = server()
    renderAdmin(<RulesTab />, noCrm)
    await user.click(await screen.findByTestId('rule-new-automation'))
    const values = within(screen.getByTestId('rule-action-type'))
      .getAllByRole('option')
      .map((o) => o.getAttribute('value'))
    expect(values).not.toContain('create_card')
    expect(values).not.toContain('move_card')
    expect(values).toContain('send_quick_reply')
    await waitFor(() => expect(calls.some((c) => c.path === '/api/v1/quick-replies')).toBe(true))
    expect(calls.some((c) => c.path === '/api/v1/pipelines')).toBe(false)
  })

  it('creates a scheduled automation with the "Dias úteis às 9h" preset; a 422 on the schedule shows under it', async () => {
    const user = userEvent.setup()
    let attempt = 0
    const calls = server((c) => {
      if (c.method === 'POST' && c.path === '/api/v1/rules') {
        attempt++
        if (attempt === 1) return { status: 422, body: { status: 422, detail: 'schedule: hour "25": values go from 0 to 23', field: 'schedule' } }
        return { status: 201, body: { ...(c.body as object), id: 'a-sched', position: 1, version: 1, warnings: [], updated_at: '' } }
      }
      return undefined
    })
    renderAdmin(<RulesTab />, me)
    await user.click(await screen.findByTestId('rule-new-automation'))
    await user.type(screen.getByTestId('rule-name'), 'Bom dia')
    expect(screen.queryByTestId('rule-schedule')).not.toBeInTheDocument()
    await user.selectOptions(screen.getByTestId('rule-event'), 'Agendado')

    const field = screen.getByTestId('rule-schedule')
    expect(field).toHaveTextContent('Horário')
    expect(field).toHaveTextContent('minuto hora dia mês dia-da-semana, no fuso da conta')
    const preset = screen.getByTestId('rule-schedule-preset')
    expect(within(preset).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Todo dia às 9h',
      'Dias úteis às 9h',
      'Toda hora',
      'Segundas às 8h',
      'Personalizado',
    ])

    // a custom expression the server refuses: its detail under the field
    await user.selectOptions(preset, 'Personalizado')
    const cron = screen.getByTestId('rule-schedule-cron')
    expect(cron).toHaveFocus()
    await user.clear(cron)
    await user.type(cron, '0 25 * * *')
    expect(preset).toHaveValue('custom')
    expect(screen.queryByTestId('rule-schedule-description')).not.toBeInTheDocument()

    // the condition offers the conversation fields, as conversation.created does
    await user.click(screen.getByTestId('rule-cond-add'))
    const fields = within(screen.getByTestId('rule-cond-field'))
      .getAllByRole('option')
      .map((o) => o.getAttribute('value'))
    expect(fields).toEqual(expect.arrayContaining(['conversation.tags', 'contact.tags', 'channel.kind', 'assignee.status', 'inBusinessHours()']))
    expect(fields).not.toContain('message.text')
    await user.selectOptions(screen.getByTestId('rule-cond-field'), 'conversation.assigned')
    await user.selectOptions(screen.getByTestId('rule-cond-op'), 'is not')

    await user.type(screen.getByTestId('rule-action-param'), 'sem-dono')
    await user.click(screen.getByTestId('rule-save'))
    const err = await screen.findByTestId('field-error')
    expect(err).toHaveAttribute('data-field', 'schedule')
    expect(err).toHaveTextContent('hour "25": values go from 0 to 23')
    expect(field).toContainElement(err)
    expect(cron).toHaveAttribute('aria-invalid', 'true')

    // the preset writes its cron and says what it means
    await user.selectOptions(preset, 'Dias úteis às 9h')
    expect(cron).toHaveValue('0 9 * * 1-5')
    expect(screen.getByTestId('rule-schedule-description')).toHaveTextContent('segunda a sexta às 09:00')
    await user.click(screen.getByTestId('rule-save'))
    await screen.findByTestId('rule-saved')
    const posts = calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/rules')
    expect(posts).toHaveLength(2)
    expect(posts[0].body).toMatchObject({ event: 'scheduled', schedule: '0 25 * * *' })
    expect(posts[1].body).toEqual({
      kind: 'automation',
      name: 'Bom dia',
      event: 'scheduled',
      condition: 'not conversation.assigned',
      strategy: '',
      target_team_id: null,
      target_user_ids: [],
      offer_timeout_s: 0,
      idle_minutes: 0,
      schedule: '0 9 * * 1-5',
      actions: [{ type: 'add_tag', tag: 'sem-dono' }],
      enabled: true,
    })
  })

  it('offers "Agendado" to automation rules only, and sends no schedule for other events', async () => {
    const user = userEvent.setup()
    const calls = server((c) =>
      c.method === 'POST' && c.path === '/api/v1/rules' ? { status: 201, body: { ...(c.body as object), id: 'd-new', position: 3, version: 1, warnings: [], updated_at: '' } } : undefined,
    )
    renderAdmin(<RulesTab />, me)
    await user.click(await screen.findByTestId('rule-new-distribution'))
    const events = within(screen.getByTestId('rule-event'))
      .getAllByRole('option')
      .map((o) => o.getAttribute('value'))
    expect(events).not.toContain('scheduled')
    expect(events).toContain('conversation.created')
    await user.type(screen.getByTestId('rule-name'), 'Todos')
    await user.selectOptions(screen.getByTestId('rule-target-team-select'), 'team-sales')
    await user.click(screen.getByTestId('rule-save'))
    await screen.findByTestId('rule-saved')
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/v1/rules')?.body).not.toHaveProperty('schedule')
  })

  it('shows the schedule of scheduled rules in the list, and keeps it when switching one off', async () => {
    const user = userEvent.setup()
    const weekdays = rule({
      ...tagger,
      id: 'a-weekdays',
      name: 'Cobrança',
      event: 'scheduled',
      schedule: '0 9 * * 1-5',
      condition: '"pendente" in conversation.tags',
      actions: [{ type: 'send_quick_reply', text: 'pix' }],
      position: 1,
    })
    const every15 = rule({ ...weekdays, id: 'a-15', name: 'Vigia', schedule: '*/15 8-18 * * 1-5', position: 2 })
    const calls = server((c) =>
      c.method === 'GET' && c.path === '/api/v1/rules?kind=automation'
        ? { status: 200, body: { items: [tagger, weekdays, every15], events: EVENTS, strategies: STRATEGIES } }
        : undefined,
    )
    renderAdmin(<RulesTab />, me)
    await screen.findByTestId('rules-automation')
    const [first, second, third] = rowsOf('automation')
    expect(within(first).queryByTestId('rule-schedule')).not.toBeInTheDocument()
    expect(within(second).getByTestId('rule-schedule')).toHaveTextContent('Dias úteis às 9h')
    expect(within(second).getByTestId('rule-schedule')).toHaveAttribute('title', expect.stringContaining('0 9 * * 1-5'))
    expect(second).toHaveTextContent('Agendado')
    expect(within(third).getByTestId('rule-schedule')).toHaveTextContent('*/15 8-18 * * 1-5')

    await user.click(within(second).getByTestId('rule-enabled'))
    await waitFor(() => expect(rowsOf('automation')[1]).toHaveAttribute('data-enabled', 'false'))
    expect(calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ event: 'scheduled', schedule: '0 9 * * 1-5', enabled: false })

    // opened in the editor: its preset, and the builder with its condition
    await user.click(within(rowsOf('automation')[2]).getByTestId('rule-edit'))
    expect(screen.getByTestId('rule-schedule-preset')).toHaveValue('custom')
    expect(screen.getByTestId('rule-schedule-cron')).toHaveValue('*/15 8-18 * * 1-5')
    expect(screen.getByTestId('rule-condition-preview')).toHaveTextContent('"pendente" in conversation.tags')
  })
})
