#![cfg(target_arch = "wasm32")]
//! The engine compiled to wasm32 and the `ReelDB` JavaScript class, run in
//! headless Chromium.

use std::ops::Bound;

use js_sys::Reflect;
use reeldb::wasm::{BacktrackTargetInput, ExportOptions, OpenOptions, ReelDb, TimeInput};
use reeldb::{BacktrackTarget, Database, Timestamp};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
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

fn target(v: impl Into<JsValue>) -> BacktrackTargetInput {
    v.into().unchecked_into()
}

fn restore_point(name: &str) -> BacktrackTargetInput {
    let o = js_sys::Object::new();
    Reflect::set(&o, &"restorePoint".into(), &name.into()).unwrap();
    o.unchecked_into()
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
    assert_eq!(db.timeline().unwrap().len(), 4);
}

async fn wait(p: js_sys::Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

#[wasm_bindgen_test]
async fn js_class_reports_timeline_status_and_restore_points() {
    let db = ReelDb::open_in_memory(options(3600)).unwrap();
    db.set_clock(time("2020-12-24 14:55:00")).unwrap();
    assert_eq!(db.now().unwrap(), "2020-12-24 14:55:00");

    let status = db.status().unwrap();
    assert_eq!(get(&status, "windowTargetSecs").as_f64(), Some(3600.0));
    assert_eq!(text(&status, "now"), "2020-12-24 14:55:00");
    assert_eq!(text(&status, "earliest"), "2020-12-24 13:55:00");
    assert!(get(&status, "lastBacktrack").is_null());

    let rp = wait(db.create_restore_point("before".into())).await.unwrap();
    assert_eq!(text(&rp, "name"), "before");
    assert_eq!(text(&rp, "time"), "2020-12-24 14:55:00");
    let points: js_sys::Array = db.restore_points().unwrap().dyn_into().unwrap();
    assert_eq!(points.length(), 1);

    db.set_clock(time(js_sys::Date::new(&"2020-12-24T15:00:00Z".into()))).unwrap();
    assert_eq!(db.now().unwrap(), "2020-12-24 15:00:00");
    let out = wait(db.backtrack(restore_point("before"), None)).await.unwrap();
    assert!(!get(&out, "rolledBackTransaction").as_bool().unwrap());
    let record = get(&out, "record");
    assert_eq!(text(&record, "status"), "completed");
    assert_eq!(text(&record, "target"), "2020-12-24 14:55:00");
    assert_eq!(text(&get(&out, "entry"), "kind"), "backtrack");
    let last = get(&db.status().unwrap(), "lastBacktrack");
    assert_eq!(text(&last, "at"), "2020-12-24 15:00:00");
    assert_eq!(text(&last, "target"), "2020-12-24 14:55:00");

    let timeline: js_sys::Array = db.timeline().unwrap().dyn_into().unwrap();
    let last = timeline.get(timeline.length() - 1);
    assert_eq!(text(&last, "kind"), "backtrack");
    assert_eq!(text(&last, "time"), "2020-12-24 15:00:00");

    db.set_clock(None).unwrap();
    assert!(ts(&db.now().unwrap()) > ts("2024-01-01"));
    wait(db.close()).await.unwrap();
    assert_eq!(code(&db.now().unwrap_err()), "CLOSED");
}

#[wasm_bindgen_test]
async fn js_errors_carry_stable_codes() {
    let db = ReelDb::open_in_memory(None).unwrap();
    db.set_clock(time("2020-12-24 14:55:00")).unwrap();
    assert_eq!(code(&db.set_clock(time("yesterday-ish")).unwrap_err()), "BAD_TIME");
    assert_eq!(code(&db.set_clock(time(true)).unwrap_err()), "BAD_TIME");
    let err = |p| async move { code(&wait(p).await.unwrap_err()) };
    assert_eq!(err(db.backtrack(restore_point("no such point"), None)).await, "UNKNOWN_RESTORE_POINT");
    // a string is always a time, never a restore point
    assert_eq!(err(db.backtrack(target("no such point"), None)).await, "BAD_TIME");
    assert_eq!(err(db.backtrack(target("2021-01-01"), None)).await, "IN_FUTURE");
    assert_eq!(err(db.backtrack(target("2020-12-01"), None)).await, "BEFORE_EARLIEST");
    wait(db.create_restore_point("p".into())).await.unwrap();
    let e = wait(db.create_restore_point("p".into())).await.unwrap_err();
    assert_eq!(code(&e), "DUPLICATE_RESTORE_POINT");
    assert_eq!(text(&e, "name"), "ReelDBError");
    assert!(text(&e, "message").contains("'p'"));
    assert_eq!(err(db.set_window(-1.0)).await, "BAD_TIME");
    assert_eq!(err(db.exec("SELEC 1".into())).await, "ER_PARSE_ERROR");
    assert_eq!(err(db.query("SELECT ?".into(), None)).await, "BAD_PARAM");

    assert_eq!(code(&ReelDb::open_in_memory(options("soon")).err().unwrap()), "BAD_OPTION");
    assert_eq!(code(&ReelDb::open_in_memory(Some(JsValue::from(7).unchecked_into())).err().unwrap()), "BAD_OPTION");
    assert!(ReelDb::open_in_memory(Some(JsValue::UNDEFINED.unchecked_into())).is_ok());
}

#[wasm_bindgen_test]
async fn query_parameters_bind_as_literals_and_values_come_back_typed() {
    let db = ReelDb::open_in_memory(None).unwrap();
    let date = js_sys::Date::new(&"2021-06-01T12:30:00Z".into());
    let params: Vec<JsValue> = vec![
        1.5.into(),
        true.into(),
        JsValue::NULL,
        date.into(),
        "a'b\\c?".into(),
        js_sys::BigInt::from(9_007_199_254_740_993i64).into(),
        1e300.into(),
    ];
    let rows = wait(db.query("SELECT ? AS f, ? AS b, ? AS n, ? AS d, ? AS s, ? AS big, ? AS e".into(), Some(params)))
        .await
        .unwrap();
    let row = js_sys::Array::from(&rows).get(0);
    assert_eq!(get(&row, "f").as_f64(), Some(1.5));
    assert_eq!(get(&row, "b").as_f64(), Some(1.0));
    assert!(get(&row, "n").is_null());
    assert_eq!(text(&row, "d"), "2021-06-01 12:30:00");
    assert_eq!(text(&row, "s"), "a'b\\c?");
    assert!(get(&row, "big").is_bigint());
    assert_eq!(get(&row, "e").as_f64(), Some(1e300));
    let err = wait(db.query("SELECT ?".into(), Some(vec![f64::NAN.into()]))).await.unwrap_err();
    assert_eq!(code(&err), "BAD_PARAM");
    let err = wait(db.query("SELECT 1".into(), Some(vec![1.into()]))).await.unwrap_err();
    assert_eq!(code(&err), "BAD_PARAM");
}

#[wasm_bindgen_test]
async fn results_carry_every_value_exactly_as_rows_and_as_arrays() {
    let db = ReelDb::open_in_memory(None).unwrap();
    let sql = "SELECT 1e300 AS big_d, 1e-1 + 2e-1 AS sum_d, -2.5e-7 AS tiny, CAST(1 AS DOUBLE) AS one_d, \
        9007199254740992 AS max_safe, -7 AS neg, 12.50 AS exact, NULL AS n, DATE '2021-06-01' AS d, \
        'q\"uo\\\\te\n\ttab \u{1}é😀' AS s, '' AS blank";
    let rows = wait(db.query(sql.into(), None)).await.unwrap();
    let row = js_sys::Array::from(&rows).get(0);
    assert_eq!(get(&row, "big_d").as_f64(), Some(1e300));
    assert_eq!(get(&row, "sum_d").as_f64(), Some(0.1 + 0.2));
    assert_eq!(get(&row, "tiny").as_f64(), Some(-2.5e-7));
    assert_eq!(get(&row, "one_d").as_f64(), Some(1.0));
    assert_eq!(get(&row, "max_safe").as_f64(), Some(9007199254740992.0));
    assert_eq!(get(&row, "neg").as_f64(), Some(-7.0));
    assert_eq!(text(&row, "exact"), "12.50");
    assert!(get(&row, "n").is_null());
    assert_eq!(text(&row, "d"), "2021-06-01");
    assert_eq!(text(&row, "s"), "q\"uo\\te\n\ttab \u{1}é😀");
    assert_eq!(text(&row, "blank"), "");
    // The same values as arrays (exec's {columns, values}).
    let results = js_sys::Array::from(&wait(db.exec(sql.into())).await.unwrap());
    let r = results.get(0);
    let columns: Vec<String> =
        js_sys::Array::from(&get(&r, "columns")).iter().map(|c| c.as_string().unwrap()).collect();
    assert_eq!(columns[0], "big_d");
    assert_eq!(columns.len(), 11);
    let values = js_sys::Array::from(&js_sys::Array::from(&get(&r, "values")).get(0));
    for (i, c) in columns.iter().enumerate() {
        let (a, b) = (values.get(i as u32), get(&row, c));
        assert!(js_sys::Object::is(&a, &b), "{c}: {a:?} vs {b:?}");
    }
    assert_eq!(get(&r, "rowsAffected").as_f64(), Some(0.0));
    // Beyond 2^53 an integer is a BigInt, in either shape.
    let rows = wait(db.query("SELECT 9007199254740993 AS b, 'x' AS s".into(), None)).await.unwrap();
    let row = js_sys::Array::from(&rows).get(0);
    assert!(get(&row, "b").is_bigint());
    assert_eq!(text(&row, "s"), "x");
    let results = js_sys::Array::from(&wait(db.exec("SELECT 9007199254740993 AS b".into())).await.unwrap());
    assert!(js_sys::Array::from(&get(&results.get(0), "values")).get(0).is_object());
    assert!(js_sys::Array::from(&js_sys::Array::from(&get(&results.get(0), "values")).get(0)).get(0).is_bigint());
}

#[wasm_bindgen_test]
async fn export_includes_views_and_import_is_one_all_or_nothing_commit() {
    let db = ReelDb::open_in_memory(None).unwrap();
    let script = "CREATE DATABASE shop; USE shop; CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(9));
        INSERT INTO p VALUES (1, 'it''s'), (2, NULL);
        CREATE VIEW zz_base AS SELECT id, name FROM p WHERE id > 0;
        CREATE VIEW aa_top (n) AS SELECT COUNT(*) FROM zz_base;
        USE main";
    wait(db.exec(script.into())).await.unwrap();
    let dump = db.export_sql(None).unwrap();
    // aa_top reads zz_base, so it comes after it although it sorts first.
    let (base, top) = (dump.find("CREATE VIEW `zz_base`").unwrap(), dump.find("CREATE VIEW `aa_top`").unwrap());
    assert!(base < top, "{dump}");

    let copy = ReelDb::open_in_memory(None).unwrap();
    wait(copy.import_sql(dump.clone())).await.unwrap();
    assert_eq!(js_sys::Array::from(&copy.timeline().unwrap()).length(), 1, "one timeline entry");
    let q = |d: &ReelDb| {
        let rows = d.query("SELECT n FROM shop.aa_top".into(), None);
        async move { js_sys::JSON::stringify(&wait(rows).await.unwrap()).unwrap().as_string().unwrap() }
    };
    assert_eq!(q(&copy).await, q(&db).await);
    assert_eq!(copy.export_sql(None).unwrap(), dump);

    // A failing statement rolls the whole import back.
    let err = wait(copy.import_sql("CREATE TABLE shop.q (id INT); INSERT INTO shop.p VALUES (1, 'dup')".into()))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ER_DUP_ENTRY");
    assert_eq!(js_sys::Array::from(&copy.timeline().unwrap()).length(), 1);
    assert_eq!(copy.export_sql(None).unwrap(), dump);

    // { history: true }: system-versioned tables with every row version;
    // a history that is not a boolean is refused.
    let options = |v: JsValue| {
        let o = js_sys::Object::new();
        Reflect::set(&o, &"history".into(), &v).unwrap();
        Some(JsValue::from(o).unchecked_into::<ExportOptions>())
    };
    let history = db.export_sql(options(true.into())).unwrap();
    assert!(history.contains(") WITH SYSTEM VERSIONING;"), "{history}");
    assert!(history.contains("`row_start`,`row_end`) VALUES"), "{history}");
    assert_eq!(db.export_sql(options(false.into())).unwrap(), dump);
    assert_eq!(code(&db.export_sql(options("yes".into())).unwrap_err()), "BAD_OPTION");
}

#[wasm_bindgen_test]
async fn every_time_argument_takes_text_iso_8601_dates_and_epoch_milliseconds() {
    let db = ReelDb::open_in_memory(options(3600)).unwrap();
    // setClock: ISO 8601 with an offset, then epoch milliseconds
    db.set_clock(time("2020-12-24T16:45:00+02:00")).unwrap();
    assert_eq!(db.now().unwrap(), "2020-12-24 14:45:00");
    wait(db.exec("CREATE TABLE p (id INT PRIMARY KEY)".into())).await.unwrap();
    db.set_clock(time(1_608_821_400_000.0)).unwrap(); // 14:50:00 UTC
    assert_eq!(db.now().unwrap(), "2020-12-24 14:50:00");
    wait(db.exec("INSERT INTO p VALUES (1)".into())).await.unwrap();
    db.set_clock(time(js_sys::Date::new(&"2020-12-24T14:55:00Z".into()))).unwrap();
    wait(db.exec("INSERT INTO p VALUES (2)".into())).await.unwrap();

    // asOf: the same instant in every form
    let at_1452: [JsValue; 6] = [
        "2020-12-24 14:52:00".into(),
        "2020-12-24T14:52:00Z".into(),
        "2020-12-24T15:52:00.000+01:00".into(),
        js_sys::Date::new(&"2020-12-24T14:52:00Z".into()).into(),
        1_608_821_520_000.0.into(),
        new_date_iso("2020-12-24T14:52:00.000Z"),
    ];
    for t in &at_1452 {
        let view = db.as_of(t.clone().unchecked_into()).unwrap_or_else(|e| panic!("{t:?}: {e:?}"));
        assert_eq!(view.time(), "2020-12-24 14:52:00", "{t:?}");
        let n = js_sys::Array::from(&view.query("SELECT id FROM p", None).unwrap()).length();
        assert_eq!(n, 1, "{t:?}");
    }
    // diff: ISO from, epoch-milliseconds to
    let d = js_sys::Array::from(
        &db.diff(
            "p",
            JsValue::from("2020-12-24T14:52:00Z").unchecked_into(),
            JsValue::from(1_608_821_700_000.0).unchecked_into(),
        )
        .unwrap(),
    );
    assert_eq!(d.length(), 1);
    assert_eq!(text(&d.get(0), "change"), "added");

    // backtrack: a Date's ISO string (what `new Date().toISOString()` gives)
    let out = wait(db.backtrack(target("2020-12-24T14:52:00.000Z"), None)).await.unwrap();
    assert_eq!(text(&get(&out, "record"), "target"), "2020-12-24 14:52:00");
    // and epoch milliseconds inside { time }
    let o = js_sys::Object::new();
    Reflect::set(&o, &"time".into(), &1_608_821_700_000.0.into()).unwrap();
    let out = wait(db.backtrack(o.unchecked_into(), None)).await.unwrap();
    assert_eq!(text(&get(&out, "record"), "target"), "2020-12-24 14:55:00");

    // every bad time is BAD_TIME, naming the literal, and changes nothing
    let before = js_sys::Array::from(&db.timeline().unwrap()).length();
    let message = |e: JsValue| {
        assert_eq!(code(&e), "BAD_TIME", "{e:?}");
        text(&e, "message")
    };
    for bad in ["2020-12-24 25:00:00", "2020-12-24T14:52:00+15:00", "yesterday", "2020-12-24T14:52Z+1"] {
        let shown = format!("'{bad}' is not a time");
        assert!(message(db.as_of(time(bad).unwrap()).err().unwrap()).starts_with(&shown));
        assert!(message(wait(db.backtrack(target(bad), None)).await.unwrap_err()).starts_with(&shown));
        assert!(message(db.diff("p", time(bad).unwrap(), time(bad).unwrap()).unwrap_err()).starts_with(&shown));
        assert!(message(db.set_clock(time(bad)).unwrap_err()).starts_with(&shown));
    }
    let invalid_date = js_sys::Date::new(&"not a date".into());
    assert!(message(db.as_of(time(invalid_date.clone()).unwrap()).err().unwrap()).contains("Invalid Date"));
    assert!(message(wait(db.backtrack(target(invalid_date), None)).await.unwrap_err()).contains("Invalid Date"));
    assert!(message(db.as_of(time(f64::NAN).unwrap()).err().unwrap()).contains("NaN"));
    assert!(message(db.as_of(time(1e300).unwrap()).err().unwrap()).contains("not a time"));
    assert!(message(db.as_of(time(JsValue::NULL).unwrap()).err().unwrap()).starts_with("null is not a time"));
    assert!(
        message(wait(db.backtrack(target(js_sys::Object::new()), None)).await.unwrap_err()).contains("restorePoint")
    );
    assert_eq!(db.now().unwrap(), "2020-12-24 14:55:00");
    assert_eq!(js_sys::Array::from(&db.timeline().unwrap()).length(), before);
}

fn new_date_iso(iso: &str) -> JsValue {
    js_sys::Date::new(&js_sys::Date::new(&iso.into()).to_iso_string().into()).into()
}

fn wasm_memory_bytes() -> u32 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
}

