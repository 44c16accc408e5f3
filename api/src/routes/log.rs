//! The log: checkpoints, entries and proofs, as RFC 9162 clients expect them.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tanji_ledger::merkle::{Blake3Hasher, MerkleHasher};
use utoipa::{IntoParams, ToSchema};

use super::MAX_ENTRIES_PER_PAGE;
use crate::{ApiError, ApiState};

/// A checkpoint, parsed, with its signed note.
#[derive(Serialize, ToSchema)]
pub struct CheckpointRef {
    /// Tree size.
    pub size: u64,
    /// Root hash, base64.
    pub root: String,
    /// The C2SP signed note.
    pub note: String,
}

/// An inclusion proof.
#[derive(Serialize, ToSchema)]
pub struct InclusionProof {
    /// Leaf index.
    pub index: u64,
    /// Tree size the proof is for.
    pub size: u64,
    /// Audit path, base64 hashes, leaf to root (RFC 9162 §2.1.3).
    pub hashes: Vec<String>,
}

/// A consistency proof.
#[derive(Serialize, ToSchema)]
pub struct ConsistencyProof {
    /// Older tree size.
    pub from: u64,
    /// Newer tree size.
    pub to: u64,
    /// Proof hashes, base64 (RFC 9162 §2.1.4).
    pub hashes: Vec<String>,
}

/// One log entry.
#[derive(Serialize, ToSchema)]
pub struct Entry {
    /// Index in the log.
    pub index: u64,
    /// The entry bytes (borsh SignedTx), base64; BLAKE3(0x00 ‖ bytes) is its leaf hash.
    pub bytes: String,
    /// The leaf hash, base64.
    pub leaf_hash: String,
}

/// A page of entries.
#[derive(Serialize, ToSchema)]
pub struct EntriesPage {
    /// Entries in index order.
    pub entries: Vec<Entry>,
}

/// `?size=N`.
#[derive(Deserialize, IntoParams)]
pub struct SizeQuery {
    /// Tree size of an older checkpoint; the latest when absent.
    size: Option<u64>,
}

/// `?start=S&end=E`.
#[derive(Deserialize, IntoParams)]
pub struct RangeQuery {
    /// First index.
    start: u64,
    /// One past the last index; at most start + 1000, clipped to the log's size.
    end: u64,
}

/// `?index=I&size=N`.
#[derive(Deserialize, IntoParams)]
pub struct InclusionQuery {
    /// Leaf index.
    index: u64,
    /// Tree size; the current size when absent.
    size: Option<u64>,
}

/// `?from=M&to=N`.
#[derive(Deserialize, IntoParams)]
pub struct ConsistencyQuery {
    /// Older size.
    from: u64,
    /// Newer size; the current size when absent.
    to: Option<u64>,
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

/// `GET /v1/checkpoint`: the latest signed note, or the one at `size`.
#[utoipa::path(get, path = "/v1/checkpoint", tag = "log", params(SizeQuery),
    responses(
        (status = 200, description = "C2SP signed note", content_type = "text/plain", body = String),
        (status = 404, description = "No checkpoint at that size"),
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
#[utoipa::path(get, path = "/v1/entries", tag = "log", params(RangeQuery),
    responses((status = 200, description = "Entries [start, end)", body = EntriesPage),
              (status = 400, description = "Bad range")))]
pub async fn entries(
    State(state): State<ApiState>,
    q: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Json<EntriesPage>, ApiError> {
    let q = query(q)?;
    let size = state.store.head().size;
    if q.start > q.end {
        return Err(ApiError::bad_request("start must not exceed end"));
    }
    if q.start > size {
        return Err(ApiError::bad_request(format!(
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
        .map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
        })??;
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
#[utoipa::path(get, path = "/v1/proof/inclusion", tag = "log", params(InclusionQuery),
    responses((status = 200, body = InclusionProof), (status = 400, description = "Out of range")))]
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
#[utoipa::path(get, path = "/v1/proof/consistency", tag = "log", params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyProof), (status = 400, description = "Out of range")))]
pub async fn consistency(
    State(state): State<ApiState>,
    q: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> Result<Json<ConsistencyProof>, ApiError> {
    let q = query(q)?;
    let to = q.to.unwrap_or_else(|| state.store.head().size);
    if q.from > to {
        return Err(ApiError::bad_request("from must not exceed to"));
    }
    let hashes = state.store.consistency_proof(q.from, to)?;
    Ok(Json(ConsistencyProof {
        from: q.from,
        to,
        hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
    }))
}
