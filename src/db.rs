//! The versioned database: commits, the timeline, backtrack, the backtrack
//! window, restore points and garbage collection, on top of [`crate::store`].
//!
//! The database keeps two kinds of tree in one record log (see
//! `ARCHITECTURE.md`): *data trees*, one root per timeline entry, holding
//! every key the SQL layer stores; and one *system tree* holding the
//! timeline itself, the backtrack log, restore points and settings. A
//! commit persists the transaction's data tree, appends a timeline entry to
//! the system tree and writes the superblock; a backtrack appends an entry
//! whose root is an old data root, so it costs O(1) in the length of history.

use std::collections::{HashMap, HashSet};
use std::ops::Bound;

use crate::error::{Error, Result};
use crate::store::backend::{MemBackend, StorageBackend};
use crate::store::btree::{NodeRef, Store};
use crate::store::page::{Reader, Writer};
use crate::store::pager::{page_of, Addr, Pager, PagerState, FIRST_LOG_PAGE, RECORD_MAX};
use crate::time::Timestamp;

/// Options for opening a database.
#[derive(Debug, Clone)]
pub struct Options {
    /// Backtrack window target in seconds for a new database (default 86 400).
    pub window_secs: u64,
    /// Garbage collection runs once this many record bytes (or half the live
    /// bytes, if more) were written since the last run (default 256 KiB).
    pub gc_min_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { window_secs: 86_400, gc_min_bytes: 256 << 10 }
    }
}

/// A read-only view of the whole database at one version. Cheap to clone.
#[derive(Clone)]
pub struct Snapshot {
    root: NodeRef,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.root {
            NodeRef::Stored(a) => write!(f, "Snapshot(root {a:#x})"),
            NodeRef::Mem(_) => write!(f, "Snapshot(uncommitted)"),
        }
    }
}

/// Whether a timeline entry was produced by a commit or by a backtrack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A transaction committed.
    Commit,
    /// A backtrack made an earlier state current again.
    Backtrack,
}

/// One entry of the append-only timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// Sequence number (strictly increasing, never reused).
    pub seq: u64,
    /// Commit time.
    pub time: Timestamp,
    /// Commit or backtrack.
    pub kind: EntryKind,
    /// Statement summary given at commit.
    pub summary: String,
    /// Rows changed as reported at commit.
    pub rows_changed: u64,
}

/// Target of a backtrack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BacktrackTarget {
    /// A wall-clock time.
    Time(Timestamp),
    /// A named restore point.
    RestorePoint(String),
}

/// Status of a backtrack log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BacktrackStatus {
    /// The backtrack completed.
    Completed,
    /// The backtrack failed, with the reason.
    Failed(String),
}

/// One entry of the backtrack log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacktrackRecord {
    /// 1-based id.
    pub id: u64,
    /// Requested target time.
    pub target: Timestamp,
    /// Engine time when the backtrack ran.
    pub from: Timestamp,
    /// Outcome.
    pub status: BacktrackStatus,
}

/// What a successful backtrack did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacktrackOutcome {
    /// The log record.
    pub record: BacktrackRecord,
    /// The timeline entry appended.
    pub entry: TimelineEntry,
    /// Whether an open transaction was rolled back.
    pub rolled_back_transaction: bool,
}

/// A named restore point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestorePoint {
    /// Name.
    pub name: String,
    /// Bound time.
    pub time: Timestamp,
}

/// Window and history figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Target window in seconds.
    pub window_target_secs: u64,
    /// Actual window in seconds (now - earliest).
    pub window_actual_secs: u64,
    /// Earliest time that can be read or backtracked to.
    pub earliest: Timestamp,
    /// Bytes held by history (not reachable from the current state alone).
    pub history_bytes: u64,
    /// Engine time.
    pub now: Timestamp,
}

/// A key whose value differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffEntry {
    /// The key.
    pub key: Vec<u8>,
    /// Value in the first version (None: absent).
    pub before: Option<Vec<u8>>,
    /// Value in the second version (None: absent).
    pub after: Option<Vec<u8>>,
}

/// A value a key held over a period of wall-clock time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowVersion {
    /// The key.
    pub key: Vec<u8>,
    /// The value.
    pub value: Vec<u8>,
    /// Time the value became current.
    pub start: Timestamp,
    /// Time it stopped being current (None: still current).
    pub end: Option<Timestamp>,
}

