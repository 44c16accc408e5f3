//! A ledger's worth of batches touching every kind of stored record (orgs,
//! nonces, observers, factor versions, a rule, footprints and their use
//! indexes, a certificate), with refused candidates and decided batches, for
//! the store tests.

use super::*;
use crate::carbon::compute::evaluate;
use crate::carbon::{
    Boundary, Certificate, Date, FactorRecord, Input, ProductRule, RecordRef, Stage,
};
use crate::keyfile::OrgKeyFile;
use crate::state::StateView;
use crate::testkit::{self, TestNet};
use crate::tx::{Role, TxKind};
use crate::validate::ViewResolver;

/// One batch: decided at a height or not, and its candidates.
pub struct TestBatch {
    pub decided: Option<DecidedRecord>,
    pub candidates: Vec<Candidate>,
}

/// A decision record for `height` (indexes filled in by the store).
pub fn record(height: u64) -> DecidedRecord {
    DecidedRecord {
        height,
        value_id: [height as u8; 32],
        certificate: vec![1, 2, 3],
        batch: vec![height as u8; 10],
        first_index: 0,
        size_after: 0,
    }
}

fn signed(net: &TestNet, org: &OrgKeyFile, nonce: u64, kind: TxKind) -> Candidate {
    Candidate::new(net.signed(org, nonce, kind))
}

fn date(y: i32) -> Date {
    Date::from_ymd(y, 1, 1).expect("valid date")
}

fn factor(reference: &str, unit: &str, ug: [i64; 5], supersedes: Option<u32>) -> TxKind {
    TxKind::PublishFactor(FactorRecord {
        supersedes,
        ..testkit::factor_record(reference, unit, ug)
    })
}

/// A public attestation of `name` in `category` (see
/// [`testkit::hidden_attestation`] for the fixed fields), evaluated against
/// `view` with the ledger's own computation.
fn attest(
    net: &TestNet,
    view: &MemoryStore,
    org: &OrgKeyFile,
    nonce: u64,
    (name, category, rule): (&str, &str, Option<RecordRef>),
    inputs: Vec<Input>,
) -> Candidate {
    let mut att = testkit::hidden_attestation(name, "piece", inputs);
    att.product.category = category.to_string();
    att.rule = rule;
    let evaluation = evaluate(&att, &ViewResolver(view)).expect("the attestation evaluates");
    att.results = evaluation.computed.expect("public amounts compute").results;
    signed(net, org, nonce, TxKind::AttestFootprint(att))
}

