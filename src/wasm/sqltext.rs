//! JavaScript conversions of the SQL layer's inputs and outputs: parameters
//! from JavaScript values, results and values to JavaScript. The SQL work
//! itself (binding, `asOf`, the dump) lives in `crate::sql`.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::js_error;
use crate::sql::{bind_params, AsOfError, Param, StatementResult, Value};
use crate::time::Timestamp;

/// One JavaScript parameter as a [`Param`].
fn param(v: &JsValue, i: usize) -> Result<Param, JsValue> {
    if v.is_null() || v.is_undefined() {
        return Ok(Param::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Param::Bool(b));
    }
    if let Some(n) = v.as_f64() {
        return Ok(Param::Number(n));
    }
    if v.is_bigint() {
        let s: String = js_sys::BigInt::unchecked_from_js_ref(v)
            .to_string(10)
            .map_err(|_| js_error("BAD_PARAM", "bad BigInt"))?
            .into();
        return s
            .parse()
            .map(Param::Int)
            .map_err(|_| js_error("BAD_PARAM", &format!("parameter {} is {s}, which SQL cannot hold", i + 1)));
    }
    if let Some(s) = v.as_string() {
        return Ok(Param::Str(s));
    }
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        let ms = d.get_time();
        if !ms.is_finite() {
            return Err(js_error("BAD_PARAM", &format!("parameter {} is an invalid Date", i + 1)));
        }
        return Ok(Param::Time(Timestamp((ms * 1000.0) as i64)));
    }
    Err(js_error("BAD_PARAM", &format!("parameter {} is not a number, string, boolean, bigint, Date or null", i + 1)))
}

/// JavaScript parameters as SQL values for a statement with `expected`
/// placeholders (`BAD_PARAM` for a wrong count or a value SQL cannot hold).
pub fn js_values(params: &[JsValue], expected: usize) -> Result<Vec<Value>, JsValue> {
    if params.len() != expected {
        return Err(js_error("BAD_PARAM", &format!("{} parameters given for {expected} ? placeholders", params.len())));
    }
    params.iter().enumerate().map(|(i, v)| param(v, i)?.to_value(i).map_err(|e| js_error("BAD_PARAM", &e.0))).collect()
}

/// Binds JavaScript parameters into `sql` ([`bind_params`]).
pub fn bind_js_params(sql: &str, params: &[JsValue]) -> Result<String, JsValue> {
    let params = params.iter().enumerate().map(|(i, v)| param(v, i)).collect::<Result<Vec<_>, _>>()?;
    bind_params(sql, &params).map_err(|e| js_error("BAD_PARAM", &e.0))
}

/// An [`AsOfError`] as a JavaScript error.
pub fn as_of_error(e: AsOfError) -> JsValue {
    match e {
        AsOfError::NotAQuery => js_error("READ_ONLY", &e.to_string()),
        AsOfError::Unpinned => js_error("NOT_SUPPORTED", &e.to_string()),
        AsOfError::Sql(e) => super::sql_error(e),
    }
}

/// A value for JavaScript: numbers (integers beyond 2^53 as BigInt),
/// strings, null; DECIMAL as exact text; dates as `YYYY-MM-DD[ HH:MM:SS]`.
pub fn value_to_js(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Int(i) if i.unsigned_abs() <= (1u64 << 53) => JsValue::from_f64(*i as f64),
        Value::Int(i) => js_sys::BigInt::from(*i).into(),
        Value::Double(d) => JsValue::from_f64(*d),
        Value::Str(s) => JsValue::from_str(s),
        other => JsValue::from_str(&other.to_string()),
    }
}

