//! Connection gating: only registered, unbanned peers get a connection.
//!
//! [`Gate`] is a [`NetworkBehaviour`] placed first in the swarm's behaviour,
//! so its verdict is taken before any other protocol is given the
//! connection. It decides in `handle_established_{inbound,outbound}_connection`,
//! the first point where the remote PeerId is known and authenticated (by
//! the Noise handshake). Outbound dials to a known PeerId are checked even
//! earlier, in `handle_pending_outbound_connection`.
//!
//! # A peer back under the same key
//!
//! libp2p-gossipsub 0.49 (libp2p 0.56) sends our topic subscriptions to a
//! peer only when its *first* connection is established
//! (`on_connection_established` returns early when `other_established > 0`),
//! and forgets the peer's own subscriptions only when its *last* connection
//! closes. So when a node comes back under the same key (a restart after a
//! crash whose connection was never closed, a cut link, a restart that races
//! the old connection's close) while we still hold its old connection, the
//! new instance never learns that we are subscribed: it never forwards or
//! publishes gossip to us (its `publish` fails with no subscribed peer),
//! while we keep the old instance's subscriptions and mesh membership.
//! Nothing else in the swarm repairs this until the old connection dies,
//! which, on an idle connection without keep-alive traffic, may be never.
//!
//! The gate therefore treats a new connection from a peer whose newest
//! existing connection is older than the reconnect grace
//! ([`P2pConfig::reconnect_grace`](super::P2pConfig::reconnect_grace)) as
//! that peer coming back: it refuses the new connection
//! ([`DenyReason::Reconnect`]) and closes all the old ones, so the peer has
//! no connection left; it redials (as does the swarm, if it knows its
//! address), and the next connection is a first one, on which both sides
//! send their subscriptions. Both halves of a simultaneous dial are
//! established within a handshake of each other, well inside the grace, and
//! our own swarm never dials a connected peer, so an honest peer opens a
//! second connection later than the grace only when it has lost the first.

use std::collections::{HashMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::fmt;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use libp2p::core::transport::PortUse;
use libp2p::core::Endpoint;
use libp2p::swarm::{
    dummy, CloseConnection, ConnectionClosed, ConnectionDenied, ConnectionId, FromSwarm,
    NetworkBehaviour, THandler, THandlerInEvent, THandlerOutEvent, ToSwarm,
};
use libp2p::{Multiaddr, PeerId};

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    /// The peer's key is not registered (not on the allow-list).
    NotAllowed,
    /// The peer is banned for misbehaviour.
    Banned,
    /// The peer already has the maximum number of connections.
    TooManyConnections,
    /// The peer opened a connection while an older one (older than the
    /// reconnect grace) was still open: it is back under the same key, and
    /// all its connections are closed so that it reconnects afresh (see the
    /// module documentation).
    Reconnect,
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DenyReason::NotAllowed => "peer is not registered",
            DenyReason::Banned => "peer is banned",
            DenyReason::TooManyConnections => "too many connections from peer",
            DenyReason::Reconnect => "peer reconnected while an older connection was open",
        })
    }
}

/// The error carried by [`ConnectionDenied`].
#[derive(Debug, thiserror::Error)]
#[error("connection to {peer} denied: {reason}")]
pub struct Denied {
    /// The peer.
    pub peer: PeerId,
    /// Why.
    pub reason: DenyReason,
}

/// What the gate reports to the swarm task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateEvent {
    /// A connection was refused.
    Denied {
        /// The peer.
        peer: PeerId,
        /// Why.
        reason: DenyReason,
        /// Whether the peer dialed us (`false`: we dialed it).
        inbound: bool,
    },
}

/// The gating behaviour: allow-list, bans, connections per peer.
pub struct Gate {
    allowed: HashSet<PeerId>,
    banned: HashMap<PeerId, Instant>,
    /// Established connections and when each was established.
    connections: HashMap<PeerId, HashMap<ConnectionId, Instant>>,
    max_per_peer: usize,
    reconnect_grace: Duration,
    to_close: VecDeque<PeerId>,
    events: VecDeque<GateEvent>,
    waker: Option<Waker>,
}

