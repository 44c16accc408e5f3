//! RocksDB storage of the log and its derived state.
//!
//! One column family per concern (see [`keys`]): entries, perfect Merkle
//! subtree hashes, signed checkpoints, state, the tx-id index and private
//! data. Every batch of transactions is written as **one** atomic
//! `WriteBatch`: its entries, the tree nodes they complete, the state they
//! change, the new size and the new checkpoint. A process killed at any
//! instant therefore reopens either before or after a whole batch, never in
//! between, and [`Store::check_integrity`] can prove it.
//!
//! Only one writer appends (a mutex serialises [`Store::append_batch`]);
//! readers never block. Everything below the head is immutable, so reads
//! need no snapshot: the head is published after the batch is durable.

pub mod keys;
mod tree_source;

use std::path::Path;
use std::sync::{Mutex, RwLock};

use rocksdb::{ColumnFamilyDescriptor, Options, WriteBatch, WriteOptions, DB};

use crate::carbon::{CertificateState, FactorState, FootprintState, RecordRef, RuleState};
use crate::checkpoint::{Checkpoint, NoteSigner, SignedNote};
use crate::crypto::PublicKey;
use crate::encoding;
use crate::ids::{OrgId, TxId};
use crate::merkle::{self, Blake3Hasher, Hash, MerkleError, MerkleHasher, NodeSource};
use crate::sealed::EnvelopeHash;
use crate::state::{NetworkInfo, OrgState, PendingState, StateChange, StateError, StateView};
use crate::tx::{ObserverNode, SignedTx};
use crate::validate::{self, TxError};
use keys::*;
use tree_source::{DbNodes, OverlayNodes};

/// Largest stored value we are willing to decode (state records, entries).
const MAX_STORED_VALUE: usize = 1024 * 1024;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// RocksDB failed.
    #[error("rocksdb: {0}")]
    Db(#[from] rocksdb::Error),
    /// Stored bytes did not decode: the database is damaged.
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// A Merkle computation failed (out of range request or missing node).
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// A request outside the log.
    #[error("{0}")]
    OutOfRange(String),
}

impl From<StoreError> for StateError {
    fn from(e: StoreError) -> Self {
        StateError(e.to_string())
    }
}

/// The log's current size and root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// Number of entries.
    pub size: u64,
    /// Merkle root of all entries.
    pub root: Hash,
}

/// A transaction waiting to be appended.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The transaction.
    pub tx: SignedTx,
    /// Its id.
    pub id: TxId,
    /// Its canonical encoding (the entry bytes).
    pub entry: Vec<u8>,
    /// Signatures already verified for it at admission.
    pub verified: Vec<(OrgId, PublicKey)>,
    /// Its zero-knowledge proof (if any) already verified at admission.
    pub proof_verified: bool,
}

impl Candidate {
    /// Prepares a transaction with no pre-verified signatures.
    pub fn new(tx: SignedTx) -> Self {
        let entry = tx.encode();
        let id = tx.id();
        Self {
            tx,
            id,
            entry,
            verified: Vec::new(),
            proof_verified: false,
        }
    }
}

/// A batch as decided by the ordering engine at one consensus height.
#[derive(Clone, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct DecidedRecord {
    /// Consensus height (1, 2, ...).
    pub height: u64,
    /// The decided value's id (the batch id).
    pub value_id: [u8; 32],
    /// The engine's commit certificate, in the engine's codec.
    pub certificate: Vec<u8>,
    /// The batch exactly as decided (invalid transactions included), in the engine's codec.
    pub batch: Vec<u8>,
    /// Log size before the batch (filled in by the store).
    pub first_index: u64,
    /// Log size after the batch (filled in by the store).
    pub size_after: u64,
}

/// Largest decision record read back.
const MAX_DECIDED_RECORD: usize = 64 * 1024 * 1024;

/// What happened to each candidate of a batch.
#[derive(Debug)]
pub struct BatchOutcome {
    /// Per candidate, in order: its log index, or why it was refused.
    pub results: Vec<(TxId, Result<u64, TxError>)>,
    /// The head after the batch.
    pub head: Head,
    /// The new checkpoint, if any entry was appended.
    pub checkpoint: Option<SignedNote>,
}

