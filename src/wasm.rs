//! The WebAssembly bindings: the JavaScript API of the `reeldb` npm package
//! built into `pkg/` by `scripts/build.sh`.
//!
//! Compiled only for `wasm32`. The module's start function installs a panic
//! hook, so a Rust panic reaches the browser console with its message and
//! location instead of a bare "unreachable executed". Engine errors become
//! JavaScript `Error`s with a stable `code` property (see [`error_code`]).
//!
//! Times cross the boundary as text in the engine's format,
//! `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC); inputs also accept ISO 8601 with
//! `Z` or an offset, a `Date` and epoch milliseconds (`time_input`).
//!
//! ```js
//! import init, { ReelDB } from "reeldb";
//! await init();
//! const db = await ReelDB.open("shop");          // IndexedDB; ReelDB.openInMemory() for none
//! await db.exec("CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(40))");
//! await db.query("INSERT INTO p VALUES (?, ?)", [1, "Laptop"]);  // resolves once durable
//! const t = db.now();
//! await db.exec("DELETE FROM p");
//! db.asOf(t).query("SELECT * FROM p");           // [{ id: 1, name: "Laptop" }]
//! db.diff("p", t, db.now());                     // [{ change: "removed", ... }]
//! await db.backtrack(t);                          // or { restorePoint: "name" }
//! const off = db.subscribe((e) => console.log(e.type)); // commit, backtrack, remote, rollback, closed
//! ```
//!
//! Submodules: `core` (the session, group commit into IndexedDB, the
//! cross-tab writer lock and change broadcast), `idb` (IndexedDB pages),
//! `sqltext` (parameters, values, `asOf` rewriting, the SQL dump),
//! `time_input` (times and backtrack targets from JavaScript values).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::db::{BacktrackOutcome, BacktrackStatus, EntryKind, Options, TimelineEntry};
use crate::error::Error;
use crate::sql::ast::StmtClass;
use crate::sql::{PreparedStatement, Session, SqlError, SqlResult, StatementResult};
use crate::time::Timestamp;

mod core;
mod idb;
mod pagefile;
mod registry;
mod sqltext;
mod time_input;

use self::core::Core;
use self::time_input::{backtrack_target, time_from_js};

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
/**
 * A time: text `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC) or ISO 8601 with `T` and
 * `Z` or an offset (`2020-12-24T14:55:00Z`, `2020-12-24T16:55:00+02:00`), a
 * `Date`, or epoch milliseconds. Anything else fails with code `BAD_TIME`.
 */
export type TimeInput = string | Date | number;

/**
 * A backtrack target: a time, `{ time }`, or `{ restorePoint }`. A string is
 * always a time; a restore point is only ever named with `{ restorePoint }`.
 */
export type BacktrackTargetInput = TimeInput | { time: TimeInput } | { restorePoint: string };

/** Options of `ReelDB.open` and `ReelDB.openInMemory`. */
export interface OpenOptions {
  /** Backtrack window target in seconds for a new database (default 86400; 0 keeps no history). */
  windowSecs?: number;
  /** IndexedDB transaction durability (default "strict": a write resolves once on disk). */
  durability?: "strict" | "relaxed";
  /** Coordinate writers across tabs with Web Locks and BroadcastChannel (default true). */
  multiTab?: boolean;
  /** Longest wait in ms for the write lock another tab holds, then LOCK_TIMEOUT (default 30000; 0: no limit). */
  lockTimeoutMs?: number;
  /** Read pages from IndexedDB on demand instead of all at open (default false): open and the first
   * queries take time in what they touch, not in the database's size. The synchronous calls that read
   * rows (`asOf` views, `diff`, `exportSql`, `exportImage`) fail with NOT_LOADED until `loadAll()`. */
  lazy?: boolean;
}

/**
 * Synchronous byte storage for `ReelDB.openPageFile` (the Node.js entry
 * implements it over `node:fs`). Offsets and sizes are in bytes; a method
 * reports failure by throwing.
 */
export interface PageFile {
  size(): number;
  read(offset: number, into: Uint8Array): void;
  write(offset: number, data: Uint8Array): void;
  sync(): void;
  close(): void;
}

/** Options of `exportSql`. */
export interface ExportOptions {
  /** Every row version, as MariaDB 10.11 system-versioned tables (default false: the current rows). */
  history?: boolean;
}

