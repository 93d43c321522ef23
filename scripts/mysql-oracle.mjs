// @ts-check
// The MariaDB differential harness: runs the same SQL on a real MariaDB
// (scripts/mariadb.sh start) and on ReelDB, and compares.
//
//   node scripts/mysql-oracle.mjs record FILE... [--mismatches OUT]
//       Rewrites each sqllogictest FILE with MariaDB's answers as expected
//       output (in the format of src/sql/slt.rs, mysql mode), then runs the
//       file on ReelDB (target/debug/reeldb-slt) and prints every record
//       where ReelDB differs. A query MariaDB rejects becomes a
//       `statement error CODE` record. With --mismatches, the query and
//       `statement error` records where ReelDB differs move out of FILE into
//       OUT (a `statement ok` that fails must be fixed by hand).
//   node scripts/mysql-oracle.mjs promote [DIR]
//       No MariaDB: runs each file of DIR (default tests/mysql/pending) on
//       ReelDB and moves every query and `statement error` record that now
//       passes, with the `statement ok` records it needs, to the end of the
//       topic file one directory up, in a database of its own; failing
//       records stay, a pending file left with no check is removed.
//   node scripts/mysql-oracle.mjs diff [--cases N] [--seed S] [--verbose]
//       Seeded random differential testing (scripts/mysql-oracle/gen.mjs):
//       random schemas, data, DML and queries run on both; prints each
//       mismatch with its case seed and a minimal reproduction; exits 1 if
//       there is one.
//
// Connection: MARIADB_SOCKET (default target/mariadb/mariadb.sock), user
// root without password (the server runs with --skip-grant-tables).
// ReelDB: REELDB_BIN (default $CARGO_TARGET_DIR or target, then
// debug/reeldb, run with --jsonl) and REELDB_SLT (likewise debug/reeldb-slt).

import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { generateCase } from "./mysql-oracle/gen.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SOCKET = process.env.MARIADB_SOCKET ?? join(ROOT, "target/mariadb/mariadb.sock");
const TARGET = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(ROOT, "target");
const REELDB_BIN = process.env.REELDB_BIN ?? join(TARGET, "debug/reeldb");
const REELDB_SLT = process.env.REELDB_SLT ?? join(TARGET, "debug/reeldb-slt");
/** MySQL 8's utf8mb4_0900_ai_ci is NO PAD, like ReelDB's collation. */
const COLLATION = "utf8mb4_uca1400_nopad_ai_ci";

// ------------------------------------------------------------- MariaDB ---

/** npm mysql2, loaded by the first connection. */
/** @type {typeof import("mysql2/promise") | undefined} */
let mysql;

/**
 * A connection to a fresh database `name` (dropped and created again).
 * Every value arrives as MariaDB's text (the text protocol), NULL as null.
 * @param {string} name
 */
export async function mariadb(name) {
  // loaded here: `promote` needs no MariaDB and no client
  mysql ??= (await import("mysql2/promise")).default;
  const conn = await mysql.createConnection({
    socketPath: SOCKET,
    user: "root",
    multipleStatements: false,
    rowsAsArray: true,
    // affected rows count changed rows, as MySQL clients see them by default
    flags: ["-FOUND_ROWS"],
    dateStrings: true,
    typeCast: (field, next) => {
      if (field.type === "BLOB" || field.type === "VAR_STRING" || field.type === "STRING") {
        const b = field.buffer();
        return b === null ? null : b.toString("utf8");
      }
      return field.string();
    },
  });
  await conn.query(`SET NAMES utf8mb4 COLLATE ${COLLATION}`);
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await conn.query(`CREATE DATABASE \`${name}\``);
  await conn.query(`USE \`${name}\``);
  return conn;
}

/**
 * @typedef {{ok: true, columns: string[], types: string[], rows: (string|null)[][]} |
 *           {ok: true, affected: number} |
 *           {ok: false, code: string, message: string}} Outcome
 */

