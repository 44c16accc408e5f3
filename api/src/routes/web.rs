//! Carbon labels: the certificate bundle, the label SVG and the bilingual
//! verification page its QR code points to.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use tanji_ledger::bundle::{
    prove_indices, CertificateBundle, ProveError, CERTIFICATE_BUNDLE_FORMAT,
};
use tanji_ledger::carbon::tree::TreeData;
use tanji_ledger::carbon::{CertificateState, CertificateStatus, Date, InputSource};
use tanji_ledger::state::StateView;
use tanji_ledger::validate::ViewResolver;
use tanji_ledger::{OrgId, TxId};

use tanji_api_types::carbon::Validity;
use tanji_api_types::{paths, ErrorBody};

use super::carbon::{load_certificate, mg_to_kg, validity};
use crate::web::{self, Check, LabelStatus, LabelView, TreeNode, VerifyPageView};
use crate::{ApiError, ApiState};
use crate::{ApiLedger, NodeService};

/// Builds the offline bundle of a certificate: its entry, the rule's, and those of
/// every attestation and factor of the tree, proven against the latest checkpoint.
/// The bundle names the validator set in force at the checkpoint's size.
fn build_bundle(
    store: &dyn ApiLedger,
    node: &dyn NodeService,
    c: &CertificateState,
    tree: &TreeData,
) -> Result<CertificateBundle, ApiError> {
    let mut txs: Vec<TxId> = vec![c.tx];
    txs.extend(tree.rules.values().map(|r| r.tx));
    txs.extend(tree.footprints.keys().copied());
    txs.extend(tree.factors.values().map(|f| f.tx));
    let mut indices = Vec::with_capacity(txs.len());
    for tx in txs {
        indices.push(store.tx_index(&tx)?.ok_or_else(|| {
            ApiError::internal(format!("transaction {tx} of the tree is not indexed"))
        })?);
    }
    let refused = |e: ProveError| match e {
        ProveError::NoCheckpoint => ApiError::not_found("no checkpoint yet"),
        ProveError::NotCovered(_) => {
            ApiError::not_found("no checkpoint covers this certificate yet")
        }
        e @ ProveError::MissingLink { .. } => ApiError::not_found(e.to_string()),
        e => ApiError::internal(e),
    };
    let proven = prove_indices(store, &indices).map_err(refused)?;
    let (verifiers, quorum) = node.checkpoint_verifiers(proven.size);
    Ok(CertificateBundle {
        format: CERTIFICATE_BUNDLE_FORMAT.to_string(),
        certificate: c.certificate.id.clone(),
        checkpoint: proven.checkpoint,
        validators: verifiers.iter().map(|k| k.to_vkey()).collect(),
        quorum,
        set_changes: proven.set_changes,
        entries: proven.entries,
    })
}

fn collect_tree(store: &dyn ApiLedger, c: &CertificateState) -> Result<TreeData, ApiError> {
    let network = store
        .network()
        .map_err(ApiError::internal)?
        .map(|n| n.network);
    TreeData::collect(
        c.certificate.footprint,
        &ViewResolver(store),
        network.as_deref().unwrap_or_default(),
    )
    .map_err(ApiError::internal)
}

/// `GET /v1/certificates/{id}/bundle`: offline verification bundle (`tanji verify bundle FILE`).
#[utoipa::path(get, path = paths::CERTIFICATE_BUNDLE, tag = "carbon",
    params(("id" = String, Path, description = "Certificate id", pattern = "^[A-Za-z0-9._-]{1,64}$")),
    responses(
        (status = 200, description = "tanji-certificate-bundle/v1, as an attachment", body = CertificateBundle),
        (status = 404, description = "Unknown, or no checkpoint covers it yet", body = ErrorBody),
    ))]
