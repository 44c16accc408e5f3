//! [`LedgerRead`]: what readers of a ledger (the HTTP API, sync, the planner)
//! need, whatever stores it.

use super::{DecidedRecord, Head, StoreError};
use crate::carbon::{CertificateState, FactorState, FootprintState, RecordRef, RuleState};
use crate::ids::{OrgId, TxId};
use crate::merkle::{self, Blake3Hasher, Hash, NodeSource};
use crate::sealed::EnvelopeHash;
use crate::state::{OrgState, StateView};

/// Read access to a ledger: the log and its tree, checkpoints, consensus
/// decisions, the derived state and the private envelopes kept beside it.
///
/// The state lookups validation uses (`network`, `org`, `nonce_used`,
/// `governance`, `observers`, `factor`, `rule`, `footprint`, `certificate`)
/// come from [`StateView`]; the stored perfect Merkle nodes from
/// [`NodeSource`], from which the provided methods compute roots and proofs.
///
/// Everything a reader sees is at or below [`head`](Self::head): entries,
/// indexes, roots and proofs beyond it are reported absent or out of range,
/// even when a batch being committed has already written them. Listings are
/// in the order the RocksDB store's keys give ([`super::keys`]), which every
/// implementation follows.
pub trait LedgerRead: StateView + NodeSource {
    /// The current head (size and root).
    fn head(&self) -> Head;

    /// The entry bytes at `index`, if it is below the head.
    fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError>;

    /// Entries `[start, end)`, which must lie within the log.
    fn entries(&self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError>;

    /// Log index of a transaction, if it is in the log.
    fn tx_index(&self, id: &TxId) -> Result<Option<u64>, StoreError>;

    /// The Merkle root of the first `size` entries.
    fn root_at(&self, size: u64) -> Result<Hash, StoreError> {
        check_size(self.head(), size)?;
        Ok(merkle::root::<Blake3Hasher, _>(self, size)?)
    }

    /// Audit path for entry `index` in the tree of `size` entries.
    fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        check_size(self.head(), size)?;
        Ok(merkle::inclusion_proof::<Blake3Hasher, _>(
            self, index, size,
        )?)
    }

    /// Consistency proof between the trees of `old` and `new` entries.
    fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        check_size(self.head(), new)?;
        Ok(merkle::consistency_proof::<Blake3Hasher, _>(
            self, old, new,
        )?)
    }

    /// The signed checkpoint stored for exactly `size`, if any.
    fn checkpoint_at(&self, size: u64) -> Result<Option<String>, StoreError>;

    /// The newest stored checkpoint (for the head, unless the node does not sign).
    fn latest_checkpoint(&self) -> Result<Option<String>, StoreError>;

    /// The decision recorded for a consensus height.
    fn decided(&self, height: u64) -> Result<Option<DecidedRecord>, StoreError>;

    /// The highest consensus height decided and applied, if any.
    fn last_decided(&self) -> Result<Option<u64>, StoreError>;

    /// Every organisation, ordered by id.
    fn orgs(&self) -> Result<Vec<(OrgId, OrgState)>, StoreError>;

    /// Every factor version, ordered by id then version.
    fn factors(&self) -> Result<Vec<FactorState>, StoreError>;

    /// Every version of one factor id, oldest first.
    fn factor_versions(&self, id: &str) -> Result<Vec<FactorState>, StoreError>;

    /// Every rule version, ordered by id then version.
    fn rules(&self) -> Result<Vec<RuleState>, StoreError>;

    /// Every footprint attestation, in id order.
    fn footprints(&self) -> Result<Vec<FootprintState>, StoreError>;

    /// Every certificate, in id order.
    fn certificates(&self) -> Result<Vec<CertificateState>, StoreError>;

    /// Attestations that use `upstream` directly as an input, in id order.
    fn downstream_of(&self, upstream: &TxId) -> Result<Vec<TxId>, StoreError>;

    /// Attestations that use the factor version `factor` directly, in id order.
    fn footprints_using_factor(&self, factor: &RecordRef) -> Result<Vec<TxId>, StoreError>;

    /// The highest nonce `org` has used, if any (a hint for picking the next one).
    fn last_nonce(&self, org: &OrgId) -> Result<Option<u64>, StoreError>;

    /// A sealed envelope kept here, by hash (private data: never in the log).
    fn envelope(&self, hash: &EnvelopeHash) -> Result<Option<Vec<u8>>, StoreError>;
}

/// Keeping and purging sealed envelopes: the private data a node holds beside
/// its log for disclosure (never in the log, never replicated). Through a
/// shared reference, since envelopes are written while the log is read and
/// appended.
pub trait EnvelopeWrite {
    /// Keeps (or replaces) a sealed envelope under its hash.
    fn put_envelope(&self, hash: &EnvelopeHash, bytes: &[u8]) -> Result<(), StoreError>;

    /// Purges a sealed envelope; whether it was here.
    fn delete_envelope(&self, hash: &EnvelopeHash) -> Result<bool, StoreError>;
}

/// Most records one [`PrivateRecords::private_list`] returns.
pub const MAX_PRIVATE_LIST: usize = 100_000;

/// A private record: its key within its namespace, and its value.
pub type PrivateRecord = (Vec<u8>, Vec<u8>);

/// Other private records a node keeps beside its log under its own
/// namespaces (PACT client credentials, the PACT event outbox): never in the
/// log, never replicated, written through a shared reference like envelopes.
///
/// A record is addressed by a namespace (ASCII, no `/`) and a key within it;
/// listing a namespace gives its records in key byte order.
pub trait PrivateRecords {
    /// The record `key` of `namespace`, if kept.
    fn private_get(&self, namespace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Keeps (or replaces) a record.
    fn private_put(&self, namespace: &str, key: &[u8], value: &[u8]) -> Result<(), StoreError>;

    /// Removes a record; whether it was there.
    fn private_delete(&self, namespace: &str, key: &[u8]) -> Result<bool, StoreError>;

    /// Every record of `namespace` (key, value), in key order, at most
    /// [`MAX_PRIVATE_LIST`].
    fn private_list(&self, namespace: &str) -> Result<Vec<PrivateRecord>, StoreError>;

    /// The keys of `namespace`, in order, at most [`MAX_PRIVATE_LIST`]:
    /// for counting and scheduling without copying values.
    fn private_keys(&self, namespace: &str) -> Result<Vec<Vec<u8>>, StoreError>;
}

/// Refuses a tree size beyond the head.
pub(super) fn check_size(head: Head, size: u64) -> Result<(), StoreError> {
    if size > head.size {
        return Err(StoreError::OutOfRange(format!(
            "size {size} is beyond the log's size {}",
            head.size
        )));
    }
    Ok(())
}

/// Refuses an entry range not within the log.
pub(super) fn check_range(head: Head, start: u64, end: u64) -> Result<(), StoreError> {
    if start > end || end > head.size {
        return Err(StoreError::OutOfRange(format!(
            "entries [{start}, {end}) are not within the log of size {}",
            head.size
        )));
    }
    Ok(())
}