/** A SQL value as returned: numbers (BigInt beyond 2^53), text, null; DECIMAL as exact text; dates as text. */
export type SqlValue = number | bigint | string | null;

/** A SQL parameter of `query`. */
export type SqlParam = number | bigint | string | boolean | Date | null | undefined;

/** One statement's result (sql.js's shape plus the rows a write changed). */
export interface QueryResult {
  columns: string[];
  values: SqlValue[][];
  rowsAffected: number;
}

/** A row keyed by column name. */
export type Row = Record<string, SqlValue>;

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

/** The last backtrack: its target and when it ran. */
export interface LastBacktrack {
  id: number;
  target: string;
  at: string;
  status: "completed" | "failed";
  reason?: string;
}

/** Window and history figures. */
export interface Status {
  windowTargetSecs: number;
  windowActualSecs: number;
  earliest: string;
  historyBytes: number;
  now: string;
  lastBacktrack: LastBacktrack | null;
  inTransaction: boolean;
}

/** A named restore point. */
export interface RestorePoint {
  name: string;
  time: string;
}

/** Storage figures. */
export interface StorageInfo {
  /** "file": a page file (`ReelDB.open(path)` in Node.js, `openPageFile`). */
  backend: "memory" | "indexeddb" | "file";
  name?: string;
  durability?: "strict" | "relaxed";
  pages?: number;
  idbTransactions?: number;
  pagesWritten?: number;
  /** Pages read from IndexedDB: the load at open, reloads, and the pages
   * other tabs' commits changed. */
  pagesRead?: number;
  multiTab?: boolean;
  /** Opened with `lazy: true`. */
  lazy?: boolean;
  /** Every page is in memory (always, unless lazy). */
  fullyLoaded?: boolean;
}

/** A change event passed to `subscribe` listeners. */
export type ChangeEvent =
  | { type: "commit" | "backtrack"; source: "local"; entry: TimelineEntry }
  | { type: "remote"; entries: TimelineEntry[] }
  | { type: "rollback"; reason: string }
  | { type: "closed" };

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

    /// `ExportOptions` of the TypeScript declarations.
    #[wasm_bindgen(typescript_type = "ExportOptions")]
    pub type ExportOptions;

    /// `TimeInput` of the TypeScript declarations: text, a `Date` or epoch milliseconds.
    #[wasm_bindgen(typescript_type = "TimeInput")]
    pub type TimeInput;

    /// `BacktrackTargetInput` of the TypeScript declarations.
    #[wasm_bindgen(typescript_type = "BacktrackTargetInput")]
    pub type BacktrackTargetInput;
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
        Error::PagesMissing(_) => "PAGES_MISSING",
    }
}

