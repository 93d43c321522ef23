// Playwright Test with Debian's Chromium (no browser download) and a static
// server over the repository (the app at /examples/playwright/app.html
// loads the package from /pkg/). Run from the repository root:
//   npx playwright test -c examples/playwright
// failing.spec.mjs fails on purpose to show the attachment; it runs only
// with REELDB_SHOW_FAILURE=1 (tests/browser/kit.test.mjs does so).
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: ".",
  testMatch: process.env.REELDB_SHOW_FAILURE ? /failing\.spec\.mjs$/ : /inventory\.spec\.mjs$/,
  globalSetup: "./global-setup.mjs",
  outputDir: process.env.REELDB_OUTPUT_DIR ?? "../../target/examples/playwright",
  workers: 1,
  reporter: process.env.REELDB_REPORT ? [["list"], ["json", { outputFile: process.env.REELDB_REPORT }]] : "list",
  use: {
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu"],
    },
  },
});
