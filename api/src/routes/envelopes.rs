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

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tanji_api_types::privacy::SignedRequestHeaders;
use tanji_api_types::privacy::{EnvelopeKept, EnvelopePurged};
use tanji_api_types::{paths, ErrorBody};
use tanji_ledger::carbon::{DisclosureRecord, FootprintState};
use tanji_ledger::sealed::{Envelope, EnvelopeHash, MAX_ENVELOPE_BYTES};
use tanji_ledger::state::StateView;
use tanji_ledger::{OrgId, TxId};

use super::signed::{authenticate, forbidden};
use crate::ApiLedger;
use crate::{ApiError, ApiState};

/// A signed request about one recorded disclosure, authenticated: who asks,
/// the footprint, and its disclosure of the envelope.
struct Request {
    requester: OrgId,
    footprint: FootprintState,
    record: DisclosureRecord,
    hash: EnvelopeHash,
}

/// Parses the path, then on a blocking thread authenticates the request
/// (signed over `body`), finds the disclosure of `hash` on footprint `id`,
/// and runs `then` with the store.
async fn on_disclosure<T: Send + 'static>(
    state: &ApiState,
    method: Method,
    headers: HeaderMap,
    (id, hash): (String, String),
    body: Vec<u8>,
    then: impl FnOnce(&dyn ApiLedger, Request, Vec<u8>) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let id: TxId = id
        .parse()
        .map_err(|e| ApiError::bad_request(format!("footprint id: {e}")))?;
    let hash = EnvelopeHash::from_hex(&hash)
        .map_err(|e| ApiError::bad_request(format!("envelope hash: {e}")))?;
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let path = format!("/v1/footprints/{id}/envelopes/{hash}");
        let requester = authenticate(&*store, &headers, &method, &path, &body)?;
        let footprint = StateView::footprint(&*store, &id)
            .map_err(ApiError::internal)?
            .ok_or_else(|| ApiError::not_found(format!("footprint {id} is not on the ledger")))?;
        let record = footprint
            .disclosures
            .iter()
            .find(|d| d.disclosure.envelope == hash)
            .cloned()
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "footprint {id} records no disclosure of envelope {hash} (yet: the disclose transaction may still be pending)"
                ))
            })?;
        let request = Request {
            requester,
            footprint,
            record,
            hash,
        };
        then(&*store, request, body)
    })
    .await
    .map_err(ApiError::internal)?
}

/// `PUT /v1/footprints/{id}/envelopes/{hash}`: deposit a disclosed envelope
/// (signed by the footprint's author; the disclosure must be committed).
#[utoipa::path(put, path = paths::ENVELOPE, tag = "privacy",
    params(("id" = TxId, Path, description = "Footprint id"),
        ("hash" = EnvelopeHash, Path, description = "Envelope hash"),
        SignedRequestHeaders,
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "Envelope bytes, at most 512 KiB"),
    responses(
        (status = 201, description = "Kept on this node", body = EnvelopeKept),
        (status = 400, description = "Bad id, or not an envelope, or not the recorded hash or size", body = ErrorBody),
        (status = 401, description = "Missing or bad request signature", body = ErrorBody),
        (status = 403, description = "Not the footprint's author", body = ErrorBody),
        (status = 404, description = "No committed disclosure of this envelope", body = ErrorBody),
        (status = 413, description = "Too large", body = ErrorBody),
    ))]
