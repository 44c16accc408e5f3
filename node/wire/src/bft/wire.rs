//! Borsh "wire" mirrors of Malachite's generic types.
//!
//! Malachite's own borsh support stops short of `ExtendedCommitCertificate`
//! and `ValidatorProof`, and the orphan rule forbids implementing borsh for
//! them here, so every message has a local mirror that derives borsh, with
//! `From` (Malachite → wire, infallible) and `TryFrom` (wire → Malachite,
//! checks what borsh cannot: peer ids, lengths) conversions. The mirrors are
//! also what signatures cover (see [`VoteFields`], [`ProposalFields`],
//! [`ExtensionFields`]), so the signed bytes and the transmitted bytes are
//! built by the same code.
//!
//! Conventions: `Round` is `Option<u32>` (`None` = nil), `NilOrVal<BatchId>`
//! is `Option<[u8; 32]>`, heights are `u64`, addresses `[u8; 32]`,
//! signatures `[u8; 64]`, enums a one-byte borsh tag.

use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use malachitebft_app_channel::app::consensus::LivenessMsg;
use malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use malachitebft_app_channel::app::types::core::{
    CommitCertificate, CommitSignature, ExtendedCommitCertificate, ExtendedCommitSignature,
    NilOrVal, PolkaCertificate, PolkaSignature, Round, RoundCertificate, RoundCertificateType,
    RoundSignature, SignedExtension, SignedMessage, ValidatorProof, Validity, VoteType,
};
use malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use malachitebft_app_channel::app::types::{PeerId, ProposedValue, SignedConsensusMsg};

use super::codec::CodecError;
use super::context::TanjiContext;
use super::limits::{MAX_BATCH_BYTES, MAX_BATCH_TXS, MAX_TX_BYTES};
use super::scheme::Signature;
use super::types::{Address, BatchId, Height, Proposal, ProposalPart, Vote, MAX_VALIDATORS};

/// Longest vote extension accepted (bytes).
pub const MAX_EXTENSION_BYTES: usize = 1024;
/// Longest encoded public key in a validator proof (ed25519 keys are 32).
pub const MAX_PROOF_KEY_BYTES: usize = 64;
/// Longest encoded libp2p peer id (an inlined ed25519 key is 38).
pub const MAX_PEER_ID_BYTES: usize = 128;
/// Longest stream id accepted (Tanji's are 16 or 24 bytes).
pub const MAX_STREAM_ID_BYTES: usize = 64;
/// Most signatures in a certificate. A commit or polka certificate holds at
/// most one per validator, a round certificate at most a prevote and a
/// precommit per validator.
pub const MAX_CERTIFICATE_SIGNATURES: usize = 2 * MAX_VALIDATORS;

fn check_signatures(kind: &str, n: usize) -> Result<(), CodecError> {
    if n > MAX_CERTIFICATE_SIGNATURES {
        return Err(CodecError::Invalid(format!(
            "{kind} with {n} signatures, more than {MAX_CERTIFICATE_SIGNATURES}"
        )));
    }
    Ok(())
}

fn round_to(r: Round) -> Option<u32> {
    r.as_u32()
}

fn round_from(r: Option<u32>) -> Round {
    Round::from(r)
}

fn value_to(v: &NilOrVal<BatchId>) -> Option<[u8; 32]> {
    match v {
        NilOrVal::Nil => None,
        NilOrVal::Val(id) => Some(id.0),
    }
}

fn value_from(v: Option<[u8; 32]>) -> NilOrVal<BatchId> {
    match v {
        None => NilOrVal::Nil,
        Some(id) => NilOrVal::Val(BatchId(id)),
    }
}

fn peer_id_from(bytes: &[u8]) -> Result<PeerId, CodecError> {
    if bytes.len() > MAX_PEER_ID_BYTES {
        return Err(CodecError::Invalid("peer id too long".into()));
    }
    PeerId::from_bytes(bytes).map_err(|e| CodecError::Invalid(format!("peer id: {e}")))
}

/// `VoteType` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WireVoteType {
    /// Prevote.
    Prevote,
    /// Precommit.
    Precommit,
}

impl From<VoteType> for WireVoteType {
    fn from(t: VoteType) -> Self {
        match t {
            VoteType::Prevote => Self::Prevote,
            VoteType::Precommit => Self::Precommit,
        }
    }
}

