#![cfg(not(target_arch = "wasm32"))]
//! Lazy page loading (ARCHITECTURE.md, "Lazy pages"): a database opened on
//! an image that holds only the superblocks, whose statements fail with
//! `PagesMissing` until the pages they need are fetched and are then run
//! again, behaves exactly as the same database opened with every page in
//! memory. The retry loop here is the one the browser runtime runs, with
//! the stored pages in place of IndexedDB.

use proptest::prelude::*;
use reeldb::sql::{Session, StatementResult};
use reeldb::{Database, Error, MemBackend, Options, StorageBackend, PAGE_SIZE, PREFETCH_PAGES};

/// What the retry loop did.
#[derive(Default, Debug)]
struct Stats {
    /// Pages fetched after each missing one (0: exactly the missing ones,
    /// which makes every statement stop as often as it can).
    ahead: u64,
    retries: u64,
    fetches: u64,
    pages: u64,
}

/// The page `n` of `source` (None: the storage has no such page).
fn stored_page(source: &MemBackend, n: u64) -> Option<Box<[u8; PAGE_SIZE]>> {
    let mut buf = [0u8; PAGE_SIZE];
    source.read(n, &mut buf).ok().map(|_| Box::new(buf))
}

fn supers(source: &MemBackend) -> [Option<Box<[u8; PAGE_SIZE]>>; 2] {
    [stored_page(source, 0), stored_page(source, 1)]
}

/// Runs `op` until it no longer stops at a missing page, fetching the
/// pages it asked for (and the neighbours `fetch_plan` predicts) from
/// `source` between attempts. An attempt that succeeded must not have
/// needed a missing page (its result would be wrong).
fn lazily<T, E: std::fmt::Debug>(
    mem: &MemBackend,
    source: &MemBackend,
    stats: &mut Stats,
    mut op: impl FnMut() -> Result<T, E>,
) -> Result<T, E> {
    let ahead = stats.ahead;
    loop {
        let r = op();
        let missing = mem.take_missing();
        if missing.is_empty() {
            return r;
        }
        assert!(r.is_err(), "an operation succeeded although it missed pages {missing:?}");
        stats.retries += 1;
        assert!(stats.retries < 100_000, "the retry loop does not converge");
        let plan = mem.fetch_plan(&missing, ahead);
        assert!(plan.contains(&missing[0]), "the plan fetches the missing page");
        stats.fetches += 1;
        stats.pages += plan.len() as u64;
        mem.fill(plan.into_iter().map(|n| (n, stored_page(source, n))));
    }
}

/// A tiny deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const T0: i64 = 1_700_000_000;

fn time_text(secs: i64) -> String {
    reeldb::Timestamp::from_secs(secs).to_string()
}

/// A store with a few thousand rows over a history of commits, updates,
/// deletes and garbage collections (so the free list is in use).
fn build(rng: &mut Rng) -> (MemBackend, i64) {
    let mem = MemBackend::new();
    let db = Database::open(
        Box::new(mem.clone()),
        Options { window_secs: 86_400, gc_min_bytes: 32 << 10, ..Options::default() },
    )
    .unwrap();
    let mut s = Session::new(db);
    let mut clock = T0;
    s.execute(&format!("SET TIMESTAMP = {clock}")).unwrap();
    s.execute(
        "CREATE TABLE t (id INT PRIMARY KEY, k INT, s VARCHAR(200)); CREATE INDEX tk ON t (k); \
         CREATE TABLE u (id INT PRIMARY KEY, v TEXT)",
    )
    .unwrap();
    let batches = 10 + rng.below(20);
    for b in 0..batches {
        clock += 1 + rng.below(5) as i64;
        s.execute(&format!("SET TIMESTAMP = {clock}")).unwrap();
        let rows: Vec<String> = (0..100)
            .map(|i| {
                let id = b * 100 + i;
                format!("({id}, {}, '{}')", rng.below(50), "x".repeat(rng.below(150) as usize))
            })
            .collect();
        s.execute(&format!("INSERT INTO t VALUES {}", rows.join(","))).unwrap();
        if b % 3 == 0 {
            let big = "v".repeat(rng.below(3000) as usize);
            s.execute(&format!("INSERT INTO u VALUES ({b}, '{big}')")).unwrap();
        }
        for _ in 0..rng.below(6) {
            let id = rng.below((b + 1) * 100);
            if rng.below(3) == 0 {
                s.execute(&format!("DELETE FROM t WHERE id = {id}")).unwrap();
            } else {
                s.execute(&format!("UPDATE t SET k = k + 1, s = 'upd{b}' WHERE id BETWEEN {id} AND {}", id + 7))
                    .unwrap();
            }
        }
    }
    (mem, clock)
}

