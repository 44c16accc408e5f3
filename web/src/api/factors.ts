// Exact arithmetic on factor values (µg CO2e per activity unit, integers) — no floats.
import type { Schemas } from './client'
import { formatDecimal } from '../format/exact'

export type FactorView = Schemas['FactorView']
export const FACTOR_CATEGORIES = ['fossil', 'biogenic', 'biogenic_removals', 'luc', 'aircraft'] as const

/** Sum of the per-category values, µg CO2e per unit, exact. */
export function factorTotalUg(values: Schemas['PerCategory']): bigint {
  return FACTOR_CATEGORIES.reduce((sum, k) => sum + BigInt(values[k]), 0n)
}

/** The total in kg CO2e per unit, exact (µg → kg: 9 decimals). */
export function factorTotalKg(values: Schemas['PerCategory']): string {
  return formatDecimal(factorTotalUg(values), 9)
}

export function ugToKg(ug: number | bigint | string): string {
  return formatDecimal(ug, 9)
}

export function splitRef(ref: string): { id: string; version: number | null } {
  const at = ref.lastIndexOf('@')
  if (at < 0) return { id: ref, version: null }
  const v = Number(ref.slice(at + 1))
  return { id: ref.slice(0, at), version: Number.isInteger(v) ? v : null }
}

export function isHistory(x: Schemas['FactorLookup']): x is Schemas['FactorHistory'] {
  return Array.isArray((x as { versions?: unknown }).versions)
}
