//! Requests signed with an organisation's registered ledger key
//! (`tanji_ledger::sealed::access`): sealed envelopes and PACT credentials.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, StatusCode};
use serde::de::DeserializeOwned;
use tanji_ledger::sealed::access::{RequestSignature, HEADER_ORG, HEADER_SIGNATURE, HEADER_TIME};
use tanji_ledger::state::StateView;
use tanji_ledger::OrgId;

use crate::ApiError;
use crate::ApiLedger;

pub(crate) fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

pub(crate) fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
}

/// Unix seconds now (0 if the clock is before 1970).
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Checks the request's signature against the signer's registered key; the
/// signer must be an active organisation. Returns the signer.
pub(crate) fn authenticate(
    store: &dyn ApiLedger,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Result<OrgId, ApiError> {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let req = RequestSignature::from_headers(h(HEADER_ORG), h(HEADER_TIME), h(HEADER_SIGNATURE))
        .map_err(|e| unauthorized(e.to_string()))?;
    let org = StateView::org(store, &req.org)
        .map_err(ApiError::internal)?
        .ok_or_else(|| unauthorized(format!("unknown organisation {}", req.org)))?;
    if !org.is_active() {
        return Err(forbidden(format!("organisation {} is revoked", req.org)));
    }
    req.verify(&org.record.signing_key, method.as_str(), path, body, now())
        .map_err(|e| unauthorized(e.to_string()))?;
    Ok(req.org)
}

/// A request signed by an organisation, authenticated: the signer and the
/// body (at most `LIMIT` bytes, 413 beyond). The signature covers the
/// method, the path as sent, the time and the body, so extracting this
/// checks all of them; a handler gets it only for a valid signature of an
/// active organisation.
pub(crate) struct Signed<const LIMIT: usize> {
    /// Who signed.
    pub org: OrgId,
    /// The body.
    pub body: Vec<u8>,
}

impl<const LIMIT: usize> FromRequest<crate::ApiState> for Signed<LIMIT> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &crate::ApiState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let body = super::read_body(body, LIMIT).await.ok_or_else(|| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("at most {LIMIT} bytes"),
            )
        })?;
        let path = parts.uri.path().to_string();
        let (method, headers) = (parts.method, parts.headers);
        super::blocking(state, move |store| {
            let org = authenticate(store, &headers, &method, &path, &body)?;
            Ok(Signed { org, body })
        })
        .await
    }
}

/// A JSON request body, or 400 saying what is wrong with it.
pub(crate) fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(format!("body: {e}")))
}
