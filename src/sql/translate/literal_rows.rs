//! The reader of bulk `INSERT … VALUES` rows of plain literals, and the
//! lifting of such literals out of a statement's text as `?` parameters.

use super::expr::number;
use super::parse_general;
use crate::sql::ast::*;
use crate::sql::lex::{lex, Kind, Lexeme};
use crate::sql::value::Value;

/// `INSERT` (or `REPLACE`) `… VALUES (…), (…), …` whose rows are all plain
/// literals (integers and decimals with an optional `-`, `'…'` strings
/// without backslashes, `NULL`) or `?` placeholders, and nothing after them:
/// the statement up to the end of the first row goes through `sqlparser`,
/// the other rows are read here, as that row's literals are (checked: the
/// first row read both ways must agree). Parsing a bulk insert's thousands
/// of literals through `sqlparser` costs more than inserting them (every
/// literal is first tried as a typed string such as `DATE '…'`, building an
/// error each time). `None`: any other form, left to the general parser.
pub(super) fn insert_literal_rows(sql: &str) -> Option<Stmt> {
    let mut lexemes = lex(sql).filter(|l| !matches!(l.kind, Kind::Space | Kind::Comment));
    let first = lexemes.next()?;
    let verb = &sql[first.start..first.end];
    if first.kind != Kind::Word || !(verb.eq_ignore_ascii_case("INSERT") || verb.eq_ignore_ascii_case("REPLACE")) {
        return None;
    }
    let values = lexemes.find(|l| l.kind == Kind::Word && sql[l.start..l.end].eq_ignore_ascii_case("VALUES"))?;
    // the placeholders before the rows come first
    let params = crate::sql::params::placeholders(&sql[..values.end]).len();
    let mut r = LiteralRows { sql, pos: values.end, params };
    let mut rows = Vec::new();
    let mut first_end = 0;
    loop {
        rows.push(r.row()?);
        if rows.len() == 1 {
            first_end = r.pos;
        }
        r.skip_space();
        match r.bump() {
            Some(b',') => {}
            None => break,
            Some(_) => return None,
        }
    }
    if rows.len() < 2 {
        return None;
    }
    let mut stmt = parse_general(&sql[..first_end]).ok()?;
    match &mut stmt {
        Stmt::Insert { source: InsertSource::Values(head), on_duplicate, row_alias: None, .. }
            if on_duplicate.is_empty() && head.len() == 1 && head[0] == rows[0] =>
        {
            head.extend(rows.into_iter().skip(1));
        }
        _ => return None,
    }
    Some(stmt)
}

/// A statement with some of its plain literals (as [`insert_literal_rows`]
/// reads them: numbers, `'…'` strings without backslashes, `NULL`)
/// replaced by `?`, and their values in order. The literals lifted are
/// those whose place gives a literal and a parameter the same meaning:
///
/// - in an `INSERT` (or `REPLACE`) `… VALUES`, a literal that stands alone
///   as a value of a row (an `INSERT` takes a literal and a parameter
///   alike: as its value);
/// - in a `SELECT`, `UPDATE` or `DELETE`, a number or string on the right
///   of a comparison (`=`, `<>`, `!=`, `<`, `<=`, `>`, `>=`) whose left is
///   a column name, the comparison standing alone between `WHERE`, `AND`,
///   `OR`, `XOR` or `(` and `AND`, `OR`, `XOR`, `)` or the end of the
///   clause, from the statement's own `WHERE` (outside parentheses) to the
///   end of that clause (a comparison is decided on the values compared,
///   at run time, and the column's type and collation decide it; the
///   select list, whose text names the result's columns, comes before).
///
/// The text run with those values as its parameters does what `sql` does,
/// and statements that differ only in such values have one text, which a
/// session parses and plans once ([`crate::sql::Session::execute_one`]).
/// Anything else in the statement stays as written (`NOW()`, `DEFAULT`,
/// `1 + 1`, `"…"`, `ON DUPLICATE KEY UPDATE a = 3`, `LIMIT 5`, `a LIKE
/// 'x%'`). `None` when nothing is lifted, and for a statement with `?`
/// placeholders of its own, a `/*! … */` hint or an unterminated quote.
pub(crate) fn lift_literals(sql: &str) -> Option<(String, Vec<Value>)> {
    let mut lexemes = lex(sql).filter(|l| !matches!(l.kind, Kind::Space | Kind::Comment));
    // any other statement is told by its first word, before the rest is read
    let first = lexemes.next()?;
    let verb = |w: &str| first.kind == Kind::Word && sql[first.start..first.end].eq_ignore_ascii_case(w);
    let rows = verb("INSERT") || verb("REPLACE");
    if !(rows || verb("SELECT") || verb("UPDATE") || verb("DELETE")) {
        return None;
    }
    let ls = Lexemes { sql, ls: std::iter::once(first).chain(lexemes).collect() };
    if ls.ls.iter().any(|l| matches!(l.kind, Kind::Hint | Kind::Unterminated) || ls.punct(l, "?")) {
        return None;
    }
    let spots = if rows { ls.row_literals()? } else { ls.where_literals()? };
    if spots.is_empty() {
        return None;
    }
    let (mut out, mut from, mut values) = (String::with_capacity(sql.len()), 0, Vec::with_capacity(spots.len()));
    for (start, end, v) in spots {
        out.push_str(&sql[from..start]);
        out.push('?');
        from = end;
        values.push(v);
    }
    out.push_str(&sql[from..]);
    Some((out, values))
}

