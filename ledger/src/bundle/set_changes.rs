//! Following validator set changes from trusted keys (the light-client rule).
//!
//! A verifier pins the validator keys it trusts, typically the genesis set.
//! Governance later adds and removes validators (`AddValidator`,
//! `RemoveValidator`), so a recent checkpoint is signed by a set the
//! verifier never saw. A bundle therefore carries, for each change since the
//! genesis that is in force at its checkpoint, a [`SetChangeLink`]: the
//! change's log entry, its inclusion proof, and the checkpoint at the end of
//! the batch that recorded it, which the *previous* set signed (a change takes
//! effect after its batch; see `state::ValidatorEpoch`).
//!
//! [`follow`] starts from the trusted set and, link by link, checks that a
//! quorum of the set in force signed the link's checkpoint and that the change
//! is in it, then applies the change. The checkpoint of the bundle must then
//! be signed by a quorum of the resulting set.
//!
//! Invariants checked (anything else is refused, never a panic):
//!
//! - links are in log order (strictly increasing entry indexes) and their
//!   checkpoints never shrink; every checkpoint is of the verified network;
//! - each link's entry is an `AddValidator` or `RemoveValidator` of that
//!   network, included at its index in its checkpoint, which a quorum
//!   (`floor(2n/3)+1`) of the set then in force signed;
//! - an added node's name is new to the set, a removed one is in it;
//! - the bundle's checkpoint is larger than every link's: a set signs only
//!   checkpoints after the batch that made it.
//!
//! Trust: the verifier does not re-check a change's governance approvals (it
//! has no organisation state); it relies, as for every entry, on the quorum
//! of validators then in force having applied the ledger's rules. That is the
//! same trust it places in the genesis set, carried forward one set at a time.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::{decode_hash, BundleError};
use crate::checkpoint::{NoteVerifier, SignedNote};
use crate::merkle::{self, Blake3Hasher, Hash, MerkleHasher};
use crate::state::governance_quorum;
use crate::tx::{SignedTx, TxKind};

/// Most set changes one bundle may carry.
pub const MAX_SET_CHANGES: usize = 256;

/// One validator set change, with what proves the previous set vouched for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct SetChangeLink {
    /// The change's log index.
    pub index: u64,
    /// The change's entry bytes, base64.
    pub entry: String,
    /// Its audit path to `checkpoint`, base64 hashes.
    pub proof: Vec<String>,
    /// The checkpoint at the end of the batch that recorded the change,
    /// signed by the set before it (C2SP signed note).
    pub checkpoint: String,
}

/// A validator set as a verifier holds it: note keys and the quorum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedSet {
    /// The validators' note keys.
    pub keys: Vec<NoteVerifier>,
    /// Valid signatures a checkpoint needs.
    pub quorum: usize,
}

/// Follows `links` from `start` for checkpoints of network `origin` that
/// are at least `final_size` large; returns the set that must sign the
/// final checkpoint. With no link it is `start` itself.
pub fn follow(
    start: TrustedSet,
    links: &[SetChangeLink],
    origin: &str,
    final_size: u64,
) -> Result<TrustedSet, BundleError> {
    if links.len() > MAX_SET_CHANGES {
        return Err(BundleError::Malformed(format!(
            "{} set changes, more than {MAX_SET_CHANGES}",
            links.len()
        )));
    }
    let mut set = start;
    let mut last: Option<(u64, u64)> = None;
    for (i, link) in links.iter().enumerate() {
        let fail = |why: String| BundleError::SetChange { link: i, why };
        let note = SignedNote::parse(&link.checkpoint).map_err(|e| fail(e.to_string()))?;
        let cp = note.checkpoint().map_err(|e| fail(e.to_string()))?;
        if cp.origin != origin {
            return Err(fail(format!(
                "checkpoint of network {:?}, not {origin:?}",
                cp.origin
            )));
        }
        if let Some((index, size)) = last {
            if link.index <= index || cp.size < size {
                return Err(fail("links are not in log order".into()));
            }
        }
        if cp.size >= final_size {
            return Err(fail(format!(
                "its checkpoint (size {}) is not before the bundle's (size {final_size}), so the change is not in force there",
                cp.size
            )));
        }
        note.verify(&set.keys, set.quorum)
            .map_err(|e| fail(format!("not signed by the set in force: {e}")))?;
        let entry = B64
            .decode(&link.entry)
            .map_err(|_| fail("entry is not base64".into()))?;
        if link.proof.len() > 64 {
            return Err(fail("proof longer than 64 hashes".into()));
        }
        let proof = link
            .proof
            .iter()
            .map(|h| decode_hash(h))
            .collect::<Result<Vec<Hash>, _>>()?;
        let leaf = Blake3Hasher::hash_leaf(&entry);
        merkle::verify_inclusion::<Blake3Hasher>(&leaf, link.index, cp.size, &proof, &cp.root)
            .map_err(|e| fail(format!("inclusion proof: {e}")))?;
        let tx = SignedTx::decode(&entry).map_err(|e| fail(format!("entry: {e}")))?;
        if tx.body.network != origin {
            return Err(fail(format!(
                "entry of network {:?}, not {origin:?}",
                tx.body.network
            )));
        }
        apply(&mut set.keys, &tx.body.kind).map_err(fail)?;
        set.quorum = governance_quorum(set.keys.len());
        last = Some((link.index, cp.size));
    }
    Ok(set)
}

/// Applies one change to a key list.
fn apply(keys: &mut Vec<NoteVerifier>, kind: &TxKind) -> Result<(), String> {
    match kind {
        TxKind::AddValidator(node) => {
            if keys
                .iter()
                .any(|k| k.name == node.name || k.key == node.key)
            {
                return Err(format!("adds {:?}, which is in the set already", node.name));
            }
            if keys.len() >= crate::tx::MAX_VALIDATORS {
                return Err("the set would exceed the most validators allowed".into());
            }
            keys.push(NoteVerifier {
                name: node.name.clone(),
                key: node.key,
            });
        }
        TxKind::RemoveValidator { name, .. } => {
            let before = keys.len();
            keys.retain(|k| k.name != *name);
            if keys.len() == before {
                return Err(format!("removes {name:?}, which is not in the set"));
            }
        }
        other => {
            return Err(format!(
                "the entry is a {}, not a validator set change",
                other.name()
            ))
        }
    }
    Ok(())
}
