//! `id@version` references to versioned records (factors, product rules).

use std::fmt;
use std::str::FromStr;

use borsh::{BorshDeserialize, BorshSerialize};

/// Longest record id.
pub const MAX_RECORD_ID_LEN: usize = 96;

/// A versioned record, written `id@version` (e.g. `cn_elec_cfp_2023@1`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct RecordRef {
    /// Record id: ASCII letters, digits, `_`, `-`, `.`, `:`.
    pub id: String,
    /// Version, from 1.
    pub version: u32,
}

/// Checks a record id's syntax.
pub fn check_record_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_RECORD_ID_LEN {
        return Err(format!(
            "record id must be 1..={MAX_RECORD_ID_LEN} characters"
        ));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
    {
        return Err(format!(
            "record id {id:?} may contain only letters, digits, '_', '-', '.', ':'"
        ));
    }
    Ok(())
}

impl RecordRef {
    /// A reference.
    pub fn new(id: impl Into<String>, version: u32) -> Self {
        Self {
            id: id.into(),
            version,
        }
    }
    /// Syntax check.
    pub fn check(&self) -> Result<(), String> {
        check_record_id(&self.id)?;
        if self.version == 0 {
            return Err(format!("{self}: versions start at 1"));
        }
        Ok(())
    }
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.id, self.version)
    }
}

impl fmt::Debug for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordRef({self})")
    }
}

impl FromStr for RecordRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, v) = s
            .rsplit_once('@')
            .ok_or_else(|| format!("{s:?} is not id@version"))?;
        let version: u32 = v
            .parse()
            .map_err(|_| format!("{s:?}: version {v:?} is not a number"))?;
        let r = RecordRef::new(id, version);
        r.check()?;
        Ok(r)
    }
}

impl serde::Serialize for RecordRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for RecordRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