/// The lexemes of a statement (no spaces or comments), as
/// [`lift_literals`] reads them.
struct Lexemes<'a> {
    sql: &'a str,
    ls: Vec<Lexeme>,
}

/// A literal to lift: its byte range in the text and its value.
type Spot = (usize, usize, Value);

impl Lexemes<'_> {
    fn text(&self, l: &Lexeme) -> &str {
        &self.sql[l.start..l.end]
    }

    fn punct(&self, l: &Lexeme, p: &str) -> bool {
        l.kind == Kind::Punct && self.text(l) == p
    }

    fn word(&self, l: &Lexeme, w: &str) -> bool {
        l.kind == Kind::Word && self.text(l).eq_ignore_ascii_case(w)
    }

    fn any_word(&self, l: &Lexeme, ws: &[&str]) -> bool {
        ws.iter().any(|w| self.word(l, w))
    }

    /// The plain literal starting at lexeme `i`, and the index of the
    /// lexeme after it.
    fn literal(&self, i: usize) -> Option<(Spot, usize)> {
        let start = self.ls.get(i)?.start;
        let mut r = LiteralRows { sql: self.sql, pos: start, params: 0 };
        let v = r.literal()?;
        let next = i + self.ls[i..].iter().take_while(|m| m.start < r.pos).count();
        Some(((start, r.pos, v), next))
    }

    /// The literals of an `INSERT … VALUES`' rows that stand alone as a
    /// value; `None` for an `INSERT` whose rows are a query's.
    fn row_literals(&self) -> Option<Vec<Spot>> {
        let ls = &self.ls;
        // the rows start after VALUES outside parentheses, unless that VALUES
        // is a query's (`INSERT … SELECT 1 UNION VALUES ROW(2)`)
        let mut depth = 0usize;
        let mut at = None;
        for (i, l) in ls.iter().enumerate() {
            if self.punct(l, "(") {
                depth += 1;
            } else if self.punct(l, ")") {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && self.any_word(l, &["SELECT", "WITH", "TABLE", "UNION", "EXCEPT", "INTERSECT"]) {
                return None;
            } else if depth == 0 && self.any_word(l, &["VALUES", "VALUE"]) {
                at = Some(i + 1);
                break;
            }
        }
        let mut i = at?;
        let mut spots = Vec::new();
        let mut depth = 0usize;
        while let Some(l) = ls.get(i) {
            if depth == 0 {
                // between rows: `,`, `ROW`, or the next row's `(`; anything
                // else ends the rows
                if self.punct(l, "(") {
                    depth = 1;
                } else if !(self.punct(l, ",") || self.word(l, "ROW")) {
                    break;
                }
                i += 1;
                continue;
            }
            // a value of the row: right after its `(` or a `,` of the row,
            // and right before the next `,` or the row's `)`
            if depth == 1 && (self.punct(&ls[i - 1], "(") || self.punct(&ls[i - 1], ",")) {
                if let Some((spot, next)) = self.literal(i) {
                    if ls.get(next).is_some_and(|m| self.punct(m, ",") || self.punct(m, ")")) {
                        spots.push(spot);
                        i = next;
                        continue;
                    }
                }
            }
            if self.punct(l, "(") {
                depth += 1;
            } else if self.punct(l, ")") {
                depth -= 1;
            }
            i += 1;
        }
        Some(spots)
    }

    /// The numbers and strings compared with a column in the statement's
    /// own `WHERE` clause (see [`lift_literals`]).
    fn where_literals(&self) -> Option<Vec<Spot>> {
        /// Words that end a `WHERE` clause outside parentheses.
        const CLAUSE_END: &[&str] = &[
            "GROUP",
            "HAVING",
            "WINDOW",
            "ORDER",
            "LIMIT",
            "UNION",
            "EXCEPT",
            "INTERSECT",
            "INTO",
            "FOR",
            "LOCK",
            "RETURNING",
        ];
        const LOGICAL: &[&str] = &["AND", "OR", "XOR"];
        let ls = &self.ls;
        let mut depth = 0usize;
        let mut i = 0;
        // the statement's own WHERE, outside parentheses
        loop {
            let l = ls.get(i)?;
            if self.punct(l, "(") {
                depth += 1;
            } else if self.punct(l, ")") {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && self.word(l, "WHERE") {
                break;
            }
            i += 1;
        }
        let mut spots = Vec::new();
        let mut depth = 0usize;
        while let Some(l) = ls.get(i) {
            if self.punct(l, "(") {
                depth += 1;
            } else if self.punct(l, ")") {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            } else if depth == 0 && (self.punct(l, ";") || self.any_word(l, CLAUSE_END)) {
                break;
            }
            i += 1;
            // a comparison starts after WHERE, a logical operator or `(`
            let opens = self.punct(l, "(") || self.word(l, "WHERE") || self.any_word(l, LOGICAL);
            let Some(lit) = opens.then(|| self.compared_literal(i)).flatten() else { continue };
            let ((start, end, v), next) = lit;
            let closes = match ls.get(next) {
                None => true,
                Some(m) => {
                    self.punct(m, ")")
                        || self.punct(m, ";")
                        || self.any_word(m, LOGICAL)
                        || self.any_word(m, CLAUSE_END)
                }
            };
            if closes && !matches!(v, Value::Null) {
                spots.push((start, end, v));
                i = next;
            }
        }
        Some(spots)
    }

    /// At lexeme `i`, `column op literal` (`column` a name, or names joined
    /// by `.`): the literal, and the index of the lexeme after it.
    fn compared_literal(&self, mut i: usize) -> Option<(Spot, usize)> {
        let ls = &self.ls;
        let name = |l: &Lexeme| {
            l.kind == Kind::QuotedIdent
                || (l.kind == Kind::Word && l.start < l.end && !self.sql.as_bytes()[l.start].is_ascii_digit())
        };
        let touching = |a: usize| ls.get(a + 1).is_some_and(|b| b.start == ls[a].end);
        loop {
            if !name(ls.get(i)?) {
                return None;
            }
            i += 1;
            if !self.punct(ls.get(i)?, ".") {
                break;
            }
            i += 1;
        }
        // `=`, `<>`, `!=`, `<`, `<=`, `>`, `>=`, each lexeme one character
        let op = self.text(ls.get(i)?);
        let then = touching(i).then(|| self.text(&ls[i + 1]));
        if ls[i].kind != Kind::Punct {
            return None;
        }
        let len = match (op, then) {
            // not `<=>`
            ("<", Some("=")) if touching(i + 1) && self.punct(&ls[i + 2], ">") => return None,
            ("<", Some(">" | "=")) | ("!" | ">", Some("=")) => 2,
            ("=" | "<" | ">", _) => 1,
            _ => return None,
        };
        self.literal(i + len)
    }
}

/// The reader of [`insert_literal_rows`]'s rows: `None` on anything but
/// the plain forms it reads.
struct LiteralRows<'a> {
    sql: &'a str,
    pos: usize,
    /// The `?` placeholders read so far (the next one is parameter
    /// `params`).
    params: usize,
}

