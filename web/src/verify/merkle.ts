/**
 * The log's Merkle tree: RFC 9162 §2.1 with BLAKE3, and inclusion proof
 * verification (RFC 9162 §2.1.3.2).
 *
 * Hashes (`ledger/src/merkle/hasher.rs`):
 * - leaf = BLAKE3(0x00 ‖ entry), node = BLAKE3(0x01 ‖ left ‖ right), empty
 *   tree = BLAKE3(""). The one-byte prefixes are domain separation: without
 *   them a 64-byte entry could pose as an interior node (the second-preimage
 *   attack RFC 6962 closed this way).
 *
 * Verification mirrors `ledger/src/merkle/verify.rs` step by step, with the
 * same errors in the same order:
 * 1. `index >= size` → index out of range (every claim about the empty tree);
 * 2. the exact proof length implied by (index, size) is computed first, and a
 *    proof of any other length is refused before any hashing (so an absurdly
 *    long proof costs nothing);
 * 3. the RFC's loop recomputes the root; a different root → root mismatch.
 *
 * Index and size are `u64` in the ledger, so they are `bigint` here: no
 * arithmetic goes through a double. As for every RFC 9162 verifier, the proof
 * binds the leaf to the root, not to the size (leaf 0 of 3 leaves has the same
 * path shape as leaf 0 of 4), so size and root must come together from one
 * signed checkpoint.
 */

import { blake3 } from '@noble/hashes/blake3.js'
import { equalBytes, toHex } from './bytes'
import { err, ok, type Result } from './result'

/** Longest possible inclusion proof: one hash per level of a tree of at most 2^64 - 1 leaves. */
export const MAX_INCLUSION_PROOF_LEN = 64

const LEAF_PREFIX = Uint8Array.of(0x00)
const U64_MAX = 2n ** 64n - 1n

/** Why an inclusion proof was rejected: Rust's `ProofError` variants that inclusion can give. */
export type ProofError =
  | { readonly kind: 'index out of range'; readonly index: bigint; readonly size: bigint }
  | { readonly kind: 'wrong proof length'; readonly expected: number; readonly got: number }
  | { readonly kind: 'root mismatch'; readonly computed: Uint8Array; readonly expected: Uint8Array }

/** The message of a proof error, worded as Rust's `Display` for `ProofError`. */
export function proofErrorMessage(e: ProofError): string {
  switch (e.kind) {
    case 'index out of range':
      return `leaf index ${e.index} is out of range for a tree of size ${e.size}`
    case 'wrong proof length':
      return `wrong proof length: expected ${e.expected} hashes, got ${e.got}`
    case 'root mismatch':
      return `root mismatch: computed ${toHex(e.computed)}, expected ${toHex(e.expected)}`
  }
}

/** MTH({}) = BLAKE3(""), the root of the tree with no leaves. */
export function emptyRoot(): Uint8Array {
  return blake3(new Uint8Array(0))
}

/** MTH({d}) = BLAKE3(0x00 ‖ d): the leaf hash of a log entry. */
export function hashLeaf(entry: Uint8Array): Uint8Array {
  return blake3.create().update(LEAF_PREFIX).update(entry).digest()
}

/** BLAKE3(0x01 ‖ left ‖ right): the hash of an interior node. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(65)
  buf[0] = 0x01
  buf.set(left, 1)
  buf.set(right, 33)
  return blake3(buf)
}

/** Bit length of a non-negative bigint (0 for 0). */
export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length
}

/** Number of one bits of a non-negative bigint. */
export function popCount(n: bigint): number {
  let c = 0
  for (const ch of n.toString(2)) if (ch === '1') c++
  return c
}

/**
 * Exact length of PATH(index, D[0:size]) for `index < size` (Rust's
 * `inclusion_proof_len`). Below the level where the paths to `index` and to
 * the last leaf diverge every level has a sibling (the subtree there is
 * perfect); above it the node is on the right edge of the tree and has a
 * sibling only where it is a right child: one per one bit of what is left of
 * `index`. At most 64.
 */
export function inclusionProofLength(index: bigint, size: bigint): number {
  const inner = bitLength(index ^ (size - 1n))
  const border = popCount(index >> BigInt(inner))
  return inner + border
}

/**
 * The root an inclusion proof leads to (Rust's `root_from_inclusion_proof`).
 * Fails only on claims that admit no proof (`index >= size`) and on proofs of
 * the wrong length. `index` and `size` must be in 0..=2^64-1.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: bigint,
  size: bigint,
  proof: readonly Uint8Array[],
): Result<Uint8Array, ProofError> {
  if (index < 0n || size < 0n || index > U64_MAX || size > U64_MAX) {
    throw new RangeError('index and size are u64')
  }
  if (index >= size) return err({ kind: 'index out of range', index, size })
  const expected = inclusionProofLength(index, size)
  const wrongLength = err({ kind: 'wrong proof length', expected, got: proof.length } as const)
  if (proof.length !== expected) return wrongLength
  // RFC 9162 §2.1.3.2 steps 2-4. fn/sn are the positions of the current node and of the last
  // node on its level. The length check guarantees the loop ends with sn == 0; the RFC's checks
  // are kept so the loop is correct on its own.
  let fn = index
  let sn = size - 1n
  let r = leafHash
  for (const p of proof) {
    if (sn === 0n) return wrongLength
    if ((fn & 1n) === 1n || fn === sn) {
      r = hashChildren(p, r)
      if ((fn & 1n) === 0n) {
        // A left sibling while fn is even: we are on the right edge, where the levels without a
        // sibling are skipped (the RFC tree promotes the node unchanged).
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n
          sn >>= 1n
        }
      }
    } else {
      r = hashChildren(r, p)
    }
    fn >>= 1n
    sn >>= 1n
  }
  if (sn !== 0n) return wrongLength
  return ok(r)
}

/**
 * RFC 9162 §2.1.3.2 verification (Rust's `verify_inclusion`): that
 * `leafHash` is leaf `index` of the tree of `size` leaves whose root is
 * `root`. `null` when it is, else what was wrong.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: bigint,
  size: bigint,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): ProofError | null {
  const computed = rootFromInclusionProof(leafHash, index, size, proof)
  if (!computed.ok) return computed.error
  if (!equalBytes(computed.value, root)) return { kind: 'root mismatch', computed: computed.value, expected: root }
  return null
}
