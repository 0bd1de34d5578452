"""``manage.py import_resolution PATH [--dry-run] [--json]``: imports one resolution file.

Input it cannot use ends the command with one line on stderr and a non-zero exit status,
and leaves the database as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from resolutions.services import (
    ImportRejected,
    ImportResult,
    document_import,
    import_result_as_json,
    size_format,
)


class Command(BaseCommand):
    help = "Import one resolution, draft resolution or background note (text, Markdown, PDF or DOCX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="file to import")
        parser.add_argument("--dry-run", action="store_true", help="read and check the file, save nothing")
        parser.add_argument("--json", action="store_true", help="print what was read as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        data = _file_read(path)
        try:
            result = document_import(data=data, source_name=path.name, dry_run=options["dry_run"])
        except ImportRejected as error:
            raise CommandError(f"{path.name}: {error.message}") from error
        except DatabaseError as error:
            detail = " ".join(str(error).split())
            raise CommandError(f"{path.name}: database error, nothing was saved ({detail})") from error

        if options["json"]:
            self.stdout.write(json.dumps(import_result_as_json(result), indent=2))
        else:
            self.stdout.write(_summary(result, dry_run=options["dry_run"]))


def _file_read(path: Path) -> bytes:
    """The file's bytes, or a one-line CommandError saying why they cannot be had."""
    if not path.exists():
        raise CommandError(f"No such file: {path}")
    if path.is_dir():
        raise CommandError(f"{path} is a directory, not a file")
    try:
        size = path.stat().st_size
        limit = settings.RESOLUTION_UPLOAD_MAX_BYTES
        if size > limit:  # refuse before reading a huge file into memory
            raise CommandError(
                f"{path.name}: the file is too large ({size_format(size)}); the limit is {size_format(limit)}."
            )
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error


def _summary(result: ImportResult, *, dry_run: bool) -> str:
    parsed = result.parsed
    title = parsed.title or "(untitled)"
    if result.duplicate_of is not None:
        return f"Already imported as document {result.duplicate_of.pk}: {title}"
    subparagraphs = sum(len(p.subparagraphs) for p in parsed.operative)
    for_parliaments = sum(1 for p in parsed.operative if p.addresses_parliaments)
    lines = [
        f"{'Read (dry run, nothing saved)' if dry_run else 'Imported'} {parsed.kind}: {title}",
        f"  {len(parsed.preamble)} preambular and {_count(len(parsed.operative), 'operative paragraph')}, "
        f"{_count(subparagraphs, 'sub-paragraph')}; {for_parliaments} ask parliaments to act",
        f"  {_count(len(parsed.reservations), 'reservation')}",
    ]
    if parsed.deadline is not None:
        when = result.deadline_date.isoformat() if result.deadline_date else "date unknown"
        lines.append(
            f"  Reporting deadline: {parsed.deadline.phrase} ({when}), operative paragraph {parsed.deadline.paragraph}"
        )
    if parsed.relates_to_title:
        lines.append(f"  Discusses: {parsed.relates_to_title}")
    if result.document is not None:
        lines.append(f"  Document {result.document.pk}")
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
