//! A real node, checked from outside: an independent RFC 9162 + BLAKE3
//! verifier recomputes the served root from the served entries and accepts the
//! served proofs; bad input gets clear JSON errors, never a crash.
//!
//! The verifier reads the node's JSON raw ([`get_raw`]), not through the
//! SDK's types, so that it shares no decoding with the code it checks.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::{SignedTx, TxKind, MAX_TX_BYTES};
use tanji_sdk::types::tx::TxState;
use tanji_sdk::{build, Client};
use tanji_tests::{get_raw, rfc9162, DevNode};

fn supplier_keys(node: &DevNode) -> OrgKeyFile {
    OrgKeyFile::load(&node.keys().join("aluminium.json")).expect("demo supplier key")
}

async fn anchor_many(client: &Client, org: &OrgKeyFile, n: u64) -> Vec<tanji_ledger::TxId> {
    let network = client.network().await.expect("network").network;
    let first = build::next_nonce(client, &org.org_id).await.expect("nonce");
    let mut ids = Vec::new();
    for i in 0..n {
        let tx = build::single(
            &network,
            org,
            first + i,
            TxKind::AnchorEvidence {
                digest: *blake3::hash(&i.to_le_bytes()).as_bytes(),
                label: format!("meter readings, batch {i}"),
            },
        )
        .expect("sign");
        ids.push(client.submit(&tx).await.expect("submit").id);
    }
    for id in &ids {
        let mut tries = 0;
        loop {
            let s = client.tx_status(id).await.expect("status");
            if s.status == TxState::Committed {
                break;
            }
            assert_eq!(s.status, TxState::Queued, "{id}: {:?}", s.error);
            tries += 1;
            assert!(tries < 2000, "{id} never committed");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
    ids
}

struct ServedCheckpoint {
    size: u64,
    root: rfc9162::Hash,
}

/// Parses a C2SP checkpoint by hand: origin, size, base64 root, blank line, signatures.
fn parse_checkpoint(text: &str, origin: &str) -> ServedCheckpoint {
    let mut lines = text.split('\n');
    assert_eq!(lines.next(), Some(origin));
    let size = lines
        .next()
        .and_then(|s| s.parse().ok())
        .expect("size line");
    let root = B64
        .decode(lines.next().expect("root line"))
        .expect("base64 root");
    assert_eq!(lines.next(), Some(""), "blank line after the note text");
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("— validator-0 ")),
        "signature line"
    );
    ServedCheckpoint {
        size,
        root: root.try_into().expect("32-byte root"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_independent_verifier_accepts_what_the_node_serves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(dir.path(), &["--demo"]).expect("node starts");
    let client = node.client();
    let org = supplier_keys(&node);
    let network = client.network().await.expect("network").network;

    // An early checkpoint to prove consistency from.
    let early = parse_checkpoint(
        &client.checkpoint(None).await.expect("checkpoint"),
        &network,
    );
    anchor_many(&client, &org, 40).await;
    let cp = parse_checkpoint(
        &client.checkpoint(None).await.expect("checkpoint"),
        &network,
    );
    assert!(cp.size >= early.size + 40);

    // Every entry, paged, re-hashed independently.
    let mut leaves = Vec::new();
    while (leaves.len() as u64) < cp.size {
        let start = leaves.len() as u64;
        let (status, page) = get_raw(&format!(
            "{}/v1/entries?start={start}&end={}",
            node.url, cp.size
        ))
        .await;
        assert_eq!(status, 200);
        let entries = page["entries"].as_array().expect("entries array");
        assert!(!entries.is_empty());
        for e in entries {
            assert_eq!(e["index"].as_u64(), Some(leaves.len() as u64));
            let bytes = B64
                .decode(e["bytes"].as_str().expect("bytes"))
                .expect("base64");
            let leaf = rfc9162::leaf(&bytes);
            assert_eq!(e["leaf_hash"].as_str(), Some(B64.encode(leaf).as_str()));
            // The bytes are a valid signed transaction.
            SignedTx::decode(&bytes).expect("entry decodes");
            leaves.push(leaf);
        }
    }
    assert_eq!(
        rfc9162::root(&leaves[..cp.size as usize]),
        cp.root,
        "root recomputed from entries"
    );
    assert_eq!(rfc9162::root(&leaves[..early.size as usize]), early.root);

    // Inclusion proofs for every entry, at the latest and at an older size.
    for (size, root) in [(cp.size, cp.root), (early.size, early.root)] {
        for index in 0..size {
            let (status, p) = get_raw(&format!(
                "{}/v1/proof/inclusion?index={index}&size={size}",
                node.url
            ))
            .await;
            assert_eq!(status, 200);
            assert_eq!(p["index"].as_u64(), Some(index));
            assert_eq!(p["size"].as_u64(), Some(size));
            let hashes: Vec<rfc9162::Hash> = p["hashes"]
                .as_array()
                .expect("hashes")
                .iter()
                .map(|h| {
                    B64.decode(h.as_str().unwrap_or_default())
                        .expect("b64")
                        .try_into()
                        .expect("32")
                })
                .collect();
            assert!(rfc9162::verify_inclusion(
                index,
                size,
                &leaves[index as usize],
                &hashes,
                &root
            ));
        }
    }

    // Consistency from every older checkpoint size the node kept.
    for from in 1..=cp.size {
        let Ok(old) = client.checkpoint(Some(from)).await else {
            continue;
        };
        let old = parse_checkpoint(&old, &network);
        let (status, p) = get_raw(&format!(
            "{}/v1/proof/consistency?from={from}&to={}",
            node.url, cp.size
        ))
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            (p["from"].as_u64(), p["to"].as_u64()),
            (Some(from), Some(cp.size))
        );
        let hashes: Vec<rfc9162::Hash> = p["hashes"]
            .as_array()
            .expect("hashes")
            .iter()
            .map(|h| {
                B64.decode(h.as_str().unwrap_or_default())
                    .expect("b64")
                    .try_into()
                    .expect("32")
            })
            .collect();
        assert!(
            rfc9162::verify_consistency(from, cp.size, &old.root, &cp.root, &hashes),
            "consistency {from}→{}",
            cp.size
        );
    }
}

async fn post(url: &str, content_type: &str, body: Vec<u8>) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(format!("{url}/v1/tx"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

fn code(v: &serde_json::Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<no error code>")
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_with_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(dir.path(), &["--demo"]).expect("node starts");
    let client = node.client();
    let org = supplier_keys(&node);
    let network = client.network().await.expect("network").network;
    let nonce = build::next_nonce(&client, &org.org_id)
        .await
        .expect("nonce");
    let anchor = |nonce: u64, label: &str| {
        build::single(
            &network,
            &org,
            nonce,
            TxKind::AnchorEvidence {
                digest: [7; 32],
                label: label.into(),
            },
        )
        .expect("sign")
    };
    let octet = "application/octet-stream";

    // A valid one, committed.
    let good = anchor(nonce, "good");
    let (status, v) = post(&node.url, octet, good.encode()).await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(v["status"], "queued");
    let id = good.id();
    let mut committed = false;
    for _ in 0..500 {
        if client.tx_status(&id).await.expect("status").status == TxState::Committed {
            committed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(committed);

    // Forged: the body changed after signing.
    let mut forged = anchor(nonce + 1, "forged");
    forged.body.kind = TxKind::AnchorEvidence {
        digest: [8; 32],
        label: "forged".into(),
    };
    let (status, v) = post(&node.url, octet, forged.encode()).await;
    assert_eq!((status, code(&v)), (422, "bad_signature"), "{v}");

    // Replay: the same transaction again is idempotent (already committed)...
    let (status, v) = post(&node.url, octet, good.encode()).await;
    assert_eq!(
        (status, v["status"].as_str()),
        (200, Some("committed")),
        "{v}"
    );
    // ...and another transaction reusing its nonce is a conflict.
    let (status, v) = post(&node.url, octet, anchor(nonce, "reused nonce").encode()).await;
    assert_eq!((status, code(&v)), (409, "nonce_used"), "{v}");

    // Wrong network.
    let mut other = anchor(nonce + 2, "elsewhere");
    other.body.network = "other.example".into();
    let other = SignedTx::sign(
        other.body,
        &[(org.org_id, &org.signing_key().expect("key"))],
    );
    let (status, v) = post(&node.url, octet, other.encode()).await;
    assert_eq!((status, code(&v)), (422, "wrong_network"), "{v}");

    // Unknown kind: patch the kind tag.
    let mut bytes = anchor(nonce + 3, "x").encode();
    let tag = 4 + network.len() + 16 + 8;
    bytes[tag] = 99;
    let (status, v) = post(&node.url, octet, bytes).await;
    assert_eq!((status, code(&v)), (400, "malformed"), "{v}");

    // Truncated.
    let bytes = anchor(nonce + 4, "x").encode();
    let (status, v) = post(&node.url, octet, bytes[..bytes.len() - 10].to_vec()).await;
    assert_eq!((status, code(&v)), (400, "malformed"), "{v}");

    // Oversized.
    let (status, v) = post(&node.url, octet, vec![0u8; MAX_TX_BYTES + 1]).await;
    assert_eq!((status, code(&v)), (413, "too_large"), "{v}");
    let (status, v) = post(
        &node.url,
        "application/json",
        vec![b' '; 4 * MAX_TX_BYTES + 1],
    )
    .await;
    assert_eq!((status, code(&v)), (413, "too_large"), "{v}");

    // JSON: garbage, then a valid JSON transaction.
    let (status, v) = post(&node.url, "application/json", b"{\"body\": 1}".to_vec()).await;
    assert_eq!((status, code(&v)), (400, "malformed"), "{v}");
    let json_tx = anchor(nonce + 5, "as JSON");
    let (status, v) = post(
        &node.url,
        "application/json",
        serde_json::to_vec(&json_tx).expect("json"),
    )
    .await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(v["id"].as_str(), Some(json_tx.id().to_hex().as_str()));

    // Reads with bad parameters.
    for (path, want) in [
        ("/v1/tx/xyz", 400),
        (&format!("/v1/tx/{}", "ab".repeat(32)), 404),
        ("/v1/entries?start=5&end=2", 404),
        ("/v1/entries?start=999999&end=1000000", 404),
        ("/v1/entries?start=a&end=2", 400),
        ("/v1/proof/inclusion?index=999999&size=5", 404),
        ("/v1/proof/inclusion?index=0&size=999999", 404),
        ("/v1/proof/consistency?from=9&to=2", 404),
        ("/v1/checkpoint?size=999999", 404),
        ("/v1/orgs/00", 400),
        ("/v1/nothing-here", 404),
    ] {
        let (status, v) = get_raw(&format!("{}{path}", node.url)).await;
        assert_eq!(status, want, "{path}: {v}");
        assert!(
            v["error"]["message"].is_string() || v["status"] == "unknown",
            "{path}: {v}"
        );
    }

    // The node is still healthy, and serves metrics and its OpenAPI document.
    let (status, _) = get_raw(&format!("{}/health", node.url)).await;
    assert_eq!(status, 200);
    let metrics = client.metrics().await.expect("metrics");
    assert!(metrics.contains("tanji_tx_submissions_total"), "{metrics}");
    assert!(metrics.contains("outcome=\"bad_signature\""), "{metrics}");
    let (status, doc) = get_raw(&format!("{}/openapi.json", node.url)).await;
    assert_eq!(status, 200);
    assert!(doc["paths"]["/v1/proof/consistency"].is_object());
}

#[tokio::test(flavor = "multi_thread")]
async fn network_lists_observers_registered_by_governance() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(dir.path(), &["--demo"]).expect("node starts");
    let client = node.client();
    let load =
        |stem: &str| OrgKeyFile::load(&node.keys().join(format!("{stem}.json"))).expect("demo key");
    let (regulator, operator, certifier) = (load("regulator"), load("operator"), load("certifier"));
    let (status, view) = get_raw(&format!("{}/v1/network", node.url)).await;
    assert_eq!(status, 200);
    assert_eq!(view["observers"], serde_json::json!([]));

    // An auditor's observer node, registered by the regulator with the operator's approval.
    let key = tanji_ledger::crypto::SecretKey::from_seed(&[42; 32]).public();
    let mut tx = build::sign_as(
        &client,
        &regulator,
        TxKind::RegisterObserver(tanji_ledger::tx::ObserverNode {
            operator: certifier.org_id,
            name: "certifier-observer".into(),
            key,
        }),
    )
    .await
    .expect("sign");
    tx.approve(operator.org_id, &operator.signing_key().expect("key"));
    let id = client.submit(&tx).await.expect("submit").id;
    let mut tries = 0;
    loop {
        let s = client.tx_status(&id).await.expect("status");
        if s.status == TxState::Committed {
            break;
        }
        assert_eq!(s.status, TxState::Queued, "{id}: {:?}", s.error);
        tries += 1;
        assert!(tries < 2000, "{id} never committed");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (_, view) = get_raw(&format!("{}/v1/network", node.url)).await;
    assert_eq!(
        view["observers"],
        serde_json::json!([{
            "name": "certifier-observer",
            "operator": certifier.org_id.to_hex(),
            "key": key.to_hex(),
        }])
    );
}
