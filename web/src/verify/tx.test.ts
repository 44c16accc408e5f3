import * as ed from '@noble/ed25519'
import { blake3 } from '@noble/hashes/blake3.js'
import { describe, expect, it } from 'vitest'
import { concat, toHex, utf8 } from './bytes'
import './ed25519'
import {
  decodeGenesisValidators,
  decodeSetChange,
  MAX_TX_BYTES,
  TX_KIND_NAMES,
  signedMessage,
  splitEntry,
  txId,
  verifyApproval,
  type SplitTx,
} from './tx'

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n, true)
  return b
}
function u64(n: bigint): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, n, true)
  return b
}
function org(b: number): Uint8Array {
  return new Uint8Array(16).fill(b)
}

const AUTHOR = org(0xa1)
const SEED = new Uint8Array(32).fill(11)
const KEY = ed.getPublicKey(SEED)

/** borsh(TxBody) of an anchor_evidence (tag 4: digest, label) by AUTHOR. */
function body(opts: { network?: Uint8Array; tag?: number; payload?: Uint8Array; author?: Uint8Array } = {}): Uint8Array {
  const network = opts.network ?? utf8('test.tanji.local')
  const label = utf8('meter readings')
  const payload = opts.payload ?? concat(new Uint8Array(32).fill(7), u32(label.length), label)
  return concat(u32(network.length), network, opts.author ?? AUTHOR, u64(42n), Uint8Array.of(opts.tag ?? 4), payload)
}

/** borsh(SignedTx): body ‖ u32 count ‖ approvals. */
function entry(b: Uint8Array, approvals: Array<[Uint8Array, Uint8Array]>): Uint8Array {
  return concat(b, u32(approvals.length), ...approvals.map(([s, sig]) => concat(s, sig)))
}

function sign(b: Uint8Array, seed = SEED): Uint8Array {
  return ed.sign(signedMessage(b), seed)
}

