//! # tanji-authoring
//!
//! What people use to write ledger records and to look at them, but what
//! nodes and verifiers need not agree on: every record built here is signed
//! and then checked by [`tanji_ledger`]'s own rules, so a bug here can produce
//! a record the ledger refuses, never one it wrongly accepts.
//!
//! - [`csv_import`]: factor spreadsheets (CSV) to factor records, with the
//!   datasets' rules in a mapping table.
//! - [`model`]: footprint model files (TOML/JSON) to attestations, public,
//!   committed or hidden.
//! - [`rule_file`]: product rule files (TOML) to product rules.
//! - [`anomaly`]: robust statistics over reported footprints for regulators
//!   (floating point; flags figures, decides nothing).

pub mod anomaly;
pub mod csv_import;
pub mod model;
pub mod rule_file;
