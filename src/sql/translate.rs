//! The one module that knows `sqlparser`'s AST: it parses with
//! [`ReelDialect`] and converts the result into ReelDB's own types
//! ([`super::ast`]).

use std::cell::RefCell;

use sqlparser::ast as sp;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use super::ast::*;
use super::dialect::ReelDialect;
use super::error::{Code, SqlError, SqlResult};
use super::value::{ArithOp, Decimal, SqlType, Value};

fn perr(e: sqlparser::parser::ParserError) -> SqlError {
    let msg = match e {
        sqlparser::parser::ParserError::ParserError(m) | sqlparser::parser::ParserError::TokenizerError(m) => m,
        sqlparser::parser::ParserError::RecursionLimitExceeded => return too_deep(),
    };
    SqlError::parse(format!("You have an error in your SQL syntax: {msg}"))
}

/// How deeply expressions may nest (`a AND b AND …` nests one level per
/// operator). Translating, binding and evaluating recurse once per level,
/// so the limit keeps a statement within the stack on every target (the
/// wasm module has 8 MiB: .cargo/config.toml); past it the statement is
/// an error, not a crash.
const MAX_EXPR_DEPTH: usize = 1000;

/// The error for a statement nested deeper than ReelDB evaluates.
fn too_deep() -> SqlError {
    SqlError::parse(format!(
        "You have an error in your SQL syntax: statement nested too deeply (expressions nest at most {MAX_EXPR_DEPTH} levels)"
    ))
}

