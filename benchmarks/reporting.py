"""Times reminder planning and summary rebuilds at full scale on PostgreSQL.

    .venv/bin/python benchmarks/reporting.py [--database-url URL] [--generate] [--runs N] [--check]

Works on its own database (default ``postgres://postgres@127.0.0.1:5432/tracker_bench``),
creating and migrating it when missing, and loads 180 parliaments x 50 open cycles x 35
commitments (315,000 responses) with ``generate_scale_data`` unless that data set is
already there (``--generate`` makes it anew). Then, in the same run:

(a) ``reporting.reminders.reminders_plan(today=...)`` for every cycle, rolled back
    afterwards (target: under 1 s; "n/a" while it is not written);
(b) a full rebuild of the summaries of all 50 cycles (``summaries_build_all``); rows whose
    figures did not change are kept, so these runs read everything and write little; the
    time of a rebuild that writes every row (no summary stored yet) is shown beside it;
(c) one raw ``GROUP BY cycle, status`` over the whole responses table: the floor any
    summary must scan. Target: (b) within 3x of (c).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench"
PARLIAMENTS, CYCLES, COMMITMENTS = 180, 50, 35
REMINDERS_TARGET_S = 1.0
RATIO_TARGET = 3.0

RAW_GROUP_BY = """
    SELECT report.cycle_id, response.status, count(*)
    FROM reporting_commitmentresponse response
    JOIN reporting_implementationreport report ON report.id = response.report_id
    GROUP BY 1, 2
"""


def database_ensure(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist yet."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg2
    from psycopg2 import sql

    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        dbname="postgres",
        user=parts.username or None,
        password=parts.password or None,
        host=parts.hostname or None,
        port=parts.port or None,
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created database {name}")
    finally:
        connection.close()


def django_setup(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.base")
    import django

    django.setup()


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def data_ensure(*, regenerate: bool) -> str:
    """Load the full-scale data set unless it is already there; returns a one-line description."""
    from django.core.management import call_command
    from django.db import connection

    from reporting.management.commands.generate_scale_data import ScaleSpec, scale_data_generate, scale_documents
    from reporting.models import CommitmentResponse, ReportingCycle
    from tracker.models import Parliament
    from tracker.reference_data import reference_data_load

    call_command("migrate", verbosity=0, interactive=False)
    cycles = ReportingCycle.objects.filter(resolution__in=scale_documents(), state=ReportingCycle.State.OPEN)
    responses = CommitmentResponse.objects.filter(report__cycle__in=cycles)
    expected = PARLIAMENTS * CYCLES * COMMITMENTS
    if regenerate or cycles.count() != CYCLES or responses.count() != expected:
        if not Parliament.objects.exists():
            reference_data_load()  # real member parliaments and their groups, where available
        print(f"Generating {PARLIAMENTS} x {CYCLES} x {COMMITMENTS} = {expected:,} responses...", flush=True)
        spent = timed(
            lambda: scale_data_generate(
                ScaleSpec(parliaments=PARLIAMENTS, cycles=CYCLES, commitments=COMMITMENTS), replace=True
            )
        )
        print(f"  generated in {spent:.1f} s", flush=True)
    with connection.cursor() as cursor:  # fresh statistics, no dead rows left by --generate or a previous run
        cursor.execute("VACUUM ANALYZE")
    total = CommitmentResponse.objects.count()
    return (
        f"{PARLIAMENTS} parliaments x {cycles.count()} open cycles x {COMMITMENTS} commitments; "
        f"{total:,} responses in the table"
    )


def reminders_time() -> tuple[float | None, str]:
    """Seconds taken by reminders_plan for today, its work rolled back; None when not available."""
    from django.db import transaction
    from django.utils import timezone

    try:
        from reporting.reminders import reminders_plan
    except ImportError:
        return None, "reminders_plan does not exist yet"

    class Undo(Exception):
        pass

    today = timezone.localdate()
    outcome: dict[str, object] = {}
    try:
        with transaction.atomic():
            start = time.perf_counter()
            outcome["result"] = reminders_plan(today=today)
            outcome["seconds"] = time.perf_counter() - start
            raise Undo
    except Undo:
        pass
    except NotImplementedError:
        return None, "reminders_plan is not implemented yet"
    result = outcome["result"]
    size = f"{len(result):,} planned" if hasattr(result, "__len__") else type(result).__name__
    return float(outcome["seconds"]), f"today={today}, {size}"


def from_scratch_time() -> float:
    """A rebuild after every stored summary row was deleted, so that all of them are written."""
    from reporting.models import CommitmentSummary, CycleSummary, GroupSummary, ParliamentSummary, ThemeSummary
    from reporting.summaries import summaries_build_all

    for model in (ParliamentSummary, CommitmentSummary, GroupSummary, ThemeSummary, CycleSummary):
        model.objects.all().delete()
    return timed(summaries_build_all)


def raw_group_by() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(RAW_GROUP_BY)
        return len(cursor.fetchall())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument("--generate", action="store_true", help="generate the scale data anew")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of (b) and (c); the median is kept")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    database_ensure(args.database_url)
    django_setup(args.database_url)
    from django.db import connection

    from reporting.summaries import summaries_build_all, summary_build

    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"Data: {data_ensure(regenerate=args.generate)}")
    misses = []

    seconds, detail = reminders_time()
    if seconds is None:
        print(f"(a) reminders_plan for all cycles: n/a ({detail})")
    else:
        verdict = "ok" if seconds < REMINDERS_TARGET_S else "MISSES TARGET"
        misses += [] if seconds < REMINDERS_TARGET_S else ["reminders"]
        print(
            f"(a) reminders_plan for all cycles: {seconds:.3f} s ({detail}) [target < {REMINDERS_TARGET_S:g} s: {verdict}]"
        )

    summaries_build_all()  # warm-up, so both measures run on a warm cache
    raw_group_by()
    rebuilds, raws = [], []
    for _ in range(args.runs):
        rebuilds.append(timed(summaries_build_all))
        raws.append(timed(raw_group_by))
    rebuild, raw = statistics.median(rebuilds), statistics.median(raws)
    first = summaries_build_all()[0].cycle_id
    one = statistics.median(timed(lambda: summary_build(cycle_id=first)) for _ in range(args.runs))
    scratch = from_scratch_time()
    print(f"(b) full summary rebuild, {CYCLES} cycles: {rebuild:.3f} s (median of {args.runs})")
    print(f"    one cycle: {one:.3f} s; all cycles with no stored rows (every row written): {scratch:.3f} s")
    print(f"(c) raw GROUP BY cycle, status over all responses: {raw:.3f} s (median of {args.runs})")
    ratio = rebuild / raw if raw else float("inf")
    verdict = "ok" if ratio <= RATIO_TARGET else "MISSES TARGET"
    misses += [] if ratio <= RATIO_TARGET else ["rebuild"]
    print(f"    ratio (b)/(c): {ratio:.2f}x [target <= {RATIO_TARGET:g}x: {verdict}]")
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    sys.exit(main())
