import * as ed from '@noble/ed25519'
import { blake3 } from '@noble/hashes/blake3.js'
import { describe, expect, it } from 'vitest'
import { concat, toHex, utf8 } from './bytes'
import './ed25519'
import { MAX_TX_BYTES, TX_KIND_NAMES, signedMessage, splitEntry, txId, verifyApproval } from './tx'

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
    expect(TX_KIND_NAMES).toHaveLength(15)
    expect(TX_KIND_NAMES[0]).toBe('genesis')
    expect(TX_KIND_NAMES[10]).toBe('issue_certificate')
    expect(TX_KIND_NAMES[14]).toBe('disclose')
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
      ['unknown kind', entry(body({ tag: 15 }), good), /unknown transaction kind tag 15/],
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