/** MariaDB field types that the recorder writes as `I` and `R`. */
const INT_TYPES = new Set(["TINY", "SHORT", "LONG", "LONGLONG", "INT24", "YEAR"]);
const REAL_TYPES = new Set(["FLOAT", "DOUBLE"]);

/**
 * @param {import("mysql2/promise").Connection} conn
 * @param {string} sql
 * @returns {Promise<Outcome>}
 */
export async function runMariadb(conn, sql) {
  try {
    const [res, fields] = await conn.query(sql);
    if (Array.isArray(res) && fields) {
      const typeName = (/** @type {any} */ f) => {
        const t = Object.entries(mysql?.Types ?? {}).find(([, v]) => v === f.columnType)?.[0] ?? "";
        return INT_TYPES.has(t) ? "I" : REAL_TYPES.has(t) ? "R" : "T";
      };
      return {
        ok: true,
        columns: fields.map((f) => f.name),
        types: fields.map(typeName),
        rows: /** @type {any} */ (res),
      };
    }
    return { ok: true, affected: /** @type {any} */ (res).affectedRows ?? 0 };
  } catch (e) {
    const err = /** @type {any} */ (e);
    if (err.fatal || !err.sqlMessage) throw e;
    // mysql2 names an errno as MySQL does; MariaDB's own errnos (1900 and
    // up) mean something else there, so they keep their number
    return { ok: false, code: err.errno < 1900 ? err.code : `MARIADB_${err.errno}`, message: err.sqlMessage };
  }
}

// -------------------------------------------------------------- ReelDB ---

/** ReelDB through `reeldb --jsonl`: one statement in, one JSON line out. */
export class Reeldb {
  constructor() {
    this.proc = spawn(REELDB_BIN, ["--jsonl"], { stdio: ["pipe", "pipe", "inherit"] });
    /** @type {((line: string) => void)[]} */
    this.waiting = [];
    /** @type {string | null} */
    this.died = null;
    createInterface({ input: /** @type {any} */ (this.proc.stdout) }).on("line", (l) => this.waiting.shift()?.(l));
    this.proc.on("exit", (code, signal) => {
      this.died = `reeldb exited (${signal ?? code})`;
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ crash: this.died }));
    });
  }
  /**
   * @param {string} sql
   * @returns {Promise<any>}
   */
  async run(sql) {
    if (this.died) return { crash: this.died };
    const line = await new Promise((res) => {
      this.waiting.push(res);
      this.proc.stdin?.write(JSON.stringify(sql) + "\n");
    });
    // integers beyond 2^53 stay exact as strings
    return JSON.parse(line.replace(/([[,])(-?\d{16,})(?=[,\]])/g, '$1"$2"'));
  }
  close() {
    this.proc.stdin?.end();
  }
}

// ---------------------------------------------------- slt value format ---

/**
 * The numeric prefix of a string, as MySQL (and value::parse_num_prefix).
 * @param {string} s
 */
function numPrefix(s) {
  const m = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(s);
  return m ? Number(m[0]) : 0;
}

/**
 * Rust's `{:.3}` (round half to even on exact ties; JavaScript's toFixed
 * rounds them up).
 * @param {number} f
 */
function fixed3(f) {
  if (!Number.isFinite(f)) return f > 0 ? "inf" : f < 0 ? "-inf" : "NaN";
  const scaled = f * 1000;
  let s;
  if (Number.isInteger(scaled * 2) && !Number.isInteger(scaled) && Math.abs(scaled) < 2 ** 52) {
    let n = Math.floor(scaled);
    if (n % 2 !== 0) n += 1;
    s = (n / 1000).toFixed(3);
  } else {
    s = f.toFixed(3);
  }
  if ((f < 0 || Object.is(f, -0)) && !s.startsWith("-")) s = "-" + s;
  return s;
}

/**
 * A value as src/sql/slt.rs prints it for the type letter `ty`.
 * @param {string | null} v MariaDB's text of the value
 * @param {string} ty
 */
