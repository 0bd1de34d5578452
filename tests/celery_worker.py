"""Real background-task machinery for tests: a Redis server of the test's own, Celery workers, a slow SMTP relay.

- ``RedisServer``: a ``redis-server`` on a free port that a test may stop (Redis down),
  freeze (Redis hung) and start again, never the shared Redis on 6379.
- ``celery_broker(url)``: points the project's Celery app at that server, not eager.
- ``WorkerProcess``: ``celery -A tracker worker --pool=solo -l info`` as a subprocess on
  the test database (pytest-django's ``test_<name>``) and the test's Redis, which a test
  may SIGKILL. Rows a test commits (``django_db(transaction=True)``) are visible to it.
- ``SlowSinkHandler``: the SMTP sink of tests/smtp.py taking a while to answer MAIL FROM.

The fixtures are defined here under their names and imported by the test modules:

    from tests.celery_worker import own_redis_fixture, workers_fixture  # noqa: F401 - fixtures

``embedded_worker()`` runs a worker in a thread of the test process instead, for tests
that change settings or constants the worker must see.

Without the ``redis-server`` binary or PostgreSQL they skip, saying why; with ``CI=true``
they fail instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from tests.smtp import HOST, SinkHandler, SmtpSink
from tracker.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parent.parent
_TRUE = {"1", "true", "yes", "on"}
_PASSTHROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def ci_enabled() -> bool:
    return os.environ.get("CI", "").strip().lower() in _TRUE


def require_real_services(*, redis_server: bool = True) -> None:
    """Skip (locally) or fail (under CI) unless redis-server can be started and the database is PostgreSQL."""
    problems = []
    if redis_server and shutil.which("redis-server") is None:
        problems.append("the redis-server binary is not installed (apt-get install redis-server)")
    if connection.vendor != "postgresql":
        problems.append(
            f"the test database is {connection.vendor}: a worker process can only share a PostgreSQL "
            "test database (set DATABASE_URL=postgres://...)"
        )
    if not problems:
        return
    if ci_enabled():
        pytest.fail("CI=true and " + "; ".join(problems))
    pytest.skip("; ".join(problems))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll ``condition`` until it is true; fail the test saying ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# Redis -----------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server on a free port, without persistence, that the test owns."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.frozen = False

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=5, socket_connect_timeout=5)

    def start(self) -> None:
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(self.directory),
        ]
        with open(self.directory / "redis.log", "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        wait_for(self._answers, timeout=10, what=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
            pytest.fail(f"redis-server on port {self.port} exited: {log}")
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """Shut the server down: clients get "connection refused" until ``start``."""
        if self.process is None:
            return
        self.thaw()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        """Stop the process (SIGSTOP): connections open, nothing answers, as a hung server."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        if self.process is not None and self.frozen:
            self.process.send_signal(signal.SIGCONT)
        self.frozen = False


@pytest.fixture(name="own_redis")
def own_redis_fixture(tmp_path: Path) -> Iterator[RedisServer]:
    """A running redis-server of this test's own; stopped afterwards."""
    require_real_services()
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def redis_cache(url: str) -> dict[str, dict]:
    """CACHES pointing at ``url``, with the project's Redis cache options."""
    default = settings.CACHES["default"]
    options = dict(default.get("OPTIONS", {})) if default["BACKEND"].endswith("RedisCache") else {}
    options.setdefault("socket_connect_timeout", 2)
    options.setdefault("socket_timeout", 2)
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "OPTIONS": options}}


# Celery ----------------------------------------------------------------------------------------


def _drop_connection_pools() -> None:
    """Close the app's broker connections, so the next publish connects to the current broker_url."""
    pool = celery_app._pool
    if pool is not None:
        pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # kombu keeps producer pools per connection in a global registry; closed ones must go too.
    kombu_pools.reset()


@contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Publish to ``url`` for the block (not eagerly), then go back to the configured broker.

    Change the app's configuration here, never Django's CELERY_* settings in a test: the
    app reads those once, maybe during that test, and would keep the test's values.
    """
    saved = {"broker_url": celery_app.conf.broker_url, "task_always_eager": celery_app.conf.task_always_eager}
    _drop_connection_pools()
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        _drop_connection_pools()
        celery_app.conf.update(saved)


def worker_database_url() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's ``test_<name>``)."""
    db = connection.settings_dict
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def worker_env(*, redis_url: str, smtp_port: int | None = None) -> dict[str, str]:
    """The environment of a worker process: base settings on the test database, the test's Redis and SMTP."""
    env = {name: os.environ[name] for name in _PASSTHROUGH if name in os.environ}
    env.update(
        PYTHONPATH=str(BASE_DIR),
        PYTHONDONTWRITEBYTECODE="1",
        DJANGO_SETTINGS_MODULE="tracker.settings.base",
        DJANGO_DEBUG="false",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=worker_database_url(),
        REDIS_URL=redis_url,
        EMAIL_TIMEOUT="10",
    )
    if smtp_port is not None:
        env["EMAIL_URL"] = f"smtp://{HOST}:{smtp_port}"
    return env


