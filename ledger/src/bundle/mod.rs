//! Offline verification bundles: everything needed to check, without the
//! network, that an entry is in the log that a quorum of validators signed.
//!
//! A bundle holds the entry, its inclusion proof, the signed checkpoint the
//! proof leads to, and the validator keys (C2SP vkeys) with the quorum it was
//! checked against. It is what a carbon label's QR code resolves to. The
//! verifier should pin the validator keys it trusts; the keys inside a bundle
//! only say which set the node claimed. A verifier that pins an older set
//! (the genesis keys, say) follows the bundle's validator set changes
//! ([`set_changes`]) from it to the set that signed the checkpoint.

mod set_changes;

pub use set_changes::{follow, SetChangeLink, TrustedSet, MAX_SET_CHANGES};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::checkpoint::{NoteError, NoteVerifier, SignedNote};
use crate::ids::{OrgId, TxId};
use crate::merkle::{self, Blake3Hasher, Hash, MerkleHasher, ProofError};
use crate::tx::{FormError, SignedTx};

/// The bundle format tag.
pub const BUNDLE_FORMAT: &str = "tanji-inclusion-bundle/v1";
/// Largest bundle file accepted.
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024;

/// An entry, its inclusion proof, and the cosigned checkpoint it leads to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct InclusionBundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// The transaction's id.
    pub tx_id: TxId,
    /// Its index in the log.
    pub index: u64,
    /// The entry bytes, base64.
    pub entry: String,
    /// The audit path, base64 hashes, leaf to root.
    pub proof: Vec<String>,
    /// The signed checkpoint (C2SP signed note).
    pub checkpoint: String,
    /// Validator keys as C2SP vkeys.
    pub validators: Vec<String>,
    /// Valid validator signatures required on the checkpoint.
    pub quorum: usize,
    /// The validator set changes since the genesis in force at the
    /// checkpoint, for verifiers that pin the genesis keys (absent if none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_changes: Vec<SetChangeLink>,
}

/// What a successful verification established.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BundleReport {
    /// The transaction's id (recomputed from the entry).
    pub tx_id: TxId,
    /// Its kind.
    pub kind: &'static str,
    /// Its author.
    pub author: OrgId,
    /// Its index.
    pub index: u64,
    /// The checkpoint's size.
    pub tree_size: u64,
    /// The checkpoint's root, hex.
    pub root: String,
    /// Network (checkpoint origin).
    pub network: String,
    /// Valid validator signatures on the checkpoint.
    pub signatures: usize,
    /// Required.
    pub quorum: usize,
    /// Whether the keys came from the caller (pinned) or only from the bundle.
    pub keys_pinned: bool,
    /// Validator set changes followed from the pinned keys.
    pub set_changes_followed: usize,
}

