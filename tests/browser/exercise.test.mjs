// <reel-exercise> on the tutorial page (www/time-travel.html): grading
// against the hidden solution (each feedback kind), hidden variants that
// catch a hard-coded answer, a change exercise graded by its diff, Reset
// (a backtrack to the setup's restore point), progress kept over a reload,
// runaway and oversized SQL stopped with a message; share links to a moment
// (round trip from <reel-playground> and a malformed link that leaves the
// database alone); axe on the tutorial page.
//
// Screenshots of each feedback kind: target/screenshots/exercise-*.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ROOT, SCENARIO, runSql, siteAndBrowser } from "./helpers.mjs";

const SHOTS = new URL("target/screenshots/", ROOT);
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const env = siteAndBrowser(() => mkdirSync(SHOTS, { recursive: true }));

async function openTutorial(context) {
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
  await page.goto(new URL("time-travel.html", env.server.url).href);
  await page.waitForFunction(() => [...document.querySelectorAll("reel-exercise")].every((e) => e.dataset.state === "ready"), null, { timeout: 30_000 });
  return page;
}

async function typeSql(page, id, sql) {
  const editor = page.locator(`#${id}`).getByRole("textbox", { name: "SQL" });
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(sql);
}

/** Clicks a button of exercise `id` and resolves once the action is over, with the feedback. */
async function press(page, id, name) {
  const done = page.evaluate((id) => new Promise((ok) => document.getElementById(id).addEventListener("reel-done", () => ok(), { once: true })), id);
  await page.locator(`#${id}`).getByRole("button", { name, exact: true }).click();
  await done;
  return page.evaluate((id) => {
    const fb = document.querySelector(`#${id} .rx-feedback`);
    return { kind: fb.dataset.kind, text: fb.textContent };
  }, id);
}

async function check(page, id, sql) {
  await typeSql(page, id, sql);
  return press(page, id, "Check");
}

async function shot(page, id, name) {
  await page.locator(`#${id}`).screenshot({ path: new URL(`exercise-${name}.png`, SHOTS).pathname });
}