describe('splitting log entries (ledger/src/tx/mod.rs)', () => {
  it('splits header, body and approvals, and computes the id', () => {
    const b = body()
    const second = org(0xb2)
    const e = entry(b, [
      [AUTHOR, sign(b)],
      [second, new Uint8Array(64).fill(3)],
    ])
    const r = splitEntry(e)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const tx = r.value
    expect(tx.body).toEqual(b)
    expect(tx.network).toBe('test.tanji.local')
    expect(tx.authorHex).toBe(toHex(AUTHOR))
    expect(tx.nonce).toBe(42n)
    expect(tx.kind).toBe('anchor_evidence')
    expect(tx.approvals.map((a) => a.signerHex)).toEqual([toHex(AUTHOR), toHex(second)])
    // BLAKE3 in key-derivation mode with the context "tanji/tx-id/v1".
    expect(tx.id).toEqual(blake3(b, { context: utf8('tanji/tx-id/v1') }))
    expect(txId(b)).toEqual(tx.id)
    expect(verifyApproval(tx, 0, KEY)).toBe(true)
    expect(verifyApproval(tx, 1, KEY)).toBe(false)
    expect(verifyApproval(tx, 2, KEY)).toBe(false)
    expect(verifyApproval(tx, 0, ed.getPublicKey(new Uint8Array(32).fill(12)))).toBe(false)
  })

  it('signs the domain-separated message', () => {
    expect(toHex(signedMessage(Uint8Array.of(0xff)))).toBe(toHex(concat(utf8('tanji/tx/v1'), Uint8Array.of(0, 0xff))))
  })

  it('names kinds as Rust TxKind::name() does', () => {
    expect(TX_KIND_NAMES).toHaveLength(18)
    expect(TX_KIND_NAMES[0]).toBe('genesis')
    expect(TX_KIND_NAMES[10]).toBe('issue_certificate')
    expect(TX_KIND_NAMES[14]).toBe('disclose')
    expect(TX_KIND_NAMES[15]).toBe('add_validator')
    expect(TX_KIND_NAMES[16]).toBe('remove_validator')
    expect(TX_KIND_NAMES[17]).toBe('rotate_key')
  })

  it('refuses entries that are not transactions', () => {
    const b = body()
    const good: Array<[Uint8Array, Uint8Array]> = [[AUTHOR, sign(b)]]
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['empty', new Uint8Array(0), /truncated/],
      ['text', utf8('not a transaction'), /truncated/],
      ['no approvals', concat(b, u32(0)), /no approvals/],
      ['count without approvals', concat(b, u32(1)), /no approvals/],
      ['truncated approval', entry(b, good).slice(0, -1), /no approvals/],
      ['trailing byte', concat(entry(b, good), Uint8Array.of(0)), /no approvals/],
      ['first approval not the author', entry(b, [[org(0xb2), sign(b)]]), /first approval must be the author's/],
      [
        'author signs twice',
        entry(b, [
          [AUTHOR, sign(b)],
          [AUTHOR, sign(b)],
        ]),
        /signed twice/,
      ],
      ['unknown kind', entry(body({ tag: 18 }), good), /unknown transaction kind tag 18/],
      ['empty network', entry(body({ network: new Uint8Array(0) }), good), /1..=64 bytes/],
      ['long network', entry(body({ network: utf8('n'.repeat(65)) }), good), /1..=64 bytes/],
      ['network with a space', entry(body({ network: utf8('a b') }), good), /printable ASCII/],
      ['network with a +', entry(body({ network: utf8('a+b') }), good), /printable ASCII/],
      ['non-ASCII network', entry(body({ network: utf8('碳迹') }), good), /printable ASCII/],
      ['reserved network', entry(body({ network: utf8('tanji/tx/v1') }), good), /must not start with 'tanji\/'/],
      ['too large', entry(body({ payload: new Uint8Array(MAX_TX_BYTES) }), good), /more than the limit/],
    ]
    for (const [name, e, why] of cases) {
      const r = splitEntry(e)
      expect(r.ok, name).toBe(false)
      if (!r.ok) expect(r.error, name).toMatch(why)
    }
    // 65 approvals: more than MAX_APPROVALS, never read as a split.
    const many = Array.from({ length: 65 }, (_, i): [Uint8Array, Uint8Array] => [org(i), new Uint8Array(64)])
    many[0] = [AUTHOR, sign(b)]
    expect(splitEntry(entry(b, many)).ok).toBe(false)
    // 64 distinct approvals are fine.
    expect(splitEntry(entry(b, many.slice(0, 64))).ok).toBe(true)
  })

  it('finds the real split when the body or a signature looks like an approvals count', () => {
    // A payload that ends like "count 2, then an approval by the author": the 2-approval reading
    // would start inside the body and list the author twice, so it is dropped.
    const fake = concat(utf8('xxxx'), u32(2), AUTHOR, new Uint8Array(64).fill(5))
    const b = body({ payload: fake })
    const e = entry(b, [[AUTHOR, sign(b)]])
    const r = splitEntry(e)
    expect(r.ok && r.value.body).toEqual(b)
    expect(r.ok && r.value.approvals).toHaveLength(1)
    // The author's signature ending in bytes that read as count 1: the 1-approval reading starts
    // with the second signer, not the author, so it is dropped.
    const sig = new Uint8Array(64).fill(9)
    sig.set(u32(1), 60)
    const b2 = body()
    const e2 = entry(b2, [
      [AUTHOR, sig],
      [org(0xb2), new Uint8Array(64)],
    ])
    const r2 = splitEntry(e2)
    expect(r2.ok && r2.value.body).toEqual(b2)
    expect(r2.ok && r2.value.approvals).toHaveLength(2)
  })
})

/** borsh(String): u32 length ‖ UTF-8. */
function str(s: string): Uint8Array {
  const b = utf8(s)
  return concat(u32(b.length), b)
}

/** Splits a one-approval entry of kind `tag` with `payload`, which must succeed. */
function split(tag: number, payload: Uint8Array): SplitTx {
  const b = body({ tag, payload })
  const r = splitEntry(entry(b, [[AUTHOR, sign(b)]]))
  if (!r.ok) throw new Error(r.error)
  return r.value
}

const OPERATOR = org(0xc3)
const NODE_KEY = ed.getPublicKey(new Uint8Array(32).fill(21))