pub async fn certificate_bundle(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let c = load_certificate(&state, id.clone()).await?;
    let (store, node) = (state.store.clone(), state.node.clone());
    let bundle = tokio::task::spawn_blocking(move || {
        let tree = collect_tree(&*store, &c)?;
        build_bundle(&*store, &*node, &c, &tree)
    })
    .await
    .map_err(ApiError::internal)??;
    let disposition = format!("attachment; filename=\"{id}.bundle.json\"");
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(bundle)).into_response())
}

/// The figure printed on a label: kg CO2e rounded half up to a precision that
/// suits its size (1 decimal from 10 kg, 2 from 1 kg, else 3); the page and
/// the API give the exact milligrams.
fn label_kg(mg: i64) -> String {
    let decimals: u32 = match mg.unsigned_abs() {
        m if m >= 10_000_000 => 1,
        m if m >= 1_000_000 => 2,
        _ => 3,
    };
    let unit = 10i128.pow(6 - decimals);
    let rounded = (i128::from(mg) * 2 + unit).div_euclid(2 * unit);
    let s = tanji_ledger::carbon::units::format_decimal(rounded, decimals);
    // Keep trailing zeros so every label of a size reads alike ("244.5", "3.00").
    match s.split_once('.') {
        Some((_, frac)) => format!("{s}{}", "0".repeat(decimals as usize - frac.len())),
        None => format!("{s}.{}", "0".repeat(decimals as usize)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_figures() {
        assert_eq!(super::label_kg(244_506_115), "244.5");
        assert_eq!(super::label_kg(244_550_000), "244.6");
        assert_eq!(super::label_kg(3_262_876), "3.26");
        assert_eq!(super::label_kg(3_000_000), "3.00");
        assert_eq!(super::label_kg(652_766), "0.653");
        assert_eq!(super::label_kg(0), "0.000");
    }
}

fn org_name(store: &dyn ApiLedger, id: &OrgId) -> String {
    StateView::org(store, id)
        .ok()
        .flatten()
        .map(|o| o.record.name)
        .unwrap_or_else(|| id.to_hex())
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.len() <= 255 && h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

struct LabelData {
    view: LabelView,
    tree: TreeData,
}

fn label_data(
    store: &dyn ApiLedger,
    c: &CertificateState,
    base: &str,
) -> Result<LabelData, ApiError> {
    let fp = StateView::footprint(store, &c.certificate.footprint)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal("certified footprint missing"))?;
    let rule = StateView::rule(store, &c.certificate.rule)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal("certificate rule missing"))?;
    let tree = collect_tree(store, c)?;
    let a = &fp.attestation;
    let status = match (&c.status, validity(c, Date::today())) {
        (CertificateStatus::Suspended { reason, .. }, _) => LabelStatus::Suspended {
            reason: reason.clone(),
        },
        (CertificateStatus::Revoked { reason, .. }, _) => LabelStatus::Revoked {
            reason: reason.clone(),
        },
        (_, Validity::Expired) => LabelStatus::Expired,
        _ => LabelStatus::Valid,
    };
    let view = LabelView {
        certificate_id: c.certificate.id.clone(),
        product_name: a.product.name.clone(),
        product_ids: a.product.ids.clone(),
        declared_unit: a.declared_unit.clone(),
        value_kg: label_kg(a.results.total_mg),
        grade: c.certificate.grade,
        grades: rule.rule.grades(),
        rule: c.certificate.rule.to_string(),
        rule_name: rule.rule.name.clone(),
        certifier: org_name(store, &c.issuer),
        producer: org_name(store, &fp.author),
        valid_from: c.certificate.valid_from.to_string(),
        valid_until: c.certificate.valid_until.to_string(),
        status,
        verify_url: format!("{base}/verify/{}", c.certificate.id),
        boundary: match a.boundary {
            tanji_ledger::carbon::Boundary::CradleToGate => "cradle-to-gate".into(),
            tanji_ledger::carbon::Boundary::CradleToGrave => "cradle-to-grave".into(),
        },
        period: format!("{} – {}", a.period_start, a.period_end),
    };
    Ok(LabelData { view, tree })
}

/// `GET /v1/labels/{certificate}.svg`: the carbon label.
#[utoipa::path(get, path = paths::LABEL, tag = "carbon",
    params(("file" = String, Path, description = "CERTIFICATE.svg", pattern = "^[A-Za-z0-9._-]{1,64}\\.svg$")),
    responses(
        (status = 200, description = "SVG label", content_type = "image/svg+xml", body = String),
        (status = 404, description = "Unknown certificate, or not CERTIFICATE.svg", body = ErrorBody),
    ))]
