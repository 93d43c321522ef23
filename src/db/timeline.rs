//! The timeline: entries, backtrack and its log, restore points, the
//! backtrack window and trimming.

use std::cell::OnceCell;
use std::ops::Bound;

use crate::error::{Error, Result};
use crate::store::btree::NodeRef;
use crate::store::page::{Reader, Writer};
use crate::store::pager::Addr;
use crate::time::Timestamp;

use super::system::{bad_sys, sys_id, sys_key, SYS_BACKTRACK, SYS_ENTRY, SYS_FLOOR, SYS_RESTORE, SYS_WINDOW};
use super::{Database, Snapshot};

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

/// The retained timeline as the database holds it: its oldest and newest
/// entries always, every entry only once something needs them all (read
/// from the system tree then). Open reads two paths of the system tree,
/// not the whole timeline (ARCHITECTURE.md, "Lazy pages").
#[derive(Default)]
pub(super) struct Entries {
    /// The oldest retained entry's sequence number and time.
    first: Option<(u64, Timestamp)>,
    /// The newest entry and its data root.
    last: Option<(TimelineEntry, Addr)>,
    /// Every retained entry, once read.
    all: OnceCell<All>,
}

/// Every retained entry in memory, from `first` on.
#[derive(Default)]
pub(super) struct All {
    entries: Vec<TimelineEntry>,
    /// (time, data root) of each entry, parallel to `entries`; kept apart so
    /// the binary search of `as of` touches few cache lines.
    roots: Vec<(Timestamp, Addr)>,
    first: usize,
}

impl All {
    fn live(&self) -> &[TimelineEntry] {
        &self.entries[self.first..]
    }

    /// (time, data root) of each retained entry, oldest first.
    pub(super) fn live_roots(&self) -> &[(Timestamp, Addr)] {
        &self.roots[self.first..]
    }
}

/// What [`Entries`] holds, saved before a durable update.
pub(super) struct SavedEntries {
    first: Option<(u64, Timestamp)>,
    last: Option<(TimelineEntry, Addr)>,
    /// Length and first index of the entries in memory, if read.
    all: Option<(usize, usize)>,
}

impl Entries {
    pub(super) fn save(&self) -> SavedEntries {
        SavedEntries {
            first: self.first,
            last: self.last.clone(),
            all: self.all.get().map(|a| (a.entries.len(), a.first)),
        }
    }

    pub(super) fn restore(&mut self, s: SavedEntries) {
        self.first = s.first;
        self.last = s.last;
        match (s.all, self.all.get_mut()) {
            (Some((len, first)), Some(all)) => {
                all.entries.truncate(len);
                all.roots.truncate(len);
                if let (Some(r), Some((_, root))) = (all.roots.last_mut(), &self.last) {
                    r.1 = *root;
                }
                all.first = first;
            }
            // Read during the update: it may hold what the update wrote.
            _ => self.all = OnceCell::new(),
        }
    }

    /// Drops entries trimmed long ago from memory.
    pub(super) fn compact(&mut self) {
        if let Some(a) = self.all.get_mut() {
            if a.first > 1024 && a.first * 2 > a.entries.len() {
                a.entries.drain(..a.first);
                a.roots.drain(..a.first);
                a.first = 0;
            }
        }
    }

    /// The newest entry.
    pub(super) fn last(&self) -> Option<&TimelineEntry> {
        self.last.as_ref().map(|(e, _)| e)
    }

    /// Sets the newest entry's data root (a relocation moved it).
    pub(super) fn set_last_root(&mut self, addr: Addr) {
        if let Some(l) = &mut self.last {
            l.1 = addr;
        }
        if let Some(r) = self.all.get_mut().and_then(|a| a.roots.last_mut()) {
            r.1 = addr;
        }
    }

    /// Records the newest and oldest entries found at open.
    pub(super) fn opened(&mut self, first: Option<(u64, Timestamp)>, last: Option<(TimelineEntry, Addr)>) {
        self.first = first;
        self.last = last;
        self.all = OnceCell::new();
    }
}

/// Decodes the timeline record of sequence number `seq`.
pub(super) fn decode_entry(seq: u64, value: &[u8]) -> Result<(TimelineEntry, Addr)> {
    let mut r = Reader::new(value);
    let time = Timestamp(r.i64()?);
    let kind = match r.u8()? {
        0 => EntryKind::Commit,
        1 => EntryKind::Backtrack,
        k => return Err(Error::Corrupt(format!("unknown timeline entry kind {k}"))),
    };
    let root = r.u64()?;
    let rows_changed = r.u64()?;
    let summary = r.string()?;
    Ok((TimelineEntry { seq, time, kind, summary, rows_changed }, root))
}

/// The time of a timeline record, without decoding the rest.
fn entry_time(value: &[u8]) -> Result<Timestamp> {
    Ok(Timestamp(Reader::new(value).i64()?))
}

const SUMMARY_MAX: usize = 200;

fn micros_of(secs: u64) -> i64 {
    (secs.min(i64::MAX as u64 / 1_000_000) as i64) * 1_000_000
}

