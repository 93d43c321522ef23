//! `?` parameters: where the placeholders of a statement are, parameter
//! values from the JavaScript API's types, and binding values into a
//! statement's text as literals (for the statements parsed outside
//! `sqlparser`, such as `BACKTRACK TO ?`). Statements `sqlparser` parses
//! keep their placeholders as parameters (`Expr::Param`): see
//! [`super::session::PreparedStatement`].

use std::fmt;

use super::error::{Code, SqlError};
use super::lex::{self, Kind};
use super::quote;
use super::value::{Decimal, Value};
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

/// The error of a statement run with `given` parameters for `expected`
/// placeholders (MySQL's `ER_WRONG_ARGUMENTS`, 1210).
pub(crate) fn wrong_count(expected: usize, given: usize) -> SqlError {
    SqlError::new(
        Code::WrongArguments,
        format!("Incorrect arguments to mysqld_stmt_execute: {given} parameters given for {expected} ? placeholders"),
    )
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
    /// The parameter as a SQL value; `i` is its 0-based position (for the
    /// error message). A whole number below 2^53 is an integer, another
    /// finite number a DOUBLE, an integer beyond 64 bits an exact decimal.
    pub fn to_value(&self, i: usize) -> Result<Value, ParamError> {
        Ok(match self {
            Param::Null => Value::Null,
            Param::Bool(b) => Value::bool(*b),
            Param::Int(n) => match i64::try_from(*n) {
                Ok(n) => Value::Int(n),
                Err(_) => Decimal::parse(&n.to_string())
                    .map(Value::Decimal)
                    .ok_or_else(|| ParamError(format!("parameter {} is {n}, which SQL cannot hold", i + 1)))?,
            },
            Param::Number(n) if !n.is_finite() => {
                return Err(ParamError(format!("parameter {} is {n}, which SQL cannot hold", i + 1)))
            }
            Param::Number(n) if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 => Value::Int(*n as i64),
            Param::Number(n) => Value::Double(*n),
            Param::Str(s) => Value::Str(s.clone()),
            Param::Time(t) => Value::DateTime(*t),
        })
    }

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

/// The byte offsets of the `?` placeholders of `sql` (outside string
/// literals, quoted identifiers and comments), in order: placeholder `i`
/// is parameter `i`.
pub(crate) fn placeholders(sql: &str) -> Vec<usize> {
    lex::lex(sql).filter(|l| l.kind == Kind::Punct && &sql[l.start..l.end] == "?").map(|l| l.start).collect()
}

/// Replaces each `?` placeholder of `sql` (outside string literals, quoted
/// identifiers and comments) with the matching parameter as a literal.
pub fn bind_params(sql: &str, params: &[Param]) -> Result<String, ParamError> {
    splice(sql, params.len(), |i| params[i].literal(i))
}

/// [`bind_params`] for SQL values (each as [`quote::literal`] writes it).
pub(crate) fn bind_values(sql: &str, values: &[Value]) -> Result<String, ParamError> {
    splice(sql, values.len(), |i| Ok(quote::literal(&values[i])))
}

/// Replaces the `?` placeholders of `sql` with `literal(i)` for `i` in
/// `0..count`; fails unless there are exactly `count` placeholders.
fn splice(
    sql: &str,
    count: usize,
    literal: impl Fn(usize) -> Result<String, ParamError>,
) -> Result<String, ParamError> {
    let mut out = String::with_capacity(sql.len() + count * 8);
    let mut used = 0;
    let mut start = 0;
    for at in placeholders(sql) {
        if used == count {
            return Err(ParamError(format!("the statement has more ? placeholders than the {count} parameters")));
        }
        out.push_str(&sql[start..at]);
        out.push_str(&literal(used)?);
        used += 1;
        start = at + 1;
    }
    out.push_str(&sql[start..]);
    if used != count {
        return Err(ParamError(format!("{count} parameters given for {used} ? placeholders")));
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
