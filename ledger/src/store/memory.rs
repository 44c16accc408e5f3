//! [`MemoryStore`]: a whole ledger in memory, advanced by the same
//! [`BatchPlan`]s as the RocksDB store.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use super::keys::{private_key, private_prefix};
use super::plan::{plan_batch, BatchPlan};
use super::read::{
    check_range, EnvelopeWrite, LedgerRead, PrivateRecord, PrivateRecords, MAX_PRIVATE_LIST,
};
use super::{next_height, BatchOutcome, Candidate, DecidedRecord, Head, StoreError};
use crate::carbon::{CertificateState, FactorState, FootprintState, RecordRef, RuleState};
use crate::checkpoint::{NoteSigner, SignedNote};
use crate::ids::{OrgId, TxId};
use crate::merkle::{Blake3Hasher, Hash, MerkleError, MerkleHasher, NodeSource};
use crate::sealed::EnvelopeHash;
use crate::state::{
    MemoryState, NetworkInfo, OrgState, RetiredKey, StateError, StateView, ValidatorEpoch,
};
use crate::tx::ObserverNode;

/// A ledger held in memory: log, tree, checkpoints, decisions, state and
/// private envelopes. No database and no feature needed; for tests, tools and
/// as the reference the RocksDB store is checked against.
///
/// It appends exactly as the RocksDB store does ([`plan_batch`], then
/// [`MemoryStore::commit`]), and answers every [`LedgerRead`] method the same
/// way for the same log, orderings included. Log writes take `&mut self`,
/// which is the single-writer rule; share it behind a lock to append
/// concurrently. Envelopes, which are not part of the log, are kept behind
/// their own lock so that (as in the RocksDB store) they can be written
/// through a shared reference while the log is read.
///
/// Invariants: `entries.len() == head.size`; level `l` of the tree holds
/// exactly the `head.size >> l` perfect nodes of the log, and `head.root` is
/// its root; `tx_index` maps the id of each entry to its index; `state` is
/// what the entries add up to.
pub struct MemoryStore {
    head: Head,
    entries: Vec<Vec<u8>>,
    levels: Vec<Vec<Hash>>,
    tx_index: HashMap<TxId, u64>,
    checkpoints: BTreeMap<u64, String>,
    decided: BTreeMap<u64, DecidedRecord>,
    state: MemoryState,
    envelopes: Mutex<HashMap<EnvelopeHash, Vec<u8>>>,
    records: Mutex<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// An empty ledger.
    pub fn new() -> Self {
        Self {
            head: Head {
                size: 0,
                root: Blake3Hasher::empty_root(),
            },
            entries: Vec::new(),
            levels: Vec::new(),
            tx_index: HashMap::new(),
            checkpoints: BTreeMap::new(),
            decided: BTreeMap::new(),
            state: MemoryState::default(),
            envelopes: Mutex::new(HashMap::new()),
            records: Mutex::new(BTreeMap::new()),
        }
    }

    /// The derived state.
    pub fn state(&self) -> &MemoryState {
        &self.state
    }

    /// Validates each candidate against the state after the ones before it and
    /// appends the valid ones, with a checkpoint signed by `signer`, as
    /// `Store::append_batch` does. Refused candidates leave no trace.
    pub fn append_batch(
        &mut self,
        candidates: &[Candidate],
        signer: Option<&NoteSigner>,
    ) -> Result<BatchOutcome, StoreError> {
        let plan = plan_batch(self, candidates, signer, None)?;
        self.commit(plan)
    }

    /// Like [`Self::append_batch`], for a batch decided at a consensus height
    /// (which must be the next one), as `Store::append_decided` does.
    pub fn append_decided(
        &mut self,
        decided: &DecidedRecord,
        candidates: &[Candidate],
        signer: Option<&NoteSigner>,
    ) -> Result<BatchOutcome, StoreError> {
        let plan = plan_batch(self, candidates, signer, Some(decided))?;
        self.commit(plan)
    }

