"""Times summary exports and measures their peak memory, on PostgreSQL.

    .venv/bin/python benchmarks/exports.py [--database-url URL] [--big-database-url URL]
                                           [--generate] [--skip-db] [--rows N] [--check]

Three measures, each in a fresh child process so that one cannot inflate another's memory:

(a) the XLSX writer alone on 315,000 synthetic rows (no database);
(b) ``export_write(..., "xlsx")`` of one cycle holding 315,000 answers, read from the
    database (180 parliaments x 1,750 commitments, made by ``generate_scale_data`` in its
    own database, ``--big-database-url``), every report then accepted and every answer
    given a status, measures and a long narrative: the worst case, full content in every row;
(c) CSV, XLSX, PDF and DOCX of one cycle of the standard scale data set (180 parliaments x
    50 cycles x 35 commitments, ``--database-url``): the Assembly documents at full size.

Time is wall-clock for the whole export. Memory is the child's peak resident set
(``resource.getrusage`` maxrss: Python, Django and every library loaded) and, from a second
run under ``tracemalloc``, the peak of Python allocations during the export alone.
Targets for (a) and (b): under 30 s and under 300 MB peak resident memory. The databases
are created and migrated when missing and the data is generated unless it is already there
(``--generate`` makes it anew).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench_exports"
DEFAULT_BIG_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench_exports_big"
STANDARD = (180, 50, 35)  # parliaments, cycles, commitments: 315,000 responses in all
BIG = (180, 1, 1750)  # the same 315,000 responses in a single cycle
ROWS = 315_000
TIME_TARGET_S = 30.0
MEMORY_TARGET_MB = 300.0
NARRATIVE = (
    "The standing committee held hearings with the ministries concerned, adopted amendments to the "
    "relevant act and asked the government to report back within six months on the budget allocated, "
    "the training given to officials and the data collected on the persons concerned. "
)


def maxrss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
                print(f"Created database {name}", file=sys.stderr)
    finally:
        connection.close()


def django_setup(url: str | None) -> None:
    if url:
        os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.base")
    import django

    django.setup()


# Children: one measure each ----------------------------------------------------------------


def synthetic_rows(count: int) -> Iterator[tuple]:
    """Rows shaped like ``reporting.exports.rows``: 180 parliaments, the rest commitments."""
    statuses = ("Implemented", "In progress", "Planned", "Not started", "Not applicable", "")
    percents = (100, 50, 25, 0, None, None)
    per_parliament = max(count // 180, 1)
    submitted = date(2030, 3, 1)
    for index in range(count):
        parliament, commitment = divmod(index, per_parliament)
        status = index % len(statuses)
        yield (
            f"Parliament {parliament:03d}",
            f"Q{parliament // 26 % 26 + 65:c}{parliament % 26 + 65:c}",
            "Twelve Plus",
            "Accepted",
            submitted,
            f"OP {commitment + 1}",
            "Calls upon",
            statuses[status],
            percents[status],
            "Legislation; Budget",
            NARRATIVE if status < 4 else "",
            submitted + timedelta(days=index % 90),
        )


def child_synthetic(rows: int, directory: Path) -> dict:
    from openpyxl import Workbook

    from reporting.exports import Ticker
    from reporting.exports.rows import COLUMNS
    from reporting.exports.xlsx_export import responses_sheet

    target = directory / "synthetic.xlsx"
    header = [str(label) for label, _width in COLUMNS]
    widths = [width for _label, width in COLUMNS]
    workbook = Workbook(write_only=True)
    written = responses_sheet(workbook, "Responses", header, widths, synthetic_rows(rows), Ticker(rows, None))
    workbook.save(target)
    return {"rows": written, "bytes": target.stat().st_size}


def child_database(fmt: str, cycle_id: int, directory: Path) -> dict:
    from reporting.exports import export_write

    target = directory / f"cycle.{fmt}"
    counted = {"total": 0}

    def progress(done: int, total: int) -> None:
        counted["total"] = total

    with target.open("wb") as handle:
        export_write(cycle_id, fmt, handle, language="en", progress=progress)
    return {"rows": counted["total"] if fmt in ("csv", "xlsx") else None, "bytes": target.stat().st_size}


def child_main(args: argparse.Namespace) -> int:
    django_setup(args.child_url)
    if args.child == "db":
        from django.db import connection

        connection.ensure_connection()
        from reporting.exports import document, rows  # noqa: F401 - imported before the baseline is taken
    baseline = maxrss_mb()
    if args.trace:
        tracemalloc.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        if args.child == "synthetic":
            outcome = child_synthetic(args.rows, Path(directory))
        else:
            outcome = child_database(args.format, args.cycle, Path(directory))
    outcome["seconds"] = time.perf_counter() - started
    if args.trace:
        outcome["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    outcome["maxrss_mb"] = maxrss_mb()
    outcome["baseline_mb"] = baseline
    print(json.dumps(outcome))
    return 0


def run_child(*extra: str, trace: bool = False) -> dict:
    command = [sys.executable, __file__, *extra] + (["--trace"] if trace else [])
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - this script
    if completed.returncode != 0:
        raise SystemExit(f"child {' '.join(extra)} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# Data --------------------------------------------------------------------------------------


def data_ensure(url: str, shape: tuple[int, int, int], *, regenerate: bool, worst_case: bool = False) -> list[int]:
    """Generate the scale data in ``url`` unless it is there; returns the ids of its cycles.

    ``worst_case``: every report accepted and every answer with a status, measures and a
    long narrative, so an export reads and writes the full content of every row.
    """
    script = f"""
