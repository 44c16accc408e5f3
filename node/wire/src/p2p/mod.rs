//! Tanji's range-sync protocol (`/tanji/sync/1`) without libp2p: its
//! [`messages`] and their [`frame`]s. The node's request-response codec
//! (`tanji_node::p2p::codec`) reads and writes streams with these.
//!
//! Invariants: reading a frame never allocates more than the peer sent nor
//! more than the limit; decoding never panics; whatever decodes re-encodes
//! to the same frame.

pub mod frame;
pub mod messages;

pub use frame::{decode_request, decode_response, encode_frame, is_violation, FrameError};
pub use messages::{SyncRequest, SyncResponse, MAX_ENTRIES_PER_REQUEST};
