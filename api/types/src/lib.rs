//! # tanji-api-types
//!
//! The contract of Tanji's REST API, written once: where each route lives
//! ([`paths`]), what its query takes and what it answers ([`log`], [`tx`],
//! [`orgs`], [`carbon`], [`privacy`], [`ops`]), and the JSON error every
//! refusal carries ([`error`]). The server (`tanji-api`) answers with these
//! types and derives `/openapi.json` from them; the client (`tanji-sdk`)
//! decodes the same types, so server, document and client cannot drift apart.
//!
//! Every type derives `utoipa::ToSchema` (queries derive `IntoParams`), and
//! ledger records are embedded as the ledger defines them (with the ledger's
//! `schema` feature), so a served document is its ledger record plus the
//! fields a reader needs (status words, kg figures), never a re-typed copy.
//!
//! - [`paths`]: every route's path template and the function that fills it.
//! - [`bounds`]: integer query parameters held to their declared range.
//! - [`error`]: the error body `{"error": {"code", "message"}}`.
//! - [`tx`]: submitting transactions and their status.
//! - [`log`]: checkpoints, entries, inclusion and consistency proofs.
//! - [`orgs`]: organisations and network facts.
//! - [`carbon`]: factors, rules, footprints, trees, impact, certificates,
//!   regulator statistics and anomalies.
//! - [`draft`]: the dry-run compute and the unsigned attestation a browser signs.
//! - [`search`]: one search over product ids, organisations, certificates,
//!   transactions, factors and rules.
//! - [`pact`]: PACT client credentials an organisation manages.
//! - [`privacy`]: answers of the sealed-envelope routes and their signed-request headers.
//! - [`ops`]: health and alarms.

pub mod bounds;
pub mod carbon;
pub mod draft;
pub mod error;
pub mod log;
pub mod ops;
pub mod orgs;
pub mod pact;
pub mod paths;
pub mod privacy;
pub mod search;
pub mod tx;

pub use error::{ErrorBody, ErrorDetail};
