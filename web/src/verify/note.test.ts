import * as ed from '@noble/ed25519'
import { describe, expect, it } from 'vitest'
import { concat, encodeBase64, toHex, utf8, utf8Length } from './bytes'
import './ed25519'
import {
  MAX_NOTE_BYTES,
  MAX_SIGNATURES,
  keyId,
  noteErrorMessage,
  parseCheckpoint,
  parseNote,
  parseVkey,
  toVkey,
  verifyNote,
  type NoteVerifier,
} from './note'

/** A key from a 32-byte seed filled with `b`, as the Rust test kit makes them. */
function signer(b: number, name: string) {
  const seed = new Uint8Array(32).fill(b)
  const verifier: NoteVerifier = { name, key: ed.getPublicKey(seed) }
  const line = (text: string) =>
    `\u2014 ${name} ${encodeBase64(concat(keyId(name, verifier.key), ed.sign(utf8(text), seed)))}`
  return { verifier, line }
}

const ROOT = encodeBase64(new Uint8Array(32).fill(9))
const TEXT = `dev.tanji.local\n5\n${ROOT}\n`

/** A checkpoint of the live devnet, as its validator-0 served it (signed by the Rust node). */
const DEVNET_NOTE =
  'devnet.tanji.local\n54\nJTYhdBK5u1R+Pt5m2NX8reCf2NGxShApBjmWLilnaNA=\n\n' +
  '\u2014 validator-0 DHFO0JEJB0lErAp54Mm3MHVPcKDpKRdhXAL8433zxdC0KEAO5rO4WfeBS5yTSGeDzjWQJ70JK+oJS4MuvshORMnbRwo=\n' +
  '\u2014 validator-1 ZzN3Am+GLQQYydQX23/XLX2Kr283Q3Z0XkA4w4rYQYckLZosnDNdh5gObtih+fQab3seHBg/fBBvf2+sAVZB66SKFQ4=\n' +
  '\u2014 validator-2 8EqFcXv8tGduZSt2+h1Yq6cwwNn0GC4V31zL1xC3e6YbHu3T0iYxGpL9f3Ds5leJ/TrFbxxMS7wmZTCVtGyOmIKnXQo=\n' +
  '\u2014 validator-3 rEK9OU5L4QRrNVNsYBdCOpdD3lKaGqlVda9OBM8y5NMBVjGd/eoX1PA2eFbH56o9JK3bDdrOalhrpEz9HxDwYPeVIQM=\n' +
  '\u2014 observer-0 nxrwU6dcz+cXPlNYrNPfyjfdK/MHQmhnyzZ7bpACwoa8WrTUZLAllNgxfLPxeUPZttrQMFfv42Vk1M0Cw0MrgLORhwU=\n'
const DEVNET_VKEYS = [
  'validator-0+0c714ed0+AV9iTTB9+cZicq7mPMESoqui47eecyGnoYi0d+sOoRBU',
  'validator-1+67337702+AY6A0kOA65Khuf100gyPE48qrQwj8F9Z/QKY2HXGwyV0',
  'validator-2+f04a8571+AcBkKeGv3kCKtub7lntb+OpAcGndL7bWSxuwoiLUeamA',
  'validator-3+ac42bd39+AayaAAjxCcwReCepcB1GuhgFH8Q4yHr+VeLwcJsDovEe',
]

function unwrap<T, E>(r: { ok: true; value: T } | { ok: false; error: E }): T {
  if (!r.ok) throw new Error(`unexpected error: ${JSON.stringify(r.error)}`)
  return r.value
}

describe('checkpoints made by the Rust node', () => {
  it('parse and verify with the network vkeys', () => {
    const keys = DEVNET_VKEYS.map((v) => unwrap(parseVkey(v)))
    keys.forEach((k, i) => expect(toVkey(k)).toBe(DEVNET_VKEYS[i]))
    const note = unwrap(parseNote(DEVNET_NOTE))
    expect(note.signatures).toHaveLength(5)
    const cp = unwrap(parseCheckpoint(note))
    expect(cp.origin).toBe('devnet.tanji.local')
    expect(cp.size).toBe(54n)
    expect(toHex(cp.root)).toBe('2536217412b9bb547e3ede66d8d5fcade09fd8d1b14a10290639962e296768d0')
    expect(verifyNote(note, keys, 3)).toEqual({
      ok: true,
      value: { valid: 4, signers: ['validator-0', 'validator-1', 'validator-2', 'validator-3'], ignored: 1 },
    })
    expect(verifyNote(note, keys, 5)).toEqual({ ok: false, error: { kind: 'not enough signatures', have: 4, need: 5 } })
    const tampered = unwrap(parseNote(DEVNET_NOTE.replace('\n54\n', '\n55\n')))
    expect(verifyNote(tampered, keys, 3)).toEqual({ ok: false, error: { kind: 'bad signature', name: 'validator-0' } })
  })
})

