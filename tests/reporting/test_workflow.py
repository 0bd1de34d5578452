"""The review workflow and who sees a report in each of its states."""

from __future__ import annotations

import pytest
from django.db import transaction

from reporting import outbox
from reporting.models import ImplementationReport, OutboxMessage, ReportComment, ReportEvent
from reporting.workflow import TransitionNotAllowed, available_transitions, report_transition
from tracker.permissions import Action, policy

State = ImplementationReport.State
Kind = ReportEvent.Kind
TRANSITION_KINDS = (Kind.SUBMITTED, Kind.RETURNED, Kind.ACCEPTED)


def _transition_events(report: ImplementationReport) -> list[ReportEvent]:
    return list(report.events.filter(kind__in=TRANSITION_KINDS).order_by("created_at", "pk"))


# Allowed transitions -------------------------------------------------------------------------

ALLOWED = [
    # (state before, transition, who, state after, event)
    (State.DRAFT, "submit", "approver_a", State.SUBMITTED, Kind.SUBMITTED),
    (State.RETURNED, "submit", "approver_a", State.SUBMITTED, Kind.SUBMITTED),
    (State.SUBMITTED, "accept", "reviewer", State.ACCEPTED, Kind.ACCEPTED),
    (State.SUBMITTED, "accept", "admin", State.ACCEPTED, Kind.ACCEPTED),
    (State.SUBMITTED, "return", "reviewer", State.RETURNED, Kind.RETURNED),
    (State.SUBMITTED, "return", "admin", State.RETURNED, Kind.RETURNED),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "name", "who", "end", "kind"), ALLOWED)
def test_allowed_transition_moves_the_report_and_records_one_event(
    request, move_to, report_a, start, name, who, end, kind
):
    user = request.getfixturevalue(who)
    move_to(report_a, start)
    before = report_a.events.count()
    comment = "Add the budget figures." if name == "return" else ""

    returned = report_transition(report=report_a, name=name, user=user, comment=comment)

    stored = ImplementationReport.objects.get(pk=report_a.pk)
    assert stored.state == end
    assert returned.state == end
    assert report_a.state == end  # the caller's instance follows
    assert report_a.events.count() == before + 1
    event = report_a.events.latest("pk")
    assert (event.kind, event.actor, event.data["from"], event.data["to"]) == (kind, user, start, end)
    if end == State.SUBMITTED:
        assert stored.submitted_by == user
        assert stored.submitted_at is not None
    else:
        assert stored.reviewed_at is not None


# Refused transitions -------------------------------------------------------------------------

REFUSED = [
    # Only the approver of the report's own parliament submits.
    (State.DRAFT, "submit", "reporter_a"),
    (State.DRAFT, "submit", "approver_b"),
    (State.DRAFT, "submit", "reviewer"),
    (State.DRAFT, "submit", "admin"),
    (State.RETURNED, "submit", "reporter_a"),
    (State.RETURNED, "submit", "approver_b"),
    # A draft is not reviewed.
    (State.DRAFT, "accept", "reviewer"),
    (State.DRAFT, "accept", "admin"),
    (State.DRAFT, "return", "reviewer"),
    # Submitted: the parliament waits for the review; nobody submits twice.
    (State.SUBMITTED, "submit", "approver_a"),
    (State.SUBMITTED, "accept", "approver_a"),
    (State.SUBMITTED, "accept", "reporter_a"),
    (State.SUBMITTED, "return", "approver_a"),
    (State.SUBMITTED, "accept", "approver_b"),
    # Returned: back with the parliament, not reviewed again until resubmitted.
    (State.RETURNED, "accept", "reviewer"),
    (State.RETURNED, "return", "reviewer"),
    # Accepted is final.
    *[
        (State.ACCEPTED, name, who)
        for name in ("submit", "return", "accept")
        for who in ("approver_a", "reviewer", "admin")
    ],
    # The group chair reads and changes nothing.
    *[(state, name, "chair_a") for state in State.values for name in ("submit", "return", "accept")],
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "name", "who"), REFUSED)
def test_refused_transition_changes_nothing(request, move_to, report_a, start, name, who):
    user = request.getfixturevalue(who)
    move_to(report_a, start)
    events, comments = report_a.events.count(), report_a.comments.count()

    with pytest.raises(TransitionNotAllowed):
        report_transition(report=report_a, name=name, user=user, comment="A comment.")

    assert ImplementationReport.objects.get(pk=report_a.pk).state == start
    assert report_a.state == start
    assert report_a.events.count() == events
    assert report_a.comments.count() == comments


