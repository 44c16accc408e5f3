//! Every route's path, in OpenAPI template form (`{name}` for a parameter).
//!
//! The server registers its handlers under these templates and documents
//! them in `/openapi.json`; the client fills the same templates with
//! [`fill`]. A path therefore exists in one place only.

/// `POST`: submit a transaction.
pub const TX: &str = "/v1/tx";
/// `GET`: where a transaction stands.
pub const TX_STATUS: &str = "/v1/tx/{id}";
/// `GET`: a committed transaction's offline verification bundle.
pub const TX_BUNDLE: &str = "/v1/tx/{id}/bundle";
/// `GET`: the latest signed checkpoint, or the one at `?size=`.
pub const CHECKPOINT: &str = "/v1/checkpoint";
/// `GET`: log entries `[start, end)`.
pub const ENTRIES: &str = "/v1/entries";
/// The newest entries, decoded.
pub const LOG_RECENT: &str = "/v1/log/recent";
/// One search over the ledger.
pub const SEARCH: &str = "/v1/search";
/// `GET`: an inclusion proof.
pub const PROOF_INCLUSION: &str = "/v1/proof/inclusion";
/// `GET`: a consistency proof.
pub const PROOF_CONSISTENCY: &str = "/v1/proof/consistency";
/// `GET`: every organisation.
pub const ORGS: &str = "/v1/orgs";
/// `GET`: one organisation.
pub const ORG: &str = "/v1/orgs/{id}";
/// `GET`: network facts.
pub const NETWORK: &str = "/v1/network";
/// `GET`: search the factor database.
pub const FACTORS: &str = "/v1/factors";
/// `GET`: one factor version (`id@version`) or an id's history.
pub const FACTOR: &str = "/v1/factors/{key}";
/// `GET`: footprints that depend on a factor version.
pub const FACTOR_AFFECTED: &str = "/v1/factors/{key}/affected";
/// `GET`: every product rule version.
pub const RULES: &str = "/v1/rules";
/// `GET`: one product rule version.
pub const RULE: &str = "/v1/rules/{key}";
/// `GET`: footprints.
pub const FOOTPRINTS: &str = "/v1/footprints";
/// `GET`: one footprint.
pub const FOOTPRINT: &str = "/v1/footprints/{id}";
/// Dry-run compute of a model.
pub const FOOTPRINT_COMPUTE: &str = "/v1/footprints/compute";
/// The unsigned attestation of a model, for a signer outside the node.
pub const FOOTPRINT_PREPARE: &str = "/v1/footprints/prepare";
/// `GET`: a footprint's supply-chain tree with every record it needs.
pub const FOOTPRINT_TREE: &str = "/v1/footprints/{id}/tree";
/// `GET`: a footprint's tree recomputed and checked.
pub const FOOTPRINT_VERIFY: &str = "/v1/footprints/{id}/verify";
/// `GET`: footprints that depend on a footprint.
pub const FOOTPRINT_AFFECTED: &str = "/v1/footprints/{id}/affected";
/// `GET`: a footprint as a PACT document (v2.3 or v3.0) with its ledger proof.
pub const FOOTPRINT_PACT: &str = "/v1/footprints/{id}/pact";
/// `GET`: the JSON schema of the verifiable-PACT proof extension.
pub const PACT_PROOF_SCHEMA: &str = "/pact/extensions/tanji-proof/1.0.0/schema.json";
/// `POST` (create), `GET` (list): the signer's PACT client credentials (signed requests).
pub const PACT_CLIENTS: &str = "/v1/pact/clients";
/// `DELETE`: revokes one of the signer's PACT client credentials (signed request).
pub const PACT_CLIENT: &str = "/v1/pact/clients/{client_id}";
/// `PUT` (register or replace), `GET` (list): the signer's PACT hosts that
/// answers go to, with the credentials to use there (signed requests).
pub const PACT_CALLBACKS: &str = "/v1/pact/callbacks";
/// `DELETE`: removes one of the signer's registered PACT hosts (signed request).
pub const PACT_CALLBACK: &str = "/v1/pact/callbacks/{id}";
/// `GET`: the PACT events partners' hosts sent the signer (signed request).
pub const PACT_INBOX: &str = "/v1/pact/inbox";
/// `GET`: the answer the signer received to one of its PACT requests, by the
/// request's event id (signed request).
pub const PACT_ANSWER: &str = "/v1/pact/inbox/answers/{request_id}";
/// `PUT`, `GET`, `DELETE`: a sealed envelope of a footprint's disclosure.
pub const ENVELOPE: &str = "/v1/footprints/{id}/envelopes/{hash}";
/// `GET`: every certificate.
pub const CERTIFICATES: &str = "/v1/certificates";
/// `GET`: one certificate.
pub const CERTIFICATE: &str = "/v1/certificates/{id}";
/// `GET`: a certificate's offline verification bundle.
pub const CERTIFICATE_BUNDLE: &str = "/v1/certificates/{id}/bundle";
/// `GET`: a carbon label, `{file}` = `CERTIFICATE.svg`.
pub const LABEL: &str = "/v1/labels/{file}";
/// `GET`: the bilingual verification page a label's QR code points to.
pub const VERIFY_PAGE: &str = "/verify/{certificate}";
/// `GET`: ledger records by reference, for clients that compute or check footprints.
pub const RESOLVE: &str = "/v1/resolve";
/// `GET`: counts for regulators.
pub const STATS: &str = "/v1/stats";
/// `GET`: outliers and sharp drops.
pub const ANOMALIES: &str = "/v1/anomalies";
/// `GET`: forks and equivocations the node has seen.
pub const ALARMS: &str = "/v1/alarms";
/// `GET`: health.
pub const HEALTH: &str = "/health";
/// `GET`: Prometheus metrics.
pub const METRICS: &str = "/metrics";
/// `GET`: this API's OpenAPI document.
pub const OPENAPI: &str = "/openapi.json";

/// Fills `template`'s `{name}` placeholders, in order, with `args`,
/// percent-encoding every byte outside RFC 3986's unreserved set and `@`/`:`
/// (which ids and record references use and a path segment allows).
/// Placeholders without an argument are left as they are.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        match args.next() {
            Some(arg) => encode_segment(arg, &mut out),
            None => out.push_str(&rest[open..open + close + 1]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn encode_segment(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders_in_order_and_encodes() {
        assert_eq!(fill(FOOTPRINT, &["ab12"]), "/v1/footprints/ab12");
        assert_eq!(
            fill(ENVELOPE, &["ab", "cd"]),
            "/v1/footprints/ab/envelopes/cd"
        );
        assert_eq!(fill(FACTOR, &["cn_elec@1"]), "/v1/factors/cn_elec@1");
        assert_eq!(fill(FACTOR, &["a/b c"]), "/v1/factors/a%2Fb%20c");
        assert_eq!(fill(TX, &[]), "/v1/tx");
        assert_eq!(fill(ORG, &[]), "/v1/orgs/{id}");
    }
}