/// `{columns, values, rowsAffected}` for one statement result (sql.js's
/// shape, plus the count of rows a write changed).
pub fn result_to_js(r: &StatementResult) -> JsValue {
    if let StatementResult::Rows { columns, rows } = r {
        let mut json = String::from("{\"columns\":[");
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            push_json_str(&mut json, c);
        }
        json.push_str("],\"values\":");
        if push_json_rows(&mut json, rows, None) {
            json.push_str(",\"rowsAffected\":0}");
            if let Ok(v) = js_sys::JSON::parse(&json) {
                return v;
            }
        }
    }
    let o = Object::new();
    let (columns, values, affected) = match r {
        StatementResult::Rows { columns, rows } => {
            let cols: Array = columns.iter().map(|c| JsValue::from_str(c)).collect();
            let vals: Array = rows.iter().map(|row| row.iter().map(value_to_js).collect::<Array>()).collect();
            (cols, vals, 0)
        }
        StatementResult::Affected(n) => (Array::new(), Array::new(), *n),
    };
    let _ = Reflect::set(&o, &"columns".into(), &columns);
    let _ = Reflect::set(&o, &"values".into(), &values);
    let _ = Reflect::set(&o, &"rowsAffected".into(), &JsValue::from_f64(affected as f64));
    o.into()
}

/// Rows as objects keyed by column name (the last result set of a script);
/// for a write, `[]`.
pub fn rows_to_objects(r: Option<&StatementResult>) -> JsValue {
    let Some(StatementResult::Rows { columns, rows }) = r else {
        return Array::new().into();
    };
    let keys: Vec<String> = columns
        .iter()
        .map(|c| {
            let mut k = String::new();
            push_json_str(&mut k, c);
            k
        })
        .collect();
    let mut json = String::new();
    if push_json_rows(&mut json, rows, Some(&keys)) {
        if let Ok(v) = js_sys::JSON::parse(&json) {
            return v;
        }
    }
    let out = Array::new();
    let keys: Vec<JsValue> = columns.iter().map(|c| JsValue::from_str(c)).collect();
    for row in rows {
        let o = Object::new();
        for (k, v) in keys.iter().zip(row) {
            let _ = Reflect::set(&o, k, &value_to_js(v));
        }
        out.push(&o);
    }
    out.into()
}

/// `rows` as a JSON array of arrays, or of objects keyed by `keys` (column
/// names already in JSON). A result crosses into JavaScript as one JSON text
/// parsed by the page's engine: one string out of the module, not one per
/// column name and value (for short strings the crossing costs more than
/// the rest of a point query). `false` when a value cannot be carried in
/// JSON (an integer beyond 2^53 is a BigInt): the caller then builds the
/// result value by value.
fn push_json_rows(json: &mut String, rows: &[Vec<Value>], keys: Option<&[String]>) -> bool {
    json.push('[');
    let complete = rows.iter().enumerate().all(|(i, row)| {
        if i > 0 {
            json.push(',');
        }
        json.push(if keys.is_some() { '{' } else { '[' });
        let ok = row.iter().enumerate().all(|(j, v)| {
            if j > 0 {
                json.push(',');
            }
            if let Some(keys) = keys {
                match keys.get(j) {
                    Some(k) => json.push_str(k),
                    None => return false,
                }
                json.push(':');
            }
            push_json_value(json, v)
        });
        json.push(if keys.is_some() { '}' } else { ']' });
        ok
    });
    json.push(']');
    complete
}

/// `s` as a JSON string.
fn push_json_str(out: &mut String, s: &str) {
    // serde_json's escaping (quotes, backslashes, control characters).
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "null".into()));
}

/// `v` in JSON, as [`value_to_js`] gives it; `false` (nothing written that
/// matters) for a value JSON cannot carry: an integer beyond 2^53 (a BigInt
/// in JavaScript) or a double that is not finite.
fn push_json_value(out: &mut String, v: &Value) -> bool {
    use std::fmt::Write;
    match v {
        Value::Null => out.push_str("null"),
        Value::Int(i) if i.unsigned_abs() <= (1u64 << 53) => {
            let _ = write!(out, "{i}");
        }
        Value::Int(_) => return false,
        Value::Double(d) if d.is_finite() => {
            // Rust prints the shortest text that reads back as the same
            // double, as JSON.parse does; a number in JSON needs no ".0".
            let _ = write!(out, "{d}");
        }
        Value::Double(_) => return false,
        Value::Str(s) => push_json_str(out, s),
        other => push_json_str(out, &other.to_string()),
    }
    true
}
