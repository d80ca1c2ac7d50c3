// The Kanban: one column per stage. A card dragged (HTML5 drag and drop) onto
// a column, or between two of its cards, is moved there; the card drawer's
// "Stage" select is the keyboard way to do the same.
import { useMemo, useRef, useState } from 'react'
import type { DragEvent } from 'react'
import type { Agent, Board as BoardData } from '../api/types'
import { BoardColumn } from './BoardColumn'
import type { DropSlot } from './BoardColumn'
import { groupBoard, moveTarget } from './crmLogic'

export const DRAG_TYPE = 'application/x-chatspot-card'

export interface BoardProps {
  board: BoardData
  users: Agent[]
  timeZone: string
  canEdit: boolean
  onOpen: (cardId: string) => void
  onMove: (cardId: string, stageId: string, position: number) => void
  onCreate: (stageId: string, title: string, valueCents: number) => Promise<void>
}

export function Board({ board, users, timeZone, canEdit, onOpen, onMove, onCreate }: BoardProps) {
  const columns = useMemo(() => groupBoard(board.pipeline.stages, board.cards), [board])
  const [draggingId, setDraggingId] = useState<string | null>(null)
  const [slot, setSlot] = useState<DropSlot | null>(null)
  const dragged = useRef<string | null>(null)

  function onDragStart(e: DragEvent<HTMLElement>, id: string) {
    if (!canEdit) return
    e.dataTransfer.effectAllowed = 'move'
    e.dataTransfer.setData(DRAG_TYPE, id)
    e.dataTransfer.setData('text/plain', id)
    dragged.current = id
    // Dim the card after the browser took its picture for the drag image.
    setTimeout(() => {
      if (dragged.current === id) setDraggingId(id)
    }, 0)
  }

  function onDragEnd() {
    dragged.current = null
    setDraggingId(null)
    setSlot(null)
  }

  function onDrop(e: DragEvent<HTMLElement>, stageId: string) {
    const id = dragged.current || e.dataTransfer.getData(DRAG_TYPE) || e.dataTransfer.getData('text/plain')
    const column = columns.find((c) => c.stage.id === stageId)
    const index = slot?.stageId === stageId ? slot.index : (column?.cards.length ?? 0)
    onDragEnd()
    if (!id || !canEdit) return
    const position = moveTarget(board.cards, id, stageId, index)
    if (position !== null) onMove(id, stageId, position)
  }

  return (
    <div className="crm-board" data-testid="crm-board" data-pipeline={board.pipeline.id}>
      {columns.map((column) => (
        <BoardColumn
          key={column.stage.id}
          column={column}
          users={users}
          timeZone={timeZone}
          canEdit={canEdit}
          draggingId={draggingId}
          slot={slot}
          onOpen={onOpen}
          onDragStart={onDragStart}
          onDragEnd={onDragEnd}
          onSlot={(next) => setSlot((s) => (s && s.stageId === next.stageId && s.index === next.index ? s : next))}
          onDrop={onDrop}
          onCreate={onCreate}
        />
      ))}
    </div>
  )
}