describe('validator set changes (tags 15 and 16) and the genesis validators', () => {
  it('decodes an add_validator: operator, name and key', () => {
    const tx = split(15, concat(OPERATOR, str('validator-4'), NODE_KEY))
    expect(tx.kind).toBe('add_validator')
    const r = decodeSetChange(tx)
    expect(r).toEqual({
      ok: true,
      value: { change: 'add', node: { operator: OPERATOR, operatorHex: toHex(OPERATOR), name: 'validator-4', key: NODE_KEY } },
    })
  })

  it('decodes a remove_validator: name and reason', () => {
    const tx = split(16, concat(str('validator-0'), str('key compromised')))
    expect(tx.kind).toBe('remove_validator')
    expect(decodeSetChange(tx)).toEqual({ ok: true, value: { change: 'remove', name: 'validator-0', reason: 'key compromised' } })
  })

  it('refuses other kinds and malformed payloads, as the ledger does, without throwing', () => {
    const add = (payload: Uint8Array) => decodeSetChange(split(15, payload))
    const remove = (payload: Uint8Array) => decodeSetChange(split(16, payload))
    const cases: Array<[string, ReturnType<typeof decodeSetChange>, RegExp]> = [
      ['another kind', decodeSetChange(split(4, concat(new Uint8Array(32), str('x')))), /anchor_evidence, not a validator set change/],
      ['empty add', add(new Uint8Array(0)), /truncated: validator.operator/],
      ['add without a key', add(concat(OPERATOR, str('validator-4'))), /truncated: validator.key/],
      ['add with a short key', add(concat(OPERATOR, str('validator-4'), NODE_KEY.slice(1))), /truncated: validator.key/],
      ['add with a trailing byte', add(concat(OPERATOR, str('validator-4'), NODE_KEY, Uint8Array.of(0))), /1 trailing byte/],
      ['add with a name longer than the payload', add(concat(OPERATOR, u32(0xffffffff), NODE_KEY)), /truncated: validator.name/],
      ['add with a name that is not UTF-8', add(concat(OPERATOR, u32(1), Uint8Array.of(0xff), NODE_KEY)), /invalid UTF-8/],
      ['add with a space in the name', add(concat(OPERATOR, str('validator 4'), NODE_KEY)), /validator.name: .*printable ASCII/],
      ['add with a + in the name', add(concat(OPERATOR, str('v+4'), NODE_KEY)), /validator.name/],
      ['add with an empty name', add(concat(OPERATOR, str(''), NODE_KEY)), /validator.name/],
      ['add with a long name', add(concat(OPERATOR, str('v'.repeat(65)), NODE_KEY)), /validator.name/],
      ['add with a small-order key', add(concat(OPERATOR, str('validator-4'), Uint8Array.of(1, ...new Uint8Array(31)))), /validator.key: weak/],
      ['remove without a reason', remove(str('validator-0')), /truncated: reason/],
      ['remove with a blank reason', remove(concat(str('validator-0'), str(' \u3000'))), /reason: must not be empty/],
      ['remove with a control character', remove(concat(str('validator-0'), str('a\nb'))), /reason: must not contain control/],
      ['remove with a long reason', remove(concat(str('validator-0'), str('x'.repeat(1025)))), /reason: 1025 bytes, more than 1024/],
      ['remove of a bad name', remove(concat(str('a b'), str('why'))), /^name: /],
      ['remove with a trailing byte', remove(concat(str('validator-0'), str('why'), Uint8Array.of(0))), /trailing/],
    ]
    for (const [name, r, why] of cases) {
      expect(r.ok, name).toBe(false)
      if (!r.ok) expect(r.error, name).toMatch(why)
    }
    // A 1024-byte reason of multi-byte characters is within the limit.
    expect(remove(concat(str('validator-0'), str('碳'.repeat(341)))).ok).toBe(true)
  })

  it('reads the genesis validators after the founding organisations', () => {
    const orgRecord = (name: string) => concat(str(name), str(`91110000${name}`), new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), Uint8Array.of(0b10000))
    const keys = [21, 22, 23, 24].map((b) => ed.getPublicKey(new Uint8Array(32).fill(b)))
    const validators = keys.map((k, i) => concat(org(0xd0 + i), str(`validator-${i}`), k))
    const payload = concat(u32(2), orgRecord('operator'), orgRecord('regulator'), u32(4), ...validators)
    const r = decodeGenesisValidators(split(0, payload))
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.map((v) => v.name)).toEqual(['validator-0', 'validator-1', 'validator-2', 'validator-3'])
    expect(r.value.map((v) => v.key)).toEqual(keys)
    expect(r.value[2]?.operatorHex).toBe(toHex(org(0xd2)))
    // Not the genesis, truncated, trailing bytes, too many: refused.
    expect(decodeGenesisValidators(split(15, concat(OPERATOR, str('validator-4'), NODE_KEY))).ok).toBe(false)
    expect(decodeGenesisValidators(split(0, payload.slice(0, -1))).ok).toBe(false)
    expect(decodeGenesisValidators(split(0, concat(payload, Uint8Array.of(0)))).ok).toBe(false)
    expect(decodeGenesisValidators(split(0, concat(u32(65)))).ok).toBe(false)
    expect(decodeGenesisValidators(split(0, concat(u32(0), u32(0xffffffff)))).ok).toBe(false)
  })
})
