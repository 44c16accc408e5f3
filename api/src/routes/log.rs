//! The log: checkpoints, entries and proofs, as RFC 9162 clients expect them.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use tanji_api_types::log::{
    ConsistencyProof, ConsistencyQuery, DecodedEntry, EntriesPage, Entry, InclusionProof,
    InclusionQuery, RangeQuery, RecentEntries, RecentQuery, SizeQuery, DEFAULT_RECENT,
    MAX_ENTRIES_PER_PAGE, MAX_RECENT,
};
use tanji_api_types::{paths, ErrorBody};
use tanji_ledger::merkle::{Blake3Hasher, MerkleHasher};
use tanji_ledger::store::StoreError;
use tanji_ledger::tx::{SignedTx, TxKind};

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

/// `GET /v1/log/recent?limit=N`: the newest entries, decoded.
#[utoipa::path(get, path = paths::LOG_RECENT, tag = "log", params(RecentQuery),
    responses((status = 200, description = "The newest entries, newest first", body = RecentEntries),
              (status = 400, description = "Bad limit", body = ErrorBody)))]
pub async fn recent(
    State(state): State<ApiState>,
    q: Result<Query<RecentQuery>, QueryRejection>,
) -> Result<Json<RecentEntries>, ApiError> {
    let limit = match query(q)?.limit {
        None => DEFAULT_RECENT,
        Some(n) if (1..=MAX_RECENT).contains(&n) => n,
        Some(n) => {
            return Err(ApiError::bad_request(format!(
                "limit must be 1 to {MAX_RECENT}, not {n}"
            )))
        }
    };
    let size = state.store.head().size;
    let start = size.saturating_sub(limit as u64);
    let recent = super::blocking(&state, move |s| {
        let names: std::collections::HashMap<_, _> = s
            .orgs()?
            .into_iter()
            .map(|(id, o)| (id, o.record.name))
            .collect();
        let mut out = Vec::with_capacity(limit);
        for (index, bytes) in s.entries(start, size)?.into_iter().rev() {
            // Entries were checked before they were logged; one that no
            // longer decodes means the store is damaged.
            let tx = SignedTx::decode(&bytes).map_err(|e| {
                StoreError::Corrupt(format!("log entry {index} does not decode: {e}"))
            })?;
            out.push(DecodedEntry {
                index,
                tx_id: tx.id(),
                kind: tx.body.kind.name().to_string(),
                author_name: names.get(&tx.body.author).cloned(),
                author: tx.body.author,
                subject: subject(&tx.body.kind),
            });
        }
        Ok(out)
    })
    .await?;
    Ok(Json(RecentEntries {
        size,
        entries: recent,
    }))
}

/// What a transaction is about, in a few words.
fn subject(kind: &TxKind) -> Option<String> {
    Some(match kind {
        TxKind::Genesis(g) => format!(
            "{} organisations, {} validators",
            g.orgs.len(),
            g.validators.len()
        ),
        TxKind::RegisterOrg(o) => o.name.clone(),
        TxKind::ChangeRoles { org, .. } | TxKind::RevokeOrg { org, .. } => org.to_string(),
        TxKind::AnchorEvidence { label, .. } => label.clone(),
        TxKind::PublishFactor(f) => f.reference.to_string(),
        TxKind::RevokeFactor { factor, .. } => factor.to_string(),
        TxKind::PublishRule(r) => r.reference.to_string(),
        TxKind::AttestFootprint(a) => a.product.name.clone(),
        TxKind::RevokeFootprint { footprint, .. } => footprint.to_hex(),
        TxKind::IssueCertificate(c) => c.id.clone(),
        TxKind::SetCertificateStatus { certificate, .. } => certificate.clone(),
        TxKind::RegisterObserver(o) => o.name.clone(),
        TxKind::RemoveObserver { .. } => return None,
        TxKind::Disclose(d) => d.footprint.to_hex(),
        TxKind::AddValidator(v) => v.name.clone(),
        TxKind::RemoveValidator { name, .. } => name.clone(),
        TxKind::RotateKey(r) => format!("{} key of {}", r.new_key.purpose().as_str(), r.org),
    })
}
