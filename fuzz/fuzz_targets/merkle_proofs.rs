//! Inclusion and consistency proofs with attacker-chosen sizes, indices and hashes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_ledger::merkle::{verify_consistency, verify_inclusion, Blake3Hasher, Hash};

fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    for (i, x) in data.iter().skip(at).take(8).enumerate() {
        b[i] = *x;
    }
    u64::from_le_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 24 {
        return;
    }
    let (a, b) = (u64_at(data, 0), u64_at(data, 8));
    let hashes: Vec<Hash> = data[16..]
        .chunks_exact(32)
        .map(|c| <Hash>::try_from(c).unwrap_or([0; 32]))
        .collect();
    let zero = [0u8; 32];
    let _ = verify_inclusion::<Blake3Hasher>(&zero, a, b, &hashes, &zero);
    let _ = verify_consistency::<Blake3Hasher>(a, b, &zero, &zero, &hashes);
});
