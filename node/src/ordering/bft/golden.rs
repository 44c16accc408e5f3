//! Golden bytes of the consensus records: the exact encodings of votes,
//! proposals, proposal parts, commit certificates and the ledger's
//! [`DecidedRecord`], built from fixed seeds, heights, rounds and values and
//! compared byte for byte with hex constants (as the ledger does for
//! transactions in `ledger/src/tx/tests.rs`).
//!
//! A decision record stores a batch in its canonical encoding and the
//! extended commit certificate in [`TanjiCodec`]'s encoding, and the
//! certificate's signatures cover the vote preimages of [`super::signing`].
//! So a change of any of these bytes is a **format change that needs a
//! decision**, never an accident: it breaks the `DecidedRecord`s already
//! stored (their `certificate` and `batch` fields no longer decode, or their
//! signatures no longer verify) and what peers serve each other in sync.
//!
//! # Determinism
//!
//! Every encoding pinned here is a pure function of its input: keys derive
//! from fixed seeds (`SecretKey::from_seed(&[seed; 32])`, the convention of
//! `tanji_ledger::testkit`), ed25519 signing is deterministic (RFC 8032: the
//! nonce derives from the key and the message, no randomness), borsh has
//! one encoding per value, and the wire mirrors hold no maps (signatures
//! travel in a `Vec`, in the certificate's order).
//!
//! What is not deterministic in a running network, and so not pinned as
//! "what every node stores":
//! - **Which precommits a certificate holds.** A node decides once it has
//!   2f+1 matching precommits, so two nodes (or two runs) may store
//!   certificates with different sets of signatures for the same height;
//!   the decided batch and its id are the same everywhere. The order within
//!   a certificate is fixed: Malachite sorts an extended certificate's
//!   signatures by address (tested below); a plain `CommitCertificate`
//!   keeps the order it was built in.
//! - **The stream nonce** in a proposal's stream id: a per-process counter
//!   (`app.rs`), so re-streams differ between runs. Stream messages are
//!   pinned with a fixed nonce; they are never stored.

use bytes::Bytes;
use malachitebft_app_channel::app::streaming::StreamMessage;
use malachitebft_app_channel::app::types::codec::Codec;
use malachitebft_app_channel::app::types::core::Vote as _;
use malachitebft_app_channel::app::types::core::{
    CommitCertificate, Context, ExtendedCommitCertificate, NilOrVal, Round, SignedMessage,
    VoteExtensionScope, VoteExtensions,
};
use malachitebft_app_channel::app::types::sync::RawDecidedValue;
use malachitebft_app_channel::app::types::SignedConsensusMsg;
use tanji_ledger::crypto::SecretKey;
use tanji_ledger::encoding;
use tanji_ledger::store::DecidedRecord;

use super::batch::{stream_id, stream_messages, Batch};
use super::codec::{CodecError, TanjiCodec};
use super::signing::{vote_signing_bytes, TanjiSigner, TanjiVerifier};
use super::types::{Address, BatchId, Height, ProposalPart, Vote};
use super::TanjiContext;

/// The testkit's network name.
const NET: &str = "test.tanji.local";

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

fn addr(seed: u8) -> Address {
    Address::from(key(seed).public())
}

fn signer(seed: u8) -> TanjiSigner {
    TanjiSigner::new(NET, key(seed))
}

/// Asserts `bytes` are `golden` (hex) and names what changed if not.
fn check(what: &str, bytes: &[u8], golden: &str) {
    assert_eq!(
        hex::encode(bytes),
        golden,
        "{what}: the encoding changed; a format change needs a decision (it breaks stored DecidedRecords)"
    );
}

/// Encodes `msg` with the codec, checks the bytes, and decodes them back.
fn check_codec<T>(what: &str, msg: &T, golden: &str) -> Bytes
where
    T: PartialEq + std::fmt::Debug,
    TanjiCodec: Codec<T, Error = CodecError>,
{
    let bytes = TanjiCodec.encode(msg).expect("encode");
    check(what, &bytes, golden);
    let back: T = TanjiCodec.decode(bytes.clone()).expect("decode");
    assert_eq!(&back, msg, "{what}: decoding the golden bytes");
    bytes
}

