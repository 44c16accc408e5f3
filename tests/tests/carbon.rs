//! Carbon accounting end to end on a real node: the demo laptop chain
//! verifies, a hand-checkable model gives the expected milligrams offline and
//! on the node, a hand-edited attestation is refused, revocations propagate
//! to `affected` and `verify`, labels and bundles check out offline.

use std::path::Path;

use tanji_authoring::model::Model;
use tanji_ledger::carbon::Category;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::TxKind;
use tanji_sdk::build;
use tanji_sdk::types::carbon::{AnomalyQuery, Standing};
use tanji_tests::{arg, block_on, cli, cli_json, cli_json_any, get_raw, DevNode};

fn demo(node: &DevNode) -> serde_json::Value {
    let text = std::fs::read_to_string(node.dir.join("demo.json")).expect("demo.json written");
    serde_json::from_str(&text).expect("demo.json is JSON")
}

fn factors_csv() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../node/data/factors-cn-demo.csv")
}

/// 35.2 kWh × 0.6205 kgCO2e/kWh = 21.8416 kg and 12.5 kWh × 0.6361 kgCO2/kWh = 7.95125 kg:
/// 29 792 850 mg fossil, all in production.
const HAND_MODEL: &str = r#"
[product]
ids = ["urn:gtin:06900000000017"]
name = "Hand-checkable widget"
category = "urn:cpc:42999"
declared_unit = "piece"
declared_unit_amount = "1"
mass_kg = "0.5"
boundary = "cradle-to-gate"
period = { start = "2025-01-01", end = "2026-01-01" }
geography = "CN-BJ"
gwp = "AR6"
privacy = "public"

[[input]]
factor = "cn_elec_cfp_2023@1"
amount = "35.2"
stage = "production"

[[input]]
factor = "cn_grid_north_2023@1"
amount = "12.5"
stage = "production"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn hand_checkable_model_offline_and_on_the_node() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(&dir.path().join("node"), &["--demo"]).expect("node");
    let model = dir.path().join("widget.toml");
    std::fs::write(&model, HAND_MODEL).expect("write");

    let csv = factors_csv();
    let offline = cli_json(&["footprint", "compute", arg(&model), "--factors", arg(&csv)]);
    assert_eq!(offline["total_mg"], 29_792_850);
    assert_eq!(offline["categories"]["fossil"], 29_792_850);
    assert_eq!(offline["stages"]["production"], 29_792_850);
    assert_eq!(offline["inputs"][0]["mg_exact"], "21841600");
    assert_eq!(offline["inputs"][1]["mg_exact"], "7951250");

    let online = cli_json(&["footprint", "compute", arg(&model), "--node", &node.url]);
    assert_eq!(
        online, offline,
        "the node's records give the same result as the CSV"
    );

    let key = node.keys().join("assembler.json");
    let attested = cli_json(&[
        "footprint",
        "attest",
        arg(&model),
        "--key",
        arg(&key),
        "--node",
        &node.url,
    ]);
    let id = attested["id"].as_str().expect("id").to_string();
    let client = node.client();
    let fp = client
        .footprint(&id.parse().expect("an id"))
        .await
        .expect("footprint");
    assert_eq!(fp.total_mg, Some(29_792_850));
    assert_eq!(
        fp.categories.map(|c| c.get(Category::Fossil)),
        Some(29_792_850)
    );

    // A new version that drops by 27 % (only the first input left) supersedes the first
    // and shows up among the regulator's anomalies when drops over 20 % are flagged.
    let second = dir.path().join("widget-v2.toml");
    let v2 = HAND_MODEL
        .replace("privacy = \"public\"", &format!("privacy = \"public\"\nsupersedes = \"{id}\""))
        .replace("[[input]]\nfactor = \"cn_grid_north_2023@1\"\namount = \"12.5\"\nstage = \"production\"\n", "");
    std::fs::write(&second, &v2).expect("write");
    let attested2 = cli_json(&[
        "footprint",
        "attest",
        arg(&second),
        "--key",
        arg(&key),
        "--node",
        &node.url,
    ]);
    let id2 = attested2["id"].as_str().expect("id").to_string();
    let old = client
        .footprint(&id.parse().expect("an id"))
        .await
        .expect("footprint");
    assert_eq!(old.status, Standing::Deprecated);
    let flagged = |max_drop| {
        let client = &client;
        async move {
            client
                .anomalies(&AnomalyQuery {
                    threshold: None,
                    max_drop: Some(max_drop),
                })
                .await
                .expect("anomalies")
        }
    };
    let anomalies = flagged(0.2).await;
    assert!(
        anomalies
            .drops
            .iter()
            .any(|d| d.footprint.to_string() == id2
                && d.previous_mg == 29_792_850
                && d.current_mg == 21_841_600),
        "{anomalies:?}"
    );
    let lenient = flagged(0.5).await;
    assert!(lenient.drops.is_empty(), "{lenient:?}");

    // A hand-edited attestation with one milligram more is refused by the node.
    let m = Model::from_toml(HAND_MODEL).expect("model");
    let records = client
        .resolve(
            &[
                "cn_elec_cfp_2023@1".parse().expect("ref"),
                "cn_grid_north_2023@1".parse().expect("ref"),
            ],
            &[],
            &[],
        )
        .await
        .expect("records");
    let (mut att, _) = m.attestation(&records).expect("attestation");
    att.results.categories.0[0] += 1;
    att.results.stages.0[1] += 1;
    att.results.total_mg += 1;
    let org = OrgKeyFile::load(&key).expect("key");
    let network = client.network().await.expect("network").network;
    let nonce = build::next_nonce(&client, &org.org_id)
        .await
        .expect("nonce");
    let tx = build::single(&network, &org, nonce, TxKind::AttestFootprint(att)).expect("sign");
    let err = client.submit(&tx).await.expect_err("refused");
    assert_eq!(err.status(), Some(422), "{err}");
    assert!(err.to_string().contains("footprint_mismatch"), "{err}");
}

