//! The PACT host: the WBCSD PACT HTTP API, v2.3 under `/2/...` and v3.0
//! under `/3/...`, over the node's ledger. It is served on a listener of its
//! own, over HTTPS only (the node terminates TLS, see `tanji-node`'s
//! `server`); this module is the router behind it.
//!
//! - `POST /auth/token`, `GET /.well-known/openid-configuration`
//!   ([`auth`]): OAuth 2.0 client credentials against the credentials
//!   organisations create with signed requests (`/v1/pact/clients`).
//! - `GET /2/footprints`, `/3/footprints` (ListFootprints) and
//!   `/2/footprints/{id}`, `/3/footprints/{id}` (GetFootprint)
//!   ([`footprints`]): every document carries the verifiable-PACT proof.
//! - `POST /2/events`, `/3/events` ([`events`]): requests answered through
//!   a persisted [`outbox`], other events kept for their organisation.
//! - Published events ([`published`]) to every partner host registered for
//!   answers, when a footprint it may read is attested or changes.
//! - The proof extension's JSON schema, at the URL documents name.
//!
//! What a token's organisation may read: every footprint whose figures the
//! ledger publishes (public footprints, and hidden ones whose author
//! published their figures), while the organisation stays active. A hidden
//! footprint without published figures is never served: it does not exist
//! as far as the PACT host is concerned (404, absent from lists). Revoking
//! the organisation on the ledger, or the credential on the node, ends its
//! access on the next request.
//!
//! Errors are the spec's `{"code", "message"}` bodies ([`error`]).

mod auth;
mod error;
mod events;
mod footprints;
mod outbox;
mod published;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::Uri;
use axum::routing::{get, post};
use axum::Router;
use tanji_pact::clients::{self, RegistryError};
use tanji_pact::proof::SCHEMA_PATH;

pub use error::{OAuthError, PactError};

use crate::ApiState;

/// Largest request body the PACT host reads (token requests, events).
pub const MAX_PACT_BODY: usize = 256 * 1024;

/// A PACT spec version, from the path (`/2/...`, `/3/...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// PACT v2.3.
    V2,
    /// PACT v3.0.
    V3,
}

impl Version {
    /// The major number, as `tanji_pact` mapping takes it.
    pub fn major(self) -> u8 {
        match self {
            Version::V2 => 2,
            Version::V3 => 3,
        }
    }
}

/// What a node's PACT host is configured with.
#[derive(Clone, Debug, Default)]
pub struct PactHostConfig {
    /// Accept events whose `source` is a plain `http://127.0.0.1:PORT` host
    /// (development networks and conformance runs on one machine).
    pub allow_http_sources: bool,
    /// The base URL partners reach this host at: the `source` of the
    /// Published events it sends. Without it, none are sent.
    pub public_url: Option<String>,
    /// An authority (PEM) trusted, besides the system's, when the host calls
    /// partners' hosts: a development network's own CA, so its nodes can
    /// send each other events.
    pub extra_root_pem: Option<Vec<u8>>,
}

/// Shared state of the PACT host's handlers.
#[derive(Clone)]
pub(crate) struct PactHost {
    api: ApiState,
    token_key: Arc<[u8; 32]>,
    config: Arc<PactHostConfig>,
    outbox: outbox::Outbox,
}

/// The PACT host's router over `api`'s ledger. Makes the token key on the
/// first start (kept in the node's private records), and starts the outbox
/// that sends what the node owes partners (call it inside a tokio runtime).
pub fn router(api: ApiState, config: PactHostConfig) -> Result<Router, RegistryError> {
    let token_key = clients::token_key(&*api.store)?;
    let outbox = outbox::Outbox::new(api.store.clone());
    tokio::spawn(outbox.clone().run(config.extra_root_pem.clone()));
    match &config.public_url {
        Some(url) => {
            // A node serves one PACT host; a second router keeps the first URL.
            let _ = api.pact_url.set(url.clone());
            tokio::spawn(published::run(api.clone(), outbox.clone(), url.clone()));
        }
        None => tracing::warn!("the PACT host has no public URL: no Published events are sent"),
    }
    let host = PactHost {
        api,
        token_key: Arc::new(token_key),
        config: Arc::new(config),
        outbox,
    };
    Ok(Router::new()
        .route(auth::TOKEN_PATH, post(auth::token))
        .route(auth::OPENID_PATH, get(auth::openid_configuration))
        .route("/2/footprints", get(footprints::list_v2))
        .route("/2/footprints/{id}", get(footprints::get_v2))
        .route("/3/footprints", get(footprints::list_v3))
        .route("/3/footprints/{id}", get(footprints::get_v3))
        .route("/2/events", post(events::events_v2))
        .route("/3/events", post(events::events_v3))
        .route(SCHEMA_PATH, get(crate::routes::pact::proof_schema))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_PACT_BODY))
        .with_state(host))
}

async fn not_found(uri: Uri) -> PactError {
    let version = if uri.path().starts_with("/2/") {
        Version::V2
    } else {
        Version::V3
    };
    PactError::not_found(version, format!("no PACT action at {}", uri.path()))
}
