//! The system tree's keys: the timeline, the backtrack log, restore points
//! and settings, and reading them back at open.

use std::ops::Bound;

use crate::error::{Error, MissingPages, Result};
use crate::store::btree::NodeRef;
use crate::store::page::Reader;
use crate::time::Timestamp;

use super::timeline::{decode_entry, BacktrackRecord, BacktrackStatus, RestorePoint};
use super::Database;

pub(super) const SYS_ENTRY: u8 = b'T';
pub(super) const SYS_BACKTRACK: u8 = b'B';
pub(super) const SYS_RESTORE: u8 = b'R';
pub(super) const SYS_WINDOW: &[u8] = b"W";
pub(super) const SYS_FLOOR: &[u8] = b"F";

pub(super) fn sys_key(prefix: u8, id: u64) -> [u8; 9] {
    let mut k = [prefix; 9];
    k[1..].copy_from_slice(&id.to_be_bytes());
    k
}

pub(super) fn sys_id(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.get(1..9)?.try_into().ok()?))
}

impl Database {
    pub(super) fn load(&mut self, meta: &[u8]) -> Result<()> {
        let mut r = Reader::new(meta);
        let sys = r.u64()?;
        self.free_head = r.u64()?;
        let free_used = r.u64()? as usize;
        self.gc.live_bytes = r.u64()?;
        self.gc.history_bytes = r.u64()?;
        self.sys = NodeRef::Stored(sys);
        // Open reads the records before the timeline (backtrack log,
        // floor, restore points), the timeline's oldest and newest entries
        // and the window: on a lazy image, a few paths of the system tree,
        // whatever the length of history. Each read goes on past pages not
        // loaded yet, so one attempt names the missing pages of all four.
        let mut missing = MissingPages::default();
        let mut records = Vec::new();
        missing.attempt(self.store.scan(&self.sys, Bound::Unbounded, Bound::Excluded(&[SYS_ENTRY]), &mut |k, v| {
            records.push((k.to_vec(), v.to_vec()));
            true
        }))?;
        let mut first = None;
        missing.attempt(self.scan_entries(0, &mut |seq, v| {
            first = Some(decode_entry(seq, v)?);
            Ok(false)
        }))?;
        let mut last = None;
        missing.attempt(self.store.last_at_most(&self.sys, &sys_key(SYS_ENTRY, u64::MAX)).map(|found| last = found))?;
        let mut window = None;
        missing.attempt(self.store.get(&self.sys, SYS_WINDOW).map(|w| window = w))?;
        missing.finish()?;
        for (k, v) in records {
            let mut r = Reader::new(&v);
            match k.first() {
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
                Some(b'F') => self.floor = Some(Timestamp(r.i64()?)),
                _ => return Err(bad_sys("unknown system key")),
            }
        }
        if let Some(w) = window {
            self.window_secs = Reader::new(&w).u64()?;
        }
        let first = first.map(|(e, _)| (e.seq, e.time));
        let last = match last {
            Some((k, v)) if k.first() == Some(&SYS_ENTRY) => {
                Some(decode_entry(sys_id(&k).ok_or_else(|| bad_sys("timeline key"))?, &v)?)
            }
            _ => None,
        };
        match (&first, &last) {
            (Some((s, t)), Some((e, _))) if *s > e.seq || *t > e.time => {
                return Err(bad_sys("timeline out of order"));
            }
            (None, None) | (Some(_), Some(_)) => {}
            _ => return Err(bad_sys("timeline ends")),
        }
        self.head = NodeRef::Stored(last.as_ref().map_or(0, |l| l.1));
        self.entries.opened(first, last);
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
}

pub(super) fn bad_sys(what: &str) -> Error {
    Error::Corrupt(format!("system tree: {what}"))
}
