// "New pipeline": a name and, optionally, its stages one per line.
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { Pipeline } from '../api/types'
import { useI18n } from '../i18n'
import { Dialog, FieldError, FormError } from '../admin/ui'
import { NO_ERRORS, formErrors } from '../admin/adminLogic'
import type { FormErrors } from '../admin/adminLogic'
import { crmApi } from './crmApi'

export function NewPipelineDialog({ onCreated, onClose }: { onCreated: (p: Pipeline) => void; onClose: () => void }) {
  const { t } = useI18n()
  const [name, setName] = useState('')
  const [stages, setStages] = useState('')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!name.trim()) {
      setErrors({ fields: { name: t('crm.nameRequired') }, top: null })
      return
    }
    const list = stages
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean)
    setBusy(true)
    setErrors(NO_ERRORS)
    try {
      onCreated(await crmApi.createPipeline(name.trim(), list.length ? list : undefined))
    } catch (err) {
      setErrors(formErrors(err, ['name', 'stages'], t))
      setBusy(false)
    }
  }

  return (
    <Dialog title={t('crm.pipeline.new')} onClose={onClose} testId="crm-new-pipeline-dialog">
      <form className="admin-form" onSubmit={submit} noValidate>
        <FormError errors={errors} />
        <label className="field">
          {t('crm.pipeline.name')}
          <input value={name} onChange={(e) => setName(e.target.value)} data-testid="crm-new-pipeline-name" />
          <FieldError errors={errors} field="name" />
        </label>
        <label className="field">
          {t('crm.pipeline.stages')}
          <textarea rows={5} value={stages} onChange={(e) => setStages(e.target.value)} data-testid="crm-new-pipeline-stages" />
          <span className="muted field-help">{t('crm.pipeline.stagesHelp')}</span>
          <FieldError errors={errors} field="stages" />
        </label>
        <div className="modal-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t('admin.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="crm-new-pipeline-submit">
            {t('crm.pipeline.create')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