/// Why a bundle did not verify.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not a bundle.
    #[error("malformed bundle: {0}")]
    Malformed(String),
    /// The entry is not a valid transaction.
    #[error("entry: {0}")]
    Entry(#[from] FormError),
    /// The entry is not the transaction the bundle names.
    #[error("entry has id {actual}, bundle says {claimed}")]
    WrongTx {
        /// Recomputed.
        actual: TxId,
        /// Claimed.
        claimed: TxId,
    },
    /// The proof does not lead to the checkpoint's root.
    #[error("inclusion proof: {0}")]
    Proof(#[from] ProofError),
    /// The checkpoint is malformed or not signed by a quorum.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] NoteError),
    /// The certificate does not hold (grade, rule, tree).
    #[error("certificate: {0}")]
    Certificate(String),
    /// A validator set change link does not hold.
    #[error("validator set change {link}: {why}")]
    SetChange {
        /// Its position in the bundle's `set_changes`.
        link: usize,
        /// What is wrong.
        why: String,
    },
    /// The checkpoint is for another network than the entry.
    #[error("checkpoint origin {origin:?} is not the entry's network {network:?}")]
    WrongNetwork {
        /// Checkpoint origin.
        origin: String,
        /// The entry's network.
        network: String,
    },
}

impl InclusionBundle {
    /// Parses a bundle from JSON text, bounded.
    pub fn from_json(text: &str) -> Result<Self, BundleError> {
        if text.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::Malformed(format!(
                "{} bytes, more than {MAX_BUNDLE_BYTES}",
                text.len()
            )));
        }
        let b: Self =
            serde_json::from_str(text).map_err(|e| BundleError::Malformed(e.to_string()))?;
        if b.format != BUNDLE_FORMAT {
            return Err(BundleError::Malformed(format!(
                "unknown format {:?}",
                b.format
            )));
        }
        Ok(b)
    }

    /// Checks the bundle: the entry decodes and is the named transaction, the
    /// proof leads from its leaf hash to the checkpoint's root, and the
    /// checkpoint carries `quorum` valid signatures from the validator keys.
    /// With `pinned`, those keys (and their quorum) replace the bundle's own.
    pub fn verify(
        &self,
        pinned: Option<(&[NoteVerifier], usize)>,
    ) -> Result<BundleReport, BundleError> {
        let entry = B64
            .decode(&self.entry)
            .map_err(|_| BundleError::Malformed("entry is not base64".into()))?;
        let tx = SignedTx::decode(&entry)?;
        let id = tx.id();
        if id != self.tx_id {
            return Err(BundleError::WrongTx {
                actual: id,
                claimed: self.tx_id,
            });
        }
        if self.proof.len() > 64 {
            return Err(BundleError::Malformed("proof longer than 64 hashes".into()));
        }
        let proof = self
            .proof
            .iter()
            .map(|h| decode_hash(h))
            .collect::<Result<Vec<Hash>, _>>()?;
        let note = SignedNote::parse(&self.checkpoint)?;
        let cp = note.checkpoint()?;
        if cp.origin != tx.body.network {
            return Err(BundleError::WrongNetwork {
                origin: cp.origin.to_string(),
                network: tx.body.network.clone(),
            });
        }
        let leaf = Blake3Hasher::hash_leaf(&entry);
        merkle::verify_inclusion::<Blake3Hasher>(&leaf, self.index, cp.size, &proof, &cp.root)?;
        let (set, followed) = checkpoint_set(
            pinned,
            &self.validators,
            self.quorum,
            &self.set_changes,
            cp.origin,
            cp.size,
        )?;
        let quorum = set.quorum;
        let signatures = note.verify(&set.keys, quorum)?;
        Ok(BundleReport {
            tx_id: id,
            kind: tx.body.kind.name(),
            author: tx.body.author,
            index: self.index,
            tree_size: cp.size,
            root: hex::encode(cp.root),
            network: cp.origin.to_string(),
            signatures,
            quorum,
            keys_pinned: pinned.is_some(),
            set_changes_followed: followed,
        })
    }
}

/// The set a bundle's checkpoint (of network `origin`, size `size`) must be
/// signed by, and how many set changes were followed to it: the `pinned`
/// set carried forward through `set_changes`, or, unpinned, the set the
/// bundle names (its changes are then not needed).
fn checkpoint_set(
    pinned: Option<(&[NoteVerifier], usize)>,
    validators: &[String],
    quorum: usize,
    set_changes: &[SetChangeLink],
    origin: &str,
    size: u64,
) -> Result<(TrustedSet, usize), BundleError> {
    match pinned {
        Some((keys, quorum)) => {
            let start = TrustedSet {
                keys: keys.to_vec(),
                quorum,
            };
            Ok((follow(start, set_changes, origin, size)?, set_changes.len()))
        }
        None => Ok((
            TrustedSet {
                keys: parse_vkeys(validators)?,
                quorum,
            },
            0,
        )),
    }
}

