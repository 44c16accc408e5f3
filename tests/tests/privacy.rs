//! Hidden footprints with real processes: a devnet (validator + observer)
//! loaded with the demo, whose three-tier chain has every value hidden.
//!
//! - The observer verifies every proof of the chain, with no opening.
//! - The customer opens the opening sealed to it (CLI), builds its own
//!   hidden footprint on it, and the observer verifies that too; a third
//!   party can neither fetch the envelope nor open its bytes.
//! - The certification body recomputes the last tier from the raw data
//!   sealed to it and matches the commitment.
//! - Then the observer's database (every key and value of every column
//!   family), its log file and its HTTP answers (entries decoded) are
//!   searched for every hidden value, amount and blinding: none is there.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::sealed::{self, Envelope, EnvelopeBinding, Purpose};
use tanji_ledger::store::Store;
use tanji_ledger::TxId;
use tanji_sdk::privacy;
use tanji_sdk::Client;
use tanji_tests::{arg, cli, cli_json, Devnet};

const VALIDATOR: &str = "validator-0";
const OBSERVER: &str = "observer-0";

/// What must never show up on the observer: every hidden figure (mg) and
/// amount (micro-units) as decimal text and as 8-byte little-endian
/// integers, and every blinding as bytes and hex.
#[derive(Default)]
struct Secrets {
    numbers: Vec<i64>,
    blobs: Vec<Vec<u8>>,
}

impl Secrets {
    fn add_opening_hex(&mut self, opening_hex: &str) {
        let bytes = hex::decode(opening_hex).expect("opening hex");
        // 5 × (8-byte value, 32-byte blinding).
        for chunk in bytes.chunks(40) {
            let value = i64::from_le_bytes(chunk[..8].try_into().unwrap());
            self.add_number(value);
            self.blobs.push(chunk[8..].to_vec());
            self.blobs.push(hex::encode(&chunk[8..]).into_bytes());
        }
    }

    fn add_number(&mut self, v: i64) {
        // Small numbers occur everywhere by chance; the demo's hidden figures
        // and amounts are all far above this.
        if v.unsigned_abs() >= 10_000 && !self.numbers.contains(&v) {
            self.numbers.push(v);
        }
    }

    /// The first secret found in `hay`, described.
    fn find_in(&self, hay: &[u8]) -> Option<String> {
        for n in &self.numbers {
            if hay.windows(8).any(|w| w == n.to_le_bytes()) {
                return Some(format!("{n} as i64 LE bytes"));
            }
            let text = n.to_string();
            let t = text.as_bytes();
            let hit = hay.windows(t.len()).enumerate().any(|(i, w)| {
                w == t
                    && (i == 0 || !hay[i - 1].is_ascii_digit())
                    && hay.get(i + t.len()).is_none_or(|c| !c.is_ascii_digit())
            });
            if hit {
                return Some(format!("{n} as decimal text"));
            }
        }
        for b in &self.blobs {
            if hay.windows(b.len()).any(|w| w == b.as_slice()) {
                return Some(format!("blinding {}", String::from_utf8_lossy(b)));
            }
        }
        None
    }
}

/// The raw bytes a GET answers, as they cross the wire: what the search for
/// hidden values must look through (typed reads would hide the encoding).
async fn get_bytes(url: &str) -> Vec<u8> {
    let (status, bytes) = get_status_bytes(url).await;
    assert!((200..300).contains(&status), "GET {url}: {status}");
    bytes
}

