#!/usr/bin/env bash
# Bundles the playground (www/js/ -> www/dist/playground.js) with esbuild from
# npm: CodeMirror and the page's modules in one ES module, no CDN at run time.
# The reeldb package itself is not bundled: the page loads www/pkg/reeldb.js
# at run time, so pkg/ stays a plain copy. Run by scripts/build.sh; alone it
# needs only `npm ci`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ ! -x node_modules/.bin/esbuild ]]; then
    npm ci --no-audit --no-fund
fi
rm -rf www/dist
node_modules/.bin/esbuild www/js/main.js \
    --bundle --format=esm --target=es2022 --minify --sourcemap \
    --legal-comments=linked --log-level=warning \
    --outfile=www/dist/playground.js
printf '  -> www/dist/playground.js: %s bytes, %s gzipped\n' \
    "$(wc -c <www/dist/playground.js)" "$(gzip -9c www/dist/playground.js | wc -c)"
