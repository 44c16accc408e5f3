//! Tanji's signing scheme for Malachite: strict ed25519 with
//! domain-separated preimages.
//!
//! - [`TanjiSigningScheme`] is Malachite's `SigningScheme`: public keys are
//!   the ledger's [`PublicKey`] (decoding refuses undecodable and
//!   small-order keys), signatures are 64 bytes ([`Signature`]).
//! - [`TanjiSigner`] signs with the node key; [`TanjiVerifier`] checks with
//!   `ed25519-dalek`'s `verify_strict`, the one acceptance rule of DESIGN.md.
//!   Malachite's own `signing-ed25519` crate (ZIP-215, permissive) is not used.
//!
//! Every signed message is `context ‖ 0x00 ‖ body`
//! ([`tanji_ledger::crypto::domain::message`]) where `body` is
//! `borsh(network name) ‖ borsh(signed fields)`:
//!
//! | Message | Context | Signed fields |
//! |---|---|---|
//! | vote | [`VOTE_V1`] | [`VoteFields`]: height, round, type, batch id or nil, address; **no extension** |
//! | proposal | [`PROPOSAL_V1`] | [`ProposalFields`]: height, round, batch id, POL round, address |
//! | vote extension | [`VOTE_EXTENSION_V1`] | [`ExtensionFields`]: height, round, batch id, address, extension bytes |
//! | proposal parts (`Fin`) | [`PROPOSAL_PARTS_V1`](super::batch::PROPOSAL_PARTS_V1) | the 32-byte parts digest (see [`super::batch`]) |
//!
//! The one exception is the validator proof (Malachite's ADR-006 binding of
//! a consensus key to a libp2p peer id), whose preimage Malachite fixes as
//! `"PoV" ‖ u32be(len) ‖ public key ‖ u32be(len) ‖ peer id`
//! ([`ValidatorProof::signing_bytes`]). It starts with `PoV`, never with
//! `tanji/`, and contains zero bytes, so it cannot be confused with a Tanji
//! message or a C2SP note (whose origin line is printable text).
//!
//! Ed25519 signing is deterministic, as Malachite's WAL replay requires
//! (a re-signed vote must equal the recorded one).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use borsh::BorshSerialize;
use malachitebft_app_channel::app::types::core::{
    SignedMessage, SigningScheme, ValidatorProof, VoteExtensionScope,
};
use malachitebft_app_channel::{Signer, Verifier};
use malachitebft_signing::{Error as SigningError, VerificationResult};
use tanji_ledger::crypto::{domain, PublicKey, SecretKey};

use super::context::TanjiContext;
use super::types::{Proposal, Vote};
use super::wire::{ExtensionFields, ProposalFields, VoteFields};

/// Context string of vote signatures.
pub const VOTE_V1: &str = "tanji/vote/v1";
/// Context string of proposal signatures.
pub const PROPOSAL_V1: &str = "tanji/proposal/v1";
/// Context string of vote-extension signatures.
pub const VOTE_EXTENSION_V1: &str = "tanji/vote-extension/v1";

// The signature type and the scheme (key and signature decoding) live in
// `tanji-wire` with the consensus types; signing and verification are here.
pub use tanji_wire::bft::scheme::{SchemeError, Signature, TanjiSigningScheme};

fn body<T: BorshSerialize>(network: &str, fields: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    // Writing into a Vec cannot fail.
    let _ = BorshSerialize::serialize(network, &mut out);
    let _ = fields.serialize(&mut out);
    out
}

/// The bytes a vote's signature covers: `tanji/vote/v1 ‖ 0 ‖ borsh(network) ‖ borsh(VoteFields)`.
pub fn vote_signing_bytes(network: &str, vote: &Vote) -> Vec<u8> {
    domain::message(VOTE_V1, &body(network, &VoteFields::from(vote)))
}

/// The bytes a proposal's signature covers.
pub fn proposal_signing_bytes(network: &str, proposal: &Proposal) -> Vec<u8> {
    domain::message(PROPOSAL_V1, &body(network, &ProposalFields::from(proposal)))
}

/// The bytes a vote extension's signature covers.
pub fn extension_signing_bytes(
    network: &str,
    scope: &VoteExtensionScope<TanjiContext>,
    extension: &[u8],
) -> Vec<u8> {
    let fields = ExtensionFields {
        height: scope.height.0,
        round: scope.round.as_u32(),
        value: scope.value_id.0,
        validator: scope.validator_address.0,
        extension: extension.to_vec(),
    };
    domain::message(VOTE_EXTENSION_V1, &body(network, &fields))
}

/// Why the signer refused to sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignerError {
    /// Asked for a validator proof of a key other than its own.
    #[error("asked to prove possession of a key that is not this node's")]
    ForeignKey,
}

/// Signs consensus messages with a validator's node key, for one network.
#[derive(Clone)]
pub struct TanjiSigner {
    network: Arc<str>,
    key: SecretKey,
}

impl fmt::Debug for TanjiSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TanjiSigner")
            .field("network", &self.network)
            .field("key", &self.key)
            .finish()
    }
}

impl TanjiSigner {
    /// A signer for `network` (the ledger's network name) with this node key.
    pub fn new(network: impl Into<Arc<str>>, key: SecretKey) -> Self {
        Self {
            network: network.into(),
            key,
        }
    }

    /// The node key's public half.
    pub fn public_key(&self) -> PublicKey {
        self.key.public()
    }

    /// The network name signatures are bound to.
    pub fn network(&self) -> &str {
        &self.network
    }

    /// Signs a vote (deterministically; the extension is not covered).
    pub fn sign_vote_now(&self, vote: &Vote) -> Signature {
        self.key
            .sign_raw(&vote_signing_bytes(&self.network, vote))
            .into()
    }

