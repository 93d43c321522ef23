//! The objects the API returns, serialised to plain JavaScript objects.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::db::{BacktrackOutcome, BacktrackRecord, BacktrackStatus, EntryKind, RestorePoint, TimelineEntry};

pub(super) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error("INTERNAL", &e.to_string()))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JsTimelineEntry {
    seq: u64,
    time: String,
    pub(super) kind: &'static str,
    summary: String,
    rows_changed: u64,
}

impl From<&TimelineEntry> for JsTimelineEntry {
    fn from(e: &TimelineEntry) -> Self {
        JsTimelineEntry {
            seq: e.seq,
            time: e.time.to_string(),
            kind: match e.kind {
                EntryKind::Commit => "commit",
                EntryKind::Backtrack => "backtrack",
            },
            summary: e.summary.clone(),
            rows_changed: e.rows_changed,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsBacktrackRecord {
    id: u64,
    target: String,
    from: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JsBacktrackOutcome {
    record: JsBacktrackRecord,
    entry: JsTimelineEntry,
    rolled_back_transaction: bool,
}

impl From<&BacktrackOutcome> for JsBacktrackOutcome {
    fn from(o: &BacktrackOutcome) -> Self {
        let (status, reason) = status_of(&o.record.status);
        JsBacktrackOutcome {
            record: JsBacktrackRecord {
                id: o.record.id,
                target: o.record.target.to_string(),
                from: o.record.from.to_string(),
                status,
                reason,
            },
            entry: (&o.entry).into(),
            rolled_back_transaction: o.rolled_back_transaction,
        }
    }
}

/// A backtrack's `status` and `reason` as JavaScript sees them.
fn status_of(status: &BacktrackStatus) -> (&'static str, Option<String>) {
    match status {
        BacktrackStatus::Completed => ("completed", None),
        BacktrackStatus::Failed(why) => ("failed", Some(why.clone())),
    }
}

#[derive(Serialize)]
pub(super) struct JsRestorePoint {
    name: String,
    time: String,
}

impl From<&RestorePoint> for JsRestorePoint {
    fn from(rp: &RestorePoint) -> Self {
        JsRestorePoint { name: rp.name.clone(), time: rp.time.to_string() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JsLastBacktrack {
    id: u64,
    target: String,
    /// When the backtrack ran (engine time).
    at: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl From<&BacktrackRecord> for JsLastBacktrack {
    fn from(b: &BacktrackRecord) -> Self {
        let (status, reason) = status_of(&b.status);
        JsLastBacktrack { id: b.id, target: b.target.to_string(), at: b.from.to_string(), status, reason }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JsFullStatus {
    pub(super) window_target_secs: u64,
    pub(super) window_actual_secs: u64,
    pub(super) earliest: String,
    pub(super) history_bytes: u64,
    pub(super) now: String,
    pub(super) last_backtrack: Option<JsLastBacktrack>,
    pub(super) in_transaction: bool,
}
