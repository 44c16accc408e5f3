//! Submitting transactions and asking where they stand.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use tanji_api_types::log::{CheckpointRef, InclusionProof};
use tanji_api_types::paths;
use tanji_api_types::tx::{
    CompromisedSignatureView, StatusError, Submission, SubmitResponse, TxState, TxStatus,
};
use tanji_api_types::ErrorBody;
use tanji_ledger::bundle::{prove_set_changes, InclusionBundle, ProveError, BUNDLE_FORMAT};
use tanji_ledger::checkpoint::SignedNote;
use tanji_ledger::encoding::DecodeError;
use tanji_ledger::merkle::{Blake3Hasher, MerkleHasher};
use tanji_ledger::state::compromised_signatures;
use tanji_ledger::tx::{FormError, SignedTx, MAX_TX_BYTES};
use tanji_ledger::validate::TxError;
use tanji_ledger::TxId;

use crate::{ApiError, ApiState, PendingStatus, SubmitError};

/// JSON bodies are larger than their borsh form (hex and base64 text).
const MAX_JSON_BODY: usize = 4 * MAX_TX_BYTES;

fn refuse(state: &ApiState, e: TxError) -> ApiError {
    let err = ApiError::from(e);
    state.metrics.submission(err.code);
    err
}

/// `POST /v1/tx`: a borsh-encoded `SignedTx` (any content type but JSON) or its JSON form.
#[utoipa::path(post, path = paths::TX, tag = "transactions",
    request_body(description = "borsh(SignedTx) as application/octet-stream, or its JSON form as application/json",
        content(
            (Vec<u8> = "application/octet-stream"),
            (Object = "application/json"),
        )),
    responses(
        (status = 202, description = "Queued for ordering", body = SubmitResponse),
        (status = 200, description = "Already in the log", body = SubmitResponse),
        (status = 400, description = "Not a transaction", body = ErrorBody),
        (status = 409, description = "Replay, duplicate or conflict", body = ErrorBody),
        (status = 413, description = "Too large", body = ErrorBody),
        (status = 422, description = "Breaks a rule (signature, authority, network...)", body = ErrorBody),
        (status = 503, description = "Overloaded or not ordering; retry later", body = ErrorBody),
    ))]
pub async fn submit(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let limit = if is_json { MAX_JSON_BODY } else { MAX_TX_BYTES };
    let too_large = || {
        TxError::Form(FormError::Decode(DecodeError::TooLarge {
            len: limit + 1,
            limit,
        }))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > super::DRAIN_LIMIT) {
        return Err(refuse(&state, too_large()));
    }
    let bytes = match super::read_body(body, limit).await {
        Some(b) => b,
        // A body over the limit and a broken connection look alike here; the
        // limit is by far the likelier cause.
        None => return Err(refuse(&state, too_large())),
    };
    let tx: SignedTx = if is_json {
        let tx: SignedTx = serde_json::from_slice(&bytes).map_err(|e| {
            refuse(
                &state,
                TxError::Form(FormError::Decode(DecodeError::Malformed(format!(
                    "JSON: {e}"
                )))),
            )
        })?;
        tx.check_form()
            .map_err(|e| refuse(&state, TxError::Form(e)))?;
        tx
    } else {
        SignedTx::decode(&bytes).map_err(|e| refuse(&state, TxError::Form(e)))?
    };
    let id = tx.id();
    if let Some(index) = state.store.tx_index(&id)? {
        state.metrics.submission("already_committed");
        return Ok((
            StatusCode::OK,
            Json(SubmitResponse {
                id,
                status: Submission::Committed,
                index: Some(index),
            }),
        ));
    }
    let node = state.node.clone();
    let result = tokio::task::spawn_blocking(move || node.submit(tx))
        .await
        .map_err(ApiError::internal)?;
    match result {
        Ok(id) => {
            state.metrics.submission("accepted");
            Ok((
                StatusCode::ACCEPTED,
                Json(SubmitResponse {
                    id,
                    status: Submission::Queued,
                    index: None,
                }),
            ))
        }
        Err(SubmitError::Invalid(e)) => Err(refuse(&state, e)),
        Err(e @ SubmitError::Overloaded(_)) => {
            state.metrics.submission("overloaded");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                e.to_string(),
            ))
        }
        Err(e @ SubmitError::Unavailable(_)) => {
            state.metrics.submission("unavailable");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                e.to_string(),
            ))
        }
    }
}

fn parse_id(id: &str) -> Result<TxId, ApiError> {
    id.parse()
        .map_err(|e| ApiError::bad_request(format!("transaction id: {e}")))
}

/// The latest checkpoint, parsed, if the store has one covering `index`.
fn covering_checkpoint(
    state: &ApiState,
    index: u64,
) -> Result<Option<(String, u64, [u8; 32])>, ApiError> {
    let Some(text) = state.store.latest_checkpoint()? else {
        return Ok(None);
    };
    let note = SignedNote::parse(&text).map_err(ApiError::internal)?;
    let cp = note.checkpoint().map_err(ApiError::internal)?;
    let (size, root) = (cp.size, cp.root);
    Ok((size > index).then_some((text, size, root)))
}

