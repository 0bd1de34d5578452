"""Compliance summaries per reporting cycle, computed by the database and stored.

The database aggregates the responses, the only large table, in two ``values().annotate()``
queries (per report, with ``Avg`` over a ``Case``/``When`` of the status percentages, and
per commitment of the accepted reports, with a filtered ``Count`` per status), whatever
the number of cycles, parliaments or commitments; a handful of small queries fetch the
reports (whether each was on time is decided by the database too), the commitments with
their themes, and the groups. The roll-ups of those rows (one per report or commitment)
are made here, so that every level agrees with the one below it. Building many cycles
costs the same queries as building one: ``summaries_build_all`` rebuilds every cycle at
once.

Definitions (percentages are 0-100):

- **parliaments asked**: reports in the cycle (one per parliament asked).
- **reports by state**: the number of reports in each workflow state.
- **reported**: ACCEPTED reports only; submitted reports are **pending review**.
- **response rate**: reported / asked * 100 (0 when nobody was asked).
- **on time**: an accepted report whose submission date (``submitted_at`` in the site's
  time zone) is on or before its effective due date: the parliament's extension if it
  was granted one, else the cycle's due date. **On-time rate**: on time / reported * 100
  (0 when nothing was reported).
- Per **parliament** (every report, whatever its state): answered = responses with a
  status, total = responses, completeness = answered / total * 100 (0 without
  responses); implementation = mean of ``STATUS_PERCENT`` over the answered responses,
  "not applicable" left out (null when none counts); on time as above, null when the
  report was never submitted.
- Per **commitment** of the cycle: the number of each status among the responses of
  accepted reports, ``unanswered`` for those without a status, and implementation
  weighted as above over those responses.
- Per **geopolitical group** (a parliament in two groups counts in both): asked,
  reported, response rate, and the mean completeness and mean implementation of the
  group's accepted reports (null when it has none).
- Per **theme**: commitments of the cycle having the theme, answers (responses with a
  status, in accepted reports, on those commitments), how many say "implemented", and
  implementation weighted over those answers.
- The cycle's **completeness** and **implementation**: means over its accepted reports
  (implementation over those that have one), null when none.

Storing: one transaction per build, the cycles' rows locked first so that two builds of a
cycle take turns. Rows whose figures did not change are kept as they are; changed, new
and stale rows are deleted and inserted in bulk, and ``CycleSummary`` is upserted (it
keeps its primary key and always gets a new ``computed_at``).

Rebuilds are debounced: a submission, return or acceptance calls
``summary_rebuild_schedule``, which enqueues at most one build per cycle per
``SUMMARY_DEBOUNCE_SECONDS``. A build forgets the debounce key before it reads anything,
so a change committed while it runs schedules another build.
"""

from __future__ import annotations

import logging
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import reduce
from statistics import fmean
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    F,
    FilteredRelation,
    FloatField,
    Model,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from tracker.models import Parliament