import sys, time
from django.core.management import call_command
from django.db import connection
from reporting.management.commands.generate_scale_data import ScaleSpec, scale_data_generate, scale_documents
from reporting.models import CommitmentResponse, ReportingCycle
from reporting.summaries import summaries_build_all
from tracker.models import Parliament
from tracker.reference_data import reference_data_load

parliaments, cycles, commitments = {shape!r}
call_command("migrate", verbosity=0, interactive=False)
found = ReportingCycle.objects.filter(resolution__in=scale_documents())
expected = parliaments * cycles * commitments
if {regenerate!r} or found.count() != cycles or CommitmentResponse.objects.filter(report__cycle__in=found).count() != expected:
    if not Parliament.objects.exists():
        reference_data_load()
    print(f"Generating {{parliaments}} x {{cycles}} x {{commitments}} = {{expected:,}} responses...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    scale_data_generate(ScaleSpec(parliaments=parliaments, cycles=cycles, commitments=commitments), replace=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    summaries_build_all()
    print(f"  generated in {{time.perf_counter() - started:.1f}} s", file=sys.stderr, flush=True)
if {worst_case!r}:
    # Every report accepted and every answer written out: each row carries its full content.
    from django.utils import timezone
    from reporting.models import ImplementationReport
    reports = ImplementationReport.objects.filter(cycle__in=found)
    if reports.exclude(state="accepted").exists():
        reports.update(state="accepted", submitted_at=timezone.now())
        CommitmentResponse.objects.filter(report__cycle__in=found).update(
            status="in_progress", measures=["legislation", "oversight"], narrative={NARRATIVE!r}
        )
        summaries_build_all()
print(",".join(str(pk) for pk in found.order_by("pk").values_list("pk", flat=True)))
"""
    database_ensure(url)
    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tracker.settings.base"}
    completed = subprocess.run(  # noqa: S603 - the project's own interpreter
        [sys.executable, "-c", f"import django; django.setup()\n{script}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stderr.write(completed.stderr)
    if completed.returncode != 0:
        raise SystemExit(f"could not prepare the data in {url}")
    return [int(pk) for pk in completed.stdout.strip().splitlines()[-1].split(",")]


# Report ------------------------------------------------------------------------------------


def verdict(outcome: dict) -> tuple[str, bool]:
    ok = outcome["seconds"] < TIME_TARGET_S and outcome["maxrss_mb"] < MEMORY_TARGET_MB
    targets = f"target < {TIME_TARGET_S:g} s and < {MEMORY_TARGET_MB:g} MB"
    return f"[{targets}: {'ok' if ok else 'MISSES TARGET'}]", ok


def line(name: str, outcome: dict, traced: dict | None) -> str:
    rows = f"{outcome['rows']:,} rows, " if outcome.get("rows") else ""
    peak = f", traced peak {traced['traced_peak_mb']:.1f} MB" if traced else ""
    return (
        f"{name}: {outcome['seconds']:.2f} s, {rows}{outcome['bytes'] / 2**20:.1f} MB file; "
        f"peak RSS {outcome['maxrss_mb']:.0f} MB (at start {outcome['baseline_mb']:.0f} MB){peak}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"standard data set; default {DEFAULT_URL}")
    parser.add_argument(
        "--big-database-url", default=DEFAULT_BIG_URL, help=f"one big cycle; default {DEFAULT_BIG_URL}"
    )
    parser.add_argument("--generate", action="store_true", help="generate the scale data anew")
    parser.add_argument("--skip-db", action="store_true", help="only (a), the writer on synthetic rows")
    parser.add_argument("--rows", type=int, default=ROWS, help=f"synthetic rows for (a) (default {ROWS:,})")
    parser.add_argument("--check", action="store_true", help="exit 1 when (a) or (b) misses a target")
    # What a child process measures (internal).
    parser.add_argument("--child", choices=["synthetic", "db"], help=argparse.SUPPRESS)
    parser.add_argument("--child-url", help=argparse.SUPPRESS)
    parser.add_argument("--format", default="xlsx", help=argparse.SUPPRESS)
    parser.add_argument("--cycle", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args)

    misses = []
    outcome = run_child("--child", "synthetic", "--rows", str(args.rows))
    traced = run_child("--child", "synthetic", "--rows", str(args.rows), trace=True)
    text, ok = verdict(outcome)
    misses += [] if ok else ["synthetic"]
    print(f"(a) {line('XLSX writer, synthetic rows', outcome, traced)} {text}", flush=True)
    if args.skip_db:
        return 1 if args.check and misses else 0

    big_cycle = data_ensure(args.big_database_url, BIG, regenerate=args.generate, worst_case=True)[0]
    database = ["--child", "db", "--child-url", args.big_database_url, "--cycle", str(big_cycle)]
    outcome = run_child(*database, "--format", "xlsx")
    traced = run_child(*database, "--format", "xlsx", trace=True)
    text, ok = verdict(outcome)
    misses += [] if ok else ["database"]
    print(f"(b) {line('XLSX from the database, one cycle', outcome, traced)} {text}", flush=True)
    outcome = run_child(*database, "--format", "csv")
    print(f"    {line('CSV of the same cycle', outcome, None)}", flush=True)

    cycle = data_ensure(args.database_url, STANDARD, regenerate=args.generate)[0]
    print(f"(c) one cycle of {STANDARD[0]} parliaments x {STANDARD[2]} commitments:", flush=True)
    for fmt in ("csv", "xlsx", "pdf", "docx"):
        outcome = run_child("--child", "db", "--child-url", args.database_url, "--cycle", str(cycle), "--format", fmt)
        print(f"    {line(fmt.upper(), outcome, None)}", flush=True)
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    sys.exit(main())
