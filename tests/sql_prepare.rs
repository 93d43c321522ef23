#![cfg(not(target_arch = "wasm32"))]
//! Prepared statements: `?` placeholders kept as parameters, statements
//! reused across schema changes and backtracks, parameter counts checked,
//! results equal to the same statement with literals.

use reeldb::sql::{Code, Session, StatementResult, Value};
use reeldb::Timestamp;

fn rows(r: StatementResult) -> Vec<Vec<Value>> {
    match r {
        StatementResult::Rows { rows, .. } => rows,
        StatementResult::Affected(n) => panic!("rows expected, got Affected({n})"),
    }
}

fn query(s: &mut Session, sql: &str) -> Vec<Vec<Value>> {
    rows(s.execute_one(sql).unwrap())
}

fn session() -> Session {
    let mut s = Session::in_memory();
    s.execute(
        "SET TIMESTAMP = 1000; CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20), k INT, INDEX (k));
         INSERT INTO t VALUES (1, 'one', 10), (2, 'two', 20), (3, 'three', 10), (4, NULL, NULL)",
    )
    .unwrap();
    s
}

fn int(i: i64) -> Value {
    Value::Int(i)
}

fn text(s: &str) -> Value {
    Value::Str(s.into())
}

#[test]
fn results_equal_the_statement_with_literals() {
    let mut s = session();
    let cases: &[(&str, Vec<Value>, &str)] = &[
        ("SELECT name FROM t WHERE id = ?", vec![int(2)], "SELECT name FROM t WHERE id = 2"),
        ("SELECT id FROM t WHERE k = ? ORDER BY id", vec![int(10)], "SELECT id FROM t WHERE k = 10 ORDER BY id"),
        ("SELECT id FROM t WHERE k = ? ORDER BY id", vec![text("10")], "SELECT id FROM t WHERE k = '10' ORDER BY id"),
        ("SELECT id FROM t WHERE k = ?", vec![Value::Null], "SELECT id FROM t WHERE k = NULL"),
        (
            "SELECT id FROM t WHERE id IN (?, ?) ORDER BY 1",
            vec![int(1), int(4)],
            "SELECT id FROM t WHERE id IN (1, 4) ORDER BY 1",
        ),
        (
            "SELECT id FROM t WHERE id BETWEEN ? AND ? ORDER BY 1",
            vec![int(2), int(3)],
            "SELECT id FROM t WHERE id BETWEEN 2 AND 3 ORDER BY 1",
        ),
        (
            "SELECT id FROM t WHERE id > ? ORDER BY 1",
            vec![Value::Double(1.5)],
            "SELECT id FROM t WHERE id > 1.5e0 ORDER BY 1",
        ),
        (
            "SELECT ? + 1, CONCAT(?, 'x'), ? IS NULL",
            vec![int(41), text("a"), Value::Null],
            "SELECT 41 + 1, CONCAT('a', 'x'), NULL IS NULL",
        ),
        (
            "SELECT id FROM t ORDER BY id LIMIT ? OFFSET ?",
            vec![int(2), int(1)],
            "SELECT id FROM t ORDER BY id LIMIT 2 OFFSET 1",
        ),
        (
            "SELECT name FROM t WHERE id = (SELECT MAX(id) FROM t WHERE k = ?)",
            vec![int(10)],
            "SELECT name FROM t WHERE id = (SELECT MAX(id) FROM t WHERE k = 10)",
        ),
        (
            "SELECT k, COUNT(*) FROM t GROUP BY k HAVING COUNT(*) > ? ORDER BY k",
            vec![int(1)],
            "SELECT k, COUNT(*) FROM t GROUP BY k HAVING COUNT(*) > 1 ORDER BY k",
        ),
        (
            "SELECT id FROM t WHERE name LIKE ? ORDER BY id",
            vec![text("t%")],
            "SELECT id FROM t WHERE name LIKE 't%' ORDER BY id",
        ),
        ("SELECT '?', `id` FROM t WHERE id = ? -- ?", vec![int(1)], "SELECT '?', `id` FROM t WHERE id = 1"),
    ];
    for (sql, params, literal) in cases {
        let p = Session::prepare(sql).unwrap();
        assert_eq!(p.param_count(), params.len(), "{sql}");
        let want = query(&mut s, literal);
        for _ in 0..2 {
            assert_eq!(rows(p.execute(&mut s, params).unwrap()), want, "{sql} with {params:?}");
        }
        assert_eq!(rows(s.execute_with_params(sql, params).unwrap()), want, "{sql}");
    }
}

