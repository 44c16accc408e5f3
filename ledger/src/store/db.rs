//! The RocksDB store: one column family per concern ([`super::keys`]).
//!
//! Commits a [`BatchPlan`] as one atomic `WriteBatch` (fsynced when opened
//! with `sync`) and publishes the new head only once it is written, so a
//! process killed at any instant reopens before or after a whole batch. One
//! writer at a time (a mutex around plan + commit); readers never block.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, RwLock};

use rocksdb::{ColumnFamilyDescriptor, Options, WriteBatch, WriteOptions, DB};

use super::keys::*;
use super::plan::{plan_batch, BatchPlan};
use super::read::{
    check_range, check_size, EnvelopeWrite, LedgerRead, PrivateRecord, PrivateRecords,
    MAX_PRIVATE_LIST,
};
use super::tree_source::DbNodes;
use super::{
    next_height, BatchOutcome, Candidate, DecidedRecord, Head, IntegrityReport, StoreError,
    MAX_DECIDED_RECORD, MAX_STORED_VALUE,
};
use crate::carbon::{CertificateState, FactorState, FootprintState, RecordRef, RuleState};
use crate::checkpoint::{NoteSigner, SignedNote};
use crate::encoding;
use crate::ids::{OrgId, TxId};
use crate::merkle::{self, Blake3Hasher, Hash, MerkleError, MerkleHasher, NodeSource};
use crate::sealed::EnvelopeHash;
use crate::state::{NetworkInfo, OrgState, RetiredKey, StateError, StateView, ValidatorEpoch};
use crate::tx::ObserverNode;

/// The ledger's database.
pub struct Store {
    db: DB,
    writer: Mutex<()>,
    head: RwLock<Head>,
    sync: bool,
}