export function sltValue(v, ty) {
  if (v === null) return "NULL";
  if (ty === "I") {
    if (/^\s*[+-]?\d+$/.test(v)) return BigInt(v.trim()).toString();
    const m = /^\s*([+-]?\d+)\.\d*$/.exec(v);
    if (m) return BigInt(m[1]).toString();
    return Math.trunc(numPrefix(v)).toString();
  }
  if (ty === "R") return fixed3(numPrefix(v));
  if (v === "") return "(empty)";
  return Array.from(v, (c) => (c >= " " && c <= "~" ? c : "@")).join("");
}

// ------------------------------------------------------------- record ---

/**
 * @typedef {{kind: "other", lines: string[]} |
 *           {kind: "statement", pre: string[], head: string, sql: string[], line: number} |
 *           {kind: "query", pre: string[], head: string, sql: string[], result: string[], line: number}} Rec
 */

/**
 * Splits a sqllogictest file into records (with the comment and condition
 * lines before each) and the text between them.
 * @param {string} text
 * @returns {Rec[]}
 */
function parseSlt(text) {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  /** @type {Rec[]} */
  const out = [];
  let i = 0;
  while (i < lines.length) {
    /** @type {string[]} */
    const pre = [];
    while (i < lines.length && (lines[i].startsWith("#") || /^(skipif|onlyif)\b/.test(lines[i]))) pre.push(lines[i++]);
    if (i >= lines.length || lines[i].trim() === "") {
      out.push({ kind: "other", lines: [...pre, ...(i < lines.length ? [lines[i]] : [])] });
      i++;
      continue;
    }
    const start = i;
    const head = lines[i++];
    const body = [];
    while (i < lines.length && lines[i].trim() !== "") body.push(lines[i++]);
    if (head.startsWith("statement")) {
      out.push({ kind: "statement", pre, head, sql: body, line: start + 1 });
    } else if (head.startsWith("query")) {
      const sep = body.indexOf("----");
      out.push({
        kind: "query",
        pre,
        head,
        sql: sep < 0 ? body : body.slice(0, sep),
        result: sep < 0 ? [] : body.slice(sep + 1),
        line: start + 1,
      });
    } else {
      out.push({ kind: "other", lines: [...pre, head, ...body] });
    }
  }
  return out;
}

/** @param {Rec[]} recs */
function renderSlt(recs) {
  const out = [];
  for (const r of recs) {
    if (r.kind === "other") out.push(...r.lines);
    else if (r.kind === "statement") out.push(...r.pre, r.head, ...r.sql);
    else out.push(...r.pre, r.head, ...r.sql, "----", ...r.result);
  }
  return out.join("\n").replace(/\n*$/, "\n");
}

/**
 * Records one file on MariaDB. A record after a `# mysql8: why` comment
 * holds MySQL 8's answer where MariaDB's differs, written by hand: the
 * recorder leaves it as it is. Returns false when MariaDB disagrees with
 * the file on a statement's success (the file must then be fixed by hand).
 * @param {string} file
 * @param {string | undefined} mismatchFile
 */