    /// Applies a plan made against this store's head (or against another
    /// store holding the same log); [`StoreError::StalePlan`], with nothing
    /// changed, if the head or the next consensus height differ.
    pub fn commit(&mut self, plan: BatchPlan) -> Result<BatchOutcome, StoreError> {
        if plan.before() != self.head {
            return Err(StoreError::StalePlan(format!(
                "planned on size {}, the store is at size {}",
                plan.before().size,
                self.head.size
            )));
        }
        if let Some(d) = plan.decided() {
            let expected = next_height(self.decided.keys().next_back().copied());
            if d.height != expected {
                return Err(StoreError::StalePlan(format!(
                    "planned for height {}, the next height is {expected}",
                    d.height
                )));
            }
            self.decided.insert(d.height, d.clone());
        }
        // Same head, so the same log and tree: the plan's nodes extend each
        // level at its end (BatchPlan's invariants).
        for n in plan.nodes() {
            let level = usize::from(n.level);
            if level == self.levels.len() {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(n.hash);
        }
        for e in plan.entries() {
            self.entries.push(e.bytes.clone());
            self.tx_index.insert(e.id, e.index);
        }
        self.state.apply(plan.changes().to_vec());
        if let Some(note) = plan.checkpoint() {
            self.checkpoints.insert(plan.head().size, note.to_string());
        }
        self.head = plan.head();
        Ok(plan.into_outcome())
    }

    /// Stores (or replaces) the checkpoint for its size; its root must be the
    /// log's root at that size.
    pub fn put_checkpoint(&mut self, note: &SignedNote) -> Result<(), StoreError> {
        let cp = note
            .checkpoint()
            .map_err(|e| StoreError::OutOfRange(e.to_string()))?;
        if self.root_at(cp.size)? != cp.root {
            return Err(StoreError::OutOfRange(format!(
                "checkpoint root for size {} does not match the log",
                cp.size
            )));
        }
        self.checkpoints.insert(cp.size, note.to_string());
        Ok(())
    }
}

impl NodeSource for MemoryStore {
    fn perfect_node(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.levels.get(usize::from(level))?.get(i))
            .copied()
            .ok_or(MerkleError::MissingNode { level, index })
    }
}

impl StateView for MemoryStore {
    fn network(&self) -> Result<Option<NetworkInfo>, StateError> {
        self.state.network()
    }
    fn org(&self, id: &OrgId) -> Result<Option<OrgState>, StateError> {
        self.state.org(id)
    }
    fn nonce_used(&self, org: &OrgId, nonce: u64) -> Result<bool, StateError> {
        self.state.nonce_used(org, nonce)
    }
    fn governance(&self) -> Result<Vec<OrgId>, StateError> {
        self.state.governance()
    }
    fn observers(&self) -> Result<Vec<ObserverNode>, StateError> {
        self.state.observers()
    }
    fn validator_epochs(&self) -> Result<Vec<ValidatorEpoch>, StateError> {
        self.state.validator_epochs()
    }
    fn retired_keys(&self, org: &OrgId) -> Result<Vec<RetiredKey>, StateError> {
        self.state.retired_keys(org)
    }
    fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, StateError> {
        self.state.factor(r)
    }
    fn rule(&self, r: &RecordRef) -> Result<Option<RuleState>, StateError> {
        self.state.rule(r)
    }
    fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, StateError> {
        self.state.footprint(id)
    }
    fn certificate(&self, id: &str) -> Result<Option<CertificateState>, StateError> {
        self.state.certificate(id)
    }
}

/// Values of `map` in key order.
fn sorted_values<K: Ord, V: Clone>(map: &HashMap<K, V>) -> Vec<V> {
    let mut items: Vec<_> = map.iter().collect();
    items.sort_by(|a, b| a.0.cmp(b.0));
    items.into_iter().map(|(_, v)| v.clone()).collect()
}

/// The distinct `pick`ed ids, sorted.
fn sorted_ids<T>(items: &[T], pick: impl Fn(&T) -> Option<TxId>) -> Vec<TxId> {
    let mut ids: Vec<TxId> = items.iter().filter_map(pick).collect();
    ids.sort();
    ids.dedup();
    ids
}

