//! Checkpoint cosigning, finality and witnessing.
//!
//! After each decided batch every validator signs the checkpoint of its new
//! log head (a C2SP signed note: origin, size, root) and gossips that
//! one-line note on `tanji/{network}/checkpoint/1`. Every node collects the
//! signature lines it receives, per size. A checkpoint is **final** when
//! `2f+1` of the `3f+1` validators (the ledger's governance quorum
//! `floor(2n/3)+1`) have signed the same root the node computed itself for
//! that size; the node then stores one note carrying every signature line
//! (validators' and witnesses'), which is what `GET /v1/checkpoint` serves.
//!
//! Observers do not vote. When a checkpoint becomes final for them, they
//! check a consistency proof from the last checkpoint they accepted to the
//! new one and add their own signature as a **witness**, gossiped like the
//! validators'; clients that trust an observer can require its line.
//!
//! # Invariants
//!
//! - A signature line counts only if its key name and key id are those of a
//!   node registered on the ledger (a validator of any epoch, a
//!   governance-registered observer) and it verifies (strict ed25519).
//! - A checkpoint of size `n` is final only with a quorum of the validator
//!   set in force at `n` ([`ValidatorEpoch`]): the set that decided the batch
//!   ending at `n`. A validator signs its head only while it is in that set.
//! - A note whose signed root differs from the root this node computed for
//!   that size is never stored; it raises a `fork` alarm carrying both notes.
//! - A key that signs two roots for one size raises an `equivocation` alarm
//!   carrying both notes; neither counts twice.
//! - Memory is bounded: at most [`MAX_PENDING_SIZES`] sizes are collected at
//!   once and equivocation memory keeps [`EQUIVOCATION_WINDOW`] sizes.

use std::collections::BTreeMap;
use std::sync::Arc;

use tanji_api::Metrics;
use tanji_ledger::checkpoint::{Checkpoint, NoteSigner, NoteVerifier, SignedNote};
use tanji_ledger::crypto::Signature;
use tanji_ledger::merkle::{verify_consistency, Blake3Hasher};
use tanji_ledger::state::{epoch_for_size, governance_quorum, StateView as _, ValidatorEpoch};
use tanji_ledger::store::Store;
use tanji_ledger::tx::ValidatorNode;
use tanji_ledger::Hash;

use super::alarms::AlarmLog;
use super::config::NodeRole;

/// Most sizes with signatures collected but not final yet.
pub const MAX_PENDING_SIZES: usize = 1024;
/// Sizes behind the last final one for which signers' roots are remembered.
pub const EQUIVOCATION_WINDOW: u64 = 100_000;

/// Why a gossiped note was refused (the sender is penalised).
#[derive(Debug, thiserror::Error)]
pub enum NoteRejected {
    /// Not a signed checkpoint note.
    #[error("malformed checkpoint note: {0}")]
    Malformed(String),
    /// For another network.
    #[error("checkpoint of network {0:?}")]
    OtherNetwork(String),
    /// A registered key's line does not verify.
    #[error("bad signature by {0}")]
    BadSignature(String),
    /// No line by a registered node.
    #[error("no signature by a registered node")]
    Unsigned,
}

/// What became of an accepted note.
#[derive(Debug, PartialEq, Eq)]
pub enum NoteOutcome {
    /// It brought signatures we did not have: forward it.
    New,
    /// Nothing new (or it contradicts our log and raised an alarm): do not forward.
    Known,
}

#[derive(Default)]
struct Collected {
    text: String,
    /// By key name: (key id, signature, is a validator).
    lines: BTreeMap<String, ([u8; 4], Signature, bool)>,
}

/// The keys whose signatures make a checkpoint final, one per validator
/// node (its name and key, as in its note signature lines), and how many of
/// them must sign: the governance quorum `floor(2n/3)+1`.
pub fn checkpoint_quorum(validators: &[ValidatorNode]) -> (Vec<NoteVerifier>, usize) {
    let verifiers: Vec<NoteVerifier> = validators
        .iter()
        .map(|v| NoteVerifier {
            name: v.name.clone(),
            key: v.key,
        })
        .collect();
    let quorum = governance_quorum(verifiers.len());
    (verifiers, quorum)
}