impl From<WireVoteType> for VoteType {
    fn from(t: WireVoteType) -> Self {
        match t {
            WireVoteType::Prevote => Self::Prevote,
            WireVoteType::Precommit => Self::Precommit,
        }
    }
}

/// The fields of a vote that its signature covers (everything but the extension).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct VoteFields {
    /// Height.
    pub height: u64,
    /// Round (`None` = nil).
    pub round: Option<u32>,
    /// Prevote or precommit.
    pub vote_type: WireVoteType,
    /// Batch id, or `None` for nil.
    pub value: Option<[u8; 32]>,
    /// The voter's address.
    pub validator: [u8; 32],
}

impl From<&Vote> for VoteFields {
    fn from(v: &Vote) -> Self {
        Self {
            height: v.height.0,
            round: round_to(v.round),
            vote_type: v.vote_type.into(),
            value: value_to(&v.value),
            validator: v.validator_address.0,
        }
    }
}

/// The fields of a proposal that its signature covers (all of them).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ProposalFields {
    /// Height.
    pub height: u64,
    /// Round.
    pub round: Option<u32>,
    /// The proposed batch id.
    pub value: [u8; 32],
    /// Proof-of-lock round.
    pub pol_round: Option<u32>,
    /// The proposer's address.
    pub proposer: [u8; 32],
}

impl From<&Proposal> for ProposalFields {
    fn from(p: &Proposal) -> Self {
        Self {
            height: p.height.0,
            round: round_to(p.round),
            value: p.value.0,
            pol_round: round_to(p.pol_round),
            proposer: p.validator_address.0,
        }
    }
}

impl From<ProposalFields> for Proposal {
    fn from(p: ProposalFields) -> Self {
        Self {
            height: Height(p.height),
            round: round_from(p.round),
            value: BatchId(p.value),
            pol_round: round_from(p.pol_round),
            validator_address: Address(p.proposer),
        }
    }
}

/// What a vote extension's signature covers: its scope and its bytes.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ExtensionFields {
    /// Height.
    pub height: u64,
    /// Round.
    pub round: Option<u32>,
    /// The batch the extended precommit is for.
    pub value: [u8; 32],
    /// The extending validator.
    pub validator: [u8; 32],
    /// The extension.
    pub extension: Vec<u8>,
}

/// A signed vote extension.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireSignedExtension {
    /// The extension bytes.
    pub extension: Vec<u8>,
    /// Its signature.
    pub signature: [u8; 64],
}

impl From<&SignedExtension<TanjiContext>> for WireSignedExtension {
    fn from(e: &SignedExtension<TanjiContext>) -> Self {
        Self {
            extension: e.message.clone(),
            signature: e.signature.0,
        }
    }
}

impl TryFrom<WireSignedExtension> for SignedExtension<TanjiContext> {
    type Error = CodecError;

    fn try_from(e: WireSignedExtension) -> Result<Self, CodecError> {
        if e.extension.len() > MAX_EXTENSION_BYTES {
            return Err(CodecError::Invalid(format!(
                "vote extension of {} bytes, more than {MAX_EXTENSION_BYTES}",
                e.extension.len()
            )));
        }
        Ok(SignedMessage::new(e.extension, Signature(e.signature)))
    }
}

fn ext_from(
    e: Option<WireSignedExtension>,
) -> Result<Option<SignedExtension<TanjiContext>>, CodecError> {
    e.map(SignedExtension::<TanjiContext>::try_from).transpose()
}

/// A vote with its (separately signed) extension.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireVote {
    /// The signed fields.
    pub fields: VoteFields,
    /// The extension, if any.
    pub extension: Option<WireSignedExtension>,
}

impl From<&Vote> for WireVote {
    fn from(v: &Vote) -> Self {
        Self {
            fields: v.into(),
            extension: v.extension.as_ref().map(Into::into),
        }
    }
}

impl TryFrom<WireVote> for Vote {
    type Error = CodecError;

    fn try_from(v: WireVote) -> Result<Self, CodecError> {
        Ok(Vote {
            height: Height(v.fields.height),
            round: round_from(v.fields.round),
            vote_type: v.fields.vote_type.into(),
            value: value_from(v.fields.value),
            validator_address: Address(v.fields.validator),
            extension: ext_from(v.extension)?,
        })
    }
}

