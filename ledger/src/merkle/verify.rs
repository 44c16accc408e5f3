//! Proof verification: RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency).
//!
//! The loops are the RFC's algorithms step by step. In front of them sits one check the RFC
//! leaves implicit: the exact proof length implied by the claimed index and sizes is computed
//! first, so a wrong-length proof (including an absurdly long one from the network) is rejected
//! before any hashing, with an error that says so. Inputs can be any `u64`: nothing here shifts by
//! 64 or more, and the only subtractions are guarded by the comparisons before them.

use super::error::ProofError;
use super::hasher::{Hash, MerkleHasher};

/// Longest possible inclusion proof: one hash per level of a tree with at most 2^64 - 1 leaves.
pub const MAX_INCLUSION_PROOF_LEN: usize = 64;

/// Longest possible consistency proof: the old tree's last complete subtree plus at most 64 path
/// hashes above it (PROOF(3, D\[0:2^64 - 1\]) has exactly 65).
pub const MAX_CONSISTENCY_PROOF_LEN: usize = 65;

/// RFC 9162 §2.1.3.2 verification. Errors say what was wrong.
///
/// Checks that `leaf_hash` is leaf `index` of the tree of `size` leaves whose root is `root`.
/// Note that, as for every RFC 9162 verifier, the proof binds the leaf to the root, not to the
/// size: some proofs also verify for a different size with the same root (leaf 0 of 3 leaves has
/// the same path shape as leaf 0 of 4 leaves). `size` and `root` must therefore come together
/// from one signed checkpoint.
pub fn verify_inclusion<H: MerkleHasher>(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion_proof::<H>(leaf_hash, index, size, proof)?;
    if computed != *root {
        return Err(ProofError::RootMismatch {
            computed,
            expected: *root,
        });
    }
    Ok(())
}