/// The batches, built by applying each to a [`MemoryStore`] (attestations are
/// evaluated against the state before their batch). Every batch has at least
/// one accepted candidate except the last two, which are decided and refuse
/// everything / hold nothing.
pub fn batches(net: &TestNet) -> Vec<TestBatch> {
    let publisher = testkit::org(
        10,
        "Publisher",
        "urn:uscc:91110000000000010A",
        &[Role::FactorPublisher],
    );
    let maker = net.supplier(11);
    let brand = net.supplier(12);
    let verifier = testkit::org(
        13,
        "Verifier",
        "urn:uscc:91110000000000013A",
        &[Role::Verifier],
    );
    let stranger = net.supplier(14);
    let rule_ref: RecordRef = "pcr-portable-computer@1".parse().expect("a valid rule ref");
    let elec = |v: u32| RecordRef::new("elec", v);

    let mut view = MemoryStore::new();
    let mut out = Vec::new();
    let mut push =
        |view: &mut MemoryStore, decided: Option<DecidedRecord>, candidates: Vec<Candidate>| {
            match &decided {
                Some(d) => view.append_decided(d, &candidates, Some(&net.node)),
                None => view.append_batch(&candidates, Some(&net.node)),
            }
            .expect("the test chain applies");
            out.push(TestBatch {
                decided,
                candidates,
            });
        };

    push(
        &mut view,
        Some(record(1)),
        vec![
            Candidate::new(net.genesis()),
            Candidate::new(net.register(&publisher)),
            Candidate::new(net.register(&maker)),
            Candidate::new(net.register(&brand)),
            Candidate::new(net.register(&verifier)),
        ],
    );
    let rule = ProductRule {
        reference: rule_ref.clone(),
        name: "Portable computers".into(),
        category: "urn:cpc:45220".into(),
        declared_unit: "piece".into(),
        boundary: Boundary::CradleToGate,
        required_stages: vec![Stage::RawMaterials, Stage::Production],
        cutoff_bp: 100,
        grade_thresholds_mg: vec![150_000_000, 200_000_000, 250_000_000, 300_000_000],
        reference_document: "GB/T 24067-2024".into(),
        supersedes: None,
    };
    push(
        &mut view,
        None,
        vec![
            signed(
                net,
                &publisher,
                1,
                factor("elec@1", "kWh", [620_500_000, 0, 0, 0, 0], None),
            ),
            signed(
                net,
                &publisher,
                2,
                factor(
                    "box@1",
                    "kilogram",
                    [800_000, 250_000, -1_300_000, 0, 0],
                    None,
                ),
            ),
            signed(net, &net.regulator, 7, TxKind::PublishRule(rule)),
            Candidate::new(
                net.governance(1, TxKind::RegisterObserver(net.observer(100, "observer-a"))),
            ),
            Candidate::new(net.anchor(&maker, 1, "first")),
            // Refused: a replay, and an unknown author.
            Candidate::new(net.anchor(&maker, 1, "first")),
            Candidate::new(net.anchor(&stranger, 1, "stranger")),
            Candidate::new(net.anchor(&maker, 3, "third")),
        ],
    );
    let housing = attest(
        net,
        &view,
        &maker,
        10,
        ("Laptop housing", "urn:cpc:41532", None),
        vec![
            testkit::factor_input("elec@1", "kWh", 14_300_000, Stage::Production),
            Input {
                packaging: true,
                ..testkit::factor_input("box@1", "kilogram", 350_000, Stage::Production)
            },
        ],
    );
    let housing_id = housing.id;
    push(
        &mut view,
        Some(record(2)),
        vec![
            housing,
            signed(
                net,
                &publisher,
                3,
                factor("elec@2", "kWh", [600_000_000, 0, 0, 0, 0], Some(1)),
            ),
            Candidate::new(net.anchor(&maker, 2, "second")),
        ],
    );
    let laptop = attest(
        net,
        &view,
        &brand,
        1,
        ("Laptop", "urn:cpc:45220", Some(rule_ref.clone())),
        vec![
            testkit::upstream_input(housing_id, "piece", 1_000_000, Stage::RawMaterials),
            testkit::factor_input(&elec(2).to_string(), "kWh", 35_200_000, Stage::Production),
        ],
    );
    let laptop_id = laptop.id;
    push(&mut view, None, vec![laptop]);
    let total = view
        .footprint(&laptop_id)
        .expect("read")
        .expect("attested")
        .attestation
        .results
        .total_mg;
    let grade = view
        .rule(&rule_ref)
        .expect("read")
        .expect("published")
        .rule
        .grade(total);
    push(
        &mut view,
        None,
        vec![
            signed(
                net,
                &verifier,
                1,
                TxKind::IssueCertificate(Certificate {
                    id: "CERT-1".into(),
                    footprint: laptop_id,
                    rule: rule_ref.clone(),
                    grade,
                    valid_from: date(2026),
                    valid_until: date(2029),
                    scope: "test".into(),
                }),
            ),
            Candidate::new(net.anchor(&brand, 2, "brand")),
        ],
    );
    push(
        &mut view,
        Some(record(3)),
        vec![Candidate::new(net.anchor(&maker, 1, "replayed"))],
    );
    push(&mut view, Some(record(4)), Vec::new());
    out
}
