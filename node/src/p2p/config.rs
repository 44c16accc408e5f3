//! Configuration of the Tanji swarm.

use std::collections::HashSet;
use std::time::Duration;

use libp2p::identity::Keypair;
use libp2p::{Multiaddr, PeerId};

use super::limits::RateLimit;

/// Everything [`P2p::start`](super::P2p::start) needs. Build it with
/// [`P2pConfig::new`] and change the fields you need; the defaults are the
/// production values.
#[derive(Debug, Clone)]
pub struct P2pConfig {
    /// The node's identity: [`keypair_from_seed`](super::keypair_from_seed)
    /// of its node key.
    pub keypair: Keypair,
    /// The network's name; it is part of the gossip topics, so nodes of
    /// different networks never exchange gossip.
    pub network: String,
    /// Addresses to listen on, e.g. `/ip4/0.0.0.0/tcp/7001` (`tcp/0` lets the
    /// OS choose; the chosen address is reported as
    /// [`P2pEvent::Listening`](super::P2pEvent::Listening)).
    pub listen: Vec<Multiaddr>,
    /// Peers to dial at start and to redial whenever they drop, as
    /// `/ip4/../tcp/../p2p/<PeerId>`. Addresses without a `/p2p/` part are
    /// dialed once at start but never redialed.
    pub bootstrap: Vec<Multiaddr>,
    /// PeerIds allowed to connect (the registered node keys, see
    /// [`peer_id_of`](super::peer_id_of)). Replace it at runtime with
    /// [`P2pHandle::set_allowed`](super::P2pHandle::set_allowed).
    pub allowed: HashSet<PeerId>,
    /// Largest gossip payload, in bytes (default 256 KiB). Larger messages are
    /// refused by `publish` and dropped on receipt.
    pub max_gossip_size: usize,
    /// Largest encoded sync request, in bytes (default 4 KiB).
    pub max_request_size: u64,
    /// Largest encoded sync response, in bytes (default 16 MiB).
    pub max_response_size: u64,
    /// How long an outbound sync request may take, and how long the
    /// application has to answer an inbound one (default 30 s).
    pub request_timeout: Duration,
    /// Inbound sync requests per peer (default 50/s, burst 100).
    pub sync_rate: RateLimit,
    /// Gossip messages received per forwarding peer (default 2000/s, burst
    /// 4000).
    pub gossip_rate: RateLimit,
    /// Penalty points that get a peer banned (default 10) ...
    pub penalty_threshold: u32,
    /// ... if collected within this window (default 60 s).
    pub penalty_window: Duration,
    /// How long a ban lasts (default 5 min).
    pub ban_duration: Duration,
    /// Connections allowed per peer (default 2, so that simultaneous dials in
    /// both directions do not fail).
    pub max_connections_per_peer: u32,
    /// A peer that opens a connection this long (default 5 s) or longer
    /// after its newest open one is taken to be back under the same key
    /// (restarted, or its old connection is dead without our knowing): the
    /// new connection is refused and the old ones closed, so that it
    /// reconnects afresh and gossip subscriptions are exchanged again (see
    /// [`gating`](super::gating)). Far longer than a handshake, so the two
    /// halves of a simultaneous dial are never mistaken for it.
    pub reconnect_grace: Duration,
    /// First delay before redialing a dropped peer (default 1 s); it doubles
    /// after each failure ...
    pub redial_initial: Duration,
    /// ... up to this (default 60 s).
    pub redial_max: Duration,
    /// The gossipsub heartbeat (default 1 s).
    pub heartbeat_interval: Duration,
    /// Connections with no protocol in use are closed after this (default
    /// 60 s; gossip keeps connections to mesh peers open).
    pub idle_connection_timeout: Duration,
    /// Capacity of the event channel to the application (default 4096). When
    /// it is full, gossip is ignored and sync requests are answered with an
    /// error rather than blocking the swarm; the count is in
    /// [`P2pStats::events_dropped`](super::P2pStats::events_dropped).
    pub event_buffer: usize,
}

impl P2pConfig {
    /// The defaults for a node with this identity on this network; no listen
    /// address, no bootstrap peers, nobody allowed.
    pub fn new(keypair: Keypair, network: impl Into<String>) -> Self {
        Self {
            keypair,
            network: network.into(),
            listen: Vec::new(),
            bootstrap: Vec::new(),
            allowed: HashSet::new(),
            max_gossip_size: 256 * 1024,
            max_request_size: 4 * 1024,
            max_response_size: 16 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            sync_rate: RateLimit {
                per_second: 50,
                burst: 100,
            },
            gossip_rate: RateLimit {
                per_second: 2000,
                burst: 4000,
            },
            penalty_threshold: 10,
            penalty_window: Duration::from_secs(60),
            ban_duration: Duration::from_secs(300),
            max_connections_per_peer: 2,
            reconnect_grace: Duration::from_secs(5),
            redial_initial: Duration::from_secs(1),
            redial_max: Duration::from_secs(60),
            heartbeat_interval: Duration::from_secs(1),
            idle_connection_timeout: Duration::from_secs(60),
            event_buffer: 4096,
        }
    }

    /// This node's PeerId.
    pub fn peer_id(&self) -> PeerId {
        self.keypair.public().to_peer_id()
    }

    pub(crate) fn check(&self) -> Result<(), super::P2pError> {
        use super::P2pError::Config;
        if self.network.is_empty() || self.network.contains('/') {
            return Err(Config(
                "network name must be non-empty and contain no '/'".into(),
            ));
        }
        if self.max_gossip_size == 0 || self.max_request_size < 16 || self.max_response_size < 16 {
            return Err(Config("message size limits are too small".into()));
        }
        if self.max_request_size > u64::from(u32::MAX)
            || self.max_response_size > u64::from(u32::MAX)
        {
            return Err(Config("message size limits must fit in 32 bits".into()));
        }
        if self.sync_rate.burst == 0 || self.gossip_rate.burst == 0 {
            return Err(Config("rate limit bursts must be at least 1".into()));
        }
        if self.penalty_threshold == 0 {
            return Err(Config("penalty threshold must be at least 1".into()));
        }
        if self.max_connections_per_peer == 0 {
            return Err(Config("max_connections_per_peer must be at least 1".into()));
        }
        if self.reconnect_grace.is_zero() {
            return Err(Config("reconnect_grace must be positive".into()));
        }
        if self.event_buffer == 0 {
            return Err(Config("event_buffer must be at least 1".into()));
        }
        if self.redial_initial.is_zero() || self.redial_max < self.redial_initial {
            return Err(Config(
                "redial delays must be positive and initial <= max".into(),
            ));
        }
        Ok(())
    }
}
