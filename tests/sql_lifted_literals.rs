#![cfg(not(target_arch = "wasm32"))]
//! Property test: an `INSERT` run with its literals lifted out as `?`
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
//! convert, truncate, reject or warn.

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
        let (mut lifted, mut written) = (Session::in_memory(), Session::in_memory());
        for s in [&mut lifted, &mut written] {
            s.execute(SCHEMA).unwrap();
            if !strict {
                s.execute("SET sql_mode = ''").unwrap();
            }
        }
        for (ignore, rs) in &statements {
            let sql = statement(*ignore, rs);
            let got = lifted.execute_one(&sql);
            let got = outcome(got, &mut lifted);
            let want = match Session::parse(&sql) {
                Ok(stmt) => written.execute_parsed(&sql, &stmt),
                Err(e) => Err(e),
            };
            let want = outcome(want, &mut written);
            prop_assert_eq!(got, want, "{}", sql);
            prop_assert_eq!(rows(&mut lifted, "SELECT * FROM t"), rows(&mut written, "SELECT * FROM t"), "{}", sql);
        }
    }
}
