//! Unit tests of the BFT types, signing, batches and codec.

use bytes::Bytes;
use malachitebft_app_channel::app::consensus::LivenessMsg;
use malachitebft_app_channel::app::streaming::{StreamContent, StreamMessage};
use malachitebft_app_channel::app::types::codec::{Codec, HasEncodedLen};
use malachitebft_app_channel::app::types::core::Vote as _;
use malachitebft_app_channel::app::types::core::{
    CommitCertificate, CommitSignature, Context, ExtendedCommitCertificate,
    ExtendedCommitSignature, NilOrVal, PolkaCertificate, PolkaSignature, Round, RoundCertificate,
    RoundCertificateType, RoundSignature, SignedMessage, SigningScheme, ValidatorProof,
    ValidatorSet as _, Validity, VoteExtensionScope, VoteType,
};
use malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use malachitebft_app_channel::app::types::{PeerId, ProposedValue, SignedConsensusMsg};
use malachitebft_app_channel::{Signer, Verifier};
use proptest::prelude::*;
use tanji_ledger::crypto::{PublicKey, SecretKey};
use tanji_ledger::testkit::TestNet;
use tanji_ledger::tx::{TxKind, ValidatorNode};

use super::batch::{
    assemble, assemble_with_key, stream_id, stream_messages, Batch, BatchError, PartStream,
    StreamError, BATCH_ID_V1, MAX_BATCH_TXS, MAX_PART_BYTES, MAX_TX_BYTES,
};
use super::codec::{CodecError, TanjiCodec, VERSION};
use super::engine::{libp2p_keypair, peer_id_of, EngineIdentity, TanjiNodeConfig};
use super::signing::{Signature, TanjiSigner, TanjiSigningScheme, TanjiVerifier};
use super::types::{
    Address, BatchId, Height, Proposal, ProposalPart, Validator, ValidatorSet, ValidatorSetError,
    Vote,
};
use super::TanjiContext;

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

fn verifier() -> TanjiVerifier {
    TanjiVerifier::new(NET)
}

fn set_of(seeds: &[u8]) -> ValidatorSet {
    ValidatorSet::new(
        seeds
            .iter()
            .map(|s| Validator::new(key(*s).public()))
            .collect(),
    )
    .expect("valid set")
}

fn sample_vote() -> Vote {
    TanjiContext.new_precommit(
        Height(7),
        Round::new(2),
        NilOrVal::Val(BatchId([9; 32])),
        addr(1),
    )
}

/// Adds the group order L to the `s` half of a signature: the same point
/// equation, but a non-canonical scalar that strict verification refuses.
fn add_l(sig: &Signature) -> Signature {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut out = *sig;
    let mut carry = 0u16;
    for (s, l) in out.0[32..].iter_mut().zip(L) {
        let v = *s as u16 + l as u16 + carry;
        *s = v as u8;
        carry = v >> 8;
    }
    out
}

// ---------------------------------------------------------------- signing

#[tokio::test]
async fn vote_signature_verifies_only_for_its_key_and_fields() {
    let signed = signer(1).sign_vote(sample_vote()).await.expect("sign");
    let v = verifier();
    let ok = |vote: &Vote, sig: &Signature, pk: &PublicKey| v.vote_is_valid(vote, sig, pk);
    let pk1 = key(1).public();
    assert!(ok(&signed.message, &signed.signature, &pk1));
    assert!(v
        .verify_signed_vote(&signed.message, &signed.signature, &pk1)
        .await
        .expect("verify")
        .is_valid());
    // Another key.
    assert!(!ok(&signed.message, &signed.signature, &key(2).public()));
    // Each mutated field.
    let mutations: [fn(&mut Vote); 6] = [
        |v| v.height = Height(8),
        |v| v.round = Round::new(3),
        |v| v.vote_type = VoteType::Prevote,
        |v| v.value = NilOrVal::Nil,
        |v| v.value = NilOrVal::Val(BatchId([8; 32])),
        |v| v.validator_address = addr(2),
    ];
    for m in &mutations {
        let mut vote = signed.message.clone();
        m(&mut vote);
        assert!(!ok(&vote, &signed.signature, &pk1), "{vote:?}");
    }
    // Non-canonical signature (s + L).
    assert!(!ok(&signed.message, &add_l(&signed.signature), &pk1));
    // Another network.
    assert!(!TanjiVerifier::new("other.net").vote_is_valid(
        &signed.message,
        &signed.signature,
        &pk1
    ));
}

