//! The ledger's derived state: what the log's entries add up to.
//!
//! State is a pure function of the log: replaying entries 0..n through
//! [`crate::validate`] yields exactly the state stored at size n. Validation
//! reads state through [`StateView`]; a batch being applied reads through a
//! [`PendingState`], which layers the batch's own changes over the stored
//! state so later transactions in a batch see the effects of earlier ones.

mod keys;
mod pending;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

pub use keys::{
    compromised_signatures, current_key_since, retired_signing_key_at, CompromisedSignature,
    RetiredKey, RetiredKeyValue, MAX_RETIRED_KEYS,
};
pub use pending::{CarbonRecords, MemoryState, PendingState};

use crate::carbon::{CertificateState, FactorState, FootprintState, RecordRef, RuleState};
use crate::ids::{OrgId, TxId};
use crate::tx::{ObserverNode, OrgRecord, ValidatorNode};

/// Reading state failed (a storage error, not a property of the transaction).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("state unavailable: {0}")]
pub struct StateError(pub String);

/// Facts fixed by the genesis entry.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct NetworkInfo {
    /// Network name; also the origin line of every checkpoint.
    pub network: String,
    /// The validator nodes whose signatures make checkpoints.
    pub validators: Vec<ValidatorNode>,
    /// Id of the genesis transaction.
    pub genesis_tx: TxId,
}

/// One validator set and the log sizes whose checkpoints it signs.
///
/// The set that decides a batch also signs the checkpoint at the batch's end,
/// so a change recorded in a batch takes effect after that batch: the new set
/// signs checkpoints of size `first_size` = (batch end) + 1 and up, and
/// orders the batches after it. The checkpoint at the batch's end, signed by
/// the previous set, is the link a light client follows: it proves the
/// change is in the log and that the previous set vouched for it.
///
/// History is append-only: epoch `k + 1` begins where epoch `k` ends, and
/// epoch 0 is the genesis set (`change_index` 0, `first_size` 1).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ValidatorEpoch {
    /// Log index of the entry that made this set (0: the genesis).
    pub change_index: u64,
    /// Smallest checkpoint size this set signs. While the batch holding the
    /// change is being validated it is provisionally `change_index + 1`;
    /// [`crate::store::plan_batch`] fixes it to the batch's end + 1.
    pub first_size: u64,
    /// The consensus height that decided the batch holding the change (none
    /// for the genesis, or on a solo node, whose batches are not decided by
    /// consensus). Also set by [`crate::store::plan_batch`].
    pub height: Option<u64>,
    /// The validator nodes, in the order they joined.
    pub validators: Vec<ValidatorNode>,
}

impl ValidatorEpoch {
    /// Epoch 0: the genesis set.
    pub fn genesis(network: &NetworkInfo) -> Self {
        Self {
            change_index: 0,
            first_size: 1,
            height: None,
            validators: network.validators.clone(),
        }
    }
}

/// The epoch whose set signs the checkpoint of `size`: the last one with
/// `first_size <= size` (the first, for sizes before any change).
pub fn epoch_for_size(epochs: &[ValidatorEpoch], size: u64) -> Option<&ValidatorEpoch> {
    epochs
        .iter()
        .rev()
        .find(|e| e.first_size <= size)
        .or_else(|| epochs.first())
}

/// Whether an organisation may still act.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OrgStatus {
    /// In good standing.
    Active,
    /// Revoked by governance; signs nothing from `at` on.
    Revoked {
        /// Why, as recorded in the revocation.
        reason: String,
        /// Log index of the revocation.
        at: u64,
    },
}

/// An organisation as the ledger knows it now.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct OrgState {
    /// The registration record, with roles as last changed.
    pub record: OrgRecord,
    /// Active or revoked.
    pub status: OrgStatus,
    /// Log index of the registration (or 0 for genesis members).
    pub registered_at: u64,
    /// Log index of the last change.
    pub updated_at: u64,
}

impl OrgState {
    /// Active and holding `role`.
    pub fn is_active(&self) -> bool {
        matches!(self.status, OrgStatus::Active)
    }
}

