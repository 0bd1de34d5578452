"""Notice emails through a real SMTP server: content and language, refusals and retries, returns.

Mail goes from Django's SMTP backend to the aiosmtpd sink of tests/smtp.py; nothing on
the mail path is replaced. Dates as in test_reminders.py: the cycle opens on 15 January
2030 and is due on 1 October 2030; A writes in English, B in French, C has no focal point.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.utils import timezone

from reporting import reminders
from reporting.models import ImplementationReport, Notice, OutboxMessage, ReportEvent, ReportingCycle
from reporting.outbox import outbox_dispatch
from reporting.reminders import notice_deliver, notice_for_return, reminders_plan, reminders_record, reminders_run
from reporting.tasks import send_notice
from tests.reporting.test_reminders import SECRETARIAT, prepare_reminders
from tracker.celery import app as celery_app

State = ImplementationReport.State
Kind = Notice.Kind
TITLE = "Implementation of \u201cParliaments and the follow-up of commitments\u201d"
RESOLUTION = "Parliaments and the follow-up of commitments"


@pytest.fixture
def quiet_cycle(settings, cycle) -> ReportingCycle:
    """The cycle of test_reminders.py without idle-draft notices, so each test sees only the kinds it looks at."""
    prepare_reminders(settings, cycle)
    ReportingCycle.objects.filter(pk=cycle.pk).update(idle_draft_days=0)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def eager() -> Iterator[None]:
    """Celery tasks run in-process for the test, even when REDIS_URL points at a broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = before


def _one(sink, address: str, kind: str):
    found = [m for m in sink.to(address) if m["X-Tracker-Notice"].startswith(f"{kind} ")]
    assert len(found) == 1, [m["Subject"] for m in sink.to(address)]
    return found[0]


def _notice(parliament, kind: str) -> Notice:
    return Notice.objects.get(parliament=parliament, kind=kind)


# What arrives -----------------------------------------------------------------------------------


def test_each_notice_arrives_once_in_the_parliament_language(quiet_cycle, smtp_sink, report_a, report_b):
    assert reminders_run(today=date(2030, 9, 26))["due_soon"] == 2
    assert reminders_run(today=date(2030, 9, 26)) == dict.fromkeys(Kind.values, 0)
    assert len(smtp_sink.messages) == 4  # an opening and a due-soon notice each for A and B

    english = _one(smtp_sink, "ada@parl-a.example", "due_soon")
    assert english["Subject"] == f"Report due in 5 days: {TITLE}"
    assert english["From"] == "IPU Resolution Tracker <noreply@localhost>"
    assert english["To"] == "ada@parl-a.example" and english["Cc"] is None
    assert english["Content-Language"] == "en"
    text = english.part("text/plain")
    assert text.startswith("Dear colleagues,\n\nThe report of Parliament A on the implementation of the resolution")
    assert f"\u201c{RESOLUTION}\u201d is due on 1 October 2030, in 5 days." in text
    assert f"Open the report: https://tracker.ipu.example/reports/{report_a.pk}/" in text
    assert "\n\n\n" not in text
    html = english.part("text/html")
    assert '<html lang="en">' in html
    assert f'href="https://tracker.ipu.example/reports/{report_a.pk}/"' in html
    assert "Parliament A" in html and "1 October 2030" in html

    french = _one(smtp_sink, "bea@parl-b.example", "due_soon")
    assert french["Subject"] == f"Rapport attendu dans 5 jours : {TITLE}"
    assert french["Content-Language"] == "fr"
    text = french.part("text/plain")
    assert text.startswith("Chères et chers collègues,\n\nLe rapport de Parliament B sur la mise en œuvre")
    assert "est attendu le 1 octobre 2030, dans 5 jours." in text
    assert f"Ouvrir le rapport : https://tracker.ipu.example/reports/{report_b.pk}/" in text
    html = french.part("text/html")
    assert '<html lang="fr">' in html and "1 octobre 2030" in html
    assert f'href="https://tracker.ipu.example/reports/{report_b.pk}/"' in html

    opening = _one(smtp_sink, "bea@parl-b.example", "opening")
    assert opening["Subject"] == f"Ouverture des rapports : {TITLE}"
    assert "L'Union interparlementaire invite Parliament B" in opening.part("text/plain")


