//! Zero-knowledge footprint proofs: prove and verify time, and proof size, for
//! 1, 8, 32 and 128 inputs (a third committed upstream footprints, a third
//! public upstream footprints, a third public factors).
//!
//! Sizes are printed once per input count (`zk proof: n inputs, B bytes`).
//! Filter by regex, e.g. `cargo bench -p tanji-ledger --bench zk -- 'verify/8$'`.
//!
//! `three_tier_chain`: the all-hidden chain of `tests/hidden_chain.rs`
//! (ingot → housing → laptop) built through `validate::check` on a
//! `MemoryState`; measures an observer's `verify_tree` of the whole chain
//! (three proofs) and one node's `validate::check` of the laptop's
//! transaction (signature, input checks, proof; 3 inputs). The three proof
//! sizes are printed once (`three_tier_chain: proof sizes …`).
//!
//! `zk/bulletproof64`: one plain 64-bit Bulletproofs range proof (prove,
//! verify), the reference the footprint proof's costs are compared with in
//! docs/privacy.md.

use std::hint::black_box;
use std::time::Duration;

use bulletproofs::{BulletproofGens, PedersenGens, RangeProof};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use curve25519_dalek_bp::scalar::Scalar;
use merlin::Transcript;
use tanji_ledger::carbon::hidden::HiddenBuild;
use tanji_ledger::carbon::tree::verify_tree;
use tanji_ledger::carbon::{PerCategory, Privacy, RecordRef};
use tanji_ledger::testkit::{self, MemoryLedger};
use tanji_ledger::tx::SignedTx;
use tanji_ledger::validate::{check, ViewResolver};
use tanji_ledger::zk::{
    expected_result, prove, verify, FootprintCommitment, FootprintProof, InputWitness, ProofInput,
    QuantityOpening, Statement, Witness,
};
use tanji_ledger::{OrgId, TxId};

const SIZES: [usize; 4] = [1, 8, 32, 128];

struct Case {
    inputs: Vec<ProofInput>,
    witness: Witness,
    result: FootprintCommitment,
}

impl Case {
    fn new(n: usize) -> Case {
        let mut inputs = Vec::with_capacity(n);
        let mut witnesses = Vec::with_capacity(n);
        for i in 0..n {
            let values = PerCategory([
                1_000_000 + i as i64,
                20_000,
                -(300_000 + i as i64),
                4_000,
                50,
            ]);
            let quantity = QuantityOpening::new(1_500_000 + i as u64).expect("randomness");
            let (input, upstream) = match i % 3 {
                0 => {
                    let (commitment, opening) =
                        FootprintCommitment::commit(&values).expect("randomness");
                    (
                        ProofInput::CommittedUpstream {
                            id: TxId([i as u8; 32]),
                            commitment,
                        },
                        Some(opening),
                    )
                }
                1 => (
                    ProofInput::PublicUpstream {
                        id: TxId([i as u8; 32]),
                        values_mg: values,
                    },
                    None,
                ),
                _ => (
                    ProofInput::Factor {
                        reference: RecordRef::new(format!("factor_{i}"), 1),
                        values_ug: values,
                    },
                    None,
                ),
            };
            inputs.push(input);
            witnesses.push(InputWitness { quantity, upstream });
        }
        let values = expected_result(&inputs, &witnesses).expect("in range");
        let (result, opening) = FootprintCommitment::commit(&values).expect("randomness");
        Case {
            inputs,
            witness: Witness {
                inputs: witnesses,
                result: opening,
            },
            result,
        }
    }

    fn statement(&self) -> Statement<'_> {
        Statement {
            network: "tanji-bench",
            author: OrgId([1; 16]),
            context: b"body digest",
            inputs: &self.inputs,
            result: &self.result,
        }
    }
}

