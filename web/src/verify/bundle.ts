/**
 * Offline verification of the bundles the API serves, independently of the
 * Rust code but to the same rules (`ledger/src/bundle/mod.rs` and
 * `ledger/src/bundle/set_changes.rs`):
 *
 * - `tanji-inclusion-bundle/v1` (`GET /v1/tx/{id}/bundle`): one entry, its
 *   inclusion proof, the cosigned checkpoint and the validator keys; Rust's
 *   `InclusionBundle::from_json` + `InclusionBundle::verify`.
 * - `tanji-certificate-bundle/v1` (`GET /v1/certificates/{id}/bundle`), its
 *   log part: every entry proven against one cosigned checkpoint; Rust's
 *   `CertificateBundle::from_json` + `ProvenEntries::verify`. (The
 *   certificate's own logic, grade and supply-chain recomputation, is not
 *   repeated here: `verified` means every entry is in the log the validators
 *   signed.)
 *
 * The limits are Rust's and the checks run in Rust's order, stopping at the
 * first failure, so a bundle fails here at the check where Rust fails. Each
 * Rust error maps to one stable check name ({@link CHECK_NAMES}):
 *
 * | check                   | Rust error                                                        |
 * |-------------------------|-------------------------------------------------------------------|
 * | `format`                | `Malformed`: size, JSON, format tag, too many entries              |
 * | `entry`                 | `Malformed("entry … is not base64")`, `Entry(FormError)`           |
 * | `transaction id`        | `WrongTx` (inclusion bundles only: they name their transaction)    |
 * | `inclusion proof`       | `Proof(ProofError)`, `Malformed` proof (over 64 hashes, a hash not base64 or not 32 bytes) |
 * | `checkpoint`            | `Checkpoint(NoteError::Malformed)`                                 |
 * | `set change`            | `SetChange`: a link of `set_changes` does not hold (with pinned keys only; see below). Two link problems are Rust `Malformed` errors and keep their checks: more than 256 links (`format`), a link's proof hash not base64 or not 32 bytes (`inclusion proof`) |
 * | `network`               | `WrongNetwork`                                                     |
 * | `checkpoint signatures` | `Checkpoint(BadSignature)`, `Checkpoint(BadVerifierKey)`, `Malformed("too many validator keys")` |
 * | `quorum`                | `Checkpoint(NotEnoughSignatures)`                                  |
 * | `leaf hash`             | never fails: the computed BLAKE3 leaf hash, for display            |
 * | `entry signature`       | no bundle error: checked only when the caller passes the authors' keys, after every Rust check, with the ledger's strict rule (`PublicKey::verify` of approval 0) |
 *
 * `ledger/tests/browser_vectors.rs` writes `vectors.json` from the Rust
 * verifier, and `vectors.test.ts` checks that this module agrees case by case.
 *
 * One limit of an independent verifier that does not decode every
 * transaction kind (see `tx.ts`): an entry whose kind payload is malformed is
 * refused by Rust at `entry` and not here. No log holds such an entry (every
 * node checks each entry in full before appending), so for a bundle whose
 * checkpoint a quorum of honest validators signed the verdicts agree; for an
 * inclusion bundle with a tampered payload both fail, at `entry` in Rust and
 * at `transaction id` or `inclusion proof` here.
 *
 * Validator set changes (ADR 0013; Rust's `checkpoint_set` and `follow`):
 * bundles carry, in the optional field `set_changes` (absent when empty, as
 * serde's `#[serde(default)]`), one link per governance change of the
 * validator set since the genesis that is in force at their checkpoint: the
 * change's entry, its inclusion proof and the checkpoint at the end of its
 * batch. With `pinned` keys (say, the genesis set) the verifier starts from
 * them and, link by link and in Rust's order, refuses more than
 * {@link MAX_SET_CHANGES} links, checks the link's checkpoint (parses, same
 * network, links in log order with checkpoints that never shrink, smaller
 * than the bundle's checkpoint), that a quorum of the set in force signed it,
 * the entry's inclusion in it, that the entry is an `add_validator` or
 * `remove_validator` of the network, and applies it (an added name or key
 * already in the set, or a removed name not in it, is refused); the quorum
 * becomes ⌊2n/3⌋ + 1 of the new set. The bundle's checkpoint must then carry
 * the quorum of the resulting set. Without `pinned`, the bundle's own keys
 * are used and its links are not needed (nor read beyond their form), as in
 * Rust.
 *
 * Trust: without `pinned`, the validator keys are the bundle's own, which
 * only says which set the node claimed; a page that knows the network's
 * validator keys should pin them. Author signatures are checked only with
 * keys the caller supplies (e.g. from `GET /v1/orgs/{id}`): a bundle alone
 * proves that an entry is in the signed log, not who wrote it.
 *
 * Nothing here throws on bad input: malformed bundles give a failed verdict
 * whose detail says what was wrong.
 */

