// Smoke test of the static site: serve www/ (with pkg/ staged into www/pkg/
// by scripts/build.sh), open it in Debian's headless Chromium through
// playwright-core, and check that the wasm module loads and reports the
// crate version, and that the package works from a page and from a module
// worker. Screenshot: target/screenshots/smoke.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { get } from "node:http";
import { ROOT, siteAndBrowser } from "./helpers.mjs";

const version = JSON.parse(
  readFileSync(new URL("pkg/package.json", ROOT), "utf8"),
).version;

const env = siteAndBrowser();

test("the page loads the wasm module and shows the version", async () => {
  const page = await env.browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("requestfailed", (r) =>
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`),
  );

  const response = await page.goto(env.server.url);
  assert.equal(response.status(), 200);

  const out = page.locator("#version[data-state=ready]");
  await out.waitFor({ timeout: 15_000 });
  assert.equal(await out.textContent(), version);

  mkdirSync(new URL("target/screenshots/", ROOT), { recursive: true });
  await page.screenshot({
    path: new URL("target/screenshots/smoke.png", ROOT).pathname,
    fullPage: true,
  });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the wasm is served as application/wasm from www/pkg/", async () => {
  const res = await fetch(new URL("pkg/reeldb_bg.wasm", env.server.url));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/wasm");
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
});

test("the static server refuses paths outside www/", async () => {
  const { port } = new URL(env.server.url);
  for (const path of ["/../Cargo.toml", "/%2e%2e/Cargo.toml", "/pkg/../../Cargo.toml"]) {
    const status = await new Promise((ok, fail) =>
      get({ host: "127.0.0.1", port, path }, (res) => {
        res.resume();
        ok(res.statusCode);
      }).on("error", fail),
    );
    assert.equal(status, 404, path);
  }
});

test("the package's ReelDB class works from a page, errors carry codes", async () => {
  const page = await env.browser.newPage();
  await page.goto(env.server.url);
  await page.locator("#version[data-state=ready]").waitFor({ timeout: 15_000 });
  const result = await page.evaluate(async () => {
    const { default: init, ReelDB } = await import("./pkg/reeldb.js");
    await init();
    const db = ReelDB.openInMemory({ windowSecs: 3600 });
    db.setClock("2020-12-24 14:55:00");
    await db.createRestorePoint("start");
    db.setClock(new Date("2020-12-24T15:00:00Z"));
    const outcome = await db.backtrack({ restorePoint: "start" });
    let error;
    try {
      await db.backtrack("2019-01-01");
    } catch (e) {
      error = { isError: e instanceof Error, name: e.name, code: e.code, message: e.message };
    }
    const status = db.status();
    const timeline = db.timeline();
    await db.close();
    return { outcome, error, status, timeline };
  });
  assert.equal(result.outcome.record.status, "completed");
  assert.equal(result.outcome.record.target, "2020-12-24 14:55:00");
  assert.equal(result.timeline.at(-1).kind, "backtrack");
  assert.equal(result.status.windowTargetSecs, 3600);
  assert.equal(result.status.now, "2020-12-24 15:00:00");
  assert.deepEqual(
    { isError: result.error.isError, name: result.error.name, code: result.error.code },
    { isError: true, name: "ReelDBError", code: "BEFORE_EARLIEST" },
  );
  await page.close();
});

test("the package runs in a module worker: IndexedDB, events, and the record of created databases", async () => {
  const page = await env.browser.newPage();
  await page.goto(new URL("test/", env.server.url).href);
  const result = await page.evaluate(async () => {
    const source = `
      import init, { ReelDB } from "${new URL("/pkg/reeldb.js", location.href)}";
      onmessage = async () => {
        try {
          await init();
          await ReelDB.deleteDatabase("in-worker");
          const db = await ReelDB.open("in-worker");
          const events = [];
          db.subscribe((e) => events.push(e.type));
          await db.exec("CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1), (2)");
          const rows = await db.query("SELECT COUNT(*) AS n FROM t");
          await db.close();
          const reopened = await ReelDB.open("in-worker");
          const again = await reopened.query("SELECT SUM(id) AS s FROM t");
          await reopened.close();
          // Storage discarded behind ReelDB's back: reported, not recreated empty.
          await new Promise((ok, fail) => {
            const req = indexedDB.deleteDatabase("reeldb:in-worker");
            req.onsuccess = ok;
            req.onerror = () => fail(req.error);
          });
          const lost = await ReelDB.open("in-worker").then(() => "opened", (e) => e.code);
          await ReelDB.deleteDatabase("in-worker");
          postMessage({ n: rows[0].n, s: Number(again[0].s), events: events.length > 0, lost });
        } catch (e) {
          postMessage({ error: String(e) });
        }
      };`;
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const worker = new Worker(url, { type: "module" });
    const reply = new Promise((ok) => (worker.onmessage = (m) => ok(m.data)));
    worker.postMessage("go");
    const data = await reply;
    worker.terminate();
    return data;
  });
  assert.deepEqual(result, { n: 2, s: 3, events: true, lost: "STORAGE_LOST" });
  await page.close();
});