def test_a_focal_point_who_does_not_receive_reminders_gets_nothing(quiet_cycle, smtp_sink):
    reminders_run(today=date(2030, 1, 15))
    assert smtp_sink.to("quiet@parl-a.example") == []
    assert {m.rcpt_tos for m in smtp_sink.messages} == {("ada@parl-a.example",), ("bea@parl-b.example",)}


def test_overdue_notices_copy_the_secretariat_and_approvers_from_the_third_one(
    quiet_cycle, smtp_sink, approver_a, report_a
):
    for day in (date(2030, 10, 2), date(2030, 10, 15)):
        assert reminders_run(today=day)["overdue"] == 2
    assert all(m["Cc"] is None for m in smtp_sink.messages)
    assert reminders_run(today=date(2030, 10, 29))["overdue"] == 2

    third = [m for m in smtp_sink.to("ada@parl-a.example") if m["X-Tracker-Notice"] == "overdue overdue-2"]
    assert len(third) == 1
    message = third[0]
    assert message.rcpt_tos == ("ada@parl-a.example", SECRETARIAT, "approver-a@example.org")
    assert message["Cc"] == f"{SECRETARIAT}, approver-a@example.org"
    assert message["Subject"] == f"Report overdue by 28 days: {TITLE}"
    text = message.part("text/plain")
    assert "was due on 1 October 2030, 28 days ago." in text
    assert "copied to the IPU Secretariat and to your parliament's approvers" in text
    assert len(smtp_sink.to(SECRETARIAT)) == 2  # A's and B's third notices
    notice = Notice.objects.get(report=report_a, period="overdue-2")
    assert notice.copied == [SECRETARIAT, "approver-a@example.org"]


# Refusals and retries ---------------------------------------------------------------------------


def test_a_refused_notice_is_failed_not_sent_and_goes_once_after_the_backoff(quiet_cycle, smtp_sink, parliament_a):
    smtp_sink.refuse()
    before = timezone.now()
    assert reminders_run(today=date(2030, 1, 15)) == dict.fromkeys(Kind.values, 0)
    assert smtp_sink.messages == [] and smtp_sink.refused == 2  # the batch went on after the first refusal

    notice = _notice(parliament_a, Kind.OPENING)
    assert (notice.state, notice.attempts, notice.sent_at) == (Notice.State.FAILED, 1, None)
    assert "451" in notice.last_error and "Try again later" in notice.last_error
    assert before + reminders.RETRY_BASE <= notice.next_attempt_at <= timezone.now() + reminders.RETRY_BASE

    smtp_sink.accept()
    assert reminders_run(today=date(2030, 1, 15))["opening"] == 0  # the backoff has not run out
    assert smtp_sink.messages == []

    # Five minutes later (moved back rather than waited for):
    Notice.objects.filter(state=Notice.State.FAILED).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert reminders_run(today=date(2030, 1, 16))["opening"] == 2
    assert reminders_run(today=date(2030, 1, 16))["opening"] == 0
    assert len(smtp_sink.to("ada@parl-a.example")) == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.last_error, notice.next_attempt_at) == ("sent", 2, "", None)
    assert notice.sent_at is not None


