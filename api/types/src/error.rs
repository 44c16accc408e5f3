//! The JSON body of every refusal.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `{"error": {"code", "message"}}`: what every 4xx and 5xx answer of the
/// JSON API carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// A refusal's code and explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `bad_request`, `not_found`,
    /// `footprint_mismatch`, `replay`, `too_large`, `overloaded`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}
