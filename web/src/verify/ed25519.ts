/**
 * Ed25519 verification with the ledger's one acceptance rule.
 *
 * The ledger verifies every signature with ed25519-dalek's `verify_strict`
 * (`ledger/src/crypto/keys.rs`): the public key A and the signature's R must
 * decompress and must not have small order, s must be below the group order
 * L, and R must equal [s]B - [k]A exactly (the cofactorless equation), with
 * k = SHA-512(R ‖ A ‖ message) mod L.
 *
 * Here the verification itself is `@noble/ed25519`'s, in its strict RFC 8032
 * mode (`zip215: false`): canonical encodings of A and R only, s < L, A not of
 * small order, and the cofactored equation [8](R + [k]A - [s]B) = 0. On top of
 * it, this module refuses signatures whose R has small order (dalek does) and
 * signatures where A or R is not torsion-free (has a component of order 2, 4
 * or 8). With A and R torsion-free the cofactored and cofactorless equations
 * are equivalent (R + [k]A - [s]B is then torsion-free and killed by 8, so it
 * is the identity), hence:
 *
 * - every signature accepted here is accepted by `verify_strict`;
 * - every signature made by an RFC 8032 signer (A = [a]B and R = [r]B are
 *   always torsion-free and canonically encoded) is accepted by both.
 *
 * The only signatures `verify_strict` accepts and this module refuses are
 * deliberately malformed ones: non-canonical key encodings (y ≥ p) or mixed-
 * order A or R, which no honest signer can produce. Never the other way round.
 *
 * Cost: about three scalar multiplications per signature beyond noble's own
 * verification (a few milliseconds each in a browser); bundles carry a
 * handful of signatures.
 */

import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'

// @noble/ed25519 v3 needs a SHA-512 for its synchronous API; this is the audited one.
ed.hashes.sha512 = sha512

/** Why a public key is unusable: the texts of Rust's `KeyError` for the same conditions. */
export type KeyProblem = 'not a valid ed25519 public key' | 'weak (small-order) ed25519 public key'

function decodePoint(bytes: Uint8Array): ed.Point | null {
  try {
    return ed.Point.fromBytes(bytes, false)
  } catch {
    return null
  }
}

/**
 * Rust's `PublicKey::check`: the 32 bytes must decode to a curve point (here:
 * canonically encoded) that does not have small order. `null` when usable.
 */
export function checkPublicKey(key: Uint8Array): KeyProblem | null {
  if (key.length !== 32) return 'not a valid ed25519 public key'
  const point = decodePoint(key)
  if (point === null) return 'not a valid ed25519 public key'
  if (point.isSmallOrder()) return 'weak (small-order) ed25519 public key'
  return null
}

/**
 * Verifies `signature` (64 bytes) over `message` under `publicKey` (32 bytes)
 * with the rule described in the module docs. Never throws: anything
 * malformed is simply not a valid signature.
 */
export function verifyStrict(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false
  const a = decodePoint(publicKey)
  const r = decodePoint(signature.subarray(0, 32))
  if (a === null || r === null) return false
  // dalek's verify_strict refuses a small-order R; torsion-freeness makes the equations agree.
  if (r.isSmallOrder() || !a.isTorsionFree() || !r.isTorsionFree()) return false
  try {
    return ed.verify(signature, message, publicKey, { zip215: false })
  } catch {
    return false
  }
}