/// The versioned database.
///
/// One writer, one open transaction at a time. All methods are synchronous;
/// the browser layer flushes the backend's dirty pages after each call that
/// commits.
pub struct Database {
    store: Store,
    clock: Option<Timestamp>,
    /// Timeline entries from `first` on are retained.
    entries: Vec<TimelineEntry>,
    /// (time, data root) of each entry, parallel to `entries`; kept apart so
    /// the binary search of `as of` touches few cache lines.
    roots: Vec<(Timestamp, Addr)>,
    first: usize,
    backtracks: Vec<BacktrackRecord>,
    restore_points: Vec<RestorePoint>,
    window_secs: u64,
    /// Set once history has been trimmed: no state before it is known.
    floor: Option<Timestamp>,
    sys: NodeRef,
    head: NodeRef,
    txn: Option<NodeRef>,
    free_head: Addr,
    gc: GcStats,
    gc_min_bytes: u64,
    /// Pages the last collection found mostly dead.
    sparse: HashSet<u64>,
}

#[derive(Clone, Copy, Default)]
struct GcStats {
    live_bytes: u64,
    history_bytes: u64,
    appended_at_gc: u64,
    free_len: usize,
}

/// In-memory state saved before a durable update so that a failed write
/// returns the database to its last durable state.
struct Saved {
    pager: PagerState,
    entries: usize,
    backtracks: usize,
    restore_points: Vec<RestorePoint>,
    window_secs: u64,
    floor: Option<Timestamp>,
    sys: NodeRef,
    head: NodeRef,
    free_head: Addr,
    last_root: Option<(Timestamp, Addr)>,
}

const SYS_ENTRY: u8 = b'T';
const SYS_BACKTRACK: u8 = b'B';
const SYS_RESTORE: u8 = b'R';
const SYS_WINDOW: &[u8] = b"W";
const SYS_FLOOR: &[u8] = b"F";
const SUMMARY_MAX: usize = 200;
/// A page whose live records total less than this is copied out of.
const SPARSE_BYTES: usize = 1024;
const FREE_PER_RECORD: usize = (RECORD_MAX - 16) / 8;

fn sys_key(prefix: u8, id: u64) -> [u8; 9] {
    let mut k = [prefix; 9];
    k[1..].copy_from_slice(&id.to_be_bytes());
    k
}

fn sys_id(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.get(1..9)?.try_into().ok()?))
}

fn micros_of(secs: u64) -> i64 {
    (secs.min(i64::MAX as u64 / 1_000_000) as i64) * 1_000_000
}

impl Database {
    /// A new database in memory.
    pub fn in_memory() -> Database {
        Database::open(Box::new(MemBackend::new()), Options::default())
            .expect("an in-memory store cannot fail to initialise")
    }

    /// Opens the database in `backend`, creating it when the backend is empty.
    pub fn open(backend: Box<dyn StorageBackend>, options: Options) -> Result<Database> {
        let (pager, meta) = Pager::open(backend)?;
        let mut db = Database {
            store: Store::new(pager),
            clock: None,
            entries: Vec::new(),
            roots: Vec::new(),
            first: 0,
            backtracks: Vec::new(),
            restore_points: Vec::new(),
            window_secs: options.window_secs,
            floor: None,
            sys: NodeRef::empty(),
            head: NodeRef::empty(),
            txn: None,
            free_head: 0,
            gc: GcStats::default(),
            gc_min_bytes: options.gc_min_bytes,
            sparse: HashSet::new(),
        };
        match meta {
            None => {
                db.store.put(&mut db.sys, SYS_WINDOW, &options.window_secs.to_le_bytes())?;
                db.durable(|_| Ok(()))?;
            }
            Some(meta) => db.load(&meta)?,
        }
        Ok(db)
    }