impl Gate {
    /// A gate admitting `allowed`, with at most `max_per_peer` connections
    /// each, that resets a peer opening a connection more than
    /// `reconnect_grace` after its newest open one.
    pub fn new(allowed: HashSet<PeerId>, max_per_peer: u32, reconnect_grace: Duration) -> Self {
        Self {
            allowed,
            banned: HashMap::new(),
            connections: HashMap::new(),
            max_per_peer: max_per_peer.max(1) as usize,
            reconnect_grace,
            to_close: VecDeque::new(),
            events: VecDeque::new(),
            waker: None,
        }
    }

    /// Replaces the allow-list; connected peers not on the new list are
    /// disconnected.
    pub fn set_allowed(&mut self, allowed: HashSet<PeerId>) {
        self.allowed = allowed;
        let drop: Vec<PeerId> = self
            .connections
            .keys()
            .filter(|p| !self.allowed.contains(p))
            .copied()
            .collect();
        for peer in drop {
            tracing::info!(%peer, "p2p: peer removed from the allow-list, disconnecting");
            self.close(peer);
        }
    }

    /// The allow-list.
    pub fn allowed(&self) -> &HashSet<PeerId> {
        &self.allowed
    }

    /// Bans `peer` until `until` and disconnects it.
    pub fn ban(&mut self, peer: PeerId, until: Instant) {
        self.banned.insert(peer, until);
        self.close(peer);
    }

    /// Whether `peer` is banned at `now`.
    pub fn is_banned(&self, peer: &PeerId, now: Instant) -> bool {
        self.banned.get(peer).is_some_and(|&until| now < until)
    }

    /// Whether a connection to `peer` would be admitted now (ignoring the
    /// connection cap).
    pub fn admits(&self, peer: &PeerId, now: Instant) -> bool {
        self.allowed.contains(peer) && !self.is_banned(peer, now)
    }

    /// Forgets expired bans.
    pub fn prune(&mut self, now: Instant) {
        self.banned.retain(|_, &mut until| now < until);
    }

    fn close(&mut self, peer: PeerId) {
        if self.connections.contains_key(&peer) {
            self.to_close.push_back(peer);
            if let Some(w) = self.waker.take() {
                w.wake();
            }
        }
    }

    fn check(
        &mut self,
        peer: PeerId,
        inbound: bool,
        count_connections: bool,
    ) -> Result<(), ConnectionDenied> {
        let now = Instant::now();
        let existing = self.connections.get(&peer);
        let newest = existing.and_then(|c| c.values().max().copied());
        let reason = if !self.allowed.contains(&peer) {
            Some(DenyReason::NotAllowed)
        } else if self.is_banned(&peer, now) {
            Some(DenyReason::Banned)
        } else if count_connections
            && newest.is_some_and(|t| now.saturating_duration_since(t) >= self.reconnect_grace)
        {
            Some(DenyReason::Reconnect)
        } else if count_connections && existing.map_or(0, HashMap::len) >= self.max_per_peer {
            Some(DenyReason::TooManyConnections)
        } else {
            None
        };
        match reason {
            None => Ok(()),
            Some(reason) => {
                tracing::debug!(%peer, %reason, inbound, "p2p: connection denied");
                if reason == DenyReason::Reconnect {
                    self.close(peer);
                }
                self.events.push_back(GateEvent::Denied {
                    peer,
                    reason,
                    inbound,
                });
                if let Some(w) = self.waker.take() {
                    w.wake();
                }
                Err(ConnectionDenied::new(Denied { peer, reason }))
            }
        }
    }
}

impl NetworkBehaviour for Gate {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = GateEvent;