#[tokio::test]
async fn vote_extension_is_outside_vote_equality_and_signature() {
    let s = signer(1);
    let vote = sample_vote();
    let scope = VoteExtensionScope::new(vote.height, vote.round, BatchId([9; 32]), addr(1));
    let ext = s
        .sign_vote_extension(scope.clone(), b"cosig".to_vec())
        .await
        .expect("sign ext");
    let extended = vote.clone().extend(ext.clone());
    assert_eq!(extended, vote);
    assert_eq!(s.sign_vote_now(&extended), s.sign_vote_now(&vote));
    // Deterministic signing (WAL replay).
    assert_eq!(s.sign_vote_now(&vote), s.sign_vote_now(&vote.clone()));

    let v = verifier();
    let pk = key(1).public();
    assert!(v
        .verify_signed_vote_extension(&scope, &ext.message, &ext.signature, &pk)
        .await
        .expect("verify")
        .is_valid());
    assert!(!v.extension_is_valid(&scope, b"cosiG", &ext.signature, &pk));
    let other_scope =
        VoteExtensionScope::new(vote.height, Round::new(3), BatchId([9; 32]), addr(1));
    assert!(!v.extension_is_valid(&other_scope, b"cosig", &ext.signature, &pk));
    assert!(!v.extension_is_valid(&scope, b"cosig", &ext.signature, &key(2).public()));
    assert!(!v.extension_is_valid(&scope, b"cosig", &add_l(&ext.signature), &pk));
}

#[tokio::test]
async fn proposal_signature() {
    let p = TanjiContext.new_proposal(
        Height(3),
        Round::new(1),
        BatchId([4; 32]),
        Round::Nil,
        addr(1),
    );
    let signed = signer(1).sign_proposal(p.clone()).await.expect("sign");
    let v = verifier();
    let pk = key(1).public();
    assert!(v
        .verify_signed_proposal(&p, &signed.signature, &pk)
        .await
        .expect("verify")
        .is_valid());
    assert!(!v.proposal_is_valid(&p, &signed.signature, &key(2).public()));
    let mut q = p.clone();
    q.pol_round = Round::new(0);
    assert!(!v.proposal_is_valid(&q, &signed.signature, &pk));
    assert!(!v.proposal_is_valid(&p, &add_l(&signed.signature), &pk));
    // A vote signature is not a proposal signature (domain separation).
    let vote_sig = signer(1).sign_vote_now(&sample_vote());
    assert!(!v.proposal_is_valid(&p, &vote_sig, &pk));
}

#[tokio::test]
async fn validator_proof_uses_malachite_preimage() {
    let s = signer(1);
    let pk = key(1).public().0.to_vec();
    let peer = libp2p_keypair(&key(1))
        .expect("keypair")
        .public()
        .to_peer_id()
        .to_bytes();
    let proof = s
        .sign_validator_proof(pk.clone(), peer.clone())
        .await
        .expect("proof");
    assert_eq!(
        proof.preimage(),
        ValidatorProof::<TanjiContext>::signing_bytes(&pk, &peer)
    );
    assert!(key(1)
        .public()
        .verify_raw(&proof.preimage(), &proof.signature.into())
        .is_ok());
    let v = verifier();
    assert!(v
        .verify_validator_proof(&proof)
        .await
        .expect("verify")
        .is_valid());
    let mut bad = proof.clone();
    bad.peer_id[5] ^= 1;
    assert!(!v.proof_is_valid(&bad));
    let mut weak = proof.clone();
    weak.public_key = vec![0; 31];
    assert!(!v.proof_is_valid(&weak));
    // The signer refuses to vouch for someone else's key.
    assert!(s
        .sign_validator_proof(key(2).public().0.to_vec(), peer)
        .await
        .is_err());
}

