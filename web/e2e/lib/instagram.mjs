// The Instagram part of the browser scenario (steps 20-23), run by run.mjs
// after the CRM steps: a local server speaking the parts of the Instagram
// Graph API CHATSPOT calls (in Meta's documented shapes) stands in for
// Meta; an Instagram channel is created with a pasted token; a signed
// comment webhook opens a conversation of its post, which the agent tells
// from a DM at a glance, answers publicly and hides. See e2e/README.md.
import crypto from 'node:crypto'
import http from 'node:http'

import { fail, visible, waitUntil } from './harness.mjs'

const VERSION = 'v25.0'
const TOKEN = 'IGAA-e2e-long-lived'
const APP_ID = '1517776481860111'
const APP_SECRET = 'e2e-instagram-app-secret'
const ACCOUNT = '17841400000000042'
const COMMENT = { id: '17850000000000042', from: '7004200000000001', username: 'bia.e2e', media: '17890000000000042', text: 'Qual o preço do vestido?' }
const CAPTION = 'Vestido floral, coleção de verão'
const PUBLIC_REPLY = 'R$ 149,90 — te chamo no Direct!'
// A 1×1 PNG: the post's image.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f80f00000101000518d84e0000000049454e44ae426082', 'hex')

/** startFakeInstagram serves the Instagram Graph API on a free port. */
export async function startFakeInstagram() {
  const seen = { replies: [], hidden: {}, subscribed: '' }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://fake')
    const send = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (url.pathname === '/post.png') {
      res.writeHead(200, { 'Content-Type': 'image/png' })
      return res.end(PNG)
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return send(401, { error: { message: 'Invalid OAuth access token', type: 'OAuthException', code: 190 } })
    }
    const parts = url.pathname.replace(`/${VERSION}/`, '').split('/')
    if (req.method === 'GET' && parts[0] === 'me') return send(200, { user_id: ACCOUNT, username: 'loja.e2e' })
    if (parts[1] === 'subscribed_apps') {
      seen.subscribed = req.method === 'DELETE' ? '' : url.searchParams.get('subscribed_fields')
      return send(200, { success: true })
    }
    if (req.method === 'GET' && parts[0] === COMMENT.media) {
      return send(200, { caption: CAPTION, media_type: 'IMAGE', media_url: `http://${req.headers.host}/post.png`, permalink: 'https://www.instagram.com/p/Ce2e/' })
    }
    if (req.method === 'GET' && parts[0] === COMMENT.from) return send(200, { name: 'Bia E2E', username: COMMENT.username })
    if (req.method === 'POST' && parts[1] === 'replies') {
      seen.replies.push({ comment: parts[0], message: url.searchParams.get('message') })
      return send(200, { id: `1790000000000${seen.replies.length}` })
    }
    if (req.method === 'POST' && url.searchParams.has('hide')) {
      seen.hidden[parts[0]] = url.searchParams.get('hide') === 'true'
      return send(200, { success: true })
    }
    if (req.method === 'POST' && parts[1] === 'messages') return send(200, { recipient_id: COMMENT.from, message_id: 'm_e2e' })
    send(400, { error: { message: `Unsupported request: ${req.method} ${url.pathname}`, type: 'GraphMethodException', code: 100 } })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((r) => server.close(r)) }
}

/**
 * instagramSteps adds the Instagram steps to run.
 * ctx: {agent: () => Page, base, fake, T, agentBubble(page, direction, text)}
 */
