import { afterEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Pipeline } from '../api/types'
import { scriptFetch } from '../admin/adminTestKit'
import type { Handler } from '../admin/adminTestKit'
import { PipelineSettings } from './PipelineSettings'
import { pipeline, renderCrm } from './crmTestKit'

afterEach(() => vi.unstubAllGlobals())

function server(write: Handler = () => undefined, current: () => Pipeline = () => pipeline()) {
  return scriptFetch((c) => {
    if (c.method === 'GET' && c.path === '/api/v1/pipelines') return { status: 200, body: { items: [current()] } }
    return write(c)
  })
}

const row = (stageId: string) => screen.getAllByTestId('stage-settings').find((el) => el.getAttribute('data-id') === stageId)!

describe('PipelineSettings', () => {
  it('deletes a stage that has cards after asking where they go', async () => {
    const user = userEvent.setup()
    let deleted = false
    const calls = server(
      (c) => (c.method === 'DELETE' ? ((deleted = true), { status: 204 }) : undefined),
      () => (deleted ? pipeline({ stages: pipeline().stages.slice(1) }) : pipeline()),
    )
    renderCrm(<PipelineSettings pipelineId="p1" onClose={() => undefined} onDeleted={() => undefined} />)
    await screen.findAllByTestId('stage-settings')
    expect(row('s1')).toHaveTextContent('2 card(s)')
    await user.click(within(row('s1')).getByTestId('stage-delete'))
    const dialog = screen.getByTestId('stage-delete-dialog')
    expect(dialog).toHaveTextContent('Esta etapa tem 2 card(s)')
    const target = within(dialog).getByTestId('stage-move-to')
    expect(within(target).getAllByRole('option').map((o) => o.textContent)).toEqual(['Proposta', 'Fechamento'])
    await user.selectOptions(target, 's3')
    await user.click(within(dialog).getByTestId('confirm-ok'))
    await waitFor(() => expect(screen.getAllByTestId('stage-settings')).toHaveLength(2))
    expect(calls.find((c) => c.method === 'DELETE')?.path).toBe('/api/v1/stages/s1?move_to=s3')
    expect(screen.queryByTestId('stage-delete-dialog')).not.toBeInTheDocument()
  })

  it('asks for a target when the server says an "empty" stage still has cards', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.method !== 'DELETE') return undefined
      return c.path.includes('move_to=') ? { status: 204 } : { status: 409, body: { status: 409, detail: 'the stage has 1 archived card: pass move_to' } }
    })
    renderCrm(<PipelineSettings pipelineId="p1" onClose={() => undefined} onDeleted={() => undefined} />)
    await screen.findAllByTestId('stage-settings')
    await user.click(within(row('s3')).getByTestId('stage-delete'))
    await user.click(screen.getByTestId('confirm-ok'))
    const dialog = await screen.findByTestId('stage-delete-dialog')
    expect(dialog).toHaveTextContent('pass move_to')
    await user.click(within(dialog).getByTestId('confirm-ok'))
    await waitFor(() => expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/api/v1/stages/s3', '/api/v1/stages/s3?move_to=s1']))
  })

  it('saves a stage entry message and stale days, and reorders stages', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.method === 'PATCH') return { status: 200, body: { ...pipeline().stages[1], ...(c.body as object) } }
      if (c.method === 'PUT') return { status: 200, body: pipeline({ stages: [pipeline().stages[1], pipeline().stages[0], pipeline().stages[2]].map((s, i) => ({ ...s, position: i })) }) }
      return undefined
    })
    renderCrm(<PipelineSettings pipelineId="p1" onClose={() => undefined} onDeleted={() => undefined} />)
    await screen.findAllByTestId('stage-settings')
    const second = row('s2')
    expect(second).toHaveTextContent('{{contact.first_name}}')
    const entry = within(second).getByTestId('stage-entry-message')
    await user.type(entry, 'Proposta enviada para {{{{contact.first_name}}')
    const stale = within(second).getByTestId('stage-stale-days')
    await user.clear(stale)
    await user.type(stale, '3')
    await user.click(within(second).getByTestId('stage-save'))
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true))
    expect(calls.find((c) => c.method === 'PATCH')).toEqual({
      method: 'PATCH',
      path: '/api/v1/stages/s2',
      body: { entry_message: 'Proposta enviada para {{contact.first_name}}', stale_days: 3 },
    })

    await user.click(within(row('s2')).getByTestId('stage-up'))
    await waitFor(() => expect(screen.getAllByTestId('stage-settings').map((el) => el.getAttribute('data-id'))).toEqual(['s2', 's1', 's3']))
    expect(calls.find((c) => c.method === 'PUT')).toEqual({ method: 'PUT', path: '/api/v1/pipelines/p1/stage-order', body: { stage_ids: ['s2', 's1', 's3'] } })
    expect(within(row('s2')).getByTestId('stage-up')).toBeDisabled()
  })

  it('adds a stage and a stage quick reply, and shows why the pipeline cannot be deleted', async () => {
    const user = userEvent.setup()
    const onDeleted = vi.fn()
    const calls = server((c) => {
      if (c.method === 'POST' && c.path === '/api/v1/pipelines/p1/stages') return { status: 201, body: { id: 's4', name: 'Pós-venda' } }
      if (c.method === 'POST' && c.path === '/api/v1/stages/s1/quick-replies') return { status: 201, body: { id: 'qr9', stage_id: 's1', title: 'Oi', text: 'Olá!' } }
      if (c.method === 'DELETE' && c.path === '/api/v1/pipelines/p1') return { status: 409, body: { status: 409, detail: 'the pipeline has 3 open cards' } }
      return undefined
    })
    renderCrm(<PipelineSettings pipelineId="p1" onClose={() => undefined} onDeleted={onDeleted} />)
    await screen.findAllByTestId('stage-settings')
    await user.type(screen.getByTestId('stage-add-name'), 'Pós-venda')
    await user.click(screen.getByTestId('stage-add'))
    await waitFor(() => expect(calls.find((c) => c.path === '/api/v1/pipelines/p1/stages')?.body).toEqual({ name: 'Pós-venda' }))

    await user.click(within(row('s1')).getByTestId('stage-reply-new'))
    await user.type(within(row('s1')).getByTestId('stage-reply-title'), 'Oi')
    await user.type(within(row('s1')).getByTestId('stage-reply-text'), 'Olá!')
    await user.click(within(row('s1')).getByTestId('stage-reply-save'))
    await waitFor(() => expect(calls.find((c) => c.path === '/api/v1/stages/s1/quick-replies')?.body).toEqual({ title: 'Oi', text: 'Olá!' }))

    await user.click(screen.getByTestId('pipeline-delete'))
    await user.click(screen.getByTestId('confirm-ok'))
    expect(await screen.findByTestId('confirm-error')).toHaveTextContent('the pipeline has 3 open cards')
    expect(onDeleted).not.toHaveBeenCalled()
  })
})
