//! SQL benchmark: `cargo bench --bench sql`.
//!
//! Runs one fixed workload, as SQL text, on ReelDB (an in-memory `Session`),
//! SQLite (`rusqlite`, bundled, in-memory) and GlueSQL (memory storage), and
//! prints a markdown table of the times with the ratios ReelDB/SQLite and
//! ReelDB/GlueSQL.
//!
//! Workload (every engine gets the same statements):
//! - bulk insert: 100,000 single-row `INSERT`s into `t1` inside one
//!   transaction (GlueSQL's memory storage has no transactions, so there
//!   each insert autocommits), then 10,000 rows into `t2` (not timed);
//! - point lookups: 10,000 `SELECT ... WHERE id = k` on the primary key,
//!   three ways: SQL text with the key as a literal; one text with a `?`
//!   parameter run through the engine's statement cache (ReelDB's
//!   `execute_with_params`, what the JavaScript `query(sql, params)` does;
//!   SQLite's `prepare_cached`); and one statement prepared once (ReelDB's
//!   `Session::prepare`, SQLite's `prepare`). GlueSQL has neither: n/a;
//! - aggregate: `SELECT grp, COUNT(*), SUM(val) FROM t1 GROUP BY grp`, a full
//!   scan into 100 groups;
//! - join without an index: `t2 JOIN t1 ON t1.code = t2.ref` (10,000 x
//!   100,000 rows, `code` not indexed), aggregated;
//! - join with an index: the same query after `CREATE INDEX ON t1 (code)`
//!   (GlueSQL's memory storage does not support indexes: n/a);
//! - multi-way join: a chain of 8 tables of 1,000 rows (`m0.nxt = m1.id`,
//!   ...), tables and predicates written in shuffled order, aggregated
//!   (GlueSQL joins in the written order, a cross product: n/a);
//! - window functions: `ROW_NUMBER()` and a three-row moving `SUM` over
//!   `t1`'s 100 partitions, aggregated (GlueSQL: n/a);
//! - foreign-key inserts: 20,000 single-row `INSERT`s in one transaction
//!   into a table whose `FOREIGN KEY` references a 1,000-row parent, each
//!   checked (SQLite with `PRAGMA foreign_keys = ON`; GlueSQL: n/a).
//!
//! Every query's result is checked to be the same on all engines. The
//! read phases report the best of three runs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use gluesql::core::executor::Payload;
use gluesql::prelude::{Glue, MemoryStorage, Value as GValue};
use reeldb::sql::{Session, StatementResult, Value};

const ROWS: u64 = 100_000;
const JOIN_ROWS: u64 = 10_000;
const LOOKUPS: u64 = 10_000;
const GROUPS: u64 = 100;

fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

fn insert_t1(i: u64) -> String {
    // `code` is a permutation of the ids, so the join key is unique.
    let code = (i * 7919) % ROWS;
    format!(
        "INSERT INTO t1 (id, grp, val, code, name) VALUES ({i}, {}, {}, {code}, 'name-{i:06}')",
        i % GROUPS,
        i % 1000
    )
}

fn insert_t2(i: u64, x: &mut u64) -> String {
    format!("INSERT INTO t2 (id, ref, w) VALUES ({i}, {}, {})", xorshift(x) % (ROWS * 2), i % 10)
}

const CREATE_T1: &str = "CREATE TABLE t1 (id INT PRIMARY KEY, grp INT, val INT, code INT, name TEXT)";
const CREATE_T2: &str = "CREATE TABLE t2 (id INT PRIMARY KEY, ref INT, w INT)";
const AGG: &str = "SELECT grp, COUNT(*), SUM(val) FROM t1 GROUP BY grp ORDER BY grp";
const JOIN: &str = "SELECT COUNT(*), SUM(t1.val + t2.w) FROM t2 JOIN t1 ON t1.code = t2.ref";
const INDEX: &str = "CREATE INDEX t1_code ON t1 (code)";

const CHAIN: u64 = 8;
const CHAIN_ROWS: u64 = 1000;
/// The chain `m0.nxt = m1.id`, ..., written in shuffled order.
const CHAIN_JOIN: &str = "SELECT COUNT(*), SUM(m0.id + m7.nxt) FROM m5, m2, m7, m0, m3, m6, m1, m4 \
     WHERE m3.nxt = m4.id AND m0.nxt = m1.id AND m6.nxt = m7.id AND m2.nxt = m3.id \
     AND m5.nxt = m6.id AND m1.nxt = m2.id AND m4.nxt = m5.id";

/// Window functions over the 100 groups of `t1`.
const WINDOW: &str = "SELECT COUNT(*), SUM(r), SUM(s) FROM (SELECT \
     ROW_NUMBER() OVER (PARTITION BY grp ORDER BY val, id) AS r, \
     SUM(val) OVER (PARTITION BY grp ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM t1) d";

