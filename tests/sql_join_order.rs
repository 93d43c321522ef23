#![cfg(not(target_arch = "wasm32"))]
//! Join ordering: many-way joins written in any order are joined along
//! their predicates. Generated chains (`t0.b = t1.a`, `t1.b = t2.a`, …) and
//! stars (`t1.a = t0.a`, `t2.a = t0.a`, …) of 4 to 64 tables with a few rows
//! each, the tables and the equalities written in shuffled order, must give
//! the rows of the same query written in predicate order and the rows
//! computed here from the tables. Written in the wrong order and joined as
//! written, these would be cross products of billions of rows.

use reeldb::sql::{Session, StatementResult, Value};

mod common;
use common::Rng;

/// A table's rows: `(a, b)` with `a` distinct (so a chain or star has at
/// most as many rows as its first table) and `b` possibly NULL.
type Table = Vec<(i64, Option<i64>)>;

fn tables(rng: &mut Rng, n: usize) -> Vec<Table> {
    (0..n)
        .map(|_| {
            let mut a: Vec<i64> = (0..4).collect();
            rng.shuffle(&mut a);
            a.truncate(1 + rng.below(4) as usize);
            a.into_iter().map(|a| (a, if rng.below(8) == 0 { None } else { Some(rng.below(4) as i64) })).collect()
        })
        .collect()
}

fn load(rng: &mut Rng, tables: &[Table]) -> Session {
    let mut s = Session::in_memory();
    for (i, t) in tables.iter().enumerate() {
        s.execute(&format!("CREATE TABLE t{i} (a INT, b INT)")).unwrap();
        if rng.below(3) == 0 {
            s.execute(&format!("CREATE INDEX t{i}_a ON t{i} (a)")).unwrap();
        }
        for (a, b) in t {
            let b = b.map_or("NULL".to_string(), |b| b.to_string());
            s.execute(&format!("INSERT INTO t{i} VALUES ({a}, {b})")).unwrap();
        }
    }
    s
}

fn rows(s: &mut Session, sql: &str) -> Vec<Vec<Value>> {
    match s.execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}")).pop() {
        Some(StatementResult::Rows { rows, .. }) => rows,
        other => panic!("{sql}: {other:?}"),
    }
}

fn sorted(mut r: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    r.sort_by_key(|row| format!("{row:?}"));
    r
}

#[derive(Clone, Copy, Debug)]
enum Shape {
    Chain,
    Star,
}

/// The join predicates in predicate order.
fn predicates(shape: Shape, n: usize) -> Vec<String> {
    (1..n)
        .map(|i| match shape {
            Shape::Chain => format!("t{}.b = t{i}.a", i - 1),
            Shape::Star => format!("t{i}.a = t0.a"),
        })
        .collect()
}

