"""The Assembly-ready document of a cycle, one model rendered by both the PDF and the DOCX writers.

Figures come from the stored summary rows (``CycleSummary`` and its per-group, per-theme and
per-commitment rows), built first when the cycle has none, so the document says what the
summary pages say. The heatmap and the annex read the answers of accepted reports only, as
the figures do; a parliament whose report is not accepted yet shows its report state
instead. Everything a reader sees is translated when the model is built, in the
document's language, and numbers are kept raw beside their formatted text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from resolutions.models import Document
from tracker.models import Parliament, ordinal

from ..models import (
    CommitmentResponse,
    CommitmentSummary,
    CycleSummary,
    Extension,
    GroupSummary,
    ImplementationReport,
    ImplementationStatus,
    MeasureKind,
    ParliamentSummary,
    ReportingCycle,
    ThemeSummary,
)
from ..permissions import VISIBLE_TO_OTHERS
from .rows import CommitmentInfo, clean_text, cycle_commitments, cycle_reports

State = ImplementationReport.State
UNANSWERED = "unanswered"


@dataclass(frozen=True)
class StatusStyle:
    """How a status is shown: a colour-blind safe fill (ColorBrewer RdYlBu) and a text code."""

    fill: str
    ink: str
    code: object  # lazy, so it is translated in the document's language


# Ordered from "not started" to "implemented", then the answers that carry no weight.
STATUS_STYLES: dict[str, StatusStyle] = {
    ImplementationStatus.NOT_STARTED: StatusStyle("#D7191C", "#FFFFFF", pgettext_lazy("status code", "N")),
    ImplementationStatus.PLANNED: StatusStyle("#FDAE61", "#000000", pgettext_lazy("status code", "PL")),
    ImplementationStatus.IN_PROGRESS: StatusStyle("#ABD9E9", "#000000", pgettext_lazy("status code", "P")),
    ImplementationStatus.IMPLEMENTED: StatusStyle("#2C7BB6", "#FFFFFF", pgettext_lazy("status code", "I")),
    ImplementationStatus.NOT_APPLICABLE: StatusStyle("#D9D9D9", "#000000", pgettext_lazy("status code", "NA")),
    UNANSWERED: StatusStyle("#FFFFFF", "#404040", pgettext_lazy("status code", "?")),
}


def percent_text(value: float | None) -> str:
    """A percentage as the document's language writes it ("33.3%", "33,3 %"); a dash when unknown."""
    if value is None:
        return "—"
    # number_format cuts decimals off; round first so 66.67 reads 66.7.
    return _("%(value)s%%") % {"value": formats.number_format(round(value, 1), 1)}


def date_text(value: date | datetime | None) -> str:
    """A date as the document's language writes it in full; a moment gets its time (HH:MM) too."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        moment = timezone.localtime(value)
        return f"{formats.date_format(moment.date(), 'j F Y')}, {moment:%H:%M}"
    return formats.date_format(value, "j F Y")


# Figures shared by the XLSX summary sheet and the documents ------------------------------


@dataclass
class StatusCount:
    key: str
    label: str
    code: str
    count: int
    fill: str
    ink: str
    share: float  # percentage of the answers counted


@dataclass
class GroupFigures:
    group_id: int
    name: str
    asked: int
    reported: int
    response_rate: float
    completeness: float | None
    implementation: float | None

    @property
    def response_rate_text(self) -> str:
        return percent_text(self.response_rate)

    @property
    def completeness_text(self) -> str:
        return percent_text(self.completeness)

    @property
    def implementation_text(self) -> str:
        return percent_text(self.implementation)


@dataclass
class ThemeFigures:
    label: str
    commitments: int
    answers: int
    implemented: int
    implementation: float | None

    @property
    def implementation_text(self) -> str:
        return percent_text(self.implementation)


@dataclass
class Figures:
    """The cycle's stored summary, with labels in the export's language."""

    cycle: ReportingCycle
    summary: CycleSummary
    by_state: list[tuple[str, str, int]]  # (state, label, reports)
    statuses: list[StatusCount]
    groups: list[GroupFigures]
    themes: list[ThemeFigures]


def stored_summary(cycle: ReportingCycle) -> CycleSummary:
    """The cycle's stored summary, built now when the cycle has never had one."""
    summary = CycleSummary.objects.filter(cycle=cycle).first()
    if summary is None:
        from ..summaries import summary_build

        summary = summary_build(cycle_id=cycle.pk)
    return summary