test("a right answer passes, with aliases and numbers written differently", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await openTutorial(context);
  let fb = await check(page, "accident", "SELECT DISTINCT name AS product_name, id + 0.0 AS n FROM products FOR SYSTEM_TIME ALL WHERE id NOT IN (SELECT id FROM products)");
  assert.equal(fb.kind, "wrong-row", "columns in another order are another result");
  fb = await check(page, "accident", "SELECT DISTINCT id + 0.0 AS n, name AS product_name FROM products FOR SYSTEM_TIME ALL WHERE id NOT IN (SELECT id FROM products) ORDER BY name DESC");
  assert.equal(fb.kind, "pass", fb.text);
  assert.match(fb.text, /Correct \(and on 1 other data set\)/);
  assert.equal(await page.locator("#accident .rx-badge").textContent(), "✓ Solved");
  await shot(page, "accident", "pass");
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("each wrong answer gets its own feedback, without the answer", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await openTutorial(context);
  const cases = [
    ["columns", "SELECT DISTINCT id FROM products FOR SYSTEM_TIME ALL WHERE id NOT IN (SELECT id FROM products)", /your result has 1 column, the answer has 2/],
    ["missing-row", "SELECT DISTINCT id, name FROM products FOR SYSTEM_TIME ALL WHERE id NOT IN (SELECT id FROM products) AND id > 1", /A row is missing \(your result has 2 rows, the answer has 3\)/],
    ["extra-row", "SELECT DISTINCT id, name FROM products FOR SYSTEM_TIME ALL", /a row too many .*: \(4, Mouse\)/],
    ["rows", "SELECT id, name FROM products FOR SYSTEM_TIME ALL WHERE id > 1", /Wrong number of rows: your result has 3 rows, the answer has 3|Wrong number of rows/],
    ["wrong-row", "SELECT DISTINCT id, name FROM products FOR SYSTEM_TIME ALL WHERE id > 1", /Right number of rows, but this one is not in the answer: \(4, Mouse\)/],
    ["error", "SELECT nope FROM products", /Your SQL failed: ER_BAD_FIELD_ERROR/],
    ["no-result", "SET @x = 1", /no result set/],
  ];
  for (const [kind, sql, re] of cases) {
    const fb = await check(page, "accident", sql);
    if (kind === "rows") {
      // Neither a subset nor a superset, with another row count.
      const fb2 = await check(page, "accident", "SELECT id, name FROM products FOR SYSTEM_TIME ALL WHERE id <> 2");
      assert.equal(fb2.kind, "rows", fb2.text);
      assert.match(fb2.text, /Wrong number of rows: your result has 4 rows, the answer has 3\./);
      await shot(page, "accident", "rows");
      continue;
    }
    assert.equal(fb.kind, kind, `${sql}: ${fb.text}`);
    assert.match(fb.text, re);
    assert.doesNotMatch(fb.text, /Keyboard.*Monitor|Monitor.*Keyboard/, "the answer's rows are not all shown");
    await shot(page, "accident", kind);
  }
  // Order: an ordered exercise wants the order.
  const fb = await check(page, "history", "SELECT qty, ROW_START, ROW_END FROM products FOR SYSTEM_TIME ALL WHERE id = 1 ORDER BY ROW_START DESC");
  assert.equal(fb.kind, "order", fb.text);
  await shot(page, "history", "order");
  assert.equal(await page.locator("#accident .rx-badge").textContent(), "Not solved yet");
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("a hard-coded answer passes on the visible data and is caught by a variant", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await openTutorial(context);
  const hard =
    "SELECT 5 AS qty, '2020-12-24 14:55:00' AS s, '2020-12-24 14:58:00' AS e UNION ALL SELECT 7, '2020-12-24 14:58:00', '2020-12-24 15:01:00'";
  const fb = await check(page, "history", hard);
  assert.equal(fb.kind, "variant", fb.text);
  assert.match(fb.text, /Passes here but not on other data/);
  await shot(page, "history", "variant");
  const ok = await check(page, "history", "SELECT qty, ROW_START, ROW_END FROM products FOR SYSTEM_TIME ALL WHERE id = 1 ORDER BY ROW_START");
  assert.equal(ok.kind, "pass", ok.text);
  await context.close();
});

test("a change exercise is graded by its diff; Reset backtracks to the setup and keeps the history", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await openTutorial(context);
  // Hard-coded rows: right here, wrong once the variant put a Monitor back.
  let fb = await check(page, "undo", "INSERT INTO products VALUES (1, 'Laptop', 7), (2, 'Monitor', 12), (3, 'Keyboard', 40)");
  assert.equal(fb.kind, "error", fb.text);
  assert.match(fb.text, /^On other data, your SQL failed: ER_DUP_ENTRY/);
  fb = await check(page, "undo", "INSERT INTO products SELECT * FROM products FOR SYSTEM_TIME AS OF TIMESTAMP '2020-12-24 15:00:00' WHERE id = 3");
  assert.equal(fb.kind, "change", fb.text);
  assert.match(fb.text, /Your change to shop\.products: 1 row added, 0 removed, 0 changed; the expected change: 3 rows added, 0 removed, 0 changed\./);
  await shot(page, "undo", "change");
  fb = await check(page, "undo", "INSERT INTO products SELECT * FROM products FOR SYSTEM_TIME AS OF TIMESTAMP '2020-12-24 15:00:00' WHERE id NOT IN (SELECT id FROM products)");
  assert.equal(fb.kind, "pass", fb.text);

  // The check left the database as the learner had it: run something, reset, and look.
  await typeSql(page, "undo", "DELETE FROM products");
  fb = await press(page, "undo", "Run");
  assert.match(fb.text, /1 row affected/);
  await press(page, "undo", "Reset");
  await typeSql(page, "undo", "SELECT id, name FROM products");
  await press(page, "undo", "Run");
  assert.deepEqual(await page.locator("#undo .rx-result tbody tr").allTextContents(), ["4Mouse"]);
  // The DELETE is still on the timeline: the rows it removed can be read as of then.
  await typeSql(page, "undo", "SELECT COUNT(*) FROM information_schema.timeline WHERE statement = 'DELETE FROM products'");
  await press(page, "undo", "Run");
  assert.deepEqual(await page.locator("#undo .rx-result tbody tr").allTextContents(), ["2"]);

  // The backtrack exercise: a change too.
  fb = await check(page, "backtrack", "BACKTRACK TO TIMESTAMP '2020-12-24 14:56:00'");
  assert.equal(fb.kind, "change", fb.text);
  fb = await check(page, "backtrack", "BACKTRACK TO TIMESTAMP '2020-12-24 15:00:00'");
  assert.equal(fb.kind, "pass", fb.text);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("progress survives a reload; runaway and oversized SQL are stopped with a message", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  let page = await openTutorial(context);
  const answer = "SELECT * FROM products FOR SYSTEM_TIME AS OF TIMESTAMP '2020-12-24 15:00:00'";
  const fb = await check(page, "preview", answer);
  assert.equal(fb.kind, "pass", fb.text);
  await page.reload();
  await page.waitForFunction(() => [...document.querySelectorAll("reel-exercise")].every((e) => e.dataset.state === "ready"));
  assert.equal(await page.locator("#preview .rx-badge").textContent(), "✓ Solved");
  assert.equal(await page.locator("#accident .rx-badge").textContent(), "Not solved yet");
  assert.equal(await page.locator("#preview").getByRole("textbox", { name: "SQL" }).textContent(), answer);

  await typeSql(page, "accident", "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT COUNT(*) FROM c");
  let r = await press(page, "accident", "Run");
  assert.equal(r.kind, "error");
  assert.match(r.text, /Stopped: your recursive query ran more than @@cte_max_recursion_depth iterations/);
  await shot(page, "accident", "loop");
  r = await check(page, "accident", `SELECT 1 ${"+ 1 ".repeat(6000)}`);
  assert.equal(r.kind, "error");
  assert.match(r.text, /Your SQL is 24 KB: an exercise runs at most 20 KB\. Nothing was run\./);
  // Still responsive: a right answer goes through.
  const ok = await check(page, "accident", "SELECT DISTINCT id, name FROM products FOR SYSTEM_TIME ALL WHERE id NOT IN (SELECT id FROM products)");
  assert.equal(ok.kind, "pass", ok.text);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("axe: 0 critical or serious violations on the tutorial and documentation pages, light, dark and narrow; no sideways scroll", async () => {
  const states = [
    ["time-travel.html", "light", 1100],
    ["time-travel.html", "dark", 1100],
    ["time-travel.html", "light", 375],
    ["exercises.html", "light", 1100],
    ["exercises.html", "dark", 375],
  ];
  for (const [path, colorScheme, width] of states) {
    const context = await env.browser.newContext({ viewport: { width, height: 900 }, colorScheme });
    const page = await context.newPage();
    await page.goto(new URL(path, env.server.url).href);
    await page.waitForFunction(() => [...document.querySelectorAll("reel-exercise")].every((e) => e.dataset.state === "ready"), null, { timeout: 30_000 });
    const first = await page.locator("reel-exercise").first().getAttribute("id");
    await check(page, first, "SELECT 1");
    if (path === "time-travel.html") {
      await check(page, "preview", "SELECT * FROM products FOR SYSTEM_TIME AS OF TIMESTAMP '2020-12-24 15:00:00'");
      await typeSql(page, "history", "SELECT qty FROM products FOR SYSTEM_TIME ALL");
      await press(page, "history", "Run");
    }
    await page.waitForTimeout(300);
    const bad = await page.evaluate(async (source) => {
      (0, eval)(source);
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return r.violations
        .filter((v) => v.impact === "critical" || v.impact === "serious")
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    }, AXE);
    const name = `${path.replace(".html", "")}-${colorScheme}-${width}`;
    await page.screenshot({ path: new URL(`exercise-page-${name}.png`, SHOTS).pathname, fullPage: true });
    assert.deepEqual(bad, [], `${name}:\n${bad.join("\n")}`);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(over, 0, `${name}: the page scrolls sideways by ${over}px`);
    await context.close();
  }
});

test("a share link from <reel-playground> rebuilds the database and previews the same moment", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1300, height: 950 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(new URL("embed.html", env.server.url).href);
  const el = page.locator("reel-playground#accident");
  await el.locator(".rp[data-state=ready], [data-state=ready]").first().waitFor({ timeout: 20_000 });
  await runSql(page, "SET TIMESTAMP = 1608822300;\nINSERT INTO ProductsData VALUES (7, 'Webcam', 3);\nSET TIMESTAMP = 1608822360;\nUPDATE ProductsData SET Quantity = 4 WHERE ID = 7;");
  // Preview the commit before the last: the Webcam with 3.
  await el.getByRole("button", { name: "Step back one commit" }).click();
  const label = el.locator(".rp-preview-label");
  await page.waitForFunction(() => /Preview as of/.test(document.querySelector("#accident .rp-preview-label").textContent));
  const moment = await label.textContent();
  assert.equal(moment, "Preview as of 2020-12-24 15:05:00 (read-only)");
  await el.getByRole("button", { name: "Share", exact: true }).click();
  const url = await el.getByRole("textbox", { name: "Link to this moment" }).inputValue();
  assert.match(url, /embed\.html#reel=[A-Za-z0-9_-]+$/);
  assert.match(await el.locator("dialog[open] .rp-muted").textContent(), /opens the timeline at 2020-12-24 15:05:00, in preview/);

  const other = await context.newPage();
  other.on("pageerror", (e) => problems.push(e.message));
  await other.goto(url);
  await other.locator("reel-playground#accident [data-state=ready]").waitFor({ timeout: 20_000 });
  const el2 = other.locator("reel-playground#accident");
  assert.match(await el2.locator(".rp-status-text").textContent(), /Opened a shared moment \(its setup and 4 scripts run after it\)/);
  assert.equal(await el2.locator(".rp-preview-label").textContent(), moment);
  await other.waitForFunction(() => /Webcam/.test(document.querySelector("#accident .rp-table-panel, #accident").textContent));
  // The same timeline: the commits at the same times.
  const times = (p) => p.evaluate(() => document.getElementById("accident").playground.entries.map((e) => `${e.time} ${e.summary}`));
  const before = await times(page);
  assert.equal(before.length, 6);
  assert.deepEqual(await times(other), before);
  // The other playground on the page is not the link's target.
  assert.doesNotMatch(await other.locator("reel-playground#prices .rp-status-text").textContent(), /shared/);
  await el2.screenshot({ path: new URL("exercise-share-opened.png", SHOTS).pathname });
  assert.deepEqual(problems, []);
  await context.close();
});

test("a malformed or oversized share link is refused with a message and the database is untouched", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1300, height: 950 } });
  const page = await context.newPage();
  await page.goto(new URL("./", env.server.url).href);
  await page.locator("#app[data-state=ready]").waitFor({ timeout: 20_000 });
  await runSql(page, "CREATE TABLE keep (id INT PRIMARY KEY);\nINSERT INTO keep VALUES (1), (2);");
  for (const [hash, re] of [
    ["#reel=%%%not-base64", /characters that base64url does not use/],
    ["#reel=AAAA", /does not decompress|is not JSON|not a ReelDB moment/],
    [`#reel=${"A".repeat(33 * 1024)}`, /too long \(33 KB; the limit is 32 KB\)/],
  ]) {
    await page.goto(new URL(`./${hash}`, env.server.url).href);
    await page.reload();
    await page.locator("#app[data-state=ready]").waitFor({ timeout: 20_000 });
    const status = await page.locator("#app .rp-status-text").textContent();
    assert.match(status, /^The share link was not opened: /);
    assert.match(status, re);
    assert.match(status, /Your database is untouched\.$/);
    await runSql(page, "SELECT id FROM keep;");
    assert.match(await page.locator("#app .rp-result-meta").last().textContent(), /^2 rows · /);
  }
  await page.screenshot({ path: new URL("exercise-share-malformed.png", SHOTS).pathname });
  // The codec's own errors, for links that are well formed base64url.
  const errors = await page.evaluate(async () => {
    const s = await import("/js/share.js");
    const out = {};
    const fail = async (name, fn) => {
      try {
        await fn();
        out[name] = "no error";
      } catch (e) {
        out[name] = `${e.code}: ${e.message}`;
      }
    };
    const deflate = async (text) => {
      const b = new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"))).arrayBuffer());
      return "#reel=" + btoa(String.fromCharCode(...b)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    };
    await fail("notJson", async () => s.decodeShare(await deflate("hello")));
    await fail("version", async () => s.decodeShare(await deflate('{"v":9,"statements":[]}')));
    await fail("badTime", async () => s.decodeShare(await deflate('{"v":1,"statements":[],"time":"yesterday"}')));
    await fail("truncated", async () => s.decodeShare((await s.encodeShare({ statements: ["SELECT 1"] })).slice(0, -4)));
    const noise = Array.from({ length: 40000 }, () => String.fromCharCode(33 + Math.floor(Math.random() * 90))).join("");
    await fail("tooLong", () => s.encodeShare({ setup: noise, statements: [] }));
    const back = await s.decodeShare(await s.encodeShare({ setup: "SELECT 1;", statements: ["SELECT 2"], time: "2020-12-24 15:00:00" }));
    out.roundTrip = JSON.stringify(back);
    return out;
  });
  assert.match(errors.notJson, /^BAD_SHARE_LINK: .*not JSON/);
  assert.match(errors.version, /^BAD_SHARE_LINK: .*unknown version 9/);
  assert.match(errors.badTime, /^BAD_SHARE_LINK: .*time "yesterday" is not a time/);
  assert.match(errors.truncated, /^BAD_SHARE_LINK: /);
  assert.match(errors.tooLong, /^SHARE_LINK_TOO_LONG: This moment is too large for a link \(\d+ KB compressed, the limit is 32 KB\)/);
  assert.equal(errors.roundTrip, JSON.stringify({ setup: "SELECT 1;", statements: ["SELECT 2"], clocks: { from: 0, times: [] }, time: "2020-12-24 15:00:00" }));
  await context.close();
});

