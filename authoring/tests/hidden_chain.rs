//! A three-tier supply chain with every value hidden, through the ledger's
//! own acceptance rules (`validate::check` on a `MemoryState`): an aluminium
//! ingot, a laptop housing made of it, a laptop using the housing. Each tier
//! is built from a model file with `Model::hidden_attestation`, the customer
//! using its supplier's opening; every node-side check, the tree
//! verification an observer runs, the auditor's recomputation, and what
//! tampering does to each.

use tanji_authoring::model::Model;
use tanji_ledger::carbon::hidden::{self, HiddenError, UpstreamOpenings};
use tanji_ledger::carbon::tree::verify_tree;
use tanji_ledger::carbon::{compute, Attestation, Date, Privacy};
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::testkit::{self, MemoryLedger};
use tanji_ledger::tx::{Role, TxKind};
use tanji_ledger::validate::TxError;
use tanji_ledger::zk::FootprintOpening;
use tanji_ledger::TxId;

/// A hidden attestation by `org` of a model file, built on `openings`, applied.
fn attest_hidden(
    chain: &mut MemoryLedger,
    org: &OrgKeyFile,
    model: &str,
    openings: &UpstreamOpenings,
    publish: bool,
) -> (TxId, hidden::HiddenBuild) {
    let build = Model::from_toml(model)
        .expect("a valid model")
        .hidden_attestation(
            &chain.net.network,
            org.org_id,
            &chain.resolver(),
            openings,
            publish,
        )
        .expect("the hidden attestation builds");
    let tx = chain.signed(org, TxKind::AttestFootprint(build.attestation.clone()));
    let id = chain
        .apply(&tx)
        .expect("the ledger accepts the hidden attestation");
    (id, build)
}

fn date(s: &str) -> Date {
    s.parse().expect("date")
}

fn model(name: &str, unit: &str, inputs: &str) -> String {
    testkit::hidden_model(name, unit, inputs)
}

/// The three tiers and their authors (figures worked by hand in the first test).
struct Tiers {
    chain: MemoryLedger,
    supplier: OrgKeyFile,
    maker: OrgKeyFile,
    brand: OrgKeyFile,
    ingot: (TxId, hidden::HiddenBuild),
    housing: (TxId, hidden::HiddenBuild),
    laptop: (TxId, hidden::HiddenBuild),
}

fn three_tiers() -> Tiers {
    let testkit::HiddenChain {
        ledger: mut chain,
        supplier,
        maker,
        brand,
        ingot,
        housing,
        laptop_tx,
        laptop,
    } = testkit::hidden_chain();
    let laptop = (
        chain
            .apply(&laptop_tx)
            .expect("the ledger accepts the hidden laptop"),
        laptop,
    );
    Tiers {
        chain,
        supplier,
        maker,
        brand,
        ingot,
        housing,
        laptop,
    }
}

#[test]
fn three_hidden_tiers_are_accepted_and_verify_end_to_end() {
    let t = three_tiers();
    // Hand-computed figures (mg per declared unit):
    // ingot fossil: 14.3 × 620.5 g + 1.93 × 1.333333 g = 8 873 150 + 2 573.33269 → 8 875 723;
    //        land-use change: 1.93 × 2 mg = 3.86 → 4.
    assert_eq!(t.ingot.1.opening.values, [8_875_723, 0, 0, 4, 0]);
    // housing fossil: 0.42 × 8 875 723 + 2.5 × 620 500 = 3 727 803.66 + 1 551 250 → 5 279 054;
    //         land use: 0.42 × 4 = 1.68 → 2.
    assert_eq!(t.housing.1.opening.values, [5_279_054, 0, 0, 2, 0]);
    // laptop fossil: 5 279 054 + 35.2 × 620 500 + 0.35 × 800 = 5 279 054 + 21 841 600 + 280
    //        = 27 120 934; biogenic 0.35 × 250 = 87.5 → 88; removals −455; land use 2.
    assert_eq!(t.laptop.1.opening.values, [27_120_934, 88, -455, 2, 0]);

    // Real proofs seed the `zk_proof` fuzz target's corpus when asked to.
    if let Ok(dir) = std::env::var("TANJI_FUZZ_SEEDS") {
        for (name, (_, b)) in [
            ("ingot", &t.ingot),
            ("housing", &t.housing),
            ("laptop", &t.laptop),
        ] {
            let proof = &b.attestation.privacy.hidden().unwrap().proof;
            std::fs::write(
                std::path::Path::new(&dir).join(format!("seed-{name}")),
                proof,
            )
            .unwrap();
        }
    }

    // What the ledger holds: no figure, no amount.
    for (id, _) in [&t.ingot, &t.housing, &t.laptop] {
        let fp = tanji_ledger::state::StateView::footprint(&t.chain.state, id)
            .unwrap()
            .unwrap();
        assert_eq!(fp.attestation.results, Default::default());
        assert!(fp.attestation.inputs.iter().all(|i| i.amount.is_none()));
        assert!(matches!(fp.attestation.privacy, Privacy::Hidden(_)));
    }

    // An observer walks the tree and checks every proof, with no opening.
    let report = verify_tree(t.laptop.0, &t.chain.resolver(), &t.chain.net.network);
    assert!(report.verified, "{:?}", report.problems);
    assert_eq!(report.proofs_checked, 3);
    assert_eq!(report.nodes.len(), 3);
    assert!(report.nodes.iter().all(|n| n.figures_hidden));
}

