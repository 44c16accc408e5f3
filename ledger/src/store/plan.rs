//! The planning step of an append: everything a batch changes, computed
//! without touching a database.

use super::keys::*;
use super::read::LedgerRead;
use super::tree_source::OverlayNodes;
use super::{next_height, BatchOutcome, Candidate, DecidedRecord, Head, StoreError};
use crate::checkpoint::{Checkpoint, NoteSigner, SignedNote};
use crate::encoding;
use crate::ids::TxId;
use crate::merkle::{self, Blake3Hasher, MerkleHasher, NodeWrite};
use crate::state::{PendingState, StateChange, StateView};
use crate::validate::{self, TxError};

/// One entry a plan appends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedEntry {
    /// Its log index.
    pub index: u64,
    /// Its transaction id.
    pub id: TxId,
    /// Its bytes (the transaction's canonical encoding).
    pub bytes: Vec<u8>,
}

/// One key/value write of a plan, in the RocksDB store's layout ([`super::keys`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvWrite {
    /// Column family.
    pub cf: &'static str,
    /// Key.
    pub key: Vec<u8>,
    /// Value.
    pub value: Vec<u8>,
}

/// Everything one batch changes, as computed by [`plan_batch`] against a
/// ledger whose head was [`BatchPlan::before`].
///
/// Invariants (established by [`plan_batch`], the only constructor):
///
/// - `entries` are the accepted candidates, in candidate order, with indexes
///   `before.size, before.size + 1, ...` without gaps; `head.size` is
///   `before.size + entries.len()`.
/// - `results` has one item per candidate, in order: `Ok(index)` exactly for
///   the entries (same ids, same indexes), `Err(why)` for the others, which
///   leave no other trace in the plan.
/// - `nodes` are exactly the perfect Merkle nodes the entries' leaves
///   complete, bottom-up per entry and in entry order
///   ([`merkle::nodes_completed_by_append`]), so a node source holding the
///   tree of `before.size` leaves plus `nodes` holds the tree of `head.size`
///   leaves; `head.root` is that tree's root.
/// - `changes` are the state changes of the accepted candidates, in order
///   (later ones win where they touch the same record); empty when no entry.
///   Validator epochs begun in the batch start at checkpoint size
///   `head.size + 1` (see [`crate::state::ValidatorEpoch`]).
/// - `checkpoint` is present only when there is an entry and a signer was
///   given, and is the signer's note over (network name, `head.size`,
///   `head.root`).
/// - `decided` is the decision record given to the planner with
///   `first_index = before.size` and `size_after = head.size`, and its height
///   was the next consensus height of the view planned against.
/// - With no entry and no decision, the plan changes nothing (`is_empty`).
#[derive(Clone, Debug)]
pub struct BatchPlan {
    before: Head,
    head: Head,
    results: Vec<(TxId, Result<u64, TxError>)>,
    entries: Vec<PlannedEntry>,
    nodes: Vec<NodeWrite>,
    changes: Vec<StateChange>,
    checkpoint: Option<SignedNote>,
    decided: Option<DecidedRecord>,
}

