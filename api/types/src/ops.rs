//! Health and alarms.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A node's health.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok` when answered.
    pub status: String,
    /// Node role: validator, observer or solo.
    pub role: String,
    /// Entries in the log.
    pub size: u64,
    /// Root, hex.
    pub root: String,
    /// Highest consensus height applied (replicated nodes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
}

/// Something a node saw that must not happen between honest nodes: two
/// signed checkpoints that disagree. The notes are the evidence; anyone can
/// check their signatures with the network's keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Alarm {
    /// `fork` (a validly signed checkpoint that contradicts this node's log
    /// or another signed checkpoint) or `equivocation` (one key signed two
    /// different roots for the same size).
    pub kind: String,
    /// The log size both notes are about.
    pub size: u64,
    /// Who signed the conflicting note(s), by key name.
    pub signers: Vec<String>,
    /// Human-readable explanation.
    pub detail: String,
    /// The two conflicting signed notes (C2SP text).
    pub notes: [String; 2],
    /// When the node raised it (RFC 3339, UTC).
    pub raised_at: String,
}

/// Alarms raised by the node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Alarms {
    /// Oldest first. Empty on a healthy network.
    pub alarms: Vec<Alarm>,
}
