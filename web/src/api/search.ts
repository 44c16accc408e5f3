// Search and the decoded recent entries: typed calls of GET /v1/search and
// GET /v1/log/recent (types from the generated schema).
import { api, unwrap, type Api, type Schemas } from './client'

export type SearchResults = Schemas['SearchResults']
export type SearchHit = Schemas['SearchHit']
export type RecentEntries = Schemas['RecentEntries']
export type RecentEntry = Schemas['DecodedEntry']

/** GET /v1/search?q= on `client` (default: the node that served the page). */
export function search(q: string, client: Api = api): Promise<SearchResults> {
  return unwrap(client.GET('/v1/search', { params: { query: { q } } }))
}

/** GET /v1/log/recent?limit=: the newest entries, decoded by the node. */
export function recentLog(limit = 20, client: Api = api): Promise<RecentEntries> {
  return unwrap(client.GET('/v1/log/recent', { params: { query: { limit } } }))
}
