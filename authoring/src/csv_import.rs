//! CSV import for the factor database (`tanji factor import FILE.csv`).
//!
//! [`import_csv`] turns a spreadsheet of published emission factors (the
//! columns of `shared/data/factors-cn-demo.csv`, optionally richer) into
//! [`FactorRecord`]s ready to be signed by a factor publisher. It is a pure
//! function of the text and [`ImportOptions`]: no clock, no floats, no I/O, so
//! the same file always gives the same records, byte for byte.
//!
//! # Columns
//!
//! Header names are matched case-insensitively after trimming; fields are
//! trimmed; quoted fields (RFC 4180, with commas or doubled quotes inside)
//! work; a leading UTF-8 byte-order mark is ignored; rows whose fields are all
//! empty are ignored. Unknown columns are ignored and listed in
//! [`ImportReport::ignored_columns`]. Every row must have as many fields as the
//! header.
//!
//! | column | required | meaning |
//! | --- | --- | --- |
//! | `id` | yes | record id ([`check_record_id`]) |
//! | `value` | yes | the factor, a plain decimal in the unit of `unit` |
//! | `unit` | yes | `<mass><gas>/<activity unit>`, e.g. `kgCO2e/kWh`, `tCO2/MWh`, `kgCH4/TJ` |
//! | `source` | yes | publisher of the figure; kept with every record |
//! | `quantity` | no | the factor's name |
//! | `name` | no | overrides `quantity` |
//! | `scope`, `verify_note` | no | go to `notes` |
//! | `version` | no | default 1 |
//! | `supersedes` | no | the earlier version replaced (`1` or `id@1`) |
//! | `region` | no | ISO 3166 code, grid region or `GLO`; inferred from the id if absent |
//! | `valid_from`, `valid_until` | no | `YYYY-MM-DD`; inferred from the id if absent |
//! | `gwp` | no | `AR5` or `AR6` |
//! | `biogenic`, `biogenic_removals`, `luc`, `aircraft` | no | kg CO2e per activity unit (≤ 9 decimals), default 0; removals are written ≤ 0 |
//! | `dqr_technological`, `dqr_temporal`, `dqr_geographical`, `dqr_completeness`, `dqr_reliability` | no | 1 (very good) to 5 (very poor) |
//!
//! # Mapping policy
//!
//! **Unit and value.** `unit` is `<mass unit><gas>/<activity unit>`. The mass
//! unit is `kg`, `t` (1000 kg) or `g` (0.001 kg); the gas is `CO2`, `CO2e`
//! (also written `CO2eq`, `CO2-eq`), `CH4` or `N2O`, case-insensitive. The
//! activity unit after the slash (`kWh`, `MWh`, `TJ`, `kg`, ...) becomes
//! [`FactorRecord::unit`]. The value is multiplied exactly by the mass unit
//! into micrograms of gas per activity unit, then:
//! - `CO2` and `CO2e` go straight to the fossil category;
//! - `CH4` and `N2O` are converted to CO2e with the GWP100 of the row's GWP set
//!   (below): AR6 CH4 fossil 29.8 (non-fossil 27.0 only if the row's id, name
//!   or scope says non-fossil or biogenic), AR6 N2O 273, AR5 CH4 28, AR5 N2O
//!   265. When the same file has the rows `gwp_ar6_ch4_fossil`,
//!   `gwp_ar6_ch4_nonfossil`, `gwp_ar6_n2o`, `gwp_ar5_ch4` or `gwp_ar5_n2o` in
//!   `kgCO2e/kg`, their values are used instead of these constants (the
//!   highest version if several). `notes` records the multiplier applied and
//!   where it came from, e.g. `CH4 × 29.8 (AR6 GWP100 fossil)`.
//!
//! The result must be a whole number of micrograms (at most 9 decimals of kg
//! after conversion) that fits an `i64`; a value that cannot be represented
//! exactly is an error for that row, never rounded. Values must be ≥ 0
//! (removals go in `biogenic_removals`). Arithmetic is integer-only.
//!
//! A row whose unit names no greenhouse gas (e.g. `TJ/Gg`, a net calorific
//! value) is not an emission factor: it is *skipped* with a reason
//! ("conversion factor (TJ/Gg), not an emission factor"), not an error. A unit
//! that names a gas in a form not listed above (`lbCO2/kWh`) is an error.
//!
//! **GWP set** ([`FactorRecord::gwp`]). Resolved per row, in this order: the
//! `gwp` column; else a set the id or name names as a word (`gwp_ar5_ch4`,
//! "GWP100 CH4 (AR5 ...)"; naming both AR5 and AR6 counts as naming neither);
//! else [`ImportOptions::gwp`] (default AR6). A `gwp` column that contradicts
//! the id or name is an error. Pure-CO2 rows get `gwp: None` (valid under any
//! set) unless they also carry CO2e in the category columns. CO2e rows whose
//! set came from the options get the note "GWP set AR6 assumed (import
//! option; the row does not state it)". `kgCO2e/kg` rows such as `gwp_ar5_ch4`
//! are factors per kg of the named gas, with the set they name.
//!
//! **Region.** The `region` column; else from the id: `cn_grid_north_*` →
//! `CN-NORTH`, `cn_grid_northeast_*` → `CN-NORTHEAST`, `cn_grid_east_*` →
//! `CN-EAST`, `cn_grid_central_*` → `CN-CENTRAL`, `cn_grid_northwest_*` →
//! `CN-NORTHWEST`, `cn_grid_southwest_*` → `CN-SOUTHWEST`, `cn_grid_south_*`
//! → `CN-SOUTH` (China's regional grids), other `cn_*` → `CN`, `ipcc_*` and
//! `gwp_*` → `GLO`. Any other id needs the column.
//!
//! **Validity.** The `valid_from` / `valid_until` columns; a missing one is
//! inferred from a 4-digit year (1900–2099) that is a word of the id (`_2023`):
//! valid from 1 January of that year until 1 January six years later
//! (exclusive). National factors are published a year or more after their data
//! year and used for several years after it, until superseded by a newer
//! version, so a factor stays usable for six years and a newer one should
//! supersede it. Ids without a year: `ipcc_*` and `gwp_*` (IPCC 2006 defaults,
//! GWPs) are valid from 2006-01-01 until 2100-01-01; any other id needs the
//! columns. An id with two different years is ambiguous and needs the
//! columns. `valid_from` must be before `valid_until`.
//!
//! **Data quality** ([`Dqr`], 1 = very good .. 5 = very poor). Each `dqr_*`
//! column overrides one rating; missing ratings default by id:
//! - `cn_*` (national official factors): technological 2, temporal 2,
//!   geographical 1 (2 for regional grids `cn_grid_<region>_*`),
//!   completeness 2, reliability 2;
//! - `ipcc_*` and `gwp_*` (IPCC defaults): 3, 3, 4, 3, 2;
//! - any other id: no default, the columns are required.
//!
//! A `verify_note` containing the word `VERIFY` (upper case, as reviewers
//! mark unconfirmed figures) lowers a *defaulted* reliability to at least 3.
//!
//! **Text.** `name` = the `name` column, else `quantity`, else the id.
//! `source` = the `source` column; it must not be empty. A source written
//! `same as above` (also `as above`, `ditto`) is replaced by the source of the
//! nearest row above that has one, because each record is signed and read on
//! its own. `notes` = scope, verify note and conversion notes, joined with
//! `"; "`. Lengths follow the ledger's form checks (name ≤ 256 bytes, unit and
//! region ≤ 32, source and notes ≤ 1024, no control characters).
//!
//! # Limits and errors
//!
//! At most [`MAX_INPUT_BYTES`] of text and [`MAX_ROWS`] rows. The first
//! problem found aborts the import with a [`CsvImportError`] naming the line
//! (as a text editor counts them, the header being line 1) and the column. The
//! same `id@version` twice in one file is an error, skipped rows included.

