//! The carbon label verification page (碳标识验证) a label's QR code leads
//! to, and its "certificate not found" counterpart.
//!
//! One self-contained HTML5 document: the CSS is inline, there is no script,
//! no font, image or style sheet from elsewhere (the label is drawn inline as
//! SVG), so it works on a closed network, saves as one file and prints. Text
//! is bilingual, Chinese first and English after it. The verdict banner says
//! "verified" only when the route says so, every check passed, at least one
//! check ran and the certificate is valid; otherwise it says why not.

use std::fmt::Write as _;

use super::html::{escape, safe_url};
use super::label::{grade_colour, label_svg_element, scale_size, FONT_STACK};
use super::view::{Check, TreeNode, VerifyPageView};

/// The page's style sheet (inline; no external resources).
fn css() -> String {
    format!(
        r#"
:root{{--green:#0b6e4f;--green-2:#e8f3ee;--ink:#1f2933;--muted:#5f6b76;--line:#d9e2e5;--bad:#b91c1c;--bad-2:#fdeeee;--bg:#f3f6f4}}
*{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%;text-size-adjust:100%}}
body{{margin:0;background:var(--bg);color:var(--ink);font:15px/1.6 {FONT_STACK}}}
a{{color:var(--green)}}
.en{{color:var(--muted);font-weight:400;margin-left:.35em}}
.top{{background:var(--green);color:#fff}}
.top .in,main,.foot{{max-width:1100px;margin:0 auto;padding-left:20px;padding-right:20px}}
.top .in{{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:4px 16px;padding-top:12px;padding-bottom:12px}}
.brand{{font-weight:700;font-size:19px;letter-spacing:1px}}
.brand .en,.top .sub .en{{color:#cfe9dc}}
.top .sub{{font-size:14px}}
main{{padding-top:20px;padding-bottom:8px}}
.verdict{{display:flex;gap:18px;align-items:center;border-radius:14px;padding:18px 22px;margin-bottom:20px;border:1px solid}}
.verdict.ok{{background:var(--green-2);border-color:#a6d5bf}}
.verdict.bad{{background:var(--bad-2);border-color:#f0b4b4}}
.verdict .mark{{flex:none;width:56px;height:56px;border-radius:50%;display:flex;align-items:center;justify-content:center;font-size:32px;line-height:1;color:#fff;font-weight:700}}
.verdict.ok .mark{{background:var(--green)}}
.verdict.bad .mark{{background:var(--bad)}}
.verdict h1{{margin:0;font-size:26px;line-height:1.3}}
.verdict.ok h1{{color:var(--green)}}
.verdict.bad h1{{color:var(--bad)}}
.verdict p{{margin:4px 0 0}}
.verdict ul{{margin:6px 0 0;padding-left:20px}}
.grid{{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:20px;align-items:start;margin-bottom:20px}}
.grid .card{{margin-bottom:0}}
.card{{background:#fff;border:1px solid var(--line);border-radius:14px;padding:18px 20px;margin-bottom:20px}}
.card h2{{font-size:17px;margin:0 0 12px;padding-bottom:8px;border-bottom:1px solid var(--line)}}
.label-card svg{{display:block;width:100%;height:auto;max-width:600px;margin:0 auto}}
.links{{margin:12px 0 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:6px 18px;font-size:14px}}
dl.facts{{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:7px 14px;margin:0;font-size:14px}}
dl.facts dt{{color:var(--muted);white-space:nowrap}}
dl.facts dt .en{{display:block;margin:0;font-size:12px;line-height:1.2}}
dl.facts dd{{margin:0;overflow-wrap:anywhere}}
.big{{font-size:24px;font-weight:700;color:var(--green);font-variant-numeric:tabular-nums}}
.chip{{display:inline-block;padding:0 10px;border-radius:11px;font-size:13px;font-weight:700;line-height:22px;white-space:nowrap}}
.ids{{margin:0;padding:0;list-style:none}}
table{{width:100%;border-collapse:collapse;font-size:14px}}
th,td{{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}}
th{{background:#f6f9f7;font-weight:600;color:var(--muted);font-size:13px}}
tr:last-child td{{border-bottom:0}}
td.num{{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}}
td.detail{{overflow-wrap:anywhere;color:var(--muted)}}
.pass{{color:var(--green);font-weight:700;white-space:nowrap}}
.fail{{color:var(--bad);font-weight:700;white-space:nowrap}}
tr.failed td{{background:var(--bad-2)}}
.two{{display:grid;grid-template-columns:1fr 1fr;gap:20px}}
.two .card{{margin-bottom:0}}
.two{{margin-bottom:20px}}
.empty{{color:var(--muted);margin:0}}
ul.tree,ul.tree ul{{list-style:none;margin:0;padding:0}}
ul.tree ul{{margin-left:12px;padding-left:18px;border-left:2px solid var(--line)}}
ul.tree li{{margin:8px 0}}
.node{{display:flex;flex-wrap:wrap;gap:2px 12px;align-items:baseline;padding:8px 12px;border:1px solid var(--line);border-left:4px solid var(--green);border-radius:8px;background:#fff}}
.node.unverified{{border-left-color:var(--bad);background:var(--bad-2)}}
.node .what{{font-weight:600;overflow-wrap:anywhere}}
.node .who{{color:var(--muted);font-size:13px}}
.node .end{{margin-left:auto;display:flex;gap:12px;align-items:baseline;white-space:nowrap}}
.node .val{{font-variant-numeric:tabular-nums;font-weight:600}}
.tag{{font-size:12px;padding:0 8px;border-radius:10px;background:#eef1f3;color:var(--muted);white-space:nowrap}}
code,.mono{{font-family:'DejaVu Sans Mono','Noto Sans Mono',Menlo,Consolas,monospace;font-size:13px;overflow-wrap:anywhere}}
pre.cmd{{background:#12251d;color:#d7efe3;padding:12px 14px;border-radius:8px;overflow-x:auto;margin:10px 0}}
.btn{{display:inline-block;background:var(--green);color:#fff;text-decoration:none;padding:9px 16px;border-radius:8px;font-weight:600}}
.note{{color:var(--muted);font-size:13px}}
.foot{{color:var(--muted);font-size:13px;padding-top:8px;padding-bottom:28px}}
@media (max-width:800px){{
.grid,.two{{grid-template-columns:1fr}}
.top .in,main,.foot{{padding-left:12px;padding-right:12px}}
.card{{padding:14px}}
.verdict{{padding:14px 16px;gap:14px}}
.verdict .mark{{width:44px;height:44px;font-size:26px}}
.verdict h1{{font-size:21px}}
.node .end{{margin-left:0}}
.checks thead{{display:none}}
.checks tr{{display:grid;grid-template-columns:minmax(0,1fr) auto;border-bottom:1px solid var(--line)}}
.checks tr:last-child{{border-bottom:0}}
.checks td{{border-bottom:0}}
.checks td.detail{{grid-column:1 / -1;padding-top:0}}
}}
@media print{{
body{{background:#fff;font-size:12px}}
.top{{background:#fff;color:var(--ink);border-bottom:2px solid var(--green)}}
.brand .en,.top .sub .en{{color:var(--muted)}}
main{{padding-top:10px}}
.card,.verdict,li{{break-inside:avoid}}
.card{{border-color:#bbb}}
.verdict,.mark,.chip,.node,tr.failed td{{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
.btn{{background:none;color:var(--ink);padding:0;text-decoration:underline}}
a.btn::after,.links a::after{{content:" (" attr(href) ")";font-size:11px;color:var(--muted);font-weight:400}}
pre.cmd{{background:#fff;color:#000;border:1px solid #bbb}}
}}
"#
    )
}

/// Opens a document: doctype, head with title and style, page header.
fn open_document(out: &mut String, title: &str) {
    let _ = write!(
        out,
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="referrer" content="no-referrer">
<title>{}</title>
<style>{}</style>
</head>
<body>
<header class="top"><div class="in"><div class="brand">碳迹<span class="en">Tanji</span></div><div class="sub">碳标识验证<span class="en">Carbon label verification</span></div></div></header>
<main>
"#,
        escape(title),
        css()
    );
}

/// Closes what [`open_document`] opened, with the page footer.
fn close_document(out: &mut String) {
    out.push_str(
        r#"</main>
<footer class="foot"><p>碳迹 · 可验证的产品碳足迹账本，核算依据 GB/T 24067-2024 / ISO 14067。<br><span lang="en">Tanji · a verifiable ledger of product carbon footprints, accounted under GB/T 24067-2024 / ISO 14067.</span></p></footer>
</body>
</html>
"#,
    );
}

/// Chinese for a system boundary, if it is a known one.
fn boundary_zh(b: &str) -> Option<&'static str> {
    match b
        .trim()
        .to_ascii_lowercase()
        .replace(['_', ' '], "-")
        .as_str()
    {
        "cradle-to-gate" => Some("从摇篮到大门"),
        "cradle-to-grave" => Some("从摇篮到坟墓"),
        "gate-to-gate" => Some("从大门到大门"),
        _ => None,
    }
}

/// Chinese for an emission category or life-cycle stage key, if known.
fn term_zh(key: &str) -> Option<&'static str> {
    let k = key.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    Some(match k.as_str() {
        "fossil" | "fossil ghg" | "fossil ghg emissions" => "化石源温室气体",
        "biogenic" | "biogenic emissions" | "biogenic ghg" => "生物源排放",
        "biogenic removals" | "biogenic removal" | "removals" | "biogenic co2 removals" => {
            "生物源清除"
        }
        "dluc" | "land use change" | "direct land use change" | "luc" => "直接土地利用变化",
        "aircraft" | "aircraft ghg" | "aircraft emissions" => "航空运输",
        "packaging" | "packaging ghg" | "packaging emissions" => "包装",
        "total" => "合计",
        "raw materials" | "raw material" | "raw material acquisition" => "原材料获取",
        "production" | "manufacturing" => "生产",
        "distribution" | "transport" => "分销运输",
        "use" | "use stage" => "使用",
        "end of life" | "eol" => "寿命终止",
        _ => return None,
    })
}

/// `<span>zh</span><span class="en">en</span>` for a key with a known
/// Chinese term, else the key alone.
fn bilingual_key(key: &str) -> String {
    match term_zh(key) {
        Some(zh) => format!(r#"{zh}<span class="en" lang="en">{}</span>"#, escape(key)),
        None => escape(key),
    }
}

/// A two-column table of (key, value) rows, or a "no data" line.
fn kv_table(out: &mut String, class: &str, h_zh: &str, h_en: &str, rows: &[(String, String)]) {
    let _ = write!(
        out,
        r#"<section class="card {class}"><h2>{h_zh}<span class="en">{h_en}</span></h2>"#
    );
    if rows.is_empty() {
        out.push_str(r#"<p class="empty">无数据<span class="en">No data</span></p>"#);
    } else {
        out.push_str(r#"<table><thead><tr><th scope="col">项目<span class="en">Item</span></th><th scope="col" class="num">排放量<span class="en">Emissions (CO₂e)</span></th></tr></thead><tbody>"#);
        for (k, v) in rows {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td class="num">{}</td></tr>"#,
                bilingual_key(k),
                escape(v)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");
}

/// The checks table.
fn checks_table(out: &mut String, checks: &[Check]) {
    out.push_str(r#"<section class="card checks"><h2>验证检查<span class="en">Checks</span></h2>"#);
    if checks.is_empty() {
        out.push_str(
            r#"<p class="empty">未执行任何检查<span class="en">No checks were run</span></p>"#,
        );
    } else {
        out.push_str(r#"<table><thead><tr><th scope="col">检查<span class="en">Check</span></th><th scope="col">结果<span class="en">Result</span></th><th scope="col">详情<span class="en">Detail</span></th></tr></thead><tbody>"#);
        for c in checks {
            let (class, result) = if c.ok {
                (
                    "",
                    r#"<span class="pass">✓ 通过<span class="en">Pass</span></span>"#,
                )
            } else {
                (
                    r#" class="failed""#,
                    r#"<span class="fail">✗ 未通过<span class="en">Fail</span></span>"#,
                )
            };
            let _ = write!(
                out,
                r#"<tr{class}><td>{}<span class="en" lang="en">{}</span></td><td>{result}</td><td class="detail">{}</td></tr>"#,
                escape(&c.name_zh),
                escape(&c.name_en),
                escape(&c.detail)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");
}

/// One tree node's box.
fn tree_node(out: &mut String, n: &TreeNode) {
    let (class, mark) = if n.verified {
        (
            "node",
            r#"<span class="pass" title="已验证 Verified">✓</span>"#,
        )
    } else {
        (
            "node unverified",
            r#"<span class="fail" title="未通过 Not verified">✗</span>"#,
        )
    };
    let _ = write!(
        out,
        r#"<div class="{class}">{mark}<span class="what">{}</span><span class="who">{}</span>"#,
        escape(&n.label),
        escape(&n.producer)
    );
    if !n.status.trim().is_empty() {
        let _ = write!(out, r#"<span class="tag">{}</span>"#, escape(&n.status));
    }
    let _ = write!(
        out,
        r#"<span class="end"><span class="val">{}</span>"#,
        escape(&n.value)
    );
    if let Some(link) = &n.link {
        let _ = write!(
            out,
            r#"<a href="{}">详情<span class="en">Details</span></a>"#,
            safe_url(link)
        );
    }
    out.push_str("</span></div>");
}

/// The supply-chain tree as nested lists. Depths are taken relative to the
/// first node and never jump by more than one level.
fn tree_list(out: &mut String, tree: &[TreeNode]) {
    out.push_str(
        r#"<section class="card supply-chain"><h2>供应链<span class="en">Supply chain</span></h2>"#,
    );
    if tree.is_empty() {
        out.push_str(
            r#"<p class="empty">无上游数据<span class="en">No upstream data</span></p></section>"#,
        );
        out.push('\n');
        return;
    }
    let base = tree[0].depth;
    out.push_str(r#"<ul class="tree">"#);
    let mut cur: Option<usize> = None;
    for n in tree {
        let d = match cur {
            None => 0,
            Some(c) => n.depth.saturating_sub(base).min(c + 1),
        };
        match cur {
            Some(c) if d > c => out.push_str("<ul>"),
            Some(c) => {
                out.push_str("</li>");
                for _ in d..c {
                    out.push_str("</ul></li>");
                }
            }
            None => {}
        }
        out.push_str("<li>");
        tree_node(out, n);
        cur = Some(d);
    }
    if let Some(c) = cur {
        out.push_str("</li>");
        for _ in 0..c {
            out.push_str("</ul></li>");
        }
    }
    out.push_str(
        r#"</ul><p class="note">每个节点的足迹均由其上游的已签名足迹重新计算核对。<span class="en">Each node's footprint was recomputed from the signed footprints upstream of it.</span></p></section>"#,
    );
    out.push('\n');
}

/// Renders the verification page for one certificate as a complete HTML5
/// document.
pub fn render_verify_page(v: &VerifyPageView) -> String {
    let l = &v.label;
    let failed: Vec<&Check> = v.checks.iter().filter(|c| !c.ok).collect();
    let verified = v.verified && !v.checks.is_empty() && failed.is_empty() && l.status.is_valid();
    let mut out = String::with_capacity(48 * 1024);
    open_document(
        &mut out,
        &format!(
            "{} · 碳标识验证 Carbon label verification",
            l.certificate_id
        ),
    );

    // Verdict banner.
    if verified {
        let _ = writeln!(
            out,
            r#"<section class="verdict ok" role="status"><div class="mark" aria-hidden="true">✓</div><div><h1>已验证<span class="en">Verified</span></h1><p>该碳标识由 {cert} 签发，记录在碳迹账本上，全部 {n} 项检查均已通过。<br><span lang="en">This carbon label was issued by {cert} and is recorded on the Tanji ledger; all {n} checks passed.</span></p></div></section>"#,
            cert = escape(&l.certifier),
            n = v.checks.len()
        );
    } else {
        out.push_str(r#"<section class="verdict bad" role="alert"><div class="mark" aria-hidden="true">✗</div><div><h1>未通过<span class="en">Not verified</span></h1><p>请勿依赖此碳标识。<span lang="en">Do not rely on this carbon label.</span></p><ul>"#);
        if !l.status.is_valid() {
            let _ = write!(
                out,
                r#"<li>证书{}<span class="en" lang="en">Certificate {}</span>"#,
                l.status.name_zh(),
                l.status.name_en().to_ascii_lowercase()
            );
            if let Some(r) = l.status.reason().filter(|r| !r.trim().is_empty()) {
                let _ = write!(out, "：{}", escape(r));
            }
            out.push_str("</li>");
        }
        if !failed.is_empty() {
            out.push_str(r#"<li>未通过的检查<span class="en">Failed checks</span>："#);
            for (i, c) in failed.iter().enumerate() {
                let _ = write!(
                    out,
                    r#"{}{}<span class="en" lang="en">{}</span>"#,
                    if i > 0 { "；" } else { "" },
                    escape(&c.name_zh),
                    escape(&c.name_en)
                );
            }
            out.push_str("</li>");
        }
        if v.checks.is_empty() {
            out.push_str(r#"<li>未执行任何检查<span class="en">No checks were run</span></li>"#);
        } else if l.status.is_valid() && failed.is_empty() {
            out.push_str(r#"<li>验证未完成<span class="en">Verification incomplete</span></li>"#);
        }
        out.push_str("</ul></div></section>\n");
    }

    // Label and facts.
    out.push_str(r#"<div class="grid"><section class="card label-card"><h2>碳标识<span class="en">Carbon label</span></h2>"#);
    out.push_str(&label_svg_element(l));
    let _ = writeln!(
        out,
        r#"<ul class="links"><li><a href="{}">下载标识 SVG<span class="en">Download label (SVG)</span></a></li><li><a href="{}">足迹数据 JSON<span class="en">Footprint JSON</span></a></li></ul></section>"#,
        safe_url(&v.label_svg_url),
        safe_url(&v.footprint_json_url)
    );
    facts(&mut out, v);
    out.push_str("</div>\n");

    checks_table(&mut out, &v.checks);
    out.push_str(r#"<div class="two">"#);
    kv_table(
        &mut out,
        "categories",
        "排放类别",
        "Emission categories",
        &v.categories,
    );
    kv_table(
        &mut out,
        "stages",
        "生命周期阶段",
        "Life-cycle stages",
        &v.stages,
    );
    out.push_str("</div>\n");
    tree_list(&mut out, &v.tree);

    // Checkpoint and offline verification.
    let _ = write!(
        out,
        r#"<section class="card checkpoint"><h2>账本检查点<span class="en">Ledger checkpoint</span></h2><p><code>{}</code></p><p class="note">证书记录通过包含证明与此检查点相连，检查点由验证节点法定人数共同签名。<br><span lang="en">The certificate's entry is tied to this checkpoint by an inclusion proof; the checkpoint is cosigned by a quorum of validators.</span></p></section>
<section class="card offline"><h2>离线验证<span class="en">Offline verification</span></h2><p>下载验证包（记录、包含证明、已共同签名的检查点和验证节点集合），无需联网即可自行核验：<br><span lang="en">Download the verification bundle (entry, inclusion proof, cosigned checkpoint and validator set) and check it yourself, offline:</span></p><p><a class="btn" href="{}" download="">⬇ 下载验证包<span class="en" style="color:inherit">Download bundle</span></a></p><pre class="cmd"><code>tanji verify bundle FILE</code></pre><p class="note">FILE 为下载的验证包文件。<span class="en">FILE is the downloaded bundle.</span> 足迹数据<span class="en">Footprint data</span>：<a href="{}">JSON</a></p></section>
"#,
        escape(&v.checkpoint),
        safe_url(&v.bundle_url),
        safe_url(&v.footprint_json_url)
    );
    close_document(&mut out);
    out
}

/// The facts card next to the label.
fn facts(out: &mut String, v: &VerifyPageView) {
    let l = &v.label;
    out.push_str(r#"<section class="card facts-card"><h2>证书信息<span class="en">Certificate</span></h2><dl class="facts">"#);
    let mut row = |zh: &str, en: &str, dd: String| {
        let _ = write!(
            out,
            r#"<dt>{zh}<span class="en">{en}</span></dt><dd>{dd}</dd>"#
        );
    };
    row(
        "产品",
        "Product",
        format!("<strong>{}</strong>", escape(&l.product_name)),
    );
    if !l.product_ids.is_empty() {
        let ids: String = l
            .product_ids
            .iter()
            .map(|id| format!(r#"<li class="mono">{}</li>"#, escape(id)))
            .collect();
        row(
            "产品标识",
            "Product IDs",
            format!(r#"<ul class="ids">{ids}</ul>"#),
        );
    }
    row(
        "碳足迹",
        "Footprint",
        format!(
            r#"<span class="big">{}</span> kg CO₂e / {}"#,
            escape(&l.value_kg),
            escape(&l.declared_unit)
        ),
    );
    let n = scale_size(l.grades);
    let grade = if (1..=n).contains(&l.grade) && l.grade <= l.grades {
        let (bg, dark) = grade_colour(l.grade, n);
        let ink = if dark { "#1f2933" } else { "#fff" };
        format!(
            r#"<span class="chip" style="background:{bg};color:{ink}">{} / {}</span>"#,
            l.grade, l.grades
        )
    } else {
        format!("– / {}", l.grades)
    };
    row(
        "等级",
        "Grade",
        format!(r#"{grade} <span class="note">1 = 最低碳 lowest carbon</span>"#),
    );
    let mut status = format!(
        r#"<span class="chip" style="background:{};color:#fff">{}<span class="en" style="color:inherit">{}</span></span>"#,
        l.status.colour(),
        l.status.name_zh(),
        l.status.name_en()
    );
    if let Some(r) = l.status.reason().filter(|r| !r.trim().is_empty()) {
        let _ = write!(status, " {}", escape(r));
    }
    row("状态", "Status", status);
    row(
        "证书编号",
        "Certificate No.",
        format!(r#"<span class="mono">{}</span>"#, escape(&l.certificate_id)),
    );
    row("生产者", "Producer", escape(&l.producer));
    row("认证机构", "Certification body", escape(&l.certifier));
    row(
        "有效期",
        "Valid",
        format!("{} – {}", escape(&l.valid_from), escape(&l.valid_until)),
    );
    let rule = if l.rule_name.trim().is_empty() {
        format!(r#"<span class="mono">{}</span>"#, escape(&l.rule))
    } else {
        format!(
            r#"{} <span class="mono">{}</span>"#,
            escape(&l.rule_name),
            escape(&l.rule)
        )
    };
    row("核算规则", "Product rule", rule);
    let boundary = match boundary_zh(&l.boundary) {
        Some(zh) => format!(r#"{zh}<span class="en">{}</span>"#, escape(&l.boundary)),
        None => escape(&l.boundary),
    };
    row("系统边界", "Boundary", boundary);
    row("核算期", "Reference period", escape(&l.period));
    out.push_str("</dl></section>\n");
}

/// Renders the bilingual "certificate not found" page (for a 404 answer) as
/// a complete HTML5 document.
pub fn render_not_found_page(certificate: &str) -> String {
    let mut out = String::with_capacity(12 * 1024);
    open_document(&mut out, "未找到证书 Certificate not found · 碳迹 Tanji");
    let cert = escape(certificate);
    let _ = write!(
        out,
        r#"<section class="verdict bad" role="alert"><div class="mark" aria-hidden="true">✗</div><div><h1>未找到证书<span class="en">Certificate not found</span></h1><p>账本上没有编号为 <code>{cert}</code> 的碳标识证书。<br><span lang="en">No carbon label certificate numbered <code>{cert}</code> is recorded on this ledger.</span></p></div></section>
<section class="card"><h2>接下来<span class="en">What to do</span></h2><ul><li>请核对标识上印刷的证书编号。<span class="en" lang="en">Check the certificate number printed on the label.</span></li><li>如果是扫描标识上的二维码来到此页，该标识可能是伪造的，请联系标识上的认证机构。<span class="en" lang="en">If a label's QR code led you here, the label may be counterfeit: contact the certification body named on it.</span></li></ul></section>
"#
    );
    close_document(&mut out);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::web::html::tests::assert_well_formed;
    use crate::web::label::tests::sample;
    use crate::web::view::LabelStatus;

    fn check(zh: &str, en: &str, ok: bool, detail: &str) -> Check {
        Check {
            name_zh: zh.into(),
            name_en: en.into(),
            ok,
            detail: detail.into(),
        }
    }

    fn node(depth: usize, label: &str, producer: &str, value: &str, verified: bool) -> TreeNode {
        TreeNode {
            depth,
            label: label.into(),
            producer: producer.into(),
            value: value.into(),
            status: "active".into(),
            verified,
            link: Some(format!("/v1/footprints/{}", label.len())),
        }
    }

    pub(crate) fn sample_page() -> VerifyPageView {
        VerifyPageView {
            label: sample(),
            checks: vec![
                check("签名", "Signatures", true, "4 signatures, ed25519 strict"),
                check("包含证明", "Inclusion proof", true, "leaf 1187 in tree of size 1234"),
                check("检查点法定人数", "Checkpoint quorum", true, "3 of 4 validators cosigned"),
                check("重新计算", "Recomputation", true, "6 of 6 footprints recomputed exactly"),
                check("证书状态", "Certificate status", true, "active, not suspended or revoked"),
                check("有效期", "Validity", true, "2026-01-15 ≤ today ≤ 2029-01-14"),
            ],
            verified: true,
            tree: vec![
                node(0, "京华 X14 笔记本电脑 — 1 piece", "京华电子科技有限公司", "287.41 kg CO2e/piece", true),
                node(1, "aluminium chassis — 2.1 kg/piece", "华铝精密", "12.345 kg CO2e/piece", true),
                node(2, "primary aluminium — 2.3 kg/kg", "云南铝业", "14.2 kg CO2e/kg", true),
                node(1, "mainboard — 1 piece/piece", "深圳板卡", "98.7 kg CO2e/piece", true),
                node(2, "SoC — 1 piece/piece", "芯片厂", "31.2 kg CO2e/piece", true),
                node(1, "battery pack 70 Wh — 1 piece/piece", "宁德电池", "20.5 kg CO2e/piece", true),
            ],
            categories: vec![
                ("fossil".into(), "285.2".into()),
                ("biogenic emissions".into(), "3.1".into()),
                ("biogenic removals".into(), "-1.4".into()),
                ("dLUC".into(), "0".into()),
                ("aircraft".into(), "0.5".into()),
                ("packaging".into(), "2.9".into()),
            ],
            stages: vec![
                ("raw materials".into(), "201.3".into()),
                ("production".into(), "80.0".into()),
                ("distribution".into(), "6.11".into()),
            ],
            label_svg_url: "/v1/labels/CQC-PCF-2026-000123.svg".into(),
            bundle_url: "/v1/certificates/CQC-PCF-2026-000123/bundle".into(),
            footprint_json_url: "/v1/footprints/ab12cd34".into(),
            checkpoint: "tanji-devnet · size 1234 · root q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJo= · 3/4 cosigned".into(),
        }
    }

    #[test]
    fn page_is_complete_and_well_formed() {
        let html = render_verify_page(&sample_page());
        assert!(html.starts_with("<!doctype html>\n<html lang=\"zh-CN\">"));
        assert!(html.contains(r#"<meta charset="utf-8">"#));
        assert_well_formed(&html, true);
        for t in [
            "已验证",
            "Verified",
            "京华 X14 笔记本电脑",
            "287.41",
            "tanji verify bundle FILE",
            r#"href="/v1/certificates/CQC-PCF-2026-000123/bundle""#,
            r#"href="/v1/footprints/ab12cd34""#,
            r#"href="/v1/labels/CQC-PCF-2026-000123.svg""#,
            "size 1234",
            "化石源温室气体",
            "原材料获取",
            "primary aluminium",
            "Inclusion proof",
            "从摇篮到大门",
            "urn:gtin:06901234567892",
        ] {
            assert!(html.contains(t), "page lacks {t}");
        }
        assert!(
            !html.contains("未通过<span"),
            "no failure in a verified page"
        );
        // Self-contained: no external resource, no script.
        let lower = html.to_ascii_lowercase();
        assert!(
            !lower.contains("<script") && !lower.contains("<link") && !lower.contains("@import")
        );
        assert!(!lower.contains("src=\"http") && !lower.contains("url(http"));
        assert_eq!(html.matches("<svg").count(), 1, "label inline");
    }

    #[test]
    fn page_escapes_everything_from_data() {
        let evil = r#"<script>&"'"#;
        let mut v = sample_page();
        v.label.product_name = evil.into();
        v.label.producer = evil.into();
        v.label.product_ids = vec![evil.into()];
        v.label.status = LabelStatus::Suspended {
            reason: evil.into(),
        };
        v.checks[0] = check(evil, evil, false, evil);
        v.tree[1] = TreeNode {
            link: Some("javascript:alert(1)".into()),
            ..node(1, evil, evil, evil, false)
        };
        v.categories.push((evil.into(), evil.into()));
        v.stages.push((evil.into(), evil.into()));
        v.checkpoint = evil.into();
        v.bundle_url = "javascript:alert(1)".into();
        v.footprint_json_url = "/x\"><script>".into();
        let html = render_verify_page(&v);
        assert_well_formed(&html, true);
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("<script"));
        assert!(!lower.contains("javascript:"));
        assert!(html.matches("&lt;script&gt;&amp;&quot;&#39;").count() >= 10);
        let nf = render_not_found_page(evil);
        assert_well_formed(&nf, true);
        assert!(!nf.to_ascii_lowercase().contains("<script"));
        assert!(nf.contains("&lt;script&gt;&amp;&quot;&#39;"));
    }

    #[test]
    fn verdict_follows_checks_and_status() {
        let ok = render_verify_page(&sample_page());
        assert!(ok.contains("verdict ok") && !ok.contains("verdict bad"));

        let mut v = sample_page();
        v.checks[1].ok = false;
        v.verified = false;
        let html = render_verify_page(&v);
        assert!(html.contains("verdict bad") && !html.contains("verdict ok"));
        assert!(html.contains("Failed checks") && html.contains("Inclusion proof"));
        assert!(html.contains(r#"<tr class="failed">"#));

        // A route that says "verified" is not believed over a failed check,
        // a revoked certificate or an empty check list.
        let mut v = sample_page();
        v.checks[3].ok = false;
        assert!(render_verify_page(&v).contains("verdict bad"));
        let mut v = sample_page();
        v.label.status = LabelStatus::Revoked {
            reason: "数据造假".into(),
        };
        let html = render_verify_page(&v);
        assert!(
            html.contains("verdict bad") && html.contains("数据造假") && html.contains("已撤销")
        );
        assert!(html.contains("status-overlay"));
        let mut v = sample_page();
        v.checks.clear();
        assert!(render_verify_page(&v).contains("verdict bad"));
        let mut v = sample_page();
        v.verified = false;
        assert!(render_verify_page(&v).contains("Verification incomplete"));
    }

    #[test]
    fn tree_nests_by_depth() {
        let mut v = sample_page();
        let html = render_verify_page(&v);
        let tree = &html[html.find(r#"<ul class="tree">"#).unwrap()..];
        let tree = &tree[..tree.find("<p class=\"note\">").unwrap()];
        assert_eq!(tree.matches("<ul").count(), 4);
        assert_eq!(tree.matches("<li>").count(), 6);
        // Depth jumps and odd bases are tolerated.
        v.tree = vec![
            node(3, "a", "p", "1", true),
            node(9, "b", "p", "1", true),
            node(0, "c", "p", "1", false),
            node(5, "d", "p", "1", true),
        ];
        let html = render_verify_page(&v);
        assert_well_formed(&html, true);
        v.tree.clear();
        let html = render_verify_page(&v);
        assert!(html.contains("No upstream data"));
        assert_well_formed(&html, true);
    }

    #[test]
    fn not_found_page() {
        let html = render_not_found_page("CQC-PCF-2026-999999");
        assert_well_formed(&html, true);
        assert!(html.starts_with("<!doctype html>\n<html lang=\"zh-CN\">"));
        assert!(
            html.contains("未找到证书")
                && html.contains("Certificate not found")
                && html.contains("CQC-PCF-2026-999999")
        );
    }
}

/// Writes sample documents for looking at them in a browser:
/// `TANJI_WEB_DUMP=/tmp/web cargo test --release -p tanji-api web::dump -- --ignored`.
#[cfg(test)]
mod dump {
    use super::tests::sample_page;
    use super::*;
    use crate::web::label::render_label_svg;
    use crate::web::view::LabelStatus;

    #[test]
    #[ignore = "writes files; run by hand"]
    fn dump() {
        let dir = std::env::var("TANJI_WEB_DUMP").unwrap_or_else(|_| "/tmp/tanji-web".into());
        let dir = std::path::Path::new(&dir);
        let cert = "CQC-PCF-2026-000123";
        for sub in ["verify", "v1/labels"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let v = sample_page();
        std::fs::write(
            dir.join(format!("v1/labels/{cert}.svg")),
            render_label_svg(&v.label),
        )
        .unwrap();
        std::fs::write(dir.join(format!("verify/{cert}")), render_verify_page(&v)).unwrap();
        let mut bad = sample_page();
        bad.label.certificate_id = "CQC-PCF-2026-000124".into();
        bad.label.status = LabelStatus::Revoked {
            reason: "上游铝材数据造假 falsified upstream aluminium data".into(),
        };
        bad.label.grade = 4;
        bad.checks[3].ok = false;
        bad.checks[3].detail = "chassis: recomputed 12.345 ≠ attested 9.870 kg CO2e".into();
        bad.checks[4].ok = false;
        bad.tree[1].verified = false;
        bad.verified = false;
        std::fs::write(
            dir.join("v1/labels/CQC-PCF-2026-000124.svg"),
            render_label_svg(&bad.label),
        )
        .unwrap();
        std::fs::write(
            dir.join("verify/CQC-PCF-2026-000124"),
            render_verify_page(&bad),
        )
        .unwrap();
        for (name, status) in [
            (
                "suspended",
                LabelStatus::Suspended {
                    reason: "年度监督审核未完成 annual surveillance audit overdue".into(),
                },
            ),
            ("expired", LabelStatus::Expired),
        ] {
            let mut l = v.label.clone();
            l.status = status;
            std::fs::write(
                dir.join(format!("v1/labels/{name}.svg")),
                render_label_svg(&l),
            )
            .unwrap();
        }
        std::fs::write(
            dir.join("verify/missing"),
            render_not_found_page("CQC-PCF-2026-999999"),
        )
        .unwrap();
    }
}
