// The card drawer (opened from the board, ?card=<id>): the card's fields, its
// stage (the keyboard alternative to dragging) and status, its conversations,
// the stage's quick replies, scheduled messages, follow-ups, notes, history.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import type { Agent, CardDetail, CardStatus, Stage } from '../api/types'
import { useI18n } from '../i18n'
import { errorText } from '../format'
import { useSession, useStreamEvents } from '../session'
import { crmApi } from './crmApi'
import { canEditCrm, formatBRL } from './crmLogic'
import { CardEditForm } from './CardEditForm'
import { History, LinkedConversations, Notes, StageReplies } from './CardSections'
import { FollowUps } from './FollowUps'
import { ScheduledMessages } from './ScheduledMessages'
import { useAccountZone } from './useAccountZone'
import { LIVE_REFETCH_MS } from './useBoard'

export interface CardDrawerProps {
  cardId: string
  /** The stages of the board's pipeline (the "Stage" select and the quick replies). */
  stages: Stage[]
  users: Agent[]
  onClose: () => void
  /** The card changed here (the board updates its tile). */
  onChanged: (card: CardDetail) => void
}

const STATUS_ACTIONS: { status: CardStatus; label: 'crm.status.win' | 'crm.status.lose' | 'crm.status.archive' | 'crm.status.reopen' }[] = [
  { status: 'won', label: 'crm.status.win' },
  { status: 'lost', label: 'crm.status.lose' },
  { status: 'archived', label: 'crm.status.archive' },
  { status: 'open', label: 'crm.status.reopen' },
]

export function CardDrawer({ cardId, stages, users, onClose, onChanged }: CardDrawerProps) {
  const { t } = useI18n()
  const { me } = useSession()
  const zone = useAccountZone()
  const canEdit = canEditCrm(me)
  const [card, setCard] = useState<CardDetail | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [actionError, setActionError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [tick, setTick] = useState(0)

  useEffect(() => {
    let cancelled = false
    crmApi.card(cardId).then(
      (c) => {
        if (!cancelled) setCard(c)
      },
      (err) => {
        if (!cancelled) setLoadError(err)
      },
    )
    return () => {
      cancelled = true
    }
  }, [cardId, tick])

  // Someone else moved or edited it: fetch it again (the form keeps what is being typed).
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEffect(() => () => clearTimeout(timer.current ?? undefined), [])
  useStreamEvents((ev) => {
    if (ev.type !== 'card.updated' || ev.data.id !== cardId) return
    clearTimeout(timer.current ?? undefined)
    timer.current = setTimeout(() => setTick((n) => n + 1), LIVE_REFETCH_MS)
  })

  const onCloseRef = useRef(onClose)
  onCloseRef.current = onClose
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('.modal-backdrop')) onCloseRef.current()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])

  const apply = useCallback(
    (c: CardDetail) => {
      setCard(c)
      onChanged(c)
    },
    [onChanged],
  )

  async function run(action: () => Promise<CardDetail>) {
    setBusy(true)
    setActionError(null)
    try {
      apply(await action())
    } catch (err) {
      setActionError(errorText(err, t))
    } finally {
      setBusy(false)
    }
  }

  const stage = card ? stages.find((s) => s.id === card.stage_id) : undefined
  const conversationOptions = (card?.conversations ?? []).map((c) => ({ id: c.id, label: `${c.channel_name} · ${t(`status.${c.status}`)}` }))

  return (
    <>
      <div className="crm-drawer-backdrop" onClick={onClose} aria-hidden="true" />
      <aside className="crm-drawer" role="dialog" aria-modal="false" aria-label={card?.title ?? t('crm.card.loading')} data-testid="card-drawer" data-id={cardId}>
        <div className="crm-drawer-head">
          <div className="crm-drawer-title">
            <h2 data-testid="card-drawer-title">{card?.title ?? t('crm.card.loading')}</h2>
            {card && (
              <span className="crm-inline muted">
                <span className={`pill card-st-${card.status}`} data-testid="card-status" data-status={card.status}>
                  {t(`crm.cardStatus.${card.status}`)}
                </span>
                {formatBRL(card.value_cents)}
                {card.contact && <span>· 👤 {card.contact.name}</span>}
              </span>
            )}
          </div>
          <button type="button" className="btn btn-link modal-x" aria-label={t('admin.close')} onClick={onClose} data-testid="card-drawer-close">
            ×
          </button>
        </div>

        {loadError != null && !card && (
          <div className="alert alert-error" role="alert" data-testid="card-load-error">
            {errorText(loadError, t)}
          </div>
        )}
        {!card && loadError == null && <p className="muted">{t('crm.card.loading')}</p>}

        {card && (
          <div className="crm-drawer-body">
            <div className="crm-drawer-actions">
              <label className="compact-select">
                {t('crm.card.stage')}{' '}
                <select
                  value={card.stage_id}
                  disabled={!canEdit || busy || !stage}
                  onChange={(e) => {
                    const to = e.target.value
                    void run(() => crmApi.moveCard(card.id, to))
                  }}
                  data-testid="card-stage-select"
                >
                  {!stage && <option value={card.stage_id}>—</option>}
                  {stages.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
                </select>
              </label>
              {canEdit &&
                STATUS_ACTIONS.filter((a) => (a.status === 'open') !== (card.status === 'open')).map((a) => (
                  <button
                    key={a.status}
                    type="button"
                    className={`btn btn-ghost btn-sm status-btn-${a.status}`}
                    disabled={busy}
                    onClick={() => void run(() => crmApi.setCardStatus(card.id, a.status))}
                    data-testid={`card-status-${a.status}`}
                  >
                    {t(a.label)}
                  </button>
                ))}
            </div>
            {actionError && (
              <div className="alert alert-error" role="alert" data-testid="card-action-error">
                {actionError}
              </div>
            )}

            <CardEditForm key={card.id} card={card} users={users} timeZone={zone} readOnly={!canEdit} onSaved={apply} />

            <Section title={t('crm.card.conversations')}>
              <LinkedConversations conversations={card.conversations} />
            </Section>
            <Section title={t('crm.replies.title', { stage: stage?.name ?? '' })}>
              {canEdit ? (
                <StageReplies key={card.stage_id} cardId={card.id} replies={stage?.quick_replies ?? []} conversations={card.conversations} />
              ) : (
                <p className="muted">{t('crm.readOnly')}</p>
              )}
            </Section>
            <Section title={t('crm.scheduled.title')}>
              <ScheduledMessages cardId={card.id} conversations={conversationOptions} initial={card.scheduled_messages} canEdit={canEdit} />
            </Section>
            <Section title={t('crm.followUp.heading')}>
              <FollowUps cardId={card.id} initial={card.follow_ups} canEdit={canEdit} />
            </Section>
            <Section title={t('crm.notes.title')}>
              <Notes cardId={card.id} initial={card.notes} canEdit={canEdit} />
            </Section>
            <Section title={t('crm.history.title')}>
              <History events={card.events} />
            </Section>
          </div>
        )}
      </aside>
    </>
  )
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="crm-drawer-section">
      <h3>{title}</h3>
      {children}
    </section>
  )
}
