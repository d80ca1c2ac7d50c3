// The CRM in the conversation's side panel (CRM module on): the cards linked
// to the conversation with their stage, "Criar card" in one click, and the
// conversation's scheduled messages with the "Agendar mensagem" form.
import { useCallback, useEffect, useState } from 'react'
import type { MouseEvent } from 'react'
import type { CardSummary, Pipeline } from '../api/types'
import { useI18n } from '../i18n'
import { errorText } from '../format'
import { crmPath, navigate } from '../router'
import { useSession, useStreamEvents } from '../session'
import { crmApi } from './crmApi'
import { canEditCrm, formatBRL } from './crmLogic'
import { ScheduledMessages } from './ScheduledMessages'

export function ConversationCrm({ conversationId, channelName }: { conversationId: string; channelName: string }) {
  const { t } = useI18n()
  const { me } = useSession()
  const canEdit = canEditCrm(me)
  const [cards, setCards] = useState<CardSummary[] | null>(null)
  const [pipelines, setPipelines] = useState<Pipeline[]>([])
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const load = useCallback(() => {
    crmApi.conversationCards(conversationId).then(
      (page) => setCards(page.items),
      (err) => setError(errorText(err, t)),
    )
  }, [conversationId, t])

  useEffect(() => {
    load()
    crmApi.pipelines().then(
      (page) => setPipelines(page.items),
      () => undefined, // stage names just stay unknown
    )
  }, [load])

  useStreamEvents((ev) => {
    if (ev.type === 'card.updated' && cards?.some((c) => c.id === ev.data.id)) load()
  })

  async function create() {
    setBusy(true)
    setError(null)
    try {
      const card = await crmApi.createCard({ conversation_id: conversationId })
      setCards((list) => [...(list ?? []).filter((c) => c.id !== card.id), card])
    } catch (err) {
      setError(errorText(err, t))
    } finally {
      setBusy(false)
    }
  }

  const stageName = (c: CardSummary) => {
    const p = pipelines.find((x) => x.id === c.pipeline_id)
    const s = p?.stages.find((x) => x.id === c.stage_id)
    return s ? (pipelines.length > 1 ? `${p!.name} · ${s.name}` : s.name) : ''
  }

  function open(e: MouseEvent, c: CardSummary) {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    navigate(crmPath(c.pipeline_id, c.id))
  }

  return (
    <>
      <section data-testid="conversation-crm">
        <h4>{t('crm.conv.cards')}</h4>
        {cards === null && !error && <p className="muted">{t('app.loading')}</p>}
        {cards && cards.length === 0 && <p className="muted">{t('crm.conv.noCards')}</p>}
        {cards && cards.length > 0 && (
          <ul className="crm-list">
            {cards.map((c) => (
              <li key={c.id} className="crm-list-row" data-testid="conversation-card" data-id={c.id} data-stage={c.stage_id}>
                <span className="crm-list-main">
                  <a href={crmPath(c.pipeline_id, c.id)} onClick={(e) => open(e, c)} data-testid="conversation-card-link">
                    {c.title}
                  </a>
                  <span className="crm-inline muted">
                    <span className="pill pill-info" data-testid="conversation-card-stage">
                      {stageName(c) || '—'}
                    </span>
                    {c.value_cents > 0 && <span>{formatBRL(c.value_cents)}</span>}
                    {c.status !== 'open' && <span>{t(`crm.cardStatus.${c.status}`)}</span>}
                  </span>
                </span>
              </li>
            ))}
          </ul>
        )}
        {error && (
          <p className="field-error" role="alert" data-testid="conversation-crm-error">
            {error}
          </p>
        )}
        {canEdit && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => void create()} disabled={busy} data-testid="conversation-create-card">
            + {t('crm.conv.createCard')}
          </button>
        )}
      </section>
      <section data-testid="conversation-scheduled">
        <h4>{t('crm.conv.schedule')}</h4>
        <ScheduledMessages key={conversationId} conversations={[{ id: conversationId, label: channelName }]} canEdit={canEdit} />
      </section>
    </>
  )
}
