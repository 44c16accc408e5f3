//! PACT client credentials and bearer tokens (OAuth 2.0 client credentials,
//! RFC 6749 §4.4), as a PACT host keeps them.
//!
//! - A **credential** belongs to one registered organisation. Its secret is
//!   shown once; the host keeps only a salted hash,
//!   `BLAKE3-derive("tanji/pact-client-secret/v1", salt ‖ secret)`, compared
//!   in constant time ([`blake3::Hash`]'s equality).
//! - A **token** is self-contained and short-lived: `v1 ‖ org ‖ client ‖
//!   expiry ‖ MAC`, base64url, the MAC a keyed BLAKE3 under the host's
//!   token key. A host restart with the same key keeps tokens valid; a new
//!   key ends them all. What a token may read is decided by its
//!   organisation, so revoking a credential is checked on every use
//!   ([`TokenClaims::client_id`]).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tanji_ledger::ids::OrgId;

const SECRET_CONTEXT: &str = "tanji/pact-client-secret/v1";
const TOKEN_VERSION: u8 = 1;
const TOKEN_LEN: usize = 1 + 16 + 16 + 8 + 32;
/// Lifetime of a token, seconds (PACT examples use 3600).
pub const TOKEN_LIFETIME_SECS: u64 = 3600;
/// Longest `Authorization` header value accepted.
pub const MAX_AUTHORIZATION_LEN: usize = 1024;

/// A stored credential: who it belongs to and the salted hash of its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCredential {
    /// Public client id (32 hex digits).
    pub client_id: String,
    /// The organisation it acts for.
    pub org: OrgId,
    /// Random salt, hex.
    pub salt: String,
    /// `BLAKE3-derive(context, salt ‖ secret)`, hex.
    pub hash: String,
    /// What the organisation called it (e.g. the partner it was given to).
    #[serde(default)]
    pub label: String,
    /// When it was created, Unix seconds.
    #[serde(default)]
    pub created: u64,
}

/// A new credential: what is stored, and the secret to hand out once.
#[derive(Debug)]
pub struct NewCredential {
    /// What the host keeps.
    pub stored: StoredCredential,
    /// The secret (43 base64url characters), never stored.
    pub secret: String,
}

/// Why credentials or a token were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No randomness from the operating system.
    #[error("no randomness: {0}")]
    Randomness(String),
    /// Not `Basic base64(id:secret)` / `Bearer token`, or too long.
    #[error("malformed authorization: {0}")]
    Malformed(&'static str),
    /// Unknown client or wrong secret (deliberately not told apart).
    #[error("authentication failed")]
    BadCredentials,
    /// A token that was not issued with this key, or was altered.
    #[error("invalid access token")]
    InvalidToken,
    /// A token past its expiry.
    #[error("the access token has expired")]
    Expired,
}

fn random<const N: usize>() -> Result<[u8; N], AuthError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| AuthError::Randomness(e.to_string()))?;
    Ok(b)
}

fn secret_hash(salt: &[u8], secret: &str) -> blake3::Hash {
    let mut h = blake3::Hasher::new_derive_key(SECRET_CONTEXT);
    h.update(salt);
    h.update(secret.as_bytes());
    h.finalize()
}

/// A fresh credential for `org`, labelled `label`, created at `created`.
pub fn new_credential(org: OrgId, label: &str, created: u64) -> Result<NewCredential, AuthError> {
    let client_id = hex::encode(random::<16>()?);
    let salt = random::<16>()?;
    let secret = URL_SAFE_NO_PAD.encode(random::<32>()?);
    Ok(NewCredential {
        stored: StoredCredential {
            client_id,
            org,
            salt: hex::encode(salt),
            hash: secret_hash(&salt, &secret).to_hex().to_string(),
            label: label.to_string(),
            created,
        },
        secret,
    })
}

impl StoredCredential {
    /// Whether `secret` is this credential's secret (constant time).
    pub fn accepts(&self, secret: &str) -> bool {
        let (Ok(salt), Ok(hash)) = (hex::decode(&self.salt), blake3::Hash::from_hex(&self.hash))
        else {
            return false;
        };
        secret_hash(&salt, secret) == hash
    }
}

/// `Authorization: Basic base64(client_id:secret)` → (client_id, secret).
pub fn parse_basic(header: &str) -> Result<(String, String), AuthError> {
    if header.len() > MAX_AUTHORIZATION_LEN {
        return Err(AuthError::Malformed("too long"));
    }
    let (scheme, value) = header
        .split_once(' ')
        .ok_or(AuthError::Malformed("no scheme"))?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(AuthError::Malformed("not Basic"));
    }
    let bytes = STANDARD
        .decode(value.trim())
        .map_err(|_| AuthError::Malformed("not base64"))?;
    let text = String::from_utf8(bytes).map_err(|_| AuthError::Malformed("not UTF-8"))?;
    let (id, secret) = text
        .split_once(':')
        .ok_or(AuthError::Malformed("no colon"))?;
    Ok((id.to_string(), secret.to_string()))
}

/// `Authorization: Bearer TOKEN` → TOKEN.
pub fn parse_bearer(header: &str) -> Result<&str, AuthError> {
    if header.len() > MAX_AUTHORIZATION_LEN {
        return Err(AuthError::Malformed("too long"));
    }
    let (scheme, value) = header
        .split_once(' ')
        .ok_or(AuthError::Malformed("no scheme"))?;
    if !scheme.eq_ignore_ascii_case("bearer") || value.trim().is_empty() {
        return Err(AuthError::Malformed("not Bearer"));
    }
    Ok(value.trim())
}

