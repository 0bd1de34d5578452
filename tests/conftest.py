"""Session-wide service checks and fixtures for real backing services.

The suite is meant to run against PostgreSQL and Redis (``./scripts/test.sh`` points
``DATABASE_URL`` and ``REDIS_URL`` at them). With ``CI=true`` a missing service stops the
session with exit status 1; a local run only prints a warning, so a quick run on SQLite
stays possible.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings

from tests.smtp import smtp_server, smtp_sink  # noqa: F401 - fixtures shared by the whole suite

_TRUE = {"1", "true", "yes", "on"}


def ci_enabled() -> bool:
    return os.environ.get("CI", "").strip().lower() in _TRUE


def _postgres_problem() -> str | None:
    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        return f"the test database is {database['ENGINE']}, not PostgreSQL (set DATABASE_URL=postgres://...)"
    import psycopg2

    try:
        # The maintenance database always exists; the project's may not yet.
        psycopg2.connect(
            dbname="postgres",
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
            connect_timeout=3,
        ).close()
    except psycopg2.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL at {database.get('HOST')}:{database.get('PORT')} cannot be reached: {first_line}"
    return None


def _redis_problem() -> str | None:
    url = settings.REDIS_URL
    if not url:
        return "REDIS_URL is not set, so Celery runs eagerly and Redis is not tested"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {urlsplit(url).netloc} cannot be reached: {exc}"
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    problems = [problem for problem in (_postgres_problem(), _redis_problem()) if problem]
    if not problems:
        return
    if ci_enabled():
        pytest.exit(
            "CI=true and a required service is missing:\n  - " + "\n  - ".join(problems),
            returncode=1,
        )
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    reporter.write_sep("!", "running without the production services", yellow=True, bold=True)
    for problem in problems:
        reporter.write_line(f"  - {problem}", yellow=True)
    reporter.write_line("  Tests that need them are skipped; ./scripts/test.sh runs them all.", yellow=True)
    reporter.write_sep("!", yellow=True)


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    """A client on REDIS_URL's database, emptied before and after the test."""
    problem = _redis_problem()
    if problem:
        if ci_enabled():
            pytest.fail(problem)
        pytest.skip(problem)
    client = redis.Redis.from_url(settings.REDIS_URL)
    database = client.connection_pool.connection_kwargs.get("db", 0)
    if not database:
        pytest.fail("REDIS_URL points at Redis database 0; tests empty their database, use one such as /15")
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()
