//! Sealed envelopes (HPKE, see `tanji_ledger::sealed`): kept in the node's
//! private store, never in the log, served only to their recipient.
//!
//! - `PUT /v1/footprints/{id}/envelopes/{hash}`: the footprint's author
//!   deposits the envelope whose hash and size its committed `disclose`
//!   transaction recorded. Nothing else is accepted, so the private store
//!   holds only envelopes the log accounts for.
//! - `GET /v1/footprints/{id}/envelopes/{hash}`: the recipient named by that
//!   disclosure fetches the bytes.
//! - `DELETE /v1/footprints/{id}/envelopes/{hash}`: the author or the
//!   recipient purges it from this node.
//!
//! Every request is signed with the organisation's registered ed25519 key
//! (`tanji_ledger::sealed::access`). Nobody else, the node's operator
//! included, can read an envelope: it is encrypted to the recipient's X25519
//! key. Envelopes live on the node they were deposited on.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tanji_ledger::carbon::{DisclosureRecord, FootprintState};
use tanji_ledger::sealed::access::{RequestSignature, HEADER_ORG, HEADER_SIGNATURE, HEADER_TIME};
use tanji_ledger::sealed::{Envelope, EnvelopeHash, MAX_ENVELOPE_BYTES};
use tanji_ledger::state::StateView;
use tanji_ledger::store::Store;
use tanji_ledger::{OrgId, TxId};

use crate::{ApiError, ApiState};

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
}

fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Checks the request's signature against the signer's registered key; the
/// signer must be an active organisation. Returns the signer.
fn authenticate(
    store: &Store,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Result<OrgId, ApiError> {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let req = RequestSignature::from_headers(h(HEADER_ORG), h(HEADER_TIME), h(HEADER_SIGNATURE))
        .map_err(|e| unauthorized(e.to_string()))?;
    let org = StateView::org(store, &req.org)
        .map_err(internal)?
        .ok_or_else(|| unauthorized(format!("unknown organisation {}", req.org)))?;
    if !org.is_active() {
        return Err(forbidden(format!("organisation {} is revoked", req.org)));
    }
    req.verify(&org.record.signing_key, method.as_str(), path, body, now())
        .map_err(|e| unauthorized(e.to_string()))?;
    Ok(req.org)
}

fn parse_ids(id: &str, hash: &str) -> Result<(TxId, EnvelopeHash), ApiError> {
    let id = id
        .parse()
        .map_err(|e| ApiError::bad_request(format!("footprint id: {e}")))?;
    let hash = EnvelopeHash::from_hex(hash)
        .map_err(|e| ApiError::bad_request(format!("envelope hash: {e}")))?;
    Ok((id, hash))
}

/// The footprint and its recorded disclosure of `hash`.
fn disclosure(
    store: &Store,
    id: &TxId,
    hash: &EnvelopeHash,
) -> Result<(FootprintState, DisclosureRecord), ApiError> {
    let fp = StateView::footprint(store, id)
        .map_err(internal)?
        .ok_or_else(|| ApiError::not_found(format!("footprint {id} is not on the ledger")))?;
    let record = fp
        .disclosures
        .iter()
        .find(|d| d.disclosure.envelope == *hash)
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "footprint {id} records no disclosure of envelope {hash} (yet: the disclose transaction may still be pending)"
            ))
        })?;
    Ok((fp, record))
}

/// `PUT /v1/footprints/{id}/envelopes/{hash}`: deposit a disclosed envelope
/// (signed by the footprint's author; the disclosure must be committed).
#[utoipa::path(put, path = "/v1/footprints/{id}/envelopes/{hash}", tag = "privacy",
    params(("id" = String, Path, description = "Footprint id"), ("hash" = String, Path, description = "Envelope hash")),
    request_body(content = Vec<u8>, description = "Envelope bytes (application/octet-stream), at most 512 KiB"),
    responses(
        (status = 201, description = "Kept: {\"envelope\": hash, \"size\": bytes}"),
        (status = 400, description = "Not an envelope, or not the recorded hash or size"),
        (status = 401, description = "Missing or bad request signature"),
        (status = 403, description = "Not the footprint's author"),
        (status = 404, description = "No committed disclosure of this envelope"),
        (status = 413, description = "Too large"),
    ))]
