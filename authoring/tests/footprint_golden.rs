//! A hand-checkable footprint, end to end through the public API: a TOML
//! model, an in-memory ledger of factors, an upstream footprint and a
//! product rule, exact milligrams per category and stage, and errors that
//! name the input for every kind of bad model.
//!
//! The laptop (per piece, cradle-to-gate, AR6):
//!
//! | # | input                        | amount      | value per unit                  | mg exact       |
//! |---|------------------------------|-------------|---------------------------------|----------------|
//! | 1 | aluminium housing (upstream) | 0.42 kg     | 4 200 000 mg fossil             | 1 764 000      |
//! | 2 | cn_elec_cfp_2023@1           | 35.2 kWh    | 0.6205 kg fossil                | 21 841 600     |
//! | 3 | cn_grid_north_2023@1         | 12.5 kWh    | 0.6361 kg fossil                | 7 951 250      |
//! | 4 | corrugated_box_2023@1 (pkg)  | 0.35 kg     | 0.8 fossil, 0.25 bio, −1.3 rem. | 280 000 / 87 500 / −455 000 |
//! | 5 | cn_truck_heavy_2023@1        | 2.175 t·km  | 0.0781 kg fossil                | 169 867.5      |
//!
//! Fossil: 1 764 000 + 21 841 600 + 7 951 250 + 280 000 + 169 867.5
//! = 32 006 717.5 → 32 006 718 (half up). Total: 32 006 718 + 87 500 − 455 000
//! = 31 639 218. Stages: raw materials 1 764 000; production 21 841 600 +
//! 7 951 250 + (280 000 + 87 500 − 455 000) = 29 705 350; distribution
//! 169 867.5 → 169 868. Packaging: −87 500.
//!
//! The upstream housing is itself computed from a model: 1.05 kg of
//! aluminium sheet × 4.0 kg CO2e/kg = 4.2 kg = 4 200 000 mg per kilogram.

use std::collections::HashMap;

use tanji_authoring::model::{commit_raw_data, Model, ModelError};
use tanji_ledger::carbon::compute::{self, FootprintError, Resolver};
use tanji_ledger::carbon::{
    Attestation, Boundary, Date, Dqr, FactorRecord, FactorState, FootprintState, Gwp, PerCategory,
    Privacy, ProductRule, RecordRef, RecordStatus, RuleState, Stage,
};
use tanji_ledger::{OrgId, TxId};

#[derive(Default)]
struct Ledger {
    factors: HashMap<RecordRef, FactorState>,
    footprints: HashMap<TxId, FootprintState>,
    rules: HashMap<RecordRef, RuleState>,
}

