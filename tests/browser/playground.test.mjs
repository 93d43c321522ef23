// Playwright tests of the playground (www/index.html) and of the embedding
// page (www/embed.html), served by scripts/static-server.mjs and driven in
// Debian's /usr/bin/chromium by accessible roles and names.
//
// The playground needs the package's SQL entry point (`ReelDB.exec`); with a
// pkg/ that does not have it yet, the SQL tests are skipped with that reason.
// Reload persistence needs `ReelDB.open` (IndexedDB) and is skipped without it.
//
// Screenshots: target/screenshots/playground-*.png.
// Preview frame time on a 100k-row table is printed (p50/p95).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { ROOT, siteAndBrowser } from "./helpers.mjs";

const SHOTS = new URL("target/screenshots/", ROOT);

let api = { exec: false, open: false };
const env = siteAndBrowser(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const page = await env.browser.newPage();
  await page.goto(new URL("embed.html", env.server.url).href);
  api = await page.evaluate(async () => {
    const mod = await import("./pkg/reeldb.js");
    await mod.default();
    return { exec: typeof mod.ReelDB.prototype.exec === "function", open: typeof mod.ReelDB.open === "function" };
  });
  await page.close();
});

/** Fails the running test when the package lacks the API it drives (never a skip). */
function requireApi({ open = false } = {}) {
  assert.ok(api.exec, "the reeldb package has no ReelDB.prototype.exec (SQL entry point)");
  if (open) assert.ok(api.open, "the reeldb package has no ReelDB.open (IndexedDB)");
}

/** A fresh page on the playground with problem collection (page errors, console errors, CSP violations). */
async function openPlayground(path = "", { viewport = { width: 1400, height: 950 }, colorScheme = "light" } = {}) {
  const context = await env.browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("dialog", (d) => {
    problems.push(`unexpected browser dialog: ${d.message()}`);
    d.dismiss();
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(new URL(path, env.server.url).href);
  await page.locator("[data-state=ready]").first().waitFor({ timeout: 20_000 });
  return { page, context, problems };
}

async function finish({ page, context, problems }) {
  const csp = await page.evaluate(() => window.__csp);
  await context.close();
  assert.deepEqual(csp, [], "no Content-Security-Policy violations");
  assert.deepEqual(problems, []);
}

const shot = (page, name) => page.screenshot({ path: new URL(`playground-${name}.png`, SHOTS).pathname, fullPage: true });

/** Types a script into the editor and runs it with Ctrl+Enter. */
async function runSql(page, sql) {
  const editor = page.getByRole("textbox", { name: "SQL" }).first();
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(sql);
  await page.keyboard.press("Control+Enter");
  await page.getByRole("button", { name: "Run", exact: true }).first().waitFor();
  await page.waitForFunction(() => !document.querySelector(".rp-console .rp-primary")?.disabled);
  await page.waitForTimeout(50);
}

async function sliderX(page, time) {
  const slider = page.getByRole("slider", { name: "Timeline" }).first();
  const box = await slider.boundingBox();
  const min = Number(await slider.getAttribute("aria-valuemin"));
  const max = Number(await slider.getAttribute("aria-valuemax"));
  const t = Date.parse(`${time.replace(" ", "T")}Z`) / 1000;
  return { x: box.x + ((t - min) / (max - min)) * box.width, y: box.y + box.height / 2, box };
}

const SCENARIO = `SET TIMESTAMP = 1608821100;
CREATE DATABASE shop;
USE shop;
SET TIMESTAMP = 1608821520;
CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, qty INT);
SET TIMESTAMP = 1608821700;
INSERT INTO products VALUES (1, 'Laptop', 5);
SET TIMESTAMP = 1608821880;
INSERT INTO products VALUES (2, 'Monitor', 12);
SET TIMESTAMP = 1608822060;
DELETE FROM products;
SET TIMESTAMP = 1608822300;`;

test("running SQL shows results as tables with row counts and timings, and errors with code and position", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  await runSql(page, "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20));\nINSERT INTO t VALUES (1, 'one'), (2, 'two');\nSELECT * FROM t ORDER BY id;");
  const result = page.getByRole("table", { name: /Result: SELECT \* FROM t/ });
  await result.waitFor();
  assert.match(await page.locator(".rp-result-meta").last().textContent(), /^2 rows · [\d.]+ ms$/);
  assert.match(await page.locator(".rp-result-meta").nth(1).textContent(), /^2 rows affected/);
  assert.equal(await result.getByRole("cell", { name: "two" }).count(), 1);
  // The table panel updated live.
  assert.equal(await page.getByRole("table", { name: /Rows of main\.t, now/ }).getByRole("row").count(), 3);
  assert.equal(await page.getByRole("button", { name: "Show table main.t" }).count(), 1);

  await runSql(page, "SELECT 1;\nSELEC * FROM t;");
  const alert = page.getByRole("alert");
  await alert.waitFor();
  const text = await alert.textContent();
  assert.match(text, /ER_PARSE_ERROR at line 2, column 1/);
  assert.equal(await page.locator(".cm-error-mark").count(), 1);

  // History: Ctrl+Up recalls the previous script.
  await page.getByRole("textbox", { name: "SQL" }).click();
  await page.keyboard.press("Control+ArrowUp");
  await page.keyboard.press("Control+ArrowUp");
  assert.match(await page.getByRole("textbox", { name: "SQL" }).textContent(), /CREATE TABLE t/);
  await shot(page, "console");
  await finish(ctx);
});

test("a value holding HTML is shown as text and runs nothing", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  await page.evaluate(() => {
    window.__xss = 0;
    window.alert = () => window.__xss++;
  });
  const payload = "<img src=x onerror=alert(1)>";
  await runSql(page, `CREATE TABLE x (id INT PRIMARY KEY, v VARCHAR(80));\nINSERT INTO x VALUES (1, '${payload}');\nSELECT v FROM x;`);
  const cell = page.getByRole("table", { name: /Result: SELECT v FROM x/ }).getByRole("cell", { name: payload });
  await cell.waitFor();
  assert.equal(await cell.textContent(), payload);
  assert.equal(await page.locator(".rp img[src=x]").count(), 0);
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__xss), 0);
  await finish(ctx);
});

