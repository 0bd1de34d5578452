"""Reads behind the reporting pages, each in a fixed number of queries whatever the data size.

Visibility always comes from the permission policy: a selector returns ``None`` (or leaves a
row out) when the user may not see an object, so views answer 404 without revealing it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, DateField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from resolutions.models import Addressee, Commitment, Document, Paragraph, Reservation
from resolutions.selectors import is_parliament_addressee
from tracker.models import GeopoliticalGroup, Parliament, User
from tracker.permissions import Action, AnyUser, has_role, is_active, policy

from .models import (
    CommitmentResponse,
    Evidence,
    Extension,
    ImplementationReport,
    MeasureKind,
    ReportComment,
    ReportEvent,
    ReportingCycle,
)
from .workflow import Transition, available_transitions

State = ImplementationReport.State
Role = User.Role

# Large text columns no reporting page shows.
RESOLUTION_DEFERRED = ("resolution__source_text", "resolution__guiding_questions", "resolution__related_title")
REPORT_RESOLUTION_DEFERRED = tuple(f"cycle__{name}" for name in RESOLUTION_DEFERRED)


def _extension_due_date() -> Subquery:
    """The report's extended due date, if its parliament was granted one in its cycle."""
    extensions = Extension.objects.filter(cycle=OuterRef("cycle_id"), parliament=OuterRef("parliament_id"))
    return Subquery(extensions.values("due_date")[:1], output_field=DateField())


def _with_progress(queryset: QuerySet[ImplementationReport]) -> QuerySet[ImplementationReport]:
    """Answered and total responses and the effective due date, computed by the database."""
    return queryset.annotate(
        answered_count=Count("responses", filter=~Q(responses__status="")),
        response_count=Count("responses"),
        extension_due_date=_extension_due_date(),
        effective_due_date=Coalesce(_extension_due_date(), "cycle__due_date"),
    )


def _days_until(day: date, today: date | None = None) -> int:
    return (day - (today or timezone.localdate())).days


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


# Parliament home -------------------------------------------------------------------------


@dataclass
class ReportSummary:
    """One row of a parliament's home page or of a cycle page."""

    report: ImplementationReport
    due_date: date
    answered: int
    total: int
    extended: bool = False
    may_view: bool = True
    may_edit: bool = False

    @property
    def days_left(self) -> int:
        return _days_until(self.due_date)

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)

    @property
    def percent(self) -> int:
        return _percent(self.answered, self.total)


def _summary(report: ImplementationReport, **flags: bool) -> ReportSummary:
    return ReportSummary(
        report=report,
        due_date=report.effective_due_date,
        answered=report.answered_count,
        total=report.response_count,
        extended=report.extension_due_date is not None,
        **flags,
    )


def parliament_reports(*, user: AnyUser) -> list[ReportSummary]:
    """Reports of the user's parliament in open cycles, most urgent first."""
    if not (is_active(user) and user.parliament_id):
        return []
    visible = policy.instances_user_has_permission_for(user, Action.VIEW_REPORT, ImplementationReport.objects.all())
    reports = _with_progress(
        visible.filter(parliament_id=user.parliament_id, cycle__state=ReportingCycle.State.OPEN)
        .select_related("cycle", "cycle__resolution", "parliament")
        .defer(*REPORT_RESOLUTION_DEFERRED)
    ).order_by("effective_due_date", "cycle__title", "pk")
    return [
        _summary(report, may_edit=policy.user_has_permission_for_instance(user, Action.EDIT_REPORT, report))
        for report in reports
    ]


# Review queue ----------------------------------------------------------------------------


@dataclass
class QueueRow:
    report: ImplementationReport

    @property
    def days_waiting(self) -> int:
        submitted = self.report.submitted_at
        return -_days_until(timezone.localdate(submitted)) if submitted else 0


def review_queue(*, user: AnyUser) -> list[QueueRow]:
    """Submitted reports the user may review, the longest waiting first."""
    reports = policy.instances_user_has_permission_for(
        user, Action.REVIEW_REPORT, ImplementationReport.objects.filter(state=State.SUBMITTED)
    )
    reports = (
        reports.select_related("cycle", "cycle__resolution", "parliament", "submitted_by")
        .defer(*REPORT_RESOLUTION_DEFERRED)
        .order_by("submitted_at", "pk")
    )
    return [QueueRow(report) for report in reports]


# One report ------------------------------------------------------------------------------


def report_for_user(pk: int, *, user: AnyUser, action: Action = Action.VIEW_REPORT) -> ImplementationReport | None:
    """The report if it exists and the policy lets the user do ``action`` to it, else None."""
    report = (
        ImplementationReport.objects.select_related("cycle", "cycle__resolution", "parliament")
        .prefetch_related("parliament__groups")
        .defer(*REPORT_RESOLUTION_DEFERRED)
        .annotate(extension_due_date=_extension_due_date())
        .filter(pk=pk)
        .first()
    )
    if report is None or not policy.user_has_permission_for_instance(user, action, report):
        return None
    return report


