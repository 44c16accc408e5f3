//! Verifiable PACT end to end over an in-memory ledger: a certified
//! footprint's v2.3 and v3.0 documents validate against the project's
//! JSON Schemas, carry a proof that verifies offline, and any edited field,
//! or an edited proof, fails naming what changed.

use serde_json::Value;
use tanji_ledger::carbon::compute::evaluate;
use tanji_ledger::carbon::{Boundary, Certificate, Date, ProductRule, RecordRef, Stage};
use tanji_ledger::checkpoint::NoteVerifier;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::store::{Candidate, MemoryStore};
use tanji_ledger::testkit::{self, TestNet};
use tanji_ledger::tx::{Role, TxKind};
use tanji_ledger::validate::ViewResolver;
use tanji_ledger::TxId;
use tanji_pact::proof::{SCHEMA, SCHEMA_PATH};
use tanji_pact::source::{document, select, ProofContext, Selection};
use tanji_pact::verify::{verify_document, VerifyError};

const V2_SCHEMA: &str = include_str!("../schema/product-footprint-2.3.json");
const V3_SCHEMA: &str = include_str!("../schema/product-footprint-3.0.json");

fn signed(net: &TestNet, org: &OrgKeyFile, nonce: u64, kind: TxKind) -> Candidate {
    Candidate::new(net.signed(org, nonce, kind))
}

fn append(store: &mut MemoryStore, net: &TestNet, candidates: Vec<Candidate>) -> Vec<TxId> {
    let outcome = store
        .append_batch(&candidates, Some(&net.node))
        .expect("the batch applies");
    outcome
        .results
        .iter()
        .map(|(id, r)| {
            r.as_ref().unwrap_or_else(|e| panic!("{id} refused: {e}"));
            *id
        })
        .collect()
}

/// A laptop footprint by a supplier, following a rule, certified; then a
/// second version that supersedes a first one.
struct Chain {
    net: TestNet,
    store: MemoryStore,
    laptop: TxId,
    first: TxId,
}

fn chain() -> Chain {
    let net = TestNet::new();
    let publisher = testkit::org(
        20,
        "国家排放因子库",
        "urn:uscc:911100000000000020",
        &[Role::FactorPublisher],
    );
    let maker = net.supplier(10);
    let certifier = testkit::org(
        30,
        "中环联合认证中心",
        "urn:uscc:911100000000000030",
        &[Role::Verifier],
    );
    let mut store = MemoryStore::new();
    append(
        &mut store,
        &net,
        vec![
            Candidate::new(net.genesis()),
            Candidate::new(net.register(&publisher)),
            Candidate::new(net.register(&maker)),
            Candidate::new(net.register(&certifier)),
        ],
    );
    let rule_ref: RecordRef = "pcr-portable-computer@1".parse().expect("a rule ref");
    let rule = ProductRule {
        reference: rule_ref.clone(),
        name: "Portable computers".into(),
        category: "urn:cpc:45220".into(),
        declared_unit: "piece".into(),
        boundary: Boundary::CradleToGate,
        required_stages: vec![],
        cutoff_bp: 100,
        grade_thresholds_mg: vec![10_000_000, 20_000_000, 40_000_000, 80_000_000],
        reference_document: "T/CESA 1234-2025".into(),
        supersedes: None,
    };
    let date = |y: i32| Date::from_ymd(y, 1, 1).expect("a date");
    append(
        &mut store,
        &net,
        vec![
            signed(
                &net,
                &publisher,
                1,
                TxKind::PublishFactor(testkit::factor_record(
                    "cn_grid_2023@1",
                    "kWh",
                    [620_500_000, 0, 0, 0, 0],
                )),
            ),
            signed(
                &net,
                &publisher,
                2,
                TxKind::PublishFactor(testkit::factor_record(
                    "box@1",
                    "kg",
                    [800_000, 250_000, -100_000, 0, 0],
                )),
            ),
            signed(&net, &net.regulator, 1, TxKind::PublishRule(rule.clone())),
        ],
    );
    let attestation = |name: &str, kwh: u64, supersedes: Option<TxId>, store: &MemoryStore| {
        let mut box_input = testkit::factor_input("box@1", "kg", 350_000, Stage::Production);
        box_input.packaging = true;
        let mut att = testkit::hidden_attestation(
            name,
            "piece",
            vec![
                testkit::factor_input("cn_grid_2023@1", "kWh", kwh, Stage::Production),
                box_input,
            ],
        );
        att.product.category = "urn:cpc:45220".into();
        att.rule = Some(rule_ref.clone());
        att.supersedes = supersedes;
        att.primary_data_share_bp = 8_250;
        let evaluation = evaluate(&att, &ViewResolver(store)).expect("evaluates");
        att.results = evaluation.computed.expect("public").results;
        att
    };
    let first_att = attestation("ThinkBook 14", 40_000_000, None, &store);
    let first = append(
        &mut store,
        &net,
        vec![signed(&net, &maker, 1, TxKind::AttestFootprint(first_att))],
    )[0];
    let laptop_att = attestation("ThinkBook 14", 35_200_000, Some(first), &store);
    let total = laptop_att.results.total_mg;
    let laptop = append(
        &mut store,
        &net,
        vec![signed(&net, &maker, 2, TxKind::AttestFootprint(laptop_att))],
    )[0];
    append(
        &mut store,
        &net,
        vec![signed(
            &net,
            &certifier,
            1,
            TxKind::IssueCertificate(Certificate {
                id: "CERT-2026-0001".into(),
                footprint: laptop,
                rule: rule_ref,
                grade: rule.grade(total),
                valid_from: date(2026),
                valid_until: date(2029),
                scope: "GB/T 24067-2024, ISO 14067:2018, reasonable assurance".into(),
            }),
        )],
    );
    Chain {
        net,
        store,
        laptop,
        first,
    }
}

