// Starts `chatspot dev` as a child process on free ports, with a fresh data
// directory, and reads what it prints: the app URL, the demo admin's
// credentials and the webchat demo page.
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { access, constants, mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** freePort asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/**
 * startChatspot runs `<bin> dev` and resolves once it printed "Press Ctrl-C".
 * Every line it writes goes to logFile. The returned object's stop() ends
 * the process (SIGTERM, then SIGKILL) and removes the data directory.
 */
export async function startChatspot({ bin, logFile, startTimeoutMs = 240_000 }) {
  try {
    await access(bin, constants.X_OK)
  } catch {
    throw new Error(`chatspot binary not found or not executable: ${bin} (run \`make build\` first, or set CHATSPOT_BIN)`)
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'chatspot-e2e-'))
  const httpPort = await freePort()
  let temporalPort = await freePort()
  while (temporalPort === httpPort) temporalPort = await freePort()
  // The public URL is the address the browser uses: a provider's consent
  // screen sends the browser back to <public URL>/oauth/callback, which must
  // be the origin the agent's session cookie belongs to (the default,
  // http://localhost:<port>, is another origin than 127.0.0.1).
  const args = ['dev', '--data-dir', dataDir, '--http-addr', `127.0.0.1:${httpPort}`, '--base-url', `http://127.0.0.1:${httpPort}`,
    '--temporal-port', String(temporalPort), '--ui-port', '0']

  const log = createWriteStream(logFile)
  log.write(`$ ${bin} ${args.join(' ')}\n`)
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } })
  const tail = [] // the last lines, for failure reports
  let stdout = ''
  let exited = null
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal }
      log.write(`[exited: code ${code}, signal ${signal}]\n`)
      resolve(exited)
    })
  })
  const onLines = (stream, name) => {
    let buf = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk) => {
      log.write(chunk)
      if (name === 'stdout') stdout += chunk
      buf += chunk
      const lines = buf.split('\n')
      buf = lines.pop()
      for (const l of lines) {
        tail.push(`${name}: ${l}`)
        if (tail.length > 60) tail.shift()
      }
    })
  }
  onLines(child.stdout, 'stdout')
  onLines(child.stderr, 'stderr')

  let stopped = false
  async function stop() {
    if (stopped) return
    stopped = true
    if (!exited) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => { if (!exited) child.kill('SIGKILL') }, 15_000)
      await exitPromise
      clearTimeout(timer)
    }
    await new Promise((resolve) => log.end(resolve))
    await rm(dataDir, { recursive: true, force: true }).catch(() => {})
  }
  // If the runner dies unexpectedly, do not leave the server behind.
  const killOnExit = () => { if (!exited) child.kill('SIGKILL') }
  process.on('exit', killOnExit)

  const ready = await new Promise((resolve) => {
    const started = Date.now()
    const iv = setInterval(() => {
      if (stdout.includes('Press Ctrl-C')) { clearInterval(iv); resolve('ready') }
      else if (exited) { clearInterval(iv); resolve('exited') }
      else if (Date.now() - started > startTimeoutMs) { clearInterval(iv); resolve('timeout') }
    }, 100)
  })
  if (ready !== 'ready') {
    await stop()
    const why = ready === 'exited' ? `exited (code ${exited.code}, signal ${exited.signal})` : `did not print "Press Ctrl-C" within ${startTimeoutMs / 1000} s`
    throw new Error(`chatspot dev ${why}; last output:\n${tail.join('\n')}`)
  }

  const field = (label) => {
    const m = stdout.match(new RegExp(`^\\s*${label}:\\s*(\\S+)`, 'm'))
    return m ? m[1] : null
  }
  const info = {
    appUrl: field('App'),
    adminEmail: field('Admin login'),
    adminPassword: field('Admin password'),
    demoUrl: field('Webchat demo'),
  }
  const missing = ['adminEmail', 'adminPassword', 'demoUrl'].filter((k) => !info[k])
  if (missing.length) {
    await stop()
    throw new Error(`chatspot dev started but its output lacks ${missing.join(', ')}; it printed:\n${stdout}`)
  }
  return {
    ...info,
    base: `http://127.0.0.1:${httpPort}`,
    httpPort,
    temporalPort,
    dataDir,
    tail: () => tail.join('\n'),
    isRunning: () => !exited,
    stop,
  }
}
