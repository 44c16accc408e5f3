//! POST /v1/tx with a JSON body.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_ledger::tx::SignedTx;

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = serde_json::from_slice::<SignedTx>(data) {
        let _ = tx.check_form();
    }
});
