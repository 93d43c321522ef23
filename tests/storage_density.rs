#![cfg(not(target_arch = "wasm32"))]
//! How densely the store packs a table, and what a small commit costs in
//! history.
//!
//! The table has the shape of the browser benchmark's
//! (`bench/browser/peers.js`): `t (k INT PRIMARY KEY, v INT, name
//! VARCHAR(40))`, loaded by 1,000-row INSERTs in one transaction. The
//! figures printed by `cargo test --release --test storage_density --
//! --ignored --nocapture` are the ones in BENCHMARKS.md; the tests that run
//! by default check the same properties at a smaller size.

use std::ops::Bound;
use std::time::Instant;

use reeldb::sql::{Session, StatementResult, Value};
use reeldb::{Database, MemBackend, Options, Timestamp, PAGE_SIZE};

/// Pages SQLite 3 needs for the 100,000-row table (BENCHMARKS.md, wa-sqlite
/// `PRAGMA page_count` at 4 KiB pages), scaled per row.
const SQLITE_BYTES_PER_ROW: f64 = 919.0 * 4096.0 / 100_000.0;

struct Density {
    rows: u64,
    pages: u64,
    appended: u64,
    row_bytes: u64,
    row_key_bytes: u64,
    index_bytes: u64,
}

fn bulk_load(rows: u64) -> (Session, Density) {
    let mut s = Session::in_memory();
    s.execute("CREATE TABLE t (k INT PRIMARY KEY, v INT, name VARCHAR(40))").unwrap();
    let before = s.database().storage_stats();
    let mut script = String::from("BEGIN;\n");
    for i in (0..rows).step_by(1000) {
        let values: Vec<String> =
            (i..(i + 1000).min(rows)).map(|j| format!("({j}, {}, 'name {j}')", (j * 7919) % 1000)).collect();
        script.push_str(&format!("INSERT INTO t VALUES {};\n", values.join(",")));
    }
    script.push_str("COMMIT");
    s.execute(&script).unwrap();
    let db = s.database();
    let after = db.storage_stats();
    let (mut row_bytes, mut row_key_bytes, mut index_bytes) = (0, 0, 0);
    db.scan(&db.current(), Bound::Included(&[1u8][..]), Bound::Excluded(&[3u8][..]), &mut |k, v| {
        if k[0] == 1 {
            row_key_bytes += k.len() as u64;
            row_bytes += v.len() as u64;
        } else {
            index_bytes += (k.len() + v.len()) as u64;
        }
        true
    })
    .unwrap();
    let d = Density {
        rows,
        pages: after.pages - before.pages,
        appended: after.appended_bytes - before.appended_bytes,
        row_bytes,
        row_key_bytes,
        index_bytes,
    };
    (s, d)
}

impl Density {
    fn store_bytes(&self) -> f64 {
        (self.pages * PAGE_SIZE as u64) as f64
    }
    fn report(&self) {
        let per = |b: f64| b / self.rows as f64;
        let data = (self.row_bytes + self.row_key_bytes + self.index_bytes) as f64;
        println!(
            "rows {}: {} pages ({:.2} bytes/row, {:.2}x SQLite)",
            self.rows,
            self.pages,
            per(self.store_bytes()),
            per(self.store_bytes()) / SQLITE_BYTES_PER_ROW
        );
        println!("  row encoding  {:.2} bytes/row", per(self.row_bytes as f64));
        println!("  row keys      {:.2} bytes/row", per(self.row_key_bytes as f64));
        println!("  index entries {:.2} bytes/row", per(self.index_bytes as f64));
        println!(
            "  node overhead {:.2} bytes/row (records appended minus the keys and values they hold)",
            per(self.appended as f64 - data)
        );
        println!("  page slack    {:.2} bytes/row", per(self.store_bytes() - self.appended as f64));
        println!("  fill: {:.1} % of the pages are keys and values", 100.0 * data / self.store_bytes());
    }
}

