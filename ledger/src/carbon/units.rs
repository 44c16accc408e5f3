//! Units and exact decimals.
//!
//! Amounts are integers in fixed units so every node, the SDK and the
//! verifier compute bit-identical results (see DESIGN.md, "Carbon accounting"):
//! - CO2e of a footprint: **milligrams** per declared unit (`i64`);
//! - emission factor values: **micrograms** CO2e per activity unit (`i64`),
//!   i.e. at most 9 decimals of kg;
//! - quantities and activity amounts: **micro-units** (`u64`), at most 6 decimals.
//!
//! Decimal strings are parsed exactly by [`parse_decimal`]: no exponents, no
//! more fractional digits than the unit allows, no rounding.

use std::fmt;
use std::str::FromStr;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// GHG categories reported separately (GB/T 24067 / ISO 14067 / PACT).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum Category {
    /// Fossil GHG emissions (≥ 0).
    Fossil,
    /// Biogenic emissions (≥ 0).
    Biogenic,
    /// Biogenic removals (≤ 0).
    BiogenicRemovals,
    /// Direct land-use change emissions (≥ 0).
    Luc,
    /// Aircraft emissions (≥ 0).
    Aircraft,
}

impl Category {
    /// Every category, in storage order.
    pub const ALL: [Category; 5] = [
        Category::Fossil,
        Category::Biogenic,
        Category::BiogenicRemovals,
        Category::Luc,
        Category::Aircraft,
    ];
    /// The name in JSON and model files.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Fossil => "fossil",
            Category::Biogenic => "biogenic",
            Category::BiogenicRemovals => "biogenic_removals",
            Category::Luc => "luc",
            Category::Aircraft => "aircraft",
        }
    }
    /// Whether values in this category are ≤ 0 (removals) rather than ≥ 0.
    pub fn is_removal(self) -> bool {
        self == Category::BiogenicRemovals
    }
}

/// Life-cycle stages.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "kebab-case")]
#[borsh(use_discriminant = true)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum Stage {
    /// Raw material acquisition.
    RawMaterials = 0,
    /// Production.
    Production = 1,
    /// Distribution.
    Distribution = 2,
    /// Use.
    Use = 3,
    /// End of life.
    EndOfLife = 4,
}

impl Stage {
    /// Every stage, in storage order.
    pub const ALL: [Stage; 5] = [
        Stage::RawMaterials,
        Stage::Production,
        Stage::Distribution,
        Stage::Use,
        Stage::EndOfLife,
    ];
    /// The name in JSON and model files.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::RawMaterials => "raw-materials",
            Stage::Production => "production",
            Stage::Distribution => "distribution",
            Stage::Use => "use",
            Stage::EndOfLife => "end-of-life",
        }
    }
    /// Stages a cradle-to-gate footprint may not have.
    pub fn is_after_gate(self) -> bool {
        matches!(self, Stage::Use | Stage::EndOfLife)
    }
}

impl FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown stage {s:?} (raw-materials, production, distribution, use, end-of-life)"))
    }
}

/// One signed integer per [`Category`], in [`Category::ALL`] order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize)]
pub struct PerCategory(pub [i64; 5]);

impl PerCategory {
    /// The value of one category.
    pub fn get(&self, c: Category) -> i64 {
        self.0[c as usize]
    }
    /// Sum over categories (saturating; values are bounded far below i64::MAX by validation).
    pub fn total(&self) -> i64 {
        self.0.iter().fold(0i64, |a, b| a.saturating_add(*b))
    }
}

/// One signed integer per [`Stage`], in [`Stage::ALL`] order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize)]
pub struct PerStage(pub [i64; 5]);

impl PerStage {
    /// The value of one stage.
    pub fn get(&self, s: Stage) -> i64 {
        self.0[s as usize]
    }
}

/// JSON form of [`PerCategory`] and [`PerStage`]: an object keyed by name,
/// in storage order; missing keys read as 0.
macro_rules! keyed_serde {
    ($vector:ident, $key:ident) => {
        impl Serialize for $vector {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(Some(5))?;
                for k in $key::ALL {
                    m.serialize_entry(k.as_str(), &self.get(k))?;
                }
                m.end()
            }
        }

        impl<'de> Deserialize<'de> for $vector {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let map = <std::collections::BTreeMap<$key, i64> as Deserialize>::deserialize(d)?;
                let mut out = $vector::default();
                for (k, v) in map {
                    out.0[k as usize] = v;
                }
                Ok(out)
            }
        }
    };
}

keyed_serde!(PerCategory, Category);
keyed_serde!(PerStage, Stage);

/// A decimal string could not be read exactly.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DecimalError {
    /// Not a plain decimal (`-12.5`, `0.000001`): exponents, spaces, empty...
    #[error("{0:?} is not a decimal number (digits with an optional sign and point, no exponent)")]
    Syntax(String),
    /// More fractional digits than the unit can hold exactly.
    #[error("{value:?} has more than {max} decimals")]
    TooPrecise {
        /// The input.
        value: String,
        /// Decimals allowed.
        max: u32,
    },
    /// Too large for the unit.
    #[error("{0:?} is out of range")]
    OutOfRange(String),
}

