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
//! status is non-zero if there was any. A statement that takes longer than
//! five seconds is reported as slow.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reeldb::sql::{PreparedStatement, Session, SqlError, Value};
use reeldb::Timestamp;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, p: u32) -> bool {
        self.below(100) < p as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const TABLES: &[&str] = &["t1", "t2", "t3", "v1", "information_schema.timeline", "nosuch", "tab0"];
const COLUMNS: &[&str] = &["a", "b", "c", "d", "e", "id", "x", "ROW_START", "ROW_END", "nosuch", "t1.a", "t2.b"];
const LITERALS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "7",
    "2.5",
    "-0.001",
    "1e308",
    "-1e308",
    "1e-320",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "99999999999999999999999999999999999999",
    "0.000000000000000000000000000001",
    "NULL",
    "TRUE",
    "FALSE",
    "''",
    "'x'",
    "'abc'",
    "'ABC'",
    "'%'",
    "'_b%'",
    "'\\\\'",
    "'é€😀'",
    "'2020-01-01'",
    "'2020-02-30'",
    "'2024-03-01 12:34:56.789'",
    "'9999-12-31 23:59:59'",
    "'0000-00-00'",
    "'12abc'",
    "' 3 '",
    "TIMESTAMP '2020-01-01 00:00:00'",
    "DATE '2021-05-06'",
    "NOW()",
];
const FUNCS: &[(&str, usize)] = &[
    ("ABS", 1),
    ("COALESCE", 3),
    ("IFNULL", 2),
    ("NULLIF", 2),
    ("CONCAT", 3),
    ("LENGTH", 1),
    ("UPPER", 1),
    ("LOWER", 1),
    ("SUBSTRING", 3),
    ("SUBSTRING", 2),
    ("TRIM", 1),
    ("ROUND", 2),
    ("FLOOR", 1),
    ("CEIL", 1),
    ("MOD", 2),
    ("IF", 3),
    ("GREATEST", 2),
    ("LEAST", 3),
    ("NOW", 0),
    ("REPLACE", 3),
    ("LEFT", 2),
    ("REPEAT", 2),
    ("LPAD", 3),
    ("SPACE", 1),
    ("LOCATE", 3),
    ("RIGHT", 2),
    ("CONCAT_WS", 3),
    ("TRUNCATE", 2),
    ("STRCMP", 2),
    ("SUBSTRING_INDEX", 3),
    ("INSTR", 2),
    ("REVERSE", 1),
    ("FORMAT", 2),
    ("ORD", 1),
    ("CHAR", 2),
    ("FIELD", 3),
    ("ELT", 3),
    ("POW", 2),
    ("SQRT", 1),
    ("EXP", 1),
    ("LOG", 2),
    ("LN", 1),
    ("SIGN", 1),
    ("CURTIME", 0),
    ("UNIX_TIMESTAMP", 1),
    ("FROM_UNIXTIME", 1),
    ("DATE_ADD", 3),
    ("ADDDATE", 2),
    ("SUBDATE", 3),
    ("DATEDIFF", 2),
    ("TIMESTAMPDIFF", 3),
    ("TIMESTAMPADD", 3),
    ("EXTRACT", 2),
    ("DATE", 1),
    ("TIME", 1),
    ("YEAR", 1),
    ("MONTHNAME", 1),
    ("DAYNAME", 1),
    ("DAYOFWEEK", 1),
    ("DAYOFYEAR", 1),
    ("WEEK", 2),
    ("YEARWEEK", 2),
    ("QUARTER", 1),
    ("LAST_DAY", 1),
    ("MAKEDATE", 2),
    ("HOUR", 1),
    ("MICROSECOND", 1),
    ("TIME_TO_SEC", 1),
    ("SEC_TO_TIME", 1),
    ("DATE_FORMAT", 2),
    ("STR_TO_DATE", 2),
    ("REGEXP_LIKE", 3),
    ("REGEXP_REPLACE", 3),
    ("REGEXP_REPLACE", 5),
    ("REGEXP_SUBSTR", 4),
    ("REGEXP_INSTR", 5),
    ("NOSUCHFN", 1),
];
const AGGS: &[&str] = &["COUNT", "SUM", "AVG", "MIN", "MAX"];
const BINOPS: &[&str] = &[
    "+", "-", "*", "/", "%", "DIV", "MOD", "=", "<>", "!=", "<", "<=", ">", ">=", "<=>", "AND", "OR", "XOR", "||", "&&",
];
const TYPES: &[&str] = &[
    "INT",
    "BIGINT",
    "INTEGER",
    "TINYINT",
    "DECIMAL(5,2)",
    "DECIMAL(65,30)",
    "DECIMAL(1,0)",
    "DOUBLE",
    "FLOAT",
    "REAL",
    "VARCHAR(3)",
    "VARCHAR(255)",
    "TEXT",
    "CHAR(2)",
    "BOOLEAN",
    "DATE",
    "DATETIME",
    "TIMESTAMP",
];
const CASTS: &[&str] = &[
    "SIGNED",
    "UNSIGNED",
    "DECIMAL",
    "DECIMAL(4,1)",
    "DECIMAL(70,2)",
    "CHAR",
    "CHAR(2)",
    "DATE",
    "DATETIME",
    "DOUBLE",
];
const NOISE: &[&str] = &[
    "(",
    ")",
    ",",
    ";",
    "SELECT",
    "FROM",
    "WHERE",
    "NULL",
    "'",
    "\"",
    "`",
    "*",
    "AS",
    "OF",
    "FOR SYSTEM_TIME",
    "ALL",
    "JOIN",
    "ON",
    "1",
    "-",
    "9223372036854775808",
    "ORDER BY",
    "GROUP BY",
    "LIMIT",
    "UNION",
    "IN",
    "EXISTS",
    "(SELECT 1)",
    "CASE",
    "END",
    "/*",
    "--",
    "#",
    "\\",
    "\u{0}",
    "é",
    "BETWEEN",
    "AND",
    "LIKE",
    "ESCAPE",
    "NOT",
    "IS",
    "DEFAULT",
    "VALUES",
    "SET",
    "TO",
    "RESTORE POINT",
];

