//! From ledger records to PACT documents.
//!
//! A PACT document about an attestation is a pure function of ledger
//! records: the attestation (its transaction), its author's registration,
//! the product rule it follows, the factor versions it pins and the
//! certificate issued on it. [`RecordSet`] holds exactly those; a node fills
//! it from its state, an offline verifier from the entries of a proof
//! bundle, and both call [`v3`] / [`v2`], so a served document can be
//! recomputed and compared field by field (see [`crate::verify`]).
//!
//! Figures are the ledger's integers written as exact decimal strings
//! (milligrams → kilograms is a shift of six decimal places), never via
//! floating point. `docs/pact.md` documents every field.

pub mod figures;
mod v2;
mod v3;

pub use figures::Figures;
pub use v2::v2;
pub use v3::v3;

use tanji_ledger::carbon::{
    Boundary, CertificateState, CertificateStatus, FactorRecord, FootprintState, ProductRule,
    RecordStatus, Stage,
};
use tanji_ledger::tx::OrgRecord;

use crate::id::pf_id;

/// The ledger records a PACT document is made from: what a node reads from
/// its state ([`crate::source::collect`]) and a verifier rebuilds from a
/// proof ([`crate::proof`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordSet {
    /// The attestation, its author, id and status.
    pub footprint: FootprintState,
    /// The author's registration.
    pub author: OrgRecord,
    /// The product rule the attestation follows and its publisher's registration.
    pub rule: Option<(ProductRule, OrgRecord)>,
    /// The factor versions the inputs pin, each once.
    pub factors: Vec<FactorRecord>,
    /// A certificate issued on it and its issuer's registration.
    pub certificate: Option<(CertificateState, OrgRecord)>,
}

/// Why an attestation has no PACT document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// Hidden and its figures not published: nothing may be disclosed.
    /// The footprint was declared by another party (an imported PACT
    /// document): its document is the partner's, not this ledger's to serve.
    #[error("footprint {0} is declared by another party (imported), not this ledger's to serve")]
    Declared(String),
    #[error("footprint {0} is hidden and its figures are not published")]
    Hidden(String),
    /// The declared unit is not one the spec version names, and the product
    /// has no mass to state the footprint per kilogram instead.
    #[error("declared unit {unit:?} has no PACT v{version} name and the product mass is zero")]
    Unit {
        /// The attestation's declared unit.
        unit: String,
        /// The PACT version.
        version: u8,
    },
}

/// Declared units PACT v3.0 names: exactly those an attestation may use.
pub const V3_UNITS: &[&str] = &tanji_ledger::carbon::compute::DECLARED_UNITS;

/// Declared units PACT v2.3 names: v3's first seven (no `piece`, `hour`,
/// `megabit second`).
pub const V2_UNITS: &[&str] = V3_UNITS.split_at(7).0;

/// The declared unit as a document states it, and the figures per that unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    /// The unit's PACT name.
    pub unit: String,
    /// Declared units in the product (decimal).
    pub amount: String,
    /// kg of product per declared unit (decimal).
    pub mass: String,
    /// The figures per declared unit.
    pub figures: Figures,
    /// PACT carbon content (kg C per declared unit, as written).
    pub carbon: CarbonContent,
}

impl RecordSet {
    /// Whether PACT may show the figures: public and committed attestations
    /// always, hidden ones only when their author published the figures.
    pub fn check_disclosable(&self) -> Result<(), MapError> {
        let privacy = &self.footprint.attestation.privacy;
        if privacy.declared().is_some() {
            return Err(MapError::Declared(self.footprint.id.to_hex()));
        }
        match privacy.hidden() {
            Some(h) if h.published.is_none() => Err(MapError::Hidden(self.footprint.id.to_hex())),
            _ => Ok(()),
        }
    }

    /// The PACT id.
    pub fn pf_id(&self) -> String {
        pf_id(&self.footprint.id).to_string()
    }