def test_deliver_raises_the_refusal_for_the_task_to_retry_and_keeps_the_record(quiet_cycle, smtp_sink):
    (notice_id, _other) = reminders_record(reminders_plan(today=date(2030, 1, 15)))
    smtp_sink.refuse()
    with pytest.raises(smtplib.SMTPDataError) as caught:
        notice_deliver(notice_id=notice_id)
    assert caught.value.smtp_code == 451
    notice = Notice.objects.get(pk=notice_id)
    assert (notice.state, notice.attempts) == (Notice.State.FAILED, 1)

    smtp_sink.refuse("451 4.3.0 Still busy")
    Notice.objects.filter(pk=notice_id).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(smtplib.SMTPDataError):
        notice_deliver(notice_id=notice_id)
    notice.refresh_from_db()
    assert notice.attempts == 2 and "Still busy" in notice.last_error
    delay = notice.next_attempt_at - timezone.now()
    assert reminders.RETRY_BASE < delay <= 2 * reminders.RETRY_BASE  # doubled

    smtp_sink.accept()
    assert notice_deliver(notice_id=notice_id) is False  # not due yet: nothing sent, nothing raised
    Notice.objects.filter(pk=notice_id).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert notice_deliver(notice_id=notice_id) is True
    assert notice_deliver(notice_id=notice_id) is False
    assert len(smtp_sink.messages) == 1


def test_the_backoff_doubles_and_is_capped():
    assert [reminders.retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (5, 10, 20)]
    assert reminders.retry_delay(30) == reminders.RETRY_CAP


def test_a_notice_refused_too_often_is_left_failed(quiet_cycle, smtp_sink, parliament_a):
    reminders_record(reminders_plan(today=date(2030, 1, 15)))
    Notice.objects.update(state=Notice.State.FAILED, attempts=reminders.MAX_ATTEMPTS, last_error="550 no such user")
    assert reminders_run(today=date(2030, 1, 16))["opening"] == 0
    assert smtp_sink.messages == []
    assert _notice(parliament_a, Kind.OPENING).state == Notice.State.FAILED


def test_a_sent_notice_is_never_sent_again(quiet_cycle, smtp_sink):
    ids = reminders_record(reminders_plan(today=date(2030, 1, 15)))
    assert [notice_deliver(notice_id=pk) for pk in ids] == [True, True]
    assert [notice_deliver(notice_id=pk) for pk in ids] == [False, False]
    assert len(smtp_sink.messages) == 2


def test_a_report_submitted_before_its_reminder_went_out_gets_none(
    quiet_cycle, smtp_sink, report_a, move_to, parliament_a, parliament_b
):
    reminders_record(reminders_plan(today=date(2030, 9, 24)))
    move_to(report_a, State.SUBMITTED)
    assert reminders_run(today=date(2030, 9, 24)) == {**dict.fromkeys(Kind.values, 0), "opening": 1, "due_soon": 1}
    assert smtp_sink.to("ada@parl-a.example") == []
    assert set(Notice.objects.filter(parliament=parliament_a).values_list("state", flat=True)) == {"skipped"}
    assert set(Notice.objects.filter(parliament=parliament_b).values_list("state", flat=True)) == {"sent"}


def test_an_extension_granted_after_recording_cancels_the_overdue_notice(quiet_cycle, smtp_sink, admin, parliament_a):
    from reporting.services import extension_grant

    reminders_record(reminders_plan(today=date(2030, 10, 2)))
    extension_grant(cycle=quiet_cycle, parliament=parliament_a, due_date=date(2030, 12, 1), reason="r", user=admin)
    assert reminders_run(today=date(2030, 10, 2))["overdue"] == 1  # B's only
    assert _notice(parliament_a, Kind.OVERDUE).state == Notice.State.SKIPPED
    # A's countdown starts again: 60 days before 1 December.
    received = sorted(m["X-Tracker-Notice"] for m in smtp_sink.to("ada@parl-a.example"))
    assert received == ["due_soon 60:2030-12-01", "opening opening"]


# Returned for changes -------------------------------------------------------------------------


