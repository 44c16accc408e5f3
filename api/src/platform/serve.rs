//! Serving the embedded platform: the router's fallback.
//!
//! A `GET` or `HEAD` of an embedded file answers the file; of a path that
//! looks like one of the application's pages (no file extension, not an API
//! path) answers `index.html`, so shared links such as `/footprints/{id}`
//! open the page they name (history mode). Everything else keeps the API's
//! JSON 404.

use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::assets::{self, Asset};

/// Path prefixes that belong to the API, never to the application.
const API_PREFIXES: [&str; 7] = [
    "/v1/",
    "/verify/",
    "/pact/",
    "/openapi.json",
    "/health",
    "/metrics",
    "/.well-known/",
];

/// The application may load only its own files and talk to any node's API
/// (the cross-check of a second node's checkpoint); ECharts sets inline
/// styles, so inline style attributes are allowed, inline scripts are not.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' http: https:; \
                   object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/// The fallback of the API router.
pub(crate) async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let is_read = method == Method::GET || method == Method::HEAD;
    if !is_read || API_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return crate::routes::not_found_error(path).into_response();
    }
    let rel = path.trim_start_matches('/');
    if let Some(asset) = assets::get(rel).filter(|_| !rel.is_empty()) {
        return file(asset, method);
    }
    let last = rel.rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        // A missing file (a stale hashed asset, a typo): not a page.
        return crate::routes::not_found_error(path).into_response();
    }
    match assets::get("index.html") {
        Some(index) => file(index, method),
        None => not_built(),
    }
}

fn file(asset: Asset, method: Method) -> Response {
    let cache = if asset.is_immutable() {
        "public, max-age=31536000, immutable"
    } else {
        // index.html names the current hashed assets: always revalidate it.
        "no-cache"
    };
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type()),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ),
    ];
    if method == Method::HEAD {
        let len = (header::CONTENT_LENGTH, HeaderValue::from(asset.bytes.len()));
        return (StatusCode::OK, headers, [len]).into_response();
    }
    (StatusCode::OK, headers, asset.bytes).into_response()
}

/// This binary was built without `web/dist`: say so, and how to fix it.
fn not_built() -> Response {
    let body = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">\
        <title>碳迹 Tanji</title><body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">\
        <h1>碳迹 Tanji</h1>\
        <p>本节点的二进制文件构建时未包含网页平台。The web platform was not built into this node.</p>\
        <p>Build it with <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code> and rebuild the node \
        (<code>./scripts/demo</code> and <code>./scripts/test</code> do both).</p>\
        <p>The API is served as usual: <a href=\"/openapi.json\">/openapi.json</a>, \
        <a href=\"/v1/checkpoint\">/v1/checkpoint</a>.</p></body></html>";
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}