/// The root computed from an inclusion proof (used by verify_inclusion; public for diagnostics).
///
/// Fails only on claims that admit no proof (`index >= size`) and on proofs of the wrong length.
pub fn root_from_inclusion_proof<H: MerkleHasher>(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_proof_len(index, size);
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    // RFC 9162 §2.1.3.2 steps 2-4. `fn_`/`sn` are the positions of the current node and of the
    // last node on the same level; the length check above guarantees the loop ends with sn == 0,
    // but the RFC's checks are kept so the loop is correct on its own.
    let wrong_len = ProofError::WrongProofLength {
        expected,
        got: proof.len(),
    };
    let mut fn_ = index;
    let mut sn = size - 1;
    let mut r = *leaf_hash;
    for p in proof {
        if sn == 0 {
            return Err(wrong_len);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = H::hash_children(p, &r);
            if fn_ & 1 == 0 {
                // A left sibling while fn is even means we are on the right edge: the levels where
                // our node has no sibling are skipped (the RFC tree promotes it unchanged).
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = H::hash_children(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(wrong_len);
    }
    Ok(r)
}

/// RFC 9162 §2.1.4.2 verification: checks that the tree of `new_size` leaves with root `new_root`
/// extends the tree of `old_size` leaves with root `old_root`. Errors say what was wrong.
///
/// RFC 9162 defines PROOF(m, D\[0:n\]) for 0 < m < n only; the other cases are handled as the
/// public RFC 6962 vectors (transparency-dev/merkle) require:
/// - `old_size > new_size`: [`ProofError::InvalidSizes`].
/// - `old_size == new_size`: the proof must be empty and the roots equal; for size 0 both roots
///   must also be the empty-tree hash H("") (the vectors reject two equal arbitrary "roots" at
///   size 0, since the root of the empty tree is known).
/// - `old_size == 0 < new_size`: always [`ProofError::InvalidSizes`], even with an empty proof.
///   Every tree extends the empty tree, so such a "proof" would prove nothing, and the vectors
///   expect rejection. Callers that start from nothing (a first checkpoint) have nothing to check.
/// - otherwise the RFC algorithm, after an exact length check.
///
/// As with inclusion, the proof binds the roots, not the sizes: both (size, root) pairs must come
/// from signed checkpoints.
pub fn verify_consistency<H: MerkleHasher>(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size || (old_size == 0 && new_size != 0) {
        return Err(ProofError::InvalidSizes {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::WrongProofLength {
                expected: 0,
                got: proof.len(),
            });
        }
        if old_size == 0 && *old_root != H::empty_root() {
            return Err(ProofError::OldRootMismatch {
                computed: H::empty_root(),
                expected: *old_root,
            });
        }
        if old_root != new_root {
            return Err(ProofError::RootMismatch {
                computed: *old_root,
                expected: *new_root,
            });
        }
        return Ok(());
    }

    // From here 0 < old_size < new_size.
    let expected = consistency_proof_len(old_size, new_size);
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    let wrong_len = ProofError::WrongProofLength {
        expected,
        got: proof.len(),
    };

    // Step 2: if old_size is a power of two the old tree is itself a node of the new tree, and
    // the proof omits its hash because the verifier has it: use old_root as the first element.
    let (first, rest) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        match proof.split_first() {
            Some(split) => split,
            None => return Err(wrong_len),
        }
    };

    // Steps 3-4: start at the old tree's last leaf, and climb past the levels where it is a right
    // child inside the complete subtree that `first` stands for.
    let mut fn_ = old_size - 1;
    let mut sn = new_size - 1;
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5: fr rebuilds the old root, sr the new root, from the same path.
    let mut fr = *first;
    let mut sr = *first;
    // Step 6.
    for c in rest {
        if sn == 0 {
            return Err(wrong_len);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = H::hash_children(c, &fr);
            sr = H::hash_children(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            // Nodes right of the old tree's edge are new: they only affect the new root.
            sr = H::hash_children(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 7.
    if sn != 0 {
        return Err(wrong_len);
    }
    if fr != *old_root {
        return Err(ProofError::OldRootMismatch {
            computed: fr,
            expected: *old_root,
        });
    }
    if sr != *new_root {
        return Err(ProofError::RootMismatch {
            computed: sr,
            expected: *new_root,
        });
    }
    Ok(())
}

/// Number of levels (from the leaves up) where the paths to leaves `a` and `b` are in different
/// subtrees: the bit length of `a ^ b`. At most 64.
fn diverging_levels(a: u64, b: u64) -> u32 {
    64 - (a ^ b).leading_zeros()
}

/// Exact length of PATH(index, D[0:size]) for `index < size`.
///
/// Below the level where the paths to `index` and to the last leaf diverge, every level has a
/// sibling (the subtree there is perfect). Above it, our node lies on the right edge of the tree
/// and only levels where it is a right child have a sibling: one per one bit of what is left of
/// `index`. This is at most 64.
pub(crate) fn inclusion_proof_len(index: u64, size: u64) -> usize {
    debug_assert!(index < size);
    let inner = diverging_levels(index, size - 1);
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner + border) as usize
}

/// Exact length of PROOF(old, D[0:new]) for `0 < old < new`.
///
/// The proof is the inclusion path of the old tree's last complete subtree (at level
/// trailing_zeros(old)) in the new tree, preceded by that subtree's hash unless it is the whole
/// old tree (old a power of two). At most 65.
pub(crate) fn consistency_proof_len(old: u64, new: u64) -> usize {
    debug_assert!(0 < old && old < new);
    let last = old - 1;
    let inner_full = diverging_levels(last, new - 1);
    let border = last.checked_shr(inner_full).unwrap_or(0).count_ones();
    // old - 1 ends in trailing_zeros(old) one bits; if new - 1 agreed with it on every higher bit
    // it could not be larger. So for old < new the paths diverge above the subtree's level and
    // this does not saturate; saturating keeps it panic-free regardless.
    let inner = inner_full.saturating_sub(old.trailing_zeros());
    let seed = usize::from(!old.is_power_of_two());
    seed + (inner + border) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{Blake3Hasher, MemoryTree};

    fn tree(n: u64) -> MemoryTree<Blake3Hasher> {
        let mut t = MemoryTree::new();
        for i in 0..n {
            t.push(&i.to_be_bytes());
        }
        t
    }

    #[test]
    fn proof_lengths_match_generated_proofs() {
        let t = tree(70);
        for size in 1..=70u64 {
            for index in 0..size {
                let p = t.inclusion_proof(index, size).expect("valid");
                assert_eq!(p.len(), inclusion_proof_len(index, size));
            }
            for old in 1..size {
                let p = t.consistency_proof(old, size).expect("valid");
                assert_eq!(p.len(), consistency_proof_len(old, size));
            }
        }
    }

    #[test]
    fn extreme_sizes_give_bounded_lengths_without_panics() {
        assert_eq!(inclusion_proof_len(0, u64::MAX), 64);
        assert_eq!(inclusion_proof_len(u64::MAX - 1, u64::MAX), 63);
        assert_eq!(
            consistency_proof_len(3, u64::MAX),
            MAX_CONSISTENCY_PROOF_LEN
        );
        for (a, b) in [
            (1, u64::MAX),
            (u64::MAX - 1, u64::MAX),
            (1 << 63, u64::MAX),
            ((1 << 63) - 1, 1 << 63),
        ] {
            assert!(consistency_proof_len(a, b) <= MAX_CONSISTENCY_PROOF_LEN);
        }
        for index in [0, 1, 1 << 62, (1 << 63) - 1, 1 << 63, u64::MAX - 1] {
            assert!(inclusion_proof_len(index, u64::MAX) <= MAX_INCLUSION_PROOF_LEN);
        }

        let h = [1u8; 32];
        // Wrong lengths at the extremes are rejected before hashing, with the exact expectation.
        assert_eq!(
            verify_inclusion::<Blake3Hasher>(&h, u64::MAX - 1, u64::MAX, &[], &h),
            Err(ProofError::WrongProofLength {
                expected: 63,
                got: 0
            })
        );
        assert_eq!(
            verify_inclusion::<Blake3Hasher>(&h, u64::MAX, u64::MAX, &[], &h),
            Err(ProofError::IndexOutOfRange {
                index: u64::MAX,
                size: u64::MAX
            })
        );
        let long = vec![h; 1000];
        assert!(matches!(
            verify_consistency::<Blake3Hasher>(1, u64::MAX, &h, &h, &long),
            Err(ProofError::WrongProofLength { got: 1000, .. })
        ));
        // Right length, wrong hashes: runs the full loop at the largest sizes and just fails.
        let p = vec![h; inclusion_proof_len(0, u64::MAX)];
        assert!(matches!(
            verify_inclusion::<Blake3Hasher>(&h, 0, u64::MAX, &p, &h),
            Err(ProofError::RootMismatch { .. })
        ));
        for (old, new) in [(3, u64::MAX), (1 << 63, u64::MAX), (u64::MAX - 1, u64::MAX)] {
            let p = vec![h; consistency_proof_len(old, new)];
            assert!(matches!(
                verify_consistency::<Blake3Hasher>(old, new, &h, &h, &p),
                Err(ProofError::OldRootMismatch { .. } | ProofError::RootMismatch { .. })
            ));
        }
    }

    #[test]
    fn trivial_consistency_claims() {
        let empty = Blake3Hasher::empty_root();
        let other = [5u8; 32];
        assert_eq!(
            verify_consistency::<Blake3Hasher>(0, 0, &empty, &empty, &[]),
            Ok(())
        );
        assert!(verify_consistency::<Blake3Hasher>(0, 0, &other, &other, &[]).is_err());
        assert!(verify_consistency::<Blake3Hasher>(0, 0, &empty, &empty, &[empty]).is_err());
        assert_eq!(
            verify_consistency::<Blake3Hasher>(0, 3, &empty, &other, &[]),
            Err(ProofError::InvalidSizes { old: 0, new: 3 })
        );
        assert_eq!(
            verify_consistency::<Blake3Hasher>(4, 3, &other, &other, &[]),
            Err(ProofError::InvalidSizes { old: 4, new: 3 })
        );
        assert_eq!(
            verify_consistency::<Blake3Hasher>(7, 7, &other, &other, &[]),
            Ok(())
        );
        assert!(verify_consistency::<Blake3Hasher>(7, 7, &other, &empty, &[]).is_err());
        // A one-leaf tree: the root is the leaf hash and the proof is empty.
        let t = tree(1);
        let leaf = Blake3Hasher::hash_leaf(&0u64.to_be_bytes());
        assert_eq!(t.root(), leaf);
        assert_eq!(
            verify_inclusion::<Blake3Hasher>(&leaf, 0, 1, &[], &t.root()),
            Ok(())
        );
    }

    #[test]
    fn error_messages_show_hex() {
        let e = ProofError::RootMismatch {
            computed: [0xab; 32],
            expected: [0x01; 32],
        };
        let s = e.to_string();
        assert!(s.contains(&"ab".repeat(32)), "{s}");
        assert!(s.contains(&"01".repeat(32)), "{s}");
    }
}
