//! Carbon accounting reads: factors, rules, footprints (with tree,
//! verification and impact), certificates, regulator statistics.

use std::collections::{BTreeMap, HashSet, VecDeque};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tanji_authoring::anomaly;
use tanji_ledger::carbon::tree::{verify_tree, TreeData};
use tanji_ledger::carbon::units::format_decimal;
use tanji_ledger::carbon::{
    CertificateState, CertificateStatus, Date, FactorState, FootprintState, Privacy, RecordRef,
};
use tanji_ledger::state::StateView;
use tanji_ledger::store::Store;
use tanji_ledger::validate::ViewResolver;
use tanji_ledger::TxId;
use utoipa::IntoParams;

use crate::{ApiError, ApiState};

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

/// Runs a blocking store read off the async runtime.
async fn blocking<T: Send + 'static>(
    state: &ApiState,
    f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(internal)?
}

/// kg with up to 6 decimals from mg.
pub fn mg_to_kg(mg: i64) -> String {
    format_decimal(i128::from(mg), 6)
}

fn factor_json(f: &FactorState) -> Value {
    let mut v = json!({
        "ref": f.record.reference.to_string(),
        "id": f.record.reference.id,
        "version": f.record.reference.version,
        "name": f.record.name,
        "unit": f.record.unit,
        "values_ug": f.record.values,
        "values_kg": f.record.values.0.iter().zip(tanji_ledger::carbon::Category::ALL)
            .map(|(v, c)| (c.as_str().to_string(), format_decimal(i128::from(*v), 9)))
            .collect::<BTreeMap<_, _>>(),
        "gwp": f.record.gwp,
        "region": f.record.region,
        "valid_from": f.record.valid_from,
        "valid_until": f.record.valid_until,
        "source": f.record.source,
        "notes": f.record.notes,
        "dqr": f.record.dqr,
        "supersedes": f.record.supersedes,
        "publisher": f.publisher,
        "tx": f.tx,
        "published_at": f.published_at,
    });
    merge_status(&mut v, serde_json::to_value(&f.status).unwrap_or_default());
    v
}

fn merge_status(v: &mut Value, status: Value) {
    if let (Some(obj), Value::Object(st)) = (v.as_object_mut(), status) {
        for (k, val) in st {
            let key = if k == "status" {
                k
            } else {
                format!("status_{k}")
            };
            obj.insert(key, val);
        }
    }
}

/// Whether the footprint's figures are hidden (committed and not published).
pub fn figures_hidden(f: &FootprintState) -> bool {
    matches!(&f.attestation.privacy, Privacy::Hidden(h) if h.published.is_none())
}

/// The JSON form of an attestation, with `categories` and `total_mg` at the top
/// (`null` when hidden).
pub fn footprint_json(f: &FootprintState) -> Value {
    let a = &f.attestation;
    let mut v = serde_json::to_value(a).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("id".into(), json!(f.id));
        obj.insert("author".into(), json!(f.author));
        obj.insert("at".into(), json!(f.at));
        obj.insert("categories".into(), json!(a.results.categories));
        obj.insert("stages".into(), json!(a.results.stages));
        obj.insert("total_mg".into(), json!(a.results.total_mg));
        obj.insert("packaging_mg".into(), json!(a.results.packaging_mg));
        obj.insert("total_kg".into(), json!(mg_to_kg(a.results.total_mg)));
        obj.insert("privacy_level".into(), json!(a.privacy.level()));
        obj.insert("disclosures".into(), json!(f.disclosures));
        if figures_hidden(f) {
            // A hidden footprint's figures are not zeros: they are not known.
            for key in [
                "categories",
                "stages",
                "total_mg",
                "packaging_mg",
                "total_kg",
            ] {
                obj.insert(key.into(), Value::Null);
            }
        }
    }
    merge_status(&mut v, serde_json::to_value(&f.status).unwrap_or_default());
    v
}

/// `?q=&region=&unit=&status=&limit=`.
#[derive(Deserialize, IntoParams)]
pub struct FactorQuery {
    /// Text in id, name, source or notes (case-insensitive).
    q: Option<String>,
    /// Region code (exact, case-insensitive).
    region: Option<String>,
    /// Activity unit (exact).
    unit: Option<String>,
    /// active, deprecated or revoked.
    status: Option<String>,
    /// At most this many (default 100, at most 1000).
    limit: Option<usize>,
}

