use super::*;
use crate::carbon::{PerCategory, Stage};

fn pc(v: [i64; 5]) -> PerCategory {
    PerCategory(v)
}

fn fossil(v: i64) -> PerCategory {
    pc([v, 0, 0, 0, 0])
}

fn factor(stage: Stage, amount: u64, values_ug: PerCategory) -> Term {
    Term {
        stage,
        packaging: false,
        contribution: Contribution::Factor { amount, values_ug },
    }
}

fn upstream(stage: Stage, quantity: u64, values_mg: PerCategory) -> Term {
    Term {
        stage,
        packaging: false,
        contribution: Contribution::Upstream {
            quantity,
            values_mg,
        },
    }
}

mod arithmetic {
    use super::*;

    #[test]
    fn spec_example() {
        // 0.6205 kg/kWh × 35.2 kWh = 21.8416 kg = 21 841 600 mg.
        let t = factor(Stage::Production, 35_200_000, fossil(620_500_000));
        assert_eq!(term_exact(&t), Ok([21_841_600 * PG_PER_MG, 0, 0, 0, 0]));
        let c = compute(&[t]).unwrap();
        assert_eq!(c.results.categories, fossil(21_841_600));
        assert_eq!(c.results.stages.get(Stage::Production), 21_841_600);
        assert_eq!(c.results.total_mg, 21_841_600);
        assert_eq!(c.results.packaging_mg, 0);
        assert_eq!(format_exact_mg(c.exact[0][0]), "21841600");
    }

    #[test]
    fn golden_three_inputs() {
        let terms = [
            // 4 200 000 mg per upstream unit × 0.42 = 1 764 000 mg.
            upstream(Stage::RawMaterials, 420_000, fossil(4_200_000)),
            factor(Stage::Production, 35_200_000, fossil(620_500_000)),
            // 0.6361 kg/kWh × 12.5 kWh = 7.95125 kg = 7 951 250 mg.
            factor(Stage::Production, 12_500_000, fossil(636_100_000)),
        ];
        let c = compute(&terms).unwrap();
        assert_eq!(c.exact[0][0], 1_764_000 * PG_PER_MG);
        assert_eq!(c.exact[2][0], 7_951_250 * PG_PER_MG);
        assert_eq!(c.results.categories, fossil(31_556_850));
        assert_eq!(c.results.stages.0, [1_764_000, 29_792_850, 0, 0, 0]);
        assert_eq!(c.results.total_mg, 31_556_850);
        assert_eq!(c.input_exact_total(1), Some(21_841_600 * PG_PER_MG));
        assert_eq!(c.input_exact_total(3), None);
    }

    #[test]
    fn rounding_rule() {
        let mg = PG_PER_MG;
        assert_eq!(round_mg(0), Ok(0));
        assert_eq!(round_mg(mg / 2 - 1), Ok(0));
        assert_eq!(round_mg(mg / 2), Ok(1));
        assert_eq!(round_mg(2 * mg + mg / 2), Ok(3)); // 2.5 → 3
        assert_eq!(round_mg(2 * mg + mg / 2 - 1), Ok(2)); // 2.499999999 → 2
        assert_eq!(round_mg(-(2 * mg + mg / 2)), Ok(-2)); // −2.5 → −2 (towards +∞)
        assert_eq!(round_mg(-(2 * mg + mg / 2) - 1), Ok(-3)); // −2.500000001 → −3
        assert_eq!(round_mg(-(mg / 2)), Ok(0));
        assert_eq!(round_mg(-(mg / 2) - 1), Ok(-1));
        assert_eq!(round_mg(i128::from(i64::MAX) * mg), Ok(i64::MAX));
        assert_eq!(round_mg(i128::from(i64::MIN) * mg), Ok(i64::MIN));
        assert!(matches!(
            round_mg(i128::from(i64::MAX) * mg + mg / 2),
            Err(FootprintError::Overflow { .. })
        ));
        assert!(matches!(
            round_mg(i128::MAX),
            Err(FootprintError::Overflow { .. })
        ));
        assert!(matches!(
            round_mg(i128::MIN),
            Err(FootprintError::Overflow { .. })
        ));
    }