/// A signed vote by `seed`.
fn signed_vote(vote: Vote, seed: u8) -> SignedMessage<TanjiContext, Vote> {
    let signature = signer(seed).sign_vote_now(&vote);
    assert!(TanjiVerifier::new(NET).vote_is_valid(&vote, &signature, &key(seed).public()));
    SignedMessage::new(vote, signature)
}

/// The decided batch of these tests: two opaque entries (a batch does not
/// look inside its entries; the ledger's own goldens pin transactions).
fn batch() -> Batch {
    Batch::new(vec![b"entry one".to_vec(), b"entry two".to_vec()]).expect("batch")
}

/// `seed`'s precommit for the test batch at height 5, round 0.
fn precommit(seed: u8) -> Vote {
    TanjiContext.new_precommit(
        Height(5),
        Round::new(0),
        NilOrVal::Val(batch().id()),
        addr(seed),
    )
}

/// The commit certificate of height 5: precommits by seeds 1, 2 and 3.
fn commit_certificate() -> CommitCertificate<TanjiContext> {
    let votes = [1, 2, 3]
        .into_iter()
        .map(|s| signed_vote(precommit(s), s))
        .collect();
    CommitCertificate::new(Height(5), Round::new(0), batch().id(), votes)
}

/// The extended certificate a node stores: the commit certificate with a
/// signed extension on seed 2's precommit.
fn extended_certificate() -> ExtendedCommitCertificate<TanjiContext> {
    let vote = precommit(2);
    let scope = VoteExtensionScope::new(vote.height, vote.round, batch().id(), addr(2));
    let ext = b"cosig".to_vec();
    let signature = signer(2).sign_extension_now(&scope, &ext);
    ExtendedCommitCertificate::from_commit_certificate_and_extensions(
        commit_certificate(),
        VoteExtensions::new(vec![(addr(2), SignedMessage::new(ext, signature))]),
    )
}

/// Votes as they travel (`SignedConsensusMsg::Vote`) and the preimage a
/// vote's signature covers. A change of these bytes is a format change that
/// needs a decision: the preimage is what every stored certificate's
/// signatures verify against, so changing it breaks stored DecidedRecords.
#[test]
fn golden_votes() {
    let nil_prevote = TanjiContext.new_prevote(Height(7), Round::new(0), NilOrVal::Nil, addr(1));
    check(
        "prevote preimage",
        &vote_signing_bytes(NET, &nil_prevote),
        GOLDEN_PREVOTE_PREIMAGE,
    );
    check_codec(
        "nil prevote",
        &SignedConsensusMsg::Vote(signed_vote(nil_prevote, 1)),
        GOLDEN_NIL_PREVOTE,
    );

    let precommit = TanjiContext.new_precommit(
        Height(7),
        Round::new(2),
        NilOrVal::Val(BatchId([9; 32])),
        addr(1),
    );
    check(
        "precommit preimage",
        &vote_signing_bytes(NET, &precommit),
        GOLDEN_PRECOMMIT_PREIMAGE,
    );
    check_codec(
        "precommit",
        &SignedConsensusMsg::Vote(signed_vote(precommit.clone(), 1)),
        GOLDEN_PRECOMMIT,
    );

    // The extension travels with the vote but outside its signature.
    let scope =
        VoteExtensionScope::new(precommit.height, precommit.round, BatchId([9; 32]), addr(1));
    let ext_sig = signer(1).sign_extension_now(&scope, b"cosig");
    let extended = precommit.extend(SignedMessage::new(b"cosig".to_vec(), ext_sig));
    let bytes = check_codec(
        "extended precommit",
        &SignedConsensusMsg::Vote(signed_vote(extended, 1)),
        GOLDEN_EXTENDED_PRECOMMIT,
    );
    let back: SignedConsensusMsg<TanjiContext> = TanjiCodec.decode(bytes).expect("decode");
    let SignedConsensusMsg::Vote(v) = back else {
        panic!("not a vote")
    };
    assert_eq!(
        v.message.extension().map(|e| e.message.as_slice()),
        Some(&b"cosig"[..])
    );
}