async function recordFile(file, mismatchFile) {
  const recs = parseSlt(readFileSync(file, "utf8"));
  const conn = await mariadb("oracle_" + basename(file, ".test").replace(/\W/g, "_"));
  let ok = true;
  let queries = 0;
  for (const [k, r] of recs.entries()) {
    if (r.kind === "other" || r.pre.some((l) => /^(skipif mysql|onlyif (?!mysql))/.test(l))) continue;
    const sql = r.sql.join("\n");
    const res = await runMariadb(conn, sql);
    const manual = r.pre.some((l) => l.startsWith("# mysql8:"));
    if (r.kind === "statement") {
      if (manual) continue;
      const wantOk = r.head.split(/\s+/)[1] === "ok";
      if (res.ok !== wantOk) {
        ok = false;
        console.log(`${file}:${r.line}: MariaDB ${res.ok ? "succeeds" : `fails (${res.code}: ${res.message})`}, the file says statement ${wantOk ? "ok" : "error"}:\n  ${sql}`);
      } else if (!res.ok) {
        r.head = `statement error ${res.code}`;
      }
      continue;
    }
    queries++;
    // MySQL 8's answer, written by hand: kept whatever MariaDB says.
    if (manual) continue;
    if (!res.ok) {
      // an error is the expected answer: the record becomes a statement error
      recs[k] = { kind: "statement", pre: r.pre, head: `statement error ${res.code}`, sql: r.sql, line: r.line };
      continue;
    }
    if (!("rows" in res)) {
      ok = false;
      console.log(`${file}:${r.line}: MariaDB returns no rows:\n  ${sql}`);
      continue;
    }
    const parts = r.head.split(/\s+/).slice(1);
    let types = parts[0] && /^[ITR]+$/.test(parts[0]) ? parts.shift() ?? "" : "";
    if (types.length !== res.columns.length) types = res.types.join("");
    const sort = parts[0] ?? (/\border\s+by\b/i.test(topLevel(sql)) ? "nosort" : "rowsort");
    r.head = `query ${types} ${sort}`;
    let rows = res.rows.map((row) => row.map((v, c) => sltValue(v, types[c])));
    if (sort === "rowsort") rows.sort(cmpRows);
    let vals = rows.flat();
    if (vals.some((v) => /\s$/.test(v))) {
      // sqllogictest compares lines without trailing blanks and ends a
      // record at a blank line: such a value cannot be written down.
      ok = false;
      console.log(`${file}:${r.line}: a value ends with a blank; wrap it (CONCAT('[', x, ']')):\n  ${sql}`);
    }
    if (sort === "valuesort") vals.sort(cmpStr);
    r.result = vals;
  }
  await conn.query(`DROP DATABASE IF EXISTS \`oracle_${basename(file, ".test").replace(/\W/g, "_")}\``);
  await conn.end();
  writeFileSync(file, renderSlt(recs));
  console.log(`${file}: ${queries} queries recorded`);
  return checkOnReeldb(file, recs, mismatchFile) && ok;
}

/**
 * The SQL without parenthesised parts and string literals (to see whether
 * the outermost query has an ORDER BY).
 * @param {string} sql
 */
function topLevel(sql) {
  let s = sql.replace(/'(?:[^'\\]|\\.|'')*'/g, "''");
  for (let prev = ""; prev !== s; ) {
    prev = s;
    s = s.replace(/\([^()]*\)/g, "");
  }
  return s;
}

/** @param {string} a @param {string} b */
const cmpStr = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
/** @param {string[]} a @param {string[]} b */
function cmpRows(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = cmpStr(a[i], b[i]);
    if (c) return c;
  }
  return a.length - b.length;
}

/**
 * Runs a file on ReelDB (reeldb-slt, the runner of `cargo test`) and
 * returns its failing records: the line of each record's head -> why.
 * @param {string} file
 * @returns {Map<number, string>}
 */
function failingLines(file) {
  const r = spawnSync(REELDB_SLT, ["--verbose", file], { encoding: "utf8" });
  if (r.status === null) throw new Error(`${REELDB_SLT}: ${r.error ?? r.signal}`);
  /** @type {Map<number, string>} */
  const failures = new Map();
  let cur = -1;
  for (const l of r.stdout.split("\n")) {
    const m = /^ {2}line (\d+): (.*)$/.exec(l);
    if (m) {
      cur = Number(m[1]);
      failures.set(cur, m[2]);
    } else if (l.startsWith("  ") && cur >= 0) failures.set(cur, failures.get(cur) + "\n" + l);
  }
  return failures;
}

/**
 * The line of each statement and query record's head in `renderSlt(recs)`.
 * @param {Rec[]} recs
 * @returns {[Rec, number][]}
 */
function headLines(recs) {
  /** @type {[Rec, number][]} */
  const out = [];
  let line = 1;
  for (const rec of recs) {
    if (rec.kind === "other") {
      line += rec.lines.length;
      continue;
    }
    line += rec.pre.length;
    out.push([rec, line]);
    line += 1 + rec.sql.length + (rec.kind === "query" ? 1 + rec.result.length : 0);
  }
  return out;
}

