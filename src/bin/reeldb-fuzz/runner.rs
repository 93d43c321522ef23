//! One fuzzing thread: statements run on a session, panics caught and
//! reported with the statements that led to them.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reeldb::sql::{PreparedStatement, Session, SqlError, Value};

use crate::gen::Gen;
use crate::prepared::Pool;
use crate::rng::Rng;

const SETUP: &str = "CREATE TABLE t1 (a INT PRIMARY KEY, b VARCHAR(10), c DECIMAL(5,2), d DOUBLE, e DATETIME, f TIME); \
     CREATE TABLE t2 (a INT, b TEXT, x INT UNIQUE, id INT AUTO_INCREMENT PRIMARY KEY); \
     CREATE INDEX t2b ON t2 (b); \
     INSERT INTO t1 VALUES (1, 'x', 1.5, 0.25, '2020-01-01 00:00:00', '10:30:00'), (2, 'Y', NULL, -3, NULL, '-838:59:59'), (3, NULL, -99.99, 1e10, '2024-02-29 12:00:00', NULL); \
     INSERT INTO t2 (a, b, x) VALUES (1, 'x', 10), (NULL, 'y', 20), (3, 'x', NULL); \
     CREATE VIEW v1 AS SELECT a, b FROM t1 WHERE a > 1; \
     CREATE TABLE tab0 (pk INTEGER PRIMARY KEY, col0 INTEGER, col1 FLOAT, col2 TEXT, col3 INTEGER, col4 FLOAT, col5 TEXT); \
     CREATE TABLE tab1 (pk INTEGER PRIMARY KEY, col0 INTEGER, col1 FLOAT, col2 TEXT, col3 INTEGER, col4 FLOAT, col5 TEXT); \
     CREATE INDEX idx_tab1_0 ON tab1 (col0); \
     INSERT INTO tab0 VALUES (0, 5, 1.5, 'abc', 7, 2.25, 'q'), (1, -3, NULL, 'XY', 7, 0.5, NULL), (2, NULL, 9.75, '', 1, -1, 'z'); \
     INSERT INTO tab1 SELECT * FROM tab0";

fn fresh_session() -> Session {
    let mut s = Session::in_memory();
    s.execute("SET TIMESTAMP = 1600000000").expect("setup");
    s.execute(SETUP).expect("setup");
    s
}

pub(crate) struct Report {
    pub(crate) execs: u64,
    pub(crate) ok: u64,
    pub(crate) panics: u64,
    pub(crate) slow: u64,
    /// Executions with a kept plan that answered otherwise than the same
    /// statement bound anew.
    pub(crate) plan_mismatches: u64,
    /// Executions checked so against the statement bound anew.
    pub(crate) plan_checks: u64,
}

/// Functions whose value differs between two executions of a statement:
/// such a statement is not compared with itself bound anew.
const UNREPEATABLE: &[&str] = &[
    "RAND",
    "UUID",
    "NOW",
    "SYSDATE",
    "CURRENT_",
    "CURTIME",
    "CURDATE",
    "UNIX_TIMESTAMP",
    "LOCAL",
    "ROW_COUNT",
    "LAST_INSERT_ID",
    "FOUND_ROWS",
    "SLEEP",
    "@",
];

/// The rows or the error code of an execution, to compare two executions.
fn outcome(r: &Result<reeldb::sql::StatementResult, SqlError>) -> String {
    match r {
        Ok(x) => format!("{x:?}"),
        Err(e) => format!("{:?}", e.code),
    }
}

pub(crate) fn run(seed: u64, execs: u64, corpus: &[String], progress: &AtomicU64, verbose: bool) -> Report {
    let mut g = Gen { rng: Rng(seed), corpus, joined: false };
    let mut rep = Report { execs: 0, ok: 0, panics: 0, slow: 0, plan_mismatches: 0, plan_checks: 0 };
    let mut session = fresh_session();
    let mut pool = Pool::default();
    let mut history: Vec<String> = Vec::new();
    let mut clock = 1_600_000_000i64;
    while rep.execs < execs {
        if history.len() >= 150 {
            session = fresh_session();
            history.clear();
            clock = 1_600_000_000;
        }
        let sql = g.statement();
        // advance the clock now and then so that the timeline has distinct times
        if g.rng.chance(10) {
            clock += 1 + g.rng.below(5) as i64;
            let _ = session.execute(&format!("SET TIMESTAMP = {clock}"));
        }
        // a prepared statement instead, now and then
        let mut run: Result<Option<(PreparedStatement, Vec<Value>)>, SqlError> = Ok(None);
        let mut sql = sql;
        if g.rng.chance(25) {
            match pool.pick(&mut g.rng, &sql) {
                Ok((p, params)) => {
                    sql = format!("EXECUTE {} USING {params:?}", p.sql());
                    run = Ok(Some((p, params)));
                }
                Err((text, e)) => {
                    sql = text;
                    run = Err(e);
                }
            }
        }
        history.push(sql.clone());
        let start = Instant::now();
        let mut plan_check = None;
        let r = catch_unwind(AssertUnwindSafe(|| match run {
            Ok(Some((p, params))) => {
                // an execution that may use the plan kept from the last one
                // must answer what the statement bound anew answers
                let kept = p.has_plan();
                let r = p.execute(&mut session, &params);
                let upper = p.sql().to_ascii_uppercase();
                if kept && !UNREPEATABLE.iter().any(|f| upper.contains(f)) {
                    if let Ok(fresh) = Session::prepare(p.sql()) {
                        let again = fresh.execute(&mut session, &params);
                        plan_check = Some((outcome(&r), outcome(&again)));
                    }
                }
                r.map(|_| ())
            }
            Ok(None) => session.execute(&sql).map(|_| ()),
            Err(e) => Err(e),
        }));
        let r = r.map(|r| match r {
            Ok(_) => true,
            Err(e) => {
                if verbose {
                    eprintln!("{:?}: {e} <- {sql}", e.code);
                }
                false
            }
        });
        let took = start.elapsed();
        rep.execs += 1;
        if let Some((kept, fresh)) = plan_check {
            rep.plan_checks += 1;
            if kept != fresh {
                rep.plan_mismatches += 1;
                eprintln!("KEPT PLAN MISMATCH on: {sql}\n  kept plan: {kept:.300}\n  bound anew: {fresh:.300}");
                eprintln!("last statements of the session (after the setup):");
                for h in &history[history.len().saturating_sub(12)..] {
                    eprintln!("  {h};");
                }
            }
        }
        if progress.fetch_add(1, Ordering::Relaxed) % 100_000 == 99_999 {
            eprintln!("... {} executions", progress.load(Ordering::Relaxed));
        }
        if took > Duration::from_secs(5) {
            rep.slow += 1;
            eprintln!("SLOW ({:.1} s): {sql}", took.as_secs_f64());
        }
        if let Ok(true) = r {
            rep.ok += 1;
        }
        if r.is_err() {
            rep.panics += 1;
            eprintln!("PANIC on statement: {sql}");
            eprintln!("last statements of the session (after the setup):");
            for h in &history[history.len().saturating_sub(12)..] {
                eprintln!("  {h};");
            }
            session = fresh_session();
            history.clear();
        } else {
            // the session must stay usable
            let ok = catch_unwind(AssertUnwindSafe(|| session.execute("SELECT 1").is_ok())).unwrap_or(false);
            if !ok {
                rep.panics += 1;
                eprintln!("SESSION UNUSABLE after: {sql}");
                session = fresh_session();
                history.clear();
            }
        }
    }
    rep
}
