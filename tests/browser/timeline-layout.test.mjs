// The timeline's labels at 320, 768 and 1400 px: a history with 30
// backtracks and restore points, on the wall-clock axis and on the
// "changes only" axis. The test measures every visible label box (arc
// labels, flags, axis times and edges): no two overlap, none leaves the
// timeline card, and the page never scrolls sideways. The keyboard steps
// change by change (arrows), ten changes at a time (PageUp/PageDown), and
// Home/End go to the earliest time and now.
//
// Screenshots: target/screenshots/timeline-{320,768,1400}[-changes].png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { ROOT, runSql, siteAndBrowser } from "./helpers.mjs";

const SHOTS = new URL("target/screenshots/", ROOT);
const env = siteAndBrowser(async () => mkdirSync(SHOTS, { recursive: true }));

const T0 = 1608821100; // 2020-12-24 14:45:00
const pad = (n) => String(n).padStart(2, "0");
const text = (secs) => {
  const d = new Date(secs * 1000);
  return `2020-12-24 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

/** 30 backtracks among 60 inserts, bursts of changes and long idle stretches, and 6 restore points. */
function history() {
  const lines = [`SET TIMESTAMP = ${T0};`, "CREATE DATABASE lay;", "USE lay;", "CREATE TABLE t (id INT PRIMARY KEY, v INT);"];
  let now = T0;
  let id = 0;
  for (let i = 0; i < 30; i++) {
    // Idle for a while every fifth round, then a burst.
    now += i % 5 === 0 ? 900 : 7;
    lines.push(`SET TIMESTAMP = ${now};`, `INSERT INTO t VALUES (${++id}, ${i});`);
    now += 5;
    lines.push(`SET TIMESTAMP = ${now};`, `INSERT INTO t VALUES (${++id}, ${i});`);
    if (i % 5 === 2) lines.push(`CREATE RESTORE POINT rp${i};`);
    now += 4;
    // Back a little (most) or far (some): arcs of every length, close together.
    const back = i % 4 === 0 ? now - T0 - 30 : 8 + (i % 3);
    lines.push(`SET TIMESTAMP = ${now};`, `BACKTRACK TO TIMESTAMP '${text(now - back)}';`);
  }
  lines.push(`SET TIMESTAMP = ${now + 60};`);
  return lines.join("\n");
}

/** Every visible label box of the timeline, the card's box, and whether the page scrolls sideways. */
function measure(page) {
  return page.evaluate(() => {
    const card = document.querySelector(".rp-timeline").getBoundingClientRect();
    const labels = [...document.querySelectorAll(".rp-timeline .scrub-jump-label, .rp-timeline .scrub-flag, .rp-timeline .scrub-axis-left, .rp-timeline .scrub-axis-right, .rp-timeline .scrub-axis-time")]
      .filter((e) => !e.hidden && e.getClientRects().length)
      .map((e) => {
        const r = e.getBoundingClientRect();
        return { text: e.textContent, cls: e.className, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      });
    const doc = document.scrollingElement;
    return { card: { left: card.left, right: card.right, top: card.top, bottom: card.bottom }, labels, sideways: doc.scrollWidth > doc.clientWidth };
  });
}

function checkLayout(m, where) {
  const { labels, card } = m;
  const eps = 0.5;
  for (const a of labels) {
    assert.ok(a.left >= card.left - eps && a.right <= card.right + eps && a.top >= card.top - eps && a.bottom <= card.bottom + eps, `${where}: "${a.text}" is outside the card`);
  }
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i];
      const b = labels[j];
      const overlap = a.left < b.right - eps && b.left < a.right - eps && a.top < b.bottom - eps && b.top < a.bottom - eps;
      assert.ok(!overlap, `${where}: "${a.text}" overlaps "${b.text}" ${JSON.stringify([a, b])}`);
    }
  }
  assert.equal(m.sideways, false, `${where}: the page scrolls sideways`);
}

for (const width of [320, 768, 1400]) {
  test(`timeline at ${width} px: 30 backtracks and restore points, no label overlaps another or leaves the card, on both axes`, async () => {
    const context = await env.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(new URL("index.html", env.server.url).href);
    await page.locator("[data-state=ready]").first().waitFor({ timeout: 20_000 });
    await page.evaluate(() => window.reeldbPlayground.openDb({ name: undefined }));
    await runSql(page, history());
    const jumps = await page.locator(".rp-timeline .scrub-jump").count();
    assert.equal(jumps, 30, "30 backtrack arcs");

    const m = await measure(page);
    checkLayout(m, `${width} px, wall-clock axis`);
    // Every backtrack is labelled: shown, or counted in a "+N" of a neighbour.
    const counted = m.labels
      .filter((l) => /scrub-jump-label/.test(l.cls))
      .reduce((n, l) => n + 1 + Number(/\+(\d+)$/.exec(l.text)?.[1] ?? 0), 0);
    assert.equal(counted, 30, "each backtrack is shown or counted");
    const flagsCounted = m.labels.filter((l) => /scrub-flag/.test(l.cls)).reduce((n, l) => n + 1 + Number(/\+(\d+)$/.exec(l.text)?.[1] ?? 0), 0);
    assert.equal(flagsCounted, 6, "each restore point is shown or counted");
    assert.ok(m.labels.some((l) => /scrub-axis-left/.test(l.cls)) && m.labels.some((l) => /scrub-axis-right/.test(l.cls)), "both axis edges are labelled");
    await page.locator(".rp-timeline").screenshot({ path: new URL(`timeline-${width}.png`, SHOTS).pathname });

    // The "changes only" axis: equal room for every change, the idle hours gone.
    await page.getByRole("button", { name: "Changes only" }).click();
    assert.equal(await page.getByRole("button", { name: "Changes only" }).getAttribute("aria-pressed"), "true");
    const xs = await page.evaluate(() =>
      [...document.querySelectorAll(".rp-timeline .scrub-tick")].map((t) => Number(t.style.getPropertyValue("--x"))).filter((x, i, a) => a.indexOf(x) === i).sort((a, b) => a - b),
    );
    const gaps = xs.slice(1).map((x, i) => x - xs[i]);
    assert.ok(gaps.length > 50, `ticks: ${gaps.length}`);
    assert.ok(Math.max(...gaps) - Math.min(...gaps) < 1e-9, "every change gets the same width");
    const mc = await measure(page);
    checkLayout(mc, `${width} px, changes-only axis`);
    if (width >= 768) assert.ok(mc.labels.filter((l) => /scrub-axis-time/.test(l.cls)).length >= 3, "the axis shows the times of changes");
    await page.locator(".rp-timeline").screenshot({ path: new URL(`timeline-${width}-changes.png`, SHOTS).pathname });
    await context.close();
    assert.deepEqual(errors, []);
  });
}

test("keyboard: arrows step change by change, PageUp/PageDown ten changes, Home the earliest time, End now", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  await page.goto(new URL("index.html", env.server.url).href);
  await page.locator("[data-state=ready]").first().waitFor({ timeout: 20_000 });
  await page.evaluate(() => window.reeldbPlayground.openDb({ name: undefined }));
  // 25 changes a minute apart after CREATE DATABASE / CREATE TABLE.
  const lines = [`SET TIMESTAMP = ${T0};`, "CREATE DATABASE k;", "USE k;", `SET TIMESTAMP = ${T0 + 60};`, "CREATE TABLE t (id INT PRIMARY KEY);"];
  for (let i = 1; i <= 25; i++) lines.push(`SET TIMESTAMP = ${T0 + 60 + i * 60};`, `INSERT INTO t VALUES (${i});`);
  lines.push(`SET TIMESTAMP = ${T0 + 60 + 25 * 60 + 30};`);
  await runSql(page, lines.join("\n"));
  const slider = page.getByRole("slider", { name: "Timeline" });
  await slider.focus();
  const at = async () => (await slider.getAttribute("aria-valuetext")).split(";")[0];
  const shown = async () => (await page.locator(".rp-table-summary").textContent()).split(":").slice(0, 3).join(":");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await at(), text(T0 + 60 + 24 * 60)); // the last change is now; one back is the one before
  await page.keyboard.press("PageDown");
  assert.equal(await at(), text(T0 + 60 + 14 * 60));
  await page.keyboard.press("PageDown");
  assert.equal(await at(), text(T0 + 60 + 4 * 60));
  await page.keyboard.press("PageDown");
  // Ten back from the 4th insert: past CREATE TABLE and CREATE DATABASE, the earliest time.
  const min = Number(await slider.getAttribute("aria-valuemin"));
  assert.equal(await slider.getAttribute("aria-valuenow"), String(min));
  await page.keyboard.press("PageUp");
  assert.equal(await at(), text(T0 + 60 + 8 * 60)); // earliest, db, table, inserts 1..8
  await page.keyboard.press("ArrowRight");
  assert.equal(await at(), text(T0 + 60 + 9 * 60));
  await page.waitForFunction((t) => document.querySelector(".rp-table-summary").textContent.startsWith(`As of ${t}: 9 rows`), text(T0 + 60 + 9 * 60));
  await page.keyboard.press("End");
  assert.match(await at(), /^now, /);
  await page.keyboard.press("Home");
  assert.equal(await slider.getAttribute("aria-valuenow"), String(min));
  await page.waitForFunction(() => /the database was empty/.test(document.querySelector(".rp-table-summary").textContent));
  assert.match(await shown(), /^As of 2020-12-24 14:4\d:\d\d$/);
  await page.keyboard.press("PageUp");
  await page.keyboard.press("PageUp");
  await page.keyboard.press("PageUp");
  assert.match(await at(), /^now, /, "past the last change is now");
  await context.close();
});
