use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use ed25519_dalek::Signer as _;
use zeroize::Zeroizing;

/// A key or signature could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// The bytes are not a valid ed25519 public key.
    #[error("not a valid ed25519 public key")]
    InvalidPublicKey,
    /// The public key has small order; strict verification never accepts it.
    #[error("weak (small-order) ed25519 public key")]
    WeakPublicKey,
    /// The signature did not verify under the strict rule.
    #[error("signature does not verify")]
    BadSignature,
    /// Text was not the expected hex or base64.
    #[error("bad key encoding: {0}")]
    Encoding(String),
    /// The operating system's random number generator failed.
    #[error("no randomness available: {0}")]
    Randomness(String),
}

/// An ed25519 public key (32 bytes, compressed Edwards point).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub struct PublicKey(pub [u8; 32]);

/// An ed25519 signature (64 bytes).
#[derive(Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Signature(pub [u8; 64]);

/// An X25519 public key, to which others seal data for this organisation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize)]
pub struct EncryptionKey(pub [u8; 32]);

/// An ed25519 signing key. The secret bytes are wiped when dropped.
#[derive(Clone)]
pub struct SecretKey(ed25519_dalek::SigningKey);

/// An X25519 secret key. The secret bytes are wiped when dropped.
#[derive(Clone)]
pub struct EncryptionSecret(Zeroizing<[u8; 32]>);

fn random_32() -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut()).map_err(|e| KeyError::Randomness(e.to_string()))?;
    Ok(seed)
}

impl SecretKey {
    /// A fresh key from the operating system's randomness.
    pub fn generate() -> Result<Self, KeyError> {
        Ok(Self::from_seed(&*random_32()?))
    }
    /// The key with this 32-byte seed (RFC 8032 private key).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(seed))
    }
    /// The 32-byte seed, for writing a key file.
    pub fn seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }
    /// The matching public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }
    /// Signs `context ‖ 0x00 ‖ body` (see [`super::domain`]).
    pub fn sign(&self, context: &str, body: &[u8]) -> Signature {
        self.sign_raw(&super::domain::message(context, body))
    }
    /// Signs a message as it is. Only for formats that carry their own domain
    /// separation (C2SP signed notes).
    pub fn sign_raw(&self, message: &[u8]) -> Signature {
        Signature(self.0.sign(message).to_bytes())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(public {})", self.public())
    }
}

impl PublicKey {
    /// Parses and checks a key: it must decompress and must not have small order.
    pub fn check(&self) -> Result<(), KeyError> {
        let key = ed25519_dalek::VerifyingKey::from_bytes(&self.0)
            .map_err(|_| KeyError::InvalidPublicKey)?;
        if key.is_weak() {
            return Err(KeyError::WeakPublicKey);
        }
        Ok(())
    }

    /// Strictly verifies `signature` over `context ‖ 0x00 ‖ body`.
    pub fn verify(
        &self,
        context: &str,
        body: &[u8],
        signature: &Signature,
    ) -> Result<(), KeyError> {
        self.verify_raw(&super::domain::message(context, body), signature)
    }

    /// Strictly verifies a signature over a message taken as it is.
    pub fn verify_raw(&self, message: &[u8], signature: &Signature) -> Result<(), KeyError> {
        let key = ed25519_dalek::VerifyingKey::from_bytes(&self.0)
            .map_err(|_| KeyError::InvalidPublicKey)?;
        let sig = ed25519_dalek::Signature::from_bytes(&signature.0);
        key.verify_strict(message, &sig)
            .map_err(|_| KeyError::BadSignature)
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters.
    pub fn from_hex(s: &str) -> Result<Self, KeyError> {
        decode_hex_32(s).map(Self)
    }
}

impl EncryptionSecret {
    /// A fresh X25519 secret from the operating system's randomness.
    pub fn generate() -> Result<Self, KeyError> {
        Ok(Self(random_32()?))
    }
    /// The secret with these bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }
    /// The secret's bytes, for writing a key file.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.0.clone()
    }
    /// The matching X25519 public key.
    pub fn public(&self) -> EncryptionKey {
        let secret = x25519_dalek::StaticSecret::from(*self.0);
        EncryptionKey(x25519_dalek::PublicKey::from(&secret).to_bytes())
    }
}

impl fmt::Debug for EncryptionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "EncryptionSecret(public {})",
            hex::encode(self.public().0)
        )
    }
}

pub(crate) fn decode_hex_32(s: &str) -> Result<[u8; 32], KeyError> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return Err(KeyError::Encoding(format!(
            "expected 64 hex characters, got {}",
            s.len()
        )));
    }
    hex::decode_to_slice(s, &mut out).map_err(|e| KeyError::Encoding(e.to_string()))?;
    Ok(out)
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}
impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}
impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", hex::encode(self.0))
    }
}
impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EncryptionKey({})", hex::encode(self.0))
    }
}

// JSON forms: keys as hex, signatures as hex (as they appear in transactions' JSON).
macro_rules! serde_hex_bytes {
    ($name:ident, $len:expr) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&hex::encode(self.0))
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                let mut out = [0u8; $len];
                if s.len() != $len * 2 {
                    return Err(serde::de::Error::custom(format!(
                        "expected {} hex characters, got {}",
                        $len * 2,
                        s.len()
                    )));
                }
                hex::decode_to_slice(s.as_bytes(), &mut out).map_err(serde::de::Error::custom)?;
                Ok(Self(out))
            }
        }
    };
}
serde_hex_bytes!(PublicKey, 32);
serde_hex_bytes!(Signature, 64);
serde_hex_bytes!(EncryptionKey, 32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_domain_separation() {
        let k = SecretKey::from_seed(&[7u8; 32]);
        let sig = k.sign("tanji/tx/v1", b"body");
        assert_eq!(k.public().verify("tanji/tx/v1", b"body", &sig), Ok(()));
        assert_eq!(
            k.public().verify("tanji/other/v1", b"body", &sig),
            Err(KeyError::BadSignature)
        );
        assert_eq!(
            k.public().verify("tanji/tx/v1", b"bodx", &sig),
            Err(KeyError::BadSignature)
        );
    }

    #[test]
    fn small_order_key_is_refused() {
        // The identity point (y = 1) has small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(PublicKey(identity).check(), Err(KeyError::WeakPublicKey));
        // Small-order key with a signature that "verifies" under the lax rule.
        let sig = Signature([0u8; 64]);
        assert!(PublicKey(identity).verify_raw(b"", &sig).is_err());
    }

    #[test]
    fn non_canonical_s_is_refused() {
        let k = SecretKey::from_seed(&[9u8; 32]);
        let mut sig = k.sign_raw(b"m");
        // Add the group order L to s: same point equation, non-canonical scalar.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for (s, l) in sig.0[32..].iter_mut().zip(L) {
            let v = *s as u16 + l as u16 + carry;
            *s = v as u8;
            carry = v >> 8;
        }
        assert_eq!(
            k.public().verify_raw(b"m", &sig),
            Err(KeyError::BadSignature)
        );
    }

    #[test]
    fn x25519_public_matches_rfc7748() {
        // RFC 7748 §6.1 Alice.
        let secret =
            hex::decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
                .unwrap_or_default();
        let mut b = [0u8; 32];
        b.copy_from_slice(&secret);
        assert_eq!(
            hex::encode(EncryptionSecret::from_bytes(b).public().0),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
        );
    }
}
