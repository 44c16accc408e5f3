//! # tanji-api
//!
//! The HTTP layer over a Tanji node: REST v1 (transactions, checkpoints,
//! entries, proofs, organisations), the OpenAPI document, Prometheus metrics
//! and health. It holds no ordering logic: reads go straight to the
//! [`Store`](tanji_ledger::store::Store); writes go to the node through the
//! [`NodeService`] trait, which the solo sequencer (and, later, replicated
//! ordering) implements.
//!
//! Every request body and query is bounded and validated; every refusal is a
//! JSON error `{"error": {"code": ..., "message": ...}}` with the status that
//! fits (400, 404, 409, 413, 422, 503).

mod error;
mod metrics;
mod openapi;
mod routes;
mod service;
pub mod web;

pub use error::ApiError;
pub use metrics::Metrics;
pub use routes::router;
pub use service::{Alarm, ApiState, NodeService, PendingStatus, SubmitError};