    /// Signs a proposal.
    pub fn sign_proposal_now(&self, proposal: &Proposal) -> Signature {
        self.key
            .sign_raw(&proposal_signing_bytes(&self.network, proposal))
            .into()
    }

    /// Signs a vote extension in its scope.
    pub fn sign_extension_now(
        &self,
        scope: &VoteExtensionScope<TanjiContext>,
        extension: &[u8],
    ) -> Signature {
        self.key
            .sign_raw(&extension_signing_bytes(&self.network, scope, extension))
            .into()
    }

    /// The parts this node streams when it proposes `batch` at
    /// `(height, round)`, with its `Fin` signature for this network (see
    /// [`Batch::to_parts`](super::batch::Batch::to_parts)).
    pub fn proposal_parts(
        &self,
        batch: &super::batch::Batch,
        height: super::types::Height,
        round: malachitebft_app_channel::app::types::core::Round,
        pol_round: malachitebft_app_channel::app::types::core::Round,
    ) -> Vec<super::types::ProposalPart> {
        batch.to_parts(&self.network, height, round, pol_round, &self.key)
    }
}

#[async_trait]
impl Signer<TanjiContext> for TanjiSigner {
    async fn sign_vote(
        &self,
        vote: Vote,
    ) -> Result<SignedMessage<TanjiContext, Vote>, SigningError> {
        let signature = self.sign_vote_now(&vote);
        Ok(SignedMessage::new(vote, signature))
    }

    async fn sign_proposal(
        &self,
        proposal: Proposal,
    ) -> Result<SignedMessage<TanjiContext, Proposal>, SigningError> {
        let signature = self.sign_proposal_now(&proposal);
        Ok(SignedMessage::new(proposal, signature))
    }

    async fn sign_vote_extension(
        &self,
        scope: VoteExtensionScope<TanjiContext>,
        extension: Vec<u8>,
    ) -> Result<SignedMessage<TanjiContext, Vec<u8>>, SigningError> {
        let signature = self.sign_extension_now(&scope, &extension);
        Ok(SignedMessage::new(extension, signature))
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<TanjiContext>, SigningError> {
        if public_key.as_slice() != self.key.public().0.as_slice() {
            return Err(SigningError::from_source(SignerError::ForeignKey));
        }
        let preimage = ValidatorProof::<TanjiContext>::signing_bytes(&public_key, &peer_id);
        let signature = self.key.sign_raw(&preimage).into();
        Ok(ValidatorProof::new(public_key, peer_id, signature))
    }
}

/// Verifies consensus signatures strictly, for one network.
#[derive(Clone, Debug)]
pub struct TanjiVerifier {
    network: Arc<str>,
}

impl TanjiVerifier {
    /// A verifier for `network`.
    pub fn new(network: impl Into<Arc<str>>) -> Self {
        Self {
            network: network.into(),
        }
    }

    /// The network name signatures are bound to.
    pub fn network(&self) -> &str {
        &self.network
    }

    /// Whether `signature` is `key`'s strict signature of `vote`.
    pub fn vote_is_valid(&self, vote: &Vote, signature: &Signature, key: &PublicKey) -> bool {
        key.verify_raw(
            &vote_signing_bytes(&self.network, vote),
            &(*signature).into(),
        )
        .is_ok()
    }

    /// Whether `signature` is `key`'s strict signature of `proposal`.
    pub fn proposal_is_valid(
        &self,
        proposal: &Proposal,
        signature: &Signature,
        key: &PublicKey,
    ) -> bool {
        key.verify_raw(
            &proposal_signing_bytes(&self.network, proposal),
            &(*signature).into(),
        )
        .is_ok()
    }

    /// Whether `signature` is `key`'s strict signature of `extension` in `scope`.
    pub fn extension_is_valid(
        &self,
        scope: &VoteExtensionScope<TanjiContext>,
        extension: &[u8],
        signature: &Signature,
        key: &PublicKey,
    ) -> bool {
        key.verify_raw(
            &extension_signing_bytes(&self.network, scope, extension),
            &(*signature).into(),
        )
        .is_ok()
    }

    /// Whether a validator proof is valid: its key decodes (not small-order)
    /// and strictly signs Malachite's proof preimage.
    pub fn proof_is_valid(&self, proof: &ValidatorProof<TanjiContext>) -> bool {
        match TanjiSigningScheme::decode_public_key(&proof.public_key) {
            Ok(key) => key
                .verify_raw(&proof.preimage(), &proof.signature.into())
                .is_ok(),
            Err(_) => false,
        }
    }
}

#[async_trait]
impl Verifier<TanjiContext> for TanjiVerifier {
    async fn verify_signed_vote(
        &self,
        vote: &Vote,
        signature: &Signature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        Ok(VerificationResult::from_bool(
            self.vote_is_valid(vote, signature, public_key),
        ))
    }

    async fn verify_signed_proposal(
        &self,
        proposal: &Proposal,
        signature: &Signature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        Ok(VerificationResult::from_bool(
            self.proposal_is_valid(proposal, signature, public_key),
        ))
    }

    async fn verify_signed_vote_extension(
        &self,
        scope: &VoteExtensionScope<TanjiContext>,
        extension: &Vec<u8>,
        signature: &Signature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        Ok(VerificationResult::from_bool(self.extension_is_valid(
            scope, extension, signature, public_key,
        )))
    }

    async fn verify_validator_proof(
        &self,
        proof: &ValidatorProof<TanjiContext>,
    ) -> Result<VerificationResult, SigningError> {
        Ok(VerificationResult::from_bool(self.proof_is_valid(proof)))
    }
}