    #[test]
    fn halves_through_compute() {
        // 2.5 units × 1 mg/unit (1000 µg) = 2.5 mg → 3; removals −2.5 mg → −2.
        let t = factor(Stage::Production, 2_500_000, pc([1_000, 0, -1_000, 0, 0]));
        let c = compute(&[t]).unwrap();
        assert_eq!(c.results.categories.0, [3, 0, -2, 0, 0]);
        assert_eq!(c.results.total_mg, 1);
        // The stage is all categories summed first (exactly 0), then rounded.
        assert_eq!(c.results.stages.get(Stage::Production), 0);
        // 2.4999995 mg → 2.
        let t = factor(Stage::Production, 2_499_999, pc([1_000, 0, 0, 0, 0]));
        assert_eq!(compute(&[t]).unwrap().results.total_mg, 2);
    }

    #[test]
    fn rounded_once_per_figure() {
        // Three inputs of 0.4 mg: 1.2 mg together, rounded once to 1 mg.
        let t = factor(Stage::Production, 1_000_000, fossil(400));
        let mut packed = t;
        packed.packaging = true;
        let c = compute(&[t, t, packed]).unwrap();
        assert_eq!(c.exact[0][0], 400_000_000);
        assert_eq!(c.results.categories.get(crate::carbon::Category::Fossil), 1);
        assert_eq!(c.results.stages.get(Stage::Production), 1);
        assert_eq!(c.results.packaging_mg, 0); // 0.4 mg alone
        assert_eq!(c.results.total_mg, 1);
    }

    #[test]
    fn total_is_sum_of_rounded_categories() {
        // fossil 0.6 → 1, biogenic 0.6 → 1: total 2 although the exact total 1.2 rounds to 1.
        let t = factor(Stage::Use, 1_000_000, pc([600, 600, 0, 0, 0]));
        let c = compute(&[t]).unwrap();
        assert_eq!(c.results.total_mg, 2);
        assert_eq!(c.results.stages.get(Stage::Use), 1);
    }

    #[test]
    fn formatting() {
        assert_eq!(format_exact_mg(1), "0.000000001");
        assert_eq!(format_exact_mg(-2_500_000_000), "-2.5");
        assert_eq!(format_exact_mg(0), "0");
        assert_eq!(format_exact_mg(169_867_500_000_000), "169867.5");
        assert!(!format_exact_mg(i128::MIN).is_empty());
        assert!(!format_exact_mg(i128::MAX).is_empty());
    }

