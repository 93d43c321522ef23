//! The paths an operation takes through [`Core`]: a read without the writer
//! lock, a write that resolves once durable, and a prepared statement with
//! JavaScript parameters, which takes one or the other.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::core::Core;
use super::{sql_error, sqltext};
use crate::sql::ast::StmtClass;
use crate::sql::{PreparedStatement, Session, SqlResult, StatementResult, Value};

pub(super) fn params_of(params: Option<Vec<JsValue>>) -> Vec<JsValue> {
    params.unwrap_or_default()
}

/// Runs SQL that may only read: `read` runs it if it only reads
/// (returning `None` otherwise, having run nothing), without the writer
/// lock in a tab that does not hold it ([`Core::ready_to_read`]);
/// anything else runs as `write` through [`run_write`] (`whole` as there).
/// On a lazy image each runs again after the pages it missed are fetched.
pub(super) fn sql_op<T: 'static>(
    core: Rc<Core>,
    whole: bool,
    mut read: impl FnMut(&mut Session) -> SqlResult<Option<T>> + 'static,
    write: impl FnMut(&mut Session) -> Result<T, JsValue> + 'static,
    out: impl FnOnce(T) -> Result<JsValue, JsValue> + 'static,
) -> Promise {
    // A read of an in-memory database with no operation queued before it
    // has nothing to wait for: it runs now, and the Promise is settled
    // (what it gives is what the queued path below would give). A
    // statement it found not to be a read goes to `write` directly: being
    // a read is a matter of the text alone.
    let read_tried = core.idle_in_memory();
    if read_tried {
        match core.with_session(&mut read) {
            Ok(Ok(Some(result))) => return settled(out(result)),
            Ok(Err(e)) => return Promise::reject(&sql_error(e)),
            Err(e) => return Promise::reject(&e),
            Ok(Ok(None)) => {}
        }
    }
    let op = core.begin_op();
    future_to_promise(async move {
        let _op = op;
        if !read_tried && core.ready_to_read().await? {
            if let Some(result) = core.lazily(read).await?.map_err(sql_error)? {
                return out(result);
            }
        }
        out(run_write(&core, false, whole, write).await?)
    })
}

/// A Promise settled with `r`.
fn settled(r: Result<JsValue, JsValue>) -> Promise {
    match r {
        Ok(v) => Promise::resolve(&v),
        Err(e) => Promise::reject(&e),
    }
}

/// Runs `f` on the session after [`Core::ready`], then waits until what it
/// wrote is durable and fires the change events. On a lazy image `f` is run
/// again after the pages it missed are fetched; `whole` (several commits
/// that could not be run again) loads every page first instead.
pub(super) async fn run_write<T>(
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
    // Only after a commit: a read on the write path (the tab holds the
    // writer lock) adds no garbage, and a collection due since open waits
    // for the next write rather than making a first query load every page.
    if core.last_seq() != before {
        if let Err(e) = core.collect_if_due().await {
            web_sys::console::error_2(&"ReelDB: garbage collection after loading every page failed".into(), &e);
        }
    }
    core.emit_local(before);
    result
}

/// Runs a prepared statement with JavaScript parameters as
/// [`ReelDb::query`](super::ReelDb::query) runs SQL: a read without the
/// writer lock, anything else on the write path; `out` makes the result.
pub(super) fn run_prepared(
    core: Rc<Core>,
    p: PreparedStatement,
    params: Option<Vec<JsValue>>,
    out: impl FnOnce(StatementResult) -> Result<JsValue, JsValue> + 'static,
) -> Promise {
    match sqltext::js_values(&params_of(params), p.param_count()) {
        Ok(values) => run_statement(core, p, values, None, out),
        Err(e) => Promise::reject(&e),
    }
}

/// Runs a prepared statement with `values` (as many as it has
/// placeholders). `written`: the text as written of a statement of lifted
/// literals ([`Session::prepare_lifted`]), which stands for it in the
/// commit summary.
pub(super) fn run_statement(
    core: Rc<Core>,
    p: PreparedStatement,
    values: Vec<Value>,
    written: Option<String>,
    out: impl FnOnce(StatementResult) -> Result<JsValue, JsValue> + 'static,
) -> Promise {
    let class = p.class();
    let run = Rc::new(move |s: &mut Session| match &written {
        Some(sql) => p.execute_lifted(s, values.clone(), sql),
        None => p.execute(s, &values),
    });
    let read = run.clone();
    sql_op(
        core,
        false,
        move |s| if class == StmtClass::Read { read(s).map(Some) } else { Ok(None) },
        move |s| run(s).map_err(sql_error),
        out,
    )
}
