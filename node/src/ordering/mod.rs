//! Ordering engines: who decides the order of admitted transactions.
//!
//! An engine takes admitted [`Candidate`]s and eventually appends them to the
//! store in an order every node agrees on, through
//! [`Store::append_batch`](tanji_ledger::store::Store::append_batch), which
//! re-validates each one against the state before it. The solo engine
//! decides alone; the replicated one decides with the other validators.
//! Engines report a full queue or a stopped engine as a [`ProposeError`];
//! the node turns it into the API's answer.
//!
//! - [`bft`]: Malachite (Tendermint) instantiated for Tanji: types, signing,
//!   batches, the codec, and the loop that applies decided batches.
//! - [`replicated`]: the replicated engine as the API submits to it (mempool
//!   and transaction gossip in front of [`bft`]).
//! - [`solo`]: the solo engine: one thread sequences batches on one node.

pub mod bft;
pub mod replicated;
pub mod solo;

use tanji_api::Alarm;
use tanji_ledger::store::Candidate;

/// Why an engine could not take a transaction for ordering now. The
/// transaction itself is fine; the client may submit it again later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProposeError {
    /// The engine's queue (or mempool) is full: this many transactions wait.
    #[error("the ordering queue is full ({0} transactions queued)")]
    Overloaded(usize),
    /// The engine has stopped (shutting down, a task ended).
    #[error("ordering is unavailable: {0}")]
    Unavailable(String),
}

/// Decides the order of transactions.
pub trait OrderingEngine: Send + Sync + 'static {
    /// Offers an admitted transaction for ordering. Errors if it cannot be
    /// queued now (full, shutting down).
    fn propose(&self, candidate: Candidate) -> Result<(), ProposeError>;
    /// The node's role in ordering, as reported by `/health`.
    fn role(&self) -> &'static str;
    /// Alarms the node raised (replicated engines).
    fn alarms(&self) -> Vec<Alarm> {
        Vec::new()
    }
    /// Last decided consensus height (replicated engines).
    fn consensus_height(&self) -> Option<u64> {
        None
    }
}
