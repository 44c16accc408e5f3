/**
 * Log entries: splitting `borsh(SignedTx)` into the signed body and its
 * approvals, without decoding every transaction kind.
 *
 * Layout (`ledger/src/tx/mod.rs`, `ledger/src/ids.rs`; borsh: little-endian
 * integers, `u32` length prefixes, enums as a one-byte tag):
 *
 * ```text
 * entry    = body ‖ u32 count ‖ count × approval
 * body     = u32 n ‖ network (n bytes UTF-8) ‖ author (OrgId, 16 bytes)
 *            ‖ nonce (u64) ‖ kind tag (u8) ‖ kind payload (variable)
 * approval = signer (OrgId, 16 bytes) ‖ Ed25519 signature (64 bytes)
 * ```
 *
 * The header (network, author, nonce, kind) is read from the front. The kind
 * payload is not decoded, so where the body ends is found from the back: for
 * a count c in 1..=64 ({@link MAX_APPROVALS}), the body would end at
 * `len - 4 - 80c`, and there the u32 must read c. A candidate c is kept only
 * if, as `SignedTx::check_form` requires of every valid entry, its first
 * approval is the author's and no organisation signs twice.
 *
 * Why this is unambiguous: whatever the bytes, at most one candidate
 * survives. Approvals are read from the end, so for two candidates c1 < c2
 * the c1 approvals are the last c1 of the c2 approvals. Both first approvals
 * must be the author's; then the author signs twice in the c2 list (at 0 and
 * at c2 - c1), and c2 is dropped. And for every entry the ledger accepts, the
 * real split survives (its first approval is the author's and its signers are
 * distinct), so it is the one found. When no candidate survives the entry is
 * not one the ledger accepts, and it is refused here too.
 *
 * What is checked (a subset of `SignedTx::decode`, which decodes every field
 * and checks its form): size at most {@link MAX_TX_BYTES}; the header reads
 * within the entry; the network name rule (`check_network_name`); a known
 * kind tag; the approvals as above. An entry with a malformed payload (say,
 * an over-long label) passes here and fails in Rust; such an entry can never
 * be in the log, since every node decodes and checks it in full before
 * appending, and a bundle's entry is in the log only if its inclusion proof
 * and the validators' signatures say so.
 *
 * The transaction id is `BLAKE3-derive-key("tanji/tx-id/v1", body)` and every
 * approval signs `"tanji/tx/v1" ‖ 0x00 ‖ body` (`ledger/src/crypto/domain.rs`).
 */

import { blake3 } from '@noble/hashes/blake3.js'
import { concat, equalBytes, readU32LE, readU64LE, toHex, utf8 } from './bytes'
import { verifyStrict } from './ed25519'
import { err, ok, type Result } from './result'

/** Largest encoded transaction accepted anywhere (Rust's `MAX_TX_BYTES`). */
export const MAX_TX_BYTES = 128 * 1024
/** Most approvals one transaction may carry (Rust's `MAX_APPROVALS`). */
export const MAX_APPROVALS = 64
/** Longest network name (Rust's `MAX_NETWORK_LEN`). */
export const MAX_NETWORK_LEN = 64
/** Bytes of an organisation id. */
export const ORG_ID_BYTES = 16
/** Bytes of one approval: signer id and signature. */
export const APPROVAL_BYTES = ORG_ID_BYTES + 64

/** Context string of transaction ids (Rust's `TX_ID_CONTEXT`, BLAKE3 key derivation). */
export const TX_ID_CONTEXT = 'tanji/tx-id/v1'
/** Context string of transaction signatures (Rust's `domain::TX_V1`). */
export const TX_SIGNING_CONTEXT = 'tanji/tx/v1'

/**
 * Transaction kind names by borsh tag, in `TxKind` order, as Rust's
 * `TxKind::name()` gives them. New kinds are appended in Rust, never inserted.
 */
export const TX_KIND_NAMES = [
  'genesis',
  'register_org',
  'change_roles',
  'revoke_org',
  'anchor_evidence',
  'publish_factor',
  'revoke_factor',
  'publish_rule',
  'attest_footprint',
  'revoke_footprint',
  'issue_certificate',
  'set_certificate_status',
  'register_observer',
  'remove_observer',
  'disclose',
] as const

/** A transaction kind's name. */
export type TxKindName = (typeof TX_KIND_NAMES)[number]

/** One approval: who signed, and the signature over the body. */
export interface Approval {
  /** OrgId, 16 bytes. */
  readonly signer: Uint8Array
  readonly signerHex: string
  /** Ed25519 signature over `"tanji/tx/v1" ‖ 0x00 ‖ body`, 64 bytes. */
  readonly signature: Uint8Array
}

/** A log entry split into its parts. */
export interface SplitTx {
  /** `borsh(TxBody)`: what the id covers and every approval signs. */
  readonly body: Uint8Array
  readonly network: string
  /** The author's OrgId, 16 bytes. */
  readonly author: Uint8Array
  readonly authorHex: string
  /** Replay protection (`u64`). */
  readonly nonce: bigint
  readonly kindTag: number
  readonly kind: TxKindName
  /** The author's approval first. */
  readonly approvals: readonly Approval[]
  /** The transaction id, 32 bytes. */
  readonly id: Uint8Array
  readonly idHex: string
}

