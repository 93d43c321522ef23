//! SQL text helpers of the JavaScript API: binding `?` parameters as
//! literals, converting values for JavaScript, the `asOf` view's rewrite,
//! and the MySQL-compatible dump of `exportSql`.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::js_error;
use crate::sql::ast::{Expr, Query, SelectItem, SetExpr, Stmt, TableRef, Temporal};
use crate::sql::{Session, StatementResult, Value};
use crate::time::Timestamp;

/// Quotes `s` as a MySQL string literal (backslash and quote escaped).
pub fn quote_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{1a}' => out.push_str("\\Z"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Quotes an identifier with backticks.
pub fn quote_ident(s: &str) -> String {
    format!("`{}`", s.replace('`', "``"))
}

/// One JavaScript parameter as a SQL literal.
fn literal(v: &JsValue, i: usize) -> Result<String, JsValue> {
    if v.is_null() || v.is_undefined() {
        return Ok("NULL".into());
    }
    if let Some(b) = v.as_bool() {
        return Ok(if b { "TRUE" } else { "FALSE" }.into());
    }
    if let Some(n) = v.as_f64() {
        if !n.is_finite() {
            return Err(js_error("BAD_PARAM", &format!("parameter {} is {n}, which SQL cannot hold", i + 1)));
        }
        if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
            return Ok(format!("{}", n as i64));
        }
        // A JS number is a double: bound as a DOUBLE literal (exponent form),
        // in Rust's shortest form that reads back as the same double.
        return Ok(format!("{n:e}"));
    }
    if v.is_bigint() {
        let s: String = js_sys::BigInt::unchecked_from_js_ref(v)
            .to_string(10)
            .map_err(|_| js_error("BAD_PARAM", "bad BigInt"))?
            .into();
        return Ok(s);
    }
    if let Some(s) = v.as_string() {
        return Ok(quote_str(&s));
    }
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        let ms = d.get_time();
        if !ms.is_finite() {
            return Err(js_error("BAD_PARAM", &format!("parameter {} is an invalid Date", i + 1)));
        }
        return Ok(format!("TIMESTAMP '{}'", Timestamp((ms * 1000.0) as i64)));
    }
    Err(js_error("BAD_PARAM", &format!("parameter {} is not a number, string, boolean, bigint, Date or null", i + 1)))
}

