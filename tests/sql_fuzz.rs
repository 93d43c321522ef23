#![cfg(not(target_arch = "wasm32"))]
//! Property test: random statements built from SQL fragments never panic,
//! and the session stays usable afterwards.

use proptest::prelude::*;
use reeldb::sql::Session;

const FRAGMENTS: &[&str] = &[
    "SELECT",
    "TINYINT UNSIGNED",
    "CHAR(2)",
    "BIGINT UNSIGNED",
    "`order`",
    "order",
    "key",
    "*",
    "FROM",
    "t",
    "u",
    "WHERE",
    "a",
    "b",
    "=",
    "<",
    ">=",
    "<>",
    "1",
    "0",
    "-1",
    "2.5",
    "'x'",
    "''",
    "NULL",
    "(",
    ")",
    ",",
    "+",
    "-",
    "/",
    "DIV",
    "%",
    "AND",
    "OR",
    "NOT",
    "IS",
    "IN",
    "BETWEEN",
    "LIKE",
    "'%'",
    "EXISTS",
    "GROUP BY",
    "HAVING",
    "ORDER BY",
    "DESC",
    "LIMIT",
    "UNION",
    "ALL",
    "JOIN",
    "LEFT JOIN",
    "ON",
    "AS",
    "COUNT(*)",
    "SUM(a)",
    "AVG(b)",
    "MIN(",
    "MAX(",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "CAST(",
    "AS SIGNED",
    "AS DECIMAL(4,1)",
    "COALESCE(",
    "NULLIF(",
    "ABS(",
    "INSERT INTO t VALUES",
    "UPDATE t SET a =",
    "DELETE FROM t",
    "CREATE TABLE",
    "DROP TABLE",
    "CREATE INDEX i ON t (a)",
    "FOR SYSTEM_TIME AS OF TIMESTAMP",
    "'2020-01-01 00:00:00'",
    "ALL",
    "BACKTRACK TO TIMESTAMP",
    "DISTINCT",
    "9223372036854775807",
    "1e308",
    "SET TIMESTAMP =",
    ";",
    "BEGIN",
    "ROLLBACK",
    "information_schema.timeline",
    "reeldb_diff(",
    "CREATE VIEW v AS",
    "SAVEPOINT s",
    "ROLLBACK TO SAVEPOINT s",
    "RELEASE SAVEPOINT s",
    "SHOW WARNINGS",
    "SHOW COUNT(*) WARNINGS",
    "LIMIT 1, 1",
    "@@warning_count",
    "SET sql_mode = ''",
    "SET sql_mode = DEFAULT",
    "GROUPING(a)",
    "GROUP BY a WITH ROLLUP",
    "INSERT IGNORE INTO t VALUES",
    "v",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, .. ProptestConfig::default() })]
    #[test]
    fn random_statements_never_panic(picks in proptest::collection::vec(0..FRAGMENTS.len(), 1..14)) {
        let mut s = Session::in_memory();
        s.execute("CREATE TABLE t (a INT PRIMARY KEY, b DECIMAL(5,2), c VARCHAR(5)); CREATE TABLE u (a TINYINT, d DOUBLE, e BIGINT UNSIGNED, f CHAR(3)); INSERT INTO t VALUES (1, 2.5, 'x'), (2, NULL, 'y'); INSERT INTO u VALUES (1, 0.5, 18446744073709551615, 'a  ')").unwrap();
        let sql: Vec<&str> = picks.iter().map(|&i| FRAGMENTS[i]).collect();
        let _ = s.execute(&sql.join(" "));
        let _ = s.execute("ROLLBACK");
        prop_assert!(s.execute("SELECT COUNT(*) FROM information_schema.timeline").is_ok());
    }
}

/// A short run of the `reeldb-fuzz` generator (grammar, corpus statements
/// and mutations). The long run is `reeldb-fuzz --execs 1000000`.
#[test]
fn generated_statements_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reeldb-fuzz"))
        .args(["--execs", "3000", "--seed", "3"])
        .arg(dir.join("tests/slt"))
        .output()
        .expect("run reeldb-fuzz");
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}