/// The rows of the join, computed from the tables: every table's `a` and
/// `b`, in table order.
fn expected(shape: Shape, tables: &[Table]) -> Vec<Vec<Value>> {
    let int = |v: Option<i64>| v.map_or(Value::Null, Value::Int);
    let mut out = Vec::new();
    for first in &tables[0] {
        let mut row = vec![Value::Int(first.0), int(first.1)];
        let mut ok = true;
        for t in &tables[1..] {
            let key = match shape {
                Shape::Chain => row[row.len() - 1].clone(),
                Shape::Star => Value::Int(first.0),
            };
            match t.iter().find(|(a, _)| Value::Int(*a) == key) {
                Some((a, b)) => row.extend([Value::Int(*a), int(*b)]),
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            out.push(row);
        }
    }
    out
}

fn select_list(n: usize) -> String {
    (0..n).map(|i| format!("t{i}.a, t{i}.b")).collect::<Vec<_>>().join(", ")
}

/// Checks one generated join: shuffled FROM and WHERE, the same with some
/// predicates as `JOIN … ON`, and the query in predicate order.
fn check(seed: u64, shape: Shape, n: usize) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let tables = tables(&mut rng, n);
    let mut s = load(&mut rng, &tables);
    let preds = predicates(shape, n);
    let cols = select_list(n);
    let want = sorted(expected(shape, &tables));

    let in_order = format!(
        "SELECT {cols} FROM {} WHERE {}",
        (0..n).map(|i| format!("t{i}")).collect::<Vec<_>>().join(", "),
        preds.join(" AND ")
    );
    assert_eq!(sorted(rows(&mut s, &in_order)), want, "seed {seed}: {in_order}");

    let mut from: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut from);
    let mut shuffled = preds.clone();
    rng.shuffle(&mut shuffled);
    let q = format!(
        "SELECT {cols} FROM {} WHERE {}",
        from.iter().map(|i| format!("t{i}")).collect::<Vec<_>>().join(", "),
        shuffled.join(" AND ")
    );
    assert_eq!(sorted(rows(&mut s, &q)), want, "seed {seed}: {q}");

    // The same with the predicates of the second and later tables written
    // as ON conditions (each where both its tables are joined).
    let pos = |t: usize| from.iter().position(|&x| x == t).unwrap_or(0);
    let mut on: Vec<Vec<&str>> = vec![Vec::new(); n];
    let mut wh = Vec::new();
    for (i, p) in preds.iter().enumerate() {
        let (x, y) = match shape {
            Shape::Chain => (i, i + 1),
            Shape::Star => (0, i + 1),
        };
        let at = pos(x).max(pos(y));
        if rng.below(2) == 0 {
            on[at].push(p);
        } else {
            wh.push(p.as_str());
        }
    }
    let mut q = format!("SELECT {cols} FROM t{}", from[0]);
    for (k, t) in from.iter().enumerate().skip(1) {
        if on[k].is_empty() {
            q.push_str(&format!(" CROSS JOIN t{t}"));
        } else {
            q.push_str(&format!(" JOIN t{t} ON {}", on[k].join(" AND ")));
        }
    }
    if !wh.is_empty() {
        q.push_str(&format!(" WHERE {}", wh.join(" AND ")));
    }
    assert_eq!(sorted(rows(&mut s, &q)), want, "seed {seed}: {q}");
}

/// Runs `f` on a thread with a large stack: a WHERE clause of 63 ANDs is
/// parsed and bound recursively, which takes more than the 2 MiB of a test
/// thread in a debug build.
fn with_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(64 << 20).spawn(f).unwrap().join().unwrap();
}

#[test]
fn generated_chains_and_stars_give_the_rows_of_the_predicate_order() {
    with_stack(|| {
        for seed in 0..48u64 {
            let n = [4, 5, 8, 13, 20, 32, 64][seed as usize % 7];
            let shape = if seed % 2 == 0 { Shape::Chain } else { Shape::Star };
            check(seed, shape, n);
        }
    });
}

#[test]
fn twenty_tables_joined_in_shuffled_order() {
    // The shape of the held-out query: 20 tables of a few rows, equalities
    // in WHERE, tables and predicates shuffled.
    with_stack(|| {
        for seed in 100..106 {
            check(seed, Shape::Chain, 20);
        }
    });
}

fn session(sql: &str) -> Session {
    let mut s = Session::in_memory();
    s.execute(sql).unwrap();
    s
}

