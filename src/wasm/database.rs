//! The `ReelDB` class.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::core::Core;
use super::dto::{to_js, JsBacktrackOutcome, JsFullStatus, JsRestorePoint, JsTimelineEntry};
use super::ops::{run_prepared, run_statement, run_write, sql_op};
use super::options::{parse_options, whole_secs};
use super::time_input::{backtrack_target, time_from_js};
use super::{
    idb, install_panic_hook, js_error, pagefile, registry, sql_error, sqltext, BacktrackTargetInput, ExportOptions,
    OpenOptions, ReelDbView, Statement, TimeInput,
};
use crate::db::BacktrackOutcome;
use crate::sql::{Session, StatementResult};

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
        let op = core.begin_op();
        future_to_promise(async move {
            let _op = op;
            out(run_write(&core, preempt, false, f).await?)
        })
    }
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
    /// skips parsing; without parameters, the literals of its `WHERE` (or
    /// an `INSERT`'s `VALUES`) are lifted out as parameters first, so texts
    /// that differ only in them skip parsing too.
    #[wasm_bindgen(unchecked_return_type = "Promise<Row[]>")]
    pub fn query(&self, sql: String, params: Option<Vec<JsValue>>) -> Promise {
        let out = |r: StatementResult| Ok(sqltext::rows_to_objects(Some(&r)));
        if params.as_ref().is_none_or(Vec::is_empty) {
            // without parameters, a text that differs from a recent one only
            // in the literals of its WHERE or VALUES is not parsed again
            match self.core.with_session(|s| s.prepare_lifted(&sql)) {
                Ok(Some((p, values))) => return run_statement(self.core.clone(), p, values, Some(sql), out),
                Ok(None) => {}
                Err(e) => return Promise::reject(&e),
            }
        }
        let prepared = self.core.with_session(|s| s.prepare_cached(&sql)).and_then(|p| p.map_err(sql_error));
        match prepared {
            Ok(p) => run_prepared(self.core.clone(), p, params, out),
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

    /// Every entry of the timeline, oldest first. On a lazily opened
    /// database it needs the timeline's pages (the background reading
    /// reads them first): `NOT_LOADED` until they are in memory.
    #[wasm_bindgen(unchecked_return_type = "TimelineEntry[]")]
    pub fn timeline(&self) -> Result<JsValue, JsValue> {
        let entries: Vec<JsTimelineEntry> =
            self.core.loaded_only(|s| Ok(s.database().timeline()?.iter().map(Into::into).collect()))?;
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
                last_backtrack: db.backtracks().last().map(Into::into),
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
        self.write_op(false, move |s| Ok(s.create_restore_point(&name)?), |rp| to_js(&JsRestorePoint::from(&rp)))
    }

    /// Removes the restore point `name`.
    #[wasm_bindgen(js_name = dropRestorePoint, unchecked_return_type = "Promise<void>")]
    pub fn drop_restore_point(&self, name: String) -> Promise {
        self.write_op(false, move |s| Ok(s.drop_restore_point(&name)?), |_| Ok(JsValue::UNDEFINED))
    }

    /// Every restore point.
    #[wasm_bindgen(js_name = restorePoints, unchecked_return_type = "RestorePoint[]")]
    pub fn restore_points(&self) -> Result<JsValue, JsValue> {
        let points: Vec<JsRestorePoint> =
            self.core.with_session(|s| s.database().restore_points().iter().map(Into::into).collect())?;
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
        let op = core.begin_op();
        future_to_promise(async move {
            let _op = op;
            run_write(&core, false, true, move |s| s.execute_atomically(&sql).map_err(sql_error)).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Loads every page of a database opened with `lazy: true` (nothing to
    /// do otherwise); the synchronous calls that read rows work after.
    #[wasm_bindgen(js_name = loadAll, unchecked_return_type = "Promise<void>")]
    pub fn load_all(&self) -> Promise {
        let core = self.core.clone();
        let op = core.begin_op();
        future_to_promise(async move {
            let _op = op;
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
        let op = core.begin_op();
        future_to_promise(async move {
            let _op = op;
            core.close().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Closes and deletes this database's storage.
    #[wasm_bindgen(js_name = delete, unchecked_return_type = "Promise<void>")]
    pub fn delete(&self) -> Promise {
        let core = self.core.clone();
        let op = core.begin_op();
        future_to_promise(async move {
            let _op = op;
            let _ = core.close().await;
            if let Some(p) = &core.persist {
                registry::forget(&p.name).await;
                idb::delete(&p.name).await?;
            }
            Ok(JsValue::UNDEFINED)
        })
    }
}