import { decodeBase64, equalBytes, fromHex, isWellFormed, toHex, utf8Length } from './bytes'
import { checkPublicKey } from './ed25519'
import {
  parseJson,
  readString,
  readStringArray,
  readStruct,
  readU64,
  type JsonValue,
} from './json'
import { hashLeaf, MAX_INCLUSION_PROOF_LEN, proofErrorMessage, verifyInclusion } from './merkle'
import {
  MAX_SIGNATURES,
  noteErrorMessage,
  parseCheckpoint,
  parseNote,
  parseVkey,
  verifyNote,
  type Checkpoint,
  type NoteVerifier,
  type SignedNote,
} from './note'
import { err, ok, type Result } from './result'
import { decodeSetChange, splitEntry, verifyApproval, type SplitTx, type TxKindName } from './tx'

/** Format tag of inclusion bundles. */
export const INCLUSION_BUNDLE_FORMAT = 'tanji-inclusion-bundle/v1'
/** Format tag of certificate bundles. */
export const CERTIFICATE_BUNDLE_FORMAT = 'tanji-certificate-bundle/v1'
/** Largest inclusion bundle accepted, in bytes (Rust's `MAX_BUNDLE_BYTES`). */
export const MAX_BUNDLE_BYTES = 256 * 1024
/** Largest certificate bundle accepted, in bytes (Rust: `16 * MAX_BUNDLE_BYTES`). */
export const MAX_CERTIFICATE_BUNDLE_BYTES = 16 * MAX_BUNDLE_BYTES
/** Most entries in a certificate bundle (Rust's `MAX_BUNDLE_ENTRIES`). */
export const MAX_BUNDLE_ENTRIES = 2000
/** Most validator set changes one bundle may carry (Rust's `MAX_SET_CHANGES`). */
export const MAX_SET_CHANGES = 256
/** Most validators in force at once (Rust's `tx::MAX_VALIDATORS`). */
export const MAX_VALIDATORS = 64

/** The stable names of the checks, in the order an inclusion bundle runs them. */
export const CHECK_NAMES = [
  'format',
  'entry',
  'transaction id',
  'entry signature',
  'leaf hash',
  'inclusion proof',
  'checkpoint',
  'set change',
  'checkpoint signatures',
  'quorum',
  'network',
] as const

/** One of {@link CHECK_NAMES}. */
export type CheckName = (typeof CHECK_NAMES)[number]

/** One check that ran, whether it held, and what it found or what was wrong. */
export interface Check {
  readonly check: CheckName
  readonly ok: boolean
  readonly detail: string
}

/** `verified`, or the first failing check. */
export type Verdict = 'verified' | `failed: ${CheckName}`

/** The two bundle formats. */
export type BundleFormat = typeof INCLUSION_BUNDLE_FORMAT | typeof CERTIFICATE_BUNDLE_FORMAT

/** What is known about one entry once it has been read. */
export interface EntryFacts {
  /** Log index (`u64`, decimal). */
  readonly index: string
  /** Transaction id, hex. */
  readonly txId: string
  readonly kind: TxKindName
  /** Author's OrgId, hex. */
  readonly author: string
  /** Nonce (`u64`, decimal). */
  readonly nonce: string
  /** Network the transaction is for. */
  readonly network: string
  /** BLAKE3 leaf hash of the entry, hex. */
  readonly leafHash: string
  /** Number of approvals (the author's first). */
  readonly approvals: number
  /** The author's signature under the key the caller gave. */
  readonly authorSignature: 'valid' | 'invalid' | 'not checked'
}

/** One validator set change followed from the pinned keys. */
export interface SetChangeFacts {
  /** The change's log index (`u64`, decimal). */
  readonly index: string
  readonly change: 'add' | 'remove'
  /** The node added or removed. */
  readonly name: string
  /** The size of the checkpoint that the set before the change signed for it (`u64`, decimal). */
  readonly checkpointSize: string
  /** Keys in the set after the change. */
  readonly validators: number
  /** The quorum of the set after the change. */
  readonly quorum: number
}

/** The outcome of verifying a bundle. Facts are `null` until the check that establishes them ran. */
export interface BundleResult {
  readonly ok: boolean
  /** Exactly `verified`, or `failed: <first failing check>`. */
  readonly verdict: Verdict
  /** The checks that ran, in order; the last one failed unless `ok`. */
  readonly checks: readonly Check[]
  readonly format: BundleFormat | null
  /** Certificate id (certificate bundles). */
  readonly certificate: string | null
  /** The checkpoint's origin: the network. */
  readonly network: string | null
  /** The checkpoint's tree size (`u64`, decimal). */
  readonly treeSize: string | null
  /** The checkpoint's root, hex. */
  readonly root: string | null
  /** Valid signatures by distinct trusted validator keys. */
  readonly signatures: number | null
  /** Names of the validators whose signatures counted. */
  readonly signers: readonly string[]
  /** Signatures required (the pinned quorum, or the bundle's). */
  readonly quorum: number | null
  /** Whether the validator keys came from the caller rather than the bundle. */
  readonly keysPinned: boolean
  /**
   * Validator set changes followed from the pinned keys to the set that
   * signed the checkpoint (Rust's `set_changes_followed`): the bundle's
   * links once all of them held, else 0 (always 0 without pinned keys).
   */
  readonly setChangesFollowed: number
  /** The set changes followed so far, oldest first. */
  readonly setChanges: readonly SetChangeFacts[]
  /** The entries read so far, in bundle order. */
  readonly entries: readonly EntryFacts[]
}