#[test]
fn one_statement_runs_with_different_parameters() {
    let mut s = session();
    let p = Session::prepare("SELECT name FROM t WHERE id = ?").unwrap();
    for (id, name) in [(1, text("one")), (2, text("two")), (3, text("three")), (4, Value::Null)] {
        assert_eq!(rows(p.execute(&mut s, &[int(id)]).unwrap()), vec![vec![name]]);
    }
    assert!(rows(p.execute(&mut s, &[int(9)]).unwrap()).is_empty());
    assert_eq!(p.columns(&mut s).unwrap(), vec!["name"]);
}

#[test]
fn writes_take_parameters() {
    let mut s = session();
    let ins = Session::prepare("INSERT INTO t (id, name, k) VALUES (?, ?, ?)").unwrap();
    for i in 10..20 {
        assert_eq!(
            ins.execute(&mut s, &[int(i), text(&format!("n{i}")), int(i % 3)]).unwrap(),
            StatementResult::Affected(1)
        );
    }
    let upd = Session::prepare("UPDATE t SET name = ? WHERE k = ? AND id >= ?").unwrap();
    assert_eq!(upd.execute(&mut s, &[text("z"), int(0), int(10)]).unwrap(), StatementResult::Affected(3));
    let del = Session::prepare("DELETE FROM t WHERE id = ?").unwrap();
    assert_eq!(del.execute(&mut s, &[int(12)]).unwrap(), StatementResult::Affected(1));
    assert_eq!(query(&mut s, "SELECT COUNT(*) FROM t WHERE id >= 10"), vec![vec![int(9)]]);
    assert_eq!(query(&mut s, "SELECT id FROM t WHERE name = 'z' ORDER BY id"), vec![vec![int(15)], vec![int(18)]]);
    // A failed execution has no effect and the statement stays usable.
    let e = ins.execute(&mut s, &[int(10), text("dup"), int(0)]).unwrap_err();
    assert_eq!(e.code, Code::DupEntry);
    assert_eq!(ins.execute(&mut s, &[int(30), Value::Null, Value::Null]).unwrap(), StatementResult::Affected(1));
}

#[test]
fn wrong_parameter_counts_fail_with_a_code() {
    let mut s = session();
    let p = Session::prepare("SELECT name FROM t WHERE id = ? OR id = ?").unwrap();
    assert_eq!(p.param_count(), 2);
    for params in [vec![], vec![int(1)], vec![int(1), int(2), int(3)]] {
        let e = p.execute(&mut s, &params).unwrap_err();
        assert_eq!(e.code, Code::WrongArguments, "{params:?}");
        assert_eq!(e.code.number(), Some(1210));
    }
    let e = s.execute_with_params("SELECT 1", &[int(1)]).unwrap_err();
    assert_eq!(e.code, Code::WrongArguments);
    // A statement without parameters run without any is fine.
    assert_eq!(rows(s.execute_with_params("SELECT 1", &[]).unwrap()), vec![vec![int(1)]]);
    // A statement run as plain SQL has no parameters to give.
    assert_eq!(s.execute_one("SELECT ?").unwrap_err().code, Code::WrongArguments);
}

#[test]
fn statements_survive_schema_changes() {
    let mut s = session();
    let p = Session::prepare("SELECT * FROM t WHERE id = ?").unwrap();
    assert_eq!(rows(p.execute(&mut s, &[int(1)]).unwrap()), vec![vec![int(1), text("one"), int(10)]]);
    s.execute("ALTER TABLE t ADD COLUMN extra INT DEFAULT 7").unwrap();
    assert_eq!(rows(p.execute(&mut s, &[int(1)]).unwrap()), vec![vec![int(1), text("one"), int(10), int(7)]]);
    assert_eq!(p.columns(&mut s).unwrap(), vec!["id", "name", "k", "extra"]);
    s.execute("DROP TABLE t").unwrap();
    assert_eq!(p.execute(&mut s, &[int(1)]).unwrap_err().code, Code::NoSuchTable);
    s.execute("CREATE TABLE t (id VARCHAR(5) PRIMARY KEY); INSERT INTO t VALUES ('1'), ('x')").unwrap();
    assert_eq!(rows(p.execute(&mut s, &[text("x")]).unwrap()), vec![vec![text("x")]]);
    // The cache of recent statements sees the same schema as a new statement.
    assert_eq!(
        rows(s.execute_with_params("SELECT * FROM t WHERE id = ?", &[text("1")]).unwrap()),
        vec![vec![text("1")]]
    );
}

