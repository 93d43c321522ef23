//! Importing a history dump: a script that creates tables `WITH SYSTEM
//! VERSIONING` and inserts their row versions with explicit `row_start` /
//! `row_end` after `SET @@system_versioning_insert_history = 1` (ReelDB's
//! own `--dump --history`, or `mariadb-dump --dump-history`). The versions
//! are collected in a scratch database, the times at which a version starts
//! or ends are sorted, and the script's schema is created at the earliest
//! one; then, at each later time, one commit deletes the versions that end
//! there and inserts those that start there. `AS OF` any time then reads
//! what the source read. The replay runs on a scratch database first, so a
//! dump that cannot be replayed leaves the target untouched.

use std::collections::BTreeMap;

use super::dump::ROW_END_MAX;
use super::error::{Code, SqlError};
use super::front;
use super::lex::{self, Kind, Lexeme};
use super::md5;
use super::quote;
use super::{Session, SqlResult, StatementResult, Value};
use crate::time::Timestamp;

/// The variable that lets `INSERT` set `row_start` / `row_end`.
const INSERT_HISTORY: &str = "system_versioning_insert_history";
/// The newest MariaDB version whose `/*!NNNNN ... */` and `/*M!NNNNNN ... */`
/// hints an import runs (10.11, which writes these dumps).
const HINT_VERSION_MAX: u32 = 101199;
/// Rows per `INSERT` of the replay.
const ROWS_PER_INSERT: usize = 200;

/// Whether `sql` is a history dump: one of its statements turns
/// `system_versioning_insert_history` on (inside a `/*!` or `/*M!` hint
/// too, as `mariadb-dump --dump-history` writes it).
pub(crate) fn is_history_dump(sql: &str) -> bool {
    let needle = INSERT_HISTORY.as_bytes();
    // (a byte at a time: a long script of INSERTs is scanned on every run)
    let b = sql.as_bytes();
    let at = |i: usize| {
        b[i].eq_ignore_ascii_case(&needle[0])
            && b.get(i..i + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(needle))
    };
    if !(0..b.len()).any(at) {
        return false;
    }
    let Ok(pieces) = front::split(&unwrap_hints(sql)) else { return false };
    pieces.iter().any(|p| Piece::new(p).insert_history() == Some(true))
}

/// `sql` with each `/*!NNNNN body */` or `/*M!NNNNNN body */` hint replaced
/// by its body when MariaDB 10.11 would run it, and dropped otherwise.
fn unwrap_hints(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    for l in lex::lex(sql) {
        let text = &sql[l.start..l.end];
        let body = match l.kind {
            Kind::Hint => text.strip_prefix("/*!"),
            Kind::Comment => text.strip_prefix("/*M!"),
            _ => None,
        };
        match body.and_then(|b| b.strip_suffix("*/")) {
            Some(b) => {
                let digits = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let version = b[..digits].parse::<u32>().unwrap_or(0);
                if version <= HINT_VERSION_MAX {
                    out.push(' ');
                    out.push_str(&b[digits..]);
                    out.push(' ');
                }
            }
            None => out.push_str(text),
        }
    }
    out
}

/// One statement and its lexemes other than spaces and comments.
struct Piece<'a> {
    sql: &'a str,
    lx: Vec<Lexeme>,
}

impl<'a> Piece<'a> {
    fn new(sql: &'a str) -> Piece<'a> {
        Piece { sql, lx: lex::lex(sql).filter(|l| !matches!(l.kind, Kind::Space | Kind::Comment)).collect() }
    }

    fn text(&self, i: usize) -> &'a str {
        self.lx.get(i).map_or("", |l| &self.sql[l.start..l.end])
    }

    /// Whether lexeme `i` is the keyword `kw` (a bare word).
    fn is(&self, i: usize, kw: &str) -> bool {
        self.lx.get(i).is_some_and(|l| l.kind == Kind::Word) && self.text(i).eq_ignore_ascii_case(kw)
    }

    fn name(&self, i: usize) -> Option<String> {
        self.lx.get(i).and_then(|l| lex::name_of(self.sql, l))
    }

    /// The value `SET` gives `system_versioning_insert_history` (true for
    /// `1`, `ON`, `TRUE`), if this is a `SET` that names it.
    fn insert_history(&self) -> Option<bool> {
        self.set_value(INSERT_HISTORY).map(|i| ["1", "ON", "TRUE"].iter().any(|v| self.text(i).eq_ignore_ascii_case(v)))
    }

