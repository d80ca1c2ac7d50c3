// The CRM part of the browser scenario (steps 15-19), run by run.mjs on the
// agent's page after the webchat steps: a card is created from the visitor's
// conversation, the second stage gets an entry message, the card is dragged
// there and the message reaches the conversation; then a message scheduled a
// few seconds ahead is sent by the server. See e2e/README.md.
import path from 'node:path'

import { fail, visible, waitUntil } from './harness.mjs'

export const ENTRY_TEMPLATE = 'Proposta enviada para {{contact.first_name}}'
export const ENTRY_PREFIX = 'Proposta enviada para'
export const REMINDER_TEXT = 'Lembrete agendado'
const SCHEDULE_AHEAD_MS = 6_000

/**
 * crmSteps adds the CRM steps to run.
 * ctx: {agent: () => Page, base, contactName, artifacts, T, agentBubble(page, direction, text)}
 */
export async function crmSteps(run, ctx) {
  const { base, contactName, artifacts, T, agentBubble } = ctx
  const firstName = contactName.split(/\s+/)[0]
  const state = {} // conversationId, card, secondStageId

  await run.step('15. agent creates a CRM card from the conversation', async () => {
    const page = ctx.agent()
    await page.goto(`${base}/`, { timeout: T.nav })
    const all = await visible(page.getByTestId('view-all'), 'the "all conversations" view tab')
    if ((await all.getAttribute('aria-selected')) !== 'true') await all.click()
    const row = page.getByTestId('conversation-row').filter({ hasText: contactName })
    await visible(row, `the conversation row of "${contactName}" in the inbox`)
    await row.first().click()
    const view = await visible(page.getByTestId('conversation-view'), 'the conversation view')
    state.conversationId = await view.getAttribute('data-id')
    if (!state.conversationId) fail('the conversation view has no data-id')
    await openContactPanel(page)
    const create = await visible(page.getByTestId('conversation-create-card'), 'the "Criar card" button in the contact panel (CRM module on, crm:edit)')
    const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/cards', { timeout: T.ui })
    await create.click()
    const res = await created.catch(() => fail('clicking "Criar card" did not POST /api/v1/cards'))
    const sent = res.request().postDataJSON()
    if (!sent || sent.conversation_id !== state.conversationId || Object.keys(sent).length !== 1) {
      fail(`"Criar card" posted ${JSON.stringify(sent)}, expected {conversation_id: "${state.conversationId}"}`)
    }
    const body = await res.json().catch(() => null)
    if (res.status() !== 201) fail(`backend: POST /api/v1/cards {conversation_id} answered ${res.status()} ${JSON.stringify(body)}, expected 201 with the card`)
    const problems = []
    if (!body || typeof body.id !== 'string') problems.push('no id')
    else {
      if (!body.pipeline_id || !body.stage_id) problems.push('no pipeline_id/stage_id')
      if (body.title !== contactName) problems.push(`title ${JSON.stringify(body.title)} (expected the contact's name "${contactName}")`)
      if (!Array.isArray(body.conversation_ids) || !body.conversation_ids.includes(state.conversationId)) problems.push('the conversation is not in conversation_ids')
    }
    if (problems.length) fail(`backend: the card created from the conversation: ${problems.join(', ')} in ${JSON.stringify(body)}`)
    state.card = body
    await visible(page.locator(`[data-testid="conversation-card"][data-id="${body.id}"]`), 'the new card in the conversation\'s CRM section')
  })

  await run.step('16. agent sets the second stage\'s entry message', async () => {
    const page = ctx.agent()
    await (await visible(page.getByTestId('crm-link'), 'the "CRM" link in the header')).click()
    await waitUntil(async () => /^\/crm\/[^/]+$/.test(new URL(page.url()).pathname), { timeout: T.ui, message: () => `the board address /crm/<pipeline> (url ${page.url()})` })
    await visible(page.getByTestId('crm-board'), 'the CRM board')
    const current = await page.getByTestId('crm-board').getAttribute('data-pipeline')
    if (current !== state.card.pipeline_id) {
      await page.getByTestId('crm-pipeline-select').selectOption(state.card.pipeline_id)
      await visible(page.locator(`[data-testid="crm-board"][data-pipeline="${state.card.pipeline_id}"]`), `the board of the card's pipeline ${state.card.pipeline_id}`)
    }
    await visible(cardTile(page, state.card.id), `the card "${state.card.title}" on the board`)
    await page.getByTestId('crm-pipeline-settings').click()
    const dialog = await visible(page.getByTestId('pipeline-settings'), 'the pipeline settings dialog')
    const second = dialog.locator('[data-testid="stage-settings"][data-index="1"]')
    await visible(second, 'a second stage in the pipeline settings (the pipeline needs two stages)')
    state.secondStageId = await second.getAttribute('data-id')
    if (state.secondStageId === state.card.stage_id) fail(`the card is already in the second stage ${state.secondStageId}`)
    await second.getByTestId('stage-entry-message').fill(ENTRY_TEMPLATE)
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === `/api/v1/stages/${state.secondStageId}`, { timeout: T.ui })
    await second.getByTestId('stage-save').click()
    const res = await saved.catch(() => fail('saving the stage did not PATCH /api/v1/stages/<id>'))
    const body = await res.json().catch(() => null)
    if (res.status() !== 200) fail(`backend: PATCH /api/v1/stages/${state.secondStageId} {entry_message} answered ${res.status()} ${JSON.stringify(body)}`)
    if (!body || body.entry_message !== ENTRY_TEMPLATE) fail(`backend: the stage after PATCH has entry_message ${JSON.stringify(body && body.entry_message)}, expected ${JSON.stringify(ENTRY_TEMPLATE)}`)
    await visible(second.getByTestId('stage-saved'), 'the "saved" note of the stage')
    await page.keyboard.press('Escape')
    await waitUntil(async () => (await page.getByTestId('pipeline-settings').count()) === 0, { timeout: T.ui, message: 'the settings dialog to close' })
  })

  await run.step('17. agent drags the card to the second stage', async () => {
    const page = ctx.agent()
    const tile = await visible(cardTile(page, state.card.id), 'the card on the board')
    const target = page.locator(`[data-testid="crm-column"][data-stage="${state.secondStageId}"] [data-testid="crm-column-drop"]`)
    await visible(target, 'the second stage\'s column')
    const isMove = (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/cards/${state.card.id}/move`
    let moved = page.waitForResponse(isMove, { timeout: 10_000 })
    await tile.dragTo(target)
    let res = await moved.catch(() => null)
    if (!res) {
      // A second try with the mouse, step by step (some builds need the intermediate moves).
      moved = page.waitForResponse(isMove, { timeout: T.ui })
      const from = await tile.boundingBox()
      const to = await target.boundingBox()
      if (!from || !to) fail('the card or the target column has no box on screen')
      await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2)
      await page.mouse.down()
      for (let i = 1; i <= 10; i++) await page.mouse.move(from.x + ((to.x + to.width / 2 - from.x) * i) / 10, from.y + ((to.y + 40 - from.y) * i) / 10)
      await page.mouse.up()
      res = await moved.catch(() => fail('dropping the card on the second column did not POST /api/v1/cards/<id>/move'))
    }
    const sent = res.request().postDataJSON()
    if (!sent || sent.stage_id !== state.secondStageId) fail(`the move posted ${JSON.stringify(sent)}, expected stage_id ${state.secondStageId}`)
    const body = await res.json().catch(() => null)
    if (res.status() !== 200) fail(`backend: POST /api/v1/cards/${state.card.id}/move ${JSON.stringify(sent)} answered ${res.status()} ${JSON.stringify(body)}`)
    if (!body || body.stage_id !== state.secondStageId) fail(`backend: the card after the move is in stage ${body && body.stage_id}, expected ${state.secondStageId}`)
    const inSecond = page.locator(`[data-testid="crm-column"][data-stage="${state.secondStageId}"] [data-testid="crm-card"][data-id="${state.card.id}"]`)
    await visible(inSecond, 'the card in the second column')
    if (await page.getByTestId('crm-move-error').count()) fail(`the board shows a move error: ${await page.getByTestId('crm-move-error').innerText()}`)
    await new Promise((r) => setTimeout(r, 1500)) // the board refetches after the move: it must stay there
    await visible(inSecond, 'the card still in the second column after the board was fetched again')
    await page.screenshot({ path: path.join(artifacts, 'crm-board.png') })
  })

  await run.step('18. the stage\'s entry message reaches the conversation', async () => {
    const page = ctx.agent()
    await cardTile(page, state.card.id).click()
    const drawer = await visible(page.getByTestId('card-drawer'), 'the card drawer')
    await visible(drawer.getByTestId('card-stage-select'), 'the card\'s stage select')
    const stageNow = await drawer.getByTestId('card-stage-select').inputValue()
    if (stageNow !== state.secondStageId) fail(`the drawer shows stage ${stageNow}, expected ${state.secondStageId}`)
    const link = drawer.locator(`[data-testid="card-conversation-link"][href="/conversations/${state.conversationId}"]`)
    await visible(link, 'the link to the card\'s conversation in the drawer')
    await link.click()
    await visible(page.locator(`[data-testid="conversation-view"][data-id="${state.conversationId}"]`), 'the conversation view')
    const bubble = agentBubble(page, 'outbound', ENTRY_PREFIX)
    await visible(bubble, `an outbound message starting with "${ENTRY_PREFIX}" (the second stage's entry message)`, T.live)
    const text = (await bubble.first().locator('.bubble-body').innerText()).trim()
    if (!text.startsWith(ENTRY_PREFIX)) fail(`the entry message reads ${JSON.stringify(text)}, expected it to start with "${ENTRY_PREFIX}"`)
    if (text !== `${ENTRY_PREFIX} ${firstName}`) fail(`backend: the entry message reads ${JSON.stringify(text)}, expected "${ENTRY_PREFIX} ${firstName}" ({{contact.first_name}} filled in)`)
  })

  await run.step('19. a message scheduled a few seconds ahead is sent', async () => {
    const page = ctx.agent()
    await openContactPanel(page)
    const form = await visible(page.locator('[data-testid="conversation-scheduled"] [data-testid="schedule-form"]'), 'the "Agendar mensagem" form in the contact panel')
    const timeZone = await page.evaluate(async () => {
      const r = await fetch('/api/v1/me', { credentials: 'same-origin' })
      const me = await r.json()
      return (me && me.account && me.account.timezone) || 'America/Sao_Paulo'
    })
    await form.getByTestId('schedule-body').fill(REMINDER_TEXT)
    const sendAt = wallTime(new Date(Date.now() + SCHEDULE_AHEAD_MS), timeZone)
    await form.getByTestId('schedule-at').fill(sendAt)
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/scheduled-messages', { timeout: T.ui })
    await form.getByTestId('schedule-submit').click()
    const res = await posted.catch(() => fail('scheduling did not POST /api/v1/scheduled-messages'))
    const sent = res.request().postDataJSON()
    if (!sent || sent.conversation_id !== state.conversationId || sent.body !== REMINDER_TEXT || sent.send_at !== sendAt) {
      fail(`the schedule form posted ${JSON.stringify(sent)}, expected {conversation_id: "${state.conversationId}", body: "${REMINDER_TEXT}", send_at: "${sendAt}"} (naive, ${timeZone})`)
    }
    const body = await res.json().catch(() => null)
    if (res.status() !== 201) fail(`backend: POST /api/v1/scheduled-messages ${JSON.stringify(sent)} answered ${res.status()} ${JSON.stringify(body)}, expected 201`)
    if (!body || body.status !== 'scheduled') fail(`backend: the new scheduled message has status ${JSON.stringify(body && body.status)}, expected "scheduled": ${JSON.stringify(body)}`)
    const row = page.locator(`[data-testid="scheduled-row"][data-id="${body.id}"]`)
    await visible(row, 'the scheduled message in the conversation\'s list')
    await visible(agentBubble(page, 'outbound', REMINDER_TEXT), `the scheduled message "${REMINDER_TEXT}" in the conversation (sent by the server at ${sendAt} ${timeZone})`, T.nav)
    await waitUntil(async () => (await row.getAttribute('data-status')) === 'sent', {
      timeout: T.ui,
      message: async () => `backend: the scheduled message's row to turn "sent" (scheduled_message.updated; data-status ${await row.getAttribute('data-status')})`,
    })
    await page.screenshot({ path: path.join(artifacts, 'crm-conversation.png') })
  })
}

function cardTile(page, id) {
  return page.locator(`[data-testid="crm-card"][data-id="${id}"]`)
}

async function openContactPanel(page) {
  const crm = page.getByTestId('conversation-crm')
  if (await crm.isVisible().catch(() => false)) return
  await page.getByTestId('action-contact').click()
  await visible(crm, 'the CRM section of the contact panel')
}

/** An instant as the account's wall time, the value of a datetime-local input (seconds only when not zero). */
export function wallTime(at, timeZone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, p.value]),
  )
  const base = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`
  // Chromium drops ":00" from the input's value, and Playwright's fill checks the value it set.
  return parts.second === '00' ? base : `${base}:${parts.second}`
}