/// The test kit builds its chain from attestations, not model files: the
/// model files of the same tiers give the same attestations and figures.
#[test]
fn the_test_kit_chain_is_what_its_model_files_give() {
    let t = three_tiers();
    let factor = |r: &str, amount: &str, stage: &str| {
        format!("\n[[input]]\nfactor = \"{r}\"\namount = \"{amount}\"\nstage = \"{stage}\"\n")
    };
    let upstream = |id: TxId, quantity: &str, stage: &str| {
        format!(
            "\n[[input]]\nfootprint = \"{id}\"\nquantity = \"{quantity}\"\nstage = \"{stage}\"\n"
        )
    };
    let tiers = [
        (
            &t.supplier,
            model(
                "Aluminium ingot",
                "kilogram",
                &(factor("elec@1", "14.3", "production")
                    + &factor("alumina@1", "1.93", "raw-materials")),
            ),
            UpstreamOpenings::new(),
            &t.ingot.1,
        ),
        (
            &t.maker,
            model(
                "Laptop housing",
                "piece",
                &(upstream(t.ingot.0, "0.42", "raw-materials")
                    + &factor("elec@1", "2.5", "production")),
            ),
            UpstreamOpenings::from([(t.ingot.0, t.ingot.1.opening.clone())]),
            &t.housing.1,
        ),
        (
            &t.brand,
            model(
                "Laptop",
                "piece",
                &(upstream(t.housing.0, "1", "raw-materials")
                    + &factor("elec@1", "35.2", "production")
                    + &factor("box@1", "0.35", "production")
                    + "packaging = true\n"),
            ),
            UpstreamOpenings::from([(t.housing.0, t.housing.1.opening.clone())]),
            &t.laptop.1,
        ),
    ];
    let public = |a: &Attestation| Attestation {
        privacy: Privacy::Public,
        ..a.clone()
    };
    for (org, text, openings, kit) in tiers {
        let from_file = Model::from_toml(&text)
            .unwrap()
            .hidden_attestation(
                &t.chain.net.network,
                org.org_id,
                &t.chain.resolver(),
                &openings,
                false,
            )
            .unwrap();
        assert_eq!(public(&from_file.attestation), public(&kit.attestation));
        assert_eq!(from_file.opening.values, kit.opening.values);
    }
}

fn resubmit(t: &mut Tiers, org: &OrgKeyFile, att: Attestation) -> TxError {
    let tx = t.chain.signed(org, TxKind::AttestFootprint(att));
    t.chain
        .apply(&tx)
        .expect_err("tampered attestation must be refused")
}

fn hidden_mut(att: &mut Attestation) -> &mut tanji_ledger::carbon::HiddenFootprint {
    match &mut att.privacy {
        Privacy::Hidden(h) => h,
        _ => panic!("not hidden"),
    }
}

