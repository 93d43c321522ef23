#![cfg(not(target_arch = "wasm32"))]
//! Property test: a statement that fails inside a transaction leaves the
//! transaction as it was before the statement, and an `IGNORE` statement
//! keeps exactly the rows it did not skip.
//!
//! Inside a transaction, a statement's writes are undone from a log of the
//! keys it wrote (`Database::mark`); in autocommit mode a failed statement
//! drops the whole transaction. The model is the same statements run one
//! by one in autocommit mode on a second session: after each statement,
//! both sessions hold the same rows (by the primary key and through the
//! unique index), and after `ROLLBACK` the transaction's session is back at
//! its start.

use proptest::prelude::*;
use reeldb::sql::{Session, StatementResult, Value};

const SCHEMA: &str = "CREATE TABLE t (id INT PRIMARY KEY, u INT, v VARCHAR(20), UNIQUE KEY (u)); \
    CREATE TABLE w (id INT PRIMARY KEY, n INT)";
const SEED: &str = "INSERT INTO t VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c'), (4, 40, 'd'); \
    INSERT INTO w VALUES (1, 1)";

/// A statement of the test, from small random numbers: several of them
/// fail after writing some rows (a duplicate key in a later row).
fn statement(kind: u8, a: i64, b: i64) -> String {
    match kind % 9 {
        0 => format!("INSERT INTO t VALUES ({a}, {b}, 'i{a}')"),
        1 => format!("INSERT INTO t VALUES ({}, {}, 'm'), ({a}, {b}, 'n')", a + 20, b + 200),
        2 => {
            format!("INSERT IGNORE INTO t VALUES ({a}, {b}, 'g'), ({}, {}, 'h'), ({}, {b}, 'k')", a + 1, b + 1, a + 40)
        }
        3 => format!("UPDATE t SET u = u + {} WHERE id >= {a}", b % 3),
        4 => format!("UPDATE IGNORE t SET u = {b} WHERE id <= {a}"),
        5 => format!("DELETE FROM t WHERE id = {a}"),
        6 => format!("UPDATE t SET v = CONCAT(v, 'x'), id = id + {} WHERE u > {}", b % 2, b * 3),
        7 => format!("INSERT INTO w VALUES ({a}, {b}) ON DUPLICATE KEY UPDATE n = n + 1"),
        _ => format!("REPLACE INTO t VALUES ({a}, {b}, 'r')"),
    }
}

fn rows(s: &mut Session) -> Vec<Vec<Value>> {
    let mut all = Vec::new();
    for q in [
        "SELECT id, u, v FROM t ORDER BY id",
        "SELECT u, id FROM t WHERE u IS NOT NULL ORDER BY u",
        "SELECT * FROM w ORDER BY id",
    ] {
        match s.execute_one(q).expect("read") {
            StatementResult::Rows { rows, .. } => all.extend(rows),
            other => panic!("{other:?}"),
        }
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]
    #[test]
    fn failed_statements_in_a_transaction_are_undone_exactly(
        steps in proptest::collection::vec((0u8..9, 0i64..12, 0i64..12), 1..40),
    ) {
        let mut tx = Session::in_memory();
        let mut model = Session::in_memory();
        for s in [&mut tx, &mut model] {
            s.execute(SCHEMA).unwrap();
            s.execute(SEED).unwrap();
        }
        let start = rows(&mut tx);
        tx.execute("BEGIN").unwrap();
        for (kind, a, b) in steps {
            let sql = statement(kind, a, b * 10);
            let got = tx.execute(&sql).map(|_| ()).map_err(|e| e.code);
            let want = model.execute(&sql).map(|_| ()).map_err(|e| e.code);
            prop_assert_eq!(&got, &want, "{}", sql);
            prop_assert_eq!(rows(&mut tx), rows(&mut model), "after {}", sql);
        }
        tx.execute("ROLLBACK").unwrap();
        prop_assert_eq!(rows(&mut tx), start);
    }
}

/// A transaction whose statements failed after writing commits only what
/// the others wrote.
#[test]
fn a_transaction_with_failed_statements_commits_what_succeeded() {
    let mut s = Session::in_memory();
    s.execute(SCHEMA).unwrap();
    s.execute(SEED).unwrap();
    s.execute("BEGIN; INSERT INTO t VALUES (5, 50, 'e')").unwrap();
    // fails at its second row, after writing the first
    assert!(s.execute("INSERT INTO t VALUES (6, 60, 'f'), (7, 50, 'g')").is_err());
    // fails after updating some rows (u collides with a later row's)
    assert!(s.execute("UPDATE t SET u = u + 10 WHERE id >= 3").is_err());
    s.execute("UPDATE IGNORE t SET u = 20 WHERE id IN (1, 3)").unwrap();
    s.execute("COMMIT").unwrap();
    let got = rows(&mut s);
    let text: Vec<String> = got.iter().map(|r| r.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",")).collect();
    assert_eq!(
        text[..5],
        ["1,10,a", "2,20,b", "3,30,c", "4,40,d", "5,50,e"].map(String::from),
        "the failed statements left no row behind and UPDATE IGNORE skipped both colliding rows"
    );
}