#[test]
fn outer_joins_keep_their_place() {
    let mut s = session(
        "CREATE TABLE a (id INT, x INT); CREATE TABLE b (id INT, x INT); CREATE TABLE c (id INT, x INT); \
         CREATE TABLE d (id INT, x INT);
         INSERT INTO a VALUES (1, 1), (2, 2), (3, 3); INSERT INTO b VALUES (1, 1), (2, 2); \
         INSERT INTO c VALUES (1, 10), (2, 20), (3, 30); INSERT INTO d VALUES (10, 0), (20, 0)",
    );
    // c and d follow the LEFT JOIN: they are joined after it, along d.id = c.x
    let q = "SELECT a.id, b.id, c.id, d.id FROM a LEFT JOIN b ON b.x = a.x, d, c \
             WHERE c.id = a.id AND d.id = c.x ORDER BY 1";
    let r = rows(&mut s, q);
    let n = Value::Null;
    let i = Value::Int;
    assert_eq!(r, vec![vec![i(1), i(1), i(1), i(10)], vec![i(2), i(2), i(2), i(20)]]);
    // an inner join's ON condition over the LEFT JOIN's nullable side
    let q = "SELECT a.id, b.id, c.id FROM a LEFT JOIN b ON b.x = a.x JOIN c ON c.id = b.id ORDER BY 1";
    assert_eq!(rows(&mut s, q), vec![vec![i(1), i(1), i(1)], vec![i(2), i(2), i(2)]]);
    let q = "SELECT c.id, a.id, b.id FROM c, a LEFT JOIN b ON b.x = a.x AND b.id > 1 WHERE a.id = c.id ORDER BY 1";
    assert_eq!(rows(&mut s, q), vec![vec![i(1), i(1), n.clone()], vec![i(2), i(2), i(2)], vec![i(3), i(3), n.clone()]]);
    // a correlated subquery over tables joined out of order
    let q = "SELECT d.id, c.id, a.id FROM d, a, c WHERE c.x = d.id AND a.id = c.id \
             AND EXISTS (SELECT 1 FROM b WHERE b.id = a.id AND b.x = c.id) ORDER BY 1";
    assert_eq!(rows(&mut s, q), vec![vec![i(10), i(1), i(1)], vec![i(20), i(2), i(2)]]);
    // USING and NATURAL joins
    let q = "SELECT * FROM c JOIN a USING (id), d WHERE d.id = c.x ORDER BY c.id";
    assert_eq!(rows(&mut s, q), vec![vec![i(1), i(10), i(1), i(10), i(0)], vec![i(2), i(20), i(2), i(20), i(0)]]);
}

fn error_code(s: &mut Session, sql: &str) -> String {
    match s.execute(sql) {
        Err(e) => e.code.name().to_string(),
        Ok(r) => panic!("{sql}: expected an error, got {r:?}"),
    }
}

fn twenty_rows() -> Session {
    let mut s = Session::in_memory();
    s.execute("CREATE TABLE a (x INT)").unwrap();
    let values: Vec<String> = (0..20).map(|i| format!("({})", (i * 7) % 20)).collect();
    s.execute(&format!("INSERT INTO a VALUES {}", values.join(", "))).unwrap();
    s
}

#[test]
fn a_runaway_cross_product_ends_with_a_coded_error_and_the_session_goes_on() {
    // 20^6 = 64M rows: more than the default budget allows to hold.
    let mut s = twenty_rows();
    let q = "SELECT a1.x FROM a a1, a a2, a a3, a a4, a a5, a a6 ORDER BY 1 LIMIT 1";
    assert_eq!(error_code(&mut s, q), "ER_CAPACITY_EXCEEDED");
    let e = s.execute(q).unwrap_err().to_string();
    assert!(e.contains("query_memory_limit") && e.contains(&(256u64 << 20).to_string()), "{e}");
    // the session and the database are still usable
    assert_eq!(rows(&mut s, "SELECT COUNT(*) FROM a"), vec![vec![Value::Int(20)]]);
    assert_eq!(rows(&mut s, "SELECT a1.x FROM a a1, a a2 ORDER BY 1 DESC LIMIT 1"), vec![vec![Value::Int(19)]]);
}

#[test]
fn the_memory_limit_is_a_session_variable() {
    let mut s = twenty_rows();
    assert_eq!(rows(&mut s, "SELECT @@query_memory_limit"), vec![vec![Value::Int(256 << 20)]]);
    // 400 rows of 2 values fit in 64 KiB, 8,000 rows of 3 do not
    s.execute("SET @@query_memory_limit = 65536").unwrap();
    assert_eq!(rows(&mut s, "SELECT @@query_memory_limit"), vec![vec![Value::Int(65536)]]);
    assert_eq!(rows(&mut s, "SELECT COUNT(*) FROM a a1, a a2"), vec![vec![Value::Int(400)]]);
    assert_eq!(error_code(&mut s, "SELECT COUNT(*) FROM a a1, a a2, a a3"), "ER_CAPACITY_EXCEEDED");
    // so do derived results
    s.execute("SET cte_max_recursion_depth = 10000").unwrap();
    assert_eq!(
        error_code(&mut s, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) SELECT i FROM n ORDER BY i DESC"),
        "ER_CAPACITY_EXCEEDED"
    );
    s.execute("SET @@query_memory_limit = 1073741824").unwrap();
    assert_eq!(rows(&mut s, "SELECT COUNT(*) FROM a a1, a a2, a a3"), vec![vec![Value::Int(8000)]]);
    assert_eq!(error_code(&mut s, "SET @@query_memory_limit = -1"), "ER_WRONG_ARGUMENTS");
}

