#![cfg(not(target_arch = "wasm32"))]
//! Property tests: an `INSERT`, and a `SELECT`, `UPDATE` or `DELETE` with
//! comparisons in its `WHERE`, run with its literals lifted out as `?`
//! parameters (what `Session::execute_one` does, through the cache of
//! recent statements) does what the statement as written does.
//!
//! The model is the same statement parsed as written (`Session::parse`) and
//! run by `Session::execute_parsed`, on a second session: after each
//! statement both sessions give the same result or error, the same
//! warnings and the same rows. The literals cover the forms lifted
//! (numbers with and without a sign or a fraction, beyond 64 bits, strings
//! with doubled quotes, `NULL`) and forms left as written (exponents, hex,
//! backslash escapes, `DEFAULT`, expressions), into columns whose types
//! convert, truncate, reject or warn. The queries compare indexed and
//! unindexed columns of every type with those literals, so both the index
//! lookups and the row filters see values converted at run time.

use proptest::prelude::*;
use reeldb::sql::{Session, StatementResult, Value};

const SCHEMA: &str = "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, a INT, b DECIMAL(6,2), \
    c VARCHAR(5), d DOUBLE, e DATE, f TINYINT UNSIGNED NOT NULL DEFAULT 7, \
    CHECK (a IS NULL OR a <> 13))";

const LITERALS: &[&str] = &[
    "1",
    "-1",
    "007",
    "0",
    "13",
    "1.5",
    "-0.25",
    "123.456",
    "99999999999999999999",
    "300",
    "-300",
    "'abc'",
    "'it''s'",
    "'2020-01-01'",
    "''",
    "'123456'",
    "' 12 '",
    "'x'",
    "NULL",
    "1e3",
    "0x41",
    "'a\\'b'",
    "DEFAULT",
    "1 + 1",
    "-'5'",
    "TRUE",
];

fn statement(ignore: bool, rows: &[Vec<usize>]) -> String {
    let rows: Vec<String> = rows
        .iter()
        .map(|r| format!("(NULL, {})", r.iter().map(|&i| LITERALS[i % LITERALS.len()]).collect::<Vec<_>>().join(", ")))
        .collect();
    format!("INSERT {}INTO t VALUES {}", if ignore { "IGNORE " } else { "" }, rows.join(",\n "))
}

/// What a statement gave: its result or error, then its warnings.
fn outcome(r: Result<StatementResult, reeldb::sql::SqlError>, s: &mut Session) -> String {
    let r = match r {
        Ok(StatementResult::Affected(n)) => format!("ok {n}"),
        Ok(other) => format!("{other:?}"),
        Err(e) => format!("error {:?} {}", e.code, e.message),
    };
    format!("{r}; warnings {:?}", rows(s, "SHOW WARNINGS"))
}

/// Two sessions (lifted, written) with `setup` run, and `sql_mode` empty
/// unless `strict`.
fn two_sessions(setup: &[&str], strict: bool) -> (Session, Session) {
    let (mut lifted, mut written) = (Session::in_memory(), Session::in_memory());
    for s in [&mut lifted, &mut written] {
        for sql in setup {
            s.execute(sql).unwrap();
        }
        if !strict {
            s.execute("SET sql_mode = ''").unwrap();
        }
    }
    (lifted, written)
}

/// What `sql` does parsed as written (nothing lifted).
fn as_written(s: &mut Session, sql: &str) -> String {
    let r = match Session::parse(sql) {
        Ok(stmt) => s.execute_parsed(sql, &stmt),
        Err(e) => Err(e),
    };
    outcome(r, s)
}

