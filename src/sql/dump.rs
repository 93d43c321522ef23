//! The SQL dump: a MySQL-compatible script that recreates every user
//! database, its tables, rows and views (the shell's `.dump`, the
//! JavaScript API's `exportSql`), and the history dump: the same script with
//! every table `WITH SYSTEM VERSIONING` and every row version it held, for
//! MariaDB 10.11 (`--dump --history`, `exportSql({history: true})`).

use std::ops::Bound;

use super::catalog::{self, TableMeta};
use super::error::{Code, SqlError};
use super::lex;
use super::quote;
use super::{Session, SqlResult, StatementResult, Value};
use crate::time::Timestamp;

/// The `ROW_END` of a current row version, and the end of MariaDB 10.11's
/// `TIMESTAMP` range: no history time may reach it.
pub(crate) const ROW_END_MAX: &str = "2038-01-19 03:14:07.999999";
/// The start of MariaDB's `TIMESTAMP` range.
const ROW_START_MIN: &str = "1970-01-01 00:00:01";
/// Rows per `INSERT` statement.
const ROWS_PER_INSERT: usize = 200;

impl Session {
    /// A MySQL-compatible dump of the current state: `CREATE DATABASE`,
    /// `USE`, `CREATE TABLE` and multi-row `INSERT`s for every user
    /// database, then the views, each after the views it names. Running it
    /// in an empty database recreates the same schema and rows.
    pub fn dump(&mut self) -> SqlResult<String> {
        dump(self, false)
    }

    /// The history dump for MariaDB 10.11: as [`Session::dump`], but each
    /// table is created `WITH SYSTEM VERSIONING` with invisible `row_start`
    /// / `row_end` columns, and its rows are every version it held since
    /// its columns last changed (`CREATE`, or an `ALTER TABLE` that changed
    /// them), each with the times it was current, inserted after `SET
    /// @@system_versioning_insert_history = 1` in time zone `+00:00`. A
    /// history time outside MariaDB's `TIMESTAMP` range fails with
    /// `ER_DATA_OUT_OF_RANGE`.
    pub fn dump_history(&mut self) -> SqlResult<String> {
        dump(self, true)
    }
}

/// The names of database `db`'s tables of one `table_type` (`BASE TABLE`
/// or `VIEW`), from `information_schema.tables`.
fn names_of(session: &mut Session, db: &str, kind: &str) -> SqlResult<Vec<String>> {
    let sql = format!(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = {} AND table_type = {}",
        quote::string(db),
        quote::string(kind)
    );
    Ok(rows_of(session, &sql)?.into_iter().map(|r| r.first().map(|v| v.to_string()).unwrap_or_default()).collect())
}

/// The statement text a `SHOW CREATE TABLE|VIEW` returns (its second column).
fn created_by(session: &mut Session, show: &str) -> SqlResult<String> {
    let rows = rows_of(session, show)?;
    Ok(rows.first().and_then(|r| r.get(1)).map(|v| v.to_string()).unwrap_or_default())
}

fn rows_of(session: &mut Session, sql: &str) -> SqlResult<Vec<Vec<Value>>> {
    match session.execute_one(sql)? {
        StatementResult::Rows { rows, .. } => Ok(rows),
        StatementResult::Affected(_) => Ok(Vec::new()),
    }
}

