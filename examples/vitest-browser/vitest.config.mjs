// Vitest browser mode in Debian's Chromium through the Playwright provider
// (no browser download). Run from the repository root:
//   npx vitest run --config examples/vitest-browser/vitest.config.mjs
import { defineConfig } from "vitest/config";
import { playwright } from "@vitest/browser-playwright";

export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  cacheDir: new URL("../../target/vitest-cache", import.meta.url).pathname,
  test: {
    include: ["*.test.mjs"],
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({
        launchOptions: { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
});