/// Parses the validator keys a bundle carries (bounded).
fn parse_vkeys(vkeys: &[String]) -> Result<Vec<NoteVerifier>, BundleError> {
    if vkeys.len() > crate::checkpoint::MAX_SIGNATURES {
        return Err(BundleError::Malformed("too many validator keys".into()));
    }
    Ok(vkeys
        .iter()
        .map(|v| NoteVerifier::from_vkey(v))
        .collect::<Result<_, _>>()?)
}

/// Decodes one base64 hash.
pub fn decode_hash(s: &str) -> Result<Hash, BundleError> {
    let bytes = B64
        .decode(s)
        .map_err(|_| BundleError::Malformed(format!("{s:.60} is not base64")))?;
    bytes
        .try_into()
        .map_err(|_| BundleError::Malformed("a hash is not 32 bytes".into()))
}

/// The certificate bundle format tag.
pub const CERTIFICATE_BUNDLE_FORMAT: &str = "tanji-certificate-bundle/v1";
/// Most entries in a certificate bundle.
pub const MAX_BUNDLE_ENTRIES: usize = 2_000;

/// One log entry with its inclusion proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct BundleEntry {
    /// Index in the log.
    pub index: u64,
    /// Entry bytes, base64.
    pub entry: String,
    /// Audit path to the bundle's checkpoint, base64 hashes.
    pub proof: Vec<String>,
}

/// Why entries could not be proven from a ledger.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// The ledger has no signed checkpoint yet.
    #[error("no checkpoint yet")]
    NoCheckpoint,
    /// The checkpoint that links a validator set change is not stored here.
    #[error("the checkpoint of size {size} (the link of the validator set change at entry {index}) is not stored on this node")]
    MissingLink {
        /// The change's log index.
        index: u64,
        /// The checkpoint size needed.
        size: u64,
    },
    /// An entry is newer than the newest checkpoint.
    #[error("no checkpoint covers log entry {0} yet")]
    NotCovered(u64),
    /// An entry below the head is missing, or the store failed.
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    /// The stored checkpoint does not parse.
    #[error("stored checkpoint: {0}")]
    Checkpoint(#[from] NoteError),
}

/// Entries proven against one checkpoint: what every bundle that carries
/// several entries is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenAtCheckpoint {
    /// The checkpoint's text (C2SP signed note).
    pub checkpoint: String,
    /// Its size.
    pub size: u64,
    /// The entries, each with its audit path to the checkpoint.
    pub entries: Vec<BundleEntry>,
    /// The validator set changes in force at the checkpoint
    /// ([`prove_set_changes`]).
    pub set_changes: Vec<SetChangeLink>,
}

/// The entries at `indices` of a ledger, each with its audit path to the
/// newest stored checkpoint, with that checkpoint and the set-change links
/// a verifier pinning the genesis keys follows to it.
pub fn prove_indices<L: crate::store::LedgerRead + ?Sized>(
    ledger: &L,
    indices: &[u64],
) -> Result<ProvenAtCheckpoint, ProveError> {
    let text = ledger
        .latest_checkpoint()?
        .ok_or(ProveError::NoCheckpoint)?;
    let size = SignedNote::parse(&text)?.checkpoint()?.size;
    let mut entries = Vec::with_capacity(indices.len());
    for &index in indices {
        if index >= size {
            return Err(ProveError::NotCovered(index));
        }
        let entry = ledger.entry(index)?.ok_or_else(|| {
            crate::store::StoreError::Corrupt(format!("entry {index} below the head is missing"))
        })?;
        let proof = ledger.inclusion_proof(index, size)?;
        entries.push(BundleEntry {
            index,
            entry: B64.encode(entry),
            proof: proof.iter().map(|h| B64.encode(h)).collect(),
        });
    }
    Ok(ProvenAtCheckpoint {
        set_changes: prove_set_changes(ledger, size)?,
        checkpoint: text,
        size,
        entries,
    })
}

