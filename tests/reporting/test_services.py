"""Opening cycles, choosing commitments, extensions and saving a parliament's answers."""

from __future__ import annotations

import math
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.models import (
    CommitmentResponse,
    Extension,
    ImplementationReport,
    ImplementationStatus,
    MeasureKind,
    Position,
    ReportEvent,
    ReportingCycle,
)
from reporting.services import (
    ReportingError,
    ResponseChange,
    cycle_commitments_set,
    due_date_for,
    extension_grant,
    report_save,
)
from resolutions.models import Document, Reservation
from tests.factories import CommitmentFactory, DocumentFactory, ParliamentFactory

from .conftest import DEADLINE, OPENED_ON

State = ImplementationReport.State
Kind = ReportEvent.Kind
Selection = ReportingCycle.Selection


def _responses(report: ImplementationReport) -> dict[int, CommitmentResponse]:
    """commitment id → response"""
    return {response.commitment_id: response for response in CommitmentResponse.objects.filter(report=report)}


def _asked(cycle: ReportingCycle) -> set[str]:
    return set(cycle.reports.values_list("parliament__iso3", flat=True))


def _answer(report, user, commitment, **values) -> int:
    response = CommitmentResponse.objects.get(report=report, commitment=commitment)
    return report_save(report=report, user=user, changes=[ResponseChange(response.pk, response.version, values)])


# Opening a cycle: due date and kind of document ---------------------------------------------------


@pytest.mark.django_db
def test_due_date_comes_from_the_resolutions_deadline(cycle, admin):
    assert cycle.due_date == DEADLINE
    assert cycle.due_date_source == ReportingCycle.DueDateSource.TEXT
    assert cycle.opened_on == OPENED_ON
    assert cycle.created_by == admin
    assert "Parliaments and the follow-up of commitments" in cycle.title


@pytest.mark.django_db
def test_a_due_date_set_by_hand_wins_over_the_text(open_cycle, parliament_a):
    cycle = open_cycle(due_date=date(2030, 6, 30), title="Mid-term check")
    assert cycle.due_date == date(2030, 6, 30)
    assert cycle.due_date_source == ReportingCycle.DueDateSource.MANUAL
    assert cycle.title == "Mid-term check"


@pytest.mark.django_db
def test_without_a_deadline_in_the_text_the_due_date_is_needed(open_cycle, resolution, parliament_a):
    Document.objects.filter(pk=resolution.document.pk).update(deadline_date=None)
    resolution.document.refresh_from_db()

    with pytest.raises(ReportingError, match="set the due date by hand"):
        open_cycle()
    assert not ReportingCycle.objects.exists()

    cycle = open_cycle(due_date=date(2030, 3, 1))
    assert cycle.due_date_source == ReportingCycle.DueDateSource.MANUAL


@pytest.mark.django_db
@pytest.mark.parametrize("due_date", [OPENED_ON, date(2029, 12, 31)])
def test_due_date_must_be_after_the_opening_date(open_cycle, parliament_a, due_date):
    with pytest.raises(ReportingError, match="after the opening date"):
        open_cycle(due_date=due_date)
    assert not ReportingCycle.objects.exists()


@pytest.mark.django_db
def test_a_background_note_cannot_be_opened(open_cycle, parliament_a):
    note = DocumentFactory(kind=Document.Kind.BACKGROUND_NOTE, deadline_date=DEADLINE)
    CommitmentFactory(paragraph__document=note)
    with pytest.raises(ReportingError, match="background note"):
        open_cycle(resolution=note)
    assert not ReportingCycle.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reviewer", "approver_a", "chair_a"])
def test_only_the_secretariat_admin_opens_cycles(request, open_cycle, who):
    with pytest.raises(ReportingError, match="not allowed"):
        open_cycle(user=request.getfixturevalue(who))
    assert not ReportingCycle.objects.exists()
    assert not ImplementationReport.objects.exists()


# Opening a cycle: which parliaments -------------------------------------------------------------


@pytest.mark.django_db
def test_all_parliaments_are_asked(cycle):
    assert _asked(cycle) == {"AAA", "BBB", "CCC"}
    assert cycle.selection == Selection.ALL
    for report in cycle.reports.all():
        assert report.state == State.DRAFT
        assert list(report.events.values_list("kind", flat=True)) == [Kind.CREATED]