use std::collections::HashMap;

use tanji_ledger::carbon::form::MAX_CODE_LEN;
use tanji_ledger::carbon::units::{format_decimal, parse_decimal, DecimalError};
use tanji_ledger::carbon::{
    check_record_id, Category, Date, Dqr, FactorRecord, Gwp, PerCategory, RecordRef,
};
use tanji_ledger::text::TextProblem;
use tanji_ledger::tx::{MAX_NAME_LEN, MAX_REASON_LEN};

/// Largest input accepted, in bytes (16 MiB).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// Most data rows accepted (the header not counted).
pub const MAX_ROWS: usize = 100_000;
/// Most fractional digits read from a value before conversion.
const MAX_INPUT_DECIMALS: u32 = 30;

/// Choices the file does not make itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// GWP set for rows that do not state one: converts CH4 and N2O rows to
    /// CO2e and labels CO2e rows. Default AR6.
    pub gwp: Gwp,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { gwp: Gwp::Ar6 }
    }
}

/// What an import produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The factor records, in file order, with the line each starts on.
    pub records: Vec<(usize, FactorRecord)>,
    /// Rows that are not emission factors: line, id and why.
    pub skipped: Vec<(usize, String, String)>,
    /// Header names that are not known columns, as written.
    pub ignored_columns: Vec<String>,
}

/// Why a file could not be imported. Lines count from 1, the header included.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvImportError {
    /// The text is larger than [`MAX_INPUT_BYTES`].
    #[error("input is {size} bytes; at most {MAX_INPUT_BYTES} are accepted")]
    TooLarge {
        /// Size of the input.
        size: usize,
    },
    /// More than [`MAX_ROWS`] data rows.
    #[error("line {line}: more than {MAX_ROWS} rows")]
    TooManyRows {
        /// Line of the first row over the limit.
        line: usize,
    },
    /// Not well-formed CSV (e.g. a row with more or fewer fields than the header).
    #[error("line {line}: malformed CSV: {message}")]
    Malformed {
        /// Line of the problem.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The header lacks a required column.
    #[error("line 1: missing required column {column:?} (required: id, value, unit, source)")]
    MissingColumn {
        /// The column.
        column: &'static str,
    },
    /// A known column appears twice in the header.
    #[error("line 1: column {column:?} appears more than once")]
    DuplicateColumn {
        /// The column, lower case.
        column: String,
    },
    /// A field is missing or invalid.
    #[error("line {line}, column {column}: {message}")]
    Field {
        /// Line of the row.
        line: usize,
        /// Column name, lower case (`notes` for the assembled notes).
        column: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The same `id@version` is defined twice.
    #[error("line {line}, column id: {reference} is already defined on line {first_line}")]
    Duplicate {
        /// Line of the second definition.
        line: usize,
        /// Line of the first.
        first_line: usize,
        /// The `id@version`.
        reference: String,
    },
}

/// Known columns, lower case.
const COLUMNS: [&str; 23] = [
    "id",
    "quantity",
    "value",
    "unit",
    "scope",
    "source",
    "verify_note",
    "version",
    "name",
    "region",
    "valid_from",
    "valid_until",
    "gwp",
    "biogenic",
    "biogenic_removals",
    "luc",
    "aircraft",
    "dqr_technological",
    "dqr_temporal",
    "dqr_geographical",
    "dqr_completeness",
    "dqr_reliability",
    "supersedes",
];

const REQUIRED: [&str; 4] = ["id", "value", "unit", "source"];

/// Imports a factor CSV; see the module docs for the mapping.
pub fn import_csv(text: &str, options: &ImportOptions) -> Result<ImportReport, CsvImportError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(CsvImportError::TooLarge { size: text.len() });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());

    let mut lines = Lines::new(text);
    let header = reader
        .headers()
        .map_err(|e| malformed(e, &mut lines))?
        .clone();
    let mut columns: HashMap<&'static str, usize> = HashMap::new();
    let mut ignored_columns = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        let lower = name.to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == lower) {
            Some(known) => {
                if columns.insert(known, i).is_some() {
                    return Err(CsvImportError::DuplicateColumn { column: lower });
                }
            }
            None if name.is_empty() => ignored_columns.push(format!("(unnamed column {})", i + 1)),
            None => ignored_columns.push(name.to_string()),
        }
    }
    if let Some(column) = REQUIRED.iter().find(|c| !columns.contains_key(*c)) {
        return Err(CsvImportError::MissingColumn { column });
    }

    let mut rows = Vec::new();
    for (n, result) in reader.records().enumerate() {
        let record = result.map_err(|e| malformed(e, &mut lines))?;
        let line = record.position().map_or(n + 2, |p| lines.line_at(p.byte()));
        if n >= MAX_ROWS {
            return Err(CsvImportError::TooManyRows { line });
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows.push((line, record));
    }

    let file_gwps = FileGwps::collect(&columns, &rows);
    let mut report = ImportReport {
        ignored_columns,
        ..ImportReport::default()
    };
    let mut seen: HashMap<(String, u32), usize> = HashMap::new();
    let mut last_source: Option<(usize, String)> = None;
    for (line, record) in &rows {
        let row = Row {
            line: *line,
            record,
            columns: &columns,
        };
        match import_row(&row, options, &file_gwps, &mut seen, &mut last_source)? {
            Outcome::Record(r) => report.records.push((*line, *r)),
            Outcome::Skipped { id, reason } => report.skipped.push((*line, id, reason)),
        }
    }
    Ok(report)
}

/// Line numbers as an editor shows them.
///
/// The `csv` crate's positions are where the reader resumed after the
/// previous record, before skipping blank lines, and its line counts are off
/// after blank lines and quoted line breaks; so lines are counted here from
/// byte offsets, skipping the line breaks the reader skipped. Offsets only
/// grow, so counting is incremental: linear in the input overall.
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    /// The line of the record the reader found from byte offset `byte` on.
    fn line_at(&mut self, byte: u64) -> usize {
        let len = self.text.len();
        let mut start = usize::try_from(byte).unwrap_or(len).min(len);
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start < self.pos {
            // Not expected; recount from the top rather than go backwards.
            self.pos = 0;
            self.line = 1;
        }
        self.line += self.text[self.pos..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.pos = start;
        self.line
    }
}

fn malformed(e: csv::Error, lines: &mut Lines<'_>) -> CsvImportError {
    let line = e.position().map_or(1, |p| lines.line_at(p.byte()));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("row has {len} fields but the header has {expected_len}")
        }
        _ => e.to_string(),
    };
    CsvImportError::Malformed { line, message }
}

/// One data row and the column map.
struct Row<'a> {
    line: usize,
    record: &'a csv::StringRecord,
    columns: &'a HashMap<&'static str, usize>,
}

