//! Carbon accounting reads: factors, rules, footprints (with tree,
//! verification and impact), certificates, regulator statistics.

use std::collections::{BTreeMap, HashSet, VecDeque};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use tanji_api_types::carbon::{
    Affected, Anomalies, AnomalyQuery, CertificateCounts, CertificateList, CertificateView,
    FactorCounts, FactorHistory, FactorImpact, FactorList, FactorLookup, FactorQuery, FactorView,
    FootprintCounts, FootprintImpact, FootprintList, FootprintQuery, FootprintTree, FootprintView,
    KgPerCategory, Outlier, PrivacyLevel, ResolveQuery, RuleList, Standing, Stats, TreeFactor,
    TreeNodeView, Validity, VerifyReport, VersionDrop, DEFAULT_LIST, MAX_LIST,
    MAX_RESOLVE_PER_KIND,
};
use tanji_api_types::{paths, ErrorBody};
use tanji_authoring::anomaly;
use tanji_ledger::carbon::tree::{verify_tree, TreeData, TreeError, MAX_TREE_NODES};
use tanji_ledger::carbon::units::{format_decimal, format_micro};
use tanji_ledger::carbon::{
    Category, CertificateState, CertificateStatus, Date, FactorState, FootprintState, InputSource,
    Privacy, RecordRef, RuleState,
};
use tanji_ledger::state::StateView;
use tanji_ledger::validate::ViewResolver;
use tanji_ledger::TxId;

use super::{blocking, query};
use crate::ApiLedger;
use crate::{ApiError, ApiState};

/// kg with up to 6 decimals from mg.
pub fn mg_to_kg(mg: i64) -> String {
    tanji_ledger::carbon::units::format_kg(i128::from(mg))
}

fn factor_view(f: &FactorState) -> FactorView {
    let kg = |c: Category| format_decimal(i128::from(f.record.values.get(c)), 9);
    FactorView {
        id: f.record.reference.id.clone(),
        version: f.record.reference.version,
        values_kg: KgPerCategory {
            fossil: kg(Category::Fossil),
            biogenic: kg(Category::Biogenic),
            biogenic_removals: kg(Category::BiogenicRemovals),
            luc: kg(Category::Luc),
            aircraft: kg(Category::Aircraft),
        },
        record: f.record.clone(),
        publisher: f.publisher,
        tx: f.tx,
        published_at: f.published_at,
        status: Standing::of(&f.status),
        status_detail: f.status.clone(),
    }
}

/// Whether the footprint's figures are hidden (committed and not published).
pub fn figures_hidden(f: &FootprintState) -> bool {
    matches!(&f.attestation.privacy, Privacy::Hidden(h) if h.published.is_none())
}

fn footprint_view(f: &FootprintState) -> FootprintView {
    let a = &f.attestation;
    // A hidden footprint's figures are not zeros: they are not known.
    let known = !figures_hidden(f);
    FootprintView {
        id: f.id,
        author: f.author,
        at: f.at,
        attestation: a.clone(),
        status: Standing::of(&f.status),
        status_detail: f.status.clone(),
        privacy_level: PrivacyLevel::of(&a.privacy),
        disclosures: f.disclosures.clone(),
        categories: known.then_some(a.results.categories),
        stages: known.then_some(a.results.stages),
        total_mg: known.then_some(a.results.total_mg),
        packaging_mg: known.then_some(a.results.packaging_mg),
        total_kg: known.then(|| mg_to_kg(a.results.total_mg)),
    }
}

/// A list's `limit`: 1 to [`MAX_LIST`], [`DEFAULT_LIST`] when absent.
fn limit(requested: Option<usize>) -> Result<usize, ApiError> {
    match requested {
        None => Ok(DEFAULT_LIST),
        Some(n) if (1..=MAX_LIST).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::bad_request(format!(
            "limit must be 1 to {MAX_LIST}, not {n}"
        ))),
    }
}

/// `GET /v1/factors`: search the factor database.
#[utoipa::path(get, path = paths::FACTORS, tag = "carbon", params(FactorQuery),
    responses(
        (status = 200, description = "Matching factor versions", body = FactorList),
        (status = 400, description = "Bad query", body = ErrorBody),
    ))]