impl Store {
    /// Opens (or creates) a store in `path`. With `sync`, each batch is fsynced
    /// before it is reported as written (survives power loss, not only a crash).
    pub fn open(path: &Path, sync: bool) -> Result<Self, StoreError> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        let cfs = ALL_CFS
            .iter()
            .map(|name| ColumnFamilyDescriptor::new(*name, Options::default()));
        let db = DB::open_cf_descriptors(&opts, path, cfs)?;
        let size = match db.get_cf(cf(&db, CF_STATE)?, STATE_SIZE)? {
            Some(v) => read_u64(&v).ok_or_else(|| StoreError::Corrupt("size record".into()))?,
            None => 0,
        };
        let root = merkle::root::<Blake3Hasher, _>(&DbNodes::new(&db)?, size)?;
        tracing::debug!(size, root = %hex::encode(root), "store opened");
        Ok(Self {
            db,
            writer: Mutex::new(()),
            head: RwLock::new(Head { size, root }),
            sync,
        })
    }

    /// The current head.
    pub fn head(&self) -> Head {
        *self.head.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Validates each candidate against the state after the ones before it,
    /// appends the valid ones, and writes everything (entries, tree, state,
    /// checkpoint signed by `signer`) in one atomic batch. Refused candidates
    /// leave no trace.
    pub fn append_batch(
        &self,
        candidates: &[Candidate],
        signer: Option<&NoteSigner>,
    ) -> Result<BatchOutcome, StoreError> {
        self.append(candidates, signer, None)
    }

    /// Like [`Store::append_batch`], for a batch decided by the ordering engine at
    /// a consensus height: the decision record (with the engine's certificate and
    /// the batch exactly as decided, for peers that sync it) is written in the same
    /// atomic batch, even when no transaction of the batch was valid.
    pub fn append_decided(
        &self,
        decided: &DecidedRecord,
        candidates: &[Candidate],
        signer: Option<&NoteSigner>,
    ) -> Result<BatchOutcome, StoreError> {
        self.append(candidates, signer, Some(decided))
    }

    /// Plan + commit under the writer lock.
    fn append(
        &self,
        candidates: &[Candidate],
        signer: Option<&NoteSigner>,
        decided: Option<&DecidedRecord>,
    ) -> Result<BatchOutcome, StoreError> {
        let guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let plan = plan_batch(self, candidates, signer, decided)?;
        self.commit_locked(&guard, plan)
    }

    /// Commits a plan made by [`plan_batch`] against this store (or against
    /// another store holding the same log): checks that the store's head is
    /// still the plan's [`BatchPlan::before`] and, for a decided batch, that its
    /// height is still the next one ([`StoreError::StalePlan`] otherwise, with
    /// nothing written); then writes the plan as one atomic `WriteBatch` and
    /// publishes its head.
    pub fn commit(&self, plan: BatchPlan) -> Result<BatchOutcome, StoreError> {
        let guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        self.commit_locked(&guard, plan)
    }

    /// [`Self::commit`], the writer lock held by the caller.
    fn commit_locked(
        &self,
        _writer: &MutexGuard<'_, ()>,
        plan: BatchPlan,
    ) -> Result<BatchOutcome, StoreError> {
        let head = self.head();
        if plan.before() != head {
            return Err(StoreError::StalePlan(format!(
                "planned on size {}, the store is at size {}",
                plan.before().size,
                head.size
            )));
        }
        if let Some(d) = plan.decided() {
            let expected = next_height(self.last_decided()?);
            if d.height != expected {
                return Err(StoreError::StalePlan(format!(
                    "planned for height {}, the next height is {expected}",
                    d.height
                )));
            }
        }
        if !plan.is_empty() {
            let mut batch = WriteBatch::default();
            let mut handles: Vec<(&str, &rocksdb::ColumnFamily)> =
                Vec::with_capacity(ALL_CFS.len());
            for name in ALL_CFS {
                handles.push((name, cf(&self.db, name)?));
            }
            let mut missing = None;
            plan.for_each_write(
                |name, k, v| match handles.iter().find(|(n, _)| *n == name) {
                    Some((_, handle)) => batch.put_cf(*handle, k, v),
                    None => missing = Some(name),
                },
            );
            if let Some(name) = missing {
                return Err(StoreError::Corrupt(format!("missing column family {name}")));
            }
            let mut wo = WriteOptions::default();
            wo.set_sync(self.sync);
            self.db.write_opt(batch, &wo)?;
        }
        // Published only once the batch is durable: readers never see a head
        // whose entries are not written.
        if plan.head() != head {
            *self.head.write().unwrap_or_else(|e| e.into_inner()) = plan.head();
        }
        Ok(plan.into_outcome())
    }

    /// Stores (or replaces, e.g. with more cosignatures) the checkpoint for its size.
    /// The note's root must be the log's root at that size.
    pub fn put_checkpoint(&self, note: &SignedNote) -> Result<(), StoreError> {
        let cp = note
            .checkpoint()
            .map_err(|e| StoreError::OutOfRange(e.to_string()))?;
        let root = self.root_at(cp.size)?;
        if root != cp.root {
            return Err(StoreError::OutOfRange(format!(
                "checkpoint root for size {} does not match the log",
                cp.size
            )));
        }
        self.db.put_cf(
            cf(&self.db, CF_CHECKPOINTS)?,
            u64_key(cp.size),
            note.to_string(),
        )?;
        Ok(())
    }

    /// Keeps a sealed envelope in the private column family, under its hash.
    /// Envelopes never enter the log and are not replicated; they can be
    /// purged with [`Self::delete_envelope`].
    pub fn put_envelope(&self, hash: &EnvelopeHash, bytes: &[u8]) -> Result<(), StoreError> {
        self.db
            .put_cf(cf(&self.db, CF_PRIVATE)?, envelope_key(hash), bytes)?;
        Ok(())
    }

    /// A sealed envelope kept here, by hash.
    pub fn envelope(&self, hash: &EnvelopeHash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .db
            .get_cf(cf(&self.db, CF_PRIVATE)?, envelope_key(hash))?)
    }

    /// Purges a sealed envelope; whether it was here.
    pub fn delete_envelope(&self, hash: &EnvelopeHash) -> Result<bool, StoreError> {
        let here = self.envelope(hash)?.is_some();
        self.db
            .delete_cf(cf(&self.db, CF_PRIVATE)?, envelope_key(hash))?;
        Ok(here)
    }

    /// Calls `f` with every key and value of every column family (name,
    /// key, value): for audits of what a node stores, e.g. that no hidden
    /// value is in it.
    pub fn for_each_raw(&self, mut f: impl FnMut(&str, &[u8], &[u8])) -> Result<(), StoreError> {
        for name in ALL_CFS {
            for item in self
                .db
                .iterator_cf(cf(&self.db, name)?, rocksdb::IteratorMode::Start)
            {
                let (k, v) = item?;
                f(name, &k, &v);
            }
        }
        Ok(())
    }

    /// The entry bytes at `index`.
    pub fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        if index >= self.head().size {
            return Ok(None);
        }
        Ok(self.db.get_cf(cf(&self.db, CF_ENTRIES)?, u64_key(index))?)
    }

    /// Entries `[start, end)`, which must lie within the log.
    pub fn entries(&self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        check_range(self.head(), start, end)?;
        let entries_cf = cf(&self.db, CF_ENTRIES)?;
        let mut out = Vec::with_capacity((end - start) as usize);
        let iter = self.db.iterator_cf(
            entries_cf,
            rocksdb::IteratorMode::From(&u64_key(start), rocksdb::Direction::Forward),
        );
        for item in iter {
            let (k, v) = item?;
            let i = read_u64(&k).ok_or_else(|| StoreError::Corrupt("entry key".into()))?;
            if i >= end {
                break;
            }
            if i != start + out.len() as u64 {
                return Err(StoreError::Corrupt(format!("entry {i} out of sequence")));
            }
            out.push((i, v.to_vec()));
        }
        if out.len() as u64 != end - start {
            return Err(StoreError::Corrupt(format!(
                "entries [{start}, {end}) incomplete"
            )));
        }
        Ok(out)
    }

    /// Log index of a transaction, if it is in the log.
    pub fn tx_index(&self, id: &TxId) -> Result<Option<u64>, StoreError> {
        let Some(v) = self.db.get_cf(cf(&self.db, CF_TX_INDEX)?, id.0)? else {
            return Ok(None);
        };
        let i = read_u64(&v).ok_or_else(|| StoreError::Corrupt("tx index value".into()))?;
        // The index is written in the same batch as the entry; an index beyond the
        // head can only be seen during the instant before the head is published.
        Ok((i < self.head().size).then_some(i))
    }

    /// The Merkle root of the first `size` entries.
    pub fn root_at(&self, size: u64) -> Result<Hash, StoreError> {
        self.check_size(size)?;
        Ok(merkle::root::<Blake3Hasher, _>(
            &DbNodes::new(&self.db)?,
            size,
        )?)
    }

    /// Audit path for entry `index` in the tree of `size` entries.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        self.check_size(size)?;
        Ok(merkle::inclusion_proof::<Blake3Hasher, _>(
            &DbNodes::new(&self.db)?,
            index,
            size,
        )?)
    }

    /// Consistency proof between the trees of `old` and `new` entries.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        self.check_size(new)?;
        Ok(merkle::consistency_proof::<Blake3Hasher, _>(
            &DbNodes::new(&self.db)?,
            old,
            new,
        )?)
    }

    fn check_size(&self, size: u64) -> Result<(), StoreError> {
        check_size(self.head(), size)
    }

    /// The signed checkpoint stored for exactly `size`, if any.
    pub fn checkpoint_at(&self, size: u64) -> Result<Option<String>, StoreError> {
        let v = self
            .db
            .get_cf(cf(&self.db, CF_CHECKPOINTS)?, u64_key(size))?;
        v.map(|b| String::from_utf8(b).map_err(|_| StoreError::Corrupt("checkpoint text".into())))
            .transpose()
    }

    /// The newest stored checkpoint (for the head, unless the node does not sign).
    pub fn latest_checkpoint(&self) -> Result<Option<String>, StoreError> {
        let mut iter = self
            .db
            .iterator_cf(cf(&self.db, CF_CHECKPOINTS)?, rocksdb::IteratorMode::End);
        match iter.next() {
            Some(item) => {
                let (_, v) = item?;
                Ok(Some(String::from_utf8(v.to_vec()).map_err(|_| {
                    StoreError::Corrupt("checkpoint text".into())
                })?))
            }
            None => Ok(None),
        }
    }

    /// Every organisation, ordered by id.
    pub fn orgs(&self) -> Result<Vec<(OrgId, OrgState)>, StoreError> {
        let mut out = Vec::new();
        let iter = self.db.iterator_cf(
            cf(&self.db, CF_STATE)?,
            rocksdb::IteratorMode::From(&[STATE_ORG_PREFIX], rocksdb::Direction::Forward),
        );
        for item in iter {
            let (k, v) = item?;
            if k.first() != Some(&STATE_ORG_PREFIX) {
                break;
            }
            let id: [u8; 16] = k[1..]
                .try_into()
                .map_err(|_| StoreError::Corrupt("org key".into()))?;
            out.push((OrgId(id), decode_stored(&v)?));
        }
        Ok(out)
    }

    /// The network's genesis facts.
    pub fn network(&self) -> Result<Option<NetworkInfo>, StoreError> {
        self.get_state(STATE_NETWORK)
    }

    /// Recomputes every leaf hash from the stored entries, the root of every
    /// stored checkpoint from the recomputed leaves, and checks the stored tree
    /// and the head agree. Errors name the first disagreement.
    pub fn check_integrity(&self) -> Result<IntegrityReport, StoreError> {
        let head = self.head();
        let mut tree = merkle::MemoryTree::<Blake3Hasher>::new();
        let stored = DbNodes::new(&self.db)?;
        let mut next = 0u64;
        while next < head.size {
            let end = (next + 4096).min(head.size);
            for (i, entry) in self.entries(next, end)? {
                let leaf = Blake3Hasher::hash_leaf(&entry);
                if stored.perfect_node(0, i)? != leaf {
                    return Err(StoreError::Corrupt(format!(
                        "leaf {i} does not match its entry"
                    )));
                }
                tree.push_leaf_hash(leaf);
            }
            next = end;
        }
        if tree.root() != head.root {
            return Err(StoreError::Corrupt(
                "stored tree root differs from recomputed root".into(),
            ));
        }
        let mut checkpoints = 0;
        for item in self
            .db
            .iterator_cf(cf(&self.db, CF_CHECKPOINTS)?, rocksdb::IteratorMode::Start)
        {
            let (_, v) = item?;
            let text = String::from_utf8(v.to_vec())
                .map_err(|_| StoreError::Corrupt("checkpoint text".into()))?;
            let note = SignedNote::parse(&text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let cp = note
                .checkpoint()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if cp.size > head.size || tree.root_at(cp.size)? != cp.root {
                return Err(StoreError::Corrupt(format!(
                    "checkpoint at size {} does not match the entries",
                    cp.size
                )));
            }
            checkpoints += 1;
        }
        Ok(IntegrityReport {
            entries: head.size,
            checkpoints,
            root: tree.root(),
        })
    }
}