    fn load(&mut self, meta: &[u8]) -> Result<()> {
        let mut r = Reader::new(meta);
        let sys = r.u64()?;
        self.free_head = r.u64()?;
        let free_used = r.u64()? as usize;
        self.gc.live_bytes = r.u64()?;
        self.gc.history_bytes = r.u64()?;
        self.sys = NodeRef::Stored(sys);
        let mut records = Vec::new();
        self.store.scan(&self.sys, Bound::Unbounded, Bound::Unbounded, &mut |k, v| {
            records.push((k.to_vec(), v.to_vec()));
            true
        })?;
        for (k, v) in records {
            let mut r = Reader::new(&v);
            match k.first() {
                Some(&SYS_ENTRY) => {
                    let seq = sys_id(&k).ok_or_else(|| bad_sys("timeline key"))?;
                    let time = Timestamp(r.i64()?);
                    let kind = match r.u8()? {
                        0 => EntryKind::Commit,
                        1 => EntryKind::Backtrack,
                        k => return Err(Error::Corrupt(format!("unknown timeline entry kind {k}"))),
                    };
                    let root = r.u64()?;
                    let rows_changed = r.u64()?;
                    let summary = r.string()?;
                    if self.entries.last().is_some_and(|e| e.seq >= seq || e.time > time) {
                        return Err(bad_sys("timeline out of order"));
                    }
                    self.entries.push(TimelineEntry { seq, time, kind, summary, rows_changed });
                    self.roots.push((time, root));
                }
                Some(&SYS_BACKTRACK) => {
                    let id = sys_id(&k).ok_or_else(|| bad_sys("backtrack key"))?;
                    let target = Timestamp(r.i64()?);
                    let from = Timestamp(r.i64()?);
                    let status = match r.u8()? {
                        0 => BacktrackStatus::Completed,
                        _ => BacktrackStatus::Failed(r.string()?),
                    };
                    self.backtracks.push(BacktrackRecord { id, target, from, status });
                }
                Some(&SYS_RESTORE) => {
                    let name = String::from_utf8(k[1..].to_vec()).map_err(|_| bad_sys("restore point name"))?;
                    self.restore_points.push(RestorePoint { name, time: Timestamp(r.i64()?) });
                }
                Some(b'W') => self.window_secs = r.u64()?,
                Some(b'F') => self.floor = Some(Timestamp(r.i64()?)),
                _ => return Err(bad_sys("unknown system key")),
            }
        }
        self.head = NodeRef::Stored(self.roots.last().map_or(0, |r| r.1));
        let mut free = Vec::new();
        let mut at = self.free_head;
        while at != 0 {
            let rec = self.store.pager.read(at)?;
            let mut r = Reader::new(&rec);
            let next = r.u64()?;
            let n = r.u32()? as usize;
            for _ in 0..n {
                free.push(r.u64()?);
            }
            at = next;
            if free.len() as u64 > self.store.pager.page_counts().0 {
                return Err(bad_sys("free list is longer than the store (it loops)"));
            }
        }
        if free_used > free.len() {
            return Err(bad_sys("free list shorter than recorded"));
        }
        self.gc.free_len = free.len();
        free.truncate(free.len() - free_used);
        self.store.pager.set_free(free);
        self.gc.appended_at_gc = self.store.pager.appended();
        Ok(())
    }

    // ----- clock -----

    /// The engine's time: the set clock (or the system clock), but never
    /// earlier than the newest timeline entry.
    pub fn now(&self) -> Timestamp {
        let clock = self.clock.unwrap_or_else(Timestamp::system_now);
        match self.entries.last() {
            Some(e) if e.time > clock => e.time,
            _ => clock,
        }
    }

    /// Fixes the clock at `fixed` (`SET TIMESTAMP = n`) or returns it to the
    /// system clock (`None`, `SET TIMESTAMP = DEFAULT`).
    pub fn set_clock(&mut self, fixed: Option<Timestamp>) {
        self.clock = fixed;
    }

    /// The fixed clock, if one is set.
    pub fn fixed_clock(&self) -> Option<Timestamp> {
        self.clock
    }

    // ----- reads -----

    /// The state the session sees: the open transaction, else the last commit.
    pub fn current(&self) -> Snapshot {
        Snapshot { root: self.txn.clone().unwrap_or_else(|| self.head.clone()) }
    }

    /// The last committed (current) state.
    pub fn committed(&self) -> Snapshot {
        Snapshot { root: self.head.clone() }
    }

    /// The earliest time that can be read or backtracked to.
    pub fn earliest(&self) -> Timestamp {
        let w = Timestamp(self.now().0.saturating_sub(micros_of(self.window_secs)));
        match self.floor {
            Some(f) if f > w => f,
            _ => w,
        }
    }

