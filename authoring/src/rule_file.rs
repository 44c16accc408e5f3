//! Product rule files: the TOML a regulator writes to publish a rule.
//!
//! ```toml
//! id = "pcr-portable-computer"
//! version = 1
//! name = "便携式计算机产品碳足迹核算规则 Portable computers"
//! category = "urn:cpc:45220"
//! declared_unit = "piece"
//! boundary = "cradle-to-gate"
//! required_stages = ["raw-materials", "production"]
//! cutoff_percent = "1"
//! grade_thresholds_kg = ["150", "200", "250", "300"]   # grade 1 ≤ 150 kg, ..., grade 5 > 300 kg
//! reference_document = "GB/T 24067-2024; T/CESA 1262-2023"
//! # supersedes = 1
//! ```

use serde::Deserialize;

use tanji_ledger::carbon::form::check_rule;
use tanji_ledger::carbon::units::parse_decimal;
use tanji_ledger::carbon::{Boundary, ProductRule, RecordRef, Stage};

/// A rule file could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("rule file: {0}")]
pub struct RuleFileError(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    version: u32,
    name: String,
    category: String,
    declared_unit: String,
    boundary: Boundary,
    required_stages: Vec<Stage>,
    cutoff_percent: String,
    grade_thresholds_kg: Vec<String>,
    reference_document: String,
    supersedes: Option<u32>,
}

/// Parses a rule file (TOML) into a rule, checking its fields.
pub fn parse_rule_toml(text: &str) -> Result<ProductRule, RuleFileError> {
    if text.len() > 64 * 1024 {
        return Err(RuleFileError("larger than 64 KiB".into()));
    }
    let raw: RawRule = toml::from_str(text).map_err(|e| RuleFileError(e.to_string()))?;
    let cutoff = parse_decimal(&raw.cutoff_percent, 2)
        .map_err(|e| RuleFileError(format!("cutoff_percent: {e}")))?;
    let cutoff_bp = u16::try_from(cutoff)
        .ok()
        .filter(|v| *v <= 10_000)
        .ok_or_else(|| RuleFileError("cutoff_percent must be within 0..=100".into()))?;
    let thresholds = raw
        .grade_thresholds_kg
        .iter()
        .map(|t| {
            let mg = parse_decimal(t, 6)
                .map_err(|e| RuleFileError(format!("grade_thresholds_kg: {e}")))?;
            i64::try_from(mg)
                .map_err(|_| RuleFileError(format!("grade threshold {t} out of range")))
        })
        .collect::<Result<Vec<i64>, _>>()?;
    let rule = ProductRule {
        reference: RecordRef::new(raw.id, raw.version),
        name: raw.name,
        category: raw.category,
        declared_unit: raw.declared_unit,
        boundary: raw.boundary,
        required_stages: raw.required_stages,
        cutoff_bp,
        grade_thresholds_mg: thresholds,
        reference_document: raw.reference_document,
        supersedes: raw.supersedes,
    };
    check_rule(&rule).map_err(|e| RuleFileError(e.to_string()))?;
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = r#"
id = "pcr-portable-computer"
version = 1
name = "Portable computers"
category = "urn:cpc:45220"
declared_unit = "piece"
boundary = "cradle-to-gate"
required_stages = ["raw-materials", "production"]
cutoff_percent = "1"
grade_thresholds_kg = ["150", "200", "250", "300"]
reference_document = "GB/T 24067-2024"
"#;

    #[test]
    fn parses_and_grades() {
        let r = parse_rule_toml(RULE).expect("valid rule");
        assert_eq!(r.cutoff_bp, 100);
        assert_eq!(
            r.grade_thresholds_mg,
            vec![150_000_000, 200_000_000, 250_000_000, 300_000_000]
        );
        assert_eq!(r.grade(243_000_000), 3);
    }

    #[test]
    fn errors_are_clear() {
        assert!(
            parse_rule_toml(&RULE.replace("\"150\"", "\"250\"")).is_err(),
            "not ascending"
        );
        assert!(parse_rule_toml(
            &RULE.replace("boundary = \"cradle-to-gate\"", "boundary = \"gate\"")
        )
        .is_err());
        assert!(
            parse_rule_toml(&format!("{RULE}\ncolour = 1")).is_err(),
            "unknown key"
        );
        assert!(parse_rule_toml(&RULE.replace("\"1\"", "\"101\"")).is_err());
    }
}
