//! Product rules (产品碳足迹核算规则, PCR): what a footprint of a product
//! category must contain and how it is graded (分级).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use super::{RecordRef, Stage};

/// System boundary.
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
#[serde(rename_all = "kebab-case")]
#[borsh(use_discriminant = true)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum Boundary {
    /// Raw materials to the factory gate.
    CradleToGate = 0,
    /// The whole life cycle, including use and end of life.
    CradleToGrave = 1,
}

/// One version of a product rule, published by a regulator.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ProductRule {
    /// Id and version (`pcr-portable-computer@1`).
    #[serde(rename = "ref")]
    pub reference: RecordRef,
    /// Name, e.g. "便携式计算机产品碳足迹核算规则 Portable computers".
    pub name: String,
    /// Product category URN the rule applies to (e.g. `urn:cpc:45220`).
    pub category: String,
    /// Declared unit footprints under this rule use (e.g. `piece`).
    pub declared_unit: String,
    /// Required boundary.
    pub boundary: Boundary,
    /// Stages every footprint must have inputs for.
    pub required_stages: Vec<Stage>,
    /// Cut-off: share of the total that may be left out, in basis points (100 = 1 %).
    pub cutoff_bp: u16,
    /// Grade thresholds in mg CO2e per declared unit, ascending: a total ≤
    /// `thresholds[0]` is grade 1 (best), ≤ `thresholds[1]` grade 2, ..., above
    /// the last, grade `len + 1`.
    pub grade_thresholds_mg: Vec<i64>,
    /// Standard or document the rule comes from.
    pub reference_document: String,
    /// The earlier version of the same id this one replaces.
    pub supersedes: Option<u32>,
}

impl ProductRule {
    /// The grade of a total per declared unit (1 is best).
    pub fn grade(&self, total_mg: i64) -> u8 {
        let above = self
            .grade_thresholds_mg
            .iter()
            .filter(|t| total_mg > **t)
            .count();
        (above + 1).min(u8::MAX as usize) as u8
    }

    /// Number of grades.
    pub fn grades(&self) -> u8 {
        (self.grade_thresholds_mg.len() + 1).min(u8::MAX as usize) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades() {
        let r = ProductRule {
            reference: RecordRef::new("pcr", 1),
            name: "x".into(),
            category: "urn:cpc:45220".into(),
            declared_unit: "piece".into(),
            boundary: Boundary::CradleToGate,
            required_stages: vec![],
            cutoff_bp: 100,
            grade_thresholds_mg: vec![100, 200, 300, 400],
            reference_document: "x".into(),
            supersedes: None,
        };
        assert_eq!(r.grade(0), 1);
        assert_eq!(r.grade(100), 1);
        assert_eq!(r.grade(101), 2);
        assert_eq!(r.grade(400), 4);
        assert_eq!(r.grade(401), 5);
        assert_eq!(r.grades(), 5);
    }
}
