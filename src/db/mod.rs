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

mod gc;
mod system;
mod timeline;

use std::collections::HashSet;
use std::ops::Bound;

use crate::error::Result;
use crate::store::backend::{MemBackend, StorageBackend};
use crate::store::btree::{NodeRef, Store};
use crate::store::page::Writer;
use crate::store::pager::{Addr, Pager, PagerState};
use crate::time::Timestamp;

use gc::{Collection, GcStats};
use system::SYS_WINDOW;
pub use timeline::{
    BacktrackOutcome, BacktrackRecord, BacktrackStatus, BacktrackTarget, EntryKind, RestorePoint, Status, TimelineEntry,
};

/// Options for opening a database.
#[derive(Debug, Clone)]
pub struct Options {
    /// Backtrack window target in seconds for a new database (default 86 400).
    pub window_secs: u64,
    /// Garbage collection runs once this many record bytes (or half the live
    /// bytes, if more) were written since the last run (default 256 KiB).
    pub gc_min_bytes: u64,
    /// Records a collection visits per durable operation (default 1 024):
    /// a collection runs in slices between operations, so that none of
    /// them pauses for long.
    pub gc_slice: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { window_secs: 86_400, gc_min_bytes: 256 << 10, gc_slice: 1024 }
    }
}

/// A read-only view of the whole database at one version. Cheap to clone.
#[derive(Clone)]
pub struct Snapshot {
    root: NodeRef,
}

impl Snapshot {
    /// Whether both are the same version: the same stored root, or the
    /// same uncommitted one (an uncommitted root held by a snapshot is
    /// copied, not changed, by a later write).
    pub fn same(&self, other: &Snapshot) -> bool {
        self.root.same(&other.root)
    }
}

/// A key written under an undo mark and the value it had (`None`: none).
type Undo = (Box<[u8]>, Option<Vec<u8>>);

/// A point of the open transaction to return to: see [`Database::mark`].
#[must_use = "a mark is released or restored"]
pub struct Mark(MarkAt);

enum MarkAt {
    /// The transaction's root, while it had changed nothing.
    Root(NodeRef),
    /// The length of the undo log.
    Undo(usize),
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.root {
            NodeRef::Stored(a) => write!(f, "Snapshot(root {a:#x})"),
            NodeRef::Mem(_) => write!(f, "Snapshot(uncommitted)"),
        }
    }
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
    /// The retained timeline.
    entries: timeline::Entries,
    backtracks: Vec<BacktrackRecord>,
    restore_points: Vec<RestorePoint>,
    window_secs: u64,
    /// Set once history has been trimmed: no state before it is known.
    floor: Option<Timestamp>,
    sys: NodeRef,
    head: NodeRef,
    txn: Option<NodeRef>,
    /// The previous value of each key written since the oldest
    /// undo mark still held, oldest first (see [`Database::mark`]).
    undo: Vec<Undo>,
    /// How many undo marks are held: writes are recorded in `undo`
    /// while any is.
    undo_marks: usize,
    free_head: Addr,
    gc: GcStats,
    gc_min_bytes: u64,
    gc_slice: usize,
    /// The collection under way, if any.
    collection: Option<Box<Collection>>,
    /// Pages the last collection found mostly dead.
    sparse: HashSet<u64>,
    /// The copying out of those pages under way, if any.
    relocation: Option<Box<gc::Relocation>>,
}

/// In-memory state saved before a durable update so that a failed write
/// returns the database to its last durable state.
struct Saved {
    pager: PagerState,
    entries: timeline::SavedEntries,
    backtracks: usize,
    restore_points: Vec<RestorePoint>,
    window_secs: u64,
    floor: Option<Timestamp>,
    sys: NodeRef,
    head: NodeRef,
    free_head: Addr,
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
            entries: timeline::Entries::default(),
            backtracks: Vec::new(),
            restore_points: Vec::new(),
            window_secs: options.window_secs,
            floor: None,
            sys: NodeRef::empty(),
            head: NodeRef::empty(),
            txn: None,
            undo: Vec::new(),
            undo_marks: 0,
            free_head: 0,
            gc: GcStats::default(),
            gc_min_bytes: options.gc_min_bytes,
            gc_slice: options.gc_slice,
            collection: None,
            sparse: HashSet::new(),
            relocation: None,
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

    /// The value of `key` in `snap`.
    pub fn get(&self, snap: &Snapshot, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.store.get(&snap.root, key)
    }

