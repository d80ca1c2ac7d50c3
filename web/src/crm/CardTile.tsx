// One card on the board: title, value, contact, assignees, due time, priority,
// its tags and its conversations' tags. Draggable when the user may edit.
import type { DragEvent, KeyboardEvent } from 'react'
import type { Agent, CardSummary } from '../api/types'
import { useI18n } from '../i18n'
import { initials } from '../format'
import { formatZoned } from '../zonedTime'
import { formatBRL, isOverdue } from './crmLogic'

export interface CardTileProps {
  card: CardSummary
  users: Agent[]
  timeZone: string
  draggable: boolean
  dragging: boolean
  onOpen: (id: string) => void
  onDragStart: (e: DragEvent<HTMLElement>, id: string) => void
  onDragEnd: () => void
  onDragOver: (e: DragEvent<HTMLElement>) => void
}

export function CardTile({ card, users, timeZone, draggable, dragging, onOpen, onDragStart, onDragEnd, onDragOver }: CardTileProps) {
  const { t, lang } = useI18n()
  const overdue = isOverdue(card)
  const assignees = card.assignee_ids.map((id) => users.find((u) => u.id === id)?.name ?? id)

  function onKey(e: KeyboardEvent) {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault()
      onOpen(card.id)
    }
  }

  return (
    <li
      className={`crm-card ${dragging ? 'is-dragging' : ''} ${card.status !== 'open' ? `is-${card.status}` : ''}`}
      data-testid="crm-card"
      data-id={card.id}
      data-stage={card.stage_id}
      draggable={draggable}
      onDragStart={(e) => onDragStart(e, card.id)}
      onDragEnd={onDragEnd}
      onDragOver={onDragOver}
      role="button"
      tabIndex={0}
      aria-label={t('crm.card.open', { title: card.title })}
      onClick={() => onOpen(card.id)}
      onKeyDown={onKey}
    >
      <div className="crm-card-head">
        <span className="crm-card-title" data-testid="crm-card-title">
          {card.title}
        </span>
        {card.priority !== 'normal' && (
          <span className={`priority-marker prio-${card.priority}`} data-testid="crm-card-priority" data-priority={card.priority}>
            {t(`priority.${card.priority}`)}
          </span>
        )}
      </div>
      {card.value_cents > 0 && (
        <div className="crm-card-value" data-testid="crm-card-value">
          {formatBRL(card.value_cents)}
        </div>
      )}
      {card.contact && <div className="crm-card-contact muted">👤 {card.contact.name}</div>}
      {card.due_at && (
        <div className={`crm-card-due ${overdue ? 'is-overdue' : ''}`} data-testid="crm-card-due" data-overdue={overdue}>
          ⏰ {formatZoned(card.due_at, lang, timeZone)}
          {overdue && <span className="sr-only"> ({t('crm.card.overdue')})</span>}
        </div>
      )}
      {(card.tags.length > 0 || card.conversation_tags.length > 0) && (
        <ul className="tag-list crm-card-tags">
          {card.tags.map((tag) => (
            <li key={`c-${tag}`} className="tag tag-sm" data-testid="crm-card-tag">
              {tag}
            </li>
          ))}
          {card.conversation_tags.map((tag) => (
            <li key={`v-${tag}`} className="tag tag-sm tag-conv" data-testid="crm-card-conv-tag" title={t('crm.card.conversationTag')}>
              💬 {tag}
            </li>
          ))}
        </ul>
      )}
      {assignees.length > 0 && (
        <div className="crm-card-assignees" data-testid="crm-card-assignees">
          {assignees.map((name, i) => (
            <span key={card.assignee_ids[i]} className="avatar avatar-xs" title={name} aria-label={name}>
              {initials(name)}
            </span>
          ))}
          {assignees.length === 1 && <span className="muted crm-card-assignee-name">{assignees[0]}</span>}
        </div>
      )}
    </li>
  )
}