test("guided scenario: Rewind the accident, step by step", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  await page.getByRole("button", { name: "Rewind the accident" }).click();
  const card = page.getByRole("region", { name: "Rewind the accident tutorial" });
  await card.waitFor();
  for (let step = 1; ; step++) {
    assert.match(await card.textContent(), new RegExp(`step ${step} of`));
    const run = card.getByRole("button", { name: "Run step" });
    if (await run.count()) {
      await run.click();
      await card.getByRole("button", { name: "Run again" }).waitFor();
      assert.equal(await page.getByRole("alert").count(), 0, `step ${step} ran without error`);
    }
    if (step === 4) {
      assert.match(await page.locator(".rp-table-summary").textContent(), /^0 rows now/);
      await shot(page, "tutorial-accident");
    }
    if (step === 6) {
      assert.match(await page.getByRole("status").first().textContent(), /Backtrack completed: database rewound to 2020-12-24 14:50:00 at 15:05:00/);
    }
    const next = card.getByRole("button", { name: "Next step" });
    if (!(await next.count())) break;
    await next.click();
  }
  assert.match(await card.textContent(), /Your turn/);
  assert.match(await page.locator(".rp-stats").textContent(), /Earliest\s*2020-12-24 14:50:00/);
  assert.equal(await page.getByRole("table", { name: /Rows of SQLShackDemo\.ProductsData, now/ }).getByRole("row").count(), 4);
  await page.getByRole("button", { name: "Backtrack log" }).click();
  const log = page.getByRole("dialog", { name: "Backtrack log" });
  assert.equal(await log.getByRole("row").count(), 5);
  assert.equal(await log.getByRole("cell", { name: "completed" }).count(), 4);
  await shot(page, "backtrack-log");
  await log.getByRole("button", { name: "Close" }).click();
  await shot(page, "tutorial-done");
  await finish(ctx);
});

