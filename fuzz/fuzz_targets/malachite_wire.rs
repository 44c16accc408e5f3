//! Malachite's messages as Tanji encodes them (`TanjiCodec`): consensus
//! votes and proposals, liveness messages, proposal parts and their stream
//! messages from peers, certificates, validator proofs, value-sync status,
//! requests and responses, decided values, and WAL records. The bytes are
//! offered to every message kind (each checks its version and kind bytes
//! first); whatever decodes must re-encode to exactly the same bytes, and a
//! sync response's `encoded_len` must be its encoding's length.
#![no_main]
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use malachitebft_app_channel::app::consensus::LivenessMsg;
use malachitebft_app_channel::app::streaming::StreamMessage;
use malachitebft_app_channel::app::types::codec::{Codec, HasEncodedLen};
use malachitebft_app_channel::app::types::core::{
    CommitCertificate, ExtendedCommitCertificate, PolkaCertificate, RoundCertificate,
    ValidatorProof,
};
use malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use malachitebft_app_channel::app::types::{ProposedValue, SignedConsensusMsg};
use tanji_wire::bft::{ProposalPart, TanjiCodec, TanjiContext};

fn round_trip<T>(data: &Bytes) -> Option<T>
where
    TanjiCodec: Codec<T>,
    <TanjiCodec as Codec<T>>::Error: std::fmt::Debug,
{
    let msg = Codec::<T>::decode(&TanjiCodec, data.clone()).ok()?;
    let encoded = Codec::<T>::encode(&TanjiCodec, &msg).expect("a decoded message re-encodes");
    assert_eq!(encoded, *data, "non-canonical encoding accepted");
    Some(msg)
}

fuzz_target!(|data: &[u8]| {
    let data = Bytes::copy_from_slice(data);
    round_trip::<SignedConsensusMsg<TanjiContext>>(&data);
    round_trip::<LivenessMsg<TanjiContext>>(&data);
    round_trip::<ProposalPart>(&data);
    round_trip::<StreamMessage<ProposalPart>>(&data);
    round_trip::<ValidatorProof<TanjiContext>>(&data);
    round_trip::<ProposedValue<TanjiContext>>(&data);
    round_trip::<PolkaCertificate<TanjiContext>>(&data);
    round_trip::<RoundCertificate<TanjiContext>>(&data);
    round_trip::<CommitCertificate<TanjiContext>>(&data);
    round_trip::<ExtendedCommitCertificate<TanjiContext>>(&data);
    round_trip::<Status<TanjiContext>>(&data);
    round_trip::<Request<TanjiContext>>(&data);
    round_trip::<RawDecidedValue<TanjiContext>>(&data);
    if let Some(response) = round_trip::<Response<TanjiContext>>(&data) {
        let len = HasEncodedLen::<Response<TanjiContext>>::encoded_len(&TanjiCodec, &response)
            .expect("a decoded response has a length");
        assert_eq!(len, data.len(), "encoded_len disagrees with the encoding");
    }
});