fn keys(net: &TestNet) -> (Vec<NoteVerifier>, usize) {
    (
        vec![NoteVerifier {
            name: net.node.name.clone(),
            key: net.node.key.public(),
        }],
        1,
    )
}

/// The served document of `footprint` in `version` (2 or 3), with its proof.
fn served(chain: &Chain, footprint: &TxId, version: u8) -> Value {
    let (verifiers, quorum) = keys(&chain.net);
    let ctx = ProofContext {
        validators: verifiers.iter().map(NoteVerifier::to_vkey).collect(),
        quorum,
        base_url: "https://node.example".into(),
    };
    let doc = document(&chain.store, &ctx, footprint, version).expect("a document");
    let doc = serde_json::to_value(doc).expect("json");
    assert_eq!(
        doc["extensions"][0]["dataSchema"],
        format!("https://node.example{SCHEMA_PATH}")
    );
    doc
}

fn validate(schema: &str, doc: &Value) {
    let schema: Value = serde_json::from_str(schema).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
}

fn failing_field(doc: &Value, chain: &Chain) -> String {
    let (verifiers, quorum) = keys(&chain.net);
    match verify_document(doc, Some((&verifiers, quorum))) {
        Ok(r) => panic!("an edited document verified: {r:?}"),
        Err(e) => e
            .field()
            .map(str::to_string)
            .unwrap_or_else(|| format!("<{e}>")),
    }
}

#[test]
fn served_documents_validate_and_verify() {
    let chain = chain();
    for version in [2, 3] {
        let doc = served(&chain, &chain.laptop, version);
        validate(if version == 2 { V2_SCHEMA } else { V3_SCHEMA }, &doc);
        validate(SCHEMA, &doc["extensions"][0]["data"]);
        let (verifiers, quorum) = keys(&chain.net);
        let report = verify_document(&doc, Some((&verifiers, quorum))).expect("verifies");
        assert!(
            report.keys_pinned && report.fields_checked > 40,
            "{report:?}"
        );
        // Unpinned, it verifies too, and says the keys were the document's own.
        let unpinned = verify_document(&doc, None).expect("verifies");
        assert!(unpinned.limits.iter().any(|l| l.contains("--validators")));
    }
}

