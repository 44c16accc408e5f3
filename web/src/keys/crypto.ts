// What signing as an organisation needs beyond the verifier (src/verify, whose
// bytes, transaction id, signed message and strict verification this module
// uses): the organisation id of a company id (ledger/src/ids.rs), the public
// key of a seed, and an RFC 8032 signature.
import * as ed from '@noble/ed25519'
import { blake3 } from '@noble/hashes/blake3.js'
import { utf8 } from '../verify/bytes'
// Sets @noble/ed25519's SHA-512, which its synchronous sign needs too.
import '../verify/ed25519'

/** BLAKE3 derive-key context of organisation ids. */
export const ORG_ID_CONTEXT = 'tanji/org-id/v1'

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
