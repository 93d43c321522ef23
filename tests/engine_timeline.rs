//! The timeline semantics of `../shared/scenario/backtrack.test`, at the
//! engine level, plus reopen and bad-input behaviour.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use std::ops::Bound;

use reeldb::{BacktrackStatus, BacktrackTarget, Database, EntryKind, Error, MemBackend, Options, Timestamp};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn at(db: &mut Database, s: &str) {
    db.set_clock(Some(ts(s)));
}

fn rows(db: &Database, snap: &reeldb::Snapshot) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut v = Vec::new();
    db.scan(snap, Bound::Unbounded, Bound::Unbounded, &mut |k, val| {
        v.push((k.to_vec(), val.to_vec()));
        true
    })
    .unwrap();
    v
}

fn count(db: &Database, snap: &reeldb::Snapshot) -> usize {
    rows(db, snap).len()
}

#[test]
fn reference_scenario_at_engine_level() {
    let mem = MemBackend::new();
    let mut db = Database::open(Box::new(mem.clone()), Options::default()).unwrap();
    at(&mut db, "2020-12-24 14:45:00");
    db.put(b"db", b"SQLShackDemo").unwrap();
    db.commit("CREATE DATABASE", 0).unwrap().unwrap();
    at(&mut db, "2020-12-24 14:52:00");
    db.put(b"table", b"ProductsData").unwrap();
    db.commit("CREATE TABLE", 0).unwrap();
    at(&mut db, "2020-12-24 14:55:00");
    db.put(b"row1", b"Laptop").unwrap();
    db.commit("INSERT 1", 1).unwrap();
    at(&mut db, "2020-12-24 14:58:00");
    db.put(b"row2", b"Monitor").unwrap();
    db.commit("INSERT 2", 1).unwrap();
    at(&mut db, "2020-12-24 15:01:00");
    db.delete(b"row1").unwrap();
    db.delete(b"row2").unwrap();
    db.commit("DELETE", 2).unwrap();
    assert_eq!(count(&db, &db.committed()), 2);
    let past = db.as_of(ts("2020-12-24 15:00:00")).unwrap();
    assert_eq!(count(&db, &past), 4);

    at(&mut db, "2020-12-24 15:05:00");
    db.backtrack(BacktrackTarget::Time(ts("2020-12-24 14:50:00")), false).unwrap();
    assert_eq!(rows(&db, &db.committed()), vec![(b"db".to_vec(), b"SQLShackDemo".to_vec())]);
    at(&mut db, "2020-12-24 15:06:00");
    db.backtrack(BacktrackTarget::Time(ts("2020-12-24 15:00:00")), false).unwrap();
    assert_eq!(count(&db, &db.committed()), 4);
    assert_eq!(count(&db, &db.as_of(ts("2020-12-24 15:03:00")).unwrap()), 2);
    assert_eq!(count(&db, &db.as_of(ts("2020-12-24 15:05:30")).unwrap()), 1);

    at(&mut db, "2020-12-24 15:08:00");
    db.put(b"row3", b"Keyboard").unwrap();
    db.commit("INSERT 3", 1).unwrap();
    at(&mut db, "2020-12-24 15:10:00");
    db.backtrack(BacktrackTarget::Time(ts("2020-12-24 15:02:00")), false).unwrap();
    assert_eq!(count(&db, &db.committed()), 2);
    db.backtrack(BacktrackTarget::Time(ts("2020-12-24 15:08:30")), false).unwrap();
    assert_eq!(count(&db, &db.committed()), 5);
    let log: Vec<_> = db.backtracks().iter().map(|b| (b.id, b.target.to_string(), b.from.to_string())).collect();
    assert_eq!(log[0], (1, "2020-12-24 14:50:00".into(), "2020-12-24 15:05:00".into()));
    assert_eq!(log[3], (4, "2020-12-24 15:08:30".into(), "2020-12-24 15:10:00".into()));

    at(&mut db, "2020-12-24 15:20:00");
    db.set_window(1800).unwrap();
    assert_eq!(db.status().earliest, ts("2020-12-24 14:50:00"));
    assert!(matches!(
        db.backtrack(BacktrackTarget::Time(ts("2020-12-24 14:49:00")), false),
        Err(Error::BeforeEarliest { .. })
    ));
    assert!(matches!(
        db.backtrack(BacktrackTarget::Time(ts("2020-12-24 15:30:00")), false),
        Err(Error::InFuture { .. })
    ));
    assert!(matches!(db.backtracks().last().unwrap().status, BacktrackStatus::Failed(_)));
    assert_eq!(count(&db, &db.committed()), 5);

    // Everything reads back after reopening.
    let timeline = db.timeline().unwrap().to_vec();
    let backtracks = db.backtracks().to_vec();
    drop(db);
    let mut db = Database::open(Box::new(mem), Options::default()).unwrap();
    assert_eq!(db.timeline().unwrap(), &timeline[..]);
    assert_eq!(db.backtracks(), &backtracks[..]);
    at(&mut db, "2020-12-24 15:20:00");
    assert_eq!(db.status().earliest, ts("2020-12-24 14:50:00"));
    assert_eq!(db.status().window_target_secs, 1800);
    assert_eq!(count(&db, &db.committed()), 5);
    assert_eq!(count(&db, &db.as_of(ts("2020-12-24 15:03:00")).unwrap()), 2);
}