struct Gen<'a> {
    rng: Rng,
    corpus: &'a [String],
    /// Whether the SELECT being generated has a join (columns qualified).
    joined: bool,
}

impl Gen<'_> {
    fn lit(&mut self) -> String {
        if self.rng.chance(30) {
            return ((self.rng.next() % 2000) as i64 - 1000).to_string();
        }
        self.rng.pick(LITERALS).to_string()
    }

    fn col(&mut self) -> String {
        if self.rng.chance(10) {
            return self.rng.pick(COLUMNS).to_string();
        }
        let c = *self.rng.pick(&["a", "b", "a", "b", "c", "d", "e"]);
        if self.joined {
            format!("{}.{c}", self.rng.pick(&["t1", "t2", "t1"]))
        } else {
            c.to_string()
        }
    }

    fn expr(&mut self, depth: u32) -> String {
        if depth == 0 {
            return if self.rng.chance(50) { self.col() } else { self.lit() };
        }
        let d = depth - 1;
        match self.rng.below(20) {
            0 | 1 => self.col(),
            2 | 3 => self.lit(),
            4..=6 => format!("({} {} {})", self.expr(d), self.rng.pick(BINOPS), self.expr(d)),
            7 => format!("NOT {}", self.expr(d)),
            8 => format!("-{}", self.expr(d)),
            9 => {
                let (f, n) = *self.rng.pick(FUNCS);
                let args: Vec<String> = (0..n).map(|_| self.expr(d)).collect();
                format!("{f}({})", args.join(", "))
            }
            10 => format!("CAST({} AS {})", self.expr(d), self.rng.pick(CASTS)),
            11 => format!("{} IS {}NULL", self.expr(d), if self.rng.chance(50) { "NOT " } else { "" }),
            12 => format!("{} BETWEEN {} AND {}", self.expr(d), self.expr(d), self.expr(d)),
            13 => match self.rng.below(4) {
                0 => format!("{} LIKE {} ESCAPE '|'", self.expr(d), self.expr(d)),
                1 => {
                    format!("{} {} {}", self.expr(d), self.rng.pick(&["NOT LIKE", "REGEXP", "NOT RLIKE"]), self.expr(d))
                }
                2 => {
                    let unit = *self.rng.pick(&[
                        "MICROSECOND",
                        "SECOND",
                        "MINUTE",
                        "HOUR",
                        "DAY",
                        "WEEK",
                        "MONTH",
                        "QUARTER",
                        "YEAR",
                        "YEAR_MONTH",
                        "DAY_SECOND",
                        "HOUR_MINUTE",
                        "SECOND_MICROSECOND",
                    ]);
                    let op = *self.rng.pick(&["+", "-"]);
                    format!("({} {op} INTERVAL {} {unit})", self.expr(d), self.expr(d))
                }
                _ => format!("{} LIKE {}", self.expr(d), self.expr(d)),
            },
            14 => {
                let n = 1 + self.rng.below(3);
                let xs: Vec<String> = (0..n).map(|_| self.expr(d)).collect();
                format!("{} {}IN ({})", self.expr(d), if self.rng.chance(30) { "NOT " } else { "" }, xs.join(", "))
            }
            15 => format!("{} IN ({})", self.expr(d), self.select(d)),
            16 => format!("{}EXISTS ({})", if self.rng.chance(30) { "NOT " } else { "" }, self.select(d)),
            17 => format!("({})", self.select(d)),
            18 => format!(
                "CASE {} WHEN {} THEN {} ELSE {} END",
                if self.rng.chance(50) { self.expr(d) } else { String::new() },
                self.expr(d),
                self.expr(d),
                self.expr(d)
            ),
            _ => format!(
                "{}({}{})",
                self.rng.pick(AGGS),
                if self.rng.chance(20) { "DISTINCT " } else { "" },
                self.expr(d)
            ),
        }
    }

    fn temporal(&mut self) -> String {
        match self.rng.below(8) {
            0 => format!(" FOR SYSTEM_TIME AS OF {}", self.lit()),
            1 => " FOR SYSTEM_TIME AS OF TIMESTAMP '2020-01-01 00:00:00'".into(),
            2 => " FOR SYSTEM_TIME ALL".into(),
            3 => format!(" FOR SYSTEM_TIME BETWEEN {} AND {}", self.lit(), self.lit()),
            4 => format!(" FOR SYSTEM_TIME FROM {} TO {}", self.lit(), self.lit()),
            5 => " FOR SYSTEM_TIME AS OF NOW() - INTERVAL 1 SECOND".into(),
            _ => String::new(),
        }
    }

    fn table_ref(&mut self, depth: u32) -> String {
        match self.rng.below(10) {
            0 if depth > 0 => format!("({}) AS dt", self.select(depth - 1)),
            1 => format!("reeldb_diff('{}', {}, {})", self.rng.pick(TABLES), self.lit(), self.lit()),
            2 => "information_schema.backtracks".into(),
            3 => "information_schema.global_status".into(),
            _ => {
                let t = if self.rng.chance(80) {
                    self.rng.pick(&["t1", "t2", "t1", "v1"]).to_string()
                } else {
                    self.rng.pick(TABLES).to_string()
                };
                let tm = if self.rng.chance(25) { self.temporal() } else { String::new() };
                format!("{t}{tm}")
            }
        }
    }

    fn select(&mut self, depth: u32) -> String {
        let mut s = String::from("SELECT ");
        if self.rng.chance(15) {
            s.push_str("DISTINCT ");
        }
        let n = 1 + self.rng.below(3);
        let outer_joined = self.joined;
        let joins = if self.rng.chance(70) { 0 } else { 1 + self.rng.below(2) };
        self.joined = joins > 0;
        let items: Vec<String> =
            (0..n).map(|_| if self.rng.chance(15) { "*".to_string() } else { self.expr(depth.min(2)) }).collect();
        s.push_str(&items.join(", "));
        if joins > 0 || self.rng.chance(90) {
            s.push_str(" FROM ");
            s.push_str(&self.table_ref(depth));
            for _ in 0..joins {
                let kind =
                    *self.rng.pick(&[" JOIN ", " LEFT JOIN ", " RIGHT JOIN ", " CROSS JOIN ", ", ", " INNER JOIN "]);
                s.push_str(kind);
                s.push_str(&self.table_ref(depth.saturating_sub(1)));
                if kind.contains("JOIN") && !kind.contains("CROSS") {
                    s.push_str(&format!(" ON {}", self.expr(1)));
                }
            }
        }
        if self.rng.chance(50) {
            s.push_str(&format!(" WHERE {}", self.expr(depth.min(2))));
        }
        if self.rng.chance(25) {
            s.push_str(&format!(" GROUP BY {}", self.expr(1)));
            if self.rng.chance(40) {
                s.push_str(&format!(" HAVING {}", self.expr(1)));
            }
        }
        if self.rng.chance(15) {
            let op = *self.rng.pick(&["UNION", "UNION ALL", "EXCEPT", "INTERSECT"]);
            s = format!("{s} {op} {}", self.select(depth.saturating_sub(1)));
        }
        if self.rng.chance(30) {
            s.push_str(&format!(" ORDER BY {} {}", self.expr(1), self.rng.pick(&["", "ASC", "DESC"])));
        }
        if self.rng.chance(20) {
            s.push_str(&format!(" LIMIT {}", self.lit()));
            if self.rng.chance(40) {
                s.push_str(&format!(" OFFSET {}", self.lit()));
            }
        }
        self.joined = outer_joined;
        s
    }

    fn column_def(&mut self) -> String {
        let mut s = format!("{} {}", self.rng.pick(&["a", "b", "c", "d", "e", "id", "x"]), self.rng.pick(TYPES));
        for (p, extra) in [(15, " NOT NULL"), (10, " PRIMARY KEY"), (10, " UNIQUE"), (8, " AUTO_INCREMENT")] {
            if self.rng.chance(p) {
                s.push_str(extra);
            }
        }
        if self.rng.chance(15) {
            s.push_str(&format!(" DEFAULT {}", self.lit()));
        }
        s
    }

    /// An optional `ORDER BY ... LIMIT n` tail for UPDATE and DELETE.
    fn dml_order_limit(&mut self) -> String {
        if !self.rng.chance(30) {
            return String::new();
        }
        let order = if self.rng.chance(50) { format!(" ORDER BY {} DESC", self.expr(1)) } else { String::new() };
        format!("{order} LIMIT {}", self.rng.below(4))
    }

    fn statement(&mut self) -> String {
        let t = self.rng.pick(&["t1", "t2", "t3", "nosuch"]).to_string();
        match self.rng.below(40) {
            0..=13 => self.select(2),
            14..=17 => {
                let n = 1 + self.rng.below(3);
                let rows: Vec<String> = (0..n)
                    .map(|_| {
                        let k = 1 + self.rng.below(4);
                        let vs: Vec<String> = (0..k).map(|_| self.expr(1)).collect();
                        format!("({})", vs.join(", "))
                    })
                    .collect();
                let cols = if self.rng.chance(30) { " (a, b)" } else { "" };
                let verb = *self.rng.pick(&["INSERT INTO", "INSERT IGNORE INTO", "REPLACE INTO"]);
                format!("{verb} {t}{cols} VALUES {}", rows.join(", "))
            }
            18 => format!("INSERT INTO {t} {}", self.select(1)),
            19 | 20 => {
                let tail = self.dml_order_limit();
                format!("UPDATE {t} SET {} = {} WHERE {}{tail}", self.col(), self.expr(2), self.expr(2))
            }
            21 => {
                let tail = self.dml_order_limit();
                format!("DELETE FROM {t} WHERE {}{tail}", self.expr(2))
            }
            22 => format!("DELETE FROM {t}"),
            23 => {
                let n = 1 + self.rng.below(4);
                let cols: Vec<String> = (0..n).map(|_| self.column_def()).collect();
                let ine = if self.rng.chance(30) { "IF NOT EXISTS " } else { "" };
                format!("CREATE TABLE {ine}{t} ({})", cols.join(", "))
            }
            24 => {
                // dropping t1 or t2 ends most of the session's useful work: rarely
                let t = if self.rng.chance(10) { t } else { "t3".to_string() };
                format!("DROP TABLE {}{t}", if self.rng.chance(30) { "IF EXISTS " } else { "" })
            }
            25 => match self.rng.below(4) {
                0 => format!("ALTER TABLE {t} ADD COLUMN {}", self.column_def()),
                1 => format!("ALTER TABLE {t} DROP COLUMN {}", self.col()),
                2 => format!("ALTER TABLE {t} RENAME COLUMN {} TO {}", self.col(), self.col()),
                _ => format!("ALTER TABLE {t} RENAME TO {}", self.rng.pick(&["t1", "t2", "t3", "t4"])),
            },
            26 => {
                format!("CREATE {}INDEX ix ON {t} ({})", if self.rng.chance(30) { "UNIQUE " } else { "" }, self.col())
            }
            27 => format!("DROP INDEX ix ON {t}"),
            28 => format!("CREATE VIEW v1 AS {}", self.select(1)),
            29 if self.rng.chance(20) => "DROP VIEW v1".into(),
            29 => format!("CREATE TABLE t3 (a INT, b VARCHAR(20), c INT PRIMARY KEY) AS {}", self.select(0)),
            30 => self.rng.pick(&["BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION"]).to_string(),
            31 => format!("SET TIMESTAMP = {}", self.lit()),
            32 => match self.rng.below(4) {
                0 => format!("BACKTRACK TO TIMESTAMP {}", self.lit()),
                1 => "BACKTRACK TO RESTORE POINT rp".into(),
                2 => format!("BACKTRACK TO {} OR EARLIEST", self.lit()),
                _ => "BACKTRACK TO TIMESTAMP NOW() - INTERVAL 2 SECOND".into(),
            },
            33 => self.rng.pick(&["CREATE RESTORE POINT rp", "DROP RESTORE POINT rp"]).to_string(),
            34 => format!("SET GLOBAL backtrack_window = {}", self.lit()),
            35 => self
                .rng
                .pick(&[
                    "SHOW TABLES",
                    "SHOW DATABASES",
                    "SHOW CREATE TABLE t1",
                    "DESCRIBE t1",
                    "SHOW COLUMNS FROM t2",
                    "USE db2",
                    "USE reeldb",
                    "CREATE DATABASE db2",
                    "DROP DATABASE db2",
                    "TRUNCATE t1",
                    "TRUNCATE TABLE t2",
                    "SHOW TABLES LIKE 't%'",
                ])
                .to_string(),
            _ => {
                let base = if !self.corpus.is_empty() && self.rng.chance(70) {
                    self.rng.pick(self.corpus).clone()
                } else {
                    self.select(2)
                };
                if self.rng.chance(50) {
                    base
                } else {
                    self.mutate(&base)
                }
            }
        }
    }

    fn mutate(&mut self, s: &str) -> String {
        let mut toks: Vec<String> = split_tokens(s);
        for _ in 0..1 + self.rng.below(4) {
            let n = toks.len();
            match self.rng.below(8) {
                0 if n > 0 => {
                    toks.remove(self.rng.below(n));
                }
                1 if n > 0 => {
                    let i = self.rng.below(n);
                    let t = toks[i].clone();
                    toks.insert(i, t);
                }
                2 if n > 0 => {
                    let i = self.rng.below(n);
                    toks[i] = self.rng.pick(NOISE).to_string();
                }
                3 if n > 0 => {
                    let i = self.rng.below(n);
                    toks[i] = self.lit();
                }
                4 => {
                    let i = self.rng.below(n + 1);
                    let e = self.expr(1);
                    toks.insert(i, e);
                }
                5 if n > 1 => {
                    toks.truncate(self.rng.below(n));
                }
                6 if !self.corpus.is_empty() => {
                    let other = split_tokens(self.rng.pick::<String>(self.corpus));
                    let at = self.rng.below(other.len() + 1);
                    let i = self.rng.below(n + 1);
                    toks.splice(i..i, other[at..].iter().cloned());
                }
                _ => {
                    let i = self.rng.below(n + 1);
                    let b = (self.rng.below(95) as u8 + 32) as char;
                    toks.insert(i, b.to_string());
                }
            }
        }
        toks.join(" ")
    }
}