const GOLDEN_PREVOTE_PREIMAGE: &str = "74616e6a692f766f74652f76310010000000746573742e74616e6a692e6c6f63616c0700000000000000010000000000008a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
const GOLDEN_NIL_PREVOTE: &str = "0102000700000000000000010000000000008a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c009f889f7580cd5680c81b406e6b568464cc0dc5c682368241a3d446d8ff937d86689dcaf4fcc7855a9a196d8a0b8a91a57e7ef165bd7a9de0362b691a32343707";
const GOLDEN_PRECOMMIT_PREIMAGE: &str = "74616e6a692f766f74652f76310010000000746573742e74616e6a692e6c6f63616c07000000000000000102000000010109090909090909090909090909090909090909090909090909090909090909098a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
const GOLDEN_PRECOMMIT: &str = "01020007000000000000000102000000010109090909090909090909090909090909090909090909090909090909090909098a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0074f92ef29c5df8196a02a0dd39283c971d5479f7b31dee33703fd3b43e86ebac10717a0bc5ea83c4dec8991a48d78a3a3edddd23c815dd13460c3ff7cb264b08";
const GOLDEN_EXTENDED_PRECOMMIT: &str = "01020007000000000000000102000000010109090909090909090909090909090909090909090909090909090909090909098a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0105000000636f736967e32b54d9083e0c319feaaee68e1ccb1ace4c0a8b20c677444f37208d3a746de8d8abb8a3615caaf321c907cf04d1d035761bb6bfd7a75e2db3283f7155aab30a74f92ef29c5df8196a02a0dd39283c971d5479f7b31dee33703fd3b43e86ebac10717a0bc5ea83c4dec8991a48d78a3a3edddd23c815dd13460c3ff7cb264b08";

/// A signed proposal as it travels. A change of these bytes is a format
/// change that needs a decision (proposal signatures, WAL replay, and every
/// peer of another version).
#[test]
fn golden_proposal() {
    let p = TanjiContext.new_proposal(
        Height(3),
        Round::new(1),
        BatchId([4; 32]),
        Round::Nil,
        addr(1),
    );
    let signature = signer(1).sign_proposal_now(&p);
    check_codec(
        "proposal",
        &SignedConsensusMsg::Proposal(SignedMessage::new(p, signature)),
        GOLDEN_PROPOSAL,
    );
}

const GOLDEN_PROPOSAL: &str = "010201030000000000000001010000000404040404040404040404040404040404040404040404040404040404040404008a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c34e9f04c439030b8d98e0c57030f7fa778cae39fd5e4cfaf45a4a8da3e8f377a1e859980417489eb4cf371d411afa60835b6cfadcd7557331daf3c033f804f0c";

/// A batch (canonical encoding and id) and the parts its proposer streams
/// (`Init`, `Data`, `Fin` with the parts signature), alone and as stream
/// messages. A change of these bytes is a format change that needs a
/// decision: the batch encoding is stored in every DecidedRecord, and the
/// batch id is the value every stored certificate signs.
#[test]
fn golden_proposal_parts() {
    let batch = batch();
    check("batch", &batch.encode(), GOLDEN_BATCH);
    check("batch id", &batch.id().0, GOLDEN_BATCH_ID);

    let (h, r) = (Height(5), Round::new(0));
    let parts = batch.to_parts(NET, h, r, Round::Nil, &key(1));
    assert!(matches!(
        parts.as_slice(),
        [
            ProposalPart::Init { .. },
            ProposalPart::Data { .. },
            ProposalPart::Fin { .. }
        ]
    ));
    for (i, (part, golden)) in parts.iter().zip(GOLDEN_PARTS).enumerate() {
        check_codec(&format!("proposal part {i}"), part, golden);
    }
    let msgs = stream_messages(stream_id(h, r, 1), parts);
    assert_eq!(msgs.len(), GOLDEN_STREAM.len());
    for (i, (msg, golden)) in msgs.iter().zip(GOLDEN_STREAM).enumerate() {
        check_codec::<StreamMessage<ProposalPart>>(&format!("stream message {i}"), msg, golden);
    }
}

