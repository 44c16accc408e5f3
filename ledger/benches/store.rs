//! RocksDB store: batch append (validation + signature check + tree + state +
//! checkpoint, one atomic write), and proof generation from the stored tree.
//!
//! Per-transaction append cost is reported next to the cost of one strict
//! ed25519 verification, the floor for a node that checks every signature.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use tanji_ledger::crypto::SecretKey;
use tanji_ledger::store::{Candidate, Store};
use tanji_ledger::testkit::TestNet;

fn fresh_store(
    net: &TestNet,
) -> (
    tempfile::TempDir,
    Store,
    Vec<tanji_ledger::keyfile::OrgKeyFile>,
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), false).expect("open");
    store
        .append_batch(&[Candidate::new(net.genesis())], Some(&net.node))
        .expect("genesis");
    let suppliers: Vec<_> = (10..18).map(|s| net.supplier(s)).collect();
    let regs: Vec<_> = suppliers
        .iter()
        .map(|s| Candidate::new(net.register(s)))
        .collect();
    store
        .append_batch(&regs, Some(&net.node))
        .expect("register");
    (dir, store, suppliers)
}

fn bench_append(c: &mut Criterion) {
    let net = TestNet::new();
    let mut g = c.benchmark_group("store_append");
    g.sample_size(10);
    for batch in [1usize, 100, 1000] {
        g.throughput(Throughput::Elements(batch as u64));
        let (_dir, store, suppliers) = fresh_store(&net);
        let mut nonce = 1u64;
        g.bench_function(format!("batch_{batch}"), |b| {
            b.iter_batched(
                || {
                    let txs: Vec<Candidate> = (0..batch)
                        .map(|i| {
                            nonce += 1;
                            Candidate::new(net.anchor(
                                &suppliers[i % suppliers.len()],
                                nonce,
                                "bench",
                            ))
                        })
                        .collect();
                    txs
                },
                |txs| {
                    let out = store.append_batch(&txs, Some(&net.node)).expect("append");
                    black_box(out.head)
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();

    let key = SecretKey::from_seed(&[1; 32]);
    let public = key.public();
    let sig = key.sign("tanji/tx/v1", &[0u8; 150]);
    c.bench_function("ed25519_verify_strict", |b| {
        b.iter(|| public.verify("tanji/tx/v1", black_box(&[0u8; 150]), &sig))
    });
}

fn bench_proofs(c: &mut Criterion) {
    let net = TestNet::new();
    let (_dir, store, suppliers) = fresh_store(&net);
    let mut nonce = 1u64;
    for _ in 0..100 {
        let txs: Vec<Candidate> = (0..1000)
            .map(|i| {
                nonce += 1;
                Candidate::new(net.anchor(&suppliers[i % suppliers.len()], nonce, "bench"))
            })
            .collect();
        store.append_batch(&txs, None).expect("append");
    }
    let size = store.head().size;
    let mut g = c.benchmark_group(format!("store_proofs_{size}"));
    g.bench_function("inclusion", |b| {
        let mut i = 0u64;
        b.iter(|| {
            i = (i + 7919) % size;
            black_box(store.inclusion_proof(i, size).expect("proof"))
        })
    });
    g.bench_function("consistency", |b| {
        let mut m = 1u64;
        b.iter(|| {
            m = (m + 7919) % size + 1;
            black_box(store.consistency_proof(m, size).expect("proof"))
        })
    });
    g.bench_function("root", |b| {
        b.iter(|| black_box(store.root_at(size).expect("root")))
    });
    g.finish();
}

criterion_group!(benches, bench_append, bench_proofs);
criterion_main!(benches);
