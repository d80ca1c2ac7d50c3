import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/client'
import type { MessageTemplate } from '../api/types'
import { translate } from '../i18n'
import type { MessageKey } from '../i18n'
import {
  emptyTemplateForm,
  examplesOf,
  firstName,
  isWindowClosed,
  missingVariable,
  newTemplateBody,
  normalizeTemplateName,
  paramsComplete,
  prefill,
  renderSegments,
  renderTemplate,
  sendable,
  templateField,
  templateProblems,
  templateReason,
  templateTone,
  upsertTemplate,
  variableCount,
  variableNumbers,
  withBody,
  withExample,
} from './templateLogic'

const t = (k: MessageKey, p?: Record<string, string | number>) => translate('pt-BR', k, p)

function tpl(over: Partial<MessageTemplate> = {}): MessageTemplate {
  return {
    id: 'tpl-1',
    channel_id: 'ch-wa',
    name: 'pedido_enviado',
    language: 'pt_BR',
    category: 'UTILITY',
    status: 'APPROVED',
    reason: '',
    body: 'Olá, {{1}}! Seu pedido {{2}} saiu para entrega.',
    header: '',
    footer: '',
    params: 2,
    updated_at: '2025-05-01T12:00:00Z',
    ...over,
  }
}

describe('template variables', () => {
  it('counts the highest variable, as the server does, spaces inside the braces allowed', () => {
    expect(variableNumbers('Oi {{2}}, {{1}} e {{ 2 }}')).toEqual([1, 2])
    expect(variableCount('Oi {{1}}, pedido {{ 3 }}')).toBe(3)
    expect(variableCount('sem variáveis { {1} }')).toBe(0)
    expect(missingVariable('Oi {{1}}, pedido {{3}}')).toBe(2)
    expect(missingVariable('{{2}}')).toBe(1)
    expect(missingVariable('{{1}} {{2}}')).toBeNull()
  })

  it('renders the values in place and leaves the empty ones visible', () => {
    expect(renderTemplate('Olá, {{1}}! Pedido {{2}}.', ['Maria', '12345'])).toBe('Olá, Maria! Pedido 12345.')
    expect(renderTemplate('Olá, {{1}}! Pedido {{2}}.', ['Maria', ' '])).toBe('Olá, Maria! Pedido {{2}}.')
    expect(renderSegments('Oi {{1}}, {{2}}', ['Ana'])).toEqual([
      { text: 'Oi ' },
      { text: 'Ana', variable: 1, missing: false },
      { text: ', ' },
      { text: '{{2}}', variable: 2, missing: true },
    ])
  })

  it('keeps one example per variable as the body changes, without losing what was typed', () => {
    let f = withBody(emptyTemplateForm(), 'Olá {{1}}')
    expect(examplesOf(f)).toEqual([''])
    f = withExample(f, 0, 'Maria')
    f = withBody(f, 'Olá {{1}}, pedido {{2}}, entrega {{3}}')
    expect(examplesOf(f)).toEqual(['Maria', '', ''])
    f = withExample(f, 2, 'sexta')
    f = withBody(f, 'Olá {{1}}')
    expect(examplesOf(f)).toEqual(['Maria'])
    // the body cleared and typed again: the examples are still there
    f = withBody(withBody(f, ''), 'Olá {{1}}, entrega {{3}} pedido {{2}}')
    expect(examplesOf(f)).toEqual(['Maria', '', 'sexta'])
  })
})

describe('the create form', () => {
  it('normalises the name as Meta wants it', () => {
    expect(normalizeTemplateName('Confirmação de Pedido')).toBe('confirmacao_de_pedido')
    expect(normalizeTemplateName('boleto-2a via')).toBe('boleto_2a_via')
  })

  it('builds the POST body: trimmed, header and footer only when filled, one example per variable', () => {
    const f = { ...withBody(emptyTemplateForm(), ' Olá {{1}}, seu pedido {{2}} saiu. '), name: 'pedido_enviado', examples: [' Maria ', '12345', 'sobra'] }
    expect(newTemplateBody(f)).toEqual({
      name: 'pedido_enviado',
      language: 'pt_BR',
      category: 'UTILITY',
      body: 'Olá {{1}}, seu pedido {{2}} saiu.',
      examples: ['Maria', '12345'],
    })
    expect(newTemplateBody({ ...f, header: ' Loja ', footer: 'Não responda' })).toMatchObject({ header: 'Loja', footer: 'Não responda' })
  })

  it('names each problem by its field before anything is sent', () => {
    const p = templateProblems({ ...emptyTemplateForm(), name: 'Pedido!', body: 'Oi {{1}} e {{3}}', header: 'Oi {{1}}', examples: ['x', '', ''] })
    expect(Object.keys(p).sort()).toEqual(['body', 'examples.1', 'examples.2', 'header', 'name'])
    expect(t(p.name.key)).toBe('Use só letras minúsculas, números e _.')
    expect(t(p.body.key, p.body.params)).toBe('Numere as variáveis em sequência: falta {{2}}.')
    expect(t(p['examples.1'].key, p['examples.1'].params)).toBe('Dê um exemplo para {{2}}.')
    expect(templateProblems({ ...withBody(emptyTemplateForm(), 'Oi {{1}}'), name: 'ok_1', examples: ['Ana'] })).toEqual({})
  })

  it("puts the server's examples[i] problems under the examples", () => {
    expect(templateField('examples[1]')).toBe('examples')
    expect(templateField('examples.0')).toBe('examples')
    expect(templateField('name')).toBe('name')
  })
})

