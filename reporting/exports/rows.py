"""The parliament x commitment rows of one cycle, streamed so memory stays flat at any size.

One row per parliament asked and commitment reported on, parliaments by name and
commitments in the order of the text. Answers come from a single ``values_list`` query read
with ``.iterator()``; only the cycle's reports and commitments (a few hundred small rows) are
held in memory. A report's answers are shown once it has been submitted (submitted, returned
or accepted): the Secretariat never reads a parliament's draft, so a draft's rows carry the
parliament and the commitment with empty answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from resolutions.models import Commitment
from tracker.models import Parliament

from ..models import (
    STATUS_PERCENT,
    CommitmentResponse,
    ImplementationReport,
    ImplementationStatus,
    MeasureKind,
    ReportingCycle,
)
from ..permissions import VISIBLE_TO_OTHERS

CHUNK_SIZE = 2000
# Characters XML 1.0 (hence XLSX and DOCX) cannot hold; a pasted narrative may contain them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# (header, column width in characters); the order of the values in every row.
COLUMNS: tuple[tuple[object, int], ...] = (
    (_("Parliament"), 28),
    (_("ISO code"), 8),
    (_("Geopolitical groups"), 22),
    (_("Report state"), 14),
    (_("Submitted on"), 12),
    (_("Commitment"), 12),
    (_("Operative verb"), 16),
    (_("Implementation status"), 16),
    (_("Implementation (%)"), 10),
    (_("Measures"), 28),
    (_("Narrative"), 60),
    (_("Last change"), 12),
)
# Positions of the columns some writers treat specially.
DATE_COLUMNS = (4, 11)
PERCENT_COLUMN = 8
TEXT_COLUMNS = (9, 10)  # written by parliaments: guarded against spreadsheet formulas
NAME_COLUMNS = (0, 1, 2, 3, 5, 6, 7)  # the other text columns

Row = tuple[str, str, str, str, date | None, str, str, str, int | None, str, str, date | None]


def clean_text(text: str) -> str:
    """Text every format can store: characters XML refuses are dropped."""
    return _ILLEGAL_XML.sub("", text) if text else text


def local_date(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


@dataclass(frozen=True)
class CommitmentInfo:
    pk: int
    label: str  # "OP 2 (a)", in the export's language
    short: str  # "2a", for narrow table headers
    verb: str
    text: str


@dataclass(frozen=True)
class ReportInfo:
    pk: int
    parliament_id: int
    name: str
    iso3: str
    groups: str
    state: str
    submitted_on: date | None


def _commitment_order(commitment: Commitment) -> tuple[int, int, str]:
    paragraph = commitment.paragraph
    if paragraph.parent_id:
        return (paragraph.parent.position, paragraph.position, paragraph.letter)
    return (paragraph.position, 0, "")


def cycle_commitments(cycle: ReportingCycle, *, language: str) -> list[CommitmentInfo]:
    """The cycle's commitments in the order of the text, labelled in ``language``."""
    commitments = sorted(
        cycle.commitments.select_related("paragraph", "paragraph__parent").order_by(), key=_commitment_order
    )
    with translation.override(language):
        return [
            CommitmentInfo(
                pk=commitment.pk,
                label=commitment.paragraph.label,
                short=_short_label(commitment),
                verb=commitment.verb,
                text=commitment.paragraph.text,
            )
            for commitment in commitments
        ]


def _short_label(commitment: Commitment) -> str:
    paragraph = commitment.paragraph
    if paragraph.parent_id:
        parent = paragraph.parent
        return f"{parent.number or parent.position}{paragraph.letter}"
    return str(paragraph.number or paragraph.position)


def parliament_groups(cycle: ReportingCycle) -> dict[int, list[str]]:
    """Parliament → names of its geopolitical groups, for the parliaments asked in the cycle."""
    links = (
        Parliament.groups.through.objects.filter(parliament__reports__cycle=cycle)
        .values_list("parliament_id", "geopoliticalgroup__name")
        .order_by("geopoliticalgroup__name")
    )
    found: dict[int, list[str]] = {}
    for parliament_id, name in links:
        found.setdefault(parliament_id, []).append(name)
    return found


