//! The swarm task: owns the libp2p `Swarm`, serves handle commands, turns
//! swarm events into [`P2pEvent`]s, enforces rate limits and penalties, and
//! redials dropped peers.
//!
//! # Startup
//!
//! A node must not go quiet while its peers come up:
//! - the node gives the swarm the ledger's allow-list when it starts
//!   ([`P2pConfig::allowed`]), so peers that dial in early are admitted
//!   rather than refused (each refusal doubles their redial delay);
//! - known peers are dialed as soon as they are admitted (at start, and
//!   whenever the allow-list changes), not at the next housekeeping tick;
//! - a dropped or refused peer is redialed with a doubling delay
//!   ([`P2pConfig::redial_initial`] up to [`P2pConfig::redial_max`]), reset
//!   once a connection has lasted 10 s;
//! - gossip published with [`P2pHandle::publish_or_hold`](super::P2pHandle::publish_or_hold)
//!   before any peer subscribed to its topic (gossipsub refuses it with
//!   `NoPeersSubscribedToTopic` and forgets it) is held and published when
//!   the first peer subscribes.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use libp2p::gossipsub::{self, IdentTopic, MessageAcceptance, MessageId, TopicHash};
use libp2p::multiaddr::Protocol;
use libp2p::request_response::{self, OutboundRequestId, ResponseChannel};
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::{DialError, SwarmEvent};
use libp2p::{noise, tcp, yamux, Multiaddr, PeerId, Swarm, SwarmBuilder};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};

use super::behaviour::{Behaviour, BehaviourEvent};
use super::codec::{self, WireRequest};
use super::gating::{DenyReason, GateEvent};
use super::handle::{Command, Counters, P2pEvent, SyncReply, Topic, Verdict};
use super::limits::{Offence, Penalties, RateLimiter};
use super::messages::SyncResponse;
use super::{P2pConfig, P2pError};

/// How often redials and housekeeping run.
const TICK: Duration = Duration::from_millis(500);

/// A connection that lasted this long resets the peer's redial backoff.
/// Shorter ones do not: a peer whose gate refuses us completes the handshake
/// and then closes, which must not look like success.
const STABLE: Duration = Duration::from_secs(10);

/// Most bytes of gossip held for want of a subscribed peer ...
const HELD_BYTES: usize = 4 * 1024 * 1024;
/// ... and how long each is held.
const HELD_TTL: Duration = Duration::from_secs(60);

type PendingReply = BoxFuture<'static, (u64, Result<SyncResponse, oneshot::error::RecvError>)>;

struct Redial {
    next: Instant,
    delay: Duration,
}

pub(crate) struct SwarmTask {
    swarm: Swarm<Behaviour>,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<P2pEvent>,
    counters: Arc<Counters>,

    max_gossip_size: usize,
    ban_duration: Duration,
    redial_initial: Duration,
    redial_max: Duration,

    topics: HashMap<Topic, IdentTopic>,
    topic_of: HashMap<TopicHash, Topic>,

    sync_limiter: RateLimiter,
    gossip_limiter: RateLimiter,
    penalties: Penalties,

    connected: HashSet<PeerId>,
    connected_since: HashMap<PeerId, Instant>,
    known_addrs: HashMap<PeerId, Vec<Multiaddr>>,
    redial: HashMap<PeerId, Redial>,
    listen_addrs: Vec<Multiaddr>,

    /// Gossip published with `publish_or_hold` before any peer subscribed
    /// to its topic, oldest first, with the time it was held.
    held: VecDeque<(Topic, Vec<u8>, Instant)>,
    held_bytes: usize,

    outbound: HashMap<OutboundRequestId, oneshot::Sender<Result<SyncResponse, P2pError>>>,
    inbound: HashMap<u64, ResponseChannel<SyncResponse>>,
    replies: FuturesUnordered<PendingReply>,
    next_inbound: u64,
}

fn peer_of(addr: &Multiaddr) -> Option<PeerId> {
    addr.iter().find_map(|p| match p {
        Protocol::P2p(peer) => Some(peer),
        _ => None,
    })
}

