/**
 * Byte encodings the log formats use: strict base64, hex, UTF-8 and
 * little-endian integers.
 *
 * Base64 follows the Rust `base64` crate's `STANDARD` engine, which the
 * ledger uses for entries, proof hashes, checkpoint roots, signature lines
 * and verifier keys: the RFC 4648 alphabet (`+` and `/`), canonical padding
 * required (the length is a multiple of 4), no white space, and unused
 * trailing bits must be zero. So each byte string has exactly one accepted
 * text, and text the ledger refuses is refused here too (the browser's
 * `atob` is laxer: it skips white space and accepts missing padding).
 *
 * This is encoding, not cryptography; hashing and signatures come from the
 * audited `@noble` libraries only.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Char code → 6-bit value, or -1 for a character outside the alphabet. */
const LOOKUP: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1)
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i
  return t
})()

function sextet(s: string, i: number): number {
  const c = s.charCodeAt(i)
  return c < 128 ? (LOOKUP[c] ?? -1) : -1
}

/**
 * Decodes standard base64 strictly (see the module docs); `null` if the text
 * is not the canonical encoding of some byte string.
 */
export function decodeBase64(s: string): Uint8Array | null {
  if (s.length % 4 !== 0) return null
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0
  const out = new Uint8Array((s.length / 4) * 3 - pad)
  let o = 0
  for (let i = 0; i < s.length; i += 4) {
    const last = i + 4 === s.length
    const a = sextet(s, i)
    const b = sextet(s, i + 1)
    if (a < 0 || b < 0) return null
    if (last && pad === 2) {
      // One byte: the low 4 bits of the second character are unused and must be zero.
      if ((b & 0x0f) !== 0) return null
      out[o++] = (a << 2) | (b >> 4)
      break
    }
    const c = sextet(s, i + 2)
    if (c < 0) return null
    if (last && pad === 1) {
      // Two bytes: the low 2 bits of the third character are unused and must be zero.
      if ((c & 0x03) !== 0) return null
      out[o++] = (a << 2) | (b >> 4)
      out[o++] = ((b & 0x0f) << 4) | (c >> 2)
      break
    }
    const d = sextet(s, i + 3)
    if (d < 0) return null
    out[o++] = (a << 2) | (b >> 4)
    out[o++] = ((b & 0x0f) << 4) | (c >> 2)
    out[o++] = ((c & 0x03) << 6) | d
  }
  return out
}

/** Standard base64 with padding (what the ledger writes). */
export function encodeBase64(bytes: Uint8Array): string {
  let s = ''
  let i = 0
  for (; i + 3 <= bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '=='
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8)
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '='
  }
  return s
}

/** Lower-case hex, the form ids and keys take in URLs, JSON and vkeys. */
export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}

/**
 * Decodes hex of exactly `length` bytes, either case (as Rust's `hex` crate
 * does); `null` otherwise.
 */
export function fromHex(s: string, length: number): Uint8Array | null {
  if (s.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(s)) return null
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}

const encoder = new TextEncoder()

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s)
}

/** Length in UTF-8 bytes (what Rust's `str::len` counts), without allocating. */
export function utf8Length(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4
        i++
      } else n += 3
    } else n += 3
  }
  return n
}

/**
 * Whether a JavaScript string is valid Unicode (no unpaired surrogate), i.e.
 * could be a Rust `&str`. Text with an unpaired surrogate has no UTF-8 form.
 */
export function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)
}

/** Byte-wise equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The concatenation of byte strings. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** The little-endian `u32` at `at` (the caller checks `at + 4 <= bytes.length`). */
export function readU32LE(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8) | ((bytes[at + 2] ?? 0) << 16)) + (bytes[at + 3] ?? 0) * 0x1000000
}

/** The little-endian `u64` at `at` (the caller checks `at + 8 <= bytes.length`). */
export function readU64LE(bytes: Uint8Array, at: number): bigint {
  return BigInt(readU32LE(bytes, at)) | (BigInt(readU32LE(bytes, at + 4)) << 32n)
}