@pytest.mark.django_db
def test_selected_groups_are_asked(open_cycle, parliament_a, parliament_b, parliament_c, group_b):
    cycle = open_cycle(selection=Selection.GROUPS, groups=[group_b])
    assert _asked(cycle) == {"BBB", "CCC"}
    assert list(cycle.groups.all()) == [group_b]


@pytest.mark.django_db
def test_a_parliament_in_two_selected_groups_gets_one_report(
    open_cycle, parliament_a, parliament_b, parliament_c, group_a, group_b
):
    parliament_a.groups.add(group_b)
    cycle = open_cycle(selection=Selection.GROUPS, groups=[group_a, group_b])
    assert sorted(cycle.reports.values_list("parliament__iso3", flat=True)) == ["AAA", "BBB", "CCC"]


@pytest.mark.django_db
def test_a_list_of_parliaments_is_asked(open_cycle, parliament_a, parliament_b, parliament_c):
    cycle = open_cycle(selection=Selection.LIST, parliaments=[parliament_a, parliament_c])
    assert _asked(cycle) == {"AAA", "CCC"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("selection", "message"), [(Selection.GROUPS, "geopolitical group"), (Selection.LIST, "parliament")]
)
def test_an_empty_selection_is_refused(open_cycle, parliament_a, selection, message):
    with pytest.raises(ReportingError, match=f"at least one {message}"):
        open_cycle(selection=selection)
    assert not ReportingCycle.objects.exists()


@pytest.mark.django_db
def test_an_unknown_selection_is_refused(open_cycle, parliament_a):
    with pytest.raises(ReportingError, match="Unknown choice"):
        open_cycle(selection="everyone", parliaments=[parliament_a])
    assert not ReportingCycle.objects.exists()


@pytest.mark.django_db
def test_a_group_without_parliaments_is_refused(open_cycle, parliament_a):
    empty = parliament_a.groups.create(name="Empty group", slug="empty")
    parliament_a.groups.remove(empty)
    with pytest.raises(ReportingError, match="No parliament"):
        open_cycle(selection=Selection.GROUPS, groups=[empty])
    assert not ReportingCycle.objects.exists()


# Opening a cycle: which commitments -----------------------------------------------------------


@pytest.mark.django_db
def test_responses_only_for_commitments_parliaments_report_on(cycle, resolution):
    expected = {c.pk for c in resolution.reported}
    assert set(cycle.commitments.values_list("pk", flat=True)) == expected
    for report in cycle.reports.all():
        assert set(_responses(report)) == expected
        assert all(r.version == 0 and r.status == "" for r in _responses(report).values())


@pytest.mark.django_db
def test_an_explicit_list_of_commitments(open_cycle, resolution, parliament_a, parliament_b):
    elsewhere = CommitmentFactory()  # another resolution's commitment is left out
    cycle = open_cycle(commitments=[resolution.op3, resolution.op1, elsewhere])
    expected = {resolution.op1.pk, resolution.op3.pk}
    assert set(cycle.commitments.values_list("pk", flat=True)) == expected
    for report in cycle.reports.all():
        assert set(_responses(report)) == expected


@pytest.mark.django_db
def test_no_commitment_of_the_resolution_is_refused(open_cycle, parliament_a):
    with pytest.raises(ReportingError, match="at least one commitment"):
        open_cycle(commitments=[CommitmentFactory()])
    assert not ReportingCycle.objects.exists()


# Opening a cycle: positions from the reservations --------------------------------------------


@pytest.mark.django_db
def test_a_reservation_on_a_paragraph_marks_it_and_its_subparagraphs(report_a, resolution):
    positions = {pk: r.position for pk, r in _responses(report_a).items()}
    assert positions == {
        resolution.op1.pk: Position.NONE,
        resolution.op2.pk: Position.RESERVATION,
        resolution.op2a.pk: Position.RESERVATION,
        resolution.op2b.pk: Position.RESERVATION,
    }


@pytest.mark.django_db
def test_a_reservation_on_a_subparagraph_does_not_mark_its_parent(open_cycle, resolution, parliament_b):
    reservation = Reservation.objects.create(
        document=resolution.document, delegation="B", parliament=parliament_b, on="OP2 (b)", position=3
    )
    reservation.paragraphs.add(resolution.op2b.paragraph)
    report = open_cycle().reports.get(parliament=parliament_b)
    marked = {pk for pk, r in _responses(report).items() if r.position}
    assert marked == {resolution.op2b.pk}