/// `GET /v1/factors`: search the factor database.
#[utoipa::path(get, path = "/v1/factors", tag = "carbon", params(FactorQuery),
    responses((status = 200, description = "Matching factor versions")))]
pub async fn factors(
    State(state): State<ApiState>,
    q: Result<Query<FactorQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = query(q)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let factors = blocking(&state, |s| Ok(s.factors()?)).await?;
    let needle = q.q.as_deref().map(str::to_lowercase);
    let matches: Vec<Value> = factors
        .iter()
        .filter(|f| {
            needle.as_deref().is_none_or(|n| {
                [
                    &f.record.reference.id,
                    &f.record.name,
                    &f.record.source,
                    &f.record.notes,
                ]
                .iter()
                .any(|t| t.to_lowercase().contains(n))
            }) && q
                .region
                .as_deref()
                .is_none_or(|r| f.record.region.eq_ignore_ascii_case(r))
                && q.unit.as_deref().is_none_or(|u| f.record.unit == u)
                && q.status.as_deref().is_none_or(|s| f.status.word() == s)
        })
        .take(limit)
        .map(factor_json)
        .collect();
    Ok(Json(json!({ "factors": matches })))
}

/// `GET /v1/factors/{key}`: one version (`id@version`) or the whole history of an id.
#[utoipa::path(get, path = "/v1/factors/{key}", tag = "carbon",
    params(("key" = String, Path, description = "id@version, or id for every version")),
    responses((status = 200, description = "Factor version or history"), (status = 404, description = "Unknown")))]
pub async fn factor(
    State(state): State<ApiState>,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if key.contains('@') {
        let r: RecordRef = key.parse().map_err(ApiError::bad_request)?;
        let f = blocking(&state, move |s| StateView::factor(s, &r).map_err(internal)).await?;
        let f =
            f.ok_or_else(|| ApiError::not_found(format!("factor {key} is not on the ledger")))?;
        return Ok(Json(factor_json(&f)));
    }
    tanji_ledger::carbon::check_record_id(&key).map_err(ApiError::bad_request)?;
    let id = key.clone();
    let versions = blocking(&state, move |s| Ok(s.factor_versions(&id)?)).await?;
    if versions.is_empty() {
        return Err(ApiError::not_found(format!(
            "factor {key} is not on the ledger"
        )));
    }
    Ok(Json(
        json!({ "id": key, "versions": versions.iter().map(factor_json).collect::<Vec<_>>() }),
    ))
}

/// One footprint affected by a change upstream.
#[derive(Serialize)]
struct Affected {
    id: TxId,
    product: String,
    author: String,
    status: String,
    depth: usize,
    via: String,
}

/// Every attestation that depends on the starting ones, transitively, breadth first.
fn downstream(store: &Store, start: Vec<(TxId, String)>) -> Result<Vec<Affected>, ApiError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut queue: VecDeque<(TxId, usize, String)> =
        start.into_iter().map(|(id, via)| (id, 1, via)).collect();
    while let Some((id, depth, via)) = queue.pop_front() {
        if !seen.insert(id) || out.len() >= tanji_ledger::carbon::tree::MAX_TREE_NODES {
            continue;
        }
        let Some(fp) = StateView::footprint(store, &id).map_err(internal)? else {
            continue;
        };
        for next in store.downstream_of(&id)? {
            queue.push_back((next, depth + 1, id.to_hex()));
        }
        out.push(Affected {
            id,
            product: fp.attestation.product.name.clone(),
            author: fp.author.to_hex(),
            status: fp.status.word().to_string(),
            depth,
            via,
        });
    }
    Ok(out)
}

/// `GET /v1/factors/{ref}/affected`: every footprint that depends on a factor version.
#[utoipa::path(get, path = "/v1/factors/{key}/affected", tag = "carbon",
    params(("key" = String, Path, description = "id@version")),
    responses((status = 200, description = "Affected footprints"), (status = 404, description = "Unknown")))]
