//! The node as the HTTP layer sees it: admission and status.

use std::sync::Arc;

use tanji_api::{Alarm, NodeService, PendingStatus, SubmitError};
use tanji_ledger::checkpoint::NoteVerifier;
use tanji_ledger::state::StateView as _;
use tanji_ledger::store::{Candidate, Store};
use tanji_ledger::tx::SignedTx;
use tanji_ledger::validate;
use tanji_ledger::TxId;

use crate::ordering::{OrderingEngine, ProposeError};
use crate::replica::checkpoints::checkpoint_quorum_at;
use crate::tracker::TxTracker;

/// Admits transactions into an ordering engine.
pub struct Node<E: OrderingEngine> {
    store: Arc<Store>,
    engine: E,
    tracker: Arc<TxTracker>,
}

impl<E: OrderingEngine> Node<E> {
    /// A node over `store` ordering with `engine`.
    pub fn new(store: Arc<Store>, engine: E, tracker: Arc<TxTracker>) -> Self {
        Self {
            store,
            engine,
            tracker,
        }
    }
}

/// The API's answer to a transaction the ordering engine could not take
/// (HTTP 503 either way: "overloaded" or "unavailable").
fn submit_error(e: ProposeError) -> SubmitError {
    match e {
        ProposeError::Overloaded(queued) => SubmitError::Overloaded(queued),
        ProposeError::Unavailable(why) => SubmitError::Unavailable(why),
    }
}

impl<E: OrderingEngine> NodeService for Node<E> {
    fn submit(&self, tx: SignedTx) -> Result<TxId, SubmitError> {
        let mut candidate = Candidate::new(tx);
        if matches!(self.tracker.status(&candidate.id), PendingStatus::Queued) {
            return Ok(candidate.id);
        }
        // Admission runs the full rules against the committed state, so bad
        // transactions are refused at once with a precise reason; ordering runs
        // them again against the state just before them.
        let size = self.store.head().size;
        let accepted = validate::check(self.store.as_ref(), &candidate.tx, size, &[])?;
        candidate.verified = accepted.signers;
        candidate.proof_verified = accepted.proof_verified;
        let id = candidate.id;
        if !self.tracker.queue(id) {
            return Ok(id);
        }
        if let Err(e) = self.engine.propose(candidate) {
            self.tracker.unqueue(&id);
            return Err(submit_error(e));
        }
        Ok(id)
    }

    fn pending_status(&self, id: &TxId) -> PendingStatus {
        self.tracker.status(id)
    }

    fn checkpoint_verifiers(&self, size: u64) -> (Vec<NoteVerifier>, usize) {
        match self.store.validator_epochs() {
            Ok(epochs) => checkpoint_quorum_at(&epochs, size),
            Err(e) => {
                tracing::error!(error = %e, "cannot read the validator set");
                (Vec::new(), 1)
            }
        }
    }

    fn role(&self) -> &'static str {
        self.engine.role()
    }

    fn alarms(&self) -> Vec<Alarm> {
        self.engine.alarms()
    }

    fn consensus_height(&self) -> Option<u64> {
        self.engine.consensus_height()
    }
}
