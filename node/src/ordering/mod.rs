//! Ordering engines: who decides the order of admitted transactions.
//!
//! An engine takes admitted [`Candidate`]s and eventually appends them to the
//! store in an order every node agrees on, through
//! [`Store::append_batch`](tanji_ledger::store::Store::append_batch), which
//! re-validates each one against the state before it. The solo engine
//! ([`solo`]) decides alone; a replicated engine decides with the other
//! validators and implements the same trait.

pub mod bft;
pub mod replicated;
pub mod solo;

use tanji_api::{Alarm, SubmitError};
use tanji_ledger::store::Candidate;

/// Decides the order of transactions.
pub trait OrderingEngine: Send + Sync + 'static {
    /// Offers an admitted transaction for ordering. Errors if it cannot be
    /// queued now (full, shutting down).
    fn propose(&self, candidate: Candidate) -> Result<(), SubmitError>;
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
