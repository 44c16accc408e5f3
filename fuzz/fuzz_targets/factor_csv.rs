//! Factor database CSV imports.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_authoring::csv_import::{import_csv, ImportOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(report) = import_csv(text, &ImportOptions::default()) {
        for (_, record) in &report.records {
            // Everything an import produces must pass the ledger's own form check.
            assert!(
                tanji_ledger::carbon::form::check_factor(record).is_ok(),
                "{record:?}"
            );
        }
    }
});