pub async fn factor_affected(
    State(state): State<ApiState>,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let r: RecordRef = key.parse().map_err(ApiError::bad_request)?;
    let out = blocking(&state, move |s| {
        let f = StateView::factor(s, &r)
            .map_err(internal)?
            .ok_or_else(|| ApiError::not_found(format!("factor {r} is not on the ledger")))?;
        let direct = s.footprints_using_factor(&r)?;
        let affected = downstream(s, direct.into_iter().map(|id| (id, r.to_string())).collect())?;
        Ok(json!({ "factor": r.to_string(), "status": f.status.word(), "status_detail": f.status, "affected": affected }))
    })
    .await?;
    Ok(Json(out))
}

/// `GET /v1/rules`.
#[utoipa::path(get, path = "/v1/rules", tag = "carbon", responses((status = 200, description = "Every rule version")))]
pub async fn rules(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let rules = blocking(&state, |s| Ok(s.rules()?)).await?;
    Ok(Json(json!({ "rules": rules })))
}

/// `GET /v1/rules/{ref}`.
#[utoipa::path(get, path = "/v1/rules/{key}", tag = "carbon",
    params(("key" = String, Path, description = "id@version")),
    responses((status = 200, description = "The rule"), (status = 404, description = "Unknown")))]
pub async fn rule(
    State(state): State<ApiState>,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let r: RecordRef = key.parse().map_err(ApiError::bad_request)?;
    let rule = blocking(&state, move |s| StateView::rule(s, &r).map_err(internal)).await?;
    let rule =
        rule.ok_or_else(|| ApiError::not_found(format!("rule {key} is not on the ledger")))?;
    Ok(Json(serde_json::to_value(rule).map_err(internal)?))
}

fn parse_tx(id: &str) -> Result<TxId, ApiError> {
    id.parse()
        .map_err(|e| ApiError::bad_request(format!("footprint id: {e}")))
}

async fn load_footprint(state: &ApiState, id: TxId) -> Result<FootprintState, ApiError> {
    blocking(state, move |s| {
        StateView::footprint(s, &id)
            .map_err(internal)?
            .ok_or_else(|| ApiError::not_found(format!("footprint {id} is not on the ledger")))
    })
    .await
}

/// `?author=&category=&status=&limit=`.
#[derive(Deserialize, IntoParams)]
pub struct FootprintQuery {
    /// Author org id.
    author: Option<String>,
    /// Product category URN.
    category: Option<String>,
    /// active, deprecated or revoked.
    status: Option<String>,
    /// At most this many (default 100, at most 1000).
    limit: Option<usize>,
}

/// `GET /v1/footprints`.
#[utoipa::path(get, path = "/v1/footprints", tag = "carbon", params(FootprintQuery),
    responses((status = 200, description = "Attestations")))]
pub async fn footprints(
    State(state): State<ApiState>,
    q: Result<Query<FootprintQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = query(q)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let all = blocking(&state, |s| Ok(s.footprints()?)).await?;
    let list: Vec<Value> = all
        .iter()
        .filter(|f| {
            q.author.as_deref().is_none_or(|a| f.author.to_hex() == a)
                && q.category
                    .as_deref()
                    .is_none_or(|c| f.attestation.product.category == c)
                && q.status.as_deref().is_none_or(|s| f.status.word() == s)
        })
        .take(limit)
        .map(footprint_json)
        .collect();
    Ok(Json(json!({ "footprints": list })))
}

/// `GET /v1/footprints/{id}`.
#[utoipa::path(get, path = "/v1/footprints/{id}", tag = "carbon",
    params(("id" = String, Path, description = "Attestation (transaction) id")),
    responses((status = 200, description = "The attestation with categories and total_mg"), (status = 404, description = "Unknown")))]
pub async fn footprint(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let f = load_footprint(&state, parse_tx(&id)?).await?;
    Ok(Json(footprint_json(&f)))
}

