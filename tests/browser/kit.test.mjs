// The test kit end to end: the Playwright example's deliberately failing
// test (examples/playwright/failing.spec.mjs) attaches the database with
// its timeline; the playground opens that file (Open file…) and scrubs
// back to before what the test did.
//
// Screenshot: target/screenshots/kit-opened-attachment.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, siteAndBrowser } from "./helpers.mjs";

const env = siteAndBrowser();

/** Runs the failing example and returns its test result from the JSON report. */
function runFailingExample() {
  const dir = mkdtempSync(join(tmpdir(), "reeldb-kit-"));
  const report = join(dir, "report.json");
  const run = spawnSync("npx", ["playwright", "test", "-c", "examples/playwright", "--global-timeout", "90000"], {
    cwd: fileURLToPath(ROOT),
    env: { ...process.env, REELDB_SHOW_FAILURE: "1", REELDB_REPORT: report, REELDB_OUTPUT_DIR: join(dir, "out") },
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(run.status, 1, `the example fails on purpose:\n${run.stdout}\n${run.stderr}`);
  const json = JSON.parse(readFileSync(report, "utf8"));
  const result = json.suites[0].specs[0].tests[0].results[0];
  assert.equal(result.status, "failed");
  return result;
}

test("a failed test's attachment opens in the playground, which scrubs back before the test's changes", async () => {
  const result = runFailingExample();
  const image = result.attachments.find((a) => a.name === "reeldb-timeline.reeldb");
  assert.ok(image?.path, "the database with its timeline is attached");
  const changesAttachment = result.attachments.find((a) => a.name === "reeldb-changes.json");
  const changes = JSON.parse(Buffer.from(changesAttachment.body, "base64").toString("utf8"));
  assert.deepEqual(
    changes["inventory.items"].removed.map((r) => r.name),
    ["Laptop", "Monitor"],
    "what the test changed: two rows removed",
  );
  assert.deepEqual(changes["inventory.items"].changed, []);

  const page = await env.browser.newPage({ viewport: { width: 1400, height: 950 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(new URL("index.html", env.server.url).href);
  await page.locator("[data-state=ready]").first().waitFor({ timeout: 20_000 });
  await page.getByLabel("Open a .reeldb file").setInputFiles(image.path);
  await page.waitForFunction(() => /^Opened|^Could not/.test(document.querySelector(".rp-status-msg").textContent));
  assert.match(await page.locator(".rp-status-msg").textContent(), /^Opened reeldb-timeline\S*\.reeldb: \d+ timeline entries/);
  await page.evaluate(() => window.reeldbPlayground.selectTable("inventory.items"));
  const now = page.getByRole("table", { name: /^Rows of inventory\.items, now/ });
  await now.waitFor();
  assert.equal(await now.getByRole("row").count(), 2, "now: the header and Keyboard");

  // Step back one commit from now: before the DELETE, Laptop (0) and Monitor come back in the preview.
  const slider = page.getByRole("slider", { name: "Timeline" });
  await slider.focus();
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft");
  assert.match(await slider.getAttribute("aria-valuetext"), /UPDATE items SET qty = qty - 1/);
  const preview = page.getByRole("table", { name: /as of .*, compared with now/ });
  await preview.waitFor();
  assert.equal(await preview.getByRole("cell", { name: "only then" }).count(), 2);
  mkdirSync(new URL("target/screenshots/", ROOT), { recursive: true });
  await page.screenshot({ path: fileURLToPath(new URL("target/screenshots/kit-opened-attachment.png", ROOT)), fullPage: true });

  // A file that is not a database: a clear error, and the open database stays.
  const entries = await page.evaluate(() => window.reeldbPlayground.entries.length);
  await page.keyboard.press("Escape");
  await page.getByLabel("Open a .reeldb file").setInputFiles({ name: "notes.reeldb", mimeType: "application/octet-stream", buffer: Buffer.alloc(5000, 1) });
  await page.waitForFunction(() => /^Could not open notes\.reeldb/.test(document.querySelector(".rp-status-msg").textContent));
  assert.match(await page.locator(".rp-status-msg").textContent(), /whole number of 4096-byte pages/);
  assert.equal(await page.evaluate(() => window.reeldbPlayground.entries.length), entries);
  assert.equal(await page.getByRole("table", { name: /^Rows of inventory\.items, now/ }).getByRole("row").count(), 2);
  assert.deepEqual(problems, []);
  await page.close();
});