pub async fn factors(
    State(state): State<ApiState>,
    q: Result<Query<FactorQuery>, QueryRejection>,
) -> Result<Json<FactorList>, ApiError> {
    let q = query(q)?;
    let limit = limit(q.limit)?;
    let factors = blocking(&state, |s| Ok(s.factors()?)).await?;
    let needle = q.q.as_deref().map(str::to_lowercase);
    let factors = factors
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
                && q.status.is_none_or(|s| Standing::of(&f.status) == s)
        })
        .take(limit)
        .map(factor_view)
        .collect();
    Ok(Json(FactorList { factors }))
}

/// `GET /v1/factors/{key}`: one version (`id@version`) or the whole history of an id.
#[utoipa::path(get, path = paths::FACTOR, tag = "carbon",
    params(("key" = String, Path, description = "id@version, or id for every version",
        pattern = "^[A-Za-z0-9_.:-]{1,96}(@[1-9][0-9]{0,8})?$")),
    responses(
        (status = 200, description = "Factor version or history", body = FactorLookup),
        (status = 400, description = "Not a factor reference", body = ErrorBody),
        (status = 404, description = "Unknown", body = ErrorBody),
    ))]
pub async fn factor(
    State(state): State<ApiState>,
    Path(key): Path<String>,
) -> Result<Json<FactorLookup>, ApiError> {
    if key.contains('@') {
        let r: RecordRef = key.parse().map_err(ApiError::bad_request)?;
        let f = blocking(&state, move |s| Ok(StateView::factor(s, &r)?)).await?;
        let f =
            f.ok_or_else(|| ApiError::not_found(format!("factor {key} is not on the ledger")))?;
        return Ok(Json(FactorLookup::Version(Box::new(factor_view(&f)))));
    }
    tanji_ledger::carbon::check_record_id(&key).map_err(ApiError::bad_request)?;
    let id = key.clone();
    let versions = blocking(&state, move |s| Ok(s.factor_versions(&id)?)).await?;
    if versions.is_empty() {
        return Err(ApiError::not_found(format!(
            "factor {key} is not on the ledger"
        )));
    }
    Ok(Json(FactorLookup::History(FactorHistory {
        id: key,
        versions: versions.iter().map(factor_view).collect(),
    })))
}

/// Every attestation that depends on the starting ones, transitively, breadth first.
fn downstream(
    store: &dyn ApiLedger,
    start: Vec<(TxId, String)>,
) -> Result<Vec<Affected>, ApiError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut queue: VecDeque<(TxId, usize, String)> =
        start.into_iter().map(|(id, via)| (id, 1, via)).collect();
    while let Some((id, depth, via)) = queue.pop_front() {
        if !seen.insert(id) || out.len() >= MAX_TREE_NODES {
            continue;
        }
        let Some(fp) = StateView::footprint(store, &id)? else {
            continue;
        };
        for next in store.downstream_of(&id)? {
            queue.push_back((next, depth + 1, id.to_hex()));
        }
        out.push(Affected {
            id,
            product: fp.attestation.product.name.clone(),
            author: fp.author,
            status: Standing::of(&fp.status),
            depth,
            via,
        });
    }
    Ok(out)
}

/// `GET /v1/factors/{key}/affected`: every footprint that depends on a factor version.
#[utoipa::path(get, path = paths::FACTOR_AFFECTED, tag = "carbon",
    params(("key" = RecordRef, Path, description = "id@version")),
    responses(
        (status = 200, description = "Affected footprints", body = FactorImpact),
        (status = 400, description = "Not a factor reference", body = ErrorBody),
        (status = 404, description = "Unknown", body = ErrorBody),
    ))]
pub async fn factor_affected(
    State(state): State<ApiState>,
    Path(key): Path<String>,
) -> Result<Json<FactorImpact>, ApiError> {
    let r: RecordRef = key.parse().map_err(ApiError::bad_request)?;
    let out = blocking(&state, move |s| {
        let f = StateView::factor(s, &r)?
            .ok_or_else(|| ApiError::not_found(format!("factor {r} is not on the ledger")))?;
        let direct = s.footprints_using_factor(&r)?;
        let affected = downstream(
            s,
            direct.into_iter().map(|id| (id, r.to_string())).collect(),
        )?;
        Ok(FactorImpact {
            factor: r,
            status: Standing::of(&f.status),
            status_detail: f.status,
            affected,
        })
    })
    .await?;
    Ok(Json(out))
}