thread_local! {
    static EXPR_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One level of expression nesting while it is being translated.
struct Nesting;

impl Nesting {
    fn enter() -> SqlResult<Nesting> {
        EXPR_DEPTH.with(|d| {
            if d.get() >= MAX_EXPR_DEPTH {
                return Err(too_deep());
            }
            d.set(d.get() + 1);
            Ok(Nesting)
        })
    }
}

impl Drop for Nesting {
    fn drop(&mut self) {
        EXPR_DEPTH.with(|d| d.set(d.get() - 1));
    }
}

/// The statement being translated: its text, its tokens once needed
/// (select items without an alias are named by their source text, as MySQL
/// names them) and the byte offsets of its `?` placeholders once needed
/// (placeholder `i` is parameter `i`).
#[derive(Default)]
struct Source {
    text: String,
    tokens: Option<Vec<TokenWithSpan>>,
    placeholders: Option<Vec<usize>>,
}

thread_local! {
    static SOURCE: RefCell<Source> = RefCell::new(Source::default());
}

/// The parameter a `?` placeholder at `loc` of the statement being
/// translated stands for.
fn param_at(loc: Location) -> SqlResult<Expr> {
    SOURCE.with(|cell| {
        let mut guard = cell.borrow_mut();
        let src = &mut *guard;
        let at = offset(&src.text, loc).filter(|_| !src.text.is_empty());
        let list = src.placeholders.get_or_insert_with(|| super::params::placeholders(&src.text));
        match at.and_then(|at| list.binary_search(&at).ok()) {
            Some(i) => Ok(Expr::Param(i)),
            None => Err(SqlError::unsupported("a ? parameter here")),
        }
    })
}

/// Parses one statement (already split and front-parsed) into our AST.
pub fn parse_statement(sql: &str) -> SqlResult<Stmt> {
    if let Some(stmt) = insert_literal_rows(sql) {
        return Ok(stmt);
    }
    parse_general(sql)
}

/// `INSERT` (or `REPLACE`) `… VALUES (…), (…), …` whose rows are all plain literals
/// (integers and decimals with an optional `-`, `'…'` strings without
/// backslashes, `NULL`) and nothing after them: the statement up to the end
/// of the first row goes through `sqlparser`, the other rows are read here,
/// as that row's literals are (checked: the first row read both ways must
/// agree). Parsing a bulk insert's thousands of literals through
/// `sqlparser` costs more than inserting them (every literal is first tried
/// as a typed string such as `DATE '…'`, building an error each time).
/// `None`: any other form, left to the general parser.
fn insert_literal_rows(sql: &str) -> Option<Stmt> {
    use super::lex::{lex, Kind};
    let mut lexemes = lex(sql).filter(|l| !matches!(l.kind, Kind::Space | Kind::Comment));
    let first = lexemes.next()?;
    let verb = &sql[first.start..first.end];
    if first.kind != Kind::Word || !(verb.eq_ignore_ascii_case("INSERT") || verb.eq_ignore_ascii_case("REPLACE")) {
        return None;
    }
    let values = lexemes.find(|l| l.kind == Kind::Word && sql[l.start..l.end].eq_ignore_ascii_case("VALUES"))?;
    let mut r = LiteralRows { sql, pos: values.end };
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

/// The reader of [`insert_literal_rows`]'s rows: `None` on anything but
/// the plain forms it reads.
struct LiteralRows<'a> {
    sql: &'a str,
    pos: usize,
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

    /// `( literal, … )`
    fn row(&mut self) -> Option<Vec<Expr>> {
        self.skip_space();
        if self.bump()? != b'(' {
            return None;
        }
        let mut row = Vec::new();
        loop {
            self.skip_space();
            row.push(Expr::Lit(self.literal()?));
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

fn parse_general(sql: &str) -> SqlResult<Stmt> {
    let dialect = ReelDialect;
    let mut p = Parser::new(&dialect).with_recursion_limit(200).try_with_sql(sql).map_err(perr)?;
    while p.consume_token(&Token::SemiColon) {}
    if p.peek_token_ref().token == Token::EOF {
        return Err(SqlError::parse("Query was empty"));
    }
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
    r
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
            p.parse_update(first)
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
    let mut p = Parser::new(&dialect).with_recursion_limit(200).try_with_sql(sql).map_err(perr)?;
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

fn obj_name(n: &sp::ObjectName) -> SqlResult<ObjName> {
    let parts: Vec<String> =
        n.0.iter()
            .map(|p| match p {
                sp::ObjectNamePart::Identifier(i) => Ok(ident(i)),
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

fn statement(s: sp::Statement) -> SqlResult<Stmt> {
    use sp::Statement as S;
    Ok(match s {
        S::Query(q) => Stmt::Query(Box::new(query(*q)?)),
        S::CreateDatabase { db_name, if_not_exists, .. } => {
            Stmt::CreateDatabase { name: simple_name(&db_name)?, if_not_exists }
        }
        S::CreateSchema { schema_name, if_not_exists, .. } => match schema_name {
            sp::SchemaName::Simple(n) => Stmt::CreateDatabase { name: simple_name(&n)?, if_not_exists },
            other => return unsupported(other),
        },
        S::CreateTable(ct) => {
            let mut columns = Vec::new();
            let mut primary_key = Vec::new();
            let mut indexes = Vec::new();
            let mut foreign_keys = Vec::new();
            let mut checks = Vec::new();
            for c in &ct.columns {
                columns.push(column_def(c)?);
                column_constraints(c, &mut foreign_keys, &mut checks)?;
            }
            for tc in &ct.constraints {
                match tc {
                    sp::TableConstraint::ForeignKey(fk) => foreign_keys.push(foreign_key(fk)?),
                    sp::TableConstraint::Check(c) => checks.push(check(c)),
                    sp::TableConstraint::PrimaryKey(pk) => {
                        primary_key = pk.columns.iter().map(index_column).collect::<SqlResult<_>>()?
                    }
                    sp::TableConstraint::Unique(u) => indexes.push(TableIndex {
                        name: u.index_name.as_ref().or(u.name.as_ref()).map(ident),
                        columns: u.columns.iter().map(index_column).collect::<SqlResult<_>>()?,
                        unique: true,
                    }),
                    sp::TableConstraint::Index(ix) => indexes.push(TableIndex {
                        name: ix.name.as_ref().map(ident),
                        columns: ix.columns.iter().map(index_column).collect::<SqlResult<_>>()?,
                        unique: false,
                    }),
                    _ => {}
                }
            }
            Stmt::CreateTable {
                name: obj_name(&ct.name)?,
                if_not_exists: ct.if_not_exists,
                columns,
                primary_key,
                indexes,
                foreign_keys,
                checks,
                as_query: match ct.query {
                    Some(q) => Some(Box::new(query(*q)?)),
                    None => None,
                },
            }
        }
        S::Drop { object_type, if_exists, names, table, .. } => match object_type {
            sp::ObjectType::Table => {
                Stmt::DropTable { names: names.iter().map(obj_name).collect::<SqlResult<_>>()?, if_exists }
            }
            sp::ObjectType::View => {
                Stmt::DropView { names: names.iter().map(obj_name).collect::<SqlResult<_>>()?, if_exists }
            }
            sp::ObjectType::Database | sp::ObjectType::Schema => Stmt::DropDatabase {
                name: simple_name(names.first().ok_or_else(|| SqlError::parse("name expected"))?)?,
                if_exists,
            },
            sp::ObjectType::Index => Stmt::DropIndex {
                name: simple_name(names.first().ok_or_else(|| SqlError::parse("name expected"))?)?,
                table: match table {
                    Some(t) => Some(obj_name(&t)?),
                    None => None,
                },
                if_exists,
            },
            other => return unsupported(format!("DROP {other}")),
        },
        S::CreateIndex(ci) => Stmt::CreateIndex {
            name: match &ci.name {
                Some(n) => simple_name(n)?,
                None => return Err(SqlError::parse("index name expected")),
            },
            table: obj_name(&ci.table_name)?,
            columns: ci.columns.iter().map(index_column).collect::<SqlResult<_>>()?,
            unique: ci.unique,
            if_not_exists: ci.if_not_exists,
        },
        S::CreateView(cv) => Stmt::CreateView {
            name: obj_name(&cv.name)?,
            or_replace: cv.or_replace,
            columns: cv.columns.iter().map(|c| ident(&c.name)).collect(),
            sql: cv.query.to_string(),
            query: Box::new(query(*cv.query)?),
        },
        S::AlterTable(at) => {
            let name = obj_name(&at.name)?;
            let mut ops = Vec::new();
            for op in at.operations {
                use sp::AlterTableOperation as A;
                let one = match op {
                    A::AddColumn { column_def: c, .. } => {
                        // the column's REFERENCES and CHECK follow it
                        let (mut fks, mut checks) = (Vec::new(), Vec::new());
                        column_constraints(&c, &mut fks, &mut checks)?;
                        ops.push(AlterOp::AddColumn(column_def(&c)?));
                        ops.extend(fks.into_iter().map(AlterOp::AddForeignKey));
                        ops.extend(checks.into_iter().map(AlterOp::AddCheck));
                        continue;
                    }
                    A::DropColumn { column_names, if_exists, .. } => {
                        for c in column_names.iter().skip(1) {
                            ops.push(AlterOp::DropColumn { name: ident(c), if_exists });
                        }
                        AlterOp::DropColumn {
                            name: column_names.first().map(ident).ok_or_else(|| SqlError::parse("column expected"))?,
                            if_exists,
                        }
                    }
                    A::RenameColumn { old_column_name, new_column_name } => {
                        AlterOp::RenameColumn { from: ident(&old_column_name), to: ident(&new_column_name) }
                    }
                    A::ChangeColumn { old_name, new_name, .. } => {
                        AlterOp::RenameColumn { from: ident(&old_name), to: ident(&new_name) }
                    }
                    A::RenameTable { table_name } => match table_name {
                        sp::RenameTableNameKind::As(n) | sp::RenameTableNameKind::To(n) => {
                            AlterOp::RenameTable(obj_name(&n)?)
                        }
                    },
                    A::AddConstraint { constraint: sp::TableConstraint::PrimaryKey(_), .. } => AlterOp::AddPrimaryKey,
                    A::AddConstraint { constraint: sp::TableConstraint::ForeignKey(fk), .. } => {
                        AlterOp::AddForeignKey(foreign_key(&fk)?)
                    }
                    A::AddConstraint { constraint: sp::TableConstraint::Check(c), .. } => AlterOp::AddCheck(check(&c)),
                    A::DropForeignKey { name, .. } => AlterOp::DropForeignKey(ident(&name)),
                    A::DropConstraint { name, .. } => AlterOp::DropConstraint(ident(&name)),
                    other => return unsupported(format!("ALTER TABLE {other}")),
                };
                ops.push(one);
            }
            Stmt::AlterTable { name, ops }
        }
        S::Insert(ins) => {
            let table = match &ins.table {
                sp::TableObject::TableName(n) => obj_name(n)?,
                other => return unsupported(other),
            };
            let columns = if ins.columns.is_empty() {
                None
            } else {
                Some(ins.columns.iter().map(simple_name).collect::<SqlResult<_>>()?)
            };
            let on_duplicate = match ins.on {
                None => Vec::new(),
                Some(sp::OnInsert::DuplicateKeyUpdate(assignments)) => assignments
                    .into_iter()
                    .map(|a| Ok((assign_target(&a.target)?, expr(a.value)?)))
                    .collect::<SqlResult<_>>()?,
                Some(other) => return unsupported(format!("INSERT ... {other}")),
            };
            let row_alias = match &ins.insert_alias {
                None => None,
                Some(a) => Some((simple_name(&a.row_alias)?, a.col_aliases.iter().flatten().map(ident).collect())),
            };
            let source = match ins.source {
                Some(q) => match *q.body {
                    sp::SetExpr::Values(v) if q.order_by.is_none() && q.limit_clause.is_none() => InsertSource::Values(
                        v.rows
                            .into_iter()
                            .map(|r| r.content.into_iter().map(expr).collect::<SqlResult<Vec<_>>>())
                            .collect::<SqlResult<_>>()?,
                    ),
                    _ => InsertSource::Query(Box::new(query(*q)?)),
                },
                None if !ins.assignments.is_empty() => {
                    let mut cols = Vec::new();
                    let mut vals = Vec::new();
                    for a in ins.assignments {
                        cols.push(assign_target(&a.target)?);
                        vals.push(expr(a.value)?);
                    }
                    return Ok(Stmt::Insert {
                        table,
                        columns: Some(cols),
                        source: InsertSource::Values(vec![vals]),
                        ignore: ins.ignore,
                        replace: ins.replace_into,
                        on_duplicate,
                        row_alias,
                    });
                }
                None => return Err(SqlError::parse("INSERT without values")),
            };
            Stmt::Insert {
                table,
                columns,
                source,
                ignore: ins.ignore,
                replace: ins.replace_into,
                on_duplicate,
                row_alias,
            }
        }
        S::Update(up) if !up.table.joins.is_empty() || up.from.is_some() => {
            if up.returning.is_some() || !up.order_by.is_empty() || up.limit.is_some() {
                return unsupported("this form of multi-table UPDATE");
            }
            let mut items = vec![up.table];
            if let Some(sp::UpdateTableFromKind::BeforeSet(v) | sp::UpdateTableFromKind::AfterSet(v)) = up.from {
                items.extend(v);
            }
            let assignments = up
                .assignments
                .into_iter()
                .map(|a| {
                    let sp::AssignmentTarget::ColumnName(n) = &a.target else { return unsupported(&a.target) };
                    let o = obj_name(n)?;
                    Ok((o.db, o.name, expr(a.value)?))
                })
                .collect::<SqlResult<_>>()?;
            Stmt::UpdateJoin { from: from_items(items)?, assignments, filter: up.selection.map(expr).transpose()? }
        }
        S::Update(up) => {
            let table = match &up.table.relation {
                sp::TableFactor::Table { name, .. } => obj_name(name)?,
                other => return unsupported(other),
            };
            let assignments = up
                .assignments
                .into_iter()
                .map(|a| Ok((assign_target(&a.target)?, expr(a.value)?)))
                .collect::<SqlResult<_>>()?;
            if up.returning.is_some() || up.output.is_some() || up.or.is_some() || up.settings.is_some() {
                return unsupported("this form of UPDATE");
            }
            Stmt::Update {
                table,
                assignments,
                filter: up.selection.map(expr).transpose()?,
                order_by: order_items(up.order_by)?,
                limit: up.limit.map(expr).transpose()?,
            }
        }
        S::Delete(del) if !del.tables.is_empty() => {
            if del.using.is_some() || !del.order_by.is_empty() || del.limit.is_some() || del.returning.is_some() {
                return unsupported("this form of multi-table DELETE");
            }
            let targets = del.tables.iter().map(|n| obj_name(n).map(|o| o.name)).collect::<SqlResult<_>>()?;
            let (sp::FromTable::WithFromKeyword(items) | sp::FromTable::WithoutKeyword(items)) = del.from;
            Stmt::DeleteJoin { targets, from: from_items(items)?, filter: del.selection.map(expr).transpose()? }
        }
        S::Delete(del) => {
            let tables = match &del.from {
                sp::FromTable::WithFromKeyword(t) | sp::FromTable::WithoutKeyword(t) => t,
            };
            if tables.len() != 1 || !tables[0].joins.is_empty() || !del.tables.is_empty() || del.using.is_some() {
                return unsupported("multi-table DELETE");
            }
            let table = match &tables[0].relation {
                sp::TableFactor::Table { name, .. } => obj_name(name)?,
                other => return unsupported(other),
            };
            if del.returning.is_some() || del.output.is_some() || del.settings.is_some() {
                return unsupported("this form of DELETE");
            }
            Stmt::Delete {
                table,
                filter: del.selection.map(expr).transpose()?,
                order_by: order_items(del.order_by)?,
                limit: del.limit.map(expr).transpose()?,
            }
        }
        S::Truncate(t) => {
            let first = t.table_names.first().ok_or_else(|| SqlError::parse("table expected"))?;
            Stmt::Truncate(obj_name(&first.name)?)
        }
        S::StartTransaction { .. } => Stmt::Begin,
        S::Commit { .. } => Stmt::Commit,
        S::Rollback { .. } => Stmt::Rollback,
        other => return unsupported(first_words(&other.to_string())),
    })
}

fn first_words(s: &str) -> String {
    s.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

fn assign_target(t: &sp::AssignmentTarget) -> SqlResult<String> {
    match t {
        sp::AssignmentTarget::ColumnName(n) => {
            let o = obj_name(n)?;
            Ok(o.name)
        }
        other => unsupported(other),
    }
}

fn index_column(c: &sp::IndexColumn) -> SqlResult<String> {
    match &c.column.expr {
        sp::Expr::Identifier(i) => Ok(ident(i)),
        sp::Expr::CompoundIdentifier(p) => Ok(p.last().map(ident).unwrap_or_default()),
        other => unsupported(format!("index on expression {other}")),
    }
}

/// The FOREIGN KEY (`REFERENCES`) and CHECK options of a column definition.
fn column_constraints(c: &sp::ColumnDef, fks: &mut Vec<ForeignKeyDef>, checks: &mut Vec<CheckDef>) -> SqlResult<()> {
    for o in &c.options {
        match &o.option {
            sp::ColumnOption::ForeignKey(fk) => {
                let mut d = foreign_key(fk)?;
                d.name = o.name.as_ref().map(ident).or(d.name);
                if d.columns.is_empty() {
                    d.columns = vec![ident(&c.name)];
                }
                fks.push(d);
            }
            sp::ColumnOption::Check(ck) => {
                let mut d = check(ck);
                d.name = o.name.as_ref().map(ident).or(d.name);
                checks.push(d);
            }
            _ => {}
        }
    }
    Ok(())
}

fn fk_action(a: Option<sp::ReferentialAction>) -> SqlResult<FkAction> {
    Ok(match a {
        None | Some(sp::ReferentialAction::NoAction) => FkAction::NoAction,
        Some(sp::ReferentialAction::Restrict) => FkAction::Restrict,
        Some(sp::ReferentialAction::Cascade) => FkAction::Cascade,
        Some(sp::ReferentialAction::SetNull) => FkAction::SetNull,
        // InnoDB rejects SET DEFAULT
        Some(sp::ReferentialAction::SetDefault) => return unsupported("ON DELETE/UPDATE SET DEFAULT"),
    })
}

fn foreign_key(fk: &sp::ForeignKeyConstraint) -> SqlResult<ForeignKeyDef> {
    Ok(ForeignKeyDef {
        name: fk.name.as_ref().map(ident),
        columns: fk.columns.iter().map(ident).collect(),
        parent: obj_name(&fk.foreign_table)?,
        parent_columns: fk.referred_columns.iter().map(ident).collect(),
        on_delete: fk_action(fk.on_delete)?,
        on_update: fk_action(fk.on_update)?,
    })
}

fn check(c: &sp::CheckConstraint) -> CheckDef {
    CheckDef { name: c.name.as_ref().map(ident), sql: c.expr.to_string(), not_enforced: c.enforced == Some(false) }
}

fn column_def(c: &sp::ColumnDef) -> SqlResult<ColumnDef> {
    let mut d = ColumnDef {
        name: ident(&c.name),
        ty: data_type(&c.data_type)?,
        not_null: false,
        default: None,
        auto_increment: false,
        primary_key: false,
        unique: false,
    };
    for o in &c.options {
        match &o.option {
            sp::ColumnOption::NotNull => d.not_null = true,
            sp::ColumnOption::Null => d.not_null = false,
            sp::ColumnOption::Default(e) => d.default = Some(expr(e.clone())?),
            sp::ColumnOption::PrimaryKey(_) => {
                d.primary_key = true;
                d.not_null = true;
            }
            sp::ColumnOption::Unique(_) => d.unique = true,
            sp::ColumnOption::DialectSpecific(toks)
                if toks.iter().any(|t| t.to_string().eq_ignore_ascii_case("AUTO_INCREMENT")) =>
            {
                d.auto_increment = true
            }
            _ => {}
        }
    }
    Ok(d)
}

fn data_type(t: &sp::DataType) -> SqlResult<SqlType> {
    use sp::DataType as D;
    let len = |l: &Option<sp::CharacterLength>| match l {
        Some(sp::CharacterLength::IntegerLength { length, .. }) => Some(*length as u32),
        _ => None,
    };
    let dec = |i: &sp::ExactNumberInfo| match i {
        sp::ExactNumberInfo::None => SqlType::Decimal(10, 0),
        sp::ExactNumberInfo::Precision(p) => SqlType::Decimal((*p as u32).min(65), 0),
        sp::ExactNumberInfo::PrecisionAndScale(p, s) => SqlType::Decimal((*p as u32).min(65), (*s).clamp(0, 30) as u32),
    };
    Ok(match t {
        D::TinyInt(Some(1)) => SqlType::Bool,
        D::TinyInt(_)
        | D::SmallInt(_)
        | D::MediumInt(_)
        | D::Int(_)
        | D::Integer(_)
        | D::BigInt(_)
        | D::Int2(_)
        | D::Int4(_)
        | D::Int8(_)
        | D::Signed
        | D::SignedInteger => SqlType::Int,
        D::TinyIntUnsigned(_)
        | D::SmallIntUnsigned(_)
        | D::MediumIntUnsigned(_)
        | D::IntUnsigned(_)
        | D::IntegerUnsigned(_)
        | D::BigIntUnsigned(_)
        | D::Unsigned
        | D::UnsignedInteger => SqlType::UInt,
        D::Decimal(i) | D::Numeric(i) | D::Dec(i) | D::DecimalUnsigned(i) | D::DecUnsigned(i) => dec(i),
        D::Float(_)
        | D::Double(_)
        | D::DoublePrecision
        | D::Real
        | D::Float4
        | D::Float8
        | D::Float64
        | D::FloatUnsigned(_)
        | D::DoubleUnsigned(_) => SqlType::Double,
        D::Varchar(l) | D::Char(l) | D::Character(l) | D::CharacterVarying(l) | D::CharVarying(l) | D::Nvarchar(l) => {
            SqlType::Text(len(l))
        }
        D::Text | D::TinyText | D::MediumText | D::LongText | D::String(_) => SqlType::Text(None),
        D::Bool | D::Boolean => SqlType::Bool,
        D::Date => SqlType::Date,
        D::Datetime(_) | D::Timestamp(_, _) => SqlType::DateTime,
        D::Custom(n, _) if n.to_string().eq_ignore_ascii_case("SIGNED") => SqlType::Int,
        // MySQL has no user-defined types: an unknown type name is a syntax error
        D::Custom(n, _) => return Err(SqlError::parse(format!("Unknown data type '{n}'"))),
        other => return unsupported(format!("type {other}")),
    })
}

fn query(q: sp::Query) -> SqlResult<Query> {
    let mut with = Vec::new();
    if let Some(w) = q.with {
        for c in w.cte_tables {
            if c.from.is_some() {
                return unsupported("WITH ... FROM");
            }
            let name = ident(&c.alias.name);
            if with.iter().any(|e: &Cte| e.name.eq_ignore_ascii_case(&name)) {
                return Err(SqlError::new(Code::NonUniqTable, format!("Not unique table/alias: '{name}'")));
            }
            let columns = c.alias.columns.iter().map(|col| ident(&col.name)).collect();
            with.push(Cte { name, columns, query: Box::new(query(*c.query)?), recursive: w.recursive });
        }
    }
    let body = set_expr(*q.body)?;
    let order_by = match q.order_by {
        None => Vec::new(),
        Some(ob) => match ob.kind {
            sp::OrderByKind::Expressions(v) => order_items(v)?,
            sp::OrderByKind::All(_) => return unsupported("ORDER BY ALL"),
        },
    };
    let (limit, offset) = match q.limit_clause {
        None => (None, None),
        Some(sp::LimitClause::LimitOffset { limit, offset, .. }) => {
            (limit.map(expr).transpose()?, offset.map(|o| expr(o.value)).transpose()?)
        }
        Some(sp::LimitClause::OffsetCommaLimit { offset, limit }) => (Some(expr(limit)?), Some(expr(offset)?)),
    };
    Ok(Query { with, body, order_by, limit, offset })
}

fn set_expr(s: sp::SetExpr) -> SqlResult<SetExpr> {
    Ok(match s {
        sp::SetExpr::Select(sel) => SetExpr::Select(Box::new(select(*sel)?)),
        sp::SetExpr::Query(q) => SetExpr::Query(Box::new(query(*q)?)),
        sp::SetExpr::SetOperation { left, op, set_quantifier, right } => SetExpr::SetOp {
            op: match op {
                sp::SetOperator::Union => SetOpKind::Union,
                sp::SetOperator::Except | sp::SetOperator::Minus => SetOpKind::Except,
                sp::SetOperator::Intersect => SetOpKind::Intersect,
            },
            all: matches!(set_quantifier, sp::SetQuantifier::All),
            left: Box::new(set_expr(*left)?),
            right: Box::new(set_expr(*right)?),
        },
        sp::SetExpr::Values(v) => SetExpr::Values(
            v.rows
                .into_iter()
                .map(|r| r.content.into_iter().map(expr).collect::<SqlResult<Vec<_>>>())
                .collect::<SqlResult<_>>()?,
        ),
        other => return unsupported(first_words(&other.to_string())),
    })
}

/// The byte offset of a token location in `src`.
fn offset(src: &str, loc: Location) -> Option<usize> {
    let line_start = if loc.line <= 1 { 0 } else { src.match_indices('\n').nth(loc.line as usize - 2)?.0 + 1 };
    let col = (loc.column as usize).checked_sub(1)?;
    let rest = &src[line_start..];
    Some(line_start + rest.char_indices().nth(col).map(|(i, _)| i).unwrap_or(rest.len()))
}

/// The source text of each item of the select list that starts with the
/// `SELECT` keyword at `select_at` (in the statement being translated):
/// the text between the top-level commas, trimmed. Empty when the list
/// cannot be found or does not have `n` items.
fn item_texts(select_at: Location, n: usize) -> Vec<String> {
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

fn select(s: sp::Select) -> SqlResult<Select> {
    let distinct = match s.distinct {
        None | Some(sp::Distinct::All) => false,
        Some(sp::Distinct::Distinct) => true,
        Some(sp::Distinct::On(_)) => return unsupported("DISTINCT ON"),
    };
    let mut items = Vec::new();
    let mut texts: Option<Vec<String>> = None;
    let n_items = s.projection.len();
    for (i, it) in s.projection.into_iter().enumerate() {
        items.push(match it {
            sp::SelectItem::UnnamedExpr(e) => {
                let text = match &e {
                    sp::Expr::Identifier(i) => ident(i),
                    sp::Expr::CompoundIdentifier(p) => p.last().map(ident).unwrap_or_default(),
                    sp::Expr::Value(sp::ValueWithSpan {
                        value: sp::Value::SingleQuotedString(v) | sp::Value::DoubleQuotedString(v),
                        ..
                    }) => v.clone(),
                    other => {
                        let texts = texts.get_or_insert_with(|| item_texts(s.select_token.0.span.start, n_items));
                        texts.get(i).filter(|t| !t.is_empty()).cloned().unwrap_or_else(|| other.to_string())
                    }
                };
                SelectItem::Expr { expr: expr(e)?, alias: None, text }
            }
            sp::SelectItem::ExprWithAlias { expr: e, alias } => {
                SelectItem::Expr { text: ident(&alias), expr: expr(e)?, alias: Some(ident(&alias)) }
            }
            sp::SelectItem::Wildcard(_) => SelectItem::Wildcard,
            sp::SelectItem::QualifiedWildcard(k, _) => match k {
                sp::SelectItemQualifiedWildcardKind::ObjectName(n) => SelectItem::QualifiedWildcard(obj_name(&n)?.name),
                other => return unsupported(other),
            },
            other => return unsupported(other),
        });
    }
    let from = from_items(s.from)?;
    let (group_by, rollup) = match s.group_by {
        sp::GroupByExpr::Expressions(v, m) => {
            let rollup = match m[..] {
                [] => false,
                [sp::GroupByWithModifier::Rollup] => true,
                _ => return unsupported("GROUP BY modifiers other than WITH ROLLUP"),
            };
            (v.into_iter().map(expr).collect::<SqlResult<_>>()?, rollup)
        }
        sp::GroupByExpr::All(_) => return unsupported("GROUP BY ALL"),
    };
    let mut windows = Vec::new();
    for sp::NamedWindowDefinition(name, def) in s.named_window {
        let spec = match def {
            sp::NamedWindowExpr::NamedWindow(base) => WindowSpec { base: Some(ident(&base)), ..WindowSpec::default() },
            sp::NamedWindowExpr::WindowSpec(ws) => window_spec(ws)?,
        };
        windows.push((ident(&name), spec));
    }
    Ok(Select {
        windows,
        distinct,
        items,
        from,
        filter: s.selection.map(expr).transpose()?,
        group_by,
        rollup,
        having: s.having.map(expr).transpose()?,
    })
}

/// A FROM clause's tables and joins.
fn from_items(items: Vec<sp::TableWithJoins>) -> SqlResult<Vec<TableRef>> {
    let mut from = Vec::new();
    for twj in items {
        let mut acc = table_factor(twj.relation)?;
        for j in twj.joins {
            let right = table_factor(j.relation)?;
            use sp::JoinOperator as J;
            let (kind, cons) = match j.join_operator {
                J::Join(c) | J::Inner(c) => (JoinKind::Inner, Some(c)),
                J::CrossJoin(c) => (JoinKind::Inner, Some(c)),
                J::Left(c) | J::LeftOuter(c) => (JoinKind::Left, Some(c)),
                J::Right(c) | J::RightOuter(c) => (JoinKind::Right, Some(c)),
                J::StraightJoin(c) => (JoinKind::Inner, Some(c)),
                J::FullOuter(_) => return unsupported("FULL OUTER JOIN"),
                J::Semi(_) | J::LeftSemi(_) | J::RightSemi(_) => return unsupported("SEMI JOIN"),
                J::Anti(_) | J::LeftAnti(_) | J::RightAnti(_) => return unsupported("ANTI JOIN"),
                J::CrossApply | J::OuterApply => return unsupported("APPLY"),
                J::AsOf { .. } => return unsupported("ASOF JOIN"),
                J::ArrayJoin | J::LeftArrayJoin | J::InnerArrayJoin => return unsupported("ARRAY JOIN"),
            };
            let (on, using, natural) = match cons {
                Some(sp::JoinConstraint::On(e)) => (Some(expr(e)?), Vec::new(), false),
                Some(sp::JoinConstraint::Using(cols)) => {
                    (None, cols.iter().map(simple_name).collect::<SqlResult<_>>()?, false)
                }
                Some(sp::JoinConstraint::None) | None => (None, Vec::new(), false),
                Some(sp::JoinConstraint::Natural) => (None, Vec::new(), true),
                Some(sp::JoinConstraint::UsingAlias(..)) => return unsupported("USING … AS"),
            };
            acc = TableRef::Join { left: Box::new(acc), right: Box::new(right), kind, on, using, natural };
        }
        from.push(acc);
    }
    Ok(from)
}

fn alias(a: Option<sp::TableAlias>) -> Option<String> {
    a.map(|a| ident(&a.name))
}

fn table_factor(t: sp::TableFactor) -> SqlResult<TableRef> {
    Ok(match t {
        sp::TableFactor::Table { name, alias: a, args, version, .. } => {
            if let Some(args) = args {
                let n = obj_name(&name)?.name.to_ascii_lowercase();
                let mut out = Vec::new();
                for arg in args.args {
                    match arg {
                        sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Expr(e)) => out.push(expr(e)?),
                        other => return unsupported(other),
                    }
                }
                return Ok(TableRef::Function { name: n, args: out, alias: alias(a) });
            }
            let temporal = match version {
                None => None,
                Some(sp::TableVersion::ForSystemTimeAsOf(e)) => Some(temporal(e)?),
                Some(other) => return unsupported(other),
            };
            TableRef::Table { name: obj_name(&name)?, alias: alias(a), temporal }
        }
        sp::TableFactor::Derived { subquery, alias: a, .. } => {
            TableRef::Derived { query: Box::new(query(*subquery)?), alias: alias(a) }
        }
        sp::TableFactor::NestedJoin { table_with_joins, alias: a } => {
            if a.is_some() {
                return unsupported("alias on a nested join");
            }
            let twj = *table_with_joins;
            let sel = sp::Select { from: vec![twj], ..empty_select() };
            let s = select(sel)?;
            s.from.into_iter().next().ok_or_else(|| SqlError::parse("empty join"))?
        }
        other => return unsupported(other),
    })
}

fn empty_select() -> sp::Select {
    let dialect = ReelDialect;
    let q =
        Parser::new(&dialect).try_with_sql("SELECT 1").and_then(|mut p| p.parse_query()).expect("static query parses");
    match *q.body {
        sp::SetExpr::Select(s) => sp::Select { projection: Vec::new(), ..*s },
        _ => unreachable!("SELECT 1 is a select"),
    }
}

fn temporal(e: sp::Expr) -> SqlResult<Temporal> {
    if let sp::Expr::Function(f) = &e {
        let name = f.name.to_string().to_ascii_lowercase();
        if name.starts_with("reeldb_period_") {
            let args = func_args(&f.args)?.0;
            return match (name.as_str(), args.len()) {
                ("reeldb_period_all", 0) => Ok(Temporal::All),
                ("reeldb_period_between", 2) => {
                    let mut it = args.into_iter();
                    Ok(Temporal::Between(it.next().unwrap(), it.next().unwrap()))
                }
                ("reeldb_period_from_to", 2) => {
                    let mut it = args.into_iter();
                    Ok(Temporal::FromTo(it.next().unwrap(), it.next().unwrap()))
                }
                _ => Err(SqlError::parse("bad FOR SYSTEM_TIME clause")),
            };
        }
    }
    Ok(Temporal::AsOf(expr(e)?))
}

/// Returns (args, distinct, star).
fn func_args(a: &sp::FunctionArguments) -> SqlResult<(Vec<Expr>, bool, bool)> {
    match a {
        sp::FunctionArguments::None => Ok((Vec::new(), false, false)),
        sp::FunctionArguments::Subquery(q) => Ok((vec![Expr::Subquery(Box::new(query((**q).clone())?))], false, false)),
        sp::FunctionArguments::List(l) => {
            let distinct = matches!(l.duplicate_treatment, Some(sp::DuplicateTreatment::Distinct));
            let mut out = Vec::new();
            let mut star = false;
            for arg in &l.args {
                match arg {
                    // DATE_ADD(t, INTERVAL n unit): the amount and the unit
                    sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Expr(sp::Expr::Interval(iv))) => {
                        out.extend(interval(iv.clone())?)
                    }
                    sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Expr(e)) => out.push(expr(e.clone())?),
                    sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Wildcard) => star = true,
                    other => return unsupported(other),
                }
            }
            Ok((out, distinct, star))
        }
    }
}

/// The `ORDER BY` and `SEPARATOR` of a `GROUP_CONCAT` call.
fn group_concat_clauses(a: &sp::FunctionArguments) -> SqlResult<(Vec<OrderItem>, String)> {
    let mut order_by = Vec::new();
    let mut separator = ",".to_string();
    if let sp::FunctionArguments::List(l) = a {
        for c in &l.clauses {
            match c {
                sp::FunctionArgumentClause::OrderBy(v) => order_by = order_items(v.clone())?,
                sp::FunctionArgumentClause::Separator(v) => match value(v.value.clone())? {
                    Value::Str(s) => separator = s,
                    _ => return Err(SqlError::parse("You have an error in your SQL syntax near 'SEPARATOR'")),
                },
                other => return unsupported(format!("GROUP_CONCAT(... {other})")),
            }
        }
    }
    Ok((order_by, separator))
}

/// `INTERVAL n unit` as the two arguments of `date_add`: the amount and
/// the unit's name.
fn interval(iv: sp::Interval) -> SqlResult<[Expr; 2]> {
    match (iv.leading_field, iv.last_field) {
        (Some(unit), None) => Ok([expr(*iv.value)?, Expr::Lit(Value::Str(unit.to_string()))]),
        _ => unsupported("INTERVAL without a single unit"),
    }
}

fn number(s: &str) -> SqlResult<Value> {
    if let Ok(i) = s.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    if s.contains(['e', 'E']) {
        return s.parse::<f64>().map(Value::Double).map_err(|_| SqlError::parse(format!("bad number {s}")));
    }
    if let Some(d) = Decimal::parse(s) {
        return Ok(Value::Decimal(d));
    }
    s.parse::<f64>().map(Value::Double).map_err(|_| SqlError::parse(format!("bad number {s}")))
}

fn value(v: sp::Value) -> SqlResult<Value> {
    Ok(match v {
        sp::Value::Number(n, _) => number(&n)?,
        sp::Value::SingleQuotedString(s) | sp::Value::DoubleQuotedString(s) => Value::Str(s),
        sp::Value::Boolean(b) => Value::bool(b),
        sp::Value::Null => Value::Null,
        sp::Value::HexStringLiteral(h) => {
            let bytes: Vec<u8> =
                (0..h.len() / 2).filter_map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).ok()).collect();
            Value::Str(String::from_utf8_lossy(&bytes).into_owned())
        }
        other => return unsupported(format!("literal {other}")),
    })
}

fn bx(e: sp::Expr) -> SqlResult<Box<Expr>> {
    Ok(Box::new(expr(e)?))
}

/// Converts an expression.
pub fn expr(e: sp::Expr) -> SqlResult<Expr> {
    use sp::Expr as E;
    let _level = Nesting::enter()?;
    Ok(match e {
        E::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default") => Expr::Default,
        E::Identifier(i) => Expr::Column { table: None, name: ident(&i) },
        E::CompoundIdentifier(parts) => {
            let n = parts.len();
            if n < 2 {
                return Err(SqlError::parse("bad identifier"));
            }
            Expr::Column { table: Some(ident(&parts[n - 2])), name: ident(&parts[n - 1]) }
        }
        E::Value(sp::ValueWithSpan { value: sp::Value::Placeholder(p), span }) if p == "?" => param_at(span.start)?,
        E::Value(v) => Expr::Lit(value(v.value)?),
        E::TypedString(ts) => {
            let v = value(ts.value.value)?;
            let ty = data_type(&ts.data_type)?;
            Expr::Cast(Box::new(Expr::Lit(v)), ty)
        }
        E::Nested(e) => expr(*e)?,
        E::UnaryOp { op, expr: e } => match op {
            sp::UnaryOperator::Minus => match *e {
                E::Value(sp::ValueWithSpan { value: sp::Value::Number(n, _), .. }) => {
                    let s = format!("-{n}");
                    Expr::Lit(number(&s)?)
                }
                other => Expr::Unary(UnOp::Neg, bx(other)?),
            },
            sp::UnaryOperator::Plus => expr(*e)?,
            sp::UnaryOperator::Not | sp::UnaryOperator::BangNot => Expr::Unary(UnOp::Not, bx(*e)?),
            sp::UnaryOperator::BitwiseNot => {
                Expr::Func { name: "bitnot".into(), args: vec![expr(*e)?], distinct: false, star: false }
            }
            other => return unsupported(format!("operator {other}")),
        },
        E::BinaryOp { left, op, right } => {
            use sp::BinaryOperator as B;
            let op = match op {
                B::Plus => BinOp::Arith(ArithOp::Add),
                B::Minus => BinOp::Arith(ArithOp::Sub),
                B::Multiply => BinOp::Arith(ArithOp::Mul),
                B::Divide => BinOp::Arith(ArithOp::Div),
                B::Modulo => BinOp::Arith(ArithOp::Mod),
                B::MyIntegerDivide | B::DuckIntegerDivide => BinOp::Arith(ArithOp::IntDiv),
                B::Eq => BinOp::Cmp(CmpOp::Eq),
                B::NotEq => BinOp::Cmp(CmpOp::Ne),
                B::Lt => BinOp::Cmp(CmpOp::Lt),
                B::LtEq => BinOp::Cmp(CmpOp::Le),
                B::Gt => BinOp::Cmp(CmpOp::Gt),
                B::GtEq => BinOp::Cmp(CmpOp::Ge),
                B::Spaceship => BinOp::Cmp(CmpOp::NullSafeEq),
                B::And => BinOp::And,
                // `||` is `OR` in MySQL's default SQL mode (no PIPES_AS_CONCAT)
                B::Or | B::StringConcat => BinOp::Or,
                B::Xor => BinOp::Xor,
                B::BitwiseOr
                | B::BitwiseAnd
                | B::BitwiseXor
                | B::PGBitwiseXor
                | B::PGBitwiseShiftLeft
                | B::PGBitwiseShiftRight => {
                    let name = match op {
                        B::BitwiseOr => "bitor",
                        B::BitwiseAnd => "bitand",
                        B::BitwiseXor | B::PGBitwiseXor => "bitxor",
                        B::PGBitwiseShiftLeft => "shiftleft",
                        _ => "shiftright",
                    };
                    return Ok(Expr::Func {
                        name: name.into(),
                        args: vec![expr(*left)?, expr(*right)?],
                        distinct: false,
                        star: false,
                    });
                }
                other => return unsupported(format!("operator {other}")),
            };
            // `t + INTERVAL n unit`, `INTERVAL n unit + t`, `t - INTERVAL n unit`
            let add = op == BinOp::Arith(ArithOp::Add);
            match (*left, *right) {
                (t, E::Interval(iv)) if add || op == BinOp::Arith(ArithOp::Sub) => {
                    let name = if add { "date_add" } else { "date_sub" };
                    let mut args = vec![expr(t)?];
                    args.extend(interval(iv)?);
                    return Ok(Expr::Func { name: name.into(), args, distinct: false, star: false });
                }
                (E::Interval(iv), t) if add => {
                    let mut args = vec![expr(t)?];
                    args.extend(interval(iv)?);
                    return Ok(Expr::Func { name: "date_add".into(), args, distinct: false, star: false });
                }
                (l, r) => Expr::Binary(op, bx(l)?, bx(r)?),
            }
        }
        E::IsNull(e) => Expr::IsNull(bx(*e)?, false),
        E::IsNotNull(e) => Expr::IsNull(bx(*e)?, true),
        E::IsTrue(e) => Expr::IsBool(bx(*e)?, true, false),
        E::IsNotTrue(e) => Expr::IsBool(bx(*e)?, true, true),
        E::IsFalse(e) => Expr::IsBool(bx(*e)?, false, false),
        E::IsNotFalse(e) => Expr::IsBool(bx(*e)?, false, true),
        E::IsUnknown(e) => Expr::IsNull(bx(*e)?, false),
        E::IsNotUnknown(e) => Expr::IsNull(bx(*e)?, true),
        E::IsDistinctFrom(a, b) => {
            Expr::Unary(UnOp::Not, Box::new(Expr::Binary(BinOp::Cmp(CmpOp::NullSafeEq), bx(*a)?, bx(*b)?)))
        }
        E::IsNotDistinctFrom(a, b) => Expr::Binary(BinOp::Cmp(CmpOp::NullSafeEq), bx(*a)?, bx(*b)?),
        E::Between { expr: e, negated, low, high } => {
            Expr::Between { expr: bx(*e)?, low: bx(*low)?, high: bx(*high)?, negated }
        }
        E::In { expr: e, target, negated, .. } => match target {
            sp::InTarget::List(list) => {
                Expr::InList { expr: bx(*e)?, list: list.into_iter().map(expr).collect::<SqlResult<_>>()?, negated }
            }
            sp::InTarget::Subquery(q) => Expr::InSubquery { expr: bx(*e)?, query: Box::new(query(*q)?), negated },
            other => return unsupported(format!("IN {other}")),
        },
        E::AnyOp { left, compare_op, right, .. } => quantified(*left, &compare_op, *right, false)?,
        E::AllOp { left, compare_op, right } => quantified(*left, &compare_op, *right, true)?,
        E::Exists { subquery, negated } => Expr::Exists(Box::new(query(*subquery)?), negated),
        E::Subquery(q) => Expr::Subquery(Box::new(query(*q)?)),
        E::Like { negated, expr: e, pattern, escape_char, any, .. } => {
            if any {
                return unsupported("LIKE ANY");
            }
            let escape = match escape_char {
                None => '\\',
                Some(x) => match expr(*x)? {
                    Expr::Lit(Value::Str(s)) => {
                        let mut cs = s.chars();
                        match (cs.next(), cs.next()) {
                            (Some(c), None) => c,
                            (None, _) => '\\',
                            _ => return Err(SqlError::new(Code::WrongArguments, "Incorrect arguments to ESCAPE")),
                        }
                    }
                    _ => return Err(SqlError::new(Code::WrongArguments, "Incorrect arguments to ESCAPE")),
                },
            };
            Expr::Like { expr: bx(*e)?, pattern: bx(*pattern)?, escape, negated }
        }
        E::RLike { negated, expr: e, pattern, .. } => {
            let f = Expr::Func {
                name: "regexp_like".into(),
                args: vec![expr(*e)?, expr(*pattern)?],
                distinct: false,
                star: false,
            };
            if negated {
                Expr::Unary(UnOp::Not, Box::new(f))
            } else {
                f
            }
        }
        E::Case { operand, conditions, else_result, .. } => Expr::Case {
            operand: operand.map(|o| bx(*o)).transpose()?,
            whens: conditions
                .into_iter()
                .map(|w| Ok((expr(w.condition)?, expr(w.result)?)))
                .collect::<SqlResult<_>>()?,
            else_: else_result.map(|o| bx(*o)).transpose()?,
        },
        E::Cast { expr: e, data_type: t, .. } => Expr::Cast(bx(*e)?, data_type(&t)?),
        E::Convert { expr: e, data_type: Some(t), .. } => Expr::Cast(bx(*e)?, data_type(&t)?),
        E::Substring { expr: e, substring_from, substring_for, .. } => {
            let mut args = vec![expr(*e)?];
            if let Some(f) = substring_from {
                args.push(expr(*f)?);
            }
            if let Some(f) = substring_for {
                args.push(expr(*f)?);
            }
            Expr::Func { name: "substring".into(), args, distinct: false, star: false }
        }
        E::Trim { trim_where, trim_what, expr: e, trim_characters } => {
            if trim_characters.is_some() {
                return unsupported("TRIM with characters");
            }
            let name = match trim_where {
                Some(sp::TrimWhereField::Leading) => "ltrim_chars",
                Some(sp::TrimWhereField::Trailing) => "rtrim_chars",
                _ => "trim_chars",
            };
            let what = match trim_what {
                Some(w) => expr(*w)?,
                None => Expr::Lit(Value::Str(" ".into())),
            };
            Expr::Func { name: name.into(), args: vec![expr(*e)?, what], distinct: false, star: false }
        }
        E::Ceil { expr: e, .. } => {
            Expr::Func { name: "ceil".into(), args: vec![expr(*e)?], distinct: false, star: false }
        }
        E::Floor { expr: e, .. } => {
            Expr::Func { name: "floor".into(), args: vec![expr(*e)?], distinct: false, star: false }
        }
        E::Position { expr: e, r#in } => {
            Expr::Func { name: "position".into(), args: vec![expr(*e)?, expr(*r#in)?], distinct: false, star: false }
        }
        E::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            if f.filter.is_some() || !f.within_group.is_empty() {
                return unsupported(format!("filtered function {name}"));
            }
            let (mut args, distinct, star) = func_args(&f.args)?;
            if name == "group_concat" && f.over.is_none() {
                let (order_by, separator) = group_concat_clauses(&f.args)?;
                return Ok(Expr::GroupConcat { args, distinct, order_by, separator });
            }
            if let Some(over) = f.over {
                let spec = match over {
                    sp::WindowType::WindowSpec(ws) => window_spec(ws)?,
                    sp::WindowType::NamedWindow(w) => WindowSpec { base: Some(ident(&w)), ..WindowSpec::default() },
                };
                return Ok(Expr::Window { name, args, distinct, star, spec: Box::new(spec) });
            }
            // TIMESTAMPDIFF(MINUTE, a, b): the unit parses as a column name
            if matches!(name.as_str(), "timestampdiff" | "timestampadd") {
                if let Some(Expr::Column { table: None, name: unit }) = args.first() {
                    args[0] = Expr::Lit(Value::Str(unit.to_ascii_uppercase()));
                }
            }
            Expr::Func { name, args, distinct, star }
        }
        E::Extract { field, expr: e, .. } => Expr::Func {
            name: "extract".into(),
            args: vec![Expr::Lit(Value::Str(field.to_string())), expr(*e)?],
            distinct: false,
            star: false,
        },
        E::Tuple(items) => Expr::Row(items.into_iter().map(expr).collect::<SqlResult<_>>()?),
        other => return unsupported(format!("expression {}", first_words(&other.to_string()))),
    })
}

/// `x op ANY|SOME|ALL (subquery)`.
fn quantified(left: sp::Expr, op: &sp::BinaryOperator, right: sp::Expr, all: bool) -> SqlResult<Expr> {
    use sp::BinaryOperator as B;
    let op = match op {
        B::Eq => CmpOp::Eq,
        B::NotEq => CmpOp::Ne,
        B::Lt => CmpOp::Lt,
        B::LtEq => CmpOp::Le,
        B::Gt => CmpOp::Gt,
        B::GtEq => CmpOp::Ge,
        other => return unsupported(format!("{other} with ANY or ALL")),
    };
    match right {
        sp::Expr::Subquery(q) => Ok(Expr::Quantified { expr: bx(left)?, op, query: Box::new(query(*q)?), all }),
        _ => Err(SqlError::parse("You have an error in your SQL syntax: ANY and ALL take a subquery")),
    }
}

/// A window specification (`OVER (...)`, `WINDOW w AS (...)`).
fn window_spec(ws: sp::WindowSpec) -> SqlResult<WindowSpec> {
    let bound = |b: sp::WindowFrameBound| -> SqlResult<FrameBound> {
        Ok(match b {
            sp::WindowFrameBound::CurrentRow => FrameBound::CurrentRow,
            sp::WindowFrameBound::Preceding(None) => FrameBound::UnboundedPreceding,
            sp::WindowFrameBound::Preceding(Some(e)) => FrameBound::Preceding(expr(*e)?),
            sp::WindowFrameBound::Following(None) => FrameBound::UnboundedFollowing,
            sp::WindowFrameBound::Following(Some(e)) => FrameBound::Following(expr(*e)?),
        })
    };
    let frame = match ws.window_frame {
        None => None,
        Some(f) => Some(WindowFrame {
            rows: match f.units {
                sp::WindowFrameUnits::Rows => true,
                sp::WindowFrameUnits::Range => false,
                sp::WindowFrameUnits::Groups => return unsupported("GROUPS frames"),
            },
            start: bound(f.start_bound)?,
            end: match f.end_bound {
                Some(b) => bound(b)?,
                None => FrameBound::CurrentRow,
            },
        }),
    };
    Ok(WindowSpec {
        base: ws.window_name.as_ref().map(ident),
        partition_by: ws.partition_by.into_iter().map(expr).collect::<SqlResult<_>>()?,
        order_by: order_items(ws.order_by)?,
        frame,
    })
}

/// `ORDER BY` items of a query, an `UPDATE` or a `DELETE`.
fn order_items(v: Vec<sp::OrderByExpr>) -> SqlResult<Vec<OrderItem>> {
    v.into_iter()
        .map(|o| Ok(OrderItem { desc: matches!(o.options.sort, Some(sp::OrderBySort::Desc)), expr: expr(o.expr)? }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The literal rows of a bulk INSERT read without `sqlparser` are the
    /// statement `sqlparser` gives; forms the reader does not take fall
    /// back to it and give the same statement too.
    #[test]
    fn insert_literal_rows_agree_with_the_general_parser() {
        let read = [
            "INSERT INTO t VALUES (1, 'a', NULL), (-2, 'it''s', null),\n\t(3.50, '', -0.25)",
            "insert into db1.t (b, a) values (9223372036854775807, 'x'),(99999999999999999999, 'é ü')",
            "INSERT IGNORE INTO t VALUES (1),(2),(007)",
            "REPLACE INTO t VALUES (1),(2)",
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
            "INSERT INTO t VALUES (?), (2)",
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
