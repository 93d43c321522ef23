#![cfg(not(target_arch = "wasm32"))]
//! `Session::execute_atomically` (what `importSql` runs): a script is one
//! transaction, one timeline entry, all or nothing; and
//! `Session::execute_if_read_only` (how a tab without the writer lock reads).

use reeldb::sql::{Session, StatementResult, Value};

fn int(s: &mut Session, sql: &str) -> i64 {
    match s.execute(sql).unwrap().pop() {
        Some(StatementResult::Rows { rows, .. }) => match rows[0][0] {
            Value::Int(n) => n,
            ref v => panic!("{v:?}"),
        },
        other => panic!("{other:?}"),
    }
}

fn entries(s: &mut Session) -> i64 {
    int(s, "SELECT COUNT(*) FROM information_schema.timeline")
}

fn tables(s: &mut Session) -> i64 {
    int(s, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema NOT IN ('information_schema')")
}

const DUMP: &str = "CREATE DATABASE IF NOT EXISTS shop; USE shop;
    CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(20));
    INSERT INTO p VALUES (1, 'a'), (2, 'b');
    CREATE VIEW named AS SELECT name FROM p;
    USE main";

#[test]
fn a_script_is_one_timeline_entry() {
    let mut s = Session::in_memory();
    let before = entries(&mut s);
    let results = s.execute_atomically(DUMP).unwrap();
    assert_eq!(results.len(), 6);
    assert_eq!(entries(&mut s), before + 1);
    assert_eq!(int(&mut s, "SELECT COUNT(*) FROM shop.named"), 2);
    assert!(!s.in_transaction());
}

#[test]
fn a_failing_statement_undoes_the_whole_script() {
    let mut s = Session::in_memory();
    s.execute("CREATE TABLE keep (id INT PRIMARY KEY); INSERT INTO keep VALUES (1)").unwrap();
    let (before, tables_before) = (entries(&mut s), tables(&mut s));
    let err = s
        .execute_atomically(
            "CREATE TABLE gone (id INT PRIMARY KEY); INSERT INTO gone VALUES (1); INSERT INTO keep VALUES (1)",
        )
        .unwrap_err();
    assert_eq!(err.code.name(), "ER_DUP_ENTRY", "{err}");
    assert_eq!((entries(&mut s), tables(&mut s)), (before, tables_before));
    assert!(!s.in_transaction());
    // A script that does not parse runs nothing.
    assert!(s.execute_atomically("INSERT INTO keep VALUES (2); SELEC nonsense").is_err());
    assert_eq!(int(&mut s, "SELECT COUNT(*) FROM keep"), 1);
    assert_eq!(entries(&mut s), before);
}

#[test]
fn scripts_with_their_own_transactions_run_statement_by_statement() {
    let mut s = Session::in_memory();
    s.execute("CREATE TABLE t (id INT PRIMARY KEY)").unwrap();
    let before = entries(&mut s);
    s.execute_atomically("BEGIN; INSERT INTO t VALUES (1); COMMIT; INSERT INTO t VALUES (2)").unwrap();
    assert_eq!(entries(&mut s), before + 2);
    // Inside an open transaction the script joins it.
    s.execute("BEGIN").unwrap();
    s.execute_atomically("INSERT INTO t VALUES (3); INSERT INTO t VALUES (4)").unwrap();
    assert!(s.in_transaction());
    s.execute("ROLLBACK").unwrap();
    assert_eq!(int(&mut s, "SELECT COUNT(*) FROM t"), 2);
}

#[test]
fn a_read_only_script_runs_and_anything_else_runs_nothing() {
    let mut s = Session::in_memory();
    s.execute(DUMP).unwrap();
    let entries_before = entries(&mut s);
    let pages_before = s.database().storage_stats().pages;

    let out = s.execute_if_read_only("USE shop; SELECT COUNT(*) FROM p; SHOW TABLES").unwrap().expect("reads only");
    assert_eq!(out.len(), 3);
    assert!(matches!(&out[1], StatementResult::Rows { rows, .. } if rows[0][0] == Value::Int(2)));
    assert_eq!(s.current_database(), "shop");

    // A write anywhere in the script: nothing runs, not even the reads before it.
    for script in [
        "USE main; INSERT INTO shop.p VALUES (3, 'c')",
        "SELECT 1; DELETE FROM p",
        "BEGIN",
        "SET TIMESTAMP = 1",
        "SELECT 1; SELEC 2",
    ] {
        assert!(s.execute_if_read_only(script).unwrap().is_none(), "{script}");
        assert_eq!(s.current_database(), "shop", "{script}");
    }
    assert_eq!(int(&mut s, "SELECT COUNT(*) FROM p"), 2);
    assert_eq!(entries(&mut s), entries_before);
    assert_eq!(s.database().storage_stats().pages, pages_before);

    // A failing read is an error, as with execute.
    assert!(s.execute_if_read_only("SELECT * FROM missing").is_err());
}
