//! [`TanjiCodec`]: the one codec Malachite's network, sync and WAL use.
//!
//! Every encoding is `[VERSION, kind] ‖ borsh(wire mirror)` (see
//! [`super::wire`]). The version byte lets a later format coexist; the kind
//! byte makes bytes of one message type undecodable as another. Decoding
//! untrusted bytes checks the kind's size limit **before** parsing, refuses
//! trailing bytes (borsh is canonical, so one value has one encoding), and
//! returns an error, never panics. Encoding refuses to produce a message
//! over its limit.

use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use malachitebft_app_channel::app::consensus::LivenessMsg;
use malachitebft_app_channel::app::streaming::StreamMessage;
use malachitebft_app_channel::app::types::codec::{Codec, HasEncodedLen};
use malachitebft_app_channel::app::types::core::{
    CommitCertificate, ExtendedCommitCertificate, PolkaCertificate, RoundCertificate,
    ValidatorProof,
};
use malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use malachitebft_app_channel::app::types::{ProposedValue, SignedConsensusMsg};

use super::context::TanjiContext;
use super::limits::{MAX_BATCH_BYTES, MAX_PART_BYTES};
use super::types::ProposalPart;
use super::wire::*;

/// The format version every encoding starts with.
pub const VERSION: u8 = 1;

/// Largest encoded vote or proposal (a vote may carry a 1 KiB extension).
pub const MAX_CONSENSUS_MSG_BYTES: usize = 4 * 1024;
/// Largest encoded certificate or liveness message (256 validators, each
/// with a signature and possibly a 1 KiB extension).
pub const MAX_CERTIFICATE_BYTES: usize = 512 * 1024;
/// Largest encoded proposal part or stream message.
pub const MAX_STREAM_MSG_BYTES: usize = MAX_PART_BYTES + 1024;
/// Largest encoded validator proof.
pub const MAX_PROOF_BYTES: usize = 1024;
/// Largest encoded proposed value (WAL).
pub const MAX_PROPOSED_VALUE_BYTES: usize = 256;
/// Largest encoded sync status.
pub const MAX_STATUS_BYTES: usize = 256;
/// Largest encoded sync request.
pub const MAX_REQUEST_BYTES: usize = 64;
/// Largest encoded decided value (a full batch and its certificate).
pub const MAX_DECIDED_VALUE_BYTES: usize = MAX_BATCH_BYTES + MAX_CERTIFICATE_BYTES + 64;
/// Largest encoded sync response. Malachite's `value_sync.max_response_size`
/// (10 MiB by default) and `rpc_max_size` bound it first in practice.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Why bytes could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// More bytes than the limit for this kind of message.
    #[error("{kind} of {len} bytes, more than the limit of {limit}")]
    TooLarge {
        /// Message kind.
        kind: &'static str,
        /// Its size.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// Fewer than the two header bytes.
    #[error("message too short")]
    Truncated,
    /// An unknown format version.
    #[error("unsupported format version {0}")]
    Version(u8),
    /// Bytes of another kind of message.
    #[error("expected a {expected} message, got kind {got}")]
    Kind {
        /// The kind being decoded.
        expected: &'static str,
        /// The kind byte found.
        got: u8,
    },
    /// Not a canonical borsh encoding of the mirror.
    #[error("malformed {kind}: {detail}")]
    Malformed {
        /// Message kind.
        kind: &'static str,
        /// Borsh's complaint.
        detail: String,
    },
    /// Decoded, but a field is out of range.
    #[error("invalid message: {0}")]
    Invalid(String),
}

/// Borsh-based codec for every message Malachite exchanges or logs.
#[derive(Clone, Copy, Debug, Default)]
pub struct TanjiCodec;

struct Kind {
    tag: u8,
    name: &'static str,
    limit: usize,
}

