//! The application loop that answers Malachite's `AppMsg`s (see the
//! [`engine`](super::engine) module documentation for the contract) and a
//! helper that starts a whole node in-process ([`start_node`]).
//!
//! State kept by [`BftApp`]:
//!
//! - undecided proposed values per `(height, round)`, answered at
//!   `StartedRound`; each is also written to disk ([`ProposalStore`]) before
//!   the engine hears of it, and reloaded at start, so a restarted proposer
//!   proposes the same value again and a restarted voter still has the batch;
//! - the batches of those values by height and id, so `Decided` and `RestreamProposal`
//!   find them;
//! - partial proposal streams per `(publisher, stream id)`.
//!
//! Decided batches and their extended commit certificates go to the ledger
//! store with [`Store::append_decided`], atomically with the ledger append;
//! value sync is served from those records.
//!
//! The misbehaviour evidence the engine hands over at `Finalized` (two
//! conflicting votes or proposals signed by one validator) is checked and
//! stored as alarms ([`super::evidence`], [`AppHooks::alarms`]).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use malachitebft_app_channel::app::consensus::ProposedValue;
use malachitebft_app_channel::app::engine::host::{HeightParams, Next, SyncedValueOutcome};
use malachitebft_app_channel::app::net::Multiaddr;
use malachitebft_app_channel::app::streaming::{StreamId, StreamMessage};
use malachitebft_app_channel::app::types::codec::Codec;
use malachitebft_app_channel::app::types::core::{
    CommitCertificate, ExtendedCommitCertificate, LinearTimeouts, Round, Validity, VoteExtensions,
};
use malachitebft_app_channel::app::types::sync::RawDecidedValue;
use malachitebft_app_channel::app::types::{LocallyProposedValue, PeerId};
use malachitebft_app_channel::{AppMsg, Channels, EngineHandle, NetworkMsg};
use tanji_ledger::crypto::SecretKey;
use tanji_ledger::state::current_validators;
use tanji_ledger::store::{Candidate, DecidedRecord, Store};
use tanji_ledger::tx::SignedTx;
use tokio::task::JoinHandle;

use super::batch::{assemble, stream_id, stream_messages, Batch, PartStream};
use super::byzantine::{self, ByzantineMode};
use super::codec::TanjiCodec;
use super::context::TanjiContext;
use super::engine::{self, EngineIdentity, EnginePaths, TanjiNodeConfig};
use super::proposals::{ProposalStore, StoredProposal};
use super::signing::{TanjiSigner, TanjiVerifier};
use super::types::{Address, BatchId, Height, ProposalPart, ValidatorSet};
use crate::replica::alarms::AlarmLog;
use crate::tracker::TxTracker;
use malachitebft_app_channel::app::consensus::MisbehaviorEvidence;
use tanji_api::Metrics;

/// Transactions admitted and waiting to be proposed, shared between the
/// admission side and the app loop.
pub type Mempool = Arc<Mutex<VecDeque<Candidate>>>;

/// Settings of the app loop.
#[derive(Clone, Debug)]
pub struct BftConfig {
    /// Consensus timeouts for every height.
    pub timeouts: LinearTimeouts,
    /// Most transactions in one proposed batch.
    pub max_batch_txs: usize,
    /// How long a proposer waits for transactions when the mempool is empty
    /// (capped at half of the engine's `GetValue` timeout).
    pub max_wait_for_txs: Duration,
    /// Most decided values returned for one value-sync request.
    pub max_sync_values: usize,
    /// Byte budget of one value-sync answer.
    pub max_sync_bytes: usize,
}

impl Default for BftConfig {
    fn default() -> Self {
        Self {
            timeouts: LinearTimeouts::default(),
            max_batch_txs: 1024,
            max_wait_for_txs: Duration::from_millis(500),
            max_sync_values: engine::SYNC_BATCH_SIZE,
            max_sync_bytes: 9 * 1024 * 1024,
        }
    }
}