def report_due_date(report: ImplementationReport) -> date:
    """The due date shown for a report loaded by ``report_for_user`` (extension included)."""
    return getattr(report, "extension_due_date", None) or report.cycle.due_date


def _responses(report: ImplementationReport) -> QuerySet[CommitmentResponse]:
    return (
        CommitmentResponse.objects.filter(report=report)
        .select_related("commitment", "commitment__paragraph", "commitment__paragraph__parent", "updated_by")
        .prefetch_related(
            Prefetch("commitment__addressees", queryset=Addressee.objects.order_by("label")),
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by").order_by("uploaded_at")),
        )
        .order_by("commitment__paragraph__position", "commitment__paragraph__letter", "pk")
    )


MEASURE_LABELS = dict(MeasureKind.choices)


def _decorate(response: CommitmentResponse) -> CommitmentResponse:
    """Labels the templates need, attached once so the page issues no further queries."""
    response.measure_labels = [str(MEASURE_LABELS.get(code, code)) for code in response.measures]
    response.addressee_badges = [
        (addressee, is_parliament_addressee(addressee)) for addressee in response.commitment.addressees.all()
    ]
    response.evidence_list = list(response.evidence.all())
    return response


def report_responses(report: ImplementationReport) -> list[CommitmentResponse]:
    """Every response of the report with its commitment, paragraph, addressees and evidence."""
    return [_decorate(response) for response in _responses(report)]


def responses_by_pk(report: ImplementationReport, pks: Iterable[int]) -> dict[int, CommitmentResponse]:
    """Responses as saved now: after a conflict the form shows them beside the user's text."""
    return {response.pk: _decorate(response) for response in _responses(report).filter(pk__in=list(pks))}


def _printed_reservations(report: ImplementationReport, commitments: list[Commitment]) -> dict[int, Reservation]:
    """Commitment → the reservation printed under the text for this report's parliament."""
    reservations = list(
        Reservation.objects.filter(document_id=report.cycle.resolution_id, parliament_id=report.parliament_id)
        .prefetch_related(Prefetch("paragraphs", queryset=Paragraph.objects.only("pk").order_by()))
        .order_by("position")
    )
    found: dict[int, Reservation] = {}
    for reservation in reservations:
        named = {paragraph.pk for paragraph in reservation.paragraphs.all()}
        for commitment in commitments:
            paragraph = commitment.paragraph
            if commitment.pk in found:
                continue
            if reservation.entire or reservation.opposition or paragraph.pk in named or paragraph.parent_id in named:
                found[commitment.pk] = reservation
    return found


@dataclass
class ReportDisplay:
    """Everything the report page and the report form show, gathered in a fixed number of queries."""

    report: ImplementationReport
    due_date: date
    responses: list[CommitmentResponse]
    comments: list[ReportComment] = field(default_factory=list)
    events: list[ReportEvent] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    reservations: dict[int, Reservation] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return sum(response.is_answered for response in self.responses)

    @property
    def total(self) -> int:
        return len(self.responses)

    @property
    def percent(self) -> int:
        return _percent(self.answered, self.total)

    @property
    def days_left(self) -> int:
        return _days_until(self.due_date)

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)

    @property
    def extended(self) -> bool:
        return getattr(self.report, "extension_due_date", None) is not None


