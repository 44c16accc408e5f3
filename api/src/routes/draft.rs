//! Drafting a footprint without the CLI: the dry-run compute and the
//! unsigned attestation a browser (or any outside signer) signs itself.
//!
//! Both take a model in the model file's shape and compute it exactly as
//! `tanji footprint compute` does, against this node's ledger: the same
//! [`Model::attestation`], the same resolver the validators use. Neither
//! writes anything. `prepare` never sees a key: it returns the bytes to sign,
//! and the signed transaction comes back through `POST /v1/tx`, checked like
//! any other.

use axum::body::Body;
use axum::extract::State;
use axum::Json;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use tanji_api_types::draft::{
    ComputeRequest, ComputeResult, DryRun, PrepareRequest, PreparedTx, MAX_DRAFT_BODY,
};
use tanji_api_types::{paths, ErrorBody};
use tanji_authoring::model::{Model, ModelPrivacy};
use tanji_ledger::carbon::Attestation;
use tanji_ledger::crypto::domain;
use tanji_ledger::state::StateView;
use tanji_ledger::tx::{TxBody, TxKind};
use tanji_ledger::validate::ViewResolver;

use super::{blocking, read_body};
use crate::{ApiError, ApiState};
use axum::http::StatusCode;

/// A model that does not compute: 422 with the model's own message (it
/// names the field or input and what is wrong).
fn invalid_model(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_model",
        e.to_string(),
    )
}

async fn json_body<T: DeserializeOwned>(body: Body) -> Result<T, ApiError> {
    let bytes = read_body(body, MAX_DRAFT_BODY).await.ok_or_else(|| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the request body is larger than {MAX_DRAFT_BODY} bytes"),
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::bad_request(format!("request body: {e}")))
}

/// A model that computes: the model, its attestation and the figures.
struct Drafted {
    model: Model,
    attestation: Attestation,
    result: ComputeResult,
}

/// Parses the model and computes its attestation against the ledger. The
/// outer error is a failed request; the inner one is the model's problem in
/// its own words, which the dry run answers and `prepare` refuses with.
async fn compute(
    state: &ApiState,
    model: &serde_json::Value,
) -> Result<Result<Drafted, String>, ApiError> {
    if !model.is_object() {
        // The document says `model` is an object: anything else is a
        // malformed request, not a model with a problem.
        return Err(ApiError::bad_request(
            "model: must be a JSON object with product and input",
        ));
    }
    let model = match Model::from_json(&model.to_string()) {
        Ok(model) => model,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let m = model.clone();
    let computed = blocking(state, move |s| {
        Ok(m.attestation(&ViewResolver(s))
            .map(|(attestation, eval)| {
                let exact = eval.computed.map(|c| c.exact).unwrap_or_default();
                let result = ComputeResult::new(&attestation, &exact);
                (attestation, result)
            })
            .map_err(|e| e.to_string()))
    })
    .await?;
    Ok(computed.map(|(attestation, result)| Drafted {
        model,
        attestation,
        result,
    }))
}

/// `POST /v1/footprints/compute`: what `tanji footprint compute` prints,
/// computed by this node; nothing is written. A model that does not compute
/// is answered 200 with its problem (the dry run's finding), so a calculator
/// checking every keystroke sees answers, not failed requests.
#[utoipa::path(post, path = paths::FOOTPRINT_COMPUTE, tag = "carbon",
    request_body = ComputeRequest,
    responses(
        (status = 200, description = "The figures the attestation would record, or why the model does not compute (the message names the field or input)", body = DryRun),
        (status = 400, description = "Not a request body, or `model` is not an object", body = ErrorBody),
        (status = 413, description = "Too large", body = ErrorBody),
    ))]
pub async fn compute_footprint(
    State(state): State<ApiState>,
    body: Body,
) -> Result<Json<DryRun>, ApiError> {
    let req: ComputeRequest = json_body(body).await?;
    Ok(Json(match compute(&state, &req.model).await? {
        Ok(drafted) => DryRun::computed(drafted.result),
        Err(problem) => DryRun::problem(problem),
    }))
}

/// `POST /v1/footprints/prepare`: the attestation of a public model as an
/// unsigned transaction by `author` with its next nonce.
#[utoipa::path(post, path = paths::FOOTPRINT_PREPARE, tag = "carbon",
    request_body = PrepareRequest,
    responses(
        (status = 200, description = "The body to sign and how to submit it", body = PreparedTx),
        (status = 400, description = "Not a request body, or `model` is not an object", body = ErrorBody),
        (status = 404, description = "The author is not registered", body = ErrorBody),
        (status = 413, description = "Too large", body = ErrorBody),
        (status = 422, description = "The model does not compute, or is not public", body = ErrorBody),
    ))]
pub async fn prepare_footprint(
    State(state): State<ApiState>,
    body: Body,
) -> Result<Json<PreparedTx>, ApiError> {
    let req: PrepareRequest = json_body(body).await?;
    let drafted = compute(&state, &req.model).await?.map_err(invalid_model)?;
    if drafted.model.privacy() != ModelPrivacy::Public {
        // A committed model's salt and a hidden model's openings must be
        // made and kept by the author; a node that prepared them would know them.
        return Err(invalid_model(
            "product.privacy: only public models are prepared by a node; attest committed \
             and hidden models with `tanji footprint attest`, which keeps their secrets with you",
        ));
    }
    let author = req.author;
    let (network, nonce) = blocking(&state, move |s| {
        let network = StateView::network(s)?
            .ok_or_else(|| ApiError::internal("the ledger has no genesis yet"))?
            .network;
        if StateView::org(s, &author)?.is_none() {
            return Err(ApiError::not_found(format!(
                "organisation {author} is not registered"
            )));
        }
        let nonce = s.last_nonce(&author)?.map_or(0, |n| n.saturating_add(1));
        Ok((network, nonce))
    })
    .await?;
    let body = TxBody {
        network,
        author,
        nonce,
        kind: TxKind::AttestFootprint(drafted.attestation),
    };
    let bytes = body.encode();
    Ok(Json(PreparedTx {
        tx_id: body.id(),
        author,
        nonce,
        signing_message: B64.encode(domain::message(domain::TX_V1, &bytes)),
        body: B64.encode(bytes),
        result: drafted.result,
    }))
}
