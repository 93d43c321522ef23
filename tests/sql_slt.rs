#![cfg(not(target_arch = "wasm32"))]
//! Runs ReelDB's own sqllogictest scripts (`tests/slt/*.test`), the
//! reference scenario and one corpus file (from `../shared`, which must be
//! there: a missing file fails the test); every record must pass.
//! The whole corpus runs with `cargo run --release --bin reeldb-slt`.

use std::path::Path;

use reeldb::sql::run_script;
use reeldb::sql::Session;

fn run(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rep = run_script(&text, Session::in_memory());
    assert!(
        rep.failed == 0,
        "{}: {} passed, {} failed\n{}",
        path.display(),
        rep.passed,
        rep.failed,
        rep.failures.join("\n")
    );
    assert!(rep.passed > 0, "{}: no records ran", path.display());
}

#[test]
fn own_scripts_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    assert!(!files.is_empty());
    for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "test")) {
        run(f);
    }
}

#[test]
fn reference_scenario_passes() {
    run(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/scenario/backtrack.test"));
}

#[test]
fn corpus_select1_passes() {
    run(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/sqllogictest/select1.test"));
}
