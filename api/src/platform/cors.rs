//! Which other origins may read the API from a browser.
//!
//! The platform served by one node may be pointed at a second one (a
//! regulator's observer) to cross-check its checkpoint; that second node
//! must allow the first one's origin. Only reads are shared (`GET`, `HEAD`,
//! no credentials): writes (`POST /v1/tx`, envelopes, PACT management) need
//! a preflight, which is refused, so a page elsewhere cannot submit through
//! a visitor's browser. Everything the read API serves is public ledger
//! data, so the default allows any origin; an operator can list origins or
//! turn it off (`cors_allow_origins` in the node's config).

use std::time::Duration;

use axum::http::{HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Origins allowed to read the API from a browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin (`*`).
    Any,
    /// These origins (`https://platform.example.cn`), exactly.
    List(Vec<HeaderValue>),
    /// None: no CORS headers at all.
    Off,
}

/// A configured origin is not one.
#[derive(Debug, thiserror::Error)]
#[error("cors_allow_origins: {0:?} is not an origin such as https://example.org (or \"*\")")]
pub struct BadOrigin(pub String);

impl CorsOrigins {
    /// From the config list: `["*"]` is any origin, `[]` none, otherwise
    /// each `scheme://host[:port]`.
    pub fn parse(list: &[String]) -> Result<Self, BadOrigin> {
        if list.is_empty() {
            return Ok(CorsOrigins::Off);
        }
        if list.iter().any(|o| o == "*") {
            return if list.len() == 1 {
                Ok(CorsOrigins::Any)
            } else {
                Err(BadOrigin("\"*\" must be the only entry".into()))
            };
        }
        list.iter()
            .map(|o| {
                let (scheme, rest) = o.split_once("://").ok_or_else(|| BadOrigin(o.clone()))?;
                let ok = matches!(scheme, "http" | "https")
                    && !rest.is_empty()
                    && !rest.contains('/')
                    && rest.is_ascii();
                if !ok {
                    return Err(BadOrigin(o.clone()));
                }
                HeaderValue::from_str(o).map_err(|_| BadOrigin(o.clone()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(CorsOrigins::List)
    }
}

/// The layer for `origins`, or `None` when CORS is off.
pub fn cors_layer(origins: &CorsOrigins) -> Option<CorsLayer> {
    let allow = match origins {
        CorsOrigins::Off => return None,
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::List(list) => AllowOrigin::list(list.clone()),
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::HEAD])
            .max_age(Duration::from_secs(3600)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(list: &[&str]) -> Result<CorsOrigins, BadOrigin> {
        CorsOrigins::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn star_empty_and_lists() {
        assert_eq!(parse(&["*"]).ok(), Some(CorsOrigins::Any));
        assert_eq!(parse(&[]).ok(), Some(CorsOrigins::Off));
        assert!(matches!(
            parse(&["https://a.example.cn", "http://127.0.0.1:8080"]),
            Ok(CorsOrigins::List(l)) if l.len() == 2
        ));
    }

    #[test]
    fn bad_origins_are_refused_with_their_text() {
        for bad in [
            vec!["example.org"],
            vec!["ftp://example.org"],
            vec!["https://example.org/path"],
            vec!["*", "https://a.example"],
            vec!["https://"],
        ] {
            let e = parse(&bad).expect_err("refused");
            assert!(!e.to_string().is_empty());
        }
    }
}
