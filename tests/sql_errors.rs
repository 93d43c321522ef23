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
        ("CREATE TABLE k (a INT, KEY `k` (nope))", Code::KeyColumnDoesNotExist),
        ("DROP TABLE nope", Code::BadTable),
        ("DROP DATABASE nodb", Code::DbDropExists),
        ("SELECT x.* FROM t", Code::BadTable),
        ("SELECT *", Code::NoTablesUsed),
        ("SELECT * FROM nodb.t", Code::NoSuchTable),
        ("INSERT INTO t VALUES ('abc', 'b')", Code::TruncatedWrongValueForField),
        ("INSERT INTO t VALUES ('12abc', 'b')", Code::WarnDataTruncated),
        ("SELECT id FROM t UNION SELECT id, v FROM t", Code::WrongNumberOfColumnsInSelect),
        ("CREATE VIEW w (a, b) AS SELECT id FROM t", Code::ViewWrongList),
        ("SELECT 1 FROM t JOIN t ON 1 = 1", Code::NonUniqTable),
        ("ALTER TABLE t ADD PRIMARY KEY (v)", Code::MultiplePriKey),
        ("CREATE TABLE k (a NOSUCHTYPE)", Code::ParseError),
    ];
    for (sql, code) in cases {
        let e = s.execute(sql).expect_err(sql);
        assert_eq!(e.code, *code, "{sql}: {e}");
        assert_eq!(e.code.sqlstate().len(), 5, "{sql}: {e}");
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

fn rows(s: &mut Session, sql: &str) -> Vec<Vec<Value>> {
    match s.execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}")).pop() {
        Some(StatementResult::Rows { rows, .. }) => rows,
        other => panic!("{sql}: {other:?}"),
    }
}

#[test]
fn every_time_argument_reads_one_syntax_and_names_a_bad_literal() {
    let mut s = Session::in_memory();
    // SET TIMESTAMP takes seconds since the epoch, or a time
    s.execute("SET TIMESTAMP = '2020-12-24T14:45:00Z'").unwrap();
    s.execute("CREATE TABLE p (id INT PRIMARY KEY)").unwrap();
    s.execute("SET TIMESTAMP = 1608821400").unwrap(); // 14:50:00 UTC
    s.execute("INSERT INTO p VALUES (1)").unwrap();
    s.execute("SET TIMESTAMP = '2020-12-24 16:55:00+02:00'").unwrap();
    s.execute("INSERT INTO p VALUES (2)").unwrap();
    assert_eq!(rows(&mut s, "SELECT @@timestamp")[0][0].to_string(), "1608821700");

    // the same instant, written five ways, in AS OF
    for t in [
        "TIMESTAMP '2020-12-24 14:52:00'",
        "TIMESTAMP '2020-12-24T14:52:00Z'",
        "'2020-12-24T15:52:00+01:00'",
        "DATETIME '2020-12-24T09:22:00.000-05:30'",
        "1608821520",
    ] {
        let r = rows(&mut s, &format!("SELECT COUNT(*) FROM p FOR SYSTEM_TIME AS OF {t}"));
        assert_eq!(r[0][0], Value::Int(1), "{t}");
    }
    let r = rows(
        &mut s,
        "SELECT change, id FROM reeldb_diff('p', TIMESTAMP '2020-12-24T14:52:00Z', '2020-12-24T16:55:00+02:00')",
    );
    assert_eq!(r, vec![vec![Value::Str("added".into()), Value::Int(2)]]);

    let bad = [
        ("SELECT * FROM p FOR SYSTEM_TIME AS OF TIMESTAMP '2020-12-24 25:00:00'", "'2020-12-24 25:00:00'"),
        ("SELECT * FROM p FOR SYSTEM_TIME AS OF '2020-12-24T14:52:00+15:00'", "'2020-12-24T14:52:00+15:00'"),
        ("SELECT * FROM p FOR SYSTEM_TIME AS OF NULL", "NULL"),
        ("SELECT * FROM p FOR SYSTEM_TIME BETWEEN 'yesterday' AND NOW()", "'yesterday'"),
        ("SELECT * FROM reeldb_diff('p', TIMESTAMP 'noon', NOW())", "'noon'"),
        ("SELECT * FROM reeldb_diff('p', NOW(), '2020-12-24Z')", "'2020-12-24Z'"),
        ("BACKTRACK TO TIMESTAMP '2020-12-24T14:50:00 Z'", "'2020-12-24T14:50:00 Z'"),
        ("SET TIMESTAMP = '2020-02-30 00:00:00'", "'2020-02-30 00:00:00'"),
        ("SELECT * FROM information_schema.tables FOR SYSTEM_TIME AS OF 'then'", "'then'"),
    ];
    for (sql, literal) in bad {
        let e = s.execute(sql).expect_err(sql);
        assert_eq!(e.code, Code::BadTime, "{sql}: {e}");
        assert!(e.message.starts_with(&format!("{literal} is not a time")), "{sql}: {e}");
        assert_eq!(e.to_string().split(':').next(), Some("ER_BAD_TIME"));
        assert_eq!(count(&mut s, "p"), 2, "{sql} changed the table");
    }
    // a failed SET TIMESTAMP left the clock alone
    assert_eq!(rows(&mut s, "SELECT @@timestamp")[0][0].to_string(), "1608821700");

    // the catalog has a past; the timeline has none
    let e = s.execute("SELECT * FROM information_schema.timeline FOR SYSTEM_TIME AS OF NOW()").unwrap_err();
    assert_eq!(e.code, Code::NotSupported, "{e}");
    let r =
        rows(&mut s, "SELECT table_name FROM information_schema.tables FOR SYSTEM_TIME AS OF '2020-12-24T14:44:59Z'");
    assert!(r.is_empty(), "{r:?}");

    // BACKTRACK TO TIMESTAMP with an offset goes to that instant
    s.execute("BACKTRACK TO TIMESTAMP '2020-12-24T15:52:00+01:00'").unwrap();
    assert_eq!(count(&mut s, "p"), 1);
}