    /// `precedingPfIds`: the attestation it supersedes.
    pub fn preceding_pf_ids(&self) -> Option<Vec<String>> {
        self.footprint
            .attestation
            .supersedes
            .map(|s| vec![pf_id(&s).to_string()])
    }

    /// `Active`, or `Deprecated` once superseded or revoked.
    pub fn status(&self) -> &'static str {
        match self.footprint.status {
            RecordStatus::Active => "Active",
            _ => "Deprecated",
        }
    }

    /// Why it is deprecated, if it is.
    pub fn status_comment(&self) -> Option<String> {
        match &self.footprint.status {
            RecordStatus::Active => None,
            RecordStatus::Deprecated { by, at } => Some(format!(
                "Superseded by {} (ledger entry {at})",
                by.parse::<tanji_ledger::TxId>()
                    .map(|id| pf_id(&id).to_string())
                    .unwrap_or_else(|_| by.clone())
            )),
            RecordStatus::Revoked { reason, at } => Some(format!(
                "Revoked by its author or a regulator (ledger entry {at}): {reason}"
            )),
        }
    }

    /// `created`: the end of the reference period. The ledger records the
    /// order of entries, not wall-clock time, so the one instant every
    /// verifier can recompute from the attestation is used (docs/pact.md).
    pub fn created(&self) -> String {
        timestamp(self.footprint.attestation.period_end)
    }

    /// `companyIds`: the registered company id (a URN) and the ledger's
    /// organisation id as `urn:tanji:org:<hex>`.
    pub fn company_ids(&self) -> Vec<String> {
        vec![
            self.author.company_id.clone(),
            format!("urn:tanji:org:{}", self.footprint.author.to_hex()),
        ]
    }

    /// `productClassifications`: the product category, when it is a URN.
    pub fn classifications(&self) -> Option<Vec<String>> {
        let c = &self.footprint.attestation.product.category;
        c.to_ascii_lowercase()
            .starts_with("urn:")
            .then(|| vec![c.clone()])
    }

    /// `comment`: where the statement lives.
    pub fn comment(&self) -> String {
        format!(
            "Attested on the Tanji ledger as transaction {} (log index {}); {} footprint{}",
            self.footprint.id.to_hex(),
            self.footprint.at,
            self.footprint.attestation.privacy.level(),
            if self.footprint.attestation.product.carbon.is_some() {
                "."
            } else {
                "; product carbon content not declared (written as 0)."
            }
        )
    }

    /// `boundaryProcessesDescription`: the boundary and the stages with inputs.
    pub fn boundary_description(&self) -> String {
        let a = &self.footprint.attestation;
        let mut stages: Vec<&str> = Stage::ALL
            .into_iter()
            .filter(|s| a.inputs.iter().any(|i| i.stage == *s))
            .map(Stage::as_str)
            .collect();
        stages.dedup();
        let boundary = match a.boundary {
            Boundary::CradleToGate => "Cradle-to-gate",
            Boundary::CradleToGrave => "Cradle-to-grave",
        };
        format!(
            "{boundary}; life-cycle stages with inputs: {}",
            stages.join(", ")
        )
    }

    /// Whether any input is packaging.
    pub fn packaging_included(&self) -> bool {
        self.footprint
            .attestation
            .inputs
            .iter()
            .any(|i| i.packaging)
    }

    /// The declared unit in a version whose unit names are `names`: the
    /// attestation's own when the version names it; otherwise kilograms of
    /// product, with the figures per kilogram ([`Figures::per_kilogram`]) and
    /// the product's mass as the amount (how PACT v2 states per-piece
    /// products). docs/pact.md, "Declared unit".
    pub fn declared(&self, names: &[&str], version: u8) -> Result<Declared, MapError> {
        let a = &self.footprint.attestation;
        let figures = Figures::of(&a.results);
        if names.contains(&a.declared_unit.as_str()) {
            return Ok(Declared {
                unit: a.declared_unit.clone(),
                amount: tanji_ledger::carbon::units::format_micro(a.declared_unit_amount),
                mass: figures::kg(i128::from(a.product.mass_mg)),
                figures,
                carbon: self.carbon_content(|mg| mg),
            });
        }
        let per_kg = figures
            .per_kilogram(a.product.mass_mg)
            .ok_or_else(|| MapError::Unit {
                unit: a.declared_unit.clone(),
                version,
            })?;
        // The product's mass in kg: mass per declared unit × declared units.
        let total_mass = i128::from(a.product.mass_mg) * i128::from(a.declared_unit_amount);
        Ok(Declared {
            unit: "kilogram".into(),
            amount: tanji_ledger::carbon::units::format_decimal(total_mass, 12),
            mass: "1".into(),
            figures: per_kg,
            carbon: self.carbon_content(|mg| figures::per_kilogram(mg, a.product.mass_mg)),
        })
    }

    /// `packagingGhgEmissions`: the packaging share when packaging is
    /// included and the share is not negative (PACT allows only ≥ 0; a net
    /// removal by packaging stays in the totals and is not broken out).
    pub fn packaging_figure(&self, f: &Figures) -> Option<String> {
        (self.packaging_included() && f.packaging >= 0)
            .then(|| figures::kg(i128::from(f.packaging)))
    }

    /// `exemptedEmissionsPercent` and its description: the rule's cut-off
    /// is the most that may have been left out; without a rule, nothing was
    /// (an attestation lists every input it accounts for).
    pub fn exempted(&self) -> (i128, String) {
        match &self.rule {
            Some((rule, _)) => (
                i128::from(rule.cutoff_bp),
                format!(
                    "At most the cut-off of product rule {} ({} %); every input accounted for is listed in the attestation.",
                    rule.reference,
                    tanji_ledger::carbon::units::format_decimal(i128::from(rule.cutoff_bp), 2)
                ),
            ),
            None => (
                0,
                "No cut-off applied: every input accounted for is listed in the attestation."
                    .to_string(),
            ),
        }
    }

    /// `secondaryEmissionFactorSources`: each pinned factor's source, once,
    /// with the factor version as the version.
    pub fn secondary_sources(&self) -> Option<Vec<crate::model::EmissionFactorSource>> {
        let mut out: Vec<crate::model::EmissionFactorSource> = self
            .factors
            .iter()
            .map(|f| crate::model::EmissionFactorSource {
                name: f.source.clone(),
                version: f.reference.to_string(),
            })
            .collect();
        out.sort();
        out.dedup();
        (!out.is_empty()).then_some(out)
    }

    /// `productOrSectorSpecificRules`: the ledger's product rule.
    pub fn rules(&self) -> Option<Vec<crate::model::ProductOrSectorSpecificRule>> {
        let (rule, publisher) = self.rule.as_ref()?;
        let mut names = vec![format!("{} ({})", rule.name, rule.reference)];
        if !rule.reference_document.is_empty() {
            names.push(rule.reference_document.clone());
        }
        Some(vec![crate::model::ProductOrSectorSpecificRule {
            operator: "Other".into(),
            rule_names: names,
            other_operator_name: Some(publisher.name.clone()),
        }])
    }

    /// `productDescription`: name, declared unit and boundary.
    pub fn product_description(&self) -> String {
        let a = &self.footprint.attestation;
        format!(
            "{}: carbon footprint per {} {}, {}",
            a.product.name,
            tanji_ledger::carbon::units::format_micro(a.declared_unit_amount),
            a.declared_unit,
            match a.boundary {
                Boundary::CradleToGate => "cradle to gate",
                Boundary::CradleToGrave => "cradle to grave",
            }
        )
    }

    /// Carbon content of the product as its producer stated it, each value
    /// through `scale` (per kilogram when the version cannot name the
    /// declared unit). A product without a statement is written `0` (PACT
    /// makes the field mandatory and has no "unknown") and
    /// [`RecordSet::comment`] says it was not declared.
    pub fn carbon_content(&self, scale: impl Fn(i64) -> i64) -> CarbonContent {
        let written =
            |mg: u64| figures::kg(i128::from(scale(i64::try_from(mg).unwrap_or(i64::MAX))));
        match &self.footprint.attestation.product.carbon {
            Some(c) => CarbonContent {
                fossil: written(c.fossil_mg),
                biogenic: c.biogenic_mg.map(written),
            },
            None => CarbonContent {
                fossil: "0".into(),
                biogenic: None,
            },
        }
    }

    /// The certificate's number, grade, rule and validity, for
    /// `verification.comments` / `assurance.comments`.
    pub fn certificate_comment(&self, c: &CertificateState) -> String {
        let cert = &c.certificate;
        format!(
            "Carbon label certificate {}: grade {} under product rule {}, valid {} to {} (exclusive); ledger entry {}.",
            cert.id, cert.grade, cert.rule, cert.valid_from, cert.valid_until, c.issued_at
        )
    }

    /// The certificate, if one is active.
    pub fn active_certificate(&self) -> Option<(&CertificateState, &OrgRecord)> {
        self.certificate
            .as_ref()
            .filter(|(c, _)| matches!(c.status, CertificateStatus::Active))
            .map(|(c, issuer)| (c, issuer))
    }
}

