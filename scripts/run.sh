#!/usr/bin/env bash
# Runs the tracker locally with demo data on http://localhost:${PORT:-8000}/.
# SQLite and in-process tasks unless DATABASE_URL / REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh

venv_ensure requirements.txt

export PYTHONUNBUFFERED=1
port=${PORT:-8000}

echo "==> migrating (${DATABASE_URL:-SQLite: db.sqlite3})"
python manage.py migrate --noinput

echo "==> loading demo data"
python manage.py load_demo

echo "==> serving on http://localhost:${port}/ (admin at http://localhost:${port}/admin/)"
exec python manage.py runserver "0.0.0.0:${port}"