    /// The state that was current at wall-clock time `t`.
    pub fn as_of(&self, t: Timestamp) -> Result<Snapshot> {
        let now = self.now();
        if t > now {
            return Err(Error::InFuture { requested: t, now });
        }
        let earliest = self.earliest();
        if t < earliest {
            return Err(Error::BeforeEarliest { requested: t, earliest });
        }
        Ok(Snapshot { root: NodeRef::Stored(self.root_at(t)) })
    }

    fn root_at(&self, t: Timestamp) -> Addr {
        let live = &self.roots[self.first..];
        match live.partition_point(|r| r.0 <= t) {
            0 => 0,
            i => live[i - 1].1,
        }
    }

    /// The value of `key` in `snap`.
    pub fn get(&self, snap: &Snapshot, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.store.get(&snap.root, key)
    }

    /// Calls `f(key, value)` for the keys of `snap` in `[start, end]`, in key
    /// order, until `f` returns false.
    pub fn scan(
        &self,
        snap: &Snapshot,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        f: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<()> {
        self.store.scan(&snap.root, start, end, f)
    }

    // ----- writes -----

    /// Opens a transaction (no-op when one is open).
    pub fn begin(&mut self) {
        if self.txn.is_none() {
            self.txn = Some(self.head.clone());
        }
    }

    /// Whether a transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.txn.is_some()
    }

    /// Sets `key` to `value` in the open transaction (opening one).
    pub fn put(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        self.begin();
        let root = self.txn.as_mut().expect("begun");
        self.store.put(root, key, value)
    }

    /// Removes `key` in the open transaction; returns whether it existed.
    pub fn delete(&mut self, key: &[u8]) -> Result<bool> {
        self.begin();
        let root = self.txn.as_mut().expect("begun");
        self.store.delete(root, key)
    }

    /// The open transaction's state, to return to with
    /// [`Database::restore_savepoint`]; O(1).
    pub fn savepoint(&self) -> Option<Snapshot> {
        self.txn.clone().map(|root| Snapshot { root })
    }

    /// Returns the open transaction to a savepoint.
    pub fn restore_savepoint(&mut self, sp: Snapshot) {
        self.txn = Some(sp.root);
    }

    /// Discards the open transaction; returns whether one was open.
    pub fn rollback(&mut self) -> bool {
        self.txn.take().is_some()
    }

    /// Commits the open transaction as one timeline entry. Returns `None`
    /// (and closes the transaction) when it changed nothing. On an I/O error
    /// the transaction is discarded and the database is at its last durable
    /// commit.
    pub fn commit(&mut self, summary: &str, rows_changed: u64) -> Result<Option<TimelineEntry>> {
        let Some(root) = self.txn.take() else { return Ok(None) };
        if root.same(&self.head) {
            return Ok(None);
        }
        let entry = self.durable(|db| {
            let addr = db.store.persist(&root)?;
            db.append_entry(EntryKind::Commit, addr, summary, rows_changed)
        })?;
        Ok(Some(entry))
    }

    fn append_entry(&mut self, kind: EntryKind, root: Addr, summary: &str, rows_changed: u64) -> Result<TimelineEntry> {
        let time = self.now();
        let seq = self.entries.last().map_or(1, |e| e.seq + 1);
        let mut summary = summary.trim().to_string();
        if summary.len() > SUMMARY_MAX {
            let mut cut = SUMMARY_MAX;
            while !summary.is_char_boundary(cut) {
                cut -= 1;
            }
            summary.truncate(cut);
            summary.push('…');
        }
        let entry = TimelineEntry { seq, time, kind, summary, rows_changed };
        let mut v = Vec::new();
        v.put_u64(time.0 as u64);
        v.push(matches!(kind, EntryKind::Backtrack) as u8);
        v.put_u64(root);
        v.put_u64(rows_changed);
        v.put_long_bytes(entry.summary.as_bytes());
        self.store.put(&mut self.sys, &sys_key(SYS_ENTRY, seq), &v)?;
        self.entries.push(entry.clone());
        self.roots.push((time, root));
        self.head = NodeRef::Stored(root);
        self.trim()?;
        Ok(entry)
    }

