//! `reeldb`: the interactive shell (and the `--jsonl` mode for programs).
//!
//! ```text
//! reeldb [FILE]           interactive shell (in-memory database without FILE)
//! reeldb --jsonl [FILE]   one JSON string (a SQL statement) per input line,
//!                         one JSON object per output line
//! reeldb --dump FILE      prints a MySQL-compatible SQL dump of FILE
//! reeldb --dump --history FILE
//!                         the dump with every row version, as MariaDB
//!                         10.11 system-versioned tables
//! reeldb --help           every option; an unknown option is an error
//! ```
//!
//! Dot commands in the shell: `.timeline`, `.backtracks`, `.restore_points`,
//! `.status`, `.tables`, `.dump`, `.help`, `.quit`.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use reeldb::sql::{ends_statement, Session, SqlError, StatementResult, Value};
use reeldb::{Database, FileBackend, Options};

fn open(path: Option<&Path>) -> Result<Session, String> {
    match path {
        None => Ok(Session::in_memory()),
        Some(p) => {
            let name = p.display();
            let backend = FileBackend::open(p).map_err(|e| format!("cannot open {name}: {e}"))?;
            let db = Database::open(Box::new(backend), Options::default())
                .map_err(|e| format!("cannot open {name}: {e}"))?;
            Ok(Session::new(db))
        }
    }
}

fn json_value(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Double(f) if f.is_finite() => serde_json::Value::from(*f),
        other => serde_json::Value::String(other.to_string()),
    }
}

fn json_error(e: &SqlError) -> serde_json::Value {
    serde_json::json!({"error": {"code": e.code.name(), "message": e.message}})
}

fn jsonl(mut session: Session) -> ExitCode {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<String>(&line) {
            Err(e) => {
                serde_json::json!({"error": {"code": "ER_PARSE_ERROR", "message": format!("input line is not a JSON string: {e}")}})
            }
            Ok(sql) => match session.execute(&sql) {
                Err(e) => json_error(&e),
                Ok(mut results) => match results.pop() {
                    None => serde_json::json!({"affected": 0}),
                    Some(StatementResult::Affected(n)) => serde_json::json!({"affected": n}),
                    Some(StatementResult::Rows { columns, rows }) => serde_json::json!({
                        "columns": columns,
                        "rows": rows.iter().map(|r| r.iter().map(json_value).collect::<Vec<_>>()).collect::<Vec<_>>(),
                    }),
                },
            },
        };
        if writeln!(out, "{reply}").is_err() {
            break;
        }
        let _ = out.flush();
    }
    ExitCode::SUCCESS
}

/// Renders a result set as a boxed text table.
fn table(columns: &[String], rows: &[Vec<Value>]) -> String {
    let cells: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|v| v.to_string()).collect()).collect();
    let mut w: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            if i < w.len() {
                w[i] = w[i].max(c.chars().count());
            }
        }
    }
    let sep: String = format!("+{}+", w.iter().map(|n| "-".repeat(n + 2)).collect::<Vec<_>>().join("+"));
    let line = |vals: &[String], right: &[bool]| -> String {
        let parts: Vec<String> = vals
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let pad = w[i].saturating_sub(v.chars().count());
                if right.get(i).copied().unwrap_or(false) {
                    format!(" {}{} ", " ".repeat(pad), v)
                } else {
                    format!(" {}{} ", v, " ".repeat(pad))
                }
            })
            .collect();
        format!("|{}|", parts.join("|"))
    };
    let mut s = String::new();
    s.push_str(&sep);
    s.push('\n');
    s.push_str(&line(columns, &[]));
    s.push('\n');
    s.push_str(&sep);
    s.push('\n');
    for (r, vals) in rows.iter().zip(&cells) {
        let right: Vec<bool> = r.iter().map(|v| v.is_numeric()).collect();
        s.push_str(&line(vals, &right));
        s.push('\n');
    }
    s.push_str(&sep);
    s
}

fn print_results(results: Vec<StatementResult>, elapsed: std::time::Duration) {
    for r in results {
        match r {
            StatementResult::Affected(n) => println!(
                "Query OK, {n} row{} affected ({:.2} sec)",
                if n == 1 { "" } else { "s" },
                elapsed.as_secs_f64()
            ),
            StatementResult::Rows { columns, rows } => {
                if rows.is_empty() {
                    println!("Empty set ({:.2} sec)", elapsed.as_secs_f64());
                } else {
                    println!("{}", table(&columns, &rows));
                    println!(
                        "{} row{} in set ({:.2} sec)",
                        rows.len(),
                        if rows.len() == 1 { "" } else { "s" },
                        elapsed.as_secs_f64()
                    );
                }
            }
        }
    }
}

