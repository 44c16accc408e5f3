//! Emission factors: the national factor database's records (因子数据库).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use super::{Date, Dqr, Gwp, PerCategory, RecordRef};

/// One version of an emission factor, as published and signed by a
/// `factor-publisher`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FactorRecord {
    /// Id and version (`cn_elec_cfp_2023@1`).
    #[serde(rename = "ref")]
    pub reference: RecordRef,
    /// What it is, e.g. "China national electricity carbon-footprint factor 2023 (life cycle)".
    pub name: String,
    /// Activity unit the factor applies to, e.g. `kWh`, `MWh`, `TJ`, `kg`, `t·km`.
    pub unit: String,
    /// Micrograms CO2e per activity unit, per GHG category (biogenic removals ≤ 0).
    pub values: PerCategory,
    /// GWP set used to express non-CO2 gases as CO2e; `None` for CO2-only factors,
    /// which are valid under any set.
    pub gwp: Option<Gwp>,
    /// ISO 3166-1/-2 code (`CN`, `CN-BJ`), a grid region (`CN-NORTH`), or `GLO`.
    pub region: String,
    /// First day the factor may be used for (a footprint's reference period start).
    pub valid_from: Date,
    /// First day it may no longer be used for (exclusive).
    pub valid_until: Date,
    /// Publisher of the underlying figure, e.g. "MEE+NBS+NEA announcement 2025-01-17".
    pub source: String,
    /// Scope and notes, e.g. "life-cycle (use for PCF)".
    pub notes: String,
    /// Data-quality ratings.
    pub dqr: Dqr,
    /// The earlier version of the same id this one replaces (deprecating it).
    pub supersedes: Option<u32>,
}
