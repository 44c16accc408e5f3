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
 * Two kinds' payloads are decoded, for the bundle verifier following
 * validator set changes ({@link decodeSetChange}): `add_validator` (a
 * `ValidatorNode`: operator OrgId, key name, Ed25519 key) and
 * `remove_validator` (name, reason), with the checks `SignedTx::check_form`
 * makes of them; and the genesis's validator list ({@link decodeGenesisValidators}),
 * the set a verifier pinning the genesis keys starts from.
 *
 * The transaction id is `BLAKE3-derive-key("tanji/tx-id/v1", body)` and every
 * approval signs `"tanji/tx/v1" ‖ 0x00 ‖ body` (`ledger/src/crypto/domain.rs`).
 */

import { blake3 } from '@noble/hashes/blake3.js'
import { concat, equalBytes, readU32LE, readU64LE, toHex, utf8 } from './bytes'
import { checkPublicKey, verifyStrict } from './ed25519'
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
/** Longest key name: a node's name in checkpoint signature lines (Rust's `text::MAX_KEY_NAME_LEN`). */
export const MAX_KEY_NAME_LEN = 64
/** Longest reason text, in bytes (Rust's `MAX_REASON_LEN`). */
export const MAX_REASON_LEN = 1024
/** Most founding organisations, and most genesis validators (Rust's `MAX_GENESIS_MEMBERS`). */
export const MAX_GENESIS_MEMBERS = 64

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
  'add_validator',
  'remove_validator',
  'rotate_key',
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
  /** The kind's payload: the body after the kind tag (decoded here only for validator set changes). */
  readonly payload: Uint8Array
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
    payload: body.subarray(headerLen),
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

/** A validator node as the ledger records it (`ValidatorNode`). */
export interface ValidatorNode {
  /** The operating organisation's OrgId, 16 bytes. */
  readonly operator: Uint8Array
  readonly operatorHex: string
  /** Its key name in checkpoint signature lines. */
  readonly name: string
  /** Its Ed25519 key, 32 bytes. */
  readonly key: Uint8Array
}

/** A validator set change: the payload of an `add_validator` or `remove_validator` entry. */
export type SetChange =
  | { readonly change: 'add'; readonly node: ValidatorNode }
  | { readonly change: 'remove'; readonly name: string; readonly reason: string }

/** Rust's `char::is_control` (Unicode Cc). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
/** Only Unicode white space (what Rust's `str::trim` strips), or nothing. */
const BLANK = /^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/

/** A bounded reader of borsh values over `bytes`; every read checks the bytes left. */
class Reader {
  private at = 0
  constructor(private readonly bytes: Uint8Array) {}

  get left(): number {
    return this.bytes.length - this.at
  }

  fixed(n: number, what: string): Result<Uint8Array, string> {
    if (this.left < n) return err(`truncated: ${what} needs ${n} bytes, ${this.left} left`)
    const out = this.bytes.slice(this.at, this.at + n)
    this.at += n
    return ok(out)
  }

  u32(what: string): Result<number, string> {
    const b = this.fixed(4, what)
    return b.ok ? ok(readU32LE(b.value, 0)) : b
  }

  /** A borsh `String`: u32 length, then that many bytes of UTF-8. */
  string(what: string): Result<string, string> {
    const n = this.u32(what)
    if (!n.ok) return n
    const b = this.fixed(n.value, what)
    if (!b.ok) return b
    try {
      return ok(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b.value))
    } catch {
      return err(`${what}: invalid UTF-8`)
    }
  }

  /** Refuses bytes after the last field (borsh decodes the whole input). */
  end(): Result<null, string> {
    return this.left === 0 ? ok(null) : err(`${this.left} trailing byte(s) after the payload`)
  }
}

/** The ledger's key name rule (`text::check_key_name`), worded as Rust's `FormError` for `field`. */
function keyNameProblem(field: string, s: string): string | null {
  return s.length >= 1 && s.length <= MAX_KEY_NAME_LEN && /^[!-*,-~]+$/.test(s)
    ? null
    : `${field}: ${JSON.stringify(s.slice(0, 80))} must be 1..=${MAX_KEY_NAME_LEN} printable ASCII bytes without spaces or '+'`
}

