"""Reminder planning, recording once, the send_reminders command, concurrency and the notice log.

The cycle of tests/reporting/conftest.py opens on 15 January 2030 and is due on 1 October
2030. Parliament A (English) has two focal points, one of whom receives reminders;
Parliament B (French) has one; Parliament C has none and so never gets a notice. Every
expected date below is worked out by hand from those two dates.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting import reminders
from reporting.models import ImplementationReport, Notice, ReportEvent, ReportingCycle
from reporting.reminders import reminders_plan, reminders_record, reminders_run
from reporting.services import extension_grant
from tests.factories import ParliamentFactory, UserFactory
from tests.reporting.conftest import OPENED_ON
from tracker.models import FocalPoint, Parliament, User

State = ImplementationReport.State
Kind = Notice.Kind
ALL_KINDS = {"opening": 0, "due_soon": 0, "overdue": 0, "returned": 0, "idle_draft": 0}
SECRETARIAT = "secretariat@ipu.example"


def _aware(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def _set_activity(report: ImplementationReport, day: date) -> None:
    """Pretend the report was created and last worked on at noon on ``day``."""
    ReportEvent.objects.filter(report=report).update(created_at=_aware(day))
    ImplementationReport.objects.filter(pk=report.pk).update(updated_at=_aware(day))


def prepare_reminders(settings, cycle: ReportingCycle) -> ReportingCycle:
    """Focal points for A and B (French), none for C; every report last touched on opening day.

    One of A's two focal points does not receive reminders. The Secretariat's address and
    the site's URL are set to known values.
    """
    settings.SECRETARIAT_EMAIL = SECRETARIAT
    settings.TRACKER_BASE_URL = "https://tracker.ipu.example"
    parliaments = {p.iso3: p for p in Parliament.objects.filter(reports__cycle=cycle)}
    Parliament.objects.filter(pk=parliaments["BBB"].pk).update(preferred_language="fr")
    FocalPoint.objects.create(parliament=parliaments["AAA"], name="Ada", email="ada@parl-a.example")
    FocalPoint.objects.create(
        parliament=parliaments["AAA"], name="Quiet", email="quiet@parl-a.example", receives_reminders=False
    )
    FocalPoint.objects.create(parliament=parliaments["BBB"], name="Bea", email="bea@parl-b.example")
    for report in cycle.reports.all():
        _set_activity(report, OPENED_ON)
    return cycle


@pytest.fixture
def reminded(settings, cycle) -> ReportingCycle:
    return prepare_reminders(settings, cycle)


def plan(day: date, *kinds: str) -> set[tuple]:
    """(iso3, kind, period, days) of what ``day`` calls for, limited to ``kinds`` when given."""
    iso3 = dict(Parliament.objects.values_list("pk", "iso3"))
    return {
        (iso3[item.parliament_id], item.kind, item.period, item.days)
        for item in reminders_plan(today=day)
        if not kinds or item.kind in kinds
    }


# Planning -------------------------------------------------------------------------------------


def test_nothing_before_the_cycle_opens(reminded):
    assert reminders_plan(today=date(2030, 1, 14)) == []


def test_the_opening_day_calls_for_one_opening_notice_per_parliament_with_focal_points(reminded, parliament_b):
    planned = reminders_plan(today=date(2030, 1, 15))
    assert {(p.kind, p.period) for p in planned} == {("opening", "opening")}
    by_parliament = {p.parliament_id: p for p in planned}
    assert len(planned) == 2 and parliament_b.pk in by_parliament  # C has no focal point
    a = next(p for p in planned if p.parliament_id != parliament_b.pk)
    b = by_parliament[parliament_b.pk]
    assert (a.language, a.recipients, a.copied, a.due_on) == ("en", ("ada@parl-a.example",), (), date(2030, 10, 1))
    assert (b.language, b.recipients) == ("fr", ("bea@parl-b.example",))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2030, 8, 1), set()),  # 61 days left: no window yet
        (date(2030, 8, 2), {("60", 60)}),
        (date(2030, 8, 17), {("60", 45)}),
        (date(2030, 8, 31), {("60", 31)}),
        (date(2030, 9, 1), {("30", 30)}),
        (date(2030, 9, 2), {("30", 29)}),
        (date(2030, 9, 23), {("30", 8)}),
        (date(2030, 9, 24), {("7", 7)}),
        (date(2030, 9, 26), {("7", 5)}),  # a first run 5 days before: only the 7-day notice
        (date(2030, 9, 30), {("7", 1)}),
        (date(2030, 10, 1), set()),  # the due day itself: neither soon nor late
    ],
)
def test_due_soon_picks_the_tightest_window_reached(reminded, day, expected):
    found = plan(day, "due_soon")
    assert {(iso3, period, days) for iso3, _kind, period, days in found} == {
        (iso3, period, days) for iso3 in ("AAA", "BBB") for period, days in expected
    }


def test_the_windows_come_from_the_cycle(reminded):
    ReportingCycle.objects.filter(pk=reminded.pk).update(reminder_days_before=[14, "3", 0, "x"])
    assert plan(date(2030, 9, 1), "due_soon") == set()
    assert plan(date(2030, 9, 17), "due_soon") == {("AAA", "due_soon", "14", 14), ("BBB", "due_soon", "14", 14)}
    assert plan(date(2030, 9, 29), "due_soon") == {("AAA", "due_soon", "3", 2), ("BBB", "due_soon", "3", 2)}


@pytest.mark.parametrize(
    ("day", "period", "days_late"),
    [
        (date(2030, 10, 2), "overdue-0", 1),
        (date(2030, 10, 14), "overdue-0", 13),
        (date(2030, 10, 15), "overdue-1", 14),
        (date(2030, 10, 28), "overdue-1", 27),
        (date(2030, 10, 29), "overdue-2", 28),
        (date(2030, 11, 12), "overdue-3", 42),
    ],
)
def test_overdue_rounds_every_14_days(reminded, day, period, days_late):
    assert plan(day, "overdue") == {("AAA", "overdue", period, days_late), ("BBB", "overdue", period, days_late)}
    assert plan(day, "opening", "due_soon") == set()


def test_the_secretariat_and_approvers_are_copied_from_the_third_overdue_notice(reminded, parliament_a, approver_a):
    UserFactory(username="former", role=User.Role.APPROVER, parliament=parliament_a, is_active=False)

    def copied(day: date) -> dict[str, tuple[str, ...]]:
        return {
            p.period: p.copied
            for p in reminders_plan(today=day)
            if p.kind == Kind.OVERDUE and p.parliament_id == parliament_a.pk
        }

    assert copied(date(2030, 10, 2)) == {"overdue-0": ()}
    assert copied(date(2030, 10, 15)) == {"overdue-1": ()}
    assert copied(date(2030, 10, 29)) == {"overdue-2": (SECRETARIAT, "approver-a@example.org")}
    assert copied(date(2030, 11, 12)) == {"overdue-3": (SECRETARIAT, "approver-a@example.org")}


def test_no_notice_for_submitted_or_accepted_reports_and_only_deadline_ones_for_returned_ones(
    reminded, report_a, report_b, move_to, reviewer
):
    move_to(report_a, State.SUBMITTED)
    move_to(report_b, State.RETURNED)
    assert plan(date(2030, 1, 15)) == set()
    assert plan(date(2030, 9, 24)) == {("BBB", "due_soon", "7", 7)}
    assert plan(date(2030, 10, 2)) == {("BBB", "overdue", "overdue-0", 1)}
    report_a.accept(by=reviewer)
    assert plan(date(2030, 10, 29)) == {("BBB", "overdue", "overdue-2", 28)}


def test_an_extension_holds_the_notices_back_until_it_runs_out(reminded, admin, parliament_a):
    extension_grant(
        cycle=reminded, parliament=parliament_a, due_date=date(2030, 11, 15), reason="Elections", user=admin
    )
    # B is late; A's countdown runs to 15 November, with periods of its own.
    assert plan(date(2030, 10, 2), "due_soon", "overdue") == {
        ("AAA", "due_soon", "60:2030-11-15", 44),
        ("BBB", "overdue", "overdue-0", 1),
    }
    assert plan(date(2030, 11, 8), "due_soon", "overdue") == {
        ("AAA", "due_soon", "7:2030-11-15", 7),
        ("BBB", "overdue", "overdue-2", 38),
    }
    assert plan(date(2030, 11, 15), "due_soon", "overdue") == {("BBB", "overdue", "overdue-3", 45)}
    assert plan(date(2030, 11, 16), "due_soon", "overdue") == {
        ("AAA", "overdue", "overdue-0:2030-11-15", 1),
        ("BBB", "overdue", "overdue-3", 46),
    }
    (a,) = [
        p
        for p in reminders_plan(today=date(2030, 11, 16))
        if p.parliament_id == parliament_a.pk and p.kind == Kind.OVERDUE
    ]
    assert a.due_on == date(2030, 11, 15)


def test_idle_drafts_get_one_notice_per_idle_spell(reminded, report_a, report_b, move_to):
    move_to(report_b, State.RETURNED)  # returned reports are not drafts: no idle notice
    assert plan(date(2030, 2, 4), "idle_draft") == set()  # 20 days untouched
    assert plan(date(2030, 2, 5), "idle_draft") == {("AAA", "idle_draft", "idle-2030-01-15", 21)}
    assert plan(date(2030, 2, 20), "idle_draft") == {("AAA", "idle_draft", "idle-2030-01-15", 36)}

    ReportEvent.objects.create(report=report_a, kind=ReportEvent.Kind.EDITED)
    ReportEvent.objects.filter(report=report_a, kind=ReportEvent.Kind.EDITED).update(
        created_at=_aware(date(2030, 3, 1))
    )
    assert plan(date(2030, 3, 21), "idle_draft") == set()
    assert plan(date(2030, 3, 22), "idle_draft") == {("AAA", "idle_draft", "idle-2030-03-01", 21)}


def test_a_save_of_the_report_counts_as_activity(reminded, report_a):
    ImplementationReport.objects.filter(pk=report_a.pk).update(updated_at=_aware(date(2030, 2, 1)))
    assert plan(date(2030, 2, 21), "idle_draft") == {("BBB", "idle_draft", "idle-2030-01-15", 37)}
    assert plan(date(2030, 2, 22), "idle_draft") == {
        ("AAA", "idle_draft", "idle-2030-02-01", 21),
        ("BBB", "idle_draft", "idle-2030-01-15", 38),
    }


def test_closed_cycles_and_cycles_without_reminders_call_for_nothing(reminded):
    ReportingCycle.objects.filter(pk=reminded.pk).update(reminders_enabled=False)
    assert reminders_plan(today=date(2030, 10, 2)) == []
    ReportingCycle.objects.filter(pk=reminded.pk).update(reminders_enabled=True, state=ReportingCycle.State.CLOSED)
    assert reminders_plan(today=date(2030, 10, 2)) == []


def test_planning_costs_three_queries_whatever_the_number_of_reports(reminded, open_cycle, django_assert_num_queries):
    many = [ParliamentFactory(name=f"Parliament M{i}", iso3=f"M{i:02d}") for i in range(30)]
    FocalPoint.objects.bulk_create(
        [FocalPoint(parliament=p, name="Focal", email=f"focal@{p.iso3.lower()}.example") for p in many]
    )
    open_cycle(selection=ReportingCycle.Selection.LIST, parliaments=many)
    with django_assert_num_queries(3):
        planned = reminders_plan(today=date(2030, 10, 29))
    assert len([p for p in planned if p.kind == Kind.OVERDUE]) == 32


# Recording once -------------------------------------------------------------------------------


def test_recording_twice_writes_each_notice_once(reminded):
    planned = reminders_plan(today=date(2030, 10, 2))
    first = reminders_record(planned)
    assert len(first) == len(planned) == Notice.objects.count()
    assert reminders_record(planned) == first  # still pending, nothing added
    assert Notice.objects.count() == len(planned)

    Notice.objects.filter(pk=first[0]).update(state=Notice.State.SENT)
    assert reminders_record(reminders_plan(today=date(2030, 10, 3))) == first[1:]
    assert Notice.objects.count() == len(planned)


def test_a_recorded_notice_holds_what_the_email_needs(reminded, parliament_b):
    reminders_record(reminders_plan(today=date(2030, 9, 26)))
    notice = Notice.objects.get(parliament=parliament_b, kind=Kind.DUE_SOON)
    assert (notice.period, notice.state, notice.language, notice.due_on) == ("7", "pending", "fr", date(2030, 10, 1))
    assert notice.recipients == ["bea@parl-b.example"] and notice.copied == []
    assert notice.subject.startswith("Rapport attendu dans 5 jours")
    assert (notice.attempts, notice.sent_at, notice.next_attempt_at) == (0, None, None)


# The command ----------------------------------------------------------------------------------


def _command(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_send_reminders_json_twice_the_same_day_sends_nothing_the_second_time(reminded, smtp_sink):
    first = json.loads(_command("--today", "2030-01-15", "--json"))
    assert first == {"sent": {**ALL_KINDS, "opening": 2}, "total": 2}
    second = json.loads(_command("--today", "2030-01-15", "--json"))
    assert second == {"sent": ALL_KINDS, "total": 0}
    assert sorted(m.rcpt_tos for m in smtp_sink.messages) == [("ada@parl-a.example",), ("bea@parl-b.example",)]


def test_a_first_run_late_in_the_cycle_sends_only_the_tightest_window(reminded, smtp_sink):
    result = json.loads(_command("--today", "2030-09-26", "--json"))
    # The opening notice was never sent, so it goes too; of the windows only "7".
    assert result == {"sent": {**ALL_KINDS, "opening": 2, "due_soon": 2, "idle_draft": 2}, "total": 6}
    assert set(Notice.objects.filter(kind=Kind.DUE_SOON).values_list("period", flat=True)) == {"7"}
    assert len(smtp_sink.messages) == 6


def test_with_the_console_mail_backend_stdout_holds_only_the_json(reminded, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    call_command("send_reminders", "--today", "2030-01-15", "--json")
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"sent": {**ALL_KINDS, "opening": 2}, "total": 2}
    assert captured.err.count("X-Tracker-Notice: opening opening") == 2


def test_send_reminders_prints_a_short_summary(reminded, smtp_sink):
    assert _command("--today", "2030-01-15") == "2030-01-15: sent 2 notices (opening 2).\n"
    assert _command("--today", "2030-01-15") == "2030-01-15: no notice to send.\n"


@pytest.mark.parametrize("value", ["2030-13-01", "tomorrow", "15/01/2030"])
def test_send_reminders_refuses_a_bad_date_in_one_line(db, value):
    with pytest.raises(CommandError) as caught:
        _command("--today", value)
    assert str(caught.value) == f"--today must be a date written YYYY-MM-DD, not {value!r}"


def test_the_daily_task_runs_the_same_plan(reminded, smtp_sink):
    from reporting.tasks import send_due_reminders

    assert send_due_reminders("2030-10-02") == {**ALL_KINDS, "overdue": 2, "idle_draft": 2}
    assert send_due_reminders("2030-10-02") == ALL_KINDS


# Two runs at once -----------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: two runs on separate connections at once (SQLite locks the whole file "
    "and has no SELECT ... FOR UPDATE SKIP LOCKED)",
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_runs_send_each_notice_exactly_once(reminded, open_cycle, smtp_sink):
    many = [ParliamentFactory(name=f"Parliament T{i}", iso3=f"T{i:02d}") for i in range(24)]
    FocalPoint.objects.bulk_create(
        [FocalPoint(parliament=p, name="Focal", email=f"focal@{p.iso3.lower()}.example") for p in many]
    )
    open_cycle(selection=ReportingCycle.Selection.LIST, parliaments=many)
    day = date(2030, 1, 15)
    start = threading.Barrier(2, timeout=30)
    results: list[dict[str, int] | str] = []

    def run() -> None:
        try:
            start.wait()
            results.append(reminders_run(today=day))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    assert all(isinstance(result, dict) for result in results), results
    # A and B, and the 24 new parliaments: one opening notice each, plus an idle-draft one for
    # the new reports (untouched since they were created, long before 2030).
    assert Notice.objects.count() == 2 + 24 + 24
    assert Notice.objects.exclude(state=Notice.State.SENT).count() == 0
    assert sum(sum(result.values()) for result in results) == 50
    assert sum(result["opening"] for result in results) == 26
    delivered = Counter((message.rcpt_tos, message["X-Tracker-Notice"]) for message in smtp_sink.messages)
    assert len(smtp_sink.messages) == 50
    assert set(delivered.values()) == {1}


# The notice log -------------------------------------------------------------------------------


@pytest.fixture
def logged(reminded, smtp_sink, parliament_a):
    """Notices of every state: openings sent, then overdue ones failed, skipped and pending."""
    ReportingCycle.objects.filter(pk=reminded.pk).update(idle_draft_days=0)  # no idle notices here
    reminders_run(today=date(2030, 1, 15))
    smtp_sink.refuse()
    reminders_run(today=date(2030, 10, 2))
    smtp_sink.accept()
    Notice.objects.filter(kind=Kind.OVERDUE, parliament=parliament_a).update(state=Notice.State.SKIPPED)
    reminders_record(reminders_plan(today=date(2030, 10, 15)))
    return reminded


def test_the_secretariat_sees_every_notice_of_a_cycle(client, logged, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("reporting:cycle_notices", args=[logged.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="notice-row') == 6
    assert html.count("notice-row notice-sent") == 2
    assert html.count("notice-row notice-failed") == 1
    assert html.count("notice-row notice-pending") == 2
    assert "451" in html  # the mail server's refusal
    assert "bea@parl-b.example" in html and 'data-period="overdue-1"' in html
    assert reverse("reporting:parliament_notices", args=["BBB"]) in html


def test_the_log_filters_by_state_and_kind(client, logged, reviewer):
    client.force_login(reviewer)
    url = reverse("reporting:cycle_notices", args=[logged.pk])
    assert client.get(url, {"state": "failed"}).content.decode().count('class="notice-row') == 1
    assert client.get(url, {"kind": "opening"}).content.decode().count('class="notice-row') == 2
    assert client.get(url, {"state": "bogus"}).content.decode().count('class="notice-row') == 6


def test_a_parliament_log_lists_its_notices_in_every_cycle(client, logged, admin, parliament_b):
    client.force_login(admin)
    response = client.get(reverse("reporting:parliament_notices", args=["bbb"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="notice-row') == 3
    assert "ada@parl-a.example" not in html
    assert reverse("reporting:cycle_notices", args=[logged.pk]) in html


def test_a_group_chair_sees_only_the_group_parliaments(client, logged, chair_a):
    client.force_login(chair_a)
    html = client.get(reverse("reporting:cycle_notices", args=[logged.pk])).content.decode()
    assert html.count('class="notice-row') == 3
    assert "bea@parl-b.example" not in html
    assert client.get(reverse("reporting:parliament_notices", args=["AAA"])).status_code == 200
    assert client.get(reverse("reporting:parliament_notices", args=["BBB"])).status_code == 404


@pytest.mark.parametrize("who", ["reporter_a", "approver_b"])
def test_parliaments_do_not_see_the_log(client, logged, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reporting:cycle_notices", args=[logged.pk])).status_code == 403
    assert client.get(reverse("reporting:parliament_notices", args=["AAA"])).status_code == 403


def test_visitors_are_sent_to_the_login_page(client, logged):
    response = client.get(reverse("reporting:cycle_notices", args=[logged.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_cycle_or_parliament_is_404(client, logged, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("reporting:cycle_notices", args=[logged.pk + 100])).status_code == 404
    assert client.get(reverse("reporting:parliament_notices", args=["ZZZ"])).status_code == 404


def test_the_cycle_page_links_to_its_log(client, logged, reviewer):
    client.force_login(reviewer)
    html = client.get(logged.get_absolute_url()).content.decode()
    assert reverse("reporting:cycle_notices", args=[logged.pk]) in html


def test_the_log_costs_the_same_queries_for_many_notices(
    client, reminded, reviewer, open_cycle, django_assert_max_num_queries
):
    client.force_login(reviewer)
    reminders_record(reminders_plan(today=date(2030, 1, 15)))
    url = reverse("reporting:cycle_notices", args=[reminded.pk])
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url).status_code == 200
    assert len(baseline) <= 8
    many = [ParliamentFactory(name=f"Parliament L{i}", iso3=f"L{i:02d}") for i in range(40)]
    FocalPoint.objects.bulk_create(
        [FocalPoint(parliament=p, name="Focal", email=f"focal@{p.iso3.lower()}.example") for p in many]
    )
    Notice.objects.bulk_create(
        [
            Notice(cycle=reminded, parliament=p, kind=kind, period=period, due_on=reminded.due_date, recipients=["x"])
            for p in many
            for kind, period in (("opening", "opening"), ("overdue", "overdue-0"))
        ]
    )
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(url)
    assert response.content.decode().count('class="notice-row') == 82
    with django_assert_max_num_queries(len(baseline)):
        assert client.get(reverse("reporting:parliament_notices", args=["L01"])).status_code == 200


def test_notice_scope_helpers_answer_none_for_people_outside_the_secretariat(logged, reporter_a):
    assert reminders.notices_for_cycle(logged.pk, user=reporter_a) is None
    assert reminders.notices_for_parliament("AAA", user=reporter_a) is None