#[test]
fn signing_scheme_decoding() {
    let pk = key(1).public();
    assert_eq!(
        TanjiSigningScheme::decode_public_key(&TanjiSigningScheme::encode_public_key(&pk)),
        Ok(pk)
    );
    assert!(TanjiSigningScheme::decode_public_key(&[1; 31]).is_err());
    let mut small_order = [0u8; 32];
    small_order[0] = 1;
    assert!(TanjiSigningScheme::decode_public_key(&small_order).is_err());
    let sig = Signature([5; 64]);
    assert_eq!(
        TanjiSigningScheme::decode_signature(&TanjiSigningScheme::encode_signature(&sig)),
        Ok(sig)
    );
    assert!(TanjiSigningScheme::decode_signature(&[0; 63]).is_err());
}

// ---------------------------------------------------------- validator set

#[test]
fn validator_set_from_genesis_nodes() {
    let net = TestNet::new();
    let TxKind::Genesis(genesis) = net.genesis().body.kind else {
        panic!("not a genesis");
    };
    let set = ValidatorSet::from_nodes(&genesis.validators).expect("set");
    assert_eq!(set.count(), 1);
    assert_eq!(set.total_voting_power(), 1);
    let v = set.get_by_index(0).expect("one");
    assert_eq!(v.public_key, net.node.key.public());
    assert_eq!(v.address.to_string(), net.node.key.public().to_hex());

    // Four nodes given in any order give the same, address-sorted set.
    let nodes: Vec<ValidatorNode> = [5u8, 3, 9, 7]
        .iter()
        .map(|s| ValidatorNode {
            operator: net.operator.org_id,
            name: format!("validator-{s}"),
            key: key(*s).public(),
        })
        .collect();
    let a = ValidatorSet::from_nodes(&nodes).expect("set");
    let mut rev = nodes.clone();
    rev.reverse();
    assert_eq!(a, ValidatorSet::from_nodes(&rev).expect("set"));
    assert!(a
        .validators()
        .windows(2)
        .all(|w| w[0].address < w[1].address));
    assert_eq!(a.total_voting_power(), 4);

    let mut dup = nodes.clone();
    dup.push(nodes[0].clone());
    assert!(matches!(
        ValidatorSet::from_nodes(&dup),
        Err(ValidatorSetError::Duplicate(_))
    ));
    assert_eq!(ValidatorSet::from_nodes(&[]), Err(ValidatorSetError::Empty));
    let mut weak = nodes[0].clone();
    let mut small_order = [0u8; 32];
    small_order[0] = 1;
    weak.key = PublicKey(small_order);
    assert!(matches!(
        ValidatorSet::from_nodes(&[weak]),
        Err(ValidatorSetError::BadKey { .. })
    ));
}

#[test]
fn proposer_selection_is_round_robin_and_deterministic() {
    let set = set_of(&[1, 2, 3, 4]);
    let order: Vec<Address> = set.validators().iter().map(|v| v.address).collect();
    let pick = |h: u64, r: u32| {
        TanjiContext
            .select_proposer(&set, Height(h), Round::new(r))
            .address
    };
    for h in 1..=8u64 {
        for r in 0..6u32 {
            let expected = order[((h - 1 + r as u64) % 4) as usize];
            assert_eq!(pick(h, r), expected);
            assert_eq!(pick(h, r), pick(h, r));
        }
    }
    // Each validator proposes once in four consecutive heights at round 0.
    let mut firsts: Vec<Address> = (1..=4).map(|h| pick(h, 0)).collect();
    firsts.sort();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(firsts, sorted);
    // Extreme heights and rounds do not overflow.
    let _ = pick(u64::MAX, u32::MAX);
    let _ = TanjiContext.select_proposer(&set, Height(0), Round::Nil);
}

// ----------------------------------------------------------------- batches

fn txs(n: usize, size: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let mut t = vec![(i % 251) as u8; size];
            t[0] = (i >> 8) as u8;
            t
        })
        .collect()
}

#[test]
fn batch_id_is_derive_key_over_canonical_encoding() {
    let net = TestNet::new();
    let real = vec![net.genesis(), net.register(&net.supplier(10))];
    let batch = Batch::from_txs(&real).expect("batch");
    let expected = blake3::derive_key(BATCH_ID_V1, &batch.encode());
    assert_eq!(batch.id(), BatchId(expected));
    assert_eq!(Batch::decode(&batch.encode()), Ok(batch.clone()));
    assert_eq!(
        Batch::default().id(),
        BatchId(blake3::derive_key(BATCH_ID_V1, &[0, 0, 0, 0]))
    );
    // Order matters.
    let mut swapped = batch.clone().into_txs();
    swapped.swap(0, 1);
    assert_ne!(Batch::new(swapped).expect("batch").id(), batch.id());
}