const FK_PARENTS: u64 = 1000;
const FK_ROWS: u64 = 20_000;
const CREATE_FK_PARENT: &str = "CREATE TABLE fp (id INT PRIMARY KEY, name TEXT)";
const CREATE_FK_CHILD: &str =
    "CREATE TABLE fc (id INT PRIMARY KEY, pid INT NOT NULL, v INT, FOREIGN KEY (pid) REFERENCES fp (id))";
const FK_CHECK: &str = "SELECT COUNT(*), SUM(pid), SUM(v) FROM fc";

fn insert_fk_child(i: u64) -> String {
    format!("INSERT INTO fc (id, pid, v) VALUES ({i}, {}, {})", (i * 7919) % FK_PARENTS, i % 100)
}

fn lookup_key(i: u64) -> i64 {
    ((i * 48271) % ROWS) as i64
}

fn lookup(i: u64) -> String {
    format!("SELECT val, name FROM t1 WHERE id = {}", lookup_key(i))
}

/// The point lookup with its key as a parameter.
const LOOKUP_PARAM: &str = "SELECT val, name FROM t1 WHERE id = ?";

/// One engine under test: statements in, results as rows of integers out
/// (enough to check that the engines agree).
trait Engine {
    fn name(&self) -> &'static str;
    fn exec(&mut self, sql: &str);
    fn query(&mut self, sql: &str) -> Vec<Vec<i64>>;
    fn supports_tx(&self) -> bool {
        true
    }
    fn supports_index(&self) -> bool {
        true
    }
    /// The sum of the first column of [`LOOKUP_PARAM`] run for each key,
    /// through the engine's cache of statements by text (None: no such
    /// API).
    fn lookups_cached(&mut self, _keys: &[i64]) -> Option<i64> {
        None
    }
    /// The same with the statement prepared once.
    fn lookups_prepared(&mut self, _keys: &[i64]) -> Option<i64> {
        None
    }
    fn supports_many_way_join(&self) -> bool {
        true
    }
    /// Window functions and enforced foreign keys.
    fn supports_window_and_fk(&self) -> bool {
        true
    }
}

struct Reel(Session);

fn reel_int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Null => 0,
        Value::Double(d) => *d as i64,
        Value::Decimal(d) => d.to_string().split('.').next().unwrap_or("0").parse().unwrap_or(0),
        Value::Str(s) => s.len() as i64,
        _ => 0,
    }
}

impl Engine for Reel {
    fn name(&self) -> &'static str {
        "ReelDB"
    }
    fn exec(&mut self, sql: &str) {
        self.0.execute_one(sql).unwrap_or_else(|e| panic!("ReelDB: {sql}: {e}"));
    }
    fn query(&mut self, sql: &str) -> Vec<Vec<i64>> {
        reel_rows(sql, self.0.execute_one(sql))
    }
    fn lookups_cached(&mut self, keys: &[i64]) -> Option<i64> {
        Some(
            keys.iter()
                .map(|k| reel_rows(LOOKUP_PARAM, self.0.execute_with_params(LOOKUP_PARAM, &[Value::Int(*k)]))[0][0])
                .sum(),
        )
    }
    fn lookups_prepared(&mut self, keys: &[i64]) -> Option<i64> {
        let p = Session::prepare(LOOKUP_PARAM).unwrap();
        Some(keys.iter().map(|k| reel_rows(LOOKUP_PARAM, p.execute(&mut self.0, &[Value::Int(*k)]))[0][0]).sum())
    }
}

fn reel_rows(sql: &str, r: reeldb::sql::SqlResult<StatementResult>) -> Vec<Vec<i64>> {
    match r.unwrap_or_else(|e| panic!("ReelDB: {sql}: {e}")) {
        StatementResult::Rows { rows, .. } => rows.iter().map(|r| r.iter().map(reel_int).collect()).collect(),
        StatementResult::Affected(_) => panic!("ReelDB: {sql}: no rows"),
    }
}

struct Lite(rusqlite::Connection);