/// `GET /v1/tx/{id}`.
#[utoipa::path(get, path = paths::TX_STATUS, tag = "transactions",
    params(("id" = TxId, Path, description = "Transaction id")),
    responses(
        (status = 200, description = "Committed (with an inclusion proof), queued or rejected", body = TxStatus),
        (status = 400, description = "Not a transaction id", body = ErrorBody),
        (status = 404, description = "Unknown: never seen, or queued before a restart and lost", body = TxStatus),
    ))]
pub async fn status(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<TxStatus>), ApiError> {
    let id = parse_id(&id)?;
    let mut out = TxStatus {
        id,
        status: TxState::Unknown,
        index: None,
        leaf_hash: None,
        checkpoint: None,
        inclusion_proof: None,
        error: None,
        compromised_signatures: Vec::new(),
    };
    if let Some(index) = state.store.tx_index(&id)? {
        let entry = state
            .store
            .entry(index)?
            .ok_or_else(|| ApiError::internal("indexed entry is missing"))?;
        out.status = TxState::Committed;
        out.index = Some(index);
        out.leaf_hash = Some(B64.encode(Blake3Hasher::hash_leaf(&entry)));
        // A logged entry passed every check when it was admitted: decoding
        // is enough (no form checks) to read its signers.
        let tx: SignedTx =
            tanji_ledger::encoding::decode(&entry, MAX_TX_BYTES).map_err(ApiError::internal)?;
        out.compromised_signatures = compromised_signatures(state.store.as_ref(), &tx, index)
            .map_err(ApiError::internal)?
            .into_iter()
            .map(|c| CompromisedSignatureView {
                signer: c.signer,
                key: c.key.to_hex(),
                compromised_since: c.compromised_since,
                rotated_at: c.rotated_at,
            })
            .collect();
        if let Some((note, size, root)) = covering_checkpoint(&state, index)? {
            let proof = state.store.inclusion_proof(index, size)?;
            out.inclusion_proof = Some(InclusionProof {
                index,
                size,
                hashes: proof.iter().map(|h| B64.encode(h)).collect(),
            });
            out.checkpoint = Some(CheckpointRef {
                size,
                root: B64.encode(root),
                note,
            });
        }
        return Ok((StatusCode::OK, Json(out)));
    }
    match state.node.pending_status(&id) {
        PendingStatus::Queued => out.status = TxState::Queued,
        PendingStatus::Rejected(e) => {
            out.status = TxState::Rejected;
            out.error = Some(StatusError {
                code: e.code().to_string(),
                message: e.to_string(),
            });
        }
        PendingStatus::Unknown => {
            out.error = Some(StatusError {
                code: "unknown".into(),
                message: "not in the log and not queued: never submitted here, or queued before a restart and lost; submit it again".into(),
            });
            return Ok((StatusCode::NOT_FOUND, Json(out)));
        }
    }
    Ok((StatusCode::OK, Json(out)))
}

/// `GET /v1/tx/{id}/bundle`: the offline verification bundle of a committed transaction.
#[utoipa::path(get, path = paths::TX_BUNDLE, tag = "transactions",
    params(("id" = TxId, Path, description = "Transaction id")),
    responses(
        (status = 200, description = "Inclusion bundle (format tanji-inclusion-bundle/v1)", body = InclusionBundle),
        (status = 400, description = "Not a transaction id", body = ErrorBody),
        (status = 404, description = "Not in the log, or no checkpoint covers it yet", body = ErrorBody),
    ))]
pub async fn bundle(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<InclusionBundle>, ApiError> {
    let id = parse_id(&id)?;
    let index = state
        .store
        .tx_index(&id)?
        .ok_or_else(|| ApiError::not_found(format!("transaction {id} is not in the log")))?;
    let entry = state
        .store
        .entry(index)?
        .ok_or_else(|| ApiError::internal("indexed entry is missing"))?;
    let (note, size, _) = covering_checkpoint(&state, index)?
        .ok_or_else(|| ApiError::not_found("no checkpoint covers this entry yet"))?;
    let proof = state.store.inclusion_proof(index, size)?;
    let (verifiers, quorum) = state.node.checkpoint_verifiers(size);
    let set_changes = prove_set_changes(&*state.store, size).map_err(|e| match e {
        e @ ProveError::MissingLink { .. } => ApiError::not_found(e.to_string()),
        e => ApiError::internal(e),
    })?;
    Ok(Json(InclusionBundle {
        format: BUNDLE_FORMAT.to_string(),
        tx_id: id,
        index,
        entry: B64.encode(&entry),
        proof: proof.iter().map(|h| B64.encode(h)).collect(),
        checkpoint: note,
        validators: verifiers.iter().map(|v| v.to_vkey()).collect(),
        quorum,
        set_changes,
    }))
}
