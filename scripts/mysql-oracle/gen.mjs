// @ts-check
// The random case generator of the differential harness (in the spirit of
// SQLancer and go-randgen): one seed gives one case, a small typed schema
// with data (NULLs, strings differing in case and accents, decimals, dates,
// times)
// followed by queries and DML over it. Only SQL that docs/sql.md says
// ReelDB supports is generated, so that a mismatch is a real one.
//
// Left out or narrowed on purpose, because ReelDB differs there today (each
// a mismatch class found by this harness; widen the generator when one is
// fixed): XOR (binds
// tighter than IS NULL, BETWEEN, IN), RIGHT JOIN (columns shifted when the
// left table is empty), LIKE (accent folding), ROUND/TRUNCATE of a computed
// decimal (scale), division by zero in UPDATE values (strict mode error), punctuation in strings
// (ReelDB orders it by code point, the collation by UCA weight: '.' < '*'),
// INTERVAL arithmetic on dates, doubles, CHAR(n) columns (MariaDB 10.11 sorts a
// CHAR column under the NO PAD collation by a finer key than its equality:
// 'Zoë' before 'zoe' though they are equal, so the next ORDER BY key and a
// window's ORDER BY do not decide; tests/mysql/char_types.test pins
// MySQL 8's order).

import { rng } from "../rng.mjs";

/**
 * @typedef {"int" | "dec" | "str" | "date" | "time"} Ty
 * @typedef {{name: string, ty: Ty, sql: string, nullable: boolean}} Col
 * @typedef {{name: string, cols: Col[], rows: number}} Table
 * @typedef {{sql: string, area: string, query?: boolean, ordered?: boolean, fold?: boolean, setup?: boolean}} Step
 */


const STRINGS = ["abc", "ABC", "Abc", "ábc", "b", "B", "", "élan", "ELAN", "Elan", "z", "a b", "x1", "10", "2", "Zoë", "zoe", "ñ", "N"];
const DATES = ["2024-01-31", "2024-02-29", "2023-12-25", "2000-01-01", "1999-12-31", "2024-03-10"];
// no negative TIME: MariaDB 10.11 shows one that arithmetic brings up to 0
// as -00:00:00 (MySQL 8: 00:00:00); tests/mysql/time_type.test has negatives
const TIMES = ["09:00:00", "17:30:00", "00:00:00", "23:59:59", "12:00:00", "01:30:00", "100:00:00", "08:30:15", "9:05"];

/**
 * @param {ReturnType<typeof rng>} r
 * @param {Ty} ty
 */
function literal(r, ty) {
  switch (ty) {
    case "int":
      return String(r.chance(0.8) ? r.int(11) - 5 : r.int(2001) - 1000);
    case "dec": {
      const v = (r.int(20001) - 10000) / 100;
      return v.toFixed(2);
    }
    case "str":
      return `'${r.pick(STRINGS)}'`;
    case "date":
      return `'${r.pick(DATES)}'`;
    case "time":
      // typed: a string among TIMEs makes MariaDB's result a string, whose
      // TIME() and ADDTIME() show six fractional digits (docs/sql.md)
      return `TIME '${r.pick(TIMES)}'`;
  }
}

/**
 * Whether expressions may divide. Off for the values of UPDATE: MySQL's
 * strict mode fails a statement that writes a division by zero
 * (ER_DIVISION_BY_ZERO), ReelDB writes NULL.
 */
let mayDivide = true;

/**
 * A generated expression of a type over the columns in scope.
 * @param {ReturnType<typeof rng>} r
 * @param {Ty | "bool"} ty
 * @param {{col: Col, q: string}[]} scope
 * @param {number} depth
 * @param {boolean} [top] whether this is a whole select item (the only place
 *   a bitwise operator may stand)
 * @returns {string}
 */
