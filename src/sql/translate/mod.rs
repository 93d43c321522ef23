//! The one module that knows `sqlparser`'s AST: it parses with
//! [`ReelDialect`] and converts the result into ReelDB's own types
//! ([`super::ast`]).

mod ddl;
mod dml;
mod expr;
mod literal_rows;
mod query;
mod source;
mod statement;

use sqlparser::ast as sp;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::ast::*;
use super::dialect::{is_reserved, ReelDialect};
use super::error::{SqlError, SqlResult};
use expr::expr;
use literal_rows::insert_literal_rows;
pub(crate) use literal_rows::lift_literals;
use source::{offset, Source, SOURCE};
use statement::statement;

fn perr(e: sqlparser::parser::ParserError) -> SqlError {
    let msg = match e {
        sqlparser::parser::ParserError::ParserError(m) | sqlparser::parser::ParserError::TokenizerError(m) => m,
        sqlparser::parser::ParserError::RecursionLimitExceeded => {
            return SqlError::parse(format!(
                "You have an error in your SQL syntax: statement nested too deeply (the parser reads at most \
                 {PARSER_DEPTH} levels of nested expressions or subqueries)"
            ))
        }
    };
    SqlError::parse(syntax_message(&msg))
}

/// A parser message in words a learner reads: where (the token, line and
/// column) and what was expected there. sqlparser says `Expected: X,
/// found: Y at Line: L, Column: C`; its tokenizer `Unterminated string
/// literal at Line: L, Column: C`.
pub(crate) fn syntax_message(msg: &str) -> String {
    let (body, at) = match msg.rsplit_once(" at Line: ") {
        Some((b, p)) => (b, p.split_once(", Column: ").map(|(l, c)| format!("line {l}, column {c}"))),
        None => (msg, None),
    };
    let Some((expected, found)) = body.strip_prefix("Expected: ").and_then(|r| r.rsplit_once(", found: ")) else {
        let body = match body {
            "Unterminated string literal" => "a quoted string is not closed",
            b => b,
        };
        return match at {
            Some(at) => format!("You have an error in your SQL syntax at {at}: {body}"),
            None => format!("You have an error in your SQL syntax: {body}"),
        };
    };
    let expected = match expected {
        "end of statement" => "the end of the statement (a missing comma or operator, or a misspelt keyword?)".into(),
        "identifier" => "a name".into(),
        e if e.starts_with("an ") || e.starts_with("a ") || e.contains(' ') => e.to_string(),
        e => format!("'{e}'"),
    };
    match (found, at) {
        ("EOF", _) => format!("You have an error in your SQL syntax: the statement ends where {expected} was expected"),
        (f, Some(at)) => format!("You have an error in your SQL syntax near '{f}' at {at}: expected {expected}"),
        (f, None) => format!("You have an error in your SQL syntax near '{f}': expected {expected}"),
    }
}

/// How deeply sqlparser may recurse (nested expressions, subqueries):
/// its parser recurses several frames per level, so this keeps a
/// statement within the stack on every target.
const PARSER_DEPTH: usize = 200;

/// Parses one statement (already split and front-parsed) into our AST.
pub fn parse_statement(sql: &str) -> SqlResult<Stmt> {
    if let Some(stmt) = insert_literal_rows(sql) {
        return Ok(stmt);
    }
    parse_general(sql)
}

fn parse_general(sql: &str) -> SqlResult<Stmt> {
    let dialect = ReelDialect;
    let mut p = Parser::new(&dialect).with_recursion_limit(PARSER_DEPTH).try_with_sql(sql).map_err(perr)?;
    while p.consume_token(&Token::SemiColon) {}
    if p.peek_token_ref().token == Token::EOF {
        return Err(SqlError::parse("Query was empty"));
    }
    // `UPDATE IGNORE`: read as UPDATE, then marked
    let update_ignore = matches!(&p.peek_nth_token_ref(0).token, Token::Word(w) if w.keyword == Keyword::UPDATE)
        && matches!(&p.peek_nth_token_ref(1).token, Token::Word(w) if w.keyword == Keyword::IGNORE);
    let stmt = parse_one(&mut p, sql)?;
    let mut delimited = false;
    while p.consume_token(&Token::SemiColon) {
        delimited = true;
    }
    match p.peek_token_ref() {
        t if t.token == Token::EOF => {}
        _ if delimited => return Err(SqlError::parse("You have an error in your SQL syntax: one statement expected")),
        t => return p.expected_ref("end of statement", t).map_err(perr),
    }
    let outer =
        SOURCE.with(|s| std::mem::replace(&mut *s.borrow_mut(), Source { text: sql.to_string(), ..Source::default() }));
    let r = statement(stmt);
    SOURCE.with(|s| *s.borrow_mut() = outer);
    match r {
        Ok(Stmt::Update { table, assignments, filter, order_by, limit, .. }) if update_ignore => {
            Ok(Stmt::Update { table, assignments, filter, order_by, limit, ignore: true })
        }
        Ok(Stmt::UpdateJoin { from, assignments, filter, .. }) if update_ignore => {
            Ok(Stmt::UpdateJoin { from, assignments, filter, ignore: true })
        }
        r => r,
    }
}

