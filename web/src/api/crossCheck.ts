// Cross-checks a checkpoint (a bundle's, or this node's latest) with a second
// node (e.g. a regulator's observer), in the browser: the other node's latest
// checkpoint must be signed by the same validators, be for the same network,
// and either have the same root at the same size or be consistent with it (an
// RFC 9162 consistency proof between the two signed roots, verified here).
import { api, ApiError, createApi, unwrap } from './client'
import { fetchCheckpoint, readCheckpoint } from './checkpoint'
import {
  decodeBase64,
  hashChildren,
  noteErrorMessage,
  parseVkey,
  toHex,
  verifyConsistency,
  verifyNote,
  type Checkpoint,
  type NoteVerifier,
} from '../verify'

export type CrossOutcome = 'same' | 'extends' | 'behind' | 'diverged' | 'other_network'

export interface CrossCheckResult {
  outcome: CrossOutcome
  base: string
  other: { origin: string; size: string; root: string }
  /** The checkpoint checked here (the bundle's, or this node's). */
  here: { origin: string; size: string; root: string }
  /** Validators whose signatures on the other node's checkpoint verify. */
  signers: string[]
  /** Why the other node's checkpoint signatures do not hold, or null. */
  signatureProblem: string | null
  /** What was compared, in technical words. */
  detail: string
}

/** `host:port` or a URL → `http(s)://host:port` without a trailing slash; null when not a URL. */
export function normaliseNodeUrl(input: string): string | null {
  let u = input.trim()
  if (!u) return null
  if (!/^https?:\/\//i.test(u)) u = `http://${u}`
  try {
    const url = new URL(u)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  } catch {
    return null
  }
}

function hashes(list: readonly string[]): Uint8Array[] {
  return list.map((h) => {
    const b = decodeBase64(h)
    if (!b || b.length !== 32) throw new ApiError('bad_proof', 'a proof hash is not 32 bytes of base64', 200)
    return b
  })
}

/**
 * Compares `checkpointText` (signed by `validators` with `quorum`) with the
 * latest checkpoint of the node at `baseInput`. A proof that the other node
 * is behind comes from the node that served the page.
 */
export async function crossCheck(
  baseInput: string,
  checkpointText: string,
  validators: readonly string[],
  quorum: number,
): Promise<CrossCheckResult> {
  const base = normaliseNodeUrl(baseInput)
  if (!base) throw new ApiError('bad_url', baseInput, 0)
  const other = createApi(base)
  const mine = readCheckpoint(checkpointText).checkpoint
  const { checkpoint: theirs, note } = await fetchCheckpoint(other)

  const keys: NoteVerifier[] = []
  for (const v of validators) {
    const k = parseVkey(v)
    if (k.ok) keys.push(k.value)
  }
  let signers: string[] = []
  let signatureProblem: string | null = null
  const r = verifyNote(note, keys, quorum)
  if (r.ok) signers = [...r.value.signers]
  else signatureProblem = noteErrorMessage(r.error)
  const view = (c: Checkpoint) => ({ origin: c.origin, size: c.size.toString(), root: toHex(c.root) })
  const result = (outcome: CrossOutcome, detail: string): CrossCheckResult => ({
    outcome,
    base,
    other: view(theirs),
    here: view(mine),
    signers,
    signatureProblem,
    detail,
  })

  if (theirs.origin !== mine.origin) return result('other_network', `origin ${theirs.origin} ≠ ${mine.origin}`)
  if (theirs.size === mine.size) {
    const same = toHex(theirs.root) === toHex(mine.root)
    return result(same ? 'same' : 'diverged', same ? 'same size, same root' : 'same size, different roots')
  }
  if (theirs.size > mine.size) {
    const proof = await unwrap(
      other.GET('/v1/proof/consistency', { params: { query: { from: Number(mine.size), to: Number(theirs.size) } } }),
    )
    const problem = verifyConsistency(hashChildren, mine.size, theirs.size, hashes(proof.hashes), mine.root, theirs.root)
    return problem === null
      ? result('extends', `consistency proof ${mine.size} → ${theirs.size} from the other node verifies`)
      : result('diverged', `consistency proof ${mine.size} → ${theirs.size}: ${problem}`)
  }
  // the other node is behind: prove its root is a prefix of the bundle's (proof from this node)
  const proof = await unwrap(
    api.GET('/v1/proof/consistency', { params: { query: { from: Number(theirs.size), to: Number(mine.size) } } }),
  )
  const problem = verifyConsistency(hashChildren, theirs.size, mine.size, hashes(proof.hashes), theirs.root, mine.root)
  return problem === null
    ? result('behind', `consistency proof ${theirs.size} → ${mine.size} verifies`)
    : result('diverged', `consistency proof ${theirs.size} → ${mine.size}: ${problem}`)
}
