// Browser benchmark of ReelDB: one headless Chromium run (Debian's
// /usr/bin/chromium through playwright-core), against a raw IndexedDB loop
// and sql.js (npm, from node_modules) on the same page. Prints a markdown
// table. Needs pkg/ (scripts/build.sh) and `npm ci`. Then the peer tables
// (bench/browser/peers.mjs): ReelDB beside sql.js, wa-sqlite and PGlite.
//
//   node bench/browser/run.mjs            (QUICK=1 for a short run)
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { serve } from "../../scripts/static-server.mjs";
import { peerTables } from "./peers.mjs";

const ROOT = new URL("../../", import.meta.url);
const QUICK = process.env.QUICK === "1";
const MS = QUICK ? 1000 : 3000;
const ROWS = QUICK ? 20_000 : 100_000;
const COMMITS = QUICK ? 1_000 : 10_000;

const server = await serve(new URL(".", ROOT).pathname, 0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const fmt = (x, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(new URL("bench/browser/index.html", server.url).href);
  await page.waitForFunction(() => window.benchReady, null, { timeout: 60_000 });
  page.setDefaultTimeout(0);
  const run = (fn, ...args) => page.evaluate(([fn, args]) => window.bench[fn](...args), [fn, args]);

  const rawStrict = await run("rawIdbCommits", MS, "strict");
  const reelStrict = await run("reeldbCommits", MS, "strict");
  const groupStrict = await run("reeldbGroupCommits", MS, "strict");
  const rawRelaxed = await run("rawIdbCommits", MS, "relaxed");
  const reelRelaxed = await run("reeldbCommits", MS, "relaxed");
  const vs = await run("versusSqlJs", ROWS, 10_000);
  const hist = await run("history", ROWS, COMMITS);

  const wasm = readFileSync(new URL("pkg/reeldb_bg.wasm", ROOT));
  const sqljs = readFileSync(new URL("node_modules/sql.js/dist/sql-wasm.wasm", ROOT));
  const kb = (b) => `${fmt(b.length / 1024)} KiB raw / ${fmt(gzipSync(b, { level: 9 }).length / 1024)} KiB gzip`;

  const rows = [
    ["Durable 1-row commits/s, awaited one by one (strict)", `${fmt(reelStrict)}/s`, `raw IDB put-tx loop: ${fmt(rawStrict)}/s`, `${fmt((reelStrict / rawStrict) * 100)}% of raw`],
    ["Durable 1-row commits/s, 64 in flight (group commit, strict)", `${fmt(groupStrict.perSec)}/s (${fmt(groupStrict.commitsPerTx, 1)} commits per IDB tx)`, `raw IDB put-tx loop: ${fmt(rawStrict)}/s`, `${fmt(groupStrict.perSec / rawStrict, 1)}x raw`],
    ["Durable 1-row commits/s, awaited (relaxed)", `${fmt(reelRelaxed)}/s`, `raw IDB put-tx loop: ${fmt(rawRelaxed)}/s`, `${fmt((reelRelaxed / rawRelaxed) * 100)}% of raw`],
    [`Bulk insert ${fmt(ROWS)} rows (one transaction, 1000-row INSERTs, in memory)`, `${fmt(vs.reeldbBulk)} ms`, `sql.js: ${fmt(vs.sqljsBulk)} ms`, `${fmt(vs.reeldbBulk / vs.sqljsBulk, 1)}x sql.js time`],
    ["Point lookup by primary key (10,000, `query` with a parameter)", `${fmt(vs.reeldbLookup, 1)} µs`, `sql.js (prepared): ${fmt(vs.sqljsLookup, 1)} µs`, `${fmt(vs.reeldbLookup / vs.sqljsLookup, 1)}x sql.js time`],
    [`Scan-aggregate (GROUP BY over ${fmt(ROWS)} rows)`, `${fmt(vs.reeldbScan, 1)} ms`, `sql.js: ${fmt(vs.sqljsScan, 1)} ms`, `${fmt(vs.reeldbScan / vs.sqljsScan, 1)}x sql.js time`],
    [`Cold open, ${fmt(ROWS)} rows + ${fmt(COMMITS)} commits of history (${fmt(hist.pages)} pages, open + first query)`, `${fmt(hist.coldOpenMs)} ms`, "", ""],
    ["As-of point read (asOf(t).query, t spread over the history)", `${fmt(hist.asOfLookupUs)} µs`, "", ""],
    [`As-of scan-aggregate over ${fmt(ROWS)} rows`, `${fmt(hist.asOfScanMs, 1)} ms`, "", ""],
    ["Backtrack (durable, median of 10)", `${fmt(hist.backtrackMs, 1)} ms`, "", ""],
    ["Wasm size", kb(wasm), `sql.js: ${kb(sqljs)}`, `${fmt(wasm.length / sqljs.length, 1)}x raw`],
  ];
  console.log(`\nReelDB in headless Chromium (${(await browser.version())}), ${new Date().toISOString().slice(0, 10)}${QUICK ? " (QUICK)" : ""}\n`);
  console.log("| Measure | ReelDB | Baseline | Ratio |");
  console.log("|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  console.log(`\n(history build: ${fmt(COMMITS)} commits in ${fmt(hist.buildMs)} ms, relaxed durability, 100 in flight; timeline ${fmt(hist.timeline)} entries)`);
  console.log(await peerTables(page, { quick: QUICK, root: ROOT, version: await browser.version() }));
} finally {
  await browser.close();
  await server.close();
}
