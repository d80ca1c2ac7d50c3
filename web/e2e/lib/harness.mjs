// A tiny sequential step runner and the waiting helpers the scenario uses
// (playwright-core has no `expect`).

export class StepError extends Error {}

/** Steps run in order; the first failure stops the run. */
export class Run {
  constructor({ onFailure } = {}) {
    this.results = []
    this.onFailure = onFailure
    this.failed = null
  }

  async step(name, fn) {
    if (this.failed) {
      this.results.push({ name, status: 'skipped', ms: 0 })
      return
    }
    const started = Date.now()
    process.stdout.write(`▶ ${name}\n`)
    try {
      await fn()
      const ms = Date.now() - started
      this.results.push({ name, status: 'pass', ms })
      process.stdout.write(`  ✔ pass (${fmt(ms)})\n`)
    } catch (err) {
      const ms = Date.now() - started
      this.failed = { name, err }
      this.results.push({ name, status: 'FAIL', ms, error: err })
      process.stdout.write(`  ✘ FAIL (${fmt(ms)}): ${firstLine(err)}\n`)
      if (this.onFailure) {
        try {
          await this.onFailure(name, err)
        } catch (e) {
          process.stdout.write(`  (while saving failure artifacts: ${firstLine(e)})\n`)
        }
      }
    }
  }

  summary() {
    const lines = ['', 'Summary:']
    for (const r of this.results) lines.push(`  ${r.status.padEnd(7)} ${fmt(r.ms).padStart(7)}  ${r.name}`)
    if (this.failed) {
      lines.push('', `FAILED at step "${this.failed.name}":`, String(this.failed.err?.stack || this.failed.err))
    }
    return lines.join('\n')
  }
}

export function fmt(ms) {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
}

function firstLine(err) {
  return String(err?.message || err).split('\n')[0]
}

/** fail throws a step failure with a plain message. */
export function fail(message) {
  throw new StepError(message)
}

/**
 * waitUntil polls fn until it returns a truthy value (returned) or the
 * timeout passes; then it fails with message (a string or a function of
 * the last value seen).
 */
export async function waitUntil(fn, { timeout = 30_000, interval = 250, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout
  let last
  let lastErr
  for (;;) {
    try {
      last = await fn()
      lastErr = undefined
      if (last) return last
    } catch (err) {
      lastErr = err
    }
    if (Date.now() > deadline) {
      const msg = typeof message === 'function' ? message(last) : message
      fail(`timed out after ${fmt(timeout)} waiting for ${msg}${lastErr ? ` (last error: ${firstLine(lastErr)})` : ''}`)
    }
    await new Promise((r) => setTimeout(r, interval))
  }
}

/** visible waits for a locator to be visible, failing with a readable message. */
export async function visible(locator, what, timeout = 30_000) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout })
  } catch (err) {
    fail(`${what} did not become visible within ${fmt(timeout)} (${firstLine(err)})`)
  }
  return locator.first()
}

/** hidden waits for every match of a locator to be gone or hidden. */
export async function hidden(locator, what, timeout = 30_000) {
  try {
    await locator.first().waitFor({ state: 'hidden', timeout })
  } catch (err) {
    fail(`${what} is still visible after ${fmt(timeout)} (${firstLine(err)})`)
  }
}

/**
 * openChannelCreate opens the new-channel dialog of Admin → Canais with a
 * kind chosen, failing with what is missing (the kind not listed, or not
 * creatable in the demo account's plan); it answers the dialog.
 */
export async function openChannelCreate(page, base, T, kindName) {
  await page.goto(`${base}/admin/channels`, { timeout: T.nav })
  await (await visible(page.getByTestId('channel-create-open'), 'the "Novo canal" button in the admin channels screen')).click()
  const dialog = await visible(page.getByTestId('channel-create-dialog'), 'the new channel dialog')
  const kind = dialog.getByTestId('channel-kind')
  const option = kind.locator(`option[value="${kindName}"]`)
  if (!(await option.count())) fail(`backend: GET /api/v1/channel-kinds lists no "${kindName}" kind`)
  if (await option.isDisabled()) fail(`the "${kindName}" kind cannot be created (${await option.getAttribute('data-choice')}): it must be available and in the demo account's plan`)
  await kind.selectOption(kindName)
  return dialog
}

// api calls CHATSPOT's API from the agent's page, with its session and
// CSRF token.
export async function api(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const csrf = document.cookie.split('; ').find((c) => c.startsWith('chatspot_csrf='))?.split('=')[1]
    const res = await fetch(path, { method, headers: { 'Content-Type': 'application/json', ...(csrf ? { 'X-CSRF-Token': decodeURIComponent(csrf) } : {}) },
      body: body ? JSON.stringify(body) : undefined })
    return { status: res.status, body: await res.json().catch(() => null) }
  }, { method, path, body })
}