const TX_ID_KEY_CONTEXT = utf8(TX_ID_CONTEXT)
const SIGNING_PREFIX = concat(utf8(TX_SIGNING_CONTEXT), Uint8Array.of(0))

/** The transaction id of a body: `BLAKE3-derive-key("tanji/tx-id/v1", body)` (Rust's `TxId::of_body_bytes`). */
export function txId(body: Uint8Array): Uint8Array {
  return blake3(body, { context: TX_ID_KEY_CONTEXT })
}

/** The message every approval signs: `"tanji/tx/v1" ‖ 0x00 ‖ body` (Rust's `domain::message`). */
export function signedMessage(body: Uint8Array): Uint8Array {
  return concat(SIGNING_PREFIX, body)
}

/**
 * The ledger's network name rule (`check_network_name`): 1..=64 bytes of
 * printable ASCII without spaces or `+`, not starting with `tanji/`
 * (reserved for signing contexts). `null` when valid, else the problem.
 */
export function networkNameProblem(bytes: Uint8Array): string | null {
  if (bytes.length === 0 || bytes.length > MAX_NETWORK_LEN) return `network: must be 1..=${MAX_NETWORK_LEN} bytes`
  for (const b of bytes) {
    if (b < 0x21 || b > 0x7e || b === 0x2b) return "network: must be printable ASCII without spaces or '+'"
  }
  if (String.fromCharCode(...bytes).startsWith('tanji/')) return "network: must not start with 'tanji/'"
  return null
}

/** Splits a log entry (see the module docs); the error says why it is not a valid entry. */
export function splitEntry(entry: Uint8Array): Result<SplitTx, string> {
  if (entry.length > MAX_TX_BYTES) {
    return err(`input is ${entry.length} bytes, more than the limit of ${MAX_TX_BYTES}`)
  }
  // Header, from the front.
  if (entry.length < 4) return err('truncated: no network name')
  const n = readU32LE(entry, 0)
  const headerLen = 4 + n + ORG_ID_BYTES + 8 + 1
  if (headerLen > entry.length) return err('truncated: the entry ends inside its header')
  const networkBytes = entry.subarray(4, 4 + n)
  const networkProblem = networkNameProblem(networkBytes)
  if (networkProblem !== null) return err(networkProblem)
  const network = String.fromCharCode(...networkBytes)
  const author = entry.slice(4 + n, 4 + n + ORG_ID_BYTES)
  const nonce = readU64LE(entry, 4 + n + ORG_ID_BYTES)
  const kindTag = entry[headerLen - 1] ?? 0
  const kind = TX_KIND_NAMES[kindTag]
  if (kind === undefined) return err(`unknown transaction kind tag ${kindTag}`)

  // Approvals, from the back.
  let countFound = false
  let authorFirst = false
  const candidates: Array<{ bodyLen: number; approvals: Approval[] }> = []
  for (let c = 1; c <= MAX_APPROVALS; c++) {
    const bodyLen = entry.length - 4 - APPROVAL_BYTES * c
    if (bodyLen < headerLen) break
    if (readU32LE(entry, bodyLen) !== c) continue
    countFound = true
    const approvals: Approval[] = []
    for (let i = 0; i < c; i++) {
      const at = bodyLen + 4 + APPROVAL_BYTES * i
      const signer = entry.slice(at, at + ORG_ID_BYTES)
      approvals.push({ signer, signerHex: toHex(signer), signature: entry.slice(at + ORG_ID_BYTES, at + APPROVAL_BYTES) })
    }
    if (!equalBytes(approvals[0]?.signer ?? new Uint8Array(0), author)) continue
    authorFirst = true
    if (new Set(approvals.map((a) => a.signerHex)).size !== approvals.length) continue
    candidates.push({ bodyLen, approvals })
  }
  const [only, ...others] = candidates
  if (only === undefined) {
    if (!countFound) {
      return err(`no approvals at the end of the entry (a u32 count in 1..=${MAX_APPROVALS} then that many 80-byte approvals)`)
    }
    return err(authorFirst ? 'approvals: an organisation signed twice' : "approvals: the first approval must be the author's")
  }
  // Unreachable (see the module docs); kept so that a change to the filters cannot silently pick one.
  if (others.length > 0) return err('the approvals cannot be told apart from the body (not a valid entry)')
  const body = entry.slice(0, only.bodyLen)
  const id = txId(body)
  return ok({
    body,
    network,
    author,
    authorHex: toHex(author),
    nonce,
    kindTag,
    kind,
    approvals: only.approvals,
    id,
    idHex: toHex(id),
  })
}

/**
 * Strictly verifies approval `i` of `tx` (0: the author's) under `publicKey`
 * (32 bytes), as the ledger's `PublicKey::verify(TX_V1, body, signature)`.
 */
export function verifyApproval(tx: SplitTx, i: number, publicKey: Uint8Array): boolean {
  const a = tx.approvals[i]
  return a !== undefined && verifyStrict(a.signature, signedMessage(tx.body), publicKey)
}