const PROPOSAL_PART: Kind = Kind {
    tag: 1,
    name: "proposal part",
    limit: MAX_STREAM_MSG_BYTES,
};
const CONSENSUS_MSG: Kind = Kind {
    tag: 2,
    name: "consensus message",
    limit: MAX_CONSENSUS_MSG_BYTES,
};
const LIVENESS_MSG: Kind = Kind {
    tag: 3,
    name: "liveness message",
    limit: MAX_CERTIFICATE_BYTES,
};
const STREAM_MSG: Kind = Kind {
    tag: 4,
    name: "stream message",
    limit: MAX_STREAM_MSG_BYTES,
};
const VALIDATOR_PROOF: Kind = Kind {
    tag: 5,
    name: "validator proof",
    limit: MAX_PROOF_BYTES,
};
const PROPOSED_VALUE: Kind = Kind {
    tag: 6,
    name: "proposed value",
    limit: MAX_PROPOSED_VALUE_BYTES,
};
const POLKA_CERT: Kind = Kind {
    tag: 7,
    name: "polka certificate",
    limit: MAX_CERTIFICATE_BYTES,
};
const ROUND_CERT: Kind = Kind {
    tag: 8,
    name: "round certificate",
    limit: MAX_CERTIFICATE_BYTES,
};
const COMMIT_CERT: Kind = Kind {
    tag: 9,
    name: "commit certificate",
    limit: MAX_CERTIFICATE_BYTES,
};
const EXT_COMMIT_CERT: Kind = Kind {
    tag: 10,
    name: "extended commit certificate",
    limit: MAX_CERTIFICATE_BYTES,
};
const SYNC_STATUS: Kind = Kind {
    tag: 11,
    name: "sync status",
    limit: MAX_STATUS_BYTES,
};
const SYNC_REQUEST: Kind = Kind {
    tag: 12,
    name: "sync request",
    limit: MAX_REQUEST_BYTES,
};
const SYNC_RESPONSE: Kind = Kind {
    tag: 13,
    name: "sync response",
    limit: MAX_RESPONSE_BYTES,
};
const DECIDED_VALUE: Kind = Kind {
    tag: 14,
    name: "decided value",
    limit: MAX_DECIDED_VALUE_BYTES,
};

fn encode_as<W: BorshSerialize>(kind: &Kind, wire: &W) -> Result<Bytes, CodecError> {
    let mut out = vec![VERSION, kind.tag];
    wire.serialize(&mut out)
        .map_err(|e| CodecError::Malformed {
            kind: kind.name,
            detail: e.to_string(),
        })?;
    if out.len() > kind.limit {
        return Err(CodecError::TooLarge {
            kind: kind.name,
            len: out.len(),
            limit: kind.limit,
        });
    }
    Ok(Bytes::from(out))
}

fn decode_as<W: BorshDeserialize>(kind: &Kind, bytes: &[u8]) -> Result<W, CodecError> {
    if bytes.len() > kind.limit {
        return Err(CodecError::TooLarge {
            kind: kind.name,
            len: bytes.len(),
            limit: kind.limit,
        });
    }
    let [version, tag, body @ ..] = bytes else {
        return Err(CodecError::Truncated);
    };
    if *version != VERSION {
        return Err(CodecError::Version(*version));
    }
    if *tag != kind.tag {
        return Err(CodecError::Kind {
            expected: kind.name,
            got: *tag,
        });
    }
    borsh::from_slice(body).map_err(|e| CodecError::Malformed {
        kind: kind.name,
        detail: e.to_string(),
    })
}

/// Implements `Codec<$ty>` through the wire mirror `$wire`, converting back
/// with `TryFrom` (`try`) or `From` (`from`).
macro_rules! wire_codec {
    ($ty:ty, $wire:ty, $kind:expr, try) => {
        impl Codec<$ty> for TanjiCodec {
            type Error = CodecError;

            fn decode(&self, bytes: Bytes) -> Result<$ty, CodecError> {
                let wire: $wire = decode_as(&$kind, &bytes)?;
                <$ty>::try_from(wire)
            }

            fn encode(&self, msg: &$ty) -> Result<Bytes, CodecError> {
                encode_as(&$kind, &<$wire>::from(msg))
            }
        }
    };
    ($ty:ty, $wire:ty, $kind:expr, from) => {
        impl Codec<$ty> for TanjiCodec {
            type Error = CodecError;

            fn decode(&self, bytes: Bytes) -> Result<$ty, CodecError> {
                let wire: $wire = decode_as(&$kind, &bytes)?;
                Ok(<$ty>::from(wire))
            }

            fn encode(&self, msg: &$ty) -> Result<Bytes, CodecError> {
                encode_as(&$kind, &<$wire>::from(msg))
            }
        }
    };
}

