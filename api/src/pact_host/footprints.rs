//! ListFootprints and GetFootprint, v2.3 and v3.0.
//!
//! Listing walks the ledger's footprint attestations in log order and
//! serves those the mapping can express (hidden footprints without published
//! figures, and units a version cannot name, are skipped) and the filters
//! keep. A page ends after `limit` documents; when more follow, `Link: <…>;
//! rel="next"` repeats the request with `x-tanji-after=INDEX`, the log index
//! of the last document served. Attestations are only ever appended, so a
//! link names the same continuation however much the log has grown, and
//! calling it twice answers the same set (PACT v2.3 §6.6.2). Entries not yet
//! under a checkpoint cannot carry a proof and wait for the next page.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tanji_ledger::bundle::ProveError;
use tanji_pact::filter::Filter;
use tanji_pact::odata::ODataFilter;
use tanji_pact::source::{document, find_pf_id, select, DocumentError, Selection, SourceError};

use super::auth::Reader;
use super::{PactError, PactHost, Version};
use crate::routes::pact::{base_of, proof_context};

/// Documents per page when the client names no `limit`.
pub const DEFAULT_PAGE: usize = 50;
/// Most documents per page (a host MAY return fewer than asked).
pub const MAX_PAGE: usize = 100;
/// The vendor query parameter that carries the pagination cursor.
const CURSOR: &str = "x-tanji-after";
/// Longest query string read.
const MAX_QUERY: usize = 8192;

/// A parsed ListFootprints query.
struct ListQuery {
    selection: Selection,
    limit: usize,
    after: Option<u64>,
    /// The query without the cursor, to build the next link from.
    rest: Vec<(String, String)>,
}

fn parse_list_query(version: Version, raw: Option<&str>) -> Result<ListQuery, PactError> {
    let raw = raw.unwrap_or("");
    if raw.len() > MAX_QUERY {
        return Err(PactError::bad_request(format!(
            "the query string is longer than {MAX_QUERY} bytes"
        )));
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    let mut limit = DEFAULT_PAGE;
    let mut after = None;
    let mut odata = None;
    for (k, v) in &pairs {
        match k.as_str() {
            "limit" => {
                limit = match v.parse::<usize>() {
                    Ok(n) if n > 0 => n.min(MAX_PAGE),
                    _ => {
                        return Err(PactError::bad_request(format!(
                            "limit {v:?}: a positive integer"
                        )))
                    }
                }
            }
            CURSOR => {
                after = Some(v.parse::<u64>().map_err(|_| {
                    PactError::bad_request(format!("{CURSOR} {v:?}: not a cursor this host issued"))
                })?)
            }
            "$filter" if version == Version::V2 => {
                odata = Some(
                    ODataFilter::parse(v)
                        .map_err(|e| PactError::not_implemented(version, e.to_string()))?,
                )
            }
            _ => {}
        }
    }
    let criteria = match version {
        Version::V2 => Filter::default(),
        Version::V3 => Filter::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
    };
    let rest = pairs.into_iter().filter(|(k, _)| k != CURSOR).collect();
    Ok(ListQuery {
        selection: Selection {
            version: version.major(),
            criteria,
            odata,
        },
        limit,
        after,
        rest,
    })
}

async fn list(
    host: PactHost,
    version: Version,
    headers: HeaderMap,
    raw: Option<String>,
) -> Result<Response, PactError> {
    let q = parse_list_query(version, raw.as_deref())?;
    let base = base_of(&headers, "https");
    let ctx = proof_context(&host.api, base.clone());
    let store = host.api.store.clone();
    let (docs, next) = tokio::task::spawn_blocking(move || {
        select(&*store, &ctx, &q.selection, q.after, q.limit)
            .map(|(docs, next)| (docs, next.map(|after| (after, q.rest))))
    })
    .await
    .map_err(PactError::internal)?
    .map_err(PactError::internal)?;
    let mut resp = Json(serde_json::json!({ "data": docs })).into_response();
    if let Some((after, rest)) = next {
        let path = match version {
            Version::V2 => "/2/footprints",
            Version::V3 => "/3/footprints",
        };
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(rest)
            .append_pair(CURSOR, &after.to_string())
            .finish();
        let link = format!("<{base}{path}?{query}>; rel=\"next\"");
        let value = HeaderValue::from_str(&link).map_err(PactError::internal)?;
        resp.headers_mut().insert(header::LINK, value);
    }
    Ok(resp)
}

async fn get(
    host: PactHost,
    version: Version,
    headers: HeaderMap,
    id: String,
) -> Result<Json<serde_json::Value>, PactError> {
    let pf_id = tanji_pact::parse_pf_id(&id)
        .ok_or_else(|| PactError::bad_request(format!("{id:?} is not a footprint id (a UUID)")))?;
    let ctx = proof_context(&host.api, base_of(&headers, "https"));
    let store = host.api.store.clone();
    let doc = tokio::task::spawn_blocking(move || {
        let not_found = || PactError::not_found(version, "The specified footprint does not exist.");
        let tx = find_pf_id(&*store, &pf_id)
            .map_err(PactError::internal)?
            .ok_or_else(not_found)?;
        document(&*store, &ctx, &tx, version.major()).map_err(|e| match e {
            // Hidden footprints without published figures do not exist here.
            DocumentError::Map(_) | DocumentError::Source(SourceError::UnknownFootprint(_)) => {
                not_found()
            }
            DocumentError::Source(SourceError::Prove(
                ProveError::NoCheckpoint | ProveError::NotCovered(_),
            )) => PactError::not_found(
                version,
                "The specified footprint is not yet under a checkpoint; try again shortly.",
            ),
            e => PactError::internal(e),
        })
    })
    .await
    .map_err(PactError::internal)??;
    Ok(Json(serde_json::json!({ "data": doc })))
}

/// `GET /2/footprints`: ListFootprints, v2.3.
pub(super) async fn list_v2(
    State(host): State<PactHost>,
    _reader: Reader,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PactError> {
    list(host, Version::V2, headers, raw).await
}

/// `GET /3/footprints`: ListFootprints, v3.0.
pub(super) async fn list_v3(
    State(host): State<PactHost>,
    _reader: Reader,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PactError> {
    list(host, Version::V3, headers, raw).await
}

/// `GET /2/footprints/{id}`: GetFootprint, v2.3.
pub(super) async fn get_v2(
    State(host): State<PactHost>,
    _reader: Reader,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, PactError> {
    get(host, Version::V2, headers, id).await
}

/// `GET /3/footprints/{id}`: GetFootprint, v3.0.
pub(super) async fn get_v3(
    State(host): State<PactHost>,
    _reader: Reader,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, PactError> {
    get(host, Version::V3, headers, id).await
}
