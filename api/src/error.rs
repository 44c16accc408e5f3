//! JSON errors: every refusal is an [`ErrorBody`] with the status that fits.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tanji_api_types::{ErrorBody, ErrorDetail};
use tanji_ledger::merkle::MerkleError;
use tanji_ledger::store::StoreError;
use tanji_ledger::validate::{ErrorClass, TxError};

/// An error answered as `{"error": {"code", "message"}}` with an HTTP status.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
}

impl ApiError {
    /// A new error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
    /// 400 with code `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    /// 404 with code `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    /// 404 with code `out_of_range`: a part of the log (entries, a tree
    /// size, a proof) that does not exist, or not yet.
    pub fn out_of_range(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "out_of_range", message)
    }
    /// 500 with code `internal`: the node failed, not the request.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
    }
    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        (self.status, Json(self.body())).into_response()
    }
}

impl From<TxError> for ApiError {
    fn from(e: TxError) -> Self {
        let status = match e.class() {
            ErrorClass::Malformed => StatusCode::BAD_REQUEST,
            ErrorClass::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorClass::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorClass::Conflict => StatusCode::CONFLICT,
            ErrorClass::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::OutOfRange(m) => ApiError::out_of_range(m),
            StoreError::Merkle(
                m @ (MerkleError::IndexOutOfRange { .. }
                | MerkleError::SizeOutOfRange { .. }
                | MerkleError::InvalidRange { .. }),
            ) => ApiError::out_of_range(m.to_string()),
            other => ApiError::internal(other),
        }
    }
}

impl From<tanji_ledger::state::StateError> for ApiError {
    fn from(e: tanji_ledger::state::StateError) -> Self {
        ApiError::internal(e)
    }
}
