//! The carbon label (碳标识) as a standalone SVG document.
//!
//! Layout on a 600×360 view box: a green header with the bilingual title and
//! the certificate's status; the product and producer; the footprint per
//! declared unit in large type; the grade scale (1 = lowest carbon, green, to
//! the last grade, red) with the achieved grade raised and outlined; a QR code
//! of the verification URL; and a footer with the certificate number,
//! certification body, validity and product rule. A label whose certificate
//! is suspended, revoked or expired is washed out and crossed by a diagonal
//! band naming the status, so a printed or screenshotted copy cannot pass for
//! a valid one.
//!
//! Every string from the view is cleaned, cut to fit its box and
//! XML-escaped. The only fonts named are ones a Debian or Windows/macOS
//! machine has for Chinese; no external resource is referenced.

use std::fmt::Write as _;

use super::html::{escape, fit, num, text_em};
use super::qr;
use super::view::{LabelStatus, LabelView};

/// Width of the label's view box.
pub const LABEL_WIDTH: u32 = 600;
/// Height of the label's view box.
pub const LABEL_HEIGHT: u32 = 360;

/// Font stack that renders Chinese on Debian (Noto CJK, WenQuanYi, Droid),
/// macOS (PingFang) and Windows (YaHei).
pub(crate) const FONT_STACK: &str = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','WenQuanYi Micro Hei','Droid Sans Fallback','PingFang SC','Microsoft YaHei',sans-serif";

const GREEN: &str = "#0b6e4f";
const INK: &str = "#1f2933";
const MUTED: &str = "#5f6b76";
const LINE: &str = "#d5dfe3";

/// Grade colours from best to worst; a scale of n grades samples them evenly.
const SCALE_STOPS: [(f64, f64, f64); 5] = [
    (26.0, 152.0, 80.0),
    (145.0, 207.0, 96.0),
    (254.0, 224.0, 139.0),
    (252.0, 141.0, 89.0),
    (215.0, 48.0, 39.0),
];

/// Highest number of grades drawn; larger scales are clamped.
pub(crate) const MAX_GRADES: u8 = 10;

/// The scale size actually drawn for `grades`: 1..=[`MAX_GRADES`].
pub(crate) fn scale_size(grades: u8) -> u8 {
    grades.clamp(1, MAX_GRADES)
}

/// Fill colour of grade `i` (1-based) on a scale of `n`, and whether text on
/// it should be dark.
pub(crate) fn grade_colour(i: u8, n: u8) -> (String, bool) {
    let t = if n <= 1 {
        0.0
    } else {
        f64::from(i.saturating_sub(1).min(n - 1)) / f64::from(n - 1)
    };
    let pos = t * (SCALE_STOPS.len() - 1) as f64;
    let k = (pos.floor() as usize).min(SCALE_STOPS.len() - 2);
    let f = pos - k as f64;
    let (a, b) = (SCALE_STOPS[k], SCALE_STOPS[k + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    let (r, g, bl) = (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2));
    let luma = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(bl);
    (format!("#{r:02x}{g:02x}{bl:02x}"), luma > 150.0)
}

/// Renders the label as a complete standalone SVG document (with XML
/// declaration), 600×360, for `/v1/labels/{cert}.svg`, printing and download.
pub fn render_label_svg(v: &LabelView) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&label_svg_element(v));
    out.push('\n');
    out
}

/// `<text>` at (x, y) with the given size, fill and extra attributes;
/// `content` is cut to `max_w` user units and escaped.
fn text(x: f64, y: f64, size: f64, fill: &str, extra: &str, content: &str, max_w: f64) -> String {
    format!(
        r#"<text x="{}" y="{}" font-size="{}" fill="{}"{}{}>{}</text>"#,
        num(x),
        num(y),
        num(size),
        fill,
        if extra.is_empty() { "" } else { " " },
        extra,
        escape(&fit(content, max_w / size))
    )
}

