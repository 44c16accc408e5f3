// Signing a prepared transaction and assembling the log entry
// `borsh(SignedTx) = borsh(body) ‖ u32-LE(approvals) ‖ (signer org id ‖ signature)…`
// with the author's single approval (ledger/src/tx/mod.rs).
import { concat, equalBytes, fromBase64, fromHex, toHex, u32le } from './bytes'
import { signMessage, txId, txSigningMessage, verifySignature } from './crypto'
import type { OrgKey } from './keyfile'

/** What the node's prepare route returns that signing needs. */
export interface PreparedTx {
  readonly tx_id: string
  readonly author: string
  readonly body: string
  readonly signing_message: string
}

/** Why a prepared transaction is refused before signing. */
export type PrepareProblem =
  | { code: 'bad-body' }
  | { code: 'bad-message' }
  | { code: 'message-mismatch' }
  | { code: 'tx-id-mismatch' }
  | { code: 'author-mismatch' }
  | { code: 'self-check' }

export class PrepareError extends Error {
  constructor(readonly problem: PrepareProblem) {
    super(`prepared transaction: ${problem.code}`)
    this.name = 'PrepareError'
  }
}

/** Length of one approval: org id (16) ‖ ed25519 signature (64). */
export const APPROVAL_LEN = 16 + 64

/** `body ‖ u32-LE(1) ‖ signer ‖ signature`: a SignedTx with one approval. */
export function assembleEntry(body: Uint8Array, signer: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signer.length !== 16) throw new RangeError('org id must be 16 bytes')
  if (signature.length !== 64) throw new RangeError('signature must be 64 bytes')
  return concat(body, u32le(1), signer, signature)
}

/** Splits an entry with exactly one approval back into its parts. */
export function splitSingleApprovalEntry(
  entry: Uint8Array,
): { body: Uint8Array; signer: Uint8Array; signature: Uint8Array } | null {
  const n = entry.length - 4 - APPROVAL_LEN
  if (n <= 0) return null
  const count = new DataView(entry.buffer, entry.byteOffset + n, 4).getUint32(0, true)
  if (count !== 1) return null
  return {
    body: entry.slice(0, n),
    signer: entry.slice(n + 4, n + 4 + 16),
    signature: entry.slice(n + 4 + 16),
  }
}

/** A signed transaction ready for `POST /v1/tx`. */
export interface SignedEntry {
  /** Transaction id, hex. */
  readonly txId: string
  /** borsh(SignedTx). */
  readonly entry: Uint8Array
}

/**
 * Checks what the node prepared and signs it with the key file's key. The
 * browser signs only `"tanji/tx/v1" ‖ 0x00 ‖ body` of the body it was given,
 * recomputes the id, and refuses a body prepared for another author: a node
 * cannot get the page to sign anything else.
 */
export function signPrepared(prepared: PreparedTx, key: OrgKey): SignedEntry {
  const body = fromBase64(prepared.body)
  if (!body || body.length === 0) throw new PrepareError({ code: 'bad-body' })
  const message = fromBase64(prepared.signing_message)
  if (!message) throw new PrepareError({ code: 'bad-message' })
  const expected = txSigningMessage(body)
  if (!equalBytes(message, expected)) throw new PrepareError({ code: 'message-mismatch' })
  const id = toHex(txId(body))
  if (id !== prepared.tx_id.toLowerCase()) throw new PrepareError({ code: 'tx-id-mismatch' })
  if (prepared.author.toLowerCase() !== key.orgId) throw new PrepareError({ code: 'author-mismatch' })
  const signature = signMessage(key.seed, expected)
  const pub = fromHex(key.publicKey, 32)
  if (!pub || !verifySignature(signature, expected, pub)) throw new PrepareError({ code: 'self-check' })
  return { txId: id, entry: assembleEntry(body, key.orgIdBytes, signature) }
}