/// A MySQL-compatible dump of the current state: `CREATE DATABASE`, `USE`,
/// `CREATE TABLE` and multi-row `INSERT`s for every user database, then
/// the views (see [`Session::dump`]).
fn dump(session: &mut Session, history: bool) -> SqlResult<String> {
    let mut out = String::from("-- ReelDB dump (MySQL-compatible)\n");
    // as mysqldump does: tables come in name order, children maybe before
    // their parents
    out.push_str("SET FOREIGN_KEY_CHECKS = 0;\n");
    if history {
        out.push_str(
            "-- with history: system-versioned tables for MariaDB 10.11 (times in UTC)\n\
             SET time_zone = '+00:00';\nSET @@system_versioning_insert_history = 1;\n",
        );
    }
    let dbs = rows_of(session, "SHOW DATABASES")?;
    let mut all_views = Vec::new();
    for d in dbs {
        let db = d.first().map(|v| v.to_string()).unwrap_or_default();
        if db.eq_ignore_ascii_case("information_schema") {
            continue;
        }
        out.push_str(&format!("\nCREATE DATABASE IF NOT EXISTS {};\nUSE {};\n", quote::ident(&db), quote::ident(&db)));
        for t in names_of(session, &db, "BASE TABLE")? {
            let full = quote::qualified(&db, &t);
            let text = created_by(session, &format!("SHOW CREATE TABLE {full}"))?;
            if history {
                out.push_str(&format!("\nDROP TABLE IF EXISTS {};\n", quote::ident(&t)));
                table_history(session, &db, &t, &text, &mut out)?;
                continue;
            }
            out.push_str(&format!("\nDROP TABLE IF EXISTS {};\n{text};\n", quote::ident(&t)));
            // generated columns take no value: name the others (mysqldump)
            let generated = rows_of(
                session,
                &format!(
                    "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = {} AND table_name = {} \
                     AND extra IN ('VIRTUAL GENERATED', 'STORED GENERATED')",
                    quote::string(&db),
                    quote::string(&t)
                ),
            )?;
            let (select, into) = if generated.first().and_then(|r| r.first()).and_then(Value::to_i64).unwrap_or(0) > 0 {
                let cols = rows_of(
                    session,
                    &format!(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = {} AND table_name = \
                         {} AND extra NOT IN ('VIRTUAL GENERATED', 'STORED GENERATED') ORDER BY ordinal_position",
                        quote::string(&db),
                        quote::string(&t)
                    ),
                )?;
                let names: Vec<String> =
                    cols.iter().map(|r| quote::ident(&r.first().map(|v| v.to_string()).unwrap_or_default())).collect();
                (names.join(","), format!(" ({})", names.join(",")))
            } else {
                ("*".to_string(), String::new())
            };
            let rows = rows_of(session, &format!("SELECT {select} FROM {full}"))?;
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                out.push_str(&format!("INSERT INTO {}{into} VALUES\n", quote::ident(&t)));
                let lines: Vec<String> = chunk
                    .iter()
                    .map(|r| format!("({})", r.iter().map(quote::literal).collect::<Vec<_>>().join(",")))
                    .collect();
                out.push_str(&lines.join(",\n"));
                out.push_str(";\n");
            }
        }
        for v in names_of(session, &db, "VIEW")? {
            let text = created_by(session, &format!("SHOW CREATE VIEW {}", quote::qualified(&db, &v)))?;
            all_views.push((db.clone(), v, text));
        }
    }
    // Views last (they may read tables of any database), each after the
    // views it names.
    let mut used_db = String::new();
    for (db, name, text) in views_in_dependency_order(all_views) {
        if db != used_db {
            out.push_str(&format!("\nUSE {};\n", quote::ident(&db)));
            used_db = db;
        }
        out.push_str(&format!("DROP VIEW IF EXISTS {};\n{text};\n", quote::ident(&name)));
    }
    out.push_str("\nSET FOREIGN_KEY_CHECKS = 1;\n");
    Ok(out)
}

