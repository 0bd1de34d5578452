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
# Tests marked `browser` drive Debian's Chromium (/usr/bin/chromium). They need the
# chromium and chromium-driver packages; install them here, before pytest runs:
#   command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium chromium-driver; }
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
