//! The replicated ordering engine as the API sees it: admitted transactions
//! go to the local mempool (validators propose from it) and are gossiped to
//! every other node (so whichever validator proposes next has them).

use std::sync::Arc;

use tanji_api::Alarm;
use tanji_ledger::store::{Candidate, Store};
use tokio::sync::mpsc;

use super::bft::app::Mempool;
use super::{OrderingEngine, ProposeError};
use crate::replica::alarms::AlarmLog;
use crate::replica::config::NodeRole;

/// Replicated ordering through Malachite.
pub struct ReplicatedOrdering {
    /// Validator or observer.
    pub role: NodeRole,
    /// This node's mempool (validators propose from it).
    pub mempool: Mempool,
    /// Most transactions waiting in the mempool.
    pub capacity: usize,
    /// Entries to gossip.
    pub gossip: mpsc::Sender<Vec<u8>>,
    /// The node's alarms.
    pub alarms: Arc<AlarmLog>,
    /// The ledger.
    pub store: Arc<Store>,
}

impl OrderingEngine for ReplicatedOrdering {
    fn propose(&self, candidate: Candidate) -> Result<(), ProposeError> {
        let entry = candidate.entry.clone();
        if self.role == NodeRole::Validator {
            let mut pool = self.mempool.lock().unwrap_or_else(|e| e.into_inner());
            if pool.len() >= self.capacity {
                return Err(ProposeError::Overloaded(pool.len()));
            }
            pool.push_back(candidate);
        }
        match self.gossip.try_send(entry) {
            Ok(()) => Ok(()),
            // A validator still proposes it itself when its turn comes.
            Err(mpsc::error::TrySendError::Full(_)) if self.role == NodeRole::Validator => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                Err(ProposeError::Overloaded(self.gossip.max_capacity()))
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(ProposeError::Unavailable(
                "the network task has stopped".into(),
            )),
        }
    }

    fn role(&self) -> &'static str {
        self.role.as_str()
    }

    fn alarms(&self) -> Vec<Alarm> {
        self.alarms.all()
    }

    fn consensus_height(&self) -> Option<u64> {
        self.store.last_decided().ok().flatten()
    }
}
