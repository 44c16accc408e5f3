//! Sealed envelopes as nodes receive them (POST bodies, peers) and the sealed
//! content inside them once opened. Whatever decodes must re-encode to exactly
//! the same bytes (one encoding per value); opening garbage must fail cleanly.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_ledger::crypto::EncryptionSecret;
use tanji_ledger::ids::{OrgId, TxId};
use tanji_ledger::sealed::{open, Envelope, EnvelopeBinding, EnvelopeHash, Purpose, SealedContent};

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = Envelope::from_bytes(data) {
        assert_eq!(envelope.to_bytes(), data, "envelope bytes not kept");
        assert_eq!(envelope.hash(), EnvelopeHash::of_bytes(data));
        let binding = EnvelopeBinding {
            network: "fuzz".into(),
            footprint: TxId([1; 32]),
            sender: OrgId([2; 16]),
            recipient: OrgId([3; 16]),
            purpose: Purpose::Opening,
        };
        let secret = EncryptionSecret::from_bytes([4; 32]);
        assert!(
            open(&secret, &binding, &envelope).is_err(),
            "forged envelope opened"
        );
    }
    if let Ok(content) = SealedContent::from_bytes(data) {
        assert_eq!(
            &content.to_bytes()[..],
            data,
            "non-canonical content accepted"
        );
        assert!(content.check().is_ok());
        let again = SealedContent::from_bytes(&content.to_bytes());
        assert!(
            again.as_ref() == Ok(&content),
            "content does not round-trip"
        );
    }
});
