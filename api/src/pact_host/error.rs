//! PACT error responses: `{"code": ..., "message": ...}` with the spec's
//! codes and statuses (PACT v2.3 §6.9, v3.0 `Error`), and the OAuth 2.0
//! error body of the token endpoint (RFC 6749 §5.2).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::Version;

/// A refusal by the PACT host.
#[derive(Debug)]
pub struct PactError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl PactError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 `BadRequest`: a malformed request or event.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 401 `BadRequest`: no valid access token (v3 requires 401 for invalid
    /// tokens; `BadRequest` is the code the conformance suite expects).
    pub fn invalid_token(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "BadRequest", message)
    }

    /// 401 `TokenExpired`.
    pub fn token_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "TokenExpired",
            "The specified access token has expired",
        )
    }

    /// 403 `AccessDenied`.
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "AccessDenied", message)
    }

    /// 429 with code `BadRequest` (PACT's codes have no "too many"): a
    /// per-organisation limit of this host was reached.
    pub fn too_many(message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "BadRequest", message)
    }

    /// 408 with code `BadRequest`: the request (its body) did not arrive
    /// within the node's time limit.
    pub fn request_timeout(message: impl Into<String>) -> Self {
        Self::new(StatusCode::REQUEST_TIMEOUT, "BadRequest", message)
    }

    /// 503 with code `InternalError`: the host could not answer within the
    /// node's time limit.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "InternalError", message)
    }

    /// 404 `NoSuchFootprint` (v2) or `NotFound` (v3).
    pub fn not_found(version: Version, message: impl Into<String>) -> Self {
        let code = match version {
            Version::V2 => "NoSuchFootprint",
            Version::V3 => "NotFound",
        };
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// `NotImplemented`: 400 in v2's table, 501 in v3.
    pub fn not_implemented(version: Version, message: impl Into<String>) -> Self {
        let status = match version {
            Version::V2 => StatusCode::BAD_REQUEST,
            Version::V3 => StatusCode::NOT_IMPLEMENTED,
        };
        Self::new(status, "NotImplemented", message)
    }

    /// 500 `InternalError`; the cause is logged, not sent.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "PACT host internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "An internal or unexpected error has occurred",
        )
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl IntoResponse for PactError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            Json(serde_json::json!({ "code": self.code, "message": self.message })),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"pact\""),
            );
        }
        resp
    }
}

/// An OAuth 2.0 token error (RFC 6749 §5.2).
#[derive(Debug)]
pub struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthError {
    /// 401 `invalid_client`: unknown client, wrong secret, or revoked
    /// organisation (deliberately not told apart).
    pub fn invalid_client() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "Authentication failed".into(),
        }
    }

    /// 400 with `error` (`invalid_request`, `unsupported_grant_type`).
    pub fn bad(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
        }
    }

    /// 500 `server_error`; the cause is logged.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "PACT token endpoint internal error");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error",
            description: "An internal or unexpected error has occurred".into(),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            [(header::CACHE_CONTROL, "no-store")],
            Json(serde_json::json!({
                "error": self.error,
                "error_description": self.description,
            })),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic realm=\"pact\""),
            );
        }
        resp
    }
}
