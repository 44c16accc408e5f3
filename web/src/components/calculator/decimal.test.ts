import { describe, expect, it } from 'vitest'
import { mgDecimalToKg, shiftDecimal } from './decimal'

describe('exact decimals', () => {
  it('moves the point without floats', () => {
    expect(mgDecimalToKg('3705000')).toBe('3.705')
    expect(mgDecimalToKg('244506115')).toBe('244.506115')
    expect(mgDecimalToKg('123.456')).toBe('0.000123456')
    expect(mgDecimalToKg('0')).toBe('0')
    expect(mgDecimalToKg('-1500000')).toBe('-1.5')
    expect(mgDecimalToKg('-0.0')).toBe('0')
    expect(mgDecimalToKg('12345678901234567890.5')).toBe('12345678901234.5678905')
    expect(shiftDecimal('1.5', 0)).toBe('1.5')
    expect(mgDecimalToKg('x')).toBeNull()
    expect(mgDecimalToKg('1e6')).toBeNull()
  })
})
