//! PACT documents from partners: checked by `tanji verify pact` (parsing,
//! the proof extension, inclusion proofs, the field-by-field comparison)
//! and imported by `tanji pact import` (every field read and checked). An
//! import that succeeds yields an attestation the ledger's form check
//! accepts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_pact::import::declare;
use tanji_pact::verify::{parse_document, verify_document};

fuzz_target!(|data: &[u8]| {
    if let Ok(imported) = declare(data, None) {
        assert!(tanji_ledger::carbon::compute::check_form(&imported.attestation).is_ok());
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(doc) = parse_document(text) {
        let _ = verify_document(&doc, None);
    }
});