pub async fn deposit(
    State(state): State<ApiState>,
    method: Method,
    headers: HeaderMap,
    Path((id, hash)): Path<(String, String)>,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let (id, hash) = parse_ids(&id, &hash)?;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("an envelope has at most {MAX_ENVELOPE_BYTES} bytes"),
        )
    };
    let bytes = super::read_body(body, MAX_ENVELOPE_BYTES)
        .await
        .ok_or_else(too_large)?;
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let path = format!("/v1/footprints/{id}/envelopes/{hash}");
        let sender = authenticate(&store, &headers, &method, &path, &bytes)?;
        let (fp, record) = disclosure(&store, &id, &hash)?;
        if sender != fp.author {
            return Err(forbidden(format!(
                "only the author of footprint {id} deposits its envelopes"
            )));
        }
        let malformed = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "malformed", m);
        if EnvelopeHash::of_bytes(&bytes) != hash {
            return Err(malformed(format!("the body's hash is not {hash}")));
        }
        if bytes.len() != record.disclosure.size as usize {
            return Err(malformed(format!(
                "the body has {} bytes, the disclosure recorded {}",
                bytes.len(),
                record.disclosure.size
            )));
        }
        Envelope::from_bytes(&bytes).map_err(|e| malformed(e.to_string()))?;
        store.put_envelope(&hash, &bytes).map_err(internal)?;
        tracing::info!(%hash, footprint = %id, size = bytes.len(), "envelope kept");
        Ok((
            StatusCode::CREATED,
            Json(json!({ "envelope": hash, "size": bytes.len() })),
        ))
    })
    .await
    .map_err(internal)?
}

/// `GET /v1/footprints/{id}/envelopes/{hash}`: the envelope, for its recipient only.
#[utoipa::path(get, path = "/v1/footprints/{id}/envelopes/{hash}", tag = "privacy",
    params(("id" = String, Path, description = "Footprint id"), ("hash" = String, Path, description = "Envelope hash")),
    responses(
        (status = 200, description = "Envelope bytes (application/octet-stream)"),
        (status = 401, description = "Missing or bad request signature"),
        (status = 403, description = "Not the recipient"),
        (status = 404, description = "No such disclosure, or the envelope is not kept on this node"),
    ))]
pub async fn fetch(
    State(state): State<ApiState>,
    method: Method,
    headers: HeaderMap,
    Path((id, hash)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (id, hash) = parse_ids(&id, &hash)?;
    let store = state.store.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        let path = format!("/v1/footprints/{id}/envelopes/{hash}");
        let requester = authenticate(&store, &headers, &method, &path, b"")?;
        let (_, record) = disclosure(&store, &id, &hash)?;
        if requester != record.disclosure.recipient {
            return Err(forbidden(format!(
                "envelope {hash} is for {}, not {requester}",
                record.disclosure.recipient
            )));
        }
        store.envelope(&hash).map_err(internal)?.ok_or_else(|| {
            ApiError::not_found(format!(
                "envelope {hash} is not kept on this node (purged, or posted to another node)"
            ))
        })
    })
    .await
    .map_err(internal)??;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

/// `DELETE /v1/footprints/{id}/envelopes/{hash}`: purge (author or recipient).
#[utoipa::path(delete, path = "/v1/footprints/{id}/envelopes/{hash}", tag = "privacy",
    params(("id" = String, Path, description = "Footprint id"), ("hash" = String, Path, description = "Envelope hash")),
    responses(
        (status = 200, description = "{\"purged\": whether it was kept here}"),
        (status = 401, description = "Missing or bad request signature"),
        (status = 403, description = "Neither the author nor the recipient"),
        (status = 404, description = "No such disclosure"),
    ))]
pub async fn purge(
    State(state): State<ApiState>,
    method: Method,
    headers: HeaderMap,
    Path((id, hash)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (id, hash) = parse_ids(&id, &hash)?;
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let path = format!("/v1/footprints/{id}/envelopes/{hash}");
        let requester = authenticate(&store, &headers, &method, &path, b"")?;
        let (fp, record) = disclosure(&store, &id, &hash)?;
        if requester != record.disclosure.recipient && requester != fp.author {
            return Err(forbidden(
                "only the footprint's author or the envelope's recipient may purge it",
            ));
        }
        let purged = store.delete_envelope(&hash).map_err(internal)?;
        tracing::info!(%hash, %requester, purged, "envelope purge");
        Ok(Json(json!({ "envelope": hash, "purged": purged })))
    })
    .await
    .map_err(internal)?
}
