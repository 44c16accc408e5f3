//! Carbon label certificates (碳标识认证): a certification body's statement
//! that an attestation was verified against a product rule, with its grade.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use super::{Date, RecordRef};
use crate::ids::TxId;

/// Longest certificate id.
pub const MAX_CERTIFICATE_ID_LEN: usize = 64;

/// A certificate as issued.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Certificate {
    /// Certificate number, unique on the ledger (letters, digits, `-`, `_`, `.`).
    pub id: String,
    /// The attestation certified.
    pub footprint: TxId,
    /// The rule it was checked against.
    pub rule: RecordRef,
    /// Grade under the rule's thresholds (checked by every node).
    pub grade: u8,
    /// First day of validity.
    pub valid_from: Date,
    /// First day it is no longer valid (exclusive).
    pub valid_until: Date,
    /// Standard and scope of the verification, e.g. "GB/T 24067-2024, ISO 14067:2018, reasonable assurance".
    pub scope: String,
}

/// A change of a certificate's status.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[borsh(use_discriminant = true)]
pub enum CertificateAction {
    /// Suspend (e.g. pending investigation).
    Suspend = 0,
    /// Lift a suspension.
    Reinstate = 1,
    /// Withdraw for good.
    Revoke = 2,
}