#[wasm_bindgen_test]
async fn prepared_statements_run_get_all_iterate_and_finalize() {
    let db = ReelDb::open_in_memory(None).unwrap();
    wait(db.exec("CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(9), k INT, INDEX (k))".into())).await.unwrap();
    let ins = db.prepare("INSERT INTO p VALUES (?, ?, ?)").unwrap();
    assert_eq!(ins.param_count().unwrap(), 3);
    for i in 0..20 {
        let r = wait(ins.run(Some(vec![i.into(), format!("n{i}").into(), (i % 4).into()]))).await.unwrap();
        assert_eq!(get(&r, "rowsAffected").as_f64(), Some(1.0));
    }
    let by_id = db.prepare("SELECT name, k FROM p WHERE id = ?").unwrap();
    assert_eq!(by_id.columns().unwrap(), vec!["name", "k"]);
    let row = wait(by_id.get(Some(vec![7.into()]))).await.unwrap();
    assert_eq!(text(&row, "name"), "n7");
    assert_eq!(get(&row, "k").as_f64(), Some(3.0));
    assert!(wait(by_id.get(Some(vec![99.into()]))).await.unwrap().is_undefined());
    let by_k = db.prepare("SELECT id FROM p WHERE k = ? ORDER BY id").unwrap();
    let all = js_sys::Array::from(&wait(by_k.all(Some(vec![1.into()]))).await.unwrap());
    let ids: Vec<f64> = all.iter().map(|r| get(&r, "id").as_f64().unwrap()).collect();
    assert_eq!(ids, vec![1.0, 5.0, 9.0, 13.0, 17.0]);
    // the same as query() and as the SQL with a literal
    let queried = js_sys::Array::from(
        &wait(db.query("SELECT id FROM p WHERE k = ? ORDER BY id".into(), Some(vec![1.into()]))).await.unwrap(),
    );
    let literal =
        js_sys::Array::from(&wait(db.query("SELECT id FROM p WHERE k = 1 ORDER BY id".into(), None)).await.unwrap());
    for a in [&queried, &literal] {
        let v: Vec<f64> = a.iter().map(|r| get(&r, "id").as_f64().unwrap()).collect();
        assert_eq!(v, ids);
    }
    // query() without parameters runs texts that differ only in their
    // literals as one statement, each with its own values; a write keeps its
    // text as written in the timeline
    for id in [3, 4, 3, 99] {
        let sql = format!("SELECT name FROM p WHERE id = {id} AND k >= 0");
        let rows = js_sys::Array::from(&wait(db.query(sql, None)).await.unwrap());
        let names: Vec<String> = rows.iter().map(|r| text(&r, "name")).collect();
        assert_eq!(names, if id < 20 { vec![format!("n{id}")] } else { vec![] });
    }
    for (id, k) in [(5, 7), (6, 8)] {
        let sql = format!("UPDATE p SET k = {k} WHERE id = {id}");
        wait(db.query(sql.clone(), None)).await.unwrap();
        let timeline = js_sys::Array::from(&db.timeline().unwrap());
        assert_eq!(text(&timeline.get(timeline.length() - 1), "summary"), sql);
    }
    let rows = js_sys::Array::from(
        &wait(db.query("SELECT k FROM p WHERE id = 5 OR id = 6 ORDER BY id".into(), None)).await.unwrap(),
    );
    let ks: Vec<f64> = rows.iter().map(|r| get(&r, "k").as_f64().unwrap()).collect();
    assert_eq!(ks, vec![7.0, 8.0]);
    assert_eq!(
        code(&wait(db.query("SELECT name FROM p WHERE id = 'x' AND ?".into(), None)).await.unwrap_err()),
        "BAD_PARAM"
    );
    wait(db.exec("UPDATE p SET k = (id % 4) WHERE id IN (5, 6)".into())).await.unwrap();
    let it: js_sys::Iterator = wait(by_k.iterate(Some(vec![2.into()]))).await.unwrap().unchecked_into();
    let mut seen = Vec::new();
    loop {
        let n = it.next().unwrap();
        if n.done() {
            break;
        }
        seen.push(get(&n.value(), "id").as_f64().unwrap());
    }
    assert_eq!(seen, vec![2.0, 6.0, 10.0, 14.0, 18.0]);
    // wrong counts and types
    assert_eq!(code(&wait(by_id.get(None)).await.unwrap_err()), "BAD_PARAM");
    assert_eq!(code(&wait(by_id.get(Some(vec![1.into(), 2.into()]))).await.unwrap_err()), "BAD_PARAM");
    assert_eq!(code(&wait(by_id.get(Some(vec![js_sys::Object::new().into()]))).await.unwrap_err()), "BAD_PARAM");
    assert_eq!(code(&wait(by_id.get(Some(vec![f64::INFINITY.into()]))).await.unwrap_err()), "BAD_PARAM");
    assert_eq!(code(&db.prepare("SELEC ?").err().unwrap()), "ER_PARSE_ERROR");
    // schema changes between executions
    wait(db.exec("ALTER TABLE p ADD COLUMN extra INT DEFAULT 5".into())).await.unwrap();
    let star = db.prepare("SELECT * FROM p WHERE id = ?").unwrap();
    assert_eq!(star.columns().unwrap(), vec!["id", "name", "k", "extra"]);
    assert_eq!(get(&wait(star.get(Some(vec![3.into()]))).await.unwrap(), "extra").as_f64(), Some(5.0));
    wait(db.exec("DROP TABLE p".into())).await.unwrap();
    assert_eq!(code(&wait(star.get(Some(vec![3.into()]))).await.unwrap_err()), "ER_NO_SUCH_TABLE");
    // finalized statements
    by_id.finalize();
    by_id.finalize();
    assert_eq!(code(&wait(by_id.get(Some(vec![1.into()]))).await.unwrap_err()), "STATEMENT_FINALIZED");
    assert_eq!(code(&wait(by_id.run(Some(vec![1.into()]))).await.unwrap_err()), "STATEMENT_FINALIZED");
    assert_eq!(code(&by_id.columns().unwrap_err()), "STATEMENT_FINALIZED");
}

