/**
 * The shared vectors: `vectors.json` is written by the Rust test
 * `ledger/tests/browser_vectors.rs` from the Rust verifier's own results.
 * For every case the TypeScript verifier must agree with Rust on ok/failed,
 * and fail at the check the case names.
 */
import { describe, expect, it } from 'vitest'
import {
  CHECK_NAMES,
  verifyBundle,
  verifyCertificateBundle,
  verifyInclusionBundle,
  type VerifyOptions,
} from './bundle'
import vectors from './vectors.json'

interface Case {
  readonly name: string
  readonly kind: string
  readonly bundle: string
  readonly pinned: { readonly validators: readonly string[]; readonly quorum: number } | null
  // Optional members: TypeScript widens the JSON's differing key sets to optional properties.
  readonly author_keys: Readonly<Record<string, string | undefined>> | null
  readonly expect: string
  readonly rust: string
}

const cases: readonly Case[] = vectors.cases

function options(c: Case): VerifyOptions {
  return {
    ...(c.pinned !== null ? { pinned: c.pinned } : {}),
    ...(c.author_keys !== null
      ? {
          authorKeys: new Map(
            Object.entries(c.author_keys).flatMap(([k, v]): Array<[string, string]> => (v === undefined ? [] : [[k, v]])),
          ),
        }
      : {}),
  }
}

describe('shared vectors from the Rust verifier', () => {
  it('are present and cover every check that can fail', () => {
    expect(cases.length).toBeGreaterThan(20)
    const failing = new Set(cases.map((c) => c.expect))
    for (const check of CHECK_NAMES) {
      if (check !== 'leaf hash') expect(failing.has(check), check).toBe(true)
    }
    expect(cases.some((c) => c.kind === 'inclusion' && c.expect === 'verified')).toBe(true)
    expect(cases.some((c) => c.kind === 'certificate' && c.expect === 'verified')).toBe(true)
  })

  for (const c of cases) {
    it(`${c.kind}: ${c.name}`, () => {
      const verify = c.kind === 'inclusion' ? verifyInclusionBundle : verifyCertificateBundle
      const r = verify(c.bundle, options(c))
      const detail = JSON.stringify(r.checks, null, 1)
      // Rust and TypeScript agree on whether the bundle verifies...
      expect(r.ok, `Rust says ${c.rust}\n${detail}`).toBe(c.rust === 'ok')
      // ...and on the check that fails first.
      expect(r.verdict, `Rust says ${c.rust}\n${detail}`).toBe(c.expect === 'verified' ? 'verified' : `failed: ${c.expect}`)
      if (!r.ok) expect(r.checks[r.checks.length - 1]?.ok).toBe(false)
      else expect(r.checks.every((k) => k.ok)).toBe(true)
      // Choosing the verifier by the format tag gives the same verdict.
      expect(verifyBundle(c.bundle, options(c)).verdict).toBe(r.verdict)
    })
  }

  it('report the facts of a valid bundle', () => {
    const c = cases.find((x) => x.kind === 'certificate' && x.expect === 'verified' && x.author_keys !== null)
    expect(c).toBeDefined()
    if (c === undefined) return
    const r = verifyCertificateBundle(c.bundle, options(c))
    expect(r.network).toBe(vectors.network)
    expect(r.format).toBe('tanji-certificate-bundle/v1')
    expect(r.signatures).toBe(3)
    expect(r.quorum).toBe(3)
    expect(r.signers).toEqual(['validator-0', 'validator-1', 'validator-2'])
    expect(r.keysPinned).toBe(false)
    expect(r.entries.map((e) => e.kind)).toEqual(['issue_certificate', 'publish_rule', 'attest_footprint', 'publish_factor'])
    expect(r.entries.every((e) => e.authorSignature === 'valid')).toBe(true)
    expect(r.treeSize).toMatch(/^[0-9]+$/)
    expect(r.root).toMatch(/^[0-9a-f]{64}$/)
    expect(r.setChangesFollowed).toBe(0)
  })

  it('report the validator set changes followed from the pinned genesis keys', () => {
    const c = cases.find((x) => x.name === 'set changes followed from the pinned genesis keys')
    expect(c).toBeDefined()
    if (c === undefined) return
    const r = verifyInclusionBundle(c.bundle, options(c))
    expect(r.verdict).toBe('verified')
    expect(r.keysPinned).toBe(true)
    expect(r.setChangesFollowed).toBe(2)
    expect(r.setChanges.map((s) => [s.change, s.name, s.index])).toEqual([
      ['add', 'validator-4', '1'],
      ['remove', 'validator-0', '2'],
    ])
    expect(r.setChanges.map((s) => s.quorum)).toEqual([4, 3])
    expect(r.signers).toEqual(['validator-2', 'validator-3', 'validator-4'])
    expect(r.checks.find((k) => k.check === 'set change')?.ok).toBe(true)
    // Without pinned keys the bundle's own set (the one in force) is used and nothing is followed.
    const own = verifyInclusionBundle(c.bundle)
    expect(own.verdict).toBe('verified')
    expect(own.setChangesFollowed).toBe(0)
  })
})
