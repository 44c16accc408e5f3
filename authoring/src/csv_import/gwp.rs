//! GWP sets and multipliers: the set a row names, and the GWP100 value that
//! converts its CH4 or N2O into CO2e — the mapping's constant, or the value
//! of the row the mapping names when the imported file has it.

use std::collections::HashMap;

use tanji_ledger::carbon::Gwp;

use super::mapping::Mapping;
use super::number::{parse_unit, Exact, Gas, Mass, UnitKind};
use super::read::{Columns, Row};

/// Lower-case words of an id or a name (split at anything not a letter or digit).
pub(super) fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
}

/// The GWP set an id or name names as a word, if exactly one.
pub(super) fn named_gwp(id: &str, name: &str) -> Option<Gwp> {
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

/// GWP values given as rows of the file being imported: by the mapping's
/// row id (lower case), the highest version's number, value and origin
/// (`id@version on line n`).
pub(super) struct FileGwps(HashMap<String, (u32, Exact, String)>);

impl FileGwps {
    /// The well-formed `kgCO2e/kg` rows whose id is a GWP row of the
    /// mapping, highest version each. Malformed ones are left out here;
    /// importing them reports the error.
    pub fn collect(
        mapping: &Mapping,
        columns: &Columns,
        rows: &[(usize, csv::StringRecord)],
    ) -> FileGwps {
        let mut out: HashMap<String, (u32, Exact, String)> = HashMap::new();
        for (line, record) in rows {
            let row = Row {
                line: *line,
                record,
                columns,
            };
            let Some(id) = row.get("id") else { continue };
            let Some(known) = mapping
                .gwp100
                .iter()
                .map(|g| &g.row)
                .find(|k| k.eq_ignore_ascii_case(id))
            else {
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
                        known.clone(),
                        (version, value, format!("{id}@{version} on line {line}")),
                    );
                }
            }
        }
        FileGwps(out)
    }

    /// The GWP100 multiplier for a gas and set, and its description for the
    /// notes; `None` if the mapping has none (a checked mapping has one for
    /// every set, CH4 and N2O).
    pub fn multiplier(
        &self,
        mapping: &Mapping,
        set: Gwp,
        gas: Gas,
        non_fossil: bool,
    ) -> Option<(Exact, String)> {
        let entry = mapping.gwp100_for(set, gas, non_fossil)?;
        let label = &entry.label;
        Some(match self.0.get(&entry.row) {
            Some((_, value, origin)) => (
                *value,
                format!(
                    "{} × {} ({label}, from {origin})",
                    gas.as_str(),
                    value.text()
                ),
            ),
            None => (
                entry.value,
                format!("{} × {} ({label})", gas.as_str(), entry.value.text()),
            ),
        })
    }
}
