//! Stateless checks of factor, rule and certificate records (what
//! [`SignedTx::check_form`](crate::tx::SignedTx::check_form) runs).

use super::{Category, Certificate, FactorRecord, ProductRule, MAX_CERTIFICATE_ID_LEN};
use crate::tx::{check_text, field, FormError, MAX_NAME_LEN, MAX_REASON_LEN};

/// Longest unit or region code.
pub const MAX_CODE_LEN: usize = 32;
/// Most grade thresholds of a rule.
pub const MAX_GRADE_THRESHOLDS: usize = 9;

/// A factor record's fields.
pub fn check_factor(f: &FactorRecord) -> Result<(), FormError> {
    f.reference.check().map_err(|p| field("factor.ref", p))?;
    check_text("factor.name", &f.name, MAX_NAME_LEN, false)?;
    check_text("factor.unit", &f.unit, MAX_CODE_LEN, false)?;
    check_text("factor.region", &f.region, MAX_CODE_LEN, false)?;
    check_text("factor.source", &f.source, MAX_REASON_LEN, false)?;
    check_text("factor.notes", &f.notes, MAX_REASON_LEN, true)?;
    if f.valid_from >= f.valid_until {
        return Err(field("factor.valid_until", "must be after valid_from"));
    }
    for c in Category::ALL {
        let v = f.values.get(c);
        if c.is_removal() && v > 0 {
            return Err(field("factor.values", "biogenic_removals must be ≤ 0"));
        }
        if !c.is_removal() && v < 0 {
            return Err(field(
                "factor.values",
                format!("{} must be ≥ 0", c.as_str()),
            ));
        }
    }
    if !f.dqr.is_valid() {
        return Err(field("factor.dqr", "ratings must be 1..=5"));
    }
    if f.supersedes
        .is_some_and(|v| v == 0 || v >= f.reference.version)
    {
        return Err(field("factor.supersedes", "must be an earlier version"));
    }
    Ok(())
}

/// A product rule's fields.
pub fn check_rule(r: &ProductRule) -> Result<(), FormError> {
    r.reference.check().map_err(|p| field("rule.ref", p))?;
    check_text("rule.name", &r.name, MAX_NAME_LEN, false)?;
    check_text("rule.category", &r.category, MAX_NAME_LEN, false)?;
    if !r.category.to_ascii_lowercase().starts_with("urn:") {
        return Err(field(
            "rule.category",
            "must be a URN such as urn:cpc:45220",
        ));
    }
    check_text("rule.declared_unit", &r.declared_unit, MAX_CODE_LEN, false)?;
    check_text(
        "rule.reference_document",
        &r.reference_document,
        MAX_REASON_LEN,
        false,
    )?;
    let mut stages = r.required_stages.clone();
    stages.sort();
    stages.dedup();
    if stages.len() != r.required_stages.len() {
        return Err(field("rule.required_stages", "a stage is listed twice"));
    }
    if r.cutoff_bp > 10_000 {
        return Err(field("rule.cutoff_bp", "at most 10000 (100 %)"));
    }
    let t = &r.grade_thresholds_mg;
    if t.is_empty() || t.len() > MAX_GRADE_THRESHOLDS {
        return Err(field(
            "rule.grade_thresholds_mg",
            format!("1..={MAX_GRADE_THRESHOLDS} thresholds"),
        ));
    }
    if t[0] < 0 || t.windows(2).any(|w| w[0] >= w[1]) {
        return Err(field(
            "rule.grade_thresholds_mg",
            "must be non-negative and strictly ascending",
        ));
    }
    if r.supersedes
        .is_some_and(|v| v == 0 || v >= r.reference.version)
    {
        return Err(field("rule.supersedes", "must be an earlier version"));
    }
    Ok(())
}

/// Certificate ids: letters, digits, `-`, `_`, `.`; 1..=64 characters.
pub fn check_certificate_id(id: &str) -> Result<(), FormError> {
    if id.is_empty()
        || id.len() > MAX_CERTIFICATE_ID_LEN
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(field(
            "certificate.id",
            format!(
                "{id:.80?} must be 1..={MAX_CERTIFICATE_ID_LEN} letters, digits, '-', '_' or '.'"
            ),
        ));
    }
    Ok(())
}

/// A certificate's fields.
pub fn check_certificate(c: &Certificate) -> Result<(), FormError> {
    check_certificate_id(&c.id)?;
    c.rule.check().map_err(|p| field("certificate.rule", p))?;
    check_text("certificate.scope", &c.scope, MAX_REASON_LEN, false)?;
    if c.valid_from >= c.valid_until {
        return Err(field("certificate.valid_until", "must be after valid_from"));
    }
    if c.grade == 0 {
        return Err(field("certificate.grade", "grades start at 1"));
    }
    Ok(())
}
