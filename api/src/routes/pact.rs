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
use tanji_pact::map::{self, MapError};
use tanji_pact::model::DataModelExtension;
use tanji_pact::proof::{EXTENSION_SPEC_VERSION, SCHEMA, SCHEMA_PATH};
use tanji_pact::source::{collect, prove, SourceError};

use super::carbon::parse_tx;
use super::{blocking, query};
use crate::{ApiError, ApiLedger, ApiState};

/// Attaches the verifiable-PACT proof to documents: the quorum the node
/// checks checkpoints against, and the absolute base of the extension's
/// schema URL.
pub(crate) struct Prover {
    validators: Vec<String>,
    quorum: usize,
    base: String,
}

impl Prover {
    /// The node's validator keys and quorum, with schema URLs under `base`.
    pub(crate) fn new(state: &ApiState, base: String) -> Self {
        let (verifiers, quorum) = state.node.checkpoint_verifiers();
        Self {
            validators: verifiers.iter().map(|k| k.to_vkey()).collect(),
            quorum,
            base,
        }
    }

    /// The base URL documents and events name (this host).
    pub(crate) fn base_url(&self) -> &str {
        &self.base
    }

    /// Adds the proof of footprint `id`, whose records are the entries at
    /// `indices`, to `doc`.
    pub(crate) fn attach(
        &self,
        s: &dyn ApiLedger,
        doc: &mut PactDocument,
        id: &TxId,
        indices: &[u64],
    ) -> Result<(), SourceError> {
        let proof = prove(s, id, indices, (self.validators.clone(), self.quorum))?;
        let data = serde_json::to_value(&proof)
            .map_err(|e| SourceError::Inconsistent(format!("proof as JSON: {e}")))?;
        doc.push_extension(DataModelExtension {
            spec_version: EXTENSION_SPEC_VERSION.into(),
            data_schema: format!("{}{SCHEMA_PATH}", self.base),
            documentation: None,
            data,
        });
        Ok(())
    }
}

/// The PACT document of `id` in `version` (2 or 3) with its proof; the
/// extension's schema URL is absolute under `base`.
pub(crate) async fn document(
    state: &ApiState,
    id: TxId,
    version: u8,
    base: String,
) -> Result<PactDocument, ApiError> {
    let prover = Prover::new(state, base);
    blocking(state, move |s| {
        let (set, indices) = collect(s, &id).map_err(source_error)?;
        let mut doc = match version {
            2 => PactDocument::V2(Box::new(map::v2(&set).map_err(map_error)?)),
            _ => PactDocument::V3(Box::new(map::v3(&set).map_err(map_error)?)),
        };
        prover
            .attach(s, &mut doc, &id, &indices)
            .map_err(source_error)?;
        Ok(doc)
    })
    .await
}

fn source_error(e: SourceError) -> ApiError {
    match e {
        SourceError::UnknownFootprint(id) => {
            ApiError::not_found(format!("footprint {id} is not on the ledger"))
        }
        SourceError::Prove(ProveError::NoCheckpoint | ProveError::NotCovered(_)) => {
            ApiError::not_found("no checkpoint covers this footprint yet")
        }
        e => ApiError::internal(e),
    }
}

fn map_error(e: MapError) -> ApiError {
    match e {
        MapError::Hidden(_) | MapError::Unit { .. } => ApiError::not_found(e.to_string()),
    }
}

/// `http://HOST` of a request (REST v1 is plain HTTP; the PACT host is HTTPS).
fn base_of(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("localhost");
    format!("http://{host}")
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
    Ok(Json(
        document(&state, id, version, base_of(&headers)).await?,
    ))
}

/// `GET /pact/extensions/tanji-proof/1.0.0/schema.json`: the proof extension's JSON schema.
#[utoipa::path(get, path = paths::PACT_PROOF_SCHEMA, tag = "pact",
    responses((status = 200, description = "JSON Schema (2020-12) of tanji-pact-proof/v1",
        content_type = "application/schema+json", body = Object)))]
pub async fn proof_schema() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/schema+json")], SCHEMA)
}
