//! HPKE-sealed envelopes (RFC 9180): a hidden footprint's opening for the
//! direct customer, its raw data for an auditor.
//!
//! A hidden footprint (DESIGN.md, "Privacy", level 3) publishes only Pedersen
//! commitments. Whoever builds on it, its direct customer, needs its opening
//! (values and blindings) to commit to its own footprint and prove it; an
//! auditor or certification body needs the raw data behind it. The supplier
//! seals these to the recipient's X25519 [`EncryptionKey`] (the
//! `encryption_key` of its organisation record) as an [`Envelope`], with
//! [`seal`]; the recipient opens it with its [`EncryptionSecret`], with
//! [`open`].
//!
//! Envelopes never go into the log. Nodes store them off-log, keyed by their
//! [`EnvelopeHash`]; the log records only that hash and the recipient, so it
//! shows who was given what, and anyone holding the envelope bytes can check
//! them against the log ([`EnvelopeHash::of_bytes`]).
//!
//! # Suite
//!
//! HPKE (RFC 9180) in base mode (`mode_base`, 0x00), single shot, with
//! - KEM `DHKEM(X25519, HKDF-SHA256)` (0x0020): organisations' encryption
//!   keys are already X25519; no point validation to get wrong, constant time;
//! - KDF `HKDF-SHA256` (0x0001): the KEM's own KDF, one hash throughout;
//! - AEAD `ChaCha20-Poly1305` (0x0003): constant time in software on any
//!   machine (no AES hardware needed), 16-byte tag.
//!
//! Base mode does not authenticate the sender (anyone can seal to anyone).
//! Authenticity comes from the ledger instead: the log entry that records the
//! envelope's hash is signed by the sender, and the content checks itself
//! against the log, since only the footprint's author knows an opening of its
//! commitments. A recipient must therefore check what it opened (for an
//! opening: [`crate::zk::FootprintOpening::opens`] on the footprint's
//! published commitment) before relying on it; [`open`] only decrypts and
//! decodes. The ephemeral key comes from 32 bytes of operating-system
//! randomness expanded with BLAKE3 (`derive_key("tanji/envelope/v1 ephemeral",
//! seed)` in XOF mode) and fed to HPKE's `DeriveKeyPair`; a failing random
//! source is an error, never a panic.
//!
//! # Binding: HPKE `info` and AEAD `aad`
//!
//! An envelope is bound to an [`EnvelopeBinding`], which goes into the key
//! schedule, so it opens only for the same network, footprint, sender,
//! recipient and purpose: it cannot be replayed for another footprint, handed
//! on as another sender's, or opened as the other purpose.
//!
//! ```text
//! info = "tanji/envelope/v1"     17 bytes, ENVELOPE_INFO_LABEL
//!      ‖ len(network)            4 bytes, u32 little-endian
//!      ‖ network                 1..=64 bytes ASCII (crate::tx::check_network_name)
//!      ‖ footprint               32 bytes, TxId of the footprint's attestation
//!      ‖ sender                  16 bytes, OrgId
//!      ‖ recipient               16 bytes, OrgId
//!      ‖ purpose                 1 byte: 0 = opening, 1 = raw_data
//! aad  = ENVELOPE_VERSION (1 byte, 0x01) ‖ info
//! ```
//!
//! Everything after the label is the borsh encoding of the binding's fields in
//! that order; `info` is at most 150 bytes (far below HPKE's 2¹⁶ limit). The
//! `aad` adds the envelope's version byte, so a version byte changed after
//! sealing fails to open too. The recipient's public key needs no place here:
//! DHKEM puts it in the KEM context.
//!
//! # Envelope encoding ([`Envelope::to_bytes`])
//!
//! ```text
//! offset  bytes  field
//! 0       1      ENVELOPE_VERSION = 0x01
//! 1       32     enc: HPKE encapsulated key (the sender's ephemeral X25519 public key)
//! 33      n+16   ciphertext: ChaCha20-Poly1305 of the sealed content (n bytes) ‖ tag (16)
//! ```
//!
//! At least [`envelope::MIN_ENVELOPE_BYTES`] = 49 and at most
//! [`MAX_ENVELOPE_BYTES`] bytes. Decoding keeps every byte, so an envelope's
//! hash is that of the bytes as received:
//! `EnvelopeHash = BLAKE3-derive_key("tanji/envelope-hash/v1", encoding)`
//! ([`ENVELOPE_HASH_CONTEXT`]).
//!
//! # Sealed content encoding ([`SealedContent::to_bytes`], the plaintext)
//!
//! ```text
//! bytes  field
//! 1      CONTENT_VERSION = 0x01
//! 1      kind = purpose: 0 = opening, 1 = raw data
//! kind 0, opening (202 bytes in all):
//!   200  FootprintOpening: per category in Category::ALL order,
//!        value (i64 LE, 8) ‖ blinding (canonical Ristretto scalar, 32)
//! kind 1, raw data:
//!   2    n = number of inputs, u16 LE, ≤ MAX_PROOF_INPUTS (256)
//!   n ×  40   quantity opening: value (u64 LE, 8) ‖ blinding (32)
//!        1    upstream flag: 0 = none, 1 = a hidden upstream footprint
//!        200  its FootprintOpening, only if the flag is 1
//!   200  result FootprintOpening
//!   1    model flag: 0 = none, 1 = present
//!   4    m = model length, u32 LE, ≤ MAX_MODEL_BYTES (65536), only if present
//!   m    model text, UTF-8, only if present
//! ```
//!
//! Decoding ([`SealedContent::from_bytes`]) is strict: only these versions,
//! kinds and flag values, canonical scalars, UTF-8 text, the bounds above, and
//! the exact length with no trailing bytes. So every content has one encoding
//! (decoding then encoding gives back the same bytes), and the largest
//! content, [`MAX_CONTENT_BYTES`], seals to an envelope well under
//! [`MAX_ENVELOPE_BYTES`].
//!
//! # Invariants
//!
//! - [`seal`] refuses content whose [`SealedContent::purpose`] is not the
//!   binding's; [`open`] refuses it too (only a faulty sender makes one).
//! - [`open`] succeeds only with the recipient's secret and exactly the
//!   binding sealed to; any other secret, binding, or altered byte gives
//!   [`OpenError::Decrypt`] (or an [`EnvelopeError`] while decoding).
//! - Plaintext is kept in [`Zeroizing`] buffers; openings wipe themselves on
//!   drop, and so does a [`RawData`]'s model text.
//! - No input panics: decoding and opening return errors.

