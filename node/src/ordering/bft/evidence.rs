//! Equivocation evidence: what Malachite reports about validators that
//! signed two conflicting consensus messages, checked and turned into
//! alarms (`GET /v1/alarms`).
//!
//! # Where the evidence comes from
//!
//! Malachite 0.8.2 detects equivocation itself; the app does not have to
//! watch votes. Its vote keeper (`core-votekeeper`, `PerRound::add`) keeps
//! one vote per validator, vote type and round; a second, validly signed
//! vote from the same validator for the same height, round and type with a
//! different value is a `RecordVoteError::ConflictingVote`, and the pair
//! (first vote seen, conflicting vote) goes into its `EvidenceMap` (at most
//! 3 pairs per validator and height). Its proposal keeper
//! (`core-driver`) does the same for two proposals of one round. Both
//! signatures were verified by the engine before either message was
//! applied (`core-consensus`, `handle/vote.rs`). When the height is
//! finalised, the engine takes both maps (`MisbehaviorEvidence`) and hands
//! them to the app in `AppMsg::Finalized { evidence, .. }` (and logs a
//! summary). [`super::app`] passes that evidence to
//! [`equivocations`] and stores each result with
//! [`AlarmLog::raise_consensus`](crate::replica::alarms::AlarmLog::raise_consensus).
//!
//! So a node reports the equivocations it *saw* in the heights it decided
//! through consensus. It does not report them for heights it learnt by
//! value sync (certificates carry no conflicting votes), nor for a
//! conflicting message that arrived after it finalised the height (the
//! engine drops messages of past heights). With gossip, every connected
//! node normally sees both messages while the height is open.
//!
//! # Invariants
//!
//! - Nothing is stored unless [`check`] accepts it: both messages name the
//!   same validator, height, round and type; they differ (value, or a
//!   proposal's POL round); and each signature verifies strictly with the
//!   validator's key over the exact `signed_bytes` kept in the alarm, which
//!   are recomputed here from the message fields. The stored evidence is
//!   therefore re-checkable by anyone from the alarm alone.
//! - Malformed or unverifiable evidence is logged and dropped, never fatal:
//!   it cannot stop the app loop.
//! - Deduplication (one alarm per validator, height, round and message type)
//!   is the alarm log's.

use malachitebft_app_channel::app::consensus::MisbehaviorEvidence;
use malachitebft_app_channel::app::types::core::{NilOrVal, Round, VoteType};
use tanji_api::types::ops::{ConsensusEquivocation, SignedConsensusMessage};
use tanji_ledger::crypto::{self, PublicKey};

use super::context::TanjiContext;
use super::signing::{proposal_signing_bytes, vote_signing_bytes, Signature};
use super::types::{Address, BatchId, Height, Proposal, Vote};

/// Alarm kind of two conflicting votes.
pub const EQUIVOCATING_VOTE: &str = "equivocating_vote";
/// Alarm kind of two conflicting proposals.
pub const EQUIVOCATING_PROPOSAL: &str = "equivocating_proposal";

/// One checked equivocation, ready for the alarm log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equivocation {
    /// [`EQUIVOCATING_VOTE`] or [`EQUIVOCATING_PROPOSAL`].
    pub kind: &'static str,
    /// One line for people.
    pub detail: String,
    /// A text rendering of each signed message.
    pub notes: [String; 2],
    /// The evidence itself.
    pub evidence: ConsensusEquivocation,
}

/// Why evidence was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// A field is not what it must be (hex, key, message type...).
    #[error("malformed evidence: {0}")]
    Malformed(String),
    /// The two messages are not by the same validator for the same height,
    /// round and type.
    #[error("the two messages are not by one validator for one height, round and type")]
    NotSameSlot,
    /// The two messages are the same.
    #[error("the two messages do not conflict")]
    NoConflict,
    /// A message's `signed_bytes` are not the bytes its fields sign.
    #[error("message {0}: the signed bytes do not match its fields")]
    BytesMismatch(usize),
    /// A signature does not verify.
    #[error("message {0}: the signature does not verify with the validator's key")]
    BadSignature(usize),
}

