/**
 * Checkpoints as C2SP signed notes, parsed and verified as the ledger does
 * (`ledger/src/checkpoint/mod.rs` and `note.rs`).
 *
 * ```text
 * devnet.tanji.local            <- origin (the network name)
 * 54                            <- tree size
 * JTYhdBK5...naNA=              <- base64 root hash
 *                               <- blank line ends the note text
 * — validator-0 DHFO0JEJ...     <- one line per signature
 * ```
 *
 * The signed message is the note text (the lines up to and including the
 * newline before the blank line). A signature line is
 * `— <key name> <base64(key id ‖ signature)>`; the 4-byte key id is
 * `SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[:4]` and names the key the line
 * claims to be signed with. Verifier keys are written
 * `<name>+<hex key id>+<base64(0x01 ‖ public key)>` ("vkeys").
 *
 * Parsing is strict and bounded like Rust's: at most {@link MAX_NOTE_BYTES}
 * bytes and {@link MAX_SIGNATURES} Ed25519 signatures; a line whose decoded
 * signature is not 68 bytes (another algorithm's) is skipped, as C2SP asks.
 *
 * Verification counts valid signatures by distinct trusted keys:
 * - a line whose (name, key id) matches no trusted key is ignored (a
 *   witness, an observer, a key rotated out): it neither helps nor hurts;
 * - a line whose (name, key id) matches a trusted key but whose signature
 *   does not verify is an error, `bad signature`, at once: it is evidence of
 *   tampering, not noise;
 * - two lines by the same key count once;
 * - fewer than max(quorum, 1) distinct keys is `not enough signatures`.
 */

import { sha256 } from '@noble/hashes/sha2.js'
import { concat, decodeBase64, encodeBase64, equalBytes, toHex, utf8, utf8Length } from './bytes'
import { checkPublicKey, verifyStrict } from './ed25519'
import { err, ok, type Result } from './result'

/** Largest signed note accepted, in UTF-8 bytes. */
export const MAX_NOTE_BYTES = 16 * 1024
/** Most (Ed25519) signature lines on a note. */
export const MAX_SIGNATURES = 100
/** Longest key name. */
export const MAX_KEY_NAME_LEN = 64

const ED25519_ALG = 0x01
const SIG_PREFIX = '\u2014 '

/** Why a note did not parse or verify: Rust's `NoteError`. */
export type NoteError =
  | { readonly kind: 'malformed'; readonly message: string }
  | { readonly kind: 'not enough signatures'; readonly have: number; readonly need: number }
  | { readonly kind: 'bad signature'; readonly name: string }
  | { readonly kind: 'bad verifier key'; readonly message: string }

/** The message of a note error, worded as Rust's `Display` for `NoteError`. */
export function noteErrorMessage(e: NoteError): string {
  switch (e.kind) {
    case 'malformed':
      return `malformed note: ${e.message}`
    case 'not enough signatures':
      return `${e.have} valid signatures from trusted keys, ${e.need} required`
    case 'bad signature':
      return `signature by ${e.name} does not verify`
    case 'bad verifier key':
      return `bad verifier key: ${e.message}`
  }
}

/** A key that may sign notes, under its name. */
export interface NoteVerifier {
  readonly name: string
  /** The Ed25519 public key, 32 bytes. */
  readonly key: Uint8Array
}

/** One signature line, as parsed. */
export interface NoteSignature {
  readonly name: string
  /** The 4-byte key id the line claims. */
  readonly keyId: Uint8Array
  /** The 64-byte Ed25519 signature. */
  readonly signature: Uint8Array
}

/** A note: the signed text (ending in a newline) and its Ed25519 signature lines. */
export interface SignedNote {
  readonly text: string
  readonly signatures: readonly NoteSignature[]
}

/** A log's state: origin (network), size and root. */
export interface Checkpoint {
  readonly origin: string
  /** Number of entries (`u64`). */
  readonly size: bigint
  /** Merkle root of the first `size` entries, 32 bytes. */
  readonly root: Uint8Array
}

