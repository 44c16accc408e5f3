//! Batches (Malachite's decided values) and how they travel as proposal parts.
//!
//! A [`Batch`] is an ordered list of entries, each the borsh encoding of a
//! `SignedTx`. Its canonical encoding is `borsh(Vec<Vec<u8>>)`; its id is
//! `BLAKE3::derive_key("tanji/batch-id/v1", canonical encoding)`. The same
//! canonical bytes are what sync serves as `RawDecidedValue::value_bytes`.
//!
//! Limits (checked when a batch is built and when one is decoded or
//! reassembled): at most [`MAX_BATCH_TXS`] entries, each non-empty and at most
//! [`MAX_TX_BYTES`], and at most [`MAX_BATCH_BYTES`] encoded.
//!
//! A proposal streams as `Init{height, round, pol_round, proposer}`, then
//! `Data{txs}` chunks of consecutive entries (each chunk non-empty and at
//! most [`MAX_PART_BYTES`] encoded), then `Fin{signature}`. The signature is
//! the proposer's, under the [`PROPOSAL_PARTS_V1`] context, over the parts
//! digest
//!
//! ```text
//! BLAKE3( "tanji/proposal-parts/v1" ‖ 0x00 ‖ borsh(network)
//!         ‖ borsh(height u64, round Option<u32>, pol_round Option<u32>, proposer [u8;32])
//!         ‖ borsh(chunk 1) ‖ … ‖ borsh(chunk n) )
//! ```
//!
//! Each `borsh(chunk)` is self-delimiting, so the digest commits to the exact
//! chunking as well as to the entries. Malachite (0.8) no longer signs parts
//! itself, so this signature is what stops anyone but the round's proposer
//! from injecting a batch. A re-proposal in a later round (Malachite's
//! `RestreamProposal`) is a new stream with a new `Init` and therefore a new
//! `Fin` signature by that round's proposer.

use std::collections::BTreeMap;

use borsh::BorshSerialize;
use malachitebft_app_channel::app::streaming::{StreamContent, StreamMessage};
use malachitebft_app_channel::app::types::core::Round;
use tanji_ledger::crypto::{domain, PublicKey, SecretKey};
use tanji_ledger::encoding;
use tanji_ledger::tx::SignedTx;

pub use tanji_ledger::tx::MAX_TX_BYTES;

use super::signing::Signature;
use super::types::{Address, BatchId, Height, ProposalPart, ValidatorSet};

/// BLAKE3 `derive_key` context of batch ids.
pub const BATCH_ID_V1: &str = "tanji/batch-id/v1";
/// Context of the proposal-parts digest and of the `Fin` signature.
pub const PROPOSAL_PARTS_V1: &str = "tanji/proposal-parts/v1";
/// The batch and part limits (shared with the codec in `tanji-wire`).
pub use tanji_wire::bft::limits::{MAX_BATCH_BYTES, MAX_BATCH_TXS, MAX_PART_BYTES};

/// A batch or a stream of parts breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// More than [`MAX_BATCH_TXS`] entries.
    #[error("{0} entries, more than the limit of {MAX_BATCH_TXS}")]
    TooManyTxs(usize),
    /// An entry is empty or larger than [`MAX_TX_BYTES`].
    #[error("entry {index} has {len} bytes (allowed 1..={MAX_TX_BYTES})")]
    BadTxSize {
        /// Position in the batch.
        index: usize,
        /// Its size.
        len: usize,
    },
    /// The encoded batch is larger than [`MAX_BATCH_BYTES`].
    #[error("batch of {0} bytes, more than the limit of {MAX_BATCH_BYTES}")]
    TooLarge(usize),
    /// The bytes are not a canonical batch encoding.
    #[error("malformed batch: {0}")]
    Malformed(String),
    /// The parts are not `Init`, `Data`…, `Fin` in that order.
    #[error("proposal parts out of shape: {0}")]
    PartsShape(&'static str),
    /// A `Data` chunk is empty or larger than [`MAX_PART_BYTES`].
    #[error("data chunk of {0} bytes is empty or over the limit of {MAX_PART_BYTES}")]
    BadChunk(usize),
    /// `Init` names someone other than the round's selected proposer.
    #[error("proposal parts from {got}, but the proposer of this round is {expected}")]
    WrongProposer {
        /// The selected proposer.
        expected: Address,
        /// Who `Init` names.
        got: Address,
    },
    /// The `Fin` signature does not verify under the proposer's key.
    #[error("the Fin signature does not verify under the proposer's key")]
    BadSignature,
}