    fn handle_established_inbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.check(peer, true, true)?;
        Ok(dummy::ConnectionHandler)
    }

    fn handle_pending_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: Option<PeerId>,
        _: &[Multiaddr],
        _: Endpoint,
    ) -> Result<Vec<Multiaddr>, ConnectionDenied> {
        if let Some(peer) = peer {
            // Do not count connections here: a dial to a connected peer is
            // filtered by the dial condition, and the cap is enforced once
            // the connection is established.
            self.check(peer, false, false)?;
        }
        Ok(vec![])
    }

    fn handle_established_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: Endpoint,
        _: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.check(peer, false, true)?;
        Ok(dummy::ConnectionHandler)
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match event {
            FromSwarm::ConnectionEstablished(e) => {
                self.connections
                    .entry(e.peer_id)
                    .or_default()
                    .insert(e.connection_id, Instant::now());
                // The allow-list may have changed while the connection was
                // being upgraded.
                if !self.admits(&e.peer_id, Instant::now()) {
                    self.close(e.peer_id);
                }
            }
            FromSwarm::ConnectionClosed(ConnectionClosed {
                peer_id,
                connection_id,
                ..
            }) => {
                if let Some(set) = self.connections.get_mut(&peer_id) {
                    set.remove(&connection_id);
                    if set.is_empty() {
                        self.connections.remove(&peer_id);
                    }
                }
            }
            _ => {}
        }
    }

    fn on_connection_handler_event(
        &mut self,
        _: PeerId,
        _: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        let never: Infallible = event;
        match never {}
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<ToSwarm<GateEvent, THandlerInEvent<Self>>> {
        if let Some(event) = self.events.pop_front() {
            return Poll::Ready(ToSwarm::GenerateEvent(event));
        }
        while let Some(peer) = self.to_close.pop_front() {
            if self.connections.contains_key(&peer) {
                return Poll::Ready(ToSwarm::CloseConnection {
                    peer_id: peer,
                    connection: CloseConnection::All,
                });
            }
        }
        self.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn p2p_gate_allow_list_and_bans() {
        let a = PeerId::random();
        let b = PeerId::random();
        let mut gate = Gate::new([a].into_iter().collect(), 2, Duration::from_secs(5));
        let now = Instant::now();
        assert!(gate.admits(&a, now));
        assert!(!gate.admits(&b, now));
        assert!(gate.check(a, true, true).is_ok());
        assert!(gate.check(b, true, true).is_err());
        assert_eq!(
            gate.events.pop_front(),
            Some(GateEvent::Denied {
                peer: b,
                reason: DenyReason::NotAllowed,
                inbound: true
            })
        );
        gate.ban(a, now + Duration::from_secs(60));
        assert!(gate.is_banned(&a, now));
        assert!(gate.check(a, false, true).is_err());
        assert!(!gate.is_banned(&a, now + Duration::from_secs(61)));
        gate.prune(now + Duration::from_secs(61));
        assert!(gate.banned.is_empty());
        gate.set_allowed([b].into_iter().collect());
        assert!(gate.admits(&b, now));
        assert!(!gate.admits(&a, now + Duration::from_secs(61)));
    }

    #[test]
    fn p2p_gate_caps_connections_per_peer() {
        let a = PeerId::random();
        let mut gate = Gate::new([a].into_iter().collect(), 1, Duration::from_secs(5));
        gate.connections
            .entry(a)
            .or_default()
            .insert(ConnectionId::new_unchecked(1), Instant::now());
        let err = gate.check(a, true, true).unwrap_err();
        assert_eq!(
            err.downcast_ref::<Denied>().map(|d| d.reason),
            Some(DenyReason::TooManyConnections)
        );
        // Pending dials are not counted.
        assert!(gate.check(a, false, false).is_ok());
    }

    #[test]
    fn p2p_gate_resets_a_peer_back_under_the_same_key() {
        let a = PeerId::random();
        let grace = Duration::from_secs(5);
        let mut gate = Gate::new([a].into_iter().collect(), 2, grace);
        let now = Instant::now();
        // A second connection within the grace (a simultaneous dial) is fine.
        gate.connections
            .entry(a)
            .or_default()
            .insert(ConnectionId::new_unchecked(1), now);
        assert!(gate.check(a, true, true).is_ok());
        assert!(gate.to_close.is_empty());
        // One whose newest open connection is older than the grace is the
        // peer coming back: refused, and the old connections closed.
        let old = now.checked_sub(grace + Duration::from_secs(1)).unwrap();
        gate.connections
            .entry(a)
            .or_default()
            .insert(ConnectionId::new_unchecked(1), old);
        let err = gate.check(a, true, true).unwrap_err();
        assert_eq!(
            err.downcast_ref::<Denied>().map(|d| d.reason),
            Some(DenyReason::Reconnect)
        );
        assert_eq!(gate.to_close.pop_front(), Some(a));
        // Pending dials are not affected.
        assert!(gate.check(a, false, false).is_ok());
    }
}
