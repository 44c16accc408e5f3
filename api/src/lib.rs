//! # tanji-api
//!
//! The HTTP layer over a Tanji node: REST v1 (transactions, the log and its
//! proofs, organisations, carbon records, sealed envelopes, regulator
//! views), the OpenAPI document, Prometheus metrics, health, and the
//! carbon label and verification pages. It holds no ordering logic: reads go
//! straight to the [`Store`](tanji_ledger::store::Store); writes go to the
//! node through the [`NodeService`] trait, which the solo sequencer and the
//! replicated (Malachite) ordering implement in `tanji-node`.
//!
//! Request and response types are those of `tanji-api-types`, the contract
//! the SDK shares; the router and `/openapi.json` come from one list of
//! handlers (`routes`), so neither can drift from the other.
//!
//! Every request body and query is bounded and validated; every refusal is a
//! JSON error `{"error": {"code": ..., "message": ...}}` with the status that
//! fits (400, 401, 403, 404, 409, 413, 422, 503).
//!
//! - `error`: [`ApiError`], the JSON refusal.
//! - [`metrics`](Metrics): the Prometheus registry.
//! - `openapi`: the parts of the document that are not routes, and [`openapi_document`].
//! - `routes`: the handlers and the one route list.
//! - `service`: what the API needs from a node ([`NodeService`], [`ApiState`]).
//! - [`pact_host`]: the PACT host (v2.3, v3.0) served on its own HTTPS
//!   listener.
//! - [`platform`]: the web platform (Vue single-page application) embedded
//!   from `web/dist` and served at `/`, and the CORS policy of the read API.
//! - [`web`]: the label SVG and the bilingual verification page.

mod error;
mod metrics;
mod openapi;
pub mod pact_host;
pub mod platform;
mod routes;
mod service;
pub mod web;

pub use error::ApiError;
pub use metrics::Metrics;
pub use openapi::document as openapi_document;
pub use routes::router;
pub use service::{ApiLedger, ApiState, NodeService, PendingStatus, SubmitError};
pub use tanji_api_types as types;
pub use tanji_api_types::ops::Alarm;
