import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { api } from '../api/client'
import type { Agent, Channel, ChannelKindInfo, ConversationDetail, ConversationSummary, ConversationThread, Message, QuickReply, Ref } from '../api/types'
import { useI18n } from '../i18n'
import { can, useSession, useStreamEvents, useStreamReconnect } from '../session'
import { channelGlyph, channelLabel, errorText, formatDateTime, initials } from '../format'
import { usePageVisible } from '../inbox/useInbox'
import { toSummary } from '../inbox/inboxLogic'
import { conversationPath, navigate } from '../router'
import { Composer } from './Composer'
import { canUseAssist } from './composerLogic'
import { ContactPanel } from './ContactPanel'
import { ConversationActions } from './ConversationActions'
import { MessageBubble } from './MessageBubble'
import { RuleTrail } from './RuleTrail'
import { ConversationCrm } from '../crm/ConversationCrm'
import { canUseCrm } from '../crm/crmLogic'
import { applyStatusChange, mergeMessages, messageChannelKind, replaceMessage, threadItems, tickets } from './messageLogic'
import { CommentActions, QuestionActions } from './CommentActions'
import { answeredQuestions, hasThreadCard, isAnswerable, isListingThread, isModeratable, isPostThread, isPrivateReply, mergeThread } from './commentLogic'
import { PostCard, ThreadBadge } from './PostThread'
import { subjectsToShow, threadSubject } from './emailLogic'

export interface ReferenceData {
  users: Agent[]
  teams: Ref[]
  channels: Channel[]
  quickReplies: QuickReply[]
  /** GET /channel-kinds: what each kind can do (templates in the composer, comments in the header badge) */
  kinds?: ChannelKindInfo[]
}

export interface ConversationViewProps {
  id: string
  refs: ReferenceData
  /** The conversation changed (an action's answer or a live update): reconcile the list. */
  onSummary: (c: ConversationSummary) => void
  /** This agent sent a message (the list moves the conversation up at once). */
  onSent?: (m: Message) => void
  /** The conversation was marked read on the server. */
  onRead: (id: string) => void
  onBack: () => void
}

type ScrollMode = 'bottom' | 'keep' | 'stick' | 'none'

function mergeSummary(prev: ConversationDetail, s: ConversationSummary): ConversationDetail {
  return { ...prev, ...s, contact: { ...prev.contact, name: s.contact.name }, thread: mergeThread(prev.thread, s.thread) }
}

