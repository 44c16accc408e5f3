//! The ledger's rules for strings people write: human-readable text fields
//! and key names. Every check of such a field (transaction forms, factor,
//! rule and certificate records, attestations, signed notes, and the
//! authoring tools that build them) calls these functions, so a string one
//! part accepts is accepted by all.
//!
//! Each function returns a [`TextProblem`] without a field name; callers wrap
//! it in their own error with the field they checked.

/// Why a string breaks [`check_text`] or [`check_key_name`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    /// Longer than allowed, in bytes.
    #[error("{len} bytes, more than {max}")]
    TooLong {
        /// Length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Empty or only white space.
    #[error("must not be empty")]
    Empty,
    /// Contains a control character (`char::is_control`: C0, DEL, C1).
    #[error("must not contain control characters")]
    Control,
    /// Not a key name (see [`check_key_name`]).
    #[error("{0:?} must be 1..={MAX_KEY_NAME_LEN} printable ASCII bytes without spaces or '+'")]
    KeyName(String),
}

/// Longest key name (as long as a network name).
pub const MAX_KEY_NAME_LEN: usize = 64;

/// A human-readable text field: at most `max` bytes of UTF-8; no control
/// characters (`char::is_control`: U+0000–U+001F, U+007F–U+009F, so no line
/// breaks or tabs); any other character allowed, including non-ASCII and
/// white space; and unless `allow_empty`, not empty or white space only
/// (Unicode `char::is_whitespace`). Checked in that order: length first.
pub fn check_text(s: &str, max: usize, allow_empty: bool) -> Result<(), TextProblem> {
    if s.len() > max {
        return Err(TextProblem::TooLong { len: s.len(), max });
    }
    if !allow_empty && s.trim().is_empty() {
        return Err(TextProblem::Empty);
    }
    if s.chars().any(char::is_control) {
        return Err(TextProblem::Control);
    }
    Ok(())
}

/// A key name: the name a validator, observer or witness key signs checkpoint
/// notes under (C2SP signed-note signature lines and verifier keys), and the
/// name of a node. 1..=[`MAX_KEY_NAME_LEN`] bytes, each printable ASCII
/// (`!`..=`~`) other than `+`: no spaces, no control or non-ASCII characters.
pub fn check_key_name(s: &str) -> Result<(), TextProblem> {
    if s.is_empty()
        || s.len() > MAX_KEY_NAME_LEN
        || !s.bytes().all(|b| b.is_ascii_graphic() && b != b'+')
    {
        return Err(TextProblem::KeyName(s.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rule() {
        assert_eq!(check_text("碳迹 Tanji", 32, false), Ok(()));
        assert_eq!(check_text("", 32, true), Ok(()));
        assert_eq!(check_text("", 32, false), Err(TextProblem::Empty));
        assert_eq!(check_text(" \u{3000}", 32, false), Err(TextProblem::Empty));
        assert_eq!(check_text("a\nb", 32, true), Err(TextProblem::Control));
        assert_eq!(check_text("a\u{85}b", 32, true), Err(TextProblem::Control));
        assert_eq!(
            check_text("abcd", 3, false),
            Err(TextProblem::TooLong { len: 4, max: 3 })
        );
        // Length is checked first.
        assert_eq!(
            check_text("    ", 3, false),
            Err(TextProblem::TooLong { len: 4, max: 3 })
        );
        assert_eq!(
            TextProblem::TooLong { len: 4, max: 3 }.to_string(),
            "4 bytes, more than 3"
        );
    }

    #[test]
    fn key_name_rule() {
        for ok in ["validator-0", "witness.example/1", &"a".repeat(64)] {
            assert_eq!(check_key_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", "a b", "a+b", "验证", "a\tb", &"a".repeat(65)] {
            assert!(check_key_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_key_name("a b").unwrap_err().to_string(),
            "\"a b\" must be 1..=64 printable ASCII bytes without spaces or '+'"
        );
    }
}
