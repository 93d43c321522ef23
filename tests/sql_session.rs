#![cfg(not(target_arch = "wasm32"))]
//! The session's typed operations (what the JavaScript API calls) behave as
//! the SQL statements they stand for.

use reeldb::sql::{Session, StatementResult, Value};
use reeldb::{BacktrackTarget, Timestamp};

fn at(secs: i64) -> Timestamp {
    Timestamp::from_secs(secs)
}

fn count(s: &mut Session) -> Value {
    match s.execute_one("SELECT COUNT(*) FROM t").unwrap() {
        StatementResult::Rows { rows, .. } => rows[0][0].clone(),
        StatementResult::Affected(_) => panic!("rows expected"),
    }
}

fn session() -> Session {
    let mut s = Session::in_memory();
    s.execute("SET TIMESTAMP = 1000; CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(5)); INSERT INTO t VALUES (1, 'a')")
        .unwrap();
    s.execute("SET TIMESTAMP = 2000; INSERT INTO t VALUES (2, 'b'); UPDATE t SET v = 'z' WHERE id = 1").unwrap();
    s.execute("SET TIMESTAMP = 3000").unwrap();
    s
}

#[test]
fn backtrack_rolls_back_an_open_transaction_like_the_statement() {
    for typed in [true, false] {
        let mut s = session();
        s.execute("BEGIN; INSERT INTO t VALUES (3, 'c')").unwrap();
        assert!(s.in_transaction());
        if typed {
            let outcome = s.backtrack(BacktrackTarget::Time(at(1500)), false).unwrap();
            assert!(outcome.rolled_back_transaction);
        } else {
            s.execute("BACKTRACK TO TIMESTAMP '1970-01-01 00:25:00'").unwrap();
        }
        assert!(!s.in_transaction(), "typed: {typed}");
        assert_eq!(count(&mut s), Value::Int(1), "typed: {typed}");
    }
}

#[test]
fn a_failed_backtrack_keeps_the_transaction() {
    for typed in [true, false] {
        let mut s = session();
        s.execute("BEGIN; INSERT INTO t VALUES (3, 'c')").unwrap();
        if typed {
            assert!(s.backtrack(BacktrackTarget::Time(at(9999)), false).is_err());
        } else {
            assert!(s.execute("BACKTRACK TO TIMESTAMP '1970-01-01 02:46:39'").is_err());
        }
        assert!(s.in_transaction(), "typed: {typed}");
        s.rollback();
        assert!(!s.in_transaction());
        assert_eq!(count(&mut s), Value::Int(2));
    }
}

#[test]
fn use_database_and_restore_points() {
    let mut s = session();
    assert!(s.use_database("nope").is_err());
    s.execute("CREATE DATABASE Other").unwrap();
    s.use_database("other").unwrap();
    assert_eq!(s.current_database(), "Other");
    let rp = s.create_restore_point("before").unwrap();
    assert_eq!(rp.name, "before");
    assert!(s.create_restore_point("before").is_err());
    s.drop_restore_point("before").unwrap();
    assert!(s.drop_restore_point("before").is_err());
}

#[test]
fn diff_is_reeldb_diff() {
    let mut s = session();
    let typed = s.diff("t", at(1500), at(2500)).unwrap();
    let sql = s
        .execute_one("SELECT * FROM reeldb_diff('t', TIMESTAMP '1970-01-01 00:25:00', TIMESTAMP '1970-01-01 00:41:40')")
        .unwrap();
    assert_eq!(typed, sql);
    let StatementResult::Rows { columns, rows } = typed else { panic!("rows expected") };
    assert_eq!(columns, ["change", "id", "v", "old_id", "old_v"]);
    assert_eq!(rows.len(), 2);
    assert!(rows.contains(&vec![
        Value::Str("changed".into()),
        Value::Int(1),
        Value::Str("z".into()),
        Value::Int(1),
        Value::Str("a".into())
    ]));
}

#[test]
fn upserts_and_replaces_report_mysqls_affected_rows() {
    let mut s = Session::in_memory();
    s.execute("CREATE TABLE u (k INT PRIMARY KEY, n INT, UNIQUE KEY (n))").unwrap();
    let mut affected = |sql: &str| match s.execute_one(sql).unwrap() {
        StatementResult::Affected(n) => n,
        StatementResult::Rows { .. } => panic!("a count expected for {sql}"),
    };
    // a new row 1, an updated row 2, an unchanged row 0
    assert_eq!(affected("INSERT INTO u VALUES (1, 10) ON DUPLICATE KEY UPDATE n = n + 1"), 1);
    assert_eq!(affected("INSERT INTO u VALUES (1, 10) ON DUPLICATE KEY UPDATE n = n + 1"), 2);
    assert_eq!(affected("INSERT INTO u VALUES (1, 99) ON DUPLICATE KEY UPDATE n = n"), 0);
    assert_eq!(affected("INSERT INTO u VALUES (2, 20), (1, 0) ON DUPLICATE KEY UPDATE n = VALUES(n)"), 3);
    // REPLACE: 1 for the insert plus each row it deleted (here two, by
    // the primary key and by the unique key)
    assert_eq!(affected("REPLACE INTO u VALUES (3, 30)"), 1);
    assert_eq!(affected("REPLACE INTO u VALUES (3, 0)"), 3);
}

fn rows(s: &mut Session, sql: &str) -> Vec<Vec<Value>> {
    match s.execute_one(sql).unwrap() {
        StatementResult::Rows { rows, .. } => rows,
        StatementResult::Affected(_) => panic!("rows expected"),
    }
}

/// A session moved to another image of its store (the browser runtime does
/// it when another tab committed) keeps its settings, as one connection
/// would; its open transaction is not carried over.
#[test]
fn a_reopened_session_keeps_its_settings() {
    let mem = reeldb::MemBackend::new();
    let mut s = Session::new(reeldb::Database::open(Box::new(mem.clone()), reeldb::Options::default()).unwrap());
    s.execute(
        "SET TIMESTAMP = 1700000000; CREATE DATABASE shop; USE shop; \
         CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, n TINYINT); INSERT INTO t (n) VALUES (1), (2); \
         SET sql_mode = ''; SET foreign_key_checks = 0; SET cte_max_recursion_depth = 7; SET @who = 'ann'",
    )
    .unwrap();
    let probe = "SELECT DATABASE(), @@sql_mode, @@foreign_key_checks, @@cte_max_recursion_depth, LAST_INSERT_ID(), \
                 UNIX_TIMESTAMP(), @who";
    s.execute("BEGIN; INSERT INTO t (n) VALUES (3)").unwrap();
    assert!(s.in_transaction());
    // LAST_INSERT_ID() is 3 now, and stays so although the row is lost
    let before = rows(&mut s, probe);
    let db = reeldb::Database::open(Box::new(mem.deep_copy()), reeldb::Options::default()).unwrap();
    let mut r = Session::reopened(s, db);
    assert!(!r.in_transaction());
    assert_eq!(rows(&mut r, probe), before);
    // sql_mode '' still holds: an out-of-range value is clipped, not an error
    r.execute("INSERT INTO t (n) VALUES (1000)").unwrap();
    assert_eq!(rows(&mut r, "SELECT n FROM t ORDER BY id"), [[Value::Int(1)], [Value::Int(2)], [Value::Int(127)]]);
    // a session on a fresh image starts from the defaults
    let mut fresh =
        Session::new(reeldb::Database::open(Box::new(mem.deep_copy()), reeldb::Options::default()).unwrap());
    assert_ne!(rows(&mut fresh, probe), before);
}
