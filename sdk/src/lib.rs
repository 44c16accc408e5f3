//! # tanji-sdk
//!
//! A client for Tanji nodes and an offline verifier, plus the `tanji` CLI.
//! It depends on `tanji-ledger` (for the exact validation and verification
//! code the nodes run) and an HTTP client, never on the node itself.
//!
//! - [`client`]: typed access to a node's REST v1 API, one method per route,
//!   with the request and response types of [`types`] (`tanji-api-types`),
//!   the contract the server shares.
//! - [`watch`]: checking that each new checkpoint consistently extends the last.
//! - [`build`]: building and signing common transactions.
//! - [`privacy`]: hidden footprints: attesting with proofs, sealed disclosure, opening.

pub mod build;
pub mod client;
pub mod privacy;
pub mod watch;

pub use client::{Client, ClientError};
pub use tanji_api_types as types;
