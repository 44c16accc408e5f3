//! Canonical binary encoding of everything that is hashed, signed, stored or
//! replicated.
//!
//! Tanji uses [borsh]: one byte sequence per value, by construction (fixed
//! little-endian integers, length-prefixed sequences, enum variants as a
//! one-byte tag). Decoding untrusted bytes goes through [`decode`], which
//! enforces a size limit before anything is parsed and refuses trailing
//! bytes, so that one value has exactly one accepted encoding.
//!
//! Invariant: `encode(decode(b)?) == b` for every `b` that decodes.

use borsh::{BorshDeserialize, BorshSerialize};

/// Why bytes could not be decoded.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// The input is larger than the limit for this kind of value.
    #[error("input is {len} bytes, more than the limit of {limit}")]
    TooLarge {
        /// Size of the input.
        len: usize,
        /// The limit it exceeded.
        limit: usize,
    },
    /// The bytes are not a valid encoding (truncated, unknown tag, trailing bytes, bad UTF-8...).
    #[error("malformed encoding: {0}")]
    Malformed(String),
}

/// Encodes a value canonically.
pub fn encode<T: BorshSerialize + ?Sized>(value: &T) -> Vec<u8> {
    // Writing into a Vec cannot fail: borsh only returns I/O errors from the writer.
    borsh::to_vec(value).unwrap_or_default()
}

/// Decodes a value from untrusted bytes, refusing inputs over `limit` bytes and
/// any bytes left over after the value.
pub fn decode<T: BorshDeserialize>(bytes: &[u8], limit: usize) -> Result<T, DecodeError> {
    if bytes.len() > limit {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            limit,
        });
    }
    borsh::from_slice(bytes).map_err(|e| DecodeError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_bytes_are_refused() {
        let mut bytes = encode(&7u32);
        bytes.push(0);
        assert!(matches!(
            decode::<u32>(&bytes, 64),
            Err(DecodeError::Malformed(_))
        ));
    }

    #[test]
    fn limit_is_checked_before_parsing() {
        let bytes = vec![0u8; 65];
        assert_eq!(
            decode::<Vec<u8>>(&bytes, 64),
            Err(DecodeError::TooLarge { len: 65, limit: 64 })
        );
    }

    #[test]
    fn huge_length_prefix_does_not_allocate() {
        // A Vec claiming u32::MAX elements with 4 bytes of payload must fail cleanly.
        let mut bytes = u32::MAX.to_le_bytes().to_vec();
        bytes.extend_from_slice(&[1, 2, 3, 4]);
        assert!(decode::<Vec<u64>>(&bytes, 1024).is_err());
    }
}
