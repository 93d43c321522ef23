// Writes pkg/package.json: the `reeldb` npm package (an ES module for
// browsers and bundlers, node.js for Node.js through the "node" condition,
// reeldb/testing and reeldb/playwright for tests) with name, version, description, license and
// repository taken from Cargo.toml through `cargo metadata`.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";

const meta = JSON.parse(
  execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], {
    encoding: "utf8",
  }),
);
const crate = meta.packages.find((p) => p.name === "reeldb");
if (!crate) throw new Error("cargo metadata lists no package named reeldb");

const files = [
  "reeldb.js",
  "reeldb.d.ts",
  "reeldb_bg.wasm",
  "reeldb_bg.wasm.d.ts",
  "README.md",
];
// The kit's modules (kit/, copied next to reeldb.js by build_pkg): the
// Node.js entry and the test helpers, loaded only by who imports them.
const kit = readdirSync("kit").filter((f) => f.endsWith(".js") || f.endsWith(".d.ts")).sort();
files.push(...kit);
// wasm-bindgen writes JS snippets (inline_js, module imports) here when used.
if (existsSync("pkg/snippets")) files.push("snippets/");

const pkg = {
  name: crate.name,
  version: crate.version,
  description: crate.description ?? undefined,
  license: crate.license ?? undefined,
  repository: crate.repository
    ? { type: "git", url: crate.repository }
    : undefined,
  type: "module",
  main: "./reeldb.js",
  module: "./reeldb.js",
  types: "./reeldb.d.ts",
  exports: {
    ".": {
      types: "./reeldb.d.ts",
      node: "./node.js",
      default: "./reeldb.js",
    },
    "./testing": { types: "./testing.d.ts", default: "./testing.js" },
    "./playwright": { types: "./playwright.d.ts", default: "./playwright.js" },
    "./reeldb_bg.wasm": "./reeldb_bg.wasm",
    "./package.json": "./package.json",
  },
  files,
  // reeldb/playwright imports @playwright/test; nothing else needs it.
  peerDependencies: { "@playwright/test": ">=1.40" },
  peerDependenciesMeta: { "@playwright/test": { optional: true } },
  sideEffects: ["./snippets/*"],
  keywords: ["sql", "database", "wasm", "indexeddb", "time-travel"],
};

writeFileSync("pkg/package.json", JSON.stringify(pkg, null, 2) + "\n");
console.log(`  -> pkg/package.json: ${pkg.name}@${pkg.version}`);
