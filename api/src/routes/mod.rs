//! The routes of REST v1.

pub(crate) mod carbon;
pub(crate) mod envelopes;
pub(crate) mod log;
pub(crate) mod ops;
pub(crate) mod orgs;
pub(crate) mod tx;
pub(crate) mod web;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::ApiState;

pub(crate) use log::{CheckpointRef, ConsistencyProof, EntriesPage, Entry, InclusionProof};
pub(crate) use orgs::{NetworkView, ObserverView, Org};
pub(crate) use tx::{StatusError, SubmitResponse, TxStatus};

/// An oversized request body up to this size is read to its end before the
/// 413 answer goes out, so a client that is still sending gets the answer
/// rather than a reset connection; a larger one is cut off.
const DRAIN_LIMIT: usize = 2 * 1024 * 1024;

/// Reads a request body of at most `limit` bytes; `None` if it is longer (or
/// the connection breaks). A longer body is drained up to [`DRAIN_LIMIT`].
pub(crate) async fn read_body(body: axum::body::Body, limit: usize) -> Option<Vec<u8>> {
    use futures::StreamExt as _;
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.ok()?;
        seen = seen.saturating_add(chunk.len());
        if seen > DRAIN_LIMIT {
            return None;
        }
        if seen <= limit {
            out.extend_from_slice(&chunk);
        }
    }
    (seen <= limit).then_some(out)
}

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
        .route("/v1/factors", get(carbon::factors))
        .route("/v1/factors/{key}", get(carbon::factor))
        .route("/v1/factors/{key}/affected", get(carbon::factor_affected))
        .route("/v1/rules", get(carbon::rules))
        .route("/v1/rules/{key}", get(carbon::rule))
        .route("/v1/footprints", get(carbon::footprints))
        .route("/v1/footprints/{id}", get(carbon::footprint))
        .route("/v1/footprints/{id}/tree", get(carbon::footprint_tree))
        .route("/v1/footprints/{id}/verify", get(carbon::footprint_verify))
        .route(
            "/v1/footprints/{id}/envelopes/{hash}",
            get(envelopes::fetch)
                .delete(envelopes::purge)
                .put(envelopes::deposit)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/v1/footprints/{id}/affected",
            get(carbon::footprint_affected),
        )
        .route("/v1/certificates", get(carbon::certificates))
        .route("/v1/certificates/{id}", get(carbon::certificate))
        .route("/v1/certificates/{id}/bundle", get(web::certificate_bundle))
        .route("/v1/labels/{file}", get(web::label))
        .route("/verify/{certificate}", get(web::verify_page))
        .route("/v1/resolve", get(carbon::resolve))
        .route("/v1/stats", get(carbon::stats))
        .route("/v1/anomalies", get(carbon::anomalies))
        .route("/v1/alarms", get(ops::alarms))
        .route("/health", get(ops::health))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
        .fallback(ops::not_found)
        .with_state(state)
}
