//! The sealed envelope as stored and sent, and its hash (what the log records).

use std::fmt;
use std::str::FromStr;

use borsh::{BorshDeserialize, BorshSerialize};

use super::{
    EnvelopeError, ParseHashError, ENVELOPE_HASH_CONTEXT, ENVELOPE_VERSION, MAX_ENVELOPE_BYTES,
};

/// Bytes of the encapsulated key (an X25519 public key).
pub const ENC_LEN: usize = 32;
/// Bytes of the ChaCha20-Poly1305 tag at the end of every ciphertext.
pub const TAG_LEN: usize = 16;
/// Shortest encoded envelope: version, encapsulated key, tag (empty plaintext).
pub const MIN_ENVELOPE_BYTES: usize = 1 + ENC_LEN + TAG_LEN;

/// An HPKE-sealed envelope: the encapsulated key and the ciphertext (with its
/// tag). Encoded as `version ‖ enc ‖ ciphertext` ([`Self::to_bytes`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// HPKE `enc`: the sender's ephemeral X25519 public key.
    pub enc: [u8; ENC_LEN],
    /// ChaCha20-Poly1305 ciphertext of the sealed content, tag included.
    pub ciphertext: Vec<u8>,
}

impl Envelope {
    /// `ENVELOPE_VERSION (1 byte) ‖ enc (32 bytes) ‖ ciphertext (the rest)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + ENC_LEN + self.ciphertext.len());
        out.push(ENVELOPE_VERSION);
        out.extend_from_slice(&self.enc);
        out.extend_from_slice(&self.ciphertext);
        out
    }

    /// Reads [`Self::to_bytes`]: at most [`MAX_ENVELOPE_BYTES`], the known
    /// version, and at least [`MIN_ENVELOPE_BYTES`]. Never panics. Whatever
    /// decodes encodes back to the same bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(EnvelopeError::TooLarge {
                what: "envelope",
                got: bytes.len(),
                max: MAX_ENVELOPE_BYTES,
            });
        }
        let too_short = || EnvelopeError::TooShort {
            got: bytes.len(),
            min: MIN_ENVELOPE_BYTES,
        };
        let (&version, rest) = bytes.split_first().ok_or_else(too_short)?;
        if version != ENVELOPE_VERSION {
            return Err(EnvelopeError::Version(version));
        }
        if bytes.len() < MIN_ENVELOPE_BYTES {
            return Err(too_short());
        }
        let (enc, ciphertext) = rest.split_at_checked(ENC_LEN).ok_or_else(too_short)?;
        Ok(Envelope {
            enc: enc.try_into().map_err(|_| too_short())?,
            ciphertext: ciphertext.to_vec(),
        })
    }

    /// The envelope's hash: [`EnvelopeHash::of_bytes`] of [`Self::to_bytes`].
    pub fn hash(&self) -> EnvelopeHash {
        let mut h = blake3::Hasher::new_derive_key(ENVELOPE_HASH_CONTEXT);
        h.update(&[ENVELOPE_VERSION]);
        h.update(&self.enc);
        h.update(&self.ciphertext);
        EnvelopeHash(*h.finalize().as_bytes())
    }
}

/// The hash of an encoded envelope:
/// `BLAKE3-derive_key("tanji/envelope-hash/v1", envelope bytes)`. The log
/// records it (with the recipient) instead of the envelope; nodes store and
/// serve envelopes by it.
///
/// Text (Display, FromStr, JSON): 64 lower-case hex characters (parsing also
/// takes upper case). Borsh: the 32 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub struct EnvelopeHash(pub [u8; 32]);

impl EnvelopeHash {
    /// The hash of envelope bytes as received (equal to [`Envelope::hash`] of
    /// what they decode to, since decoding keeps every byte).
    pub fn of_bytes(encoded: &[u8]) -> Self {
        let mut h = blake3::Hasher::new_derive_key(ENVELOPE_HASH_CONTEXT);
        h.update(encoded);
        EnvelopeHash(*h.finalize().as_bytes())
    }
    /// The hash's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
    /// Parses 64 hex characters.
    pub fn from_hex(s: &str) -> Result<Self, ParseHashError> {
        let err = || ParseHashError {
            got: s.chars().take(80).collect(),
        };
        if s.len() != 64 {
            return Err(err());
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| err())?;
        Ok(EnvelopeHash(out))
    }
}

impl fmt::Display for EnvelopeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for EnvelopeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnvelopeHash({})", self.to_hex())
    }
}

impl FromStr for EnvelopeHash {
    type Err = ParseHashError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_hex(s)
    }
}

impl serde::Serialize for EnvelopeHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for EnvelopeHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Self::from_hex(&s).map_err(serde::de::Error::custom)
    }
}
