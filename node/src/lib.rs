//! # tanji-node
//!
//! The Tanji daemon. A node admits transactions (validating them with the
//! ledger's rules), hands them to an ordering engine, and serves the HTTP API
//! over its store.
//!
//! - [`local`]: local development networks (`tanji-node dev`, `tanji-node
//!   devnet`) and the demo supply chain they can load.
//! - [`ordering`]: the [`OrderingEngine`](ordering::OrderingEngine) trait and
//!   its engines: solo (one node), replicated (Malachite BFT).
//! - [`p2p`]: Tanji's own libp2p swarm: transaction and checkpoint gossip,
//!   range sync, connection gating by the ledger's node registry.
//! - [`replica`]: a node of a replicated network (`tanji-node run`): config,
//!   genesis, checkpoint cosigning and witnessing, alarms, gossip handling.
//! - [`server`]: starting the HTTP server and shutting down cleanly.
//! - [`service`]: the node as the API sees it (admission + status).
//! - [`tracker`]: where in-flight transactions stand (queued, rejected).

pub mod local;
pub mod ordering;
pub mod p2p;
pub mod replica;
pub mod server;
pub mod service;
pub mod tracker;