test("dragging the timeline previews the past without changing data; Backtrack rewinds; forward again", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  await runSql(page, SCENARIO);
  const rows = () => page.getByRole("table", { name: /^Rows of shop\.products/ }).getByRole("row");
  assert.equal(await rows().count(), 1, "empty now: header row only");

  // Drag to 15:00, before the accident: both rows come back in the preview, marked as added.
  const start = await sliderX(page, "2020-12-24 15:04:00");
  const target = await sliderX(page, "2020-12-24 15:00:00.5");
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(target.x, target.y, { steps: 8 });
  const preview = page.getByRole("table", { name: /as of 2020-12-24 (14:59|15:00):\d\d, compared with now/ });
  await preview.waitFor();
  assert.equal(await preview.getByRole("row").count(), 3);
  assert.equal(await preview.getByRole("cell", { name: "added" }).count(), 2);
  assert.match(await page.locator(".rp-table-summary").textContent(), /\+2 added/);
  await shot(page, "scrub-preview");

  // Release: a confirmation; Cancel writes nothing.
  await page.mouse.up();
  const dialog = page.getByRole("dialog", { name: "Backtrack the database?" });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Rewind the whole database to 2020-12-24 (14:59|15:00):\d\d\?/);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  const timelineBefore = await page.evaluate(() => window.reeldbPlayground.entries.length);
  await runSql(page, "SELECT COUNT(*) FROM shop.products;");
  assert.equal(await page.getByRole("table", { name: /Result: SELECT COUNT/ }).getByRole("cell", { name: "0" }).count(), 1);
  assert.equal(await page.evaluate(() => window.reeldbPlayground.entries.length), timelineBefore, "no commit from previewing");

  // Keyboard: step back commit by commit, then the Backtrack button.
  const slider = page.getByRole("slider", { name: "Timeline" });
  await slider.focus();
  await page.keyboard.press("ArrowLeft");
  assert.match(await slider.getAttribute("aria-valuetext"), /^2020-12-24 14:58:00; last change commit at 2020-12-24 14:58:00: INSERT INTO products VALUES \(2, 'Monitor', 12\)/);
  await page.getByRole("button", { name: "Backtrack", exact: true }).click();
  await dialog.waitFor();
  await dialog.getByRole("button", { name: "Backtrack" }).click();
  const status = page.getByRole("status").first();
  await page.waitForFunction(() => /Backtrack completed/.test(document.querySelector(".rp-status-msg").textContent));
  assert.match(await status.textContent(), /^15:05:00Backtrack completed: database rewound to 2020-12-24 14:58:00 at 15:05:00$/);
  assert.equal(await rows().count(), 3, "both rows are back");
  await shot(page, "backtracked");

  // Forward again: to 14:55 first (one row), then forward to 14:58:30 (two rows).
  await runSql(page, "SET TIMESTAMP = 1608822360;");
  await slider.focus();
  await page.keyboard.press("Home");
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  assert.match(await slider.getAttribute("aria-valuetext"), /^2020-12-24 14:55:00/);
  await page.keyboard.press("Enter");
  await dialog.getByRole("button", { name: "Backtrack" }).click();
  await page.waitForFunction(() => /rewound to 2020-12-24 14:55:00/.test(document.querySelector(".rp-status-msg").textContent));
  assert.equal(await rows().count(), 2);
  await runSql(page, "SET TIMESTAMP = 1608822420;\nBACKTRACK TO TIMESTAMP '2020-12-24 14:58:30';");
  assert.match(await status.textContent(), /Backtrack completed: database rewound to 2020-12-24 14:58:30 at 15:07:00/);
  assert.equal(await rows().count(), 3);
  assert.equal(await page.locator(".scrub-jump").count(), 3);
  await shot(page, "forward-again");

  // Play replays history and returns to now.
  await page.getByRole("button", { name: "Play" }).click();
  await page.waitForTimeout(900);
  assert.equal(await page.getByRole("button", { name: "Pause" }).getAttribute("aria-pressed"), "true");
  await page.getByRole("button", { name: "Pause" }).click();
  await page.getByRole("button", { name: "Back to now" }).click();
  await finish(ctx);
});

