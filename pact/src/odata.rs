//! The PACT v2 `$filter` subset (OData v4) for ListFootprints.
//!
//! PACT v2.3 §6.6.1 lists what a host may support, and this is all of it:
//!
//! - comparisons `FIELD OP 'literal'` with `OP` one of `eq lt le gt ge` on
//!   `created`, `updated`, `productCategoryCpc`, `pcf/geographyCountry`,
//!   `pcf/referencePeriodStart`, `pcf/referencePeriodEnd`;
//! - `companyIds/any(x:(x eq 'urn:…'))` and the same on `productIds`;
//! - `and`, and parentheses.
//!
//! Timestamps compare as instants (so `…T00:00:00.000Z` equals
//! `…T00:00:00Z`); the other fields compare as text. A document without the
//! field (no `updated`, no country) matches no comparison on it. Anything
//! else (`or`, `not`, functions, other fields) is [`ODataError`], which the
//! host answers with `NotImplemented` rather than ignoring the filter and
//! serving the wrong set.

use crate::filter::parse_timestamp;
use crate::model::v2::ProductFootprint;

/// Longest `$filter` accepted.
pub const MAX_FILTER_LEN: usize = 2048;
/// Deepest nesting of parentheses accepted.
const MAX_DEPTH: usize = 16;

/// A `$filter` outside the supported subset, or malformed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("$filter: {0}")]
pub struct ODataError(pub String);

fn err<T>(m: impl Into<String>) -> Result<T, ODataError> {
    Err(ODataError(m.into()))
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A field a comparison may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Created,
    Updated,
    Cpc,
    Country,
    PeriodStart,
    PeriodEnd,
}

impl Field {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "created" => Field::Created,
            "updated" => Field::Updated,
            "productCategoryCpc" => Field::Cpc,
            "pcf/geographyCountry" => Field::Country,
            "pcf/referencePeriodStart" => Field::PeriodStart,
            "pcf/referencePeriodEnd" => Field::PeriodEnd,
            _ => return None,
        })
    }

    fn is_time(self) -> bool {
        matches!(
            self,
            Field::Created | Field::Updated | Field::PeriodStart | Field::PeriodEnd
        )
    }

    fn value(self, doc: &ProductFootprint) -> Option<&str> {
        match self {
            Field::Created => Some(&doc.created),
            Field::Updated => doc.updated.as_deref(),
            Field::Cpc => Some(&doc.product_category_cpc),
            Field::Country => doc.pcf.geography_country.as_deref(),
            Field::PeriodStart => Some(&doc.pcf.reference_period_start),
            Field::PeriodEnd => Some(&doc.pcf.reference_period_end),
        }
    }
}

/// One condition; a filter is their conjunction.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Condition {
    Compare(Field, Op, String),
    CompanyId(String),
    ProductId(String),
}

/// A parsed `$filter`: every condition must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ODataFilter {
    conditions: Vec<Condition>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Colon,
}

fn tokens(s: &str) -> Result<Vec<Token>, ODataError> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ':' => {
                chars.next();
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Colon,
                });
            }
            '\'' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        None => return err("unterminated string literal"),
                        // '' is a quote inside a literal.
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            text.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => text.push(c),
                    }
                }
                out.push(Token::Text(text));
            }
            c if c.is_ascii_alphanumeric() || c == '/' || c == '_' => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_ascii_alphanumeric() || c == '/' || c == '_' {
                        word.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Token::Word(word));
            }
            c => return err(format!("unexpected character {c:?}")),
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    out: Vec<Condition>,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn expect(&mut self, want: Token, what: &str) -> Result<(), ODataError> {
        match self.next() {
            Some(t) if t == want => Ok(()),
            _ => err(format!("expected {what}")),
        }
    }

    fn text(&mut self) -> Result<String, ODataError> {
        match self.next() {
            Some(Token::Text(t)) => Ok(t),
            _ => err("expected a quoted literal"),
        }
    }

    /// expr := term ('and' term)*
    fn expr(&mut self, depth: usize) -> Result<(), ODataError> {
        if depth > MAX_DEPTH {
            return err("nested too deeply");
        }
        self.term(depth)?;
        while matches!(self.peek(), Some(Token::Word(w)) if w == "and") {
            self.at += 1;
            self.term(depth)?;
        }
        Ok(())
    }

    /// term := '(' expr ')' | FIELD OP 'text' | (companyIds|productIds)/any(v:(v eq 'text'))
    fn term(&mut self, depth: usize) -> Result<(), ODataError> {
        match self.next() {
            Some(Token::Open) => {
                self.expr(depth + 1)?;
                self.expect(Token::Close, "')'")
            }
            Some(Token::Word(w)) => {
                if let Some(list) = w.strip_suffix("/any") {
                    return self.any(list, depth);
                }
                let Some(field) = Field::parse(&w) else {
                    return err(format!(
                        "{w:?} is not a filterable field (created, updated, productCategoryCpc, pcf/geographyCountry, pcf/referencePeriodStart, pcf/referencePeriodEnd, companyIds/any, productIds/any)"
                    ));
                };
                let op = match self.next() {
                    Some(Token::Word(o)) => match o.as_str() {
                        "eq" => Op::Eq,
                        "lt" => Op::Lt,
                        "le" => Op::Le,
                        "gt" => Op::Gt,
                        "ge" => Op::Ge,
                        other => {
                            return err(format!(
                                "operator {other:?} is not supported (eq, lt, le, gt, ge)"
                            ))
                        }
                    },
                    _ => return err(format!("expected an operator after {w}")),
                };
                let value = self.text()?;
                if field.is_time() && parse_timestamp(&value).is_none() {
                    return err(format!("{value:?} is not an RFC 3339 timestamp"));
                }
                self.out.push(Condition::Compare(field, op, value));
                Ok(())
            }
            _ => err("expected a condition"),
        }
    }

    /// `LIST/any(v:(v eq 'text'))`, inner parentheses optional.
    fn any(&mut self, list: &str, depth: usize) -> Result<(), ODataError> {
        let is_company = match list {
            "companyIds" => true,
            "productIds" => false,
            other => {
                return err(format!(
                    "any() on {other:?}: only companyIds and productIds"
                ))
            }
        };
        self.expect(Token::Open, "'(' after any")?;
        let var = match self.next() {
            Some(Token::Word(v)) => v,
            _ => return err("expected a lambda variable"),
        };
        self.expect(Token::Colon, "':' after the lambda variable")?;
        let mut opened = 0;
        while self.peek() == Some(&Token::Open) && opened <= depth + MAX_DEPTH {
            self.at += 1;
            opened += 1;
        }
        match self.next() {
            Some(Token::Word(v)) if v == var => {}
            _ => return err(format!("expected {var} eq '…' inside any()")),
        }
        match self.next() {
            Some(Token::Word(o)) if o == "eq" => {}
            _ => return err("only eq is supported inside any()"),
        }
        let value = self.text()?;
        for _ in 0..opened {
            self.expect(Token::Close, "')'")?;
        }
        self.expect(Token::Close, "')' closing any(")?;
        self.out.push(if is_company {
            Condition::CompanyId(value)
        } else {
            Condition::ProductId(value)
        });
        Ok(())
    }
}

