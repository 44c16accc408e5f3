//! The ledger's view of carbon records: who published them, when, and
//! whether they still stand.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use super::{Attestation, Certificate, FactorRecord, ProductRule};
use crate::ids::{OrgId, TxId};

/// Whether a factor, rule or footprint may still be used.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum RecordStatus {
    /// In force.
    Active,
    /// Replaced by a newer version (PACT "Deprecated").
    Deprecated {
        /// What replaced it (`id@version` or a tx id).
        by: String,
        /// Log index of the replacement.
        at: u64,
    },
    /// Withdrawn by its publisher (or governance), with a reason.
    Revoked {
        /// Why.
        reason: String,
        /// Log index of the revocation.
        at: u64,
    },
}

impl RecordStatus {
    /// Whether the record may be used as an input.
    pub fn is_active(&self) -> bool {
        matches!(self, RecordStatus::Active)
    }
    /// A short word: active, deprecated, revoked.
    pub fn word(&self) -> &'static str {
        match self {
            RecordStatus::Active => "active",
            RecordStatus::Deprecated { .. } => "deprecated",
            RecordStatus::Revoked { .. } => "revoked",
        }
    }
}

/// A factor version on the ledger.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FactorState {
    /// The record.
    pub record: FactorRecord,
    /// Who published it.
    pub publisher: OrgId,
    /// The publishing transaction.
    pub tx: TxId,
    /// Its log index.
    pub published_at: u64,
    /// Current status.
    pub status: RecordStatus,
}

/// A product rule version on the ledger.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct RuleState {
    /// The rule.
    pub rule: ProductRule,
    /// Who published it.
    pub publisher: OrgId,
    /// The publishing transaction.
    pub tx: TxId,
    /// Its log index.
    pub published_at: u64,
    /// Current status.
    pub status: RecordStatus,
}

/// A footprint attestation on the ledger (its id is the transaction id).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FootprintState {
    /// The attestation.
    pub attestation: Attestation,
    /// Its author (the producer).
    pub author: OrgId,
    /// The attestation's id.
    pub id: TxId,
    /// Its log index.
    pub at: u64,
    /// Current status.
    pub status: RecordStatus,
    /// Envelopes its author sealed to customers and auditors (hashes and
    /// recipients only), in log order.
    #[serde(default)]
    pub disclosures: Vec<super::DisclosureRecord>,
}

/// Status of a certificate as recorded on the ledger. Expiry is not recorded:
/// it follows from `valid_until` and the reader's date.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum CertificateStatus {
    /// Valid (within its validity period).
    Active,
    /// Suspended.
    Suspended {
        /// Why.
        reason: String,
        /// Log index.
        at: u64,
    },
    /// Revoked for good.
    Revoked {
        /// Why.
        reason: String,
        /// Log index.
        at: u64,
    },
}

/// A certificate on the ledger.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct CertificateState {
    /// The certificate.
    pub certificate: Certificate,
    /// The certification body.
    pub issuer: OrgId,
    /// The issuing transaction.
    pub tx: TxId,
    /// Its log index.
    pub issued_at: u64,
    /// Status as recorded.
    pub status: CertificateStatus,
}