/** Authors' Ed25519 public keys by OrgId hex (32 bytes, or 64 hex characters). */
export type AuthorKeys =
  | ReadonlyMap<string, string | Uint8Array>
  | Readonly<Record<string, string | Uint8Array>>

/** What the caller brings to a verification. */
export interface VerifyOptions {
  /**
   * Validator keys (vkeys, or parsed) and quorum to trust instead of the
   * bundle's own, as Rust's `pinned` argument.
   */
  readonly pinned?: {
    readonly validators: ReadonlyArray<string | NoteVerifier>
    readonly quorum: number | bigint
  }
  /** When given, every entry's author signature (approval 0) must verify under the author's key here. */
  readonly authorKeys?: AuthorKeys
}

/** A bundle as text, UTF-8 bytes, or already parsed JSON (then re-serialised: prefer text, whose numbers are exact). */
export type BundleInput = string | Uint8Array | object

/** Collects checks and facts; stops at the first failure. */
class Run {
  readonly checks: Check[] = []
  failed: CheckName | null = null
  format: BundleFormat | null = null
  certificate: string | null = null
  network: string | null = null
  treeSize: string | null = null
  root: string | null = null
  signatures: number | null = null
  signers: readonly string[] = []
  quorum: number | null = null
  keysPinned = false
  setChangesFollowed = 0
  readonly setChanges: SetChangeFacts[] = []
  readonly entries: EntryFacts[] = []

  pass(check: CheckName, detail: string): void {
    this.checks.push({ check, ok: true, detail })
  }

  /** Records the failure; returns `false` so a step can `return run.fail(...)`. */
  fail(check: CheckName, detail: string): false {
    this.checks.push({ check, ok: false, detail })
    this.failed = check
    return false
  }

  result(): BundleResult {
    const ok = this.failed === null
    return {
      ok,
      verdict: ok ? 'verified' : `failed: ${this.failed ?? 'format'}`,
      checks: this.checks,
      format: this.format,
      certificate: this.certificate,
      network: this.network,
      treeSize: this.treeSize,
      root: this.root,
      signatures: this.signatures,
      signers: this.signers,
      quorum: this.quorum,
      keysPinned: this.keysPinned,
      setChangesFollowed: this.setChangesFollowed,
      setChanges: this.setChanges,
      entries: this.entries,
    }
  }
}

/** The bundle's text, within `limit` UTF-8 bytes (Rust reads a `&str`, and checks its length first). */
function inputText(input: BundleInput, limit: number, tooLarge: (bytes: number) => string): Result<string, string> {
  let text: string
  if (typeof input === 'string') {
    if (!isWellFormed(input)) return err('the text is not valid Unicode')
    text = input
  } else if (input instanceof Uint8Array) {
    if (input.length > limit) return err(tooLarge(input.length))
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input)
    } catch {
      return err('the bundle is not UTF-8 text')
    }
  } else {
    try {
      const s: unknown = JSON.stringify(input)
      if (typeof s !== 'string') return err('the bundle is not a JSON value')
      text = s
    } catch (e) {
      return err(`the bundle cannot be serialised as JSON: ${String(e)}`)
    }
  }
  const bytes = utf8Length(text)
  if (bytes > limit) return err(tooLarge(bytes))
  return ok(text)
}

/** Reads one field with a reader, naming the field in the error. */
function field<T>(v: JsonValue, name: string, read: (v: JsonValue) => Result<T, string>): Result<T, string> {
  const r = read(v)
  return r.ok ? r : err(`${r.error} (field \`${name}\`)`)
}

/** A serde `TxId`: 64 hex characters, either case. */
function readTxId(v: JsonValue): Result<Uint8Array, string> {
  const s = readString(v)
  if (!s.ok) return s
  const bytes = fromHex(s.value, 32)
  return bytes === null ? err(`expected 64 hex characters, got ${JSON.stringify(s.value.slice(0, 80))}`) : ok(bytes)
}

/** A bundle's proof: at most 64 base64 hashes of 32 bytes (Rust's checks and messages). */
function decodeProof(proof: readonly string[]): Result<Uint8Array[], string> {
  if (proof.length > MAX_INCLUSION_PROOF_LEN) return err(`proof longer than ${MAX_INCLUSION_PROOF_LEN} hashes`)
  const out: Uint8Array[] = []
  for (const h of proof) {
    const bytes = decodeBase64(h)
    if (bytes === null) return err(`${[...h].slice(0, 60).join('')} is not base64`)
    if (bytes.length !== 32) return err('a hash is not 32 bytes')
    out.push(bytes)
  }
  return ok(out)
}

