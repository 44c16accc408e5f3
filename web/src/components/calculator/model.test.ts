import { describe, expect, it } from 'vitest'
import fixture from './fixture.laptop.json'
import type { components } from '../../api/schema'
import {
  emptyModel,
  formFromFootprint,
  formFromModelJson,
  modelFileName,
  scaledToDecimal,
  toModelJson,
  toToml,
  tomlString,
  type ModelJson,
} from './model'

const footprint = fixture.footprint as unknown as components['schemas']['FootprintView']
const laptopModel = fixture.model as ModelJson

describe('model', () => {
  it('formats scaled integers exactly', () => {
    expect(scaledToDecimal(50, 6)).toBe('0.00005')
    expect(scaledToDecimal(4200000, 6)).toBe('4.2')
    expect(scaledToDecimal(1000000, 6)).toBe('1')
    expect(scaledToDecimal(0, 6)).toBe('0')
    expect(scaledToDecimal(6250, 2)).toBe('62.5')
    expect(scaledToDecimal(9007199254740993n, 6)).toBe('9007199254.740993')
  })

  it('prefills the demo laptop from its attestation exactly as its model file', () => {
    expect(toModelJson(formFromFootprint(footprint))).toEqual(laptopModel)
  })

  it('marks a new version as superseding the attestation', () => {
    expect(toModelJson(formFromFootprint(footprint, true)).product.supersedes).toBe(footprint.id)
  })

  it('round-trips the JSON form', () => {
    expect(toModelJson(formFromModelJson(laptopModel))).toEqual(laptopModel)
  })

  it('leaves empty optional fields out and keeps decimals as strings', () => {
    const f = emptyModel()
    f.inputs.push({ kind: 'factor', ref: ' x@1 ', amount: ' 0.5 ', stage: 'production', unit: '', packaging: false, label: 'x' })
    const m = toModelJson(f)
    expect(m.product.name).toBeUndefined()
    expect(m.product.period).toBeUndefined()
    expect(m.product.rule).toBeUndefined()
    expect(m.product.declared_unit_amount).toBe('1')
    expect(m.input).toEqual([{ factor: 'x@1', amount: '0.5', stage: 'production' }])
  })

  it('writes the TOML model file', () => {
    const toml = toToml(laptopModel)
    expect(toml.startsWith('[product]\nids = ["urn:gtin:06901234567892"]\n')).toBe(true)
    expect(toml).toContain('period = { start = "2025-01-01", end = "2026-01-01" }\n')
    expect(toml).toContain('\n[product.dqr]\ntechnological = 2\n')
    expect(toml).toContain(
      '\n[[input]]\nfactor = "ipcc_diesel_co2@1"\namount = "0.00005"\nstage = "distribution"\n',
    )
    expect(toml.split('[[input]]').length - 1).toBe(6)
    // [product.dqr] comes after every [product] key
    expect(toml.indexOf('primary_data_share')).toBeLessThan(toml.indexOf('[product.dqr]'))
  })

  it('escapes TOML strings', () => {
    expect(tomlString('a"b\\c\nd\u0001')).toBe('"a\\"b\\\\c\\nd\\u0001"')
    expect(tomlString('京华')).toBe('"京华"')
  })

  it('names the file after the product', () => {
    expect(modelFileName(laptopModel, 'toml')).toBe('x14-jinghua-x14-laptop.toml')
    expect(modelFileName({ product: {}, input: [] }, 'json')).toBe('footprint-model.json')
  })
})
