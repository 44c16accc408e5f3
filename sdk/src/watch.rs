//! Following a log's checkpoints and checking that each consistently extends
//! the last one seen (what a witness or monitor does).
//!
//! A log that rewrites or forks history must, sooner or later, show a
//! checkpoint that is not a consistent extension of one it showed before.
//! [`check_extension`] is that test; [`Watcher`] applies it to every
//! checkpoint it fetches and keeps the two signed notes as evidence when it
//! fails.

use serde::{Deserialize, Serialize};
use tanji_ledger::checkpoint::{NoteVerifier, SignedNote};
use tanji_ledger::merkle::{self, Blake3Hasher, Hash, MerkleHasher};

use crate::{Client, ClientError};

/// A checkpoint the watcher has accepted.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Seen {
    /// The signed note as served.
    pub note: String,
    /// Its size.
    pub size: u64,
    /// Its root, hex.
    pub root: String,
}

/// Proof that the log misbehaved: two signed checkpoints that cannot both be true.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ForkEvidence {
    /// What is wrong.
    pub reason: String,
    /// The earlier checkpoint.
    pub previous: String,
    /// The later one, which does not extend it.
    pub current: String,
    /// The consistency proof the log served (base64), if any.
    pub proof: Vec<String>,
}

/// Why watching stopped.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The node could not be asked.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The node served a checkpoint that is malformed or not properly signed.
    #[error("invalid checkpoint: {0}")]
    InvalidCheckpoint(String),
    /// The log is not a consistent extension of what was seen: evidence attached.
    #[error("log inconsistency: {}", .0.reason)]
    Fork(Box<ForkEvidence>),
}

/// Checks that `(new_size, new_root)` extends `(old_size, old_root)` given the
/// log's consistency proof. Errors say how it fails.
pub fn check_extension(
    old_size: u64,
    old_root: &Hash,
    new_size: u64,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), String> {
    if new_size < old_size {
        return Err(format!(
            "the log shrank from {old_size} to {new_size} entries"
        ));
    }
    if old_size == 0 {
        // Every tree extends the empty one; RFC 9162 has no proof for it.
        return if *old_root == <Blake3Hasher as MerkleHasher>::empty_root() {
            Ok(())
        } else {
            Err("a checkpoint of size 0 with a root other than the empty root".into())
        };
    }
    if new_size == old_size {
        return if old_root == new_root {
            Ok(())
        } else {
            Err(format!("two different roots for size {old_size}"))
        };
    }
    merkle::verify_consistency::<Blake3Hasher>(old_size, new_size, old_root, new_root, proof)
        .map_err(|e| format!("size {new_size} does not extend size {old_size}: {e}"))
}

/// Follows one node's checkpoints.
pub struct Watcher {
    client: Client,
    verifiers: Vec<NoteVerifier>,
    quorum: usize,
    last: Option<Seen>,
}

impl Watcher {
    /// Watches `client`'s log, accepting checkpoints signed by `quorum` of
    /// `verifiers`, starting after `last` (e.g. restored from a state file).
    pub fn new(
        client: Client,
        verifiers: Vec<NoteVerifier>,
        quorum: usize,
        last: Option<Seen>,
    ) -> Self {
        Self {
            client,
            verifiers,
            quorum,
            last,
        }
    }

    /// The last accepted checkpoint.
    pub fn last(&self) -> Option<&Seen> {
        self.last.as_ref()
    }

    /// Fetches the latest checkpoint and checks it. Returns it if it is new.
    pub async fn poll(&mut self) -> Result<Option<Seen>, WatchError> {
        let text = self.client.checkpoint(None).await?;
        let note =
            SignedNote::parse(&text).map_err(|e| WatchError::InvalidCheckpoint(e.to_string()))?;
        note.verify(&self.verifiers, self.quorum)
            .map_err(|e| WatchError::InvalidCheckpoint(e.to_string()))?;
        let cp = note
            .checkpoint()
            .map_err(|e| WatchError::InvalidCheckpoint(e.to_string()))?;
        let seen = Seen {
            note: text.clone(),
            size: cp.size,
            root: hex::encode(cp.root),
        };
        if let Some(prev) = &self.last {
            if prev.note == text {
                return Ok(None);
            }
            let prev_note = SignedNote::parse(&prev.note)
                .map_err(|e| WatchError::InvalidCheckpoint(e.to_string()))?;
            let prev_cp = prev_note
                .checkpoint()
                .map_err(|e| WatchError::InvalidCheckpoint(e.to_string()))?;
            if prev_cp.origin != cp.origin {
                return Err(fork(
                    prev,
                    &text,
                    vec![],
                    format!(
                        "origin changed from {:?} to {:?}",
                        prev_cp.origin, cp.origin
                    ),
                ));
            }
            let proof = if cp.size > prev_cp.size && prev_cp.size > 0 {
                self.client.consistency_proof(prev_cp.size, cp.size).await?
            } else {
                Vec::new()
            };
            if let Err(reason) =
                check_extension(prev_cp.size, &prev_cp.root, cp.size, &cp.root, &proof)
            {
                use base64::Engine as _;
                let b64 = proof
                    .iter()
                    .map(|h| base64::engine::general_purpose::STANDARD.encode(h))
                    .collect();
                return Err(fork(prev, &text, b64, reason));
            }
            if cp.size == prev_cp.size {
                // Same tree, maybe more cosignatures: keep the newer note quietly.
                self.last = Some(seen);
                return Ok(None);
            }
        }
        self.last = Some(seen.clone());
        Ok(Some(seen))
    }
}

fn fork(prev: &Seen, current: &str, proof: Vec<String>, reason: String) -> WatchError {
    WatchError::Fork(Box::new(ForkEvidence {
        reason,
        previous: prev.note.clone(),
        current: current.to_string(),
        proof,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanji_ledger::merkle::MemoryTree;

    #[test]
    fn extension_rules() {
        let mut t = MemoryTree::<Blake3Hasher>::new();
        for i in 0..10u8 {
            t.push(&[i]);
        }
        let r5 = t.root_at(5).expect("root");
        let r10 = t.root();
        let proof = t.consistency_proof(5, 10).expect("proof");
        assert_eq!(check_extension(5, &r5, 10, &r10, &proof), Ok(()));
        assert!(check_extension(10, &r10, 5, &r5, &proof).is_err());
        assert!(check_extension(5, &r5, 5, &r10, &[]).is_err());
        assert_eq!(
            check_extension(0, &Blake3Hasher::empty_root(), 10, &r10, &[]),
            Ok(())
        );
        assert!(check_extension(0, &r5, 10, &r10, &[]).is_err());
        let mut other = MemoryTree::<Blake3Hasher>::new();
        for i in 0..10u8 {
            other.push(&[i + u8::from(i == 2)]);
        }
        assert!(check_extension(5, &r5, 10, &other.root(), &proof).is_err());
    }
}