/// The checked equivocations in `evidence` (from `AppMsg::Finalized`) of
/// network `network`. `name_of` names a validator's address when it is
/// known. Pairs that fail [`check`] are logged and left out.
pub fn equivocations(
    network: &str,
    evidence: &MisbehaviorEvidence<TanjiContext>,
    name_of: impl Fn(&Address) -> Option<String>,
) -> Vec<Equivocation> {
    let mut out = Vec::new();
    for (address, pairs) in evidence.votes.iter() {
        for (first, second) in pairs {
            let e = vote_evidence(
                network,
                address,
                name_of(address),
                [
                    (&first.message, &first.signature),
                    (&second.message, &second.signature),
                ],
            );
            keep(&mut out, EQUIVOCATING_VOTE, e);
        }
    }
    for (address, pairs) in evidence.proposals.iter() {
        for (first, second) in pairs {
            let e = proposal_evidence(
                network,
                address,
                name_of(address),
                [
                    (&first.message, &first.signature),
                    (&second.message, &second.signature),
                ],
            );
            keep(&mut out, EQUIVOCATING_PROPOSAL, e);
        }
    }
    out
}

fn keep(
    out: &mut Vec<Equivocation>,
    kind: &'static str,
    evidence: Result<ConsensusEquivocation, EvidenceError>,
) {
    let evidence = match evidence.and_then(|e| check(&e).map(|()| e)) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(kind, error = %e, "equivocation evidence from the engine refused");
            return;
        }
    };
    let who = evidence
        .validator_name
        .clone()
        .unwrap_or_else(|| evidence.validator.clone());
    let value = |m: &SignedConsensusMessage| match &m.value {
        Some(v) => format!("for {v}"),
        None => "for nil".to_string(),
    };
    let detail = format!(
        "{who} (key {}) signed two different {}s at height {}, round {}: {} and {}",
        evidence.validator,
        evidence.message,
        evidence.height,
        evidence.round,
        value(&evidence.signed[0]),
        value(&evidence.signed[1]),
    );
    let notes = [
        render(&evidence, &evidence.signed[0]),
        render(&evidence, &evidence.signed[1]),
    ];
    out.push(Equivocation {
        kind,
        detail,
        notes,
        evidence,
    });
}

/// A signed message as text, for people (the alarm's notes).
fn render(e: &ConsensusEquivocation, m: &SignedConsensusMessage) -> String {
    let mut s = format!(
        "{} height {} round {} {}\n",
        e.message,
        e.height,
        e.round,
        m.value.as_deref().unwrap_or("nil")
    );
    if let Some(pol) = m.pol_round {
        s.push_str(&format!("pol_round {pol}\n"));
    }
    s.push_str(&format!(
        "validator {} {}\nnetwork {}\nsignature {}\nsigned bytes {}\n",
        e.validator_name.as_deref().unwrap_or("(unknown name)"),
        e.validator,
        e.network,
        m.signature,
        m.signed_bytes
    ));
    s
}

fn vote_type_name(t: VoteType) -> &'static str {
    match t {
        VoteType::Prevote => "prevote",
        VoteType::Precommit => "precommit",
    }
}

fn round_number(round: Round) -> u32 {
    // Votes and proposals always have a defined round; nil would be refused by check.
    round.as_u32().unwrap_or(u32::MAX)
}

