/**
 * Following validator set changes from pinned keys, on chains built here
 * with keys made here: every refusal of Rust's `follow`
 * (`ledger/src/bundle/set_changes.rs`), including those the shared vectors
 * do not cover (an added name or key already in the set, a removed name not
 * in it, the cap on validators, more than 256 links). The shared vectors
 * (`vectors.test.ts`) check agreement with Rust on the chains Rust builds.
 *
 * The chain: entry 0 an anchor (the entry the bundles prove), entry 1 the
 * change (its batch ends at size 2, a checkpoint the genesis set signs),
 * entry 2 another anchor; the bundle's checkpoint is at size 3, signed by
 * the set after the change.
 */
import * as ed from '@noble/ed25519'
import { describe, expect, it } from 'vitest'
import { MAX_SET_CHANGES, verifyCertificateBundle, verifyInclusionBundle, type BundleResult, type VerifyOptions } from './bundle'
import { concat, encodeBase64, utf8 } from './bytes'
import './ed25519'
import { hashChildren, hashLeaf } from './merkle'
import { keyId, toVkey } from './note'
import { splitEntry } from './tx'

const NETWORK = 'test.tanji.local'
const AUTHOR = new Uint8Array(16).fill(0xa1)
const OPERATOR = new Uint8Array(16).fill(0xc3)

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
function str(s: string): Uint8Array {
  const b = utf8(s)
  return concat(u32(b.length), b)
}
const b64 = encodeBase64

interface Key {
  readonly name: string
  readonly seed: Uint8Array
  readonly key: Uint8Array
}
function nodeKey(name: string, fill: number): Key {
  const seed = new Uint8Array(32).fill(fill)
  return { name, seed, key: ed.getPublicKey(seed) }
}
const V = Array.from({ length: 6 }, (_, i) => nodeKey(`validator-${i}`, 40 + i))
const [V0, V1, V2, V3, V4] = V as [Key, Key, Key, Key, Key, Key]
const GENESIS = [V0, V1, V2, V3]
const PINNED: NonNullable<VerifyOptions['pinned']> = { validators: GENESIS.map((k) => toVkey(k)), quorum: 3 }

/** borsh(SignedTx) with one approval (its signature is not checked by bundles). */
function tx(tag: number, payload: Uint8Array, nonce: bigint, network = NETWORK): Uint8Array {
  const n = utf8(network)
  const body = concat(u32(n.length), n, AUTHOR, u64(nonce), Uint8Array.of(tag), payload)
  return concat(body, u32(1), AUTHOR, new Uint8Array(64))
}
const anchor = (nonce: number) => tx(4, concat(new Uint8Array(32).fill(nonce), str('evidence')), BigInt(nonce))
const add = (k: Pick<Key, 'name' | 'key'>, network = NETWORK) => tx(15, concat(OPERATOR, str(k.name), k.key), 10n, network)
const remove = (name: string) => tx(16, concat(str(name), str('key compromised')), 10n)

/** A C2SP checkpoint note signed by `signers`. */
function note(size: number, root: Uint8Array, signers: readonly Key[], origin = NETWORK): string {
  const text = `${origin}\n${size}\n${b64(root)}\n`
  const lines = signers.map((k) => `— ${k.name} ${b64(concat(keyId(k.name, k.key), ed.sign(utf8(text), k.seed)))}\n`)
  return `${text}\n${lines.join('')}`
}

interface Chain {
  readonly inclusion: Record<string, unknown>
  readonly certificate: Record<string, unknown>
  readonly link: Record<string, unknown>
}

