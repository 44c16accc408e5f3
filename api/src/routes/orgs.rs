//! Organisations and network facts.

use axum::extract::{Path, State};
use axum::Json;
use tanji_api_types::orgs::{
    NetworkView, ObserverView, Org, OrgStanding, RetiredKeyView, ValidatorChange,
    ValidatorEpochView, ValidatorView,
};
use tanji_api_types::{paths, ErrorBody};
use tanji_ledger::state::{
    governance_quorum, OrgState, OrgStatus, RetiredKey, RetiredKeyValue, StateView, ValidatorEpoch,
};
use tanji_ledger::OrgId;

use crate::{ApiError, ApiState};

fn retired_key_view(r: RetiredKey) -> RetiredKeyView {
    let key = match r.key {
        RetiredKeyValue::Signing(k) => k.to_hex(),
        RetiredKeyValue::Encryption(k) => hex::encode(k.0),
    };
    RetiredKeyView {
        purpose: r.key.purpose().as_str().to_string(),
        key,
        from: r.from,
        until: r.until,
        compromised_since: r.compromised_since,
    }
}

fn org_view(id: OrgId, s: OrgState, last_nonce: Option<u64>) -> Org {
    let (status, revoked_reason) = match s.status {
        OrgStatus::Active => (OrgStanding::Active, None),
        OrgStatus::Revoked { reason, .. } => (OrgStanding::Revoked, Some(reason)),
    };
    Org {
        id,
        name: s.record.name,
        company_id: s.record.company_id,
        roles: s.record.roles.iter().map(|r| r.to_string()).collect(),
        signing_key: s.record.signing_key,
        encryption_key: s.record.encryption_key,
        status,
        revoked_reason,
        registered_at: s.registered_at,
        updated_at: s.updated_at,
        last_nonce,
        retired_keys: Vec::new(),
    }
}

/// `GET /v1/orgs`.
#[utoipa::path(get, path = paths::ORGS, tag = "organisations",
    responses((status = 200, description = "Every organisation, in registration order", body = Vec<Org>)))]
pub async fn list(State(state): State<ApiState>) -> Result<Json<Vec<Org>>, ApiError> {
    let orgs = super::blocking(&state, |s| Ok(s.orgs()?)).await?;
    Ok(Json(
        orgs.into_iter()
            .map(|(id, s)| org_view(id, s, None))
            .collect(),
    ))
}

/// `GET /v1/orgs/{id}`.
#[utoipa::path(get, path = paths::ORG, tag = "organisations",
    params(("id" = OrgId, Path, description = "Org id")),
    responses(
        (status = 200, description = "The organisation, with its last nonce", body = Org),
        (status = 400, description = "Not an org id", body = ErrorBody),
        (status = 404, description = "Not registered", body = ErrorBody),
    ))]
pub async fn one(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Org>, ApiError> {
    let id: OrgId = id
        .parse()
        .map_err(|e| ApiError::bad_request(format!("org id: {e}")))?;
    let org = super::blocking(&state, move |s| {
        let org = StateView::org(s, &id)?
            .ok_or_else(|| ApiError::not_found(format!("organisation {id} is not registered")))?;
        let mut view = org_view(id, org, s.last_nonce(&id)?);
        view.retired_keys = s
            .retired_keys(&id)?
            .into_iter()
            .map(retired_key_view)
            .collect();
        Ok(view)
    })
    .await?;
    Ok(Json(org))
}

/// `GET /v1/network`.
#[utoipa::path(get, path = paths::NETWORK, tag = "organisations",
    responses(
        (status = 200, description = "Network facts", body = NetworkView),
        (status = 404, description = "No genesis yet", body = ErrorBody),
    ))]
pub async fn network(State(state): State<ApiState>) -> Result<Json<NetworkView>, ApiError> {
    let (info, observers, epochs) = super::blocking(&state, |s| {
        let info = s
            .network()?
            .ok_or_else(|| ApiError::not_found("the log has no genesis yet"))?;
        Ok((info, StateView::observers(s)?, s.validator_epochs()?))
    })
    .await?;
    let (verifiers, quorum) = state.node.checkpoint_verifiers(u64::MAX);
    let current = epochs
        .last()
        .map(|e| e.validators.clone())
        .unwrap_or_default();
    Ok(Json(NetworkView {
        network: info.network,
        genesis_tx: info.genesis_tx,
        validators: verifiers.iter().map(|v| v.to_vkey()).collect(),
        validator_nodes: current
            .into_iter()
            .map(|v| ValidatorView {
                name: v.name,
                operator: v.operator,
                key: v.key,
            })
            .collect(),
        quorum,
        validator_history: history_view(&epochs),
        observers: observers
            .into_iter()
            .map(|o| ObserverView {
                name: o.name,
                operator: o.operator,
                key: o.key,
            })
            .collect(),
        role: state.node.role().to_string(),
    }))
}

/// The validator history as the API shows it: each epoch with the node it
/// added or removed (each differs from the one before by one node).
fn history_view(epochs: &[ValidatorEpoch]) -> Vec<ValidatorEpochView> {
    let mut before: Option<&ValidatorEpoch> = None;
    let mut out = Vec::with_capacity(epochs.len());
    for e in epochs {
        let missing_from = |from: &ValidatorEpoch, of: &ValidatorEpoch| {
            of.validators
                .iter()
                .find(|v| !from.validators.contains(v))
                .map(|v| v.name.clone())
        };
        let (change, node) = match before {
            None => (ValidatorChange::Genesis, None),
            Some(b) => match missing_from(b, e) {
                Some(added) => (ValidatorChange::Add, Some(added)),
                None => (ValidatorChange::Remove, missing_from(e, b)),
            },
        };
        out.push(ValidatorEpochView {
            change,
            node,
            change_index: e.change_index,
            height: e.height,
            first_size: e.first_size,
            quorum: governance_quorum(e.validators.len()),
            validators: e.validators.iter().map(|v| v.name.clone()).collect(),
        });
        before = Some(e);
    }
    out
}
