//! The range-sync protocol's messages (`/tanji/sync/1`).
//!
//! Both are borsh-encoded and framed by [`frame`](super::frame) (a 4-byte
//! big-endian length, then the encoding). Positions are log indexes (0-based)
//! and sizes are log sizes, as in the ledger's Merkle log. The payloads are
//! untrusted: the requester verifies entries, proofs and checkpoints against
//! cosigned checkpoints before using them.
//!
//! A decoded response is within [`SyncResponse::check_limits`] (checked by
//! [`frame::decode_response`](super::frame::decode_response)): no answer
//! honest peers give is refused by it.

use borsh::{BorshDeserialize, BorshSerialize};
use tanji_ledger::checkpoint::MAX_NOTE_BYTES;
use tanji_ledger::merkle::MAX_CONSISTENCY_PROOF_LEN;
use tanji_ledger::tx::MAX_TX_BYTES;

/// Most entries one [`SyncRequest::Entries`] may ask for.
pub const MAX_ENTRIES_PER_REQUEST: u64 = 1000;
/// Longest [`SyncResponse::Error`] message, in bytes.
pub const MAX_ERROR_BYTES: usize = 16 * 1024;

/// A request from one node to another.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum SyncRequest {
    /// The log entries at positions `start..end` (end exclusive; at most
    /// [`MAX_ENTRIES_PER_REQUEST`]). The answer is
    /// [`SyncResponse::Entries`], possibly shorter if the peer's log ends
    /// before `end`.
    Entries {
        /// First position.
        start: u64,
        /// One past the last position.
        end: u64,
    },
    /// The signed checkpoint (C2SP signed note with its cosignatures) for
    /// log size `size`, or the latest one if `None`. Answer:
    /// [`SyncResponse::Checkpoint`].
    Checkpoint {
        /// The log size, or `None` for the latest.
        size: Option<u64>,
    },
    /// A consistency proof from log size `from` to log size `to`
    /// (`from <= to`). Answer: [`SyncResponse::Consistency`].
    Consistency {
        /// The older size.
        from: u64,
        /// The newer size.
        to: u64,
    },
    /// The peer's log size, root and latest checkpoint. Answer:
    /// [`SyncResponse::Status`].
    Status,
}

impl SyncRequest {
    /// Checks the request against the protocol's limits. Requests that fail
    /// are answered with [`SyncResponse::Error`] and cost the sender
    /// penalty points; the application never sees them.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            SyncRequest::Entries { start, end } => {
                if end <= start {
                    return Err(format!("empty entry range {start}..{end}"));
                }
                if end - start > MAX_ENTRIES_PER_REQUEST {
                    return Err(format!(
                        "entry range {start}..{end} is longer than {MAX_ENTRIES_PER_REQUEST}"
                    ));
                }
                Ok(())
            }
            SyncRequest::Consistency { from, to } if from > to => Err(format!(
                "consistency proof from {from} to smaller size {to}"
            )),
            _ => Ok(()),
        }
    }
}

/// An answer to a [`SyncRequest`].
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum SyncResponse {
    /// Encoded log entries, in order from the requested start (the ledger's
    /// canonical borsh encoding of each entry).
    Entries(Vec<Vec<u8>>),
    /// The signed checkpoint note, or `None` if the peer has none for that
    /// size.
    Checkpoint(Option<String>),
    /// The consistency proof's hashes.
    Consistency(Vec<[u8; 32]>),
    /// The peer's current state.
    Status {
        /// Log size.
        size: u64,
        /// Merkle root of the log at that size.
        root: [u8; 32],
        /// Latest signed checkpoint note, if any.
        checkpoint: Option<String>,
    },
    /// The request was refused or failed (rate limited, invalid, not
    /// available, the node is busy).
    Error(String),
}

