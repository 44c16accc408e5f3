//! The RFC 9162 §2.1 definitions transcribed as plain recursion over a slice of leaf hashes, as a
//! test oracle. Deliberately shares nothing with the real implementation (not even the split
//! helper), costs O(n) per call, and would be the first thing to read when the two disagree.

use super::hasher::{Hash, MerkleHasher};

/// Leaf hashes of the given entries.
pub(crate) fn leaf_hashes<H: MerkleHasher>(entries: &[impl AsRef<[u8]>]) -> Vec<Hash> {
    entries.iter().map(|e| H::hash_leaf(e.as_ref())).collect()
}

/// k: the largest power of two smaller than n (n > 1), found by counting up.
fn k(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]).
pub(crate) fn mth<H: MerkleHasher>(d: &[Hash]) -> Hash {
    match d.len() {
        0 => H::empty_root(),
        1 => d[0],
        n => {
            let k = k(n);
            H::hash_children(&mth::<H>(&d[..k]), &mth::<H>(&d[k..]))
        }
    }
}

/// PATH(m, D[n]).
pub(crate) fn path<H: MerkleHasher>(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = k(n);
    if m < k {
        let mut p = path::<H>(m, &d[..k]);
        p.push(mth::<H>(&d[k..]));
        p
    } else {
        let mut p = path::<H>(m - k, &d[k..]);
        p.push(mth::<H>(&d[..k]));
        p
    }
}

/// PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
pub(crate) fn proof<H: MerkleHasher>(m: usize, d: &[Hash]) -> Vec<Hash> {
    subproof::<H>(m, d, true)
}

fn subproof<H: MerkleHasher>(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { Vec::new() } else { vec![mth::<H>(d)] };
    }
    let k = k(n);
    if m <= k {
        let mut p = subproof::<H>(m, &d[..k], b);
        p.push(mth::<H>(&d[k..]));
        p
    } else {
        let mut p = subproof::<H>(m - k, &d[k..], false);
        p.push(mth::<H>(&d[..k]));
        p
    }
}

/// Which side of the running hash a proof element is combined on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// The element is a left sibling: H(element, running).
    Left,
    /// The element is a right sibling: H(running, element).
    Right,
}

/// The shape of PATH(m, D[n]): for each element, leaf to root, the side it is combined on. Two
/// claims with the same shape make any verifier perform the same computation on the same proof.
pub(crate) fn path_shape(m: u64, n: u64) -> Vec<Side> {
    if n <= 1 {
        return Vec::new();
    }
    let k = k(n as usize) as u64;
    let (mut s, side) = if m < k {
        (path_shape(m, k), Side::Right)
    } else {
        (path_shape(m - k, n - k), Side::Left)
    };
    s.push(side);
    s
}

/// The shape of PROOF(m, D[n]) for 0 < m < n: whether the verifier seeds with the old root (true)
/// or with the proof's first element (false), and the side of every further element. Left
/// elements are the old tree's nodes and also feed the old root's recomputation.
pub(crate) fn consistency_shape(m: u64, n: u64) -> (bool, Vec<Side>) {
    fn sub(m: u64, n: u64, b: bool, out: &mut Vec<Side>) -> bool {
        if m == n {
            return b;
        }
        let k = k(n as usize) as u64;
        let seeded_with_old_root = if m <= k {
            sub(m, k, b, out)
        } else {
            sub(m - k, n - k, false, out)
        };
        out.push(if m <= k { Side::Right } else { Side::Left });
        seeded_with_old_root
    }
    let mut sides = Vec::new();
    let seed = sub(m, n, true, &mut sides);
    (seed, sides)
}
