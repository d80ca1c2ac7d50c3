#!/usr/bin/env node
// Browser end-to-end test: an agent (agent UI) and a website visitor (the
// webchat widget on the demo shop page) talk to each other through a real
// `chatspot dev` process; then the agent works the conversation in the CRM
// (e2e/lib/crm.mjs), answers an Instagram comment (e2e/lib/instagram.mjs),
// a customer's HTML mail (e2e/lib/email.mjs), a buyer's question on a
// Mercado Livre listing (e2e/lib/mercadolivre.mjs) and, after a Pix
// recharge of the prepaid balance, a customer's SMS (e2e/lib/sms.mjs).
// See e2e/README.md.
//
//   make build && cd web && npm run e2e
//
// Environment:
//   CHATSPOT_BIN        the binary to run (default <repo>/bin/chatspot)
//   CHROMIUM_PATH       the browser (default /usr/bin/chromium)
//   E2E_WIDGET_FILE     serve this file as /widget.js to the visitor instead
//                       of the copy embedded in the binary (to iterate on
//                       web/widget/widget.js without rebuilding Go)
import { access, constants, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

import { crmSteps } from './lib/crm.mjs'
import { emailSteps, startMailServers } from './lib/email.mjs'
import { instagramSteps, startFakeInstagram } from './lib/instagram.mjs'
import { linkedinSteps } from './lib/linkedin.mjs'
import { mercadolivreSteps, startFakeMercadoLivre } from './lib/mercadolivre.mjs'
import { MP_ACCESS_TOKEN, MP_WEBHOOK_SECRET, SEGMENT_CENTS, smsSteps, startFakeSMSProviders } from './lib/sms.mjs'
import { writeFixtures } from './lib/files.mjs'
import { Run, fail, fmt, hidden, visible, waitUntil } from './lib/harness.mjs'
import { startChatspot } from './lib/server.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '..', '..')
const artifacts = path.join(repo, 'test-artifacts')
const bin = process.env.CHATSPOT_BIN || path.join(repo, 'bin', 'chatspot')
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const widgetFile = process.env.E2E_WIDGET_FILE ? path.resolve(process.env.E2E_WIDGET_FILE) : ''

const VISITOR = { name: 'Maria Teste', email: 'maria@example.com' }
const VISITOR_TEXT = 'Olá, gostaria de um orçamento'
const AGENT_TEXT = 'Claro! Qual produto?'
const AGENT_NAME = 'Admin' // the demo administrator's name (internal/demo)
const PROOF_TEXT = 'Segue o comprovante'
const DRAFT_TEXT = 'Rascunho que deve ficar'

// Generous: this runs on busy, small machines. No timing is asserted.
const T = { ui: 30_000, live: 45_000, read: 20_000, nav: 60_000 }

const startedAt = Date.now()
let server = null
let browser = null
const pages = {} // agent, visitor
const diagnostics = [] // failed requests and page errors, printed on failure
let instagram = null // the local Instagram Graph API
let mercadolivre = null // the local Mercado Livre API and consent screen
let smsProviders = null // the local Mercado Pago (Pix) and Twilio (SMS) APIs
let mail = null // the test IMAP and SMTP servers (go run …/mailserve)
let fixtures = null // {dir, png, pdf, exe}: the files the attachment steps send

async function main() {
  await mkdir(artifacts, { recursive: true })
  // No stale pictures from an earlier run.
  for (const f of ['inbox.png', 'conversation.png', 'widget.png', 'widget-mobile.png', 'attachments.png', 'attachments-agent.png',
    'crm-board.png', 'crm-conversation.png', 'email-conversation.png', 'mercadolivre-channel.png', 'mercadolivre-conversation.png',
    'billing.png', 'sms-conversation.png', 'failure-agent.png', 'failure-visitor.png', 'chatspot.log', 'mailserve.log']) {
    await rm(path.join(artifacts, f), { force: true })
  }
  const run = new Run({ onFailure: saveFailureArtifacts })

  process.stdout.write(`chatspot: ${bin}\nchromium: ${chromiumPath}\n`)
  if (widgetFile) process.stdout.write(`widget.js: served from ${widgetFile} (E2E_WIDGET_FILE), not from the binary\n`)

  await run.step('start chatspot dev', async () => {
    // compiled while chatspot starts; the e-mail steps wait for its addresses
    mail = startMailServers({ repo, logFile: path.join(artifacts, 'mailserve.log') })
    instagram = await startFakeInstagram()
    process.env.CHATSPOT_INSTAGRAM_GRAPH_URL = instagram.url // read by the dev process
    mercadolivre = await startFakeMercadoLivre()
    process.env.CHATSPOT_MERCADOLIVRE_API_URL = mercadolivre.url // read by the dev process
    process.env.CHATSPOT_MERCADOLIVRE_AUTH_URL = mercadolivre.authUrl
    smsProviders = await startFakeSMSProviders()
    process.env.CHATSPOT_MERCADOPAGO_ACCESS_TOKEN = MP_ACCESS_TOKEN // read by the dev process
    process.env.CHATSPOT_MERCADOPAGO_WEBHOOK_SECRET = MP_WEBHOOK_SECRET
    process.env.CHATSPOT_MERCADOPAGO_API_URL = smsProviders.mercadopagoUrl
    process.env.CHATSPOT_TWILIO_API_URL = smsProviders.twilioUrl
    process.env.CHATSPOT_SMS_SEGMENT_PRICE = String(SEGMENT_CENTS)
    server = await startChatspot({ bin, logFile: path.join(artifacts, 'chatspot.log') })
    process.stdout.write(`  app ${server.base}, demo ${server.demoUrl}, admin ${server.adminEmail}\n`)
  })

  await run.step('launch Chromium', async () => {
    try {
      await access(chromiumPath, constants.X_OK)
    } catch {
      fail(`no browser at ${chromiumPath}: install Debian's Chromium (as root: apt-get install -y chromium) or set CHROMIUM_PATH`)
    }
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: T.nav,
    })
  })

  // 1. The agent logs in.
  await run.step('1. agent logs in', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 820 }, locale: 'pt-BR' })
    const page = (pages.agent = await watch(await ctx.newPage(), 'agent'))
    page.setDefaultTimeout(T.ui)
    await page.goto(`${server.base}/login`, { timeout: T.nav })
    await (await visible(page.getByTestId('login-email'), 'the login e-mail field')).fill(server.adminEmail)
    await page.getByTestId('login-password').fill(server.adminPassword)
    await page.getByTestId('login-submit').click()
    const outcome = await Promise.race([
      page.getByTestId('conversation-list').waitFor({ state: 'visible', timeout: T.ui }).then(() => 'inbox'),
      page.getByTestId('login-error').waitFor({ state: 'visible', timeout: T.ui }).then(() => 'error'),
    ]).catch(() => 'timeout')
    if (outcome === 'error') fail(`login refused: ${await page.getByTestId('login-error').innerText()}`)
    if (outcome === 'timeout') fail(`the inbox did not appear within ${fmt(T.ui)} after logging in (url ${page.url()})`)
    // A new webchat conversation is unassigned: watch the "all" view.
    const all = page.getByTestId('view-all')
    await visible(all, 'the "all conversations" view tab')
    await all.click()
    await waitUntil(async () => (await all.getAttribute('aria-selected')) === 'true', { timeout: T.ui, message: 'the "all" tab to be selected' })
  })

  // 2. The visitor opens the shop, fills the pre-chat form and writes.
  await run.step('2. visitor starts a chat on the demo page', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'pt-BR' })
    if (widgetFile) {
      const js = await readFile(widgetFile)
      await ctx.route(/\/widget\.js(\?.*)?$/, (route) => route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: js }))
    }
    const page = (pages.visitor = await watch(await ctx.newPage(), 'visitor'))
    page.setDefaultTimeout(T.ui)
    const res = await page.goto(server.demoUrl, { timeout: T.nav })
    if (!res || res.status() !== 200) fail(`GET ${server.demoUrl} answered ${res && res.status()}`)
    if (!(await page.title()).includes('Loja Demo')) fail(`the demo page's title is "${await page.title()}", expected it to mention Loja Demo`)
    const balloon = await visible(page.getByTestId('cs-balloon'), 'the chat balloon')
    const inShadow = await page.evaluate(() => {
      const host = document.querySelector('chatspot-widget')
      return !!host && !!host.shadowRoot && !!host.shadowRoot.querySelector('[data-testid="cs-balloon"]') &&
        !document.querySelector('[data-testid="cs-balloon"]')
    })
    if (!inShadow) fail('the widget is not rendered inside a shadow root of <chatspot-widget>')
    await balloon.click()
    await visible(page.getByTestId('cs-panel'), 'the chat panel')
    await visible(page.getByTestId('cs-prechat-name'), 'the pre-chat name field')
    await page.getByTestId('cs-prechat-name').fill(VISITOR.name)
    await page.getByTestId('cs-prechat-email').fill(VISITOR.email)
    await page.getByTestId('cs-prechat-submit').click()
    const input = await Promise.race([
      page.getByTestId('cs-input').waitFor({ state: 'visible', timeout: T.ui }).then(() => 'chat'),
      page.locator('[data-testid="cs-error"]:not([hidden])').first().waitFor({ state: 'visible', timeout: T.ui }).then(() => 'error'),
    ]).catch(() => 'timeout')
    if (input === 'error') fail(`the pre-chat form was refused: ${await page.locator('[data-testid="cs-error"]:not([hidden])').first().innerText()}`)
    if (input === 'timeout') fail('the chat input did not appear after the pre-chat form')
    const token = await page.evaluate(() => Object.keys(localStorage).filter((k) => /^chatspot:.+:token$/.test(k)).map((k) => localStorage.getItem(k))[0])
    if (!token) fail('no visitor token was stored in localStorage (chatspot:<channel>:token)')
    await page.getByTestId('cs-input').fill(VISITOR_TEXT)
    await page.getByTestId('cs-send').click()
    await visible(widgetMessage(page, 'inbound', VISITOR_TEXT), `the visitor's message in the widget`)
    const err = page.locator('[data-testid="cs-error"]:not([hidden])')
    if (await err.count()) fail(`the widget shows an error after sending: ${await err.first().innerText()}`)
    // The message can arrive by the stream before the POST answers, and the
    // widget clears the draft when the POST answers: wait for it.
    await waitUntil(async () => (await page.getByTestId('cs-input').inputValue()) === '', { timeout: T.ui, message: 'the widget clearing the draft after a successful send' })
  })

  // 3. The agent sees the conversation arrive live and replies.
  await run.step('3. agent sees the conversation live (no reload) and replies', async () => {
    const page = pages.agent
    const row = page.getByTestId('conversation-row').filter({ hasText: VISITOR.name })
    await visible(row, `a conversation row for "${VISITOR.name}" in the inbox (live, without reload)`, T.live)
    await page.screenshot({ path: path.join(artifacts, 'inbox.png') })
    await row.first().click()
    await visible(page.getByTestId('conversation-view'), 'the conversation view')
    await visible(agentBubble(page, 'inbound', VISITOR_TEXT), `the visitor's message "${VISITOR_TEXT}" in the conversation view`)
    const composer = await visible(page.getByTestId('composer-input'), 'the composer')
    await composer.fill(AGENT_TEXT)
    await page.getByTestId('composer-send').click()
    await visible(agentBubble(page, 'outbound', AGENT_TEXT), `the reply "${AGENT_TEXT}" in the conversation view`)
    const err = page.getByTestId('composer-error')
    if (await err.isVisible().catch(() => false)) fail(`the composer shows an error: ${await err.innerText()}`)
  })

  // 4. The visitor gets the reply without reloading.
  await run.step('4. visitor receives the reply live', async () => {
    const page = pages.visitor
    const reply = await visible(widgetMessage(page, 'outbound', AGENT_TEXT), `the agent's reply "${AGENT_TEXT}" in the widget (live)`, T.live)
    const text = await reply.innerText()
    if (!text.includes(AGENT_NAME)) fail(`the reply in the widget does not show the agent's name "${AGENT_NAME}": ${JSON.stringify(text)}`)
  })

  // 5. The reply's ticks move past queued, to read (the open widget posts /read).
  await run.step('5. agent sees the reply delivered, then read', async () => {
    const page = pages.agent
    const bubble = agentBubble(page, 'outbound', AGENT_TEXT).first()
    const seen = []
    const status = async () => {
      const s = await bubble.getAttribute('data-status', { timeout: 2000 })
      if (s && seen[seen.length - 1] !== s) seen.push(s)
      return s
    }
    await waitUntil(async () => ['delivered', 'read'].includes(await status()), {
      timeout: T.live, message: () => `the reply's data-status to become delivered or read (seen: ${seen.join(' → ') || 'nothing'})`,
    })
    await waitUntil(async () => (await status()) === 'read', {
      timeout: T.read, message: () => `the reply's data-status to become read (seen: ${seen.join(' → ')})`,
    })
    const tick = bubble.getByTestId('status-tick')
    if ((await tick.count()) && (await tick.getAttribute('data-status')) !== 'read') fail(`the status tick says ${await tick.getAttribute('data-status')}, the bubble says read`)
    process.stdout.write(`  statuses seen: ${seen.join(' → ')}\n`)
  })

  // 6. The visitor reloads: the token keeps the conversation.
  await run.step('6. visitor reloads and keeps the conversation', async () => {
    const page = pages.visitor
    await page.reload({ timeout: T.nav })
    const balloon = await visible(page.getByTestId('cs-balloon'), 'the chat balloon after reload')
    if (!(await page.getByTestId('cs-panel').isVisible())) await balloon.click()
    await visible(page.getByTestId('cs-panel'), 'the chat panel after reload')
    await visible(page.getByTestId('cs-input'), 'the chat input after reload (the pre-chat form must be skipped)')
    if (await page.getByTestId('cs-prechat-name').count()) fail('the pre-chat form is shown again after reload')
    await visible(widgetMessage(page, 'inbound', VISITOR_TEXT), `the visitor's message after reload`)
    await visible(widgetMessage(page, 'outbound', AGENT_TEXT), `the agent's reply after reload`)
    await new Promise((r) => setTimeout(r, 1500)) // let the stream replay settle, then look for duplicates
    const n1 = await widgetMessage(page, 'inbound', VISITOR_TEXT).count()
    const n2 = await widgetMessage(page, 'outbound', AGENT_TEXT).count()
    const all = await page.getByTestId('cs-message').count()
    if (n1 !== 1 || n2 !== 1 || all !== 2) fail(`expected exactly the 2 messages once each after reload, found visitor×${n1}, agent×${n2}, total ${all}`)
  })

  // 7. Screenshots.
  await run.step('7. screenshots', async () => {
    await pages.agent.screenshot({ path: path.join(artifacts, 'conversation.png') })
    await pages.visitor.screenshot({ path: path.join(artifacts, 'widget.png') })
  })

  // 8. Phones: the open panel fills the screen.
  await run.step('8. widget is full-screen under 480 px', async () => {
    const page = pages.visitor
    await page.setViewportSize({ width: 390, height: 780 })
    const panel = await visible(page.getByTestId('cs-panel'), 'the chat panel on a phone-sized viewport')
    await waitUntil(async () => {
      const b = await panel.boundingBox()
      return b && Math.abs(b.x) < 1 && Math.abs(b.y) < 1 && Math.abs(b.width - 390) < 2 && Math.abs(b.height - 780) < 2
    }, { timeout: 5000, message: async () => `the panel to cover the 390×780 viewport (box ${JSON.stringify(await panel.boundingBox())})` })
    await page.screenshot({ path: path.join(artifacts, 'widget-mobile.png') })
  })

  // 9. The visitor sends a picture with a line of text.
  await run.step('9. visitor attaches a PNG and sends it with text', async () => {
    const page = pages.visitor
    await page.setViewportSize({ width: 1280, height: 800 })
    fixtures = await writeFixtures(await mkdtemp(path.join(os.tmpdir(), 'chatspot-e2e-files-')))
    await visible(page.getByTestId('cs-attach'), 'the paperclip button in the widget composer')
    const input = page.getByTestId('cs-attach-input')
    if ((await input.count()) !== 1) fail(`expected one file input (cs-attach-input) in the widget, found ${await input.count()}`)
    const uploaded = page.waitForResponse((r) => r.request().method() === 'POST' && /\/hooks\/webchat\/[^/]+\/attachments$/.test(new URL(r.url()).pathname), { timeout: T.ui })
    await input.setInputFiles(fixtures.png.path)
    const up = await uploaded.catch(() => fail('the widget did not POST the picked file to /hooks/webchat/<channel>/attachments'))
    const upBody = await up.json().catch(() => null)
    if (up.status() !== 201) fail(`backend: POST ${up.url()} (multipart "file", ${fixtures.png.name}, image/png, ${fixtures.png.size} B) answered ${up.status()} ${JSON.stringify(upBody)}, expected 201`)
    expectAttachment(upBody, fixtures.png, /^\/hooks\/webchat\/[^/]+\/attachments\/[^/?]+$/, `the upload answer of POST ${new URL(up.url()).pathname}`)
    const chip = page.getByTestId('cs-attach-chip').filter({ hasText: fixtures.png.name })
    await visible(chip, `a chip for ${fixtures.png.name} above the widget composer`)
    await waitUntil(async () => (await chip.first().getAttribute('data-state')) === 'ready', {
      timeout: T.ui, message: async () => `the chip of ${fixtures.png.name} to be ready (data-state ${await chip.first().getAttribute('data-state')}: ${await chip.first().innerText()})`,
    })
    await page.getByTestId('cs-input').fill(PROOF_TEXT)
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && /\/messages$/.test(new URL(r.url()).pathname), { timeout: T.ui })
    await page.getByTestId('cs-send').click()
    const res = await posted.catch(() => fail('clicking send did not POST /messages'))
    const sent = res.request().postDataJSON()
    if (!sent || sent.text !== PROOF_TEXT || !Array.isArray(sent.attachment_ids) || sent.attachment_ids.length !== 1 || sent.attachment_ids[0] !== upBody.id) {
      fail(`the widget posted ${JSON.stringify(sent)}, expected {text: "${PROOF_TEXT}", attachment_ids: ["${upBody.id}"]}`)
    }
    const answer = await res.json().catch(() => null)
    if (res.status() >= 300) fail(`backend: POST /messages with attachment_ids answered ${res.status()} ${JSON.stringify(answer)}`)
    if (!answer || !Array.isArray(answer.attachments) || !answer.attachments.some((a) => a.id === upBody.id)) {
      fail(`backend: the answer of POST /messages (${res.status()}) lacks the sent file in "attachments": ${JSON.stringify(answer)}`)
    }
    const msg = widgetMessage(page, 'inbound', PROOF_TEXT)
    await visible(msg, `the visitor's message "${PROOF_TEXT}" in the widget`)
    const img = msg.first().locator(`[data-testid="cs-attachment"][data-name="${fixtures.png.name}"] img`)
    await visible(img, `the thumbnail of ${fixtures.png.name} in the visitor's own bubble`)
    await imageLoaded(img, `the thumbnail of ${fixtures.png.name} in the widget`)
    const href = await msg.first().getByTestId('cs-attachment').first().getAttribute('href')
    if (!href || !/[?&]token=/.test(href) || (await msg.first().getByTestId('cs-attachment').first().getAttribute('target')) !== '_blank') {
      fail(`the thumbnail should open the full picture (with ?token=) in a new tab; href ${href}`)
    }
    await hidden(page.getByTestId('cs-attach-chip'), 'the attachment chip after a successful send', T.ui)
    await waitUntil(async () => (await page.getByTestId('cs-input').inputValue()) === '', { timeout: T.ui, message: 'the widget clearing the text after a successful send' })
    const err = page.locator('[data-testid="cs-error"]:not([hidden])')
    if (await err.count()) fail(`the widget shows an error after sending: ${await err.first().innerText()}`)
  })

  // 10. The agent sees the picture arrive, without reloading.
  await run.step('10. agent sees the message with the image live', async () => {
    const page = pages.agent
    const bubble = agentBubble(page, 'inbound', PROOF_TEXT)
    await visible(bubble, `the visitor's message "${PROOF_TEXT}" in the conversation view (live)`, T.live)
    const img = bubble.first().locator(`img[alt="${fixtures.png.name}"]`)
    await visible(img, `the image ${fixtures.png.name} in the agent's bubble (live; message.created must carry its attachments)`, T.live)
    await imageLoaded(img, `the image ${fixtures.png.name} in the agent UI`)
    const src = await img.getAttribute('src')
    if (!/^\/api\/v1\/attachments\/[^/?]+$/.test(src || '')) fail(`the agent's image src is ${src}, expected /api/v1/attachments/<id>`)
    const opens = await img.evaluate((el) => { const a = el.closest('a'); return a ? { href: a.getAttribute('href'), target: a.target } : null })
    if (!opens || opens.target !== '_blank' || opens.href !== src) fail(`the agent's image should be a link opening ${src} in a new tab: ${JSON.stringify(opens)}`)
  })

  // 11. The agent sends a PDF (no text) through the composer's file input.
  await run.step('11. agent attaches a PDF and sends it', async () => {
    const page = pages.agent
    await visible(page.getByTestId('composer-attach'), 'the composer\'s attach button')
    const uploaded = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/attachments', { timeout: T.ui })
    await page.getByTestId('composer-file').setInputFiles(fixtures.pdf.path)
    const up = await uploaded.catch(() => fail('the composer did not POST the picked file to /api/v1/attachments'))
    const upBody = await up.json().catch(() => null)
    if (up.status() !== 201) fail(`backend: POST /api/v1/attachments (multipart "file", ${fixtures.pdf.name}, ${fixtures.pdf.size} B) answered ${up.status()} ${JSON.stringify(upBody)}, expected 201`)
    expectAttachment(upBody, fixtures.pdf, /^\/api\/v1\/attachments\/[^/?]+$/, 'the upload answer of POST /api/v1/attachments')
    const chip = page.getByTestId('composer-attachment').filter({ hasText: fixtures.pdf.name })
    await visible(chip, `the composer's chip for ${fixtures.pdf.name}`)
    const send = page.getByTestId('composer-send')
    await waitUntil(async () => send.isEnabled(), { timeout: T.ui, message: async () => `the send button to be enabled with the uploaded PDF (chip: ${await chip.first().innerText()})` })
    if (await chip.first().evaluate((el) => el.classList.contains('is-error'))) fail(`the composer's chip shows an error: ${await chip.first().innerText()}`)
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/v1\/conversations\/[^/]+\/messages$/.test(new URL(r.url()).pathname), { timeout: T.ui })
    await send.click()
    const res = await posted.catch(() => fail('clicking send did not POST /api/v1/conversations/:id/messages'))
    const sent = res.request().postDataJSON()
    if (!sent || (sent.body ?? '') !== '' || JSON.stringify(sent.attachment_ids) !== JSON.stringify([upBody.id])) {
      fail(`the composer posted ${JSON.stringify(sent)}, expected an empty body with attachment_ids ["${upBody.id}"]`)
    }
    const answer = await res.json().catch(() => null)
    if (res.status() >= 300) fail(`backend: POST ${new URL(res.url()).pathname} {body:"", attachment_ids:[…]} answered ${res.status()} ${JSON.stringify(answer)}`)
    if (!answer || !Array.isArray(answer.attachments) || !answer.attachments.some((a) => a.id === upBody.id)) {
      fail(`backend: the answer of POST ${new URL(res.url()).pathname} lacks the sent file in "attachments": ${JSON.stringify(answer)}`)
    }
    const bubble = page.locator('[data-testid="message-bubble"][data-direction="outbound"]').filter({ has: page.locator('a.attachment-file', { hasText: fixtures.pdf.name }) })
    await visible(bubble, `the agent's PDF ${fixtures.pdf.name} in the conversation view`)
    await hidden(chip, 'the composer chip after sending', T.ui)
    const err = page.getByTestId('composer-error')
    if (await err.isVisible().catch(() => false)) fail(`the composer shows an error: ${await err.innerText()}`)
  })

  // 12. The visitor gets the PDF link live, and the link serves the file.
  await run.step('12. visitor receives the PDF link live', async () => {
    const page = pages.visitor
    const link = page.locator(`[data-testid="cs-message"][data-direction="outbound"] [data-testid="cs-attachment"][data-name="${fixtures.pdf.name}"]`)
    await visible(link, `a link to ${fixtures.pdf.name} in the widget (live)`, T.live)
    const text = await link.first().innerText()
    if (!text.includes(fixtures.pdf.name) || !/\d+\s*(B|KB|MB)/.test(text)) fail(`the PDF link should show its name and size: ${JSON.stringify(text)}`)
    const row = page.locator('[data-testid="cs-message"][data-direction="outbound"]').filter({ has: page.locator(`[data-testid="cs-attachment"][data-name="${fixtures.pdf.name}"]`) })
    if (!(await row.first().innerText()).includes(AGENT_NAME)) fail(`the PDF message in the widget does not show the agent's name "${AGENT_NAME}"`)
    const href = await link.first().getAttribute('href')
    if (!href || !/\/hooks\/webchat\/[^/]+\/attachments\/[^/?]+\?token=/.test(href)) fail(`the PDF link is ${href}, expected the server's /hooks/webchat/<channel>/attachments/<id>?token=<visitor token>`)
    const got = await page.evaluate(async (u) => {
      const r = await fetch(u)
      const b = new Uint8Array(await r.arrayBuffer())
      return { status: r.status, type: r.headers.get('content-type'), size: b.length, head: String.fromCharCode(...b.slice(0, 5)) }
    }, href)
    if (got.status !== 200 || got.head !== '%PDF-' || got.size !== fixtures.pdf.size) {
      fail(`backend: GET ${href.replace(/token=[^&]+/, 'token=…')} answered ${got.status} ${got.type}, ${got.size} B starting ${JSON.stringify(got.head)}; expected 200 with the ${fixtures.pdf.size} B PDF`)
    }
    if (!/^application\/pdf/.test(got.type || '')) fail(`backend: the PDF is served as ${got.type}, expected application/pdf`)
  })

  // 13. A refused file: the chip says why, the draft stays, nothing is sent.
  await run.step('13. a refused file shows an error and nothing is sent', async () => {
    const page = pages.visitor
    const before = await page.getByTestId('cs-message').count()
    const agentBefore = await pages.agent.getByTestId('message-bubble').count()
    const posts = []
    const onRequest = (req) => { if (req.method() === 'POST' && /\/messages$/.test(new URL(req.url()).pathname)) posts.push(req.url()) }
    page.on('request', onRequest)
    try {
      await page.getByTestId('cs-input').fill(DRAFT_TEXT)
      const uploaded = page.waitForResponse((r) => r.request().method() === 'POST' && /\/attachments$/.test(new URL(r.url()).pathname), { timeout: T.ui })
      await page.getByTestId('cs-attach-input').setInputFiles(fixtures.exe.path)
      const up = await uploaded.catch(() => fail(`the widget did not upload ${fixtures.exe.name} (the server decides what is refused)`))
      const body = await up.json().catch(() => null)
      if (up.status() !== 422 || !body || body.field !== 'file') {
        fail(`backend: POST ${new URL(up.url()).pathname} with ${fixtures.exe.name} ("MZ…") answered ${up.status()} ${JSON.stringify(body)}, expected 422 {field:"file"}`)
      }
      const chip = page.getByTestId('cs-attach-chip').filter({ hasText: fixtures.exe.name })
      await visible(chip, `a chip for ${fixtures.exe.name}`)
      await waitUntil(async () => (await chip.first().getAttribute('data-state')) === 'error', {
        timeout: T.ui, message: async () => `the chip of ${fixtures.exe.name} to show an error (data-state ${await chip.first().getAttribute('data-state')})`,
      })
      const why = await visible(chip.first().getByTestId('cs-attach-error'), `the error text on the chip of ${fixtures.exe.name}`)
      const whyText = (await why.innerText()).trim()
      if (!/tipo de arquivo|not accepted/i.test(whyText)) fail(`the refused file's chip should say the type is not accepted: ${JSON.stringify(whyText)}`)
      if ((await page.getByTestId('cs-input').inputValue()) !== DRAFT_TEXT) fail('the draft was lost when the file was refused')
      await new Promise((r) => setTimeout(r, 1500)) // give a wrong send the time to show up
      if (posts.length) fail(`the widget posted a message after the refused upload: ${posts.join(', ')}`)
      if ((await page.getByTestId('cs-message').count()) !== before) fail('a new message appeared in the widget after the refused upload')
      if ((await pages.agent.getByTestId('message-bubble').count()) !== agentBefore) fail('a new message reached the agent after the refused upload')
      await page.screenshot({ path: path.join(artifacts, 'attachments.png') })
      await pages.agent.screenshot({ path: path.join(artifacts, 'attachments-agent.png') })
      // The visitor dismisses the chip; the draft is still there.
      await chip.first().getByTestId('cs-attach-remove').click()
      await hidden(chip, `the chip of ${fixtures.exe.name} after removing it`, T.ui)
      if ((await page.getByTestId('cs-input').inputValue()) !== DRAFT_TEXT) fail('removing the refused file cleared the draft')
      if (posts.length) fail(`the widget posted a message: ${posts.join(', ')}`)
    } finally {
      page.off('request', onRequest)
    }
  })

  // 14. After a reload the files come back from the history.
  await run.step('14. visitor reloads: the files are in the history', async () => {
    const page = pages.visitor
    await page.reload({ timeout: T.nav })
    const balloon = await visible(page.getByTestId('cs-balloon'), 'the chat balloon after reload')
    if (!(await page.getByTestId('cs-panel').isVisible())) await balloon.click()
    const img = page.locator(`[data-testid="cs-message"][data-direction="inbound"] [data-testid="cs-attachment"][data-name="${fixtures.png.name}"] img`)
    await visible(img, `the thumbnail of ${fixtures.png.name} after reload (GET /messages must carry attachments)`)
    await imageLoaded(img, `the thumbnail of ${fixtures.png.name} after reload`)
    await visible(page.locator(`[data-testid="cs-message"][data-direction="outbound"] [data-testid="cs-attachment"][data-name="${fixtures.pdf.name}"]`), `the link to ${fixtures.pdf.name} after reload`)
    await new Promise((r) => setTimeout(r, 1500)) // let the stream replay settle, then count
    const n = await page.getByTestId('cs-attachment').count()
    if (n !== 2) fail(`expected the 2 files once each after reload, found ${n} attachment elements`)
    if (await page.getByTestId('cs-attach-chip').count()) fail('attachment chips came back after reload')
  })

  // 15-19. CRM: a card from the conversation, a stage's entry message, a scheduled message.
  await crmSteps(run, { agent: () => pages.agent, base: server?.base, contactName: VISITOR.name, artifacts, T, agentBubble })

  // 20-23. Instagram: a post's comment, told from a DM, answered publicly and hidden.
  await instagramSteps(run, { agent: () => pages.agent, base: server?.base, fake: instagram, T, agentBubble })

  // 24-27. E-mail: a mailbox over IMAP/SMTP, an HTML mail shown safely, a reply in the same thread.
  await emailSteps(run, { agent: () => pages.agent, base: server?.base, mail, artifacts, T, agentBubble })

  // 28-31. Mercado Livre: a seller connected by OAuth (PKCE), a buyer's question on a listing answered publicly, the 2,000-character limit.
  await mercadolivreSteps(run, { agent: () => pages.agent, base: server?.base, fake: mercadolivre, artifacts, T, agentBubble })

  // 32-35. Prepaid balance and SMS: a Twilio channel waits for the first recharge, a Pix recharge credits it, a customer's SMS is answered and charged.
  await smsSteps(run, { agent: () => pages.agent, base: server?.base, fake: smsProviders, artifacts, T, agentBubble })

  await linkedinSteps(run, { agent: () => pages.agent, base: server?.base, repo, chromiumPath, T })

  return run
}

