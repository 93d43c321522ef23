//! The statement generator: a grammar of ReelDB's SQL, statements of the
//! corpus, and mutations of either.

use crate::rng::Rng;
use crate::vocab::{AGGS, BINOPS, CASTS, COLUMNS, FUNCS, LITERALS, NOISE, TABLES, TYPES};

pub(crate) struct Gen<'a> {
    pub(crate) rng: Rng,
    pub(crate) corpus: &'a [String],
    /// Whether the SELECT being generated has a join (columns qualified).
    pub(crate) joined: bool,
}

impl Gen<'_> {
    fn lit(&mut self) -> String {
        if self.rng.chance(30) {
            return ((self.rng.next() % 2000) as i64 - 1000).to_string();
        }
        self.rng.pick(LITERALS).to_string()
    }

    fn col(&mut self) -> String {
        if self.rng.chance(10) {
            return self.rng.pick(COLUMNS).to_string();
        }
        let c = *self.rng.pick(&["a", "b", "a", "b", "c", "d", "e"]);
        if self.joined {
            format!("{}.{c}", self.rng.pick(&["t1", "t2", "t1"]))
        } else {
            c.to_string()
        }
    }

    fn expr(&mut self, depth: u32) -> String {
        if depth == 0 {
            return if self.rng.chance(50) { self.col() } else { self.lit() };
        }
        let d = depth - 1;
        match self.rng.below(20) {
            0 | 1 => self.col(),
            2 | 3 => self.lit(),
            4..=6 => format!("({} {} {})", self.expr(d), self.rng.pick(BINOPS), self.expr(d)),
            7 => format!("NOT {}", self.expr(d)),
            8 => format!("-{}", self.expr(d)),
            9 => {
                let (f, n) = *self.rng.pick(FUNCS);
                let args: Vec<String> = (0..n).map(|_| self.expr(d)).collect();
                format!("{f}({})", args.join(", "))
            }
            10 => format!("CAST({} AS {})", self.expr(d), self.rng.pick(CASTS)),
            11 => format!("{} IS {}NULL", self.expr(d), if self.rng.chance(50) { "NOT " } else { "" }),
            12 => format!("{} BETWEEN {} AND {}", self.expr(d), self.expr(d), self.expr(d)),
            13 => match self.rng.below(6) {
                3 => {
                    let coll = *self.rng.pick(&[
                        "utf8mb4_bin",
                        "utf8mb4_0900_as_cs",
                        "utf8mb4_0900_as_ci",
                        "utf8mb4_0900_ai_ci",
                        "utf8mb4_general_ci",
                        "binary",
                        "nosuch_ci",
                    ]);
                    format!("({} COLLATE {coll})", self.expr(d))
                }
                4 => {
                    // a RANGE frame with offsets (errors outside a select list)
                    let offset = |g: &mut Self| {
                        if g.rng.chance(30) {
                            format!("INTERVAL {} {}", g.lit(), g.rng.pick(&["DAY", "HOUR", "MONTH"]))
                        } else {
                            g.lit()
                        }
                    };
                    let (a, b) = (offset(self), offset(self));
                    format!(
                        "{}({}) OVER (PARTITION BY {} ORDER BY {}{} RANGE BETWEEN {a} {} AND {b} FOLLOWING)",
                        self.rng.pick(&["SUM", "COUNT", "MIN", "AVG", "FIRST_VALUE", "LAST_VALUE"]),
                        self.expr(d),
                        self.expr(d),
                        self.expr(d),
                        if self.rng.chance(50) { " DESC" } else { "" },
                        self.rng.pick(&["PRECEDING", "FOLLOWING"]),
                    )
                }
                0 => format!("{} LIKE {} ESCAPE '|'", self.expr(d), self.expr(d)),
                1 => {
                    format!("{} {} {}", self.expr(d), self.rng.pick(&["NOT LIKE", "REGEXP", "NOT RLIKE"]), self.expr(d))
                }
                2 => {
                    let unit = *self.rng.pick(&[
                        "MICROSECOND",
                        "SECOND",
                        "MINUTE",
                        "HOUR",
                        "DAY",
                        "WEEK",
                        "MONTH",
                        "QUARTER",
                        "YEAR",
                        "YEAR_MONTH",
                        "DAY_SECOND",
                        "HOUR_MINUTE",
                        "SECOND_MICROSECOND",
                    ]);
                    let op = *self.rng.pick(&["+", "-"]);
                    format!("({} {op} INTERVAL {} {unit})", self.expr(d), self.expr(d))
                }
                _ => format!("{} LIKE {}", self.expr(d), self.expr(d)),
            },
            14 => {
                let n = 1 + self.rng.below(3);
                let xs: Vec<String> = (0..n).map(|_| self.expr(d)).collect();
                format!("{} {}IN ({})", self.expr(d), if self.rng.chance(30) { "NOT " } else { "" }, xs.join(", "))
            }
            15 => format!("{} IN ({})", self.expr(d), self.select(d)),
            16 => format!("{}EXISTS ({})", if self.rng.chance(30) { "NOT " } else { "" }, self.select(d)),
            17 => format!("({})", self.select(d)),
            18 => format!(
                "CASE {} WHEN {} THEN {} ELSE {} END",
                if self.rng.chance(50) { self.expr(d) } else { String::new() },
                self.expr(d),
                self.expr(d),
                self.expr(d)
            ),
            _ => format!(
                "{}({}{})",
                self.rng.pick(AGGS),
                if self.rng.chance(20) { "DISTINCT " } else { "" },
                self.expr(d)
            ),
        }
    }

    fn temporal(&mut self) -> String {
        match self.rng.below(8) {
            0 => format!(" FOR SYSTEM_TIME AS OF {}", self.lit()),
            1 => " FOR SYSTEM_TIME AS OF TIMESTAMP '2020-01-01 00:00:00'".into(),
            2 => " FOR SYSTEM_TIME ALL".into(),
            3 => format!(" FOR SYSTEM_TIME BETWEEN {} AND {}", self.lit(), self.lit()),
            4 => format!(" FOR SYSTEM_TIME FROM {} TO {}", self.lit(), self.lit()),
            5 => " FOR SYSTEM_TIME AS OF NOW() - INTERVAL 1 SECOND".into(),
            _ => String::new(),
        }
    }

    fn table_ref(&mut self, depth: u32) -> String {
        match self.rng.below(10) {
            0 if depth > 0 => format!("({}) AS dt", self.select(depth - 1)),
            1 => format!("reeldb_diff('{}', {}, {})", self.rng.pick(TABLES), self.lit(), self.lit()),
            2 => "information_schema.backtracks".into(),
            3 => self
                .rng
                .pick(&[
                    "information_schema.global_status",
                    "information_schema.columns",
                    "information_schema.statistics",
                    "information_schema.key_column_usage",
                    "information_schema.table_constraints",
                    "information_schema.referential_constraints",
                    "information_schema.check_constraints",
                    "information_schema.views",
                ])
                .to_string(),
            _ => {
                let t = if self.rng.chance(80) {
                    self.rng.pick(&["t1", "t2", "t1", "v1"]).to_string()
                } else {
                    self.rng.pick(TABLES).to_string()
                };
                let tm = if self.rng.chance(25) { self.temporal() } else { String::new() };
                format!("{t}{tm}")
            }
        }
    }

    fn select(&mut self, depth: u32) -> String {
        let mut s = String::from("SELECT ");
        if self.rng.chance(15) {
            s.push_str("DISTINCT ");
        }
        let n = 1 + self.rng.below(3);
        let outer_joined = self.joined;
        let joins = if self.rng.chance(70) { 0 } else { 1 + self.rng.below(2) };
        self.joined = joins > 0;
        let items: Vec<String> =
            (0..n).map(|_| if self.rng.chance(15) { "*".to_string() } else { self.expr(depth.min(2)) }).collect();
        s.push_str(&items.join(", "));
        if joins > 0 || self.rng.chance(90) {
            s.push_str(" FROM ");
            s.push_str(&self.table_ref(depth));
            for _ in 0..joins {
                let kind =
                    *self.rng.pick(&[" JOIN ", " LEFT JOIN ", " RIGHT JOIN ", " CROSS JOIN ", ", ", " INNER JOIN "]);
                s.push_str(kind);
                s.push_str(&self.table_ref(depth.saturating_sub(1)));
                if kind.contains("JOIN") && !kind.contains("CROSS") {
                    s.push_str(&format!(" ON {}", self.expr(1)));
                }
            }
        }
        if self.rng.chance(50) {
            s.push_str(&format!(" WHERE {}", self.expr(depth.min(2))));
        }
        if self.rng.chance(25) {
            s.push_str(&format!(" GROUP BY {}", self.expr(1)));
            if self.rng.chance(40) {
                s.push_str(&format!(" HAVING {}", self.expr(1)));
            }
        }
        if self.rng.chance(15) {
            let op = *self.rng.pick(&["UNION", "UNION ALL", "EXCEPT", "INTERSECT"]);
            s = format!("{s} {op} {}", self.select(depth.saturating_sub(1)));
        }
        if self.rng.chance(30) {
            s.push_str(&format!(" ORDER BY {} {}", self.expr(1), self.rng.pick(&["", "ASC", "DESC"])));
        }
        if self.rng.chance(20) {
            s.push_str(&format!(" LIMIT {}", self.lit()));
            if self.rng.chance(40) {
                s.push_str(&format!(" OFFSET {}", self.lit()));
            }
        }
        self.joined = outer_joined;
        s
    }

    fn column_def(&mut self) -> String {
        let mut s = format!("{} {}", self.rng.pick(&["a", "b", "c", "d", "e", "id", "x"]), self.rng.pick(TYPES));
        for (p, extra) in [(15, " NOT NULL"), (10, " PRIMARY KEY"), (10, " UNIQUE"), (8, " AUTO_INCREMENT")] {
            if self.rng.chance(p) {
                s.push_str(extra);
            }
        }
        if self.rng.chance(15) {
            s.push_str(&format!(" DEFAULT {}", self.lit()));
        }
        s
    }

    /// An optional `ORDER BY ... LIMIT n` tail for UPDATE and DELETE.
    fn dml_order_limit(&mut self) -> String {
        if !self.rng.chance(30) {
            return String::new();
        }
        let order = if self.rng.chance(50) { format!(" ORDER BY {} DESC", self.expr(1)) } else { String::new() };
        format!("{order} LIMIT {}", self.rng.below(4))
    }

    pub(crate) fn statement(&mut self) -> String {
        let t = self.rng.pick(&["t1", "t2", "t3", "nosuch"]).to_string();
        match self.rng.below(40) {
            0..=13 => self.select(2),
            14..=17 => {
                let n = 1 + self.rng.below(3);
                let rows: Vec<String> = (0..n)
                    .map(|_| {
                        let k = 1 + self.rng.below(4);
                        let vs: Vec<String> = (0..k).map(|_| self.expr(1)).collect();
                        format!("({})", vs.join(", "))
                    })
                    .collect();
                let cols = if self.rng.chance(30) { " (a, b)" } else { "" };
                let verb = *self.rng.pick(&["INSERT INTO", "INSERT IGNORE INTO", "REPLACE INTO"]);
                format!("{verb} {t}{cols} VALUES {}", rows.join(", "))
            }
            18 => format!("INSERT INTO {t} {}", self.select(1)),
            19 | 20 => {
                let tail = self.dml_order_limit();
                format!("UPDATE {t} SET {} = {} WHERE {}{tail}", self.col(), self.expr(2), self.expr(2))
            }
            21 => {
                let tail = self.dml_order_limit();
                format!("DELETE FROM {t} WHERE {}{tail}", self.expr(2))
            }
            22 => format!("DELETE FROM {t}"),
            23 => {
                let n = 1 + self.rng.below(4);
                let cols: Vec<String> = (0..n).map(|_| self.column_def()).collect();
                let ine = if self.rng.chance(30) { "IF NOT EXISTS " } else { "" };
                format!("CREATE TABLE {ine}{t} ({})", cols.join(", "))
            }
            24 => {
                // dropping t1 or t2 ends most of the session's useful work: rarely
                let t = if self.rng.chance(10) { t } else { "t3".to_string() };
                format!("DROP TABLE {}{t}", if self.rng.chance(30) { "IF EXISTS " } else { "" })
            }
            25 => match self.rng.below(4) {
                0 => format!("ALTER TABLE {t} ADD COLUMN {}", self.column_def()),
                1 => format!("ALTER TABLE {t} DROP COLUMN {}", self.col()),
                2 => format!("ALTER TABLE {t} RENAME COLUMN {} TO {}", self.col(), self.col()),
                _ => format!("ALTER TABLE {t} RENAME TO {}", self.rng.pick(&["t1", "t2", "t3", "t4"])),
            },
            26 => {
                format!("CREATE {}INDEX ix ON {t} ({})", if self.rng.chance(30) { "UNIQUE " } else { "" }, self.col())
            }
            27 => format!("DROP INDEX ix ON {t}"),
            28 => format!("CREATE VIEW v1 AS {}", self.select(1)),
            29 if self.rng.chance(20) => "DROP VIEW v1".into(),
            29 => format!("CREATE TABLE t3 (a INT, b VARCHAR(20), c INT PRIMARY KEY) AS {}", self.select(0)),
            30 => self
                .rng
                .pick(&[
                    "BEGIN",
                    "COMMIT",
                    "ROLLBACK",
                    "START TRANSACTION",
                    "SAVEPOINT s1",
                    "SAVEPOINT s2",
                    "ROLLBACK TO SAVEPOINT s1",
                    "ROLLBACK WORK TO s2",
                    "RELEASE SAVEPOINT s1",
                ])
                .to_string(),
            31 => format!("SET TIMESTAMP = {}", self.lit()),
            32 => match self.rng.below(4) {
                0 => format!("BACKTRACK TO TIMESTAMP {}", self.lit()),
                1 => "BACKTRACK TO RESTORE POINT rp".into(),
                2 => format!("BACKTRACK TO {} OR EARLIEST", self.lit()),
                _ => "BACKTRACK TO TIMESTAMP NOW() - INTERVAL 2 SECOND".into(),
            },
            33 => self.rng.pick(&["CREATE RESTORE POINT rp", "DROP RESTORE POINT rp"]).to_string(),
            34 => format!("SET GLOBAL backtrack_window = {}", self.lit()),
            35 => self
                .rng
                .pick(&[
                    "SHOW TABLES",
                    "SHOW DATABASES",
                    "SHOW CREATE TABLE t1",
                    "DESCRIBE t1",
                    "SHOW COLUMNS FROM t2",
                    "USE db2",
                    "USE reeldb",
                    "CREATE DATABASE db2",
                    "DROP DATABASE db2",
                    "TRUNCATE t1",
                    "TRUNCATE TABLE t2",
                    "SHOW TABLES LIKE 't%'",
                    "SHOW WARNINGS",
                    "SHOW WARNINGS LIMIT 1, 2",
                    "SHOW COUNT(*) WARNINGS",
                    "SELECT @@warning_count, @@sql_mode",
                    "SET sql_mode = ''",
                    "SET sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO'",
                    "SET sql_mode = DEFAULT",
                    "SELECT a, b, COUNT(*), GROUPING(a, b) FROM t1 GROUP BY a, b WITH ROLLUP",
                    "SELECT a % 3, LEFT(b, 1), SUM(c), GROUPING(a % 3) FROM t1 GROUP BY a % 3, LEFT(b, 1) WITH ROLLUP",
                    "SELECT YEAR(e) AS y, COUNT(*) FROM t1 GROUP BY y WITH ROLLUP ORDER BY y",
                    "UPDATE t1, t2 SET t1.b = t2.b WHERE t1.a = t2.x",
                    "UPDATE IGNORE t1 JOIN t2 ON t1.a = t2.x SET t1.a = t2.x + 1",
                    "ALTER TABLE t1 MODIFY c DECIMAL(8,3)",
                    "ALTER TABLE t1 MODIFY b VARCHAR(3) NOT NULL",
                    "ALTER TABLE t1 MODIFY COLUMN d TINYINT UNSIGNED",
                    "ALTER TABLE t1 CHANGE b bb TEXT",
                    "ALTER TABLE t1 CHANGE COLUMN bb b VARCHAR(10) DEFAULT 'x'",
                    "ALTER TABLE t2 MODIFY x BIGINT",
                ])
                .to_string(),
            _ => {
                let base = if !self.corpus.is_empty() && self.rng.chance(70) {
                    self.rng.pick(self.corpus).clone()
                } else {
                    self.select(2)
                };
                if self.rng.chance(50) {
                    base
                } else {
                    self.mutate(&base)
                }
            }
        }
    }

    fn mutate(&mut self, s: &str) -> String {
        let mut toks: Vec<String> = split_tokens(s);
        for _ in 0..1 + self.rng.below(4) {
            let n = toks.len();
            match self.rng.below(8) {
                0 if n > 0 => {
                    toks.remove(self.rng.below(n));
                }
                1 if n > 0 => {
                    let i = self.rng.below(n);
                    let t = toks[i].clone();
                    toks.insert(i, t);
                }
                2 if n > 0 => {
                    let i = self.rng.below(n);
                    toks[i] = self.rng.pick(NOISE).to_string();
                }
                3 if n > 0 => {
                    let i = self.rng.below(n);
                    toks[i] = self.lit();
                }
                4 => {
                    let i = self.rng.below(n + 1);
                    let e = self.expr(1);
                    toks.insert(i, e);
                }
                5 if n > 1 => {
                    toks.truncate(self.rng.below(n));
                }
                6 if !self.corpus.is_empty() => {
                    let other = split_tokens(self.rng.pick::<String>(self.corpus));
                    let at = self.rng.below(other.len() + 1);
                    let i = self.rng.below(n + 1);
                    toks.splice(i..i, other[at..].iter().cloned());
                }
                _ => {
                    let i = self.rng.below(n + 1);
                    let b = (self.rng.below(95) as u8 + 32) as char;
                    toks.insert(i, b.to_string());
                }
            }
        }
        toks.join(" ")
    }
}

/// Splits SQL roughly into words, quoted strings and punctuation.
pub(crate) fn split_tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in s.chars() {
        if let Some(q) = quote {
            cur.push(c);
            if c == q {
                quote = None;
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c == '\'' || c == '"' || c == '`' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
            quote = Some(c);
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            cur.push(c);
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}