/// Appends table `db`.`t`'s system-versioned `CREATE TABLE` (from its
/// `SHOW CREATE TABLE` text `create`) and an `INSERT` of every row version
/// since the table's columns last changed (see [`Session::dump_history`]).
fn table_history(session: &Session, db: &str, t: &str, create: &str, out: &mut String) -> SqlResult<()> {
    let (meta, epoch) = columns_since(session, db, t)?;
    let cols: Vec<String> = meta.columns.iter().map(|c| c.name.clone()).collect();
    let (start_col, end_col) = (free_name(&cols, "row_start"), free_name(&cols, "row_end"));
    let body = create.rfind(')').map(|i| &create[..i]).unwrap_or(create).trim_end();
    out.push_str(&format!(
        "{body},\n  {s} TIMESTAMP(6) GENERATED ALWAYS AS ROW START INVISIBLE,\n  \
         {e} TIMESTAMP(6) GENERATED ALWAYS AS ROW END INVISIBLE,\n  \
         PERIOD FOR SYSTEM_TIME ({s}, {e})\n) WITH SYSTEM VERSIONING;\n",
        s = quote::ident(&start_col),
        e = quote::ident(&end_col)
    ));
    let prefix = catalog::row_prefix(meta.id);
    let end = catalog::prefix_end(&prefix).unwrap_or_default();
    let all = session.database().row_versions(
        Bound::Included(&prefix),
        Bound::Excluded(&end),
        Timestamp(i64::MIN),
        Timestamp(i64::MAX),
    )?;
    let (min, max) = (Timestamp::parse(ROW_START_MIN), Timestamp::parse(ROW_END_MAX));
    let in_range = |ts: Timestamp| min.is_some_and(|m| ts >= m) && max.is_some_and(|m| ts < m);
    let rows = catalog::RowReader::new(&meta, None);
    let mut versions = Vec::with_capacity(all.len());
    for v in all {
        if v.end.is_some_and(|e| e <= epoch) {
            continue;
        }
        let mut r = rows.decode(&v.value)?;
        let start = v.start.max(epoch);
        for ts in [Some(start), v.end].into_iter().flatten() {
            if !in_range(ts) {
                return Err(SqlError::new(
                    Code::DataOutOfRange,
                    format!(
                        "history time '{ts}' of table '{db}.{t}' is outside MariaDB's TIMESTAMP range \
                         ('{ROW_START_MIN}' to '{ROW_END_MAX}')"
                    ),
                ));
            }
        }
        r.push(Value::Str(micros(start)));
        r.push(Value::Str(v.end.map_or_else(|| ROW_END_MAX.to_string(), micros)));
        versions.push(r);
    }
    let names = cols.iter().chain([&start_col, &end_col]).map(|c| quote::ident(c)).collect::<Vec<_>>().join(",");
    for chunk in versions.chunks(ROWS_PER_INSERT) {
        out.push_str(&format!("INSERT INTO {} ({names}) VALUES\n", quote::ident(t)));
        let lines: Vec<String> =
            chunk.iter().map(|r| format!("({})", r.iter().map(quote::literal).collect::<Vec<_>>().join(","))).collect();
        out.push_str(&lines.join(",\n"));
        out.push_str(";\n");
    }
    Ok(())
}

/// `base`, or `base_2`, `base_3`, … : the first not among `columns`
/// (ASCII case-insensitive).
fn free_name(columns: &[String], base: &str) -> String {
    (1..)
        .map(|i| if i == 1 { base.to_string() } else { format!("{base}_{i}") })
        .find(|n| !columns.iter().any(|c| c.eq_ignore_ascii_case(n)))
        .unwrap_or_default()
}

/// A time as `YYYY-MM-DD HH:MM:SS.ffffff`.
fn micros(t: Timestamp) -> String {
    let text = t.to_string();
    if text.contains('.') {
        text
    } else {
        format!("{text}.000000")
    }
}

