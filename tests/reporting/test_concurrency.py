"""Two people saving the same answers: optimistic locking on ``CommitmentResponse.version``."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from reporting.models import CommitmentResponse, ImplementationStatus, ReportEvent
from reporting.services import ReportingError, ResponseChange, StaleResponse, report_save

EDITED = ReportEvent.Kind.EDITED


def _response(report, commitment) -> CommitmentResponse:
    return CommitmentResponse.objects.get(report=report, commitment=commitment)


@pytest.mark.django_db
def test_the_second_save_from_the_same_version_is_stale(report_a, reporter_a, approver_a, resolution):
    loaded = _response(report_a, resolution.op1)  # both open the form at the same version
    version = loaded.version

    report_save(
        report=report_a,
        user=reporter_a,
        changes=[ResponseChange(loaded.pk, version, {"status": ImplementationStatus.PLANNED, "narrative": "First."})],
    )
    with pytest.raises(StaleResponse) as caught:
        report_save(
            report=report_a,
            user=approver_a,
            changes=[ResponseChange(loaded.pk, version, {"narrative": "Second.", "links": ["https://x.example"]})],
        )

    assert caught.value.response_ids == [loaded.pk]
    assert isinstance(caught.value, ReportingError)
    stored = _response(report_a, resolution.op1)
    assert (stored.status, stored.narrative, stored.links, stored.version, stored.updated_by) == (
        ImplementationStatus.PLANNED,
        "First.",
        [],
        version + 1,
        reporter_a,
    )
    assert [e.actor for e in report_a.events.filter(kind=EDITED)] == [reporter_a]


@pytest.mark.django_db
def test_saving_again_from_the_new_version_works(report_a, reporter_a, approver_a, resolution):
    loaded = _response(report_a, resolution.op1)
    report_save(report=report_a, user=reporter_a, changes=[ResponseChange(loaded.pk, 0, {"narrative": "First."})])
    with pytest.raises(StaleResponse):
        report_save(report=report_a, user=approver_a, changes=[ResponseChange(loaded.pk, 0, {"narrative": "Mine."})])

    reloaded = _response(report_a, resolution.op1)
    report_save(
        report=report_a,
        user=approver_a,
        changes=[ResponseChange(reloaded.pk, reloaded.version, {"narrative": "Mine."})],
    )
    stored = _response(report_a, resolution.op1)
    assert (stored.narrative, stored.version, stored.updated_by) == ("Mine.", 2, approver_a)


@pytest.mark.django_db
def test_one_stale_answer_means_none_of_the_save_is_written(report_a, reporter_a, approver_a, resolution):
    op1, op2, op2a = (_response(report_a, c) for c in (resolution.op1, resolution.op2, resolution.op2a))
    report_save(report=report_a, user=reporter_a, changes=[ResponseChange(op2.pk, 0, {"narrative": "Reporter."})])
    events = report_a.events.count()

    with pytest.raises(StaleResponse) as caught:
        report_save(
            report=report_a,
            user=approver_a,
            changes=[
                ResponseChange(op1.pk, 0, {"status": ImplementationStatus.IMPLEMENTED}),
                ResponseChange(op2.pk, 0, {"narrative": "Approver."}),
                ResponseChange(op2a.pk, 0, {"narrative": "Approver too."}),
            ],
        )

    assert caught.value.response_ids == [op2.pk]
    stored = {r.pk: r for r in CommitmentResponse.objects.filter(report=report_a)}
    assert (stored[op1.pk].status, stored[op1.pk].version) == ("", 0)
    assert (stored[op2.pk].narrative, stored[op2.pk].version) == ("Reporter.", 1)
    assert (stored[op2a.pk].narrative, stored[op2a.pk].version) == ("", 0)
    assert report_a.events.count() == events


@pytest.mark.django_db
def test_several_stale_answers_are_all_named(report_a, reporter_a, approver_a, resolution):
    op1, op2 = _response(report_a, resolution.op1), _response(report_a, resolution.op2)
    report_save(
        report=report_a,
        user=reporter_a,
        changes=[ResponseChange(op1.pk, 0, {"narrative": "a"}), ResponseChange(op2.pk, 0, {"narrative": "b"})],
    )
    with pytest.raises(StaleResponse) as caught:
        report_save(
            report=report_a,
            user=approver_a,
            changes=[ResponseChange(op1.pk, 0, {"narrative": "c"}), ResponseChange(op2.pk, 0, {"narrative": "d"})],
        )
    assert sorted(caught.value.response_ids) == sorted([op1.pk, op2.pk])
    assert "2" in str(caught.value)


# Real concurrency: two connections at the same time ------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: two threads on separate connections writing at once (SQLite locks the whole file)",
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_the_same_answer_one_wins(report_a, reporter_a, approver_a, resolution):
    response = _response(report_a, resolution.op1)
    start = threading.Barrier(2, timeout=30)
    outcomes: dict[str, str] = {}

    def save(user, narrative: str) -> None:
        try:
            start.wait()
            report_save(
                report=report_a,
                user=user,
                changes=[ResponseChange(response.pk, response.version, {"narrative": narrative})],
            )
            outcomes[narrative] = "saved"
        except StaleResponse:
            outcomes[narrative] = "stale"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[narrative] = f"error: {exc!r}"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(reporter_a, "from the reporter")),
        threading.Thread(target=save, args=(approver_a, "from the approver")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert sorted(outcomes.values()) == ["saved", "stale"], outcomes
    winner = next(narrative for narrative, outcome in outcomes.items() if outcome == "saved")
    stored = _response(report_a, resolution.op1)
    assert (stored.narrative, stored.version) == (winner, response.version + 1)
    assert report_a.events.filter(kind=EDITED).count() == 1