/**
 * Runs a recorded file on ReelDB (reeldb-slt, the runner of `cargo test`)
 * and prints every failing record; with `mismatchFile`, failing query and
 * `statement error` records move there. Returns true when the file passes.
 * @param {string} file
 * @param {Rec[]} recs
 * @param {string | undefined} mismatchFile
 */
function checkOnReeldb(file, recs, mismatchFile) {
  let statementFailed = false;
  for (;;) {
    const failures = failingLines(file);
    if (failures.size === 0) return !statementFailed;
    // only the first failing record moves per round, as later failures may
    // follow from it
    const moved = new Set();
    let first = true;
    for (const [rec, at] of headLines(recs)) {
      const f = failures.get(at);
      if (f === undefined || !first) continue;
      first = false;
      console.log(`REELDB DIFFERS ${file}:${at}: ${f}`);
      // Queries and statements that fail on MariaDB change nothing there:
      // they can leave the file without changing what follows.
      if ((rec.kind === "query" || rec.head.startsWith("statement error")) && mismatchFile) {
        appendFileSync(mismatchFile, `# ${basename(file)}: ${f.split("\n").join("\n# ")}\n${renderSlt([rec])}\n`);
        moved.add(rec);
      } else statementFailed = true;
    }
    if (moved.size === 0) return false;
    const keep = recs.filter((x) => !moved.has(x));
    recs.splice(0, recs.length, ...keep);
    writeFileSync(file, renderSlt(recs));
  }
}

// ------------------------------------------------------------ promote ---

/** A record that checks something: a query, or a statement that must fail. */
const isCheck = (/** @type {Rec} */ r) => r.kind === "query" || (r.kind === "statement" && r.head.startsWith("statement error"));
/** @param {Rec[]} recs */
const countChecks = (recs) => recs.filter(isCheck).length;

/**
 * Moves the records of `pending/<topic>.test` that ReelDB now passes into
 * `<topic>.test` (appended, with the `statement ok` records before them
 * that they need, in a database of their own so that their tables cannot
 * collide with the file's); the others stay, and a pending file left with
 * no check goes. A record moves only if it passes where it lands, so a
 * record that passed in pending/ only after a statement that does not move
 * stays; a statement moves (it is copied: pending/ keeps it) only if a
 * moved record fails without it.
 * @param {string} pendingFile
 * @returns {{moved: number, left: number}}
 */