#[test]
fn backtrack_rolls_back_open_transaction_and_clamps_on_request() {
    let mut db = Database::in_memory();
    at(&mut db, "2021-01-01 00:00:00");
    db.put(b"a", b"1").unwrap();
    db.commit("a", 1).unwrap();
    at(&mut db, "2021-01-01 01:00:00");
    db.set_window(600).unwrap();
    db.put(b"b", b"2").unwrap();
    let out = db.backtrack(BacktrackTarget::Time(ts("2000-01-01 00:00:00")), true).unwrap();
    assert!(out.rolled_back_transaction);
    assert_eq!(out.record.target, ts("2021-01-01 00:50:00"));
    assert_eq!(out.entry.kind, EntryKind::Backtrack);
    assert!(!db.in_transaction());
    assert_eq!(db.get(&db.committed(), b"a").unwrap().as_deref(), Some(&b"1"[..]));
}

#[test]
fn window_zero_keeps_only_the_present_and_gc_reuses_space() {
    let mut db = Database::in_memory();
    let t0 = ts("2022-05-01 00:00:00").0;
    db.set_window(0).unwrap();
    for i in 0..3000i64 {
        db.set_clock(Some(Timestamp(t0 + i * 1_000_000)));
        db.put(format!("k{}", i % 50).as_bytes(), &[i as u8; 100]).unwrap();
        db.commit("w", 1).unwrap();
    }
    assert_eq!(db.timeline().unwrap().len(), 1);
    let st = db.status();
    assert_eq!(st.earliest, st.now);
    let stats = db.storage_stats();
    // 3000 commits of 100-byte rows: without reuse the store would span
    // hundreds of pages; reclaimed pages keep it small.
    assert!(stats.pages < 120, "store spans {} pages", stats.pages);
    assert!(db.as_of(Timestamp(st.now.0 - 1)).is_err());
}

#[test]
fn restore_points_are_backtrack_targets() {
    let mut db = Database::in_memory();
    at(&mut db, "2023-03-03 10:00:00");
    db.put(b"x", b"1").unwrap();
    db.commit("x=1", 1).unwrap();
    at(&mut db, "2023-03-03 10:01:00");
    db.create_restore_point("before-upgrade").unwrap();
    assert!(matches!(db.create_restore_point("before-upgrade"), Err(Error::DuplicateRestorePoint(_))));
    assert!(matches!(db.create_restore_point(""), Err(Error::BadRestorePointName(_))));
    at(&mut db, "2023-03-03 10:02:00");
    db.put(b"x", b"2").unwrap();
    db.commit("x=2", 1).unwrap();
    db.backtrack(BacktrackTarget::RestorePoint("before-upgrade".into()), false).unwrap();
    assert_eq!(db.get(&db.committed(), b"x").unwrap().as_deref(), Some(&b"1"[..]));
    assert!(matches!(
        db.backtrack(BacktrackTarget::RestorePoint("nope".into()), false),
        Err(Error::UnknownRestorePoint(_))
    ));
    db.drop_restore_point("before-upgrade").unwrap();
    assert!(db.restore_points().is_empty());
}