fn bench(c: &mut Criterion) {
    let cases: Vec<(usize, Case)> = SIZES.iter().map(|&n| (n, Case::new(n))).collect();
    for (n, case) in &cases {
        let proof = prove(&case.statement(), &case.witness).expect("honest proof");
        let bytes = proof.to_bytes();
        assert_eq!(bytes.len(), FootprintProof::encoded_len(*n));
        println!("zk proof: {n} inputs, {} bytes", bytes.len());
    }

    let mut g = c.benchmark_group("zk/prove");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for (n, case) in &cases {
        g.bench_with_input(BenchmarkId::from_parameter(n), case, |b, case| {
            b.iter(|| black_box(prove(&case.statement(), &case.witness).expect("honest proof")))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("zk/verify");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for (n, case) in &cases {
        let proof = prove(&case.statement(), &case.witness).expect("honest proof");
        g.bench_with_input(BenchmarkId::from_parameter(n), case, |b, case| {
            b.iter(|| verify(&case.statement(), black_box(&proof)).expect("valid proof"))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("zk/decode");
    g.sample_size(10).measurement_time(Duration::from_secs(2));
    for (n, case) in &cases {
        let bytes = prove(&case.statement(), &case.witness)
            .expect("honest proof")
            .to_bytes();
        g.bench_with_input(BenchmarkId::from_parameter(n), &bytes, |b, bytes| {
            b.iter(|| FootprintProof::from_bytes(black_box(bytes)).expect("valid encoding"))
        });
    }
    g.finish();
}

/// The chain of `testkit::hidden_chain` (as in `authoring/tests/hidden_chain.rs`), the
/// laptop's transaction not yet applied, and the three proofs' sizes.
fn three_tiers() -> (MemoryLedger, SignedTx, [usize; 3]) {
    let chain = testkit::hidden_chain();
    let size = |b: &HiddenBuild| match &b.attestation.privacy {
        Privacy::Hidden(h) => h.proof.len(),
        _ => unreachable!("hidden"),
    };
    let sizes = [
        size(&chain.ingot.1),
        size(&chain.housing.1),
        size(&chain.laptop),
    ];
    (chain.ledger, chain.laptop_tx, sizes)
}

fn bench_chain(c: &mut Criterion) {
    let (mut chain, laptop_tx, sizes) = three_tiers();
    eprintln!(
        "three_tier_chain: proof sizes {} B (ingot, 2 inputs), {} B (housing, 2), {} B (laptop, 3); tx {} B",
        sizes[0],
        sizes[1],
        sizes[2],
        laptop_tx.encode().len()
    );

    let mut g = c.benchmark_group("three_tier_chain");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    // (b) before the laptop is applied: the state a node checks it against.
    let index = chain.next_index();
    check(&chain.state, &laptop_tx, index, &[]).expect("the laptop is accepted");
    g.bench_function("check_top_tier", |b| {
        b.iter(|| check(&chain.state, black_box(&laptop_tx), index, &[]).expect("accepted"))
    });
    // (a) the whole chain, as an observer verifies it.
    let root = chain.apply(&laptop_tx).expect("accepted");
    let network = chain.net.network.clone();
    let report = verify_tree(root, &ViewResolver(&chain.state), &network);
    assert!(report.verified, "{:?}", report.problems);
    assert_eq!(report.proofs_checked, 3);
    g.bench_function("verify_tree", |b| {
        b.iter(|| black_box(verify_tree(root, &ViewResolver(&chain.state), &network)))
    });
    g.finish();
}

fn bench_bulletproof(c: &mut Criterion) {
    let bp = BulletproofGens::new(64, 1);
    let pc = PedersenGens::default();
    let blinding = Scalar::from(0x5eed_u64);
    let value = 1_500_000u64;
    let (proof, commitment) = RangeProof::prove_single(
        &bp,
        &pc,
        &mut Transcript::new(b"bench"),
        value,
        &blinding,
        64,
    )
    .expect("in range");
    let mut g = c.benchmark_group("zk/bulletproof64");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    g.bench_function("prove", |b| {
        b.iter(|| {
            RangeProof::prove_single(
                &bp,
                &pc,
                &mut Transcript::new(b"bench"),
                value,
                &blinding,
                64,
            )
            .expect("in range")
        })
    });
    g.bench_function("verify", |b| {
        b.iter(|| {
            black_box(&proof)
                .verify_single(&bp, &pc, &mut Transcript::new(b"bench"), &commitment, 64)
                .expect("valid")
        })
    });
    g.finish();
}

criterion_group!(benches, bench, bench_chain, bench_bulletproof);
criterion_main!(benches);
