"""Factories and builders for reporting tests, on top of the shared ones in tests/factories.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reporting.forms import answer_fingerprint, response_values
from reporting.models import CommitmentResponse, Evidence, ImplementationReport, ReportingCycle
from reporting.services import cycle_open, evidence_add
from reporting.workflow import report_transition
from resolutions.models import Addressee, Commitment, Document
from tests.factories import (
    CommitmentFactory,
    DocumentFactory,
    GeopoliticalGroupFactory,
    ParliamentFactory,
    UserFactory,
)
from tracker.models import GeopoliticalGroup, Parliament, User

State = ImplementationReport.State
Role = User.Role

# A minimal but well-formed PDF: the evidence check reads the %PDF- signature.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingCycle
        skip_postgeneration_save = True

    resolution = factory.SubFactory(DocumentFactory)
    title = factory.Sequence(lambda n: f"Reporting cycle {n}")
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImplementationReport

    cycle = factory.SubFactory(CycleFactory)
    parliament = factory.SubFactory(ParliamentFactory)


class ResponseFactory(factory.django.DjangoModelFactory):
    """A response on a new commitment of the report's resolution, added to the cycle's commitments."""

    class Meta:
        model = CommitmentResponse
        skip_postgeneration_save = True

    report = factory.SubFactory(ReportFactory)
    commitment = factory.SubFactory(
        CommitmentFactory, paragraph__document=factory.SelfAttribute("...report.cycle.resolution")
    )

    @factory.post_generation
    def in_cycle(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.report.cycle.commitments.add(self.commitment)


def make_user(username: str, role: str, *, parliament: Parliament | None = None, **fields: object) -> User:
    return UserFactory(username=username, role=role, parliament=parliament, **fields)


def make_resolution(*, commitments: int, deadline_days: int = 60) -> Document:
    """A resolution with ``commitments`` commitments addressed to parliaments, and a dated deadline."""
    document = DocumentFactory(deadline_date=timezone.localdate() + timedelta(days=deadline_days))
    created = CommitmentFactory.create_batch(commitments, paragraph__document=document)
    parliaments, _ = Addressee.objects.get_or_create(code="parliaments", defaults={"label": "Parliaments"})
    Commitment.addressees.through.objects.bulk_create(
        [Commitment.addressees.through(commitment_id=c.pk, addressee_id=parliaments.pk) for c in created]
    )
    return document


def make_parliaments(count: int, *, prefix: str = "Q") -> list[Parliament]:
    """Many parliaments in one query (iso3 codes ``<prefix>AA``, ``<prefix>AB``...)."""
    return Parliament.objects.bulk_create(
        [
            Parliament(name=f"Parliament {prefix}{i:03d}", iso3=f"{prefix}{i // 26 % 26 + 65:c}{i % 26 + 65:c}")
            for i in range(count)
        ]
    )


def open_test_cycle(*, resolution: Document, parliaments: list[Parliament], admin: User) -> ReportingCycle:
    """A cycle opened through the service, as the Secretariat would."""
    return cycle_open(
        resolution=resolution,
        user=admin,
        selection=ReportingCycle.Selection.LIST,
        parliaments=parliaments,
        opened_on=timezone.localdate() - timedelta(days=5),
    )


@dataclass
class World:
    """Two parliaments (A in the chair's group, B not), their users, the Secretariat and a cycle."""

    group: GeopoliticalGroup
    other_group: GeopoliticalGroup
    parliament_a: Parliament
    parliament_b: Parliament
    reporter_a: User
    approver_a: User
    reporter_b: User
    approver_b: User
    reviewer: User
    admin: User
    chair: User
    cycle: ReportingCycle
    report_a: ImplementationReport
    report_b: ImplementationReport

    def users(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "reporter_a": self.reporter_a,
            "reporter_b": self.reporter_b,
            "approver_a": self.approver_a,
            "reviewer": self.reviewer,
            "admin": self.admin,
            "chair": self.chair,
        }


def build_world(*, commitments: int = 3) -> World:
    group = GeopoliticalGroupFactory(name="African Group", slug="african")
    other_group = GeopoliticalGroupFactory(name="Twelve Plus", slug="twelve-plus")
    parliament_a = ParliamentFactory(name="Rwanda", iso3="RWA")
    parliament_a.groups.add(group)
    parliament_b = ParliamentFactory(name="France", iso3="FRA")
    parliament_b.groups.add(other_group)
    admin = make_user("admin", Role.SECRETARIAT_ADMIN)
    resolution = make_resolution(commitments=commitments)
    cycle = open_test_cycle(resolution=resolution, parliaments=[parliament_a, parliament_b], admin=admin)
    reports = {report.parliament_id: report for report in cycle.reports.all()}
    return World(
        group=group,
        other_group=other_group,
        parliament_a=parliament_a,
        parliament_b=parliament_b,
        reporter_a=make_user("reporter-a", Role.REPORTER, parliament=parliament_a),
        approver_a=make_user("approver-a", Role.APPROVER, parliament=parliament_a),
        reporter_b=make_user("reporter-b", Role.REPORTER, parliament=parliament_b),
        approver_b=make_user("approver-b", Role.APPROVER, parliament=parliament_b),
        reviewer=make_user("reviewer", Role.REVIEWER),
        admin=admin,
        chair=make_user("chair", Role.GROUP_CHAIR, geopolitical_group=group),
        cycle=cycle,
        report_a=reports[parliament_a.pk],
        report_b=reports[parliament_b.pk],
    )


def advance_report(
    report: ImplementationReport, state: str, *, approver: User, reviewer: User
) -> ImplementationReport:
    """Take a draft report to ``state`` through the workflow."""
    if state == State.DRAFT:
        return report
    report_transition(report=report, name="submit", user=approver)
    if state == State.RETURNED:
        report_transition(report=report, name="return", user=reviewer, comment="Please add the 2023 law.")
    elif state == State.ACCEPTED:
        report_transition(report=report, name="accept", user=reviewer)
    report.refresh_from_db()
    return report


def attach_pdf(response: CommitmentResponse, *, user: User, name: str = "law.pdf") -> Evidence:
    upload = SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")
    return evidence_add(response=response, user=user, uploaded=upload)


def ordered_responses(report: ImplementationReport) -> list[CommitmentResponse]:
    return list(report.responses.order_by("commitment__paragraph__position", "pk"))


def edit_form_data(
    report: ImplementationReport, changes: dict[int, dict] | None = None, **extra: object
) -> dict[str, object]:
    """What the edit page posts back: every section as loaded, with ``changes`` typed over it."""
    data: dict[str, object] = {}
    for response in ordered_responses(report):
        prefix = f"response-{response.pk}"
        values = response_values(response)
        data[f"{prefix}-version"] = response.version
        data[f"{prefix}-loaded"] = answer_fingerprint(values)
        values.update((changes or {}).get(response.pk, {}))
        for name, value in values.items():
            if name == "links" and isinstance(value, list):
                value = "\n".join(value)
            data[f"{prefix}-{name}"] = value
    report.refresh_from_db()
    if report.publish_consent:
        data["report-publish_consent"] = "on"
    data.update(extra)
    return data