export function ConversationView({ id, refs, onSummary, onSent: notifySent, onRead, onBack }: ConversationViewProps) {
  const { t, lang } = useI18n()
  const { me } = useSession()
  const visible = usePageVisible()
  const [conv, setConv] = useState<ConversationDetail | null>(null)
  const [messages, setMessages] = useState<Message[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [loadingOlder, setLoadingOlder] = useState(false)
  const [actionError, setActionError] = useState<string | null>(null)
  const [contactOpen, setContactOpen] = useState(() => typeof window !== 'undefined' && window.innerWidth >= 1280)
  const [reloadTick, setReloadTick] = useState(0)
  // the comment or question the composer's next send answers (a bubble's "Responder")
  const [replyToId, setReplyToId] = useState<string | null>(null)
  const thread = useRef<HTMLDivElement>(null)
  const scrollMode = useRef<ScrollMode>('bottom')
  const prevScrollHeight = useRef(0)
  const loaded = useRef(false)
  const convRef = useRef(conv)
  convRef.current = conv

  const canReply = can(me, 'conversations:reply')
  const caps = conv ? refs.kinds?.find((k) => k.kind === conv.channel.kind)?.capabilities : undefined
  const kindHasTemplates = !!caps?.templates
  // a listing's questions (Mercado Livre): each answer public on the listing, one per question
  const questions = !!conv && (!!caps?.questions || isListingThread(conv.thread))
  const canSeeRules = can(me, 'rules:manage') || can(me, 'conversations:assign')

  // Load the conversation, then the contact's latest messages.
  useEffect(() => {
    let cancelled = false
    setLoadError(null)
    api
      .conversation(id)
      .then(async (detail) => {
        if (cancelled) return
        setConv(detail)
        const page = await api.contactMessages(detail.contact.id)
        if (cancelled) return
        // First load: the latest page. Later (stream reconnect): merge it in.
        const first = !loaded.current
        loaded.current = true
        scrollMode.current = first ? 'bottom' : 'stick'
        setMessages((prev) => mergeMessages(first ? [] : prev, page.items))
        if (first) setCursor(page.next_cursor)
      })
      .catch((err) => {
        if (!cancelled) setLoadError(err)
      })
    return () => {
      cancelled = true
    }
  }, [id, reloadTick])

  // Mark read while the conversation is on screen.
  const lastInbound = useMemo(() => {
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i].direction === 'inbound') return messages[i].id
    return null
  }, [messages])
  useEffect(() => {
    if (!conv || !visible) return
    const timer = setTimeout(() => {
      api.markRead(id).then(
        () => onRead(id),
        () => undefined,
      )
    }, 250)
    return () => clearTimeout(timer)
  }, [id, conv?.id, visible, lastInbound, onRead])

  const nearBottom = () => {
    const el = thread.current
    return !el || el.scrollHeight - el.scrollTop - el.clientHeight < 120
  }

  useLayoutEffect(() => {
    const el = thread.current
    if (!el) return
    const mode = scrollMode.current
    scrollMode.current = 'none'
    if (mode === 'bottom' || mode === 'stick') el.scrollTop = el.scrollHeight
    else if (mode === 'keep') el.scrollTop += el.scrollHeight - prevScrollHeight.current
  }, [messages])

  useStreamEvents((ev) => {
    const c = convRef.current
    if (!c) return
    if (ev.type === 'message.created') {
      if (ev.data.contact_id !== c.contact.id && ev.data.conversation_id !== c.id) return
      const { contact_id: _omit, ...message } = ev.data
      void _omit
      scrollMode.current = nearBottom() ? 'stick' : 'none'
      setMessages((list) => mergeMessages(list, [message]))
    } else if (ev.type === 'message.updated') {
      // an edit, or a file fetched (or refused): the message changes where it is
      if (ev.data.contact_id !== c.contact.id && ev.data.conversation_id !== c.id) return
      const { contact_id: _omit, ...message } = ev.data
      void _omit
      scrollMode.current = nearBottom() ? 'stick' : 'none'
      setMessages((list) => replaceMessage(list, message))
    } else if (ev.type === 'message.status_changed') {
      setMessages((list) => applyStatusChange(list, ev.data))
    } else if (ev.type === 'conversation.updated' && ev.data.id === c.id) {
      setConv((prev) => (prev ? mergeSummary(prev, ev.data) : prev))
    }
  })

  useStreamReconnect(() => setReloadTick((n) => n + 1))

  async function loadOlder() {
    if (!conv || !cursor || loadingOlder) return
    setLoadingOlder(true)
    try {
      const page = await api.contactMessages(conv.contact.id, cursor)
      prevScrollHeight.current = thread.current?.scrollHeight ?? 0
      scrollMode.current = 'keep'
      setMessages((list) => mergeMessages(list, page.items))
      setCursor(page.next_cursor)
    } catch (err) {
      setActionError(errorText(err, t))
    } finally {
      setLoadingOlder(false)
    }
  }

  const run = useCallback(
    async (action: () => Promise<ConversationSummary>): Promise<boolean> => {
      setActionError(null)
      try {
        const s = await action()
        setConv((prev) => (prev ? mergeSummary(prev, s) : prev))
        onSummary(s)
        return true
      } catch (err) {
        setActionError(t('action.failed', { detail: errorText(err, t) }))
        return false
      }
    },
    [onSummary, t],
  )

  const onSent = useCallback(
    (m: Message) => {
      scrollMode.current = 'bottom'
      setMessages((list) => mergeMessages(list, [m]))
      notifySent?.(m)
    },
    [notifySent],
  )

  const retry = useCallback(async (m: Message) => {
    const updated = await api.retryMessage(m.id)
    setMessages((list) => mergeMessages(list, [updated]))
  }, [])

  // Moderation answers the comment as it is now (the stream's message.updated brings the same).
  const hideComment = useCallback(async (m: Message, hidden: boolean) => {
    const updated = await api.hideMessage(m.id, hidden)
    setMessages((list) => replaceMessage(list, updated))
  }, [])
  const deleteComment = useCallback(async (m: Message) => {
    const updated = await api.deleteMessage(m.id)
    setMessages((list) => replaceMessage(list, updated))
  }, [])

  // The post as Instagram describes it: on the header, the card and the list's row.
  const onThread = useCallback(
    (thread: ConversationThread) => {
      const c = convRef.current
      if (!c) return
      const next = { ...c, thread: mergeThread(c.thread, thread) }
      setConv(next)
      onSummary(toSummary(next))
    },
    [onSummary],
  )

  const jumpTo = (conversationId: string) => {
    const sel = typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(conversationId) : conversationId
    const el = thread.current?.querySelector(`[data-ticket="${sel}"]`)
    // A ticket in the loaded history scrolls into view; an older one opens.
    if (el) el.scrollIntoView({ behavior: 'smooth', block: 'start' })
    else navigate(conversationPath(conversationId))
    if (window.innerWidth < 900) setContactOpen(false)
  }

  // A quote's target: scroll it into view and flash it.
  const jumpToMessage = useCallback((messageId: string) => {
    const sel = typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(messageId) : messageId
    const el = thread.current?.querySelector<HTMLElement>(`[data-testid="message-bubble"][data-id="${sel}"]`)
    if (!el) return
    el.scrollIntoView({ behavior: 'smooth', block: 'center' })
    el.classList.add('is-flash')
    setTimeout(() => el.classList.remove('is-flash'), 1500)
  }, [])

  const items = useMemo(() => threadItems(messages), [messages])
  const byId = useMemo(() => new Map(messages.map((m) => [m.id, m])), [messages])
  const ticketList = useMemo(() => tickets(messages), [messages])
  // e-mail: the subject above a thread's first mail (and a changed one), the latest in the header
  const subjects = useMemo(() => subjectsToShow(messages), [messages])
  const subject = useMemo(() => (conv ? threadSubject(messages, conv.id) : null), [messages, conv?.id])
  // a listing's questions are answered once each: only the others can be picked
  const answered = useMemo(() => (questions ? answeredQuestions(messages) : new Set<string>()), [questions, messages])
  // a comment or question deleted meanwhile is no longer answered
  const replyTarget = replyToId ? byId.get(replyToId) : undefined
  const replyTo = replyTarget && (questions ? isAnswerable(replyTarget) && !answered.has(replyTarget.id) : isModeratable(replyTarget)) ? replyTarget : null
  const answerComment = useCallback((m: Message) => setReplyToId(m.id), [])

  if (loadError != null && !conv) {
    return (
      <div className="conv-pane conv-empty">
        <div className="alert alert-error" role="alert">
          {errorText(loadError, t)}
        </div>
        <button type="button" className="btn btn-ghost" onClick={() => setReloadTick((n) => n + 1)}>
          {t('app.retry')}
        </button>
      </div>
    )
  }
  if (!conv) {
    return (
      <div className="conv-pane conv-empty">
        <p className="muted">{t('conv.loading')}</p>
      </div>
    )
  }

  return (
    <div className={`conv-pane ${contactOpen ? 'with-contact' : ''}`} data-testid="conversation-view" data-id={conv.id}>
      <div className="conv-main-col">
        <div className="conv-header">
          <button type="button" className="btn btn-ghost btn-sm back-btn" data-testid="conversation-back" onClick={onBack} aria-label={t('conv.back')}>
            ←
          </button>
          <span className="avatar" aria-hidden="true">
            {initials(conv.contact.name)}
            <span className={`channel-badge ch-${conv.channel.kind}`}>{channelGlyph(conv.channel.kind)}</span>
          </span>
          <div className="conv-title">
            <h2 data-testid="conversation-contact-name">{conv.contact.name}</h2>
            {subject && (
              <div className="conv-subject" data-testid="conversation-subject" title={subject}>
                {subject}
              </div>
            )}
            <div className="conv-sub">
              <span>
                {conv.channel.name} · {channelLabel(conv.channel.kind, t)}
              </span>
              <ThreadBadge conversation={conv} kinds={refs.kinds} />
              <span className={`status-pill st-${conv.status}`} data-testid="conversation-status" data-status={conv.status}>
                {t(`status.${conv.status}`)}
              </span>
              {conv.status === 'snoozed' && conv.snoozed_until && (
                <span className="muted">{t('conv.snoozedUntil', { time: formatDateTime(conv.snoozed_until, lang) })}</span>
              )}
              {(conv.priority === 'high' || conv.priority === 'urgent') && (
                <span className={`priority-marker prio-${conv.priority}`}>{t(`priority.${conv.priority}`)}</span>
              )}
              {conv.sla_breached && <span className="priority-marker prio-sla">{t('conv.slaBreached')}</span>}
              <span className="muted" data-testid="conversation-assignee">
                {t('conv.assignee')}: {conv.assignee?.name ?? t('conv.unassigned')}
              </span>
              <span className="muted">
                {t('conv.team')}: {conv.team?.name ?? t('conv.noTeam')}
              </span>
              {conv.tags.map((tag) => (
                <span key={tag} className="tag tag-sm" data-testid="conversation-tag">
                  {tag}
                </span>
              ))}
            </div>
          </div>
        </div>
        <ConversationActions
          conv={conv}
          users={refs.users}
          teams={refs.teams}
          run={run}
          contactOpen={contactOpen}
          onToggleContact={() => setContactOpen((o) => !o)}
        />
        {actionError && (
          <div className="alert alert-error alert-inline" role="alert" data-testid="action-error">
            {actionError}
            <button type="button" className="chip-x" onClick={() => setActionError(null)} aria-label="×">
              ×
            </button>
          </div>
        )}

        {hasThreadCard(conv.thread) && <PostCard key={`post-${conv.id}`} conversationId={conv.id} thread={conv.thread} onThread={onThread} />}

        <div className="thread" ref={thread} data-testid="message-thread">
          {cursor && (
            <button type="button" className="btn btn-ghost btn-sm load-older" data-testid="load-older" onClick={loadOlder} disabled={loadingOlder}>
              {t('conv.loadOlder')}
            </button>
          )}
          {items.length === 0 && <p className="empty">{t('conv.noMessages')}</p>}
          {items.map((item) =>
            item.type === 'divider' ? (
              <div
                key={`d-${item.conversationId}-${item.at}`}
                className={`ticket-divider ${item.conversationId === conv.id ? 'is-current' : ''}`}
                data-testid="ticket-divider"
                data-ticket={item.conversationId}
              >
                <span>
                  {t('conv.ticket', { date: formatDateTime(item.at, lang) })}
                  {item.conversationId === conv.id && ` · ${t('conv.currentTicket')}`}
                </span>
              </div>
            ) : (
              <MessageBubble
                key={item.message.id}
                message={item.message}
                onRetry={retry}
                canRetry={canReply}
                replyTo={item.message.reply_to_id ? (byId.get(item.message.reply_to_id) ?? null) : undefined}
                contactName={conv.contact.name}
                onJump={jumpToMessage}
                privateReply={isPrivateReply(item.message, conv)}
                showSubject={subjects.has(item.message.id)}
                channelKind={messageChannelKind(item.message, conv)}
                actions={
                  canReply && isModeratable(item.message) ? (
                    <CommentActions
                      message={item.message}
                      onReply={item.message.conversation_id === conv.id ? answerComment : undefined}
                      onHide={hideComment}
                      onDelete={deleteComment}
                    />
                  ) : canReply && questions && item.message.conversation_id === conv.id && isAnswerable(item.message) && !answered.has(item.message.id) ? (
                    <QuestionActions message={item.message} onReply={answerComment} />
                  ) : undefined
                }
              />
            ),
          )}
        </div>

        {canReply ? (
          <Composer
            key={conv.id}
            conversationId={conv.id}
            quickReplies={refs.quickReplies}
            send={(input, key) => api.sendMessage(conv.id, input, key)}
            upload={api.upload}
            onSent={onSent}
            assist={canUseAssist(me) ? (input, signal) => api.assist(conv.id, input, signal) : undefined}
            templates={
              kindHasTemplates
                ? {
                    channelId: conv.channel.id,
                    load: () => api.templates(conv.channel.id).then((d) => d.items),
                    send: (template, key) => api.sendTemplate(conv.id, template, key),
                    contactName: conv.contact.name,
                  }
                : undefined
            }
            comments={isPostThread(conv.thread) ? { replyTo, onClearReply: () => setReplyToId(null), contactName: conv.contact.name } : undefined}
            questions={questions ? { replyTo, onClearReply: () => setReplyToId(null), contactName: conv.contact.name } : undefined}
            maxText={caps?.max_text}
            quote={caps?.metered ? (text, signal) => api.quote(conv.id, text, signal) : undefined}
            externalReplies={caps?.external_replies ? { kind: conv.channel.kind, label: channelLabel(conv.channel.kind, t) } : undefined}
          />
        ) : (
          <p className="read-only-note">{t('conv.readOnly')}</p>
        )}
      </div>

      {contactOpen && (
        <>
          <div className="drawer-backdrop" onClick={() => setContactOpen(false)} aria-hidden="true" />
          <ContactPanel
            contact={conv.contact}
            channels={refs.channels}
            tickets={ticketList}
            currentConversationId={conv.id}
            onJump={jumpTo}
            onClose={() => setContactOpen(false)}
            ruleTrail={canSeeRules ? <RuleTrail key={conv.id} conversationId={conv.id} timeZone={me.account.timezone} /> : undefined}
            crm={canUseCrm(me) ? <ConversationCrm key={conv.id} conversationId={conv.id} channelName={conv.channel.name} /> : undefined}
          />
        </>
      )}
    </div>
  )
}
