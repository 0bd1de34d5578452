"""Times the resolution importer on the sample documents.

    .venv/bin/python benchmarks/importer.py [--runs N] [--save] [--check]

For each seed: median time of ``parse_text`` alone and of ``decode_bytes`` + ``parse_text``,
in milliseconds, and the throughput of the whole read in MB/s (10^6 bytes). Rows that miss a
target (under 20 ms per document, at least 2 MB/s) are flagged. Nothing is written to any
database unless ``--save`` is given; that option times ``document_import`` on a throw-away
SQLite database in a temporary directory, rolled back after each run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "resolutions" / "fixtures" / "seeds"
TARGET_MS = 20.0
TARGET_MB_S = 2.0


def median_ms(function: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def django_setup(*, database_dir: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.base")
    if database_dir is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(database_dir) / 'benchmark.sqlite3'}"
    import django

    django.setup()


def parse_rows(files: list[Path], runs: int) -> list[dict[str, object]]:
    from resolutions.parsing import ParseError, decode_bytes, parse_text

    rows = []
    for path in files:
        data = path.read_bytes()
        row: dict[str, object] = {"file": path.name, "bytes": len(data)}
        try:
            text = decode_bytes(data)
            parse_text(text)  # warm-up, and fail early on input the parser refuses
        except ParseError as error:
            row["error"] = str(error)
            rows.append(row)
            continue
        row["parse_ms"] = median_ms(lambda text=text: parse_text(text), runs)
        row["read_ms"] = median_ms(lambda data=data: parse_text(decode_bytes(data)), runs)
        row["mb_s"] = len(data) / 1e6 / (row["read_ms"] / 1000) if row["read_ms"] else float("inf")
        rows.append(row)
    return rows


def save_rows(files: list[Path], runs: int) -> dict[str, float]:
    """Median ``document_import`` time per file, on the throw-away database, each run undone."""
    from django.core.management import call_command
    from django.db import transaction

    from resolutions.services import ImportRejected, document_import
    from tracker.reference_data import reference_data_load

    call_command("migrate", verbosity=0, interactive=False)
    reference_data_load()
    results: dict[str, float] = {}

    class Undo(Exception):
        """Raised to roll each timed import back."""

    for path in files:
        data = path.read_bytes()

        def one(data: bytes = data, name: str = path.name) -> None:
            try:
                with transaction.atomic():
                    document_import(data=data, source_name=name)
                    raise Undo
            except Undo:
                pass

        try:
            one()
        except ImportRejected:
            continue
        results[path.name] = median_ms(one, runs)
    return results


def table(rows: list[dict[str, object]], saved: dict[str, float] | None) -> tuple[str, int]:
    header = f"{'file':<52} {'KB':>6} {'parse ms':>9} {'read ms':>8} {'MB/s':>6}"
    if saved is not None:
        header += f" {'save ms':>8}"
    lines = [header, "-" * len(header)]
    misses = 0
    for row in rows:
        start = f"{row['file']:<52} {row['bytes'] / 1024:>6.1f}"
        if "error" in row:
            lines.append(f"{start}  refused: {row['error']}")
            misses += 1
            continue
        flags = []
        if row["read_ms"] >= TARGET_MS:
            flags.append(f">= {TARGET_MS:g} ms")
        if row["mb_s"] < TARGET_MB_S:
            flags.append(f"< {TARGET_MB_S:g} MB/s")
        misses += bool(flags)
        line = f"{start} {row['parse_ms']:>9.2f} {row['read_ms']:>8.2f} {row['mb_s']:>6.2f}"
        if saved is not None:
            save = saved.get(str(row["file"]))
            line += f" {save:>8.1f}" if save is not None else f" {'-':>8}"
        lines.append(line + ("  MISSES TARGET: " + ", ".join(flags) if flags else ""))
    lines.append("")
    lines.append(f"targets: under {TARGET_MS:g} ms per document (decode + parse), at least {TARGET_MB_S:g} MB/s")
    return "\n".join(lines), misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25, help="timed runs per measure (median kept)")
    parser.add_argument("--save", action="store_true", help="also time document_import on a temporary SQLite")
    parser.add_argument("--check", action="store_true", help="exit 1 when a row misses a target")
    args = parser.parse_args(argv)

    files = sorted(p for p in SEEDS.iterdir() if p.suffix in {".md", ".txt"})
    with tempfile.TemporaryDirectory() as directory:
        django_setup(database_dir=directory if args.save else None)
        rows = parse_rows(files, args.runs)
        saved = save_rows(files, max(3, args.runs // 5)) if args.save else None
    report, misses = table(rows, saved)
    print(report)
    if misses:
        print(f"{misses} document(s) miss a target")
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    sys.exit(main())