impl Engine for Lite {
    fn name(&self) -> &'static str {
        "SQLite"
    }
    fn exec(&mut self, sql: &str) {
        self.0.execute(sql, []).unwrap_or_else(|e| panic!("SQLite: {sql}: {e}"));
    }
    fn query(&mut self, sql: &str) -> Vec<Vec<i64>> {
        let mut st = self.0.prepare(sql).unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                (0..n)
                    .map(|i| {
                        Ok(match r.get_ref(i)? {
                            rusqlite::types::ValueRef::Integer(i) => i,
                            rusqlite::types::ValueRef::Real(f) => f as i64,
                            rusqlite::types::ValueRef::Text(t) => t.len() as i64,
                            _ => 0,
                        })
                    })
                    .collect::<rusqlite::Result<Vec<i64>>>()
            })
            .unwrap();
        rows.map(|r| r.unwrap()).collect()
    }
    fn lookups_cached(&mut self, keys: &[i64]) -> Option<i64> {
        let mut sum = 0;
        for k in keys {
            let mut st = self.0.prepare_cached(LOOKUP_PARAM).unwrap();
            sum += st.query_row([k], |r| r.get::<_, i64>(0)).unwrap();
        }
        Some(sum)
    }
    fn lookups_prepared(&mut self, keys: &[i64]) -> Option<i64> {
        let mut st = self.0.prepare(LOOKUP_PARAM).unwrap();
        Some(keys.iter().map(|k| st.query_row([k], |r| r.get::<_, i64>(0)).unwrap()).sum())
    }
}

struct GlueDb(Glue<MemoryStorage>);

impl Engine for GlueDb {
    fn name(&self) -> &'static str {
        "GlueSQL"
    }
    fn exec(&mut self, sql: &str) {
        self.0.execute(sql).unwrap_or_else(|e| panic!("GlueSQL: {sql}: {e}"));
    }
    fn query(&mut self, sql: &str) -> Vec<Vec<i64>> {
        let out = self.0.execute(sql).unwrap_or_else(|e| panic!("GlueSQL: {sql}: {e}"));
        match out.into_iter().next() {
            Some(Payload::Select { rows, .. }) => rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|v| match v {
                            GValue::I8(i) => *i as i64,
                            GValue::I16(i) => *i as i64,
                            GValue::I32(i) => *i as i64,
                            GValue::I64(i) => *i,
                            GValue::I128(i) => *i as i64,
                            GValue::F64(f) => *f as i64,
                            GValue::Decimal(d) => d.trunc().to_string().parse().unwrap_or(0),
                            GValue::Str(s) => s.len() as i64,
                            _ => 0,
                        })
                        .collect()
                })
                .collect(),
            other => panic!("GlueSQL: {sql}: {other:?}"),
        }
    }
    fn supports_tx(&self) -> bool {
        false
    }
    fn supports_index(&self) -> bool {
        false
    }
    fn supports_many_way_join(&self) -> bool {
        false
    }
    fn supports_window_and_fk(&self) -> bool {
        false
    }
}

/// Times of one engine's phases (None: not supported).
struct Times {
    insert: Duration,
    lookup: Duration,
    lookup_cached: Option<Duration>,
    lookup_prepared: Option<Duration>,
    agg: Duration,
    join: Duration,
    join_ix: Option<Duration>,
    chain: Option<Duration>,
    window: Option<Duration>,
    fk_insert: Option<Duration>,
}

