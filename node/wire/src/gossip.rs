//! What travels on the transaction gossip topic: [`TxBundle`]s.
//!
//! A node gossips the transactions admitted locally in small bundles, so a
//! burst of submissions is a few messages rather than thousands. A bundle is
//! `borsh(Vec<Vec<u8>>)` of canonical `SignedTx` encodings.
//!
//! Invariants of a decoded bundle (checked by [`TxBundle::decode`] before it
//! is used, and by [`TxBundle::encode`] before one is sent): at most
//! [`MAX_BUNDLE_BYTES`] encoded, 1..=[`MAX_BUNDLE_TXS`] entries, each
//! 1..=[`MAX_TX_BYTES`] bytes; no trailing bytes, so whatever decodes
//! re-encodes to the same bytes. Whether the entries are valid transactions
//! is the receiver's question (it decodes and validates each one).

use borsh::{BorshDeserialize, BorshSerialize};
pub use tanji_ledger::tx::MAX_TX_BYTES;

/// Largest encoded bundle: the swarm's gossip payload limit (256 KiB).
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024;
/// Most transactions in one bundle.
pub const MAX_BUNDLE_TXS: usize = 4096;

/// A gossip message on the transaction topic: a bundle of encoded transactions.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TxBundle {
    /// Canonical encodings of signed transactions.
    pub txs: Vec<Vec<u8>>,
}

/// Why bytes are not a bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Larger than [`MAX_BUNDLE_BYTES`].
    #[error("bundle of {0} bytes, more than {MAX_BUNDLE_BYTES}")]
    TooLarge(usize),
    /// No entries, or more than [`MAX_BUNDLE_TXS`].
    #[error("bundle of {0} transactions, not 1..={MAX_BUNDLE_TXS}")]
    Count(usize),
    /// An entry is empty or larger than a transaction can be.
    #[error("bundle entry of {0} bytes, not 1..={MAX_TX_BYTES}")]
    Entry(usize),
    /// Not a canonical borsh encoding.
    #[error("malformed bundle: {0}")]
    Malformed(String),
}

impl TxBundle {
    /// Decodes a bundle received from a peer, within the limits.
    pub fn decode(bytes: &[u8]) -> Result<Self, BundleError> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(bytes.len()));
        }
        let bundle: TxBundle =
            borsh::from_slice(bytes).map_err(|e| BundleError::Malformed(e.to_string()))?;
        bundle.check()?;
        Ok(bundle)
    }

    /// Encodes the bundle, refusing one over the limits.
    pub fn encode(&self) -> Result<Vec<u8>, BundleError> {
        self.check()?;
        let bytes = borsh::to_vec(self).map_err(|e| BundleError::Malformed(e.to_string()))?;
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(bytes.len()));
        }
        Ok(bytes)
    }

    fn check(&self) -> Result<(), BundleError> {
        if self.txs.is_empty() || self.txs.len() > MAX_BUNDLE_TXS {
            return Err(BundleError::Count(self.txs.len()));
        }
        match self
            .txs
            .iter()
            .find(|t| t.is_empty() || t.len() > MAX_TX_BYTES)
        {
            Some(t) => Err(BundleError::Entry(t.len())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_round_trip() {
        let bundle = TxBundle {
            txs: vec![vec![1, 2, 3], vec![4; 100]],
        };
        let bytes = bundle.encode().unwrap();
        assert_eq!(bytes, borsh::to_vec(&bundle).unwrap());
        assert_eq!(TxBundle::decode(&bytes).unwrap(), bundle);
    }

    #[test]
    fn bundle_limits() {
        let empty = TxBundle { txs: vec![] };
        assert_eq!(empty.encode(), Err(BundleError::Count(0)));
        let bytes = borsh::to_vec(&empty).unwrap();
        assert_eq!(TxBundle::decode(&bytes), Err(BundleError::Count(0)));
        let empty_entry = borsh::to_vec(&TxBundle { txs: vec![vec![]] }).unwrap();
        assert_eq!(TxBundle::decode(&empty_entry), Err(BundleError::Entry(0)));
        let many = borsh::to_vec(&TxBundle {
            txs: vec![vec![1]; MAX_BUNDLE_TXS + 1],
        })
        .unwrap();
        assert!(matches!(
            TxBundle::decode(&many),
            Err(BundleError::Count(_))
        ));
        let big = TxBundle {
            txs: vec![vec![1; MAX_TX_BYTES]; 2],
        };
        assert!(matches!(big.encode(), Err(BundleError::TooLarge(_))));
        let bytes = borsh::to_vec(&big).unwrap();
        assert!(matches!(
            TxBundle::decode(&bytes),
            Err(BundleError::TooLarge(_))
        ));
        let huge_entry = TxBundle {
            txs: vec![vec![1; MAX_TX_BYTES + 1]],
        };
        assert_eq!(
            huge_entry.encode(),
            Err(BundleError::Entry(MAX_TX_BYTES + 1))
        );
    }

    #[test]
    fn bundle_garbage_is_an_error() {
        assert!(matches!(
            TxBundle::decode(&[1, 0, 0, 0, 5, 0, 0, 0, 1]),
            Err(BundleError::Malformed(_))
        ));
        let mut bytes = borsh::to_vec(&TxBundle { txs: vec![vec![9]] }).unwrap();
        bytes.push(0);
        assert!(matches!(
            TxBundle::decode(&bytes),
            Err(BundleError::Malformed(_))
        ));
        // A length prefix claiming 2^32-1 entries in a few bytes.
        assert!(TxBundle::decode(&[0xff, 0xff, 0xff, 0xff, 1]).is_err());
    }
}
