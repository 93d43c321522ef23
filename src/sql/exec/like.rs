//! `LIKE` patterns (with MySQL's collation of characters).

use crate::sql::value::Collation;

/// One element of a LIKE pattern.
#[derive(Clone, Copy, PartialEq)]
enum LikeTok {
    /// `%`: any run of characters.
    Any,
    /// `_`: one character.
    One,
    /// A character, as the collation compares it.
    Char(char),
}

fn like_match(s: &[char], p: &[LikeTok]) -> bool {
    // iterative matcher, backtracking to the last '%'
    let (mut si, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(LikeTok::Any) => {
                star = Some((pi, si));
                pi += 1;
                continue;
            }
            Some(LikeTok::One) => {
                si += 1;
                pi += 1;
                continue;
            }
            Some(LikeTok::Char(c)) if *c == s[si] => {
                si += 1;
                pi += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, ss)) => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    while p.get(pi) == Some(&LikeTok::Any) {
        pi += 1;
    }
    pi == p.len()
}

/// SQL `s LIKE p ESCAPE escape`: `%` and `_` wildcards, `escape` before a
/// character takes it literally; characters compare as the collation
/// compares them under `coll` ([`Collation::weight`]; by default case- and
/// accent-insensitive).
pub fn like_escape(s: &str, p: &str, escape: char, coll: Collation) -> bool {
    let w = |c| coll.weight(c);
    let s: Vec<char> = s.chars().map(w).collect();
    let mut toks = Vec::with_capacity(p.len());
    let mut it = p.chars().peekable();
    while let Some(c) = it.next() {
        toks.push(match c {
            c if c == escape && it.peek().is_some() => LikeTok::Char(w(it.next().unwrap_or(c))),
            '%' => LikeTok::Any,
            '_' => LikeTok::One,
            c => LikeTok::Char(w(c)),
        });
    }
    like_match(&s, &toks)
}

/// SQL LIKE with the default escape character `\\`.
pub fn like(s: &str, p: &str) -> bool {
    like_escape(s, p, '\\', Collation::Default)
}
