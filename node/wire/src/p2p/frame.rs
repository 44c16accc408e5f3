//! The range-sync frame: one per request and per response, each a 4-byte
//! big-endian length followed by that many bytes of borsh.
//!
//! Limits are enforced before reading the body: a length over the limit is
//! an error at once, and the body buffer grows only as bytes actually arrive,
//! so a peer cannot make us allocate more than it sends (and never more than
//! the limit). Bodies decode canonically (borsh, trailing bytes refused), so
//! a frame that decodes re-encodes to the same bytes.
//!
//! Protocol violations (oversized frame, undecodable body, a response over
//! [`SyncResponse::check_limits`]) are `io::Error`s of kind `InvalidData`
//! wrapping a [`FrameError`]; [`is_violation`] tells them from ordinary i/o
//! errors such as the peer going away (which are not the peer's fault).

use std::io;

use borsh::{BorshDeserialize, BorshSerialize};
use futures::io::{AsyncRead, AsyncReadExt};

use super::messages::{SyncRequest, SyncResponse};

/// A frame that breaks the protocol.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The announced length is over the limit.
    #[error("frame of {len} bytes is larger than the limit of {max}")]
    TooLarge {
        /// Announced length.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// The body is not a valid encoding of the message.
    #[error("undecodable message: {0}")]
    Decode(String),
    /// The message decoded but is over a count or length limit.
    #[error("message over the limits: {0}")]
    Limit(String),
}

fn violation(e: FrameError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// Whether an error from the codec is the peer's fault (a [`FrameError`]).
pub fn is_violation(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<FrameError>())
}

/// Encodes `msg` as a frame, failing if it is longer than `max`.
pub fn encode_frame<M: BorshSerialize>(msg: &M, max: u64) -> io::Result<Vec<u8>> {
    let body = borsh::to_vec(msg)?;
    let len = body.len() as u64;
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("message of {len} bytes is larger than the limit of {max}"),
        ));
    }
    let len = u32::try_from(len)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message too large"))?;
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(&body);
    Ok(frame)
}

/// Reads one frame's body (at most `max` bytes).
pub async fn read_frame<T: AsyncRead + Unpin + Send>(io: &mut T, max: u64) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u64::from(u32::from_be_bytes(len));
    if len > max {
        return Err(violation(FrameError::TooLarge { len, max }));
    }
    let mut body = Vec::new();
    (&mut *io).take(len).read_to_end(&mut body).await?;
    if body.len() as u64 != len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "truncated frame",
        ));
    }
    Ok(body)
}

/// Decodes a frame's body; trailing bytes are an error.
pub fn decode<M: BorshDeserialize>(body: &[u8]) -> io::Result<M> {
    borsh::from_slice(body).map_err(|e| violation(FrameError::Decode(e.to_string())))
}

/// Decodes a request's body. Whether the request is within the protocol's
/// limits is [`SyncRequest::validate`]'s question (a separate offence).
pub fn decode_request(body: &[u8]) -> io::Result<SyncRequest> {
    decode(body)
}

/// Decodes a response's body and checks [`SyncResponse::check_limits`].
pub fn decode_response(body: &[u8]) -> io::Result<SyncResponse> {
    let response: SyncResponse = decode(body)?;
    response
        .check_limits()
        .map_err(|e| violation(FrameError::Limit(e)))?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    #[test]
    fn p2p_frame_round_trip() {
        let req = SyncRequest::Entries { start: 3, end: 7 };
        let frame = encode_frame(&req, 4096).unwrap();
        let body = block_on(read_frame(&mut &frame[..], 4096)).unwrap();
        assert_eq!(decode_request(&body).unwrap(), req);
        let res = SyncResponse::Entries(vec![vec![7; 1000]; 10]);
        let frame = encode_frame(&res, 1 << 20).unwrap();
        let body = block_on(read_frame(&mut &frame[..], 1 << 20)).unwrap();
        assert_eq!(decode_response(&body).unwrap(), res);
    }

    #[test]
    fn p2p_frame_oversized_length_is_a_violation_without_reading() {
        // Claims 4 GiB, sends 3 bytes.
        let frame = [0xff, 0xff, 0xff, 0xff, 1, 2, 3];
        let err = block_on(read_frame(&mut &frame[..], 4096)).unwrap_err();
        assert!(is_violation(&err), "{err}");
    }

    #[test]
    fn p2p_frame_truncated_is_not_a_violation() {
        let frame = [0, 0, 0, 10, 1, 2];
        let err = block_on(read_frame(&mut &frame[..], 4096)).unwrap_err();
        assert!(!is_violation(&err));
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn p2p_frame_garbage_and_trailing_bytes_are_violations() {
        assert!(is_violation(&decode_request(&[0x77, 1, 2]).unwrap_err()));
        let mut body = borsh::to_vec(&SyncRequest::Status).unwrap();
        body.push(0);
        assert!(is_violation(&decode_request(&body).unwrap_err()));
        assert!(is_violation(&decode_response(&[0x77]).unwrap_err()));
    }

    #[test]
    fn p2p_frame_response_over_limits_is_a_violation() {
        let res = SyncResponse::Entries(vec![vec![1]; 1001]);
        let err = decode_response(&borsh::to_vec(&res).unwrap()).unwrap_err();
        assert!(is_violation(&err), "{err}");
    }

    #[test]
    fn p2p_frame_lying_vec_length_does_not_allocate() {
        // A response claiming 2^32-1 entries inside a small body fails to
        // decode quickly (borsh caps pre-allocation).
        let mut body = vec![0u8]; // variant Entries
        body.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(is_violation(&decode_response(&body).unwrap_err()));
    }

    #[test]
    fn p2p_frame_refuses_to_encode_oversized() {
        let res = SyncResponse::Entries(vec![vec![0; 200]]);
        assert!(encode_frame(&res, 100).is_err());
    }
}
