//! Pages are byte-for-byte identical whichever target writes them: a
//! deterministic workload's pages are compared with a fixture written by the
//! native build, and the fixture opens and reads back on every target.
//! Regenerate the fixture after an intended format change with
//! `REELDB_BLESS=1 cargo test --test page_portability`.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use std::ops::Bound;

use reeldb::PAGE_SIZE;
use reeldb::{BacktrackTarget, Database, MemBackend, Options, StorageBackend, Timestamp};

const FIXTURE: &[u8] = include_bytes!("fixtures/portable.pages");

fn workload() -> MemBackend {
    let mem = MemBackend::new();
    let mut db = Database::open(
        Box::new(mem.clone()),
        Options { window_secs: 3600, gc_min_bytes: 8 << 10, ..Options::default() },
    )
    .unwrap();
    for i in 0..400u32 {
        db.set_clock(Some(Timestamp::from_secs(1_600_000_000 + i as i64)));
        let long = (i % 50 == 0).then(|| vec![(i % 256) as u8; 3000 + i as usize]);
        db.put(&(i % 97).to_be_bytes(), long.as_deref().unwrap_or(&i.to_le_bytes())).unwrap();
        if i % 7 == 0 {
            db.delete(&((i + 3) % 97).to_be_bytes()).unwrap();
        }
        db.commit(&format!("step {i}"), 1).unwrap();
        if i % 90 == 89 {
            db.backtrack(BacktrackTarget::Time(Timestamp::from_secs(1_600_000_000 + i as i64 - 30)), false).unwrap();
        }
    }
    db.create_restore_point("end").unwrap();
    mem
}

fn image(mem: &MemBackend) -> Vec<u8> {
    let n = mem.len().unwrap();
    let mut out = Vec::with_capacity(n as usize * PAGE_SIZE);
    let mut buf = [0u8; PAGE_SIZE];
    for p in 0..n {
        mem.read(p, &mut buf).unwrap();
        out.extend_from_slice(&buf);
    }
    out
}

#[test]
fn pages_match_the_native_fixture() {
    let got = image(&workload());
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("REELDB_BLESS").is_some() {
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/portable.pages"), &got).unwrap();
        return;
    }
    assert_eq!(got.len(), FIXTURE.len(), "page count differs from the fixture");
    let first_diff = got.iter().zip(FIXTURE).position(|(a, b)| a != b);
    assert_eq!(
        first_diff,
        None,
        "pages differ from the fixture at byte {first_diff:?} (page {:?})",
        first_diff.map(|b| b / PAGE_SIZE)
    );
}

#[test]
fn fixture_opens_and_reads_back() {
    opens_and_reads_back(FIXTURE);
}

/// A store written before linked patches (its patches list no chain) opens
/// and reads back as the same workload written now.
#[test]
fn a_store_without_linked_patches_opens_and_reads_back() {
    opens_and_reads_back(include_bytes!("fixtures/portable-plain-patches.pages"));
}

fn opens_and_reads_back(fixture: &[u8]) {
    let pages = fixture
        .chunks(PAGE_SIZE)
        .enumerate()
        .map(|(i, p)| (i as u64, Box::new(<[u8; PAGE_SIZE]>::try_from(p).unwrap())));
    let mut db = Database::open(Box::new(MemBackend::from_pages(pages)), Options::default()).unwrap();
    db.set_clock(Some(Timestamp::from_secs(1_600_000_400)));
    let mut healthy = Database::open(Box::new(workload()), Options::default()).unwrap();
    healthy.set_clock(db.fixed_clock());
    assert_eq!(db.timeline().unwrap(), healthy.timeline().unwrap());
    assert_eq!(db.restore_points(), healthy.restore_points());
    for e in db.timeline().unwrap().iter().step_by(13) {
        let t = e.time.max(db.earliest());
        let (a, b) = (db.as_of(t).unwrap(), healthy.as_of(t).unwrap());
        let (mut x, mut y) = (Vec::new(), Vec::new());
        db.scan(&a, Bound::Unbounded, Bound::Unbounded, &mut |k, v| {
            x.push((k.to_vec(), v.to_vec()));
            true
        })
        .unwrap();
        healthy
            .scan(&b, Bound::Unbounded, Bound::Unbounded, &mut |k, v| {
                y.push((k.to_vec(), v.to_vec()));
                true
            })
            .unwrap();
        assert_eq!(x, y, "as of {t}");
        assert!(!x.is_empty());
    }
}

/// A store written by the previous page format (version 1, before nodes and
/// rows were packed densely) is refused with the typed error that names the
/// versions, not read as garbage.
#[test]
fn a_store_of_the_previous_format_is_refused_by_version() {
    let pages = include_bytes!("fixtures/portable-v1.pages")
        .chunks(PAGE_SIZE)
        .enumerate()
        .map(|(i, p)| (i as u64, Box::new(<[u8; PAGE_SIZE]>::try_from(p).unwrap())));
    match Database::open(Box::new(MemBackend::from_pages(pages)), Options::default()) {
        Err(reeldb::Error::UnknownFormat { version: 1, supported: 2, .. }) => {}
        Err(e) => panic!("wrong error for a version-1 store: {e}"),
        Ok(_) => panic!("a version-1 store opened"),
    }
}
