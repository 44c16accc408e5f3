//! `GET /v1/search`: one search box over the ledger, for the platform's
//! header and anyone holding a product's barcode, a certificate number or a
//! transaction id.
//!
//! Exact id matches (a product id, an org id, a certificate id, a
//! transaction id, a factor or rule reference) come first; then parts of
//! names, in ledger order. A GTIN may be typed as its digits alone: they
//! match `urn:gtin:` ids with or without leading zeros (GTIN-8/12/13 are
//! GTIN-14 padded with zeros).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use tanji_api_types::search::{
    HitKind, SearchHit, SearchQuery, SearchResults, MAX_SEARCH_HITS, MAX_SEARCH_QUERY,
};
use tanji_api_types::{paths, ErrorBody};
use tanji_ledger::state::StateView;
use tanji_ledger::{OrgId, TxId};

use super::{blocking, query};
use crate::{ApiError, ApiState};

/// `GET /v1/search?q=`.
#[utoipa::path(get, path = paths::SEARCH, tag = "carbon", params(SearchQuery),
    responses((status = 200, description = "Hits, exact id matches first", body = SearchResults),
              (status = 400, description = "Empty or too long a query", body = ErrorBody)))]
pub async fn search(
    State(state): State<ApiState>,
    q: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    let raw = query(q)?.q;
    // The limit applies to what was sent, as the document states it; only
    // then is the query trimmed. A query of spaces alone is valid and finds
    // nothing.
    let length = raw.chars().count();
    if length == 0 || length > MAX_SEARCH_QUERY {
        return Err(ApiError::bad_request(format!(
            "q must be 1 to {MAX_SEARCH_QUERY} characters (it has {length})"
        )));
    }
    let q = raw.trim().to_string();
    if q.is_empty() {
        return Ok(Json(SearchResults {
            q,
            hits: Vec::new(),
            truncated: false,
        }));
    }
    let needle = Needle::new(&q);
    let mut hits = blocking(&state, move |s| {
        let mut hits = Hits::default();
        collect(s, &needle, &mut hits)?;
        Ok(hits)
    })
    .await?;
    let truncated = hits.exact.len() + hits.partial.len() > MAX_SEARCH_HITS;
    hits.exact.append(&mut hits.partial);
    hits.exact.truncate(MAX_SEARCH_HITS);
    Ok(Json(SearchResults {
        q,
        hits: hits.exact,
        truncated,
    }))
}

/// The query in the forms it is compared in.
struct Needle {
    /// Lower case.
    lower: String,
    /// The GTIN digits without leading zeros, when the query is a GTIN.
    gtin: Option<String>,
}

impl Needle {
    fn new(q: &str) -> Self {
        let lower = q.to_lowercase();
        let digits = lower.strip_prefix("urn:gtin:").unwrap_or(&lower);
        let gtin = (matches!(digits.len(), 8 | 12 | 13 | 14)
            && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.trim_start_matches('0').to_string());
        Needle { lower, gtin }
    }

    /// Whether `id` (a product id) is the one asked for.
    fn is_product_id(&self, id: &str) -> bool {
        let id = id.to_lowercase();
        if id == self.lower {
            return true;
        }
        match (&self.gtin, id.strip_prefix("urn:gtin:")) {
            (Some(g), Some(digits)) => digits.trim_start_matches('0') == g,
            _ => false,
        }
    }

    fn in_text(&self, text: &str) -> bool {
        text.to_lowercase().contains(&self.lower)
    }
}

#[derive(Default)]
struct Hits {
    exact: Vec<SearchHit>,
    partial: Vec<SearchHit>,
}

impl Hits {
    fn push(&mut self, kind: HitKind, id: String, title: String, detail: String, exact: bool) {
        let hit = SearchHit {
            kind,
            id,
            title,
            detail,
            exact,
        };
        if exact {
            self.exact.push(hit)
        } else {
            self.partial.push(hit)
        }
    }

    /// Enough found: the answer is cut at [`MAX_SEARCH_HITS`] (one more
    /// tells that it was cut).
    fn full(&self) -> bool {
        self.exact.len() + self.partial.len() > MAX_SEARCH_HITS
    }
}