impl StateView for Store {
    fn network(&self) -> Result<Option<NetworkInfo>, StateError> {
        Ok(Store::network(self)?)
    }
    fn org(&self, id: &OrgId) -> Result<Option<OrgState>, StateError> {
        Ok(self.get_state(&org_key(id))?)
    }
    fn nonce_used(&self, org: &OrgId, nonce: u64) -> Result<bool, StateError> {
        let cf = cf(&self.db, CF_STATE)?;
        Ok(self
            .db
            .get_pinned_cf(cf, nonce_key(org, nonce))
            .map_err(StoreError::from)?
            .is_some())
    }
    fn governance(&self) -> Result<Vec<OrgId>, StateError> {
        Ok(self.get_state(STATE_GOVERNANCE)?.unwrap_or_default())
    }
    fn observers(&self) -> Result<Vec<ObserverNode>, StateError> {
        Ok(self.get_state(STATE_OBSERVERS)?.unwrap_or_default())
    }
    fn validator_epochs(&self) -> Result<Vec<ValidatorEpoch>, StateError> {
        match self.get_state(STATE_VALIDATORS)? {
            Some(epochs) => Ok(epochs),
            None => Ok(Store::network(self)?
                .map(|n| vec![ValidatorEpoch::genesis(&n)])
                .unwrap_or_default()),
        }
    }
    fn retired_keys(&self, org: &OrgId) -> Result<Vec<RetiredKey>, StateError> {
        Ok(self.get_state(&retired_keys_key(org))?.unwrap_or_default())
    }
    fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, StateError> {
        Ok(self.get_state(&record_key(STATE_FACTOR_PREFIX, r))?)
    }
    fn rule(&self, r: &RecordRef) -> Result<Option<RuleState>, StateError> {
        Ok(self.get_state(&record_key(STATE_RULE_PREFIX, r))?)
    }
    fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, StateError> {
        Ok(self.get_state(&tx_key(STATE_FOOTPRINT_PREFIX, id))?)
    }
    fn certificate(&self, id: &str) -> Result<Option<CertificateState>, StateError> {
        Ok(self.get_state(&certificate_key(id))?)
    }
}

