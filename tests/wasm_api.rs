#![cfg(target_arch = "wasm32")]
//! The engine compiled to wasm32 and the `ReelDB` JavaScript class, run in
//! headless Chromium.

use std::ops::Bound;

use js_sys::Reflect;
use reeldb::wasm::{OpenOptions, ReelDb, TimeInput};
use reeldb::{BacktrackTarget, Database, Timestamp};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn keys(db: &Database, snap: &reeldb::Snapshot) -> Vec<String> {
    let mut v = Vec::new();
    db.scan(snap, Bound::Unbounded, Bound::Unbounded, &mut |k, _| {
        v.push(String::from_utf8(k.to_vec()).unwrap());
        true
    })
    .unwrap();
    v
}

fn time(v: impl Into<JsValue>) -> Option<TimeInput> {
    Some(v.into().unchecked_into())
}

fn target(v: &str) -> TimeInput {
    JsValue::from(v).unchecked_into()
}

fn options(window_secs: impl Into<JsValue>) -> Option<OpenOptions> {
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"windowSecs".into(), &window_secs.into()).unwrap();
    Some(opts.unchecked_into())
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn text(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_else(|| panic!("{key} is not a string"))
}

fn code(err: &JsValue) -> String {
    assert!(err.is_instance_of::<js_sys::Error>(), "not an Error: {err:?}");
    text(err, "code")
}

#[wasm_bindgen_test]
fn engine_commits_reads_as_of_and_backtracks_in_wasm32() {
    let mut db = Database::in_memory();
    db.set_clock(Some(ts("2020-12-24 14:55:00")));
    db.put(b"row1", b"Laptop").unwrap();
    db.commit("INSERT 1", 1).unwrap();
    db.set_clock(Some(ts("2020-12-24 14:58:00")));
    db.put(b"row2", b"Monitor").unwrap();
    db.commit("INSERT 2", 1).unwrap();
    db.set_clock(Some(ts("2020-12-24 15:01:00")));
    db.delete(b"row1").unwrap();
    db.commit("DELETE", 1).unwrap();

    assert_eq!(keys(&db, &db.committed()), ["row2"]);
    let past = db.as_of(ts("2020-12-24 14:59:00")).unwrap();
    assert_eq!(keys(&db, &past), ["row1", "row2"]);
    let diff = db.diff(&past, &db.committed(), Bound::Unbounded, Bound::Unbounded).unwrap();
    assert_eq!(diff.len(), 1);
    assert_eq!(diff[0].key, b"row1");

    db.set_clock(Some(ts("2020-12-24 15:05:00")));
    let out = db.backtrack(BacktrackTarget::Time(ts("2020-12-24 14:56:00")), false).unwrap();
    assert!(!out.rolled_back_transaction);
    assert_eq!(keys(&db, &db.committed()), ["row1"]);
    assert_eq!(db.timeline().len(), 4);
}

#[wasm_bindgen_test]
fn js_class_reports_timeline_status_and_restore_points() {
    let mut db = ReelDb::open_in_memory(options(3600)).unwrap();
    db.set_clock(time("2020-12-24 14:55:00")).unwrap();
    assert_eq!(db.now(), "2020-12-24 14:55:00");

    let status = db.status().unwrap();
    assert_eq!(get(&status, "windowTargetSecs").as_f64(), Some(3600.0));
    assert_eq!(text(&status, "now"), "2020-12-24 14:55:00");
    assert_eq!(text(&status, "earliest"), "2020-12-24 13:55:00");

    let rp = db.create_restore_point("before").unwrap();
    assert_eq!(text(&rp, "name"), "before");
    assert_eq!(text(&rp, "time"), "2020-12-24 14:55:00");
    let points: js_sys::Array = db.restore_points().unwrap().dyn_into().unwrap();
    assert_eq!(points.length(), 1);

    db.set_clock(time(js_sys::Date::new(&"2020-12-24T15:00:00Z".into()))).unwrap();
    assert_eq!(db.now(), "2020-12-24 15:00:00");
    let out = db.backtrack(target("before"), None).unwrap();
    assert!(!get(&out, "rolledBackTransaction").as_bool().unwrap());
    let record = get(&out, "record");
    assert_eq!(text(&record, "status"), "completed");
    assert_eq!(text(&record, "target"), "2020-12-24 14:55:00");
    assert_eq!(text(&get(&out, "entry"), "kind"), "backtrack");

    let timeline: js_sys::Array = db.timeline().unwrap().dyn_into().unwrap();
    let last = timeline.get(timeline.length() - 1);
    assert_eq!(text(&last, "kind"), "backtrack");
    assert_eq!(text(&last, "time"), "2020-12-24 15:00:00");

    db.set_clock(None).unwrap();
    assert!(ts(&db.now()) > ts("2024-01-01"));
    db.close();
}

#[wasm_bindgen_test]
fn js_errors_carry_stable_codes() {
    let mut db = ReelDb::open_in_memory(None).unwrap();
    db.set_clock(time("2020-12-24 14:55:00")).unwrap();
    assert_eq!(code(&db.set_clock(time("yesterday-ish")).unwrap_err()), "BAD_TIME");
    assert_eq!(code(&db.set_clock(time(42)).unwrap_err()), "BAD_TIME");
    assert_eq!(code(&db.backtrack(target("no such point"), None).unwrap_err()), "UNKNOWN_RESTORE_POINT");
    assert_eq!(code(&db.backtrack(target("2021-01-01"), None).unwrap_err()), "IN_FUTURE");
    assert_eq!(code(&db.backtrack(target("2020-12-01"), None).unwrap_err()), "BEFORE_EARLIEST");
    db.create_restore_point("p").unwrap();
    let err = db.create_restore_point("p").unwrap_err();
    assert_eq!(code(&err), "DUPLICATE_RESTORE_POINT");
    assert_eq!(text(&err, "name"), "ReelDBError");
    assert!(text(&err, "message").contains("'p'"));
    assert_eq!(code(&db.set_window(-1.0).unwrap_err()), "BAD_TIME");

    assert_eq!(code(&ReelDb::open_in_memory(options("soon")).err().unwrap()), "BAD_OPTION");
    assert_eq!(code(&ReelDb::open_in_memory(Some(JsValue::from(7).unchecked_into())).err().unwrap()), "BAD_OPTION");
    assert!(ReelDb::open_in_memory(Some(JsValue::UNDEFINED.unchecked_into())).is_ok());
}