test("the documentation's live examples: a dataset from a URL, and a change exercise that depends on it", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(new URL("exercises.html", env.server.url).href);
  await page.waitForFunction(() => [...document.querySelectorAll("reel-exercise")].every((e) => e.dataset.state === "ready"), null, { timeout: 30_000 });
  let fb = await check(page, "low-stock", "SELECT name, qty FROM products WHERE name IN ('Laptop', 'Dock')");
  assert.equal(fb.kind, "variant", fb.text);
  fb = await check(page, "low-stock", "SELECT name AS product, qty * 1.0 FROM products WHERE qty <= 9");
  assert.equal(fb.kind, "pass", fb.text);
  fb = await check(page, "restock", "UPDATE products SET qty = qty + 20 WHERE id IN (1, 5)");
  assert.equal(fb.kind, "variant", fb.text);
  fb = await check(page, "restock", "UPDATE products SET qty = qty + 20 WHERE qty < 5");
  assert.equal(fb.kind, "change", fb.text);
  assert.match(fb.text, /Your change to shop\.products: 1 row added, 0 removed, 1 changed|0 rows added, 0 removed, 1 changed; the expected change: 0 rows added, 0 removed, 2 changed/);
  fb = await check(page, "restock", "UPDATE products SET qty = 20 + qty WHERE qty BETWEEN 0 AND 9");
  assert.equal(fb.kind, "pass", fb.text);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the full playground's Share link round trip", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1300, height: 950 } });
  const page = await context.newPage();
  await page.goto(new URL("./", env.server.url).href);
  await page.locator("#app[data-state=ready]").waitFor({ timeout: 20_000 });
  await runSql(page, SCENARIO);
  await page.getByRole("button", { name: "Share link", exact: true }).click();
  const url = await page.getByRole("textbox", { name: "Link to this moment" }).inputValue();
  assert.match(url, /\/#reel=[A-Za-z0-9_-]+$/);
  const other = await context.newPage();
  await other.goto(url);
  await other.locator("#app[data-state=ready]").waitFor({ timeout: 20_000 });
  assert.match(await other.locator("#app .rp-status-text").textContent(), /Opened a shared moment/);
  const entries = (p) => p.evaluate(() => window.reeldbPlayground.entries.map((e) => `${e.time} ${e.summary}`));
  const want = await entries(page);
  assert.equal(want.length, 5);
  assert.deepEqual(await entries(other), want);
  assert.equal(await other.locator("#app .rp-preview-label").textContent(), "Preview as of 2020-12-24 15:01:00 (read-only)");
  await context.close();
});

