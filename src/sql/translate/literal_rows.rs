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

/// An `INSERT` (or `REPLACE`) `… VALUES` statement with the plain literals
/// that stand alone as values of its rows (as [`insert_literal_rows`] reads
/// them: numbers, `'…'` strings without backslashes, `NULL`) replaced by
/// `?`, and their values in order. The text run with those values as its
/// parameters does what `sql` does (an `INSERT` takes a literal and a
/// parameter alike: as its value), and statements that differ only in such
/// values have one text, which a session parses once
/// ([`crate::sql::Session::execute_one`]). Anything else in the statement
/// stays as written (`NOW()`, `DEFAULT`, `1 + 1`, `"…"`, `ON DUPLICATE KEY
/// UPDATE a = 3`). `None` when nothing is lifted, and for a statement with
/// `?` placeholders of its own, a `/*! … */` hint or an unterminated quote.
pub(crate) fn lift_literals(sql: &str) -> Option<(String, Vec<Value>)> {
    let text = |l: &Lexeme| &sql[l.start..l.end];
    let punct = |l: &Lexeme, p: &str| l.kind == Kind::Punct && text(l) == p;
    let word = |l: &Lexeme, w: &str| l.kind == Kind::Word && text(l).eq_ignore_ascii_case(w);
    let mut lexemes = lex(sql).filter(|l| !matches!(l.kind, Kind::Space | Kind::Comment));
    // any other statement is told by its first word, before the rest is read
    let first = lexemes.next()?;
    if !(word(&first, "INSERT") || word(&first, "REPLACE")) {
        return None;
    }
    let ls: Vec<Lexeme> = std::iter::once(first).chain(lexemes).collect();
    if ls.iter().any(|l| matches!(l.kind, Kind::Hint | Kind::Unterminated) || punct(l, "?")) {
        return None;
    }
    // the rows start after VALUES outside parentheses, unless that VALUES
    // is a query's (`INSERT … SELECT 1 UNION VALUES ROW(2)`)
    let mut depth = 0usize;
    let mut at = None;
    for (i, l) in ls.iter().enumerate() {
        if punct(l, "(") {
            depth += 1;
        } else if punct(l, ")") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && ["SELECT", "WITH", "TABLE", "UNION", "EXCEPT", "INTERSECT"].iter().any(|w| word(l, w)) {
            return None;
        } else if depth == 0 && (word(l, "VALUES") || word(l, "VALUE")) {
            at = Some(i + 1);
            break;
        }
    }
    let mut i = at?;
    let (mut out, mut from, mut values) = (String::with_capacity(sql.len()), 0, Vec::new());
    let mut depth = 0usize;
    while let Some(l) = ls.get(i) {
        if depth == 0 {
            // between rows: `,`, `ROW`, or the next row's `(`; anything else
            // ends the rows
            if punct(l, "(") {
                depth = 1;
            } else if !(punct(l, ",") || word(l, "ROW")) {
                break;
            }
            i += 1;
            continue;
        }
        // a value of the row: right after its `(` or a `,` of the row, and
        // right before the next `,` or the row's `)`
        if depth == 1 && (punct(&ls[i - 1], "(") || punct(&ls[i - 1], ",")) {
            let mut r = LiteralRows { sql, pos: l.start, params: 0 };
            if let Some(v) = r.literal() {
                let next = i + ls[i..].iter().take_while(|m| m.start < r.pos).count();
                if ls.get(next).is_some_and(|m| punct(m, ",") || punct(m, ")")) {
                    out.push_str(&sql[from..l.start]);
                    out.push('?');
                    from = r.pos;
                    values.push(v);
                    i = next;
                    continue;
                }
            }
        }
        if punct(l, "(") {
            depth += 1;
        } else if punct(l, ")") {
            depth -= 1;
        }
        i += 1;
    }
    if values.is_empty() {
        return None;
    }
    out.push_str(&sql[from..]);
    Some((out, values))
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
