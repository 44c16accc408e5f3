import { blake3 } from '@noble/hashes/blake3.js'
import { describe, expect, it } from 'vitest'
import { toHex, utf8 } from './bytes'
import {
  emptyRoot,
  hashChildren,
  hashLeaf,
  inclusionProofLength,
  proofErrorMessage,
  rootFromInclusionProof,
  verifyInclusion,
} from './merkle'

/**
 * RFC 9162 §2.1.1 MTH(D[start:end]) and §2.1.3.1 PATH(m, D[start:end]) over a fixed list of leaf
 * hashes, from the RFC's recursive definitions (MTH memoised: subtrees are shared).
 */
function reference(leaves: readonly Uint8Array[]) {
  const memo = new Map<string, Uint8Array>()
  const mth = (start: number, end: number): Uint8Array => {
    const key = `${start}:${end}`
    const hit = memo.get(key)
    if (hit !== undefined) return hit
    const n = end - start
    let h: Uint8Array
    if (n === 0) h = emptyRoot()
    else if (n === 1) h = leaves[start]!
    else {
      const k = largestPowerOfTwoBelow(n)
      h = hashChildren(mth(start, start + k), mth(start + k, end))
    }
    memo.set(key, h)
    return h
  }
  const path = (m: number, start: number, end: number): Uint8Array[] => {
    const n = end - start
    if (n <= 1) return []
    const k = largestPowerOfTwoBelow(n)
    return m < k
      ? [...path(m, start, start + k), mth(start + k, end)]
      : [...path(m - k, start + k, end), mth(start, start + k)]
  }
  return { mth, path }
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

function be64(i: number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(i))
  return b
}

describe('tree hashes (ledger/src/merkle/hasher.rs)', () => {
  it('match the Rust golden values', () => {
    expect(toHex(emptyRoot())).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262')
    expect(toHex(hashLeaf(utf8('tanji')))).toBe('31af3c86c0989b1c0e967fc0962d7ab8793451bd0ab68503e1c1be9cd019b96c')
    const [a, b, c] = ['a', 'b', 'c'].map((s) => hashLeaf(utf8(s)))
    expect(toHex(hashChildren(hashChildren(a!, b!), c!))).toBe(
      '6c62dd52a0971b7d00a7cead004e0c3f3c0766e3f5359a0f8297768d2b02d03c',
    )
  })

  it('are BLAKE3 of the prefixed inputs', () => {
    const data = utf8('some entry')
    expect(hashLeaf(data)).toEqual(blake3(Uint8Array.of(0, ...data)))
    const l = new Uint8Array(32).fill(7)
    const r = new Uint8Array(32).fill(9)
    expect(hashChildren(l, r)).toEqual(blake3(Uint8Array.of(1, ...l, ...r)))
  })
})

describe('inclusion proofs (RFC 9162 §2.1.3.2, ledger/src/merkle/verify.rs)', () => {
  const leaves = Array.from({ length: 70 }, (_, i) => hashLeaf(be64(i)))
  const { mth, path } = reference(leaves)

  it('verify every leaf of every tree up to 70 leaves, with the exact length', () => {
    for (let size = 1; size <= 70; size++) {
      const root = mth(0, size)
      for (let index = 0; index < size; index++) {
        const proof = path(index, 0, size)
        expect(inclusionProofLength(BigInt(index), BigInt(size))).toBe(proof.length)
        expect(verifyInclusion(leaves[index]!, BigInt(index), BigInt(size), proof, root)).toBeNull()
      }
    }
  })

  it('reject wrong leaves, indices, roots and proofs', () => {
    const tree = leaves.slice(0, 7)
    const root = mth(0, 7)
    const proof = path(2, 0, 7)
    const leaf = tree[2]!
    expect(verifyInclusion(tree[3]!, 2n, 7n, proof, root)?.kind).toBe('root mismatch')
    expect(verifyInclusion(leaf, 3n, 7n, proof, root)?.kind).toBe('root mismatch')
    expect(verifyInclusion(leaf, 2n, 7n, proof, leaves[0]!)?.kind).toBe('root mismatch')
    const flipped = proof.map((h) => h.slice())
    flipped[1]![0]! ^= 1
    expect(verifyInclusion(leaf, 2n, 7n, flipped, root)?.kind).toBe('root mismatch')
    expect(verifyInclusion(leaf, 2n, 7n, proof.slice(1), root)).toEqual({
      kind: 'wrong proof length',
      expected: 3,
      got: 2,
    })
    expect(verifyInclusion(leaf, 2n, 7n, [...proof, root], root)?.kind).toBe('wrong proof length')
    expect(verifyInclusion(leaf, 7n, 7n, proof, root)).toEqual({ kind: 'index out of range', index: 7n, size: 7n })
    expect(verifyInclusion(leaf, 0n, 0n, [], emptyRoot())?.kind).toBe('index out of range')
  })

  it('handle the one-leaf tree', () => {
    const leaf = hashLeaf(be64(0))
    expect(reference([leaf]).mth(0, 1)).toEqual(leaf)
    expect(verifyInclusion(leaf, 0n, 1n, [], leaf)).toBeNull()
  })

  it('bound lengths at the extreme sizes, and check length before hashing', () => {
    const max = 2n ** 64n - 1n
    expect(inclusionProofLength(0n, max)).toBe(64)
    expect(inclusionProofLength(max - 1n, max)).toBe(63)
    for (const index of [0n, 1n, 1n << 62n, (1n << 63n) - 1n, 1n << 63n, max - 1n]) {
      expect(inclusionProofLength(index, max)).toBeLessThanOrEqual(64)
    }
    const h = new Uint8Array(32).fill(1)
    expect(verifyInclusion(h, max - 1n, max, [], h)).toEqual({ kind: 'wrong proof length', expected: 63, got: 0 })
    expect(verifyInclusion(h, max, max, [], h)).toEqual({ kind: 'index out of range', index: max, size: max })
    const long = Array.from({ length: 1000 }, () => h)
    expect(verifyInclusion(h, 0n, max, long, h)?.kind).toBe('wrong proof length')
    // Right length, wrong hashes: the full loop at the largest size, and a mismatch.
    const p = Array.from({ length: 64 }, () => h)
    expect(verifyInclusion(h, 0n, max, p, h)?.kind).toBe('root mismatch')
    expect(() => rootFromInclusionProof(h, 0n, max + 1n, p)).toThrow(RangeError)
  })

  it('word errors as Rust does', () => {
    expect(proofErrorMessage({ kind: 'wrong proof length', expected: 3, got: 2 })).toBe(
      'wrong proof length: expected 3 hashes, got 2',
    )
    expect(proofErrorMessage({ kind: 'index out of range', index: 9n, size: 8n })).toBe(
      'leaf index 9 is out of range for a tree of size 8',
    )
    const msg = proofErrorMessage({
      kind: 'root mismatch',
      computed: new Uint8Array(32).fill(0xab),
      expected: new Uint8Array(32).fill(1),
    })
    expect(msg).toContain('ab'.repeat(32))
    expect(msg).toContain('01'.repeat(32))
  })
})
