//! The browser benchmark's bulk insert, natively, then its scan-aggregate
//! (best of the runs), its prepared point lookup (20,000 lookups) and as
//! many single-row `INSERT`s in one transaction as rows:
//! `cargo run --release --example bulk_insert [rows] [runs] [bulk]`.
//!
//! `BEGIN`, `INSERT INTO t VALUES (…),(…)…` of 1,000 rows each, `COMMIT`, as
//! one script through `Session::execute` (what the JavaScript `exec` does),
//! on the schema and rows `bench/browser/bench.js` uses. Prints the best
//! time of the runs and rows/s; a fresh in-memory session per run. For
//! profiling: `perf record -g target/release/examples/bulk_insert`.

use std::time::{Duration, Instant};

use reeldb::sql::{Session, StatementResult, Value};

const SCHEMA: &str = "CREATE TABLE t (id INT PRIMARY KEY, v INT, name VARCHAR(40))";

fn script(rows: u64) -> String {
    let mut parts = vec!["BEGIN".to_string()];
    for i in (0..rows).step_by(1000) {
        let values: Vec<String> =
            (i..(i + 1000).min(rows)).map(|j| format!("({j}, {}, 'name {j}')", (j * 7919) % 1000)).collect();
        parts.push(format!("INSERT INTO t VALUES {}", values.join(",")));
    }
    parts.push("COMMIT".to_string());
    parts.join(";\n")
}