/** Parses the checkpoint note and reads it as a checkpoint, recording the facts. */
function readCheckpoint(run: Run, text: string): { note: SignedNote; cp: Checkpoint } | null {
  const note = parseNote(text)
  if (!note.ok) return run.fail('checkpoint', `checkpoint: ${noteErrorMessage(note.error)}`) || null
  const cp = parseCheckpoint(note.value)
  if (!cp.ok) return run.fail('checkpoint', `checkpoint: ${noteErrorMessage(cp.error)}`) || null
  run.network = cp.value.origin
  run.treeSize = cp.value.size.toString()
  run.root = toHex(cp.value.root)
  run.pass('checkpoint', `origin ${cp.value.origin}, ${cp.value.size} entries, root ${toHex(cp.value.root)}`)
  return { note: note.value, cp: cp.value }
}

/** One link of a bundle's `set_changes` (Rust's `SetChangeLink`). */
interface SetChangeLink {
  /** The change's log index. */
  readonly index: bigint
  /** The change's entry, base64. */
  readonly entry: string
  /** Its audit path to `checkpoint`, base64 hashes. */
  readonly proof: readonly string[]
  /** The checkpoint at the end of the change's batch, signed by the set before it. */
  readonly checkpoint: string
}

const LINK_FIELDS = ['index', 'entry', 'proof', 'checkpoint'] as const

/** A bundle's `set_changes`: absent is empty (serde's `#[serde(default)]`); present, a sequence of links. */
function readSetChanges(v: JsonValue | undefined): Result<SetChangeLink[], string> {
  if (v === undefined) return ok([])
  if (v.type !== 'array') return err('invalid type: expected a sequence (field `set_changes`)')
  const out: SetChangeLink[] = []
  for (const item of v.items) {
    const s = readStruct(item, 'SetChangeLink', LINK_FIELDS)
    if (!s.ok) return err(`${s.error} (field \`set_changes\`)`)
    const index = field(s.value.index, 'index', readU64)
    if (!index.ok) return index
    const entry = field(s.value.entry, 'entry', readString)
    if (!entry.ok) return entry
    const proof = field(s.value.proof, 'proof', readStringArray)
    if (!proof.ok) return proof
    const checkpoint = field(s.value.checkpoint, 'checkpoint', readString)
    if (!checkpoint.ok) return checkpoint
    out.push({ index: index.value, entry: entry.value, proof: proof.value, checkpoint: checkpoint.value })
  }
  return ok(out)
}

/** A validator set as a verifier holds it (Rust's `TrustedSet`). */
interface TrustedSet {
  readonly keys: readonly NoteVerifier[]
  readonly quorum: bigint
}

/** The governance quorum of `n` members, ⌊2n/3⌋ + 1 (Rust's `state::governance_quorum`). */
function governanceQuorum(n: number): bigint {
  return (BigInt(n) * 2n) / 3n + 1n
}

/**
 * Follows the bundle's set change `links` from the pinned set `start`, for
 * the bundle's checkpoint of network `origin` and size `finalSize` (Rust's
 * `follow`: same checks, same order, same messages). Returns the set that
 * must sign the bundle's checkpoint, or `null` once a check failed.
 */
