//! Signatures and keys.
//!
//! One acceptance rule everywhere: ed25519 **strict** verification
//! (`verify_strict`), which rejects non-canonical encodings, small-order
//! public keys and small-order `R` points, so a signature that one node
//! accepts is accepted by every node and by the offline verifier.
//!
//! Every signature covers a domain-separated message: a fixed context string
//! for the kind and version of message (see [`domain`]) followed by the
//! canonical encoding of the body. A signature made for one kind of message
//! can therefore never be replayed as another.

pub mod domain;
mod keys;

pub(crate) use keys::decode_hex_32;
pub use keys::{EncryptionKey, EncryptionSecret, KeyError, PublicKey, SecretKey, Signature};
