// Signing a prepared transaction and assembling the log entry
// `borsh(SignedTx) = borsh(body) ‖ u32-LE(approvals) ‖ (signer org id ‖ signature)…`
// with the author's single approval (ledger/src/tx/mod.rs). The id, the
// signed message and the check of the signature are the verifier's.
import type { components } from '../api/schema'
import { concat, decodeBase64, equalBytes, fromHex, toHex } from '../verify/bytes'
import { verifyStrict } from '../verify/ed25519'
import { signedMessage, txId } from '../verify/tx'
import { signMessage } from './crypto'
import type { OrgKey } from './keyfile'

/** What signing needs of the node's answer to `POST /v1/footprints/prepare`. */
export type PreparedTx = Pick<components['schemas']['PreparedTx'], 'tx_id' | 'author' | 'body' | 'signing_message'>

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

/** The approval count of an entry with the author's approval alone: u32-LE(1). */
const ONE_APPROVAL = Uint8Array.of(1, 0, 0, 0)

/** `body ‖ u32-LE(1) ‖ signer ‖ signature`: a SignedTx with one approval. */
export function assembleEntry(body: Uint8Array, signer: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signer.length !== 16) throw new RangeError('org id must be 16 bytes')
  if (signature.length !== 64) throw new RangeError('signature must be 64 bytes')
  return concat(body, ONE_APPROVAL, signer, signature)
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
  const body = decodeBase64(prepared.body)
  if (!body || body.length === 0) throw new PrepareError({ code: 'bad-body' })
  const message = decodeBase64(prepared.signing_message)
  if (!message) throw new PrepareError({ code: 'bad-message' })
  const expected = signedMessage(body)
  if (!equalBytes(message, expected)) throw new PrepareError({ code: 'message-mismatch' })
  const id = toHex(txId(body))
  if (id !== prepared.tx_id.toLowerCase()) throw new PrepareError({ code: 'tx-id-mismatch' })
  if (prepared.author.toLowerCase() !== key.orgId) throw new PrepareError({ code: 'author-mismatch' })
  const signature = signMessage(key.seed, expected)
  const pub = fromHex(key.publicKey, 32)
  if (!pub || !verifyStrict(signature, expected, pub)) throw new PrepareError({ code: 'self-check' })
  return { txId: id, entry: assembleEntry(body, key.orgIdBytes, signature) }
}
