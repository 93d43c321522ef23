//! The timeline: entries, backtrack and its log, restore points, the
//! backtrack window and trimming.

use crate::error::{Error, Result};
use crate::store::btree::NodeRef;
use crate::store::page::Writer;
use crate::store::pager::Addr;
use crate::time::Timestamp;

use super::system::{sys_key, SYS_BACKTRACK, SYS_ENTRY, SYS_FLOOR, SYS_RESTORE, SYS_WINDOW};
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
        Ok(Snapshot { root: NodeRef::Stored(self.root_at(t)) })
    }

    fn root_at(&self, t: Timestamp) -> Addr {
        let live = &self.roots[self.first..];
        match live.partition_point(|r| r.0 <= t) {
            0 => 0,
            i => live[i - 1].1,
        }
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
        let rolled_back_transaction = self.rollback();
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
}