/// A JavaScript `Error` named `ReelDBError` with `message` and `code`.
pub fn js_error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("ReelDBError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &"code".into(), &code.into());
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
struct JsRestorePoint {
    name: String,
    time: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsLastBacktrack {
    id: u64,
    target: String,
    /// When the backtrack ran (engine time).
    at: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsFullStatus {
    window_target_secs: u64,
    window_actual_secs: u64,
    earliest: String,
    history_bytes: u64,
    now: String,
    last_backtrack: Option<JsLastBacktrack>,
    in_transaction: bool,
}

/// A SQL error as a JavaScript `Error` whose `code` is the MySQL-style name
/// (`ER_DUP_ENTRY`, `ER_PARSE_ERROR`, ...).
pub fn sql_error(e: SqlError) -> JsValue {
    js_error(e.code.name(), &e.message)
}

fn whole_secs(v: &JsValue, what: &str) -> Result<Option<u64>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(s) if s >= 0.0 && s.fract() == 0.0 && s <= 9_007_199_254_740_991.0 => Ok(Some(s as u64)),
        _ => Err(js_error("BAD_OPTION", &format!("{what} is a whole number of seconds >= 0"))),
    }
}

/// Parsed `OpenOptions`.
struct Opened {
    options: Options,
    strict: bool,
    multi_tab: bool,
    lock_timeout_ms: u32,
    lazy: bool,
}

fn parse_options(options: Option<OpenOptions>) -> Result<Opened, JsValue> {
    let mut out =
        Opened { options: Options::default(), strict: true, multi_tab: true, lock_timeout_ms: 30_000, lazy: false };
    let Some(o) = options.map(JsValue::from).filter(|o| !o.is_undefined() && !o.is_null()) else {
        return Ok(out);
    };
    if !o.is_object() {
        return Err(js_error("BAD_OPTION", "options is an object such as { windowSecs: 3600 }"));
    }
    if let Some(w) = whole_secs(&Reflect::get(&o, &"windowSecs".into())?, "windowSecs")? {
        out.options.window_secs = w;
    }
    let d = Reflect::get(&o, &"durability".into())?;
    if !d.is_undefined() {
        out.strict = match d.as_string().as_deref() {
            Some("strict") => true,
            Some("relaxed") => false,
            _ => return Err(js_error("BAD_OPTION", "durability is \"strict\" or \"relaxed\"")),
        };
    }
    let l = Reflect::get(&o, &"lockTimeoutMs".into())?;
    if !l.is_undefined() {
        out.lock_timeout_ms = match l.as_f64() {
            Some(ms) if (0.0..=4_294_967_295.0).contains(&ms) && ms.fract() == 0.0 => ms as u32,
            _ => return Err(js_error("BAD_OPTION", "lockTimeoutMs is a whole number of milliseconds >= 0")),
        };
    }
    let m = Reflect::get(&o, &"multiTab".into())?;
    if !m.is_undefined() {
        out.multi_tab = m.as_bool().ok_or_else(|| js_error("BAD_OPTION", "multiTab is a boolean"))?;
    }
    let l = Reflect::get(&o, &"lazy".into())?;
    if !l.is_undefined() {
        out.lazy = l.as_bool().ok_or_else(|| js_error("BAD_OPTION", "lazy is a boolean"))?;
    }
    Ok(out)
}

fn params_of(params: Option<Vec<JsValue>>) -> Vec<JsValue> {
    params.unwrap_or_default()
}

/// A ReelDB database: in IndexedDB (`ReelDB.open(name)`) or in memory
/// (`ReelDB.openInMemory()`). Every method that may write returns a Promise
/// that resolves once the change is durable.
#[wasm_bindgen(js_name = ReelDB)]
pub struct ReelDb {
    core: Rc<Core>,
}

impl ReelDb {
    /// `ReelDB.open` for Rust callers (the wasm-bindgen tests).
    pub async fn open_named(name: &str, options: Option<OpenOptions>) -> Result<ReelDb, JsValue> {
        install_panic_hook();
        if name.is_empty() {
            return Err(js_error("BAD_OPTION", "a database name is a non-empty string"));
        }
        let o = parse_options(options)?;
        let core = Core::open(name, o.options, o.strict, o.multi_tab, o.lock_timeout_ms, o.lazy).await?;
        Ok(ReelDb { core })
    }

    /// Runs `f` on the session after [`Core::ready`], then waits until what
    /// it wrote is durable and fires the change events.
    fn write_op<T: 'static>(
        &self,
        preempt: bool,
        f: impl FnMut(&mut Session) -> Result<T, JsValue> + 'static,
        out: impl FnOnce(T) -> Result<JsValue, JsValue> + 'static,
    ) -> Promise {
        let core = self.core.clone();
        future_to_promise(async move {
            let _op = core.begin_op();
            out(run_write(&core, preempt, false, f).await?)
        })
    }
}

/// Runs SQL that may only read: `read` runs it if it only reads
/// (returning `None` otherwise, having run nothing), without the writer
/// lock in a tab that does not hold it ([`Core::ready_to_read`]);
/// anything else runs as `write` through [`run_write`] (`whole` as there).
/// On a lazy image each runs again after the pages it missed are fetched.
fn sql_op<T: 'static>(
    core: Rc<Core>,
    whole: bool,
    read: impl FnMut(&mut Session) -> SqlResult<Option<T>> + 'static,
    write: impl FnMut(&mut Session) -> Result<T, JsValue> + 'static,
    out: impl FnOnce(T) -> Result<JsValue, JsValue> + 'static,
) -> Promise {
    future_to_promise(async move {
        let _op = core.begin_op();
        if core.ready_to_read().await? {
            if let Some(result) = core.lazily(read).await?.map_err(sql_error)? {
                return out(result);
            }
        }
        out(run_write(&core, false, whole, write).await?)
    })
}

