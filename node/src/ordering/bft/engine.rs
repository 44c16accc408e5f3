//! Starting Malachite's engine with Tanji's types: configuration, identity
//! and [`start`]. The application loop that answers the engine's `AppMsg`s
//! is not here.
//!
//! # What the app loop must do (not implemented here)
//!
//! After [`start`] returns `(channels, handle)`, the node must drain
//! `channels.consensus` and answer **every** `reply`; a missing reply stalls
//! consensus. In outline (details and pitfalls in the Malachite integration
//! notes, §4–§5, and in `docs/adr/0005`):
//!
//! - `ConsensusReady`: reply `(last decided height + 1, HeightParams::new(
//!   ValidatorSet::from_nodes(..), LinearTimeouts{..}, None))`. Exactly the
//!   next undecided height, or the WAL is reset instead of replayed.
//! - `StartedRound`: reply at once with the stored undecided
//!   `ProposedValue`s of that `(height, round)` (crash recovery).
//! - `GetValue`: return the same value as before if one was built for
//!   `(height, round)`; otherwise reap admitted transactions into a
//!   [`Batch`](super::batch::Batch), persist it and its parts, reply
//!   `LocallyProposedValue::new(h, r, batch.id())`, then publish
//!   [`stream_messages`](super::batch::stream_messages) of
//!   [`Batch::to_parts`](super::batch::Batch::to_parts) via
//!   `channels.network.send(NetworkMsg::PublishProposalPart(..))`.
//! - `ReceivedProposalPart`: buffer per `(published_by or from, stream id)`
//!   in a [`PartStream`](super::batch::PartStream); when complete,
//!   [`assemble`](super::batch::assemble) against the height's validator
//!   set (`None` on failure), validate each entry with the ledger's rules
//!   (strict signatures, no duplicates), persist, and reply
//!   `Some(ProposedValue{.., validity})`. Future heights are kept pending.
//! - `RestreamProposal`: re-send the stored batch as a **new** stream, with
//!   a new `Init{round, pol_round: valid_round}` and a new `Fin` signed by
//!   this node (the round and proposer differ from the original stream).
//! - `Decided`: in one RocksDB write batch, `append_batch` the batch and store
//!   `ExtendedCommitCertificate::from_commit_certificate_and_extensions`
//!   (encode with [`TanjiCodec`]); then reply. `Finalized`: store the evidence
//!   and reply `Next::Start(h + 1, params)`.
//! - `GetHistoryMinHeight`, `GetDecidedValues` (clamp the range; values are
//!   `RawDecidedValue{value_bytes: batch.encode(), certificate}`),
//!   `ProcessSyncedValue` (`Batch::decode`; undecodable is a peer fault).
//!
//! Blocking work (RocksDB) goes to `spawn_blocking`; on a fatal error stop
//! the engine with `handle.actor.stop(None)` and await `handle.handle`.

use std::path::{Path, PathBuf};

use malachitebft_app_channel::app::config::{
    ConsensusConfig, NodeConfig, ProtocolNames, ValuePayload, ValueSyncConfig,
};
use malachitebft_app_channel::app::net::{Multiaddr, PeerId};
use malachitebft_app_channel::app::types::codec::Codec;
use malachitebft_app_channel::app::types::Keypair;
use malachitebft_app_channel::{
    start_engine, Channels, ConsensusContext, EngineHandle, NetworkContext, NetworkIdentity,
    RequestContext, Signer, SyncContext, WalContext,
};
use tanji_ledger::crypto::{PublicKey, SecretKey};

use super::codec::TanjiCodec;
use super::context::TanjiContext;
use super::signing::{TanjiSigner, TanjiVerifier};
use super::types::Address;

/// Malachite's inbound connections per IP address; its default of 5 is too
/// low for a devnet where every node is on 127.0.0.1.
pub const DEVNET_MAX_CONNECTIONS_PER_IP: usize = 64;
/// Heights requested per value-sync request (Malachite's default is 5).
pub const SYNC_BATCH_SIZE: usize = 50;

