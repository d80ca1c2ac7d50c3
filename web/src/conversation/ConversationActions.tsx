import { useEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import type { Agent, ConversationDetail, ConversationSummary, Priority, Ref } from '../api/types'
import { api } from '../api/client'
import { useI18n } from '../i18n'
import { can, useSession } from '../session'
import { formatDateTime } from '../format'
import { PRIORITIES } from '../inbox/inboxLogic'
import { normalizeTag, snoozePresets, snoozeUntil, toLocalInput } from './actionsLogic'
import { workflowUrl } from './messageLogic'

export interface ConversationActionsProps {
  conv: ConversationDetail
  users: Agent[]
  teams: Ref[]
  run: (action: () => Promise<ConversationSummary>) => Promise<boolean>
  contactOpen: boolean
  onToggleContact: () => void
}

/** A small popover that closes on an outside click or Escape. */
function Popover({ label, testId, children }: { label: ReactNode; testId: string; children: (close: () => void) => ReactNode }) {
  const [open, setOpen] = useState(false)
  const [alignRight, setAlignRight] = useState(false)
  const ref = useRef<HTMLDivElement>(null)
  const toggle = () => {
    // open toward the side with room
    const box = ref.current?.getBoundingClientRect()
    setAlignRight(!!box && box.left > window.innerWidth / 2)
    setOpen((o) => !o)
  }
  useEffect(() => {
    if (!open) return
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false)
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false)
    }
    document.addEventListener('mousedown', onDown)
    document.addEventListener('keydown', onKey)
    return () => {
      document.removeEventListener('mousedown', onDown)
      document.removeEventListener('keydown', onKey)
    }
  }, [open])
  return (
    <div className="popover-anchor" ref={ref}>
      <button type="button" className="btn btn-ghost btn-sm" aria-expanded={open} data-testid={testId} onClick={toggle}>
        {label}
      </button>
      {open && <div className={`popover popover-menu ${alignRight ? 'align-right' : ''}`}>{children(() => setOpen(false))}</div>}
    </div>
  )
}

