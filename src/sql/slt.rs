//! A sqllogictest runner (mysql mode): parses `.test` scripts, runs them on
//! a [`Session`] and compares results with SQLite's value formatting,
//! sort modes and MD5 result hashing.

use super::md5;
use super::session::{Session, StatementResult};
use super::value::{parse_num_prefix, Value};

/// Outcome of one script.
#[derive(Debug, Default, Clone)]
pub struct FileReport {
    /// Records that passed.
    pub passed: u64,
    /// Records that failed.
    pub failed: u64,
    /// Records skipped by `skipif` / `onlyif`.
    pub skipped: u64,
    /// Descriptions of failures (first few).
    pub failures: Vec<String>,
}

/// How many failure descriptions to keep per file.
const KEEP_FAILURES: usize = 50;

fn format_value(v: &Value, ty: char) -> String {
    if v.is_null() {
        return "NULL".into();
    }
    match ty {
        'I' => match v {
            Value::Int(i) => i.to_string(),
            Value::Decimal(d) => d.trunc_i128().to_string(),
            Value::Double(f) => format!("{}", f.trunc() as i64),
            Value::Str(s) => format!("{}", parse_num_prefix(s).trunc() as i64),
            other => format!("{}", other.to_f64().unwrap_or(0.0) as i64),
        },
        'R' => {
            let f = match v {
                Value::Str(s) => parse_num_prefix(s),
                other => other.to_f64().unwrap_or(0.0),
            };
            format!("{f:.3}")
        }
        _ => {
            let s = v.to_string();
            if s.is_empty() {
                "(empty)".into()
            } else {
                s.chars().map(|c| if (' '..='~').contains(&c) { c } else { '@' }).collect()
            }
        }
    }
}

/// Records a failure (at most [`KEEP_FAILURES`] descriptions are kept).
fn fail(rep: &mut FileReport, line: usize, what: String) {
    rep.failed += 1;
    if rep.failures.len() < KEEP_FAILURES {
        rep.failures.push(format!("line {}: {}", line + 1, what));
    }
}

/// Checks a `statement error [NAME]` / `query error [NAME]` record: the
/// statement must fail and, when the record names an error (`ER_DUP_ENTRY`,
/// `WARN_DATA_TRUNCATED`, as MySQL spells it), fail with that code.
fn check_error<T>(rep: &mut FileReport, line: usize, expected: &[&str], sql: &str, got: Result<T, super::SqlError>) {
    let expected = expected.join(" ");
    match got {
        Ok(_) => fail(rep, line, format!("statement succeeded, error expected: {sql}")),
        Err(e) if expected.is_empty() || e.code.name() == expected => rep.passed += 1,
        Err(e) => fail(rep, line, format!("expected {expected}, got {e}: {sql}")),
    }
}