impl BftConfig {
    /// Short timeouts for in-process tests on 127.0.0.1.
    pub fn for_tests() -> Self {
        let propose = Duration::from_millis(1000);
        let vote = Duration::from_millis(500);
        Self {
            timeouts: LinearTimeouts {
                propose,
                propose_delta: Duration::from_millis(250),
                prevote: vote,
                prevote_delta: Duration::from_millis(250),
                precommit: vote,
                precommit_delta: Duration::from_millis(250),
                rebroadcast: propose + vote + vote,
                max_timeout: Duration::from_secs(10),
            },
            max_wait_for_txs: Duration::from_millis(100),
            ..Self::default()
        }
    }
}

/// Where the app reports what it applied: the tracker and metrics of the
/// node, and a watch of the last applied height (the checkpoint cosigner
/// follows it).
#[derive(Clone)]
pub struct AppHooks {
    /// In-flight transactions of this node.
    pub tracker: Arc<TxTracker>,
    /// The node's metrics.
    pub metrics: Arc<Metrics>,
    /// Last applied height.
    pub applied: tokio::sync::watch::Sender<u64>,
    /// Where equivocations the engine reports are kept; without it they
    /// are only logged.
    pub alarms: Option<Arc<AlarmLog>>,
}

impl AppHooks {
    /// Fresh hooks and the receiver of applied heights.
    pub fn new(
        tracker: Arc<TxTracker>,
        metrics: Arc<Metrics>,
    ) -> (Self, tokio::sync::watch::Receiver<u64>) {
        let (applied, rx) = tokio::sync::watch::channel(0);
        (
            Self {
                tracker,
                metrics,
                applied,
                alarms: None,
            },
            rx,
        )
    }
}

/// Most complete proposal streams kept for a height this node has not
/// reached yet (see [`BftApp::early`]).
const MAX_EARLY_PROPOSALS: usize = 32;

/// One proposal we know the batch of.
struct Undecided {
    value: ProposedValue<TanjiContext>,
}

/// The Malachite application: answers every `AppMsg` of the engine.
pub struct BftApp {
    store: Arc<Store>,
    network: String,
    validators: ValidatorSet,
    /// Names of every validator seen in a set in force since start, for alarms.
    names: HashMap<Address, String>,
    signer: Option<TanjiSigner>,
    mempool: Mempool,
    config: BftConfig,
    /// The height consensus is at (set by `ConsensusReady` / `Finalized`).
    height: Height,
    /// Proposed values per `(height, round)`, for `StartedRound`.
    undecided: HashMap<(Height, Round), Vec<Undecided>>,
    /// Batches of known proposals (own, received, synced), by height and id.
    /// The height is part of the key because one batch can be decided at
    /// several heights (every empty batch has the same id): keyed by id
    /// alone, a batch learnt for a lower height after the same batch for a
    /// higher one (value sync answers out of order, a late proposal) replaced
    /// it, was pruned when that lower height was finalised, and the higher
    /// height's `Decided` then found no batch and stopped the app loop.
    batches: HashMap<(Height, BatchId), Batch>,
    /// The value this node proposed at `(height, round)`, so a repeated
    /// `GetValue` gets the same answer.
    own: HashMap<(Height, Round), BatchId>,
    /// Partial proposal streams.
    streams: HashMap<(PeerId, StreamId), (Height, PartStream)>,
    /// Distinguishes re-streams of one round.
    stream_nonce: u64,
    /// Undecided proposals on disk.
    proposals: ProposalStore,
    /// Complete proposal streams for a later height, kept as parts: who may
    /// propose there depends on the validator set in force at that height,
    /// which a set change decided in an earlier height can still change, so
    /// they are judged when this node reaches their height.
    early: VecDeque<(PeerId, Height, Vec<ProposalPart>)>,
    hooks: AppHooks,
}