pub mod access;
mod content;
pub mod envelope;
mod error;

use zeroize::Zeroizing;

use hpke::{Deserializable, HpkeError, OpModeR, OpModeS, Serializable};

use crate::crypto::{EncryptionKey, EncryptionSecret};
use crate::ids::{OrgId, TxId};
use crate::zk::commitment::FOOTPRINT_OPENING_LEN;
use crate::zk::MAX_PROOF_INPUTS;

pub use content::{RawData, SealedContent};
pub use envelope::{Envelope, EnvelopeHash};
pub use error::{EnvelopeError, OpenError, ParseHashError, SealError};

/// Version byte of the envelope encoding (and of the `aad`).
pub const ENVELOPE_VERSION: u8 = 1;
/// Version byte of the sealed content encoding.
pub const CONTENT_VERSION: u8 = 1;
/// Largest encoded envelope accepted anywhere (HTTP body limit uses it too).
pub const MAX_ENVELOPE_BYTES: usize = 512 * 1024;
/// HPKE `info` prefix.
pub const ENVELOPE_INFO_LABEL: &[u8] = b"tanji/envelope/v1";
/// BLAKE3 `derive_key` context of [`EnvelopeHash`].
pub const ENVELOPE_HASH_CONTEXT: &str = "tanji/envelope-hash/v1";
/// BLAKE3 `derive_key` context expanding the random seed of the ephemeral key.
const EPHEMERAL_CONTEXT: &str = "tanji/envelope/v1 ephemeral";
/// Longest model text in [`RawData`] (64 KiB).
pub const MAX_MODEL_BYTES: usize = 64 * 1024;
/// Longest sealed content: raw data with the most inputs, each with an
/// upstream opening, and the longest model text.
pub const MAX_CONTENT_BYTES: usize = 2
    + 2
    + MAX_PROOF_INPUTS * (40 + 1 + FOOTPRINT_OPENING_LEN)
    + FOOTPRINT_OPENING_LEN
    + 1
    + 4
    + MAX_MODEL_BYTES;

