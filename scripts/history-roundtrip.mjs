// @ts-check
// History export and import against a real MariaDB (scripts/mariadb.sh):
//
//   node scripts/history-roundtrip.mjs [--histories N] [--seed S]
//
// 1. ReelDB → MariaDB: N random histories (inserts, updates, deletes, some
//    in transactions, with SET TIMESTAMP between commits) run on ReelDB,
//    dumped with `reeldb --dump --history`, loaded into MariaDB; `SELECT …
//    FOR SYSTEM_TIME AS OF TIMESTAMP t` at every commit time, just before
//    it and at random times must answer as ReelDB's `AS OF`.
// 2. MariaDB → ReelDB: N random histories run on MariaDB's system-versioned
//    tables, dumped with `mariadb-dump --dump-history`, imported into a new
//    ReelDB database; `AS OF` compared likewise.
// 3. A plain dump (`reeldb --dump`) of a varied schema loads into MariaDB
//    with the same rows.
// Prints the mismatches and exits 1 if there is one. Databases are named
// hist_*, dropped at the end.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { rng } from "./rng.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.lastIndexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const HISTORIES = opt("--histories", 200);
const SEED = opt("--seed", 1);
const ROOT = join(import.meta.dirname, "..");
const REELDB = process.env.REELDB_BIN ?? join(ROOT, "target/debug/reeldb");
const SOCKET = process.env.MARIADB_SOCKET ?? join(ROOT, "target/mariadb/mariadb.sock");
const dir = mkdtempSync(join(tmpdir(), "hist-"));


/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) of epoch microseconds. */
function fmt(us) {
  const d = new Date(Math.floor(us / 1000));
  const micro = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, "0");
  return d.toISOString().slice(0, 19).replace("T", " ") + "." + micro;
}

