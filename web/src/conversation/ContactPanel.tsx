import type { Channel, ContactDetail } from '../api/types'
import { useI18n } from '../i18n'
import { channelGlyph, channelLabel, formatDateTime, initials } from '../format'
import type { TicketSummary } from './messageLogic'

export interface ContactPanelProps {
  contact: ContactDetail
  channels: Channel[]
  tickets: TicketSummary[]
  currentConversationId: string
  onJump: (conversationId: string) => void
  onClose: () => void
}

export function ContactPanel({ contact, channels, tickets, currentConversationId, onJump, onClose }: ContactPanelProps) {
  const { t, lang } = useI18n()
  const channelName = (id: string) => channels.find((c) => c.id === id)?.name
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
          {tickets.map((tk) => (
            <li key={tk.conversationId}>
              <button type="button" className="menu-item" onClick={() => onJump(tk.conversationId)}>
                <span>
                  {formatDateTime(tk.startedAt, lang)}
                  {tk.conversationId === currentConversationId && (
                    <span className="pill pill-info">{t('contact.thisConversation')}</span>
                  )}
                </span>
                <span className="muted">{t('contact.messages', { n: tk.count })}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
    </aside>
  )
}