/// One random statement of the workload run on both databases.
fn statement(rng: &mut Rng, clock: &mut i64, rows: u64, n: u64) -> String {
    let id = rng.below(rows + 50);
    match rng.below(20) {
        0..=3 => format!("SELECT * FROM t WHERE id = {id}"),
        4 => format!("SELECT COUNT(*), SUM(k), MAX(s) FROM t WHERE k BETWEEN {} AND {}", id % 50, id % 50 + 3),
        5 => format!("SELECT id, s FROM t WHERE k = {} ORDER BY id LIMIT 20", id % 50),
        6 => "SELECT COUNT(*), SUM(id) FROM t".into(),
        7 => format!(
            "SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '{}' WHERE id BETWEEN {id} AND {}",
            time_text(T0 + rng.below((*clock - T0 + 1) as u64) as i64),
            id + 3
        ),
        8 => format!("SELECT u.id, LENGTH(u.v), t.k FROM u JOIN t ON t.id = u.id * 100 WHERE u.id <= {}", id % 30),
        9 | 10 => format!("INSERT INTO t VALUES ({}, {}, 'new{n}')", rows + 1000 + n, id % 50),
        11 => format!("UPDATE t SET s = 'w{n}', k = k + 1 WHERE id BETWEEN {id} AND {}", id + 20),
        12 => format!("DELETE FROM t WHERE id BETWEEN {id} AND {}", id + 2),
        13 => {
            *clock += 1 + rng.below(30) as i64;
            format!("SET TIMESTAMP = {clock}")
        }
        14 => "BEGIN".into(),
        15 => if rng.below(2) == 0 { "COMMIT" } else { "ROLLBACK" }.into(),
        16 => format!(
            "BACKTRACK TO TIMESTAMP '{}'",
            time_text(*clock - rng.below(((*clock - T0) as u64).max(1) + 1) as i64)
        ),
        17 => format!("CREATE RESTORE POINT rp{n}"),
        18 => format!("INSERT INTO u VALUES ({}, '{}')", 1000 + n, "z".repeat(rng.below(2500) as usize)),
        _ => format!("SELECT id, k FROM t WHERE id > {id} ORDER BY id LIMIT 5"),
    }
}

fn shown(r: &Result<StatementResult, reeldb::sql::SqlError>) -> String {
    format!("{r:?}")
}