export async function instagramSteps(run, ctx) {
  const { base, fake, T, agentBubble } = ctx
  const state = {} // channelId

  await run.step('20. an Instagram channel is connected with a pasted token', async () => {
    const page = ctx.agent()
    const created = await api(page, 'POST', '/api/v1/channels', { kind: 'instagram', name: 'Instagram da loja',
      settings: { access_token: TOKEN, app_id: APP_ID, app_secret: APP_SECRET } })
    if (created.status !== 201) fail(`backend: creating the Instagram channel answered ${created.status}: ${JSON.stringify(created.body)}`)
    state.channelId = created.body.id
    let last = null
    await waitUntil(async () => {
      last = (await api(page, 'GET', `/api/v1/channels/${state.channelId}`)).body
      return last.status === 'connected'
    }, { timeout: T.live, message: 'the Instagram channel to be connected' }).catch(() => fail(`the channel stayed ${last && last.status}: ${JSON.stringify(last && last.activation)}`))
    if (!/comments/.test(fake.seen.subscribed)) fail(`activation subscribed ${JSON.stringify(fake.seen.subscribed)}, expected the comments field`)
  })

  await run.step('21. a comment on a post shows as a comment, with its post', async () => {
    const page = ctx.agent()
    const body = JSON.stringify({ object: 'instagram', entry: [{ id: ACCOUNT, time: Math.floor(Date.now() / 1000), changes: [{ field: 'comments',
      value: { id: COMMENT.id, text: COMMENT.text, from: { id: COMMENT.from, username: COMMENT.username }, media: { id: COMMENT.media, media_product_type: 'FEED' } } }] }] })
    const signature = 'sha256=' + crypto.createHmac('sha256', APP_SECRET).update(body).digest('hex')
    const res = await fetch(`${base}/hooks/instagram/${state.channelId}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature } })
    if (res.status !== 200) fail(`backend: the signed comment webhook answered ${res.status}: ${await res.text()}`)
    await page.goto(`${base}/`, { timeout: T.nav })
    const all = await visible(page.getByTestId('view-all'), 'the "all conversations" view tab')
    if ((await all.getAttribute('aria-selected')) !== 'true') await all.click()
    const row = page.getByTestId('conversation-row').filter({ hasText: COMMENT.username })
    await visible(row, `the conversation row of @${COMMENT.username} in the inbox`)
    await visible(row.first().locator('[data-testid="thread-badge"][data-badge="comment"]'), 'the "Comentário" badge on the comment conversation\'s row')
    await row.first().click()
    await visible(page.getByTestId('conversation-view'), 'the conversation view')
    const comment = agentBubble(page, 'inbound', COMMENT.text)
    await visible(comment, `the comment "${COMMENT.text}"`)
    if ((await comment.first().getAttribute('data-kind')) !== 'comment') fail('the customer\'s comment is not marked as a comment (data-kind)')
    const caption = await visible(page.getByTestId('post-caption'), 'the post\'s caption above the conversation (GET /conversations/:id/thread)')
    if (!(await caption.innerText()).includes('Vestido floral')) fail(`the post card shows ${JSON.stringify(await caption.innerText())}`)
  })

  await run.step('22. the agent answers the comment publicly', async () => {
    const page = ctx.agent()
    const publicMode = await visible(page.getByTestId('composer-reply-public'), 'the "Responder publicamente" option in the composer')
    if ((await publicMode.getAttribute('aria-pressed')) !== 'true') fail('a comment conversation should answer publicly by default')
    await page.getByTestId('composer-input').fill(PUBLIC_REPLY)
    await page.getByTestId('composer-send').click()
    await visible(agentBubble(page, 'outbound', PUBLIC_REPLY), `the public reply "${PUBLIC_REPLY}" in the conversation`)
    await waitUntil(async () => fake.seen.replies.length > 0, { timeout: T.live, message: 'Instagram to get the public reply (POST /{comment}/replies)' })
    const got = fake.seen.replies[0]
    if (got.comment !== COMMENT.id || got.message !== PUBLIC_REPLY) fail(`Instagram got the reply ${JSON.stringify(got)}, expected ${PUBLIC_REPLY} under comment ${COMMENT.id}`)
  })

  await run.step('23. the agent hides the comment on Instagram', async () => {
    const page = ctx.agent()
    const comment = agentBubble(page, 'inbound', COMMENT.text).first()
    await comment.hover()
    await (await visible(comment.getByTestId('comment-hide'), 'the "Ocultar" action on the comment')).click()
    await waitUntil(async () => fake.seen.hidden[COMMENT.id] === true, { timeout: T.ui, message: 'Instagram to hide the comment (POST /{comment}?hide=true)' })
    await waitUntil(async () => /Oculto/i.test(await comment.innerText()), { timeout: T.ui, message: 'the comment to show it is hidden on Instagram' })
  })
}

// api calls CHATSPOT's API from the agent's page, with its session and
// CSRF token.
async function api(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const csrf = document.cookie.split('; ').find((c) => c.startsWith('chatspot_csrf='))?.split('=')[1]
    const res = await fetch(path, { method, headers: { 'Content-Type': 'application/json', ...(csrf ? { 'X-CSRF-Token': decodeURIComponent(csrf) } : {}) },
      body: body ? JSON.stringify(body) : undefined })
    return { status: res.status, body: await res.json().catch(() => null) }
  }, { method, path, body })
}