#[test]
fn the_memory_limit_holds_in_the_expressions_of_update_and_upsert() {
    let mut s = twenty_rows();
    s.execute("CREATE TABLE k (id INT PRIMARY KEY, n INT); INSERT INTO k VALUES (1, 0)").unwrap();
    let big = "(SELECT COUNT(*) FROM a a1, a a2, a a3)";
    s.execute("SET @@query_memory_limit = 65536").unwrap();
    assert_eq!(error_code(&mut s, &format!("UPDATE k SET n = {big}")), "ER_CAPACITY_EXCEEDED");
    let upsert = format!("INSERT INTO k VALUES (1, 0) ON DUPLICATE KEY UPDATE n = {big}");
    assert_eq!(error_code(&mut s, &upsert), "ER_CAPACITY_EXCEEDED");
    assert_eq!(rows(&mut s, "SELECT n FROM k"), vec![vec![Value::Int(0)]]);
    s.execute("SET @@query_memory_limit = 1073741824").unwrap();
    s.execute(&format!("UPDATE k SET n = {big}")).unwrap();
    assert_eq!(rows(&mut s, "SELECT n FROM k"), vec![vec![Value::Int(8000)]]);
    s.execute(&format!("INSERT INTO k VALUES (1, 0) ON DUPLICATE KEY UPDATE n = {big} + 1")).unwrap();
    assert_eq!(rows(&mut s, "SELECT n FROM k"), vec![vec![Value::Int(8001)]]);
}

#[test]
fn order_by_limit_returns_the_rows_of_a_full_stable_sort() {
    // Ties keep their input order, across the buffer's cuts too: the
    // rows of every (k, LIMIT, OFFSET) equal those of the sorted whole.
    let mut s = Session::in_memory();
    s.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT)").unwrap();
    let values: Vec<String> = (0..10_000).map(|i| format!("({i}, {})", (i * 7919) % 13)).collect();
    s.execute(&format!("INSERT INTO t VALUES {}", values.join(", "))).unwrap();
    let all = rows(&mut s, "SELECT k, id FROM t ORDER BY k DESC");
    let mut want = all.clone();
    want.sort_by_key(|r| match r[0] {
        Value::Int(k) => -k,
        _ => 0,
    });
    assert_eq!(all, want, "a full sort is stable");
    for (limit, offset) in [(1, 0), (5, 3), (100, 4000), (5000, 4990), (20_000, 0), (0, 0)] {
        let q = format!("SELECT k, id FROM t ORDER BY k DESC LIMIT {limit} OFFSET {offset}");
        let expect: Vec<_> = all.iter().skip(offset).take(limit).cloned().collect();
        assert_eq!(rows(&mut s, &q), expect, "{q}");
        let q = format!("(SELECT k, id FROM t) ORDER BY k DESC LIMIT {limit} OFFSET {offset}");
        assert_eq!(rows(&mut s, &q), expect, "{q}");
        let q = format!("SELECT k, id FROM t UNION ALL SELECT 99, 0 ORDER BY k DESC LIMIT {limit} OFFSET {offset}");
        let mut union = vec![vec![Value::Int(99), Value::Int(0)]];
        union.extend(all.iter().cloned());
        let expect: Vec<_> = union.into_iter().skip(offset).take(limit).collect();
        assert_eq!(rows(&mut s, &q), expect, "{q}");
    }
    let q = "SELECT DISTINCT k FROM t ORDER BY k LIMIT 3 OFFSET 2";
    assert_eq!(rows(&mut s, q), vec![vec![Value::Int(2)], vec![Value::Int(3)], vec![Value::Int(4)]]);
}
