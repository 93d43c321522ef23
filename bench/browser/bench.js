// The browser benchmark, run in one page by bench/browser/run.mjs. Every
// function returns plain numbers; run.mjs prints them.
import init, { ReelDB } from "/pkg/reeldb.js";
import { rawIdbCommits, reeldbCommits as commitLoop } from "./commits.js";

await init();
const SQL = await window.initSqlJs({ locateFile: (f) => `/node_modules/sql.js/dist/${f}` });

const now = () => performance.now();

const reeldbCommits = async (ms, durability) => (await commitLoop(ReelDB, ms, durability)).perSec;

/** Durable single-row commits issued 64 at a time (group commit). */
async function reeldbGroupCommits(ms, durability) {
  await ReelDB.deleteDatabase("bench-group");
  const db = await ReelDB.open("bench-group", { durability });
  await db.exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  let n = 0;
  const t0 = now();
  while (now() - t0 < ms) {
    const batch = [];
    for (let i = 0; i < 64; i++) batch.push(db.query("INSERT INTO t VALUES (?, ?)", [n++, "row"]));
    await Promise.all(batch);
  }
  const secs = (now() - t0) / 1000;
  const tx = db.storageInfo().idbTransactions;
  await db.delete();
  return { perSec: n / secs, commitsPerTx: n / tx };
}

function insertScript(rows, from = 0) {
  const parts = [];
  for (let i = from; i < from + rows; i += 1000) {
    const values = [];
    for (let j = i; j < Math.min(i + 1000, from + rows); j++) values.push(`(${j}, ${(j * 7919) % 1000}, 'name ${j}')`);
    parts.push(`INSERT INTO t VALUES ${values.join(",")}`);
  }
  return parts;
}

const SCHEMA = "CREATE TABLE t (id INT PRIMARY KEY, v INT, name VARCHAR(40))";

async function versusSqlJs(rows, lookups) {
  const script = insertScript(rows);
  const out = {};
  // ReelDB (in memory, like sql.js)
  const r = ReelDB.openInMemory();
  await r.exec(SCHEMA);
  let t0 = now();
  await r.exec(["BEGIN", ...script, "COMMIT"].join(";\n"));
  out.reeldbBulk = now() - t0;
  t0 = now();
  for (let i = 0; i < lookups; i++) await r.query("SELECT name FROM t WHERE id = ?", [(i * 7907) % rows]);
  out.reeldbLookup = ((now() - t0) * 1000) / lookups;
  t0 = now();
  for (let i = 0; i < 5; i++) await r.exec("SELECT v % 10 AS g, COUNT(*), SUM(v), AVG(v) FROM t GROUP BY v % 10");
  out.reeldbScan = (now() - t0) / 5;
  await r.close();

  const s = new SQL.Database();
  s.run(SCHEMA);
  t0 = now();
  s.exec(["BEGIN", ...script, "COMMIT"].join(";\n"));
  out.sqljsBulk = now() - t0;
  const stmt = s.prepare("SELECT name FROM t WHERE id = ?");
  t0 = now();
  for (let i = 0; i < lookups; i++) {
    stmt.bind([(i * 7907) % rows]);
    stmt.step();
    stmt.get();
    stmt.reset();
  }
  out.sqljsLookup = ((now() - t0) * 1000) / lookups;
  stmt.free();
  t0 = now();
  for (let i = 0; i < 5; i++) s.exec("SELECT v % 10 AS g, COUNT(*), SUM(v), AVG(v) FROM t GROUP BY v % 10");
  out.sqljsScan = (now() - t0) / 5;
  s.close();
  return out;
}

/** Builds a database of `rows` rows and `commits` single-row commits of history, then times a cold open. */
async function history(rows, commits) {
  await ReelDB.deleteDatabase("bench-cold");
  let db = await ReelDB.open("bench-cold", { durability: "relaxed" });
  await db.exec(SCHEMA);
  await db.exec(["BEGIN", ...insertScript(rows), "COMMIT"].join(";\n"));
  const times = [];
  let t0 = now();
  for (let i = 0; i < commits; i += 100) {
    const batch = [];
    for (let j = i; j < i + 100 && j < commits; j++) {
      batch.push(db.query("UPDATE t SET v = v + 1 WHERE id = ?", [(j * 7907) % rows]));
    }
    await Promise.all(batch);
    times.push(db.now());
  }
  const buildMs = now() - t0;
  await db.close();
  const out = { buildMs };
  const opens = [];
  for (let i = 0; i < 3; i++) {
    t0 = now();
    db = await ReelDB.open("bench-cold");
    await db.query("SELECT name FROM t WHERE id = ?", [12345 % rows]);
    opens.push(now() - t0);
    if (i < 2) await db.close();
  }
  out.coldOpenMs = Math.min(...opens);
  out.pages = db.storageInfo().pages;
  out.timeline = db.timeline().length;
  // As-of reads at times spread over the history.
  const k = 200;
  t0 = now();
  for (let i = 0; i < k; i++) {
    const at = times[(i * 37) % times.length];
    db.asOf(at).query("SELECT v FROM t WHERE id = ?", [(i * 7907) % rows]);
  }
  out.asOfLookupUs = ((now() - t0) * 1000) / k;
  t0 = now();
  for (let i = 0; i < 5; i++) {
    db.asOf(times[(i * 13) % times.length]).query("SELECT COUNT(*), SUM(v) FROM t");
  }
  out.asOfScanMs = (now() - t0) / 5;
  const bts = [];
  for (let i = 0; i < 10; i++) {
    t0 = now();
    await db.backtrack(times[(i * 7) % times.length]);
    bts.push(now() - t0);
  }
  bts.sort((a, b) => a - b);
  out.backtrackMs = bts[Math.floor(bts.length / 2)];
  await db.delete();
  return out;
}

/** Builds the persisted database `name`: `rows` rows, then `commits` single-row update commits. */
async function buildForOpen(name, rows, commits) {
  await ReelDB.deleteDatabase(name);
  const db = await ReelDB.open(name, { durability: "relaxed" });
  await db.exec(SCHEMA);
  await db.exec(["BEGIN", ...insertScript(rows), "COMMIT"].join(";\n"));
  for (let i = 0; i < commits; i += 100) {
    const batch = [];
    for (let j = i; j < i + 100 && j < commits; j++) {
      batch.push(db.query("UPDATE t SET v = v + 1 WHERE id = ?", [(j * 7907) % rows]));
    }
    await Promise.all(batch);
  }
  const pages = db.storageInfo().pages;
  await db.close();
  return { pages };
}

/** Times opening `name` (lazily or not) and one point query; the first thing a page does after a reload. */
async function timeOpen(name, lazy, id) {
  const t0 = now();
  // lazy null: the default (no option).
  const db = await ReelDB.open(name, lazy === null ? {} : { lazy });
  const openMs = now() - t0;
  const openPages = db.storageInfo().pagesRead;
  const row = await db.query("SELECT name FROM t WHERE id = ?", [id]);
  const ms = now() - t0;
  const info = db.storageInfo();
  await db.close();
  return { ms, openMs, openPages, name: row[0]?.name, pagesRead: info.pagesRead, reads: info.idbReads, pages: info.pages };
}

window.bench = { rawIdbCommits, reeldbCommits, reeldbGroupCommits, versusSqlJs, history, buildForOpen, timeOpen };
window.benchReady = true;
