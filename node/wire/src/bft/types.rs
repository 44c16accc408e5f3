//! The consensus types Malachite is instantiated with: heights, addresses,
//! values, validators, proposals, votes and proposal parts.
//!
//! See the [module documentation](super) for how they map to Tanji concepts.

use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use malachitebft_app_channel::app::types::core::{
    self as mc, NilOrVal, Round, SignedExtension, VoteType, VotingPower,
};
use tanji_ledger::crypto::PublicKey;
use tanji_ledger::tx::ValidatorNode;

use super::context::TanjiContext;
use super::scheme::Signature;

/// Most validators a [`ValidatorSet`] may hold. Bounds the size of every
/// certificate, and therefore the codec's limits.
pub const MAX_VALIDATORS: usize = 256;

/// A consensus height: the number of decided batches so far, plus one for
/// the height being decided. Height 1 decides the first batch.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    BorshSerialize,
    BorshDeserialize,
)]
pub struct Height(pub u64);

impl Height {
    /// The height as a number.
    pub const fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Height {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl mc::Height for Height {
    const ZERO: Self = Height(0);
    const INITIAL: Self = Height(1);

    fn increment_by(&self, n: u64) -> Self {
        Height(self.0.saturating_add(n))
    }

    fn decrement_by(&self, n: u64) -> Option<Self> {
        self.0.checked_sub(n).map(Height)
    }

    fn as_u64(&self) -> u64 {
        self.0
    }
}

/// A validator's consensus address: the 32 bytes of its node's ed25519
/// public key (the key registered in `ValidatorNode::key`). Displayed as
/// lower-case hex, which is also the address string Malachite's network
/// layer uses to recognise validators.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct Address(pub [u8; 32]);

impl Address {
    /// The node public key this address is.
    pub const fn public_key(&self) -> PublicKey {
        PublicKey(self.0)
    }
}

impl From<PublicKey> for Address {
    fn from(key: PublicKey) -> Self {
        Address(key.0)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", hex::encode(self.0))
    }
}

impl mc::Address for Address {}

/// The value consensus decides on: the id of a batch (the node's `Batch`),
/// `BLAKE3::derive_key("tanji/batch-id/v1", canonical batch encoding)`.
///
/// The batch itself travels as proposal parts; proposals and votes carry
/// only this id (it is both Malachite's `Value` and its `Value::Id`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct BatchId(pub [u8; 32]);

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BatchId({})", hex::encode(self.0))
    }
}

impl mc::Value for BatchId {
    type Id = BatchId;

    fn id(&self) -> BatchId {
        *self
    }
}

/// A validator: its address (= node key), key and voting power (always 1
/// for validators built from the ledger).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validator {
    /// The consensus address (the node key's bytes).
    pub address: Address,
    /// The node's ed25519 key, which signs votes, proposals and proposal parts.
    pub public_key: PublicKey,
    /// Voting power.
    pub voting_power: VotingPower,
}

impl Validator {
    /// A validator with power 1 whose address is its key.
    pub fn new(public_key: PublicKey) -> Self {
        Self {
            address: Address::from(public_key),
            public_key,
            voting_power: 1,
        }
    }
}

impl mc::Validator<TanjiContext> for Validator {
    fn address(&self) -> &Address {
        &self.address
    }

    fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    fn voting_power(&self) -> VotingPower {
        self.voting_power
    }
}

/// Why a validator set could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidatorSetError {
    /// Consensus needs at least one validator.
    #[error("the validator set is empty")]
    Empty,
    /// More than [`MAX_VALIDATORS`].
    #[error("{0} validators, more than the limit of {MAX_VALIDATORS}")]
    TooMany(usize),
    /// Two validators share an address (node key).
    #[error("validator {0} appears twice")]
    Duplicate(Address),
    /// A validator's address is not its public key.
    #[error("validator {0}: address does not match its public key")]
    AddressMismatch(Address),
    /// A validator has no voting power.
    #[error("validator {0} has zero voting power")]
    ZeroPower(Address),
    /// A node key is not a usable ed25519 key (undecodable or small order).
    #[error("validator {address}: {problem}")]
    BadKey {
        /// The offending validator.
        address: Address,
        /// What is wrong with its key.
        problem: String,
    },
}

/// The validators of one height, unique and in a deterministic order
/// (voting power descending, then address ascending, as CometBFT does; with
/// equal powers this is simply address order). Never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorSet {
    validators: Vec<Validator>,
    total_voting_power: VotingPower,
}

impl ValidatorSet {
    /// Builds a set, sorting the validators and refusing empty sets,
    /// duplicates, zero powers, unusable keys and addresses that are not
    /// their keys.
    pub fn new(mut validators: Vec<Validator>) -> Result<Self, ValidatorSetError> {
        if validators.is_empty() {
            return Err(ValidatorSetError::Empty);
        }
        if validators.len() > MAX_VALIDATORS {
            return Err(ValidatorSetError::TooMany(validators.len()));
        }
        validators.sort_by(|a, b| {
            b.voting_power
                .cmp(&a.voting_power)
                .then_with(|| a.address.cmp(&b.address))
        });
        let mut addresses: Vec<Address> = validators.iter().map(|v| v.address).collect();
        addresses.sort();
        if let Some(w) = addresses.windows(2).find(|w| w[0] == w[1]) {
            return Err(ValidatorSetError::Duplicate(w[0]));
        }
        let mut total: VotingPower = 0;
        for v in &validators {
            if v.address.0 != v.public_key.0 {
                return Err(ValidatorSetError::AddressMismatch(v.address));
            }
            if v.voting_power == 0 {
                return Err(ValidatorSetError::ZeroPower(v.address));
            }
            v.public_key
                .check()
                .map_err(|e| ValidatorSetError::BadKey {
                    address: v.address,
                    problem: e.to_string(),
                })?;
            // At most MAX_VALIDATORS powers: saturating keeps this total
            // well-defined even for absurd powers.
            total = total.saturating_add(v.voting_power);
        }
        Ok(Self {
            validators,
            total_voting_power: total,
        })
    }