pub async fn label(
    State(state): State<ApiState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let id = file
        .strip_suffix(".svg")
        .ok_or_else(|| ApiError::not_found("labels are served as CERTIFICATE.svg"))?
        .to_string();
    let c = load_certificate(&state, id).await?;
    let base = base_url(&headers);
    let store = state.store.clone();
    let data = tokio::task::spawn_blocking(move || label_data(&*store, &c, &base))
        .await
        .map_err(ApiError::internal)??;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        web::render_label_svg(&data.view),
    )
        .into_response())
}

fn flatten_tree(
    data: &TreeData,
    id: &TxId,
    depth: usize,
    store: &dyn ApiLedger,
    out: &mut Vec<TreeNode>,
    path: &mut Vec<TxId>,
    report: &tanji_ledger::carbon::tree::TreeReport,
) {
    let Some(fp) = data.footprints.get(id) else {
        out.push(TreeNode {
            depth,
            label: format!("unknown footprint {id}"),
            producer: String::new(),
            value: String::new(),
            status: "unknown".into(),
            verified: false,
            link: None,
        });
        return;
    };
    let verified = report
        .nodes
        .iter()
        .find(|n| n.id == *id)
        .is_some_and(|n| n.verified);
    out.push(TreeNode {
        depth,
        label: fp.attestation.product.name.clone(),
        producer: org_name(store, &fp.author),
        value: format!(
            "{} kg CO₂e / {}",
            mg_to_kg(fp.attestation.results.total_mg),
            fp.attestation.declared_unit
        ),
        status: fp.status.word().to_string(),
        verified,
        link: Some(format!("/v1/footprints/{id}")),
    });
    if path.contains(id) || out.len() > tanji_ledger::carbon::tree::MAX_TREE_NODES {
        return;
    }
    path.push(*id);
    for input in &fp.attestation.inputs {
        if let InputSource::Upstream(up) = &input.source {
            flatten_tree(data, up, depth + 1, store, out, path, report);
        }
    }
    path.pop();
}

/// `GET /verify/{certificate}`: the verification page (zh/en).
#[utoipa::path(get, path = paths::VERIFY_PAGE, tag = "carbon",
    params(("certificate" = String, Path, description = "Certificate id", pattern = "^[A-Za-z0-9._-]{1,64}$")),
    responses(
        (status = 200, description = "The bilingual verification page", content_type = "text/html", body = String),
        (status = 404, description = "Unknown certificate (a page saying so)", content_type = "text/html", body = String),
        (status = 500, description = "The node failed", body = ErrorBody),
    ))]
