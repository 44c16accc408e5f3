use std::collections::HashMap;

use super::*;
use tanji_ledger::carbon::compute::check_privacy;
use tanji_ledger::carbon::compute::evaluate;
use tanji_ledger::carbon::{
    FactorRecord, FactorState, FootprintState, PerCategory, RecordStatus, RuleState,
};
use tanji_ledger::OrgId;

#[derive(Default)]
struct Ledger {
    factors: HashMap<RecordRef, FactorState>,
    footprints: HashMap<TxId, FootprintState>,
}

impl Resolver for Ledger {
    fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, String> {
        Ok(self.factors.get(r).cloned())
    }
    fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, String> {
        Ok(self.footprints.get(id).cloned())
    }
    fn rule(&self, _: &RecordRef) -> Result<Option<RuleState>, String> {
        Ok(None)
    }
}

fn ledger() -> Ledger {
    let r = RecordRef::new("cn_elec_cfp_2023", 1);
    let mut l = Ledger::default();
    l.factors.insert(
        r.clone(),
        FactorState {
            record: FactorRecord {
                reference: r,
                name: "China electricity 2023".into(),
                unit: "kWh".into(),
                values: PerCategory([620_500_000, 0, 0, 0, 0]),
                gwp: None,
                region: "CN".into(),
                valid_from: "2023-01-01".parse().unwrap(),
                valid_until: "2030-01-01".parse().unwrap(),
                source: "MEE".into(),
                notes: String::new(),
                dqr: Dqr {
                    technological: 1,
                    temporal: 1,
                    geographical: 1,
                    completeness: 1,
                    reliability: 1,
                },
                supersedes: None,
            },
            publisher: OrgId::from_company_id("urn:uscc:mee"),
            tx: TxId::of_body_bytes(b"f"),
            published_at: 1,
            status: RecordStatus::Active,
        },
    );
    l
}

const MODEL: &str = r#"
[product]
ids = ["urn:gtin:06901234567892"]
name = "X14 laptop"
category = "urn:cpc:45220"
declared_unit = "piece"
declared_unit_amount = "1"
mass_kg = "1.45"
boundary = "cradle-to-gate"
period = { start = "2025-01-01", end = "2026-01-01" }
geography = "CN-BJ"
gwp = "AR6"
privacy = "public"

[[input]]
factor = "cn_elec_cfp_2023@1"
amount = "35.2"
stage = "production"
"#;

fn with(from: &str, to: &str) -> String {
    assert!(MODEL.contains(from), "{from}");
    MODEL.replacen(from, to, 1)
}

fn toml_err(text: &str) -> String {
    Model::from_toml(text).unwrap_err().to_string()
}

#[test]
fn parses_with_defaults() {
    let m = Model::from_toml(MODEL).unwrap();
    assert_eq!(m.privacy(), ModelPrivacy::Public);
    assert_eq!(m.product().mass_mg, 1_450_000);
    assert_eq!(m.declared_unit(), "piece");
    assert_eq!(m.rule(), None);
    assert_eq!(m.boundary(), Boundary::CradleToGate);
    assert_eq!(m.gwp(), Gwp::Ar6);
    assert_eq!(m.period().0.to_string(), "2025-01-01");
    assert_eq!(m.inputs().len(), 1);
    assert_eq!(m.inputs()[0].amount, 35_200_000);
    assert_eq!(m.inputs()[0].unit, None);
    assert!(!m.inputs()[0].packaging);
    let (att, eval) = m.attestation(&ledger()).unwrap();
    assert_eq!(att.inputs[0].unit, "kWh");
    assert_eq!(att.results.total_mg, 21_841_600);
    assert_eq!(att.results.stages.get(Stage::Production), 21_841_600);
    assert_eq!(att.primary_data_share_bp, 0);
    assert_eq!(att.dqr.temporal, 3);
    assert_eq!(att.declared_unit_amount, 1_000_000);
    assert_eq!(att.privacy, Privacy::Public);
    assert_eq!(eval.checked[0].status, "active");
}