/// Setting up the engine failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The node key could not become a libp2p identity.
    #[error("node key is not a usable libp2p key: {0}")]
    Keypair(String),
    /// The validator proof could not be signed or encoded.
    #[error("validator proof: {0}")]
    Proof(String),
    /// The signer's key is not the identity's consensus address.
    #[error("the signer's key is not this node's consensus address")]
    SignerMismatch,
}

/// The node configuration Malachite reads (`NodeConfig`), built in code.
#[derive(Clone, Debug)]
pub struct TanjiNodeConfig {
    /// The node's name in Malachite's logs and metrics.
    pub moniker: String,
    /// Consensus and p2p settings.
    pub consensus: ConsensusConfig,
    /// Value sync settings.
    pub value_sync: ValueSyncConfig,
}

impl TanjiNodeConfig {
    /// A configuration for a node of `network` listening on `listen_addr`
    /// (e.g. `/ip4/127.0.0.1/tcp/P`, giving TCP + Noise + Yamux) that talks
    /// only to `persistent_peers` (`<addr>/p2p/<peer id>` of every
    /// registered node; see [`peer_id_of`]):
    ///
    /// - proposals stream as parts (`ProposalAndParts`, so the app validates them);
    /// - `persistent_peers_only` on, discovery off: Malachite's allow-list,
    ///   which disconnects other peers after Identify;
    /// - protocol names specific to the network, so nodes of another network
    ///   fail Identify's protocol check;
    /// - up to [`DEVNET_MAX_CONNECTIONS_PER_IP`] connections per IP;
    /// - value sync on, [`SYNC_BATCH_SIZE`] heights per request.
    pub fn new(
        moniker: impl Into<String>,
        network: &str,
        listen_addr: Multiaddr,
        persistent_peers: Vec<Multiaddr>,
    ) -> Self {
        let mut consensus = ConsensusConfig {
            enabled: true,
            value_payload: ValuePayload::ProposalAndParts,
            ..ConsensusConfig::default()
        };
        let p2p = &mut consensus.p2p;
        p2p.listen_addr = listen_addr;
        p2p.persistent_peers = persistent_peers;
        p2p.persistent_peers_only = true;
        p2p.discovery.enabled = false;
        p2p.discovery.max_connections_per_ip = DEVNET_MAX_CONNECTIONS_PER_IP;
        p2p.protocol_names = protocol_names(network);
        let value_sync = ValueSyncConfig {
            enabled: true,
            batch_size: SYNC_BATCH_SIZE,
            ..ValueSyncConfig::default()
        };
        Self {
            moniker: moniker.into(),
            consensus,
            value_sync,
        }
    }
}

/// Malachite's libp2p protocol names for `network`:
/// `/tanji/<network>/{consensus,kad,discovery,sync,validator-proof}/v1`.
pub fn protocol_names(network: &str) -> ProtocolNames {
    ProtocolNames {
        consensus: format!("/tanji/{network}/consensus/v1"),
        discovery_kad: format!("/tanji/{network}/kad/v1"),
        discovery_regres: format!("/tanji/{network}/discovery/v1"),
        sync: format!("/tanji/{network}/sync/v1"),
        validator_proof: format!("/tanji/{network}/validator-proof/v1"),
    }
}

impl NodeConfig for TanjiNodeConfig {
    fn moniker(&self) -> &str {
        &self.moniker
    }

    fn consensus(&self) -> &ConsensusConfig {
        &self.consensus
    }

    fn consensus_mut(&mut self) -> &mut ConsensusConfig {
        &mut self.consensus
    }

    fn value_sync(&self) -> &ValueSyncConfig {
        &self.value_sync
    }

    fn value_sync_mut(&mut self) -> &mut ValueSyncConfig {
        &mut self.value_sync
    }
}

/// Where the engine keeps its files.
#[derive(Clone, Debug)]
pub struct EnginePaths {
    /// Malachite's write-ahead log (one file; its directory is created).
    pub wal_file: PathBuf,
}

impl EnginePaths {
    /// The standard layout under a node's data directory:
    /// `<data_dir>/consensus/wal/consensus.wal`.
    pub fn in_dir(data_dir: &Path) -> Self {
        Self {
            wal_file: data_dir.join("consensus").join("wal").join("consensus.wal"),
        }
    }
}

