import { describe, expect, it, vi } from 'vitest'
import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { RuleTrailEntry } from '../api/types'
import { I18nProvider } from '../i18n'
import type { Lang } from '../i18n'
import { isWarnOutcome, RuleTrail, sortTrail } from './RuleTrail'

function entry(id: string, outcome: string, at: string, over: Partial<RuleTrailEntry> = {}): RuleTrailEntry {
  return { id, conversation_id: 'c2', rule_id: `r-${id}`, rule_name: `Regra ${id}`, event: 'conversation.created', outcome, detail: '', created_at: at, ...over }
}

// Server order deliberately not chronological: the newest must end up last.
const ITEMS: RuleTrailEntry[] = [
  entry('e3', 'action_failed', '2025-03-01T12:02:00Z', { rule_name: 'Etiquetar VIP', detail: 'tag: limit reached' }),
  entry('e1', 'matched', '2025-03-01T12:00:00Z', { rule_name: 'Etiquetar VIP' }),
  entry('e2', 'assigned', '2025-03-01T12:01:00Z', { rule_name: 'Round robin SAC', detail: 'Ana Souza' }),
  entry('e4', 'skipped', '2025-03-01T12:03:00Z'),
  entry('e5', 'something_new', '2025-03-01T12:04:00Z'),
]

function setup(lang: Lang = 'pt-BR', items = ITEMS) {
  const load = vi.fn(async () => ({ items }))
  render(
    <I18nProvider initial={lang}>
      <RuleTrail conversationId="c2" timeZone="America/Sao_Paulo" load={load} />
    </I18nProvider>,
  )
  return load
}

describe('RuleTrail', () => {
  it('loads only when opened, newest last, with translated outcomes', async () => {
    const user = userEvent.setup()
    const load = setup()
    expect(screen.getByTestId('rule-trail-toggle')).toHaveTextContent('Regras aplicadas')
    expect(screen.getByTestId('rule-trail-toggle')).toHaveAttribute('aria-expanded', 'false')
    expect(load).not.toHaveBeenCalled()

    await user.click(screen.getByTestId('rule-trail-toggle'))
    const rows = await screen.findAllByTestId('rule-trail-row')
    expect(load).toHaveBeenCalledWith('c2')
    expect(rows.map((r) => r.getAttribute('data-outcome'))).toEqual(['matched', 'assigned', 'action_failed', 'skipped', 'something_new'])
    const labels = rows.map((r) => within(r).getByTestId('rule-trail-outcome').textContent)
    expect(labels).toEqual(['Condição atendida', 'Atribuída', 'Ação falhou', 'Ignorada', 'something_new'])
    expect(rows[1]).toHaveTextContent('Round robin SAC')
    expect(rows[1]).toHaveTextContent('Ana Souza')
    expect(rows[1]).toHaveTextContent('01/03/2025, 09:01')
    expect(rows[2]).toHaveTextContent('tag: limit reached')

    await user.click(screen.getByTestId('rule-trail-toggle'))
    expect(screen.queryByTestId('rule-trail-row')).not.toBeInTheDocument()
  })

  it('marks action_failed and skipped in the warning colour, and only those', async () => {
    const user = userEvent.setup()
    setup()
    await user.click(screen.getByTestId('rule-trail-toggle'))
    const rows = await screen.findAllByTestId('rule-trail-row')
    const warned = rows.filter((r) => r.classList.contains('is-warn')).map((r) => r.getAttribute('data-outcome'))
    expect(warned).toEqual(['action_failed', 'skipped'])
    const failed = rows.find((r) => r.getAttribute('data-outcome') === 'action_failed')!
    expect(within(failed).getByTestId('rule-trail-outcome')).toHaveClass('pill-warn')
    const assigned = rows.find((r) => r.getAttribute('data-outcome') === 'assigned')!
    expect(within(assigned).getByTestId('rule-trail-outcome')).not.toHaveClass('pill-warn')
  })

  it('speaks English', async () => {
    const user = userEvent.setup()
    setup('en', [entry('a', 'offer_timed_out', '2025-03-01T12:00:00Z'), entry('b', 'action_ok', '2025-03-01T12:01:00Z')])
    expect(screen.getByTestId('rule-trail-toggle')).toHaveTextContent('Rules applied')
    await user.click(screen.getByTestId('rule-trail-toggle'))
    const rows = await screen.findAllByTestId('rule-trail-row')
    expect(rows[0]).toHaveTextContent('Offer timed out')
    expect(rows[1]).toHaveTextContent('Action done')
  })

  it('says so when no rule acted', async () => {
    const user = userEvent.setup()
    setup('pt-BR', [])
    await user.click(screen.getByTestId('rule-trail-toggle'))
    expect(await screen.findByTestId('rule-trail-empty')).toHaveTextContent('Nenhuma regra atuou')
  })

  it('pure helpers', () => {
    expect(isWarnOutcome('action_failed')).toBe(true)
    expect(isWarnOutcome('skipped')).toBe(true)
    expect(isWarnOutcome('action_ok')).toBe(false)
    expect(sortTrail(ITEMS).map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5'])
  })
})