/// A signed vote.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireSignedVote {
    /// The vote.
    pub vote: WireVote,
    /// Signature over [`VoteFields`].
    pub signature: [u8; 64],
}

type SignedVote = SignedMessage<TanjiContext, Vote>;
type SignedProposal = SignedMessage<TanjiContext, Proposal>;

impl From<&SignedVote> for WireSignedVote {
    fn from(v: &SignedVote) -> Self {
        Self {
            vote: (&v.message).into(),
            signature: v.signature.0,
        }
    }
}

impl TryFrom<WireSignedVote> for SignedVote {
    type Error = CodecError;

    fn try_from(v: WireSignedVote) -> Result<Self, CodecError> {
        Ok(SignedMessage::new(
            v.vote.try_into()?,
            Signature(v.signature),
        ))
    }
}

/// A signed proposal.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireSignedProposal {
    /// The proposal.
    pub proposal: ProposalFields,
    /// Signature over [`ProposalFields`].
    pub signature: [u8; 64],
}

impl From<&SignedProposal> for WireSignedProposal {
    fn from(p: &SignedProposal) -> Self {
        Self {
            proposal: (&p.message).into(),
            signature: p.signature.0,
        }
    }
}

impl From<WireSignedProposal> for SignedProposal {
    fn from(p: WireSignedProposal) -> Self {
        SignedMessage::new(p.proposal.into(), Signature(p.signature))
    }
}

/// `SignedConsensusMsg` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WireConsensusMsg {
    /// A signed vote.
    Vote(WireSignedVote),
    /// A signed proposal.
    Proposal(WireSignedProposal),
}

impl From<&SignedConsensusMsg<TanjiContext>> for WireConsensusMsg {
    fn from(m: &SignedConsensusMsg<TanjiContext>) -> Self {
        match m {
            SignedConsensusMsg::Vote(v) => Self::Vote(v.into()),
            SignedConsensusMsg::Proposal(p) => Self::Proposal(p.into()),
        }
    }
}

impl TryFrom<WireConsensusMsg> for SignedConsensusMsg<TanjiContext> {
    type Error = CodecError;

    fn try_from(m: WireConsensusMsg) -> Result<Self, CodecError> {
        Ok(match m {
            WireConsensusMsg::Vote(v) => SignedConsensusMsg::Vote(v.try_into()?),
            WireConsensusMsg::Proposal(p) => SignedConsensusMsg::Proposal(p.into()),
        })
    }
}

/// An address with a signature (commit and polka signatures).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireAddressSignature {
    /// The signer.
    pub address: [u8; 32],
    /// Its signature.
    pub signature: [u8; 64],
}

/// `CommitCertificate` (and, as [`WirePolkaCertificate`], `PolkaCertificate`) on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireCommitCertificate {
    /// Height.
    pub height: u64,
    /// Round.
    pub round: Option<u32>,
    /// Decided batch id.
    pub value_id: [u8; 32],
    /// Precommit (or, for a polka, prevote) signatures.
    pub signatures: Vec<WireAddressSignature>,
}

impl From<&CommitCertificate<TanjiContext>> for WireCommitCertificate {
    fn from(c: &CommitCertificate<TanjiContext>) -> Self {
        Self {
            height: c.height.0,
            round: round_to(c.round),
            value_id: c.value_id.0,
            signatures: c
                .commit_signatures
                .iter()
                .map(|s| WireAddressSignature {
                    address: s.address.0,
                    signature: s.signature.0,
                })
                .collect(),
        }
    }
}

impl TryFrom<WireCommitCertificate> for CommitCertificate<TanjiContext> {
    type Error = CodecError;

    fn try_from(c: WireCommitCertificate) -> Result<Self, CodecError> {
        check_signatures("commit certificate", c.signatures.len())?;
        Ok(CommitCertificate {
            height: Height(c.height),
            round: round_from(c.round),
            value_id: BatchId(c.value_id),
            commit_signatures: c
                .signatures
                .into_iter()
                .map(|s| CommitSignature::new(Address(s.address), Signature(s.signature)))
                .collect(),
        })
    }
}

/// `ExtendedCommitSignature` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireExtendedCommitSignature {
    /// The signer.
    pub address: [u8; 32],
    /// Its precommit signature.
    pub signature: [u8; 64],
    /// Its signed vote extension, if any.
    pub extension: Option<WireSignedExtension>,
}

