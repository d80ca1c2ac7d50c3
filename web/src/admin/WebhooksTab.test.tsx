import { afterEach, describe, expect, it, vi } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { WebhookDelivery, WebhookDeliveryDetail, WebhookEndpoint } from '../api/types'
import { makeMe } from '../test/fakes'
import { renderAdmin, scriptFetch } from './adminTestKit'
import type { Call } from './adminTestKit'
import { WebhooksTab } from './WebhooksTab'

const SECRET = 'whsec_7d1f0c2b9a8e7f6d5c4b3a29'
const ROTATED = 'whsec_new_9999888877776666'
const me = makeMe({ permissions: ['api:tokens', 'conversations:view:all'] })
const EVENTS = ['message.created', 'conversation.created', 'conversation.closed']

const erp: WebhookEndpoint = {
  id: 'wh-erp',
  url: 'https://erp.example.com/hook',
  events: [],
  enabled: true,
  disabled_reason: '',
  secret_hint: 'a1b2',
  created_at: '2025-03-01T12:00:00Z',
  updated_at: '2025-03-01T12:00:00Z',
}

const crm: WebhookEndpoint = {
  ...erp,
  id: 'wh-crm',
  url: 'https://crm.example.com/in',
  events: ['conversation.closed'],
  enabled: false,
  disabled_reason: 'deliveries failed for 24 hours: the endpoint answered 503',
  secret_hint: 'c3d4',
}

function delivery(id: string, over: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id,
    endpoint_id: 'wh-erp',
    event_id: `ev-${id}`,
    event: 'message.created',
    status: 'delivered',
    attempts: 1,
    last_status_code: 200,
    last_error: '',
    last_duration_ms: 87,
    payload: { id: `ev-${id}` },
    created_at: '2025-03-01T12:00:00Z',
    delivered_at: '2025-03-01T12:00:01Z',
    ...over,
  }
}

const failed = delivery('0195a0c1-0000-7000-8000-00000000f41d', {
  status: 'failed',
  attempts: 3,
  last_status_code: 500,
  last_error: 'HTTP 500',
  last_duration_ms: 1234,
  delivered_at: null,
  payload: { event: 'message.created', data: { id: 'm-77', body: 'Olá' } },
})
const ok = delivery('0195a0c1-0000-7000-8000-0000000000a1')
const older = delivery('0195a0c0-0000-7000-8000-0000000000b2', { event: 'conversation.created' })

type Reply = { status: number; body?: unknown } | undefined

function server(extra: (c: Call) => Reply = () => undefined, items: WebhookEndpoint[] = [erp, crm]) {
  return scriptFetch((c) => {
    const r = extra(c)
    if (r) return r
    if (c.method === 'GET' && c.path === '/api/v1/webhook-events') return { status: 200, body: { items: EVENTS } }
    if (c.method === 'GET' && c.path === '/api/v1/webhooks') return { status: 200, body: { items } }
    return undefined
  })
}

afterEach(() => vi.unstubAllGlobals())

