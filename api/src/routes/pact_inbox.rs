//! The PACT events partners' hosts sent an organisation, read with requests
//! signed by its ledger key (`tanji_pact::inbox` keeps them):
//!
//! - `GET /v1/pact/inbox`: the newest events, and this node's PACT URL (the
//!   `source` to name in requests, so answers come here);
//! - `GET /v1/pact/inbox/answers/{request_id}`: the answer to one request,
//!   404 until it arrives (what `tanji pact request` polls).

use axum::extract::{Path, State};
use axum::Json;
use tanji_api_types::pact::{PactInbox, PactInboxEvent};
use tanji_api_types::privacy::SignedRequestHeaders;
use tanji_api_types::{paths, ErrorBody};
use tanji_pact::inbox::{self, Received};

use super::blocking;
use super::signed::Signed;
use crate::{ApiError, ApiState};

/// Signed reads carry no body.
const MAX_BODY: usize = 0;

fn event(r: Received) -> PactInboxEvent {
    PactInboxEvent {
        received: r.received,
        event: r.event,
    }
}

/// `GET /v1/pact/inbox`: the events partners sent the signer.
#[utoipa::path(get, path = paths::PACT_INBOX, tag = "pact",
    params(SignedRequestHeaders),
    responses(
        (status = 200, description = "The newest events, at most 1 000, oldest first, and this node's PACT URL", body = PactInbox),
        (status = 401, description = "Missing or bad request signature", body = ErrorBody),
        (status = 403, description = "The signer is revoked", body = ErrorBody),
        (status = 413, description = "A body was sent", body = ErrorBody),
    ))]
pub async fn inbox(
    State(state): State<ApiState>,
    signed: Signed<MAX_BODY>,
) -> Result<Json<PactInbox>, ApiError> {
    let pact_url = state.pact_url.get().cloned();
    blocking(&state, move |store| {
        let events = inbox::list(store, &signed.org).map_err(ApiError::internal)?;
        Ok(Json(PactInbox {
            pact_url,
            events: events.into_iter().map(event).collect(),
        }))
    })
    .await
}

/// `GET /v1/pact/inbox/answers/{request_id}`: the answer to the signer's request.
#[utoipa::path(get, path = paths::PACT_ANSWER, tag = "pact",
    params(
        ("request_id" = String, Path, description = "The RequestCreated event's id"),
        SignedRequestHeaders,
    ),
    responses(
        (status = 200, description = "The RequestFulfilled or RequestRejected event", body = PactInboxEvent),
        (status = 401, description = "Missing or bad request signature", body = ErrorBody),
        (status = 403, description = "The signer is revoked", body = ErrorBody),
        (status = 404, description = "No answer (yet)", body = ErrorBody),
        (status = 413, description = "A body was sent", body = ErrorBody),
    ))]
pub async fn answer(
    State(state): State<ApiState>,
    Path(request_id): Path<String>,
    signed: Signed<MAX_BODY>,
) -> Result<Json<PactInboxEvent>, ApiError> {
    blocking(&state, move |store| {
        match inbox::answer(store, &signed.org, &request_id).map_err(ApiError::internal)? {
            Some(r) => Ok(Json(event(r))),
            None => Err(ApiError::not_found(format!(
                "no answer to request {request_id} for organisation {} yet",
                signed.org
            ))),
        }
    })
    .await
}