/// `fossilCarbonContent` and `biogenicCarbonContent`, kgC per declared unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarbonContent {
    /// Fossil carbon.
    pub fossil: String,
    /// Biogenic carbon, when stated.
    pub biogenic: Option<String>,
}

/// A date as a PACT timestamp (midnight UTC, `Z` form).
pub fn timestamp(date: tanji_ledger::carbon::Date) -> String {
    format!("{date}T00:00:00Z")
}

/// The RFC 3339 `Z` timestamp of `secs` since 1970-01-01T00:00:00Z.
pub fn timestamp_secs(secs: u64) -> String {
    let days = i32::try_from(secs / 86_400).unwrap_or(i32::MAX);
    let rest = secs % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        tanji_ledger::carbon::Date(days),
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Geography as PACT writes it: one of region, country or subdivision, or
/// none for global.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Geography {
    /// UN M49 region or subregion.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// ISO 3166-2.
    pub subdivision: Option<String>,
}

/// The 22 UN M49 regions and subregions PACT accepts.
pub const REGIONS: [&str; 22] = [
    "Africa",
    "Americas",
    "Asia",
    "Europe",
    "Oceania",
    "Australia and New Zealand",
    "Central Asia",
    "Eastern Asia",
    "Eastern Europe",
    "Latin America and the Caribbean",
    "Melanesia",
    "Micronesia",
    "Northern Africa",
    "Northern America",
    "Northern Europe",
    "Polynesia",
    "South-eastern Asia",
    "Southern Asia",
    "Southern Europe",
    "Sub-Saharan Africa",
    "Western Asia",
    "Western Europe",
];

impl Geography {
    /// Classifies the attestation's geography: `CN` is a country, `CN-BJ` a
    /// subdivision, `Eastern Asia` a region; anything else (`GLO`, `global`,
    /// a free-text place) is reported as global.
    pub fn of(text: &str) -> Self {
        let is_upper_alnum = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        };
        if text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase()) {
            return Geography {
                country: Some(text.into()),
                ..Default::default()
            };
        }
        if let Some((c, sub)) = text.split_once('-') {
            if c.len() == 2
                && c.bytes().all(|b| b.is_ascii_uppercase())
                && (1..=3).contains(&sub.len())
                && is_upper_alnum(sub)
            {
                return Geography {
                    subdivision: Some(text.into()),
                    ..Default::default()
                };
            }
        }
        if REGIONS.contains(&text) {
            return Geography {
                region: Some(text.into()),
                ..Default::default()
            };
        }
        Geography::default()
    }
}