/// One change a valid transaction makes to state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateChange {
    /// Genesis facts (written once).
    Network(NetworkInfo),
    /// An organisation's new state.
    Org(OrgId, OrgState),
    /// A nonce now used.
    Nonce(OrgId, u64),
    /// The new governance set (active regulators and validators), sorted.
    Governance(Vec<OrgId>),
    /// The new list of observer nodes, in registration order.
    Observers(Vec<ObserverNode>),
    /// The validator set history with a new epoch appended.
    Validators(Vec<ValidatorEpoch>),
    /// An organisation's retired keys, with one more appended.
    RetiredKeys(OrgId, Vec<RetiredKey>),
    /// A factor version's new state.
    Factor(RecordRef, Box<FactorState>),
    /// A product rule version's new state.
    Rule(RecordRef, Box<RuleState>),
    /// A footprint attestation's new state.
    Footprint(TxId, Box<FootprintState>),
    /// A certificate's new state.
    Certificate(String, Box<CertificateState>),
    /// `downstream` uses `upstream` as an input (for impact queries).
    UsesFootprint {
        /// The input.
        upstream: TxId,
        /// The attestation using it.
        downstream: TxId,
    },
    /// `footprint` uses the factor version `factor`.
    UsesFactor {
        /// The factor version.
        factor: RecordRef,
        /// The attestation using it.
        footprint: TxId,
    },
}

/// Read access to state, as validation needs it.
pub trait StateView {
    /// Genesis facts, once the genesis entry is in the log.
    fn network(&self) -> Result<Option<NetworkInfo>, StateError>;
    /// An organisation, active or revoked.
    fn org(&self, id: &OrgId) -> Result<Option<OrgState>, StateError>;
    /// Whether `(org, nonce)` was used by an earlier transaction.
    fn nonce_used(&self, org: &OrgId, nonce: u64) -> Result<bool, StateError>;
    /// Active organisations with the regulator or validator role, sorted.
    fn governance(&self) -> Result<Vec<OrgId>, StateError>;
    /// Registered observer nodes, in registration order.
    fn observers(&self) -> Result<Vec<ObserverNode>, StateError>;
    /// The validator set history, oldest first; empty before the genesis.
    fn validator_epochs(&self) -> Result<Vec<ValidatorEpoch>, StateError>;
    /// The keys an organisation retired, oldest first (empty if it never
    /// rotated one).
    fn retired_keys(&self, org: &OrgId) -> Result<Vec<RetiredKey>, StateError>;
    /// A factor version.
    fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, StateError>;
    /// A product rule version.
    fn rule(&self, r: &RecordRef) -> Result<Option<RuleState>, StateError>;
    /// A footprint attestation.
    fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, StateError>;
    /// A certificate.
    fn certificate(&self, id: &str) -> Result<Option<CertificateState>, StateError>;
}

/// Approvals a governance transaction needs: more than two thirds of the
/// governance set (`floor(2n/3) + 1`), the same threshold as a BFT quorum, so
/// no minority of regulators and validators can change membership alone.
pub fn governance_quorum(members: usize) -> usize {
    members * 2 / 3 + 1
}

/// The validator set in force now (the newest epoch's); empty before the genesis.
pub fn current_validators<V: StateView + ?Sized>(
    view: &V,
) -> Result<Vec<ValidatorNode>, StateError> {
    Ok(view
        .validator_epochs()?
        .pop()
        .map(|e| e.validators)
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch(change_index: u64, first_size: u64) -> ValidatorEpoch {
        ValidatorEpoch {
            change_index,
            first_size,
            height: None,
            validators: Vec::new(),
        }
    }

    #[test]
    fn the_epoch_of_a_size_is_the_last_that_began_at_or_before_it() {
        let epochs = [epoch(0, 1), epoch(7, 10), epoch(20, 25)];
        let first = |size| epoch_for_size(&epochs, size).map(|e| e.first_size);
        assert_eq!(first(0), Some(1));
        assert_eq!(first(1), Some(1));
        assert_eq!(first(9), Some(1));
        assert_eq!(first(10), Some(10));
        assert_eq!(first(24), Some(10));
        assert_eq!(first(25), Some(25));
        assert_eq!(first(u64::MAX), Some(25));
        assert_eq!(epoch_for_size(&[], 5), None);
    }

    #[test]
    fn quorum_is_more_than_two_thirds() {
        assert_eq!(governance_quorum(1), 1);
        assert_eq!(governance_quorum(2), 2);
        assert_eq!(governance_quorum(3), 3);
        assert_eq!(governance_quorum(4), 3);
        assert_eq!(governance_quorum(7), 5);
        for n in 1..100usize {
            let q = governance_quorum(n);
            assert!(3 * q > 2 * n && q <= n);
        }
    }
}
