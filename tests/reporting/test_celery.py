"""Celery: its configuration, the beat schedule, and notices under failure with real workers.

What is guaranteed about notices, and checked here against a real Redis, real worker
processes and a real SMTP server:

- a notice is marked sent in the same transaction that claimed it (a row lock), only
  after the mail server accepted it; a notice already sent, or held by another worker,
  is never sent again (two workers, two daily runs, a redelivered message);
- a worker killed before the mail server accepted the message sends nothing: its
  transaction rolls back and, with ``acks_late``, the message comes back to the queue
  (after the broker's visibility timeout) and another worker sends the notice once;
- a worker killed after the server accepted the message but before the commit may
  send that one notice a second time when the message comes back; it is the only case
  of a duplicate, at most one notice per killed worker (prefetch 1, one task at a time);
- a 4xx refusal leaves the notice failed with its last error, and the task comes back
  when the notice's next attempt is due (doubling delays, reporting.reminders).
"""

from __future__ import annotations

import ast
import json
import os
import smtplib
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask, PeriodicTasks
from django_celery_beat.schedulers import DatabaseScheduler

from reporting import reminders
from reporting.models import Notice, ReportingCycle
from reporting.reminders import reminders_plan
from reporting.tasks import (
    longest_countdown,
    mail_error_is_transient,
    notice_retry_countdown,
    send_due_reminders,
    send_notice,
)
from tests.celery_worker import (  # noqa: F401 - the *_fixture names are fixtures
    RedisServer,
    Workers,
    celery_broker,
    embedded_worker,
    own_redis_fixture,
    slow_smtp,
    wait_for,
    worker_env,
    workers_fixture,
)
from tests.reporting.factories import make_parliaments, make_resolution, make_user, open_test_cycle
from tracker.celery import app as celery_app
from tracker.models import FocalPoint, Parliament, User

BASE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TASKS = {
    "reporting.tasks.send_due_reminders",
    "reporting.tasks.send_notice",
    "reporting.tasks.build_cycle_summary",
    "reporting.tasks.build_all_summaries",
    "reporting.tasks.dispatch_outbox",
}


# Configuration -----------------------------------------------------------------------------------


def test_the_tasks_are_registered_and_acknowledged_late():
    assert TASKS <= set(celery_app.tasks.keys())
    for name in TASKS:
        assert celery_app.tasks[name].acks_late is True, name


def test_messages_are_json_only_and_acknowledged_when_done():
    conf = celery_app.conf
    assert conf.accept_content == ["json"]
    assert conf.result_accept_content == ["json"]
    assert (conf.task_serializer, conf.result_serializer) == ("json", "json")
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_connection_retry_on_startup is True
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


_DUMP = """
import json
import django
from django.conf import settings

django.setup()
from tracker.celery import app

print(json.dumps({
    "broker": app.conf.broker_url,
    "eager": app.conf.task_always_eager,
    "publish_retry": app.conf.task_publish_retry,
    "transport": app.conf.broker_transport_options,
    "connection_timeout": app.conf.broker_connection_timeout,
    "cache": settings.CACHES["default"],
}))
"""


