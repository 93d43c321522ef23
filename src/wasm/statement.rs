//! The `Statement` class (`db.prepare(sql)`).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::core::Core;
use super::ops::run_prepared;
use super::{js_error, sql_error, sqltext};
use crate::sql::{PreparedStatement, StatementResult};

/// A prepared statement (`db.prepare(sql)`).
#[wasm_bindgen]
pub struct Statement {
    pub(super) core: Rc<Core>,
    pub(super) prepared: RefCell<Option<PreparedStatement>>,
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
