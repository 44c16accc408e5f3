// Translating API words (category URNs, stages, units, roles, tx kinds) with a fallback to the word itself.
import { i18n } from '../i18n'

const g = i18n.global as unknown as {
  t: (key: string, params?: Record<string, unknown>) => string
  te: (key: string, locale?: string) => boolean
}

function lookup(key: string, fallback: string): string {
  return g.te(key) || g.te(key, 'zh') ? g.t(key) : fallback
}

/** `urn:cpc:45220` → 便携式计算机 (or the code when unknown). */
export function categoryName(urn: string | null | undefined): string {
  if (!urn) return ''
  const code = urn.replace(/^urn:cpc:/i, '')
  return lookup(`common.categories.cpc${code}`, urn)
}
export function categoryCode(urn: string): string {
  return urn.replace(/^urn:cpc:/i, 'CPC ')
}
export function stageName(stage: string): string {
  return lookup(`common.stages.${stage}`, stage)
}
export function boundaryName(b: string): string {
  return lookup(`common.boundary.${b}`, b)
}
export function unitName(u: string): string {
  return lookup(`common.units.${u}`, u)
}
export function roleName(role: string): string {
  return lookup(`common.roles.${role.replace(/-/g, '_')}`, role)
}
export function txKindName(kind: string): string {
  return lookup(`network.txKinds.${kind.replace(/-/g, '_')}`, kind)
}
export function dqrName(k: string): string {
  return lookup(`common.dqr.${k}`, k)
}
