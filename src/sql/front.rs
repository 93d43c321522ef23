//! The front parser: splits input into statements, handles the statements the
//! general parser does not know (BACKTRACK, restore points, SET, SHOW,
//! DESCRIBE, transactions) and rewrites the `FOR SYSTEM_TIME` period forms
//! into the `AS OF` form the general parser accepts.

use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::ast::{BacktrackTo, ObjName, Show, Stmt};
use super::dialect::ReelDialect;
use super::error::{SqlError, SqlResult};
use super::lex::{self, Kind};
use super::translate;

/// Tokenizes `sql` with byte offsets `(token, start, end)`.
fn tokens(sql: &str) -> SqlResult<Vec<(Token, usize, usize)>> {
    let dialect = ReelDialect;
    let toks: Vec<TokenWithSpan> = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| SqlError::parse(translate::syntax_message(&e.to_string())))?;
    // Map (line, column) (1-based, columns in characters) to byte offsets.
    // Spans come in order, so one forward cursor keeps this linear in the
    // input (a statement of thousands of rows is one long line).
    let mut line_starts = vec![0usize];
    for (i, b) in sql.bytes().enumerate() {
        if b == b'\n' {
            line_starts.push(i + 1);
        }
    }
    let mut cursor = (1u64, 1u64, 0usize);
    let mut offset = |line: u64, col: u64| -> usize {
        if line == 0 {
            return sql.len();
        }
        let (cl, cc, cb) = cursor;
        let (mut c, mut b) = if line == cl && col >= cc {
            (cc, cb)
        } else {
            (1, line_starts.get(line as usize - 1).copied().unwrap_or(sql.len()))
        };
        let mut chars = sql[b..].chars();
        while c < col {
            match chars.next() {
                Some(ch) if ch != '\n' => {
                    b += ch.len_utf8();
                    c += 1;
                }
                _ => break,
            }
        }
        cursor = (line, c, b);
        b
    };
    Ok(toks
        .into_iter()
        .map(|t| {
            let s = offset(t.span.start.line, t.span.start.column);
            let e = offset(t.span.end.line, t.span.end.column);
            (t.token, s, e.max(s))
        })
        .collect())
}

fn is_trivia(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_) | Token::EOF)
}

/// Splits a script into statements at top-level semicolons; empty pieces are
/// dropped.
pub fn split(sql: &str) -> SqlResult<Vec<String>> {
    match split_scan(sql) {
        Some(pieces) => Ok(pieces),
        None => split_tokens(sql),
    }
}

/// [`split`] by a byte scanner that knows the dialect's quotes and comments
/// (a script of thousands of rows is not tokenized twice). `None` where it
/// would have to guess: an unterminated quote or comment (the tokenizer
/// then reports the error) or a `/*! ... */` hint, whose content MySQL runs
/// as SQL.
fn split_scan(sql: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let (mut start, mut content) = (0, false);
    for l in lex::lex(sql) {
        match l.kind {
            Kind::Punct if &sql[l.start..l.end] == ";" => {
                if content {
                    out.push(sql[start..l.start].to_string());
                }
                start = l.end;
                content = false;
            }
            Kind::Space | Kind::Comment => {}
            Kind::Hint | Kind::Unterminated => return None,
            Kind::Str | Kind::QuotedIdent | Kind::Word | Kind::Punct => content = true,
        }
    }
    if content {
        out.push(sql[start..].to_string());
    }
    Some(out)
}

/// [`split`] on the dialect's tokens.
fn split_tokens(sql: &str) -> SqlResult<Vec<String>> {
    let toks = tokens(sql)?;
    let mut out = Vec::new();
    let mut start = 0;
    // Whether the piece since `start` holds anything but whitespace and
    // comments (read off the script's tokens: a piece is not tokenized again).
    let mut content = false;
    for (t, s, e) in &toks {
        if *t == Token::SemiColon {
            if content {
                out.push(sql[start..*s].to_string());
            }
            start = *e;
            content = false;
        } else if !is_trivia(t) {
            content = true;
        }
    }
    if content {
        out.push(sql[start..].to_string());
    }
    Ok(out)
}