impl Store {
    fn get_state<T: borsh::BorshDeserialize>(&self, key: &[u8]) -> Result<Option<T>, StoreError> {
        self.db
            .get_cf(cf(&self.db, CF_STATE)?, key)?
            .map(|v| decode_stored(&v))
            .transpose()
    }

    /// Every state record under a one-byte prefix, decoded, with its key.
    fn scan_state<T: borsh::BorshDeserialize>(
        &self,
        prefix: &[u8],
    ) -> Result<Vec<(Vec<u8>, T)>, StoreError> {
        let mut out = Vec::new();
        let iter = self.db.iterator_cf(
            cf(&self.db, CF_STATE)?,
            rocksdb::IteratorMode::From(prefix, rocksdb::Direction::Forward),
        );
        for item in iter {
            let (k, v) = item?;
            if !k.starts_with(prefix) {
                break;
            }
            out.push((k.to_vec(), decode_stored(&v)?));
        }
        Ok(out)
    }

    /// Keys (without the prefix) of an index with no values.
    fn scan_keys(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut out = Vec::new();
        let iter = self.db.iterator_cf(
            cf(&self.db, CF_STATE)?,
            rocksdb::IteratorMode::From(prefix, rocksdb::Direction::Forward),
        );
        for item in iter {
            let (k, _) = item?;
            if !k.starts_with(prefix) {
                break;
            }
            out.push(k[prefix.len()..].to_vec());
        }
        Ok(out)
    }

