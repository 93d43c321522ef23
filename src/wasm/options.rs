//! The options objects of `ReelDB.open*` and `exportSql`.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use super::{js_error, OpenOptions};
use crate::db::Options;

pub(super) fn whole_secs(v: &JsValue, what: &str) -> Result<Option<u64>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(s) if s >= 0.0 && s.fract() == 0.0 && s <= 9_007_199_254_740_991.0 => Ok(Some(s as u64)),
        _ => Err(js_error("BAD_OPTION", &format!("{what} is a whole number of seconds >= 0"))),
    }
}

/// Parsed `OpenOptions`.
pub(super) struct Opened {
    pub(super) options: Options,
    pub(super) strict: bool,
    pub(super) multi_tab: bool,
    pub(super) lock_timeout_ms: u32,
    /// `lazy`: `Some(true)` pages on demand only, `Some(false)` every page
    /// at open, `None` (the default) chosen by the store's size
    /// (see `Core::open`).
    pub(super) lazy: Option<bool>,
}

pub(super) fn parse_options(options: Option<OpenOptions>) -> Result<Opened, JsValue> {
    let mut out =
        Opened { options: Options::default(), strict: true, multi_tab: true, lock_timeout_ms: 30_000, lazy: None };
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
        out.lazy = Some(l.as_bool().ok_or_else(|| js_error("BAD_OPTION", "lazy is a boolean"))?);
    }
    Ok(out)
}
