import { describe, expect, it } from 'vitest'
import {
  decodeBase64,
  encodeBase64,
  fromHex,
  isWellFormed,
  readU32LE,
  readU64LE,
  toHex,
  utf8,
  utf8Length,
} from './bytes'
import { parseJson, readStruct, readU64 } from './json'

describe('strict base64 (Rust base64 STANDARD)', () => {
  it('round-trips every length', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff)
      const text = encodeBase64(bytes)
      expect(text).toBe(btoa(String.fromCharCode(...bytes)))
      expect(decodeBase64(text)).toEqual(bytes)
    }
  })

  it('refuses everything that is not the canonical encoding', () => {
    for (const bad of [
      'AA', // padding required
      'AAA',
      'A===',
      '====',
      'AB==', // trailing bits set
      'AAB=',
      'AA==AA==', // padding inside
      ' AAA',
      'AA A',
      'AAAA\n',
      'AA-_', // URL-safe alphabet
      'ÄAAA',
      'A',
    ]) {
      expect(decodeBase64(bad), bad).toBeNull()
    }
    expect(decodeBase64('')).toEqual(new Uint8Array(0))
    expect(decodeBase64('AA==')).toEqual(Uint8Array.of(0))
    expect(decodeBase64('+/+/')).toEqual(Uint8Array.of(0xfb, 0xff, 0xbf))
  })
})

describe('hex, UTF-8 and integers', () => {
  it('decodes hex of the exact length in either case', () => {
    expect(fromHex('00ffAB', 3)).toEqual(Uint8Array.of(0, 255, 0xab))
    expect(fromHex('00ff', 3)).toBeNull()
    expect(fromHex('zz', 1)).toBeNull()
    expect(fromHex('+1', 1)).toBeNull()
    expect(toHex(Uint8Array.of(0, 1, 0xfe))).toBe('0001fe')
  })

  it('counts UTF-8 bytes as Rust does', () => {
    for (const s of ['', 'a', '碳迹', '— ', '😀x', 'é']) expect(utf8Length(s)).toBe(utf8(s).length)
    expect(isWellFormed('😀')).toBe(true)
    expect(isWellFormed('\ud83d')).toBe(false)
    expect(isWellFormed('a\ude00')).toBe(false)
  })

  it('reads little-endian integers', () => {
    const b = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0x80)
    expect(readU32LE(b, 0)).toBe(0xffffffff)
    expect(readU64LE(b, 0)).toBe(0x80000001ffffffffn)
  })
})

describe('JSON as serde_json reads a bundle', () => {
  it('keeps numbers exact and refuses non-integers for u64', () => {
    const v = parseJson('{"a": 18446744073709551615, "b": 18446744073709551616, "c": 3.0, "d": -1, "e": 1e2, "f": -0}')
    expect(v.ok).toBe(true)
    if (!v.ok || v.value.type !== 'object') return
    const get = (k: string) => v.value.type === 'object' ? v.value.members.find(([m]) => m === k)![1] : v.value
    expect(readU64(get('a'))).toEqual({ ok: true, value: 2n ** 64n - 1n })
    for (const k of ['b', 'c', 'd', 'e', 'f']) expect(readU64(get(k)).ok, k).toBe(false)
  })

  it('reads structs from objects and arrays, refusing duplicates and missing fields', () => {
    const fields = ['x', 'y'] as const
    const read = (text: string) => {
      const v = parseJson(text)
      return v.ok ? readStruct(v.value, 'S', fields) : v
    }
    expect(read('{"y": 1, "x": 2, "z": {"deep": [1]}}').ok).toBe(true)
    expect(read('[2, 1]').ok).toBe(true)
    expect(read('[2]').ok).toBe(false)
    expect(read('[2, 1, 0]').ok).toBe(false)
    expect(read('{"x": 1, "x": 1, "y": 2}')).toEqual({ ok: false, error: 'duplicate field `x`' })
    expect(read('{"x": 1, "z": 1, "z": 2, "y": 2}').ok).toBe(true) // unknown duplicates are ignored
    expect(read('{"x": 1}')).toEqual({ ok: false, error: 'missing field `y`' })
    expect(read('"text"').ok).toBe(false)
  })

  it('follows the JSON grammar strictly', () => {
    for (const bad of [
      '',
      '{',
      '{"a":1,}',
      '[1,]',
      '01',
      '1.',
      '.5',
      '+1',
      'NaN',
      '"\u0001"',
      '"\\x"',
      '"\\u12"',
      '{a:1}',
      '\ufeff{}',
      '{} x',
      '// c\n{}',
      "'a'",
      '{"\\ud800": 1}',
    ]) {
      expect(parseJson(bad).ok, bad).toBe(false)
    }
    for (const good of [' {"a" : [ 1 , -2.5e-3 , true , false , null , "\\u00e9\\ud83d\\ude00\\n" ] } ', '[]', '{}', '0']) {
      expect(parseJson(good).ok, good).toBe(true)
    }
    const s = parseJson('"\\ud800"')
    expect(s.ok && s.value.type === 'string' && !s.value.wellFormed).toBe(true)
    expect(parseJson('['.repeat(300) + ']'.repeat(300)).ok).toBe(false)
    const err = parseJson('{\n  "a": x}')
    expect(err.ok ? '' : err.error).toMatch(/line 2 column 8/)
  })
})