impl<'a> Row<'a> {
    /// A known column's field, trimmed of Unicode white space (the reader trims
    /// only ASCII); `None` if the column is absent or the field empty.
    fn get(&self, column: &'static str) -> Option<&'a str> {
        debug_assert!(COLUMNS.contains(&column), "unknown column {column}");
        self.columns
            .get(column)
            .and_then(|i| self.record.get(*i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn err(&self, column: &'static str, message: impl Into<String>) -> CsvImportError {
        CsvImportError::Field {
            line: self.line,
            column,
            message: message.into(),
        }
    }
}

enum Outcome {
    Record(Box<FactorRecord>),
    Skipped { id: String, reason: String },
}

/// An exact decimal `mantissa × 10^-scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Exact {
    mantissa: i128,
    scale: u32,
}

impl Exact {
    const ONE: Exact = Exact {
        mantissa: 1,
        scale: 0,
    };

    fn parse(s: &str) -> Result<Exact, DecimalError> {
        let frac = s
            .split_once('.')
            .map_or("", |(_, f)| f)
            .trim_end_matches('0');
        let scale = u32::try_from(frac.len())
            .unwrap_or(u32::MAX)
            .min(MAX_INPUT_DECIMALS);
        let mantissa = parse_decimal(s, scale)?;
        Ok(Exact { mantissa, scale })
    }

    fn text(self) -> String {
        format_decimal(self.mantissa, self.scale)
    }
}

/// Why a value did not convert.
enum ConvError {
    NotExact,
    OutOfRange,
}

/// `value × 10^pow10 × factor`, exactly, as an `i64`.
fn scale_exact(value: Exact, pow10: u32, factor: Exact) -> Result<i64, ConvError> {
    let product = value
        .mantissa
        .checked_mul(factor.mantissa)
        .ok_or(ConvError::OutOfRange)?;
    if product == 0 {
        return Ok(0);
    }
    let exp = i64::from(pow10) - i64::from(value.scale) - i64::from(factor.scale);
    let result = if exp >= 0 {
        let m = u32::try_from(exp)
            .ok()
            .and_then(|e| 10i128.checked_pow(e))
            .ok_or(ConvError::OutOfRange)?;
        product.checked_mul(m).ok_or(ConvError::OutOfRange)?
    } else {
        // |product| < 10^39, so a divisor of 10^39 or more never divides it.
        let d = u32::try_from(-exp)
            .ok()
            .and_then(|e| 10i128.checked_pow(e))
            .ok_or(ConvError::NotExact)?;
        if product % d != 0 {
            return Err(ConvError::NotExact);
        }
        product / d
    };
    i64::try_from(result).map_err(|_| ConvError::OutOfRange)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mass {
    G,
    Kg,
    T,
}

impl Mass {
    /// Micrograms per unit, as a power of ten.
    fn micrograms_pow10(self) -> u32 {
        match self {
            Mass::G => 6,
            Mass::Kg => 9,
            Mass::T => 12,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Mass::G => "g",
            Mass::Kg => "kg",
            Mass::T => "t",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gas {
    Co2,
    Co2e,
    Ch4,
    N2o,
}

impl Gas {
    fn as_str(self) -> &'static str {
        match self {
            Gas::Co2 => "CO2",
            Gas::Co2e => "CO2e",
            Gas::Ch4 => "CH4",
            Gas::N2o => "N2O",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum UnitKind {
    Emission {
        mass: Mass,
        gas: Gas,
        activity: String,
    },
    Conversion,
}

/// Reads `<mass><gas>/<activity>`; a unit naming no greenhouse gas is a conversion factor.
fn parse_unit(unit: &str) -> Result<UnitKind, String> {
    let (numerator, activity) = match unit.split_once('/') {
        Some((n, a)) => (n.trim(), Some(a.trim())),
        None => (unit, None),
    };
    let compact: String = numerator.chars().filter(|c| !c.is_whitespace()).collect();
    let (mass, gas_text) = if let Some(rest) = compact.strip_prefix("kg") {
        (Some(Mass::Kg), rest)
    } else if let Some(rest) = compact.strip_prefix('t') {
        (Some(Mass::T), rest)
    } else if let Some(rest) = compact.strip_prefix('g') {
        (Some(Mass::G), rest)
    } else {
        (None, compact.as_str())
    };
    let gas = match gas_text
        .to_ascii_lowercase()
        .replace(['-', '_'], "")
        .as_str()
    {
        "co2" => Some(Gas::Co2),
        "co2e" | "co2eq" => Some(Gas::Co2e),
        "ch4" => Some(Gas::Ch4),
        "n2o" => Some(Gas::N2o),
        _ => None,
    };
    match (mass, gas) {
        (Some(mass), Some(gas)) => {
            let activity = activity.unwrap_or("");
            if activity.is_empty() {
                return Err(format!(
                    "unit {unit:?} has no activity unit: write <mass><gas>/<activity unit>, e.g. kgCO2e/kWh"
                ));
            }
            if activity.contains('/')
                || activity.len() > MAX_CODE_LEN
                || activity.chars().any(char::is_control)
            {
                return Err(format!(
                    "activity unit {activity:?} must be at most {MAX_CODE_LEN} bytes without '/' or control characters"
                ));
            }
            Ok(UnitKind::Emission {
                mass,
                gas,
                activity: activity.to_string(),
            })
        }
        _ => {
            let lower = compact.to_ascii_lowercase();
            if ["co2", "ch4", "n2o", "ghg"]
                .iter()
                .any(|g| lower.contains(g))
            {
                Err(format!(
                    "unsupported emission unit {unit:?}: expected kg, t or g of CO2, CO2e, CH4 or N2O per activity unit (e.g. kgCO2e/kWh)"
                ))
            } else {
                Ok(UnitKind::Conversion)
            }
        }
    }
}

/// Lower-case words of an id or a name (split at anything not a letter or digit).
fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
}

/// The GWP set an id or name names as a word, if exactly one.
fn named_gwp(id: &str, name: &str) -> Option<Gwp> {
    let (mut ar5, mut ar6) = (false, false);
    for w in words(id).chain(words(name)) {
        ar5 |= w == "ar5";
        ar6 |= w == "ar6";
    }
    match (ar5, ar6) {
        (true, false) => Some(Gwp::Ar5),
        (false, true) => Some(Gwp::Ar6),
        _ => None,
    }
}

/// GWP values given as rows of the file being imported.
struct FileGwps(HashMap<&'static str, (u32, Exact, String)>);

/// Ids of GWP rows the importer reads, and what they are.
const GWP_ROW_IDS: [&str; 5] = [
    "gwp_ar6_ch4_fossil",
    "gwp_ar6_ch4_nonfossil",
    "gwp_ar6_n2o",
    "gwp_ar5_ch4",
    "gwp_ar5_n2o",
];

impl FileGwps {
    /// The well-formed `kgCO2e/kg` rows with a [`GWP_ROW_IDS`] id, highest version each.
    /// Malformed ones are left out here; importing them reports the error.
    fn collect(
        columns: &HashMap<&'static str, usize>,
        rows: &[(usize, csv::StringRecord)],
    ) -> FileGwps {
        let mut out: HashMap<&'static str, (u32, Exact, String)> = HashMap::new();
        for (line, record) in rows {
            let row = Row {
                line: *line,
                record,
                columns,
            };
            let Some(id) = row.get("id") else { continue };
            let Some(known) = GWP_ROW_IDS.iter().find(|k| k.eq_ignore_ascii_case(id)) else {
                continue;
            };
            let unit_ok = row.get("unit").and_then(|u| parse_unit(u).ok())
                == Some(UnitKind::Emission {
                    mass: Mass::Kg,
                    gas: Gas::Co2e,
                    activity: "kg".into(),
                });
            let version = row
                .get("version")
                .map_or(Some(1), |v| v.parse::<u32>().ok().filter(|v| *v >= 1));
            let value = row
                .get("value")
                .and_then(|v| Exact::parse(v).ok())
                .filter(|v| v.mantissa > 0);
            if let (true, Some(version), Some(value)) = (unit_ok, version, value) {
                if out.get(known).is_none_or(|(v, _, _)| *v < version) {
                    out.insert(
                        known,
                        (version, value, format!("{id}@{version} on line {line}")),
                    );
                }
            }
        }
        FileGwps(out)
    }

    /// The GWP100 multiplier for a gas and set, and its description for the notes.
    fn multiplier(&self, set: Gwp, gas: Gas, non_fossil: bool) -> (Exact, String) {
        let (row_id, constant, label) = match (set, gas, non_fossil) {
            (Gwp::Ar6, Gas::N2o, _) => (
                "gwp_ar6_n2o",
                Exact {
                    mantissa: 273,
                    scale: 0,
                },
                "AR6 GWP100",
            ),
            (Gwp::Ar6, _, false) => (
                "gwp_ar6_ch4_fossil",
                Exact {
                    mantissa: 298,
                    scale: 1,
                },
                "AR6 GWP100 fossil",
            ),
            (Gwp::Ar6, _, true) => (
                "gwp_ar6_ch4_nonfossil",
                Exact {
                    mantissa: 27,
                    scale: 0,
                },
                "AR6 GWP100 non-fossil",
            ),
            (Gwp::Ar5, Gas::N2o, _) => (
                "gwp_ar5_n2o",
                Exact {
                    mantissa: 265,
                    scale: 0,
                },
                "AR5 GWP100",
            ),
            (Gwp::Ar5, _, _) => (
                "gwp_ar5_ch4",
                Exact {
                    mantissa: 28,
                    scale: 0,
                },
                "AR5 GWP100",
            ),
        };
        match self.0.get(row_id) {
            Some((_, value, origin)) => (
                *value,
                format!(
                    "{} × {} ({label}, from {origin})",
                    gas.as_str(),
                    value.text()
                ),
            ),
            None => (
                constant,
                format!("{} × {} ({label})", gas.as_str(), constant.text()),
            ),
        }
    }
}

/// Where a record's id says it comes from, for the defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// `cn_*`, with the grid region code for `cn_grid_<region>_*`.
    China(Option<&'static str>),
    /// `ipcc_*` or `gwp_*`.
    Ipcc,
    Other,
}

const CN_GRID_REGIONS: [(&str, &str); 7] = [
    ("north", "CN-NORTH"),
    ("northeast", "CN-NORTHEAST"),
    ("east", "CN-EAST"),
    ("central", "CN-CENTRAL"),
    ("northwest", "CN-NORTHWEST"),
    ("southwest", "CN-SOUTHWEST"),
    ("south", "CN-SOUTH"),
];

fn origin(id: &str) -> Origin {
    let id = id.to_ascii_lowercase();
    if let Some(rest) = id.strip_prefix("cn_grid_") {
        let word = rest.split('_').next().unwrap_or("");
        let region = CN_GRID_REGIONS
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, code)| *code);
        Origin::China(region)
    } else if id.starts_with("cn_") {
        Origin::China(None)
    } else if id.starts_with("ipcc_") || id.starts_with("gwp_") {
        Origin::Ipcc
    } else {
        Origin::Other
    }
}

/// The year named in an id: `Ok(None)` without one, `Err` with two different ones.
fn year_in_id(id: &str) -> Result<Option<i32>, ()> {
    let mut year = None;
    for w in words(id) {
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

fn is_ditto(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    matches!(
        lower.trim_end_matches('.'),
        "same as above" | "as above" | "ditto"
    )
}

fn import_row(
    row: &Row<'_>,
    options: &ImportOptions,
    file_gwps: &FileGwps,
    seen: &mut HashMap<(String, u32), usize>,
    last_source: &mut Option<(usize, String)>,
) -> Result<Outcome, CsvImportError> {
    // Identity.
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
    let reference = RecordRef::new(id, version);
    if let Some(first_line) = seen.insert((id.to_string(), version), row.line) {
        return Err(CsvImportError::Duplicate {
            line: row.line,
            first_line,
            reference: reference.to_string(),
        });
    }

    // Source, resolving "same as above" before the row may be skipped, so a
    // skipped row's source still counts as the one above.
    let raw_source = row.get("source").ok_or_else(|| {
        row.err(
            "source",
            "empty: every factor must keep the source of its figure",
        )
    })?;
    let mut notes: Vec<String> = Vec::new();
    for column in ["scope", "verify_note"] {
        if let Some(s) = row.get(column) {
            notes.push(s.to_string());
        }
    }
    let source = if is_ditto(raw_source) {
        let (line, s) = last_source.as_ref().ok_or_else(|| {
            row.err(
                "source",
                format!("{raw_source:?} but no row above has a source"),
            )
        })?;
        notes.push(format!(
            "source as on line {line} ({raw_source:?} in the file)"
        ));
        s.clone()
    } else {
        *last_source = Some((row.line, raw_source.to_string()));
        raw_source.to_string()
    };
    check_text(row, "source", &source, MAX_REASON_LEN)?;

    // Value and unit.
    let value_text = row.get("value").ok_or_else(|| row.err("value", "empty"))?;
    let value = Exact::parse(value_text).map_err(|e| row.err("value", e.to_string()))?;
    if value.mantissa < 0 {
        return Err(row.err(
            "value",
            format!("{value_text} is negative: an emission factor is ≥ 0 (removals go in biogenic_removals)"),
        ));
    }
    let unit = row.get("unit").ok_or_else(|| row.err("unit", "empty"))?;
    let (mass, gas, activity) = match parse_unit(unit).map_err(|e| row.err("unit", e))? {
        UnitKind::Conversion => {
            return Ok(Outcome::Skipped {
                id: id.to_string(),
                reason: format!("conversion factor ({unit}), not an emission factor"),
            })
        }
        UnitKind::Emission {
            mass,
            gas,
            activity,
        } => (mass, gas, activity),
    };

    // Name.
    let (name_column, name) = match (row.get("name"), row.get("quantity")) {
        (Some(n), _) => ("name", n),
        (None, Some(q)) => ("quantity", q),
        (None, None) => ("id", id),
    };
    check_text(row, name_column, name, MAX_NAME_LEN)?;

    // Other categories, kg CO2e per activity unit.
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

    // GWP set.
    let column_gwp = row
        .get("gwp")
        .map(|g| {
            g.to_ascii_uppercase()
                .parse::<Gwp>()
                .map_err(|e| row.err("gwp", e))
        })
        .transpose()?;
    let named = named_gwp(id, name);
    if let (Some(c), Some(n)) = (column_gwp, named) {
        if c != n {
            return Err(row.err(
                "gwp",
                format!("{c} contradicts the {n} named in the id or name"),
            ));
        }
    }
    let gwp_set = column_gwp.or(named).unwrap_or(options.gwp);
    let gwp_stated = column_gwp.is_some() || named.is_some();

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
            let non_fossil = gas == Gas::Ch4
                && [
                    "non-fossil",
                    "nonfossil",
                    "non_fossil",
                    "non fossil",
                    "biogenic",
                ]
                .iter()
                .any(|w| text.contains(w));
            let (m, note) = file_gwps.multiplier(gwp_set, gas, non_fossil);
            notes.push(note);
            (m, Some(gwp_set))
        }
    };
    let fossil = scale_exact(value, mass.micrograms_pow10(), multiplier).map_err(|e| {
        let why = match e {
            ConvError::NotExact => "is not a whole number of micrograms CO2e (at most 9 decimals of kg after conversion)",
            ConvError::OutOfRange => "is out of range after conversion",
        };
        row.err("value", format!("{value_text} {unit} {why}"))
    })?;
    values.0[Category::Fossil as usize] = fossil;

    // Region.
    let origin = origin(id);
    let region = match (row.get("region"), origin) {
        (Some(r), _) => {
            if r.len() > MAX_CODE_LEN || !r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return Err(row.err(
                    "region",
                    format!(
                        "{r:?} is not a region code (letters, digits, '-', at most {MAX_CODE_LEN})"
                    ),
                ));
            }
            r.to_string()
        }
        (None, Origin::China(Some(code))) => code.to_string(),
        (None, Origin::China(None)) => "CN".to_string(),
        (None, Origin::Ipcc) => "GLO".to_string(),
        (None, Origin::Other) => {
            return Err(row.err(
                "region",
                "empty, and the id does not start with cn_, ipcc_ or gwp_ to infer it from",
            ))
        }
    };

    // Validity.
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
                Ok(Some(y)) => jan1(y).zip(jan1(y + 6)),
                Ok(None) if origin == Origin::Ipcc => jan1(2006).zip(jan1(2100)),
                Ok(None) => {
                    return Err(row.err(
                        missing,
                        "empty, and the id has no year (e.g. _2023) to infer the validity from",
                    ))
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

    // Data quality.
    let defaults = match origin {
        Origin::China(region) => Some([2, 2, if region.is_some() { 2 } else { 1 }, 2, 2]),
        Origin::Ipcc => Some([3, 3, 4, 3, 2]),
        Origin::Other => None,
    };
    let verify = row
        .get("verify_note")
        .is_some_and(|n| words_as_written(n).any(|w| w == "VERIFY"));
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
                        "empty, and ids not starting with cn_, ipcc_ or gwp_ have no default rating",
                    )
                })?;
                if column == "dqr_reliability" && verify {
                    d.max(3)
                } else {
                    d
                }
            }
        };
    }
    let dqr = Dqr {
        technological: ratings[0],
        temporal: ratings[1],
        geographical: ratings[2],
        completeness: ratings[3],
        reliability: ratings[4],
    };

    // Supersedes.
    let supersedes = match row.get("supersedes") {
        None => None,
        Some(s) => {
            let number = match s.rsplit_once('@') {
                Some((sid, n)) if sid == id => n,
                Some(_) => {
                    return Err(row.err(
                        "supersedes",
                        format!(
                        "{s:?} names another id; a record supersedes an earlier version of itself"
                    ),
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
            Some(v)
        }
    };

    let notes = notes.join("; ");
    check_text(row, "notes", &notes, MAX_REASON_LEN)?;
    check_text(row, "region", &region, MAX_CODE_LEN)?;

    Ok(Outcome::Record(Box::new(FactorRecord {
        reference,
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

/// Words of a note as written (split at anything not a letter or digit).
fn words_as_written(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tanji_ledger::carbon::form::check_factor;

    const DEMO: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/factors-cn-demo.csv"
    );

    fn demo_text() -> String {
        std::fs::read_to_string(DEMO).unwrap_or_else(|e| {
            panic!("cannot read the demo factor file {DEMO} (shared/ must sit beside the repository): {e}")
        })
    }

    fn import(text: &str) -> Result<ImportReport, CsvImportError> {
        import_csv(text, &ImportOptions::default())
    }

    fn find<'a>(report: &'a ImportReport, id: &str) -> &'a FactorRecord {
        report
            .records
            .iter()
            .map(|(_, r)| r)
            .find(|r| r.reference.id == id)
            .unwrap_or_else(|| panic!("{id} not imported"))
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn field_error(text: &str) -> (usize, &'static str, String) {
        match import(text) {
            Err(CsvImportError::Field {
                line,
                column,
                message,
            }) => (line, column, message),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    const HEADER: &str = "id,quantity,value,unit,scope,source,verify_note\n";

    #[test]
    fn demo_file() {
        let ar6 = import(&demo_text()).unwrap();
        assert_eq!(ar6.records.len(), 27);
        assert!(ar6.ignored_columns.is_empty());
        assert_eq!(ar6.records[0].0, 2);
        assert_eq!(
            ar6.records[0].1.reference,
            RecordRef::new("cn_grid_avg_2021", 1)
        );

        let cfp = find(&ar6, "cn_elec_cfp_2023");
        assert_eq!(cfp.unit, "kWh");
        assert_eq!(cfp.values, PerCategory([620_500_000, 0, 0, 0, 0]));
        assert_eq!(cfp.gwp, Some(Gwp::Ar6));
        assert_eq!(cfp.region, "CN");
        assert_eq!(
            (cfp.valid_from, cfp.valid_until),
            (date("2023-01-01"), date("2029-01-01"))
        );
        assert_eq!(cfp.source, "MEE+NBS+NEA announcement 2025-01-17");
        assert_eq!(
            cfp.name,
            "China national electricity carbon-footprint factor 2023 (life cycle)"
        );
        assert_eq!(
            cfp.notes,
            "life-cycle (use for PCF); also wind 0.0336 / PV 0.0545 / biomass 0.0457 kgCO2e/kWh; \
             GWP set AR6 assumed (import option; the row does not state it)"
        );
        assert_eq!(
            cfp.dqr,
            Dqr {
                technological: 2,
                temporal: 2,
                geographical: 1,
                completeness: 2,
                reliability: 2
            }
        );
        assert_eq!(cfp.supersedes, None);

        let ets = find(&ar6, "cn_grid_ets_2022");
        assert_eq!(ets.unit, "MWh");
        assert_eq!(ets.values.get(Category::Fossil), 570_300_000_000);
        assert_eq!(ets.gwp, None);
        assert!(
            ets.notes
                .contains("converted from 0.5703 tCO2/MWh (1 t = 1000 kg)"),
            "{}",
            ets.notes
        );

        let ch4 = find(&ar6, "ipcc_ng_ch4");
        assert_eq!(ch4.unit, "TJ");
        assert_eq!(ch4.values, PerCategory([29_800_000_000, 0, 0, 0, 0]));
        assert_eq!(ch4.gwp, Some(Gwp::Ar6));
        assert_eq!(ch4.region, "GLO");
        assert_eq!(
            (ch4.valid_from, ch4.valid_until),
            (date("2006-01-01"), date("2100-01-01"))
        );
        assert_eq!(
            (
                ch4.dqr.technological,
                ch4.dqr.geographical,
                ch4.dqr.reliability
            ),
            (3, 4, 2)
        );
        assert!(
            ch4.notes.starts_with("CH4 × 29.8 (AR6 GWP100 fossil"),
            "{}",
            ch4.notes
        );
        assert!(
            ch4.notes.contains("gwp_ar6_ch4_fossil@1 on line 29"),
            "{}",
            ch4.notes
        );
        assert_eq!(
            find(&ar6, "ipcc_ng_n2o").values.get(Category::Fossil),
            27_300_000_000
        );
        assert_eq!(
            find(&ar6, "ipcc_coal_n2o").values.get(Category::Fossil),
            409_500_000_000
        );
        assert_eq!(
            find(&ar6, "ipcc_diesel_ch4").values.get(Category::Fossil),
            89_400_000_000
        );
        let co2 = find(&ar6, "ipcc_ng_co2");
        assert_eq!(
            (co2.values.get(Category::Fossil), co2.gwp),
            (56_100_000_000_000, None)
        );

        let ar5 = import_csv(&demo_text(), &ImportOptions { gwp: Gwp::Ar5 }).unwrap();
        let ch4 = find(&ar5, "ipcc_ng_ch4");
        assert_eq!(ch4.values.get(Category::Fossil), 28_000_000_000);
        assert_eq!(ch4.gwp, Some(Gwp::Ar5));
        assert!(
            ch4.notes.starts_with("CH4 × 28 (AR5 GWP100"),
            "{}",
            ch4.notes
        );
        assert_eq!(
            find(&ar5, "ipcc_ng_n2o").values.get(Category::Fossil),
            26_500_000_000
        );
        assert_eq!(find(&ar5, "cn_elec_cfp_2023").gwp, Some(Gwp::Ar5));
        // CO2-only factors do not depend on the GWP set.
        assert_eq!(
            find(&ar5, "cn_grid_ets_2022"),
            find(&ar6, "cn_grid_ets_2022")
        );

        // GWP rows name their own set, whatever the options.
        for report in [&ar5, &ar6] {
            let g = find(report, "gwp_ar5_ch4");
            assert_eq!((g.unit.as_str(), g.gwp), ("kg", Some(Gwp::Ar5)));
            assert_eq!(g.values.get(Category::Fossil), 28_000_000_000);
            let g = find(report, "gwp_ar6_ch4_fossil");
            assert_eq!(
                (g.gwp, g.values.get(Category::Fossil)),
                (Some(Gwp::Ar6), 29_800_000_000)
            );
        }

        let ncv: Vec<_> = ar6.skipped.iter().map(|(_, id, _)| id.as_str()).collect();
        assert_eq!(ncv, ["ipcc_ng_ncv", "ipcc_diesel_ncv", "ipcc_bitcoal_ncv"]);
        let (line, _, reason) = &ar6.skipped[0];
        assert_eq!(
            (*line, reason.as_str()),
            (16, "conversion factor (TJ/Gg), not an emission factor")
        );

        // Regional grids, VERIFY and "same as above".
        let sw = find(&ar6, "cn_grid_southwest_2022");
        assert_eq!(sw.region, "CN-SOUTHWEST");
        assert_eq!((sw.dqr.geographical, sw.dqr.reliability), (2, 3));
        assert_eq!(
            sw.source,
            "MEE+NBS announcement 2024-12-20 (2022 electricity CO2 factors)"
        );
        assert!(sw.notes.contains("source as on line 3"), "{}", sw.notes);
        assert_eq!(find(&ar6, "cn_grid_north_2022").region, "CN-NORTH");
        assert_eq!(find(&ar6, "cn_grid_central_2023").region, "CN-CENTRAL");
        assert_eq!(
            find(&ar6, "cn_grid_north_2023").source,
            "MEE+NBS announcement on 2023 electricity CO2 factors (reported Jan 2026)"
        );
        let avg = find(&ar6, "cn_grid_avg_2021");
        assert_eq!(
            (avg.valid_from, avg.valid_until),
            (date("2021-01-01"), date("2027-01-01"))
        );
        assert_eq!(avg.dqr.geographical, 1);

        for (line, r) in ar6.records.iter().chain(&ar5.records) {
            check_record_id(&r.reference.id).unwrap();
            assert!(
                !r.source.trim().is_empty() && !is_ditto(&r.source),
                "line {line}"
            );
            check_factor(r).unwrap_or_else(|e| panic!("line {line}: {e}"));
        }
    }

    #[test]
    fn richer_file() {
        let text = "ID,Name,Value,Unit,Source,Version,Supersedes,Region,Valid_From,Valid_Until,GWP,\
                    Biogenic,Biogenic_Removals,LUC,Aircraft,DQR_Technological,DQR_Temporal,\
                    DQR_Geographical,DQR_Completeness,DQR_Reliability,Comment,\n\
                    acme:steel-hr,\"Steel, hot-rolled \"\"HR\"\"\",1.85,kgCO2e/kg,\"Acme EPD, 2024\",2,acme:steel-hr@1,\
                    CN-JS,2024-07-01,2027-07-01,ar5,0.1,-0.25,0.000000001,0,1,2,3,4,5,ignored,x\n";
        let report = import(&text.replace("\\\n", "")).unwrap();
        assert_eq!(report.ignored_columns, ["Comment", "(unnamed column 22)"]);
        assert_eq!(report.records.len(), 1);
        let (line, r) = &report.records[0];
        assert_eq!(*line, 2);
        assert_eq!(
            *r,
            FactorRecord {
                reference: RecordRef::new("acme:steel-hr", 2),
                name: "Steel, hot-rolled \"HR\"".into(),
                unit: "kg".into(),
                values: PerCategory([1_850_000_000, 100_000_000, -250_000_000, 1, 0]),
                gwp: Some(Gwp::Ar5),
                region: "CN-JS".into(),
                valid_from: date("2024-07-01"),
                valid_until: date("2027-07-01"),
                source: "Acme EPD, 2024".into(),
                notes: String::new(),
                dqr: Dqr {
                    technological: 1,
                    temporal: 2,
                    geographical: 3,
                    completeness: 4,
                    reliability: 5
                },
                supersedes: Some(1),
            }
        );
        check_factor(r).unwrap();
    }

    #[test]
    fn quoted_fields_bom_blank_rows_and_case() {
        let text = "\u{feff}Id,QUANTITY,value,Unit,scope,Source,verify_note\n\
                    cn_x_2024,\"Grid, east, \"\"test\"\"\",\"0.5\",kgCO2/kWh,\"a, b\",\"MEE, NBS\",\n\
                    ,,,,,,\n\
                    \n\
                    cn_y_2024,y, 2 ,kgCO2/kWh,,s,\n";
        let report = import(text).unwrap();
        assert_eq!(report.records.len(), 2);
        let (line, r) = &report.records[0];
        assert_eq!(*line, 2);
        assert_eq!(r.name, "Grid, east, \"test\"");
        assert_eq!((r.source.as_str(), r.notes.as_str()), ("MEE, NBS", "a, b"));
        assert_eq!(r.values.get(Category::Fossil), 500_000_000);
        assert_eq!(report.records[1].0, 5);
        assert_eq!(
            report.records[1].1.values.get(Category::Fossil),
            2_000_000_000
        );
        // A line break inside a quoted field is well-formed CSV but not a valid record field.
        let (line, column, _) =
            field_error(&format!("{HEADER}cn_x_2024,\"a\nb\",1,kgCO2/kWh,,s,\n"));
        assert_eq!((line, column), (2, "quantity"));
    }

    #[test]
    fn line_numbers_as_an_editor_counts() {
        // CRLF, blank lines, a quoted line break in an ignored column.
        let text = "id,value,unit,source,comment\r\n\
                    \r\n\
                    cn_a_2024,1,kgCO2/kWh,s,\"two\r\nlines\"\r\n\
                    \r\n\
                    \r\n\
                    cn_b_2024,1,kgCO2/kWh,s,\r\n\
                    cn_c_2024,1,kgCO2/kWh,s,\"x\ny\nz\"\n\
                    cn_d_2024,1,kgCO2/kWh,s,";
        let r = import(text).unwrap();
        let lines: Vec<usize> = r.records.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [3, 7, 8, 11]);
        let e = import(&format!("{text}\n\ncn_e_2024,1\n")).unwrap_err();
        assert!(
            matches!(e, CsvImportError::Malformed { line: 13, .. }),
            "{e:?}"
        );
        let (line, _, _) = field_error(&format!("{text}\n\ncn_e_2024,1,kgCO2/kWh,,\n"));
        assert_eq!(line, 13);
    }

    #[test]
    fn header_errors() {
        let e = import("id,quantity,value,unit,scope\ncn_x_2024,x,1,kgCO2/kWh,\n").unwrap_err();
        assert_eq!(e, CsvImportError::MissingColumn { column: "source" });
        assert!(
            e.to_string()
                .starts_with("line 1: missing required column \"source\""),
            "{e}"
        );
        assert_eq!(
            import("").unwrap_err(),
            CsvImportError::MissingColumn { column: "id" }
        );
        assert_eq!(
            import("id,value,unit,source,VALUE\n").unwrap_err(),
            CsvImportError::DuplicateColumn {
                column: "value".into()
            }
        );
        // A header alone imports nothing.
        assert_eq!(import(HEADER).unwrap(), ImportReport::default());
    }

    #[test]
    fn malformed_rows() {
        let e = import(&format!(
            "{HEADER}cn_x_2024,x,1,kgCO2/kWh,,s,\ncn_y_2024,y,1\n"
        ))
        .unwrap_err();
        assert!(
            matches!(e, CsvImportError::Malformed { line: 3, .. }),
            "{e:?}"
        );
        assert!(
            e.to_string().contains("3 fields but the header has 7"),
            "{e}"
        );
    }

    #[test]
    fn bad_values() {
        for (bad, what) in [
            ("1e3", "not a decimal"),
            ("abc", "not a decimal"),
            ("1,5", "not a decimal"),
            ("-0.5", "negative"),
        ] {
            let text = format!(
                "{HEADER}cn_x_2024,x,1,kgCO2/kWh,,s,\ncn_y_2024,y,\"{bad}\",kgCO2/kWh,,s,\n"
            );
            let (line, column, message) = field_error(&text);
            assert_eq!((line, column), (3, "value"), "{bad}");
            assert!(message.contains(what), "{bad}: {message}");
            let e = import(&text).unwrap_err().to_string();
            assert!(e.starts_with("line 3, column value: "), "{e}");
        }
        assert_eq!(
            field_error(&format!("{HEADER}cn_x_2024,x,,kgCO2/kWh,,s,\n")).1,
            "value"
        );
        assert_eq!(
            field_error(&format!("{HEADER},x,1,kgCO2/kWh,,s,\n")).1,
            "id"
        );
        assert_eq!(
            field_error(&format!("{HEADER}cn x,x,1,kgCO2/kWh,,s,\n")).1,
            "id"
        );
        assert_eq!(
            field_error(&format!("{HEADER}cn_x_2024,x,1,kgCO2/kWh,,,\n")).1,
            "source"
        );
        assert_eq!(
            field_error(&format!("{HEADER}cn_x_2024,x,1,,,s,\n")).1,
            "unit"
        );
        // Values too large for i64 micrograms.
        let (_, column, message) =
            field_error(&format!("{HEADER}cn_x_2024,x,10000000,tCO2/kWh,,s,\n"));
        assert_eq!(column, "value");
        assert!(message.contains("out of range"), "{message}");
    }

    #[test]
    fn exactness_after_conversion() {
        let row = |value: &str, unit: &str| format!("{HEADER}cn_x_2024,x,{value},{unit},,s,\n");
        let fossil = |value: &str, unit: &str| {
            import(&row(value, unit)).map(|r| r.records[0].1.values.get(Category::Fossil))
        };
        assert_eq!(fossil("0.000000001", "kgCO2/kWh"), Ok(1));
        assert_eq!(fossil("0.000000000001", "tCO2/MWh"), Ok(1));
        assert_eq!(fossil("0.000001", "gCO2/kWh"), Ok(1));
        assert_eq!(fossil("0.00000001", "kgCH4/TJ"), Ok(298));
        assert_eq!(fossil("0.0000000010", "kgCO2e/kWh"), Ok(1));
        for (value, unit) in [
            ("0.0000000001", "kgCO2/kWh"),
            ("0.0000000000001", "tCO2/MWh"),
            ("0.0000001", "gCO2/kWh"),
            ("0.000000001", "kgCH4/TJ"),
        ] {
            let (line, column, message) = field_error(&row(value, unit));
            assert_eq!((line, column), (2, "value"), "{value} {unit}");
            assert!(
                message.contains("not a whole number of micrograms"),
                "{message}"
            );
        }
        // Category columns hold at most 9 decimals of kg.
        let text = "id,value,unit,source,luc\ncn_x_2024,1,kgCO2e/kWh,s,0.0000000001\n";
        let (line, column, message) = field_error(text);
        assert_eq!((line, column), (2, "luc"));
        assert!(message.contains("more than 9 decimals"), "{message}");
    }

    #[test]
    fn duplicates() {
        let text = format!("{HEADER}cn_x_2024,x,1,kgCO2/kWh,,s,\ncn_y_2024,y,1,kgCO2/kWh,,s,\ncn_x_2024,x,2,kgCO2/kWh,,s,\n");
        let e = import(&text).unwrap_err();
        assert_eq!(
            e,
            CsvImportError::Duplicate {
                line: 4,
                first_line: 2,
                reference: "cn_x_2024@1".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "line 4, column id: cn_x_2024@1 is already defined on line 2"
        );
        // Skipped rows count too.
        let text = format!("{HEADER}ipcc_ncv,x,1,TJ/Gg,,s,\nipcc_ncv,x,2,TJ/Gg,,s,\n");
        assert!(matches!(
            import(&text),
            Err(CsvImportError::Duplicate { line: 3, .. })
        ));
        // Two versions of one id are fine.
        let text = "id,version,supersedes,value,unit,source\ncn_x_2024,1,,1,kgCO2/kWh,s\ncn_x_2024,2,1,2,kgCO2/kWh,s\n";
        assert_eq!(import(text).unwrap().records.len(), 2);
    }

    #[test]
    fn units() {
        assert_eq!(
            parse_unit("kg CO2-eq / t·km"),
            Ok(UnitKind::Emission {
                mass: Mass::Kg,
                gas: Gas::Co2e,
                activity: "t·km".into()
            })
        );
        assert_eq!(parse_unit("TJ/Gg"), Ok(UnitKind::Conversion));
        assert_eq!(parse_unit("%"), Ok(UnitKind::Conversion));
        for bad in [
            "lbCO2/kWh",
            "kgCO2e",
            "kgCO2e/",
            "kgSF6CO2/kWh",
            "kgCO2/kWh/h",
        ] {
            assert!(parse_unit(bad).is_err(), "{bad}");
        }
        let (line, column, _) = field_error(&format!("{HEADER}cn_x_2024,x,1,lbCO2/kWh,,s,\n"));
        assert_eq!((line, column), (2, "unit"));
    }

    #[test]
    fn inference_rules_and_their_errors() {
        // Other ids need region, validity and DQR columns.
        let (_, column, _) = field_error("id,value,unit,source\nacme_x_2024,1,kgCO2/kWh,s\n");
        assert_eq!(column, "region");
        let (_, column, _) = field_error("id,value,unit,source,region\nacme_x,1,kgCO2/kWh,s,CN\n");
        assert_eq!(column, "valid_from");
        let (_, column, _) =
            field_error("id,value,unit,source,region\nacme_x_2024,1,kgCO2/kWh,s,CN\n");
        assert_eq!(column, "dqr_technological");
        // Two years in an id.
        let (_, column, message) =
            field_error("id,value,unit,source\ncn_x_2021_2023,1,kgCO2/kWh,s\n");
        assert_eq!(column, "valid_from");
        assert!(message.contains("more than one year"), "{message}");
        // One column given, the other inferred; order checked.
        let r = import("id,value,unit,source,valid_until\ncn_x_2021,1,kgCO2/kWh,s,2024-01-01\n")
            .unwrap();
        assert_eq!(r.records[0].1.valid_from, date("2021-01-01"));
        let (_, column, _) =
            field_error("id,value,unit,source,valid_until\ncn_x_2021,1,kgCO2/kWh,s,2020-01-01\n");
        assert_eq!(column, "valid_until");
        let (_, column, _) =
            field_error("id,value,unit,source,valid_from\ncn_x_2021,1,kgCO2/kWh,s,2021-02-30\n");
        assert_eq!(column, "valid_from");
        // GWP: column contradicting the id, unknown set.
        let (_, column, _) =
            field_error("id,value,unit,source,gwp\ngwp_ar5_ch4,28,kgCO2e/kg,s,AR6\n");
        assert_eq!(column, "gwp");
        let (_, column, _) =
            field_error("id,value,unit,source,gwp\ngwp_ar5_ch4,28,kgCO2e/kg,s,AR4\n");
        assert_eq!(column, "gwp");
        // The gwp column picks the set of a CH4 row; non-fossil rows use 27.
        let r = import(
            "id,quantity,value,unit,source,gwp\n\
             ipcc_a,CH4,1,kgCH4/TJ,s,AR5\n\
             ipcc_b,Biogenic CH4 from digesters,1,kgCH4/TJ,s,\n",
        )
        .unwrap();
        assert_eq!(r.records[0].1.values.get(Category::Fossil), 28_000_000_000);
        assert_eq!(r.records[1].1.values.get(Category::Fossil), 27_000_000_000);
        assert!(r.records[1]
            .1
            .notes
            .contains("CH4 × 27 (AR6 GWP100 non-fossil)"));
        // DQR: bad rating; VERIFY only lowers a defaulted reliability.
        let (_, column, _) =
            field_error("id,value,unit,source,dqr_temporal\ncn_x_2024,1,kgCO2/kWh,s,6\n");
        assert_eq!(column, "dqr_temporal");
        let r = import(
            "id,value,unit,source,verify_note,dqr_reliability\n\
             cn_a_2024,1,kgCO2/kWh,s,VERIFY this,\n\
             cn_b_2024,1,kgCO2/kWh,s,VERIFY this,1\n\
             cn_c_2024,1,kgCO2/kWh,s,please verify,\n",
        )
        .unwrap();
        let rel: Vec<u8> = r.records.iter().map(|(_, r)| r.dqr.reliability).collect();
        assert_eq!(rel, [3, 1, 2]);
        // Supersedes must be an earlier version of the same id.
        for bad in ["2", "0", "other@1", "x"] {
            let text = format!(
                "id,version,supersedes,value,unit,source\ncn_x_2024,2,{bad},1,kgCO2/kWh,s\n"
            );
            assert_eq!(field_error(&text).1, "supersedes", "{bad}");
        }
        // Ditto on the first row has nothing to copy.
        let (_, column, _) = field_error(&format!(
            "{HEADER}cn_x_2024,x,1,kgCO2/kWh,,same as above,\n"
        ));
        assert_eq!(column, "source");
    }

    #[test]
    fn gwp_values_from_the_file() {
        let text = format!(
            "{HEADER}ipcc_ng_ch4,CH4,2,kgCH4/TJ,,s,\n\
             gwp_ar6_ch4_fossil,GWP100 fossil CH4 (AR6),30,kgCO2e/kg,,s,\n\
             gwp_ar6_ch4_fossil,GWP100 fossil CH4 (AR6),29.5,kgCO2e/kg,,s,\n"
        )
        .replace("29.5,kgCO2e/kg,,s,", "29.5,kgCO2e/kg,,s,");
        // Same id twice without versions is a duplicate...
        assert!(matches!(
            import(&text),
            Err(CsvImportError::Duplicate { .. })
        ));
        // ...with versions, the highest one is used.
        let text = "id,version,supersedes,value,unit,source\n\
                    ipcc_ng_ch4,1,,2,kgCH4/TJ,s\n\
                    gwp_ar6_ch4_fossil,2,1,29.5,kgCO2e/kg,s\n\
                    gwp_ar6_ch4_fossil,1,,30,kgCO2e/kg,s\n";
        let r = import(text).unwrap();
        let ch4 = &r.records[0].1;
        assert_eq!(ch4.values.get(Category::Fossil), 59_000_000_000);
        assert_eq!(
            ch4.notes,
            "CH4 × 29.5 (AR6 GWP100 fossil, from gwp_ar6_ch4_fossil@2 on line 3)"
        );
    }

    #[test]
    fn limits() {
        let big = "a".repeat(MAX_INPUT_BYTES + 1);
        assert_eq!(
            import(&big),
            Err(CsvImportError::TooLarge {
                size: MAX_INPUT_BYTES + 1
            })
        );
        let mut text = String::from("id,value,unit,source\n");
        for i in 0..=MAX_ROWS {
            text.push_str(&format!("cn_{i}_2024,1,kgCO2/kWh,s\n"));
        }
        assert_eq!(
            import(&text),
            Err(CsvImportError::TooManyRows { line: MAX_ROWS + 2 })
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn kg_and_t_agree_with_parse_decimal(v in 0i64..1_000_000_000_000_000) {
            // v micrograms, written in kg (9 decimals) and in t (12 decimals).
            let kg = format_decimal(i128::from(v), 9);
            let t = format_decimal(i128::from(v), 12);
            let text = format!("id,value,unit,source\ncn_a_2024,{kg},kgCO2/kWh,s\ncn_b_2024,{t},tCO2/kWh,s\n");
            let r = import(&text).unwrap();
            prop_assert_eq!(r.records[0].1.values.get(Category::Fossil), v);
            prop_assert_eq!(r.records[1].1.values.get(Category::Fossil), v);
        }

        #[test]
        fn imported_records_pass_the_form_check(
            rows in prop::collection::vec(
                (
                    // Mostly valid choices, so that most files import.
                    prop::sample::select(vec!["cn_a", "cn_grid_north", "cn_grid_west", "ipcc_x", "gwp_ar5_ch4", "gwp_x", "acme_y"]),
                    prop::sample::select(vec!["_2024", "_2021", "", "_2021_2022"]),
                    prop::sample::select(vec!["0", "1", "0.5703", "29.8", "0.000000001", "12345", "0.0000000001", "-1"]),
                    prop::sample::select(vec!["kgCO2/kWh", "tCO2/MWh", "gCO2e/kWh", "kgCH4/TJ", "kgN2O/TJ", "kgCO2e/kg", "TJ/Gg", "kgCO2/ kWh ", "lbCO2/kWh"]),
                    prop::sample::select(vec!["", "", "", "CN", "GLO", "\u{3000}", "CN JS"]),
                    prop::sample::select(vec!["", "", "", "2024-01-01", "2019-12-31"]),
                    prop::sample::select(vec!["", "", "-0.1", "0.1"]),
                    prop::sample::select(vec!["", "", "1", "5", "6"]),
                    prop::sample::select(vec!["s", "s", "same as above", "\"a, b\"", "\u{3000}"]),
                    prop::sample::select(vec!["", "VERIFY", "x\u{3000}"]),
                ),
                0..5,
            ),
            gwp in prop::sample::select(vec![Gwp::Ar5, Gwp::Ar6]),
        ) {
            let header =
                "id,value,unit,region,valid_from,biogenic_removals,dqr_temporal,source,verify_note\n";
            let lines: Vec<String> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    format!(
                        "{}{i}{},{},{},{},{},{},{},{},{}\n",
                        r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9
                    )
                })
                .collect();
            // Each row alone (most rows import alone), then the whole file.
            let mut files: Vec<String> = lines.iter().map(|l| format!("{header}{l}")).collect();
            files.push(format!("{header}{}", lines.concat()));
            for text in files {
                if let Ok(report) = import_csv(&text, &ImportOptions { gwp }) {
                    for (line, record) in &report.records {
                        prop_assert!(check_factor(record).is_ok(), "line {}: {:?}", line, record);
                    }
                }
            }
        }

        #[test]
        fn never_panics(text in "[a-z0-9_,.\"\n/ -]{0,200}") {
            let _ = import(&format!("id,value,unit,source\n{text}"));
        }
    }
}
