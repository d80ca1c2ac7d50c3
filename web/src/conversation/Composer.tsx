import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { ChangeEvent, KeyboardEvent } from 'react'
import type { SendMessageInput } from '../api/client'
import { ApiError } from '../api/client'
import type { AssistOperation, AssistRequest, AssistResponse, Attachment, Message, QuickReply, SendQuote } from '../api/types'
import { hasKey, useI18n } from '../i18n'
import { errorText, formatBRL } from '../format'
import {
  ASSIST_OPERATIONS,
  EMOJI,
  applyQuickReply,
  assistChoices,
  assistNeedsDraft,
  assistRequest,
  canSend,
  draftStore,
  insertAtCaret,
  isPaymentRequired,
  keyForSend,
  QUOTE_DEBOUNCE_MS,
  textLimit,
  matchQuickReplies,
  quickReplyQuery,
} from './composerLogic'
import type { PendingSend, SendIntent } from './composerLogic'
import { firstLine, formatSize } from './messageLogic'
import { sendKind } from './commentLogic'
import type { ReplyMode } from './commentLogic'
import { isWindowClosed } from '../templates/templateLogic'
import { TemplatePicker } from './TemplatePicker'
import type { TemplateOptions } from './TemplatePicker'

export interface ComposerProps {
  conversationId: string
  quickReplies: QuickReply[]
  send: (input: SendMessageInput, idempotencyKey: string) => Promise<Message>
  upload?: (file: File) => Promise<Attachment>
  onSent?: (m: Message) => void
  /** AI Assist; the "IA" button shows only when given (see canUseAssist). It never sends. */
  assist?: (input: AssistRequest, signal: AbortSignal) => Promise<AssistResponse>
  /** Message templates: the "Template" button shows only when given (the channel's kind has capabilities.templates). */
  templates?: TemplateOptions
  /** A post's comments: the composer answers publicly (a comment, the default) or privately (Direct). */
  comments?: CommentReplyOptions
  /**
   * A listing's questions (capabilities.questions, Mercado Livre): every
   * answer is public on the listing and answers one question, the one picked
   * on its bubble (replyTo), else the latest.
   */
  questions?: CommentReplyOptions
  /** The longest text the channel takes (capabilities.max_text): a counter counts down to it and a longer text is not sent; 0 or absent: no limit known. */
  maxText?: number
  /**
   * A metered channel (capabilities.metered, SMS): what the typed text would
   * cost (segments, price, balance), asked ~300 ms after the agent stops
   * typing; never for a private note. Absent: nothing is quoted.
   */
  quote?: (text: string, signal: AbortSignal) => Promise<SendQuote>
  /**
   * Replies are written on the provider's own site, by the person
   * (capabilities.external_replies, LinkedIn): only private notes are sent
   * from here, with a notice saying where to answer. Absent: a plain chat.
   */
  externalReplies?: ExternalRepliesOptions
}

export interface ExternalRepliesOptions {
  /** the channel's kind: "composer.externalReplies.<kind>" says it in its own words when it exists */
  kind: string
  /** the kind's name, for the general notice */
  label: string
}

export interface CommentReplyOptions {
  /** The comment the next send answers (a bubble's "Responder"); null: the server answers the latest comment. */
  replyTo: Message | null
  /** Forget the comment answered (the agent cancelled, or the answer was sent). */
  onClearReply: () => void
  /** The commenter's name, to say whom the answer is for. */
  contactName: string
}

type AssistState =
  | { phase: 'idle' }
  | { phase: 'loading'; op: AssistOperation }
  | { phase: 'done'; op: AssistOperation; suggestion: string }
  | { phase: 'error'; op: AssistOperation; detail: string; retryAfter: number | null }

interface Upload {
  localId: string
  name: string
  size: number
  attachment: Attachment | null
  error: string | null
}

let uploadSeq = 0

