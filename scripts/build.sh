#!/usr/bin/env bash
# Builds the `reeldb` npm package into pkg/ and stages the static site:
# www/ (with www/pkg/ a copy of pkg/) can then be served by any static host.
# Installs what is missing first (see scripts/lib.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
summarise_on_exit

phase "set-up: toolchain and npm packages"
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm_packages

phase "build pkg/ (release wasm, wasm-bindgen, wasm-opt)"
build_pkg
stage_www
"$ROOT/scripts/build-www.sh" # playground bundle: www/js/ -> www/dist/ (esbuild), see build-www.sh
note "static site ready in www/ (pkg copied to www/pkg/)"