impl BftApp {
    /// An app over `store` (already holding the genesis). `signer` is `None`
    /// for an observer. Undecided proposals are kept in `proposals_dir`.
    pub fn new(
        store: Arc<Store>,
        signer: Option<TanjiSigner>,
        mempool: Mempool,
        config: BftConfig,
        proposals_dir: &Path,
        hooks: AppHooks,
    ) -> anyhow::Result<Self> {
        let info = store
            .network()?
            .ok_or_else(|| anyhow::anyhow!("the store has no genesis"))?;
        let nodes = current_validators(store.as_ref())?;
        let validators = ValidatorSet::from_nodes(&nodes)?;
        let names = nodes
            .iter()
            .map(|v| (Address::from(v.key), v.name.clone()))
            .collect();
        let proposals = ProposalStore::open(proposals_dir)?;
        let mut app = Self {
            store,
            network: info.network,
            validators,
            names,
            signer,
            mempool,
            config,
            height: Height(1),
            undecided: HashMap::new(),
            batches: HashMap::new(),
            own: HashMap::new(),
            streams: HashMap::new(),
            stream_nonce: 0,
            proposals,
            early: VecDeque::new(),
            hooks,
        };
        app.reload_proposals()?;
        Ok(app)
    }

    /// Brings back the undecided proposals of the heights still to decide.
    fn reload_proposals(&mut self) -> anyhow::Result<()> {
        let next = self.next_height()?;
        self.proposals.prune_below(next.0);
        for (p, batch) in self.proposals.load_from(next.0)? {
            let height = Height(p.height);
            let round = Round::from(p.round);
            let id = batch.id();
            if p.own {
                self.own.insert((height, round), id);
            }
            let value = ProposedValue {
                height,
                round,
                valid_round: Round::from(p.valid_round),
                proposer: Address(p.proposer),
                value: id,
                validity: if p.valid {
                    Validity::Valid
                } else {
                    Validity::Invalid
                },
            };
            let slot = self.undecided.entry((height, round)).or_default();
            if !slot.iter().any(|u| u.value == value) {
                slot.push(Undecided { value });
            }
            self.batches.insert((height, id), batch);
        }
        if !self.batches.is_empty() {
            tracing::info!(
                proposals = self.batches.len(),
                "reloaded undecided proposals"
            );
        }
        Ok(())
    }

    fn persist(&self, value: &ProposedValue<TanjiContext>, own: bool, batch: &Batch) {
        let stored = StoredProposal {
            height: value.height.0,
            round: value.round.as_i64(),
            valid_round: value.valid_round.as_i64(),
            proposer: value.proposer.0,
            own,
            valid: value.validity == Validity::Valid,
            batch: batch.encode(),
        };
        if let Err(e) = self.proposals.save(&stored, &value.value.to_string()) {
            // Not fatal: peers restream proposals; but a restart could then
            // propose a different value for this round, so say it loudly.
            tracing::error!(error = %e, height = %value.height, "cannot persist a proposal");
        }
    }

    fn params(&self) -> HeightParams<TanjiContext> {
        HeightParams::new(self.validators.clone(), self.config.timeouts, None)
    }

    /// Re-reads the validator set in force for the next height: the newest
    /// epoch in the ledger, which every honest node has applied identically
    /// once the previous height is decided.
    fn refresh_validators(&mut self) -> anyhow::Result<()> {
        let nodes = current_validators(self.store.as_ref())?;
        let set = ValidatorSet::from_nodes(&nodes)?;
        for v in &nodes {
            self.names.insert(Address::from(v.key), v.name.clone());
        }
        if set != self.validators {
            let names: Vec<&str> = nodes.iter().map(|v| v.name.as_str()).collect();
            tracing::info!(height = %self.height, validators = ?names, "validator set changed");
            let me = self.signer.as_ref().map(|s| Address::from(s.public_key()));
            if let Some(me) = me {
                let member = |set: &ValidatorSet| set.get(&me).is_some();
                match (member(&self.validators), member(&set)) {
                    (false, true) => tracing::info!("this node is now a voting validator"),
                    (true, false) => tracing::warn!(
                        "this node was removed from the validator set; it follows without voting"
                    ),
                    _ => {}
                }
            }
            self.validators = set;
        }
        Ok(())
    }