const GOLDEN_BATCH: &str = "0200000009000000656e747279206f6e6509000000656e7472792074776f";
const GOLDEN_BATCH_ID: &str = "7279749bfefed68fcf01e8434af22ba30632b34de4b6cccdc1143ba42a2132f6";
const GOLDEN_PARTS: [&str; 3] = [
    "01010005000000000000000100000000008a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c",
    "0101010200000009000000656e747279206f6e6509000000656e7472792074776f",
    "010102f0b101058d3d67644a1e0f0488a6ee6438a198c0aa3e8f699df72a879fb5406516e317da79fac1ad767a43f53383b7b3b342caccda83c30c26d3c19ff4914f04",
];
const GOLDEN_STREAM: [&str; 4] = [
    "01041400000000000000000000050000000000000000000000010000000000000000000005000000000000000100000000008a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c",
    "0104140000000000000000000005000000000000000000000001010000000000000000010200000009000000656e747279206f6e6509000000656e7472792074776f",
    "010414000000000000000000000500000000000000000000000102000000000000000002f0b101058d3d67644a1e0f0488a6ee6438a198c0aa3e8f699df72a879fb5406516e317da79fac1ad767a43f53383b7b3b342caccda83c30c26d3c19ff4914f04",
    "0104140000000000000000000005000000000000000000000001030000000000000001",
];

/// A commit certificate (three precommits) and the extended certificate a
/// node stores (one precommit extended). A change of these bytes is a format
/// change that needs a decision: the extended certificate's encoding is the
/// `certificate` field of every stored DecidedRecord.
#[test]
fn golden_commit_certificates() {
    check_codec(
        "commit certificate",
        &commit_certificate(),
        GOLDEN_COMMIT_CERTIFICATE,
    );
    let ext = extended_certificate();
    // Malachite orders an extended certificate's signatures by address,
    // whatever order the precommits arrived in.
    assert!(ext
        .commit_signatures
        .windows(2)
        .all(|w| w[0].address < w[1].address));
    check_codec(
        "extended commit certificate",
        &ext,
        GOLDEN_EXTENDED_CERTIFICATE,
    );
}

const GOLDEN_COMMIT_CERTIFICATE: &str = "0109050000000000000001000000007279749bfefed68fcf01e8434af22ba30632b34de4b6cccdc1143ba42a2132f6030000008a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c38fd39b61bb17903bde5cc9db51e529bf8223c9db665bbf5fab2e9c47b7a41718f6e7b45a8a611f11aa1e2025c00e08c85ff1462fdfd39ea2bb8f9476ec9ab0f8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394ee84c07bdbb26dc4889d4a4ea84cc08aa1a6d664dcb21aaf6d1bd7e4dd399b632cb3e2389bcc8503a20972ccba141a78f30446f673aa9e7734c88fe55eb2e20eed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1d565c8b21efe303237b2967c361131049c0c1a00a8532ca90ae63d3d59351b32728b9fb2984071b7512b8ddd06d5147b333463b1e4076ca267c478f962903208";
const GOLDEN_EXTENDED_CERTIFICATE: &str = "010a050000000000000001000000007279749bfefed68fcf01e8434af22ba30632b34de4b6cccdc1143ba42a2132f6030000008139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394ee84c07bdbb26dc4889d4a4ea84cc08aa1a6d664dcb21aaf6d1bd7e4dd399b632cb3e2389bcc8503a20972ccba141a78f30446f673aa9e7734c88fe55eb2e20e0105000000636f7369679d73d631b929d66a06e5270ef61cf4da4beb22ee7ff0e9294b1202120766243229e1bd641115b6c6b0991bddd3e05e9c54e5821d1fffc7666178a1aa547f360c8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c38fd39b61bb17903bde5cc9db51e529bf8223c9db665bbf5fab2e9c47b7a41718f6e7b45a8a611f11aa1e2025c00e08c85ff1462fdfd39ea2bb8f9476ec9ab0f00ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1d565c8b21efe303237b2967c361131049c0c1a00a8532ca90ae63d3d59351b32728b9fb2984071b7512b8ddd06d5147b333463b1e4076ca267c478f96290320800";

