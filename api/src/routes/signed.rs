//! Requests signed with an organisation's registered ledger key
//! (`tanji_ledger::sealed::access`): sealed envelopes and PACT credentials.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, Method, StatusCode};
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
