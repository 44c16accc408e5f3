// Parses C2SP signed notes (checkpoints) for display and checks each signature line against the
// network's keys with the browser verifier (src/verify: strict Ed25519, the ledger's rules).
import { sha256 } from '@noble/hashes/sha2.js'
import type { Schemas } from './client'
import { decodeBase64, fromHex, verifyStrict } from '../verify'

const utf8 = (s: string) => new TextEncoder().encode(s)

export interface NoteSignature {
  name: string
  /** 4-byte key id, hex. */
  keyId: string
  /** The signature line as sent (base64 of key id ‖ signature). */
  base64: string
}

export interface SignedNote {
  origin: string
  size: number
  root: string
  /** Extension lines after the root, if any. */
  extra: string[]
  signatures: NoteSignature[]
  text: string
}

function b64ToBytes(b64: string): Uint8Array | null {
  try {
    const bin = atob(b64)
    const out = new Uint8Array(bin.length)
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
    return out
  } catch {
    return null
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Returns null when the text is not a signed note. */
export function parseNote(text: string): SignedNote | null {
  const normalised = text.replace(/\r\n/g, '\n')
  const split = normalised.indexOf('\n\n')
  if (split < 0) return null
  const body = normalised.slice(0, split).split('\n')
  const sigLines = normalised.slice(split + 2).split('\n').filter((l) => l.trim() !== '')
  const [origin, sizeText, root, ...extra] = body
  if (origin === undefined || sizeText === undefined || root === undefined || !/^\d+$/.test(sizeText)) return null
  const signatures: NoteSignature[] = []
  for (const line of sigLines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line)
    if (!m || !m[1] || !m[2]) continue
    const bytes = b64ToBytes(m[2])
    signatures.push({ name: m[1], base64: m[2], keyId: bytes && bytes.length >= 4 ? hex(bytes.slice(0, 4)) : '' })
  }
  return { origin, size: Number(sizeText), root, extra, signatures, text }
}

export interface NetworkKey {
  name: string
  role: 'validator' | 'witness'
  /** 4-byte key id, hex (C2SP: SHA-256(name ‖ \n ‖ 0x01 ‖ key)[:4]). */
  keyId: string
  /** ed25519 public key, hex. */
  key: string
  /** Operating organisation (observers only; validators' operators are not in /v1/network). */
  operator?: string
}

/** The keys that may sign checkpoints: validators (vkeys `name+keyid+base64(0x01‖key)`) and observers (witnesses). */
export function networkKeys(net: Schemas['NetworkView']): NetworkKey[] {
  const keys: NetworkKey[] = []
  for (const vkey of net.validators) {
    // name+keyid+base64(0x01 ‖ key); base64 itself may contain '+'
    const i1 = vkey.indexOf('+')
    const i2 = i1 < 0 ? -1 : vkey.indexOf('+', i1 + 1)
    const name = i1 < 0 ? vkey : vkey.slice(0, i1)
    const keyId = i2 < 0 ? '' : vkey.slice(i1 + 1, i2)
    const b64 = i2 < 0 ? '' : vkey.slice(i2 + 1)
    const raw = b64 ? b64ToBytes(b64) : null
    keys.push({
      name,
      role: 'validator',
      keyId,
      key: raw && raw.length === 33 ? hex(raw.slice(1)) : '',
    })
  }
  for (const o of net.observers) {
    keys.push({ name: o.name, role: 'witness', keyId: observerKeyId(o.name, o.key), key: o.key, operator: o.operator })
  }
  return keys
}

export function observerKeyId(name: string, keyHex: string): string {
  const key = keyHex.match(/.{2}/g)?.map((h) => parseInt(h, 16)) ?? []
  const enc = new TextEncoder().encode(`${name}\n`)
  const msg = new Uint8Array(enc.length + 1 + key.length)
  msg.set(enc, 0)
  msg[enc.length] = 0x01
  msg.set(key, enc.length + 1)
  return hex(sha256(msg).slice(0, 4))
}

export interface SignerView extends NoteSignature {
  role: 'validator' | 'witness' | 'unknown'
  /** The signature's key id is the registered key's. */
  keyMatches: boolean
  /** The Ed25519 signature verifies under the registered key (strict, over the note text). */
  verified: boolean
  operator?: string
}

/** The signed text of a note: everything up to and including the newline before the blank line. */
function signedText(note: SignedNote): string {
  const t = note.text.replace(/\r\n/g, '\n')
  return t.slice(0, t.indexOf('\n\n') + 1)
}

export function identifySigners(note: SignedNote, keys: NetworkKey[]): SignerView[] {
  const message = utf8(signedText(note))
  return note.signatures.map((s) => {
    const k = keys.find((x) => x.name === s.name && x.keyId === s.keyId) ?? keys.find((x) => x.name === s.name)
    const keyMatches = !!k && k.keyId === s.keyId
    let verified = false
    if (k && keyMatches) {
      const raw = decodeBase64(s.base64)
      const key = fromHex(k.key, 32)
      if (raw && raw.length === 68 && key) {
        try {
          verified = verifyStrict(raw.slice(4), message, key)
        } catch {
          verified = false
        }
      }
    }
    return { ...s, role: k?.role ?? 'unknown', keyMatches, verified, operator: k?.operator }
  })
}