@pytest.mark.django_db
def test_a_reservation_on_the_entire_resolution_marks_every_answer(report_c, report_b):
    assert {r.position for r in _responses(report_c).values()} == {Position.RESERVATION}
    assert {r.position for r in _responses(report_b).values()} == {Position.NONE}


@pytest.mark.django_db
def test_an_opposition_marks_every_answer(open_cycle, resolution, parliament_b):
    Reservation.objects.create(
        document=resolution.document, delegation="B", parliament=parliament_b, opposition=True, position=3
    )
    report = open_cycle().reports.get(parliament=parliament_b)
    assert {r.position for r in _responses(report).values()} == {Position.OPPOSITION}


@pytest.mark.django_db
def test_an_opposition_is_not_weakened_by_a_later_paragraph_reservation(open_cycle, resolution, parliament_b):
    Reservation.objects.create(
        document=resolution.document, delegation="B", parliament=parliament_b, opposition=True, position=3
    )
    on_op1 = Reservation.objects.create(
        document=resolution.document, delegation="B", parliament=parliament_b, on="OP1", position=4
    )
    on_op1.paragraphs.add(resolution.op1.paragraph)
    report = open_cycle().reports.get(parliament=parliament_b)
    assert {r.position for r in _responses(report).values()} == {Position.OPPOSITION}


@pytest.mark.django_db
def test_a_delegation_not_matched_to_a_parliament_marks_nothing(open_cycle, resolution, parliament_b):
    Reservation.objects.create(document=resolution.document, delegation="Unknown delegation", entire=True, position=3)
    report = open_cycle().reports.get(parliament=parliament_b)
    assert {r.position for r in _responses(report).values()} == {Position.NONE}


# Opening a cycle: answers of an earlier cycle ---------------------------------------------------


@pytest.mark.django_db
def test_answers_of_the_latest_earlier_cycle_are_copied(open_cycle, cycle, resolution, report_a, reporter_a):
    _answer(report_a, reporter_a, resolution.op1, status=ImplementationStatus.PLANNED, narrative="Bill drafted.")
    second = open_cycle(opened_on=date(2031, 1, 10), due_date=date(2031, 10, 1))
    second_a = second.reports.get(parliament=report_a.parliament)
    _answer(
        second_a,
        reporter_a,
        resolution.op1,
        status=ImplementationStatus.IMPLEMENTED,
        measures=[MeasureKind.LEGISLATION, MeasureKind.BUDGET],
        narrative="Law No. 12 adopted.",
        links=["https://parliament.example/law-12"],
    )

    third = open_cycle(opened_on=date(2032, 1, 10), due_date=date(2032, 10, 1))

    third_a = third.reports.get(parliament=report_a.parliament)
    answers = _responses(third_a)
    op1 = answers[resolution.op1.pk]
    assert (op1.status, op1.measures, op1.narrative, op1.links) == (
        ImplementationStatus.IMPLEMENTED,
        [MeasureKind.LEGISLATION, MeasureKind.BUDGET],
        "Law No. 12 adopted.",
        ["https://parliament.example/law-12"],
    )
    assert op1.version == 0
    assert op1.position == Position.NONE
    assert answers[resolution.op2.pk].status == ""
    assert answers[resolution.op2.pk].position == Position.RESERVATION  # positions still come from the text
    assert list(third_a.events.values_list("kind", flat=True)) == [Kind.CREATED, Kind.PREFILLED]
    # Parliament B answered nothing before: nothing copied, no "prefilled" event.
    third_b = third.reports.exclude(parliament=report_a.parliament).get(parliament__iso3="BBB")
    assert {r.status for r in _responses(third_b).values()} == {""}
    assert not third_b.events.filter(kind=Kind.PREFILLED).exists()


@pytest.mark.django_db
def test_answers_of_another_resolution_are_not_copied(open_cycle, cycle, report_a, reporter_a, resolution):
    _answer(report_a, reporter_a, resolution.op1, status=ImplementationStatus.PLANNED)
    other = DocumentFactory(deadline_date=DEADLINE)
    CommitmentFactory(paragraph__document=other)
    fresh = open_cycle(resolution=other).reports.get(parliament=report_a.parliament)
    assert {r.status for r in _responses(fresh).values()} == {""}
    assert not fresh.events.filter(kind=Kind.PREFILLED).exists()


# Opening a cycle: the number of queries ------------------------------------------------------------


