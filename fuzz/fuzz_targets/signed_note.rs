//! Checkpoints (C2SP signed notes) and verifier keys served by nodes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_ledger::checkpoint::{NoteVerifier, SignedNote};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(note) = SignedNote::parse(text) {
        let _ = note.checkpoint();
        let _ = note.verify(&[], 1);
        // A note with Ed25519 signatures prints back to a note that parses to the
        // same thing (lines of other algorithms are not kept).
        if !note.signatures.is_empty() {
            assert_eq!(SignedNote::parse(&note.to_string()).ok(), Some(note));
        }
    }
    let _ = NoteVerifier::from_vkey(text);
});