#[test]
fn batch_limits() {
    assert_eq!(
        Batch::new(txs(MAX_BATCH_TXS + 1, 1)),
        Err(BatchError::TooManyTxs(MAX_BATCH_TXS + 1))
    );
    assert!(matches!(
        Batch::new(vec![vec![0; MAX_TX_BYTES + 1]]),
        Err(BatchError::BadTxSize { index: 0, .. })
    ));
    assert!(matches!(
        Batch::new(vec![vec![1], vec![]]),
        Err(BatchError::BadTxSize { index: 1, .. })
    ));
    assert!(matches!(
        Batch::new(txs(200, MAX_TX_BYTES)),
        Err(BatchError::TooLarge(_))
    ));
    assert!(Batch::decode(&[1, 2, 3]).is_err());
    let mut trailing = Batch::new(txs(2, 3)).expect("batch").encode();
    trailing.push(0);
    assert!(Batch::decode(&trailing).is_err());
    assert!(matches!(
        Batch::decode(&vec![0; 9 * 1024 * 1024]),
        Err(BatchError::TooLarge(_))
    ));
}

#[test]
fn parts_chunk_and_reassemble_to_the_same_batch() {
    let set = set_of(&[1, 2, 3, 4]);
    let (h, r) = (Height(5), Round::new(1));
    let proposer = set.proposer(h, r).address;
    let seed = (1..=4u8)
        .find(|s| addr(*s) == proposer)
        .expect("proposer seed");
    for batch in [
        Batch::default(),
        Batch::new(txs(3, 100)).expect("batch"),
        Batch::new(txs(20, 60 * 1024)).expect("batch"),
    ] {
        let parts = batch.to_parts(NET, h, r, Round::Nil, &key(seed));
        let data = parts.len() - 2;
        assert!(parts.iter().all(|p| match p {
            ProposalPart::Data { txs } =>
                4 + txs.iter().map(|t| 4 + t.len()).sum::<usize>() <= MAX_PART_BYTES,
            _ => true,
        }));
        if batch.len() == 20 {
            assert!(data > 1, "large batch spans several parts");
        }
        let got = assemble(NET, &parts, &set).expect("assemble");
        assert_eq!(got.id, batch.id());
        assert_eq!(got.batch, batch);
        assert_eq!((got.height, got.round, got.proposer), (h, r, proposer));

        // Through the stream layer, delivered out of order.
        let mut msgs = stream_messages(stream_id(h, r, 0), parts.clone());
        msgs.reverse();
        let mut stream = PartStream::new();
        let mut done = None;
        for m in msgs {
            if let Some(ps) = stream.insert(m).expect("insert") {
                done = Some(ps);
            }
        }
        assert_eq!(done.as_ref(), Some(&parts));
    }
}

#[test]
fn tampered_parts_or_wrong_proposer_fail() {
    let set = set_of(&[1, 2, 3, 4]);
    let (h, r) = (Height(2), Round::new(0));
    let proposer = set.proposer(h, r).address;
    let seed = (1..=4u8).find(|s| addr(*s) == proposer).expect("seed");
    let other = (1..=4u8).find(|s| addr(*s) != proposer).expect("other");
    let batch = Batch::new(txs(5, 50)).expect("batch");
    let parts = batch.to_parts(NET, h, r, Round::Nil, &key(seed));

    // A tampered chunk.
    let mut bad = parts.clone();
    if let ProposalPart::Data { txs } = &mut bad[1] {
        txs[0][3] ^= 1;
    }
    assert_eq!(assemble(NET, &bad, &set), Err(BatchError::BadSignature));
    // Re-chunked (same entries, different split) is also refused.
    let mut split = parts.clone();
    if let ProposalPart::Data { txs } = split.remove(1) {
        let (a, b) = txs.split_at(2);
        split.insert(1, ProposalPart::Data { txs: b.to_vec() });
        split.insert(1, ProposalPart::Data { txs: a.to_vec() });
    }
    assert_eq!(assemble(NET, &split, &set), Err(BatchError::BadSignature));
    // Another network.
    assert_eq!(
        assemble("other.net", &parts, &set),
        Err(BatchError::BadSignature)
    );
    // A Fin by a validator that is not this round's proposer.
    let forged = batch.to_parts(NET, h, r, Round::Nil, &key(other));
    assert!(matches!(
        assemble(NET, &forged, &set),
        Err(BatchError::WrongProposer { .. })
    ));
    // Init naming the proposer, Fin signed by someone else.
    let mut swapped = parts.clone();
    let last = swapped.len() - 1;
    swapped[last] = forged[forged.len() - 1].clone();
    assert_eq!(assemble(NET, &swapped, &set), Err(BatchError::BadSignature));
    assert!(assemble_with_key(NET, &parts, &key(other).public()).is_err());
    // Shape errors.
    assert!(matches!(
        assemble(NET, &parts[1..], &set),
        Err(BatchError::PartsShape(_))
    ));
    assert!(matches!(
        assemble(NET, &parts[..parts.len() - 1], &set),
        Err(BatchError::PartsShape(_))
    ));
    assert!(matches!(
        assemble(NET, &[], &set),
        Err(BatchError::PartsShape(_))
    ));
}