fn word(t: &Token) -> Option<String> {
    match t {
        Token::Word(w) => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

fn ident(t: &Token) -> Option<String> {
    match t {
        Token::Word(w) => Some(w.value.clone()),
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Some(s.clone()),
        _ => None,
    }
}

struct Cursor<'a> {
    sql: &'a str,
    toks: Vec<(Token, usize, usize)>,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(sql: &'a str) -> SqlResult<Cursor<'a>> {
        let toks = tokens(sql)?.into_iter().filter(|(t, _, _)| !is_trivia(t)).collect();
        Ok(Cursor { sql, toks, pos: 0 })
    }
    fn peek_kw(&self, i: usize) -> Option<String> {
        self.toks.get(self.pos + i).and_then(|t| word(&t.0))
    }
    fn kw(&mut self, k: &str) -> bool {
        if self.peek_kw(0).as_deref() == Some(k) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn kws(&mut self, ks: &[&str]) -> bool {
        if ks.iter().enumerate().all(|(i, k)| self.peek_kw(i).as_deref() == Some(*k)) {
            self.pos += ks.len();
            true
        } else {
            false
        }
    }
    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }
    fn rest(&self) -> &'a str {
        match self.toks.get(self.pos) {
            Some((_, s, _)) => &self.sql[*s..],
            None => "",
        }
    }
    fn err(&self) -> SqlError {
        let near = self.rest();
        let near: String = near.chars().take(40).collect();
        SqlError::parse(format!("You have an error in your SQL syntax near '{near}'"))
    }
    fn name(&mut self) -> SqlResult<String> {
        let t = self.toks.get(self.pos).and_then(|t| ident(&t.0)).ok_or_else(|| self.err())?;
        self.pos += 1;
        Ok(t)
    }
    fn obj_name(&mut self) -> SqlResult<ObjName> {
        let first = self.name()?;
        if matches!(self.toks.get(self.pos), Some((Token::Period, _, _))) {
            self.pos += 1;
            let second = self.name()?;
            return Ok(ObjName { db: Some(first), name: second });
        }
        Ok(ObjName { db: None, name: first })
    }
    fn like(&mut self) -> SqlResult<Option<String>> {
        if self.kw("LIKE") {
            match self.toks.get(self.pos) {
                Some((Token::SingleQuotedString(s), _, _)) | Some((Token::DoubleQuotedString(s), _, _)) => {
                    let s = s.clone();
                    self.pos += 1;
                    Ok(Some(s))
                }
                _ => Err(self.err()),
            }
        } else {
            Ok(None)
        }
    }
    /// `[LIMIT [offset,] n]` of `SHOW WARNINGS`: (offset, count).
    fn show_limit(&mut self) -> SqlResult<Option<(u64, u64)>> {
        if !self.kw("LIMIT") {
            return Ok(None);
        }
        let num = |c: &mut Self| match c.toks.get(c.pos) {
            Some((Token::Number(n, _), _, _)) => {
                let v = n.parse::<u64>().map_err(|_| c.err())?;
                c.pos += 1;
                Ok(v)
            }
            _ => Err(c.err()),
        };
        let first = num(self)?;
        if matches!(self.toks.get(self.pos), Some((Token::Comma, _, _))) {
            self.pos += 1;
            let n = num(self)?;
            return Ok(Some((first, n)));
        }
        Ok(Some((0, first)))
    }

    fn end(&self) -> SqlResult<()> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.err())
        }
    }
}

