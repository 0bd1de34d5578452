"""Compliance summaries: figures checked by hand, the debounced rebuild, the command and the cycle page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import redis
from celery.signals import before_task_publish
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from reporting import summaries
from reporting.models import (
    CommitmentResponse,
    CommitmentSummary,
    CycleSummary,
    GroupSummary,
    ImplementationReport,
    ImplementationStatus,
    ParliamentSummary,
    ReportingCycle,
    ThemeSummary,
)
from reporting.outbox import BROKER_ERRORS
from reporting.services import cycle_open, extension_grant
from reporting.summaries import debounce_key, summaries_build_all, summary_build, summary_rebuild_schedule
from reporting.tasks import build_cycle_summary
from reporting.workflow import report_transition
from resolutions.models import Commitment, Document, Theme
from tests.celery_worker import celery_broker
from tests.factories import CommitmentFactory, DocumentFactory, GeopoliticalGroupFactory, ParliamentFactory
from tracker.models import GeopoliticalGroup, Parliament, User

from .factories import advance_report, make_parliaments, make_user

pytestmark = pytest.mark.django_db

State = ImplementationReport.State
Status = ImplementationStatus
Role = User.Role
DUE = date(2030, 10, 1)


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


# The hand-computed sample ------------------------------------------------------------------
#
# Five parliaments asked about three commitments; the cycle is due on 1 October 2030.
#
#   parliament  groups         report     submitted      c1 (gender)  c2 (gender, children)  c3 (data)
#   Alpha       North          accepted   20 Sep         implemented  in progress            not applicable
#   Bravo       North          accepted   5 Oct (late)   planned      -                      not started
#   Charlie     South          accepted   5 Oct, extension to 15 Oct: on time
#                                                        implemented  in progress            planned
#   Delta       North, South   submitted  25 Sep         in progress  not applicable         -
#   Echo        South          draft      -              planned      -                      -


@dataclass
class Sample:
    cycle: ReportingCycle
    parliaments: dict[str, Parliament]
    commitments: dict[str, Commitment]
    north: GeopoliticalGroup
    south: GeopoliticalGroup
    admin: User
    reviewer: User


ANSWERS = {
    "Alpha": (Status.IMPLEMENTED, Status.IN_PROGRESS, Status.NOT_APPLICABLE),
    "Bravo": (Status.PLANNED, "", Status.NOT_STARTED),
    "Charlie": (Status.IMPLEMENTED, Status.IN_PROGRESS, Status.PLANNED),
    "Delta": (Status.IN_PROGRESS, Status.NOT_APPLICABLE, ""),
    "Echo": (Status.PLANNED, "", ""),
}
STATES = {"Alpha": State.ACCEPTED, "Bravo": State.ACCEPTED, "Charlie": State.ACCEPTED, "Delta": State.SUBMITTED}
SUBMITTED = {
    "Alpha": date(2030, 9, 20),
    "Bravo": date(2030, 10, 5),
    "Charlie": date(2030, 10, 5),
    "Delta": date(2030, 9, 25),
}


def _resolution(themes: list[list[str]]) -> tuple[Document, list[Commitment]]:
    document = DocumentFactory(deadline_date=DUE)
    commitments = []
    for position, codes in enumerate(themes, start=1):
        commitment = CommitmentFactory(paragraph__document=document, paragraph__position=position)
        commitment.themes.set(Theme.objects.filter(code__in=codes))
        commitments.append(commitment)
    return document, commitments


@pytest.fixture
def sample() -> Sample:
    north = GeopoliticalGroupFactory(name="North", slug="north")
    south = GeopoliticalGroupFactory(name="South", slug="south")
    groups = {"Alpha": [north], "Bravo": [north], "Charlie": [south], "Delta": [north, south], "Echo": [south]}
    parliaments = {}
    for name, member_of in groups.items():
        parliaments[name] = ParliamentFactory(name=name, iso3=name[:3].upper())
        parliaments[name].groups.set(member_of)
    document, (c1, c2, c3) = _resolution([["gender"], ["gender", "children"], ["data"]])
    admin = make_user("admin", Role.SECRETARIAT_ADMIN)
    reviewer = make_user("reviewer", Role.REVIEWER)
    cycle = cycle_open(
        resolution=document,
        user=admin,
        opened_on=date(2030, 1, 15),
        selection=ReportingCycle.Selection.LIST,
        parliaments=list(parliaments.values()),
    )
    extension_grant(
        cycle=cycle, parliament=parliaments["Charlie"], due_date=date(2030, 10, 15), reason="Elections", user=admin
    )
    for name, parliament in parliaments.items():
        report = cycle.reports.get(parliament=parliament)
        for commitment, status in zip((c1, c2, c3), ANSWERS[name], strict=True):
            CommitmentResponse.objects.filter(report=report, commitment=commitment).update(status=status)
        approver = make_user(f"approver-{parliament.iso3.lower()}", Role.APPROVER, parliament=parliament)
        advance_report(report, STATES.get(name, State.DRAFT), approver=approver, reviewer=reviewer)
        if name in SUBMITTED:  # the workflow stamps "now"; the sample needs its own dates
            ImplementationReport.objects.filter(pk=report.pk).update(submitted_at=noon(SUBMITTED[name]))
    return Sample(cycle, parliaments, {"c1": c1, "c2": c2, "c3": c3}, north, south, admin, reviewer)


def test_cycle_figures_match_the_hand_computation(sample):
    summary = summary_build(cycle_id=sample.cycle.pk)

    assert summary.parliaments_asked == 5
    assert summary.reports_by_state == {"draft": 1, "submitted": 1, "returned": 0, "accepted": 3}
    assert summary.reported == 3  # accepted only: Delta's submitted report is pending review
    assert summary.pending_review == 1
    assert summary.response_rate == pytest.approx(60.0)  # 3 / 5 * 100
    assert summary.on_time == 2  # Alpha (20 Sep <= 1 Oct), Charlie (5 Oct <= 15 Oct extension); Bravo is late
    assert summary.on_time_rate == pytest.approx(200 / 3)  # 2 / 3 * 100 = 66.67
    # Completeness of the accepted reports: Alpha 3/3, Bravo 2/3, Charlie 3/3 -> (100 + 66.67 + 100) / 3
    assert summary.completeness == pytest.approx((100 + 200 / 3 + 100) / 3)  # 88.89
    # Implementation: Alpha (100 + 50) / 2 = 75, Bravo (25 + 0) / 2 = 12.5, Charlie (100 + 50 + 25) / 3 = 58.33
    assert summary.implementation == pytest.approx((75 + 12.5 + 175 / 3) / 3)  # 48.61


def test_parliament_figures_match_the_hand_computation(sample):
    summary_build(cycle_id=sample.cycle.pk)

    rows = {row.parliament.name: row for row in ParliamentSummary.objects.filter(cycle=sample.cycle)}
    expected = {
        # name: (state, answered, total, completeness, implementation, on_time)
        "Alpha": (State.ACCEPTED, 3, 3, 100.0, 75.0, True),  # (100 + 50) / 2; N/A left out
        "Bravo": (State.ACCEPTED, 2, 3, 200 / 3, 12.5, False),  # (25 + 0) / 2; 5 Oct > 1 Oct
        "Charlie": (State.ACCEPTED, 3, 3, 100.0, 175 / 3, True),  # (100 + 50 + 25) / 3; extension to 15 Oct
        "Delta": (State.SUBMITTED, 2, 3, 200 / 3, 50.0, True),  # in progress only; N/A left out
        "Echo": (State.DRAFT, 1, 3, 100 / 3, 25.0, None),  # never submitted
    }
    for name, (state, answered, total, completeness, implementation, on_time) in expected.items():
        row = rows[name]
        assert (row.state, row.answered, row.total, row.on_time) == (state, answered, total, on_time), name
        assert row.completeness == pytest.approx(completeness), name
        assert row.implementation == pytest.approx(implementation), name


def test_commitment_figures_count_only_accepted_reports(sample):
    summary_build(cycle_id=sample.cycle.pk)

    rows = {row.commitment_id: row for row in CommitmentSummary.objects.filter(cycle=sample.cycle)}
    c1, c2, c3 = (rows[sample.commitments[name].pk] for name in ("c1", "c2", "c3"))
    # Accepted: Alpha, Bravo, Charlie. Delta (submitted) and Echo (draft) are left out.
    assert (c1.implemented, c1.in_progress, c1.planned, c1.not_started, c1.not_applicable, c1.unanswered) == (
        2, 0, 1, 0, 0, 0,
    )  # fmt: skip
    assert c1.implementation == pytest.approx(75.0)  # (100 + 25 + 100) / 3
    assert (c2.implemented, c2.in_progress, c2.planned, c2.not_started, c2.not_applicable, c2.unanswered) == (
        0, 2, 0, 0, 0, 1,
    )  # fmt: skip
    assert c2.implementation == pytest.approx(50.0)  # (50 + 50) / 2; Bravo's blank left out
    assert (c3.implemented, c3.in_progress, c3.planned, c3.not_started, c3.not_applicable, c3.unanswered) == (
        0, 0, 1, 1, 1, 0,
    )  # fmt: skip
    assert c3.implementation == pytest.approx(12.5)  # (25 + 0) / 2; Alpha's N/A left out


def test_group_figures_count_a_parliament_in_two_groups_in_both(sample):
    summary_build(cycle_id=sample.cycle.pk)

    north = GroupSummary.objects.get(cycle=sample.cycle, group=sample.north)
    # North: Alpha (accepted), Bravo (accepted), Delta (submitted)
    assert (north.parliaments_asked, north.reported) == (3, 2)
    assert north.response_rate == pytest.approx(200 / 3)  # 2 / 3 * 100
    assert north.completeness == pytest.approx((100 + 200 / 3) / 2)  # Alpha 100, Bravo 66.67 -> 83.33
    assert north.implementation == pytest.approx((75 + 12.5) / 2)  # 43.75
    south = GroupSummary.objects.get(cycle=sample.cycle, group=sample.south)
    # South: Charlie (accepted), Delta (submitted), Echo (draft)
    assert (south.parliaments_asked, south.reported) == (3, 1)
    assert south.response_rate == pytest.approx(100 / 3)  # 1 / 3 * 100
    assert south.completeness == pytest.approx(100.0)
    assert south.implementation == pytest.approx(175 / 3)  # Charlie alone: 58.33


def test_theme_figures_match_the_hand_computation(sample):
    summary_build(cycle_id=sample.cycle.pk)

    rows = {row.theme.code: row for row in ThemeSummary.objects.filter(cycle=sample.cycle).select_related("theme")}
    assert set(rows) == {"gender", "children", "data"}
    gender = rows["gender"]  # c1 and c2; accepted answers: c1 impl, planned, impl; c2 in progress, in progress
    assert (gender.commitments, gender.answers, gender.implemented) == (2, 5, 2)
    assert gender.implementation == pytest.approx((100 + 25 + 100 + 50 + 50) / 5)  # 65
    children = rows["children"]  # c2 alone
    assert (children.commitments, children.answers, children.implemented) == (1, 2, 0)
    assert children.implementation == pytest.approx(50.0)
    data = rows["data"]  # c3: N/A counts as an answer but not in the average
    assert (data.commitments, data.answers, data.implemented) == (1, 3, 0)
    assert data.implementation == pytest.approx(12.5)  # (0 + 25) / 2


def test_a_cycle_without_accepted_reports_has_zero_rates_and_no_averages(sample):
    cycle = cycle_open(
        resolution=sample.cycle.resolution,
        user=sample.admin,
        opened_on=date(2030, 2, 1),
        due_date=date(2030, 12, 1),
        selection=ReportingCycle.Selection.LIST,
        parliaments=[sample.parliaments["Alpha"]],
    )
    summary = summary_build(cycle_id=cycle.pk)
    assert (summary.parliaments_asked, summary.reported, summary.response_rate, summary.on_time_rate) == (1, 0, 0, 0)
    assert summary.completeness is None and summary.implementation is None
    assert all(row.implementation is None for row in CommitmentSummary.objects.filter(cycle=cycle))
    assert GroupSummary.objects.get(cycle=cycle).completeness is None


def test_building_all_cycles_gives_the_same_figures_as_one_by_one(sample):
    one = summary_build(cycle_id=sample.cycle.pk)
    other = cycle_open(
        resolution=sample.cycle.resolution,
        user=sample.admin,
        opened_on=date(2030, 2, 1),
        selection=ReportingCycle.Selection.LIST,
        parliaments=list(sample.parliaments.values()),
    )
    built = {summary.cycle_id: summary for summary in summaries_build_all()}
    assert set(built) == {sample.cycle.pk, other.pk}
    again = built[sample.cycle.pk]
    assert again.pk == one.pk  # the row is updated in place
    assert again.computed_at > one.computed_at
    fields = ["reports_by_state", "reported", "on_time", "response_rate", "on_time_rate", "completeness"]
    assert [getattr(again, name) for name in fields] == [getattr(one, name) for name in fields]
    # Two cycles on one resolution share its commitments: each keeps its own counts.
    assert CommitmentSummary.objects.get(cycle=sample.cycle, commitment=sample.commitments["c1"]).implemented == 2
    assert CommitmentSummary.objects.get(cycle=other, commitment=sample.commitments["c1"]).implemented == 0


def test_a_rebuild_rewrites_only_the_rows_that_changed(sample):
    summary_build(cycle_id=sample.cycle.pk)
    before = dict(ParliamentSummary.objects.filter(cycle=sample.cycle).values_list("parliament__name", "pk"))
    commitments_before = set(CommitmentSummary.objects.filter(cycle=sample.cycle).values_list("pk", flat=True))

    bravo = sample.cycle.reports.get(parliament=sample.parliaments["Bravo"])
    CommitmentResponse.objects.filter(report=bravo, commitment=sample.commitments["c2"]).update(
        status=Status.IMPLEMENTED
    )
    summary = summary_build(cycle_id=sample.cycle.pk)

    after = dict(ParliamentSummary.objects.filter(cycle=sample.cycle).values_list("parliament__name", "pk"))
    assert {name for name in after if after[name] != before[name]} == {"Bravo"}
    bravo_row = ParliamentSummary.objects.get(cycle=sample.cycle, parliament=sample.parliaments["Bravo"])
    assert (bravo_row.answered, bravo_row.implementation) == (3, pytest.approx((25 + 100 + 0) / 3))
    changed = set(CommitmentSummary.objects.filter(cycle=sample.cycle).values_list("pk", flat=True))
    assert len(changed - commitments_before) == 1  # c2 only
    assert summary.completeness == pytest.approx(100.0)  # Alpha, Bravo and Charlie all complete now


def test_when_many_rows_changed_their_cycles_rows_are_replaced_wholesale(sample, monkeypatch):
    summary_build(cycle_id=sample.cycle.pk)
    before = set(ParliamentSummary.objects.filter(cycle=sample.cycle).values_list("pk", flat=True))
    monkeypatch.setattr(summaries, "DELETE_BY_KEY_MAX", 0)  # one changed row counts as many
    bravo = sample.cycle.reports.get(parliament=sample.parliaments["Bravo"])
    CommitmentResponse.objects.filter(report=bravo, commitment=sample.commitments["c2"]).update(status=Status.PLANNED)

    summary_build(cycle_id=sample.cycle.pk)

    rows = ParliamentSummary.objects.filter(cycle=sample.cycle)
    assert rows.count() == 5 and not before & set(rows.values_list("pk", flat=True))
    assert rows.get(parliament=sample.parliaments["Bravo"]).implementation == pytest.approx((25 + 25 + 0) / 3)
    assert rows.get(parliament=sample.parliaments["Alpha"]).implementation == pytest.approx(75.0)


def test_a_missing_cycle_raises_does_not_exist():
    with pytest.raises(ReportingCycle.DoesNotExist):
        summary_build(cycle_id=987654)


# Query counts ------------------------------------------------------------------------------


def _cycle_of(count: int, *, prefix: str, admin: User, reviewer: User) -> ReportingCycle:
    """A cycle of ``count`` parliaments in two groups, half of them accepted, on two themed commitments."""
    groups = [GeopoliticalGroupFactory(name=f"{prefix} group {i}", slug=f"{prefix.lower()}-{i}") for i in (1, 2)]
    parliaments = make_parliaments(count, prefix=prefix)
    for index, parliament in enumerate(parliaments):
        parliament.groups.set(groups if index % 3 == 0 else [groups[index % 2]])
    document, _commitments = _resolution([["gender"], ["data", "children"]])
    cycle = cycle_open(
        resolution=document,
        user=admin,
        opened_on=date(2030, 1, 15),
        selection=ReportingCycle.Selection.LIST,
        parliaments=parliaments,
    )
    CommitmentResponse.objects.filter(report__cycle=cycle).update(status=Status.PLANNED)
    for report in cycle.reports.select_related("parliament").order_by("pk")[: count // 2]:
        approver = make_user(f"approver-{report.parliament.iso3}", Role.APPROVER, parliament=report.parliament)
        advance_report(report, State.ACCEPTED, approver=approver, reviewer=reviewer)
    return cycle


def test_summary_build_costs_the_same_queries_for_40_parliaments_as_for_3(sample):
    small = _cycle_of(3, prefix="S", admin=sample.admin, reviewer=sample.reviewer)
    large = _cycle_of(40, prefix="L", admin=sample.admin, reviewer=sample.reviewer)
    with CaptureQueriesContext(connection) as for_small:
        summary_build(cycle_id=small.pk)
    with CaptureQueriesContext(connection) as for_large:
        summary_build(cycle_id=large.pk)
    assert len(for_large) == len(for_small) <= 20
    assert ParliamentSummary.objects.filter(cycle=large).count() == 40


def test_building_many_cycles_costs_the_same_queries_as_one(sample):
    first = _cycle_of(4, prefix="F", admin=sample.admin, reviewer=sample.reviewer)
    more = [_cycle_of(4, prefix=prefix, admin=sample.admin, reviewer=sample.reviewer) for prefix in "GH"]
    with CaptureQueriesContext(connection) as for_one:
        summaries_build_all(cycle_ids=[first.pk])
    with CaptureQueriesContext(connection) as for_three:
        summaries_build_all(cycle_ids=[cycle.pk for cycle in more] + [sample.cycle.pk])
    assert len(for_three) == len(for_one)


# The debounced rebuild ---------------------------------------------------------------------


@pytest.fixture
def published(settings, sample):
    """Tasks go to an in-memory broker instead of running in-process; each publish is recorded."""
    settings.SUMMARY_DEBOUNCE_SECONDS = 60
    seen: list[dict] = []

    def record(sender: str | None = None, headers: dict | None = None, **kwargs: object) -> None:
        if sender == build_cycle_summary.name:
            seen.append(headers or {})

    cache.delete(debounce_key(sample.cycle.pk))
    before_task_publish.connect(record, weak=False)
    try:
        # A broker URL of its own: kombu keeps a producer pool per URL for the whole process.
        with celery_broker(f"memory://localhost/{uuid.uuid4().hex}"):
            yield seen
    finally:
        before_task_publish.disconnect(record)
        cache.delete(debounce_key(sample.cycle.pk))


def test_fifty_submissions_in_the_window_enqueue_one_rebuild(sample, published, django_capture_on_commit_callbacks):
    many = make_parliaments(50, prefix="W")
    cycle = cycle_open(
        resolution=sample.cycle.resolution,
        user=sample.admin,
        opened_on=date(2030, 2, 1),
        selection=ReportingCycle.Selection.LIST,
        parliaments=many,
    )
    key = debounce_key(cycle.pk)
    cache.delete(key)
    try:
        for report in cycle.reports.select_related("parliament"):
            approver = make_user(f"approver-{report.parliament.iso3}", Role.APPROVER, parliament=report.parliament)
            with django_capture_on_commit_callbacks(execute=True):  # the outbox dispatches after each commit
                report_transition(report=report, name="submit", user=approver)

        assert len(published) == 1
        assert published[0]["argsrepr"] == repr([cycle.pk]) and published[0]["eta"]  # waits out the window
        assert cache.get(key) == 1
        assert not CycleSummary.objects.filter(cycle=cycle).exists()  # nothing ran in-process

        build_cycle_summary.apply(args=[cycle.pk])  # what the worker does when the countdown ends
        assert CycleSummary.objects.get(cycle=cycle).pending_review == 50
        assert cache.get(key) is None

        report = cycle.reports.first()
        with django_capture_on_commit_callbacks(execute=True):
            report_transition(report=report, name="accept", user=sample.reviewer)
        assert len(published) == 2  # the next change after the build schedules the next build
    finally:
        cache.delete(key)


def test_a_change_committed_during_a_build_schedules_another(sample, published):
    key = debounce_key(sample.cycle.pk)
    cache.set(key, 1)  # a build is due: the window's first change set the key
    seen_at_first_query: list[object] = []

    def change_meanwhile(execute, sql, params, many, context):
        if not seen_at_first_query:
            seen_at_first_query.append(cache.get(key))
            summary_rebuild_schedule(cycle_id=sample.cycle.pk)  # a submission commits while the build reads
        return execute(sql, params, many, context)

    with connection.execute_wrapper(change_meanwhile):
        summary_build(cycle_id=sample.cycle.pk)
    assert seen_at_first_query == [None]  # the key was gone before the build read anything
    assert len(published) == 1  # so the change got its own build


def test_a_broker_error_propagates_and_leaves_no_key(sample):
    key = debounce_key(sample.cycle.pk)
    cache.delete(key)
    with celery_broker("redis://127.0.0.1:1/0"), pytest.raises(BROKER_ERRORS):  # nothing listens on port 1
        summary_rebuild_schedule(cycle_id=sample.cycle.pk)
    assert cache.get(key) is None  # so the outbox's next attempt schedules the build again


def test_a_cache_error_propagates(sample, published):
    dead = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    with override_settings(CACHES={"default": dead}), pytest.raises(redis.exceptions.ConnectionError):
        summary_rebuild_schedule(cycle_id=sample.cycle.pk)
    assert published == []


# The command -------------------------------------------------------------------------------


def test_build_summaries_builds_every_cycle_or_one(sample, capsys):
    other = _cycle_of(3, prefix="C", admin=sample.admin, reviewer=sample.reviewer)
    call_command("build_summaries")
    out = capsys.readouterr().out
    assert f"Cycle {sample.cycle.pk}: 3 of 5 reported (60.0%), 1 pending review, on time 66.7%" in out
    assert "Built 2 cycle summaries in" in out
    assert CycleSummary.objects.count() == 2

    call_command("build_summaries", "--cycle", str(other.pk))
    assert "Built 1 cycle summary in" in capsys.readouterr().out


def test_build_summaries_refuses_an_unknown_cycle():
    with pytest.raises(CommandError, match=r"^No reporting cycle with id 424242\.$"):
        call_command("build_summaries", "--cycle", "424242")


# The cycle page ----------------------------------------------------------------------------


def test_the_cycle_page_shows_the_stored_summary(client, sample):
    summary_build(cycle_id=sample.cycle.pk)
    client.force_login(sample.admin)
    html = client.get(sample.cycle.get_absolute_url()).content.decode()
    assert "Compliance summary" in html
    assert "Only accepted reports count as reported" in html
    assert "(3 of 5 parliaments reported)" in html
    assert "(2 of 3 accepted reports submitted by their due date)" in html
    assert html.count('class="summary-group"') == 2 and ">North</th>" in html and ">South</th>" in html
    assert html.count('class="summary-commitment"') == 3
    assert 'style="width: 67%"' in html  # c1: 2 of 3 accepted reports say implemented


def test_the_cycle_page_says_when_no_summary_exists_yet(client, sample):
    client.force_login(sample.admin)
    html = client.get(sample.cycle.get_absolute_url()).content.decode()
    assert "No summary yet" in html


def test_the_summary_costs_the_cycle_page_a_fixed_number_of_queries(client, sample, django_assert_max_num_queries):
    summary_build(cycle_id=sample.cycle.pk)
    large = _cycle_of(30, prefix="P", admin=sample.admin, reviewer=sample.reviewer)
    more_groups = [GeopoliticalGroupFactory(name=f"Extra {i}", slug=f"extra-{i}") for i in range(4)]
    for parliament in Parliament.objects.filter(reports__cycle=large):
        parliament.groups.add(*more_groups)
    summary_build(cycle_id=large.pk)
    assert GroupSummary.objects.filter(cycle=large).count() == 6
    client.force_login(sample.admin)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(sample.cycle.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(large.get_absolute_url())
    assert response.content.decode().count('class="summary-group"') == 6
