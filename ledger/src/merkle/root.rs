//! Tree heads: MTH of a prefix or of any leaf range, assembled from stored perfect nodes.

use super::error::MerkleError;
use super::hasher::{Hash, MerkleHasher};
use super::source::NodeSource;

/// MTH(D\[0:size\]) per RFC 9162.
///
/// Costs one lookup per one bit of `size` and one hash fewer (at most 64 lookups). A size beyond
/// what `source` holds surfaces as the source's [`MerkleError::MissingNode`]; callers that know the
/// tree size should check it first to get [`MerkleError::SizeOutOfRange`].
pub fn root<H: MerkleHasher, S: NodeSource + ?Sized>(
    source: &S,
    size: u64,
) -> Result<Hash, MerkleError> {
    range_hash::<H, S>(source, 0, size)
}

/// MTH of an arbitrary leaf range [start, end) (needed internally; public for storage code).
///
/// This is the RFC 9162 recursion applied to D\[start:end\] as if those leaves were a tree of their
/// own; an empty range gives the empty-tree hash. For every range that is a node of an RFC 9162
/// tree rooted at leaf 0 (that is, `start` is a multiple of the smallest power of two >= the range
/// length — every subtree root, proof element and prefix is of this kind) it costs O(log n)
/// lookups. Other ranges are answered correctly but split into subtrees that are not stored, so
/// they can cost up to O(end - start) lookups and hashes.
pub fn range_hash<H: MerkleHasher, S: NodeSource + ?Sized>(
    source: &S,
    start: u64,
    end: u64,
) -> Result<Hash, MerkleError> {
    if start > end {
        return Err(MerkleError::InvalidRange {
            start,
            end,
            reason: "start is after end",
        });
    }
    let n = end - start;
    if n == 0 {
        return Ok(H::empty_root());
    }
    if is_tree_node(start, n) {
        return aligned_range_hash::<H, S>(source, start, n);
    }
    // Unaligned: the first split leaves at least one side unaligned, so recurse. Depth is bounded
    // by 64 because each level at least halves the range.
    let k = split_point(n);
    let left = range_hash::<H, S>(source, start, start + k)?;
    let right = range_hash::<H, S>(source, start + k, end)?;
    Ok(H::hash_children(&left, &right))
}

/// RFC 9162's split: the largest power of two strictly smaller than `n`. Requires `n >= 2`.
pub(crate) fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    // n - 1 >= 1, so its highest set bit exists and is < 64.
    1u64 << (63 - (n - 1).leading_zeros())
}

/// True if [start, start + n) (n >= 1) is a node of an RFC 9162 tree rooted at leaf 0, i.e. start
/// is a multiple of 2^ceil(log2 n). Such a range decomposes into perfect nodes along the binary
/// digits of n, so it never needs an unstored interior node.
fn is_tree_node(start: u64, n: u64) -> bool {
    // ceil(log2 n) for n >= 1; equals 64 only when n > 2^63, and then only start 0 qualifies
    // (trailing_zeros(0) is 64).
    let ceil_log2 = 64 - (n - 1).leading_zeros();
    start.trailing_zeros() >= ceil_log2
}

/// MTH of a tree-node range of `n >= 1` leaves at `start`.
///
/// The RFC split of such a range always puts a perfect subtree of the highest power of two on the
/// left and recurses on the rest, so the hash is a right fold over the perfect nodes named by the
/// one bits of `n`, largest (leftmost) first: H(P_a, H(P_b, ... H(P_y, P_z))).
fn aligned_range_hash<H: MerkleHasher, S: NodeSource + ?Sized>(
    source: &S,
    start: u64,
    n: u64,
) -> Result<Hash, MerkleError> {
    // Walk the one bits from the lowest (rightmost, deepest) subtree upwards, so the fold needs no
    // buffer. The subtree for bit b starts after the leaves of all higher bits.
    let mut acc: Option<Hash> = None;
    let mut bits = n;
    while bits != 0 {
        let level = bits.trailing_zeros();
        let higher = high_bits_above(n, level);
        let index = (start + higher) >> level;
        let node = source.perfect_node(level as u8, index)?;
        acc = Some(match acc {
            None => node,
            Some(right) => H::hash_children(&node, &right),
        });
        bits &= bits - 1;
    }
    // n >= 1, so at least one bit was visited.
    acc.ok_or(MerkleError::InvalidRange {
        start,
        end: start,
        reason: "empty range has no perfect nodes",
    })
}

