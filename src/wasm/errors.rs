//! Errors as JavaScript sees them: an `Error` named `ReelDBError` with a
//! stable `code` (engine errors by variant, SQL errors by their MySQL-style
//! name).

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::sql::SqlError;

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

/// A SQL error as a JavaScript `Error` whose `code` is the MySQL-style name
/// (`ER_DUP_ENTRY`, `ER_PARSE_ERROR`, ...).
pub fn sql_error(e: SqlError) -> JsValue {
    js_error(e.code.name(), &e.message)
}