    /// In a `SET`, the index of the value last assigned to `var`.
    fn set_value(&self, var: &str) -> Option<usize> {
        if !self.is(0, "SET") {
            return None;
        }
        (1..self.lx.len())
            .rev()
            .filter(|&i| self.lx[i].kind == Kind::Word && self.text(i).eq_ignore_ascii_case(var))
            .filter_map(|i| match (self.text(i + 1), self.text(i + 2)) {
                (":", "=") => Some(i + 3),
                ("=", _) => Some(i + 2),
                _ => None,
            })
            .next()
    }

    /// `(db, name, index after the name)` of the object name at `i`
    /// (`name` or `db.name`).
    fn object(&self, i: usize) -> Option<(Option<String>, String, usize)> {
        let first = self.name(i)?;
        if self.text(i + 1) == "." {
            Some((Some(first), self.name(i + 2)?, i + 3))
        } else {
            Some((None, first, i + 1))
        }
    }

    /// The index of the first lexeme at or after `from` that starts the
    /// bare word sequence `words`.
    fn find_words(&self, from: usize, words: &[&str]) -> Option<usize> {
        (from..self.lx.len()).find(|&i| words.iter().enumerate().all(|(k, w)| self.is(i + k, w)))
    }
}

/// A system-versioned table of the dump.
struct Versioned {
    db: String,
    name: String,
    /// Its row-start and row-end columns (`row_start` / `row_end` when the
    /// dump declares them implicitly).
    start_col: String,
    end_col: String,
    /// The scratch table that collects its versions.
    stage: String,
}

/// A `CREATE TABLE … WITH SYSTEM VERSIONING` without its versioning: the
/// statement text, and the row-start and row-end column names.
fn strip_versioning(p: &Piece) -> Option<(String, String, String)> {
    let with = p.find_words(0, &["WITH", "SYSTEM", "VERSIONING"])?;
    let open = (0..p.lx.len()).find(|&i| p.text(i) == "(")?;
    let (mut depth, mut close, mut cuts) = (0, None, vec![open]);
    for i in open..p.lx.len() {
        match p.text(i) {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            "," if depth == 1 => cuts.push(i),
            _ => {}
        }
    }
    let close = close?;
    if with < close {
        return None;
    }
    cuts.push(close);
    let (mut start_col, mut end_col) = ("row_start".to_string(), "row_end".to_string());
    let mut items = Vec::new();
    // The items between the commas: column and key definitions, PERIOD FOR.
    for w in cuts.windows(2) {
        let (first, to) = (w[0] + 1, w[1]);
        if first >= to {
            continue;
        }
        let within = |words: &[&str]| p.find_words(first, words).is_some_and(|i| i < to);
        if within(&["AS", "ROW", "START"]) {
            start_col = p.name(first)?;
        } else if within(&["AS", "ROW", "END"]) {
            end_col = p.name(first)?;
        } else if !(p.is(first, "PERIOD") && p.is(first + 1, "FOR")) {
            items.push(p.sql[p.lx[first].start..p.lx[to].start].trim().to_string());
        }
    }
    let head = &p.sql[..p.lx[open].start];
    let tail = format!("{}{}", &p.sql[p.lx[close].end..p.lx[with].start], &p.sql[p.lx[with + 2].end..]);
    Some((format!("{head}(\n  {}\n){tail}", items.join(",\n  ")), start_col, end_col))
}

/// The `CREATE TABLE` of a scratch table that takes any version of a table
/// whose `SHOW CREATE TABLE` text is `create`: its columns without keys or
/// `AUTO_INCREMENT`, plus the row-start and row-end columns.
fn stage_table(create: &str, stage: &str, start_col: &str, end_col: &str) -> String {
    let mut cols: Vec<String> = create
        .lines()
        .skip(1)
        .map(|l| l.trim().trim_end_matches(',').to_string())
        .filter(|l| l.starts_with('`'))
        .map(|l| l.replace(" AUTO_INCREMENT", ""))
        .collect();
    cols.push(format!("{} DATETIME(6)", quote::ident(start_col)));
    cols.push(format!("{} DATETIME(6)", quote::ident(end_col)));
    format!("CREATE TABLE {} ({})", quote::ident(stage), cols.join(", "))
}

/// A row version: its values, start and end (`None`: current).
type Version = (Vec<Value>, Timestamp, Option<Timestamp>);

/// A versioned table of the dump: database, name, column names, versions.
type TableHistory = (String, String, Vec<String>, Vec<Version>);

