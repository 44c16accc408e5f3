//! Proof generation: RFC 9162 §2.1.3.1 (inclusion) and §2.1.4.1 (consistency).
//!
//! Both follow the RFC's recursions literally, unrolled into a walk from the root down to the
//! target, because each recursive step only narrows one leaf range and emits one sibling hash.
//! Every sibling is a node of the RFC tree, so [`range_hash`] resolves it with perfect-node
//! lookups: left siblings are always single perfect nodes, and at most one right sibling per proof
//! (the first one the walk meets on the tree's right edge) needs a fold of up to 64 lookups.

use super::error::MerkleError;
use super::hasher::{Hash, MerkleHasher};
use super::root::{range_hash, split_point};
use super::source::NodeSource;

/// PATH(index, D\[0:size\]) per RFC 9162 §2.1.3.1 — audit path, leaf-to-root order.
///
/// Fails with [`MerkleError::IndexOutOfRange`] unless `index < size`. The proof has at most 64
/// hashes.
pub fn inclusion_proof<H: MerkleHasher, S: NodeSource + ?Sized>(
    source: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    // Invariant: lo <= index < hi, and [lo, hi) is a node of the tree of `size` leaves.
    let (mut lo, mut hi) = (0u64, size);
    let mut top_down = Vec::with_capacity(64);
    while hi - lo > 1 {
        let mid = lo + split_point(hi - lo);
        if index < mid {
            // PATH(m, D[0:k]) : MTH(D[k:n])
            top_down.push(range_hash::<H, S>(source, mid, hi)?);
            hi = mid;
        } else {
            // PATH(m - k, D[k:n]) : MTH(D[0:k])
            top_down.push(range_hash::<H, S>(source, lo, mid)?);
            lo = mid;
        }
    }
    // The RFC appends each level's sibling after the deeper path, so the order is leaf to root.
    top_down.reverse();
    Ok(top_down)
}

/// PROOF(old_size, D\[0:new_size\]) per RFC 9162 §2.1.4.1.
///
/// `old_size == new_size` gives the empty proof (RFC: SUBPROOF(m, D\[m\], true) = {}), including for
/// the empty tree. `old_size == 0 < new_size` fails with [`MerkleError::InvalidRange`]: RFC 9162
/// defines no such proof, and [`verify_consistency`](super::verify_consistency) rejects the claim
/// whatever proof comes with it. So does `old_size > new_size`. The proof has at most 65 hashes.
pub fn consistency_proof<H: MerkleHasher, S: NodeSource + ?Sized>(
    source: &S,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, MerkleError> {
    if old_size > new_size {
        return Err(MerkleError::InvalidRange {
            start: old_size,
            end: new_size,
            reason: "old tree size is larger than new tree size",
        });
    }
    if old_size == new_size {
        return Ok(Vec::new());
    }
    if old_size == 0 {
        return Err(MerkleError::InvalidRange {
            start: old_size,
            end: new_size,
            reason: "no consistency proof exists from the empty tree",
        });
    }
    // SUBPROOF(m, D[lo:hi], b) with m = old_size - lo kept absolute as `old_size`.
    // Invariant: lo < old_size <= hi, and [lo, hi) is a node of the new tree.
    let (mut lo, mut hi) = (0u64, new_size);
    // `b`: whether the subtree [lo, hi) is a prefix of the tree, so its hash at size old_size is
    // the old root the verifier already has.
    let mut is_prefix = true;
    let mut top_down = Vec::with_capacity(65);
    while old_size != hi {
        let mid = lo + split_point(hi - lo);
        if old_size <= mid {
            // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            top_down.push(range_hash::<H, S>(source, mid, hi)?);
            hi = mid;
        } else {
            // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            top_down.push(range_hash::<H, S>(source, lo, mid)?);
            lo = mid;
            is_prefix = false;
        }
    }
    // Here old_size == hi, so [lo, hi) is a complete subtree of the old tree: SUBPROOF(m, D[m], b)
    // is {MTH(D[lo:hi])}, or {} when the verifier knows it already as the old root.
    let mut proof = Vec::with_capacity(top_down.len() + 1);
    if !is_prefix {
        proof.push(range_hash::<H, S>(source, lo, hi)?);
    }
    proof.extend(top_down.into_iter().rev());
    Ok(proof)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{naive, Blake3Hasher, MemoryTree};

    fn tree_and_hashes(n: u64) -> (MemoryTree<Blake3Hasher>, Vec<Hash>) {
        let data: Vec<Vec<u8>> = (0..n).map(|i| format!("entry {i}").into_bytes()).collect();
        let mut tree = MemoryTree::new();
        for d in &data {
            tree.push(d);
        }
        (tree, naive::leaf_hashes::<Blake3Hasher>(&data))
    }

    #[test]
    fn small_trees_match_naive() {
        let (tree, hashes) = tree_and_hashes(9);
        for size in 0..=9u64 {
            let prefix = &hashes[..size as usize];
            for index in 0..size {
                assert_eq!(
                    inclusion_proof::<Blake3Hasher, _>(&tree, index, size).expect("valid"),
                    naive::path::<Blake3Hasher>(index as usize, prefix),
                    "PATH({index}, {size})"
                );
            }
            for old in 1..=size {
                assert_eq!(
                    consistency_proof::<Blake3Hasher, _>(&tree, old, size).expect("valid"),
                    naive::proof::<Blake3Hasher>(old as usize, prefix),
                    "PROOF({old}, {size})"
                );
            }
        }
    }

    #[test]
    fn invalid_requests_are_errors() {
        let (tree, _) = tree_and_hashes(4);
        assert!(matches!(
            inclusion_proof::<Blake3Hasher, _>(&tree, 4, 4),
            Err(MerkleError::IndexOutOfRange { index: 4, size: 4 })
        ));
        assert!(matches!(
            inclusion_proof::<Blake3Hasher, _>(&tree, 0, 0),
            Err(MerkleError::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            consistency_proof::<Blake3Hasher, _>(&tree, 3, 2),
            Err(MerkleError::InvalidRange { .. })
        ));
        assert!(matches!(
            consistency_proof::<Blake3Hasher, _>(&tree, 0, 2),
            Err(MerkleError::InvalidRange { .. })
        ));
        assert_eq!(
            consistency_proof::<Blake3Hasher, _>(&tree, 0, 0).expect("trivial"),
            Vec::<Hash>::new()
        );
        // Beyond the stored tree the source says which node is missing.
        assert!(matches!(
            inclusion_proof::<Blake3Hasher, _>(&tree, 0, 5),
            Err(MerkleError::MissingNode { .. })
        ));
    }
}