#[test]
fn figures_are_the_ledgers_exact_milligrams() {
    let chain = chain();
    let doc = served(&chain, &chain.laptop, 3);
    let pcf = &doc["pcf"];
    // 35.2 kWh × 620.5 g = 21 841.6 g fossil; a 0.35 kg box (packaging) ×
    // 0.8 g fossil = 280 mg, × 0.25 g biogenic = 87.5 → 88 mg, × −0.1 g
    // removals = −35 mg; the box's share 280 + 87.5 − 35 = 332.5 → 333 mg.
    assert_eq!(pcf["fossilGhgEmissions"], "21.84188");
    assert_eq!(pcf["biogenicCO2Uptake"], "-0.000035");
    assert_eq!(pcf["pcfExcludingBiogenicUptake"], "21.841968");
    assert_eq!(pcf["pcfIncludingBiogenicUptake"], "21.841933");
    assert_eq!(pcf["packagingGhgEmissions"], "0.000333");
    assert_eq!(
        doc["precedingPfIds"][0],
        tanji_pact::pf_id(&chain.first).to_string()
    );
    assert_eq!(pcf["verification"]["providerName"], "中环联合认证中心");
    assert_eq!(pcf["primaryDataShare"], "82.5");
    assert_eq!(
        pcf["productOrSectorSpecificRules"][0]["otherOperatorName"],
        "Test Regulator"
    );
    let v2doc = served(&chain, &chain.laptop, 2);
    assert_eq!(
        v2doc["pcf"]["pCfIncludingBiogenic"],
        pcf["pcfIncludingBiogenicUptake"]
    );
    assert_eq!(v2doc["pcf"]["assurance"]["level"], "reasonable");
    assert_eq!(v2doc["pcf"]["primaryDataShare"], 82.5);
}

#[test]
fn the_superseded_version_is_deprecated_with_its_proof() {
    let chain = chain();
    let doc = served(&chain, &chain.first, 2);
    assert_eq!(doc["status"], "Deprecated");
    assert!(doc["statusComment"]
        .as_str()
        .is_some_and(|c| c.contains("Superseded by")));
    validate(V2_SCHEMA, &doc);
    let (verifiers, quorum) = keys(&chain.net);
    verify_document(&doc, Some((&verifiers, quorum))).expect("verifies");
    // Claiming it is still active fails on the status.
    let mut active = doc.clone();
    active["status"] = "Active".into();
    assert_eq!(failing_field(&active, &chain), "status");
}

/// A change to a served document.
type Edit = dyn Fn(&mut Value);

#[test]
fn every_edit_is_named() {
    let chain = chain();
    let doc = served(&chain, &chain.laptop, 3);
    let edits: &[(&str, &Edit)] = &[
        ("pcf.fossilGhgEmissions", &|d| {
            d["pcf"]["fossilGhgEmissions"] = "21.8418".into()
        }),
        ("companyName", &|d| d["companyName"] = "Someone Else".into()),
        ("productIds[0]", &|d| {
            d["productIds"][0] = "urn:gtin:00000000000000".into()
        }),
        ("pcf.verification", &|d| {
            d["pcf"].as_object_mut().map(|o| o.remove("verification"));
        }),
        ("pcf.geographyCountry", &|d| {
            d["pcf"]["geographyCountry"] = "DE".into()
        }),
        ("id", &|d| {
            d["id"] = "00000000-0000-4000-8000-000000000000".into()
        }),
    ];
    for (field, edit) in edits {
        let mut edited = doc.clone();
        edit(&mut edited);
        assert_eq!(&failing_field(&edited, &chain), field, "editing {field}");
    }
    // An edited proof fails as a proof.
    let mut forged = doc.clone();
    forged["extensions"][0]["data"]["entries"][0]["index"] = 1.into();
    assert_eq!(failing_field(&forged, &chain), "extensions");
    let mut no_proof = doc.clone();
    no_proof.as_object_mut().map(|o| o.remove("extensions"));
    assert!(matches!(
        verify_document(&no_proof, None),
        Err(VerifyError::NoProof)
    ));
}

