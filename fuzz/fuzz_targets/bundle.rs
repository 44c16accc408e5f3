//! Offline verification bundles (what a carbon label's QR code resolves to).
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_ledger::bundle::InclusionBundle;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(b) = InclusionBundle::from_json(text) {
        let _ = b.verify(None);
    }
});