describe('WebhooksTab', () => {
  it('lists endpoints: URL, events or "all", status and the secret hint', async () => {
    server()
    renderAdmin(<WebhooksTab />, me)
    const rows = await screen.findAllByTestId('webhook-row')
    expect(rows).toHaveLength(2)
    expect(within(rows[0]).getByTestId('webhook-url-text')).toHaveTextContent('https://erp.example.com/hook')
    expect(within(rows[0]).getByTestId('webhook-events')).toHaveTextContent('todos os eventos')
    expect(within(rows[0]).getByTestId('webhook-status')).toHaveTextContent('Ativo')
    expect(within(rows[0]).getByTestId('webhook-secret-hint')).toHaveTextContent('…a1b2')
    expect(within(rows[0]).queryByTestId('webhook-disabled-reason')).not.toBeInTheDocument()
    expect(within(rows[1]).getByTestId('webhook-events')).toHaveTextContent('conversation.closed')
    expect(screen.getByTestId('webhook-help')).toHaveTextContent('X-Chatspot-Signature')
    expect(screen.getByTestId('webhook-help')).toHaveTextContent('X-Chatspot-Delivery')
  })

  it('shows why a disabled endpoint was turned off, and re-enables it', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.method === 'PATCH' && c.path === '/api/v1/webhooks/wh-crm') return { status: 200, body: { ...crm, enabled: true, disabled_reason: '' } }
      return undefined
    })
    renderAdmin(<WebhooksTab />, me)
    const row = (await screen.findAllByTestId('webhook-row'))[1]
    expect(row).toHaveAttribute('data-enabled', 'false')
    expect(within(row).getByTestId('webhook-status')).toHaveTextContent('Desativado')
    expect(within(row).getByTestId('webhook-disabled-reason')).toHaveTextContent('Desativado após falhas persistentes: deliveries failed for 24 hours: the endpoint answered 503')

    await user.click(within(row).getByTestId('webhook-enabled'))
    await waitFor(() => expect(row).toHaveAttribute('data-enabled', 'true'))
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ enabled: true })
    expect(within(row).queryByTestId('webhook-disabled-reason')).not.toBeInTheDocument()
  })

  it('creates an endpoint and shows its secret once', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.method === 'POST' && c.path === '/api/v1/webhooks') {
        const b = c.body as { url: string; events: string[] }
        return { status: 201, body: { ...erp, id: 'wh-new', url: b.url, events: b.events, secret_hint: SECRET.slice(-4), secret: SECRET } }
      }
      return undefined
    }, [])
    renderAdmin(<WebhooksTab />, me)
    await screen.findByText('Nenhum endpoint cadastrado.')
    const form = screen.getByTestId('webhook-create-form')
    expect(within(form).getByTestId('webhook-events-all')).toBeChecked()

    await user.type(within(form).getByTestId('webhook-url'), 'https://loja.example.com/webhooks')
    await user.click(await within(form).findByTestId('webhook-event-conversation.closed'))
    await user.click(within(form).getByTestId('webhook-event-message.created'))
    expect(within(form).getByTestId('webhook-events-all')).not.toBeChecked()
    await user.click(within(form).getByTestId('webhook-submit'))

    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      url: 'https://loja.example.com/webhooks',
      events: ['message.created', 'conversation.closed'],
    })
    const dialog = await screen.findByTestId('webhook-secret-dialog')
    expect(within(dialog).getByTestId('webhook-secret')).toHaveValue(SECRET)
    expect(within(dialog).getByTestId('webhook-secret-warning')).toHaveTextContent('não será mostrado novamente')
    await user.click(within(dialog).getByTestId('webhook-secret-copy'))
    expect(await navigator.clipboard.readText()).toBe(SECRET)

    await user.click(screen.getByTestId('webhook-secret-close'))
    expect(screen.queryByTestId('webhook-secret-dialog')).not.toBeInTheDocument()
    expect(document.body.innerHTML).not.toContain(SECRET)
    const row = screen.getByTestId('webhook-row')
    expect(row).toHaveTextContent('https://loja.example.com/webhooks')
    expect(within(row).getByTestId('webhook-secret-hint')).toHaveTextContent(`…${SECRET.slice(-4)}`)
    // the form is ready for the next one, back to "all events"
    expect(screen.getByTestId('webhook-url')).toHaveValue('')
    expect(screen.getByTestId('webhook-events-all')).toBeChecked()
  })

  it('sends no events when none is ticked (= all events)', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.method === 'POST') return { status: 201, body: { ...erp, id: 'wh-new', secret: SECRET } }
      return undefined
    }, [])
    renderAdmin(<WebhooksTab />, me)
    const form = await screen.findByTestId('webhook-create-form')
    await user.click(await within(form).findByTestId('webhook-event-message.created'))
    await user.click(within(form).getByTestId('webhook-events-all'))
    expect(within(form).getByTestId('webhook-event-message.created')).not.toBeChecked()
    await user.type(within(form).getByTestId('webhook-url'), 'http://localhost:9000/hook')
    await user.click(within(form).getByTestId('webhook-submit'))
    await screen.findByTestId('webhook-secret-dialog')
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ url: 'http://localhost:9000/hook', events: [] })
  })

  it('checks the URL before sending, and shows the server refusal next to its field', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.method === 'POST') return { status: 422, body: { status: 422, title: 'Unprocessable', detail: 'url: must not point to a private address', field: 'url' } }
      return undefined
    }, [])
    renderAdmin(<WebhooksTab />, me)
    const form = await screen.findByTestId('webhook-create-form')
    await user.type(within(form).getByTestId('webhook-url'), 'erp.example.com/hook')
    await user.click(within(form).getByTestId('webhook-submit'))
    expect(within(form).getByTestId('field-error')).toHaveTextContent('https:// ou http://')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await user.clear(within(form).getByTestId('webhook-url'))
    await user.type(within(form).getByTestId('webhook-url'), 'http://10.0.0.1/hook')
    await user.click(within(form).getByTestId('webhook-submit'))
    const err = await within(form).findByTestId('field-error')
    await waitFor(() => expect(err).toHaveTextContent('must not point to a private address'))
    expect(err).toHaveAttribute('data-field', 'url')
    expect(err).not.toHaveTextContent('url:')
    expect(screen.queryByTestId('webhook-secret-dialog')).not.toBeInTheDocument()
  })

  it('edits the URL and events, sending only what changed', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.method === 'PATCH' && c.path === '/api/v1/webhooks/wh-erp') return { status: 200, body: { ...erp, ...(c.body as object) } }
      return undefined
    })
    renderAdmin(<WebhooksTab />, me)
    const row = (await screen.findAllByTestId('webhook-row'))[0]
    await user.click(within(row).getByTestId('webhook-edit'))
    const dialog = screen.getByTestId('webhook-edit-dialog')
    expect(within(dialog).getByTestId('webhook-url')).toHaveValue('https://erp.example.com/hook')
    await user.click(await within(dialog).findByTestId('webhook-event-message.created'))
    await user.click(within(dialog).getByTestId('webhook-submit'))
    await waitFor(() => expect(screen.queryByTestId('webhook-edit-dialog')).not.toBeInTheDocument())
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ events: ['message.created'] })
    expect(within(row).getByTestId('webhook-events')).toHaveTextContent('message.created')
  })

  it('rotates the secret after confirming and shows the new one once', async () => {
    const user = userEvent.setup()
    let hint = 'a1b2'
    const calls = server((c) => {
      if (c.method === 'POST' && c.path === '/api/v1/webhooks/wh-erp/rotate-secret') {
        hint = ROTATED.slice(-4)
        return { status: 200, body: { secret: ROTATED } }
      }
      if (c.method === 'GET' && c.path === '/api/v1/webhooks') return { status: 200, body: { items: [{ ...erp, secret_hint: hint }] } }
      return undefined
    })
    renderAdmin(<WebhooksTab />, me)
    await user.click(await screen.findByTestId('webhook-rotate'))
    expect(calls.some((c) => c.path.endsWith('/rotate-secret'))).toBe(false)
    await user.click(screen.getByTestId('confirm-ok'))
    const dialog = await screen.findByTestId('webhook-secret-dialog')
    expect(within(dialog).getByTestId('webhook-secret')).toHaveValue(ROTATED)
    await user.click(screen.getByTestId('webhook-secret-close'))
    expect(document.body.innerHTML).not.toContain(ROTATED)
    await waitFor(() => expect(screen.getByTestId('webhook-secret-hint')).toHaveTextContent(`…${ROTATED.slice(-4)}`))
  })

  it('sends a test ping and opens the deliveries', async () => {
    const user = userEvent.setup()
    const ping = delivery('0195a0c2-0000-7000-8000-00000000cafe', { event: 'ping', status: 'pending', attempts: 0, last_status_code: 0, last_duration_ms: 0, delivered_at: null })
    let pinged = false
    const calls = server((c) => {
      if (c.method === 'POST' && c.path === '/api/v1/webhooks/wh-erp/ping') {
        pinged = true
        return { status: 202, body: ping }
      }
      if (c.method === 'GET' && c.path === '/api/v1/webhooks/wh-erp/deliveries') return { status: 200, body: { items: pinged ? [ping] : [], next_cursor: '' } }
      return undefined
    }, [erp])
    renderAdmin(<WebhooksTab />, me)
    await user.click(await screen.findByTestId('webhook-ping'))
    expect(await screen.findByTestId('webhook-notice')).toHaveTextContent('…0000cafe')
    const row = await screen.findByTestId('delivery-row')
    expect(row).toHaveTextContent('ping')
    expect(within(row).getByTestId('delivery-status')).toHaveTextContent('Pendente')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1)
  })

  it('deletes after confirming', async () => {
    const user = userEvent.setup()
    const calls = server((c) => {
      if (c.method === 'DELETE' && c.path === '/api/v1/webhooks/wh-crm') return { status: 204 }
      return undefined
    })
    renderAdmin(<WebhooksTab />, me)
    const row = (await screen.findAllByTestId('webhook-row'))[1]
    await user.click(within(row).getByTestId('webhook-delete'))
    await user.click(screen.getByTestId('confirm-ok'))
    await waitFor(() => expect(screen.getAllByTestId('webhook-row')).toHaveLength(1))
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/webhooks/wh-crm')).toBe(true)
  })
})

