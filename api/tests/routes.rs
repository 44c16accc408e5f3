//! The routes over an in-memory ledger ([`MemoryStore`]): no RocksDB, no
//! node process, answers read back as the contract's own types.

mod support;

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use support::{get, send, state_over};
use tanji_api::ApiState;
use tanji_api_types::carbon::{FactorList, FactorLookup};
use tanji_api_types::error::ErrorBody;
use tanji_api_types::log::{ConsistencyProof, EntriesPage, InclusionProof};
use tanji_api_types::orgs::Org;
use tanji_api_types::tx::{TxState, TxStatus};
use tanji_ledger::checkpoint::NoteVerifier;
use tanji_ledger::merkle::{self, Blake3Hasher, Hash, MerkleHasher};
use tanji_ledger::store::{Candidate, LedgerRead, MemoryStore};
use tanji_ledger::testkit::{self, TestNet};
use tanji_ledger::tx::{Role, TxKind};
use tanji_ledger::TxId;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A five-entry ledger: genesis, a factor publisher and a supplier
/// registered, one factor published, one evidence anchor; a checkpoint
/// signed after each entry.
struct Fixture {
    state: ApiState,
    store: Arc<MemoryStore>,
    ids: Vec<TxId>,
}

fn fixture() -> Fixture {
    let net = TestNet::new();
    let publisher = testkit::org(
        20,
        "Publisher 20",
        "urn:uscc:911100000000000020",
        &[Role::FactorPublisher],
    );
    let supplier = net.supplier(10);
    let factor = net.signed(
        &publisher,
        1,
        TxKind::PublishFactor(testkit::factor_record(
            "cn_elec_grid_2023@1",
            "kWh",
            [581_000, 0, 0, 0, 0],
        )),
    );
    let txs = [
        net.genesis(),
        net.register(&publisher),
        net.register(&supplier),
        factor,
        net.anchor(&supplier, 1, "meter readings 2026-11"),
    ];
    let mut store = MemoryStore::new();
    let mut ids = Vec::new();
    for tx in txs {
        let outcome = store
            .append_batch(&[Candidate::new(tx)], Some(&net.node))
            .expect("append");
        let (id, result) = &outcome.results[0];
        result.as_ref().expect("accepted");
        ids.push(*id);
    }
    let store = Arc::new(store);
    let verifier = NoteVerifier {
        name: net.node.name.clone(),
        key: net.node.key.public(),
    };
    Fixture {
        state: state_over(store.clone(), vec![verifier]),
        store,
        ids,
    }
}

fn hash(b64: &str) -> Hash {
    B64.decode(b64)
        .expect("base64")
        .try_into()
        .expect("32 bytes")
}

fn refusal(answer: &support::Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.text());
    assert_eq!(answer.json::<ErrorBody>().error.code, code);
}

