//! # tanji-node
//!
//! The Tanji daemon. A node admits transactions (validating them with the
//! ledger's rules), hands them to an ordering engine, and serves the HTTP API
//! over its store.
//!
//! - [`ordering`]: the [`OrderingEngine`](ordering::OrderingEngine) trait and
//!   the solo engine, which sequences admitted transactions into batches on
//!   one node (`tanji-node dev`). Replicated ordering implements the same trait.
//! - [`tracker`]: where in-flight transactions stand (queued, rejected).
//! - [`service`]: the node as the API sees it (admission + status).
//! - [`local`]: local development networks (`dev`, `devnet`) and the demo data.
//! - [`server`]: starting the HTTP server and shutting down cleanly.

pub mod local;
pub mod ordering;
pub mod p2p;
pub mod replica;
pub mod server;
pub mod service;
pub mod tracker;