def _status_counts(cycle: ReportingCycle) -> list[StatusCount]:
    totals = dict.fromkeys([*ImplementationStatus.values, UNANSWERED], 0)
    for row in CommitmentSummary.objects.filter(cycle=cycle).values(*totals):
        for key in totals:
            totals[key] += row[key]
    counted = sum(totals.values())
    labels = {**dict(ImplementationStatus.choices), UNANSWERED: _("Not answered")}
    return [
        StatusCount(
            key=key,
            label=str(labels[key]),
            code=str(STATUS_STYLES[key].code),
            count=count,
            fill=STATUS_STYLES[key].fill,
            ink=STATUS_STYLES[key].ink,
            share=100.0 * count / counted if counted else 0.0,
        )
        for key, count in totals.items()
    ]


def summary_figures(cycle: ReportingCycle, *, language: str) -> Figures:
    """Key figures, reports by state, answers by status, per group and per theme."""
    summary = stored_summary(cycle)
    with translation.override(language):
        by_state = [(value, str(label), int(summary.reports_by_state.get(value, 0))) for value, label in State.choices]
        statuses = _status_counts(cycle)
    groups = [
        GroupFigures(group_id, name, asked, reported, rate, completeness, implementation)
        for group_id, name, asked, reported, rate, completeness, implementation in GroupSummary.objects.filter(
            cycle=cycle
        )
        .order_by("group__name")
        .values_list(
            "group_id",
            "group__name",
            "parliaments_asked",
            "reported",
            "response_rate",
            "completeness",
            "implementation",
        )
    ]
    themes = [
        ThemeFigures(*row)
        for row in ThemeSummary.objects.filter(cycle=cycle)
        .order_by("theme__label")
        .values_list("theme__label", "commitments", "answers", "implemented", "implementation")
    ]
    return Figures(cycle, summary, by_state, statuses, groups, themes)


# The document ------------------------------------------------------------------------------


@dataclass
class HeatCell:
    key: str
    code: str
    label: str


@dataclass
class HeatRow:
    name: str
    iso3: str
    state: str
    state_label: str
    cells: list[HeatCell] | None  # None: no accepted report, the state is shown instead


@dataclass
class ParliamentLine:
    name: str
    iso3: str
    state_label: str
    answered: int
    total: int
    completeness: float
    implementation: float | None
    on_time: bool | None

    @property
    def completeness_text(self) -> str:
        return percent_text(self.completeness)

    @property
    def implementation_text(self) -> str:
        return percent_text(self.implementation)

    @property
    def on_time_text(self) -> str:
        if self.on_time is None:
            return "—"
        return _("Yes") if self.on_time else _("No")


@dataclass
class GroupSection:
    figures: GroupFigures
    parliaments: list[ParliamentLine]


@dataclass
class OverdueLine:
    name: str
    iso3: str
    state_label: str
    due_date: date
    extended: bool
    days_late: int

    @property
    def due_text(self) -> str:
        return date_text(self.due_date)


@dataclass
class AnnexEntry:
    parliament: str
    status_key: str
    status_label: str
    code: str
    measures: str
    narrative: str


@dataclass
class AnnexSection:
    commitment: CommitmentInfo
    entries: list[AnnexEntry] = field(default_factory=list)