/// Parses the statement at the parser's position by its first word, with
/// `sqlparser`'s parser for that kind of statement. Only the kinds
/// [`statement`] translates are parsed: calling `Parser::parse_statement`
/// instead would keep every dialect's statement parsers in the wasm module
/// (BENCHMARKS.md, "Payload"). Another statement `sqlparser` knows is not
/// supported (named by its first words); any other first word is a syntax
/// error, as `sqlparser` reports it.
fn parse_one(p: &mut Parser, sql: &str) -> SqlResult<sp::Statement> {
    let first = p.peek_token();
    let keyword = match &first.token {
        Token::Word(w) => w.keyword,
        Token::LParen => Keyword::SELECT,
        _ => Keyword::NoKeyword,
    };
    let r = match keyword {
        Keyword::SELECT | Keyword::WITH | Keyword::VALUES | Keyword::FROM => p.parse_query().map(Into::into),
        Keyword::INSERT => {
            p.next_token();
            p.parse_insert(first)
        }
        Keyword::REPLACE => {
            p.next_token();
            p.parse_replace(first)
        }
        Keyword::UPDATE => {
            p.next_token();
            let _ = p.parse_keyword(Keyword::IGNORE);
            dml::parse_update(p, first)
        }
        Keyword::DELETE => {
            p.next_token();
            p.parse_delete(first)
        }
        Keyword::CREATE => {
            p.next_token();
            return create(p, sql);
        }
        Keyword::DROP => {
            p.next_token();
            p.parse_drop()
        }
        Keyword::ALTER => {
            p.next_token();
            match p.peek_token_ref().token {
                Token::Word(ref w) if w.keyword == Keyword::TABLE => {
                    p.next_token();
                    p.parse_alter_table(None)
                }
                _ => return other_statement(p, sql, &first, "an object type after ALTER"),
            }
        }
        Keyword::TRUNCATE => {
            p.next_token();
            p.parse_truncate().map(Into::into)
        }
        Keyword::START => {
            p.next_token();
            p.parse_start_transaction()
        }
        Keyword::BEGIN => {
            p.next_token();
            p.parse_begin()
        }
        Keyword::COMMIT => {
            p.next_token();
            p.parse_commit()
        }
        Keyword::END => {
            p.next_token();
            p.parse_end()
        }
        Keyword::ROLLBACK => {
            p.next_token();
            p.parse_rollback()
        }
        Keyword::ABORT => {
            p.next_token();
            p.parse_abort()
        }
        k if OTHER_STATEMENTS.contains(&k) => {
            let at = offset(sql, first.span.start).unwrap_or(0);
            return unsupported(first_words(&sql[at..]));
        }
        _ => p.expected_ref("an SQL statement", &first),
    };
    r.map_err(perr)
}

/// `CREATE` (already read) of the objects ReelDB makes: a table, a view,
/// a schema, an index or a database, with the modifiers `sqlparser` reads
/// for them. `CREATE` of another object (a keyword follows) is not
/// supported; anything else is a syntax error.
fn create(p: &mut Parser, sql: &str) -> SqlResult<sp::Statement> {
    let start = p.get_current_token().clone();
    let or_replace = p.parse_keywords(&[Keyword::OR, Keyword::REPLACE]);
    let temporary = p.parse_one_of_keywords(&[Keyword::TEMP, Keyword::TEMPORARY]).is_some();
    let view_params = view_params(p).map_err(perr)?;
    let r = if view_params {
        p.parse_create_view(false, or_replace, temporary, None).map(Into::into)
    } else if p.parse_keyword(Keyword::TABLE) {
        p.parse_create_table(or_replace, temporary, false, None, false, false, None).map(Into::into)
    } else if p.peek_keyword(Keyword::VIEW) {
        p.parse_create_view(false, or_replace, temporary, None).map(Into::into)
    } else if p.parse_keyword(Keyword::SCHEMA) {
        p.parse_create_schema(or_replace)
    } else if or_replace && p.peek_one_of_keywords(&[Keyword::INDEX, Keyword::UNIQUE, Keyword::DATABASE]).is_some() {
        p.expected_ref("TABLE, VIEW or SCHEMA after CREATE OR REPLACE", p.peek_token_ref())
    } else if p.parse_keyword(Keyword::INDEX) {
        p.parse_create_index(false).map(Into::into)
    } else if p.parse_keywords(&[Keyword::UNIQUE, Keyword::INDEX]) {
        p.parse_create_index(true).map(Into::into)
    } else if p.parse_keyword(Keyword::DATABASE) {
        p.parse_create_database()
    } else {
        return other_statement(p, sql, &start, "an object type after CREATE");
    };
    r.map_err(perr)
}

/// A view's `ALGORITHM = …`, `DEFINER = …` and `SQL SECURITY …` (MySQL's
/// clauses between `CREATE` and `VIEW`, which ReelDB accepts and ignores):
/// whether there were any, then `VIEW` must follow.
fn view_params(p: &mut Parser) -> Result<bool, sqlparser::parser::ParserError> {
    let mut any = false;
    if p.parse_keyword(Keyword::ALGORITHM) {
        p.expect_token(&Token::Eq)?;
        p.expect_one_of_keywords(&[Keyword::UNDEFINED, Keyword::MERGE, Keyword::TEMPTABLE])?;
        any = true;
    }
    if p.parse_keyword(Keyword::DEFINER) {
        p.expect_token(&Token::Eq)?;
        p.parse_grantee_name()?;
        any = true;
    }
    if p.parse_keywords(&[Keyword::SQL, Keyword::SECURITY]) {
        p.expect_one_of_keywords(&[Keyword::DEFINER, Keyword::INVOKER])?;
        any = true;
    }
    if any && !p.peek_keyword(Keyword::VIEW) {
        return p.expected_ref("VIEW", p.peek_token_ref());
    }
    Ok(any)
}

/// A statement whose words after `first` name something ReelDB does not
/// make: not supported when the next word is a keyword (named by the
/// statement's first words), else a syntax error expecting `what`.
fn other_statement<T>(p: &Parser, sql: &str, first: &TokenWithSpan, what: &str) -> SqlResult<T> {
    let next = p.peek_token_ref();
    match &next.token {
        Token::Word(w) if w.keyword != Keyword::NoKeyword => {
            let at = offset(sql, first.span.start).unwrap_or(0);
            unsupported(first_words(&sql[at..]))
        }
        _ => p.expected_ref(what, next).map_err(perr),
    }
}

/// The first words of the statements `sqlparser` parses (in
/// `Parser::parse_statement` and MySQL's dialect) that ReelDB does not
/// translate.
const OTHER_STATEMENTS: &[Keyword] = &[
    Keyword::KILL,
    Keyword::FLUSH,
    Keyword::DESC,
    Keyword::DESCRIBE,
    Keyword::EXPLAIN,
    Keyword::ANALYZE,
    Keyword::CASE,
    Keyword::IF,
    Keyword::WHILE,
    Keyword::RAISE,
    Keyword::ATTACH,
    Keyword::DETACH,
    Keyword::MSCK,
    Keyword::CACHE,
    Keyword::DISCARD,
    Keyword::DECLARE,
    Keyword::FETCH,
    Keyword::UNCACHE,
    Keyword::CALL,
    Keyword::COPY,
    Keyword::OPEN,
    Keyword::CLOSE,
    Keyword::SET,
    Keyword::SHOW,
    Keyword::USE,
    Keyword::GRANT,
    Keyword::DENY,
    Keyword::REVOKE,
    Keyword::SAVEPOINT,
    Keyword::RELEASE,
    Keyword::RAISERROR,
    Keyword::THROW,
    Keyword::ASSERT,
    Keyword::DEALLOCATE,
    Keyword::EXECUTE,
    Keyword::EXEC,
    Keyword::PREPARE,
    Keyword::MERGE,
    Keyword::PRAGMA,
    Keyword::UNLOAD,
    Keyword::RENAME,
    Keyword::LOAD,
    Keyword::LOCK,
    Keyword::UNLOCK,
    Keyword::OPTIMIZE,
    Keyword::COMMENT,
    Keyword::PRINT,
    Keyword::WAITFOR,
    Keyword::RETURN,
    Keyword::EXPORT,
    Keyword::VACUUM,
    Keyword::RESET,
    Keyword::REFRESH,
];

/// Parses a standalone expression.
pub fn parse_expr(sql: &str) -> SqlResult<Expr> {
    let dialect = ReelDialect;
    let mut p = Parser::new(&dialect).with_recursion_limit(PARSER_DEPTH).try_with_sql(sql).map_err(perr)?;
    let e = p.parse_expr().map_err(perr)?;
    if p.peek_token().token != Token::EOF {
        return Err(SqlError::parse(format!("You have an error in your SQL syntax near '{}'", p.peek_token().token)));
    }
    expr(e)
}

fn unsupported<T>(what: impl std::fmt::Display) -> SqlResult<T> {
    Err(SqlError::unsupported(what))
}

fn ident(i: &sp::Ident) -> String {
    i.value.clone()
}

/// A name given by the statement (of a table, a column, an alias): an
/// unquoted MySQL reserved word is a syntax error, as in MySQL.
fn name(i: &sp::Ident) -> SqlResult<String> {
    if i.quote_style.is_none() && is_reserved(&i.value) {
        let at = i.span.start;
        return Err(SqlError::parse(format!(
            "You have an error in your SQL syntax near '{}' at line {}, column {}: it is a reserved word; write it \
             quoted (`{}`) to use it as a name",
            i.value, at.line, at.column, i.value
        )));
    }
    Ok(ident(i))
}

fn obj_name(n: &sp::ObjectName) -> SqlResult<ObjName> {
    let parts: Vec<String> =
        n.0.iter()
            .enumerate()
            .map(|(k, p)| match p {
                // a word after a period is a name, reserved or not (MySQL)
                sp::ObjectNamePart::Identifier(i) if k > 0 => Ok(ident(i)),
                sp::ObjectNamePart::Identifier(i) => name(i),
                other => unsupported(other),
            })
            .collect::<SqlResult<_>>()?;
    match parts.len() {
        1 => Ok(ObjName { db: None, name: parts[0].clone() }),
        2 => Ok(ObjName { db: Some(parts[0].clone()), name: parts[1].clone() }),
        _ => Err(SqlError::parse(format!("Incorrect table name '{n}'"))),
    }
}

fn simple_name(n: &sp::ObjectName) -> SqlResult<String> {
    let o = obj_name(n)?;
    Ok(o.name)
}

fn first_words(s: &str) -> String {
    s.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::error::Code;
    use crate::sql::value::ArithOp;

    /// The literal rows of a bulk INSERT read without `sqlparser` are the
    /// statement `sqlparser` gives; forms the reader does not take fall
    /// back to it and give the same statement too.
    #[test]
    fn syntax_errors_say_where_and_what_was_expected() {
        let m = |sql: &str| parse_statement(sql).unwrap_err().message;
        assert_eq!(
            m("SELECT * FORM t"),
            "You have an error in your SQL syntax near 'FORM' at line 1, column 10: expected the end of the \
             statement (a missing comma or operator, or a misspelt keyword?)"
        );
        assert_eq!(
            m("SELECT 1 +"),
            "You have an error in your SQL syntax: the statement ends where an expression was expected"
        );
        assert_eq!(
            m("INSERT INTO t VALUES (1, 2"),
            "You have an error in your SQL syntax: the statement ends where ')' was expected"
        );
        assert_eq!(
            m("CREATE TABLE (a INT)"),
            "You have an error in your SQL syntax near '(' at line 1, column 14: expected a name"
        );
    }

    #[test]
    fn insert_literal_rows_agree_with_the_general_parser() {
        let read = [
            "INSERT INTO t VALUES (1, 'a', NULL), (-2, 'it''s', null),\n\t(3.50, '', -0.25)",
            "insert into db1.t (b, a) values (9223372036854775807, 'x'),(99999999999999999999, 'é ü')",
            "INSERT IGNORE INTO t VALUES (1),(2),(007)",
            "REPLACE INTO t VALUES (1),(2)",
            "INSERT INTO t VALUES (?, 1), (2, ?), (?, ?)",
        ];
        let fallback = [
            "INSERT INTO t VALUES (1, 'a\\'b'), (2, 'c')",
            "INSERT INTO t VALUES (1e3), (2)",
            "INSERT INTO t VALUES (0x1F), (2)",
            "INSERT INTO t VALUES (1 + 1), (2)",
            "INSERT INTO t VALUES ('a' 'b'), ('c')",
            "INSERT INTO t VALUES (1), (2) AS new ON DUPLICATE KEY UPDATE a = new.a",
            "INSERT INTO t VALUES (1), (2) ON DUPLICATE KEY UPDATE a = 3",
            "INSERT INTO t VALUES (DEFAULT), (2)",
            "INSERT INTO t VALUES (1), (2) /* c */",
            "INSERT INTO t (a) SELECT 1 UNION VALUES (1), (2)",
            "INSERT INTO t VALUES (1), (nullx)",
            "INSERT INTO t VALUES (1)",
        ];
        for sql in read {
            let fast = insert_literal_rows(sql).unwrap_or_else(|| panic!("not read: {sql}"));
            assert_eq!(fast, parse_general(sql).unwrap(), "{sql}");
        }
        for sql in fallback {
            assert!(insert_literal_rows(sql).is_none(), "read: {sql}");
            assert_eq!(parse_statement(sql).ok(), parse_general(sql).ok(), "{sql}");
        }
        // a bad later row is the general parser's error
        let bad = "INSERT INTO t VALUES (1), (2,";
        assert!(insert_literal_rows(bad).is_none());
        assert_eq!(parse_statement(bad).unwrap_err().code, Code::ParseError);
    }

    #[test]
    fn lifted_literals_put_back_give_the_statement_as_written() {
        let lifted = [
            ("INSERT INTO t VALUES (1, 'a', NULL)", "INSERT INTO t VALUES (?, ?, ?)"),
            (
                "insert into t (b, a) values (-2, 'it''s'), (3.50, NOW()), (DEFAULT, '')",
                "insert into t (b, a) values (?, ?), (?, NOW()), (DEFAULT, ?)",
            ),
            (
                "REPLACE INTO t VALUES (1, 1 + 1, 'a' 'b', \"x\", 'a\\'b', 1e3, 0x1F, (2), - 3)",
                "REPLACE INTO t VALUES (?, 1 + 1, 'a' 'b', \"x\", 'a\\'b', 1e3, 0x1F, (2), - 3)",
            ),
            (
                "INSERT INTO t VALUES (1) /* c */ ON DUPLICATE KEY UPDATE a = 3",
                "INSERT INTO t VALUES (?) /* c */ ON DUPLICATE KEY UPDATE a = 3",
            ),
            (
                "INSERT INTO t VALUES ROW(1, -- c\n 2), ROW(3, 4) AS n",
                "INSERT INTO t VALUES ROW(?, -- c\n ?), ROW(?, ?) AS n",
            ),
            ("INSERT INTO t (a) VALUE (99999999999999999999)", "INSERT INTO t (a) VALUE (?)"),
        ];
        for (sql, text) in lifted {
            let (got, values) = lift_literals(sql).unwrap_or_else(|| panic!("not lifted: {sql}"));
            assert_eq!(got, text);
            let mut stmt = parse_statement(&got).unwrap();
            if let Stmt::Insert { source: InsertSource::Values(rows), .. } = &mut stmt {
                for e in rows.iter_mut().flatten() {
                    if let Expr::Param(i) = e {
                        *e = Expr::Lit(values[*i].clone());
                    }
                }
            }
            assert_eq!(stmt, parse_statement(sql).unwrap(), "{sql}");
        }
        for sql in [
            "INSERT INTO t VALUES (?, 1)",
            "INSERT INTO t SELECT 1",
            "INSERT INTO t (a) SELECT 1 UNION VALUES (1), (2)",
            "INSERT INTO t (a) (SELECT 1) UNION VALUES ROW(2)",
            "INSERT INTO t SET a = 1",
            "SELECT 1",
            "INSERT INTO t VALUES (1 + 1)",
            "INSERT INTO t VALUES ('a' /*! , 1 */)",
            "INSERT INTO t VALUES ('a)",
            "UPDATE t SET a = 1",
        ] {
            assert_eq!(lift_literals(sql), None, "{sql}");
        }
    }

    #[test]
    fn where_literals_lifted_and_put_back_give_the_statement_as_written() {
        let lifted = [
            ("SELECT * FROM t WHERE id = 123", "SELECT * FROM t WHERE id = ?"),
            (
                "select a, 1 from t where t.a<>'x' and `b`>=-2.50 or (c != 'it''s') limit 3",
                "select a, 1 from t where t.a<>? and `b`>=? or (c != ?) limit 3",
            ),
            (
                "UPDATE t SET a = 1 WHERE id <= 7 XOR b < 99999999999999999999 ORDER BY id",
                "UPDATE t SET a = 1 WHERE id <= ? XOR b < ? ORDER BY id",
            ),
            (
                "DELETE FROM t WHERE a IN (SELECT x FROM u WHERE u.y > 5) AND db.t.b = 'q'",
                "DELETE FROM t WHERE a IN (SELECT x FROM u WHERE u.y > ?) AND db.t.b = ?",
            ),
            ("SELECT * FROM t WHERE a =-1 /* c */ AND b = 2;", "SELECT * FROM t WHERE a =? /* c */ AND b = ?;"),
            (
                "SELECT * FROM t WHERE a = 1 UNION SELECT * FROM t WHERE a = 2",
                "SELECT * FROM t WHERE a = ? UNION SELECT * FROM t WHERE a = 2",
            ),
        ];
        for (sql, text) in lifted {
            let (got, values) = lift_literals(sql).unwrap_or_else(|| panic!("not lifted: {sql}"));
            assert_eq!(got, text);
            let back = crate::sql::params::bind_values(&got, &values).unwrap();
            assert_eq!(parse_statement(&back).unwrap(), parse_statement(sql).unwrap(), "{sql}");
        }
        for sql in [
            "SELECT * FROM t WHERE a <=> 1",
            "SELECT * FROM t WHERE a = NULL",
            "SELECT * FROM t WHERE a = 1 + 1",
            "SELECT * FROM t WHERE a + 1 = 1",
            "SELECT * FROM t WHERE 1 = a",
            "SELECT * FROM t WHERE 'a' = 'b'",
            "SELECT * FROM t WHERE NOT a = 1",
            "SELECT * FROM t WHERE a = 'x' COLLATE utf8mb4_bin",
            "SELECT * FROM t WHERE a = 'x' 'y'",
            "SELECT * FROM t WHERE a LIKE 'x%'",
            "SELECT * FROM t WHERE a = 1e3 OR b = 0x1F OR c = 'a\\'b'",
            "SELECT * FROM t WHERE IF(a = 1, 1, 0)",
            "SELECT * FROM t WHERE (a, b) = (1, 2)",
            "SELECT * FROM t WHERE a = ? AND b = 1",
            "SELECT (SELECT 1 FROM u WHERE u.a = 1) FROM t",
            "SELECT * FROM t GROUP BY a HAVING a = 1",
            "SELECT * FROM t WHERE a = DATE '2020-01-01'",
            "SELECT * FROM t WHERE a = - 1",
            "UPDATE t SET a = 1",
            "WITH c AS (SELECT 1) SELECT * FROM c WHERE a = 1",
            "EXPLAIN SELECT * FROM t WHERE a = 1",
        ] {
            assert_eq!(lift_literals(sql), None, "{sql}");
        }
    }

    #[test]
    fn translates_basic_statements() {
        assert!(matches!(parse_statement("SELECT 1 + 2").unwrap(), Stmt::Query(_)));
        let s = parse_statement("SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2020-01-01 00:00:00'").unwrap();
        match s {
            Stmt::Query(q) => match q.body {
                SetExpr::Select(s) => {
                    assert!(matches!(&s.from[0], TableRef::Table { temporal: Some(Temporal::AsOf(_)), .. }))
                }
                _ => panic!(),
            },
            _ => panic!(),
        }
        assert!(matches!(
            parse_statement("CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(20) NOT NULL DEFAULT 'x')")
                .unwrap(),
            Stmt::CreateTable { .. }
        ));
        assert!(parse_statement("SELEC 1").is_err());
        assert!(matches!(parse_expr("7 DIV 2").unwrap(), Expr::Binary(BinOp::Arith(ArithOp::IntDiv), _, _)));
    }

    /// Statements are parsed by their first words: the kinds ReelDB
    /// translates, with MySQL's view clauses; another statement `sqlparser`
    /// knows is not supported, anything else a syntax error.
    #[test]
    fn dispatches_on_the_first_words() {
        for sql in [
            "CREATE ALGORITHM = MERGE DEFINER = CURRENT_USER SQL SECURITY INVOKER VIEW v AS SELECT 1",
            "CREATE OR REPLACE VIEW v (a) AS SELECT 1",
            "CREATE TEMPORARY TABLE t (a INT)",
            "CREATE UNIQUE INDEX i ON t (a)",
            "CREATE SCHEMA IF NOT EXISTS d",
            "ALTER TABLE t ADD COLUMN b INT",
            "(SELECT 1) UNION (SELECT 2);",
            "END",
            "ROLLBACK TO SAVEPOINT s",
        ] {
            assert!(parse_statement(sql).is_ok(), "{sql}: {:?}", parse_statement(sql));
        }
        for sql in ["GRANT SELECT ON t TO u", "CREATE FUNCTION f() RETURNS INT RETURN 1", "ALTER VIEW v AS SELECT 1"] {
            let e = parse_statement(sql).unwrap_err();
            assert_eq!(e.code, Code::NotSupported, "{sql}: {e}");
        }
        assert!(parse_statement("CREATE FUNCTION f").unwrap_err().message.contains("'CREATE FUNCTION'"));
        for sql in [
            "SELEC 1",
            "CREATE nonsense t",
            "ALTER nonsense t",
            "CREATE OR REPLACE INDEX i ON t (a)",
            "CREATE ALGORITHM = MERGE TABLE t (a INT)",
            "SELECT 1 SELECT 2",
            "SELECT 1; SELECT 2",
        ] {
            let e = parse_statement(sql).unwrap_err();
            assert_eq!(e.code, Code::ParseError, "{sql}: {e}");
        }
        assert_eq!(parse_statement(" ; ").unwrap_err().message, "Query was empty");
    }

    fn item_names(sql: &str) -> Vec<String> {
        let Stmt::Query(q) = parse_statement(sql).unwrap() else { panic!("{sql}: not a query") };
        let SetExpr::Select(s) = q.body else { panic!("{sql}: not a select") };
        s.items
            .iter()
            .map(|i| match i {
                SelectItem::Expr { text, .. } => text.clone(),
                _ => "*".into(),
            })
            .collect()
    }

    /// An unaliased select item is named by its source text, as MySQL
    /// names it (a string literal by its value, a column by its name).
    #[test]
    fn names_items_by_source_text() {
        assert_eq!(
            item_names("SELECT 7/2,  a+1 , COUNT(*), -a, (1+2), CAST(a AS CHAR), 'abc', t.a, b AS x, 1.50 FROM t"),
            ["7/2", "a+1", "COUNT(*)", "-a", "(1+2)", "CAST(a AS CHAR)", "abc", "a", "x", "1.50"]
        );
        assert_eq!(
            item_names("SELECT DISTINCT EXTRACT(YEAR FROM d), SUBSTRING(s FROM 2)\nFROM t"),
            ["EXTRACT(YEAR FROM d)", "SUBSTRING(s FROM 2)"]
        );
        assert_eq!(item_names("SELECT (SELECT 7 / 2), x IN (1,2) WHERE 1"), ["(SELECT 7 / 2)", "x IN (1,2)"]);
        assert_eq!(item_names("SELECT * FROM (SELECT 1+1) d"), ["*"]);
        assert_eq!(item_names("SELECT 'é', CONCAT('ü',  'x'),\n  1+1"), ["é", "CONCAT('ü',  'x')", "1+1"]);
    }
}