#[test]
fn statements_survive_a_backtrack_to_before_a_create() {
    let mut s = session();
    s.execute("SET TIMESTAMP = 2000; CREATE TABLE u (a INT PRIMARY KEY, b INT); INSERT INTO u VALUES (1, 100)")
        .unwrap();
    let sql = "SELECT b FROM u WHERE a = ?";
    let p = Session::prepare(sql).unwrap();
    assert_eq!(rows(p.execute(&mut s, &[int(1)]).unwrap()), vec![vec![int(100)]]);
    assert_eq!(rows(s.execute_with_params(sql, &[int(1)]).unwrap()), vec![vec![int(100)]]);
    s.execute("SET TIMESTAMP = 3000; BACKTRACK TO TIMESTAMP '1970-01-01 00:25:00'").unwrap();
    assert_eq!(p.execute(&mut s, &[int(1)]).unwrap_err().code, Code::NoSuchTable);
    assert_eq!(s.execute_with_params(sql, &[int(1)]).unwrap_err().code, Code::NoSuchTable);
    s.execute(
        "SET TIMESTAMP = 4000; CREATE TABLE u (a INT PRIMARY KEY, b VARCHAR(3)); INSERT INTO u VALUES (1, 'new')",
    )
    .unwrap();
    assert_eq!(rows(p.execute(&mut s, &[int(1)]).unwrap()), vec![vec![text("new")]]);
    assert_eq!(rows(s.execute_with_params(sql, &[int(1)]).unwrap()), vec![vec![text("new")]]);
}

#[test]
fn statements_see_data_committed_since_the_last_execution() {
    let mut s = session();
    let p = Session::prepare("SELECT COUNT(*) FROM t WHERE k = ?").unwrap();
    let sub = Session::prepare("SELECT COUNT(*) FROM t WHERE id IN (SELECT id FROM t WHERE k = ?)").unwrap();
    assert_eq!(rows(p.execute(&mut s, &[int(10)]).unwrap()), vec![vec![int(2)]]);
    assert_eq!(rows(sub.execute(&mut s, &[int(10)]).unwrap()), vec![vec![int(2)]]);
    s.execute("INSERT INTO t VALUES (5, 'five', 10)").unwrap();
    assert_eq!(rows(p.execute(&mut s, &[int(10)]).unwrap()), vec![vec![int(3)]]);
    assert_eq!(rows(sub.execute(&mut s, &[int(10)]).unwrap()), vec![vec![int(3)]]);
    assert_eq!(rows(sub.execute(&mut s, &[int(20)]).unwrap()), vec![vec![int(1)]]);
}

#[test]
fn time_and_transaction_statements_take_parameters() {
    let mut s = session();
    let set = Session::prepare("SET TIMESTAMP = ?").unwrap();
    set.execute(&mut s, &[int(5000)]).unwrap();
    assert_eq!(s.database().now(), Timestamp::from_secs(5000));
    s.execute("DELETE FROM t").unwrap();
    let asof = Session::prepare("SELECT COUNT(*) FROM t FOR SYSTEM_TIME AS OF ?").unwrap();
    assert_eq!(rows(asof.execute(&mut s, &[text("1970-01-01 00:30:00")]).unwrap()), vec![vec![int(4)]]);
    let bt = Session::prepare("BACKTRACK TO ?").unwrap();
    bt.execute(&mut s, &[text("1970-01-01 00:30:00")]).unwrap();
    assert_eq!(query(&mut s, "SELECT COUNT(*) FROM t"), vec![vec![int(4)]]);
    assert_eq!(bt.execute(&mut s, &[]).unwrap_err().code, Code::WrongArguments);
}

#[test]
fn views_cannot_hold_parameters() {
    let mut s = session();
    let e = s.execute_with_params("CREATE VIEW v AS SELECT id FROM t WHERE id = ?", &[int(1)]).unwrap_err();
    assert_eq!(e.code, Code::ViewSelectVariable);
    assert_eq!(s.execute_one("CREATE VIEW v AS SELECT ?").unwrap_err().code, Code::ViewSelectVariable);
}

#[test]
fn statements_that_do_not_parse_fail_at_prepare() {
    assert!(Session::prepare("SELEC ?").is_err());
    assert!(Session::prepare("SELECT * FROM ?").is_err());
}