    #[test]
    fn overflow_is_an_error() {
        // The largest factor term fits i128.
        let t = factor(
            Stage::Production,
            u64::MAX,
            pc([i64::MIN, i64::MAX, 0, 0, 0]),
        );
        assert!(term_exact(&t).is_ok());
        // Its rounding does not fit i64.
        assert!(matches!(
            compute(&[t]),
            Err(FootprintError::Overflow { .. })
        ));
        // An upstream term can overflow i128 itself.
        let u = upstream(Stage::Production, u64::MAX, fossil(i64::MAX));
        assert!(matches!(
            term_exact(&u),
            Err(FootprintError::Overflow { .. })
        ));
        assert_eq!(
            compute(&[factor(Stage::Production, 1, fossil(1)), u]).map_err(|e| e.to_string()),
            Err("input #2: arithmetic overflow".to_string())
        );
        // Sums overflow i128.
        let big = factor(Stage::Production, u64::MAX, fossil(i64::MAX));
        assert!(matches!(
            compute(&[big, big, big]),
            Err(FootprintError::Overflow { .. })
        ));
        // Empty input: zeros.
        assert_eq!(compute(&[]).map(|c| c.results), Ok(Results::default()));
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn values(max: i64) -> impl Strategy<Value = PerCategory> {
        proptest::array::uniform5(-max..=max).prop_map(PerCategory)
    }

    fn stage() -> impl Strategy<Value = Stage> {
        (0usize..5).prop_map(|i| Stage::ALL[i])
    }

    /// Terms whose figures fit i64 milligrams even summed over 40 inputs and
    /// 5 categories (each term below 10²⁵ of 10⁻⁹ mg).
    fn term() -> impl Strategy<Value = Term> {
        let contribution = prop_oneof![
            (0u64..1_000_000_000_000, values(10_000_000_000_000))
                .prop_map(|(amount, values_ug)| Contribution::Factor { amount, values_ug }),
            (0u64..1_000_000_000_000, values(10_000_000_000)).prop_map(|(quantity, values_mg)| {
                Contribution::Upstream {
                    quantity,
                    values_mg,
                }
            }),
        ];
        (stage(), any::<bool>(), contribution).prop_map(|(stage, packaging, contribution)| Term {
            stage,
            packaging,
            contribution,
        })
    }

    /// The rule written differently: floor((2x + unit) / 2unit).
    fn reference_round(x: i128) -> i64 {
        let r = (x * 2 + PG_PER_MG).div_euclid(2 * PG_PER_MG);
        i64::try_from(r).unwrap()
    }

    /// An independent computation: the exact value of each term per category,
    /// straight sums, the other rounding formula.
    fn reference(terms: &[Term]) -> Results {
        let mut cat = [0i128; 5];
        let mut stages = [0i128; 5];
        let mut packaging = 0i128;
        for t in terms {
            let each: Vec<i128> = match t.contribution {
                Contribution::Factor { amount, values_ug } => values_ug
                    .0
                    .iter()
                    .map(|v| amount as i128 * *v as i128)
                    .collect(),
                Contribution::Upstream {
                    quantity,
                    values_mg,
                } => values_mg
                    .0
                    .iter()
                    .map(|v| quantity as i128 * *v as i128 * 1000)
                    .collect(),
            };
            let sum: i128 = each.iter().sum();
            for (c, v) in cat.iter_mut().zip(&each) {
                *c += v;
            }
            stages[t.stage as usize] += sum;
            if t.packaging {
                packaging += sum;
            }
        }
        let mut r = Results::default();
        for i in 0..5 {
            r.categories.0[i] = reference_round(cat[i]);
            r.stages.0[i] = reference_round(stages[i]);
        }
        r.packaging_mg = reference_round(packaging);
        r.total_mg = r.categories.0.iter().sum();
        r
    }

    proptest! {
        #[test]
        fn matches_independent_computation(terms in proptest::collection::vec(term(), 0..40)) {
            let c = compute(&terms).unwrap();
            prop_assert_eq!(c.results, reference(&terms));
            prop_assert_eq!(c.exact.len(), terms.len());
        }

        #[test]
        fn total_is_sum_of_categories(terms in proptest::collection::vec(term(), 0..40)) {
            let c = compute(&terms).unwrap();
            prop_assert_eq!(c.results.total_mg, c.results.categories.0.iter().sum::<i64>());
        }

        #[test]
        fn order_does_not_matter(
            (terms, shuffled) in proptest::collection::vec(term(), 0..40)
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
        ) {
            prop_assert_eq!(compute(&terms).unwrap().results, compute(&shuffled).unwrap().results);
        }

        #[test]
        fn linear_when_exact(
            inputs in proptest::collection::vec(
                (stage(), any::<bool>(), 0u64..1_000_000, values(1_000_000), any::<bool>()), 0..30)
        ) {
            // Whole units × whole milligrams: every exact sum is a multiple of 10⁹.
            let build = |k: u64| -> Vec<Term> {
                inputs.iter().map(|(stage, packaging, units, v, is_factor)| {
                    let amount = units * 1_000_000 * k;
                    let contribution = if *is_factor {
                        Contribution::Factor { amount, values_ug: PerCategory(v.0.map(|x| x * 1000)) }
                    } else {
                        Contribution::Upstream { quantity: amount, values_mg: *v }
                    };
                    Term { stage: *stage, packaging: *packaging, contribution }
                }).collect()
            };
            let one = compute(&build(1)).unwrap().results;
            let two = compute(&build(2)).unwrap().results;
            prop_assert_eq!(two.categories.0, one.categories.0.map(|x| 2 * x));
            prop_assert_eq!(two.stages.0, one.stages.0.map(|x| 2 * x));
            prop_assert_eq!(two.total_mg, 2 * one.total_mg);
            prop_assert_eq!(two.packaging_mg, 2 * one.packaging_mg);
        }

        #[test]
        fn extremes_never_panic(
            terms in proptest::collection::vec(
                (stage(), any::<bool>(),
                 prop_oneof![Just(0u64), Just(1), Just(u64::MAX), any::<u64>()],
                 proptest::array::uniform5(prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), any::<i64>()]),
                 any::<bool>()),
                0..8)
        ) {
            let terms: Vec<Term> = terms.into_iter().map(|(stage, packaging, amount, v, is_factor)| Term {
                stage,
                packaging,
                contribution: if is_factor {
                    Contribution::Factor { amount, values_ug: PerCategory(v) }
                } else {
                    Contribution::Upstream { quantity: amount, values_mg: PerCategory(v) }
                },
            }).collect();
            match compute(&terms) {
                Ok(c) => prop_assert_eq!(c.results.total_mg as i128, c.results.categories.0.iter().map(|x| *x as i128).sum::<i128>()),
                Err(e) => {
                    let is_overflow = matches!(e, FootprintError::Overflow { .. });
                    prop_assert!(is_overflow, "{}", e);
                }
            }
        }