#[test]
fn tampering_with_any_binding_is_refused() {
    let mut t = three_tiers();
    let brand = t.brand.clone();
    let base = t.laptop.1.attestation.clone();

    // A committed result component replaced (the fossil one by the biogenic one).
    let mut a = base.clone();
    let h = hidden_mut(&mut a);
    h.commitment.0[0] = h.commitment.0[1];
    let e = resubmit(&mut t, &brand, a);
    assert_eq!(e.code(), "proof_invalid", "{e}");

    // A proof byte flipped (in the middle: a point, scalar or range proof).
    let mut a = base.clone();
    let h = hidden_mut(&mut a);
    let mid = h.proof.len() / 2;
    h.proof[mid] ^= 1;
    let e = resubmit(&mut t, &brand, a);
    assert_eq!(e.code(), "proof_invalid", "{e}");

    // The transcript's context: any public field of the attestation changed.
    let mut a = base.clone();
    a.inputs[1].stage = tanji_ledger::carbon::Stage::Distribution;
    let e = resubmit(&mut t, &brand, a);
    assert_eq!(e.code(), "proof_invalid", "{e}");
    let mut a = base.clone();
    a.period_end = date("2025-12-31");
    assert_eq!(resubmit(&mut t, &brand, a).code(), "proof_invalid");

    // The same attestation under another author: the proof is bound to its author.
    let maker = t.maker.clone();
    let e = resubmit(&mut t, &maker, base.clone());
    assert_eq!(
        e.code(),
        "proof_invalid",
        "another author cannot reuse the proof: {e}"
    );

    // Figures slipped in beside the commitment.
    let mut a = base.clone();
    a.results.categories.0[0] = 1;
    a.results.total_mg = 1;
    let e = resubmit(&mut t, &brand, a);
    assert!(e.to_string().contains("results must be all zeros"), "{e}");

    // An amount in the clear.
    let mut a = base.clone();
    for input in &mut a.inputs {
        input.amount = Some(1);
    }
    let e = resubmit(&mut t, &brand, a);
    assert!(e.to_string().contains("carries no amounts"), "{e}");

    // The proof checked on another network does not verify.
    let e = hidden::verify_hidden(
        "other.network",
        brand.org_id,
        &base,
        &t.chain.resolver(),
        compute::StatusPolicy::RequireActive,
    )
    .unwrap_err();
    assert!(matches!(e, HiddenError::ProofInvalid(_)), "{e}");

    // The untouched attestation is fine (resubmitted under a new nonce it is a new footprint).
    let tx = t.chain.signed(&brand, TxKind::AttestFootprint(base));
    t.chain
        .apply(&tx)
        .expect("the honest attestation still verifies");
}

#[test]
fn the_customer_needs_the_right_opening() {
    let mut t = three_tiers();
    let model_text = model(
        "Second housing",
        "piece",
        &format!(
            "\n[[input]]\nfootprint = \"{}\"\nquantity = \"1\"\nstage = \"raw-materials\"\n",
            t.ingot.0
        ),
    );
    let model = Model::from_toml(&model_text).unwrap();
    let maker = t.maker.clone();
    // Without the opening, nothing can be built.
    let e = model
        .hidden_attestation(
            &t.chain.net.network,
            maker.org_id,
            &t.chain.resolver(),
            &UpstreamOpenings::new(),
            false,
        )
        .err()
        .expect("no opening");
    assert!(e.to_string().contains("opening is needed"), "{e}");
    // A forged opening (one milligram more) does not open the supplier's commitment.
    let mut forged: FootprintOpening = t.ingot.1.opening.clone();
    forged.values[0] += 1;
    let mut openings = UpstreamOpenings::new();
    openings.insert(t.ingot.0, forged);
    let e = model
        .hidden_attestation(
            &t.chain.net.network,
            maker.org_id,
            &t.chain.resolver(),
            &openings,
            false,
        )
        .err()
        .expect("forged opening");
    assert!(e.to_string().contains("does not open"), "{e}");
    let _ = &mut t;
}

#[test]
fn published_figures_are_checked_and_public_footprints_cannot_hide_inputs() {
    let mut t = three_tiers();
    let brand = t.brand.clone();
    let mut openings = UpstreamOpenings::new();
    openings.insert(t.housing.0, t.housing.1.opening.clone());
    let text = model(
        "Laptop labelled",
        "piece",
        &format!(
            "\n[[input]]\nfootprint = \"{}\"\nquantity = \"1\"\nstage = \"raw-materials\"\n",
            t.housing.0
        ),
    );
    // A public attestation cannot be recomputed from a hidden upstream.
    let public = Model::from_toml(&text.replace("privacy = \"hidden\"", "privacy = \"public\""))
        .unwrap()
        .attestation(&t.chain.resolver())
        .unwrap_err();
    assert!(
        public.to_string().contains("upstream footprint is hidden"),
        "{public}"
    );

    // Hidden with published figures: the label can show a number anyone checks.
    let (id, build) = attest_hidden(&mut t.chain, &brand, &text, &openings, true);
    let fp = tanji_ledger::state::StateView::footprint(&t.chain.state, &id)
        .unwrap()
        .unwrap();
    assert_eq!(fp.attestation.results.categories.0, [5_279_054, 0, 0, 2, 0]);
    assert_eq!(fp.attestation.results.total_mg, 5_279_056);
    let report = verify_tree(id, &t.chain.resolver(), &t.chain.net.network);
    assert!(
        report.verified && report.proofs_checked == 3,
        "{:?}",
        report.problems
    );
    assert!(!report.nodes[0].figures_hidden);

    // Published figures that do not open the commitment are refused.
    let mut a = build.attestation.clone();
    a.results.categories.0[0] += 1;
    a.results.total_mg += 1;
    let e = resubmit(&mut t, &brand, a);
    assert!(
        e.to_string().contains("do not open the result commitment"),
        "{e}"
    );
}