def _insert_batches(model, rows: int) -> int:
    """How many INSERTs bulk_create needs for ``rows`` rows on this database."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    return math.ceil(rows / max(connection.ops.bulk_batch_size(fields, [None] * rows), 1))


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_parliaments(
    open_cycle, resolution, parliament_a, parliament_b, parliament_c, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as three:
        open_cycle()
    for n in range(57):
        ParliamentFactory(name=f"Parliament {n:02d}", iso3=f"Q{n // 26 % 26 + 65:c}{n % 26 + 65:c}")
    commitments = len(resolution.reported)
    # SQLite caps the parameters of one statement, so big bulk inserts are split: that is
    # bounded by rows per statement, not one query per parliament.
    extra = sum(
        _insert_batches(model, 60 * per_parliament) - _insert_batches(model, 3 * per_parliament)
        for model, per_parliament in (
            (ImplementationReport, 1),
            (CommitmentResponse, commitments),
            (ReportEvent, 1),
        )
    )

    with django_assert_max_num_queries(len(three) + extra):
        cycle = open_cycle(opened_on=date(2030, 2, 1))

    assert cycle.reports.count() == 60
    assert CommitmentResponse.objects.filter(report__cycle=cycle).count() == 60 * commitments
    assert ReportEvent.objects.filter(report__cycle=cycle, kind=Kind.CREATED).count() == 60


# Changing the commitments of an open cycle -----------------------------------------------------


@pytest.mark.django_db
def test_adding_a_commitment_reaches_editable_reports_only(
    cycle, resolution, admin, move_to, report_a, report_b, report_c
):
    move_to(report_b, State.RETURNED)
    move_to(report_c, State.SUBMITTED)

    cycle_commitments_set(cycle=cycle, commitments=[*resolution.reported, resolution.op3], user=admin)

    assert resolution.op3.pk in set(cycle.commitments.values_list("pk", flat=True))
    assert resolution.op3.pk in _responses(report_a)
    assert resolution.op3.pk in _responses(report_b)
    assert resolution.op3.pk not in _responses(report_c)


@pytest.mark.django_db
def test_dropping_a_commitment_leaves_submitted_answers_alone(cycle, resolution, admin, move_to, report_a, report_c):
    move_to(report_c, State.SUBMITTED)
    kept = [resolution.op2, resolution.op2a, resolution.op2b]

    cycle_commitments_set(cycle=cycle, commitments=kept, user=admin)

    assert set(cycle.commitments.values_list("pk", flat=True)) == {c.pk for c in kept}
    assert set(_responses(report_a)) == {c.pk for c in kept}
    assert set(_responses(report_c)) == {c.pk for c in resolution.reported}


@pytest.mark.django_db
def test_re_adding_a_commitment_keeps_the_answer_a_report_still_has(
    cycle, resolution, admin, reviewer, move_to, report_a, report_c, approver_c
):
    # C answers OP1 and submits; OP1 is dropped meanwhile (C keeps its answer), C's report
    # comes back for changes, then OP1 is added again.
    _answer(report_c, approver_c, resolution.op1, status=ImplementationStatus.IN_PROGRESS, narrative="Hearings held.")
    move_to(report_c, State.SUBMITTED)
    cycle_commitments_set(cycle=cycle, commitments=[resolution.op2, resolution.op2a, resolution.op2b], user=admin)
    report_c.return_for_changes(by=reviewer, comment="Please update OP1.")

    cycle_commitments_set(cycle=cycle, commitments=resolution.reported, user=admin)

    answer = CommitmentResponse.objects.get(report=report_c, commitment=resolution.op1)
    assert (answer.status, answer.narrative) == (ImplementationStatus.IN_PROGRESS, "Hearings held.")
    assert resolution.op1.pk in _responses(report_a)
    assert set(_responses(report_c)) == {c.pk for c in resolution.reported}


@pytest.mark.django_db
def test_a_re_added_commitment_gets_its_position_again(cycle, resolution, admin, report_a):
    without_2a = [resolution.op1, resolution.op2, resolution.op2b]
    cycle_commitments_set(cycle=cycle, commitments=without_2a, user=admin)
    assert resolution.op2a.pk not in _responses(report_a)

    cycle_commitments_set(cycle=cycle, commitments=resolution.reported, user=admin)
    assert _responses(report_a)[resolution.op2a.pk].position == Position.RESERVATION


@pytest.mark.django_db
def test_commitments_of_another_resolution_are_ignored(cycle, resolution, admin):
    with pytest.raises(ReportingError, match="at least one commitment"):
        cycle_commitments_set(cycle=cycle, commitments=[CommitmentFactory()], user=admin)
    assert set(cycle.commitments.values_list("pk", flat=True)) == {c.pk for c in resolution.reported}


@pytest.mark.django_db
def test_only_the_admin_changes_the_commitments(cycle, resolution, reviewer, report_a):
    with pytest.raises(ReportingError, match="not allowed"):
        cycle_commitments_set(cycle=cycle, commitments=[resolution.op1], user=reviewer)
    assert len(_responses(report_a)) == len(resolution.reported)


# Extensions and due dates ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_extension_moves_one_parliaments_due_date(cycle, admin, parliament_a, report_a, report_b):
    extension = extension_grant(
        cycle=cycle, parliament=parliament_a, due_date=date(2030, 12, 1), reason="  Elections in October. ", user=admin
    )

    assert (extension.due_date, extension.reason, extension.granted_by) == (
        date(2030, 12, 1),
        "Elections in October.",
        admin,
    )
    event = report_a.events.get(kind=Kind.EXTENDED)
    assert (event.actor, event.data) == (admin, {"due_date": "2030-12-01", "reason": "Elections in October."})
    assert due_date_for(report_a) == date(2030, 12, 1)
    assert due_date_for(report_b) == DEADLINE


@pytest.mark.django_db
def test_a_second_extension_replaces_the_first(cycle, admin, parliament_a, report_a):
    extension_grant(cycle=cycle, parliament=parliament_a, due_date=date(2030, 12, 1), reason="Elections.", user=admin)
    extension_grant(cycle=cycle, parliament=parliament_a, due_date=date(2031, 2, 1), reason="Floods.", user=admin)

    assert Extension.objects.get(cycle=cycle, parliament=parliament_a).due_date == date(2031, 2, 1)
    assert report_a.events.filter(kind=Kind.EXTENDED).count() == 2
    assert due_date_for(report_a) == date(2031, 2, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("due_date", "reason", "message"),
    [
        (date(2030, 12, 1), "   ", "reason"),
        (DEADLINE, "Elections.", "after the cycle's due date"),
        (date(2030, 9, 1), "Elections.", "after the cycle's due date"),
    ],
)
def test_invalid_extensions_are_refused(cycle, admin, parliament_a, report_a, due_date, reason, message):
    with pytest.raises(ReportingError, match=message):
        extension_grant(cycle=cycle, parliament=parliament_a, due_date=due_date, reason=reason, user=admin)
    assert not Extension.objects.exists()
    assert not report_a.events.filter(kind=Kind.EXTENDED).exists()
    assert due_date_for(report_a) == DEADLINE


@pytest.mark.django_db
def test_no_extension_for_a_parliament_not_asked(open_cycle, admin, parliament_a, parliament_b):
    cycle = open_cycle(selection=Selection.LIST, parliaments=[parliament_a])
    with pytest.raises(ReportingError, match="not asked"):
        extension_grant(cycle=cycle, parliament=parliament_b, due_date=date(2030, 12, 1), reason="x", user=admin)
    assert not Extension.objects.exists()


@pytest.mark.django_db
def test_only_the_admin_grants_extensions(cycle, reviewer, parliament_a):
    with pytest.raises(ReportingError, match="not allowed"):
        extension_grant(cycle=cycle, parliament=parliament_a, due_date=date(2030, 12, 1), reason="x", user=reviewer)
    assert not Extension.objects.exists()


@pytest.mark.django_db
def test_due_date_for_uses_prefetched_extensions_without_queries(
    cycle, admin, parliament_a, report_a, django_assert_num_queries
):
    extension = extension_grant(
        cycle=cycle, parliament=parliament_a, due_date=date(2030, 11, 5), reason="Elections.", user=admin
    )
    with_extension = ImplementationReport.objects.select_related("cycle").get(pk=report_a.pk)
    with_extension.prefetched_extensions = [extension]
    without = ImplementationReport.objects.select_related("cycle").get(pk=report_a.pk)
    without.prefetched_extensions = []

    with django_assert_num_queries(0):
        assert due_date_for(with_extension) == date(2030, 11, 5)
        assert due_date_for(without) == DEADLINE


# Saving answers ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_saving_changes_bumps_the_version_and_records_the_fields(report_a, reporter_a, resolution):
    response = _responses(report_a)[resolution.op1.pk]

    changed = report_save(
        report=report_a,
        user=reporter_a,
        changes=[
            ResponseChange(
                response.pk,
                0,
                {"status": ImplementationStatus.IN_PROGRESS, "narrative": "Committee hearings.", "position_note": ""},
            )
        ],
    )

    assert changed == 1
    response.refresh_from_db()
    assert (response.status, response.narrative, response.version, response.updated_by) == (
        ImplementationStatus.IN_PROGRESS,
        "Committee hearings.",
        1,
        reporter_a,
    )
    event = report_a.events.get(kind=Kind.EDITED)
    assert (event.actor, event.data) == (
        reporter_a,
        {"commitment": resolution.op1.pk, "fields": ["narrative", "status"]},
    )

    report_save(report=report_a, user=reporter_a, changes=[ResponseChange(response.pk, 1, {"narrative": "Hearings."})])
    response.refresh_from_db()
    assert (response.narrative, response.version) == ("Hearings.", 2)
    assert report_a.events.filter(kind=Kind.EDITED).count() == 2


@pytest.mark.django_db
def test_saving_several_answers_at_once(report_a, approver_a, resolution):
    answers = _responses(report_a)
    changes = [
        ResponseChange(answers[c.pk].pk, 0, {"status": ImplementationStatus.PLANNED})
        for c in (resolution.op1, resolution.op2a)
    ] + [ResponseChange(answers[resolution.op2.pk].pk, 0, {"status": ""})]  # unchanged

    assert report_save(report=report_a, user=approver_a, changes=changes) == 2
    versions = {pk: r.version for pk, r in _responses(report_a).items()}
    assert versions == {resolution.op1.pk: 1, resolution.op2.pk: 0, resolution.op2a.pk: 1, resolution.op2b.pk: 0}
    assert sorted(e.data["commitment"] for e in report_a.events.filter(kind=Kind.EDITED)) == sorted(
        [resolution.op1.pk, resolution.op2a.pk]
    )


@pytest.mark.django_db
def test_unchanged_values_change_nothing(report_a, reporter_a, resolution):
    response = _responses(report_a)[resolution.op2.pk]
    updated_at = ImplementationReport.objects.get(pk=report_a.pk).updated_at
    same = {"status": "", "measures": [], "narrative": "", "links": [], "position": Position.RESERVATION}

    assert report_save(report=report_a, user=reporter_a, changes=[ResponseChange(response.pk, 0, same)]) == 0

    response.refresh_from_db()
    assert response.version == 0
    assert response.updated_by is None
    assert not report_a.events.filter(kind=Kind.EDITED).exists()
    assert ImplementationReport.objects.get(pk=report_a.pk).updated_at == updated_at


@pytest.mark.django_db
def test_measures_and_links_are_cleaned(report_a, reporter_a, resolution):
    response = _responses(report_a)[resolution.op1.pk]
    values = {
        "measures": [MeasureKind.BUDGET, "bribery", {"code": "budget"}, MeasureKind.LEGISLATION, MeasureKind.BUDGET],
        "links": ["", "https://parliament.example/report"],
    }
    report_save(report=report_a, user=reporter_a, changes=[ResponseChange(response.pk, 0, values)])
    response.refresh_from_db()
    assert response.measures == [MeasureKind.BUDGET, MeasureKind.LEGISLATION]
    assert response.links == ["https://parliament.example/report"]


@pytest.mark.django_db
def test_fields_outside_the_answer_are_ignored(report_a, reporter_a, resolution):
    response = _responses(report_a)[resolution.op1.pk]
    values = {"narrative": "Done.", "version": 40, "report": 999, "updated_by": None}
    report_save(report=report_a, user=reporter_a, changes=[ResponseChange(response.pk, 0, values)])
    response.refresh_from_db()
    assert (response.narrative, response.version, response.report_id, response.updated_by) == (
        "Done.",
        1,
        report_a.pk,
        reporter_a,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("status", "finished"), ("position", "veto"), ("status", None)])
def test_a_value_outside_the_choices_is_refused(report_a, reporter_a, resolution, field, value):
    response = _responses(report_a)[resolution.op1.pk]
    changes = [ResponseChange(response.pk, 0, {"narrative": "Some text.", field: value})]
    with pytest.raises(ReportingError):
        report_save(report=report_a, user=reporter_a, changes=changes)
    response.refresh_from_db()
    assert (response.status, response.position, response.narrative, response.version) == ("", "", "", 0)


@pytest.mark.django_db
def test_a_returned_report_is_saved_again(move_to, report_a, reporter_a, resolution):
    move_to(report_a, State.RETURNED)
    response = _responses(report_a)[resolution.op1.pk]
    assert report_save(report=report_a, user=reporter_a, changes=[ResponseChange(response.pk, 0, {"narrative": "x"})])


@pytest.mark.django_db
@pytest.mark.parametrize("state", [State.SUBMITTED, State.ACCEPTED])
def test_a_report_under_review_cannot_be_saved(move_to, report_a, approver_a, resolution, state):
    move_to(report_a, state)
    response = _responses(report_a)[resolution.op1.pk]
    with pytest.raises(ReportingError):
        report_save(report=report_a, user=approver_a, changes=[ResponseChange(response.pk, 0, {"narrative": "x"})])
    response.refresh_from_db()
    assert (response.narrative, response.version) == ("", 0)


@pytest.mark.django_db
def test_a_stale_copy_of_a_submitted_report_cannot_be_saved(report_a, approver_a, resolution):
    stale_copy = ImplementationReport.objects.get(pk=report_a.pk)
    report_a.submit(by=approver_a)
    response = _responses(report_a)[resolution.op1.pk]
    with pytest.raises(ReportingError):
        report_save(report=stale_copy, user=approver_a, changes=[ResponseChange(response.pk, 0, {"narrative": "x"})])
    response.refresh_from_db()
    assert response.narrative == ""


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reporter_b", "approver_b", "reviewer", "admin", "chair_a"])
def test_others_cannot_save_a_parliaments_answers(request, report_a, resolution, who):
    response = _responses(report_a)[resolution.op1.pk]
    user = request.getfixturevalue(who)
    with pytest.raises(ReportingError, match="not allowed"):
        report_save(report=report_a, user=user, changes=[ResponseChange(response.pk, 0, {"narrative": "x"})])
    response.refresh_from_db()
    assert (response.narrative, response.version) == ("", 0)


@pytest.mark.django_db
def test_an_answer_of_another_report_is_refused_and_nothing_is_saved(report_a, report_b, reporter_a, resolution):
    own = _responses(report_a)[resolution.op1.pk]
    foreign = _responses(report_b)[resolution.op1.pk]
    changes = [
        ResponseChange(own.pk, 0, {"narrative": "ours"}),
        ResponseChange(foreign.pk, 0, {"narrative": "theirs"}),
    ]

    with pytest.raises(ReportingError, match="does not belong"):
        report_save(report=report_a, user=reporter_a, changes=changes)

    own.refresh_from_db()
    foreign.refresh_from_db()
    assert (own.narrative, own.version, foreign.narrative, foreign.version) == ("", 0, "", 0)
    assert not ReportEvent.objects.filter(kind=Kind.EDITED).exists()


def test_closed_cycle_cannot_be_edited_or_submitted(db):
    from reporting.models import ImplementationReport, ReportingCycle
    from reporting.services import ReportingError, cycle_state_set
    from tests.factories import UserFactory
    from tests.reporting.factories import ReportFactory
    from tracker.models import User
    from tracker.permissions import Action, policy

    report = ReportFactory()
    approver = UserFactory(role=User.Role.APPROVER, parliament=report.parliament)
    admin = UserFactory(role=User.Role.SECRETARIAT_ADMIN)
    assert policy.user_has_permission_for_instance(approver, Action.EDIT_REPORT, report)
    cycle_state_set(cycle=report.cycle, state=ReportingCycle.State.CLOSED, user=admin)
    report = ImplementationReport.objects.get(pk=report.pk)
    assert not policy.user_has_permission_for_instance(approver, Action.EDIT_REPORT, report)
    assert not policy.user_has_permission_for_instance(approver, Action.SUBMIT_REPORT, report)
    scoped = policy.instances_user_has_permission_for(approver, Action.EDIT_REPORT, ImplementationReport.objects.all())
    assert not scoped.exists()
    with pytest.raises(ReportingError):
        cycle_state_set(cycle=report.cycle, state=ReportingCycle.State.CLOSED, user=approver)
    with pytest.raises(ReportingError):
        cycle_state_set(cycle=report.cycle, state="archived", user=admin)
