//! PACT footprint ids for ledger attestations.
//!
//! PACT gives every footprint version its own UUID (`id`, v3: "any change ⇒
//! new id"); the ledger gives every attestation its transaction id. The
//! mapping is a pure function of the transaction id, so any node, and an
//! offline verifier holding only the entry, derives the same `id`:
//!
//! ```text
//! pf_id(tx) = UUIDv8( BLAKE3("tanji/pact-pf-id/v1" ‖ 0x00 ‖ tx)[0..16] )
//! ```
//!
//! with the version nibble set to 8 and the variant bits to `10`
//! (RFC 9562 §5.8, "custom" UUIDs). 122 bits of BLAKE3 output make
//! collisions between attestations negligible; the domain tag keeps these
//! ids apart from any other UUID the project derives.

use tanji_ledger::TxId;
use uuid::Uuid;

const DOMAIN: &[u8] = b"tanji/pact-pf-id/v1";

/// The PACT id of the attestation `tx`.
pub fn pf_id(tx: &TxId) -> Uuid {
    let mut h = blake3::Hasher::new();
    h.update(DOMAIN);
    h.update(&[0]);
    h.update(tx.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&h.finalize().as_bytes()[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// Parses a PACT id as PACT writes it (hyphenated UUID, any case).
pub fn parse_pf_id(s: &str) -> Option<Uuid> {
    if s.len() != 36 {
        return None;
    }
    Uuid::try_parse(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_custom_uuids_and_pinned() {
        let tx = TxId([7u8; 32]);
        let id = pf_id(&tx);
        assert_eq!(id.get_version_num(), 8);
        assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
        // Pinned: changing the derivation changes every served id.
        assert_eq!(id.to_string(), GOLDEN);
        assert_eq!(parse_pf_id(&id.to_string().to_uppercase()), Some(id));
        assert_ne!(pf_id(&TxId([8u8; 32])), id);
        assert_eq!(parse_pf_id("urn:gtin:1234"), None);
        assert_eq!(parse_pf_id("00000000000000000000000000000000"), None);
    }

    const GOLDEN: &str = "4eca9c6b-4c82-84da-92f7-352b34c81424";
}