#[test]
fn row_versions_cover_abandoned_futures() {
    let mut db = Database::in_memory();
    at(&mut db, "2020-01-01 00:00:01");
    db.put(b"r", b"v1").unwrap();
    db.commit("", 1).unwrap();
    at(&mut db, "2020-01-01 00:00:02");
    db.put(b"r", b"v2").unwrap();
    db.commit("", 1).unwrap();
    at(&mut db, "2020-01-01 00:00:03");
    db.backtrack(BacktrackTarget::Time(ts("2020-01-01 00:00:01")), false).unwrap();
    let v = db.row_versions(Bound::Unbounded, Bound::Unbounded, Timestamp(i64::MIN), Timestamp(i64::MAX)).unwrap();
    let got: Vec<_> = v.iter().map(|r| (r.value.clone(), r.start.secs() % 60, r.end.map(|e| e.secs() % 60))).collect();
    assert_eq!(got, vec![(b"v1".to_vec(), 1, Some(2)), (b"v2".to_vec(), 2, Some(3)), (b"v1".to_vec(), 3, None)]);
}

#[test]
fn corrupted_truncated_and_foreign_stores_give_typed_errors() {
    let mem = MemBackend::new();
    let mut db = Database::open(Box::new(mem.clone()), Options::default()).unwrap();
    for i in 0..2000u32 {
        db.put(&i.to_be_bytes(), &[1; 64]).unwrap();
    }
    db.commit("bulk", 2000).unwrap();
    drop(db);
    // Flip a byte in a log page: the read that reaches it names the page.
    let damaged = mem.deep_copy();
    damaged.with_page(5, |p| p.unwrap()[2000] ^= 0x40);
    let err = Database::open(Box::new(damaged.clone()), Options::default())
        .and_then(|db| db.scan(&db.committed(), Bound::Unbounded, Bound::Unbounded, &mut |_, _| true).map(|_| ()))
        .unwrap_err();
    assert!(matches!(err, Error::Checksum { page: 5, .. }), "{err}");
    // Truncation.
    let short = mem.deep_copy();
    short.truncate(4);
    let err = Database::open(Box::new(short), Options::default())
        .and_then(|db| db.scan(&db.committed(), Bound::Unbounded, Bound::Unbounded, &mut |_, _| true).map(|_| ()))
        .unwrap_err();
    assert!(matches!(err, Error::Truncated(_) | Error::Corrupt(_)), "{err}");
    // Both superblocks damaged.
    let bad = mem.deep_copy();
    bad.with_page(0, |p| p.unwrap()[100] ^= 1);
    bad.with_page(1, |p| p.unwrap()[100] ^= 1);
    assert!(matches!(Database::open(Box::new(bad), Options::default()), Err(Error::Checksum { .. })));
    // Impossible times.
    let mut db = Database::in_memory();
    assert!(matches!(db.as_of(Timestamp(i64::MAX)), Err(Error::InFuture { .. })));
    assert!(matches!(db.set_window(u64::MAX), Err(Error::BadTime(_))));
    assert!(matches!(db.put(&vec![0; 5000], b""), Err(Error::TooLarge(_))));
}

