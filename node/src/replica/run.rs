//! `tanji-node run`: one node of a replicated network, from its config file.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use libp2p::multiaddr::Protocol;
use libp2p::Multiaddr;
use malachitebft_app_channel::app::types::core::LinearTimeouts;
use tanji_api::{ApiState, Metrics};
use tanji_ledger::checkpoint::NoteSigner;
use tanji_ledger::keyfile::NodeKeyFile;
use tanji_ledger::state::StateView as _;
use tanji_ledger::store::Store;
use tanji_ledger::tx::ValidatorNode;
use tokio::sync::mpsc;

use super::alarms::AlarmLog;
use super::checkpoints::Witnessing;
use super::config::{NodeConfig, NodeRole};
use super::genesis::GenesisFile;
use super::network::{allowed_peers, NetworkTask};
use crate::local::dev::{DB_DIR, NODE_INFO_FILE, NODE_KEY_FILE};
use crate::ordering::bft::app::{start_node, AppHooks, BftConfig, Mempool, NodeStart};
use crate::ordering::replicated::ReplicatedOrdering;
use crate::p2p::{keypair_from_seed, peer_id_of, P2p, P2pConfig};
use crate::service::Node;
use crate::tracker::TxTracker;

/// Most admitted transactions waiting in a validator's mempool.
pub const MEMPOOL_CAPACITY: usize = 50_000;

fn with_peer_id(addr: &Multiaddr, key: &tanji_ledger::crypto::PublicKey) -> Result<Multiaddr> {
    let peer = peer_id_of(key)?;
    let mut a = addr.clone();
    if !matches!(a.iter().last(), Some(Protocol::P2p(_))) {
        a.push(Protocol::P2p(peer));
    }
    Ok(a)
}

fn bft_config(cfg: &NodeConfig) -> BftConfig {
    let propose = cfg.propose_timeout();
    let vote = Duration::from_millis(cfg.consensus.vote_timeout_ms);
    BftConfig {
        timeouts: LinearTimeouts {
            propose,
            propose_delta: propose / 4,
            prevote: vote,
            prevote_delta: vote / 4,
            precommit: vote,
            precommit_delta: vote / 4,
            rebroadcast: propose + vote + vote,
            max_timeout: Duration::from_secs(30),
        },
        max_batch_txs: cfg.consensus.max_batch_txs,
        max_wait_for_txs: Duration::from_millis(cfg.consensus.max_wait_for_txs_ms),
        ..BftConfig::default()
    }
}

