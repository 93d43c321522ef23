//! The WebAssembly bindings: the JavaScript API of the `reeldb` npm package
//! built into `pkg/` by `scripts/build.sh`.
//!
//! Compiled only for `wasm32`. The module's start function installs a panic
//! hook, so a Rust panic reaches the browser console with its message and
//! location instead of a bare "unreachable executed". Engine errors become
//! JavaScript `Error`s with a stable `code` property (see [`error_code`]).
//!
//! Times cross the boundary as text in the engine's format,
//! `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC); inputs also accept a `Date`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::db::{BacktrackOutcome, BacktrackStatus, BacktrackTarget, Database, EntryKind, Options, TimelineEntry};
use crate::error::Error;
use crate::store::backend::MemBackend;
use crate::time::Timestamp;

/// Runs once when the module is instantiated: installs the panic hook.
#[wasm_bindgen(start)]
pub fn start() {
    install_panic_hook();
}

/// Installs `console_error_panic_hook` (idempotent). Called by [`start`] and
/// again by the constructors, so the hook is in place even when the module
/// was instantiated without running its start function.
pub fn install_panic_hook() {
    console_error_panic_hook::set_once();
}

/// The ReelDB version (the crate version, also the npm package version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A time: text `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC) or a `Date`. */
export type TimeInput = string | Date;

/** Options of `ReelDB.openInMemory`. */
export interface OpenOptions {
  /** Backtrack window target in seconds (default 86400; 0 keeps no history). */
  windowSecs?: number;
}

/** One entry of the append-only timeline. */
export interface TimelineEntry {
  seq: number;
  /** `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC). */
  time: string;
  kind: "commit" | "backtrack";
  summary: string;
  rowsChanged: number;
}

/** One entry of the backtrack log. */
export interface BacktrackRecord {
  id: number;
  target: string;
  from: string;
  status: "completed" | "failed";
  reason?: string;
}

/** What a successful backtrack did. */
export interface BacktrackOutcome {
  record: BacktrackRecord;
  entry: TimelineEntry;
  rolledBackTransaction: boolean;
}

/** Window and history figures. */
export interface Status {
  windowTargetSecs: number;
  windowActualSecs: number;
  earliest: string;
  historyBytes: number;
  now: string;
}

/** A named restore point. */
export interface RestorePoint {
  name: string;
  time: string;
}

/** The errors ReelDB throws: an `Error` with a stable `code`. */
export interface ReelDBError extends Error {
  code: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `OpenOptions` of the TypeScript declarations.
    #[wasm_bindgen(typescript_type = "OpenOptions")]
    pub type OpenOptions;

    /// `TimeInput` of the TypeScript declarations: text or a `Date`.
    #[wasm_bindgen(typescript_type = "TimeInput")]
    pub type TimeInput;
}

/// The stable `code` of an engine error, as JavaScript sees it. The match is
/// exhaustive on purpose: a new error variant must choose its code here.
pub fn error_code(e: &Error) -> &'static str {
    match e {
        Error::Checksum { .. } => "CHECKSUM",
        Error::UnknownFormat { .. } => "UNKNOWN_FORMAT",
        Error::Corrupt(_) => "CORRUPT",
        Error::Truncated(_) => "TRUNCATED",
        Error::Io(_) => "IO",
        Error::BeforeEarliest { .. } => "BEFORE_EARLIEST",
        Error::InFuture { .. } => "IN_FUTURE",
        Error::BadTime(_) => "BAD_TIME",
        Error::UnknownRestorePoint(_) => "UNKNOWN_RESTORE_POINT",
        Error::DuplicateRestorePoint(_) => "DUPLICATE_RESTORE_POINT",
        Error::BadRestorePointName(_) => "BAD_RESTORE_POINT_NAME",
        Error::TooLarge(_) => "TOO_LARGE",
        Error::ReadOnly(_) => "READ_ONLY",
    }
}

/// A JavaScript `Error` named `ReelDBError` with `message` and `code`.
pub fn js_error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("ReelDBError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        js_error(error_code(&e), &e.to_string())
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error("INTERNAL", &e.to_string()))
}