        #[test]
        fn rounding_formulas_agree(x in any::<i128>()) {
            let ours = round_mg(x);
            // The reference formula only where 2x cannot overflow.
            if let Some(twice) = x.checked_mul(2).and_then(|t| t.checked_add(PG_PER_MG)) {
                let r = twice.div_euclid(2 * PG_PER_MG);
                match i64::try_from(r) {
                    Ok(r) => prop_assert_eq!(ours, Ok(r)),
                    Err(_) => prop_assert!(ours.is_err()),
                }
            } else {
                prop_assert!(ours.is_err());
            }
        }
    }
}

mod checks {
    use std::collections::HashMap;

    use super::*;
    use crate::carbon::{
        Attestation, Boundary, Date, Dqr, FactorRecord, FactorState, FootprintState, Gwp, Input,
        InputSource, Privacy, Product, ProductRule, RecordRef, RecordStatus, RuleState,
    };
    use crate::ids::{OrgId, TxId};

    #[derive(Default)]
    struct Ledger {
        factors: HashMap<RecordRef, FactorState>,
        footprints: HashMap<TxId, FootprintState>,
        rules: HashMap<RecordRef, RuleState>,
        broken: bool,
    }

    impl Resolver for Ledger {
        fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, String> {
            if self.broken {
                return Err("connection refused".into());
            }
            Ok(self.factors.get(r).cloned())
        }
        fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, String> {
            if self.broken {
                return Err("connection refused".into());
            }
            Ok(self.footprints.get(id).cloned())
        }
        fn rule(&self, r: &RecordRef) -> Result<Option<RuleState>, String> {
            if self.broken {
                return Err("connection refused".into());
            }
            Ok(self.rules.get(r).cloned())
        }
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn elec() -> RecordRef {
        RecordRef::new("cn_elec_cfp_2023", 1)
    }

    fn factor_state(r: RecordRef, unit: &str, fossil_ug: i64, gwp: Option<Gwp>) -> FactorState {
        FactorState {
            record: FactorRecord {
                reference: r,
                name: "China electricity 2023".into(),
                unit: unit.into(),
                values: fossil(fossil_ug),
                gwp,
                region: "CN".into(),
                valid_from: d("2023-01-01"),
                valid_until: d("2030-01-01"),
                source: "MEE 2025".into(),
                notes: String::new(),
                dqr: Dqr {
                    technological: 2,
                    temporal: 2,
                    geographical: 2,
                    completeness: 2,
                    reliability: 2,
                },
                supersedes: None,
            },
            publisher: OrgId::from_company_id("urn:uscc:mee"),
            tx: TxId::of_body_bytes(b"factor"),
            published_at: 1,
            status: RecordStatus::Active,
        }
    }

    fn att(inputs: Vec<Input>) -> Attestation {
        Attestation {
            product: Product {
                ids: vec!["urn:gtin:06901234567892".into()],
                name: "X14 laptop".into(),
                category: "urn:cpc:45220".into(),
                mass_mg: 1_450_000,
                carbon: None,
            },
            rule: None,
            declared_unit: "piece".into(),
            declared_unit_amount: 1_000_000,
            boundary: Boundary::CradleToGate,
            period_start: d("2025-01-01"),
            period_end: d("2026-01-01"),
            geography: "CN-BJ".into(),
            gwp: Gwp::Ar6,
            privacy: Privacy::Public,
            inputs,
            results: Results::default(),
            primary_data_share_bp: 0,
            dqr: Dqr {
                technological: 3,
                temporal: 3,
                geographical: 3,
                completeness: 3,
                reliability: 3,
            },
            supersedes: None,
        }
    }

