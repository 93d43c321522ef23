# shellcheck shell=bash
# Shared set-up for scripts/serve.sh and scripts/test.sh (sourced, not run).
#
# Installs what is missing on a Debian machine that has rustup, cargo, node
# and npm: the rustfmt/clippy components, the wasm32-unknown-unknown target,
# wasm-bindgen-cli at the exact version Cargo.toml pins for the
# `wasm-bindgen` crate, Debian's chromium + chromium-driver, and the npm
# packages of package-lock.json. Also builds the npm package into pkg/.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
WASM_TARGET=wasm32-unknown-unknown

# ---------------------------------------------------------------- phases ---
# `phase NAME` starts a timed section; the previous one ends. On exit a table
# of every phase and its duration is printed, and a failure names its phase.

PHASE_NAMES=()
PHASE_SECS=()
PHASE_NAME=""
PHASE_START=0
SCRIPT_START=$(date +%s)

phase_end() {
    if [[ -n "$PHASE_NAME" ]]; then
        PHASE_NAMES+=("$PHASE_NAME")
        PHASE_SECS+=($(($(date +%s) - PHASE_START)))
        PHASE_NAME=""
    fi
}

# Bold/coloured headers only on a terminal.
if [[ -t 1 ]]; then
    BOLD=$'\033[1m' RED=$'\033[1;31m' GREEN=$'\033[1;32m' PLAIN=$'\033[0m'
else
    BOLD="" RED="" GREEN="" PLAIN=""
fi

phase() {
    phase_end
    PHASE_NAME="$1"
    PHASE_START=$(date +%s)
    printf '\n%s==== %s ====%s\n' "$BOLD" "$PHASE_NAME" "$PLAIN"
}

note() {
    printf '  -> %s\n' "$*"
}

fmt_secs() {
    printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

# Prints the phase summary when the script exits; a script stopped by a
# signal ends with its status (143, 130) and reports FAILED, never OK.
summarise_on_exit() {
    trap phase_summary EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
}

phase_summary() {
    local status=$? failed="$PHASE_NAME" i
    phase_end
    printf '\n%s==== summary ====%s\n' "$BOLD" "$PLAIN"
    for i in "${!PHASE_NAMES[@]}"; do
        printf '  %-60s %s\n' "${PHASE_NAMES[$i]}" "$(fmt_secs "${PHASE_SECS[$i]}")"
    done
    printf '  %-60s %s\n' "total" "$(fmt_secs $(($(date +%s) - SCRIPT_START)))"
    if [[ $status -ne 0 ]]; then
        printf '%sFAILED%s in phase "%s" (exit status %d)\n' "$RED" "$PLAIN" "${failed:-?}" "$status"
    else
        printf '%sOK%s\n' "$GREEN" "$PLAIN"
    fi
    return "$status"
}

# ---------------------------------------------------------------- install ---

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: root is needed to run: $*" >&2
        echo "       (run as root, install sudo, or install it yourself)" >&2
        return 1
    fi
}

APT_UPDATED=0
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: apt-get not found; install these packages yourself: $*" >&2
        return 1
    fi
    if [[ $APT_UPDATED -eq 0 ]]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