/// `ExtendedCommitCertificate` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireExtendedCommitCertificate {
    /// Height.
    pub height: u64,
    /// Round.
    pub round: Option<u32>,
    /// Decided batch id.
    pub value_id: [u8; 32],
    /// Precommit signatures with extensions.
    pub signatures: Vec<WireExtendedCommitSignature>,
}

impl From<&ExtendedCommitCertificate<TanjiContext>> for WireExtendedCommitCertificate {
    fn from(c: &ExtendedCommitCertificate<TanjiContext>) -> Self {
        Self {
            height: c.height.0,
            round: round_to(c.round),
            value_id: c.value_id.0,
            signatures: c
                .commit_signatures
                .iter()
                .map(|s| WireExtendedCommitSignature {
                    address: s.address.0,
                    signature: s.signature.0,
                    extension: s.extension.as_ref().map(Into::into),
                })
                .collect(),
        }
    }
}

impl TryFrom<WireExtendedCommitCertificate> for ExtendedCommitCertificate<TanjiContext> {
    type Error = CodecError;

    fn try_from(c: WireExtendedCommitCertificate) -> Result<Self, CodecError> {
        check_signatures("extended commit certificate", c.signatures.len())?;
        Ok(ExtendedCommitCertificate {
            height: Height(c.height),
            round: round_from(c.round),
            value_id: BatchId(c.value_id),
            commit_signatures: c
                .signatures
                .into_iter()
                .map(|s| {
                    Ok(ExtendedCommitSignature::new(
                        Address(s.address),
                        Signature(s.signature),
                        ext_from(s.extension)?,
                    ))
                })
                .collect::<Result<_, CodecError>>()?,
        })
    }
}

/// `PolkaCertificate` on the wire: the same shape as a commit certificate
/// (height, round, value id, one signature per validator), here of prevotes.
pub type WirePolkaCertificate = WireCommitCertificate;

impl From<&PolkaCertificate<TanjiContext>> for WirePolkaCertificate {
    fn from(c: &PolkaCertificate<TanjiContext>) -> Self {
        Self {
            height: c.height.0,
            round: round_to(c.round),
            value_id: c.value_id.0,
            signatures: c
                .polka_signatures
                .iter()
                .map(|s| WireAddressSignature {
                    address: s.address.0,
                    signature: s.signature.0,
                })
                .collect(),
        }
    }
}

impl TryFrom<WirePolkaCertificate> for PolkaCertificate<TanjiContext> {
    type Error = CodecError;

    fn try_from(c: WirePolkaCertificate) -> Result<Self, CodecError> {
        check_signatures("polka certificate", c.signatures.len())?;
        Ok(PolkaCertificate {
            height: Height(c.height),
            round: round_from(c.round),
            value_id: BatchId(c.value_id),
            polka_signatures: c
                .signatures
                .into_iter()
                .map(|s| PolkaSignature::new(Address(s.address), Signature(s.signature)))
                .collect(),
        })
    }
}

/// `RoundCertificateType` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WireRoundCertificateType {
    /// Skip-round certificate.
    Skip,
    /// Precommit certificate.
    Precommit,
}

/// `RoundSignature` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireRoundSignature {
    /// Prevote or precommit.
    pub vote_type: WireVoteType,
    /// The batch voted for, or nil.
    pub value_id: Option<[u8; 32]>,
    /// The voter.
    pub address: [u8; 32],
    /// Its signature.
    pub signature: [u8; 64],
}

/// `RoundCertificate` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireRoundCertificate {
    /// Height.
    pub height: u64,
    /// Round.
    pub round: Option<u32>,
    /// Kind of certificate.
    pub cert_type: WireRoundCertificateType,
    /// The votes' signatures.
    pub signatures: Vec<WireRoundSignature>,
}

impl From<&RoundCertificate<TanjiContext>> for WireRoundCertificate {
    fn from(c: &RoundCertificate<TanjiContext>) -> Self {
        Self {
            height: c.height.0,
            round: round_to(c.round),
            cert_type: match c.cert_type {
                RoundCertificateType::Skip => WireRoundCertificateType::Skip,
                RoundCertificateType::Precommit => WireRoundCertificateType::Precommit,
            },
            signatures: c
                .round_signatures
                .iter()
                .map(|s| WireRoundSignature {
                    vote_type: s.vote_type.into(),
                    value_id: value_to(&s.value_id),
                    address: s.address.0,
                    signature: s.signature.0,
                })
                .collect(),
        }
    }
}

