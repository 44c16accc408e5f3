//! The platform's files, embedded at build time by `api/build.rs` from
//! `web/dist`.

include!(concat!(env!("OUT_DIR"), "/platform_assets.rs"));

/// An embedded file.
#[derive(Clone, Copy, Debug)]
pub struct Asset {
    /// Its path under `/`, without the leading slash.
    pub path: &'static str,
    /// Its contents.
    pub bytes: &'static [u8],
}

impl Asset {
    /// The `Content-Type` its extension calls for.
    pub fn content_type(&self) -> &'static str {
        content_type(self.path)
    }

    /// Whether its name carries a content hash (Vite's `assets/` folder), so
    /// it can be cached for good.
    pub fn is_immutable(&self) -> bool {
        self.path.starts_with("assets/")
    }
}

/// The embedded file at `path` (without the leading slash).
pub fn get(path: &str) -> Option<Asset> {
    ASSETS
        .binary_search_by(|(p, _)| (*p).cmp(path))
        .ok()
        .and_then(|i| ASSETS.get(i))
        .map(|(path, bytes)| Asset { path, bytes })
}

/// Whether the platform was built into this binary.
pub fn is_built() -> bool {
    get("index.html").is_some()
}

/// Every embedded file: paths and sizes (for the build report and tests).
pub fn list() -> impl Iterator<Item = Asset> {
    ASSETS.iter().map(|(path, bytes)| Asset { path, bytes })
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_so_lookups_find_every_file() {
        assert!(ASSETS.windows(2).all(|w| w[0].0 < w[1].0));
        for a in list() {
            assert_eq!(get(a.path).map(|b| b.bytes.len()), Some(a.bytes.len()));
        }
        assert!(get("no/such/file.js").is_none());
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("assets/index-abc.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("assets/x.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("README"), "application/octet-stream");
    }
}