impl Database {
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
        Ok(Snapshot { root: NodeRef::Stored(self.root_at(t)?) })
    }

    fn root_at(&self, t: Timestamp) -> Result<Addr> {
        match &self.entries.last {
            None => return Ok(0),
            // The present (and any time since the last commit) needs no
            // more than the newest entry.
            Some((e, root)) if e.time <= t => return Ok(*root),
            _ => {}
        }
        let all = self.all_entries()?;
        let live = all.live_roots();
        Ok(match live.partition_point(|r| r.0 <= t) {
            0 => 0,
            i => live[i - 1].1,
        })
    }

    /// Calls `f` with each timeline record (sequence number, value) from
    /// sequence number `from` on, oldest first, until it returns
    /// `Ok(false)` or an error, which ends the scan and is returned.
    pub(super) fn scan_entries(&self, from: u64, f: &mut dyn FnMut(u64, &[u8]) -> Result<bool>) -> Result<()> {
        let mut failed = None;
        let (start, end) = (sys_key(SYS_ENTRY, from), sys_key(SYS_ENTRY, u64::MAX));
        self.store.scan(&self.sys, Bound::Included(&start), Bound::Included(&end), &mut |k, v| match sys_id(k)
            .ok_or_else(|| bad_sys("timeline key"))
            .and_then(|seq| f(seq, v))
        {
            Ok(go) => go,
            Err(e) => {
                failed = Some(e);
                false
            }
        })?;
        failed.map_or(Ok(()), Err)
    }

    /// Every retained entry, read from the system tree on first use. On a
    /// partly loaded image the tree's pages are asked for level by level
    /// (one fetch names a whole level's missing pages).
    pub(super) fn all_entries(&self) -> Result<&All> {
        if let Some(all) = self.entries.all.get() {
            return Ok(all);
        }
        if !self.store.pager.fully_loaded() {
            self.store.load_levels(&self.sys)?;
        }
        let mut all = All::default();
        self.scan_entries(0, &mut |seq, v| {
            let (e, root) = decode_entry(seq, v)?;
            if all.entries.last().is_some_and(|l| l.seq >= e.seq || l.time > e.time) {
                return Err(bad_sys("timeline out of order"));
            }
            all.roots.push((e.time, root));
            all.entries.push(e);
            Ok(true)
        })?;
        let first = self.entries.first.map(|f| f.0);
        if all.entries.first().map(|e| e.seq) != first || all.entries.last() != self.entries.last() {
            return Err(bad_sys("timeline ends differ from the entries read at open"));
        }
        Ok(self.entries.all.get_or_init(|| all))
    }

    pub(super) fn append_entry(
        &mut self,
        kind: EntryKind,
        root: Addr,
        summary: &str,
        rows_changed: u64,
    ) -> Result<TimelineEntry> {
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
        if let Some(all) = self.entries.all.get_mut() {
            all.entries.push(entry.clone());
            all.roots.push((time, root));
        }
        self.entries.first.get_or_insert((seq, time));
        self.entries.last = Some((entry.clone(), root));
        self.head = NodeRef::Stored(root);
        self.trim()?;
        Ok(entry)
    }

    /// Drops timeline entries that only describe states before the window:
    /// every entry at or before the cutoff but the last of them.
    fn trim(&mut self) -> Result<()> {
        let cutoff = Timestamp(self.now().0.saturating_sub(micros_of(self.window_secs)));
        let Some((first_seq, first_time)) = self.entries.first else { return Ok(()) };
        if first_time > cutoff {
            return Ok(());
        }
        // (seq, time) of the entries at or before the cutoff, oldest first.
        let mut old: Vec<(u64, Timestamp)> = Vec::new();
        if let Some(all) = self.entries.all.get() {
            let live = all.live();
            let n = live.partition_point(|e| e.time <= cutoff);
            old.extend(live[..n].iter().map(|e| (e.seq, e.time)));
        } else {
            self.scan_entries(first_seq, &mut |seq, v| {
                let t = entry_time(v)?;
                if t <= cutoff {
                    old.push((seq, t));
                }
                Ok(t <= cutoff)
            })?;
        }
        if old.len() < 2 {
            return Ok(());
        }
        let drop = old.len() - 1;
        for &(seq, _) in &old[..drop] {
            self.store.delete(&mut self.sys, &sys_key(SYS_ENTRY, seq))?;
        }
        if let Some(all) = self.entries.all.get_mut() {
            all.first += drop;
        }
        let (seq, floor) = old[drop];
        self.entries.first = Some((seq, floor));
        self.floor = Some(floor);
        self.store.put(&mut self.sys, SYS_FLOOR, &(floor.0 as u64).to_le_bytes())?;
        Ok(())
    }

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
        let root = self.root_at(t)?;
        let rolled_back_transaction = self.rollback();
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

    /// The retained timeline, oldest first (read from the storage on
    /// first use: see [`Database::last_entry`] for the newest entry alone).
    pub fn timeline(&self) -> Result<&[TimelineEntry]> {
        Ok(self.all_entries()?.live())
    }

    /// The newest timeline entry.
    pub fn last_entry(&self) -> Option<&TimelineEntry> {
        self.entries.last()
    }

    /// How many entries the retained timeline has.
    pub fn timeline_len(&self) -> u64 {
        match (self.entries.first, self.entries.last()) {
            (Some((first, _)), Some(last)) => last.seq - first + 1,
            _ => 0,
        }
    }

    /// The retained entries after sequence number `seq`, oldest first:
    /// read from the timeline's tail, not the whole timeline.
    pub fn entries_after(&self, seq: u64) -> Result<Vec<TimelineEntry>> {
        if let Some(all) = self.entries.all.get() {
            let live = all.live();
            let from = live.partition_point(|e| e.seq <= seq);
            return Ok(live[from..].to_vec());
        }
        let mut out = Vec::new();
        self.scan_entries(seq.saturating_add(1), &mut |seq, v| {
            out.push(decode_entry(seq, v)?.0);
            Ok(true)
        })?;
        Ok(out)
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
}
