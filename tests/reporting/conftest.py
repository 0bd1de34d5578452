"""Fixtures for the reporting tests.

Parliaments A, B and C (A in group A; B and C in group B), the people of A and B in each
parliament role, the Secretariat (reviewer, admin), the chair of group A, and one
resolution with five operative paragraphs' worth of commitments:

- OP1 and OP2 ask parliaments to act; OP2 has sub-paragraphs (a) and (b), each a commitment;
- OP3 asks the IPU Secretariat, so parliaments do not report on it by default;
- A expressed a reservation on OP2; C expressed one on the entire resolution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from reporting import services
from reporting.models import ImplementationReport, ReportingCycle
from reporting.workflow import report_transition
from resolutions.models import Commitment, Document, Paragraph, Reservation
from tests.factories import (
    CommitmentFactory,
    DocumentFactory,
    GeopoliticalGroupFactory,
    ParagraphFactory,
    ParliamentFactory,
    UserFactory,
)
from tracker.models import GeopoliticalGroup, Parliament, User

OPENED_ON = date(2030, 1, 15)
DEADLINE = date(2030, 10, 1)
Role = User.Role
State = ImplementationReport.State


@dataclass
class Resolution:
    document: Document
    op1: Commitment
    op2: Commitment
    op2a: Commitment
    op2b: Commitment
    op3: Commitment

    @property
    def reported(self) -> list[Commitment]:
        """The commitments parliaments report on unless the Secretariat picks others."""
        return [self.op1, self.op2, self.op2a, self.op2b]


# Parliaments, groups and people ----------------------------------------------------------


@pytest.fixture
def group_a(db) -> GeopoliticalGroup:
    return GeopoliticalGroupFactory(name="Group A", slug="group-a")


@pytest.fixture
def group_b(db) -> GeopoliticalGroup:
    return GeopoliticalGroupFactory(name="Group B", slug="group-b")


def _parliament(name: str, iso3: str, group: GeopoliticalGroup) -> Parliament:
    parliament = ParliamentFactory(name=name, iso3=iso3)
    parliament.groups.add(group)
    return parliament


@pytest.fixture
def parliament_a(group_a) -> Parliament:
    return _parliament("Parliament A", "AAA", group_a)


@pytest.fixture
def parliament_b(group_b) -> Parliament:
    return _parliament("Parliament B", "BBB", group_b)


@pytest.fixture
def parliament_c(group_b) -> Parliament:
    return _parliament("Parliament C", "CCC", group_b)


@pytest.fixture
def reporter_a(parliament_a) -> User:
    return UserFactory(username="reporter-a", role=Role.REPORTER, parliament=parliament_a)


@pytest.fixture
def approver_a(parliament_a) -> User:
    return UserFactory(username="approver-a", role=Role.APPROVER, parliament=parliament_a)


@pytest.fixture
def reporter_b(parliament_b) -> User:
    return UserFactory(username="reporter-b", role=Role.REPORTER, parliament=parliament_b)


@pytest.fixture
def approver_b(parliament_b) -> User:
    return UserFactory(username="approver-b", role=Role.APPROVER, parliament=parliament_b)


@pytest.fixture
def approver_c(parliament_c) -> User:
    return UserFactory(username="approver-c", role=Role.APPROVER, parliament=parliament_c)


@pytest.fixture
def reviewer(db) -> User:
    return UserFactory(username="reviewer", role=Role.REVIEWER)


@pytest.fixture
def admin(db) -> User:
    return UserFactory(username="secretariat-admin", role=Role.SECRETARIAT_ADMIN)


@pytest.fixture
def chair_a(group_a) -> User:
    return UserFactory(username="chair-a", role=Role.GROUP_CHAIR, geopolitical_group=group_a)


# The resolution ----------------------------------------------------------------------------


def _operative(document: Document, position: int, *, parent: Paragraph | None = None, letter: str = "") -> Paragraph:
    return ParagraphFactory(
        document=document,
        position=position,
        number=None if parent else position,
        parent=parent,
        letter=letter,
        text=f"Operative text {parent.position if parent else position}{letter}.",
    )


@pytest.fixture
def resolution(parliament_a, parliament_c) -> Resolution:
    document = DocumentFactory(
        title="Parliaments and the follow-up of commitments",
        deadline_phrase="by the 160th Assembly",
        deadline_date=DEADLINE,
    )
    ParagraphFactory(document=document, kind=Paragraph.Kind.PREAMBULAR, position=1, text="Recalling...")
    p1 = _operative(document, 1)
    p2 = _operative(document, 2)
    p2a = _operative(document, 1, parent=p2, letter="a")
    p2b = _operative(document, 2, parent=p2, letter="b")
    p3 = _operative(document, 3)
    commitments = {
        name: CommitmentFactory(paragraph=paragraph)
        for name, paragraph in {"op1": p1, "op2": p2, "op2a": p2a, "op2b": p2b}.items()
    }
    commitments["op3"] = CommitmentFactory(
        paragraph=p3, verb="Requests", addresses_parliaments=False, parliaments_report=False
    )
    on_op2 = Reservation.objects.create(
        document=document, delegation="Parliament A", parliament=parliament_a, on="operative paragraph 2", position=1
    )
    on_op2.paragraphs.add(p2)
    Reservation.objects.create(
        document=document,
        delegation="Parliament C",
        parliament=parliament_c,
        on="the entire resolution",
        entire=True,
        position=2,
    )
    return Resolution(document=document, **commitments)


# Cycles and reports ------------------------------------------------------------------------


@pytest.fixture
def open_cycle(admin, resolution) -> Callable[..., ReportingCycle]:
    """Open a cycle on the resolution as the Secretariat admin; keyword arguments override."""

    def open_(**kwargs) -> ReportingCycle:
        kwargs.setdefault("resolution", resolution.document)
        kwargs.setdefault("user", admin)
        kwargs.setdefault("opened_on", OPENED_ON)
        return services.cycle_open(**kwargs)

    return open_


@pytest.fixture
def cycle(open_cycle, parliament_a, parliament_b, parliament_c) -> ReportingCycle:
    """A cycle asking every parliament (A, B and C) about the commitments reported on."""
    return open_cycle()


@pytest.fixture
def report_a(cycle, parliament_a) -> ImplementationReport:
    return cycle.reports.get(parliament=parliament_a)


@pytest.fixture
def report_b(cycle, parliament_b) -> ImplementationReport:
    return cycle.reports.get(parliament=parliament_b)


@pytest.fixture
def report_c(cycle, parliament_c) -> ImplementationReport:
    return cycle.reports.get(parliament=parliament_c)


@pytest.fixture
def move_to(reviewer) -> Callable[[ImplementationReport, str], ImplementationReport]:
    """Take a draft report to a state through the workflow, as the people allowed to."""

    def move(report: ImplementationReport, state: str) -> ImplementationReport:
        if state == State.DRAFT:
            return report
        approver = UserFactory(
            username=f"approver-{report.parliament.iso3.lower()}",
            role=Role.APPROVER,
            parliament=report.parliament,
        )
        report_transition(report=report, name="submit", user=approver)
        if state == State.RETURNED:
            report_transition(report=report, name="return", user=reviewer, comment="Please complete OP1.")
        elif state == State.ACCEPTED:
            report_transition(report=report, name="accept", user=reviewer)
        report.refresh_from_db()
        assert report.state == state
        return report

    return move