function expr(r, ty, scope, depth, top = false) {
  if (ty === "bool") return pred(r, scope, depth);
  const cols = scope.filter((c) => c.col.ty === ty);
  if (depth <= 0 || r.chance(0.35)) {
    if (cols.length && r.chance(0.75)) {
      const c = r.pick(cols);
      return `${c.q}.${c.col.name}`;
    }
    // a NULL among TIMEs typed as one (an untyped NULL + INTERVAL is a
    // DATETIME, which MariaDB does not convert a TIME to)
    if (r.chance(0.07)) return ty === "time" ? "CAST(NULL AS TIME)" : "NULL";
    return literal(r, ty);
  }
  const sub = (/** @type {Ty | "bool"} */ t) => expr(r, t, scope, depth - 1);
  const leaf = (/** @type {Ty} */ t) => expr(r, t, scope, 0);
  switch (ty) {
    case "int":
      return r.pick([
        () => `(${sub("int")} + ${sub("int")})`,
        () => `(${sub("int")} - ${sub("int")})`,
        () => `(${sub("int")} * ${sub("int")})`,
        () => (mayDivide ? `(${sub("int")} DIV ${sub("int")})` : sub("int")),
        () => (mayDivide ? `(${sub("int")} % ${sub("int")})` : sub("int")),
        () => `ABS(${sub("int")})`,
        () => `(- ${sub("int")})`,
        () => `COALESCE(${sub("int")}, ${sub("int")})`,
        () => `IFNULL(${sub("int")}, ${sub("int")})`,
        () => `CHAR_LENGTH(${sub("str")})`,
        () => `CASE WHEN ${sub("bool")} THEN ${sub("int")} ELSE ${sub("int")} END`,
        () => `IF(${sub("bool")}, ${sub("int")}, ${sub("int")})`,
        () => `GREATEST(${sub("int")}, ${sub("int")})`,
        () => `LEAST(${sub("int")}, ${sub("int")})`,
        () => `YEAR(${sub("date")})`,
        () => `MONTH(${sub("date")})`,
        () => `SIGN(${sub("int")})`,
        () => `CAST(${sub("dec")} AS SIGNED)`,
        // only whole: a bitwise result is BIGINT UNSIGNED in MySQL, and
        // arithmetic on it going below 0 is an error there (docs/sql.md)
        () => (top ? `(${sub("int")} ${r.pick(["|", "&", "^"])} ${sub("int")})` : sub("int")),
        () => (top ? `(${sub("int")} ${r.pick(["<<", ">>"])} ${r.int(8)})` : sub("int")),
        () => `BIT_COUNT(${sub("int")})`,
        () => `FIND_IN_SET(${sub("str")}, CONCAT_WS(',', ${sub("str")}, ${sub("str")}))`,
        () => `TO_DAYS(${sub("date")})`,
        () => `HOUR(${sub("time")})`,
        () => `MINUTE(${sub("time")})`,
        () => `TIME_TO_SEC(${sub("time")})`,
        // what tutorials do with dates and strings
        () => `DATEDIFF(${sub("date")}, ${sub("date")})`,
        () => `${r.pick(["DAYOFWEEK", "DAYOFYEAR", "DAYOFMONTH", "WEEKDAY", "QUARTER", "DAY", "YEARWEEK"])}(${sub("date")})`,
        () => `WEEK(${sub("date")}${r.chance(0.5) ? `, ${r.int(8)}` : ""})`,
        () => `TIMESTAMPDIFF(${r.pick(["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"])}, ${sub("date")}, ${sub("date")})`,
        () => `EXTRACT(${r.pick(["YEAR", "MONTH", "DAY", "YEAR_MONTH", "QUARTER", "WEEK"])} FROM ${sub("date")})`,
        () => `LOCATE(${leaf("str")}, ${sub("str")})`,
        () => `INSTR(${sub("str")}, ${leaf("str")})`,
        () => `STRCMP(${sub("str")}, ${sub("str")})`,
        () => `FIELD(${sub("str")}, ${leaf("str")}, ${leaf("str")}, ${leaf("str")})`,
        () => `LENGTH(${sub("str")})`,
        () => `ASCII(${sub("str")})`,
        () => (mayDivide ? `MOD(${sub("int")}, ${sub("int")})` : sub("int")),
        () => `ROUND(${sub("int")}, ${-r.int(3)})`,
      ])();
    case "dec":
      return r.pick([
        () => `(${sub("dec")} + ${sub("dec")})`,
        () => `(${sub("dec")} - ${sub("int")})`,
        () => `(${sub("dec")} * ${sub("int")})`,
        () => (mayDivide ? `(${sub("dec")} / ${leaf("int")})` : leaf("dec")),
        () => (mayDivide ? `(${leaf("int")} / ${leaf("int")})` : leaf("dec")),
        // a quotient inside arithmetic (MySQL keeps nine digits a group)
        () => (mayDivide ? `((${leaf("int")} / ${leaf("int")}) * ${leaf("int")})` : leaf("dec")),
        () => (mayDivide ? `(${leaf("dec")} / ${leaf("int")} + ${leaf("int")} / ${leaf("int")})` : leaf("dec")),
        // result types: integers and decimals of other scales mixed
        () => `COALESCE(${sub("dec")}, ${sub("int")})`,
        () => `IFNULL(${sub("dec")}, ${sub("int")})`,
        () => `IF(${sub("bool")}, ${sub("int")}, ${sub("dec")})`,
        () => `CASE WHEN ${sub("bool")} THEN ${sub("dec")} WHEN ${sub("bool")} THEN ${sub("int")} END`,
        () => `GREATEST(${sub("dec")}, ${sub("int")})`,
        () => `LEAST(${sub("int")}, ${sub("dec")})`,
        () => `ABS(${sub("dec")})`,
        () => `(- ${sub("dec")})`,
        () => `ROUND(${leaf("dec")}, ${r.int(3)})`,
        () => `TRUNCATE(${leaf("dec")}, ${r.int(3)})`,
        () => `FLOOR(${sub("dec")})`,
        () => `CEIL(${sub("dec")})`,
        () => `ROUND(${sub("dec")})`,
        () => (mayDivide ? `MOD(${sub("dec")}, ${leaf("int")})` : leaf("dec")),
      ])();
    case "str":
      return r.pick([
        () => `CONCAT(${sub("str")}, ${sub("str")})`,
        () => `CONCAT_WS('-', ${sub("str")}, ${sub("str")})`,
        () => `UPPER(${sub("str")})`,
        () => `LOWER(${sub("str")})`,
        () => `SUBSTRING(${sub("str")}, ${r.int(4) + 1}, ${r.int(3) + 1})`,
        () => `LEFT(${sub("str")}, ${r.int(4)})`,
        () => `RIGHT(${sub("str")}, ${r.int(4)})`,
        () => `REPLACE(${sub("str")}, 'a', 'x')`,
        () => `REVERSE(${sub("str")})`,
        () => `LPAD(${sub("str")}, ${r.int(6) + 1}, 'p')`,
        () => `RPAD(${sub("str")}, ${r.int(6) + 1}, 'q')`,
        () => `TRIM(${sub("str")})`,
        () => `COALESCE(${sub("str")}, ${sub("str")})`,
        () => `IFNULL(${sub("str")}, 'none')`,
        () => `CASE WHEN ${sub("bool")} THEN ${sub("str")} ELSE ${sub("str")} END`,
        () => `CAST(${sub("int")} AS CHAR)`,
        () => `INSERT(${sub("str")}, ${r.int(5)}, ${r.int(4) - 1}, ${sub("str")})`,
        () => `HEX(${sub(r.pick(["int", "str"]))})`,
        () => `CONV(${sub("int")}, 10, ${r.pick([2, 16, -16, 36])})`,
        () => `SOUNDEX(${sub("str")})`,
        () => `QUOTE(${sub("str")})`,
        () => `EXPORT_SET(${sub("int")}, 'y', 'n', ',', ${r.int(6)})`,
        () => `DATE_FORMAT(${sub("date")}, '${r.pick(["%Y-%m-%d", "%W %M %e %Y", "%a %b %D %y", "%j %U %u %V %v %X %x", "%d/%m/%Y", "%c.%e.%y %H:%i:%s %p"])}')`,
        () => `${r.pick(["DAYNAME", "MONTHNAME"])}(${sub("date")})`,
        () => `SUBSTRING_INDEX(${sub("str")}, '${r.pick(["-", "b", "a", " "])}', ${r.int(5) - 2})`,
        () => `REPEAT(${sub("str")}, ${r.int(3)})`,
        () => `${r.pick(["LTRIM", "RTRIM"])}(${sub("str")})`,
        () => `CONCAT(${sub("str")}, ${sub(r.pick(["int", "dec", "date"]))})`,
        () => `FORMAT(${sub("dec")}, ${r.int(3)})`,
        () => `ELT(${r.int(4)}, ${sub("str")}, ${sub("str")}, ${sub("str")})`,
        () => `MID(${sub("str")}, ${r.int(4) - 1}, ${r.int(3) + 1})`,
      ])();
    case "date":
      return r.pick([
        () => `COALESCE(${sub("date")}, ${sub("date")})`,
        () => `DATE(${sub("date")})`,
        () => `${r.pick(["DATE_ADD", "DATE_SUB"])}(${sub("date")}, INTERVAL ${r.int(40) - 5} ${r.pick(["DAY", "WEEK", "MONTH", "YEAR"])})`,
        () => `(${sub("date")} ${r.pick(["+", "-"])} INTERVAL ${r.int(13)} ${r.pick(["DAY", "MONTH"])})`,
        () => `LAST_DAY(${sub("date")})`,
        () => `MAKEDATE(${r.pick([1999, 2000, 2024])}, ${r.int(400)})`,
        () => `FROM_DAYS(TO_DAYS(${sub("date")}) + ${leaf("int")})`,
        () => `STR_TO_DATE(DATE_FORMAT(${sub("date")}, '%d/%m/%Y'), '%d/%m/%Y')`,
      ])();
    case "time":
      return r.pick([
        () => `COALESCE(${sub("time")}, ${sub("time")})`,
        () => `TIME(${sub("time")})`,
        () => `ADDTIME(${sub("time")}, '01:00:00')`,
        () => `SUBTIME(${sub("time")}, '00:30:00')`,
        () => `SEC_TO_TIME(TIME_TO_SEC(${sub("time")}) + ${leaf("int")})`,
        () => `TIMEDIFF(${sub("time")}, ${sub("time")})`,
        () => `(${sub("time")} + INTERVAL ${r.int(120)} MINUTE)`,
        () => `IF(${sub("bool")}, ${sub("time")}, ${sub("time")})`,
      ])();
  }
}