impl LedgerRead for MemoryStore {
    fn head(&self) -> Head {
        self.head
    }
    fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(usize::try_from(index)
            .ok()
            .and_then(|i| self.entries.get(i))
            .cloned())
    }
    fn entries(&self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        check_range(self.head, start, end)?;
        Ok((start..end)
            .zip(&self.entries[start as usize..end as usize])
            .map(|(i, e)| (i, e.clone()))
            .collect())
    }
    fn tx_index(&self, id: &TxId) -> Result<Option<u64>, StoreError> {
        Ok(self.tx_index.get(id).copied())
    }
    fn checkpoint_at(&self, size: u64) -> Result<Option<String>, StoreError> {
        Ok(self.checkpoints.get(&size).cloned())
    }
    fn latest_checkpoint(&self) -> Result<Option<String>, StoreError> {
        Ok(self.checkpoints.values().next_back().cloned())
    }
    fn decided(&self, height: u64) -> Result<Option<DecidedRecord>, StoreError> {
        Ok(self.decided.get(&height).cloned())
    }
    fn last_decided(&self) -> Result<Option<u64>, StoreError> {
        Ok(self.decided.keys().next_back().copied())
    }
    fn orgs(&self) -> Result<Vec<(OrgId, OrgState)>, StoreError> {
        let mut orgs: Vec<_> = self
            .state
            .orgs
            .iter()
            .map(|(id, s)| (*id, s.clone()))
            .collect();
        orgs.sort_by_key(|(id, _)| *id);
        Ok(orgs)
    }
    fn factors(&self) -> Result<Vec<FactorState>, StoreError> {
        Ok(sorted_values(&self.state.carbon.factors))
    }
    fn factor_versions(&self, id: &str) -> Result<Vec<FactorState>, StoreError> {
        let mut versions: Vec<_> = self
            .state
            .carbon
            .factors
            .iter()
            .filter(|(r, _)| r.id == id)
            .collect();
        versions.sort_by_key(|(r, _)| r.version);
        Ok(versions.into_iter().map(|(_, f)| f.clone()).collect())
    }
    fn rules(&self) -> Result<Vec<RuleState>, StoreError> {
        Ok(sorted_values(&self.state.carbon.rules))
    }
    fn footprints(&self) -> Result<Vec<FootprintState>, StoreError> {
        Ok(sorted_values(&self.state.carbon.footprints))
    }
    fn certificates(&self) -> Result<Vec<CertificateState>, StoreError> {
        Ok(sorted_values(&self.state.carbon.certificates))
    }
    fn downstream_of(&self, upstream: &TxId) -> Result<Vec<TxId>, StoreError> {
        Ok(sorted_ids(
            &self.state.carbon.footprint_uses,
            |(up, down)| (up == upstream).then_some(*down),
        ))
    }
    fn footprints_using_factor(&self, factor: &RecordRef) -> Result<Vec<TxId>, StoreError> {
        Ok(sorted_ids(&self.state.carbon.factor_uses, |(f, fp)| {
            (f == factor).then_some(*fp)
        }))
    }
    fn last_nonce(&self, org: &OrgId) -> Result<Option<u64>, StoreError> {
        Ok(self
            .state
            .nonces
            .iter()
            .filter(|(o, _)| o == org)
            .map(|(_, n)| *n)
            .max())
    }
    fn envelope(&self, hash: &EnvelopeHash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.envelopes().get(hash).cloned())
    }
}

impl MemoryStore {
    /// The envelope map. A panic while it was held cannot leave it half
    /// written (each operation is one map call), so a poisoned lock is used
    /// as it is.
    fn envelopes(&self) -> std::sync::MutexGuard<'_, HashMap<EnvelopeHash, Vec<u8>>> {
        self.envelopes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The other private records, as [`Self::envelopes`].
    fn records(&self) -> std::sync::MutexGuard<'_, BTreeMap<Vec<u8>, Vec<u8>>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl PrivateRecords for MemoryStore {
    fn private_get(&self, namespace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.records().get(&private_key(namespace, key)).cloned())
    }
    fn private_put(&self, namespace: &str, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.records()
            .insert(private_key(namespace, key), value.to_vec());
        Ok(())
    }
    fn private_delete(&self, namespace: &str, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self
            .records()
            .remove(&private_key(namespace, key))
            .is_some())
    }
    fn private_list(&self, namespace: &str) -> Result<Vec<PrivateRecord>, StoreError> {
        let prefix = private_prefix(namespace);
        Ok(self
            .records()
            .range(prefix.clone()..)
            .map_while(|(k, v)| Some((k.strip_prefix(prefix.as_slice())?.to_vec(), v.clone())))
            .take(MAX_PRIVATE_LIST)
            .collect())
    }
    fn private_keys(&self, namespace: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        let prefix = private_prefix(namespace);
        Ok(self
            .records()
            .range(prefix.clone()..)
            .map_while(|(k, _)| Some(k.strip_prefix(prefix.as_slice())?.to_vec()))
            .take(MAX_PRIVATE_LIST)
            .collect())
    }
}

impl EnvelopeWrite for MemoryStore {
    fn put_envelope(&self, hash: &EnvelopeHash, bytes: &[u8]) -> Result<(), StoreError> {
        self.envelopes().insert(*hash, bytes.to_vec());
        Ok(())
    }
    fn delete_envelope(&self, hash: &EnvelopeHash) -> Result<bool, StoreError> {
        Ok(self.envelopes().remove(hash).is_some())
    }
}
