// The ledger's hashing and signing rules, as the browser applies them
// (ledger/src/ids.rs, ledger/src/crypto/domain.rs, ledger/src/tx/mod.rs).
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { blake3 } from '@noble/hashes/blake3.js'
import { concat, utf8 } from './bytes'

// @noble/ed25519 v3 needs a sha512 for its synchronous API.
ed.hashes.sha512 = sha512

/** Context of transaction signatures: `"tanji/tx/v1" ‖ 0x00 ‖ borsh(body)`. */
export const TX_V1 = 'tanji/tx/v1'
/** BLAKE3 derive-key context of transaction ids. */
export const TX_ID_CONTEXT = 'tanji/tx-id/v1'
/** BLAKE3 derive-key context of organisation ids. */
export const ORG_ID_CONTEXT = 'tanji/org-id/v1'

/** `context ‖ 0x00 ‖ body`: the message a signature covers. */
export function domainMessage(context: string, body: Uint8Array): Uint8Array {
  return concat(utf8(context), new Uint8Array([0]), body)
}

/** The message an author signs for a transaction body. */
export function txSigningMessage(body: Uint8Array): Uint8Array {
  return domainMessage(TX_V1, body)
}

/** The transaction id: BLAKE3 derive-key("tanji/tx-id/v1") of borsh(body). */
export function txId(body: Uint8Array): Uint8Array {
  return blake3(body, { context: utf8(TX_ID_CONTEXT) })
}

/** The organisation id: first 16 bytes of BLAKE3 derive-key("tanji/org-id/v1") of the company id. */
export function orgIdOf(companyId: string): Uint8Array {
  return blake3(utf8(companyId), { context: utf8(ORG_ID_CONTEXT) }).slice(0, 16)
}

/** The ed25519 public key of a 32-byte seed. */
export function publicKeyOf(seed: Uint8Array): Uint8Array {
  return ed.getPublicKey(seed)
}

/** An ed25519 signature (deterministic, RFC 8032) of a message by a 32-byte seed. */
export function signMessage(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return ed.sign(message, seed)
}

/** Strict (non-ZIP-215) verification, like the ledger's one acceptance rule. */
export function verifySignature(sig: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed.verify(sig, message, publicKey, { zip215: false })
  } catch {
    return false
  }
}
