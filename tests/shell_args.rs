#![cfg(not(target_arch = "wasm32"))]
//! The shell's command line: `--help` lists every option, an unknown option
//! is an error that creates no file, and the options still work; `--dump`
//! of a database file written through `--jsonl` is a script that recreates
//! the same rows in a new database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use reeldb::sql::{Session, StatementResult, Value};

fn shell(args: &[&str], stdin: &str, dir: &std::path::Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reeldb"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("reeldb-shell-args-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn help_lists_every_option() {
    let dir = scratch("help");
    for flag in ["--help", "-h"] {
        let out = shell(&[flag], "", &dir);
        assert!(out.status.success(), "{flag}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        for opt in ["--jsonl", "--dump", "[FILE]", "--help", "--version"] {
            assert!(text.contains(opt), "{flag} does not mention {opt}:\n{text}");
        }
    }
    let out = shell(&["--version"], "", &dir);
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn an_unknown_option_is_an_error_and_creates_no_file() {
    let dir = scratch("bogus");
    let out = shell(&["--bogus-flag"], "", &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--bogus-flag"), "{err}");
    assert!(out.stdout.is_empty());
    assert!(!dir.join("--bogus-flag").exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "a file was created");

    // --dump needs a file; --dump and --jsonl exclude each other; one file only
    for args in [&["--dump"][..], &["--dump", "--jsonl", "a.db"][..], &["a.db", "b.db"][..]] {
        let out = shell(args, "", &dir);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "{args:?} created a file");
    }
}

#[test]
fn jsonl_in_memory_and_on_a_file() {
    let dir = scratch("jsonl");
    let out = shell(&["--jsonl"], "\"SELECT 1 + 1 AS two\"\n", &dir);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "{\"columns\":[\"two\"],\"rows\":[[2]]}\n");

    let out = shell(&["--jsonl", "db.reel"], "\"CREATE TABLE t (a INT)\"\n\"INSERT INTO t VALUES (7)\"\n", &dir);
    assert!(out.status.success());
    let out = shell(&["db.reel", "--jsonl"], "\"SELECT a FROM t\"\n", &dir);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "{\"columns\":[\"a\"],\"rows\":[[7]]}\n");
    let out = shell(&["--dump", "db.reel"], "", &dir);
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("INSERT INTO `t`"));
}

#[test]
fn the_shell_dumps_a_database_file() {
    let dir = scratch("dump");
    let file = "db.reel";
    let script = [
        "CREATE DATABASE `sh``op`",
        "CREATE TABLE `sh``op`.p (id INT PRIMARY KEY, name VARCHAR(20))",
        "INSERT INTO `sh``op`.p VALUES (1, 'it''s'), (2, NULL)",
    ];
    let lines: String = script.iter().map(|s| serde_json::to_string(s).unwrap() + "\n").collect();
    let out = shell(&["--jsonl", file], &lines, &dir);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("error"), "{}", String::from_utf8_lossy(&out.stdout));

    let out = shell(&["--dump", file], "", &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dump = String::from_utf8(out.stdout).unwrap();
    assert!(dump.contains("CREATE TABLE `p`"), "{dump}");

    let mut s = Session::in_memory();
    s.execute(&dump).unwrap();
    assert_eq!(
        s.execute_one("SELECT id, name FROM `sh``op`.p ORDER BY id").unwrap(),
        StatementResult::Rows {
            columns: vec!["id".into(), "name".into()],
            rows: vec![vec![Value::Int(1), Value::Str("it's".into())], vec![Value::Int(2), Value::Null],],
        }
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
