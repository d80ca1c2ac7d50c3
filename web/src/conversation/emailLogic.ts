// Pure logic of e-mail messages: when a subject is worth showing, the
// thread's subject for the header, and the sandboxed document a mail's HTML
// is shown in (remote images off until the agent asks).
import type { Message } from '../api/types'

/** The policy of a mail's document: nothing loads but embedded (data:) images and inline styles. */
export const EMAIL_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
/** The same once the agent asked for the remote images. */
export const EMAIL_CSP_REMOTE_IMAGES = "default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'"

// "Re:", "RES:", "Fwd:", "Fw:", "Enc:", "TR:", "AW:", "WG:", "Sv:", "Ref.:" (any number of them, any case, "Re[2]:").
const REPLY_PREFIX = /^\s*(?:(?:re|res|fwd?|enc|tr|aw|wg|sv|ref\.?)(?:\s*\[\d+\])?\s*:\s*)+/i

/** A subject without its reply/forward prefixes, spaces folded, lower-cased: to tell whether it changed. */
export function normalizeSubject(subject: string | undefined | null): string {
  return (subject ?? '').replace(REPLY_PREFIX, '').replace(/\s+/g, ' ').trim().toLowerCase()
}

/**
 * The messages whose subject is shown above their body: the first message
 * with a subject in each ticket (conversation), and every later one whose
 * subject changed from the ticket's last one (a "Re:" does not count as a
 * change). Messages without a subject (notes, the agent's replies) leave
 * the last subject as it was.
 */
export function subjectsToShow(messages: readonly Message[]): Set<string> {
  const out = new Set<string>()
  let ticket: string | null = null
  let last: string | null = null
  for (const m of messages) {
    if (m.conversation_id !== ticket) {
      ticket = m.conversation_id
      last = null
    }
    if (!m.subject?.trim()) continue
    const s = normalizeSubject(m.subject)
    if (s !== last) out.add(m.id)
    last = s
  }
  return out
}

/** The conversation's subject: the latest one of its messages (null when none has one). */
export function threadSubject(messages: readonly Message[], conversationId: string): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (m.conversation_id === conversationId && m.subject?.trim()) return m.subject.trim()
  }
  return null
}

// An <img> whose remote src the server set aside (data-remote-src="…").
const REMOTE_IMAGE = /(<img\b[^>]*?\s)data-remote-src\s*=\s*(["'])/gi

/** The mail has remote images the server kept from loading. */
export function hasRemoteImages(html: string | undefined | null): boolean {
  REMOTE_IMAGE.lastIndex = 0
  return !!html && REMOTE_IMAGE.test(html)
}

/** The HTML with the remote images' addresses back in src. */
export function withRemoteImages(html: string): string {
  return html.replace(REMOTE_IMAGE, '$1src=$2')
}

/** Readable defaults for a mail without styles of its own (inline styles still win). */
const BASE_STYLE =
  'html{color-scheme:light}body{margin:8px;font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Arial,sans-serif;color:#1d2433;background:#fff;overflow-wrap:anywhere}' +
  'img{max-width:100%;height:auto}blockquote{margin:0 0 0 .6em;padding-left:.6em;border-left:3px solid #d0d5dd;color:#475467}pre{white-space:pre-wrap}table{max-width:100%}'

/**
 * The srcdoc of the sandboxed frame a mail is shown in. It starts with the
 * Content-Security-Policy (nothing loads but data: images, or remote images
 * too once asked for); no referrer is sent for what does load; links would
 * open outside the frame (the sandbox blocks them, nothing navigates it).
 */
export function emailSrcDoc(html: string, remoteImages = false): string {
  const csp = remoteImages ? EMAIL_CSP_REMOTE_IMAGES : EMAIL_CSP
  const body = remoteImages ? withRemoteImages(html) : html
  return (
    `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
    '<meta name="referrer" content="no-referrer">' +
    '<base target="_blank">' +
    `<style>${BASE_STYLE}</style>` +
    body
  )
}
