//! Footprint model files (TOML and JSON) and product rule files.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_authoring::model::Model;
use tanji_authoring::rule_file::parse_rule_toml;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Model::from_toml(text);
    let _ = Model::from_json(text);
    let _ = parse_rule_toml(text);
});