// Whatever content is valid seals to an envelope that every node accepts.
const _: () = assert!(envelope::MIN_ENVELOPE_BYTES + MAX_CONTENT_BYTES <= MAX_ENVELOPE_BYTES);

type Kem = hpke::kem::X25519HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type Aead = hpke::aead::ChaCha20Poly1305;

/// Why an envelope was sealed: decides what it must contain.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum Purpose {
    /// The footprint's opening, for the direct customer to build on.
    Opening,
    /// The raw data (every input's quantity opening, the openings of hidden
    /// upstream footprints used, the result opening, and an optional model
    /// text), for an auditor or certification body.
    RawData,
}

impl Purpose {
    /// `"opening"` or `"raw_data"` (as in JSON).
    pub fn as_str(&self) -> &'static str {
        match self {
            Purpose::Opening => "opening",
            Purpose::RawData => "raw_data",
        }
    }
    /// Reads [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "opening" => Some(Purpose::Opening),
            "raw_data" => Some(Purpose::RawData),
            _ => None,
        }
    }
    /// The byte in `info` and in the content's kind (the borsh tag).
    fn tag(self) -> u8 {
        match self {
            Purpose::Opening => 0,
            Purpose::RawData => 1,
        }
    }
    fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            0 => Some(Purpose::Opening),
            1 => Some(Purpose::RawData),
            _ => None,
        }
    }
}

impl std::fmt::Display for Purpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an envelope is bound to; goes into HPKE `info` (and AEAD `aad`) so an
/// envelope cannot be replayed for another footprint, sender, recipient,
/// network or purpose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeBinding {
    /// The network's name (a valid network name, at most 64 bytes).
    pub network: String,
    /// The hidden footprint the content belongs to (its attestation's id).
    pub footprint: TxId,
    /// The organisation that seals (the footprint's author).
    pub sender: OrgId,
    /// The organisation sealed to.
    pub recipient: OrgId,
    /// What the envelope must contain.
    pub purpose: Purpose,
}

impl EnvelopeBinding {
    /// HPKE `info` (see the module docs); an error for an invalid network name.
    fn info(&self) -> Result<Vec<u8>, String> {
        crate::tx::check_network_name(&self.network).map_err(|e| e.to_string())?;
        let network_len = u32::try_from(self.network.len()).map_err(|e| e.to_string())?;
        let mut info = Vec::with_capacity(
            ENVELOPE_INFO_LABEL.len() + 4 + self.network.len() + 32 + 16 + 16 + 1,
        );
        info.extend_from_slice(ENVELOPE_INFO_LABEL);
        info.extend_from_slice(&network_len.to_le_bytes());
        info.extend_from_slice(self.network.as_bytes());
        info.extend_from_slice(self.footprint.as_bytes());
        info.extend_from_slice(self.sender.as_bytes());
        info.extend_from_slice(self.recipient.as_bytes());
        info.push(self.purpose.tag());
        Ok(info)
    }
}

/// AEAD `aad`: the envelope version byte, then `info`.
fn aad(info: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(1 + info.len());
    aad.push(ENVELOPE_VERSION);
    aad.extend_from_slice(info);
    aad
}

