//! End-to-end tests of the footprint proof: honest proofs verify and match
//! [`crate::carbon::compute`], tampering and dishonest provers fail, decoding
//! never panics.

use curve25519_dalek_bp::scalar::Scalar;
use proptest::prelude::*;

use super::footprint_proof::{prove_with, Cheat};
use super::*;
use crate::carbon::compute::{self, round_mg, term_exact, Contribution, Term, PG_PER_MG};
use crate::carbon::{Category, PerCategory, RecordRef, Stage};
use crate::{OrgId, TxId};

const NETWORK: &str = "tanji-test";
const AUTHOR: OrgId = OrgId([7; 16]);
const CONTEXT: &[u8] = b"attestation body digest";

/// One input of a test case, in the clear.
#[derive(Clone, Copy, Debug)]
enum Spec {
    Factor { amount: u64, values_ug: [i64; 5] },
    Public { quantity: u64, values_mg: [i64; 5] },
    Committed { quantity: u64, values_mg: [i64; 5] },
}

/// A statement with its witness, and what `compute` says in the clear.
struct Case {
    inputs: Vec<ProofInput>,
    witness: Witness,
    result: FootprintCommitment,
    clear: PerCategory,
}

impl Case {
    fn new(specs: &[Spec]) -> Case {
        let mut inputs = Vec::new();
        let mut witnesses = Vec::new();
        let mut terms = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            let (q, upstream, input, contribution) = match *s {
                Spec::Factor { amount, values_ug } => (
                    amount,
                    None,
                    ProofInput::Factor {
                        reference: RecordRef::new(format!("factor_{i}"), 1),
                        values_ug: PerCategory(values_ug),
                    },
                    Contribution::Factor {
                        amount,
                        values_ug: PerCategory(values_ug),
                    },
                ),
                Spec::Public {
                    quantity,
                    values_mg,
                } => (
                    quantity,
                    None,
                    ProofInput::PublicUpstream {
                        id: TxId([i as u8; 32]),
                        values_mg: PerCategory(values_mg),
                    },
                    Contribution::Upstream {
                        quantity,
                        values_mg: PerCategory(values_mg),
                    },
                ),
                Spec::Committed {
                    quantity,
                    values_mg,
                } => {
                    let (commitment, opening) =
                        FootprintCommitment::commit(&PerCategory(values_mg)).unwrap();
                    (
                        quantity,
                        Some(opening),
                        ProofInput::CommittedUpstream {
                            id: TxId([i as u8; 32]),
                            commitment,
                        },
                        Contribution::Upstream {
                            quantity,
                            values_mg: PerCategory(values_mg),
                        },
                    )
                }
            };
            inputs.push(input);
            witnesses.push(InputWitness {
                quantity: QuantityOpening::new(q).unwrap(),
                upstream,
            });
            terms.push(Term {
                stage: Stage::ALL[i % 3],
                packaging: i % 2 == 0,
                contribution,
            });
        }
        // The clear computation of the ledger, on the same inputs.
        let clear = compute::compute(&terms).unwrap().results.categories;
        let result_values = expected_result(&inputs, &witnesses).unwrap();
        let (result, opening) = FootprintCommitment::commit(&result_values).unwrap();
        Case {
            inputs,
            witness: Witness {
                inputs: witnesses,
                result: opening,
            },
            result,
            clear,
        }
    }

    fn statement(&self) -> Statement<'_> {
        Statement {
            network: NETWORK,
            author: AUTHOR,
            context: CONTEXT,
            inputs: &self.inputs,
            result: &self.result,
        }
    }

    fn prove(&self) -> FootprintProof {
        prove(&self.statement(), &self.witness).unwrap()
    }

    /// Replaces the result by `values` (with a fresh commitment), without any check.
    fn with_result(mut self, values: [i64; 5]) -> Case {
        let (result, opening) = FootprintCommitment::commit(&PerCategory(values)).unwrap();
        self.result = result;
        self.witness.result = opening;
        self
    }
}

