//! The one home of quoting for the SQL text ReelDB writes (`SHOW CREATE`,
//! the dump, bound parameters, the statements the runtime builds):
//! identifiers in backticks, string literals escaped, values as literals
//! that read back as the same value.

use super::value::Value;

/// Quotes an identifier with backticks (a backtick inside is doubled).
pub(crate) fn ident(s: &str) -> String {
    format!("`{}`", s.replace('`', "``"))
}

/// `db`.`name`, each part quoted.
pub(crate) fn qualified(db: &str, name: &str) -> String {
    format!("{}.{}", ident(db), ident(name))
}

/// Quotes `s` as a MySQL string literal (quote doubled; backslash, NUL,
/// line breaks and Ctrl-Z escaped).
pub(crate) fn string(s: &str) -> String {
    escaped(s, "''", true)
}

/// `QUOTE(s)`'s literal, as MySQL writes it: quote and backslash
/// backslash-escaped, NUL and Ctrl-Z escaped, line breaks kept.
pub(crate) fn quote_function(s: &str) -> String {
    escaped(s, "\\'", false)
}

/// `s` between single quotes, a quote inside written as `quote`, with
/// backslash, NUL, Ctrl-Z and (with `lines`) line breaks escaped.
fn escaped(s: &str, quote: &str, lines: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str(quote),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\n' if lines => out.push_str("\\n"),
            '\r' if lines => out.push_str("\\r"),
            '\u{1a}' => out.push_str("\\Z"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A value as a SQL literal: numbers as they print, NULL, anything else as
/// a string literal of its text.
pub(crate) fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Int(_) | Value::Double(_) | Value::Decimal(_) => v.to_string(),
        Value::Str(s) => string(s),
        other => string(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn identifiers_and_strings_are_escaped() {
        assert_eq!(ident("a`b"), "`a``b`");
        assert_eq!(qualified("d", "t`"), "`d`.`t```");
        assert_eq!(string("it's a \\ test\n"), "'it''s a \\\\ test\\n'");
        assert_eq!(literal(&Value::Null), "NULL");
        assert_eq!(literal(&Value::Int(-3)), "-3");
        assert_eq!(literal(&Value::Str("x'".into())), "'x'''");
    }
}
