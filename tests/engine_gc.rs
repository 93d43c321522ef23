#![cfg(not(target_arch = "wasm32"))]
//! Incremental garbage collection against a model: long random workloads
//! of commits, backtracks, window changes (trims), reopenings and
//! collection slices of random sizes, with collections under way across
//! many operations. After every operation the current state, and every few
//! operations every retained state, must read back as the model says: a
//! collection never frees (nor lets a write overwrite) a record that a
//! retained state, the system tree or a write made during the collection
//! still needs.

use std::collections::BTreeMap;
use std::ops::Bound;

use reeldb::{BacktrackTarget, Database, MemBackend, Options, Timestamp};

type State = BTreeMap<Vec<u8>, Vec<u8>>;

const T0: i64 = 1_700_000_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn value(v: u64) -> Vec<u8> {
    // Mostly rows of tens to hundreds of bytes, some long enough to be
    // stored out of line in chunk records.
    let len = if v % 61 == 0 { 5000 + (v % 3000) as usize } else { 40 + (v % 300) as usize };
    (0..len).map(|i| (v as usize).wrapping_mul(31).wrapping_add(i) as u8).collect()
}

fn read(db: &Database, snap: &reeldb::Snapshot) -> State {
    let mut m = State::new();
    db.scan(snap, Bound::Unbounded, Bound::Unbounded, &mut |k, v| {
        m.insert(k.to_vec(), v.to_vec());
        true
    })
    .unwrap();
    m
}

/// The model: each state with the time it became current (the first is
/// the empty database).
struct Model {
    states: Vec<(Timestamp, State)>,
}

impl Model {
    fn at(&self, t: Timestamp) -> &State {
        let i = self.states.partition_point(|(s, _)| *s <= t);
        &self.states[i - 1].1
    }
    fn head(&self) -> &State {
        &self.states.last().unwrap().1
    }
    /// Forgets states older than the state current just before the first
    /// retained timeline entry (no read can reach them).
    fn prune(&mut self, first_entry: Timestamp) {
        let i = self.states.partition_point(|(s, _)| *s < first_entry);
        if i > 1 {
            self.states.drain(..i - 1);
        }
    }
}

fn check_all(db: &Database, m: &Model, seed: u64, op: usize) {
    let earliest = db.earliest();
    let mut times: Vec<Timestamp> = db.timeline().unwrap().iter().map(|e| e.time.max(earliest)).collect();
    times.push(earliest);
    times.dedup();
    for t in times {
        let got = read(db, &db.as_of(t).unwrap());
        assert!(&got == m.at(t), "seed {seed:#x}, op {op}: the state as of {t} differs from the model");
    }
}

/// Runs `ops` operations; returns the number of collections finished.
fn run(seed: u64, ops: usize) -> u32 {
    let mut rng = Rng(seed);
    let options = Options { window_secs: 40, gc_min_bytes: 8 << 10, gc_slice: 1 + rng.below(12) as usize };
    let mem = MemBackend::new();
    let mut db = Database::open(Box::new(mem.clone()), options.clone()).unwrap();
    let mut m = Model { states: vec![(Timestamp(i64::MIN), State::new())] };
    let mut finished = 0;
    for i in 0..ops {
        let now = Timestamp::from_secs(T0 + i as i64);
        db.set_clock(Some(now));
        match rng.below(40) {
            0..=2 => {
                let back = Timestamp::from_secs(T0 + i as i64 - 1 - rng.below(50) as i64);
                let out = db.backtrack(BacktrackTarget::Time(back), true).unwrap();
                let state = m.at(out.record.target).clone();
                m.states.push((now, state));
            }
            3 => db.set_window(5 + rng.below(60)).unwrap(),
            4..=7 => {
                if db.gc_step(1 + rng.below(40) as usize).unwrap() {
                    finished += 1;
                }
            }
            8 if rng.below(4) == 0 => {
                drop(db);
                db = Database::open(Box::new(mem.clone()), options.clone()).unwrap();
                db.set_clock(Some(now));
            }
            9 if rng.below(8) == 0 => {
                db.gc().unwrap();
                finished += 1;
            }
            _ => {
                let mut state = m.head().clone();
                for _ in 0..1 + rng.below(6) {
                    let k = format!("k{:04}", rng.below(400)).into_bytes();
                    if rng.below(6) == 0 {
                        db.delete(&k).unwrap();
                        state.remove(&k);
                    } else {
                        let v = value(rng.next());
                        db.put(&k, &v).unwrap();
                        state.insert(k, v);
                    }
                }
                if db.commit("w", 1).unwrap().is_some() {
                    m.states.push((now, state));
                }
            }
        }
        assert!(&read(&db, &db.committed()) == m.head(), "seed {seed:#x}, op {i}: the current state differs");
        if i % 25 == 0 {
            check_all(&db, &m, seed, i);
        }
        if let Some(first) = db.timeline().unwrap().first() {
            m.prune(first.time);
        }
    }
    check_all(&db, &m, seed, ops);
    // Everything retained survives a reopen (a fresh cache, the free list
    // read back) and one more whole collection.
    let mut db = Database::open(Box::new(mem), options).unwrap();
    db.set_clock(Some(Timestamp::from_secs(T0 + ops as i64)));
    db.gc().unwrap();
    check_all(&db, &m, seed, ops + 1);
    finished
}