/**
 * @param {ReturnType<typeof rng>} r
 * @param {{col: Col, q: string}[]} scope
 * @param {number} depth
 * @returns {string}
 */
function pred(r, scope, depth) {
  const tys = /** @type {Ty[]} */ (["int", "dec", "str", "date", "time"]);
  const ty = r.pick(tys.filter((t) => scope.some((c) => c.col.ty === t)).concat(["int"]));
  const e = (/** @type {Ty} */ t) => expr(r, t, scope, Math.max(0, depth - 1));
  if (depth <= 0 || r.chance(0.6)) {
    return r.pick([
      () => `${e(ty)} ${r.pick(["=", "<>", "<", "<=", ">", ">=", "<=>"])} ${e(ty)}`,
      () => `${e(ty)} IS ${r.chance(0.5) ? "NOT " : ""}NULL`,
      () => `${e(ty)} ${r.chance(0.3) ? "NOT " : ""}BETWEEN ${literal(r, ty)} AND ${literal(r, ty)}`,
      () => `${e(ty)} ${r.chance(0.3) ? "NOT " : ""}IN (${[1, 2, 3].map(() => (r.chance(0.1) ? "NULL" : literal(r, ty))).join(", ")})`,
    ])();
  }
  const p = () => pred(r, scope, depth - 1);
  return r.pick([
    () => `(${p()} AND ${p()})`,
    () => `(${p()} OR ${p()})`,
    () => `NOT (${p()})`,
    () => `(${p()}) IS ${r.chance(0.5) ? "NOT " : ""}${r.pick(["TRUE", "FALSE", "UNKNOWN"])}`,
  ])();
}