/// Runs `f` on the session after [`Core::ready`], then waits until what it
/// wrote is durable and fires the change events. On a lazy image `f` is run
/// again after the pages it missed are fetched; `whole` (several commits
/// that could not be run again) loads every page first instead.
async fn run_write<T>(
    core: &Rc<Core>,
    preempt: bool,
    whole: bool,
    f: impl FnMut(&mut Session) -> Result<T, JsValue>,
) -> Result<T, JsValue> {
    core.ready(preempt).await?;
    if whole {
        core.load_all().await?;
    }
    let before = core.last_seq();
    let result = core.lazily(f).await?;
    if let Some(durable) = core.after_write() {
        JsFuture::from(durable).await?;
    }
    if let Err(e) = core.collect_if_due().await {
        web_sys::console::error_2(&"ReelDB: garbage collection after loading every page failed".into(), &e);
    }
    core.emit_local(before);
    result
}

#[wasm_bindgen(js_class = ReelDB)]
impl ReelDb {
    /// Opens (creating when missing) the database `name`, stored in
    /// IndexedDB.
    #[wasm_bindgen(unchecked_return_type = "Promise<ReelDB>")]
    pub fn open(name: String, options: Option<OpenOptions>) -> Promise {
        install_panic_hook();
        future_to_promise(async move { Ok(ReelDb::open_named(&name, options).await?.into()) })
    }

    /// Opens a new, empty database held in memory (nothing persists).
    #[wasm_bindgen(js_name = openInMemory)]
    pub fn open_in_memory(options: Option<OpenOptions>) -> Result<ReelDb, JsValue> {
        install_panic_hook();
        let o = parse_options(options)?;
        Ok(ReelDb { core: Core::in_memory(o.options)? })
    }

    /// Opens (creating when empty) a database on `file`, synchronous page
    /// storage that JavaScript provides; every commit is durable (`sync`)
    /// before its Promise resolves. The package's Node.js entry opens files
    /// through it (`ReelDB.open(path)` in Node).
    #[wasm_bindgen(js_name = openPageFile)]
    pub fn open_page_file(file: pagefile::PageFile, options: Option<OpenOptions>) -> Result<ReelDb, JsValue> {
        install_panic_hook();
        let o = parse_options(options)?;
        let backend = pagefile::JsFileBackend::new(file)?;
        Ok(ReelDb { core: Core::on_backend(Box::new(backend), "file", o.options)? })
    }

    /// Opens a copy of the database `image` holds (the bytes of
    /// `exportImage()` or of a database file) in memory, timeline included.
    #[wasm_bindgen(js_name = openImage)]
    pub fn open_image(image: &[u8], options: Option<OpenOptions>) -> Result<ReelDb, JsValue> {
        install_panic_hook();
        let o = parse_options(options)?;
        let backend = pagefile::image_backend(image)?;
        Ok(ReelDb { core: Core::on_backend(Box::new(backend), "memory", o.options)? })
    }

