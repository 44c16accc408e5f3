//! OpenAPI schemas (utoipa) of the ledger types whose JSON form is written
//! by hand rather than derived: ids and keys as hex, record references as
//! `id@version`, dates as `YYYY-MM-DD`, per-category and per-stage vectors as
//! objects keyed by name.
//!
//! Types whose serde form is derived get `#[derive(utoipa::ToSchema)]` next
//! to their serde derives (under the same `schema` feature), so the schema
//! follows the serde attributes. The schemas here must describe exactly
//! what the hand-written `Serialize` impls produce: the API's tests validate
//! served JSON against them.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

use crate::carbon::{Category, Date, PerCategory, PerStage, RecordRef, Stage};
use crate::crypto::{EncryptionKey, PublicKey};
use crate::ids::{OrgId, TxId};
use crate::sealed::EnvelopeHash;
use crate::zk::{Blinding, Commitment};

/// 32 bytes as 64 lower-case hex characters.
pub const HEX32_PATTERN: &str = "^[0-9a-f]{64}$";

/// 16 bytes (an [`OrgId`]) as 32 lower-case hex characters.
pub const HEX16_PATTERN: &str = "^[0-9a-f]{32}$";

/// `id@version`: a record id (ASCII letters, digits, `_`, `-`, `.`, `:`;
/// at most [`crate::carbon::MAX_RECORD_ID_LEN`] characters) and a version
/// from 1. Versions are `u32`; the pattern stops at nine digits so every
/// string it admits parses.
pub const RECORD_REF_PATTERN: &str = "^[A-Za-z0-9_.:-]{1,96}@[1-9][0-9]{0,8}$";

/// A calendar date.
pub const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

fn string(pattern: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .into()
}

macro_rules! string_schema {
    ($ty:ty, $pattern:expr, $description:literal) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                string($pattern, $description)
            }
        }
        impl utoipa::ToSchema for $ty {}
    };
}

string_schema!(
    TxId,
    HEX32_PATTERN,
    "Transaction id, 64 lower-case hex characters."
);
string_schema!(
    OrgId,
    HEX16_PATTERN,
    "Organisation id, 32 lower-case hex characters."
);
string_schema!(PublicKey, HEX32_PATTERN, "ed25519 public key, hex.");
string_schema!(EncryptionKey, HEX32_PATTERN, "X25519 public key, hex.");
string_schema!(
    EnvelopeHash,
    HEX32_PATTERN,
    "BLAKE3 hash of a sealed envelope's bytes, hex."
);
string_schema!(
    Commitment,
    HEX32_PATTERN,
    "Pedersen commitment (compressed Ristretto255 point), hex."
);
string_schema!(
    Blinding,
    HEX32_PATTERN,
    "Blinding scalar (canonical encoding), hex."
);
string_schema!(
    RecordRef,
    RECORD_REF_PATTERN,
    "A versioned ledger record, `id@version` (e.g. `cn_elec_cfp_2023@1`)."
);

impl utoipa::PartialSchema for Date {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Date,
            )))
            .pattern(Some(DATE_PATTERN))
            .description(Some("A calendar date, YYYY-MM-DD."))
            .into()
    }
}
impl utoipa::ToSchema for Date {}

/// An object with one required integer per name.
fn keyed(names: impl Iterator<Item = &'static str>, description: &str) -> RefOr<Schema> {
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ));
    for name in names {
        object = object
            .property(
                name,
                ObjectBuilder::new().schema_type(Type::Integer).format(Some(
                    utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64),
                )),
            )
            .required(name);
    }
    object.into()
}

impl utoipa::PartialSchema for PerCategory {
    fn schema() -> RefOr<Schema> {
        keyed(
            Category::ALL.into_iter().map(Category::as_str),
            "One signed integer per GHG category (biogenic_removals ≤ 0).",
        )
    }
}
impl utoipa::ToSchema for PerCategory {}

impl utoipa::PartialSchema for PerStage {
    fn schema() -> RefOr<Schema> {
        keyed(
            Stage::ALL.into_iter().map(Stage::as_str),
            "One signed integer per life-cycle stage.",
        )
    }
}
impl utoipa::ToSchema for PerStage {}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema as _;

    fn pattern(schema: RefOr<Schema>) -> String {
        let v = serde_json::to_value(schema).unwrap_or_default();
        v["pattern"].as_str().unwrap_or_default().to_string()
    }

    #[test]
    fn patterns_match_the_serde_forms() {
        let hex = pattern(TxId::schema());
        assert_eq!(hex, HEX32_PATTERN);
        assert_eq!(pattern(OrgId::schema()), HEX16_PATTERN);
        let org = serde_json::to_value(OrgId([0x5a; 16])).unwrap_or_default();
        assert_eq!(org.as_str().map(str::len), Some(32));
        let id = TxId([0xab; 32]);
        let text = serde_json::to_value(id).unwrap_or_default();
        let s = text.as_str().unwrap_or_default();
        assert!(
            s.len() == 64
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        let r: RecordRef = "cn_elec_cfp_2023@1".parse().expect("ref");
        assert_eq!(
            serde_json::to_value(&r).unwrap_or_default(),
            "cn_elec_cfp_2023@1"
        );
    }

    #[test]
    fn keyed_vectors_list_every_name() {
        let v = serde_json::to_value(PerCategory::schema()).unwrap_or_default();
        let served = serde_json::to_value(PerCategory::default()).unwrap_or_default();
        let names: Vec<&String> = served
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(names.len(), 5);
        for n in names {
            assert!(v["properties"].get(n).is_some(), "{n} missing");
        }
        let v = serde_json::to_value(PerStage::schema()).unwrap_or_default();
        let served = serde_json::to_value(PerStage::default()).unwrap_or_default();
        for n in served
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            assert!(v["properties"].get(&n).is_some(), "{n} missing");
        }
    }
}
