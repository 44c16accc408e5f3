//! A Byzantine validator, **for tests only**: it equivocates on every vote.
//!
//! `tanji-node run --byzantine-equivocate-votes` (hidden from `--help`, and
//! `tanji-node devnet --byzantine-equivocate-votes NAME` for one devnet
//! node) starts the engine with [`start_equivocating`] instead of
//! [`engine::start`](super::engine::start). The node then behaves like an
//! honest validator, except that for each prevote and precommit it signs, it
//! also signs and broadcasts a second, conflicting vote of the same height,
//! round and type (see [`conflicting_vote`]): nil instead of a value, or the
//! fabricated value [`FABRICATED_VALUE`] instead of nil. Honest nodes' vote
//! keepers then hold two validly signed, conflicting votes of one validator,
//! which is exactly the evidence Malachite reports (see
//! [`super::evidence`]).
//!
//! # How
//!
//! Malachite signs through the `Signer` it is given and publishes through
//! its network actor. [`EquivocatingSigner`] wraps the node's
//! [`TanjiSigner`]: it returns the honest signed vote to the engine, which
//! publishes it as usual, and casts the conflicting signed vote straight to
//! the network actor (`PublishConsensusMsg`), which gossips it like any
//! vote. To hold that actor's reference, [`start_equivocating`] spawns the
//! network actor itself (Malachite's own `spawn_network_actor`) and hands it
//! to the engine builder as a custom network; every other actor is the
//! default one, as in [`engine::start`](super::engine::start).
//!
//! The conflicting vote is cast before the engine publishes the honest one,
//! so peers usually see it first and count it: either order is an
//! equivocation, and with one such validator out of four, the three honest
//! ones are a quorum by themselves.
//!
//! # Invariants
//!
//! - Off unless asked for: [`ByzantineMode::default`] is honest, nothing
//!   reads it from a config file, and a node in this mode says so at
//!   `error` level when it starts (each conflicting vote is logged at
//!   `debug`).
//! - Only votes equivocate: proposals, vote extensions and validator proofs
//!   are signed exactly as by [`TanjiSigner`], and the conflicting vote has
//!   no extension.
//! - The honest vote the engine gets back is the one [`TanjiSigner`] would
//!   sign (deterministic ed25519), so the node's WAL replay is unaffected.

use async_trait::async_trait;
use malachitebft_app_channel::app::engine::network::{Msg as NetworkActorMsg, NetworkRef};
use malachitebft_app_channel::app::metrics::SharedRegistry;
use malachitebft_app_channel::app::types::core::{
    NilOrVal, SignedMessage, ValidatorProof, VoteExtensionScope,
};
use malachitebft_app_channel::app::types::SignedConsensusMsg;
use malachitebft_app_channel::spawn::spawn_network_actor;
use malachitebft_app_channel::{
    Channels, ConsensusContext, EngineBuilder, EngineHandle, RequestContext, Signer, SyncContext,
    WalContext,
};
use malachitebft_signing::Error as SigningError;

use super::codec::TanjiCodec;
use super::context::TanjiContext;
use super::engine::{EngineError, EngineIdentity, EnginePaths, TanjiNodeConfig};
use super::signing::{TanjiSigner, TanjiVerifier};
use super::types::{Address, BatchId, Proposal, Vote};
use malachitebft_app_channel::app::config::NodeConfig as _;

/// How a node misbehaves on purpose (tests only). The default is honest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ByzantineMode {
    /// Sign and broadcast a second, conflicting vote for every vote.
    pub equivocate_votes: bool,
}

impl ByzantineMode {
    /// Whether the node behaves honestly.
    pub fn is_honest(&self) -> bool {
        !self.equivocate_votes
    }
}

/// The value id a conflicting vote names when the honest vote is nil. No
/// batch has this id (it is not a BLAKE3 output anyone can aim at), so it
/// can never be decided.
pub const FABRICATED_VALUE: BatchId = BatchId([0xba; 32]);

/// The vote an equivocating validator signs beside `vote`: same height,
/// round, type and validator; nil instead of a value, or
/// [`FABRICATED_VALUE`] instead of nil; no extension.
pub fn conflicting_vote(vote: &Vote) -> Vote {
    Vote {
        value: match vote.value {
            NilOrVal::Val(_) => NilOrVal::Nil,
            NilOrVal::Nil => NilOrVal::Val(FABRICATED_VALUE),
        },
        extension: None,
        ..vote.clone()
    }
}

/// A [`TanjiSigner`] that also signs a conflicting vote for every vote and
/// broadcasts it through Malachite's network actor.
pub struct EquivocatingSigner {
    inner: TanjiSigner,
    network: NetworkRef<TanjiContext>,
}

