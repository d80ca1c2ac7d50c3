// The prepaid balance and SMS part of the browser scenario (steps 32-35),
// run by run.mjs after the Mercado Livre steps: two local servers stand in
// for Mercado Pago (the Payments API for Pix, in its documented shapes:
// POST /v1/payments with X-Idempotency-Key, GET and PUT /v1/payments/{id},
// and the payment.updated notification signed with x-signature) and for
// Twilio (Programmable Messaging 2010-04-01: the account, its
// IncomingPhoneNumbers, Messages.json, and inbound SMS posted as forms
// signed with X-Twilio-Signature). The admin creates an SMS channel, which
// waits for the account's first recharge; recharges R$ 100,00 by Pix in
// Faturamento; the payment's notification credits the balance and
// activates the channel; a customer's SMS opens a conversation, and the
// agent's reply shows its segments and cost before it is sent and charged.
// Since the dev server's base URL is not public, CHATSPOT sends Mercado
// Pago no notification_url and registers no SmsUrl at Twilio: the fakes
// post to the app's base URL themselves. See e2e/README.md.
import crypto from 'node:crypto'
import http from 'node:http'
import path from 'node:path'

import { png } from './files.mjs'
import { api, fail, hidden, openChannelCreate, visible, waitUntil } from './harness.mjs'

// CHATSPOT's (the operator's) Mercado Pago account, passed to the dev process.
export const MP_ACCESS_TOKEN = 'APP_USR-e2e-5096-mercadopago-token'
export const MP_WEBHOOK_SECRET = 'e2e-mp-webhook-secret'
export const SEGMENT_CENTS = 10 // CHATSPOT_SMS_SEGMENT_PRICE: R$ 0,10

// The account's Twilio number, typed in the channel dialog.
const TWILIO = {
  sid: 'AC5e2e0123456789abcdef0123456789ab',
  token: 'e2e-twilio-auth-token',
  number: '+5511955550000',
  numberSid: 'PN5e2e0123456789abcdef0123456789ab',
  friendlyName: 'Loja E2E',
}
const CHANNEL_NAME = 'SMS da Loja'
const RECHARGE = { typed: '100,00', cents: 10_000, shown: 'R$ 100,00', cpf: '529.982.247-25' }
const CUSTOMER = { phone: '+5511988887777', text: 'Oi! Vocês entregam em Campinas?', sid: 'SM5e2e00000000000000000000000001' }
// "entregamos" and "é" are GSM-7, "Olá" and "amanhã" are not: the reply goes as UCS-2, in 1 segment.
const REPLY = 'Olá! Entregamos sim, chega amanhã.'
const AFTER = { cents: RECHARGE.cents - SEGMENT_CENTS, shown: 'R$ 99,90' }

// GSM 03.38: the default alphabet (one septet each) and the extension table (two).
const GSM_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const GSM_EXT = '^{}\\[~]|€\f'

/** segments counts an SMS as Twilio does (3GPP: 160/153 GSM-7 septets, 70/67 UCS-2 code units). */
export function segments(text) {
  let septets = 0
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets++
    else if (GSM_EXT.includes(ch)) septets += 2
    else {
      const units = text.length // JS strings are UTF-16
      return { encoding: 'ucs2', units: units <= 70 ? 1 : Math.ceil(units / 67) }
    }
  }
  return { encoding: 'gsm7', units: septets <= 160 ? 1 : Math.ceil(septets / 153) }
}

/** twilioSignature is X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + each parameter's name and value, sorted by name)). */
export function twilioSignature(authToken, fullURL, params) {
  let s = fullURL
  for (const k of Object.keys(params).sort()) s += k + params[k]
  return crypto.createHmac('sha1', authToken).update(s, 'utf8').digest('base64')
}

/** mercadoPagoSignature is x-signature: "ts=<ms>,v1=" HMAC-SHA256(secret, "id:<data.id>;request-id:<x-request-id>;ts:<ts>;"). */
export function mercadoPagoSignature(secret, dataId, requestId, ts) {
  const v1 = crypto.createHmac('sha256', secret).update(`id:${String(dataId).toLowerCase()};request-id:${requestId};ts:${ts};`).digest('hex')
  return `ts=${ts},v1=${v1}`
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)))
}

/**
 * startFakeSMSProviders serves Mercado Pago's Payments API and Twilio's
 * REST API on two free ports; the answer's mercadopagoUrl and twilioUrl
 * are what the dev process is given as CHATSPOT_MERCADOPAGO_API_URL and
 * CHATSPOT_TWILIO_API_URL.
 */
