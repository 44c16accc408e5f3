import { describe, expect, it } from 'vitest'
import {
  DecimalError,
  I64_MAX,
  I64_MIN,
  formatBasisPoints,
  formatDecimal,
  formatDecimalFixed,
  formatExactMgAsKg,
  formatKg,
  formatKgFixed,
  formatPercent,
  formatTonnes,
  groupDigits,
  parseDecimal,
  parseExactMg,
  parseKgToMg,
  roundExactMg,
  toBigInt,
} from './exact'

describe('formatKg (Rust format_kg)', () => {
  it('formats exact kilograms with trailing zeros trimmed', () => {
    expect(formatKg('1234567')).toBe('1.234567')
    expect(formatKg(29792850)).toBe('29.79285')
    expect(formatKg(-5)).toBe('-0.000005')
    expect(formatKg(0)).toBe('0')
    expect(formatKg(1_000_000)).toBe('1')
    expect(formatKg(-1_000_000n)).toBe('-1')
    expect(formatKg(100)).toBe('0.0001')
  })

  it('is exact beyond 2^53', () => {
    // 2^53 + 1 is not a double; as a string or bigint it stays exact.
    expect(formatKg('9007199254740993')).toBe('9007199254.740993')
    expect(formatKg(2n ** 53n + 1n)).toBe('9007199254.740993')
    expect(formatKg(I64_MAX)).toBe('9223372036854.775807')
    expect(formatKg(I64_MIN)).toBe('-9223372036854.775808')
  })

  it('refuses numbers that already lost digits, and non-integers', () => {
    expect(() => formatKg(2 ** 53)).toThrow(RangeError)
    expect(() => formatKg(1.5)).toThrow(RangeError)
    expect(() => formatKg(Number.NaN)).toThrow(RangeError)
    expect(() => formatKg('1e3')).toThrow(RangeError)
    expect(() => formatKg('1.0')).toThrow(RangeError)
    expect(() => formatKg('')).toThrow(RangeError)
    expect(toBigInt(Number.MAX_SAFE_INTEGER)).toBe(9007199254740991n)
    expect(toBigInt('+7')).toBe(7n)
  })
})

describe('rounding (Rust round_mg / label_kg: floor(x + 1/2))', () => {
  it('rounds halves up, also for negatives', () => {
    expect(formatKgFixed(2_500_000, 0)).toBe('3')
    expect(formatKgFixed(-2_500_000, 0)).toBe('-2')
    expect(formatKgFixed(2_499_999, 0)).toBe('2')
    expect(formatKgFixed(-2_500_001, 0)).toBe('-3')
    expect(formatKgFixed(1_234_500, 3)).toBe('1.235')
    expect(formatKgFixed(-1_234_500, 3)).toBe('-1.234')
    expect(formatKgFixed(-1_234_501, 3)).toBe('-1.235')
  })

  it('keeps trailing zeros, and never prints -0', () => {
    expect(formatKgFixed(3_000_000, 2)).toBe('3.00')
    expect(formatKgFixed(0, 3)).toBe('0.000')
    expect(formatKgFixed(-400, 3)).toBe('0.000')
    expect(formatKgFixed(-500, 3)).toBe('0.000')
    expect(formatKgFixed(-501, 3)).toBe('-0.001')
    expect(formatKgFixed(499, 3)).toBe('0.000')
    expect(formatKgFixed(500, 3)).toBe('0.001')
    expect(formatKgFixed(-5, 6)).toBe('-0.000005')
  })

  it('matches the label examples of api/src/routes/web.rs', () => {
    // label_kg: 1 decimal from 10 kg, 2 from 1 kg, else 3.
    expect(formatKgFixed(244_450_000, 1)).toBe('244.5')
    expect(formatKgFixed(3_000_000, 2)).toBe('3.00')
    expect(formatKgFixed(21_841_933, 1)).toBe('21.8')
  })

  it('is exact at the i64 extremes', () => {
    expect(formatKgFixed(I64_MAX, 0)).toBe('9223372036855')
    expect(formatKgFixed(I64_MIN, 0)).toBe('-9223372036855')
    expect(formatKgFixed('9007199254740993', 5)).toBe('9007199254.74099')
    expect(formatKgFixed('9007199254740995', 5)).toBe('9007199254.74100')
  })

  it('checks its arguments', () => {
    expect(() => formatKgFixed(1, 7)).toThrow(RangeError)
    expect(() => formatKgFixed(1, -1)).toThrow(RangeError)
    expect(() => formatKgFixed(1, 1.5)).toThrow(RangeError)
    expect(formatDecimalFixed(15, 1, 0)).toBe('2')
    expect(formatDecimalFixed(-15, 1, 0)).toBe('-1')
  })
})

describe('tonnes', () => {
  it('formats exact and rounded tonnes', () => {
    expect(formatTonnes(1_500_000_000)).toBe('1.5')
    expect(formatTonnes(1)).toBe('0.000000001')
    expect(formatTonnes(-1_500_000_000, 0)).toBe('-1')
    expect(formatTonnes(1_500_000_000, 0)).toBe('2')
    expect(formatTonnes(1_234_567_890, 3)).toBe('1.235')
  })
})

describe('groupDigits', () => {
  it('groups the integer part only', () => {
    expect(groupDigits('1234567.891234')).toBe('1,234,567.891234')
    expect(groupDigits('-1234567')).toBe('-1,234,567')
    expect(groupDigits('123')).toBe('123')
    expect(groupDigits('1234')).toBe('1,234')
    expect(groupDigits('0.000005')).toBe('0.000005')
    expect(groupDigits(formatKg(I64_MIN), '\u202f')).toBe('-9\u202f223\u202f372\u202f036\u202f854.775808')
    expect(() => groupDigits('1e5')).toThrow(RangeError)
    expect(() => groupDigits('1,000')).toThrow(RangeError)
  })
})

