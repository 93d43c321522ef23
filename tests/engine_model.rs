#![cfg(not(target_arch = "wasm32"))]
//! Property test: random sequences of writes, commits, backtracks, window
//! changes and reopenings against a simple model (a list of full snapshots,
//! each current from its commit time). Every `as of T` read and every diff
//! is checked against the model.

use std::collections::BTreeMap;
use std::ops::Bound;

use proptest::prelude::*;
use reeldb::{BacktrackTarget, Database, Error, MemBackend, Options, Snapshot, Timestamp};

type State = BTreeMap<Vec<u8>, Vec<u8>>;

#[derive(Debug, Clone)]
enum Op {
    Put(u8, u16),
    Del(u8),
    Commit,
    Rollback,
    Tick(u8),
    Backtrack(u8, bool),
    Window(u8),
    Reopen,
    /// A garbage-collection slice of this many records (0: a whole
    /// collection).
    Gc(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..24, any::<u16>()).prop_map(|(k, v)| Op::Put(k, v)),
        2 => (0u8..24).prop_map(Op::Del),
        4 => Just(Op::Commit),
        1 => Just(Op::Rollback),
        3 => (0u8..4).prop_map(Op::Tick),
        2 => (0u8..40, any::<bool>()).prop_map(|(b, c)| Op::Backtrack(b, c)),
        1 => (0u8..30).prop_map(Op::Window),
        1 => Just(Op::Reopen),
        2 => (0u8..8).prop_map(Op::Gc),
    ]
}

fn key(k: u8) -> Vec<u8> {
    vec![b'k', k]
}

fn val(v: u16) -> Vec<u8> {
    // Some values are long enough to be stored out of line.
    let len = if v % 50 == 0 { 2000 } else { 1 + (v % 30) as usize };
    (0..len).map(|i| (v as usize).wrapping_add(i) as u8).collect()
}

struct Model {
    /// (time the state became current, state); the first is the empty
    /// database, current since the beginning of time.
    states: Vec<(Timestamp, State)>,
    txn: Option<State>,
    clock: Timestamp,
    window: u64,
    /// The latest cutoff (time minus window) any durable operation applied:
    /// history before it may have been trimmed.
    cutoff: Timestamp,
}

impl Model {
    fn head(&self) -> &State {
        &self.states.last().unwrap().1
    }
    fn at(&self, t: Timestamp) -> &State {
        let i = self.states.partition_point(|(s, _)| *s <= t);
        &self.states[i - 1].1
    }
    fn now(&self) -> Timestamp {
        self.clock.max(self.states.last().unwrap().0)
    }
    fn durable_op(&mut self) {
        let c = Timestamp(self.now().0 - self.window as i64 * 1_000_000);
        self.cutoff = self.cutoff.max(c);
    }
}

fn read(db: &Database, s: &Snapshot) -> State {
    let mut m = State::new();
    db.scan(s, Bound::Unbounded, Bound::Unbounded, &mut |k, v| {
        m.insert(k.to_vec(), v.to_vec());
        true
    })
    .unwrap();
    m
}

type Change = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

fn model_diff(a: &State, b: &State) -> Vec<Change> {
    let mut keys: Vec<_> = a.keys().chain(b.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (a.get(&k).cloned(), b.get(&k).cloned());
            (x != y).then_some((k, x, y))
        })
        .collect()
}

