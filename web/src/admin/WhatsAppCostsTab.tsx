// WhatsApp costs: template messages per month × channel × category, billable
// and free, with the estimate from the operator's rate card (reports:view).
import { useState } from 'react'
import { api } from '../api/client'
import type { Channel } from '../api/types'
import { useI18n } from '../i18n'
import { useSession } from '../session'
import { adminApi } from './adminApi'
import { NO_ERRORS, formErrors } from './adminLogic'
import { FieldError, LoadState, useLoad } from './ui'
import { categoryLabel, currentMonth, formatCents, groupByMonth, monthLabel, totalOf } from './whatsappCostsLogic'
import type { CostTotals } from './whatsappCostsLogic'

const FIELDS = ['from', 'to', 'channel_id']

export function WhatsAppCostsTab() {
  const { t, lang } = useI18n()
  const { me } = useSession()
  const [from, setFrom] = useState(() => currentMonth(me.account.timezone))
  const [to, setTo] = useState(() => currentMonth(me.account.timezone))
  const [channelId, setChannelId] = useState('')
  const report = useLoad(() => adminApi.whatsappCosts(from, to, channelId), [from, to, channelId])
  // Names for the channel ids; the report still shows without them.
  const channels = useLoad(() =>
    api
      .channels()
      .then((r) => r.items.filter((c) => c.kind === 'whatsapp_official'))
      .catch(() => [] as Channel[]),
  )
  const names = new Map((channels.data ?? []).map((c) => [c.id, c.name]))
  const channelName = (id: string) => names.get(id) ?? id

  const errors = report.error != null ? formErrors(report.error, FIELDS, t) : NO_ERRORS
  const data = report.data && !report.loading && report.error == null ? report.data : null
  const months = data ? groupByMonth(data.rows, channelName) : []
  const overall = data ? totalOf(data.rows) : null
  const unpriced = data?.rates === true && data.rows.some((r) => r.estimated_cents === null)

  function totalCells(total: CostTotals) {
    return (
      <>
        <td className="num" data-testid="cost-billable">{total.billable}</td>
        <td className="num" data-testid="cost-free">{total.free}</td>
        <td className="num" data-testid="cost-estimate" title={total.partial && total.estimated_cents !== null ? t('costs.partial') : undefined}>
          {formatCents(total.estimated_cents)}
        </td>
      </>
    )
  }

  return (
    <section className="admin-section" data-testid="admin-whatsapp-costs">
      <div className="admin-section-head">
        <h2>{t('costs.title')}</h2>
        <div className="head-tools costs-filters">
          <label className="compact-select">
            <span>{t('costs.from')}</span>
            <input type="month" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} data-testid="costs-from" />
            <FieldError errors={errors} field="from" />
          </label>
          <label className="compact-select">
            <span>{t('costs.to')}</span>
            <input type="month" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} data-testid="costs-to" />
            <FieldError errors={errors} field="to" />
          </label>
          <label className="compact-select">
            <span className="sr-only">{t('costs.channel')}</span>
            <select value={channelId} onChange={(e) => setChannelId(e.target.value)} data-testid="costs-channel">
              <option value="">{t('costs.allChannels')}</option>
              {(channels.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <FieldError errors={errors} field="channel_id" />
          </label>
          <button type="button" className="btn btn-ghost btn-sm" onClick={report.reload} data-testid="costs-refresh">
            {t('admin.refresh')}
          </button>
        </div>
      </div>
      <p className="muted costs-explain" data-testid="costs-explain" title={data?.basis || undefined}>
        {t('costs.explain')}
      </p>
      {errors.top !== null || report.loading ? <LoadState loaded={report} /> : null}
      {data && !data.rates && (
        <div className="alert alert-info" data-testid="costs-no-rates">
          {t('costs.noRates')}
        </div>
      )}
      {data && (
        <div className="table-wrap">
          <table className="admin-table costs-table">
            <thead>
              <tr>
                <th>{t('costs.month')}</th>
                <th>{t('costs.channel')}</th>
                <th>{t('costs.category')}</th>
                <th className="num">{t('costs.billable')}</th>
                <th className="num">{t('costs.free')}</th>
                <th className="num">{t('costs.estimate')}</th>
              </tr>
            </thead>
            {months.map((m) => (
              <tbody key={m.month} data-testid="costs-month" data-month={m.month}>
                {m.rows.map((r) => (
                  <tr key={`${r.channel_id}-${r.category}`} data-testid="cost-row" data-month={r.month} data-channel-id={r.channel_id} data-category={r.category}>
                    <td>{monthLabel(r.month, lang)}</td>
                    <td>{channelName(r.channel_id)}</td>
                    <td>{categoryLabel(r.category, t)}</td>
                    {totalCells({ billable: r.billable, free: r.free, estimated_cents: r.estimated_cents, partial: false })}
                  </tr>
                ))}
                <tr className="costs-subtotal" data-testid="cost-month-total" data-month={m.month}>
                  <th colSpan={3} scope="row">
                    {t('costs.monthTotal', { month: monthLabel(m.month, lang) })}
                  </th>
                  {totalCells(m.total)}
                </tr>
              </tbody>
            ))}
            {overall && months.length > 0 && (
              <tfoot>
                <tr className="costs-total" data-testid="cost-total">
                  <th colSpan={3} scope="row">
                    {t('costs.total')}
                  </th>
                  {totalCells(overall)}
                </tr>
              </tfoot>
            )}
          </table>
          {months.length === 0 && <p className="empty">{t('costs.empty')}</p>}
          {unpriced && (
            <p className="muted costs-unpriced" data-testid="costs-unpriced">
              {t('costs.unpriced')}
            </p>
          )}
        </div>
      )}
    </section>
  )
}