impl TryFrom<WireRoundCertificate> for RoundCertificate<TanjiContext> {
    type Error = CodecError;

    fn try_from(c: WireRoundCertificate) -> Result<Self, CodecError> {
        check_signatures("round certificate", c.signatures.len())?;
        Ok(RoundCertificate {
            height: Height(c.height),
            round: round_from(c.round),
            cert_type: match c.cert_type {
                WireRoundCertificateType::Skip => RoundCertificateType::Skip,
                WireRoundCertificateType::Precommit => RoundCertificateType::Precommit,
            },
            round_signatures: c
                .signatures
                .into_iter()
                .map(|s| {
                    RoundSignature::new(
                        s.vote_type.into(),
                        value_from(s.value_id),
                        Address(s.address),
                        Signature(s.signature),
                    )
                })
                .collect(),
        })
    }
}

/// `LivenessMsg` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WireLivenessMsg {
    /// A re-broadcast vote.
    Vote(WireSignedVote),
    /// A polka certificate.
    PolkaCertificate(WirePolkaCertificate),
    /// A skip-round certificate.
    SkipRoundCertificate(WireRoundCertificate),
}

impl From<&LivenessMsg<TanjiContext>> for WireLivenessMsg {
    fn from(m: &LivenessMsg<TanjiContext>) -> Self {
        match m {
            LivenessMsg::Vote(v) => Self::Vote(v.into()),
            LivenessMsg::PolkaCertificate(c) => Self::PolkaCertificate(c.into()),
            LivenessMsg::SkipRoundCertificate(c) => Self::SkipRoundCertificate(c.into()),
        }
    }
}

impl TryFrom<WireLivenessMsg> for LivenessMsg<TanjiContext> {
    type Error = CodecError;

    fn try_from(m: WireLivenessMsg) -> Result<Self, CodecError> {
        Ok(match m {
            WireLivenessMsg::Vote(v) => LivenessMsg::Vote(v.try_into()?),
            WireLivenessMsg::PolkaCertificate(c) => LivenessMsg::PolkaCertificate(c.try_into()?),
            WireLivenessMsg::SkipRoundCertificate(c) => {
                LivenessMsg::SkipRoundCertificate(c.try_into()?)
            }
        })
    }
}

/// `ProposalPart` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WireProposalPart {
    /// See [`ProposalPart::Init`].
    Init {
        /// Height.
        height: u64,
        /// Round.
        round: Option<u32>,
        /// Proof-of-lock round.
        pol_round: Option<u32>,
        /// Proposer address.
        proposer: [u8; 32],
    },
    /// See [`ProposalPart::Data`].
    Data {
        /// Entries.
        txs: Vec<Vec<u8>>,
    },
    /// See [`ProposalPart::Fin`].
    Fin {
        /// Proposer's signature.
        signature: [u8; 64],
    },
}

impl From<&ProposalPart> for WireProposalPart {
    fn from(p: &ProposalPart) -> Self {
        match p {
            ProposalPart::Init {
                height,
                round,
                pol_round,
                proposer,
            } => Self::Init {
                height: height.0,
                round: round_to(*round),
                pol_round: round_to(*pol_round),
                proposer: proposer.0,
            },
            ProposalPart::Data { txs } => Self::Data { txs: txs.clone() },
            ProposalPart::Fin { signature } => Self::Fin {
                signature: signature.0,
            },
        }
    }
}

impl TryFrom<WireProposalPart> for ProposalPart {
    type Error = CodecError;

