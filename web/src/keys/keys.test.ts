import { describe, expect, it } from 'vitest'
import fixture from './fixture.devnet.json'
import { decodeBase64, encodeBase64, fromHex, toHex } from '../verify/bytes'
import { verifyStrict } from '../verify/ed25519'
import { signedMessage, splitEntry, txId } from '../verify/tx'
import {
  assembleEntry,
  KeyFileError,
  orgIdOf,
  parseKeyFile,
  PrepareError,
  publicKeyOf,
  signMessage,
  signPrepared,
} from './index'

// RFC 8032 §7.1, TEST 1 and TEST 2.
const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'
const RFC_PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'
const RFC_SIG =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'
const RFC2_SEED = '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb'
const RFC2_SIG =
  '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'

function keyFile(over: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...fixture.keyfile, ...over })
}

describe('ed25519 and hashes', () => {
  it('derives the RFC 8032 public key and signatures from fixed seeds', () => {
    const seed = fromHex(RFC_SEED, 32)!
    expect(toHex(publicKeyOf(seed))).toBe(RFC_PUB)
    const sig = signMessage(seed, new Uint8Array())
    expect(toHex(sig)).toBe(RFC_SIG)
    expect(verifyStrict(sig, new Uint8Array(), fromHex(RFC_PUB, 32)!)).toBe(true)
    expect(verifyStrict(sig, new Uint8Array([1]), fromHex(RFC_PUB, 32)!)).toBe(false)
    expect(toHex(signMessage(fromHex(RFC2_SEED, 32)!, new Uint8Array([0x72])))).toBe(RFC2_SIG)
  })

  it('derives org ids as the ledger does (golden value of ledger/src/ids.rs)', () => {
    expect(toHex(orgIdOf('urn:uscc:911100000000000001'))).toBe('034766db31ba970747266b1990a8217a')
  })

})

describe('key files', () => {
  it('loads and checks a demo organisation key file', () => {
    const k = parseKeyFile(keyFile())
    expect(k.orgId).toBe(fixture.keyfile.org_id)
    expect(k.publicKey).toBe(fixture.keyfile.signing_key)
    expect(k.name).toBe(fixture.keyfile.name)
    expect(k.seed.length).toBe(32)
    // The X25519 secret is not kept.
    expect(JSON.stringify(Object.keys(k))).not.toContain('encryption')
  })

  const refused: [string, string, string | undefined][] = [
    ['{', 'not-json', undefined],
    ['[1]', 'not-object', undefined],
    [keyFile({ signing_secret: undefined }), 'missing', 'signing_secret'],
    [keyFile({ org_id: 'abc' }), 'bad-hex', 'org_id'],
    [keyFile({ signing_secret: 'zz'.repeat(32) }), 'bad-hex', 'signing_secret'],
    [keyFile({ signing_key: '00'.repeat(32) }), 'key-mismatch', undefined],
    [keyFile({ company_id: 'urn:uscc:other' }), 'org-id-mismatch', undefined],
    ['x'.repeat(70000), 'too-large', undefined],
  ]
  it.each(refused)('refuses a bad key file (%#)', (text, code, field) => {
    try {
      parseKeyFile(text)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(KeyFileError)
      const p = (e as KeyFileError).problem
      expect(p.code).toBe(code)
      if (field) expect('field' in p && p.field).toBe(field)
    }
  })
})

describe('entries', () => {
  it('lays out body ‖ u32-LE(1) ‖ org id ‖ signature', () => {
    const body = new Uint8Array([9, 8, 7])
    const org = new Uint8Array(16).fill(0xaa)
    const sig = new Uint8Array(64).fill(0x55)
    const e = assembleEntry(body, org, sig)
    expect(e.length).toBe(3 + 4 + 16 + 64)
    expect(Array.from(e.slice(0, 7))).toEqual([9, 8, 7, 1, 0, 0, 0])
    expect(e.slice(7, 23)).toEqual(org)
    expect(e.slice(23)).toEqual(sig)
    expect(() => assembleEntry(body, new Uint8Array(15), sig)).toThrow()
    expect(() => assembleEntry(body, org, new Uint8Array(63))).toThrow()
  })

  // The demo laptop's attestation as committed on a demo network: signing its
  // body again with the author's key must give the very same entry (ed25519
  // is deterministic), and the body must hash to its id.
  const entry = decodeBase64(fixture.entry)!
  const split = splitEntry(entry)
  if (!split.ok) throw new Error(`fixture entry: ${split.error}`)
  const parts = { body: split.value.body, signer: split.value.approvals[0]!.signer }
  const key = parseKeyFile(keyFile())
  const prepared = {
    tx_id: fixture.tx_id,
    author: fixture.keyfile.org_id,
    body: encodeBase64(parts.body),
    signing_message: encodeBase64(signedMessage(parts.body)),
  }

  it('reproduces a committed entry byte for byte', () => {
    expect(toHex(txId(parts.body))).toBe(fixture.tx_id)
    expect(toHex(parts.signer)).toBe(fixture.keyfile.org_id)
    const signed = signPrepared(prepared, key)
    expect(signed.txId).toBe(fixture.tx_id)
    expect(encodeBase64(signed.entry)).toBe(fixture.entry)
  })

  const bad: [string, Partial<typeof prepared>, string][] = [
    ['body not base64', { body: '***' }, 'bad-body'],
    ['message not base64', { signing_message: '***' }, 'bad-message'],
    ['message for something else', { signing_message: encodeBase64(new Uint8Array([1, 2, 3])) }, 'message-mismatch'],
    ['another id', { tx_id: '00'.repeat(32) }, 'tx-id-mismatch'],
    ['another author', { author: '00'.repeat(16) }, 'author-mismatch'],
  ]
  it.each(bad)('refuses to sign when the %s', (_, over, code) => {
    try {
      signPrepared({ ...prepared, ...over }, key)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(PrepareError)
      expect((e as PrepareError).problem.code).toBe(code)
    }
  })
})