    fn next_height(&self) -> anyhow::Result<Height> {
        Ok(Height(self.store.last_decided()?.map_or(1, |h| h + 1)))
    }

    /// Runs until the engine closes its channel or a fatal error occurs.
    pub async fn run(mut self, mut channels: Channels<TanjiContext>) -> anyhow::Result<()> {
        while let Some(msg) = channels.consensus.recv().await {
            self.handle(msg, &channels).await?;
        }
        Ok(())
    }

    async fn handle(
        &mut self,
        msg: AppMsg<TanjiContext>,
        channels: &Channels<TanjiContext>,
    ) -> anyhow::Result<()> {
        match msg {
            AppMsg::ConsensusReady { reply } => {
                self.height = self.next_height()?;
                self.refresh_validators()?;
                tracing::info!(height = %self.height, "consensus ready");
                let _ = reply.send((self.height, self.params()));
            }
            AppMsg::StartedRound {
                height,
                round,
                proposer,
                role,
                reply_value,
            } => {
                tracing::debug!(%height, %round, %proposer, ?role, "started round");
                self.height = height;
                let values = self
                    .undecided
                    .get(&(height, round))
                    .map(|v| v.iter().map(|u| u.value.clone()).collect())
                    .unwrap_or_default();
                let _ = reply_value.send(values);
            }
            AppMsg::GetValue {
                height,
                round,
                timeout,
                reply,
            } => {
                let id = match self.own.get(&(height, round)) {
                    Some(id) => *id,
                    None => {
                        let batch = self.reap(timeout).await;
                        let id = batch.id();
                        let value = ProposedValue {
                            height,
                            round,
                            valid_round: Round::Nil,
                            proposer: self
                                .signer
                                .as_ref()
                                .map(|s| Address::from(s.public_key()))
                                .unwrap_or(Address([0; 32])),
                            value: id,
                            validity: Validity::Valid,
                        };
                        self.persist(&value, true, &batch);
                        self.own.insert((height, round), id);
                        self.batches.insert((height, id), batch);
                        id
                    }
                };
                let _ = reply.send(LocallyProposedValue::new(height, round, id));
                if let Some(batch) = self.batches.get(&(height, id)) {
                    if let Some(signer) = &self.signer {
                        let parts = signer.proposal_parts(batch, height, round, Round::Nil);
                        self.publish(channels, height, round, parts).await?;
                    }
                }
            }
            AppMsg::ExtendVote { reply, .. } => {
                let _ = reply.send(None);
            }
            AppMsg::VerifyVoteExtensions {
                extensions, reply, ..
            } => {
                let _ = reply.send(extensions.into_iter().map(|(a, _)| (a, Ok(()))).collect());
            }
            AppMsg::RestreamProposal {
                height,
                round,
                valid_round,
                value_id,
                ..
            } => {
                let Some(signer) = &self.signer else {
                    return Ok(());
                };
                let me = Address::from(signer.public_key());
                if self.validators.proposer(height, round).address != me {
                    tracing::debug!(%height, %round, "restream requested but not the proposer");
                    return Ok(());
                }
                match self.batches.get(&(height, value_id)) {
                    Some(batch) => {
                        let parts = signer.proposal_parts(batch, height, round, valid_round);
                        self.publish(channels, height, round, parts).await?;
                    }
                    None => {
                        tracing::warn!(%height, %round, %value_id, "restream of an unknown value")
                    }
                }
            }
            AppMsg::GetHistoryMinHeight { reply } => {
                let _ = reply.send(Height(1));
            }
            AppMsg::ReceivedProposalPart {
                from,
                published_by,
                part,
                reply,
            } => {
                let value = self.received_part(published_by.unwrap_or(from), part);
                let _ = reply.send(value);
            }
            AppMsg::Decided {
                certificate,
                extensions,
                reply,
            } => {
                self.decided(certificate, extensions).await?;
                let _ = reply.send(());
            }
            AppMsg::Finalized {
                certificate,
                evidence,
                reply,
                ..
            } => {
                self.keep_evidence(&evidence);
                let next = Height(certificate.height.0 + 1);
                self.height = next;
                self.prune(next);
                self.proposals.prune_below(next.0);
                self.refresh_validators()?;
                self.judge_early(next);
                let _ = reply.send(Next::Start(next, self.params()));
            }
            AppMsg::GetDecidedValues { range, reply } => {
                let values = self.decided_values(*range.start(), *range.end())?;
                let _ = reply.send(values);
            }
            AppMsg::ProcessSyncedValue {
                height,
                round,
                proposer,
                value_bytes,
                reply,
            } => {
                let outcome = match Batch::decode(&value_bytes) {
                    Ok(batch) => {
                        let id = batch.id();
                        let validity = validity(&batch);
                        self.batches.insert((height, id), batch);
                        SyncedValueOutcome::Verdict(ProposedValue {
                            height,
                            round,
                            valid_round: Round::Nil,
                            proposer,
                            value: id,
                            validity,
                        })
                    }
                    Err(e) => {
                        tracing::warn!(%height, error = %e, "undecodable synced value");
                        SyncedValueOutcome::PeerFault
                    }
                };
                let _ = reply.send(outcome);
            }
        }
        Ok(())
    }