/// `GET /v1/rules`.
#[utoipa::path(get, path = paths::RULES, tag = "carbon",
    responses((status = 200, description = "Every rule version", body = RuleList)))]
pub async fn rules(State(state): State<ApiState>) -> Result<Json<RuleList>, ApiError> {
    let rules = blocking(&state, |s| Ok(s.rules()?)).await?;
    Ok(Json(RuleList { rules }))
}

/// `GET /v1/rules/{key}`.
#[utoipa::path(get, path = paths::RULE, tag = "carbon",
    params(("key" = RecordRef, Path, description = "id@version")),
    responses(
        (status = 200, description = "The rule", body = RuleState),
        (status = 400, description = "Not a rule reference", body = ErrorBody),
        (status = 404, description = "Unknown", body = ErrorBody),
    ))]
pub async fn rule(
    State(state): State<ApiState>,
    Path(key): Path<String>,
) -> Result<Json<RuleState>, ApiError> {
    let r: RecordRef = key.parse().map_err(ApiError::bad_request)?;
    let rule = blocking(&state, move |s| Ok(StateView::rule(s, &r)?)).await?;
    let rule =
        rule.ok_or_else(|| ApiError::not_found(format!("rule {key} is not on the ledger")))?;
    Ok(Json(rule))
}

pub(crate) fn parse_tx(id: &str) -> Result<TxId, ApiError> {
    id.parse()
        .map_err(|e| ApiError::bad_request(format!("footprint id: {e}")))
}

async fn load_footprint(state: &ApiState, id: TxId) -> Result<FootprintState, ApiError> {
    blocking(state, move |s| {
        StateView::footprint(s, &id)?
            .ok_or_else(|| ApiError::not_found(format!("footprint {id} is not on the ledger")))
    })
    .await
}

/// `GET /v1/footprints`.
#[utoipa::path(get, path = paths::FOOTPRINTS, tag = "carbon", params(FootprintQuery),
    responses(
        (status = 200, description = "Attestations", body = FootprintList),
        (status = 400, description = "Bad query", body = ErrorBody),
    ))]
pub async fn footprints(
    State(state): State<ApiState>,
    q: Result<Query<FootprintQuery>, QueryRejection>,
) -> Result<Json<FootprintList>, ApiError> {
    let q = query(q)?;
    let limit = limit(q.limit)?;
    let all = blocking(&state, |s| Ok(s.footprints()?)).await?;
    let footprints = all
        .iter()
        .filter(|f| {
            q.author.is_none_or(|a| f.author == a)
                && q.category
                    .as_deref()
                    .is_none_or(|c| f.attestation.product.category == c)
                && q.status.is_none_or(|s| Standing::of(&f.status) == s)
        })
        .take(limit)
        .map(footprint_view)
        .collect();
    Ok(Json(FootprintList { footprints }))
}

/// `GET /v1/footprints/{id}`.
#[utoipa::path(get, path = paths::FOOTPRINT, tag = "carbon",
    params(("id" = TxId, Path, description = "Attestation (transaction) id")),
    responses(
        (status = 200, description = "The attestation with its status and figures", body = FootprintView),
        (status = 400, description = "Not an attestation id", body = ErrorBody),
        (status = 404, description = "Unknown", body = ErrorBody),
    ))]
