// pkg/ through a bundler: a tiny app importing "reeldb" (pkg/ linked as
// node_modules/reeldb, resolved through its package.json `exports`) is built
// by Vite, served, and run in Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import { serve } from "../../scripts/static-server.mjs";
import { launch, ROOT } from "./helpers.mjs";

test("pkg/ works through Vite: import, bundle, run", async () => {
  const dir = mkdtempSync(join(tmpdir(), "reeldb-vite-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(new URL("pkg", ROOT).pathname, join(dir, "node_modules", "reeldb"), "dir");
    writeFileSync(
      join(dir, "index.html"),
      '<!doctype html><meta charset="utf-8"><script type="module" src="/main.js"></script><output id="out"></output>',
    );
    writeFileSync(
      join(dir, "main.js"),
      `import init, { ReelDB, version } from "reeldb";
await init();
const db = ReelDB.openInMemory();
await db.exec("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(10))");
await db.query("INSERT INTO t VALUES (?, ?)", [1, "vite"]);
const [row] = await db.query("SELECT name FROM t");
const out = document.getElementById("out");
out.textContent = version() + " " + row.name;
out.dataset.state = "ready";
`,
    );
    await build({ root: dir, logLevel: "silent", build: { outDir: join(dir, "dist") } });
    const server = await serve(join(dir, "dist"), 0);
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(server.url);
      await page.locator("#out[data-state=ready]").waitFor({ timeout: 15_000 });
      const version = JSON.parse(readFileSync(new URL("pkg/package.json", ROOT), "utf8")).version;
      assert.equal(await page.locator("#out").textContent(), `${version} vite`);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
