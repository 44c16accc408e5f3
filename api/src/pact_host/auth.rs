//! Authentication at the PACT host: the OAuth 2.0 token endpoint (client
//! credentials, RFC 6749 §4.4), the OpenID provider configuration that
//! points to it, and the bearer check every action makes ([`Reader`]).

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tanji_ledger::state::StateView;
use tanji_ledger::OrgId;
use tanji_pact::auth::{self, AuthError, TOKEN_LIFETIME_SECS};
use tanji_pact::clients;

use super::{OAuthError, PactError, PactHost};
use crate::routes::pact::base_of;
use crate::routes::signed::now;

/// Where tokens are issued.
pub(super) const TOKEN_PATH: &str = "/auth/token";
/// The OpenID provider configuration document.
pub(super) const OPENID_PATH: &str = "/.well-known/openid-configuration";

/// `(client_id, secret)` from HTTP Basic, or else from the form
/// (`client_secret_post`).
fn client_of(headers: &HeaderMap, form: &[(String, String)]) -> Option<(String, String)> {
    if let Some(h) = headers.get(header::AUTHORIZATION) {
        return auth::parse_basic(h.to_str().ok()?).ok();
    }
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    Some((field("client_id")?, field("client_secret")?))
}

/// `POST /auth/token`: `grant_type=client_credentials` with the client's
/// id and secret → a bearer token for its organisation.
pub(super) async fn token(
    State(host): State<PactHost>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    match form.iter().find(|(k, _)| k == "grant_type") {
        None => {
            return Err(OAuthError::bad(
                "invalid_request",
                "grant_type is missing (expected client_credentials in an application/x-www-form-urlencoded body)",
            ))
        }
        Some((_, g)) if g != "client_credentials" => {
            return Err(OAuthError::bad(
                "unsupported_grant_type",
                format!("grant_type {g:?}: only client_credentials is supported"),
            ))
        }
        Some(_) => {}
    }
    let (client_id, secret) = client_of(&headers, &form).ok_or_else(OAuthError::invalid_client)?;
    let store = host.api.store.clone();
    let key = host.token_key.clone();
    let token = tokio::task::spawn_blocking(move || -> Result<String, OAuthError> {
        let credential = clients::get(&*store, &client_id)
            .map_err(OAuthError::internal)?
            .filter(|c| c.accepts(&secret))
            .ok_or_else(OAuthError::invalid_client)?;
        let active = StateView::org(&*store, &credential.org)
            .map_err(OAuthError::internal)?
            .is_some_and(|o| o.is_active());
        if !active {
            return Err(OAuthError::invalid_client());
        }
        Ok(auth::issue_token(&key, &credential, now()))
    })
    .await
    .map_err(OAuthError::internal)??;
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(serde_json::json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECS,
            "scope": "footprint:list footprint:read",
        })),
    )
        .into_response())
}

/// `GET /.well-known/openid-configuration`: where the token endpoint is.
pub(super) async fn openid_configuration(headers: HeaderMap) -> impl IntoResponse {
    let base = base_of(&headers, "https");
    Json(serde_json::json!({
        "issuer": base,
        "token_endpoint": format!("{base}{TOKEN_PATH}"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": ["token"],
        "scopes_supported": ["footprint:list", "footprint:read"],
    }))
}

/// The organisation a request acts for, from its bearer token: the token is
/// genuine and unexpired, its credential still exists, and the organisation
/// is active on the ledger.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader {
    /// The organisation.
    pub org: OrgId,
}

impl FromRequestParts<PactHost> for Reader {
    type Rejection = PactError;

    async fn from_request_parts(parts: &mut Parts, host: &PactHost) -> Result<Self, PactError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| PactError::invalid_token("no access token (Authorization: Bearer …)"))?
            .to_str()
            .map_err(|_| PactError::invalid_token("the Authorization header is not text"))?;
        let token =
            auth::parse_bearer(header).map_err(|e| PactError::invalid_token(e.to_string()))?;
        let claims = match auth::verify_token(&host.token_key, token, now()) {
            Ok(c) => c,
            Err(AuthError::Expired) => return Err(PactError::token_expired()),
            Err(e) => return Err(PactError::invalid_token(e.to_string())),
        };
        let store = &*host.api.store;
        // Point reads of the private records and the state: microseconds.
        let credential = clients::get(store, &claims.client_id).map_err(PactError::internal)?;
        if credential.is_none_or(|c| c.org != claims.org) {
            return Err(PactError::invalid_token(
                "the credential this token was issued to has been revoked",
            ));
        }
        let active = StateView::org(store, &claims.org)
            .map_err(PactError::internal)?
            .is_some_and(|o| o.is_active());
        if !active {
            return Err(PactError::access_denied(format!(
                "organisation {} is not an active member of the network",
                claims.org
            )));
        }
        Ok(Reader { org: claims.org })
    }
}
