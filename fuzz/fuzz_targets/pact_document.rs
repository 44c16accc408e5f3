//! PACT documents checked by `tanji verify pact`: parsing, the proof
//! extension, inclusion proofs and the field-by-field comparison.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_pact::verify::{parse_document, verify_document};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(doc) = parse_document(text) {
        let _ = verify_document(&doc, None);
    }
});