    /// Checks a `Data` chunk's shape: non-empty, at most [`MAX_BATCH_TXS`]
    /// entries, each non-empty and at most [`MAX_TX_BYTES`] (what every
    /// honest chunk is; the batch assembly checks the same again).
    fn try_from(p: WireProposalPart) -> Result<Self, CodecError> {
        Ok(match p {
            WireProposalPart::Init {
                height,
                round,
                pol_round,
                proposer,
            } => Self::Init {
                height: Height(height),
                round: round_from(round),
                pol_round: round_from(pol_round),
                proposer: Address(proposer),
            },
            WireProposalPart::Data { txs } => {
                if txs.is_empty() || txs.len() > MAX_BATCH_TXS {
                    return Err(CodecError::Invalid(format!(
                        "data chunk of {} entries, not 1..={MAX_BATCH_TXS}",
                        txs.len()
                    )));
                }
                if let Some(tx) = txs.iter().find(|t| t.is_empty() || t.len() > MAX_TX_BYTES) {
                    return Err(CodecError::Invalid(format!(
                        "data chunk entry of {} bytes, not 1..={MAX_TX_BYTES}",
                        tx.len()
                    )));
                }
                Self::Data { txs }
            }
            WireProposalPart::Fin { signature } => Self::Fin {
                signature: Signature(signature),
            },
        })
    }
}

/// `StreamContent<ProposalPart>` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WireStreamContent {
    /// A part.
    Data(WireProposalPart),
    /// End of stream.
    Fin,
}

/// `StreamMessage<ProposalPart>` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireStreamMessage {
    /// Stream id bytes.
    pub stream_id: Vec<u8>,
    /// Position in the stream, from 0.
    pub sequence: u64,
    /// Content.
    pub content: WireStreamContent,
}

impl From<&StreamMessage<ProposalPart>> for WireStreamMessage {
    fn from(m: &StreamMessage<ProposalPart>) -> Self {
        Self {
            stream_id: m.stream_id.to_bytes().to_vec(),
            sequence: m.sequence,
            content: match &m.content {
                StreamContent::Data(p) => WireStreamContent::Data(p.into()),
                StreamContent::Fin => WireStreamContent::Fin,
            },
        }
    }
}

impl TryFrom<WireStreamMessage> for StreamMessage<ProposalPart> {
    type Error = CodecError;

    fn try_from(m: WireStreamMessage) -> Result<Self, CodecError> {
        if m.stream_id.len() > MAX_STREAM_ID_BYTES {
            return Err(CodecError::Invalid("stream id too long".into()));
        }
        Ok(StreamMessage::new(
            StreamId::new(Bytes::from(m.stream_id)),
            m.sequence,
            match m.content {
                WireStreamContent::Data(p) => StreamContent::Data(p.try_into()?),
                WireStreamContent::Fin => StreamContent::Fin,
            },
        ))
    }
}

/// `ValidatorProof` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireValidatorProof {
    /// Encoded consensus public key.
    pub public_key: Vec<u8>,
    /// libp2p peer id bytes.
    pub peer_id: Vec<u8>,
    /// Signature over Malachite's `ValidatorProof::signing_bytes`.
    pub signature: [u8; 64],
}

impl From<&ValidatorProof<TanjiContext>> for WireValidatorProof {
    fn from(p: &ValidatorProof<TanjiContext>) -> Self {
        Self {
            public_key: p.public_key.clone(),
            peer_id: p.peer_id.clone(),
            signature: p.signature.0,
        }
    }
}

impl TryFrom<WireValidatorProof> for ValidatorProof<TanjiContext> {
    type Error = CodecError;

    fn try_from(p: WireValidatorProof) -> Result<Self, CodecError> {
        if p.public_key.len() > MAX_PROOF_KEY_BYTES || p.peer_id.len() > MAX_PEER_ID_BYTES {
            return Err(CodecError::Invalid("validator proof field too long".into()));
        }
        Ok(ValidatorProof::new(
            p.public_key,
            p.peer_id,
            Signature(p.signature),
        ))
    }
}

/// `ProposedValue` on the wire (WAL only).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireProposedValue {
    /// Height.
    pub height: u64,
    /// Round.
    pub round: Option<u32>,
    /// Valid (POL) round.
    pub valid_round: Option<u32>,
    /// Proposer.
    pub proposer: [u8; 32],
    /// Batch id.
    pub value: [u8; 32],
    /// Whether the app found it valid.
    pub valid: bool,
}

impl From<&ProposedValue<TanjiContext>> for WireProposedValue {
    fn from(v: &ProposedValue<TanjiContext>) -> Self {
        Self {
            height: v.height.0,
            round: round_to(v.round),
            valid_round: round_to(v.valid_round),
            proposer: v.proposer.0,
            value: v.value.0,
            valid: v.validity.is_valid(),
        }
    }
}