/// A read of an in-memory database runs at once when nothing is queued,
/// but never before an operation issued earlier: a write or a close that
/// was not awaited yet.
#[wasm_bindgen_test]
async fn reads_never_overtake_operations_issued_before_them() {
    let db = ReelDb::open_in_memory(None).unwrap();
    wait(db.exec("CREATE TABLE o (id INT PRIMARY KEY)".into())).await.unwrap();
    let count = db.prepare("SELECT COUNT(*) AS n FROM o WHERE id > ?").unwrap();
    let n = |rows: &JsValue| get(&js_sys::Array::from(rows).get(0), "n").as_f64();
    assert_eq!(get(&wait(count.get(Some(vec![0.into()]))).await.unwrap(), "n").as_f64(), Some(0.0));
    let write = db.exec("INSERT INTO o VALUES (1), (2)".into());
    let queried = db.query("SELECT COUNT(*) AS n FROM o".into(), None);
    let got = count.get(Some(vec![0.into()]));
    let write2 = db.exec("INSERT INTO o VALUES (3)".into());
    let got2 = count.get(Some(vec![0.into()]));
    wait(write).await.unwrap();
    wait(write2).await.unwrap();
    assert_eq!(n(&wait(queried).await.unwrap()), Some(2.0));
    assert_eq!(get(&wait(got).await.unwrap(), "n").as_f64(), Some(2.0));
    assert_eq!(get(&wait(got2).await.unwrap(), "n").as_f64(), Some(3.0));
    // with nothing queued: the same answers
    assert_eq!(n(&wait(db.query("SELECT COUNT(*) AS n FROM o".into(), None)).await.unwrap()), Some(3.0));
    assert_eq!(code(&wait(db.query("SELECT nope FROM o".into(), None)).await.unwrap_err()), "ER_BAD_FIELD_ERROR");
    let closing = db.close();
    let after = count.get(Some(vec![0.into()]));
    wait(closing).await.unwrap();
    assert_eq!(code(&wait(after).await.unwrap_err()), "CLOSED");
}

