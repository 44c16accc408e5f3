//! The label's QR code, drawn as one SVG path.
//!
//! The `qrcode` crate computes the module matrix (error correction level M,
//! which survives a scuffed or partly covered printed label); this module
//! draws the dark modules row by row as runs (`M x y h n v1 h-n z`) inside a
//! white square that keeps the four-module quiet zone the standard asks for.

use qrcode::{Color, EcLevel, QrCode};

use super::html::num;

/// Modules of quiet zone on each side (ISO/IEC 18004).
pub(crate) const QUIET: usize = 4;

/// A QR code's modules, row-major, `true` = dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QrMatrix {
    /// Modules per side.
    pub width: usize,
    /// `width × width` modules, row by row.
    pub dark: Vec<bool>,
}

/// Encodes `data` at error correction level M; `None` if it is too long
/// for any QR version.
pub(crate) fn encode(data: &str) -> Option<QrMatrix> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Some(QrMatrix { width, dark })
}

/// Path data for the dark modules, one unit per module, origin at the
/// top-left module (quiet zone not included).
pub(crate) fn path_data(m: &QrMatrix) -> String {
    let mut d = String::new();
    for y in 0..m.width {
        let row = &m.dark[y * m.width..(y + 1) * m.width];
        let mut x = 0;
        while x < m.width {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < m.width && row[x] {
                x += 1;
            }
            let n = x - start;
            d.push_str(&format!("M{start} {y}h{n}v1h-{n}z"));
        }
    }
    d
}

/// An SVG group drawing the QR code of `data` in the square at (`x`, `y`)
/// with side `size`, quiet zone included. If `data` cannot be encoded, a
/// framed "QR unavailable" box instead.
pub(crate) fn svg_group(data: &str, x: f64, y: f64, size: f64) -> String {
    let Some(m) = encode(data) else {
        return format!(
            r##"<g class="qr-missing"><rect x="{x}" y="{y}" width="{s}" height="{s}" fill="#fff" stroke="#b91c1c"/><text x="{cx}" y="{cy}" text-anchor="middle" font-size="11" fill="#b91c1c">QR unavailable</text></g>"##,
            x = num(x),
            y = num(y),
            s = num(size),
            cx = num(x + size / 2.0),
            cy = num(y + size / 2.0),
        );
    };
    let total = (m.width + 2 * QUIET) as f64;
    let scale = size / total;
    format!(
        r##"<g class="qr" data-modules="{w}"><rect x="{x}" y="{y}" width="{s}" height="{s}" fill="#fff"/><path transform="translate({tx} {ty}) scale({sc})" fill="#111" shape-rendering="crispEdges" d="{d}"/></g>"##,
        w = m.width,
        x = num(x),
        y = num(y),
        s = num(size),
        tx = num(x + QUIET as f64 * scale),
        ty = num(y + QUIET as f64 * scale),
        sc = format_args!("{scale:.4}"),
        d = path_data(&m),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Rebuilds the module matrix from path data written by [`path_data`].
    pub(crate) fn matrix_from_path(d: &str, width: usize) -> QrMatrix {
        let mut dark = vec![false; width * width];
        for run in d.split('M').filter(|r| !r.is_empty()) {
            let (pos, rest) = run.split_once('h').expect("run has h");
            let (x, y) = pos.split_once(' ').expect("x y");
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let n: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            assert_eq!(rest, format!("{n}v1h-{n}z"));
            for i in x..x + n {
                assert!(!dark[y * width + i], "overlapping runs");
                dark[y * width + i] = true;
            }
        }
        QrMatrix { width, dark }
    }

    /// Decodes a module matrix like a phone would: rasterised at 4 pixels
    /// per module with the quiet zone, then read back with `rqrr`.
    pub(crate) fn decode(m: &QrMatrix) -> String {
        const PX: usize = 4;
        let side = (m.width + 2 * QUIET) * PX;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = (x / PX, y / PX);
            let inside =
                (QUIET..QUIET + m.width).contains(&mx) && (QUIET..QUIET + m.width).contains(&my);
            if inside && m.dark[(my - QUIET) * m.width + (mx - QUIET)] {
                0
            } else {
                255
            }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code found");
        grids[0].decode().expect("QR decodes").1
    }

    #[test]
    fn path_round_trips_and_decodes() {
        for url in [
            "http://127.0.0.1:7410/verify/CQC-PCF-2026-000123",
            "https://tanji.example.cn/verify/CQC-PCF-2026-000123?lang=zh&x=%E4%BA%AC",
            "x",
        ] {
            let m = encode(url).unwrap();
            let back = matrix_from_path(&path_data(&m), m.width);
            assert_eq!(back, m);
            assert_eq!(decode(&back), url);
        }
    }

    #[test]
    fn too_long_data_draws_a_placeholder() {
        let long = "x".repeat(5000);
        assert!(encode(&long).is_none());
        let g = svg_group(&long, 0.0, 0.0, 100.0);
        assert!(g.contains("QR unavailable"));
        assert!(!g.contains("<path"));
    }
}
