import { describe, expect, it } from 'vitest'
import { parseCheckName } from './checkName'

describe('check names', () => {
  it('parses input checks', () => {
    expect(parseCheckName('input #6 factor ipcc_diesel_co2@1')).toEqual({
      key: 'input',
      n: '6',
      kind: 'factor',
      ref: 'ipcc_diesel_co2@1',
    })
    expect(parseCheckName(`input #1 footprint ${'ab'.repeat(32)}`)).toMatchObject({ kind: 'footprint', n: '1' })
  })
  it('turns other names into keys', () => {
    expect(parseCheckName('zero-knowledge proof')).toEqual({ key: 'zero_knowledge_proof' })
    expect(parseCheckName('recomputation')).toEqual({ key: 'recomputation' })
  })
})
