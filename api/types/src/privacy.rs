//! Sealed envelopes: answers of the envelope routes, and the headers of the
//! signed requests they need (see `tanji_ledger::sealed::access`).

use serde::{Deserialize, Serialize};
use tanji_ledger::ids::OrgId;
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

/// The headers of a request signed with an organisation's registered ledger
/// key (`tanji_ledger::sealed::access`): envelopes and PACT credentials.
#[derive(Clone, Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct SignedRequestHeaders {
    /// The signing organisation.
    #[param(rename = "tanji-org", value_type = OrgId)]
    pub org: String,
    /// Signing time, Unix seconds (within 300 s of the node's clock).
    #[param(rename = "tanji-time")]
    pub time: u64,
    /// ed25519 signature over method, path, time and body hash, 128 hex characters.
    #[param(rename = "tanji-signature", pattern = "^[0-9a-f]{128}$")]
    pub signature: String,
}
