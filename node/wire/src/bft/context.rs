//! [`TanjiContext`]: Malachite's `Context` for Tanji.

use malachitebft_app_channel::app::types::core::{
    Context, LinearTimeouts, NilOrVal, Round, VoteType,
};

use super::scheme::TanjiSigningScheme;
use super::types::{
    Address, BatchId, Height, Proposal, ProposalPart, Validator, ValidatorSet, Vote,
};

/// The type-level glue that instantiates Malachite with Tanji's types.
///
/// It carries no data: the network name that domain-separates signatures
/// lives in the node's `TanjiSigner` and `TanjiVerifier`
/// (`tanji_node::ordering::bft::signing`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TanjiContext;

impl Context for TanjiContext {
    type Address = Address;
    type Height = Height;
    type ProposalPart = ProposalPart;
    type Proposal = Proposal;
    type Validator = Validator;
    type ValidatorSet = ValidatorSet;
    type Timeouts = LinearTimeouts;
    type Value = BatchId;
    type Vote = Vote;
    type Extension = Vec<u8>;
    type SigningScheme = TanjiSigningScheme;

    /// Round-robin: see [`ValidatorSet::proposer`].
    fn select_proposer<'a>(
        &self,
        validator_set: &'a ValidatorSet,
        height: Height,
        round: Round,
    ) -> &'a Validator {
        validator_set.proposer(height, round)
    }

    fn new_proposal(
        &self,
        height: Height,
        round: Round,
        value: BatchId,
        pol_round: Round,
        address: Address,
    ) -> Proposal {
        Proposal {
            height,
            round,
            value,
            pol_round,
            validator_address: address,
        }
    }

    fn new_prevote(
        &self,
        height: Height,
        round: Round,
        value_id: NilOrVal<BatchId>,
        address: Address,
    ) -> Vote {
        Vote {
            height,
            round,
            vote_type: VoteType::Prevote,
            value: value_id,
            validator_address: address,
            extension: None,
        }
    }

    fn new_precommit(
        &self,
        height: Height,
        round: Round,
        value_id: NilOrVal<BatchId>,
        address: Address,
    ) -> Vote {
        Vote {
            height,
            round,
            vote_type: VoteType::Precommit,
            value: value_id,
            validator_address: address,
            extension: None,
        }
    }
}