function promoteFile(pendingFile) {
  const topic = basename(pendingFile, ".test");
  const topicFile = join(dirname(dirname(pendingFile)), basename(pendingFile));
  const recs = parseSlt(readFileSync(pendingFile, "utf8"));
  const failing = failingLines(pendingFile);
  const conditional = (/** @type {Rec} */ r) => r.kind !== "other" && r.pre.some((l) => /^(skipif|onlyif)\b/.test(l));
  const passing = new Set(headLines(recs).filter(([r, at]) => !failing.has(at) && !conditional(r)).map(([r]) => r));
  const moving = new Set(recs.filter((r) => isCheck(r) && passing.has(r)));
  const setup = new Set(recs.filter((r) => r.kind === "statement" && !isCheck(r) && passing.has(r)));
  const db = `promoted_${topic.replace(/\W/g, "_")}`;
  const before = existsSync(topicFile)
    ? readFileSync(topicFile, "utf8")
    : `# Records of pending/${topic}.test that ReelDB passes (answers recorded from MariaDB).\n`;
  const preamble = [
    `# Moved from pending/${topic}.test once ReelDB agreed with MariaDB (answers`,
    `# recorded from MariaDB), with the statements they need, in a database of`,
    `# their own.`,
    ``,
    ...[`DROP DATABASE IF EXISTS ${db}`, `CREATE DATABASE ${db}`, `USE ${db}`].flatMap((q) => [`statement ok`, q, ``]),
  ].join("\n");
  // the topic file with the moving records and the setup before them
  const attempt = () => {
    const last = recs.findLastIndex((r) => moving.has(r));
    const block = recs.slice(0, last + 1).filter((r) => moving.has(r) || setup.has(r));
    const text = `${before.replace(/\n*$/, "\n")}\n${preamble}\n${block.map((r) => renderSlt([r])).join("\n")}`;
    const tmp = join(mkdtempSync(join(tmpdir(), "reeldb-promote-")), basename(topicFile));
    writeFileSync(tmp, text);
    const failures = failingLines(tmp);
    rmSync(dirname(tmp), { recursive: true });
    return { block, text, failures };
  };
  for (;;) {
    if (moving.size === 0) return { moved: 0, left: countChecks(recs) };
    const { block, text, failures } = attempt();
    if (failures.size === 0) break;
    const heads = headLines(parseSlt(text));
    const firstOfBlock = heads.length - block.length;
    for (const [k, [, at]] of heads.entries()) {
      if (!failures.has(at)) continue;
      if (k < firstOfBlock) throw new Error(`${topicFile}:${at} fails before the moved records: ${failures.get(at)}`);
      const r = block[k - firstOfBlock];
      moving.delete(r);
      setup.delete(r);
    }
  }
  // only the statements the moved records need: one they pass without goes
  for (const r of [...setup].reverse()) {
    setup.delete(r);
    if (attempt().failures.size > 0) setup.add(r);
  }
  const { text } = attempt();
  writeFileSync(topicFile, text);
  const left = recs.filter((r) => !moving.has(r));
  if (countChecks(left) === 0) unlinkSync(pendingFile);
  else writeFileSync(pendingFile, renderSlt(left));
  return { moved: moving.size, left: countChecks(left) };
}

/**
 * `promote`: every file of tests/mysql/pending/ through promoteFile.
 * @param {string} dir
 */
function promote(dir) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".test"))
    .sort();
  let moved = 0;
  let left = 0;
  for (const f of files) {
    const res = promoteFile(join(dir, f));
    console.log(`${join(dir, f)}: ${res.moved} moved, ${res.left} left`);
    moved += res.moved;
    left += res.left;
  }
  console.log(`${moved} records moved, ${left} left in ${dir}`);
  return true;
}

// --------------------------------------------------------------- diff ---

/**
 * A string folded as the default collation compares it (case and accents
 * ignored): where the engines may show any spelling of equal strings
 * (GROUP BY, DISTINCT, set operations), values compare folded.
 * @param {string} s
 */