@pytest.mark.django_db
def test_unknown_transition_is_refused(report_a, approver_a):
    with pytest.raises(TransitionNotAllowed, match="publish"):
        report_transition(report=report_a, name="publish", user=approver_a)
    assert ImplementationReport.objects.get(pk=report_a.pk).state == State.DRAFT


@pytest.mark.django_db
def test_state_is_read_from_the_database_not_the_callers_copy(report_a, approver_a, reviewer):
    stale_copy = ImplementationReport.objects.get(pk=report_a.pk)
    report_a.submit(by=approver_a)
    report_a.accept(by=reviewer)
    assert stale_copy.state == State.DRAFT

    with pytest.raises(TransitionNotAllowed, match="Accepted"):
        stale_copy.submit(by=approver_a)
    assert ImplementationReport.objects.get(pk=report_a.pk).state == State.ACCEPTED


# Returning needs a comment -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("comment", ["", "   \n\t"])
def test_return_without_a_comment_is_refused(move_to, report_a, reviewer, comment):
    move_to(report_a, State.SUBMITTED)
    events = report_a.events.count()

    with pytest.raises(TransitionNotAllowed, match="comment is required"):
        report_transition(report=report_a, name="return", user=reviewer, comment=comment)

    assert ImplementationReport.objects.get(pk=report_a.pk).state == State.SUBMITTED
    assert report_a.events.count() == events
    assert not report_a.comments.exists()


@pytest.mark.django_db
def test_return_records_the_comment(move_to, report_a, reviewer):
    move_to(report_a, State.SUBMITTED)

    report_a.return_for_changes(by=reviewer, comment="  OP2 (b) has no measures.  ")

    comment = ReportComment.objects.get(report=report_a)
    assert (comment.author, comment.body) == (reviewer, "OP2 (b) has no measures.")
    event = report_a.events.get(kind=Kind.RETURNED)
    assert event.data == {"from": State.SUBMITTED, "to": State.RETURNED, "comment": "OP2 (b) has no measures."}


# The model methods and the whole path ---------------------------------------------------------


@pytest.mark.django_db
def test_model_methods_walk_the_whole_path_one_event_per_step(report_a, approver_a, reviewer):
    report_a.submit(by=approver_a)
    assert report_a.state == State.SUBMITTED
    report_a.return_for_changes(by=reviewer, comment="Say which law was passed.")
    assert report_a.state == State.RETURNED
    report_a.submit(by=approver_a)
    report_a.accept(by=reviewer)
    assert report_a.state == State.ACCEPTED

    steps = [(e.kind, e.actor, e.data["from"], e.data["to"]) for e in _transition_events(report_a)]
    assert steps == [
        (Kind.SUBMITTED, approver_a, State.DRAFT, State.SUBMITTED),
        (Kind.RETURNED, reviewer, State.SUBMITTED, State.RETURNED),
        (Kind.SUBMITTED, approver_a, State.RETURNED, State.SUBMITTED),
        (Kind.ACCEPTED, reviewer, State.SUBMITTED, State.ACCEPTED),
    ]
    stored = ImplementationReport.objects.get(pk=report_a.pk)
    assert stored.state == State.ACCEPTED
    assert stored.submitted_by == approver_a


@pytest.mark.django_db
def test_available_transitions_follow_state_and_role(move_to, report_a, approver_a, reporter_a, reviewer, chair_a):
    def names(user):
        return [t.name for t in available_transitions(report_a, user)]

    assert names(approver_a) == ["submit"]
    assert names(reporter_a) == []
    assert names(reviewer) == []
    move_to(report_a, State.SUBMITTED)
    assert names(approver_a) == []
    assert names(reviewer) == ["return", "accept"]
    assert names(chair_a) == []


# Background work goes through the outbox, written with the transition --------------------------


@pytest.fixture
def hook_calls(monkeypatch) -> list[tuple[int, str]]:
    """Record what the outbox hands to the "report.transition" handler; handlers restored after the test."""
    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(outbox, "_handlers", dict(outbox._handlers))
    outbox.handles("report.transition")(lambda payload: calls.append((payload["report"], payload["transition"])))
    return calls


