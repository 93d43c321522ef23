#!/usr/bin/env bash
# History export and import against MariaDB 10.11:
#
#   scripts/history-roundtrip.sh [--histories N] [--seed S]
#
# Builds target/debug/reeldb, starts the private MariaDB (scripts/mariadb.sh)
# unless it already runs, and runs scripts/history-roundtrip.mjs: N random
# histories (default 200 from seed 1) ReelDB → `--dump --history` → MariaDB
# and MariaDB → `mariadb-dump --dump-history` → ReelDB, each compared by
# `FOR SYSTEM_TIME AS OF` at every commit time, just before it and at random
# times; then a plain dump of a varied schema loaded into MariaDB. Stops
# MariaDB again only if it started it. Exit status 1 on any mismatch.
source "$(dirname "${BASH_SOURCE[0]}")/mariadb.sh"

ensure_npm_packages
cargo build --quiet --bin reeldb
if ! mariadb_running; then
    trap mariadb_stop EXIT
    mariadb_start
fi
node "$ROOT/scripts/history-roundtrip.mjs" --histories 200 --seed 1 "$@"
