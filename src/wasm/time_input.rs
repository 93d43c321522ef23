//! Times and backtrack targets from JavaScript values: the one conversion
//! every time argument of the API (`asOf`, `backtrack`, `diff`, `setClock`)
//! goes through.

use js_sys::{Date, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{js_error, TimeInput};
use crate::db::BacktrackTarget;
use crate::time::{not_a_time, quoted, Timestamp};

/// Epoch milliseconds of 9999-12-31 23:59:59.999 UTC, the last instant the
/// text syntax can name; numbers and `Date`s beyond either end are refused.
const MAX_MS: f64 = 253_402_300_799_999.0;
/// Epoch milliseconds of 0000-01-01 00:00:00 UTC.
const MIN_MS: f64 = -62_167_219_200_000.0;

/// A time from JavaScript: text in the one time syntax
/// ([`Timestamp::parse`]: `YYYY-MM-DD HH:MM:SS[.ffffff]` UTC, or ISO 8601
/// with `T` and `Z` or an offset), a `Date`, or epoch milliseconds. Anything
/// else is a `BAD_TIME` error naming the value.
pub fn time_from_js(value: &JsValue) -> Result<Timestamp, JsValue> {
    if let Some(text) = value.as_string() {
        return Timestamp::parse_or_err(&text).map_err(JsValue::from);
    }
    let (ms, kind) = if let Some(date) = value.dyn_ref::<Date>() {
        (date.get_time(), "Date")
    } else if let Some(ms) = value.as_f64() {
        (ms, "number")
    } else if value.is_null() {
        return Err(bad("null"));
    } else if value.is_undefined() {
        return Err(bad("undefined"));
    } else {
        return Err(bad(&format!("a value of type {}", value.js_typeof().as_string().unwrap_or_default())));
    };
    if kind == "Date" && ms.is_nan() {
        return Err(bad("the Date 'Invalid Date'"));
    }
    if !(MIN_MS..=MAX_MS).contains(&ms) {
        // NaN fails the range check too.
        return Err(bad(&format!("the {kind} {} (years 0000 to 9999)", quoted(&ms.to_string()))));
    }
    Ok(Timestamp((ms * 1000.0).round() as i64))
}

/// `time` in the engine's format, `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC): how
/// a page reads a time the user typed (the playground's `time` attribute)
/// with the API's own syntax. Throws `BAD_TIME` when it is not a time.
#[wasm_bindgen(js_name = normalizeTime)]
pub fn normalize_time(time: TimeInput) -> Result<String, JsValue> {
    Ok(time_from_js(&time)?.to_string())
}

/// A backtrack target from JavaScript: a time (any form [`time_from_js`]
/// takes; a string is always a time), `{ time }` or `{ restorePoint }`.
pub fn backtrack_target(target: &JsValue) -> Result<BacktrackTarget, JsValue> {
    if target.is_object() && target.dyn_ref::<Date>().is_none() {
        let rp = Reflect::get(target, &"restorePoint".into())?;
        if !rp.is_undefined() {
            return match rp.as_string() {
                Some(name) => Ok(BacktrackTarget::RestorePoint(name)),
                None => {
                    Err(js_error("BAD_RESTORE_POINT_NAME", "restorePoint is the name of a restore point (a string)"))
                }
            };
        }
        let t = Reflect::get(target, &"time".into())?;
        if !t.is_undefined() {
            return Ok(BacktrackTarget::Time(time_from_js(&t)?));
        }
        return Err(js_error(
            "BAD_TIME",
            "a backtrack target is a time (text, a Date or epoch milliseconds), { time } or { restorePoint }",
        ));
    }
    Ok(BacktrackTarget::Time(time_from_js(target)?))
}

/// `BAD_TIME` for `what`, which names the value as given.
fn bad(what: &str) -> JsValue {
    js_error("BAD_TIME", &format!("{}; from JavaScript also a Date or epoch milliseconds", not_a_time(what)))
}