    /// Takes up to `max_batch_txs` admitted transactions not yet in the log,
    /// waiting briefly if there are none. They stay in the mempool until a
    /// batch holding them is decided.
    async fn reap(&self, timeout: Duration) -> Batch {
        let wait = self.config.max_wait_for_txs.min(timeout / 2);
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let txs = self.peek_mempool();
            if !txs.is_empty() || tokio::time::Instant::now() >= deadline {
                return match Batch::new(txs) {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::warn!(error = %e, "mempool batch refused; proposing an empty one");
                        Batch::default()
                    }
                };
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn peek_mempool(&self) -> Vec<Vec<u8>> {
        let mut pool = self.mempool.lock().unwrap_or_else(|e| e.into_inner());
        // Drop what is already in the log (decided while we were not proposer).
        pool.retain(|c| !matches!(self.store.tx_index(&c.id), Ok(Some(_))));
        pool.iter()
            .take(self.config.max_batch_txs)
            .map(|c| c.entry.clone())
            .collect()
    }

    async fn publish(
        &mut self,
        channels: &Channels<TanjiContext>,
        height: Height,
        round: Round,
        parts: Vec<ProposalPart>,
    ) -> anyhow::Result<()> {
        self.stream_nonce += 1;
        let sid = stream_id(height, round, self.stream_nonce);
        for msg in stream_messages(sid, parts) {
            channels
                .network
                .send(NetworkMsg::PublishProposalPart(msg))
                .await
                .map_err(|_| anyhow::anyhow!("the engine's network channel is closed"))?;
        }
        Ok(())
    }

    fn received_part(
        &mut self,
        publisher: PeerId,
        msg: StreamMessage<ProposalPart>,
    ) -> Option<ProposedValue<TanjiContext>> {
        let key = (publisher, msg.stream_id.clone());
        let height = match &msg.content {
            malachitebft_app_channel::app::streaming::StreamContent::Data(ProposalPart::Init {
                height,
                ..
            }) => Some(*height),
            _ => None,
        };
        let entry = self
            .streams
            .entry(key.clone())
            .or_insert_with(|| (self.height, PartStream::new()));
        if let Some(h) = height {
            entry.0 = h;
        }
        let stream_height = entry.0;
        let parts = match entry.1.insert(msg) {
            Ok(Some(parts)) => {
                self.streams.remove(&key);
                parts
            }
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(%publisher, error = %e, "bad proposal stream");
                self.streams.remove(&key);
                return None;
            }
        };
        if stream_height > self.height {
            if self.early.len() >= MAX_EARLY_PROPOSALS {
                self.early.pop_front();
            }
            self.early.push_back((publisher, stream_height, parts));
            return None;
        }
        self.received_proposal(publisher, &parts)
    }

