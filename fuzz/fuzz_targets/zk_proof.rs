//! Zero-knowledge footprint proofs as nodes receive them (inside hidden
//! attestations). Whatever decodes must re-encode to exactly the same bytes;
//! verifying a decoded proof against a fixed statement must fail cleanly
//! (a random byte string is never a valid proof), never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_ledger::carbon::PerCategory;
use tanji_ledger::ids::{OrgId, TxId};
use tanji_ledger::zk::{verify, FootprintOpening, FootprintProof, ProofInput, Statement};

fuzz_target!(|data: &[u8]| {
    let Ok(proof) = FootprintProof::from_bytes(data) else {
        return;
    };
    assert_eq!(proof.to_bytes(), data, "proof bytes not canonical");
    let result = FootprintOpening {
        values: [1, 0, 0, 0, 0],
        blindings: Default::default(),
    }
    .commitment();
    let inputs: Vec<ProofInput> = (0..proof.input_count())
        .map(|i| ProofInput::PublicUpstream {
            id: TxId([i as u8; 32]),
            values_mg: PerCategory([1, 2, 3, 4, 5]),
        })
        .collect();
    let statement = Statement {
        network: "fuzz",
        author: OrgId([1; 16]),
        context: b"fuzz",
        inputs: &inputs,
        result: &result,
    };
    assert!(verify(&statement, &proof).is_err(), "a fuzzed proof verified");
});
