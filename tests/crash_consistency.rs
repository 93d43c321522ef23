//! Crash consistency: a workload runs on a backend that stops making writes
//! durable at the N-th write, for every N the workload reaches, with lost
//! and with torn writes. After reopening, the database must be exactly at a
//! committed state at or after the last acknowledged one, never torn, and
//! its whole retained timeline must read back.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use std::collections::BTreeMap;
use std::ops::Bound;

use reeldb::{BacktrackTarget, Database, Fault, FaultyBackend, MemBackend, Options, Timestamp};

type State = BTreeMap<Vec<u8>, Vec<u8>>;

#[derive(Clone, Debug)]
enum Op {
    Commit(Vec<(u16, Option<u16>)>),
    Backtrack(i64),
    Window(u64),
    RestorePoint(u32),
}

/// A deterministic mixed workload (xorshift).
fn workload(len: usize, seed: u64) -> Vec<Op> {
    let mut x = seed;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..len)
        .map(|i| match next() % 20 {
            0 => Op::Backtrack((next() % 40) as i64 + 1),
            1 if i > 10 => Op::Window(next() % 15 + 2),
            2 => Op::RestorePoint(i as u32),
            _ => {
                let n = 1 + next() % 12;
                Op::Commit(
                    (0..n)
                        .map(|_| {
                            let k = (next() % 300) as u16;
                            let v = if next() % 5 == 0 { None } else { Some((next() % 60_000) as u16) };
                            (k, v)
                        })
                        .collect(),
                )
            }
        })
        .collect()
}

fn value(v: u16) -> Vec<u8> {
    // Mostly small rows, a few long ones that spill into chunk records.
    let len = if v % 97 == 0 { 3000 + v as usize % 5000 } else { 20 + v as usize % 80 };
    (0..len).map(|i| (v as usize + i) as u8).collect()
}

fn state_of(db: &Database, snap: &reeldb::Snapshot) -> reeldb::Result<State> {
    let mut m = State::new();
    db.scan(snap, Bound::Unbounded, Bound::Unbounded, &mut |k, v| {
        m.insert(k.to_vec(), v.to_vec());
        true
    })?;
    Ok(m)
}

/// Applies `op` at second `i`; returns an error when the storage failed.
fn apply(db: &mut Database, i: usize, op: &Op) -> reeldb::Result<()> {
    db.set_clock(Some(Timestamp::from_secs(1_700_000_000 + i as i64)));
    match op {
        Op::Commit(changes) => {
            for (k, v) in changes {
                let key = k.to_be_bytes();
                match v {
                    Some(v) => db.put(&key, &value(*v))?,
                    None => {
                        db.delete(&key)?;
                    }
                }
            }
            db.commit("w", changes.len() as u64).map(|_| ())
        }
        Op::Backtrack(back) => {
            let t = Timestamp::from_secs(1_700_000_000 + i as i64 - back);
            db.backtrack(BacktrackTarget::Time(t), true).map(|_| ())
        }
        Op::Window(w) => db.set_window(*w),
        Op::RestorePoint(n) => db.create_restore_point(&format!("rp{n}")).map(|_| ()),
    }
}

struct Acked {
    state: State,
    timeline: usize,
}

fn opts() -> Options {
    // A small threshold makes garbage collection and page reuse happen
    // many times within the workload, and small slices keep a collection
    // in flight across many operations (crashes hit every phase of it).
    Options { window_secs: 86_400, gc_min_bytes: 16 << 10, gc_slice: 8 }
}

fn run(ops: &[Op], budget: u64, fault: Fault) -> (MemBackend, Vec<Acked>, bool, u64) {
    let mem = MemBackend::new();
    let faulty = FaultyBackend::new(mem.clone(), budget, fault);
    let writes = faulty.write_counter();
    let mut acked = Vec::new();
    let Ok(mut db) = Database::open(Box::new(faulty), opts()) else {
        return (mem, acked, true, writes.get());
    };
    acked.push(Acked { state: State::new(), timeline: 0 });
    for (i, op) in ops.iter().enumerate() {
        if apply(&mut db, i, op).is_err() {
            // The in-flight operation may or may not have become durable.
            acked.push(Acked { state: expected_after(ops, i), timeline: usize::MAX });
            return (mem, acked, true, writes.get());
        }
        let state = state_of(&db, &db.committed()).unwrap();
        acked.push(Acked { state, timeline: db.timeline().unwrap().len() });
    }
    // A garbage-collection slice that fails leaves the database at its last
    // durable state and does not fail the operation that ran it (the next
    // write reports the error): when that was the last operation, the
    // budget is spent (the write after it was tried) with no error seen.
    let spent = writes.get() >= budget;
    (mem, acked, spent, writes.get())
}

