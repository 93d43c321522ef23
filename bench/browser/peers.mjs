// The peer tables of the browser benchmark: ReelDB beside sql.js, wa-sqlite
// and PGlite in one headless Chromium page, each engine in turn, three runs,
// medians; every answer compared across engines (a mismatch throws). The page
// side is bench/browser/peers.js. Called by run.mjs after its own table; also
// runs alone:
//
//   node bench/browser/peers.mjs          (QUICK=1 for a short run)
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const ENGINES = ["reeldb", "sqljs", "wasqlite", "pglite"];
const STORAGE = ["reeldb", "wasqlite", "pglite"];

const fmt = (x, d = 0) => (x == null ? "–" : x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const version = (root, pkg) => JSON.parse(readFileSync(new URL(`node_modules/${pkg}/package.json`, root))).version;

/** Compares one answer of `engine` with ReelDB's; throws on a mismatch. */
function same(what, engine, got, want) {
  if (got !== want) throw new Error(`${what}: ${engine} answered ${got.slice(0, 200)}, ReelDB ${want.slice(0, 200)}`);
}

/** ReelDB ÷ the best peer: times (lower is better) or rates (higher is better). */
function ratio(reel, peers, higherIsBetter = false) {
  const xs = peers.filter((x) => x != null);
  if (!xs.length || reel == null) return "";
  const best = higherIsBetter ? Math.max(...xs) : Math.min(...xs);
  return `${fmt(reel / best, 2)}×`;
}

async function waitReady(page) {
  await page.waitForFunction(() => window.peersReady, null, { timeout: 120_000 });
}

/** Measures everything and returns the tables as markdown. */
export async function peerTables(page, { quick, root, version: chromium }) {
  const RUNS = quick ? 1 : 3; // QUICK is a smoke run: PGlite's persisted build alone takes ~10 s
  const ROWS = quick ? 20_000 : 100_000;
  const LOOKUPS = quick ? 2_000 : 10_000;
  const SCANS = quick ? 2 : 5;
  const MS = quick ? 500 : 2000;
  const run = (fn, ...args) => page.evaluate(([fn, args]) => window.peers[fn](...args), [fn, args]);
  await waitReady(page);

  // 1. In memory.
  const mem = Object.fromEntries(ENGINES.map((e) => [e, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const e of ENGINES) {
      const got = await run("peerMemory", e, ROWS, LOOKUPS, SCANS);
      mem[e].push(got);
      const want = mem.reeldb[0];
      same("count and sum after the bulk insert", e, got.check, want.check);
      same("point lookups", e, got.lookups, want.lookups);
      same("scan-aggregate", e, got.scan, want.scan);
    }
  }
  const m = (e, k) => median(mem[e].map((x) => x[k]));

  // 2. Storage: durable commits, build, then open after a reload.
  const commits = { raw: {}, reeldb: {}, wasqlite: {}, pglite: {} };
  for (const d of ["strict", "relaxed"]) for (const e of Object.keys(commits)) commits[e][d] = [];
  for (let r = 0; r < RUNS; r++) {
    for (const d of ["strict", "relaxed"]) {
      commits.raw[d].push(await page.evaluate(([ms, d]) => window.bench.rawIdbCommits(ms, d), [MS, d]));
      commits.reeldb[d].push(await page.evaluate(([ms, d]) => window.bench.reeldbCommits(ms, d), [MS, d]));
      commits.wasqlite[d].push(await run("peerCommits", "wasqlite", MS, d, r));
      commits.pglite[d].push(await run("peerCommits", "pglite", MS, d, r));
    }
  }
  await run("peerDrop", "wasqlite-commits");
  const builds = Object.fromEntries(STORAGE.map((e) => [e, []]));
  const opens = Object.fromEntries(STORAGE.map((e) => [e, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const e of STORAGE) {
      await run("peerDrop", e);
      builds[e].push(await run("peerBuild", e, ROWS));
    }
    await page.reload();
    await waitReady(page);
    const names = {};
    for (const e of STORAGE) {
      const got = await run("peerOpen", e, ROWS);
      opens[e].push(got.ms);
      names[e] = got.name;
    }
    for (const e of STORAGE) same("first query after a reload", e, String(names[e]), String(names.reeldb));
  }

  // 3. Payload: every file of an engine's directory the page fetched (wasm, data, JS glue).
  const fetched = await page.evaluate(() => performance.getEntriesByType("resource").map((r) => new URL(r.name).pathname));
  const files = (pred) => [...new Set(fetched.filter(pred))];
  const waCommon = (p) => /\/wa-sqlite\/src\/sqlite-(api|constants)\.js$/.test(p);
  const groups = {
    reeldb: files((p) => p.startsWith("/pkg/")),
    sqljs: files((p) => p.startsWith("/node_modules/sql.js/")),
    wasqlite: files((p) => /\/wa-sqlite\/dist\/wa-sqlite\.(mjs|wasm)$/.test(p) || waCommon(p)),
    wasqliteIdb: files((p) => /\/wa-sqlite\/dist\/wa-sqlite-async\.(mjs|wasm)$/.test(p) || waCommon(p) || /\/wa-sqlite\/src\/(FacadeVFS|VFS|WebLocksMixin|examples\/IDBBatchAtomicVFS)\.js$/.test(p)),
    pglite: files((p) => p.startsWith("/node_modules/@electric-sql/pglite/")),
  };
  const gz = (list) => list.reduce((n, p) => n + gzipSync(readFileSync(new URL(`.${p}`, root)), { level: 9 }).length, 0) / 1024;
  const size = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, gz(v)]));
  for (const [k, v] of Object.entries(groups)) if (!v.length) throw new Error(`payload: the page fetched no file of ${k}`);

  const v = { sqljs: version(root, "sql.js"), wa: version(root, "@journeyapps/wa-sqlite"), pg: version(root, "@electric-sql/pglite") };
  const lookupHow = mem.reeldb[0].lookupHow;
  const out = [];
  out.push(`\nPeers in headless Chromium (${chromium}), ${new Date().toISOString().slice(0, 10)}${quick ? " (QUICK)" : ""}: one page, each engine in turn, ${RUNS} runs, medians; ${fmt(ROWS)}-row table \`t (k INT PRIMARY KEY, v INT, name VARCHAR(40))\`; every answer checked equal across engines.\n`);
  out.push(`| In memory | ReelDB | sql.js ${v.sqljs} | wa-sqlite ${v.wa} (\`:memory:\`, sync build) | PGlite ${v.pg} (\`memory://\`) | ReelDB ÷ best peer |`);
  out.push("|---|---:|---:|---:|---:|---:|");
  const memRow = (label, k, unit, d, hows) => {
    const xs = ENGINES.map((e) => m(e, k));
    const cells = xs.map((x, i) => `${fmt(x, d)} ${unit}${hows ? ` (${hows[i]})` : ""}`);
    out.push(`| ${label} | ${cells.join(" | ")} | ${ratio(xs[0], xs.slice(1))} |`);
  };
  memRow(`bulk insert ${fmt(ROWS)} rows (1,000-row INSERTs, one transaction)`, "bulkMs", "ms", 0);
  memRow(`point lookup by primary key, bound parameter (${fmt(LOOKUPS)} lookups)`, "lookupUs", "µs", 1, ENGINES.map((e) => mem[e][0].lookupHow));
  memRow(`point lookup by primary key, the key a literal in the text (${fmt(LOOKUPS)} lookups; ReelDB \`query(sql)\`, sql.js \`exec\`, wa-sqlite \`exec\`, PGlite \`query\`)`, "literalUs", "µs", 1);
  memRow("scan-aggregate `SELECT k % 100, COUNT(*), SUM(v) FROM t GROUP BY k % 100`", "scanMs", "ms", 1);
  const pay = [size.reeldb, size.sqljs, size.wasqlite, size.pglite];
  out.push(`| payload, gzip -9 (wasm + data + JS glue the page fetched) | ${pay.map((x) => `${fmt(x)} KiB`).join(" | ")} | ${ratio(pay[0], pay.slice(1))} |`);

  out.push("");
  out.push(`| In IndexedDB | ReelDB | wa-sqlite ${v.wa} \`IDBBatchAtomicVFS\` (async build) | PGlite ${v.pg} \`idb://\` | raw IndexedDB (one 4 KiB put per readwrite transaction, awaited) | ReelDB ÷ best peer |`);
  out.push("|---|---:|---:|---:|---:|---:|");
  for (const [d, wa, pg] of [["strict", "`synchronous=full`", "default"], ["relaxed", "`synchronous=normal`", "`relaxedDurability`"]]) {
    const xs = ["reeldb", "wasqlite", "pglite", "raw"].map((e) => median(commits[e][d]));
    out.push(`| durable single-row commits/s, awaited one by one (${d}) | ${fmt(xs[0])}/s | ${fmt(xs[1])}/s (${wa}) | ${fmt(xs[2])}/s (${pg}) | ${fmt(xs[3])}/s | ${ratio(xs[0], xs.slice(1, 3), true)} (rate) |`);
  }
  const o = STORAGE.map((e) => median(opens[e]));
  out.push(`| open the persisted ${fmt(ROWS)}-row database + first point query, after a reload | ${o.map((x) => `${fmt(x)} ms`).join(" | ")} | | ${ratio(o[0], o.slice(1))} |`);
  const b = STORAGE.map((e) => median(builds[e].map((x) => x.ms)));
  const bp = STORAGE.map((e) => builds[e][0]);
  const sizeCell = (e, x) => (e === "pglite" ? `${fmt(x.bytes / 1024)} KiB (\`pg_database_size\`)` : e === "reeldb" ? `${fmt(x.pages)} pages of 4 KiB` : `${fmt(x.pages)} pages, ${fmt(x.bytes / 1024)} KiB`);
  out.push(`| build that database, persisted (time; size) | ${STORAGE.map((e, i) => `${fmt(b[i])} ms; ${sizeCell(e, bp[i])}`).join(" | ")} | | ${ratio(b[0], b.slice(1))} (time) |`);
  out.push("");
  out.push(`ReelDB's point lookup: ${lookupHow === "prepare" ? "`db.prepare` then `get(params)`" : "`query(sql, params)` (pkg/ has no `db.prepare`)"}. The commit rows' ratio is ReelDB's rate ÷ the best peer's rate (higher is better; raw IndexedDB is the ceiling, not a peer); the others are times (lower is better). ${MS / 1000} s per commit measure. Open after a reload: \`page.reload()\`, then each engine's open and one point query only (wasm instantiation at page load is outside it for ReelDB and wa-sqlite; PGlite starts its wasm in \`PGlite.create\`, so inside). Payload of wa-sqlite with \`IDBBatchAtomicVFS\` (async build + VFS modules): ${fmt(size.wasqliteIdb)} KiB gzip.`);
  out.push("");
  out.push(`Payload files (fetched by the page): ${Object.entries(groups).map(([k, v]) => `${k}: ${v.map((p) => p.split("/").pop()).join(", ")}`).join("; ")}.`);
  return out.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { chromium } = await import("playwright-core");
  const { serve } = await import("../../scripts/static-server.mjs");
  const ROOT = new URL("../../", import.meta.url);
  const server = await serve(fileURLToPath(ROOT), 0);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => console.error("page error:", e.stack));
    page.on("response", (r) => r.status() >= 400 && console.error("HTTP", r.status(), r.url()));
    await page.goto(new URL("bench/browser/index.html", server.url).href);
    page.setDefaultTimeout(0);
    console.log(await peerTables(page, { quick: process.env.QUICK === "1", root: ROOT, version: await browser.version() }));
  } finally {
    await browser.close();
    await server.close();
  }
}
