//! What a PACT host parses from partners before anything else: the v2
//! `$filter` expression, `Authorization` headers (Basic and Bearer), bearer
//! tokens, events (both versions) and their `source`. None may panic; a token
//! never verifies without the key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_pact::auth::{parse_basic, parse_bearer, verify_token};
use tanji_pact::events::{callback_base, parse_event};
use tanji_pact::odata::ODataFilter;

fuzz_target!(|data: &[u8]| {
    for version in [2, 3] {
        let _ = parse_event(version, data);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ODataFilter::parse(text);
    let _ = callback_base(text, true);
    let _ = parse_basic(text);
    if let Ok(token) = parse_bearer(text) {
        assert!(verify_token(&[7; 32], token, 0).is_err());
    }
    assert!(verify_token(&[7; 32], text, 0).is_err());
});