/// Parses the statements the front parser owns; `None` for everything else.
pub fn parse_front(sql: &str) -> SqlResult<Option<Stmt>> {
    // Fast path: a statement that plainly starts with a keyword the front
    // parser does not own goes straight to the general parser.
    let head = sql.trim_start();
    let word_len = head.bytes().take_while(|b| b.is_ascii_alphabetic() || *b == b'_').count();
    if word_len > 0 && head.as_bytes().get(word_len).is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_') {
        const FRONT: &[&str] = &[
            "BACKTRACK",
            "CREATE",
            "DROP",
            "BEGIN",
            "START",
            "COMMIT",
            "ROLLBACK",
            "USE",
            "DESCRIBE",
            "DESC",
            "EXPLAIN",
            "SHOW",
            "SET",
            "SAVEPOINT",
            "RELEASE",
            "RENAME",
        ];
        let w = &head[..word_len];
        if !FRONT.iter().any(|k| k.eq_ignore_ascii_case(w)) {
            return Ok(None);
        }
    }
    let mut c = Cursor::new(sql)?;
    let Some(first) = c.peek_kw(0) else {
        return Ok(None);
    };
    match first.as_str() {
        "BACKTRACK" => {
            c.pos += 1;
            if !c.kw("TO") {
                return Err(c.err());
            }
            let clamp_at = {
                let n = c.toks.len();
                n >= 2
                    && word(&c.toks[n - 2].0).as_deref() == Some("OR")
                    && word(&c.toks[n - 1].0).as_deref() == Some("EARLIEST")
            };
            if clamp_at {
                let n = c.toks.len();
                c.toks.truncate(n - 2);
            }
            let target = if c.kws(&["RESTORE", "POINT"]) {
                let n = c.name()?;
                c.end()?;
                BacktrackTo::RestorePoint(n)
            } else {
                let end = c.toks.last().map(|t| t.2).unwrap_or(sql.len());
                let start = c.toks.get(c.pos).map(|t| t.1).ok_or_else(|| c.err())?;
                BacktrackTo::Time(translate::parse_expr(&sql[start..end])?)
            };
            Ok(Some(Stmt::Backtrack { target, clamp: clamp_at }))
        }
        "CREATE" | "DROP" if c.peek_kw(1).as_deref() == Some("RESTORE") && c.peek_kw(2).as_deref() == Some("POINT") => {
            c.pos += 3;
            let name = c.name()?;
            c.end()?;
            Ok(Some(if first == "CREATE" { Stmt::CreateRestorePoint(name) } else { Stmt::DropRestorePoint(name) }))
        }
        "BEGIN" => {
            c.pos += 1;
            c.kw("WORK");
            c.end()?;
            Ok(Some(Stmt::Begin))
        }
        "START" => {
            c.pos += 1;
            if !c.kw("TRANSACTION") {
                return Err(c.err());
            }
            c.end()?;
            Ok(Some(Stmt::Begin))
        }
        "SAVEPOINT" => {
            c.pos += 1;
            let n = c.name()?;
            c.end()?;
            Ok(Some(Stmt::Savepoint(n)))
        }
        "RELEASE" => {
            c.pos += 1;
            if !c.kw("SAVEPOINT") {
                return Err(c.err());
            }
            let n = c.name()?;
            c.end()?;
            Ok(Some(Stmt::ReleaseSavepoint(n)))
        }
        "ROLLBACK" if c.peek_kw(1).as_deref() == Some("TO") || c.peek_kw(2).as_deref() == Some("TO") => {
            c.pos += 1;
            c.kw("WORK");
            if !c.kw("TO") {
                return Err(c.err());
            }
            c.kw("SAVEPOINT");
            let n = c.name()?;
            c.end()?;
            Ok(Some(Stmt::RollbackToSavepoint(n)))
        }
        "COMMIT" | "ROLLBACK" => {
            c.pos += 1;
            c.kw("WORK");
            c.end()?;
            Ok(Some(if first == "COMMIT" { Stmt::Commit } else { Stmt::Rollback }))
        }
        // RENAME TABLE a TO b: ALTER TABLE a RENAME TO b
        "RENAME" if c.peek_kw(1).as_deref() == Some("TABLE") => {
            c.pos += 2;
            let from = c.obj_name()?;
            if !c.kw("TO") {
                return Err(c.err());
            }
            let to = c.obj_name()?;
            if matches!(c.toks.get(c.pos), Some((Token::Comma, _, _))) {
                return Err(SqlError::unsupported("RENAME TABLE of several tables (rename them one by one)"));
            }
            c.end()?;
            Ok(Some(Stmt::AlterTable { name: from, ops: vec![crate::sql::ast::AlterOp::RenameTable(to)] }))
        }
        "USE" => {
            c.pos += 1;
            let n = c.name()?;
            c.end()?;
            Ok(Some(Stmt::Use(n)))
        }
        "DESCRIBE" | "DESC" | "EXPLAIN" => {
            c.pos += 1;
            // EXPLAIN SELECT ...: the query's plan
            if matches!(c.peek_kw(0).as_deref(), Some("SELECT" | "WITH"))
                || matches!(c.toks.get(c.pos), Some((Token::LParen, _, _)))
            {
                return match translate::parse_statement(c.rest())? {
                    Stmt::Query(q) => Ok(Some(Stmt::Explain(q))),
                    _ => Err(c.err()),
                };
            }
            if matches!(
                c.peek_kw(0).as_deref(),
                Some("UPDATE" | "DELETE" | "INSERT" | "REPLACE" | "ANALYZE" | "FORMAT")
            ) {
                return Err(SqlError::unsupported("EXPLAIN of anything but a SELECT"));
            }
            let n = c.obj_name()?;
            // `DESCRIBE t col` / `DESCRIBE t 'pattern'`: those columns
            let pattern = match c.toks.get(c.pos) {
                Some((Token::SingleQuotedString(s), _, _)) | Some((Token::DoubleQuotedString(s), _, _)) => {
                    let s = s.clone();
                    c.pos += 1;
                    Some(s)
                }
                Some(_) => Some(c.name()?),
                None => None,
            };
            c.end()?;
            Ok(Some(Stmt::Show(Show::Columns(n, pattern))))
        }
        "SHOW" => {
            c.pos += 1;
            let full = c.kw("FULL");
            let show = if c.kw("DATABASES") || c.kw("SCHEMAS") {
                Show::Databases(c.like()?)
            } else if c.kw("TABLES") {
                let db = if c.kw("FROM") || c.kw("IN") { Some(c.name()?) } else { None };
                Show::Tables(db, c.like()?, full)
            } else if c.kw("COLUMNS") || c.kw("FIELDS") {
                if !(c.kw("FROM") || c.kw("IN")) {
                    return Err(c.err());
                }
                let mut n = c.obj_name()?;
                if c.kw("FROM") || c.kw("IN") {
                    n.db = Some(c.name()?);
                }
                Show::Columns(n, c.like()?)
            } else if c.kws(&["CREATE", "TABLE"]) {
                Show::CreateTable(c.obj_name()?)
            } else if c.kws(&["CREATE", "VIEW"]) {
                Show::CreateView(c.obj_name()?)
            } else if c.kw("WARNINGS") {
                Show::Warnings(c.show_limit()?)
            } else if c.kw("COUNT") {
                for t in [Token::LParen, Token::Mul, Token::RParen] {
                    if c.toks.get(c.pos).map(|x| &x.0) != Some(&t) {
                        return Err(c.err());
                    }
                    c.pos += 1;
                }
                if !c.kw("WARNINGS") {
                    return Err(c.err());
                }
                Show::WarningCount
            } else if c.kw("INDEX") || c.kw("INDEXES") || c.kw("KEYS") {
                if !(c.kw("FROM") || c.kw("IN")) {
                    return Err(c.err());
                }
                Show::Indexes(c.obj_name()?)
            } else {
                c.kw("GLOBAL");
                c.kw("SESSION");
                if c.kw("STATUS") {
                    Show::Status(c.like()?)
                } else if c.kw("VARIABLES") {
                    Show::Variables(c.like()?)
                } else {
                    return Err(c.err());
                }
            };
            c.end()?;
            Ok(Some(Stmt::Show(show)))
        }
        "SET" => {
            c.pos += 1;
            let mut global = c.kw("GLOBAL");
            if !global {
                c.kw("SESSION");
                c.kw("LOCAL");
            }
            // @@global.x / @@session.x / @@x
            let mut name = String::new();
            while let Some((t, _, _)) = c.toks.get(c.pos) {
                match t {
                    Token::Eq | Token::Assignment => break,
                    Token::Word(w) if w.value.eq_ignore_ascii_case("TO") => break,
                    other => {
                        name.push_str(&other.to_string());
                        c.pos += 1;
                    }
                }
            }
            if c.at_end() {
                return Err(c.err());
            }
            c.pos += 1;
            let mut name = name.to_ascii_lowercase();
            if let Some(n) = name.strip_prefix("@@") {
                name = n.to_string();
            }
            if let Some(n) = name.strip_prefix("global.") {
                name = n.to_string();
                global = true;
            } else if let Some(n) = name.strip_prefix("session.") {
                name = n.to_string();
            }
            let rest = c.rest().trim();
            let is_default = rest.eq_ignore_ascii_case("DEFAULT");
            if name == "timestamp" {
                return Ok(Some(Stmt::SetTimestamp(if is_default {
                    None
                } else {
                    Some(translate::parse_expr(rest)?)
                })));
            }
            let value = if is_default {
                super::ast::Expr::Default
            } else if rest.eq_ignore_ascii_case("ON") || rest.eq_ignore_ascii_case("OFF") {
                // a bare ON (a reserved word) or OFF: the switch's value
                super::ast::Expr::Lit(super::value::Value::Str(rest.to_ascii_uppercase()))
            } else {
                translate::parse_expr(rest)?
            };
            Ok(Some(Stmt::SetVariable { name, value, global }))
        }
        _ => Ok(None),
    }
}

