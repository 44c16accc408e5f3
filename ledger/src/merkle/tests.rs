//! Cross-cutting tests: the generator and verifier against the naive RFC 9162 recursion, on
//! known small trees and on random ones, plus tampering.

use proptest::prelude::*;
use proptest::sample::Index;

use super::naive::{self, Side};
use super::*;

/// Distinct entries: the index prefix guarantees no two leaves (hence no two subtrees) share a
/// hash, which the tampering properties rely on.
fn entries(random: &[Vec<u8>]) -> Vec<Vec<u8>> {
    random
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut e = (i as u32).to_be_bytes().to_vec();
            e.extend_from_slice(r);
            e
        })
        .collect()
}

fn build<H: MerkleHasher>(entries: &[Vec<u8>]) -> (MemoryTree<H>, Vec<Hash>) {
    let mut tree = MemoryTree::new();
    for e in entries {
        tree.push(e);
    }
    (tree, naive::leaf_hashes::<H>(entries))
}

/// Root, every inclusion proof and every consistency proof into size `size` equal the naive
/// recursion and verify.
fn check_size_against_naive<H: MerkleHasher>(
    tree: &MemoryTree<H>,
    hashes: &[Hash],
    size: u64,
) -> Result<(), TestCaseError> {
    let prefix = &hashes[..size as usize];
    let root = tree.root_at(size).expect("size within tree");
    prop_assert_eq!(root, naive::mth::<H>(prefix), "MTH size {}", size);
    for index in 0..size {
        let p = tree.inclusion_proof(index, size).expect("valid");
        prop_assert_eq!(
            &p,
            &naive::path::<H>(index as usize, prefix),
            "PATH({}, {})",
            index,
            size
        );
        prop_assert!(p.len() <= MAX_INCLUSION_PROOF_LEN);
        let leaf = &hashes[index as usize];
        prop_assert_eq!(
            verify_inclusion::<H>(leaf, index, size, &p, &root),
            Ok(()),
            "verify PATH({}, {})",
            index,
            size
        );
        prop_assert_eq!(
            root_from_inclusion_proof::<H>(leaf, index, size, &p),
            Ok(root)
        );
    }
    for old in 0..=size {
        let old_root = tree.root_at(old).expect("size within tree");
        if old == 0 && size > 0 {
            prop_assert!(tree.consistency_proof(old, size).is_err());
            prop_assert!(verify_consistency::<H>(old, size, &old_root, &root, &[]).is_err());
            continue;
        }
        let p = tree.consistency_proof(old, size).expect("valid");
        prop_assert_eq!(
            &p,
            &naive::proof::<H>(old as usize, prefix),
            "PROOF({}, {})",
            old,
            size
        );
        prop_assert!(p.len() <= MAX_CONSISTENCY_PROOF_LEN);
        prop_assert_eq!(
            verify_consistency::<H>(old, size, &old_root, &root, &p),
            Ok(()),
            "verify PROOF({}, {})",
            old,
            size
        );
    }
    Ok(())
}

#[test]
fn known_small_trees_match_naive_and_verify() {
    for n in 0..=9u32 {
        let data: Vec<Vec<u8>> = (0..n).map(|i| vec![i as u8; i as usize]).collect();
        let (b3, b3_hashes) = build::<Blake3Hasher>(&data);
        let (sha, sha_hashes) = build::<Sha256Hasher>(&data);
        for size in 0..=u64::from(n) {
            check_size_against_naive(&b3, &b3_hashes, size).expect("blake3");
            check_size_against_naive(&sha, &sha_hashes, size).expect("sha256");
        }
    }
}

/// Bytes of a hash with one bit flipped.
fn flip(h: &Hash, bit: usize) -> Hash {
    let mut h = *h;
    h[bit / 8] ^= 1 << (bit % 8);
    h
}

/// Every single-bit change of every proof element.
fn each_bit_flip(proof: &[Hash]) -> impl Iterator<Item = Vec<Hash>> + '_ {
    (0..proof.len()).flat_map(move |i| {
        (0..256).map(move |bit| {
            let mut p = proof.to_vec();
            p[i] = flip(&p[i], bit);
            p
        })
    })
}

/// Plausible wrong values for an index or size, as a confused or malicious prover might send.
fn mutations(x: u64, other: u64) -> Vec<u64> {
    let mut v = vec![
        x.wrapping_sub(1),
        x.wrapping_add(1),
        x ^ 1,
        x ^ 2,
        x.saturating_mul(2),
        x / 2,
        other,
        u64::MAX,
        0,
    ];
    v.retain(|&y| y != x);
    v
}

