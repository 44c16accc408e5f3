/**
 * JSON reading that accepts exactly what the Rust verifier (serde_json with
 * serde's derived `Deserialize`) accepts for a bundle.
 *
 * `JSON.parse` is not enough for that, in three ways that matter:
 * - it turns every number into a double, so a `u64` index or size above 2^53
 *   changes value and `3.0` reads as `3`; here numbers keep their source text
 *   and a `u64` field takes only an integer literal that fits 64 bits, as
 *   serde does;
 * - it keeps the last of two equal keys, where serde refuses a duplicate
 *   field; here objects keep every member in order;
 * - it accepts unpaired surrogates (`"\ud800"`), which serde refuses in a
 *   string field.
 *
 * The grammar is RFC 8259's, as serde_json reads it: white space is space,
 * tab, line feed and carriage return; no byte order mark, comments or
 * trailing commas; control characters in strings must be escaped.
 * serde also reads a struct from an array of its fields in declaration
 * order, so {@link readStruct} does too. Unknown fields are ignored.
 *
 * One deliberate difference: nesting deeper than {@link MAX_DEPTH} is refused
 * (serde_json ignores any depth inside an unknown field). A bundle nests four
 * levels deep; the limit only keeps a hostile file from exhausting the stack.
 */

import { err, ok, type Result } from './result'

/** A parsed JSON value; numbers keep their source text, objects their member order. */
export type JsonValue =
  | { readonly type: 'null' }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'number'; readonly text: string }
  | { readonly type: 'string'; readonly value: string; readonly wellFormed: boolean }
  | { readonly type: 'array'; readonly items: readonly JsonValue[] }
  | { readonly type: 'object'; readonly members: ReadonlyArray<readonly [string, JsonValue]> }

/** Deepest nesting of arrays and objects accepted. */
export const MAX_DEPTH = 256

class SyntaxProblem extends Error {}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y

class Parser {
  private pos = 0
  private depth = 0

  constructor(private readonly text: string) {}

  fail(what: string): never {
    // Line and column as serde_json counts them (1-based, column in characters).
    const before = this.text.slice(0, this.pos)
    const line = before.split('\n').length
    const column = this.pos - before.lastIndexOf('\n')
    throw new SyntaxProblem(`${what} at line ${line} column ${column}`)
  }

  skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos)
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++
      else return
    }
  }

  document(): JsonValue {
    this.skipWhitespace()
    const v = this.value()
    this.skipWhitespace()
    if (this.pos < this.text.length) this.fail('trailing characters')
    return v
  }

  value(): JsonValue {
    const c = this.text[this.pos]
    switch (c) {
      case '{':
        return this.object()
      case '[':
        return this.array()
      case '"': {
        const [value, wellFormed] = this.string()
        return { type: 'string', value, wellFormed }
      }
      case 't':
        return this.literal('true', { type: 'boolean', value: true })
      case 'f':
        return this.literal('false', { type: 'boolean', value: false })
      case 'n':
        return this.literal('null', { type: 'null' })
      case undefined:
        return this.fail('EOF while parsing a value')
      default: {
        NUMBER.lastIndex = this.pos
        const m = NUMBER.exec(this.text)
        if (m === null) return this.fail('expected value')
        this.pos += m[0].length
        return { type: 'number', text: m[0] }
      }
    }
  }

  literal(word: string, v: JsonValue): JsonValue {
    if (!this.text.startsWith(word, this.pos)) this.fail('expected value')
    this.pos += word.length
    return v
  }

  enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail('recursion limit exceeded')
    this.pos++
  }

  array(): JsonValue {
    this.enter()
    const items: JsonValue[] = []
    this.skipWhitespace()
    if (this.text[this.pos] === ']') {
      this.pos++
    } else {
      for (;;) {
        this.skipWhitespace()
        items.push(this.value())
        this.skipWhitespace()
        const c = this.text[this.pos]
        if (c === ',') this.pos++
        else if (c === ']') {
          this.pos++
          break
        } else this.fail(c === undefined ? 'EOF while parsing a list' : 'expected `,` or `]`')
      }
    }
    this.depth--
    return { type: 'array', items }
  }

  object(): JsonValue {
    this.enter()
    const members: Array<readonly [string, JsonValue]> = []
    this.skipWhitespace()
    if (this.text[this.pos] === '}') {
      this.pos++
    } else {
      for (;;) {
        this.skipWhitespace()
        if (this.text[this.pos] !== '"') this.fail('key must be a string')
        const [key, wellFormed] = this.string()
        // serde reads a key as a string, which refuses an unpaired surrogate.
        if (!wellFormed) this.fail('lone surrogate in a key')
        this.skipWhitespace()
        if (this.text[this.pos] !== ':') this.fail('expected `:`')
        this.pos++
        this.skipWhitespace()
        members.push([key, this.value()])
        this.skipWhitespace()
        const c = this.text[this.pos]
        if (c === ',') this.pos++
        else if (c === '}') {
          this.pos++
          break
        } else this.fail(c === undefined ? 'EOF while parsing an object' : 'expected `,` or `}`')
      }
    }
    this.depth--
    return { type: 'object', members }
  }

  /** A string at `pos` (on its opening quote): its value, and whether it is free of unpaired surrogates. */
  string(): [string, boolean] {
    this.pos++
    let out = ''
    let start = this.pos
    for (;;) {
      const c = this.text.charCodeAt(this.pos)
      if (Number.isNaN(c)) this.fail('EOF while parsing a string')
      if (c === 0x22) {
        out += this.text.slice(start, this.pos)
        this.pos++
        break
      }
      if (c < 0x20) this.fail('control character (\\u0000-\\u001F) found while parsing a string')
      if (c === 0x5c) {
        out += this.text.slice(start, this.pos)
        this.pos++
        out += this.escape()
        start = this.pos
        continue
      }
      this.pos++
    }
    // Escapes can produce unpaired surrogates; raw text cannot (the input is checked well-formed).
    const wellFormed = !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(out)
    return [out, wellFormed]
  }

  escape(): string {
    const c = this.text[this.pos++]
    switch (c) {
      case '"':
        return '"'
      case '\\':
        return '\\'
      case '/':
        return '/'
      case 'b':
        return '\b'
      case 'f':
        return '\f'
      case 'n':
        return '\n'
      case 'r':
        return '\r'
      case 't':
        return '\t'
      case 'u': {
        const hex = this.text.slice(this.pos, this.pos + 4)
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid escape')
        this.pos += 4
        return String.fromCharCode(parseInt(hex, 16))
      }
      default:
        return this.fail('invalid escape')
    }
  }
}

