// Routes the backend is adding. Their types come from the generated schema as soon as
// openapi.json has them (`npm run gen`); until then the documented shape below is used.
// Do not use the Fallback* types directly.
import type { paths } from './schema'
import { getJson, ApiError } from './client'

type JsonOf<P, Fallback> = P extends { get: { responses: { 200: { content: { 'application/json': infer R } } } } }
  ? R
  : Fallback

type Get<K extends string, Fallback> = K extends keyof paths ? JsonOf<paths[K], Fallback> : Fallback

// ---- GET /v1/search?q= -------------------------------------------------------------------
interface FallbackSearchHit {
  kind: 'footprint' | 'organisation' | 'certificate' | 'transaction' | 'factor' | 'rule'
  id: string
  title: string
  detail?: string | null
}
interface FallbackSearch {
  q: string
  hits: FallbackSearchHit[]
}
export type SearchResponse = Get<'/v1/search', FallbackSearch>
export type SearchHit = SearchResponse['hits'][number]

/** GET /v1/search; on a node without the route (404), searches the list routes in the browser. */
export async function search(q: string, baseUrl = ''): Promise<SearchResponse> {
  try {
    return await getJson<SearchResponse>('/v1/search', { q }, baseUrl)
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && /no route/i.test(e.message)) {
      const { localSearch } = await import('./localSearch')
      return localSearch(q)
    }
    throw e
  }
}

// ---- GET /v1/log/recent?limit=N ----------------------------------------------------------
interface FallbackRecentEntry {
  index: number
  tx_id: string
  kind: string
  author?: string | null
  author_name?: string | null
}
interface FallbackRecent {
  size: number
  entries: FallbackRecentEntry[]
}
export type RecentLog = Get<'/v1/log/recent', FallbackRecent>
export type RecentEntry = RecentLog['entries'][number]

export function recentLog(limit = 20, baseUrl = ''): Promise<RecentLog> {
  return getJson<RecentLog>('/v1/log/recent', { limit }, baseUrl)
}