@pytest.mark.django_db
def test_hook_runs_once_after_commit(report_a, approver_a, hook_calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report_a.submit(by=approver_a)
        assert hook_calls == []  # nothing before the commit
        message = OutboxMessage.objects.get()
        assert message.payload["transition"] == "submit" and message.dispatched_at is None

    assert len(callbacks) == 1
    assert hook_calls == [(report_a.pk, "submit")]
    message.refresh_from_db()
    assert message.dispatched_at is not None


@pytest.mark.django_db
def test_hook_does_not_run_when_the_transaction_rolls_back(
    report_a, approver_a, hook_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            report_a.submit(by=approver_a)
            raise RuntimeError("the request failed after the transition")

    assert callbacks == []
    assert hook_calls == []
    assert not OutboxMessage.objects.exists()
    assert ImplementationReport.objects.get(pk=report_a.pk).state == State.DRAFT
    assert not report_a.events.filter(kind=Kind.SUBMITTED).exists()


@pytest.mark.django_db
def test_hook_does_not_run_for_a_refused_transition(
    report_a, reporter_a, hook_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(TransitionNotAllowed):
            report_a.submit(by=reporter_a)
    assert callbacks == []
    assert hook_calls == []
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_hook_runs_on_a_real_commit_and_not_on_a_real_rollback(report_a, approver_a, reviewer, hook_calls):
    with pytest.raises(RuntimeError), transaction.atomic():
        report_a.submit(by=approver_a)
        raise RuntimeError("rolled back")
    assert hook_calls == []

    report_a.submit(by=approver_a)  # autocommit: the handler runs as the transaction commits
    assert hook_calls == [(report_a.pk, "submit")]
    with transaction.atomic():
        report_a.accept(by=reviewer)
        assert hook_calls == [(report_a.pk, "submit")]
    assert hook_calls == [(report_a.pk, "submit"), (report_a.pk, "accept")]
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()


# Who sees a report in each state ---------------------------------------------------------------

VISIBLE = {
    # user: states of A's report the user sees
    "reporter_a": set(State.values),
    "approver_a": set(State.values),
    "reporter_b": set(),
    "approver_b": set(),
    "reviewer": {State.SUBMITTED, State.RETURNED, State.ACCEPTED},
    "admin": {State.SUBMITTED, State.RETURNED, State.ACCEPTED},
    "chair_a": {State.SUBMITTED, State.ACCEPTED},  # A is in group A
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("who", list(VISIBLE))
def test_report_visibility_per_instance_and_in_querysets(request, move_to, report_a, state, who):
    user = request.getfixturevalue(who)
    move_to(report_a, state)
    expected = state in VISIBLE[who]

    assert policy.user_has_permission_for_instance(user, Action.VIEW_REPORT, report_a) is expected
    visible = policy.instances_user_has_permission_for(user, Action.VIEW_REPORT, ImplementationReport.objects.all())
    assert visible.filter(pk=report_a.pk).exists() is expected


@pytest.mark.django_db
@pytest.mark.parametrize("state", State.values)
def test_the_own_parliament_sees_its_report_and_not_the_others(move_to, report_a, report_b, reporter_a, state):
    move_to(report_b, state)
    visible = policy.instances_user_has_permission_for(
        reporter_a, Action.VIEW_REPORT, ImplementationReport.objects.all()
    )
    assert list(visible.values_list("pk", flat=True)) == [report_a.pk]
    assert policy.user_has_permission_for_instance(reporter_a, Action.VIEW_REPORT, report_b) is False


@pytest.mark.django_db
def test_group_chair_sees_only_the_groups_parliaments(move_to, report_a, report_b, report_c, chair_a):
    for report in (report_a, report_b, report_c):
        move_to(report, State.SUBMITTED)

    visible = policy.instances_user_has_permission_for(chair_a, Action.VIEW_REPORT, ImplementationReport.objects.all())
    assert list(visible) == [report_a]
    assert policy.user_has_permission_for_instance(chair_a, Action.VIEW_REPORT, report_b) is False


@pytest.mark.django_db
def test_chair_of_a_parliament_in_two_groups_sees_its_report_once(move_to, report_a, parliament_a, group_b, chair_a):
    parliament_a.groups.add(group_b)
    move_to(report_a, State.ACCEPTED)
    visible = policy.instances_user_has_permission_for(chair_a, Action.VIEW_REPORT, ImplementationReport.objects.all())
    assert list(visible) == [report_a]


@pytest.mark.django_db
def test_only_the_own_parliament_edits_and_only_while_editable(move_to, report_a, reporter_a, approver_b, reviewer):
    editable = ImplementationReport.objects.all()
    assert policy.user_has_permission_for_instance(reporter_a, Action.EDIT_REPORT, report_a)
    assert list(policy.instances_user_has_permission_for(reporter_a, Action.EDIT_REPORT, editable)) == [report_a]
    assert not policy.user_has_permission_for_instance(approver_b, Action.EDIT_REPORT, report_a)
    assert not policy.user_has_permission_for_instance(reviewer, Action.EDIT_REPORT, report_a)

    move_to(report_a, State.SUBMITTED)
    assert not policy.user_has_permission_for_instance(reporter_a, Action.EDIT_REPORT, report_a)
    assert not policy.instances_user_has_permission_for(reporter_a, Action.EDIT_REPORT, editable).exists()
