//! Organisations and network facts.

use serde::{Deserialize, Serialize};
use tanji_ledger::crypto::{EncryptionKey, PublicKey};
use tanji_ledger::{OrgId, TxId};
use utoipa::ToSchema;

/// Whether an organisation may act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgStanding {
    /// Registered and not revoked.
    Active,
    /// Revoked by governance (失信名单); its signatures are refused from then on.
    Revoked,
}

/// An organisation as registered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Org {
    /// Org id.
    pub id: OrgId,
    /// Name.
    pub name: String,
    /// Company id URN (e.g. a unified social credit code).
    pub company_id: String,
    /// Roles: supplier, verifier, factor-publisher, regulator, validator.
    pub roles: Vec<String>,
    /// ed25519 signing key.
    pub signing_key: PublicKey,
    /// X25519 key that envelopes for it are sealed to.
    pub encryption_key: EncryptionKey,
    /// Active or revoked.
    pub status: OrgStanding,
    /// Why it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
    /// Log index of the registration.
    pub registered_at: u64,
    /// Log index of the last change.
    pub updated_at: u64,
    /// Highest nonce used so far (the next transaction can use any unused
    /// one, e.g. this + 1). Given by `GET /v1/orgs/{id}` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_nonce: Option<u64>,
    /// Keys the organisation rotated out, oldest first: an entry at index
    /// `i` was signed with the key whose `from <= i < until` (the current
    /// key after the last `until`). Given by `GET /v1/orgs/{id}` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired_keys: Vec<RetiredKeyView>,
}

/// A key an organisation replaced by a rotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RetiredKeyView {
    /// `signing` (ed25519) or `encryption` (X25519).
    pub purpose: String,
    /// The key, hex.
    pub key: String,
    /// Log index from which it was in force.
    pub from: u64,
    /// Log index of the rotation that replaced it.
    pub until: u64,
    /// Declared by governance: the log size from which the key is held
    /// compromised; entries it signed from there on are not to be trusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compromised_since: Option<u64>,
}

/// Network facts from the genesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NetworkView {
    /// Network name (checkpoint origin).
    pub network: String,
    /// Genesis transaction id.
    pub genesis_tx: TxId,
    /// Note keys (C2SP vkeys) of the validator set in force now.
    pub validators: Vec<String>,
    /// The validator nodes in force now: who runs each, its key name and
    /// key (the same nodes as `validators`, in the order they joined).
    pub validator_nodes: Vec<ValidatorView>,
    /// Signatures a checkpoint by the set in force needs.
    pub quorum: usize,
    /// Every validator set the network has had, oldest first: the genesis
    /// set, then one per governance change.
    pub validator_history: Vec<ValidatorEpochView>,
    /// Observer nodes registered through governance, in registration order.
    pub observers: Vec<ObserverView>,
    /// This node's role: validator, observer or solo.
    pub role: String,
}

/// A validator node: orders batches and signs checkpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ValidatorView {
    /// Key name in cosigned notes.
    pub name: String,
    /// Operating organisation's id.
    pub operator: OrgId,
    /// The node's ed25519 key.
    pub key: PublicKey,
}

/// What made a validator set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValidatorChange {
    /// The genesis set.
    Genesis,
    /// A node was added.
    Add,
    /// A node was removed.
    Remove,
}

/// One validator set of the network's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ValidatorEpochView {
    /// What made this set.
    pub change: ValidatorChange,
    /// The node added or removed (absent for the genesis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Log index of the entry that made it (0 for the genesis).
    pub change_index: u64,
    /// Consensus height that decided that entry (absent for the genesis
    /// and on a solo node).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// Smallest checkpoint size this set signs; it also orders every batch
    /// after that size's.
    pub first_size: u64,
    /// The set's node names.
    pub validators: Vec<String>,
    /// Signatures a checkpoint by this set needs.
    pub quorum: usize,
}

/// An observer node: replicates and verifies, cosigns checkpoints as a witness, never votes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ObserverView {
    /// Key name in cosigned notes.
    pub name: String,
    /// Operating organisation's id.
    pub operator: OrgId,
    /// The node's ed25519 key.
    pub key: PublicKey,
}

impl std::fmt::Display for OrgStanding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            OrgStanding::Active => "active",
            OrgStanding::Revoked => "revoked",
        })
    }
}
