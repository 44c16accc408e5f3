//! Why an envelope or its content did not decode, seal or open.

use super::{Purpose, CONTENT_VERSION, ENVELOPE_VERSION, MAX_MODEL_BYTES};
use crate::zk::MAX_PROOF_INPUTS;

/// An encoded envelope or sealed content is malformed or out of bounds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The envelope's first byte is not a version this build reads.
    #[error("envelope version {0} is not supported (this build reads version {ENVELOPE_VERSION})")]
    Version(u8),
    /// Fewer bytes than a version byte, an encapsulated key and a tag.
    #[error(
        "envelope of {got} bytes is too short (at least {min}: version, encapsulated key, tag)"
    )]
    TooShort {
        /// Bytes given.
        got: usize,
        /// Least possible length.
        min: usize,
    },
    /// Above a size limit.
    #[error("{what} of {got} bytes is larger than the limit of {max} bytes")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// Bytes given.
        got: usize,
        /// The limit.
        max: usize,
    },
    /// The content's first byte is not a version this build reads.
    #[error(
        "sealed content version {0} is not supported (this build reads version {CONTENT_VERSION})"
    )]
    ContentVersion(u8),
    /// The content's kind byte is neither 0 (opening) nor 1 (raw data).
    #[error("unknown sealed content kind {0} (0 = opening, 1 = raw data)")]
    Kind(u8),
    /// The bytes end inside a field.
    #[error("sealed content ends inside {0}")]
    Truncated(&'static str),
    /// Bytes follow the end of the content.
    #[error("sealed content has {0} bytes after its end")]
    TrailingBytes(usize),
    /// More inputs than a footprint proof may have.
    #[error("raw data with {0} inputs, at most {MAX_PROOF_INPUTS}")]
    TooManyInputs(usize),
    /// A model text above [`MAX_MODEL_BYTES`].
    #[error("model text of {0} bytes, at most {MAX_MODEL_BYTES}")]
    ModelTooLong(usize),
    /// The model text is not UTF-8.
    #[error("model text is not valid UTF-8")]
    ModelNotUtf8,
    /// A presence flag other than 0 or 1.
    #[error("{field} flag is {value}, expected 0 (absent) or 1 (present)")]
    Flag {
        /// Which flag.
        field: &'static str,
        /// The byte found.
        value: u8,
    },
    /// An opening's blinding is not a canonical scalar.
    #[error("{0} is not a valid opening (non-canonical blinding scalar)")]
    Opening(&'static str),
}

/// [`super::seal`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The content is not what the binding's purpose calls for.
    #[error("the content is {content} but the envelope is bound to purpose {binding}")]
    PurposeMismatch {
        /// What the content is.
        content: Purpose,
        /// What the binding says.
        binding: Purpose,
    },
    /// The binding cannot be used (e.g. not a valid network name).
    #[error("invalid envelope binding: {0}")]
    Binding(String),
    /// The content is out of bounds.
    #[error("the content cannot be sealed: {0}")]
    Content(EnvelopeError),
    /// The recipient's key is a small-order X25519 point: nothing sealed to it
    /// would be secret.
    #[error("the recipient's encryption key is unusable (a small-order X25519 point)")]
    RecipientKey,
    /// The operating system's random number generator failed.
    #[error("no randomness available: {0}")]
    Randomness(String),
    /// HPKE failed for another reason.
    #[error("HPKE sealing failed: {0}")]
    Hpke(String),
}

/// [`super::open`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The binding cannot be used (e.g. not a valid network name).
    #[error("invalid envelope binding: {0}")]
    Binding(String),
    /// Decryption failed: authentication of the ciphertext under the key
    /// derived from this secret and binding did not pass.
    #[error(
        "the envelope does not open with this key and binding (wrong recipient, \
         or sealed for another footprint/sender/purpose/network, or altered)"
    )]
    Decrypt,
    /// The envelope decrypted, but its plaintext is not valid sealed content.
    #[error("the envelope opened but its content is malformed: {0}")]
    Content(#[from] EnvelopeError),
    /// The envelope decrypted to content of another purpose than its binding's
    /// (the sender sealed the wrong thing).
    #[error("the envelope holds {content} but is bound to purpose {binding}")]
    PurposeMismatch {
        /// What the content is.
        content: Purpose,
        /// What the binding says.
        binding: Purpose,
    },
}

/// Text is not a 64-hex-character envelope hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("envelope hash: expected 64 hex characters, got {got:?}")]
pub struct ParseHashError {
    pub(super) got: String,
}
