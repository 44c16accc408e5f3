/**
 * Exact figures: how the platform shows the ledger's integer CO2e amounts.
 *
 * The ledger stores every footprint as integer milligrams CO2e (`i64`, may be
 * negative: biogenic removals) and the API serves them as JSON numbers or
 * decimal strings. A JavaScript `number` is exact only up to 2^53, so every
 * function here takes `number | bigint | string` and computes with `BigInt`
 * only: no value is ever converted to a float, so what the page shows is
 * digit for digit what the ledger holds.
 *
 * Semantics mirror the Rust code that produces the same figures elsewhere
 * (API, CLI, PACT, labels), so the page and the node never disagree:
 * - exact decimals: `ledger/src/carbon/units.rs` `format_decimal` / `format_kg`
 *   (no trailing zeros, `-0.000005` for -5 mg);
 * - rounding: half up, i.e. `floor(x + 1/2)`, also for negatives
 *   (-2.5 → -2, 2.5 → 3), as `ledger/src/carbon/compute/mod.rs` `round_mg`
 *   and the carbon label's `label_kg` (`api/src/routes/web.rs`) round;
 * - parsing: `ledger/src/carbon/units.rs` `parse_decimal` (plain decimals
 *   only, no exponent, no more decimals than the unit holds, no rounding).
 *
 * Invariant: for every `i64` value `v` and `d` in 0..=9,
 * `parseDecimal(formatDecimal(v, d), d) === v` (the Rust proptest's property).
 */

/** An integer as the API may deliver it: a JSON number (exact only up to 2^53), a bigint, or a string of digits. */
export type Integer = number | bigint | string

/** Milligrams per kilogram. */
const MG_PER_KG_DECIMALS = 6
/** Milligrams per tonne (10^9). */
const MG_PER_T_DECIMALS = 9
/** Picograms (the exact unit of `format_exact_mg`, 10^-9 mg) per milligram, as decimals. */
const EXACT_MG_DECIMALS = 9

/** Smallest and largest `i64`: the range of a stored footprint figure. */
export const I64_MIN = -(2n ** 63n)
export const I64_MAX = 2n ** 63n - 1n
/** Largest `i128`, the range of Rust's `parse_decimal`. */
const I128_MAX = 2n ** 127n - 1n

/** Why a decimal string could not be read exactly (mirrors Rust's `DecimalError`). */
export class DecimalError extends Error {
  /** `syntax`: not a plain decimal; `too-precise`: more decimals than allowed; `out-of-range`: too large. */
  readonly kind: 'syntax' | 'too-precise' | 'out-of-range'

  constructor(kind: 'syntax' | 'too-precise' | 'out-of-range', message: string) {
    super(message)
    this.name = 'DecimalError'
    this.kind = kind
  }
}

/**
 * Converts an {@link Integer} to a bigint without ever going through a float.
 *
 * A `number` must be a safe integer (|n| ≤ 2^53 - 1): a larger one has
 * already lost digits when the JSON was parsed, and formatting it would show
 * a figure the ledger never held. A string must be `[+-]?digits`.
 *
 * @throws RangeError for a non-integer, unsafe or malformed value.
 */
export function toBigInt(value: Integer): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`${value} is not an exact integer (JSON numbers are exact only up to 2^53 - 1; pass a string)`)
    }
    return BigInt(value)
  }
  if (!/^[+-]?[0-9]+$/.test(value)) {
    throw new RangeError(`${JSON.stringify(value.slice(0, 60))} is not an integer`)
  }
  return BigInt(value)
}

/** 10^n as a bigint. */
function pow10(n: number): bigint {
  return 10n ** BigInt(n)
}

/** Floor division (BigInt `/` truncates toward zero; Rust's `div_euclid` floors for positive divisors). */
function divFloor(a: bigint, b: bigint): bigint {
  const q = a / b
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q
}

function checkDecimals(decimals: number, max: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > max) {
    throw new RangeError(`decimals must be an integer in 0..=${max}, got ${decimals}`)
  }
}

/**
 * `value × 10^-decimals` as an exact decimal string without trailing zeros:
 * Rust's `format_decimal` (`ledger/src/carbon/units.rs`).
 * `formatDecimal(620500000n, 9) === "0.6205"`, `formatDecimal(-5n, 6) === "-0.000005"`.
 */