/// Table `db`.`t`'s definition, and since when it has had its current
/// columns (names and types) and identity: the start of the last unbroken
/// run of its catalog record's versions with the columns it has now. Rows
/// before it were stored under other columns, so the history dump starts
/// there.
fn columns_since(session: &Session, db: &str, t: &str) -> SqlResult<(TableMeta, Timestamp)> {
    let key = catalog::table_key(db, t);
    let versions = session.database().row_versions(
        Bound::Included(&key),
        Bound::Included(&key),
        Timestamp(i64::MIN),
        Timestamp(i64::MAX),
    )?;
    let shape = |bytes: &[u8]| {
        serde_json::from_slice::<TableMeta>(bytes)
            .ok()
            .map(|m| (m.id, m.columns.iter().map(|c| (c.name.clone(), c.ty)).collect::<Vec<_>>()))
    };
    let current = versions.last().and_then(|v| serde_json::from_slice::<TableMeta>(&v.value).ok());
    let (Some(last), Some(meta)) = (versions.last(), current) else {
        return Err(SqlError::new(Code::NoSuchTable, format!("Table '{db}.{t}' doesn't exist")));
    };
    let now = shape(&last.value);
    let mut since = last.start;
    for pair in versions.windows(2).rev() {
        let (before, after) = (&pair[0], &pair[1]);
        if before.end != Some(after.start) || shape(&before.value) != now {
            break;
        }
        since = before.start;
    }
    Ok((meta, since))
}

/// Whether `text` names `word` (a bare or quoted identifier, ASCII
/// case-insensitive).
fn mentions(text: &str, word: &str) -> bool {
    lex::lex(text).filter_map(|l| lex::name_of(text, &l)).any(|n| n.eq_ignore_ascii_case(word))
}

