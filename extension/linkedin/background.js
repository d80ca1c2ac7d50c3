// Posts a capture to CHATSPOT with the person's own token (set in the
// options page). Runs in the service worker: the request comes from the
// extension's origin, which CHATSPOT allows on the capture endpoint.
chrome.runtime.onMessage.addListener((msg, _sender, reply) => {
  if (msg?.type !== 'capture') return false
  chrome.storage.local.get(['server', 'token'], async ({ server, token }) => {
    if (!server || !token) {
      reply({ ok: false, error: 'Configure o endereço do CHATSPOT e o token nas opções da extensão.' })
      return
    }
    try {
      const res = await fetch(server.replace(/\/+$/, '') + '/api/v1/linkedin/captures', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
        body: JSON.stringify(msg.capture),
      })
      const body = await res.json().catch(() => ({}))
      if (res.ok) reply({ ok: true, body })
      else reply({ ok: false, error: `CHATSPOT recusou (${res.status}): ${body.detail || res.statusText}` })
    } catch (e) {
      reply({ ok: false, error: 'Não foi possível falar com o CHATSPOT: ' + e.message })
    }
  })
  return true // the reply comes later
})
