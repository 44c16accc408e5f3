//! PACT client credentials, managed by their organisation with requests
//! signed by its ledger key (`tanji pact client create|list|revoke`).
//!
//! - `POST /v1/pact/clients`: a new credential; the secret is in the answer
//!   and nowhere else (the node keeps a salted hash, `tanji_pact::clients`).
//! - `GET /v1/pact/clients`: the signer's credentials, without secrets.
//! - `DELETE /v1/pact/clients/{client_id}`: revokes one; its tokens stop
//!   working on their next use.
//!
//! Credentials live on the node they were created on, in its private
//! records, like sealed envelopes; partners use them at that node's PACT
//! host (`/auth/token`).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::Json;
use tanji_api_types::pact::{
    PactClientCreate, PactClientCreated, PactClientInfo, PactClientRevoked, PactClients,
};
use tanji_api_types::privacy::SignedRequestHeaders;
use tanji_api_types::{paths, ErrorBody};
use tanji_pact::auth::StoredCredential;
use tanji_pact::clients::{self, RegistryError};

use super::signed::{authenticate, now};
use super::{blocking, read_body};
use crate::{ApiError, ApiState};

/// Largest body of a create request.
const MAX_CREATE_BODY: usize = 4096;

fn info(c: StoredCredential) -> PactClientInfo {
    PactClientInfo {
        client_id: c.client_id,
        org: c.org,
        label: c.label,
        created: c.created,
    }
}

fn registry_error(e: RegistryError) -> ApiError {
    match e {
        RegistryError::Label => ApiError::bad_request(e.to_string()),
        RegistryError::TooMany(_) => ApiError::new(StatusCode::CONFLICT, "too_many", e.to_string()),
        RegistryError::UnknownClient(_) => ApiError::not_found(e.to_string()),
        e => ApiError::internal(e),
    }
}

/// `POST /v1/pact/clients`: creates a PACT client credential for the signer.
#[utoipa::path(post, path = paths::PACT_CLIENTS, tag = "pact",
    params(
        SignedRequestHeaders,
    ),
    request_body(content = PactClientCreate, description = "JSON, at most 4 KiB"),
    responses(
        (status = 201, description = "Created; the secret is shown this once", body = PactClientCreated),
        (status = 400, description = "Not a valid request body or label", body = ErrorBody),
        (status = 401, description = "Missing or bad request signature", body = ErrorBody),
        (status = 403, description = "The signer is revoked", body = ErrorBody),
        (status = 409, description = "The organisation holds the most credentials allowed", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<ApiState>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<PactClientCreated>), ApiError> {
    let bytes = read_body(body, MAX_CREATE_BODY).await.ok_or_else(|| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("at most {MAX_CREATE_BODY} bytes"),
        )
    })?;
    blocking(&state, move |store| {
        let org = authenticate(store, &headers, &method, paths::PACT_CLIENTS, &bytes)?;
        let req: PactClientCreate = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("body: {e}")))?;
        let new = clients::create(store, org, &req.label, now()).map_err(registry_error)?;
        tracing::info!(%org, client_id = %new.stored.client_id, "PACT credential created");
        Ok((
            StatusCode::CREATED,
            Json(PactClientCreated {
                client: info(new.stored),
                client_secret: new.secret,
            }),
        ))
    })
    .await
}

/// `GET /v1/pact/clients`: the signer's PACT client credentials.
#[utoipa::path(get, path = paths::PACT_CLIENTS, tag = "pact",
    params(
        SignedRequestHeaders,
    ),
    responses(
        (status = 200, description = "The credentials, oldest first, without secrets", body = PactClients),
        (status = 401, description = "Missing or bad request signature", body = ErrorBody),
        (status = 403, description = "The signer is revoked", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<ApiState>,
    method: Method,
    headers: HeaderMap,
) -> Result<Json<PactClients>, ApiError> {
    blocking(&state, move |store| {
        let org = authenticate(store, &headers, &method, paths::PACT_CLIENTS, &[])?;
        let clients = clients::list(store, &org).map_err(registry_error)?;
        Ok(Json(PactClients {
            clients: clients.into_iter().map(info).collect(),
        }))
    })
    .await
}

/// `DELETE /v1/pact/clients/{client_id}`: revokes one of the signer's credentials.
#[utoipa::path(delete, path = paths::PACT_CLIENT, tag = "pact",
    params(
        ("client_id" = String, Path, description = "The credential's client id"),
        SignedRequestHeaders,
    ),
    responses(
        (status = 200, description = "Revoked", body = PactClientRevoked),
        (status = 401, description = "Missing or bad request signature", body = ErrorBody),
        (status = 403, description = "The signer is revoked", body = ErrorBody),
        (status = 404, description = "No such credential of the signer", body = ErrorBody),
    ))]
pub async fn revoke(
    State(state): State<ApiState>,
    method: Method,
    headers: HeaderMap,
    Path(client_id): Path<String>,
) -> Result<Json<PactClientRevoked>, ApiError> {
    blocking(&state, move |store| {
        let path = paths::fill(paths::PACT_CLIENT, &[&client_id]);
        let org = authenticate(store, &headers, &method, &path, &[])?;
        let gone = clients::revoke(store, &org, &client_id).map_err(registry_error)?;
        tracing::info!(%org, client_id = %gone.client_id, "PACT credential revoked");
        Ok(Json(PactClientRevoked {
            client_id: gone.client_id,
        }))
    })
    .await
}
