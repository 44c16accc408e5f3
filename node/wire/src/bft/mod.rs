//! Malachite's consensus types for Tanji and the codec of everything
//! Malachite sends to peers, serves in value sync, or writes to its WAL.
//!
//! | Malachite | Tanji |
//! |---|---|
//! | `Context` | [`TanjiContext`] (no data) |
//! | `Height` | [`Height`]`(u64)`: 0 = nothing decided, 1 = first batch |
//! | `Address` | [`Address`]: the validator node's 32-byte ed25519 key, hex when displayed |
//! | `Validator` / `ValidatorSet` | [`Validator`] (power 1) / [`ValidatorSet`] (at most [`types::MAX_VALIDATORS`]) |
//! | `Value` and `Value::Id` | [`BatchId`] |
//! | `ProposalPart` | [`ProposalPart`]: `Init`, `Data` chunks of the batch, `Fin` with the proposer's signature |
//! | `Proposal`, `Vote` | [`Proposal`], [`Vote`] (extension excluded from equality and signature) |
//! | `SigningScheme` | [`TanjiSigningScheme`]: strict ed25519 keys, 64-byte [`Signature`]s |
//! | network / sync / WAL codecs | [`TanjiCodec`], through the borsh mirrors of [`wire`] |
//!
//! The node (`tanji_node::ordering::bft`) adds signing, verification, batch
//! assembly and the engine; it re-exports these modules under their old
//! paths.
//!
//! # Invariants
//!
//! - Every encoding is `[VERSION, kind] ‖ borsh(wire mirror)`; one value has
//!   one encoding, and trailing bytes are refused, so whatever decodes
//!   re-encodes to the same bytes.
//! - Decoding untrusted bytes never panics; every error is a [`CodecError`].
//!   Each message kind has a size limit checked before parsing, and counts
//!   and lengths inside are checked after it (signatures per certificate,
//!   entries per `Data` chunk, vote extensions, peer ids, stream ids).
//! - The bytes are pinned by the node's golden tests: changing them is a
//!   format change that breaks stored decision records.

pub mod codec;
pub mod context;
pub mod limits;
pub mod scheme;
pub mod types;
pub mod wire;

pub use codec::{CodecError, TanjiCodec};
pub use context::TanjiContext;
pub use scheme::{SchemeError, Signature, TanjiSigningScheme};
pub use types::{
    Address, BatchId, Height, Proposal, ProposalPart, Validator, ValidatorSet, ValidatorSetError,
    Vote,
};
