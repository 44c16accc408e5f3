//! The log: checkpoints, entries and proofs, as RFC 9162 clients expect them.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use tanji_api_types::log::{
    ConsistencyProof, ConsistencyQuery, EntriesPage, Entry, InclusionProof, InclusionQuery,
    RangeQuery, SizeQuery, MAX_ENTRIES_PER_PAGE,
};
use tanji_api_types::{paths, ErrorBody};
use tanji_ledger::merkle::{Blake3Hasher, MerkleHasher};

use super::query;
use crate::{ApiError, ApiState};

/// `GET /v1/checkpoint`: the latest signed note, or the one at `size`.
#[utoipa::path(get, path = paths::CHECKPOINT, tag = "log", params(SizeQuery),
    responses(
        (status = 200, description = "C2SP signed note", content_type = "text/plain", body = String),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 404, description = "No checkpoint at that size", body = ErrorBody),
    ))]
pub async fn checkpoint(
    State(state): State<ApiState>,
    q: Result<Query<SizeQuery>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let q = query(q)?;
    let note = match q.size {
        Some(size) => state.store.checkpoint_at(size)?,
        None => state.store.latest_checkpoint()?,
    };
    let note = note.ok_or_else(|| match q.size {
        Some(size) => ApiError::not_found(format!("no checkpoint for size {size}")),
        None => ApiError::not_found("the log has no checkpoint yet"),
    })?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        note,
    ))
}

/// `GET /v1/entries?start=S&end=E`.
#[utoipa::path(get, path = paths::ENTRIES, tag = "log", params(RangeQuery),
    responses((status = 200, description = "Entries [start, end)", body = EntriesPage),
              (status = 400, description = "Not a range", body = ErrorBody),
              (status = 404, description = "Beyond the log, or start after end (out_of_range)", body = ErrorBody)))]
pub async fn entries(
    State(state): State<ApiState>,
    q: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Json<EntriesPage>, ApiError> {
    let q = query(q)?;
    let size = state.store.head().size;
    if q.start > q.end {
        return Err(ApiError::out_of_range("start must not exceed end"));
    }
    if q.start > size {
        return Err(ApiError::out_of_range(format!(
            "start {} is beyond the log's size {size}",
            q.start
        )));
    }
    let end = q
        .end
        .min(size)
        .min(q.start.saturating_add(MAX_ENTRIES_PER_PAGE));
    let store = state.store.clone();
    let entries = tokio::task::spawn_blocking(move || store.entries(q.start, end))
        .await
        .map_err(ApiError::internal)??;
    Ok(Json(EntriesPage {
        entries: entries
            .into_iter()
            .map(|(index, bytes)| Entry {
                index,
                leaf_hash: B64.encode(Blake3Hasher::hash_leaf(&bytes)),
                bytes: B64.encode(bytes),
            })
            .collect(),
    }))
}

/// `GET /v1/proof/inclusion?index=I&size=N`.
#[utoipa::path(get, path = paths::PROOF_INCLUSION, tag = "log", params(InclusionQuery),
    responses((status = 200, description = "Audit path", body = InclusionProof),
              (status = 400, description = "Bad query", body = ErrorBody),
              (status = 404, description = "No such leaf or tree size (out_of_range)", body = ErrorBody)))]
pub async fn inclusion(
    State(state): State<ApiState>,
    q: Result<Query<InclusionQuery>, QueryRejection>,
) -> Result<Json<InclusionProof>, ApiError> {
    let q = query(q)?;
    let size = q.size.unwrap_or_else(|| state.store.head().size);
    let hashes = state.store.inclusion_proof(q.index, size)?;
    Ok(Json(InclusionProof {
        index: q.index,
        size,
        hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
    }))
}

/// `GET /v1/proof/consistency?from=M&to=N`.
#[utoipa::path(get, path = paths::PROOF_CONSISTENCY, tag = "log", params(ConsistencyQuery),
    responses((status = 200, description = "Consistency proof", body = ConsistencyProof),
              (status = 400, description = "Bad query", body = ErrorBody),
              (status = 404, description = "No such tree sizes (out_of_range)", body = ErrorBody)))]
pub async fn consistency(
    State(state): State<ApiState>,
    q: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> Result<Json<ConsistencyProof>, ApiError> {
    let q = query(q)?;
    let to = q.to.unwrap_or_else(|| state.store.head().size);
    if q.from > to {
        return Err(ApiError::out_of_range("from must not exceed to"));
    }
    let hashes = state.store.consistency_proof(q.from, to)?;
    Ok(Json(ConsistencyProof {
        from: q.from,
        to,
        hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
    }))
}