/// The links of every validator set change in force at checkpoint size
/// `size` (see [`SetChangeLink`]), oldest first.
pub fn prove_set_changes<L: crate::store::LedgerRead + ?Sized>(
    ledger: &L,
    size: u64,
) -> Result<Vec<SetChangeLink>, ProveError> {
    let epochs = ledger
        .validator_epochs()
        .map_err(|e| crate::store::StoreError::Corrupt(e.to_string()))?;
    let mut links = Vec::new();
    for e in epochs.iter().skip(1).filter(|e| e.first_size <= size) {
        let at = e.first_size - 1;
        let checkpoint = ledger.checkpoint_at(at)?.ok_or(ProveError::MissingLink {
            index: e.change_index,
            size: at,
        })?;
        let entry = ledger.entry(e.change_index)?.ok_or_else(|| {
            crate::store::StoreError::Corrupt(format!("entry {} is missing", e.change_index))
        })?;
        let proof = ledger.inclusion_proof(e.change_index, at)?;
        links.push(SetChangeLink {
            index: e.change_index,
            entry: B64.encode(entry),
            proof: proof.iter().map(|h| B64.encode(h)).collect(),
            checkpoint,
        });
    }
    Ok(links)
}

/// Entries proven to be in the log a quorum of validators signed: the
/// result of [`ProvenEntries::verify`], shared by every bundle that carries
/// several entries against one checkpoint (certificate bundles, PACT proofs).
#[derive(Clone, Debug)]
pub struct ProvenEntries {
    /// Each entry's log index and decoded transaction, in bundle order.
    pub entries: Vec<(u64, SignedTx)>,
    /// The checkpoint's origin (the network).
    pub origin: String,
    /// The checkpoint's size.
    pub tree_size: u64,
    /// The checkpoint's root.
    pub root: Hash,
    /// Valid validator signatures on the checkpoint.
    pub signatures: usize,
    /// Whether the validator keys came from the caller.
    pub keys_pinned: bool,
    /// Validator set changes followed from the pinned keys.
    pub set_changes_followed: usize,
}

/// What a multi-entry bundle carries about its checkpoint's signers.
#[derive(Clone, Copy, Debug)]
pub struct Signers<'a> {
    /// The validator keys the bundle names (C2SP vkeys).
    pub validators: &'a [String],
    /// Their quorum.
    pub quorum: usize,
    /// The set changes since the genesis in force at the checkpoint.
    pub set_changes: &'a [SetChangeLink],
}

impl ProvenEntries {
    /// Checks that `checkpoint` carries the quorum of valid signatures of
    /// the `signers` the bundle names (or of the `pinned` keys and quorum,
    /// carried forward through the bundle's set changes), that every entry's
    /// audit path leads to its root, and that every entry decodes to a
    /// transaction of the checkpoint's network. At most
    /// [`MAX_BUNDLE_ENTRIES`] entries of at most 64 hashes each.
    pub fn verify(
        checkpoint: &str,
        signers: Signers<'_>,
        entries: &[BundleEntry],
        pinned: Option<(&[NoteVerifier], usize)>,
    ) -> Result<Self, BundleError> {
        if entries.len() > MAX_BUNDLE_ENTRIES {
            return Err(BundleError::Malformed("too many entries".into()));
        }
        let note = SignedNote::parse(checkpoint)?;
        let cp = note.checkpoint()?;
        let (set, followed) = checkpoint_set(
            pinned,
            signers.validators,
            signers.quorum,
            signers.set_changes,
            cp.origin,
            cp.size,
        )?;
        let signatures = note.verify(&set.keys, set.quorum)?;
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let bytes = B64
                .decode(&e.entry)
                .map_err(|_| BundleError::Malformed(format!("entry {} is not base64", e.index)))?;
            if e.proof.len() > 64 {
                return Err(BundleError::Malformed("proof longer than 64 hashes".into()));
            }
            let proof = e
                .proof
                .iter()
                .map(|h| decode_hash(h))
                .collect::<Result<Vec<Hash>, _>>()?;
            let leaf = Blake3Hasher::hash_leaf(&bytes);
            merkle::verify_inclusion::<Blake3Hasher>(&leaf, e.index, cp.size, &proof, &cp.root)?;
            let tx = SignedTx::decode(&bytes)?;
            if tx.body.network != cp.origin {
                return Err(BundleError::WrongNetwork {
                    origin: cp.origin.to_string(),
                    network: tx.body.network.clone(),
                });
            }
            out.push((e.index, tx));
        }
        Ok(ProvenEntries {
            entries: out,
            origin: cp.origin.to_string(),
            tree_size: cp.size,
            root: cp.root,
            signatures,
            keys_pinned: pinned.is_some(),
            set_changes_followed: followed,
        })
    }
}

