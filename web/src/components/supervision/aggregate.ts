// Aggregations for the supervision dashboard. The ledger records order, not
// wall-clock time: "over time" uses each footprint's reporting-period start
// month and each certificate's valid_from month, or the log index.
import type { components } from '../../api/schema'

type Schemas = components['schemas']
type Fp = Pick<Schemas['FootprintView'], 'period_start' | 'at' | 'geography' | 'status' | 'product'>
type Cert = Pick<Schemas['CertificateView'], 'valid_from' | 'issued_at' | 'status' | 'grade' | 'rule'>

/** `YYYY-MM` of an ISO date. */
export function month(date: string): string {
  return date.slice(0, 7)
}

/** Every month from the first to the last present (gaps filled), with counts per month. */
export function monthCounts(fps: readonly Fp[], certs: readonly Cert[]) {
  const f = new Map<string, number>()
  const c = new Map<string, number>()
  for (const x of fps) f.set(month(x.period_start), (f.get(month(x.period_start)) ?? 0) + 1)
  for (const x of certs) c.set(month(x.valid_from), (c.get(month(x.valid_from)) ?? 0) + 1)
  const all = [...new Set([...f.keys(), ...c.keys()])].filter((m) => /^\d{4}-\d{2}$/.test(m)).sort()
  const months: string[] = []
  if (all.length) {
    let [y, m] = all[0]!.split('-').map(Number) as [number, number]
    const last = all[all.length - 1]!
    // at most 20 years of months, in case of a wild date
    for (let i = 0; i < 240; i++) {
      const key = `${y}-${String(m).padStart(2, '0')}`
      months.push(key)
      if (key >= last) break
      m++
      if (m > 12) {
        m = 1
        y++
      }
    }
  }
  return { months, footprints: months.map((k) => f.get(k) ?? 0), certificates: months.map((k) => c.get(k) ?? 0) }
}

/** Cumulative counts along the log: points [log index, count so far]. */
export function cumulativeByIndex(indices: readonly number[]): [number, number][] {
  const sorted = [...indices].sort((a, b) => a - b)
  return sorted.map((at, i) => [at, i + 1])
}

/** Counts of a key, largest first. */
export function countBy<T>(items: readonly T[], key: (x: T) => string): { name: string; value: number }[] {
  const m = new Map<string, number>()
  for (const x of items) m.set(key(x), (m.get(key(x)) ?? 0) + 1)
  return [...m].map(([name, value]) => ({ name, value })).sort((a, b) => b.value - a.value || a.name.localeCompare(b.name))
}

/** Footprints per category per standing, from GET /v1/stats. */
export function categoryStandings(stats: Schemas['Stats']) {
  const cats = Object.keys(stats.footprints.by_category).sort()
  const standings = [...new Set(cats.flatMap((c) => Object.keys(stats.footprints.by_category[c] ?? {})))].sort(
    (a, b) => ORDER.indexOf(a) - ORDER.indexOf(b),
  )
  return {
    categories: cats,
    series: standings.map((s) => ({ standing: s, data: cats.map((c) => stats.footprints.by_category[c]?.[s] ?? 0) })),
  }
}
const ORDER = ['active', 'deprecated', 'revoked']

/** Valid certificates per grade, one series per rule, from GET /v1/stats. */
export function gradeSeries(stats: Schemas['Stats'], gradesOfRules = 0) {
  const rules = Object.keys(stats.grade_distribution).sort()
  const present = rules.flatMap((r) => Object.keys(stats.grade_distribution[r] ?? {}))
  // every grade the rules define (1..n), so that empty grades show as 0
  const all = Array.from({ length: gradesOfRules }, (_, i) => String(i + 1))
  const grades = [...new Set([...all, ...present])].sort((a, b) => Number(a) - Number(b))
  return {
    grades,
    series: rules.map((r) => ({ rule: r, data: grades.map((g) => stats.grade_distribution[r]?.[g] ?? 0) })),
  }
}

/** Certificates that are suspended or revoked (by validity or by the recorded status). */
export function troubledCertificates<T extends Pick<Schemas['CertificateView'], 'status' | 'recorded_status'>>(certs: readonly T[]): T[] {
  return certs.filter(
    (c) => c.status === 'suspended' || c.status === 'revoked' || c.recorded_status.status !== 'active',
  )
}
