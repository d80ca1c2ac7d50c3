import { describe, expect, it } from 'vitest'
import { msg } from '../test/fakes'
import { EMAIL_CSP, EMAIL_CSP_REMOTE_IMAGES, emailSrcDoc, hasRemoteImages, normalizeSubject, subjectsToShow, threadSubject, withRemoteImages } from './emailLogic'

const MAIL =
  '<p>Olá, segue o pedido.</p><img data-remote-src="https://example.com/track.gif" width="1" height="1">' +
  '<p><img alt="logo" data-remote-src="http://cdn.loja.com/logo.png"> <img src="data:image/png;base64,iVBORw0KGgo=" alt="inline"></p>' +
  '<p>o texto data-remote-src=&#34;x&#34; fica como está</p>'

describe('e-mail subjects', () => {
  it('compares subjects without their reply and forward prefixes', () => {
    expect(normalizeSubject('Re: RES: Fwd:  Pedido   123')).toBe('pedido 123')
    expect(normalizeSubject('ENC: pedido 123')).toBe('pedido 123')
    expect(normalizeSubject('Re[2]: Pedido 123')).toBe('pedido 123')
    expect(normalizeSubject('Reembolso do pedido')).toBe('reembolso do pedido')
    expect(normalizeSubject(undefined)).toBe('')
  })

  it("shows the subject on each ticket's first mail and when it changes, not on replies to it", () => {
    const list = [
      msg({ id: 'w1', conversation_id: 'c-wa', body: 'oi pelo WhatsApp' }),
      msg({ id: 'e1', conversation_id: 'c-mail', subject: 'Pedido 123' }),
      msg({ id: 'e2', conversation_id: 'c-mail', direction: 'outbound', body: 'Já vejo' }),
      msg({ id: 'e3', conversation_id: 'c-mail', subject: 'Re: Pedido 123' }),
      msg({ id: 'e4', conversation_id: 'c-mail', subject: 'Pedido 123 — troca de endereço' }),
      msg({ id: 'f1', conversation_id: 'c-mail2', subject: 'Pedido 123 — troca de endereço' }),
      msg({ id: 'f2', conversation_id: 'c-mail2', subject: '  ' }),
    ]
    expect([...subjectsToShow(list)]).toEqual(['e1', 'e4', 'f1'])
  })

  it("takes the conversation's latest subject for the header", () => {
    const list = [
      msg({ conversation_id: 'c1', subject: 'Pedido 123' }),
      msg({ conversation_id: 'c1', subject: 'Re: Pedido 123' }),
      msg({ conversation_id: 'c1', direction: 'outbound', body: 'sem assunto' }),
      msg({ conversation_id: 'c2', subject: 'Outro assunto' }),
    ]
    expect(threadSubject(list, 'c1')).toBe('Re: Pedido 123')
    expect(threadSubject(list, 'c2')).toBe('Outro assunto')
    expect(threadSubject(list, 'c3')).toBeNull()
  })
})

describe("e-mail's full message", () => {
  it('finds the remote images the server kept from loading', () => {
    expect(hasRemoteImages(MAIL)).toBe(true)
    expect(hasRemoteImages(MAIL)).toBe(true) // the same answer twice (no regexp state left over)
    expect(hasRemoteImages('<p>nada</p><img src="data:image/png;base64,AAAA">')).toBe(false)
    expect(hasRemoteImages('<p>data-remote-src=&#34;x&#34;</p>')).toBe(false)
    expect(hasRemoteImages(undefined)).toBe(false)
  })

  it("puts the remote images' addresses back in src, only on images", () => {
    const out = withRemoteImages(MAIL)
    expect(out).not.toMatch(/<img[^>]*data-remote-src/)
    expect(out).toContain('<img src="https://example.com/track.gif" width="1" height="1">')
    expect(out).toContain('<img alt="logo" src="http://cdn.loja.com/logo.png">')
    expect(out).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline">')
    expect(out).toContain('o texto data-remote-src=&#34;x&#34; fica como está')
  })

  it('starts the document with a policy that loads nothing but data: images, remote ones once asked', () => {
    const doc = emailSrcDoc(MAIL)
    expect(doc.startsWith(`<meta http-equiv="Content-Security-Policy" content="${EMAIL_CSP}">`)).toBe(true)
    expect(EMAIL_CSP).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'")
    expect(doc).toContain('<meta name="referrer" content="no-referrer">')
    expect(doc).toContain('data-remote-src="https://example.com/track.gif"')
    expect(doc).not.toMatch(/<img[^>]*\ssrc="https?:/)

    const loaded = emailSrcDoc(MAIL, true)
    expect(loaded.startsWith(`<meta http-equiv="Content-Security-Policy" content="${EMAIL_CSP_REMOTE_IMAGES}">`)).toBe(true)
    expect(EMAIL_CSP_REMOTE_IMAGES).toBe("default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'")
    expect(loaded).toContain('<img src="https://example.com/track.gif"')
  })
})
