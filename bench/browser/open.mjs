// Open + first point query after a reload: every page read at open
// (`{ lazy: false }`), the default (`ReelDB.open(name)`: a store of more
// than 256 pages lazily, the rest read in the background) and pages read on
// demand only (`{ lazy: true }`), on
// persisted databases of different sizes and histories. One headless
// Chromium page (Debian's /usr/bin/chromium through playwright-core);
// three reloads per cell, medians. Needs pkg/ (scripts/build.sh).
//
//   node bench/browser/open.mjs            (QUICK=1: smaller databases, one run; ONLY=name,...: some databases; RUNS=n)
import { chromium } from "playwright-core";
import { serve } from "../../scripts/static-server.mjs";

const ROOT = new URL("../../", import.meta.url);
const QUICK = process.env.QUICK === "1";
const RUNS = Number(process.env.RUNS ?? (QUICK ? 1 : 3));
const ALL_DBS = QUICK
  ? [["open-20k", 20_000, 0], ["open-20k-1k", 20_000, 1_000]]
  : [["open-10k", 10_000, 0], ["open-100k", 100_000, 0], ["open-100k-10k", 100_000, 10_000], ["open-1m", 1_000_000, 0]];
// ONLY=open-100k-10k,open-1m: some of the databases
const DBS = process.env.ONLY ? ALL_DBS.filter(([name]) => process.env.ONLY?.split(",").includes(name)) : ALL_DBS;

const server = await serve(new URL(".", ROOT).pathname, 0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const fmt = (x, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  const load = async () => {
    await page.goto(new URL("bench/browser/index.html", server.url).href);
    await page.waitForFunction(() => window.benchReady, null, { timeout: 60_000 });
  };
  await load();
  page.setDefaultTimeout(0);
  const run = (fn, ...args) => page.evaluate(([fn, args]) => window.bench[fn](...args), [fn, args]);
  const built = {};
  for (const [name, rows, commits] of DBS) built[name] = await run("buildForOpen", name, rows, commits);
  const cells = {};
  for (let r = 0; r < RUNS; r++) {
    for (const lazy of [false, null, true]) {
      for (const [name, rows] of DBS) {
        await page.reload();
        await page.waitForFunction(() => window.benchReady, null, { timeout: 60_000 });
        const id = 12345 % rows;
        const got = await run("timeOpen", name, lazy, id);
        if (got.name !== `name ${id}`) throw new Error(`${name} lazy=${lazy}: got ${got.name} for id ${id}`);
        (cells[`${name}/${lazy}`] ??= []).push(got);
        if (process.env.VERBOSE) console.log(name, lazy, JSON.stringify(got));
      }
    }
  }
  console.log(`\nOpen + first point query after a reload, headless Chromium ${await browser.version()}, ${new Date().toISOString().slice(0, 10)}${QUICK ? " (QUICK)" : ""}, median of ${RUNS}\n`);
  console.log("Pages read: in how many readonly IndexedDB transactions (`storageInfo().idbReads`).\n");
  console.log("| Database | pages | every page at open (`{ lazy: false }`) | pages read | default | pages read | on demand only (`{ lazy: true }`) | pages read |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const [name, rows, commits] of DBS) {
    const cols = [false, null, true].map((lazy) => {
      const c = cells[`${name}/${lazy}`];
      return `${fmt(median(c.map((x) => x.ms)))} ms | ${fmt(median(c.map((x) => x.pagesRead)))} in ${fmt(median(c.map((x) => x.reads)))}`;
    });
    console.log(`| ${fmt(rows)} rows${commits ? ` + ${fmt(commits)} commits of history` : ""} | ${fmt(built[name].pages)} | ${cols.join(" | ")} |`);
  }
  await page.evaluate(async (names) => {
    const { ReelDB } = await import("/pkg/reeldb.js");
    for (const n of names) await ReelDB.deleteDatabase(n);
  }, DBS.map((d) => d[0]));
} finally {
  await browser.close();
  server.close();
}