export function formatDecimal(value: Integer, decimals: number): string {
  checkDecimals(decimals, 38)
  const v = toBigInt(value)
  const neg = v < 0n
  const abs = neg ? -v : v
  const scale = pow10(decimals)
  const int = abs / scale
  const frac = abs % scale
  let s = (neg ? '-' : '') + int.toString()
  if (frac !== 0n) {
    s += '.' + frac.toString().padStart(decimals, '0').replace(/0+$/, '')
  }
  return s
}

/**
 * `value × 10^-decimals` rounded half up (`floor(x + 1/2)`, so -2.5 → -2) to
 * exactly `places` decimals, trailing zeros kept ("3.00"): the rounding of
 * `round_mg` and of the carbon label's `label_kg`.
 */
export function formatDecimalFixed(value: Integer, decimals: number, places: number): string {
  checkDecimals(decimals, 38)
  checkDecimals(places, decimals)
  const v = toBigInt(value)
  const unit = pow10(decimals - places)
  // floor((2v + unit) / 2unit) = floor(v/unit + 1/2): one integer division, no float.
  const rounded = divFloor(2n * v + unit, 2n * unit)
  const neg = rounded < 0n
  const abs = neg ? -rounded : rounded
  const scale = pow10(places)
  const int = (abs / scale).toString()
  const frac = places > 0 ? '.' + (abs % scale).toString().padStart(places, '0') : ''
  return (neg ? '-' : '') + int + frac
}

/**
 * Milligrams CO2e as exact kilograms, trailing zeros trimmed: Rust's
 * `format_kg` (`ledger/src/carbon/units.rs`), which the API uses for every
 * `*_kg` field. `formatKg("1234567") === "1.234567"`, `formatKg(-5) === "-0.000005"`, `formatKg(0) === "0"`.
 */
export function formatKg(mg: Integer): string {
  return formatDecimal(mg, MG_PER_KG_DECIMALS)
}

/**
 * Milligrams CO2e as kilograms rounded half up to `decimals` (0..=6) places,
 * trailing zeros kept: the label's rounding (`label_kg` in
 * `api/src/routes/web.rs`, which is `round_mg`'s rule: `floor(x + 1/2)`).
 * `formatKgFixed(2_500_000, 0) === "3"`, `formatKgFixed(-2_500_000, 0) === "-2"`, `formatKgFixed(3_000_000, 2) === "3.00"`.
 */
export function formatKgFixed(mg: Integer, decimals: number): string {
  return formatDecimalFixed(mg, MG_PER_KG_DECIMALS, decimals)
}

/**
 * Milligrams CO2e as tonnes: exact (trailing zeros trimmed) without
 * `decimals`, else rounded half up to `decimals` (0..=9) places.
 * `formatTonnes(1_500_000_000) === "1.5"`.
 */
export function formatTonnes(mg: Integer, decimals?: number): string {
  return decimals === undefined
    ? formatDecimal(mg, MG_PER_T_DECIMALS)
    : formatDecimalFixed(mg, MG_PER_T_DECIMALS, decimals)
}

/**
 * Groups the integer digits of a decimal string in threes for display
 * ("-1234567.891" → "-1,234,567.891"); the fraction is left as it is, so no
 * digit is lost or added. `separator` defaults to ",", e.g. "\u202f" (narrow
 * no-break space) for SI style.
 *
 * @throws RangeError if `decimal` is not `-?digits(.digits)?` (what the formatters here produce).
 */
export function groupDigits(decimal: string, separator = ','): string {
  const m = /^(-?)([0-9]+)(\.[0-9]+)?$/.exec(decimal)
  if (m === null) throw new RangeError(`${JSON.stringify(decimal.slice(0, 60))} is not a plain decimal`)
  const [, sign = '', int = '', frac = ''] = m
  return sign + int.replace(/\B(?=(\d{3})+(?!\d))/g, separator) + frac
}

/**
 * Parses a decimal string into an integer count of `10^-decimals` units,
 * exactly: Rust's `parse_decimal` (`ledger/src/carbon/units.rs`).
 * `parseDecimal("0.6205", 9) === 620500000n`. Accepts an optional sign, digits,
 * and an optional point followed by at least one digit; trailing zeros beyond
 * `decimals` are fine ("1.2300" with 2 decimals), other digits are
 * `too-precise`, never rounded. More than 30 integer digits, or a result
 * beyond `i128`, is `out-of-range`.
 *
 * @throws DecimalError
 */