/// The `<svg>` element alone (no XML declaration), for inlining into the
/// verification page as well as for the standalone document.
pub(crate) fn label_svg_element(v: &LabelView) -> String {
    let (w, h) = (f64::from(LABEL_WIDTH), f64::from(LABEL_HEIGHT));
    let status = &v.status;
    let mut s = String::with_capacity(16 * 1024);
    let title = format!(
        "产品碳足迹标识 Product Carbon Footprint — {} — {} kg CO₂e / {} — 等级 Grade {}/{} — {} {}",
        v.product_name,
        v.value_kg,
        v.declared_unit,
        v.grade,
        v.grades,
        status.name_zh(),
        status.name_en()
    );
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="tanji-label" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="tjl-title" font-family="{FONT_STACK}" data-certificate="{cert}" data-status="{st}"><title id="tjl-title">{title}</title>"#,
        cert = escape(&v.certificate_id),
        st = status.name_en().to_ascii_lowercase(),
        title = escape(&title),
    );
    let _ = write!(
        s,
        r##"<defs><clipPath id="tjl-clip"><rect width="{w}" height="{h}" rx="14"/></clipPath></defs><g clip-path="url(#tjl-clip)"><rect width="{w}" height="{h}" fill="#fff"/>"##
    );

    // Header: leaf mark, title, status chip.
    let _ = write!(
        s,
        r##"<rect width="{w}" height="66" fill="{GREEN}"/><rect y="62" width="{w}" height="4" fill="#0a5a41"/><circle cx="40" cy="33" r="21" fill="#fff"/><path d="M40 14c-11 6-14 19-8 30 2 3 5 6 8 6s6-3 8-6c6-11 3-24-8-30z" fill="#3aa76d"/><path d="M40 20v31M40 30l-6-5M40 37l7-6M40 44l-6-4" stroke="#fff" stroke-width="1.6" fill="none" stroke-linecap="round"/>"##
    );
    s.push_str(&text(
        72.0,
        31.0,
        22.0,
        "#fff",
        r#"font-weight="700" letter-spacing="2""#,
        "产品碳足迹标识",
        300.0,
    ));
    s.push_str(&text(
        73.0,
        51.0,
        13.0,
        "#d7efe3",
        r#"letter-spacing="0.6""#,
        "Product Carbon Footprint",
        300.0,
    ));
    let chip = format!(
        "{}{} {}",
        if status.is_valid() { "✓ " } else { "" },
        status.name_zh(),
        status.name_en()
    );
    let chip_w = text_em(&chip) * 12.0 + 22.0;
    let (chip_fill, chip_ink) = if status.is_valid() {
        ("#fff", GREEN)
    } else {
        (status.colour(), "#fff")
    };
    let _ = write!(
        s,
        r##"<rect x="{x}" y="20" width="{cw}" height="26" rx="13" fill="{chip_fill}" stroke="#fff" stroke-width="1.5"/>"##,
        x = num(w - 20.0 - chip_w),
        cw = num(chip_w),
    );
    s.push_str(&text(
        w - 20.0 - chip_w / 2.0,
        38.0,
        12.0,
        chip_ink,
        r#"font-weight="700" text-anchor="middle" class="status-chip""#,
        &chip,
        chip_w,
    ));

    // Product and producer.
    s.push_str(&text(
        24.0,
        96.0,
        18.0,
        INK,
        r#"font-weight="700" class="product""#,
        &v.product_name,
        380.0,
    ));
    s.push_str(&text(
        24.0,
        116.0,
        11.5,
        MUTED,
        "",
        &format!("生产者 Producer：{}", v.producer),
        380.0,
    ));

    // The footprint in large type, unit below.
    let raw_value = fit(&v.value_kg, 20.0);
    let em = text_em(&raw_value).max(1.0) * 1.08;
    let value = escape(&raw_value);
    let size = (372.0 / em).min(60.0);
    let _ = write!(
        s,
        r#"<text x="24" y="178" font-size="{}" font-weight="700" fill="{GREEN}" letter-spacing="-1" class="value">{value}</text>"#,
        num(size)
    );
    s.push_str(&text(
        26.0,
        202.0,
        17.0,
        INK,
        r#"font-weight="600" class="unit""#,
        &format!("kg CO₂e / {}", v.declared_unit),
        370.0,
    ));
    s.push_str(&text(
        26.0,
        220.0,
        10.5,
        MUTED,
        "",
        &format!("每声明单位碳足迹 Per declared unit · {}", v.boundary),
        370.0,
    ));

    // Grade scale.
    grade_scale(&mut s, v.grade, v.grades);

    // QR code panel.
    let (qx, qy, qs) = (436.0, 80.0, 140.0);
    let _ = write!(
        s,
        r##"<rect x="{}" y="{}" width="{}" height="{}" rx="8" fill="#fff" stroke="{LINE}"/>"##,
        num(qx - 4.0),
        num(qy - 4.0),
        num(qs + 8.0),
        num(qs + 8.0)
    );
    s.push_str(&qr::svg_group(&v.verify_url, qx, qy, qs));
    let cx = qx + qs / 2.0;
    s.push_str(&text(
        cx,
        243.0,
        12.5,
        INK,
        r#"font-weight="700" text-anchor="middle""#,
        "扫码验证",
        150.0,
    ));
    s.push_str(&text(
        cx,
        258.0,
        10.5,
        MUTED,
        r#"text-anchor="middle""#,
        "Scan to verify",
        150.0,
    ));
    let host = v
        .verify_url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default();
    s.push_str(&text(
        cx,
        274.0,
        9.0,
        MUTED,
        r#"text-anchor="middle" font-family="'DejaVu Sans Mono',monospace""#,
        host,
        160.0,
    ));

    // Footer: certificate, certifier, validity, rule.
    let _ = write!(
        s,
        r##"<rect y="290" width="{w}" height="70" fill="#eef6f2"/><line x1="0" y1="290" x2="{w}" y2="290" stroke="{LINE}"/>"##
    );
    let rule = if v.rule_name.trim().is_empty() {
        v.rule.clone()
    } else {
        format!("{} · {}", v.rule, v.rule_name)
    };
    let cells = [
        (
            24.0,
            306.0,
            "证书编号 Certificate No.",
            v.certificate_id.as_str(),
        ),
        (
            316.0,
            306.0,
            "认证机构 Certification body",
            v.certifier.as_str(),
        ),
        (
            24.0,
            334.0,
            "有效期 Valid",
            &format!("{} – {}", v.valid_from, v.valid_until) as &str,
        ),
        (316.0, 334.0, "核算规则 Product rule", rule.as_str()),
    ];
    for (x, y, k, val) in cells {
        s.push_str(&text(x, y, 9.0, MUTED, "", k, 270.0));
        s.push_str(&text(
            x,
            y + 14.0,
            11.5,
            INK,
            r#"font-weight="600""#,
            val,
            270.0,
        ));
    }

    if !status.is_valid() {
        status_overlay(&mut s, status);
    }
    let _ = write!(
        s,
        r##"</g><rect x="1" y="1" width="{}" height="{}" rx="13" fill="none" stroke="{GREEN}" stroke-width="2"/></svg>"##,
        num(w - 2.0),
        num(h - 2.0)
    );
    s
}

