//! Prepared statements: generated statements with literals as `?`, kept in
//! a pool and run with random parameter values.

use reeldb::sql::{PreparedStatement, Session, SqlError, Value};
use reeldb::Timestamp;

use crate::gen::split_tokens;
use crate::rng::Rng;
use crate::vocab::LITERALS;

/// `sql` with some of its literals (numbers, quoted strings) turned into
/// `?` placeholders, and how many.
fn parameterize(rng: &mut Rng, sql: &str) -> (String, usize) {
    let mut n = 0;
    let toks: Vec<String> = split_tokens(sql)
        .into_iter()
        .map(|t| {
            let literal = t.starts_with('\'') || t.starts_with('"') || t.starts_with(|c: char| c.is_ascii_digit());
            if literal && rng.chance(60) {
                n += 1;
                "?".to_string()
            } else {
                t
            }
        })
        .collect();
    (toks.join(" "), n)
}

/// A random parameter value.
fn param_value(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => Value::Null,
        1 => Value::Int((rng.next() % 2000) as i64 - 1000),
        2 => Value::Int(rng.next() as i64),
        3 => Value::Double(f64::from_bits(rng.next())),
        4 => Value::Double((rng.next() % 1000) as f64 / 8.0),
        5 => Value::Str(rng.pick(&["", "a", "x'y", "2020-01-01", "1970-01-01 00:00:01", "12abc", "?"]).to_string()),
        6 => Value::DateTime(Timestamp::from_secs(1_600_000_000 + (rng.next() % 100) as i64)),
        _ => Value::Str(rng.pick(LITERALS).trim_matches('\'').to_string()),
    }
}

/// The prepared statements of a session, run and dropped at random.
#[derive(Default)]
pub(crate) struct Pool(Vec<PreparedStatement>);

impl Pool {
    /// Prepares `sql` with some literals as parameters (or not, keeping the
    /// pool), then picks a pooled statement and random parameters: what
    /// to run, or the error of the PREPARE.
    pub(crate) fn pick(
        &mut self,
        rng: &mut Rng,
        sql: &str,
    ) -> Result<(PreparedStatement, Vec<Value>), (String, SqlError)> {
        if self.0.is_empty() || rng.chance(30) {
            let (text, _) = parameterize(rng, sql);
            match Session::prepare(&text) {
                Ok(p) => {
                    if self.0.len() >= 8 {
                        let i = rng.below(self.0.len());
                        self.0.swap_remove(i);
                    }
                    self.0.push(p);
                }
                Err(e) => return Err((format!("PREPARE {text}"), e)),
            }
        }
        let i = rng.below(self.0.len());
        let p = self.0[i].clone();
        let mut n = p.param_count();
        if rng.chance(5) {
            n = rng.below(n + 2);
        }
        let params: Vec<Value> = (0..n).map(|_| param_value(rng)).collect();
        if rng.chance(10) {
            self.0.swap_remove(i);
        }
        Ok((p, params))
    }
}