/// What the dump holds: the statements that make the schema (and the rows
/// of tables without history), each versioned table's row versions, and the
/// earliest time of any version, empty ones (`row_start = row_end`, which
/// MariaDB keeps for a row inserted and deleted in one transaction)
/// included: the tables existed then, so the schema is created then.
struct Parsed {
    schema: Vec<String>,
    tables: Vec<TableHistory>,
    earliest: Option<Timestamp>,
}

fn rows(session: &mut Session, sql: &str) -> SqlResult<Vec<Vec<Value>>> {
    Ok(match session.execute_one(sql)? {
        StatementResult::Rows { rows, .. } => rows,
        StatementResult::Affected(_) => Vec::new(),
    })
}

fn parse_dump(sql: &str) -> SqlResult<Parsed> {
    let text = unwrap_hints(sql);
    let mut scratch = Session::in_memory();
    // tables come in name order, children maybe before their parents
    scratch.cons.fk_checks = false;
    let mut schema = Vec::new();
    let mut versioned: Vec<Versioned> = Vec::new();
    let mut history_on = false;
    for piece in front::split(&text)? {
        let p = Piece::new(&piece);
        if p.is(0, "SET") {
            if let Some(on) = p.insert_history() {
                history_on = on;
            }
            if let Some(i) = p.set_value("time_zone") {
                let zone = p.text(i).trim_matches('\'');
                if p.lx[i].kind == Kind::Str && !["+00:00", "+0:00", "-00:00", "UTC", "GMT"].contains(&zone) {
                    return Err(SqlError::new(
                        Code::BadTime,
                        format!("a history dump must give its times in UTC (time_zone '+00:00'), not '{zone}'"),
                    ));
                }
            }
            continue;
        }
        if p.is(0, "LOCK") || p.is(0, "UNLOCK") || (p.is(0, "ALTER") && p.is(p.lx.len().saturating_sub(1), "KEYS")) {
            continue;
        }
        if history_on && p.is(0, "INSERT") {
            let into = if p.is(1, "IGNORE") { 2 } else { 1 };
            let at = if p.is(into, "INTO") { into + 1 } else { into };
            let (db, name, after) = p.object(at).ok_or_else(|| SqlError::parse("INSERT without a table name"))?;
            let db = db.unwrap_or_else(|| scratch.current_database().to_string());
            if let Some(v) =
                versioned.iter().find(|v| v.db.eq_ignore_ascii_case(&db) && v.name.eq_ignore_ascii_case(&name))
            {
                let rewritten = format!(
                    "{}{}{}",
                    &piece[..p.lx[at].start],
                    quote::qualified(&v.db, &v.stage),
                    &piece[p.lx[after - 1].end..]
                );
                scratch.execute_one(&rewritten)?;
                continue;
            }
        }
        if p.is(0, "CREATE") {
            if let Some((plain, start_col, end_col)) = strip_versioning(&p) {
                scratch.execute_one(&plain)?;
                let at = p.find_words(0, &["TABLE"]).map_or(2, |i| i + 1);
                let at = if p.is(at, "IF") { at + 3 } else { at };
                let (db, name, _) = p.object(at).ok_or_else(|| SqlError::parse("CREATE TABLE without a name"))?;
                let db = db.unwrap_or_else(|| scratch.current_database().to_string());
                let stage = format!("reeldb_history_{}", versioned.len());
                let show = format!("SHOW CREATE TABLE {}", quote::qualified(&db, &name));
                let create = rows(&mut scratch, &show)?
                    .first()
                    .and_then(|r| r.get(1))
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                let saved = scratch.current_database().to_string();
                scratch.use_database(&db)?;
                scratch.execute_one(&stage_table(&create, &stage, &start_col, &end_col))?;
                if !saved.is_empty() {
                    scratch.use_database(&saved)?;
                }
                versioned.retain(|v| !(v.db.eq_ignore_ascii_case(&db) && v.name.eq_ignore_ascii_case(&name)));
                versioned.push(Versioned { db, name, start_col, end_col, stage });
                schema.push(plain);
                continue;
            }
        }
        scratch.execute_one(&piece)?;
        schema.push(piece.to_string());
    }
    let open_end = Timestamp::parse(ROW_END_MAX).unwrap_or(Timestamp(i64::MAX));
    let mut tables = Vec::new();
    let mut earliest: Option<Timestamp> = None;
    for v in versioned {
        let staged = rows(&mut scratch, &format!("SELECT * FROM {}", quote::qualified(&v.db, &v.stage)))?;
        let cols = rows(&mut scratch, &format!("SHOW COLUMNS FROM {}", quote::qualified(&v.db, &v.name)))?
            .iter()
            .map(|r| r.first().map(|c| c.to_string()).unwrap_or_default())
            .collect();
        let mut versions = Vec::with_capacity(staged.len());
        for mut r in staged {
            let (end, start) = (r.pop(), r.pop());
            let (Some(Value::DateTime(start)), Some(Value::DateTime(end))) = (start, end) else {
                return Err(SqlError::new(
                    Code::BadTime,
                    format!(
                        "a row version of '{}.{}' has no {} or {}: a history dump sets both",
                        v.db, v.name, v.start_col, v.end_col
                    ),
                ));
            };
            if end >= start {
                earliest = Some(earliest.map_or(start, |e| e.min(start)));
            }
            if end <= start {
                continue;
            }
            versions.push((r, start, (end < open_end).then_some(end)));
        }
        tables.push((v.db, v.name, cols, versions));
    }
    Ok(Parsed { schema, tables, earliest })
}

