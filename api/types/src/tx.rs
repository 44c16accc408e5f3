//! Submitting transactions and asking where they stand.

use serde::{Deserialize, Serialize};
use tanji_ledger::{OrgId, TxId};
use utoipa::ToSchema;

use crate::log::{CheckpointRef, InclusionProof};

/// Where a submitted transaction went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Submission {
    /// Accepted and waiting to be ordered (202).
    Queued,
    /// Already in the log (200).
    Committed,
}

/// Answer to a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SubmitResponse {
    /// Transaction id.
    pub id: TxId,
    /// Queued, or already committed.
    pub status: Submission,
    /// Log index, when already committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
}

/// Where a transaction stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TxState {
    /// In the log.
    Committed,
    /// Accepted, waiting to be ordered.
    Queued,
    /// Refused when it was ordered (the state changed after admission).
    Rejected,
    /// Not in the log and not queued: never submitted here, or queued before
    /// a restart and lost (answered with 404).
    Unknown,
}

/// Where a transaction stands, with its inclusion proof once committed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TxStatus {
    /// Transaction id.
    pub id: TxId,
    /// Committed, queued, rejected or unknown.
    pub status: TxState,
    /// Log index (committed only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// Leaf hash, base64 (committed only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf_hash: Option<String>,
    /// The latest checkpoint (committed and covered by a checkpoint only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<CheckpointRef>,
    /// Inclusion proof against that checkpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inclusion_proof: Option<InclusionProof>,
    /// Why it was refused (rejected), or what unknown means (unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<StatusError>,
    /// Committed only: signatures on it made by a key that governance later
    /// declared compromised at or before its index. The entry stays in the
    /// log, but these signatures may be a thief's: do not rely on them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compromised_signatures: Vec<CompromisedSignatureView>,
}

/// A signature by a key held compromised at the entry's position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CompromisedSignatureView {
    /// Whose signature.
    pub signer: OrgId,
    /// The key that made it, hex.
    pub key: String,
    /// The log size from which governance holds the key compromised.
    pub compromised_since: u64,
    /// Log index of the rotation that replaced the key.
    pub rotated_at: u64,
}

/// Why a transaction was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusError {
    /// Stable error code.
    pub code: String,
    /// Explanation.
    pub message: String,
}

impl TxState {
    /// `committed`, `queued`, `rejected` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            TxState::Committed => "committed",
            TxState::Queued => "queued",
            TxState::Rejected => "rejected",
            TxState::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for TxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::fmt::Display for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Submission::Queued => "queued",
            Submission::Committed => "committed",
        })
    }
}
