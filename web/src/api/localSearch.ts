// Search in the browser over the list routes: used only while a node lacks GET /v1/search.
// Same hit shape as the API's.
import { api, unwrap } from './client'
import type { SearchHit, SearchResponse } from './pending'

const HEX64 = /^[0-9a-f]{64}$/
const HEX32 = /^[0-9a-f]{32}$/

/** `06901234567892` → `urn:gtin:06901234567892`; a URN stays as it is. */
export function normaliseProductId(q: string): string {
  const s = q.trim()
  if (/^\d{8,14}$/.test(s)) return `urn:gtin:${s}`
  return s
}

export async function localSearch(q: string): Promise<SearchResponse> {
  const needle = q.trim().toLowerCase()
  const hits: SearchHit[] = []
  if (!needle) return { q, hits } as SearchResponse
  const gtin = normaliseProductId(needle)
  const [orgs, fps, certs, factors, rules] = await Promise.all([
    unwrap(api.GET('/v1/orgs')).catch(() => []),
    unwrap(api.GET('/v1/footprints', { params: { query: { limit: 1000 } } })).then((r) => r.footprints).catch(() => []),
    unwrap(api.GET('/v1/certificates')).then((r) => r.certificates).catch(() => []),
    unwrap(api.GET('/v1/factors', { params: { query: { limit: 1000 } } })).then((r) => r.factors).catch(() => []),
    unwrap(api.GET('/v1/rules')).then((r) => r.rules).catch(() => []),
  ])
  for (const f of fps) {
    const ids = f.product.ids.map((x) => x.toLowerCase())
    if (f.id === needle || ids.includes(gtin) || ids.some((x) => x.endsWith(`:${needle}`)) || f.product.name.toLowerCase().includes(needle)) {
      hits.push({ kind: 'footprint', id: f.id, title: f.product.name, detail: f.product.ids.join(' ') } as SearchHit)
    }
  }
  for (const o of orgs) {
    if (o.id === needle || o.company_id.toLowerCase().includes(needle) || o.name.toLowerCase().includes(needle)) {
      hits.push({ kind: 'organisation', id: o.id, title: o.name, detail: o.company_id } as SearchHit)
    }
  }
  for (const c of certs) {
    if (c.id.toLowerCase() === needle || c.id.toLowerCase().includes(needle) || c.tx === needle) {
      hits.push({ kind: 'certificate', id: c.id, title: c.id, detail: c.rule } as SearchHit)
    }
  }
  for (const f of factors) {
    if (f.ref.toLowerCase().includes(needle) || f.name.toLowerCase().includes(needle) || f.tx === needle) {
      hits.push({ kind: 'factor', id: f.ref, title: f.name, detail: f.ref } as SearchHit)
    }
  }
  for (const r of rules) {
    if (r.rule.ref.toLowerCase().includes(needle) || r.rule.name.toLowerCase().includes(needle) || r.tx === needle) {
      hits.push({ kind: 'rule', id: r.rule.ref, title: r.rule.name, detail: r.rule.ref } as SearchHit)
    }
  }
  if (HEX64.test(needle) && !hits.some((h) => h.id === needle)) {
    const tx = await unwrap(api.GET('/v1/tx/{id}', { params: { path: { id: needle } } })).catch(() => null)
    if (tx && tx.status !== 'unknown') hits.push({ kind: 'transaction', id: tx.id, title: tx.id, detail: tx.status } as SearchHit)
  }
  if (HEX32.test(needle) && !hits.some((h) => h.id === needle)) {
    // an org id not in the list cannot exist; nothing to add
  }
  return { q, hits } as SearchResponse
}