def _field_label(name: str) -> str:
    try:
        return str(CommitmentResponse._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _timeline(report: ImplementationReport, labels: dict[int, str]) -> list[ReportEvent]:
    events = list(ReportEvent.objects.filter(report=report).select_related("actor").order_by("created_at", "pk"))
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        commitment = data.get("commitment")
        event.commitment_label = labels.get(commitment, "") if commitment else ""
        event.field_labels = [_field_label(name) for name in data.get("fields", [])]
    return events


def report_display(report: ImplementationReport, *, user: AnyUser, with_history: bool = True) -> ReportDisplay:
    """The report page's content; ``with_history`` adds the comments and the timeline."""
    responses = report_responses(report)
    labels = {response.commitment_id: response.commitment.paragraph.label for response in responses}
    display = ReportDisplay(
        report=report,
        due_date=report_due_date(report),
        responses=responses,
        transitions=available_transitions(report, user),
        reservations=_printed_reservations(report, [response.commitment for response in responses]),
    )
    if with_history:
        display.comments = list(
            ReportComment.objects.filter(report=report).select_related("author").order_by("created_at", "pk")
        )
        display.events = _timeline(report, labels)
    for response in responses:
        response.printed_reservation = display.reservations.get(response.commitment_id)
    return display


def evidence_for_user(pk: int, *, user: AnyUser) -> Evidence | None:
    """An evidence file if the policy lets the user see it, else None (the caller answers 404)."""
    evidence = (
        Evidence.objects.select_related("response", "response__report", "response__report__parliament")
        .prefetch_related("response__report__parliament__groups")
        .filter(pk=pk)
        .first()
    )
    if evidence is None or not policy.user_has_permission_for_instance(user, Action.VIEW_EVIDENCE, evidence):
        return None
    return evidence


def response_in_report(report: ImplementationReport, response_pk: int) -> CommitmentResponse | None:
    response = CommitmentResponse.objects.select_related("commitment").filter(report=report, pk=response_pk).first()
    if response is not None:
        response.report = report  # the instance the caller already checked
    return response


# Cycles ----------------------------------------------------------------------------------


def _row_scope(user: AnyUser) -> Q | None:
    """Which parliaments' rows a cycle viewer sees: all for the Secretariat, a chair's group, else none."""
    if has_role(user, Role.REVIEWER, Role.SECRETARIAT_ADMIN):
        return Q()
    if has_role(user, Role.GROUP_CHAIR) and user.geopolitical_group_id:
        return Q(parliament__in=Parliament.objects.filter(groups=user.geopolitical_group_id).values("pk"))
    return None


def cycle_list(*, user: AnyUser) -> QuerySet[ReportingCycle]:
    """Cycles with their report counts per state, counted by the database (within the viewer's rows)."""
    cycles = policy.instances_user_has_permission_for(user, Action.VIEW_CYCLES, ReportingCycle.objects.all())
    scope = _row_scope(user)
    if scope is None:
        return cycles.none()
    in_scope = Q(reports__in=ImplementationReport.objects.filter(scope).values("pk")) if scope else Q()
    counts = {
        f"{state}_count": Count("reports", filter=in_scope & Q(reports__state=state), distinct=True)
        for state in State.values
    }
    return (
        cycles.select_related("resolution")
        .defer(*RESOLUTION_DEFERRED)
        .annotate(report_count=Count("reports", filter=in_scope, distinct=True), **counts)
        .order_by("-opened_on", "-pk")
    )


@dataclass
class CycleDisplay:
    cycle: ReportingCycle
    rows: list[ReportSummary]
    extensions: list[Extension]
    commitments: list[Commitment]

    @property
    def state_counts(self) -> list[tuple[str, str, int]]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            counts[row.report.state] += 1
        return [(value, label, counts[value]) for value, label in State.choices]


def cycle_for_display(pk: int, *, user: AnyUser) -> CycleDisplay | None:
    """A cycle with one row per parliament asked (those the viewer may list), or None."""
    cycle = (
        policy.instances_user_has_permission_for(user, Action.VIEW_CYCLES, ReportingCycle.objects.all())
        .select_related("resolution", "created_by")
        .defer(*RESOLUTION_DEFERRED)
        .filter(pk=pk)
        .first()
    )
    scope = _row_scope(user)
    if cycle is None or scope is None:
        return None
    reports = _with_progress(
        ImplementationReport.objects.filter(scope, cycle=cycle).select_related("parliament")
    ).order_by("parliament__name", "pk")
    visible_ids = set(
        policy.instances_user_has_permission_for(
            user, Action.VIEW_REPORT, ImplementationReport.objects.filter(cycle=cycle)
        ).values_list("pk", flat=True)
    )
    rows = []
    for report in reports:
        report.cycle = cycle
        rows.append(_summary(report, may_view=report.pk in visible_ids))
    extensions = list(
        Extension.objects.filter(cycle=cycle, parliament__in=[row.report.parliament_id for row in rows])
        .select_related("parliament", "granted_by")
        .order_by("parliament__name")
    )
    commitments = list(
        cycle.commitments.select_related("paragraph", "paragraph__parent").order_by(
            "paragraph__position", "paragraph__letter"
        )
    )
    return CycleDisplay(cycle=cycle, rows=rows, extensions=extensions, commitments=commitments)


def cycle_for_user(pk: int, *, user: AnyUser, action: Action = Action.MANAGE_CYCLES) -> ReportingCycle | None:
    cycles = policy.instances_user_has_permission_for(user, action, ReportingCycle.objects.all())
    return cycles.select_related("resolution").defer(*RESOLUTION_DEFERRED).filter(pk=pk).first()


def cycle_parliaments(cycle: ReportingCycle) -> QuerySet[Parliament]:
    """Parliaments asked to report in the cycle (the only ones an extension can be granted to)."""
    return Parliament.objects.filter(reports__cycle=cycle).order_by("name").distinct()


def cycle_resolutions() -> QuerySet[Document]:
    """Texts a cycle can be opened on: resolutions that have commitments."""
    with_commitments = Commitment.objects.filter(document=OuterRef("pk"))
    return (
        Document.objects.exclude(kind=Document.Kind.BACKGROUND_NOTE)
        .filter(Exists(with_commitments))
        .defer("source_text", "guiding_questions", "related_title")
        .order_by("-adopted", "-imported_at")
    )


def resolution_commitments(resolution: Document) -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(document=resolution)
        .select_related("paragraph", "paragraph__parent")
        .order_by("paragraph__position", "paragraph__letter")
    )


def geopolitical_groups() -> QuerySet[GeopoliticalGroup]:
    return GeopoliticalGroup.objects.order_by("name")


def all_parliaments() -> QuerySet[Parliament]:
    return Parliament.objects.order_by("name")