#[test]
fn an_image_reopens_with_its_timeline_and_ignores_the_open_transaction() {
    let mut db = Database::in_memory();
    at(&mut db, "2023-03-03 10:00:00");
    db.put(b"x", b"1").unwrap();
    db.commit("x=1", 1).unwrap();
    at(&mut db, "2023-03-03 10:01:00");
    db.create_restore_point("start").unwrap();
    at(&mut db, "2023-03-03 10:02:00");
    db.delete(b"x").unwrap();
    db.commit("delete x", 1).unwrap();
    // Uncommitted work is not in the image.
    db.begin();
    db.put(b"y", b"open").unwrap();
    let image = db.image().unwrap();
    assert_eq!(image.len() % reeldb::PAGE_SIZE, 0);
    let pages = image.chunks_exact(reeldb::PAGE_SIZE).enumerate().map(|(n, p)| {
        let mut page = Box::new([0u8; reeldb::PAGE_SIZE]);
        page.copy_from_slice(p);
        (n as u64, page)
    });
    let mut copy = Database::open(Box::new(MemBackend::from_pages(pages)), Options::default()).unwrap();
    at(&mut copy, "2023-03-03 10:03:00");
    assert_eq!(copy.timeline().unwrap().len(), db.timeline().unwrap().len());
    assert_eq!(copy.get(&copy.committed(), b"x").unwrap(), None);
    assert_eq!(copy.get(&copy.committed(), b"y").unwrap(), None);
    let before = copy.as_of(ts("2023-03-03 10:01:30")).unwrap();
    assert_eq!(copy.get(&before, b"x").unwrap().as_deref(), Some(&b"1"[..]));
    copy.backtrack(BacktrackTarget::RestorePoint("start".into()), false).unwrap();
    assert_eq!(copy.get(&copy.committed(), b"x").unwrap().as_deref(), Some(&b"1"[..]));
}

/// Open reads only the timeline's ends; the rest is read when something
/// needs it. A database reopened before every few commits (so trimming,
/// `as of` and backtrack start from a timeline not read yet) answers as one
/// that never was: same timeline, same state at every time, same floor.
#[test]
fn a_reopened_database_trims_and_reads_history_as_one_never_reopened() {
    let t0 = ts("2024-03-01 00:00:00").0;
    let options = Options { window_secs: 40, ..Options::default() };
    let mem = MemBackend::new();
    let mut reopened = Database::open(Box::new(mem.clone()), options.clone()).unwrap();
    let mut model = Database::open(Box::new(MemBackend::new()), options.clone()).unwrap();
    for i in 0..120i64 {
        if i % 7 == 0 {
            reopened = Database::open(Box::new(mem.clone()), options.clone()).unwrap();
        }
        for db in [&mut reopened, &mut model] {
            db.set_clock(Some(Timestamp(t0 + i * 1_000_000)));
            if i % 11 == 10 {
                db.backtrack(BacktrackTarget::Time(Timestamp(t0 + (i - 5) * 1_000_000)), true).unwrap();
            } else {
                db.put(format!("k{}", i % 13).as_bytes(), &i.to_le_bytes()).unwrap();
                db.commit("w", 1).unwrap();
            }
        }
        if i % 5 == 0 {
            let mut fresh = Database::open(Box::new(mem.clone()), options.clone()).unwrap();
            fresh.set_clock(model.fixed_clock());
            assert_eq!(fresh.last_entry(), model.last_entry(), "commit {i}");
            assert_eq!(fresh.timeline_len(), model.timeline().unwrap().len() as u64, "commit {i}");
            let t = Timestamp(t0 + (i - 20).max(0) * 1_000_000);
            let (a, b) = (fresh.as_of(t), model.as_of(t));
            assert_eq!(a.is_ok(), b.is_ok(), "as of {t} after commit {i}");
            if let (Ok(a), Ok(b)) = (a, b) {
                assert_eq!(rows(&fresh, &a), rows(&model, &b), "as of {t} after commit {i}");
            }
        }
    }
    assert_eq!(reopened.timeline().unwrap(), model.timeline().unwrap());
    assert_eq!(reopened.earliest(), model.earliest());
    assert!(model.timeline().unwrap().len() < 60, "the window trimmed the timeline");
    for i in 0..120 {
        let t = Timestamp(t0 + i * 1_000_000);
        match (reopened.as_of(t), model.as_of(t)) {
            (Ok(a), Ok(b)) => assert_eq!(rows(&reopened, &a), rows(&model, &b), "as of {t}"),
            (a, b) => assert_eq!(a.is_ok(), b.is_ok(), "as of {t}"),
        }
    }
}
