//! A node's libp2p identity is its Tanji node key.
//!
//! The same ed25519 key that is registered on the ledger (genesis, then
//! governance transactions) is the libp2p identity, so the PeerId of every
//! registered node can be computed from the ledger alone.

use libp2p::identity::{ed25519, Keypair};
use libp2p::PeerId;
use tanji_ledger::crypto::PublicKey;

use super::P2pError;

/// The libp2p keypair for a Tanji node key, given its 32-byte ed25519 seed
/// ([`tanji_ledger::crypto::SecretKey::seed`]).
pub fn keypair_from_seed(seed: &[u8; 32]) -> Keypair {
    // `try_from_bytes` wipes the copy it is given.
    let mut copy = *seed;
    match ed25519::SecretKey::try_from_bytes(&mut copy) {
        Ok(secret) => Keypair::from(ed25519::Keypair::from(secret)),
        // Only a length other than 32 is refused, which the type rules out.
        Err(_) => unreachable!("an ed25519 seed of 32 bytes is always accepted"),
    }
}

/// The PeerId of the node whose node key is `key`.
///
/// Fails if the bytes are not a valid ed25519 point (a key the ledger would
/// not have registered).
pub fn peer_id_of(key: &PublicKey) -> Result<PeerId, P2pError> {
    let public = ed25519::PublicKey::try_from_bytes(&key.0)
        .map_err(|e| P2pError::InvalidKey(e.to_string()))?;
    Ok(libp2p::identity::PublicKey::from(public).to_peer_id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanji_ledger::crypto::SecretKey;

    #[test]
    fn p2p_peer_id_from_public_key_matches_keypair() {
        let sk = SecretKey::from_seed(&[7u8; 32]);
        let kp = keypair_from_seed(&sk.seed());
        assert_eq!(peer_id_of(&sk.public()).unwrap(), kp.public().to_peer_id());
        // The libp2p public key is the ledger public key.
        let ed = kp.public().try_into_ed25519().unwrap();
        assert_eq!(ed.to_bytes(), sk.public().0);
    }

    #[test]
    fn p2p_distinct_keys_distinct_peer_ids() {
        let a = SecretKey::from_seed(&[1u8; 32]).public();
        let b = SecretKey::from_seed(&[2u8; 32]).public();
        assert_ne!(peer_id_of(&a).unwrap(), peer_id_of(&b).unwrap());
    }

    #[test]
    fn p2p_invalid_public_key_is_an_error() {
        // Not a point on the curve (y = 2 has no valid x).
        let mut bytes = [0u8; 32];
        bytes[0] = 2;
        let res = peer_id_of(&PublicKey(bytes));
        assert!(res.is_err(), "{res:?}");
    }
}
