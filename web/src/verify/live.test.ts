/**
 * Against a running node: skipped unless `TANJI_NODE` is set, e.g.
 * `TANJI_NODE=http://127.0.0.1:33785 npx vitest run src/verify/live.test.ts`
 * (`TANJI_CERTIFICATE` picks the certificate, default the demo's first).
 *
 * The live certificate bundle, and the inclusion bundle of each of its
 * entries, must verify with the authors' keys from `GET /v1/orgs`.
 */
import { describe, expect, it } from 'vitest'
import { verifyCertificateBundle, verifyInclusionBundle } from './bundle'

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {}
const node = env.TANJI_NODE
const certificate = env.TANJI_CERTIFICATE ?? 'CECC-PCF-2026-000001'

async function get(path: string): Promise<string> {
  const res = await fetch(`${node}${path}`)
  expect(res.status, path).toBe(200)
  return res.text()
}

describe.skipIf(node === undefined)('a live node', () => {
  it('serves bundles that verify, with the authors’ signatures', async () => {
    const orgs = JSON.parse(await get('/v1/orgs')) as Array<{ id: string; signing_key: string }>
    const authorKeys = Object.fromEntries(orgs.map((o) => [o.id, o.signing_key]))
    const cert = verifyCertificateBundle(await get(`/v1/certificates/${encodeURIComponent(certificate)}/bundle`), {
      authorKeys,
    })
    expect(cert.verdict, JSON.stringify(cert.checks, null, 1)).toBe('verified')
    expect(cert.entries.length).toBeGreaterThan(0)
    for (const e of cert.entries) {
      const r = verifyInclusionBundle(await get(`/v1/tx/${e.txId}/bundle`), { authorKeys })
      expect(r.verdict, JSON.stringify(r.checks, null, 1)).toBe('verified')
      expect(r.entries[0]?.txId).toBe(e.txId)
    }
  }, 60_000)
})
