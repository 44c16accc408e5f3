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