/// [`checkpoint_quorum`] of the validator set that signs checkpoints of
/// `size` (see [`ValidatorEpoch`]); no keys before the genesis.
pub fn checkpoint_quorum_at(epochs: &[ValidatorEpoch], size: u64) -> (Vec<NoteVerifier>, usize) {
    checkpoint_quorum(epoch_for_size(epochs, size).map_or(&[], |e| &e.validators))
}

/// The registered observers whose operator is still an active organisation:
/// revoking an organisation silences its observers at once, before governance
/// removes them from the list.
pub fn active_observers(
    view: &dyn tanji_ledger::state::StateView,
) -> Result<Vec<tanji_ledger::tx::ObserverNode>, tanji_ledger::state::StateError> {
    let mut out = Vec::new();
    for o in view.observers()? {
        if matches!(view.org(&o.operator)?, Some(s) if s.status == tanji_ledger::state::OrgStatus::Active)
        {
            out.push(o);
        }
    }
    Ok(out)
}

impl Collected {
    /// The note with every collected line: validators first, then witnesses,
    /// each by name, so every node stores the same note for the same lines.
    fn note(&self) -> SignedNote {
        let mut lines: Vec<_> = self.lines.iter().collect();
        lines.sort_by_key(|(name, (_, _, v))| (!*v, (*name).clone()));
        SignedNote {
            text: self.text.clone(),
            signatures: lines
                .into_iter()
                .map(|(n, (id, sig, _))| (n.clone(), *id, *sig))
                .collect(),
        }
    }
}

/// The checkpoint book of one node.
pub struct Witnessing {
    network: String,
    store: Arc<Store>,
    signer: NoteSigner,
    role: NodeRole,
    /// The validator set history, re-read with the registry.
    epochs: Vec<ValidatorEpoch>,
    /// Every node that was ever a validator (its lines are kept until the
    /// set in force at their size is known).
    validators: Vec<NoteVerifier>,
    observers: Vec<NoteVerifier>,
    /// Signature lines per (size, root); several roots for one size only while we cannot judge.
    collected: BTreeMap<(u64, Hash), Collected>,
    /// (size, key name) → the one-signature note by which that key signed a root.
    seen: BTreeMap<(u64, String), SignedNote>,
    last_signed: u64,
    /// Log size when the registry was last read.
    registry_at: u64,
    final_size: u64,
    final_root: Option<Hash>,
    alarms: Arc<AlarmLog>,
    metrics: Arc<Metrics>,
}

