//! Footprints as PACT documents over REST v1, each with the verifiable-PACT
//! proof (see docs/pact.md), and the proof extension's JSON schema.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::Json;
use tanji_api_types::carbon::{PactDocument, PactQuery};
use tanji_api_types::{paths, ErrorBody};
use tanji_ledger::bundle::ProveError;
use tanji_ledger::TxId;
use tanji_pact::proof::SCHEMA;
use tanji_pact::source::{document, DocumentError, ProofContext, SourceError};

use super::carbon::parse_tx;
use super::{blocking, query};
use crate::{ApiError, ApiState};

/// The proof context of documents served by this node under `base`: the
/// keys and quorum of the validator set that signs its newest checkpoint,
/// against which documents are proven. (A set change finalised between this
/// read and the proof makes that proof fail verification; the client's retry
/// gets a consistent one.)
pub(crate) fn proof_context(state: &ApiState, base: String) -> ProofContext {
    let size = state
        .store
        .latest_checkpoint()
        .ok()
        .flatten()
        .and_then(|t| tanji_ledger::checkpoint::SignedNote::parse(&t).ok())
        .and_then(|n| n.checkpoint().ok().map(|c| c.size))
        .unwrap_or(u64::MAX);
    let (verifiers, quorum) = state.node.checkpoint_verifiers(size);
    ProofContext {
        validators: verifiers.iter().map(|k| k.to_vkey()).collect(),
        quorum,
        base_url: base,
    }
}

/// `SCHEME://HOST` of a request, from its `Host` header: the base of the
/// absolute URLs the node hands out (REST v1 is plain HTTP, the PACT host
/// HTTPS), so they name the host the client called.
pub(crate) fn base_of(headers: &HeaderMap, scheme: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}

/// `GET /v1/footprints/{id}/pact`: the footprint as a PACT document with its proof.
#[utoipa::path(get, path = paths::FOOTPRINT_PACT, tag = "pact",
    params(("id" = TxId, Path, description = "Attestation id"), PactQuery),
    responses(
        (status = 200, description = "PACT ProductFootprint with the tanji-pact-proof/v1 extension", body = PactDocument),
        (status = 400, description = "Not an attestation id, or an unknown version", body = ErrorBody),
        (status = 404, description = "Unknown, hidden without published figures, not expressible in this version, or not yet under a checkpoint", body = ErrorBody),
    ))]
pub async fn footprint_pact(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Result<Query<PactQuery>, QueryRejection>,
) -> Result<Json<PactDocument>, ApiError> {
    let q = query(q)?;
    let version = q.version.unwrap_or(3);
    if !(2..=3).contains(&version) {
        return Err(ApiError::bad_request(format!(
            "version {version}: PACT 2 (v2.3) or 3 (v3.0)"
        )));
    }
    let id = parse_tx(&id)?;
    let ctx = proof_context(&state, base_of(&headers, "http"));
    let doc = blocking(&state, move |s| {
        document(s, &ctx, &id, version).map_err(|e| match e {
            DocumentError::Source(SourceError::UnknownFootprint(id)) => {
                ApiError::not_found(format!("footprint {id} is not on the ledger"))
            }
            DocumentError::Source(SourceError::Prove(
                ProveError::NoCheckpoint | ProveError::NotCovered(_),
            )) => ApiError::not_found("no checkpoint covers this footprint yet"),
            DocumentError::Map(e) => ApiError::not_found(e.to_string()),
            e => ApiError::internal(e),
        })
    })
    .await?;
    Ok(Json(doc))
}

/// `GET /pact/extensions/tanji-proof/1.0.0/schema.json`: the proof extension's JSON schema.
#[utoipa::path(get, path = paths::PACT_PROOF_SCHEMA, tag = "pact",
    responses((status = 200, description = "JSON Schema (2020-12) of tanji-pact-proof/v1",
        content_type = "application/schema+json", body = Object)))]
pub async fn proof_schema() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/schema+json")], SCHEMA)
}
