//! The range-sync protocol's libp2p codec: one frame per request and per
//! response, each a 4-byte big-endian length followed by that many bytes of
//! borsh (the frames and messages are `tanji_wire::p2p`'s, so that they
//! build without RocksDB for fuzzing; they are re-exported here).
//!
//! Limits are enforced before reading the body: a length over the limit is
//! an error at once, and the body buffer grows only as bytes actually arrive,
//! so a peer cannot make us allocate more than it sends (and never more than
//! the limit). A decoded response is also checked against
//! [`SyncResponse::check_limits`] (entry counts and sizes, proof lengths).
//!
//! Protocol violations (oversized frame, undecodable body, a response over
//! the limits) are [`FrameError`]s.
//! In a *request* they are not returned as errors: libp2p 0.56's
//! request-response behaviour drops `read_request` errors with a debug log
//! and never reports them, so the codec turns them into
//! [`WireRequest::Malformed`], which reaches the swarm like a request (with
//! its response channel): the swarm answers [`SyncResponse::Error`] and
//! penalises the sender. In a *response* they are `io::Error`s wrapping the
//! [`FrameError`] (reported as an outbound failure; [`is_violation`] tells
//! them from ordinary i/o errors such as the peer going away, which are not
//! penalised).

use std::io;

use async_trait::async_trait;
use futures::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;

use super::messages::{SyncRequest, SyncResponse};
pub use tanji_wire::p2p::frame::{
    decode, decode_request, decode_response, encode_frame, is_violation, read_frame, FrameError,
};

/// The range-sync protocol name.
pub const SYNC_PROTOCOL: StreamProtocol = StreamProtocol::new("/tanji/sync/1");

/// A request as read off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireRequest {
    /// A well-formed request.
    Valid(SyncRequest),
    /// A frame that broke the protocol (never written, only read).
    Malformed(String),
}

/// The request-response codec of `/tanji/sync/1`.
#[derive(Debug, Clone, Copy)]
pub struct SyncCodec {
    /// Largest request frame body.
    pub max_request: u64,
    /// Largest response frame body.
    pub max_response: u64,
}

#[async_trait]
impl libp2p::request_response::Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = WireRequest;
    type Response = SyncResponse;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<WireRequest>
    where
        T: AsyncRead + Unpin + Send,
    {
        let frame = read_frame(io, self.max_request).await;
        match frame.and_then(|body| decode_request(&body)) {
            Ok(request) => Ok(WireRequest::Valid(request)),
            Err(e) if is_violation(&e) => Ok(WireRequest::Malformed(e.to_string())),
            Err(e) => Err(e),
        }
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<SyncResponse>
    where
        T: AsyncRead + Unpin + Send,
    {
        decode_response(&read_frame(io, self.max_response).await?)
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: WireRequest,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        match req {
            WireRequest::Valid(req) => io.write_all(&encode_frame(&req, self.max_request)?).await,
            WireRequest::Malformed(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "refusing to send a malformed request",
            )),
        }
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: SyncResponse,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        io.write_all(&encode_frame(&res, self.max_response)?).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use libp2p::request_response::Codec as _;

    fn codec() -> SyncCodec {
        SyncCodec {
            max_request: 4096,
            max_response: 1 << 20,
        }
    }

    #[test]
    fn p2p_codec_round_trip() {
        block_on(async {
            let mut c = codec();
            let mut buf = Vec::new();
            let req = WireRequest::Valid(SyncRequest::Entries { start: 3, end: 7 });
            c.write_request(&SYNC_PROTOCOL, &mut buf, req.clone())
                .await
                .unwrap();
            let got = c.read_request(&SYNC_PROTOCOL, &mut &buf[..]).await.unwrap();
            assert_eq!(got, req);

            let mut buf = Vec::new();
            let res = SyncResponse::Entries(vec![vec![7; 1000]; 10]);
            c.write_response(&SYNC_PROTOCOL, &mut buf, res.clone())
                .await
                .unwrap();
            let got = c
                .read_response(&SYNC_PROTOCOL, &mut &buf[..])
                .await
                .unwrap();
            assert_eq!(got, res);
        });
    }

    #[test]
    fn p2p_codec_oversized_length_is_a_violation_without_reading() {
        block_on(async {
            let mut c = codec();
            // Claims 4 GiB, sends 3 bytes.
            let frame = [0xff, 0xff, 0xff, 0xff, 1, 2, 3];
            let got = c
                .read_request(&SYNC_PROTOCOL, &mut &frame[..])
                .await
                .unwrap();
            assert!(
                matches!(got, WireRequest::Malformed(ref e) if e.contains("larger")),
                "{got:?}"
            );
            let err = c
                .read_response(&SYNC_PROTOCOL, &mut &frame[..])
                .await
                .unwrap_err();
            assert!(is_violation(&err), "{err}");
        });
    }

    #[test]
    fn p2p_codec_garbage_is_a_violation() {
        block_on(async {
            let mut c = codec();
            let mut frame = 3u32.to_be_bytes().to_vec();
            frame.extend_from_slice(&[0x77, 0x01, 0x02]); // no such variant
            let got = c
                .read_request(&SYNC_PROTOCOL, &mut &frame[..])
                .await
                .unwrap();
            assert!(matches!(got, WireRequest::Malformed(_)), "{got:?}");
            // Trailing bytes after a valid request.
            let mut frame = encode_frame(&SyncRequest::Status, 4096).unwrap();
            frame[3] += 1;
            frame.push(0);
            let got = c
                .read_request(&SYNC_PROTOCOL, &mut &frame[..])
                .await
                .unwrap();
            assert!(matches!(got, WireRequest::Malformed(_)), "{got:?}");
            // Garbage in a response is an error.
            let mut frame = 3u32.to_be_bytes().to_vec();
            frame.extend_from_slice(&[0x77, 0x01, 0x02]);
            let err = c
                .read_response(&SYNC_PROTOCOL, &mut &frame[..])
                .await
                .unwrap_err();
            assert!(is_violation(&err), "{err}");
        });
    }

    #[test]
    fn p2p_codec_truncated_is_not_a_violation() {
        block_on(async {
            let mut c = codec();
            let frame = [0, 0, 0, 10, 1, 2];
            let err = c
                .read_request(&SYNC_PROTOCOL, &mut &frame[..])
                .await
                .unwrap_err();
            assert!(!is_violation(&err));
            assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        });
    }

    #[test]
    fn p2p_codec_refuses_to_write_oversized() {
        block_on(async {
            let mut c = SyncCodec {
                max_request: 4096,
                max_response: 100,
            };
            let mut buf = Vec::new();
            let res = SyncResponse::Entries(vec![vec![0; 200]]);
            assert!(c
                .write_response(&SYNC_PROTOCOL, &mut buf, res)
                .await
                .is_err());
            let req = WireRequest::Malformed("x".into());
            assert!(c
                .write_request(&SYNC_PROTOCOL, &mut buf, req)
                .await
                .is_err());
            assert!(buf.is_empty());
        });
    }

    #[test]
    fn p2p_codec_response_over_limits_is_a_violation() {
        block_on(async {
            let mut c = codec();
            // 1001 entries: more than any request may ask for.
            let res = SyncResponse::Entries(vec![vec![1]; 1001]);
            let frame = encode_frame(&res, 1 << 20).unwrap();
            let err = c
                .read_response(&SYNC_PROTOCOL, &mut &frame[..])
                .await
                .unwrap_err();
            assert!(is_violation(&err), "{err}");
        });
    }
}
