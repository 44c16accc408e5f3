//! CSV import for the factor database (`tanji factor import FILE.csv`).
//!
//! [`import_csv`] turns a spreadsheet of published emission factors (the
//! columns of `shared/data/factors-cn-demo.csv`, optionally richer) into
//! [`FactorRecord`]s ready to be signed by a factor publisher. It is a pure
//! function of the text, [`ImportOptions`] and the [`Mapping`]: no clock, no
//! floats, no I/O, so the same file always gives the same records, byte for
//! byte.
//!
//! The import runs in steps, a file each: reading the rows (`read.rs`),
//! parsing numbers and units (`number.rs`), finding the GWP multipliers
//! (`gwp.rs`), mapping each row to a record or skipping it (`record.rs`) and
//! reporting (`report.rs`). What is particular to the datasets imported
//! (defaults keyed on id prefixes, the rows that carry GWP values, how
//! reviewers mark rows) is not code but the mapping table `mapping.toml`
//! ([`Mapping`], built in; [`import_csv_with`] takes another).
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
//! | `id` | yes | record id ([`check_record_id`](tanji_ledger::carbon::check_record_id)) |
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
//! The defaults and words below are those of the built-in mapping table.
//!
//! **Unit and value.** `unit` is `<mass unit><gas>/<activity unit>`. The mass
//! unit is `kg`, `t` (1000 kg) or `g` (0.001 kg); the gas is `CO2`, `CO2e`
//! (also written `CO2eq`, `CO2-eq`), `CH4` or `N2O`, case-insensitive. The
//! activity unit after the slash (`kWh`, `MWh`, `TJ`, `kg`, ...) becomes
//! [`FactorRecord::unit`]. The value is multiplied exactly by the mass unit
//! into micrograms of gas per activity unit, then:
//! - `CO2` and `CO2e` go straight to the fossil category;
//! - `CH4` and `N2O` are converted to CO2e with the GWP100 of the row's GWP set
//!   (below), from the mapping's `[[gwp100]]` table: AR6 CH4 fossil 29.8
//!   (non-fossil 27.0 only if the row's id, name or scope says non-fossil or
//!   biogenic), AR6 N2O 273, AR5 CH4 28, AR5 N2O 265. When the same file has
//!   the rows `gwp_ar6_ch4_fossil`, `gwp_ar6_ch4_nonfossil`, `gwp_ar6_n2o`,
//!   `gwp_ar5_ch4` or `gwp_ar5_n2o` in `kgCO2e/kg`, their values are used
//!   instead of these constants (the highest version if several). `notes`
//!   records the multiplier applied and where it came from, e.g.
//!   `CH4 × 29.8 (AR6 GWP100 fossil)`.
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
//! **Region.** The `region` column; else the mapping's `[[ids]]` rule for the
//! id: `cn_grid_north_*` → `CN-NORTH`, `cn_grid_northeast_*` →
//! `CN-NORTHEAST`, `cn_grid_east_*` → `CN-EAST`, `cn_grid_central_*` →
//! `CN-CENTRAL`, `cn_grid_northwest_*` → `CN-NORTHWEST`,
//! `cn_grid_southwest_*` → `CN-SOUTHWEST`, `cn_grid_south_*` → `CN-SOUTH`
//! (China's regional grids), other `cn_*` → `CN`, `ipcc_*` and `gwp_*` →
//! `GLO`. Any other id needs the column.
//!
//! **Validity.** The `valid_from` / `valid_until` columns; a missing one is
//! inferred from a 4-digit year (1900–2099) that is a word of the id (`_2023`):
//! valid from 1 January of that year until 1 January six years later
//! (exclusive; the mapping's `valid_years_after_id_year`). National factors
//! are published a year or more after their data year and used for several
//! years after it, until superseded by a newer version, so a factor stays
//! usable for six years and a newer one should supersede it. Ids without a
//! year: `ipcc_*` and `gwp_*` (IPCC 2006 defaults, GWPs) are valid from
//! 2006-01-01 until 2100-01-01 (the rule's `valid_without_year`); any other id
//! needs the columns. An id with two different years is ambiguous and needs
//! the columns. `valid_from` must be before `valid_until`.
//!
//! **Data quality** ([`Dqr`](tanji_ledger::carbon::Dqr), 1 = very good .. 5 =
//! very poor). Each `dqr_*` column overrides one rating; missing ratings
//! default by the id rule:
//! - `cn_*` (national official factors): technological 2, temporal 2,
//!   geographical 1 (2 for regional grids `cn_grid_<region>_*`),
//!   completeness 2, reliability 2;
//! - `ipcc_*` and `gwp_*` (IPCC defaults): 3, 3, 4, 3, 2;
//! - any other id: no default, the columns are required.
//!
//! A `verify_note` containing the word `VERIFY` (upper case, as reviewers
//! mark unconfirmed figures; the mapping's `review_mark`) lowers a
//! *defaulted* reliability to at least 3.
//!
//! **Text.** `name` = the `name` column, else `quantity`, else the id.
//! `source` = the `source` column; it must not be empty. A source written
//! `same as above` (also `as above`, `ditto`; the mapping's
//! `same_source_as_above`) is replaced by the source of the nearest row above
//! that has one, because each record is signed and read on its own. `notes` =
//! scope, verify note and conversion notes, joined with `"; "`. Lengths
//! follow the ledger's form checks (name ≤ 256 bytes, unit and region ≤ 32,
//! source and notes ≤ 1024, no control characters;
//! [`tanji_ledger::text::check_text`]).
//!
//! # Limits and errors
//!
//! At most [`MAX_INPUT_BYTES`] of text and [`MAX_ROWS`] rows. The first
//! problem found aborts the import with a [`CsvImportError`] naming the line
//! (as a text editor counts them, the header being line 1) and the column. The
//! same `id@version` twice in one file is an error, skipped rows included.
//!
//! [`FactorRecord`]: tanji_ledger::carbon::FactorRecord
//! [`FactorRecord::unit`]: tanji_ledger::carbon::FactorRecord::unit
//! [`FactorRecord::gwp`]: tanji_ledger::carbon::FactorRecord::gwp