/// A `DecidedRecord` as the store writes it (borsh, in the consensus column
/// family), built as `app.rs` builds it, and the same decision as sync
/// serves it (`RawDecidedValue`). A change of these bytes is a format change
/// that needs a decision: it breaks every DecidedRecord already stored.
#[test]
fn golden_decided_record() {
    let batch = batch();
    let certificate = TanjiCodec
        .encode(&extended_certificate())
        .expect("encode")
        .to_vec();
    let record = DecidedRecord {
        height: 5,
        value_id: batch.id().0,
        certificate: certificate.clone(),
        batch: batch.encode(),
        first_index: 12,
        size_after: 14,
    };
    let bytes = encoding::encode(&record);
    check("decided record", &bytes, GOLDEN_DECIDED_RECORD);
    let back: DecidedRecord = encoding::decode(&bytes, bytes.len()).expect("decode");
    assert_eq!(back, record);
    let cert: ExtendedCommitCertificate<TanjiContext> = TanjiCodec
        .decode(Bytes::from(back.certificate))
        .expect("certificate");
    assert_eq!(cert, extended_certificate());
    assert_eq!(Batch::decode(&back.batch), Ok(batch.clone()));

    check_codec(
        "raw decided value",
        &RawDecidedValue::new(Bytes::from(batch.encode()), extended_certificate()),
        GOLDEN_RAW_DECIDED_VALUE,
    );
}

const GOLDEN_DECIDED_RECORD: &str = "05000000000000007279749bfefed68fcf01e8434af22ba30632b34de4b6cccdc1143ba42a2132f69f010000010a050000000000000001000000007279749bfefed68fcf01e8434af22ba30632b34de4b6cccdc1143ba42a2132f6030000008139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394ee84c07bdbb26dc4889d4a4ea84cc08aa1a6d664dcb21aaf6d1bd7e4dd399b632cb3e2389bcc8503a20972ccba141a78f30446f673aa9e7734c88fe55eb2e20e0105000000636f7369679d73d631b929d66a06e5270ef61cf4da4beb22ee7ff0e9294b1202120766243229e1bd641115b6c6b0991bddd3e05e9c54e5821d1fffc7666178a1aa547f360c8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c38fd39b61bb17903bde5cc9db51e529bf8223c9db665bbf5fab2e9c47b7a41718f6e7b45a8a611f11aa1e2025c00e08c85ff1462fdfd39ea2bb8f9476ec9ab0f00ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1d565c8b21efe303237b2967c361131049c0c1a00a8532ca90ae63d3d59351b32728b9fb2984071b7512b8ddd06d5147b333463b1e4076ca267c478f962903208001e0000000200000009000000656e747279206f6e6509000000656e7472792074776f0c000000000000000e00000000000000";
const GOLDEN_RAW_DECIDED_VALUE: &str = "010e1e0000000200000009000000656e747279206f6e6509000000656e7472792074776f050000000000000001000000007279749bfefed68fcf01e8434af22ba30632b34de4b6cccdc1143ba42a2132f6030000008139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394ee84c07bdbb26dc4889d4a4ea84cc08aa1a6d664dcb21aaf6d1bd7e4dd399b632cb3e2389bcc8503a20972ccba141a78f30446f673aa9e7734c88fe55eb2e20e0105000000636f7369679d73d631b929d66a06e5270ef61cf4da4beb22ee7ff0e9294b1202120766243229e1bd641115b6c6b0991bddd3e05e9c54e5821d1fffc7666178a1aa547f360c8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c38fd39b61bb17903bde5cc9db51e529bf8223c9db665bbf5fab2e9c47b7a41718f6e7b45a8a611f11aa1e2025c00e08c85ff1462fdfd39ea2bb8f9476ec9ab0f00ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1d565c8b21efe303237b2967c361131049c0c1a00a8532ca90ae63d3d59351b32728b9fb2984071b7512b8ddd06d5147b333463b1e4076ca267c478f96290320800";
