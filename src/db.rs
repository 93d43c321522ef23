//! The versioned database: commits, the timeline, backtrack, the backtrack
//! window, restore points and garbage collection, on top of [`crate::store`].
//!
//! API CONTRACT (bodies being filled in).

use std::ops::Bound;

use crate::error::Result;
use crate::store::backend::StorageBackend;
use crate::time::Timestamp;

/// Options for opening a database.
#[derive(Debug, Clone)]
pub struct Options {
    /// Backtrack window target in seconds for a new database (default 86 400).
    pub window_secs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { window_secs: 86_400 }
    }
}

/// A read-only view of the whole database at one version. Cheap to clone.
#[derive(Clone)]
pub struct Snapshot {
    _private: (),
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
pub struct Database {
    _private: (),
}

#[allow(unused_variables, missing_docs)]
impl Database {
    pub fn in_memory() -> Database { todo!() }
    pub fn open(backend: Box<dyn StorageBackend>, options: Options) -> Result<Database> { todo!() }
    pub fn now(&self) -> Timestamp { todo!() }
    pub fn set_clock(&mut self, fixed: Option<Timestamp>) { todo!() }
    pub fn current(&self) -> Snapshot { todo!() }
    pub fn committed(&self) -> Snapshot { todo!() }
    pub fn as_of(&self, t: Timestamp) -> Result<Snapshot> { todo!() }
    pub fn get(&self, snap: &Snapshot, key: &[u8]) -> Result<Option<Vec<u8>>> { todo!() }
    pub fn scan(&self, snap: &Snapshot, start: Bound<&[u8]>, end: Bound<&[u8]>, f: &mut dyn FnMut(&[u8], &[u8]) -> bool) -> Result<()> { todo!() }
    pub fn begin(&mut self) { todo!() }
    pub fn in_transaction(&self) -> bool { todo!() }
    pub fn put(&mut self, key: &[u8], value: &[u8]) -> Result<()> { todo!() }
    pub fn delete(&mut self, key: &[u8]) -> Result<bool> { todo!() }
    pub fn savepoint(&self) -> Option<Snapshot> { todo!() }
    pub fn restore_savepoint(&mut self, sp: Snapshot) { todo!() }
    pub fn commit(&mut self, summary: &str, rows_changed: u64) -> Result<Option<TimelineEntry>> { todo!() }
    pub fn rollback(&mut self) -> bool { todo!() }
    pub fn backtrack(&mut self, target: BacktrackTarget, clamp: bool) -> Result<BacktrackOutcome> { todo!() }
    pub fn timeline(&self) -> &[TimelineEntry] { todo!() }
    pub fn backtracks(&self) -> &[BacktrackRecord] { todo!() }
    pub fn restore_points(&self) -> &[RestorePoint] { todo!() }
    pub fn create_restore_point(&mut self, name: &str) -> Result<RestorePoint> { todo!() }
    pub fn drop_restore_point(&mut self, name: &str) -> Result<()> { todo!() }
    pub fn set_window(&mut self, seconds: u64) -> Result<()> { todo!() }
    pub fn status(&self) -> Status { todo!() }
    pub fn diff(&self, from: &Snapshot, to: &Snapshot, start: Bound<&[u8]>, end: Bound<&[u8]>) -> Result<Vec<DiffEntry>> { todo!() }
    pub fn row_versions(&self, start: Bound<&[u8]>, end: Bound<&[u8]>, from: Timestamp, to: Timestamp) -> Result<Vec<RowVersion>> { todo!() }
}