/** The ledger's text rule (`text::check_text`, not empty), worded as Rust's `FormError` for `field`. */
function textProblem(field: string, s: string, max: number): string | null {
  const len = utf8(s).length
  if (len > max) return `${field}: ${len} bytes, more than ${max}`
  if (BLANK.test(s)) return `${field}: must not be empty`
  if (CONTROL.test(s)) return `${field}: must not contain control characters`
  return null
}

/** A borsh `ValidatorNode` (operator, name, key), without its form checks. */
function readNode(r: Reader, what: string): Result<ValidatorNode, string> {
  const operator = r.fixed(ORG_ID_BYTES, `${what}.operator`)
  if (!operator.ok) return operator
  const name = r.string(`${what}.name`)
  if (!name.ok) return name
  const key = r.fixed(32, `${what}.key`)
  if (!key.ok) return key
  return ok({ operator: operator.value, operatorHex: toHex(operator.value), name: name.value, key: key.value })
}

/**
 * Decodes the payload of an `add_validator` (tag 15: `ValidatorNode`) or
 * `remove_validator` (tag 16: name, reason) entry, with the form checks the
 * ledger makes of them (`SignedTx::check_form`): an added node's key is a
 * usable Ed25519 key and its name a key name; a removed name is a key name
 * and the reason a non-empty text of at most {@link MAX_REASON_LEN} bytes.
 * Any other kind is an error. Bounded by the payload; never throws.
 */
export function decodeSetChange(tx: SplitTx): Result<SetChange, string> {
  const r = new Reader(tx.payload)
  if (tx.kind === 'add_validator') {
    const node = readNode(r, 'validator')
    if (!node.ok) return node
    const end = r.end()
    if (!end.ok) return end
    const keyProblem = checkPublicKey(node.value.key)
    if (keyProblem !== null) return err(`validator.key: ${keyProblem}`)
    const nameProblem = keyNameProblem('validator.name', node.value.name)
    if (nameProblem !== null) return err(nameProblem)
    return ok({ change: 'add', node: node.value })
  }
  if (tx.kind === 'remove_validator') {
    const name = r.string('name')
    if (!name.ok) return name
    const reason = r.string('reason')
    if (!reason.ok) return reason
    const end = r.end()
    if (!end.ok) return end
    const problem = keyNameProblem('name', name.value) ?? textProblem('reason', reason.value, MAX_REASON_LEN)
    if (problem !== null) return err(problem)
    return ok({ change: 'remove', name: name.value, reason: reason.value })
  }
  return err(`the entry is a ${tx.kind}, not a validator set change`)
}

/**
 * The validator nodes of a `genesis` entry (tag 0: `Genesis { orgs:
 * Vec<OrgRecord>, validators: Vec<ValidatorNode> }`, an `OrgRecord` being
 * name, company id, signing key, encryption key and a role byte), in genesis
 * order: the set a verifier that pins the genesis keys starts from. The
 * organisations are skipped, not checked. Bounded; never throws.
 */
export function decodeGenesisValidators(tx: SplitTx): Result<ValidatorNode[], string> {
  if (tx.kind !== 'genesis') return err(`the entry is a ${tx.kind}, not the genesis`)
  const r = new Reader(tx.payload)
  const orgs = r.u32('orgs')
  if (!orgs.ok) return orgs
  if (orgs.value > MAX_GENESIS_MEMBERS) return err(`orgs: ${orgs.value}, more than ${MAX_GENESIS_MEMBERS}`)
  for (let i = 0; i < orgs.value; i++) {
    for (const part of [r.string(`orgs[${i}].name`), r.string(`orgs[${i}].company_id`), r.fixed(32 + 32 + 1, `orgs[${i}] keys and roles`)]) {
      if (!part.ok) return part
    }
  }
  const count = r.u32('validators')
  if (!count.ok) return count
  if (count.value > MAX_GENESIS_MEMBERS) return err(`validators: ${count.value}, more than ${MAX_GENESIS_MEMBERS}`)
  const nodes: ValidatorNode[] = []
  for (let i = 0; i < count.value; i++) {
    const node = readNode(r, `validators[${i}]`)
    if (!node.ok) return node
    const problem = keyNameProblem(`validators[${i}].name`, node.value.name)
    if (problem !== null) return err(problem)
    nodes.push(node.value)
  }
  const end = r.end()
  return end.ok ? ok(nodes) : end
}
