// The capture button on LinkedIn pages. LinkedIn is a single-page app:
// the button is kept on profile and messaging pages as routes change.
// Nothing is sent until the person clicks.
;(function () {
  const ID = 'chatspot-capture'
  const wanted = () => /^\/(in|messaging)\//.test(location.pathname)

  function say(box, msg, ok) {
    const out = box.querySelector('output')
    out.textContent = msg
    out.dataset.state = ok ? 'ok' : 'error'
  }

  function send(box, createCard) {
    const data = globalThis.chatspotParse.capture(document, location)
    if (!data) {
      say(box, 'Nada para capturar nesta página: abra um perfil ou uma conversa.', false)
      return
    }
    for (const b of box.querySelectorAll('button')) b.disabled = true
    say(box, 'Enviando…', true)
    chrome.runtime.sendMessage({ type: 'capture', capture: { ...data, create_card: createCard } }, (res) => {
      for (const b of box.querySelectorAll('button')) b.disabled = false
      if (!res) {
        say(box, 'A extensão não respondeu; recarregue a página.', false)
      } else if (res.ok) {
        const r = res.body
        say(box, `Enviado ao CHATSPOT: ${r.new_messages} mensagem(ns) nova(s)` + (r.card_created ? ', oportunidade criada' : r.card_id ? ', oportunidade já existente' : '') + '.', true)
      } else {
        say(box, res.error, false)
      }
    })
  }

  function mount() {
    const have = document.getElementById(ID)
    if (!wanted()) {
      if (have) have.remove()
      return
    }
    if (have) return
    const box = document.createElement('div')
    box.id = ID
    box.setAttribute('role', 'region')
    box.setAttribute('aria-label', 'CHATSPOT')
    box.style.cssText = 'position:fixed;right:16px;bottom:16px;z-index:2147483647;background:#fff;border:1px solid #c7c7c7;border-radius:8px;' +
      'padding:10px;box-shadow:0 2px 8px rgba(0,0,0,.2);font:14px system-ui,sans-serif;max-width:280px'
    const one = document.createElement('button')
    one.textContent = 'Enviar ao CHATSPOT'
    const two = document.createElement('button')
    two.textContent = 'Capturar + oportunidade'
    for (const b of [one, two]) b.style.cssText = 'margin:2px;padding:6px 10px;border-radius:16px;border:1px solid #0a66c2;background:#0a66c2;color:#fff;cursor:pointer'
    two.style.background = '#fff'
    two.style.color = '#0a66c2'
    one.addEventListener('click', () => send(box, false))
    two.addEventListener('click', () => send(box, true))
    const out = document.createElement('output')
    out.setAttribute('aria-live', 'polite')
    out.style.cssText = 'display:block;margin-top:6px'
    box.append(one, two, out)
    document.body.append(box)
  }

  mount()
  let last = location.href
  new MutationObserver(() => {
    if (location.href !== last) {
      last = location.href
      document.getElementById(ID)?.remove()
    }
    mount()
  }).observe(document.documentElement, { childList: true, subtree: true })
})()
