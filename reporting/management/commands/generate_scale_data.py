"""``python manage.py generate_scale_data [--parliaments N] [--cycles N] [--commitments N]``.

Fills the configured database with realistic reporting data at full scale, to measure
pages, reminders and summaries against: one resolution per cycle (``--commitments``
operative paragraphs, each a commitment with themes), every parliament asked in every
cycle, reports in a realistic mix of states and answers, and a few extensions. The
default (180 x 50 x 35) makes 315,000 responses; ``--preset small`` (10 x 3 x 5) is for
quick runs and tests. Everything is written with large ``bulk_create`` batches in one
transaction.

Scale data is recognised by its resolutions' symbols (``SCALE/...``); the parliaments and
groups it had to invent are named ``Scale parliament ...`` and ``Scale group ...``. The
command refuses to run when scale data exists, unless ``--replace`` is given, which deletes
the previous scale data first. Member parliaments already loaded are used as they are;
those without a contact receiving reminders get one at ``@scale.invalid``, removed by
``--replace`` as well.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from reporting.models import (
    CommitmentResponse,
    Evidence,
    Extension,
    ImplementationReport,
    ImplementationStatus,
    MeasureKind,
    ReportEvent,
    ReportingCycle,
)
from resolutions.models import Addressee, Commitment, Document, Paragraph, Theme
from resolutions.parsing.themes import THEME_KEYWORDS
from tracker.models import FocalPoint, GeopoliticalGroup, Parliament

SYMBOL_PREFIX = "SCALE/"
PARLIAMENT_PREFIX = "Scale parliament "
GROUP_PREFIX = "Scale group "
GROUP_SLUG_PREFIX = "scale-"
# Parliaments without a contact get one, so reminders have someone to go to.
FOCAL_POINT_DOMAIN = "scale.invalid"
# Invented parliaments take codes from a range ISO 3166 leaves to users (QMA to QZZ).
CODE_FIRST = "Q"
CODE_SECOND = "MNOPQRSTUVWXYZ"
BATCH_SIZE = 5000

PRESETS: dict[str, tuple[int, int, int]] = {"full": (180, 50, 35), "small": (10, 3, 5)}
GROUP_NAMES = ("African", "Arab", "Asia-Pacific", "Eurasia", "Latin America and the Caribbean", "Twelve Plus")
VERBS = (("Urges", 5), ("Calls upon", 4), ("Encourages", 3), ("Invites", 2), ("Recommends", 3))
TOPICS = (
    "Combating trafficking in persons",
    "Migration governance and the rights of migrants",
    "Gender equality in parliament",
    "Children's rights in the digital age",
    "Decent work and labour migration",
    "Climate resilience and disaster risk",
    "Parliamentary oversight of public budgets",
    "Fighting corruption and illicit financial flows",
)

State = ImplementationReport.State
Status = ImplementationStatus
# Reports of a cycle whose due date has passed; cycles still running have fewer final states.
STATE_MIX_DUE = {State.DRAFT: 0.25, State.SUBMITTED: 0.08, State.RETURNED: 0.05, State.ACCEPTED: 0.62}
STATUS_MIX = {
    Status.NOT_STARTED: 0.12,
    Status.PLANNED: 0.22,
    Status.IN_PROGRESS: 0.33,
    Status.IMPLEMENTED: 0.23,
    Status.NOT_APPLICABLE: 0.10,
}
# Share of commitments left unanswered, by report state.
UNANSWERED = {State.DRAFT: 0.55, State.RETURNED: 0.15, State.SUBMITTED: 0.03, State.ACCEPTED: 0.02}
EXTENSION_SHARE = 0.04
# Cycles open over about four years, the newest two months ago; each runs for nine months.
SPREAD_DAYS = 1400
CYCLE_DAYS = 270
EVENT_OF = {
    State.SUBMITTED: ReportEvent.Kind.SUBMITTED,
    State.RETURNED: ReportEvent.Kind.RETURNED,
    State.ACCEPTED: ReportEvent.Kind.ACCEPTED,
}


@dataclass(frozen=True)
class ScaleSpec:
    parliaments: int
    cycles: int
    commitments: int
    seed: int = 2030
    today: date = field(default_factory=timezone.localdate)


class ScaleDataExists(Exception):
    """Scale data is already loaded and replacing it was not asked for."""


def scale_documents() -> QuerySet[Document]:
    return Document.objects.filter(symbol__startswith=SYMBOL_PREFIX)


def scale_data_exists() -> bool:
    return scale_documents().exists()


def _delete_in_database(queryset: QuerySet) -> int:
    """DELETE ... WHERE pk IN (the queryset's SQL): no row is fetched into Python."""
    model, database = queryset.model, connections[queryset.db]
    quote = database.ops.quote_name
    select, params = queryset.values("pk").order_by().query.sql_with_params()
    sql = f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN ({select})"  # noqa: S608 - names from the model's metadata
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def scale_data_delete() -> dict[str, int]:
    """Delete the scale resolutions with everything hanging off them, and invented parliaments."""
    with transaction.atomic():
        cycles = ReportingCycle.objects.filter(resolution__in=scale_documents())
        reports = ImplementationReport.objects.filter(cycle__in=cycles)
        Evidence.objects.filter(response__report__in=reports).delete()
        # The large tables go in one statement each; the ORM cascades the rest.
        deleted = {"responses": _delete_in_database(CommitmentResponse.objects.filter(report__in=reports))}
        _delete_in_database(ReportEvent.objects.filter(report__in=reports))
        deleted["cycles"] = cycles.count()
        cycles.delete()
        deleted["resolutions"] = scale_documents().count()
        scale_documents().delete()
        FocalPoint.objects.filter(email__endswith=f"@{FOCAL_POINT_DOMAIN}").delete()
        invented = Parliament.objects.filter(name__startswith=PARLIAMENT_PREFIX)
        deleted["parliaments"] = invented.count()
        invented.delete()
        GeopoliticalGroup.objects.filter(slug__startswith=GROUP_SLUG_PREFIX, name__startswith=GROUP_PREFIX).delete()
    return deleted


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment on ``day``, in the site's time zone."""
    moment = datetime.combine(day, clock(hour=rng.randint(8, 17), minute=rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _themes() -> list[Theme]:
    Theme.objects.bulk_create(
        [Theme(code=code, label=code.replace("-", " ").capitalize()) for code in THEME_KEYWORDS],
        ignore_conflicts=True,
    )
    return list(Theme.objects.order_by("pk"))


def _invented_groups() -> list[GeopoliticalGroup]:
    GeopoliticalGroup.objects.bulk_create(
        [
            GeopoliticalGroup(name=f"{GROUP_PREFIX}{name}", slug=f"{GROUP_SLUG_PREFIX}{index + 1}")
            for index, name in enumerate(GROUP_NAMES)
        ],
        ignore_conflicts=True,
    )
    return list(GeopoliticalGroup.objects.filter(slug__startswith=GROUP_SLUG_PREFIX).order_by("slug"))


def _parliaments(count: int) -> tuple[list[Parliament], int]:
    """The parliaments already loaded (first by ISO code), topped up with invented ones."""
    found = list(Parliament.objects.order_by("iso3")[:count])
    missing = count - len(found)
    if missing <= 0:
        return found, 0
    taken = set(Parliament.objects.filter(iso3__startswith=CODE_FIRST).values_list("iso3", flat=True))
    codes = [
        code
        for code in (f"{CODE_FIRST}{second}{third}" for second in CODE_SECOND for third in map(chr, range(65, 91)))
        if code not in taken
    ]
    if missing > len(codes):
        raise CommandError(f"Cannot invent {missing} parliaments: only {len(codes)} free codes are left.")
    Parliament.objects.bulk_create(
        [Parliament(name=f"{PARLIAMENT_PREFIX}{index + 1:03d}", iso3=codes[index]) for index in range(missing)]
    )
    invented = list(Parliament.objects.filter(iso3__in=codes[:missing]).order_by("iso3"))
    groups = _invented_groups()
    links = []
    for index, parliament in enumerate(invented):
        links.append((parliament.pk, groups[index % len(groups)].pk))
        if index % 8 == 0:  # about one in eight sits in two groups, as some members do
            links.append((parliament.pk, groups[(index + 1) % len(groups)].pk))
    Parliament.groups.through.objects.bulk_create(
        [Parliament.groups.through(parliament_id=p, geopoliticalgroup_id=g) for p, g in links]
    )
    return found + invented, missing


def _focal_points(parliaments: list[Parliament]) -> int:
    """One contact for each parliament that has nobody receiving reminders."""
    covered = set(
        FocalPoint.objects.filter(parliament__in=parliaments, receives_reminders=True).values_list(
            "parliament_id", flat=True
        )
    )
    created = FocalPoint.objects.bulk_create(
        [
            FocalPoint(
                parliament=parliament,
                name=f"Focal point {parliament.iso3}",
                email=f"{parliament.iso3.lower()}@{FOCAL_POINT_DOMAIN}",
            )
            for parliament in parliaments
            if parliament.pk not in covered
        ]
    )
    return len(created)


def _resolutions(spec: ScaleSpec, rng: random.Random, themes: list[Theme]) -> list[tuple[Document, list[int]]]:
    """One resolution per cycle, each with its commitments (ids), themes and addressee."""
    documents = []
    span = max(spec.cycles - 1, 1)
    for index in range(spec.cycles):
        topic = TOPICS[index % len(TOPICS)]
        symbol = f"{SYMBOL_PREFIX}{index + 1:03d}"
        source = f"{symbol}\n{topic}\nScale test resolution {index + 1}, seed {spec.seed}."
        documents.append(
            Document(
                kind=Document.Kind.RESOLUTION,
                title=f"{topic} ({symbol})",
                body="IPU Assembly",
                symbol=symbol,
                adopted=spec.today - timedelta(days=90 + round(SPREAD_DAYS * (spec.cycles - 1 - index) / span)),
                source_text=source,
                checksum=hashlib.sha256(source.encode()).hexdigest(),
                importer_version="scale",
            )
        )
    Document.objects.bulk_create(documents)
    documents = list(scale_documents().order_by("symbol"))

    paragraphs = []
    for document in documents:
        paragraphs += [
            Paragraph(
                document=document,
                kind=Paragraph.Kind.PREAMBULAR,
                position=position,
                number=None,
                opening_phrase="Recalling",
                text="Recalling its earlier resolutions on the subject,",
            )
            for position in (1, 2, 3)
        ]
        for position in range(1, spec.commitments + 1):
            verb, _strength = VERBS[position % len(VERBS)]
            paragraphs.append(
                Paragraph(
                    document=document,
                    kind=Paragraph.Kind.OPERATIVE,
                    position=position,
                    number=position,
                    opening_phrase=verb,
                    text=f"{verb} parliaments to act on measure {position} of this resolution;",
                )
            )
    Paragraph.objects.bulk_create(paragraphs, batch_size=BATCH_SIZE)
    strength = dict(VERBS)
    operative = Paragraph.objects.filter(document__in=documents, kind=Paragraph.Kind.OPERATIVE).order_by(
        "document_id", "position"
    )
    Commitment.objects.bulk_create(
        [
            Commitment(
                paragraph_id=paragraph.pk,
                document_id=paragraph.document_id,
                verb=paragraph.opening_phrase,
                strength=strength[paragraph.opening_phrase],
                addresses_parliaments=True,
                parliaments_report=True,
            )
            for paragraph in operative.only("pk", "document_id", "opening_phrase")
        ],
        batch_size=BATCH_SIZE,
    )
    commitments = list(
        Commitment.objects.filter(document__in=documents)
        .order_by("document_id", "pk")
        .values_list("document_id", "pk")
    )
    addressee, _created = Addressee.objects.get_or_create(code="parliaments", defaults={"label": "Parliaments"})
    Commitment.addressees.through.objects.bulk_create(
        [Commitment.addressees.through(commitment_id=pk, addressee_id=addressee.pk) for _doc, pk in commitments],
        batch_size=BATCH_SIZE,
    )
    Commitment.themes.through.objects.bulk_create(
        [
            Commitment.themes.through(commitment_id=pk, theme_id=theme.pk)
            for _doc, pk in commitments
            for theme in rng.sample(themes, k=min(len(themes), rng.choice((1, 1, 2, 2, 3))))
        ],
        batch_size=BATCH_SIZE,
    )
    by_document: dict[int, list[int]] = {document.pk: [] for document in documents}
    for document_id, pk in commitments:
        by_document[document_id].append(pk)
    return [(document, by_document[document.pk]) for document in documents]


def _cycles(spec: ScaleSpec, resolutions: list[tuple[Document, list[int]]]) -> list[ReportingCycle]:
    """Open cycles spread over the last years: the oldest long overdue, the newest due months ahead."""
    cycles = []
    span = max(spec.cycles - 1, 1)
    for index, (document, _commitments) in enumerate(resolutions):
        opened_on = spec.today - timedelta(days=60 + round(SPREAD_DAYS * (spec.cycles - 1 - index) / span))
        cycles.append(
            ReportingCycle(
                resolution=document,
                title=f"Implementation of “{document.title}”",
                opened_on=opened_on,
                due_date=opened_on + timedelta(days=CYCLE_DAYS),
                due_date_source=ReportingCycle.DueDateSource.MANUAL,
            )
        )
    ReportingCycle.objects.bulk_create(cycles)
    cycles = list(ReportingCycle.objects.filter(resolution__in=[d for d, _ in resolutions]).order_by("opened_on"))
    ReportingCycle.commitments.through.objects.bulk_create(
        [
            ReportingCycle.commitments.through(reportingcycle_id=cycle.pk, commitment_id=commitment_id)
            for cycle, (_document, commitment_ids) in zip(cycles, resolutions, strict=True)
            for commitment_id in commitment_ids
        ],
        batch_size=BATCH_SIZE,
    )
    return cycles


def _state_mix(cycle: ReportingCycle, today: date) -> dict[str, float]:
    """The mix of report states: drafts give way to accepted reports as the due date nears."""
    if today >= cycle.due_date:
        return STATE_MIX_DUE
    progress = max(0.0, (today - cycle.opened_on).days / (cycle.due_date - cycle.opened_on).days)
    return {
        State.DRAFT: 1 - 0.7 * progress,
        State.SUBMITTED: 0.25 * progress,
        State.RETURNED: 0.08 * progress,
        State.ACCEPTED: 0.37 * progress,
    }


def _report(
    cycle: ReportingCycle, parliament: Parliament, state: str, rng: random.Random, today: date
) -> ImplementationReport:
    report = ImplementationReport(cycle=cycle, parliament=parliament, state=state)
    if state != State.DRAFT:
        # Most reports come in the months before the due date; about one in five is late.
        day = cycle.due_date + timedelta(days=rng.randint(-120, 30))
        day = min(max(day, cycle.opened_on + timedelta(days=1)), today)
        report.submitted_at = _at(day, rng)
        if state in {State.RETURNED, State.ACCEPTED}:
            report.reviewed_at = min(report.submitted_at + timedelta(days=rng.randint(2, 20)), timezone.now())
        report.publish_consent = state == State.ACCEPTED and rng.random() < 0.5
    return report


def _responses(
    reports: list[ImplementationReport], commitment_ids: list[int], rng: random.Random
) -> list[CommitmentResponse]:
    measures = MeasureKind.values
    rows = []
    for report in reports:
        for commitment_id in commitment_ids:
            if rng.random() < UNANSWERED[report.state]:
                rows.append(CommitmentResponse(report_id=report.pk, commitment_id=commitment_id))
                continue
            status = _pick(rng, STATUS_MIX)
            rows.append(
                CommitmentResponse(
                    report_id=report.pk,
                    commitment_id=commitment_id,
                    status=status,
                    measures=rng.sample(measures, k=rng.randint(1, 2)) if status != Status.NOT_APPLICABLE else [],
                    narrative=f"Measures reported as {status.replace('_', ' ')} by the committee concerned.",
                    version=1,
                )
            )
    return rows


@dataclass
class ScaleResult:
    parliaments: int = 0
    invented_parliaments: int = 0
    focal_points: int = 0
    resolutions: int = 0
    commitments: int = 0
    cycles: int = 0
    reports: Counter = field(default_factory=Counter)
    responses: int = 0
    extensions: int = 0
    replaced: dict[str, int] = field(default_factory=dict)


def _bulk(model: type[Model], rows: list[Model]) -> None:
    model.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def scale_data_generate(spec: ScaleSpec, *, replace: bool = False) -> ScaleResult:
    """Write the scale data set in one transaction; ScaleDataExists unless ``replace``."""
    rng = random.Random(spec.seed)  # noqa: S311 - synthetic data, not security
    result = ScaleResult()
    with transaction.atomic():
        if scale_data_exists():
            if not replace:
                raise ScaleDataExists
            result.replaced = scale_data_delete()
        parliaments, result.invented_parliaments = _parliaments(spec.parliaments)
        result.focal_points = _focal_points(parliaments)
        resolutions = _resolutions(spec, rng, _themes())
        cycles = _cycles(spec, resolutions)
        for cycle, (_document, commitment_ids) in zip(cycles, resolutions, strict=True):
            mix = _state_mix(cycle, spec.today)
            reports = [_report(cycle, p, _pick(rng, mix), rng, spec.today) for p in parliaments]
            ImplementationReport.objects.bulk_create(reports, batch_size=BATCH_SIZE)
            if not connection.features.can_return_rows_from_bulk_insert:
                by_parliament = dict(cycle.reports.values_list("parliament_id", "pk"))
                for report in reports:
                    report.pk = by_parliament[report.parliament_id]
            extensions = [
                Extension(
                    cycle=cycle,
                    parliament_id=report.parliament_id,
                    due_date=cycle.due_date + timedelta(days=rng.choice((30, 45, 60, 90))),
                    reason="More time to gather the committees' answers.",
                )
                for report in reports
                if rng.random() < EXTENSION_SHARE
            ]
            _bulk(Extension, extensions)
            events = [ReportEvent(report_id=report.pk, kind=ReportEvent.Kind.CREATED) for report in reports]
            events += [
                ReportEvent(report_id=report.pk, kind=EVENT_OF[report.state], data={"to": report.state})
                for report in reports
                if report.state in EVENT_OF
            ]
            _bulk(ReportEvent, events)
            responses = _responses(reports, commitment_ids, rng)
            _bulk(CommitmentResponse, responses)
            result.reports.update(report.state for report in reports)
            result.responses += len(responses)
            result.extensions += len(extensions)
            result.commitments += len(commitment_ids)
        result.parliaments = len(parliaments)
        result.resolutions = len(resolutions)
        result.cycles = len(cycles)
    return result


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Fill the database with realistic reporting data at scale (resolutions marked SCALE/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parliaments", type=positive_int, help="parliaments asked in each cycle (default 180)")
        parser.add_argument("--cycles", type=positive_int, help="reporting cycles, one resolution each (default 50)")
        parser.add_argument("--commitments", type=positive_int, help="commitments per resolution (default 35)")
        parser.add_argument("--preset", choices=sorted(PRESETS), default="full", help="small: 10 x 3 x 5")
        parser.add_argument("--seed", type=int, default=2030, help="random seed (same seed, same data)")
        parser.add_argument("--replace", action="store_true", help="delete the previous scale data first")

    def handle(self, *args: Any, **options: Any) -> None:
        parliaments, cycles, commitments = PRESETS[options["preset"]]
        spec = ScaleSpec(
            parliaments=options["parliaments"] or parliaments,
            cycles=options["cycles"] or cycles,
            commitments=options["commitments"] or commitments,
            seed=options["seed"],
        )
        started = time.perf_counter()
        try:
            result = scale_data_generate(spec, replace=options["replace"])
        except ScaleDataExists:
            raise CommandError(
                "Scale data is already loaded (resolutions with symbols SCALE/...); "
                "run again with --replace to delete it and generate it anew."
            ) from None
        elapsed = time.perf_counter() - started
        write = self.stdout.write
        if result.replaced:
            write(
                "Deleted the previous scale data: {cycles} cycles, {resolutions} resolutions, "
                "{responses} responses, {parliaments} invented parliaments.".format(**result.replaced)
            )
        states = ", ".join(f"{state} {result.reports[state]}" for state in State.values)
        write(
            f"Parliaments: {result.parliaments} ({result.invented_parliaments} invented, "
            f"{result.focal_points} given a focal point), "
            f"resolutions: {result.resolutions}, commitments: {result.commitments}, cycles: {result.cycles}"
        )
        write(f"Reports: {result.reports.total()} ({states}), extensions: {result.extensions}")
        write(f"Responses: {result.responses} in {elapsed:.1f} s")
        write("Run `manage.py build_summaries` to compute their summaries.")