/// Listing: log order, a cursor that resumes exactly after the last
/// document, criteria and the v2 `$filter`, every document with its proof.
#[test]
fn select_pages_in_log_order_with_criteria() {
    let chain = chain();
    let (verifiers, quorum) = keys(&chain.net);
    let ctx = ProofContext {
        validators: verifiers.iter().map(NoteVerifier::to_vkey).collect(),
        quorum,
        base_url: "https://node.example".into(),
    };
    let id_of = |d: &tanji_pact::model::PactDocument| {
        serde_json::to_value(d).expect("json")["id"]
            .as_str()
            .expect("id")
            .to_string()
    };
    let pf = |tx: &TxId| tanji_pact::pf_id(tx).to_string();
    let all = Selection {
        version: 3,
        ..Selection::default()
    };
    let (page, next) = select(&chain.store, &ctx, &all, None, 1).expect("page 1");
    assert_eq!(
        page.iter().map(id_of).collect::<Vec<_>>(),
        vec![pf(&chain.first)]
    );
    let cursor = next.expect("more follow");
    let (page, next) = select(&chain.store, &ctx, &all, Some(cursor), 1).expect("page 2");
    assert_eq!(
        page.iter().map(id_of).collect::<Vec<_>>(),
        vec![pf(&chain.laptop)]
    );
    assert_eq!(next, None);
    // The same pages however often they are asked for.
    assert_eq!(
        select(&chain.store, &ctx, &all, Some(cursor), 1)
            .expect("again")
            .0,
        page
    );
    for doc in &page {
        let v = serde_json::to_value(doc).expect("json");
        verify_document(&v, Some((&verifiers, quorum))).expect("each verifies");
    }

    let deprecated = Selection {
        version: 3,
        criteria: tanji_pact::filter::Filter {
            status: vec!["Deprecated".into()],
            ..Default::default()
        },
        odata: None,
    };
    let (page, _) = select(&chain.store, &ctx, &deprecated, None, 10).expect("deprecated");
    assert_eq!(
        page.iter().map(id_of).collect::<Vec<_>>(),
        vec![pf(&chain.first)]
    );

    let v2_laptop = Selection {
        version: 2,
        criteria: Default::default(),
        odata: Some(
            tanji_pact::odata::ODataFilter::parse(&format!(
                "created ge '2000-01-01T00:00:00Z' and productIds/any(p:(p eq '{}'))",
                served(&chain, &chain.laptop, 2)["productIds"][0]
                    .as_str()
                    .expect("a product id")
            ))
            .expect("filter"),
        ),
    };
    let (page, _) = select(&chain.store, &ctx, &v2_laptop, None, 10).expect("v2");
    assert_eq!(page.len(), 2, "both versions share the product id");
    let none = Selection {
        version: 2,
        criteria: Default::default(),
        odata: Some(
            tanji_pact::odata::ODataFilter::parse("created lt '2000-01-01T00:00:00Z'")
                .expect("filter"),
        ),
    };
    assert!(select(&chain.store, &ctx, &none, None, 10)
        .expect("v2")
        .0
        .is_empty());
}

#[test]
fn changed_names_new_superseded_and_certified_footprints() {
    use tanji_ledger::store::LedgerRead as _;
    use tanji_pact::source::{changed, servable};
    let chain = chain();
    let size = chain.store.head().size;
    let first_at = chain
        .store
        .tx_index(&chain.first)
        .expect("read")
        .expect("in the log");
    // From the first attestation on: it, the laptop (and, through the
    // supersession, the first again), the certificate's laptop.
    assert_eq!(
        changed(&chain.store, first_at, size).expect("reads"),
        vec![chain.first, chain.laptop]
    );
    // The certificate alone changes the laptop's document (assurance).
    assert_eq!(
        changed(&chain.store, size - 1, size).expect("reads"),
        vec![chain.laptop]
    );
    // Factors and rules change no document.
    assert!(changed(&chain.store, 0, first_at)
        .expect("reads")
        .is_empty());
    assert!(changed(&chain.store, size, size).expect("reads").is_empty());
    // A public footprint is served; an unknown one is not.
    assert!(servable(&chain.store, &chain.laptop).expect("reads"));
    assert!(!servable(&chain.store, &TxId::of_body_bytes(b"unknown")).expect("reads"));
}

/// `doc` as bytes, for import.
fn bytes(doc: &Value) -> Vec<u8> {
    serde_json::to_vec(doc).expect("json")
}

