//! Mapping one row to a [`FactorRecord`], one step per field, in the order
//! the row is checked: identity, source, value and unit (a conversion factor
//! is skipped here), name, the other categories, the GWP set and the fossil
//! value, region, validity, data quality, supersedes, and the notes.
//!
//! Each step reports the first problem it finds as a field error of the row;
//! the first error aborts the import. What earlier rows leave for later ones
//! (ids seen, the last source) is in [`Context`].

use std::collections::HashMap;

use tanji_ledger::carbon::form::MAX_CODE_LEN;
use tanji_ledger::carbon::units::parse_decimal;
use tanji_ledger::carbon::{
    check_record_id, Category, Date, Dqr, FactorRecord, Gwp, PerCategory, RecordRef,
};
use tanji_ledger::text::TextProblem;
use tanji_ledger::tx::{MAX_NAME_LEN, MAX_REASON_LEN};

use super::gwp::{named_gwp, FileGwps};
use super::mapping::{IdRule, Mapping};
use super::number::{parse_unit, scale_exact, ConvError, Exact, Gas, Mass, UnitKind};
use super::read::Row;
use super::report::Outcome;
use super::{CsvImportError, ImportOptions};

/// Everything mapping a row needs besides the row.
pub(super) struct Context<'a> {
    pub options: &'a ImportOptions,
    pub mapping: &'a Mapping,
    pub file_gwps: &'a FileGwps,
    /// `(id, version)` → the line that defined it.
    pub seen: HashMap<(String, u32), usize>,
    /// The last source written out (not "same as above"), with its line.
    pub last_source: Option<(usize, String)>,
}

/// Maps a row to a record, or skips it.
pub(super) fn import_row(row: &Row<'_>, cx: &mut Context<'_>) -> Result<Outcome, CsvImportError> {
    let (id, version) = identity(row, &mut cx.seen)?;
    let mut notes: Vec<String> = ["scope", "verify_note"]
        .into_iter()
        .filter_map(|column| row.get(column).map(str::to_string))
        .collect();
    // Resolved before the row may be skipped, so a skipped row's source still
    // counts as the one above.
    let source = source(row, cx.mapping, &mut cx.last_source, &mut notes)?;
    let value_text = row.get("value").ok_or_else(|| row.err("value", "empty"))?;
    let value = value(row, value_text)?;
    let unit = row.get("unit").ok_or_else(|| row.err("unit", "empty"))?;
    let (mass, gas, activity) = match parse_unit(unit).map_err(|e| row.err("unit", e))? {
        UnitKind::Conversion => return Ok(Outcome::conversion_factor(id, unit)),
        UnitKind::Emission {
            mass,
            gas,
            activity,
        } => (mass, gas, activity),
    };
    let name = name(row, id)?;
    let (mut values, other_co2e) = other_categories(row)?;
    let (gwp_set, gwp_stated) = gwp_set(row, id, name, cx.options)?;

    // Fossil value, micrograms CO2e per activity unit.
    if mass != Mass::Kg {
        let per_kg = if mass == Mass::T { "1000" } else { "0.001" };
        notes.push(format!(
            "converted from {value_text} {unit} (1 {} = {per_kg} kg)",
            mass.as_str()
        ));
    }
    let (multiplier, gwp) = match gas {
        Gas::Co2 => (Exact::ONE, other_co2e.then_some(gwp_set)),
        Gas::Co2e => {
            if !gwp_stated {
                notes.push(format!(
                    "GWP set {gwp_set} assumed (import option; the row does not state it)"
                ));
            }
            (Exact::ONE, Some(gwp_set))
        }
        Gas::Ch4 | Gas::N2o => {
            let text = [id, name, row.get("scope").unwrap_or("")]
                .join(" ")
                .to_ascii_lowercase();
            let non_fossil = gas == Gas::Ch4 && cx.mapping.says_non_fossil(&text);
            let (m, note) = cx
                .file_gwps
                .multiplier(cx.mapping, gwp_set, gas, non_fossil)
                .ok_or_else(|| {
                    row.err(
                        "unit",
                        format!(
                            "the factor mapping has no GWP100 for {} under {gwp_set}",
                            gas.as_str()
                        ),
                    )
                })?;
            notes.push(note);
            (m, Some(gwp_set))
        }
    };
    values.0[Category::Fossil as usize] = fossil(row, value_text, unit, value, mass, multiplier)?;

    let rule = cx.mapping.rule_for(id);
    let region = region(row, rule, cx.mapping)?;
    let (valid_from, valid_until) = validity(row, id, rule, cx.mapping)?;
    let dqr = dqr(row, rule, cx.mapping)?;
    let supersedes = supersedes(row, id, version)?;

    let notes = notes.join("; ");
    check_text(row, "notes", &notes, MAX_REASON_LEN)?;
    check_text(row, "region", &region, MAX_CODE_LEN)?;

    Ok(Outcome::Record(Box::new(FactorRecord {
        reference: RecordRef::new(id, version),
        name: name.to_string(),
        unit: activity,
        values,
        gwp,
        region,
        valid_from,
        valid_until,
        source,
        notes,
        dqr,
        supersedes,
    })))
}