    /// Drops timeline entries that only describe states before the window.
    fn trim(&mut self) -> Result<()> {
        let cutoff = Timestamp(self.now().0.saturating_sub(micros_of(self.window_secs)));
        let live = &self.entries[self.first..];
        let at_or_before = live.partition_point(|e| e.time <= cutoff);
        if at_or_before < 2 {
            return Ok(());
        }
        let drop = at_or_before - 1;
        for i in self.first..self.first + drop {
            let key = sys_key(SYS_ENTRY, self.entries[i].seq);
            self.store.delete(&mut self.sys, &key)?;
        }
        self.first += drop;
        let floor = self.entries[self.first].time;
        self.floor = Some(floor);
        self.store.put(&mut self.sys, SYS_FLOOR, &(floor.0 as u64).to_le_bytes())?;
        Ok(())
    }

    fn save(&mut self) -> Saved {
        Saved {
            pager: self.store.pager.state(),
            entries: self.entries.len(),
            backtracks: self.backtracks.len(),
            restore_points: self.restore_points.clone(),
            window_secs: self.window_secs,
            floor: self.floor,
            sys: self.sys.clone(),
            head: self.head.clone(),
            free_head: self.free_head,
            last_root: self.roots.last().copied(),
        }
    }

    fn restore(&mut self, s: Saved, first: usize, gc: GcStats) {
        self.gc = gc;
        self.store.pager.restore(s.pager);
        self.store.clear_cache();
        self.entries.truncate(s.entries);
        self.roots.truncate(s.entries);
        if let (Some(r), Some(saved)) = (self.roots.last_mut(), s.last_root) {
            *r = saved;
        }
        self.first = first;
        self.backtracks.truncate(s.backtracks);
        self.restore_points = s.restore_points;
        self.window_secs = s.window_secs;
        self.floor = s.floor;
        self.sys = s.sys;
        self.head = s.head;
        self.free_head = s.free_head;
    }

    /// Runs `change` (which updates the in-memory state and the system tree)
    /// and makes it durable; on any error returns to the saved state.
    fn durable<T>(&mut self, change: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let saved = self.save();
        let (first, gc) = (self.first, self.gc);
        let result = change(self).and_then(|v| {
            self.write_superblock()?;
            Ok(v)
        });
        match result {
            Ok(v) => {
                self.compact_in_memory();
                self.maybe_gc();
                Ok(v)
            }
            Err(e) => {
                self.restore(saved, first, gc);
                Err(e)
            }
        }
    }

    fn write_superblock(&mut self) -> Result<()> {
        let sys = self.store.persist(&self.sys)?;
        self.sys = NodeRef::Stored(sys);
        let mut meta = Vec::new();
        meta.put_u64(sys);
        meta.put_u64(self.free_head);
        meta.put_u64(self.free_used());
        meta.put_u64(self.gc.live_bytes);
        meta.put_u64(self.gc.history_bytes);
        self.store.pager.commit(&meta)
    }

    fn free_used(&self) -> u64 {
        self.gc.free_len.saturating_sub(self.store.pager.free().len()) as u64
    }

    fn compact_in_memory(&mut self) {
        if self.first > 1024 && self.first * 2 > self.entries.len() {
            self.entries.drain(..self.first);
            self.roots.drain(..self.first);
            self.first = 0;
        }
    }
}

impl Database {
    // ----- temporal operations -----

    /// Makes the state as of the target current again, as a new timeline
    /// entry (O(1) in the length of history). Rolls back an open transaction.
    /// With `clamp`, a target before the earliest time backtracks to the
    /// earliest time instead of failing. A target that cannot be reached is
    /// recorded in the backtrack log as failed and returned as an error.
    pub fn backtrack(&mut self, target: BacktrackTarget, clamp: bool) -> Result<BacktrackOutcome> {
        let now = self.now();
        let mut t = match &target {
            BacktrackTarget::Time(t) => *t,
            BacktrackTarget::RestorePoint(name) => {
                self.restore_point(name).ok_or_else(|| Error::UnknownRestorePoint(name.clone()))?.time
            }
        };
        let earliest = self.earliest();
        let problem = if t > now {
            Some(Error::InFuture { requested: t, now })
        } else if t < earliest && !clamp {
            Some(Error::BeforeEarliest { requested: t, earliest })
        } else {
            None
        };
        if let Some(err) = problem {
            let reason = err.to_string();
            self.durable(|db| db.log_backtrack(t, now, BacktrackStatus::Failed(reason)))?;
            return Err(err);
        }
        if t < earliest {
            t = earliest;
        }
        let rolled_back_transaction = self.txn.take().is_some();
        let root = self.root_at(t);
        self.durable(|db| {
            let entry = db.append_entry(EntryKind::Backtrack, root, &format!("BACKTRACK TO '{t}'"), 0)?;
            let record = db.log_backtrack(t, now, BacktrackStatus::Completed)?;
            Ok(BacktrackOutcome { record, entry, rolled_back_transaction })
        })
    }

