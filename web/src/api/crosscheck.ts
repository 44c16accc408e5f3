// Compares this node's latest checkpoint with another node's (CORS is enabled on the read API).
// Same size → roots must be equal; different sizes → the larger node's checkpoint at the smaller
// size (GET /v1/checkpoint?size=) must have the smaller node's root.
import { api, createApi, unwrap, ApiError, type Api } from './client'
import { parseNote, type SignedNote } from './checkpoint'

export async function fetchNote(client: Api = api, size?: number): Promise<SignedNote> {
  const text = await unwrap(
    client.GET('/v1/checkpoint', { params: { query: size === undefined ? {} : { size } }, parseAs: 'text' }),
  )
  const note = parseNote(String(text))
  if (!note) throw new ApiError('bad_note', 'not a signed note', 200)
  return note
}

export type CrossCheckOutcome = 'consistent' | 'diverged' | 'other_network' | 'inconclusive'

export interface CrossCheckResult {
  outcome: CrossCheckOutcome
  here: SignedNote
  there: SignedNote
  role?: string
  /** The size compared and both roots at it, when compared. */
  comparedSize?: number
  rootHere?: string
  rootThere?: string
}

export function normaliseBase(url: string): string {
  let u = url.trim().replace(/\/+$/, '')
  if (u && !/^https?:\/\//i.test(u)) u = `http://${u}`
  return u
}

export async function crossCheck(otherBase: string): Promise<CrossCheckResult> {
  const other = createApi(normaliseBase(otherBase))
  const [here, there, net] = await Promise.all([
    fetchNote(api),
    fetchNote(other),
    unwrap(other.GET('/v1/network')).catch(() => undefined),
  ])
  const base = { here, there, role: net?.role }
  if (here.origin !== there.origin) return { outcome: 'other_network', ...base }
  if (here.size === there.size) {
    return {
      outcome: here.root === there.root ? 'consistent' : 'diverged',
      comparedSize: here.size,
      rootHere: here.root,
      rootThere: there.root,
      ...base,
    }
  }
  const smaller = Math.min(here.size, there.size)
  try {
    if (here.size > there.size) {
      const old = await fetchNote(api, smaller)
      return {
        outcome: old.root === there.root ? 'consistent' : 'diverged',
        comparedSize: smaller,
        rootHere: old.root,
        rootThere: there.root,
        ...base,
      }
    }
    const old = await fetchNote(other, smaller)
    return {
      outcome: old.root === here.root ? 'consistent' : 'diverged',
      comparedSize: smaller,
      rootHere: here.root,
      rootThere: old.root,
      ...base,
    }
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'not_found' || e.status === 404)) return { outcome: 'inconclusive', ...base }
    throw e
  }
}