def test_redis_url_configures_a_broker_and_cache_that_fail_fast():
    """With REDIS_URL set: Redis broker and cache, publishing not retried, short socket timeouts."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(DJANGO_SETTINGS_MODULE="tracker.settings.base", REDIS_URL="redis://cache.example.org:6379/2")
    result = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-c", _DUMP], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["broker"] == "redis://cache.example.org:6379/2" and values["eager"] is False
    assert values["publish_retry"] is False
    transport = values["transport"]
    assert transport["socket_connect_timeout"] <= 3 and transport["socket_timeout"] <= 3
    assert transport["max_retries"] == 0 and values["connection_timeout"] <= 3
    assert values["cache"]["LOCATION"] == "redis://cache.example.org:6379/2"
    assert values["cache"]["OPTIONS"]["socket_connect_timeout"] <= 3
    assert values["cache"]["OPTIONS"]["socket_timeout"] <= 3


def test_no_retry_waits_in_the_broker_longer_than_its_visibility_timeout_allows():
    visibility = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert longest_countdown() * 2 <= visibility
    assert celery_app.conf.task_time_limit < visibility
    assert celery_app.tasks["reporting.tasks.build_all_summaries"].time_limit < visibility


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPDataError(451, b"Try again later"), True),
        (smtplib.SMTPSenderRefused(421, b"Too busy", "noreply@localhost"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"Mailbox busy")}), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPDataError(554, b"Rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")}), False),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (450, b"Busy"), "b@x.org": (550, b"No")}), False),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), False),
    ],
)
def test_which_mail_errors_are_retried(error, transient):
    assert mail_error_is_transient(error) is transient


@pytest.mark.django_db
def test_a_notice_that_does_not_exist_is_not_sent():
    assert send_notice.apply(args=(987_654,)).get() is False


# The beat schedule -------------------------------------------------------------------------------


def _schedule_rows() -> list:
    return [
        list(PeriodicTask.objects.order_by("pk").values()),
        list(CrontabSchedule.objects.order_by("pk").values()),
        list(IntervalSchedule.objects.order_by("pk").values()),
        list(PeriodicTasks.objects.values()),
    ]


def _setup_schedule() -> str:
    out = StringIO()
    call_command("setup_schedule", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_setup_schedule_creates_the_periodic_tasks_and_a_second_run_changes_nothing():
    assert "3 created, 0 updated, 0 unchanged" in _setup_schedule()

    tasks = {task.name: task for task in PeriodicTask.objects.select_related("crontab", "interval")}
    reminders_entry = tasks["Send due reminders"]
    assert reminders_entry.task == "reporting.tasks.send_due_reminders" and reminders_entry.enabled
    crontab = reminders_entry.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == (
        "0",
        "6",
        "*",
        "*",
        "*",
    )
    assert str(crontab.timezone) == "UTC"
    outbox_entry = tasks["Dispatch the outbox"]
    assert outbox_entry.task == "reporting.tasks.dispatch_outbox"
    assert (outbox_entry.interval.every, outbox_entry.interval.period) == (1, IntervalSchedule.MINUTES)
    assert outbox_entry.expire_seconds == 50
    summaries_entry = tasks["Rebuild all summaries"]
    assert summaries_entry.task == "reporting.tasks.build_all_summaries"
    assert (summaries_entry.crontab.minute, summaries_entry.crontab.hour) == ("30", "2")
    assert {task.task for task in tasks.values()} <= set(celery_app.tasks.keys())
    # What beat itself makes of those rows.
    entries = {name: DatabaseScheduler.Entry(task, app=celery_app) for name, task in tasks.items()}
    assert entries["Send due reminders"].schedule.hour == {6}
    assert entries["Send due reminders"].schedule.minute == {0}
    assert entries["Dispatch the outbox"].schedule.run_every == timedelta(minutes=1)
    assert entries["Dispatch the outbox"].options["expires"] == 50

    before = _schedule_rows()
    assert "0 created, 0 updated, 3 unchanged" in _setup_schedule()
    assert _schedule_rows() == before


@pytest.mark.django_db
def test_setup_schedule_restores_the_definition_and_keeps_a_pause():
    _setup_schedule()
    entry = PeriodicTask.objects.get(name="Send due reminders")
    entry.crontab = CrontabSchedule.objects.create(minute="15", hour="9", timezone="UTC")
    entry.enabled = False
    entry.save()

    assert "0 created, 1 updated, 2 unchanged" in _setup_schedule()
    entry.refresh_from_db()
    assert (entry.crontab.minute, entry.crontab.hour) == ("0", "6")
    assert entry.enabled is False


# Notices with real workers -----------------------------------------------------------------------


def _address(parliament: Parliament) -> str:
    return f"focal@{parliament.iso3.lower()}.example"


def _cycle_with_focal_points(count: int, prefix: str) -> ReportingCycle:
    """An open cycle asking ``count`` new parliaments, each with one focal point receiving reminders."""
    parliaments = make_parliaments(count, prefix=prefix)
    FocalPoint.objects.bulk_create(
        [
            FocalPoint(parliament=parliament, name="Focal point", email=_address(parliament))
            for parliament in parliaments
        ]
    )
    admin = make_user(f"admin-{prefix.lower()}", User.Role.SECRETARIAT_ADMIN)
    return open_test_cycle(resolution=make_resolution(commitments=1), parliaments=parliaments, admin=admin)


def _opening_notices(cycle: ReportingCycle) -> list[Notice]:
    """One recorded, unsent "reporting is open" notice per report, as the daily run records them."""
    reports = cycle.reports.select_related("parliament").order_by("parliament__iso3")
    return Notice.objects.bulk_create(
        [
            Notice(
                cycle=cycle,
                parliament=report.parliament,
                report=report,
                kind=Notice.Kind.OPENING,
                period="opening",
                recipients=[_address(report.parliament)],
                subject=f"Reporting is open: {cycle.title}"[:300],
                due_on=cycle.due_date,
            )
            for report in reports
        ]
    )


def _unsent() -> int:
    return Notice.objects.exclude(state=Notice.State.SENT).count()


def _queues_empty(server: RedisServer) -> bool:
    client = server.client(0)
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_no_notice_unsent_and_none_sent_twice(own_redis, workers: Workers):
    notices = _opening_notices(_cycle_with_focal_points(6, "K"))
    broker = own_redis.url(0)
    with slow_smtp(mail_delay=0.5) as sink, celery_broker(broker):
        env = worker_env(redis_url=broker, smtp_port=sink.port)
        (first,) = workers.start("first", env=env)
        for notice in notices:
            send_notice.delay(notice.pk)

        # The third notice is on its way (its MAIL FROM unanswered) when the worker dies.
        wait_for(lambda: sink.handler.mail_started >= 3, timeout=30, what="the third notice to be on its way")
        first.kill()

        assert len(sink.messages) == 2
        assert Notice.objects.filter(state=Notice.State.SENT).count() == 2
        client = own_redis.client(0)
        assert client.hlen("unacked") == 1  # the message in hand was never acknowledged
        assert client.llen("celery") == 3
        # The broker hands it out again once its visibility timeout (two hours) has passed;
        # rather than wait, the test dates its delivery back.
        client.zadd("unacked_index", {tag: 0 for tag in client.zrange("unacked_index", 0, -1)})

        (second,) = workers.start("second", env=env)
        wait_for(lambda: _unsent() == 0, timeout=60, what="every notice to be sent")
        wait_for(lambda: _queues_empty(own_redis), timeout=10, what="the queue to empty")

    received = Counter(address for message in sink.messages for address in message.rcpt_tos)
    assert received == {notice.recipients[0]: 1 for notice in notices}
    assert sink.handler.mail_started == len(notices) + 1  # the interrupted attempt, then each notice once
    assert len(second.succeeded("reporting.tasks.send_notice")) == 4
    assert set(Notice.objects.values_list("attempts", flat=True)) == {1}  # the killed attempt left no trace


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_daily_reminders_at_once_send_each_notice_once(own_redis, workers: Workers):
    _cycle_with_focal_points(8, "W")
    today = timezone.localdate()
    expected = {(tuple(item.recipients), f"{item.kind} {item.period}") for item in reminders_plan(today=today)}
    assert len(expected) >= 8
    broker = own_redis.url(0)
    with slow_smtp(mail_delay=0.1) as sink, celery_broker(broker):
        env = worker_env(redis_url=broker, smtp_port=sink.port)
        one, two = workers.start("one", "two", env=env)
        send_due_reminders.delay(today.isoformat())
        send_due_reminders.delay(today.isoformat())

        task = "reporting.tasks.send_due_reminders"
        wait_for(lambda: one.succeeded(task) and two.succeeded(task), timeout=60, what="both runs to finish")

    delivered = Counter((message.rcpt_tos, message["X-Tracker-Notice"]) for message in sink.messages)
    assert set(delivered) == expected
    assert set(delivered.values()) == {1}
    assert Notice.objects.count() == len(expected) and _unsent() == 0
    # Each worker ran the whole schedule; between them they sent every notice once.
    results = [
        line.partition(" succeeded in ")[2].partition(": ")[2] for line in one.succeeded(task) + two.succeeded(task)
    ]
    sent = [ast.literal_eval(result) for result in results]
    assert len(sent) == 2 and sum(sum(counts.values()) for counts in sent) == len(expected)


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_answering_451_gets_the_notice_later_with_backoff_and_once(
    own_redis, settings, monkeypatch, tmp_path
):
    # The notice's backoff, shortened from minutes to seconds; the delays still double.
    monkeypatch.setattr(reminders, "RETRY_BASE", timedelta(seconds=1))
    (notice,) = _opening_notices(_cycle_with_focal_points(1, "R"))
    address = notice.recipients[0]
    with slow_smtp() as sink, celery_broker(own_redis.url(0)):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = sink.host, sink.port
        sink.refuse()  # "451 4.3.0 Try again later"
        with embedded_worker(tmp_path / "worker.log"):
            send_notice.delay(notice.pk)

            wait_for(
                lambda: Notice.objects.filter(pk=notice.pk, attempts=1).exists(), timeout=20, what="a first refusal"
            )
            notice.refresh_from_db()
            assert notice.state == Notice.State.FAILED and notice.sent_at is None
            assert "451" in notice.last_error and notice.next_attempt_at is not None
            assert sink.messages == []

            wait_for(lambda: sink.refused >= 2, timeout=20, what="the retry, refused again")
            sink.accept()
            wait_for(lambda: _unsent() == 0, timeout=20, what="the notice to be sent")
            wait_for(lambda: _queues_empty(own_redis), timeout=10, what="no retry left waiting")

    assert [message.rcpt_tos for message in sink.messages] == [(address,)]
    assert sink.refused == 2
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.last_error) == (Notice.State.SENT, 3, "")
    # Tried again after about 1 s, then after about 2 s: the notice's doubling backoff, never at once.
    first, second, third = sink.handler.data_times
    assert 1.0 <= second - first < 4
    assert 2.0 <= third - second < 6


@pytest.mark.django_db
def test_a_retry_waits_for_the_notice_s_next_attempt_and_never_longer_than_the_broker_allows():
    (notice,) = _opening_notices(_cycle_with_focal_points(1, "C"))
    assert notice_retry_countdown(notice.pk) is None  # pending: nothing to wait for

    now = timezone.now()
    Notice.objects.filter(pk=notice.pk).update(state=Notice.State.FAILED, next_attempt_at=now + timedelta(minutes=5))
    assert 300 <= notice_retry_countdown(notice.pk) <= 300 + 31
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=now + timedelta(hours=12))
    assert notice_retry_countdown(notice.pk) == longest_countdown()
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=now - timedelta(seconds=1))
    assert notice_retry_countdown(notice.pk) is None  # due: the attempt just made was it
