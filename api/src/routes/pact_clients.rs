//! PACT client credentials, managed by their organisation with requests
//! signed by its ledger key (`tanji pact client create|list|revoke`).
//!
//! - `POST /v1/pact/clients`: a new credential; the secret is in the answer
//!   and nowhere else (the node keeps a salted hash, `tanji_pact::clients`).
//! - `GET /v1/pact/clients`: the signer's credentials, without secrets.
//! - `DELETE /v1/pact/clients/{client_id}`: revokes one; its tokens stop
//!   working on their next use.
//! - `PUT|GET /v1/pact/callbacks`, `DELETE /v1/pact/callbacks/{id}`: the
//!   signer's own PACT hosts, where answers to its requests go, with the
//!   credentials this node uses there (`tanji_pact::callbacks`).
//!
//! Credentials live on the node they were created on, in its private
//! records, like sealed envelopes; partners use them at that node's PACT
//! host (`/auth/token`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use tanji_api_types::pact::{
    PactCallbackInfo, PactCallbackSet, PactCallbacks, PactClientCreate, PactClientCreated,
    PactClientInfo, PactClientRevoked, PactClients,
};
use tanji_api_types::privacy::SignedRequestHeaders;
use tanji_api_types::{paths, ErrorBody};
use tanji_pact::auth::StoredCredential;
use tanji_pact::callbacks::{self, Callback, CallbackError};
use tanji_pact::clients::{self, RegistryError};

use super::blocking;
use super::signed::{json_body, now, Signed};
use crate::{ApiError, ApiState};

/// Largest body of a signed PACT management request.
const MAX_BODY: usize = 4096;

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
    signed: Signed<MAX_BODY>,
) -> Result<(StatusCode, Json<PactClientCreated>), ApiError> {
    blocking(&state, move |store| {
        let org = signed.org;
        let req: PactClientCreate = json_body(&signed.body)?;
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
    signed: Signed<MAX_BODY>,
) -> Result<Json<PactClients>, ApiError> {
    blocking(&state, move |store| {
        let org = signed.org;
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
    Path(client_id): Path<String>,
    signed: Signed<MAX_BODY>,
) -> Result<Json<PactClientRevoked>, ApiError> {
    blocking(&state, move |store| {
        let org = signed.org;
        let gone = clients::revoke(store, &org, &client_id).map_err(registry_error)?;
        tracing::info!(%org, client_id = %gone.client_id, "PACT credential revoked");
        Ok(Json(PactClientRevoked {
            client_id: gone.client_id,
        }))
    })
    .await
}

fn callback_error(e: CallbackError) -> ApiError {
    match e {
        CallbackError::Url(_) | CallbackError::Credential => ApiError::bad_request(e.to_string()),
        CallbackError::TooMany(_) => ApiError::new(StatusCode::CONFLICT, "too_many", e.to_string()),
        CallbackError::Unknown(_) => ApiError::not_found(e.to_string()),
        e => ApiError::internal(e),
    }
}

fn callback_info(c: Callback) -> PactCallbackInfo {
    PactCallbackInfo {
        id: callbacks::callback_id(&c.base_url),
        org: c.org,
        base_url: c.base_url,
        client_id: c.client_id,
        published_version: c.published_version,
    }
}

/// `PUT /v1/pact/callbacks`: registers (or replaces) the signer's PACT host
/// that answers to its requests go to, with the credentials to use there.
#[utoipa::path(put, path = paths::PACT_CALLBACKS, tag = "pact",
    params(SignedRequestHeaders),
    request_body(content = PactCallbackSet, description = "JSON, at most 4 KiB"),
    responses(
        (status = 200, description = "Registered", body = PactCallbackInfo),
        (status = 400, description = "Not a valid body, URL or credential", body = ErrorBody),
        (status = 401, description = "Missing or bad request signature", body = ErrorBody),
        (status = 403, description = "The signer is revoked", body = ErrorBody),
        (status = 409, description = "The organisation registers the most hosts allowed", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
    ))]
pub async fn set_callback(
    State(state): State<ApiState>,
    signed: Signed<MAX_BODY>,
) -> Result<Json<PactCallbackInfo>, ApiError> {
    blocking(&state, move |store| {
        let org = signed.org;
        let req: PactCallbackSet = json_body(&signed.body)?;
        // Development hosts are registered everywhere; whether a node
        // answers them is its PACT host's switch, checked per request.
        let cb = callbacks::set(
            store,
            org,
            &req.base_url,
            (&req.client_id, &req.client_secret),
            req.published_version.unwrap_or(3),
            true,
        )
        .map_err(callback_error)?;
        tracing::info!(%org, base_url = %cb.base_url, "PACT callback registered");
        Ok(Json(callback_info(cb)))
    })
    .await
}

/// `GET /v1/pact/callbacks`: the signer's registered PACT hosts.
#[utoipa::path(get, path = paths::PACT_CALLBACKS, tag = "pact",
    params(SignedRequestHeaders),
    responses(
        (status = 200, description = "The hosts, without secrets", body = PactCallbacks),
        (status = 401, description = "Missing or bad request signature", body = ErrorBody),
        (status = 403, description = "The signer is revoked", body = ErrorBody),
    ))]
pub async fn list_callbacks(
    State(state): State<ApiState>,
    signed: Signed<MAX_BODY>,
) -> Result<Json<PactCallbacks>, ApiError> {
    blocking(&state, move |store| {
        let org = signed.org;
        let list = callbacks::list(store, &org).map_err(callback_error)?;
        Ok(Json(PactCallbacks {
            callbacks: list.into_iter().map(callback_info).collect(),
        }))
    })
    .await
}

/// `DELETE /v1/pact/callbacks/{id}`: removes one of the signer's registered hosts.
#[utoipa::path(delete, path = paths::PACT_CALLBACK, tag = "pact",
    params(("id" = String, Path, description = "The registration's id"), SignedRequestHeaders),
    responses(
        (status = 200, description = "Removed", body = PactCallbackInfo),
        (status = 401, description = "Missing or bad request signature", body = ErrorBody),
        (status = 403, description = "The signer is revoked", body = ErrorBody),
        (status = 404, description = "No such registration of the signer", body = ErrorBody),
    ))]
pub async fn remove_callback(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    signed: Signed<MAX_BODY>,
) -> Result<Json<PactCallbackInfo>, ApiError> {
    blocking(&state, move |store| {
        let org = signed.org;
        let gone = callbacks::remove(store, &org, &id).map_err(callback_error)?;
        Ok(Json(callback_info(gone)))
    })
    .await
}
