//! Where in-flight transactions stand.
//!
//! The tracker is memory only, by design: a transaction is durable once it is
//! in the log, and only then. After a restart the queue is gone, and
//! `GET /v1/tx/{id}` says "unknown" for what was only queued, so the client
//! knows to submit again. Rejections are remembered up to a bound, oldest
//! forgotten first.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use tanji_api::PendingStatus;
use tanji_ledger::validate::TxError;
use tanji_ledger::TxId;

/// Most rejections remembered.
const MAX_REMEMBERED_REJECTIONS: usize = 100_000;

#[derive(Default)]
struct Inner {
    queued: HashMap<TxId, Instant>,
    rejected: HashMap<TxId, TxError>,
    rejection_order: VecDeque<TxId>,
}

/// Status of transactions between admission and the log.
#[derive(Default)]
pub struct TxTracker {
    inner: Mutex<Inner>,
}

impl TxTracker {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks `id` queued; false if it already was.
    pub fn queue(&self, id: TxId) -> bool {
        let mut inner = self.lock();
        inner.rejected.remove(&id);
        inner.queued.insert(id, Instant::now()).is_none()
    }

    /// Forgets a queued transaction (e.g. the queue refused it).
    pub fn unqueue(&self, id: &TxId) {
        self.lock().queued.remove(id);
    }

    /// The transaction is in the log; returns when it was queued.
    pub fn committed(&self, id: &TxId) -> Option<Instant> {
        self.lock().queued.remove(id)
    }

    /// The transaction was refused when ordered.
    pub fn rejected(&self, id: TxId, error: TxError) {
        let mut inner = self.lock();
        inner.queued.remove(&id);
        if inner.rejected.insert(id, error).is_none() {
            inner.rejection_order.push_back(id);
        }
        while inner.rejection_order.len() > MAX_REMEMBERED_REJECTIONS {
            if let Some(old) = inner.rejection_order.pop_front() {
                inner.rejected.remove(&old);
            }
        }
    }

    /// Status of a transaction not in the log.
    pub fn status(&self, id: &TxId) -> PendingStatus {
        let inner = self.lock();
        if inner.queued.contains_key(id) {
            PendingStatus::Queued
        } else if let Some(e) = inner.rejected.get(id) {
            PendingStatus::Rejected(e.clone())
        } else {
            PendingStatus::Unknown
        }
    }

    /// Transactions queued now.
    pub fn queued(&self) -> usize {
        self.lock().queued.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        let t = TxTracker::default();
        let id = TxId([1; 32]);
        assert_eq!(t.status(&id), PendingStatus::Unknown);
        assert!(t.queue(id));
        assert!(!t.queue(id));
        assert_eq!(t.status(&id), PendingStatus::Queued);
        t.rejected(id, TxError::NoGenesis);
        assert_eq!(t.status(&id), PendingStatus::Rejected(TxError::NoGenesis));
        assert!(t.queue(id));
        assert!(t.committed(&id).is_some());
        assert_eq!(t.status(&id), PendingStatus::Unknown);
    }
}
