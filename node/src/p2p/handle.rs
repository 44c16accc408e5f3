//! The node's view of the swarm: [`P2p::start`], [`P2pHandle`], [`P2pEvent`].

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use libp2p::gossipsub::MessageId;
use libp2p::{Multiaddr, PeerId};
use tokio::sync::{mpsc, oneshot};

use super::messages::{SyncRequest, SyncResponse};
use super::{P2pConfig, P2pError};

/// The gossip topics. On the wire each is namespaced by the network name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Submitted transactions (`tanji/{network}/tx/1`).
    Transactions,
    /// Checkpoint cosignatures (`tanji/{network}/checkpoint/1`).
    Checkpoints,
}

impl Topic {
    /// Both topics.
    pub const ALL: [Topic; 2] = [Topic::Transactions, Topic::Checkpoints];

    /// The topic's name on the wire for `network`.
    pub fn name(self, network: &str) -> String {
        match self {
            Topic::Transactions => format!("tanji/{network}/tx/1"),
            Topic::Checkpoints => format!("tanji/{network}/checkpoint/1"),
        }
    }
}

/// The application's verdict on a gossip message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Valid: deliver it to our mesh peers.
    Accept,
    /// Invalid in itself (bad encoding or signature): drop it and penalise
    /// the peer that forwarded it.
    Reject,
    /// Not useful to us (duplicate, stale, depends on state we lack): drop it
    /// without penalty.
    Ignore,
}

/// Where the application answers an inbound sync request. Dropping it without
/// answering sends [`SyncResponse::Error`] to the requester.
pub struct SyncReply {
    pub(crate) tx: oneshot::Sender<SyncResponse>,
}

impl SyncReply {
    /// Sends the answer. Returns false if the request is no longer waiting
    /// (timed out, connection closed, swarm stopped).
    pub fn send(self, response: SyncResponse) -> bool {
        self.tx.send(response).is_ok()
    }
}

impl fmt::Debug for SyncReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SyncReply")
    }
}

/// What the swarm tells the application.
#[derive(Debug)]
pub enum P2pEvent {
    /// We listen on this address.
    Listening(Multiaddr),
    /// First connection to this (allowed) peer established. A peer whose
    /// own gate refuses us shows up as connected and then disconnected at
    /// once: its gate runs after the handshake, like ours.
    PeerConnected(PeerId),
    /// Last connection to this peer closed.
    PeerDisconnected(PeerId),
    /// A connection to or from this peer was refused by the gate (not
    /// registered, banned, or too many connections).
    ConnectionDenied(PeerId),
    /// A gossip message waiting for the application's verdict: answer with
    /// [`P2pHandle::report`]`(id, source, verdict)`. It is forwarded to
    /// other peers only after [`Verdict::Accept`].
    Gossip {
        /// The topic.
        topic: Topic,
        /// The message id (BLAKE3 of `data`).
        id: MessageId,
        /// The peer that forwarded it to us (the one to report on).
        source: PeerId,
        /// The peer that published it (its signature was checked).
        origin: Option<PeerId>,
        /// The payload.
        data: Vec<u8>,
    },
    /// A valid, within-rate sync request; answer through `reply`.
    SyncRequest {
        /// The requester.
        peer: PeerId,
        /// The request.
        request: SyncRequest,
        /// Where to send the answer.
        reply: SyncReply,
    },
    /// This peer collected too many penalty points; it was disconnected and
    /// is banned for [`P2pConfig::ban_duration`].
    Banned(PeerId),
}

/// Counters for metrics (monotonic except `peers`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct P2pStats {
    /// Peers currently connected.
    pub peers: u64,
    /// Gossip messages received (before rate limiting and validation).
    pub gossip_received: u64,
    /// Gossip messages we published.
    pub gossip_published: u64,
    /// Gossip messages the application accepted.
    pub gossip_accepted: u64,
    /// Gossip messages rejected (by the application, or oversized).
    pub gossip_rejected: u64,
    /// Gossip messages ignored (by the application, over the rate limit, or
    /// because the event channel was full).
    pub gossip_ignored: u64,
    /// Sync requests received (including refused ones).
    pub sync_requests_received: u64,
    /// Sync requests we sent.
    pub sync_requests_sent: u64,
    /// Sync requests answered by us.
    pub sync_responses_sent: u64,
    /// Sync requests and gossip messages over a peer's rate limit.
    pub rate_limited: u64,
    /// Malformed sync requests (undecodable or oversized).
    pub malformed: u64,
    /// Penalty points given.
    pub penalty_points: u64,
    /// Bans imposed.
    pub bans: u64,
    /// Connections refused by the gate.
    pub denied_connections: u64,
    /// Events dropped because the application's channel was full.
    pub events_dropped: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub peers: AtomicU64,
    pub gossip_received: AtomicU64,
    pub gossip_published: AtomicU64,
    pub gossip_accepted: AtomicU64,
    pub gossip_rejected: AtomicU64,
    pub gossip_ignored: AtomicU64,
    pub sync_requests_received: AtomicU64,
    pub sync_requests_sent: AtomicU64,
    pub sync_responses_sent: AtomicU64,
    pub rate_limited: AtomicU64,
    pub malformed: AtomicU64,
    pub penalty_points: AtomicU64,
    pub bans: AtomicU64,
    pub denied_connections: AtomicU64,
    pub events_dropped: AtomicU64,
}