pub async fn verify_page(
    State(state): State<ApiState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let c = match load_certificate(&state, id.clone()).await {
        Ok(c) => c,
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            return (StatusCode::NOT_FOUND, Html(web::render_not_found_page(&id))).into_response();
        }
        Err(e) => return e.into_response(),
    };
    let base = base_url(&headers);
    let (store, node) = (state.store.clone(), state.node.clone());
    let result = tokio::task::spawn_blocking(move || -> Result<String, ApiError> {
        let data = label_data(&*store, &c, &base)?;
        let bundle = build_bundle(&*store, &*node, &c, &data.tree)?;
        let mut checks = Vec::new();
        let bundle_result = bundle.verify(None);
        let status_word = validity(&c, Date::today()).as_str();
        checks.push(Check {
            name_zh: "证书状态".into(),
            name_en: "Certificate status".into(),
            ok: status_word == "valid",
            detail: format!(
                "{status_word} ({} – {})",
                c.certificate.valid_from, c.certificate.valid_until
            ),
        });
        let checkpoint = match &bundle_result {
            Ok(r) => {
                checks.push(Check {
                    name_zh: "检查点签名".into(),
                    name_en: "Checkpoint signatures".into(),
                    ok: true,
                    detail: format!(
                        "{} of {} required validator signatures on size {}",
                        r.signatures, bundle.quorum, r.tree_size
                    ),
                });
                checks.push(Check {
                    name_zh: "默克尔包含证明".into(),
                    name_en: "Merkle inclusion proofs".into(),
                    ok: true,
                    detail: format!(
                        "{} entries proven in the log (root {}…)",
                        r.entries_proven,
                        &r.root[..16.min(r.root.len())]
                    ),
                });
                checks.push(Check {
                    name_zh: "等级".into(),
                    name_en: "Grade".into(),
                    ok: true,
                    detail: format!(
                        "grade {} under {} for {} mg per {}",
                        r.grade, r.rule, r.total_mg, r.declared_unit
                    ),
                });
                format!("size {}, root {}", r.tree_size, r.root)
            }
            Err(e) => {
                checks.push(Check {
                    name_zh: "离线验证包".into(),
                    name_en: "Offline bundle".into(),
                    ok: false,
                    detail: e.to_string(),
                });
                String::new()
            }
        };
        // Current statuses (revocations after issue) come from the node's state.
        let live = tanji_ledger::carbon::tree::verify_tree(
            c.certificate.footprint,
            &data.tree,
            &data.tree.network,
        );
        for node in &live.nodes {
            let name_zh = if node.privacy == "hidden" {
                format!("零知识证明 Zero-knowledge proof：{}", node.product)
            } else {
                format!("重新计算 Recomputed：{}", node.product)
            };
            checks.push(Check {
                name_zh,
                name_en: String::new(),
                ok: node.verified,
                detail: node
                    .checks
                    .iter()
                    .filter(|c| {
                        !c.ok
                            || c.check == "recomputation"
                            || c.check == tanji_ledger::carbon::tree::PROOF_CHECK
                    })
                    .map(|c| format!("{}: {}", c.check, c.detail))
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        }
        let fp = data.tree.footprints.get(&c.certificate.footprint);
        let categories = fp
            .map(|f| {
                tanji_ledger::carbon::Category::ALL
                    .iter()
                    .map(|cat| {
                        (
                            cat.as_str().to_string(),
                            format!(
                                "{} kg",
                                mg_to_kg(f.attestation.results.categories.get(*cat))
                            ),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let stages = fp
            .map(|f| {
                tanji_ledger::carbon::Stage::ALL
                    .iter()
                    .map(|s| {
                        (
                            s.as_str().to_string(),
                            format!("{} kg", mg_to_kg(f.attestation.results.stages.get(*s))),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut tree = Vec::new();
        flatten_tree(
            &data.tree,
            &c.certificate.footprint,
            0,
            &*store,
            &mut tree,
            &mut Vec::new(),
            &live,
        );
        let verified = checks.iter().all(|c| c.ok);
        let page = VerifyPageView {
            label: data.view,
            checks,
            verified,
            tree,
            categories,
            stages,
            label_svg_url: format!("/v1/labels/{}.svg", c.certificate.id),
            bundle_url: format!("/v1/certificates/{}/bundle", c.certificate.id),
            footprint_json_url: format!("/v1/footprints/{}", c.certificate.footprint),
            checkpoint,
        };
        Ok(web::render_verify_page(&page))
    })
    .await;
    match result {
        Ok(Ok(html)) => Html(html).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}