/// A text field, by the ledger's text rule ([`tanji_ledger::text::check_text`]);
/// only `notes` may be empty.
fn check_text(
    row: &Row<'_>,
    column: &'static str,
    s: &str,
    max: usize,
) -> Result<(), CsvImportError> {
    tanji_ledger::text::check_text(s, max, column == "notes").map_err(|p| match p {
        TextProblem::Control => row.err(
            column,
            "contains control characters (a line break inside a quoted field?)",
        ),
        other => row.err(column, other.to_string()),
    })
}

/// Id and version, each `id@version` once in a file (skipped rows included).
fn identity<'a>(
    row: &Row<'a>,
    seen: &mut HashMap<(String, u32), usize>,
) -> Result<(&'a str, u32), CsvImportError> {
    let id = row.get("id").ok_or_else(|| row.err("id", "empty"))?;
    check_record_id(id).map_err(|e| row.err("id", e))?;
    let version = match row.get("version") {
        None => 1,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|v| *v >= 1)
            .ok_or_else(|| row.err("version", format!("{v:?} is not a whole number from 1")))?,
    };
    if let Some(first_line) = seen.insert((id.to_string(), version), row.line) {
        return Err(CsvImportError::Duplicate {
            line: row.line,
            first_line,
            reference: RecordRef::new(id, version).to_string(),
        });
    }
    Ok((id, version))
}

/// The source, with "same as above" replaced by the last one written out
/// (and a note saying so).
fn source(
    row: &Row<'_>,
    mapping: &Mapping,
    last_source: &mut Option<(usize, String)>,
    notes: &mut Vec<String>,
) -> Result<String, CsvImportError> {
    let raw = row.get("source").ok_or_else(|| {
        row.err(
            "source",
            "empty: every factor must keep the source of its figure",
        )
    })?;
    let source = if mapping.is_same_source_as_above(raw) {
        let (line, s) = last_source
            .as_ref()
            .ok_or_else(|| row.err("source", format!("{raw:?} but no row above has a source")))?;
        notes.push(format!("source as on line {line} ({raw:?} in the file)"));
        s.clone()
    } else {
        *last_source = Some((row.line, raw.to_string()));
        raw.to_string()
    };
    check_text(row, "source", &source, MAX_REASON_LEN)?;
    Ok(source)
}

/// The value as an exact decimal, ≥ 0.
fn value(row: &Row<'_>, text: &str) -> Result<Exact, CsvImportError> {
    let value = Exact::parse(text).map_err(|e| row.err("value", e.to_string()))?;
    if value.mantissa < 0 {
        return Err(row.err(
            "value",
            format!(
                "{text} is negative: an emission factor is ≥ 0 (removals go in biogenic_removals)"
            ),
        ));
    }
    Ok(value)
}

/// The name: the `name` column, else `quantity`, else the id.
fn name<'a>(row: &Row<'a>, id: &'a str) -> Result<&'a str, CsvImportError> {
    let (column, name) = match (row.get("name"), row.get("quantity")) {
        (Some(n), _) => ("name", n),
        (None, Some(q)) => ("quantity", q),
        (None, None) => ("id", id),
    };
    check_text(row, column, name, MAX_NAME_LEN)?;
    Ok(name)
}