export function ConversationActions({ conv, users, teams, run, contactOpen, onToggleContact }: ConversationActionsProps) {
  const { t, lang } = useI18n()
  const { me } = useSession()
  const [newTag, setNewTag] = useState('')
  const [snoozeValue, setSnoozeValue] = useState('')
  const canAssign = can(me, 'conversations:assign')
  const canReply = can(me, 'conversations:reply')
  const canClose = can(me, 'conversations:close')
  const link = can(me, 'operations:view') ? workflowUrl(me.temporal_ui_url, me.namespace, conv.workflow_id) : null
  const id = conv.id

  const agents = users.filter((u) => u.id !== me.user.id)
  if (conv.assignee && conv.assignee.id !== me.user.id && !agents.some((u) => u.id === conv.assignee?.id)) {
    agents.unshift({ id: conv.assignee.id, name: conv.assignee.name, email: '', role: '', status: 'offline' })
  }
  const teamOptions = [...teams]
  if (conv.team && !teamOptions.some((x) => x.id === conv.team?.id)) teamOptions.unshift(conv.team)

  async function addTag(close?: () => void) {
    const tag = normalizeTag(newTag)
    if (!tag) return
    if (await run(() => api.tags(id, { add: [tag] }))) {
      setNewTag('')
      close?.()
    }
  }

  return (
    <div className="conv-actions" data-testid="conversation-actions">
      {canAssign && conv.assignee?.id !== me.user.id && (
        <button type="button" className="btn btn-primary btn-sm" data-testid="action-assign-me" onClick={() => run(() => api.assign(id, me.user.id))}>
          {t('action.assignMe')}
        </button>
      )}
      {canAssign && (
        <label className="compact-select">
          <span className="sr-only">{t('action.assign')}</span>
          <select
            data-testid="action-assign"
            value={conv.assignee?.id ?? ''}
            onChange={(e) => {
              const v = e.target.value
              void run(() => api.assign(id, v === '__none' ? null : v))
            }}
          >
            <option value="" disabled>
              {t('action.assign')}
            </option>
            <option value={me.user.id}>{t('action.me', { name: me.user.name })}</option>
            {agents.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
            {conv.assignee && <option value="__none">{t('action.unassign')}</option>}
          </select>
        </label>
      )}
      {canAssign && teamOptions.length > 0 && (
        <label className="compact-select">
          <span className="sr-only">{t('action.transfer')}</span>
          <select
            data-testid="action-transfer"
            value={conv.team?.id ?? ''}
            onChange={(e) => {
              const v = e.target.value
              if (v) void run(() => api.transfer(id, v))
            }}
          >
            <option value="" disabled>
              {t('action.transfer')}
            </option>
            {teamOptions.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {canReply && (
        <label className="compact-select">
          <span className="sr-only">{t('action.priority')}</span>
          <select
            data-testid="action-priority"
            value={conv.priority}
            onChange={(e) => void run(() => api.priority(id, e.target.value as Priority))}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t('action.priority')}: {t(`priority.${p}`)}
              </option>
            ))}
          </select>
        </label>
      )}
      {canReply && (
        <Popover label={`🏷 ${t('action.tags')}${conv.tags.length ? ` (${conv.tags.length})` : ''}`} testId="action-tags">
          {(close) => (
            <div className="tag-editor">
              <ul className="tag-list">
                {conv.tags.map((tag) => (
                  <li key={tag} className="tag">
                    {tag}
                    <button
                      type="button"
                      className="chip-x"
                      data-testid="tag-remove"
                      aria-label={t('action.removeTag', { tag })}
                      onClick={() => void run(() => api.tags(id, { remove: [tag] }))}
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ul>
              <form
                className="inline-form"
                onSubmit={(e) => {
                  e.preventDefault()
                  void addTag(close)
                }}
              >
                <input
                  data-testid="tag-input"
                  placeholder={t('action.tagPlaceholder')}
                  value={newTag}
                  onChange={(e) => setNewTag(e.target.value)}
                  autoFocus
                />
                <button type="submit" className="btn btn-primary btn-sm" data-testid="tag-add" disabled={!normalizeTag(newTag)}>
                  {t('action.addTag')}
                </button>
              </form>
            </div>
          )}
        </Popover>
      )}
      {canClose && conv.status !== 'closed' && (
        <Popover label={`⏰ ${t('action.snooze')}`} testId="action-snooze">
          {(close) => (
            <div className="snooze-editor">
              {snoozePresets().map((p) => (
                <button
                  key={p.key}
                  type="button"
                  className="menu-item"
                  onClick={async () => {
                    if (await run(() => api.snooze(id, p.at.toISOString()))) close()
                  }}
                >
                  {t(p.key)} <span className="muted">{formatDateTime(p.at.toISOString(), lang)}</span>
                </button>
              ))}
              <form
                className="inline-form"
                onSubmit={async (e) => {
                  e.preventDefault()
                  const until = snoozeUntil(snoozeValue)
                  if (until && (await run(() => api.snooze(id, until)))) close()
                }}
              >
                <label className="sr-only" htmlFor="snooze-until">
                  {t('action.snoozeUntil')}
                </label>
                <input
                  id="snooze-until"
                  type="datetime-local"
                  data-testid="snooze-input"
                  min={toLocalInput(new Date())}
                  value={snoozeValue}
                  onChange={(e) => setSnoozeValue(e.target.value)}
                />
                <button type="submit" className="btn btn-primary btn-sm" data-testid="snooze-confirm" disabled={!snoozeUntil(snoozeValue)}>
                  {t('action.snoozeConfirm')}
                </button>
              </form>
            </div>
          )}
        </Popover>
      )}
      {canClose && conv.status !== 'closed' && (
        <button type="button" className="btn btn-ghost btn-sm" data-testid="action-close" onClick={() => run(() => api.close(id))}>
          ✓ {t('action.close')}
        </button>
      )}
      {canClose && (conv.status === 'closed' || conv.status === 'snoozed') && (
        <button type="button" className="btn btn-ghost btn-sm" data-testid="action-reopen" onClick={() => run(() => api.reopen(id))}>
          ↺ {t('action.reopen')}
        </button>
      )}
      {link && (
        <a className="btn btn-ghost btn-sm" href={link} target="_blank" rel="noreferrer" data-testid="workflow-link">
          {t('action.workflow')} ↗
        </a>
      )}
      <button
        type="button"
        className={`btn btn-ghost btn-sm contact-toggle ${contactOpen ? 'is-on' : ''}`}
        aria-expanded={contactOpen}
        data-testid="action-contact"
        onClick={onToggleContact}
      >
        👤 {t('action.contact')}
      </button>
    </div>
  )
}
