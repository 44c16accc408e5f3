/**
 * The bundle verifier on malformed input: whatever it is given, it returns a
 * failed verdict with a detail, and never throws. Valid bundles come from the
 * shared vectors.
 */
import { describe, expect, it } from 'vitest'
import { encodeBase64, utf8 } from './bytes'
import {
  MAX_BUNDLE_BYTES,
  MAX_BUNDLE_ENTRIES,
  verifyBundle,
  verifyCertificateBundle,
  verifyInclusionBundle,
  type BundleResult,
} from './bundle'
import vectors from './vectors.json'

const valid = (kind: string) => {
  const c = vectors.cases.find((x) => x.kind === kind && x.expect === 'verified' && x.pinned === null)
  if (c === undefined) throw new Error(`no valid ${kind} vector`)
  return c.bundle
}
const INCLUSION = valid('inclusion')
const CERTIFICATE = valid('certificate')

function edited(text: string, f: (v: Record<string, unknown>) => void): string {
  const v = JSON.parse(text) as Record<string, unknown>
  f(v)
  return JSON.stringify(v)
}

function failedAt(r: BundleResult): string {
  expect(r.ok).toBe(false)
  expect(r.checks.length).toBeGreaterThan(0)
  const last = r.checks[r.checks.length - 1]
  expect(last?.ok).toBe(false)
  expect(last?.detail.length).toBeGreaterThan(0)
  return r.verdict
}

describe('bundle verification on malformed input', () => {
  it('fails at format for anything that is not a bundle', () => {
    for (const input of ['', 'null', '[]', '{}', '"x"', '{"format": 1}', 'not json', '\ufeff' + INCLUSION, '\ud800']) {
      expect(failedAt(verifyInclusionBundle(input)), input).toBe('failed: format')
      expect(failedAt(verifyCertificateBundle(input)), input).toBe('failed: format')
      expect(failedAt(verifyBundle(input)), input).toBe('failed: format')
    }
    expect(failedAt(verifyInclusionBundle(CERTIFICATE))).toBe('failed: format')
    expect(failedAt(verifyCertificateBundle(INCLUSION))).toBe('failed: format')
  })

  it('enforces the size limits before parsing', () => {
    const big = INCLUSION.replace('{', `{"padding":"${'x'.repeat(MAX_BUNDLE_BYTES)}",`)
    const r = verifyInclusionBundle(big)
    expect(failedAt(r)).toBe('failed: format')
    expect(r.checks[0]?.detail).toMatch(/more than 262144/)
    // A certificate bundle may be 16 times larger.
    expect(verifyCertificateBundle(CERTIFICATE.replace('{', `{"padding":"${'x'.repeat(MAX_BUNDLE_BYTES)}",`)).ok).toBe(true)
    const bytes = new Uint8Array(MAX_BUNDLE_BYTES + 1)
    expect(failedAt(verifyInclusionBundle(bytes))).toBe('failed: format')
  })

  it('refuses huge arrays with a clear detail', () => {
    const entries = JSON.stringify(Array.from({ length: MAX_BUNDLE_ENTRIES + 1 }, () => ({ index: 0, entry: '', proof: [] })))
    const r = verifyCertificateBundle(edited(CERTIFICATE, (v) => (v.entries = JSON.parse(entries) as unknown)))
    expect(failedAt(r)).toBe('failed: format')
    expect(r.checks[0]?.detail).toMatch(/too many entries/)
    const proof = Array.from({ length: 5000 }, () => encodeBase64(new Uint8Array(32)))
    const p = verifyInclusionBundle(edited(INCLUSION, (v) => (v.proof = proof)))
    expect(failedAt(p)).toBe('failed: inclusion proof')
    expect(p.checks[p.checks.length - 1]?.detail).toMatch(/longer than 64/)
    const keys = Array.from({ length: 101 }, () => 'validator-0+00000000+AA==')
    expect(failedAt(verifyInclusionBundle(edited(INCLUSION, (v) => (v.validators = keys))))).toBe('failed: checkpoint signatures')
  })

  it('accepts bytes and parsed JSON as well as text', () => {
    expect(verifyInclusionBundle(utf8(INCLUSION)).verdict).toBe('verified')
    expect(verifyInclusionBundle(JSON.parse(INCLUSION) as object).verdict).toBe('verified')
    expect(failedAt(verifyInclusionBundle(Uint8Array.of(0xff, 0xfe)))).toBe('failed: format')
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(failedAt(verifyInclusionBundle(cyclic))).toBe('failed: format')
    expect(failedAt(verifyInclusionBundle({ big: 1n }))).toBe('failed: format')
  })

  it('checks caller options without throwing', () => {
    expect(failedAt(verifyInclusionBundle(INCLUSION, { pinned: { validators: ['nonsense'], quorum: 1 } }))).toBe(
      'failed: checkpoint signatures',
    )
    expect(failedAt(verifyInclusionBundle(INCLUSION, { pinned: { validators: [], quorum: -1 } }))).toBe('failed: quorum')
    expect(failedAt(verifyInclusionBundle(INCLUSION, { pinned: { validators: [], quorum: 1.5 } }))).toBe('failed: quorum')
    const r = verifyInclusionBundle(INCLUSION)
    const author = r.entries[0]?.author ?? ''
    expect(failedAt(verifyInclusionBundle(INCLUSION, { authorKeys: { [author]: 'zz' } }))).toBe('failed: entry signature')
    expect(failedAt(verifyInclusionBundle(INCLUSION, { authorKeys: new Map([[author, new Uint8Array(31)]]) }))).toBe(
      'failed: entry signature',
    )
    // The identity point: a small-order key.
    const identity = '01' + '00'.repeat(31)
    const weak = verifyInclusionBundle(INCLUSION, { authorKeys: { [author.toUpperCase()]: identity } })
    expect(failedAt(weak)).toBe('failed: entry signature')
    expect(weak.checks[weak.checks.length - 1]?.detail).toMatch(/small-order/)
  })

  it('never throws on mutated bundles', () => {
    // Deterministic pseudo-random single-character edits of valid bundles.
    let seed = 12345
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed
    }
    const alphabet = '{}[]":,0123456789abcdefAZ+/=\\ \n\u2014-'
    for (const base of [INCLUSION, CERTIFICATE]) {
      for (let i = 0; i < 100; i++) {
        const at = next() % base.length
        const mutated = base.slice(0, at) + alphabet[next() % alphabet.length] + base.slice(at + 1)
        const r = verifyBundle(mutated)
        expect(r.verdict === 'verified' || r.verdict.startsWith('failed: ')).toBe(true)
        if (!r.ok) expect(r.checks[r.checks.length - 1]?.ok).toBe(false)
      }
    }
  }, 60_000)
})