#[test]
fn an_auditor_recomputes_from_the_raw_data() {
    let t = three_tiers();
    let att = &t.housing.1.attestation;
    let report = hidden::audit_hidden(att, &t.housing.1.witness, &t.chain.resolver())
        .expect("the raw data matches");
    assert_eq!(report.results.categories.0, [5_279_054, 0, 0, 2, 0]);
    assert_eq!(report.amounts, vec![420_000, 2_500_000]);

    // Raw data with another amount does not match the proof's quantity commitment.
    let mut w = t.housing.1.witness.clone();
    w.inputs[1].quantity = tanji_ledger::zk::QuantityOpening::new(2_600_000).unwrap();
    let e = hidden::audit_hidden(att, &w, &t.chain.resolver()).unwrap_err();
    assert!(e.to_string().contains("quantity commitment"), "{e}");

    // A result opening of another footprint does not match.
    let mut w = t.housing.1.witness.clone();
    w.result = t.ingot.1.opening.clone();
    assert!(hidden::audit_hidden(att, &w, &t.chain.resolver()).is_err());
    let _ = (&t.supplier, &t.laptop);
}

fn disclosure(
    footprint: TxId,
    recipient: &OrgKeyFile,
    purpose: tanji_ledger::sealed::Purpose,
    tag: u8,
) -> TxKind {
    TxKind::Disclose(tanji_ledger::carbon::Disclosure {
        footprint,
        recipient: recipient.org_id,
        purpose,
        envelope: tanji_ledger::sealed::EnvelopeHash([tag; 32]),
        size: 300,
    })
}

#[test]
fn disclosures_are_recorded_by_the_author_only() {
    use tanji_ledger::sealed::Purpose;
    let mut t = three_tiers();
    let (supplier, maker, brand) = (t.supplier.clone(), t.maker.clone(), t.brand.clone());
    let ingot = t.ingot.0;
    // The supplier records the opening sealed to its customer, and raw data to an auditor.
    let tx = t
        .chain
        .signed(&supplier, disclosure(ingot, &maker, Purpose::Opening, 1));
    t.chain.apply(&tx).expect("the author discloses");
    let tx = t
        .chain
        .signed(&supplier, disclosure(ingot, &brand, Purpose::RawData, 2));
    t.chain.apply(&tx).expect("raw data to an auditor");
    let fp = tanji_ledger::state::StateView::footprint(&t.chain.state, &ingot)
        .unwrap()
        .unwrap();
    assert_eq!(fp.disclosures.len(), 2);
    assert_eq!(fp.disclosures[0].disclosure.recipient, maker.org_id);
    assert_eq!(fp.disclosures[1].disclosure.purpose, Purpose::RawData);

    // Someone else's footprint, the same envelope twice, an unknown recipient, oneself.
    let tx = t
        .chain
        .signed(&maker, disclosure(ingot, &brand, Purpose::Opening, 3));
    assert_eq!(t.chain.apply(&tx).unwrap_err().code(), "not_permitted");
    let tx = t
        .chain
        .signed(&supplier, disclosure(ingot, &maker, Purpose::Opening, 1));
    assert_eq!(t.chain.apply(&tx).unwrap_err().code(), "record_exists");
    let stranger = testkit::org(
        99,
        "Stranger",
        "urn:uscc:91110000000000099X",
        &[Role::Supplier],
    );
    let tx = t
        .chain
        .signed(&supplier, disclosure(ingot, &stranger, Purpose::Opening, 4));
    assert_eq!(t.chain.apply(&tx).unwrap_err().code(), "unknown_org");
    let tx = t
        .chain
        .signed(&supplier, disclosure(ingot, &supplier, Purpose::Opening, 5));
    assert_eq!(t.chain.apply(&tx).unwrap_err().code(), "invalid_field");
    // An unknown footprint.
    let tx = t.chain.signed(
        &supplier,
        disclosure(TxId([9; 32]), &maker, Purpose::Opening, 6),
    );
    assert_eq!(t.chain.apply(&tx).unwrap_err().code(), "unknown_record");
}