export async function startFakeSMSProviders() {
  const seen = {
    payments: [], // POST /v1/payments: {key, body}
    mp: [], // "METHOD /path" of every Mercado Pago call
    notifications: [], // what the app answered to each notification
    twilio: [], // "METHOD /path" of every Twilio call
    sent: [], // SMS sent: {sid, to, from, body, statusCallback}
    inbound: [], // what the app answered to each inbound SMS
    refused: [], // calls answered 401 (no or a wrong token)
  }
  const payments = new Map() // id -> payment
  const byKey = new Map() // X-Idempotency-Key -> id
  let nextPayment = 1_325_000_000
  let nextMessage = 0
  let smsUrl = '' // the number's inbound URL (set only if CHATSPOT registers one)
  const qrPng = png(116, 116).toString('base64')

  const json = (res, status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify(body))
  }
  const mpError = (res, status, error, message) => json(res, status, { message, error, status, cause: [] })

  const mercadopago = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://fake')
    const raw = await readBody(req)
    seen.mp.push(`${req.method} ${url.pathname}`)
    if (req.headers.authorization !== `Bearer ${MP_ACCESS_TOKEN}`) {
      seen.refused.push(`Mercado Pago ${req.method} ${url.pathname}`)
      return mpError(res, 401, 'unauthorized', 'invalid access token')
    }
    if (req.method === 'POST' && url.pathname === '/v1/payments') {
      const key = req.headers['x-idempotency-key']
      if (!key) return mpError(res, 400, 'bad_request', 'X-Idempotency-Key is required')
      if (byKey.has(key)) return json(res, 201, payments.get(byKey.get(key))) // a retried request: the same payment
      let body = null
      try { body = JSON.parse(raw) } catch { /* answered below */ }
      seen.payments.push({ key, body })
      if (!body || body.payment_method_id !== 'pix' || !(body.transaction_amount > 0) || !body.payer?.email) {
        return mpError(res, 400, 'bad_request', `invalid payment: transaction_amount, payment_method_id pix and payer.email are required, got ${raw}`)
      }
      const id = ++nextPayment
      const amount = body.transaction_amount.toFixed(2)
      const p = {
        id, status: 'pending', status_detail: 'pending_waiting_transfer', transaction_amount: body.transaction_amount, currency_id: 'BRL',
        description: body.description, payment_method_id: 'pix', payment_type_id: 'bank_transfer', external_reference: body.external_reference,
        notification_url: body.notification_url || null, date_of_expiration: body.date_of_expiration, date_created: new Date().toISOString(),
        date_approved: null, payer: { email: body.payer.email, identification: body.payer.identification || null }, live_mode: false,
        point_of_interaction: {
          type: 'OPENPLATFORM',
          transaction_data: {
            qr_code: `00020126580014br.gov.bcb.pix0136${id}e2e-5204-0000-5303986540${amount.length}${amount}5802BR5909LOJA E2E6009SAO PAULO62070503***6304E2E0`,
            qr_code_base64: qrPng,
            ticket_url: `https://www.mercadopago.com.br/payments/${id}/ticket?caller_id=1&hash=e2e`,
          },
        },
      }
      payments.set(id, p)
      byKey.set(key, id)
      return json(res, 201, p)
    }
    const m = /^\/v1\/payments\/(\d+)$/.exec(url.pathname)
    if (m) {
      const p = payments.get(Number(m[1]))
      if (!p) return mpError(res, 404, 'not_found', 'Payment not found')
      if (req.method === 'PUT') {
        let body = null
        try { body = JSON.parse(raw) } catch { /* below */ }
        if (body?.status !== 'cancelled' || p.status !== 'pending') return mpError(res, 400, 'bad_request', `Invalid status transition from ${p.status}`)
        p.status = 'cancelled'
        p.status_detail = 'expired'
      }
      if (req.method === 'GET' || req.method === 'PUT') return json(res, 200, p)
    }
    mpError(res, 404, 'not_found', `no such resource: ${req.method} ${url.pathname}`)
  })

  const twilioError = (res, status, code, message) => json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status })
  const twilio = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://fake')
    const raw = await readBody(req)
    seen.twilio.push(`${req.method} ${url.pathname}${url.search}`)
    const basic = /^Basic (.+)$/.exec(req.headers.authorization || '')
    const [user, pass] = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':') : []
    if (user !== TWILIO.sid || pass !== TWILIO.token) {
      seen.refused.push(`Twilio ${req.method} ${url.pathname}`)
      return twilioError(res, 401, 20003, 'Authenticate')
    }
    const account = `/2010-04-01/Accounts/${TWILIO.sid}`
    const p = url.pathname.startsWith(account) ? url.pathname.slice(account.length) : null
    const number = () => ({ sid: TWILIO.numberSid, account_sid: TWILIO.sid, phone_number: TWILIO.number, friendly_name: '(11) 95555-0000',
      sms_url: smsUrl, sms_method: 'POST', capabilities: { sms: true, mms: true, voice: true } })
    if (req.method === 'GET' && p === '.json') {
      return json(res, 200, { sid: TWILIO.sid, friendly_name: TWILIO.friendlyName, status: 'active', type: 'Full', date_created: 'Mon, 01 Dec 2025 12:00:00 +0000' })
    }
    if (req.method === 'GET' && p === '/IncomingPhoneNumbers.json') {
      const want = url.searchParams.get('PhoneNumber')
      return json(res, 200, { incoming_phone_numbers: !want || want === TWILIO.number ? [number()] : [], page: 0, page_size: 50 })
    }
    if (req.method === 'POST' && p === `/IncomingPhoneNumbers/${TWILIO.numberSid}.json`) {
      const f = new URLSearchParams(raw)
      if (f.has('SmsUrl')) smsUrl = f.get('SmsUrl')
      return json(res, 200, number())
    }
    if (req.method === 'POST' && p === '/Messages.json') {
      if (!/application\/x-www-form-urlencoded/.test(req.headers['content-type'] || '')) return twilioError(res, 400, 20001, `the body must be a form, not ${req.headers['content-type']}`)
      const f = new URLSearchParams(raw)
      const to = f.get('To') || ''
      const from = f.get('From') || ''
      const body = f.get('Body') || ''
      if (!/^\+\d{8,15}$/.test(to)) return twilioError(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`)
      if (from !== TWILIO.number) return twilioError(res, 400, 21606, 'The From phone number is not a valid, SMS-capable inbound phone number for your account')
      if (!body) return twilioError(res, 400, 21602, 'Message body is required.')
      const sid = `SM${String(++nextMessage).padStart(32, '0')}`
      const segs = segments(body)
      seen.sent.push({ sid, to, from, body, statusCallback: f.get('StatusCallback') || '' })
      return json(res, 201, { sid, account_sid: TWILIO.sid, to, from, body, status: 'queued', num_segments: String(segs.units), num_media: '0',
        direction: 'outbound-api', api_version: '2010-04-01', price: null, price_unit: 'USD', error_code: null, error_message: null,
        date_created: new Date().toUTCString(), uri: `${account}/Messages/${sid}.json` })
    }
    twilioError(res, 404, 20404, 'The requested resource was not found')
  })

  const mercadopagoUrl = await listen(mercadopago)
  const twilioUrl = await listen(twilio)

  /**
   * pay marks the payment of a recharge (its external_reference) approved,
   * as when the payer's bank transfers, and posts the payment.updated
   * notification signed with the webhook secret: to the notification_url
   * CHATSPOT gave, or (none in dev) to the app's base URL; it answers the
   * payment id and the app's answer.
   */
  async function pay(reference, appBase) {
    const p = [...payments.values()].find((x) => x.external_reference === reference)
    if (!p) fail(`backend: Mercado Pago has no payment with external_reference ${reference} (payments created: ${JSON.stringify(seen.payments)})`)
    p.status = 'approved'
    p.status_detail = 'accredited'
    p.date_approved = new Date().toISOString()
    const id = String(p.id)
    const target = new URL(p.notification_url || `${appBase}/hooks/billing/mercadopago`)
    target.searchParams.set('data.id', id)
    target.searchParams.set('type', 'payment')
    const requestId = crypto.randomUUID()
    const ts = Date.now()
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-request-id': requestId, 'x-signature': mercadoPagoSignature(MP_WEBHOOK_SECRET, id, requestId, ts) },
      body: JSON.stringify({ action: 'payment.updated', api_version: 'v1', data: { id }, date_created: new Date().toISOString(), id: ts * 1000 + 1,
        live_mode: false, type: 'payment', user_id: '123456789' }),
    })
    const answer = { url: target.toString(), status: res.status, body: await res.text() }
    seen.notifications.push(answer)
    return { id, ...answer }
  }

  /**
   * inbound posts a customer's SMS as Twilio does, signed with the auth
   * token: to the number's SmsUrl, or (none registered in dev) to the
   * channel's hook at the app's base URL; it answers the app's answer.
   */
  async function inbound({ appBase, channelId, from, text, sid }) {
    const target = smsUrl || `${appBase}/hooks/sms/${channelId}`
    const params = { ToCountry: 'BR', ToState: 'SP', SmsMessageSid: sid, NumMedia: '0', ToCity: 'SAO PAULO', FromZip: '', SmsSid: sid,
      FromState: 'SP', SmsStatus: 'received', FromCity: 'CAMPINAS', Body: text, FromCountry: 'BR', To: TWILIO.number, ToZip: '',
      NumSegments: String(segments(text).units), MessageSid: sid, AccountSid: TWILIO.sid, From: from, ApiVersion: '2010-04-01' }
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilioSignature(TWILIO.token, target, params),
        'User-Agent': 'TwilioProxy/1.1' },
      body: new URLSearchParams(params).toString(),
    })
    const answer = { url: target, status: res.status, contentType: res.headers.get('content-type') || '', body: await res.text() }
    seen.inbound.push(answer)
    return answer
  }

  return {
    mercadopagoUrl,
    twilioUrl,
    seen,
    pay,
    inbound,
    payment: (id) => payments.get(Number(id)),
    smsUrl: () => smsUrl,
    close: async () => {
      for (const s of [mercadopago, twilio]) {
        s.closeAllConnections()
        await new Promise((r) => s.close(r))
      }
    },
  }
}

export async function smsSteps(run, ctx) {
  const { base, fake, T, agentBubble, artifacts } = ctx
  const state = {} // channelId, rechargeId, paymentId, conversationId

  await run.step('32. an SMS channel (Twilio) is created in the admin screen and waits for the first recharge', async () => {
    const page = ctx.agent()
    const dialog = await openChannelCreate(page, base, T, 'sms')
    await dialog.getByTestId('channel-name').fill(CHANNEL_NAME)
    // the Account SID is Twilio's only: not a required setting
    await (await visible(dialog.getByTestId('channel-create-more'), 'the "Mostrar todas as configurações" button')).click()
    const field = (name) => dialog.getByTestId(`channel-field-${name}`)
    const provider = await visible(field('provider'), 'the provider field of the SMS kind')
    const choices = await provider.locator('option').evaluateAll((os) => os.map((o) => o.value))
    if (!choices.includes('twilio') || !choices.includes('zenvia')) fail(`the provider field offers ${JSON.stringify(choices)}, expected zenvia and twilio`)
    await provider.selectOption('twilio')
    await (await visible(field('from'), 'the number field of the SMS kind')).fill(TWILIO.number)
    await (await visible(field('account_sid'), 'the Account SID field after asking for every setting')).fill(TWILIO.sid)
    const token = await visible(field('token'), 'the token field of the SMS kind')
    if ((await token.getAttribute('type')) !== 'password') fail('the Auth Token field is not a password input')
    await token.fill(TWILIO.token)
    const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/channels', { timeout: T.ui })
    await dialog.getByTestId('channel-create-submit').click()
    const res = await created.catch(() => fail('creating the channel did not POST /api/v1/channels'))
    const sent = res.request().postDataJSON()
    const hideToken = (b) => ({ ...b, settings: { ...b?.settings, token: b?.settings?.token ? '…' : b?.settings?.token } })
    const body = await res.json().catch(() => null)
    if (res.status() !== 201) fail(`backend: POST /api/v1/channels ${JSON.stringify(hideToken(sent))} answered ${res.status()} ${JSON.stringify(body)}`)
    const s = sent.settings || {}
    if (sent.kind !== 'sms' || s.provider !== 'twilio' || s.from !== TWILIO.number || s.account_sid !== TWILIO.sid || s.token !== TWILIO.token) {
      fail(`the dialog posted ${JSON.stringify(hideToken(sent))}: expected kind sms, provider twilio, the typed number, Account SID and Auth Token`)
    }
    state.channelId = body.id
    await hidden(page.getByTestId('channel-create-dialog'), 'the new channel dialog after creating', T.ui)
    const row = page.locator(`[data-testid="channel-row"][data-id="${state.channelId}"]`)
    await visible(row, 'the new SMS channel in the channel list')

    // The activation stops at its first step: nothing is set up at Twilio before the account paid.
    const editor = await visible(page.locator(`[data-testid="channel-editor"][data-id="${state.channelId}"]`), 'the new SMS channel\'s editor')
    const activation = editor.getByTestId('channel-activation')
    await visible(activation, 'the activation checklist in the SMS channel\'s editor', T.live)
    const prepaid = activation.locator('[data-testid="activation-step"][data-step="prepaid_balance"]')
    let last = null
    await waitUntil(async () => {
      if ((await prepaid.getAttribute('data-state')) === 'failed' && (await activation.getAttribute('data-state')) === 'failed') return true
      last = (await api(page, 'GET', `/api/v1/channels/${state.channelId}`)).body
      return false
    }, { timeout: T.live, message: 'the activation\'s prepaid_balance step to fail (no recharge yet)' })
      .catch(() => fail(`the activation is ${JSON.stringify(last && last.activation)} (channel ${last && last.status}: ${last && last.status_reason}), expected its prepaid_balance step failed`))
    const steps = await activation.getByTestId('activation-step').evaluateAll((els) => els.map((e) => `${e.dataset.step}:${e.dataset.state}`))
    if (steps[0] !== 'prepaid_balance:failed') fail(`the activation's steps are ${steps.join(', ')}: prepaid_balance must come first`)
    if (!/Saldo pré-pago/.test(await prepaid.innerText())) fail(`the prepaid_balance step reads ${JSON.stringify(await prepaid.innerText())}`)
    const why = await visible(editor.getByTestId('activation-error'), 'the activation\'s error in the editor')
    if (!/primeira recarga/.test(await why.innerText())) fail(`the activation's error reads ${JSON.stringify(await why.innerText())}, expected it to wait for the first recharge`)
    if ((await row.getAttribute('data-status')) === 'connected') fail('the SMS channel shows connected before any recharge')
    if (fake.seen.twilio.length) fail(`backend: Twilio was called before the account paid: ${fake.seen.twilio.join(', ')}`)
  })

  await run.step('33. the admin recharges R$ 100,00 by Pix in Faturamento; the payment is confirmed live', async () => {
    const page = ctx.agent()
    await (await visible(page.getByTestId('admin-tab-billing'), 'the "Faturamento" tab of the admin screen')).click()
    await visible(page.getByTestId('admin-billing'), 'the billing screen')
    if (new URL(page.url()).pathname !== '/admin/billing') fail(`the "Faturamento" tab opened ${page.url()}, expected /admin/billing`)
    const balance = await visible(page.getByTestId('billing-balance'), 'the prepaid balance')
    if ((await balance.getAttribute('data-cents')) !== '0') fail(`the balance before any recharge is ${await balance.innerText()}`)
    await visible(page.getByTestId('billing-not-activated'), 'the notice that SMS channels wait for the first recharge')
    const form = await visible(page.getByTestId('billing-recharge-form'), 'the Pix recharge form (the operator configured Mercado Pago)')
      .catch(async (err) => fail(`${err.message}${(await page.getByTestId('billing-no-pix').count()) ? ' (the screen says Pix is off: is CHATSPOT_MERCADOPAGO_ACCESS_TOKEN read by the dev process?)' : ''}`))
    await form.getByTestId('billing-recharge-amount').fill(RECHARGE.typed)
    const email = form.getByTestId('billing-recharge-email')
    if (!(await email.inputValue())) fail('the payer\'s e-mail is not filled in with the admin\'s')
    const payer = await email.inputValue()
    await form.getByTestId('billing-recharge-document').fill(RECHARGE.cpf)
    // the page must not reload from here on: the balance comes in live
    await page.evaluate(() => { window.__e2eBilling = true })
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/billing/recharges', { timeout: T.ui })
    await form.getByTestId('billing-recharge-submit').click()
    const res = await posted.catch(() => fail('"Gerar Pix" did not POST /api/v1/billing/recharges'))
    const sent = res.request().postDataJSON()
    const created = await res.json().catch(() => null)
    if (res.status() !== 201) fail(`backend: POST /api/v1/billing/recharges ${JSON.stringify(sent)} answered ${res.status()} ${JSON.stringify(created)}`)
    if (sent.amount_cents !== RECHARGE.cents || sent.payer_email !== payer || sent.payer_document !== RECHARGE.cpf.replace(/\D/g, '')) {
      fail(`the form posted ${JSON.stringify(sent)}, expected amount_cents ${RECHARGE.cents}, payer_email ${payer} and the CPF's digits`)
    }
    state.rechargeId = created.id

    // The QR code and the copy-and-paste code, once the charge exists at Mercado Pago.
    const panel = page.locator(`[data-testid="billing-recharge"][data-id="${state.rechargeId}"]`)
    await visible(panel, 'the recharge\'s payment panel')
    const qr = panel.locator('img[data-testid="billing-qr"]')
    await visible(qr, 'the Pix QR image (qr_code_base64) in the recharge panel', T.live)
      .catch((err) => fail(`${err.message}; Mercado Pago calls ${JSON.stringify(fake.seen.mp)}, payments ${JSON.stringify(fake.seen.payments)}`))
    await waitUntil(async () => qr.evaluate((el) => el.complete && el.naturalWidth > 0), { timeout: T.ui, message: 'the Pix QR image to load' })
    if (!/^data:image\/png;base64,/.test((await qr.getAttribute('src')) || '')) fail(`the QR image's src is not the PNG Mercado Pago answered: ${(await qr.getAttribute('src'))?.slice(0, 40)}`)
    const charge = fake.seen.payments[0]
    const problems = []
    if (fake.seen.payments.length !== 1) problems.push(`${fake.seen.payments.length} payments created`)
    if (charge?.key !== state.rechargeId) problems.push(`X-Idempotency-Key ${charge?.key} (expected the recharge id ${state.rechargeId})`)
    const b = charge?.body || {}
    if (b.transaction_amount !== RECHARGE.cents / 100) problems.push(`transaction_amount ${b.transaction_amount}`)
    if (b.external_reference !== state.rechargeId) problems.push(`external_reference ${b.external_reference}`)
    if (b.payer?.email !== payer) problems.push(`payer.email ${b.payer?.email}`)
    if (b.payer?.identification?.type !== 'CPF' || b.payer?.identification?.number !== RECHARGE.cpf.replace(/\D/g, '')) problems.push(`payer.identification ${JSON.stringify(b.payer?.identification)}`)
    if (b.notification_url) problems.push(`notification_url ${b.notification_url} (the dev base URL is not public)`)
    if (!b.date_of_expiration || !b.description) problems.push('no date_of_expiration or description')
    if (problems.length) fail(`backend: the Pix charge at Mercado Pago: ${problems.join(', ')} in ${JSON.stringify(charge)}`)
    const code = await visible(panel.getByTestId('billing-pix-code'), 'the Pix copy-and-paste code')
    const shownCode = await code.inputValue()
    if (!shownCode.startsWith('000201') || !shownCode.includes('br.gov.bcb.pix')) fail(`the copy-and-paste code is ${JSON.stringify(shownCode)}, expected Mercado Pago's qr_code`)
    await visible(panel.getByTestId('billing-pix-copy'), 'the "Copiar código" button')
    if ((await panel.getAttribute('data-status')) !== 'pending') fail(`the recharge panel says ${await panel.getAttribute('data-status')} before the payment, expected pending`)
    await visible(panel.getByTestId('billing-recharge-waiting'), '"Aguardando o pagamento…"')

    // The payer pays; Mercado Pago notifies; CHATSPOT reads the payment back and credits it.
    const paid = await fake.pay(state.rechargeId, base)
    state.paymentId = paid.id
    if (fake.payment(paid.id)?.point_of_interaction.transaction_data.qr_code !== shownCode) fail('the copy-and-paste code shown is not the payment\'s qr_code')
    if (paid.status !== 200) fail(`backend: the signed payment notification POST ${paid.url} answered ${paid.status} ${paid.body}, expected 200`)
    const approved = await visible(panel.getByTestId('billing-recharge-approved'), 'the "Pagamento confirmado" notice in the recharge panel (live)', T.live)
      .catch((err) => fail(`${err.message}; Mercado Pago calls ${JSON.stringify(fake.seen.mp)}`))
    if (!/Pagamento confirmado/.test(await approved.innerText())) fail(`the approval notice reads ${JSON.stringify(await approved.innerText())}`)
    if (!fake.seen.mp.includes(`GET /v1/payments/${paid.id}`)) fail(`backend: the payment was credited without reading it back (GET /v1/payments/${paid.id}): ${JSON.stringify(fake.seen.mp)}`)
    await waitUntil(async () => (await balance.getAttribute('data-cents')) === String(RECHARGE.cents), {
      timeout: T.live, message: async () => `the balance to become ${RECHARGE.shown} live (it shows ${await balance.innerText()})`,
    })
    if (norm(await balance.innerText()) !== RECHARGE.shown) fail(`the balance reads ${JSON.stringify(await balance.innerText())}, expected ${RECHARGE.shown}`)
    await hidden(page.getByTestId('billing-not-activated'), 'the "first recharge" notice after the credit', T.ui)
    const row = page.locator(`[data-testid="billing-recharge-row"][data-id="${state.rechargeId}"]`)
    await waitUntil(async () => (await row.getAttribute('data-status')) === 'approved', { timeout: T.ui, message: 'the recharge\'s row in "Recargas" to say paid' })
    // The statement lists the credit.
    const entry = page.locator('[data-testid="billing-entry"][data-kind="recharge"]')
    await visible(entry, 'the recharge in the statement ("Extrato")', T.live)
    const amount = norm(await entry.first().getByTestId('billing-entry-amount').innerText())
    const after = norm(await entry.first().getByTestId('billing-entry-balance').innerText())
    if (amount !== `+${RECHARGE.shown}` || after !== RECHARGE.shown) fail(`the statement's recharge reads ${JSON.stringify(amount)} (balance ${JSON.stringify(after)}), expected +${RECHARGE.shown} leaving ${RECHARGE.shown}`)
    if ((await page.getByTestId('billing-entry').count()) !== 1) fail(`the statement has ${await page.getByTestId('billing-entry').count()} entries, expected only the recharge`)
    if (!(await page.evaluate(() => window.__e2eBilling === true))) fail('the billing screen reloaded: the payment must come in live')
    const api1 = (await api(page, 'GET', '/api/v1/billing')).body
    if (api1?.balance_cents !== RECHARGE.cents || api1?.activated !== true) fail(`backend: GET /api/v1/billing answered ${JSON.stringify(api1)}, expected balance_cents ${RECHARGE.cents} and activated`)
    if (fake.seen.refused.length) fail(`backend: a provider was called without its credentials: ${fake.seen.refused.join(', ')}`)
    // the screen scrolls inside the app: a viewport tall enough for the balance, the paid recharge and the statement
    const viewport = page.viewportSize()
    const bottom = await page.getByTestId('billing-statement').evaluate((el) => {
      let y = el.getBoundingClientRect().bottom
      for (let p = el.parentElement; p; p = p.parentElement) y += p.scrollTop
      return Math.ceil(y + 24)
    })
    await page.setViewportSize({ width: viewport.width, height: Math.min(Math.max(bottom, viewport.height), 2000) })
    await page.screenshot({ path: path.join(artifacts, 'billing.png') })
    await page.setViewportSize(viewport)
  })

  await run.step('34. the SMS channel activates by itself; a customer\'s SMS opens a conversation', async () => {
    const page = ctx.agent()
    await (await visible(page.getByTestId('admin-tab-channels'), 'the "Canais" tab of the admin screen')).click()
    const row = page.locator(`[data-testid="channel-row"][data-id="${state.channelId}"]`)
    await visible(row, 'the SMS channel in the channel list')
    let last = null
    await waitUntil(async () => {
      if ((await row.getAttribute('data-status')) === 'connected') return true
      last = (await api(page, 'GET', `/api/v1/channels/${state.channelId}`)).body
      return false
    }, { timeout: T.live, message: 'the SMS channel to show connected after the recharge' })
      .catch(() => fail(`the SMS channel stayed ${last && last.status} (${last && last.status_reason}) after the recharge: activation ${JSON.stringify(last && last.activation)}; Twilio calls ${JSON.stringify(fake.seen.twilio)}`))
    await row.getByTestId('channel-open').click()
    const editor = await visible(page.locator(`[data-testid="channel-editor"][data-id="${state.channelId}"]`), 'the SMS channel\'s editor')
    const activation = editor.getByTestId('channel-activation')
    await waitUntil(async () => (await activation.getAttribute('data-state')) === 'done', {
      timeout: T.live, message: async () => `the activation to be done (it is ${await activation.getAttribute('data-state').catch(() => '?')})`,
    })
    const steps = await activation.getByTestId('activation-step').evaluateAll((els) => els.map((e) => `${e.dataset.step}:${e.dataset.state}`))
    const want = ['prepaid_balance:done', 'check_provider:done', 'subscribe_webhooks:skipped']
    if (JSON.stringify(steps) !== JSON.stringify(want)) fail(`the activation's steps are ${steps.join(', ')}, expected ${want.join(', ')} (no public URL in dev: no webhook is registered)`)
    if (await editor.getByTestId('activation-error').count()) fail('the activation still shows an error')
    for (const call of [`GET /2010-04-01/Accounts/${TWILIO.sid}.json`, `GET /2010-04-01/Accounts/${TWILIO.sid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(TWILIO.number)}`]) {
      if (!fake.seen.twilio.includes(call)) fail(`backend: the activation did not call Twilio's ${call}: ${JSON.stringify(fake.seen.twilio)}`)
    }

    // A customer writes to the number; Twilio posts it, signed.
    const got = await fake.inbound({ appBase: base, channelId: state.channelId, from: CUSTOMER.phone, text: CUSTOMER.text, sid: CUSTOMER.sid })
    if (got.status !== 200 || !/xml/.test(got.contentType) || !/<Response\s*\/?>/.test(got.body)) {
      fail(`backend: the signed inbound SMS POST ${got.url} answered ${got.status} ${got.contentType} ${JSON.stringify(got.body)}, expected 200 with TwiML`)
    }
    await page.goto(`${base}/`, { timeout: T.nav })
    const all = await visible(page.getByTestId('view-all'), 'the "all conversations" view tab')
    if ((await all.getAttribute('aria-selected')) !== 'true') await all.click()
    const conv = page.getByTestId('conversation-row').filter({ hasText: CUSTOMER.text })
    await visible(conv, `the customer's SMS "${CUSTOMER.text}" in the inbox`, T.live)
    const label = norm(await conv.first().innerText())
    if (!/SMS/.test(label)) fail(`the SMS conversation's row does not name the channel: ${JSON.stringify(label)}`)
    state.conversationId = await conv.first().getAttribute('data-id')
  })

  await run.step('35. the agent answers by SMS: the composer quotes segments and cost; Twilio gets the SMS; the balance is R$ 99,90', async () => {
    const page = ctx.agent()
    await page.locator(`[data-testid="conversation-row"][data-id="${state.conversationId}"]`).click()
    await visible(page.locator(`[data-testid="conversation-view"][data-id="${state.conversationId}"]`), 'the SMS conversation')
    await visible(agentBubble(page, 'inbound', CUSTOMER.text), `the customer's SMS "${CUSTOMER.text}"`)
    const input = await visible(page.getByTestId('composer-input'), 'the composer')
    const quoted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/conversations/${state.conversationId}/quote`, { timeout: T.ui })
    await input.fill(REPLY)
    const q = await quoted.catch(() => fail('typing in an SMS conversation did not POST /api/v1/conversations/:id/quote'))
    const qb = await q.json().catch(() => null)
    const want = segments(REPLY)
    if (q.status() !== 200 || !qb?.metered || qb.units !== want.units || qb.encoding !== want.encoding || qb.cents !== want.units * SEGMENT_CENTS || qb.balance_cents !== RECHARGE.cents) {
      fail(`backend: POST /quote ${q.request().postData()} answered ${q.status()} ${JSON.stringify(qb)}, expected metered, ${want.units} ${want.encoding} segment(s) of ${SEGMENT_CENTS} centavos, balance ${RECHARGE.cents}`)
    }
    const quote = await visible(page.getByTestId('composer-quote'), 'the cost line under the composer')
    await waitUntil(async () => (await quote.getAttribute('data-encoding')) === 'ucs2', { timeout: T.ui, message: 'the cost line to quote the reply (UCS-2, for its accents)' })
    const line = norm(await page.getByTestId('composer-quote-line').innerText())
    if (line !== `1 segmento · R$ 0,10 · saldo ${RECHARGE.shown}`) fail(`the cost line reads ${JSON.stringify(line)}, expected "1 segmento · R$ 0,10 · saldo ${RECHARGE.shown}"`)
    if ((await quote.getAttribute('data-units')) !== '1' || (await quote.getAttribute('data-short')) !== 'false') fail(`the cost line says ${await quote.getAttribute('data-units')} segment(s), short ${await quote.getAttribute('data-short')}`)
    const hint = await visible(page.getByTestId('composer-quote-ucs2'), 'the note that accents make a segment 70 characters')
    if (!/70/.test(await hint.innerText())) fail(`the accent note reads ${JSON.stringify(await hint.innerText())}`)
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/conversations/${state.conversationId}/messages`, { timeout: T.ui })
    await page.getByTestId('composer-send').click()
    const res = await posted.catch(() => fail('clicking send did not POST the reply'))
    if (res.status() >= 300) fail(`backend: POST ${new URL(res.url()).pathname} ${res.request().postData()} answered ${res.status()} ${await res.text()}`)
    const bubble = agentBubble(page, 'outbound', REPLY)
    await visible(bubble, `the reply "${REPLY}" in the conversation`)
    await waitUntil(async () => fake.seen.sent.length > 0, { timeout: T.live, message: () => `Twilio to get the SMS (POST Messages.json); Twilio calls ${JSON.stringify(fake.seen.twilio)}` })
    const sms = fake.seen.sent[0]
    if (fake.seen.sent.length !== 1 || sms.to !== CUSTOMER.phone || sms.from !== TWILIO.number || sms.body !== REPLY) {
      fail(`Twilio got ${JSON.stringify(fake.seen.sent)}, expected one SMS from ${TWILIO.number} to ${CUSTOMER.phone} with ${JSON.stringify(REPLY)}`)
    }
    if (sms.statusCallback) fail(`backend: the send named StatusCallback ${sms.statusCallback}, but the dev base URL is not public`)
    const tick = bubble.first().getByTestId('status-tick')
    await waitUntil(async () => ['sent', 'delivered', 'read'].includes(await tick.getAttribute('data-status')), {
      timeout: T.live, message: async () => `the reply's tick to go past queued (data-status ${await tick.getAttribute('data-status').catch(() => '?')}; ${await bubble.first().innerText()})`,
    })
    const err = page.getByTestId('composer-error')
    if (await err.isVisible().catch(() => false)) fail(`the composer shows an error: ${await err.innerText()}`)
    // A next draft is quoted against what is left.
    await input.fill('Obrigado pela preferência')
    await waitUntil(async () => norm(await page.getByTestId('composer-quote-line').innerText().catch(() => '')).endsWith(`saldo ${AFTER.shown}`), {
      timeout: T.ui, message: async () => `the next draft's cost line to show the balance ${AFTER.shown} (it reads ${JSON.stringify(await page.getByTestId('composer-quote-line').innerText().catch(() => ''))})`,
    })
    await page.screenshot({ path: path.join(artifacts, 'sms-conversation.png') })
    await input.fill('')

    // Faturamento: the send was charged.
    await page.goto(`${base}/admin/billing`, { timeout: T.nav })
    const balance = await visible(page.getByTestId('billing-balance'), 'the prepaid balance')
    await waitUntil(async () => (await balance.getAttribute('data-cents')) === String(AFTER.cents), {
      timeout: T.live, message: async () => `the balance to be ${AFTER.shown} after the SMS (it shows ${await balance.innerText()})`,
    })
    if (norm(await balance.innerText()) !== AFTER.shown) fail(`the balance reads ${JSON.stringify(await balance.innerText())}, expected ${AFTER.shown}`)
    const entries = await page.getByTestId('billing-entry').evaluateAll((els) => els.map((e) => ({
      kind: e.dataset.kind,
      amount: e.querySelector('[data-testid="billing-entry-amount"]')?.textContent.replace(/\s/g, ' '),
      after: e.querySelector('[data-testid="billing-entry-balance"]')?.textContent.replace(/\s/g, ' '),
    })))
    const charged = entries.filter((e) => e.kind !== 'recharge')
    if (charged.length !== 1 || charged[0].kind !== 'reservation' || charged[0].amount !== '-R$ 0,10' || charged[0].after !== AFTER.shown || entries[0] !== charged[0]) {
      fail(`the statement is ${JSON.stringify(entries)}, expected the SMS's reservation of -R$ 0,10 on top, leaving ${AFTER.shown}`)
    }
  })
}

/** norm makes a text's spaces plain (Intl puts a no-break space after "R$"). */
function norm(s) {
  return String(s).replace(/\s+/g, ' ').trim()
}
