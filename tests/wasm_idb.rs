#![cfg(target_arch = "wasm32")]
//! The `ReelDB` class on IndexedDB in headless Chromium: persistence across
//! close and reopen, group commit, atomicity when a flush is aborted on
//! purpose, the quota error path, the SQL API (exec, query with parameters,
//! asOf, diff, export/import, events), and two connections on one database
//! coordinating like two tabs.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use reeldb::wasm::{BacktrackTargetInput, OpenOptions, ReelDb, TimeInput};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn wait(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e12) as u64)
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn code(err: &JsValue) -> String {
    get(err, "code").as_string().unwrap_or_else(|| panic!("no code on {err:?}"))
}

fn opts(pairs: &[(&str, JsValue)]) -> Option<OpenOptions> {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    Some(o.unchecked_into())
}

fn time(t: &str) -> TimeInput {
    JsValue::from(t).unchecked_into()
}

fn target(t: &str) -> BacktrackTargetInput {
    JsValue::from(t).unchecked_into()
}

async fn open(name: &str) -> ReelDb {
    ReelDb::open_named(name, None).await.expect("open")
}

async fn exec(db: &ReelDb, sql: &str) -> JsValue {
    wait(db.exec(sql.into())).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"))
}

/// `SELECT` through `query`, rows as JSON text for easy comparison.
async fn rows(db: &ReelDb, sql: &str) -> String {
    let r = wait(db.query(sql.into(), None)).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    js_sys::JSON::stringify(&r).unwrap().into()
}

fn json(v: &JsValue) -> String {
    js_sys::JSON::stringify(v).unwrap().into()
}

async fn sleep(ms: i32) {
    let p = Promise::new(&mut |resolve, _| {
        web_sys_timeout(&resolve, ms);
    });
    JsFuture::from(p).await.unwrap();
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn web_sys_timeout(f: &Function, ms: i32);
}