fn tree_json(
    data: &TreeData,
    id: &TxId,
    depth: usize,
    quantity: Option<String>,
    seen: &mut Vec<TxId>,
) -> Value {
    let Some(fp) = data.footprints.get(id) else {
        return json!({ "id": id, "status": "unknown", "depth": depth });
    };
    let mut children = Vec::new();
    let mut factors = Vec::new();
    if !seen.contains(id) && seen.len() < tanji_ledger::carbon::tree::MAX_TREE_NODES {
        seen.push(*id);
        for input in &fp.attestation.inputs {
            let amount = input.amount.map(tanji_ledger::carbon::units::format_micro);
            match &input.source {
                tanji_ledger::carbon::InputSource::Upstream(up) => {
                    children.push(tree_json(data, up, depth + 1, amount, seen));
                }
                tanji_ledger::carbon::InputSource::Factor(r) => factors.push(json!({
                    "factor": r.to_string(),
                    "name": data.factors.get(r).map(|f| f.record.name.clone()),
                    "status": data.factors.get(r).map(|f| f.status.word()).unwrap_or("unknown"),
                    "amount": amount,
                    "unit": input.unit,
                    "stage": input.stage,
                })),
            }
        }
        seen.pop();
    }
    json!({
        "id": id,
        "depth": depth,
        "product": fp.attestation.product.name,
        "author": fp.author,
        "status": fp.status.word(),
        "declared_unit": fp.attestation.declared_unit,
        "quantity": quantity,
        "privacy": fp.attestation.privacy.level(),
        "total_mg": (!figures_hidden(fp)).then_some(fp.attestation.results.total_mg),
        "total_kg": (!figures_hidden(fp)).then(|| mg_to_kg(fp.attestation.results.total_mg)),
        "factors": factors,
        "upstream": children,
    })
}

async fn collect_tree(state: &ApiState, id: TxId) -> Result<TreeData, ApiError> {
    blocking(state, move |s| {
        let network = s.network().map_err(internal)?.map(|n| n.network);
        TreeData::collect(id, &ViewResolver(s), network.as_deref().unwrap_or_default()).map_err(
            |e| match e {
                tanji_ledger::carbon::tree::TreeError::UnknownRoot(_) => {
                    ApiError::not_found(format!("footprint {id} is not on the ledger"))
                }
                other => internal(other),
            },
        )
    })
    .await
}

/// `GET /v1/footprints/{id}/tree`: the supply-chain tree, nested, plus every record it needs.
#[utoipa::path(get, path = "/v1/footprints/{id}/tree", tag = "carbon",
    params(("id" = String, Path, description = "Attestation id")),
    responses((status = 200, description = "Tree"), (status = 404, description = "Unknown")))]
pub async fn footprint_tree(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_tx(&id)?;
    let data = collect_tree(&state, id).await?;
    let tree = tree_json(&data, &id, 0, None, &mut Vec::new());
    Ok(Json(json!({ "root": id, "tree": tree, "records": data })))
}

/// `GET /v1/footprints/{id}/verify`: recompute the tree and report per node.
#[utoipa::path(get, path = "/v1/footprints/{id}/verify", tag = "carbon",
    params(("id" = String, Path, description = "Attestation id")),
    responses((status = 200, description = "Verification report with \"verified\""), (status = 404, description = "Unknown")))]
pub async fn footprint_verify(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_tx(&id)?;
    let data = collect_tree(&state, id).await?;
    let report = verify_tree(id, &data, &data.network);
    Ok(Json(serde_json::to_value(report).map_err(internal)?))
}

/// `GET /v1/footprints/{id}/affected`: every footprint depending on this one, transitively.
#[utoipa::path(get, path = "/v1/footprints/{id}/affected", tag = "carbon",
    params(("id" = String, Path, description = "Attestation id")),
    responses((status = 200, description = "Affected footprints"), (status = 404, description = "Unknown")))]
pub async fn footprint_affected(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_tx(&id)?;
    let fp = load_footprint(&state, id).await?;
    let affected = blocking(&state, move |s| {
        let direct = s.downstream_of(&id)?;
        downstream(s, direct.into_iter().map(|d| (d, id.to_hex())).collect())
    })
    .await?;
    Ok(Json(json!({
        "footprint": id,
        "status": fp.status.word(),
        "status_detail": fp.status,
        "affected": affected,
    })))
}

/// A certificate's effective status on `today`.
pub fn effective_status(c: &CertificateState, today: Date) -> &'static str {
    match c.status {
        CertificateStatus::Suspended { .. } => "suspended",
        CertificateStatus::Revoked { .. } => "revoked",
        CertificateStatus::Active if today >= c.certificate.valid_until => "expired",
        CertificateStatus::Active if today < c.certificate.valid_from => "not_yet_valid",
        CertificateStatus::Active => "valid",
    }
}

