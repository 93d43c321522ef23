#![cfg(not(target_arch = "wasm32"))]
//! Bad input gives typed errors, the failed statement has no effect and the
//! session stays usable.

use reeldb::sql::{Code, Session, StatementResult, Value};

fn count(s: &mut Session, table: &str) -> i64 {
    match s.execute(&format!("SELECT COUNT(*) FROM {table}")).unwrap().pop() {
        Some(StatementResult::Rows { rows, .. }) => match rows[0][0] {
            Value::Int(n) => n,
            ref v => panic!("{v:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn errors_are_typed_and_have_no_effect() {
    let mut s = Session::in_memory();
    s.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(3) NOT NULL)").unwrap();
    s.execute("INSERT INTO t VALUES (1, 'a')").unwrap();
    let cases: &[(&str, Code)] = &[
        ("SELEC 1", Code::ParseError),
        ("SELECT * FROM nope", Code::NoSuchTable),
        ("SELECT nope FROM t", Code::BadField),
        ("INSERT INTO t VALUES (2, 'b'), (1, 'dup')", Code::DupEntry),
        ("INSERT INTO t VALUES (3, NULL)", Code::BadNull),
        ("INSERT INTO t VALUES (4, 'toolong')", Code::DataTooLong),
        ("INSERT INTO t VALUES (5)", Code::WrongValueCount),
        ("USE nodb", Code::BadDb),
        ("CREATE TABLE t (x INT)", Code::TableExists),
        ("SELECT (SELECT id FROM t UNION ALL SELECT 2)", Code::SubqueryNoOneRow),
        ("SELECT nofunc(1)", Code::SpDoesNotExist),
        ("BACKTRACK TO TIMESTAMP '1999-01-01 00:00:00'", Code::BacktrackWindow),
        ("BACKTRACK TO RESTORE POINT missing", Code::NoSuchRestorePoint),
        ("SELECT 9223372036854775807 + 1", Code::DataOutOfRange),
        ("CREATE TABLE k (a INT, KEY `k` (a), UNIQUE KEY `K` (a))", Code::DupKeyName),
        ("CREATE TABLE k (a INT, KEY `k` (nope))", Code::BadField),
    ];
    for (sql, code) in cases {
        let e = s.execute(sql).expect_err(sql);
        assert_eq!(e.code, *code, "{sql}: {e}");
        assert_eq!(count(&mut s, "t"), 1, "{sql} changed the table");
    }
    // division by zero is NULL, as in MySQL
    match s.execute("SELECT 1/0").unwrap().pop() {
        Some(StatementResult::Rows { rows, .. }) => assert!(rows[0][0].is_null()),
        other => panic!("{other:?}"),
    }
    // a failing statement inside a transaction leaves the earlier ones
    s.execute("BEGIN; INSERT INTO t VALUES (2, 'b')").unwrap();
    assert!(s.execute("INSERT INTO t VALUES (2, 'c')").is_err());
    s.execute("COMMIT").unwrap();
    assert_eq!(count(&mut s, "t"), 2);
}