/** What a successful verification found. */
export interface NoteVerification {
  /** Valid signatures by distinct trusted keys. */
  readonly valid: number
  /** Names of the trusted keys that signed, in line order. */
  readonly signers: readonly string[]
  /** Lines ignored because they name no trusted key. */
  readonly ignored: number
}

/**
 * The ledger's key name rule (`ledger/src/text.rs` `check_key_name`): 1..=64
 * bytes, each printable ASCII (`!`..=`~`) other than `+`.
 */
export function isKeyName(s: string): boolean {
  return s.length >= 1 && s.length <= MAX_KEY_NAME_LEN && /^[!-*,-~]+$/.test(s)
}

/** The C2SP key id: `SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[:4]`. */
export function keyId(name: string, key: Uint8Array): Uint8Array {
  return sha256(concat(utf8(name), Uint8Array.of(0x0a, ED25519_ALG), key)).slice(0, 4)
}

/** The vkey form `name+hexkeyid+base64(0x01 ‖ key)`. */
export function toVkey(v: NoteVerifier): string {
  return `${v.name}+${toHex(keyId(v.name, v.key))}+${encodeBase64(concat(Uint8Array.of(ED25519_ALG), v.key))}`
}

/** The first `n` characters, as Rust's `{:.n}` shows a string in messages. */
function clip(s: string, n: number): string {
  return [...s].slice(0, n).join('')
}

/**
 * Rust's `str::trim`: strips Unicode white space (`char::is_whitespace`,
 * the `White_Space` property) from both ends.
 */
function trimUnicode(s: string): string {
  return s.replace(/^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, '')
}

/**
 * Parses a vkey and checks that its key id matches its name and key, and that
 * the key is a usable Ed25519 key (Rust's `NoteVerifier::from_vkey`).
 */
export function parseVkey(s: string): Result<NoteVerifier, NoteError> {
  const bad = (why: string) => err({ kind: 'bad verifier key', message: `${why}: ${clip(s, 80)}` } as const)
  const t = trimUnicode(s)
  // splitn(3, '+'): the base64 key may itself contain '+'.
  const first = t.indexOf('+')
  const second = first < 0 ? -1 : t.indexOf('+', first + 1)
  if (first < 0 || second < 0) return bad('expected name+keyid+key')
  const name = t.slice(0, first)
  const id = t.slice(first + 1, second)
  const keyText = t.slice(second + 1)
  if (!isKeyName(name)) {
    return bad(`${JSON.stringify(name)} must be 1..=${MAX_KEY_NAME_LEN} printable ASCII bytes without spaces or '+'`)
  }
  const raw = decodeBase64(keyText)
  if (raw === null) return bad('key is not base64')
  if (raw.length !== 33 || raw[0] !== ED25519_ALG) return bad('not an Ed25519 key')
  const key = raw.slice(1)
  const problem = checkPublicKey(key)
  if (problem !== null) return bad(problem)
  // Rust compares with the lower-case hex it writes, so an upper-case id is refused.
  if (toHex(keyId(name, key)) !== id) return bad('key id does not match name and key')
  return ok({ name, key })
}

/** Rust's `char::is_control` (Unicode Cc: U+0000–U+001F, U+007F–U+009F), except the newline. */
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