fn lookup_us(s: &mut Session, rows: u64, n: u64) -> f64 {
    let p = Session::prepare("SELECT name FROM t WHERE k = ?").unwrap();
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        for i in 0..n {
            let k = (i * 7907) % rows;
            let r = p.execute(s, &[Value::Int(k as i64)]).unwrap();
            match r {
                StatementResult::Rows { rows, .. } => assert_eq!(rows[0][0], Value::Str(format!("name {k}"))),
                StatementResult::Affected(_) => panic!("rows expected"),
            }
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    best
}

/// An index lookup below SQL: the first primary-key index entry at or
/// after a key, then the row it names (what a point query does in the
/// engine), best of three rounds of `n` lookups, in µs.
fn engine_lookup_us(s: &Session, n: u64) -> f64 {
    let db = s.database();
    let snap = db.current();
    let (mut index_keys, mut row_keys) = (Vec::new(), Vec::new());
    db.scan(&snap, Bound::Included(&[1u8][..]), Bound::Excluded(&[3u8][..]), &mut |k, _| {
        if k[0] == 1 { &mut row_keys } else { &mut index_keys }.push(k.to_vec());
        true
    })
    .unwrap();
    // rows were inserted in key order, so the i-th index entry names the
    // i-th row
    assert_eq!(index_keys.len(), row_keys.len());
    let rows = row_keys.len() as u64;
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        for i in 0..n {
            let j = ((i * 7907) % rows) as usize;
            let mut hit = false;
            db.scan(&snap, Bound::Included(&index_keys[j][..]), Bound::Unbounded, &mut |k, _| {
                hit = k == &index_keys[j][..];
                false
            })
            .unwrap();
            assert!(hit);
            assert!(db.get(&snap, &row_keys[j]).unwrap().is_some());
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    best
}

/// The engine benchmark's history workload (`benches/engine.rs`): a
/// 10,000-key keyspace, then single-row update commits; returns the record
/// bytes appended per commit beyond the 66 bytes of key and row.
fn history_bytes_per_commit(commits: u64) -> f64 {
    fn key(i: u64) -> [u8; 9] {
        let mut k = [b'r'; 9];
        k[1..].copy_from_slice(&i.to_be_bytes());
        k
    }
    fn row(i: u64) -> Vec<u8> {
        format!("row-{i:08}-payload-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").into_bytes()
    }
    let t0 = 1_700_000_000;
    let mut db =
        Database::open(Box::new(MemBackend::new()), Options { window_secs: 10 * 365 * 86_400, ..Options::default() })
            .unwrap();
    db.set_clock(Some(Timestamp::from_secs(t0)));
    for i in 0..10_000 {
        db.put(&key(i), &row(i)).unwrap();
    }
    db.commit("load", 10_000).unwrap();
    let base = db.storage_stats().appended_bytes;
    let mut x = 88172645463325252u64;
    for c in 0..commits {
        db.set_clock(Some(Timestamp::from_secs(t0 + 1 + c as i64)));
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        db.put(&key(x % 10_000), &row(c)).unwrap();
        db.commit("UPDATE", 1).unwrap();
    }
    (db.storage_stats().appended_bytes - base) as f64 / commits as f64 - (9 + row(0).len()) as f64
}

#[test]
fn a_table_loaded_in_key_order_takes_at_most_1_3x_the_bytes_of_sqlite() {
    let (_, d) = bulk_load(20_000);
    let per_row = d.store_bytes() / d.rows as f64;
    assert!(
        per_row <= 1.3 * SQLITE_BYTES_PER_ROW,
        "{per_row:.1} bytes per row, SQLite {SQLITE_BYTES_PER_ROW:.1} ({} pages for {} rows)",
        d.pages,
        d.rows
    );
    // nodes filled in key order are nearly full
    let data = (d.row_bytes + d.row_key_bytes + d.index_bytes) as f64;
    assert!(data / d.store_bytes() > 0.9, "fill {:.2}", data / d.store_bytes());
}

#[test]
fn a_single_row_commit_costs_less_history_than_the_previous_format() {
    // 436 bytes beyond the row at 1,000 commits with format version 1
    // (BENCHMARKS.md)
    let bytes = history_bytes_per_commit(1_000);
    assert!(bytes < 436.0, "{bytes:.0} bytes of history per single-row commit");
}

#[test]
#[ignore = "measurement: run with --release --ignored --nocapture"]
fn measure_density_lookup_and_history() {
    let (mut s, d) = bulk_load(100_000);
    d.report();
    println!("point lookup by primary key (prepared, bound parameter): {:.2} µs", lookup_us(&mut s, 100_000, 20_000));
    println!("index lookup in the engine (index entry + row): {:.3} µs", engine_lookup_us(&s, 200_000));
    for n in [1_000, 10_000] {
        println!(
            "history: {:.0} bytes per single-row commit beyond the row ({n} commits)",
            history_bytes_per_commit(n)
        );
    }
}

#[test]
#[ignore = "profiling target: run with --release --ignored under perf"]
fn profile_point_lookups() {
    let (mut s, _) = bulk_load(100_000);
    println!("point lookup: {:.2} µs", lookup_us(&mut s, 100_000, 300_000));
    println!("index lookup in the engine: {:.3} µs", engine_lookup_us(&s, 1_000_000));
}