/// An ordered list of borsh-encoded `SignedTx` entries: the payload of one
/// consensus height.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    txs: Vec<Vec<u8>>,
}

impl Batch {
    /// A batch of these entries, checking the limits.
    pub fn new(txs: Vec<Vec<u8>>) -> Result<Self, BatchError> {
        let batch = Self { txs };
        batch.check()?;
        Ok(batch)
    }

    /// A batch of these transactions (encoded canonically).
    pub fn from_txs(txs: &[SignedTx]) -> Result<Self, BatchError> {
        Self::new(txs.iter().map(SignedTx::encode).collect())
    }

    fn check(&self) -> Result<(), BatchError> {
        if self.txs.len() > MAX_BATCH_TXS {
            return Err(BatchError::TooManyTxs(self.txs.len()));
        }
        let mut total = 4usize;
        for (index, tx) in self.txs.iter().enumerate() {
            if tx.is_empty() || tx.len() > MAX_TX_BYTES {
                return Err(BatchError::BadTxSize {
                    index,
                    len: tx.len(),
                });
            }
            total += 4 + tx.len();
        }
        if total > MAX_BATCH_BYTES {
            return Err(BatchError::TooLarge(total));
        }
        Ok(())
    }

    /// The entries, in order.
    pub fn txs(&self) -> &[Vec<u8>] {
        &self.txs
    }

    /// The entries, in order.
    pub fn into_txs(self) -> Vec<Vec<u8>> {
        self.txs
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    /// Whether the batch has no entries.
    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// The canonical encoding, `borsh(Vec<Vec<u8>>)`.
    pub fn encode(&self) -> Vec<u8> {
        encoding::encode(&self.txs)
    }

    /// Decodes untrusted canonical bytes, checking the size limit first and
    /// then every other limit.
    pub fn decode(bytes: &[u8]) -> Result<Self, BatchError> {
        let txs: Vec<Vec<u8>> = encoding::decode(bytes, MAX_BATCH_BYTES).map_err(|e| match e {
            encoding::DecodeError::TooLarge { len, .. } => BatchError::TooLarge(len),
            encoding::DecodeError::Malformed(m) => BatchError::Malformed(m),
        })?;
        Self::new(txs)
    }

    /// The batch id: `BLAKE3::derive_key("tanji/batch-id/v1", encode())`.
    pub fn id(&self) -> BatchId {
        let mut h = blake3::Hasher::new_derive_key(BATCH_ID_V1);
        // Hash the encoding incrementally; same bytes as `encode()`.
        h.update(&(self.txs.len() as u32).to_le_bytes());
        for tx in &self.txs {
            h.update(&(tx.len() as u32).to_le_bytes());
            h.update(tx);
        }
        BatchId(*h.finalize().as_bytes())
    }

    /// Splits the entries into `Data` chunks of at most [`MAX_PART_BYTES`]
    /// encoded, greedily and in order (no chunk for an empty batch).
    pub fn chunks(&self) -> Vec<Vec<Vec<u8>>> {
        let mut chunks = Vec::new();
        let mut current: Vec<Vec<u8>> = Vec::new();
        let mut size = 4usize;
        for tx in &self.txs {
            let add = 4 + tx.len();
            if !current.is_empty() && size + add > MAX_PART_BYTES {
                chunks.push(std::mem::take(&mut current));
                size = 4;
            }
            current.push(tx.clone());
            size += add;
        }
        if !current.is_empty() {
            chunks.push(current);
        }
        chunks
    }

    /// The parts a proposer streams for this batch at `(height, round)`:
    /// `Init`, the `Data` chunks, and `Fin` signed with `key` (the proposer's
    /// node key) for `network`.
    pub fn to_parts(
        &self,
        network: &str,
        height: Height,
        round: Round,
        pol_round: Round,
        key: &SecretKey,
    ) -> Vec<ProposalPart> {
        let proposer = Address::from(key.public());
        let chunks = self.chunks();
        let digest = parts_digest(
            network,
            height,
            round,
            pol_round,
            &proposer,
            chunks.iter().map(Vec::as_slice),
        );
        let signature: Signature = key.sign(PROPOSAL_PARTS_V1, &digest).into();
        let mut parts = Vec::with_capacity(chunks.len() + 2);
        parts.push(ProposalPart::Init {
            height,
            round,
            pol_round,
            proposer,
        });
        parts.extend(chunks.into_iter().map(|txs| ProposalPart::Data { txs }));
        parts.push(ProposalPart::Fin { signature });
        parts
    }
}

/// The digest the `Fin` signature covers (see the module documentation).
pub fn parts_digest<'a>(
    network: &str,
    height: Height,
    round: Round,
    pol_round: Round,
    proposer: &Address,
    chunks: impl IntoIterator<Item = &'a [Vec<u8>]>,
) -> [u8; 32] {
    let mut header = Vec::with_capacity(96);
    // Writing into a Vec cannot fail.
    let _ = BorshSerialize::serialize(network, &mut header);
    let _ = (height.0, round.as_u32(), pol_round.as_u32(), proposer.0).serialize(&mut header);
    let mut h = blake3::Hasher::new();
    h.update(&domain::message(PROPOSAL_PARTS_V1, &header));
    for chunk in chunks {
        h.update(&encoding::encode(chunk));
    }
    *h.finalize().as_bytes()
}