describe('WebhooksTab deliveries', () => {
  function deliveriesServer() {
    let replayed = false
    const calls = server((c) => {
      if (c.method === 'GET' && c.path.startsWith('/api/v1/webhooks/wh-erp/deliveries')) {
        const q = new URL(c.path, 'http://x').searchParams
        if (q.get('cursor') === 'page2') return { status: 200, body: { items: [older], next_cursor: '' } }
        if (q.get('status') === 'failed') return { status: 200, body: { items: [failed], next_cursor: '' } }
        const first = replayed ? [delivery('0195a0c3-0000-7000-8000-00000000beef', { status: 'pending', attempts: 0, last_status_code: 0, delivered_at: null }), failed, ok] : [failed, ok]
        return { status: 200, body: { items: first, next_cursor: 'page2' } }
      }
      if (c.method === 'GET' && c.path === `/api/v1/webhook-deliveries/${failed.id}`) {
        const detail: WebhookDeliveryDetail = {
          ...failed,
          attempts_log: [
            { attempt: 1, status_code: 0, error: 'dial tcp: connection refused', duration_ms: 12, at: '2025-03-01T12:00:00Z' },
            { attempt: 2, status_code: 503, error: 'HTTP 503', duration_ms: 340, at: '2025-03-01T12:00:30Z' },
            { attempt: 3, status_code: 500, error: 'HTTP 500', duration_ms: 1234, at: '2025-03-01T12:02:00Z' },
          ],
        }
        return { status: 200, body: detail }
      }
      if (c.method === 'POST' && c.path === `/api/v1/webhook-deliveries/${failed.id}/replay`) {
        replayed = true
        return { status: 201, body: delivery('0195a0c3-0000-7000-8000-00000000beef', { status: 'pending' }) }
      }
      return undefined
    }, [erp])
    return calls
  }

  async function openDeliveries(user: ReturnType<typeof userEvent.setup>) {
    renderAdmin(<WebhooksTab />, me)
    await user.click(await screen.findByTestId('webhook-deliveries-toggle'))
    await waitFor(() => expect(screen.getAllByTestId('delivery-row')).toHaveLength(2))
    return screen.getByTestId('webhook-deliveries')
  }

  it('lists the deliveries with status, attempts, last code and duration, and loads more', async () => {
    const user = userEvent.setup()
    const calls = deliveriesServer()
    const panel = await openDeliveries(user)
    const [first, second] = within(panel).getAllByTestId('delivery-row')
    expect(first).toHaveAttribute('data-status', 'failed')
    expect(first).toHaveTextContent('message.created')
    expect(first).toHaveTextContent('…0000f41d')
    expect(within(first).getByTestId('delivery-status')).toHaveTextContent('Falhou')
    expect(first).toHaveTextContent('500')
    expect(first).toHaveTextContent('1234 ms')
    expect(within(second).getByTestId('delivery-status')).toHaveTextContent('Entregue')
    expect(calls.some((c) => c.path === '/api/v1/webhooks/wh-erp/deliveries')).toBe(true)

    await user.click(within(panel).getByTestId('delivery-load-more'))
    await waitFor(() => expect(within(panel).getAllByTestId('delivery-row')).toHaveLength(3))
    expect(within(panel).getAllByTestId('delivery-row')[2]).toHaveTextContent('conversation.created')
    expect(calls.some((c) => c.path === '/api/v1/webhooks/wh-erp/deliveries?cursor=page2')).toBe(true)
    expect(within(panel).queryByTestId('delivery-load-more')).not.toBeInTheDocument()
  })

  it('filters by status', async () => {
    const user = userEvent.setup()
    const calls = deliveriesServer()
    const panel = await openDeliveries(user)
    await user.selectOptions(within(panel).getByTestId('delivery-filter'), 'failed')
    await waitFor(() => expect(within(panel).getAllByTestId('delivery-row')).toHaveLength(1))
    expect(within(panel).getByTestId('delivery-row')).toHaveAttribute('data-status', 'failed')
    expect(calls.some((c) => c.path === '/api/v1/webhooks/wh-erp/deliveries?status=failed')).toBe(true)
  })

  it('shows a delivery payload and its attempts', async () => {
    const user = userEvent.setup()
    deliveriesServer()
    const panel = await openDeliveries(user)
    await user.click(within(panel).getAllByTestId('delivery-open')[0])
    const dialog = await screen.findByTestId('delivery-dialog')
    const payload = await within(dialog).findByTestId('delivery-payload')
    expect(payload.textContent).toBe(JSON.stringify(failed.payload, null, 2))
    expect(within(dialog).getByTestId('delivery-full-id')).toHaveTextContent(failed.id)
    const attempts = within(dialog).getAllByTestId('delivery-attempt')
    expect(attempts).toHaveLength(3)
    expect(attempts[0]).toHaveTextContent('connection refused')
    expect(attempts[0]).toHaveTextContent('—')
    expect(attempts[1]).toHaveTextContent('503')
    expect(attempts[2]).toHaveTextContent('1234 ms')
  })

  it('replays a delivery and refreshes the list', async () => {
    const user = userEvent.setup()
    const calls = deliveriesServer()
    const panel = await openDeliveries(user)
    await user.click(within(panel).getAllByTestId('delivery-replay')[0])
    await waitFor(() => expect(within(panel).getAllByTestId('delivery-row')).toHaveLength(3))
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([`/api/v1/webhook-deliveries/${failed.id}/replay`])
    expect(within(panel).getByTestId('delivery-message')).toHaveTextContent('Reenvio criado (entrega …0000beef)')
    expect(within(panel).getAllByTestId('delivery-row')[0]).toHaveAttribute('data-status', 'pending')
  })

  it('replays from the delivery details too', async () => {
    const user = userEvent.setup()
    const calls = deliveriesServer()
    const panel = await openDeliveries(user)
    await user.click(within(panel).getAllByTestId('delivery-open')[0])
    await user.click(await screen.findByTestId('delivery-dialog-replay'))
    await waitFor(() => expect(within(panel).getAllByTestId('delivery-row')).toHaveLength(3))
    expect(screen.queryByTestId('delivery-dialog')).not.toBeInTheDocument()
    expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/replay'))).toBe(true)
  })

  it('shows the server refusal of a replay', async () => {
    const user = userEvent.setup()
    server((c) => {
      if (c.method === 'GET' && c.path.startsWith('/api/v1/webhooks/wh-erp/deliveries')) return { status: 200, body: { items: [ok], next_cursor: '' } }
      if (c.method === 'POST') return { status: 409, body: { status: 409, detail: 'endpoint is disabled' } }
      return undefined
    }, [erp])
    renderAdmin(<WebhooksTab />, me)
    await user.click(await screen.findByTestId('webhook-deliveries-toggle'))
    await user.click(await screen.findByTestId('delivery-replay'))
    const msg = await screen.findByTestId('delivery-message')
    expect(msg).toHaveTextContent('endpoint is disabled')
    expect(msg).toHaveAttribute('role', 'alert')
  })
})
