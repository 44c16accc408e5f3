//! The solo engine: one node sequences everything, in arrival order.
//!
//! Admitted transactions go into a bounded queue; one thread takes whatever
//! has arrived (up to `max_batch`) and appends it as one atomic batch with a
//! checkpoint signed by the node. While a batch is being written (and
//! fsynced), the next one accumulates, so batches grow with load by
//! themselves and no timer is needed.
//!
//! Trust: a solo node can delay or refuse transactions but cannot forge them
//! (every entry is signed by its author), and it cannot rewrite history that a
//! client saw without the consistency check of `tanji log watch` failing.

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;

use tanji_api::Metrics;
use tanji_ledger::checkpoint::NoteSigner;
use tanji_ledger::store::{Candidate, Store};
use tanji_ledger::tx::TxKind;

use super::{OrderingEngine, ProposeError};
use crate::tracker::TxTracker;

/// Settings of the solo engine.
#[derive(Clone, Debug)]
pub struct SoloConfig {
    /// Most transactions per batch.
    pub max_batch: usize,
    /// Most transactions waiting; more are refused with "overloaded".
    pub queue_capacity: usize,
}

impl Default for SoloConfig {
    fn default() -> Self {
        Self {
            max_batch: 2000,
            queue_capacity: 50_000,
        }
    }
}

/// The solo engine's handle. Dropping every handle stops the sequencer after it
/// has appended what was queued.
pub struct SoloEngine {
    queue: SyncSender<Candidate>,
    capacity: usize,
}

impl SoloEngine {
    /// Starts the sequencer thread.
    pub fn start(
        store: Arc<Store>,
        signer: NoteSigner,
        tracker: Arc<TxTracker>,
        metrics: Arc<Metrics>,
        config: SoloConfig,
    ) -> std::io::Result<(Self, JoinHandle<()>)> {
        let (tx, rx) = mpsc::sync_channel(config.queue_capacity);
        let max_batch = config.max_batch.max(1);
        let handle = std::thread::Builder::new()
            .name("sequencer".into())
            .spawn(move || sequence(rx, store, signer, tracker, metrics, max_batch))?;
        Ok((
            Self {
                queue: tx,
                capacity: config.queue_capacity,
            },
            handle,
        ))
    }
}

impl OrderingEngine for SoloEngine {
    fn propose(&self, candidate: Candidate) -> Result<(), ProposeError> {
        if matches!(
            candidate.tx.body.kind,
            TxKind::AddValidator(_) | TxKind::RemoveValidator { .. }
        ) {
            // This node's one key signs every checkpoint; a set it does not
            // run could never make them final.
            return Err(ProposeError::Unavailable(
                "a solo node has no validator set to change; run a replicated network (`tanji-node devnet`)".into(),
            ));
        }
        match self.queue.try_send(candidate) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(ProposeError::Overloaded(self.capacity)),
            Err(TrySendError::Disconnected(_)) => Err(ProposeError::Unavailable(
                "the sequencer has stopped".into(),
            )),
        }
    }

    fn role(&self) -> &'static str {
        "solo"
    }
}

fn sequence(
    rx: Receiver<Candidate>,
    store: Arc<Store>,
    signer: NoteSigner,
    tracker: Arc<TxTracker>,
    metrics: Arc<Metrics>,
    max_batch: usize,
) {
    let mut batch = Vec::with_capacity(max_batch);
    // recv() fails only when every sender is gone and the queue is empty.
    while let Ok(first) = rx.recv() {
        batch.push(first);
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(c) => batch.push(c),
                Err(_) => break,
            }
        }
        metrics
            .queue_depth
            .set(tracker.queued().saturating_sub(batch.len()) as i64);
        match store.append_batch(&batch, Some(&signer)) {
            Ok(outcome) => {
                let mut appended = 0u64;
                for (id, result) in outcome.results {
                    match result {
                        Ok(_) => {
                            appended += 1;
                            if let Some(at) = tracker.committed(&id) {
                                metrics.commit_latency.observe(at.elapsed().as_secs_f64());
                            }
                        }
                        Err(e) => {
                            tracing::info!(tx = %id, error = %e, "refused when ordered");
                            metrics.rejected_at_ordering.inc();
                            tracker.rejected(id, e);
                        }
                    }
                }
                metrics.committed.inc_by(appended);
                metrics.batches.inc();
                metrics.batch_size.observe(appended as f64);
                metrics.log_size.set(outcome.head.size as i64);
                tracing::debug!(size = outcome.head.size, appended, "batch appended");
            }
            Err(e) => {
                // A storage failure: nothing of the batch was written. Refusing the
                // batch (rather than retrying forever) keeps clients informed; they
                // see "rejected" and may resubmit.
                tracing::error!(error = %e, "appending a batch failed");
                for c in &batch {
                    tracker.rejected(
                        c.id,
                        tanji_ledger::validate::TxError::State(tanji_ledger::state::StateError(
                            e.to_string(),
                        )),
                    );
                }
            }
        }
        batch.clear();
    }
    tracing::info!("sequencer stopped");
}
