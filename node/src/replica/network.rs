//! The node's side of Tanji's own swarm: transaction gossip, checkpoint
//! cosignatures, range-sync answers, checkpoint pulls, and keeping the
//! connection gate in step with the ledger's registry.
//!
//! One task owns the [`Witnessing`] book and reacts to:
//! - swarm events (gossip to judge, sync requests to answer);
//! - entries admitted locally (gossiped in small bundles, so a burst of
//!   submissions is a few messages, not thousands);
//! - heights applied by the consensus app (sign the new head, refresh the
//!   registry and the gate);
//! - a timer that pulls the newest signed note from a peer (how a node that
//!   was down, or started late, learns the cosigned checkpoints it missed,
//!   and how cosignatures of a head lost in gossip still arrive).

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tanji_ledger::state::current_validators;
use tanji_ledger::store::{Candidate, Store};
use tanji_ledger::tx::SignedTx;
use tanji_ledger::{validate, TxId};
use tokio::sync::{mpsc, watch};

use super::checkpoints::{NoteOutcome, Witnessing};
use super::config::NodeRole;
use crate::ordering::bft::app::Mempool;
use crate::p2p::{
    peer_id_of, P2pEvent, P2pHandle, PeerId, SyncRequest, SyncResponse, Topic, Verdict,
};

/// Largest bundle of gossiped transactions, in bytes (below the swarm's 256 KiB).
const MAX_TX_BUNDLE_BYTES: usize = 200 * 1024;
/// How long admitted entries wait to be bundled.
const BUNDLE_DELAY: Duration = Duration::from_millis(5);
/// Byte budget of one range-sync answer (the response limit is 16 MiB).
const MAX_SYNC_ANSWER_BYTES: usize = 12 * 1024 * 1024;
/// How often the newest checkpoint is pulled from a peer.
const PULL_INTERVAL: Duration = Duration::from_millis(1500);
/// How long a pull waits for the peer's answer before the next one may start.
const PULL_TIMEOUT: Duration = Duration::from_secs(5);
/// Transaction ids remembered to skip re-validating gossip duplicates.
const MAX_RECENT: usize = 200_000;

/// A gossip message on the transaction topic (decoded within its limits by
/// `tanji-wire`, where the fuzz target `tx_bundle` exercises it).
pub use tanji_wire::gossip::TxBundle;

/// Everything the network task needs.
pub struct NetworkTask {
    /// Validator or observer.
    pub role: NodeRole,
    /// The ledger.
    pub store: Arc<Store>,
    /// Our swarm.
    pub p2p: P2pHandle,
    /// Its events.
    pub events: mpsc::Receiver<P2pEvent>,
    /// Entries admitted locally, to gossip.
    pub admitted: mpsc::Receiver<Vec<u8>>,
    /// Heights applied by the consensus app.
    pub applied: watch::Receiver<u64>,
    /// The checkpoint book.
    pub witnessing: Witnessing,
    /// Where gossiped transactions go (validators).
    pub mempool: Mempool,
    /// Most transactions in the mempool.
    pub mempool_capacity: usize,
    /// This node's own PeerId (never in its allow-list).
    pub me: PeerId,
    /// The allow-list last given to the swarm.
    pub allowed: Option<HashSet<PeerId>>,
}

impl NetworkTask {
    /// Runs until the swarm stops.
    pub async fn run(mut self) {
        if let Err(e) = self.refresh_gate().await {
            tracing::warn!(error = %e, "cannot set the connection gate");
        }
        self.sign_head().await;
        let mut recent: HashSet<TxId> = HashSet::new();
        let mut recent_order: VecDeque<TxId> = VecDeque::new();
        let mut pull = tokio::time::interval(PULL_INTERVAL);
        pull.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut peers: Vec<PeerId> = Vec::new();
        let mut pull_turn = 0usize;
        // Pulls run beside this loop, which must keep answering peers' sync
        // requests: awaiting a peer's answer here deadlocked nodes that pulled
        // from each other at the same moment (until the 30 s request timeout,
        // after which their timers fired together again), and stalled gossip,
        // cosigning and finality meanwhile.
        let (pulled_tx, mut pulled_rx) = mpsc::channel::<(PeerId, Option<String>)>(1);
        let mut pulling = false;
        loop {
            tokio::select! {
                event = self.events.recv() => {
                    let Some(event) = event else { break };
                    match event {
                        P2pEvent::Gossip { topic, id, source, data, .. } => {
                            let verdict = match topic {
                                Topic::Transactions => self.on_tx_bundle(&data, &mut recent, &mut recent_order),
                                Topic::Checkpoints => self.on_checkpoint(&data).await,
                            };
                            if let Err(e) = self.p2p.report(id, source, verdict).await {
                                tracing::debug!(error = %e, "gossip verdict not delivered");
                            }
                        }
                        P2pEvent::SyncRequest { request, reply, .. } => {
                            reply.send(self.answer(request));
                        }
                        P2pEvent::PeerConnected(p) => {
                            if !peers.contains(&p) { peers.push(p); }
                        }
                        P2pEvent::PeerDisconnected(p) => peers.retain(|x| *x != p),
                        P2pEvent::ConnectionDenied(p) => tracing::info!(peer = %p, "connection refused by the gate"),
                        P2pEvent::Banned(p) => tracing::warn!(peer = %p, "peer banned for misbehaviour"),
                        P2pEvent::Listening(a) => tracing::info!(addr = %a, "p2p listening"),
                    }
                }
                entry = self.admitted.recv() => {
                    let Some(first) = entry else { break };
                    self.gossip_bundle(first).await;
                }
                changed = self.applied.changed() => {
                    if changed.is_err() { break; }
                    if let Err(e) = self.refresh_gate().await {
                        tracing::warn!(error = %e, "cannot refresh the connection gate");
                    }
                    self.sign_head().await;
                }
                _ = pull.tick() => {
                    if !peers.is_empty() && !pulling {
                        pull_turn = (pull_turn + 1) % peers.len();
                        pulling = true;
                        tokio::spawn(pull_status(self.p2p.clone(), peers[pull_turn], pulled_tx.clone()));
                    }
                }
                Some((peer, note)) = pulled_rx.recv() => {
                    pulling = false;
                    if let Some(text) = note {
                        self.on_pulled_note(peer, &text).await;
                    }
                }
            }
        }
        tracing::info!("network task stopped");
    }