/// The grade scale: "等级 Grade g/n" then n boxes green → red, the achieved
/// one raised and outlined, "低碳 Lower … 高碳 Higher" underneath.
fn grade_scale(s: &mut String, grade: u8, grades: u8) {
    let n = scale_size(grades);
    let graded = (1..=n).contains(&grade) && grade <= grades;
    let caption = if graded {
        format!("等级 Grade {grade}/{grades}")
    } else {
        format!("等级 Grade –/{grades}")
    };
    s.push_str(&text(
        24.0,
        242.0,
        12.0,
        INK,
        r#"font-weight="700" class="grade""#,
        &caption,
        200.0,
    ));
    let (x0, y0, total, gap, bh) = (24.0, 250.0, 300.0, 4.0, 22.0);
    let bw = (total - gap * f64::from(n - 1)) / f64::from(n);
    s.push_str(r#"<g class="grade-scale">"#);
    for i in 1..=n {
        let (fill, dark_text) = grade_colour(i, n);
        let x = x0 + f64::from(i - 1) * (bw + gap);
        let hit = graded && i == grade;
        let (y, hh, extra, op) = if hit {
            (
                y0 - 4.0,
                bh + 8.0,
                format!(r#" stroke="{INK}" stroke-width="2" class="grade-achieved""#),
                "1",
            )
        } else {
            (y0, bh, String::new(), if graded { "0.55" } else { "0.85" })
        };
        let _ = write!(
            s,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{fill}" opacity="{op}"{extra}/>"#,
            num(x),
            num(y),
            num(bw),
            num(hh)
        );
        let ink = if dark_text { INK } else { "#fff" };
        let weight = if hit { "700" } else { "500" };
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="{}" font-weight="{weight}" fill="{ink}" text-anchor="middle">{i}</text>"#,
            num(x + bw / 2.0),
            num(y0 + 15.5),
            if hit { "14" } else { "11" }
        );
    }
    s.push_str("</g>");
    s.push_str(&text(
        x0,
        286.0,
        9.0,
        MUTED,
        "",
        "◀ 低碳 Lower carbon",
        140.0,
    ));
    s.push_str(&text(
        x0 + total,
        286.0,
        9.0,
        MUTED,
        r#"text-anchor="end""#,
        "高碳 Higher carbon ▶",
        140.0,
    ));
}

/// Washes the label out and crosses it with a band naming the status.
fn status_overlay(s: &mut String, status: &LabelStatus) {
    let c = status.colour();
    let _ = write!(
        s,
        r##"<g class="status-overlay"><rect width="600" height="360" fill="#fff" opacity="0.5"/><g transform="rotate(-17 300 180)"><rect x="-120" y="142" width="840" height="76" fill="{c}" opacity="0.92"/><rect x="-120" y="147" width="840" height="66" fill="none" stroke="#fff" stroke-width="1.5" opacity="0.8"/>"##
    );
    let main = format!("{} {}", status.name_zh(), status.name_en());
    let reason = status.reason().map(str::trim).filter(|r| !r.is_empty());
    let y = if reason.is_some() { 186.0 } else { 193.0 };
    s.push_str(&text(
        300.0,
        y,
        32.0,
        "#fff",
        r#"font-weight="800" text-anchor="middle" letter-spacing="4""#,
        &main,
        560.0,
    ));
    if let Some(r) = reason {
        s.push_str(&text(
            300.0,
            206.0,
            12.0,
            "#fff",
            r#"text-anchor="middle""#,
            &format!("原因 Reason：{r}"),
            520.0,
        ));
    }
    s.push_str("</g></g>");
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::web::html::tests::assert_well_formed;
    use crate::web::qr::tests::{decode, matrix_from_path};

    pub(crate) fn sample() -> LabelView {
        LabelView {
            certificate_id: "CQC-PCF-2026-000123".into(),
            product_name: "京华 X14 笔记本电脑".into(),
            product_ids: vec![
                "urn:gtin:06901234567892".into(),
                "urn:tanji:model:JH-X14".into(),
            ],
            declared_unit: "piece".into(),
            value_kg: "287.41".into(),
            grade: 2,
            grades: 5,
            rule: "pcr-portable-computer@1".into(),
            rule_name: "便携式计算机 Portable computers".into(),
            certifier: "中国质量认证中心 CQC".into(),
            producer: "京华电子科技有限公司".into(),
            valid_from: "2026-01-15".into(),
            valid_until: "2029-01-14".into(),
            status: LabelStatus::Valid,
            verify_url: "http://127.0.0.1:7410/verify/CQC-PCF-2026-000123".into(),
            boundary: "cradle-to-gate".into(),
            period: "2025-01-01 – 2026-01-01".into(),
        }
    }

    #[test]
    fn label_is_well_formed_xml() {
        let svg = render_label_svg(&sample());
        assert!(svg.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""
        ));
        assert_well_formed(&svg, false);
        for t in [
            "产品碳足迹标识",
            "Product Carbon Footprint",
            "287.41",
            "kg CO₂e / piece",
            "等级 Grade 2/5",
            "京华 X14 笔记本电脑",
            "CQC-PCF-2026-000123",
            "2026-01-15 – 2029-01-14",
            "pcr-portable-computer@1",
            "中国质量认证中心 CQC",
            "京华电子科技有限公司",
        ] {
            assert!(svg.contains(t), "label lacks {t}");
        }
        assert!(!svg.contains("http-equiv") && !svg.contains("<image") && !svg.contains("href"));
    }

    #[test]
    fn label_escapes_everything_from_data() {
        let mut v = sample();
        let evil = r#"<script>&"'"#;
        v.product_name = evil.into();
        v.producer = format!("{evil}\u{0}\u{1b}");
        v.certificate_id = evil.into();
        v.declared_unit = evil.into();
        v.value_kg = evil.into();
        v.rule = evil.into();
        v.rule_name = evil.into();
        v.certifier = evil.into();
        v.valid_from = evil.into();
        v.boundary = evil.into();
        v.status = LabelStatus::Revoked {
            reason: evil.into(),
        };
        let svg = render_label_svg(&v);
        assert_well_formed(&svg, false);
        assert!(!svg.to_ascii_lowercase().contains("<script"));
        assert!(svg.contains("&lt;script&gt;&amp;&quot;&#39;"));
        assert!(!svg.contains('\u{0}') && !svg.contains('\u{1b}'));
    }

    #[test]
    fn qr_code_encodes_the_verify_url() {
        let v = sample();
        let svg = render_label_svg(&v);
        let g = &svg[svg.find(r#"<g class="qr""#).expect("QR group")..];
        let width: usize = g
            .split("data-modules=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let d = g.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
        let m = matrix_from_path(d, width);
        assert_eq!(m, qr::encode(&v.verify_url).unwrap());
        assert_eq!(decode(&m), v.verify_url);
    }

    #[test]
    fn status_overlay_only_when_not_valid() {
        let cases = [
            (LabelStatus::Valid, None),
            (
                LabelStatus::Suspended {
                    reason: "年度监督未完成".into(),
                },
                Some("已暂停 SUSPENDED"),
            ),
            (
                LabelStatus::Revoked {
                    reason: "数据造假 falsified data".into(),
                },
                Some("已撤销 REVOKED"),
            ),
            (LabelStatus::Expired, Some("已过期 EXPIRED")),
        ];
        for (status, band) in cases {
            let mut v = sample();
            v.status = status.clone();
            let svg = render_label_svg(&v);
            assert_well_formed(&svg, false);
            assert_eq!(
                svg.matches("status-overlay").count(),
                usize::from(band.is_some()),
                "{status:?}"
            );
            if let Some(band) = band {
                assert!(svg.contains(band));
                if let Some(r) = status.reason() {
                    assert!(svg.contains(r));
                }
            }
        }
    }

    #[test]
    fn grade_scale_highlights_the_achieved_grade() {
        for (grade, grades, hits) in [
            (2, 5, 1),
            (1, 1, 1),
            (5, 5, 1),
            (0, 5, 0),
            (6, 5, 0),
            (3, 0, 0),
            (12, 12, 0),
            (7, 10, 1),
        ] {
            let mut v = sample();
            v.grade = grade;
            v.grades = grades;
            let svg = render_label_svg(&v);
            assert_well_formed(&svg, false);
            assert_eq!(
                svg.matches("grade-achieved").count(),
                hits,
                "{grade}/{grades}"
            );
            let boxes = svg[svg.find("grade-scale").unwrap()..]
                .split("</g>")
                .next()
                .unwrap()
                .matches("<rect")
                .count();
            assert_eq!(boxes, usize::from(scale_size(grades)));
        }
        assert_eq!(grade_colour(1, 5).0, "#1a9850");
        assert_eq!(grade_colour(5, 5).0, "#d73027");
        assert_eq!(grade_colour(1, 1).0, "#1a9850");
        assert!(grade_colour(3, 5).1, "yellow takes dark text");
    }

    #[test]
    fn long_values_stay_inside() {
        let mut v = sample();
        v.product_name = "超长产品名称".repeat(30);
        v.value_kg = "123456789.123456".into();
        let svg = render_label_svg(&v);
        assert_well_formed(&svg, false);
        assert!(svg.contains('…'));
        let size: f64 = svg
            .split(r#"class="value""#)
            .next()
            .unwrap()
            .rsplit("font-size=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(size < 60.0);
    }
}