/** The chain of the module docs with `change` as entry 1. */
function chain(change: Uint8Array, linkSigners: readonly Key[], finalSigners: readonly Key[], linkOrigin = NETWORK): Chain {
  const e0 = anchor(1)
  const e2 = anchor(2)
  const [l0, l1, l2] = [e0, change, e2].map(hashLeaf) as [Uint8Array, Uint8Array, Uint8Array]
  const root2 = hashChildren(l0, l1)
  const root3 = hashChildren(root2, l2)
  const split = splitEntry(e0)
  if (!split.ok) throw new Error(split.error)
  const link = { index: 1, entry: b64(change), proof: [b64(l0)], checkpoint: note(2, root2, linkSigners, linkOrigin) }
  const checkpoint = note(3, root3, finalSigners)
  const validators = finalSigners.map((k) => toVkey(k))
  const quorum = Math.floor((2 * finalSigners.length) / 3) + 1
  return {
    link,
    inclusion: {
      format: 'tanji-inclusion-bundle/v1',
      tx_id: split.value.idHex,
      index: 0,
      entry: b64(e0),
      proof: [b64(l1), b64(l2)],
      checkpoint,
      validators,
      quorum,
      set_changes: [link],
    },
    certificate: {
      format: 'tanji-certificate-bundle/v1',
      certificate: 'CERT-TEST',
      checkpoint,
      validators,
      quorum,
      set_changes: [link],
      entries: [{ index: 0, entry: b64(e0), proof: [b64(l1), b64(l2)] }],
    },
  }
}

/** Verifies an inclusion bundle with the genesis keys pinned, other keys, or (`null`) the bundle's own. */
function verify(bundle: Record<string, unknown>, pinned: VerifyOptions['pinned'] | null = PINNED): BundleResult {
  return verifyInclusionBundle(JSON.stringify(bundle), pinned === null ? {} : { pinned })
}

/** `bundle` with its first link edited by `f`. */
function withLink(bundle: Record<string, unknown>, f: (link: Record<string, unknown>) => void): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(bundle)) as { set_changes: Array<Record<string, unknown>> }
  const first = copy.set_changes[0]
  if (first !== undefined) f(first)
  return copy
}

/** The last check failed with `check`, and its detail matches `why`. */
function failsAt(r: BundleResult, check: string, why: RegExp): void {
  const last = r.checks[r.checks.length - 1]
  expect(r.verdict, JSON.stringify(r.checks, null, 1)).toBe(`failed: ${check}`)
  expect(last?.ok).toBe(false)
  expect(last?.detail).toMatch(why)
}