#[test]
fn a_label_needs_published_figures() {
    use tanji_authoring::rule_file::parse_rule_toml;
    use tanji_ledger::carbon::Certificate;
    let mut t = three_tiers();
    let regulator = t.chain.net.regulator.clone();
    let rule = parse_rule_toml(include_str!(
        "../../node/src/local/demo/models/pcr-portable-computer.toml"
    ))
    .unwrap();
    let rule_ref = rule.reference.clone();
    let tx = t
        .chain
        .signed(&regulator, TxKind::PublishRule(rule.clone()));
    t.chain.apply(&tx).expect("rule");
    let certifier = t.chain.register(14, &[Role::Verifier]);
    let brand = t.brand.clone();
    let mut openings = UpstreamOpenings::new();
    openings.insert(t.housing.0, t.housing.1.opening.clone());
    let text = model(
        "Laptop under the rule",
        "piece",
        &format!(
            "\n[[input]]\nfootprint = \"{}\"\nquantity = \"1\"\nstage = \"raw-materials\"\n\n[[input]]\nfactor = \"elec@1\"\namount = \"35.2\"\nstage = \"production\"\n",
            t.housing.0
        ),
    )
    .replace("urn:cpc:41532", "urn:cpc:45220")
    .replace("[product]\n", &format!("[product]\nrule = \"{rule_ref}\"\n"));
    let certificate = |id: &str, footprint: TxId, total_mg: i64| Certificate {
        id: id.into(),
        footprint,
        rule: rule_ref.clone(),
        grade: rule.grade(total_mg),
        valid_from: date("2026-01-01"),
        valid_until: date("2029-01-01"),
        scope: "test".into(),
    };

    // Hidden figures cannot be graded: refused with the reason.
    let (hidden, _) = attest_hidden(&mut t.chain, &brand, &text, &openings, false);
    let tx = t.chain.signed(
        &certifier,
        TxKind::IssueCertificate(certificate("CERT-HIDDEN", hidden, 0)),
    );
    let e = t.chain.apply(&tx).unwrap_err();
    assert!(e.to_string().contains("must publish its figures"), "{e}");

    // Published figures: graded and labelled like a public footprint.
    let (published, build) = attest_hidden(&mut t.chain, &brand, &text, &openings, true);
    let total = build.opening.values.iter().sum::<i64>();
    assert_eq!(total, 5_279_056 + 21_841_600);
    let tx = t.chain.signed(
        &certifier,
        TxKind::IssueCertificate(certificate("CERT-PUBLISHED", published, total)),
    );
    t.chain
        .apply(&tx)
        .expect("a hidden footprint with published figures is certified");
}

#[test]
fn a_proof_verified_at_admission_is_not_verified_again_but_the_rules_still_apply() {
    use tanji_ledger::validate::{check, check_verified, PreVerified};
    let mut t = three_tiers();
    let brand = t.brand.clone();
    let tx = t.chain.signed(
        &brand,
        TxKind::AttestFootprint(t.laptop.1.attestation.clone()),
    );
    let index = t.chain.next_index();
    // Admission: everything verified, the proof included.
    let admitted = check(&t.chain.state, &tx, index, &[]).expect("admitted");
    assert!(admitted.proof_verified);
    // Application with what admission verified: the same changes.
    let pre = PreVerified {
        signatures: &admitted.signers,
        proof: admitted.proof_verified,
    };
    let applied = check_verified(&t.chain.state, &tx, index, pre).expect("applied");
    assert_eq!(applied.changes, admitted.changes);
    // State-dependent rules still run: the upstream revoked meanwhile.
    let maker = t.maker.clone();
    let revoke = t.chain.signed(
        &maker,
        TxKind::RevokeFootprint {
            footprint: t.housing.0,
            reason: "test".into(),
        },
    );
    t.chain.apply(&revoke).expect("revoked");
    let e = check_verified(&t.chain.state, &tx, index + 1, pre).unwrap_err();
    assert!(e.to_string().contains("revoked"), "{e}");
}