fn arb_entries() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 0..24), 1..300)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_trees_match_naive_and_verify_blake3(random in arb_entries(), size in any::<Index>()) {
        let data = entries(&random);
        let (tree, hashes) = build::<Blake3Hasher>(&data);
        let size = size.index(data.len() + 1) as u64;
        check_size_against_naive(&tree, &hashes, size)?;
        // The whole tree as well, which exercises the last (possibly just completed) nodes.
        check_size_against_naive(&tree, &hashes, tree.len())?;
        prop_assert_eq!(tree.root(), naive::mth::<Blake3Hasher>(&hashes));
    }

    #[test]
    fn random_trees_match_naive_and_verify_sha256(random in arb_entries(), size in any::<Index>()) {
        let data = entries(&random);
        let (tree, hashes) = build::<Sha256Hasher>(&data);
        let size = size.index(data.len() + 1) as u64;
        check_size_against_naive(&tree, &hashes, size)?;
    }

    #[test]
    fn tampered_inclusion_claims_fail(
        random in arb_entries(),
        size in any::<Index>(),
        index in any::<Index>(),
        other in any::<u64>(),
    ) {
        tampered_inclusion_claims(&random, size, index, other)?;
    }

    #[test]
    fn tampered_consistency_claims_fail(
        random in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..24), 2..300),
        new in any::<Index>(),
        old in any::<Index>(),
        other in any::<u64>(),
    ) {
        tampered_consistency_claims(&random, new, old, other)?;
    }
}

fn tampered_inclusion_claims(
    random: &[Vec<u8>],
    size: Index,
    index: Index,
    other: u64,
) -> Result<(), TestCaseError> {
    let data = entries(random);
    let (tree, hashes) = build::<Blake3Hasher>(&data);
    let size = 1 + size.index(data.len()) as u64;
    let index = index.index(size as usize) as u64;
    let leaf = hashes[index as usize];
    let root = tree.root_at(size).expect("size within tree");
    let proof = tree.inclusion_proof(index, size).expect("valid");
    type B = Blake3Hasher;
    prop_assert_eq!(
        verify_inclusion::<B>(&leaf, index, size, &proof, &root),
        Ok(())
    );

    for p in each_bit_flip(&proof) {
        prop_assert!(verify_inclusion::<B>(&leaf, index, size, &p, &root).is_err());
    }
    for bit in 0..256 {
        prop_assert!(verify_inclusion::<B>(&flip(&leaf, bit), index, size, &proof, &root).is_err());
        prop_assert!(verify_inclusion::<B>(&leaf, index, size, &proof, &flip(&root, bit)).is_err());
    }
    // Another leaf of the same tree, and the roots of every other size.
    let other_leaf = hashes[(index as usize + 1) % hashes.len()];
    if other_leaf != leaf {
        prop_assert!(verify_inclusion::<B>(&other_leaf, index, size, &proof, &root).is_err());
    }
    for s in 0..=tree.len() {
        if s != size {
            let wrong_root = tree.root_at(s).expect("size within tree");
            prop_assert!(verify_inclusion::<B>(&leaf, index, size, &proof, &wrong_root).is_err());
        }
    }
    // Proof length changes.
    let mut longer = proof.clone();
    longer.push(root);
    prop_assert!(verify_inclusion::<B>(&leaf, index, size, &longer, &root).is_err());
    let mut preceded = vec![leaf];
    preceded.extend_from_slice(&proof);
    prop_assert!(verify_inclusion::<B>(&leaf, index, size, &preceded, &root).is_err());
    if !proof.is_empty() {
        prop_assert!(verify_inclusion::<B>(&leaf, index, size, &proof[1..], &root).is_err());
        prop_assert!(
            verify_inclusion::<B>(&leaf, index, size, &proof[..proof.len() - 1], &root).is_err()
        );
    }

    // Changed index or size. Exactly the claims whose proof has the same shape verify: a
    // different index never has it, a different size sometimes does (leaf 0 of 3 and of 4),
    // which is why the size must come signed together with the root.
    let shape = naive::path_shape(index, size);
    let claims = mutations(index, other % (2 * size))
        .into_iter()
        .map(|i| (i, size))
        .chain(mutations(size, other).into_iter().map(|s| (index, s)));
    for (i, s) in claims {
        let result = verify_inclusion::<B>(&leaf, i, s, &proof, &root);
        let same_shape = i < s && s < (1 << 20) && naive::path_shape(i, s) == shape;
        if i != index || !same_shape {
            prop_assert!(
                result.is_err(),
                "claim ({}, {}) for proof of ({}, {})",
                i,
                s,
                index,
                size
            );
        } else {
            prop_assert_eq!(result, Ok(()));
        }
    }
    Ok(())
}