wire_codec!(ProposalPart, WireProposalPart, PROPOSAL_PART, try);
wire_codec!(
    SignedConsensusMsg<TanjiContext>,
    WireConsensusMsg,
    CONSENSUS_MSG,
    try
);
wire_codec!(
    LivenessMsg<TanjiContext>,
    WireLivenessMsg,
    LIVENESS_MSG,
    try
);
wire_codec!(
    StreamMessage<ProposalPart>,
    WireStreamMessage,
    STREAM_MSG,
    try
);
wire_codec!(
    ValidatorProof<TanjiContext>,
    WireValidatorProof,
    VALIDATOR_PROOF,
    try
);
wire_codec!(
    ProposedValue<TanjiContext>,
    WireProposedValue,
    PROPOSED_VALUE,
    from
);
wire_codec!(
    PolkaCertificate<TanjiContext>,
    WirePolkaCertificate,
    POLKA_CERT,
    try
);
wire_codec!(
    RoundCertificate<TanjiContext>,
    WireRoundCertificate,
    ROUND_CERT,
    try
);
wire_codec!(
    CommitCertificate<TanjiContext>,
    WireCommitCertificate,
    COMMIT_CERT,
    try
);
wire_codec!(
    ExtendedCommitCertificate<TanjiContext>,
    WireExtendedCommitCertificate,
    EXT_COMMIT_CERT,
    try
);
wire_codec!(Status<TanjiContext>, WireStatus, SYNC_STATUS, try);
wire_codec!(Request<TanjiContext>, WireRequest, SYNC_REQUEST, from);
wire_codec!(Response<TanjiContext>, WireResponse, SYNC_RESPONSE, try);
wire_codec!(
    RawDecidedValue<TanjiContext>,
    WireRawDecidedValue,
    DECIDED_VALUE,
    try
);

impl HasEncodedLen<Response<TanjiContext>> for TanjiCodec {
    fn encoded_len(&self, msg: &Response<TanjiContext>) -> Result<usize, CodecError> {
        let wire = WireResponse::from(msg);
        let len = 2 + borsh::object_length(&wire).map_err(|e| CodecError::Malformed {
            kind: SYNC_RESPONSE.name,
            detail: e.to_string(),
        })?;
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed<W: BorshSerialize>(kind: &Kind, wire: &W) -> Bytes {
        let mut out = vec![VERSION, kind.tag];
        wire.serialize(&mut out).unwrap();
        Bytes::from(out)
    }

    fn cert(signatures: usize) -> WireCommitCertificate {
        WireCommitCertificate {
            height: 1,
            round: Some(0),
            value_id: [1; 32],
            signatures: vec![
                WireAddressSignature {
                    address: [2; 32],
                    signature: [3; 64],
                };
                signatures
            ],
        }
    }

    #[test]
    fn certificate_signature_counts_are_limited() {
        let ok = framed(&COMMIT_CERT, &cert(MAX_CERTIFICATE_SIGNATURES));
        let decoded = Codec::<CommitCertificate<TanjiContext>>::decode(&TanjiCodec, ok.clone());
        assert_eq!(
            Codec::<CommitCertificate<TanjiContext>>::encode(&TanjiCodec, &decoded.unwrap()),
            Ok(ok)
        );
        let over = cert(MAX_CERTIFICATE_SIGNATURES + 1);
        let got = Codec::<CommitCertificate<TanjiContext>>::decode(
            &TanjiCodec,
            framed(&COMMIT_CERT, &over),
        );
        assert!(matches!(got, Err(CodecError::Invalid(_))), "{got:?}");
        let got = Codec::<PolkaCertificate<TanjiContext>>::decode(
            &TanjiCodec,
            framed(&POLKA_CERT, &over),
        );
        assert!(matches!(got, Err(CodecError::Invalid(_))), "{got:?}");
    }

    #[test]
    fn kinds_versions_and_limits_are_checked_first() {
        let bytes = framed(&COMMIT_CERT, &cert(1));
        let got = Codec::<PolkaCertificate<TanjiContext>>::decode(&TanjiCodec, bytes.clone());
        assert_eq!(
            got.err(),
            Some(CodecError::Kind {
                expected: POLKA_CERT.name,
                got: COMMIT_CERT.tag
            })
        );
        let got = Codec::<Request<TanjiContext>>::decode(&TanjiCodec, Bytes::from(vec![1u8; 65]));
        assert!(matches!(got, Err(CodecError::TooLarge { .. })), "{got:?}");
        let got = Codec::<Request<TanjiContext>>::decode(&TanjiCodec, Bytes::from_static(&[1]));
        assert_eq!(got.err(), Some(CodecError::Truncated));
        let got = Codec::<Request<TanjiContext>>::decode(&TanjiCodec, Bytes::from_static(&[9, 12]));
        assert_eq!(got.err(), Some(CodecError::Version(9)));
    }

    #[test]
    fn oversized_decided_values_are_refused() {
        let value = WireRawDecidedValue {
            value_bytes: vec![0; MAX_BATCH_BYTES + 1],
            certificate: WireExtendedCommitCertificate {
                height: 1,
                round: Some(0),
                value_id: [0; 32],
                signatures: vec![],
            },
        };
        let got = Codec::<RawDecidedValue<TanjiContext>>::decode(
            &TanjiCodec,
            framed(&DECIDED_VALUE, &value),
        );
        assert!(matches!(got, Err(CodecError::Invalid(_))), "{got:?}");
    }
}