impl Counters {
    pub(crate) fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> P2pStats {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        P2pStats {
            peers: g(&self.peers),
            gossip_received: g(&self.gossip_received),
            gossip_published: g(&self.gossip_published),
            gossip_accepted: g(&self.gossip_accepted),
            gossip_rejected: g(&self.gossip_rejected),
            gossip_ignored: g(&self.gossip_ignored),
            sync_requests_received: g(&self.sync_requests_received),
            sync_requests_sent: g(&self.sync_requests_sent),
            sync_responses_sent: g(&self.sync_responses_sent),
            rate_limited: g(&self.rate_limited),
            malformed: g(&self.malformed),
            penalty_points: g(&self.penalty_points),
            bans: g(&self.bans),
            denied_connections: g(&self.denied_connections),
            events_dropped: g(&self.events_dropped),
        }
    }
}

/// Requests from handles to the swarm task.
pub(crate) enum Command {
    Publish {
        topic: Topic,
        data: Vec<u8>,
        reply: oneshot::Sender<Result<MessageId, P2pError>>,
    },
    PublishOrHold {
        topic: Topic,
        data: Vec<u8>,
        reply: oneshot::Sender<Result<Option<MessageId>, P2pError>>,
    },
    Report {
        id: MessageId,
        source: PeerId,
        verdict: Verdict,
        reply: oneshot::Sender<bool>,
    },
    Request {
        peer: PeerId,
        request: SyncRequest,
        reply: oneshot::Sender<Result<SyncResponse, P2pError>>,
    },
    SetAllowed {
        peers: HashSet<PeerId>,
        reply: oneshot::Sender<()>,
    },
    Dial {
        addr: Multiaddr,
        reply: oneshot::Sender<Result<(), P2pError>>,
    },
    Peers {
        reply: oneshot::Sender<Vec<PeerId>>,
    },
    MeshPeers {
        topic: Topic,
        reply: oneshot::Sender<Vec<PeerId>>,
    },
    ListenAddrs {
        reply: oneshot::Sender<Vec<Multiaddr>>,
    },
    Shutdown {
        reply: oneshot::Sender<()>,
    },
}

/// Starts the swarm.
pub struct P2p;

impl P2p {
    /// Builds the swarm from `config`, starts listening, dials the bootstrap
    /// peers and spawns the swarm task on the current tokio runtime.
    ///
    /// Returns the handle and the event stream. The task stops on
    /// [`P2pHandle::shutdown`] or when every handle is dropped. The event
    /// channel is bounded ([`P2pConfig::event_buffer`]); the application
    /// should drain it promptly.
    pub fn start(config: P2pConfig) -> Result<(P2pHandle, mpsc::Receiver<P2pEvent>), P2pError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| P2pError::NoRuntime)?;
        config.check()?;
        let counters = Arc::new(Counters::default());
        let (cmd_tx, cmd_rx) = mpsc::channel(256);
        let (event_tx, event_rx) = mpsc::channel(config.event_buffer);
        let local_peer_id = config.peer_id();
        let request_timeout = config.request_timeout;
        let task = super::swarm::SwarmTask::new(config, cmd_rx, event_tx, counters.clone())?;
        runtime.spawn(task.run());
        Ok((
            P2pHandle {
                commands: cmd_tx,
                counters,
                local_peer_id,
                request_timeout,
            },
            event_rx,
        ))
    }
}

