//! The text of the statement being translated, for what its AST does not
//! keep: the source text of select items and the positions of `?`
//! placeholders.

use std::cell::RefCell;

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use crate::sql::ast::*;
use crate::sql::dialect::ReelDialect;
use crate::sql::error::{SqlError, SqlResult};

/// The statement being translated: its text, its tokens once needed
/// (select items without an alias are named by their source text, as MySQL
/// names them) and the byte offsets of its `?` placeholders once needed
/// (placeholder `i` is parameter `i`).
#[derive(Default)]
pub(super) struct Source {
    pub(super) text: String,
    pub(super) tokens: Option<Vec<TokenWithSpan>>,
    pub(super) placeholders: Option<Vec<usize>>,
}

thread_local! {
    pub(super) static SOURCE: RefCell<Source> = RefCell::new(Source::default());
}

/// The parameter a `?` placeholder at `loc` of the statement being
/// translated stands for.
pub(super) fn param_at(loc: Location) -> SqlResult<Expr> {
    SOURCE.with(|cell| {
        let mut guard = cell.borrow_mut();
        let src = &mut *guard;
        let at = offset(&src.text, loc).filter(|_| !src.text.is_empty());
        let list = src.placeholders.get_or_insert_with(|| crate::sql::params::placeholders(&src.text));
        match at.and_then(|at| list.binary_search(&at).ok()) {
            Some(i) => Ok(Expr::Param(i)),
            None => Err(SqlError::unsupported("a ? parameter here")),
        }
    })
}

/// The byte offset of a token location in `src`.
pub(super) fn offset(src: &str, loc: Location) -> Option<usize> {
    let line_start = if loc.line <= 1 { 0 } else { src.match_indices('\n').nth(loc.line as usize - 2)?.0 + 1 };
    let col = (loc.column as usize).checked_sub(1)?;
    let rest = &src[line_start..];
    Some(line_start + rest.char_indices().nth(col).map(|(i, _)| i).unwrap_or(rest.len()))
}

/// The source text of each item of the select list that starts with the
/// `SELECT` keyword at `select_at` (in the statement being translated):
/// the text between the top-level commas, trimmed. Empty when the list
/// cannot be found or does not have `n` items.
pub(super) fn item_texts(select_at: Location, n: usize) -> Vec<String> {
    SOURCE.with(|cell| {
        let mut guard = cell.borrow_mut();
        let Source { text: src, tokens: toks, .. } = &mut *guard;
        if src.is_empty() {
            return Vec::new();
        }
        let toks =
            toks.get_or_insert_with(|| Tokenizer::new(&ReelDialect, src).tokenize_with_location().unwrap_or_default());
        let Some(start) = toks.iter().position(|t| t.span.start == select_at) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut from: Option<Location> = None;
        let mut last_end: Option<Location> = None;
        let mut depth = 0i32;
        let mut skipping_modifiers = true;
        // the tokenizer adds no end-of-input token
        let eof = TokenWithSpan::wrap(Token::EOF);
        for t in toks[start + 1..].iter().chain(std::iter::once(&eof)) {
            let word = match &t.token {
                Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
                _ => None,
            };
            if matches!(t.token, Token::Whitespace(_)) {
                continue;
            }
            if skipping_modifiers && matches!(word, Some(Keyword::DISTINCT | Keyword::ALL | Keyword::DISTINCTROW)) {
                continue;
            }
            skipping_modifiers = false;
            let end_of_list = depth == 0
                && (matches!(t.token, Token::EOF | Token::SemiColon | Token::RParen)
                    || matches!(
                        word,
                        Some(
                            Keyword::FROM
                                | Keyword::WHERE
                                | Keyword::GROUP
                                | Keyword::HAVING
                                | Keyword::ORDER
                                | Keyword::LIMIT
                                | Keyword::UNION
                                | Keyword::EXCEPT
                                | Keyword::INTERSECT
                                | Keyword::INTO
                                | Keyword::WINDOW
                                | Keyword::FOR
                                | Keyword::LOCK
                        )
                    ));
            if end_of_list || (depth == 0 && t.token == Token::Comma) {
                let text = match (from, last_end) {
                    (Some(a), Some(b)) => match (offset(src, a), offset(src, b)) {
                        (Some(a), Some(b)) if a <= b => src[a..b].trim().to_string(),
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                out.push(text);
                from = None;
                if end_of_list {
                    break;
                }
                continue;
            }
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                _ => {}
            }
            from.get_or_insert(t.span.start);
            last_end = Some(t.span.end);
        }
        if out.len() == n {
            out
        } else {
            Vec::new()
        }
    })
}
