//! Context strings that prefix every signed message.
//!
//! A signed message is `context ‖ 0x00 ‖ body`. The zero byte ends the context,
//! so no context is a prefix of another's message. Signed notes (checkpoints)
//! follow the C2SP signed-note format instead, whose signed text starts with
//! the origin line; origins are validated never to start with `tanji/`, so
//! the two cannot be confused.

/// Transactions, version 1.
pub const TX_V1: &str = "tanji/tx/v1";

/// A new signing key's proof of possession in a key rotation, version 1.
pub const KEY_POSSESSION_V1: &str = "tanji/key-possession/v1";

/// Builds the message a signature covers: `context ‖ 0x00 ‖ body`.
pub fn message(context: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(context.len() + 1 + body.len());
    m.extend_from_slice(context.as_bytes());
    m.push(0);
    m.extend_from_slice(body);
    m
}
