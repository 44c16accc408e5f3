//! Organisations and network facts.

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use tanji_ledger::state::{OrgState, OrgStatus, StateError, StateView};
use tanji_ledger::OrgId;
use utoipa::ToSchema;

use crate::{ApiError, ApiState};

/// An organisation as registered.
#[derive(Serialize, ToSchema)]
pub struct Org {
    /// Org id, hex.
    pub id: String,
    /// Name.
    pub name: String,
    /// Company id URN.
    pub company_id: String,
    /// Roles.
    pub roles: Vec<String>,
    /// ed25519 signing key, hex.
    pub signing_key: String,
    /// X25519 encryption key, hex.
    pub encryption_key: String,
    /// "active" or "revoked".
    pub status: &'static str,
    /// Why it was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
    /// Log index of the registration.
    pub registered_at: u64,
    /// Log index of the last change.
    pub updated_at: u64,
    /// Highest nonce used so far (the next transaction can use any unused one, e.g. this + 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_nonce: Option<u64>,
}

impl Org {
    fn new(id: OrgId, s: OrgState, last_nonce: Option<u64>) -> Self {
        let (status, revoked_reason) = match s.status {
            OrgStatus::Active => ("active", None),
            OrgStatus::Revoked { reason, .. } => ("revoked", Some(reason)),
        };
        Org {
            id: id.to_hex(),
            name: s.record.name,
            company_id: s.record.company_id,
            roles: s.record.roles.iter().map(|r| r.to_string()).collect(),
            signing_key: s.record.signing_key.to_hex(),
            encryption_key: hex::encode(s.record.encryption_key.0),
            status,
            revoked_reason,
            registered_at: s.registered_at,
            updated_at: s.updated_at,
            last_nonce,
        }
    }
}

/// Network facts from the genesis.
#[derive(Serialize, ToSchema)]
pub struct NetworkView {
    /// Network name (checkpoint origin).
    pub network: String,
    /// Genesis transaction id.
    pub genesis_tx: String,
    /// Validator note keys (C2SP vkeys).
    pub validators: Vec<String>,
    /// Signatures a checkpoint needs.
    pub quorum: usize,
    /// Observer nodes registered through governance, in registration order.
    pub observers: Vec<ObserverView>,
    /// This node's role.
    pub role: &'static str,
}

/// An observer node: replicates and verifies, cosigns checkpoints as a witness, never votes.
#[derive(Serialize, ToSchema)]
pub struct ObserverView {
    /// Key name in cosigned notes.
    pub name: String,
    /// Operating organisation's id, hex.
    pub operator: String,
    /// The node's ed25519 key, hex.
    pub key: String,
}

fn state_error(e: StateError) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        e.to_string(),
    )
}

/// `GET /v1/orgs`.
#[utoipa::path(get, path = "/v1/orgs", tag = "organisations",
    responses((status = 200, body = Vec<Org>)))]
pub async fn list(State(state): State<ApiState>) -> Result<Json<Vec<Org>>, ApiError> {
    let orgs = state.store.orgs()?;
    Ok(Json(
        orgs.into_iter()
            .map(|(id, s)| Org::new(id, s, None))
            .collect(),
    ))
}

/// `GET /v1/orgs/{id}`.
#[utoipa::path(get, path = "/v1/orgs/{id}", tag = "organisations",
    params(("id" = String, Path, description = "Org id, hex")),
    responses((status = 200, body = Org), (status = 404, description = "Not registered")))]
pub async fn one(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Org>, ApiError> {
    let id: OrgId = id
        .parse()
        .map_err(|e| ApiError::bad_request(format!("org id: {e}")))?;
    let org = StateView::org(state.store.as_ref(), &id)
        .map_err(state_error)?
        .ok_or_else(|| ApiError::not_found(format!("organisation {id} is not registered")))?;
    let last_nonce = state.store.last_nonce(&id)?;
    Ok(Json(Org::new(id, org, last_nonce)))
}

/// `GET /v1/network`.
#[utoipa::path(get, path = "/v1/network", tag = "organisations",
    responses((status = 200, body = NetworkView), (status = 404, description = "No genesis yet")))]
pub async fn network(State(state): State<ApiState>) -> Result<Json<NetworkView>, ApiError> {
    let info = state
        .store
        .network()?
        .ok_or_else(|| ApiError::not_found("the log has no genesis yet"))?;
    let observers = StateView::observers(state.store.as_ref()).map_err(state_error)?;
    let (verifiers, quorum) = state.node.checkpoint_verifiers();
    Ok(Json(NetworkView {
        network: info.network,
        genesis_tx: info.genesis_tx.to_hex(),
        validators: verifiers.iter().map(|v| v.to_vkey()).collect(),
        quorum,
        observers: observers
            .into_iter()
            .map(|o| ObserverView {
                name: o.name,
                operator: o.operator.to_hex(),
                key: o.key.to_hex(),
            })
            .collect(),
        role: state.node.role(),
    }))
}