test("reload keeps everything (IndexedDB)", async () => {
  requireApi({ open: true });
  const ctx = await openPlayground();
  const { page } = ctx;
  await runSql(page, "CREATE TABLE kept (id INT PRIMARY KEY, v VARCHAR(10));\nINSERT INTO kept VALUES (1, 'stays');");
  await page.reload();
  await page.locator("[data-state=ready]").first().waitFor();
  assert.equal(await page.getByRole("button", { name: "Show table main.kept" }).count(), 1);
  await runSql(page, "SELECT v FROM kept;");
  const result = page.getByRole("table", { name: /Result: SELECT v FROM kept/ });
  await result.waitFor();
  assert.equal(await result.getByRole("cell", { name: "stays" }).count(), 1);
  // The table panel shows the reloaded row too.
  assert.equal(await page.getByRole("table", { name: /Rows of main\.kept, now/ }).getByRole("cell", { name: "stays" }).count(), 1);
  await finish(ctx);
});

test("storage the browser discarded is reported, and starting over is offered, not an empty database", async () => {
  requireApi({ open: true });
  const ctx = await openPlayground();
  const { page } = ctx;
  await runSql(page, "CREATE TABLE doomed (id INT PRIMARY KEY);");
  // What Chromium does when it finds its IndexedDB store corrupt: the
  // origin's IndexedDB vanishes under the page.
  await page.evaluate(
    () =>
      new Promise((ok, fail) => {
        const req = indexedDB.deleteDatabase("reeldb:playground");
        req.onsuccess = ok;
        req.onerror = () => fail(req.error);
      }),
  );
  await page.reload();
  const dialog = page.getByRole("dialog", { name: "This database's storage is gone" });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /deleteDatabase\('playground'\)/);
  await shot(page, "storage-lost");
  await dialog.getByRole("button", { name: "Start a new database" }).click();
  await page.locator("[data-state=ready]").first().waitFor();
  assert.equal(await page.getByRole("button", { name: "Show table main.doomed" }).count(), 0);
  await runSql(page, "CREATE TABLE fresh (id INT PRIMARY KEY);");
  await page.reload();
  await page.locator("[data-state=ready]").first().waitFor();
  assert.equal(await page.getByRole("button", { name: "Show table main.fresh" }).count(), 1);
  await finish(ctx);
});

test("the embed page: two <reel-playground> elements, each with its own database; read-only refuses writes", async () => {
  requireApi();
  const ctx = await openPlayground("embed.html");
  const { page } = ctx;
  await page.waitForFunction(() => document.querySelectorAll("reel-playground[data-state=ready]").length === 2);
  const accident = page.getByRole("region", { name: "Accident recovery playground" });
  const prices = page.getByRole("region", { name: "Price history playground" });
  // The first starts previewing 15:00 (before its accident).
  await accident.getByRole("table", { name: /as of 2020-12-24 15:00:00/ }).waitFor();
  assert.equal(await accident.getByRole("cell", { name: "added" }).count(), 2);
  assert.equal(await prices.getByRole("table", { name: /Rows of main\.prices, now/ }).getByRole("row").count(), 4);
  // Backtrack from the accident playground's preview (the initial time).
  await accident.getByRole("button", { name: "Backtrack", exact: true }).click();
  await accident.getByRole("dialog").getByRole("button", { name: "Backtrack" }).click();
  await page.waitForFunction(() => /Backtrack completed/.test(document.querySelector("#accident .rp-status-msg").textContent));
  assert.equal(await accident.getByRole("table", { name: /Rows of main\.ProductsData, now/ }).getByRole("row").count(), 3);
  // Separate databases: the accident playground has no prices table.
  await accident.getByRole("textbox", { name: "SQL" }).click();
  await page.keyboard.insertText("SHOW TABLES;");
  await page.keyboard.press("Control+Enter");
  await accident.getByRole("table", { name: /Result: SHOW TABLES/ }).waitFor();
  assert.equal(await accident.getByRole("cell", { name: "prices" }).count(), 0);
  // Read-only.
  await prices.getByRole("textbox", { name: "SQL" }).click();
  await page.keyboard.insertText("DELETE FROM prices;");
  await page.keyboard.press("Control+Enter");
  await prices.getByRole("alert").waitFor();
  assert.match(await prices.getByRole("alert").textContent(), /READ_ONLY/);
  assert.equal(await prices.getByRole("table", { name: /Rows of main\.prices, now/ }).getByRole("row").count(), 4);
  await shot(page, "embed");
  await finish(ctx);
});