/// Runs one script. `on_record` is called per executed record with
/// (line, passed) for progress or logging.
pub fn run_script(text: &str, mut session: Session) -> FileReport {
    let lines: Vec<&str> = text.lines().collect();
    let mut rep = FileReport::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            i += 1;
            continue;
        }
        // conditions
        let mut skip = false;
        while i < lines.len() {
            let l = lines[i].trim();
            let l = l.split('#').next().unwrap_or("").trim();
            let mut parts = l.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some("skipif"), Some(db)) => {
                    if db == "mysql" {
                        skip = true;
                    }
                    i += 1;
                }
                (Some("onlyif"), Some(db)) => {
                    if db != "mysql" {
                        skip = true;
                    }
                    i += 1;
                }
                _ => break,
            }
        }
        if i >= lines.len() {
            break;
        }
        let start = i;
        let head: Vec<&str> = lines[i].split_whitespace().collect();
        i += 1;
        let body_start = i;
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
        let body = &lines[body_start..i];
        match head.first().copied() {
            Some("hash-threshold") => {
                // results arrive either hashed or listed; both are compared as given
            }
            Some("halt") if !skip => break,
            Some("halt") => {}
            Some("statement") => {
                if skip {
                    rep.skipped += 1;
                    continue;
                }
                let sql = body.join("\n");
                match head.get(1).copied() {
                    Some("error") => check_error(&mut rep, start, &head[2..], &sql, session.execute(&sql)),
                    _ => match session.execute(&sql) {
                        Ok(_) => rep.passed += 1,
                        Err(e) => fail(&mut rep, start, format!("{e}: {sql}")),
                    },
                }
            }
            Some("query") if head.get(1) == Some(&"error") => {
                if skip {
                    rep.skipped += 1;
                    continue;
                }
                // `query error` has no result section; a `----` ends the SQL
                let sep = body.iter().position(|l| l.trim() == "----").unwrap_or(body.len());
                let sql = body[..sep].join("\n");
                check_error(&mut rep, start, &head[2..], &sql, session.execute(&sql));
            }
            Some("query") => {
                if skip {
                    rep.skipped += 1;
                    continue;
                }
                let types: Vec<char> = head.get(1).map(|t| t.chars().collect()).unwrap_or_default();
                let sort = head.get(2).copied().unwrap_or("nosort");
                let sep = body.iter().position(|l| l.trim() == "----").unwrap_or(body.len());
                let sql = body[..sep].join("\n");
                let expected: Vec<&str> = if sep < body.len() { body[sep + 1..].to_vec() } else { Vec::new() };
                let res = session.execute(&sql);
                let rows = match res {
                    Ok(mut v) => match v.pop() {
                        Some(StatementResult::Rows { rows, .. }) => rows,
                        _ => {
                            fail(&mut rep, start, format!("query returned no rows: {sql}"));
                            continue;
                        }
                    },
                    Err(e) => {
                        fail(&mut rep, start, format!("{e}: {sql}"));
                        continue;
                    }
                };
                let mut srows: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        r.iter().enumerate().map(|(c, v)| format_value(v, *types.get(c).unwrap_or(&'T'))).collect()
                    })
                    .collect();
                if sort == "rowsort" {
                    srows.sort();
                }
                let mut vals: Vec<String> = srows.into_iter().flatten().collect();
                if sort == "valuesort" {
                    vals.sort();
                }
                let ok = if expected.len() == 1 && expected[0].contains("values hashing to") {
                    let mut ctx = String::new();
                    for v in &vals {
                        ctx.push_str(v);
                        ctx.push('\n');
                    }
                    let got = format!("{} values hashing to {}", vals.len(), md5::hex(ctx.as_bytes()));
                    got == expected[0].trim()
                } else {
                    let exp: Vec<&str> = expected.iter().map(|l| l.trim_end()).collect();
                    if exp.len() == vals.len() {
                        exp.iter().zip(&vals).all(|(a, b)| *a == b.as_str())
                    } else {
                        let e2: Vec<&str> = exp.iter().flat_map(|l| l.split_whitespace()).collect();
                        let v2: Vec<&str> = vals.iter().flat_map(|l| l.split_whitespace()).collect();
                        e2 == v2
                    }
                };
                if ok {
                    rep.passed += 1;
                } else {
                    let got: Vec<String> = vals.iter().take(12).cloned().collect();
                    fail(
                        &mut rep,
                        start,
                        format!(
                            "wrong result for: {sql}\n  got: {got:?}\n  expected: {:?}",
                            expected.iter().take(12).collect::<Vec<_>>()
                        ),
                    );
                }
            }
            _ => {
                // unknown record: skip it
            }
        }
    }
    rep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_a_small_script() {
        let script = "statement ok\nCREATE TABLE t(a INTEGER, b INTEGER)\n\nstatement ok\nINSERT INTO t VALUES(1,2),(3,4)\n\nquery II rowsort\nSELECT a, b FROM t\n----\n1\n2\n3\n4\n\nquery R nosort\nSELECT 7/2\n----\n3.500\n\nskipif mysql\nquery I\nSELECT nonsense\n----\n1\n\nstatement error\nSELECT * FROM nope\n";
        let r = run_script(script, Session::in_memory());
        assert_eq!(r.failures, Vec::<String>::new());
        assert_eq!((r.passed, r.failed, r.skipped), (5, 0, 1));
    }

    #[test]
    fn checks_the_named_error() {
        let script = "statement ok\nCREATE TABLE t(a INTEGER PRIMARY KEY)\n\nstatement ok\nINSERT INTO t VALUES(1)\n\nstatement error ER_DUP_ENTRY\nINSERT INTO t VALUES(1)\n\nstatement error ER_NO_SUCH_TABLE\nINSERT INTO t VALUES(1)\n\nquery error ER_NO_SUCH_TABLE\nSELECT * FROM nope\n\nquery error ER_PARSE_ERROR\nSELECT * FROM t\n\nstatement error ER_DUP_ENTRY\nINSERT INTO t VALUES(2)\n";
        let r = run_script(script, Session::in_memory());
        assert_eq!((r.passed, r.failed), (4, 3), "{:?}", r.failures);
        assert!(r.failures[0].starts_with("line 10: expected ER_NO_SUCH_TABLE, got ER_DUP_ENTRY"), "{:?}", r.failures);
        assert!(r.failures[1].contains("statement succeeded, error expected"), "{:?}", r.failures);
        assert!(r.failures[2].contains("statement succeeded, error expected"), "{:?}", r.failures);
    }
}