    /// Takes the proposals kept for `height` (now reached) and drops older ones.
    fn judge_early(&mut self, height: Height) {
        let early = std::mem::take(&mut self.early);
        for (publisher, h, parts) in early {
            if h == height {
                // Handed over at that height's StartedRound, which follows.
                let _ = self.received_proposal(publisher, &parts);
            } else if h > height {
                self.early.push_back((publisher, h, parts));
            }
        }
    }

    /// Checks a complete proposal stream against the validator set in force
    /// and keeps its value; returns it if it is for the current height.
    fn received_proposal(
        &mut self,
        publisher: PeerId,
        parts: &[ProposalPart],
    ) -> Option<ProposedValue<TanjiContext>> {
        let proposal = match assemble(&self.network, parts, &self.validators) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(%publisher, error = %e, "proposal refused");
                return None;
            }
        };
        if proposal.height < self.height {
            return None;
        }
        let value = ProposedValue {
            height: proposal.height,
            round: proposal.round,
            valid_round: proposal.pol_round,
            proposer: proposal.proposer,
            value: proposal.id,
            validity: validity(&proposal.batch),
        };
        self.persist(&value, false, &proposal.batch);
        self.batches
            .insert((proposal.height, proposal.id), proposal.batch);
        let slot = self
            .undecided
            .entry((proposal.height, proposal.round))
            .or_default();
        if !slot.iter().any(|u| u.value == value) {
            slot.push(Undecided {
                value: value.clone(),
            });
        }
        if proposal.height > self.height {
            // Handed over at that height's StartedRound.
            return None;
        }
        Some(value)
    }

    async fn decided(
        &mut self,
        certificate: CommitCertificate<TanjiContext>,
        extensions: VoteExtensions<TanjiContext>,
    ) -> anyhow::Result<()> {
        let height = certificate.height;
        let value_id = certificate.value_id;
        if let Some(existing) = self.store.decided(height.0)? {
            anyhow::ensure!(
                existing.value_id == value_id.0,
                "height {height} already decided with another value"
            );
            return Ok(());
        }
        let Some(batch) = self.batches.get(&(height, value_id)) else {
            anyhow::bail!("decided value {value_id} at height {height} is unknown");
        };
        let ext = ExtendedCommitCertificate::from_commit_certificate_and_extensions(
            certificate,
            extensions,
        );
        let cert_bytes = TanjiCodec.encode(&ext)?.to_vec();
        // Signatures and proofs this node already verified strictly when it
        // admitted the transaction (locally or from gossip) are not verified
        // again; the ledger still re-checks that the signer's key is
        // unchanged and every state-dependent rule.
        let verified: HashMap<_, _> = self
            .mempool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|c| (c.id, (c.verified.clone(), c.proof_verified)))
            .collect();
        let candidates: Vec<Candidate> = batch
            .txs()
            .iter()
            .filter_map(|b| SignedTx::decode(b).ok())
            .map(|tx| {
                let mut c = Candidate::new(tx);
                if let Some((signatures, proof)) = verified.get(&c.id) {
                    c.verified = signatures.clone();
                    c.proof_verified = *proof;
                }
                c
            })
            .collect();
        let record = DecidedRecord {
            height: height.0,
            value_id: value_id.0,
            certificate: cert_bytes,
            batch: batch.encode(),
            first_index: 0,
            size_after: 0,
        };
        let ids: HashSet<_> = candidates.iter().map(|c| c.id).collect();
        let store = self.store.clone();
        let outcome =
            tokio::task::spawn_blocking(move || store.append_decided(&record, &candidates, None))
                .await??;
        let mut appended = 0u64;
        for (id, result) in outcome.results {
            match result {
                Ok(_) => {
                    appended += 1;
                    if let Some(at) = self.hooks.tracker.committed(&id) {
                        self.hooks
                            .metrics
                            .commit_latency
                            .observe(at.elapsed().as_secs_f64());
                    }
                }
                Err(e) => {
                    tracing::info!(tx = %id, error = %e, "refused when applied");
                    self.hooks.metrics.rejected_at_ordering.inc();
                    self.hooks.tracker.rejected(id, e);
                }
            }
        }
        let m = &self.hooks.metrics;
        m.committed.inc_by(appended);
        m.batches.inc();
        m.batch_size.observe(appended as f64);
        m.log_size.set(outcome.head.size as i64);
        m.consensus_height.set(height.0 as i64);
        tracing::debug!(%height, txs = ids.len(), appended, size = outcome.head.size, "decided");
        self.mempool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|c| !ids.contains(&c.id));
        m.queue_depth.set(self.hooks.tracker.queued() as i64);
        self.hooks.applied.send_replace(height.0);
        Ok(())
    }

    /// Checks the engine's misbehaviour evidence of a finalised height and
    /// keeps each equivocation as an alarm (see [`super::evidence`]).
    fn keep_evidence(&self, evidence: &MisbehaviorEvidence<TanjiContext>) {
        if evidence.is_empty() {
            return;
        }
        let found =
            super::evidence::equivocations(&self.network, evidence, |a| self.names.get(a).cloned());
        for e in found {
            match &self.hooks.alarms {
                Some(alarms) => {
                    alarms.raise_consensus(e.kind, e.detail, e.notes, e.evidence);
                }
                None => tracing::error!(kind = e.kind, detail = %e.detail, "equivocation"),
            }
        }
    }

    fn prune(&mut self, next: Height) {
        self.undecided.retain(|(h, _), _| *h >= next);
        self.batches.retain(|(h, _), _| *h >= next);
        self.own.retain(|(h, _), _| *h >= next);
        self.streams.retain(|_, (h, _)| *h >= next);
    }

    fn decided_values(
        &self,
        start: Height,
        end: Height,
    ) -> anyhow::Result<Vec<RawDecidedValue<TanjiContext>>> {
        let Some(last) = self.store.last_decided()? else {
            return Ok(Vec::new());
        };
        let start = start.0.max(1);
        let end = end.0.min(last);
        let mut out = Vec::new();
        let mut bytes = 0usize;
        for h in start..=end {
            if out.len() >= self.config.max_sync_values {
                break;
            }
            let Some(record) = self.store.decided(h)? else {
                break;
            };
            bytes += record.batch.len() + record.certificate.len();
            if !out.is_empty() && bytes > self.config.max_sync_bytes {
                break;
            }
            let certificate = TanjiCodec.decode(record.certificate.into())?;
            out.push(RawDecidedValue::new(record.batch.into(), certificate));
        }
        Ok(out)
    }
}