/// The result of [`Store::check_integrity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrityReport {
    /// Entries read and re-hashed.
    pub entries: u64,
    /// Checkpoints whose root was recomputed and matched.
    pub checkpoints: u64,
    /// The recomputed root of the whole log.
    pub root: Hash,
}

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
        let expected = self
            .last_decided()?
            .map_or(1, |last| last.saturating_add(1));
        if decided.height != expected {
            return Err(StoreError::OutOfRange(format!(
                "decided height {} is not the next height, {expected}",
                decided.height
            )));
        }
        self.append(candidates, signer, Some(decided))
    }

    fn append(
        &self,
        candidates: &[Candidate],
        signer: Option<&NoteSigner>,
        decided: Option<&DecidedRecord>,
    ) -> Result<BatchOutcome, StoreError> {
        let _guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let head = self.head();
        let db_nodes = DbNodes::new(&self.db)?;
        let mut nodes = OverlayNodes::new(&db_nodes);
        let mut pending = PendingState::new(self);
        let mut batch = WriteBatch::default();
        let mut results = Vec::with_capacity(candidates.len());
        let mut size = head.size;
        for c in candidates {
            let pre = validate::PreVerified {
                signatures: &c.verified,
                proof: c.proof_verified,
            };
            match validate::check_verified(&pending, &c.tx, size, pre) {
                Ok(accepted) => {
                    pending.apply(accepted.changes);
                    let leaf = Blake3Hasher::hash_leaf(&c.entry);
                    for n in
                        merkle::nodes_completed_by_append::<Blake3Hasher, _>(&nodes, size, leaf)?
                    {
                        batch.put_cf(cf(&self.db, CF_TREE)?, tree_key(n.level, n.index), n.hash);
                        nodes.insert(n.level, n.index, n.hash);
                    }
                    batch.put_cf(cf(&self.db, CF_ENTRIES)?, u64_key(size), &c.entry);
                    batch.put_cf(cf(&self.db, CF_TX_INDEX)?, c.id.0, u64_key(size));
                    results.push((c.id, Ok(size)));
                    size += 1;
                }
                Err(e) => results.push((c.id, Err(e))),
            }
        }
        if let Some(d) = decided {
            let record = DecidedRecord {
                first_index: head.size,
                size_after: size,
                ..d.clone()
            };
            batch.put_cf(
                cf(&self.db, CF_CONSENSUS)?,
                u64_key(record.height),
                encoding::encode(&record),
            );
        }
        if size == head.size {
            if decided.is_some() {
                let mut wo = WriteOptions::default();
                wo.set_sync(self.sync);
                self.db.write_opt(batch, &wo)?;
            }
            return Ok(BatchOutcome {
                results,
                head,
                checkpoint: None,
            });
        }
        let changes = pending.into_changes();
        let state_cf = cf(&self.db, CF_STATE)?;
        let mut network_name = None;
        for change in &changes {
            match change {
                StateChange::Network(n) => {
                    network_name = Some(n.network.clone());
                    batch.put_cf(state_cf, STATE_NETWORK, encoding::encode(n));
                }
                StateChange::Org(id, s) => batch.put_cf(state_cf, org_key(id), encoding::encode(s)),
                StateChange::Nonce(id, n) => batch.put_cf(state_cf, nonce_key(id, *n), []),
                StateChange::Governance(g) => {
                    batch.put_cf(state_cf, STATE_GOVERNANCE, encoding::encode(g))
                }
                StateChange::Observers(o) => {
                    batch.put_cf(state_cf, STATE_OBSERVERS, encoding::encode(o))
                }
                StateChange::Factor(r, f) => batch.put_cf(
                    state_cf,
                    record_key(STATE_FACTOR_PREFIX, r),
                    encoding::encode(f.as_ref()),
                ),
                StateChange::Rule(r, f) => batch.put_cf(
                    state_cf,
                    record_key(STATE_RULE_PREFIX, r),
                    encoding::encode(f.as_ref()),
                ),
                StateChange::Footprint(id, f) => batch.put_cf(
                    state_cf,
                    tx_key(STATE_FOOTPRINT_PREFIX, id),
                    encoding::encode(f.as_ref()),
                ),
                StateChange::Certificate(id, c) => {
                    batch.put_cf(state_cf, certificate_key(id), encoding::encode(c.as_ref()))
                }
                StateChange::UsesFootprint {
                    upstream,
                    downstream,
                } => batch.put_cf(state_cf, uses_footprint_key(upstream, downstream), []),
                StateChange::UsesFactor { factor, footprint } => {
                    batch.put_cf(state_cf, uses_factor_key(factor, footprint), [])
                }
            }
        }
        batch.put_cf(state_cf, STATE_SIZE, u64_key(size));
        let root = merkle::root::<Blake3Hasher, _>(&nodes, size)?;
        let origin = match network_name {
            Some(n) => n,
            None => self
                .network()?
                .map(|n| n.network)
                .ok_or_else(|| StoreError::Corrupt("entries but no network".into()))?,
        };
        let checkpoint = signer.map(|s| {
            let text = Checkpoint {
                origin: &origin,
                size,
                root,
            }
            .text();
            SignedNote::sign(text, &s.name, &s.key)
        });
        if let Some(note) = &checkpoint {
            batch.put_cf(
                cf(&self.db, CF_CHECKPOINTS)?,
                u64_key(size),
                note.to_string(),
            );
        }
        let mut wo = WriteOptions::default();
        wo.set_sync(self.sync);
        self.db.write_opt(batch, &wo)?;
        let new_head = Head { size, root };
        *self.head.write().unwrap_or_else(|e| e.into_inner()) = new_head;
        Ok(BatchOutcome {
            results,
            head: new_head,
            checkpoint,
        })
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
        let size = self.head().size;
        if start > end || end > size {
            return Err(StoreError::OutOfRange(format!(
                "entries [{start}, {end}) are not within the log of size {size}"
            )));
        }
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
        let head = self.head().size;
        if size > head {
            return Err(StoreError::OutOfRange(format!(
                "size {size} is beyond the log's size {head}"
            )));
        }
        Ok(())
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

fn cf<'a>(db: &'a DB, name: &str) -> Result<&'a rocksdb::ColumnFamily, StoreError> {
    db.cf_handle(name)
        .ok_or_else(|| StoreError::Corrupt(format!("missing column family {name}")))
}

fn decode_stored<T: borsh::BorshDeserialize>(bytes: &[u8]) -> Result<T, StoreError> {
    encoding::decode(bytes, MAX_STORED_VALUE).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests;
