// The LinkedIn part of the browser scenario, run by run.mjs last: the
// capture extension (extension/linkedin, Manifest V3) loaded unpacked in
// Debian's Chromium (headless=new, --load-extension), on LinkedIn pages
// saved as fixtures and served by the test for https://www.linkedin.com.
// The admin creates the LinkedIn channel (a CRM stage for opportunities)
// and the extension's token; in the extension's options the token is set;
// on the messaging page "Capturar + oportunidade" creates the contact, the
// conversation with both sides' messages and the card; capturing the
// profile again adds nothing new. See e2e/README.md.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { chromium } from 'playwright-core'

import { api, fail, visible, waitUntil } from './harness.mjs'

const EXTENSION_ID = 'fkhoahfemdmpmhjiomhbikigbfgfoeep' // from the manifest's key
const PROFILE = 'https://www.linkedin.com/in/joana-prado-42'

export async function linkedinSteps(run, { agent, base, repo, chromiumPath, T }) {
  const state = {}
  await run.step('36. LinkedIn: the admin creates the channel and the extension\'s token', async () => {
    const page = agent()
    const pipe = await api(page, 'POST', '/api/v1/pipelines', { name: 'Prospecção LinkedIn', stages: ['Lead', 'Reunião'] })
    if (pipe.status !== 201) fail(`pipeline: ${pipe.status} ${JSON.stringify(pipe.body)}`)
    state.stage = pipe.body.stages[0].id
    state.pipeline = pipe.body.id
    const ch = await api(page, 'POST', '/api/v1/channels', { kind: 'linkedin', name: 'LinkedIn', settings: { pipeline_id: pipe.body.id, stage_id: state.stage } })
    if (ch.status !== 201) fail(`channel: ${ch.status} ${JSON.stringify(ch.body)}`)
    if (ch.body.extension_id !== EXTENSION_ID) fail(`the channel names extension ${ch.body.extension_id}, the manifest's key gives ${EXTENSION_ID}`)
    state.channel = ch.body.id
    const tok = await api(page, 'POST', '/api/v1/linkedin/token')
    if (tok.status !== 201 || !tok.body.token) fail(`token: ${tok.status} ${JSON.stringify(tok.body)}`)
    state.token = tok.body.token
  })

  let ctx = null
  try {
    await run.step('37. LinkedIn: the extension captures a conversation, its messages and an opportunity', async () => {
      const dir = path.join(repo, 'extension', 'linkedin')
      ctx = await chromium.launchPersistentContext('', {
        executablePath: chromiumPath, headless: true, locale: 'pt-BR',
        args: ['--headless=new', `--disable-extensions-except=${dir}`, `--load-extension=${dir}`, '--no-sandbox', '--no-first-run', '--disable-gpu'],
        timeout: T.nav,
      })
      const fixtures = path.join(repo, 'web', 'e2e', 'fixtures', 'linkedin')
      await ctx.route('https://www.linkedin.com/**', async (route) => {
        const p = new URL(route.request().url()).pathname
        const file = p.startsWith('/messaging/') ? 'thread.html' : p.startsWith('/in/') ? 'profile.html' : ''
        if (!file) return route.fulfill({ status: 404, body: 'not in the fixtures' })
        return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: await readFile(path.join(fixtures, file)) })
      })
      const options = await ctx.newPage()
      await options.goto(`chrome-extension://${EXTENSION_ID}/options.html`, { timeout: T.nav })
      await options.locator('#server').fill(base)
      await options.locator('#token').fill(state.token)
      await options.getByRole('button', { name: 'Salvar' }).click()
      await visible(options.getByText('Salvo.'), 'the options saved')

      const li = await ctx.newPage()
      await li.goto('https://www.linkedin.com/messaging/thread/2-YTJhNjQ1/', { timeout: T.nav })
      const box = li.locator('#chatspot-capture')
      await visible(box, 'the extension\'s capture button on the messaging page')
      await box.getByRole('button', { name: 'Capturar + oportunidade' }).click()
      await waitUntil(async () => /Enviado ao CHATSPOT: 3 mensagem\(ns\) nova\(s\), oportunidade criada/.test(await box.locator('output').innerText()),
        { timeout: T.ui, message: 'the extension to report the capture stored (3 new messages, an opportunity)' })

      const page = agent()
      const convs = (await api(page, 'GET', '/api/v1/conversations?status=open')).body
      const conv = (convs?.items || []).find((c) => c.channel?.id === state.channel)
      if (!conv) fail(`no LinkedIn conversation listed: ${JSON.stringify(convs).slice(0, 400)}`)
      const thread = (await api(page, 'GET', `/api/v1/conversations/${conv.id}/thread`)).body
      if (thread?.kind !== 'profile' || thread.title !== 'Joana Prado' || thread.link !== PROFILE) fail(`thread card ${JSON.stringify(thread)}`)
      const board = (await api(page, 'GET', `/api/v1/pipelines/${state.pipeline}/board`)).body
      if (!JSON.stringify(board).includes('Joana Prado')) fail(`no card "Joana Prado" on the board: ${JSON.stringify(board).slice(0, 400)}`)

      // The profile page: the same person, nothing new.
      await li.goto(`${PROFILE}/`, { timeout: T.nav })
      await visible(box, 'the capture button on the profile page')
      await box.getByRole('button', { name: 'Enviar ao CHATSPOT' }).click()
      await waitUntil(async () => /Enviado ao CHATSPOT: 0 mensagem\(ns\) nova\(s\)/.test(await box.locator('output').innerText()),
        { timeout: T.ui, message: 'the profile capture to add nothing new' })
      const ch = (await api(page, 'GET', `/api/v1/channels/${state.channel}`)).body
      if (!ch?.first_capture_at) fail(`the channel shows no first capture: ${JSON.stringify(ch)}`)
    })
  } finally {
    await ctx?.close().catch(() => {})
  }
}
