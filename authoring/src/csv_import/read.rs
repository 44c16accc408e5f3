//! Reading the CSV: the header's known columns, the data rows with the line
//! each starts on (as a text editor counts), and access to a row's fields.
//!
//! Rows whose fields are all empty are dropped here; every other row is
//! returned in file order, so the lines of later steps' errors are the file's.

use std::collections::HashMap;

use super::{CsvImportError, MAX_INPUT_BYTES, MAX_ROWS};

/// Known columns, lower case.
pub(super) const COLUMNS: [&str; 23] = [
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

/// Columns every file must have.
const REQUIRED: [&str; 4] = ["id", "value", "unit", "source"];

/// Known column name → field index.
pub(super) type Columns = HashMap<&'static str, usize>;

/// A file's header and non-empty data rows.
pub(super) struct Table {
    pub columns: Columns,
    /// Header names that are not known columns, as written.
    pub ignored_columns: Vec<String>,
    /// Line and fields of each row that has a non-empty field.
    pub rows: Vec<(usize, csv::StringRecord)>,
}

/// Reads the header and the rows, checking size, row count and CSV syntax.
pub(super) fn read_table(text: &str) -> Result<Table, CsvImportError> {
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
    let (columns, ignored_columns) = known_columns(&header)?;

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
    Ok(Table {
        columns,
        ignored_columns,
        rows,
    })
}

/// Maps known header names (any case) to their index; lists the others.
fn known_columns(header: &csv::StringRecord) -> Result<(Columns, Vec<String>), CsvImportError> {
    let mut columns = Columns::new();
    let mut ignored = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        let lower = name.to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == lower) {
            Some(known) => {
                if columns.insert(known, i).is_some() {
                    return Err(CsvImportError::DuplicateColumn { column: lower });
                }
            }
            None if name.is_empty() => ignored.push(format!("(unnamed column {})", i + 1)),
            None => ignored.push(name.to_string()),
        }
    }
    if let Some(column) = REQUIRED.iter().find(|c| !columns.contains_key(*c)) {
        return Err(CsvImportError::MissingColumn { column });
    }
    Ok((columns, ignored))
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
pub(super) struct Row<'a> {
    pub line: usize,
    pub record: &'a csv::StringRecord,
    pub columns: &'a Columns,
}

impl<'a> Row<'a> {
    /// A known column's field, trimmed of Unicode white space (the reader trims
    /// only ASCII); `None` if the column is absent or the field empty.
    pub fn get(&self, column: &'static str) -> Option<&'a str> {
        debug_assert!(COLUMNS.contains(&column), "unknown column {column}");
        self.columns
            .get(column)
            .and_then(|i| self.record.get(*i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// A field error on this row.
    pub fn err(&self, column: &'static str, message: impl Into<String>) -> CsvImportError {
        CsvImportError::Field {
            line: self.line,
            column,
            message: message.into(),
        }
    }
}