/// Electricity (fossil only), a biogenic material with removals, a public
/// upstream part, a committed upstream part with removals and an exact half.
fn specs(n: usize) -> Vec<Spec> {
    let pool = [
        Spec::Factor {
            amount: 35_200_000,
            values_ug: [620_500_000, 0, 0, 0, 0],
        },
        Spec::Committed {
            quantity: 420_000,
            values_mg: [1_234_567, 89_000, -456_789, 12_345, 0],
        },
        Spec::Public {
            quantity: 2_500_001,
            values_mg: [98_765, 4_321, -1_999, 0, 777],
        },
        Spec::Factor {
            amount: 1_500_000,
            values_ug: [1_000_333, 250_000, -1_700_000_001, 3, 0],
        },
        Spec::Committed {
            quantity: 3,
            values_mg: [166_666_667, 0, -500_000_000, 0, 1],
        },
        Spec::Factor {
            amount: 1,
            values_ug: [500_000_000, 0, -500_000_000, 0, 0],
        },
        Spec::Public {
            quantity: 7_000_000_000,
            values_mg: [3, 1, -2, 0, 0],
        },
        Spec::Committed {
            quantity: 999_999,
            values_mg: [0, 0, 0, 0, 0],
        },
    ];
    (0..n).map(|i| pool[i % pool.len()]).collect()
}

#[test]
fn constants_are_those_of_compute() {
    let one = |contribution| Term {
        stage: Stage::Production,
        packaging: false,
        contribution,
    };
    let upstream = term_exact(&one(Contribution::Upstream {
        quantity: 1,
        values_mg: PerCategory([1; 5]),
    }))
    .unwrap();
    let factor = term_exact(&one(Contribution::Factor {
        amount: 1,
        values_ug: PerCategory([1; 5]),
    }))
    .unwrap();
    assert_eq!(upstream, [i128::from(K_UPSTREAM); 5]);
    assert_eq!(factor, [i128::from(K_FACTOR); 5]);
    assert_eq!(i128::from(SCALE), PG_PER_MG);
    let half = i128::from(HALF);
    assert_eq!(round_mg(half - 1), Ok(0));
    assert_eq!(round_mg(half), Ok(1));
    assert_eq!(round_mg(-half), Ok(0));
    assert_eq!(round_mg(-half - 1), Ok(-1));
    // floor((x + HALF) / SCALE) for some x, as the relation states it.
    for x in [-3 * half, -1, 0, 1, 5 * half + 7, 123_456_789_012_345] {
        assert_eq!(
            i128::from(round_mg(x).unwrap()),
            (x + half).div_euclid(i128::from(SCALE))
        );
    }
}

#[test]
fn honest_proofs_verify_and_match_compute() {
    for n in [1, 3, 8] {
        let case = Case::new(&specs(n));
        // The committed result is what the ledger computes in the clear.
        assert_eq!(case.witness.result.values(), case.clear, "{n} inputs");
        let proof = case.prove();
        verify(&case.statement(), &proof).unwrap();
        let bytes = proof.to_bytes();
        assert_eq!(bytes.len(), FootprintProof::encoded_len(n));
        let back = FootprintProof::from_bytes(&bytes).unwrap();
        assert_eq!(back.to_bytes(), bytes);
        verify(&case.statement(), &back).unwrap();
        assert_eq!(proof.quantity_commitments().len(), n);
        for (c, w) in proof
            .quantity_commitments()
            .iter()
            .zip(&case.witness.inputs)
        {
            assert_eq!(*c, w.quantity.commitment());
        }
    }
    // Negative removals and halves: −0.5 mg rounds to 0, 0.5 mg to 1.
    let case = Case::new(&specs(8)[5..6]);
    assert_eq!(case.clear, PerCategory([1, 0, 0, 0, 0]));
    verify(&case.statement(), &case.prove()).unwrap();
    assert!(specs(8)
        .iter()
        .any(|s| matches!(s, Spec::Committed { values_mg, .. } if values_mg[2] < 0)));
    assert!(Case::new(&specs(8)).clear.0[2] < 0);
}

#[test]
fn no_inputs_prove_zero() {
    let case = Case::new(&[]);
    assert_eq!(case.clear, PerCategory::default());
    verify(&case.statement(), &case.prove()).unwrap();
}

