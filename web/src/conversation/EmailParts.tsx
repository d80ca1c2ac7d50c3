// The parts of a message that came by e-mail: its subject, the addresses
// copied, and the whole mail (HTML, with the quoted history) on demand, in a
// sandboxed frame where nothing runs and nothing loads unless asked.
import { useMemo, useState } from 'react'
import type { Message } from '../api/types'
import { useI18n } from '../i18n'
import { emailSrcDoc, hasRemoteImages } from './emailLogic'

export function EmailSubject({ subject }: { subject: string }) {
  return (
    <div className="bubble-subject" data-testid="message-subject" title={subject}>
      {subject}
    </div>
  )
}

export function EmailCc({ cc }: { cc: string[] }) {
  const { t } = useI18n()
  const list = cc.join(', ')
  return (
    <div className="bubble-cc muted" data-testid="message-cc" title={list}>
      {t('message.cc', { list })}
    </div>
  )
}

/** "Show full message": the mail's HTML in a frame without scripts, same origin or network (remote images on request). */
export function EmailFullMessage({ message: m, initiallyOpen = false }: { message: Pick<Message, 'id' | 'html'>; initiallyOpen?: boolean }) {
  const { t } = useI18n()
  const [open, setOpen] = useState(initiallyOpen)
  const [images, setImages] = useState(false)
  const html = m.html ?? ''
  const remote = useMemo(() => hasRemoteImages(html), [html])
  const srcDoc = useMemo(() => (open ? emailSrcDoc(html, images) : ''), [open, html, images])
  if (!html) return null
  return (
    <div className="email-full" data-testid="message-html-box" data-open={open ? 'true' : 'false'}>
      <div className="email-full-actions">
        <button
          type="button"
          className="btn btn-ghost btn-xs"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
          data-testid="message-html-toggle"
        >
          {open ? t('message.hideFull') : t('message.showFull')}
        </button>
        {open && remote && !images && (
          <button type="button" className="btn btn-ghost btn-xs" onClick={() => setImages(true)} data-testid="message-load-images">
            {t('message.loadImages')}
          </button>
        )}
      </div>
      {open && (
        <div className="email-frame-box">
          <iframe
            // a new frame when the images are let in: its policy is read once
            key={images ? 'with-images' : 'no-images'}
            className="email-frame"
            title={t('message.fullTitle')}
            sandbox=""
            referrerPolicy="no-referrer"
            srcDoc={srcDoc}
            data-testid="message-html"
            data-remote-images={images ? 'loaded' : remote ? 'blocked' : 'none'}
          />
        </div>
      )}
    </div>
  )
}
