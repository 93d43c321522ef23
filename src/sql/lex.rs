//! The one byte-level lexer of SQL text outside the parser: where quotes,
//! comments and words begin and end in the MySQL dialect. Statement
//! splitting, `?` parameter binding, the `asOf` check and the dump's view
//! ordering read SQL through it (the parser itself tokenizes with
//! `sqlparser`).

/// What a [`Lexeme`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Spaces, tabs and line breaks (the tokenizer's whitespace; any other
    /// character is part of a token).
    Space,
    /// `-- ` (a space after the dashes, as MySQL requires), `#` or `/* */`.
    Comment,
    /// A `/*! ... */` hint, whose content MySQL runs as SQL.
    Hint,
    /// A string literal in `'` or `"` (backslash escapes, doubled quotes).
    Str,
    /// A backtick-quoted identifier.
    QuotedIdent,
    /// A run of identifier characters: a keyword, a bare name or a number.
    Word,
    /// Any other single character (`;`, `?`, operators, parentheses).
    Punct,
    /// A quote or comment still open at the end of the text.
    Unterminated,
}

/// One lexeme: its kind and byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lexeme {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// The lexemes of `sql`, in order, covering all of it.
pub(crate) fn lex(sql: &str) -> Lexer<'_> {
    Lexer { sql, pos: 0 }
}

/// Iterator behind [`lex`].
pub(crate) struct Lexer<'a> {
    sql: &'a str,
    pos: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$' || (!c.is_ascii() && c.is_alphanumeric())
}