pub async fn deposit(
    State(state): State<ApiState>,
    method: Method,
    headers: HeaderMap,
    Path(ids): Path<(String, String)>,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let bytes = super::read_body(body, MAX_ENVELOPE_BYTES)
        .await
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("an envelope has at most {MAX_ENVELOPE_BYTES} bytes"),
            )
        })?;
    on_disclosure(&state, method, headers, ids, bytes, |store, r, bytes| {
        let id = r.footprint.id;
        if r.requester != r.footprint.author {
            return Err(forbidden(format!(
                "only the author of footprint {id} deposits its envelopes"
            )));
        }
        let malformed = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "malformed", m);
        if EnvelopeHash::of_bytes(&bytes) != r.hash {
            return Err(malformed(format!("the body's hash is not {}", r.hash)));
        }
        if bytes.len() != r.record.disclosure.size as usize {
            return Err(malformed(format!(
                "the body has {} bytes, the disclosure recorded {}",
                bytes.len(),
                r.record.disclosure.size
            )));
        }
        Envelope::from_bytes(&bytes).map_err(|e| malformed(e.to_string()))?;
        store
            .put_envelope(&r.hash, &bytes)
            .map_err(ApiError::internal)?;
        tracing::info!(hash = %r.hash, footprint = %id, size = bytes.len(), "envelope kept");
        Ok((
            StatusCode::CREATED,
            Json(EnvelopeKept {
                envelope: r.hash,
                size: bytes.len() as u64,
            }),
        ))
    })
    .await
}

/// `GET /v1/footprints/{id}/envelopes/{hash}`: the envelope, for its recipient only.
#[utoipa::path(get, path = paths::ENVELOPE, tag = "privacy",
    params(("id" = TxId, Path, description = "Footprint id"),
        ("hash" = EnvelopeHash, Path, description = "Envelope hash"),
        SignedRequestHeaders,
    ),
    responses(
        (status = 200, description = "Envelope bytes", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, description = "Bad id or hash", body = ErrorBody),
        (status = 401, description = "Missing or bad request signature", body = ErrorBody),
        (status = 403, description = "Not the recipient", body = ErrorBody),
        (status = 404, description = "No such disclosure, or the envelope is not kept on this node", body = ErrorBody),
    ))]
pub async fn fetch(
    State(state): State<ApiState>,
    method: Method,
    headers: HeaderMap,
    Path(ids): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let bytes = on_disclosure(&state, method, headers, ids, Vec::new(), |store, r, _| {
        let recipient = r.record.disclosure.recipient;
        if r.requester != recipient {
            return Err(forbidden(format!(
                "envelope {} is for {recipient}, not {}",
                r.hash, r.requester
            )));
        }
        store
            .envelope(&r.hash)
            .map_err(ApiError::internal)?
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "envelope {} is not kept on this node (purged, or deposited on another node)",
                    r.hash
                ))
            })
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

/// `DELETE /v1/footprints/{id}/envelopes/{hash}`: purge (author or recipient).
#[utoipa::path(delete, path = paths::ENVELOPE, tag = "privacy",
    params(("id" = TxId, Path, description = "Footprint id"),
        ("hash" = EnvelopeHash, Path, description = "Envelope hash"),
        SignedRequestHeaders,
    ),
    responses(
        (status = 200, description = "Purged (or was not kept here)", body = EnvelopePurged),
        (status = 400, description = "Bad id or hash", body = ErrorBody),
        (status = 401, description = "Missing or bad request signature", body = ErrorBody),
        (status = 403, description = "Neither the author nor the recipient", body = ErrorBody),
        (status = 404, description = "No such disclosure", body = ErrorBody),
    ))]
pub async fn purge(
    State(state): State<ApiState>,
    method: Method,
    headers: HeaderMap,
    Path(ids): Path<(String, String)>,
) -> Result<Json<EnvelopePurged>, ApiError> {
    on_disclosure(&state, method, headers, ids, Vec::new(), |store, r, _| {
        if r.requester != r.record.disclosure.recipient && r.requester != r.footprint.author {
            return Err(forbidden(
                "only the footprint's author or the envelope's recipient may purge it",
            ));
        }
        let purged = store.delete_envelope(&r.hash).map_err(ApiError::internal)?;
        tracing::info!(hash = %r.hash, requester = %r.requester, purged, "envelope purge");
        Ok(Json(EnvelopePurged {
            envelope: r.hash,
            purged,
        }))
    })
    .await
}
