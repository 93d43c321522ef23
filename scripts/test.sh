#!/usr/bin/env bash
# Runs every test: formatting, clippy (native and wasm32), native tests,
# wasm-bindgen tests in headless Chromium, the sqllogictest runner, then
# builds pkg/ and runs the Playwright browser tests against www/.
# Installs what is missing first (see scripts/lib.sh). Stops at the first
# failure and prints a summary of phase durations.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
summarise_on_exit

phase "set-up: toolchain, chromium, npm packages"
ensure_rust_components
ensure_wasm_target
ensure_wasm_bindgen
ensure_chromium
ensure_npm_packages

phase "cargo fmt --check"
cargo fmt --all --check

phase "cargo clippy (native, all targets)"
cargo clippy --all-targets -- -D warnings

# Test files compile for wasm32 too unless they start with
# `#![cfg(not(target_arch = "wasm32"))]`; the command-line programs need the
# default `cli` feature and are left out there.
phase "cargo clippy (wasm32: lib + tests)"
cargo clippy --target "$WASM_TARGET" --no-default-features --lib --tests -- -D warnings

phase "cargo test (native)"
cargo test

phase "cargo test (wasm32, wasm-bindgen-test in headless Chromium)"
# The runner gives a whole test file 20 s by default; storage tests in a
# debug wasm build need longer.
WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-900}" cargo test --target "$WASM_TARGET" --no-default-features --lib --tests

phase "sqllogictest (reeldb-slt)"
# The reference scenario must pass entirely; the corpus at >= 99.5 %. A
# missing ../shared is a failure (the runner reports unreadable paths).
cargo run --release --bin reeldb-slt -- --strict ../shared/scenario/backtrack.test ../shared/sqllogictest

phase "build pkg/ (release wasm, wasm-bindgen, wasm-opt)"
ensure_pkg # builds unless pkg/ is up to date with its inputs
stage_www
"$ROOT/scripts/build-www.sh" # the playground bundle, as scripts/build.sh does

phase "JavaScript type check (tsc --noEmit: www/js/ and the kit as shipped in pkg/)"
npx --no-install tsc -p tsconfig.json

phase "browser tests (Playwright, tests/browser/)"
node --test tests/browser/*.test.mjs

phase "Node.js tests of the package (node --test tests/node/)"
node --test tests/node/

phase "test kit examples (Playwright Test, Vitest browser mode)"
npx --no-install playwright test -c examples/playwright
npx --no-install vitest run --config examples/vitest-browser/vitest.config.mjs

phase "MariaDB differential (scripts/mysql-diff.sh: 400 cases, seed 1)"
# tests/mysql/ (recorded from MariaDB) ran with `cargo test`; this compares
# freshly generated cases with a live MariaDB (installed if missing).
"$ROOT/scripts/mysql-diff.sh" --cases 400 --seed 1

phase "History round trip with MariaDB (scripts/history-roundtrip.sh: 20 histories, seed 3)"
# ReelDB → --dump --history → MariaDB system-versioned tables, and
# mariadb-dump --dump-history → ReelDB, compared by AS OF (longer runs:
# --histories 200).
"$ROOT/scripts/history-roundtrip.sh" --histories 20 --seed 3