/// The evidence of two votes by `address` (as the engine reported them);
/// [`EvidenceError::NotSameSlot`] unless both are by `address` for the same
/// height, round and type. Signatures are not checked here (see [`check`]).
pub fn vote_evidence(
    network: &str,
    address: &Address,
    name: Option<String>,
    votes: [(&Vote, &Signature); 2],
) -> Result<ConsensusEquivocation, EvidenceError> {
    let (first, second) = (votes[0].0, votes[1].0);
    let slot = |v: &Vote| (v.validator_address, v.height, v.round, v.vote_type);
    if slot(first) != slot(second) || first.validator_address != *address {
        return Err(EvidenceError::NotSameSlot);
    }
    let signed = votes.map(|(vote, signature)| SignedConsensusMessage {
        value: match &vote.value {
            NilOrVal::Val(id) => Some(id.to_string()),
            NilOrVal::Nil => None,
        },
        pol_round: None,
        signature: hex::encode(signature.0),
        signed_bytes: hex::encode(vote_signing_bytes(network, vote)),
    });
    Ok(ConsensusEquivocation {
        network: network.to_string(),
        height: first.height.0,
        round: round_number(first.round),
        message: vote_type_name(first.vote_type).to_string(),
        validator: address.to_string(),
        validator_name: name,
        signed,
    })
}

/// The evidence of two proposals by `address` (as the engine reported
/// them); [`EvidenceError::NotSameSlot`] unless both are by `address` for
/// the same height and round. Signatures are not checked here (see [`check`]).
pub fn proposal_evidence(
    network: &str,
    address: &Address,
    name: Option<String>,
    proposals: [(&Proposal, &Signature); 2],
) -> Result<ConsensusEquivocation, EvidenceError> {
    let (first, second) = (proposals[0].0, proposals[1].0);
    let slot = |p: &Proposal| (p.validator_address, p.height, p.round);
    if slot(first) != slot(second) || first.validator_address != *address {
        return Err(EvidenceError::NotSameSlot);
    }
    let signed = proposals.map(|(p, signature)| SignedConsensusMessage {
        value: Some(p.value.to_string()),
        pol_round: p.pol_round.as_u32(),
        signature: hex::encode(signature.0),
        signed_bytes: hex::encode(proposal_signing_bytes(network, p)),
    });
    Ok(ConsensusEquivocation {
        network: network.to_string(),
        height: first.height.0,
        round: round_number(first.round),
        message: "proposal".to_string(),
        validator: address.to_string(),
        validator_name: name,
        signed,
    })
}

fn unhex<const N: usize>(what: &str, s: &str) -> Result<[u8; N], EvidenceError> {
    let bytes = hex::decode(s).map_err(|e| EvidenceError::Malformed(format!("{what}: {e}")))?;
    bytes
        .try_into()
        .map_err(|_| EvidenceError::Malformed(format!("{what}: expected {N} bytes")))
}

