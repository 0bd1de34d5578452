#!/usr/bin/env bash
# Lint, format check, migration check and the test suite against PostgreSQL and Redis.
# Extra arguments go to pytest, e.g. ./scripts/test.sh tests/tracker -x
# Every step runs; the script exits non-zero if any of them failed.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh

venv_ensure requirements-dev.txt || exit 1

# --- Browser tests ------------------------------------------------------------
# Tests marked `browser` (tests/e2e) drive Debian's Chromium, /usr/bin/chromium, through
# Playwright; Playwright's own browser downloads are never used. The package is installed
# here when it is missing. A browser that cannot be installed stops the run: with CI=true
# the browser tests would fail anyway, and a local run must not pass without them.
browser_ensure() {
    local chromium=/usr/bin/chromium
    [ -x "$chromium" ] && return 0
    echo "==> $chromium is missing; installing Debian's chromium package"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "error: $chromium is missing, and installing it needs root (no sudo here):" >&2
            echo "       apt-get update && apt-get install -y chromium" >&2
            return 1
        fi
        sudo=(sudo -n)
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: $chromium is missing and there is no apt-get to install it; the browser tests need" >&2
        echo "       Debian's (or Ubuntu's) chromium package at $chromium" >&2
        return 1
    fi
    if ! ${sudo[@]+"${sudo[@]}"} apt-get update -qq ||
        ! ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; then
        echo "error: installing the chromium package failed (see apt-get's messages above)" >&2
        return 1
    fi
    if [ ! -x "$chromium" ]; then
        echo "error: the chromium package is installed but $chromium is not there" >&2
        return 1
    fi
    echo "==> $("$chromium" --version 2>/dev/null || echo chromium) installed"
}
if ! browser_ensure; then
    echo "==> browser (chromium) failed" >&2
    echo "FAILED: browser (chromium)" >&2
    exit 1
fi
# ------------------------------------------------------------------------------

export DJANGO_SETTINGS_MODULE=tracker.settings.test
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tracker}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}
export PYTHONDONTWRITEBYTECODE=1

failed=()
step() {
    local name=$1
    shift
    echo "==> $name"
    "$@"
    local rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "==> $name failed (exit $rc)" >&2
        failed+=("$name")
    fi
    return 0
}

step "ruff check" python -m ruff check .
step "ruff format --check" python -m ruff format --check .
# Migration state is a property of the code, not of a database: check it on SQLite in memory.
step "makemigrations --check" env DATABASE_URL="sqlite://:memory:" \
    python manage.py makemigrations --check --dry-run
# pytest exits 5 when it collects no tests; any non-zero status counts as a failure.
step "pytest" python -m pytest "$@"

if [ "${#failed[@]}" -ne 0 ]; then
    (IFS=","; echo "FAILED: ${failed[*]}" | sed 's/,/, /g' >&2)
    exit 1
fi
echo "All checks passed."
