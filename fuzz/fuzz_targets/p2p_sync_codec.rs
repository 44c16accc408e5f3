//! Range-sync frames from peers (`/tanji/sync/1`), as the node's
//! request-response codec reads them: a 4-byte length, then a borsh
//! `SyncRequest` (limit 4 KiB) or `SyncResponse` (limit 16 MiB, counts
//! checked). The first input byte picks request or response and whether the
//! rest is a framed stream or a bare body. Whatever decodes must re-encode
//! to exactly the bytes it was read from.
#![no_main]
use futures::executor::block_on;
use libfuzzer_sys::fuzz_target;
use tanji_wire::p2p::frame::{decode_request, decode_response, encode_frame, read_frame};

/// The swarm's default limits (`P2pConfig::new`).
const MAX_REQUEST: u64 = 4 * 1024;
const MAX_RESPONSE: u64 = 16 * 1024 * 1024;

fn check(response: bool, body: &[u8], max: u64, frame: Option<&[u8]>) {
    let encoded = if response {
        decode_response(body).ok().map(|r| encode_frame(&r, max))
    } else {
        decode_request(body).ok().map(|r| {
            let _ = r.validate();
            encode_frame(&r, max)
        })
    };
    let Some(encoded) = encoded else { return };
    let encoded = encoded.expect("a decoded message re-encodes within the limit");
    assert_eq!(&encoded[4..], body, "non-canonical body accepted");
    if let Some(frame) = frame {
        assert_eq!(encoded, frame, "frame does not re-encode to itself");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let response = mode & 1 == 1;
    let max = if response { MAX_RESPONSE } else { MAX_REQUEST };
    if mode & 2 == 0 {
        let mut stream = rest;
        if let Ok(body) = block_on(read_frame(&mut stream, max)) {
            assert!(body.len() as u64 <= max);
            let consumed = &rest[..rest.len() - stream.len()];
            check(response, &body, max, Some(consumed));
        }
    } else if rest.len() as u64 <= max {
        check(response, rest, max, None);
    }
});
