#![cfg(not(target_arch = "wasm32"))]
//! The shell's `--dump`: a database file written through `--jsonl` dumps to
//! a script that recreates the same rows in a new database.

use std::io::Write;
use std::process::{Command, Stdio};

use reeldb::sql::{Session, StatementResult};

fn shell(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reeldb"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_shell_dumps_a_database_file() {
    let dir = std::env::temp_dir().join(format!("reeldb-shell-dump-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("db.reel");
    let file = file.to_str().unwrap();
    let script = [
        "CREATE DATABASE `sh``op`",
        "CREATE TABLE `sh``op`.p (id INT PRIMARY KEY, name VARCHAR(20))",
        "INSERT INTO `sh``op`.p VALUES (1, 'it''s'), (2, NULL)",
    ];
    let lines: String = script.iter().map(|s| serde_json::to_string(s).unwrap() + "\n").collect();
    let out = shell(&["--jsonl", file], &lines);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("error"), "{}", String::from_utf8_lossy(&out.stdout));

    let out = shell(&["--dump", file], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dump = String::from_utf8(out.stdout).unwrap();
    assert!(dump.contains("CREATE TABLE `p`"), "{dump}");

    let mut s = Session::in_memory();
    s.execute(&dump).unwrap();
    assert_eq!(
        s.execute_one("SELECT id, name FROM `sh``op`.p ORDER BY id").unwrap(),
        StatementResult::Rows {
            columns: vec!["id".into(), "name".into()],
            rows: vec![
                vec![reeldb::sql::Value::Int(1), reeldb::sql::Value::Str("it's".into())],
                vec![reeldb::sql::Value::Int(2), reeldb::sql::Value::Null],
            ],
        }
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
