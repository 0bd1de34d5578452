"""``python manage.py export_summary CYCLE_ID --format {csv,xlsx,pdf,docx} -o FILE [--language en|fr]``.

Writes a cycle's compliance summary to FILE. Progress goes to stderr (every tenth of the
way: "rows written: n/N" for the tables, "steps done: n/N" for the documents); bad input
(unknown cycle, unwritable path, unknown format or language) exits non-zero with one line.
The file is written beside FILE under a temporary name and moved into place at the end,
so FILE is never left half written. Without ``--format`` the format is FILE's extension.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.exports import FORMATS, export_write
from reporting.models import ReportingCycle

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
TABLE_FORMATS = ("csv", "xlsx")


class Command(BaseCommand):
    help = "Export a reporting cycle's compliance summary as CSV, XLSX, PDF or DOCX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cycle_id", metavar="CYCLE_ID", help="id of the reporting cycle")
        parser.add_argument("--format", dest="fmt", metavar="{csv,xlsx,pdf,docx}", help="default: FILE's extension")
        parser.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write")
        parser.add_argument("--language", default="en", metavar="{en,fr}", help="language of the export (default en)")

    def _options(self, options: dict[str, Any]) -> tuple[int, str, Path, str]:
        try:
            cycle_id = int(options["cycle_id"])
        except ValueError:
            raise CommandError(f"CYCLE_ID must be a number, not {options['cycle_id']!r}.") from None
        output = Path(options["output"])
        fmt = (options["fmt"] or output.suffix.lstrip(".")).lower()
        if fmt not in FORMATS:
            raise CommandError(f"Unknown format {fmt!r}: use --format with one of {', '.join(FORMATS)}.")
        language = options["language"]
        if language not in LANGUAGES:
            raise CommandError(f"Unknown language {language!r}: use one of {', '.join(LANGUAGES)}.")
        if not ReportingCycle.objects.filter(pk=cycle_id).exists():
            raise CommandError(f"No reporting cycle with id {cycle_id}.")
        if output.is_dir():
            raise CommandError(f"Cannot write {output}: it is a directory.")
        return cycle_id, fmt, output, language

    def handle(self, *args: Any, **options: Any) -> None:
        cycle_id, fmt, output, language = self._options(options)
        try:
            # Closed below, then moved into place.
            handle = tempfile.NamedTemporaryFile(
                dir=output.parent, prefix=f".{output.name}.", suffix=".part", delete=False
            )
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror or error}.") from None
        unit = "rows written" if fmt in TABLE_FORMATS else "steps done"
        reported = {"tenth": -1}
        verbose = options["verbosity"] >= 1

        def progress(done: int, total: int) -> None:
            tenth = 10 * done // total if total else 10
            if verbose and tenth != reported["tenth"]:
                reported["tenth"] = tenth
                self.stderr.write(f"{unit}: {done}/{total}")

        started = time.perf_counter()
        try:
            with handle:
                export_write(cycle_id, fmt, handle, language=language, progress=progress)
            os.replace(handle.name, output)
        except OSError as error:
            Path(handle.name).unlink(missing_ok=True)
            raise CommandError(f"Cannot write {output}: {error.strerror or error}.") from None
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Wrote {output} ({output.stat().st_size:,} bytes, {fmt}, {language}) in {elapsed:.1f} s")