/// Everything needed to check a carbon label offline: the certificate, the rule,
/// every attestation of the supply-chain tree and every factor they use, each
/// with an inclusion proof against one cosigned checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct CertificateBundle {
    /// Always [`CERTIFICATE_BUNDLE_FORMAT`].
    pub format: String,
    /// The certificate id.
    pub certificate: String,
    /// The signed checkpoint (C2SP signed note).
    pub checkpoint: String,
    /// Validator keys as C2SP vkeys.
    pub validators: Vec<String>,
    /// Signatures required.
    pub quorum: usize,
    /// The validator set changes since the genesis in force at the
    /// checkpoint, for verifiers that pin the genesis keys (absent if none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_changes: Vec<SetChangeLink>,
    /// The entries.
    pub entries: Vec<BundleEntry>,
}

/// What verifying a certificate bundle established.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificateReport {
    /// Certificate id.
    pub certificate: String,
    /// The certified attestation.
    pub footprint: TxId,
    /// Product name.
    pub product: String,
    /// Its total, mg CO2e per declared unit.
    pub total_mg: i64,
    /// Declared unit.
    pub declared_unit: String,
    /// Grade (checked against the rule).
    pub grade: u8,
    /// The rule.
    pub rule: String,
    /// Certification body (org id).
    pub issuer: OrgId,
    /// Validity.
    pub valid_from: String,
    /// Validity end (exclusive).
    pub valid_until: String,
    /// Entries whose inclusion was proven.
    pub entries_proven: usize,
    /// The checkpoint's size.
    pub tree_size: u64,
    /// The checkpoint's root, hex.
    pub root: String,
    /// Valid validator signatures.
    pub signatures: usize,
    /// Whether validator keys were pinned by the caller.
    pub keys_pinned: bool,
    /// Validator set changes followed from the pinned keys.
    pub set_changes_followed: usize,
    /// Recomputation of the supply-chain tree from the bundled entries.
    pub tree: crate::carbon::tree::TreeReport,
    /// What a bundle cannot prove.
    pub limits: Vec<String>,
}

impl CertificateBundle {
    /// Parses a bundle from JSON text, bounded.
    pub fn from_json(text: &str) -> Result<Self, BundleError> {
        if text.len() > 16 * MAX_BUNDLE_BYTES {
            return Err(BundleError::Malformed("bundle too large".into()));
        }
        let b: Self =
            serde_json::from_str(text).map_err(|e| BundleError::Malformed(e.to_string()))?;
        if b.format != CERTIFICATE_BUNDLE_FORMAT {
            return Err(BundleError::Malformed(format!(
                "unknown format {:?}",
                b.format
            )));
        }
        if b.entries.len() > MAX_BUNDLE_ENTRIES {
            return Err(BundleError::Malformed("too many entries".into()));
        }
        Ok(b)
    }

