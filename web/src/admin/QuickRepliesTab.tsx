// Quick replies: the texts agents insert by typing "/" in the composer.
// rules:manage lists, creates, edits and deletes them.
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { QuickReply } from '../api/types'
import { useI18n } from '../i18n'
import { adminApi } from './adminApi'
import { formErrors, NO_ERRORS, normalizeShortcut, QUICK_REPLY_TEXT_MAX, quickReplyErrors } from './adminLogic'
import type { FormErrors } from './adminLogic'
import { ConfirmDialog, Dialog, FieldError, FormError, LoadState, useLoad } from './ui'

type Modal = { kind: 'create' } | { kind: 'edit'; reply: QuickReply } | { kind: 'delete'; reply: QuickReply } | null

const byShortcut = (a: QuickReply, b: QuickReply) => a.shortcut.localeCompare(b.shortcut)

async function loadReplies(): Promise<QuickReply[]> {
  const page = await adminApi.quickReplies()
  return [...page.items].sort(byShortcut)
}

export function QuickRepliesTab() {
  const { t } = useI18n()
  const loaded = useLoad(loadReplies)
  const [modal, setModal] = useState<Modal>(null)
  const data = loaded.data

  function upsert(reply: QuickReply) {
    loaded.setData((d) => (d ? [...d.filter((x) => x.id !== reply.id), reply].sort(byShortcut) : d))
  }

  return (
    <section className="admin-section" data-testid="admin-quick-replies">
      <div className="admin-section-head">
        <h2>{t('admin.quickReplies.title')}</h2>
        {data && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setModal({ kind: 'create' })} data-testid="quick-reply-create-open">
            {t('admin.quickReplies.new')}
          </button>
        )}
      </div>
      <p className="muted">{t('admin.quickReplies.hint')}</p>
      <LoadState loaded={loaded} />
      {data && (
        <div className="table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th>{t('admin.quickReplies.shortcut')}</th>
                <th>{t('admin.quickReplies.text')}</th>
                <th>
                  <span className="sr-only">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((reply) => (
                <tr key={reply.id} data-testid="quick-reply-row" data-id={reply.id}>
                  <td className="strong mono">/{reply.shortcut}</td>
                  <td className="quick-reply-text">{reply.text}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-ghost btn-xs" onClick={() => setModal({ kind: 'edit', reply })} data-testid="quick-reply-edit">
                      {t('admin.edit')}
                    </button>
                    <button type="button" className="btn btn-ghost btn-xs btn-danger-text" onClick={() => setModal({ kind: 'delete', reply })} data-testid="quick-reply-delete">
                      {t('admin.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.length === 0 && <p className="empty">{t('admin.quickReplies.empty')}</p>}
        </div>
      )}
      {(modal?.kind === 'create' || modal?.kind === 'edit') && (
        <Dialog
          title={modal.kind === 'edit' ? t('admin.quickReplies.editTitle', { shortcut: modal.reply.shortcut }) : t('admin.quickReplies.new')}
          onClose={() => setModal(null)}
          testId="quick-reply-dialog"
          wide
        >
          <QuickReplyForm
            reply={modal.kind === 'edit' ? modal.reply : null}
            onCancel={() => setModal(null)}
            onSaved={(reply) => {
              upsert(reply)
              setModal(null)
            }}
          />
        </Dialog>
      )}
      {modal?.kind === 'delete' && (
        <ConfirmDialog
          title={t('admin.quickReplies.deleteTitle', { shortcut: modal.reply.shortcut })}
          message={t('admin.quickReplies.deleteWarning')}
          confirmLabel={t('admin.delete')}
          onCancel={() => setModal(null)}
          onConfirm={async () => {
            await adminApi.deleteQuickReply(modal.reply.id)
            loaded.setData((d) => (d ? d.filter((x) => x.id !== modal.reply.id) : d))
            setModal(null)
          }}
        />
      )}
    </section>
  )
}

const QUICK_REPLY_FIELDS = ['shortcut', 'text']

export function QuickReplyForm({
  reply,
  onSaved,
  onCancel,
}: {
  reply: QuickReply | null
  onSaved: (r: QuickReply) => void
  onCancel: () => void
}) {
  const { t } = useI18n()
  const [shortcut, setShortcut] = useState(reply?.shortcut ?? '')
  const [text, setText] = useState(reply?.text ?? '')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)

  async function submit(e: FormEvent) {
    e.preventDefault()
    const local = quickReplyErrors(shortcut, text, t)
    if (Object.keys(local.fields).length > 0) {
      setErrors(local)
      return
    }
    setBusy(true)
    setErrors(NO_ERRORS)
    const input = { shortcut: normalizeShortcut(shortcut), text }
    try {
      onSaved(reply ? await adminApi.updateQuickReply(reply.id, input) : await adminApi.createQuickReply(input))
    } catch (err) {
      setErrors(formErrors(err, QUICK_REPLY_FIELDS, t))
      setBusy(false)
    }
  }

  return (
    <form className="admin-form" onSubmit={submit} noValidate data-testid="quick-reply-form">
      <FormError errors={errors} />
      <label className="field">
        {t('admin.quickReplies.shortcut')}
        <input
          value={shortcut}
          onChange={(e) => setShortcut(e.target.value)}
          placeholder="/boleto"
          maxLength={41}
          autoCapitalize="none"
          spellCheck={false}
          aria-invalid={errors.fields.shortcut ? true : undefined}
          data-testid="quick-reply-shortcut"
        />
        <span className="muted field-help">{t('admin.quickReplies.shortcutHint')}</span>
        <FieldError errors={errors} field="shortcut" />
      </label>
      <label className="field">
        {t('admin.quickReplies.text')}
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={6}
          aria-invalid={errors.fields.text ? true : undefined}
          data-testid="quick-reply-text"
        />
        <span className="muted field-help">
          {[...text].length}/{QUICK_REPLY_TEXT_MAX}
        </span>
        <FieldError errors={errors} field="text" />
      </label>
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="quick-reply-create-submit">
          {busy ? t('admin.saving') : t('admin.save')}
        </button>
      </div>
    </form>
  )
}