/// The commits of the replay: at each time, the versions that start
/// (`true`) or end there, as (table, start?, version) indexes into
/// `Parsed::tables`.
type Events = BTreeMap<Timestamp, Vec<(usize, bool, usize)>>;

fn events_of(parsed: &Parsed) -> Events {
    let mut ev: Events = BTreeMap::new();
    // The first commit, which creates the schema, even when every version
    // there is empty.
    if let Some(t) = parsed.earliest {
        ev.entry(t).or_default();
    }
    for (t, (_, _, _, versions)) in parsed.tables.iter().enumerate() {
        for (i, (_, start, end)) in versions.iter().enumerate() {
            ev.entry(*start).or_default().push((t, true, i));
            if let Some(e) = end {
                ev.entry(*e).or_default().push((t, false, i));
            }
        }
    }
    ev
}

/// A `DELETE` of one row equal to `row` (strings compared byte for byte).
fn delete_one(db: &str, t: &str, cols: &[String], row: &[Value]) -> String {
    let conds: Vec<String> = cols
        .iter()
        .zip(row)
        .map(|(c, v)| {
            let c = quote::ident(c);
            match v {
                Value::Null => format!("{c} IS NULL"),
                Value::Str(s) => format!("{c} = {} AND MD5({c}) = '{}'", quote::literal(v), md5::hex(s.as_bytes())),
                _ => format!("{c} = {}", quote::literal(v)),
            }
        })
        .collect();
    format!("DELETE FROM {} WHERE {} LIMIT 1", quote::qualified(db, t), conds.join(" AND "))
}

/// Runs the replay on `session`, its clock at each event's time, then
/// gives the clock back. Returns the number of versions inserted.
fn replay(session: &mut Session, parsed: &Parsed, events: &Events) -> SqlResult<u64> {
    let saved = session.database().fixed_clock();
    let result = replay_at(session, parsed, events);
    session.database_mut().set_clock(saved);
    result
}

fn replay_at(session: &mut Session, parsed: &Parsed, events: &Events) -> SqlResult<u64> {
    let mut versions = 0;
    let mut first = true;
    for (time, changes) in events {
        session.database_mut().set_clock(Some(*time));
        let mut script = Vec::new();
        if first {
            script.extend(parsed.schema.iter().cloned());
            first = false;
        }
        // Deletes first: a version that ends where another of the same key
        // starts makes room for it.
        for &(t, _, i) in changes.iter().filter(|c| !c.1) {
            let (db, name, cols, vs) = &parsed.tables[t];
            script.push(delete_one(db, name, cols, &vs[i].0));
        }
        let mut by_table: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &(t, _, i) in changes.iter().filter(|c| c.1) {
            by_table.entry(t).or_default().push(i);
            versions += 1;
        }
        for (t, rows) in by_table {
            let (db, name, cols, vs) = &parsed.tables[t];
            let names = cols.iter().map(|c| quote::ident(c)).collect::<Vec<_>>().join(",");
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let values: Vec<String> = chunk
                    .iter()
                    .map(|&i| format!("({})", vs[i].0.iter().map(quote::literal).collect::<Vec<_>>().join(",")))
                    .collect();
                script.push(format!(
                    "INSERT INTO {} ({names}) VALUES {}",
                    quote::qualified(db, name),
                    values.join(",")
                ));
            }
        }
        run_as_one_commit(session, &script)?;
    }
    if first {
        run_as_one_commit(session, &parsed.schema)?;
    }
    Ok(versions)
}

/// Runs statements as one transaction (one timeline entry).
fn run_as_one_commit(session: &mut Session, script: &[String]) -> SqlResult<()> {
    session.execute_one("BEGIN")?;
    for s in script {
        if let Err(e) = session.execute_one(s) {
            session.rollback();
            return Err(e);
        }
    }
    session.execute_one("COMMIT")?;
    Ok(())
}