fn tampered_consistency_claims(
    random: &[Vec<u8>],
    new: Index,
    old: Index,
    other: u64,
) -> Result<(), TestCaseError> {
    let data = entries(random);
    let (tree, _) = build::<Blake3Hasher>(&data);
    let new = 2 + new.index(data.len() - 1) as u64;
    let old = 1 + old.index(new as usize - 1) as u64;
    let old_root = tree.root_at(old).expect("size within tree");
    let new_root = tree.root_at(new).expect("size within tree");
    let proof = tree.consistency_proof(old, new).expect("valid");
    type B = Blake3Hasher;
    prop_assert_eq!(
        verify_consistency::<B>(old, new, &old_root, &new_root, &proof),
        Ok(())
    );

    for p in each_bit_flip(&proof) {
        prop_assert!(verify_consistency::<B>(old, new, &old_root, &new_root, &p).is_err());
    }
    for bit in 0..256 {
        prop_assert!(
            verify_consistency::<B>(old, new, &flip(&old_root, bit), &new_root, &proof).is_err()
        );
        prop_assert!(
            verify_consistency::<B>(old, new, &old_root, &flip(&new_root, bit), &proof).is_err()
        );
    }
    prop_assert!(verify_consistency::<B>(old, new, &new_root, &old_root, &proof).is_err());
    prop_assert!(verify_consistency::<B>(old, new, &old_root, &new_root, &[]).is_err());
    for extra in [old_root, new_root, proof[0]] {
        let mut longer = proof.clone();
        longer.push(extra);
        prop_assert!(verify_consistency::<B>(old, new, &old_root, &new_root, &longer).is_err());
        let mut preceded = vec![extra];
        preceded.extend_from_slice(&proof);
        prop_assert!(verify_consistency::<B>(old, new, &old_root, &new_root, &preceded).is_err());
    }
    prop_assert!(verify_consistency::<B>(old, new, &old_root, &new_root, &proof[1..]).is_err());
    prop_assert!(verify_consistency::<B>(
        old,
        new,
        &old_root,
        &new_root,
        &proof[..proof.len() - 1]
    )
    .is_err());

    // Changed sizes: as for inclusion, exactly the claims with the same proof shape verify.
    let shape = naive::consistency_shape(old, new);
    let claims = mutations(old, other % new)
        .into_iter()
        .map(|o| (o, new))
        .chain(mutations(new, other).into_iter().map(|n| (old, n)));
    for (o, n) in claims {
        let result = verify_consistency::<B>(o, n, &old_root, &new_root, &proof);
        let same_shape = 0 < o && o < n && n < (1 << 20) && naive::consistency_shape(o, n) == shape;
        if same_shape {
            prop_assert_eq!(result, Ok(()));
        } else {
            prop_assert!(
                result.is_err(),
                "claim ({}, {}) for proof of ({}, {})",
                o,
                n,
                old,
                new
            );
        }
    }
    Ok(())
}

/// The shapes used above are not vacuous: both aliasing cases exist and are what any RFC 9162
/// verifier accepts.
#[test]
fn proofs_bind_roots_not_sizes() {
    assert_eq!(naive::path_shape(0, 3), naive::path_shape(0, 4));
    assert_eq!(naive::path_shape(0, 3), vec![Side::Right, Side::Right]);
    let data: Vec<Vec<u8>> = (0..8u8).map(|i| vec![i]).collect();
    let (tree, hashes) = build::<Blake3Hasher>(&data);
    let p = tree.inclusion_proof(0, 3).expect("valid");
    let r3 = tree.root_at(3).expect("valid");
    assert_eq!(
        verify_inclusion::<Blake3Hasher>(&hashes[0], 0, 4, &p, &r3),
        Ok(())
    );

    assert_eq!(
        naive::consistency_shape(4, 8),
        naive::consistency_shape(4, 5)
    );
    let p = tree.consistency_proof(4, 8).expect("valid");
    let (r4, r8) = (
        tree.root_at(4).expect("valid"),
        tree.root_at(8).expect("valid"),
    );
    assert_eq!(
        verify_consistency::<Blake3Hasher>(4, 5, &r4, &r8, &p),
        Ok(())
    );
}