/// The biogenic, removal, land-use and aircraft columns (kg CO2e per
/// activity unit, at most 9 decimals) in micrograms, and whether any is
/// non-zero.
fn other_categories(row: &Row<'_>) -> Result<(PerCategory, bool), CsvImportError> {
    let mut values = PerCategory::default();
    let mut other_co2e = false;
    for (column, category) in [
        ("biogenic", Category::Biogenic),
        ("biogenic_removals", Category::BiogenicRemovals),
        ("luc", Category::Luc),
        ("aircraft", Category::Aircraft),
    ] {
        let Some(text) = row.get(column) else {
            continue;
        };
        let v = parse_decimal(text, 9).map_err(|e| {
            row.err(
                column,
                format!("{e} (kg CO2e per activity unit, at most 9 decimals)"),
            )
        })?;
        let v = i64::try_from(v).map_err(|_| row.err(column, format!("{text} is out of range")))?;
        if category.is_removal() && v > 0 {
            return Err(row.err(column, format!("{text}: removals are written ≤ 0")));
        }
        if !category.is_removal() && v < 0 {
            return Err(row.err(column, format!("{text}: must be ≥ 0")));
        }
        other_co2e |= v != 0;
        values.0[category as usize] = v;
    }
    Ok((values, other_co2e))
}

/// The row's GWP set (the `gwp` column, else the set the id or name names,
/// else the option) and whether the row states it.
fn gwp_set(
    row: &Row<'_>,
    id: &str,
    name: &str,
    options: &ImportOptions,
) -> Result<(Gwp, bool), CsvImportError> {
    let column = row
        .get("gwp")
        .map(|g| {
            g.to_ascii_uppercase()
                .parse::<Gwp>()
                .map_err(|e| row.err("gwp", e))
        })
        .transpose()?;
    let named = named_gwp(id, name);
    if let (Some(c), Some(n)) = (column, named) {
        if c != n {
            return Err(row.err(
                "gwp",
                format!("{c} contradicts the {n} named in the id or name"),
            ));
        }
    }
    Ok((
        column.or(named).unwrap_or(options.gwp),
        column.is_some() || named.is_some(),
    ))
}

/// `value` (in `mass` per activity unit) × `multiplier`, in whole micrograms.
fn fossil(
    row: &Row<'_>,
    value_text: &str,
    unit: &str,
    value: Exact,
    mass: Mass,
    multiplier: Exact,
) -> Result<i64, CsvImportError> {
    scale_exact(value, mass.micrograms_pow10(), multiplier).map_err(|e| {
        let why = match e {
            ConvError::NotExact => "is not a whole number of micrograms CO2e (at most 9 decimals of kg after conversion)",
            ConvError::OutOfRange => "is out of range after conversion",
        };
        row.err("value", format!("{value_text} {unit} {why}"))
    })
}

/// A region code: letters, digits and `-`, 1..=[`MAX_CODE_LEN`] bytes.
pub(super) fn is_region_code(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= MAX_CODE_LEN
        && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The `region` column, else the id rule's region.
fn region(
    row: &Row<'_>,
    rule: Option<&IdRule>,
    mapping: &Mapping,
) -> Result<String, CsvImportError> {
    match (row.get("region"), rule.and_then(|r| r.region.as_deref())) {
        (Some(r), _) => {
            if !is_region_code(r) {
                return Err(row.err(
                    "region",
                    format!(
                        "{r:?} is not a region code (letters, digits, '-', at most {MAX_CODE_LEN})"
                    ),
                ));
            }
            Ok(r.to_string())
        }
        (None, Some(code)) => Ok(code.to_string()),
        (None, None) => Err(row.err(
            "region",
            format!(
                "empty, and the id does not start with {} to infer it from",
                mapping.patterns_giving(|r| r.region.is_some())
            ),
        )),
    }
}

/// The year named in an id: `Ok(None)` without one, `Err` with two different ones.
fn year_in_id(id: &str) -> Result<Option<i32>, ()> {
    let mut year = None;
    for w in super::gwp::words(id) {
        if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
            let y: i32 = w.parse().map_err(|_| ())?;
            if (1900..=2099).contains(&y) {
                match year {
                    Some(prev) if prev != y => return Err(()),
                    _ => year = Some(y),
                }
            }
        }
    }
    Ok(year)
}

fn jan1(year: i32) -> Option<Date> {
    Date::from_ymd(year, 1, 1)
}