#[test]
fn part_stream_refuses_duplicates_and_overflow() {
    let id = stream_id(Height(1), Round::new(0), 0);
    let part = ProposalPart::Data { txs: vec![vec![1]] };
    let mut s = PartStream::new();
    let msg = |seq: u64, c: StreamContent<ProposalPart>| StreamMessage::new(id.clone(), seq, c);
    assert_eq!(
        s.insert(msg(1, StreamContent::Data(part.clone()))),
        Ok(None)
    );
    assert_eq!(
        s.insert(msg(1, StreamContent::Data(part.clone()))),
        Err(StreamError::Duplicate(1))
    );
    assert_eq!(s.insert(msg(2, StreamContent::Fin)), Ok(None));
    assert_eq!(
        s.insert(msg(3, StreamContent::Data(part.clone()))),
        Err(StreamError::BeyondFin)
    );
    assert_eq!(
        s.insert(msg(u64::MAX, StreamContent::Data(part))),
        Err(StreamError::TooLarge)
    );
}

// ------------------------------------------------------------------ codec

#[test]
fn empty_data_chunks_and_entries_are_refused() {
    // No batch streams an empty chunk or an empty entry; the codec refuses
    // them, and oversized entries, before the stream is reassembled.
    let cases: [Vec<Vec<u8>>; 4] = [
        vec![],
        vec![vec![]],
        vec![vec![1], vec![]],
        vec![vec![0; MAX_TX_BYTES + 1]],
    ];
    for txs in cases {
        let mut bytes = vec![VERSION, 1, 1]; // proposal part, variant Data
        bytes.extend(borsh::to_vec(&txs).unwrap());
        let got = Codec::<ProposalPart>::decode(&TanjiCodec, Bytes::from(bytes));
        assert!(matches!(got, Err(CodecError::Invalid(_))), "{got:?}");
    }
}

fn round_trip<T>(msg: &T)
where
    T: PartialEq + std::fmt::Debug,
    TanjiCodec: Codec<T, Error = CodecError>,
{
    let bytes = TanjiCodec.encode(msg).expect("encode");
    assert_eq!(bytes[0], VERSION);
    let back: T = TanjiCodec.decode(bytes.clone()).expect("decode");
    assert_eq!(&back, msg);
    // Every strict prefix is an error, as is a trailing byte.
    for n in 0..bytes.len() {
        assert!(
            Codec::<T>::decode(&TanjiCodec, bytes.slice(..n)).is_err(),
            "prefix {n}"
        );
    }
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert!(Codec::<T>::decode(&TanjiCodec, Bytes::from(longer)).is_err());
    // Another version.
    let mut v2 = bytes.to_vec();
    v2[0] = VERSION + 1;
    assert_eq!(
        Codec::<T>::decode(&TanjiCodec, Bytes::from(v2)).err(),
        Some(CodecError::Version(VERSION + 1))
    );
}

fn arb_round() -> impl Strategy<Value = Round> {
    prop_oneof![Just(Round::Nil), any::<u32>().prop_map(Round::new)]
}

