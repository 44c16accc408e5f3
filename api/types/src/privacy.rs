//! Sealed envelopes: answers of the envelope routes, and the headers of the
//! signed requests they need (see `tanji_ledger::sealed::access`).

use serde::{Deserialize, Serialize};
use tanji_ledger::sealed::EnvelopeHash;
use utoipa::ToSchema;

pub use tanji_ledger::sealed::access::{HEADER_ORG, HEADER_SIGNATURE, HEADER_TIME};

/// Answer to a deposit: the envelope is kept on this node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnvelopeKept {
    /// The envelope's hash.
    pub envelope: EnvelopeHash,
    /// Its size in bytes.
    pub size: u64,
}

/// Answer to a purge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnvelopePurged {
    /// The envelope's hash.
    pub envelope: EnvelopeHash,
    /// Whether this node kept it (and now no longer does).
    pub purged: bool,
}