/// What a valid token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenClaims {
    /// The organisation it acts for.
    pub org: OrgId,
    /// The credential it was issued to (32 hex digits).
    pub client_id: String,
    /// Expiry, Unix seconds.
    pub expires: u64,
}

/// Issues a token for `credential`, valid until `now + TOKEN_LIFETIME_SECS`.
pub fn issue_token(key: &[u8; 32], credential: &StoredCredential, now: u64) -> String {
    let mut b = Vec::with_capacity(TOKEN_LEN);
    b.push(TOKEN_VERSION);
    b.extend_from_slice(credential.org.as_bytes());
    let mut client = [0u8; 16];
    // Ids are made by `new_credential`; anything else maps to zeros and the
    // token is then refused when the credential is looked up.
    let _ = hex::decode_to_slice(&credential.client_id, &mut client);
    b.extend_from_slice(&client);
    b.extend_from_slice(&now.saturating_add(TOKEN_LIFETIME_SECS).to_le_bytes());
    let mac = blake3::keyed_hash(key, &b);
    b.extend_from_slice(mac.as_bytes());
    URL_SAFE_NO_PAD.encode(b)
}

/// Checks a token's MAC under `key` and its expiry against `now`.
pub fn verify_token(key: &[u8; 32], token: &str, now: u64) -> Result<TokenClaims, AuthError> {
    if token.len() > 2 * TOKEN_LEN {
        return Err(AuthError::InvalidToken);
    }
    let b = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| AuthError::InvalidToken)?;
    if b.len() != TOKEN_LEN || b[0] != TOKEN_VERSION {
        return Err(AuthError::InvalidToken);
    }
    let (payload, mac) = b.split_at(TOKEN_LEN - 32);
    let mac: [u8; 32] = mac.try_into().map_err(|_| AuthError::InvalidToken)?;
    // blake3::Hash compares in constant time.
    if blake3::keyed_hash(key, payload) != blake3::Hash::from_bytes(mac) {
        return Err(AuthError::InvalidToken);
    }
    let mut org = [0u8; 16];
    org.copy_from_slice(&payload[1..17]);
    let mut expires = [0u8; 8];
    expires.copy_from_slice(&payload[33..41]);
    let expires = u64::from_le_bytes(expires);
    if now >= expires {
        return Err(AuthError::Expired);
    }
    Ok(TokenClaims {
        org: OrgId(org),
        client_id: hex::encode(&payload[17..33]),
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_accept_only_their_secret() {
        let org = OrgId([9; 16]);
        let c = new_credential(org, "partner", 5).expect("randomness");
        assert!(c.stored.accepts(&c.secret));
        assert!(!c.stored.accepts("wrong"));
        assert!(!c.stored.accepts(""));
        let other = new_credential(org, "partner", 5).expect("randomness");
        assert_ne!(c.stored.client_id, other.stored.client_id);
        assert!(!c.stored.accepts(&other.secret));
        // The stored form never holds the secret.
        let stored = serde_json::to_string(&c.stored).expect("json");
        assert!(!stored.contains(&c.secret));
    }

    #[test]
    fn basic_and_bearer_headers() {
        let h = format!("Basic {}", STANDARD.encode("client:s3cret:with:colons"));
        assert_eq!(
            parse_basic(&h),
            Ok(("client".into(), "s3cret:with:colons".into()))
        );
        for bad in ["", "Basic", "Bearer abc", "Basic !!!", "Basic Y2xpZW50"] {
            assert!(parse_basic(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_bearer("bearer abc"), Ok("abc"));
        assert!(parse_bearer("Bearer ").is_err());
        assert!(parse_bearer(&"x".repeat(MAX_AUTHORIZATION_LEN + 1)).is_err());
    }

    #[test]
    fn tokens_verify_expire_and_resist_tampering() {
        let key = [7u8; 32];
        let c = new_credential(OrgId([3; 16]), "", 0).expect("randomness");
        let t = issue_token(&key, &c.stored, 1_000);
        let claims = verify_token(&key, &t, 1_000).expect("valid");
        assert_eq!(claims.org, OrgId([3; 16]));
        assert_eq!(claims.client_id, c.stored.client_id);
        assert_eq!(claims.expires, 1_000 + TOKEN_LIFETIME_SECS);
        assert_eq!(
            verify_token(&key, &t, 1_000 + TOKEN_LIFETIME_SECS),
            Err(AuthError::Expired)
        );
        assert_eq!(
            verify_token(&[8u8; 32], &t, 1_000),
            Err(AuthError::InvalidToken)
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&t).expect("b64");
        for i in 0..bytes.len() {
            bytes[i] ^= 1;
            let forged = URL_SAFE_NO_PAD.encode(&bytes);
            assert_eq!(
                verify_token(&key, &forged, 1_000),
                Err(AuthError::InvalidToken),
                "byte {i}"
            );
            bytes[i] ^= 1;
        }
        for junk in ["", "a", "!!!!", &"A".repeat(500)] {
            assert_eq!(verify_token(&key, junk, 0), Err(AuthError::InvalidToken));
        }
    }
}