/// The state the in-flight operation `i` would have produced, replayed on a
/// healthy in-memory database.
fn expected_after(ops: &[Op], i: usize) -> State {
    let mut db = Database::open(Box::new(MemBackend::new()), opts()).unwrap();
    for (j, op) in ops[..=i].iter().enumerate() {
        apply(&mut db, j, op).unwrap();
    }
    state_of(&db, &db.committed()).unwrap()
}

fn check_recovery(ops: &[Op], budget: u64, fault: Fault) {
    let (mem, acked, crashed, _) = run(ops, budget, fault);
    assert!(crashed, "budget {budget} did not crash the workload");
    let mut db = Database::open(Box::new(mem.clone()), opts())
        .unwrap_or_else(|e| panic!("budget {budget} ({fault:?}): reopen failed: {e}"));
    let got = state_of(&db, &db.committed()).unwrap_or_else(|e| panic!("budget {budget}: read failed: {e}"));
    if acked.len() < 2 {
        // The crash hit the creation of the database: it is empty.
        assert!(got.is_empty() && db.timeline().unwrap().is_empty());
        return;
    }
    let n = acked.len();
    let (last_acked, in_flight) = (&acked[n - 2], &acked[n - 1]);
    let landed = if got == last_acked.state && db.timeline().unwrap().len() == last_acked.timeline {
        0
    } else {
        assert!(
            got == in_flight.state,
            "budget {budget} ({fault:?}): recovered state is neither the last acknowledged nor the in-flight one"
        );
        1
    };
    // The whole retained timeline reads back and matches a healthy replay of
    // the same operations.
    let applied = n - 2 + landed;
    let mut replay = Database::open(Box::new(MemBackend::new()), opts()).unwrap();
    for (j, op) in ops[..applied].iter().enumerate() {
        apply(&mut replay, j, op).unwrap();
    }
    assert_eq!(db.timeline().unwrap(), replay.timeline().unwrap(), "budget {budget} ({fault:?}): timelines differ");
    let clock = replay.fixed_clock().unwrap_or(Timestamp::from_secs(1_700_000_000));
    replay.set_clock(Some(clock));
    db.set_clock(Some(clock));
    assert_eq!(db.earliest(), replay.earliest());
    for e in db.timeline().unwrap() {
        // The oldest retained entry may predate the window: it is the state
        // current at its start.
        let t = e.time.max(db.earliest());
        let ours = state_of(&db, &db.as_of(t).unwrap()).unwrap();
        let theirs = state_of(&replay, &replay.as_of(t).unwrap()).unwrap();
        assert!(ours == theirs, "budget {budget}: as-of {} differs from a replay", e.time);
    }
}

#[test]
fn every_crash_point_recovers_to_a_committed_state() {
    let ops = workload(if cfg!(debug_assertions) { 120 } else { 400 }, 0x5EED);
    let (_, _, crashed, total) = run(&ops, u64::MAX, Fault::Lost);
    assert!(!crashed);
    let mut trials = 0;
    for budget in 0..total {
        for fault in [Fault::Lost, Fault::Torn] {
            check_recovery(&ops, budget, fault);
            trials += 1;
        }
    }
    println!("crash trials: {trials} ({total} write points x 2 fault kinds)");
    assert!(trials >= 200, "the workload reached only {total} writes");
}

#[test]
fn workload_exercises_collection_and_page_reuse() {
    let ops = workload(120, 0x5EED);
    let mut db = Database::open(Box::new(MemBackend::new()), opts()).unwrap();
    let mut reused = false;
    for (i, op) in ops.iter().enumerate() {
        apply(&mut db, i, op).unwrap();
        let s = db.storage_stats();
        reused |= s.free_pages > 0 && s.live_bytes_at_gc > 0;
    }
    let s = db.storage_stats();
    println!("{s:?}");
    assert!(s.live_bytes_at_gc > 0, "garbage collection never ran");
    assert!(reused, "no page was ever freed for reuse");
}
