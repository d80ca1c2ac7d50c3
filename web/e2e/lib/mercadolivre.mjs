// The Mercado Livre part of the browser scenario (steps 28-31), run by
// run.mjs after the e-mail steps: a local server speaking the parts of
// Mercado Livre's API CHATSPOT calls (in Mercado Livre's documented shapes:
// OAuth 2 with PKCE and single-use refresh tokens, users, questions with
// api_version=4, answers, items, missed feeds) and its consent screen stands
// in for Mercado Livre. The admin creates the channel in the admin screen
// and connects the seller's account through the consent screen; a questions
// notification opens a conversation of the buyer on the listing, which the
// agent answers publicly from the composer; an answer over Mercado Livre's
// 2,000 characters cannot be sent. See e2e/README.md.
import crypto from 'node:crypto'
import http from 'node:http'
import path from 'node:path'

import { api, fail, openChannelCreate, visible, waitUntil } from './harness.mjs'

const APP_ID = '4459087200151032'
const APP_SECRET = 'e2e-ml-secret'
const CODE = 'TG-e2e'
const SELLER = { id: 700100, nickname: 'LOJA_E2E' }
const BUYER = { id: 900001, nickname: 'COMPRADOR_E2E' }
const ITEM = { id: 'MLB100200300', title: 'Tênis Aurora Corrida E2E', price: 149.9, shown: 'R$ 149,90' }
const QUESTION = { id: 7001, text: 'Serve no pé 42? Tem na cor preta?' }
const ANSWER = 'Serve sim! Temos na preta, é só comprar.'
const CHANNEL_NAME = 'Loja no Mercado Livre'
const MAX_TEXT = 2000
// A 1×1 PNG: the listing's photo (served without a token, as Mercado Livre's image CDN does).
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f80f00000101000518d84e0000000049454e44ae426082', 'hex')