    /// The decision recorded for a consensus height.
    pub fn decided(&self, height: u64) -> Result<Option<DecidedRecord>, StoreError> {
        self.db
            .get_cf(cf(&self.db, CF_CONSENSUS)?, u64_key(height))?
            .map(|v| {
                encoding::decode(&v, MAX_DECIDED_RECORD)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .transpose()
    }

    /// The highest consensus height decided and applied, if any.
    pub fn last_decided(&self) -> Result<Option<u64>, StoreError> {
        let mut iter = self
            .db
            .iterator_cf(cf(&self.db, CF_CONSENSUS)?, rocksdb::IteratorMode::End);
        match iter.next() {
            Some(item) => {
                let (k, _) = item?;
                Ok(Some(read_u64(&k).ok_or_else(|| {
                    StoreError::Corrupt("consensus key".into())
                })?))
            }
            None => Ok(None),
        }
    }

    /// Every factor version, ordered by id then version.
    pub fn factors(&self) -> Result<Vec<FactorState>, StoreError> {
        Ok(self
            .scan_state::<FactorState>(&[STATE_FACTOR_PREFIX])?
            .into_iter()
            .map(|(_, v)| v)
            .collect())
    }

    /// Every version of one factor id, oldest first.
    pub fn factor_versions(&self, id: &str) -> Result<Vec<FactorState>, StoreError> {
        let mut prefix = vec![STATE_FACTOR_PREFIX];
        prefix.extend_from_slice(id.as_bytes());
        prefix.push(0);
        Ok(self
            .scan_state::<FactorState>(&prefix)?
            .into_iter()
            .map(|(_, v)| v)
            .collect())
    }

    /// Every rule version.
    pub fn rules(&self) -> Result<Vec<RuleState>, StoreError> {
        Ok(self
            .scan_state::<RuleState>(&[STATE_RULE_PREFIX])?
            .into_iter()
            .map(|(_, v)| v)
            .collect())
    }

    /// Every footprint attestation, in id order.
    pub fn footprints(&self) -> Result<Vec<FootprintState>, StoreError> {
        Ok(self
            .scan_state::<FootprintState>(&[STATE_FOOTPRINT_PREFIX])?
            .into_iter()
            .map(|(_, v)| v)
            .collect())
    }

    /// Every certificate, in id order.
    pub fn certificates(&self) -> Result<Vec<CertificateState>, StoreError> {
        Ok(self
            .scan_state::<CertificateState>(&[STATE_CERTIFICATE_PREFIX])?
            .into_iter()
            .map(|(_, v)| v)
            .collect())
    }

    /// Attestations that use `upstream` directly as an input.
    pub fn downstream_of(&self, upstream: &TxId) -> Result<Vec<TxId>, StoreError> {
        let mut prefix = vec![STATE_USES_FOOTPRINT_PREFIX];
        prefix.extend_from_slice(&upstream.0);
        self.scan_keys(&prefix)?
            .into_iter()
            .map(|k| {
                <[u8; 32]>::try_from(k.as_slice())
                    .map(TxId)
                    .map_err(|_| StoreError::Corrupt("uses index key".into()))
            })
            .collect()
    }

    /// Attestations that use the factor version `factor` directly.
    pub fn footprints_using_factor(&self, factor: &RecordRef) -> Result<Vec<TxId>, StoreError> {
        let prefix = record_key(STATE_USES_FACTOR_PREFIX, factor);
        self.scan_keys(&prefix)?
            .into_iter()
            .map(|k| {
                <[u8; 32]>::try_from(k.as_slice())
                    .map(TxId)
                    .map_err(|_| StoreError::Corrupt("factor uses index key".into()))
            })
            .collect()
    }
}

impl Store {
    /// The highest nonce `org` has used, if any (a hint for picking the next one).
    pub fn last_nonce(&self, org: &OrgId) -> Result<Option<u64>, StoreError> {
        let mut upper = [0xffu8; 25];
        upper[0] = STATE_NONCE_PREFIX;
        upper[1..17].copy_from_slice(&org.0);
        let mut iter = self.db.iterator_cf(
            cf(&self.db, CF_STATE)?,
            rocksdb::IteratorMode::From(&upper, rocksdb::Direction::Reverse),
        );
        match iter.next() {
            Some(item) => {
                let (k, _) = item?;
                if k.len() == 25 && k[0] == STATE_NONCE_PREFIX && k[1..17] == org.0 {
                    Ok(read_u64(&k[17..]))
                } else {
                    Ok(None)
                }
            }
            None => Ok(None),
        }
    }
}

pub(super) fn cf<'a>(db: &'a DB, name: &str) -> Result<&'a rocksdb::ColumnFamily, StoreError> {
    db.cf_handle(name)
        .ok_or_else(|| StoreError::Corrupt(format!("missing column family {name}")))
}