describe('signed notes (ledger/src/checkpoint/note.rs)', () => {
  const v0 = signer(3, 'validator-0')
  const v1 = signer(4, 'validator-1')
  const other = signer(5, 'other')

  it('round-trip and verify', () => {
    const text = `${TEXT}\n${v0.line(TEXT)}\n`
    const note = unwrap(parseNote(text))
    expect(note.text).toBe(TEXT)
    expect(unwrap(parseCheckpoint(note))).toEqual({ origin: 'dev.tanji.local', size: 5n, root: new Uint8Array(32).fill(9) })
    expect(unwrap(verifyNote(note, [v0.verifier], 1)).valid).toBe(1)
    expect(unwrap(parseVkey(toVkey(v0.verifier)))).toEqual(v0.verifier)
  })

  it('count distinct trusted keys; ignore unknown ones; refuse a wrong trusted signature', () => {
    const trusted = [v0.verifier, v1.verifier]
    const note = (...lines: string[]) => unwrap(parseNote(`${TEXT}\n${lines.join('\n')}\n`))
    // A duplicate line counts once.
    expect(verifyNote(note(v0.line(TEXT), v0.line(TEXT)), trusted, 2)).toEqual({
      ok: false,
      error: { kind: 'not enough signatures', have: 1, need: 2 },
    })
    // An unknown signer neither helps nor hurts, even with a wrong signature.
    expect(unwrap(verifyNote(note(other.line('x'), v0.line(TEXT), v1.line(TEXT)), trusted, 2))).toEqual({
      valid: 2,
      signers: ['validator-0', 'validator-1'],
      ignored: 1,
    })
    expect(verifyNote(note(other.line(TEXT)), trusted, 1)).toEqual({
      ok: false,
      error: { kind: 'not enough signatures', have: 0, need: 1 },
    })
    // A trusted line with a wrong signature is an error, even when the quorum is met without it.
    expect(verifyNote(note(v0.line(TEXT), v1.line('other text')), trusted, 1)).toEqual({
      ok: false,
      error: { kind: 'bad signature', name: 'validator-1' },
    })
    // The same name with another key's id is not that key: ignored.
    const impostor = signer(6, 'validator-1')
    expect(unwrap(verifyNote(note(v0.line(TEXT), impostor.line(TEXT)), trusted, 1)).ignored).toBe(1)
    // Quorum 0 still needs one signature; bigint quorums work.
    expect(verifyNote(note(other.line(TEXT)), trusted, 0).ok).toBe(false)
    expect(verifyNote(note(v0.line(TEXT)), trusted, 0).ok).toBe(true)
    expect(verifyNote(note(v0.line(TEXT)), trusted, 2n ** 64n - 1n).ok).toBe(false)
  })

  it('refuse malformed notes (the Rust test cases and more)', () => {
    const cases = [
      '',
      'o\n1\n',
      'o\n1\nAA==\n\n',
      `o\n01\n${ROOT}\n\n\u2014 a AAAA\n`,
      `o\n1\n${ROOT}\n\n- a AAAA\n`,
      '+++Je++++\u0000\u0008\n\n\u2014 \u0001 \n',
      `o\n1\n${ROOT}\n\n`, // no signature line
      `o\n1\n${ROOT}\n\n\u2014 a AAAA`, // no final newline
      `o\n1\n${ROOT}\n\n\u2014 a\n`, // no signature
      `o\n1\n${ROOT}\n\n\u2014 a b AAAA\n`, // signature is not base64
      `o\n1\n${ROOT}\n\n\u2014 a+b AAAA\n`, // bad key name
      `o\t\n1\n${ROOT}\n\n\u2014 a AAAA\n`, // control character in the text
      `o\u0085\n1\n${ROOT}\n\n\u2014 a AAAA\n`, // C1 control character
      `\n\no\n1\n${ROOT}\n\n\u2014 a AAAA\n`,
      `o\n18446744073709551616\n${ROOT}\n\n\u2014 a AAAA\n`,
      `o\n-1\n${ROOT}\n\n\u2014 a AAAA\n`,
      `o\n1\nAAAA\n\n\u2014 a AAAA\n`, // root not 32 bytes
      `o\n1\n\n\u2014 a AAAA\n`, // no root
    ]
    for (const s of cases) {
      const note = parseNote(s)
      expect(note.ok && parseCheckpoint(note.value).ok, JSON.stringify(s)).toBe(false)
    }
  })

  it('accept what C2SP allows', () => {
    // Extension lines after the root, size 0 and u64::MAX, other algorithms' signatures skipped.
    const n = unwrap(parseNote(`o\n18446744073709551615\n${ROOT}\next\n\n\u2014 a AAAA\n\u2014 b \n`))
    expect(n.signatures).toHaveLength(0)
    expect(unwrap(parseCheckpoint(n)).size).toBe(2n ** 64n - 1n)
    expect(unwrap(parseCheckpoint(unwrap(parseNote(`o\n0\n${ROOT}\n\n\u2014 a AAAA\n`)))).size).toBe(0n)
  })

  it('bound size and signature count as Rust does', () => {
    const line = v0.line(TEXT)
    const many = (n: number) => Array.from({ length: n }, () => line)
    expect(parseNote(`${TEXT}\n${many(MAX_SIGNATURES).join('\n')}\n`).ok).toBe(true)
    expect(parseNote(`${TEXT}\n${many(MAX_SIGNATURES + 1).join('\n')}\n`).ok).toBe(false)
    // The count is of kept (68-byte) signatures, checked before each line: a skipped line after 100 is refused...
    expect(parseNote(`${TEXT}\n${[...many(MAX_SIGNATURES), '\u2014 a AAAA'].join('\n')}\n`).ok).toBe(false)
    // ...and skipped lines before them do not count.
    expect(parseNote(`${TEXT}\n${['\u2014 a AAAA', ...many(MAX_SIGNATURES)].join('\n')}\n`).ok).toBe(true)
    // An extension line pads the text to the wanted size.
    const tail = '\n\u2014 a AAAA\n'
    const fill = (bytes: number) => `${TEXT}${'x'.repeat(bytes - utf8Length(`${TEXT}\n${tail}`))}\n${tail}`
    // '—' is 3 UTF-8 bytes: count bytes, not characters.
    const exact = fill(MAX_NOTE_BYTES)
    expect(new TextEncoder().encode(exact).length).toBe(MAX_NOTE_BYTES)
    expect(parseNote(exact).ok).toBe(true)
    const over = parseNote(fill(MAX_NOTE_BYTES + 1))
    expect(over.ok ? '' : noteErrorMessage(over.error)).toBe('malformed note: 16385 bytes, more than 16384')
  })
})