impl SwarmTask {
    pub(crate) fn new(
        config: P2pConfig,
        commands: mpsc::Receiver<Command>,
        events: mpsc::Sender<P2pEvent>,
        counters: Arc<Counters>,
    ) -> Result<Self, P2pError> {
        let behaviour = Behaviour::new(&config.keypair, &config)?;
        let idle = config.idle_connection_timeout;
        let mut swarm = SwarmBuilder::with_existing_identity(config.keypair.clone())
            .with_tokio()
            .with_tcp(
                tcp::Config::default().nodelay(true),
                noise::Config::new,
                yamux::Config::default,
            )
            .map_err(|e| P2pError::Transport(e.to_string()))?
            .with_behaviour(|_| behaviour)
            .map_err(|e| match e {})?
            .with_swarm_config(|c| c.with_idle_connection_timeout(idle))
            .build();

        let mut topics = HashMap::new();
        let mut topic_of = HashMap::new();
        for topic in Topic::ALL {
            let ident = IdentTopic::new(topic.name(&config.network));
            swarm
                .behaviour_mut()
                .gossipsub
                .subscribe(&ident)
                .map_err(|e| P2pError::Config(format!("gossipsub subscribe: {e}")))?;
            topic_of.insert(ident.hash(), topic);
            topics.insert(topic, ident);
        }

        for addr in &config.listen {
            swarm
                .listen_on(addr.clone())
                .map_err(|e| P2pError::Listen {
                    addr: addr.to_string(),
                    reason: e.to_string(),
                })?;
        }

        let mut known_addrs: HashMap<PeerId, Vec<Multiaddr>> = HashMap::new();
        for addr in &config.bootstrap {
            match peer_of(addr) {
                // Dialed (and redialed) by the first tick.
                Some(peer) => known_addrs.entry(peer).or_default().push(addr.clone()),
                None => {
                    if let Err(e) = swarm.dial(addr.clone()) {
                        warn!(%addr, error = %e, "p2p: cannot dial bootstrap address");
                    }
                }
            }
        }

        info!(
            peer_id = %config.peer_id(),
            network = %config.network,
            allowed = config.allowed.len(),
            "p2p: swarm started"
        );

        Ok(Self {
            swarm,
            commands,
            events,
            counters,
            max_gossip_size: config.max_gossip_size,
            ban_duration: config.ban_duration,
            redial_initial: config.redial_initial,
            redial_max: config.redial_max,
            topics,
            topic_of,
            sync_limiter: RateLimiter::new(config.sync_rate),
            gossip_limiter: RateLimiter::new(config.gossip_rate),
            penalties: Penalties::new(config.penalty_threshold, config.penalty_window),
            connected: HashSet::new(),
            connected_since: HashMap::new(),
            known_addrs,
            redial: HashMap::new(),
            listen_addrs: Vec::new(),
            held: VecDeque::new(),
            held_bytes: 0,
            outbound: HashMap::new(),
            inbound: HashMap::new(),
            replies: FuturesUnordered::new(),
            next_inbound: 0,
        })
    }