/// Runs `statements` one by one inside one transaction; the time they took.
fn in_one_transaction(s: &mut Session, statements: &[String]) -> Duration {
    s.execute("BEGIN").expect("begin");
    let t = Instant::now();
    for q in statements {
        s.execute(q).expect("statement");
    }
    let took = t.elapsed();
    s.execute("COMMIT").expect("commit");
    took
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args.next().map_or(100_000, |a| a.parse().expect("rows"));
    let runs: u32 = args.next().map_or(5, |a| a.parse().expect("runs"));
    // A third argument `bulk` times the bulk insert alone, `singles` skips
    // the autocommit INSERTs, `join` repeats the indexed join 100 times and
    // `lookup` makes 500,000 prepared point lookups and `scan` runs the
    // scan-aggregate 200 times (for profiling).
    let only = args.next();
    let bulk_only = only.as_deref() == Some("bulk");
    let sql = script(rows);
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let mut s = Session::in_memory();
        s.execute(SCHEMA).expect("schema");
        let t = Instant::now();
        s.execute(&sql).expect("bulk insert");
        best = best.min(t.elapsed());
        // The rows are all there, with the values written.
        match s.execute_one("SELECT COUNT(*), SUM(v) FROM t").expect("check") {
            StatementResult::Rows { rows: r, .. } => {
                let expect: i64 = (0..rows).map(|j| ((j * 7919) % 1000) as i64).sum();
                assert_eq!(r[0][0], Value::Int(rows as i64));
                assert_eq!(r[0][1].to_string(), expect.to_string(), "sum");
            }
            other => panic!("{other:?}"),
        }
    }
    if bulk_only {
        let secs = best.as_secs_f64();
        println!("bulk insert {rows} rows: {:.1} ms, {:.0} rows/s (best of {runs})", secs * 1e3, rows as f64 / secs);
        return;
    }
    let mut s = Session::in_memory();
    s.execute(SCHEMA).expect("schema");
    s.execute(&sql).expect("bulk insert");
    let mut scan = Duration::MAX;
    let scan_runs = if only.as_deref() == Some("scan") { 200 } else { runs };
    for _ in 0..scan_runs {
        let t = Instant::now();
        s.execute_one("SELECT id % 100, COUNT(*), SUM(v) FROM t GROUP BY id % 100").expect("scan");
        scan = scan.min(t.elapsed());
    }
    let st = Session::prepare("SELECT name FROM t WHERE id = ?").expect("prepare");
    let n = if only.as_deref() == Some("lookup") { 500_000u64 } else { 20_000 };
    let t = Instant::now();
    for i in 0..n {
        st.execute(&mut s, &[Value::Int(((i * 7907) % rows) as i64)]).expect("lookup");
    }
    let lookup = t.elapsed();
    println!(
        "scan-aggregate: {:.1} ms; prepared point lookup: {:.2} µs",
        scan.as_secs_f64() * 1e3,
        lookup.as_secs_f64() * 1e6 / n as f64
    );
    if matches!(only.as_deref(), Some("lookup" | "scan")) {
        return;
    }
    // Single-row INSERTs in one transaction (`cargo bench --bench sql`'s
    // bulk insert row): what each statement costs around its row.
    let mut s = Session::in_memory();
    s.execute("CREATE TABLE t1 (id INT PRIMARY KEY, grp INT, val INT, code INT, name TEXT)").expect("schema");
    let singles: Vec<String> = (0..rows)
        .map(|i| {
            format!(
                "INSERT INTO t1 (id, grp, val, code, name) VALUES ({i}, {}, {}, {}, 'name-{i:06}')",
                i % 100,
                i % 1000,
                (i * 7919) % rows
            )
        })
        .collect();
    let single = in_one_transaction(&mut s, &singles);
    println!(
        "{rows} single-row INSERTs in one transaction: {:.1} ms, {:.2} µs each",
        single.as_secs_f64() * 1e3,
        single.as_secs_f64() * 1e6 / rows as f64
    );
    // The indexed join of `cargo bench --bench sql`: 10,000 rows of t2
    // looking up t1 (just filled) through an index on t1's `code`.
    s.execute("CREATE TABLE t2 (id INT PRIMARY KEY, ref INT, w INT)").expect("t2");
    let t2: Vec<String> = (0..10_000u64).map(|i| format!("({i}, {}, {})", (i * 13) % rows, i % 10)).collect();
    s.execute(&format!("INSERT INTO t2 VALUES {}", t2.join(", "))).expect("t2 rows");
    s.execute("CREATE INDEX t1_code ON t1 (code)").expect("index");
    let mut join = Duration::MAX;
    let join_runs = if only.as_deref() == Some("join") { 100 } else { runs.max(3) };
    for _ in 0..join_runs {
        let t = Instant::now();
        s.execute_one("SELECT COUNT(*), SUM(t1.val + t2.w) FROM t2 JOIN t1 ON t1.code = t2.ref").expect("join");
        join = join.min(t.elapsed());
    }
    println!("indexed join of 10,000 rows into {rows}: {:.1} ms", join.as_secs_f64() * 1e3);
    // The window functions of `cargo bench --bench sql`, over the same table.
    let mut window = Duration::MAX;
    for _ in 0..runs.max(3) {
        let t = Instant::now();
        s.execute_one(
            "SELECT COUNT(*), SUM(r), SUM(s) FROM (SELECT ROW_NUMBER() OVER (PARTITION BY grp ORDER BY val, id) AS r, \
             SUM(val) OVER (PARTITION BY grp ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM t1) d",
        )
        .expect("window");
        window = window.min(t.elapsed());
    }
    println!("window functions over {rows} rows: {:.1} ms", window.as_secs_f64() * 1e3);
    // Single-row INSERTs into a table whose foreign key references a
    // 1,000-row parent (`cargo bench --bench sql`'s foreign-key row).
    s.execute("CREATE TABLE fp (id INT PRIMARY KEY, name TEXT)").expect("parent");
    let parents: Vec<String> = (0..1000).map(|i| format!("({i}, 'parent {i}')")).collect();
    s.execute(&format!("INSERT INTO fp VALUES {}", parents.join(", "))).expect("parents");
    s.execute("CREATE TABLE fc (id INT PRIMARY KEY, pid INT NOT NULL, v INT, FOREIGN KEY (pid) REFERENCES fp (id))")
        .expect("child");
    let fk_rows = 20_000u64;
    let children: Vec<String> = (0..fk_rows)
        .map(|i| format!("INSERT INTO fc (id, pid, v) VALUES ({i}, {}, {})", (i * 7919) % 1000, i % 100))
        .collect();
    let fk = in_one_transaction(&mut s, &children);
    println!(
        "{fk_rows} foreign-key-checked single-row INSERTs in one transaction: {:.2} µs each",
        fk.as_secs_f64() * 1e6 / fk_rows as f64
    );
    // Single-row INSERTs into a table with a CHECK constraint and a
    // generated column.
    s.execute(
        "CREATE TABLE ck (id INT PRIMARY KEY, price INT CHECK (price >= 0), qty INT, \
         total INT AS (price * qty) STORED)",
    )
    .expect("check table");
    let checked: Vec<String> =
        (0..fk_rows).map(|i| format!("INSERT INTO ck (id, price, qty) VALUES ({i}, {}, {})", i % 500, i % 7)).collect();
    let ck = in_one_transaction(&mut s, &checked);
    println!(
        "{fk_rows} single-row INSERTs with a CHECK and a generated column in one transaction: {:.2} µs each",
        ck.as_secs_f64() * 1e6 / fk_rows as f64
    );
    if matches!(only.as_deref(), Some("singles" | "join")) {
        return;
    }
    // The browser's durable commit row, in memory: single-row INSERTs each
    // committing (autocommit), into the table just filled.
    let n = 20_000u64;
    let t = Instant::now();
    for i in 0..n {
        s.execute(&format!("INSERT INTO t1 VALUES ({}, 1, 2, 3, 'c')", rows + i)).expect("autocommit insert");
    }
    println!("{n} autocommit single-row INSERTs: {:.2} µs each", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    let secs = best.as_secs_f64();
    println!("bulk insert {rows} rows: {:.1} ms, {:.0} rows/s (best of {runs})", secs * 1e3, rows as f64 / secs);
}