#[wasm_bindgen_test]
async fn data_and_history_survive_close_and_reopen() {
    let name = unique("reopen");
    let db = open(&name).await;
    db.set_clock(Some(time("2020-12-24 14:55:00"))).unwrap();
    exec(&db, "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))").await;
    exec(&db, "INSERT INTO t VALUES (1, 'Laptop'), (2, 'Monitor')").await;
    db.set_clock(Some(time("2020-12-24 15:00:00"))).unwrap();
    exec(&db, "DELETE FROM t WHERE id = 1").await;
    let before = json(&db.timeline().unwrap());
    wait(db.close()).await.unwrap();
    assert_eq!(code(&wait(db.exec("SELECT 1".into())).await.unwrap_err()), "CLOSED");

    let db = open(&name).await;
    db.set_clock(Some(time("2020-12-24 15:05:00"))).unwrap();
    assert_eq!(json(&db.timeline().unwrap()), before);
    assert_eq!(rows(&db, "SELECT * FROM t").await, r#"[{"id":2,"name":"Monitor"}]"#);
    let view = db.as_of(time("2020-12-24 14:59:00")).unwrap();
    let past: String =
        js_sys::JSON::stringify(&view.query("SELECT name FROM t ORDER BY id", None).unwrap()).unwrap().into();
    assert_eq!(past, r#"[{"name":"Laptop"},{"name":"Monitor"}]"#);
    let info = db.storage_info();
    assert_eq!(get(&info, "backend").as_string().unwrap(), "indexeddb");
    wait(db.delete()).await.unwrap();

    // Deleted: opening again starts empty.
    let db = open(&name).await;
    assert_eq!(Array::from(&db.timeline().unwrap()).length(), 0);
    wait(db.delete()).await.unwrap();
}

/// Deletes the IndexedDB database behind ReelDB's back, as a browser does
/// when it discards an origin's IndexedDB it found corrupt.
async fn discard_behind_the_back(name: &str) {
    let factory: web_sys::IdbFactory = get(&js_sys::global(), "indexedDB").unchecked_into();
    let req = factory.delete_database(&format!("reeldb:{name}")).unwrap();
    let done = Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    JsFuture::from(done).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_database_whose_storage_the_browser_discarded_is_reported_not_recreated_empty() {
    // Characters a file name cannot hold: the registry must encode them.
    let name = format!("{}/../ü .x", unique("lost"));
    let db = open(&name).await;
    exec(&db, "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1)").await;
    wait(db.close()).await.unwrap();
    discard_behind_the_back(&name).await;

    let err = ReelDb::open_named(&name, None).await.err().expect("open of a discarded database fails");
    assert_eq!(code(&err), "STORAGE_LOST");
    let message = get(&err, "message").as_string().unwrap();
    assert!(message.contains("deleteDatabase"), "{message}");
    // Still reported on a second try: nothing was created meanwhile.
    assert_eq!(code(&ReelDb::open_named(&name, None).await.err().unwrap()), "STORAGE_LOST");

    // Deleting on purpose forgets it: the next open starts over, empty.
    wait(ReelDb::delete_named(name.clone())).await.unwrap();
    let db = open(&name).await;
    assert_eq!(Array::from(&db.timeline().unwrap()).length(), 0);
    exec(&db, "CREATE TABLE u (id INT PRIMARY KEY)").await;
    wait(db.close()).await.unwrap();
    let db = open(&name).await;
    assert_eq!(rows(&db, "SELECT COUNT(*) AS n FROM u").await, r#"[{"n":0}]"#);
    wait(db.delete()).await.unwrap();
    // `delete()` forgets too: a later open is a new database, not a lost one.
    let db = open(&name).await;
    wait(db.delete()).await.unwrap();
}

#[wasm_bindgen_test]
async fn commits_issued_together_share_idb_transactions_but_not_timeline_entries() {
    let name = unique("group");
    let db = open(&name).await;
    exec(&db, "CREATE TABLE t (id INT PRIMARY KEY)").await;
    let start = get(&db.storage_info(), "idbTransactions").as_f64().unwrap();
    let entries = Array::from(&db.timeline().unwrap()).length();
    let pending: Vec<Promise> =
        (0..40).map(|i| db.query("INSERT INTO t VALUES (?)".into(), Some(vec![JsValue::from(i)]))).collect();
    for p in pending {
        wait(p).await.unwrap();
    }
    let flushes = get(&db.storage_info(), "idbTransactions").as_f64().unwrap() - start;
    assert!((1.0..40.0).contains(&flushes), "{flushes} IndexedDB transactions for 40 commits");
    assert_eq!(Array::from(&db.timeline().unwrap()).length(), entries + 40);
    wait(db.close()).await.unwrap();
    let db = open(&name).await;
    assert_eq!(rows(&db, "SELECT COUNT(*) AS n FROM t").await, r#"[{"n":40}]"#);
    wait(db.delete()).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_aborted_flush_rejects_and_returns_to_the_last_durable_commit() {
    let name = unique("abort");
    let db = open(&name).await;
    exec(&db, "CREATE TABLE t (id INT PRIMARY KEY)").await;
    exec(&db, "INSERT INTO t VALUES (1)").await;
    let durable_timeline = json(&db.timeline().unwrap());

    db.fail_next_flush("AbortError".into()).unwrap();
    // The failing commit and one issued while it is in flight both fail.
    let a = db.exec("INSERT INTO t VALUES (2)".into());
    let b = db.exec("INSERT INTO t VALUES (3)".into());
    assert_eq!(code(&wait(a).await.unwrap_err()), "IDB_ABORTED");
    assert_eq!(code(&wait(b).await.unwrap_err()), "IDB_ABORTED");
    assert_eq!(rows(&db, "SELECT id FROM t").await, r#"[{"id":1}]"#);
    assert_eq!(json(&db.timeline().unwrap()), durable_timeline);

    // Still usable, and what is stored is exactly the durable state.
    exec(&db, "INSERT INTO t VALUES (4)").await;
    wait(db.close()).await.unwrap();
    let db = open(&name).await;
    assert_eq!(rows(&db, "SELECT id FROM t ORDER BY id").await, r#"[{"id":1},{"id":4}]"#);

    db.fail_next_flush("QuotaExceededError".into()).unwrap();
    let e = wait(db.exec("INSERT INTO t VALUES (5)".into())).await.unwrap_err();
    assert_eq!(code(&e), "QUOTA_EXCEEDED");
    assert!(e.is_instance_of::<js_sys::Error>());
    assert!(get(&e, "message").as_string().unwrap().contains("QuotaExceededError"));
    assert_eq!(rows(&db, "SELECT id FROM t ORDER BY id").await, r#"[{"id":1},{"id":4}]"#);
    wait(db.delete()).await.unwrap();
}

#[wasm_bindgen_test]
async fn sql_api_exec_query_params_diff_export_import_and_events() {
    let name = unique("api");
    let db = open(&name).await;
    let events = Array::new();
    let sink = events.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        sink.push(&get(&e, "type"));
    });
    let unsubscribe: Function = db.subscribe(listener.as_ref().unchecked_ref::<Function>().clone()).unchecked_into();

    db.set_clock(Some(time("2021-01-01 10:00:00"))).unwrap();
    let r = exec(&db, "CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(8,2)); INSERT INTO p VALUES (1, 'a', 1.50), (2, 'b', 2.00); SELECT id, name FROM p ORDER BY id").await;
    assert_eq!(
        json(&r),
        r#"[{"columns":[],"values":[],"rowsAffected":0},{"columns":[],"values":[],"rowsAffected":2},{"columns":["id","name"],"values":[[1,"a"],[2,"b"]],"rowsAffected":0}]"#
    );
    db.set_clock(Some(time("2021-01-01 11:00:00"))).unwrap();
    let tricky = "it's \\ a 'quoted' ? -- not a comment";
    wait(db.query(
        "INSERT INTO p VALUES (?, ?, ?)".into(),
        Some(vec![JsValue::from(3), JsValue::from(tricky), JsValue::NULL]),
    ))
    .await
    .unwrap();
    let got =
        wait(db.query("SELECT name FROM p WHERE id = ? AND name = ?".into(), Some(vec![3.into(), tricky.into()])))
            .await
            .unwrap();
    assert_eq!(get(&Array::from(&got).get(0), "name").as_string().unwrap(), tricky);
    db.set_clock(Some(time("2021-01-01 12:00:00"))).unwrap();
    exec(&db, "UPDATE p SET price = 9.99 WHERE id = 1").await;
    db.set_clock(Some(time("2021-01-01 13:00:00"))).unwrap();

    let d = db.diff("p", time("2021-01-01 10:30:00"), time("2021-01-01 12:30:00")).unwrap();
    let changes: Vec<String> = Array::from(&d)
        .iter()
        .map(|r| format!("{}:{}", get(&r, "change").as_string().unwrap(), get(&r, "id").as_f64().unwrap()))
        .collect();
    assert_eq!(changes, ["changed:1", "added:3"]);

    let dump = db.export_sql(None).unwrap();
    assert!(dump.contains("CREATE TABLE `p`"), "{dump}");
    let copy = ReelDb::open_in_memory(None).unwrap();
    wait(copy.import_sql(dump)).await.unwrap();
    let a = rows(&db, "SELECT * FROM p ORDER BY id").await;
    assert_eq!(rows(&copy, "SELECT * FROM p ORDER BY id").await, a);

    let bt = wait(db.backtrack(target("2021-01-01 10:30:00"), None)).await.unwrap();
    assert_eq!(get(&get(&bt, "record"), "status").as_string().unwrap(), "completed");
    assert_eq!(rows(&db, "SELECT COUNT(*) AS n FROM p").await, r#"[{"n":2}]"#);
    let view = db.as_of(time("2021-01-01 12:30:00")).unwrap();
    assert_eq!(json(&view.query("SELECT COUNT(*) AS n FROM p", None).unwrap()), r#"[{"n":3}]"#);
    // Common table expressions read the past too; their names are not tables.
    let q = "WITH q AS (SELECT id FROM p) SELECT COUNT(*) AS n FROM q";
    assert_eq!(json(&view.query(q, None).unwrap()), r#"[{"n":3}]"#);
    let q = "WITH RECURSIVE r(k) AS (SELECT MIN(id) FROM p UNION ALL SELECT k + 1 FROM r WHERE k < (SELECT 3)) \
             SELECT COUNT(*) AS n FROM r";
    assert_eq!(json(&view.query(q, None).unwrap()), r#"[{"n":3}]"#);
    // So do subqueries inside expressions (the current state has 2 rows).
    let q = "SELECT (SELECT COUNT(*) FROM p) AS n, EXISTS (SELECT 1 FROM p WHERE id = 3) AS e \
             FROM p WHERE id IN (SELECT MAX(id) FROM p)";
    assert_eq!(json(&view.query(q, None).unwrap()), r#"[{"n":3,"e":1}]"#);
    assert_eq!(code(&view.query("DELETE FROM p", None).unwrap_err()), "READ_ONLY");
    assert_eq!(code(&db.as_of(time("2000-01-01 00:00:00")).err().unwrap()), "BEFORE_EARLIEST");

    unsubscribe.call0(&JsValue::NULL).unwrap();
    exec(&db, "INSERT INTO p VALUES (7, 'x', 1)").await;
    let kinds: Vec<String> = events.iter().map(|e| e.as_string().unwrap()).collect();
    assert_eq!(kinds, ["commit", "commit", "commit", "commit", "backtrack"]);
    drop(listener);
    wait(db.delete()).await.unwrap();
}

#[wasm_bindgen_test]
async fn two_connections_see_each_others_writes_and_a_backtrack_rolls_back_the_other() {
    let name = unique("tabs");
    let a = open(&name).await;
    let b = open(&name).await;
    let remote = Array::new();
    let sink = remote.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        sink.push(&get(&e, "type"));
    });
    a.subscribe(listener.as_ref().unchecked_ref::<Function>().clone());

    exec(&a, "SET sql_mode = ''; CREATE TABLE t (id INT PRIMARY KEY)").await;
    exec(&b, "INSERT INTO t VALUES (1)").await;
    exec(&a, "INSERT INTO t VALUES (2)").await;
    assert_eq!(rows(&b, "SELECT id FROM t ORDER BY id").await, r#"[{"id":1},{"id":2}]"#);
    assert_eq!(rows(&a, "SELECT id FROM t ORDER BY id").await, r#"[{"id":1},{"id":2}]"#);
    // A took B's commit into a new image: its session's settings stayed.
    assert_eq!(rows(&a, "SELECT @@sql_mode AS m").await, r#"[{"m":""}]"#);
    assert_ne!(rows(&b, "SELECT @@sql_mode AS m").await, r#"[{"m":""}]"#);
    let mark = a.now().unwrap();
    sleep(5).await;

    // A transaction open in A; B backtracks: A's transaction is rolled back.
    exec(&a, "BEGIN; INSERT INTO t VALUES (3)").await;
    assert!(a.in_transaction());
    let bt = wait(b.backtrack(target(&mark), None)).await.unwrap();
    assert_eq!(get(&get(&bt, "record"), "status").as_string().unwrap(), "completed");
    for _ in 0..100 {
        if !a.in_transaction() && remote.iter().any(|e| e.as_string().as_deref() == Some("remote")) {
            break;
        }
        sleep(10).await;
    }
    assert!(!a.in_transaction());
    let kinds: Vec<String> = remote.iter().map(|e| e.as_string().unwrap()).collect();
    assert!(kinds.contains(&"rollback".to_string()) && kinds.contains(&"remote".to_string()), "{kinds:?}");
    assert_eq!(rows(&a, "SELECT id FROM t ORDER BY id").await, r#"[{"id":1},{"id":2}]"#);
    let last: Array = a.timeline().unwrap().unchecked_into();
    assert_eq!(get(&last.get(last.length() - 1), "kind").as_string().unwrap(), "backtrack");

    // Interleaved writers never lose a commit.
    let mut pending = Vec::new();
    for i in 10..30 {
        let db = if i % 2 == 0 { &a } else { &b };
        pending.push(db.query("INSERT INTO t VALUES (?)".into(), Some(vec![JsValue::from(i)])));
    }
    for p in pending {
        wait(p).await.unwrap();
    }
    assert_eq!(rows(&a, "SELECT COUNT(*) AS n FROM t").await, r#"[{"n":22}]"#);
    assert_eq!(rows(&b, "SELECT COUNT(*) AS n FROM t").await, r#"[{"n":22}]"#);
    wait(a.close()).await.unwrap();
    wait(b.close()).await.unwrap();
    drop(listener);
    let c = open(&name).await;
    assert_eq!(rows(&c, "SELECT COUNT(*) AS n FROM t").await, r#"[{"n":22}]"#);
    wait(c.delete()).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_tab_announces_its_flushes_only_once_another_tab_has_the_database_open() {
    let name = unique("alone");
    // A bystander on the database's channel that never says `hello`: it
    // records the type of every message posted there.
    let channel = web_sys::BroadcastChannel::new(&format!("reeldb:{name}")).unwrap();
    let seen = Array::new();
    let sink = seen.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        sink.push(&get(&e.data(), "type"));
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let kinds = |seen: &Array| seen.iter().filter_map(|k| k.as_string()).collect::<Vec<_>>();

    let a = open(&name).await;
    exec(&a, "CREATE TABLE t (id INT PRIMARY KEY)").await;
    exec(&a, "INSERT INTO t VALUES (1)").await;
    sleep(50).await;
    let k = kinds(&seen);
    assert_eq!(k[0], "hello", "{k:?}");
    assert!(!k.iter().any(|k| k == "commit"), "a tab alone posts no commit notice: {k:?}");
    let before_b = k.len();

    let b = open(&name).await;
    let remote = Array::new();
    let sink = remote.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        if get(&e, "type").as_string().as_deref() == Some("remote") {
            sink.push(&e);
        }
    });
    b.subscribe(listener.as_ref().unchecked_ref::<Function>().clone());
    exec(&a, "INSERT INTO t VALUES (2)").await;
    for _ in 0..100 {
        if remote.length() > 0 {
            break;
        }
        sleep(10).await;
    }
    assert_eq!(remote.length(), 1, "B is told of A's commit: {}", json(&remote));
    let k = kinds(&seen)[before_b..].to_vec();
    assert_eq!(k[..2], ["hello", "here"], "B says hello, A answers: {k:?}");
    assert_eq!(k.iter().filter(|k| *k == "commit").count(), 1, "{k:?}");
    assert_eq!(rows(&b, "SELECT id FROM t ORDER BY id").await, r#"[{"id":1},{"id":2}]"#);
    channel.close();
    drop(on_message);
    drop(listener);
    wait(a.close()).await.unwrap();
    wait(b.delete()).await.unwrap();
}

fn pages_read(db: &ReelDb) -> f64 {
    get(&db.storage_info(), "pagesRead").as_f64().unwrap()
}

#[wasm_bindgen_test]
async fn another_tabs_commit_is_applied_by_reading_only_the_pages_it_wrote() {
    let name = unique("delta");
    let writer = open(&name).await;
    exec(&writer, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(40))").await;
    let values: Vec<String> = (0..6000).map(|i| format!("({i}, 'a value that takes some room {i}')")).collect();
    exec(&writer, &format!("INSERT INTO t VALUES {}", values.join(","))).await;
    // A bystander on the database's channel sees the writer answer the
    // watcher's `hello` (`here`): from then on the writer announces every
    // flush. Commits made before the writer has the `hello` are not
    // announced, and the watcher reloads whole when it hears `here` (open
    // does not wait for other tabs' answers), which is not what this test
    // measures.
    let channel = web_sys::BroadcastChannel::new(&format!("reeldb:{name}")).unwrap();
    let heres = Rc::new(Cell::new(0u32));
    let count = heres.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        if get(&e.data(), "type").as_string().as_deref() == Some("here") {
            count.set(count.get() + 1);
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let watcher = open(&name).await;
    for _ in 0..200 {
        if heres.get() > 0 {
            break;
        }
        sleep(10).await;
    }
    assert!(heres.get() > 0, "the writer answered the watcher's hello");
    channel.close();
    drop(on_message);
    let total = get(&watcher.storage_info(), "pages").as_f64().unwrap();
    assert!(total > 100.0, "{total} pages");
    let remote = Array::new();
    let sink = remote.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        if get(&e, "type").as_string().as_deref() == Some("remote") {
            sink.push(&e);
        }
    });
    watcher.subscribe(listener.as_ref().unchecked_ref::<Function>().clone());

    let before = pages_read(&watcher);
    for i in 0..3 {
        exec(&writer, &format!("UPDATE t SET v = 'changed {i}' WHERE id = {}", i * 1000)).await;
        exec(&writer, &format!("INSERT INTO t VALUES ({}, 'new')", 10_000 + i)).await;
    }
    for _ in 0..200 {
        let seen: usize = remote.iter().map(|e| Array::from(&get(&e, "entries")).length() as usize).sum();
        if seen >= 6 {
            break;
        }
        sleep(10).await;
    }
    let seen: usize = remote.iter().map(|e| Array::from(&get(&e, "entries")).length() as usize).sum();
    assert_eq!(seen, 6, "every commit reported once: {}", json(&remote));
    let read = pages_read(&watcher) - before;
    assert!(read < total / 4.0, "read {read} of {total} pages for six small commits");
    assert_eq!(
        rows(&watcher, "SELECT COUNT(*) AS n, MAX(id) AS m FROM t WHERE v LIKE 'changed%' OR v = 'new'").await,
        r#"[{"n":6,"m":10002}]"#
    );
    assert_eq!(json(&watcher.timeline().unwrap()), json(&writer.timeline().unwrap()));
    // Taking the lock for that query found the image current: no full reload.
    assert!(pages_read(&watcher) - before < total / 4.0);
    wait(writer.close()).await.unwrap();
    wait(watcher.delete()).await.unwrap();
    drop(listener);
}

#[wasm_bindgen_test]
async fn a_reader_does_not_wait_on_another_connections_open_transaction() {
    let name = unique("readers");
    let a = open(&name).await;
    exec(&a, "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1)").await;
    let b = ReelDb::open_named(&name, opts(&[("lockTimeoutMs", 300.into())])).await.unwrap();
    exec(&a, "BEGIN; INSERT INTO t VALUES (2)").await;
    // A holds the writer lock in an open transaction: B still reads, the
    // committed state only, through exec and query alike.
    assert_eq!(rows(&b, "SELECT id FROM t ORDER BY id").await, r#"[{"id":1}]"#);
    let r = wait(b.exec("SHOW TABLES; SELECT COUNT(*) AS n FROM t".into())).await.unwrap();
    assert_eq!(Array::from(&r).length(), 2);
    // A write from B is what waits, and times out.
    assert_eq!(code(&wait(b.exec("SELECT 1; INSERT INTO t VALUES (3)".into())).await.unwrap_err()), "LOCK_TIMEOUT");
    exec(&a, "COMMIT").await;
    // Once A's commit is acknowledged, B's next read sees it, notice or not.
    assert_eq!(rows(&b, "SELECT id FROM t ORDER BY id").await, r#"[{"id":1},{"id":2}]"#);
    exec(&b, "INSERT INTO t VALUES (3)").await;
    assert_eq!(rows(&a, "SELECT COUNT(*) AS n FROM t").await, r#"[{"n":3}]"#);
    wait(a.close()).await.unwrap();
    wait(b.delete()).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_writer_waiting_on_another_connections_open_transaction_times_out() {
    let name = unique("locktimeout");
    let a = open(&name).await;
    exec(&a, "CREATE TABLE t (id INT PRIMARY KEY)").await;
    let b = ReelDb::open_named(&name, opts(&[("lockTimeoutMs", 200.into())])).await.unwrap();
    exec(&a, "BEGIN; INSERT INTO t VALUES (1)").await;
    let e = wait(b.exec("INSERT INTO t VALUES (2)".into())).await.unwrap_err();
    assert_eq!(code(&e), "LOCK_TIMEOUT");
    exec(&a, "COMMIT").await;
    exec(&b, "INSERT INTO t VALUES (2)").await;
    assert_eq!(rows(&b, "SELECT id FROM t ORDER BY id").await, r#"[{"id":1},{"id":2}]"#);
    assert_eq!(
        code(&ReelDb::open_named(&name, opts(&[("lockTimeoutMs", (-1).into())])).await.err().unwrap()),
        "BAD_OPTION"
    );
    wait(a.close()).await.unwrap();
    wait(b.delete()).await.unwrap();
}