#[test]
fn collections_in_slices_never_lose_a_retained_state() {
    let mut finished = 0;
    for seed in 1..=6u64 {
        finished += run(seed * 0x9E37_79B9, if cfg!(debug_assertions) { 1500 } else { 6000 });
    }
    assert!(finished >= 12, "too few collections finished: {finished}");
}

#[test]
fn a_slice_visits_a_bounded_number_of_records() {
    // With a long history, an automatic slice only does part of a
    // collection: several durable operations pass before it finishes, and
    // the store's page count stays bounded all the same.
    let mem = MemBackend::new();
    let options = Options { window_secs: 30, gc_min_bytes: 16 << 10, gc_slice: 16 };
    let mut db = Database::open(Box::new(mem), options).unwrap();
    let mut pages = Vec::new();
    for i in 0..4000u64 {
        db.set_clock(Some(Timestamp::from_secs(T0 + i as i64)));
        db.put(format!("k{:04}", i % 300).as_bytes(), &value(i)).unwrap();
        db.commit("w", 1).unwrap();
        pages.push(db.storage_stats().pages);
    }
    let mut slices = 1;
    while !db.gc_step(16).unwrap() {
        slices += 1;
        assert!(slices < 10_000, "a collection does not finish");
    }
    assert!(slices > 5, "a collection finished within {slices} slices of 16 records");
    // Steady state: the second half of the run does not grow the store much
    // beyond the first half's peak.
    let first = *pages[..2000].iter().max().unwrap();
    let second = *pages[2000..].iter().max().unwrap();
    assert!(second <= first + first / 4, "the store kept growing: {first} then {second} pages");
}

#[test]
fn copying_the_present_out_of_sparse_pages_is_sliced_too() {
    // 2,000 rows of 300 bytes written together, then single-row updates
    // under a short window: most of the load's pages end up holding a row
    // or two that the present still needs. The collection that finds them
    // sparse has the next one copy those rows out, a bounded part a slice
    // (each a durable update), and the present reads back unchanged.
    let options = Options { window_secs: 30, gc_min_bytes: u64::MAX, gc_slice: 16 };
    let mut db = Database::open(Box::new(MemBackend::new()), options).unwrap();
    db.set_clock(Some(Timestamp::from_secs(T0)));
    let mut rows: Vec<Vec<u8>> = (0..2000u64).map(|i| vec![b'a' + (i % 26) as u8; 300]).collect();
    for (i, v) in rows.iter().enumerate() {
        db.put(&row_key(i as u64), v).unwrap();
    }
    db.commit("load", 2000).unwrap();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for c in 1..=1500u64 {
        db.set_clock(Some(Timestamp::from_secs(T0 + c as i64)));
        let i = rng.below(2000) as usize;
        rows[i] = format!("update {c}").into_bytes();
        db.put(&row_key(i as u64), &rows[i]).unwrap();
        db.commit("UPDATE", 1).unwrap();
    }
    db.gc().unwrap();
    let mut appended = Vec::new();
    loop {
        let before = db.storage_stats().appended_bytes;
        let done = db.gc_step(16).unwrap();
        appended.push(db.storage_stats().appended_bytes - before);
        assert!(appended.len() < 100_000, "a collection does not finish");
        if done {
            break;
        }
    }
    let copied: u64 = appended.iter().sum();
    let most = *appended.iter().max().unwrap();
    // A slice of 16 records visits 2 nodes: at most two leaves rewritten in
    // full (4 KiB each), their ancestors' patches, the current entry's and
    // the free list's records.
    assert!(most <= 20 << 10, "one slice appended {most} bytes");
    assert!(copied >= 64 << 10, "only {copied} bytes were copied out of sparse pages");
    let snap = db.committed();
    for (i, v) in rows.iter().enumerate() {
        assert_eq!(db.get(&snap, &row_key(i as u64)).unwrap().as_deref(), Some(&v[..]), "row {i}");
    }
}

fn row(i: u64) -> Vec<u8> {
    format!("row-{i:08}-payload-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").into_bytes()
}

