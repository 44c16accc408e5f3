//! Certificate bundles (what a carbon label's verification page offers for download).
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_ledger::bundle::CertificateBundle;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(b) = CertificateBundle::from_json(text) {
        let _ = b.verify(None);
    }
});
