//! Health, metrics, alarms, the OpenAPI document.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use tanji_api_types::ops::{Alarms, Health};
use tanji_api_types::paths;

use crate::{ApiError, ApiState};

/// `GET /health`: 200 once the node serves.
#[utoipa::path(get, path = paths::HEALTH, tag = "operations",
    responses((status = 200, description = "The node serves", body = Health)))]
pub async fn health(State(state): State<ApiState>) -> Json<Health> {
    let head = state.store.head();
    Json(Health {
        status: "ok".into(),
        role: state.node.role().into(),
        size: head.size,
        root: hex::encode(head.root),
        height: state.node.consensus_height(),
    })
}

/// `GET /v1/alarms`: forks and equivocations this node has seen, with the
/// conflicting signed notes (or, for consensus equivocations, the two
/// signed votes or proposals) as evidence.
#[utoipa::path(get, path = paths::ALARMS, tag = "operations",
    responses((status = 200, description = "Alarms, oldest first", body = Alarms)))]
pub async fn alarms(State(state): State<ApiState>) -> Json<Alarms> {
    Json(Alarms {
        alarms: state.node.alarms(),
    })
}

/// The media type of `/metrics` (OpenMetrics text).
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// `GET /metrics`: Prometheus metrics in the OpenMetrics text format.
#[utoipa::path(get, path = paths::METRICS, tag = "operations",
    responses((status = 200, description = "OpenMetrics text exposition", content_type = "application/openmetrics-text", body = String)))]
pub async fn metrics(State(state): State<ApiState>) -> impl IntoResponse {
    state.metrics.log_size.set(state.store.head().size as i64);
    (
        [(header::CONTENT_TYPE, OPENMETRICS)],
        state.metrics.encode(),
    )
}

/// `GET /openapi.json`: this document.
#[utoipa::path(get, path = paths::OPENAPI, tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object)))]
pub async fn openapi() -> impl IntoResponse {
    // The document never changes while the node runs; serialising it (about
    // 0.75 ms of CPU) once instead of per request keeps the route cheap for
    // unauthenticated clients.
    static BODY: std::sync::OnceLock<axum::body::Bytes> = std::sync::OnceLock::new();
    let body = BODY.get_or_init(|| {
        serde_json::to_vec(crate::openapi::document())
            .map(axum::body::Bytes::from)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot serialise the OpenAPI document");
                axum::body::Bytes::from_static(b"{}")
            })
    });
    ([(header::CONTENT_TYPE, "application/json")], body.clone())
}

/// The JSON 404 of a path nothing serves.
pub(crate) fn not_found_error(path: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route {path}"),
    )
}
