// The footprint model file (authoring/src/model, shared/spec/footprint-model.md)
// as the calculator edits it, sends it to the dry-run and prepare routes
// (`{ model }`, the model file's JSON form) and writes it out as TOML or JSON.
//
// These are request shapes of our own making (the model file format), not API
// responses: the backend documents `model` only as an object.
import type { components } from '../../api/schema'

type Schemas = components['schemas']
export type Stage = Schemas['Stage']
export type Gwp = Schemas['Gwp']

export const STAGES: readonly Stage[] = ['raw-materials', 'production', 'distribution', 'use', 'end-of-life']
export const GWPS: readonly Gwp[] = ['AR6', 'AR5']
export const BOUNDARIES = ['cradle-to-gate', 'cradle-to-grave'] as const
export const PRIVACIES = ['public', 'committed', 'hidden'] as const
/** PACT declared units (ledger/src/carbon/compute/check.rs). */
export const DECLARED_UNITS = [
  'piece',
  'kilogram',
  'liter',
  'cubic meter',
  'kilowatt hour',
  'megajoule',
  'ton kilometer',
  'square meter',
  'hour',
  'megabit second',
] as const
export const DQR_KEYS = ['technological', 'temporal', 'geographical', 'completeness', 'reliability'] as const
export type DqrKey = (typeof DQR_KEYS)[number]

/** One `[[input]]` as the form edits it. */
export interface InputForm {
  /** Upstream footprint (`quantity` of its declared unit) or factor (`amount` in its unit). */
  kind: 'footprint' | 'factor'
  /** Attestation id, or factor `id@version`. */
  ref: string
  /** quantity / amount, exact decimal as typed. */
  amount: string
  stage: Stage
  /** Optional unit (filled from the factor or upstream when empty). */
  unit: string
  packaging: boolean
  /** A name to show next to the reference (not part of the model). */
  label: string
}

/** `[product]` as the form edits it: every value a string as typed. */
export interface ProductForm {
  ids: string[]
  name: string
  category: string
  rule: string
  declared_unit: string
  declared_unit_amount: string
  mass_kg: string
  fossil_carbon_kg: string
  biogenic_carbon_kg: string
  boundary: string
  period_start: string
  period_end: string
  geography: string
  gwp: string
  privacy: string
  primary_data_share: string
  dqr: Record<DqrKey, number>
  supersedes: string
}

export interface ModelForm {
  product: ProductForm
  inputs: InputForm[]
}

/** The model file's JSON form (what `{ model }` carries). */
export interface ModelProductJson {
  ids?: string[]
  name?: string
  category?: string
  rule?: string
  declared_unit?: string
  declared_unit_amount?: string
  mass_kg?: string
  fossil_carbon_kg?: string
  biogenic_carbon_kg?: string
  boundary?: string
  period?: { start?: string; end?: string }
  geography?: string
  gwp?: string
  privacy?: string
  primary_data_share?: string
  dqr?: Partial<Record<DqrKey, number>>
  supersedes?: string
}
export interface ModelInputJson {
  footprint?: string
  factor?: string
  quantity?: string
  amount?: string
  stage?: string
  unit?: string
  packaging?: boolean
}
export interface ModelJson {
  product: ModelProductJson
  input: ModelInputJson[]
}

export function emptyInput(kind: InputForm['kind'] = 'factor'): InputForm {
  return { kind, ref: '', amount: '', stage: kind === 'factor' ? 'production' : 'raw-materials', unit: '', packaging: false, label: '' }
}

export function emptyModel(): ModelForm {
  return {
    product: {
      ids: [''],
      name: '',
      category: '',
      rule: '',
      declared_unit: 'piece',
      declared_unit_amount: '1',
      mass_kg: '',
      fossil_carbon_kg: '',
      biogenic_carbon_kg: '',
      boundary: 'cradle-to-gate',
      period_start: '',
      period_end: '',
      geography: '',
      gwp: 'AR6',
      privacy: 'public',
      primary_data_share: '',
      dqr: { technological: 3, temporal: 3, geographical: 3, completeness: 3, reliability: 3 },
      supersedes: '',
    },
    inputs: [],
  }
}

function put<T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined | ''): void {
  if (v !== undefined && v !== '') o[k] = v as T[K]
}

/**
 * The model object sent to the node and written to files. Values are trimmed;
 * empty optional fields are left out (so that the node names a missing field
 * as missing). Numbers stay strings: decimals are exact only as text.
 */