/// A time from JavaScript: engine-format text or a `Date`.
fn parse_time(value: &JsValue) -> Result<Timestamp, JsValue> {
    if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        let ms = date.get_time();
        if !ms.is_finite() {
            return Err(js_error("BAD_TIME", "invalid Date"));
        }
        return Ok(Timestamp((ms * 1000.0) as i64));
    }
    match value.as_string() {
        Some(text) => Timestamp::parse(&text)
            .ok_or_else(|| js_error("BAD_TIME", &format!("'{text}' is not a time (YYYY-MM-DD HH:MM:SS[.ffffff])"))),
        None => Err(js_error("BAD_TIME", "a time is a string (YYYY-MM-DD HH:MM:SS[.ffffff]) or a Date")),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsTimelineEntry {
    seq: u64,
    time: String,
    kind: &'static str,
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
struct JsBacktrackOutcome {
    record: JsBacktrackRecord,
    entry: JsTimelineEntry,
    rolled_back_transaction: bool,
}

impl From<&BacktrackOutcome> for JsBacktrackOutcome {
    fn from(o: &BacktrackOutcome) -> Self {
        let (status, reason) = match &o.record.status {
            BacktrackStatus::Completed => ("completed", None),
            BacktrackStatus::Failed(why) => ("failed", Some(why.clone())),
        };
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsStatus {
    window_target_secs: u64,
    window_actual_secs: u64,
    earliest: String,
    history_bytes: u64,
    now: String,
}

#[derive(Serialize)]
struct JsRestorePoint {
    name: String,
    time: String,
}

/// A ReelDB database. For now in memory only (`ReelDB.openInMemory()`);
/// IndexedDB persistence and SQL execution join this class later.
#[wasm_bindgen(js_name = ReelDB)]
pub struct ReelDb {
    db: Database,
}

#[wasm_bindgen(js_class = ReelDB)]
impl ReelDb {
    /// Opens a new, empty database held in memory (nothing persists).
    #[wasm_bindgen(js_name = openInMemory)]
    pub fn open_in_memory(options: Option<OpenOptions>) -> Result<ReelDb, JsValue> {
        install_panic_hook();
        let mut opts = Options::default();
        if let Some(o) = options.filter(|o| !o.is_undefined() && !o.is_null()) {
            if !o.is_object() {
                return Err(js_error("BAD_OPTION", "options is an object such as { windowSecs: 3600 }"));
            }
            let w = js_sys::Reflect::get(&o, &"windowSecs".into())?;
            if !w.is_undefined() {
                opts.window_secs = match w.as_f64() {
                    Some(s) if s >= 0.0 && s.fract() == 0.0 && s <= 9_007_199_254_740_991.0 => s as u64,
                    _ => return Err(js_error("BAD_OPTION", "windowSecs is a whole number of seconds >= 0")),
                };
            }
        }
        Ok(ReelDb { db: Database::open(Box::new(MemBackend::new()), opts)? })
    }

    /// The engine's time (the set clock, else the system clock).
    pub fn now(&self) -> String {
        self.db.now().to_string()
    }

    /// Fixes the engine's clock at `time`, or returns it to the system clock
    /// when `time` is `null` or omitted (MySQL's `SET TIMESTAMP`).
    #[wasm_bindgen(js_name = setClock)]
    pub fn set_clock(&mut self, time: Option<TimeInput>) -> Result<(), JsValue> {
        let fixed = match time {
            Some(t) => Some(parse_time(&t)?),
            None => None,
        };
        self.db.set_clock(fixed);
        Ok(())
    }

    /// Every entry of the timeline, oldest first.
    #[wasm_bindgen(unchecked_return_type = "TimelineEntry[]")]
    pub fn timeline(&self) -> Result<JsValue, JsValue> {
        let entries: Vec<JsTimelineEntry> = self.db.timeline().iter().map(Into::into).collect();
        to_js(&entries)
    }

    /// Makes the state current at `target` (a time, or the name of a restore
    /// point) current again. With `clamp`, a time before the earliest
    /// restorable time backtracks to the earliest instead of failing.
    #[wasm_bindgen(unchecked_return_type = "BacktrackOutcome")]
    pub fn backtrack(&mut self, target: TimeInput, clamp: Option<bool>) -> Result<JsValue, JsValue> {
        let target = match target.as_string() {
            Some(text) => match Timestamp::parse(&text) {
                Some(t) => BacktrackTarget::Time(t),
                None => BacktrackTarget::RestorePoint(text),
            },
            None => BacktrackTarget::Time(parse_time(&target)?),
        };
        let outcome = self.db.backtrack(target, clamp.unwrap_or(false))?;
        to_js(&JsBacktrackOutcome::from(&outcome))
    }

    /// Window and history figures.
    #[wasm_bindgen(unchecked_return_type = "Status")]
    pub fn status(&self) -> Result<JsValue, JsValue> {
        let s = self.db.status();
        to_js(&JsStatus {
            window_target_secs: s.window_target_secs,
            window_actual_secs: s.window_actual_secs,
            earliest: s.earliest.to_string(),
            history_bytes: s.history_bytes,
            now: s.now.to_string(),
        })
    }

    /// Sets the backtrack window target in seconds.
    #[wasm_bindgen(js_name = setWindow)]
    pub fn set_window(&mut self, seconds: f64) -> Result<(), JsValue> {
        if !(seconds >= 0.0 && seconds.fract() == 0.0 && seconds <= 9_007_199_254_740_991.0) {
            return Err(js_error("BAD_TIME", "the window is a whole number of seconds >= 0"));
        }
        Ok(self.db.set_window(seconds as u64)?)
    }

    /// Binds `name` to the engine's current time.
    #[wasm_bindgen(js_name = createRestorePoint, unchecked_return_type = "RestorePoint")]
    pub fn create_restore_point(&mut self, name: &str) -> Result<JsValue, JsValue> {
        let rp = self.db.create_restore_point(name)?;
        to_js(&JsRestorePoint { name: rp.name, time: rp.time.to_string() })
    }

    /// Removes the restore point `name`.
    #[wasm_bindgen(js_name = dropRestorePoint)]
    pub fn drop_restore_point(&mut self, name: &str) -> Result<(), JsValue> {
        Ok(self.db.drop_restore_point(name)?)
    }

    /// Every restore point.
    #[wasm_bindgen(js_name = restorePoints, unchecked_return_type = "RestorePoint[]")]
    pub fn restore_points(&self) -> Result<JsValue, JsValue> {
        let points: Vec<JsRestorePoint> = self
            .db
            .restore_points()
            .iter()
            .map(|rp| JsRestorePoint { name: rp.name.clone(), time: rp.time.to_string() })
            .collect();
        to_js(&points)
    }

    /// Closes the database and frees its memory; the object is unusable after.
    pub fn close(self) {}
}
