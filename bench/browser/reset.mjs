// The reset benchmark (bench/browser/reset.js) in one headless Chromium
// page; prints a markdown table. Needs pkg/ (scripts/build.sh) and `npm ci`.
//
//   node bench/browser/reset.mjs            (ROUNDS=n, default 10; PGlite 5)
import { chromium } from "playwright-core";
import { serve } from "../../scripts/static-server.mjs";

const ROOT = new URL("../../", import.meta.url);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const server = await serve(new URL(".", ROOT).pathname, 0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const fmt = (x, d = 1) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(new URL("bench/browser/reset.html", server.url).href);
  await page.waitForFunction(() => window.resetBenchReady, null, { timeout: 60_000 });
  page.setDefaultTimeout(0);
  const run = (fn, rounds) => page.evaluate(([fn, rounds]) => window.resetBench[fn](rounds), [fn, rounds]);
  const rows = [
    ["ReelDB", "restore point + backtrack", await run("reeldb", ROUNDS), "durable (IndexedDB, strict)"],
    ["sql.js", "new Database(seeded bytes)", await run("sqljs", ROUNDS), "memory only"],
    ["wa-sqlite", "copy back from a seed table, one transaction", await run("waSqlite", ROUNDS), "durable (IndexedDB, IDBBatchAtomicVFS)"],
    ["PGlite", "clone() of the seeded database", await run("pglite", Math.min(ROUNDS, 5)), "memory only"],
  ];
  console.log(`\nPer-test reset of a 10,000-row table after 100 deletes + 100 updates, headless Chromium ${await browser.version()}, ${new Date().toISOString().slice(0, 10)}; answers checked after every reset\n`);
  console.log("| Engine | Reset | Median reset | Rounds | Durability |");
  console.log("|---|---|---|---|---|");
  for (const [name, how, r, durable] of rows) console.log(`| ${name} | ${how} | ${fmt(r.ms)} ms | ${r.rounds} | ${durable} |`);
} finally {
  await browser.close();
  await server.close();
}