fn certificate_json(c: &CertificateState) -> Value {
    let mut v = serde_json::to_value(&c.certificate).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("issuer".into(), json!(c.issuer));
        obj.insert("tx".into(), json!(c.tx));
        obj.insert("issued_at".into(), json!(c.issued_at));
        obj.insert("recorded_status".into(), json!(c.status));
        obj.insert("status".into(), json!(effective_status(c, Date::today())));
    }
    v
}

/// `GET /v1/certificates`.
#[utoipa::path(get, path = "/v1/certificates", tag = "carbon", responses((status = 200, description = "Certificates")))]
pub async fn certificates(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let all = blocking(&state, |s| Ok(s.certificates()?)).await?;
    Ok(Json(
        json!({ "certificates": all.iter().map(certificate_json).collect::<Vec<_>>() }),
    ))
}

/// Loads a certificate or answers 404.
pub async fn load_certificate(state: &ApiState, id: String) -> Result<CertificateState, ApiError> {
    blocking(state, move |s| {
        StateView::certificate(s, &id)
            .map_err(internal)?
            .ok_or_else(|| ApiError::not_found(format!("certificate {id} is not on the ledger")))
    })
    .await
}

/// `GET /v1/certificates/{id}`.
#[utoipa::path(get, path = "/v1/certificates/{id}", tag = "carbon",
    params(("id" = String, Path, description = "Certificate id")),
    responses((status = 200, description = "Certificate"), (status = 404, description = "Unknown")))]
pub async fn certificate(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let c = load_certificate(&state, id).await?;
    Ok(Json(certificate_json(&c)))
}

/// `GET /v1/stats`: counts for regulators.
#[utoipa::path(get, path = "/v1/stats", tag = "regulator", responses((status = 200, description = "Counts")))]
pub async fn stats(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let (footprints, certificates, factors, rules, orgs) = blocking(&state, |s| {
        Ok((
            s.footprints()?,
            s.certificates()?,
            s.factors()?,
            s.rules()?,
            s.orgs()?,
        ))
    })
    .await?;
    let mut by_category: BTreeMap<String, BTreeMap<&str, u64>> = BTreeMap::new();
    for f in &footprints {
        *by_category
            .entry(f.attestation.product.category.clone())
            .or_default()
            .entry(f.status.word())
            .or_default() += 1;
    }
    let today = Date::today();
    let mut by_status: BTreeMap<&str, u64> = BTreeMap::new();
    let mut grades: BTreeMap<String, BTreeMap<u8, u64>> = BTreeMap::new();
    for c in &certificates {
        let status = effective_status(c, today);
        *by_status.entry(status).or_default() += 1;
        if status == "valid" {
            *grades
                .entry(c.certificate.rule.to_string())
                .or_default()
                .entry(c.certificate.grade)
                .or_default() += 1;
        }
    }
    Ok(Json(json!({
        "organisations": orgs.len(),
        "factors": { "total": factors.len(), "active": factors.iter().filter(|f| f.status.is_active()).count() },
        "rules": rules.len(),
        "footprints": { "total": footprints.len(), "by_category": by_category },
        "certificates": { "total": certificates.len(), "by_status": by_status },
        "grade_distribution": grades,
    })))
}

/// `?threshold=&max_drop=`.
#[derive(Deserialize, IntoParams)]
pub struct AnomalyQuery {
    /// Modified z-score above which a value is an outlier (default 3.5).
    threshold: Option<f64>,
    /// Share of decrease between consecutive versions that is flagged (default 0.3).
    max_drop: Option<f64>,
}

/// `GET /v1/anomalies`: outliers within product categories and sharp drops between versions.
#[utoipa::path(get, path = "/v1/anomalies", tag = "regulator", params(AnomalyQuery),
    responses((status = 200, description = "Outliers and drops")))]