/// A cheap, cloneable handle on the running swarm.
#[derive(Clone)]
pub struct P2pHandle {
    commands: mpsc::Sender<Command>,
    counters: Arc<Counters>,
    local_peer_id: PeerId,
    request_timeout: Duration,
}

impl fmt::Debug for P2pHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("P2pHandle")
            .field("local_peer_id", &self.local_peer_id)
            .finish()
    }
}

impl P2pHandle {
    async fn call<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, P2pError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .await
            .map_err(|_| P2pError::Closed)?;
        rx.await.map_err(|_| P2pError::Closed)
    }

    /// This node's PeerId.
    pub fn local_peer_id(&self) -> PeerId {
        self.local_peer_id
    }

    /// Publishes `data` on `topic`. Fails if it is larger than
    /// [`P2pConfig::max_gossip_size`], if no peer is subscribed yet
    /// ([`P2pError::NoSubscribers`]), or if the same bytes were published
    /// before (ids are content hashes).
    pub async fn publish(&self, topic: Topic, data: Vec<u8>) -> Result<MessageId, P2pError> {
        self.call(|reply| Command::Publish { topic, data, reply })
            .await?
    }

    /// Like [`publish`](Self::publish), but when no peer has subscribed to
    /// `topic` yet (right after start, or while every peer is away) the
    /// message is held and published as soon as a peer subscribes, and
    /// `Ok(None)` is returned. At most 4 MiB are held, each message for at
    /// most a minute; the oldest are dropped first.
    pub async fn publish_or_hold(
        &self,
        topic: Topic,
        data: Vec<u8>,
    ) -> Result<Option<MessageId>, P2pError> {
        self.call(|reply| Command::PublishOrHold { topic, data, reply })
            .await?
    }

    /// Reports the verdict on a received gossip message (see
    /// [`P2pEvent::Gossip`]). Returns false if gossipsub no longer had the
    /// message (it keeps unvalidated messages for a few heartbeats).
    pub async fn report(
        &self,
        id: MessageId,
        source: PeerId,
        verdict: Verdict,
    ) -> Result<bool, P2pError> {
        self.call(|reply| Command::Report {
            id,
            source,
            verdict,
            reply,
        })
        .await
    }

    /// Sends a sync request to a connected peer and waits for the answer (at
    /// most [`P2pConfig::request_timeout`]). A peer's refusal is
    /// `Ok(SyncResponse::Error(..))`; failures to get any answer are errors.
    pub async fn request(
        &self,
        peer: PeerId,
        request: SyncRequest,
    ) -> Result<SyncResponse, P2pError> {
        request.validate().map_err(P2pError::InvalidRequest)?;
        let call = self.call(|reply| Command::Request {
            peer,
            request,
            reply,
        });
        // The request-response behaviour has its own timeout; this one only
        // guards against a stuck swarm task.
        match tokio::time::timeout(self.request_timeout + Duration::from_secs(5), call).await {
            Ok(res) => res?,
            Err(_) => Err(P2pError::Timeout),
        }
    }

    /// Replaces the set of PeerIds allowed to connect; connected peers not in
    /// it are disconnected.
    pub async fn set_allowed(&self, peers: HashSet<PeerId>) -> Result<(), P2pError> {
        self.call(|reply| Command::SetAllowed { peers, reply })
            .await
    }

    /// Dials an address. With a `/p2p/<PeerId>` suffix the peer is also
    /// remembered and redialed when it drops (while it is allowed).
    pub async fn dial(&self, addr: Multiaddr) -> Result<(), P2pError> {
        self.call(|reply| Command::Dial { addr, reply }).await?
    }

    /// Connected peers.
    pub async fn peers(&self) -> Result<Vec<PeerId>, P2pError> {
        self.call(|reply| Command::Peers { reply }).await
    }

    /// Our gossip mesh peers on `topic` (those we forward to).
    pub async fn mesh_peers(&self, topic: Topic) -> Result<Vec<PeerId>, P2pError> {
        self.call(|reply| Command::MeshPeers { topic, reply }).await
    }

    /// Addresses we listen on.
    pub async fn listen_addrs(&self) -> Result<Vec<Multiaddr>, P2pError> {
        self.call(|reply| Command::ListenAddrs { reply }).await
    }

    /// The counters, for metrics.
    pub fn stats(&self) -> P2pStats {
        self.counters.snapshot()
    }

    /// Stops the swarm: closes every connection and ends the task.
    pub async fn shutdown(&self) -> Result<(), P2pError> {
        self.call(|reply| Command::Shutdown { reply }).await
    }
}