impl ODataFilter {
    /// Parses a `$filter` value (already percent-decoded).
    pub fn parse(s: &str) -> Result<Self, ODataError> {
        if s.len() > MAX_FILTER_LEN {
            return err(format!("longer than {MAX_FILTER_LEN} bytes"));
        }
        let mut p = Parser {
            tokens: tokens(s)?,
            at: 0,
            out: Vec::new(),
        };
        p.expr(0)?;
        if p.at != p.tokens.len() {
            return err("unexpected text after the condition (only `and` combines conditions)");
        }
        Ok(Self { conditions: p.out })
    }

    /// Whether `doc` meets every condition.
    pub fn matches(&self, doc: &ProductFootprint) -> bool {
        self.conditions.iter().all(|c| match c {
            Condition::CompanyId(id) => doc.company_ids.iter().any(|c| c.eq_ignore_ascii_case(id)),
            Condition::ProductId(id) => doc.product_ids.iter().any(|p| p.eq_ignore_ascii_case(id)),
            Condition::Compare(field, op, value) => {
                let Some(have) = field.value(doc) else {
                    return false;
                };
                let order = if field.is_time() {
                    match (parse_timestamp(have), parse_timestamp(value)) {
                        (Some(a), Some(b)) => a.cmp(&b),
                        _ => return false,
                    }
                } else {
                    have.cmp(value.as_str())
                };
                match op {
                    Op::Eq => order.is_eq(),
                    Op::Lt => order.is_lt(),
                    Op::Le => order.is_le(),
                    Op::Gt => order.is_gt(),
                    Op::Ge => order.is_ge(),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_examples() {
        for f in [
            "productCategoryCpc eq '3342'",
            "pcf/geographyCountry eq 'DE'",
            "(pcf/referencePeriodStart ge '2023-01-01T00:00:00.000Z') and (pcf/referencePeriodEnd lt '2024-01-01T00:00:00.000Z')",
            "productIds/any(productId:(productId eq 'urn:gtin:4712345060507'))",
            "companyIds/any(c: c eq 'urn:uscc:91110108MA0DEMO003') and created le '2030-01-01T00:00:00Z'",
            "productCategoryCpc eq 'it''s'",
        ] {
            ODataFilter::parse(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        }
        assert_eq!(
            ODataFilter::parse("productCategoryCpc eq 'it''s'")
                .expect("parse")
                .conditions,
            vec![Condition::Compare(Field::Cpc, Op::Eq, "it's".into())]
        );
    }

    #[test]
    fn refuses_what_is_outside_the_subset() {
        for f in [
            "",
            "productCategoryCpc",
            "productCategoryCpc ne '1'",
            "productCategoryCpc eq '1' or created eq '2020-01-01T00:00:00Z'",
            "not (productCategoryCpc eq '1')",
            "companyName eq 'x'",
            "created eq 'yesterday'",
            "productIds/all(p:(p eq 'x'))",
            "productIds/any(p:(q eq 'x'))",
            "(productCategoryCpc eq '1'",
            "productCategoryCpc eq 'open",
            "productCategoryCpc eq '1' ;",
            &"(".repeat(40),
            &"x".repeat(MAX_FILTER_LEN + 1),
        ] {
            assert!(ODataFilter::parse(f).is_err(), "{f:?}");
        }
    }

    proptest::proptest! {
        /// Never panics, whatever the input.
        #[test]
        fn parse_never_panics(s in "[ -~]{0,200}") {
            let _ = ODataFilter::parse(&s);
        }
    }
}