// expectAttachment checks an upload answer {id,name,size,content_type,url}.
function expectAttachment(body, file, urlPattern, what) {
  const problems = []
  if (!body || typeof body !== 'object') fail(`backend: ${what} is not JSON: ${JSON.stringify(body)}`)
  if (typeof body.id !== 'string' || !body.id) problems.push('no id')
  if (body.name !== file.name) problems.push(`name ${JSON.stringify(body.name)} (expected ${file.name})`)
  if (body.size !== file.size) problems.push(`size ${body.size} (expected ${file.size})`)
  if (body.content_type !== file.type) problems.push(`content_type ${JSON.stringify(body.content_type)} (expected ${file.type})`)
  if (!urlPattern.test(body.url || '')) problems.push(`url ${JSON.stringify(body.url)} (expected ${urlPattern})`)
  if (problems.length) fail(`backend: ${what}: ${problems.join(', ')} in ${JSON.stringify(body)}`)
}

// imageLoaded waits until an <img> has decoded a picture (naturalWidth > 0).
async function imageLoaded(img, what) {
  await img.first().scrollIntoViewIfNeeded().catch(() => {})
  await waitUntil(async () => img.first().evaluate((el) => el.complete && el.naturalWidth > 0), {
    timeout: T.ui, message: async () => `${what} to load (src ${await img.first().getAttribute('src').catch(() => '?')})`,
  })
}