pub async fn footprint(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<FootprintView>, ApiError> {
    let f = load_footprint(&state, parse_tx(&id)?).await?;
    Ok(Json(footprint_view(&f)))
}

fn tree_node(
    data: &TreeData,
    id: &TxId,
    depth: usize,
    quantity: Option<String>,
    seen: &mut Vec<TxId>,
) -> TreeNodeView {
    let Some(fp) = data.footprints.get(id) else {
        return TreeNodeView {
            id: *id,
            depth,
            status: "unknown".into(),
            product: None,
            author: None,
            declared_unit: None,
            privacy: None,
            quantity,
            total_mg: None,
            total_kg: None,
            factors: Vec::new(),
            upstream: Vec::new(),
        };
    };
    let mut upstream = Vec::new();
    let mut factors = Vec::new();
    if !seen.contains(id) && seen.len() < MAX_TREE_NODES {
        seen.push(*id);
        for input in &fp.attestation.inputs {
            let amount = input.amount.map(format_micro);
            match &input.source {
                InputSource::Upstream(up) => {
                    upstream.push(tree_node(data, up, depth + 1, amount, seen));
                }
                InputSource::Factor(r) => factors.push(TreeFactor {
                    factor: r.clone(),
                    name: data.factors.get(r).map(|f| f.record.name.clone()),
                    status: data
                        .factors
                        .get(r)
                        .map(|f| f.status.word())
                        .unwrap_or("unknown")
                        .to_string(),
                    amount,
                    unit: input.unit.clone(),
                    stage: input.stage,
                }),
            }
        }
        seen.pop();
    }
    let known = !figures_hidden(fp);
    TreeNodeView {
        id: *id,
        depth,
        status: fp.status.word().to_string(),
        product: Some(fp.attestation.product.name.clone()),
        author: Some(fp.author),
        declared_unit: Some(fp.attestation.declared_unit.clone()),
        privacy: Some(PrivacyLevel::of(&fp.attestation.privacy)),
        quantity,
        total_mg: known.then_some(fp.attestation.results.total_mg),
        total_kg: known.then(|| mg_to_kg(fp.attestation.results.total_mg)),
        factors,
        upstream,
    }
}

async fn collect_tree(state: &ApiState, id: TxId) -> Result<TreeData, ApiError> {
    blocking(state, move |s| {
        let network = s.network()?.map(|n| n.network);
        TreeData::collect(id, &ViewResolver(s), network.as_deref().unwrap_or_default()).map_err(
            |e| match e {
                TreeError::UnknownRoot(_) => {
                    ApiError::not_found(format!("footprint {id} is not on the ledger"))
                }
                other => ApiError::internal(other),
            },
        )
    })
    .await
}

/// `GET /v1/footprints/{id}/tree`: the supply-chain tree, nested, plus every record it needs.
#[utoipa::path(get, path = paths::FOOTPRINT_TREE, tag = "carbon",
    params(("id" = TxId, Path, description = "Attestation id")),
    responses(
        (status = 200, description = "The tree and its records", body = FootprintTree),
        (status = 400, description = "Not an attestation id", body = ErrorBody),
        (status = 404, description = "Unknown", body = ErrorBody),
    ))]
pub async fn footprint_tree(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<FootprintTree>, ApiError> {
    let id = parse_tx(&id)?;
    let records = collect_tree(&state, id).await?;
    let tree = tree_node(&records, &id, 0, None, &mut Vec::new());
    Ok(Json(FootprintTree {
        root: id,
        tree,
        records,
    }))
}

/// `GET /v1/footprints/{id}/verify`: recompute the tree and report per node.
#[utoipa::path(get, path = paths::FOOTPRINT_VERIFY, tag = "carbon",
    params(("id" = TxId, Path, description = "Attestation id")),
    responses(
        (status = 200, description = "Verification report; `verified` is the verdict", body = VerifyReport),
        (status = 400, description = "Not an attestation id", body = ErrorBody),
        (status = 404, description = "Unknown", body = ErrorBody),
    ))]
pub async fn footprint_verify(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<VerifyReport>, ApiError> {
    let id = parse_tx(&id)?;
    let data = collect_tree(&state, id).await?;
    Ok(Json(verify_tree(id, &data, &data.network)))
}

/// `GET /v1/footprints/{id}/affected`: every footprint depending on this one, transitively.
#[utoipa::path(get, path = paths::FOOTPRINT_AFFECTED, tag = "carbon",
    params(("id" = TxId, Path, description = "Attestation id")),
    responses(
        (status = 200, description = "Affected footprints", body = FootprintImpact),
        (status = 400, description = "Not an attestation id", body = ErrorBody),
        (status = 404, description = "Unknown", body = ErrorBody),
    ))]