test("SQL that runs past the time limit is stopped, the page stays responsive, and the exercise starts again", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await openTutorial(context);
  await page.evaluate(() => document.getElementById("accident").setAttribute("time-limit", "1"));
  // A billion rows of work in little memory (a join's output is bounded by
  // query_memory_limit, the work per row is not): a correlated subquery
  // over 999 rows for each of the million rows of a join.
  await typeSql(
    page,
    "accident",
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 999) " +
      "SELECT COUNT(*) FROM c a, c b WHERE (SELECT COUNT(*) FROM c d WHERE d.n < a.n + b.n) > 0",
  );
  const done = page.evaluate(() => new Promise((ok) => document.getElementById("accident").addEventListener("reel-done", () => ok(), { once: true })));
  const t0 = Date.now();
  await page.locator("#accident").getByRole("button", { name: "Run", exact: true }).click();
  // While it runs, the page answers and animates.
  await page.waitForTimeout(300);
  const frames = await page.evaluate(
    () => new Promise((ok) => {
      let n = 0;
      const start = performance.now();
      const tick = () => (performance.now() - start < 400 ? (n++, requestAnimationFrame(tick)) : ok(n));
      requestAnimationFrame(tick);
    }),
  );
  assert.ok(frames >= 10, `only ${frames} frames in 400 ms while the query ran`);
  assert.equal(await page.locator("#accident").getByRole("button", { name: "Check", exact: true }).isDisabled(), true);
  await done;
  assert.ok(Date.now() - t0 < 15_000);
  const fb = page.locator("#accident .rx-feedback");
  assert.equal(await fb.getAttribute("data-kind"), "error");
  assert.match(await fb.textContent(), /^Stopped after 1 s: your SQL ran too long .* The exercise's database was set up again\.$/);
  await shot(page, "accident", "time-limit");
  const ok = await check(page, "accident", "SELECT DISTINCT id, name FROM products FOR SYSTEM_TIME ALL WHERE id NOT IN (SELECT id FROM products)");
  assert.equal(ok.kind, "pass", ok.text);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("a share link may name its setup by URL: replayed from the dataset; a missing dataset is a clear error", async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(new URL("exercises.html", env.server.url).href);
  const out = await page.evaluate(async () => {
    const { PlaygroundDb } = await import("/js/db.js");
    const s = await import("/js/share.js");
    const payload = await s.decodeShare(
      await s.encodeShare({ setupUrl: "/data/shop.sql", statements: ["UPDATE products SET qty = 1 WHERE id = 1"], clocks: { from: 0, times: [] }, time: null }),
    );
    const db = await PlaygroundDb.open({ pkgUrl: "/pkg/reeldb.js" });
    await s.replayShare(db, payload);
    const rows = (await db.query("SELECT id, qty FROM shop.products ORDER BY id")).rows;
    let missing;
    try {
      await s.replayShare(await PlaygroundDb.open({ pkgUrl: "/pkg/reeldb.js" }), { ...payload, setupUrl: "/data/nope.sql" });
      missing = "no error";
    } catch (e) {
      missing = `${e.code}: ${e.message}`;
    }
    return { rows, missing };
  });
  assert.deepEqual(out.rows, [[1, 1], [2, 12], [3, 40], [4, 25], [5, 0]]);
  assert.match(out.missing, /^BAD_SETUP_URL: Could not load the dataset \/data\/nope\.sql: HTTP 404$/);
  await context.close();
});
