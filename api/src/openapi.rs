//! The OpenAPI 3.1 document. Its paths come from the same list as the
//! router ([`crate::routes`]); this module adds what is not a path: the
//! title, the tags, and the error body every refusal shares.

use std::sync::OnceLock;

use utoipa::openapi::OpenApi as Document;
use utoipa::OpenApi;

/// The parts of the document that are not routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tanji REST API",
        version = "1",
        description = "Verifiable ledger of product carbon footprints: transactions, the Merkle log and its proofs, organisations, factors, rules, footprints, certificates and labels, sealed envelopes. Every refusal is a JSON ErrorBody."
    ),
    tags(
        (name = "transactions", description = "Submitting transactions and their status"),
        (name = "log", description = "The RFC 9162 log: checkpoints, entries, proofs"),
        (name = "organisations", description = "Registered organisations and network facts"),
        (name = "carbon", description = "Factors, rules, footprints, certificates and labels"),
        (name = "pact", description = "Footprints as WBCSD PACT documents (v2.3, v3.0) with ledger proofs"),
        (name = "privacy", description = "Sealed envelopes of hidden footprints (signed requests)"),
        (name = "regulator", description = "Statistics and anomalies"),
        (name = "operations", description = "Health, metrics, alarms, this document"),
    ),
    components(schemas(tanji_api_types::ErrorBody))
)]
pub(crate) struct ApiDoc;

/// The document, built once from the route list.
pub fn document() -> &'static Document {
    static DOCUMENT: OnceLock<Document> = OnceLock::new();
    DOCUMENT.get_or_init(|| crate::routes::api_router().split_for_parts().1)
}
