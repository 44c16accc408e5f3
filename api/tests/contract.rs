//! The router and `/openapi.json` describe the same API: every route the
//! router serves is in the document, every documented path and method is
//! served, and no undocumented method is.

mod support;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use support::{empty_state, send};

/// Every documented (path, method), methods upper case.
fn documented() -> Vec<(String, BTreeSet<String>)> {
    let doc = serde_json::to_value(tanji_api::openapi_document()).expect("document");
    doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .map(|(path, item)| {
            let methods = item
                .as_object()
                .expect("path item")
                .keys()
                .filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
                .map(|k| k.to_uppercase())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

/// A concrete path for a template, with values each parameter accepts.
fn concrete(template: &str) -> String {
    let hex = "0".repeat(64);
    template
        .replace("{id}", &hex)
        .replace("{hash}", &hex)
        .replace("{key}", "cn_elec_cfp_2023@1")
        .replace("{file}", "CQC-1.svg")
        .replace("{certificate}", "CQC-1")
}

/// The paths the router has, read from its `Debug` form (axum offers no
/// other way to list routes; a change there fails this test loudly).
fn routed_paths(router: &axum::Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    let section = debug
        .split("fallback_router")
        .next()
        .expect("router debug output");
    section
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/') && !s.contains("__private__"))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_routed_path_is_documented() {
    let router = tanji_api::router(empty_state());
    let routed = routed_paths(&router);
    let documented: BTreeSet<String> = documented().into_iter().map(|(p, _)| p).collect();
    assert!(routed.len() >= 30, "read too few routes: {routed:?}");
    assert_eq!(
        routed, documented,
        "the router's paths and the document's differ"
    );
}

#[tokio::test]
async fn every_documented_method_is_served_and_no_other() {
    let state = empty_state();
    for (template, methods) in documented() {
        let path = concrete(&template);
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
        ] {
            let answer = send(&state, method.clone(), &path, Vec::new()).await;
            let status = answer.status;
            let text = answer.text();
            if methods.contains(method.as_str()) {
                assert_ne!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {template} is documented but not served"
                );
                assert!(
                    !text.contains("no route"),
                    "{method} {template} is documented but falls through: {text}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {template} is served ({status}) but not documented"
                );
            }
        }
    }
}

#[test]
fn every_operation_documents_its_errors_with_the_error_body() {
    let doc = serde_json::to_value(tanji_api::openapi_document()).expect("document");
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path} documents no success"
            );
            for (status, response) in responses {
                let json = &response["content"]["application/json"]["schema"];
                // An unknown transaction's 404 is a status answer, not a refusal.
                let status_answer = path == "/v1/tx/{id}" && status == "404";
                if status.starts_with('4') && !json.is_null() && !status_answer {
                    assert_eq!(
                        json["$ref"], "#/components/schemas/ErrorBody",
                        "{method} {path} {status} is not an ErrorBody"
                    );
                }
            }
        }
    }
}

/// The web platform's TypeScript client is generated from `web/openapi.json`
/// (`npm run gen`); this keeps that file the document the API serves, so the
/// client cannot drift from the server. After a change to the API:
/// `TANJI_UPDATE_OPENAPI=1 cargo test --release --workspace --test contract`.
#[test]
fn the_web_clients_document_is_the_served_one() {
    let served =
        serde_json::to_string_pretty(&tanji_api::openapi_document()).expect("document") + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/openapi.json");
    if std::env::var_os("TANJI_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &served).expect("writing web/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).expect("web/openapi.json");
    assert!(
        committed == served,
        "web/openapi.json is not the document the API serves; regenerate it with \
         TANJI_UPDATE_OPENAPI=1 cargo test --release --workspace --test contract"
    );
}
