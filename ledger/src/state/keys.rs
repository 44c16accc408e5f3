//! Key history: the keys an organisation rotated out, and which key signed
//! an entry at a given log position.
//!
//! Invariant: for each purpose, the retired keys' `[from, until)` ranges are
//! disjoint, in log order, and the current key (in the [`OrgRecord`]) is in
//! force from the last `until` on (or from the registration). So every log
//! index resolves to exactly one key per organisation and purpose.
//!
//! [`OrgRecord`]: crate::tx::OrgRecord

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use super::{OrgState, StateError, StateView};
use crate::crypto::{EncryptionKey, PublicKey};
use crate::ids::OrgId;
use crate::tx::{KeyPurpose, SignedTx};

/// Most keys an organisation may retire (signing and encryption together);
/// the history is stored as one value and searched on every refusal.
pub const MAX_RETIRED_KEYS: usize = 64;

/// A key an organisation used and then replaced by a rotation.
///
/// The organisation's current keys are in its [`OrgRecord`]; a key in force
/// from entry `from` (its registration or the rotation that installed it) up
/// to, not including, entry `until` (the rotation that replaced it) is kept
/// here, so that an entry's signer can be resolved as of its position.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct RetiredKey {
    /// The key.
    pub key: RetiredKeyValue,
    /// Log index from which it was in force.
    pub from: u64,
    /// Log index of the rotation that replaced it.
    pub until: u64,
    /// Set by a governance rotation: the log size from which the key is
    /// held to be compromised; entries at this index and later that it
    /// signed are flagged.
    pub compromised_since: Option<u64>,
}

/// A retired key's value.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(tag = "purpose", content = "key", rename_all = "snake_case")]
pub enum RetiredKeyValue {
    /// An ed25519 signing key.
    Signing(PublicKey),
    /// An X25519 key.
    Encryption(EncryptionKey),
}

impl RetiredKeyValue {
    /// What the key was for.
    pub fn purpose(&self) -> KeyPurpose {
        match self {
            RetiredKeyValue::Signing(_) => KeyPurpose::Signing,
            RetiredKeyValue::Encryption(_) => KeyPurpose::Encryption,
        }
    }
}

/// The retired signing key that was in force at log index `index`, if one
/// was: `None` means the organisation's current key signed there (or it was
/// not yet registered).
///
/// Every verifier that checks an old entry's signature resolves the key
/// this way: entries signed before a rotation verify under the key they were
/// signed with; an entry at or after a key's `compromised_since` is flagged
/// ([`compromised_signatures`]).
pub fn retired_signing_key_at(
    retired: &[RetiredKey],
    index: u64,
) -> Option<(PublicKey, &RetiredKey)> {
    retired.iter().find_map(|r| match r.key {
        RetiredKeyValue::Signing(key) if r.from <= index && index < r.until => Some((key, r)),
        _ => None,
    })
}

/// The log index from which an organisation's current key of `purpose` is
/// in force: the last rotation of that purpose, or the registration.
pub fn current_key_since(org: &OrgState, retired: &[RetiredKey], purpose: KeyPurpose) -> u64 {
    retired
        .iter()
        .filter(|r| r.key.purpose() == purpose)
        .map(|r| r.until)
        .max()
        .unwrap_or(org.registered_at)
}

/// A signature on a logged entry by a key its owner's governance later
/// declared compromised at or before the entry's position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompromisedSignature {
    /// Whose signature.
    pub signer: OrgId,
    /// The key that made it.
    pub key: PublicKey,
    /// From which log size the key is held compromised.
    pub compromised_since: u64,
    /// The rotation that replaced the key.
    pub rotated_at: u64,
}

/// The signatures on `tx`, logged at `index`, made by keys held compromised
/// at that position: what a verifier flags instead of trusting.
pub fn compromised_signatures<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    index: u64,
) -> Result<Vec<CompromisedSignature>, StateError> {
    let mut out = Vec::new();
    for approval in &tx.approvals {
        let retired = view.retired_keys(&approval.signer)?;
        let Some((key, r)) = retired_signing_key_at(&retired, index) else {
            continue;
        };
        if let Some(since) = r.compromised_since.filter(|s| *s <= index) {
            out.push(CompromisedSignature {
                signer: approval.signer,
                key,
                compromised_since: since,
                rotated_at: r.until,
            });
        }
    }
    Ok(out)
}