    pub(crate) async fn run(mut self) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let shutdown_reply = loop {
            tokio::select! {
                command = self.commands.recv() => match command {
                    None => break None,
                    Some(Command::Shutdown { reply }) => break Some(reply),
                    Some(command) => self.on_command(command),
                },
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                Some((id, answer)) = self.replies.next(), if !self.replies.is_empty() => {
                    self.on_reply(id, answer);
                }
                _ = tick.tick() => self.on_tick(),
            }
        };
        info!("p2p: swarm stopping");
        for (_, tx) in self.outbound.drain() {
            let _ = tx.send(Err(P2pError::Closed));
        }
        drop(self.swarm);
        if let Some(reply) = shutdown_reply {
            let _ = reply.send(());
        }
    }

    /// Hands an event to the application without ever blocking the swarm;
    /// false if the channel is full or closed (the event is dropped).
    fn emit(&self, event: P2pEvent) -> bool {
        match self.events.try_send(event) {
            Ok(()) => true,
            Err(e) => {
                Counters::inc(&self.counters.events_dropped);
                if matches!(e, mpsc::error::TrySendError::Full(_)) {
                    warn!("p2p: event channel full, dropping an event");
                }
                false
            }
        }
    }

    fn penalize(&mut self, peer: PeerId, offence: Offence) {
        let now = Instant::now();
        let points = offence.points();
        self.counters
            .penalty_points
            .fetch_add(u64::from(points), Ordering::Relaxed);
        warn!(%peer, offence = offence.as_str(), points, "p2p: penalty");
        if self.penalties.add(peer, offence, now) {
            self.swarm
                .behaviour_mut()
                .gate
                .ban(peer, now + self.ban_duration);
            Counters::inc(&self.counters.bans);
            warn!(%peer, secs = self.ban_duration.as_secs(), "p2p: peer banned");
            self.emit(P2pEvent::Banned(peer));
        }
    }

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Publish { topic, data, reply } => {
                let _ = reply.send(self.publish(topic, data));
            }
            Command::PublishOrHold { topic, data, reply } => {
                // Oversized messages fail in `publish`, never held.
                let result = if data.len() > self.max_gossip_size || self.has_subscribers(topic) {
                    self.publish(topic, data).map(Some)
                } else {
                    self.hold(topic, data);
                    Ok(None)
                };
                let _ = reply.send(result);
            }
            Command::Report {
                id,
                source,
                verdict,
                reply,
            } => {
                let _ = reply.send(self.report(&id, &source, verdict));
            }
            Command::Request {
                peer,
                request,
                reply,
            } => {
                if !self.connected.contains(&peer) {
                    let _ = reply.send(Err(P2pError::NotConnected(peer)));
                    return;
                }
                let id = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .send_request(&peer, WireRequest::Valid(request));
                Counters::inc(&self.counters.sync_requests_sent);
                self.outbound.insert(id, reply);
            }
            Command::SetAllowed { peers, reply } => {
                info!(allowed = peers.len(), "p2p: allow-list replaced");
                self.redial.retain(|p, _| peers.contains(p));
                self.swarm.behaviour_mut().gate.set_allowed(peers);
                let _ = reply.send(());
                // Newly admitted peers are dialed now, not at the next tick:
                // gossip published meanwhile would find no peer.
                self.redial_due(Instant::now());
            }
            Command::Dial { addr, reply } => {
                let _ = reply.send(self.dial(addr));
            }
            Command::Peers { reply } => {
                let _ = reply.send(self.connected.iter().copied().collect());
            }
            Command::MeshPeers { topic, reply } => {
                let peers = match self.topics.get(&topic) {
                    Some(ident) => self
                        .swarm
                        .behaviour()
                        .gossipsub
                        .mesh_peers(&ident.hash())
                        .copied()
                        .collect(),
                    None => Vec::new(),
                };
                let _ = reply.send(peers);
            }
            Command::ListenAddrs { reply } => {
                let _ = reply.send(self.listen_addrs.clone());
            }
            // Handled by the loop.
            Command::Shutdown { reply } => {
                let _ = reply.send(());
            }
        }
    }

    fn publish(&mut self, topic: Topic, data: Vec<u8>) -> Result<MessageId, P2pError> {
        if data.len() > self.max_gossip_size {
            return Err(P2pError::Publish(format!(
                "message of {} bytes is larger than the limit of {}",
                data.len(),
                self.max_gossip_size
            )));
        }
        let ident = self
            .topics
            .get(&topic)
            .cloned()
            .ok_or_else(|| P2pError::Publish("unknown topic".into()))?;
        let id = self
            .swarm
            .behaviour_mut()
            .gossipsub
            .publish(ident, data)
            .map_err(|e| match e {
                gossipsub::PublishError::NoPeersSubscribedToTopic => P2pError::NoSubscribers,
                e => P2pError::Publish(e.to_string()),
            })?;
        Counters::inc(&self.counters.gossip_published);
        Ok(id)
    }

    /// Whether a connected peer has subscribed to `topic`.
    fn has_subscribers(&self, topic: Topic) -> bool {
        let Some(hash) = self.topics.get(&topic).map(IdentTopic::hash) else {
            return false;
        };
        self.swarm
            .behaviour()
            .gossipsub
            .all_peers()
            .any(|(_, topics)| topics.contains(&&hash))
    }

    fn hold(&mut self, topic: Topic, data: Vec<u8>) {
        self.held_bytes += data.len();
        self.held.push_back((topic, data, Instant::now()));
        while self.held_bytes > HELD_BYTES {
            match self.held.pop_front() {
                Some((_, old, _)) => {
                    self.held_bytes -= old.len();
                    debug!("p2p: held gossip dropped (over the byte budget)");
                }
                None => break,
            }
        }
        debug!(
            ?topic,
            held = self.held.len(),
            "p2p: no peer subscribed yet, gossip held"
        );
    }

    /// Publishes the held gossip of `topic` (a peer has just subscribed).
    fn release_held(&mut self, topic: Topic) {
        let (release, keep): (VecDeque<_>, VecDeque<_>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|(t, _, _)| *t == topic);
        self.held = keep;
        for (topic, data, _) in release {
            self.held_bytes -= data.len();
            match self.publish(topic, data) {
                Ok(_) => debug!(?topic, "p2p: held gossip published"),
                Err(e) => debug!(?topic, error = %e, "p2p: held gossip not published"),
            }
        }
    }

    fn report(&mut self, id: &MessageId, source: &PeerId, verdict: Verdict) -> bool {
        let acceptance = match verdict {
            Verdict::Accept => {
                Counters::inc(&self.counters.gossip_accepted);
                MessageAcceptance::Accept
            }
            Verdict::Reject => {
                Counters::inc(&self.counters.gossip_rejected);
                MessageAcceptance::Reject
            }
            Verdict::Ignore => {
                Counters::inc(&self.counters.gossip_ignored);
                MessageAcceptance::Ignore
            }
        };
        let found = self
            .swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(id, source, acceptance);
        if verdict == Verdict::Reject {
            self.penalize(*source, Offence::RejectedGossip);
        }
        found
    }

    fn dial(&mut self, addr: Multiaddr) -> Result<(), P2pError> {
        let result = match peer_of(&addr) {
            Some(peer) => {
                let known = self.known_addrs.entry(peer).or_default();
                if !known.contains(&addr) {
                    known.push(addr.clone());
                }
                self.swarm.dial(
                    DialOpts::peer_id(peer)
                        .addresses(vec![addr])
                        .condition(PeerCondition::DisconnectedAndNotDialing)
                        .build(),
                )
            }
            None => self.swarm.dial(addr),
        };
        match result {
            Ok(()) | Err(DialError::DialPeerConditionFalse(_)) => Ok(()),
            Err(e) => Err(P2pError::Dial(e.to_string())),
        }
    }

    fn on_tick(&mut self) {
        let now = Instant::now();
        self.swarm.behaviour_mut().gate.prune(now);
        self.penalties.prune(now);
        self.sync_limiter.prune(now);
        self.gossip_limiter.prune(now);
        // Requests whose channel closed (timeout, disconnect) while the
        // application still holds the reply.
        self.inbound.retain(|_, channel| channel.is_open());
        while let Some((_, data, _)) = self
            .held
            .front()
            .filter(|(_, _, at)| now.saturating_duration_since(*at) >= HELD_TTL)
        {
            self.held_bytes -= data.len();
            self.held.pop_front();
            debug!("p2p: held gossip dropped (no peer subscribed in time)");
        }
        self.redial_due(now);
    }

    /// Dials every known, admitted, unconnected peer whose redial time has
    /// come (the first time at once), doubling its delay each time.
    fn redial_due(&mut self, now: Instant) {
        let due: Vec<(PeerId, Vec<Multiaddr>)> = self
            .known_addrs
            .iter()
            .filter(|(peer, _)| {
                !self.connected.contains(peer) && self.swarm.behaviour().gate.admits(peer, now)
            })
            .map(|(peer, addrs)| (*peer, addrs.clone()))
            .collect();
        for (peer, addrs) in due {
            let initial = self.redial_initial;
            let redial = self.redial.entry(peer).or_insert(Redial {
                next: now,
                delay: initial,
            });
            if now < redial.next {
                continue;
            }
            redial.next = now + redial.delay;
            redial.delay = (redial.delay * 2).min(self.redial_max);
            debug!(%peer, "p2p: dialing");
            let opts = DialOpts::peer_id(peer)
                .addresses(addrs)
                .condition(PeerCondition::DisconnectedAndNotDialing)
                .build();
            match self.swarm.dial(opts) {
                Ok(()) | Err(DialError::DialPeerConditionFalse(_)) => {}
                Err(e) => debug!(%peer, error = %e, "p2p: dial failed"),
            }
        }
    }

    fn on_reply(&mut self, id: u64, answer: Result<SyncResponse, oneshot::error::RecvError>) {
        let Some(channel) = self.inbound.remove(&id) else {
            return;
        };
        let response = answer
            .unwrap_or_else(|_| SyncResponse::Error("the node did not answer the request".into()));
        if self
            .swarm
            .behaviour_mut()
            .sync
            .send_response(channel, response)
            .is_err()
        {
            debug!("p2p: sync response not sent, the request is gone");
        }
    }

    fn refuse(&mut self, channel: ResponseChannel<SyncResponse>, why: String) {
        let _ = self
            .swarm
            .behaviour_mut()
            .sync
            .send_response(channel, SyncResponse::Error(why));
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gate(GateEvent::Denied {
                peer,
                reason,
                inbound,
            })) => {
                Counters::inc(&self.counters.denied_connections);
                if reason == DenyReason::Reconnect {
                    info!(%peer, inbound, "p2p: peer is back while an older connection is still open; closing them all so that it reconnects afresh and gossip subscriptions are exchanged again");
                } else {
                    debug!(%peer, %reason, inbound, "p2p: connection denied");
                }
                self.emit(P2pEvent::ConnectionDenied(peer));
            }
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(event)) => self.on_gossip(event),
            SwarmEvent::Behaviour(BehaviourEvent::Sync(event)) => self.on_sync(event),
            SwarmEvent::NewListenAddr { address, .. } => {
                info!(%address, "p2p: listening");
                if !self.listen_addrs.contains(&address) {
                    self.listen_addrs.push(address.clone());
                }
                self.emit(P2pEvent::Listening(address));
            }
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                self.listen_addrs.retain(|a| a != &address);
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                ..
            } => {
                if endpoint.is_dialer() {
                    let addr = endpoint.get_remote_address().clone();
                    let known = self.known_addrs.entry(peer_id).or_default();
                    if !known.contains(&addr) {
                        known.push(addr);
                    }
                }
                if num_established.get() == 1 && self.connected.insert(peer_id) {
                    self.connected_since.insert(peer_id, Instant::now());
                    self.counters
                        .peers
                        .store(self.connected.len() as u64, Ordering::Relaxed);
                    info!(peer = %peer_id, "p2p: peer connected");
                    self.emit(P2pEvent::PeerConnected(peer_id));
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established,
                cause,
                ..
            } => {
                let gone = num_established == 0 && self.connected.remove(&peer_id);
                if gone {
                    let lasted = self.connected_since.remove(&peer_id).map(|t| t.elapsed());
                    if lasted.is_some_and(|d| d >= STABLE) {
                        self.redial.remove(&peer_id);
                    }
                    self.counters
                        .peers
                        .store(self.connected.len() as u64, Ordering::Relaxed);
                    info!(peer = %peer_id, cause = ?cause, "p2p: peer disconnected");
                    self.emit(P2pEvent::PeerDisconnected(peer_id));
                }
            }
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                debug!(peer = ?peer_id, %error, "p2p: outgoing connection failed");
            }
            SwarmEvent::IncomingConnectionError {
                peer_id,
                send_back_addr,
                error,
                ..
            } => {
                debug!(peer = ?peer_id, from = %send_back_addr, %error, "p2p: incoming connection failed");
            }
            SwarmEvent::ListenerError { error, .. } => {
                warn!(%error, "p2p: listener error");
            }
            _ => {}
        }
    }

    fn on_gossip(&mut self, event: gossipsub::Event) {
        match event {
            gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            } => {
                Counters::inc(&self.counters.gossip_received);
                let source = propagation_source;
                let Some(&topic) = self.topic_of.get(&message.topic) else {
                    self.ignore(&message_id, &source);
                    return;
                };
                if message.data.len() > self.max_gossip_size {
                    Counters::inc(&self.counters.gossip_rejected);
                    self.swarm
                        .behaviour_mut()
                        .gossipsub
                        .report_message_validation_result(
                            &message_id,
                            &source,
                            MessageAcceptance::Reject,
                        );
                    self.penalize(source, Offence::RejectedGossip);
                    return;
                }
                if !self.gossip_limiter.allow(source, Instant::now()) {
                    Counters::inc(&self.counters.rate_limited);
                    self.ignore(&message_id, &source);
                    self.penalize(source, Offence::RateLimited);
                    return;
                }
                let event = P2pEvent::Gossip {
                    topic,
                    id: message_id.clone(),
                    source,
                    origin: message.source,
                    data: message.data,
                };
                if !self.emit(event) {
                    self.ignore(&message_id, &source);
                }
            }
            gossipsub::Event::Subscribed { peer_id, topic } => {
                debug!(peer = %peer_id, %topic, "p2p: peer subscribed");
                if let Some(&topic) = self.topic_of.get(&topic) {
                    self.release_held(topic);
                }
            }
            gossipsub::Event::Unsubscribed { peer_id, topic } => {
                debug!(peer = %peer_id, %topic, "p2p: peer unsubscribed");
            }
            gossipsub::Event::GossipsubNotSupported { peer_id } => {
                debug!(peer = %peer_id, "p2p: peer does not speak gossipsub");
            }
            gossipsub::Event::SlowPeer { peer_id, .. } => {
                debug!(peer = %peer_id, "p2p: slow gossip peer");
            }
        }
    }

    fn ignore(&mut self, id: &MessageId, source: &PeerId) {
        Counters::inc(&self.counters.gossip_ignored);
        self.swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(id, source, MessageAcceptance::Ignore);
    }

    fn on_sync(&mut self, event: request_response::Event<WireRequest, SyncResponse>) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request, channel, ..
                } => self.on_sync_request(peer, request, channel),
                request_response::Message::Response {
                    request_id,
                    response,
                } => {
                    if let Some(tx) = self.outbound.remove(&request_id) {
                        let _ = tx.send(Ok(response));
                    }
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                debug!(%peer, %error, "p2p: sync request failed");
                if let request_response::OutboundFailure::Io(e) = &error {
                    if codec::is_violation(e) {
                        Counters::inc(&self.counters.malformed);
                        warn!(%peer, error = %e, "p2p: malformed sync response");
                        self.penalize(peer, Offence::MalformedResponse);
                    }
                }
                if let Some(tx) = self.outbound.remove(&request_id) {
                    let _ = tx.send(Err(P2pError::Request {
                        peer,
                        reason: error.to_string(),
                    }));
                }
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                debug!(%peer, %error, "p2p: inbound sync request failed");
            }
            request_response::Event::ResponseSent { .. } => {
                Counters::inc(&self.counters.sync_responses_sent);
            }
        }
    }

    fn on_sync_request(
        &mut self,
        peer: PeerId,
        request: WireRequest,
        channel: ResponseChannel<SyncResponse>,
    ) {
        Counters::inc(&self.counters.sync_requests_received);
        let request = match request {
            WireRequest::Valid(request) => request,
            WireRequest::Malformed(why) => {
                Counters::inc(&self.counters.malformed);
                warn!(%peer, error = %why, "p2p: malformed sync request");
                self.refuse(channel, format!("malformed request: {why}"));
                self.penalize(peer, Offence::MalformedRequest);
                return;
            }
        };
        if !self.sync_limiter.allow(peer, Instant::now()) {
            Counters::inc(&self.counters.rate_limited);
            self.refuse(channel, "rate limited".into());
            self.penalize(peer, Offence::RateLimited);
            return;
        }
        if let Err(why) = request.validate() {
            self.refuse(channel, why);
            self.penalize(peer, Offence::InvalidRequest);
            return;
        }
        let id = self.next_inbound;
        self.next_inbound = self.next_inbound.wrapping_add(1);
        let (tx, rx) = oneshot::channel();
        self.inbound.insert(id, channel);
        self.replies
            .push(rx.map(move |answer| (id, answer)).boxed());
        // If the event cannot be delivered, `tx` is dropped with it and the
        // pending reply resolves to an error answer.
        self.emit(P2pEvent::SyncRequest {
            peer,
            request,
            reply: SyncReply { tx },
        });
    }
}