/// A prepared query keeps its plan, and every execution with the kept plan
/// answers what the same statement with literals answers, through each
/// kind of change that may make the plan wrong: data, schema, indexes,
/// views, transactions and savepoints, a backtrack, the current database
/// and `sql_mode`.
#[test]
fn kept_plans_follow_every_change() {
    let mut s = session();
    s.execute("CREATE DATABASE other; CREATE TABLE other.t (id INT PRIMARY KEY, name VARCHAR(20), k INT)").unwrap();
    s.execute("INSERT INTO other.t VALUES (1, 'elsewhere', 5)").unwrap();
    s.execute("CREATE VIEW v AS SELECT id, name FROM t WHERE k = 10").unwrap();
    let prepared: &[(&str, &str)] = &[
        ("SELECT * FROM t WHERE id = ?", "2"),
        ("SELECT name FROM t WHERE k = ? ORDER BY id", "10"),
        ("SELECT k, COUNT(*), MAX(name) FROM t WHERE id > ? GROUP BY k ORDER BY k", "0"),
        ("SELECT * FROM v WHERE id >= ? ORDER BY id", "1"),
        ("SELECT t.id, u.name FROM t JOIN t u ON u.k = t.k WHERE t.id = ? ORDER BY 1, 2", "1"),
    ];
    let check = |s: &mut Session, step: &str| {
        for (sql, arg) in prepared {
            let literal = sql.replace('?', arg);
            let want = s.execute_one(&literal).map(rows).map_err(|e| e.code);
            let p = s.prepare_cached(sql).unwrap();
            let got = p.execute(s, &[Value::Int(arg.parse().unwrap())]).map(rows).map_err(|e| e.code);
            assert_eq!(got, want, "after {step}: {sql}");
        }
    };
    check(&mut s, "the set-up");
    let p = s.prepare_cached(prepared[0].0).unwrap();
    assert!(p.has_plan(), "a plain lookup keeps its plan");
    let t0 = Timestamp::from_secs(1500);
    let steps = [
        "SET TIMESTAMP = 2000; INSERT INTO t VALUES (5, 'five', 10)",
        "UPDATE t SET name = 'TWO' WHERE id = 2",
        "DELETE FROM t WHERE id = 3",
        "ALTER TABLE t ADD COLUMN extra INT DEFAULT 7",
        "CREATE INDEX ix_name ON t (name)",
        "ALTER TABLE t DROP COLUMN extra",
        "CREATE OR REPLACE VIEW v AS SELECT id, UPPER(name) AS name FROM t WHERE k = 10",
        "BEGIN",
        "INSERT INTO t VALUES (6, 'six', 10)",
        "SAVEPOINT a",
        "UPDATE t SET k = 10 WHERE id = 2",
        "ROLLBACK TO SAVEPOINT a",
        "DELETE FROM t WHERE id = 1",
        "ROLLBACK",
        "DROP TABLE t",
        "CREATE TABLE t (id INT PRIMARY KEY, k INT, name VARCHAR(20))",
        "INSERT INTO t VALUES (2, 10, 'new two'), (1, 10, 'new one')",
        "USE other",
        "USE main",
        "SET sql_mode = 'ONLY_FULL_GROUP_BY'",
        "SET sql_mode = ''",
    ];
    for step in steps {
        s.execute(step).unwrap_or_else(|e| panic!("{step}: {e}"));
        check(&mut s, step);
    }
    s.backtrack(reeldb::BacktrackTarget::Time(t0), true).unwrap();
    check(&mut s, "a backtrack");
}

/// A plan that depends on more than the data, the catalogue and the
/// settings is not kept: binding read the clock, a parameter's value, a
/// variable, information_schema or a past time.
#[test]
fn plans_that_read_the_moment_are_not_kept() {
    let mut s = session();
    s.execute("SET @v = 1").unwrap();
    for sql in [
        "SELECT NOW(), id FROM t WHERE id = ?",
        "SELECT id FROM t ORDER BY id LIMIT ?",
        "SELECT @v + id FROM t WHERE id = ?",
        "SELECT @@sql_mode, id FROM t WHERE id = ?",
        "SELECT table_name FROM information_schema.tables WHERE LENGTH(table_name) > ?",
        "SELECT id FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2030-01-01 00:00:00' WHERE id = ?",
    ] {
        let p = Session::prepare(sql).unwrap();
        p.execute(&mut s, &[int(1)]).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert!(!p.has_plan(), "{sql}");
    }
    // a user variable's new value is seen
    let p = Session::prepare("SELECT @v + ?").unwrap();
    assert_eq!(rows(p.execute(&mut s, &[int(1)]).unwrap()), vec![vec![int(2)]]);
    s.execute("SET @v = 10").unwrap();
    assert_eq!(rows(p.execute(&mut s, &[int(1)]).unwrap()), vec![vec![int(11)]]);
    // a kept plan answers with the new parameter values
    let p = Session::prepare("SELECT name FROM t WHERE id = ?").unwrap();
    for (id, name) in [(1, "one"), (2, "two"), (3, "three")] {
        assert_eq!(rows(p.execute(&mut s, &[int(id)]).unwrap()), vec![vec![text(name)]]);
        assert!(p.has_plan());
    }
}
