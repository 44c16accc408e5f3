// Exact decimal text helpers (no floats): the dry run gives each input's
// contribution as an exact decimal of mg; shown in kg by moving the point.

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/

/** `s / 10^shift` for an exact decimal string, without trailing zeros; null when not a decimal. */
export function shiftDecimal(s: string, shift: number): string | null {
  const m = DECIMAL.exec(s.trim())
  if (!m) return null
  const [, sign, int, frac = ''] = m
  const digits = (int! + frac).replace(/^0+(?=\d)/, '')
  const point = digits.length - frac.length - shift
  let whole: string
  let rest: string
  if (point <= 0) {
    whole = '0'
    rest = '0'.repeat(-point) + digits
  } else {
    whole = digits.slice(0, point)
    rest = digits.slice(point)
  }
  whole = whole.replace(/^0+(?=\d)/, '')
  rest = rest.replace(/0+$/, '')
  const zero = /^0*$/.test(whole) && rest === ''
  return `${sign && !zero ? '-' : ''}${whole}${rest ? `.${rest}` : ''}`
}

/** An exact decimal of mg as kg. */
export function mgDecimalToKg(mg: string): string | null {
  return shiftDecimal(mg, 6)
}
