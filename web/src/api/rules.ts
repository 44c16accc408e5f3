// Grades from a product rule's thresholds (mg CO2e per declared unit, ascending): a total ≤ t[0]
// is grade 1 (best), ≤ t[1] grade 2, …, above the last grade len + 1. Integer comparisons only.
export interface GradeBand {
  grade: number
  /** Exclusive lower bound, mg (null for grade 1). */
  min: number | null
  /** Inclusive upper bound, mg (null for the last grade). */
  max: number | null
}

export function gradeBands(thresholds: readonly number[]): GradeBand[] {
  const bands: GradeBand[] = []
  for (let i = 0; i <= thresholds.length; i++) {
    bands.push({ grade: i + 1, min: i === 0 ? null : (thresholds[i - 1] ?? null), max: thresholds[i] ?? null })
  }
  return bands
}

export function gradeOf(totalMg: number | bigint, thresholds: readonly number[]): number {
  const v = BigInt(totalMg)
  for (let i = 0; i < thresholds.length; i++) if (v <= BigInt(thresholds[i] ?? 0)) return i + 1
  return thresholds.length + 1
}