#[test]
fn changed_statement_fails() {
    let case = Case::new(&specs(3));
    let proof = case.prove();
    let st = case.statement();
    verify(&st, &proof).unwrap();

    for (network, author, context) in [
        ("tanji-other", AUTHOR, CONTEXT),
        (NETWORK, OrgId([8; 16]), CONTEXT),
        (NETWORK, AUTHOR, &b"another body"[..]),
    ] {
        let other = Statement {
            network,
            author,
            context,
            ..st
        };
        assert!(verify(&other, &proof).is_err());
    }

    // A public factor value changed by one microgram.
    let mut inputs = case.inputs.clone();
    if let ProofInput::Factor { values_ug, .. } = &mut inputs[0] {
        values_ug.0[0] += 1;
    }
    assert!(verify(
        &Statement {
            inputs: &inputs,
            ..st
        },
        &proof
    )
    .is_err());
    // A public upstream value, and a factor's version.
    let mut inputs = case.inputs.clone();
    if let ProofInput::PublicUpstream { values_mg, .. } = &mut inputs[2] {
        values_mg.0[4] -= 1;
    }
    assert!(verify(
        &Statement {
            inputs: &inputs,
            ..st
        },
        &proof
    )
    .is_err());
    let mut inputs = case.inputs.clone();
    if let ProofInput::Factor { reference, .. } = &mut inputs[0] {
        reference.version = 2;
    }
    assert!(verify(
        &Statement {
            inputs: &inputs,
            ..st
        },
        &proof
    )
    .is_err());

    // Every component of the upstream and of the result commitment, replaced.
    let other = FootprintCommitment::commit(&PerCategory([1, 2, -3, 4, 5]))
        .unwrap()
        .0;
    for c in 0..CATEGORIES {
        let mut inputs = case.inputs.clone();
        if let ProofInput::CommittedUpstream { commitment, .. } = &mut inputs[1] {
            commitment.0[c] = other.0[c];
        }
        assert!(verify(
            &Statement {
                inputs: &inputs,
                ..st
            },
            &proof
        )
        .is_err());
        let mut result = case.result;
        result.0[c] = other.0[c];
        assert!(verify(
            &Statement {
                result: &result,
                ..st
            },
            &proof
        )
        .is_err());
    }
    // An input dropped, or two swapped.
    assert!(matches!(
        verify(
            &Statement {
                inputs: &case.inputs[..2],
                ..st
            },
            &proof
        ),
        Err(VerifyError::InputCount { .. })
    ));
    let mut swapped = case.inputs.clone();
    swapped.swap(0, 2);
    assert!(verify(
        &Statement {
            inputs: &swapped,
            ..st
        },
        &proof
    )
    .is_err());
}

#[test]
fn changed_proof_commitments_fail() {
    let case = Case::new(&specs(3));
    let proof = case.prove();
    let bytes = proof.to_bytes();
    let other = FootprintCommitment::commit(&PerCategory([9; 5])).unwrap().0;
    // Each point of the first input and of the rounding part, replaced by a valid other point.
    let mut offsets: Vec<usize> = (0..12).map(|k| 3 + k * 32).collect();
    let rounding = 3 + 3 * 19 * 32;
    offsets.extend((0..10).map(|k| rounding + k * 32));
    for off in offsets {
        let mut b = bytes.clone();
        b[off..off + 32].copy_from_slice(other.0[0].as_bytes());
        let p = FootprintProof::from_bytes(&b).unwrap();
        assert!(verify(&case.statement(), &p).is_err(), "offset {off}");
    }
}

#[test]
fn prover_refuses_false_statements() {
    let specs = specs(3);
    let case = Case::new(&specs);
    let right = case.witness.result.values;

    // Off by one in each category: refused, naming the category.
    for c in 0..CATEGORIES {
        let mut wrong = right;
        wrong[c] += 1;
        let case = Case::new(&specs).with_result(wrong);
        match prove(&case.statement(), &case.witness) {
            Err(ProveError::WrongResult {
                category,
                expected,
                committed,
            }) => {
                assert_eq!(category, Category::ALL[c].as_str());
                assert_eq!(expected + 1, committed);
            }
            other => panic!("{other:?}"),
        }
    }

    // A result beyond i64 (quantity × value too large): refused like the clear computation.
    let huge = Case::new(&[Spec::Factor {
        amount: 1,
        values_ug: [0; 5],
    }]);
    let inputs = vec![ProofInput::Factor {
        reference: RecordRef::new("f", 1),
        values_ug: PerCategory([i64::MAX, 0, 0, 0, 0]),
    }];
    let witness = Witness {
        inputs: vec![InputWitness {
            quantity: QuantityOpening::new(u64::MAX).unwrap(),
            upstream: None,
        }],
        result: huge.witness.result.clone(),
    };
    assert!(matches!(
        expected_result(&inputs, &witness.inputs),
        Err(ProveError::OutOfRange {
            category: "fossil",
            ..
        })
    ));
    let st = Statement {
        inputs: &inputs,
        ..huge.statement()
    };
    assert!(matches!(
        prove(&st, &witness),
        Err(ProveError::OutOfRange { .. })
    ));

    // Openings that do not open, missing or unexpected.
    let mut w = case.witness.clone();
    w.inputs[1].upstream.as_mut().unwrap().values[0] += 1;
    assert_eq!(
        prove(&case.statement(), &w).unwrap_err(),
        ProveError::OpeningMismatch { input: 2 }
    );
    let mut w = case.witness.clone();
    w.inputs[1].upstream = None;
    assert_eq!(
        prove(&case.statement(), &w).unwrap_err(),
        ProveError::MissingOpening { input: 2 }
    );
    let mut w = case.witness.clone();
    w.inputs[0].upstream = w.inputs[1].upstream.clone();
    assert_eq!(
        prove(&case.statement(), &w).unwrap_err(),
        ProveError::UnexpectedOpening { input: 1 }
    );
    let mut w = case.witness.clone();
    w.result.blindings[0] += Scalar::ONE;
    assert_eq!(
        prove(&case.statement(), &w).unwrap_err(),
        ProveError::ResultOpeningMismatch
    );
    let mut w = case.witness.clone();
    w.inputs.pop();
    assert!(matches!(
        prove(&case.statement(), &w),
        Err(ProveError::WitnessLength { .. })
    ));
}