export function toModelJson(form: ModelForm): ModelJson {
  const p = form.product
  const product: ModelProductJson = {}
  const ids = p.ids.map((s) => s.trim()).filter((s) => s !== '')
  if (ids.length) product.ids = ids
  put(product, 'name', p.name.trim())
  put(product, 'category', p.category.trim())
  put(product, 'rule', p.rule.trim())
  put(product, 'declared_unit', p.declared_unit.trim())
  put(product, 'declared_unit_amount', p.declared_unit_amount.trim())
  put(product, 'mass_kg', p.mass_kg.trim())
  put(product, 'fossil_carbon_kg', p.fossil_carbon_kg.trim())
  put(product, 'biogenic_carbon_kg', p.biogenic_carbon_kg.trim())
  put(product, 'boundary', p.boundary.trim())
  const start = p.period_start.trim()
  const end = p.period_end.trim()
  if (start || end) {
    product.period = {}
    put(product.period, 'start', start)
    put(product.period, 'end', end)
  }
  put(product, 'geography', p.geography.trim())
  put(product, 'gwp', p.gwp.trim())
  put(product, 'privacy', p.privacy.trim())
  put(product, 'primary_data_share', p.primary_data_share.trim())
  product.dqr = { ...p.dqr }
  put(product, 'supersedes', p.supersedes.trim())
  const input = form.inputs.map((i): ModelInputJson => {
    const o: ModelInputJson = {}
    const ref = i.ref.trim()
    const amount = i.amount.trim()
    if (i.kind === 'footprint') {
      o.footprint = ref
      put(o, 'quantity', amount)
    } else {
      o.factor = ref
      put(o, 'amount', amount)
    }
    o.stage = i.stage
    put(o, 'unit', i.unit.trim())
    if (i.packaging) o.packaging = true
    return o
  })
  return { product, input }
}

/** `n / 10^decimals` as an exact decimal string without trailing zeros. */
export function scaledToDecimal(n: number | bigint, decimals: number): string {
  let v = BigInt(n)
  const neg = v < 0n
  if (neg) v = -v
  const s = v.toString().padStart(decimals + 1, '0')
  const int = s.slice(0, s.length - decimals)
  const frac = s.slice(s.length - decimals).replace(/0+$/, '')
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`
}

/** The footprint as the node returns it (the fields prefilling needs). */
type FootprintView = Schemas['FootprintView']

/**
 * A model form prefilled from an attestation on the ledger: product data and
 * inputs as signed. A committed attestation's activity amounts are off-ledger
 * (`amount: null`): those inputs come back with an empty amount.
 * With `asNewVersion`, the model supersedes the attestation.
 */
export function formFromFootprint(fp: FootprintView, asNewVersion = false): ModelForm {
  const form = emptyModel()
  const p = form.product
  p.ids = fp.product.ids.length ? [...fp.product.ids] : ['']
  p.name = fp.product.name
  p.category = fp.product.category
  p.rule = fp.rule ?? ''
  p.declared_unit = fp.declared_unit
  p.declared_unit_amount = scaledToDecimal(fp.declared_unit_amount, 6)
  p.mass_kg = scaledToDecimal(fp.product.mass_mg, 6)
  const carbon = fp.product.carbon
  if (carbon) {
    p.fossil_carbon_kg = scaledToDecimal(carbon.fossil_mg, 6)
    p.biogenic_carbon_kg = scaledToDecimal(carbon.biogenic_mg ?? 0, 6)
  }
  p.boundary = fp.boundary
  p.period_start = fp.period_start
  p.period_end = fp.period_end
  p.geography = fp.geography
  p.gwp = fp.gwp
  p.privacy = fp.privacy_level === 'committed' || fp.privacy_level === 'hidden' ? fp.privacy_level : 'public'
  p.primary_data_share = fp.primary_data_share_bp ? scaledToDecimal(fp.primary_data_share_bp, 2) : ''
  p.dqr = { ...fp.dqr }
  p.supersedes = asNewVersion ? fp.id : ''
  form.inputs = fp.inputs.map((i): InputForm => {
    const isFactor = 'factor' in i.source
    const ref = 'factor' in i.source ? i.source.factor : i.source.upstream
    return {
      kind: isFactor ? 'factor' : 'footprint',
      ref,
      amount: i.amount === null || i.amount === undefined ? '' : scaledToDecimal(i.amount, 6),
      stage: i.stage,
      unit: '',
      packaging: i.packaging,
      label: '',
    }
  })
  return form
}

/** A model form from the model's JSON form (e.g. a model file the user opens). */
export function formFromModelJson(m: ModelJson): ModelForm {
  const form = emptyModel()
  const p = form.product
  // a file may hold numbers where strings belong: keep them as written
  const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v))
  const src = (m.product ?? {}) as Record<string, unknown> & ModelProductJson
  p.ids = Array.isArray(src.ids) && src.ids.length ? src.ids.map(str) : ['']
  p.name = str(src.name)
  p.category = str(src.category)
  p.rule = str(src.rule)
  p.declared_unit = str(src.declared_unit)
  p.declared_unit_amount = str(src.declared_unit_amount)
  p.mass_kg = str(src.mass_kg)
  p.fossil_carbon_kg = str(src.fossil_carbon_kg)
  p.biogenic_carbon_kg = str(src.biogenic_carbon_kg)
  p.boundary = str(src.boundary)
  p.period_start = str(src.period?.start)
  p.period_end = str(src.period?.end)
  p.geography = str(src.geography)
  p.gwp = str(src.gwp)
  p.privacy = str(src.privacy)
  p.primary_data_share = str(src.primary_data_share)
  for (const k of DQR_KEYS) {
    const v = Number(src.dqr?.[k] ?? 3)
    p.dqr[k] = Number.isInteger(v) ? v : 3
  }
  p.supersedes = str(src.supersedes)
  form.inputs = (Array.isArray(m.input) ? m.input : []).map((i): InputForm => {
    const isFactor = i.factor !== undefined
    return {
      kind: isFactor ? 'factor' : 'footprint',
      ref: str(isFactor ? i.factor : i.footprint),
      amount: str(isFactor ? i.amount : i.quantity),
      stage: (STAGES as readonly string[]).includes(str(i.stage)) ? (i.stage as Stage) : 'production',
      unit: str(i.unit),
      packaging: i.packaging === true,
      label: '',
    }
  })
  return form
}

/** A TOML basic string. */
export function tomlString(s: string): string {
  let out = '"'
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0
    if (ch === '"') out += '\\"'
    else if (ch === '\\') out += '\\\\'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`
    else out += ch
  }
  return out + '"'
}