/// Validates each candidate against `base`'s state after the ones before it,
/// and plans the batch: see [`BatchPlan`]. `decided`, if given, must be for
/// the next consensus height of `base` ([`StoreError::OutOfRange`] otherwise).
/// Reads `base` only; pure otherwise (the checkpoint signature is
/// deterministic), so the same view and inputs always give the same plan.
///
/// `base` must not change while planning: the stores plan under their writer
/// lock. Fails only on a storage error of `base` or an inconsistent base
/// (entries but no network, a missing tree node).
pub fn plan_batch<L: LedgerRead + ?Sized>(
    base: &L,
    candidates: &[Candidate],
    signer: Option<&NoteSigner>,
    decided: Option<&DecidedRecord>,
) -> Result<BatchPlan, StoreError> {
    if let Some(d) = decided {
        let expected = next_height(base.last_decided()?);
        if d.height != expected {
            return Err(StoreError::OutOfRange(format!(
                "decided height {} is not the next height, {expected}",
                d.height
            )));
        }
    }
    let before = base.head();
    let mut nodes = OverlayNodes::new(base);
    let mut pending = PendingState::new(base);
    let mut results = Vec::with_capacity(candidates.len());
    let mut entries = Vec::new();
    let mut new_nodes = Vec::new();
    let mut size = before.size;
    for c in candidates {
        let pre = validate::PreVerified {
            signatures: &c.verified,
            proof: c.proof_verified,
        };
        match validate::check_verified(&pending, &c.tx, size, pre) {
            Ok(accepted) => {
                pending.apply(accepted.changes);
                let leaf = Blake3Hasher::hash_leaf(&c.entry);
                for n in merkle::nodes_completed_by_append::<Blake3Hasher, _>(&nodes, size, leaf)? {
                    nodes.insert(n.level, n.index, n.hash);
                    new_nodes.push(n);
                }
                entries.push(PlannedEntry {
                    index: size,
                    id: c.id,
                    bytes: c.entry.clone(),
                });
                results.push((c.id, Ok(size)));
                size += 1;
            }
            Err(e) => results.push((c.id, Err(e))),
        }
    }
    let decided = decided.map(|d| DecidedRecord {
        first_index: before.size,
        size_after: size,
        ..d.clone()
    });
    if entries.is_empty() {
        return Ok(BatchPlan {
            before,
            head: before,
            results,
            entries,
            nodes: new_nodes,
            changes: Vec::new(),
            checkpoint: None,
            decided,
        });
    }
    let root = merkle::root::<Blake3Hasher, _>(&nodes, size)?;
    let origin = pending
        .network()?
        .map(|n| n.network)
        .ok_or_else(|| StoreError::Corrupt("entries but no network".into()))?;
    let mut changes = pending.into_changes();
    settle_validator_epochs(&mut changes, before.size, size, decided.as_ref());
    let checkpoint = signer.map(|s| {
        let text = Checkpoint {
            origin: &origin,
            size,
            root,
        }
        .text();
        SignedNote::sign(text, &s.name, &s.key)
    });
    Ok(BatchPlan {
        before,
        head: Head { size, root },
        results,
        entries,
        nodes: new_nodes,
        changes,
        checkpoint,
        decided,
    })
}

/// A validator set change takes effect after the batch that records it (the
/// set that decided a batch signs its checkpoint): the epochs the batch began
/// (`change_index >= first_index`) start at checkpoint size `end + 1`, where
/// validation could only put `change_index + 1`. Several changes in one batch
/// all begin there; the last one's set is the one in force. Epoch 0 (the
/// genesis set) always begins at size 1. The decision's height, if the batch
/// was decided by consensus, is recorded with each.
fn settle_validator_epochs(
    changes: &mut [StateChange],
    first_index: u64,
    end: u64,
    decided: Option<&DecidedRecord>,
) {
    for change in changes {
        if let StateChange::Validators(epochs) = change {
            let begun = epochs.iter_mut().skip(1);
            for e in begun.filter(|e| e.change_index >= first_index) {
                e.first_size = end + 1;
                e.height = decided.map(|d| d.height);
            }
        }
    }
}

impl BatchPlan {
    /// The head of the ledger the plan was made against; it commits only there.
    pub fn before(&self) -> Head {
        self.before
    }

    /// The head after the plan.
    pub fn head(&self) -> Head {
        self.head
    }

    /// Per candidate, in order: its log index, or why it was refused.
    pub fn results(&self) -> &[(TxId, Result<u64, TxError>)] {
        &self.results
    }

    /// The entries appended, in log order.
    pub fn entries(&self) -> &[PlannedEntry] {
        &self.entries
    }

    /// The perfect Merkle nodes the entries complete, bottom-up per entry.
    pub fn nodes(&self) -> &[NodeWrite] {
        &self.nodes
    }

    /// The state changes, in order.
    pub fn changes(&self) -> &[StateChange] {
        &self.changes
    }