describe('verifier keys (vkeys)', () => {
  const v = signer(3, 'validator-0').verifier
  const vkey = toVkey(v)

  it('parse with surrounding white space and a + in the key', () => {
    expect(unwrap(parseVkey(` ${vkey}\n`))).toEqual(v)
    // Find a key whose base64 contains '+', to check splitn(3, '+').
    for (let b = 0; b < 64; b++) {
      const k = signer(b, 'k').verifier
      const s = toVkey(k)
      if (s.split('+').length > 3) {
        expect(unwrap(parseVkey(s))).toEqual(k)
        return
      }
    }
    throw new Error('no key with a + in its base64')
  })

  it('refuse malformed keys', () => {
    const [name, id, key] = [vkey.split('+')[0]!, vkey.split('+')[1]!, vkey.slice(vkey.indexOf('+', vkey.indexOf('+') + 1) + 1)]
    const identity = encodeBase64(Uint8Array.of(1, 1, ...new Uint8Array(31)))
    const reasons: Array<[string, RegExp]> = [
      [`${name}+${id}`, /expected name\+keyid\+key/],
      [`a b+${id}+${key}`, /printable ASCII/],
      [`+${id}+${key}`, /printable ASCII/],
      [`${name}+${id}+${key.slice(1)}`, /not base64/],
      [`${name}+${id}+${encodeBase64(Uint8Array.of(2, ...v.key))}`, /not an Ed25519 key/],
      [`${name}+${id}+${encodeBase64(v.key)}`, /not an Ed25519 key/],
      [`${name}+${toHex(keyId(name, Uint8Array.of(1, ...new Uint8Array(31))))}+${identity}`, /weak \(small-order\)/],
      [`${name}+00000000+${key}`, /key id does not match/],
      [`${name}+${id.toUpperCase()}+${key}`, /key id does not match/],
      [`other+${id}+${key}`, /key id does not match/],
    ]
    for (const [s, why] of reasons) {
      const r = parseVkey(s)
      expect(r.ok, s).toBe(false)
      if (!r.ok) expect(noteErrorMessage(r.error), s).toMatch(why)
    }
  })
})