    /// Allowed = every node in the validator set in force and every active
    /// observer, but us. A removed validator's connections close here.
    async fn refresh_gate(&mut self) -> anyhow::Result<()> {
        self.witnessing.refresh_registry()?;
        let allowed = allowed_peers(&self.store, self.me)?;
        if self.allowed.as_ref() != Some(&allowed) {
            self.p2p.set_allowed(allowed.clone()).await?;
            self.allowed = Some(allowed);
        }
        Ok(())
    }

    async fn sign_head(&mut self) {
        match self.witnessing.on_local_head() {
            Ok(notes) => self.publish_notes(notes).await,
            Err(e) => tracing::error!(error = %e, "checkpoint book"),
        }
    }

    async fn publish_notes(&self, notes: Vec<String>) {
        for note in notes {
            // Held by the swarm until a peer subscribes (right after start);
            // a duplicate is not gossiped again, and peers pull checkpoints anyway.
            if let Err(e) = self
                .p2p
                .publish_or_hold(Topic::Checkpoints, note.into_bytes())
                .await
            {
                tracing::debug!(error = %e, "checkpoint not gossiped");
            }
        }
    }

    async fn on_checkpoint(&mut self, data: &[u8]) -> Verdict {
        let Ok(text) = std::str::from_utf8(data) else {
            return Verdict::Reject;
        };
        match self.witnessing.on_note(text) {
            Ok((outcome, notes)) => {
                self.publish_notes(notes).await;
                match outcome {
                    NoteOutcome::New => Verdict::Accept,
                    NoteOutcome::Known => Verdict::Ignore,
                }
            }
            Err(e) => {
                tracing::info!(error = %e, "checkpoint gossip refused");
                Verdict::Reject
            }
        }
    }

    fn on_tx_bundle(
        &mut self,
        data: &[u8],
        recent: &mut HashSet<TxId>,
        order: &mut VecDeque<TxId>,
    ) -> Verdict {
        let Ok(bundle) = TxBundle::decode(data) else {
            return Verdict::Reject;
        };
        let mut fresh = 0usize;
        for entry in bundle.txs {
            let Ok(tx) = SignedTx::decode(&entry) else {
                return Verdict::Reject;
            };
            let id = tx.id();
            if !recent.insert(id) {
                continue;
            }
            order.push_back(id);
            while order.len() > MAX_RECENT {
                if let Some(old) = order.pop_front() {
                    recent.remove(&old);
                }
            }
            if matches!(self.store.tx_index(&id), Ok(Some(_))) {
                continue;
            }
            let size = self.store.head().size;
            let mut candidate = Candidate::new(tx);
            match validate::check(self.store.as_ref(), &candidate.tx, size, &[]) {
                Ok(accepted) => {
                    candidate.verified = accepted.signers;
                    candidate.proof_verified = accepted.proof_verified;
                }
                // State-dependent (a nonce used meanwhile, an org not yet
                // registered here): honest peers may differ, so no penalty.
                Err(e) => {
                    tracing::debug!(tx = %id, error = %e, "gossiped transaction not admitted");
                    continue;
                }
            }
            fresh += 1;
            if self.role == NodeRole::Validator {
                let mut pool = self.mempool.lock().unwrap_or_else(|e| e.into_inner());
                if pool.len() < self.mempool_capacity {
                    pool.push_back(candidate);
                }
            }
        }
        if fresh > 0 {
            Verdict::Accept
        } else {
            Verdict::Ignore
        }
    }

