//! Checking a PACT document against the ledger, offline.
//!
//! [`verify_document`] finds the [`crate::proof`] extension, proves its
//! entries against the cosigned checkpoint, recomputes the document from
//! the proven records with [`crate::map`], and compares the two field by
//! field. The first difference is reported with its JSON path
//! (`pcf.fossilGhgEmissions`), so an edited field is named, and so is an
//! edited proof (which fails to verify, or yields other records).

use serde::Serialize;
use serde_json::Value;
use tanji_ledger::checkpoint::NoteVerifier;

use crate::map::{self, MapError};
use crate::proof::{PactProof, ProofError, PROOF_FORMAT};

/// Largest PACT document accepted (proofs included).
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// The PACT spec version of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SpecVersion {
    /// 2.x (served as 2.3).
    #[serde(rename = "2")]
    V2,
    /// 3.x.
    #[serde(rename = "3")]
    V3,
}

impl SpecVersion {
    /// The major version: 2 or 3.
    pub fn major(self) -> u8 {
        match self {
            SpecVersion::V2 => 2,
            SpecVersion::V3 => 3,
        }
    }

    /// From a document's `specVersion`.
    pub fn of(doc: &Value) -> Result<Self, VerifyError> {
        let v = doc
            .get("specVersion")
            .and_then(Value::as_str)
            .ok_or_else(|| VerifyError::Malformed("no specVersion".into()))?;
        match v.split('.').next() {
            Some("2") => Ok(SpecVersion::V2),
            Some("3") => Ok(SpecVersion::V3),
            _ => Err(VerifyError::Malformed(format!(
                "specVersion {v:?} is neither 2.x nor 3.x"
            ))),
        }
    }
}

/// What a verification established.
#[derive(Clone, Debug, Serialize)]
pub struct PactReport {
    /// Spec version of the document.
    pub spec_version: SpecVersion,
    /// The PACT id.
    pub pf_id: String,
    /// The attestation.
    pub footprint: String,
    /// Fields compared (leaves of the JSON document, extensions excluded).
    pub fields_checked: usize,
    /// Entries proven.
    pub entries_proven: usize,
    /// The checkpoint's size.
    pub tree_size: u64,
    /// Its root, hex.
    pub root: String,
    /// Its network.
    pub network: String,
    /// Valid validator signatures.
    pub signatures: usize,
    /// Whether the validator keys were pinned by the caller.
    pub keys_pinned: bool,
    /// What the proof cannot show.
    pub limits: Vec<String>,
}

/// Why a PACT document does not verify.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Not a PACT document.
    #[error("malformed document: {0}")]
    Malformed(String),
    /// No Tanji proof extension.
    #[error("the document has no {PROOF_FORMAT} extension")]
    NoProof,
    /// The proof does not verify or lacks a record.
    #[error("proof: {0}")]
    Proof(#[from] ProofError),
    /// The ledger's records give no document (a hidden footprint).
    #[error("{0}")]
    Map(#[from] MapError),
    /// A field says something else than the ledger.
    #[error("field {field}: the document says {document}, the ledger says {ledger}")]
    Field {
        /// JSON path of the field.
        field: String,
        /// What the document says (JSON, or `absent`).
        document: String,
        /// What the ledger's records give (JSON, or `absent`).
        ledger: String,
    },
}

impl VerifyError {
    /// The failing field, when a field failed.
    pub fn field(&self) -> Option<&str> {
        match self {
            VerifyError::Field { field, .. } => Some(field),
            VerifyError::Proof(_) | VerifyError::NoProof => Some("extensions"),
            _ => None,
        }
    }
}

/// Parses a PACT document from text, bounded.
pub fn parse_document(text: &str) -> Result<Value, VerifyError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(VerifyError::Malformed(format!(
            "{} bytes, more than {MAX_DOCUMENT_BYTES}",
            text.len()
        )));
    }
    let v: Value = serde_json::from_str(text).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    // A document as served by GetFootprint (`{"data": {...}}`) or bare.
    Ok(match v {
        Value::Object(mut o) if o.len() == 1 && o.contains_key("data") => {
            o.remove("data").unwrap_or(Value::Null)
        }
        v => v,
    })
}

/// The proof extension of a document, if any.
pub fn find_proof(doc: &Value) -> Result<PactProof, VerifyError> {
    let exts = doc
        .get("extensions")
        .and_then(Value::as_array)
        .ok_or(VerifyError::NoProof)?;
    let data = exts
        .iter()
        .filter_map(|e| e.get("data"))
        .find(|d| d.get("format").and_then(Value::as_str) == Some(PROOF_FORMAT))
        .ok_or(VerifyError::NoProof)?;
    Ok(PactProof::from_value(data)?)
}