#[test]
fn codes_carry_mysql_numbers_and_sqlstates() {
    assert_eq!((Code::ParseError.number(), Code::ParseError.sqlstate()), (Some(1064), "42000"));
    assert_eq!((Code::BadTable.name(), Code::BadTable.number()), ("ER_BAD_TABLE_ERROR", Some(1051)));
    assert_eq!((Code::NoDbError.number(), Code::NoDbError.sqlstate()), (Some(1046), "3D000"));
    assert_eq!((Code::WarnDataOutOfRange.number(), Code::WarnDataOutOfRange.sqlstate()), (Some(1264), "22003"));
    assert_eq!((Code::WarnDataTruncated.name(), Code::WarnDataTruncated.sqlstate()), ("WARN_DATA_TRUNCATED", "01000"));
    assert_eq!((Code::BacktrackWindow.number(), Code::BacktrackWindow.sqlstate()), (None, "HY000"));
}

#[test]
fn an_expression_nested_past_the_limit_is_an_error_not_a_crash() {
    // A debug build spends far more stack per level than a release build:
    // run on a thread with room for the deepest expression allowed.
    let run = || {
        let mut s = Session::in_memory();
        s.execute("CREATE TABLE t (a INT)").unwrap();
        s.execute("INSERT INTO t VALUES (1), (2)").unwrap();
        let chain = |n: usize| vec!["a = 1"; n].join(" AND ");
        // 998 ANDs over comparisons of a column: 1,000 levels, the most allowed
        let ok = format!("SELECT COUNT(*) FROM t WHERE {}", chain(999));
        assert!(s.execute(&ok).is_ok());
        for n in [1000, 50_000] {
            let e = s.execute(&format!("SELECT COUNT(*) FROM t WHERE {}", chain(n))).unwrap_err();
            assert_eq!(e.code, Code::ParseError, "{n} conjuncts");
            assert!(e.message.contains("nested too deeply"), "{}", e.message);
        }
        let sum = format!("SELECT {}", vec!["1"; 5000].join(" + "));
        assert_eq!(s.execute(&sum).unwrap_err().code, Code::ParseError);
        // Prefix words and parentheses nest in the parser itself, which reads
        // at most 200 levels: past it the error says so (a reserved word whose
        // expression failed is not read again as a column name).
        let nots = |n: usize| format!("SELECT {}1", "NOT ".repeat(n));
        let cases = |n: usize| format!("SELECT {}1{}", "CASE WHEN 1 THEN ".repeat(n), " END".repeat(n));
        let parens = |n: usize| format!("SELECT {}1{}", "(".repeat(n), ")".repeat(n));
        for sql in [nots(100), cases(100), parens(100)] {
            assert!(s.execute(&sql).is_ok(), "{sql}");
        }
        for sql in [nots(250), cases(250), parens(250)] {
            let e = s.execute(&sql).unwrap_err();
            assert_eq!(e.code, Code::ParseError, "{sql}");
            assert!(e.message.contains("nested too deeply"), "{}", e.message);
        }
        assert_eq!(count(&mut s, "t"), 2, "the session stays usable");
    };
    std::thread::Builder::new().stack_size(256 << 20).spawn(run).unwrap().join().unwrap();
}