@dataclass
class AssemblyDocument:
    """Everything the PDF and the DOCX show, already in the document's language."""

    language: str
    figures: Figures
    title: str
    resolution_title: str
    body: str
    session: str
    symbol: str
    adopted: date | None
    cycle_title: str
    opened_on: date
    due_date: date
    generated_on: date
    commitments: list[CommitmentInfo]
    heatmap: list[HeatRow]
    groups: list[GroupSection]
    overdue: list[OverdueLine]
    annex: list[AnnexSection]
    legend: list[StatusCount]

    @property
    def summary(self) -> CycleSummary:
        return self.figures.summary

    # Texts below are formatted in the active language: render within translation.override.

    @property
    def key_figures(self) -> list[tuple[str, str]]:
        summary = self.summary
        return [
            (_("Parliaments asked"), str(summary.parliaments_asked)),
            (_("Accepted reports"), str(summary.reported)),
            (_("Pending review"), str(summary.pending_review)),
            (_("Accepted on time"), str(summary.on_time)),
            (_("Response rate"), percent_text(summary.response_rate)),
            (_("On-time rate"), percent_text(summary.on_time_rate)),
            (_("Average completeness"), percent_text(summary.completeness)),
            (_("Weighted implementation"), percent_text(summary.implementation)),
        ]

    @property
    def dates(self) -> dict[str, str]:
        return {
            "adopted": date_text(self.adopted),
            "opened_on": date_text(self.opened_on),
            "due_date": date_text(self.due_date),
            "generated_on": date_text(self.generated_on),
            "computed_at": date_text(self.summary.computed_at),
        }


def session_text(resolution: Document) -> str:
    """ "145th Assembly, Kigali" from the linked Assembly, else from the printed number and place."""
    if resolution.assembly_id:
        return str(resolution.assembly)
    if resolution.assembly_number:
        text = _("%(ordinal)s Assembly") % {"ordinal": ordinal(resolution.assembly_number)}
        return f"{text}, {resolution.place}" if resolution.place else text
    return resolution.session or resolution.place


def _due_dates(cycle: ReportingCycle) -> dict[int, date]:
    """Parliament → its extended due date, for those granted one."""
    return dict(Extension.objects.filter(cycle=cycle).values_list("parliament_id", "due_date"))


def _overdue(cycle: ReportingCycle, reports, states: dict[str, str], today: date) -> list[OverdueLine]:
    """Parliaments that have not submitted (drafts, returned reports) past their own due date."""
    extended = _due_dates(cycle)
    lines = []
    for report in reports:
        if report.state not in (State.DRAFT, State.RETURNED):
            continue
        due = extended.get(report.parliament_id, cycle.due_date)
        if due < today:
            lines.append(
                OverdueLine(
                    report.name,
                    report.iso3,
                    states[report.state],
                    due,
                    report.parliament_id in extended,
                    (today - due).days,
                )
            )
    return sorted(lines, key=lambda line: (-line.days_late, line.name))


def _accepted_answers(cycle: ReportingCycle) -> dict[int, dict[int, tuple]]:
    """Parliament → commitment → (status, measures, narrative), for the accepted reports."""
    answers: dict[int, dict[int, tuple]] = defaultdict(dict)
    rows = (
        CommitmentResponse.objects.filter(report__cycle=cycle, report__state=State.ACCEPTED)
        .values_list("report__parliament_id", "commitment_id", "status", "measures", "narrative")
        .order_by()
    )
    for parliament_id, commitment_id, status, measures, narrative in rows.iterator(chunk_size=2000):
        answers[parliament_id][commitment_id] = (status, measures, narrative)
    return answers


def _parliament_lines(cycle: ReportingCycle, states: dict[str, str]) -> dict[int, ParliamentLine]:
    rows = (
        ParliamentSummary.objects.filter(cycle=cycle)
        .annotate(name=F("parliament__name"), iso3=F("parliament__iso3"))
        .order_by("parliament__name")
        .values_list(
            "parliament_id", "name", "iso3", "state", "answered", "total", "completeness", "implementation", "on_time"
        )
    )
    lines = {}
    for parliament_id, name, iso3, state, answered, total, completeness, implementation, on_time in rows:
        # How far a draft has got shows on the cycle page; what it says is the parliament's until submitted.
        if state not in VISIBLE_TO_OTHERS:
            implementation = None
        lines[parliament_id] = ParliamentLine(
            name, iso3, states.get(state, state), answered, total, completeness, implementation, on_time
        )
    return lines


