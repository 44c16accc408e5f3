//! Storage of the log and its derived state, as **plan + commit**.
//!
//! Appending a batch of transactions happens in two steps:
//!
//! 1. **Plan** ([`plan_batch`], pure: no database, no I/O). Against a read
//!    view of the current ledger ([`LedgerRead`]: head, state, stored tree
//!    nodes), it validates each candidate after the ones before it, and
//!    computes everything the batch changes as one [`BatchPlan`]: the new
//!    entries and their tx-index entries, the perfect Merkle nodes they
//!    complete, the new head (size, root), the state changes, the checkpoint
//!    signed over the new root, the decision record if the ordering engine
//!    decided the batch, and what happened to each candidate. Planning
//!    guarantees that the plan is exactly what the batch does to *that* view
//!    (see [`BatchPlan`]'s invariants); it changes nothing, so a plan that is
//!    dropped leaves no trace.
//! 2. **Commit** (`Store::commit`, [`MemoryStore::commit`]). It checks that the
//!    plan was made against the store's current head (and next consensus
//!    height), applies it and then publishes the new head. The RocksDB store
//!    writes the whole plan ([`BatchPlan::for_each_write`]) as **one** atomic
//!    `WriteBatch`, fsynced when opened with `sync`, and publishes the head only
//!    after the write is durable. A process killed at any instant therefore
//!    reopens either before or after a whole batch, never in between, and
//!    `Store::check_integrity` can prove it.
//!
//! `append_batch` / `append_decided` (on both stores) are plan + commit under
//! the store's single writer: the RocksDB store serialises them with a mutex,
//! the in-memory store by `&mut self`. Readers never block: everything below
//! the head is immutable, so reads need no snapshot.
//!
//! Reads go through [`LedgerRead`] (which includes
//! [`StateView`](crate::state::StateView)), implemented
//! by the RocksDB `Store` (feature `store`) and by [`MemoryStore`] (always
//! available, for tests and tools that need no database). Both apply the same
//! plans, so the in-memory store exercises the same planning code.
//!
//! One column family per concern in the RocksDB store (see [`keys`]): entries,
//! perfect Merkle subtree hashes, signed checkpoints, state, the tx-id index,
//! consensus decisions and private data.

#[cfg(feature = "store")]
mod db;
pub mod keys;
mod memory;
mod plan;
mod read;
mod tree_source;

#[cfg(feature = "store")]
pub use db::Store;
pub use memory::MemoryStore;
pub use plan::{plan_batch, BatchPlan, KvWrite, PlannedEntry};
pub use read::{EnvelopeWrite, LedgerRead, PrivateRecord, PrivateRecords, MAX_PRIVATE_LIST};

use crate::checkpoint::SignedNote;
use crate::crypto::PublicKey;
use crate::ids::{OrgId, TxId};
use crate::merkle::{Hash, MerkleError};
use crate::state::StateError;
use crate::tx::SignedTx;
use crate::validate::TxError;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// RocksDB failed.
    #[cfg(feature = "store")]
    #[error("rocksdb: {0}")]
    Db(#[from] rocksdb::Error),
    /// Stored bytes did not decode: the database is damaged.
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// A Merkle computation failed (out of range request or missing node).
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// A request outside the log.
    #[error("{0}")]
    OutOfRange(String),
    /// State could not be read while planning a batch.
    #[error(transparent)]
    State(#[from] StateError),
    /// A [`BatchPlan`] was committed to a store whose head (or consensus
    /// height) is not the one it was planned against; nothing was written.
    #[error("stale batch plan: {0}")]
    StalePlan(String),
}

impl From<StoreError> for StateError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::State(s) => s,
            other => StateError(other.to_string()),
        }
    }
}

/// The log's current size and root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// Number of entries.
    pub size: u64,
    /// Merkle root of all entries.
    pub root: Hash,
}

/// A transaction waiting to be appended.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The transaction.
    pub tx: SignedTx,
    /// Its id.
    pub id: TxId,
    /// Its canonical encoding (the entry bytes).
    pub entry: Vec<u8>,
    /// Signatures already verified for it at admission.
    pub verified: Vec<(OrgId, PublicKey)>,
    /// Its zero-knowledge proof (if any) already verified at admission.
    pub proof_verified: bool,
}

impl Candidate {
    /// Prepares a transaction with no pre-verified signatures.
    pub fn new(tx: SignedTx) -> Self {
        let entry = tx.encode();
        let id = tx.id();
        Self {
            tx,
            id,
            entry,
            verified: Vec::new(),
            proof_verified: false,
        }
    }
}

/// A batch as decided by the ordering engine at one consensus height.
#[derive(Clone, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct DecidedRecord {
    /// Consensus height (1, 2, ...).
    pub height: u64,
    /// The decided value's id (the batch id).
    pub value_id: [u8; 32],
    /// The engine's commit certificate, in the engine's codec.
    pub certificate: Vec<u8>,
    /// The batch exactly as decided (invalid transactions included), in the engine's codec.
    pub batch: Vec<u8>,
    /// Log size before the batch (filled in by the store).
    pub first_index: u64,
    /// Log size after the batch (filled in by the store).
    pub size_after: u64,
}

/// Largest decision record read back.
#[cfg(feature = "store")]
const MAX_DECIDED_RECORD: usize = 64 * 1024 * 1024;

/// Largest stored value we are willing to decode (state records, entries).
#[cfg(feature = "store")]
const MAX_STORED_VALUE: usize = 1024 * 1024;

/// What happened to each candidate of a batch.
#[derive(Debug)]
pub struct BatchOutcome {
    /// Per candidate, in order: its log index, or why it was refused.
    pub results: Vec<(TxId, Result<u64, TxError>)>,
    /// The head after the batch.
    pub head: Head,
    /// The new checkpoint, if any entry was appended.
    pub checkpoint: Option<SignedNote>,
}

/// The result of `Store::check_integrity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrityReport {
    /// Entries read and re-hashed.
    pub entries: u64,
    /// Checkpoints whose root was recomputed and matched.
    pub checkpoints: u64,
    /// The recomputed root of the whole log.
    pub root: Hash,
}

/// The next consensus height after `last`, the highest one decided.
fn next_height(last: Option<u64>) -> u64 {
    last.map_or(1, |last| last.saturating_add(1))
}

#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod test_chain;
#[cfg(all(test, feature = "store"))]
mod tests;