/// Replaces each `?` placeholder of `sql` (outside string literals, quoted
/// identifiers and comments) with the matching parameter as a literal.
pub fn bind_params(sql: &str, params: &[JsValue]) -> Result<String, JsValue> {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + params.len() * 8);
    let mut used = 0;
    let mut i = 0;
    let mut start = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\\' && q != b'`' {
                        i += 2;
                        continue;
                    }
                    if b[i] == q {
                        if i + 1 < b.len() && b[i + 1] == q {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'?' => {
                out.push_str(&sql[start..i]);
                let p = params.get(used).ok_or_else(|| {
                    js_error(
                        "BAD_PARAM",
                        &format!("the statement has more ? placeholders than the {} parameters", params.len()),
                    )
                })?;
                out.push_str(&literal(p, used)?);
                used += 1;
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[start.min(sql.len())..]);
    if used != params.len() {
        return Err(js_error("BAD_PARAM", &format!("{} parameters given for {used} ? placeholders", params.len())));
    }
    Ok(out)
}

/// A value for JavaScript: numbers (integers beyond 2^53 as BigInt),
/// strings, null; DECIMAL as exact text; dates as `YYYY-MM-DD[ HH:MM:SS]`.
pub fn value_to_js(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Int(i) if i.unsigned_abs() <= (1u64 << 53) => JsValue::from_f64(*i as f64),
        Value::Int(i) => js_sys::BigInt::from(*i).into(),
        Value::Double(d) => JsValue::from_f64(*d),
        Value::Str(s) => JsValue::from_str(s),
        other => JsValue::from_str(&other.to_string()),
    }
}

/// `{columns, values, rowsAffected}` for one statement result (sql.js's
/// shape, plus the count of rows a write changed).
pub fn result_to_js(r: &StatementResult) -> JsValue {
    let o = Object::new();
    let (columns, values, affected) = match r {
        StatementResult::Rows { columns, rows } => {
            let cols: Array = columns.iter().map(|c| JsValue::from_str(c)).collect();
            let vals: Array = rows.iter().map(|row| row.iter().map(value_to_js).collect::<Array>()).collect();
            (cols, vals, 0)
        }
        StatementResult::Affected(n) => (Array::new(), Array::new(), *n),
    };
    let _ = Reflect::set(&o, &"columns".into(), &columns);
    let _ = Reflect::set(&o, &"values".into(), &values);
    let _ = Reflect::set(&o, &"rowsAffected".into(), &JsValue::from_f64(affected as f64));
    o.into()
}

/// Rows as objects keyed by column name (the last result set of a script);
/// for a write, `[]`.
pub fn rows_to_objects(r: Option<&StatementResult>) -> JsValue {
    let out = Array::new();
    if let Some(StatementResult::Rows { columns, rows }) = r {
        let keys: Vec<JsValue> = columns.iter().map(|c| JsValue::from_str(c)).collect();
        for row in rows {
            let o = Object::new();
            for (k, v) in keys.iter().zip(row) {
                let _ = Reflect::set(&o, k, &value_to_js(v));
            }
            out.push(&o);
        }
    }
    out.into()
}

/// Pins every table a query reads at one time (see [`execute_as_of`]).
struct Pin<'a> {
    at: &'a Expr,
    /// SELECT blocks visited.
    seen: usize,
    /// Names of the common table expressions in scope: references to them
    /// are not tables (their definitions are pinned instead).
    ctes: Vec<String>,
}

fn pin_query(q: &mut Query, p: &mut Pin) {
    let depth = p.ctes.len();
    for c in &mut q.with {
        // A CTE sees only the ones before it, and itself if recursive.
        if c.recursive {
            p.ctes.push(c.name.clone());
        }
        pin_query(&mut c.query, p);
        if !c.recursive {
            p.ctes.push(c.name.clone());
        }
    }
    pin_set(&mut q.body, p);
    for o in &mut q.order_by {
        pin_expr(&mut o.expr, p);
    }
    for e in q.limit.iter_mut().chain(q.offset.iter_mut()) {
        pin_expr(e, p);
    }
    p.ctes.truncate(depth);
}

/// Pins the subqueries inside an expression.
fn pin_expr(e: &mut Expr, p: &mut Pin) {
    match e {
        Expr::Lit(_) | Expr::Column { .. } => {}
        Expr::Unary(_, a) | Expr::IsNull(a, _) | Expr::IsBool(a, _, _) | Expr::Cast(a, _) => pin_expr(a, p),
        Expr::Binary(_, a, b) | Expr::Like { expr: a, pattern: b, .. } => {
            pin_expr(a, p);
            pin_expr(b, p);
        }
        Expr::Between { expr, low, high, .. } => {
            pin_expr(expr, p);
            pin_expr(low, p);
            pin_expr(high, p);
        }
        Expr::InList { expr, list, .. } => {
            pin_expr(expr, p);
            list.iter_mut().for_each(|x| pin_expr(x, p));
        }
        Expr::InSubquery { expr, query, .. } => {
            pin_expr(expr, p);
            pin_query(query, p);
        }
        Expr::Exists(q, _) | Expr::Subquery(q) => pin_query(q, p),
        Expr::Case { operand, whens, else_ } => {
            if let Some(o) = operand {
                pin_expr(o, p);
            }
            for (w, t) in whens {
                pin_expr(w, p);
                pin_expr(t, p);
            }
            if let Some(x) = else_ {
                pin_expr(x, p);
            }
        }
        Expr::Func { args, .. } | Expr::Row(args) => args.iter_mut().for_each(|x| pin_expr(x, p)),
    }
}

fn pin_set(s: &mut SetExpr, p: &mut Pin) {
    match s {
        SetExpr::Select(sel) => {
            p.seen += 1;
            for t in &mut sel.from {
                pin_table(t, p);
            }
            for item in &mut sel.items {
                if let SelectItem::Expr { expr, .. } = item {
                    pin_expr(expr, p);
                }
            }
            for e in sel.filter.iter_mut().chain(sel.group_by.iter_mut()).chain(sel.having.iter_mut()) {
                pin_expr(e, p);
            }
        }
        SetExpr::Values(rows) => rows.iter_mut().flatten().for_each(|e| pin_expr(e, p)),
        SetExpr::SetOp { left, right, .. } => {
            pin_set(left, p);
            pin_set(right, p);
        }
        SetExpr::Query(q) => pin_query(q, p),
    }
}

fn pin_table(t: &mut TableRef, p: &mut Pin) {
    match t {
        TableRef::Table { name, temporal, .. } => {
            let is_cte = name.db.is_none() && p.ctes.iter().any(|c| c.eq_ignore_ascii_case(&name.name));
            if temporal.is_none() && !is_cte {
                *temporal = Some(Temporal::AsOf(p.at.clone()));
            }
        }
        TableRef::Derived { query, .. } => pin_query(query, p),
        TableRef::Function { args, .. } => args.iter_mut().for_each(|x| pin_expr(x, p)),
        TableRef::Join { left, right, on, .. } => {
            pin_table(left, p);
            pin_table(right, p);
            if let Some(on) = on {
                pin_expr(on, p);
            }
        }
    }
}

/// How many times the word SELECT occurs in `sql` outside literals and
/// comments.
fn count_selects(sql: &str) -> usize {
    let mut n = 0;
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == '\\' && q != '`' {
                chars.next();
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if word.eq_ignore_ascii_case("select") {
            n += 1;
        }
        word.clear();
        if matches!(c, '\'' | '"' | '`') {
            quote = Some(c);
        }
    }
    if word.eq_ignore_ascii_case("select") {
        n += 1;
    }
    n
}