impl From<WireProposedValue> for ProposedValue<TanjiContext> {
    fn from(v: WireProposedValue) -> Self {
        ProposedValue {
            height: Height(v.height),
            round: round_from(v.round),
            valid_round: round_from(v.valid_round),
            proposer: Address(v.proposer),
            value: BatchId(v.value),
            validity: Validity::from_bool(v.valid),
        }
    }
}

/// Sync `Status` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireStatus {
    /// The peer's libp2p id bytes.
    pub peer_id: Vec<u8>,
    /// Its highest decided height.
    pub tip_height: u64,
    /// The lowest height it can serve.
    pub history_min_height: u64,
}

impl From<&Status<TanjiContext>> for WireStatus {
    fn from(s: &Status<TanjiContext>) -> Self {
        Self {
            peer_id: s.peer_id.to_bytes(),
            tip_height: s.tip_height.0,
            history_min_height: s.history_min_height.0,
        }
    }
}

impl TryFrom<WireStatus> for Status<TanjiContext> {
    type Error = CodecError;

    fn try_from(s: WireStatus) -> Result<Self, CodecError> {
        Ok(Status {
            peer_id: peer_id_from(&s.peer_id)?,
            tip_height: Height(s.tip_height),
            history_min_height: Height(s.history_min_height),
        })
    }
}

/// Sync `Request` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WireRequest {
    /// Decided values for the heights `start..=end`.
    ValueRequest {
        /// First height.
        start: u64,
        /// Last height (inclusive).
        end: u64,
    },
}

impl From<&Request<TanjiContext>> for WireRequest {
    fn from(r: &Request<TanjiContext>) -> Self {
        match r {
            Request::ValueRequest(v) => Self::ValueRequest {
                start: v.range.start().0,
                end: v.range.end().0,
            },
        }
    }
}

impl From<WireRequest> for Request<TanjiContext> {
    fn from(r: WireRequest) -> Self {
        match r {
            WireRequest::ValueRequest { start, end } => Request::ValueRequest(
                malachitebft_sync::ValueRequest::new(Height(start)..=Height(end)),
            ),
        }
    }
}

/// A decided value as served by sync: the batch's canonical bytes and its
/// extended commit certificate.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireRawDecidedValue {
    /// Canonical batch encoding.
    pub value_bytes: Vec<u8>,
    /// Its certificate.
    pub certificate: WireExtendedCommitCertificate,
}

impl From<&RawDecidedValue<TanjiContext>> for WireRawDecidedValue {
    fn from(v: &RawDecidedValue<TanjiContext>) -> Self {
        Self {
            value_bytes: v.value_bytes.to_vec(),
            certificate: (&v.certificate).into(),
        }
    }
}

impl TryFrom<WireRawDecidedValue> for RawDecidedValue<TanjiContext> {
    type Error = CodecError;

    fn try_from(v: WireRawDecidedValue) -> Result<Self, CodecError> {
        if v.value_bytes.len() > MAX_BATCH_BYTES {
            return Err(CodecError::Invalid(format!(
                "decided value of {} bytes, more than {MAX_BATCH_BYTES}",
                v.value_bytes.len()
            )));
        }
        Ok(RawDecidedValue::new(
            Bytes::from(v.value_bytes),
            v.certificate.try_into()?,
        ))
    }
}

/// Sync `Response` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WireResponse {
    /// Decided values from `start_height` on, contiguous.
    ValueResponse {
        /// Height of the first value.
        start_height: u64,
        /// The values.
        values: Vec<WireRawDecidedValue>,
    },
}

impl From<&Response<TanjiContext>> for WireResponse {
    fn from(r: &Response<TanjiContext>) -> Self {
        match r {
            Response::ValueResponse(v) => Self::ValueResponse {
                start_height: v.start_height.0,
                values: v.values.iter().map(Into::into).collect(),
            },
        }
    }
}

impl TryFrom<WireResponse> for Response<TanjiContext> {
    type Error = CodecError;

    fn try_from(r: WireResponse) -> Result<Self, CodecError> {
        match r {
            WireResponse::ValueResponse {
                start_height,
                values,
            } => Ok(Response::ValueResponse(
                malachitebft_sync::ValueResponse::new(
                    Height(start_height),
                    values
                        .into_iter()
                        .map(RawDecidedValue::try_from)
                        .collect::<Result<_, _>>()?,
                ),
            )),
        }
    }
}