describe('parseDecimal (Rust parse_decimal)', () => {
  it('reads exact decimals', () => {
    expect(parseDecimal('0.6205', 9)).toBe(620_500_000n)
    expect(parseDecimal('35.2', 6)).toBe(35_200_000n)
    expect(parseDecimal('-1.5', 3)).toBe(-1_500n)
    expect(parseDecimal('12', 0)).toBe(12n)
    expect(parseDecimal('1.2300', 2)).toBe(123n)
    expect(parseDecimal('+7', 0)).toBe(7n)
    expect(parseDecimal('-0', 3)).toBe(0n)
  })

  it('refuses what Rust refuses', () => {
    for (const bad of ['', '.5', '5.', '1e3', '1,5', ' 1', '--1', '0x10', '1.2.3', '+', '-', '١']) {
      expect(() => parseDecimal(bad, 6), bad).toThrow(DecimalError)
      try {
        parseDecimal(bad, 6)
      } catch (e) {
        expect((e as DecimalError).kind, bad).toBe('syntax')
      }
    }
    expect(() => parseDecimal('1.2345', 3)).toThrow(/more than 3 decimals/)
    expect(() => parseDecimal('1'.repeat(31), 0)).toThrow(/out of range/)
    // 30 digits × 10^9 does not fit i128 (Rust: checked_mul fails).
    expect(() => parseDecimal('9'.repeat(30), 9)).toThrow(/out of range/)
  })

  it('round-trips every formatted value', () => {
    const values = [0n, 1n, -1n, 5n, -5n, 620_500_000n, I64_MAX, I64_MIN, 2n ** 53n + 1n, -(10n ** 18n)]
    for (const v of values) {
      for (let d = 0; d < 10; d++) {
        expect(parseDecimal(formatDecimal(v, d), d)).toBe(v)
      }
    }
  })
})

describe('parseKgToMg', () => {
  it('parses user input into milligrams', () => {
    expect(parseKgToMg('1.5')).toBe(1_500_000n)
    expect(parseKgToMg(' 12 ')).toBe(12_000_000n)
    expect(parseKgToMg('-0.000005')).toBe(-5n)
    expect(parseKgToMg('9223372036854.775807')).toBe(I64_MAX)
    expect(parseKgToMg('-9223372036854.775808')).toBe(I64_MIN)
  })

  it('explains what is wrong', () => {
    expect(() => parseKgToMg('1.0000001')).toThrow(/more than 6 decimals/)
    expect(() => parseKgToMg('1,5')).toThrow(/not a decimal number/)
    expect(() => parseKgToMg('1e3')).toThrow(DecimalError)
    expect(() => parseKgToMg('9223372036854.775808')).toThrow(/out of range/)
    expect(() => parseKgToMg('-9223372036854.775809')).toThrow(/out of range/)
  })
})

describe('shares', () => {
  it('rounds percentages half up with BigInt', () => {
    expect(formatPercent(1, 3, 1)).toBe('33.3')
    expect(formatPercent(2, 3, 1)).toBe('66.7')
    expect(formatPercent(1, 8, 1)).toBe('12.5')
    expect(formatPercent(1, 8, 0)).toBe('13')
    expect(formatPercent(1, 200, 0)).toBe('1')
    expect(formatPercent(-1, 200, 0)).toBe('0')
    expect(formatPercent(-3, 200, 0)).toBe('-1')
    expect(formatPercent(1, -8, 1)).toBe('-12.5')
    expect(formatPercent(0, 5, 2)).toBe('0.00')
    expect(formatPercent(5, 0)).toBeNull()
    expect(formatPercent('9007199254740993', '18014398509481986', 3)).toBe('50.000')
    expect(formatPercent(I64_MAX, I64_MAX, 1)).toBe('100.0')
  })

  it('formats basis points', () => {
    expect(formatBasisPoints(8250)).toBe('82.5')
    expect(formatBasisPoints(10_000)).toBe('100')
    expect(formatBasisPoints(1)).toBe('0.01')
  })
})

describe('exact milligram strings (Rust format_exact_mg)', () => {
  it('reads what format_exact_mg writes', () => {
    expect(parseExactMg('21841600')).toBe(21_841_600_000_000_000n)
    expect(parseExactMg('0.000000001')).toBe(1n)
    expect(parseExactMg('-2.5')).toBe(-2_500_000_000n)
    expect(() => parseExactMg('0.0000000001')).toThrow(DecimalError)
  })

  it('converts to exact kilograms', () => {
    expect(formatExactMgAsKg('21841600')).toBe('21.8416')
    expect(formatExactMgAsKg('-2.5')).toBe('-0.0000025')
    expect(formatExactMgAsKg('0.000000001')).toBe('0.000000000000001')
    expect(formatExactMgAsKg('0')).toBe('0')
  })

  it('rounds as round_mg does', () => {
    expect(roundExactMg('2.5')).toBe(3n)
    expect(roundExactMg('-2.5')).toBe(-2n)
    expect(roundExactMg('2.499999999')).toBe(2n)
    expect(roundExactMg('-2.500000001')).toBe(-3n)
    expect(roundExactMg('332.5')).toBe(333n)
    expect(roundExactMg('87.5')).toBe(88n)
    expect(roundExactMg('-35')).toBe(-35n)
  })
})