/// A GET's status and raw bytes, whatever the status.
async fn get_status_bytes(url: &str) -> (u16, Vec<u8>) {
    let resp = reqwest::get(url).await.expect("GET");
    let status = resp.status().as_u16();
    (status, resp.bytes().await.expect("body").to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_chain_verified_on_an_observer_that_learns_no_value() {
    let mut net = Devnet::start(1, 1, &["--demo", "--no-fsync"])
        .await
        .expect("devnet with demo");
    let v0 = net.url(VALIDATOR);
    let obs = net.url(OBSERVER);
    let keys = net.keys();
    let secrets_doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(net.dir.join("demo-secrets.json")).unwrap()).unwrap();
    let chain = secrets_doc["chain"].as_array().unwrap().clone();
    assert_eq!(chain.len(), 3);
    let id_of = |name: &str| -> TxId {
        chain
            .iter()
            .find(|t| t["name"] == name)
            .and_then(|t| t["footprint"].as_str())
            .unwrap()
            .parse()
            .unwrap()
    };
    let (ingot, laptop) = (id_of("hidden-ingot"), id_of("hidden-laptop"));
    let mut secrets = Secrets::default();
    for tier in &chain {
        secrets.add_opening_hex(tier["opening"].as_str().unwrap());
        secrets.add_number(tier["total_mg"].as_i64().unwrap());
    }
    // The hidden amounts of the demo models (micro-units): 13.63 kWh,
    // 0.3137 kg, 1.43 kWh, 3.07 kWh.
    for amount in [13_630_000, 313_700, 1_430_000, 3_070_000] {
        secrets.add_number(amount);
    }

    // 1. The observer verifies the whole chain, every proof, without openings.
    let client_obs = Client::new(&obs).unwrap();
    tanji_tests::wait_until(
        std::time::Duration::from_secs(60),
        "the hidden laptop on the observer",
        async || client_obs.footprint(&laptop).await.ok(),
    )
    .await
    .expect("the observer has the hidden laptop");
    let report = cli_json(&["footprint", "verify", &laptop.to_hex(), "--node", &obs]);
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["proofs_checked"], 3, "{report}");

    // 2. The customer (the display maker) opens the ingot's opening and
    //    builds on it; a third party cannot.
    let display = keys.join("display.json");
    let mainboard = keys.join("mainboard.json");
    let work = tempfile::tempdir().unwrap();
    let opened_path = work.path().join("ingot.opening.json");
    let opened = cli_json(&[
        "footprint",
        "open",
        &ingot.to_hex(),
        "--key",
        arg(&display),
        "--out",
        arg(&opened_path),
        "--node",
        &v0,
    ]);
    assert_eq!(opened["opens_commitment"], true);
    let ingot_secret = chain.iter().find(|t| t["name"] == "hidden-ingot").unwrap();
    assert_eq!(opened["categories"], ingot_secret["values_mg"]);
    let run = cli(&[
        "footprint",
        "open",
        &ingot.to_hex(),
        "--key",
        arg(&mainboard),
        "--node",
        &v0,
    ]);
    assert!(
        !run.success() && run.text().contains("no opening disclosed"),
        "{run}"
    );

    // A third party holding the envelope's bytes cannot open them, and the
    // node does not serve them to it.
    let client = Client::new(&v0).unwrap();
    let display_key = OrgKeyFile::load(&display).unwrap();
    let fp = privacy::footprint_state(&client, &ingot).await.unwrap();
    let record = privacy::disclosure_for(&fp, display_key.org_id, Purpose::Opening)
        .unwrap()
        .clone();
    let bytes = client
        .fetch_envelope(
            &ingot,
            &record.disclosure.envelope,
            display_key.org_id,
            &display_key.signing_key().unwrap(),
        )
        .await
        .unwrap();
    let third = OrgKeyFile::load(&mainboard).unwrap();
    let refused = client
        .fetch_envelope(
            &ingot,
            &record.disclosure.envelope,
            third.org_id,
            &third.signing_key().unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(403), "{refused}");
    // The HTTP rules: unsigned, stale, non-author deposits, undisclosed envelopes.
    let path = format!(
        "/v1/footprints/{ingot}/envelopes/{}",
        record.disclosure.envelope
    );
    let http = reqwest::Client::new();
    let unsigned = http.get(format!("{v0}{path}")).send().await.unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let signed = |method: reqwest::Method, path: &str, body: &[u8], who: &OrgKeyFile, time: u64| {
        let sig = tanji_ledger::sealed::access::sign_request(
            &who.signing_key().unwrap(),
            who.org_id,
            method.as_str(),
            path,
            time,
            body,
        );
        let mut req = http
            .request(method, format!("{v0}{path}"))
            .body(body.to_vec());
        for (name, value) in sig.to_headers() {
            req = req.header(name, value);
        }
        req
    };
    let stale = signed(reqwest::Method::GET, &path, b"", &display_key, now - 3600)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 401);
    let not_author = signed(reqwest::Method::PUT, &path, &bytes, &display_key, now)
        .send()
        .await
        .unwrap();
    assert_eq!(not_author.status().as_u16(), 403);
    let author = OrgKeyFile::load(&keys.join("aluminium.json")).unwrap();
    let junk = vec![1u8; 300];
    let junk_path = format!(
        "/v1/footprints/{ingot}/envelopes/{}",
        tanji_ledger::sealed::EnvelopeHash::of_bytes(&junk)
    );
    let undisclosed = signed(reqwest::Method::PUT, &junk_path, &junk, &author, now)
        .send()
        .await
        .unwrap();
    assert_eq!(
        undisclosed.status().as_u16(),
        404,
        "only disclosed envelopes are kept"
    );
    let swapped = signed(reqwest::Method::PUT, &path, &junk, &author, now)
        .send()
        .await
        .unwrap();
    assert_eq!(
        swapped.status().as_u16(),
        400,
        "the body must be the recorded envelope"
    );

    let envelope = Envelope::from_bytes(&bytes).unwrap();
    for (who, binding_recipient) in [(&third, third.org_id), (&third, display_key.org_id)] {
        let binding = EnvelopeBinding {
            network: net.network.clone(),
            footprint: ingot,
            sender: fp.author,
            recipient: binding_recipient,
            purpose: Purpose::Opening,
        };
        assert!(sealed::open(&who.encryption_secret().unwrap(), &binding, &envelope).is_err());
    }

    // The customer attests a hidden part built on the opening, sealed on to the assembler.
    let assembler = OrgKeyFile::load(&keys.join("assembler.json")).unwrap();
    let model = work.path().join("bracket.toml");
    std::fs::write(
        &model,
        tanji_ledger::testkit::hidden_model(
            "Hinge bracket (hidden)",
            "piece",
            &format!(
                "\n[[input]]\nfootprint = \"{ingot}\"\nquantity = \"0.0537\"\nstage = \"raw-materials\"\n"
            ),
        ),
    )
    .unwrap();
    let secrets_path = work.path().join("bracket.secrets.json");
    let attested = cli_json(&[
        "footprint",
        "attest",
        arg(&model),
        "--key",
        arg(&display),
        "--upstream-opening",
        arg(&opened_path),
        "--seal-to",
        &assembler.org_id.to_hex(),
        "--secrets",
        arg(&secrets_path),
        "--node",
        &v0,
    ]);
    let bracket: TxId = attested["footprint"].as_str().unwrap().parse().unwrap();
    assert_eq!(attested["disclosures"].as_array().unwrap().len(), 1);
    let bracket_secrets = privacy::SecretsFile::read(&secrets_path).unwrap();
    secrets.add_opening_hex(&bracket_secrets.opening);
    secrets.add_number(53_700);
    // The assembler opens it in turn.
    let opened = cli_json(&[
        "footprint",
        "open",
        &bracket.to_hex(),
        "--key",
        arg(&keys.join("assembler.json")),
        "--node",
        &v0,
    ]);
    assert_eq!(opened["opens_commitment"], true);

    // 3. The certification body recomputes the laptop from its raw data.
    let audit = cli_json(&[
        "footprint",
        "audit",
        &laptop.to_hex(),
        "--key",
        arg(&keys.join("certifier.json")),
        "--node",
        &v0,
    ]);
    let laptop_secret = chain.iter().find(|t| t["name"] == "hidden-laptop").unwrap();
    assert_eq!(audit["verified"], true, "{audit}");
    let recomputed: Vec<serde_json::Value> =
        ["fossil", "biogenic", "biogenic_removals", "luc", "aircraft"]
            .iter()
            .map(|c| audit["categories"][c].clone())
            .collect();
    assert_eq!(
        serde_json::Value::from(recomputed),
        laptop_secret["values_mg"]
    );
    assert_eq!(audit["total_mg"], laptop_secret["total_mg"]);
    let run = cli(&[
        "footprint",
        "audit",
        &laptop.to_hex(),
        "--key",
        arg(&mainboard),
        "--node",
        &v0,
    ]);
    assert!(
        !run.success() && run.text().contains("no raw_data disclosed"),
        "{run}"
    );

    // The observer verifies the customer's footprint too (4 proofs down its tree).
    let obs_report = tanji_tests::wait_until(
        std::time::Duration::from_secs(60),
        "the observer verifying the bracket",
        async || {
            let v = client_obs.footprint_verify(&bracket).await.ok()?;
            v.verified.then_some(v)
        },
    )
    .await
    .expect("the observer verifies the customer's footprint");
    assert_eq!(obs_report.proofs_checked, 2, "{obs_report:?}");

    // A labelled product: the assembler publishes the figures of a hidden
    // footprint (built on the hidden cover's opening sealed to it); the
    // certification body grades it; the label's page on the observer shows
    // the number and the proof check.
    let cover = id_of("hidden-cover");
    let labelled = work.path().join("labelled.toml");
    std::fs::write(
        &labelled,
        format!(
            r#"
[product]
ids = ["urn:tanji:test:x14-pro-labelled"]
name = "X14 Pro (published figures)"
category = "urn:cpc:45220"
rule = "pcr-portable-computer@1"
declared_unit = "piece"
declared_unit_amount = "1"
mass_kg = "1.38"
boundary = "cradle-to-gate"
period = {{ start = "2025-01-01", end = "2026-01-01" }}
geography = "CN-BJ"
gwp = "AR6"
privacy = "hidden"

[[input]]
footprint = "{cover}"
quantity = "1"
stage = "raw-materials"

[[input]]
factor = "ipcc_diesel_co2@1"
amount = "0.000018"
stage = "production"
"#
        ),
    )
    .unwrap();
    let published = cli_json(&[
        "footprint",
        "attest",
        arg(&labelled),
        "--key",
        arg(&keys.join("assembler.json")),
        "--publish",
        "--secrets",
        arg(&work.path().join("labelled.secrets.json")),
        "--node",
        &v0,
    ]);
    let labelled_id = published["footprint"].as_str().unwrap().to_string();
    assert_eq!(published["published"], true);
    let cert = cli_json(&[
        "certify",
        &labelled_id,
        "--rule",
        "pcr-portable-computer@1",
        "--id",
        "CERT-HIDDEN-PUBLISHED-1",
        "--key",
        arg(&keys.join("certifier.json")),
        "--node",
        &v0,
    ]);
    assert!(cert.to_string().contains("committed"), "{cert}");
    let page = tanji_tests::wait_until(
        std::time::Duration::from_secs(60),
        "the label's page on the observer",
        async || {
            tanji_tests::client(&obs)
                .verify_page("CERT-HIDDEN-PUBLISHED-1")
                .await
                .ok()
        },
    )
    .await
    .unwrap();
    assert!(
        page.contains("Zero-knowledge proof"),
        "the page shows the proof checks"
    );
    assert!(page.contains("published figures open the commitment"));
    let labelled_secrets =
        privacy::SecretsFile::read(&work.path().join("labelled.secrets.json")).unwrap();
    let total: i64 = labelled_secrets.values_mg.iter().sum();
    let kg = tanji_ledger::carbon::units::format_decimal(i128::from(total), 6);
    assert!(page.contains(&kg), "the label shows {kg} kg");
    // The published figures are what PACT shows for it, proof included.
    let labelled_tx: TxId = labelled_id.parse().unwrap();
    let doc = tanji_tests::wait_until(
        std::time::Duration::from_secs(60),
        "a checkpoint on the observer covering the label's records",
        async || {
            tanji_tests::client(&obs)
                .footprint_pact(&labelled_tx, 3)
                .await
                .ok()
        },
    )
    .await
    .unwrap();
    let doc = serde_json::to_value(&doc).unwrap();
    assert_eq!(
        doc["pcf"]["pcfIncludingBiogenicUptake"],
        kg.as_str(),
        "{doc}"
    );
    let report = tanji_pact::verify::verify_document(&doc, None).unwrap();
    assert_eq!(report.footprint, labelled_id);

    // 4. Nothing hidden is on the observer: HTTP answers...
    let size = net.size(OBSERVER).await.unwrap();
    let mut answers: Vec<(String, Vec<u8>)> = Vec::new();
    let mut paths = vec![
        "/v1/footprints".to_string(),
        "/v1/stats".into(),
        "/v1/network".into(),
        "/v1/alarms".into(),
        "/v1/anomalies".into(),
        "/metrics".into(),
        "/health".into(),
    ];
    for id in [ingot, id_of("hidden-cover"), laptop, bracket] {
        for suffix in ["", "/tree", "/verify", "/affected"] {
            paths.push(format!("/v1/footprints/{id}{suffix}"));
        }
    }
    for path in &paths {
        answers.push((path.clone(), get_bytes(&format!("{obs}{path}")).await));
    }
    // PACT: a hidden footprint without published figures has no document, in
    // either version; its refusal is searched like every other answer.
    for id in [ingot, id_of("hidden-cover"), laptop, bracket] {
        for version in [2, 3] {
            let path = format!("/v1/footprints/{id}/pact?version={version}");
            let (status, body) = get_status_bytes(&format!("{obs}{path}")).await;
            assert_eq!(status, 404, "{path}: {}", String::from_utf8_lossy(&body));
            answers.push((path, body));
        }
    }
    // The observer's PACT host (HTTPS): a partner credential made there with
    // a signed request, every list page and each hidden id, searched too.
    {
        let info: serde_json::Value = serde_json::from_slice(
            &std::fs::read(net.node(OBSERVER).data_dir.join("node.json")).unwrap(),
        )
        .unwrap();
        let base = info["pact"]
            .as_str()
            .expect("the observer serves PACT")
            .to_string();
        let ca = std::fs::read(info["pact_ca_cert"].as_str().unwrap()).unwrap();
        let partner = OrgKeyFile::load(&keys.join("partner.json")).unwrap();
        let cred = client_obs
            .create_pact_client(
                "privacy test",
                partner.org_id,
                &partner.signing_key().unwrap(),
            )
            .await
            .unwrap();
        let https = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .build()
            .unwrap();
        let token: serde_json::Value = https
            .post(format!("{base}/auth/token"))
            .basic_auth(&cred.client.client_id, Some(&cred.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = token["access_token"].as_str().unwrap().to_string();
        let mut pact_paths = vec![
            "/3/footprints?limit=100".to_string(),
            "/2/footprints?limit=100".to_string(),
        ];
        for id in [ingot, id_of("hidden-cover"), laptop, bracket] {
            let pf = tanji_pact::pf_id(&id);
            pact_paths.push(format!("/3/footprints/{pf}"));
            pact_paths.push(format!("/2/footprints/{pf}"));
        }
        for path in pact_paths {
            let resp = https
                .get(format!("{base}{path}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body = resp.bytes().await.unwrap().to_vec();
            if path.contains("?limit") {
                assert_eq!(status, 200, "{path}");
                assert!(body.len() > 20, "{path}");
            } else {
                assert_eq!(status, 404, "{path}: {}", String::from_utf8_lossy(&body));
            }
            answers.push((format!("PACT {path}"), body));
        }
    }
    let mut start = 0;
    while start < size {
        let end = (start + 500).min(size);
        let page = get_bytes(&format!("{obs}/v1/entries?start={start}&end={end}")).await;
        let v: serde_json::Value = serde_json::from_slice(&page).unwrap();
        for e in v["entries"].as_array().unwrap() {
            let bytes = B64.decode(e["bytes"].as_str().unwrap()).unwrap();
            answers.push((format!("entry {}", e["index"]), bytes));
        }
        answers.push((format!("/v1/entries?start={start}"), page));
        start = end;
    }
    for (what, body) in &answers {
        assert_eq!(
            secrets.find_in(body),
            None,
            "a hidden value in the observer's {what}"
        );
    }

    // ...its log file...
    let log = std::fs::read(net.dir.join(OBSERVER).join("node.log")).unwrap();
    assert_eq!(
        secrets.find_in(&log),
        None,
        "a hidden value in the observer's log"
    );

    // ...and its database, every key and value of every column family.
    let data_dir = net.node(OBSERVER).data_dir.clone();
    net.stop(OBSERVER).unwrap();
    let store = Store::open(&data_dir.join(tanji_node::local::dev::DB_DIR), false)
        .expect("open the observer's store");
    let mut found = Vec::new();
    let mut records = 0;
    store
        .for_each_raw(|cf, k, v| {
            records += 1;
            for part in [k, v] {
                if let Some(what) = secrets.find_in(part) {
                    found.push(format!("{cf}: {what}"));
                }
            }
        })
        .unwrap();
    assert!(
        records > 100,
        "the observer's store holds the log ({records} records)"
    );
    assert!(
        found.is_empty(),
        "hidden values in the observer's store: {found:?}"
    );
    // The check itself finds what it looks for: the validator's store keeps
    // the envelopes (ciphertext only) but the secrets file is plain.
    assert!(secrets
        .find_in(&std::fs::read(net.dir.join("demo-secrets.json")).unwrap())
        .is_some());
}
