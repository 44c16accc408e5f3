//! [`NodeSource`]s over the `tree` column family, with an in-memory overlay for
//! the nodes a batch completes before it is written.

use std::collections::HashMap;

use crate::merkle::{Hash, MerkleError, NodeSource};

#[cfg(feature = "store")]
pub use db::DbNodes;

#[cfg(feature = "store")]
mod db {
    use rocksdb::DB;

    use super::super::keys::{tree_key, CF_TREE};
    use super::super::{db::cf, StoreError};
    use crate::merkle::{Hash, MerkleError, NodeSource};

    /// The stored perfect nodes of a RocksDB store.
    pub struct DbNodes<'a> {
        db: &'a DB,
        cf: &'a rocksdb::ColumnFamily,
    }

    impl<'a> DbNodes<'a> {
        pub fn new(db: &'a DB) -> Result<Self, StoreError> {
            Ok(Self {
                db,
                cf: cf(db, CF_TREE)?,
            })
        }
    }

    impl NodeSource for DbNodes<'_> {
        fn perfect_node(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
            match self.db.get_pinned_cf(self.cf, tree_key(level, index)) {
                Ok(Some(v)) => v.as_ref().try_into().map_err(|_| {
                    MerkleError::Source(format!("tree node ({level}, {index}) is not 32 bytes"))
                }),
                Ok(None) => Err(MerkleError::MissingNode { level, index }),
                Err(e) => Err(MerkleError::Source(e.to_string())),
            }
        }
    }
}

/// Nodes of a base source plus nodes added by a batch being planned.
pub struct OverlayNodes<'a, S: NodeSource + ?Sized> {
    base: &'a S,
    added: HashMap<(u8, u64), Hash>,
}

impl<'a, S: NodeSource + ?Sized> OverlayNodes<'a, S> {
    pub fn new(base: &'a S) -> Self {
        Self {
            base,
            added: HashMap::new(),
        }
    }
    pub fn insert(&mut self, level: u8, index: u64, hash: Hash) {
        self.added.insert((level, index), hash);
    }
}

impl<S: NodeSource + ?Sized> NodeSource for OverlayNodes<'_, S> {
    fn perfect_node(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        match self.added.get(&(level, index)) {
            Some(h) => Ok(*h),
            None => self.base.perfect_node(level, index),
        }
    }
}
