//! The SQL dump: a MySQL-compatible script that recreates every user
//! database, its tables, rows and views (the shell's `.dump`, the
//! JavaScript API's `exportSql`).

use super::lex;
use super::quote;
use super::{Session, SqlResult, StatementResult, Value};

impl Session {
    /// A MySQL-compatible dump of the current state: `CREATE DATABASE`,
    /// `USE`, `CREATE TABLE` and multi-row `INSERT`s for every user
    /// database, then the views, each after the views it names. Running it
    /// in an empty database recreates the same schema and rows.
    pub fn dump(&mut self) -> SqlResult<String> {
        dump(self)
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
fn dump(session: &mut Session) -> SqlResult<String> {
    let mut out = String::from("-- ReelDB dump (MySQL-compatible)\n");
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
            out.push_str(&format!("\nDROP TABLE IF EXISTS {};\n{text};\n", quote::ident(&t)));
            let rows = rows_of(session, &format!("SELECT * FROM {full}"))?;
            for chunk in rows.chunks(200) {
                out.push_str(&format!("INSERT INTO {} VALUES\n", quote::ident(&t)));
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
    Ok(out)
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
}
