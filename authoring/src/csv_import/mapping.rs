//! The importer's dataset rules as data: the [`Mapping`] table
//! (`mapping.toml`, built in; another file of the same form can replace it).
//!
//! A mapping is checked when it is read, so an import never meets a bad
//! rule: ratings are 1..=5, regions are region codes, validity periods are
//! ordered, every GWP100 value is a positive exact decimal, and every GWP set
//! and gas the importer converts has a multiplier.

use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;
use tanji_ledger::carbon::{check_record_id, Date, Dqr, Gwp};

use super::number::{Exact, Gas};
use super::record::is_region_code;

/// The built-in mapping table, as TOML.
pub const BUILTIN_MAPPING: &str = include_str!("mapping.toml");

/// Largest mapping file [`Mapping::from_path`] reads.
pub const MAX_MAPPING_BYTES: u64 = 1 << 20;

/// A mapping table cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("factor mapping: {0}")]
pub struct MappingError(pub String);

/// The dataset rules of an import (see `mapping.toml` for each rule's meaning).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub(super) valid_years_after_id_year: i32,
    /// Lower case.
    pub(super) same_source_as_above: Vec<String>,
    /// Lower case.
    pub(super) non_fossil_ch4: Vec<String>,
    pub(super) review_word: String,
    pub(super) review_min_reliability: u8,
    pub(super) gwp100: Vec<Gwp100>,
    pub(super) ids: Vec<IdRule>,
}

/// Which methane a GWP100 entry is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Methane {
    Fossil,
    NonFossil,
    Any,
}

/// One GWP100 multiplier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Gwp100 {
    pub set: Gwp,
    pub gas: Gas,
    pub methane: Methane,
    pub value: Exact,
    pub label: String,
    /// The id of a file row that overrides `value`, lower case.
    pub row: String,
}