/// Whether every entry of a batch is a well-formed transaction and no entry
/// repeats. State-dependent checks happen when the decided batch is applied.
fn validity(batch: &Batch) -> Validity {
    let mut seen = HashSet::new();
    for entry in batch.txs() {
        match SignedTx::decode(entry) {
            Ok(tx) if seen.insert(tx.id()) => {}
            _ => return Validity::Invalid,
        }
    }
    Validity::Valid
}

/// A node started in-process: the engine and the app loop.
pub struct BftNode {
    /// Malachite's engine.
    pub engine: EngineHandle,
    /// The app loop.
    pub app: JoinHandle<anyhow::Result<()>>,
    /// Where admitted transactions go.
    pub mempool: Mempool,
}

impl BftNode {
    /// Stops the engine and the app loop.
    pub async fn stop(self) {
        self.engine.actor.stop(None);
        let _ = self.engine.handle.await;
        self.app.abort();
        let _ = self.app.await;
    }
}

/// How to start a node in-process with [`start_node`].
pub struct NodeStart<'a> {
    /// The ledger (holding the genesis).
    pub store: Arc<Store>,
    /// The node key (consensus address, libp2p identity).
    pub node_key: &'a SecretKey,
    /// Name in logs.
    pub moniker: &'a str,
    /// Malachite's listen address.
    pub listen_addr: Multiaddr,
    /// `<addr>/p2p/<peer id>` of every other node.
    pub persistent_peers: Vec<Multiaddr>,
    /// WAL and proposals go under `data_dir/consensus/`.
    pub data_dir: &'a Path,
    /// Timeouts and batch sizes.
    pub config: BftConfig,
    /// Validator (proposes and votes) or observer (follows and verifies).
    pub validator: bool,
    /// Admitted transactions waiting to be proposed.
    pub mempool: Mempool,
    /// Tracker, metrics, applied-height watch and alarms.
    pub hooks: AppHooks,
    /// Honest, unless a test asks for a Byzantine validator (see [`byzantine`]).
    pub byzantine: ByzantineMode,
}

