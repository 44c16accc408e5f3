//! # Tanji's own peer-to-peer swarm
//!
//! Ordering runs on Malachite's libp2p swarm. Everything else nodes exchange
//! travels on this second, Tanji-owned swarm (libp2p 0.56, the same major as
//! Malachite's):
//!
//! - **gossip** (gossipsub) of submitted transactions and of checkpoint
//!   cosignatures, on the topics `tanji/{network}/tx/1` and
//!   `tanji/{network}/checkpoint/1` ([`Topic`]);
//! - **range sync** (request-response `/tanji/sync/1`, [`SyncRequest`] /
//!   [`SyncResponse`]) so observers and restarted nodes fetch entries,
//!   checkpoints and proofs from peers.
//!
//! The node drives it through a [`P2pHandle`] and consumes [`P2pEvent`]s; see
//! [`P2p::start`].
//!
//! ## Trust model
//!
//! - **Identity.** A node's libp2p identity is its Tanji node key (the ed25519
//!   key registered on the ledger), so every node computes the PeerIds it
//!   accepts from the ledger ([`peer_id_of`]) and passes them to
//!   [`P2pHandle::set_allowed`] whenever governance changes the node set.
//! - **Gating.** Transport is TCP + Noise (XX, mutually authenticated) + Yamux.
//!   The PeerId is known, and proven, only once the Noise handshake is done;
//!   that is where the gate ([`gating::Gate`]) runs: a connection from or to a
//!   PeerId that is not on the allow-list, that is banned, or that already has
//!   the maximum number of connections is refused before any protocol (gossip,
//!   sync) sees it. Peers removed from the list are disconnected at once.
//!   A peer that opens a connection long after its newest open one is back
//!   under the same key (restarted, or its old connection died unseen): the
//!   gate closes all its connections so that it reconnects afresh, because
//!   gossipsub exchanges subscriptions on a peer's first connection only
//!   (see [`gating`]).
//! - **What an unregistered or banned peer can do**: open a TCP connection
//!   and complete a Noise + Yamux handshake (a few kilobytes and two
//!   signature checks of our CPU), after which the connection is closed. It
//!   cannot send or receive gossip, make sync requests, or learn anything but
//!   our PeerId and listen address (which it needed to dial us anyway).
//!   Dropping such peers earlier (by IP) is a firewall's job.
//! - **What a registered peer can do**: gossip and request, within limits.
//!   Gossip is signed by its author (gossipsub `Strict` mode) and is only
//!   forwarded after the application validated it ([`Verdict::Accept`]); the
//!   application re-verifies every transaction and cosignature anyway, so a
//!   registered peer cannot make others accept anything the ledger rules
//!   reject. Sync responses are untrusted too: the node verifies entries
//!   against cosigned checkpoints. Frames are bounded ([`P2pConfig`]: gossip
//!   256 KiB, sync request 4 KiB, sync response 16 MiB; reading more is an
//!   error, never an allocation of attacker-chosen size), and per-peer token
//!   buckets bound the rate of sync requests and gossip messages.
//! - **Penalties.** Malformed sync requests, invalid requests, gossip the
//!   application rejects and rate-limit breaches add points
//!   ([`Offence::points`]); a peer that collects
//!   [`P2pConfig::penalty_threshold`] points within
//!   [`P2pConfig::penalty_window`] is disconnected and banned for
//!   [`P2pConfig::ban_duration`] (it is denied at the gate like an
//!   unregistered peer). Bans live in memory: a restarted node forgets them.
//!
//! The application must use [`Verdict::Reject`] only for messages that are
//! invalid in themselves (bad encoding, bad signature), and
//! [`Verdict::Ignore`] for messages that depend on its local state (already
//! known, stale), because honest peers can differ there.

mod behaviour;
pub mod codec;
mod config;
mod error;
pub mod gating;
mod handle;
pub mod identity;
pub mod limits;
pub use tanji_wire::p2p::messages;
mod swarm;

pub use config::P2pConfig;
pub use error::P2pError;
pub use handle::{P2p, P2pEvent, P2pHandle, P2pStats, SyncReply, Topic, Verdict};
pub use identity::{keypair_from_seed, peer_id_of};
pub use libp2p::gossipsub::MessageId;
pub use libp2p::identity::Keypair;
pub use libp2p::{Multiaddr, PeerId};
pub use limits::{Offence, RateLimit};
pub use messages::{SyncRequest, SyncResponse, MAX_ENTRIES_PER_REQUEST};
