//! What an import reports: the records, the rows skipped and why, and the
//! columns it did not read.

use tanji_ledger::carbon::FactorRecord;

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

/// What one row becomes.
pub(super) enum Outcome {
    /// A factor record.
    Record(Box<FactorRecord>),
    /// Not an emission factor: left out, with the reason.
    Skipped { id: String, reason: String },
}

impl Outcome {
    /// A row whose unit names no greenhouse gas (e.g. `TJ/Gg`, a net
    /// calorific value): a conversion factor, not an emission factor.
    pub fn conversion_factor(id: &str, unit: &str) -> Outcome {
        Outcome::Skipped {
            id: id.to_string(),
            reason: format!("conversion factor ({unit}), not an emission factor"),
        }
    }
}

impl ImportReport {
    /// Adds the outcome of the row on `line`.
    pub(super) fn add(&mut self, line: usize, outcome: Outcome) {
        match outcome {
            Outcome::Record(r) => self.records.push((line, *r)),
            Outcome::Skipped { id, reason } => self.skipped.push((line, id, reason)),
        }
    }
}
