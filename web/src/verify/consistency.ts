// RFC 9162 §2.1.4.2 consistency-proof verification (the algorithm of
// transparency-dev/merkle's `VerifyConsistency`), generic over the node hash
// so that it is tested against the RFC 6962 SHA-256 vectors and used with
// Tanji's BLAKE3 node hash (`hashChildren`).
import { equalBytes } from './bytes'
import { bitLength, popCount } from './merkle'

export type NodeHash = (left: Uint8Array, right: Uint8Array) => Uint8Array

function trailingZeros(n: bigint): number {
  if (n === 0n) return 64
  let c = 0
  while (((n >> BigInt(c)) & 1n) === 0n) c++
  return c
}

/** Why a consistency proof does not hold, or null when it does. */
export function verifyConsistency(
  hash: NodeHash,
  size1: bigint,
  size2: bigint,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): string | null {
  if (size2 < size1) return `size2 (${size2}) < size1 (${size1})`
  // a proof from the empty tree proves nothing (RFC 9162 needs 0 < size1)
  if (size1 === 0n) return 'size1 is 0'
  if (size1 === size2) {
    if (!equalBytes(root1, root2)) return 'the roots differ for the same size'
    if (proof.length > 0) return 'the proof is not empty for equal sizes'
    return null
  }
  if (proof.length === 0) return 'the proof is empty'
  const index = size1 - 1n
  let inner = bitLength(index ^ (size2 - 1n))
  const border = popCount(index >> BigInt(inner))
  const shift = trailingZeros(size1)
  inner -= shift
  let seed = proof[0]!
  let start = 1
  if (size1 === 1n << BigInt(shift)) {
    seed = root1
    start = 0
  }
  if (proof.length !== start + inner + border) {
    return `the proof has ${proof.length} hashes, expected ${start + inner + border}`
  }
  const rest = proof.slice(start)
  const mask = index >> BigInt(shift)
  let h1 = seed
  let h2 = seed
  for (let i = 0; i < inner; i++) {
    const p = rest[i]!
    if (((mask >> BigInt(i)) & 1n) === 1n) {
      h1 = hash(p, h1)
      h2 = hash(p, h2)
    } else {
      h2 = hash(h2, p)
    }
  }
  for (const p of rest.slice(inner)) {
    h1 = hash(p, h1)
    h2 = hash(p, h2)
  }
  if (!equalBytes(h1, root1)) return 'the proof does not lead to the first root'
  if (!equalBytes(h2, root2)) return 'the proof does not lead to the second root'
  return null
}