function followSetChanges(
  run: Run,
  start: TrustedSet,
  links: readonly SetChangeLink[],
  origin: string,
  finalSize: bigint,
): TrustedSet | null {
  if (links.length > MAX_SET_CHANGES) {
    return run.fail('format', `malformed bundle: ${links.length} set changes, more than ${MAX_SET_CHANGES}`) || null
  }
  let keys = [...start.keys]
  let quorum = start.quorum
  let last: { readonly index: bigint; readonly size: bigint } | null = null
  for (const [i, link] of links.entries()) {
    const fail = (why: string): null => run.fail('set change', `validator set change ${i}: ${why}`) || null
    const note = parseNote(link.checkpoint)
    if (!note.ok) return fail(noteErrorMessage(note.error))
    const parsed = parseCheckpoint(note.value)
    if (!parsed.ok) return fail(noteErrorMessage(parsed.error))
    const cp = parsed.value
    if (cp.origin !== origin) return fail(`checkpoint of network ${JSON.stringify(cp.origin)}, not ${JSON.stringify(origin)}`)
    if (last !== null && (link.index <= last.index || cp.size < last.size)) return fail('links are not in log order')
    if (cp.size >= finalSize) {
      return fail(
        `its checkpoint (size ${cp.size}) is not before the bundle's (size ${finalSize}), so the change is not in force there`,
      )
    }
    const signed = verifyNote(note.value, keys, quorum)
    if (!signed.ok) return fail(`not signed by the set in force: ${noteErrorMessage(signed.error)}`)
    const entry = decodeBase64(link.entry)
    if (entry === null) return fail('entry is not base64')
    if (link.proof.length > MAX_INCLUSION_PROOF_LEN) return fail(`proof longer than ${MAX_INCLUSION_PROOF_LEN} hashes`)
    // Rust decodes the hashes with `decode_hash`, whose errors are `Malformed` (the check `inclusion proof`).
    const proof = decodeProof(link.proof)
    if (!proof.ok) return run.fail('inclusion proof', `malformed bundle: ${proof.error} (validator set change ${i})`) || null
    const proofError = verifyInclusion(hashLeaf(entry), link.index, cp.size, proof.value, cp.root)
    if (proofError !== null) return fail(`inclusion proof: ${proofErrorMessage(proofError)}`)
    const tx = splitEntry(entry)
    if (!tx.ok) return fail(`entry: ${tx.error}`)
    // Rust decodes the whole entry before the network check; this decodes the set change kinds' payloads.
    const isChange = tx.value.kind === 'add_validator' || tx.value.kind === 'remove_validator'
    const change = isChange ? decodeSetChange(tx.value) : null
    if (change !== null && !change.ok) return fail(`entry: ${change.error}`)
    if (tx.value.network !== origin) {
      return fail(`entry of network ${JSON.stringify(tx.value.network)}, not ${JSON.stringify(origin)}`)
    }
    if (change === null) return fail(`the entry is a ${tx.value.kind}, not a validator set change`)
    // Rust's `apply`.
    const c = change.value
    let name: string
    if (c.change === 'add') {
      name = c.node.name
      if (keys.some((k) => k.name === c.node.name || equalBytes(k.key, c.node.key))) {
        return fail(`adds ${JSON.stringify(c.node.name)}, which is in the set already`)
      }
      if (keys.length >= MAX_VALIDATORS) return fail('the set would exceed the most validators allowed')
      keys.push({ name: c.node.name, key: c.node.key })
    } else {
      name = c.name
      const kept = keys.filter((k) => k.name !== c.name)
      if (kept.length === keys.length) return fail(`removes ${JSON.stringify(c.name)}, which is not in the set`)
      keys = kept
    }
    quorum = governanceQuorum(keys.length)
    last = { index: link.index, size: cp.size }
    run.setChanges.push({
      index: link.index.toString(),
      change: c.change,
      name,
      checkpointSize: cp.size.toString(),
      validators: keys.length,
      quorum: Number(quorum),
    })
  }
  return { keys, quorum }
}

/**
 * Checks the checkpoint's signatures (Rust: `checkpoint_set`, then
 * `SignedNote::verify`): against the pinned keys carried forward through
 * the bundle's set change `links` (the check `set change`), or against the
 * bundle's own keys (`parse_vkeys`; links unused); then the checks
 * `checkpoint signatures` and `quorum`.
 */
function checkSignatures(
  run: Run,
  note: SignedNote,
  cp: Checkpoint,
  vkeys: readonly string[],
  bundleQuorum: bigint,
  links: readonly SetChangeLink[],
  pinned: VerifyOptions['pinned'],
): boolean {
  let keys: readonly NoteVerifier[]
  let quorum: bigint
  let source: string
  if (pinned !== undefined) {
    run.keysPinned = true
    const start: NoteVerifier[] = []
    for (const k of pinned.validators) {
      if (typeof k !== 'string') {
        start.push(k)
        continue
      }
      const v = parseVkey(k)
      if (!v.ok) return run.fail('checkpoint signatures', `pinned key: ${noteErrorMessage(v.error)}`)
      start.push(v.value)
    }
    const q = pinned.quorum
    if (typeof q === 'number' ? !Number.isSafeInteger(q) || q < 0 : q < 0n) {
      return run.fail('quorum', `the pinned quorum must be a non-negative integer, got ${String(q)}`)
    }
    const set = followSetChanges(run, { keys: start, quorum: BigInt(q) }, links, cp.origin, cp.size)
    if (set === null) return false
    keys = set.keys
    quorum = set.quorum
    run.setChangesFollowed = links.length
    if (links.length > 0) {
      const steps = run.setChanges
        .map((c) => `${c.change === 'add' ? '+' : '−'}${c.name} at entry ${c.index}`)
        .join(', ')
      run.pass(
        'set change',
        `followed ${links.length} validator set change(s) from the pinned keys (${steps}), each signed by a quorum of the set before it; the checkpoint needs ${quorum} of the resulting ${keys.length} keys`,
      )
      source = `pinned by the caller, carried forward through ${links.length} set change(s)`
    } else {
      source = 'pinned by the caller'
    }
  } else {
    if (vkeys.length > MAX_SIGNATURES) return run.fail('checkpoint signatures', 'malformed bundle: too many validator keys')
    const own: NoteVerifier[] = []
    for (const k of vkeys) {
      const v = parseVkey(k)
      if (!v.ok) return run.fail('checkpoint signatures', `checkpoint: ${noteErrorMessage(v.error)}`)
      own.push(v.value)
    }
    keys = own
    quorum = bundleQuorum
    source = "the bundle's own"
  }
  const need = quorum < 1n ? 1n : quorum
  run.quorum = Number(quorum)
  const r = verifyNote(note, keys, quorum)
  if (!r.ok) {
    if (r.error.kind !== 'not enough signatures') {
      return run.fail('checkpoint signatures', `checkpoint: ${noteErrorMessage(r.error)}`)
    }
    run.signatures = r.error.have
    run.pass('checkpoint signatures', `no signature line by a trusted key is wrong (${keys.length} keys, ${source})`)
    return run.fail('quorum', `checkpoint: ${noteErrorMessage(r.error)}`)
  }
  run.signatures = r.value.valid
  run.signers = r.value.signers
  const ignored = r.value.ignored > 0 ? `; ${r.value.ignored} line(s) by other keys ignored` : ''
  run.pass(
    'checkpoint signatures',
    `${r.value.valid} valid signature(s) by trusted keys: ${r.value.signers.join(', ')}${ignored}`,
  )
  run.pass('quorum', `${r.value.valid} of ${need} required (validator keys ${source})`)
  return true
}

