//! Integer query parameters as the document declares them.
//!
//! OpenAPI integers are `int64`: a log position in a query is declared with
//! `minimum: 0` and `maximum: i64::MAX`, and these deserializers refuse what
//! the declaration excludes, so the server accepts exactly what the document
//! says it accepts (no log comes near 2^63 entries).

use serde::{Deserialize, Deserializer};

/// The largest integer a query parameter may hold (`i64::MAX`).
pub const MAX_QUERY_INT: u64 = i64::MAX as u64;

fn check<E: serde::de::Error>(v: u64) -> Result<u64, E> {
    if v > MAX_QUERY_INT {
        return Err(E::custom(format!("{v} is larger than {MAX_QUERY_INT}")));
    }
    Ok(v)
}

/// A `u64` of at most [`MAX_QUERY_INT`].
pub fn position<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    check(u64::deserialize(d)?)
}

/// An optional `u64` of at most [`MAX_QUERY_INT`].
pub fn opt_position<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Option::<u64>::deserialize(d)?.map(check).transpose()
}