def _group_sections(cycle: ReportingCycle, figures: Figures, lines: dict[int, ParliamentLine]) -> list[GroupSection]:
    members: dict[int, list[int]] = defaultdict(list)
    links = (
        Parliament.groups.through.objects.filter(parliament__reports__cycle=cycle)
        .values_list("geopoliticalgroup_id", "parliament_id")
        .order_by()
    )
    for group_id, parliament_id in links:
        members[group_id].append(parliament_id)
    return [
        GroupSection(
            group,
            sorted(
                (lines[pk] for pk in members.get(group.group_id, ()) if pk in lines),
                key=lambda line: line.name,
            ),
        )
        for group in figures.groups
    ]


def assembly_document(cycle_id: int, *, language: str, today: date | None = None) -> AssemblyDocument:
    """The whole document of a cycle in ``language``; raises ReportingCycle.DoesNotExist."""
    cycle = ReportingCycle.objects.select_related("resolution", "resolution__assembly").get(pk=cycle_id)
    today = today or timezone.localdate()
    figures = summary_figures(cycle, language=language)
    commitments = cycle_commitments(cycle, language=language)
    reports = cycle_reports(cycle)
    answers = _accepted_answers(cycle)
    with translation.override(language):
        states = {value: str(label) for value, label in State.choices}
        statuses = {value: str(label) for value, label in ImplementationStatus.choices}
        statuses[""] = _("Not answered")
        measure_labels = {value: str(label) for value, label in MeasureKind.choices}
        codes = {key: str(style.code) for key, style in STATUS_STYLES.items()}
        codes[""] = codes[UNANSWERED]
        resolution = cycle.resolution
        session = session_text(resolution)
        resolution_title = resolution.display_title
        title = _("Implementation of the resolution: compliance summary")
        lines = _parliament_lines(cycle, states)

    heatmap = []
    annex = {commitment.pk: AnnexSection(commitment) for commitment in commitments}
    for report in reports:
        given = answers.get(report.parliament_id) if report.state == State.ACCEPTED else None
        if given is None:
            heatmap.append(HeatRow(report.name, report.iso3, report.state, states[report.state], None))
            continue
        cells = []
        for commitment in commitments:
            status, measures, narrative = given.get(commitment.pk, ("", [], ""))
            key = status or UNANSWERED
            cells.append(HeatCell(key, codes[status], statuses.get(status, status)))
            kinds = measures if isinstance(measures, list) else []
            if narrative.strip() or kinds:
                annex[commitment.pk].entries.append(
                    AnnexEntry(
                        parliament=report.name,
                        status_key=key,
                        status_label=statuses.get(status, status),
                        code=codes[status],
                        measures="; ".join(measure_labels.get(kind, str(kind)) for kind in kinds),
                        narrative=clean_text(narrative.strip()),
                    )
                )
        heatmap.append(HeatRow(report.name, report.iso3, report.state, states[report.state], cells))

    return AssemblyDocument(
        language=language,
        figures=figures,
        title=title,
        resolution_title=resolution_title,
        body=resolution.body,
        session=session,
        symbol=resolution.symbol,
        adopted=resolution.adopted,
        cycle_title=cycle.title,
        opened_on=cycle.opened_on,
        due_date=cycle.due_date,
        generated_on=today,
        commitments=commitments,
        heatmap=heatmap,
        groups=_group_sections(cycle, figures, lines),
        overdue=_overdue(cycle, reports, states, today),
        annex=[section for section in annex.values() if section.entries],
        legend=figures.statuses,
    )