#[test]
fn optional_fields() {
    let text = with(
        "privacy = \"public\"\n",
        "privacy = \"public\"\nprimary_data_share = \"62.5\"\nsupersedes = \"00000000000000000000000000000000000000000000000000000000000000ff\"\nrule = \"pcr-portable-computer@1\"\n[product.dqr]\ntemporal = 1\nreliability = 5\n",
    );
    let m = Model::from_toml(&text).unwrap();
    assert_eq!(m.primary_data_share_bp, 6250);
    assert_eq!(m.dqr.temporal, 1);
    assert_eq!(m.dqr.reliability, 5);
    assert_eq!(m.dqr.technological, 3);
    assert_eq!(m.rule, Some(RecordRef::new("pcr-portable-computer", 1)));
    assert!(m.supersedes.is_some());
    let text = with(
        "amount = \"35.2\"\n",
        "amount = \"35.2\"\nunit = \"kWh\"\npackaging = true\n",
    );
    let m = Model::from_toml(&text).unwrap();
    assert_eq!(m.inputs()[0].unit.as_deref(), Some("kWh"));
    assert!(m.inputs()[0].packaging);
    let (att, _) = m.attestation(&ledger()).unwrap();
    assert_eq!(att.results.packaging_mg, 21_841_600);
    // A TOML date without quotes is a date too.
    let m = Model::from_toml(&with("start = \"2025-01-01\"", "start = 2025-01-01")).unwrap();
    assert_eq!(m.period_start.to_string(), "2025-01-01");
}

#[test]
fn carbon_content_is_stated_both_or_neither() {
    assert_eq!(Model::from_toml(MODEL).unwrap().product().carbon, None);
    let both = with(
        "mass_kg = \"1.45\"",
        "mass_kg = \"1.45\"\nfossil_carbon_kg = \"0.23\"\nbiogenic_carbon_kg = \"0.0125\"",
    );
    assert_eq!(
        Model::from_toml(&both).unwrap().product().carbon,
        Some(tanji_ledger::carbon::CarbonContent {
            fossil_mg: 230_000,
            biogenic_mg: Some(12_500),
        })
    );
    let fossil_only = with(
        "mass_kg = \"1.45\"",
        "mass_kg = \"1.45\"\nfossil_carbon_kg = \"0.23\"",
    );
    let e = Model::from_toml(&fossil_only).unwrap_err().to_string();
    assert!(
        e.starts_with(
            "product.biogenic_carbon_kg: give fossil_carbon_kg and biogenic_carbon_kg together"
        ),
        "{e}"
    );
    let negative = with(
        "mass_kg = \"1.45\"",
        "mass_kg = \"1.45\"\nfossil_carbon_kg = \"-0.2\"\nbiogenic_carbon_kg = \"0\"",
    );
    let e = Model::from_toml(&negative).unwrap_err().to_string();
    assert!(e.contains("product.fossil_carbon_kg"), "{e}");
}

#[test]
fn field_errors_name_the_field() {
    let cases = [
        (
            with("mass_kg = \"1.45\"", "mass_kg = 1.45"),
            "product.mass_kg: write the value as a quoted string: mass_kg = \"1.45\"",
        ),
        (
            with("mass_kg = \"1.45\"", "mass_kg = \"1.4500001\""),
            "product.mass_kg: mass_kg \"1.4500001\" has more than 6 decimals",
        ),
        (
            with("end = \"2026-01-01\"", "end = \"2026-02-30\""),
            "product.period.end: \"2026-02-30\" is not a date",
        ),
        (
            with("end = \"2026-01-01\"", "end = \"2025-01-01\""),
            "product.period.end: 2025-01-01 must be after the start",
        ),
        (
            with("gwp = \"AR6\"", "gwp = \"AR4\""),
            "product.gwp: unknown GWP set",
        ),
        (
            with("declared_unit = \"piece\"", "declared_unit = \"pcs\""),
            "product.declared_unit: \"pcs\" is not a PACT declared unit",
        ),
        (
            with(
                "declared_unit_amount = \"1\"",
                "declared_unit_amount = \"0\"",
            ),
            "product.declared_unit_amount: must be greater than 0",
        ),
        (
            with(
                "boundary = \"cradle-to-gate\"",
                "boundary = \"gate-to-gate\"",
            ),
            "product.boundary: \"gate-to-gate\" is not a boundary",
        ),
        (
            with("privacy = \"public\"", "privacy = \"secret\""),
            "product.privacy: \"secret\" is not a privacy level",
        ),
        (
            with(
                "privacy = \"public\"",
                "privacy = \"public\"\nprimary_data_share = \"100.01\"",
            ),
            "product.primary_data_share: \"100.01\" is not a percentage",
        ),
        (
            with(
                "privacy = \"public\"",
                "privacy = \"public\"\nprimary_data_share = \"50.125\"",
            ),
            "product.primary_data_share: \"50.125\" has more than 2 decimals",
        ),
        (
            with(
                "privacy = \"public\"",
                "privacy = \"public\"\n[product.dqr]\ntemporal = 6",
            ),
            "product.dqr.temporal: 6 is not a rating 1..=5",
        ),
        (
            with(
                "privacy = \"public\"",
                "privacy = \"public\"\nrule = \"pcr\"",
            ),
            "product.rule: \"pcr\" is not id@version",
        ),
        (
            with(
                "privacy = \"public\"",
                "privacy = \"public\"\nsupersedes = \"abc\"",
            ),
            "product.supersedes: not an attestation id",
        ),
        (
            with("ids = [\"urn:gtin:06901234567892\"]", "ids = []"),
            "product.ids: 0 ids",
        ),
        (
            with(
                "ids = [\"urn:gtin:06901234567892\"]",
                "ids = [\"06901234567892\"]",
            ),
            "product.ids[0]: \"06901234567892\" is not a URN",
        ),
        (with("name = \"X14 laptop\"\n", ""), "product.name: missing"),
        (
            with("name = \"X14 laptop\"", "name = \"\""),
            "product.name: must not be empty",
        ),
        (
            with("geography = \"CN-BJ\"", "geography = 86"),
            "product.geography: expected a quoted string, got the number 86",
        ),
        (
            with(
                "period = { start = \"2025-01-01\", end = \"2026-01-01\" }\n",
                "",
            ),
            "product.period: missing",
        ),
    ];
    for (text, expected) in cases {
        let e = toml_err(&text);
        assert!(
            e.starts_with(expected),
            "{e:?} should start with {expected:?}"
        );
    }
}

