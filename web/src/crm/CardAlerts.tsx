// card.alert events as a small stack of banners on the CRM screen: a card is
// due, stale in its stage, or its stage's entry message could not be sent.
import { useState } from 'react'
import type { CardAlertEvent } from '../api/types'
import { hasKey, useI18n } from '../i18n'
import { useStreamEvents } from '../session'

const MAX_ALERTS = 4

interface Shown extends CardAlertEvent {
  key: number
}

export function CardAlerts({ onOpen }: { onOpen: (pipelineId: string, cardId: string) => void }) {
  const { t } = useI18n()
  const [alerts, setAlerts] = useState<Shown[]>([])

  useStreamEvents((ev) => {
    if (ev.type !== 'card.alert') return
    setAlerts((list) => [{ ...ev.data, key: Date.now() + Math.random() }, ...list].slice(0, MAX_ALERTS))
  })

  if (alerts.length === 0) return null
  const dismiss = (key: number) => setAlerts((list) => list.filter((a) => a.key !== key))

  return (
    <div className="crm-alerts" role="status" aria-live="polite" data-testid="crm-alerts">
      {alerts.map((a) => {
        const kindKey = `crm.alert.${a.kind}`
        return (
          <div key={a.key} className={`alert ${a.kind === 'entry_message_failed' ? 'alert-error' : 'alert-warn'} crm-alert`} data-testid="crm-alert" data-kind={a.kind}>
            <span>
              <strong>{hasKey(kindKey) ? t(kindKey) : a.kind}</strong> · {a.title}
              {a.detail && <span className="muted"> — {a.detail}</span>}
            </span>
            <span className="crm-alert-tools">
              <button
                type="button"
                className="btn btn-ghost btn-xs"
                onClick={() => {
                  onOpen(a.pipeline_id, a.card_id)
                  dismiss(a.key)
                }}
                data-testid="crm-alert-open"
              >
                {t('crm.alert.open')}
              </button>
              <button type="button" className="chip-x" aria-label={t('admin.close')} onClick={() => dismiss(a.key)}>
                ×
              </button>
            </span>
          </div>
        )
      })}
    </div>
  )
}