from .models import (
    STATUS_PERCENT,
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
from .tasks import build_cycle_summary

logger = logging.getLogger(__name__)

State = ImplementationReport.State
STATUSES: tuple[str, ...] = tuple(ImplementationStatus.values)
# Statuses that carry a weight; "not applicable" is left out of every average.
WEIGHTED: dict[str, int] = {status: percent for status, percent in STATUS_PERCENT.items() if percent is not None}
# A commitment's counts, in this order: one per status, then the responses without one.
COUNT_NAMES: tuple[str, ...] = (*STATUSES, "unanswered")
# (position in COUNT_NAMES, percent) of the statuses that count in averages.
WEIGHTED_COLUMNS: tuple[tuple[int, int], ...] = tuple(
    (index, WEIGHTED[name]) for index, name in enumerate(COUNT_NAMES) if name in WEIGHTED
)
NO_COUNTS: tuple[int, ...] = (0,) * len(COUNT_NAMES)
# Changed rows deleted by primary key up to this many; beyond, their cycles' rows are replaced.
DELETE_BY_KEY_MAX = 500

# What an existing CycleSummary row gets from a rebuild (it keeps its primary key).
CYCLE_FIELDS = [
    "computed_at",
    "parliaments_asked",
    "reports_by_state",
    "reported",
    "pending_review",
    "on_time",
    "response_rate",
    "on_time_rate",
    "completeness",
    "implementation",
]
PARLIAMENT_KEY = ("parliament_id",)
# Completeness comes last: it follows from answered and total, so a rebuild does not read it back.
PARLIAMENT_FIELDS = ("state", "answered", "total", "implementation", "on_time", "completeness")
COMMITMENT_KEY = ("commitment_id",)
COMMITMENT_FIELDS = (*COUNT_NAMES, "implementation")
GROUP_KEY = ("group_id",)
GROUP_FIELDS = ("parliaments_asked", "reported", "response_rate", "completeness", "implementation")
THEME_KEY = ("theme_id",)
THEME_FIELDS = ("commitments", "answers", "implemented", "implementation")

# (cycle id, the row's own key) → the row's figures, in the order of the *_FIELDS above.
Rows = dict[tuple[int, ...], tuple]


def debounce_key(cycle_id: int) -> str:
    return f"summary-rebuild:{cycle_id}"


# Scheduling ------------------------------------------------------------------------------


def summary_rebuild_schedule(*, cycle_id: int) -> None:
    """Enqueue one rebuild of the cycle unless one is already waiting in this window.

    Cache and broker errors propagate, so the outbox keeps its message and tries again.
    """
    delay = settings.SUMMARY_DEBOUNCE_SECONDS
    key = debounce_key(cycle_id)
    if not cache.add(key, 1, timeout=delay):
        return
    try:
        build_cycle_summary.apply_async(args=[cycle_id], countdown=delay)
    except Exception:
        # Left in place, the key would silence the outbox's next attempt for a whole window.
        cache.delete(key)
        raise


# Building --------------------------------------------------------------------------------


def summary_build(*, cycle_id: int) -> CycleSummary:
    """Recompute and store every figure of one cycle; raises ReportingCycle.DoesNotExist."""
    return _build([cycle_id], every_cycle=False)[0]


def summaries_build_all(*, cycle_ids: Iterable[int] | None = None) -> list[CycleSummary]:
    """Recompute many cycles (every cycle by default) with the same few queries as one.

    Ids of cycles that do not exist are skipped.
    """
    if cycle_ids is not None:
        return _build(sorted(set(cycle_ids)), every_cycle=False, missing_ok=True)
    return _build(list(ReportingCycle.objects.order_by("pk").values_list("pk", flat=True)), every_cycle=True)


def _percent(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def _mean(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return fmean(present) if present else None


def _weighted(counts: Sequence[int]) -> float | None:
    """Mean of STATUS_PERCENT over counts in COUNT_NAMES order; "not applicable" and unanswered left out."""
    weight = points = 0
    for index, percent in WEIGHTED_COLUMNS:
        weight += counts[index]
        points += counts[index] * percent
    return points / weight if weight else None


# Reading ---------------------------------------------------------------------------------


def _fetch(queryset: QuerySet) -> list[tuple]:
    """The rows of a ``values_list()`` query as the database driver returns them.

    Counts, averages and stored figures need no conversion, and at full scale Django's
    per-value converters would cost more than the aggregation itself.
    """
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _Report(NamedTuple):
    """One report's figures: after the parliament, its ParliamentSummary's PARLIAMENT_FIELDS in order."""

    parliament_id: int
    state: str
    answered: int
    total: int
    implementation: float | None
    on_time: bool | None
    completeness: float


def _response_counts(cycle_ids: Sequence[int], *, every_cycle: bool) -> dict[int, tuple[int, int, float | None]]:
    """Report → (responses, answered, implementation), aggregated by the database (one query)."""
    responses = CommitmentResponse.objects.all()
    if not every_cycle:
        responses = responses.filter(report__cycle_id__in=cycle_ids)
    implementation = Avg(
        Case(
            *[When(status=status, then=Cast(Value(percent), FloatField())) for status, percent in WEIGHTED.items()],
            default=Value(None),
            output_field=FloatField(),
        )
    )
    rows = (
        responses.values("report_id")
        .annotate(total=Count("*"), answered=Count("pk", filter=~Q(status="")), implementation=implementation)
        .values_list("report_id", "total", "answered", "implementation")
        .order_by()
    )
    return {row[0]: row[1:] for row in _fetch(rows)}


def _reports(cycle_ids: list[int], *, every_cycle: bool) -> dict[int, list[_Report]]:
    """Cycle → its reports with their figures (two queries).

    On time is decided by the database: the submission date (in the site's time zone)
    against the parliament's extension if it has one, else the cycle's due date.
    """
    counts = _response_counts(cycle_ids, every_cycle=every_cycle)
    extension = FilteredRelation("cycle__extensions", condition=Q(cycle__extensions__parliament=F("parliament")))
    rows = (
        ImplementationReport.objects.filter(cycle_id__in=cycle_ids)
        .annotate(extension=extension)
        .annotate(due=Coalesce(F("extension__due_date"), F("cycle__due_date")))
        .annotate(
            punctual=Case(
                When(submitted_at__isnull=True, then=Value(None)),
                When(submitted_at__date__lte=F("due"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(null=True),
            )
        )
        .values_list("pk", "cycle_id", "parliament_id", "state", "punctual")
        .order_by()
    )
    reports: dict[int, list[_Report]] = defaultdict(list)
    for pk, cycle_id, parliament_id, state, on_time in _fetch(rows):
        total, answered, implementation = counts.get(pk, (0, 0, None))
        completeness = 100.0 * answered / total if total else 0.0
        on_time = None if on_time is None else bool(on_time)  # SQLite answers 0 or 1
        reports[cycle_id].append(_Report(parliament_id, state, answered, total, implementation, on_time, completeness))
    return reports


def _status_counts(
    resolution_of: dict[int, int], commitments_of: dict[int, list[int]]
) -> dict[tuple[int, int], tuple]:
    """(cycle, commitment) → counts in COUNT_NAMES order over the accepted reports (one query).

    A cycle's responses are on commitments of its own resolution, so when no two of the
    cycles share a resolution the commitment alone tells the cycle: grouping by it alone
    lets PostgreSQL aggregate in parallel, where its estimate for (cycle, commitment) would not.
    """
    responses = CommitmentResponse.objects.filter(
        report__cycle_id__in=list(resolution_of), report__state=State.ACCEPTED
    )
    # One count per status, and all responses: the unanswered ones are the difference.
    aggregates = {status: Count("pk", filter=Q(status=status)) for status in STATUSES}
    aggregates["responses"] = Count("*")
    names = [*STATUSES, "responses"]

    def counts(values: Sequence[int]) -> tuple[int, ...]:
        *by_status, responses = values
        return (*by_status, responses - sum(by_status))

    if len(set(resolution_of.values())) == len(resolution_of):
        cycle_of = {pk: cycle_id for cycle_id, pks in commitments_of.items() for pk in pks}
        rows = responses.values("commitment_id").annotate(**aggregates).values_list("commitment_id", *names)
        return {(cycle_of[row[0]], row[0]): counts(row[1:]) for row in _fetch(rows.order_by()) if row[0] in cycle_of}
    rows = (
        responses.values("report__cycle_id", "commitment_id")
        .annotate(**aggregates)
        .values_list("report__cycle_id", "commitment_id", *names)
    )
    return {(row[0], row[1]): counts(row[2:]) for row in _fetch(rows.order_by())}


def _cycle_commitments(cycle_ids: Sequence[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Cycle → its commitments, and commitment → its themes (one query)."""
    links = ReportingCycle.commitments.through.objects.filter(reportingcycle_id__in=cycle_ids)
    commitments_of: dict[int, list[int]] = defaultdict(list)
    themes_of: dict[int, list[int]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    rows = links.values_list("reportingcycle_id", "commitment_id", "commitment__themes").order_by()
    for cycle_id, commitment_id, theme_id in _fetch(rows):
        if (cycle_id, commitment_id) not in seen:
            seen.add((cycle_id, commitment_id))
            commitments_of[cycle_id].append(commitment_id)
        if theme_id is not None and theme_id not in themes_of[commitment_id]:
            themes_of[commitment_id].append(theme_id)
    return commitments_of, themes_of


def _parliament_groups(cycle_ids: Sequence[int]) -> dict[int, list[int]]:
    asked = ImplementationReport.objects.filter(cycle_id__in=cycle_ids).values("parliament_id")
    links = Parliament.groups.through.objects.filter(parliament_id__in=asked)
    found: dict[int, list[int]] = defaultdict(list)
    for parliament_id, group_id in _fetch(links.values_list("parliament_id", "geopoliticalgroup_id").order_by()):
        found[parliament_id].append(group_id)
    return found


# Rolling up ------------------------------------------------------------------------------


def _cycle_summary(cycle_id: int, reports: list[_Report], now: datetime) -> CycleSummary:
    by_state = dict.fromkeys(State.values, 0)
    for report in reports:
        by_state[report.state] = by_state.get(report.state, 0) + 1
    accepted = [report for report in reports if report.state == State.ACCEPTED]
    on_time = sum(1 for report in accepted if report.on_time)
    return CycleSummary(
        cycle_id=cycle_id,
        computed_at=now,
        parliaments_asked=len(reports),
        reports_by_state=by_state,
        reported=len(accepted),
        pending_review=by_state[State.SUBMITTED],
        on_time=on_time,
        response_rate=_percent(len(accepted), len(reports)),
        on_time_rate=_percent(on_time, len(accepted)),
        completeness=_mean(report.completeness for report in accepted),
        implementation=_mean(report.implementation for report in accepted),
    )


def _group_rows(cycle_id: int, reports: list[_Report], groups_of: dict[int, list[int]]) -> Rows:
    members: dict[int, list[_Report]] = defaultdict(list)
    for report in reports:
        for group_id in groups_of.get(report.parliament_id, ()):
            members[group_id].append(report)
    rows: Rows = {}
    for group_id, group_reports in members.items():
        accepted = [report for report in group_reports if report.state == State.ACCEPTED]
        rows[cycle_id, group_id] = (
            len(group_reports),
            len(accepted),
            _percent(len(accepted), len(group_reports)),
            _mean(report.completeness for report in accepted),
            _mean(report.implementation for report in accepted),
        )
    return rows


def _theme_rows(cycle_id: int, counts: dict[int, tuple], themes_of: dict[int, list[int]]) -> Rows:
    """Theme figures from the cycle's commitment → counts."""
    by_theme: dict[int, list[tuple]] = defaultdict(list)
    for commitment_id, commitment_counts in counts.items():
        for theme_id in themes_of.get(commitment_id, ()):
            by_theme[theme_id].append(commitment_counts)
    implemented = COUNT_NAMES.index(ImplementationStatus.IMPLEMENTED)
    rows: Rows = {}
    for theme_id, commitments in by_theme.items():
        total = [sum(column) for column in zip(*commitments, strict=True)]
        rows[cycle_id, theme_id] = (
            len(commitments),
            sum(total[: len(STATUSES)]),
            total[implemented],
            _weighted(total),
        )
    return rows


# Storing ---------------------------------------------------------------------------------


def _sync(
    model: type[Model],
    key: tuple[str, ...],
    fields: tuple[str, ...],
    rows: Rows,
    cycle_ids: list[int],
    *,
    every_cycle: bool = False,
    derived: int = 0,
) -> int:
    """Make the cycles' rows of ``model`` equal ``rows``, writing only what changed; returns rows written.

    The last ``derived`` fields follow from the others, so they are not read back to be
    compared. One DELETE at most (of the changed rows, or of whole cycles when many
    changed) and one bulk INSERT (batched only where the database limits parameters).
    """
    size = 1 + len(key)
    compared = fields[: len(fields) - derived]
    wanted = set(cycle_ids)
    to_write = dict(rows)
    stale: list[tuple] = []
    existing = model.objects.values_list("cycle_id", *key, *compared).order_by()
    if not every_cycle:
        existing = existing.filter(cycle_id__in=cycle_ids)
    for row in _fetch(existing):
        row_key = row[:size]
        if row_key[0] not in wanted:
            continue  # a cycle opened since this build started
        fresh = rows.get(row_key)
        if fresh is not None and fresh[: len(compared)] == row[size:]:
            del to_write[row_key]  # unchanged: kept as it is
        else:
            stale.append(row_key)
    if len(stale) > DELETE_BY_KEY_MAX:
        stale_cycles = {row_key[0] for row_key in stale}
        model.objects.filter(cycle_id__in=stale_cycles).delete()
        to_write.update((row_key, values) for row_key, values in rows.items() if row_key[0] in stale_cycles)
    elif stale:
        names = ("cycle_id", *key)
        model.objects.filter(
            reduce(operator.or_, (Q(**dict(zip(names, row_key, strict=True))) for row_key in stale))
        ).delete()
    names = ("cycle_id", *key, *fields)
    model.objects.bulk_create(
        [model(**dict(zip(names, (*row_key, *values), strict=True))) for row_key, values in to_write.items()]
    )
    return len(to_write)


def _relaxed_commit() -> None:
    """Figures can always be rebuilt, so PostgreSQL need not wait for the disk at commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _build(cycle_ids: list[int], *, every_cycle: bool, missing_ok: bool = False) -> list[CycleSummary]:
    """Forget the debounce keys, then read, compute and store the cycles' figures atomically."""
    if not cycle_ids:
        return []
    cache.delete_many([debounce_key(cycle_id) for cycle_id in cycle_ids])
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            _relaxed_commit()
        # Concurrent builds of a cycle take turns here, so their deletes and inserts never interleave.
        locked = (
            ReportingCycle.objects.select_for_update()
            .filter(pk__in=cycle_ids)
            .order_by("pk")
            .values_list("pk", "resolution_id")
        )
        resolution_of = dict(locked)
        if not missing_ok and len(resolution_of) < len(cycle_ids):
            missing = ", ".join(str(pk) for pk in cycle_ids if pk not in resolution_of)
            raise ReportingCycle.DoesNotExist(f"No reporting cycle with id {missing}.")
        if not resolution_of:
            return []
        found = list(resolution_of)
        reports_of = _reports(found, every_cycle=every_cycle)
        commitments_of, themes_of = _cycle_commitments(found)
        counts = _status_counts(resolution_of, commitments_of)
        groups_of = _parliament_groups(found)

        now = timezone.now()
        summaries: list[CycleSummary] = []
        parliaments: Rows = {}
        commitments: Rows = {}
        groups: Rows = {}
        themes: Rows = {}
        for cycle_id in found:
            reports = reports_of.get(cycle_id, [])
            summaries.append(_cycle_summary(cycle_id, reports, now))
            parliaments.update(((cycle_id, report.parliament_id), report[1:]) for report in reports)
            groups.update(_group_rows(cycle_id, reports, groups_of))
            cycle_counts = {pk: counts.get((cycle_id, pk), NO_COUNTS) for pk in commitments_of.get(cycle_id, [])}
            for commitment_id, commitment_counts in cycle_counts.items():
                commitments[cycle_id, commitment_id] = (*commitment_counts, _weighted(commitment_counts))
            themes.update(_theme_rows(cycle_id, cycle_counts, themes_of))

        written = _sync(
            ParliamentSummary,
            PARLIAMENT_KEY,
            PARLIAMENT_FIELDS,
            parliaments,
            found,
            every_cycle=every_cycle,
            derived=1,
        )
        written += _sync(CommitmentSummary, COMMITMENT_KEY, COMMITMENT_FIELDS, commitments, found)
        written += _sync(GroupSummary, GROUP_KEY, GROUP_FIELDS, groups, found)
        written += _sync(ThemeSummary, THEME_KEY, THEME_FIELDS, themes, found)
        CycleSummary.objects.bulk_create(
            summaries, update_conflicts=True, unique_fields=["cycle"], update_fields=CYCLE_FIELDS
        )
        if any(summary.pk is None for summary in summaries):  # a database that returns no ids from an upsert
            summaries = list(CycleSummary.objects.filter(cycle_id__in=found).order_by("cycle_id"))
    logger.info("Summaries of %d cycle(s) rebuilt, %d row(s) written", len(found), written + len(found))
    return summaries