/// Runs the read-only statement `sql` as of `at`: every table it names is
/// read `FOR SYSTEM_TIME AS OF at` (unless it names its own time).
pub fn execute_as_of(session: &mut Session, sql: &str, at: Timestamp) -> Result<StatementResult, JsValue> {
    let mut stmt = Session::parse(sql).map_err(super::sql_error)?;
    let Stmt::Query(q) = &mut stmt else {
        return Err(js_error("READ_ONLY", "an asOf view runs queries only (SELECT)"));
    };
    let at = Expr::Lit(Value::DateTime(at));
    let mut pin = Pin { at: &at, seen: 0, ctes: Vec::new() };
    pin_query(q, &mut pin);
    // Every SELECT must have been reached, or part of the query would read
    // the current state.
    if pin.seen != count_selects(sql) {
        return Err(js_error(
            "NOT_SUPPORTED",
            "an asOf view could not pin every SELECT of this query; use FOR SYSTEM_TIME AS OF in the query",
        ));
    }
    session.execute_parsed(sql, &stmt).map_err(super::sql_error)
}

fn sql_literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Int(_) | Value::Double(_) | Value::Decimal(_) => v.to_string(),
        Value::Str(s) => quote_str(s),
        other => quote_str(&other.to_string()),
    }
}

fn rows_of(session: &mut Session, sql: &str) -> Result<Vec<Vec<Value>>, JsValue> {
    match session.execute_one(sql).map_err(super::sql_error)? {
        StatementResult::Rows { rows, .. } => Ok(rows),
        StatementResult::Affected(_) => Ok(Vec::new()),
    }
}

/// A MySQL-compatible dump of the current state: `CREATE DATABASE`, `USE`,
/// `CREATE TABLE` and multi-row `INSERT`s for every user database, then
/// the views.
pub fn export_sql(session: &mut Session) -> Result<String, JsValue> {
    let mut out = String::from("-- ReelDB dump (MySQL-compatible)\n");
    let dbs = rows_of(session, "SHOW DATABASES")?;
    let mut all_views = Vec::new();
    for d in dbs {
        let db = d.first().map(|v| v.to_string()).unwrap_or_default();
        if db.eq_ignore_ascii_case("information_schema") {
            continue;
        }
        out.push_str(&format!("\nCREATE DATABASE IF NOT EXISTS {};\nUSE {};\n", quote_ident(&db), quote_ident(&db)));
        let tables = rows_of(
            session,
            &format!(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = {} AND table_type = 'BASE TABLE'",
                quote_str(&db)
            ),
        )?;
        for t in tables {
            let t = t.first().map(|v| v.to_string()).unwrap_or_default();
            let full = format!("{}.{}", quote_ident(&db), quote_ident(&t));
            let create = rows_of(session, &format!("SHOW CREATE TABLE {full}"))?;
            let text = create.first().and_then(|r| r.get(1)).map(|v| v.to_string()).unwrap_or_default();
            out.push_str(&format!("\nDROP TABLE IF EXISTS {};\n{text};\n", quote_ident(&t)));
            let rows = rows_of(session, &format!("SELECT * FROM {full}"))?;
            for chunk in rows.chunks(200) {
                out.push_str(&format!("INSERT INTO {} VALUES\n", quote_ident(&t)));
                let lines: Vec<String> = chunk
                    .iter()
                    .map(|r| format!("({})", r.iter().map(sql_literal).collect::<Vec<_>>().join(",")))
                    .collect();
                out.push_str(&lines.join(",\n"));
                out.push_str(";\n");
            }
        }
        let views = rows_of(
            session,
            &format!(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = {} AND table_type = 'VIEW'",
                quote_str(&db)
            ),
        )?;
        for v in views {
            let v = v.first().map(|v| v.to_string()).unwrap_or_default();
            let create = rows_of(session, &format!("SHOW CREATE VIEW {}.{}", quote_ident(&db), quote_ident(&v)))?;
            let text = create.first().and_then(|r| r.get(1)).map(|v| v.to_string()).unwrap_or_default();
            all_views.push((db.clone(), v, text));
        }
    }
    // Views last (they may read tables of any database), each after the
    // views it names.
    let mut used_db = String::new();
    for (db, name, text) in views_in_dependency_order(all_views) {
        if db != used_db {
            out.push_str(&format!("\nUSE {};\n", quote_ident(&db)));
            used_db = db;
        }
        out.push_str(&format!("DROP VIEW IF EXISTS {};\n{text};\n", quote_ident(&name)));
    }
    Ok(out)
}

/// Whether `text` has `word` as a whole identifier (ASCII case-insensitive).
fn mentions(text: &str, word: &str) -> bool {
    let (text, word) = (text.to_ascii_lowercase(), word.to_ascii_lowercase());
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(&word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(is_ident)
            && !text[i + word.len()..].chars().next().is_some_and(is_ident)
    })
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
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn selects_are_counted_outside_literals() {
        assert_eq!(count_selects("SELECT 'select' FROM (SELECT 1) x -- nothing"), 2);
        assert_eq!(count_selects("select `select` from t"), 1);
    }

    #[wasm_bindgen_test]
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

    #[wasm_bindgen_test]
    fn strings_are_escaped() {
        assert_eq!(quote_str("it's a \\ test"), "'it''s a \\\\ test'");
    }
}