    /// The checkpoint over the new head, if any entry was appended and a
    /// signer given.
    pub fn checkpoint(&self) -> Option<&SignedNote> {
        self.checkpoint.as_ref()
    }

    /// The decision record, with its first index and size after filled in.
    pub fn decided(&self) -> Option<&DecidedRecord> {
        self.decided.as_ref()
    }

    /// Whether committing the plan changes nothing (no entry, no decision).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.decided.is_none()
    }

    /// The plan as the RocksDB store writes it: every key/value put, by
    /// column family, in an order where a later write of the same key wins
    /// (state changes keep their order). For an empty plan, nothing. The
    /// RocksDB store puts exactly these in one `WriteBatch`.
    pub fn for_each_write(&self, mut put: impl FnMut(&'static str, &[u8], &[u8])) {
        for n in &self.nodes {
            put(CF_TREE, &tree_key(n.level, n.index), &n.hash);
        }
        for e in &self.entries {
            put(CF_ENTRIES, &u64_key(e.index), &e.bytes);
            put(CF_TX_INDEX, &e.id.0, &u64_key(e.index));
        }
        if let Some(d) = &self.decided {
            put(CF_CONSENSUS, &u64_key(d.height), &encoding::encode(d));
        }
        if self.entries.is_empty() {
            return;
        }
        for change in &self.changes {
            state_write(change, |k, v| put(CF_STATE, k, v));
        }
        put(CF_STATE, STATE_SIZE, &u64_key(self.head.size));
        if let Some(note) = &self.checkpoint {
            put(
                CF_CHECKPOINTS,
                &u64_key(self.head.size),
                note.to_string().as_bytes(),
            );
        }
    }

    /// [`Self::for_each_write`], collected.
    pub fn writes(&self) -> Vec<KvWrite> {
        let mut out = Vec::new();
        self.for_each_write(|cf, k, v| {
            out.push(KvWrite {
                cf,
                key: k.to_vec(),
                value: v.to_vec(),
            })
        });
        out
    }

    /// What the append reports once the plan is committed.
    pub fn into_outcome(self) -> BatchOutcome {
        BatchOutcome {
            results: self.results,
            head: self.head,
            checkpoint: self.checkpoint,
        }
    }
}

/// The `state` column family write of one state change.
fn state_write(change: &StateChange, mut put: impl FnMut(&[u8], &[u8])) {
    match change {
        StateChange::Network(n) => put(STATE_NETWORK, &encoding::encode(n)),
        StateChange::Org(id, s) => put(&org_key(id), &encoding::encode(s)),
        StateChange::Nonce(id, n) => put(&nonce_key(id, *n), &[]),
        StateChange::Governance(g) => put(STATE_GOVERNANCE, &encoding::encode(g)),
        StateChange::Observers(o) => put(STATE_OBSERVERS, &encoding::encode(o)),
        StateChange::Validators(v) => put(STATE_VALIDATORS, &encoding::encode(v)),
        StateChange::RetiredKeys(id, k) => put(&retired_keys_key(id), &encoding::encode(k)),
        StateChange::Factor(r, f) => put(
            &record_key(STATE_FACTOR_PREFIX, r),
            &encoding::encode(f.as_ref()),
        ),
        StateChange::Rule(r, f) => put(
            &record_key(STATE_RULE_PREFIX, r),
            &encoding::encode(f.as_ref()),
        ),
        StateChange::Footprint(id, f) => put(
            &tx_key(STATE_FOOTPRINT_PREFIX, id),
            &encoding::encode(f.as_ref()),
        ),
        StateChange::Certificate(id, c) => put(&certificate_key(id), &encoding::encode(c.as_ref())),
        StateChange::UsesFootprint {
            upstream,
            downstream,
        } => put(&uses_footprint_key(upstream, downstream), &[]),
        StateChange::UsesFactor { factor, footprint } => {
            put(&uses_factor_key(factor, footprint), &[])
        }
    }
}