const HELP: &str = "Statements end with ';'. Dot commands:
  .timeline        the commit and backtrack timeline
  .backtracks      the backtrack log
  .restore_points  named restore points
  .status          backtrack window and history size
  .tables          tables of the current database
  .dump            a MySQL-compatible SQL dump of every database
  .help            this text
  .quit            leave
Temporal SQL: SELECT ... FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '...';
  BACKTRACK TO TIMESTAMP '...';  CREATE RESTORE POINT p;  BACKTRACK TO RESTORE POINT p;
  SELECT * FROM reeldb_diff('t', '<from>', '<to>');";

fn dot(session: &mut Session, cmd: &str) -> bool {
    let sql = match cmd.split_whitespace().next().unwrap_or("") {
        ".quit" | ".exit" => return false,
        ".help" => {
            println!("{HELP}");
            return true;
        }
        ".dump" => {
            match session.dump() {
                Ok(text) => print!("{text}"),
                Err(e) => println!("ERROR {}: {}", e.code.name(), e.message),
            }
            return true;
        }
        ".timeline" => "SELECT * FROM information_schema.timeline ORDER BY seq",
        ".backtracks" => "SELECT * FROM information_schema.backtracks ORDER BY id",
        ".restore_points" => "SELECT * FROM information_schema.restore_points",
        ".status" => "SELECT * FROM information_schema.global_status",
        ".tables" => "SHOW TABLES",
        other => {
            println!("unknown command {other}; try .help");
            return true;
        }
    };
    let t = std::time::Instant::now();
    match session.execute(sql) {
        Ok(r) => print_results(r, t.elapsed()),
        Err(e) => println!("ERROR {e}"),
    }
    true
}

/// `--dump [--history]`: the dump on standard output.
fn dump_to_stdout(mut session: Session, history: bool) -> ExitCode {
    match if history { session.dump_history() } else { session.dump() } {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ERROR {}: {}", e.code.name(), e.message);
            ExitCode::FAILURE
        }
    }
}

fn interactive(mut session: Session) -> ExitCode {
    println!("ReelDB {} — a SQL database you can rewind. Type .help for help.", env!("CARGO_PKG_VERSION"));
    let mut rl = match rustyline::DefaultEditor::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the line editor: {e}");
            return ExitCode::FAILURE;
        }
    };
    let history = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".reeldb_history"));
    if let Some(h) = &history {
        let _ = rl.load_history(h);
    }
    let mut buf = String::new();
    loop {
        let prompt = if buf.is_empty() {
            format!("reeldb [{}]> ", Some(session.current_database()).filter(|d| !d.is_empty()).unwrap_or("(none)"))
        } else {
            "    -> ".to_string()
        };
        let line = match rl.readline(&prompt) {
            Ok(l) => l,
            Err(rustyline::error::ReadlineError::Interrupted) => {
                buf.clear();
                continue;
            }
            Err(_) => break,
        };
        if buf.is_empty() && line.trim_start().starts_with('.') {
            let _ = rl.add_history_entry(line.as_str());
            if !dot(&mut session, line.trim()) {
                break;
            }
            continue;
        }
        buf.push_str(&line);
        buf.push('\n');
        if !ends_statement(&buf) {
            continue;
        }
        let sql = std::mem::take(&mut buf);
        let _ = rl.add_history_entry(sql.trim());
        let t = std::time::Instant::now();
        match session.execute(&sql) {
            Ok(r) => print_results(r, t.elapsed()),
            Err(e) => println!("ERROR {}: {}", e.code.name(), e.message),
        }
    }
    if let Some(h) = &history {
        let _ = rl.save_history(h);
    }
    ExitCode::SUCCESS
}

/// ReelDB, a SQL database you can rewind: an interactive shell, a JSON-lines
/// mode for programs, and SQL dumps.
#[derive(Parser, Debug)]
#[command(name = "reeldb", version)]
struct Cli {
    /// For programs: each input line is a JSON string holding one SQL
    /// statement, each output line one JSON object (rows, affected count or
    /// error)
    #[arg(long, conflicts_with = "dump")]
    jsonl: bool,
    /// Print a MySQL-compatible SQL dump of FILE and exit
    #[arg(long, requires = "file")]
    dump: bool,
    /// With --dump: every row version, as MariaDB 10.11 system-versioned
    /// tables (`FOR SYSTEM_TIME AS OF` answers as in ReelDB)
    #[arg(long, requires = "dump")]
    history: bool,
    /// Database file (created when missing); without it the database lives
    /// in memory
    file: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let session = match open(cli.file.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if cli.dump {
        dump_to_stdout(session, cli.history)
    } else if cli.jsonl {
        jsonl(session)
    } else {
        interactive(session)
    }
}
