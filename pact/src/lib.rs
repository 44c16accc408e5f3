//! PACT for Tanji: product footprints in the WBCSD PACT data model
//! (v2.3 and v3.0), made from ledger records and checkable against them.
//!
//! - [`model`]: the wire types of both spec versions.
//! - [`map`]: ledger records → PACT documents, field by field; a pure
//!   function, so a node serving a document and a verifier holding the
//!   ledger entries compute the same bytes.
//! - [`auth`]: client credentials (salted hashes) and bearer tokens of a
//!   PACT host; [`clients`]: the node's registry of them, in its private
//!   records.
//! - [`events`]: PACT events (CloudEvents) parsed, checked and built;
//!   [`callbacks`]: where and how a node answers partners' events.
//! - [`filter`]: ListFootprints' v3 filter criteria over documents;
//!   [`odata`]: the v2 `$filter` subset.
//! - [`id`]: the stable PACT id (a UUID) of each attestation.
//! - [`proof`]: the verifiable-PACT extension, ledger entries with their
//!   inclusion proofs; [`source`] gathers a footprint's records and proof
//!   from a ledger (the node's side); [`verify`] checks a document offline.
//!
//! Invariant: nothing here reads a committed amount or a hidden value; a
//! hidden footprint maps only when its author published its figures.
//! `docs/pact.md` documents the mapping and its limits.

pub mod auth;
pub mod callbacks;
pub mod clients;
pub mod events;
pub mod filter;
pub mod id;
pub mod import;
pub mod inbox;
pub mod map;
pub mod model;
pub mod odata;
pub mod proof;
pub mod source;
pub mod verify;

pub use id::{parse_pf_id, pf_id};
pub use map::{MapError, RecordSet};
pub use proof::PactProof;
pub use verify::{verify_document, PactReport, VerifyError};
