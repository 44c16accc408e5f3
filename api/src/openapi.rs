//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::OpenApi;

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tanji REST API",
        version = "1",
        description = "Verifiable ledger of product carbon footprints: transactions, the Merkle log and its proofs, organisations."
    ),
    paths(
        routes::tx::submit,
        routes::tx::status,
        routes::tx::bundle,
        routes::log::checkpoint,
        routes::log::entries,
        routes::log::inclusion,
        routes::log::consistency,
        routes::orgs::list,
        routes::orgs::one,
        routes::orgs::network,
        routes::ops::health,
        routes::ops::alarms,
        routes::ops::metrics,
        routes::envelopes::deposit,
        routes::envelopes::fetch,
        routes::envelopes::purge,
    ),
    components(schemas(
        routes::SubmitResponse,
        routes::TxStatus,
        routes::StatusError,
        routes::CheckpointRef,
        routes::InclusionProof,
        routes::ConsistencyProof,
        routes::Entry,
        routes::EntriesPage,
        routes::Org,
        routes::NetworkView,
        routes::ObserverView,
        routes::ops::Health,
        routes::ops::Alarms,
        crate::Alarm,
    ))
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_lists_every_route() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        for path in [
            "/v1/tx",
            "/v1/tx/{id}",
            "/v1/tx/{id}/bundle",
            "/v1/checkpoint",
            "/v1/entries",
            "/v1/proof/inclusion",
            "/v1/proof/consistency",
            "/v1/orgs",
            "/v1/orgs/{id}",
            "/v1/network",
            "/health",
            "/metrics",
        ] {
            assert!(
                doc["paths"].get(path).is_some(),
                "{path} missing from OpenAPI"
            );
        }
    }
}