/// Defaults for the ids matching `patterns`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct IdRule {
    /// Lower case; a trailing `*` makes a prefix.
    pub patterns: Vec<String>,
    pub region: Option<String>,
    pub dqr: Option<Dqr>,
    pub valid_without_year: Option<(Date, Date)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    valid_years_after_id_year: u16,
    same_source_as_above: Vec<String>,
    non_fossil_ch4: Vec<String>,
    review_mark: RawReviewMark,
    gwp100: Vec<RawGwp100>,
    ids: Vec<RawIdRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReviewMark {
    word: String,
    min_reliability: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGwp100 {
    set: String,
    gas: String,
    methane: Methane,
    value: String,
    label: String,
    row: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdRule {
    patterns: Vec<String>,
    region: Option<String>,
    dqr: Option<[u8; 5]>,
    valid_without_year: Option<[String; 2]>,
}

fn err(message: impl Into<String>) -> MappingError {
    MappingError(message.into())
}

impl Mapping {
    /// The built-in table ([`BUILTIN_MAPPING`]), read once.
    pub fn builtin() -> &'static Mapping {
        static BUILTIN: OnceLock<Mapping> = OnceLock::new();
        BUILTIN.get_or_init(|| match Mapping::from_toml(BUILTIN_MAPPING) {
            Ok(m) => m,
            // The built-in table is checked by the tests.
            Err(e) => panic!("the built-in factor mapping is invalid: {e}"),
        })
    }

    /// Reads and checks a mapping table.
    pub fn from_toml(text: &str) -> Result<Mapping, MappingError> {
        let raw: RawMapping =
            toml::from_str(text).map_err(|e| err(e.to_string().trim_end().to_string()))?;
        let years = raw.valid_years_after_id_year;
        if !(1..=100).contains(&years) {
            return Err(err(format!(
                "valid_years_after_id_year = {years}: must be 1..=100"
            )));
        }
        let lower_list = |key: &str, list: Vec<String>| {
            list.into_iter()
                .map(|s| {
                    if s.trim().is_empty() {
                        Err(err(format!("{key}: an entry is empty")))
                    } else {
                        Ok(s.to_ascii_lowercase())
                    }
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let same_source_as_above = lower_list("same_source_as_above", raw.same_source_as_above)?;
        let non_fossil_ch4 = lower_list("non_fossil_ch4", raw.non_fossil_ch4)?;
        let mark = raw.review_mark;
        if mark.word.is_empty() || !mark.word.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(err(format!(
                "review_mark.word {:?}: must be one word of ASCII letters and digits",
                mark.word
            )));
        }
        if !(1..=5).contains(&mark.min_reliability) {
            return Err(err("review_mark.min_reliability: must be a rating 1..=5"));
        }
        let gwp100 = raw
            .gwp100
            .into_iter()
            .enumerate()
            .map(|(i, g)| gwp100_of(i, g))
            .collect::<Result<Vec<_>, _>>()?;
        let mapping = Mapping {
            valid_years_after_id_year: i32::from(years),
            same_source_as_above,
            non_fossil_ch4,
            review_word: mark.word,
            review_min_reliability: mark.min_reliability,
            gwp100,
            ids: raw
                .ids
                .into_iter()
                .enumerate()
                .map(|(i, r)| id_rule_of(i, r))
                .collect::<Result<_, _>>()?,
        };
        for set in [Gwp::Ar5, Gwp::Ar6] {
            for (gas, non_fossil) in [(Gas::Ch4, false), (Gas::Ch4, true), (Gas::N2o, false)] {
                if mapping.gwp100_for(set, gas, non_fossil).is_none() {
                    let which = if non_fossil { " non-fossil" } else { "" };
                    return Err(err(format!(
                        "no [[gwp100]] entry for{which} {} under {set}",
                        gas.as_str()
                    )));
                }
            }
        }
        Ok(mapping)
    }

    /// Reads a mapping file (at most [`MAX_MAPPING_BYTES`]).
    pub fn from_path(path: &Path) -> Result<Mapping, MappingError> {
        use std::io::Read as _;
        let shown = path.display();
        let file = std::fs::File::open(path).map_err(|e| err(format!("{shown}: {e}")))?;
        let mut text = String::new();
        file.take(MAX_MAPPING_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| err(format!("{shown}: {e}")))?;
        if text.len() as u64 > MAX_MAPPING_BYTES {
            return Err(err(format!(
                "{shown}: larger than {MAX_MAPPING_BYTES} bytes"
            )));
        }
        Mapping::from_toml(&text).map_err(|e| err(format!("{shown}: {}", e.0)))
    }

    /// The first GWP100 entry for a set, gas and kind of methane.
    pub(super) fn gwp100_for(&self, set: Gwp, gas: Gas, non_fossil: bool) -> Option<&Gwp100> {
        self.gwp100.iter().find(|g| {
            g.set == set
                && g.gas == gas
                && match g.methane {
                    Methane::Any => true,
                    Methane::Fossil => !non_fossil,
                    Methane::NonFossil => non_fossil,
                }
        })
    }

    /// The rule for an id: the first with a matching pattern.
    pub(super) fn rule_for(&self, id: &str) -> Option<&IdRule> {
        let id = id.to_ascii_lowercase();
        self.ids
            .iter()
            .find(|r| r.patterns.iter().any(|p| pattern_matches(p, &id)))
    }

    /// Whether a source says "the source of the row above".
    pub(super) fn is_same_source_as_above(&self, source: &str) -> bool {
        let lower = source.to_ascii_lowercase();
        let lower = lower.trim_end_matches('.');
        self.same_source_as_above.iter().any(|p| p == lower)
    }

    /// Whether a CH4 row's id, name and scope (joined, lower case) say non-fossil.
    pub(super) fn says_non_fossil(&self, lower_text: &str) -> bool {
        self.non_fossil_ch4.iter().any(|w| lower_text.contains(w))
    }

    /// The id patterns of the rules giving a default (`has`), for messages:
    /// `cn_, ipcc_ or gwp_`. Patterns another listed prefix covers are left out.
    pub(super) fn patterns_giving(&self, has: impl Fn(&IdRule) -> bool) -> String {
        let patterns: Vec<&str> = self
            .ids
            .iter()
            .filter(|r| has(r))
            .flat_map(|r| r.patterns.iter().map(String::as_str))
            .collect();
        let mut shown: Vec<&str> = Vec::new();
        for p in &patterns {
            let covered = patterns.iter().any(|q| {
                q != p
                    && q.strip_suffix('*')
                        .is_some_and(|prefix| p.trim_end_matches('*').starts_with(prefix))
            });
            let text = p.trim_end_matches('*');
            if !covered && !shown.contains(&text) {
                shown.push(text);
            }
        }
        match shown.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }
}

fn pattern_matches(pattern: &str, lower_id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => lower_id.starts_with(prefix),
        None => lower_id == pattern,
    }
}

fn gwp100_of(i: usize, g: RawGwp100) -> Result<Gwp100, MappingError> {
    let at = |what: String| err(format!("gwp100 #{}: {what}", i + 1));
    let set: Gwp = g.set.parse().map_err(|e: String| at(e))?;
    let gas = match g.gas.to_ascii_uppercase().as_str() {
        "CH4" => Gas::Ch4,
        "N2O" => Gas::N2o,
        other => return Err(at(format!("gas {other:?}: CH4 or N2O"))),
    };
    if gas == Gas::N2o && g.methane != Methane::Any {
        return Err(at("an N2O entry has methane = \"any\"".into()));
    }
    let value = Exact::parse(&g.value)
        .ok()
        .filter(|v| v.mantissa > 0)
        .ok_or_else(|| at(format!("value {:?}: a positive decimal", g.value)))?;
    tanji_ledger::text::check_text(&g.label, 128, false).map_err(|p| at(format!("label: {p}")))?;
    check_record_id(&g.row).map_err(|e| at(format!("row: {e}")))?;
    Ok(Gwp100 {
        set,
        gas,
        methane: g.methane,
        value,
        label: g.label,
        row: g.row.to_ascii_lowercase(),
    })
}

fn id_rule_of(i: usize, r: RawIdRule) -> Result<IdRule, MappingError> {
    let at = |what: String| err(format!("ids #{}: {what}", i + 1));
    if r.patterns.is_empty() {
        return Err(at("no patterns".into()));
    }
    for p in &r.patterns {
        let body = p.strip_suffix('*').unwrap_or(p);
        if body.is_empty() || body.contains('*') {
            return Err(at(format!(
                "pattern {p:?}: an id, or an id prefix followed by one '*'"
            )));
        }
    }
    if let Some(region) = &r.region {
        if !is_region_code(region) {
            return Err(at(format!("region {region:?} is not a region code")));
        }
    }
    let dqr = r
        .dqr
        .map(|d| {
            if d.iter().all(|r| (1..=5).contains(r)) {
                Ok(Dqr {
                    technological: d[0],
                    temporal: d[1],
                    geographical: d[2],
                    completeness: d[3],
                    reliability: d[4],
                })
            } else {
                Err(at(format!("dqr {d:?}: ratings are 1..=5")))
            }
        })
        .transpose()?;
    let valid_without_year = r
        .valid_without_year
        .map(|[from, until]| {
            let date = |s: &str| {
                s.parse::<Date>()
                    .map_err(|e| at(format!("valid_without_year: {e}")))
            };
            let (from, until) = (date(&from)?, date(&until)?);
            if from >= until {
                return Err(at(
                    "valid_without_year: the start must be before the end".into()
                ));
            }
            Ok((from, until))
        })
        .transpose()?;
    Ok(IdRule {
        patterns: r.patterns.iter().map(|p| p.to_ascii_lowercase()).collect(),
        region: r.region,
        dqr,
        valid_without_year,
    })
}