test("dark mode and a narrow screen", async () => {
  requireApi();
  const ctx = await openPlayground("", { colorScheme: "dark", viewport: { width: 420, height: 900 } });
  const { page } = ctx;
  await runSql(page, SCENARIO);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, "rgb(15, 18, 22)");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `no horizontal page scroll on a narrow screen (${overflow}px)`);
  await shot(page, "dark-narrow");
  await finish(ctx);
});

test("preview frame time on a 100k-row table", { timeout: 600_000 }, async () => {
  requireApi();
  const ctx = await openPlayground("", { viewport: { width: 1400, height: 950 } });
  const { page } = ctx;
  // 100k rows in 10 commits (single-row INSERTs in transactions: multi-row
  // INSERT ... VALUES is slow for thousands of rows), then 300 small commits
  // (update, insert, delete), one second apart.
  const built = await page.evaluate(async () => {
    const pg = window.reeldbPlayground;
    const t0 = performance.now();
    let ts = 1700000000;
    await pg.db.exec(`SET TIMESTAMP = ${ts}; CREATE TABLE big (id INT PRIMARY KEY, name VARCHAR(40), qty INT)`);
    for (let b = 0; b < 10; b++) {
      const script = [`SET TIMESTAMP = ${++ts}`, "BEGIN"];
      for (let i = 0; i < 10000; i++) {
        const id = b * 10000 + i + 1;
        script.push(`INSERT INTO big VALUES (${id}, 'item ${id}', ${id % 97})`);
      }
      script.push("COMMIT");
      await pg.db.exec(script.join(";\n"));
    }
    for (let k = 0; k < 300; k++) {
      const id = 1 + ((k * 7919) % 100000);
      const sql =
        k % 3 === 0 ? `UPDATE big SET qty = qty + 1000 WHERE id = ${id}` :
        k % 3 === 1 ? `INSERT INTO big VALUES (${200000 + k}, 'new ${k}', ${k})` :
        `DELETE FROM big WHERE id = ${id}`;
      await pg.db.exec(`SET TIMESTAMP = ${++ts}; ${sql}`);
    }
    await pg.refresh();
    await pg.selectTable("main.big");
    return { ms: performance.now() - t0, rows: pg.current.rows.length, entries: pg.entries.length };
  });
  assert.ok(built.rows >= 100_000, `100k rows (${built.rows})`);
  // Drag across the 300 small commits, one mouse move per frame.
  const from = await sliderX(page, "2023-11-14 22:18:29"); // the last small commit is at 22:18:30
  const to = await sliderX(page, "2023-11-14 22:13:32"); // the first is at 22:13:31, after the bulk load
  await page.evaluate(() => {
    window.reeldbPlayground.frameTimes.length = 0;
  });
  await page.mouse.move(from.x - 2, from.y);
  await page.mouse.down();
  const steps = 240;
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / steps, from.y);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
  await page.waitForTimeout(100);
  const stats = await page.evaluate(() => window.reeldbPlayground.frameStats());
  const rendered = await page.locator(".rp-tablepanel .vt-body > .vt-row:not([hidden])").count();
  await shot(page, "preview-100k");
  await page.keyboard.press("Escape");
  await page.mouse.up();
  const dialog = page.getByRole("dialog", { name: "Backtrack the database?" });
  if (await dialog.isVisible()) await dialog.getByRole("button", { name: "Cancel" }).click();
  console.log(
    `# preview frame time on a ${built.rows}-row table (${built.entries} commits, ${stats.count} preview frames, ` +
      `${rendered} rows in the DOM): p50 ${stats.p50.toFixed(2)} ms, p95 ${stats.p95.toFixed(2)} ms, max ${stats.max.toFixed(2)} ms ` +
      `(setup ${(built.ms / 1000).toFixed(1)} s)`,
  );
  assert.ok(stats.count >= 50, `enough preview frames measured (${stats.count})`);
  assert.ok(rendered < 80, `only visible rows are rendered (${rendered})`);
  assert.ok(stats.p95 < 50, `p95 preview frame ${stats.p95.toFixed(1)} ms`);
  await finish(ctx);
});
