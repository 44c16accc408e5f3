//! Errors of the peer-to-peer layer.

use libp2p::PeerId;

/// What went wrong in the peer-to-peer layer.
#[derive(Debug, thiserror::Error)]
pub enum P2pError {
    /// A public key is not a valid ed25519 key.
    #[error("invalid node key: {0}")]
    InvalidKey(String),
    /// The configuration cannot be used.
    #[error("invalid p2p configuration: {0}")]
    Config(String),
    /// The transport or swarm could not be built.
    #[error("p2p transport: {0}")]
    Transport(String),
    /// Listening on an address failed.
    #[error("cannot listen on {addr}: {reason}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        reason: String,
    },
    /// Dialing failed at once (bad address, peer denied by our own gate).
    #[error("cannot dial: {0}")]
    Dial(String),
    /// `P2p::start` was called outside a tokio runtime.
    #[error("no tokio runtime to run the p2p swarm on")]
    NoRuntime,
    /// The swarm task has stopped (after `shutdown`, or all handles dropped).
    #[error("the p2p swarm has stopped")]
    Closed,
    /// Publishing a gossip message failed (too large, duplicate, queues
    /// full).
    #[error("publish failed: {0}")]
    Publish(String),
    /// No connected peer has subscribed to the topic yet (right after start,
    /// or while every peer is away): nothing was sent, and the same bytes
    /// may be published again (see
    /// [`P2pHandle::publish_or_hold`](super::P2pHandle::publish_or_hold)).
    #[error("publish failed: no peer has subscribed to the topic yet")]
    NoSubscribers,
    /// A sync request was sent to a peer we are not connected to.
    #[error("peer {0} is not connected")]
    NotConnected(PeerId),
    /// A sync request is outside the protocol's limits.
    #[error("invalid sync request: {0}")]
    InvalidRequest(String),
    /// A sync request failed on the way (timeout, connection closed,
    /// protocol not supported, i/o or codec error).
    #[error("sync request to {peer} failed: {reason}")]
    Request {
        /// The peer asked.
        peer: PeerId,
        /// Why it failed.
        reason: String,
    },
    /// A sync request got no answer in time.
    #[error("sync request timed out")]
    Timeout,
}
