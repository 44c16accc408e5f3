//! Where stored perfect-subtree hashes come from, and which ones an append creates.

use super::error::MerkleError;
use super::hasher::{Hash, MerkleHasher};

/// Where a tree's stored "perfect" subtree hashes come from. A perfect node (level, index) is the
/// hash of the 2^level leaves [index << level, (index + 1) << level). Level 0 nodes are leaf hashes.
/// Only nodes of complete subtrees are stored; everything else (right-edge partial subtrees) is
/// computed from them on demand (log n lookups).
///
/// A perfect node never changes once its last leaf is appended, which is what makes it storable
/// under a fixed key. Implementations return [`MerkleError::MissingNode`] for a node they do not
/// have and [`MerkleError::Source`] when the storage itself fails.
pub trait NodeSource {
    /// Hash of the perfect subtree at `level` (its height above the leaves) and `index` (its
    /// position among the nodes of that level, counted from the left).
    fn perfect_node(&self, level: u8, index: u64) -> Result<Hash, MerkleError>;
}

impl<T: NodeSource + ?Sized> NodeSource for &T {
    fn perfect_node(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        (**self).perfect_node(level, index)
    }
}

/// One perfect node to store: its coordinates and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeWrite {
    /// Height above the leaves (0 = leaf hash).
    pub level: u8,
    /// Position within the level.
    pub index: u64,
    /// The node's hash.
    pub hash: Hash,
}

/// Nodes that become complete when leaf `leaf_index` (with hash `leaf_hash`) is appended to a tree
/// of size `leaf_index`: always (0, leaf_index, leaf_hash), then (1, leaf_index/2, ..) if leaf_index
/// is odd, and so on. Reads left siblings from `source` (which must already contain all nodes of
/// the tree of size leaf_index). Returns them in bottom-up order.
///
/// Appending leaf `i` completes one node per trailing one bit of `i`: each such bit means the new
/// node is a right child whose left sibling is already complete. So an append costs amortised one
/// lookup and one hash, and at most 63 of each.
///
/// Fails with [`MerkleError::TreeFull`] if `leaf_index` is `u64::MAX` (the new size would not fit in
/// a `u64`), and with the source's error if a left sibling cannot be read.
pub fn nodes_completed_by_append<H: MerkleHasher, S: NodeSource + ?Sized>(
    source: &S,
    leaf_index: u64,
    leaf_hash: Hash,
) -> Result<Vec<NodeWrite>, MerkleError> {
    if leaf_index == u64::MAX {
        return Err(MerkleError::TreeFull);
    }
    // leaf_index < u64::MAX has at most 63 trailing ones, so `level` stays <= 63.
    let completed = leaf_index.trailing_ones() as usize;
    let mut writes = Vec::with_capacity(completed + 1);
    let mut node = NodeWrite {
        level: 0,
        index: leaf_index,
        hash: leaf_hash,
    };
    writes.push(node);
    while node.index & 1 == 1 {
        let left = source.perfect_node(node.level, node.index - 1)?;
        node = NodeWrite {
            level: node.level + 1,
            index: node.index >> 1,
            hash: H::hash_children(&left, &node.hash),
        };
        writes.push(node);
    }
    Ok(writes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{Blake3Hasher, MemoryTree};

    #[test]
    fn append_completes_one_node_per_trailing_one() {
        let mut tree = MemoryTree::<Blake3Hasher>::new();
        for i in 0..7u64 {
            tree.push(&i.to_le_bytes());
        }
        // Leaf 7 (0b111) completes (0,7), (1,3), (2,1) and (3,0).
        let leaf = Blake3Hasher::hash_leaf(b"eighth");
        let writes = nodes_completed_by_append::<Blake3Hasher, _>(&tree, 7, leaf)
            .expect("all left siblings exist");
        let coords: Vec<_> = writes.iter().map(|w| (w.level, w.index)).collect();
        assert_eq!(coords, vec![(0, 7), (1, 3), (2, 1), (3, 0)]);
        assert_eq!(writes[0].hash, leaf);

        tree.push(b"eighth");
        assert_eq!(writes[3].hash, tree.root());

        // Leaf 8 (even) completes only itself and needs no lookups.
        let writes = nodes_completed_by_append::<Blake3Hasher, _>(&tree, 8, leaf)
            .expect("no lookups needed");
        assert_eq!(writes.len(), 1);
    }

    #[test]
    fn append_reports_missing_sibling_and_full_tree() {
        let empty = MemoryTree::<Blake3Hasher>::new();
        let err = nodes_completed_by_append::<Blake3Hasher, _>(&empty, 1, [0; 32]).unwrap_err();
        assert!(matches!(
            err,
            MerkleError::MissingNode { level: 0, index: 0 }
        ));
        let err =
            nodes_completed_by_append::<Blake3Hasher, _>(&empty, u64::MAX, [0; 32]).unwrap_err();
        assert!(matches!(err, MerkleError::TreeFull));
    }
}
