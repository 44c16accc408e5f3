//! Signed HTTP requests: how a recipient proves, to a node that keeps
//! envelopes, that it holds the key the ledger registered for it.
//!
//! A request carries three headers:
//! - `tanji-org`: the organisation's id (32 hex characters);
//! - `tanji-time`: Unix seconds when it was signed;
//! - `tanji-signature`: 128 hex characters, the strict ed25519 signature of the
//!   organisation's signing key over (domain [`REQUEST_CONTEXT`], see
//!   [`crate::crypto::domain`])
//!
//! ```text
//! METHOD ‖ "\n" ‖ path ‖ "\n" ‖ decimal time ‖ "\n" ‖ hex(BLAKE3(body))
//! ```
//!
//! The node accepts a signature at most [`MAX_REQUEST_SKEW_SECS`] away from
//! its clock. Binding the method and path stops a signature for one envelope
//! being used for another; the window bounds replays (a replayed `GET` only
//! returns ciphertext to whoever already could read it). Transport privacy is
//! TLS's job; the envelope is encrypted to the recipient either way.

use crate::crypto::{PublicKey, SecretKey, Signature};
use crate::ids::OrgId;

/// Domain of request signatures.
pub const REQUEST_CONTEXT: &str = "tanji/http-request/v1";
/// Largest accepted clock difference between signer and node, in seconds.
pub const MAX_REQUEST_SKEW_SECS: u64 = 300;
/// Header naming the signing organisation.
pub const HEADER_ORG: &str = "tanji-org";
/// Header with the signing time.
pub const HEADER_TIME: &str = "tanji-time";
/// Header with the signature.
pub const HEADER_SIGNATURE: &str = "tanji-signature";

/// The three header values of a signed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestSignature {
    /// Who signs.
    pub org: OrgId,
    /// Unix seconds.
    pub time: u64,
    /// The signature.
    pub signature: Signature,
}

/// A signed request does not hold.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    /// A header is missing or malformed.
    #[error("signed request: {0}")]
    Header(String),
    /// The signing time is too far from the node's clock.
    #[error("signed request: signed at {time}, the node's clock says {now} (at most {MAX_REQUEST_SKEW_SECS} s apart)")]
    Stale {
        /// Signing time.
        time: u64,
        /// Node time.
        now: u64,
    },
    /// The signature does not verify with the organisation's key.
    #[error("signed request: the signature does not verify with {0}'s registered key")]
    BadSignature(OrgId),
}

/// The signed message (without the domain prefix).
pub fn request_message(method: &str, path: &str, time: u64, body: &[u8]) -> Vec<u8> {
    format!(
        "{}\n{path}\n{time}\n{}",
        method.to_ascii_uppercase(),
        blake3::hash(body).to_hex()
    )
    .into_bytes()
}

/// Signs a request as `org` with its signing key.
pub fn sign_request(
    key: &SecretKey,
    org: OrgId,
    method: &str,
    path: &str,
    time: u64,
    body: &[u8],
) -> RequestSignature {
    RequestSignature {
        org,
        time,
        signature: key.sign(REQUEST_CONTEXT, &request_message(method, path, time, body)),
    }
}

impl RequestSignature {
    /// Reads the three header values.
    pub fn from_headers(
        org: Option<&str>,
        time: Option<&str>,
        signature: Option<&str>,
    ) -> Result<Self, RequestError> {
        let missing = |h: &str| RequestError::Header(format!("header {h} is missing"));
        let org = org.ok_or_else(|| missing(HEADER_ORG))?;
        let org = org
            .trim()
            .parse::<OrgId>()
            .map_err(|e| RequestError::Header(format!("{HEADER_ORG}: {e}")))?;
        let time = time
            .ok_or_else(|| missing(HEADER_TIME))?
            .trim()
            .parse::<u64>()
            .map_err(|_| RequestError::Header(format!("{HEADER_TIME}: not Unix seconds")))?;
        let sig = signature.ok_or_else(|| missing(HEADER_SIGNATURE))?.trim();
        let mut bytes = [0u8; 64];
        hex::decode_to_slice(sig, &mut bytes).map_err(|_| {
            RequestError::Header(format!("{HEADER_SIGNATURE}: expected 128 hex characters"))
        })?;
        Ok(RequestSignature {
            org,
            time,
            signature: Signature(bytes),
        })
    }

    /// The three header values, in [`HEADER_ORG`], [`HEADER_TIME`],
    /// [`HEADER_SIGNATURE`] order.
    pub fn to_headers(&self) -> [(&'static str, String); 3] {
        [
            (HEADER_ORG, self.org.to_hex()),
            (HEADER_TIME, self.time.to_string()),
            (HEADER_SIGNATURE, hex::encode(self.signature.0)),
        ]
    }

    /// Checks the time window, then the signature with `key` (the
    /// organisation's registered signing key).
    pub fn verify(
        &self,
        key: &PublicKey,
        method: &str,
        path: &str,
        body: &[u8],
        now: u64,
    ) -> Result<(), RequestError> {
        if self.time.abs_diff(now) > MAX_REQUEST_SKEW_SECS {
            return Err(RequestError::Stale {
                time: self.time,
                now,
            });
        }
        key.verify(
            REQUEST_CONTEXT,
            &request_message(method, path, self.time, body),
            &self.signature,
        )
        .map_err(|_| RequestError::BadSignature(self.org))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_requests_bind_method_path_time_and_body() {
        let key = SecretKey::from_seed(&[5; 32]);
        let org = OrgId([1; 16]);
        let path = "/v1/footprints/ab/envelopes/cd";
        let req = sign_request(&key, org, "GET", path, 1_000, b"");
        let [(_, o), (_, t), (_, s)] = req.to_headers();
        let parsed = RequestSignature::from_headers(Some(&o), Some(&t), Some(&s)).unwrap();
        assert_eq!(parsed, req);
        parsed
            .verify(&key.public(), "GET", path, b"", 1_100)
            .unwrap();
        assert!(parsed
            .verify(&key.public(), "DELETE", path, b"", 1_000)
            .is_err());
        assert!(parsed
            .verify(&key.public(), "GET", "/v1/other", b"", 1_000)
            .is_err());
        assert!(parsed
            .verify(&key.public(), "GET", path, b"x", 1_000)
            .is_err());
        let other = SecretKey::from_seed(&[6; 32]).public();
        assert_eq!(
            parsed.verify(&other, "GET", path, b"", 1_000),
            Err(RequestError::BadSignature(org))
        );
        assert!(matches!(
            parsed.verify(
                &key.public(),
                "GET",
                path,
                b"",
                1_000 + MAX_REQUEST_SKEW_SECS + 1
            ),
            Err(RequestError::Stale { .. })
        ));
    }

    #[test]
    fn malformed_headers_are_clear_errors() {
        let e = RequestSignature::from_headers(None, Some("1"), Some("00")).unwrap_err();
        assert!(e.to_string().contains("tanji-org"), "{e}");
        let org = OrgId([1; 16]).to_hex();
        let e = RequestSignature::from_headers(Some(&org), Some("soon"), Some("00")).unwrap_err();
        assert!(e.to_string().contains("Unix seconds"), "{e}");
        let e = RequestSignature::from_headers(Some(&org), Some("1"), Some("zz")).unwrap_err();
        assert!(e.to_string().contains("128 hex"), "{e}");
    }
}