/**
 * One case: CREATE TABLEs and INSERTs (setup), then queries and DML.
 * @param {number} seed
 * @returns {{steps: Step[]}}
 */
export function generateCase(seed) {
  const r = rng(seed);
  /** @type {Step[]} */
  const steps = [];
  /** @type {Table[]} */
  const tables = [];
  const ntables = 1 + r.int(3);
  let nextId = 1;
  for (let t = 0; t < ntables; t++) {
    /** @type {Col[]} */
    const cols = [];
    const ncols = 2 + r.int(3);
    for (let c = 0; c < ncols; c++) {
      const ty = r.pick(/** @type {Ty[]} */ (["int", "int", "dec", "str", "str", "date", "time"]));
      // narrow integer types: values out of their range fail on both
      const sql =
        ty === "int"
          ? r.pick(["INT", "BIGINT", "INT", "SMALLINT", "MEDIUMINT", "TINYINT", "INT UNSIGNED", "SMALLINT UNSIGNED"])
          : ty === "dec"
            ? r.pick(["DECIMAL(8,2)", "DECIMAL(10,3)"])
            : ty === "str"
              ? // a column of its own collation: case- and accent-sensitive
                r.chance(0.25)
                ? "VARCHAR(20) COLLATE utf8mb4_bin"
                : "VARCHAR(20)"
              : ty === "date"
                ? "DATE"
                : "TIME";
      cols.push({ name: `c${c}`, ty, sql, nullable: r.chance(0.8) });
    }
    const table = { name: `t${t}`, cols, rows: 0 };
    tables.push(table);
    steps.push({
      sql: `CREATE TABLE ${table.name} (id INT PRIMARY KEY, ${cols.map((c) => `${c.name} ${c.sql}${c.nullable ? "" : " NOT NULL"}`).join(", ")})`,
      area: "ddl",
      setup: true,
    });
    // secondary indexes, so that lookups and ranges take the index paths
    for (const c of cols) {
      if (r.chance(0.3)) {
        steps.push({ sql: `CREATE ${r.chance(0.2) ? "UNIQUE " : ""}INDEX ${table.name}_${c.name} ON ${table.name} (${c.name})`, area: "ddl", setup: true });
      }
    }
    const nrows = r.int(9);
    const rows = [];
    for (let i = 0; i < nrows; i++) {
      rows.push(`(${nextId++}, ${cols.map((c) => (c.nullable && r.chance(0.2) ? "NULL" : literal(r, c.ty))).join(", ")})`);
    }
    if (rows.length) steps.push({ sql: `INSERT INTO ${table.name} VALUES ${rows.join(", ")}`, area: "insert", setup: true });
  }
  const scopeOf = (/** @type {Table} */ t, /** @type {string} */ q) => t.cols.map((col) => ({ col, q }));
  const nsteps = 3 + r.int(6);
  for (let s = 0; s < nsteps; s++) {
    const t = r.pick(tables);
    const kind = r.pick(["select", "select", "where", "order", "group", "join", "join agg", "subquery", "setop", "distinct", "cte", "dml", "window", "window"]);
    const scope = scopeOf(t, "a");
    const depth = 1 + r.int(3);
    const items = () => {
      const n = 1 + r.int(3);
      const out = [];
      for (let i = 0; i < n; i++) out.push(expr(r, r.pick(/** @type {Ty[]} */ (["int", "dec", "str", "date", "time"])), scope, depth, true));
      return out.join(", ");
    };
    if (kind === "select" || kind === "where") {
      const where = kind === "where" || r.chance(0.5) ? ` WHERE ${pred(r, scope, depth)}` : "";
      if (r.chance(0.3)) {
        steps.push({ sql: `SELECT a.id, ${items()} FROM ${t.name} a${where} ORDER BY a.id LIMIT ${1 + r.int(5)}`, area: "select order/limit", query: true, ordered: true });
      } else {
        steps.push({ sql: `SELECT a.id, ${items()} FROM ${t.name} a${where}`, area: kind === "where" ? "where" : "select", query: true });
      }
    } else if (kind === "distinct") {
      const col = r.pick(t.cols);
      steps.push({ sql: `SELECT DISTINCT a.${col.name} FROM ${t.name} a`, area: "distinct", query: true, fold: true });
    } else if (kind === "group") {
      const key = r.pick(t.cols);
      const nums = t.cols.filter((c) => c.ty === "int" || c.ty === "dec");
      const aggs = ["COUNT(*)", `COUNT(a.${r.pick(t.cols).name})`];
      if (nums.length) {
        const n = r.pick(nums).name;
        aggs.push(`SUM(a.${n})`, `MIN(a.${n})`, `MAX(a.${n})`, `AVG(a.${n})`, `COUNT(DISTINCT a.${n})`);
        // DISTINCT over numbers only: of two strings equal under the
        // collation, which spelling is kept depends on the scan order
        aggs.push(`GROUP_CONCAT(DISTINCT a.${n} ORDER BY a.${n}${r.pick(["", " DESC"])}${r.pick(["", " SEPARATOR '; '"])})`);
      }
      const other = r.pick(t.cols).name;
      aggs.push(
        `COUNT(DISTINCT a.${r.pick(t.cols).name}, a.${other})`,
        // ordered by a NOT NULL key: MariaDB orders a NULL key as if it
        // were 0 there (MySQL 8 and ReelDB: first, as in ORDER BY)
        `GROUP_CONCAT(a.${other}${r.chance(0.4) ? `, '-', a.${r.pick(t.cols).name}` : ""} ORDER BY ${r.pick(t.cols.filter((c) => !c.nullable).map((c) => `a.${c.name}`).concat(["a.id"]))}${r.pick(["", " DESC"])}, a.id SEPARATOR '|')`,
      );
      const having = r.chance(0.4) ? ` HAVING COUNT(*) ${r.pick([">", ">=", "="])} ${r.int(3)}` : "";
      // super-aggregate rows (the key NULL), also for a second key
      const key2 = r.pick(t.cols.filter((c) => c !== key).concat([key]));
      const rollup = r.chance(0.25) ? (key2 !== key && r.chance(0.5) ? `, a.${key2.name} WITH ROLLUP` : " WITH ROLLUP") : "";
      const where = r.chance(0.4) ? ` WHERE ${pred(r, scope, depth)}` : "";
      steps.push({
        sql: `SELECT a.${key.name}, ${aggs.filter(() => r.chance(0.6)).concat(["COUNT(*)"]).join(", ")} FROM ${t.name} a${where} GROUP BY a.${key.name}${rollup}${having}`,
        area: "group by",
        query: true,
        fold: true,
      });
    } else if (kind === "join" && tables.length > 1) {
      const u = r.pick(tables.filter((x) => x !== t));
      const js = scopeOf(t, "a").concat(scopeOf(u, "b"));
      const common = t.cols.filter((c) => u.cols.some((d) => d.ty === c.ty));
      let on = "a.id = b.id";
      if (common.length && r.chance(0.7)) {
        const c = r.pick(common);
        const d = r.pick(u.cols.filter((x) => x.ty === c.ty));
        on = `a.${c.name} ${r.pick(["=", "=", "<", "<=>"])} b.${d.name}`;
      }
      if (r.chance(0.25)) {
        // USING / NATURAL: the shared columns coalesced, first in `*`
        const same = t.cols.filter((c) => u.cols.some((d) => d.name === c.name && d.ty === c.ty)).map((c) => c.name);
        const using = ["id", ...same.filter(() => r.chance(0.5))];
        const natural = r.chance(0.3);
        const jt = r.pick(["JOIN", "LEFT JOIN", "RIGHT JOIN"]);
        steps.push({
          sql: natural
            ? `SELECT * FROM ${t.name} a NATURAL ${jt === "JOIN" ? "" : `${jt.split(" ")[0]} `}JOIN ${u.name} b`
            : `SELECT * FROM ${t.name} a ${jt} ${u.name} b USING (${using.join(", ")})`,
          area: "join using",
          query: true,
        });
        continue;
      }
      const jt = r.pick(["JOIN", "LEFT JOIN", "CROSS JOIN"]);
      const where = r.chance(0.5) ? ` WHERE ${pred(r, js, depth)}` : "";
      const sel = [expr(r, "int", js, depth), expr(r, r.pick(/** @type {Ty[]} */ (["int", "dec", "str"])), js, depth)];
      steps.push({
        sql: `SELECT a.id, b.id, ${sel.join(", ")} FROM ${t.name} a ${jt} ${u.name} b${jt === "CROSS JOIN" ? "" : ` ON ${on}`}${where}`,
        area: "join",
        query: true,
      });
    } else if (kind === "subquery") {
      const u = r.pick(tables);
      const inner = scopeOf(u, "b");
      const c = r.pick(t.cols);
      const same = u.cols.filter((d) => d.ty === c.ty);
      const form = r.int(6);
      if (form === 0 && same.length) {
        const d = r.pick(same);
        steps.push({ sql: `SELECT a.id FROM ${t.name} a WHERE a.${c.name} ${r.chance(0.3) ? "NOT " : ""}IN (SELECT b.${d.name} FROM ${u.name} b WHERE ${pred(r, inner, 1)})`, area: "subquery IN", query: true });
      } else if (form === 1 && same.length) {
        const d = r.pick(same);
        steps.push({ sql: `SELECT a.id FROM ${t.name} a WHERE ${r.chance(0.3) ? "NOT " : ""}EXISTS (SELECT 1 FROM ${u.name} b WHERE b.${d.name} = a.${c.name})`, area: "subquery EXISTS", query: true });
      } else if (form >= 4 && same.length && c.ty !== "str") {
        // quantified comparisons; a row constructor against literals
        const d = r.pick(same);
        const q = `a.${c.name} ${r.pick(["=", "<>", "<", "<=", ">", ">="])} ${r.pick(["ANY", "SOME", "ALL"])} (SELECT b.${d.name} FROM ${u.name} b WHERE ${pred(r, inner, 1)})`;
        const e = r.pick(t.cols);
        const row = `(a.${c.name}, a.${e.name}) ${r.pick(["=", "<>", "<", ">="])} (${literal(r, c.ty)}, ${literal(r, e.ty)})`;
        steps.push({ sql: `SELECT a.id, ${q}, ${row} FROM ${t.name} a`, area: "ANY/ALL, row constructor", query: true });
      } else if (form === 3 && same.length && r.chance(0.6)) {
        // a row constructor against a subquery's rows
        const d = r.pick(same);
        const e = r.pick(t.cols);
        const f = r.pick(u.cols.filter((x) => x.ty === e.ty).concat([]));
        if (!f) continue;
        steps.push({
          sql: `SELECT a.id, (a.${c.name}, a.${e.name}) ${r.chance(0.4) ? "NOT " : ""}IN (SELECT b.${d.name}, b.${f.name} FROM ${u.name} b WHERE ${pred(r, inner, 1)}) FROM ${t.name} a`,
          area: "row IN subquery",
          query: true,
        });
      } else if (form === 2 && same.length && c.ty !== "str") {
        const d = r.pick(same);
        steps.push({ sql: `SELECT a.id, (SELECT MAX(b.${d.name}) FROM ${u.name} b WHERE b.id ${r.pick(["<", ">", "<>"])} a.id) FROM ${t.name} a`, area: "scalar subquery", query: true });
      } else {
        steps.push({ sql: `SELECT a.id, (SELECT COUNT(*) FROM ${u.name} b WHERE ${pred(r, inner.concat(scopeOf(t, "a")), 1)}) FROM ${t.name} a`, area: "correlated subquery", query: true });
      }
    } else if (kind === "setop") {
      const u = r.pick(tables);
      const c = r.pick(t.cols);
      // the same type, or numbers of different types (the column's type
      // is their aggregate: an integer shows the decimal's scale)
      const num = (/** @type {Col} */ x) => x.ty === "int" || x.ty === "dec";
      const same = u.cols.filter((d) => d.sql === c.sql || (num(c) && num(d)));
      if (!same.length) continue;
      const d = r.pick(same);
      const op = r.pick(["UNION", "UNION ALL", "INTERSECT", "EXCEPT"]);
      steps.push({ sql: `SELECT a.${c.name} FROM ${t.name} a ${op} SELECT b.${d.name} FROM ${u.name} b`, area: `set operation ${op}`, query: true, fold: true });
    } else if (kind === "order") {
      // the primary key breaks ties (equal strings may differ in spelling);
      // the key refers to a column: MariaDB reads a constant key such as
      // `- -3` as a column position (MySQL 8 does not)
      let key = `a.${r.pick(t.cols).name}`;
      for (let i = 0; i < 4; i++) {
        const e = expr(r, r.pick(/** @type {Ty[]} */ (["int", "dec", "str", "date", "time"])), scope, 1);
        if (/\ba\./.test(e)) {
          key = e;
          break;
        }
      }
      const dir = r.pick(["", " DESC"]);
      const lim = r.chance(0.6) ? ` LIMIT ${r.int(6)}${r.chance(0.4) ? ` OFFSET ${r.int(4)}` : ""}` : "";
      steps.push({ sql: `SELECT a.id, ${key} FROM ${t.name} a ORDER BY ${key}${dir}, a.id${lim}`, area: "order by", query: true, ordered: true });
    } else if (kind === "join agg" && tables.length > 1) {
      const u = r.pick(tables.filter((x) => x !== t));
      const nums = u.cols.filter((c) => c.ty === "int" || c.ty === "dec");
      const agg = nums.length ? r.pick(["SUM", "MIN", "MAX", "COUNT"]) + `(b.${r.pick(nums).name})` : "COUNT(b.id)";
      steps.push({
        sql: `SELECT a.id, COUNT(*), ${agg} FROM ${t.name} a LEFT JOIN ${u.name} b ON ${pred(r, scopeOf(t, "a").concat(scopeOf(u, "b")), 1)} GROUP BY a.id${r.chance(0.4) ? ` HAVING COUNT(*) > ${r.int(3)}` : ""}`,
        area: "join + group by",
        query: true,
      });
    } else if (kind === "cte") {
      const c = r.pick(t.cols);
      steps.push({
        sql: `WITH w AS (SELECT a.id, a.${c.name} AS v FROM ${t.name} a WHERE ${pred(r, scope, 1)}) SELECT w.id, w.v FROM w WHERE w.id ${r.pick(["<", ">", "<>"])} ${r.int(10)}`,
        area: "cte",
        query: true,
      });
    } else if (kind === "window") {
      // Every order that decides a value ends with the primary key, so that
      // the answer does not depend on how ties are broken; RANK, DENSE_RANK
      // and the default (peer) frame are the same under any tie order.
      // RANK always has an ORDER BY and LAG/LEAD no default (MariaDB
      // requires the one and lacks the other; MySQL 8 has both).
      const part = r.chance(0.6) ? `PARTITION BY a.${r.pick(t.cols).name} ` : "";
      const key = `a.${r.pick(t.cols).name}${r.pick(["", " DESC"])}`;
      const total = `ORDER BY ${key}, a.id${r.pick(["", " DESC"])}`;
      const v = `a.${r.pick(t.cols).name}`;
      const edge = (/** @type {boolean} */ start) =>
        start ? r.pick(["UNBOUNDED PRECEDING", `${r.int(3)} PRECEDING`, "CURRENT ROW"]) : r.pick(["CURRENT ROW", `${r.int(3)} FOLLOWING`, "UNBOUNDED FOLLOWING"]);
      const rows = () => `ROWS BETWEEN ${edge(true)} AND ${edge(false)}`;
      const fns = [
        `ROW_NUMBER() OVER (${part}${total})`,
        `RANK() OVER (${part}ORDER BY ${key})`,
        `DENSE_RANK() OVER (${part}ORDER BY ${key})`,
        `NTILE(${1 + r.int(4)}) OVER (${part}${total})`,
        `${r.pick(["LAG", "LEAD"])}(${v}${r.chance(0.5) ? `, ${r.int(3)}` : ""}) OVER (${part}${total})`,
        `FIRST_VALUE(${v}) OVER (${part}${total})`,
        `LAST_VALUE(${v}) OVER (${part}${total} ${rows()})`,
        `COUNT(*) OVER (${part}ORDER BY ${key})`,
        `COUNT(${v}) OVER (${part}${total} ${rows()})`,
      ];
      const nums = t.cols.filter((c) => c.ty === "int" || c.ty === "dec");
      if (nums.length) {
        const n = `a.${r.pick(nums).name}`;
        fns.push(
          `SUM(${n}) OVER (${part}ORDER BY ${key})`,
          `${r.pick(["MIN", "MAX", "AVG", "SUM"])}(${n}) OVER (${part.trim()})`,
          `SUM(${n}) OVER (${part}${total} ${rows()})`,
          `MAX(${n}) OVER (${part}${total} ${rows()})`,
        );
      }
      const chosen = [r.pick(fns), r.pick(fns)].slice(0, 1 + r.int(2));
      const where = r.chance(0.4) ? ` WHERE ${pred(r, scope, depth)}` : "";
      steps.push({ sql: `SELECT a.id, ${chosen.join(", ")} FROM ${t.name} a${where}`, area: "window function", query: true });
    } else if (kind === "dml") {
      const op = r.int(tables.length > 1 ? 7 : 5);
      if (op >= 5) {
        // multi-table: the rows of a that join rows of b
        const u = r.pick(tables.filter((x) => x !== t));
        const js = scopeOf(t, "a").concat(scopeOf(u, "b"));
        const common = t.cols.filter((c) => u.cols.some((d) => d.ty === c.ty));
        let on = `a.id ${r.pick(["=", "<", ">"])} b.id`;
        if (common.length && r.chance(0.6)) {
          const c = r.pick(common);
          on = `a.${c.name} = b.${r.pick(u.cols.filter((x) => x.ty === c.ty)).name}`;
        }
        const jt = r.pick(["JOIN", "LEFT JOIN"]);
        const where = r.chance(0.6) ? ` WHERE ${pred(r, js, 1)}` : "";
        if (op === 5) {
          steps.push({ sql: `DELETE a FROM ${t.name} a ${jt} ${u.name} b ON ${on}${where}`, area: "multi-table delete" });
        } else {
          const col = r.pick(t.cols);
          mayDivide = false;
          // A row of a that joins several rows of b takes one of their
          // values, and which one is up to the join order (MySQL leaves it
          // unspecified): the value reads b only when the join is one to one.
          const value = expr(r, col.ty, on === "a.id = b.id" ? js : scopeOf(t, "a"), 1);
          mayDivide = true;
          steps.push({ sql: `UPDATE ${t.name} a ${jt} ${u.name} b ON ${on} SET a.${col.name} = ${value}${where}`, area: "multi-table update" });
        }
      } else if (op === 0) {
        const col = r.pick(t.cols);
        mayDivide = false;
        const value = expr(r, col.ty, scopeOf(t, t.name), 1);
        mayDivide = true;
        steps.push({ sql: `UPDATE ${t.name} SET ${col.name} = ${value} WHERE ${pred(r, scopeOf(t, t.name), 1)}`, area: "update" });
      } else if (op === 1) {
        steps.push({ sql: `DELETE FROM ${t.name} WHERE ${pred(r, scopeOf(t, t.name), 1)}`, area: "delete" });
      } else if (op === 4) {
        // statements that must fail on both, with no effect: a duplicate
        // key, NULL in a NOT NULL column, an unknown column
        const notNull = t.cols.filter((c) => !c.nullable);
        const bad = r.int(3);
        const vals = (/** @type {string} */ id, /** @type {Col | null} */ nullCol) =>
          `(${id}, ${t.cols.map((c) => (c === nullCol ? "NULL" : literal(r, c.ty))).join(", ")})`;
        if (bad === 0) {
          steps.push({ sql: `INSERT INTO ${t.name} VALUES ${vals(String(nextId), null)}, ${vals(String(nextId), null)}`, area: "duplicate key" });
          nextId++;
        } else if (bad === 1 && notNull.length) {
          steps.push({ sql: `INSERT INTO ${t.name} VALUES ${vals(String(nextId++), r.pick(notNull))}`, area: "NOT NULL" });
        } else {
          steps.push({ sql: `UPDATE ${t.name} SET nosuch = 1 WHERE ${pred(r, scopeOf(t, t.name), 1)}`, area: "unknown column" });
        }
      } else if (op === 3) {
        // copies of some rows under new ids
        const id0 = nextId;
        nextId += 100;
        steps.push({ sql: `INSERT INTO ${t.name} SELECT a.id + ${id0}, ${t.cols.map((c) => `a.${c.name}`).join(", ")} FROM ${t.name} a WHERE ${pred(r, scope, 1)}`, area: "insert select" });
      } else {
        steps.push({ sql: `INSERT INTO ${t.name} VALUES (${nextId++}, ${t.cols.map((c) => (c.nullable && r.chance(0.2) ? "NULL" : literal(r, c.ty))).join(", ")})`, area: "insert" });
      }
      steps.push({ sql: `SELECT * FROM ${t.name}`, area: "state after dml", query: true });
    }
  }
  return { steps };
}
