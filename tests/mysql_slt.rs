#![cfg(not(target_arch = "wasm32"))]
//! Runs the sqllogictest files of `tests/mysql/`, whose expected answers
//! were recorded from MariaDB (`node scripts/mysql-oracle.mjs record`, see
//! ARCHITECTURE.md): every record of every file must pass.

use std::path::Path;

use reeldb::sql::run_script;
use reeldb::sql::Session;

#[test]
fn recorded_mysql_scripts_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mysql");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "test"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no recorded files in {}", dir.display());
    let mut failures = Vec::new();
    let mut total = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let rep = run_script(&text, Session::in_memory());
        if rep.failed > 0 || rep.passed == 0 || rep.skipped > 0 {
            failures.push(format!(
                "{}: {} passed, {} failed, {} skipped\n{}",
                f.display(),
                rep.passed,
                rep.failed,
                rep.skipped,
                rep.failures.join("\n")
            ));
        }
        total += rep.passed;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{} recorded records passed in {} files", total, files.len());
}
