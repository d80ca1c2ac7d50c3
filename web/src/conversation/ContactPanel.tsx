import type { ReactNode } from 'react'
import type { Channel, ContactDetail } from '../api/types'
import { hasKey, useI18n } from '../i18n'
import type { Translate } from '../i18n'
import { channelGlyph, channelLabel, formatDateTime, initials } from '../format'
import type { TicketSummary } from './messageLogic'

export interface ContactPanelProps {
  contact: ContactDetail
  channels: Channel[]
  tickets: TicketSummary[]
  currentConversationId: string
  onJump: (conversationId: string) => void
  onClose: () => void
  /** The "Regras aplicadas" section, when the user may see it. */
  ruleTrail?: ReactNode
  /** The CRM sections (cards, scheduled messages), when the account has the module. */
  crm?: ReactNode
}

interface TicketRow {
  id: string
  label: string
  count: number | null
}

/** "closed · 2025-03-01" (from the API) → "Encerrada · 01/03/2025". */
export function pastLabel(name: string, t: Translate, lang: string): string {
  const [status, date] = name.split(' · ')
  const key = `status.${status}`
  const statusText = hasKey(key) ? t(key) : status
  const m = date ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null
  const dateText = m ? new Intl.DateTimeFormat(lang, { dateStyle: 'short' }).format(new Date(+m[1], +m[2] - 1, +m[3])) : date
  return dateText ? `${statusText} · ${dateText}` : statusText
}

export function ContactPanel({ contact, channels, tickets, currentConversationId, onJump, onClose, ruleTrail, crm }: ContactPanelProps) {
  const { t, lang } = useI18n()
  const channelName = (id: string) => channels.find((c) => c.id === id)?.name
  const counts = new Map(tickets.map((tk) => [tk.conversationId, tk.count]))
  const rows: TicketRow[] = contact.past_conversations
    ? contact.past_conversations.map((r) => ({ id: r.id, label: pastLabel(r.name, t, lang), count: counts.get(r.id) ?? null }))
    : tickets.map((tk) => ({ id: tk.conversationId, label: formatDateTime(tk.startedAt, lang), count: tk.count }))

  return (
    <aside className="contact-panel" data-testid="contact-panel" aria-label={t('contact.title')}>
      <div className="contact-head">
        <span className="avatar avatar-lg" aria-hidden="true">
          {initials(contact.name)}
        </span>
        <div>
          <h3>{contact.name}</h3>
        </div>
        <button type="button" className="btn btn-ghost btn-sm panel-close" aria-label={t('contact.close')} onClick={onClose}>
          ×
        </button>
      </div>
      <dl className="contact-fields">
        <dt>{t('contact.phone')}</dt>
        <dd data-testid="contact-phone">{contact.phone ? <a href={`tel:${contact.phone}`}>{contact.phone}</a> : t('contact.none')}</dd>
        <dt>{t('contact.email')}</dt>
        <dd data-testid="contact-email">{contact.email ? <a href={`mailto:${contact.email}`}>{contact.email}</a> : t('contact.none')}</dd>
      </dl>

      {crm}

      <section>
        <h4>{t('contact.identities')}</h4>
        {contact.identities.length === 0 ? (
          <p className="muted">{t('contact.none')}</p>
        ) : (
          <ul className="identity-list">
            {contact.identities.map((i) => (
              <li key={`${i.channel_id}:${i.external_id}`}>
                <span className={`channel-badge static ch-${i.channel_kind}`}>{channelGlyph(i.channel_kind)}</span>
                <span>
                  <strong>{channelName(i.channel_id) ?? channelLabel(i.channel_kind, t)}</strong>
                  <br />
                  <span className="muted mono">{i.external_id}</span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section>
        <h4>{t('contact.tags')}</h4>
        {contact.tags.length === 0 ? (
          <p className="muted">{t('contact.none')}</p>
        ) : (
          <ul className="tag-list">
            {contact.tags.map((tag) => (
              <li key={tag} className="tag">
                {tag}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section>
        <h4>{t('contact.past')}</h4>
        <ul className="ticket-list" data-testid="contact-tickets">
          {rows.map((row) => (
            <li key={row.id}>
              <button type="button" className="menu-item" data-testid="contact-ticket" onClick={() => onJump(row.id)}>
                <span>
                  {row.label}
                  {row.id === currentConversationId && <span className="pill pill-info">{t('contact.thisConversation')}</span>}
                </span>
                {row.count != null && <span className="muted">{t('contact.messages', { n: row.count })}</span>}
              </button>
            </li>
          ))}
        </ul>
      </section>
      {ruleTrail}
    </aside>
  )
}
