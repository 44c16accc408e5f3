//! The log as RFC 9162 clients expect it: checkpoints, entries and proofs.

use serde::{Deserialize, Serialize};
use tanji_ledger::{OrgId, TxId};
use utoipa::{IntoParams, ToSchema};

/// Most entries one `GET /v1/entries` returns.
pub const MAX_ENTRIES_PER_PAGE: u64 = 1000;

/// A checkpoint, parsed, with its signed note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CheckpointRef {
    /// Tree size.
    pub size: u64,
    /// Root hash, base64.
    pub root: String,
    /// The C2SP signed note.
    pub note: String,
}

/// An inclusion proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InclusionProof {
    /// Leaf index.
    pub index: u64,
    /// Tree size the proof is for.
    pub size: u64,
    /// Audit path, base64 hashes, leaf to root (RFC 9162 §2.1.3).
    pub hashes: Vec<String>,
}

/// A consistency proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsistencyProof {
    /// Older tree size.
    pub from: u64,
    /// Newer tree size.
    pub to: u64,
    /// Proof hashes, base64 (RFC 9162 §2.1.4).
    pub hashes: Vec<String>,
}

/// One log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Entry {
    /// Index in the log.
    pub index: u64,
    /// The entry bytes (borsh SignedTx), base64; BLAKE3(0x00 ‖ bytes) is its leaf hash.
    pub bytes: String,
    /// The leaf hash, base64.
    pub leaf_hash: String,
}

/// A page of entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EntriesPage {
    /// Entries in index order.
    pub entries: Vec<Entry>,
}

/// `?size=N`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SizeQuery {
    /// Tree size of an older checkpoint; the latest when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::bounds::opt_position"
    )]
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    pub size: Option<u64>,
}

/// `?start=S&end=E`.
#[derive(Clone, Debug, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First index (at most the log's size).
    #[serde(deserialize_with = "crate::bounds::position")]
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    pub start: u64,
    /// One past the last index (at least `start`); at most start + 1000 are
    /// returned, clipped to the log's size.
    #[serde(deserialize_with = "crate::bounds::position")]
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    pub end: u64,
}

/// `?index=I&size=N`.
#[derive(Clone, Debug, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// Leaf index.
    #[serde(deserialize_with = "crate::bounds::position")]
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    pub index: u64,
    /// Tree size; the current size when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::bounds::opt_position"
    )]
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    pub size: Option<u64>,
}

/// `?from=M&to=N`.
#[derive(Clone, Debug, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// Older size.
    #[serde(deserialize_with = "crate::bounds::position")]
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    pub from: u64,
    /// Newer size; the current size when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::bounds::opt_position"
    )]
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    pub to: Option<u64>,
}

/// Most entries `GET /v1/log/recent` decodes at once.
pub const MAX_RECENT: usize = 200;
/// Entries `GET /v1/log/recent` decodes by default.
pub const DEFAULT_RECENT: usize = 20;

/// `?limit=N`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecentQuery {
    /// How many of the newest entries (1 to 200; default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
}

/// One log entry decoded far enough to say what it is and who wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecodedEntry {
    /// Index in the log.
    pub index: u64,
    /// The transaction's id.
    pub tx_id: TxId,
    /// Its kind, as `TxKind` names it (`attest_footprint`, `issue_certificate`...).
    pub kind: String,
    /// Its author.
    pub author: OrgId,
    /// The author's registered name (absent for the genesis' own entry or an
    /// organisation not registered at the time of reading).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// What the entry is about: the product, factor, rule or certificate it
    /// names, or the organisation it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// `GET /v1/log/recent`: the newest entries, newest first. The log records
/// order, not wall-clock time: an entry's place is its index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecentEntries {
    /// The log's size when read.
    pub size: u64,
    /// Newest first.
    pub entries: Vec<DecodedEntry>,
}
