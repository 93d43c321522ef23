//! `?` parameters: binding values into one statement's text as literals
//! (the JavaScript API's `query(sql, params)`; usable natively).

use std::fmt;

use super::lex::{self, Kind};
use super::quote;
use crate::time::Timestamp;

/// A parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// NULL.
    Null,
    /// TRUE / FALSE.
    Bool(bool),
    /// An integer (a JavaScript bigint fits here).
    Int(i128),
    /// A double (a JavaScript number): bound as an integer literal when it
    /// is a whole number below 2^53, else in exponent form.
    Number(f64),
    /// A string.
    Str(String),
    /// A point in time (a JavaScript `Date`), bound as `TIMESTAMP '…'`.
    Time(Timestamp),
}

/// Why parameters could not be bound (the JavaScript API's `BAD_PARAM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError(pub String);

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParamError {}

impl Param {
    /// The parameter as a SQL literal; `i` is its 0-based position (for
    /// the error message).
    fn literal(&self, i: usize) -> Result<String, ParamError> {
        Ok(match self {
            Param::Null => "NULL".into(),
            Param::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Param::Int(n) => n.to_string(),
            Param::Number(n) if !n.is_finite() => {
                return Err(ParamError(format!("parameter {} is {n}, which SQL cannot hold", i + 1)))
            }
            Param::Number(n) if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 => format!("{}", *n as i64),
            // A double in Rust's shortest form that reads back as the same
            // double (a DOUBLE literal: exponent form).
            Param::Number(n) => format!("{n:e}"),
            Param::Str(s) => quote::string(s),
            Param::Time(t) => format!("TIMESTAMP {}", quote::string(&t.to_string())),
        })
    }
}

/// Replaces each `?` placeholder of `sql` (outside string literals, quoted
/// identifiers and comments) with the matching parameter as a literal.
pub fn bind_params(sql: &str, params: &[Param]) -> Result<String, ParamError> {
    let mut out = String::with_capacity(sql.len() + params.len() * 8);
    let mut used = 0;
    let mut start = 0;
    for l in lex::lex(sql) {
        if l.kind == Kind::Punct && &sql[l.start..l.end] == "?" {
            let p = params.get(used).ok_or_else(|| {
                ParamError(format!("the statement has more ? placeholders than the {} parameters", params.len()))
            })?;
            out.push_str(&sql[start..l.start]);
            out.push_str(&p.literal(used)?);
            used += 1;
            start = l.end;
        }
    }
    out.push_str(&sql[start..]);
    if used != params.len() {
        return Err(ParamError(format!("{} parameters given for {used} ? placeholders", params.len())));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn placeholders_outside_quotes_and_comments_are_bound() {
        let sql = "SELECT ?, '?', `?`, ? -- ?\n, ?";
        let params = [Param::Int(1), Param::Str("it's".into()), Param::Number(0.5)];
        assert_eq!(bind_params(sql, &params).unwrap(), "SELECT 1, '?', `?`, 'it''s' -- ?\n, 5e-1");
        assert_eq!(
            bind_params(
                "SELECT ?, ?, ?, ?",
                &[Param::Null, Param::Bool(true), Param::Number(3.0), Param::Time(Timestamp::from_secs(0))]
            )
            .unwrap(),
            "SELECT NULL, TRUE, 3, TIMESTAMP '1970-01-01 00:00:00'"
        );
    }

    #[test]
    fn counts_and_values_are_checked() {
        assert!(bind_params("SELECT ?", &[]).unwrap_err().0.contains("more ? placeholders"));
        assert!(bind_params("SELECT 1", &[Param::Null]).unwrap_err().0.contains("1 parameters given for 0"));
        assert!(bind_params("SELECT ?", &[Param::Number(f64::NAN)]).unwrap_err().0.contains("NaN"));
    }
}