    fn input(source: InputSource, stage: Stage, unit: &str, amount: u64) -> Input {
        Input {
            source,
            stage,
            unit: unit.into(),
            amount: Some(amount),
            packaging: false,
        }
    }

    fn upstream_id() -> TxId {
        TxId::of_body_bytes(b"upstream")
    }

    fn ledger() -> Ledger {
        let mut l = Ledger::default();
        l.factors
            .insert(elec(), factor_state(elec(), "kWh", 620_500_000, None));
        let mut up = att(vec![input(
            InputSource::Factor(elec()),
            Stage::Production,
            "kWh",
            1,
        )]);
        up.declared_unit = "kilogram".into();
        up.results.categories = fossil(4_200_000);
        up.results.total_mg = 4_200_000;
        l.footprints.insert(
            upstream_id(),
            FootprintState {
                attestation: up,
                author: OrgId::from_company_id("urn:uscc:supplier"),
                id: upstream_id(),
                at: 2,
                status: RecordStatus::Active,
                disclosures: Vec::new(),
            },
        );
        let rule = RecordRef::new("pcr-portable-computer", 1);
        l.rules.insert(
            rule.clone(),
            RuleState {
                rule: ProductRule {
                    reference: rule,
                    name: "Portable computers".into(),
                    category: "urn:cpc:45220".into(),
                    declared_unit: "piece".into(),
                    boundary: Boundary::CradleToGate,
                    required_stages: vec![Stage::RawMaterials, Stage::Production],
                    cutoff_bp: 100,
                    grade_thresholds_mg: vec![],
                    reference_document: "x".into(),
                    supersedes: None,
                },
                publisher: OrgId::from_company_id("urn:uscc:regulator"),
                tx: TxId::of_body_bytes(b"rule"),
                published_at: 1,
                status: RecordStatus::Active,
            },
        );
        l
    }

    /// The spec's model: upstream 0.42 kg, then 35.2 kWh of electricity.
    fn good() -> Attestation {
        let mut a = att(vec![
            input(
                InputSource::Upstream(upstream_id()),
                Stage::RawMaterials,
                "kilogram",
                420_000,
            ),
            input(
                InputSource::Factor(elec()),
                Stage::Production,
                "kWh",
                35_200_000,
            ),
        ]);
        a.rule = Some(RecordRef::new("pcr-portable-computer", 1));
        a
    }

    fn err(a: &Attestation, l: &Ledger) -> FootprintError {
        evaluate(a, l).unwrap_err()
    }

    #[test]
    fn evaluates_the_spec_example() {
        let l = ledger();
        let a = good();
        let e = evaluate(&a, &l).unwrap();
        let c = e.computed.unwrap();
        assert_eq!(c.results.categories, fossil(1_764_000 + 21_841_600));
        assert_eq!(c.results.stages.0, [1_764_000, 21_841_600, 0, 0, 0]);
        assert_eq!(e.checked.len(), 2);
        assert_eq!(e.checked[1].unit, "kWh");
        assert_eq!(e.checked[1].status, "active");
        assert_eq!(e.checked[0].unit, "kilogram");
        assert!(
            e.checked[0].note.contains("4200000 mg CO2e per kilogram"),
            "{}",
            e.checked[0].note
        );
        assert_eq!(resolve_terms(&a, &l).unwrap().len(), 2);
        let mut claimed = a.clone();
        claimed.results = c.results;
        assert_eq!(check_results(&claimed, &c), Ok(()));
        assert!(check_results(&a, &c)
            .unwrap_err()
            .to_string()
            .contains("category fossil claims 0 mg, inputs give 23605600 mg"));
    }

    #[test]
    fn unit_mismatch_names_the_input() {
        let l = ledger();
        let mut a = good();
        a.inputs[1].unit = "MWh".into();
        assert_eq!(
            err(&a, &l).to_string(),
            r#"input #2 (factor cn_elec_cfp_2023@1): unit mismatch: amount given in "MWh", factor is per "kWh""#
        );
        let mut a = good();
        a.inputs[0].unit = "piece".into();
        let e = err(&a, &l);
        assert_eq!(e.input(), Some(0));
        assert!(e.to_string().ends_with(
            r#"unit mismatch: quantity given in "piece", the upstream footprint is per "kilogram""#
        ));
    }

