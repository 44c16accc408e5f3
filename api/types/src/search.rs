//! One search box over the ledger: product ids (GTIN, URN), organisations,
//! certificates, transactions, factors and rules.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Longest query text accepted.
pub const MAX_SEARCH_QUERY: usize = 256;
/// Most hits one search returns.
pub const MAX_SEARCH_HITS: usize = 50;

/// `?q=`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to look for: a product id (`urn:gtin:06901234567892`, or the GTIN
    /// digits alone), any product URN, an organisation's id or part of its
    /// name or company id, a certificate id, a transaction id, or part of a
    /// factor's or rule's id or name. 1 to 256 characters; case-insensitive.
    #[param(min_length = 1, max_length = 256)]
    pub q: String,
}

/// What a hit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    /// A footprint attestation (id: its transaction id).
    Footprint,
    /// An organisation (id: its org id).
    Organisation,
    /// A certificate (id: the certificate id).
    Certificate,
    /// A log entry that is none of the above (id: its transaction id).
    Transaction,
    /// An emission factor (id: `id@version`).
    Factor,
    /// A product rule (id: `id@version`).
    Rule,
}

/// One hit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SearchHit {
    /// What it is.
    pub kind: HitKind,
    /// Its id, as its own route takes it.
    pub id: String,
    /// A name to show.
    pub title: String,
    /// Why it matched, or a short description.
    pub detail: String,
    /// Whether the query equals one of its ids (rather than a part of a name).
    pub exact: bool,
}

/// `GET /v1/search`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SearchResults {
    /// The query as understood (trimmed).
    pub q: String,
    /// Exact id matches first, then the rest in ledger order; at most 50.
    pub hits: Vec<SearchHit>,
    /// Whether more matched than were returned.
    pub truncated: bool,
}
