"""The suite really talks to PostgreSQL and Redis, and Celery is wired to Redis."""

from __future__ import annotations

import os
import uuid

import pytest
from django.conf import settings
from django.db import connection

from tracker.celery import app as celery_app


def ci_enabled() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.mark.django_db
def test_database_is_postgresql():
    if connection.vendor != "postgresql" and not ci_enabled():
        pytest.skip("local run on SQLite")
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_setting('server_version_num')::int")
        name, version = cursor.fetchone()
    assert name.startswith("test_")
    assert version >= 150000


def test_redis_round_trips_a_value(redis_client):
    key = f"services-up:{uuid.uuid4()}"
    redis_client.set(key, "Kigali", ex=60)
    assert redis_client.get(key) == b"Kigali"
    assert redis_client.ttl(key) > 0


def test_redis_client_starts_empty(redis_client):
    assert redis_client.dbsize() == 0


def test_celery_uses_redis_when_redis_url_is_set():
    if not settings.REDIS_URL:
        if ci_enabled():
            pytest.fail("REDIS_URL is not set under CI")
        assert celery_app.conf.task_always_eager is True
        pytest.skip("REDIS_URL not set: tasks run eagerly")
    assert celery_app.conf.broker_url == settings.REDIS_URL
    assert celery_app.conf.result_backend == settings.REDIS_URL
    assert celery_app.conf.task_always_eager is False
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_serializer == "json"


def test_celery_broker_accepts_a_connection():
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL not set: no broker")
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected
