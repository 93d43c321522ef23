//! ReelDB's SQL dialect: MySQL's, plus table versioning (`FOR SYSTEM_TIME AS OF`).

use std::any::TypeId;

use sqlparser::ast::{BinaryOperator, DateTimeField, Expr, Ident, Interval, Statement, UnaryOperator};
use sqlparser::dialect::{BindPlaceholderStyle, Dialect, MySqlDialect, Precedence};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// MySQL's interval units made of several parts (`'1:30' HOUR_MINUTE`).
pub const COMPOUND_UNITS: &[&str] = &[
    "YEAR_MONTH",
    "DAY_HOUR",
    "DAY_MINUTE",
    "DAY_SECOND",
    "DAY_MICROSECOND",
    "HOUR_MINUTE",
    "HOUR_SECOND",
    "HOUR_MICROSECOND",
    "MINUTE_SECOND",
    "MINUTE_MICROSECOND",
    "SECOND_MICROSECOND",
];

/// MySQL 8.0's reserved words (sorted): used unquoted as a name (of a
/// table, a column, an alias) they are a syntax error, as in MySQL; quoted
/// (`` `order` ``) they are names like any other. Keywords that are not
/// reserved (`name`, `status`, `date`, `text`, `year`, `value`, ...) stay
/// usable unquoted. One exception: `CHANGE` is not reserved here, as
/// `reeldb_diff` names its first column `change`.
pub const MYSQL_RESERVED: &[&str] = &[
    "ACCESSIBLE",
    "ADD",
    "ALL",
    "ALTER",
    "ANALYZE",
    "AND",
    "AS",
    "ASC",
    "ASENSITIVE",
    "BEFORE",
    "BETWEEN",
    "BIGINT",
    "BINARY",
    "BLOB",
    "BOTH",
    "BY",
    "CALL",
    "CASCADE",
    "CASE",
    "CHAR",
    "CHARACTER",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "CONDITION",
    "CONSTRAINT",
    "CONTINUE",
    "CONVERT",
    "CREATE",
    "CROSS",
    "CUBE",
    "CUME_DIST",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "CURRENT_USER",
    "CURSOR",
    "DATABASE",
    "DATABASES",
    "DAY_HOUR",
    "DAY_MICROSECOND",
    "DAY_MINUTE",
    "DAY_SECOND",
    "DEC",
    "DECIMAL",
    "DECLARE",
    "DEFAULT",
    "DELAYED",
    "DELETE",
    "DENSE_RANK",
    "DESC",
    "DESCRIBE",
    "DETERMINISTIC",
    "DISTINCT",
    "DISTINCTROW",
    "DIV",
    "DOUBLE",
    "DROP",
    "DUAL",
    "EACH",
    "ELSE",
    "ELSEIF",
    "EMPTY",
    "ENCLOSED",
    "ESCAPED",
    "EXCEPT",
    "EXISTS",
    "EXIT",
    "EXPLAIN",
    "FALSE",
    "FETCH",
    "FIRST_VALUE",
    "FLOAT",
    "FLOAT4",
    "FLOAT8",
    "FOR",
    "FORCE",
    "FOREIGN",
    "FROM",
    "FULLTEXT",
    "FUNCTION",
    "GENERATED",
    "GET",
    "GRANT",
    "GROUP",
    "GROUPING",
    "GROUPS",
    "HAVING",
    "HIGH_PRIORITY",
    "HOUR_MICROSECOND",
    "HOUR_MINUTE",
    "HOUR_SECOND",
    "IF",
    "IGNORE",
    "IN",
    "INDEX",
    "INFILE",
    "INNER",
    "INOUT",
    "INSENSITIVE",
    "INSERT",
    "INT",
    "INT1",
    "INT2",
    "INT3",
    "INT4",
    "INT8",
    "INTEGER",
    "INTERSECT",
    "INTERVAL",
    "INTO",
    "IO_AFTER_GTIDS",
    "IO_BEFORE_GTIDS",
    "IS",
    "ITERATE",
    "JOIN",
    "JSON_TABLE",
    "KEY",
    "KEYS",
    "KILL",
    "LAG",
    "LAST_VALUE",
    "LATERAL",
    "LEAD",
    "LEADING",
    "LEAVE",
    "LEFT",
    "LIKE",
    "LIMIT",
    "LINEAR",
    "LINES",
    "LOAD",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "LOCK",
    "LONG",
    "LONGBLOB",
    "LONGTEXT",
    "LOOP",
    "LOW_PRIORITY",
    "MASTER_BIND",
    "MASTER_SSL_VERIFY_SERVER_CERT",
    "MATCH",
    "MAXVALUE",
    "MEDIUMBLOB",
    "MEDIUMINT",
    "MEDIUMTEXT",
    "MIDDLEINT",
    "MINUTE_MICROSECOND",
    "MINUTE_SECOND",
    "MOD",
    "MODIFIES",
    "NATURAL",
    "NOT",
    "NO_WRITE_TO_BINLOG",
    "NTH_VALUE",
    "NTILE",
    "NULL",
    "NUMERIC",
    "OF",
    "ON",
    "OPTIMIZE",
    "OPTIMIZER_COSTS",
    "OPTION",
    "OPTIONALLY",
    "OR",
    "ORDER",
    "OUT",
    "OUTER",
    "OUTFILE",
    "OVER",
    "PARTITION",
    "PERCENT_RANK",
    "PRECISION",
    "PRIMARY",
    "PROCEDURE",
    "PURGE",
    "RANGE",
    "RANK",
    "READ",
    "READS",
    "READ_WRITE",
    "REAL",
    "RECURSIVE",
    "REFERENCES",
    "REGEXP",
    "RELEASE",
    "RENAME",
    "REPEAT",
    "REPLACE",
    "REQUIRE",
    "RESIGNAL",
    "RESTRICT",
    "RETURN",
    "REVOKE",
    "RIGHT",
    "RLIKE",
    "ROW",
    "ROWS",
    "ROW_NUMBER",
    "SCHEMA",
    "SCHEMAS",
    "SECOND_MICROSECOND",
    "SELECT",
    "SENSITIVE",
    "SEPARATOR",
    "SET",
    "SHOW",
    "SIGNAL",
    "SMALLINT",
    "SPATIAL",
    "SPECIFIC",
    "SQL",
    "SQLEXCEPTION",
    "SQLSTATE",
    "SQLWARNING",
    "SQL_BIG_RESULT",
    "SQL_CALC_FOUND_ROWS",
    "SQL_SMALL_RESULT",
    "SSL",
    "STARTING",
    "STORED",
    "STRAIGHT_JOIN",
    "SYSTEM",
    "TABLE",
    "TERMINATED",
    "THEN",
    "TINYBLOB",
    "TINYINT",
    "TINYTEXT",
    "TO",
    "TRAILING",
    "TRIGGER",
    "TRUE",
    "UNDO",
    "UNION",
    "UNIQUE",
    "UNLOCK",
    "UNSIGNED",
    "UPDATE",
    "USAGE",
    "USE",
    "USING",
    "UTC_DATE",
    "UTC_TIME",
    "UTC_TIMESTAMP",
    "VALUES",
    "VARBINARY",
    "VARCHAR",
    "VARCHARACTER",
    "VARYING",
    "VIRTUAL",
    "WHEN",
    "WHERE",
    "WHILE",
    "WINDOW",
    "WITH",
    "WRITE",
    "XOR",
    "YEAR_MONTH",
    "ZEROFILL",
];

/// Whether `word` is one of MySQL 8.0's reserved words.
pub fn is_reserved(word: &str) -> bool {
    let upper = word.to_ascii_uppercase();
    MYSQL_RESERVED.binary_search(&upper.as_str()).is_ok()
}

/// Whether the next token is the infix operator `MOD`.
fn is_mod(parser: &Parser) -> bool {
    matches!(&parser.peek_token_ref().token, Token::Word(w) if w.keyword == Keyword::MOD && w.quote_style.is_none())
}

/// Whether the next token is the logical operator `XOR`.
fn is_xor(parser: &Parser) -> bool {
    matches!(&parser.peek_token_ref().token, Token::Word(w) if w.keyword == Keyword::XOR && w.quote_style.is_none())
}

/// MySQL's dialect with `FOR SYSTEM_TIME AS OF` enabled. It reports itself as
/// MySQL so the parser applies its MySQL-only rules too.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReelDialect;

impl Dialect for ReelDialect {
    fn dialect(&self) -> TypeId {
        TypeId::of::<MySqlDialect>()
    }

    fn supports_table_versioning(&self) -> bool {
        true
    }

    /// `EXTRACT(YEAR_MONTH FROM t)` and MySQL's other compound units,
    /// which sqlparser does not know: kept by name (`dates::Unit::parse`
    /// reads them, and rejects a name that is no unit).
    fn allow_extract_custom(&self) -> bool {
        true
    }

    fn supports_string_literal_table_alias(&self, explicit: bool) -> bool {
        MySqlDialect {}.supports_string_literal_table_alias(explicit)
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        MySqlDialect {}.is_identifier_start(ch)
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        MySqlDialect {}.is_identifier_part(ch)
    }

    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        MySqlDialect {}.is_delimited_identifier_start(ch)
    }

    fn identifier_quote_style(&self, identifier: &str) -> Option<char> {
        MySqlDialect {}.identifier_quote_style(identifier)
    }

    fn ordered_bind_placeholder_style(&self) -> Option<BindPlaceholderStyle> {
        MySqlDialect {}.ordered_bind_placeholder_style()
    }

    fn supports_string_literal_backslash_escape(&self) -> bool {
        MySqlDialect {}.supports_string_literal_backslash_escape()
    }

    fn supports_string_literal_concatenation(&self) -> bool {
        MySqlDialect {}.supports_string_literal_concatenation()
    }

    fn ignores_wildcard_escapes(&self) -> bool {
        MySqlDialect {}.ignores_wildcard_escapes()
    }

    fn supports_numeric_prefix(&self) -> bool {
        MySqlDialect {}.supports_numeric_prefix()
    }

    fn supports_literal_prefix_in_qualified_name(&self) -> bool {
        MySqlDialect {}.supports_literal_prefix_in_qualified_name()
    }

    fn supports_bitwise_shift_operators(&self) -> bool {
        MySqlDialect {}.supports_bitwise_shift_operators()
    }

    fn supports_singular_value_keyword(&self) -> bool {
        MySqlDialect {}.supports_singular_value_keyword()
    }

    fn supports_multiline_comment_hints(&self) -> bool {
        MySqlDialect {}.supports_multiline_comment_hints()
    }

    fn parse_infix(&self, parser: &mut Parser, expr: &Expr, precedence: u8) -> Option<Result<Expr, ParserError>> {
        // `a MOD b`, MySQL's spelling of `a % b`
        if is_mod(parser) {
            parser.next_token();
            return Some(parser.parse_subexpr(precedence).map(|right| Expr::BinaryOp {
                left: Box::new(expr.clone()),
                op: BinaryOperator::Modulo,
                right: Box::new(right),
            }));
        }
        MySqlDialect {}.parse_infix(parser, expr, precedence)
    }

    fn parse_statement(&self, parser: &mut Parser) -> Option<Result<Statement, ParserError>> {
        MySqlDialect {}.parse_statement(parser)
    }

    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        // A literal or a placeholder is a value: what sqlparser's own prefix
        // parsing gives after first trying (and failing, with a formatted
        // error) to read a type name for a typed string such as `DATE '…'`,
        // which cannot start with one of these tokens. Most of the
        // expressions of an `INSERT … VALUES` list are literals.
        if matches!(
            parser.peek_token_ref().token,
            Token::Number(..) | Token::SingleQuotedString(_) | Token::DoubleQuotedString(_) | Token::Placeholder(_)
        ) {
            return Some(parser.parse_value().map(Expr::Value));
        }
        // `INTERVAL value HOUR_MINUTE` and MySQL's other compound units,
        // which sqlparser does not know; the unit is kept by name.
        if let Some(op) = match parser.peek_token_ref().token {
            Token::Minus => Some(UnaryOperator::Minus),
            Token::Tilde => Some(UnaryOperator::BitwiseNot),
            _ => None,
        } {
            // Unary `-` and `~` bind tighter than every infix operator in
            // MySQL, `^` included (`-701 ^ -3` is `(-701) ^ (-3)`).
            parser.next_token();
            return Some(
                parser
                    .parse_subexpr(self.prec_value(Precedence::MulDivModOp) + 6)
                    .map(|e| Expr::UnaryOp { op, expr: Box::new(e) }),
            );
        }
        if !matches!(&parser.peek_token_ref().token, Token::Word(w) if w.keyword == Keyword::INTERVAL) {
            return None;
        }
        let compound = parser.maybe_parse(|p| {
            p.expect_keyword(Keyword::INTERVAL)?;
            let value = p.parse_expr()?;
            let unit = match &p.peek_token_ref().token {
                Token::Word(w)
                    if w.quote_style.is_none() && COMPOUND_UNITS.contains(&w.value.to_ascii_uppercase().as_str()) =>
                {
                    w.value.to_ascii_uppercase()
                }
                _ => return Err(ParserError::ParserError("not a compound interval unit".into())),
            };
            p.next_token();
            Ok(Expr::Interval(Interval {
                value: Box::new(value),
                leading_field: Some(DateTimeField::Custom(Ident::new(unit))),
                leading_precision: None,
                last_field: None,
                fractional_seconds_precision: None,
            }))
        });
        compound.transpose()
    }

    fn is_reserved_for_identifier(&self, kw: Keyword) -> bool {
        // Asked only after a word's own expression (`NOT x`, `CASE ...`)
        // failed to parse: a MySQL reserved word is then not read again as a
        // column name, so the error is the expression's (a statement nested
        // past the parser's depth under `NOT` or `CASE` says so), not a
        // syntax error after a column named `NOT`.
        sqlparser::keywords::RESERVED_FOR_IDENTIFIER.contains(&kw)
            || sqlparser::keywords::ALL_KEYWORDS_INDEX
                .iter()
                .position(|k| *k == kw)
                .is_some_and(|i| is_reserved(sqlparser::keywords::ALL_KEYWORDS[i]))
    }

    fn require_interval_qualifier(&self) -> bool {
        MySqlDialect {}.require_interval_qualifier()
    }

    fn supports_limit_comma(&self) -> bool {
        MySqlDialect {}.supports_limit_comma()
    }

    fn supports_create_table_select(&self) -> bool {
        MySqlDialect {}.supports_create_table_select()
    }

    fn supports_insert_set(&self) -> bool {
        MySqlDialect {}.supports_insert_set()
    }

    fn supports_user_host_grantee(&self) -> bool {
        MySqlDialect {}.supports_user_host_grantee()
    }

    fn is_table_factor_alias(&self, explicit: bool, kw: &Keyword, parser: &mut Parser) -> bool {
        MySqlDialect {}.is_table_factor_alias(explicit, kw, parser)
    }

    fn supports_table_hints(&self) -> bool {
        MySqlDialect {}.supports_table_hints()
    }

    fn requires_single_line_comment_whitespace(&self) -> bool {
        MySqlDialect {}.requires_single_line_comment_whitespace()
    }

    fn supports_hash_comment(&self) -> bool {
        MySqlDialect {}.supports_hash_comment()
    }

    fn supports_match_against(&self) -> bool {
        MySqlDialect {}.supports_match_against()
    }

    fn supports_select_modifiers(&self) -> bool {
        MySqlDialect {}.supports_select_modifiers()
    }

    fn supports_set_names(&self) -> bool {
        MySqlDialect {}.supports_set_names()
    }

    fn supports_comma_separated_set_assignments(&self) -> bool {
        MySqlDialect {}.supports_comma_separated_set_assignments()
    }

    fn supports_alter_column_position(&self) -> bool {
        MySqlDialect {}.supports_alter_column_position()
    }

    fn supports_update_order_by(&self) -> bool {
        MySqlDialect {}.supports_update_order_by()
    }

    fn supports_data_type_signed_suffix(&self) -> bool {
        MySqlDialect {}.supports_data_type_signed_suffix()
    }

    fn supports_data_type_zerofill_suffix(&self) -> bool {
        MySqlDialect {}.supports_data_type_zerofill_suffix()
    }

    fn supports_cross_join_constraint(&self) -> bool {
        MySqlDialect {}.supports_cross_join_constraint()
    }

    fn supports_double_ampersand_operator(&self) -> bool {
        MySqlDialect {}.supports_double_ampersand_operator()
    }

    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        if is_mod(parser) {
            return Some(Ok(self.prec_value(Precedence::MulDivModOp)));
        }
        // Logical `XOR` sits between `AND` and `OR` in MySQL, below `NOT`,
        // `IS` and comparisons (sqlparser ranks it with the bitwise operators).
        if is_xor(parser) {
            return Some(Ok(self.prec_value(Precedence::And) - 1));
        }
        // MySQL's bitwise operators: `^` above `*`, then `<<` `>>` below
        // `+` `-`, then `&`, then `|`, all above comparisons (sqlparser
        // follows PostgreSQL's order).
        let (above_comparison, plus_minus) = (self.prec_value(Precedence::Eq), self.prec_value(Precedence::PlusMinus));
        match parser.peek_token_ref().token {
            Token::Caret => return Some(Ok(self.prec_value(Precedence::MulDivModOp) + 5)),
            Token::ShiftLeft | Token::ShiftRight => return Some(Ok(plus_minus - 3)),
            Token::Ampersand => return Some(Ok(above_comparison + 4)),
            Token::Pipe => return Some(Ok(above_comparison + 3)),
            // `||` is `OR` in MySQL's default SQL mode (no PIPES_AS_CONCAT)
            Token::StringConcat => return Some(Ok(self.prec_value(Precedence::Or))),
            _ => {}
        }
        MySqlDialect {}.get_next_precedence(parser)
    }

    fn supports_binary_kw_as_cast(&self) -> bool {
        MySqlDialect {}.supports_binary_kw_as_cast()
    }

    fn supports_table_partitions(&self) -> bool {
        MySqlDialect {}.supports_table_partitions()
    }

    fn supports_comment_optimizer_hint(&self) -> bool {
        MySqlDialect {}.supports_comment_optimizer_hint()
    }

    fn supports_constraint_keyword_without_name(&self) -> bool {
        MySqlDialect {}.supports_constraint_keyword_without_name()
    }

    fn supports_key_column_option(&self) -> bool {
        MySqlDialect {}.supports_key_column_option()
    }

    fn supports_group_by_with_modifier(&self) -> bool {
        MySqlDialect {}.supports_group_by_with_modifier()
    }

    fn supports_left_associative_joins_without_parens(&self) -> bool {
        MySqlDialect {}.supports_left_associative_joins_without_parens()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn reserved_words_are_mysqls() {
        // sorted, for the binary search
        assert!(MYSQL_RESERVED.windows(2).all(|w| w[0] < w[1]));
        for w in ["order", "KEY", "Select", "rank", "row", "window", "utc_date", "zerofill"] {
            assert!(is_reserved(w), "{w}");
        }
        for w in ["name", "status", "date", "text", "year", "value", "comment", "user", "change", "timestamp"] {
            assert!(!is_reserved(w), "{w}");
        }
    }
}