export function Composer({
  conversationId,
  quickReplies,
  send,
  upload,
  onSent,
  assist,
  templates: templateOptions,
  comments,
  questions,
  maxText,
  quote,
  externalReplies,
}: ComposerProps) {
  const { t, lang } = useI18n()
  const saved = draftStore.get(conversationId)
  const [text, setText] = useState(saved.text)
  const [noteOn, setNote] = useState(saved.note)
  // replies written elsewhere (LinkedIn): every send here is a private note, and no template goes out
  const notesOnly = !!externalReplies
  const note = notesOnly || noteOn
  const templates = notesOnly ? undefined : templateOptions
  const externalKey: string = `composer.externalReplies.${externalReplies?.kind ?? ''}`
  const [mode, setMode] = useState<ReplyMode>(saved.mode ?? 'public')
  const [uploads, setUploads] = useState<Upload[]>([])
  const [sending, setSending] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // the last free-text send was refused because the 24 h window is closed
  const [windowClosed, setWindowClosed] = useState(false)
  // the last send was refused with 402: the prepaid balance cannot pay it
  const [paymentRequired, setPaymentRequired] = useState(false)
  const [quoted, setQuoted] = useState<SendQuote | null>(null)
  const quoteRef = useRef(quote)
  quoteRef.current = quote
  const [templateOpen, setTemplateOpen] = useState(false)
  const [qrIndex, setQrIndex] = useState(0)
  const [qrDismissed, setQrDismissed] = useState(false)
  const [emojiOpen, setEmojiOpen] = useState(false)
  const pending = useRef<PendingSend | null>(saved.pending)
  const textarea = useRef<HTMLTextAreaElement>(null)
  const fileInput = useRef<HTMLInputElement>(null)
  const caretAfterRender = useRef<number | null>(null)
  const [caretTick, setCaretTick] = useState(0)
  const [aiMenuOpen, setAiMenuOpen] = useState(false)
  const [aiChoosing, setAiChoosing] = useState<AssistOperation | null>(null)
  const [ai, setAi] = useState<AssistState>({ phase: 'idle' })
  const aiAbort = useRef<AbortController | null>(null)

  // A suggestion in flight is dropped when the composer goes away (another conversation).
  useEffect(() => () => aiAbort.current?.abort(), [])

  // A metered channel: quote what would be sent (the trimmed text), once the
  // agent pauses; a note never leaves CHATSPOT and costs nothing.
  const quoteText = quote && !note ? text.trim() : ''
  const quoting = !!quote
  useEffect(() => {
    if (!quoting || quoteText === '') {
      setQuoted(null)
      return
    }
    const ctrl = new AbortController()
    const timer = setTimeout(() => {
      const ask = quoteRef.current
      if (!ask) return
      ask(quoteText, ctrl.signal).then(
        (q) => {
          if (!ctrl.signal.aborted) setQuoted(q.metered ? q : null)
        },
        () => {
          // no quote (the line goes away); the send itself still says what is wrong
          if (!ctrl.signal.aborted) setQuoted(null)
        },
      )
    }, QUOTE_DEBOUNCE_MS)
    return () => {
      clearTimeout(timer)
      ctrl.abort()
    }
  }, [quoting, quoteText])

  // A private note is never a template: the picker closes when the note toggle goes on.
  useEffect(() => {
    if (note) setTemplateOpen(false)
  }, [note])

  // Keep the draft when the agent switches to another conversation and back.
  const hasComments = !!comments
  useEffect(() => {
    draftStore.set(conversationId, { text, note, pending: pending.current, mode: hasComments ? mode : undefined })
  }, [conversationId, text, note, sending, mode, hasComments])

  // Answering a comment or a question: the agent types next.
  const answerTo = comments ?? questions
  const replyToId = answerTo?.replyTo?.id
  useEffect(() => {
    if (replyToId) textarea.current?.focus()
  }, [replyToId])

  useLayoutEffect(() => {
    const el = textarea.current
    if (el && caretAfterRender.current != null) {
      el.focus()
      el.setSelectionRange(caretAfterRender.current, caretAfterRender.current)
      caretAfterRender.current = null
    }
    // Grow with the text, up to the CSS max-height.
    if (el) {
      el.style.height = 'auto'
      el.style.height = `${el.scrollHeight}px`
    }
  }, [text, caretTick])

  const query = quickReplyQuery(text)
  const qrOpen = query !== null && !qrDismissed && quickReplies.length > 0
  const matches = qrOpen ? matchQuickReplies(quickReplies, query ?? '') : []
  const activeIndex = Math.min(qrIndex, Math.max(0, matches.length - 1))
  const uploading = uploads.some((u) => !u.attachment && !u.error)
  const readyIds = uploads.flatMap((u) => (u.attachment ? [u.attachment.id] : []))
  const replyMode = comments ? mode : null
  const kind = sendKind(note, replyMode)
  // a public answer (a comment on the post, an answer on the listing): text only
  const publicAnswer = kind === 'comment' || (!!questions && kind !== 'note')
  const filesRefused = publicAnswer && uploads.length > 0
  const limit = textLimit(text, maxText, note)
  const tooLong = limit.over > 0
  const sendable = canSend(text, readyIds.length) && !uploading && !filesRefused && !tooLong
  const count = (n: number) => n.toLocaleString(lang)
  const placeholder = note
    ? t('composer.notePlaceholder')
    : questions
      ? t('composer.questionPlaceholder')
      : replyMode === 'public'
      ? t('composer.publicPlaceholder')
      : replyMode === 'private'
        ? t('composer.privatePlaceholder')
        : t('composer.placeholder')

  function changeText(next: string) {
    setText(next)
    if (quickReplyQuery(next) === null) setQrDismissed(false)
    setQrIndex(0)
    if (error) setError(null)
    setWindowClosed(false)
    setPaymentRequired(false)
  }

  function pickQuickReply(r: QuickReply) {
    const edit = applyQuickReply(r)
    caretAfterRender.current = edit.caret
    setText(edit.text)
    setQrDismissed(false)
  }

  function insertEmoji(emoji: string) {
    const el = textarea.current
    const start = el?.selectionStart ?? text.length
    const end = el?.selectionEnd ?? text.length
    const edit = insertAtCaret(text, start, end, emoji)
    caretAfterRender.current = edit.caret
    setText(edit.text)
    setEmojiOpen(false)
  }

  async function runAssist(op: AssistOperation, choice?: string) {
    if (!assist) return
    setAiMenuOpen(false)
    setAiChoosing(null)
    aiAbort.current?.abort()
    const ctrl = new AbortController()
    aiAbort.current = ctrl
    setAi({ phase: 'loading', op })
    try {
      const res = await assist(assistRequest(op, text, choice), ctrl.signal)
      if (ctrl.signal.aborted) return
      setAi({ phase: 'done', op, suggestion: res.suggestion })
    } catch (err) {
      if (ctrl.signal.aborted) return
      const retryAfter = err instanceof ApiError ? err.retryAfter : null
      setAi({ phase: 'error', op, detail: errorText(err, t), retryAfter })
    } finally {
      if (aiAbort.current === ctrl) aiAbort.current = null
    }
  }

  function cancelAssist() {
    aiAbort.current?.abort()
    aiAbort.current = null
    setAi({ phase: 'idle' })
  }

  function onAiButton() {
    if (ai.phase === 'loading') {
      cancelAssist()
      return
    }
    setAiChoosing(null)
    setAiMenuOpen((o) => !o)
    setEmojiOpen(false)
  }

  function openTemplates() {
    setTemplateOpen(true)
    setEmojiOpen(false)
    setAiMenuOpen(false)
  }

  function templateSent(m: Message) {
    setTemplateOpen(false)
    setError(null)
    setWindowClosed(false)
    onSent?.(m)
  }

  function pickAiOp(op: AssistOperation) {
    if (assistChoices(op)) setAiChoosing(op)
    else void runAssist(op)
  }

  /** Accept and Edit both put the suggestion in the box (nothing is sent) and focus it, caret at the end. */
  function takeSuggestion() {
    if (ai.phase !== 'done') return
    caretAfterRender.current = ai.suggestion.length
    changeText(ai.suggestion)
    setCaretTick((n) => n + 1)
    setAi({ phase: 'idle' })
  }

  async function submit() {
    if (sending || uploading || filesRefused || tooLong) return
    const body = text.trim()
    if (!canSend(body, readyIds.length)) return
    const answering = kind !== 'note' ? replyToId : undefined
    const intent: SendIntent = { conversationId, body, kind, attachmentIds: readyIds, replyToId: answering }
    const attempt = keyForSend(pending.current, intent)
    pending.current = attempt
    setSending(true)
    setError(null)
    try {
      const input: SendMessageInput = { body, kind }
      if (readyIds.length) input.attachment_ids = readyIds
      if (answering) input.reply_to_id = answering
      const message = await send(input, attempt.key)
      pending.current = null
      if (answering) answerTo?.onClearReply()
      // Clear what was sent, not what the agent typed meanwhile.
      setText((current) => (current.trim() === body ? '' : current))
      setUploads((list) => list.filter((u) => !u.attachment || !readyIds.includes(u.attachment.id)))
      onSent?.(message)
    } catch (err) {
      setError(t('composer.notSent', { detail: errorText(err, t) }))
      setWindowClosed(isWindowClosed(err))
      const refused = isPaymentRequired(err)
      setPaymentRequired(refused)
      // the refusal says what the balance is now
      const balance = refused && err instanceof ApiError ? err.problem.balance_cents : undefined
      if (typeof balance === 'number') setQuoted((q) => (q ? { ...q, balance_cents: balance } : q))
    } finally {
      setSending(false)
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.nativeEvent.isComposing) return
    if (qrOpen) {
      if (e.key === 'Escape') {
        e.preventDefault()
        setQrDismissed(true)
        return
      }
      if (matches.length > 0) {
        if (e.key === 'ArrowDown') {
          e.preventDefault()
          setQrIndex((activeIndex + 1) % matches.length)
          return
        }
        if (e.key === 'ArrowUp') {
          e.preventDefault()
          setQrIndex((activeIndex - 1 + matches.length) % matches.length)
          return
        }
        if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
          e.preventDefault()
          pickQuickReply(matches[activeIndex])
          return
        }
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault()
      void submit()
    }
  }

  async function onFiles(e: ChangeEvent<HTMLInputElement>) {
    const files = Array.from(e.target.files ?? [])
    e.target.value = ''
    if (!upload) return
    for (const file of files) {
      const localId = `u${++uploadSeq}`
      setUploads((list) => [...list, { localId, name: file.name, size: file.size, attachment: null, error: null }])
      try {
        const attachment = await upload(file)
        setUploads((list) => list.map((u) => (u.localId === localId ? { ...u, attachment } : u)))
      } catch (err) {
        const msg = t('composer.uploadFailed', { name: file.name, detail: errorText(err, t) })
        setUploads((list) => list.map((u) => (u.localId === localId ? { ...u, error: msg } : u)))
      }
    }
  }

  return (
    <div className={`composer ${note ? 'composer-note' : publicAnswer ? 'composer-public' : ''}`} data-testid="composer">
      {qrOpen && (
        <div className="popover quick-replies" data-testid="quick-replies">
          <div className="popover-title">{t('composer.quickReplies')}</div>
          {matches.length === 0 ? (
            <p className="empty">{t('composer.noQuickReplies')}</p>
          ) : (
            <ul role="listbox" aria-label={t('composer.quickReplies')}>
              {matches.map((r, i) => (
                <li
                  key={r.id}
                  role="option"
                  aria-selected={i === activeIndex}
                  className={i === activeIndex ? 'is-active' : ''}
                  data-testid="quick-reply-option"
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseEnter={() => setQrIndex(i)}
                  onClick={() => pickQuickReply(r)}
                >
                  <strong>/{r.shortcut.replace(/^\//, '')}</strong>
                  <span>{r.text}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      {emojiOpen && (
        <div className="popover emoji-picker" data-testid="emoji-picker" role="dialog" aria-label={t('composer.emoji')}>
          {EMOJI.map((em) => (
            <button
              key={em}
              type="button"
              className="emoji"
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => insertEmoji(em)}
            >
              {em}
            </button>
          ))}
        </div>
      )}

      {assist && aiMenuOpen && (
        <div className="popover ai-menu" data-testid="ai-menu" role="menu" aria-label={t('ai.label')}>
          {aiChoosing ? (
            <>
              <div className="popover-title">{t(aiChoosing === 'translate' ? 'ai.translateTo' : 'ai.adjustFor')}</div>
              {assistChoices(aiChoosing)!.map((c) => {
                const key = `ai.choice.${c}`
                return (
                  <button
                    key={c}
                    type="button"
                    role="menuitem"
                    className="ai-menu-item"
                    data-testid="ai-choice"
                    data-value={c}
                    onClick={() => void runAssist(aiChoosing, c)}
                  >
                    {hasKey(key) ? t(key) : c}
                  </button>
                )
              })}
              <button type="button" className="ai-menu-item ai-menu-back" onClick={() => setAiChoosing(null)}>
                ← {t('ai.back')}
              </button>
            </>
          ) : (
            <>
              <div className="popover-title">{t('ai.label')}</div>
              {ASSIST_OPERATIONS.map((op) => {
                const blocked = assistNeedsDraft(op) && text.trim() === ''
                return (
                  <button
                    key={op}
                    type="button"
                    role="menuitem"
                    className="ai-menu-item"
                    data-testid="ai-op"
                    data-op={op}
                    disabled={blocked}
                    title={blocked ? t('ai.needsDraft') : undefined}
                    onClick={() => pickAiOp(op)}
                  >
                    {t(`ai.op.${op}`)}
                    {assistChoices(op) ? ' …' : ''}
                  </button>
                )
              })}
              {text.trim() === '' && <p className="ai-menu-hint muted">{t('ai.needsDraft')}</p>}
            </>
          )}
        </div>
      )}

      {assist && ai.phase !== 'idle' && (
        <div className="ai-panel" data-testid="ai-panel" aria-live="polite">
          <div className="ai-panel-title">
            {t('ai.panelTitle')} · {t(`ai.op.${ai.op}`)}
          </div>
          {ai.phase === 'loading' && (
            <div className="ai-panel-body ai-working">
              <span className="spinner" aria-hidden="true" /> {t('ai.working')}
              <button type="button" className="btn btn-ghost btn-sm" data-testid="ai-cancel" onClick={cancelAssist}>
                {t('ai.cancel')}
              </button>
            </div>
          )}
          {ai.phase === 'error' && (
            <>
              <div className="ai-panel-body ai-error" role="alert" data-testid="ai-error">
                {ai.detail}
                {ai.retryAfter != null && <> {t('ai.retryAfter', { seconds: ai.retryAfter })}</>}
              </div>
              <div className="ai-panel-actions">
                <button type="button" className="btn btn-ghost btn-sm" data-testid="ai-discard" onClick={() => setAi({ phase: 'idle' })}>
                  {t('ai.close')}
                </button>
              </div>
            </>
          )}
          {ai.phase === 'done' && (
            <>
              <div className="ai-panel-body ai-suggestion" data-testid="ai-suggestion">
                {ai.suggestion}
              </div>
              <div className="ai-panel-actions">
                <span className="ai-panel-hint muted hide-xs">{t('ai.neverSends')}</span>
                <button type="button" className="btn btn-primary btn-sm" data-testid="ai-accept" onClick={takeSuggestion}>
                  {t('ai.accept')}
                </button>
                <button type="button" className="btn btn-ghost btn-sm" data-testid="ai-edit" onClick={takeSuggestion}>
                  {t('ai.edit')}
                </button>
                <button type="button" className="btn btn-ghost btn-sm" data-testid="ai-discard" onClick={() => setAi({ phase: 'idle' })}>
                  {t('ai.discard')}
                </button>
              </div>
            </>
          )}
        </div>
      )}

      {externalReplies && (
        <p className="composer-external" role="note" data-testid="composer-external-replies" data-kind={externalReplies.kind}>
          {hasKey(externalKey) ? t(externalKey) : t('composer.externalReplies', { provider: externalReplies.label })}
        </p>
      )}

      {comments && <ReplyModeToggle mode={mode} onMode={setMode} disabled={note} />}

      {answerTo?.replyTo && !note && (
        <div className="composer-reply-to" data-testid="composer-reply-to" data-reply-to={answerTo.replyTo.id}>
          <div className="reply-quote">
            <span className="reply-quote-author">{t('composer.replyingTo', { name: answerTo.contactName })}</span>
            <span className="reply-quote-text">{firstLine(answerTo.replyTo.body)}</span>
          </div>
          <button type="button" className="chip-x" aria-label={t('composer.cancelReply')} title={t('composer.cancelReply')} data-testid="composer-cancel-reply" onClick={answerTo.onClearReply}>
            ×
          </button>
        </div>
      )}

      {filesRefused && (
        <p className="composer-files-refused" data-testid="composer-files-refused">
          {t(questions ? 'composer.noFilesInAnswer' : 'composer.noFilesInPublic')}
        </p>
      )}

      {tooLong && (
        <p className="composer-too-long" role="alert" data-testid="composer-too-long">
          {t('composer.tooLong', { max: count(limit.max), over: count(limit.over) })}
        </p>
      )}

      {uploads.length > 0 && (
        <ul className="composer-uploads">
          {uploads.map((u) => (
            <li key={u.localId} className={`upload-chip ${u.error ? 'is-error' : ''}`} data-testid="composer-attachment">
              <span>
                📎 {u.error ?? (u.attachment ? `${u.name} (${formatSize(u.size)})` : t('composer.uploading', { name: u.name }))}
              </span>
              <button
                type="button"
                className="chip-x"
                aria-label={t('composer.removeAttachment', { name: u.name })}
                onClick={() => setUploads((list) => list.filter((x) => x.localId !== u.localId))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}

      {templates && templateOpen && (
        <TemplatePicker conversationId={conversationId} options={templates} onSent={templateSent} onClose={() => setTemplateOpen(false)} />
      )}

      {error && (
        <div className="composer-error" role="alert" data-testid="composer-error">
          {error}
          {windowClosed && (
            <span className="composer-window-hint" data-testid="composer-window-closed">
              {' '}
              {templates ? t('composer.windowClosed') : t('composer.windowClosedNoTemplates')}
              {templates && !templateOpen && !note && (
                <button type="button" className="btn btn-primary btn-sm" onClick={openTemplates} data-testid="composer-template-hint">
                  {t('composer.template.open')}
                </button>
              )}
            </span>
          )}
          {paymentRequired && (
            <span className="composer-window-hint" data-testid="composer-payment-required">
              {' '}
              {t('composer.paymentRequired')}
            </span>
          )}
        </div>
      )}

      <div className="composer-box">
        <textarea
          ref={textarea}
          data-testid="composer-input"
          rows={1}
          value={text}
          placeholder={placeholder}
          aria-label={placeholder}
          onChange={(e) => changeText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <div className="composer-actions">
          <div className="composer-tools">
            <button
              type="button"
              className={`btn btn-ghost btn-sm note-toggle ${note ? 'is-on' : ''}`}
              aria-pressed={note}
              disabled={notesOnly}
              title={notesOnly ? t('composer.notesOnly') : undefined}
              data-testid="composer-note-toggle"
              onClick={() => setNote((n) => !n)}
            >
              🔒 <span className="hide-xs">{t('composer.note')}</span>
            </button>
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              aria-expanded={emojiOpen}
              aria-label={t('composer.emoji')}
              title={t('composer.emoji')}
              data-testid="composer-emoji"
              onClick={() => {
                setEmojiOpen((o) => !o)
                setAiMenuOpen(false)
              }}
            >
              😊
            </button>
            {upload && (
              <>
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  aria-label={t('composer.attach')}
                  title={publicAnswer ? t(questions ? 'composer.noFilesInAnswer' : 'composer.noFilesInPublic') : t('composer.attach')}
                  disabled={publicAnswer}
                  data-testid="composer-attach"
                  onClick={() => fileInput.current?.click()}
                >
                  📎
                </button>
                <input ref={fileInput} type="file" multiple hidden data-testid="composer-file" onChange={onFiles} />
              </>
            )}
            {assist && (
              <button
                type="button"
                className={`btn btn-ghost btn-sm ai-button ${ai.phase === 'loading' ? 'is-loading' : ''}`}
                aria-expanded={aiMenuOpen}
                aria-busy={ai.phase === 'loading'}
                aria-label={ai.phase === 'loading' ? t('ai.cancel') : t('ai.label')}
                title={ai.phase === 'loading' ? t('ai.cancel') : t('ai.label')}
                data-testid="ai-button"
                onClick={onAiButton}
              >
                {ai.phase === 'loading' && <span className="spinner" aria-hidden="true" />}
                {t('ai.button')}
              </button>
            )}
            {templates && (
              <button
                type="button"
                className={`btn btn-ghost btn-sm template-button ${templateOpen ? 'is-on' : ''}`}
                aria-expanded={templateOpen}
                title={note ? t('composer.template.notInNote') : t('composer.template.title')}
                disabled={note}
                data-testid="composer-template"
                onClick={() => (templateOpen ? setTemplateOpen(false) : openTemplates())}
              >
                📋 <span className="hide-xs">{t('composer.template.button')}</span>
              </button>
            )}
            <span className="composer-hint hide-xs">{t('composer.hint')}</span>
          </div>
          {limit.max > 0 && (
            <span
              className={`composer-counter${tooLong ? ' is-over' : limit.remaining <= limit.max / 10 ? ' is-near' : ''}`}
              data-testid="composer-counter"
              data-remaining={limit.remaining}
              data-over={tooLong ? 'true' : 'false'}
              title={t('composer.counterTitle', { max: count(limit.max) })}
              aria-live="polite"
            >
              {tooLong ? t('composer.charsOver', { n: count(limit.over) }) : t('composer.charsLeft', { n: count(limit.remaining) })}
            </span>
          )}
          <button
            type="button"
            className={`btn ${note ? 'btn-note' : 'btn-primary'}`}
            data-testid="composer-send"
            disabled={!sendable || sending}
            onClick={() => void submit()}
          >
            {sending ? t('composer.sending') : note ? t('composer.sendNote') : t('composer.send')}
          </button>
        </div>
      </div>

      {quoted && !note && <QuoteLine quote={quoted} />}
    </div>
  )
}

/** "2 segmentos · R$ 0,18 · saldo R$ 123,45", a warning when the balance cannot pay it, and why accents cost more. */
function QuoteLine({ quote: q }: { quote: SendQuote }) {
  const { t, lang } = useI18n()
  const short = q.cents > q.balance_cents
  const segments = q.units === 1 ? t('composer.quote.segment') : t('composer.quote.segments', { n: q.units.toLocaleString(lang) })
  return (
    <div
      className={`composer-quote${short ? ' is-short' : ''}`}
      data-testid="composer-quote"
      data-units={q.units}
      data-encoding={q.encoding}
      data-short={short ? 'true' : 'false'}
      title={t('composer.quote.title', { characters: q.characters.toLocaleString(lang), unit: formatBRL(q.unit_cents, lang) })}
      aria-live="polite"
    >
      <span data-testid="composer-quote-line">
        {t('composer.quote.line', { segments, cost: formatBRL(q.cents, lang), balance: formatBRL(q.balance_cents, lang) })}
      </span>
      {short && (
        <span className="composer-quote-short" role="alert" data-testid="composer-quote-short">
          {' '}
          ⚠ {t('composer.quote.insufficient')}
        </span>
      )}
      {q.encoding === 'ucs2' && (
        <span className="composer-quote-hint" data-testid="composer-quote-ucs2">
          {t('composer.quote.ucs2')}
        </span>
      )}
    </div>
  )
}

/** Public (a comment on the post, everyone sees it) or private (the commenter's Direct). */
function ReplyModeToggle({ mode, onMode, disabled }: { mode: ReplyMode; onMode: (m: ReplyMode) => void; disabled: boolean }) {
  const { t } = useI18n()
  const option = (value: ReplyMode, label: string) => (
    <button
      type="button"
      className={`reply-mode-option ${mode === value ? 'is-on' : ''}`}
      aria-pressed={mode === value}
      disabled={disabled}
      data-testid={`composer-reply-${value}`}
      onClick={() => onMode(value)}
    >
      {label}
    </button>
  )
  return (
    <div className="reply-mode" role="group" aria-label={t('composer.replyMode')} data-testid="composer-reply-mode">
      {option('public', `💬 ${t('composer.replyPublic')}`)}
      {option('private', `✉ ${t('composer.replyPrivate')}`)}
    </div>
  )
}