fn best_of_3(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Runs the workload; returns the times and the query results for the
/// cross-engine check.
fn run(e: &mut dyn Engine) -> (Times, Vec<Vec<Vec<i64>>>) {
    let mut results = Vec::new();
    e.exec(CREATE_T1);
    e.exec(CREATE_T2);
    let t = Instant::now();
    if e.supports_tx() {
        e.exec("BEGIN");
    }
    for i in 0..ROWS {
        e.exec(&insert_t1(i));
    }
    if e.supports_tx() {
        e.exec("COMMIT");
    }
    let insert = t.elapsed();

    let mut x = 88172645463325252u64;
    if e.supports_tx() {
        e.exec("BEGIN");
    }
    for i in 0..JOIN_ROWS {
        e.exec(&insert_t2(i, &mut x));
    }
    if e.supports_tx() {
        e.exec("COMMIT");
    }

    let mut sum = 0i64;
    let lookup_t = best_of_3(|| {
        sum = 0;
        for i in 0..LOOKUPS {
            let r = e.query(&lookup(i));
            sum += black_box(r)[0][0];
        }
    });
    results.push(vec![vec![sum]]);
    let keys: Vec<i64> = (0..LOOKUPS).map(lookup_key).collect();
    let mut timed = |f: &mut dyn FnMut(&mut dyn Engine) -> Option<i64>| {
        let mut out = None;
        let d = best_of_3(|| out = f(&mut *e));
        out.map(|s| {
            assert_eq!(s, sum, "{}: parameterised lookups disagree with literal ones", e.name());
            d
        })
    };
    let lookup_cached = timed(&mut |e| e.lookups_cached(&keys));
    let lookup_prepared = timed(&mut |e| e.lookups_prepared(&keys));

    let mut r = Vec::new();
    let agg = best_of_3(|| r = e.query(AGG));
    results.push(r.clone());
    let join = best_of_3(|| r = e.query(JOIN));
    results.push(r.clone());
    let join_ix = if e.supports_index() {
        e.exec(INDEX);
        let d = best_of_3(|| r = e.query(JOIN));
        results.push(r.clone());
        Some(d)
    } else {
        None
    };
    let chain = if e.supports_many_way_join() {
        for t in 0..CHAIN {
            e.exec(&format!("CREATE TABLE m{t} (id INT PRIMARY KEY, nxt INT)"));
            let values: Vec<String> = (0..CHAIN_ROWS).map(|i| format!("({i}, {})", (i * 7 + t) % CHAIN_ROWS)).collect();
            e.exec(&format!("INSERT INTO m{t} VALUES {}", values.join(", ")));
        }
        let d = best_of_3(|| r = e.query(CHAIN_JOIN));
        results.push(r.clone());
        Some(d)
    } else {
        None
    };
    let (window, fk_insert) = if e.supports_window_and_fk() {
        let window = best_of_3(|| r = e.query(WINDOW));
        results.push(r.clone());
        e.exec(CREATE_FK_PARENT);
        let values: Vec<String> = (0..FK_PARENTS).map(|i| format!("({i}, 'parent {i}')")).collect();
        e.exec(&format!("INSERT INTO fp VALUES {}", values.join(", ")));
        e.exec(CREATE_FK_CHILD);
        let t = Instant::now();
        e.exec("BEGIN");
        for i in 0..FK_ROWS {
            e.exec(&insert_fk_child(i));
        }
        e.exec("COMMIT");
        let fk_insert = t.elapsed();
        results.push(e.query(FK_CHECK));
        (Some(window), Some(fk_insert))
    } else {
        (None, None)
    };
    let times = Times {
        insert,
        lookup: lookup_t,
        lookup_cached,
        lookup_prepared,
        agg,
        join,
        join_ix,
        chain,
        window,
        fk_insert,
    };
    (times, results)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn ratio(a: Option<Duration>, b: Option<Duration>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{:.2}x", a.as_secs_f64() / b.as_secs_f64()),
        _ => "n/a".into(),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let want = |n: &str| only.is_empty() || only.iter().any(|o| n.eq_ignore_ascii_case(o));

    let mut engines: Vec<Box<dyn Engine>> = Vec::new();
    if want("reeldb") {
        engines.push(Box::new(Reel(Session::in_memory())));
    }
    if want("sqlite") {
        let lite = rusqlite::Connection::open_in_memory().unwrap();
        // SQLite checks foreign keys only when asked to.
        lite.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        engines.push(Box::new(Lite(lite)));
    }
    if want("gluesql") {
        engines.push(Box::new(GlueDb(Glue::new(MemoryStorage::default()))));
    }
    let mut all = Vec::new();
    for e in engines.iter_mut() {
        eprintln!("running {} ...", e.name());
        let (t, res) = run(e.as_mut());
        all.push((e.name(), t, res));
    }
    // The engines must agree on every query that they all ran.
    for (name, _, res) in &all[1..] {
        for (i, r) in res.iter().enumerate() {
            if let Some(r0) = all[0].2.get(i) {
                assert_eq!(r0, r, "{name} disagrees with {} on query {i}", all[0].0);
            }
        }
    }

    let get = |n: &str| all.iter().find(|(name, _, _)| *name == n).map(|(_, t, _)| t);
    let reel = get("ReelDB");
    let lite = get("SQLite");
    let glue = get("GlueSQL");
    type Pick = fn(&Times) -> Option<Duration>;
    let phases: [(&str, Pick); 10] = [
        ("bulk insert 100k rows (1 tx)", |t| Some(t.insert)),
        ("10k primary-key lookups", |t| Some(t.lookup)),
        ("10k primary-key lookups, `?` via statement cache", |t| t.lookup_cached),
        ("10k primary-key lookups, prepared once", |t| t.lookup_prepared),
        ("full-scan aggregate (GROUP BY)", |t| Some(t.agg)),
        ("join 10k x 100k, no index", |t| Some(t.join)),
        ("join 10k x 100k, with index", |t| t.join_ix),
        ("8-way join, 1k rows each, shuffled", |t| t.chain),
        ("window functions over 100 partitions of 100k rows", |t| t.window),
        ("20k foreign-key-checked inserts (1 tx)", |t| t.fk_insert),
    ];
    println!();
    println!("| workload | ReelDB | SQLite | GlueSQL | ReelDB/SQLite | ReelDB/GlueSQL |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, pick) in phases {
        let r = reel.and_then(pick);
        let s = lite.and_then(pick);
        let g = glue.and_then(pick);
        let show = |d: Option<Duration>| d.map(ms).unwrap_or_else(|| "n/a".into());
        println!("| {label} | {} | {} | {} | {} | {} |", show(r), show(s), show(g), ratio(r, s), ratio(r, g));
    }
}
