// Reads what a LinkedIn page shows: the person of a profile page or of a
// messaging thread, and the thread's visible messages. Only what is on
// the screen when the person clicks; nothing is fetched or scrolled.
// LinkedIn's markup changes: each reader tries the current class names,
// then structure (the page's h1, links to /in/ profiles).
;(function () {
  const clean = (s) => (s || '').replace(/\s+/g, ' ').trim()

  /** profileURL: a link or path to a member profile, as https://www.linkedin.com/in/<slug>. */
  function profileURL(href, base) {
    try {
      const u = new URL(href, base || 'https://www.linkedin.com/')
      const m = u.pathname.match(/^\/in\/([^/]+)/)
      return m ? 'https://www.linkedin.com/in/' + decodeURIComponent(m[1]).toLowerCase() : ''
    } catch {
      return ''
    }
  }

  function text(root, selectors) {
    for (const sel of selectors) {
      const el = root.querySelector(sel)
      if (el && clean(el.textContent)) return clean(el.textContent)
    }
    return ''
  }

  /** readProfile reads a profile page (/in/<slug>/). */
  function readProfile(doc, location) {
    const url = profileURL(location.href)
    if (!url) return null
    const name = text(doc, ['main h1', 'h1.text-heading-xlarge', 'h1'])
    const headline = text(doc, ['main .text-body-medium.break-words', 'main [data-generated-suggestion-target]', 'main .pv-text-details__left-panel .text-body-medium'])
    let company = ''
    for (const el of doc.querySelectorAll('main [aria-label]')) {
      const m = (el.getAttribute('aria-label') || '').match(/^(?:Current company|Empresa atual|Empresa actual):\s*(.+?)(?:\.|$)/i)
      if (m) {
        company = clean(m[1])
        break
      }
    }
    if (!company) company = text(doc, ['main .pv-text-details__right-panel-item-text', 'main [data-field="experience_company_logo"] span[aria-hidden="true"]'])
    return name ? { url, name, headline, company } : null
  }

  /** readThread reads an open messaging thread (/messaging/thread/...). */
  function readThread(doc, location) {
    if (!/^\/messaging\//.test(location.pathname)) return null
    const header = doc.querySelector('.msg-thread__link-to-profile, .msg-entity-lockup a[href*="/in/"], .msg-overlay-bubble-header a[href*="/in/"]')
      || doc.querySelector('.msg-thread a[href*="/in/"], main a[href*="/in/"]')
    const url = header ? profileURL(header.getAttribute('href'), location.href) : ''
    if (!url) return null
    const name = text(doc, ['#thread-detail-jump-target', '.msg-entity-lockup__entity-title', '.msg-thread__link-to-profile h2', '.msg-thread__link-to-profile']) ||
      clean(header.textContent)
    const headline = text(doc, ['.msg-entity-lockup__entity-info', '.msg-thread__topcard-headline'])
    const messages = []
    let from = ''
    for (const ev of doc.querySelectorAll('.msg-s-message-list__event, .msg-s-message-list-content li')) {
      const link = ev.querySelector('.msg-s-message-group__profile-link, .msg-s-message-group__meta a[href*="/in/"]')
      if (link) from = profileURL(link.getAttribute('href'), location.href) === url ? 'contact' : 'me'
      const sender = ev.querySelector('.msg-s-message-group__name')
      if (!link && sender) from = clean(sender.textContent) === name ? 'contact' : 'me'
      const time = ev.querySelector('time[datetime]')
      for (const body of ev.querySelectorAll('.msg-s-event-listitem__body')) {
        const t = clean(body.textContent)
        if (t && from) messages.push({ from, text: t, at: time ? time.getAttribute('datetime') : '' })
      }
    }
    return { url, name, headline, company: '', messages }
  }

  /** capture is what the button sends: the thread on a messaging page, else the profile. */
  function capture(doc, location) {
    const thread = readThread(doc, location)
    if (thread) return { profile: { url: thread.url, name: thread.name, headline: thread.headline, company: thread.company }, messages: thread.messages }
    const p = readProfile(doc, location)
    return p ? { profile: p, messages: [] } : null
  }

  globalThis.chatspotParse = { profileURL, readProfile, readThread, capture }
})()