/** Normalises the caller's author keys to a map from lower-case OrgId hex. */
function authorKeyMap(keys: AuthorKeys): Map<string, string | Uint8Array> {
  const entries: Iterable<[string, string | Uint8Array]> = keys instanceof Map ? keys.entries() : Object.entries(keys)
  const out = new Map<string, string | Uint8Array>()
  for (const [k, v] of entries) out.set(k.toLowerCase(), v)
  return out
}

/** Checks approval 0 of each entry under its author's key (`entry signature`). */
function checkAuthorSignatures(
  run: Run,
  txs: ReadonlyArray<{ index: bigint; tx: SplitTx }>,
  keys: AuthorKeys | undefined,
): boolean {
  if (keys === undefined) return true
  const map = authorKeyMap(keys)
  for (const [i, { index, tx }] of txs.entries()) {
    const where = `entry ${index}`
    const given = map.get(tx.authorHex)
    if (given === undefined) return run.fail('entry signature', `${where}: no public key given for author ${tx.authorHex}`)
    const key = typeof given === 'string' ? fromHex(given, 32) : given.length === 32 ? given : null
    if (key === null) return run.fail('entry signature', `${where}: the key given for author ${tx.authorHex} is not 32 bytes of hex`)
    const problem = checkPublicKey(key)
    if (problem !== null) return run.fail('entry signature', `${where}: author ${tx.authorHex}: ${problem}`)
    const valid = verifyApproval(tx, 0, key)
    const facts = run.entries[i]
    if (facts !== undefined) run.entries[i] = { ...facts, authorSignature: valid ? 'valid' : 'invalid' }
    if (!valid) {
      return run.fail('entry signature', `${where}: author ${tx.authorHex}: signature does not verify`)
    }
  }
  run.pass(
    'entry signature',
    txs.length === 1 ? "the author's signature verifies (strict Ed25519)" : `all ${txs.length} authors' signatures verify (strict Ed25519)`,
  )
  return true
}

function entryFacts(index: bigint, tx: SplitTx, leaf: Uint8Array): EntryFacts {
  return {
    index: index.toString(),
    txId: tx.idHex,
    kind: tx.kind,
    author: tx.authorHex,
    nonce: tx.nonce.toString(),
    network: tx.network,
    leafHash: toHex(leaf),
    approvals: tx.approvals.length,
    authorSignature: 'not checked',
  }
}

function describeTx(tx: SplitTx): string {
  const n = tx.approvals.length
  return `${tx.kind} by ${tx.authorHex}, nonce ${tx.nonce}, network ${tx.network}, ${n} approval${n === 1 ? '' : 's'}`
}

const INCLUSION_FIELDS = ['format', 'tx_id', 'index', 'entry', 'proof', 'checkpoint', 'validators', 'quorum', 'set_changes'] as const
/** Fields declared `#[serde(default)]`: may be absent. */
const DEFAULTED = ['set_changes'] as const

