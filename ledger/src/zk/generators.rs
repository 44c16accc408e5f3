//! The fixed generators: `G_c` per category, `G_q` for quantities, `H` for blindings.
//!
//! Each is `RistrettoPoint::hash_from_bytes::<Sha512>(label)` (the Elligator-based
//! hash to Ristretto255 of RFC 9496, applied to SHA-512 of the label): a
//! nothing-up-my-sleeve construction, so no one knows a discrete-log relation
//! between any two of them, which is what makes the commitments binding and
//! keeps categories, quantities and blindings apart. The labels are versioned;
//! changing one is a new protocol version. `golden_encodings` in the tests pins
//! the compressed points.
//!
//! The Bulletproofs vector generators come from the `bulletproofs` crate's own
//! SHAKE256 chains (also nothing-up-my-sleeve); [`bulletproof_gens`] caches
//! them per aggregation size.

use std::sync::OnceLock;

use bulletproofs::{BulletproofGens, PedersenGens};
use curve25519_dalek_bp::ristretto::RistrettoPoint;
use sha2::Sha512;

use super::{CATEGORIES, MAX_PROOF_INPUTS, RANGE_BITS};
use crate::carbon::Category;

/// Domain-separation labels: the five categories in [`Category::ALL`] order,
/// then the quantity generator, then the blinding generator.
pub const GENERATOR_LABELS: [&str; CATEGORIES + 2] = [
    "tanji/zk/v1/generator/fossil",
    "tanji/zk/v1/generator/biogenic",
    "tanji/zk/v1/generator/biogenic_removals",
    "tanji/zk/v1/generator/luc",
    "tanji/zk/v1/generator/aircraft",
    "tanji/zk/v1/generator/quantity",
    "tanji/zk/v1/generator/blinding",
];

/// The Pedersen generators of Tanji's commitments.
#[derive(Clone, Debug)]
pub struct Generators {
    /// `G_c`, one per category in [`Category::ALL`] order.
    pub category: [RistrettoPoint; CATEGORIES],
    /// `G_q`, for quantities and amounts.
    pub quantity: RistrettoPoint,
    /// `H`, for blindings.
    pub blinding: RistrettoPoint,
}

impl Generators {
    fn derive() -> Self {
        let point = |label: &str| RistrettoPoint::hash_from_bytes::<Sha512>(label.as_bytes());
        Generators {
            category: std::array::from_fn(|c| point(GENERATOR_LABELS[c])),
            quantity: point(GENERATOR_LABELS[CATEGORIES]),
            blinding: point(GENERATOR_LABELS[CATEGORIES + 1]),
        }
    }

    /// `G_c` of one category.
    pub fn of(&self, c: Category) -> RistrettoPoint {
        self.category[c as usize]
    }

    /// Bulletproofs' Pedersen pair for values of category `c`: `(G_c, H)`.
    pub fn pedersen_category(&self, c: usize) -> PedersenGens {
        PedersenGens {
            B: self.category[c],
            B_blinding: self.blinding,
        }
    }

    /// Bulletproofs' Pedersen pair for quantities: `(G_q, H)`.
    pub fn pedersen_quantity(&self) -> PedersenGens {
        PedersenGens {
            B: self.quantity,
            B_blinding: self.blinding,
        }
    }
}

/// The generators, derived once per process.
pub fn generators() -> &'static Generators {
    static GENS: OnceLock<Generators> = OnceLock::new();
    GENS.get_or_init(Generators::derive)
}

/// Number of aggregation sizes cached: 1, 2, 4, …, [`MAX_PROOF_INPUTS`].
const PARTY_SIZES: usize = MAX_PROOF_INPUTS.trailing_zeros() as usize + 1;

/// Bulletproofs generators for `parties` aggregated 64-bit proofs (`parties`
/// a power of two ≤ [`MAX_PROOF_INPUTS`]). Party j's generators do not depend
/// on the capacity, so a proof made with one size verifies with any larger one.
pub(crate) fn bulletproof_gens(parties: usize) -> &'static BulletproofGens {
    static CACHE: [OnceLock<BulletproofGens>; PARTY_SIZES] =
        [const { OnceLock::new() }; PARTY_SIZES];
    debug_assert!(parties.is_power_of_two() && parties <= MAX_PROOF_INPUTS);
    let i = (parties.trailing_zeros() as usize).min(PARTY_SIZES - 1);
    CACHE[i].get_or_init(|| BulletproofGens::new(RANGE_BITS, 1 << i))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compressed encodings, pinned: a change here is a protocol change.
    #[test]
    fn golden_encodings() {
        let g = generators();
        let all: Vec<String> = g
            .category
            .iter()
            .chain([&g.quantity, &g.blinding])
            .map(|p| hex::encode(p.compress().as_bytes()))
            .collect();
        let expected: [&str; CATEGORIES + 2] = GOLDEN;
        assert_eq!(all, expected);
    }

    const GOLDEN: [&str; CATEGORIES + 2] = [
        "00b25bb2f6c229b3016d0ed0b66a4f4968c1ad449f7636d1f76565d201f1b02e", // fossil
        "480c25dddf1141e97f39ca0a7abb67ac9473fcf5869ad21dcc97283daa416e36", // biogenic
        "12d473780e40a37bfcec6cedc41501050b9d0dfaa00bfa76ac2353a26146155e", // biogenic_removals
        "44f4c790231b3ed7935ce09d3196ff834931d0fa19ee0f9456fc66be2284d311", // luc
        "d88a95512fe125bcd8327ff5b7282165413afb4c6fbfce9645b0da8de1601818", // aircraft
        "fe98a8d083600e5d7e84563b2055f87b49ec2a7d0146da814d57d36869a9c97f", // quantity
        "4a1f036f6a0d5153df259b843170dd7ac451fda4a9c55eb89334acc9fb9f5d5f", // blinding
    ];

    #[test]
    fn distinct_and_not_identity() {
        let g = generators();
        let mut all: Vec<[u8; 32]> = g
            .category
            .iter()
            .chain([&g.quantity, &g.blinding])
            .map(|p| p.compress().to_bytes())
            .collect();
        assert!(all.iter().all(|p| *p != [0u8; 32]));
        all.sort();
        all.dedup();
        assert_eq!(all.len(), CATEGORIES + 2);
        for (c, label) in Category::ALL.iter().zip(GENERATOR_LABELS) {
            assert!(label.ends_with(c.as_str()), "{label}");
        }
    }
}