function fold(s) {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/**
 * The class of an error code: both engines must fail for the same reason,
 * not necessarily with the same code.
 * @param {string} code
 */
function errorClass(code) {
  if (/PARSE|SYNTAX/.test(code)) return "syntax";
  if (/BAD_FIELD|NO_SUCH_TABLE|NON_UNIQ|BAD_TABLE|UNKNOWN_TABLE/.test(code)) return "name";
  if (/OUT_OF_RANGE|TRUNCATED|TOO_LONG|BAD_NULL|DIVISION_BY_ZERO|NO_DEFAULT|WRONG_VALUE/.test(code)) return "data";
  if (/DUP_ENTRY|DUP_KEY/.test(code)) return "duplicate";
  return code;
}

/**
 * Whether two values agree: equal text, or numerically equal doubles
 * (within 1e-9 relative: the two engines may print or sum doubles
 * differently); decimals must agree in their scale.
 * @param {string | null} a MariaDB
 * @param {string | null} b ReelDB
 * @param {string} ty "R" for a double column
 */
function sameValue(a, b, ty) {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (ty === "R" || /e/i.test(a) || /e/i.test(b)) {
    const x = Number(a);
    const y = Number(b);
    if (Number.isFinite(x) && Number.isFinite(y)) return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  }
  return false;
}

/**
 * Compares one statement's outcomes; returns a description of the
 * difference or null.
 * @param {Outcome} m
 * @param {any} r
 * @param {{ordered?: boolean, fold?: boolean}} how
 */
function compareOutcome(m, r, how) {
  if (r.crash) return `ReelDB crashed: ${r.crash}`;
  if (!m.ok) {
    if (!r.error) return `MariaDB fails with ${m.code} (${m.message}), ReelDB succeeds`;
    if (errorClass(m.code) !== errorClass(r.error.code)) return `error class: ReelDB ${r.error.code} (${r.error.message}), MariaDB ${m.code} (${m.message})`;
    return null;
  }
  if (r.error) return `ReelDB fails with ${r.error.code} (${r.error.message}), MariaDB succeeds`;
  if ("rows" in m) {
    if (!r.rows) return "ReelDB returns no rows";
    if (r.columns.length !== m.columns.length) return `column count ${r.columns.length} vs ${m.columns.length}`;
    const canon = (/** @type {any} */ v) => (v === null ? null : typeof v === "number" ? String(v) : how.fold ? fold(v) : v);
    const mr = m.rows.map((row) => row.map(canon));
    const rr = r.rows.map((/** @type {any[]} */ row) => row.map(canon));
    if (mr.length !== rr.length) return `${rr.length} rows on ReelDB, ${mr.length} on MariaDB`;
    const key = (/** @type {(string|null)[]} */ row) => JSON.stringify(row.map((v, c) => (m.types[c] === "R" && v !== null ? Number(v).toPrecision(9) : v)));
    if (!how.ordered) {
      mr.sort((a, b) => cmpStr(key(a), key(b)));
      rr.sort((/** @type {any} */ a, /** @type {any} */ b) => cmpStr(key(a), key(b)));
    }
    for (let i = 0; i < mr.length; i++) {
      for (let c = 0; c < mr[i].length; c++) {
        if (!sameValue(mr[i][c], rr[i][c], m.types[c])) {
          return `row ${i + 1} column ${c + 1} (${m.columns[c]}): ReelDB ${JSON.stringify(rr[i][c])}, MariaDB ${JSON.stringify(mr[i][c])}`;
        }
      }
    }
    return null;
  }
  if (r.rows) return "ReelDB returns rows, MariaDB none";
  if (r.affected !== m.affected) return `affected rows: ReelDB ${r.affected}, MariaDB ${m.affected}`;
  return null;
}

/** The database of a differential run: one per process, so runs can overlap. */
const DIFF_DB = `oracle_diff_${process.pid}`;

/**
 * Runs statements on a fresh database of each engine and returns the first
 * mismatch ({at, what}) or null. A setup statement (CREATE TABLE, the
 * first INSERTs) that fails on both is not a mismatch.
 * @param {import("mysql2/promise").Connection} conn
 * @param {import("./mysql-oracle/gen.mjs").Step[]} steps
 * @param {boolean} verbose
 */
async function runSteps(conn, steps, verbose) {
  await conn.query(`DROP DATABASE IF EXISTS ${DIFF_DB}`);
  await conn.query(`CREATE DATABASE ${DIFF_DB}`);
  await conn.query(`USE ${DIFF_DB}`);
  const reel = new Reeldb();
  try {
    for (const [at, step] of steps.entries()) {
      const m = await runMariadb(conn, step.sql);
      const r = await reel.run(step.sql);
      const what = compareOutcome(m, r, step);
      if (verbose) console.log(`${what ? "DIFF" : "ok"} ${step.sql}`);
      if (what) return { at, what };
    }
    return null;
  } finally {
    reel.close();
  }
}

/**
 * Shrinks a failing case: drops earlier statements and rows of INSERTs as
 * long as the last statement still mismatches.
 * @param {import("mysql2/promise").Connection} conn
 * @param {import("./mysql-oracle/gen.mjs").Step[]} steps ending with the failing one
 */
async function reduce(conn, steps) {
  let cur = steps.slice();
  const fails = async (/** @type {typeof steps} */ s) => {
    const res = await runSteps(conn, s, false);
    return res !== null && res.at === s.length - 1;
  };
  let budget = 80;
  for (let i = cur.length - 2; i >= 0 && budget > 0; i--) {
    if (/^CREATE/.test(cur[i].sql)) continue;
    const without = cur.slice(0, i).concat(cur.slice(i + 1));
    budget--;
    if (await fails(without)) {
      cur = without;
      continue;
    }
    const m = /^(INSERT INTO \w+ VALUES )(.*)$/.exec(cur[i].sql);
    if (!m) continue;
    let rows = m[2].split(/(?<=\)), (?=\()/);
    for (let k = rows.length - 1; k >= 0 && rows.length > 1 && budget > 0; k--) {
      const fewer = rows.slice(0, k).concat(rows.slice(k + 1));
      const tryS = cur.slice();
      tryS[i] = { ...cur[i], sql: m[1] + fewer.join(", ") };
      budget--;
      if (await fails(tryS)) {
        rows = fewer;
        cur = tryS;
      }
    }
  }
  // CREATE TABLEs no statement uses any more
  for (let i = cur.length - 2; i >= 0; i--) {
    const t = /^CREATE TABLE (\w+)/.exec(cur[i].sql)?.[1];
    if (t && !cur.slice(i + 1).some((s) => new RegExp(`\\b${t}\\b`).test(s.sql))) cur = cur.slice(0, i).concat(cur.slice(i + 1));
  }
  return cur;
}

/**
 * @param {number} cases
 * @param {number} seed
 * @param {boolean} verbose
 */
async function diff(cases, seed, verbose) {
  const conn = await mariadb(DIFF_DB);
  let mismatches = 0;
  let statements = 0;
  const classes = new Map();
  for (let k = 0; k < cases; k++) {
    const caseSeed = (seed + k) >>> 0;
    const { steps } = generateCase(caseSeed);
    if (k > 0 && k % 1000 === 0) console.log(`... ${k} cases, ${mismatches} mismatches`);
    const res = await runSteps(conn, steps, verbose);
    statements += res ? res.at + 1 : steps.length;
    if (!res) continue;
    mismatches++;
    const step = steps[res.at];
    const cls = `${step.area}: ${res.what.replace(/\(.*\)/g, "(...)").replace(/"[^"]*"|\d+/g, "#").slice(0, 70)}`;
    classes.set(cls, (classes.get(cls) ?? 0) + 1);
    const small = await reduce(conn, steps.slice(0, res.at + 1));
    const last = await runSteps(conn, small, false);
    console.log(`MISMATCH case seed ${caseSeed} (${step.area}): ${last?.what ?? res.what}`);
    console.log(small.map((s) => `  ${s.sql};`).join("\n"));
  }
  await conn.query(`DROP DATABASE IF EXISTS ${DIFF_DB}`);
  await conn.end();
  console.log(`${cases} cases (seeds ${seed}..${(seed + cases - 1) >>> 0}), ${statements} statements, ${mismatches} mismatches`);
  for (const [cls, n] of [...classes].sort((a, b) => b[1] - a[1])) console.log(`  ${n} x ${cls}`);
  return mismatches === 0;
}

// --------------------------------------------------------------- main ---

async function main() {
  const args = process.argv.slice(2);
  const cmd = args.shift();
  /** @param {string} name */
  const opt = (name) => {
    // the last one counts (scripts/mysql-diff.sh puts its defaults first)
    let v;
    for (let i = args.indexOf(name); i >= 0; i = args.indexOf(name)) v = args.splice(i, 2)[1];
    return v;
  };
  if (cmd === "record") {
    const mis = opt("--mismatches");
    let ok = true;
    for (const f of args) ok = (await recordFile(f, mis)) && ok;
    return ok;
  }
  if (cmd === "promote") return promote(args[0] ?? join(ROOT, "tests/mysql/pending"));
  if (cmd === "diff") {
    const cases = Number(opt("--cases") ?? 200);
    const seed = Number(opt("--seed") ?? 1);
    const verbose = args.includes("--verbose");
    return diff(cases, seed, verbose);
  }
  console.error("usage: mysql-oracle.mjs record FILE... [--mismatches OUT] | promote [DIR] | diff [--cases N] [--seed S] [--verbose]");
  return false;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
