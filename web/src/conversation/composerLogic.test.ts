import { describe, expect, it } from 'vitest'
import {
  assistChoices,
  assistNeedsDraft,
  assistRequest,
  textLength,
  textLimit,
  canSend,
  canUseAssist,
  insertAtCaret,
  keyForSend,
  matchQuickReplies,
  quickReplyQuery,
} from './composerLogic'
import { makeMe } from '../test/fakes'
import type { SendIntent } from './composerLogic'

describe('composer logic', () => {
  it('opens quick replies only for a "/" at the start of the first line', () => {
    expect(quickReplyQuery('/')).toBe('')
    expect(quickReplyQuery('/pi')).toBe('pi')
    expect(quickReplyQuery('a /pi')).toBeNull()
    expect(quickReplyQuery('/pix\nmais')).toBeNull()
  })

  it('matches shortcuts first, then text, ignoring accents and case', () => {
    const list = [
      { id: '1', shortcut: 'promocao', text: 'Confira a promoção de verão' },
      { id: '2', shortcut: '/prazo', text: 'O prazo de entrega é de 5 dias' },
      { id: '3', shortcut: 'frete', text: 'Frete grátis acima de R$ 200 em PROMOÇÃO' },
    ]
    expect(matchQuickReplies(list, 'pr').map((r) => r.id)).toEqual(['2', '1', '3'])
    expect(matchQuickReplies(list, 'PROMOÇÃO').map((r) => r.id)).toEqual(['1', '3'])
    expect(matchQuickReplies(list, 'xyz')).toEqual([])
  })

  it('inserts at the caret, replacing a selection', () => {
    expect(insertAtCaret('Oi tudo', 2, 2, '!')).toEqual({ text: 'Oi! tudo', caret: 3 })
    expect(insertAtCaret('Oi tudo', 3, 7, '😀')).toEqual({ text: 'Oi 😀', caret: 5 })
  })

  it('needs text or an attachment to send', () => {
    expect(canSend(' \n ', 0)).toBe(false)
    expect(canSend('', 1)).toBe(true)
    expect(canSend('ok', 0)).toBe(true)
  })

  it('reuses the Idempotency-Key only for the same content', () => {
    let n = 0
    const gen = () => `k${++n}`
    const intent: SendIntent = { conversationId: 'c1', body: 'Oi', kind: 'text', attachmentIds: [] }
    const first = keyForSend(null, intent, gen)
    expect(keyForSend(first, intent, gen).key).toBe('k1')
    expect(keyForSend(first, { ...intent, kind: 'note' }, gen).key).toBe('k2')
    expect(keyForSend(first, { ...intent, conversationId: 'c2' }, gen).key).toBe('k3')
  })

  it('offers AI Assist only with the "ai" module and the reply permission', () => {
    const withAi = (me: ReturnType<typeof makeMe>) => ({ ...me, account: { ...me.account, modules: ['crm', 'ai'] } })
    expect(canUseAssist(makeMe())).toBe(false)
    expect(canUseAssist(withAi(makeMe()))).toBe(true)
    expect(canUseAssist(withAi(makeMe({ permissions: ['conversations:view:all'] })))).toBe(false)
    expect(canUseAssist(null)).toBe(false)
  })

  it('builds the assist body: a draft for all but suggest_reply, a language or an audience when asked', () => {
    expect(assistNeedsDraft('suggest_reply')).toBe(false)
    expect(assistNeedsDraft('rewrite')).toBe(true)
    expect(assistChoices('fix')).toBeNull()
    expect(assistChoices('translate')).toEqual(['pt-BR', 'en', 'es'])
    expect(assistChoices('adjust')).toEqual(['technical', 'legal', 'commercial'])
    expect(assistRequest('suggest_reply', '')).toEqual({ operation: 'suggest_reply', draft: '' })
    expect(assistRequest('translate', 'Oi', 'en')).toEqual({ operation: 'translate', draft: 'Oi', target_language: 'en' })
    expect(assistRequest('adjust', 'Oi', 'technical')).toEqual({ operation: 'adjust', draft: 'Oi', audience: 'technical' })
  })
})

describe('text limit (capabilities.max_text)', () => {
  it('counts the trimmed text in code points against the limit, none for notes or unknown limits', () => {
    expect(textLength('👍🏽 ok')).toBe(5) // the thumb and its skin tone are two code points, as Go's []rune counts them
    expect(textLimit('Temos sim', 2000, false)).toEqual({ max: 2000, remaining: 1991, over: 0 })
    expect(textLimit('a'.repeat(2001), 2000, false)).toEqual({ max: 2000, remaining: -1, over: 1 })
    expect(textLimit(`  ${'a'.repeat(2000)}\n`, 2000, false).over).toBe(0)
    expect(textLimit('a'.repeat(2001), 2000, true)).toEqual({ max: 0, remaining: 0, over: 0 })
    expect(textLimit('a'.repeat(5000), 0, false).over).toBe(0)
    expect(textLimit('a'.repeat(5000), undefined, false).max).toBe(0)
  })
})