#[wasm_bindgen_test]
async fn prepare_finalize_cycles_keep_wasm_memory_flat() {
    let db = ReelDb::open_in_memory(None).unwrap();
    wait(db.exec("CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(9)); INSERT INTO p VALUES (1, 'a')".into()))
        .await
        .unwrap();
    let cycle = |i: u32| {
        let s = db.prepare(&format!("SELECT name FROM p WHERE id = ? AND {i} > 0")).unwrap();
        s.finalize();
    };
    for i in 0..2_000 {
        cycle(i);
    }
    let before = wasm_memory_bytes();
    for i in 0..100_000 {
        cycle(i);
    }
    let after = wasm_memory_bytes();
    assert!(after <= before + 128 * 1024, "wasm memory grew from {before} to {after} bytes over 100,000 cycles");
    // executions too (each through the cache of recent statements as well)
    let s = db.prepare("SELECT name FROM p WHERE id = ?").unwrap();
    for _ in 0..500 {
        wait(s.get(Some(vec![1.into()]))).await.unwrap();
        wait(db.query("SELECT name FROM p WHERE id = ?".into(), Some(vec![1.into()]))).await.unwrap();
    }
    let before = wasm_memory_bytes();
    for _ in 0..5_000 {
        wait(s.get(Some(vec![1.into()]))).await.unwrap();
        wait(db.query("SELECT name FROM p WHERE id = ?".into(), Some(vec![1.into()]))).await.unwrap();
    }
    let after = wasm_memory_bytes();
    assert!(after <= before + 128 * 1024, "wasm memory grew from {before} to {after} bytes over 5,000 executions");
    s.finalize();
}