/// Seals `content` to `recipient` under `binding`, with a fresh ephemeral key.
///
/// Refuses content whose purpose is not `binding.purpose`, an invalid binding,
/// content out of bounds ([`SealedContent::check`]) and a small-order
/// recipient key.
pub fn seal(
    recipient: &EncryptionKey,
    binding: &EnvelopeBinding,
    content: &SealedContent,
) -> Result<Envelope, SealError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut()).map_err(|e| SealError::Randomness(e.to_string()))?;
    seal_with_seed(recipient, binding, content, &seed)
}

/// [`seal`] with the ephemeral key derived from `seed` (deterministic: tests).
fn seal_with_seed(
    recipient: &EncryptionKey,
    binding: &EnvelopeBinding,
    content: &SealedContent,
    seed: &[u8; 32],
) -> Result<Envelope, SealError> {
    if content.purpose() != binding.purpose {
        return Err(SealError::PurposeMismatch {
            content: content.purpose(),
            binding: binding.purpose,
        });
    }
    let info = binding.info().map_err(SealError::Binding)?;
    content.check().map_err(SealError::Content)?;
    let plaintext = content.to_bytes();
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(&recipient.0)
        .map_err(|e| SealError::Hpke(e.to_string()))?;
    let (enc, ciphertext) = hpke::single_shot_seal_with_rng::<Aead, Kdf, Kem>(
        &OpModeS::Base,
        &pk,
        &info,
        &plaintext,
        &aad(&info),
        &mut SeededRng::new(seed),
    )
    .map_err(|e| match e {
        HpkeError::EncapError => SealError::RecipientKey,
        e => SealError::Hpke(e.to_string()),
    })?;
    let enc = <[u8; 32]>::try_from(enc.to_bytes().as_slice())
        .map_err(|e| SealError::Hpke(e.to_string()))?;
    Ok(Envelope { enc, ciphertext })
}

/// Opens `envelope` with the recipient's `secret`, for exactly `binding`:
/// decrypts, decodes the content strictly, and checks that its purpose is the
/// binding's. Does not check the content against the log (see the module
/// docs: the caller must, e.g. that an opening opens the footprint).
pub fn open(
    secret: &EncryptionSecret,
    binding: &EnvelopeBinding,
    envelope: &Envelope,
) -> Result<SealedContent, OpenError> {
    let info = binding.info().map_err(OpenError::Binding)?;
    let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(&*secret.to_bytes())
        .map_err(|_| OpenError::Decrypt)?;
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&envelope.enc)
        .map_err(|_| OpenError::Decrypt)?;
    let plaintext = Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &OpModeR::Base,
            &sk,
            &enc,
            &info,
            &envelope.ciphertext,
            &aad(&info),
        )
        .map_err(|_| OpenError::Decrypt)?,
    );
    let content = SealedContent::from_bytes(&plaintext)?;
    if content.purpose() != binding.purpose {
        return Err(OpenError::PurposeMismatch {
            content: content.purpose(),
            binding: binding.purpose,
        });
    }
    Ok(content)
}

/// A CSPRNG for HPKE's ephemeral key: BLAKE3 in XOF mode over a 32-byte
/// random seed. HPKE draws 32 bytes from it (the `ikm` of `DeriveKeyPair`).
struct SeededRng(blake3::OutputReader);

impl SeededRng {
    fn new(seed: &[u8; 32]) -> Self {
        let mut h = blake3::Hasher::new_derive_key(EPHEMERAL_CONTEXT);
        h.update(seed);
        SeededRng(h.finalize_xof())
    }
}

impl hpke::rand_core::TryRng for SeededRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.0.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill(dst);
        Ok(())
    }
}

impl hpke::rand_core::TryCryptoRng for SeededRng {}

#[cfg(test)]
mod tests;