/// Orders `(db, name, CREATE VIEW text)` so that a view comes after every
/// view whose name its text mentions (an over-approximation of its
/// dependencies; on a cycle the remaining views keep their order).
fn views_in_dependency_order(mut left: Vec<(String, String, String)>) -> Vec<(String, String, String)> {
    let mut out = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let body = |t: &str| t.split_once(" AS ").map(|(_, b)| b.to_string()).unwrap_or_default();
        let ready = (0..left.len())
            .find(|&i| {
                let b = body(&left[i].2);
                left.iter().enumerate().all(|(j, other)| j == i || !mentions(&b, &other.1))
            })
            .unwrap_or(0);
        out.push(left.remove(ready));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn views_follow_the_views_they_name() {
        let v = |name: &str, body: &str| ("d".to_string(), name.to_string(), format!("CREATE VIEW `{name}` AS {body}"));
        let order = views_in_dependency_order(vec![
            v("top", "SELECT * FROM mid JOIN base_2"),
            v("mid", "SELECT * FROM base"),
            v("base", "SELECT * FROM t"),
            v("base_2", "SELECT 1"),
        ]);
        let names: Vec<&str> = order.iter().map(|(_, n, _)| n.as_str()).collect();
        assert_eq!(names, ["base", "mid", "base_2", "top"]);
        assert!(mentions("select * from `base`", "base"));
        assert!(!mentions("select * from base_2", "base"));
    }

    #[test]
    fn a_dump_recreates_the_databases() {
        let mut a = Session::in_memory();
        a.execute(
            "CREATE DATABASE `we``ird`; USE `we``ird`; \
             CREATE TABLE `sel``ect` (id INT PRIMARY KEY, `v'q` VARCHAR(20) DEFAULT 'it''s', KEY `k``1` (`v'q`)); \
             INSERT INTO `sel``ect` VALUES (1, 'a\\b'), (2, NULL), (3, 'l''x'); \
             CREATE VIEW `v` AS SELECT id FROM `sel``ect` WHERE id > 1",
        )
        .unwrap();
        let text = a.dump().unwrap();
        let mut b = Session::in_memory();
        b.execute(&text).unwrap();
        assert_eq!(b.dump().unwrap(), text);
        let rows = |s: &mut Session| s.execute_one("SELECT * FROM `we``ird`.`v` ORDER BY id").unwrap();
        assert_eq!(rows(&mut b), rows(&mut a));
    }

    #[test]
    fn a_dump_round_trips_the_newer_column_kinds() {
        // generated columns take no value in the INSERTs; ENUM, SET, TIME,
        // YEAR, expression defaults and ON UPDATE come back as they were
        let mut a = Session::in_memory();
        a.execute(
            "CREATE TABLE t (id INT PRIMARY KEY, qty INT, total INT AS (qty * 2) STORED, \
             size ENUM('s','m') DEFAULT 'm', tags SET('x','y'), at TIME, y YEAR, \
             tok CHAR(36) DEFAULT (UUID()), ts DATETIME DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP); \
             INSERT INTO t (id, qty, tags, at, y) VALUES (1, 3, 'y,x', '-01:30:00', 99)",
        )
        .unwrap();
        let text = a.dump().unwrap();
        assert!(text.contains("INSERT INTO `t` (`id`,`qty`,`size`"), "{text}");
        let mut b = Session::in_memory();
        b.execute(&text).unwrap();
        assert_eq!(b.dump().unwrap(), text);
        let rows = |s: &mut Session| s.execute_one("SELECT * FROM t").unwrap();
        assert_eq!(rows(&mut b), rows(&mut a));
    }

    #[test]
    fn a_dump_with_foreign_keys_imports_whatever_the_table_order() {
        // `a_child` comes before its parent `z_parent` in the dump
        let mut a = Session::in_memory();
        a.execute(
            "CREATE TABLE z_parent (id INT PRIMARY KEY);              CREATE TABLE a_child (id INT PRIMARY KEY, pid INT, qty INT CHECK (qty > 0),                CONSTRAINT fk_z FOREIGN KEY (pid) REFERENCES z_parent (id) ON DELETE CASCADE);              INSERT INTO z_parent VALUES (1), (2); INSERT INTO a_child VALUES (10, 1, 3), (20, 2, 4)",
        )
        .unwrap();
        let text = a.dump().unwrap();
        assert!(text.find("CREATE TABLE `a_child`") < text.find("CREATE TABLE `z_parent`"));
        let mut b = Session::in_memory();
        b.execute(&text).unwrap();
        assert_eq!(b.dump().unwrap(), text);
        // the constraints came along, and the checks are on again
        assert_eq!(b.execute_one("INSERT INTO a_child VALUES (30, 9, 1)").unwrap_err().code, Code::NoReferencedRow2);
        assert_eq!(
            b.execute_one("INSERT INTO a_child VALUES (30, 1, 0)").unwrap_err().code,
            Code::CheckConstraintViolated
        );
        b.execute_one("DELETE FROM z_parent WHERE id = 1").unwrap();
        let rows = b.execute_one("SELECT id FROM a_child").unwrap();
        assert_eq!(rows, StatementResult::Rows { columns: vec!["id".into()], rows: vec![vec![Value::Int(20)]] });
    }

    #[test]
    fn a_dump_keeps_the_declared_types_and_their_extreme_values() {
        let mut a = Session::in_memory();
        a.execute(
            "CREATE TABLE `order` (`key` TINYINT UNSIGNED PRIMARY KEY, b BIGINT UNSIGNED, c CHAR(4), \
             d SMALLINT DEFAULT -5, e MEDIUMINT UNSIGNED NOT NULL DEFAULT 16777215, f BOOL, g BIGINT); \
             INSERT INTO `order` VALUES (255, 18446744073709551615, 'ab  ', -32768, 0, 1, -9223372036854775808), \
             (0, 9223372036854775808, '', NULL, 7, 0, 9223372036854775807)",
        )
        .unwrap();
        let text = a.dump().unwrap();
        for ty in ["`key` tinyint unsigned", "`b` bigint unsigned", "`c` char(4)", "`d` smallint", "`f` tinyint(1)"] {
            assert!(text.contains(ty), "{ty} in {text}");
        }
        let mut b = Session::in_memory();
        b.execute(&text).unwrap();
        assert_eq!(b.dump().unwrap(), text);
        // the ranges came along
        let err = b.execute_one("INSERT INTO `order` (`key`) VALUES (256)").unwrap_err();
        assert_eq!(err.code, Code::WarnDataOutOfRange);
        let rows = |s: &mut Session| s.execute_one("SELECT * FROM `order` ORDER BY `key`").unwrap();
        assert_eq!(rows(&mut b), rows(&mut a));
    }
}