#[test]
fn input_errors_name_the_input() {
    let cases = [
        (with("amount = \"35.2\"", "amount = 35.2"), "input #1 (factor cn_elec_cfp_2023@1): amount: write the value as a quoted string: amount = \"35.2\""),
        (with("amount = \"35.2\"", "amount = \"-35.2\""), "input #1 (factor cn_elec_cfp_2023@1): amount \"-35.2\" must not be negative"),
        (with("amount = \"35.2\"", "amount = \"35.2000001\""), "input #1 (factor cn_elec_cfp_2023@1): amount \"35.2000001\" has more than 6 decimals"),
        (with("amount = \"35.2\"", "amount = \"3.52e1\""), "input #1 (factor cn_elec_cfp_2023@1): amount \"3.52e1\" is not a decimal number"),
        (with("amount = \"35.2\"", "quantity = \"35.2\""), "input #1 (factor cn_elec_cfp_2023@1): unexpected `quantity`"),
        (with("amount = \"35.2\"\n", ""), "input #1 (factor cn_elec_cfp_2023@1): missing `amount`"),
        (with("stage = \"production\"", "stage = \"assembly\""), "input #1 (factor cn_elec_cfp_2023@1): stage: unknown stage \"assembly\""),
        (with("stage = \"production\"\n", ""), "input #1 (factor cn_elec_cfp_2023@1): missing `stage`"),
        (with("factor = \"cn_elec_cfp_2023@1\"", "factor = \"cn_elec_cfp_2023\""), "input #1 (cn_elec_cfp_2023): factor: \"cn_elec_cfp_2023\" is not id@version"),
        (with("factor = \"cn_elec_cfp_2023@1\"\n", ""), "input #1: missing source"),
        (with("factor = \"cn_elec_cfp_2023@1\"", "factor = \"cn_elec_cfp_2023@1\"\nfootprint = \"00\""), "input #1: give either `factor` or `footprint`, not both"),
        (with("factor = \"cn_elec_cfp_2023@1\"\namount", "footprint = \"zz\"\namount"), "input #1 (zz): footprint: not an attestation id"),
        (with("amount = \"35.2\"", "amount = \"35.2\"\nunit = \"\""), "input #1 (factor cn_elec_cfp_2023@1): unit \"\" must be 1..=32 bytes"),
        (with("stage = \"production\"", "stage = \"use\""), "input #1 (factor cn_elec_cfp_2023@1): stage use is outside a cradle-to-gate boundary"),
    ];
    for (text, expected) in cases {
        let e = toml_err(&text);
        assert!(
            e.starts_with(expected),
            "{e:?} should start with {expected:?}"
        );
    }
    let id = TxId::of_body_bytes(b"up");
    let text = with(
        "factor = \"cn_elec_cfp_2023@1\"\namount",
        &format!("footprint = \"{id}\"\namount"),
    );
    assert!(toml_err(&text).starts_with(&format!("input #1 (footprint {id}): unexpected `amount`")));
}