pub async fn footprint_affected(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<FootprintImpact>, ApiError> {
    let id = parse_tx(&id)?;
    let fp = load_footprint(&state, id).await?;
    let affected = blocking(&state, move |s| {
        let direct = s.downstream_of(&id)?;
        downstream(s, direct.into_iter().map(|d| (d, id.to_hex())).collect())
    })
    .await?;
    Ok(Json(FootprintImpact {
        footprint: id,
        status: Standing::of(&fp.status),
        status_detail: fp.status,
        affected,
    }))
}

/// A certificate's validity on `today`.
pub fn validity(c: &CertificateState, today: Date) -> Validity {
    match c.status {
        CertificateStatus::Suspended { .. } => Validity::Suspended,
        CertificateStatus::Revoked { .. } => Validity::Revoked,
        CertificateStatus::Active if today >= c.certificate.valid_until => Validity::Expired,
        CertificateStatus::Active if today < c.certificate.valid_from => Validity::NotYetValid,
        CertificateStatus::Active => Validity::Valid,
    }
}

fn certificate_view(c: &CertificateState) -> CertificateView {
    CertificateView {
        certificate: c.certificate.clone(),
        issuer: c.issuer,
        tx: c.tx,
        issued_at: c.issued_at,
        recorded_status: c.status.clone(),
        status: validity(c, Date::today()),
    }
}

/// `GET /v1/certificates`.
#[utoipa::path(get, path = paths::CERTIFICATES, tag = "carbon",
    responses((status = 200, description = "Certificates", body = CertificateList)))]
pub async fn certificates(
    State(state): State<ApiState>,
) -> Result<Json<CertificateList>, ApiError> {
    let all = blocking(&state, |s| Ok(s.certificates()?)).await?;
    Ok(Json(CertificateList {
        certificates: all.iter().map(certificate_view).collect(),
    }))
}

/// Loads a certificate or answers 404.
pub async fn load_certificate(state: &ApiState, id: String) -> Result<CertificateState, ApiError> {
    blocking(state, move |s| {
        StateView::certificate(s, &id)?
            .ok_or_else(|| ApiError::not_found(format!("certificate {id} is not on the ledger")))
    })
    .await
}

/// `GET /v1/certificates/{id}`.
#[utoipa::path(get, path = paths::CERTIFICATE, tag = "carbon",
    params(("id" = String, Path, description = "Certificate id", pattern = "^[A-Za-z0-9._-]{1,64}$")),
    responses(
        (status = 200, description = "Certificate", body = CertificateView),
        (status = 404, description = "Unknown", body = ErrorBody),
    ))]
pub async fn certificate(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<CertificateView>, ApiError> {
    let c = load_certificate(&state, id).await?;
    Ok(Json(certificate_view(&c)))
}

/// `GET /v1/stats`: counts for regulators.
#[utoipa::path(get, path = paths::STATS, tag = "regulator",
    responses((status = 200, description = "Counts", body = Stats)))]
pub async fn stats(State(state): State<ApiState>) -> Result<Json<Stats>, ApiError> {
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
    let mut by_category: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for f in &footprints {
        *by_category
            .entry(f.attestation.product.category.clone())
            .or_default()
            .entry(f.status.word().to_string())
            .or_default() += 1;
    }
    let today = Date::today();
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    let mut grades: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for c in &certificates {
        let status = validity(c, today);
        *by_status.entry(status.as_str().to_string()).or_default() += 1;
        if status == Validity::Valid {
            *grades
                .entry(c.certificate.rule.to_string())
                .or_default()
                .entry(c.certificate.grade.to_string())
                .or_default() += 1;
        }
    }
    Ok(Json(Stats {
        organisations: orgs.len(),
        factors: FactorCounts {
            total: factors.len(),
            active: factors.iter().filter(|f| f.status.is_active()).count(),
        },
        rules: rules.len(),
        footprints: FootprintCounts {
            total: footprints.len(),
            by_category,
        },
        certificates: CertificateCounts {
            total: certificates.len(),
            by_status,
        },
        grade_distribution: grades,
    }))
}

/// Default share of decrease between versions that is flagged.
const DEFAULT_MAX_DROP: f64 = 0.3;

/// `GET /v1/anomalies`: outliers within product categories and sharp drops between versions.
#[utoipa::path(get, path = paths::ANOMALIES, tag = "regulator", params(AnomalyQuery),
    responses(
        (status = 200, description = "Outliers and drops", body = Anomalies),
        (status = 400, description = "Bad threshold or share", body = ErrorBody),
    ))]
