//! The routes of REST v1.

pub(crate) mod log;
pub(crate) mod ops;
pub(crate) mod orgs;
pub(crate) mod tx;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::ApiState;

pub(crate) use log::{CheckpointRef, ConsistencyProof, EntriesPage, Entry, InclusionProof};
pub(crate) use orgs::{NetworkView, Org};
pub(crate) use tx::{StatusError, SubmitResponse, TxStatus};

/// Most entries one `GET /v1/entries` returns.
pub const MAX_ENTRIES_PER_PAGE: u64 = 1000;

/// The whole HTTP API.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route(
            "/v1/tx",
            post(tx::submit).layer(DefaultBodyLimit::disable()),
        )
        .route("/v1/tx/{id}", get(tx::status))
        .route("/v1/tx/{id}/bundle", get(tx::bundle))
        .route("/v1/checkpoint", get(log::checkpoint))
        .route("/v1/entries", get(log::entries))
        .route("/v1/proof/inclusion", get(log::inclusion))
        .route("/v1/proof/consistency", get(log::consistency))
        .route("/v1/orgs", get(orgs::list))
        .route("/v1/orgs/{id}", get(orgs::one))
        .route("/v1/network", get(orgs::network))
        .route("/health", get(ops::health))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
        .fallback(ops::not_found)
        .with_state(state)
}
