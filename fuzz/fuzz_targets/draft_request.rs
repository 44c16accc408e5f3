//! The bodies of the drafting routes (`POST /v1/footprints/compute` and
//! `/prepare`, what the web platform's calculator sends): the request JSON,
//! then the model inside it as the route parses it. None may panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_api_types::draft::{ComputeRequest, PrepareRequest};
use tanji_authoring::model::Model;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = serde_json::from_slice::<ComputeRequest>(data) {
        let _ = Model::from_json(&req.model.to_string());
    }
    if let Ok(req) = serde_json::from_slice::<PrepareRequest>(data) {
        let _ = Model::from_json(&req.model.to_string());
    }
});