impl Witnessing {
    /// A book for the node signing with `signer`, starting from the newest
    /// stored (final) checkpoint.
    pub fn new(
        store: Arc<Store>,
        signer: NoteSigner,
        role: NodeRole,
        alarms: Arc<AlarmLog>,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Self> {
        let info = store
            .network()?
            .ok_or_else(|| anyhow::anyhow!("the store has no genesis"))?;
        let (final_size, final_root) = match store.latest_checkpoint()? {
            Some(text) => {
                let note = SignedNote::parse(&text)?;
                let cp = note.checkpoint()?;
                (cp.size, Some(cp.root))
            }
            None => (0, None),
        };
        metrics.final_checkpoint_size.set(final_size as i64);
        let mut book = Self {
            network: info.network,
            store,
            signer,
            role,
            epochs: Vec::new(),
            validators: Vec::new(),
            observers: Vec::new(),
            collected: BTreeMap::new(),
            seen: BTreeMap::new(),
            last_signed: 0,
            registry_at: 0,
            final_size,
            final_root,
            alarms,
            metrics,
        };
        book.refresh_registry()?;
        Ok(book)
    }

    /// Re-reads the validator set history and the registered observers
    /// (governance may have changed them).
    pub fn refresh_registry(&mut self) -> anyhow::Result<()> {
        self.registry_at = self.store.head().size;
        self.epochs = self.store.validator_epochs()?;
        let mut validators: Vec<NoteVerifier> = Vec::new();
        for v in self.epochs.iter().flat_map(|e| &e.validators) {
            if !validators.iter().any(|k| k.name == v.name) {
                validators.push(NoteVerifier {
                    name: v.name.clone(),
                    key: v.key,
                });
            }
        }
        self.validators = validators;
        self.observers = active_observers(self.store.as_ref())?
            .into_iter()
            .map(|o| NoteVerifier {
                name: o.name,
                key: o.key,
            })
            .collect();
        Ok(())
    }

    /// Size of the newest final checkpoint.
    pub fn final_size(&self) -> u64 {
        self.final_size
    }

    /// The newest signed note this node can show a peer that pulls its
    /// status: the lines collected for its log head while that head is not
    /// final yet (for a validator, its own signature among them), else the
    /// newest final checkpoint.
    ///
    /// Cosignatures are gossiped once, when a head is signed; one published
    /// before any peer had subscribed (just after a start) or otherwise lost
    /// would leave an idle log's head unfinalised for good, since only final
    /// checkpoints were pulled. Serving the unfinished note too makes the
    /// periodic pull carry the missing lines.
    pub fn newest_note(&self) -> anyhow::Result<Option<String>> {
        let head = self.store.head();
        if head.size > self.final_size {
            if let Some(c) = self.collected.get(&(head.size, head.root)) {
                return Ok(Some(c.note().to_string()));
            }
        }
        Ok(self.store.latest_checkpoint()?)
    }

    fn text_for(&self, size: u64, root: Hash) -> String {
        Checkpoint {
            origin: &self.network,
            size,
            root,
        }
        .text()
    }

    /// Sizes whose checkpoints link validator set changes: the end of each
    /// batch that changed the set.
    fn link_sizes(&self) -> Vec<u64> {
        self.epochs
            .iter()
            .skip(1)
            .map(|e| e.first_size - 1)
            .collect()
    }

    /// Whether this node is in the validator set that signs checkpoints of `size`.
    fn signs_at(&self, size: u64) -> bool {
        let (set, _) = checkpoint_quorum_at(&self.epochs, size);
        let me = self.signer.key.public();
        set.iter()
            .any(|v| v.name == self.signer.name && v.key == me)
    }

    /// The log head moved: a validator signs the new head. Returns notes to gossip.
    pub fn on_local_head(&mut self) -> anyhow::Result<Vec<String>> {
        let head = self.store.head();
        let mut out = Vec::new();
        if head.size > self.registry_at {
            // A set change in the batch just applied is in the history now.
            self.refresh_registry()?;
        }
        if self.role == NodeRole::Validator
            && head.size > self.last_signed
            && head.size > 0
            && self.signs_at(head.size)
        {
            let note = SignedNote::sign(
                self.text_for(head.size, head.root),
                &self.signer.name,
                &self.signer.key,
            );
            self.last_signed = head.size;
            self.add_lines(&note, head.size, head.root, true);
            out.push(note.to_string());
        }
        let ready: Vec<(u64, Hash)> = self
            .collected
            .range(..=(head.size, [0xff; 32]))
            .map(|(k, _)| *k)
            .collect();
        for (size, root) in ready {
            if self.store.root_at(size)? == root {
                out.extend(self.try_finalize(size)?);
            } else if let Some(c) = self.collected.remove(&(size, root)) {
                // Collected while we were behind; now we can judge it.
                let theirs = c.note();
                self.raise_fork(size, root, &theirs);
            }
        }
        Ok(out)
    }

    /// A note from a peer (gossip or a sync answer). Returns the outcome and
    /// notes to gossip in turn (a witness signature).
    pub fn on_note(&mut self, text: &str) -> Result<(NoteOutcome, Vec<String>), NoteRejected> {
        let note = SignedNote::parse(text).map_err(|e| NoteRejected::Malformed(e.to_string()))?;
        let (origin, size, root) = {
            let cp = note
                .checkpoint()
                .map_err(|e| NoteRejected::Malformed(e.to_string()))?;
            (cp.origin.to_string(), cp.size, cp.root)
        };
        if origin != self.network {
            return Err(NoteRejected::OtherNetwork(origin));
        }
        if note.text != self.text_for(size, root) {
            return Err(NoteRejected::Malformed(
                "the checkpoint text is not in Tanji's canonical form".into(),
            ));
        }
        // Which lines are by registered nodes, and do they verify?
        let mut signers: Vec<(String, bool)> = Vec::new();
        let mut valid_lines: Vec<(String, [u8; 4], Signature, bool)> = Vec::new();
        for (name, id, sig) in &note.signatures {
            let found = self
                .validators
                .iter()
                .map(|v| (v, true))
                .chain(self.observers.iter().map(|v| (v, false)))
                .find(|(v, _)| v.name == *name && v.key_id() == *id);
            let Some((v, is_validator)) = found else {
                continue;
            };
            v.key
                .verify_raw(note.text.as_bytes(), sig)
                .map_err(|_| NoteRejected::BadSignature(name.clone()))?;
            if !signers.iter().any(|(n, _)| n == name) {
                signers.push((name.clone(), is_validator));
                valid_lines.push((name.clone(), *id, *sig, is_validator));
            }
        }
        if signers.is_empty() {
            return Err(NoteRejected::Unsigned);
        }
        self.check_equivocation(&note, size, root, &signers);
        let head = self.store.head();
        if size <= head.size {
            let ours = match self.store.root_at(size) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, size, "cannot read our root");
                    return Ok((NoteOutcome::Known, Vec::new()));
                }
            };
            if ours != root {
                self.raise_fork(size, ours, &note);
                return Ok((NoteOutcome::Known, Vec::new()));
            }
        } else if size > head.size.saturating_add(1 << 20) {
            // Far ahead of us: we cannot check it yet and will get it again later.
            return Ok((NoteOutcome::Known, Vec::new()));
        }
        let before = self
            .collected
            .get(&(size, root))
            .map_or(0, |c| c.lines.len());
        let entry = self
            .collected
            .entry((size, root))
            .or_insert_with(|| Collected {
                text: note.text.clone(),
                lines: BTreeMap::new(),
            });
        for (name, id, sig, is_validator) in valid_lines {
            entry.lines.entry(name).or_insert((id, sig, is_validator));
        }
        let after = self
            .collected
            .get(&(size, root))
            .map_or(0, |c| c.lines.len());
        self.bound_pending();
        let gossip = if size <= head.size {
            self.try_finalize(size)
                .map_err(|e| NoteRejected::Malformed(e.to_string()))?
        } else {
            Vec::new()
        };
        let outcome = if after > before {
            NoteOutcome::New
        } else {
            NoteOutcome::Known
        };
        Ok((outcome, gossip))
    }

    fn raise_fork(&self, size: u64, ours: Hash, theirs: &SignedNote) {
        let our_note = match self.store.checkpoint_at(size) {
            Ok(Some(t)) => t,
            _ => SignedNote::sign(
                self.text_for(size, ours),
                &self.signer.name,
                &self.signer.key,
            )
            .to_string(),
        };
        let names: Vec<String> = theirs
            .signatures
            .iter()
            .map(|(n, _, _)| n.clone())
            .collect();
        let root = theirs.checkpoint().map(|c| c.root).unwrap_or_default();
        self.alarms.raise(
            "fork",
            size,
            names.clone(),
            format!(
                "a checkpoint signed by {} gives root {} for log size {size}; this node's log has {}",
                names.join(", "),
                hex::encode(root),
                hex::encode(ours)
            ),
            [our_note, theirs.to_string()],
        );
    }

    fn add_lines(&mut self, note: &SignedNote, size: u64, root: Hash, is_validator: bool) {
        let entry = self
            .collected
            .entry((size, root))
            .or_insert_with(|| Collected {
                text: note.text.clone(),
                lines: BTreeMap::new(),
            });
        for (name, id, sig) in &note.signatures {
            entry.lines.insert(name.clone(), (*id, *sig, is_validator));
        }
    }

    fn check_equivocation(
        &mut self,
        note: &SignedNote,
        size: u64,
        root: Hash,
        signers: &[(String, bool)],
    ) {
        for (name, _) in signers {
            let Some(line) = note.signatures.iter().find(|(n, _, _)| n == name) else {
                continue;
            };
            let single = SignedNote {
                text: note.text.clone(),
                signatures: vec![line.clone()],
            };
            match self.seen.get(&(size, name.clone())) {
                Some(earlier) => {
                    let earlier_root = earlier.checkpoint().map(|c| c.root).ok();
                    if earlier_root != Some(root) {
                        self.alarms.raise(
                            "equivocation",
                            size,
                            vec![name.clone()],
                            format!("{name} signed two different roots for log size {size}"),
                            [earlier.to_string(), single.to_string()],
                        );
                    }
                }
                None => {
                    self.seen.insert((size, name.clone()), single);
                }
            }
        }
    }

    fn bound_pending(&mut self) {
        while self.collected.len() > MAX_PENDING_SIZES {
            // Drop the farthest-ahead size: the nearest ones finalise first.
            let Some((&last, _)) = self.collected.iter().next_back() else {
                break;
            };
            self.collected.remove(&last);
        }
        let keep_from = self.final_size.saturating_sub(EQUIVOCATION_WINDOW);
        self.seen = self.seen.split_off(&(keep_from, String::new()));
    }

    /// Stores the checkpoint at `size` if a quorum of validators signed our
    /// root (again, with more lines, if it was final already). Returns our
    /// witness note when an observer accepts a new final checkpoint.
    fn try_finalize(&mut self, size: u64) -> anyhow::Result<Vec<String>> {
        let root = self.store.root_at(size)?;
        let Some(c) = self.collected.get(&(size, root)) else {
            return Ok(Vec::new());
        };
        let (set, quorum) = checkpoint_quorum_at(&self.epochs, size);
        let validator_lines = set
            .iter()
            .filter(|v| matches!(c.lines.get(&v.name), Some((id, _, _)) if *id == v.key_id()))
            .count();
        if validator_lines < quorum {
            return Ok(Vec::new());
        }
        let text = c.text.clone();
        let mut out = Vec::new();
        let newly_final = size > self.final_size;
        if newly_final {
            if let Some(old_root) = self.final_root {
                let proof = self.store.consistency_proof(self.final_size, size)?;
                if let Err(e) = verify_consistency::<Blake3Hasher>(
                    self.final_size,
                    size,
                    &old_root,
                    &root,
                    &proof,
                ) {
                    // Our own store contradicts a checkpoint it accepted: corruption.
                    anyhow::bail!(
                        "the log at size {size} is not an extension of the accepted checkpoint at {}: {e}",
                        self.final_size
                    );
                }
            }
            if self.role == NodeRole::Observer {
                let witness = SignedNote::sign(text.clone(), &self.signer.name, &self.signer.key);
                self.add_lines(&witness, size, root, false);
                out.push(witness.to_string());
            }
        }
        let note = self.collected[&(size, root)].note();
        debug_assert_eq!(note.text, text);
        self.store.put_checkpoint(&note)?;
        if newly_final {
            self.final_size = size;
            self.final_root = Some(root);
            self.metrics.final_checkpoint_size.set(size as i64);
            tracing::debug!(size, signatures = note.signatures.len(), "checkpoint final");
            // Older sizes can no longer become the newest final checkpoint,
            // but the end of a batch that changed the validator set is the
            // link light clients follow (`bundle::SetChangeLink`): keep
            // collecting its lines until it is stored too.
            let links = self.link_sizes();
            let newer = self.collected.split_off(&(size, [0; 32]));
            let older = std::mem::replace(&mut self.collected, newer);
            for ((s, r), c) in older {
                if links.contains(&s) && !matches!(self.store.checkpoint_at(s), Ok(Some(_))) {
                    self.collected.insert((s, r), c);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanji_ledger::crypto::SecretKey;
    use tanji_ledger::store::Candidate;
    use tanji_ledger::testkit::{key, TestNet};
    use tanji_ledger::tx::{Genesis, SignedTx, TxBody, TxKind, ValidatorNode};

    struct Fixture {
        _dir: tempfile::TempDir,
        net: TestNet,
        store: Arc<Store>,
        validators: Vec<NoteSigner>,
        observer: NoteSigner,
        supplier: tanji_ledger::keyfile::OrgKeyFile,
        nonce: u64,
    }

    /// A store holding a genesis with four validators, a registered observer
    /// and a supplier.
    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path(), false).unwrap());
        let net = TestNet::new();
        let validators: Vec<NoteSigner> = (0..4u8)
            .map(|i| NoteSigner {
                name: format!("validator-{i}"),
                key: SecretKey::from_seed(&[40 + i; 32]),
            })
            .collect();
        let genesis = SignedTx::sign(
            TxBody {
                network: net.network.clone(),
                author: net.regulator.org_id,
                nonce: 0,
                kind: TxKind::Genesis(Genesis {
                    orgs: vec![net.regulator.record(), net.operator.record()],
                    validators: validators
                        .iter()
                        .map(|v| ValidatorNode {
                            operator: net.operator.org_id,
                            name: v.name.clone(),
                            key: v.key.public(),
                        })
                        .collect(),
                }),
            },
            &[
                (net.regulator.org_id, &key(&net.regulator)),
                (net.operator.org_id, &key(&net.operator)),
            ],
        );
        let observer = NoteSigner {
            name: "observer-0".into(),
            key: SecretKey::from_seed(&[100; 32]),
        };
        let supplier = net.supplier(10);
        let txs = vec![
            genesis,
            net.governance(1, TxKind::RegisterObserver(net.observer(100, "observer-0"))),
            net.register(&supplier),
        ];
        let candidates: Vec<_> = txs.into_iter().map(Candidate::new).collect();
        let out = store.append_batch(&candidates, None).unwrap();
        assert!(
            out.results.iter().all(|(_, r)| r.is_ok()),
            "{:?}",
            out.results
        );
        Fixture {
            _dir: dir,
            net,
            store,
            validators,
            observer,
            supplier,
            nonce: 1,
        }
    }

    impl Fixture {
        fn grow(&mut self, n: usize) {
            let txs: Vec<_> = (0..n)
                .map(|_| {
                    self.nonce += 1;
                    Candidate::new(self.net.anchor(
                        &self.supplier,
                        self.nonce,
                        &format!("doc {}", self.nonce),
                    ))
                })
                .collect();
            self.store.append_batch(&txs, None).unwrap();
        }

        fn book(
            &self,
            signer: &NoteSigner,
            role: NodeRole,
        ) -> (Witnessing, Arc<AlarmLog>, tempfile::TempDir) {
            let dir = tempfile::tempdir().unwrap();
            let metrics = Arc::new(Metrics::new());
            let alarms = Arc::new(AlarmLog::open(dir.path(), metrics.clone()).unwrap());
            let book = Witnessing::new(
                self.store.clone(),
                signer.clone(),
                role,
                alarms.clone(),
                metrics,
            )
            .unwrap();
            (book, alarms, dir)
        }

        fn note(&self, signer: &NoteSigner, size: u64, root: Hash) -> String {
            let text = Checkpoint {
                origin: &self.net.network,
                size,
                root,
            }
            .text();
            SignedNote::sign(text, &signer.name, &signer.key).to_string()
        }

        fn head_note(&self, i: usize) -> String {
            let head = self.store.head();
            self.note(&self.validators[i], head.size, head.root)
        }

        fn trusted(&self) -> Vec<NoteVerifier> {
            self.validators.iter().map(|v| v.verifier()).collect()
        }
    }

    #[test]
    fn a_quorum_of_validators_makes_a_checkpoint_final() {
        let f = fixture();
        let (mut book, alarms, _d) = f.book(&f.validators[0], NodeRole::Validator);
        let own = book.on_local_head().unwrap();
        assert_eq!(own.len(), 1, "a validator signs its new head");
        assert!(
            f.store.latest_checkpoint().unwrap().is_none(),
            "1 of 4 is not final"
        );
        let (outcome, _) = book.on_note(&f.head_note(1)).unwrap();
        assert_eq!(outcome, NoteOutcome::New);
        assert!(
            f.store.latest_checkpoint().unwrap().is_none(),
            "2 of 4 is not final"
        );
        // The same line again brings nothing new.
        assert_eq!(book.on_note(&f.head_note(1)).unwrap().0, NoteOutcome::Known);
        book.on_note(&f.head_note(2)).unwrap();
        let stored = f
            .store
            .latest_checkpoint()
            .unwrap()
            .expect("3 of 4 is final");
        let note = SignedNote::parse(&stored).unwrap();
        assert_eq!(note.verify(&f.trusted(), 3).unwrap(), 3);
        assert_eq!(book.final_size(), f.store.head().size);
        assert!(alarms.all().is_empty());
    }

    #[test]
    fn an_unfinished_head_is_served_with_its_lines_so_pulls_finalise_it() {
        // Every validator's gossip was lost (published before any peer had
        // subscribed): the status answers carry the lines instead.
        let f = fixture();
        let (mut a, _, _da) = f.book(&f.validators[0], NodeRole::Validator);
        assert_eq!(a.newest_note().unwrap(), None, "nothing signed yet");
        a.on_local_head().unwrap();
        let from_a = a.newest_note().unwrap().expect("its own line");
        assert_eq!(from_a, f.head_note(0));

        let (mut b, _, _db) = f.book(&f.validators[1], NodeRole::Validator);
        b.on_local_head().unwrap();
        assert_eq!(b.on_note(&from_a).unwrap().0, NoteOutcome::New);
        let from_b = SignedNote::parse(&b.newest_note().unwrap().unwrap()).unwrap();
        assert_eq!(from_b.verify(&f.trusted(), 2).unwrap(), 2);
        assert!(f.store.latest_checkpoint().unwrap().is_none());

        let (mut c, alarms, _dc) = f.book(&f.validators[2], NodeRole::Validator);
        c.on_local_head().unwrap();
        c.on_note(&from_b.to_string()).unwrap();
        let stored = f.store.latest_checkpoint().unwrap().expect("3 of 4: final");
        assert_eq!(
            SignedNote::parse(&stored)
                .unwrap()
                .verify(&f.trusted(), 3)
                .unwrap(),
            3
        );
        // Once final, the final checkpoint is what a peer gets.
        assert_eq!(c.newest_note().unwrap(), Some(stored));
        assert!(alarms.all().is_empty());
    }

    #[test]
    fn an_observer_witnesses_after_finality_and_its_line_is_kept() {
        let mut f = fixture();
        let (mut obs, _, _d) = f.book(&f.observer, NodeRole::Observer);
        assert!(
            obs.on_local_head().unwrap().is_empty(),
            "observers do not vote"
        );
        let mut witness = Vec::new();
        for i in 0..3 {
            witness.extend(obs.on_note(&f.head_note(i)).unwrap().1);
        }
        assert_eq!(witness.len(), 1, "one witness note once final");
        let w = SignedNote::parse(&witness[0]).unwrap();
        assert_eq!(w.signatures.len(), 1);
        assert_eq!(w.signatures[0].0, "observer-0");
        let stored = SignedNote::parse(&f.store.latest_checkpoint().unwrap().unwrap()).unwrap();
        assert_eq!(
            stored.signatures.len(),
            4,
            "three validators and the witness"
        );
        assert_eq!(
            stored.signatures[3].0, "observer-0",
            "validators first, then witnesses"
        );

        // A validator's book accepts the witness line as an extra line.
        let (mut v0, _, _d0) = f.book(&f.validators[0], NodeRole::Validator);
        v0.on_local_head().unwrap();
        // The next size: the observer checks consistency from the last one it accepted.
        f.grow(3);
        let mut witness = Vec::new();
        for i in 0..3 {
            witness.extend(obs.on_note(&f.head_note(i)).unwrap().1);
        }
        assert_eq!(witness.len(), 1);
        assert_eq!(obs.final_size(), f.store.head().size);
        assert_eq!(v0.on_note(&witness[0]).unwrap().0, NoteOutcome::New);
    }

    #[test]
    fn a_conflicting_root_raises_a_fork_alarm_with_both_notes() {
        let f = fixture();
        let (mut book, alarms, _d) = f.book(&f.validators[0], NodeRole::Validator);
        book.on_local_head().unwrap();
        let size = f.store.head().size;
        let forged = f.note(&f.validators[3], size, [7; 32]);
        let (outcome, gossip) = book.on_note(&forged).unwrap();
        assert_eq!(
            outcome,
            NoteOutcome::Known,
            "a contradicting note is not forwarded"
        );
        assert!(gossip.is_empty());
        let all = alarms.all();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].kind, "fork");
        assert_eq!(all[0].size, size);
        assert_eq!(all[0].notes[1], forged);
        let ours = SignedNote::parse(&all[0].notes[0]).unwrap();
        assert_eq!(ours.checkpoint().unwrap().root, f.store.head().root);
        // Even forged by three validators, it never becomes the stored checkpoint.
        book.on_note(&f.note(&f.validators[1], size, [7; 32]))
            .unwrap();
        book.on_note(&f.note(&f.validators[2], size, [7; 32]))
            .unwrap();
        assert!(f.store.latest_checkpoint().unwrap().is_none());
    }

    #[test]
    fn a_key_signing_two_roots_for_one_size_is_caught() {
        let mut f = fixture();
        let (mut book, alarms, _d) = f.book(&f.validators[0], NodeRole::Validator);
        // Ahead of us: we cannot judge roots yet, but we remember who signed what.
        let ahead = f.store.head().size + 5;
        book.on_note(&f.note(&f.validators[3], ahead, [1; 32]))
            .unwrap();
        book.on_note(&f.note(&f.validators[3], ahead, [2; 32]))
            .unwrap();
        let all = alarms.all();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].kind, "equivocation");
        assert_eq!(all[0].signers, vec!["validator-3".to_string()]);
        // Once we reach that size, the notes that contradict our log are forks too.
        f.grow(5);
        book.on_local_head().unwrap();
        assert!(alarms.all().iter().any(|a| a.kind == "fork"));
    }

    #[test]
    fn signatures_ahead_of_the_log_finalise_when_it_catches_up() {
        // Fixtures are deterministic: another one grown the same way has the
        // same log, i.e. what the other nodes have before this one does.
        let mut f = fixture();
        let mut others = fixture();
        others.grow(4);
        let future = others.store.head();
        let (mut book, alarms, _d) = f.book(&f.observer, NodeRole::Observer);
        for i in 0..3 {
            let (outcome, gossip) = book.on_note(&others.head_note(i)).unwrap();
            assert_eq!(
                outcome,
                NoteOutcome::New,
                "kept although we cannot check it yet"
            );
            assert!(gossip.is_empty());
        }
        assert!(f.store.latest_checkpoint().unwrap().is_none());
        f.grow(4);
        assert_eq!(f.store.head(), future);
        let witness = book.on_local_head().unwrap();
        assert_eq!(witness.len(), 1, "final now, so the observer witnesses it");
        let stored = SignedNote::parse(&f.store.latest_checkpoint().unwrap().unwrap()).unwrap();
        assert_eq!(stored.checkpoint().unwrap().size, future.size);
        assert_eq!(book.final_size(), future.size);
        assert!(alarms.all().is_empty());
    }

    #[test]
    fn malformed_foreign_unsigned_and_badly_signed_notes_are_refused() {
        let f = fixture();
        let (mut book, _, _d) = f.book(&f.validators[0], NodeRole::Validator);
        assert!(matches!(
            book.on_note("garbage"),
            Err(NoteRejected::Malformed(_))
        ));
        let head = f.store.head();
        let stranger = NoteSigner {
            name: "validator-9".into(),
            key: SecretKey::from_seed(&[99; 32]),
        };
        assert!(matches!(
            book.on_note(&f.note(&stranger, head.size, head.root)),
            Err(NoteRejected::Unsigned)
        ));
        // A registered name and key id, but signed over other bytes.
        let mut bad = SignedNote::parse(&f.head_note(1)).unwrap();
        bad.signatures[0].2 .0[0] ^= 1;
        assert!(matches!(
            book.on_note(&bad.to_string()),
            Err(NoteRejected::BadSignature(_))
        ));
        let other = Checkpoint {
            origin: "other.network",
            size: head.size,
            root: head.root,
        }
        .text();
        let foreign = SignedNote::sign(other, "validator-1", &f.validators[1].key).to_string();
        assert!(matches!(
            book.on_note(&foreign),
            Err(NoteRejected::OtherNetwork(_))
        ));
    }
}
