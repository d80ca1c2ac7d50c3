// One stage of the board: its header (name, count, value total), its cards
// (a drop target for the HTML5 drag and drop) and the "new card" form.
import { Fragment, useState } from 'react'
import type { DragEvent, FormEvent } from 'react'
import type { Agent } from '../api/types'
import { useI18n } from '../i18n'
import { errorText } from '../format'
import { CardTile } from './CardTile'
import { dropIndex, formatBRL, parseBRL } from './crmLogic'
import type { Column } from './crmLogic'

export interface DropSlot {
  stageId: string
  index: number
}

export interface BoardColumnProps {
  column: Column
  users: Agent[]
  timeZone: string
  canEdit: boolean
  draggingId: string | null
  slot: DropSlot | null
  onOpen: (id: string) => void
  onDragStart: (e: DragEvent<HTMLElement>, id: string) => void
  onDragEnd: () => void
  onSlot: (slot: DropSlot) => void
  onDrop: (e: DragEvent<HTMLElement>, stageId: string) => void
  onCreate: (stageId: string, title: string, valueCents: number) => Promise<void>
}

export function BoardColumn(props: BoardColumnProps) {
  const { column, users, timeZone, canEdit, draggingId, slot, onOpen, onDragStart, onDragEnd, onSlot, onDrop } = props
  const { t } = useI18n()
  const { stage, cards } = column
  const [adding, setAdding] = useState(false)
  const over = slot?.stageId === stage.id

  // Anywhere in the column but over a card (cards handle their own dragover):
  // the end of the column; in the gap between two cards, keep the slot.
  function overColumn(e: DragEvent<HTMLElement>) {
    if (!canEdit) return
    e.preventDefault()
    e.dataTransfer.dropEffect = 'move'
    const inGap = over && (e.target as HTMLElement).classList.contains('crm-column-cards')
    if (!inGap) onSlot({ stageId: stage.id, index: cards.length })
  }

  function drop(e: DragEvent<HTMLElement>) {
    if (!canEdit) return
    e.preventDefault()
    onDrop(e, stage.id)
  }

  function overCard(e: DragEvent<HTMLElement>, index: number) {
    if (!canEdit) return
    e.preventDefault()
    e.stopPropagation()
    e.dataTransfer.dropEffect = 'move'
    onSlot({ stageId: stage.id, index: dropIndex(index, e.clientY, e.currentTarget.getBoundingClientRect()) })
  }

  return (
    <section
      className={`crm-column ${over ? 'is-over' : ''}`}
      data-testid="crm-column"
      data-stage={stage.id}
      aria-label={stage.name}
      onDragOver={overColumn}
      onDrop={drop}
    >
      <header className="crm-column-head">
        <h3 data-testid="crm-column-name">{stage.name}</h3>
        <span className="count-dot" data-testid="crm-column-count">
          {column.count}
        </span>
        <span className="crm-column-total" data-testid="crm-column-total">
          {formatBRL(column.totalCents)}
        </span>
      </header>
      <ul className="crm-column-cards" data-testid="crm-column-drop">
        {cards.map((card, i) => (
          <Fragment key={card.id}>
            {over && slot?.index === i && <DropMarker />}
            <CardTile
              card={card}
              users={users}
              timeZone={timeZone}
              draggable={canEdit}
              dragging={draggingId === card.id}
              onOpen={onOpen}
              onDragStart={onDragStart}
              onDragEnd={onDragEnd}
              onDragOver={(e) => overCard(e, i)}
            />
          </Fragment>
        ))}
        {over && slot?.index === cards.length && <DropMarker />}
        {cards.length === 0 && !over && <li className="crm-column-empty muted">{t('crm.column.empty')}</li>}
      </ul>
      {canEdit &&
        (adding ? (
          <NewCardForm
            onCancel={() => setAdding(false)}
            onCreate={async (title, cents) => {
              await props.onCreate(stage.id, title, cents)
              setAdding(false)
            }}
          />
        ) : (
          <button type="button" className="btn btn-ghost btn-sm crm-column-add" data-testid="crm-new-card" onClick={() => setAdding(true)}>
            + {t('crm.card.new')}
          </button>
        ))}
    </section>
  )
}

/** Where the dragged card will land. */
function DropMarker() {
  return <li className="crm-drop-marker" aria-hidden="true" />
}

function NewCardForm({ onCreate, onCancel }: { onCreate: (title: string, cents: number) => Promise<void>; onCancel: () => void }) {
  const { t } = useI18n()
  const [title, setTitle] = useState('')
  const [value, setValue] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const cents = parseBRL(value)

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!title.trim()) return setError(t('crm.card.titleRequired'))
    if (cents === null) return setError(t('crm.money.invalid'))
    setBusy(true)
    setError(null)
    try {
      await onCreate(title.trim(), cents)
    } catch (err) {
      setError(errorText(err, t))
      setBusy(false)
    }
  }

  return (
    <form className="crm-new-card" onSubmit={submit} noValidate data-testid="crm-new-card-form">
      {error && (
        <div className="field-error" role="alert" data-testid="crm-new-card-error">
          {error}
        </div>
      )}
      <label className="sr-only" htmlFor="crm-new-card-title">
        {t('crm.card.title')}
      </label>
      <input
        id="crm-new-card-title"
        placeholder={t('crm.card.title')}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        autoFocus
        data-testid="crm-new-card-title"
      />
      <label className="sr-only" htmlFor="crm-new-card-value">
        {t('crm.card.value')}
      </label>
      <input
        id="crm-new-card-value"
        placeholder={t('crm.money.placeholder')}
        inputMode="decimal"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        aria-invalid={cents === null ? true : undefined}
        data-testid="crm-new-card-value"
      />
      <div className="crm-new-card-actions">
        <button type="button" className="btn btn-ghost btn-xs" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="submit" className="btn btn-primary btn-xs" disabled={busy} data-testid="crm-new-card-submit">
          {t('crm.card.create')}
        </button>
      </div>
    </form>
  )
}