pub async fn anomalies(
    State(state): State<ApiState>,
    q: Result<Query<AnomalyQuery>, QueryRejection>,
) -> Result<Json<Anomalies>, ApiError> {
    let q = query(q)?;
    let threshold = q.threshold.unwrap_or(anomaly::DEFAULT_THRESHOLD);
    let max_drop = q.max_drop.unwrap_or(DEFAULT_MAX_DROP);
    if !(threshold.is_finite() && threshold > 0.0 && (0.0..=1.0).contains(&max_drop)) {
        return Err(ApiError::bad_request(
            "threshold must be > 0 and max_drop within 0..=1",
        ));
    }
    let all = blocking(&state, |s| Ok(s.footprints()?)).await?;
    let mut groups: BTreeMap<(String, String), Vec<&FootprintState>> = BTreeMap::new();
    // Hidden figures are unknown, not zeros: they take no part.
    for f in all
        .iter()
        .filter(|f| f.status.is_active() && !figures_hidden(f))
    {
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
            outliers.push(Outlier {
                footprint: f.id,
                product: f.attestation.product.name.clone(),
                category: category.clone(),
                declared_unit: unit.clone(),
                total_mg: o.value,
                score: o.score,
                group_size: values.len(),
            });
        }
    }
    let by_id: BTreeMap<TxId, &FootprintState> = all.iter().map(|f| (f.id, f)).collect();
    let mut drops = Vec::new();
    for f in all.iter().filter(|f| !figures_hidden(f)) {
        let Some(prev_id) = f.attestation.supersedes else {
            continue;
        };
        let Some(prev) = by_id.get(&prev_id).filter(|p| !figures_hidden(p)) else {
            continue;
        };
        if let Some(d) = anomaly::drop_between(
            prev.attestation.results.total_mg,
            f.attestation.results.total_mg,
            max_drop,
        ) {
            drops.push(VersionDrop {
                footprint: f.id,
                supersedes: prev_id,
                product: f.attestation.product.name.clone(),
                previous_mg: d.previous,
                current_mg: d.current,
                share: d.share,
            });
        }
    }
    Ok(Json(Anomalies {
        threshold,
        max_drop,
        outliers,
        drops,
    }))
}

/// The items of a comma-separated list parameter: none when absent; every
/// item non-empty, at most [`MAX_RESOLVE_PER_KIND`].
fn list<'a>(name: &str, value: Option<&'a str>) -> Result<Vec<&'a str>, ApiError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let items: Vec<&str> = value.split(',').collect();
    if items.iter().any(|i| i.is_empty()) {
        return Err(ApiError::bad_request(format!(
            "{name}: a comma-separated list without empty items"
        )));
    }
    if items.len() > MAX_RESOLVE_PER_KIND {
        return Err(ApiError::bad_request(format!(
            "{name}: at most {MAX_RESOLVE_PER_KIND} per request"
        )));
    }
    Ok(items)
}

/// `GET /v1/resolve`: the ledger records a client needs to compute or check a
/// footprint itself, in the ledger's own form (what `tanji footprint compute` uses).
#[utoipa::path(get, path = paths::RESOLVE, tag = "carbon", params(ResolveQuery),
    responses(
        (status = 200, description = "Records found (missing ones are absent)", body = TreeData),
        (status = 400, description = "Bad reference, or too many", body = ErrorBody),
    ))]
pub async fn resolve(
    State(state): State<ApiState>,
    q: Result<Query<ResolveQuery>, QueryRejection>,
) -> Result<Json<TreeData>, ApiError> {
    let q = query(q)?;
    let (factors, footprints, rules) = (
        list("factors", q.factors.as_deref())?,
        list("footprints", q.footprints.as_deref())?,
        list("rules", q.rules.as_deref())?,
    );
    let refs = |list: Vec<&str>| {
        list.into_iter()
            .map(|f| f.parse::<RecordRef>().map_err(ApiError::bad_request))
            .collect::<Result<Vec<_>, _>>()
    };
    let (factors, rules) = (refs(factors)?, refs(rules)?);
    let footprints = footprints
        .into_iter()
        .map(parse_tx)
        .collect::<Result<Vec<_>, _>>()?;
    let data = blocking(&state, move |s| {
        let mut data = TreeData::default();
        for r in factors {
            if let Some(f) = StateView::factor(s, &r)? {
                data.factors.insert(r, f);
            }
        }
        for r in rules {
            if let Some(f) = StateView::rule(s, &r)? {
                data.rules.insert(r, f);
            }
        }
        for id in footprints {
            if let Some(f) = StateView::footprint(s, &id)? {
                data.footprints.insert(id, f);
            }
        }
        Ok(data)
    })
    .await?;
    Ok(Json(data))
}
