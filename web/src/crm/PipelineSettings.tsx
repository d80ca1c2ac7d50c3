// Pipeline settings (crm:pipelines): rename or delete the pipeline; add,
// rename, reorder, configure and delete its stages; each stage's quick replies.
import { useState } from 'react'
import type { FormEvent } from 'react'
import type { Pipeline } from '../api/types'
import { useI18n } from '../i18n'
import { errorText } from '../format'
import { ConfirmDialog, Dialog, LoadState, useLoad } from '../admin/ui'
import { crmApi } from './crmApi'
import { moveStageId } from './crmLogic'
import { StageSettings } from './StageSettings'

export interface PipelineSettingsProps {
  pipelineId: string
  onClose: () => void
  onDeleted: () => void
}

export function PipelineSettings({ pipelineId, onClose, onDeleted }: PipelineSettingsProps) {
  const { t } = useI18n()
  const loaded = useLoad(async () => {
    const page = await crmApi.pipelines()
    const p = page.items.find((x) => x.id === pipelineId)
    if (!p) throw new Error(t('crm.pipeline.missing'))
    return p
  }, [pipelineId])
  const pipeline = loaded.data
  const [error, setError] = useState<string | null>(null)
  const [confirmDelete, setConfirmDelete] = useState(false)

  async function attempt(action: () => Promise<Pipeline | void>) {
    setError(null)
    try {
      const p = await action()
      if (p && p.stages) loaded.setData(() => p)
      else loaded.reload()
    } catch (err) {
      setError(errorText(err, t))
      loaded.reload()
    }
  }

  const stages = pipeline ? [...pipeline.stages].sort((a, b) => a.position - b.position) : []
  const ids = stages.map((s) => s.id)

  return (
    <Dialog title={pipeline ? t('crm.settings.title', { name: pipeline.name }) : t('crm.settings.open')} onClose={onClose} testId="pipeline-settings" wide>
      <LoadState loaded={loaded} />
      {error && (
        <div className="alert alert-error" role="alert" data-testid="pipeline-settings-error">
          {error}
        </div>
      )}
      {pipeline && (
        <div className="crm-settings">
          <RenamePipeline key={pipeline.name} name={pipeline.name} onSave={(name) => attempt(() => crmApi.renamePipeline(pipeline.id, name))} />

          <h3 className="crm-settings-heading">{t('crm.settings.stages')}</h3>
          <ol className="crm-stage-list" data-testid="stage-list">
            {stages.map((s, i) => (
              <StageSettings
                key={s.id}
                stage={s}
                index={i}
                others={stages.filter((x) => x.id !== s.id)}
                isFirst={i === 0}
                isLast={i === stages.length - 1}
                onMove={(dir) => attempt(() => crmApi.reorderStages(pipeline.id, moveStageId(ids, s.id, dir)))}
                onChanged={() => loaded.reload()}
              />
            ))}
          </ol>
          <AddStage onAdd={(name) => attempt(async () => void (await crmApi.createStage(pipeline.id, { name })))} />

          <div className="crm-danger">
            <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setConfirmDelete(true)} data-testid="pipeline-delete">
              {t('crm.pipeline.delete')}
            </button>
          </div>
        </div>
      )}
      {confirmDelete && pipeline && (
        <ConfirmDialog
          title={t('crm.pipeline.deleteTitle', { name: pipeline.name })}
          message={t('crm.pipeline.deleteWarning')}
          confirmLabel={t('admin.delete')}
          onCancel={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await crmApi.deletePipeline(pipeline.id)
            setConfirmDelete(false)
            onDeleted()
          }}
        />
      )}
    </Dialog>
  )
}

function RenamePipeline({ name, onSave }: { name: string; onSave: (name: string) => Promise<void> }) {
  const { t } = useI18n()
  const [value, setValue] = useState(name)
  const [busy, setBusy] = useState(false)
  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!value.trim() || value.trim() === name) return
    setBusy(true)
    await onSave(value.trim())
    setBusy(false)
  }
  return (
    <form className="crm-inline-form" onSubmit={submit} noValidate>
      <label className="sr-only" htmlFor="crm-pipeline-name">
        {t('crm.pipeline.name')}
      </label>
      <input id="crm-pipeline-name" value={value} onChange={(e) => setValue(e.target.value)} data-testid="pipeline-name" />
      <button type="submit" className="btn btn-primary btn-sm" disabled={busy || !value.trim() || value.trim() === name} data-testid="pipeline-rename">
        {t('crm.pipeline.rename')}
      </button>
    </form>
  )
}

function AddStage({ onAdd }: { onAdd: (name: string) => Promise<void> }) {
  const { t } = useI18n()
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!name.trim()) return
    setBusy(true)
    await onAdd(name.trim())
    setName('')
    setBusy(false)
  }
  return (
    <form className="crm-inline-form" onSubmit={submit} noValidate data-testid="stage-add-form">
      <input aria-label={t('crm.stage.name')} placeholder={t('crm.stage.newPlaceholder')} value={name} onChange={(e) => setName(e.target.value)} data-testid="stage-add-name" />
      <button type="submit" className="btn btn-ghost btn-sm" disabled={busy || !name.trim()} data-testid="stage-add">
        + {t('crm.stage.add')}
      </button>
    </form>
  )
}
