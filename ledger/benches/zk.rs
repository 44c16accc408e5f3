//! Zero-knowledge footprint proofs: prove and verify time, and proof size, for
//! 1, 8, 32 and 128 inputs (a third committed upstream footprints, a third
//! public upstream footprints, a third public factors).
//!
//! Sizes are printed once per input count (`zk proof: n inputs, B bytes`).
//! Filter by regex, e.g. `cargo bench -p tanji-ledger --bench zk -- 'verify/8$'`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use tanji_ledger::carbon::{PerCategory, RecordRef};
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

criterion_group!(benches, bench);
criterion_main!(benches);