function widgetMessage(page, direction, text) {
  return page.locator(`[data-testid="cs-message"][data-direction="${direction}"]`).filter({ hasText: text })
}

function agentBubble(page, direction, text) {
  return page.locator(`[data-testid="message-bubble"][data-direction="${direction}"]`).filter({ hasText: text })
}

// watch records what goes wrong in a page, for the failure report.
async function watch(page, who) {
  page.on('pageerror', (err) => diagnostics.push(`[${who}] page error: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') diagnostics.push(`[${who}] console.${msg.type()}: ${msg.text()}`)
  })
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText || ''
    if (!/ERR_ABORTED/.test(why)) diagnostics.push(`[${who}] request failed: ${req.method()} ${req.url()} ${why}`)
  })
  page.on('response', async (res) => {
    if (res.status() < 400) return
    let body = ''
    try { body = (await res.text()).slice(0, 300) } catch { /* stream or gone */ }
    diagnostics.push(`[${who}] ${res.request().method()} ${res.url()} → ${res.status()} ${body}`)
  })
  return page
}

async function saveFailureArtifacts(step) {
  for (const [who, page] of Object.entries(pages)) {
    if (!page || page.isClosed()) continue
    const file = path.join(artifacts, `failure-${who}.png`)
    await page.screenshot({ path: file, fullPage: false }).catch(() => {})
    process.stdout.write(`  saved ${path.relative(repo, file)}\n`)
  }
  if (diagnostics.length) process.stdout.write(`  browser diagnostics:\n    ${diagnostics.slice(-40).join('\n    ')}\n`)
  if (server) process.stdout.write(`  chatspot log: ${path.relative(repo, path.join(artifacts, 'chatspot.log'))}; last lines:\n${indent(server.tail().split('\n').slice(-25).join('\n'))}\n`)
  if (mail && /^2[4-7]\./.test(step)) process.stdout.write(`  mailserve log: ${path.relative(repo, path.join(artifacts, 'mailserve.log'))}; last lines:\n${indent(mail.tail() || '(nothing)')}\n`)
  if (mercadolivre && /^(2[89]|3[01])\./.test(step)) {
    const { authorizations, grants, answers, refused, calls } = mercadolivre.seen
    process.stdout.write(`  fake Mercado Livre saw:\n${indent(JSON.stringify({ authorizations, grants, answers, refused, calls: calls.slice(-20) }, null, 1))}\n`)
  }
  if (smsProviders && /^3[2-5]\./.test(step)) {
    const { payments, mp, notifications, twilio, sent, inbound, refused } = smsProviders.seen
    process.stdout.write(`  fake Mercado Pago and Twilio saw:\n${indent(JSON.stringify({ payments, mp, notifications, twilio, sent, inbound, refused }, null, 1))}\n`)
  }
  void step
}

function indent(s) {
  return s.split('\n').map((l) => `    ${l}`).join('\n')
}

async function cleanup() {
  if (fixtures) await rm(fixtures.dir, { recursive: true, force: true }).catch(() => {})
  fixtures = null
  if (browser) await browser.close().catch(() => {})
  browser = null
  if (server) await server.stop().catch(() => {})
  server = null
  if (instagram) await instagram.close().catch(() => {})
  instagram = null
  if (mercadolivre) await mercadolivre.close().catch(() => {})
  mercadolivre = null
  if (smsProviders) await smsProviders.close().catch(() => {})
  smsProviders = null
  if (mail) await mail.stop().catch(() => {})
  mail = null
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    process.stdout.write(`\n${sig}: stopping\n`)
    await cleanup()
    process.exit(130)
  })
}

let code = 1
try {
  const run = await main()
  process.stdout.write(run.summary() + '\n')
  const pageErrors = diagnostics.filter((d) => d.startsWith('[visitor] page error'))
  if (!run.failed && pageErrors.length) {
    process.stdout.write(`\nFAILED: the widget threw uncaught errors:\n  ${pageErrors.join('\n  ')}\n`)
  } else if (!run.failed) {
    code = 0
  }
} catch (err) {
  process.stdout.write(`\nFAILED outside a step: ${err?.stack || err}\n`)
} finally {
  await cleanup()
}
process.stdout.write(`\n${code === 0 ? 'PASS' : 'FAIL'} in ${fmt(Date.now() - startedAt)}; artifacts in ${path.relative(process.cwd(), artifacts) || '.'}\n`)
process.exit(code)