/// Runs a node until SIGINT/SIGTERM.
pub async fn run(cfg: NodeConfig) -> Result<()> {
    std::fs::create_dir_all(&cfg.data_dir)
        .with_context(|| format!("creating {}", cfg.data_dir.display()))?;
    let key_path = cfg.data_dir.join(NODE_KEY_FILE);
    let node_key = NodeKeyFile::load(&key_path)
        .with_context(|| format!("loading the node key {}", key_path.display()))?;
    if node_key.name != cfg.name {
        bail!(
            "{} is the key of {:?}, but the config names this node {:?}",
            key_path.display(),
            node_key.name,
            cfg.name
        );
    }
    let secret = node_key.secret()?;
    let genesis = GenesisFile::load(&cfg.genesis)?;
    let store = Arc::new(
        Store::open(&cfg.data_dir.join(DB_DIR), cfg.fsync)
            .with_context(|| format!("opening the store in {}", cfg.data_dir.display()))?,
    );
    genesis.init_store(&store)?;
    let info = store.network()?.context("the store has no genesis")?;
    match cfg.role {
        NodeRole::Validator => {
            let is_me = |v: &ValidatorNode| v.key == node_key.signing_key && v.name == cfg.name;
            let epochs = store.validator_epochs()?;
            let now = epochs
                .last()
                .is_some_and(|e| e.validators.iter().any(is_me));
            let ever = epochs.iter().any(|e| e.validators.iter().any(is_me));
            if !now && ever {
                tracing::warn!(
                    name = %cfg.name,
                    "this node was removed from the validator set; it follows the log without voting or signing checkpoints"
                );
            } else if !now {
                tracing::warn!(
                    name = %cfg.name,
                    key = %node_key.signing_key,
                    network = %info.network,
                    "this node is not in the validator set (yet): it follows the log and starts voting once governance adds it (`tanji validator add`)"
                );
            }
        }
        NodeRole::Observer => {
            if !store
                .observers()?
                .iter()
                .any(|o| o.key == node_key.signing_key)
            {
                tracing::warn!(
                    key = %node_key.signing_key,
                    "this observer's key is not registered on the ledger yet; peers refuse its connections until governance registers it"
                );
            }
        }
    }

    let metrics = Arc::new(Metrics::new());
    metrics.log_size.set(store.head().size as i64);
    let tracker = Arc::new(TxTracker::default());
    let alarms = Arc::new(AlarmLog::open(&cfg.data_dir, metrics.clone())?);
    let mempool: Mempool = Arc::default();
    let (mut hooks, applied) = AppHooks::new(tracker.clone(), metrics.clone());
    hooks.alarms = Some(alarms.clone());
    if cfg.byzantine.equivocate_votes {
        tracing::error!(
            name = %cfg.name,
            "BYZANTINE TEST MODE (--byzantine-equivocate-votes): this validator signs and broadcasts a second, conflicting vote for each of its votes. Honest nodes will raise equivocating_vote alarms naming it. For tests only."
        );
    }

    // Tanji's swarm: gossip and range sync, gated by the ledger's registry.
    let keypair = keypair_from_seed(&secret.seed());
    let mut p2p_config = P2pConfig::new(keypair, info.network.clone());
    p2p_config.listen = vec![cfg.p2p_addr.clone()];
    p2p_config.bootstrap = cfg
        .peers
        .iter()
        .map(|p| with_peer_id(&p.p2p_addr, &p.key))
        .collect::<Result<_>>()?;
    // The gate knows the validator set before the swarm starts: with an
    // empty list it refused every peer that dialed in before the network
    // task's first refresh (after Malachite started), pushing their redial
    // backoff up. The network task refreshes it after every applied height.
    let me = p2p_config.peer_id();
    p2p_config.allowed = allowed_peers(&store, me)?;
    p2p_config.redial_max = Duration::from_secs(5);
    let (p2p, events) = P2p::start(p2p_config)?;

    // Malachite.
    let persistent_peers = cfg
        .peers
        .iter()
        .map(|p| with_peer_id(&p.consensus_addr, &p.key))
        .collect::<Result<Vec<_>>>()?;
    let bft = start_node(NodeStart {
        store: store.clone(),
        node_key: &secret,
        moniker: &cfg.name,
        listen_addr: cfg.consensus_addr.clone(),
        persistent_peers,
        data_dir: &cfg.data_dir,
        config: bft_config(&cfg),
        validator: cfg.role == NodeRole::Validator,
        mempool: mempool.clone(),
        hooks,
        byzantine: cfg.byzantine,
    })
    .await?;

    let witnessing = Witnessing::new(
        store.clone(),
        NoteSigner {
            name: cfg.name.clone(),
            key: secret.clone(),
        },
        cfg.role,
        alarms.clone(),
        metrics.clone(),
    )?;
    let (admitted_tx, admitted_rx) = mpsc::channel(MEMPOOL_CAPACITY);
    let network = tokio::spawn(
        NetworkTask {
            role: cfg.role,
            store: store.clone(),
            p2p: p2p.clone(),
            events,
            admitted: admitted_rx,
            applied,
            witnessing,
            mempool: mempool.clone(),
            mempool_capacity: MEMPOOL_CAPACITY,
            me,
            allowed: None,
        }
        .run(),
    );

    let ordering = ReplicatedOrdering {
        role: cfg.role,
        mempool,
        capacity: MEMPOOL_CAPACITY,
        gossip: admitted_tx,
        alarms,
        store: store.clone(),
    };
    let node = Arc::new(Node::new(store.clone(), ordering, tracker));
    tracing::info!(
        role = cfg.role.as_str(),
        name = %cfg.name,
        network = %info.network,
        size = store.head().size,
        height = store.last_decided()?.unwrap_or(0),
        "node starting"
    );
    let crate::ordering::bft::app::BftNode {
        engine, mut app, ..
    } = bft;
    let info_file = cfg.data_dir.join(NODE_INFO_FILE);
    let pact = cfg
        .pact
        .as_ref()
        .map(|p| p.listen(&cfg.data_dir))
        .transpose()?;
    let serve = crate::server::serve(
        ApiState {
            store: store.clone(),
            node,
            metrics,
            pact_url: Default::default(),
        },
        cfg.http_addr,
        pact,
        &info_file,
        &cfg.cors,
    );
    // The node stops on a signal, or when the consensus app loop ends (a
    // fatal error): a node that no longer applies decisions must not go on
    // serving as if it were following the network.
    let outcome = tokio::select! {
        served = serve => served,
        ended = &mut app => Err(match ended {
            Ok(Ok(())) => anyhow::anyhow!("the consensus engine stopped"),
            Ok(Err(e)) => e.context("the consensus app loop failed"),
            Err(e) => anyhow::anyhow!("the consensus app loop panicked: {e}"),
        }),
    };
    engine.actor.stop(None);
    let _ = engine.handle.await;
    app.abort();
    let _ = p2p.shutdown().await;
    network.abort();
    outcome
}
