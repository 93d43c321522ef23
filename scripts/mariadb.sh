#!/usr/bin/env bash
# A private MariaDB server for the differential tests (tools/mysql-oracle.mjs):
#
#   scripts/mariadb.sh start    install mariadb-server if missing (apt-get),
#                               initialise target/mariadb/data, start mariadbd
#                               on 127.0.0.1:$MARIADB_PORT and a socket under
#                               target/mariadb/, wait until it answers
#   scripts/mariadb.sh stop     stop it (and wait until it is gone)
#   scripts/mariadb.sh status   say whether it runs
#
# The server runs as the current user without grant tables (root, no
# password), with strict sql_mode as MySQL 8 and utf8mb4_uca1400_nopad_ai_ci:
# case and accent insensitive with trailing spaces significant, as ReelDB's
# default collation and MySQL 8's utf8mb4_0900_ai_ci (MariaDB's
# utf8mb4_uca1400_ai_ci pads, so 'a ' = 'a' there). Scripts that start
# it must stop it (trap ... EXIT), as scripts/mysql-diff.sh does.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MARIADB_DIR="$ROOT/target/mariadb"
MARIADB_PORT="${MARIADB_PORT:-33306}"
MARIADB_SOCKET="$MARIADB_DIR/mariadb.sock"
MARIADB_PIDFILE="$MARIADB_DIR/mariadb.pid"
MARIADBD="${MARIADBD:-/usr/sbin/mariadbd}"

ensure_mariadb() {
    if [[ ! -x "$MARIADBD" ]] || ! command -v mariadb-install-db >/dev/null 2>&1; then
        note "installing mariadb-server with apt-get"
        apt_install mariadb-server
    fi
}

mariadb_running() {
    [[ -f "$MARIADB_PIDFILE" ]] && kill -0 "$(cat "$MARIADB_PIDFILE")" 2>/dev/null
}

mariadb_start() {
    if mariadb_running; then
        note "mariadbd already runs (pid $(cat "$MARIADB_PIDFILE"), port $MARIADB_PORT)"
        return 0
    fi
    ensure_mariadb
    mkdir -p "$MARIADB_DIR"
    if [[ ! -d "$MARIADB_DIR/data/mysql" ]]; then
        rm -rf "$MARIADB_DIR/data"
        mariadb-install-db --datadir="$MARIADB_DIR/data" --auth-root-authentication-method=normal \
            --skip-test-db >"$MARIADB_DIR/install.log" 2>&1 ||
            { cat "$MARIADB_DIR/install.log" >&2; return 1; }
    fi
    "$MARIADBD" --no-defaults --datadir="$MARIADB_DIR/data" --socket="$MARIADB_SOCKET" \
        --port="$MARIADB_PORT" --bind-address=127.0.0.1 --skip-grant-tables --user="$(id -un)" \
        --pid-file="$MARIADB_PIDFILE" --log-error="$MARIADB_DIR/error.log" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_uca1400_nopad_ai_ci \
        --sql-mode=ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION \
        --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
        --skip-log-bin --skip-name-resolve &
    local i
    for i in $(seq 1 120); do
        if mariadb --no-defaults --socket="$MARIADB_SOCKET" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
            note "mariadbd $("$MARIADBD" --version | awk '{print $3}') on 127.0.0.1:$MARIADB_PORT (data in $MARIADB_DIR/data)"
            return 0
        fi
        sleep 0.5
    done
    echo "error: mariadbd did not start; see $MARIADB_DIR/error.log" >&2
    tail -n 20 "$MARIADB_DIR/error.log" >&2 || true
    return 1
}

mariadb_stop() {
    if ! mariadb_running; then
        return 0
    fi
    local pid i
    pid="$(cat "$MARIADB_PIDFILE")"
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 120); do
        kill -0 "$pid" 2>/dev/null || { note "mariadbd stopped"; return 0; }
        sleep 0.5
    done
    echo "error: mariadbd (pid $pid) did not stop" >&2
    return 1
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    case "${1:-}" in
        start) mariadb_start ;;
        stop) mariadb_stop ;;
        status) if mariadb_running; then echo "running (pid $(cat "$MARIADB_PIDFILE"), port $MARIADB_PORT)"; else echo "stopped"; fi ;;
        *) echo "usage: scripts/mariadb.sh start|stop|status" >&2; exit 2 ;;
    esac
fi