#[tokio::test]
async fn committed_transaction_proves_its_inclusion_under_the_signed_root() {
    let f = fixture();
    let anchor = f.ids[4];
    let answer = get(&f.state, &format!("/v1/tx/{anchor}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let status: TxStatus = answer.json();
    assert_eq!(status.status, TxState::Committed);
    assert_eq!(status.index, Some(4));
    let proof = status.inclusion_proof.expect("proof");
    let checkpoint = status.checkpoint.expect("checkpoint");
    assert_eq!(checkpoint.size, 5);
    assert_eq!(hash(&checkpoint.root), f.store.head().root);
    let entry = f.store.entry(4).expect("read").expect("entry");
    let leaf = Blake3Hasher::hash_leaf(&entry);
    assert_eq!(hash(status.leaf_hash.as_deref().expect("leaf")), leaf);
    let path: Vec<Hash> = proof.hashes.iter().map(|h| hash(h)).collect();
    merkle::verify_inclusion::<Blake3Hasher>(&leaf, 4, proof.size, &path, &hash(&checkpoint.root))
        .expect("the proof verifies");

    // The signed note names the same size and root.
    let note = get(&f.state, "/v1/checkpoint").await;
    assert_eq!(note.status, StatusCode::OK);
    assert!(note
        .content_type
        .as_deref()
        .unwrap_or("")
        .starts_with("text/plain"));
    assert_eq!(note.text(), checkpoint.note);
    assert!(note.text().contains(&format!("\n5\n{}\n", checkpoint.root)));
}

#[tokio::test]
async fn unknown_transaction_is_a_404_status_answer() {
    let f = fixture();
    let answer = get(&f.state, &format!("/v1/tx/{}", "ab".repeat(32))).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let status: TxStatus = answer.json();
    assert_eq!(status.status, TxState::Unknown);
    assert_eq!(status.error.expect("why").code, "unknown");
    refusal(
        &get(&f.state, "/v1/tx/not-an-id").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
}

#[tokio::test]
async fn entries_and_proofs_match_the_store_and_refuse_what_lies_beyond() {
    let f = fixture();
    let page: EntriesPage = get(&f.state, "/v1/entries?start=1&end=4").await.json();
    let indexes: Vec<u64> = page.entries.iter().map(|e| e.index).collect();
    assert_eq!(indexes, [1, 2, 3]);
    for e in &page.entries {
        let bytes = f.store.entry(e.index).expect("read").expect("entry");
        assert_eq!(B64.decode(&e.bytes).expect("base64"), bytes);
        assert_eq!(hash(&e.leaf_hash), Blake3Hasher::hash_leaf(&bytes));
    }

    // A page that runs past the end stops at it.
    let tail: EntriesPage = get(&f.state, "/v1/entries?start=3&end=100").await.json();
    assert_eq!(
        tail.entries.iter().map(|e| e.index).collect::<Vec<_>>(),
        [3, 4]
    );

    let inclusion: InclusionProof = get(&f.state, "/v1/proof/inclusion?index=2&size=3")
        .await
        .json();
    let path: Vec<Hash> = inclusion.hashes.iter().map(|h| hash(h)).collect();
    assert_eq!(path, f.store.inclusion_proof(2, 3).expect("proof"));

    let consistency: ConsistencyProof = get(&f.state, "/v1/proof/consistency?from=2&to=5")
        .await
        .json();
    let path: Vec<Hash> = consistency.hashes.iter().map(|h| hash(h)).collect();
    merkle::verify_consistency::<Blake3Hasher>(
        2,
        5,
        &f.store.root_at(2).expect("root"),
        &f.store.head().root,
        &path,
    )
    .expect("the proof verifies");

    for beyond in [
        "/v1/entries?start=6&end=7",
        "/v1/entries?start=3&end=2",
        "/v1/proof/inclusion?index=0&size=9",
        "/v1/proof/consistency?from=4&to=2",
    ] {
        refusal(
            &get(&f.state, beyond).await,
            StatusCode::NOT_FOUND,
            "out_of_range",
        );
    }
    refusal(
        &get(&f.state, "/v1/checkpoint?size=9").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn orgs_and_factors_read_the_derived_state() {
    let f = fixture();
    let orgs: Vec<Org> = get(&f.state, "/v1/orgs").await.json();
    let names: Vec<&str> = orgs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(orgs.len(), 4, "{names:?}");
    assert!(names.contains(&"Supplier 10") && names.contains(&"Publisher 20"));

    let list: FactorList = get(&f.state, "/v1/factors?q=grid").await.json();
    assert_eq!(list.factors.len(), 1);
    assert_eq!(list.factors[0].record.unit, "kWh");
    match get(&f.state, "/v1/factors/cn_elec_grid_2023@1")
        .await
        .json()
    {
        FactorLookup::Version(v) => assert_eq!(v.record.unit, "kWh"),
        FactorLookup::History(h) => panic!("asked for a version, got a history: {h:?}"),
    }
    refusal(
        &get(&f.state, "/v1/factors/cn_elec_grid_2023@2").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn envelopes_refuse_requests_that_are_not_signed() {
    let f = fixture();
    let path = format!("/v1/footprints/{}/envelopes/{}", f.ids[4], "00".repeat(32));
    let answer = send(&f.state, Method::PUT, &path, b"sealed".to_vec()).await;
    assert!(
        answer.status == StatusCode::UNAUTHORIZED || answer.status == StatusCode::BAD_REQUEST,
        "{} {}",
        answer.status,
        answer.text()
    );
    answer.json::<ErrorBody>();
    assert!(f
        .store
        .envelope(&tanji_ledger::sealed::EnvelopeHash([0; 32]))
        .expect("read")
        .is_none());
}

/// A public model with one input, 2.5 kWh of the fixture's factor
/// (581 000 µg CO2e/kWh): 1 452.5 mg, recorded half up as 1 453 mg per piece.
fn grid_model(factor: &str, privacy: &str) -> serde_json::Value {
    serde_json::json!({
        "product": {
            "ids": ["urn:gtin:06900000000017"],
            "name": "Test kettle",
            "category": "urn:cpc:44817",
            "declared_unit": "piece",
            "declared_unit_amount": "1",
            "mass_kg": "1.2",
            "fossil_carbon_kg": "0",
            "biogenic_carbon_kg": "0",
            "boundary": "cradle-to-gate",
            "period": { "start": "2025-01-01", "end": "2026-01-01" },
            "geography": "CN-BJ",
            "gwp": "AR6",
            "privacy": privacy,
            "primary_data_share": "100"
        },
        "input": [{ "factor": factor, "amount": "2.5", "stage": "production" }]
    })
}

async fn post_json(state: &ApiState, path: &str, body: &serde_json::Value) -> support::Answer {
    send(
        state,
        Method::POST,
        path,
        serde_json::to_vec(body).expect("json"),
    )
    .await
}

#[tokio::test]
async fn dry_run_compute_answers_the_exact_figures_and_names_what_is_wrong() {
    use tanji_api_types::draft::DryRun;
    let f = fixture();
    let model = grid_model("cn_elec_grid_2023@1", "public");
    let answer = post_json(
        &f.state,
        "/v1/footprints/compute",
        &serde_json::json!({ "model": model }),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let dry: DryRun = answer.json();
    assert_eq!(dry.problem, None);
    let result = dry.result.expect("figures");
    assert_eq!(result.total_mg, 1_453);
    assert_eq!(result.total_kg, "0.001453");
    assert_eq!(result.inputs[0].mg_exact, "1452.5");
    assert_eq!(result.product, "Test kettle");
    assert_eq!(result.inputs.len(), 1);
    assert_eq!(result.inputs[0].reference, "cn_elec_grid_2023@1");
    assert_eq!(result.inputs[0].unit, "kWh");

    let unknown = grid_model("no_such_factor@1", "public");
    let answer = post_json(
        &f.state,
        "/v1/footprints/compute",
        &serde_json::json!({ "model": unknown }),
    )
    .await;
    // the dry run's finding, not a failed request
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let dry: DryRun = answer.json();
    assert_eq!(dry.result, None);
    let message = dry.problem.expect("a problem");
    assert!(message.contains("no_such_factor@1"), "{message}");

    let mut bad = grid_model("cn_elec_grid_2023@1", "public");
    bad["product"]["period"]["end"] = "2024-13-01".into();
    let answer = post_json(
        &f.state,
        "/v1/footprints/compute",
        &serde_json::json!({ "model": bad }),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let problem = answer.json::<DryRun>().problem.expect("a problem");
    assert!(problem.contains("period"), "{problem}");

    for body in [
        b"{".to_vec(),
        b"{\"model\": {}, \"extra\": 1}".to_vec(),
        b"[]".to_vec(),
    ] {
        let answer = send(&f.state, Method::POST, "/v1/footprints/compute", body).await;
        refusal(&answer, StatusCode::BAD_REQUEST, "bad_request");
    }
    let answer = post_json(
        &f.state,
        "/v1/footprints/compute",
        &serde_json::json!({ "model": 7 }),
    )
    .await;
    // not an object: a malformed request, as the document says
    refusal(&answer, StatusCode::BAD_REQUEST, "bad_request");
    assert!(answer.text().contains("must be a JSON object"));
    let huge = vec![b' '; tanji_api_types::draft::MAX_DRAFT_BODY + 1];
    let answer = send(&f.state, Method::POST, "/v1/footprints/compute", huge).await;
    refusal(&answer, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
}

#[tokio::test]
async fn prepared_attestation_signed_outside_the_node_is_a_valid_transaction() {
    use tanji_api_types::draft::PreparedTx;
    use tanji_ledger::crypto::domain;
    use tanji_ledger::tx::{SignedTx, TxBody};
    let f = fixture();
    let net = TestNet::new();
    let supplier = net.supplier(10);
    let model = grid_model("cn_elec_grid_2023@1", "public");
    let request = serde_json::json!({ "model": model, "author": supplier.org_id.to_string() });
    let answer = post_json(&f.state, "/v1/footprints/prepare", &request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let prepared: PreparedTx = answer.json();
    // The supplier anchored evidence with nonce 1: the next one is 2.
    assert_eq!(prepared.nonce, 2);
    let body_bytes = B64.decode(&prepared.body).expect("base64");
    let body: TxBody = borsh::from_slice(&body_bytes).expect("a TxBody");
    assert_eq!(body.author, supplier.org_id);
    assert_eq!(body.id(), prepared.tx_id);
    let message = B64.decode(&prepared.signing_message).expect("base64");
    assert_eq!(message, domain::message(domain::TX_V1, &body_bytes));
    assert!(matches!(&body.kind, TxKind::AttestFootprint(a) if a.results.total_mg == 1_453));

    // What a browser does: sign the message, append one approval.
    let key = supplier.signing_key().expect("key");
    let signature = key.sign(domain::TX_V1, &body_bytes);
    let mut entry = body_bytes.clone();
    entry.extend_from_slice(&1u32.to_le_bytes());
    entry.extend_from_slice(supplier.org_id.as_bytes());
    entry.extend_from_slice(&signature.0);
    let tx = SignedTx::decode(&entry).expect("a well-formed transaction");
    assert_eq!(tx.id(), prepared.tx_id);
    assert_eq!(tx, SignedTx::sign(body, &[(supplier.org_id, &key)]));

    let stranger = testkit::org(
        77,
        "Stranger",
        "urn:uscc:911100000000000077",
        &[Role::Supplier],
    );
    let request = serde_json::json!({ "model": grid_model("cn_elec_grid_2023@1", "public"), "author": stranger.org_id.to_string() });
    refusal(
        &post_json(&f.state, "/v1/footprints/prepare", &request).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let request = serde_json::json!({ "model": grid_model("cn_elec_grid_2023@1", "committed"), "author": supplier.org_id.to_string() });
    let answer = post_json(&f.state, "/v1/footprints/prepare", &request).await;
    refusal(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_model");
    assert!(answer
        .json::<ErrorBody>()
        .error
        .message
        .contains("tanji footprint attest"));
}

#[tokio::test]
async fn recent_entries_are_decoded_newest_first() {
    use tanji_api_types::log::RecentEntries;
    let f = fixture();
    let recent: RecentEntries = get(&f.state, "/v1/log/recent?limit=2").await.json();
    assert_eq!(recent.size, 5);
    let kinds: Vec<_> = recent
        .entries
        .iter()
        .map(|e| (e.index, e.kind.as_str()))
        .collect();
    assert_eq!(kinds, [(4, "anchor_evidence"), (3, "publish_factor")]);
    assert_eq!(recent.entries[1].tx_id, f.ids[3]);
    assert_eq!(
        recent.entries[1].author_name.as_deref(),
        Some("Publisher 20")
    );
    assert_eq!(
        recent.entries[1].subject.as_deref(),
        Some("cn_elec_grid_2023@1")
    );
    let all: RecentEntries = get(&f.state, "/v1/log/recent").await.json();
    assert_eq!(all.entries.len(), 5);
    for bad in ["0", "201", "x"] {
        let answer = get(&f.state, &format!("/v1/log/recent?limit={bad}")).await;
        refusal(&answer, StatusCode::BAD_REQUEST, "bad_request");
    }
}

#[tokio::test]
async fn search_finds_ids_exactly_and_names_in_part() {
    use tanji_api_types::search::{HitKind, SearchResults};
    let f = fixture();
    let find = |q: &str| {
        let state = f.state.clone();
        let path = format!(
            "/v1/search?q={}",
            form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        async move { get(&state, &path).await.json::<SearchResults>() }
    };
    let hits = find("cn_elec_grid_2023@1").await.hits;
    assert_eq!((hits[0].kind, hits[0].exact), (HitKind::Factor, true));
    let hits = find(&f.ids[4].to_hex()).await.hits;
    assert_eq!(
        (hits[0].kind, hits[0].title.as_str()),
        (HitKind::Transaction, "anchor_evidence")
    );
    let hits = find("publisher").await.hits;
    assert!(hits
        .iter()
        .any(|h| h.kind == HitKind::Organisation && h.title == "Publisher 20" && !h.exact));
    let hits = find("urn:uscc:911100000000000020").await.hits;
    assert!(hits[0].exact && hits[0].kind == HitKind::Organisation);
    assert!(find("nothing like this").await.hits.is_empty());
    refusal(
        &get(&f.state, "/v1/search?q=").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    refusal(
        &get(&f.state, &format!("/v1/search?q={}", "x".repeat(257))).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    // the length limit counts what was sent (before trimming), as the
    // document says; a query of white space alone is valid and finds nothing
    refusal(
        &get(&f.state, &format!("/v1/search?q=a{}", "+".repeat(256))).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    let blank = get(&f.state, "/v1/search?q=%C2%85").await;
    assert_eq!(blank.status, StatusCode::OK, "{}", blank.text());
    assert!(blank.json::<SearchResults>().hits.is_empty());
}

#[tokio::test]
async fn the_platform_answers_its_pages_and_never_an_api_path() {
    let f = fixture();
    for page in ["/", "/footprints/abc", "/orgs/x?lang=en", "/calculator"] {
        let answer = get(&f.state, page).await;
        let html = answer.content_type.as_deref().unwrap_or("");
        assert!(html.starts_with("text/html"), "{page}: {html}");
        // Built into this binary, the application; if not, a page saying how to build it.
        if tanji_api::platform::assets::is_built() {
            assert_eq!(answer.status, StatusCode::OK, "{page}");
            assert!(answer.text().contains("<div id=\"app\">"), "{page}");
        } else {
            assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{page}");
            assert!(answer.text().contains("npm run build"));
        }
    }
    for api in [
        "/v1/nothing",
        "/v1/footprints/abc/nothing",
        "/assets/missing-1234.js",
        "/metricsx",
    ] {
        refusal(
            &get(&f.state, api).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    let answer = send(&f.state, Method::POST, "/calculator", Vec::new()).await;
    refusal(&answer, StatusCode::NOT_FOUND, "not_found");
    for asset in tanji_api::platform::assets::list() {
        let answer = get(&f.state, &format!("/{}", asset.path)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", asset.path);
        assert_eq!(answer.body.len(), asset.bytes.len(), "{}", asset.path);
    }
}