/// Checks a PACT document (v2 or v3) against the ledger entries its proof
/// carries; with `pinned`, against those validator keys and quorum.
pub fn verify_document(
    doc: &Value,
    pinned: Option<(&[NoteVerifier], usize)>,
) -> Result<PactReport, VerifyError> {
    if !doc.is_object() {
        return Err(VerifyError::Malformed("not a JSON object".into()));
    }
    let version = SpecVersion::of(doc)?;
    let proof = find_proof(doc)?;
    let proven = proof.verify(pinned)?;
    let records = &proven.set;
    let expected = match version {
        SpecVersion::V2 => serde_json::to_value(map::v2(records)?),
        SpecVersion::V3 => serde_json::to_value(map::v3(records)?),
    }
    .map_err(|e| VerifyError::Malformed(e.to_string()))?;
    let mut served = doc.clone();
    if let Some(o) = served.as_object_mut() {
        o.remove("extensions");
    }
    let fields_checked = compare("", &served, &expected)?;
    let mut limits = vec![
        "a proof shows the ledger up to its checkpoint: a later deprecation, revocation or certificate suspension is not in it; check the footprint's current status online".to_string(),
    ];
    if !proven.keys_pinned {
        limits.push(
            "validator keys came from the document itself: pin the network's keys with --validators".into(),
        );
    }
    Ok(PactReport {
        spec_version: version,
        pf_id: records.pf_id(),
        footprint: proven.set.footprint.id.to_hex(),
        fields_checked,
        entries_proven: proof.entries.len(),
        tree_size: proven.tree_size,
        root: proven.root.clone(),
        network: proven.network.clone(),
        signatures: proven.signatures,
        keys_pinned: proven.keys_pinned,
        limits,
    })
}

/// Compares two JSON values; returns the number of leaves compared or the
/// first difference, in document order.
fn compare(path: &str, doc: &Value, ledger: &Value) -> Result<usize, VerifyError> {
    let differ = |path: &str, d: Option<&Value>, l: Option<&Value>| VerifyError::Field {
        field: if path.is_empty() {
            "(document)".into()
        } else {
            path.to_string()
        },
        document: d.map_or("absent".into(), Value::to_string),
        ledger: l.map_or("absent".into(), Value::to_string),
    };
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (doc, ledger) {
        (Value::Object(d), Value::Object(l)) => {
            let mut n = 0;
            for (k, dv) in d {
                match l.get(k) {
                    // `null` is "undefined" in PACT v3, as absent is.
                    None if dv.is_null() => {}
                    None => return Err(differ(&join(k), Some(dv), None)),
                    Some(lv) => n += compare(&join(k), dv, lv)?,
                }
            }
            if let Some((k, lv)) = l.iter().find(|(k, _)| !d.contains_key(*k)) {
                return Err(differ(&join(k), None, Some(lv)));
            }
            Ok(n)
        }
        (Value::Array(d), Value::Array(l)) => {
            let mut n = 0;
            for i in 0..d.len().max(l.len()) {
                let p = format!("{path}[{i}]");
                match (d.get(i), l.get(i)) {
                    (Some(dv), Some(lv)) => n += compare(&p, dv, lv)?,
                    (dv, lv) => return Err(differ(&p, dv, lv)),
                }
            }
            Ok(n)
        }
        (Value::Number(d), Value::Number(l)) if d.as_f64() == l.as_f64() => Ok(1),
        (d, l) if d == l => Ok(1),
        (d, l) => Err(differ(path, Some(d), Some(l))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_are_named_by_path() {
        let ledger = json!({"a": "1", "pcf": {"x": "2", "list": [{"n": 1}]}});
        assert_eq!(compare("", &ledger, &ledger).ok(), Some(3));
        let edited = json!({"a": "1", "pcf": {"x": "3", "list": [{"n": 1}]}});
        assert_eq!(
            compare("", &edited, &ledger)
                .err()
                .and_then(|e| e.field().map(str::to_string)),
            Some("pcf.x".into())
        );
        let added = json!({"a": "1", "b": true, "pcf": {"x": "2", "list": [{"n": 1}]}});
        assert_eq!(
            compare("", &added, &ledger)
                .err()
                .and_then(|e| e.field().map(str::to_string)),
            Some("b".into())
        );
        let dropped = json!({"a": "1", "pcf": {"x": "2", "list": []}});
        assert_eq!(
            compare("", &dropped, &ledger)
                .err()
                .and_then(|e| e.field().map(str::to_string)),
            Some("pcf.list[0]".into())
        );
        let missing = json!({"pcf": {"x": "2", "list": [{"n": 1}]}});
        assert_eq!(
            compare("", &missing, &ledger)
                .err()
                .and_then(|e| e.field().map(str::to_string)),
            Some("a".into())
        );
        // A v3 `null` is the same as absent.
        let with_null = json!({"a": "1", "z": null, "pcf": {"x": "2", "list": [{"n": 1}]}});
        assert!(compare("", &with_null, &ledger).is_ok());
    }
}