/// Rewrites `FOR SYSTEM_TIME ALL | BETWEEN a AND b | FROM a TO b` into
/// `FOR SYSTEM_TIME AS OF reeldb_period_*(...)`, which the general parser
/// accepts and `translate` turns back into [`super::ast::Temporal`].
pub fn rewrite_periods(sql: &str) -> SqlResult<String> {
    if !sql.to_ascii_uppercase().contains("SYSTEM_TIME") {
        return Ok(sql.to_string());
    }
    let toks: Vec<(Token, usize, usize)> = tokens(sql)?.into_iter().filter(|(t, _, _)| !is_trivia(t)).collect();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i + 2 < toks.len() {
        let is = |j: usize, k: &str| toks.get(j).and_then(|t| word(&t.0)).as_deref() == Some(k);
        if !(is(i, "FOR") && is(i + 1, "SYSTEM_TIME")) {
            i += 1;
            continue;
        }
        let kw_tok = &toks[i + 2];
        if is(i + 2, "ALL") {
            out.push_str(&sql[copied..kw_tok.1]);
            out.push_str("AS OF reeldb_period_all()");
            copied = kw_tok.2;
            i += 3;
            continue;
        }
        let (sep, fname) = if is(i + 2, "BETWEEN") {
            ("AND", "reeldb_period_between")
        } else if is(i + 2, "FROM") {
            ("TO", "reeldb_period_from_to")
        } else {
            i += 1;
            continue;
        };
        // first bound: up to the separator at depth 0
        let mut j = i + 3;
        let mut depth = 0i32;
        while j < toks.len() {
            match &toks[j].0 {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                t if depth == 0 && word(t).as_deref() == Some(sep) => break,
                _ => {}
            }
            j += 1;
        }
        if j >= toks.len() || j == i + 3 {
            return Err(SqlError::parse(format!(
                "You have an error in your SQL syntax: FOR SYSTEM_TIME {} needs {}",
                word(&kw_tok.0).unwrap_or_default(),
                sep
            )));
        }
        let a = &sql[toks[i + 3].1..toks[j - 1].2];
        // second bound: TIMESTAMP 'x' | 'x' | number | f(...) | (...)
        let mut k = j + 1;
        let bstart = toks.get(k).map(|t| t.1).ok_or_else(|| SqlError::parse("missing period end"))?;
        let typed = matches!(word(&toks[k].0).as_deref(), Some("TIMESTAMP") | Some("DATE") | Some("DATETIME"));
        let call = matches!(toks[k].0, Token::Word(_)) && toks.get(k + 1).is_some_and(|t| t.0 == Token::LParen);
        if k + 1 < toks.len() && (typed || call) {
            k += 1;
        }
        if toks[k].0 == Token::LParen {
            let mut d = 0;
            while k < toks.len() {
                match toks[k].0 {
                    Token::LParen => d += 1,
                    Token::RParen => {
                        d -= 1;
                        if d == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
        }
        let kend = toks.get(k).map(|t| t.2).unwrap_or(sql.len());
        let b = &sql[bstart..kend];
        out.push_str(&sql[copied..kw_tok.1]);
        out.push_str(&format!("AS OF {fname}({a}, {b})"));
        copied = kend;
        i = k + 1;
    }
    out.push_str(&sql[copied..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scanner_splits_as_the_tokenizer_does() {
        for sql in [
            "SELECT 1; SELECT ';' ;; ",
            "SELECT 'a\\';b'; SELECT 2",
            "SELECT 'it''s;'; SELECT \"x;\"\"\"",
            "SELECT `a;``b` FROM t; -- c; d\nSELECT 3",
            "SELECT 1--1; SELECT 2",
            "SELECT 1 # x; y\n; /* ; */ ; SELECT 4 /* a /* b */",
            "SELECT 'é;ü'; \u{a0}; SELECT 5 --\u{a0}x; y",
            "-- only a comment",
        ] {
            assert_eq!(split_scan(sql), Some(split_tokens(sql).unwrap()), "{sql}");
        }
        // Left to the tokenizer: unterminated quotes and comments, hints.
        for sql in ["SELECT 'a", "SELECT `a", "SELECT 1 /* x", "/*!40101 SET x = 1; */ SELECT 1", "SELECT 'a\\"] {
            assert_eq!(split_scan(sql), None, "{sql}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn the_scanner_agrees_with_the_tokenizer_on_any_script(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "'", "\"", "`", "\\", ";", "-", "--", "-- ", "#", "/*", "*/", "/*!", "*", "!", " ", "\n",
                    "\t", "a", "1", "é", "\u{a0}", "SELECT ", "''", "x'0A'",
                ]),
                0..40,
            )
        ) {
            let sql: String = parts.concat();
            // Both succeed with the same pieces, or both give up; the scanner
            // defers to the tokenizer only for a `/*!` hint.
            match (split_scan(&sql), split_tokens(&sql)) {
                (Some(fast), Ok(slow)) => proptest::prop_assert_eq!(fast, slow, "{:?}", sql),
                (Some(fast), Err(e)) => proptest::prop_assert!(false, "{sql:?}: scanned {fast:?}, tokenizer: {e}"),
                (None, Ok(slow)) => {
                    proptest::prop_assert!(sql.contains("/*!"), "{sql:?}: only the tokenizer split it: {slow:?}")
                }
                (None, Err(_)) => {}
            }
        }
    }

    #[test]
    fn splits_and_rewrites() {
        let parts = split("SELECT 1; SELECT ';' ;; ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].trim(), "SELECT ';'");
        let r = rewrite_periods(
            "SELECT * FROM t FOR SYSTEM_TIME BETWEEN TIMESTAMP '2020-01-01' AND TIMESTAMP '2021-01-01' WHERE x",
        )
        .unwrap();
        assert_eq!(
            r,
            "SELECT * FROM t AS OF reeldb_period_between(TIMESTAMP '2020-01-01', TIMESTAMP '2021-01-01') WHERE x"
                .replace("t AS", "t FOR SYSTEM_TIME AS")
        );
        let r = rewrite_periods("SELECT * FROM t FOR SYSTEM_TIME ALL").unwrap();
        assert_eq!(r, "SELECT * FROM t FOR SYSTEM_TIME AS OF reeldb_period_all()");
        assert!(matches!(
            parse_front("BACKTRACK TO TIMESTAMP '2020-12-24 14:50:00'").unwrap(),
            Some(Stmt::Backtrack { .. })
        ));
        assert!(matches!(parse_front("SET TIMESTAMP = DEFAULT").unwrap(), Some(Stmt::SetTimestamp(None))));
        assert!(matches!(
            parse_front("SET GLOBAL backtrack_window = 1800").unwrap(),
            Some(Stmt::SetVariable { global: true, .. })
        ));
    }
}
