// /crm and /crm/<pipelineId>[?card=<id>]: the pipeline picker, the filters,
// the board, the open card's drawer and the pipeline settings.
import { useCallback, useEffect, useMemo, useState } from 'react'
import { api } from '../api/client'
import type { Agent, Pipeline } from '../api/types'
import { useI18n } from '../i18n'
import { errorText } from '../format'
import { crmPath, navigate, useSearch } from '../router'
import { useSession } from '../session'
import { safeZone } from '../zonedTime'
import { LoadState, useLoad } from '../admin/ui'
import { Board } from './Board'
import { BoardFilterBar } from './BoardFilterBar'
import { CardAlerts } from './CardAlerts'
import { CardDrawer } from './CardDrawer'
import { crmApi } from './crmApi'
import { DEFAULT_BOARD_FILTERS, boardQuery, canEditCrm, canManagePipelines } from './crmLogic'
import type { BoardFilters } from './crmLogic'
import { NewPipelineDialog } from './NewPipelineDialog'
import { PipelineSettings } from './PipelineSettings'
import { useBoard } from './useBoard'

async function loadPipelines(): Promise<Pipeline[]> {
  const page = await crmApi.pipelines()
  return [...page.items].sort((a, b) => a.position - b.position)
}

export function CrmPage({ pipelineId }: { pipelineId: string | null }) {
  const { t } = useI18n()
  const { me } = useSession()
  const timeZone = safeZone(me.account.timezone)
  const canEdit = canEditCrm(me)
  const canManage = canManagePipelines(me)
  const search = useSearch()
  const cardId = new URLSearchParams(search).get('card')

  const pipelines = useLoad(loadPipelines)
  const [users, setUsers] = useState<Agent[]>([])
  useEffect(() => {
    api.users().then(
      (page) => setUsers(page.items),
      () => undefined, // the filter and the assignee picker just stay empty
    )
  }, [])

  // /crm: the first pipeline's board (an open card stays open).
  const list = pipelines.data
  useEffect(() => {
    if (!pipelineId && list && list.length > 0) navigate(crmPath(list[0].id, cardId), { replace: true })
  }, [pipelineId, list, cardId])

  const [filters, setFilters] = useState<BoardFilters>(DEFAULT_BOARD_FILTERS)
  const query = useMemo(() => boardQuery(filters), [filters])
  const board = useBoard(pipelineId, query)
  const { move, applyCard, reload: reloadBoard } = board
  const [moveError, setMoveError] = useState<string | null>(null)
  const [dialog, setDialog] = useState<'settings' | 'new' | null>(null)

  const openCard = useCallback((id: string | null) => navigate(crmPath(pipelineId, id)), [pipelineId])

  const onMove = useCallback(
    async (id: string, stageId: string, position: number) => {
      setMoveError(null)
      const err = await move(id, stageId, position)
      if (err) setMoveError(t('crm.move.failed', { detail: errorText(err, t) }))
    },
    [move, t],
  )

  const onCreate = useCallback(
    async (stageId: string, title: string, valueCents: number) => {
      if (!pipelineId) return
      const card = await crmApi.createCard({ pipeline_id: pipelineId, stage_id: stageId, title, value_cents: valueCents })
      applyCard(card)
      reloadBoard()
    },
    [pipelineId, applyCard, reloadBoard],
  )

  const reloadPipelines = pipelines.reload
  const afterSettings = useCallback(() => {
    reloadPipelines()
    reloadBoard()
  }, [reloadPipelines, reloadBoard])

  const current = list?.find((p) => p.id === pipelineId) ?? null
  const stages = board.board?.pipeline.stages ?? current?.stages ?? []

  return (
    <div className="crm" data-testid="crm-page">
      <div className="crm-toolbar">
        <h1 className="crm-heading">{t('crm.title')}</h1>
        {list && list.length > 0 && (
          <label className="compact-select">
            <span className="sr-only">{t('crm.pipeline')}</span>
            <select value={pipelineId ?? ''} onChange={(e) => navigate(crmPath(e.target.value))} data-testid="crm-pipeline-select">
              {!current && <option value="">{t('crm.pipeline')}</option>}
              {list.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {canManage && current && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDialog('settings')} data-testid="crm-pipeline-settings">
            ⚙ {t('crm.settings.open')}
          </button>
        )}
        {canManage && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDialog('new')} data-testid="crm-new-pipeline">
            + {t('crm.pipeline.new')}
          </button>
        )}
        <span className="spacer" />
        {current && <BoardFilterBar filters={filters} users={users} onChange={setFilters} />}
      </div>

      <CardAlerts onOpen={(pid, cid) => navigate(crmPath(pid, cid))} />
      <LoadState loaded={pipelines} />
      {moveError && (
        <div className="alert alert-error alert-inline" role="alert" data-testid="crm-move-error">
          {moveError}
          <button type="button" className="chip-x" onClick={() => setMoveError(null)} aria-label={t('admin.close')}>
            ×
          </button>
        </div>
      )}

      {list && list.length === 0 && (
        <div className="splash crm-empty" data-testid="crm-no-pipelines">
          <p>{t('crm.pipeline.none')}</p>
          {canManage && (
            <button type="button" className="btn btn-primary" onClick={() => setDialog('new')}>
              {t('crm.pipeline.new')}
            </button>
          )}
        </div>
      )}
      {list && pipelineId && !current && (
        <div className="splash crm-empty" data-testid="crm-pipeline-missing">
          <p>{t('crm.pipeline.missing')}</p>
          <button type="button" className="btn btn-primary" onClick={() => navigate('/crm', { replace: true })}>
            {t('crm.pipeline.first')}
          </button>
        </div>
      )}

      {current && board.error != null && !board.board && (
        <div className="alert alert-error alert-inline" role="alert" data-testid="crm-board-error">
          <span>{errorText(board.error, t)}</span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={board.reload}>
            {t('app.retry')}
          </button>
        </div>
      )}
      {current && board.board && (
        <Board board={board.board} users={users} timeZone={timeZone} canEdit={canEdit} onOpen={openCard} onMove={onMove} onCreate={onCreate} />
      )}
      {current && !board.board && board.error == null && <p className="muted admin-loading">{t('app.loading')}</p>}

      {cardId && pipelineId && (
        <CardDrawer
          key={cardId}
          cardId={cardId}
          stages={stages}
          users={users}
          onClose={() => openCard(null)}
          onChanged={(card) => {
            applyCard(card)
            reloadBoard()
          }}
        />
      )}
      {dialog === 'settings' && current && (
        <PipelineSettings
          pipelineId={current.id}
          onClose={() => {
            setDialog(null)
            afterSettings()
          }}
          onDeleted={() => {
            setDialog(null)
            pipelines.setData((d) => (d ? d.filter((p) => p.id !== current.id) : d))
            navigate('/crm', { replace: true })
          }}
        />
      )}
      {dialog === 'new' && (
        <NewPipelineDialog
          onClose={() => setDialog(null)}
          onCreated={(p) => {
            setDialog(null)
            pipelines.setData((d) => [...(d ?? []).filter((x) => x.id !== p.id), p])
            navigate(crmPath(p.id))
          }}
        />
      )}
    </div>
  )
}