    /// Deletes the stored database `name`; connections still open on it (in
    /// any tab) are closed and fire a `closed` event. (A static `delete`
    /// would clash with the instance method `delete()` in wasm-bindgen's
    /// export names.)
    #[wasm_bindgen(js_name = deleteDatabase, unchecked_return_type = "Promise<void>")]
    pub fn delete_named(name: String) -> Promise {
        future_to_promise(async move {
            registry::forget(&name).await;
            idb::delete(&name).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Runs a script of `;`-separated statements; resolves with every
    /// statement's result (`{columns, values, rowsAffected}`) once its
    /// commits are durable. Stops at the first error (earlier statements
    /// keep their effect).
    #[wasm_bindgen(unchecked_return_type = "Promise<QueryResult[]>")]
    pub fn exec(&self, sql: String) -> Promise {
        let text = sql.clone();
        // Statements before the one that stopped at a missing page would
        // run twice: a script of several loads every page first.
        let whole = crate::sql::history_import::is_history_dump(&sql)
            || crate::sql::front::split(&sql).is_ok_and(|p| p.len() > 1);
        sql_op(
            self.core.clone(),
            whole,
            move |s| s.execute_if_read_only(&text),
            move |s| s.execute(&sql).map_err(sql_error),
            |results: Vec<StatementResult>| {
                Ok(results.iter().map(sqltext::result_to_js).collect::<js_sys::Array>().into())
            },
        )
    }

    /// Runs one statement with `?` parameters (numbers, strings, booleans,
    /// bigint, Date, null); resolves with its rows as objects keyed by
    /// column name (`[]` for a write). The statement is prepared once and
    /// kept among the recently used ones, so running the same text again
    /// skips parsing.
    #[wasm_bindgen(unchecked_return_type = "Promise<Row[]>")]
    pub fn query(&self, sql: String, params: Option<Vec<JsValue>>) -> Promise {
        let prepared = self.core.with_session(|s| s.prepare_cached(&sql)).and_then(|p| p.map_err(sql_error));
        match prepared {
            Ok(p) => run_prepared(self.core.clone(), p, params, |r| Ok(sqltext::rows_to_objects(Some(&r)))),
            Err(e) => Promise::reject(&e),
        }
    }

    /// Prepares one statement with `?` placeholders: parsed once, then run
    /// many times with different parameters (`run`, `get`, `all`,
    /// `iterate`). Call `finalize()` when done with it.
    pub fn prepare(&self, sql: &str) -> Result<Statement, JsValue> {
        let p = self.core.with_session(|_| Session::prepare(sql))?.map_err(sql_error)?;
        Ok(Statement { core: self.core.clone(), prepared: RefCell::new(Some(p)) })
    }

    /// The engine's time (the set clock, else the system clock).
    pub fn now(&self) -> Result<String, JsValue> {
        self.core.with_session(|s| s.database().now().to_string())
    }

    /// Fixes the engine's clock at `time`, or returns it to the system clock
    /// when `time` is `null` or omitted (MySQL's `SET TIMESTAMP`).
    #[wasm_bindgen(js_name = setClock)]
    pub fn set_clock(&self, time: Option<TimeInput>) -> Result<(), JsValue> {
        let fixed = match time.map(JsValue::from).filter(|t| !t.is_null() && !t.is_undefined()) {
            Some(t) => Some(time_from_js(&t)?),
            None => None,
        };
        self.core.with_session(|s| s.database_mut().set_clock(fixed))
    }

    /// Every entry of the timeline, oldest first.
    #[wasm_bindgen(unchecked_return_type = "TimelineEntry[]")]
    pub fn timeline(&self) -> Result<JsValue, JsValue> {
        let entries: Vec<JsTimelineEntry> =
            self.core.with_session(|s| s.database().timeline().iter().map(Into::into).collect())?;
        to_js(&entries)
    }

    /// Makes the state current at `target` current again: a time (text,
    /// `Date` or epoch milliseconds; a string is always a time), `{ time }`,
    /// or `{ restorePoint }`. With `clamp`, a time before the earliest
    /// restorable time backtracks to the earliest. An open transaction (in
    /// any tab) is rolled back.
    #[wasm_bindgen(unchecked_return_type = "Promise<BacktrackOutcome>")]
    pub fn backtrack(&self, target: BacktrackTargetInput, clamp: Option<bool>) -> Promise {
        let target = backtrack_target(&target);
        self.write_op(
            true,
            move |s| Ok(s.backtrack(target.clone()?, clamp.unwrap_or(false))?),
            |o: BacktrackOutcome| to_js(&JsBacktrackOutcome::from(&o)),
        )
    }

    /// A read-only view of the database as it was at `time`.
    #[wasm_bindgen(js_name = asOf)]
    pub fn as_of(&self, time: TimeInput) -> Result<ReelDbView, JsValue> {
        let at = time_from_js(&time)?;
        self.core.with_session(|s| s.database().as_of(at).map(|_| ()))??;
        Ok(ReelDbView { core: self.core.clone(), at })
    }

    /// The rows of `table` that differ between `from` and `to`: objects with
    /// `change` ("added" | "removed" | "changed"), the columns at `to`, and
    /// the columns at `from` prefixed `old_`.
    #[wasm_bindgen(unchecked_return_type = "Row[]")]
    pub fn diff(&self, table: &str, from: TimeInput, to: TimeInput) -> Result<JsValue, JsValue> {
        let (from, to) = (time_from_js(&from)?, time_from_js(&to)?);
        let r = self.core.loaded_only(|s| s.diff(table, from, to).map_err(sql_error))?;
        Ok(sqltext::rows_to_objects(Some(&r)))
    }

    /// Window and history figures, and the last backtrack.
    #[wasm_bindgen(unchecked_return_type = "Status")]
    pub fn status(&self) -> Result<JsValue, JsValue> {
        let st = self.core.with_session(|s| {
            let db = s.database();
            let st = db.status();
            JsFullStatus {
                window_target_secs: st.window_target_secs,
                window_actual_secs: st.window_actual_secs,
                earliest: st.earliest.to_string(),
                history_bytes: st.history_bytes,
                now: st.now.to_string(),
                last_backtrack: db.backtracks().last().map(|b| {
                    let (status, reason) = match &b.status {
                        BacktrackStatus::Completed => ("completed", None),
                        BacktrackStatus::Failed(why) => ("failed", Some(why.clone())),
                    };
                    JsLastBacktrack { id: b.id, target: b.target.to_string(), at: b.from.to_string(), status, reason }
                }),
                in_transaction: s.in_transaction(),
            }
        })?;
        to_js(&st)
    }

    /// Sets the backtrack window target in seconds.
    #[wasm_bindgen(js_name = setWindow, unchecked_return_type = "Promise<void>")]
    pub fn set_window(&self, seconds: f64) -> Promise {
        let secs = whole_secs(&JsValue::from_f64(seconds), "the window")
            .map_err(|_| js_error("BAD_TIME", "the window is a whole number of seconds >= 0"));
        self.write_op(
            false,
            move |s| Ok(s.database_mut().set_window(secs.clone()?.unwrap_or(0))?),
            |_| Ok(JsValue::UNDEFINED),
        )
    }

    /// Binds `name` to the engine's current time.
    #[wasm_bindgen(js_name = createRestorePoint, unchecked_return_type = "Promise<RestorePoint>")]
    pub fn create_restore_point(&self, name: String) -> Promise {
        self.write_op(
            false,
            move |s| Ok(s.create_restore_point(&name)?),
            |rp| to_js(&JsRestorePoint { name: rp.name, time: rp.time.to_string() }),
        )
    }

    /// Removes the restore point `name`.
    #[wasm_bindgen(js_name = dropRestorePoint, unchecked_return_type = "Promise<void>")]
    pub fn drop_restore_point(&self, name: String) -> Promise {
        self.write_op(false, move |s| Ok(s.drop_restore_point(&name)?), |_| Ok(JsValue::UNDEFINED))
    }

    /// Every restore point.
    #[wasm_bindgen(js_name = restorePoints, unchecked_return_type = "RestorePoint[]")]
    pub fn restore_points(&self) -> Result<JsValue, JsValue> {
        let points: Vec<JsRestorePoint> = self.core.with_session(|s| {
            s.database()
                .restore_points()
                .iter()
                .map(|rp| JsRestorePoint { name: rp.name.clone(), time: rp.time.to_string() })
                .collect()
        })?;
        to_js(&points)
    }

    /// Calls `listener` with each change event: `commit` and `backtrack`
    /// (this object's writes, once durable), `remote` (another tab's writes,
    /// after reloading them), `rollback` (an open transaction was rolled
    /// back by another tab), `closed`. Returns the function that
    /// unsubscribes.
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn subscribe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: ChangeEvent) => void")] listener: Function,
    ) -> JsValue {
        let id = self.core.subscribe(listener);
        let core = Rc::downgrade(&self.core);
        Closure::once_into_js(move || {
            if let Some(core) = core.upgrade() {
                core.unsubscribe(id);
            }
        })
    }

    /// A MySQL-compatible dump of the current state (`CREATE DATABASE`,
    /// `CREATE TABLE`, `INSERT`, `CREATE VIEW`); with `{ history: true }`,
    /// every row version as MariaDB 10.11 system-versioned tables.
    #[wasm_bindgen(js_name = exportSql)]
    pub fn export_sql(&self, options: Option<ExportOptions>) -> Result<String, JsValue> {
        let history = match options.map(JsValue::from).filter(|o| !o.is_undefined() && !o.is_null()) {
            None => false,
            Some(o) => {
                let h = Reflect::get(&o, &"history".into())?;
                if h.is_undefined() {
                    false
                } else {
                    h.as_bool().ok_or_else(|| js_error("BAD_OPTION", "history is a boolean"))?
                }
            }
        };
        self.core.loaded_only(|s| if history { s.dump_history() } else { s.dump() }.map_err(sql_error))
    }

    /// The database with its whole timeline as bytes (the native file
    /// format), as of the last commit: `ReelDB.openImage(bytes)`, the
    /// shell and the playground's Open file open it.
    #[wasm_bindgen(js_name = exportImage)]
    pub fn export_image(&self) -> Result<Vec<u8>, JsValue> {
        self.core.loaded_only(|s| Ok(s.database().image()?))
    }

    /// Runs a dump such as `exportSql()` produces (any script of
    /// statements) as one transaction: one timeline entry, all or nothing
    /// (scripts with their own BEGIN/COMMIT, BACKTRACK or restore points run
    /// statement by statement).
    #[wasm_bindgen(js_name = importSql, unchecked_return_type = "Promise<void>")]
    pub fn import_sql(&self, sql: String) -> Promise {
        // Not always all or nothing (a history import commits many times):
        // every page is loaded first.
        let core = self.core.clone();
        future_to_promise(async move {
            let _op = core.begin_op();
            run_write(&core, false, true, move |s| s.execute_atomically(&sql).map_err(sql_error)).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Loads every page of a database opened with `lazy: true` (nothing to
    /// do otherwise); the synchronous calls that read rows work after.
    #[wasm_bindgen(js_name = loadAll, unchecked_return_type = "Promise<void>")]
    pub fn load_all(&self) -> Promise {
        let core = self.core.clone();
        future_to_promise(async move {
            let _op = core.begin_op();
            core.ready_to_read().await?;
            core.load_all().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Whether an explicit transaction (BEGIN) is open.
    #[wasm_bindgen(getter, js_name = inTransaction)]
    pub fn in_transaction(&self) -> bool {
        self.core.with_session(|s| s.in_transaction()).unwrap_or(false)
    }

    /// Storage figures: backend, pages, IndexedDB transactions so far.
    #[wasm_bindgen(js_name = storageInfo, unchecked_return_type = "StorageInfo")]
    pub fn storage_info(&self) -> JsValue {
        self.core.storage_info()
    }

    /// Resolves once every write issued so far is durable.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn flushed(&self) -> Promise {
        let core = self.core.clone();
        future_to_promise(async move {
            if let Some(b) = core.durable_barrier() {
                JsFuture::from(b).await?;
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Test hook: the next IndexedDB write transaction is aborted and
    /// reported as a DOMException named `name` (e.g. "AbortError",
    /// "QuotaExceededError").
    #[wasm_bindgen(js_name = _failNextFlush)]
    pub fn fail_next_flush(&self, name: String) -> Result<(), JsValue> {
        match &self.core.persist {
            Some(p) => {
                *p.fail_next.borrow_mut() = Some(name);
                Ok(())
            }
            None => Err(js_error("NOT_SUPPORTED", "an in-memory database does not flush")),
        }
    }

    /// Waits for pending writes, then closes; the object is unusable after.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self) -> Promise {
        let core = self.core.clone();
        future_to_promise(async move {
            core.close().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Closes and deletes this database's storage.
    #[wasm_bindgen(js_name = delete, unchecked_return_type = "Promise<void>")]
    pub fn delete(&self) -> Promise {
        let core = self.core.clone();
        future_to_promise(async move {
            let _ = core.close().await;
            if let Some(p) = &core.persist {
                registry::forget(&p.name).await;
                idb::delete(&p.name).await?;
            }
            Ok(JsValue::UNDEFINED)
        })
    }
}

/// Runs a prepared statement with JavaScript parameters as
/// [`ReelDb::query`] runs SQL: a read without the writer lock, anything else
/// on the write path; `out` makes the result.
fn run_prepared(
    core: Rc<Core>,
    p: PreparedStatement,
    params: Option<Vec<JsValue>>,
    out: impl FnOnce(StatementResult) -> Result<JsValue, JsValue> + 'static,
) -> Promise {
    let values = match sqltext::js_values(&params_of(params), p.param_count()) {
        Ok(v) => Rc::new(v),
        Err(e) => return Promise::reject(&e),
    };
    let (pr, vr) = (p.clone(), values.clone());
    sql_op(
        core,
        false,
        move |s| if pr.class() == StmtClass::Read { pr.execute(s, &vr).map(Some) } else { Ok(None) },
        move |s| p.execute(s, &values).map_err(sql_error),
        out,
    )
}

/// A prepared statement (`db.prepare(sql)`).
#[wasm_bindgen]
pub struct Statement {
    core: Rc<Core>,
    prepared: RefCell<Option<PreparedStatement>>,
}

impl Statement {
    /// The statement, unless finalized.
    fn prepared(&self) -> Result<PreparedStatement, JsValue> {
        self.prepared.borrow().clone().ok_or_else(|| js_error("STATEMENT_FINALIZED", "the statement was finalized"))
    }

    fn run_with(
        &self,
        params: Option<Vec<JsValue>>,
        out: impl FnOnce(StatementResult) -> Result<JsValue, JsValue> + 'static,
    ) -> Promise {
        match self.prepared() {
            Ok(p) => run_prepared(self.core.clone(), p, params, out),
            Err(e) => Promise::reject(&e),
        }
    }
}

#[wasm_bindgen]
impl Statement {
    /// Runs the statement; resolves with its result (`{columns, values,
    /// rowsAffected}`) once a write is durable.
    #[wasm_bindgen(unchecked_return_type = "Promise<QueryResult>")]
    pub fn run(&self, #[wasm_bindgen(unchecked_param_type = "SqlParam[]")] params: Option<Vec<JsValue>>) -> Promise {
        self.run_with(params, |r| Ok(sqltext::result_to_js(&r)))
    }

    /// Runs the statement; resolves with its first row as an object, or
    /// `undefined` when it returns none.
    #[wasm_bindgen(unchecked_return_type = "Promise<Row | undefined>")]
    pub fn get(&self, #[wasm_bindgen(unchecked_param_type = "SqlParam[]")] params: Option<Vec<JsValue>>) -> Promise {
        self.run_with(params, |r| Ok(js_sys::Array::from(&sqltext::rows_to_objects(Some(&r))).get(0)))
    }

    /// Runs the statement; resolves with its rows as objects.
    #[wasm_bindgen(unchecked_return_type = "Promise<Row[]>")]
    pub fn all(&self, #[wasm_bindgen(unchecked_param_type = "SqlParam[]")] params: Option<Vec<JsValue>>) -> Promise {
        self.run_with(params, |r| Ok(sqltext::rows_to_objects(Some(&r))))
    }

    /// Runs the statement; resolves with an iterator over its rows as
    /// objects.
    #[wasm_bindgen(unchecked_return_type = "Promise<IterableIterator<Row>>")]
    pub fn iterate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SqlParam[]")] params: Option<Vec<JsValue>>,
    ) -> Promise {
        self.run_with(params, |r| Ok(js_sys::Array::from(&sqltext::rows_to_objects(Some(&r))).values().into()))
    }

    /// The names of the columns the statement returns in the current schema
    /// (`[]` for a statement that returns no rows).
    pub fn columns(&self) -> Result<Vec<String>, JsValue> {
        let p = self.prepared()?;
        self.core.loaded_only(|s| p.columns(s).map_err(sql_error))
    }

    /// How many `?` parameters the statement takes.
    #[wasm_bindgen(getter, js_name = paramCount)]
    pub fn param_count(&self) -> Result<usize, JsValue> {
        Ok(self.prepared()?.param_count())
    }

    /// Frees the statement; using it afterwards fails with
    /// `STATEMENT_FINALIZED`. Finalizing twice is harmless.
    pub fn finalize(&self) {
        self.prepared.borrow_mut().take();
    }
}

/// A read-only view of a database as it was at one time (`db.asOf(t)`).
#[wasm_bindgen(js_name = ReelDBView)]
pub struct ReelDbView {
    core: Rc<Core>,
    at: Timestamp,
}

#[wasm_bindgen(js_class = ReelDBView)]
impl ReelDbView {
    /// The view's time.
    #[wasm_bindgen(getter)]
    pub fn time(&self) -> String {
        self.at.to_string()
    }

    /// Runs a query (SELECT) with `?` parameters as of the view's time;
    /// returns row objects.
    #[wasm_bindgen(unchecked_return_type = "Row[]")]
    pub fn query(&self, sql: &str, params: Option<Vec<JsValue>>) -> Result<JsValue, JsValue> {
        let sql = sqltext::bind_js_params(sql, &params_of(params))?;
        let r = self.core.loaded_only(|s| s.execute_as_of(&sql, self.at).map_err(sqltext::as_of_error))?;
        Ok(sqltext::rows_to_objects(Some(&r)))
    }

    /// Runs `;`-separated queries as of the view's time; returns every
    /// result (`{columns, values, rowsAffected}`).
    #[wasm_bindgen(unchecked_return_type = "QueryResult[]")]
    pub fn exec(&self, sql: &str) -> Result<JsValue, JsValue> {
        let pieces = crate::sql::front::split(sql).map_err(sql_error)?;
        let out = js_sys::Array::new();
        for piece in pieces {
            let r = self.core.loaded_only(|s| s.execute_as_of(&piece, self.at).map_err(sqltext::as_of_error))?;
            out.push(&sqltext::result_to_js(&r));
        }
        Ok(out.into())
    }
}
