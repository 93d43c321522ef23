//! sqllogictest runner for ReelDB (mysql mode).
//!
//! Usage: `reeldb-slt [--strict FILE]... [--min-rate R] [--verbose] PATH...`
//!
//! Runs every `.test` file under the PATHs (files or directories), each on a
//! fresh in-memory database, prints `file: N passed, N failed` per file and
//! `N passed, N failed` as the last line. Exits non-zero when a `--strict`
//! file has a failure or the pass rate over the PATHs is below `--min-rate`
//! (default 0.995).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use reeldb::sql::run_script;
use reeldb::sql::Session;

fn collect(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(p).map(|r| r.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else if p.extension().is_some_and(|e| e == "test") {
        out.push(p.to_path_buf());
    }
}

fn main() -> ExitCode {
    let mut strict = Vec::new();
    let mut paths = Vec::new();
    let mut min_rate = 0.995f64;
    let mut verbose = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--strict" => strict.extend(args.next().map(PathBuf::from)),
            "--min-rate" => min_rate = args.next().and_then(|r| r.parse().ok()).unwrap_or(min_rate),
            "--verbose" | "-v" => verbose = true,
            "--help" | "-h" => {
                eprintln!("usage: reeldb-slt [--strict FILE]... [--min-rate R] [--verbose] PATH...");
                return ExitCode::SUCCESS;
            }
            _ => paths.push(PathBuf::from(a)),
        }
    }
    let mut ok = true;
    let (mut tp, mut tf) = (0u64, 0u64);
    let run = |file: &Path, must_pass: bool| -> (u64, u64) {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                println!("{}: cannot read: {e}", file.display());
                return (0, 1);
            }
        };
        let rep = run_script(&text, Session::in_memory());
        println!("{}: {} passed, {} failed", file.display(), rep.passed, rep.failed);
        if verbose || (must_pass && rep.failed > 0) {
            for f in &rep.failures {
                println!("  {f}");
            }
        }
        (rep.passed, rep.failed)
    };
    for s in &strict {
        let (p, f) = run(s, true);
        if f > 0 {
            ok = false;
        }
        tp += p;
        tf += f;
    }
    let mut files = Vec::new();
    for p in &paths {
        let before = files.len();
        collect(p, &mut files);
        // A path that is missing or holds no script must not pass as "0 failed".
        if files.len() == before {
            println!("{}: no .test files (missing path?)", p.display());
            ok = false;
        }
    }
    let (mut cp, mut cf) = (0u64, 0u64);
    for f in &files {
        let (p, fl) = run(f, false);
        cp += p;
        cf += fl;
    }
    if cp + cf > 0 {
        let rate = cp as f64 / (cp + cf) as f64;
        if rate < min_rate {
            eprintln!("pass rate {:.4} is below the threshold {min_rate}", rate);
            ok = false;
        }
    }
    tp += cp;
    tf += cf;
    println!("{tp} passed, {tf} failed");
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