pub async fn anomalies(
    State(state): State<ApiState>,
    q: Result<Query<AnomalyQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = query(q)?;
    let threshold = q.threshold.unwrap_or(anomaly::DEFAULT_THRESHOLD);
    let max_drop = q.max_drop.unwrap_or(0.3);
    if !(threshold.is_finite() && threshold > 0.0 && (0.0..=1.0).contains(&max_drop)) {
        return Err(ApiError::bad_request(
            "threshold must be > 0 and max_drop within 0..=1",
        ));
    }
    let all = blocking(&state, |s| Ok(s.footprints()?)).await?;
    let mut groups: BTreeMap<(String, String), Vec<&FootprintState>> = BTreeMap::new();
    for f in all.iter().filter(|f| f.status.is_active()) {
        groups
            .entry((
                f.attestation.product.category.clone(),
                f.attestation.declared_unit.clone(),
            ))
            .or_default()
            .push(f);
    }
    let mut outliers = Vec::new();
    for ((category, unit), members) in &groups {
        let values: Vec<i64> = members
            .iter()
            .map(|f| f.attestation.results.total_mg)
            .collect();
        for o in anomaly::outliers(&values, threshold) {
            let f = members[o.index];
            outliers.push(json!({
                "footprint": f.id, "product": f.attestation.product.name, "category": category,
                "declared_unit": unit, "total_mg": o.value, "score": o.score, "group_size": values.len(),
            }));
        }
    }
    let by_id: BTreeMap<TxId, &FootprintState> = all.iter().map(|f| (f.id, f)).collect();
    let mut drops = Vec::new();
    for f in &all {
        let Some(prev_id) = f.attestation.supersedes else {
            continue;
        };
        let Some(prev) = by_id.get(&prev_id) else {
            continue;
        };
        if let Some(d) = anomaly::drop_between(
            prev.attestation.results.total_mg,
            f.attestation.results.total_mg,
            max_drop,
        ) {
            drops.push(json!({
                "footprint": f.id, "supersedes": prev_id, "product": f.attestation.product.name,
                "previous_mg": d.previous, "current_mg": d.current, "share": d.share,
            }));
        }
    }
    Ok(Json(
        json!({ "threshold": threshold, "max_drop": max_drop, "outliers": outliers, "drops": drops }),
    ))
}

/// `?factors=a@1,b@2&footprints=ID,ID&rules=r@1`.
#[derive(Deserialize, IntoParams)]
pub struct ResolveQuery {
    /// Comma-separated factor versions.
    factors: Option<String>,
    /// Comma-separated attestation ids.
    footprints: Option<String>,
    /// Comma-separated rule versions.
    rules: Option<String>,
}

/// Most records one `GET /v1/resolve` returns.
const MAX_RESOLVE: usize = 1000;

/// `GET /v1/resolve`: the ledger records a client needs to compute or check a
/// footprint itself, in the ledger's own form (what `tanji footprint compute` uses).
#[utoipa::path(get, path = "/v1/resolve", tag = "carbon", params(ResolveQuery),
    responses((status = 200, description = "Records found (missing ones are absent)"), (status = 400, description = "Bad reference")))]
pub async fn resolve(
    State(state): State<ApiState>,
    q: Result<Query<ResolveQuery>, QueryRejection>,
) -> Result<Json<TreeData>, ApiError> {
    let q = query(q)?;
    let split = |s: &Option<String>| -> Vec<String> {
        s.as_deref()
            .map(|s| {
                s.split(',')
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (factors, footprints, rules) = (split(&q.factors), split(&q.footprints), split(&q.rules));
    if factors.len() + footprints.len() + rules.len() > MAX_RESOLVE {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_RESOLVE} records per request"
        )));
    }
    let factors = factors
        .iter()
        .map(|f| f.parse::<RecordRef>().map_err(ApiError::bad_request))
        .collect::<Result<Vec<_>, _>>()?;
    let rules = rules
        .iter()
        .map(|f| f.parse::<RecordRef>().map_err(ApiError::bad_request))
        .collect::<Result<Vec<_>, _>>()?;
    let footprints = footprints
        .iter()
        .map(|f| parse_tx(f))
        .collect::<Result<Vec<_>, _>>()?;
    let data = blocking(&state, move |s| {
        let mut data = TreeData::default();
        for r in factors {
            if let Some(f) = StateView::factor(s, &r).map_err(internal)? {
                data.factors.insert(r, f);
            }
        }
        for r in rules {
            if let Some(f) = StateView::rule(s, &r).map_err(internal)? {
                data.rules.insert(r, f);
            }
        }
        for id in footprints {
            if let Some(f) = StateView::footprint(s, &id).map_err(internal)? {
                data.footprints.insert(id, f);
            }
        }
        Ok(data)
    })
    .await?;
    Ok(Json(data))
}
