//! Key rotation: an organisation replaces its signing key or its X25519 key.
//!
//! Two paths lead to a rotation ([`KeyRotation`]):
//!
//! - **By the organisation**: authored by the organisation itself and signed
//!   with its current key, nothing else. The normal, planned path.
//! - **By governance**: approved by a governance quorum (like any membership
//!   change), for when the old key is lost or stolen. Only this path may say
//!   the old key was compromised (`compromised_since`): a thief holding the
//!   key could otherwise rotate it away and disown the owner's history.
//!
//! A new signing key comes with a proof of possession: its signature over
//! [`KeyRotation::possession_message`], so nobody rotates to a key they do
//! not hold (or to someone else's key, which would let them claim that
//! organisation's later signatures). An X25519 key cannot sign; an owner who
//! rotates to a key it does not hold only locks itself out of envelopes.
//!
//! Entries signed before a rotation stay valid: every verifier resolves a
//! signer's key as of the entry's position in the log
//! ([`crate::state::retired_signing_key_at`]).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use super::{field, FormError};
use crate::crypto::{domain, EncryptionKey, PublicKey, SecretKey, Signature};
use crate::ids::OrgId;

/// The key a rotation puts in force.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NewKey {
    /// A new ed25519 signing key, with its proof of possession.
    Signing {
        /// The new key.
        key: PublicKey,
        /// The new key's signature over [`KeyRotation::possession_message`].
        possession: Signature,
    },
    /// A new X25519 key for sealed envelopes.
    Encryption {
        /// The new key.
        key: EncryptionKey,
    },
}

impl NewKey {
    /// Which key it replaces: `"signing"` or `"encryption"`.
    pub fn purpose(&self) -> KeyPurpose {
        match self {
            NewKey::Signing { .. } => KeyPurpose::Signing,
            NewKey::Encryption { .. } => KeyPurpose::Encryption,
        }
    }
}

/// What a key is for.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum KeyPurpose {
    /// Signs the organisation's transactions (ed25519).
    Signing,
    /// Receives sealed envelopes (X25519).
    Encryption,
}

impl KeyPurpose {
    /// `"signing"` or `"encryption"`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyPurpose::Signing => "signing",
            KeyPurpose::Encryption => "encryption",
        }
    }
}

/// Replaces one of an organisation's keys.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct KeyRotation {
    /// The organisation whose key changes.
    pub org: OrgId,
    /// The key put in force.
    pub new_key: NewKey,
    /// Governance path only: the first log size from which the replaced key
    /// is known (or feared) to be in other hands. Entries at index
    /// `compromised_since` and later that the old key signed are flagged by
    /// every verifier; at most the rotation's own index, and not before the
    /// old key came into force.
    pub compromised_since: Option<u64>,
}

impl KeyRotation {
    /// What a new signing key signs to prove possession (with context
    /// [`domain::KEY_POSSESSION_V1`]): `borsh((network, org, key))`. It names
    /// the network and organisation, so a proof cannot be reused elsewhere.
    pub fn possession_message(network: &str, org: &OrgId, key: &PublicKey) -> Vec<u8> {
        crate::encoding::encode(&(network, org, key))
    }

    /// The proof of possession of `new` for `org` on `network`.
    pub fn prove_possession(network: &str, org: &OrgId, new: &SecretKey) -> Signature {
        new.sign(
            domain::KEY_POSSESSION_V1,
            &Self::possession_message(network, org, &new.public()),
        )
    }

    /// Well-formedness: the new key's encoding.
    pub fn check_form(&self) -> Result<(), FormError> {
        if let NewKey::Signing { key, .. } = &self.new_key {
            key.check()
                .map_err(|e| field("rotate_key.new_key", e.to_string()))?;
        }
        Ok(())
    }

    /// Verifies a new signing key's proof of possession (always true for an
    /// encryption key).
    pub fn possession_verifies(&self, network: &str) -> bool {
        match &self.new_key {
            NewKey::Signing { key, possession } => key
                .verify(
                    domain::KEY_POSSESSION_V1,
                    &Self::possession_message(network, &self.org, key),
                    possession,
                )
                .is_ok(),
            NewKey::Encryption { .. } => true,
        }
    }
}