/// Parses a decimal string into an integer count of `10^-decimals` units,
/// exactly: `parse_decimal("0.6205", 9) == 620_500_000`.
pub fn parse_decimal(s: &str, decimals: u32) -> Result<i128, DecimalError> {
    let syntax = || DecimalError::Syntax(s.chars().take(60).collect());
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(syntax());
    }
    if body.contains('.') && frac.is_empty() {
        return Err(syntax());
    }
    let frac_trimmed = frac.trim_end_matches('0');
    if frac_trimmed.len() > decimals as usize {
        return Err(DecimalError::TooPrecise {
            value: s.chars().take(60).collect(),
            max: decimals,
        });
    }
    if int.len() > 30 {
        return Err(DecimalError::OutOfRange(s.chars().take(60).collect()));
    }
    let range = || DecimalError::OutOfRange(s.chars().take(60).collect());
    let mut v: i128 = int.parse().map_err(|_| range())?;
    for i in 0..decimals as usize {
        let digit = frac_trimmed
            .as_bytes()
            .get(i)
            .map_or(0, |b| i128::from(b - b'0'));
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(digit))
            .ok_or_else(range)?;
    }
    Ok(if neg { -v } else { v })
}

/// Formats `value × 10^-decimals` as a decimal string without trailing zeros.
pub fn format_decimal(value: i128, decimals: u32) -> String {
    let neg = value < 0;
    let abs = value.unsigned_abs();
    let scale = 10u128.pow(decimals);
    let int = abs / scale;
    let frac = abs % scale;
    let mut s = if neg {
        format!("-{int}")
    } else {
        int.to_string()
    };
    if frac != 0 {
        let f = format!("{frac:0width$}", width = decimals as usize);
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

/// Milligrams as an exact kilogram decimal string (`29792850` → `"29.79285"`):
/// how every CO2e figure in mg is shown in kg, by the API, the CLI and PACT.
pub fn format_kg(mg: i128) -> String {
    format_decimal(mg, 6)
}

/// Micro-units (10^-6) as a decimal string.
pub fn format_micro(v: u64) -> String {
    format_decimal(i128::from(v), 6)
}

/// Parses a non-negative amount or quantity with at most 6 decimals into micro-units.
pub fn parse_micro(s: &str) -> Result<u64, DecimalError> {
    let v = parse_decimal(s, 6)?;
    if v < 0 {
        return Err(DecimalError::OutOfRange(format!("{s} (negative)")));
    }
    u64::try_from(v).map_err(|_| DecimalError::OutOfRange(s.to_string()))
}

/// Global warming potential set.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
#[borsh(use_discriminant = true)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum Gwp {
    /// IPCC Fifth Assessment Report, GWP100.
    Ar5 = 0,
    /// IPCC Sixth Assessment Report, GWP100.
    Ar6 = 1,
}

impl fmt::Display for Gwp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Gwp::Ar5 => "AR5",
            Gwp::Ar6 => "AR6",
        })
    }
}

impl FromStr for Gwp {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "AR5" => Ok(Gwp::Ar5),
            "AR6" => Ok(Gwp::Ar6),
            _ => Err(format!("unknown GWP set {s:?} (AR5 or AR6)")),
        }
    }
}

/// Data-quality ratings, PEF style: 1 (very good) to 5 (very poor).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Dqr {
    /// Technological representativeness.
    pub technological: u8,
    /// Temporal representativeness.
    pub temporal: u8,
    /// Geographical representativeness.
    pub geographical: u8,
    /// Completeness.
    pub completeness: u8,
    /// Reliability (precision).
    pub reliability: u8,
}

impl Dqr {
    /// Every rating in 1..=5.
    pub fn is_valid(&self) -> bool {
        [
            self.technological,
            self.temporal,
            self.geographical,
            self.completeness,
            self.reliability,
        ]
        .iter()
        .all(|r| (1..=5).contains(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_decimals() {
        assert_eq!(parse_decimal("0.6205", 9), Ok(620_500_000));
        assert_eq!(parse_decimal("35.2", 6), Ok(35_200_000));
        assert_eq!(parse_decimal("-1.5", 3), Ok(-1_500));
        assert_eq!(parse_decimal("12", 0), Ok(12));
        assert_eq!(parse_decimal("1.2300", 2), Ok(123));
        assert!(matches!(
            parse_decimal("1.2345", 3),
            Err(DecimalError::TooPrecise { .. })
        ));
        for bad in [
            "", ".5", "5.", "1e3", "1,5", " 1", "--1", "0x10", "1.2.3", "+",
        ] {
            assert!(
                matches!(parse_decimal(bad, 6), Err(DecimalError::Syntax(_))),
                "{bad}"
            );
        }
        assert!(parse_micro("-0.1").is_err());
        assert!(parse_micro("99999999999999999999").is_err());
        assert_eq!(format_decimal(620_500_000, 9), "0.6205");
        assert_eq!(format_decimal(-1_500, 3), "-1.5");
        assert_eq!(format_micro(35_200_000), "35.2");
    }

    proptest! {
        #[test]
        fn format_then_parse(v in any::<i64>(), d in 0u32..10) {
            prop_assert_eq!(parse_decimal(&format_decimal(i128::from(v), d), d), Ok(i128::from(v)));
        }
    }
}