    fn log_backtrack(
        &mut self,
        target: Timestamp,
        from: Timestamp,
        status: BacktrackStatus,
    ) -> Result<BacktrackRecord> {
        let id = self.backtracks.len() as u64 + 1;
        let mut v = Vec::new();
        v.put_u64(target.0 as u64);
        v.put_u64(from.0 as u64);
        match &status {
            BacktrackStatus::Completed => v.push(0),
            BacktrackStatus::Failed(reason) => {
                v.push(1);
                v.put_long_bytes(reason.as_bytes());
            }
        }
        self.store.put(&mut self.sys, &sys_key(SYS_BACKTRACK, id), &v)?;
        let record = BacktrackRecord { id, target, from, status };
        self.backtracks.push(record.clone());
        Ok(record)
    }

    /// The retained timeline, oldest first.
    pub fn timeline(&self) -> &[TimelineEntry] {
        &self.entries[self.first..]
    }

    /// The backtrack log, oldest first.
    pub fn backtracks(&self) -> &[BacktrackRecord] {
        &self.backtracks
    }

    /// Restore points, by name.
    pub fn restore_points(&self) -> &[RestorePoint] {
        &self.restore_points
    }

    fn restore_point(&self, name: &str) -> Option<&RestorePoint> {
        self.restore_points.iter().find(|r| r.name == name)
    }

    /// Binds `name` to the current time.
    pub fn create_restore_point(&mut self, name: &str) -> Result<RestorePoint> {
        if name.is_empty() || name.chars().count() > 64 {
            return Err(Error::BadRestorePointName(name.to_string()));
        }
        if self.restore_point(name).is_some() {
            return Err(Error::DuplicateRestorePoint(name.to_string()));
        }
        let rp = RestorePoint { name: name.to_string(), time: self.now() };
        self.durable(|db| {
            let mut key = vec![SYS_RESTORE];
            key.extend_from_slice(name.as_bytes());
            db.store.put(&mut db.sys, &key, &(rp.time.0 as u64).to_le_bytes())?;
            let at = db.restore_points.partition_point(|r| r.name.as_str() < name);
            db.restore_points.insert(at, rp.clone());
            Ok(())
        })?;
        Ok(rp)
    }

    /// Removes a restore point.
    pub fn drop_restore_point(&mut self, name: &str) -> Result<()> {
        if self.restore_point(name).is_none() {
            return Err(Error::UnknownRestorePoint(name.to_string()));
        }
        self.durable(|db| {
            let mut key = vec![SYS_RESTORE];
            key.extend_from_slice(name.as_bytes());
            db.store.delete(&mut db.sys, &key)?;
            db.restore_points.retain(|r| r.name != name);
            Ok(())
        })
    }

    /// Sets the backtrack window target (seconds; 0 keeps no history).
    pub fn set_window(&mut self, seconds: u64) -> Result<()> {
        if seconds > 100 * 365 * 86_400 {
            return Err(Error::BadTime(format!("a backtrack window of {seconds} seconds is longer than 100 years")));
        }
        self.durable(|db| {
            db.window_secs = seconds;
            db.store.put(&mut db.sys, SYS_WINDOW, &seconds.to_le_bytes())?;
            db.trim()
        })
    }

    /// Window and history figures.
    pub fn status(&self) -> Status {
        let now = self.now();
        let earliest = self.earliest();
        let since_gc = self.store.pager.appended() - self.gc.appended_at_gc;
        Status {
            window_target_secs: self.window_secs,
            window_actual_secs: ((now.0 - earliest.0).max(0) / 1_000_000) as u64,
            earliest,
            history_bytes: self.gc.history_bytes + since_gc,
            now,
        }
    }