    /// The set of the ledger's validator nodes (genesis, then governance),
    /// each with voting power 1, e.g. from `NetworkInfo::validators`.
    pub fn from_nodes(nodes: &[ValidatorNode]) -> Result<Self, ValidatorSetError> {
        Self::new(nodes.iter().map(|n| Validator::new(n.key)).collect())
    }

    /// The validators, in the set's order.
    pub fn validators(&self) -> &[Validator] {
        &self.validators
    }

    /// Whether `address` is in the set.
    pub fn contains(&self, address: &Address) -> bool {
        self.get(address).is_some()
    }

    /// The validator with this address.
    pub fn get(&self, address: &Address) -> Option<&Validator> {
        self.validators.iter().find(|v| &v.address == address)
    }

    /// The proposer of `(height, round)`: round-robin over the set's order,
    /// index `(height - 1 + round) mod n` (a nil round counts as round 0).
    pub fn proposer(&self, height: Height, round: Round) -> &Validator {
        let n = self.validators.len() as u128;
        let r = u128::from(round.as_u32().unwrap_or(0));
        let h = u128::from(height.0.saturating_sub(1));
        // n >= 1 by construction, so the index is always in range.
        let idx = ((h + r) % n.max(1)) as usize;
        &self.validators[idx]
    }
}

impl mc::ValidatorSet<TanjiContext> for ValidatorSet {
    fn count(&self) -> usize {
        self.validators.len()
    }

    fn total_voting_power(&self) -> VotingPower {
        self.total_voting_power
    }

    fn get_by_address(&self, address: &Address) -> Option<&Validator> {
        self.get(address)
    }

    fn get_by_index(&self, index: usize) -> Option<&Validator> {
        self.validators.get(index)
    }
}

/// A proposal: "at `height`, `round`, I (`validator_address`) propose batch
/// `value`", with the proof-of-lock round (`pol_round`, nil for a fresh value).
/// Signed with the `tanji/proposal/v1` context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// The proposed batch's id.
    pub value: BatchId,
    /// The round in which this value got a polka, or nil.
    pub pol_round: Round,
    /// The proposer.
    pub validator_address: Address,
}

impl mc::Proposal<TanjiContext> for Proposal {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &BatchId {
        &self.value
    }

    fn take_value(self) -> BatchId {
        self.value
    }

    fn pol_round(&self) -> Round {
        self.pol_round
    }

    fn validator_address(&self) -> &Address {
        &self.validator_address
    }
}

/// A prevote or precommit for a batch id or nil.
///
/// Equality and the signed bytes cover height, round, type, value and
/// address only, **never the extension** (Malachite's WAL-replay rule: a
/// re-derived vote must equal the recorded one). A precommit's extension is
/// signed separately (`tanji/vote-extension/v1`).
#[derive(Clone, Debug)]
pub struct Vote {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// Prevote or precommit.
    pub vote_type: VoteType,
    /// The batch voted for, or nil.
    pub value: NilOrVal<BatchId>,
    /// The voter.
    pub validator_address: Address,
    /// A signed vote extension (precommits only, when extensions are required).
    pub extension: Option<SignedExtension<TanjiContext>>,
}

impl PartialEq for Vote {
    fn eq(&self, other: &Self) -> bool {
        self.height == other.height
            && self.round == other.round
            && self.vote_type == other.vote_type
            && self.value == other.value
            && self.validator_address == other.validator_address
    }
}

impl Eq for Vote {}

impl mc::Vote<TanjiContext> for Vote {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &NilOrVal<BatchId> {
        &self.value
    }

    fn take_value(self) -> NilOrVal<BatchId> {
        self.value
    }

    fn vote_type(&self) -> VoteType {
        self.vote_type
    }

    fn validator_address(&self) -> &Address {
        &self.validator_address
    }

    fn extension(&self) -> Option<&SignedExtension<TanjiContext>> {
        self.extension.as_ref()
    }

    fn take_extension(&mut self) -> Option<SignedExtension<TanjiContext>> {
        self.extension.take()
    }

    fn extend(self, extension: SignedExtension<TanjiContext>) -> Self {
        Self {
            extension: Some(extension),
            ..self
        }
    }
}

/// One part of a streamed proposal: `Init`, then `Data` chunks of the
/// batch's transactions in order, then `Fin` with the proposer's signature
/// over all of them (see the node's `ordering::bft::batch`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProposalPart {
    /// Opens the stream: which height and round, the POL round and who proposes.
    Init {
        /// Height.
        height: Height,
        /// Round.
        round: Round,
        /// Proof-of-lock round of the value, or nil.
        pol_round: Round,
        /// The proposer; must be the selected proposer of `(height, round)`.
        proposer: Address,
    },
    /// A chunk of the batch: consecutive borsh-encoded `SignedTx` entries.
    Data {
        /// The entries of this chunk.
        txs: Vec<Vec<u8>>,
    },
    /// Closes the stream with the proposer's signature over the parts digest.
    Fin {
        /// Signature under the `tanji/proposal-parts/v1` context.
        signature: Signature,
    },
}

impl mc::ProposalPart<TanjiContext> for ProposalPart {
    fn is_first(&self) -> bool {
        matches!(self, ProposalPart::Init { .. })
    }

    fn is_last(&self) -> bool {
        matches!(self, ProposalPart::Fin { .. })
    }
}
