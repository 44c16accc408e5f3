//! [`TanjiSigningScheme`]: Malachite's `SigningScheme` for Tanji, strict
//! ed25519 over the ledger's key types.
//!
//! Public keys are the ledger's [`PublicKey`] (decoding refuses undecodable
//! and small-order keys), signatures are 64 bytes ([`Signature`]). Signing
//! and verification (with the node key, `verify_strict`, domain-separated
//! preimages) are the node's (`tanji_node::ordering::bft::signing`); this
//! module holds only what the consensus types and their codec need.

use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use malachitebft_app_channel::app::types::core::SigningScheme;
use tanji_ledger::crypto::{self, PublicKey, SecretKey};

/// An ed25519 signature as Malachite handles it (totally ordered, as its
/// `SigningScheme` requires).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct Signature(pub [u8; 64]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", hex::encode(self.0))
    }
}

impl From<crypto::Signature> for Signature {
    fn from(s: crypto::Signature) -> Self {
        Signature(s.0)
    }
}

impl From<Signature> for crypto::Signature {
    fn from(s: Signature) -> Self {
        crypto::Signature(s.0)
    }
}

/// A signature or public key could not be decoded.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SchemeError {
    /// Wrong number of bytes.
    #[error("expected {expected} bytes, got {got}")]
    Length {
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// Not a usable ed25519 public key.
    #[error("{0}")]
    Key(#[from] crypto::KeyError),
}

/// Strict ed25519 over the ledger's key types.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TanjiSigningScheme;

impl SigningScheme for TanjiSigningScheme {
    type DecodingError = SchemeError;
    type Signature = Signature;
    type PublicKey = PublicKey;
    type PrivateKey = SecretKey;

    fn decode_signature(bytes: &[u8]) -> Result<Signature, SchemeError> {
        let arr: [u8; 64] = bytes.try_into().map_err(|_| SchemeError::Length {
            expected: 64,
            got: bytes.len(),
        })?;
        Ok(Signature(arr))
    }

    fn encode_signature(signature: &Signature) -> Vec<u8> {
        signature.0.to_vec()
    }

    fn decode_public_key(bytes: &[u8]) -> Result<PublicKey, SchemeError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| SchemeError::Length {
            expected: 32,
            got: bytes.len(),
        })?;
        let key = PublicKey(arr);
        key.check()?;
        Ok(key)
    }

    fn encode_public_key(public_key: &PublicKey) -> Vec<u8> {
        public_key.0.to_vec()
    }
}