describe('following validator set changes from pinned keys', () => {
  it('follows an addition: the new set of five signs with its quorum of four', () => {
    const c = chain(add(V4), [V0, V1, V2], [V1, V2, V3, V4])
    const r = verify(c.inclusion)
    expect(r.verdict, JSON.stringify(r.checks, null, 1)).toBe('verified')
    expect(r.setChangesFollowed).toBe(1)
    expect(r.setChanges).toEqual([{ index: '1', change: 'add', name: 'validator-4', checkpointSize: '2', validators: 5, quorum: 4 }])
    expect(r.quorum).toBe(4)
    expect(r.signers).toEqual(['validator-1', 'validator-2', 'validator-3', 'validator-4'])
    expect(r.checks.map((k) => k.check)).toContain('set change')
    // Three signatures are not the new set's quorum.
    failsAt(verify(chain(add(V4), [V0, V1, V2], [V1, V2, V4]).inclusion), 'quorum', /3 valid signatures from trusted keys, 4 required/)
    // The certificate bundle follows the same links.
    const cert = verifyCertificateBundle(JSON.stringify(c.certificate), { pinned: PINNED })
    expect(cert.verdict, JSON.stringify(cert.checks, null, 1)).toBe('verified')
    expect(cert.setChangesFollowed).toBe(1)
  })

  it('follows a removal: the three left sign with their quorum of three', () => {
    const r = verify(chain(remove('validator-0'), [V0, V1, V2], [V1, V2, V3]).inclusion)
    expect(r.verdict, JSON.stringify(r.checks, null, 1)).toBe('verified')
    expect(r.setChanges).toEqual([{ index: '1', change: 'remove', name: 'validator-0', checkpointSize: '2', validators: 3, quorum: 3 }])
    // validator-0's signature no longer counts.
    failsAt(verify(chain(remove('validator-0'), [V0, V1, V2], [V0, V1, V2]).inclusion), 'quorum', /2 valid signatures/)
  })

  it('without pinned keys uses the bundle\'s own and does not follow (as Rust)', () => {
    const c = chain(add(V4), [V0, V1, V2], [V1, V2, V3, V4])
    const r = verify(c.inclusion, null)
    expect(r.verdict).toBe('verified')
    expect(r.keysPinned).toBe(false)
    expect(r.setChangesFollowed).toBe(0)
    expect(r.checks.map((k) => k.check)).not.toContain('set change')
    // A broken link does not matter then...
    expect(verify(withLink(c.inclusion, (l) => (l.checkpoint = 'nonsense')), null).verdict).toBe('verified')
    // ...but its form does: the bundle must parse.
    expect(verify(withLink(c.inclusion, (l) => (l.index = -1)), null).verdict).toBe('failed: format')
  })

  it('refuses a change the set in force did not sign', () => {
    const below = chain(add(V4), [V0, V1], [V1, V2, V3, V4])
    failsAt(verify(below.inclusion), 'set change', /^validator set change 0: not signed by the set in force: 2 valid signatures from trusted keys, 3 required/)
    // Signed by the set it makes (validator-4 is not trusted yet).
    failsAt(verify(chain(add(V4), [V2, V3, V4], [V1, V2, V3, V4]).inclusion), 'set change', /not signed by the set in force/)
    // A line by a trusted key that does not verify.
    const c = chain(add(V4), [V0, V1, V2], [V1, V2, V3, V4])
    const tampered = withLink(c.inclusion, (l) => {
      const text = String(l.checkpoint)
      const at = text.indexOf('— validator-0 ') + '— validator-0 '.length + 40
      l.checkpoint = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1)
    })
    failsAt(verify(tampered), 'set change', /not signed by the set in force: signature by validator-0 does not verify/)
  })

  it('refuses an addition of a name or a key already in the set, and a removal of a name not in it', () => {
    const sameName = { name: 'validator-1', key: V4.key }
    failsAt(verify(chain(add(sameName), [V0, V1, V2], [V1, V2, V3]).inclusion), 'set change', /adds "validator-1", which is in the set already/)
    const sameKey = { name: 'validator-9', key: V1.key }
    failsAt(verify(chain(add(sameKey), [V0, V1, V2], [V1, V2, V3]).inclusion), 'set change', /adds "validator-9", which is in the set already/)
    failsAt(verify(chain(remove('validator-9'), [V0, V1, V2], [V1, V2, V3]).inclusion), 'set change', /removes "validator-9", which is not in the set/)
  })

  it('refuses an addition beyond 64 validators', () => {
    const many = Array.from({ length: 64 }, (_, i) => nodeKey(`v-${i}`, 100 + i))
    const first = many[0] as Key
    const c = chain(add(V4), [first], [first])
    failsAt(verify(c.inclusion, { validators: many.map((k) => toVkey(k)), quorum: 1 }), 'set change', /the set would exceed the most validators allowed/)
  })

  it('refuses links that are not changes of this network', () => {
    failsAt(verify(chain(anchor(7), [V0, V1, V2], [V0, V1, V2]).inclusion), 'set change', /the entry is a anchor_evidence, not a validator set change/)
    failsAt(verify(chain(add(V4, 'other.tanji.local'), [V0, V1, V2], [V1, V2, V3, V4]).inclusion), 'set change', /entry of network "other.tanji.local", not "test.tanji.local"/)
    failsAt(verify(chain(add(V4), [V0, V1, V2], [V1, V2, V3, V4], 'other.tanji.local').inclusion), 'set change', /checkpoint of network "other.tanji.local"/)
    const badKey = { name: 'validator-4', key: Uint8Array.of(1, ...new Uint8Array(31)) }
    failsAt(verify(chain(add(badKey), [V0, V1, V2], [V1, V2, V3]).inclusion), 'set change', /entry: validator.key: weak/)
    failsAt(verify(chain(Uint8Array.of(1, 2, 3), [V0, V1, V2], [V1, V2, V3]).inclusion), 'set change', /^validator set change 0: entry: truncated/)
  })

  it('refuses malformed links at the check Rust reports', () => {
    const c = chain(add(V4), [V0, V1, V2], [V1, V2, V3, V4])
    failsAt(verify(withLink(c.inclusion, (l) => (l.checkpoint = 'nonsense'))), 'set change', /malformed note/)
    failsAt(verify(withLink(c.inclusion, (l) => (l.entry = '!!'))), 'set change', /entry is not base64/)
    failsAt(verify(withLink(c.inclusion, (l) => (l.proof = Array.from({ length: 65 }, () => b64(new Uint8Array(32)))))), 'set change', /proof longer than 64 hashes/)
    failsAt(verify(withLink(c.inclusion, (l) => (l.proof = [b64(new Uint8Array(32))]))), 'set change', /inclusion proof/)
    failsAt(verify(withLink(c.inclusion, (l) => (l.index = 0))), 'set change', /inclusion proof/)
    // Rust's `decode_hash` errors are `Malformed`, which it reports as the check `inclusion proof`.
    failsAt(verify(withLink(c.inclusion, (l) => (l.proof = ['!!']))), 'inclusion proof', /is not base64 \(validator set change 0\)/)
    failsAt(verify(withLink(c.inclusion, (l) => (l.proof = [b64(new Uint8Array(31))]))), 'inclusion proof', /a hash is not 32 bytes/)
    // The same link twice: not in log order.
    const twice = { ...c.inclusion, set_changes: [c.link, c.link] }
    failsAt(verify(twice), 'set change', /^validator set change 1: links are not in log order/)
  })

  it(`refuses more than ${MAX_SET_CHANGES} links at format (Rust: Malformed), only when following`, () => {
    const c = chain(add(V4), [V0, V1, V2], [V1, V2, V3, V4])
    const long = { ...c.inclusion, set_changes: Array.from({ length: MAX_SET_CHANGES + 1 }, () => c.link) }
    failsAt(verify(long), 'format', /257 set changes, more than 256/)
    expect(verify(long, null).verdict).toBe('verified')
  })

  it('reads set_changes as serde does: optional, a sequence of links', () => {
    const c = chain(add(V4), [V0, V1, V2], [V1, V2, V3, V4])
    const without = { ...c.inclusion }
    delete without.set_changes
    // Absent or empty: nothing to follow; the genesis keys then check the checkpoint themselves
    // (validators 1 to 3 of the genesis signed it, their quorum).
    for (const b of [without, { ...c.inclusion, set_changes: [] }]) {
      const r = verify(b)
      expect(r.verdict).toBe('verified')
      expect(r.setChangesFollowed).toBe(0)
      expect(r.checks.map((k) => k.check)).not.toContain('set change')
    }
    for (const bad of [null, {}, 'x', 1, [null], [{}], [{ ...c.link, index: '1' }], [{ ...c.link, proof: 'x' }], [[1, 'x', [], 'y', 'z']]]) {
      const r = verify({ ...c.inclusion, set_changes: bad })
      failsAt(r, 'format', /malformed bundle/)
    }
    // A duplicate field is refused.
    const text = JSON.stringify(c.inclusion).replace('"set_changes":', '"set_changes":[],"set_changes":')
    expect(verifyInclusionBundle(text, { pinned: PINNED }).verdict).toBe('failed: format')
    // A link as an array of its fields, in declaration order, is a link.
    const asArray = { ...c.inclusion, set_changes: [[c.link.index, c.link.entry, c.link.proof, c.link.checkpoint]] }
    expect(verify(asArray).verdict).toBe('verified')
  })

  it('reads bundles written as arrays of their fields, the defaulted field last or left out', () => {
    const c = chain(add(V4), [V0, V1, V2], [V1, V2, V3, V4])
    const inc = c.inclusion
    const fields = ['format', 'tx_id', 'index', 'entry', 'proof', 'checkpoint', 'validators', 'quorum'].map((k) => inc[k])
    expect(verify([...fields, inc.set_changes] as unknown as Record<string, unknown>).verdict).toBe('verified')
    // Left out: a bundle without links.
    const left = verify(fields as unknown as Record<string, unknown>)
    expect(left.verdict).toBe('verified')
    expect(left.setChangesFollowed).toBe(0)
    expect(verify(fields.slice(0, 7) as unknown as Record<string, unknown>).verdict).toBe('failed: format')
    expect(verify([...fields, [], 1] as unknown as Record<string, unknown>).verdict).toBe('failed: format')
    // In a certificate bundle set_changes comes before entries, so it cannot be left out of an array.
    const cert = c.certificate
    const certFields = ['format', 'certificate', 'checkpoint', 'validators', 'quorum'].map((k) => cert[k])
    const full = JSON.stringify([...certFields, cert.set_changes, cert.entries])
    expect(verifyCertificateBundle(full, { pinned: PINNED }).verdict).toBe('verified')
    const short = JSON.stringify([...certFields, cert.entries])
    expect(verifyCertificateBundle(short, { pinned: PINNED }).verdict).toBe('failed: format')
  })
})
