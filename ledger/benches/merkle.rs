//! Merkle log benchmarks on the in-memory tree (BLAKE3), at 1e3 to 1e7 leaves.
//!
//! Groups:
//! - `blake3`: one leaf hash (32-byte and 256-byte entries) and one interior-node hash, the units
//!   the other numbers can be quoted in;
//! - `append`: `push_leaf_hash` on a tree of n leaves (leaf hash precomputed, so this is the tree's
//!   own work: amortised one node hash and one lookup);
//! - `root`: root of the whole tree (one lookup per one bit of n);
//! - `inclusion_proof` / `verify_inclusion`: PATH generation and verification for pseudo-random
//!   leaves;
//! - `consistency_proof` / `verify_consistency`: PROOF(m, n) generation and verification for
//!   pseudo-random m < n.
//!
//! Trees are built once, outside the timed loops; `append` truncates back to n after each sample.
//! Sample sizes are small so everything runs in about two minutes on two cores. Set
//! `TANJI_BENCH_MAX_LEAVES` (e.g. `100000`) to skip the larger trees, and filter by regex, e.g.
//! `cargo bench -p tanji-ledger --bench merkle -- '/1000$' --quick`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use tanji_ledger::merkle::{
    verify_consistency, verify_inclusion, Blake3Hasher, Hash, MemoryTree, MerkleHasher, NodeSource,
};

const SIZES: [u64; 5] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// Query points per size; cycled through so that proofs hit different paths (and cache lines).
const QUERIES: usize = 1024;

type Tree = MemoryTree<Blake3Hasher>;

fn sizes() -> Vec<u64> {
    let max = std::env::var("TANJI_BENCH_MAX_LEAVES")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    SIZES.iter().copied().filter(|&n| n <= max).collect()
}

fn build(n: u64) -> Tree {
    let mut tree = Tree::new();
    for i in 0..n {
        tree.push(&i.to_le_bytes());
    }
    tree
}

/// Deterministic pseudo-random values in [lo, hi) (SplitMix64), so runs are comparable.
fn points(seed: u64, lo: u64, hi: u64) -> Vec<u64> {
    let mut state = seed;
    (0..QUERIES)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            lo + z % (hi - lo)
        })
        .collect()
}

fn blake3_units(c: &mut Criterion) {
    let mut g = c.benchmark_group("blake3");
    let small = [7u8; 32];
    let entry = [7u8; 256];
    g.bench_function("hash_leaf/32B", |b| {
        b.iter(|| Blake3Hasher::hash_leaf(black_box(&small)))
    });
    g.bench_function("hash_leaf/256B", |b| {
        b.iter(|| Blake3Hasher::hash_leaf(black_box(&entry)))
    });
    let (l, r) = ([1u8; 32], [2u8; 32]);
    g.bench_function("hash_children", |b| {
        b.iter(|| Blake3Hasher::hash_children(black_box(&l), black_box(&r)))
    });
    g.finish();
}

fn tree_ops(c: &mut Criterion) {
    let mut trees: Vec<(u64, Tree)> = sizes().into_iter().map(|n| (n, build(n))).collect();

    {
        let mut g = c.benchmark_group("append");
        let leaf = Blake3Hasher::hash_leaf(b"appended entry");
        for (n, tree) in trees.iter_mut() {
            let n = *n;
            g.bench_function(BenchmarkId::from_parameter(n), |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        tree.push_leaf_hash(black_box(leaf));
                    }
                    let elapsed = start.elapsed();
                    // Back to n leaves, so every sample measures appends at the same size.
                    tree.truncate(n).expect("n <= len");
                    elapsed
                })
            });
        }
        g.finish();
    }

    {
        let mut g = c.benchmark_group("root");
        for (n, tree) in &trees {
            g.bench_function(BenchmarkId::from_parameter(n), |b| {
                b.iter(|| black_box(tree).root())
            });
        }
        g.finish();
    }

    {
        let mut g = c.benchmark_group("inclusion_proof");
        for (n, tree) in &trees {
            let idx = points(*n, 0, *n);
            let mut q = idx.iter().cycle();
            g.bench_function(BenchmarkId::from_parameter(n), |b| {
                b.iter(|| {
                    let i = *q.next().expect("cycle is endless");
                    tree.inclusion_proof(black_box(i), *n).expect("valid")
                })
            });
        }
        g.finish();
    }

    {
        let mut g = c.benchmark_group("verify_inclusion");
        for (n, tree) in &trees {
            let root = tree.root();
            let cases: Vec<(Hash, u64, Vec<Hash>)> = points(*n, 0, *n)
                .into_iter()
                .map(|i| {
                    let leaf = tree.perfect_node(0, i).expect("leaf exists");
                    (leaf, i, tree.inclusion_proof(i, *n).expect("valid"))
                })
                .collect();
            let mut q = cases.iter().cycle();
            g.bench_function(BenchmarkId::from_parameter(n), |b| {
                b.iter(|| {
                    let (leaf, i, proof) = q.next().expect("cycle is endless");
                    verify_inclusion::<Blake3Hasher>(
                        black_box(leaf),
                        *i,
                        *n,
                        black_box(proof),
                        &root,
                    )
                    .expect("valid proof")
                })
            });
        }
        g.finish();
    }

    {
        let mut g = c.benchmark_group("consistency_proof");
        for (n, tree) in &trees {
            let olds = points(n.wrapping_mul(31), 1, *n);
            let mut q = olds.iter().cycle();
            g.bench_function(BenchmarkId::from_parameter(n), |b| {
                b.iter(|| {
                    let m = *q.next().expect("cycle is endless");
                    tree.consistency_proof(black_box(m), *n).expect("valid")
                })
            });
        }
        g.finish();
    }

    {
        let mut g = c.benchmark_group("verify_consistency");
        for (n, tree) in &trees {
            let root = tree.root();
            let cases: Vec<(u64, Hash, Vec<Hash>)> = points(n.wrapping_mul(31), 1, *n)
                .into_iter()
                .map(|m| {
                    let old_root = tree.root_at(m).expect("m < n");
                    (m, old_root, tree.consistency_proof(m, *n).expect("valid"))
                })
                .collect();
            let mut q = cases.iter().cycle();
            g.bench_function(BenchmarkId::from_parameter(n), |b| {
                b.iter(|| {
                    let (m, old_root, proof) = q.next().expect("cycle is endless");
                    verify_consistency::<Blake3Hasher>(
                        *m,
                        *n,
                        black_box(old_root),
                        &root,
                        black_box(proof),
                    )
                    .expect("valid proof")
                })
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = blake3_units, tree_ops
}
criterion_main!(benches);