function inclusion(run: Run, input: BundleInput, options: VerifyOptions): boolean {
  // InclusionBundle::from_json
  const text = inputText(input, MAX_BUNDLE_BYTES, (n) => `malformed bundle: ${n} bytes, more than ${MAX_BUNDLE_BYTES}`)
  if (!text.ok) return run.fail('format', text.error)
  const json = parseJson(text.value)
  if (!json.ok) return run.fail('format', `malformed bundle: ${json.error}`)
  const s = readStruct(json.value, 'InclusionBundle', INCLUSION_FIELDS, DEFAULTED)
  if (!s.ok) return run.fail('format', `malformed bundle: ${s.error}`)
  const f = s.value
  const format = field(f.format, 'format', readString)
  const claimed = field(f.tx_id, 'tx_id', readTxId)
  const index = field(f.index, 'index', readU64)
  const entryText = field(f.entry, 'entry', readString)
  const proofText = field(f.proof, 'proof', readStringArray)
  const checkpointText = field(f.checkpoint, 'checkpoint', readString)
  const vkeys = field(f.validators, 'validators', readStringArray)
  const quorum = field(f.quorum, 'quorum', readU64)
  const links = readSetChanges(f.set_changes)
  for (const r of [format, claimed, index, entryText, proofText, checkpointText, vkeys, quorum, links]) {
    if (!r.ok) return run.fail('format', `malformed bundle: ${r.error}`)
  }
  if (
    !(format.ok && claimed.ok && index.ok && entryText.ok && proofText.ok && checkpointText.ok && vkeys.ok && quorum.ok && links.ok)
  ) {
    return false
  }
  if (format.value !== INCLUSION_BUNDLE_FORMAT) {
    return run.fail('format', `malformed bundle: unknown format ${JSON.stringify(format.value)}`)
  }
  run.format = INCLUSION_BUNDLE_FORMAT
  run.pass('format', INCLUSION_BUNDLE_FORMAT)

  // InclusionBundle::verify
  const entry = decodeBase64(entryText.value)
  if (entry === null) return run.fail('entry', 'malformed bundle: entry is not base64')
  const tx = splitEntry(entry)
  if (!tx.ok) return run.fail('entry', `entry: ${tx.error}`)
  run.pass('entry', describeTx(tx.value))
  const claimedHex = toHex(claimed.value)
  if (tx.value.idHex !== claimedHex) {
    return run.fail('transaction id', `entry has id ${tx.value.idHex}, bundle says ${claimedHex}`)
  }
  run.pass('transaction id', `${tx.value.idHex}, the id of the entry's body, as the bundle says`)
  const proof = decodeProof(proofText.value)
  if (!proof.ok) return run.fail('inclusion proof', `malformed bundle: ${proof.error}`)
  const read = readCheckpoint(run, checkpointText.value)
  if (read === null) return false
  const { note, cp } = read
  if (cp.origin !== tx.value.network) {
    return run.fail(
      'network',
      `checkpoint origin ${JSON.stringify(cp.origin)} is not the entry's network ${JSON.stringify(tx.value.network)}`,
    )
  }
  run.pass('network', `the entry is for ${tx.value.network}, the checkpoint's network`)
  const leaf = hashLeaf(entry)
  run.entries.push(entryFacts(index.value, tx.value, leaf))
  run.pass('leaf hash', toHex(leaf))
  const proofError = verifyInclusion(leaf, index.value, cp.size, proof.value, cp.root)
  if (proofError !== null) return run.fail('inclusion proof', `inclusion proof: ${proofErrorMessage(proofError)}`)
  run.pass(
    'inclusion proof',
    `entry ${index.value} of ${cp.size} leads to the checkpoint's root (${proof.value.length} hashes)`,
  )
  if (!checkSignatures(run, note, cp, vkeys.value, quorum.value, links.value, options.pinned)) return false
  return checkAuthorSignatures(run, [{ index: index.value, tx: tx.value }], options.authorKeys)
}

const CERTIFICATE_FIELDS = ['format', 'certificate', 'checkpoint', 'validators', 'quorum', 'set_changes', 'entries'] as const
const ENTRY_FIELDS = ['index', 'entry', 'proof'] as const

interface BundleEntry {
  readonly index: bigint
  readonly entry: string
  readonly proof: readonly string[]
}

function readBundleEntries(v: JsonValue): Result<BundleEntry[], string> {
  if (v.type !== 'array') return err('invalid type: expected a sequence (field `entries`)')
  const out: BundleEntry[] = []
  for (const item of v.items) {
    const s = readStruct(item, 'BundleEntry', ENTRY_FIELDS)
    if (!s.ok) return s
    const index = field(s.value.index, 'index', readU64)
    if (!index.ok) return index
    const entry = field(s.value.entry, 'entry', readString)
    if (!entry.ok) return entry
    const proof = field(s.value.proof, 'proof', readStringArray)
    if (!proof.ok) return proof
    out.push({ index: index.value, entry: entry.value, proof: proof.value })
  }
  return ok(out)
}