/// Opens the same stored pages eagerly and lazily, runs the same random
/// statements on both and compares every result, then loads the rest of
/// the lazy image and compares the whole database.
fn lazy_equals_eager(seed: u64) {
    let mut rng = Rng(seed | 1);
    let (stored, mut clock) = build(&mut rng);
    let total = stored.len().unwrap();
    let options = Options { window_secs: 86_400, gc_min_bytes: 32 << 10, ..Options::default() };

    let eager_mem = stored.deep_copy();
    let mut eager = Session::new(Database::open(Box::new(eager_mem), options.clone()).unwrap());

    let source = stored.deep_copy();
    let lazy_mem = MemBackend::lazy(supers(&source));
    assert!(!lazy_mem.fully_loaded());
    let mut stats = Stats { ahead: if seed % 2 == 0 { 0 } else { PREFETCH_PAGES }, ..Stats::default() };
    let db =
        lazily(&lazy_mem, &source, &mut stats, || Database::open(Box::new(lazy_mem.clone()), options.clone())).unwrap();
    let open_pages = stats.pages;
    assert!(
        open_pages < total,
        "open fetched {open_pages} of {total} pages: it should read the system tree, not the tables"
    );
    let mut lazy = Session::new(db);

    let set = format!("SET TIMESTAMP = {clock}");
    eager.execute_one(&set).unwrap();
    lazily(&lazy_mem, &source, &mut stats, || lazy.execute_one(&set)).unwrap();
    let rows = 3000;
    for n in 0..150 {
        let sql = statement(&mut rng, &mut clock, rows, n);
        let want = eager.execute_one(&sql);
        let got = lazily(&lazy_mem, &source, &mut stats, || lazy.execute_one(&sql));
        assert_eq!(shown(&got), shown(&want), "seed {seed}, statement {n}: {sql}");
        assert_eq!(lazy.in_transaction(), eager.in_transaction(), "seed {seed}, statement {n}: {sql}");
    }
    eager.execute_one("COMMIT").unwrap();
    lazily(&lazy_mem, &source, &mut stats, || lazy.execute_one("COMMIT")).unwrap();
    assert!(stats.retries > 0, "the lazy database never missed a page");
    eprintln!("seed {seed}: {total} pages, open fetched {open_pages}, {stats:?}");

    // Everything else: what garbage collection and the dump need.
    lazy_mem.fill((0..total).map(|n| (n, stored_page(&source, n))));
    assert!(lazy_mem.fully_loaded());
    assert!(lazy_mem.take_missing().is_empty());
    lazy.database_mut().gc().unwrap();
    eager.database_mut().gc().unwrap();
    assert_eq!(lazy.database().timeline().unwrap(), eager.database().timeline().unwrap(), "seed {seed}");
    assert_eq!(lazy.dump_history().unwrap(), eager.dump_history().unwrap(), "seed {seed}");
    assert_eq!(lazy.dump().unwrap(), eager.dump().unwrap(), "seed {seed}");
    assert!(lazy_mem.take_missing().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn a_lazily_loaded_database_answers_as_an_eager_one(seed in any::<u64>()) {
        lazy_equals_eager(seed);
    }
}

#[test]
fn fixed_seed_workloads_match_with_and_without_prefetch() {
    lazy_equals_eager(0x5EED_1A2E);
    lazy_equals_eager(0x5EED_1A2F);
}

#[test]
fn a_missing_page_is_a_typed_error_and_open_retries_without_effects() {
    let mem = MemBackend::new();
    let mut s = Session::new(Database::open(Box::new(mem.clone()), Options::default()).unwrap());
    s.execute("SET TIMESTAMP = 1700000000; CREATE TABLE t (id INT PRIMARY KEY, s TEXT)").unwrap();
    for b in 0..20 {
        let rows: Vec<String> = (0..50).map(|i| format!("({}, '{}')", b * 50 + i, "y".repeat(100))).collect();
        s.execute(&format!("INSERT INTO t VALUES {}", rows.join(","))).unwrap();
    }
    let lazy = MemBackend::lazy(supers(&mem));
    // The first attempt of open stops at the system tree's root page.
    let Err(Error::PagesMissing(pages)) = Database::open(Box::new(lazy.clone()), Options::default()) else {
        panic!("open of an image with only superblocks must miss pages");
    };
    assert_eq!(lazy.take_missing(), pages);
    assert!(lazy.take_missing().is_empty(), "take_missing drains the record");
    // Nothing was written by the failed attempt.
    let mut stats = Stats::default();
    let db = lazily(&lazy, &mem, &mut stats, || Database::open(Box::new(lazy.clone()), Options::default())).unwrap();
    let mut l = Session::new(db);
    let got = lazily(&lazy, &mem, &mut stats, || l.execute_one("SELECT s FROM t WHERE id = 777"));
    assert_eq!(got.unwrap(), s.execute_one("SELECT s FROM t WHERE id = 777").unwrap());
    // Fetched pages never replace what the image holds.
    let before = stored_page(&lazy, 0);
    lazy.fill([(0, Some(Box::new([7u8; PAGE_SIZE])))]);
    assert_eq!(stored_page(&lazy, 0), before);
}

#[test]
fn an_empty_storage_opens_as_a_new_database() {
    let lazy = MemBackend::lazy([None, None]);
    assert!(lazy.fully_loaded());
    let mut s = Session::new(Database::open(Box::new(lazy), Options::default()).unwrap());
    assert_eq!(s.execute_one("SELECT 1").unwrap(), Session::in_memory().execute_one("SELECT 1").unwrap());
}

/// What open plus one point query read lazily (exactly the missing pages,
/// no prefetch), for a table of `rows` rows followed by `commits`
/// single-row update commits: pages read, fetches made (the browser pays
/// one IndexedDB transaction each) and the store's page count.
fn open_cost(rows: u64, commits: u64) -> (u64, u64, u64) {
    let mem = MemBackend::new();
    let options = Options { window_secs: 1 << 40, ..Options::default() };
    let mut s = Session::new(Database::open(Box::new(mem.clone()), options.clone()).unwrap());
    s.execute(&format!("SET TIMESTAMP = {T0}; CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(40))")).unwrap();
    for b in 0..rows.div_ceil(1000) {
        let batch: Vec<String> =
            (b * 1000..((b + 1) * 1000).min(rows)).map(|i| format!("({i}, {i}, 'row {i}')")).collect();
        s.execute(&format!("INSERT INTO t VALUES {}", batch.join(","))).unwrap();
    }
    let mut rng = Rng(0xC0FFEE);
    for c in 0..commits {
        let id = rng.below(rows);
        s.execute(&format!("SET TIMESTAMP = {}; UPDATE t SET v = v + 1 WHERE id = {id}", T0 + 1 + c as i64)).unwrap();
    }
    let lazy = MemBackend::lazy(supers(&mem));
    let mut stats = Stats::default();
    let db = lazily(&lazy, &mem, &mut stats, || Database::open(Box::new(lazy.clone()), options.clone())).unwrap();
    let mut l = Session::new(db);
    let q = "SELECT v, s FROM t WHERE id = 4321";
    let got = lazily(&lazy, &mem, &mut stats, || l.execute_one(q));
    assert_eq!(got.unwrap(), s.execute_one(q).unwrap());
    (stats.pages, stats.fetches, mem.len().unwrap())
}

/// Open reads the timeline's two ends, not the whole of it (ARCHITECTURE.md,
/// "Lazy pages"): open + a point query reads a few dozen pages whether the
/// history is 3,000 or 30,000 commits long (a timeline entry here is about
/// 100 bytes: 30,000 of them fill some 700 pages).
#[test]
fn open_reads_the_ends_of_the_timeline_only() {
    for commits in [3_000, 30_000] {
        let (read, _, pages) = open_cost(5_000, commits);
        assert!(read < 64, "{commits} commits: open + a point query read {read} of {pages} pages");
    }
}

/// Open reads the system tree level by level (`Store::load_levels`), so the
/// fetches it needs grow with the tree's depth and its patch chains, not
/// with the number of its leaves: a history ten times longer costs at most
/// a few more fetches, and a few dozen in all.
#[test]
fn open_fetches_grow_with_depth_not_history() {
    let (_, short, _) = open_cost(2_000, 300);
    let (read, long, pages) = open_cost(2_000, 3_000);
    assert!(long <= short + 4, "open + a point query: {short} fetches after 300 commits, {long} after 3,000");
    assert!(long <= 40, "open + a point query after 3,000 commits: {long} fetches ({read} of {pages} pages)");
}

/// `cargo test --release --test lazy_pages -- --ignored --nocapture`:
/// pages read by open + one point query as history grows.
#[test]
#[ignore = "measurement: run with --release -- --ignored --nocapture"]
fn open_cost_by_history() {
    for (rows, commits) in [(100_000, 1_000), (100_000, 10_000), (100_000, 30_000)] {
        let (read, fetches, pages) = open_cost(rows, commits);
        println!(
            "{rows} rows, {commits} commits: open + point query read {read} of {pages} pages in {fetches} fetches"
        );
    }
}

/// A node that commits far apart changed has a patch chain spread over the
/// log; its newest records list the chain (linked patches), so a lazy read
/// fetches the chain in one or two fetches, not one per link (here every
/// commit writes some 80 pages: 15 fetches without the links).
#[test]
fn a_patch_chain_spread_over_the_log_is_fetched_at_once() {
    let mem = MemBackend::new();
    let options = Options { window_secs: 1 << 40, gc_min_bytes: u64::MAX, ..Options::default() };
    let mut db = Database::open(Box::new(mem.clone()), options.clone()).unwrap();
    let mut z = 0u64;
    for round in 0..13u64 {
        db.put(b"a", &round.to_le_bytes()).unwrap();
        // About 80 pages of other rows between two changes of "a".
        for _ in 0..300 {
            db.put(format!("z{z:08}").as_bytes(), &[7u8; 1000]).unwrap();
            z += 1;
        }
        db.commit("round", 301).unwrap();
    }
    let lazy = MemBackend::lazy(supers(&mem));
    let mut stats = Stats::default();
    let db = lazily(&lazy, &mem, &mut stats, || Database::open(Box::new(lazy.clone()), options.clone())).unwrap();
    let got = lazily(&lazy, &mem, &mut stats, || db.get(&db.current(), b"a")).unwrap();
    assert_eq!(got, Some(12u64.to_le_bytes().to_vec()));
    // Open follows the system tree's chain (its newest timeline leaf,
    // changed by every commit), the read the data tree's.
    assert!(stats.fetches <= 6, "open and a read through chains of spread links took {} fetches", stats.fetches);
}