/// The libp2p identity of a node: its ed25519 node key, so every node's
/// `PeerId` follows from the key registered on the ledger.
pub fn libp2p_keypair(node_key: &SecretKey) -> Result<Keypair, EngineError> {
    Ok(crate::p2p::keypair_from_seed(&node_key.seed()))
}

/// The libp2p `PeerId` of a registered node key (the same on Malachite's swarm
/// and on Tanji's own, see [`crate::p2p`]).
pub fn peer_id_of(key: &PublicKey) -> Result<PeerId, EngineError> {
    crate::p2p::peer_id_of(key).map_err(|e| EngineError::Keypair(e.to_string()))
}

/// Who the node is to the engine: its consensus address and its network identity.
pub struct EngineIdentity {
    /// Consensus address (the node key).
    pub address: Address,
    /// libp2p keypair, moniker and (for validators) the signed validator proof.
    pub network: NetworkIdentity,
}

impl EngineIdentity {
    /// A validator's identity: libp2p key = node key, and a validator proof
    /// binding the node key to the `PeerId`, signed by `signer`.
    pub async fn validator(
        moniker: &str,
        node_key: &SecretKey,
        signer: &TanjiSigner,
    ) -> Result<Self, EngineError> {
        if signer.public_key() != node_key.public() {
            return Err(EngineError::SignerMismatch);
        }
        let keypair = libp2p_keypair(node_key)?;
        let address = Address::from(node_key.public());
        let peer_id = keypair.public().to_peer_id().to_bytes();
        let proof = signer
            .sign_validator_proof(node_key.public().0.to_vec(), peer_id)
            .await
            .map_err(|e| EngineError::Proof(e.to_string()))?;
        let proof_bytes = TanjiCodec
            .encode(&proof)
            .map_err(|e| EngineError::Proof(e.to_string()))?;
        Ok(Self {
            address,
            network: NetworkIdentity::new_validator(
                moniker.to_string(),
                keypair,
                address.to_string(),
                proof_bytes,
            ),
        })
    }

    /// A full node's (observer's) identity: no validator address or proof.
    pub fn full_node(moniker: &str, node_key: &SecretKey) -> Result<Self, EngineError> {
        Ok(Self {
            address: Address::from(node_key.public()),
            network: NetworkIdentity::new(moniker.to_string(), libp2p_keypair(node_key)?, None),
        })
    }
}

/// Starts Malachite's actors (network, WAL, sync, consensus) with Tanji's
/// types and the one [`TanjiCodec`] for the network, sync and WAL.
///
/// With `signer` the node is a validator (`ConsensusContext::new_validator`):
/// it proposes and votes when it is in the height's validator set. Without
/// it the node is a full node (`new_full_node`): it follows gossip and value
/// sync, verifies everything with `verifier`, and never signs.
///
/// The caller must then run the app loop over `Channels::consensus` (see the
/// [module documentation](self)).
pub async fn start(
    ctx: TanjiContext,
    cfg: TanjiNodeConfig,
    paths: &EnginePaths,
    identity: EngineIdentity,
    signer: Option<TanjiSigner>,
    verifier: TanjiVerifier,
) -> anyhow::Result<(Channels<TanjiContext>, EngineHandle)> {
    let consensus = match signer {
        Some(signer) => {
            if Address::from(signer.public_key()) != identity.address {
                return Err(EngineError::SignerMismatch.into());
            }
            ConsensusContext::new_validator(identity.address, Box::new(verifier), Box::new(signer))
        }
        None => ConsensusContext::new_full_node(identity.address, Box::new(verifier)),
    };
    start_engine(
        ctx,
        cfg,
        WalContext::new(paths.wal_file.clone(), TanjiCodec),
        NetworkContext::new(identity.network, TanjiCodec),
        consensus,
        SyncContext::new(TanjiCodec),
        RequestContext::new(100),
    )
    .await
    .map_err(|e| anyhow::Error::from_boxed(e.into()))
}
