"""Settings profiles, checked in fresh interpreters with controlled environments.

Settings are read once per process, so every case runs ``manage.py`` or a short script in
a subprocess whose environment holds only what the case sets.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
_PASSTHROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")

_DUMP_SETTINGS = """
import json
import django
from django.conf import settings

django.setup()
from tracker.celery import app

db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "host": db.get("HOST", ""),
    "port": db.get("PORT", ""),
    "debug": settings.DEBUG,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": app.conf.broker_url,
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": getattr(settings, "EMAIL_HOST", ""),
    "email_port": getattr(settings, "EMAIL_PORT", 0),
    "email_use_tls": getattr(settings, "EMAIL_USE_TLS", False),
    "upload_max": settings.RESOLUTION_UPLOAD_MAX_BYTES,
    "static_root": str(settings.STATIC_ROOT),
    "media_root": str(settings.MEDIA_ROOT),
}))
"""


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {name: os.environ[name] for name in _PASSTHROUGH if name in os.environ}
    clean.update(env)
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


def settings_of(module: str, **env: str) -> dict:
    result = run(["-c", _DUMP_SETTINGS], **{"DJANGO_SETTINGS_MODULE": module, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def production_env(**extra: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tracker.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
        **extra,
    }


def test_production_passes_the_deployment_checklist():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_collects_static_files(tmp_path):
    """What the container build runs: hashed, compressed static files with production settings."""
    env = production_env(DJANGO_STATIC_ROOT=str(tmp_path / "static"), DATABASE_URL=f"sqlite:///{tmp_path}/db")
    result = run(["manage.py", "collectstatic", "--noinput"], **env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").is_file()


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_ignores_django_debug():
    env = production_env(DJANGO_DEBUG="true")
    assert settings_of(env.pop("DJANGO_SETTINGS_MODULE"), **env)["debug"] is False


def test_without_database_or_redis_url_the_defaults_are_sqlite_and_eager_tasks():
    values = settings_of("tracker.settings.base")
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(BASE_DIR / "db.sqlite3")
    assert values["eager"] is True
    assert values["broker"] == "memory://"
    assert values["debug"] is True
    assert values["email_backend"] == "django.core.mail.backends.console.EmailBackend"


def test_empty_variables_count_as_unset():
    values = settings_of(
        "tracker.settings.base",
        DATABASE_URL="",
        REDIS_URL="",
        EMAIL_URL="",
        DJANGO_STATIC_ROOT="",
        DJANGO_MEDIA_ROOT="",
    )
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["static_root"] == str(BASE_DIR / "staticfiles")
    assert values["media_root"] == str(BASE_DIR / "var" / "media")
    assert values["eager"] is True
    assert values["email_backend"] == "django.core.mail.backends.console.EmailBackend"


def test_database_url_selects_postgresql():
    values = settings_of("tracker.settings.base", DATABASE_URL="postgres://tracker:secret@db.example.org:5433/tracker")
    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["name"], values["host"], values["port"]) == ("tracker", "db.example.org", 5433)


def test_redis_url_sends_tasks_to_redis():
    values = settings_of("tracker.settings.base", REDIS_URL="redis://cache.example.org:6379/2")
    assert values["eager"] is False
    assert values["broker"] == "redis://cache.example.org:6379/2"


def test_email_url_selects_smtp():
    values = settings_of("tracker.settings.base", EMAIL_URL="smtp+tls://mailer:pw@mail.example.org:587")
    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["email_host"], values["email_port"], values["email_use_tls"]) == (
        "mail.example.org",
        587,
        True,
    )


def test_upload_cap_is_read_from_the_environment():
    assert settings_of("tracker.settings.base", RESOLUTION_UPLOAD_MAX_BYTES="1000")["upload_max"] == 1000


@pytest.mark.parametrize("module", ["tracker.settings.base", "tracker.settings.test"])
def test_profiles_load_with_an_empty_environment(module):
    assert settings_of(module)["engine"]


def test_env_example_lists_every_variable_the_settings_read():
    read = set()
    for path in (BASE_DIR / "tracker" / "settings").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"""env_(?:str|bool|int|list)\(\s*["']([A-Z0-9_]+)["']""", source))
        read |= set(re.findall(r"""os\.environ(?:\.get)?[\[(]\s*["']([A-Z0-9_]+)["']""", source))
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (BASE_DIR / ".env.example").read_text(), re.M))
    assert read, "no variables found in the settings"
    assert read - listed == set()
