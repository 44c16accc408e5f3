//! Health and alarms (checkpoint forks and equivocations, and consensus
//! equivocations that the consensus engine reports).

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

/// Something a node saw that must not happen between honest nodes, with
/// the signed evidence that proves it; anyone can check the signatures with
/// the network's keys.
///
/// Checkpoint alarms (`fork`, `equivocation`) carry two signed checkpoint
/// notes. Consensus alarms (`equivocating_vote`, `equivocating_proposal`)
/// carry two conflicting consensus messages signed by one validator, in
/// `consensus`, and a text rendering of each in `notes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Alarm {
    /// `fork` (a validly signed checkpoint that contradicts this node's log
    /// or another signed checkpoint), `equivocation` (one key signed two
    /// different roots for the same size), `equivocating_vote` (one
    /// validator signed two different prevotes or precommits for the same
    /// height and round) or `equivocating_proposal` (one validator signed
    /// two different proposals for the same height and round).
    pub kind: String,
    /// The log size both notes are about (checkpoint alarms); 0 for
    /// consensus alarms, which are about a consensus height (see
    /// `consensus.height`).
    pub size: u64,
    /// Who signed the conflicting note(s) or messages, by key name (the
    /// validator's hex key when its name is not known).
    pub signers: Vec<String>,
    /// Human-readable explanation.
    pub detail: String,
    /// The two conflicting signed notes (C2SP text); for consensus alarms,
    /// a text rendering of each signed message (the evidence to check is in
    /// `consensus`).
    pub notes: [String; 2],
    /// When the node raised it (RFC 3339, UTC).
    pub raised_at: String,
    /// The two conflicting signed consensus messages (consensus alarms only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consensus: Option<ConsensusEquivocation>,
}

/// Two conflicting consensus messages of the same type, height and round,
/// both validly signed by one validator: evidence that it equivocated
/// (Byzantine behaviour, or a stolen or shared key). Each message's
/// `signed_bytes` are exactly the bytes its signature covers, so anyone can
/// re-verify the evidence with the validator's public key (strict ed25519)
/// without trusting the node that serves it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsensusEquivocation {
    /// The network both messages are bound to (part of the signed bytes).
    pub network: String,
    /// Consensus height (1 decides the first batch).
    pub height: u64,
    /// Consensus round.
    pub round: u32,
    /// `prevote`, `precommit` or `proposal`.
    pub message: String,
    /// The validator's consensus address: its node key, hex.
    pub validator: String,
    /// The validator's name in the ledger's validator set, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator_name: Option<String>,
    /// The two signed messages, in the order the consensus engine saw them.
    pub signed: [SignedConsensusMessage; 2],
}

/// One signed consensus message of a `ConsensusEquivocation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedConsensusMessage {
    /// The batch id voted for or proposed, hex; absent for a vote for nil.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A proposal's proof-of-lock round (proposals only; absent when nil).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pol_round: Option<u32>,
    /// The ed25519 signature, hex (64 bytes).
    pub signature: String,
    /// The exact bytes the signature covers, hex: the context string
    /// (`tanji/vote/v1` or `tanji/proposal/v1`), a zero byte, then the
    /// borsh encoding of the network name and the message's fields.
    pub signed_bytes: String,
}

/// Alarms raised by the node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Alarms {
    /// Oldest first. Empty on a healthy network.
    pub alarms: Vec<Alarm>,
}
