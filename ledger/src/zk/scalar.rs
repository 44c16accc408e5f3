//! Integers to scalars, and fresh random scalars.

use curve25519_dalek_bp::scalar::Scalar;

/// `v mod ℓ` for a signed 64-bit value (a negative `v` is `ℓ − |v|`).
pub(crate) fn from_i64(v: i64) -> Scalar {
    from_i128(i128::from(v))
}

/// `v mod ℓ` for a signed 128-bit value.
pub(crate) fn from_i128(v: i128) -> Scalar {
    let s = Scalar::from(v.unsigned_abs());
    if v < 0 {
        -s
    } else {
        s
    }
}

/// A uniformly random scalar from the operating system's generator
/// (64 bytes reduced modulo ℓ, so the bias is below 2⁻²⁵⁰).
pub(crate) fn random() -> Result<Scalar, getrandom::Error> {
    let mut wide = zeroize::Zeroizing::new([0u8; 64]);
    getrandom::fill(wide.as_mut())?;
    Ok(Scalar::from_bytes_mod_order_wide(&wide))
}

/// A canonical scalar from 32 bytes, or `None`.
pub(crate) fn from_canonical(bytes: [u8; 32]) -> Option<Scalar> {
    Option::from(Scalar::from_canonical_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_values_map_to_their_residues() {
        assert_eq!(from_i64(0), Scalar::ZERO);
        assert_eq!(from_i64(5), Scalar::from(5u64));
        assert_eq!(from_i64(-5) + Scalar::from(5u64), Scalar::ZERO);
        assert_eq!(from_i64(i64::MIN), -Scalar::from(1u64 << 63));
        assert_eq!(
            from_i128(-(1i128 << 100)) + from_i128(1i128 << 100),
            Scalar::ZERO
        );
        assert_ne!(random().unwrap(), random().unwrap());
    }
}