#[test]
fn served_documents_import_to_the_same_figures_with_their_proof() {
    use tanji_ledger::carbon::Privacy;
    use tanji_ledger::state::StateView as _;
    use tanji_pact::import::declare;
    let chain = chain();
    let laptop = chain
        .store
        .footprint(&chain.laptop)
        .expect("read")
        .expect("the laptop");
    let (verifiers, quorum) = keys(&chain.net);
    for version in [2, 3] {
        let doc = served(&chain, &chain.laptop, version);
        let imported = declare(&bytes(&doc), Some((&verifiers, quorum)))
            .unwrap_or_else(|e| panic!("v{version}: {e}"));
        let a = &imported.attestation;
        assert_eq!(imported.version, version);
        assert_eq!(
            a.results.categories, laptop.attestation.results.categories,
            "v{version}"
        );
        assert_eq!(a.results.total_mg, laptop.attestation.results.total_mg);
        assert_eq!(
            a.results.packaging_mg,
            laptop.attestation.results.packaging_mg
        );
        assert_eq!(a.product.ids, laptop.attestation.product.ids);
        assert_eq!(a.gwp, laptop.attestation.gwp);
        assert_eq!(a.period_start, laptop.attestation.period_start);
        assert_eq!(a.primary_data_share_bp, 8_250);
        assert!(a.inputs.is_empty());
        assert!(imported.rounded.is_empty());
        let Privacy::Declared(d) = &a.privacy else {
            panic!("not declared");
        };
        assert_eq!(d.document_hash, *blake3::hash(&bytes(&doc)).as_bytes());
        let proof = d.proof.as_ref().expect("the proof is recorded");
        assert_eq!(proof.footprint, chain.laptop);
        assert!(proof.validators_pinned);

        // An edited figure breaks the proof: refused, naming the field.
        let mut edited = doc.clone();
        edited["pcf"]["fossilGhgEmissions"] = "1".into();
        let e = declare(&bytes(&edited), Some((&verifiers, quorum))).expect_err("edited");
        assert_eq!(e.field, "pcf.fossilGhgEmissions", "{e}");

        // Without the extension the document is a plain PACT document:
        // imported as stated, without proof.
        let mut plain = edited.clone();
        plain.as_object_mut().expect("object").remove("extensions");
        let imported = declare(&bytes(&plain), None).expect("imports");
        assert!(imported
            .attestation
            .privacy
            .declared()
            .expect("declared")
            .proof
            .is_none());
    }
}

#[test]
fn invalid_documents_are_refused_naming_field_and_rule() {
    use tanji_pact::import::declare;
    let chain = chain();
    let doc = served(&chain, &chain.laptop, 2);
    let mut plain = doc.clone();
    plain.as_object_mut().expect("object").remove("extensions");
    let refused = |edit: &dyn Fn(&mut Value)| {
        let mut d = plain.clone();
        edit(&mut d);
        declare(&bytes(&d), None).expect_err("refused")
    };
    let e = refused(&|d| {
        d.as_object_mut().expect("object").remove("productIds");
    });
    assert_eq!(
        (e.field.as_str(), e.rule.as_str()),
        ("productIds", "mandatory")
    );
    let e = refused(&|d| d["productIds"] = serde_json::json!(["4712345060507"]));
    assert_eq!(e.field, "productIds[0]");
    assert!(e.rule.contains("URN"), "{e}");
    let e = refused(&|d| d["pcf"]["pCfIncludingBiogenic"] = "999".into());
    assert_eq!(e.field, "pcf.pCfIncludingBiogenic");
    let e = refused(&|d| d["pcf"]["fossilGhgEmissions"] = "1e3".into());
    assert_eq!(e.field, "pcf.fossilGhgEmissions");
    assert!(e.rule.contains("decimal string"), "{e}");
    let e = refused(&|d| d["pcf"]["declaredUnit"] = "piece".into());
    assert_eq!(e.field, "pcf.declaredUnit");
    let e = refused(&|d| d["status"] = "Deprecated".into());
    assert_eq!(e.field, "status");
    let e = refused(&|d| d["pcf"]["geographyRegionOrSubregion"] = "Asia".into());
    assert!(e.field.starts_with("pcf.geography"), "{e}");
    let e = refused(&|d| d["specVersion"] = "1.0.0".into());
    assert_eq!(e.field, "specVersion");
    // More than six decimals: rounded to whole milligrams, and reported.
    let mut precise = plain.clone();
    precise["pcf"]["aircraftGhgEmissions"] = "0.0000004".into();
    let imported = declare(&bytes(&precise), None).expect("imports");
    assert_eq!(imported.rounded.len(), 1, "{:?}", imported.rounded);
    // The ledger's rule: half up, so 0.5 mg is 1 mg.
    precise["pcf"]["aircraftGhgEmissions"] = "0.0000005".into();
    let imported = declare(&bytes(&precise), None).expect("imports");
    assert_eq!(
        imported
            .attestation
            .results
            .categories
            .get(tanji_ledger::carbon::Category::Aircraft),
        1
    );
}