    #[test]
    fn factor_rules() {
        let mut l = ledger();
        let mut a = good();
        a.inputs[1].source = InputSource::Factor(RecordRef::new("cn_elec_cfp_2023", 2));
        assert!(matches!(
            err(&a, &l),
            FootprintError::UnknownFactor { input: 1, .. }
        ));

        let a = good();
        l.factors.get_mut(&elec()).unwrap().status = RecordStatus::Deprecated {
            by: "cn_elec_cfp_2023@2".into(),
            at: 9,
        };
        assert_eq!(
            err(&a, &l).to_string(),
            "input #2 (factor cn_elec_cfp_2023@1): factor is deprecated: superseded by cn_elec_cfp_2023@2 (log index 9)"
        );
        // Re-checking a historical attestation reports instead.
        let e = evaluate_with(&a, &l, StatusPolicy::Report).unwrap();
        assert_eq!(e.checked[1].status, "deprecated");
        assert!(e.checked[1].note.starts_with("superseded by"));

        l.factors.get_mut(&elec()).unwrap().status = RecordStatus::Revoked {
            reason: "wrong grid mix".into(),
            at: 10,
        };
        assert!(
            matches!(err(&a, &l), FootprintError::FactorNotActive { input: 1, ref status, .. } if status == "revoked")
        );

        let mut l = ledger();
        l.factors.get_mut(&elec()).unwrap().record.valid_until = d("2025-12-31");
        let e = err(&a, &l);
        assert!(matches!(
            e,
            FootprintError::FactorOutsideValidity { input: 1, .. }
        ));
        assert!(
            e.to_string().contains("valid for [2023-01-01, 2025-12-31)"),
            "{e}"
        );
        // The end is exclusive on both sides: [.., 2026-01-01) fits [.., 2026-01-01).
        l.factors.get_mut(&elec()).unwrap().record.valid_until = d("2026-01-01");
        assert!(evaluate(&a, &l).is_ok());
        l.factors.get_mut(&elec()).unwrap().record.valid_from = d("2025-01-02");
        assert!(matches!(
            err(&a, &l),
            FootprintError::FactorOutsideValidity { .. }
        ));

        let mut l = ledger();
        l.factors.get_mut(&elec()).unwrap().record.gwp = Some(Gwp::Ar5);
        assert_eq!(
            err(&a, &l).to_string(),
            "input #2 (factor cn_elec_cfp_2023@1): GWP mismatch: input uses AR5, the footprint AR6"
        );
        l.factors.get_mut(&elec()).unwrap().record.gwp = Some(Gwp::Ar6);
        assert!(evaluate(&a, &l).is_ok());

        // The ledger answering about another record is not trusted.
        let mut l = ledger();
        l.factors.get_mut(&elec()).unwrap().record.reference = RecordRef::new("other", 1);
        assert!(matches!(
            err(&a, &l),
            FootprintError::InputLookup { input: 1, .. }
        ));
    }

    #[test]
    fn upstream_rules() {
        let a = good();
        let mut l = ledger();
        l.footprints.clear();
        assert!(matches!(
            err(&a, &l),
            FootprintError::UnknownUpstream { input: 0, .. }
        ));
        let mut l = ledger();
        l.footprints.get_mut(&upstream_id()).unwrap().status = RecordStatus::Revoked {
            reason: "data error".into(),
            at: 5,
        };
        let e = err(&a, &l);
        assert!(matches!(
            e,
            FootprintError::UpstreamNotActive { input: 0, .. }
        ));
        assert!(e
            .to_string()
            .contains(&format!("input #1 (footprint {})", upstream_id())));
        let mut l = ledger();
        l.footprints
            .get_mut(&upstream_id())
            .unwrap()
            .attestation
            .gwp = Gwp::Ar5;
        assert!(matches!(
            err(&a, &l),
            FootprintError::GwpMismatch { input: 0, .. }
        ));
    }

