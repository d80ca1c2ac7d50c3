import { describe, expect, it } from 'vitest'
import { crmPath, matchRoute } from './router'

describe('router', () => {
  it('knows the CRM board and the agenda', () => {
    expect(matchRoute('/crm')).toEqual({ name: 'crm', pipelineId: null })
    expect(matchRoute('/crm/')).toEqual({ name: 'crm', pipelineId: null })
    expect(matchRoute('/crm/p%201')).toEqual({ name: 'crm', pipelineId: 'p 1' })
    expect(matchRoute('/crm/p1/x')).toEqual({ name: 'notFound' })
    expect(matchRoute('/agenda')).toEqual({ name: 'agenda' })
    expect(matchRoute('/conversations/c1')).toEqual({ name: 'inbox', conversationId: 'c1' })
  })

  it('builds board addresses with the open card', () => {
    expect(crmPath('p1')).toBe('/crm/p1')
    expect(crmPath('p1', 'k 1')).toBe('/crm/p1?card=k%201')
    expect(crmPath(null)).toBe('/crm')
  })
})
