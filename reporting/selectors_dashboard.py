"""Reads behind the cycle dashboard, the commitment and parliament pages and the published summaries.

Each read costs a fixed number of queries whatever the number of parliaments and
commitments: figures come from the stored summary rows (``reporting.summaries``, built first
when a cycle has none), answers from one ``values_list`` query, and per-parliament counts
(notices sent, effective due dates) from subqueries. Who sees what is the permission
policy's answer: a selector returns ``None`` when the user may not see the object, so the
view answers 404 without revealing it, and answers of reports the user may not read are
never fetched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from resolutions.models import Commitment, Document, DocumentReference, Reservation
from tracker.models import Parliament
from tracker.permissions import Action, AnyUser, M, policy

from .exports.document import (
    STATUS_STYLES,
    UNANSWERED,
    Figures,
    StatusCount,
    stored_summary,
    summary_figures,
)
from .exports.rows import CommitmentInfo, cycle_commitments
from .models import (
    CommitmentResponse,
    CommitmentSummary,
    CycleSummary,
    Evidence,
    Extension,
    ImplementationReport,
    ImplementationStatus,
    MeasureKind,
    Notice,
    ReportingCycle,
)
from .selectors import REPORT_RESOLUTION_DEFERRED, RESOLUTION_DEFERRED, _row_scope
from .summaries import WEIGHTED, summaries_build_all

State = ImplementationReport.State
# States whose report has not reached the IPU yet: late once past the effective due date.
NOT_SUBMITTED = (State.DRAFT, State.RETURNED)
# Earlier cycles shown beside this one's figures.
TREND_MAX = 3


def status_labels() -> dict[str, str]:
    """Status → label in the active language; "" and UNANSWERED read "Not answered"."""
    labels = {value: str(label) for value, label in ImplementationStatus.choices}
    labels[UNANSWERED] = labels[""] = _("Not answered")
    return labels


def status_code(status: str) -> str:
    return str(STATUS_STYLES[status or UNANSWERED].code)


def measure_labels(kinds: object) -> list[str]:
    """Labels of the kinds of measures stored on a response (a JSON list; anything else reads as none)."""
    labels = dict(MeasureKind.choices)
    return [str(labels.get(kind, kind)) for kind in kinds] if isinstance(kinds, list) else []


def _visible_cycle(pk: int, user: AnyUser) -> ReportingCycle | None:
    return (
        policy.instances_user_has_permission_for(user, Action.VIEW_CYCLES, ReportingCycle.objects.all())
        .select_related("resolution")
        .defer(*RESOLUTION_DEFERRED)
        .filter(pk=pk)
        .first()
    )


def _extension_due_date() -> Subquery:
    extensions = Extension.objects.filter(cycle=OuterRef("cycle_id"), parliament=OuterRef("parliament_id"))
    return Subquery(extensions.values("due_date")[:1], output_field=DateField())


def _notices_sent() -> Coalesce:
    """Notices the mail server accepted for the report's parliament in its cycle."""
    sent = (
        Notice.objects.filter(
            cycle=OuterRef("cycle_id"), parliament=OuterRef("parliament_id"), state=Notice.State.SENT
        )
        .order_by()
        .values("parliament_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(sent, output_field=IntegerField()), 0)


# The dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilter:
    """What the filter form asks for; unknown values are dropped by ``cycle_dashboard``."""

    group: int | None = None
    theme: int | None = None
    state: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> DashboardFilter:
        def number(name: str) -> int | None:
            value = (query.get(name) or "").strip()
            return int(value) if value.isdigit() else None

        state = query.get("state") or None
        return cls(group=number("group"), theme=number("theme"), state=state if state in State.values else None)

    @property
    def active(self) -> bool:
        return any(value is not None for value in (self.group, self.theme, self.state))


@dataclass
class DashboardRow:
    """One parliament asked in the cycle; ``statuses`` only when the viewer may read its report."""

    report_id: int
    parliament_id: int
    name: str
    iso3: str
    state: str
    state_label: str
    due_date: date
    extended: bool
    notices_sent: int
    today: date
    may_view: bool = False
    statuses: dict[int, str] | None = None

    @property
    def days_late(self) -> int:
        return max(0, (self.today - self.due_date).days)

    @property
    def is_overdue(self) -> bool:
        return self.state in NOT_SUBMITTED and self.due_date < self.today


@dataclass
class TrendEntry:
    """An earlier cycle whose figures are shown beside the current one's."""

    cycle: ReportingCycle
    summary: CycleSummary
    recalled: bool  # on a resolution the current one recalls (else: an earlier cycle on the same one)


@dataclass
class Dashboard:
    cycle: ReportingCycle
    figures: Figures
    filters: DashboardFilter
    columns: list[CommitmentInfo]
    rows: list[DashboardRow]
    all_columns: int
    themes: list[tuple[int, str]]
    trend: list[TrendEntry]
    scope_group: str | None = None  # a chair sees the parliaments of this group only

    @property
    def summary(self) -> CycleSummary:
        return self.figures.summary

    @property
    def groups(self) -> list[tuple[int, str]]:
        return [(group.group_id, group.name) for group in self.figures.groups]

    @property
    def overdue(self) -> list[DashboardRow]:
        late = [row for row in self.rows if row.is_overdue]
        return sorted(late, key=lambda row: (-row.days_late, row.name))

    @property
    def counted_statuses(self) -> int:
        return sum(status.count for status in self.figures.statuses)


def _cycle_themes(cycle: ReportingCycle) -> tuple[dict[int, set[int]], list[tuple[int, str]]]:
    """Commitment → its themes, and the themes of the cycle's commitments by label (one query)."""
    links = (
        Commitment.themes.through.objects.filter(commitment__reporting_cycles=cycle)
        .values_list("commitment_id", "theme_id", "theme__label")
        .order_by("theme__label")
    )
    themes_of: dict[int, set[int]] = defaultdict(set)
    labels: dict[int, str] = {}
    for commitment_id, theme_id, label in links:
        themes_of[commitment_id].add(theme_id)
        labels[theme_id] = label
    return themes_of, sorted(labels.items(), key=lambda item: item[1])


def _dashboard_rows(
    cycle: ReportingCycle, user: AnyUser, scope: Q, filters: DashboardFilter, today: date
) -> list[DashboardRow]:
    """The parliaments the viewer may list, narrowed by the filters, with the answers they may read."""
    reports = ImplementationReport.objects.filter(scope, cycle=cycle)
    if filters.group is not None:
        members = Parliament.groups.through.objects.filter(
            parliament_id=OuterRef("parliament_id"), geopoliticalgroup_id=filters.group
        )
        reports = reports.filter(Exists(members))
    if filters.state is not None:
        reports = reports.filter(state=filters.state)
    found = (
        reports.annotate(extension_due=_extension_due_date(), notices_sent=_notices_sent())
        .values_list(
            "pk", "parliament_id", "parliament__name", "parliament__iso3", "state", "extension_due", "notices_sent"
        )
        .order_by("parliament__name", "pk")
    )
    states = dict(State.choices)
    rows = [
        DashboardRow(
            report_id=pk,
            parliament_id=parliament_id,
            name=name,
            iso3=iso3,
            state=state,
            state_label=str(states.get(state, state)),
            due_date=extension_due or cycle.due_date,
            extended=extension_due is not None,
            notices_sent=sent,
            today=today,
        )
        for pk, parliament_id, name, iso3, state, extension_due, sent in found
    ]
    visible = set(
        policy.instances_user_has_permission_for(
            user, Action.VIEW_REPORT, ImplementationReport.objects.filter(cycle=cycle)
        ).values_list("pk", flat=True)
    )
    readable = {row.report_id: row for row in rows if row.report_id in visible}
    for row in readable.values():
        row.may_view = True
        row.statuses = {}
    if readable:
        answers = CommitmentResponse.objects.filter(report_id__in=list(readable)).values_list(
            "report_id", "commitment_id", "status"
        )
        for report_id, commitment_id, status in answers.order_by():
            readable[report_id].statuses[commitment_id] = status
    return rows


def _trend(cycle: ReportingCycle, user: AnyUser) -> list[TrendEntry]:
    """Earlier cycles on the resolutions this one recalls, or on the same resolution; their summaries built if missing."""
    recalled = DocumentReference.objects.filter(document_id=cycle.resolution_id, target__isnull=False).values(
        "target_id"
    )
    earlier = list(
        policy.instances_user_has_permission_for(user, Action.VIEW_CYCLES, ReportingCycle.objects.all())
        .filter(Q(resolution_id__in=recalled) | Q(resolution_id=cycle.resolution_id, opened_on__lt=cycle.opened_on))
        .exclude(pk=cycle.pk)
        .select_related("resolution", "summary")
        .defer(*RESOLUTION_DEFERRED)
        .order_by("-opened_on", "-pk")[:TREND_MAX]
    )
    summaries = {other.pk: other.summary for other in earlier if hasattr(other, "summary")}
    missing = [other.pk for other in earlier if other.pk not in summaries]
    if missing:
        summaries.update((summary.cycle_id, summary) for summary in summaries_build_all(cycle_ids=missing))
    return [
        TrendEntry(other, summaries[other.pk], other.resolution_id != cycle.resolution_id)
        for other in earlier
        if other.pk in summaries
    ]


def cycle_dashboard(
    pk: int, *, user: AnyUser, filters: DashboardFilter, language: str, today: date | None = None
) -> Dashboard | None:
    """The cycle's figures, heatmap rows and overdue parliaments as the viewer may see them, or None."""
    cycle = _visible_cycle(pk, user)
    scope = _row_scope(user)
    if cycle is None or scope is None:
        return None
    today = today or timezone.localdate()
    figures = summary_figures(cycle, language=language)
    columns = cycle_commitments(cycle, language=language)
    themes_of, themes = _cycle_themes(cycle)
    # Values that name nothing in this cycle are dropped, so the form shows what is applied.
    filters = DashboardFilter(
        group=filters.group if filters.group in {group.group_id for group in figures.groups} else None,
        theme=filters.theme if filters.theme in dict(themes) else None,
        state=filters.state,
    )
    shown = [column for column in columns if filters.theme is None or filters.theme in themes_of[column.pk]]
    scope_group = None
    if scope:  # a chair's parliaments only
        names = {group.group_id: group.name for group in figures.groups}
        scope_group = names.get(user.geopolitical_group_id, "")
    return Dashboard(
        cycle=cycle,
        figures=figures,
        filters=filters,
        columns=shown,
        rows=_dashboard_rows(cycle, user, scope, filters, today),
        all_columns=len(columns),
        themes=themes,
        trend=_trend(cycle, user),
        scope_group=scope_group,
    )


# One commitment of a cycle -------------------------------------------------------------------


@dataclass
class MeasureEntry:
    """One accepted answer on the commitment."""

    report_id: int
    parliament: str
    iso3: str
    status: str
    status_label: str
    code: str
    measures: list[str]
    narrative: str


@dataclass
class CommitmentPage:
    cycle: ReportingCycle
    commitment: Commitment
    info: CommitmentInfo
    statuses: list[StatusCount]
    implementation: float | None
    entries: list[MeasureEntry]
    reservations: list[Reservation]
    previous: CommitmentInfo | None = None
    following: CommitmentInfo | None = None

    @property
    def counted(self) -> int:
        return sum(status.count for status in self.statuses)


def _commitment_statuses(row: CommitmentSummary | None) -> list[StatusCount]:
    """The commitment's stored counts as the charts draw them (colours and codes of the documents)."""
    labels = status_labels()
    counts = {key: getattr(row, key, 0) if row else 0 for key in [*ImplementationStatus.values, UNANSWERED]}
    total = sum(counts.values())
    return [
        StatusCount(
            key=key,
            label=labels[key],
            code=str(STATUS_STYLES[key].code),
            count=count,
            fill=STATUS_STYLES[key].fill,
            ink=STATUS_STYLES[key].ink,
            share=100.0 * count / total if total else 0.0,
        )
        for key, count in counts.items()
    ]


def _reservations(commitment: Commitment) -> list[Reservation]:
    """Reservations printed on the commitment's paragraph, its parent paragraph, or the entire resolution."""
    paragraph = commitment.paragraph
    named = [paragraph.pk] + ([paragraph.parent_id] if paragraph.parent_id else [])
    return list(
        Reservation.objects.filter(document_id=commitment.document_id)
        .filter(Q(entire=True) | Q(opposition=True) | Q(paragraphs__in=named))
        .select_related("parliament")
        .distinct()
        .order_by("position", "pk")
    )


def cycle_commitment(pk: int, commitment_pk: int, *, user: AnyUser, language: str) -> CommitmentPage | None:
    """A commitment of a cycle the user may see, with its distribution, accepted answers and reservations."""
    cycle = _visible_cycle(pk, user)
    if cycle is None or _row_scope(user) is None:
        return None
    commitment = (
        cycle.commitments.select_related("paragraph", "paragraph__parent")
        .prefetch_related("themes")
        .filter(pk=commitment_pk)
        .first()
    )
    if commitment is None:
        return None
    infos = cycle_commitments(cycle, language=language)
    index = next(i for i, info in enumerate(infos) if info.pk == commitment.pk)
    stored_summary(cycle)
    row = CommitmentSummary.objects.filter(cycle=cycle, commitment=commitment).first()
    readable = policy.instances_user_has_permission_for(
        user, Action.VIEW_REPORT, ImplementationReport.objects.filter(cycle=cycle, state=State.ACCEPTED)
    )
    answers = (
        CommitmentResponse.objects.filter(commitment=commitment, report__in=readable.values("pk"))
        .exclude(status="", narrative="")
        .values_list(
            "report_id", "report__parliament__name", "report__parliament__iso3", "status", "measures", "narrative"
        )
        .order_by("report__parliament__name", "report_id")
    )
    labels = status_labels()
    entries = [
        MeasureEntry(
            report_id=report_id,
            parliament=name,
            iso3=iso3,
            status=status or UNANSWERED,
            status_label=labels[status],
            code=status_code(status),
            measures=measure_labels(kinds),
            narrative=narrative.strip(),
        )
        for report_id, name, iso3, status, kinds, narrative in answers
    ]
    return CommitmentPage(
        cycle=cycle,
        commitment=commitment,
        info=infos[index],
        statuses=_commitment_statuses(row),
        implementation=row.implementation if row else None,
        entries=entries,
        reservations=_reservations(commitment),
        previous=infos[index - 1] if index > 0 else None,
        following=infos[index + 1] if index + 1 < len(infos) else None,
    )


# A parliament across cycles ------------------------------------------------------------------


@dataclass
class ParliamentReport:
    """One report of the parliament; implementation only when the viewer may read the report."""

    report: ImplementationReport
    due_date: date
    extended: bool
    answered: int
    total: int
    implementation: float | None
    may_view: bool

    @property
    def completeness(self) -> float:
        return 100.0 * self.answered / self.total if self.total else 0.0


@dataclass
class StatusCell:
    status: str | None  # None: the commitment was not asked in that cycle
    label: str = ""
    code: str = ""


@dataclass
class AnswerChange:
    """A commitment's statuses in each cycle, and whether the last answer improved on the first."""

    label: str
    verb: str
    cells: list[StatusCell]
    direction: str  # "up", "down", "same", or "" when it cannot be told


@dataclass
class ResolutionHistory:
    resolution: Document
    cycles: list[ReportingCycle]
    changes: list[AnswerChange] = field(default_factory=list)


@dataclass
class ParliamentPage:
    parliament: Parliament
    reports: list[ParliamentReport]
    histories: list[ResolutionHistory]


def _implementation() -> Avg:
    return Avg(
        Case(
            *[When(responses__status=status, then=Value(float(percent))) for status, percent in WEIGHTED.items()],
            default=Value(None),
            output_field=FloatField(),
        )
    )


def _direction(first: str, last: str) -> str:
    if first not in WEIGHTED or last not in WEIGHTED:
        return ""
    if WEIGHTED[last] == WEIGHTED[first]:
        return "same"
    return "up" if WEIGHTED[last] > WEIGHTED[first] else "down"


def _histories(rows: list[ParliamentReport]) -> list[ResolutionHistory]:
    """Per resolution with two readable reports or more: each commitment's status cycle after cycle."""
    by_resolution: dict[int, list[ParliamentReport]] = defaultdict(list)
    for row in rows:
        if row.may_view:
            by_resolution[row.report.cycle.resolution_id].append(row)
    repeated = {
        key: sorted(found, key=lambda r: (r.report.cycle.opened_on, r.report.cycle_id))
        for key, found in by_resolution.items()
        if len(found) > 1
    }
    if not repeated:
        return []
    report_ids = [row.report.pk for found in repeated.values() for row in found]
    statuses: dict[tuple[int, int], str] = {}
    commitment_ids: set[int] = set()
    answers = CommitmentResponse.objects.filter(report_id__in=report_ids).values_list(
        "report_id", "commitment_id", "status"
    )
    for report_id, commitment_id, status in answers.order_by():
        statuses[report_id, commitment_id] = status
        commitment_ids.add(commitment_id)
    commitments = sorted(
        Commitment.objects.filter(pk__in=commitment_ids).select_related("paragraph", "paragraph__parent"),
        key=lambda c: (
            (c.paragraph.parent.position, c.paragraph.position, c.paragraph.letter)
            if c.paragraph.parent_id
            else (c.paragraph.position, 0, "")
        ),
    )
    labels = status_labels()
    histories = []
    for found in repeated.values():
        history = ResolutionHistory(found[0].report.cycle.resolution, [row.report.cycle for row in found])
        for commitment in commitments:
            if commitment.document_id != history.resolution.pk:
                continue
            cells = []
            for row in found:
                status = statuses.get((row.report.pk, commitment.pk))
                if status is None:
                    cells.append(StatusCell(None))
                else:
                    cells.append(StatusCell(status or UNANSWERED, labels[status], status_code(status)))
            answered = [cell.status for cell in cells if cell.status not in (None, UNANSWERED)]
            direction = _direction(answered[0], answered[-1]) if len(answered) > 1 else ""
            history.changes.append(AnswerChange(commitment.paragraph.label, commitment.verb, cells, direction))
        histories.append(history)
    return sorted(histories, key=lambda history: history.cycles[-1].opened_on, reverse=True)


def parliament_page(iso3: str, *, user: AnyUser) -> ParliamentPage | None:
    """A parliament's reports across cycles and how its answers changed, or None if the user may not see it."""
    parliament = Parliament.objects.prefetch_related("groups").filter(iso3=iso3.upper()).first()
    if parliament is None or not policy.user_has_permission_for_instance(user, Action.VIEW_PARLIAMENT, parliament):
        return None
    reports = (
        ImplementationReport.objects.filter(parliament=parliament)
        .select_related("cycle", "cycle__resolution")
        .defer(*REPORT_RESOLUTION_DEFERRED)
        .annotate(
            answered=Count("responses", filter=~Q(responses__status="")),
            total=Count("responses"),
            implementation=_implementation(),
            extension_due=_extension_due_date(),
            effective_due=Coalesce(F("extension_due"), F("cycle__due_date")),
        )
        .order_by("-cycle__opened_on", "-cycle_id")
    )
    visible = set(
        policy.instances_user_has_permission_for(
            user, Action.VIEW_REPORT, ImplementationReport.objects.filter(parliament=parliament)
        ).values_list("pk", flat=True)
    )
    rows = []
    for report in reports:
        may_view = report.pk in visible
        report.parliament = parliament
        # How far a draft has got may be shown; what it says stays the parliament's until submitted.
        rows.append(
            ParliamentReport(
                report=report,
                due_date=report.effective_due,
                extended=report.extension_due is not None,
                answered=report.answered,
                total=report.total,
                implementation=report.implementation if may_view else None,
                may_view=may_view,
            )
        )
    return ParliamentPage(parliament=parliament, reports=rows, histories=_histories(rows))


# Published summaries -------------------------------------------------------------------------


@dataclass
class PublicEvidence:
    pk: int
    name: str
    size: int


@dataclass
class PublicAnswer:
    parliament: str
    iso3: str
    status: str
    status_label: str
    code: str
    measures: list[str]
    narrative: str
    evidence: list[PublicEvidence] = field(default_factory=list)


@dataclass
class PublicCommitment:
    info: CommitmentInfo
    answers: list[PublicAnswer] = field(default_factory=list)


@dataclass
class PublicCycle:
    cycle: ReportingCycle
    figures: Figures
    parliaments: list[tuple[str, str]]  # (name, iso3) of those that agreed to publication
    commitments: list[PublicCommitment]

    @property
    def summary(self) -> CycleSummary:
        return self.figures.summary

    @property
    def counted_statuses(self) -> int:
        return sum(status.count for status in self.figures.statuses)


def _published(user: AnyUser, queryset: QuerySet[M]) -> QuerySet[M]:
    return policy.instances_user_has_permission_for(user, Action.VIEW_PUBLISHED, queryset)


def published_cycles(*, user: AnyUser) -> list[ReportingCycle]:
    """Cycles whose summary has been computed, the latest first, each with its summary."""
    return list(
        _published(user, ReportingCycle.objects.all())
        .select_related("resolution", "summary")
        .defer(*RESOLUTION_DEFERRED)
        .order_by("-opened_on", "-pk")
    )


def published_cycle(pk: int, *, user: AnyUser, language: str) -> PublicCycle | None:
    """A published cycle's figures and the accepted answers of the parliaments that agreed to publication."""
    cycle = (
        _published(user, ReportingCycle.objects.all())
        .select_related("resolution")
        .defer(*RESOLUTION_DEFERRED)
        .filter(pk=pk)
        .first()
    )
    if cycle is None:
        return None
    figures = summary_figures(cycle, language=language)
    sections = {info.pk: PublicCommitment(info) for info in cycle_commitments(cycle, language=language)}
    parliaments = list(
        _published(user, ImplementationReport.objects.filter(cycle=cycle))
        .order_by("parliament__name")
        .values_list("parliament__name", "parliament__iso3")
    )
    answers = (
        _published(user, CommitmentResponse.objects.filter(report__cycle=cycle))
        .values_list(
            "pk",
            "commitment_id",
            "report__parliament__name",
            "report__parliament__iso3",
            "status",
            "measures",
            "narrative",
        )
        .order_by("report__parliament__name", "pk")
    )
    files: dict[int, list[PublicEvidence]] = defaultdict(list)
    evidence = (
        _published(user, Evidence.objects.filter(response__report__cycle=cycle))
        .values_list("pk", "response_id", "original_name", "size")
        .order_by("uploaded_at", "pk")
    )
    for evidence_pk, response_id, name, size in evidence:
        files[response_id].append(PublicEvidence(evidence_pk, name, size))
    labels = status_labels()
    for response_id, commitment_id, name, iso3, status, kinds, narrative in answers:
        measures = measure_labels(kinds)
        if commitment_id not in sections or not (status or narrative.strip() or measures or files[response_id]):
            continue
        sections[commitment_id].answers.append(
            PublicAnswer(
                parliament=name,
                iso3=iso3,
                status=status or UNANSWERED,
                status_label=labels[status],
                code=status_code(status),
                measures=measures,
                narrative=narrative.strip(),
                evidence=files[response_id],
            )
        )
    return PublicCycle(cycle=cycle, figures=figures, parliaments=parliaments, commitments=list(sections.values()))


def published_evidence(pk: int, *, user: AnyUser) -> Evidence | None:
    """A file of a published answer that is not marked private, else None (the caller answers 404)."""
    return _published(user, Evidence.objects.filter(pk=pk)).first()