ensure_rust_components() {
    local missing=()
    cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
    cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
    if [[ ${#missing[@]} -gt 0 ]]; then
        note "installing rustup components: ${missing[*]}"
        rustup component add "${missing[@]}"
    fi
}

ensure_wasm_target() {
    if ! rustup target list --installed | grep -qx "$WASM_TARGET"; then
        note "installing rust target $WASM_TARGET"
        rustup target add "$WASM_TARGET"
    fi
}

# The exact version Cargo.toml pins for the wasm-bindgen crate
# (`wasm-bindgen = "=X.Y.Z"`): wasm-bindgen-cli must be the same version.
pinned_wasm_bindgen_version() {
    local line
    line="$(grep -E '^[[:space:]]*wasm-bindgen[[:space:]]*=' Cargo.toml | head -n1)"
    if [[ ! "$line" =~ \"=([0-9]+\.[0-9]+\.[0-9]+)\" ]]; then
        echo "error: Cargo.toml must pin wasm-bindgen exactly (wasm-bindgen = \"=X.Y.Z\"), found: ${line:-nothing}" >&2
        return 1
    fi
    echo "${BASH_REMATCH[1]}"
}

ensure_wasm_bindgen() {
    local want have=""
    want="$(pinned_wasm_bindgen_version)"
    if command -v wasm-bindgen >/dev/null 2>&1; then
        have="$(wasm-bindgen --version | awk '{print $2}')"
    fi
    if [[ "$have" != "$want" ]] || ! command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
        note "installing wasm-bindgen-cli $want (found: ${have:-none}); this takes a few minutes"
        cargo install wasm-bindgen-cli --version "$want" --force
    fi
    note "wasm-bindgen $(wasm-bindgen --version | awk '{print $2}') (pinned $want)"
}

ensure_chromium() {
    local missing=()
    [[ -x "$CHROMIUM" ]] || missing+=(chromium)
    [[ -x "$CHROMEDRIVER" ]] || missing+=(chromium-driver)
    if [[ ${#missing[@]} -gt 0 ]]; then
        note "installing ${missing[*]} with apt-get"
        apt_install "${missing[@]}"
        if [[ ! -x "$CHROMIUM" || ! -x "$CHROMEDRIVER" ]]; then
            echo "error: after installing, $CHROMIUM or $CHROMEDRIVER is still missing (set CHROMIUM/CHROMEDRIVER)" >&2
            return 1
        fi
    fi
    note "$("$CHROMIUM" --version 2>/dev/null | head -n1) / $("$CHROMEDRIVER" --version | head -n1)"
}

# npm packages (binaryen's wasm-opt, playwright-core) from package-lock.json,
# reinstalled when the lockfile changed since the last install.
ensure_npm_packages() {
    if [[ ! -f package-lock.json ]]; then
        return 0
    fi
    if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
        note "npm ci"
        npm ci --no-audit --no-fund
    fi
}

# ------------------------------------------------------------------ build ---

cargo_target_dir() {
    cargo metadata --format-version 1 --no-deps |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))'
}

# Builds the npm package into pkg/: release wasm, wasm-bindgen (ES module for
# browsers without a bundler; bundlers such as Vite accept it too), wasm-opt
# from npm binaryen (never Debian's wasm-opt: its output fails in Chromium),
# then pkg/package.json.
build_pkg() {
    local target_dir wasm raw opt_level="${WASM_OPT_LEVEL:--O3}"
    target_dir="$(cargo_target_dir)"
    # WASM_PROFILE=release builds for speed instead of size (BENCHMARKS.md).
    local profile="${WASM_PROFILE:-wasm-release}"
    cargo build --profile "$profile" --target "$WASM_TARGET" --lib
    wasm="$target_dir/$WASM_TARGET/$profile/reeldb.wasm"
    rm -rf pkg
    wasm-bindgen --target web --out-dir pkg --out-name reeldb "$wasm"
    raw=$(wc -c <pkg/reeldb_bg.wasm)
    # wasm-opt reads the enabled features from the module's target_features
    # section, which rustc writes and wasm-bindgen keeps.
    "$ROOT/node_modules/.bin/wasm-opt" "$opt_level" pkg/reeldb_bg.wasm -o pkg/reeldb_bg.opt.wasm
    mv pkg/reeldb_bg.opt.wasm pkg/reeldb_bg.wasm
    note "pkg/reeldb_bg.wasm: $raw bytes from wasm-bindgen, $(wc -c <pkg/reeldb_bg.wasm) after wasm-opt $opt_level, $(gzip -9c pkg/reeldb_bg.wasm | wc -c) gzipped"
    finish_pkg
}

# The package's files beside the wasm-bindgen output: the kit's modules,
# package.json and the README (cheap: done on every build).
finish_pkg() {
    cp kit/*.js kit/*.d.ts pkg/
    node scripts/pkg-json.mjs
    cp README.md pkg/README.md
}

# `up_to_date STAMP KEY INPUT...`: true when STAMP exists, holds KEY (the
# build's settings, so another profile or wasm-opt level rebuilds), and no
# file under the INPUTs is newer than it. FORCE_BUILD=1 rebuilds anyway.
up_to_date() {
    local stamp="$1" key="$2"
    shift 2
    [[ "${FORCE_BUILD:-0}" != 1 && -f "$stamp" && "$(cat "$stamp")" == "$key" ]] || return 1
    [[ -z "$(find "$@" -newer "$stamp" -print -quit 2>/dev/null)" ]]
}

# What the wasm and its glue in pkg/ are built from, and the settings that
# change their bytes.
PKG_INPUTS=(src Cargo.toml Cargo.lock scripts/lib.sh)
pkg_key() {
    echo "profile=${WASM_PROFILE:-wasm-release} wasm-opt=${WASM_OPT_LEVEL:--O3}"
}

# Builds pkg/ unless it is up to date with its inputs (see up_to_date).
ensure_pkg() {
    if up_to_date pkg/.build-stamp "$(pkg_key)" "${PKG_INPUTS[@]}"; then
        note "pkg/'s wasm is up to date with src/, Cargo.toml and Cargo.lock (FORCE_BUILD=1 rebuilds)"
        finish_pkg
        return 0
    fi
    build_pkg
    pkg_key >pkg/.build-stamp
}

# Copies pkg/ into www/pkg/ so that www/ is a self-contained static site.
stage_www() {
    rm -rf www/pkg
    cp -r pkg www/pkg
}
