//! Organisations, their roles, and the genesis that starts a network.

use std::fmt;
use std::str::FromStr;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::crypto::{EncryptionKey, PublicKey};
use crate::ids::OrgId;

/// What an organisation may do on the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A producer: signs footprint attestations for its products.
    Supplier,
    /// A certification body: verifies attestations and issues carbon labels.
    Verifier,
    /// Publishes emission factors to the factor database.
    FactorPublisher,
    /// A regulator: governs membership, runs observer nodes.
    Regulator,
    /// Operates a validator node that orders transactions; takes part in governance.
    Validator,
}

impl Role {
    /// Every role, in bit order.
    pub const ALL: [Role; 5] = [
        Role::Supplier,
        Role::Verifier,
        Role::FactorPublisher,
        Role::Regulator,
        Role::Validator,
    ];

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// The role's name as used in JSON, the CLI and key files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Supplier => "supplier",
            Role::Verifier => "verifier",
            Role::FactorPublisher => "factor-publisher",
            Role::Regulator => "regulator",
            Role::Validator => "validator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown role {s:?} (expected one of supplier, verifier, factor-publisher, regulator, validator)"
                )
            })
    }
}

/// A set of roles, encoded as one byte (bit `i` = [`Role::ALL`]`[i]`).
/// Bits above the known roles make the encoding invalid.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, BorshSerialize)]
pub struct Roles(u8);

impl BorshDeserialize for Roles {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let bits = u8::deserialize_reader(reader)?;
        Roles::from_bits(bits).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("unknown role bits {bits:#010b}"),
            )
        })
    }
}

impl Roles {
    const KNOWN: u8 = (1 << Role::ALL.len()) - 1;

    /// The set with exactly these bits, if all are known roles.
    pub fn from_bits(bits: u8) -> Option<Self> {
        (bits & !Self::KNOWN == 0).then_some(Self(bits))
    }
    /// The raw bits.
    pub fn bits(self) -> u8 {
        self.0
    }
    /// Whether `role` is in the set.
    pub fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }
    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Regulators and validators govern membership.
    pub fn is_governance(self) -> bool {
        self.contains(Role::Regulator) || self.contains(Role::Validator)
    }
    /// The roles in the set, in [`Role::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        Roles(iter.into_iter().fold(0, |bits, r| bits | r.bit()))
    }
}

impl fmt::Debug for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for Roles {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Roles {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<Role>::deserialize(d)?.into_iter().collect())
    }
}

/// An organisation as registered on the ledger.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct OrgRecord {
    /// Display name, e.g. "联想(北京)有限公司".
    pub name: String,
    /// A URN naming the company: `urn:uscc:<18-character unified social credit code>`
    /// for Chinese entities, or another registry's URN. The org id derives from it.
    pub company_id: String,
    /// Key that signs the organisation's transactions.
    pub signing_key: PublicKey,
    /// X25519 key to which others seal private data for this organisation.
    pub encryption_key: EncryptionKey,
    /// What the organisation may do.
    pub roles: Roles,
}

impl OrgRecord {
    /// The organisation's id, derived from its company id.
    pub fn id(&self) -> OrgId {
        OrgId::from_company_id(&self.company_id)
    }
}

/// A validator node: its operator and the key that signs checkpoints (and, later,
/// authenticates the node to its peers).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ValidatorNode {
    /// The organisation that runs the node (must have the validator role).
    pub operator: OrgId,
    /// Key name in signed notes (C2SP: no spaces, no `+`).
    pub name: String,
    /// The node's ed25519 key.
    pub key: PublicKey,
}

/// An observer node, run by a regulator or an auditor (a verifier): it
/// replicates and verifies every entry, cosigns checkpoints as a witness, and
/// never votes in ordering. Registered and removed by governance, so that peers
/// know its key and admit its connections.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ObserverNode {
    /// The organisation that runs the node (must have the regulator or verifier role).
    pub operator: OrgId,
    /// Key name in cosigned notes (C2SP: no spaces, no `+`); unique among
    /// validator and observer nodes.
    pub name: String,
    /// The node's ed25519 key; unique among validator and observer nodes.
    pub key: PublicKey,
}

/// The first entry of every log: the founding organisations and validators.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Genesis {
    /// The founding organisations; each signs the genesis (proof of key possession).
    pub orgs: Vec<OrgRecord>,
    /// The validator nodes whose signatures make checkpoints.
    pub validators: Vec<ValidatorNode>,
}
