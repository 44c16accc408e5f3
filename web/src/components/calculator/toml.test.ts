import { describe, expect, it } from 'vitest'
import fixture from './fixture.laptop.json'
import { parseModelToml, TomlError } from './toml'
import { toToml, type ModelJson } from './model'

const LAPTOP = `[product]
ids = ["urn:gtin:06901234567892"]
name = "京华 X14 笔记本电脑 Jinghua X14 laptop"
category = "urn:cpc:45220"
rule = "pcr-portable-computer@1"
declared_unit = "piece"
declared_unit_amount = "1"
mass_kg = "1.45"
# Carbon contained in the product
fossil_carbon_kg = "0.23"
biogenic_carbon_kg = "0"
boundary = "cradle-to-gate"
period = { start = "2025-01-01", end = "2026-01-01" }
geography = "CN-BJ"
gwp = "AR6"
privacy = "public"
primary_data_share = "62.5"

[product.dqr]
technological = 2
temporal = 1
geographical = 2
completeness = 2
reliability = 2

[[input]]
footprint = "76b1c0c6004da2148c13a973f2122a9351d69fad3fe3cf0a41d01caf57db71bd"
quantity = "1"
stage = "raw-materials"

[[input]]
footprint = "3c13d6006b189e08eb0d3ad725045e0c7853056220ec9926c67c0a6abcc9a7c3"
quantity = "1"
stage = "raw-materials"

[[input]]
footprint = "cf04ba722c847020ba59cb1f03db6c5adc0eac9b7a5f9d64e96eb06266c7270f"
quantity = "1"
stage = "raw-materials"

[[input]]
footprint = "1097e94d992ce11013adf3f3ced9520b588c208e2e769b0ff60b0e62568d0ac8"
quantity = "1"
stage = "raw-materials"

[[input]]
footprint = "f206d4adb2c221fa7cbeb67dae7357e952e40937b8fdab3fb9b3b17da50b9b36"    # final assembly and test
quantity = "4.2"
stage = "production"

[[input]]
factor = "ipcc_diesel_co2@1"          # distribution to the warehouse, 50 MJ diesel
amount = "0.00005"
stage = "distribution"
`

describe('model TOML', () => {
  it('reads the demo laptop model file', () => {
    expect(parseModelToml(LAPTOP)).toEqual(fixture.model)
  })
  it('reads what toToml writes', () => {
    const m = fixture.model as ModelJson
    expect(parseModelToml(toToml(m))).toEqual(m)
  })
  it('keeps numbers as text, bare dates as strings, and multi-line arrays', () => {
    const v = parseModelToml('[product]\nmass_kg = 1.45\nperiod = { start = 2025-01-01 }\nids = [\n "a", # one\n "b",\n]\npackaging = true\n')
    expect(v).toEqual({ product: { mass_kg: '1.45', period: { start: '2025-01-01' }, ids: ['a', 'b'], packaging: true } })
  })
  it('refuses what it does not understand, with the line', () => {
    expect(() => parseModelToml('[product]\nname = "x" y')).toThrow(TomlError)
    expect(() => parseModelToml('a = 1\na = 2')).toThrow(/line 2/)
    expect(() => parseModelToml('x = "unterminated')).toThrow(/unterminated/)
  })
})