/// A proposal whose parts checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssembledProposal {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// Proof-of-lock round.
    pub pol_round: Round,
    /// The proposer (checked against the selected proposer).
    pub proposer: Address,
    /// The batch.
    pub batch: Batch,
    /// Its id.
    pub id: BatchId,
}

/// Checks a complete, ordered list of parts and rebuilds the batch, verifying
/// the `Fin` signature with `proposer_key` and nothing else (the caller
/// decides who may propose; see [`assemble`]).
pub fn assemble_with_key(
    network: &str,
    parts: &[ProposalPart],
    proposer_key: &PublicKey,
) -> Result<AssembledProposal, BatchError> {
    let (first, rest) = parts
        .split_first()
        .ok_or(BatchError::PartsShape("no parts"))?;
    let (last, data) = rest
        .split_last()
        .ok_or(BatchError::PartsShape("no Fin part"))?;
    let ProposalPart::Init {
        height,
        round,
        pol_round,
        proposer,
    } = first
    else {
        return Err(BatchError::PartsShape("first part is not Init"));
    };
    let ProposalPart::Fin { signature } = last else {
        return Err(BatchError::PartsShape("last part is not Fin"));
    };
    if proposer.0 != proposer_key.0 {
        return Err(BatchError::WrongProposer {
            expected: Address::from(*proposer_key),
            got: *proposer,
        });
    }
    let mut chunks: Vec<&[Vec<u8>]> = Vec::with_capacity(data.len());
    let mut count = 0usize;
    for part in data {
        let ProposalPart::Data { txs } = part else {
            return Err(BatchError::PartsShape("Init or Fin in the middle"));
        };
        let size = 4 + txs.iter().map(|t| 4 + t.len()).sum::<usize>();
        if txs.is_empty() || size > MAX_PART_BYTES {
            return Err(BatchError::BadChunk(size));
        }
        count += txs.len();
        if count > MAX_BATCH_TXS {
            return Err(BatchError::TooManyTxs(count));
        }
        chunks.push(txs);
    }
    let digest = parts_digest(
        network,
        *height,
        *round,
        *pol_round,
        proposer,
        chunks.iter().copied(),
    );
    proposer_key
        .verify(PROPOSAL_PARTS_V1, &digest, &(*signature).into())
        .map_err(|_| BatchError::BadSignature)?;
    let batch = Batch::new(chunks.concat())?;
    let id = batch.id();
    Ok(AssembledProposal {
        height: *height,
        round: *round,
        pol_round: *pol_round,
        proposer: *proposer,
        batch,
        id,
    })
}