#[test]
fn bad_models_are_refused_naming_the_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(&dir.path().join("node"), &["--demo"]).expect("node");
    let before = std::fs::read_to_string(node.dir.join("node.json")).expect("info");
    let size = |node: &DevNode| -> u64 {
        block_on(async { node.client().health().await.expect("health").size })
    };
    let size_before = size(&node);
    let cases: [(&str, String, &str); 7] = [
        (
            "unknown factor",
            HAND_MODEL.replace("cn_grid_north_2023@1", "cn_grid_nowhere_2023@1"),
            "input #2",
        ),
        (
            "unit mismatch",
            HAND_MODEL.replace("amount = \"12.5\"", "amount = \"12.5\"\nunit = \"MWh\""),
            "input #2",
        ),
        (
            "negative amount",
            HAND_MODEL.replace("\"35.2\"", "\"-35.2\""),
            "input #1",
        ),
        (
            "over-precise amount",
            HAND_MODEL.replace("\"35.2\"", "\"35.2000001\""),
            "input #1",
        ),
        (
            "exponent",
            HAND_MODEL.replace("\"35.2\"", "\"3.52e1\""),
            "input #1",
        ),
        (
            "malformed TOML",
            HAND_MODEL.replace("[product]", "[product"),
            "line",
        ),
        (
            "missing required stage",
            HAND_MODEL.replace(
                "category = \"urn:cpc:42999\"",
                "category = \"urn:cpc:45220\"\nrule = \"pcr-portable-computer@1\"",
            ),
            "raw-materials",
        ),
    ];
    let key = node.keys().join("assembler.json");
    for (what, text, needle) in cases {
        let model = dir.path().join("bad.toml");
        std::fs::write(&model, &text).expect("write");
        let run = cli(&[
            "footprint",
            "attest",
            arg(&model),
            "--key",
            arg(&key),
            "--node",
            &node.url,
        ]);
        assert_eq!(run.code, 1, "{what}: {run}");
        assert!(
            run.stderr.contains(needle),
            "{what}: error should name {needle:?}: {run}"
        );
    }
    assert_eq!(size(&node), size_before, "nothing was written");
    assert_eq!(
        std::fs::read_to_string(node.dir.join("node.json")).expect("info"),
        before
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_laptop_verifies_and_revocations_propagate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(&dir.path().join("node"), &["--demo"]).expect("node");
    let d = demo(&node);
    let laptop = d["laptop"]["footprint"]
        .as_str()
        .expect("laptop")
        .to_string();
    let cert = d["laptop"]["certificate"]
        .as_str()
        .expect("certificate")
        .to_string();
    let ingot = d["footprints"]["aluminium-ingot"]
        .as_str()
        .expect("ingot")
        .to_string();
    let chassis = d["footprints"]["laptop-chassis"]
        .as_str()
        .expect("chassis")
        .to_string();

    let v = cli_json(&["footprint", "verify", &laptop, "--node", &node.url]);
    assert_eq!(v["verified"], true);
    assert_eq!(
        v["nodes"].as_array().map(Vec::len),
        Some(8),
        "every tier of the tree is checked"
    );
    assert!(v["nodes"][0]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .any(|c| c["check"] == "recomputation" && c["ok"] == true));

    // Label and verification page.
    let resp = reqwest::get(format!("{}/v1/labels/{cert}.svg", node.url))
        .await
        .expect("label");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("image/svg+xml"));
    let svg = resp.text().await.expect("svg");
    assert!(svg.contains(&cert) && svg.contains("<svg"));
    let page = reqwest::get(format!("{}/verify/{cert}", node.url))
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains(&cert) && page.contains("/bundle"));
    let (status, _) = get_raw(&format!("{}/verify/NO-SUCH-CERT", node.url)).await;
    assert_eq!(status, 404);

    // The offline bundle verifies; a tampered one does not.
    let bundle = dir.path().join("bundle.json");
    cli_json(&[
        "certificate",
        "bundle",
        &cert,
        "--out",
        arg(&bundle),
        "--node",
        &node.url,
    ]);
    let v = cli_json(&["verify", "bundle", arg(&bundle)]);
    assert_eq!(v["report"]["grade"], 3);
    let mut b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).expect("read")).expect("json");
    // Drop the last entry (a factor the tree needs): recomputation must then fail.
    b["entries"].as_array_mut().expect("entries").pop();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, b.to_string()).expect("write");
    let run = cli_json_any(&["verify", "bundle", arg(&bad)]);
    assert_eq!(run.code, 3, "{run}");
    let v = run.json();
    assert_eq!(v["verified"], false);

    // The laptop as PACT documents, v3 and v2, verified offline against the
    // node's pinned validator keys; an edited figure fails, named.
    let network = node.client().network().await.expect("network");
    let vkeys = dir.path().join("validators.txt");
    std::fs::write(&vkeys, network.validators.join("\n")).expect("write");
    for version in ["3", "2"] {
        let doc = dir.path().join(format!("laptop.v{version}.pact.json"));
        cli_json(&[
            "pact",
            "export",
            &laptop,
            "--version",
            version,
            "--out",
            arg(&doc),
            "--node",
            &node.url,
        ]);
        let v = cli_json(&["verify", "pact", arg(&doc), "--validators", arg(&vkeys)]);
        assert_eq!(v["verified"], true, "{v}");
        assert_eq!(v["report"]["footprint"], laptop.as_str());
        assert_eq!(v["report"]["keys_pinned"], true);
        let mut edited: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&doc).expect("read")).expect("json");
        edited["pcf"]["fossilGhgEmissions"] = "0.1".into();
        let bad = dir.path().join("edited.pact.json");
        std::fs::write(&bad, edited.to_string()).expect("write");
        let run = cli_json_any(&["verify", "pact", arg(&bad), "--validators", arg(&vkeys)]);
        assert_eq!(run.code, 3, "{run}");
        assert_eq!(run.json()["verified"], false);
        assert_eq!(run.json()["field"], "pcf.fossilGhgEmissions", "{run}");
    }

    // An auditor given the display maker's opening checks its committed attestation.
    let display = d["footprints"]["display"]
        .as_str()
        .expect("display")
        .to_string();
    let opening = node.dir.join("openings/display.json");
    let v = cli_json(&[
        "footprint",
        "audit",
        &display,
        "--opening",
        arg(&opening),
        "--node",
        &node.url,
    ]);
    assert_eq!(v["verified"], true);
    let mut forged: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&opening).expect("read")).expect("json");
    forged["amounts_micro"][0] = serde_json::json!(130_000_000u64);
    let forged_path = dir.path().join("forged-opening.json");
    std::fs::write(&forged_path, forged.to_string()).expect("write");
    let run = cli_json_any(&[
        "footprint",
        "audit",
        &display,
        "--opening",
        arg(&forged_path),
        "--node",
        &node.url,
    ]);
    assert_eq!(run.code, 3, "{run}");
    let v = run.json();
    assert_eq!(v["commitment_matches"], false);

    // The aluminium producer revokes its ingot: the chassis and the laptop are affected,
    // and verifying the laptop says why.
    let key = node.keys().join("aluminium.json");
    cli_json(&[
        "footprint",
        "revoke",
        &ingot,
        "--reason",
        "smelter meter miscalibrated",
        "--key",
        arg(&key),
        "--node",
        &node.url,
    ]);
    let v = cli_json(&["footprint", "affected", &ingot, "--node", &node.url]);
    let affected: Vec<&str> = v["affected"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert!(
        affected.contains(&chassis.as_str()) && affected.contains(&laptop.as_str()),
        "{v}"
    );
    let run = cli_json_any(&["footprint", "verify", &laptop, "--node", &node.url]);
    assert_eq!(run.code, 3, "{run}");
    let v = run.json();
    assert_eq!(v["verified"], false);
    assert!(
        v["problems"]
            .to_string()
            .contains("smelter meter miscalibrated"),
        "{v}"
    );

    // A factor revocation is listed the same way.
    cli_json(&[
        "factor",
        "revoke",
        "cn_elec_cfp_2023@1",
        "--reason",
        "superseded methodology",
        "--key",
        arg(&node.keys().join("factor-db.json")),
        "--node",
        &node.url,
    ]);
    let client = node.client();
    let impact = client
        .factor_affected(&"cn_elec_cfp_2023@1".parse().expect("a factor ref"))
        .await
        .expect("affected");
    assert!(
        impact.affected.iter().any(|a| a.id.to_string() == laptop),
        "{impact:?}"
    );

    // Regulator views.
    let stats = client.stats().await.expect("stats");
    assert_eq!(stats.certificates.total, 1);
}