impl Session {
    /// Imports a history dump (see the module documentation): rebuilds the
    /// dumped tables' timelines so that `FOR SYSTEM_TIME AS OF` any time
    /// reads what the source read then. Refused, with the database
    /// untouched, inside a transaction (`ER_NOT_SUPPORTED_YET`), when the
    /// database already has history later than the dump's earliest time
    /// (`ER_BAD_TIME`), when the dump's history is longer than the backtrack
    /// window (`ER_BACKTRACK_WINDOW`), or when the dump does not replay
    /// (that statement's error). Returns the number of row versions
    /// imported.
    pub fn import_history(&mut self, sql: &str) -> SqlResult<u64> {
        if self.in_transaction() {
            return Err(SqlError::unsupported("a history import inside a transaction"));
        }
        let parsed = parse_dump(sql)?;
        let events = events_of(&parsed);
        if let (Some(first), Some(last)) = (events.keys().next(), events.keys().next_back()) {
            if let Some(latest) = self.database().last_entry().map(|e| e.time).filter(|t| t > first) {
                return Err(SqlError::new(
                    Code::BadTime,
                    format!(
                        "the dump's history starts at '{first}', before this database's last commit at '{latest}'; \
                         import it into a new database"
                    ),
                ));
            }
            let window = self.database().status().window_target_secs;
            let span = (last.0 - first.0) as u64 / 1_000_000;
            if span > window {
                return Err(SqlError::new(
                    Code::BacktrackWindow,
                    format!(
                        "the dump's history spans {span} seconds, more than the backtrack window of {window}; \
                         SET GLOBAL backtrack_window = {} first",
                        span + 1
                    ),
                ));
            }
        }
        // A dry run on a scratch database: a dump that does not replay
        // fails there, before the target is touched.
        // Row versions replay in time order, not in foreign-key order: the
        // foreign keys held when the versions were written.
        let mut dry = Session::in_memory();
        dry.cons.fk_checks = false;
        replay(&mut dry, &parsed, &events)?;
        let checks = std::mem::replace(&mut self.cons.fk_checks, false);
        let done = replay(self, &parsed, &events);
        self.cons.fk_checks = checks;
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn hints_run_up_to_mariadb_10_11() {
        let text = unwrap_hints("/*!40101 SET a = 1 */; /*M!101100 SET b = 2 */; /*M!999999\\- sandbox */; x");
        let pieces = front::split(&text).unwrap();
        assert_eq!(pieces.iter().map(|s| s.trim()).collect::<Vec<_>>(), ["SET a = 1", "SET b = 2", "x"]);
        assert!(is_history_dump(
            "/*M!101100 SET @old_system_versioning_insert_history=@@session.system_versioning_insert_history, \
             @@session.system_versioning_insert_history=1 */;"
        ));
        let sandbox = "/*M!999999\\- enable the sandbox mode */ \n/*!40101 SET NAMES utf8mb4 */;";
        assert_eq!(front::split(&unwrap_hints(sandbox)).unwrap().len(), 1, "{}", unwrap_hints(sandbox));
        assert!(!is_history_dump(
            "SET system_versioning_insert_history = 0; SELECT @@system_versioning_insert_history"
        ));
    }

    #[test]
    fn a_versioned_create_table_loses_its_versioning() {
        let sql = "CREATE TABLE IF NOT EXISTS `t` (`id` int NOT NULL, `rs` TIMESTAMP(6) GENERATED ALWAYS AS ROW START \
                   INVISIBLE, `re` TIMESTAMP(6) GENERATED ALWAYS AS ROW END, v DECIMAL(5,2), PRIMARY KEY (`id`), \
                   PERIOD FOR SYSTEM_TIME (`rs`, `re`)) ENGINE=InnoDB WITH SYSTEM VERSIONING";
        let (plain, s, e) = strip_versioning(&Piece::new(sql)).unwrap();
        assert_eq!((s.as_str(), e.as_str()), ("rs", "re"));
        assert_eq!(
            plain,
            "CREATE TABLE IF NOT EXISTS `t` (\n  `id` int NOT NULL,\n  v DECIMAL(5,2),\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB "
        );
        let implicit = strip_versioning(&Piece::new("CREATE TABLE t (a INT) WITH SYSTEM VERSIONING")).unwrap();
        assert_eq!((implicit.1.as_str(), implicit.2.as_str()), ("row_start", "row_end"));
        assert!(strip_versioning(&Piece::new("CREATE TABLE t (a INT)")).is_none());
    }
}