class WorkerProcess:
    """One ``celery -A tracker worker --pool=solo -l info`` process, its output in ``log_path``."""

    def __init__(self, name: str, env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--pool=solo", "-l", "info"]
        # A name of its own, and none of the start-up chatter between workers the tests do not need.
        command += ["-n", f"{self.name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed interpreter and arguments
                command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            pytest.fail(f"worker {self.name} exited with {self.process.returncode}:\n{self.log()[-4000:]}")
        return " ready." in self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def succeeded(self, task: str) -> list[str]:
        """The log lines of this worker's successful runs of ``task``."""
        return [line for line in self.log().splitlines() if f"Task {task}[" in line and " succeeded in " in line]

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, no message handed back."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # warm shutdown: finishes the task at hand
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class Workers:
    """The worker processes of one test."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[WorkerProcess] = []

    def start(self, *names: str, env: dict[str, str], timeout: float = 60) -> list[WorkerProcess]:
        """Start one worker per name, all at once, and wait until every one is ready."""
        batch = [WorkerProcess(name, env, self.directory / f"worker-{name}.log") for name in names]
        self.started += batch
        for worker in batch:
            worker.launch()
        for worker in batch:
            wait_for(worker.ready, timeout=timeout, what=f"worker {worker.name} to be ready")
        return batch

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


@pytest.fixture(name="workers")
def workers_fixture(tmp_path: Path, transactional_db) -> Iterator[Workers]:
    """Start worker processes with ``workers.start(name, env=...)``; stopped before the database is emptied."""
    require_real_services()
    workers = Workers(tmp_path)
    try:
        yield workers
    finally:
        workers.stop_all()


@contextmanager
def embedded_worker(log_path: Path) -> Iterator[None]:
    """A real worker (solo pool, on the configured broker) in a thread of the test process.

    It sees the test's settings (``settings`` fixture, monkeypatched constants), which a
    worker process cannot. The root logger's handlers, which a worker takes over, are
    restored afterwards.
    """
    from celery.contrib.testing.worker import start_worker

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            loglevel="INFO",
            logfile=str(log_path),
            shutdown_timeout=30,
        ):
            yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


# SMTP ------------------------------------------------------------------------------------------


class SlowSinkHandler(SinkHandler):
    """The sink of tests/smtp.py, answering MAIL FROM only after ``mail_delay`` seconds.

    The delay comes before the message is transmitted, so a sender killed meanwhile has
    delivered nothing. ``mail_started`` counts the MAIL commands received; ``data_times``
    holds when each message arrived (accepted or refused), by ``time.monotonic()``.
    """

    def __init__(self, mail_delay: float = 0) -> None:
        super().__init__()
        self.mail_delay = mail_delay
        self._count_lock = threading.Lock()
        self._mail_started = 0
        self._data_times: list[float] = []

    @property
    def mail_started(self) -> int:
        with self._count_lock:
            return self._mail_started

    @property
    def data_times(self) -> list[float]:
        with self._count_lock:
            return list(self._data_times)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._count_lock:
            self._data_times.append(time.monotonic())
        return await super().handle_DATA(server, session, envelope)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        with self._count_lock:
            self._mail_started += 1
        if self.mail_delay:
            await asyncio.sleep(self.mail_delay)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


@contextmanager
def slow_smtp(mail_delay: float = 0) -> Iterator[SmtpSink]:
    """An SMTP server of the test's own on a free port, answering MAIL FROM after ``mail_delay`` seconds."""
    handler = SlowSinkHandler(mail_delay)
    controller: Controller | None = None
    for _attempt in range(5):
        candidate = Controller(handler, hostname=HOST, port=free_port(), ready_timeout=10)
        try:
            candidate.start()
        except OSError:
            continue
        controller = candidate
        break
    if controller is None:
        pytest.fail("could not start the slow SMTP sink")
    try:
        yield SmtpSink(host=HOST, port=controller.port, handler=handler)
    finally:
        controller.stop()
