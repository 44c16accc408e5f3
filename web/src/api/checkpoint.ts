// The node's checkpoint for the pages: read with the browser verifier's
// parser (src/verify: strict, bounded, as the ledger reads notes), and each
// signature line identified and checked against the network's keys.
import { api, ApiError, unwrap, type Api, type Schemas } from './client'
import {
  fromHex,
  keyId,
  noteErrorMessage,
  parseCheckpoint,
  parseNote,
  parseVkey,
  toHex,
  verifyStrict,
  type Checkpoint,
  type SignedNote,
} from '../verify'
import { utf8 } from '../verify/bytes'

/** A checkpoint note as served: its text, the parsed note and the checkpoint it states. */
export interface CheckpointNote {
  readonly text: string
  readonly note: SignedNote
  readonly checkpoint: Checkpoint
}

/** Parses a checkpoint note; a text that is not one is an ApiError `bad_note` naming why. */
export function readCheckpoint(text: string): CheckpointNote {
  const note = parseNote(text)
  if (!note.ok) throw new ApiError('bad_note', noteErrorMessage(note.error), 200)
  const checkpoint = parseCheckpoint(note.value)
  if (!checkpoint.ok) throw new ApiError('bad_note', noteErrorMessage(checkpoint.error), 200)
  return { text, note: note.value, checkpoint: checkpoint.value }
}

/** GET /v1/checkpoint (the latest) of `client`, parsed. */
export async function fetchCheckpoint(client: Api = api): Promise<CheckpointNote> {
  const text = await unwrap(client.GET('/v1/checkpoint', { params: { query: {} }, parseAs: 'text' }))
  return readCheckpoint(String(text))
}

/** A key that may sign checkpoints: a validator's, or an observer's (a witness). */
export interface NetworkKey {
  readonly name: string
  readonly role: 'validator' | 'witness'
  /** The C2SP key id, hex. */
  readonly keyId: string
  readonly key: Uint8Array
  /** Operating organisation (validators: from the genesis; observers: from their registration). */
  readonly operator?: string
}

/** The keys of GET /v1/network: validators from their vkeys, observers from name and key. */
export function networkKeys(net: Schemas['NetworkView']): NetworkKey[] {
  const keys: NetworkKey[] = []
  for (const vkey of net.validators) {
    const v = parseVkey(vkey)
    // a vkey the verifier refuses signs nothing the page will accept
    if (!v.ok) continue
    const operator = net.validator_nodes.find((n) => n.name === v.value.name)?.operator
    keys.push({ name: v.value.name, role: 'validator', keyId: toHex(keyId(v.value.name, v.value.key)), key: v.value.key, operator })
  }
  for (const o of net.observers) {
    const key = fromHex(o.key, 32)
    if (key) keys.push({ name: o.name, role: 'witness', keyId: toHex(keyId(o.name, key)), key, operator: o.operator })
  }
  return keys
}

/** One signature line of a checkpoint, as the network page shows it. */
export interface SignerView {
  readonly name: string
  /** The key id the line claims, hex. */
  readonly keyId: string
  readonly role: NetworkKey['role'] | 'unknown'
  /** A key of that name has the claimed key id. */
  readonly keyMatches: boolean
  /** The signature verifies under that key (strict Ed25519 over the note text). */
  readonly verified: boolean
  readonly operator?: string
}

export function identifySigners(cp: CheckpointNote, keys: readonly NetworkKey[]): SignerView[] {
  const message = utf8(cp.note.text)
  return cp.note.signatures.map((line) => {
    const id = toHex(line.keyId)
    const named = keys.filter((k) => k.name === line.name)
    const k = named.find((x) => x.keyId === id)
    return {
      name: line.name,
      keyId: id,
      role: (k ?? named[0])?.role ?? 'unknown',
      keyMatches: k !== undefined,
      verified: k !== undefined && verifyStrict(line.signature, message, k.key),
      operator: (k ?? named[0])?.operator,
    }
  })
}