describe('template status', () => {
  it('colours approved green, review yellow, refusals red', () => {
    expect(['APPROVED', 'SUBMITTING', 'PENDING', 'REJECTED', 'FAILED', 'DISABLED', 'PAUSED', 'NEW'].map(templateTone)).toEqual([
      'ok',
      'wait',
      'wait',
      'bad',
      'bad',
      'bad',
      'off',
      'off',
    ])
  })

  it("shows Meta's reason for a refusal, and says when there is none", () => {
    expect(templateReason({ status: 'REJECTED', reason: 'INVALID_FORMAT' }, t)).toBe('INVALID_FORMAT')
    expect(templateReason({ status: 'FAILED', reason: '' }, t)).toBe('A Meta não informou o motivo.')
    expect(templateReason({ status: 'PAUSED', reason: '' }, t)).toBe('')
    expect(templateReason({ status: 'APPROVED', reason: 'stale' }, t)).toBe('')
  })

  it('upserts live updates of its channel only, sorted by name', () => {
    const list = [tpl({ id: 'a', name: 'boas_vindas' }), tpl({ id: 'b', name: 'pedido_enviado', status: 'PENDING' })]
    const next = upsertTemplate(list, tpl({ id: 'b', name: 'pedido_enviado', status: 'APPROVED' }), 'ch-wa')
    expect(next.map((x) => [x.id, x.status])).toEqual([
      ['a', 'APPROVED'],
      ['b', 'APPROVED'],
    ])
    expect(upsertTemplate(list, tpl({ id: 'c', name: 'aaa' }), 'ch-wa').map((x) => x.id)).toEqual(['c', 'a', 'b'])
    expect(upsertTemplate(list, tpl({ id: 'z', channel_id: 'other' }), 'ch-wa')).toEqual(list)
  })

  it('offers only the approved templates of the channel', () => {
    const list = [tpl({ id: 'ok' }), tpl({ id: 'p', status: 'PENDING' }), tpl({ id: 'r', status: 'REJECTED' }), tpl({ id: 'x', channel_id: 'ch-2' }),
      tpl({ id: 'img', unsupported: 'its header is a image' })]
    expect(sendable(list, 'ch-wa').map((x) => x.id)).toEqual(['ok'])
  })
})

describe('the picker', () => {
  it("fills {{1}} with the contact's first name when the template greets with it", () => {
    expect(prefill(tpl(), 'Joana Lima')).toEqual(['Joana', ''])
    expect(prefill(tpl({ body: '{{1}}, seu boleto vence amanhã.', params: 1 }), 'Joana Lima')).toEqual(['Joana'])
    expect(prefill(tpl({ body: 'Hi {{1}}, your order {{2}} shipped', params: 2 }), 'Ana')).toEqual(['Ana', ''])
    // {{1}} is something else: left for the agent
    expect(prefill(tpl({ body: 'Seu pedido {{1}} saiu para entrega.', params: 1 }), 'Joana Lima')).toEqual([''])
    // a contact known only by number has no first name
    expect(prefill(tpl(), '+55 11 98888-7777')).toEqual(['', ''])
    expect(firstName('  Maria  Clara ')).toBe('Maria')
  })

  it('needs every variable filled', () => {
    expect(paramsComplete(['Ana', '1'])).toBe(true)
    expect(paramsComplete(['Ana', ' '])).toBe(false)
    expect(paramsComplete([])).toBe(true)
  })

  it('tells the closed window from other refusals', () => {
    expect(isWindowClosed(new ApiError(422, { detail: 'window closed: send an approved template', field: 'body' }))).toBe(true)
    expect(isWindowClosed(new ApiError(422, { detail: 'body: required', field: 'body' }))).toBe(false)
    expect(isWindowClosed(new Error('window closed'))).toBe(false)
  })
})