fn arb_value() -> impl Strategy<Value = NilOrVal<BatchId>> {
    prop_oneof![
        Just(NilOrVal::Nil),
        any::<[u8; 32]>().prop_map(|b| NilOrVal::Val(BatchId(b)))
    ]
}

fn arb_sig() -> impl Strategy<Value = Signature> {
    (any::<[u8; 32]>(), any::<[u8; 32]>()).prop_map(|(a, b)| {
        let mut s = [0u8; 64];
        s[..32].copy_from_slice(&a);
        s[32..].copy_from_slice(&b);
        Signature(s)
    })
}

fn arb_vote_type() -> impl Strategy<Value = VoteType> {
    prop_oneof![Just(VoteType::Prevote), Just(VoteType::Precommit)]
}

fn arb_ext() -> impl Strategy<Value = Option<SignedMessage<TanjiContext, Vec<u8>>>> {
    proptest::option::of(
        (proptest::collection::vec(any::<u8>(), 0..64), arb_sig())
            .prop_map(|(e, s)| SignedMessage::new(e, s)),
    )
}

fn arb_vote() -> impl Strategy<Value = Vote> {
    (
        any::<u64>(),
        arb_round(),
        arb_vote_type(),
        arb_value(),
        any::<[u8; 32]>(),
        arb_ext(),
    )
        .prop_map(|(h, round, vote_type, value, a, extension)| Vote {
            height: Height(h),
            round,
            vote_type,
            value,
            validator_address: Address(a),
            extension,
        })
}

fn arb_proposal() -> impl Strategy<Value = Proposal> {
    (
        any::<u64>(),
        arb_round(),
        any::<[u8; 32]>(),
        arb_round(),
        any::<[u8; 32]>(),
    )
        .prop_map(|(h, round, v, pol_round, a)| Proposal {
            height: Height(h),
            round,
            value: BatchId(v),
            pol_round,
            validator_address: Address(a),
        })
}

fn arb_part() -> impl Strategy<Value = ProposalPart> {
    prop_oneof![
        (any::<u64>(), arb_round(), arb_round(), any::<[u8; 32]>()).prop_map(
            |(h, round, pol_round, p)| ProposalPart::Init {
                height: Height(h),
                round,
                pol_round,
                proposer: Address(p),
            }
        ),
        // What honest chunks are: non-empty, of non-empty entries (the codec
        // refuses others, see `empty_data_chunks_and_entries_are_refused`).
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..40), 1..8)
            .prop_map(|txs| ProposalPart::Data { txs }),
        arb_sig().prop_map(|signature| ProposalPart::Fin { signature }),
    ]
}

fn arb_addr_sigs() -> impl Strategy<Value = Vec<([u8; 32], Signature)>> {
    proptest::collection::vec((any::<[u8; 32]>(), arb_sig()), 0..6)
}

fn arb_ext_cert() -> impl Strategy<Value = ExtendedCommitCertificate<TanjiContext>> {
    (
        any::<u64>(),
        arb_round(),
        any::<[u8; 32]>(),
        proptest::collection::vec((any::<[u8; 32]>(), arb_sig(), arb_ext()), 0..5),
    )
        .prop_map(|(h, round, v, sigs)| ExtendedCommitCertificate {
            height: Height(h),
            round,
            value_id: BatchId(v),
            commit_signatures: sigs
                .into_iter()
                .map(|(a, s, e)| ExtendedCommitSignature::new(Address(a), s, e))
                .collect(),
        })
}