function certificate(run: Run, input: BundleInput, options: VerifyOptions): boolean {
  // CertificateBundle::from_json
  const text = inputText(input, MAX_CERTIFICATE_BUNDLE_BYTES, () => 'malformed bundle: bundle too large')
  if (!text.ok) return run.fail('format', text.error)
  const json = parseJson(text.value)
  if (!json.ok) return run.fail('format', `malformed bundle: ${json.error}`)
  const s = readStruct(json.value, 'CertificateBundle', CERTIFICATE_FIELDS, DEFAULTED)
  if (!s.ok) return run.fail('format', `malformed bundle: ${s.error}`)
  const f = s.value
  const format = field(f.format, 'format', readString)
  const cert = field(f.certificate, 'certificate', readString)
  const checkpointText = field(f.checkpoint, 'checkpoint', readString)
  const vkeys = field(f.validators, 'validators', readStringArray)
  const quorum = field(f.quorum, 'quorum', readU64)
  const links = readSetChanges(f.set_changes)
  const entries = readBundleEntries(f.entries)
  for (const r of [format, cert, checkpointText, vkeys, quorum, links, entries]) {
    if (!r.ok) return run.fail('format', `malformed bundle: ${r.error}`)
  }
  if (!(format.ok && cert.ok && checkpointText.ok && vkeys.ok && quorum.ok && links.ok && entries.ok)) return false
  if (format.value !== CERTIFICATE_BUNDLE_FORMAT) {
    return run.fail('format', `malformed bundle: unknown format ${JSON.stringify(format.value)}`)
  }
  if (entries.value.length > MAX_BUNDLE_ENTRIES) return run.fail('format', 'malformed bundle: too many entries')
  run.format = CERTIFICATE_BUNDLE_FORMAT
  run.certificate = cert.value
  run.pass('format', `${CERTIFICATE_BUNDLE_FORMAT}, certificate ${cert.value}, ${entries.value.length} entries`)

  // ProvenEntries::verify: the checkpoint and its signatures first, then each entry in order.
  const read = readCheckpoint(run, checkpointText.value)
  if (read === null) return false
  const { note, cp } = read
  if (!checkSignatures(run, note, cp, vkeys.value, quorum.value, links.value, options.pinned)) return false
  const txs: Array<{ index: bigint; tx: SplitTx }> = []
  const kinds = new Map<string, number>()
  for (const e of entries.value) {
    const bytes = decodeBase64(e.entry)
    if (bytes === null) return run.fail('entry', `malformed bundle: entry ${e.index} is not base64`)
    const proof = decodeProof(e.proof)
    if (!proof.ok) return run.fail('inclusion proof', `malformed bundle: ${proof.error} (entry ${e.index})`)
    const leaf = hashLeaf(bytes)
    const proofError = verifyInclusion(leaf, e.index, cp.size, proof.value, cp.root)
    if (proofError !== null) {
      return run.fail('inclusion proof', `entry ${e.index}: inclusion proof: ${proofErrorMessage(proofError)}`)
    }
    const tx = splitEntry(bytes)
    if (!tx.ok) return run.fail('entry', `entry ${e.index}: entry: ${tx.error}`)
    if (tx.value.network !== cp.origin) {
      return run.fail(
        'network',
        `entry ${e.index}: checkpoint origin ${JSON.stringify(cp.origin)} is not the entry's network ${JSON.stringify(tx.value.network)}`,
      )
    }
    run.entries.push(entryFacts(e.index, tx.value, leaf))
    txs.push({ index: e.index, tx: tx.value })
    kinds.set(tx.value.kind, (kinds.get(tx.value.kind) ?? 0) + 1)
  }
  const n = txs.length
  const kindList = [...kinds].map(([k, c]) => (c === 1 ? k : `${k} ×${c}`)).join(', ')
  run.pass('leaf hash', `${n} leaf hash${n === 1 ? '' : 'es'} computed`)
  run.pass('inclusion proof', `all ${n} entries lead to the checkpoint's root`)
  run.pass('entry', `${n} transaction${n === 1 ? '' : 's'}: ${kindList || 'none'}`)
  run.pass('network', `every entry is for ${cp.origin}, the checkpoint's network`)
  return checkAuthorSignatures(run, txs, options.authorKeys)
}

/** Runs a verification, turning any unexpected exception into a failed verdict (this never throws). */
function guarded(step: (run: Run) => boolean): BundleResult {
  const run = new Run()
  try {
    step(run)
  } catch (e) {
    if (run.failed === null) run.fail('format', `unexpected error: ${String(e)}`)
  }
  return run.result()
}

/** Verifies a `tanji-inclusion-bundle/v1` (see the module docs). Never throws. */
export function verifyInclusionBundle(input: BundleInput, options: VerifyOptions = {}): BundleResult {
  return guarded((run) => inclusion(run, input, options))
}

/** Verifies the log part of a `tanji-certificate-bundle/v1` (see the module docs). Never throws. */
export function verifyCertificateBundle(input: BundleInput, options: VerifyOptions = {}): BundleResult {
  return guarded((run) => certificate(run, input, options))
}

/**
 * Verifies either bundle format, chosen by its `format` field (a bundle of
 * neither format fails at `format`). Never throws.
 */
export function verifyBundle(input: BundleInput, options: VerifyOptions = {}): BundleResult {
  return guarded((run) => {
    // Only to choose the verifier; the chosen one reads the input again with its own limits.
    const text = inputText(input, MAX_CERTIFICATE_BUNDLE_BYTES, () => 'malformed bundle: bundle too large')
    if (!text.ok) return run.fail('format', text.error)
    const json = parseJson(text.value)
    if (!json.ok) return run.fail('format', `malformed bundle: ${json.error}`)
    const v = json.value
    const tag =
      v.type === 'object'
        ? v.members.find(([k]) => k === 'format')?.[1]
        : v.type === 'array'
          ? v.items[0]
          : undefined
    const format = tag !== undefined && tag.type === 'string' ? tag.value : null
    if (format === CERTIFICATE_BUNDLE_FORMAT) return certificate(run, text.value, options)
    if (format === INCLUSION_BUNDLE_FORMAT) return inclusion(run, text.value, options)
    return run.fail('format', `malformed bundle: unknown format ${JSON.stringify(format)}`)
  })
}