impl Iterator for Lexer<'_> {
    type Item = Lexeme;

    fn next(&mut self) -> Option<Lexeme> {
        let (sql, b, start) = (self.sql, self.sql.as_bytes(), self.pos);
        let c = sql[start..].chars().next()?;
        let line_end = |i: usize| sql[i..].find('\n').map_or(sql.len(), |n| i + n);
        let (kind, end) = match c {
            ' ' | '\t' | '\n' | '\r' => {
                let n = b[start..].iter().take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')).count();
                (Kind::Space, start + n)
            }
            '\'' | '"' | '`' => {
                let q = c as u8;
                let mut i = start + 1;
                loop {
                    match b.get(i) {
                        None => break (Kind::Unterminated, sql.len()),
                        Some(b'\\') if q != b'`' => i = (i + 2).min(sql.len()),
                        Some(&x) if x == q => {
                            i += 1;
                            // A doubled quote stands for itself.
                            if b.get(i) != Some(&q) {
                                break (if q == b'`' { Kind::QuotedIdent } else { Kind::Str }, i);
                            }
                            i += 1;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            '#' => (Kind::Comment, line_end(start)),
            '-' if sql[start..].starts_with("--")
                && sql[start + 2..].chars().next().is_some_and(char::is_whitespace) =>
            {
                (Kind::Comment, line_end(start))
            }
            '/' if sql[start..].starts_with("/*") => {
                let hint = sql[start..].starts_with("/*!");
                match sql[start + 2..].find("*/") {
                    Some(n) => (if hint { Kind::Hint } else { Kind::Comment }, start + 2 + n + 2),
                    None => (Kind::Unterminated, sql.len()),
                }
            }
            c if is_word_char(c) => {
                // ASCII a byte at a time; from the first other byte on, by
                // characters
                let ascii =
                    b[start..].iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$')).count();
                let at = start + ascii;
                let rest = if b.get(at).is_some_and(|c| !c.is_ascii()) {
                    sql[at..].find(|c| !is_word_char(c)).unwrap_or(sql.len() - at)
                } else {
                    0
                };
                (Kind::Word, at + rest)
            }
            c => (Kind::Punct, start + c.len_utf8()),
        };
        // A backslash before the end of the text may step past it; keep the
        // range on a character boundary.
        let end = (start + 1..=end).rev().find(|&e| sql.is_char_boundary(e)).unwrap_or(sql.len());
        self.pos = end;
        Some(Lexeme { kind, start, end })
    }
}

/// Whether `sql` reads a user variable (`@name`, not a system variable
/// `@@name`) outside strings, quoted identifiers and comments.
pub(crate) fn has_user_variable(sql: &str) -> bool {
    let ls: Vec<Lexeme> = lex(sql).collect();
    ls.windows(2).enumerate().any(|(i, w)| {
        let at = |l: &Lexeme| l.kind == Kind::Punct && &sql[l.start..l.end] == "@";
        at(&w[0]) && w[1].kind == Kind::Word && w[1].start == w[0].end && (i == 0 || !at(&ls[i - 1]))
    })
}

/// The name a word or quoted identifier stands for (`` `a``b` `` is
/// `` a`b ``); `None` for other lexemes.
pub(crate) fn name_of(sql: &str, l: &Lexeme) -> Option<String> {
    let text = &sql[l.start..l.end];
    match l.kind {
        Kind::Word => Some(text.to_string()),
        Kind::QuotedIdent => Some(text[1..text.len() - 1].replace("``", "`")),
        _ => None,
    }
}

/// Whether `sql` ends a statement: its last lexeme other than whitespace
/// and comments is a `;` outside quotes and comments (the shell reads
/// lines until then).
pub fn ends_statement(sql: &str) -> bool {
    let mut last = None;
    for l in lex(sql) {
        match l.kind {
            Kind::Space | Kind::Comment => {}
            Kind::Unterminated => return false,
            _ => last = Some(l),
        }
    }
    last.is_some_and(|l| l.kind == Kind::Punct && &sql[l.start..l.end] == ";")
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn kinds(sql: &str) -> Vec<(Kind, &str)> {
        lex(sql).map(|l| (l.kind, &sql[l.start..l.end])).collect()
    }

    #[test]
    fn quotes_comments_and_words() {
        assert_eq!(
            kinds("SELECT 'a''b\\'', `x``y` -- c\n#d\n/* e */ /*! f */ ?;"),
            [
                (Kind::Word, "SELECT"),
                (Kind::Space, " "),
                (Kind::Str, "'a''b\\''"),
                (Kind::Punct, ","),
                (Kind::Space, " "),
                (Kind::QuotedIdent, "`x``y`"),
                (Kind::Space, " "),
                (Kind::Comment, "-- c"),
                (Kind::Space, "\n"),
                (Kind::Comment, "#d"),
                (Kind::Space, "\n"),
                (Kind::Comment, "/* e */"),
                (Kind::Space, " "),
                (Kind::Hint, "/*! f */"),
                (Kind::Space, " "),
                (Kind::Punct, "?"),
                (Kind::Punct, ";"),
            ]
        );
        // `--` without a space after it is two minus signs.
        assert_eq!(kinds("1--2"), [(Kind::Word, "1"), (Kind::Punct, "-"), (Kind::Punct, "-"), (Kind::Word, "2")]);
        assert_eq!(kinds("'é\\"), [(Kind::Unterminated, "'é\\")]);
        assert_eq!(kinds("x /* y"), [(Kind::Word, "x"), (Kind::Space, " "), (Kind::Unterminated, "/* y")]);
        assert_eq!(kinds("naïve\u{a0}"), [(Kind::Word, "naïve"), (Kind::Punct, "\u{a0}")]);
        assert_eq!(kinds("é1x—y_$2"), [(Kind::Word, "é1x"), (Kind::Punct, "—"), (Kind::Word, "y_$2")]);
    }

    #[test]
    fn names_and_statement_ends() {
        let sql = "`a``b` c 'd'";
        let names: Vec<_> = lex(sql).filter_map(|l| name_of(sql, &l)).collect();
        assert_eq!(names, ["a`b", "c"]);
        assert!(ends_statement("SELECT 1; -- done\n"));
        assert!(!ends_statement("SELECT ';"));
        assert!(!ends_statement("SELECT 1 /* ; */"));
        assert!(!ends_statement("SELECT 1; SELECT 2"));
        assert!(!ends_statement(""));
    }
}
