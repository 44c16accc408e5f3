//! Disclosures: the log's record that a footprint's author sealed an
//! envelope (an opening or raw data, see [`crate::sealed`]) to a named
//! organisation.
//!
//! The envelope itself never enters the log: nodes keep it in their private
//! store, where it can be purged, and serve it only to its recipient. The log
//! holds its hash, size, purpose and recipient, so anyone can see *that* a
//! customer or an auditor was given data and check that what a node serves is
//! what the author sealed, without seeing the data.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::ids::{OrgId, TxId};
use crate::sealed::{EnvelopeHash, Purpose};

/// Most disclosures one footprint may record (bounds its state record).
pub const MAX_DISCLOSURES: usize = 64;

/// The body of a `disclose` transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Disclosure {
    /// The footprint the envelope is about (the author's own attestation).
    pub footprint: TxId,
    /// Who the envelope is sealed to (its X25519 key is the one registered).
    pub recipient: OrgId,
    /// What the envelope holds.
    pub purpose: Purpose,
    /// Hash of the envelope's bytes ([`EnvelopeHash::of_bytes`]).
    pub envelope: EnvelopeHash,
    /// Size of the envelope's bytes (1..=[`crate::sealed::MAX_ENVELOPE_BYTES`]).
    pub size: u32,
}

/// A disclosure as recorded on a footprint's state.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DisclosureRecord {
    /// What was disclosed, to whom.
    pub disclosure: Disclosure,
    /// The `disclose` transaction.
    pub tx: TxId,
    /// Its log index.
    pub at: u64,
}