    async fn gossip_bundle(&mut self, first: Vec<u8>) {
        let mut txs = vec![first];
        let mut bytes = txs[0].len();
        let deadline = tokio::time::Instant::now() + BUNDLE_DELAY;
        while bytes < MAX_TX_BUNDLE_BYTES {
            match tokio::time::timeout_at(deadline, self.admitted.recv()).await {
                Ok(Some(e)) => {
                    if bytes + e.len() + 16 > MAX_TX_BUNDLE_BYTES {
                        self.publish_bundle(std::mem::take(&mut txs)).await;
                        bytes = 0;
                    }
                    bytes += e.len() + 4;
                    txs.push(e);
                }
                _ => break,
            }
        }
        if !txs.is_empty() {
            self.publish_bundle(txs).await;
        }
    }

    async fn publish_bundle(&self, txs: Vec<Vec<u8>>) {
        let n = txs.len();
        let data = match (TxBundle { txs }).encode() {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(error = %e, "encoding a transaction bundle");
                return;
            }
        };
        // Right after start no peer has subscribed yet: the swarm holds the
        // bundle and publishes it when one does (it used to be dropped, and
        // an observer's submissions with it).
        match self.p2p.publish_or_hold(Topic::Transactions, data).await {
            Ok(Some(_)) => {}
            Ok(None) => tracing::debug!(txs = n, "no peer subscribed yet, transactions held"),
            Err(e) => tracing::warn!(error = %e, txs = n, "transactions not gossiped"),
        }
    }

    async fn on_pulled_note(&mut self, peer: PeerId, text: &str) {
        match self.witnessing.on_note(text) {
            Ok((_, notes)) => self.publish_notes(notes).await,
            Err(e) => tracing::warn!(peer = %peer, error = %e, "peer's checkpoint refused"),
        }
    }

    /// Answers a range-sync request from the store.
    fn answer(&self, request: SyncRequest) -> SyncResponse {
        let result = (|| -> Result<SyncResponse, tanji_ledger::store::StoreError> {
            Ok(match request {
                SyncRequest::Entries { start, end } => {
                    let size = self.store.head().size;
                    let end = end.min(size);
                    if start >= end {
                        return Ok(SyncResponse::Entries(Vec::new()));
                    }
                    let mut out = Vec::new();
                    let mut bytes = 0usize;
                    for (_, e) in self.store.entries(start, end)? {
                        bytes += e.len() + 4;
                        if !out.is_empty() && bytes > MAX_SYNC_ANSWER_BYTES {
                            break;
                        }
                        out.push(e);
                    }
                    SyncResponse::Entries(out)
                }
                SyncRequest::Checkpoint { size } => SyncResponse::Checkpoint(match size {
                    Some(s) => self.store.checkpoint_at(s)?,
                    None => self.store.latest_checkpoint()?,
                }),
                SyncRequest::Consistency { from, to } => {
                    SyncResponse::Consistency(self.store.consistency_proof(from, to)?)
                }
                SyncRequest::Status => {
                    let head = self.store.head();
                    // Our newest signed note, final or not: a puller gets the
                    // cosignatures it may have missed in gossip.
                    let checkpoint = match self.witnessing.newest_note() {
                        Ok(note) => note,
                        Err(e) => return Ok(SyncResponse::Error(e.to_string())),
                    };
                    SyncResponse::Status {
                        size: head.size,
                        root: head.root,
                        checkpoint,
                    }
                }
            })
        })();
        result.unwrap_or_else(|e| SyncResponse::Error(e.to_string()))
    }
}

/// The PeerIds the gate admits: every node in the validator set in force
/// and every active observer, but `me`. The node gives this to its swarm
/// when it starts, so the gate knows the validator set before the first
/// peer dials in, and again after every applied height.
pub fn allowed_peers(store: &Store, me: PeerId) -> anyhow::Result<HashSet<PeerId>> {
    let validators = current_validators(store)?;
    let mut allowed = HashSet::new();
    for key in validators.iter().map(|v| v.key).chain(
        super::checkpoints::active_observers(store)?
            .iter()
            .map(|o| o.key),
    ) {
        let peer = peer_id_of(&key)?;
        if peer != me {
            allowed.insert(peer);
        }
    }
    Ok(allowed)
}

/// Asks `peer` for its status and hands its newest signed note to the
/// network task (`None` if it has none or did not answer in time).
async fn pull_status(p2p: P2pHandle, peer: PeerId, to: mpsc::Sender<(PeerId, Option<String>)>) {
    let note =
        match tokio::time::timeout(PULL_TIMEOUT, p2p.request(peer, SyncRequest::Status)).await {
            Ok(Ok(SyncResponse::Status { checkpoint, .. })) => checkpoint,
            Ok(Ok(_)) => None,
            Ok(Err(e)) => {
                tracing::debug!(peer = %peer, error = %e, "checkpoint pull failed");
                None
            }
            Err(_) => {
                tracing::debug!(peer = %peer, "checkpoint pull timed out");
                None
            }
        };
    let _ = to.send((peer, note)).await;
}