/** Parses a signed note, bounded and strict (Rust's `SignedNote::parse`). */
export function parseNote(s: string): Result<SignedNote, NoteError> {
  const bad = (message: string) => err({ kind: 'malformed', message } as const)
  const bytes = utf8Length(s)
  if (bytes > MAX_NOTE_BYTES) return bad(`${bytes} bytes, more than ${MAX_NOTE_BYTES}`)
  const split = s.indexOf('\n\n')
  if (split < 0) return bad('no blank line between text and signatures')
  const text = s.slice(0, split + 1)
  const sigs = s.slice(split + 2)
  if (CONTROL_BUT_NEWLINE.test(text)) return bad('note text contains control characters')
  if (!sigs.endsWith('\n')) return bad('signature block must end in a newline')
  const signatures: NoteSignature[] = []
  for (const line of sigs.slice(0, -1).split('\n')) {
    // Counted before each line, over the Ed25519 signatures kept so far (as in Rust).
    if (signatures.length === MAX_SIGNATURES) return bad(`more than ${MAX_SIGNATURES} signatures`)
    if (!line.startsWith(SIG_PREFIX)) return bad(`signature line must start with '— ': ${clip(line, 80)}`)
    const rest = line.slice(SIG_PREFIX.length)
    const space = rest.indexOf(' ')
    if (space < 0) return bad(`signature line needs a name and a signature: ${clip(line, 80)}`)
    const name = rest.slice(0, space)
    if (!isKeyName(name)) return bad(`bad key name ${clip(name, 80)}`)
    const raw = decodeBase64(rest.slice(space + 1))
    if (raw === null) return bad(`signature of ${clip(name, 80)} is not base64`)
    // Other algorithms' signatures may have other lengths; only Ed25519 ones are kept.
    if (raw.length !== 68) continue
    signatures.push({ name, keyId: raw.slice(0, 4), signature: raw.slice(4) })
  }
  return ok({ text, signatures })
}

/**
 * Reads the note text as a checkpoint (Rust's `SignedNote::checkpoint`):
 * a non-empty origin line, a decimal size without leading zeros that fits
 * `u64`, and a base64 root of 32 bytes. Extension lines after the root are
 * allowed by C2SP and ignored.
 */
export function parseCheckpoint(note: SignedNote): Result<Checkpoint, NoteError> {
  const bad = (why: string) => err({ kind: 'malformed', message: `not a checkpoint: ${why}` } as const)
  // Rust's split_terminator('\n'): the text ends in a newline, which ends the last line.
  const lines = note.text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  const [origin, sizeText, rootText] = lines
  if (origin === undefined || origin === '') return bad('no origin')
  if (sizeText === undefined) return bad('no size')
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeText)) return bad('size is not a decimal number without leading zeros')
  const size = BigInt(sizeText)
  if (size > 2n ** 64n - 1n) return bad('size out of range')
  if (rootText === undefined) return bad('no root')
  const root = decodeBase64(rootText)
  if (root === null) return bad('root is not base64')
  if (root.length !== 32) return bad('root is not 32 bytes')
  return ok({ origin, size, root })
}

/**
 * Counts valid signatures by distinct keys of `trusted` and requires at least
 * max(`quorum`, 1) of them (Rust's `SignedNote::verify`; see the module docs
 * for how unknown, wrong and duplicate lines count). For each line the first
 * trusted key with the line's name and key id is the one checked.
 */
export function verifyNote(
  note: SignedNote,
  trusted: readonly NoteVerifier[],
  quorum: number | bigint,
): Result<NoteVerification, NoteError> {
  const message = utf8(note.text)
  const ids = trusted.map((v) => keyId(v.name, v.key))
  const seen: Uint8Array[] = []
  const signers: string[] = []
  let ignored = 0
  for (const line of note.signatures) {
    const i = trusted.findIndex((v, j) => v.name === line.name && equalBytes(ids[j] ?? new Uint8Array(0), line.keyId))
    const v = trusted[i]
    if (v === undefined) {
      ignored++
      continue
    }
    if (!verifyStrict(line.signature, message, v.key)) return err({ kind: 'bad signature', name: line.name })
    if (!seen.some((k) => equalBytes(k, v.key))) {
      seen.push(v.key)
      signers.push(v.name)
    }
  }
  const q = BigInt(quorum)
  const need = q < 1n ? 1n : q
  if (BigInt(seen.length) < need) {
    return err({ kind: 'not enough signatures', have: seen.length, need: Number(need) })
  }
  return ok({ valid: seen.length, signers, ignored })
}