    /// Keys in `[start, end]` whose values differ between two snapshots, in
    /// key order; subtrees the versions share are skipped.
    pub fn diff(
        &self,
        from: &Snapshot,
        to: &Snapshot,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
    ) -> Result<Vec<DiffEntry>> {
        Ok(self
            .store
            .diff(&from.root, &to.root, start, end)?
            .into_iter()
            .map(|c| DiffEntry { key: c.key, before: c.before, after: c.after })
            .collect())
    }

    /// Every value the keys in `[start, end]` held, with the wall-clock
    /// period it was current, for periods overlapping `[from, to]`; ordered
    /// by key, then start. Values current before the retained history began
    /// start at the oldest retained entry.
    pub fn row_versions(
        &self,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<RowVersion>> {
        let mut open: std::collections::BTreeMap<Vec<u8>, (Vec<u8>, Timestamp)> = Default::default();
        let mut out = Vec::new();
        let mut prev = NodeRef::empty();
        let mut i = self.first;
        while i < self.entries.len() {
            let t = self.entries[i].time;
            while i + 1 < self.entries.len() && self.entries[i + 1].time == t {
                i += 1;
            }
            let root = NodeRef::Stored(self.roots[i].1);
            for c in self.store.diff(&prev, &root, start, end)? {
                if let Some((value, s)) = open.remove(&c.key) {
                    out.push(RowVersion { key: c.key.clone(), value, start: s, end: Some(t) });
                }
                if let Some(after) = c.after {
                    open.insert(c.key, (after, t));
                }
            }
            prev = root;
            i += 1;
        }
        out.extend(open.into_iter().map(|(key, (value, s))| RowVersion { key, value, start: s, end: None }));
        out.retain(|v| v.start <= to && v.end.is_none_or(|e| e > from));
        out.sort_by(|a, b| a.key.cmp(&b.key).then(a.start.cmp(&b.start)));
        Ok(out)
    }

    // ----- garbage collection -----

    /// Whether enough was written since the last collection for the next
    /// durable operation to collect garbage. A lazily loaded image defers
    /// the collection (marking reads every live record) until every page is
    /// loaded: the browser runtime then loads them and calls
    /// [`Database::gc`].
    pub fn gc_due(&self) -> bool {
        let since = self.store.pager.appended() - self.gc.appended_at_gc;
        since >= self.gc_min_bytes.max(self.gc.live_bytes / 2)
    }

    fn maybe_gc(&mut self) {
        // Never on a partly loaded image: a durable operation must not need
        // a page it did not already read (it could not be run again).
        if self.gc_due() && self.store.pager.fully_loaded() {
            // A failed collection leaves the database at its last durable
            // state; the next write reports the storage error.
            let _ = self.gc();
        }
    }

    /// Reclaims every page that no retained state, nor the system tree,
    /// reaches, and records the live and history byte counts. Runs
    /// automatically once enough has been written since the last run.
    pub fn gc(&mut self) -> Result<()> {
        if self.txn.is_some() {
            // The open transaction's copied nodes name stored bases; keep
            // everything until it ends.
            return Ok(());
        }
        let saved = self.save();
        let (first, gc) = (self.first, self.gc);
        let old_free = self.store.pager.free().to_vec();
        let result = self.collect();
        self.gc.appended_at_gc = self.store.pager.appended();
        if let Err(e) = result {
            self.restore(saved, first, gc);
            self.store.pager.set_free(old_free);
            self.gc.appended_at_gc = self.store.pager.appended();
            return Err(e);
        }
        Ok(())
    }

    fn collect(&mut self) -> Result<()> {
        self.relocate_sparse()?;
        let mut live = HashMap::new();
        let head = self.head.addr().unwrap_or(0);
        let current = self.store.mark(head, &mut live)?;
        let mut total = current;
        for &(_, root) in &self.roots[self.first..] {
            total += self.store.mark(root, &mut live)?;
        }
        total += self.store.mark(self.sys.addr().unwrap_or(0), &mut live)?;
        let mut at = self.free_head;
        while at != 0 && !live.contains_key(&at) {
            let rec = self.store.pager.read(at)?;
            live.insert(at, 4 + rec.len() as u32);
            at = Reader::new(&rec).u64()?;
        }
        let mut used: HashMap<u64, u32> = HashMap::new();
        for (&a, &len) in &live {
            *used.entry(page_of(a)).or_default() += len;
        }
        let tail = self.store.pager.tail_page();
        // Pages mostly dead are emptied by the next collection: what the
        // present still needs from them is copied out.
        self.sparse =
            used.iter().filter(|&(&p, &b)| p != tail && (b as usize) < SPARSE_BYTES).map(|(&p, _)| p).collect();
        used.insert(tail, 0);
        let (next_page, _) = self.store.pager.page_counts();
        let mut free: Vec<u64> = (FIRST_LOG_PAGE..next_page).rev().filter(|p| !used.contains_key(p)).collect();
        // The new list is written into free pages that it does not list, so
        // none of the pages it lists is overwritten before it is durable.
        // Reserved pages left over are reused first and found free again by
        // the next collection if the database is reopened before that.
        // The reserve comes from pages that were already free before this
        // collection: pages freed just now may still be reachable from the
        // durable superblock, which survives if this commit is torn.
        let reserve_len = free.len() / FREE_PER_RECORD + 2;
        let previously_free: HashSet<u64> = self.store.pager.free().iter().copied().collect();
        let mut reserve = Vec::with_capacity(reserve_len);
        free.retain(|p| {
            let take = reserve.len() < reserve_len && previously_free.contains(p);
            if take {
                reserve.push(*p);
            }
            !take
        });
        self.store.pager.set_free(reserve);
        let mut next = 0;
        for chunk in free.chunks(FREE_PER_RECORD) {
            let mut rec = Vec::with_capacity(12 + chunk.len() * 8);
            rec.put_u64(next);
            rec.put_u32(chunk.len() as u32);
            for &p in chunk {
                rec.put_u64(p);
            }
            next = self.store.pager.append(&rec)?;
        }
        self.free_head = next;
        self.gc.free_len = free.len();
        free.extend_from_slice(self.store.pager.free());
        self.store.pager.set_free(free);
        self.gc.live_bytes = total;
        self.gc.history_bytes = total - current;
        // Decoded nodes of freed pages must not outlive their pages.
        self.store.clear_cache();
        self.write_superblock()
    }

    /// Rewrites the parts of the current data tree and of the system tree
    /// that depend on pages found mostly dead by the previous collection.
    /// The current entry keeps its state; only its root address changes.
    fn relocate_sparse(&mut self) -> Result<()> {
        let sparse = std::mem::take(&mut self.sparse);
        if sparse.is_empty() {
            return Ok(());
        }
        if let (Some(moved), Some(last)) = (self.store.relocate(&self.head, &sparse)?, self.entries.last()) {
            let addr = self.store.persist(&moved)?;
            let key = sys_key(SYS_ENTRY, last.seq);
            let mut rec = self.store.get(&self.sys, &key)?.ok_or_else(|| bad_sys("current entry missing"))?;
            rec.get_mut(9..17).ok_or_else(|| bad_sys("short timeline entry"))?.copy_from_slice(&addr.to_le_bytes());
            self.store.put(&mut self.sys, &key, &rec)?;
            self.roots.last_mut().expect("an entry exists").1 = addr;
            self.head = NodeRef::Stored(addr);
        }
        if let Some(moved) = self.store.relocate(&self.sys, &sparse)? {
            self.sys = moved;
        }
        let sys = self.store.persist(&self.sys)?;
        self.sys = NodeRef::Stored(sys);
        Ok(())
    }

    /// The whole store as bytes (page after page, the native file format):
    /// the database with its timeline as of the last commit.
    /// [`Database::open`] on a `MemBackend` of these pages reopens it.
    pub fn image(&self) -> Result<Vec<u8>> {
        self.store.pager.image()
    }

    /// Store figures: pages in the store, pages free for reuse, record bytes
    /// appended since open, live bytes at the last collection.
    pub fn storage_stats(&self) -> StorageStats {
        let (pages, free_pages) = self.store.pager.page_counts();
        StorageStats {
            pages,
            free_pages,
            appended_bytes: self.store.pager.appended(),
            live_bytes_at_gc: self.gc.live_bytes,
        }
    }
}

/// Figures about the page store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageStats {
    /// Pages the store spans (including free ones).
    pub pages: u64,
    /// Pages free for reuse.
    pub free_pages: u64,
    /// Record bytes appended since the database was opened.
    pub appended_bytes: u64,
    /// Bytes reachable at the last garbage collection.
    pub live_bytes_at_gc: u64,
}

fn bad_sys(what: &str) -> Error {
    Error::Corrupt(format!("system tree: {what}"))
}
