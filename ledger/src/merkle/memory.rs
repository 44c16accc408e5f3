//! An in-memory tree: every perfect node, one vector per level.

use std::fmt;
use std::marker::PhantomData;

use super::error::MerkleError;
use super::hasher::{Hash, MerkleHasher};
use super::proof::{consistency_proof, inclusion_proof};
use super::root::root;
use super::source::{nodes_completed_by_append, NodeSource};

/// In-memory tree: a Vec of levels of perfect nodes. Implements NodeSource. For tests, benches, and
/// the offline verifier.
///
/// Invariant: with `len` leaves, level `l` holds exactly `len >> l` nodes (the complete subtrees of
/// height `l`), and there is one level per bit of `len`. That is about `2 * len` hashes, and is
/// everything needed to answer roots and proofs for every size up to `len`, because a perfect
/// node never changes once complete.
pub struct MemoryTree<H> {
    levels: Vec<Vec<Hash>>,
    len: u64,
    // fn() -> H: the tree owns no H, so it is Send/Sync/Clone whatever H is.
    _hasher: PhantomData<fn() -> H>,
}

/// Message for the two places where a failure would mean the invariant above is broken. Neither
/// can be reached: every left sibling an append needs was stored by an earlier append, and a tree
/// in memory cannot approach u64::MAX leaves.
const INVARIANT: &str = "MemoryTree holds every perfect node of its tree";

impl<H: MerkleHasher> MemoryTree<H> {
    /// An empty tree.
    pub fn new() -> Self {
        Self {
            levels: Vec::new(),
            len: 0,
            _hasher: PhantomData,
        }
    }

    /// Appends a leaf given its leaf hash (H(0x00 || entry)), storing every node it completes.
    pub fn push_leaf_hash(&mut self, leaf_hash: Hash) {
        let writes = nodes_completed_by_append::<H, _>(self, self.len, leaf_hash).expect(INVARIANT);
        for w in writes {
            // Writes come bottom-up and a level is created when its first node completes, so `w`
            // is either for an existing level or for the next one.
            match self.levels.get_mut(usize::from(w.level)) {
                Some(level) => level.push(w.hash),
                None => self.levels.push(vec![w.hash]),
            }
        }
        self.len += 1;
    }

    /// Appends an entry: `hash_leaf(entry)` then [`push_leaf_hash`](Self::push_leaf_hash).
    pub fn push(&mut self, entry: &[u8]) {
        self.push_leaf_hash(H::hash_leaf(entry));
    }

    /// Number of leaves.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True if the tree has no leaves.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Root of the whole tree (the empty-tree hash if there are no leaves).
    pub fn root(&self) -> Hash {
        root::<H, _>(self, self.len).expect(INVARIANT)
    }

    /// Root of the tree as it was when it had `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, MerkleError> {
        self.check_size(size)?;
        root::<H, _>(self, size)
    }

    /// Inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 PATH).
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, MerkleError> {
        self.check_size(size)?;
        inclusion_proof::<H, _>(self, index, size)
    }

    /// Consistency proof from size `old` to size `new` (RFC 9162 PROOF).
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, MerkleError> {
        self.check_size(new)?;
        consistency_proof::<H, _>(self, old, new)
    }

    /// Drops every leaf at or after `size`, returning the tree to how it was at that size (for
    /// rolling back appends that were not persisted, and for benchmarks that append repeatedly to
    /// a tree of fixed size). Keeps the allocated capacity.
    pub fn truncate(&mut self, size: u64) -> Result<(), MerkleError> {
        self.check_size(size)?;
        for (level, nodes) in self.levels.iter_mut().enumerate() {
            // level < 64 because there is one level per bit of a u64 length.
            let keep = size.checked_shr(level as u32).unwrap_or(0);
            nodes.truncate(usize::try_from(keep).unwrap_or(usize::MAX));
        }
        while self.levels.last().is_some_and(|l| l.is_empty()) {
            self.levels.pop();
        }
        self.len = size;
        Ok(())
    }

    fn check_size(&self, size: u64) -> Result<(), MerkleError> {
        if size > self.len {
            return Err(MerkleError::SizeOutOfRange {
                size,
                tree_size: self.len,
            });
        }
        Ok(())
    }
}

impl<H> NodeSource for MemoryTree<H> {
    fn perfect_node(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.levels.get(usize::from(level))?.get(i))
            .copied()
            .ok_or(MerkleError::MissingNode { level, index })
    }
}

impl<H: MerkleHasher> Default for MemoryTree<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<H> Clone for MemoryTree<H> {
    fn clone(&self) -> Self {
        Self {
            levels: self.levels.clone(),
            len: self.len,
            _hasher: PhantomData,
        }
    }
}

impl<H> fmt::Debug for MemoryTree<H> {
    // Printing millions of hashes helps nobody; the size identifies the tree's shape.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTree")
            .field("len", &self.len)
            .field("levels", &self.levels.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{naive, Blake3Hasher};

    #[test]
    fn levels_hold_exactly_the_perfect_nodes() {
        let mut t = MemoryTree::<Blake3Hasher>::new();
        assert!(t.is_empty());
        for n in 1..=40u64 {
            t.push(&n.to_le_bytes());
            assert_eq!(t.len(), n);
            assert_eq!(t.levels.len() as u32, 64 - n.leading_zeros());
            for (l, nodes) in t.levels.iter().enumerate() {
                assert_eq!(nodes.len() as u64, n >> l);
            }
        }
    }

    #[test]
    fn truncate_restores_earlier_tree() {
        let data: Vec<Vec<u8>> = (0..37u32).map(|i| i.to_be_bytes().to_vec()).collect();
        let mut t = MemoryTree::<Blake3Hasher>::new();
        for d in &data {
            t.push(d);
        }
        for size in (0..=37u64).rev() {
            t.truncate(size).expect("size within tree");
            assert_eq!(t.len(), size);
            let want = naive::mth::<Blake3Hasher>(&naive::leaf_hashes::<Blake3Hasher>(
                &data[..size as usize],
            ));
            assert_eq!(t.root(), want);
        }
        assert!(t.levels.is_empty());
        for d in &data[..5] {
            t.push(d);
        }
        let want = naive::mth::<Blake3Hasher>(&naive::leaf_hashes::<Blake3Hasher>(&data[..5]));
        assert_eq!(t.root(), want);
        assert!(matches!(
            t.truncate(6),
            Err(MerkleError::SizeOutOfRange {
                size: 6,
                tree_size: 5
            })
        ));
    }

    #[test]
    fn sizes_beyond_the_tree_are_rejected() {
        let mut t = MemoryTree::<Blake3Hasher>::default();
        t.push(b"x");
        assert!(matches!(
            t.root_at(2),
            Err(MerkleError::SizeOutOfRange {
                size: 2,
                tree_size: 1
            })
        ));
        assert!(matches!(
            t.inclusion_proof(0, u64::MAX),
            Err(MerkleError::SizeOutOfRange { .. })
        ));
        assert!(matches!(
            t.consistency_proof(1, 2),
            Err(MerkleError::SizeOutOfRange { .. })
        ));
        assert!(matches!(
            t.perfect_node(200, u64::MAX),
            Err(MerkleError::MissingNode {
                level: 200,
                index: u64::MAX
            })
        ));
        assert_eq!(format!("{t:?}"), "MemoryTree { len: 1, levels: 1 }");
    }
}