fn decode_stored<T: borsh::BorshDeserialize>(bytes: &[u8]) -> Result<T, StoreError> {
    encoding::decode(bytes, MAX_STORED_VALUE).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl NodeSource for Store {
    fn perfect_node(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        DbNodes::new(&self.db)
            .map_err(|e| MerkleError::Source(e.to_string()))?
            .perfect_node(level, index)
    }
}

/// Every method is the inherent one of the same name.
impl LedgerRead for Store {
    fn head(&self) -> Head {
        Store::head(self)
    }
    fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Store::entry(self, index)
    }
    fn entries(&self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        Store::entries(self, start, end)
    }
    fn tx_index(&self, id: &TxId) -> Result<Option<u64>, StoreError> {
        Store::tx_index(self, id)
    }
    fn root_at(&self, size: u64) -> Result<Hash, StoreError> {
        Store::root_at(self, size)
    }
    fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        Store::inclusion_proof(self, index, size)
    }
    fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        Store::consistency_proof(self, old, new)
    }
    fn checkpoint_at(&self, size: u64) -> Result<Option<String>, StoreError> {
        Store::checkpoint_at(self, size)
    }
    fn latest_checkpoint(&self) -> Result<Option<String>, StoreError> {
        Store::latest_checkpoint(self)
    }
    fn decided(&self, height: u64) -> Result<Option<DecidedRecord>, StoreError> {
        Store::decided(self, height)
    }
    fn last_decided(&self) -> Result<Option<u64>, StoreError> {
        Store::last_decided(self)
    }
    fn orgs(&self) -> Result<Vec<(OrgId, OrgState)>, StoreError> {
        Store::orgs(self)
    }
    fn factors(&self) -> Result<Vec<FactorState>, StoreError> {
        Store::factors(self)
    }
    fn factor_versions(&self, id: &str) -> Result<Vec<FactorState>, StoreError> {
        Store::factor_versions(self, id)
    }
    fn rules(&self) -> Result<Vec<RuleState>, StoreError> {
        Store::rules(self)
    }
    fn footprints(&self) -> Result<Vec<FootprintState>, StoreError> {
        Store::footprints(self)
    }
    fn certificates(&self) -> Result<Vec<CertificateState>, StoreError> {
        Store::certificates(self)
    }
    fn downstream_of(&self, upstream: &TxId) -> Result<Vec<TxId>, StoreError> {
        Store::downstream_of(self, upstream)
    }
    fn footprints_using_factor(&self, factor: &RecordRef) -> Result<Vec<TxId>, StoreError> {
        Store::footprints_using_factor(self, factor)
    }
    fn last_nonce(&self, org: &OrgId) -> Result<Option<u64>, StoreError> {
        Store::last_nonce(self, org)
    }
    fn envelope(&self, hash: &EnvelopeHash) -> Result<Option<Vec<u8>>, StoreError> {
        Store::envelope(self, hash)
    }
}

