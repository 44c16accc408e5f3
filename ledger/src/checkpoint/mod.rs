//! Checkpoints: a log's size and root, in the C2SP signed-note layout.
//!
//! ```text
//! dev.tanji.local            <- origin (the network name)
//! 1234                       <- tree size
//! 3q2+7w...=                 <- base64 root hash
//!                            <- blank line ends the note text
//! — validator-0 AbCd...==    <- one line per signature
//! ```
//!
//! The signed message is the note text (the three lines, each ending in a
//! newline). Each signature line is `— <key name> <base64(key id ‖ signature)>`,
//! where the 4-byte key id is `SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[..4]`
//! (C2SP signed-note, Ed25519). Verifier keys are written as
//! `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
//!
//! Parsing is strict and bounded: at most [`MAX_NOTE_BYTES`] and
//! [`MAX_SIGNATURES`]; anything else is an error, never a panic.

mod note;

pub use note::{Checkpoint, NoteError, NoteSigner, NoteVerifier, SignedNote};

/// Largest signed note accepted.
pub const MAX_NOTE_BYTES: usize = 16 * 1024;
/// Most signature lines on a note.
pub const MAX_SIGNATURES: usize = 100;
