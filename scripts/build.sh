#!/usr/bin/env bash
# Builds the `reeldb` npm package into pkg/ and stages the static site:
# www/ (with www/pkg/ a copy of pkg/) can then be served by any static host.
# Installs what is missing first (see scripts/lib.sh). Each output is rebuilt
# only when a file it is built from changed since its last build (its
# `.build-stamp`), so a second run with nothing changed takes seconds;
# FORCE_BUILD=1 rebuilds everything.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
summarise_on_exit

phase "set-up: toolchain and npm packages"
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm_packages

phase "build pkg/ (release wasm, wasm-bindgen, wasm-opt)"
ensure_pkg
stage_www
# playground bundle: www/js/ -> www/dist/ (esbuild), see build-www.sh
if up_to_date www/dist/.build-stamp bundle www/js package-lock.json scripts/build-www.sh; then
    note "www/dist/ is up to date with www/js/"
else
    "$ROOT/scripts/build-www.sh"
    echo bundle >www/dist/.build-stamp
fi
note "static site ready in www/ (pkg copied to www/pkg/)"
