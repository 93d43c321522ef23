#!/usr/bin/env bash
# Random differential testing of ReelDB against MariaDB:
#
#   scripts/mysql-diff.sh [--cases N] [--seed S] [--verbose]
#
# Builds target/debug/reeldb, starts the private MariaDB (scripts/mariadb.sh),
# runs N generated cases from seed S (default: 400 from seed 1) on both, and
# stops MariaDB again. Each mismatch is printed with its case seed and a
# reduced reproduction; the exit status is 1 if there was one. A long run:
# scripts/mysql-diff.sh --cases 20000 --seed 100000
source "$(dirname "${BASH_SOURCE[0]}")/mariadb.sh"

ensure_npm_packages
cargo build --quiet --bin reeldb --bin reeldb-slt
trap mariadb_stop EXIT
mariadb_start
node "$ROOT/scripts/mysql-oracle.mjs" diff --cases 400 --seed 1 "$@"