    /// Checks every entry's inclusion in the cosigned checkpoint, rebuilds the
    /// records from the entries, recomputes the supply-chain tree with the
    /// nodes' own code, and checks the certificate's grade against the rule.
    pub fn verify(
        &self,
        pinned: Option<(&[NoteVerifier], usize)>,
    ) -> Result<CertificateReport, BundleError> {
        use crate::carbon::tree::{verify_tree, TreeData};
        use crate::carbon::{FactorState, FootprintState, RecordStatus, RuleState};
        use crate::tx::TxKind;

        let proven = ProvenEntries::verify(
            &self.checkpoint,
            Signers {
                validators: &self.validators,
                quorum: self.quorum,
                set_changes: &self.set_changes,
            },
            &self.entries,
            pinned,
        )?;
        let mut data = TreeData::default();
        let mut certificate = None;
        for (index, tx) in proven.entries {
            let id = tx.id();
            match tx.body.kind {
                TxKind::IssueCertificate(c) if c.id == self.certificate => {
                    certificate = Some((c, tx.body.author))
                }
                TxKind::PublishRule(rule) => {
                    data.rules.insert(
                        rule.reference.clone(),
                        RuleState {
                            rule,
                            publisher: tx.body.author,
                            tx: id,
                            published_at: index,
                            status: RecordStatus::Active,
                        },
                    );
                }
                TxKind::PublishFactor(record) => {
                    data.factors.insert(
                        record.reference.clone(),
                        FactorState {
                            record,
                            publisher: tx.body.author,
                            tx: id,
                            published_at: index,
                            status: RecordStatus::Active,
                        },
                    );
                }
                TxKind::AttestFootprint(attestation) => {
                    data.footprints.insert(
                        id,
                        FootprintState {
                            attestation,
                            author: tx.body.author,
                            id,
                            at: index,
                            status: RecordStatus::Active,
                            disclosures: Vec::new(),
                        },
                    );
                }
                _ => {}
            }
        }
        let (cert, issuer) = certificate.ok_or_else(|| {
            BundleError::Malformed(format!("no entry issues certificate {}", self.certificate))
        })?;
        let footprint = data
            .footprints
            .get(&cert.footprint)
            .cloned()
            .ok_or_else(|| {
                BundleError::Malformed("the certified footprint is not in the bundle".into())
            })?;
        let rule = data.rules.get(&cert.rule).cloned().ok_or_else(|| {
            BundleError::Malformed("the certificate's rule is not in the bundle".into())
        })?;
        let grade = rule.rule.grade(footprint.attestation.results.total_mg);
        if grade != cert.grade {
            return Err(BundleError::Certificate(format!(
                "certificate says grade {}, the rule gives grade {grade}",
                cert.grade
            )));
        }
        if footprint.attestation.rule.as_ref() != Some(&cert.rule) {
            return Err(BundleError::Certificate(
                "the footprint does not follow the certificate's rule".into(),
            ));
        }
        data.root = Some(cert.footprint);
        let tree = verify_tree(cert.footprint, &data, &proven.origin);
        if !tree.verified {
            return Err(BundleError::Certificate(format!(
                "supply-chain tree does not verify: {}",
                tree.problems.join("; ")
            )));
        }
        Ok(CertificateReport {
            certificate: cert.id.clone(),
            footprint: cert.footprint,
            product: footprint.attestation.product.name.clone(),
            total_mg: footprint.attestation.results.total_mg,
            declared_unit: footprint.attestation.declared_unit.clone(),
            grade,
            rule: cert.rule.to_string(),
            issuer,
            valid_from: cert.valid_from.to_string(),
            valid_until: cert.valid_until.to_string(),
            entries_proven: self.entries.len(),
            tree_size: proven.tree_size,
            root: hex::encode(proven.root),
            signatures: proven.signatures,
            keys_pinned: proven.keys_pinned,
            set_changes_followed: proven.set_changes_followed,
            tree,
            limits: vec![
                "a bundle proves what was published up to its checkpoint; a later suspension, revocation or deprecation is not in it: check the certificate's current status online".into(),
                "committed attestations are checked for their inputs, not recomputed: their activity data is off-ledger".into(),
            ],
        })
    }
}
