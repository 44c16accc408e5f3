//! Log entries and POST /v1/tx bodies: borsh-decoded SignedTx. Whatever decodes
//! must re-encode to exactly the same bytes (one encoding per value).
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_ledger::tx::SignedTx;

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = SignedTx::decode(data) {
        assert_eq!(tx.encode(), data, "non-canonical encoding accepted");
        let _ = tx.id();
    }
});