/** The model as a TOML model file (`tanji footprint compute FILE`). */
export function toToml(m: ModelJson): string {
  const lines: string[] = ['[product]']
  const p = m.product
  const order: (keyof ModelProductJson)[] = [
    'ids',
    'name',
    'category',
    'rule',
    'declared_unit',
    'declared_unit_amount',
    'mass_kg',
    'fossil_carbon_kg',
    'biogenic_carbon_kg',
    'boundary',
    'period',
    'geography',
    'gwp',
    'privacy',
    'primary_data_share',
    'supersedes',
  ]
  for (const k of order) {
    const v = p[k]
    if (v === undefined) continue
    if (k === 'ids') lines.push(`ids = [${(v as string[]).map(tomlString).join(', ')}]`)
    else if (k === 'period') {
      const per = v as { start?: string; end?: string }
      const parts: string[] = []
      if (per.start !== undefined) parts.push(`start = ${tomlString(per.start)}`)
      if (per.end !== undefined) parts.push(`end = ${tomlString(per.end)}`)
      lines.push(`period = { ${parts.join(', ')} }`)
    } else lines.push(`${k} = ${tomlString(v as string)}`)
  }
  if (p.dqr) {
    lines.push('', '[product.dqr]')
    for (const k of DQR_KEYS) {
      const v = p.dqr[k]
      if (v !== undefined) lines.push(`${k} = ${Math.trunc(v)}`)
    }
  }
  for (const i of m.input) {
    lines.push('', '[[input]]')
    if (i.footprint !== undefined) lines.push(`footprint = ${tomlString(i.footprint)}`)
    if (i.factor !== undefined) lines.push(`factor = ${tomlString(i.factor)}`)
    if (i.quantity !== undefined) lines.push(`quantity = ${tomlString(i.quantity)}`)
    if (i.amount !== undefined) lines.push(`amount = ${tomlString(i.amount)}`)
    if (i.stage !== undefined) lines.push(`stage = ${tomlString(i.stage)}`)
    if (i.unit !== undefined) lines.push(`unit = ${tomlString(i.unit)}`)
    if (i.packaging) lines.push('packaging = true')
  }
  return lines.join('\n') + '\n'
}

/** A file name for the model (ASCII, from the product name). */
export function modelFileName(m: ModelJson, ext: 'toml' | 'json'): string {
  const base = (m.product.name ?? '')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 48)
  return `${base || 'footprint-model'}.${ext}`
}