fn rows(s: &mut Session, sql: &str) -> Vec<Vec<Value>> {
    match s.execute_one(sql).unwrap() {
        StatementResult::Rows { rows, .. } => rows,
        other => panic!("{other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn lifted_literals_do_what_the_statement_as_written_does(
        strict in any::<bool>(),
        statements in proptest::collection::vec(
            (any::<bool>(), proptest::collection::vec(proptest::collection::vec(0usize..100, 6), 1..4)),
            1..6,
        ),
    ) {
        let (mut lifted, mut written) = two_sessions(&[SCHEMA], strict);
        for (ignore, rs) in &statements {
            let sql = statement(*ignore, rs);
            let got = lifted.execute_one(&sql);
            let got = outcome(got, &mut lifted);
            prop_assert_eq!(got, as_written(&mut written, &sql), "{}", sql);
            prop_assert_eq!(rows(&mut lifted, "SELECT * FROM t"), rows(&mut written, "SELECT * FROM t"), "{}", sql);
        }
    }
}

const QUERY_SCHEMA: &str = "CREATE TABLE q (id INT PRIMARY KEY, a INT, b DECIMAL(6,2), c VARCHAR(5), \
    d DOUBLE, e DATE, f TINYINT UNSIGNED, g VARCHAR(5) COLLATE utf8mb4_bin, KEY (a), KEY (c), KEY (e), KEY (b))";

const QUERY_ROWS: &str = "INSERT INTO q VALUES (1, 1, 1.5, 'abc', 1.5, '2020-01-01', 1, 'abc'), \
    (2, -1, -0.25, 'ABC', 123.456, '2020-01-02', 0, 'ABC'), (3, 13, 123.46, 'it''s', 0, NULL, 255, 'x'), \
    (4, NULL, NULL, '', NULL, '1999-12-31', NULL, ''), (5, 300, 0, '12', 12, '2020-01-01', 12, ' 12 '), \
    (6, 0, 13, 'x', -1, '2000-02-29', 7, 'X'), (7, 7, 7, 'é', 1e3, '2020-01-01', 13, 'e')";

const COLUMNS: &[&str] = &["id", "a", "b", "c", "d", "e", "f", "g", "q.a", "`c`"];
const OPS: &[&str] = &["=", "<>", "!=", "<", "<=", ">", ">=", "<=>"];

fn query(kind: usize, terms: &[(usize, usize, usize, bool)]) -> String {
    let mut cond = String::new();
    for (n, &(c, o, l, or)) in terms.iter().enumerate() {
        if n > 0 {
            cond.push_str(if or { " OR " } else { " AND " });
        }
        let (c, o, l) = (COLUMNS[c % COLUMNS.len()], OPS[o % OPS.len()], LITERALS[l % LITERALS.len()]);
        cond.push_str(&format!("{c} {o} {l}"));
    }
    match kind % 4 {
        0 => format!("SELECT * FROM q WHERE {cond} ORDER BY id"),
        1 => format!("SELECT id, a + 1, c FROM q WHERE ({cond}) AND id > 0 ORDER BY id LIMIT 5"),
        2 => format!("UPDATE q SET f = f + 1 WHERE {cond}"),
        _ => format!("DELETE FROM q WHERE {cond}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn lifted_where_literals_do_what_the_statement_as_written_does(
        strict in any::<bool>(),
        statements in proptest::collection::vec(
            (0usize..4, proptest::collection::vec((0usize..100, 0usize..100, 0usize..100, any::<bool>()), 1..4)),
            1..8,
        ),
    ) {
        let (mut lifted, mut written) = two_sessions(&[QUERY_SCHEMA, QUERY_ROWS], strict);
        for (kind, terms) in &statements {
            let sql = query(*kind, terms);
            // twice: the second run may use the plan the first one kept; a
            // query runs the second time as a read-only script (what the
            // browser's `exec` runs first)
            for run in 0..2 {
                let got = if run == 1 && kind % 4 < 2 {
                    lifted.execute_if_read_only(&sql).map(|r| r.expect("a query reads").remove(0))
                } else {
                    lifted.execute_one(&sql)
                };
                let got = outcome(got, &mut lifted);
                prop_assert_eq!(got, as_written(&mut written, &sql), "{}", sql);
                prop_assert_eq!(
                    rows(&mut lifted, "SELECT * FROM q ORDER BY id"),
                    rows(&mut written, "SELECT * FROM q ORDER BY id"),
                    "{}",
                    sql
                );
            }
        }
    }
}