/** Parses JSON text (see the module docs); the error says what and where. */
export function parseJson(text: string): Result<JsonValue, string> {
  try {
    return ok(new Parser(text).document())
  } catch (e) {
    if (e instanceof SyntaxProblem) return err(e.message)
    throw e
  }
}

/** What a value is, for error messages (serde's wording). */
function describe(v: JsonValue): string {
  switch (v.type) {
    case 'null':
      return 'null'
    case 'boolean':
      return `boolean \`${v.value}\``
    case 'number':
      return /^-?[0-9]+$/.test(v.text) ? `integer \`${v.text}\`` : `floating point \`${v.text}\``
    case 'string':
      return `string ${JSON.stringify(v.value.slice(0, 60))}`
    case 'array':
      return 'sequence'
    case 'object':
      return 'map'
  }
}

/** A serde `String` field. */
export function readString(v: JsonValue): Result<string, string> {
  if (v.type !== 'string') return err(`invalid type: ${describe(v)}, expected a string`)
  if (!v.wellFormed) return err('lone surrogate in a string')
  return ok(v.value)
}

const U64_MAX = 2n ** 64n - 1n

/** A serde `u64` (or 64-bit `usize`) field: an integer literal in 0..=2^64-1, no fraction or exponent. */
export function readU64(v: JsonValue): Result<bigint, string> {
  if (v.type !== 'number') return err(`invalid type: ${describe(v)}, expected u64`)
  if (!/^(?:0|[1-9][0-9]*)$/.test(v.text)) {
    return err(
      v.text.startsWith('-') && /^-[0-9]+$/.test(v.text) && v.text !== '-0'
        ? `invalid value: integer \`${v.text}\`, expected u64`
        : `invalid type: ${describe(v)}, expected u64`,
    )
  }
  const n = BigInt(v.text)
  if (n > U64_MAX) return err(`invalid type: floating point \`${v.text}\`, expected u64`)
  return ok(n)
}

/** A serde `Vec<String>` field. */
export function readStringArray(v: JsonValue): Result<string[], string> {
  if (v.type !== 'array') return err(`invalid type: ${describe(v)}, expected a sequence`)
  const out: string[] = []
  for (const item of v.items) {
    const s = readString(item)
    if (!s.ok) return s
    out.push(s.value)
  }
  return ok(out)
}

/**
 * The fields of a serde struct, in declaration order: from an object
 * (unknown members ignored; a duplicate or missing field is an error) or
 * from an array of that many values in that order.
 *
 * `defaults` names the fields declared `#[serde(default)]`: such a field may
 * be missing from an object, and an array may stop before it (serde's derived
 * `visit_seq` takes the default when the sequence ends at a defaulted field,
 * and refuses a shorter sequence at any other field). A missing defaulted
 * field is absent from the result; the caller supplies the default.
 */
export function readStruct<F extends string, D extends F = never>(
  v: JsonValue,
  name: string,
  fields: readonly F[],
  defaults: readonly D[] = [],
): Result<Record<Exclude<F, D>, JsonValue> & Partial<Record<D, JsonValue>>, string> {
  type Fields = Record<Exclude<F, D>, JsonValue> & Partial<Record<D, JsonValue>>
  const optional: ReadonlySet<string> = new Set(defaults)
  const out: Partial<Record<F, JsonValue>> = {}
  if (v.type === 'array') {
    const expected = `expected struct ${name} with ${fields.length} elements`
    if (v.items.length > fields.length) return err(`trailing characters: ${v.items.length} elements, ${expected}`)
    for (const [i, f] of fields.entries()) {
      const item = v.items[i]
      if (item !== undefined) out[f] = item
      else if (!optional.has(f)) return err(`invalid length ${v.items.length}, ${expected}`)
    }
    return ok(out as Fields)
  }
  if (v.type !== 'object') return err(`invalid type: ${describe(v)}, expected struct ${name}`)
  const known: ReadonlySet<string> = new Set(fields)
  for (const [key, value] of v.members) {
    if (!known.has(key)) continue
    const f = key as F
    if (out[f] !== undefined) return err(`duplicate field \`${key}\``)
    out[f] = value
  }
  for (const f of fields) {
    if (out[f] === undefined && !optional.has(f)) return err(`missing field \`${f}\``)
  }
  return ok(out as Fields)
}