    /// `f` of the value of `key` in `snap`, read in place where it can be
    /// (see [`Store::read`]).
    pub fn read<R>(&self, snap: &Snapshot, key: &[u8], f: impl FnOnce(&[u8]) -> R) -> Result<Option<R>> {
        self.store.read(&snap.root, key, f)
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
        if self.undo_marks > 0 {
            let old = self.store.replace(root, key, value)?;
            self.undo.push((key.into(), old));
            return Ok(());
        }
        self.store.put(root, key, value)
    }

    /// Removes `key` in the open transaction; returns whether it existed.
    pub fn delete(&mut self, key: &[u8]) -> Result<bool> {
        self.begin();
        let root = self.txn.as_mut().expect("begun");
        if self.undo_marks > 0 {
            let Some(old) = self.store.remove(root, key)? else { return Ok(false) };
            self.undo.push((key.into(), Some(old)));
            return Ok(true);
        }
        self.store.delete(root, key)
    }

    /// Marks the open transaction's state (opening one) for a statement, or
    /// one row of an `IGNORE` statement, to return to if it fails
    /// ([`Database::restore_mark`]) or to let go of when it succeeds
    /// ([`Database::release_mark`]); marks nest.
    ///
    /// While the transaction has changed nothing, the mark is its root: a
    /// write copies the paths it changes anyway, as they are shared with
    /// the last commit. After that, a root held as a mark would make the
    /// statement's first write of each path copy it again (a node shared
    /// is never changed in place), so the mark is a position in an undo
    /// log of the keys written and their previous values instead: a
    /// statement that writes a few rows keeps a value per key rather than a
    /// copy of every node on their paths.
    /// On a partly loaded image the mark is the root too: undoing a
    /// delete may merge a node with a neighbour not loaded yet, and a
    /// statement that stopped at a missing page must return exactly to
    /// where it started, to be run again (ARCHITECTURE.md, "Lazy pages").
    pub fn mark(&mut self) -> Mark {
        self.begin();
        let root = self.txn.as_ref().expect("begun");
        if root.same(&self.head) || !self.store.pager.fully_loaded() {
            Mark(MarkAt::Root(root.clone()))
        } else {
            self.undo_marks += 1;
            Mark(MarkAt::Undo(self.undo.len()))
        }
    }

    /// Keeps what was written since `mark`.
    pub fn release_mark(&mut self, mark: Mark) {
        if let MarkAt::Undo(_) = mark.0 {
            self.let_go_of_undo_mark();
        }
    }

    /// Returns the open transaction to `mark`. On an error (a page that
    /// could not be read) the transaction is in no defined state: the
    /// caller rolls it back.
    pub fn restore_mark(&mut self, mark: Mark) -> Result<()> {
        match mark.0 {
            MarkAt::Root(root) => {
                self.txn = Some(root);
                Ok(())
            }
            MarkAt::Undo(at) => {
                let undone = self.undo_to(at);
                self.let_go_of_undo_mark();
                undone
            }
        }
    }

    fn undo_to(&mut self, at: usize) -> Result<()> {
        let Some(root) = self.txn.as_mut() else { return Ok(()) };
        while self.undo.len() > at {
            let (key, old) = self.undo.pop().expect("longer than at");
            match old {
                Some(v) => self.store.put(root, &key, &v)?,
                None => {
                    self.store.delete(root, &key)?;
                }
            }
        }
        Ok(())
    }

    fn let_go_of_undo_mark(&mut self) {
        self.undo_marks -= 1;
        if self.undo_marks == 0 {
            self.undo.clear();
        }
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
        self.undo.clear();
        self.undo_marks = 0;
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

    fn save(&mut self) -> Saved {
        Saved {
            pager: self.store.pager.state(),
            entries: self.entries.save(),
            backtracks: self.backtracks.len(),
            restore_points: self.restore_points.clone(),
            window_secs: self.window_secs,
            floor: self.floor,
            sys: self.sys.clone(),
            head: self.head.clone(),
            free_head: self.free_head,
        }
    }

    fn restore(&mut self, s: Saved, gc: GcStats) {
        self.gc = gc;
        self.store.pager.restore(s.pager);
        self.store.clear_cache();
        self.entries.restore(s.entries);
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
        let gc = self.gc;
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
                self.restore(saved, gc);
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
        self.entries.compact();
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
        let roots = self.all_entries()?.live_roots();
        let mut i = 0;
        while i < roots.len() {
            let t = roots[i].0;
            while i + 1 < roots.len() && roots[i + 1].0 == t {
                i += 1;
            }
            let root = NodeRef::Stored(roots[i].1);
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