/// `sql` with some of its literals (numbers, quoted strings) turned into
/// `?` placeholders, and how many.
fn parameterize(rng: &mut Rng, sql: &str) -> (String, usize) {
    let mut n = 0;
    let toks: Vec<String> = split_tokens(sql)
        .into_iter()
        .map(|t| {
            let literal = t.starts_with('\'') || t.starts_with('"') || t.starts_with(|c: char| c.is_ascii_digit());
            if literal && rng.chance(60) {
                n += 1;
                "?".to_string()
            } else {
                t
            }
        })
        .collect();
    (toks.join(" "), n)
}

/// A random parameter value.
fn param_value(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => Value::Null,
        1 => Value::Int((rng.next() % 2000) as i64 - 1000),
        2 => Value::Int(rng.next() as i64),
        3 => Value::Double(f64::from_bits(rng.next())),
        4 => Value::Double((rng.next() % 1000) as f64 / 8.0),
        5 => Value::Str(rng.pick(&["", "a", "x'y", "2020-01-01", "1970-01-01 00:00:01", "12abc", "?"]).to_string()),
        6 => Value::DateTime(Timestamp::from_secs(1_600_000_000 + (rng.next() % 100) as i64)),
        _ => Value::Str(rng.pick(LITERALS).trim_matches('\'').to_string()),
    }
}