#[test]
fn syntax_errors() {
    let e = toml_err(&with("[[input]]", "[[input]"));
    assert!(
        e.starts_with("malformed model: TOML parse error at line"),
        "{e}"
    );
    let e = toml_err(&with("amount = \"35.2\"", "amout = \"35.2\""));
    assert!(e.contains("unknown field `amout`"), "{e}");
    assert!(e.contains("line 17"), "{e}");
    let e = toml_err(&with("[product]", "[product]\ncolour = \"red\""));
    assert!(e.contains("unknown field `colour`"), "{e}");
    assert_eq!(
        toml_err("[[input]]\nfactor = \"a@1\""),
        "product: missing the [product] table"
    );
    let no_inputs = MODEL.split("[[input]]").next().unwrap_or_default();
    assert_eq!(
        toml_err(no_inputs),
        "input: a footprint needs at least one [[input]]"
    );
    let e = Model::from_json("{\"product\": ").unwrap_err().to_string();
    assert!(e.contains("line 1 column"), "{e}");
}

fn to_json(text: &str) -> String {
    let v: toml::Value = toml::from_str(text).unwrap();
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn json_has_the_same_shape() {
    let json = to_json(MODEL);
    assert_eq!(Model::from_json(&json), Model::from_toml(MODEL));
    let bad = json.replace("\"35.2\"", "35.2");
    let e = Model::from_json(&bad).unwrap_err().to_string();
    assert!(
        e.starts_with(
            "input #1 (factor cn_elec_cfp_2023@1): amount: write the value as a quoted string"
        ),
        "{e}"
    );
}

#[test]
fn hidden_needs_its_proof() {
    let m = Model::from_toml(&with("privacy = \"public\"", "privacy = \"hidden\"")).unwrap();
    assert_eq!(m.privacy(), ModelPrivacy::Hidden);
    let e = m.attestation(&ledger()).unwrap_err();
    assert_eq!(e, ModelError::Hidden);
    assert!(e.to_string().contains("zero-knowledge proof"), "{e}");
}

#[test]
fn committed_then_stripped() {
    let m = Model::from_toml(&with("privacy = \"public\"", "privacy = \"committed\"")).unwrap();
    let l = ledger();
    let (mut att, eval) = m.attestation(&l).unwrap();
    assert!(matches!(att.privacy, Privacy::Committed { .. }));
    assert_eq!(att.inputs[0].amount, Some(35_200_000));
    assert!(eval.computed.is_some());
    let results = att.results;
    let salt = [9u8; 32];
    let amounts = commit_raw_data(&mut att, &salt);
    assert_eq!(amounts, vec![35_200_000]);
    assert_eq!(att.inputs[0].amount, None);
    assert_eq!(
        att.privacy,
        Privacy::Committed {
            commitment: raw_data_commitment(&salt, &amounts)
        }
    );
    assert_eq!(att.results, results);
    assert_eq!(check_privacy(&att), Ok(()));
    assert_eq!(evaluate(&att, &l).map(|e| e.computed), Ok(None));
}

#[test]
fn ledger_errors_come_through() {
    let text = with("cn_elec_cfp_2023@1", "cn_elec_cfp_2099@1");
    let e = Model::from_toml(&text)
        .unwrap()
        .attestation(&ledger())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "input #1 (factor cn_elec_cfp_2099@1): unknown factor (no such id@version on the ledger)"
    );
    assert!(matches!(
        e,
        ModelError::Footprint(FootprintError::UnknownFactor { input: 0, .. })
    ));
}

#[test]
fn from_path() {
    let dir = tempfile::tempdir().unwrap();
    let toml_path = dir.path().join("laptop.toml");
    std::fs::write(&toml_path, MODEL).unwrap();
    let json_path = dir.path().join("laptop.JSON");
    std::fs::write(&json_path, to_json(MODEL)).unwrap();
    assert_eq!(Model::from_path(&toml_path), Model::from_toml(MODEL));
    assert_eq!(Model::from_path(&json_path), Model::from_toml(MODEL));
    let big = dir.path().join("big.toml");
    std::fs::write(&big, " ".repeat(MAX_MODEL_BYTES as usize + 1)).unwrap();
    assert!(matches!(Model::from_path(&big), Err(ModelError::Io(e)) if e.contains("limit")));
    let exactly = dir.path().join("exactly.toml");
    let mut text = MODEL.to_string();
    text.push_str(&"#".repeat(MAX_MODEL_BYTES as usize - MODEL.len()));
    std::fs::write(&exactly, text).unwrap();
    assert!(Model::from_path(&exactly).is_ok());
    assert!(matches!(
        Model::from_path(&dir.path().join("none.toml")),
        Err(ModelError::Io(_))
    ));
    let binary = dir.path().join("bin.toml");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    assert!(matches!(
        Model::from_path(&binary),
        Err(ModelError::Syntax(_))
    ));
}