export function parseDecimal(text: string, decimals: number): bigint {
  checkDecimals(decimals, 38)
  const shown = JSON.stringify([...text].slice(0, 60).join(''))
  const syntax = () =>
    new DecimalError('syntax', `${shown} is not a decimal number (digits with an optional sign and point, no exponent)`)
  let neg = false
  let body = text
  if (body.startsWith('-')) {
    neg = true
    body = body.slice(1)
  } else if (body.startsWith('+')) {
    body = body.slice(1)
  }
  const point = body.indexOf('.')
  const int = point < 0 ? body : body.slice(0, point)
  const frac = point < 0 ? '' : body.slice(point + 1)
  if (int === '' || !/^[0-9]*$/.test(int) || !/^[0-9]*$/.test(frac)) throw syntax()
  if (point >= 0 && frac === '') throw syntax()
  const fracTrimmed = frac.replace(/0+$/, '')
  if (fracTrimmed.length > decimals) {
    throw new DecimalError('too-precise', `${shown} has more than ${decimals} decimals`)
  }
  if (int.length > 30) throw new DecimalError('out-of-range', `${shown} is out of range`)
  const v = BigInt(int + fracTrimmed.padEnd(decimals, '0'))
  // Rust computes in i128 and reports an overflow as out of range.
  if (v > I128_MAX) throw new DecimalError('out-of-range', `${shown} is out of range`)
  return neg ? -v : v
}

/**
 * Parses kilograms typed by a person ("1.5", "-0.000005", " 12 ") into
 * integer milligrams: at most 6 decimals (one milligram), within `i64`.
 * Surrounding white space is ignored; everything else follows
 * {@link parseDecimal} (no exponent, no grouping separators, no rounding).
 *
 * @throws DecimalError with a message fit to show next to the input.
 */
export function parseKgToMg(text: string): bigint {
  const mg = parseDecimal(text.trim(), MG_PER_KG_DECIMALS)
  if (mg < I64_MIN || mg > I64_MAX) {
    throw new DecimalError('out-of-range', `${JSON.stringify(text.trim().slice(0, 60))} kg is out of range`)
  }
  return mg
}

/**
 * `part / whole` as a percentage rounded half up (`floor(x + 1/2)`) to
 * `decimals` places, trailing zeros kept: `formatPercent(1, 3, 1) === "33.3"`,
 * `formatPercent(1, 8, 1) === "12.5"`. All BigInt; `null` when `whole` is 0
 * (a share of nothing is undefined, not 0 %).
 */
export function formatPercent(part: Integer, whole: Integer, decimals = 1): string | null {
  checkDecimals(decimals, 18)
  let p = toBigInt(part)
  let w = toBigInt(whole)
  if (w === 0n) return null
  if (w < 0n) {
    p = -p
    w = -w
  }
  // The percentage in units of 10^-decimals: p × 100 × 10^decimals / w, rounded half up.
  const scaled = p * 100n * pow10(decimals)
  const rounded = divFloor(2n * scaled + w, 2n * w)
  return formatDecimalFixed(rounded, decimals, decimals)
}

/**
 * Basis points as an exact percentage without trailing zeros
 * (`primary_data_share_bp` 8250 → "82.5"), as PACT documents show it.
 */
export function formatBasisPoints(bp: Integer): string {
  return formatDecimal(bp, 2)
}

/**
 * Reads an exact milligram figure as the API serves it (`mg_exact`, made by
 * Rust's `format_exact_mg`: up to 9 decimals, no trailing zeros, e.g.
 * "21841600", "-2.5", "0.000000001") into exact units of 10^-9 mg.
 *
 * @throws DecimalError if the text is not such a figure.
 */
export function parseExactMg(mgExact: string): bigint {
  return parseDecimal(mgExact, EXACT_MG_DECIMALS)
}

/**
 * An exact milligram figure (`mg_exact`) as exact kilograms, trailing zeros
 * trimmed (up to 15 decimals): "21841600" → "21.8416", "-2.5" → "-0.0000025".
 *
 * @throws DecimalError if the text is not such a figure.
 */
export function formatExactMgAsKg(mgExact: string): string {
  return formatDecimal(parseExactMg(mgExact), EXACT_MG_DECIMALS + MG_PER_KG_DECIMALS)
}

/**
 * An exact milligram figure (`mg_exact`) rounded to whole milligrams the way
 * the ledger rounds it (`round_mg`: `floor((exact + 5·10^8) / 10^9)`, half up
 * also for negatives: "-2.5" → -2n, "2.5" → 3n, "2.4999" → 2n).
 *
 * @throws DecimalError if the text is not such a figure.
 */
export function roundExactMg(mgExact: string): bigint {
  const exact = parseExactMg(mgExact)
  return divFloor(exact + 500_000_000n, 1_000_000_000n)
}
