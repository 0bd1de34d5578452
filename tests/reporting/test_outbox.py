"""The outbox when Redis fails: a parliament's submission never waits on it nor loses its follow-up.

Each test runs a redis-server of its own (tests/celery_worker.py) and stops or freezes
it; nothing on the broker path is replaced. The machine's shared Redis is never touched.
"""

from __future__ import annotations

import json
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from reporting import outbox
from reporting.models import ImplementationReport, OutboxMessage, ReportComment
from reporting.outbox import outbox_add, outbox_dispatch
from reporting.tasks import dispatch_outbox
from tests.celery_worker import (  # noqa: F401 - own_redis_fixture is the own_redis fixture
    RedisServer,
    celery_broker,
    own_redis_fixture,
    redis_cache,
    require_real_services,
)

State = ImplementationReport.State
# A request that touches a dead Redis must still answer in well under this many seconds.
FAST = 3.0


@pytest.fixture
def broker(own_redis: RedisServer, settings):
    """Celery publishes to the test's Redis and the cache lives there too."""
    settings.CACHES = redis_cache(own_redis.url(1))
    with celery_broker(own_redis.url(0)):
        yield own_redis


def queued_tasks(server: RedisServer) -> list[dict]:
    """The task messages waiting in the default queue: their task name and arguments."""
    raw = server.client(0).lrange("celery", 0, -1)
    return [json.loads(item)["headers"] for item in raw]


def submit(client, report: ImplementationReport) -> tuple[object, float]:
    started = time.monotonic()
    response = client.post(reverse("reporting:report_transition", args=[report.pk, "submit"]))
    return response, time.monotonic() - started


@pytest.fixture
def handlers(monkeypatch) -> dict:
    """The outbox's handlers, restored after the test."""
    monkeypatch.setattr(outbox, "_handlers", dict(outbox._handlers))
    return outbox._handlers


# A submission while Redis is down --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_submission_while_redis_is_down_succeeds_at_once_and_its_work_goes_out_later(
    client, broker, report_a, approver_a
):
    broker.stop()
    client.force_login(approver_a)

    response, elapsed = submit(client, report_a)

    assert response.status_code == 302 and response["Location"] == report_a.get_absolute_url()
    assert elapsed < FAST, f"the submission took {elapsed:.1f} s with Redis down"
    assert ImplementationReport.objects.get(pk=report_a.pk).state == State.SUBMITTED
    message = OutboxMessage.objects.get()
    assert message.dispatched_at is None and message.attempts == 1
    assert "refused" in message.last_error.lower() or "111" in message.last_error

    broker.start()
    assert outbox_dispatch() == 1

    message.refresh_from_db()
    assert message.dispatched_at is not None and message.last_error == ""
    (task,) = queued_tasks(broker)
    assert task["task"] == "reporting.tasks.build_cycle_summary"
    assert task["argsrepr"] == repr([report_a.cycle_id])
    assert broker.client(0).llen("celery") == 1
    assert outbox_dispatch() == 0  # nothing twice


@pytest.mark.django_db(transaction=True)
def test_a_submission_while_redis_hangs_waits_only_for_the_socket_timeout(client, broker, report_a, approver_a):
    """A frozen server accepts connections and never answers: the short socket timeouts bound the wait."""
    broker.freeze()
    client.force_login(approver_a)

    response, elapsed = submit(client, report_a)
    broker.thaw()

    assert response.status_code == 302
    assert elapsed < 5.0, f"the submission took {elapsed:.1f} s with Redis hung"
    assert ImplementationReport.objects.get(pk=report_a.pk).state == State.SUBMITTED
    message = OutboxMessage.objects.get()
    assert message.dispatched_at is None and "timeout" in message.last_error.lower()
    assert outbox_dispatch() == 1
    assert [task["task"] for task in queued_tasks(broker)] == ["reporting.tasks.build_cycle_summary"]


@pytest.mark.django_db(transaction=True)
def test_the_periodic_task_and_the_command_catch_up_after_an_outage(broker, report_a, approver_a):
    broker.stop()
    report_a.submit(by=approver_a)  # committed; its message could not be handed over
    assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == 1

    out = StringIO()
    call_command("dispatch_outbox", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == "Dispatched 0 outbox message(s); 1 pending."
    listing = StringIO()
    call_command("dispatch_outbox", "--list", stdout=listing)
    assert "report.transition" in listing.getvalue() and "last error:" in listing.getvalue()
    assert listing.getvalue().rstrip().endswith("1 pending.")

    broker.start()
    assert dispatch_outbox.apply().get() == 1  # what beat runs every minute
    out = StringIO()
    call_command("dispatch_outbox", stdout=out)
    assert out.getvalue().strip() == "Dispatched 0 outbox message(s); 0 pending."
    assert len(queued_tasks(broker)) == 1


# The dispatcher itself -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_what_a_handler_wrote_is_undone_when_it_cannot_publish(broker, handlers, report_a, approver_a):
    """The next attempt starts from the same state, so a retried handler never finds half its work done."""

    def comment_then_publish(payload: dict) -> None:
        ReportComment.objects.create(report_id=payload["report"], author=approver_a, body="written by the handler")
        dispatch_outbox.delay()

    handlers["test.comment"] = comment_then_publish
    broker.stop()
    started = time.monotonic()
    message = outbox_add(topic="test.comment", payload={"report": report_a.pk})  # published on commit
    elapsed = time.monotonic() - started

    assert elapsed < 1.0, f"publishing to a stopped broker took {elapsed:.1f} s"
    assert not ReportComment.objects.exists()
    message.refresh_from_db()
    assert message.dispatched_at is None and message.attempts == 1

    broker.start()
    assert outbox_dispatch() == 1
    assert ReportComment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_broken_message_neither_blocks_the_others_nor_is_lost(handlers):
    handled: list[int] = []

    def needs_a_number(payload: dict) -> None:
        handled.append(int(payload["n"]))  # ValueError or KeyError for a malformed payload

    handlers["test.number"] = needs_a_number
    broken = OutboxMessage.objects.create(topic="test.number", payload={"n": "not a number"})
    unknown = OutboxMessage.objects.create(topic="test.nobody-handles-this", payload={})
    fine = OutboxMessage.objects.create(topic="test.number", payload={"n": 7})

    assert outbox_dispatch() == 1
    assert handled == [7]
    broken.refresh_from_db()
    unknown.refresh_from_db()
    fine.refresh_from_db()
    assert fine.dispatched_at is not None
    assert broken.dispatched_at is None and broken.attempts == 1 and "not a number" in broken.last_error
    assert unknown.dispatched_at is None and "no handler" in unknown.last_error


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_hand_each_message_over_once(handlers):
    """The web request's dispatch and the periodic one may run together: row locks keep them apart."""
    require_real_services(redis_server=False)
    seen: list[int] = []
    lock = threading.Lock()

    def slow(payload: dict) -> None:
        time.sleep(0.02)
        with lock:
            seen.append(payload["n"])

    handlers["test.slow"] = slow
    OutboxMessage.objects.bulk_create([OutboxMessage(topic="test.slow", payload={"n": n}) for n in range(40)])
    start = threading.Barrier(2, timeout=10)
    counts: list[int] = []

    def run() -> None:
        try:
            start.wait()
            counts.append(outbox_dispatch())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(seen) == list(range(40))
    assert sum(counts) == 40 and len(counts) == 2
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()