    #[test]
    fn rule_rules() {
        let l = ledger();
        let mut a = good();
        a.rule = Some(RecordRef::new("pcr-portable-computer", 2));
        assert!(matches!(err(&a, &l), FootprintError::UnknownRule { .. }));

        let a = good();
        let mut l2 = ledger();
        let r = RecordRef::new("pcr-portable-computer", 1);
        l2.rules.get_mut(&r).unwrap().status = RecordStatus::Deprecated {
            by: "pcr@2".into(),
            at: 3,
        };
        assert!(matches!(err(&a, &l2), FootprintError::RuleNotActive { .. }));
        assert!(evaluate_with(&a, &l2, StatusPolicy::Report).is_ok());

        let mut b = good();
        b.product.category = "urn:cpc:45230".into();
        assert!(matches!(
            err(&b, &l),
            FootprintError::RuleCategoryMismatch { .. }
        ));
        let mut b = good();
        b.declared_unit = "kilogram".into();
        assert!(matches!(
            err(&b, &l),
            FootprintError::RuleDeclaredUnitMismatch { .. }
        ));
        let mut b = good();
        b.boundary = Boundary::CradleToGrave;
        assert_eq!(
            err(&b, &l).to_string(),
            "rule pcr-portable-computer@1: the rule requires boundary cradle-to-gate, the footprint is cradle-to-grave"
        );
        let mut b = good();
        b.inputs.remove(0);
        assert_eq!(
            err(&b, &l),
            FootprintError::MissingRequiredStage {
                rule: r,
                stage: Stage::RawMaterials
            }
        );
        assert_eq!(
            err(&b, &l).to_string(),
            "rule pcr-portable-computer@1: requires inputs for stage raw-materials, the footprint has none"
        );
    }

    #[test]
    fn resolver_errors_are_named() {
        let mut l = ledger();
        l.broken = true;
        let mut a = good();
        a.rule = None;
        assert_eq!(
            err(&a, &l).to_string(),
            format!(
                "input #1 (footprint {}): could not be looked up: connection refused",
                upstream_id()
            )
        );
        assert!(matches!(
            err(&good(), &l),
            FootprintError::RuleLookup { .. }
        ));
    }

    #[test]
    fn boundary_and_amounts() {
        let l = ledger();
        let mut a = good();
        a.inputs[1].stage = Stage::Use;
        assert_eq!(
            err(&a, &l).to_string(),
            "input #2 (factor cn_elec_cfp_2023@1): stage use is outside a cradle-to-gate boundary"
        );
        a.boundary = Boundary::CradleToGrave;
        a.rule = None;
        assert!(evaluate(&a, &l).is_ok());

        let mut a = good();
        a.inputs[0].amount = None;
        assert!(matches!(
            err(&a, &l),
            FootprintError::MissingAmount { input: 0, .. }
        ));

        // Committed, as on the ledger: checked, not computed.
        let mut a = good();
        a.privacy = Privacy::Committed {
            commitment: [7; 32],
        };
        let with_amounts = evaluate(&a, &l).unwrap();
        assert!(with_amounts.computed.is_some());
        assert!(matches!(
            check_privacy(&a),
            Err(FootprintError::AmountsOnCommitted { input: 0, .. })
        ));
        for i in &mut a.inputs {
            i.amount = None;
        }
        let e = evaluate(&a, &l).unwrap();
        assert_eq!(e.computed, None);
        assert_eq!(e.checked.len(), 2);
        assert_eq!(check_privacy(&a), Ok(()));
        assert!(matches!(
            resolve_terms(&a, &l),
            Err(FootprintError::MissingAmount { input: 0, .. })
        ));
        a.privacy = Privacy::Public;
        assert!(matches!(
            check_privacy(&a),
            Err(FootprintError::AmountsMissingOnPublic { input: 0, .. })
        ));
        assert_eq!(check_privacy(&good()), Ok(()));
    }

    #[test]
    fn overflow_names_the_input() {
        let mut l = ledger();
        l.footprints
            .get_mut(&upstream_id())
            .unwrap()
            .attestation
            .results
            .categories = fossil(i64::MAX);
        let mut a = good();
        a.inputs[0].amount = Some(u64::MAX);
        let e = err(&a, &l);
        assert_eq!(
            e.to_string(),
            format!(
                "input #1 (footprint {}): arithmetic overflow",
                upstream_id()
            )
        );
    }

    fn form_err(a: &Attestation) -> String {
        check_form(a).unwrap_err().to_string()
    }

    #[test]
    fn form_rules() {
        assert_eq!(check_form(&good()), Ok(()));
        type Edit = fn(&mut Attestation);
        let cases: Vec<(Edit, &str)> = vec![
            (
                |a| a.product.ids.clear(),
                "product.ids: 0 ids, must be 1..=32",
            ),
            (
                |a| a.product.ids = vec!["urn:x".into(); 33],
                "product.ids: 33 ids, must be 1..=32",
            ),
            (
                |a| a.product.ids[0] = "gtin:1".into(),
                "product.ids[0]: \"gtin:1\" is not a URN",
            ),
            (
                |a| a.product.ids[0] = format!("urn:{}", "x".repeat(300)),
                "product.ids[0]: 304 bytes, more than 256",
            ),
            (
                |a| a.product.name = " ".into(),
                "product.name: must not be empty",
            ),
            (
                |a| {
                    a.product.carbon = Some(crate::carbon::CarbonContent {
                        fossil_mg: a.product.mass_mg,
                        biogenic_mg: Some(1),
                    })
                },
                "product.carbon: 1450001 mg of carbon in a product of 1450000 mg",
            ),
            (
                |a| {
                    a.privacy = Privacy::Declared(Box::new(crate::carbon::DeclaredFootprint {
                        issuer: "Partner".into(),
                        issuer_ids: vec![],
                        format: "PACT 3.0.0".into(),
                        document_id: "x".into(),
                        document_hash: [0; 32],
                        proof: None,
                    }))
                },
                "inputs: a declared footprint has no inputs",
            ),
            (
                |a| a.product.category = "a\nb".into(),
                "product.category: must not contain control characters",
            ),
            (
                |a| a.geography = String::new(),
                "geography: must not be empty",
            ),
            (
                |a| a.declared_unit = "pieces".into(),
                "declared_unit: \"pieces\" is not a PACT declared unit",
            ),
            (
                |a| a.declared_unit_amount = 0,
                "declared_unit_amount: must be greater than 0",
            ),
            (
                |a| a.period_end = a.period_start,
                "period_end: the period [2025-01-01, 2025-01-01) is empty",
            ),
            (
                |a| a.primary_data_share_bp = 10_001,
                "primary_data_share_bp: 10001 basis points",
            ),
            (
                |a| a.dqr.temporal = 0,
                "dqr: every data-quality rating must be 1..=5",
            ),
            (
                |a| a.dqr.reliability = 6,
                "dqr: every data-quality rating must be 1..=5",
            ),
            (
                |a| a.rule = Some(RecordRef::new("pcr", 0)),
                "rule: pcr@0: versions start at 1",
            ),
            (|a| a.inputs.clear(), "a footprint needs at least one input"),
            (
                |a| a.inputs = vec![a.inputs[1].clone(); 1001],
                "1001 inputs, more than the limit of 1000",
            ),
            (
                |a| a.inputs[1].unit = String::new(),
                "input #2 (factor cn_elec_cfp_2023@1): unit \"\" must be 1..=32 bytes",
            ),
            (
                |a| a.inputs[1].unit = "k".repeat(33),
                "input #2 (factor cn_elec_cfp_2023@1): unit",
            ),
            (
                |a| a.inputs[1].source = InputSource::Factor(RecordRef::new("bad id", 1)),
                "input #2 (factor bad id@1): record id",
            ),
            (
                |a| a.results.total_mg = 1,
                "results.total_mg: 1 mg, but the categories sum to 0 mg",
            ),
            (
                |a| a.results.categories.0 = [i64::MAX, 1, 0, 0, 0],
                "results.categories: the categories' sum does not fit 64 bits",
            ),
        ];
        for (change, expected) in cases {
            let mut a = good();
            change(&mut a);
            let e = form_err(&a);
            assert!(
                e.starts_with(expected),
                "{e:?} should start with {expected:?}"
            );
        }
        // 1000 inputs are fine; declared units from the PACT set are.
        let mut a = good();
        a.inputs = vec![a.inputs[1].clone(); 1000];
        assert_eq!(check_form(&a), Ok(()));
        for unit in DECLARED_UNITS {
            let mut a = good();
            a.declared_unit = unit.into();
            assert_eq!(check_form(&a), Ok(()));
        }
        // Results' signs are not checked: an upstream may net out.
        let mut a = good();
        a.results.categories.0 = [-5, 0, 3, 0, 0];
        a.results.total_mg = -2;
        assert_eq!(check_form(&a), Ok(()));
    }
}