fn check(db: &Database, m: &Model) -> Result<(), TestCaseError> {
    prop_assert_eq!(&read(db, &db.committed()), m.head());
    prop_assert_eq!(read(db, &db.current()), m.txn.clone().unwrap_or_else(|| m.head().clone()));
    let now = db.now();
    prop_assert_eq!(now, m.now());
    let earliest = db.earliest();
    let window_start = Timestamp(now.0 - m.window as i64 * 1_000_000);
    prop_assert!(earliest >= window_start, "earliest {} before the window start {}", earliest, window_start);
    prop_assert!(earliest <= window_start.max(m.cutoff), "history lost beyond the window and every trim");
    let before = matches!(db.as_of(Timestamp(earliest.0 - 1)), Err(Error::BeforeEarliest { .. }));
    prop_assert!(before, "reading before the earliest time must fail");
    let future = matches!(db.as_of(Timestamp(now.0 + 1)), Err(Error::InFuture { .. }));
    prop_assert!(future, "reading the future must fail");
    // Every distinct time in range, plus the boundaries.
    let mut times: Vec<Timestamp> = m.states.iter().map(|(t, _)| *t).filter(|t| *t >= earliest).collect();
    times.extend([earliest, now, Timestamp((earliest.0 + now.0) / 2)]);
    for &t in &times {
        prop_assert_eq!(&read(db, &db.as_of(t).unwrap()), m.at(t), "as of {}", t);
    }
    // Diffs between pairs of times, whole keyspace and a sub-range.
    for w in times.windows(2).take(6) {
        let (a, b) = (db.as_of(w[0]).unwrap(), db.as_of(w[1]).unwrap());
        let got: Vec<_> = db
            .diff(&a, &b, Bound::Unbounded, Bound::Unbounded)
            .unwrap()
            .into_iter()
            .map(|d| (d.key, d.before, d.after))
            .collect();
        prop_assert_eq!(got, model_diff(m.at(w[0]), m.at(w[1])));
        let lo = key(5);
        let hi = key(12);
        let got: Vec<_> = db.diff(&a, &b, Bound::Included(&lo), Bound::Excluded(&hi)).unwrap();
        let want: Vec<_> =
            model_diff(m.at(w[0]), m.at(w[1])).into_iter().filter(|(k, _, _)| *k >= lo && *k < hi).collect();
        prop_assert_eq!(got.len(), want.len());
    }
    Ok(())
}

fn opts() -> Options {
    // Collections start often and run in slices of a few records, so that
    // writes, backtracks and trims interleave with every phase of them.
    Options { window_secs: 20, gc_min_bytes: 4 << 10, gc_slice: 3 }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: if cfg!(debug_assertions) { 256 } else { 2048 }, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_snapshot_model(ops in proptest::collection::vec(op(), 1..80)) {
        let mem = MemBackend::new();
        let mut db = Database::open(Box::new(mem.clone()), opts()).unwrap();
        let start = Timestamp::from_secs(1_600_000_000);
        let mut m = Model { states: vec![(Timestamp(i64::MIN), State::new())], txn: None, clock: start, window: 20, cutoff: Timestamp(i64::MIN) };
        db.set_clock(Some(start));
        for op in ops {
            match op {
                Op::Put(k, v) => {
                    db.put(&key(k), &val(v)).unwrap();
                    let head = m.head().clone();
                    m.txn.get_or_insert(head).insert(key(k), val(v));
                }
                Op::Del(k) => {
                    let existed = db.delete(&key(k)).unwrap();
                    let head = m.head().clone();
                    prop_assert_eq!(existed, m.txn.get_or_insert(head).remove(&key(k)).is_some());
                }
                Op::Commit => {
                    let entry = db.commit("op", 1).unwrap();
                    if let Some(txn) = m.txn.take() {
                        if let Some(e) = entry {
                            prop_assert_eq!(e.time, m.now());
                            let t = m.now();
                            m.states.push((t, txn));
                            m.durable_op();
                        }
                    } else {
                        prop_assert!(entry.is_none());
                    }
                }
                Op::Rollback => {
                    prop_assert_eq!(db.rollback(), m.txn.take().is_some());
                }
                Op::Tick(s) => {
                    m.clock = Timestamp(m.clock.0 + s as i64 * 1_000_000);
                    db.set_clock(Some(m.clock));
                }
                Op::Backtrack(back, clamp) => {
                    let now = m.now();
                    let target = Timestamp(now.0 - back as i64 * 1_000_000);
                    let earliest = db.earliest();
                    match db.backtrack(BacktrackTarget::Time(target), clamp) {
                        Ok(out) => {
                            prop_assert!(target >= earliest || clamp);
                            let effective = target.max(earliest);
                            prop_assert_eq!(out.record.target, effective);
                            prop_assert_eq!(out.rolled_back_transaction, m.txn.take().is_some());
                            let state = m.at(effective).clone();
                            m.states.push((now, state));
                            m.durable_op();
                        }
                        Err(Error::BeforeEarliest { .. }) => prop_assert!(target < earliest && !clamp),
                        Err(e) => prop_assert!(false, "unexpected error {}", e),
                    }
                }
                Op::Window(w) => {
                    m.window = w as u64;
                    db.set_window(w as u64).unwrap();
                    m.durable_op();
                }
                Op::Gc(0) => db.gc().unwrap(),
                Op::Gc(budget) => {
                    db.gc_step(budget as usize).unwrap();
                }
                Op::Reopen => {
                    drop(db);
                    db = Database::open(Box::new(mem.clone()), opts()).unwrap();
                    db.set_clock(Some(m.clock));
                    m.txn = None;
                }
            }
            check(&db, &m)?;
        }
    }
}