/// `valid_from` and `valid_until`: the columns, a missing one inferred from
/// the id's year or the id rule; `valid_from` before `valid_until`.
fn validity(
    row: &Row<'_>,
    id: &str,
    rule: Option<&IdRule>,
    mapping: &Mapping,
) -> Result<(Date, Date), CsvImportError> {
    let date = |column: &'static str| -> Result<Option<Date>, CsvImportError> {
        row.get(column)
            .map(|s| {
                s.parse::<Date>()
                    .map_err(|e| row.err(column, e.to_string()))
            })
            .transpose()
    };
    let (from_column, until_column) = (date("valid_from")?, date("valid_until")?);
    let (valid_from, valid_until) = match (from_column, until_column) {
        (Some(f), Some(u)) => (f, u),
        (f, u) => {
            let missing = if f.is_none() {
                "valid_from"
            } else {
                "valid_until"
            };
            let inferred = match year_in_id(id) {
                Ok(Some(y)) => jan1(y).zip(jan1(y + mapping.valid_years_after_id_year)),
                Ok(None) => {
                    match rule.and_then(|r| r.valid_without_year) {
                        Some(period) => Some(period),
                        None => return Err(row.err(
                            missing,
                            "empty, and the id has no year (e.g. _2023) to infer the validity from",
                        )),
                    }
                }
                Err(()) => return Err(row.err(
                    missing,
                    "empty, and the id names more than one year: give valid_from and valid_until",
                )),
            };
            let (inf_from, inf_until) = inferred
                .ok_or_else(|| row.err(missing, "cannot infer the validity from the id's year"))?;
            (f.unwrap_or(inf_from), u.unwrap_or(inf_until))
        }
    };
    if valid_from >= valid_until {
        return Err(row.err(
            "valid_until",
            format!("{valid_until} is not after valid_from {valid_from}"),
        ));
    }
    Ok((valid_from, valid_until))
}

/// Words of a note as written (split at anything not a letter or digit).
fn words_as_written(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The data-quality ratings: the `dqr_*` columns, else the id rule's; a
/// review mark in `verify_note` lowers a defaulted reliability.
fn dqr(row: &Row<'_>, rule: Option<&IdRule>, mapping: &Mapping) -> Result<Dqr, CsvImportError> {
    let defaults = rule.and_then(|r| r.dqr).map(|d| {
        [
            d.technological,
            d.temporal,
            d.geographical,
            d.completeness,
            d.reliability,
        ]
    });
    let marked = row
        .get("verify_note")
        .is_some_and(|n| words_as_written(n).any(|w| w == mapping.review_word));
    let mut ratings = [0u8; 5];
    for (i, column) in [
        "dqr_technological",
        "dqr_temporal",
        "dqr_geographical",
        "dqr_completeness",
        "dqr_reliability",
    ]
    .into_iter()
    .enumerate()
    {
        ratings[i] = match row.get(column) {
            Some(t) => t
                .parse::<u8>()
                .ok()
                .filter(|r| (1..=5).contains(r))
                .ok_or_else(|| row.err(column, format!("{t:?} is not a rating from 1 to 5")))?,
            None => {
                let d = defaults.map(|d| d[i]).ok_or_else(|| {
                    row.err(
                        column,
                        format!(
                            "empty, and ids not starting with {} have no default rating",
                            mapping.patterns_giving(|r| r.dqr.is_some())
                        ),
                    )
                })?;
                if column == "dqr_reliability" && marked {
                    d.max(mapping.review_min_reliability)
                } else {
                    d
                }
            }
        };
    }
    Ok(Dqr {
        technological: ratings[0],
        temporal: ratings[1],
        geographical: ratings[2],
        completeness: ratings[3],
        reliability: ratings[4],
    })
}

/// The version superseded: `n` or `id@n`, an earlier version of the same id.
fn supersedes(row: &Row<'_>, id: &str, version: u32) -> Result<Option<u32>, CsvImportError> {
    let Some(s) = row.get("supersedes") else {
        return Ok(None);
    };
    let number = match s.rsplit_once('@') {
        Some((sid, n)) if sid == id => n,
        Some(_) => {
            return Err(row.err(
                "supersedes",
                format!("{s:?} names another id; a record supersedes an earlier version of itself"),
            ))
        }
        None => s,
    };
    let v = number
        .parse::<u32>()
        .ok()
        .filter(|v| (1..version).contains(v))
        .ok_or_else(|| {
            row.err(
                "supersedes",
                format!("{s:?} is not an earlier version (1..{version})"),
            )
        })?;
    Ok(Some(v))
}