def test_a_return_sends_one_notice_through_the_outbox_with_the_comment(
    quiet_cycle, smtp_sink, eager, report_b, move_to, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        move_to(report_b, State.RETURNED)

    event = ReportEvent.objects.get(report=report_b, kind=ReportEvent.Kind.RETURNED)
    notice = Notice.objects.get(kind=Kind.RETURNED)
    assert (notice.report_id, notice.period, notice.state) == (report_b.pk, f"event-{event.pk}", Notice.State.SENT)
    (message,) = smtp_sink.messages
    assert message.rcpt_tos == ("bea@parl-b.example",)
    assert message["Subject"] == f"Rapport renvoyé pour modifications : {TITLE}"
    text = message.part("text/plain")
    assert "Le Secrétariat de l'UIP a renvoyé pour modifications le rapport de Parliament B" in text
    assert "Commentaire du Secrétariat :\nPlease complete OP1." in text
    assert "Please complete OP1." in message.part("text/html")
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()

    # Dispatching again, the handler run twice, or the daily run: nothing goes twice.
    assert outbox_dispatch() == 0
    assert notice_for_return(report_id=report_b.pk, event_id=event.pk) is None
    assert reminders_run(today=date(2030, 1, 20))["returned"] == 0
    returned = [m for m in smtp_sink.messages if m["X-Tracker-Notice"].startswith("returned ")]
    assert len(returned) == 1


def test_a_refused_return_notice_is_retried_by_the_task_and_sent_by_a_later_run(
    quiet_cycle, smtp_sink, report_b, move_to
):
    move_to(report_b, State.RETURNED)  # no commit in this test: the outbox handler has not run
    event = ReportEvent.objects.get(report=report_b, kind=ReportEvent.Kind.RETURNED)
    notice_id = notice_for_return(report_id=report_b.pk, event_id=event.pk)
    assert notice_id is not None

    smtp_sink.refuse()
    result = send_notice.apply(args=(notice_id,), throw=False)  # as a worker runs it
    assert result.successful() and result.result is False  # the immediate retry found it not due yet
    notice = Notice.objects.get(pk=notice_id)
    assert (notice.state, notice.attempts, notice.sent_at) == (Notice.State.FAILED, 1, None)
    assert smtp_sink.messages == []

    smtp_sink.accept()
    Notice.objects.filter(pk=notice_id).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert reminders_run(today=date(2030, 1, 20))["returned"] == 1
    assert [m["X-Tracker-Notice"] for m in smtp_sink.to("bea@parl-b.example")] == [f"returned event-{event.pk}"]


def test_a_refused_return_notice_leaves_the_return_done_and_goes_out_on_a_later_dispatch(
    quiet_cycle, smtp_sink, eager, report_b, move_to, django_capture_on_commit_callbacks
):
    smtp_sink.refuse()
    with django_capture_on_commit_callbacks(execute=True):
        move_to(report_b, State.RETURNED)  # the reviewer's request does not fail
    assert ImplementationReport.objects.get(pk=report_b.pk).state == State.RETURNED
    assert smtp_sink.messages == [] and smtp_sink.refused >= 1
    assert not Notice.objects.filter(state=Notice.State.SENT).exists()

    smtp_sink.accept()
    Notice.objects.update(next_attempt_at=None)  # whatever backoff was recorded has run out
    outbox_dispatch()
    reminders_run(today=date(2030, 1, 20))
    returned = [m for m in smtp_sink.messages if m["X-Tracker-Notice"].startswith("returned ")]
    assert [m.rcpt_tos for m in returned] == [("bea@parl-b.example",)]
    assert Notice.objects.get(kind=Kind.RETURNED).state == Notice.State.SENT


def test_no_return_notice_when_the_report_moved_on_or_nobody_receives_it(
    quiet_cycle, report_b, report_c, move_to, reviewer
):
    move_to(report_b, State.RETURNED)
    event = ReportEvent.objects.get(report=report_b, kind=ReportEvent.Kind.RETURNED)
    Notice.objects.all().delete()  # as if the handler had not run yet
    approver = report_b.parliament.users.get(role="approver")
    report_b.submit(by=approver)
    assert notice_for_return(report_id=report_b.pk, event_id=event.pk) is None

    move_to(report_c, State.RETURNED)  # C has no focal point receiving reminders
    event_c = ReportEvent.objects.get(report=report_c, kind=ReportEvent.Kind.RETURNED)
    assert notice_for_return(report_id=report_c.pk, event_id=event_c.pk) is None
    assert notice_for_return(report_id=999_999, event_id=1) is None
    assert not Notice.objects.exists()