/// Starts a node: Malachite (as a validator, or as a full node that never
/// signs) and the app loop, spawned on the runtime.
pub async fn start_node(s: NodeStart<'_>) -> anyhow::Result<BftNode> {
    let info = s
        .store
        .network()?
        .ok_or_else(|| anyhow::anyhow!("the store has no genesis"))?;
    let network = info.network.clone();
    let signer = TanjiSigner::new(network.as_str(), s.node_key.clone());
    let (identity, engine_signer) = if s.validator {
        (
            EngineIdentity::validator(s.moniker, s.node_key, &signer).await?,
            Some(signer.clone()),
        )
    } else {
        (EngineIdentity::full_node(s.moniker, s.node_key)?, None)
    };
    let cfg = TanjiNodeConfig::new(s.moniker, &network, s.listen_addr, s.persistent_peers);
    let paths = EnginePaths::in_dir(s.data_dir);
    let proposals_dir = s.data_dir.join("consensus").join("proposals");
    let app = BftApp::new(
        s.store,
        engine_signer.clone(),
        s.mempool.clone(),
        s.config,
        &proposals_dir,
        s.hooks,
    )?;
    let verifier = TanjiVerifier::new(network.as_str());
    let (channels, engine) = match (engine_signer, s.byzantine.equivocate_votes) {
        (Some(signer), true) => {
            byzantine::start_equivocating(TanjiContext, cfg, &paths, identity, signer, verifier)
                .await?
        }
        (signer, _) => {
            if !s.byzantine.is_honest() {
                tracing::warn!("Byzantine test mode ignored: this node does not vote");
            }
            engine::start(TanjiContext, cfg, &paths, identity, signer, verifier).await?
        }
    };
    let app = tokio::spawn(async move {
        let r = app.run(channels).await;
        if let Err(e) = &r {
            tracing::error!(error = %e, "bft app loop stopped");
        }
        r
    });
    Ok(BftNode {
        engine,
        app,
        mempool: s.mempool,
    })
}

/// Starts a validator with fresh hooks (tests and tools).
pub async fn start_validator(
    store: Arc<Store>,
    node_key: &SecretKey,
    moniker: &str,
    listen_addr: Multiaddr,
    persistent_peers: Vec<Multiaddr>,
    data_dir: &Path,
    config: BftConfig,
) -> anyhow::Result<BftNode> {
    let (hooks, _) = AppHooks::new(Arc::default(), Arc::new(Metrics::new()));
    start_node(NodeStart {
        store,
        node_key,
        moniker,
        listen_addr,
        persistent_peers,
        data_dir,
        config,
        validator: true,
        mempool: Arc::default(),
        hooks,
        byzantine: ByzantineMode::default(),
    })
    .await
}