/// The prepared statements of a session, run and dropped at random.
#[derive(Default)]
struct Pool(Vec<PreparedStatement>);

impl Pool {
    /// Prepares `sql` with some literals as parameters (or not, keeping the
    /// pool), then picks a pooled statement and random parameters: what
    /// to run, or the error of the PREPARE.
    fn pick(&mut self, rng: &mut Rng, sql: &str) -> Result<(PreparedStatement, Vec<Value>), (String, SqlError)> {
        if self.0.is_empty() || rng.chance(30) {
            let (text, _) = parameterize(rng, sql);
            match Session::prepare(&text) {
                Ok(p) => {
                    if self.0.len() >= 8 {
                        let i = rng.below(self.0.len());
                        self.0.swap_remove(i);
                    }
                    self.0.push(p);
                }
                Err(e) => return Err((format!("PREPARE {text}"), e)),
            }
        }
        let i = rng.below(self.0.len());
        let p = self.0[i].clone();
        let mut n = p.param_count();
        if rng.chance(5) {
            n = rng.below(n + 2);
        }
        let params: Vec<Value> = (0..n).map(|_| param_value(rng)).collect();
        if rng.chance(10) {
            self.0.swap_remove(i);
        }
        Ok((p, params))
    }
}

/// Splits SQL roughly into words, quoted strings and punctuation.
fn split_tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in s.chars() {
        if let Some(q) = quote {
            cur.push(c);
            if c == q {
                quote = None;
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c == '\'' || c == '"' || c == '`' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
            quote = Some(c);
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            cur.push(c);
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Statements of the sqllogictest files under `p` (at most `cap`).
fn load_corpus(p: &Path, cap: usize, out: &mut Vec<String>) {
    if out.len() >= cap {
        return;
    }
    if p.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(p).map(|r| r.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
        entries.sort();
        for e in entries {
            load_corpus(&e, cap, out);
        }
        return;
    }
    if p.extension().is_none_or(|e| e != "test") {
        return;
    }
    let Ok(text) = std::fs::read_to_string(p) else { return };
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if !(l.starts_with("statement") || l.starts_with("query")) {
            continue;
        }
        let mut sql = Vec::new();
        for l in lines.by_ref() {
            if l.is_empty() || l == "----" {
                break;
            }
            sql.push(l);
        }
        let sql = sql.join("\n");
        // keep long generated statements out: they only slow the loop down
        if !sql.is_empty() && sql.len() < 600 && out.len() < cap {
            out.push(sql);
        }
    }
}

const SETUP: &str = "CREATE TABLE t1 (a INT PRIMARY KEY, b VARCHAR(10), c DECIMAL(5,2), d DOUBLE, e DATETIME); \
     CREATE TABLE t2 (a INT, b TEXT, x INT UNIQUE, id INT AUTO_INCREMENT PRIMARY KEY); \
     CREATE INDEX t2b ON t2 (b); \
     INSERT INTO t1 VALUES (1, 'x', 1.5, 0.25, '2020-01-01 00:00:00'), (2, 'Y', NULL, -3, NULL), (3, NULL, -99.99, 1e10, '2024-02-29 12:00:00'); \
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

struct Report {
    execs: u64,
    ok: u64,
    panics: u64,
    slow: u64,
}

fn run(seed: u64, execs: u64, corpus: &[String], progress: &AtomicU64, verbose: bool) -> Report {
    let mut g = Gen { rng: Rng(seed), corpus, joined: false };
    let mut rep = Report { execs: 0, ok: 0, panics: 0, slow: 0 };
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
        let r = catch_unwind(AssertUnwindSafe(|| match run {
            Ok(Some((p, params))) => p.execute(&mut session, &params).map(|_| ()),
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
    let mut total = Report { execs: 0, ok: 0, panics: 0, slow: 0 };
    for h in handles {
        match h.join() {
            Ok(r) => {
                total.execs += r.execs;
                total.ok += r.ok;
                total.panics += r.panics;
                total.slow += r.slow;
            }
            Err(_) => total.panics += 1,
        }
    }
    println!(
        "{} executions ({} succeeded) in {:.1} s: {} panics, {} slow statements",
        total.execs,
        total.ok,
        start.elapsed().as_secs_f64(),
        total.panics,
        total.slow
    );
    if total.panics > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
