import { describe, expect, it } from 'vitest'
import { categoryStandings, countBy, cumulativeByIndex, gradeSeries, monthCounts, troubledCertificates } from './aggregate'
import type { components } from '../../api/schema'

type Stats = components['schemas']['Stats']
type Fp = Pick<components['schemas']['FootprintView'], 'period_start' | 'at' | 'geography' | 'status' | 'product'>
const fp = (period_start: string, at: number, geography = 'CN-BJ'): Fp => ({
  period_start,
  at,
  geography,
  status: 'active',
  product: { ids: [], name: 'x', category: 'c', mass_mg: 0 },
})

describe('supervision aggregates', () => {
  it('counts per month with gaps filled', () => {
    const r = monthCounts(
      [fp('2025-01-01', 3), fp('2025-01-15', 5), fp('2025-03-01', 9)],
      [{ valid_from: '2025-04-01', issued_at: 10, status: 'valid', grade: 1, rule: 'r@1' }],
    )
    expect(r.months).toEqual(['2025-01', '2025-02', '2025-03', '2025-04'])
    expect(r.footprints).toEqual([2, 0, 1, 0])
    expect(r.certificates).toEqual([0, 0, 0, 1])
    expect(monthCounts([], []).months).toEqual([])
  })
  it('wraps years', () => {
    expect(monthCounts([fp('2025-11-01', 1), fp('2026-02-01', 2)], []).months).toEqual(['2025-11', '2025-12', '2026-01', '2026-02'])
  })
  it('accumulates along the log', () => {
    expect(cumulativeByIndex([9, 3, 5])).toEqual([
      [3, 1],
      [5, 2],
      [9, 3],
    ])
  })
  it('counts by a key, largest first', () => {
    expect(countBy([fp('2025-01-01', 1, 'CN-BJ'), fp('2025-01-01', 2, 'CN-CQ'), fp('2025-01-01', 3, 'CN-BJ')], (x) => x.geography)).toEqual([
      { name: 'CN-BJ', value: 2 },
      { name: 'CN-CQ', value: 1 },
    ])
  })
  it('reads /v1/stats', () => {
    const stats = {
      organisations: 1,
      factors: { total: 1, active: 1 },
      rules: 1,
      footprints: { total: 3, by_category: { 'urn:cpc:2': { active: 1, revoked: 1 }, 'urn:cpc:1': { deprecated: 1 } } },
      certificates: { total: 2, by_status: { valid: 2 } },
      grade_distribution: { 'r@1': { '3': 1, '1': 2 } },
    } as unknown as Stats
    expect(categoryStandings(stats)).toEqual({
      categories: ['urn:cpc:1', 'urn:cpc:2'],
      series: [
        { standing: 'active', data: [0, 1] },
        { standing: 'deprecated', data: [1, 0] },
        { standing: 'revoked', data: [0, 1] },
      ],
    })
    expect(gradeSeries(stats)).toEqual({ grades: ['1', '3'], series: [{ rule: 'r@1', data: [2, 1] }] })
    expect(gradeSeries(stats, 4)).toEqual({ grades: ['1', '2', '3', '4'], series: [{ rule: 'r@1', data: [2, 0, 1, 0] }] })
  })
  it('finds suspended and revoked certificates', () => {
    const certs = [
      { status: 'valid', recorded_status: { status: 'active' } },
      { status: 'suspended', recorded_status: { status: 'suspended', reason: 'x', at: 1 } },
      { status: 'expired', recorded_status: { status: 'revoked', reason: 'y', at: 2 } },
    ] as const
    expect(troubledCertificates(certs as unknown as Parameters<typeof troubledCertificates>[0]).length).toBe(2)
  })
})