impl EquivocatingSigner {
    /// Wraps `inner`; conflicting votes are published through `network`.
    pub fn new(inner: TanjiSigner, network: NetworkRef<TanjiContext>) -> Self {
        Self { inner, network }
    }
}

#[async_trait]
impl Signer<TanjiContext> for EquivocatingSigner {
    async fn sign_vote(
        &self,
        vote: Vote,
    ) -> Result<SignedMessage<TanjiContext, Vote>, SigningError> {
        let other = conflicting_vote(&vote);
        let signature = self.inner.sign_vote_now(&other);
        tracing::debug!(
            height = %vote.height,
            round = %vote.round,
            vote_type = ?vote.vote_type,
            honest = ?vote.value,
            conflicting = ?other.value,
            "BYZANTINE TEST MODE: broadcasting a conflicting vote"
        );
        let msg = SignedConsensusMsg::Vote(SignedMessage::new(other, signature));
        if let Err(e) = self.network.cast(NetworkActorMsg::PublishConsensusMsg(msg)) {
            tracing::warn!(error = %e, "cannot publish the conflicting vote");
        }
        self.inner.sign_vote(vote).await
    }

    async fn sign_proposal(
        &self,
        proposal: Proposal,
    ) -> Result<SignedMessage<TanjiContext, Proposal>, SigningError> {
        self.inner.sign_proposal(proposal).await
    }

    async fn sign_vote_extension(
        &self,
        scope: VoteExtensionScope<TanjiContext>,
        extension: Vec<u8>,
    ) -> Result<SignedMessage<TanjiContext, Vec<u8>>, SigningError> {
        self.inner.sign_vote_extension(scope, extension).await
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<TanjiContext>, SigningError> {
        self.inner.sign_validator_proof(public_key, peer_id).await
    }
}

/// Starts Malachite like [`engine::start`](super::engine::start) for a
/// validator, but with an [`EquivocatingSigner`] (see the module
/// documentation). Tests only.
pub async fn start_equivocating(
    ctx: TanjiContext,
    cfg: TanjiNodeConfig,
    paths: &EnginePaths,
    identity: EngineIdentity,
    signer: TanjiSigner,
    verifier: TanjiVerifier,
) -> anyhow::Result<(Channels<TanjiContext>, EngineHandle)> {
    if Address::from(signer.public_key()) != identity.address {
        return Err(EngineError::SignerMismatch.into());
    }
    tracing::error!(
        validator = %identity.address,
        "BYZANTINE TEST MODE: this validator signs two conflicting votes for every vote; never run it outside tests"
    );
    let registry = SharedRegistry::global().with_moniker(cfg.moniker());
    let (network, tx_network) = spawn_network_actor(
        identity.network,
        cfg.consensus(),
        cfg.value_sync(),
        &registry,
        TanjiCodec,
    )
    .await
    .map_err(|e| anyhow::Error::from_boxed(e.into()))?;
    let equivocating = EquivocatingSigner::new(signer, network.clone());
    let consensus = ConsensusContext::new_validator(
        identity.address,
        Box::new(verifier),
        Box::new(equivocating),
    );
    let built = EngineBuilder::new(ctx, cfg)
        .with_default_wal(WalContext::new(paths.wal_file.clone(), TanjiCodec))
        .with_custom_network(network.clone(), tx_network)
        .with_default_sync(SyncContext::new(TanjiCodec))
        .with_default_consensus(consensus)
        .with_default_request(RequestContext::new(100))
        .build()
        .await;
    match built {
        Ok(started) => Ok(started),
        Err(e) => {
            // The builder stops only the actors it spawned.
            network.stop(None);
            Err(anyhow::Error::from_boxed(e.into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use malachitebft_app_channel::app::types::core::{Round, VoteType};

    use super::super::types::Height;
    use super::*;

    fn vote(value: NilOrVal<BatchId>) -> Vote {
        Vote {
            height: Height(4),
            round: Round::new(1),
            vote_type: VoteType::Precommit,
            value,
            validator_address: Address([7; 32]),
            extension: None,
        }
    }

    #[test]
    fn the_conflicting_vote_is_the_same_slot_with_another_value() {
        let for_value = vote(NilOrVal::Val(BatchId([1; 32])));
        let other = conflicting_vote(&for_value);
        assert_eq!(other.value, NilOrVal::Nil);
        assert_ne!(other, for_value);
        assert_eq!(
            (
                other.height,
                other.round,
                other.vote_type,
                other.validator_address
            ),
            (
                for_value.height,
                for_value.round,
                for_value.vote_type,
                for_value.validator_address
            )
        );
        let nil = vote(NilOrVal::Nil);
        assert_eq!(
            conflicting_vote(&nil).value,
            NilOrVal::Val(FABRICATED_VALUE)
        );
        assert!(ByzantineMode::default().is_honest());
    }
}
