//! The `ReelDBView` class (`db.asOf(t)`).

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::core::Core;
use super::ops::params_of;
use super::{sql_error, sqltext};
use crate::time::Timestamp;

/// A read-only view of a database as it was at one time (`db.asOf(t)`).
#[wasm_bindgen(js_name = ReelDBView)]
pub struct ReelDbView {
    pub(super) core: Rc<Core>,
    pub(super) at: Timestamp,
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