mod gwp;
mod mapping;
mod number;
mod read;
mod record;
mod report;

use std::collections::HashMap;

use tanji_ledger::carbon::Gwp;

pub use mapping::{Mapping, MappingError, BUILTIN_MAPPING, MAX_MAPPING_BYTES};
pub use report::ImportReport;

/// Largest input accepted, in bytes (16 MiB).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// Most data rows accepted (the header not counted).
pub const MAX_ROWS: usize = 100_000;

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

/// Imports a factor CSV with the built-in mapping ([`Mapping::builtin`]);
/// see the module docs.
pub fn import_csv(text: &str, options: &ImportOptions) -> Result<ImportReport, CsvImportError> {
    import_csv_with(text, options, Mapping::builtin())
}

/// Imports a factor CSV with `mapping`'s dataset rules (e.g. one read with
/// [`Mapping::from_path`]).
pub fn import_csv_with(
    text: &str,
    options: &ImportOptions,
    mapping: &Mapping,
) -> Result<ImportReport, CsvImportError> {
    let table = read::read_table(text)?;
    let file_gwps = gwp::FileGwps::collect(mapping, &table.columns, &table.rows);
    let mut context = record::Context {
        options,
        mapping,
        file_gwps: &file_gwps,
        seen: HashMap::new(),
        last_source: None,
    };
    let mut report = ImportReport {
        ignored_columns: table.ignored_columns,
        ..ImportReport::default()
    };
    for (line, fields) in &table.rows {
        let row = read::Row {
            line: *line,
            record: fields,
            columns: &table.columns,
        };
        report.add(*line, record::import_row(&row, &mut context)?);
    }
    Ok(report)
}

#[cfg(test)]
mod tests;