fn row_key(i: u64) -> [u8; 9] {
    let mut k = [b'r'; 9];
    k[1..].copy_from_slice(&i.to_be_bytes());
    k
}

/// 10,000 rows, then `commits` single-row update commits, one per second;
/// returns the database and the longest commit (ms) of the history part.
fn history(commits: u64, options: Options) -> (Database, f64) {
    let mut db = Database::open(Box::new(MemBackend::new()), options).unwrap();
    db.set_clock(Some(Timestamp::from_secs(T0)));
    for i in 0..10_000 {
        db.put(&row_key(i), &row(i)).unwrap();
    }
    db.commit("load", 10_000).unwrap();
    let mut rng = Rng(88172645463325252);
    let mut longest = 0f64;
    for c in 0..commits {
        db.set_clock(Some(Timestamp::from_secs(T0 + 1 + c as i64)));
        let start = std::time::Instant::now();
        db.put(&row_key(rng.below(10_000)), &row(c)).unwrap();
        db.commit("UPDATE", 1).unwrap();
        longest = longest.max(start.elapsed().as_secs_f64() * 1e3);
    }
    (db, longest)
}

/// GC pauses at 100k commits of history, one-shot against sliced, and the
/// steady-state store size under a finite window. Not a timing assertion:
/// `cargo test --release --test engine_gc -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn gc_pause_benchmark() {
    let unbounded = Options { window_secs: 10 * 365 * 86_400, gc_slice: usize::MAX, ..Options::default() };
    let sliced = Options { window_secs: 10 * 365 * 86_400, ..Options::default() };
    println!("History: 10,000 rows, then 100,000 single-row update commits (one per second), window 10 years.\n");
    let (_, no_gc) = history(100_000, Options { gc_min_bytes: u64::MAX, ..sliced.clone() });
    println!("Longest commit while building with no collection at all: {no_gc:.2} ms\n");
    println!("| collection | longest commit while building (ms) | whole collection at 100k: longest slice (ms) | slice p50 (ms) | slice p99 (ms) | slices | total GC (ms) |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, options) in [("one-shot (`gc_slice` unbounded)", unbounded), ("sliced (default `gc_slice`)", sliced)] {
        let slice = options.gc_slice;
        let (mut db, longest_commit) = history(100_000, options);
        db.gc().unwrap();
        let mut times = Vec::new();
        let total = std::time::Instant::now();
        loop {
            let start = std::time::Instant::now();
            let done = db.gc_step(slice).unwrap();
            times.push(start.elapsed().as_secs_f64() * 1e3);
            if done {
                break;
            }
        }
        let total = total.elapsed().as_secs_f64() * 1e3;
        let slices = times.len();
        let worst = (0..slices).max_by(|&a, &b| times[a].total_cmp(&times[b])).unwrap();
        let longest = times[worst];
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        let (p50, p99) = (sorted[slices / 2], sorted[(slices * 99 / 100).min(slices - 1)]);
        println!(
            "| {name} | {longest_commit:.2} | {longest:.2} (slice {} of {slices}) | {p50:.2} | {p99:.2} | {slices} | {total:.1} |",
            worst + 1
        );
    }
    println!("\nSteady state: 10,000 rows, window 600 s, one single-row update commit per second.\n");
    println!("| collection | commits | store MiB | free pages | live MiB at last GC | longest commit (ms) |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, slice) in [("one-shot", usize::MAX), ("sliced", Options::default().gc_slice)] {
        let options = Options { window_secs: 600, gc_slice: slice, ..Options::default() };
        let mut db = Database::open(Box::new(MemBackend::new()), options).unwrap();
        db.set_clock(Some(Timestamp::from_secs(T0)));
        for i in 0..10_000 {
            db.put(&row_key(i), &row(i)).unwrap();
        }
        db.commit("load", 10_000).unwrap();
        let mut rng = Rng(7);
        let mut longest = 0f64;
        for c in 1..=60_000u64 {
            db.set_clock(Some(Timestamp::from_secs(T0 + c as i64)));
            let start = std::time::Instant::now();
            db.put(&row_key(rng.below(10_000)), &row(c)).unwrap();
            db.commit("UPDATE", 1).unwrap();
            longest = longest.max(start.elapsed().as_secs_f64() * 1e3);
            if c % 20_000 == 0 {
                let s = db.storage_stats();
                println!(
                    "| {name} | {c} | {:.2} | {} | {:.2} | {longest:.2} |",
                    s.pages as f64 * 4096.0 / 1048576.0,
                    s.free_pages,
                    s.live_bytes_at_gc as f64 / 1048576.0
                );
            }
        }
    }
}