impl LiteralRows<'_> {
    fn peek(&self) -> Option<u8> {
        self.sql.as_bytes().get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// `( literal or ?, … )`
    fn row(&mut self) -> Option<Vec<Expr>> {
        self.skip_space();
        if self.bump()? != b'(' {
            return None;
        }
        let mut row = Vec::new();
        loop {
            self.skip_space();
            if self.peek()? == b'?' {
                self.pos += 1;
                row.push(Expr::Param(self.params));
                self.params += 1;
            } else {
                row.push(Expr::Lit(self.literal()?));
            }
            self.skip_space();
            match self.bump()? {
                b',' => {}
                b')' => return Some(row),
                _ => return None,
            }
        }
    }

    fn literal(&mut self) -> Option<Value> {
        let b = self.sql.as_bytes();
        let start = self.pos;
        match self.peek()? {
            b'\'' => {
                let mut out = String::new();
                let mut from = start + 1;
                let mut i = from;
                loop {
                    match *b.get(i)? {
                        b'\\' => return None,
                        b'\'' if b.get(i + 1) == Some(&b'\'') => {
                            // a doubled quote stands for one
                            out.push_str(&self.sql[from..=i]);
                            i += 2;
                            from = i;
                        }
                        b'\'' => {
                            out.push_str(&self.sql[from..i]);
                            self.pos = i + 1;
                            return Some(Value::Str(out));
                        }
                        _ => i += 1,
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                let digits = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                let mut i = start + usize::from(b[start] == b'-');
                let n = digits(i);
                if n == 0 {
                    return None;
                }
                i += n;
                if b.get(i) == Some(&b'.') {
                    let n = digits(i + 1);
                    if n == 0 {
                        return None;
                    }
                    i += 1 + n;
                }
                // `1e5`, `0x1F`, `1abc`: not this reader's
                if b.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'.') || *c >= 0x80)
                {
                    return None;
                }
                self.pos = i;
                number(&self.sql[start..i]).ok()
            }
            b'n' | b'N' => {
                let end = start + 4;
                let word = self.sql.get(start..end)?;
                if !word.eq_ignore_ascii_case("NULL")
                    || b.get(end).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$') || *c >= 0x80)
                {
                    return None;
                }
                self.pos = end;
                Some(Value::Null)
            }
            _ => None,
        }
    }
}
