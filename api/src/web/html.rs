//! Escaping and text measuring shared by the label (SVG) and the pages (HTML).
//!
//! [`escape`] makes any string safe as element text or as a quoted attribute
//! value in both XML and HTML: it escapes `& < > " '`, turns tab and line
//! breaks into spaces and drops every other control character (illegal in
//! XML 1.0), the non-characters U+FFFE/U+FFFF, and the bidirectional
//! overrides and isolates (U+202A–U+202E, U+2066–U+2069), which could make a
//! certificate number or a company name read differently from what it is.

use std::fmt::Write as _;

/// Whether `c` is kept by [`clean`] (after whitespace controls became spaces).
fn kept(c: char) -> bool {
    !(c.is_control()
        || matches!(c, '\u{FFFE}' | '\u{FFFF}')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// `s` without control characters, non-characters and bidi overrides; tab,
/// CR and LF become spaces. Not escaped.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .filter(|&c| kept(c))
        .collect()
}

/// `s` cleaned (see [`clean`]) and escaped for XML/HTML text and quoted
/// attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL fit for `href`/`src`: escaped, and only if it is site-relative
/// (`/…`, not `//…`) or `http(s)://`; anything else (`javascript:`, `data:`)
/// becomes `#`.
pub(crate) fn safe_url(url: &str) -> String {
    let u = clean(url);
    let u = u.trim();
    let lower = u.to_ascii_lowercase();
    let ok = (u.starts_with('/') && !u.starts_with("//"))
        || lower.starts_with("http://")
        || lower.starts_with("https://");
    if ok && !u.contains(char::is_whitespace) {
        escape(u)
    } else {
        "#".to_owned()
    }
}

/// Whether `c` is drawn about one em wide (CJK, Hangul, full-width forms).
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// Rough advance of `c` in ems for a sans-serif face; errs on the wide side.
fn char_em(c: char) -> f64 {
    match c {
        ' ' => 0.3,
        'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '|' | '!' | '\'' | 'I' | 'f' | 't' | 'r' => 0.32,
        'm' | 'w' | 'M' | 'W' | '@' => 0.9,
        'A'..='Z' => 0.68,
        '0'..='9' => 0.58,
        c if c.is_ascii() => 0.56,
        c if is_wide(c) => 1.0,
        _ => 0.62,
    }
}

/// Estimated width of `s` in ems.
pub(crate) fn text_em(s: &str) -> f64 {
    s.chars().map(char_em).sum()
}

/// `s` cleaned and, if wider than `max_em` ems, cut and ended with `…`.
/// Not escaped.
pub(crate) fn fit(s: &str, max_em: f64) -> String {
    let s = clean(s);
    if text_em(&s) <= max_em {
        return s;
    }
    let mut out = String::new();
    let mut w = char_em('…');
    for c in s.chars() {
        w += char_em(c);
        if w > max_em {
            break;
        }
        out.push(c);
    }
    let mut out = out.trim_end().to_owned();
    out.push('…');
    out
}

/// Formats a number for an SVG attribute: at most two decimals, no `-0`.
pub(crate) fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    let mut s = String::new();
    if r.fract() == 0.0 {
        let _ = write!(s, "{}", r as i64);
    } else {
        let _ = write!(s, "{r}");
    }
    if s == "-0" {
        s = "0".to_owned();
    }
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn escape_escapes_the_five_and_drops_controls() {
        assert_eq!(escape(r#"<script>&"'"#), "&lt;script&gt;&amp;&quot;&#39;");
        assert_eq!(escape("a\u{0}b\u{7}c\u{1b}[31m\u{7f}\u{85}"), "abc[31m");
        assert_eq!(escape("line\nbreak\ttab\r"), "line break tab ");
        assert_eq!(escape("A\u{202E}gnp.exe\u{2066}"), "Agnp.exe");
        assert_eq!(escape("京华 X14 笔记本电脑"), "京华 X14 笔记本电脑");
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn safe_url_refuses_other_schemes() {
        assert_eq!(safe_url("/v1/labels/X.svg"), "/v1/labels/X.svg");
        assert_eq!(
            safe_url("https://a.example/x?a=1&b=2"),
            "https://a.example/x?a=1&amp;b=2"
        );
        assert_eq!(safe_url("javascript:alert(1)"), "#");
        assert_eq!(safe_url(" JaVaScRiPt:alert(1)"), "#");
        assert_eq!(safe_url("data:text/html,<script>"), "#");
        assert_eq!(safe_url("//evil.example/"), "#");
        assert_eq!(
            safe_url("/a\"onmouseover=\"x"),
            "/a&quot;onmouseover=&quot;x"
        );
        assert_eq!(safe_url("/a b"), "#");
    }

    #[test]
    fn fit_cuts_wide_text() {
        assert_eq!(fit("short", 10.0), "short");
        let long = "京华".repeat(40);
        let f = fit(&long, 10.0);
        assert!(f.ends_with('…'));
        assert!(text_em(&f) <= 10.0);
        assert_eq!(fit("a\u{0}b", 10.0), "ab");
    }

    #[test]
    fn num_formats() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(3.456), "3.46");
        assert_eq!(num(-0.001), "0");
    }

    /// A small XML well-formedness check for the tests: balanced, properly
    /// nested tags, quoted attributes, no stray `<` or `&`. `html` allows the
    /// HTML void elements and a doctype, and skips `<style>` contents.
    pub(crate) fn assert_well_formed(doc: &str, html: bool) {
        const VOID: &[&str] = &["meta", "img", "br", "hr", "link", "input", "wbr"];
        let b = doc.as_bytes();
        let mut i = 0;
        let mut stack: Vec<String> = Vec::new();
        let mut roots = 0;
        let check_text = |t: &str, at: usize| {
            let mut rest = t;
            while let Some(p) = rest.find('&') {
                rest = &rest[p + 1..];
                let end = rest.find(';').unwrap_or_else(|| panic!("bare & at {at}"));
                let ent = &rest[..end];
                let ok = matches!(ent, "amp" | "lt" | "gt" | "quot" | "apos")
                    || (ent.starts_with("#x")
                        && ent.len() > 2
                        && ent[2..].chars().all(|c| c.is_ascii_hexdigit()))
                    || (ent.starts_with('#')
                        && ent.len() > 1
                        && ent[1..].chars().all(|c| c.is_ascii_digit()));
                assert!(ok, "bad entity &{ent}; at {at}");
            }
            assert!(!t.contains('>') || html, "raw > in text at {at}");
        };
        while i < b.len() {
            if b[i] != b'<' {
                let next = doc[i..].find('<').map_or(b.len(), |p| i + p);
                let text = &doc[i..next];
                if stack.is_empty() {
                    assert!(text.trim().is_empty(), "text outside root: {text:?}");
                }
                check_text(text, i);
                i = next;
                continue;
            }
            let rest = &doc[i..];
            if rest.starts_with("<?") {
                assert!(i == 0, "processing instruction not at start");
                i += rest.find("?>").expect("unterminated <?") + 2;
            } else if rest.starts_with("<!--") {
                i += rest.find("-->").expect("unterminated comment") + 3;
            } else if rest.starts_with("<!") {
                assert!(html && rest.to_ascii_lowercase().starts_with("<!doctype html>"));
                i += rest.find('>').unwrap() + 1;
            } else if let Some(r) = rest.strip_prefix("</") {
                let end = r.find('>').expect("unterminated end tag");
                let name = r[..end].trim();
                let open = stack.pop().unwrap_or_else(|| panic!("stray </{name}>"));
                assert_eq!(open, name, "mismatched </{name}> at {i}");
                i += 2 + end + 1;
            } else {
                // Start tag: name, then attributes name="value".
                let r = &rest[1..];
                let name_end = r
                    .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                    .expect("unterminated tag");
                let name = &r[..name_end];
                assert!(
                    !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':'),
                    "bad tag name {name:?} at {i}"
                );
                let mut j = name_end;
                let rb = r.as_bytes();
                let self_closing;
                loop {
                    while rb[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if rb[j] == b'>' {
                        self_closing = false;
                        j += 1;
                        break;
                    }
                    if r[j..].starts_with("/>") {
                        self_closing = true;
                        j += 2;
                        break;
                    }
                    let an_end = j + r[j..].find('=').expect("attribute without value");
                    let an = r[j..an_end].trim();
                    assert!(
                        an.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':'),
                        "bad attribute name {an:?} in <{name}>"
                    );
                    j = an_end + 1;
                    let q = rb[j];
                    assert!(
                        q == b'"' || q == b'\'',
                        "unquoted attribute {an} in <{name}>"
                    );
                    let v_end = j + 1 + r[j + 1..].find(q as char).expect("unterminated value");
                    let v = &r[j + 1..v_end];
                    assert!(!v.contains('<'), "< in attribute {an} of <{name}>");
                    check_text(v, i);
                    j = v_end + 1;
                }
                if stack.is_empty() {
                    roots += 1;
                }
                i += 1 + j;
                let void = html && VOID.contains(&name);
                if !self_closing && !void {
                    if html && (name == "style" || name == "script") {
                        let close = format!("</{name}>");
                        i += doc[i..].find(&close).expect("unterminated raw text");
                    }
                    stack.push(name.to_owned());
                }
            }
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        assert_eq!(roots, 1, "exactly one root element");
    }

    #[test]
    fn well_formedness_check_catches_errors() {
        assert_well_formed("<?xml version=\"1.0\"?><a x=\"1\"><b/>t &amp; u</a>", false);
        for bad in [
            "<a><b></a></b>",
            "<a>x & y</a>",
            "<a x=1></a>",
            "<a>",
            "<a/><b/>",
            "<a>\"<</a>",
        ] {
            assert!(
                std::panic::catch_unwind(|| assert_well_formed(bad, false)).is_err(),
                "{bad} accepted"
            );
        }
    }
}
