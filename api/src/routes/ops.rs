//! Health, metrics, the OpenAPI document.

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::{OpenApi as _, ToSchema};

use crate::{ApiError, ApiState};

/// Health.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always "ok" when answered.
    pub status: &'static str,
    /// Node role.
    pub role: &'static str,
    /// Entries in the log.
    pub size: u64,
    /// Root, hex.
    pub root: String,
    /// Highest consensus height applied (replicated nodes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
}

/// `GET /health`: 200 once the node serves.
#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<ApiState>) -> Json<Health> {
    let head = state.store.head();
    Json(Health {
        status: "ok",
        role: state.node.role(),
        size: head.size,
        root: hex::encode(head.root),
        height: state.node.consensus_height(),
    })
}

/// Alarms raised by the node.
#[derive(Serialize, ToSchema)]
pub struct Alarms {
    /// Oldest first. Empty on a healthy network.
    pub alarms: Vec<crate::Alarm>,
}

/// `GET /v1/alarms`: forks and equivocations this node has seen, with the
/// conflicting signed notes as evidence.
#[utoipa::path(get, path = "/v1/alarms", tag = "operations", responses((status = 200, body = Alarms)))]
pub async fn alarms(State(state): State<ApiState>) -> Json<Alarms> {
    Json(Alarms {
        alarms: state.node.alarms(),
    })
}

/// `GET /metrics`: Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub async fn metrics(State(state): State<ApiState>) -> impl IntoResponse {
    state.metrics.log_size.set(state.store.head().size as i64);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
}

/// `GET /openapi.json`.
pub async fn openapi() -> impl IntoResponse {
    Json(crate::openapi::ApiDoc::openapi())
}

pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route {}", uri.path()),
    )
}