impl PrivateRecords for Store {
    fn private_get(&self, namespace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .db
            .get_cf(cf(&self.db, CF_PRIVATE)?, private_key(namespace, key))?)
    }
    fn private_put(&self, namespace: &str, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.db.put_cf(
            cf(&self.db, CF_PRIVATE)?,
            private_key(namespace, key),
            value,
        )?;
        Ok(())
    }
    fn private_delete(&self, namespace: &str, key: &[u8]) -> Result<bool, StoreError> {
        let here = self.private_get(namespace, key)?.is_some();
        self.db
            .delete_cf(cf(&self.db, CF_PRIVATE)?, private_key(namespace, key))?;
        Ok(here)
    }
    fn private_list(&self, namespace: &str) -> Result<Vec<PrivateRecord>, StoreError> {
        let mut out = Vec::new();
        self.private_scan(namespace, |k, v| out.push((k.to_vec(), v.to_vec())))?;
        Ok(out)
    }
    fn private_keys(&self, namespace: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut out = Vec::new();
        self.private_scan(namespace, |k, _| out.push(k.to_vec()))?;
        Ok(out)
    }
}

impl Store {
    /// Calls `f` with each record (key within the namespace, value) of
    /// `namespace`, in key order, at most [`MAX_PRIVATE_LIST`].
    fn private_scan(
        &self,
        namespace: &str,
        mut f: impl FnMut(&[u8], &[u8]),
    ) -> Result<(), StoreError> {
        let prefix = private_prefix(namespace);
        let iter = self.db.iterator_cf(
            cf(&self.db, CF_PRIVATE)?,
            rocksdb::IteratorMode::From(&prefix, rocksdb::Direction::Forward),
        );
        for (n, item) in iter.enumerate() {
            let (k, v) = item?;
            let Some(key) = k.strip_prefix(prefix.as_slice()) else {
                break;
            };
            if n == MAX_PRIVATE_LIST {
                break;
            }
            f(key, &v);
        }
        Ok(())
    }
}

impl EnvelopeWrite for Store {
    fn put_envelope(&self, hash: &EnvelopeHash, bytes: &[u8]) -> Result<(), StoreError> {
        Store::put_envelope(self, hash, bytes)
    }
    fn delete_envelope(&self, hash: &EnvelopeHash) -> Result<bool, StoreError> {
        Store::delete_envelope(self, hash)
    }
}