fn peer(seed: u8) -> PeerId {
    let p = peer_id_of(&key(seed).public()).expect("peer id");
    PeerId::from_bytes(&p.to_bytes()).expect("malachite peer id")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn consensus_messages_round_trip(vote in arb_vote(), proposal in arb_proposal(), s1 in arb_sig(), s2 in arb_sig()) {
        round_trip(&SignedConsensusMsg::<TanjiContext>::Vote(SignedMessage::new(vote.clone(), s1)));
        round_trip(&SignedConsensusMsg::<TanjiContext>::Proposal(SignedMessage::new(proposal, s2)));
        // The extension survives the trip, although Eq ignores it.
        let bytes = TanjiCodec.encode(&SignedConsensusMsg::<TanjiContext>::Vote(SignedMessage::new(vote.clone(), s1))).expect("encode");
        let back: SignedConsensusMsg<TanjiContext> = TanjiCodec.decode(bytes).expect("decode");
        let SignedConsensusMsg::Vote(v) = back else { panic!("not a vote") };
        prop_assert_eq!(&v.message.extension, &vote.extension);
        round_trip(&LivenessMsg::<TanjiContext>::Vote(SignedMessage::new(vote, s1)));
    }

    #[test]
    fn certificates_round_trip(h in any::<u64>(), round in arb_round(), v in any::<[u8; 32]>(),
                               sigs in arb_addr_sigs(), vt in arb_vote_type(), val in arb_value(),
                               ext in arb_ext_cert(), skip in any::<bool>()) {
        let polka = PolkaCertificate::<TanjiContext> {
            height: Height(h), round, value_id: BatchId(v),
            polka_signatures: sigs.iter().map(|(a, s)| PolkaSignature::new(Address(*a), *s)).collect(),
        };
        round_trip(&polka);
        round_trip(&LivenessMsg::PolkaCertificate(polka));
        let round_cert = RoundCertificate::<TanjiContext> {
            height: Height(h), round,
            cert_type: if skip { RoundCertificateType::Skip } else { RoundCertificateType::Precommit },
            round_signatures: sigs.iter().map(|(a, s)| RoundSignature::new(vt, val, Address(*a), *s)).collect(),
        };
        round_trip(&round_cert);
        round_trip(&LivenessMsg::SkipRoundCertificate(round_cert));
        let commit = CommitCertificate::<TanjiContext> {
            height: Height(h), round, value_id: BatchId(v),
            commit_signatures: sigs.iter().map(|(a, s)| CommitSignature::new(Address(*a), *s)).collect(),
        };
        round_trip(&commit);
        round_trip(&ext);
        // Extensions survive (ExtendedCommitSignature's Eq covers them).
        prop_assert_eq!(ext.trim_vote_extensions().commit_signatures.len(), ext.commit_signatures.len());
    }

    #[test]
    fn parts_and_streams_round_trip(part in arb_part(), seq in any::<u64>(), sid in proptest::collection::vec(any::<u8>(), 0..32), fin in any::<bool>()) {
        round_trip(&part);
        let content = if fin { StreamContent::Fin } else { StreamContent::Data(part) };
        round_trip(&StreamMessage::new(
            malachitebft_app_channel::app::streaming::StreamId::new(Bytes::from(sid)), seq, content));
    }

    #[test]
    fn wal_and_sync_messages_round_trip(h in any::<u64>(), r in arb_round(), vr in arb_round(), p in any::<[u8; 32]>(),
                                        v in any::<[u8; 32]>(), valid in any::<bool>(), tip in any::<u64>(), min in any::<u64>(),
                                        seed in 1u8..200, ext in arb_ext_cert(), value in proptest::collection::vec(any::<u8>(), 0..100),
                                        end in any::<u64>()) {
        round_trip(&ProposedValue::<TanjiContext> {
            height: Height(h), round: r, valid_round: vr, proposer: Address(p), value: BatchId(v),
            validity: Validity::from_bool(valid),
        });
        round_trip(&Status::<TanjiContext> { peer_id: peer(seed), tip_height: Height(tip), history_min_height: Height(min) });
        round_trip(&Request::<TanjiContext>::ValueRequest(malachitebft_sync::ValueRequest::new(Height(h)..=Height(end))));
        let raw = RawDecidedValue::<TanjiContext>::new(Bytes::from(value), ext);
        round_trip(&raw);
        let response = Response::<TanjiContext>::ValueResponse(malachitebft_sync::ValueResponse::new(Height(h), vec![raw.clone(), raw]));
        round_trip(&response);
        let len = HasEncodedLen::<Response<TanjiContext>>::encoded_len(&TanjiCodec, &response).expect("len");
        prop_assert_eq!(len, TanjiCodec.encode(&response).expect("encode").len());
    }

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let b = Bytes::from(bytes);
        let _ = Codec::<SignedConsensusMsg<TanjiContext>>::decode(&TanjiCodec, b.clone());
        let _ = Codec::<LivenessMsg<TanjiContext>>::decode(&TanjiCodec, b.clone());
        let _ = Codec::<StreamMessage<ProposalPart>>::decode(&TanjiCodec, b.clone());
        let _ = Codec::<ProposalPart>::decode(&TanjiCodec, b.clone());
        let _ = Codec::<ValidatorProof<TanjiContext>>::decode(&TanjiCodec, b.clone());
        let _ = Codec::<ProposedValue<TanjiContext>>::decode(&TanjiCodec, b.clone());
        let _ = Codec::<PolkaCertificate<TanjiContext>>::decode(&TanjiCodec, b.clone());
        let _ = Codec::<Status<TanjiContext>>::decode(&TanjiCodec, b.clone());
        let _ = Codec::<Request<TanjiContext>>::decode(&TanjiCodec, b.clone());
        let _ = Codec::<Response<TanjiContext>>::decode(&TanjiCodec, b.clone());
        let _ = Codec::<ExtendedCommitCertificate<TanjiContext>>::decode(&TanjiCodec, b);
    }
}