/** Runs statements on a ReelDB file with --jsonl; one result per statement. */
function reeldb(file, statements) {
  const input = statements.map((s) => JSON.stringify(s)).join("\n") + "\n";
  const r = spawnSync(REELDB, ["--jsonl", file], { input, maxBuffer: 1 << 30, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`reeldb failed: ${r.stderr}`);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

const canon = (rows) => rows.map((r) => JSON.stringify(r.map((v) => (v === null ? null : String(v))))).sort();

/** A random history: statements with SET TIMESTAMP, and the commit times. */
function history(r, db, versioned) {
  const sv = versioned ? " WITH SYSTEM VERSIONING" : "";
  let now = Date.UTC(2024, 2, 1, 10) * 1000 + r.int(1e9);
  const times = [now];
  const out = [
    `SET TIMESTAMP = ${now / 1e6}`,
    `CREATE TABLE ${db}.t (id INT PRIMARY KEY, v VARCHAR(10), n DECIMAL(6,2), d DATETIME)${sv}`,
    `CREATE TABLE ${db}.k (a INT, b VARCHAR(5))${sv}`,
  ];
  const words = ["x", "X", "y", "é", "e", "it''s", "x "];
  const steps = 5 + r.int(30);
  for (let s = 0; s < steps; s++) {
    now += [0, 1 + r.int(1000), r.int(1e8), r.int(1e8)][r.int(4)];
    out.push(`SET TIMESTAMP = ${(now / 1e6).toFixed(6)}`);
    const tx = r.int(4) === 0;
    if (tx) out.push("BEGIN");
    for (let i = 0; i < (tx ? 1 + r.int(4) : 1); i++) {
      const id = r.int(8);
      const v = r.int(5) === 0 ? "NULL" : `'${words[r.int(words.length)]}'`;
      out.push(
        [
          `INSERT IGNORE INTO ${db}.t VALUES (${id}, ${v}, ${r.int(999)}.${r.int(99)}, '2020-01-0${1 + r.int(9)} 10:00:00')`,
          `UPDATE ${db}.t SET v = ${v}, n = n + 1 WHERE id = ${id}`,
          `DELETE FROM ${db}.t WHERE id = ${id}`,
          `INSERT INTO ${db}.k VALUES (${r.int(3)}, ${v}), (${id}, ${v})`,
          `UPDATE ${db}.k SET a = a + 1 WHERE b = ${v} LIMIT 1`,
          `DELETE FROM ${db}.k WHERE a = ${r.int(3)} LIMIT 1`,
          `DELETE FROM ${db}.t WHERE id > ${id}`,
        ][r.int(7)],
      );
    }
    if (tx) out.push("COMMIT");
    times.push(now);
  }
  return { statements: out, times };
}

/** Probe times: each commit time, 1 µs before it, and random times in between. */
function probes(r, times) {
  const out = [];
  for (const t of times) out.push(t, t - 1, t + 1 + r.int(1e6));
  return [...new Set(out)].filter((t) => t >= times[0]);
}

const asOf = (db, table, t) => `SELECT * FROM ${db}.${table} FOR SYSTEM_TIME AS OF TIMESTAMP '${fmt(t)}'`;

let mismatches = 0;
const report = (what, detail) => {
  mismatches++;
  if (mismatches <= 20) console.log(`MISMATCH ${what}\n${detail}`);
};

// Connected as scripts/mysql-oracle.mjs connects: every value as text.
const conn = await mysql.createConnection({
  socketPath: SOCKET,
  user: "root",
  rowsAsArray: true,
  dateStrings: true,
  typeCast: (field, next) => {
    if (field.type === "BLOB" || field.type === "VAR_STRING" || field.type === "STRING") {
      const b = field.buffer();
      return b === null ? null : b.toString("utf8");
    }
    return field.string();
  },
});
await conn.query("SET NAMES utf8mb4 COLLATE utf8mb4_uca1400_nopad_ai_ci");
await conn.query("SET time_zone = '+00:00'");
let compared = 0;

// 1. ReelDB → MariaDB.
for (let h = 0; h < HISTORIES; h++) {
  const r = rng(SEED * 100003 + h);
  const db = `hist_r${h}`;
  const file = join(dir, `r${h}.reel`);
  const { statements, times } = history(r, db, false);
  // The database is created at the history's first time, not the clock's.
  const setup = [statements[0], `CREATE DATABASE ${db}`, ...statements.slice(1)];
  reeldb(file, setup);
  const dump = spawnSync(REELDB, ["--dump", "--history", file], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (dump.status !== 0) throw new Error(`dump failed: ${dump.stderr}`);
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  const loader = spawnSync("mariadb", ["--no-defaults", `--socket=${SOCKET}`, "-uroot"], { input: dump.stdout, encoding: "utf8" });
  if (loader.status !== 0) {
    report(`history ${h}: MariaDB rejected the dump`, loader.stderr);
    continue;
  }
  const ps = probes(r, times);
  const end = times[times.length - 1] + 1_000_000;
  const queries = ps.flatMap((t) => ["t", "k"].map((tb) => asOf(db, tb, t)));
  const ours = reeldb(file, [`SET TIMESTAMP = ${end / 1e6}`, ...queries]).slice(1);
  for (let i = 0; i < queries.length; i++) {
    const [theirs] = await conn.query(queries[i]);
    const a = canon(ours[i].rows ?? []), b = canon(/** @type {any[]} */ (theirs));
    compared++;
    if (ours[i].error || JSON.stringify(a) !== JSON.stringify(b)) {
      report(`ReelDB→MariaDB history ${h} (seed ${SEED}): ${queries[i]}`, `ReelDB ${JSON.stringify(ours[i].error ?? a)}\nMariaDB ${JSON.stringify(b)}`);
    }
  }
  await conn.query(`DROP DATABASE ${db}`);
}
console.log(`ReelDB → MariaDB: ${HISTORIES} histories, ${compared} AS OF queries compared`);

// 2. MariaDB → ReelDB.
let compared2 = 0;
let emptyDumps = 0;
for (let h = 0; h < HISTORIES; h++) {
  const r = rng(SEED * 200003 + h);
  const db = `hist_m${h}`;
  const { statements, times } = history(r, db, true);
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.query(`CREATE DATABASE ${db}`);
  for (const s of statements) {
    try {
      await conn.query(s);
    } catch {
      // duplicate keys and the like are part of a random history
    }
  }
  await conn.query("SET TIMESTAMP = DEFAULT");
  const dump = spawnSync("mariadb-dump", ["--no-defaults", `--socket=${SOCKET}`, "-uroot", "--dump-history", "--databases", db], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (dump.status !== 0) throw new Error(`mariadb-dump failed: ${dump.stderr}`);
  // A history whose tables never held a row (every insert failed) dumps no
  // version: the import creates the tables now, and AS OF its past times
  // is outside the window where MariaDB answers an empty set. Counted, not
  // compared (see docs/sql.md: a dump without any row version).
  if (!dump.stdout.includes("INSERT INTO")) {
    emptyDumps++;
    await conn.query(`DROP DATABASE ${db}`);
    continue;
  }
  const file = join(dir, `m${h}.reel`);
  const ps = probes(r, times);
  const end = times[times.length - 1] + 1_000_000;
  const queries = ps.flatMap((t) => ["t", "k"].map((tb) => asOf(db, tb, t)));
  // The import creates the tables at the dump's first version, counting the
  // empty versions (row_start = row_end) MariaDB keeps for a row inserted
  // and deleted in one transaction: probe from there.
  const [[[first]]] = /** @type {any} */ (await conn.query(
    `SELECT MIN(x) FROM (SELECT MIN(row_start) x FROM ${db}.t FOR SYSTEM_TIME ALL ` +
      `UNION ALL SELECT MIN(row_start) FROM ${db}.k FOR SYSTEM_TIME ALL) m`,
  ));
  const results = reeldb(file, [dump.stdout, `SET TIMESTAMP = ${end / 1e6}`, ...queries]);
  if (results[0].error) {
    report(`MariaDB→ReelDB history ${h}: import failed`, JSON.stringify(results[0].error));
    continue;
  }
  const ours = results.slice(2);
  for (let i = 0; i < queries.length; i++) {
    // (A history with no row version at all has no time to create them at:
    // the import creates them now.)
    if (first === null || fmt(ps[Math.floor(i / 2)]) < first) continue;
    const [theirs] = await conn.query(queries[i]);
    const a = canon(ours[i].rows ?? []), b = canon(/** @type {any[]} */ (theirs));
    compared2++;
    if (ours[i].error || JSON.stringify(a) !== JSON.stringify(b)) {
      report(`MariaDB→ReelDB history ${h} (seed ${SEED}): ${queries[i]}`, `ReelDB ${JSON.stringify(ours[i].error ?? a)}\nMariaDB ${JSON.stringify(b)}`);
    }
  }
  await conn.query(`DROP DATABASE ${db}`);
}
console.log(`MariaDB → ReelDB: ${HISTORIES} histories (${emptyDumps} without any row version), ${compared2} AS OF queries compared`);

// 3. A plain dump of a varied schema loads into MariaDB unchanged.
{
  const file = join(dir, "plain.reel");
  const tables = {
    p: "CREATE TABLE hist_plain.p (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(20) NOT NULL DEFAULT 'x', price DECIMAL(8,2), born DATE, seen DATETIME, ok BOOLEAN, body TEXT, score DOUBLE, big BIGINT, UNIQUE KEY u (name), KEY k (born))",
    q: "CREATE TABLE hist_plain.q (a INT, b VARCHAR(5))",
  };
  reeldb(file, [
    "CREATE DATABASE hist_plain",
    ...Object.values(tables),
    "INSERT INTO hist_plain.p (name, price, born, seen, ok, body, score, big) VALUES ('it''s', 1.5, '2020-02-29', '2021-01-01 10:00:00', TRUE, 'a\\\\b', 0.25, 2147483647), ('é', NULL, NULL, NULL, FALSE, NULL, -1e10, -5)",
    "INSERT INTO hist_plain.q VALUES (1, 'x'), (1, 'x'), (NULL, NULL)",
    "CREATE VIEW hist_plain.v AS SELECT name, price FROM hist_plain.p WHERE id > 0",
  ]);
  const dump = spawnSync(REELDB, ["--dump", file], { encoding: "utf8" });
  await conn.query("DROP DATABASE IF EXISTS hist_plain");
  const loader = spawnSync("mariadb", ["--no-defaults", `--socket=${SOCKET}`, "-uroot"], { input: dump.stdout, encoding: "utf8" });
  if (loader.status !== 0) report("plain dump: MariaDB rejected it", loader.stderr + dump.stdout);
  else {
    for (const t of ["p", "q", "v"]) {
      const q = `SELECT * FROM hist_plain.${t}`;
      const [ours] = reeldb(file, [q]);
      const [theirs] = await conn.query(q);
      const a = canon(ours.rows ?? []), b = canon(/** @type {any[]} */ (theirs));
      if (JSON.stringify(a) !== JSON.stringify(b)) report(`plain dump: ${q}`, `ReelDB ${JSON.stringify(a)}\nMariaDB ${JSON.stringify(b)}`);
    }
    console.log("plain dump: loaded into MariaDB with the same rows");
  }
  await conn.query("DROP DATABASE IF EXISTS hist_plain");
}

await conn.end();
rmSync(dir, { recursive: true, force: true });
console.log(mismatches === 0 ? "0 mismatches" : `${mismatches} mismatches`);
process.exit(mismatches === 0 ? 0 : 1);
