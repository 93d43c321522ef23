//! Storage-engine benchmark: `cargo bench --bench engine`.
//!
//! Reports backtrack and as-of latency at 1k, 10k and 100k commits of
//! history (with the 100k/1k ratios), history bytes per single-row commit,
//! and durable commits per second to the native file backend.

use std::hint::black_box;
use std::ops::Bound;
use std::time::Instant;

use reeldb::{BacktrackTarget, Database, FileBackend, MemBackend, Options, Timestamp};

const T0: i64 = 1_700_000_000;

fn row(i: u64) -> Vec<u8> {
    format!("row-{i:08}-payload-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").into_bytes()
}

fn key(i: u64) -> [u8; 9] {
    let mut k = [b'r'; 9];
    k[1..].copy_from_slice(&i.to_be_bytes());
    k
}

fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// A database with `base` rows and then `commits` single-row update commits,
/// one per simulated second.
fn history(commits: u64, base: u64) -> Database {
    let mut db =
        Database::open(Box::new(MemBackend::new()), Options { window_secs: 10 * 365 * 86_400, ..Options::default() })
            .unwrap();
    db.set_clock(Some(Timestamp::from_secs(T0)));
    for i in 0..base {
        db.put(&key(i), &row(i)).unwrap();
    }
    db.commit("load", base).unwrap();
    let mut x = 88172645463325252u64;
    for c in 0..commits {
        db.set_clock(Some(Timestamp::from_secs(T0 + 1 + c as i64)));
        let k = xorshift(&mut x) % base;
        db.put(&key(k), &row(c)).unwrap();
        db.commit("UPDATE", 1).unwrap();
    }
    db
}

/// Mean microseconds per call over `n` calls; the best of three rounds, to
/// keep allocator and cache noise out of the comparison between sizes.
fn per_op_us(n: u32, mut f: impl FnMut(u32)) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            for i in 0..n {
                f(i);
            }
            start.elapsed().as_secs_f64() * 1e6 / n as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    println!("# ReelDB storage engine benchmark\n");
    println!("History: a 10,000-row keyspace, then N single-row update commits (one per second).\n");
    println!("| commits of history | as-of lookup (find root) µs | as-of point read µs | backtrack µs | history bytes per commit | store bytes per commit | full GC ms |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let mut results = Vec::new();
    for &n in &[1_000u64, 10_000, 100_000] {
        let mut db = history(n, 10_000);
        let appended_after_load = {
            // Bytes appended by the history commits only (the load commit is
            // measured separately by a fresh database with no history).
            let base = history(0, 10_000);
            base.storage_stats().appended_bytes
        };
        let stats = db.storage_stats();
        let per_commit = (stats.appended_bytes - appended_after_load) as f64 / n as f64;
        let store_per_commit =
            (stats.pages as f64 * 4096.0 - history(0, 10_000).storage_stats().pages as f64 * 4096.0) / n as f64;
        let mut x = 1u64;
        let lookup = per_op_us(20_000, |_| {
            let t = Timestamp::from_secs(T0 + 1 + (xorshift(&mut x) % n) as i64);
            black_box(db.as_of(t).unwrap());
        });
        let read = per_op_us(20_000, |_| {
            let t = Timestamp::from_secs(T0 + 1 + (xorshift(&mut x) % n) as i64);
            let s = db.as_of(t).unwrap();
            black_box(db.get(&s, &key(xorshift(&mut x) % 10_000)).unwrap());
        });
        db.set_clock(Some(Timestamp::from_secs(T0 + 2 + n as i64)));
        // Collect first so that the timed backtracks do not include a
        // collection of the history built above; it is reported on its own.
        let gc_start = Instant::now();
        db.gc().unwrap();
        let gc_ms = gc_start.elapsed().as_secs_f64() * 1e3;
        let backtrack = per_op_us(10_000, |_| {
            let t = Timestamp::from_secs(T0 + 1 + (xorshift(&mut x) % n) as i64);
            black_box(db.backtrack(BacktrackTarget::Time(t), false).unwrap());
        });
        let row_bytes = (9 + row(0).len()) as f64;
        println!(
            "| {n} | {lookup:.3} | {read:.3} | {backtrack:.2} | {:.0} (+{row_bytes:.0} row bytes) | {store_per_commit:.0} | {gc_ms:.1} |",
            per_commit - row_bytes
        );
        results.push((n, lookup, read, backtrack));
    }
    let (first, last) = (results[0], results[results.len() - 1]);
    println!();
    println!(
        "Ratio 100k/1k: as-of lookup {:.2}, as-of point read {:.2}, backtrack {:.2}",
        last.1 / first.1,
        last.2 / first.2,
        last.3 / first.3
    );

    // Steady state under a finite window: reclaimed pages are reused, so the
    // store stops growing once history is older than the window.
    println!();
    println!("Steady state: 10,000 rows, window 600 s, one single-row update commit per second.\n");
    println!("| commits | store MiB | free pages | live MiB at last GC | history bytes |");
    println!("|---:|---:|---:|---:|---:|");
    let mut db =
        Database::open(Box::new(MemBackend::new()), Options { window_secs: 600, ..Options::default() }).unwrap();
    db.set_clock(Some(Timestamp::from_secs(T0)));
    for i in 0..10_000 {
        db.put(&key(i), &row(i)).unwrap();
    }
    db.commit("load", 10_000).unwrap();
    let mut x = 7u64;
    for c in 1..=60_000u64 {
        db.set_clock(Some(Timestamp::from_secs(T0 + c as i64)));
        db.put(&key(xorshift(&mut x) % 10_000), &row(c)).unwrap();
        db.commit("UPDATE", 1).unwrap();
        if c % 10_000 == 0 {
            let s = db.storage_stats();
            println!(
                "| {c} | {:.2} | {} | {:.2} | {} |",
                s.pages as f64 * 4096.0 / 1048576.0,
                s.free_pages,
                s.live_bytes_at_gc as f64 / 1048576.0,
                db.status().history_bytes
            );
        }
    }

    // Durable commits per second to a file (fsync per commit).
    let dir = std::env::temp_dir().join(format!("reeldb-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bench.reeldb");
    let mut db = Database::open(Box::new(FileBackend::open(&path).unwrap()), Options::default()).unwrap();
    let n = 2_000u32;
    let start = Instant::now();
    for i in 0..n {
        db.put(&key(i as u64), &row(i as u64)).unwrap();
        db.commit("INSERT", 1).unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path).unwrap().len();
    println!();
    println!(
        "File backend: {n} durable single-row commits in {secs:.2} s = {:.0} commits/s (fsync each), file {size} bytes",
        n as f64 / secs
    );
    drop(db);
    let start = Instant::now();
    let db = Database::open(Box::new(FileBackend::open(&path).unwrap()), Options::default()).unwrap();
    let mut rows = 0;
    db.scan(&db.committed(), Bound::Unbounded, Bound::Unbounded, &mut |_, _| {
        rows += 1;
        true
    })
    .unwrap();
    println!("Reopen + full scan of {rows} rows: {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
    std::fs::remove_dir_all(&dir).ok();
}