#[test]
fn dishonest_proofs_fail() {
    let specs = specs(3);
    let right = Case::new(&specs).witness.result.values;
    // A hand-built proof of an off-by-one result: the Σ-protocols and the
    // rounding relation hold modulo ℓ, but the remainder is out of range.
    for c in [0, 2] {
        for delta in [1, -1] {
            let mut wrong = right;
            wrong[c] += delta;
            let case = Case::new(&specs).with_result(wrong);
            let cheat = Cheat {
                skip_checks: true,
                quantities: vec![],
            };
            let proof = prove_with(&case.statement(), &case.witness, &cheat).unwrap();
            assert_eq!(
                verify(&case.statement(), &proof),
                Err(VerifyError::CategoryRange(Category::ALL[c].as_str()))
            );
        }
    }
    // A negative quantity (−2 micro-units of a committed upstream part), with
    // the result that it gives: only the quantities' range proof catches it.
    let neg = [
        Spec::Factor {
            amount: 10_000_000,
            values_ug: [900_000_000, 0, 0, 0, 0],
        },
        Spec::Committed {
            quantity: 0,
            values_mg: [1_000_000, 0, -300_000, 0, 0],
        },
    ];
    let base = Case::new(&neg);
    // Exact: fossil 10·10⁶ × 9·10⁸ − 2 × 10⁶ × 1000, removals (−2) × (−300 000) × 1000.
    let fossil = round_mg(10_000_000 * 900_000_000 - 2 * 1_000_000 * 1_000).unwrap();
    let removals = round_mg(2 * 300_000 * 1_000).unwrap();
    assert_eq!(removals, 1);
    let case = base.with_result([fossil, 0, removals, 0, 0]);
    let cheat = Cheat {
        skip_checks: true,
        quantities: vec![(1, -Scalar::from(2u64))],
    };
    let proof = prove_with(&case.statement(), &case.witness, &cheat).unwrap();
    assert_eq!(
        verify(&case.statement(), &proof),
        Err(VerifyError::QuantityRange)
    );
    // A quantity of 2⁶⁴ (just above the bound), likewise.
    let case = Case::new(&[Spec::Factor {
        amount: 1,
        values_ug: [1_000, 0, 0, 0, 0],
    }]);
    let over = Scalar::from(u64::MAX) + Scalar::ONE;
    let fossil = round_mg((1i128 << 64) * 1_000).unwrap();
    let case = case.with_result([fossil, 0, 0, 0, 0]);
    let cheat = Cheat {
        skip_checks: true,
        quantities: vec![(0, over)],
    };
    let proof = prove_with(&case.statement(), &case.witness, &cheat).unwrap();
    assert_eq!(
        verify(&case.statement(), &proof),
        Err(VerifyError::QuantityRange)
    );
    // A proof for one case does not verify for another with the same shape.
    let a = Case::new(&specs);
    let b = Case::new(&specs);
    assert!(verify(&b.statement(), &a.prove()).is_err());
}

