//! Offline verification bundles: everything needed to check, without the
//! network, that an entry is in the log that a quorum of validators signed.
//!
//! A bundle holds the entry, its inclusion proof, the signed checkpoint the
//! proof leads to, and the validator keys (C2SP vkeys) with the quorum it was
//! checked against. It is what a carbon label's QR code resolves to. The
//! verifier should pin the validator keys it trusts; the keys inside a bundle
//! only say which set the node claimed.

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
        let own: Vec<NoteVerifier>;
        let (keys, quorum) = match pinned {
            Some(p) => p,
            None => {
                if self.validators.len() > crate::checkpoint::MAX_SIGNATURES {
                    return Err(BundleError::Malformed("too many validator keys".into()));
                }
                own = self
                    .validators
                    .iter()
                    .map(|v| NoteVerifier::from_vkey(v))
                    .collect::<Result<_, _>>()?;
                (own.as_slice(), self.quorum)
            }
        };
        let signatures = note.verify(keys, quorum)?;
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
        })
    }
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