/// Checks a complete, ordered list of parts against the validator set of
/// its height: `Init.proposer` must be the selected proposer of
/// `(height, round)` and `Fin` must be that validator's strict signature.
pub fn assemble(
    network: &str,
    parts: &[ProposalPart],
    validators: &ValidatorSet,
) -> Result<AssembledProposal, BatchError> {
    let Some(ProposalPart::Init {
        height,
        round,
        proposer,
        ..
    }) = parts.first()
    else {
        return Err(BatchError::PartsShape("first part is not Init"));
    };
    let expected = validators.proposer(*height, *round);
    if &expected.address != proposer {
        return Err(BatchError::WrongProposer {
            expected: expected.address,
            got: *proposer,
        });
    }
    assemble_with_key(network, parts, &expected.public_key)
}

/// A stream of parts could not be buffered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// More messages or bytes than any valid proposal needs.
    #[error("proposal stream exceeds its limits")]
    TooLarge,
    /// Two messages with the same sequence number.
    #[error("duplicate sequence number {0}")]
    Duplicate(u64),
    /// A message after the stream's end, or a second end.
    #[error("message beyond the end of the stream")]
    BeyondFin,
}

/// Most messages in one proposal stream: `Init`, one chunk per entry at
/// worst, `Fin`, and the stream's own end marker.
pub const MAX_STREAM_MESSAGES: u64 = MAX_BATCH_TXS as u64 + 3;

/// Reorders the messages of one proposal stream (one publisher, one
/// `StreamId`) until it is complete. The app loop keeps one per
/// `(published_by, stream_id)` and drops it when it completes or its height
/// passes.
#[derive(Debug, Default)]
pub struct PartStream {
    parts: BTreeMap<u64, ProposalPart>,
    end: Option<u64>,
    bytes: usize,
}

impl PartStream {
    /// An empty stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a message. Returns the parts in order once every sequence number
    /// up to the end marker has arrived.
    pub fn insert(
        &mut self,
        msg: StreamMessage<ProposalPart>,
    ) -> Result<Option<Vec<ProposalPart>>, StreamError> {
        if msg.sequence >= MAX_STREAM_MESSAGES {
            return Err(StreamError::TooLarge);
        }
        if self.end.is_some_and(|end| msg.sequence >= end) {
            return Err(StreamError::BeyondFin);
        }
        match msg.content {
            StreamContent::Fin => {
                if self.parts.range(msg.sequence..).next().is_some() {
                    return Err(StreamError::BeyondFin);
                }
                self.end = Some(msg.sequence);
            }
            StreamContent::Data(part) => {
                if self.parts.contains_key(&msg.sequence) {
                    return Err(StreamError::Duplicate(msg.sequence));
                }
                if let ProposalPart::Data { txs } = &part {
                    self.bytes += 4 + txs.iter().map(|t| 4 + t.len()).sum::<usize>();
                    if self.bytes > MAX_BATCH_BYTES + MAX_PART_BYTES {
                        return Err(StreamError::TooLarge);
                    }
                }
                self.parts.insert(msg.sequence, part);
            }
        }
        match self.end {
            Some(end) if self.parts.len() as u64 == end => Ok(Some(
                std::mem::take(&mut self.parts).into_values().collect(),
            )),
            _ => Ok(None),
        }
    }
}

/// Builds the stream messages for a list of parts: each part as `Data` with
/// sequence numbers from 0, then the end marker.
pub fn stream_messages(
    stream_id: malachitebft_app_channel::app::streaming::StreamId,
    parts: Vec<ProposalPart>,
) -> Vec<StreamMessage<ProposalPart>> {
    let n = parts.len() as u64;
    let mut msgs: Vec<_> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| StreamMessage::new(stream_id.clone(), i as u64, StreamContent::Data(p)))
        .collect();
    msgs.push(StreamMessage::new(stream_id, n, StreamContent::Fin));
    msgs
}

/// A stream id for a proposal: `be(height) ‖ be(round) ‖ be(nonce)`; the
/// nonce distinguishes re-streams of the same round.
pub fn stream_id(
    height: Height,
    round: Round,
    nonce: u64,
) -> malachitebft_app_channel::app::streaming::StreamId {
    let mut b = Vec::with_capacity(20);
    b.extend_from_slice(&height.0.to_be_bytes());
    b.extend_from_slice(&round.as_u32().unwrap_or(u32::MAX).to_be_bytes());
    b.extend_from_slice(&nonce.to_be_bytes());
    malachitebft_app_channel::app::streaming::StreamId::new(b.into())
}