impl Resolver for Ledger {
    fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, String> {
        Ok(self.factors.get(r).cloned())
    }
    fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, String> {
        Ok(self.footprints.get(id).cloned())
    }
    fn rule(&self, r: &RecordRef) -> Result<Option<RuleState>, String> {
        Ok(self.rules.get(r).cloned())
    }
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn r(s: &str) -> RecordRef {
    s.parse().unwrap()
}

/// A factor in kg CO2e per unit, as µg, per category.
fn add_factor(l: &mut Ledger, reference: &str, unit: &str, ug: [i64; 5], gwp: Option<Gwp>) {
    let reference = r(reference);
    l.factors.insert(
        reference.clone(),
        FactorState {
            record: FactorRecord {
                reference,
                name: "test factor".into(),
                unit: unit.into(),
                values: PerCategory(ug),
                gwp,
                region: "CN".into(),
                valid_from: date("2023-01-01"),
                valid_until: date("2027-01-01"),
                source: "hand-made for the golden test".into(),
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
            publisher: OrgId::from_company_id("urn:uscc:factor-publisher"),
            tx: TxId::of_body_bytes(b"factor"),
            published_at: 1,
            status: RecordStatus::Active,
        },
    );
}

const HOUSING: &str = r#"
[product]
ids = ["urn:gtin:06900000000017"]
name = "Aluminium housing sheet"
category = "urn:cpc:41532"
declared_unit = "kilogram"
declared_unit_amount = "1"
mass_kg = "1"
boundary = "cradle-to-gate"
period = { start = "2025-01-01", end = "2026-01-01" }
geography = "CN-CQ"
gwp = "AR6"
privacy = "committed"

[[input]]
factor = "al_sheet_hydro_2024@1"
amount = "1.05"
stage = "raw-materials"
"#;

/// The laptop; `{HOUSING}` is replaced by the upstream's id.
const LAPTOP: &str = r#"
[product]
ids = ["urn:gtin:06901234567892"]
name = "X14 laptop"
category = "urn:cpc:45220"
rule = "pcr-portable-computer@1"
declared_unit = "piece"
declared_unit_amount = "1"
mass_kg = "1.45"
boundary = "cradle-to-gate"
period = { start = "2025-01-01", end = "2026-01-01" }
geography = "CN-BJ"
gwp = "AR6"
privacy = "public"

[[input]]
footprint = "{HOUSING}"
quantity = "0.42"
stage = "raw-materials"

[[input]]
factor = "cn_elec_cfp_2023@1"
amount = "35.2"
stage = "production"

[[input]]
factor = "cn_grid_north_2023@1"
amount = "12.5"
stage = "production"

[[input]]
factor = "corrugated_box_2023@1"
amount = "0.35"
stage = "production"
packaging = true

[[input]]
factor = "cn_truck_heavy_2023@1"
amount = "2.175"
stage = "distribution"
"#;

/// The ledger: factors, the rule, and the upstream footprint computed from
/// its own model (committed: amounts stripped, values public).
fn ledger() -> (Ledger, TxId) {
    let mut l = Ledger::default();
    add_factor(
        &mut l,
        "al_sheet_hydro_2024@1",
        "kg",
        [4_000_000_000, 0, 0, 0, 0],
        Some(Gwp::Ar6),
    );
    add_factor(
        &mut l,
        "cn_elec_cfp_2023@1",
        "kWh",
        [620_500_000, 0, 0, 0, 0],
        None,
    );
    add_factor(
        &mut l,
        "cn_grid_north_2023@1",
        "kWh",
        [636_100_000, 0, 0, 0, 0],
        None,
    );
    add_factor(
        &mut l,
        "corrugated_box_2023@1",
        "kg",
        [800_000_000, 250_000_000, -1_300_000_000, 0, 0],
        Some(Gwp::Ar6),
    );
    add_factor(
        &mut l,
        "cn_truck_heavy_2023@1",
        "t·km",
        [78_100_000, 0, 0, 0, 0],
        Some(Gwp::Ar6),
    );
    let rule = r("pcr-portable-computer@1");
    l.rules.insert(
        rule.clone(),
        RuleState {
            rule: ProductRule {
                reference: rule,
                name: "便携式计算机 Portable computers".into(),
                category: "urn:cpc:45220".into(),
                declared_unit: "piece".into(),
                boundary: Boundary::CradleToGate,
                required_stages: vec![Stage::RawMaterials, Stage::Production],
                cutoff_bp: 100,
                grade_thresholds_mg: vec![20_000_000, 40_000_000],
                reference_document: "test".into(),
                supersedes: None,
            },
            publisher: OrgId::from_company_id("urn:uscc:regulator"),
            tx: TxId::of_body_bytes(b"rule"),
            published_at: 1,
            status: RecordStatus::Active,
        },
    );

    let (mut housing, eval) = Model::from_toml(HOUSING).unwrap().attestation(&l).unwrap();
    assert_eq!(housing.results.categories.0, [4_200_000, 0, 0, 0, 0]);
    assert_eq!(eval.computed.unwrap().results, housing.results);
    let amounts = commit_raw_data(&mut housing, &[42; 32]);
    assert_eq!(amounts, vec![1_050_000]);
    compute::check_privacy(&housing).unwrap();
    let id = TxId::of_body_bytes(&tanji_ledger::encoding::encode(&housing));
    l.footprints.insert(
        id,
        FootprintState {
            attestation: housing,
            author: OrgId::from_company_id("urn:uscc:housing-supplier"),
            id,
            at: 7,
            status: RecordStatus::Active,
            disclosures: Vec::new(),
        },
    );
    (l, id)
}

fn laptop(id: &TxId) -> String {
    LAPTOP.replace("{HOUSING}", &id.to_hex())
}

fn attest(text: &str, l: &Ledger) -> Result<Attestation, ModelError> {
    Ok(Model::from_toml(text)?.attestation(l)?.0)
}

fn error(text: &str, l: &Ledger) -> ModelError {
    attest(text, l).unwrap_err()
}

/// The laptop model with one edit.
fn edited(id: &TxId, from: &str, to: &str) -> String {
    let text = laptop(id);
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

#[test]
fn golden_laptop() {
    let (l, id) = ledger();
    let model = Model::from_toml(&laptop(&id)).unwrap();
    let (att, eval) = model.attestation(&l).unwrap();
    let c = eval.computed.unwrap();

    let mg = compute::PG_PER_MG;
    assert_eq!(c.exact[0], [1_764_000 * mg, 0, 0, 0, 0]);
    assert_eq!(c.exact[1], [21_841_600 * mg, 0, 0, 0, 0]);
    assert_eq!(c.exact[2], [7_951_250 * mg, 0, 0, 0, 0]);
    assert_eq!(c.exact[3], [280_000 * mg, 87_500 * mg, -455_000 * mg, 0, 0]);
    assert_eq!(c.exact[4], [169_867 * mg + mg / 2, 0, 0, 0, 0]);
    assert_eq!(compute::format_exact_mg(c.exact[4][0]), "169867.5");

    let res = att.results;
    assert_eq!(res, c.results);
    assert_eq!(res.categories.0, [32_006_718, 87_500, -455_000, 0, 0]);
    assert_eq!(res.total_mg, 31_639_218);
    assert_eq!(res.stages.0, [1_764_000, 29_705_350, 169_868, 0, 0]);
    assert_eq!(res.packaging_mg, -87_500);

    // What the node applies on top.
    compute::check_privacy(&att).unwrap();
    compute::check_results(&att, &c).unwrap();
    let mut wrong = att.clone();
    wrong.results.stages.0[2] = 169_867;
    assert!(matches!(
        compute::check_results(&wrong, &c),
        Err(FootprintError::ResultsMismatch { .. })
    ));

    // Units filled in from the ledger; the per-input report.
    let units: Vec<&str> = att.inputs.iter().map(|i| i.unit.as_str()).collect();
    assert_eq!(units, ["kilogram", "kWh", "kWh", "kg", "t·km"]);
    assert_eq!(eval.checked.len(), 5);
    assert!(eval.checked.iter().all(|c| c.status == "active"));
    assert_eq!(att.product.mass_mg, 1_450_000);
    assert_eq!(att.privacy, Privacy::Public);

    // The same model as JSON gives the same attestation.
    let json =
        serde_json::to_string(&toml::from_str::<toml::Value>(&laptop(&id)).unwrap()).unwrap();
    assert_eq!(
        Model::from_json(&json).unwrap().attestation(&l).unwrap().0,
        att
    );

    // The order of inputs changes nothing but the order of `exact`.
    let mut parts: Vec<&str> = LAPTOP.split("[[input]]").collect();
    let head = parts.remove(0);
    parts.reverse();
    let reversed =
        format!("{head}[[input]]{}", parts.join("[[input]]")).replace("{HOUSING}", &id.to_hex());
    assert_eq!(attest(&reversed, &l).unwrap().results, res);
}

#[test]
fn spec_example_alone() {
    let (l, id) = ledger();
    let text = laptop(&id);
    let only_elec =
        format!(
        "{}[[input]]\nfactor = \"cn_elec_cfp_2023@1\"\namount = \"35.2\"\nstage = \"production\"\n",
        text.split("[[input]]").next().unwrap().replace("rule = \"pcr-portable-computer@1\"\n", "")
    );
    let att = attest(&only_elec, &l).unwrap();
    assert_eq!(att.results.categories.0, [21_841_600, 0, 0, 0, 0]);
    assert_eq!(att.results.stages.0, [0, 21_841_600, 0, 0, 0]);
    assert_eq!(att.results.total_mg, 21_841_600);
}

#[test]
fn bad_models_name_the_input() {
    let (l, id) = ledger();
    let cases: Vec<(String, &str)> = vec![
        (
            edited(&id, "cn_elec_cfp_2023@1", "cn_elec_cfp_2099@1"),
            "input #2 (factor cn_elec_cfp_2099@1): unknown factor",
        ),
        (
            edited(&id, "amount = \"35.2\"", "amount = \"35.2\"\nunit = \"MWh\""),
            "input #2 (factor cn_elec_cfp_2023@1): unit mismatch: amount given in \"MWh\", factor is per \"kWh\"",
        ),
        (
            edited(&id, "quantity = \"0.42\"", "quantity = \"0.42\"\nunit = \"piece\""),
            "input #1 (footprint ",
        ),
        (
            edited(&id, "amount = \"12.5\"", "amount = \"-12.5\""),
            "input #3 (factor cn_grid_north_2023@1): amount \"-12.5\" must not be negative",
        ),
        (
            edited(&id, "amount = \"12.5\"", "amount = \"12.5000001\""),
            "input #3 (factor cn_grid_north_2023@1): amount \"12.5000001\" has more than 6 decimals",
        ),
        (
            edited(&id, "amount = \"12.5\"", "amount = \"1e3\""),
            "input #3 (factor cn_grid_north_2023@1): amount \"1e3\" is not a decimal number",
        ),
        (
            edited(&id, "quantity = \"0.42\"", "quantity = \"4.2E-1\""),
            "input #1 (footprint ",
        ),
        (
            edited(&id, "amount = \"12.5\"", "amount = 12.5"),
            "input #3 (factor cn_grid_north_2023@1): amount: write the value as a quoted string: amount = \"12.5\"",
        ),
        (
            edited(&id, "stage = \"distribution\"", "stage = \"use\""),
            "input #5 (factor cn_truck_heavy_2023@1): stage use is outside a cradle-to-gate boundary",
        ),
        (
            edited(&id, "stage = \"raw-materials\"", "stage = \"production\""),
            "rule pcr-portable-computer@1: requires inputs for stage raw-materials, the footprint has none",
        ),
        (
            edited(&id, "end = \"2026-01-01\"", "end = \"2027-01-02\""),
            "input #2 (factor cn_elec_cfp_2023@1): factor is valid for [2023-01-01, 2027-01-01), \
             the footprint's period [2025-01-01, 2027-01-02) is not inside it",
        ),
        (
            edited(&id, "gwp = \"AR6\"", "gwp = \"AR5\""),
            "input #1 (footprint ",
        ),
        (
            edited(&id, "[[input]]\nfactor = \"cn_grid", "[[input]\nfactor = \"cn_grid"),
            "malformed model: TOML parse error at line 26, column",
        ),
        (
            edited(&id, "packaging = true", "packagin = true"),
            "malformed model: TOML parse error at line 35",
        ),
    ];
    for (text, expected) in cases {
        let e = error(&text, &l).to_string();
        assert!(
            e.starts_with(expected),
            "{e:?}\n  should start with {expected:?}"
        );
    }

    // The upstream, exponent and GWP cases say what they are about.
    let e = error(
        &edited(
            &id,
            "quantity = \"0.42\"",
            "quantity = \"0.42\"\nunit = \"piece\"",
        ),
        &l,
    )
    .to_string();
    assert!(e.ends_with("unit mismatch: quantity given in \"piece\", the upstream footprint is per \"kilogram\""), "{e}");
    let e = error(
        &edited(&id, "quantity = \"0.42\"", "quantity = \"4.2E-1\""),
        &l,
    )
    .to_string();
    assert!(e.ends_with("quantity \"4.2E-1\" is not a decimal number (digits with an optional point; no exponents or spaces)"), "{e}");
    let e = error(&edited(&id, "gwp = \"AR6\"", "gwp = \"AR5\""), &l).to_string();
    assert!(
        e.ends_with("GWP mismatch: input uses AR6, the footprint AR5"),
        "{e}"
    );
    let e = error(&edited(&id, "packaging = true", "packagin = true"), &l).to_string();
    assert!(e.contains("unknown field `packagin`"), "{e}");
}

#[test]
fn inactive_records_are_refused() {
    let (mut l, id) = ledger();
    let text = laptop(&id);
    l.factors
        .get_mut(&r("cn_grid_north_2023@1"))
        .unwrap()
        .status = RecordStatus::Deprecated {
        by: "cn_grid_north_2023@2".into(),
        at: 12,
    };
    assert_eq!(
        error(&text, &l).to_string(),
        "input #3 (factor cn_grid_north_2023@1): factor is deprecated: superseded by cn_grid_north_2023@2 (log index 12)"
    );
    l.factors
        .get_mut(&r("cn_grid_north_2023@1"))
        .unwrap()
        .status = RecordStatus::Revoked {
        reason: "published with the wrong grid mix".into(),
        at: 13,
    };
    let e = error(&text, &l);
    assert!(matches!(
        &e,
        ModelError::Footprint(FootprintError::FactorNotActive { input: 2, status, .. }) if status == "revoked"
    ));
    assert_eq!(
        e.to_string(),
        "input #3 (factor cn_grid_north_2023@1): factor is revoked: published with the wrong grid mix (log index 13)"
    );

    let (mut l, id) = ledger();
    l.footprints.get_mut(&id).unwrap().status = RecordStatus::Revoked {
        reason: "supplier data error".into(),
        at: 20,
    };
    assert_eq!(
        error(&laptop(&id), &l).to_string(),
        format!("input #1 (footprint {id}): upstream footprint is revoked: supplier data error (log index 20)")
    );
}

#[test]
fn committed_laptop() {
    let (l, id) = ledger();
    let text = laptop(&id).replace("privacy = \"public\"", "privacy = \"committed\"");
    let (mut att, _) = Model::from_toml(&text).unwrap().attestation(&l).unwrap();
    let results = att.results;
    let amounts = commit_raw_data(&mut att, &[1; 32]);
    assert_eq!(
        amounts,
        vec![420_000, 35_200_000, 12_500_000, 350_000, 2_175_000]
    );
    compute::check_privacy(&att).unwrap();
    let eval = compute::evaluate(&att, &l).unwrap();
    assert_eq!(eval.computed, None);
    assert_eq!(att.results, results);
    assert!(matches!(att.privacy, Privacy::Committed { commitment } if commitment != [0; 32]));
}
