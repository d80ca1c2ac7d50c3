// The board's state: one pipeline's cards under the filters, refetched
// (debounced) when the stream says a card of this pipeline changed, and moves
// applied at once and undone if the server refuses them.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Board, CardSummary } from '../api/types'
import { useStreamEvents, useStreamReconnect } from '../session'
import { crmApi } from './crmApi'
import { moveCardLocal, upsertCard } from './crmLogic'

export const LIVE_REFETCH_MS = 400

export interface BoardState {
  board: Board | null
  error: unknown
  loading: boolean
  reload: () => void
  /** Optimistic move: resolves null, or the server's refusal after putting the card back. */
  move: (cardId: string, stageId: string, position: number) => Promise<unknown | null>
  /** A card that an action returned: replace it (or drop it when it left this pipeline). */
  applyCard: (card: CardSummary) => void
}

export function useBoard(pipelineId: string | null, query: string): BoardState {
  const [board, setBoard] = useState<Board | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  const boardRef = useRef(board)
  boardRef.current = board
  const pending = useRef(0) // moves in flight: a refetch answer would undo them on screen

  useEffect(() => {
    if (!pipelineId) return
    let cancelled = false
    setLoading(true)
    crmApi.board(pipelineId, query).then(
      (b) => {
        if (cancelled || pending.current > 0) return
        setBoard(b)
        setError(null)
        setLoading(false)
      },
      (err) => {
        if (cancelled) return
        setError(err)
        setLoading(false)
      },
    )
    return () => {
      cancelled = true
    }
  }, [pipelineId, query, tick])

  // A different pipeline: do not show the old one's columns meanwhile.
  useEffect(() => {
    setBoard(null)
  }, [pipelineId])

  const reload = useCallback(() => setTick((n) => n + 1), [])

  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current)
    },
    [],
  )
  useStreamEvents((ev) => {
    if (ev.type !== 'card.updated' || ev.data.pipeline_id !== pipelineId) return
    if (timer.current) clearTimeout(timer.current)
    timer.current = setTimeout(reload, LIVE_REFETCH_MS)
  })
  useStreamReconnect(reload)

  const move = useCallback(
    async (cardId: string, stageId: string, position: number): Promise<unknown | null> => {
      const before = boardRef.current
      if (!before) return null
      setBoard({ ...before, cards: moveCardLocal(before.cards, cardId, stageId, position) })
      pending.current++
      try {
        await crmApi.moveCard(cardId, stageId, position)
        return null
      } catch (err) {
        setBoard((now) => (now ? { ...now, cards: before.cards } : now))
        return err
      } finally {
        pending.current--
        reload()
      }
    },
    [reload],
  )

  const applyCard = useCallback(
    (card: CardSummary) => {
      if (!pipelineId) return
      setBoard((b) => (b ? { ...b, cards: upsertCard(b.cards, card, pipelineId) } : b))
    },
    [pipelineId],
  )

  return { board, error, loading, reload, move, applyCard }
}