/// Checks evidence on its own, from its fields alone (what a node does
/// before storing it, and what anyone can do with an alarm): the two
/// messages are for the same validator, height, round and type and differ;
/// each one's `signed_bytes` are the bytes its fields sign on `network`;
/// and each signature verifies strictly with the validator's key.
pub fn check(e: &ConsensusEquivocation) -> Result<(), EvidenceError> {
    let key = PublicKey::from_hex(&e.validator)
        .map_err(|err| EvidenceError::Malformed(format!("validator: {err}")))?;
    let address = Address::from(key);
    let height = Height(e.height);
    let round = Round::new(e.round);
    for (i, m) in e.signed.iter().enumerate() {
        let value = m
            .value
            .as_deref()
            .map(|v| unhex::<32>("value", v).map(BatchId))
            .transpose()?;
        let bytes = match e.message.as_str() {
            "prevote" | "precommit" => {
                if m.pol_round.is_some() {
                    return Err(EvidenceError::Malformed("a vote has no pol_round".into()));
                }
                let vote = Vote {
                    height,
                    round,
                    vote_type: if e.message == "prevote" {
                        VoteType::Prevote
                    } else {
                        VoteType::Precommit
                    },
                    value: value.map_or(NilOrVal::Nil, NilOrVal::Val),
                    validator_address: address,
                    extension: None,
                };
                vote_signing_bytes(&e.network, &vote)
            }
            "proposal" => {
                let value = value.ok_or_else(|| {
                    EvidenceError::Malformed("a proposal has a value".to_string())
                })?;
                let proposal = Proposal {
                    height,
                    round,
                    value,
                    pol_round: m.pol_round.map_or(Round::Nil, Round::new),
                    validator_address: address,
                };
                proposal_signing_bytes(&e.network, &proposal)
            }
            other => {
                return Err(EvidenceError::Malformed(format!(
                    "unknown message type {other:?}"
                )))
            }
        };
        let signed = hex::decode(&m.signed_bytes)
            .map_err(|err| EvidenceError::Malformed(format!("signed_bytes: {err}")))?;
        if signed != bytes {
            // The fields (height, round, type, validator, value, network)
            // are not what the signature covers.
            return Err(EvidenceError::BytesMismatch(i));
        }
        let signature = crypto::Signature(unhex::<64>("signature", &m.signature)?);
        key.verify_raw(&bytes, &signature)
            .map_err(|_| EvidenceError::BadSignature(i))?;
    }
    if e.signed[0].value == e.signed[1].value && e.signed[0].pol_round == e.signed[1].pol_round {
        return Err(EvidenceError::NoConflict);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use malachitebft_app_channel::app::types::core::SignedMessage;
    use tanji_ledger::crypto::SecretKey;

    use super::super::signing::TanjiSigner;
    use super::*;

    const NET: &str = "evidence.test";

    fn signer(seed: u8) -> TanjiSigner {
        TanjiSigner::new(NET, SecretKey::from_seed(&[seed; 32]))
    }

    fn vote(s: &TanjiSigner, vote_type: VoteType, value: Option<u8>) -> Vote {
        Vote {
            height: Height(7),
            round: Round::new(2),
            vote_type,
            value: value.map_or(NilOrVal::Nil, |b| NilOrVal::Val(BatchId([b; 32]))),
            validator_address: Address::from(s.public_key()),
            extension: None,
        }
    }

    fn signed(s: &TanjiSigner, v: Vote) -> SignedMessage<TanjiContext, Vote> {
        let sig = s.sign_vote_now(&v);
        SignedMessage::new(v, sig)
    }

    fn engine_evidence(
        pairs: Vec<(Vote, Vote)>,
        s: &TanjiSigner,
    ) -> MisbehaviorEvidence<TanjiContext> {
        let mut e = MisbehaviorEvidence::<TanjiContext> {
            proposals: Default::default(),
            votes: Default::default(),
        };
        for (a, b) in pairs {
            e.votes.add(signed(s, a), signed(s, b));
        }
        e
    }

    #[test]
    fn engine_vote_evidence_becomes_checked_alarms() {
        let s = signer(3);
        let evidence = engine_evidence(
            vec![
                (
                    vote(&s, VoteType::Prevote, Some(1)),
                    vote(&s, VoteType::Prevote, None),
                ),
                (
                    vote(&s, VoteType::Precommit, Some(1)),
                    vote(&s, VoteType::Precommit, Some(2)),
                ),
            ],
            &s,
        );
        let found = equivocations(NET, &evidence, |_| Some("validator-3".into()));
        assert_eq!(found.len(), 2);
        let prevote = &found[0];
        assert_eq!(prevote.kind, EQUIVOCATING_VOTE);
        let e = &prevote.evidence;
        assert_eq!((e.height, e.round, e.message.as_str()), (7, 2, "prevote"));
        assert_eq!(e.validator, s.public_key().to_hex());
        assert_eq!(e.validator_name.as_deref(), Some("validator-3"));
        assert_eq!(e.signed[0].value, Some(hex::encode([1u8; 32])));
        assert_eq!(e.signed[1].value, None);
        assert!(prevote.detail.contains("validator-3"), "{}", prevote.detail);
        assert!(prevote.notes[1].contains("nil"), "{}", prevote.notes[1]);
        // Re-verifiable with nothing but the key and the hex fields.
        for m in &e.signed {
            let bytes = hex::decode(&m.signed_bytes).unwrap();
            assert!(bytes.starts_with(b"tanji/vote/v1\0"));
            let sig: [u8; 64] = hex::decode(&m.signature).unwrap().try_into().unwrap();
            s.public_key()
                .verify_raw(&bytes, &crypto::Signature(sig))
                .unwrap();
        }
        assert_eq!(found[1].evidence.message, "precommit");
        check(&found[1].evidence).unwrap();
    }

    #[test]
    fn forged_or_mismatched_evidence_is_refused() {
        let s = signer(3);
        let other = signer(4);
        let a = vote(&s, VoteType::Prevote, Some(1));
        let b = vote(&s, VoteType::Prevote, None);
        let addr = Address::from(s.public_key());
        let good = vote_evidence(
            NET,
            &addr,
            None,
            [(&a, &s.sign_vote_now(&a)), (&b, &s.sign_vote_now(&b))],
        )
        .unwrap();
        check(&good).unwrap();

        // A signature by another key.
        let forged = vote_evidence(
            NET,
            &addr,
            None,
            [(&a, &s.sign_vote_now(&a)), (&b, &other.sign_vote_now(&b))],
        )
        .unwrap();
        assert_eq!(check(&forged), Err(EvidenceError::BadSignature(1)));

        // The fields say something the bytes do not.
        let mut lying = good.clone();
        lying.round = 5;
        assert_eq!(check(&lying), Err(EvidenceError::BytesMismatch(0)));
        let mut lying = good.clone();
        lying.signed[1].value = Some(hex::encode([9u8; 32]));
        assert!(check(&lying).is_err());

        // Another network.
        let mut elsewhere = good.clone();
        elsewhere.network = "other.net".into();
        assert!(check(&elsewhere).is_err());

        // Two different slots are not an equivocation.
        let mut c = b.clone();
        c.round = Round::new(3);
        let slots = vote_evidence(
            NET,
            &addr,
            None,
            [(&a, &s.sign_vote_now(&a)), (&c, &s.sign_vote_now(&c))],
        );
        assert_eq!(slots, Err(EvidenceError::NotSameSlot));
        let by_other = vote_evidence(
            NET,
            &Address::from(other.public_key()),
            None,
            [(&a, &s.sign_vote_now(&a)), (&b, &s.sign_vote_now(&b))],
        );
        assert_eq!(by_other, Err(EvidenceError::NotSameSlot));

        // The same vote twice is no conflict.
        let same = vote_evidence(
            NET,
            &addr,
            None,
            [(&a, &s.sign_vote_now(&a)), (&a, &s.sign_vote_now(&a))],
        )
        .unwrap();
        assert_eq!(check(&same), Err(EvidenceError::NoConflict));

        // Engine evidence that does not check out is dropped, not stored.
        let evidence = engine_evidence(vec![(a.clone(), c)], &s);
        assert!(equivocations(NET, &evidence, |_| None).is_empty());

        // Garbage never panics.
        let mut garbage = good;
        garbage.validator = "zz".into();
        assert!(matches!(check(&garbage), Err(EvidenceError::Malformed(_))));
    }

    #[test]
    fn proposal_evidence_is_checked_too() {
        let s = signer(5);
        let addr = Address::from(s.public_key());
        let p = |b: u8| Proposal {
            height: Height(3),
            round: Round::new(0),
            value: BatchId([b; 32]),
            pol_round: Round::Nil,
            validator_address: addr,
        };
        let (a, b) = (p(1), p(2));
        let e = proposal_evidence(
            NET,
            &addr,
            Some("validator-5".into()),
            [
                (&a, &s.sign_proposal_now(&a)),
                (&b, &s.sign_proposal_now(&b)),
            ],
        )
        .unwrap();
        assert_eq!(e.message, "proposal");
        check(&e).unwrap();
    }
}