fn collect(s: &dyn crate::ApiLedger, n: &Needle, hits: &mut Hits) -> Result<(), ApiError> {
    let mut footprint_ids = std::collections::HashSet::new();
    if let Ok(id) = n.lower.parse::<TxId>() {
        if let Some(f) = StateView::footprint(s, &id)? {
            footprint_ids.insert(id);
            hits.push(
                HitKind::Footprint,
                id.to_hex(),
                f.attestation.product.name.clone(),
                "transaction id".into(),
                true,
            );
        } else if let Some(index) = s.tx_index(&id)? {
            let kind = s
                .entry(index)?
                .and_then(|b| tanji_ledger::tx::SignedTx::decode(&b).ok())
                .map_or("transaction", |tx| tx.body.kind.name());
            hits.push(
                HitKind::Transaction,
                id.to_hex(),
                kind.to_string(),
                format!("log entry {index}"),
                true,
            );
        }
    }
    if let Ok(id) = n.lower.parse::<OrgId>() {
        if let Some(o) = StateView::org(s, &id)? {
            hits.push(
                HitKind::Organisation,
                id.to_string(),
                o.record.name,
                "organisation id".into(),
                true,
            );
        }
    }
    for (id, o) in s.orgs()? {
        if hits.full() {
            return Ok(());
        }
        let exact = o.record.company_id.to_lowercase() == n.lower;
        if exact || n.in_text(&o.record.name) || n.in_text(&o.record.company_id) {
            let detail = o.record.company_id.clone();
            hits.push(
                HitKind::Organisation,
                id.to_string(),
                o.record.name,
                detail,
                exact,
            );
        }
    }
    for c in s.certificates()? {
        if hits.full() {
            return Ok(());
        }
        let exact = c.certificate.id.to_lowercase() == n.lower;
        if exact || n.in_text(&c.certificate.id) {
            hits.push(
                HitKind::Certificate,
                c.certificate.id.clone(),
                c.certificate.id.clone(),
                format!("grade {} under {}", c.certificate.grade, c.certificate.rule),
                exact,
            );
        }
    }
    for f in s.footprints()? {
        if hits.full() {
            return Ok(());
        }
        if footprint_ids.contains(&f.id) {
            continue;
        }
        let product = &f.attestation.product;
        let by_id = product.ids.iter().find(|id| n.is_product_id(id));
        if let Some(id) = by_id {
            hits.push(
                HitKind::Footprint,
                f.id.to_hex(),
                product.name.clone(),
                id.clone(),
                true,
            );
        } else if n.in_text(&product.name) || product.ids.iter().any(|id| n.in_text(id)) {
            hits.push(
                HitKind::Footprint,
                f.id.to_hex(),
                product.name.clone(),
                product.ids.join(", "),
                false,
            );
        }
    }
    for f in s.factors()? {
        if hits.full() {
            return Ok(());
        }
        let reference = f.record.reference.to_string();
        let exact = reference.to_lowercase() == n.lower;
        if exact || n.in_text(&reference) || n.in_text(&f.record.name) {
            let detail = format!("{}, {}", f.record.unit, f.record.region);
            hits.push(HitKind::Factor, reference, f.record.name, detail, exact);
        }
    }
    for r in s.rules()? {
        if hits.full() {
            return Ok(());
        }
        let reference = r.rule.reference.to_string();
        let exact = reference.to_lowercase() == n.lower;
        if exact || n.in_text(&reference) || n.in_text(&r.rule.name) {
            let detail = r.rule.category.clone();
            hits.push(HitKind::Rule, reference, r.rule.name, detail, exact);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Needle;

    #[test]
    fn gtin_digits_match_the_urn_with_or_without_padding() {
        let n = Needle::new("06901234567892");
        assert!(n.is_product_id("urn:gtin:06901234567892"));
        assert!(n.is_product_id("urn:gtin:6901234567892"));
        assert!(!n.is_product_id("urn:gtin:06901234567893"));
        let n = Needle::new("6901234567892");
        assert!(n.is_product_id("urn:gtin:06901234567892"));
        let n = Needle::new("URN:GTIN:06901234567892");
        assert!(n.is_product_id("urn:gtin:06901234567892"));
    }

    #[test]
    fn other_urns_match_exactly_and_case_insensitively() {
        let n = Needle::new("urn:tanji:demo:product:x14-panel-14in");
        assert!(n.is_product_id("urn:tanji:demo:product:X14-panel-14in"));
        assert!(!n.is_product_id("urn:tanji:demo:product:x14-panel"));
        assert!(Needle::new("123").gtin.is_none());
    }
}
