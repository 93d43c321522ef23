//! In-process fuzzer for ReelDB's SQL layer (parse + execute).
//!
//! Usage: `reeldb-fuzz [--execs N] [--seed S] [--threads T] [--verbose] [PATH...]`
//!
//! Each execution runs one generated statement on a session. Statements come
//! from three sources, chosen at random: a grammar of ReelDB's SQL (queries,
//! DML, DDL, temporal SQL, transactions, session statements), statements
//! taken from the `.test` files under the PATHs, and mutations of either
//! (token deletion, duplication, replacement, splicing, truncation, byte
//! noise). A session is replaced by a fresh one with a small schema every
//! few hundred executions, so tables stay small. About one execution in
//! four is a prepared statement instead: a generated statement with some of
//! its literals turned into `?` placeholders is prepared (kept in a small
//! pool; statements are dropped from it at random, as `finalize` does) and
//! a statement of the pool is run with random parameter values (now and
//! then too few or too many), so statements are reused across the DDL,
//! backtracks and transactions of the stream. A panic is caught, printed
//! with the statements that led to it, and counted as a failure; the exit
//! status is non-zero if there was any. A prepared query that may run with
//! the plan kept from its last execution is run again bound anew, and the
//! two answers must be equal (a mismatch is a failure too; statements with
//! functions whose value changes between executions are left out). A statement that takes longer than
//! five seconds is reported as slow.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Instant;

mod corpus;
mod gen;
mod prepared;
mod rng;
mod runner;
mod vocab;

use crate::corpus::load_corpus;
use crate::runner::{run, Report};

fn main() -> ExitCode {
    let mut execs = 100_000u64;
    let mut seed = 1u64;
    let mut threads = 1usize;
    let mut paths = Vec::new();
    let mut verbose = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--execs" => execs = args.next().and_then(|v| v.parse().ok()).unwrap_or(execs),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            "--threads" => threads = args.next().and_then(|v| v.parse().ok()).unwrap_or(threads).max(1),
            "--verbose" | "-v" => verbose = true,
            "-h" | "--help" => {
                println!("usage: reeldb-fuzz [--execs N] [--seed S] [--threads T] [--verbose] [PATH...]");
                return ExitCode::SUCCESS;
            }
            _ => paths.push(PathBuf::from(a)),
        }
    }
    // Panics are reported by the loop; keep the default hook's output short.
    std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}")));
    let mut corpus = Vec::new();
    for p in &paths {
        load_corpus(p, 1_000_000, &mut corpus);
    }
    eprintln!("corpus: {} statements; {execs} executions on {threads} thread(s), seed {seed}", corpus.len());
    let corpus = Arc::new(corpus);
    let progress = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let per = execs.div_ceil(threads as u64);
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let corpus = corpus.clone();
            let progress = progress.clone();
            std::thread::spawn(move || {
                run(seed.wrapping_mul(1000).wrapping_add(i as u64), per, &corpus, &progress, verbose)
            })
        })
        .collect();
    let mut total = Report { execs: 0, ok: 0, panics: 0, slow: 0, plan_mismatches: 0, plan_checks: 0 };
    for h in handles {
        match h.join() {
            Ok(r) => {
                total.execs += r.execs;
                total.ok += r.ok;
                total.panics += r.panics;
                total.slow += r.slow;
                total.plan_mismatches += r.plan_mismatches;
                total.plan_checks += r.plan_checks;
            }
            Err(_) => total.panics += 1,
        }
    }
    println!(
        "{} executions ({} succeeded) in {:.1} s: {} panics, {} slow statements, {} of {} kept-plan executions answered otherwise than bound anew",
        total.execs,
        total.ok,
        start.elapsed().as_secs_f64(),
        total.panics,
        total.slow,
        total.plan_mismatches,
        total.plan_checks
    );
    if total.panics > 0 || total.plan_mismatches > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
