const $ = (id) => document.getElementById(id)
chrome.storage.local.get(['server', 'token'], ({ server, token }) => {
  if (server) $('server').value = server
  if (token) $('token').value = token
})
$('f').addEventListener('submit', (e) => {
  e.preventDefault()
  const server = $('server').value.trim().replace(/\/+$/, '')
  const token = $('token').value.trim()
  chrome.storage.local.set({ server, token }, () => {
    $('status').textContent = 'Salvo.'
  })
})