/// `n` with bits `0..=level` cleared, i.e. the leaves covered by subtrees left of bit `level`.
pub(crate) fn high_bits_above(n: u64, level: u32) -> u64 {
    match level.checked_add(1) {
        Some(shift) if shift < 64 => (n >> shift) << shift,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::naive;
    use crate::merkle::{Blake3Hasher, MemoryTree, Sha256Hasher};

    fn leaves(n: u64) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("leaf {i}").into_bytes()).collect()
    }

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(8), 4);
        assert_eq!(split_point(9), 8);
        assert_eq!(split_point(u64::MAX), 1 << 63);
        assert_eq!(split_point((1 << 63) + 1), 1 << 63);
        assert_eq!(split_point(1 << 63), 1 << 62);
    }

    #[test]
    fn roots_of_small_trees_match_naive() {
        let data = leaves(9);
        let mut tree = MemoryTree::<Blake3Hasher>::new();
        let mut sha = MemoryTree::<Sha256Hasher>::new();
        assert_eq!(tree.root(), Blake3Hasher::empty_root());
        assert_eq!(sha.root(), Sha256Hasher::empty_root());
        for (i, d) in data.iter().enumerate() {
            tree.push(d);
            sha.push(d);
            let n = i + 1;
            assert_eq!(
                tree.root(),
                naive::mth::<Blake3Hasher>(&naive::leaf_hashes::<Blake3Hasher>(&data[..n])),
                "size {n}"
            );
            assert_eq!(
                sha.root(),
                naive::mth::<Sha256Hasher>(&naive::leaf_hashes::<Sha256Hasher>(&data[..n])),
                "size {n}"
            );
        }
        // Every historical root is still available from the same nodes.
        for n in 0..=9u64 {
            let want = naive::mth::<Blake3Hasher>(&naive::leaf_hashes::<Blake3Hasher>(
                &data[..n as usize],
            ));
            assert_eq!(tree.root_at(n).expect("size within tree"), want);
        }
    }

    #[test]
    fn every_range_matches_naive() {
        let data = leaves(17);
        let hashes = naive::leaf_hashes::<Blake3Hasher>(&data);
        let mut tree = MemoryTree::<Blake3Hasher>::new();
        for d in &data {
            tree.push(d);
        }
        for start in 0..=17usize {
            for end in start..=17usize {
                let got = range_hash::<Blake3Hasher, _>(&tree, start as u64, end as u64)
                    .expect("range within tree");
                assert_eq!(
                    got,
                    naive::mth::<Blake3Hasher>(&hashes[start..end]),
                    "[{start},{end})"
                );
            }
        }
        assert!(matches!(
            range_hash::<Blake3Hasher, _>(&tree, 5, 4),
            Err(MerkleError::InvalidRange { .. })
        ));
        assert!(matches!(
            range_hash::<Blake3Hasher, _>(&tree, 0, 18),
            Err(MerkleError::MissingNode { .. })
        ));
    }

    /// A source that answers every node with a hash of its coordinates: lets us exercise sizes no
    /// real tree can reach, to show huge sizes neither overflow nor panic.
    struct Synthetic;
    impl NodeSource for Synthetic {
        fn perfect_node(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
            let mut b = [0u8; 9];
            b[0] = level;
            b[1..].copy_from_slice(&index.to_le_bytes());
            Ok(Blake3Hasher::hash_leaf(&b))
        }
    }

    #[test]
    fn extreme_sizes_do_not_overflow() {
        for size in [
            u64::MAX,
            u64::MAX - 1,
            1 << 63,
            (1 << 63) + 1,
            (1 << 63) - 1,
        ] {
            root::<Blake3Hasher, _>(&Synthetic, size).expect("synthetic source has every node");
        }
        range_hash::<Blake3Hasher, _>(&Synthetic, u64::MAX - 1, u64::MAX).expect("one leaf");
        range_hash::<Blake3Hasher, _>(&Synthetic, 1 << 63, u64::MAX).expect("aligned range");
        // The full 2^64 range is not expressible, but a root over 2^63 + 2^62 is a simple fold.
        let r = root::<Blake3Hasher, _>(&Synthetic, (1 << 63) | (1 << 62)).expect("fold");
        let want = Blake3Hasher::hash_children(
            &Synthetic.perfect_node(63, 0).expect("synthetic"),
            &Synthetic.perfect_node(62, 2).expect("synthetic"),
        );
        assert_eq!(r, want);
    }
}