/** startFakeMercadoLivre serves Mercado Livre's API and consent screen on a free port. */
export async function startFakeMercadoLivre() {
  const seen = {
    authorizations: [], // the consent screen's query, each time
    grants: [], // {grant_type, ok, why}
    answers: [], // POST /answers bodies
    refused: [], // API calls answered 401 (no or a wrong token)
    calls: [], // "METHOD /path" of every API call, for the failure report
  }
  const challenges = new Map() // code -> {challenge, redirect_uri}
  const access = new Set()
  const refresh = new Set() // unused refresh tokens (single use)
  const questions = new Map() // id -> question (api_version=4)
  let issued = 0
  let base = ''

  const mlError = (res, status, error, message) => send(res, status, { message, error, status, cause: [] })
  const send = (res, status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify(body))
  }
  const tokens = () => {
    issued++
    const a = `APP_USR-${APP_ID}-e2e-${issued}-access`
    const r = `TG-e2e-${issued}-refresh`
    access.add(a)
    refresh.add(r)
    return { access_token: a, token_type: 'Bearer', expires_in: 21600, scope: 'offline_access read write', user_id: SELLER.id, refresh_token: r }
  }
  const item = () => ({ id: ITEM.id, title: ITEM.title, price: ITEM.price, currency_id: 'BRL', thumbnail: `${base}/images/${ITEM.id}.png`,
    secure_thumbnail: `${base}/images/${ITEM.id}.png`, permalink: `https://produto.mercadolivre.com.br/${ITEM.id.replace(/^MLB/, 'MLB-')}-tenis-aurora-corrida-e2e` })

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://fake')
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      // The consent screen: the seller accepts, Mercado Livre sends the browser back with a code.
      if (req.method === 'GET' && url.pathname === '/authorization') {
        const q = Object.fromEntries(url.searchParams)
        seen.authorizations.push(q)
        const problems = []
        if (q.response_type !== 'code') problems.push(`response_type ${q.response_type}`)
        if (q.client_id !== APP_ID) problems.push(`client_id ${q.client_id}`)
        if (q.code_challenge_method !== 'S256') problems.push(`code_challenge_method ${q.code_challenge_method}`)
        if (!/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge || '')) problems.push(`code_challenge ${q.code_challenge}`)
        if (!q.state) problems.push('no state')
        if (!/^https?:\/\//.test(q.redirect_uri || '')) problems.push(`redirect_uri ${q.redirect_uri}`)
        if (problems.length) {
          res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' })
          return res.end(`consent screen refused: ${problems.join(', ')}`)
        }
        challenges.set(CODE, { challenge: q.code_challenge, redirect_uri: q.redirect_uri })
        const back = new URL(q.redirect_uri)
        back.searchParams.set('code', CODE)
        back.searchParams.set('state', q.state)
        res.writeHead(302, { Location: back.toString() })
        return res.end()
      }
      if (req.method === 'GET' && url.pathname.startsWith('/images/')) {
        res.writeHead(200, { 'Content-Type': 'image/png' })
        return res.end(PNG)
      }
      if (req.method === 'POST' && url.pathname === '/oauth/token') {
        const f = Object.fromEntries(new URLSearchParams(raw))
        const grant = (ok, why) => seen.grants.push({ grant_type: f.grant_type, ok, why })
        if (!/application\/x-www-form-urlencoded/.test(req.headers['content-type'] || '')) {
          grant(false, `content-type ${req.headers['content-type']}`)
          return mlError(res, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded')
        }
        if (f.client_id !== APP_ID || f.client_secret !== APP_SECRET) {
          grant(false, `client ${f.client_id}/${f.client_secret ? 'secret' : 'no secret'}`)
          return mlError(res, 401, 'invalid_client', 'invalid client_id or client_secret')
        }
        if (f.grant_type === 'authorization_code') {
          const c = challenges.get(f.code)
          const sum = crypto.createHash('sha256').update(f.code_verifier || '').digest('base64url')
          if (!c || !f.code_verifier || sum !== c.challenge || f.redirect_uri !== c.redirect_uri) {
            grant(false, !c ? `unknown code ${f.code}` : !f.code_verifier ? 'no code_verifier' : sum !== c.challenge
              ? 'base64url(sha256(code_verifier)) is not the code_challenge' : `redirect_uri ${f.redirect_uri} is not ${c.redirect_uri}`)
            return mlError(res, 400, 'invalid_grant', 'invalid authorization code, code_verifier or redirect_uri')
          }
          challenges.delete(f.code) // single use
          grant(true)
          return send(res, 200, tokens())
        }
        if (f.grant_type === 'refresh_token') {
          if (!refresh.delete(f.refresh_token)) {
            grant(false, 'refresh token used or unknown')
            return mlError(res, 400, 'invalid_grant', 'the refresh token was already used or is invalid')
          }
          grant(true)
          return send(res, 200, tokens())
        }
        grant(false, `grant_type ${f.grant_type}`)
        return mlError(res, 400, 'unsupported_grant_type', 'grant_type not supported')
      }
      // Every other call is the API's, with the seller's token.
      seen.calls.push(`${req.method} ${url.pathname}${url.search}`)
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization || '')
      if (!bearer || !access.has(bearer[1])) {
        seen.refused.push(`${req.method} ${url.pathname}`)
        return mlError(res, 401, 'invalid_token', 'invalid access token')
      }
      const parts = url.pathname.split('/').filter(Boolean)
      if (req.method === 'GET' && url.pathname === '/users/me') return send(res, 200, { id: SELLER.id, nickname: SELLER.nickname })
      if (req.method === 'GET' && parts[0] === 'users' && parts.length === 2) {
        const users = { [SELLER.id]: SELLER.nickname, [BUYER.id]: BUYER.nickname }
        const id = Number(parts[1])
        return users[id] ? send(res, 200, { id, nickname: users[id] }) : mlError(res, 404, 'not_found', 'user not found')
      }
      if (req.method === 'GET' && url.pathname === '/questions/search') {
        const q = url.searchParams
        const found = [...questions.values()].filter((x) => String(x.seller_id) === q.get('seller_id') && (!q.get('status') || x.status === q.get('status')))
        return send(res, 200, { total: found.length, limit: 50, questions: found })
      }
      if (req.method === 'GET' && parts[0] === 'questions' && parts.length === 2) {
        const q = questions.get(Number(parts[1]))
        return q ? send(res, 200, q) : mlError(res, 404, 'not_found', 'question not found')
      }
      if (req.method === 'POST' && url.pathname === '/answers') {
        let body = null
        try { body = JSON.parse(raw) } catch { /* answered below */ }
        seen.answers.push(body)
        const q = body && questions.get(body.question_id)
        if (!body || typeof body.question_id !== 'number' || typeof body.text !== 'string') return mlError(res, 400, 'bad_request', `expected {question_id: <int>, text}, got ${raw}`)
        if (!q) return mlError(res, 404, 'not_found', 'question not found')
        if (q.status !== 'UNANSWERED') return mlError(res, 400, 'not_unanswered_question', 'the question is not unanswered')
        if (!body.text.trim() || [...body.text].length > MAX_TEXT) return mlError(res, 400, 'invalid_text', `the answer must have 1 to ${MAX_TEXT} characters`)
        q.status = 'ANSWERED'
        q.answer = { text: body.text, status: 'ACTIVE', date_created: '2026-12-07T10:05:00.000-03:00' }
        return send(res, 200, q)
      }
      if (req.method === 'GET' && parts[0] === 'items' && parts.length === 2) {
        return parts[1] === ITEM.id ? send(res, 200, item()) : mlError(res, 404, 'not_found', `item ${parts[1]} not found`)
      }
      if (req.method === 'GET' && url.pathname === '/missed_feeds') {
        if (url.searchParams.get('app_id') !== APP_ID || url.searchParams.get('topic') !== 'questions') {
          return mlError(res, 400, 'bad_request', `missed_feeds of app ${url.searchParams.get('app_id')}, topic ${url.searchParams.get('topic')}`)
        }
        return send(res, 200, { messages: [] })
      }
      mlError(res, 404, 'not_found', `no such resource: ${req.method} ${url.pathname}`)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${server.address().port}`
  /** ask stores a buyer's question on the listing, as Mercado Livre does before notifying it. */
  const ask = (q) => questions.set(q.id, { id: q.id, item_id: ITEM.id, seller_id: SELLER.id, status: 'UNANSWERED', text: q.text,
    date_created: '2026-12-07T10:00:00.000-03:00', deleted_from_listing: false, hold: false, suspected_spam: false, answer: null, from: { id: BUYER.id } })
  return {
    url: base,
    authUrl: `${base}/authorization`,
    seen,
    ask,
    question: (id) => questions.get(id),
    close: () => {
      server.closeAllConnections() // the browser keeps its connection to the image open
      return new Promise((r) => server.close(r))
    },
  }
}

/**
 * mercadolivreSteps adds the Mercado Livre steps to run.
 * ctx: {agent: () => Page, base, fake (startFakeMercadoLivre's answer), artifacts, T, agentBubble(page, direction, text)}
 */
export async function mercadolivreSteps(run, ctx) {
  const { base, fake, T, agentBubble, artifacts } = ctx
  const state = {} // channelId, conversationId

  await run.step('28. a Mercado Livre channel is created in the admin screen and connected through the consent screen', async () => {
    const page = ctx.agent()
    const dialog = await openChannelCreate(page, base, T, 'mercadolivre')
    await dialog.getByTestId('channel-name').fill(CHANNEL_NAME)
    await (await visible(dialog.getByTestId('channel-field-app_id'), 'the app ID field of the Mercado Livre kind')).fill(APP_ID)
    await (await visible(dialog.getByTestId('channel-field-app_secret'), 'the secret key field of the Mercado Livre kind')).fill(APP_SECRET)
    const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/channels', { timeout: T.ui })
    await dialog.getByTestId('channel-create-submit').click()
    const res = await created.catch(() => fail('creating the channel did not POST /api/v1/channels'))
    const sent = res.request().postDataJSON()
    const body = await res.json().catch(() => null)
    if (res.status() !== 201) fail(`backend: POST /api/v1/channels ${JSON.stringify({ ...sent, settings: { ...sent?.settings, app_secret: '…' } })} answered ${res.status()} ${JSON.stringify(body)}`)
    if (sent.kind !== 'mercadolivre' || sent.settings?.app_id !== APP_ID || sent.settings?.app_secret !== APP_SECRET) {
      fail(`the dialog posted ${JSON.stringify({ ...sent, settings: { ...sent?.settings, app_secret: sent?.settings?.app_secret ? '…' : sent?.settings?.app_secret } })}: expected kind mercadolivre with the typed app_id and app_secret`)
    }
    state.channelId = body.id

    // The editor offers the consent screen; the browser goes there and comes back.
    const editor = await visible(page.locator(`[data-testid="channel-editor"][data-id="${state.channelId}"]`), 'the new channel\'s editor')
    const connect = await visible(editor.getByTestId('channel-oauth-connect'), 'the OAuth connect button in the Mercado Livre channel\'s editor')
    const label = (await connect.innerText()).trim()
    if (label !== 'Conectar com Mercado Livre') fail(`the connect button reads ${JSON.stringify(label)}, expected "Conectar com Mercado Livre"`)
    const redirectUri = await editor.getByTestId('channel-oauth-redirect-uri').inputValue()
    if (redirectUri !== `${base}/oauth/callback`) fail(`the editor shows the redirect URL ${redirectUri}, expected ${base}/oauth/callback`)
    const started = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/channels/${state.channelId}/oauth`, { timeout: T.ui })
    await connect.click()
    const start = await started.catch(() => fail(`pressing "${label}" did not POST /api/v1/channels/${state.channelId}/oauth`))
    // (its body may be gone already: the page leaves for the consent screen at once)
    if (start.status() !== 200) fail(`backend: POST /api/v1/channels/${state.channelId}/oauth answered ${start.status()} ${await start.text().catch(() => '')}, expected 200 {url, redirect_uri}`)
    await waitUntil(async () => fake.seen.authorizations.length > 0, {
      timeout: T.live, message: () => `the browser to open the consent screen ${fake.authUrl} (it is at ${page.url()})`,
    })
    const consent = fake.seen.authorizations[0]
    if (consent.redirect_uri !== `${base}/oauth/callback`) fail(`backend: the consent screen was asked to send the browser back to ${consent.redirect_uri}, expected ${base}/oauth/callback`)
    // the callback trades the code, then sends the browser back to the channel's screen with the outcome
    const notice = page.getByTestId('channel-oauth-notice').first()
    await notice.waitFor({ state: 'visible', timeout: T.live }).catch(() =>
      fail(`the channel screen did not come back with the connection's outcome within ${T.live / 1000} s (the browser is at ${page.url()}; token grants ${JSON.stringify(fake.seen.grants)})`))
    if (new URL(page.url()).origin !== base) fail(`the browser came back to ${page.url()}, not to ${base}`)
    if ((await notice.getAttribute('data-outcome')) !== 'connected') {
      fail(`the channel screen says the account was not connected: ${await notice.innerText()} (token grants ${JSON.stringify(fake.seen.grants)})`)
    }
    if (!fake.seen.grants.some((g) => g.grant_type === 'authorization_code' && g.ok)) fail(`backend: the code was not traded with its PKCE verifier: ${JSON.stringify(fake.seen.grants)}`)

    // Connected, with the seller's nickname, without reloading.
    const row = page.locator(`[data-testid="channel-row"][data-id="${state.channelId}"]`)
    let last = null
    await waitUntil(async () => {
      if ((await row.getAttribute('data-status')) === 'connected') return true
      last = (await api(page, 'GET', `/api/v1/channels/${state.channelId}`)).body
      return false
    }, { timeout: T.live, message: 'the Mercado Livre channel to show connected in the channel list' })
      .catch(() => fail(`the channel stayed ${last && last.status} (${last && last.status_reason}): activation ${JSON.stringify(last && last.activation)}; API calls ${JSON.stringify(fake.seen.calls)}`))
    const reopened = page.locator(`[data-testid="channel-editor"][data-id="${state.channelId}"]`)
    await visible(reopened, 'the channel\'s editor after coming back from the consent screen')
    const account = await visible(reopened.getByTestId('channel-connected-as'), 'the connected seller in the channel\'s editor', T.live)
    await waitUntil(async () => (await account.innerText()).includes(SELLER.nickname), {
      timeout: T.ui, message: async () => `the editor to name the seller ${SELLER.nickname} (it says ${JSON.stringify(await account.innerText())})`,
    })
    const step = reopened.locator('[data-testid="activation-step"][data-step="verify_account"]')
    if ((await step.count()) && !/Conta do Mercado Livre/.test(await step.innerText())) fail(`the verify_account step reads ${JSON.stringify(await step.innerText())}`)
    const settings = (await api(page, 'GET', `/api/v1/channels/${state.channelId}`)).body?.settings || {}
    if (settings.nickname !== SELLER.nickname || settings.user_id !== String(SELLER.id)) fail(`backend: the channel's settings hold ${JSON.stringify(settings)}, expected nickname ${SELLER.nickname} and user_id ${SELLER.id}`)
    if (fake.seen.refused.length) fail(`backend: Mercado Livre's API was called without the seller's token: ${fake.seen.refused.join(', ')}`)
    await page.screenshot({ path: path.join(artifacts, 'mercadolivre-channel.png') })
  })

  await run.step('29. a questions notification opens the buyer\'s conversation on the listing, with its card', async () => {
    const page = ctx.agent()
    fake.ask(QUESTION)
    const now = new Date().toISOString()
    const notification = `{"_id":"e2e-n-1","resource":"/questions/${QUESTION.id}","user_id":${SELLER.id},"topic":"questions","application_id":${APP_ID},"attempts":1,"sent":"${now}","received":"${now}"}`
    const res = await fetch(`${base}/hooks/mercadolivre/${state.channelId}`, { method: 'POST', body: notification, headers: { 'Content-Type': 'application/json' } })
    if (res.status !== 200) fail(`backend: the questions notification answered ${res.status}: ${await res.text()}`)
    await page.goto(`${base}/`, { timeout: T.nav })
    const all = await visible(page.getByTestId('view-all'), 'the "all conversations" view tab')
    if ((await all.getAttribute('aria-selected')) !== 'true') await all.click()
    const row = page.getByTestId('conversation-row').filter({ hasText: BUYER.nickname })
    await visible(row, `the conversation row of ${BUYER.nickname} in the inbox (the question read in the background: GET /questions/${QUESTION.id})`, T.live)
      .catch((err) => fail(`${err.message}; API calls ${JSON.stringify(fake.seen.calls)}`))
    await visible(row.first().locator('[data-testid="thread-badge"][data-badge="question"]'), 'the "Pergunta" badge on the question conversation\'s row')
    await row.first().click()
    const view = await visible(page.getByTestId('conversation-view'), 'the conversation view')
    state.conversationId = await view.getAttribute('data-id')
    await visible(agentBubble(page, 'inbound', QUESTION.text), `the question "${QUESTION.text}"`)
    const card = await visible(page.locator('[data-testid="post-card"][data-kind="listing"]'), 'the listing\'s card above the conversation')
    const title = await visible(card.getByTestId('post-title'), 'the listing\'s title on its card (GET /conversations/:id/thread → GET /items/:id)')
    if (!(await title.innerText()).includes(ITEM.title)) fail(`the listing card's title reads ${JSON.stringify(await title.innerText())}, expected ${ITEM.title}`)
    const price = await visible(card.getByTestId('post-price'), 'the listing\'s price on its card')
    if ((await price.innerText()).trim() !== ITEM.shown) fail(`the listing card's price reads ${JSON.stringify(await price.innerText())}, expected ${ITEM.shown}`)
    const link = card.getByTestId('post-link')
    if (!/Ver anúncio/.test(await link.innerText()) || !/produto\.mercadolivre\.com\.br/.test((await link.getAttribute('href')) || '')) {
      fail(`the listing card's link is ${JSON.stringify(await link.innerText())} → ${await link.getAttribute('href')}, expected "Ver anúncio" to the listing`)
    }
    const img = card.locator('img.post-card-image')
    await visible(img, 'the listing\'s photo on its card')
    await waitUntil(async () => img.evaluate((el) => el.complete && el.naturalWidth > 0), { timeout: T.ui, message: 'the listing\'s photo to load' })
  })

  await run.step('30. the agent answers the question from the composer; Mercado Livre gets the answer', async () => {
    const page = ctx.agent()
    const input = await visible(page.getByTestId('composer-input'), 'the composer')
    const placeholder = await input.getAttribute('placeholder')
    if (placeholder !== 'Sua resposta fica pública no anúncio') fail(`the composer's placeholder is ${JSON.stringify(placeholder)}, expected it to say the answer is public on the listing`)
    await input.fill(ANSWER)
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/conversations/${state.conversationId}/messages`, { timeout: T.ui })
    await page.getByTestId('composer-send').click()
    const res = await posted.catch(() => fail('clicking send did not POST the answer'))
    if (res.status() >= 300) fail(`backend: POST ${new URL(res.url()).pathname} ${res.request().postData()} answered ${res.status()} ${await res.text()}`)
    const bubble = agentBubble(page, 'outbound', ANSWER)
    await visible(bubble, `the answer "${ANSWER}" in the conversation`)
    await waitUntil(async () => fake.seen.answers.length > 0, { timeout: T.live, message: () => `Mercado Livre to get the answer (POST /answers); API calls ${JSON.stringify(fake.seen.calls)}` })
    const got = fake.seen.answers[0]
    if (got?.question_id !== QUESTION.id || got?.text !== ANSWER) fail(`Mercado Livre got the answer ${JSON.stringify(got)}, expected {question_id: ${QUESTION.id}, text: ${JSON.stringify(ANSWER)}}`)
    if (fake.question(QUESTION.id)?.status !== 'ANSWERED') fail(`the question is ${fake.question(QUESTION.id)?.status} at Mercado Livre after the answer`)
    const tick = bubble.first().getByTestId('status-tick')
    await waitUntil(async () => ['sent', 'delivered', 'read'].includes(await tick.getAttribute('data-status')), {
      timeout: T.live, message: async () => `the answer's tick to go past queued (data-status ${await tick.getAttribute('data-status').catch(() => '?')}; ${await bubble.first().innerText()})`,
    })
    const err = page.getByTestId('composer-error')
    if (await err.isVisible().catch(() => false)) fail(`the composer shows an error: ${await err.innerText()}`)
  })

  await run.step('31. a 2,001-character answer shows the counter over the limit and cannot be sent', async () => {
    const page = ctx.agent()
    // the server refuses such a body itself
    const direct = await api(page, 'POST', `/api/v1/conversations/${state.conversationId}/messages`, { body: 'a'.repeat(MAX_TEXT + 1) })
    if (direct.status !== 422 || direct.body?.field !== 'body') fail(`backend: POST /messages with ${MAX_TEXT + 1} characters answered ${direct.status} ${JSON.stringify(direct.body)}, expected 422 {field: "body"}`)
    // the composer counts down to the limit the kind declares
    const kinds = (await api(page, 'GET', '/api/v1/channel-kinds')).body?.items || []
    const caps = kinds.find((k) => k.kind === 'mercadolivre')?.capabilities
    if (!caps || caps.max_text !== MAX_TEXT || caps.questions !== true) {
      fail(`backend: GET /api/v1/channel-kinds describes mercadolivre's capabilities as ${JSON.stringify(caps)}: expected questions: true and max_text: ${MAX_TEXT} (the composer's counter and limit read max_text)`)
    }
    const counter = await visible(page.getByTestId('composer-counter'), 'the character counter of the composer (capabilities.max_text)')
    if ((await counter.getAttribute('data-remaining')) !== String(MAX_TEXT)) fail(`the empty composer's counter says ${await counter.getAttribute('data-remaining')} left, expected ${MAX_TEXT}`)
    const posts = []
    const onRequest = (req) => { if (req.method() === 'POST' && /\/messages$/.test(new URL(req.url()).pathname)) posts.push(req.url()) }
    page.on('request', onRequest)
    try {
      const input = page.getByTestId('composer-input')
      await input.fill('a'.repeat(MAX_TEXT + 1))
      await waitUntil(async () => (await counter.getAttribute('data-over')) === 'true', {
        timeout: T.ui, message: async () => `the counter to show the draft over the limit (data-remaining ${await counter.getAttribute('data-remaining')})`,
      })
      if ((await counter.getAttribute('data-remaining')) !== '-1') fail(`the counter says ${await counter.getAttribute('data-remaining')} left, expected -1`)
      if (!/1 a mais/.test(await counter.innerText())) fail(`the counter reads ${JSON.stringify(await counter.innerText())}, expected "1 a mais"`)
      const why = await visible(page.getByTestId('composer-too-long'), 'the message saying the answer is too long')
      if (!/2\.000/.test(await why.innerText())) fail(`the too-long message does not name the limit: ${JSON.stringify(await why.innerText())}`)
      if (await page.getByTestId('composer-send').isEnabled()) fail('the send button is enabled with a draft over the limit')
      await input.press('Enter')
      await new Promise((r) => setTimeout(r, 1500)) // give a wrong send the time to show up
      if (posts.length) fail(`the composer posted a draft over the limit: ${posts.join(', ')}`)
      if (fake.seen.answers.length !== 1) fail(`Mercado Livre got ${fake.seen.answers.length} answers, expected only the first`)
      if ((await input.inputValue()).length !== MAX_TEXT + 1) fail('the draft over the limit was lost')
      await page.screenshot({ path: path.join(artifacts, 'mercadolivre-conversation.png') })
      await input.fill('')
    } finally {
      page.off('request', onRequest)
    }
  })
}