#[tokio::test]
async fn validator_proof_round_trips() {
    let s = signer(3);
    let peer = libp2p_keypair(&key(3))
        .expect("kp")
        .public()
        .to_peer_id()
        .to_bytes();
    let proof = s
        .sign_validator_proof(key(3).public().0.to_vec(), peer)
        .await
        .expect("proof");
    round_trip(&proof);
}

#[test]
fn codec_refuses_wrong_kind_and_oversized_input() {
    let vote = SignedConsensusMsg::<TanjiContext>::Vote(SignedMessage::new(
        sample_vote(),
        Signature([1; 64]),
    ));
    let bytes = TanjiCodec.encode(&vote).expect("encode");
    assert!(matches!(
        Codec::<LivenessMsg<TanjiContext>>::decode(&TanjiCodec, bytes),
        Err(CodecError::Kind { .. })
    ));
    let huge = Bytes::from(vec![VERSION; 5 * 1024]);
    assert!(matches!(
        Codec::<SignedConsensusMsg<TanjiContext>>::decode(&TanjiCodec, huge),
        Err(CodecError::TooLarge { .. })
    ));
    // A vote with an extension over the limit does not decode.
    let mut v = sample_vote();
    v.extension = Some(SignedMessage::new(vec![0; 2000], Signature([0; 64])));
    let big = SignedConsensusMsg::<TanjiContext>::Vote(SignedMessage::new(v, Signature([1; 64])));
    let bytes = TanjiCodec.encode(&big).expect("under the message limit");
    assert!(matches!(
        Codec::<SignedConsensusMsg<TanjiContext>>::decode(&TanjiCodec, bytes),
        Err(CodecError::Invalid(_))
    ));
    // A length prefix claiming far more than the input fails cleanly.
    let mut lie = vec![VERSION, 1, 1];
    lie.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(Codec::<ProposalPart>::decode(&TanjiCodec, Bytes::from(lie)).is_err());
    // Empty input.
    assert_eq!(
        Codec::<ProposalPart>::decode(&TanjiCodec, Bytes::new()).err(),
        Some(CodecError::Truncated)
    );
}

// ------------------------------------------------------------------ engine

#[test]
fn peer_id_of_matches_libp2p() {
    for seed in [1u8, 2, 77] {
        let from_keypair = libp2p_keypair(&key(seed))
            .expect("kp")
            .public()
            .to_peer_id();
        assert_eq!(peer_id_of(&key(seed).public()).expect("peer"), from_keypair);
    }
}

#[tokio::test]
async fn identities_and_config() {
    let id = EngineIdentity::validator("v1", &key(1), &signer(1))
        .await
        .expect("identity");
    assert_eq!(id.address, addr(1));
    assert_eq!(
        id.network.consensus_address(),
        Some(addr(1).to_string().as_str())
    );
    assert!(EngineIdentity::validator("v1", &key(1), &signer(2))
        .await
        .is_err());
    let observer = EngineIdentity::full_node("o1", &key(9)).expect("identity");
    assert_eq!(observer.network.consensus_address(), None);

    let listen = "/ip4/127.0.0.1/tcp/26000".parse().expect("addr");
    let cfg = TanjiNodeConfig::new("v1", NET, listen, vec![]);
    assert!(cfg.consensus.p2p.persistent_peers_only);
    assert!(cfg.value_sync.enabled);
    assert_eq!(
        cfg.consensus.p2p.protocol_names.consensus,
        "/tanji/test.tanji.local/consensus/v1"
    );
}
