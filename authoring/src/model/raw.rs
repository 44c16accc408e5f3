//! The model file as written, before validation: every key is optional here
//! so that a missing or mistyped value is reported by [`super`] with the
//! field's or input's name, not only a parser position. Unknown keys are
//! refused by the parser (`deny_unknown_fields`), which reports them with
//! their line and column.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModel {
    pub product: Option<RawProduct>,
    #[serde(default)]
    pub input: Vec<RawInput>,
}

/// `[product]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProduct {
    pub ids: Option<Vec<Scalar>>,
    pub name: Option<Scalar>,
    pub category: Option<Scalar>,
    pub rule: Option<Scalar>,
    pub declared_unit: Option<Scalar>,
    pub declared_unit_amount: Option<Scalar>,
    pub mass_kg: Option<Scalar>,
    pub fossil_carbon_kg: Option<Scalar>,
    pub biogenic_carbon_kg: Option<Scalar>,
    pub boundary: Option<Scalar>,
    pub period: Option<RawPeriod>,
    pub geography: Option<Scalar>,
    pub gwp: Option<Scalar>,
    pub privacy: Option<Scalar>,
    pub primary_data_share: Option<Scalar>,
    pub dqr: Option<RawDqr>,
    pub supersedes: Option<Scalar>,
}

/// `period = { start, end }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPeriod {
    pub start: Option<Scalar>,
    pub end: Option<Scalar>,
}

/// `[product.dqr]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDqr {
    pub technological: Option<i64>,
    pub temporal: Option<i64>,
    pub geographical: Option<i64>,
    pub completeness: Option<i64>,
    pub reliability: Option<i64>,
}

/// One `[[input]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInput {
    pub footprint: Option<Scalar>,
    pub factor: Option<Scalar>,
    pub quantity: Option<Scalar>,
    pub amount: Option<Scalar>,
    pub stage: Option<Scalar>,
    pub unit: Option<Scalar>,
    pub packaging: Option<bool>,
}

/// A value where a string is expected, kept as written so that a number or
/// another type can be refused with a helpful message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Scalar {
    /// A string.
    Str(String),
    /// A TOML date written without quotes (`start = 2025-01-01`).
    TomlDate(String),
    /// A number, as the parser read it (not exact: floats are binary).
    Number(String),
    /// Anything else: the kind, for messages.
    Other(&'static str),
}

/// The key toml uses to pass its date-times through serde.
const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar, E> {
        Ok(Scalar::Other("a boolean"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Other("null"))
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Other("null"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        let mut out = Scalar::Other("a table");
        while let Some(key) = map.next_key::<String>()? {
            if key == TOML_DATETIME_KEY {
                let text: String = map.next_value()?;
                out = Scalar::TomlDate(text);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}