impl SyncResponse {
    /// Checks the counts and lengths a peer could inflate: at most
    /// [`MAX_ENTRIES_PER_REQUEST`] entries, each a transaction's size
    /// (1..=[`MAX_TX_BYTES`]); at most [`MAX_CONSISTENCY_PROOF_LEN`] proof
    /// hashes; notes of at most [`MAX_NOTE_BYTES`] (longer ones never parse);
    /// errors of at most [`MAX_ERROR_BYTES`].
    pub fn check_limits(&self) -> Result<(), String> {
        let note = |n: &Option<String>| match n {
            Some(n) if n.len() > MAX_NOTE_BYTES => Err(format!(
                "checkpoint note of {} bytes, more than {MAX_NOTE_BYTES}",
                n.len()
            )),
            _ => Ok(()),
        };
        match self {
            SyncResponse::Entries(entries) => {
                if entries.len() as u64 > MAX_ENTRIES_PER_REQUEST {
                    return Err(format!(
                        "{} entries, more than {MAX_ENTRIES_PER_REQUEST}",
                        entries.len()
                    ));
                }
                match entries
                    .iter()
                    .find(|e| e.is_empty() || e.len() > MAX_TX_BYTES)
                {
                    Some(e) => Err(format!(
                        "entry of {} bytes, not 1..={MAX_TX_BYTES}",
                        e.len()
                    )),
                    None => Ok(()),
                }
            }
            SyncResponse::Checkpoint(n) => note(n),
            SyncResponse::Consistency(hashes) if hashes.len() > MAX_CONSISTENCY_PROOF_LEN => {
                Err(format!(
                    "consistency proof of {} hashes, more than {MAX_CONSISTENCY_PROOF_LEN}",
                    hashes.len()
                ))
            }
            SyncResponse::Consistency(_) => Ok(()),
            SyncResponse::Status { checkpoint, .. } => note(checkpoint),
            SyncResponse::Error(e) if e.len() > MAX_ERROR_BYTES => Err(format!(
                "error message of {} bytes, more than {MAX_ERROR_BYTES}",
                e.len()
            )),
            SyncResponse::Error(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p2p_entries_range_limits() {
        assert!(SyncRequest::Entries {
            start: 0,
            end: 1000
        }
        .validate()
        .is_ok());
        assert!(SyncRequest::Entries {
            start: 5,
            end: 1006
        }
        .validate()
        .is_err());
        assert!(SyncRequest::Entries { start: 5, end: 5 }
            .validate()
            .is_err());
        assert!(SyncRequest::Entries { start: 6, end: 5 }
            .validate()
            .is_err());
        assert!(SyncRequest::Entries {
            start: u64::MAX - 1,
            end: u64::MAX
        }
        .validate()
        .is_ok());
        assert!(SyncRequest::Consistency { from: 3, to: 2 }
            .validate()
            .is_err());
        assert!(SyncRequest::Consistency { from: 2, to: 2 }
            .validate()
            .is_ok());
        assert!(SyncRequest::Checkpoint { size: None }.validate().is_ok());
        assert!(SyncRequest::Status.validate().is_ok());
    }

    #[test]
    fn p2p_messages_borsh_round_trip() {
        let reqs = [
            SyncRequest::Entries { start: 1, end: 9 },
            SyncRequest::Checkpoint { size: Some(4) },
            SyncRequest::Checkpoint { size: None },
            SyncRequest::Consistency { from: 1, to: 2 },
            SyncRequest::Status,
        ];
        for r in reqs {
            let bytes = borsh::to_vec(&r).unwrap();
            assert_eq!(borsh::from_slice::<SyncRequest>(&bytes).unwrap(), r);
        }
        let resps = [
            SyncResponse::Entries(vec![vec![1, 2], vec![3]]),
            SyncResponse::Checkpoint(Some("note".into())),
            SyncResponse::Consistency(vec![[9; 32]]),
            SyncResponse::Status {
                size: 3,
                root: [1; 32],
                checkpoint: None,
            },
            SyncResponse::Error("no".into()),
        ];
        for r in resps {
            let bytes = borsh::to_vec(&r).unwrap();
            assert_eq!(borsh::from_slice::<SyncResponse>(&bytes).unwrap(), r);
            assert!(r.check_limits().is_ok());
        }
    }

    #[test]
    fn p2p_response_limits() {
        let too_many = SyncResponse::Entries(vec![vec![1]; MAX_ENTRIES_PER_REQUEST as usize + 1]);
        assert!(too_many.check_limits().is_err());
        assert!(SyncResponse::Entries(vec![vec![]]).check_limits().is_err());
        assert!(SyncResponse::Entries(vec![vec![0; MAX_TX_BYTES + 1]])
            .check_limits()
            .is_err());
        assert!(SyncResponse::Entries(vec![vec![0; MAX_TX_BYTES]])
            .check_limits()
            .is_ok());
        let proof = SyncResponse::Consistency(vec![[0; 32]; MAX_CONSISTENCY_PROOF_LEN + 1]);
        assert!(proof.check_limits().is_err());
        let long = "x".repeat(MAX_NOTE_BYTES + 1);
        assert!(SyncResponse::Checkpoint(Some(long.clone()))
            .check_limits()
            .is_err());
        let status = SyncResponse::Status {
            size: 0,
            root: [0; 32],
            checkpoint: Some(long),
        };
        assert!(status.check_limits().is_err());
        assert!(SyncResponse::Error("e".repeat(MAX_ERROR_BYTES + 1))
            .check_limits()
            .is_err());
    }
}
