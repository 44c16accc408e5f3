//! Organisation key rotation against a real node, through the `tanji` CLI:
//! the owner's path (old entries keep verifying, the old key's new
//! signatures are refused with 422 naming the rotation) and the governance
//! path for a stolen key (`--compromised-since`: later signatures by the
//! stolen key are refused and the ones already logged are flagged).

use std::path::Path;

use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::TxKind;
use tanji_sdk::build;
use tanji_tests::{arg, block_on, cli, cli_json, DevNode};

const COMPANY: &str = "urn:uscc:91110000ROTATE0001";

fn anchor(url: &str, key: &Path, doc: &Path, label: &str) -> (String, u64) {
    let a = cli_json(&[
        "anchor",
        arg(doc),
        "--label",
        label,
        "--key",
        arg(key),
        "--node",
        url,
        "--wait",
    ]);
    assert_eq!(a["status"], "committed", "{a}");
    (
        a["id"].as_str().expect("id").to_string(),
        a["index"].as_u64().expect("index"),
    )
}

/// Submits an anchor signed with `key` straight to the API and returns the
/// refusal (status, code, message).
fn refused_anchor(node: &DevNode, key: &Path, label: &str) -> (u16, String, String) {
    let key = OrgKeyFile::load(key).expect("key file");
    let client = node.client();
    let tx = block_on(build::sign_as(
        &client,
        &key,
        TxKind::AnchorEvidence {
            digest: [7; 32],
            label: label.into(),
        },
    ))
    .expect("signed");
    match block_on(client.submit(&tx)) {
        Err(tanji_sdk::ClientError::Api {
            status,
            code,
            message,
        }) => (status, code, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn rotated_keys_old_entries_verify_new_signatures_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(&dir.path().join("node"), &[]).expect("node");
    let url = node.url.as_str();
    let work = dir.path();
    let regulator = node.keys().join("regulator.json");
    let operator = node.keys().join("operator.json");
    let first = work.join("rotate-1.json");
    cli_json(&[
        "key",
        "new",
        "--name",
        "Rotating Steel",
        "--company-id",
        COMPANY,
        "--out",
        arg(&first),
    ]);
    let org_id = OrgKeyFile::load(&first).expect("key").org_id.to_string();
    let reg = cli_json(&[
        "org",
        "register",
        "--node",
        url,
        "--key",
        arg(&first),
        "--approve",
        arg(&regulator),
        "--approve",
        arg(&operator),
        "--wait",
    ]);
    assert_eq!(reg["status"], "committed", "{reg}");
    let doc = work.join("meter.csv");
    std::fs::write(&doc, "date,kwh\n2025-01-01,1200\n").expect("write");
    let (old_id, _) = anchor(url, &first, &doc, "signed with the first key");

    // The owner rotates: a new key file is written, the rotation is signed
    // with the old key.
    let second = work.join("rotate-2.json");
    let r = cli_json(&[
        "org",
        "rotate-key",
        "--key",
        arg(&first),
        "--out",
        arg(&second),
        "--node",
        url,
        "--wait",
    ]);
    assert_eq!(r["status"], "committed", "{r}");
    let rotated_at = r["index"].as_u64().expect("index");
    assert!(second.exists());

    // The old key's new signatures: 422, naming the rotation.
    let (status, code, message) = refused_anchor(&node, &first, "signed with the retired key");
    assert_eq!((status, code.as_str()), (422, "key_rotated"), "{message}");
    assert!(
        message.contains(&format!("rotation at entry {rotated_at}")),
        "{message}"
    );
    let out = cli(&[
        "anchor",
        arg(&doc),
        "--label",
        "x",
        "--key",
        arg(&first),
        "--node",
        url,
    ]);
    assert!(!out.success(), "{out}");
    assert!(out.stderr.contains("key_rotated"), "{out}");

    // The entry signed before the rotation stays committed, unflagged, and
    // its bundle verifies offline.
    let st = cli_json(&["tx", "status", &old_id, "--node", url]);
    assert_eq!(st["status"], "committed");
    assert!(st.get("compromised_signatures").is_none(), "{st}");
    let bundle = work.join("old.json");
    cli_json(&[
        "tx",
        "status",
        &old_id,
        "--node",
        url,
        "--bundle",
        arg(&bundle),
    ]);
    let v = cli_json(&["verify", "inclusion", arg(&bundle)]);
    assert_eq!(v["verified"], true, "{v}");

    // The new key signs.
    let (_, honest_index) = anchor(url, &second, &doc, "signed with the second key");
    // Then the second key is stolen; the thief signs.
    let (thief_id, thief_index) = anchor(url, &second, &doc, "signed by whoever holds key 2");

    // The owner lost the key: a governance quorum rotates to a fresh key
    // file of the same company and declares key 2 compromised from the
    // thief's entry on.
    let third = work.join("rotate-3.json");
    cli_json(&[
        "key",
        "new",
        "--name",
        "Rotating Steel",
        "--company-id",
        COMPANY,
        "--out",
        arg(&third),
    ]);
    let since = thief_index.to_string();
    // The owner's path cannot declare a compromise.
    let out = cli(&[
        "org",
        "rotate-key",
        "--key",
        arg(&second),
        "--new-key",
        arg(&third),
        "--compromised-since",
        &since,
        "--node",
        url,
    ]);
    assert!(!out.success(), "{out}");
    let g = cli_json(&[
        "org",
        "rotate-key",
        "--new-key",
        arg(&third),
        "--approve",
        arg(&regulator),
        "--approve",
        arg(&operator),
        "--compromised-since",
        &since,
        "--node",
        url,
        "--wait",
    ]);
    assert_eq!(g["status"], "committed", "{g}");
    let governance_at = g["index"].as_u64().expect("index");

    // Key 2 is refused from now on, naming the compromise.
    let (status, code, message) = refused_anchor(&node, &second, "the thief again");
    assert_eq!((status, code.as_str()), (422, "key_rotated"), "{message}");
    assert!(
        message.contains(&format!("rotation at entry {governance_at}"))
            && message.contains(&format!("compromised from log size {thief_index}")),
        "{message}"
    );
    // The thief's logged entry is flagged; the honest one before it is not.
    let st = cli_json(&["tx", "status", &thief_id, "--node", url]);
    let flagged = &st["compromised_signatures"];
    assert_eq!(flagged.as_array().map(Vec::len), Some(1), "{st}");
    assert_eq!(flagged[0]["signer"], org_id.as_str());
    assert_eq!(flagged[0]["compromised_since"], thief_index);
    assert_eq!(flagged[0]["rotated_at"], governance_at);
    assert!(honest_index < thief_index);
    // Key 3 signs.
    anchor(url, &third, &doc, "signed with the third key");

    // The organisation's key history.
    let org = cli_json(&["org", "show", &org_id, "--node", url]);
    let retired = org["retired_keys"].as_array().expect("retired keys");
    assert_eq!(retired.len(), 2, "{org}");
    assert_eq!(retired[0]["until"], rotated_at);
    assert!(retired[0].get("compromised_since").is_none());
    assert_eq!(retired[1]["from"], rotated_at);
    assert_eq!(retired[1]["until"], governance_at);
    assert_eq!(retired[1]["compromised_since"], thief_index);
    let third_key = OrgKeyFile::load(&third).expect("key").signing_key;
    assert_eq!(org["signing_key"], third_key.to_hex());
}
