// The awaited durable commit path: ReelDB builds against the raw IndexedDB
// loop (one readwrite transaction putting one 4 KiB page, awaited, same
// durability), interleaved in one headless Chromium page, medians; or a
// sampling profile of ReelDB's loop.
//
//   node bench/browser/commit.mjs                      pkg/ against raw IndexedDB
//   PKGS=pkg,target/b-pkg node bench/browser/commit.mjs  A/B: several builds, interleaved
//   PROFILE=1 PKGS=target/prof-pkg node bench/browser/commit.mjs  (PROFILE=raw: the raw loop)
//       CDP Profiler at a 50 µs interval over the loop of the first build (for
//       names: wasm-bindgen --target web --out-dir target/prof-pkg
//       target/wasm32-unknown-unknown/wasm-release/reeldb.wasm): self and
//       inclusive time by function
//
//   SPLIT=500 PKGS=pkg node bench/browser/commit.mjs
//       each commit timed in three parts: before its IndexedDB transaction
//       starts, inside it, from its `complete` to the resolved Promise
//
// ROUNDS (default 7), MS per run (default 2000), DURABILITY (strict).
import { chromium } from "playwright-core";
import { serve } from "../../scripts/static-server.mjs";

const ROOT = new URL("../../", import.meta.url);
const PKGS = (process.env.PKGS ?? "pkg").split(",").map((p) => `/${p.replace(/^\/|\/$/g, "")}/reeldb.js`);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const MS = Number(process.env.MS ?? 2000);
const DURABILITY = process.env.DURABILITY ?? "strict";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

const server = await serve(new URL(".", ROOT).pathname, 0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  page.setDefaultTimeout(0);
  await page.goto(`${new URL("bench/browser/commit.html", server.url).href}?pkg=${PKGS.join(",")}`);
  await page.waitForFunction(() => window.commitReady, null, { timeout: 60_000 });
  const raw = () => page.evaluate(([ms, d]) => window.commit.raw(ms, d), [MS, DURABILITY]);
  const reel = (i) => page.evaluate(([i, ms, d]) => window.commit.reeldb(i, ms, d), [i, MS, DURABILITY]);

  if (process.env.SPLIT) {
    // SPLIT=N: N awaited commits per run, timed in three parts (commit.js `split`).
    const n = Number(process.env.SPLIT);
    const parts = ["beforeTx", "inTx", "afterTx", "total"];
    const rows = { raw: [], ...Object.fromEntries(PKGS.map((p) => [p, []])) };
    for (let r = 0; r < ROUNDS; r++) {
      rows.raw.push(await page.evaluate(([n, d]) => window.commit.split("raw", n, d), [n, DURABILITY]));
      for (const [i, p] of PKGS.entries()) rows[p].push(await page.evaluate(([i, n, d]) => window.commit.split(i, n, d), [i, n, DURABILITY]));
    }
    console.log(`${DURABILITY}, ${ROUNDS} runs of ${n} awaited commits, medians of the per-run means, ms per commit:`);
    console.log(`| | call → IndexedDB transaction start | start → complete | complete → Promise resolved | total |`);
    console.log(`|---|---:|---:|---:|---:|`);
    for (const [k, xs] of Object.entries(rows)) console.log(`| ${k} | ${parts.map((q) => fmt(median(xs.map((x) => x[q])), 3)).join(" | ")} |`);
  } else if (process.env.PROFILE) {
    // PROFILE=raw profiles the raw IndexedDB loop instead.
    const loop = process.env.PROFILE === "raw" ? async () => ({ perSec: await raw(), pagesPerCommit: 1 }) : () => reel(0);
    await loop(); // warm-up
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
    await cdp.send("Profiler.start");
    const got = await loop();
    const { profile } = await cdp.send("Profiler.stop");
    console.log(`${fmt(got.perSec)} commits/s while profiled (${fmt(got.pagesPerCommit, 2)} pages per IndexedDB transaction)`);
    report(profile);
  } else {
    const rows = { raw: [], ...Object.fromEntries(PKGS.map((p) => [p, []])) };
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order so that no build always follows the raw loop.
      const order = r % 2 ? [...PKGS.keys()].reverse() : [...PKGS.keys()];
      rows.raw.push(await raw());
      for (const i of order) rows[PKGS[i]].push((await reel(i)).perSec);
      console.log(`round ${r + 1}: raw ${fmt(rows.raw.at(-1))}/s, ${PKGS.map((p) => `${p} ${fmt(rows[p].at(-1))}/s`).join(", ")}`);
    }
    const base = median(rows.raw);
    console.log(`\n${DURABILITY}, ${ROUNDS} rounds of ${MS} ms, Chromium ${browser.version()}, medians:`);
    console.log(`raw IndexedDB loop: ${fmt(base)}/s`);
    for (const p of PKGS) {
      const ratios = rows[p].map((x, i) => x / rows.raw[i]);
      console.log(`${p}: ${fmt(median(rows[p]))}/s = ${fmt(median(rows[p]) / base * 100)} % of raw (median of per-round ratios ${fmt(median(ratios) * 100)} %)`);
    }
  }
} finally {
  await browser.close();
  server.close();
}

/** Prints self time by function and the inclusive time of the biggest frames. */
function report(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + profile.timeDeltas[i]);
  const total = [...dt.values()].reduce((a, b) => a + b, 0);
  const name = (n) => {
    const f = n.callFrame;
    const file = f.url ? f.url.split("/").pop() : "";
    return `${f.functionName || "(anonymous)"} ${file}`.trim();
  };
  const self = new Map();
  const incl = new Map();
  for (const [id, t] of dt) {
    self.set(name(byId.get(id)), (self.get(name(byId.get(id))) ?? 0) + t);
    const seen = new Set();
    for (let n = id; n != null; n = parent.get(n)) {
      const k = name(byId.get(n));
      if (!seen.has(k)) incl.set(k, (incl.get(k) ?? 0) + t);
      seen.add(k);
    }
  }
  const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  const pct = (t) => `${fmt((t / total) * 100, 1).padStart(5)} %`;
  console.log(`\n${fmt(total / 1000)} ms sampled. Self time:`);
  for (const [k, t] of top(self, Number(process.env.TOP ?? 40))) console.log(`${pct(t)}  ${k}`);
  console.log("\nInclusive:");
  for (const [k, t] of top(incl, Number(process.env.TOP ?? 60))) console.log(`${pct(t)}  ${k}`);
}