#[test]
fn decoding_limits() {
    assert_eq!(
        FootprintProof::from_bytes(&[]).unwrap_err(),
        ProofDecodeError::Version
    );
    assert_eq!(
        FootprintProof::from_bytes(&[2, 0, 0]).unwrap_err(),
        ProofDecodeError::Version
    );
    assert!(matches!(
        FootprintProof::from_bytes(&[1, 0]),
        Err(ProofDecodeError::Length { .. })
    ));
    assert_eq!(
        FootprintProof::from_bytes(&[1, 1, 1]).unwrap_err(),
        ProofDecodeError::TooManyInputs(257)
    );
    let case = Case::new(&specs(1));
    let bytes = case.prove().to_bytes();
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        FootprintProof::from_bytes(&longer),
        Err(ProofDecodeError::Length { .. })
    ));
    assert!(matches!(
        FootprintProof::from_bytes(&bytes[..bytes.len() - 1]),
        Err(ProofDecodeError::Length { .. })
    ));
    // A non-canonical scalar (all ones ≥ ℓ) in the first response.
    let mut b = bytes.clone();
    let z = 3 + 12 * 32;
    b[z..z + 32].copy_from_slice(&[0xff; 32]);
    assert!(matches!(
        FootprintProof::from_bytes(&b),
        Err(ProofDecodeError::Scalar(_))
    ));
    // An invalid point in the first commitment.
    let mut b = bytes.clone();
    b[3..35].copy_from_slice(&[0xff; 32]);
    assert!(matches!(
        FootprintProof::from_bytes(&b),
        Err(ProofDecodeError::Point(_))
    ));
    // An all-zero body decodes (identity points, zero scalars) but does not verify.
    for n in [0, 1] {
        let mut zeros = vec![0u8; FootprintProof::encoded_len(n)];
        zeros[0] = PROOF_VERSION;
        zeros[1] = n as u8;
        let p = FootprintProof::from_bytes(&zeros).unwrap();
        let case = Case::new(&specs(n));
        assert!(verify(&case.statement(), &p).is_err());
    }
    // Same length but a different count.
    let mut b = bytes;
    b[1] = 2;
    assert!(matches!(
        FootprintProof::from_bytes(&b),
        Err(ProofDecodeError::Length { .. })
    ));
}

fn one_input_proof() -> &'static (Case, Vec<u8>) {
    use std::sync::OnceLock;
    static P: OnceLock<(Case, Vec<u8>)> = OnceLock::new();
    P.get_or_init(|| {
        let case = Case::new(&specs(2));
        let bytes = case.prove().to_bytes();
        (case, bytes)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Flipping any bit of any byte of an encoded proof makes it fail to decode or to verify.
    #[test]
    fn flipped_byte_fails(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let (case, bytes) = one_input_proof();
        let mut b = bytes.clone();
        let i = pos.index(b.len());
        b[i] ^= 1 << bit;
        if let Ok(p) = FootprintProof::from_bytes(&b) {
            prop_assert!(verify(&case.statement(), &p).is_err(), "byte {} bit {}", i, bit);
        }
    }

    /// Random bytes never panic the decoder (and, with a valid header, the length check).
    #[test]
    fn random_bytes_never_panic(mut bytes in prop::collection::vec(any::<u8>(), 0..2048), n in 0u16..300) {
        let _ = FootprintProof::from_bytes(&bytes);
        if bytes.len() >= 3 {
            bytes[0] = PROOF_VERSION;
            bytes[1..3].copy_from_slice(&n.to_le_bytes());
            let _ = FootprintProof::from_bytes(&bytes);
        }
        let _ = FootprintOpening::from_bytes(&bytes);
        let _ = QuantityOpening::from_bytes(&bytes);
    }

    /// Random full-length bodies never panic; those that decode (e.g. all
    /// zeros: identity points, zero scalars) do not verify.
    #[test]
    fn random_full_length_bodies(seed in prop::collection::vec(any::<u8>(), 1..64), n in 0usize..4) {
        let len = FootprintProof::encoded_len(n);
        let mut bytes: Vec<u8> = seed.iter().cycle().take(len).copied().collect();
        bytes[0] = PROOF_VERSION;
        bytes[1..3].copy_from_slice(&(n as u16).to_le_bytes());
        if let Ok(p) = FootprintProof::from_bytes(&bytes) {
            let case = Case::new(&specs(n));
            prop_assert!(verify(&case.statement(), &p).is_err());
        }
    }
}