def cycle_reports(cycle: ReportingCycle) -> list[ReportInfo]:
    """The cycle's reports, by parliament name (the order ``rows_iter`` streams answers in)."""
    groups = parliament_groups(cycle)
    reports = (
        ImplementationReport.objects.filter(cycle=cycle)
        .order_by("parliament__name", "pk")
        .values_list("pk", "parliament_id", "parliament__name", "parliament__iso3", "state", "submitted_at")
    )
    return [
        ReportInfo(pk, parliament_id, name, iso3, ", ".join(groups.get(parliament_id, ())), state, local_date(at))
        for pk, parliament_id, name, iso3, state, at in reports
    ]


@dataclass
class CycleTable:
    """The header, the number of rows and the rows themselves (read once, lazily)."""

    cycle: ReportingCycle
    language: str
    header: list[str]
    widths: list[int]
    total: int
    rows: Iterator[Row]


def cycle_table(cycle_id: int, *, language: str, chunk_size: int = CHUNK_SIZE) -> CycleTable:
    """The rows of a cycle; raises ReportingCycle.DoesNotExist."""
    cycle = ReportingCycle.objects.select_related("resolution").get(pk=cycle_id)
    commitments = cycle_commitments(cycle, language=language)
    reports = cycle_reports(cycle)
    with translation.override(language):
        header = [str(label) for label, _width in COLUMNS]
    return CycleTable(
        cycle=cycle,
        language=language,
        header=header,
        widths=[width for _label, width in COLUMNS],
        total=len(reports) * len(commitments),
        rows=_rows(cycle, reports, commitments, language=language, chunk_size=chunk_size),
    )


def _answers(cycle: ReportingCycle, chunk_size: int) -> Iterator[tuple[int, list[tuple]]]:
    """(report, its answers) for submitted reports, in the order of ``cycle_reports``."""
    answers = (
        CommitmentResponse.objects.filter(report__cycle=cycle, report__state__in=VISIBLE_TO_OTHERS)
        .order_by("report__parliament__name", "report_id")
        .values_list("report_id", "commitment_id", "status", "measures", "narrative", "updated_at")
        .iterator(chunk_size=chunk_size)
    )
    for report_id, group in groupby(answers, key=lambda answer: answer[0]):
        yield report_id, list(group)


def _rows(
    cycle: ReportingCycle,
    reports: list[ReportInfo],
    commitments: list[CommitmentInfo],
    *,
    language: str,
    chunk_size: int,
) -> Iterator[Row]:
    # Labels are looked up now: a translation override must not span the generator's yields.
    with translation.override(language):
        states = {value: str(label) for value, label in ImplementationReport.State.choices}
        statuses = {value: str(label) for value, label in ImplementationStatus.choices}
        measures = {value: str(label) for value, label in MeasureKind.choices}
    position = {report.pk: index for index, report in enumerate(reports)}
    answers = _answers(cycle, chunk_size)
    pending = next(answers, None)
    for index, report in enumerate(reports):
        # Both queries sort alike, so answers arrive in report order; anything behind is skipped.
        while pending is not None and position.get(pending[0], -1) < index:
            pending = next(answers, None)
        by_commitment: dict[int, tuple] = {}
        if pending is not None and pending[0] == report.pk:
            by_commitment = {answer[1]: answer for answer in pending[1]}
            pending = next(answers, None)
        head = (report.name, report.iso3, report.groups, states.get(report.state, report.state), report.submitted_on)
        for commitment in commitments:
            answer = by_commitment.get(commitment.pk)
            if answer is None:
                yield (*head, commitment.label, commitment.verb, "", None, "", "", None)
                continue
            _report, _commitment, status, kinds, narrative, updated_at = answer
            yield (
                *head,
                commitment.label,
                commitment.verb,
                statuses.get(status, status),
                STATUS_PERCENT.get(status) if status else None,
                "; ".join(measures.get(kind, str(kind)) for kind in kinds) if isinstance(kinds, list) else "",
                clean_text(narrative),
                local_date(updated_at),
            )
