//! The routes of REST v1, registered from one list ([`api_router`]) that
//! yields both the axum router and the OpenAPI document, so a route cannot
//! be served without being documented, nor documented without being served.

pub(crate) mod carbon;
pub(crate) mod draft;
pub(crate) mod envelopes;
pub(crate) mod log;
pub(crate) mod ops;
pub(crate) mod orgs;
pub(crate) mod pact;
pub(crate) mod pact_clients;
pub(crate) mod pact_inbox;
pub(crate) mod search;
pub(crate) mod signed;
pub(crate) mod tx;
pub(crate) mod web;

use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Query};
use axum::Router;
use utoipa::OpenApi as _;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::ApiLedger;
use crate::{ApiError, ApiState};
pub(crate) use ops::not_found_error;

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

/// A query string, or 400 naming what is wrong with it.
pub(crate) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

/// Runs a blocking store read off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(
    state: &ApiState,
    f: impl FnOnce(&dyn ApiLedger) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || f(&*store))
        .await
        .map_err(ApiError::internal)?
}

/// Routes that read their body themselves, within their own limit.
fn own_body_limit(
    (schemas, paths, method_router): UtoipaMethodRouter<ApiState>,
) -> UtoipaMethodRouter<ApiState> {
    (
        schemas,
        paths,
        method_router.layer(DefaultBodyLimit::disable()),
    )
}

/// Every route, each with its documentation: the one list.
pub(crate) fn api_router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .routes(own_body_limit(routes!(tx::submit)))
        .routes(routes!(tx::status))
        .routes(routes!(tx::bundle))
        .routes(routes!(log::checkpoint))
        .routes(routes!(log::entries))
        .routes(routes!(log::recent))
        .routes(routes!(search::search))
        .routes(routes!(log::inclusion))
        .routes(routes!(log::consistency))
        .routes(routes!(orgs::list))
        .routes(routes!(orgs::one))
        .routes(routes!(orgs::network))
        .routes(routes!(carbon::factors))
        .routes(routes!(carbon::factor))
        .routes(routes!(carbon::factor_affected))
        .routes(routes!(carbon::rules))
        .routes(routes!(carbon::rule))
        .routes(routes!(carbon::footprints))
        .routes(own_body_limit(routes!(draft::compute_footprint)))
        .routes(own_body_limit(routes!(draft::prepare_footprint)))
        .routes(routes!(carbon::footprint))
        .routes(routes!(carbon::footprint_tree))
        .routes(routes!(carbon::footprint_verify))
        .routes(routes!(carbon::footprint_affected))
        .routes(routes!(pact::footprint_pact))
        .routes(routes!(pact::proof_schema))
        .routes(own_body_limit(routes!(
            pact_clients::create,
            pact_clients::list
        )))
        .routes(routes!(pact_clients::revoke))
        .routes(own_body_limit(routes!(
            pact_clients::set_callback,
            pact_clients::list_callbacks
        )))
        .routes(routes!(pact_clients::remove_callback))
        .routes(routes!(pact_inbox::inbox))
        .routes(routes!(pact_inbox::answer))
        .routes(own_body_limit(routes!(
            envelopes::fetch,
            envelopes::purge,
            envelopes::deposit
        )))
        .routes(routes!(carbon::certificates))
        .routes(routes!(carbon::certificate))
        .routes(routes!(web::certificate_bundle))
        .routes(routes!(web::label))
        .routes(routes!(web::verify_page))
        .routes(routes!(carbon::resolve))
        .routes(routes!(carbon::stats))
        .routes(routes!(carbon::anomalies))
        .routes(routes!(ops::alarms))
        .routes(routes!(ops::health))
        .routes(routes!(ops::metrics))
        .routes(routes!(ops::openapi))
}

/// The whole HTTP API.
pub fn router(state: ApiState) -> Router {
    let (router, _) = api_router().split_for_parts();
    router
        .fallback(crate::platform::serve::fallback)
        .with_state(state)
}
